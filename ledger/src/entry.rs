//! Log entries: their canonical bytes, log signature and hash.

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde_json::Value;

use crate::hash::Hash;
use crate::statement::Auth;
use crate::timestamp::Timestamp;

/// Largest canonical entry.
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// Why an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Too large.
    #[error("entry too large")]
    TooLarge,
}

/// An entry before signing.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Log index.
    pub index: u64,
    /// Stream name.
    pub stream: String,
    /// Position in the stream.
    pub seq: u64,
    /// JSON `type`.
    pub event_type: String,
    /// Schema version.
    pub version: String,
    /// Recording time.
    pub recorded_at: Timestamp,
    /// Payload.
    pub data: Value,
    /// Signed statement.
    pub auth: Option<Auth>,
    /// Index of the entry carrying `auth`.
    pub auth_at: Option<u64>,
    /// Previous entry hash of the stream.
    pub prev: Hash,
}

impl Entry {
    /// JSON without `sig`.
    pub fn to_unsigned_value(&self) -> Value {
        todo!()
    }
    /// canonical(entry without sig).
    ///
    /// # Errors
    /// Numbers outside the rules.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, EntryError> {
        todo!()
    }
    /// Signs with the log key.
    ///
    /// # Errors
    /// [`EntryError::TooLarge`].
    pub fn sign(self, log_key: &SigningKey) -> Result<SignedEntry, EntryError> {
        todo!()
    }
}

/// A signed entry with its exact bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedEntry {
    /// Fields.
    pub entry: Entry,
    /// Log signature.
    pub sig: Signature,
    /// canonical(entry) with sig.
    pub bytes: Vec<u8>,
    /// entry_hash.
    pub hash: Hash,
}

impl SignedEntry {
    /// Parses canonical bytes.
    ///
    /// # Errors
    /// Anything malformed.
    pub fn parse(bytes: &[u8]) -> Result<Self, EntryError> {
        todo!()
    }
    /// Strict check of the log signature.
    ///
    /// # Errors
    /// Bad signature.
    pub fn verify(&self, log_key: &VerifyingKey) -> Result<(), EntryError> {
        todo!()
    }
    /// Merkle leaf hash.
    pub fn leaf_hash(&self) -> Hash {
        todo!()
    }
}

/// SHA-256 of an entry's canonical bytes.
pub fn entry_hash(canonical_bytes: &[u8]) -> Hash {
    todo!()
}
