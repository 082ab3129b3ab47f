//! Recomputing every tile of a tree from its leaf hashes, in one pass and in constant
//! memory: how `sijill verify` checks a mirror's stored tiles against its entries.

use super::{TileId, TileKind, TILE_WIDTH};
use crate::hash::Hash;
use crate::merkle::root_from_leaves;

/// Builds the hash tiles of a tree leaf by leaf.
///
/// [`push`](TileBuilder::push) returns the full tiles the leaf completes (the level-0 tile,
/// and a higher one each time 256 tiles below it complete); [`finish`](TileBuilder::finish)
/// returns the partial tiles at the end. Memory: at most 255 hashes per level.
#[derive(Debug, Default, Clone)]
pub struct TileBuilder {
    /// The hashes of the unfinished tile of each level, lowest level first.
    pending: Vec<Vec<Hash>>,
    /// Full tiles completed so far at each level.
    done: Vec<u64>,
}

impl TileBuilder {
    /// A builder for the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next leaf hash; returns the full tiles it completes, lowest level first,
    /// each with its 256 hashes.
    pub fn push(&mut self, leaf_hash: Hash) -> Vec<(TileId, Vec<Hash>)> {
        let mut completed = Vec::new();
        let mut carry = leaf_hash;
        let mut level = 0usize;
        loop {
            if self.pending.len() <= level {
                self.pending
                    .push(Vec::with_capacity(usize::from(TILE_WIDTH)));
                self.done.push(0);
            }
            self.pending[level].push(carry);
            if self.pending[level].len() < usize::from(TILE_WIDTH) {
                break;
            }
            let hashes = std::mem::take(&mut self.pending[level]);
            // The full tile's perfect-tree hash is the next tile level's next hash.
            carry = root_from_leaves(&hashes);
            completed.push((
                TileId {
                    // At most 8 levels for a u64 count of leaves.
                    kind: TileKind::Hashes(level as u8),
                    index: self.done[level],
                    width: TILE_WIDTH,
                },
                hashes,
            ));
            self.done[level] += 1;
            level += 1;
        }
        completed
    }

    /// The partial tiles of the tree pushed so far, lowest level first, each with its
    /// hashes (fewer than 256).
    pub fn finish(&self) -> Vec<(TileId, Vec<Hash>)> {
        self.pending
            .iter()
            .enumerate()
            .filter(|(_, hashes)| !hashes.is_empty())
            .map(|(level, hashes)| {
                (
                    TileId {
                        kind: TileKind::Hashes(level as u8),
                        index: self.done[level],
                        // Fewer than 256 hashes are pending.
                        width: hashes.len() as u16,
                    },
                    hashes.clone(),
                )
            })
            .collect()
    }
}
