//! RFC 9162 section 2.1 Merkle trees.

mod frontier;
mod proof;

pub use frontier::Frontier;
pub use proof::*;

use crate::hash::Hash;

/// Domain separation prefix of leaf hashes.
pub const LEAF_HASH_PREFIX: u8 = 0x00;
/// Domain separation prefix of interior node hashes.
pub const NODE_HASH_PREFIX: u8 = 0x01;

/// Hash of a leaf.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    todo!()
}
/// Hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    todo!()
}
/// Root of the empty tree.
pub fn empty_root() -> Hash {
    todo!()
}

/// A complete subtree: leaves [index << level, (index + 1) << level).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves.
    pub level: u8,
    /// Position among nodes of that level.
    pub index: u64,
}

/// Why a Merkle computation or check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// Bad arguments.
    #[error("invalid arguments")]
    Invalid,
}
