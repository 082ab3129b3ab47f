//! Known-answer tests and properties of the Merkle module.

use super::*;
use crate::hash::{from_hex, Hash};
use proptest::prelude::*;
use std::collections::HashMap;

fn h(s: &str) -> Hash {
    from_hex(s).expect("test vector is 64 lowercase hex characters")
}

// ---------------------------------------------------------------------------------
// Known answers from transparency-dev/merkle (Google's RFC 6962 reference code):
// testonly/constants.go at commit 582a6ad190b6848f1d26f8bf08ddef29955d9db1
// (LeafInputs, NodeHashes, RootHashes, CompactTrees) and proof/verify_test.go at
// commit 02194e9afb6c1d95b5381350007963aa70fff472 (inclusionProofs, consistencyProofs;
// in that file inclusion leaf numbers are 1-based, here they are 0-based indexes).
// ---------------------------------------------------------------------------------

/// testonly/constants.go `LeafInputs()`: the eight standard leaves of the RFC 6962 tests.
fn leaf_inputs() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|s| hex::decode(s).unwrap())
    .collect()
}

fn leaf_hashes() -> Vec<Hash> {
    leaf_inputs().iter().map(|l| leaf_hash(l)).collect()
}

/// testonly/constants.go `RootHashes()`: tree hashes for sizes 0 to 8.
const ROOT_HASHES: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// testonly/constants.go `NodeHashes()`: every complete subtree of the 8-leaf tree,
/// by level then index.
const NODE_HASHES: [&[&str]; 4] = [
    &[
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    &[
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    &[
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    &["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
];

/// proof/verify_test.go `inclusionProofs` (leaf index 0-based, tree size, proof).
fn inclusion_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (0, 1, vec![]),
        (
            0,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            5,
            8,
            vec![
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            3,
            vec![h(
                "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            )],
        ),
        (
            1,
            5,
            vec![
                h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
    ]
}

/// proof/verify_test.go `consistencyProofs` (old size, new size, proof).
fn consistency_vectors() -> Vec<(u64, u64, Vec<Hash>)> {
    vec![
        (1, 1, vec![]),
        (
            1,
            8,
            vec![
                h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
            ],
        ),
        (
            6,
            8,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
        (
            2,
            5,
            vec![
                h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            ],
        ),
        (
            6,
            7,
            vec![
                h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
                h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
                h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
            ],
        ),
    ]
}

/// Every complete subtree node of a tree, as a store built from frontier appends holds.
fn stored_nodes(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
    let mut frontier = Frontier::new();
    let mut completed = Vec::new();
    for leaf in leaves {
        frontier.append(*leaf, &mut completed);
    }
    completed.into_iter().collect()
}

fn planned_inclusion(nodes: &HashMap<NodeId, Hash>, index: u64, size: u64) -> Vec<Hash> {
    let plan = inclusion_plan(index, size).unwrap();
    assemble(&plan, |id| nodes.get(&id).copied()).unwrap()
}

fn planned_consistency(nodes: &HashMap<NodeId, Hash>, from: u64, to: u64) -> Vec<Hash> {
    let plan = consistency_plan(from, to).unwrap();
    assemble(&plan, |id| nodes.get(&id).copied()).unwrap()
}

fn planned_root(nodes: &HashMap<NodeId, Hash>, size: u64) -> Hash {
    let plan = vec![root_plan(size)];
    if size == 0 {
        return empty_root();
    }
    assemble(&plan, |id| nodes.get(&id).copied()).unwrap()[0]
}

#[test]
fn kat_roots_for_every_size() {
    let leaves = leaf_hashes();
    let mut frontier = Frontier::new();
    let mut completed = Vec::new();
    assert_eq!(frontier.root(), h(ROOT_HASHES[0]));
    for size in 1..=8 {
        frontier.append(leaves[size - 1], &mut completed);
        assert_eq!(
            root_from_leaves(&leaves[..size]),
            h(ROOT_HASHES[size]),
            "size {size}"
        );
        assert_eq!(frontier.root(), h(ROOT_HASHES[size]), "size {size}");
    }
    assert_eq!(empty_root(), h(ROOT_HASHES[0]));
    assert_eq!(root_from_leaves(&[]), empty_root());
    let nodes = stored_nodes(&leaves);
    for size in 0..=8u64 {
        assert_eq!(planned_root(&nodes, size), h(ROOT_HASHES[size as usize]));
    }
}

#[test]
fn kat_frontier_emits_every_node_hash() {
    let nodes = stored_nodes(&leaf_hashes());
    let mut expected = HashMap::new();
    for (level, row) in NODE_HASHES.iter().enumerate() {
        for (index, hash) in row.iter().enumerate() {
            expected.insert(
                NodeId {
                    level: level as u8,
                    index: index as u64,
                },
                h(hash),
            );
        }
    }
    assert_eq!(nodes, expected);
}

/// testonly/constants.go `CompactTrees()`: the frontier after each append.
#[test]
fn kat_compact_trees() {
    let n = |level: usize, index: usize| h(NODE_HASHES[level][index]);
    let expected: Vec<Vec<Hash>> = vec![
        vec![],
        vec![n(0, 0)],
        vec![n(1, 0)],
        vec![n(1, 0), n(0, 2)],
        vec![n(2, 0)],
        vec![n(2, 0), n(0, 4)],
        vec![n(2, 0), n(1, 2)],
        vec![n(2, 0), n(1, 2), n(0, 6)],
        vec![n(3, 0)],
    ];
    let leaves = leaf_hashes();
    let mut frontier = Frontier::new();
    let mut completed = Vec::new();
    assert_eq!(frontier.hashes(), &expected[0][..]);
    for (size, want) in expected.iter().enumerate().skip(1) {
        frontier.append(leaves[size - 1], &mut completed);
        assert_eq!(frontier.hashes(), &want[..], "size {size}");
        let restored = Frontier::from_bytes(size as u64, &frontier.to_bytes()).unwrap();
        assert_eq!(restored, frontier);
    }
}

#[test]
fn kat_inclusion_proofs() {
    let leaves = leaf_hashes();
    let nodes = stored_nodes(&leaves);
    for (index, size, proof) in inclusion_vectors() {
        let root = h(ROOT_HASHES[size as usize]);
        assert_eq!(
            inclusion_from_leaves(&leaves[..size as usize], index),
            proof
        );
        assert_eq!(planned_inclusion(&nodes, index, size), proof);
        verify_inclusion(&leaves[index as usize], index, size, &proof, &root).unwrap();
    }
}

#[test]
fn kat_consistency_proofs() {
    let leaves = leaf_hashes();
    let nodes = stored_nodes(&leaves);
    for (from, to, proof) in consistency_vectors() {
        let (from_root, to_root) = (h(ROOT_HASHES[from as usize]), h(ROOT_HASHES[to as usize]));
        assert_eq!(consistency_from_leaves(&leaves[..to as usize], from), proof);
        assert_eq!(planned_consistency(&nodes, from, to), proof);
        verify_consistency(from, to, &proof, &from_root, &to_root).unwrap();
    }
}

/// The probes of proof/verify_test.go `corruptInclusionProof` and
/// `corruptConsistencyProof`, applied to the known-answer proofs.
#[test]
fn kat_corrupted_proofs_fail() {
    let leaves = leaf_hashes();
    let some = h("abacaba000000000000000000000000000000000000000000060061e00123456");
    for (index, size, proof) in inclusion_vectors() {
        let root = h(ROOT_HASHES[size as usize]);
        let leaf = leaves[index as usize];
        let bad = |i: u64, s: u64, l: &Hash, p: &[Hash], r: &Hash| {
            verify_inclusion(l, i, s, p, r).is_err()
        };
        assert!(bad(index.wrapping_sub(1), size, &leaf, &proof, &root));
        assert!(bad(index + 1, size, &leaf, &proof, &root));
        assert!(bad(index ^ 2, size, &leaf, &proof, &root));
        assert!(bad(index, size * 2, &leaf, &proof, &root));
        assert!(bad(index, size / 2, &leaf, &proof, &root));
        assert!(bad(index, size, &some, &proof, &root));
        assert!(bad(index, size, &leaf, &proof, &empty_root()));
        assert!(bad(index, size, &leaf, &proof, &some));
        let mut longer = proof.clone();
        longer.push(root);
        assert!(bad(index, size, &leaf, &longer, &root));
        let mut longer = vec![root];
        longer.extend_from_slice(&proof);
        assert!(bad(index, size, &leaf, &longer, &root));
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 8;
            assert!(bad(index, size, &leaf, &p, &root));
        }
        if !proof.is_empty() {
            assert!(bad(index, size, &leaf, &proof[..proof.len() - 1], &root));
        }
    }
    for (from, to, proof) in consistency_vectors() {
        if proof.is_empty() {
            continue;
        }
        let (r1, r2) = (h(ROOT_HASHES[from as usize]), h(ROOT_HASHES[to as usize]));
        let bad = |f: u64, t: u64, p: &[Hash], a: &Hash, b: &Hash| {
            verify_consistency(f, t, p, a, b).is_err()
        };
        assert!(bad(from - 1, to, &proof, &r1, &r2));
        assert!(bad(from + 1, to, &proof, &r1, &r2));
        assert!(bad(from ^ 2, to, &proof, &r1, &r2));
        assert!(bad(from, to * 2, &proof, &r1, &r2));
        assert!(bad(from, to / 2, &proof, &r1, &r2));
        assert!(bad(from, to, &proof, &some, &r2));
        assert!(bad(from, to, &proof, &r1, &some));
        assert!(bad(from, to, &proof, &r2, &r1));
        assert!(bad(from, to, &[], &r1, &r2));
        for extra in [r1, r2] {
            let mut p = proof.clone();
            p.push(extra);
            assert!(bad(from, to, &p, &r1, &r2));
            let mut p = vec![extra];
            p.extend_from_slice(&proof);
            assert!(bad(from, to, &p, &r1, &r2));
        }
        let mut p = vec![proof[0]];
        p.extend_from_slice(&proof);
        assert!(bad(from, to, &p, &r1, &r2));
        assert!(bad(from, to, &proof[..proof.len() - 1], &r1, &r2));
        for i in 0..proof.len() {
            let mut p = proof.clone();
            p[i][0] ^= 16;
            assert!(bad(from, to, &p, &r1, &r2));
        }
    }
}

/// proof/verify_test.go `TestVerifyConsistency` edge cases, where they apply to our
/// API (which refuses size 0 instead of accepting any proof from the empty tree).
#[test]
fn consistency_edge_cases() {
    let (a, b) = (h(ROOT_HASHES[1]), h(ROOT_HASHES[2]));
    assert!(verify_consistency(1, 1, &[], &a, &a).is_ok());
    assert_eq!(
        verify_consistency(1, 1, &[], &a, &b),
        Err(MerkleError::RootMismatch)
    );
    assert_eq!(
        verify_consistency(1, 1, &[empty_root()], &a, &a),
        Err(MerkleError::WrongProofLength)
    );
    assert_eq!(
        verify_consistency(0, 1, &[], &a, &b),
        Err(MerkleError::InvalidSizes { from: 0, to: 1 })
    );
    assert_eq!(
        verify_consistency(2, 1, &[], &a, &b),
        Err(MerkleError::InvalidSizes { from: 2, to: 1 })
    );
    assert_eq!(
        verify_consistency(1, 2, &[], &a, &b),
        Err(MerkleError::WrongProofLength)
    );
    assert_eq!(
        consistency_plan(0, 5),
        Err(MerkleError::InvalidSizes { from: 0, to: 5 })
    );
    assert_eq!(
        consistency_plan(6, 5),
        Err(MerkleError::InvalidSizes { from: 6, to: 5 })
    );
    assert_eq!(consistency_plan(5, 5), Ok(vec![]));
    assert_eq!(
        inclusion_plan(5, 5),
        Err(MerkleError::IndexOutOfRange { index: 5, size: 5 })
    );
    assert_eq!(
        verify_inclusion(&a, 0, 0, &[], &a),
        Err(MerkleError::IndexOutOfRange { index: 0, size: 0 })
    );
    // transparency-dev TestVerifyInclusionSingleEntry: a one-leaf tree's root is its leaf.
    let leaf = leaf_hash(b"data");
    assert!(verify_inclusion(&leaf, 0, 1, &[], &leaf).is_ok());
    assert!(verify_inclusion(&leaf, 0, 1, &[], &empty_root()).is_err());
}

#[test]
fn assemble_reports_missing_nodes_and_empty_steps() {
    let plan = inclusion_plan(0, 8).unwrap();
    assert_eq!(
        assemble(&plan, |_| None),
        Err(MerkleError::MissingNode(NodeId { level: 0, index: 1 }))
    );
    assert_eq!(
        assemble(&[vec![]], |_| Some([0; 32])),
        Err(MerkleError::EmptyPlanStep)
    );
}

#[test]
fn frontier_shape_is_checked() {
    assert!(Frontier::from_parts(3, vec![[0; 32]]).is_err());
    assert!(Frontier::from_parts(3, vec![[0; 32], [1; 32]]).is_ok());
    assert!(Frontier::from_bytes(3, &[0; 63]).is_err());
    assert!(Frontier::from_bytes(0, &[]).is_ok());
    assert!(Frontier::from_bytes(u64::MAX, &[0; 32]).is_err());
}

/// Plans must stay O(log n): for a tree of 2^40 + 2^20 + 5 leaves no proof may name
/// more than a couple of nodes per level.
#[test]
fn plans_are_logarithmic() {
    let size = (1u64 << 40) + (1 << 20) + 5;
    for index in [0, 1, size / 2, size - 6, size - 1] {
        let nodes: usize = inclusion_plan(index, size)
            .unwrap()
            .iter()
            .map(Vec::len)
            .sum();
        assert!(nodes <= 2 * 64, "inclusion {index}: {nodes} nodes");
    }
    for from in [1, 2, 3, size / 3, size - 1] {
        let nodes: usize = consistency_plan(from, size)
            .unwrap()
            .iter()
            .map(Vec::len)
            .sum();
        assert!(nodes <= 2 * 64, "consistency {from}: {nodes} nodes");
    }
    assert_eq!(root_plan(size).len(), size.count_ones() as usize);
    assert_eq!(root_plan(u64::MAX).len(), 64);
}

/// Leaf hashes of `n` distinct leaves.
fn leaves_of(n: usize) -> Vec<Hash> {
    (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// Leaf hashes, every stored node, and the root at every size from 0.
type BigTree = (Vec<Hash>, HashMap<NodeId, Hash>, Vec<Hash>);

/// A shared tree large enough for the properties below, built once.
fn big_tree() -> &'static BigTree {
    use std::sync::OnceLock;
    static TREE: OnceLock<BigTree> = OnceLock::new();
    TREE.get_or_init(|| {
        let leaves = leaves_of(3000);
        let nodes = stored_nodes(&leaves);
        let mut frontier = Frontier::new();
        let mut roots = vec![frontier.root()];
        let mut sink = Vec::new();
        for leaf in &leaves {
            frontier.append(*leaf, &mut sink);
            roots.push(frontier.root());
        }
        (leaves, nodes, roots)
    })
}

proptest! {
    #[test]
    fn inclusion_proofs_verify((size, index) in (1u64..=3000).prop_flat_map(|s| (Just(s), 0..s))) {
        let (leaves, nodes, roots) = big_tree();
        let planned = planned_inclusion(nodes, index, size);
        let reference = inclusion_from_leaves(&leaves[..size as usize], index);
        prop_assert_eq!(&planned, &reference);
        prop_assert_eq!(root_from_leaves(&leaves[..size as usize]), roots[size as usize]);
        prop_assert_eq!(planned_root(nodes, size), roots[size as usize]);
        prop_assert!(verify_inclusion(&leaves[index as usize], index, size, &planned, &roots[size as usize]).is_ok());
    }

    #[test]
    fn consistency_proofs_verify((to, from) in (1u64..=3000).prop_flat_map(|t| (Just(t), 1..=t))) {
        let (leaves, nodes, roots) = big_tree();
        let planned = planned_consistency(nodes, from, to);
        let reference = consistency_from_leaves(&leaves[..to as usize], from);
        prop_assert_eq!(&planned, &reference);
        prop_assert!(verify_consistency(from, to, &planned, &roots[from as usize], &roots[to as usize]).is_ok());
    }

    #[test]
    fn flipping_any_byte_breaks_inclusion(
        (size, index) in (1u64..=3000).prop_flat_map(|s| (Just(s), 0..s)),
        which in any::<prop::sample::Index>(),
        byte in 0usize..32,
        bit in 0u8..8,
    ) {
        let (leaves, nodes, roots) = big_tree();
        let proof = planned_inclusion(nodes, index, size);
        let mut leaf = leaves[index as usize];
        let mut root = roots[size as usize];
        // Pick one of: a proof hash, the root, the leaf.
        let target = which.index(proof.len() + 2);
        let mut proof = proof;
        let flip = 1u8 << bit;
        if target < proof.len() {
            proof[target][byte] ^= flip;
        } else if target == proof.len() {
            root[byte] ^= flip;
        } else {
            leaf[byte] ^= flip;
        }
        prop_assert!(verify_inclusion(&leaf, index, size, &proof, &root).is_err());
    }

    #[test]
    fn flipping_any_byte_breaks_consistency(
        (to, from) in (2u64..=3000).prop_flat_map(|t| (Just(t), 1..t)),
        which in any::<prop::sample::Index>(),
        byte in 0usize..32,
        bit in 0u8..8,
    ) {
        let (_, nodes, roots) = big_tree();
        let mut proof = planned_consistency(nodes, from, to);
        let mut from_root = roots[from as usize];
        let mut to_root = roots[to as usize];
        let target = which.index(proof.len() + 2);
        let flip = 1u8 << bit;
        if target < proof.len() {
            proof[target][byte] ^= flip;
        } else if target == proof.len() {
            from_root[byte] ^= flip;
        } else {
            to_root[byte] ^= flip;
        }
        prop_assert!(verify_consistency(from, to, &proof, &from_root, &to_root).is_err());
    }

    #[test]
    fn wrong_positions_fail(
        (size, index) in (1u64..=3000).prop_flat_map(|s| (Just(s), 0..s)),
        other_index in 0u64..3000,
    ) {
        let (leaves, nodes, roots) = big_tree();
        let proof = planned_inclusion(nodes, index, size);
        let leaf = leaves[index as usize];
        let root = roots[size as usize];
        if other_index != index && other_index < size {
            prop_assert!(verify_inclusion(&leaf, other_index, size, &proof, &root).is_err());
        }
        // The probes of transparency-dev's corruptInclusionProof. Note that sizes with the
        // same path shape cannot be told apart by the proof alone (index 0 has the same
        // path in every tree of 2049..=4096 leaves): the root, from a signed checkpoint,
        // is what binds the size.
        prop_assert!(verify_inclusion(&leaf, index, size * 2, &proof, &root).is_err());
        if index < size / 2 {
            prop_assert!(verify_inclusion(&leaf, index, size / 2, &proof, &root).is_err());
        }
    }

    #[test]
    fn verifiers_never_panic(
        index in any::<u64>(),
        size in any::<u64>(),
        proof in prop::collection::vec(any::<[u8; 32]>(), 0..70),
        a in any::<[u8; 32]>(),
        b in any::<[u8; 32]>(),
    ) {
        let _ = verify_inclusion(&a, index, size, &proof, &b);
        let _ = verify_consistency(index, size, &proof, &a, &b);
        let _ = inclusion_plan(index, size);
        let _ = consistency_plan(index, size);
    }
}
