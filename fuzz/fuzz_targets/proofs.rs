//! Fuzz target: RFC 9162 inclusion and consistency proofs (`ledger::merkle`).
//!
//! The input is structured (`arbitrary`): a tree of up to `MAX_LEAVES` distinct leaves, a
//! claim about it (a size, an index or an older size, and a proof derived from the true
//! proof by a mutation the fuzzer chooses), and a free-form claim with any 64-bit sizes.
//! Never a panic, and:
//! - the frontier's root and the planned-and-assembled proofs equal the reference
//!   definitions computed from all leaves;
//! - against the true root of the claimed size, an inclusion proof verifies if and only if
//!   the index is in that tree, the leaf is the one at that index and the proof is exactly
//!   the true proof; a consistency proof, if and only if the sizes are valid, the proof is
//!   exactly the true proof and both roots are true; any other root is refused;
//! - for any 64-bit sizes, the proof lengths the planners give are exactly the lengths the
//!   verifiers accept (one hash more or less is `WrongProofLength`).
#![no_main]

use arbitrary::Arbitrary;
use ledger::hash::Hash;
use ledger::merkle::{
    self, assemble, consistency_from_leaves, consistency_plan, inclusion_from_leaves,
    inclusion_plan, leaf_hash, root_from_leaves, verify_consistency, verify_inclusion, Frontier,
    MerkleError, NodeId,
};
use libfuzzer_sys::fuzz_target;

/// Largest tree built: enough for every shape of path up to 7 levels, small enough that
/// the reference functions, which hash all leaves, keep the fuzzer fast.
const MAX_LEAVES: u8 = 100;

#[derive(Arbitrary, Debug)]
struct Input {
    /// Number of leaves in the tree (reduced modulo `MAX_LEAVES + 1`).
    leaves: u8,
    /// Claimed tree size (reduced modulo the leaf count + 1).
    size: u8,
    /// Claimed index, or older size for a consistency proof (reduced likewise).
    index: u8,
    /// How the claim departs from the truth.
    mutation: Mutation,
    /// Sizes and indexes over the whole 64-bit range.
    wide: Wide,
}

#[derive(Arbitrary, Debug)]
enum Mutation {
    None,
    /// Flip one bit of one proof hash.
    FlipBit {
        hash: u8,
        bit: u8,
    },
    /// Drop the hash at this position.
    Remove(u8),
    /// Insert a hash (arbitrary, or a copy of a leaf) at this position.
    Insert {
        at: u8,
        hash: [u8; 32],
    },
    InsertLeaf {
        at: u8,
        leaf: u8,
    },
    /// Swap two proof hashes.
    Swap(u8, u8),
    /// Use the proof of another index or size.
    OtherProof(u8),
    /// Claim another leaf (inclusion) or another old root (consistency).
    OtherLeaf(u8),
    /// Replace the proof entirely.
    Replace(Vec<[u8; 32]>),
    /// Compare with a root that is not the tree's.
    WrongRoot([u8; 32]),
}

#[derive(Arbitrary, Debug)]
struct Wide {
    index: u64,
    size: u64,
    proof_len: u8,
}

fuzz_target!(|input: Input| {
    let n = input.leaves % (MAX_LEAVES + 1);
    let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[i])).collect();
    let size = input.size % (n + 1);
    check_frontier(&leaves, usize::from(size));
    let tree = &leaves[..usize::from(size)];
    check_inclusion(&leaves, tree, input.index, &input.mutation);
    check_consistency(&leaves, tree, input.index, &input.mutation);
    check_lengths(&input.wide);
});

/// The frontier's root equals the reference tree hash at the claimed size and at the
/// end, and the nodes it reports completed are the true ones.
fn check_frontier(leaves: &[Hash], size: usize) {
    let mut frontier = Frontier::new();
    let mut completed = Vec::new();
    for (i, leaf) in leaves.iter().enumerate() {
        if i == size {
            assert_eq!(frontier.root(), root_from_leaves(&leaves[..i]));
        }
        completed.clear();
        frontier.append(*leaf, &mut completed);
        for (id, hash) in &completed {
            assert_eq!(
                node(leaves, *id).as_ref(),
                Some(hash),
                "completed node {id:?}"
            );
        }
    }
    assert_eq!(frontier.size(), leaves.len() as u64);
    assert_eq!(frontier.root(), root_from_leaves(leaves));
}

/// The hash of a stored node, computed from the leaves; `None` beyond them.
fn node(leaves: &[Hash], id: NodeId) -> Option<Hash> {
    let first = usize::try_from(id.first_leaf()).ok()?;
    let end = first.checked_add(1usize.checked_shl(u32::from(id.level))?)?;
    leaves.get(first..end).map(root_from_leaves)
}

fn check_inclusion(all: &[Hash], tree: &[Hash], index: u8, mutation: &Mutation) {
    let size = tree.len() as u64;
    let root = root_from_leaves(tree);
    let index = u64::from(index) % (size + 1);
    let truth = inclusion_from_leaves(tree, index);
    if index < size {
        let plan = inclusion_plan(index, size).expect("index is in the tree");
        let assembled = assemble(&plan, |id| node(tree, id)).expect("nodes are all there");
        assert_eq!(assembled, truth, "planned proof differs from PATH");
    }
    let mut leaf = tree.get(index as usize).copied().unwrap_or([0; 32]);
    let mut claimed_root = root;
    let mut proof = truth.clone();
    let mut claimed_index = index;
    match mutation {
        Mutation::OtherProof(other) => {
            claimed_index = u64::from(*other) % (size + 1);
            proof = inclusion_from_leaves(tree, claimed_index);
        }
        Mutation::OtherLeaf(other) => leaf = all.get(usize::from(*other)).copied().unwrap_or(leaf),
        Mutation::WrongRoot(r) => claimed_root = *r,
        m => mutate(&mut proof, all, m),
    }
    // The leaf is identified by its index, and the proof must be that index's proof.
    let expected = index < size
        && tree.get(index as usize) == Some(&leaf)
        && claimed_root == root
        && proof == truth;
    let verdict = verify_inclusion(&leaf, index, size, &proof, &claimed_root);
    assert_eq!(
        verdict.is_ok(),
        expected,
        "inclusion of leaf {index} in {size} with {proof:?} (claimed via {claimed_index}): {verdict:?}"
    );
}

fn check_consistency(all: &[Hash], tree: &[Hash], from: u8, mutation: &Mutation) {
    let to = tree.len() as u64;
    let from = u64::from(from) % (to + 1);
    let to_root = root_from_leaves(tree);
    let from_root = root_from_leaves(&tree[..from as usize]);
    let truth = consistency_from_leaves(tree, from);
    if from > 0 {
        let plan = consistency_plan(from, to).expect("sizes are valid");
        let assembled = assemble(&plan, |id| node(tree, id)).expect("nodes are all there");
        assert_eq!(assembled, truth, "planned proof differs from PROOF");
    } else {
        assert!(consistency_plan(from, to).is_err());
    }
    let mut claimed_from_root = from_root;
    let mut claimed_to_root = to_root;
    let mut proof = truth.clone();
    match mutation {
        Mutation::OtherProof(other) => {
            proof = consistency_from_leaves(tree, u64::from(*other) % (to + 1));
        }
        Mutation::OtherLeaf(other) => {
            claimed_from_root = root_from_leaves(&all[..usize::from(*other) % (all.len() + 1)]);
        }
        Mutation::WrongRoot(r) => claimed_to_root = *r,
        m => mutate(&mut proof, all, m),
    }
    let expected =
        from > 0 && proof == truth && claimed_from_root == from_root && claimed_to_root == to_root;
    let verdict = verify_consistency(from, to, &proof, &claimed_from_root, &claimed_to_root);
    assert_eq!(
        verdict.is_ok(),
        expected,
        "consistency {from} -> {to} with {proof:?}: {verdict:?}"
    );
}

/// Applies one of the mutations that change only the proof.
fn mutate(proof: &mut Vec<Hash>, all: &[Hash], mutation: &Mutation) {
    let pick = |i: u8, len: usize| usize::from(i) % len.max(1);
    match mutation {
        Mutation::FlipBit { hash, bit } if !proof.is_empty() => {
            let h = pick(*hash, proof.len());
            proof[h][usize::from(*bit / 8) % 32] ^= 1 << (bit % 8);
        }
        Mutation::Remove(at) if !proof.is_empty() => {
            let at = pick(*at, proof.len());
            proof.remove(at);
        }
        Mutation::Insert { at, hash } => {
            let at = usize::from(*at) % (proof.len() + 1);
            proof.insert(at, *hash);
        }
        Mutation::InsertLeaf { at, leaf } if !all.is_empty() => {
            let at = usize::from(*at) % (proof.len() + 1);
            proof.insert(at, all[pick(*leaf, all.len())]);
        }
        Mutation::Swap(a, b) if !proof.is_empty() => {
            let (a, b) = (pick(*a, proof.len()), pick(*b, proof.len()));
            proof.swap(a, b);
        }
        Mutation::Replace(hashes) => *proof = hashes.clone(),
        _ => {}
    }
}

/// For any 64-bit sizes: the planners and the verifiers agree on proof lengths.
fn check_lengths(wide: &Wide) {
    let zero: Hash = [0; 32];
    // A root no proof of zeros leads to, so a proof of the right length fails on the root.
    let other: Hash = [2; 32];
    let with_len = |len: usize| vec![zero; len];
    match inclusion_plan(wide.index, wide.size) {
        Ok(plan) => {
            let len = plan.len();
            assert!(len <= 64);
            assert_eq!(
                verify_inclusion(&zero, wide.index, wide.size, &with_len(len), &other),
                Err(MerkleError::RootMismatch)
            );
            assert_eq!(
                verify_inclusion(&zero, wide.index, wide.size, &with_len(len + 1), &other),
                Err(MerkleError::WrongProofLength)
            );
            if len > 0 {
                assert_eq!(
                    verify_inclusion(&zero, wide.index, wide.size, &with_len(len - 1), &other),
                    Err(MerkleError::WrongProofLength)
                );
            }
        }
        Err(_) => assert!(wide.index >= wide.size),
    }
    // An older size derived from the index so that it is often valid.
    let from = if wide.size == 0 {
        0
    } else {
        wide.index % wide.size.saturating_add(1)
    };
    match consistency_plan(from, wide.size) {
        Ok(plan) => {
            let len = plan.len();
            assert!(len <= 128);
            // Roots no proof of zeros joins, so a proof of the right length fails on them.
            assert_eq!(
                verify_consistency(from, wide.size, &with_len(len), &other, &zero),
                Err(MerkleError::RootMismatch)
            );
            assert_eq!(
                verify_consistency(from, wide.size, &with_len(len + 1), &other, &zero),
                Err(MerkleError::WrongProofLength)
            );
            if len > 0 {
                assert_eq!(
                    verify_consistency(from, wide.size, &with_len(len - 1), &other, &zero),
                    Err(MerkleError::WrongProofLength)
                );
            }
        }
        Err(_) => assert!(from == 0 || from > wide.size),
    }
    // Whatever the claim, verification returns, and a proof of zeros of any length never
    // leads to a root that no such proof hashes to.
    let proof = with_len(usize::from(wide.proof_len % 70));
    assert!(verify_inclusion(&zero, wide.index, wide.size, &proof, &other).is_err());
    assert!(verify_consistency(wide.index, wide.size, &proof, &zero, &other).is_err());
    let _ = merkle::root_plan(wide.size);
}
