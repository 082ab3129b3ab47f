//! `sijill persons-backup` and `sijill persons-restore`: the personal-data store (the
//! `persons` table) and the client tokens of public comments (`public_comment_tokens`),
//! which no export holds because they are not in the log, as one encrypted file.
//!
//! The file is `MAGIC`, a random 96-bit nonce, then ChaCha20-Poly1305 over a JSON
//! document, with `MAGIC` as associated data. Its key is derived from the personal-data
//! secret ([`crate::public_channel::persons::PersonsSecret::backup_key`]), never from a
//! log key. The names and e-mails inside are still sealed under their comments' keys,
//! wrapped under the epoch key in force when the backup was taken: once that epoch's key
//! is destroyed (two epochs later) the backup still restores the client tokens, the
//! erasures and the aliases, but no name or e-mail opens any more, an erased person's
//! included. Written with mode 0600, never over an existing file.
//!
//! A restore goes into a store that holds the log (after `sijill import`): tokens whose
//! comment is not in this log (same index, same `entry_hash`) are skipped, rows already in
//! the store win, and every person a `PersonalDataErased` entry names is written as
//! erased (none of their rows is written), then the erasure reconciliation runs over the whole log, so a backup older
//! than an erasure never brings the person's data back.

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{db_error, finish, io_error, Stop, StoreArgs};
use crate::public_channel::erasure;
use crate::public_channel::persons::{epoch_path, PersonStore, PersonsConfig, PersonsSecret};
use store::{ClientTokenRow, Db, PersonCommentRow};

/// The first bytes of a backup file, also its associated data.
const MAGIC: &[u8] = b"sijill persons backup v2\n";
const NONCE_LEN: usize = 12;

/// The decrypted content of a backup.
#[derive(Serialize, Deserialize)]
pub struct Contents {
    pub origin: String,
    /// The log's size when the backup was taken.
    pub tree_size: u64,
    /// Erased persons: `(person_ref, erased_at)`.
    pub erased: Vec<(String, String)>,
    pub comments: Vec<Comment>,
    /// `(scoped_ref, legacy_ref)`.
    pub aliases: Vec<(String, String)>,
    client_tokens: Vec<Token>,
}

/// A `person_comments` row; the byte columns in base64, exactly as stored (still sealed).
#[derive(Serialize, Deserialize)]
pub struct Comment {
    consultation: String,
    comment: u64,
    person_ref: String,
    epoch: u64,
    comment_key: Option<String>,
    name_ct: Option<String>,
    email_ct: Option<String>,
}

impl Comment {
    /// The row as stored.
    ///
    /// # Errors
    /// A field that is not base64.
    pub fn row(&self) -> Result<PersonCommentRow, Stop> {
        Ok(PersonCommentRow {
            consultation: self.consultation.clone(),
            comment: self.comment,
            person_ref: self.person_ref.clone(),
            epoch: self.epoch,
            comment_key: decode(self.comment_key.as_deref())?,
            name: decode(self.name_ct.as_deref())?,
            email: decode(self.email_ct.as_deref())?,
        })
    }
}

/// A `public_comment_tokens` row.
#[derive(Serialize, Deserialize)]
struct Token {
    consultation: String,
    client_token: String,
    request_hash: String,
    log_index: u64,
    receipt: String,
}

/// `sijill persons-backup --out FILE`.
pub async fn run_backup(store: &StoreArgs, persons: &PersonsConfig, out: &Path) -> ExitCode {
    let outcome = backup(store, persons, out)
        .await
        .map(|(persons, erased, tokens)| {
            format!(
                "backed up {persons} persons ({erased} erased) and {tokens} client tokens to {}\n",
                out.display()
            )
        });
    finish("persons-backup", outcome)
}

/// `sijill persons-restore --from FILE`.
pub async fn run_restore(store: &StoreArgs, persons: &PersonsConfig, from: &Path) -> ExitCode {
    let outcome = restore(store, persons, from).await.map(|r| {
        format!(
            "restored {} persons ({} erased by the log) and {} client tokens; {} rows were already there, {} tokens name no comment of this log\n",
            r.persons, r.erased, r.tokens, r.kept, r.skipped_tokens
        )
    });
    finish("persons-restore", outcome)
}

/// Opens the personal-data store of `db` as a server would (the secret checked against
/// the store's fingerprint, data of the earlier scheme moved first).
async fn person_store(
    store: &StoreArgs,
    db: &Db,
    persons: &PersonsConfig,
) -> Result<PersonStore, Stop> {
    let log_key = store.log_key()?;
    PersonStore::open(
        db.clone(),
        persons,
        Arc::new(crate::clock::SystemClock),
        Some(&log_key),
    )
    .await
    .map_err(Stop::Refused)
}

/// Writes the backup of `store` to `out`; returns the persons, erased persons and tokens
/// it holds.
///
/// # Errors
/// [`Stop::Refused`]: no log key, a personal-data secret that is not the store's, an
/// empty store, `out` exists, or an I/O or database error.
pub async fn backup(
    store: &StoreArgs,
    persons: &PersonsConfig,
    out: &Path,
) -> Result<(u64, u64, u64), Stop> {
    let db = store.open(false).await?;
    let origin = log_origin(&db).await?;
    let person_store = person_store(store, &db, persons).await?;
    let (state, _) = db.state().await.map_err(db_error)?;
    let erased = db.erased_persons().await.map_err(db_error)?;
    let comments = db.all_person_comments().await.map_err(db_error)?;
    let aliases = db.all_person_aliases().await.map_err(db_error)?;
    let tokens = db.all_client_tokens().await.map_err(db_error)?;
    let b64 = |b: &Option<Vec<u8>>| b.as_ref().map(|b| BASE64.encode(b));
    let people: BTreeSet<&str> = comments
        .iter()
        .map(|c| c.person_ref.as_str())
        .chain(erased.iter().map(|(p, _)| p.as_str()))
        .collect();
    let counts = (
        people.len() as u64,
        erased.len() as u64,
        tokens.len() as u64,
    );
    let contents = Contents {
        origin,
        tree_size: state.tree_size,
        erased: erased.clone(),
        comments: comments
            .iter()
            .map(|c| Comment {
                consultation: c.consultation.clone(),
                comment: c.comment,
                person_ref: c.person_ref.clone(),
                epoch: c.epoch,
                comment_key: b64(&c.comment_key),
                name_ct: b64(&c.name),
                email_ct: b64(&c.email),
            })
            .collect(),
        aliases,
        client_tokens: tokens
            .iter()
            .map(|t| Token {
                consultation: t.consultation.clone(),
                client_token: t.client_token.clone(),
                request_hash: hex::encode(t.request_hash),
                log_index: t.log_index,
                receipt: t.receipt.clone(),
            })
            .collect(),
    };
    let plaintext = serde_json::to_vec(&contents)
        .map_err(|e| Stop::Refused(format!("cannot encode the backup: {e}")))?;
    let key = Key::from(person_store.secret().backup_key());
    let sealed = seal(&key, &plaintext)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| io_error(out, e))?;
    file.write_all(&sealed)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(out, e))?;
    Ok(counts)
}

/// The content of a backup file, opened with the personal-data secret.
///
/// # Errors
/// [`Stop::Refused`]: the file cannot be read, or does not open under this secret.
pub fn read_backup(secret: &PersonsSecret, from: &Path) -> Result<Contents, Stop> {
    let sealed = std::fs::read(from).map_err(|e| io_error(from, e))?;
    let plaintext = open(&Key::from(secret.backup_key()), &sealed).ok_or_else(|| {
        Stop::Refused(format!(
            "{} does not open: not a persons backup, altered, or taken under another personal-data secret",
            from.display()
        ))
    })?;
    serde_json::from_slice(&plaintext)
        .map_err(|e| Stop::Refused(format!("{}: {e}", from.display())))
}

/// What a restore wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Restored {
    /// Person rows written.
    pub persons: u64,
    /// Of the backup's persons, those the log says are erased (written as erased).
    pub erased: u64,
    /// Token rows written.
    pub tokens: u64,
    /// Rows of the backup already in the store, left as they were.
    pub kept: u64,
    /// Tokens whose comment is not in this log.
    pub skipped_tokens: u64,
}

/// Restores the backup `from` into `store`, which must hold the log it was taken from,
/// with the personal-data secret and epoch key file the backup was taken under.
///
/// # Errors
/// [`Stop::Refused`]: no log key, a store without a log or with another origin, a missing
/// secret or epoch key file, a file that does not open under the secret, or an I/O or
/// database error. Nothing is written then.
pub async fn restore(
    store: &StoreArgs,
    persons: &PersonsConfig,
    from: &Path,
) -> Result<Restored, Stop> {
    for needed in [
        persons.secret_path.clone(),
        epoch_path(&persons.secret_path),
    ] {
        if !needed.exists() {
            return Err(Stop::Refused(format!(
                "{} is missing: a persons backup restores under the personal-data secret and epoch key file it was taken under (docs/backup-restore.md)",
                needed.display()
            )));
        }
    }
    let secret = PersonsSecret::load(&persons.secret_path).map_err(Stop::Refused)?;
    let contents = read_backup(&secret, from)?;
    let db = store.open(false).await?;
    let origin = log_origin(&db).await?;
    if contents.origin != origin {
        return Err(Stop::Refused(format!(
            "the backup is of the log {:?}, this store holds {origin:?}",
            contents.origin
        )));
    }
    let person_store = person_store(store, &db, persons).await?;
    // Who the log says is erased, and when: those persons get a marker and no row.
    let mut erased_by_log: HashMap<String, String> = HashMap::new();
    for (_, bytes) in db.erasure_entries(0).await.map_err(db_error)? {
        if let Some((person, at)) = erasure::erased_person(&bytes) {
            erased_by_log.entry(person).or_insert(at);
        }
    }
    let mut report = Restored::default();
    let mut erased: HashMap<String, String> = contents.erased.iter().cloned().collect();
    let mut people: BTreeSet<String> = erased.keys().cloned().collect();
    let mut rows = Vec::with_capacity(contents.comments.len());
    for c in &contents.comments {
        people.insert(c.person_ref.clone());
        if !erased_by_log.contains_key(&c.person_ref) && !erased.contains_key(&c.person_ref) {
            rows.push(c.row()?);
        }
    }
    for person in &people {
        if let Some(at) = erased_by_log.get(person) {
            report.erased += 1;
            erased.entry(person.clone()).or_insert_with(|| at.clone());
        }
    }
    report.persons = people.len() as u64;
    let erased: Vec<(String, String)> = erased.into_iter().collect();
    let tokens = tokens_of_this_log(&db, contents.client_tokens).await?;
    report.skipped_tokens = tokens.1;
    let (written_rows, written_tokens) = db
        .restore_public_channel(&erased, &rows, &contents.aliases, &tokens.0)
        .await
        .map_err(db_error)?;
    report.tokens = written_tokens;
    report.kept = (rows.len() as u64 - written_rows) + (tokens.0.len() as u64 - written_tokens);
    // And the erasure module's own pass over the whole log, as at a server's start-up, for
    // rows that were in the store before; then the rows are brought to the current epoch.
    erasure::reconcile(&db, &person_store, 0)
        .await
        .map_err(db_error)?;
    person_store.rotate().await.map_err(Stop::Refused)?;
    Ok(report)
}

/// The tokens whose comment is in this store's log (same index and `entry_hash` as the
/// receipt says), and how many are not.
async fn tokens_of_this_log(
    db: &Db,
    tokens: Vec<Token>,
) -> Result<(Vec<ClientTokenRow>, u64), Stop> {
    let indexes: Vec<u64> = tokens.iter().map(|t| t.log_index).collect();
    let hashes = db.entry_hashes(&indexes).await.map_err(db_error)?;
    let mut kept = Vec::with_capacity(tokens.len());
    let mut skipped = 0;
    for t in tokens {
        let receipt_hash = serde_json::from_str::<Value>(&t.receipt)
            .ok()
            .and_then(|r| r.get("entry_hash")?.as_str().map(str::to_owned));
        let in_log = hashes.get(&t.log_index).map(hex::encode);
        let request_hash = hex::decode(&t.request_hash)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok());
        match (receipt_hash, in_log, request_hash) {
            (Some(r), Some(l), Some(request_hash)) if r == l => kept.push(ClientTokenRow {
                consultation: t.consultation,
                client_token: t.client_token,
                request_hash,
                log_index: t.log_index,
                receipt: t.receipt,
            }),
            _ => skipped += 1,
        }
    }
    Ok((kept, skipped))
}

/// The store's origin; a store without a log has nothing to back up or restore into.
async fn log_origin(db: &Db) -> Result<String, Stop> {
    let (state, _) = db.state().await.map_err(db_error)?;
    match state.origin {
        Some(origin) if state.tree_size > 0 => Ok(origin),
        _ => Err(Stop::Refused(
            "the store holds no log: run `sijill import` (or serve it) first".into(),
        )),
    }
}

fn decode(field: Option<&str>) -> Result<Option<Vec<u8>>, Stop> {
    field
        .map(|b| {
            BASE64
                .decode(b)
                .map_err(|e| Stop::Refused(format!("a person's field is not base64: {e}")))
        })
        .transpose()
}

/// MAGIC || nonce || ciphertext-and-tag.
fn seal(key: &Key, plaintext: &[u8]) -> Result<Vec<u8>, Stop> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let ciphertext = ChaCha20Poly1305::new(key)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: MAGIC,
            },
        )
        .map_err(|_| Stop::Refused("cannot encrypt the backup".into()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

/// The plaintext of a sealed backup, or `None` when it is not one or does not open.
fn open(key: &Key, sealed: &[u8]) -> Option<Vec<u8>> {
    let rest = sealed.strip_prefix(MAGIC)?;
    if rest.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    ChaCha20Poly1305::new(key)
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: MAGIC,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> Key {
        Key::from(PersonsSecret::from_bytes(&[seed; 32]).backup_key())
    }

    #[test]
    fn a_backup_opens_under_its_secret_only() {
        let sealed = seal(&key(1), b"{\"persons\":[]}").unwrap();
        assert_eq!(
            open(&key(1), &sealed).as_deref(),
            Some(&b"{\"persons\":[]}"[..])
        );
        assert_eq!(open(&key(2), &sealed), None, "another secret");
    }

    #[test]
    fn an_altered_or_truncated_backup_does_not_open() {
        let sealed = seal(&key(1), b"some persons").unwrap();
        for i in [0, MAGIC.len(), MAGIC.len() + NONCE_LEN, sealed.len() - 1] {
            let mut altered = sealed.clone();
            altered[i] ^= 1;
            assert_eq!(open(&key(1), &altered), None, "byte {i} flipped");
        }
        assert_eq!(open(&key(1), &sealed[..MAGIC.len() + 5]), None);
    }
}
