//! The erasable store of personal data (law 09-08): a public commenter's name and e-mail
//! never enter the ledger; the log carries an opaque person reference, and what was given
//! with each comment sits in the `person_comments` table, encrypted under a random key of
//! that comment alone (docs/public-channel.md).
//!
//! Two kinds of secret, neither related to a log key:
//! - the personal-data secret (`DATA/persons.secret`, or `--persons-key`), stable: the
//!   reference of a comment that gives an e-mail is HMAC-SHA256 of the consultation and
//!   the normalized e-mail under a key derived from it, so one person is one participant
//!   within one consultation and cannot be followed across consultations; a backup of the
//!   store is encrypted under another key derived from it; and its fingerprint in the
//!   store stops a process holding another secret from starting;
//! - the epoch keys ([`super::epochs`]), a ratchet over time kept next to the secret:
//!   each comment's key is stored wrapped under the key of the current epoch and re-wrapped
//!   as epochs pass, and an epoch's key is destroyed two epochs later. An erased person's
//!   wrapped keys, wherever a copy survives, then open no more.
//!
//! ChaCha20-Poly1305 with a random 96-bit nonce per message: an AEAD, so a ciphertext that
//! was altered or moved to another row or field fails to open rather than decrypting to
//! garbage (each is bound to its consultation, comment, person reference and field, and a
//! wrapped key to its epoch, as associated data).

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use domain::Clock;
use ed25519_dalek::SigningKey;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::epochs::EpochKeys;
use store::{Backend, Db, PersonCommentRow, PersonRow};

const NONCE_LEN: usize = 12;
/// The personal-data secret's file name in the data folder, by default.
pub const SECRET_FILE: &str = "persons.secret";
/// The default length of an epoch: an erased person's data stops opening at most two
/// epochs after the erasure, so 12 hours bound it to 24.
pub const DEFAULT_EPOCH_HOURS: u64 = 12;
/// Labels of the keys derived from the secret and of the encrypted fields: a key or
/// ciphertext made for one purpose never opens for another.
const REF_KEY_LABEL: &[u8] = b"sijill-persons-ref-v2";
const BACKUP_KEY_LABEL: &[u8] = b"sijill-persons-backup-v2";
const FINGERPRINT_LABEL: &[u8] = b"sijill-persons-fingerprint-v1";
const AAD_PREFIX: &str = "sijill-person-v2";

/// The personal-data secret and what is derived from it. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct PersonsSecret {
    ref_key: [u8; 32],
    backup_key: [u8; 32],
    fingerprint: String,
}

impl std::fmt::Debug for PersonsSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonsSecret(..)")
    }
}

fn labelled(label: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(label);
    h.update(secret);
    h.finalize().into()
}

impl PersonsSecret {
    /// The keys derived from 32 secret bytes.
    pub fn from_bytes(secret: &[u8; 32]) -> Self {
        Self {
            ref_key: labelled(REF_KEY_LABEL, secret),
            backup_key: labelled(BACKUP_KEY_LABEL, secret),
            fingerprint: hex::encode(labelled(FINGERPRINT_LABEL, secret)),
        }
    }

    /// Reads a secret file (64 hex characters), which group and others must not be able
    /// to read or write.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn load(path: &Path) -> Result<Self, String> {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{} is readable or writable by others (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let bytes: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| format!("{} is not a personal-data secret", path.display()))?;
        Ok(Self::from_bytes(&bytes))
    }

    /// Makes a new random secret file at `path`, mode 0600, never over an existing file.
    ///
    /// # Errors
    /// A message naming the file.
    pub fn create(path: &Path) -> Result<Self, String> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.write_all(format!("{}\n", hex::encode(bytes)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(Self::from_bytes(&bytes))
    }

    /// What the store keeps to recognise this secret: a hash of it under its own label,
    /// which reveals nothing of the keys derived from it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The key a persons backup is encrypted under.
    pub fn backup_key(&self) -> [u8; 32] {
        self.backup_key
    }

    /// The reference of a person who gave `email` on `consultation`: the same e-mail
    /// (trimmed, lowercased) on the same consultation gives the same reference, another
    /// consultation another one.
    pub fn scoped_ref(&self, consultation: &str, email: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.ref_key)
            .expect("HMAC takes a key of any length");
        mac.update(b"email\n");
        mac.update(consultation.as_bytes());
        mac.update(b"\n");
        mac.update(normalize_email(email).as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The reference of a comment without an e-mail: 32 random bytes in hex, which looks like
/// any other reference.
pub fn anonymous_ref() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The epoch key file kept next to a secret file: `<secret>.epoch`.
pub fn epoch_path(secret: &Path) -> PathBuf {
    let mut name = secret.as_os_str().to_owned();
    name.push(".epoch");
    PathBuf::from(name)
}

/// The e-mail as it is compared: trimmed and lowercased (the local part is
/// case-insensitive in practice, and people type addresses both ways).
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn aad(field: &str, row: &PersonCommentRow) -> Vec<u8> {
    let mut aad = format!(
        "{AAD_PREFIX}\n{field}\n{}\n{}\n{}",
        row.consultation, row.comment, row.person_ref
    );
    if field == "key" {
        aad.push_str(&format!("\n{}", row.epoch));
    }
    aad.into_bytes()
}

/// nonce || ciphertext-and-tag.
fn seal(key: &Key, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = ChaCha20Poly1305::new(key)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("ChaCha20-Poly1305 encrypts any message shorter than 256 GiB");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    out
}

fn open(key: &Key, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    ChaCha20Poly1305::new(key)
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
}

/// How the store is set up at start-up.
#[derive(Clone, Debug)]
pub struct PersonsConfig {
    /// The secret file (`DATA/persons.secret` unless `--persons-key`).
    pub secret_path: PathBuf,
    /// The length of an epoch.
    pub epoch: Duration,
}

impl PersonsConfig {
    /// The secret at `persons_key`, or in `data`, with epochs of `epoch_hours` (at least 1).
    pub fn new(data: &Path, persons_key: Option<&Path>, epoch_hours: u64) -> Self {
        Self {
            secret_path: persons_key.map_or_else(|| data.join(SECRET_FILE), Path::to_owned),
            epoch: Duration::from_secs(epoch_hours.max(1) * 3600),
        }
    }
}

/// The store API: what the server and the read models use. Names are shown only while
/// the comment's key opens; read models must look them up here when they answer, never
/// copy them into their own rows (an erasure could not reach a copy).
#[derive(Clone)]
pub struct PersonStore {
    db: Db,
    secret: Arc<PersonsSecret>,
    epochs: Arc<EpochKeys>,
    epoch_ms: u64,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for PersonStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonStore")
            .field("epochs", &self.epochs)
            .finish_non_exhaustive()
    }
}

impl PersonStore {
    /// Opens the store of `db` with the secret `config` names, checking it against the
    /// fingerprint the store keeps. On a store that has none yet, the secret file is
    /// created if missing and its fingerprint recorded; the epoch key file likewise. Then
    /// moves to the clock's epoch, and, given the log key, moves data stored under the
    /// earlier log-key-derived scheme to this one ([`migrate_legacy`]).
    ///
    /// # Errors
    /// A message saying what does not fit: a secret that is not the store's, a missing
    /// secret or epoch key file for a store that has data, or a database or file error.
    pub async fn open(
        db: Db,
        config: &PersonsConfig,
        clock: Arc<dyn Clock>,
        log_key: Option<&SigningKey>,
    ) -> Result<Self, String> {
        let dberr = |e: store::Error| format!("database error: {e}");
        let path = &config.secret_path;
        let stored = db.persons_fingerprint().await.map_err(dberr)?;
        let secret = if path.exists() {
            PersonsSecret::load(path)?
        } else if stored.is_none() {
            PersonsSecret::create(path)?
        } else {
            return Err(format!(
                "this store's personal data is under a secret that is not at {}: copy the store's persons.secret and persons.secret.epoch there, or name them with --persons-key (docs/public-channel.md)",
                path.display()
            ));
        };
        // Only the process that records the fingerprint of a new store may make its epoch
        // key file: another one making its own would wrap under keys nobody else holds.
        let recorded_here = stored.is_none()
            && db
                .set_persons_fingerprint(secret.fingerprint())
                .await
                .map_err(dberr)?;
        let recorded = db.persons_fingerprint().await.map_err(dberr)?;
        if recorded.as_deref() != Some(secret.fingerprint()) {
            return Err(format!(
                "the personal-data secret {} is not the one this store's data is under (its fingerprint differs): refusing to start",
                path.display()
            ));
        }
        let epoch_ms = u64::try_from(config.epoch.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        let now_epoch = u64::try_from(clock.now().millis()).unwrap_or(0) / epoch_ms;
        let epoch_file = epoch_path(path);
        let epochs = if epoch_file.exists() || epoch_path_temp_exists(&epoch_file) {
            EpochKeys::load(&epoch_file)?
        } else if recorded_here && db.live_person_comments().await.map_err(dberr)? == 0 {
            EpochKeys::create(&epoch_file, now_epoch)?
        } else {
            return Err(format!(
                "the epoch key file {} is missing: copy it, with the secret, from the data folder of the process that first served this store (docs/public-channel.md)",
                epoch_file.display()
            ));
        };
        let store = Self {
            db,
            secret: Arc::new(secret),
            epochs: Arc::new(epochs),
            epoch_ms,
            clock,
        };
        store.rotate().await?;
        if let Some(log_key) = log_key {
            migrate_legacy(&store, log_key).await.map_err(dberr)?;
        }
        Ok(store)
    }

    pub fn secret(&self) -> &PersonsSecret {
        &self.secret
    }

    /// The epoch this process wraps keys under now.
    pub fn epoch(&self) -> u64 {
        self.epochs.epoch()
    }

    /// The person reference of a public comment on `consultation`: scoped to it when an
    /// e-mail is given (or the earlier reference of that person there, see
    /// `person_aliases`), random otherwise.
    ///
    /// # Errors
    /// Any database error.
    pub async fn reference(
        &self,
        consultation: &str,
        email: Option<&str>,
    ) -> Result<String, store::Error> {
        let Some(email) = email else {
            return Ok(anonymous_ref());
        };
        let scoped = self.secret.scoped_ref(consultation, email);
        Ok(self.db.person_alias(&scoped).await?.unwrap_or(scoped))
    }

    /// Encrypts what was given with one comment under a fresh key, wrapped under the
    /// current epoch's key.
    pub fn seal(
        &self,
        consultation: &str,
        comment: u64,
        person_ref: &str,
        name: Option<&str>,
        email: Option<&str>,
    ) -> PersonCommentRow {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let key = Key::from(key);
        let epoch = self.epochs.epoch();
        let mut row = PersonCommentRow {
            consultation: consultation.to_owned(),
            comment,
            person_ref: person_ref.to_owned(),
            epoch,
            ..PersonCommentRow::default()
        };
        let wrapping = Key::from(self.epochs.key(epoch).expect("the current epoch's key"));
        row.comment_key = Some(seal(&wrapping, &aad("key", &row), &key));
        row.name = name.map(|n| seal(&key, &aad("name", &row), n.as_bytes()));
        row.email = email.map(|e| seal(&key, &aad("email", &row), e.as_bytes()));
        row
    }

    fn unwrap_key(&self, row: &PersonCommentRow) -> Option<Key> {
        let wrapping = Key::from(self.epochs.key(row.epoch)?);
        let key = open(&wrapping, &aad("key", row), row.comment_key.as_deref()?)?;
        (key.len() == 32).then(|| *Key::from_slice(&key))
    }

    /// The name in a stored row, while its key opens: `None` when erased, when no name
    /// was given, when its epoch's key was destroyed, or when the row was altered.
    pub fn open_name(&self, row: &PersonCommentRow) -> Option<String> {
        let key = self.unwrap_key(row)?;
        String::from_utf8(open(&key, &aad("name", row), row.name.as_deref()?)?).ok()
    }

    /// The e-mail in a stored row, while its key opens. Never published: kept for the
    /// store's own tests and for a future duty to answer the person.
    pub fn open_email(&self, row: &PersonCommentRow) -> Option<String> {
        let key = self.unwrap_key(row)?;
        String::from_utf8(open(&key, &aad("email", row), row.email.as_deref()?)?).ok()
    }

    /// Stores what was given with comment `comment` of `consultation`. Nothing is stored
    /// when neither a name nor an e-mail is given, nor for a person already erased.
    ///
    /// # Errors
    /// Any database error.
    pub async fn remember(
        &self,
        consultation: &str,
        comment: u64,
        person_ref: &str,
        name: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), store::Error> {
        if name.is_none() && email.is_none() {
            return Ok(());
        }
        let email = email.map(normalize_email);
        let row = self.seal(consultation, comment, person_ref, name, email.as_deref());
        self.db.remember_person_comment(&row).await
    }

    /// The name given with one comment, while its key opens.
    ///
    /// # Errors
    /// Any database error.
    pub async fn name(
        &self,
        consultation: &str,
        comment: u64,
    ) -> Result<Option<String>, store::Error> {
        Ok(self
            .db
            .person_comments(consultation, &[comment])
            .await?
            .get(&comment)
            .and_then(|row| self.open_name(row)))
    }

    /// The names given with these comments of `consultation` that are still known, by
    /// comment number (one query, for a page of comments). A row whose reference is not
    /// the one the log gives that comment is ignored.
    ///
    /// # Errors
    /// Any database error.
    pub async fn names(
        &self,
        consultation: &str,
        comments: &[(u64, String)],
    ) -> Result<HashMap<u64, String>, store::Error> {
        let numbers: Vec<u64> = comments.iter().map(|(n, _)| *n).collect();
        let rows = self.db.person_comments(consultation, &numbers).await?;
        Ok(comments
            .iter()
            .filter_map(|(n, person)| {
                let row = rows.get(n).filter(|r| &r.person_ref == person)?;
                self.open_name(row).map(|name| (*n, name))
            })
            .collect())
    }

    /// Destroys the keys and ciphertexts of every comment of a person (idempotent), and
    /// leaves a marker that stops data from being stored for them again. `at` is the
    /// `recorded_at` of the `PersonalDataErased` entry.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erase(&self, person_ref: &str, at: &str) -> Result<(), store::Error> {
        self.db.erase_person(person_ref, at).await
    }

    /// Moves to the clock's epoch if it is later than this process's (first re-wrapping
    /// every live key under the new epoch's key), then re-wraps any key still under an
    /// earlier epoch (written by a process a little behind).
    ///
    /// # Errors
    /// A message for a file or database error; nothing was lost then, the next run tries
    /// again.
    pub async fn rotate(&self) -> Result<(), String> {
        let clock_epoch = u64::try_from(self.clock.now().millis()).unwrap_or(0) / self.epoch_ms;
        self.rotate_to(clock_epoch.max(self.epochs.epoch())).await
    }

    /// Moves one epoch past this process's now, whatever the clock says: what a forced
    /// rotation and the tests use. Two of these destroy the key of the epoch in force
    /// before them. Returns the new epoch.
    ///
    /// # Errors
    /// As [`Self::rotate`].
    pub async fn rotate_now(&self) -> Result<u64, String> {
        let target = self.epochs.epoch() + 1;
        self.rotate_to(target).await?;
        Ok(target)
    }

    async fn rotate_to(&self, target: u64) -> Result<(), String> {
        let dberr = |e: store::Error| format!("database error: {e}");
        let mut changed = self.rewrap(target).await.map_err(dberr)?;
        let moved = self.epochs.advance(target)?;
        // Rows another process wrapped under the old epoch meanwhile.
        changed += self.rewrap(target).await.map_err(dberr)?;
        if (moved || changed > 0) && self.db.backend() == Backend::Sqlite {
            // The pages the re-wrap replaced leave the WAL.
            self.db.checkpoint_wal().await;
        }
        Ok(())
    }

    /// Re-wraps every live key stored under an epoch before `target` under `target`'s
    /// key. A key whose epoch key is gone can never open again: its row is cleared.
    /// Returns how many rows it changed.
    async fn rewrap(&self, target: u64) -> Result<u64, store::Error> {
        let Some(new_key) = self.epochs.key(target) else {
            return Ok(0);
        };
        let new_key = Key::from(new_key);
        let mut changed = 0;
        loop {
            let rows = self.db.person_comments_before(target, 500).await?;
            if rows.is_empty() {
                return Ok(changed);
            }
            changed += rows.len() as u64;
            for row in rows {
                match self.unwrap_key(&row) {
                    Some(key) => {
                        let mut next = PersonCommentRow {
                            epoch: target,
                            ..row.clone()
                        };
                        next.comment_key = Some(seal(&new_key, &aad("key", &next), &key));
                        self.db.rewrap_person_comment(&row, &next).await?;
                    }
                    None => {
                        tracing::warn!(
                            epoch = row.epoch,
                            "a stored key's epoch key is gone; its comment's author is lost"
                        );
                        self.db.clear_person_comment(&row).await?;
                    }
                }
            }
        }
    }

    /// Keeps rotating in the background: checks the clock several times an epoch (at most
    /// every minute), so each epoch's key is destroyed soon after the epoch after next
    /// begins.
    pub fn start_rotation(&self) {
        let store = self.clone();
        let period = Duration::from_millis(store.epoch_ms / 8)
            .clamp(Duration::from_millis(100), Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(period).await;
                if let Err(e) = store.rotate().await {
                    tracing::warn!(error = %e, "persons epoch rotation failed; will retry");
                }
            }
        });
    }
}

fn epoch_path_temp_exists(path: &Path) -> bool {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    Path::new(&name).exists()
}

/// The secrets of the earlier scheme, derived from the log's private key; only read, to
/// move a store's data out of them ([`migrate_legacy`]).
struct LegacySecrets {
    ref_key: [u8; 32],
    wrap_key: [u8; 32],
}

impl LegacySecrets {
    fn derive(log_key: &SigningKey) -> Self {
        Self {
            ref_key: labelled(b"sijill-person-ref-v1", &log_key.to_bytes()),
            wrap_key: labelled(b"sijill-person-store-v1", &log_key.to_bytes()),
        }
    }

    /// The earlier, unscoped reference of an e-mail.
    fn person_ref(&self, email: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.ref_key)
            .expect("HMAC takes a key of any length");
        mac.update(b"email\n");
        mac.update(normalize_email(email).as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The name and e-mail of an earlier row, as far as they open.
    fn open(&self, person_ref: &str, row: &PersonRow) -> (Option<String>, Option<String>) {
        let aad = |field: &str| format!("sijill-person-v1\n{field}\n{person_ref}").into_bytes();
        let Some(key) = row
            .wrapped_key
            .as_deref()
            .and_then(|w| open(&Key::from(self.wrap_key), &aad("key"), w))
            .filter(|k| k.len() == 32)
        else {
            return (None, None);
        };
        let key = *Key::from_slice(&key);
        let field = |name: &str, ct: &Option<Vec<u8>>| {
            open(&key, &aad(name), ct.as_deref()?).and_then(|b| String::from_utf8(b).ok())
        };
        (field("name", &row.name), field("email", &row.email))
    }
}

/// Moves the data of a store written under the earlier scheme (one row per person in
/// `persons`, keys derived from the log key) to this one, once, while the log key is at
/// hand: each public comment of such a person gets a `person_comments` row with the name
/// and e-mail that row held; for each consultation where that person commented, the
/// scoped reference of their e-mail is recorded as an alias of the earlier reference (so
/// a later comment there keeps counting them once, and one erasure covers both); then the
/// earlier row is deleted. Erased persons keep their marker. Returns how many persons
/// were moved.
///
/// # Errors
/// Any database error; what was moved stays moved, the rest is moved at the next start.
pub async fn migrate_legacy(
    store: &PersonStore,
    log_key: &SigningKey,
) -> Result<u64, store::Error> {
    let legacy_rows = store.db.legacy_persons().await?;
    if legacy_rows.is_empty() {
        return Ok(0);
    }
    let legacy = LegacySecrets::derive(log_key);
    let comments = store.db.public_comment_persons().await?;
    let mut moved = 0;
    for (person_ref, row) in legacy_rows {
        let (name, email) = legacy.open(&person_ref, &row);
        let theirs: Vec<&(String, u64, String)> = comments
            .iter()
            .filter(|(_, _, p)| *p == person_ref)
            .collect();
        for (consultation, comment, _) in &theirs {
            let sealed = store.seal(
                consultation,
                *comment,
                &person_ref,
                name.as_deref(),
                email.as_deref(),
            );
            store.db.remember_person_comment(&sealed).await?;
        }
        if let Some(email) = email
            .as_deref()
            .filter(|e| legacy.person_ref(e) == person_ref)
        {
            let consultations: BTreeSet<&str> = theirs.iter().map(|(c, _, _)| c.as_str()).collect();
            for consultation in consultations {
                store
                    .db
                    .add_person_alias(&store.secret.scoped_ref(consultation, email), &person_ref)
                    .await?;
            }
        }
        store.db.drop_legacy_person(&person_ref).await?;
        moved += 1;
    }
    tracing::info!(moved, "personal data moved under the personal-data secret");
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> PersonsSecret {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        PersonsSecret::from_bytes(&bytes)
    }

    #[test]
    fn one_e_mail_is_one_reference_within_one_consultation_only() {
        let s = secret();
        let a = s.scoped_ref("C1", "  Karim.Benali@Mail.MA ");
        assert_eq!(a, s.scoped_ref("C1", "karim.benali@mail.ma"));
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            a,
            s.scoped_ref("C2", "karim.benali@mail.ma"),
            "no linking across"
        );
        assert_ne!(a, s.scoped_ref("C1", "karim.benali2@mail.ma"));
        assert_ne!(a, secret().scoped_ref("C1", "karim.benali@mail.ma"));
        assert_ne!(anonymous_ref(), anonymous_ref());
    }

    #[test]
    fn the_log_key_does_not_give_the_reference() {
        let log_key = SigningKey::generate(&mut rand::rngs::OsRng);
        let legacy = LegacySecrets::derive(&log_key);
        let s = secret();
        let email = "amina@example.ma";
        assert_ne!(s.scoped_ref("C1", email), legacy.person_ref(email));
        // Nor is the secret's fingerprint any of the log key's derivations.
        assert_ne!(s.fingerprint(), hex::encode(legacy.ref_key));
    }

    #[test]
    fn secrets_are_not_printed() {
        assert_eq!(format!("{:?}", secret()), "PersonsSecret(..)");
    }
}
