//! Offline proof files (`docs/witnesses.md`, "Proof files"): one entry, its RFC 9162
//! inclusion proof, and the checkpoint (with the witnesses' cosignatures) it is proven
//! against, in one JSON document anyone can check with the log's key and the witnesses'
//! keys, and nothing else.
//!
//! ```json
//! {
//!   "format": "sijill-proof/v1",
//!   "index": 7,
//!   "entry": "<the entry's canonical bytes, as a JSON string>",
//!   "inclusion": {"size": 12, "hashes": ["<base64>", ...]},
//!   "checkpoint": "<the signed checkpoint note, cosignature lines included>"
//! }
//! ```
//!
//! The entry travels as a string because its exact bytes are what the log signed and
//! hashed: a JSON object could be re-serialized on the way; a string cannot change without
//! the check failing.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::cosignature::{open_cosigned, CosignerKey};
use crate::entry::SignedEntry;
use crate::hash::Hash;
use crate::merkle::verify_inclusion;
use crate::note::VerifierKey;

/// The `format` member of version 1.
pub const PROOF_FORMAT_V1: &str = "sijill-proof/v1";

/// A proof file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofBundle {
    /// Always [`PROOF_FORMAT_V1`].
    pub format: String,
    /// The entry's index in the log.
    pub index: u64,
    /// The entry's canonical bytes, exactly as signed.
    pub entry: String,
    /// The inclusion proof in the tree of the checkpoint's size.
    pub inclusion: Inclusion,
    /// The signed checkpoint note.
    pub checkpoint: String,
}

/// An RFC 9162 inclusion proof, hashes in base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inclusion {
    /// The tree size the proof is for (the checkpoint's).
    pub size: u64,
    /// The audit path, leaf to root.
    pub hashes: Vec<String>,
}

/// What a verified proof file establishes.
#[derive(Clone, Debug)]
pub struct ProvenEntry {
    /// The entry, its signature checked.
    pub entry: SignedEntry,
    /// The checkpoint's size.
    pub size: u64,
    /// The checkpoint's root.
    pub root: Hash,
    /// The trusted witnesses whose cosignatures verified.
    pub witnesses: Vec<CosignerKey>,
}

impl ProofBundle {
    /// Checks everything the file claims, with no network: the format, the checkpoint's
    /// log signature, the witnesses' cosignatures against `quorum`, the entry's shape and
    /// log signature, its `index`, and its inclusion in the checkpoint's tree.
    ///
    /// # Errors
    /// A sentence saying which check failed.
    pub fn verify(
        &self,
        log_keys: &[VerifierKey],
        witnesses: &[CosignerKey],
        quorum: usize,
    ) -> Result<ProvenEntry, String> {
        if self.format != PROOF_FORMAT_V1 {
            return Err(format!("unknown format {:?}", self.format));
        }
        let cosigned = open_cosigned(&self.checkpoint, log_keys, witnesses)
            .map_err(|e| format!("checkpoint: {e}"))?;
        cosigned
            .require(quorum)
            .map_err(|e| format!("checkpoint: {e}"))?;
        let checkpoint = &cosigned.checkpoint;
        let entry = SignedEntry::parse(self.entry.as_bytes()).map_err(|e| format!("entry: {e}"))?;
        if entry.entry.index != self.index {
            return Err(format!(
                "entry: its index is {}, the file says {}",
                entry.entry.index, self.index
            ));
        }
        // The log keys that may sign entries are those named after the checkpoint's origin.
        let signed = log_keys
            .iter()
            .filter(|k| k.name == checkpoint.origin)
            .any(|k| entry.verify(&k.key).is_ok());
        if !signed {
            return Err("entry: invalid log signature".to_owned());
        }
        if self.inclusion.size != checkpoint.size {
            return Err(format!(
                "inclusion: proof for size {}, checkpoint of size {}",
                self.inclusion.size, checkpoint.size
            ));
        }
        let path = self
            .inclusion
            .hashes
            .iter()
            .map(|h| {
                BASE64
                    .decode(h)
                    .ok()
                    .and_then(|b| Hash::try_from(b).ok())
                    .ok_or_else(|| "inclusion: a hash is not the base64 of 32 bytes".to_owned())
            })
            .collect::<Result<Vec<Hash>, String>>()?;
        verify_inclusion(
            &entry.leaf_hash(),
            self.index,
            checkpoint.size,
            &path,
            &checkpoint.root,
        )
        .map_err(|e| format!("inclusion: {e}"))?;
        Ok(ProvenEntry {
            entry,
            size: checkpoint.size,
            root: checkpoint.root,
            witnesses: cosigned.witnesses.into_iter().map(|(k, _)| k).collect(),
        })
    }
}

#[cfg(test)]
mod tests;
