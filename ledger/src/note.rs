//! C2SP signed notes, Ed25519 only.

use std::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};

/// Why a note or key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// Malformed.
    #[error("malformed note")]
    Malformed,
}

/// First 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    todo!()
}

/// A note verifier key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    /// Key name.
    pub name: String,
    /// Key ID.
    pub id: [u8; 4],
    /// Public key.
    pub key: VerifyingKey,
}

impl VerifierKey {
    /// Builds from name and key.
    pub fn new(name: &str, key: VerifyingKey) -> Self {
        todo!()
    }
    /// Parses `name+hexid+base64`.
    ///
    /// # Errors
    /// Malformed strings.
    pub fn parse(s: &str) -> Result<Self, NoteError> {
        todo!()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        todo!()
    }
}

/// A named signing key.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    /// Builds a signer.
    pub fn new(name: &str, key: SigningKey) -> Self {
        NoteSigner { name: name.to_owned(), key }
    }
    /// Key name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The matching verifier.
    pub fn verifier(&self) -> VerifierKey {
        todo!()
    }
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Signs a note.
///
/// # Errors
/// Malformed text.
pub fn sign_note(text: &str, signers: &[&NoteSigner]) -> Result<String, NoteError> {
    todo!()
}

/// A note whose signatures were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    /// Text.
    pub text: String,
    /// Verified keys.
    pub verified: Vec<VerifierKey>,
    /// All signature lines.
    pub signature_lines: Vec<(String, [u8; 4], Vec<u8>)>,
}

/// Opens a note.
///
/// # Errors
/// No verified signature.
pub fn open_note(note: &str, verifiers: &[VerifierKey]) -> Result<OpenedNote, NoteError> {
    todo!()
}
