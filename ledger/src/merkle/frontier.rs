//! The compact range of a tree's right edge: enough to append leaves and compute the
//! root without reading anything else, and the source of every stored node.

use super::{empty_root, node_hash, MerkleError, NodeId};
use crate::hash::Hash;

/// Compact range of the right edge: roots of the perfect subtrees, largest first (one
/// per set bit of size).
///
/// A tree of size 6 (binary 110) is the perfect subtree of leaves 0..4 followed by that
/// of leaves 4..6; its frontier holds those two hashes. Appending merges equal-sized
/// neighbours, exactly like incrementing a binary counter.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

/// Bytes of one hash in [`Frontier::to_bytes`].
const HASH_LEN: usize = 32;

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtree roots, largest (leftmost) first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Rebuilds a frontier from stored parts.
    ///
    /// # Errors
    /// [`MerkleError::FrontierShape`] unless `hashes.len() == size.count_ones()`.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, MerkleError> {
        if hashes.len() != size.count_ones() as usize {
            return Err(MerkleError::FrontierShape {
                size,
                expected: size.count_ones(),
                actual: hashes.len(),
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// The hashes concatenated, 32 bytes each, for storage next to the size.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }

    /// The inverse of [`Frontier::to_bytes`].
    ///
    /// # Errors
    /// [`MerkleError::FrontierShape`] unless `bytes` holds exactly one 32-byte hash per
    /// set bit of `size`.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Result<Self, MerkleError> {
        let expected = size.count_ones();
        if bytes.len() != expected as usize * HASH_LEN {
            return Err(MerkleError::FrontierShape {
                size,
                expected,
                actual: bytes.len() / HASH_LEN,
            });
        }
        let hashes = bytes
            .chunks_exact(HASH_LEN)
            .map(|chunk| {
                let mut h = [0u8; HASH_LEN];
                h.copy_from_slice(chunk);
                h
            })
            .collect();
        Ok(Frontier { size, hashes })
    }

    /// Appends one leaf, given its leaf hash, and pushes onto `completed` the leaf's own
    /// node (level 0) followed by every larger node this append completes, lowest first.
    /// A store that saves all of them can later serve any proof plan.
    ///
    /// A tree of 2^64 - 1 leaves cannot grow: appending to it changes nothing. No log
    /// gets there.
    pub fn append(&mut self, leaf_hash: Hash, completed: &mut Vec<(NodeId, Hash)>) {
        let Some(new_size) = self.size.checked_add(1) else {
            return;
        };
        let old_size = self.size;
        let mut level: u8 = 0;
        let mut current = leaf_hash;
        completed.push((
            NodeId {
                level: 0,
                index: old_size,
            },
            current,
        ));
        // Each trailing one bit of the old size is a perfect subtree of that level on the
        // right edge, now joined by an equal-sized one: merge them, like a binary carry.
        while old_size >> level & 1 == 1 {
            let Some(left) = self.hashes.pop() else {
                // Unreachable for a well-formed frontier (one hash per set bit).
                break;
            };
            current = node_hash(&left, &current);
            level += 1;
            // The old size's low `level` bits are all ones, so this node's index among
            // its level is old_size >> level.
            completed.push((
                NodeId {
                    level,
                    index: old_size >> level,
                },
                current,
            ));
        }
        self.hashes.push(current);
        self.size = new_size;
    }

    /// The tree hash of the whole tree: the frontier folded from the right, or
    /// [`empty_root`] for the empty tree.
    pub fn root(&self) -> Hash {
        let mut iter = self.hashes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }
}
