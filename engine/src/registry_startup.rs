//! The registry a starting process rebuilds before it serves, and the snapshots that keep
//! that rebuild short.
//!
//! The actors, institutions, associations and log keys come from their own streams'
//! entries, which are few. The cross-stream facts (`domain::world::World`) depend on every
//! offer, application, award, draft and consultation entry, a public comment included (the
//! documents it names): rebuilt from the whole log, a start-up at 100,000 comments read
//! them all. So they come from their latest snapshot and the entries after it; the
//! sequencer writes a new snapshot as the log grows ([`WorldSnapshots`]), start-up writes
//! one when it had to read far, and a stopping process one at its head ([`save_now`]).
//!
//! A snapshot is trusted only in this build's [`WORLD_FORMAT`] and when the log's entry
//! just below its position has the hash it names; debug builds (the test suite) also
//! compare the registry rebuilt from a snapshot with one rebuilt from every entry.

use std::sync::Arc;

use domain::names::stream;
use domain::world::World;
use ledger::{Hash, SignedEntry};
use store::{Db, Snapshot};

use crate::registry_state::{Registry, SharedRegistry, STREAM_TYPES};

/// The snapshot kind of the cross-stream facts (id empty); its position is a tree size.
pub const WORLD: &str = "world";

/// The format this build writes the facts' snapshots in, and the only one it reads. Change
/// it whenever `World`'s shape or meaning changes.
pub const WORLD_FORMAT: &str = "serde-json/1";

/// The stream types whose entries change the registry outside the cross-stream facts.
const OWN_TYPES: [&str; 4] = [
    stream::REGISTRY,
    stream::LOG,
    stream::INSTITUTION,
    stream::ASSOCIATION,
];

/// Entries read per query at start-up: a large log never sits in memory.
const PAGE: u64 = 10_000;

/// What start-up rebuilt, and from what.
pub struct Rebuilt {
    pub registry: SharedRegistry,
    /// The position of the facts' snapshot it started from (0: none).
    pub from_snapshot: u64,
    /// Entries read and applied.
    pub entries_read: u64,
    /// The position of the latest snapshot of the facts: `from_snapshot`, or the tree size
    /// when start-up wrote one.
    pub latest_snapshot: u64,
}

impl Rebuilt {
    /// One line for the start-up banner.
    pub fn describe(&self) -> String {
        match self.from_snapshot {
            0 => format!("registry: {} entries read\n", self.entries_read),
            at => format!(
                "registry: the facts' snapshot at {at} and {} entries read\n",
                self.entries_read
            ),
        }
    }
}

/// The registry as of `tree_size`.
///
/// # Errors
/// A store error, or a stored entry that does not parse.
pub async fn rebuild(db: &Db, tree_size: u64, snapshot_every: u64) -> Result<Rebuilt, String> {
    let (world, from) = match world_snapshot(db, tree_size).await? {
        Some((world, position)) => (world, position),
        None => (World::default(), 0),
    };
    let mut registry = Registry::with_world(world);
    // Before the snapshot, only what lies outside the facts; from it on, everything.
    let mut entries_read = 0;
    read(db, &OWN_TYPES, 0, from, |e| {
        entries_read += 1;
        registry.apply_outside_world(e);
    })
    .await?;
    read(db, &STREAM_TYPES, from, tree_size, |e| {
        entries_read += 1;
        registry.apply(e);
    })
    .await?;
    registry.set_applied(tree_size);
    if cfg!(debug_assertions) && from > 0 {
        let mut full = Registry::default();
        read(db, &STREAM_TYPES, 0, tree_size, |e| full.apply(e)).await?;
        full.set_applied(tree_size);
        assert!(
            registry == full,
            "the registry rebuilt from the snapshot at {from} is not the log's"
        );
    }
    let registry = SharedRegistry::new(registry);
    let mut taken = from;
    if tree_size > 0 && tree_size >= from + due(snapshot_every, from) {
        if let Some(entry_hash) = hash_below(db, tree_size).await? {
            let (world, _) = registry.world_image();
            save(db.clone(), world, tree_size, entry_hash);
            taken = tree_size;
        }
    }
    Ok(Rebuilt {
        registry,
        from_snapshot: from,
        entries_read,
        latest_snapshot: taken,
    })
}

/// Applies `apply` to each entry of the `kinds` with an index in `from..until`, in order.
async fn read(
    db: &Db,
    kinds: &[&str],
    from: u64,
    until: u64,
    mut apply: impl FnMut(&ledger::Entry),
) -> Result<(), String> {
    let mut next = from;
    while next < until {
        let page = db
            .entries_of_types(kinds, next, until, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        let Some(&(last, _)) = page.last() else {
            break;
        };
        for (index, bytes) in page {
            let signed =
                SignedEntry::parse(&bytes).map_err(|e| format!("stored entry {index}: {e}"))?;
            apply(&signed.entry);
        }
        next = last + 1;
    }
    Ok(())
}

/// The stored snapshot of the facts, if it is in this build's format, stands on this log
/// (the entry below its position has its hash) and is not past `tree_size`.
async fn world_snapshot(db: &Db, tree_size: u64) -> Result<Option<(World, u64)>, String> {
    let Some(snapshot) = db
        .snapshot(WORLD, "", WORLD_FORMAT)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    if snapshot.position == 0 || snapshot.position > tree_size {
        return Ok(None);
    }
    if hash_below(db, snapshot.position).await? != Some(snapshot.entry_hash) {
        tracing::warn!(
            position = snapshot.position,
            "the facts' snapshot does not stand on this log; reading every entry"
        );
        return Ok(None);
    }
    match serde_json::from_str::<World>(&snapshot.state) {
        Ok(world) => Ok(Some((world, snapshot.position))),
        Err(e) => {
            tracing::warn!(error = %e, "the facts' snapshot does not read; reading every entry");
            Ok(None)
        }
    }
}

/// The hash of the entry just below tree size `size` (its last entry), if it is stored.
async fn hash_below(db: &Db, size: u64) -> Result<Option<Hash>, String> {
    let Some(index) = size.checked_sub(1) else {
        return Ok(None);
    };
    let entries = db.entries(index, 1).await.map_err(|e| e.to_string())?;
    Ok(entries
        .first()
        .map(|(_, bytes)| ledger::hash::sha256(bytes)))
}

/// How far the log grows past a snapshot at `at` before the next: `every`, or until it
/// doubles, whichever is more; so the snapshots written add up to about twice the last.
/// A stopping process writes one at its head ([`save_now`]).
fn due(every: u64, at: u64) -> u64 {
    every.max(1).max(at)
}

/// Writes the snapshot of the facts as they stand now, and waits for the write: what a
/// stopping process does, so that the next start-up reads no entry after it.
///
/// # Errors
/// A store error, or facts that do not serialize.
pub async fn save_now(db: &Db, registry: &SharedRegistry) -> Result<(), String> {
    let (world, size) = registry.world_image();
    if size == 0 {
        return Ok(());
    }
    let Some(entry_hash) = hash_below(db, size).await? else {
        return Err(format!("entry {} is missing", size - 1));
    };
    write(db, world, size, entry_hash).await
}

/// [`write`] off the caller's task; a failure only means the next start-up reads more
/// entries.
fn save(db: Db, world: World, position: u64, entry_hash: Hash) {
    tokio::spawn(async move {
        if let Err(e) = write(&db, world, position, entry_hash).await {
            tracing::warn!(error = %e, "the facts' snapshot not written");
        }
    });
}

/// Serializes `world`, the facts as of tree size `position` whose last entry hashes to
/// `entry_hash` (on a blocking thread: it can be tens of megabytes), and stores it.
async fn write(db: &Db, world: World, position: u64, entry_hash: Hash) -> Result<(), String> {
    let state = tokio::task::spawn_blocking(move || serde_json::to_string(&world))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let snapshot = Snapshot {
        position,
        entry_hash,
        state,
    };
    db.put_snapshot(WORLD, "", WORLD_FORMAT, &snapshot)
        .await
        .map_err(|e| e.to_string())
}

/// The sequencer's side: a snapshot of the facts each time the log has grown by
/// [`due`] since the last one, taken right after a batch is remembered (the registry then
/// holds exactly the entries below the tree size).
pub struct WorldSnapshots {
    db: Db,
    registry: Arc<SharedRegistry>,
    every: u64,
    last: u64,
}

impl WorldSnapshots {
    /// `last`: the position of the latest snapshot (what [`rebuild`] answered).
    pub fn new(db: Db, registry: Arc<SharedRegistry>, every: u64, last: u64) -> Self {
        Self {
            db,
            registry,
            every,
            last,
        }
    }

    /// The log now holds `tree_size` entries, the last of them hashing to `entry_hash`,
    /// and the registry has applied them all.
    pub fn grown_to(&mut self, tree_size: u64, entry_hash: Hash) {
        if tree_size < self.last + due(self.every, self.last) {
            return;
        }
        let (world, size) = self.registry.world_image();
        if size != tree_size {
            // Not the state of exactly these entries: wait for the next batch.
            return;
        }
        self.last = tree_size;
        save(self.db.clone(), world, tree_size, entry_hash);
    }
}
