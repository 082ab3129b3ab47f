//! C2SP tlog-tiles: the Merkle tree cut into static, immutable files, so that a plain file
//! server (a mirror) can serve the whole log and clients compute proofs themselves.
//!
//! A *hash tile* at level `L`, index `N` holds the hashes of the complete subtrees at tree
//! level `8L` (subtrees of 256^L leaves) numbered `256N .. 256N + W`, 32 bytes each, in
//! order; `W` is 256 for a full tile and 1..=255 for a partial one. An *entry bundle* `N`
//! holds entries `256N .. 256N + W`, each as a 2-byte big-endian length and its canonical
//! bytes. A tree of size S has, at level L, `S >> 8L` hashes, so its tiles are fixed by S
//! alone ([`tiles_for_size`]), and a full tile never changes once written.
//!
//! This module does no I/O: [`TileId`] names a tile and its path ([`path`]), [`locate`]
//! says where a stored [`NodeId`] lives inside a tile, so [`crate::merkle::assemble`] can
//! build roots and proofs from tiles, and [`TileBuilder`] recomputes every tile from the
//! leaf hashes in one streaming pass, which is how a mirror's tiles are checked.

mod builder;
pub mod path;

pub use builder::TileBuilder;

use crate::hash::Hash;
use crate::merkle::{root_from_leaves, NodeId};

/// Tree levels per tile (the C2SP tlog-tiles height).
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile, and entries in a full bundle: 2^8.
pub const TILE_WIDTH: u16 = 256;
/// Bytes of one hash in a tile.
pub const HASH_BYTES: usize = 32;

/// Which kind of tile.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TileKind {
    /// A hash tile at this tile level (tree level `8 * level`).
    Hashes(u8),
    /// An entry bundle (its hashes are the level-0 tile of the same index).
    Entries,
}

/// One tile: its kind, its index within its level, and how many hashes (or entries) it
/// holds, from 1 to [`TILE_WIDTH`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// Hash tile of some level, or entry bundle.
    pub kind: TileKind,
    /// Position among the tiles of its level, from the left.
    pub index: u64,
    /// Number of hashes or entries: [`TILE_WIDTH`] for a full tile.
    pub width: u16,
}

impl TileId {
    /// Whether the tile is full, hence immutable and cacheable forever.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// The path below the log's prefix, e.g. `tile/0/x001/234.p/7` (see [`path`]).
    pub fn path(&self) -> String {
        path::encode(self)
    }

    /// The tiles level: `None` for an entry bundle.
    fn hash_level(&self) -> Option<u8> {
        match self.kind {
            TileKind::Hashes(level) => Some(level),
            TileKind::Entries => None,
        }
    }

    /// Whether a tree of `size` leaves holds this tile (at this width or wider).
    pub fn exists_at(&self, size: u64) -> bool {
        let available = match self.hash_level() {
            Some(level) => hashes_at_level(size, level),
            None => size,
        };
        self.index
            .checked_mul(u64::from(TILE_WIDTH))
            .and_then(|first| first.checked_add(u64::from(self.width)))
            .is_some_and(|end| end <= available)
    }

    /// The first leaf (entry index) this tile covers.
    pub fn first_leaf(&self) -> u64 {
        let shift = u32::from(self.hash_level().unwrap_or(0)) * u32::from(TILE_HEIGHT) + 8;
        self.index.checked_shl(shift).unwrap_or(u64::MAX)
    }
}

/// How many complete subtrees of tree level `8 * level` a tree of `size` leaves has: the
/// hashes available to tiles of that tile level.
pub fn hashes_at_level(size: u64, level: u8) -> u64 {
    size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT))
        .unwrap_or(0)
}

/// Every hash tile a tree of `size` leaves has, level by level and left to right: the full
/// tiles and, at each level whose hash count is not a multiple of 256, one partial tile.
pub fn tiles_for_size(size: u64) -> impl Iterator<Item = TileId> {
    (0u8..=7)
        .map(move |level| (level, hashes_at_level(size, level)))
        .take_while(|&(_, count)| count > 0)
        .flat_map(|(level, count)| tiles_of_count(TileKind::Hashes(level), count))
}

/// The entry bundles of a tree of `size` leaves: full ones, then a partial one if any.
pub fn bundles_for_size(size: u64) -> impl Iterator<Item = TileId> {
    tiles_of_count(TileKind::Entries, size)
}

fn tiles_of_count(kind: TileKind, count: u64) -> impl Iterator<Item = TileId> {
    let full = count / u64::from(TILE_WIDTH);
    // The remainder is below 256, so it fits a u16.
    let rest = (count % u64::from(TILE_WIDTH)) as u16;
    (0..full)
        .map(move |index| TileId {
            kind,
            index,
            width: TILE_WIDTH,
        })
        .chain((rest > 0).then_some(TileId {
            kind,
            index: full,
            width: rest,
        }))
}

/// Where a stored complete subtree lives in the tiles: the tile holding the hashes it is
/// made of (at the narrowest width that holds them), and the range of positions in that
/// tile whose perfect-tree hash is the node's hash.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NodeLocation {
    /// The hash tile.
    pub tile: TileId,
    /// First position in the tile.
    pub start: u16,
    /// Number of positions: a power of two, at most 256.
    pub count: u16,
}

/// Locates `node` in the hash tiles: a node at tree level `l` is the perfect subtree over
/// `2^(l mod 8)` consecutive hashes of the tile at level `l / 8`.
pub fn locate(node: NodeId) -> NodeLocation {
    let level = node.level / TILE_HEIGHT;
    let sub = u32::from(node.level % TILE_HEIGHT);
    let first = node.index << sub;
    // `first % 256 + 2^sub` is at most 256, as the node is aligned to its size.
    let start = (first % u64::from(TILE_WIDTH)) as u16;
    let count = 1u16 << sub;
    NodeLocation {
        tile: TileId {
            kind: TileKind::Hashes(level),
            index: first / u64::from(TILE_WIDTH),
            width: start + count,
        },
        start,
        count,
    }
}

/// The hash of `node` read from the bytes of the tile [`locate`] names (or a wider tile of
/// the same index). `None` if the tile is too short.
pub fn node_hash_in_tile(location: &NodeLocation, tile: &[u8]) -> Option<Hash> {
    let start = usize::from(location.start) * HASH_BYTES;
    let end = start + usize::from(location.count) * HASH_BYTES;
    let hashes = split_hashes(tile.get(start..end)?)?;
    Some(root_from_leaves(&hashes))
}

/// The hashes of a tile's bytes, or `None` if the length is not a multiple of 32.
pub fn split_hashes(tile: &[u8]) -> Option<Vec<Hash>> {
    if !tile.len().is_multiple_of(HASH_BYTES) {
        return None;
    }
    Some(
        tile.chunks_exact(HASH_BYTES)
            .map(|chunk| {
                let mut h = [0u8; HASH_BYTES];
                h.copy_from_slice(chunk);
                h
            })
            .collect(),
    )
}

/// Appends one entry to an entry bundle: its length as 2 bytes big-endian, then its bytes.
///
/// # Errors
/// [`BundleError::EntryTooLarge`] for an entry over 65,535 bytes (the format refuses those
/// before they are signed, so a log never has one).
pub fn push_bundle_entry(bundle: &mut Vec<u8>, entry: &[u8]) -> Result<(), BundleError> {
    let len = u16::try_from(entry.len()).map_err(|_| BundleError::EntryTooLarge(entry.len()))?;
    bundle.extend_from_slice(&len.to_be_bytes());
    bundle.extend_from_slice(entry);
    Ok(())
}

/// The entries of an entry bundle, in order.
///
/// # Errors
/// [`BundleError::Truncated`] when a length prefix or an entry runs past the end.
pub fn bundle_entries(bundle: &[u8]) -> Result<Vec<&[u8]>, BundleError> {
    match bundle_prefix(bundle) {
        (entries, None) => Ok(entries),
        (_, Some(error)) => Err(error),
    }
}

/// The entries a bundle holds whole, in order, and the error that stopped reading before
/// its end, if any: a verifier still checks the entries before a truncation.
pub fn bundle_prefix(bundle: &[u8]) -> (Vec<&[u8]>, Option<BundleError>) {
    let mut entries = Vec::new();
    let mut rest = bundle;
    while !rest.is_empty() {
        let [hi, lo, tail @ ..] = rest else {
            let at = entries.len();
            return (entries, Some(BundleError::Truncated(at)));
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if tail.len() < len {
            let at = entries.len();
            return (entries, Some(BundleError::Truncated(at)));
        }
        let (entry, after) = tail.split_at(len);
        entries.push(entry);
        rest = after;
    }
    (entries, None)
}

/// Why an entry bundle cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// An entry longer than a 2-byte length can say.
    #[error("entry of {0} bytes is longer than a bundle allows")]
    EntryTooLarge(usize),
    /// The bundle ends inside its entry number `.0` (0-based within the bundle).
    #[error("bundle truncated at its entry {0}")]
    Truncated(usize),
}

#[cfg(test)]
mod tests;
