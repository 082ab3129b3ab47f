//! Inclusion and consistency proofs of RFC 9162 sections 2.1.3 and 2.1.4: how to plan
//! them over stored nodes, assemble them, and verify them; plus the reference versions
//! computed from all leaves.

use super::{empty_root, node_hash, MerkleError, NodeId};
use crate::hash::Hash;

/// The stored nodes an inclusion proof needs: one step per proof hash, in proof order
/// (from the leaf up).
///
/// Each step is the leaf range whose RFC 9162 tree hash is that proof hash, given as its
/// decomposition into complete subtrees, left to right; [`assemble`] folds each step
/// from the right with `node_hash`. The plan names O(log size) nodes in total.
///
/// # Errors
/// [`MerkleError::IndexOutOfRange`] if `index >= size`.
pub fn inclusion_plan(index: u64, size: u64) -> Result<Vec<Vec<NodeId>>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // Walk down PATH(m, D[n]) of RFC 9162 section 2.1.3.1 from the root, keeping the
    // subtree that holds the leaf as [start, start + n) and the leaf's offset m in it.
    // Siblings are met from the top down; the proof lists them from the bottom up.
    let (mut start, mut n, mut m) = (0u64, size, index);
    let mut ranges = Vec::new();
    while n > 1 {
        let k = split_point(n);
        if m < k {
            ranges.push((start + k, start + n));
            n = k;
        } else {
            ranges.push((start, start + k));
            start += k;
            m -= k;
            n -= k;
        }
    }
    ranges.reverse();
    Ok(ranges.into_iter().map(|(a, b)| decompose(a, b)).collect())
}

/// The stored nodes a consistency proof from size `from` to size `to` needs, in the
/// shape described at [`inclusion_plan`].
///
/// `from == to` gives the empty plan.
///
/// # Errors
/// [`MerkleError::InvalidSizes`] if `from` is 0 (there is nothing to prove about the
/// empty tree) or `from > to`.
pub fn consistency_plan(from: u64, to: u64) -> Result<Vec<Vec<NodeId>>, MerkleError> {
    if from == 0 || from > to {
        return Err(MerkleError::InvalidSizes { from, to });
    }
    // Walk down SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1 from the root.
    let (mut start, mut n, mut m) = (0u64, to, from);
    // True while the old tree is a complete subtree the verifier already knows (`b`).
    let mut old_root_known = true;
    let mut ranges = Vec::new();
    loop {
        if m == n {
            if !old_root_known {
                ranges.push((start, start + n));
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            ranges.push((start + k, start + n));
            n = k;
        } else {
            ranges.push((start, start + k));
            start += k;
            m -= k;
            n -= k;
            old_root_known = false;
        }
    }
    ranges.reverse();
    Ok(ranges.into_iter().map(|(a, b)| decompose(a, b)).collect())
}

/// The stored nodes whose right fold is the tree hash of the first `size` leaves (the
/// perfect subtrees of the frontier at that size). Empty for size 0, whose root is
/// [`empty_root`].
pub fn root_plan(size: u64) -> Vec<NodeId> {
    decompose(0, size)
}

/// Computes proof hashes from a plan, asking `lookup` for each stored node.
///
/// # Errors
/// [`MerkleError::MissingNode`] for the first node `lookup` does not know,
/// [`MerkleError::EmptyPlanStep`] for a step naming no node.
pub fn assemble(
    plan: &[Vec<NodeId>],
    mut lookup: impl FnMut(NodeId) -> Option<Hash>,
) -> Result<Vec<Hash>, MerkleError> {
    plan.iter()
        .map(|step| {
            let hashes = step
                .iter()
                .map(|&id| lookup(id).ok_or(MerkleError::MissingNode(id)))
                .collect::<Result<Vec<_>, _>>()?;
            fold_right(&hashes).ok_or(MerkleError::EmptyPlanStep)
        })
        .collect()
}

/// Verifies that `leaf_hash` is leaf `index` of the tree of `size` leaves whose hash is
/// `root`, with the algorithm of RFC 9162 section 2.1.3.2.
///
/// # Errors
/// [`MerkleError::IndexOutOfRange`] if `index >= size`, [`MerkleError::WrongProofLength`]
/// if the proof is too long or too short for the position, [`MerkleError::RootMismatch`]
/// if it leads to another root.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(MerkleError::WrongProofLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            // Skip the levels where this node is a lone right-edge node with no sibling.
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(MerkleError::WrongProofLength);
    }
    if &r != root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `from` leaves with hash `from_root` is a prefix of the tree
/// of `to` leaves with hash `to_root`, with the algorithm of RFC 9162 section 2.1.4.2.
///
/// For `from == to` the proof must be empty and the roots equal.
///
/// # Errors
/// [`MerkleError::InvalidSizes`] if `from` is 0 or `from > to`,
/// [`MerkleError::WrongProofLength`] if the proof has the wrong number of hashes,
/// [`MerkleError::RootMismatch`] if either root does not match.
pub fn verify_consistency(
    from: u64,
    to: u64,
    proof: &[Hash],
    from_root: &Hash,
    to_root: &Hash,
) -> Result<(), MerkleError> {
    if from == 0 || from > to {
        return Err(MerkleError::InvalidSizes { from, to });
    }
    if from == to {
        if !proof.is_empty() {
            return Err(MerkleError::WrongProofLength);
        }
        if from_root != to_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    let Some((first, rest)) = proof.split_first() else {
        return Err(MerkleError::WrongProofLength);
    };
    // When the old tree is a complete subtree its root is the first node of the path and
    // the proof leaves it out.
    let (seed, path) = if from.is_power_of_two() {
        (from_root, proof)
    } else {
        (first, rest)
    };
    let (mut fn_, mut sn) = (from - 1, to - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in path {
        if sn == 0 {
            return Err(MerkleError::WrongProofLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(MerkleError::WrongProofLength);
    }
    if &fr != from_root || &sr != to_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The tree hash MTH(D[n]) of RFC 9162 section 2.1.1, computed from all leaf hashes.
/// A reference for tests and small trees; stores use [`root_plan`] or a frontier.
pub fn root_from_leaves(leaf_hashes: &[Hash]) -> Hash {
    match leaf_hashes {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let k = split_len(leaf_hashes.len());
            node_hash(
                &root_from_leaves(&leaf_hashes[..k]),
                &root_from_leaves(&leaf_hashes[k..]),
            )
        }
    }
}

/// The inclusion proof PATH(index, D[n]) of RFC 9162 section 2.1.3.1, computed from all
/// leaf hashes. Empty when `index` is outside the tree.
pub fn inclusion_from_leaves(leaf_hashes: &[Hash], index: u64) -> Vec<Hash> {
    match usize::try_from(index) {
        Ok(m) if m < leaf_hashes.len() => path(m, leaf_hashes),
        _ => Vec::new(),
    }
}

/// The consistency proof PROOF(from, D[n]) of RFC 9162 section 2.1.4.1, computed from
/// all leaf hashes. Empty when `from` is 0, equal to the size, or beyond it.
pub fn consistency_from_leaves(leaf_hashes: &[Hash], from: u64) -> Vec<Hash> {
    match usize::try_from(from) {
        Ok(m) if m > 0 && m <= leaf_hashes.len() => subproof(m, leaf_hashes, true),
        _ => Vec::new(),
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() <= 1 {
        return Vec::new();
    }
    let k = split_len(d.len());
    if m < k {
        let mut p = path(m, &d[..k]);
        p.push(root_from_leaves(&d[k..]));
        p
    } else {
        let mut p = path(m - k, &d[k..]);
        p.push(root_from_leaves(&d[..k]));
        p
    }
}

fn subproof(m: usize, d: &[Hash], complete_subtree: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if complete_subtree {
            Vec::new()
        } else {
            vec![root_from_leaves(d)]
        };
    }
    let k = split_len(n);
    if m <= k {
        let mut p = subproof(m, &d[..k], complete_subtree);
        p.push(root_from_leaves(&d[k..]));
        p
    } else {
        let mut p = subproof(m - k, &d[k..], false);
        p.push(root_from_leaves(&d[..k]));
        p
    }
}

/// The largest power of two smaller than `n`, for `n >= 2`: where RFC 9162 splits a
/// tree of `n` leaves.
fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

fn split_len(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The complete subtrees covering leaves [start, end), left to right, each as large as
/// its alignment allows. For the ranges that appear in RFC 9162 proofs (each the leaf
/// range of a node of the RFC's recursion) their right fold is the range's tree hash.
fn decompose(mut start: u64, end: u64) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    while start < end {
        let fits = 63 - (end - start).leading_zeros();
        let aligned = if start == 0 {
            63
        } else {
            start.trailing_zeros()
        };
        let level = fits.min(aligned);
        // level <= 63, so it fits a u8.
        nodes.push(NodeId {
            level: level as u8,
            index: start >> level,
        });
        start += 1 << level;
    }
    nodes
}

/// `h0 (h1 (h2 ...))`: the tree hash of consecutive complete subtrees of decreasing size.
fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(
        rest.iter()
            .rev()
            .fold(*last, |acc, left| node_hash(left, &acc)),
    )
}
