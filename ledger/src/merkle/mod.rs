//! RFC 9162 section 2.1 Merkle trees (the same trees as RFC 6962): tree hashes,
//! inclusion and consistency proofs, and the compact range a log keeps on its right edge.
//!
//! The functions here take data, never a store. A store keeps the hashes of *complete
//! subtrees* ([`NodeId`]s), which never change once their last leaf is appended; the
//! [`Frontier`] reports each one as it completes. A proof is first computed as a *plan*
//! ([`inclusion_plan`], [`consistency_plan`], [`root_plan`]) naming the O(log n) stored
//! nodes it needs, then [`assemble`]d from whatever the caller fetched. The same code thus
//! serves a database, a tile cache or an offline verifier, and no step ever needs all
//! leaves. [`root_from_leaves`] and its siblings are the plain recursive definitions of
//! the RFC, kept as references for tests and small trees.

pub mod frontier;
pub mod proof;

pub use frontier::Frontier;
pub use proof::{
    assemble, consistency_from_leaves, consistency_plan, inclusion_from_leaves, inclusion_plan,
    root_from_leaves, root_plan, verify_consistency, verify_inclusion,
};

use crate::hash::{sha256, Hash};
use sha2::{Digest, Sha256};

/// Prefix of a leaf hash input (RFC 9162 section 2.1.1), so a leaf can never be
/// mistaken for an interior node.
pub const LEAF_HASH_PREFIX: u8 = 0x00;
/// Prefix of an interior node hash input (RFC 9162 section 2.1.1).
pub const NODE_HASH_PREFIX: u8 = 0x01;

/// The hash of a leaf: SHA-256(0x00 || leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([LEAF_HASH_PREFIX])
        .chain_update(leaf)
        .finalize()
        .into()
}

/// The hash of an interior node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([NODE_HASH_PREFIX])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// The tree hash of the empty tree: SHA-256 of no bytes (RFC 9162 section 2.1.1).
pub fn empty_root() -> Hash {
    sha256(&[])
}

/// A complete subtree: leaves [index << level, (index + 1) << level).
///
/// Level 0 nodes are leaves (their hash is the leaf hash); the hash of a node at level
/// L > 0 is `node_hash` of its two children at level L - 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// Height above the leaves: the subtree holds 2^level leaves.
    pub level: u8,
    /// Position among the nodes of that level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The first leaf under this node (saturating for ids beyond any real tree).
    pub fn first_leaf(self) -> u64 {
        self.index
            .checked_shl(u32::from(self.level))
            .unwrap_or(u64::MAX)
    }
}

/// Why a Merkle computation or check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// A leaf index at or beyond the tree size.
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof between sizes that do not allow one (0, or decreasing).
    #[error("no consistency proof from size {from} to size {to}")]
    InvalidSizes {
        /// The older size.
        from: u64,
        /// The newer size.
        to: u64,
    },
    /// The proof has the wrong number of hashes for the sizes it claims.
    #[error("proof has the wrong number of hashes")]
    WrongProofLength,
    /// The proof does not lead to the expected root.
    #[error("proof does not match the root")]
    RootMismatch,
    /// The lookup given to [`assemble`] has no hash for a node the plan needs.
    #[error("missing stored node at level {}, index {}", .0.level, .0.index)]
    MissingNode(NodeId),
    /// A plan step names no nodes.
    #[error("empty step in a proof plan")]
    EmptyPlanStep,
    /// A frontier's hashes do not match its size (one hash per set bit).
    #[error("frontier of size {size} needs {expected} hashes, got {actual}")]
    FrontierShape {
        /// The tree size.
        size: u64,
        /// Hashes a frontier of that size holds.
        expected: u32,
        /// Hashes given.
        actual: usize,
    },
}

#[cfg(test)]
mod tests;
