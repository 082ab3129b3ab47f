//! Actors' signed statements (`auth` objects of `ledger-format.md`).

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use serde_json::Value;

use crate::hash::Hash;
use crate::timestamp::Timestamp;

/// Largest canonical statement accepted.
pub const MAX_STATEMENT_BYTES: usize = 32 * 1024;
/// Longest nonce, in characters.
pub const MAX_NONCE_CHARS: usize = 64;
/// Largest distance between `issued_at` and `recorded_at`.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// Why a statement or `auth` object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// Malformed.
    #[error("malformed statement: {0}")]
    Malformed(String),
}

/// What an actor signs.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The log's origin.
    pub origin: String,
    /// Command name.
    pub command: String,
    /// Target stream.
    pub stream: String,
    /// Command body (an object).
    pub body: Value,
    /// Time as signed.
    pub issued_at: String,
    /// Client-chosen nonce.
    pub nonce: String,
}

impl Statement {
    /// Reads a statement.
    ///
    /// # Errors
    /// Malformed statements.
    pub fn from_value(v: &Value) -> Result<Self, StatementError> {
        todo!()
    }
    /// The statement as JSON.
    pub fn to_value(&self) -> Value {
        todo!()
    }
    /// canonical(statement).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        todo!()
    }
    /// Parsed `issued_at`.
    pub fn issued_at(&self) -> Timestamp {
        todo!()
    }
}

/// A statement with its actor and signature.
#[derive(Clone, Debug, PartialEq)]
pub struct Auth {
    /// Actor's key.
    pub actor: VerifyingKey,
    /// What was signed.
    pub statement: Statement,
    /// Actor's signature.
    pub sig: Signature,
}

impl Auth {
    /// Reads an `auth` object.
    ///
    /// # Errors
    /// Malformed objects.
    pub fn from_value(v: &Value) -> Result<Self, StatementError> {
        todo!()
    }
    /// The `auth` object as JSON.
    pub fn to_value(&self) -> Value {
        todo!()
    }
    /// Signs a statement.
    pub fn sign(statement: Statement, key: &SigningKey) -> Self {
        todo!()
    }
    /// Strict signature check.
    ///
    /// # Errors
    /// Bad signatures.
    pub fn verify(&self) -> Result<(), StatementError> {
        todo!()
    }
    /// SHA-256 of canonical(statement).
    pub fn statement_hash(&self) -> Hash {
        todo!()
    }
    /// Base64 of the actor key.
    pub fn actor_b64(&self) -> String {
        todo!()
    }
}

/// Every member of `body` is in `data` with an equal value.
pub fn body_within_data(body: &Value, data: &Value) -> bool {
    todo!()
}

/// The bytes an uploader signs for a document.
pub fn document_message(sha256_hex: &str) -> Vec<u8> {
    todo!()
}
