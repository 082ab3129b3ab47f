//! The erasable store of personal data (law 09-08): a public commenter's name and e-mail
//! never enter the ledger; the log carries an opaque person reference, and the data sits
//! in the `persons` table encrypted under a random key of that person alone, so that
//! destroying one key erases one person (docs/public-channel.md).
//!
//! Two secrets, both derived from the log's private key rather than kept in a new file,
//! because every process serving one PostgreSQL database already holds the same log key
//! (a process whose key differs refuses to start):
//! - the reference key: the person reference of a comment that gives an e-mail is
//!   HMAC-SHA256(reference key, normalized e-mail), so one person's comments count as one
//!   participant without the e-mail ever being written down in the clear;
//! - the wrapping key: each per-person key is stored encrypted under it, so a copy of the
//!   database alone (a backup, a dump) does not reveal names.
//!
//! ChaCha20-Poly1305 with a random 96-bit nonce per message: an AEAD, so a ciphertext that
//! was altered or moved to another row or field fails to open rather than decrypting to
//! garbage (each is bound to its person reference and field as associated data). Each key
//! encrypts a handful of messages, far below where random nonces could collide.

use std::collections::HashMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use ed25519_dalek::SigningKey;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::store::{Db, PersonRow};

const NONCE_LEN: usize = 12;
/// Labels of the derived secrets and of the encrypted fields: a key or ciphertext made for
/// one purpose never opens for another.
const REF_KEY_LABEL: &[u8] = b"sijill-person-ref-v1";
const WRAP_KEY_LABEL: &[u8] = b"sijill-person-store-v1";
const AAD_PREFIX: &str = "sijill-person-v1";

/// The two secrets of the store. Its `Debug` shows nothing: a secret is never logged.
#[derive(Clone)]
pub struct PersonSecrets {
    ref_key: [u8; 32],
    wrap_key: [u8; 32],
}

impl std::fmt::Debug for PersonSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonSecrets(..)")
    }
}

impl PersonSecrets {
    /// Derives both secrets from the log's private key: SHA-256(label || key bytes).
    pub fn derive(log_key: &SigningKey) -> Self {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(label);
            h.update(log_key.to_bytes());
            h.finalize().into()
        };
        Self {
            ref_key: derive(REF_KEY_LABEL),
            wrap_key: derive(WRAP_KEY_LABEL),
        }
    }

    /// The person reference of a comment: a keyed hash of the normalized e-mail when one
    /// is given (the same person, the same reference), 32 random bytes otherwise. Both are
    /// 64 hex characters, so a reference does not tell which kind it is.
    pub fn person_ref(&self, email: Option<&str>) -> String {
        match email {
            Some(email) => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.ref_key)
                    .expect("HMAC takes a key of any length");
                mac.update(b"email\n");
                mac.update(normalize_email(email).as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            None => {
                let mut bytes = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut bytes);
                hex::encode(bytes)
            }
        }
    }

    /// Encrypts a person's data under a fresh per-person key, itself wrapped.
    pub fn seal(&self, person_ref: &str, name: Option<&str>, email: Option<&str>) -> PersonRow {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let key = Key::from(key);
        PersonRow {
            wrapped_key: Some(seal(
                &Key::from(self.wrap_key),
                &aad(person_ref, "key"),
                &key,
            )),
            name: name.map(|n| seal(&key, &aad(person_ref, "name"), n.as_bytes())),
            email: email.map(|e| seal(&key, &aad(person_ref, "email"), e.as_bytes())),
            erased_at: None,
        }
    }

    /// The name in a stored row, while its key exists. `None` when erased, when no name
    /// was given, or when the row does not open (altered, or sealed under another log key).
    pub fn open_name(&self, person_ref: &str, row: &PersonRow) -> Option<String> {
        let key = self.unwrap_key(person_ref, row)?;
        let name = open(&key, &aad(person_ref, "name"), row.name.as_deref()?)?;
        String::from_utf8(name).ok()
    }

    /// The e-mail in a stored row, while its key exists. Never published: kept for the
    /// store's own tests and for a future duty to answer the person.
    pub fn open_email(&self, person_ref: &str, row: &PersonRow) -> Option<String> {
        let key = self.unwrap_key(person_ref, row)?;
        let email = open(&key, &aad(person_ref, "email"), row.email.as_deref()?)?;
        String::from_utf8(email).ok()
    }

    fn unwrap_key(&self, person_ref: &str, row: &PersonRow) -> Option<Key> {
        let key = open(
            &Key::from(self.wrap_key),
            &aad(person_ref, "key"),
            row.wrapped_key.as_deref()?,
        )?;
        (key.len() == 32).then(|| *Key::from_slice(&key))
    }
}

/// The e-mail as it is compared: trimmed and lowercased (the local part is
/// case-insensitive in practice, and people type addresses both ways).
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn aad(person_ref: &str, field: &str) -> Vec<u8> {
    format!("{AAD_PREFIX}\n{field}\n{person_ref}").into_bytes()
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

/// The store API: what the server and the read models use. Names are shown only while the
/// person's key exists; read models must look them up here when they answer, never copy
/// them into their own rows (an erasure could not reach a copy).
#[derive(Clone, Debug)]
pub struct PersonStore {
    db: Db,
    secrets: PersonSecrets,
}

impl PersonStore {
    pub fn new(db: Db, secrets: PersonSecrets) -> Self {
        Self { db, secrets }
    }

    pub fn secrets(&self) -> &PersonSecrets {
        &self.secrets
    }

    /// Stores a commenter's name and e-mail under a fresh per-person key. Nothing is
    /// stored when neither is given, nor for a person already erased.
    ///
    /// # Errors
    /// Any database error.
    pub async fn remember(
        &self,
        person_ref: &str,
        name: Option<&str>,
        email: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        if name.is_none() && email.is_none() {
            return Ok(());
        }
        let email = email.map(normalize_email);
        let row = self.secrets.seal(person_ref, name, email.as_deref());
        self.db.remember_person(person_ref, &row).await
    }

    /// A person's name, while their key exists.
    ///
    /// # Errors
    /// Any database error.
    pub async fn name(&self, person_ref: &str) -> Result<Option<String>, sqlx::Error> {
        Ok(self
            .db
            .person(person_ref)
            .await?
            .and_then(|row| self.secrets.open_name(person_ref, &row)))
    }

    /// The names of these persons that are still known, by reference (one query, for a
    /// page of comments).
    ///
    /// # Errors
    /// Any database error.
    pub async fn names(&self, refs: &[String]) -> Result<HashMap<String, String>, sqlx::Error> {
        let rows = self.db.persons(refs).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(r, row)| self.secrets.open_name(&r, &row).map(|name| (r, name)))
            .collect())
    }

    /// Destroys a person's key and ciphertexts (idempotent). `at` is the `recorded_at` of
    /// the `PersonalDataErased` entry.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erase(&self, person_ref: &str, at: &str) -> Result<(), sqlx::Error> {
        self.db.erase_person(person_ref, at).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> PersonSecrets {
        PersonSecrets::derive(&SigningKey::generate(&mut rand::rngs::OsRng))
    }

    #[test]
    fn a_sealed_row_opens_with_its_key() {
        let s = secrets();
        let r = s.person_ref(Some("Amina@Example.ma"));
        let row = s.seal(&r, Some("Amina El Idrissi"), Some("amina@example.ma"));
        assert_eq!(s.open_name(&r, &row).as_deref(), Some("Amina El Idrissi"));
        assert_eq!(s.open_email(&r, &row).as_deref(), Some("amina@example.ma"));
        // Nothing of the plain text shows in what is stored.
        for part in [&row.name, &row.email] {
            let bytes = part.as_deref().unwrap();
            assert!(!bytes.windows(5).any(|w| w == b"Amina" || w == b"amina"));
        }
        let anonymous = s.seal(&r, None, Some("amina@example.ma"));
        assert_eq!(s.open_name(&r, &anonymous), None);
    }

    #[test]
    fn another_key_or_another_row_does_not_open() {
        let (s, other) = (secrets(), secrets());
        let r = s.person_ref(None);
        let row = s.seal(&r, Some("نادية"), None);
        assert_eq!(s.open_name(&r, &row).as_deref(), Some("نادية"));
        // Another log key's wrapping key.
        assert_eq!(other.open_name(&r, &row), None);
        // The same ciphertext moved to another person's row.
        assert_eq!(s.open_name(&s.person_ref(None), &row), None);
        // Moved to another field: a name does not open as an e-mail.
        let swapped = PersonRow {
            email: row.name.clone(),
            ..row.clone()
        };
        assert_eq!(s.open_email(&r, &swapped), None);
        // Altered by one bit.
        let mut altered = row.clone();
        if let Some(name) = altered.name.as_mut() {
            let last = name.len() - 1;
            name[last] ^= 1;
        }
        assert_eq!(s.open_name(&r, &altered), None);
        // Erased: no key.
        let erased = PersonRow {
            wrapped_key: None,
            ..row
        };
        assert_eq!(s.open_name(&r, &erased), None);
    }

    #[test]
    fn one_e_mail_is_one_reference_under_one_log_key() {
        let s = secrets();
        let a = s.person_ref(Some("  Karim.Benali@Mail.MA "));
        assert_eq!(a, s.person_ref(Some("karim.benali@mail.ma")));
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, s.person_ref(Some("karim.benali2@mail.ma")));
        assert!(!a.contains("karim"));
        // Without an e-mail, every comment is its own participant.
        assert_ne!(s.person_ref(None), s.person_ref(None));
        // The same log key gives the same reference in every process.
        let key = SigningKey::generate(&mut rand::rngs::OsRng);
        assert_eq!(
            PersonSecrets::derive(&key).person_ref(Some("x@y.ma")),
            PersonSecrets::derive(&key).person_ref(Some("x@y.ma"))
        );
        assert_ne!(a, secrets().person_ref(Some("karim.benali@mail.ma")));
    }

    #[test]
    fn secrets_are_not_printed() {
        assert_eq!(format!("{:?}", secrets()), "PersonSecrets(..)");
    }
}
