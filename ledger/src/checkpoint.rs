//! C2SP tlog-checkpoint bodies.

use crate::hash::Hash;
use crate::note::{NoteError, NoteSigner, VerifierKey};

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Malformed.
    #[error("malformed checkpoint")]
    Malformed,
    /// Note error.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Origin.
    pub origin: String,
    /// Tree size.
    pub size: u64,
    /// Tree hash.
    pub root: Hash,
}

impl Checkpoint {
    /// Body text.
    pub fn body(&self) -> String {
        todo!()
    }
    /// Parses a body.
    ///
    /// # Errors
    /// Malformed.
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        todo!()
    }
    /// Signs.
    ///
    /// # Errors
    /// Malformed.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        todo!()
    }
    /// Opens.
    ///
    /// # Errors
    /// Bad signature.
    pub fn open(note: &str, log_keys: &[VerifierKey]) -> Result<Self, CheckpointError> {
        todo!()
    }
}
