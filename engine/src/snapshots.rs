//! Which streams have a stored snapshot, so that loading a stream without one (nearly every
//! stream: only long ones are snapshotted) costs no look-up in the snapshots table.
//!
//! Filled at start-up from the store and by this process's own snapshot writes. A stream
//! another process snapshotted after this one started is simply loaded from every entry
//! until this process snapshots it too: slower, never wrong.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use store::Db;

/// The snapshot settings and the streams known to have a snapshot; cheap to clone.
#[derive(Clone, Debug)]
pub struct Snapshots {
    /// Entries a stream grows by, at least, between two snapshots.
    pub every: u64,
    known: Arc<Mutex<HashSet<String>>>,
}

impl Snapshots {
    /// Nothing known yet (a new store, or a test).
    pub fn new(every: u64) -> Self {
        Self {
            every: every.max(1),
            known: Arc::default(),
        }
    }

    /// The streams the store holds snapshots of.
    ///
    /// # Errors
    /// A store error.
    pub async fn load(db: &Db, every: u64) -> Result<Self, store::Error> {
        let snapshots = Self::new(every);
        for (kind, id) in db.snapshot_keys().await? {
            snapshots.noted(&kind, &id);
        }
        Ok(snapshots)
    }

    /// Whether stream `kind`/`id` may have a snapshot.
    pub fn has(&self, kind: &str, id: &str) -> bool {
        self.lock().contains(&format!("{kind}/{id}"))
    }

    /// Stream `kind`/`id` has a snapshot now.
    pub fn noted(&self, kind: &str, id: &str) {
        self.lock().insert(format!("{kind}/{id}"));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}
