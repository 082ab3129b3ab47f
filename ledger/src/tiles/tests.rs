//! Known answers for tile paths (from the C2SP tlog-tiles spec) and properties tying tiles
//! to the Merkle code: tiles rebuilt from leaves give back the same roots and proofs.

use std::collections::HashMap;

use proptest::prelude::*;

use super::path::{encode_index, parse, parse_index};
use super::*;
use crate::merkle::{
    assemble, consistency_from_leaves, consistency_plan, inclusion_from_leaves, inclusion_plan,
    leaf_hash, root_plan, Frontier,
};

fn hashes_tile(level: u8, index: u64, width: u16) -> TileId {
    TileId {
        kind: TileKind::Hashes(level),
        index,
        width,
    }
}

// The spec's example (c2sp.org/tlog-tiles, "Merkle Tree"): "index 1234067 will be encoded
// as x001/x234/067".
#[test]
fn index_encoding_matches_the_spec_example() {
    assert_eq!(encode_index(1_234_067), "x001/x234/067");
    assert_eq!(parse_index("x001/x234/067"), Some(1_234_067));
    assert_eq!(encode_index(0), "000");
    assert_eq!(encode_index(999), "999");
    assert_eq!(encode_index(1000), "x001/000");
    assert_eq!(encode_index(u64::MAX), "x018/x446/x744/x073/x709/x551/615");
    assert_eq!(
        parse_index("x018/x446/x744/x073/x709/x551/615"),
        Some(u64::MAX)
    );
}

#[test]
fn paths_match_the_spec_grammar() {
    assert_eq!(
        hashes_tile(0, 1_234_067, 256).path(),
        "tile/0/x001/x234/067"
    );
    assert_eq!(hashes_tile(2, 5, 7).path(), "tile/2/005.p/7");
    let bundle = TileId {
        kind: TileKind::Entries,
        index: 1_234_067,
        width: 8,
    };
    assert_eq!(bundle.path(), "tile/entries/x001/x234/067.p/8");
    for tile in [hashes_tile(0, 1_234_067, 256), hashes_tile(2, 5, 7), bundle] {
        assert_eq!(parse(&tile.path()), Some(tile));
    }
}

#[test]
fn other_spellings_of_a_tile_are_refused() {
    for bad in [
        "tile/0/1",
        "tile/0/0001",
        "tile/0/x1/000",
        "tile/0/001/000",
        "tile/0/x000/001",
        "tile/00/000",
        "tile/64/000",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/07",
        "tile/0/000.p/",
        "tile/entries/000.p/x",
        "tile/0/x018/x446/x744/x073/x709/x551/616",
        "tile/0/",
        "tile/0",
        "tiles/0/000",
        "tile/-1/000",
        "tile/0/000/",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}

#[test]
fn bundles_round_trip_and_truncation_is_found() {
    let mut bundle = Vec::new();
    for entry in [&b"{}"[..], b"", &[7u8; 300]] {
        push_bundle_entry(&mut bundle, entry).unwrap();
    }
    assert_eq!(&bundle[..4], &[0, 2, b'{', b'}']);
    let entries = bundle_entries(&bundle).unwrap();
    assert_eq!(entries, vec![&b"{}"[..], b"", &[7u8; 300]]);
    assert_eq!(
        bundle_entries(&bundle[..bundle.len() - 1]),
        Err(BundleError::Truncated(2))
    );
    assert_eq!(bundle_entries(&[0]), Err(BundleError::Truncated(0)));
    assert_eq!(
        push_bundle_entry(&mut Vec::new(), &vec![0; 65_536]),
        Err(BundleError::EntryTooLarge(65_536))
    );
}

#[test]
fn tiles_for_size_lists_full_then_partial_per_level() {
    assert_eq!(tiles_for_size(0).count(), 0);
    assert_eq!(
        tiles_for_size(3).collect::<Vec<_>>(),
        vec![hashes_tile(0, 0, 3)]
    );
    let size = 256 * 256 + 2 * 256 + 5;
    let tiles: Vec<TileId> = tiles_for_size(size).collect();
    // 258 full level-0 tiles and a partial one of 5; 258 level-1 hashes make a full tile
    // and a partial one of 2; one level-2 hash.
    assert_eq!(tiles.len(), 259 + 2 + 1);
    assert_eq!(tiles[258], hashes_tile(0, 258, 5));
    assert_eq!(tiles[259], hashes_tile(1, 0, 256));
    assert_eq!(tiles[260], hashes_tile(1, 1, 2));
    assert_eq!(tiles[261], hashes_tile(2, 0, 1));
    assert!(hashes_tile(1, 1, 2).exists_at(size));
    assert!(!hashes_tile(1, 1, 3).exists_at(size));
    assert_eq!(hashes_tile(1, 1, 2).first_leaf(), 65_536);
}

/// Tiles of the tree of these leaves as the builder makes them, by (kind, index).
fn build(leaves: &[Hash]) -> HashMap<(TileKind, u64), (TileId, Vec<u8>)> {
    let mut builder = TileBuilder::new();
    let mut tiles = HashMap::new();
    let mut keep = |tile: TileId, hashes: Vec<Hash>| {
        tiles.insert((tile.kind, tile.index), (tile, hashes.concat()));
    };
    for leaf in leaves {
        for (tile, hashes) in builder.push(*leaf) {
            keep(tile, hashes);
        }
    }
    for (tile, hashes) in builder.finish() {
        keep(tile, hashes);
    }
    tiles
}

/// Checks the builder's tiles against `tiles_for_size`, against the nodes a frontier
/// stores, and that roots and proofs assembled from them equal the reference ones.
fn check_tiles_agree(leaves: &[Hash], probes: &[(u64, u64)]) {
    let n = leaves.len() as u64;
    let tiles = build(leaves);
    let mut ids: Vec<TileId> = tiles.values().map(|(t, _)| *t).collect();
    ids.sort();
    let mut expected: Vec<TileId> = tiles_for_size(n).collect();
    expected.sort();
    assert_eq!(ids, expected);

    // The server serves tiles from the nodes the frontier reports: same bytes.
    let mut frontier = Frontier::new();
    let mut nodes = HashMap::new();
    let mut completed = Vec::new();
    for leaf in leaves {
        frontier.append(*leaf, &mut completed);
        nodes.extend(completed.drain(..));
    }
    for (tile, bytes) in tiles.values() {
        let TileKind::Hashes(level) = tile.kind else {
            unreachable!()
        };
        let first = tile.index * 256;
        let from_nodes: Vec<u8> = (first..first + u64::from(tile.width))
            .flat_map(|index| {
                nodes[&NodeId {
                    level: level * 8,
                    index,
                }]
            })
            .collect();
        assert_eq!(&from_nodes, bytes, "{tile:?}");
    }

    let lookup = |id: NodeId| {
        let location = locate(id);
        let (tile, bytes) = tiles.get(&(location.tile.kind, location.tile.index))?;
        assert!(tile.width >= location.tile.width);
        node_hash_in_tile(&location, bytes)
    };
    for &(a, b) in probes {
        let size = b % n + 1;
        let index = a % size;
        let prefix = &leaves[..size as usize];
        let root = assemble(&[root_plan(size)], lookup).unwrap()[0];
        assert_eq!(root, root_from_leaves(prefix));
        let proof = assemble(&inclusion_plan(index, size).unwrap(), lookup).unwrap();
        assert_eq!(proof, inclusion_from_leaves(prefix, index));
        let from = index + 1;
        let proof = assemble(&consistency_plan(from, size).unwrap(), lookup).unwrap();
        assert_eq!(proof, consistency_from_leaves(prefix, from));
    }
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

#[test]
fn second_level_tiles_agree_with_the_merkle_code() {
    // Enough leaves for a full level-1 tile, two more level-0 tiles and a partial one.
    let n = 256 * 256 + 2 * 256 + 5;
    check_tiles_agree(
        &leaves(n),
        &[
            (0, n - 1),
            (65_535, n - 1),
            (65_536, n - 1),
            (70_000, 65_535),
            (3, 300),
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn tiles_reassemble_into_the_same_roots_and_proofs(
        n in 1u64..1400,
        probes in proptest::collection::vec((any::<u64>(), any::<u64>()), 1..6),
    ) {
        check_tiles_agree(&leaves(n), &probes);
    }

    #[test]
    fn any_tile_path_round_trips(
        level in prop_oneof![Just(None), (0u8..=63).prop_map(Some)],
        index in any::<u64>(),
        width in 1u16..=256,
    ) {
        let tile = TileId {
            kind: level.map_or(TileKind::Entries, TileKind::Hashes),
            index,
            width,
        };
        prop_assert_eq!(parse(&tile.path()), Some(tile));
    }
}
