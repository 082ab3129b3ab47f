//! C2SP tlog-cosignature v1 with Ed25519 (<https://c2sp.org/tlog-cosignature>, the
//! Ed25519 part, unchanged since `tlog-cosignature/v1.0.0`): a witness's statement that a
//! checkpoint is the largest consistent tree head it has seen for that log, at a time.
//!
//! A cosignature is a signed-note signature line `— <cosigner name>
//! base64(key ID || timestamp || signature)` added to the checkpoint note, where
//! - the key ID is SHA-256(name || 0x0A || 0x04 || public key)[:4] (type byte 0x04, so a
//!   cosignature is never mistaken for a plain note signature by the same key),
//! - the timestamp is 8 bytes, big-endian, POSIX seconds, at most 2^63 - 1,
//! - the Ed25519 signature covers `"cosignature/v1\ntime <timestamp>\n"` followed by the
//!   checkpoint's note text (body lines only, final newline included).
//!
//! A verifier knows each cosigner as a verifier key string `<name>+<hex key ID>+
//! base64(0x04 || public key)` ([`CosignerKey`]) and ignores lines of cosigners it does
//! not know, as signed-note asks. [`open_cosigned`] opens a checkpoint with the log's keys
//! and counts the valid cosignatures of known witnesses; a quorum is a count of distinct
//! witnesses.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::sha256;
use crate::note::{
    check_key_name, format_key_string, parse_key_string, parse_signature_line, split_note,
    KeyStringError, NoteError, VerifierKey, KEY_ID_LEN, SIGNATURE_LINE_PREFIX,
};

/// Signature type byte of Ed25519 cosignatures (v1) in key IDs and verifier keys.
pub const ALG_COSIGNATURE_V1: u8 = 0x04;
/// The header line that separates cosigned messages from every other Ed25519 message.
pub const COSIGNATURE_HEADER: &str = "cosignature/v1\n";
/// The largest timestamp the specification allows (2^63 - 1).
pub const MAX_TIMESTAMP: u64 = i64::MAX as u64;
/// Bytes after the key ID in a cosignature line: 8-byte timestamp and 64-byte signature.
pub const TIMESTAMPED_SIGNATURE_LEN: usize = 8 + Signature::BYTE_SIZE;

/// Why a cosignature, a cosigner key or a cosigned checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    /// A cosigner verifier key string is not `name+hexid+base64(0x04||key)`.
    #[error("malformed witness key")]
    MalformedKey,
    /// A cosigner verifier key's ID is not the one its name and key give.
    #[error("witness key ID does not match its name and key")]
    KeyIdMismatch,
    /// A signature line is not a cosignature (wrong length, bad base64, bad name).
    #[error("malformed cosignature line")]
    MalformedLine,
    /// The timestamp exceeds 2^63 - 1.
    #[error("cosignature timestamp out of range")]
    TimestampOutOfRange,
    /// A line from a known cosigner does not verify.
    #[error("invalid cosignature by {0}")]
    BadCosignature(String),
    /// Fewer valid cosignatures by distinct trusted witnesses than the quorum asks.
    #[error("{valid} valid witness cosignatures, {needed} required")]
    QuorumNotMet {
        /// Distinct trusted witnesses whose cosignature verified.
        valid: usize,
        /// The quorum.
        needed: usize,
    },
    /// The note itself was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The checkpoint (log signature, body) was refused.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// The tlog-cosignature key ID: SHA-256(name || 0x0A || 0x04 || key)[:4].
pub fn cosigner_key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 2 + 32);
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(ALG_COSIGNATURE_V1);
    input.extend_from_slice(key.as_bytes());
    let digest = sha256(&input);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The message an Ed25519 cosigner signs: header line, time line, then the checkpoint's
/// note text.
pub fn signed_message(body: &str, timestamp: u64) -> Vec<u8> {
    format!("{COSIGNATURE_HEADER}time {timestamp}\n{body}").into_bytes()
}

/// A witness's public identity: name, cosignature key ID, Ed25519 key.
///
/// `Display` writes the verifier key string `<name>+<hex key ID>+base64(0x04 || key)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignerKey {
    /// The cosigner's name (a schema-less URL, by convention).
    pub name: String,
    /// Key ID, derived from the name and key with type byte 0x04.
    pub id: [u8; 4],
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl CosignerKey {
    /// The verifier key of `key` under `name`.
    pub fn new(name: &str, key: VerifyingKey) -> Self {
        CosignerKey {
            name: name.to_owned(),
            id: cosigner_key_id(name, &key),
            key,
        }
    }

    /// Parses `<name>+<hex key ID>+base64(0x04 || 32-byte key)`.
    ///
    /// # Errors
    /// [`CosignatureError::Note`] with an invalid key name, [`CosignatureError::MalformedKey`]
    /// for anything else out of shape (including a type byte other than 0x04, so a log's
    /// note key cannot be passed for a witness's), [`CosignatureError::KeyIdMismatch`].
    pub fn parse(s: &str) -> Result<Self, CosignatureError> {
        let (name, id, key) = parse_key_string(s, ALG_COSIGNATURE_V1).map_err(|e| match e {
            KeyStringError::Name(e) => CosignatureError::Note(e),
            KeyStringError::Malformed => CosignatureError::MalformedKey,
        })?;
        if cosigner_key_id(name, &key) != id {
            return Err(CosignatureError::KeyIdMismatch);
        }
        Ok(CosignerKey {
            name: name.to_owned(),
            id,
            key,
        })
    }
}

impl fmt::Display for CosignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_key_string(f, &self.name, &self.id, ALG_COSIGNATURE_V1, &self.key)
    }
}

/// A witness's signing key under its name. Its `Debug` shows the name only.
pub struct Cosigner {
    name: String,
    key: SigningKey,
}

impl Cosigner {
    /// A cosigner signing as `name`.
    ///
    /// # Errors
    /// [`CosignatureError::Note`] for a name that is not a valid key name.
    pub fn new(name: &str, key: SigningKey) -> Result<Self, CosignatureError> {
        check_key_name(name)?;
        Ok(Cosigner {
            name: name.to_owned(),
            key,
        })
    }

    /// The cosigner's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key of this cosigner.
    pub fn verifier(&self) -> CosignerKey {
        CosignerKey::new(&self.name, self.key.verifying_key())
    }

    /// Cosigns a checkpoint's note text at `timestamp` (POSIX seconds).
    ///
    /// # Errors
    /// [`CosignatureError::TimestampOutOfRange`] beyond 2^63 - 1.
    pub fn cosign(&self, body: &str, timestamp: u64) -> Result<Cosignature, CosignatureError> {
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange);
        }
        let signature = self.key.sign(&signed_message(body, timestamp));
        Ok(Cosignature {
            name: self.name.clone(),
            id: cosigner_key_id(&self.name, &self.key.verifying_key()),
            timestamp,
            signature: signature.to_bytes(),
        })
    }
}

impl fmt::Debug for Cosigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the private key.
        f.debug_struct("Cosigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// One cosignature, as carried by a note signature line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    /// The cosigner's name.
    pub name: String,
    /// The cosigner's key ID (type byte 0x04).
    pub id: [u8; 4],
    /// When it was made, POSIX seconds.
    pub timestamp: u64,
    /// The Ed25519 signature over [`signed_message`].
    pub signature: [u8; 64],
}

impl Cosignature {
    /// Reads a signature line (without its final newline) as a cosignature. Whether it is
    /// one is only known from its key: call this on lines whose name and ID match a
    /// [`CosignerKey`].
    ///
    /// # Errors
    /// [`CosignatureError::MalformedLine`] for a line out of shape or of the wrong length,
    /// [`CosignatureError::TimestampOutOfRange`].
    pub fn parse_line(line: &str) -> Result<Self, CosignatureError> {
        let (name, id, rest) =
            parse_signature_line(line).map_err(|_| CosignatureError::MalformedLine)?;
        if rest.len() != TIMESTAMPED_SIGNATURE_LEN {
            return Err(CosignatureError::MalformedLine);
        }
        let (time, signature) = rest.split_at(8);
        let timestamp = u64::from_be_bytes(
            time.try_into()
                .map_err(|_| CosignatureError::MalformedLine)?,
        );
        if timestamp > MAX_TIMESTAMP {
            return Err(CosignatureError::TimestampOutOfRange);
        }
        Ok(Cosignature {
            name: name.to_owned(),
            id,
            timestamp,
            signature: signature
                .try_into()
                .map_err(|_| CosignatureError::MalformedLine)?,
        })
    }

    /// The signature line, without a final newline.
    pub fn to_line(&self) -> String {
        let mut blob = Vec::with_capacity(KEY_ID_LEN + TIMESTAMPED_SIGNATURE_LEN);
        blob.extend_from_slice(&self.id);
        blob.extend_from_slice(&self.timestamp.to_be_bytes());
        blob.extend_from_slice(&self.signature);
        format!(
            "{SIGNATURE_LINE_PREFIX}{} {}",
            self.name,
            BASE64.encode(blob)
        )
    }

    /// Whether this cosignature is `key`'s over the checkpoint note text `body`.
    ///
    /// # Errors
    /// [`CosignatureError::BadCosignature`] when the name or ID is not `key`'s or the
    /// signature does not verify (strict Ed25519).
    pub fn verify(&self, key: &CosignerKey, body: &str) -> Result<(), CosignatureError> {
        let bad = || CosignatureError::BadCosignature(self.name.clone());
        if self.name != key.name || self.id != key.id {
            return Err(bad());
        }
        key.key
            .verify_strict(
                &signed_message(body, self.timestamp),
                &Signature::from_bytes(&self.signature),
            )
            .map_err(|_| bad())
    }
}

/// A checkpoint opened with the log's keys, and the trusted witnesses that cosigned it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// Each trusted witness whose cosignature verified (once, in line order), with the
    /// cosignature's timestamp.
    pub witnesses: Vec<(CosignerKey, u64)>,
}

impl Cosigned {
    /// Requires at least `quorum` distinct trusted witnesses.
    ///
    /// # Errors
    /// [`CosignatureError::QuorumNotMet`].
    pub fn require(&self, quorum: usize) -> Result<(), CosignatureError> {
        if self.witnesses.len() < quorum {
            return Err(CosignatureError::QuorumNotMet {
                valid: self.witnesses.len(),
                needed: quorum,
            });
        }
        Ok(())
    }
}

/// Opens a checkpoint note: the log's signature as [`Checkpoint::open`] checks it, then
/// every line whose name and key ID are a trusted witness's must be a valid cosignature of
/// the note text. Lines of unknown keys are ignored (signed-note).
///
/// # Errors
/// Checkpoint errors; [`CosignatureError::MalformedLine`] or
/// [`CosignatureError::BadCosignature`] for a trusted witness's line that is not a valid
/// cosignature.
pub fn open_cosigned(
    note: &str,
    log_keys: &[VerifierKey],
    witnesses: &[CosignerKey],
) -> Result<Cosigned, CosignatureError> {
    let checkpoint = Checkpoint::open(note, log_keys)?;
    let (text, lines) = split_note(note)?;
    let mut verified: Vec<(CosignerKey, u64)> = Vec::new();
    for line in lines {
        let (name, id, _) = parse_signature_line(line)?;
        let Some(key) = witnesses.iter().find(|w| w.name == name && w.id == id) else {
            continue;
        };
        let cosignature = Cosignature::parse_line(line)?;
        cosignature.verify(key, text)?;
        if !verified.iter().any(|(k, _)| k == key) {
            verified.push((key.clone(), cosignature.timestamp));
        }
    }
    Ok(Cosigned {
        checkpoint,
        witnesses: verified,
    })
}

/// Adds signature lines (each without its newline) to a note, after the ones it has,
/// skipping lines it already holds. The log's own signature thus stays first.
///
/// # Errors
/// Note errors when `note` is not a note.
pub fn append_signature_lines(note: &str, lines: &[String]) -> Result<String, NoteError> {
    let (_, existing) = split_note(note)?;
    let mut out = note.to_owned();
    for line in lines {
        if !existing.contains(&line.as_str()) && !out.contains(&format!("\n{line}\n")) {
            out.push_str(line);
            out.push('\n');
        }
    }
    split_note(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
