//! `sijill mirror --server URL --out DIR`: a static copy of the log that any plain file
//! server can serve (docs/tiles.md).
//!
//! DIR gets `log/checkpoint`, `log/tile/...` (the C2SP tlog-tiles paths a Sijill server
//! answers under `/log/`), `log.pub` and `documents/<sha256>` (as in an export). The source
//! is a Sijill server or another mirror on a file server: the log keys are read from
//! `/v1/log/keys` (every key the log signed with), or from `/log.pub` where that is absent,
//! and documents likewise from `/v1/documents/` or `/documents/`.
//!
//! Run again on the same DIR, it fetches only what is new: full tiles never change, so
//! those already on disk are kept. Before writing anything it checks, with a consistency
//! proof built from the source's tiles, that the new checkpoint extends the one DIR holds,
//! and refuses otherwise. The checkpoint is written last, so an interrupted run leaves a
//! mirror of the old size (plus some extra immutable tiles) that a new run completes.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use ledger::hash::{from_hex, to_hex};
use ledger::merkle::{self, leaf_hash, NodeId};
use ledger::tiles::{self, TileId, TileKind, HASH_BYTES};
use ledger::{Checkpoint, SignedEntry, VerifierKey};
use serde_json::Value;

/// `sijill mirror`: exit 0 with a summary on standard error, 1 when the source's log is
/// not consistent with the mirror's (or its tiles do not match its checkpoint), 2 on usage
/// and I/O errors.
pub async fn run(server: &str, out: &Path) -> ExitCode {
    match mirror(server, out).await {
        Ok(size) => {
            eprintln!("mirrored {size} entries to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(MirrorError::Refused(message)) => {
            eprintln!("sijill mirror: refused: {message}");
            ExitCode::from(1)
        }
        Err(MirrorError::Io(message)) => {
            eprintln!("sijill mirror: {message}");
            ExitCode::from(2)
        }
    }
}

/// Why a mirror run stopped.
#[derive(Debug)]
pub enum MirrorError {
    /// The source contradicts itself or the mirror: inconsistent checkpoints, tiles that
    /// do not match the signed root, a different log key.
    Refused(String),
    /// Network, file or format trouble.
    Io(String),
}

impl From<String> for MirrorError {
    fn from(message: String) -> Self {
        MirrorError::Io(message)
    }
}

fn refused(message: impl Into<String>) -> MirrorError {
    MirrorError::Refused(message.into())
}

/// Mirrors `server` into `out`; returns the mirrored tree size.
///
/// # Errors
/// [`MirrorError`].
pub async fn mirror(server: &str, out: &Path) -> Result<u64, MirrorError> {
    let source = Source::open(server).await?;
    // One key per line, oldest first: after a rotation the list grows by one, and what
    // the mirror held before must still be its beginning.
    let keys = source
        .key
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| VerifierKey::parse(l.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| refused(format!("the source's log key is not a verifier key: {e}")))?;
    if keys.is_empty() {
        return Err(refused("the source lists no log key"));
    }
    let listed: String = keys.iter().map(|k| format!("{k}\n")).collect();
    let key_file = out.join("log.pub");
    if let Ok(existing) = std::fs::read_to_string(&key_file) {
        let held: Vec<&str> = existing
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let continues = !held.is_empty()
            && held.len() <= keys.len()
            && held.iter().zip(&keys).all(|(h, k)| *h == k.to_string());
        if !continues {
            return Err(refused(format!(
                "the source's log keys do not continue those of {}",
                key_file.display()
            )));
        }
    }
    let note = source.text("log/checkpoint").await?;
    let new = Checkpoint::open(&note, &keys)
        .map_err(|e| refused(format!("the source's checkpoint: {e}")))?;
    let old_path = out.join("log").join("checkpoint");
    let old = match std::fs::read_to_string(&old_path) {
        Ok(text) => Some(
            Checkpoint::open(&text, &keys)
                .map_err(|e| refused(format!("{}: {e}", old_path.display())))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", old_path.display()).into()),
    };

    // Check the new tree against its root (and the old one) before writing anything.
    let mut cache = TileCache::new(&source, new.size);
    check_tree(&mut cache, old.as_ref(), &new).await?;

    // Level-0 tiles travel with their bundles (each checks the other); higher levels after.
    let old_size = old.as_ref().map_or(0, |c| c.size);
    let wanted: Vec<TileId> = tiles::bundles_for_size(new.size)
        .chain(tiles::tiles_for_size(new.size).filter(|t| t.kind != TileKind::Hashes(0)))
        .collect();
    let bar = progress(wanted.len() as u64);
    let mut documents = BTreeSet::new();
    let mut withheld = BTreeSet::new();
    for tile in &wanted {
        let path = out.join("log").join(tile.path());
        // Full tiles are immutable: one the mirror's checkpoint already covers is kept as
        // it is. Those an interrupted run left beyond it are fetched and checked again.
        let end = tile.first_leaf().saturating_add(span(tile));
        if tile.is_full() && end <= old_size && path.is_file() {
            bar.inc(1);
            continue;
        }
        let bytes = cache.get(tile).await?;
        if tile.kind == TileKind::Entries {
            let level0_id = TileId {
                kind: TileKind::Hashes(0),
                ..*tile
            };
            let level0 = cache.get(&level0_id).await?;
            names_in_bundle(tile, &bytes, &level0, &mut documents, &mut withheld)?;
            write_atomically(&out.join("log").join(level0_id.path()), &level0)?;
            cache.forget(&level0_id);
        }
        write_atomically(&path, &bytes)?;
        cache.forget(tile);
        bar.inc(1);
    }
    bar.finish_and_clear();

    fetch_documents(&source, out, &documents, &withheld).await?;
    if let Some(old) = &old {
        remove_stale_partials(out, old.size, new.size);
    }
    write_atomically(&key_file, listed.as_bytes())?;
    write_atomically(&old_path, note.as_bytes())?;
    Ok(new.size)
}

/// Where tiles, the key and documents come from.
struct Source {
    client: reqwest::Client,
    base: String,
    key: String,
    /// A Sijill server (`/v1/...`) rather than a static mirror.
    is_server: bool,
}

impl Source {
    async fn open(server: &str) -> Result<Self, MirrorError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("sijill/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        let mut source = Source {
            client,
            base: server.trim_end_matches('/').to_owned(),
            key: String::new(),
            is_server: true,
        };
        // Every key the log signed with (several after a rotation), as log.pub lists them.
        match source.fetch("v1/log/keys").await? {
            Some(key) => source.key = String::from_utf8_lossy(&key).into_owned(),
            None => {
                source.is_server = false;
                source.key = source.text("log.pub").await?;
            }
        }
        Ok(source)
    }

    /// The bytes at `path`, or `None` on 404 or 410.
    async fn fetch(&self, path: &str) -> Result<Option<Vec<u8>>, MirrorError> {
        let url = format!("{}/{path}", self.base);
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(format!("{url}: {status}").into());
        }
        let bytes = crate::bounded::read(response, limit_for(path)).await?;
        Ok(Some(bytes))
    }

    async fn text(&self, path: &str) -> Result<String, MirrorError> {
        let bytes = self
            .fetch(path)
            .await?
            .ok_or_else(|| format!("{}/{path}: not found", self.base))?;
        String::from_utf8(bytes).map_err(|_| format!("{}/{path}: not UTF-8 text", self.base).into())
    }
}

/// The most a mirrored file at `path` can hold: a hash tile, an entry bundle, a checkpoint,
/// the log's keys or a document.
fn limit_for(path: &str) -> usize {
    use crate::bounded;
    if path.starts_with("log/tile/entries/") {
        bounded::ENTRY_BUNDLE
    } else if path.starts_with("log/tile/") {
        bounded::HASH_TILE
    } else if path.ends_with("checkpoint") {
        bounded::CHECKPOINT
    } else if path.ends_with("log.pub") || path.ends_with("log/keys") {
        bounded::KEYS
    } else {
        bounded::DOCUMENT
    }
}

/// Tiles fetched from the source for one tree size, kept until the caller is done with
/// them, with their length checked against the tile's width.
struct TileCache<'a> {
    source: &'a Source,
    size: u64,
    tiles: HashMap<TileId, Vec<u8>>,
}

impl<'a> TileCache<'a> {
    fn new(source: &'a Source, size: u64) -> Self {
        TileCache {
            source,
            size,
            tiles: HashMap::new(),
        }
    }

    async fn get(&mut self, tile: &TileId) -> Result<Vec<u8>, MirrorError> {
        if let Some(bytes) = self.tiles.get(tile) {
            return Ok(bytes.clone());
        }
        let path = format!("log/{}", tile.path());
        let bytes =
            self.source.fetch(&path).await?.ok_or_else(|| {
                refused(format!("the source has no {path} at size {}", self.size))
            })?;
        if let TileKind::Hashes(_) = tile.kind {
            if bytes.len() != usize::from(tile.width) * HASH_BYTES {
                return Err(refused(format!("{path} has {} bytes", bytes.len())));
            }
        }
        self.tiles.insert(*tile, bytes.clone());
        Ok(bytes)
    }

    fn forget(&mut self, tile: &TileId) {
        self.tiles.remove(tile);
    }

    /// The hash of a stored node of the tree of this size, read from the tile holding it
    /// (as wide as that tree has it).
    async fn node(&mut self, id: NodeId) -> Result<ledger::Hash, MirrorError> {
        let location = tiles::locate(id);
        let mut tile = location.tile;
        let TileKind::Hashes(level) = tile.kind else {
            unreachable!("locate names hash tiles")
        };
        let available =
            tiles::hashes_at_level(self.size, level).saturating_sub(tile.index.saturating_mul(256));
        // The tile as the tree of this size has it: full, or its partial width.
        tile.width = u16::try_from(available.min(256)).unwrap_or(256);
        let bytes = self.get(&tile).await?;
        tiles::node_hash_in_tile(&location, &bytes)
            .ok_or_else(|| refused(format!("{} is too short", tile.path())))
    }

    async fn assemble(&mut self, plan: &[Vec<NodeId>]) -> Result<Vec<ledger::Hash>, MirrorError> {
        let mut found = HashMap::new();
        for &id in plan.iter().flatten() {
            found.insert(id, self.node(id).await?);
        }
        merkle::assemble(plan, |id| found.get(&id).copied())
            .map_err(|e| refused(format!("tiles: {e}")))
    }
}

/// How many leaves a tile covers.
fn span(tile: &TileId) -> u64 {
    match tile.kind {
        TileKind::Entries => u64::from(tile.width),
        TileKind::Hashes(level) => u64::from(tile.width)
            .checked_shl(u32::from(level) * 8)
            .unwrap_or(u64::MAX),
    }
}

/// The new checkpoint's root must be the tiles' root, and the old checkpoint (if any) must
/// be a prefix of the new tree: RFC 9162 consistency, with the proof built from the tiles.
async fn check_tree(
    cache: &mut TileCache<'_>,
    old: Option<&Checkpoint>,
    new: &Checkpoint,
) -> Result<(), MirrorError> {
    let root = cache.assemble(&[merkle::root_plan(new.size)]).await?;
    if root.first() != Some(&new.root) {
        return Err(refused(
            "the source's tiles do not give its checkpoint's root",
        ));
    }
    let Some(old) = old else {
        return Ok(());
    };
    if old.size > new.size || old.origin != new.origin {
        return Err(refused(format!(
            "the source's checkpoint ({} entries) does not extend the mirror's ({} entries)",
            new.size, old.size
        )));
    }
    let plan = merkle::consistency_plan(old.size, new.size)
        .map_err(|e| refused(format!("consistency: {e}")))?;
    let proof = cache.assemble(&plan).await?;
    merkle::verify_consistency(old.size, new.size, &proof, &old.root, &new.root).map_err(|e| {
        refused(format!(
            "the source's log is not consistent with the mirror's checkpoint of {} entries: {e}",
            old.size
        ))
    })
}

/// Checks a bundle's entries against the level-0 tile of the same index (so a mirror never
/// stores entries its tiles do not commit to) and collects the documents they name and
/// withhold.
fn names_in_bundle(
    tile: &TileId,
    bundle: &[u8],
    level0: &[u8],
    documents: &mut BTreeSet<String>,
    withheld: &mut BTreeSet<String>,
) -> Result<(), MirrorError> {
    let entries =
        tiles::bundle_entries(bundle).map_err(|e| refused(format!("{}: {e}", tile.path())))?;
    if entries.len() != usize::from(tile.width) {
        return Err(refused(format!(
            "{} holds {} entries",
            tile.path(),
            entries.len()
        )));
    }
    for (position, entry) in entries.iter().enumerate() {
        let index = tile.first_leaf() + position as u64;
        let stored = &level0[position * HASH_BYTES..(position + 1) * HASH_BYTES];
        if leaf_hash(entry).as_slice() != stored {
            return Err(refused(format!(
                "entry {index} does not match its hash in the tiles"
            )));
        }
        let signed =
            SignedEntry::parse(entry).map_err(|e| refused(format!("entry {index}: {e}")))?;
        for (field, into) in [("documents", &mut *documents), ("withheld", &mut *withheld)] {
            if let Some(list) = signed.entry.data.get(field).and_then(Value::as_array) {
                into.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
            }
        }
    }
    Ok(())
}

/// Fetches the documents not yet mirrored and removes the ones withheld since.
async fn fetch_documents(
    source: &Source,
    out: &Path,
    documents: &BTreeSet<String>,
    withheld: &BTreeSet<String>,
) -> Result<(), MirrorError> {
    let folder = out.join("documents");
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    for digest in withheld.iter().filter(|d| from_hex(d).is_some()) {
        // Withheld documents are neither served nor mirrored (docs/spec/ledger-format.md).
        let _ = std::fs::remove_file(folder.join(digest));
    }
    for digest in documents.difference(withheld) {
        let Some(hash) = from_hex(digest) else {
            continue;
        };
        let path = folder.join(digest);
        if path.is_file() {
            continue;
        }
        let route = if source.is_server {
            format!("v1/documents/{digest}")
        } else {
            format!("documents/{digest}")
        };
        // Absent (410 or 404): withheld at the source, which verifiers accept.
        let Some(bytes) = source.fetch(&route).await? else {
            continue;
        };
        if to_hex(&ledger::hash::sha256(&bytes)) != to_hex(&hash) {
            return Err(refused(format!(
                "document {digest} does not match its hash"
            )));
        }
        write_atomically(&path, &bytes)?;
    }
    Ok(())
}

/// Removes the old size's partial tiles that the new size replaced with wider ones.
fn remove_stale_partials(out: &Path, old_size: u64, new_size: u64) {
    let current: BTreeSet<TileId> = tiles::tiles_for_size(new_size)
        .chain(tiles::bundles_for_size(new_size))
        .collect();
    for tile in tiles::tiles_for_size(old_size).chain(tiles::bundles_for_size(old_size)) {
        if !tile.is_full() && !current.contains(&tile) {
            // A leftover is harmless (its bytes are still right), so errors are ignored.
            let _ = std::fs::remove_file(out.join("log").join(tile.path()));
        }
    }
}

/// Writes through a temporary file and a rename, so a file server never serves half a tile.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), MirrorError> {
    let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let mut temporary: PathBuf = parent.clone();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    temporary.push(format!(".{name}.partial"));
    std::fs::write(&temporary, bytes).map_err(|e| format!("{}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// A progress bar by tiles, on an interactive standard error only.
fn progress(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} tiles {pos}/{len} [{bar:40}] {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
