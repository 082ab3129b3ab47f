//! Inclusion and consistency proofs.

use super::{MerkleError, NodeId};
use crate::hash::Hash;

/// Inclusion proof plan.
///
/// # Errors
/// index >= size.
pub fn inclusion_plan(index: u64, size: u64) -> Result<Vec<Vec<NodeId>>, MerkleError> {
    todo!()
}
/// Consistency proof plan.
///
/// # Errors
/// from == 0 or from > to.
pub fn consistency_plan(from: u64, to: u64) -> Result<Vec<Vec<NodeId>>, MerkleError> {
    todo!()
}
/// Root plan.
pub fn root_plan(size: u64) -> Vec<NodeId> {
    todo!()
}
/// Builds a proof from a plan.
///
/// # Errors
/// Missing nodes.
pub fn assemble(
    plan: &[Vec<NodeId>],
    lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Vec<Hash>, MerkleError> {
    todo!()
}
/// Verifies inclusion.
///
/// # Errors
/// Failure.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    todo!()
}
/// Verifies consistency.
///
/// # Errors
/// Failure.
pub fn verify_consistency(
    from: u64,
    to: u64,
    proof: &[Hash],
    from_root: &Hash,
    to_root: &Hash,
) -> Result<(), MerkleError> {
    todo!()
}
/// Reference root.
pub fn root_from_leaves(leaf_hashes: &[Hash]) -> Hash {
    todo!()
}
/// Reference inclusion proof.
pub fn inclusion_from_leaves(leaf_hashes: &[Hash], index: u64) -> Vec<Hash> {
    todo!()
}
/// Reference consistency proof.
pub fn consistency_from_leaves(leaf_hashes: &[Hash], from: u64) -> Vec<Hash> {
    todo!()
}
