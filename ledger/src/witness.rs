//! The C2SP tlog-witness protocol's `add-checkpoint` call (<https://c2sp.org/tlog-witness>),
//! as data and decisions: the request body, and whether a witness holding a given latest
//! checkpoint may cosign the submitted one. The HTTP server and the durable state around it
//! live in the `sijill` binary; everything decided here is pure.
//!
//! The request body is an `old <size>` line, at most 63 base64 consistency-proof lines, an
//! empty line, then the checkpoint note. The checks run in the specification's order, the
//! first failure deciding the answer: a malformed body (400); an unknown origin (404); no
//! valid signature by a trusted log key (403); an old size above the checkpoint's (400); an
//! old size other than the size last cosigned (409, with that size); a consistency proof
//! that does not verify from the root last cosigned (422); the same size with another root
//! (409). A fork (a second history under the same log key) thus gets 422 or 409, a rollback
//! 409: never a cosignature.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::hash::Hash;
use crate::merkle::verify_consistency;
use crate::note::{split_note, VerifierKey};

/// The most consistency-proof lines a request may hold.
pub const MAX_PROOF_LINES: usize = 63;

/// The body of an `add-checkpoint` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the client believes the witness last cosigned.
    pub old_size: u64,
    /// RFC 6962 consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint, a signed note (possibly with several signatures).
    pub checkpoint: String,
}

/// The latest checkpoint a witness cosigned for one log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Witnessed {
    /// Its tree size.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
}

/// Why a witness refuses to cosign; [`Refusal::status`] is the HTTP status the
/// specification gives.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The body is not a request (400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// No trusted log key has this origin (404).
    #[error("unknown log {0:?}")]
    UnknownLog(String),
    /// No signature verifies against a trusted key of that log (403).
    #[error("checkpoint not signed by a trusted log key: {0}")]
    Unsigned(String),
    /// The old size exceeds the checkpoint's size (400).
    #[error("old size {old} exceeds the checkpoint size {size}")]
    OldSizeTooLarge {
        /// The request's old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// The old size is not the size last cosigned (409, body: that size).
    #[error("old size does not match the latest cosigned size {latest}")]
    SizeMismatch {
        /// The size the witness last cosigned for this log (0 if none).
        latest: u64,
    },
    /// The same size as the latest cosigned checkpoint, another root (409).
    #[error("same size as the latest cosigned checkpoint, different root hash")]
    RootMismatch {
        /// The latest cosigned size, sent back as for a size mismatch.
        latest: u64,
    },
    /// The consistency proof does not verify (422).
    #[error("invalid consistency proof: {0}")]
    InvalidProof(String),
}

impl Refusal {
    /// The HTTP status code of tlog-witness for this refusal.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) | Refusal::OldSizeTooLarge { .. } => 400,
            Refusal::UnknownLog(_) => 404,
            Refusal::Unsigned(_) => 403,
            Refusal::SizeMismatch { .. } | Refusal::RootMismatch { .. } => 409,
            Refusal::InvalidProof(_) => 422,
        }
    }

    /// For a 409, the latest cosigned size the answer carries (`text/x.tlog.size`).
    pub fn latest_size(&self) -> Option<u64> {
        match self {
            Refusal::SizeMismatch { latest } | Refusal::RootMismatch { latest } => Some(*latest),
            _ => None,
        }
    }
}

impl AddCheckpoint {
    /// Parses a request body.
    ///
    /// # Errors
    /// [`Refusal::Malformed`] for anything out of shape: a missing or non-canonical old
    /// size, a proof line that is not the base64 of 32 bytes, more than 63 of them, no
    /// empty line, a checkpoint that is not a note.
    pub fn parse(body: &str) -> Result<Self, Refusal> {
        let bad = |why: &str| Refusal::Malformed(why.to_owned());
        let (head, checkpoint) = body
            .split_once("\n\n")
            .ok_or_else(|| bad("no empty line before the checkpoint"))?;
        let mut lines = head.split('\n');
        let old_line = lines.next().unwrap_or_default();
        let old = old_line
            .strip_prefix("old ")
            .ok_or_else(|| bad("the first line must be `old <size>`"))?;
        let old_size = parse_decimal(old).ok_or_else(|| bad("malformed old size"))?;
        let proof = lines
            .map(|line| {
                BASE64
                    .decode(line)
                    .ok()
                    .and_then(|bytes| Hash::try_from(bytes).ok())
                    .ok_or_else(|| bad("a proof line is not the base64 of a 32-byte hash"))
            })
            .collect::<Result<Vec<Hash>, Refusal>>()?;
        if proof.len() > MAX_PROOF_LINES {
            return Err(bad("more than 63 proof lines"));
        }
        split_note(checkpoint).map_err(|e| Refusal::Malformed(format!("checkpoint: {e}")))?;
        Ok(AddCheckpoint {
            old_size,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// The request body.
    pub fn to_body(&self) -> String {
        let mut body = format!("old {}\n", self.old_size);
        for hash in &self.proof {
            body.push_str(&BASE64.encode(hash));
            body.push('\n');
        }
        body.push('\n');
        body.push_str(&self.checkpoint);
        body
    }

    /// Decides whether a witness may cosign this request's checkpoint, given the keys it
    /// trusts (a log's origin is its key's name) and the latest checkpoint it cosigned for
    /// the checkpoint's origin (`None` if it never did). On success the witness must
    /// record the returned checkpoint as its latest for that origin, atomically with this
    /// decision, before answering.
    ///
    /// # Errors
    /// The [`Refusal`] of the first check that fails, in the order of the module doc.
    pub fn check(
        &self,
        log_keys: &[VerifierKey],
        latest: impl FnOnce(&str) -> Option<Witnessed>,
    ) -> Result<Checkpoint, Refusal> {
        let (text, _) = split_note(&self.checkpoint)
            .map_err(|e| Refusal::Malformed(format!("checkpoint: {e}")))?;
        let body = Checkpoint::parse_body(text)
            .map_err(|e| Refusal::Malformed(format!("checkpoint: {e}")))?;
        let keys: Vec<VerifierKey> = log_keys
            .iter()
            .filter(|k| k.name == body.origin)
            .cloned()
            .collect();
        if keys.is_empty() {
            return Err(Refusal::UnknownLog(body.origin));
        }
        let checkpoint = Checkpoint::open(&self.checkpoint, &keys).map_err(|e| match e {
            CheckpointError::Note(e) => Refusal::Unsigned(e.to_string()),
            other => Refusal::Unsigned(other.to_string()),
        })?;
        if self.old_size > checkpoint.size {
            return Err(Refusal::OldSizeTooLarge {
                old: self.old_size,
                size: checkpoint.size,
            });
        }
        let held = latest(&checkpoint.origin);
        let latest_size = held.map_or(0, |w| w.size);
        if self.old_size != latest_size {
            return Err(Refusal::SizeMismatch {
                latest: latest_size,
            });
        }
        match held {
            // Nothing cosigned yet (or an empty log): nothing to be consistent with, and
            // the specification wants the proof empty.
            None | Some(Witnessed { size: 0, .. }) => {
                if !self.proof.is_empty() {
                    return Err(Refusal::InvalidProof(
                        "the proof must be empty when the old size is 0".to_owned(),
                    ));
                }
            }
            Some(held) if held.size == checkpoint.size => {
                if !self.proof.is_empty() {
                    return Err(Refusal::InvalidProof(
                        "the proof must be empty between equal sizes".to_owned(),
                    ));
                }
                if held.root != checkpoint.root {
                    return Err(Refusal::RootMismatch { latest: held.size });
                }
            }
            Some(held) => verify_consistency(
                held.size,
                checkpoint.size,
                &self.proof,
                &held.root,
                &checkpoint.root,
            )
            .map_err(|e| Refusal::InvalidProof(e.to_string()))?,
        }
        Ok(checkpoint)
    }
}

/// ASCII decimal without leading zeros (unless 0), as tlog-witness writes sizes.
pub fn parse_decimal(s: &str) -> Option<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    canonical.then(|| s.parse().ok()).flatten()
}

#[cfg(test)]
mod tests;
