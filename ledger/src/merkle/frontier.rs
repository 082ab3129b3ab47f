//! Compact range of the right edge of a tree.

use super::{MerkleError, NodeId};
use crate::hash::Hash;

/// Compact range of the right edge: roots of the perfect subtrees, largest first.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// Empty tree.
    pub fn new() -> Self {
        Self::default()
    }
    /// Leaves.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// Subtree roots.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }
    /// Rebuilds.
    ///
    /// # Errors
    /// Wrong count.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, MerkleError> {
        todo!()
    }
    /// Concatenated hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        todo!()
    }
    /// From concatenated hashes.
    ///
    /// # Errors
    /// Wrong length.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Result<Self, MerkleError> {
        todo!()
    }
    /// Appends a leaf hash.
    pub fn append(&mut self, leaf_hash: Hash, completed: &mut Vec<(NodeId, Hash)>) {
        todo!()
    }
    /// Tree hash.
    pub fn root(&self) -> Hash {
        todo!()
    }
}
