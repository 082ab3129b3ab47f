//! `sijill persons-backup` and `sijill persons-restore`: the personal-data store (the
//! `persons` table) and the client tokens of public comments (`public_comment_tokens`),
//! which no export holds because they are not in the log, as one encrypted file.
//!
//! The file is `MAGIC`, a random 96-bit nonce, then ChaCha20-Poly1305 over a JSON
//! document, with `MAGIC` as associated data. Its key is SHA-256(label || the log's
//! private key), derived like the personal-data store's own keys
//! ([`crate::public_channel::persons`]): whoever can open the backup could already open
//! the store, and no new secret needs keeping. The persons' names and e-mails inside are
//! still sealed under their per-person keys, wrapped under the store's wrapping key; the
//! file adds a second, authenticated layer over everything, tokens and erasure dates
//! included. Written with mode 0600, never over an existing file.
//!
//! A restore goes into a store that holds the log (after `sijill import`): tokens whose
//! comment is not in this log (same index, same `entry_hash`) are skipped, rows already in
//! the store win, and every person a `PersonalDataErased` entry names is written as
//! erased, then the erasure reconciliation runs over the whole log, so a backup older
//! than an erasure never brings the person's data back.

use std::collections::HashMap;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::SigningKey;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{db_error, finish, io_error, Stop, StoreArgs};
use crate::public_channel::erasure;
use crate::public_channel::persons::{PersonSecrets, PersonStore};
use crate::store::{ClientTokenRow, Db, PersonRow};

/// The first bytes of a backup file, also its associated data.
const MAGIC: &[u8] = b"sijill persons backup v1\n";
/// The label of the backup key: a key derived for another purpose never opens a backup.
const BACKUP_KEY_LABEL: &[u8] = b"sijill-persons-backup-v1";
const NONCE_LEN: usize = 12;

/// The decrypted content of a backup.
#[derive(Serialize, Deserialize)]
struct Contents {
    origin: String,
    /// The log's size when the backup was taken.
    tree_size: u64,
    persons: Vec<Person>,
    client_tokens: Vec<Token>,
}

/// A `persons` row; the byte columns in base64, exactly as stored (still sealed).
#[derive(Serialize, Deserialize)]
struct Person {
    person_ref: String,
    person_key: Option<String>,
    name_ct: Option<String>,
    email_ct: Option<String>,
    erased_at: Option<String>,
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
pub async fn run_backup(store: &StoreArgs, out: &Path) -> ExitCode {
    let outcome = backup(store, out).await.map(|(persons, erased, tokens)| {
        format!(
            "backed up {persons} persons ({erased} erased) and {tokens} client tokens to {}\n",
            out.display()
        )
    });
    finish("persons-backup", outcome)
}

/// `sijill persons-restore --from FILE`.
pub async fn run_restore(store: &StoreArgs, from: &Path) -> ExitCode {
    let outcome = restore(store, from).await.map(|r| {
        format!(
            "restored {} persons ({} erased by the log) and {} client tokens; {} rows were already there, {} tokens name no comment of this log\n",
            r.persons, r.erased, r.tokens, r.kept, r.skipped_tokens
        )
    });
    finish("persons-restore", outcome)
}

/// Writes the backup of `store` to `out`; returns the persons, erased persons and tokens
/// it holds.
///
/// # Errors
/// [`Stop::Refused`]: no log key, an empty store, `out` exists, or an I/O or database
/// error.
pub async fn backup(store: &StoreArgs, out: &Path) -> Result<(u64, u64, u64), Stop> {
    let log_key = store.log_key()?;
    let db = store.open(false).await?;
    let origin = log_origin(&db).await?;
    let (state, _) = db.state().await.map_err(db_error)?;
    let persons = db.all_persons().await.map_err(db_error)?;
    let tokens = db.all_client_tokens().await.map_err(db_error)?;
    let b64 = |b: &Option<Vec<u8>>| b.as_ref().map(|b| BASE64.encode(b));
    let erased = persons
        .iter()
        .filter(|(_, p)| p.erased_at.is_some())
        .count() as u64;
    let contents = Contents {
        origin,
        tree_size: state.tree_size,
        persons: persons
            .iter()
            .map(|(person_ref, p)| Person {
                person_ref: person_ref.clone(),
                person_key: b64(&p.wrapped_key),
                name_ct: b64(&p.name),
                email_ct: b64(&p.email),
                erased_at: p.erased_at.clone(),
            })
            .collect(),
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
    let sealed = seal(&backup_key(&log_key), &plaintext)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| io_error(out, e))?;
    file.write_all(&sealed)
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(out, e))?;
    Ok((persons.len() as u64, erased, tokens.len() as u64))
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

/// Restores the backup `from` into `store`, which must hold the log it was taken from.
///
/// # Errors
/// [`Stop::Refused`]: no log key, a store without a log or with another origin, a file
/// that does not open under this log key, or an I/O or database error. Nothing is written
/// then.
pub async fn restore(store: &StoreArgs, from: &Path) -> Result<Restored, Stop> {
    let log_key = store.log_key()?;
    let db = store.open(false).await?;
    let origin = log_origin(&db).await?;
    let sealed = std::fs::read(from).map_err(|e| io_error(from, e))?;
    let plaintext = open(&backup_key(&log_key), &sealed).ok_or_else(|| {
        Stop::Refused(format!(
            "{} does not open: not a persons backup, altered, or taken under another log key",
            from.display()
        ))
    })?;
    let contents: Contents = serde_json::from_slice(&plaintext)
        .map_err(|e| Stop::Refused(format!("{}: {e}", from.display())))?;
    if contents.origin != origin {
        return Err(Stop::Refused(format!(
            "the backup is of the log {:?}, this store holds {origin:?}",
            contents.origin
        )));
    }
    // Who the log says is erased, and when: those rows are written erased.
    let mut erased_by_log: HashMap<String, String> = HashMap::new();
    for (_, bytes) in db.erasure_entries(0).await.map_err(db_error)? {
        if let Some((person, at)) = erasure::erased_person(&bytes) {
            erased_by_log.entry(person).or_insert(at);
        }
    }
    let mut report = Restored::default();
    let mut persons = Vec::with_capacity(contents.persons.len());
    for p in contents.persons {
        let row = match erased_by_log.get(&p.person_ref) {
            Some(at) => {
                report.erased += 1;
                PersonRow {
                    erased_at: Some(p.erased_at.unwrap_or_else(|| at.clone())),
                    ..PersonRow::default()
                }
            }
            None => PersonRow {
                wrapped_key: decode(p.person_key.as_deref())?,
                name: decode(p.name_ct.as_deref())?,
                email: decode(p.email_ct.as_deref())?,
                erased_at: p.erased_at,
            },
        };
        persons.push((p.person_ref, row));
    }
    let tokens = tokens_of_this_log(&db, contents.client_tokens).await?;
    report.skipped_tokens = tokens.1;
    let (written_persons, written_tokens) = db
        .restore_public_channel(&persons, &tokens.0)
        .await
        .map_err(db_error)?;
    report.persons = written_persons;
    report.tokens = written_tokens;
    report.kept =
        (persons.len() as u64 - written_persons) + (tokens.0.len() as u64 - written_tokens);
    // And the erasure module's own pass over the whole log, as at a server's start-up, for
    // rows that were in the store before.
    let person_store = PersonStore::new(db.clone(), PersonSecrets::derive(&log_key));
    erasure::reconcile(&db, &person_store, 0)
        .await
        .map_err(db_error)?;
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

/// SHA-256(label || the log's private key).
fn backup_key(log_key: &SigningKey) -> Key {
    let mut h = Sha256::new();
    h.update(BACKUP_KEY_LABEL);
    h.update(log_key.to_bytes());
    Key::from(<[u8; 32]>::from(h.finalize()))
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
        backup_key(&SigningKey::from_bytes(&[seed; 32]))
    }

    #[test]
    fn a_backup_opens_under_its_log_key_only() {
        let sealed = seal(&key(1), b"{\"persons\":[]}").unwrap();
        assert_eq!(
            open(&key(1), &sealed).as_deref(),
            Some(&b"{\"persons\":[]}"[..])
        );
        assert_eq!(open(&key(2), &sealed), None, "another log key");
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
