//! `sijill verify DIR` on a mirror (`sijill mirror`, docs/tiles.md) rather than an export:
//! the same checks of every entry, documents and checkpoint, plus every stored tile.
//!
//! Two streaming passes over `DIR/log/tile/`, neither holding more than one bundle:
//!
//! 1. **Tiles.** Each bundle's entries are hashed as leaves into a [`TileBuilder`], and
//!    every hash tile it completes (and, at the end, each partial one) is compared with
//!    the stored file. The first difference becomes a failure at the first entry under the
//!    differing hash, e.g. `index 300: tile/0/001: hash 44 does not match the entries`; a
//!    missing or truncated file, at the first entry it should hold. The pass stops at a
//!    missing or truncated bundle, since later leaves are then unknown.
//! 2. **Entries.** The bundles, written out as `entries.jsonl` lines, go through the same
//!    replay as an export (`export::verify_lines`), up to and including the entry of the
//!    tile failure, if any, so that a broken entry is reported for what is wrong with it
//!    (its signature, say) rather than as a tile mismatch at the same index.
//!
//! The tree size is read from `DIR/log/checkpoint` before its signature is checked (it
//! only says which files to read); the signature and root are checked at the end as for an
//! export. A checkpoint whose body cannot be read fails at index 0, since no entry can be
//! located without it.

use std::io::{self, Read};

use ledger::hash::Hash;
use ledger::merkle::leaf_hash;
use ledger::tiles::{self, TileBuilder, TileId, TileKind, HASH_BYTES, TILE_WIDTH};
use ledger::Checkpoint;

use crate::export::{
    io_error, read_limited, trusted_keys, verify_lines, Chunks, ExportFiles, Progress, Run, Stop,
    MAX_CHECKPOINT_BYTES,
};
use crate::{Failure, Verified};

/// A full bundle of maximal entries: 256 × (2 + 65,535) bytes.
const MAX_BUNDLE_BYTES: u64 = 256 * (2 + 65_535);

/// Whether `files` are laid out as a mirror (`log/checkpoint`, no `entries.jsonl`) rather
/// than an export.
///
/// # Errors
/// A file exists but cannot be opened.
pub fn is_mirror(files: &dyn ExportFiles) -> io::Result<bool> {
    let exists = |name: &str| files.open(name).map(|file| file.is_some());
    Ok(!exists("entries.jsonl")? && exists("log/checkpoint")?)
}

/// Verifies the mirror in `dir` (see the module documentation).
pub(crate) fn verify(
    files: &dyn ExportFiles,
    log_key: Option<&str>,
    progress: &dyn Progress,
    chunks: Chunks,
) -> Result<Verified, Stop> {
    let keys = trusted_keys(files, log_key)?;
    let checkpoint = read_limited(files, "log/checkpoint", MAX_CHECKPOINT_BYTES)?;
    let size = claimed_size(&checkpoint).map_err(|reason| Failure {
        index: 0,
        reason: format!("checkpoint: {reason}"),
    })?;
    let tiles = check_tiles(files, size)?;
    let limit = tiles
        .failure
        .as_ref()
        .map_or(size, |f| f.index.saturating_add(1).min(size));
    let lines = io::BufReader::with_capacity(1 << 20, BundleLines::new(files, size, limit));
    let run = Run {
        progress,
        chunks,
        cut: tiles.failure,
    };
    verify_lines(keys, &checkpoint, lines, tiles.line_bytes, files, run)
}

/// The tree size a checkpoint note claims, before its signature is checked.
fn claimed_size(note: &[u8]) -> Result<u64, String> {
    if note.len() as u64 > MAX_CHECKPOINT_BYTES {
        return Err("file larger than 64 KiB".to_owned());
    }
    let text = std::str::from_utf8(note).map_err(|_| "not UTF-8 text".to_owned())?;
    let (body, _) = text
        .split_once("\n\n")
        .ok_or_else(|| "not a signed note".to_owned())?;
    Checkpoint::parse_body(&format!("{body}\n"))
        .map(|c| c.size)
        .map_err(|e| e.to_string())
}

/// What the tile pass found.
struct TilePass {
    /// The failure with the lowest index, if any.
    failure: Option<Failure>,
    /// Bytes of the entries as `entries.jsonl` lines, for the progress bar.
    line_bytes: u64,
}

/// Pass 1: recompute every tile from the bundles and compare with the stored ones.
fn check_tiles(files: &dyn ExportFiles, size: u64) -> Result<TilePass, Stop> {
    let mut pass = TilePass {
        failure: None,
        line_bytes: 0,
    };
    let note = |kept: &mut Option<Failure>, failure: Failure| {
        let lower = match kept {
            Some(kept) => failure.index < kept.index,
            None => true,
        };
        if lower {
            *kept = Some(failure);
        }
    };
    let mut builder = TileBuilder::new();
    let mut complete = true;
    for bundle in tiles::bundles_for_size(size) {
        let first = bundle.first_leaf();
        let Some(bytes) = read_tile(files, &bundle, MAX_BUNDLE_BYTES)? else {
            note(&mut pass.failure, missing(&bundle, first));
            complete = false;
            break;
        };
        let (entries, broken) = tiles::bundle_prefix(&bytes);
        let width = usize::from(bundle.width);
        for entry in entries.iter().take(width) {
            pass.line_bytes += entry.len() as u64 + 1;
            for (tile, hashes) in builder.push(leaf_hash(entry)) {
                if let Some(failure) = compare(files, &tile, &hashes, pass.failure.as_ref())? {
                    note(&mut pass.failure, failure);
                }
            }
        }
        if entries.len() != width || broken.is_some() {
            let held = entries.len().min(width);
            let reason = if entries.len() > width {
                format!("{} holds more than {width} entries", bundle.path())
            } else {
                format!("{} is truncated after {held} entries", bundle.path())
            };
            note(
                &mut pass.failure,
                Failure {
                    index: first + held as u64,
                    reason,
                },
            );
            complete = entries.len() >= width;
            if !complete {
                break;
            }
        }
    }
    if complete {
        for (tile, hashes) in builder.finish() {
            if let Some(failure) = compare(files, &tile, &hashes, pass.failure.as_ref())? {
                note(&mut pass.failure, failure);
            }
        }
    }
    Ok(pass)
}

/// Compares a recomputed tile with the stored file. `known` is the lowest failure found so
/// far: a hash over entries that already failed below is expected to differ (it was
/// recomputed from those entries) and is not reported again.
fn compare(
    files: &dyn ExportFiles,
    tile: &TileId,
    hashes: &[Hash],
    known: Option<&Failure>,
) -> Result<Option<Failure>, Stop> {
    let limit = u64::from(TILE_WIDTH) * HASH_BYTES as u64;
    let Some(stored) = read_tile(files, tile, limit)? else {
        return Ok(Some(missing(tile, tile.first_leaf())));
    };
    let TileKind::Hashes(level) = tile.kind else {
        return Ok(None);
    };
    let first_leaf = |position: u64| {
        (tile.index * u64::from(TILE_WIDTH) + position)
            .checked_shl(u32::from(level) * 8)
            .unwrap_or(u64::MAX)
    };
    for (position, hash) in hashes.iter().enumerate() {
        let bytes = stored.get(position * HASH_BYTES..(position + 1) * HASH_BYTES);
        if bytes == Some(hash.as_slice()) {
            continue;
        }
        let (start, end) = (first_leaf(position as u64), first_leaf(position as u64 + 1));
        if known.is_some_and(|f| (start..end).contains(&f.index)) {
            continue;
        }
        return Ok(Some(Failure {
            index: start,
            reason: format!(
                "{}: hash {position} does not match the entries",
                tile.path()
            ),
        }));
    }
    if stored.len() != hashes.len() * HASH_BYTES {
        return Ok(Some(Failure {
            index: tile.first_leaf(),
            reason: format!("{} has {} bytes", tile.path(), stored.len()),
        }));
    }
    Ok(None)
}

fn missing(tile: &TileId, index: u64) -> Failure {
    Failure {
        index,
        reason: format!("{} missing", tile.path()),
    }
}

/// A tile's bytes (at most `limit + 1`), or `None` if the file does not exist.
fn read_tile(files: &dyn ExportFiles, tile: &TileId, limit: u64) -> Result<Option<Vec<u8>>, Stop> {
    let name = format!("log/{}", tile.path());
    read_optional(files, &name, limit).map_err(|e| io_error(files, &name, &e))
}

/// A file's bytes (at most `limit + 1`), or `None` if it does not exist.
fn read_optional(files: &dyn ExportFiles, name: &str, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let Some(file) = files.open(name)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.reader.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Pass 2's input: the first `limit` entries of the bundles as `entries.jsonl` lines
/// (each entry and a line feed), one bundle in memory at a time. A missing or truncated
/// bundle ends the lines early: pass 1 has reported it.
struct BundleLines<'a> {
    files: &'a dyn ExportFiles,
    /// The tree size: which bundles exist and how wide each is.
    size: u64,
    /// The index of the next bundle to read.
    next: u64,
    remaining: u64,
    buffer: Vec<u8>,
    position: usize,
}

impl<'a> BundleLines<'a> {
    fn new(files: &'a dyn ExportFiles, size: u64, limit: u64) -> Self {
        BundleLines {
            files,
            size,
            next: 0,
            remaining: limit.min(size),
            buffer: Vec::new(),
            position: 0,
        }
    }

    /// Loads the next bundle into the buffer; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        // Computed, not listed, so memory does not grow with the number of bundles.
        let first = self.next.saturating_mul(u64::from(TILE_WIDTH));
        if first >= self.size {
            return Ok(false);
        }
        let bundle = TileId {
            kind: TileKind::Entries,
            index: self.next,
            // At most 256.
            width: (self.size - first).min(u64::from(TILE_WIDTH)) as u16,
        };
        self.next += 1;
        let name = format!("log/{}", bundle.path());
        let Some(bytes) = read_optional(self.files, &name, MAX_BUNDLE_BYTES)? else {
            return Ok(false);
        };
        let (entries, _) = tiles::bundle_prefix(&bytes);
        self.buffer.clear();
        self.position = 0;
        for entry in entries.iter().take(usize::from(bundle.width)) {
            if self.remaining == 0 {
                break;
            }
            self.buffer.extend_from_slice(entry);
            self.buffer.push(b'\n');
            self.remaining -= 1;
        }
        // After a truncated bundle the next one's entries would be read at the wrong
        // indexes: the lines end here instead.
        if entries.len() < usize::from(bundle.width) {
            self.remaining = 0;
        }
        Ok(!self.buffer.is_empty())
    }
}

impl Read for BundleLines<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.position == self.buffer.len() {
            if self.remaining == 0 || !self.refill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}
