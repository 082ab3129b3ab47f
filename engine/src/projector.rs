//! Runs the read-model projectors: reads the log by index from the projectors' durable
//! positions (each page read and parsed once for all of them), applies the entries, and stores the changed rows with the new position in one
//! transaction. A crash loses nothing: the runner resumes from the stored position.
//!
//! Writers wait for [`ProjectionHandle::wait_for`] before answering, so a read that follows
//! a successful write sees it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ledger::statement::ActorKeys;
use ledger::SignedEntry;
use projections::{Projector, ViewChange};
use serde_json::Value;
use tokio::sync::watch;

use store::Db;

/// Entries read per page.
const PAGE: u64 = 500;
/// How far a projector may run ahead of its stored position on entries that change none
/// of its rows. Re-applying entries is harmless (a change sets a row to a value, it never
/// adds to one), so the position need not be written (and fsynced) for every page.
const LAZY_POSITION: u64 = 10_000;
/// How often the runner looks for entries other processes appended.
const POLL: Duration = Duration::from_millis(500);

/// The position every projector has reached (the smallest of them).
#[derive(Clone, Debug)]
pub struct ProjectionHandle {
    position: watch::Receiver<u64>,
}

impl ProjectionHandle {
    /// Waits until every read model includes the entries below `size`, or `timeout`.
    pub async fn wait_for(&self, size: u64, timeout: Duration) -> bool {
        let mut rx = self.position.clone();
        tokio::time::timeout(timeout, rx.wait_for(|p| *p >= size))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    pub fn position(&self) -> u64 {
        *self.position.borrow()
    }
}

/// Brings every projector up to the log's size once (at start-up), then keeps them there in
/// a background task woken by `appended` and by a poll.
///
/// # Errors
/// A database or decoding error during the first catch-up.
pub async fn start(db: Db, appended: watch::Receiver<u64>) -> Result<ProjectionHandle, String> {
    let runner = Arc::new(Runner {
        db,
        projectors: projections::all(),
        positions: Default::default(),
    });
    let first = runner.catch_up().await?;
    let (tx, rx) = watch::channel(first);
    tokio::spawn(run(runner, appended, tx));
    Ok(ProjectionHandle { position: rx })
}

/// Brings every projector up to the log's size once, in this task, and returns the
/// smallest position reached: `sijill replay` after it cleared the read models.
///
/// # Errors
/// A database or decoding error.
pub async fn catch_up_once(db: Db) -> Result<u64, String> {
    Runner {
        db,
        projectors: projections::all(),
        positions: Default::default(),
    }
    .catch_up()
    .await
}

async fn run(
    runner: Arc<Runner>,
    mut appended: watch::Receiver<u64>,
    position: watch::Sender<u64>,
) {
    loop {
        match runner.catch_up().await {
            Ok(p) => {
                position.send_replace(p);
            }
            Err(e) => tracing::error!(error = %e, "projection failed; retrying"),
        }
        tokio::select! {
            changed = appended.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(POLL) => {}
        }
    }
}

struct Runner {
    db: Db,
    projectors: Vec<Box<dyn Projector>>,
    /// Positions reached in memory: `(stored, reached)` per projector name.
    positions: std::sync::Mutex<HashMap<&'static str, (u64, u64)>>,
}

impl Runner {
    fn lock_positions(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, (u64, u64)>> {
        self.positions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies everything up to the current tree size; returns the smallest position.
    ///
    /// Each page of entries is read and parsed once for every projector that has not yet
    /// passed it: a projector rebuilding from the start (a new version) reads the pages it
    /// lacks, and the others join it once it reaches them.
    async fn catch_up(&self) -> Result<u64, String> {
        let (state, _) = self.db.state().await.map_err(|e| e.to_string())?;
        let to = state.tree_size;
        if self.projectors.is_empty() {
            return Ok(to);
        }
        let mut positions = Vec::with_capacity(self.projectors.len());
        for projector in &self.projectors {
            positions.push(self.position_of(projector.as_ref()).await?);
        }
        loop {
            let lowest = positions.iter().map(|(_, p)| *p).min().unwrap_or(to);
            if lowest >= to {
                break;
            }
            let page = self
                .db
                .entries(lowest, PAGE.min(to - lowest))
                .await
                .map_err(|e| e.to_string())?;
            if page.is_empty() {
                break;
            }
            let mut keys = ActorKeys::default();
            let mut parsed = Vec::with_capacity(page.len());
            for (index, bytes) in &page {
                let signed = SignedEntry::parse_with(bytes, &mut keys)
                    .map_err(|e| format!("entry {index}: {e}"))?;
                parsed.push((*index, signed));
            }
            for (projector, at) in self.projectors.iter().zip(positions.iter_mut()) {
                *at = self.apply_page(projector.as_ref(), *at, &parsed).await?;
            }
        }
        Ok(positions.iter().map(|(_, p)| *p).min().unwrap_or(to))
    }

    /// Where `projector` stands: `(stored, reached)`.
    async fn position_of(&self, projector: &dyn Projector) -> Result<(u64, u64), String> {
        let known = self.lock_positions().get(projector.name()).copied();
        match known {
            Some(p) => Ok(p),
            None => {
                let p = self
                    .db
                    .projection_position(projector.name())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok((p, p))
            }
        }
    }

    /// Applies the entries of `page` at or after the projector's position, stores the rows
    /// they changed with the new position, and returns the new `(stored, reached)`.
    async fn apply_page(
        &self,
        projector: &dyn Projector,
        (mut stored, mut position): (u64, u64),
        page: &[(u64, SignedEntry)],
    ) -> Result<(u64, u64), String> {
        let name = projector.name();
        let mut rows: HashMap<(&'static str, String), Value> = HashMap::new();
        let mut order = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let from = position;
        for (index, signed) in page.iter().filter(|(index, _)| *index >= from) {
            // An entry this build cannot read (a version it does not know) changes
            // nothing and is reported; it does not stop the entries after it.
            let changes = projector.project(&signed.entry).unwrap_or_else(|e| {
                tracing::error!(projector = name, error = %e, "entry not projected");
                Vec::new()
            });
            for change in changes {
                let key = (change.view(), change.id().to_owned());
                let before = match rows.remove(&key) {
                    Some(row) => Some(row),
                    // A Put replaces the row: no need to read it.
                    None if matches!(change, ViewChange::Put { .. }) => None,
                    None => self
                        .db
                        .view_row(key.0, &key.1)
                        .await
                        .map_err(|e| e.to_string())?
                        .and_then(|text| serde_json::from_str(&text).ok()),
                };
                if seen.insert(key.clone()) {
                    order.push(key.clone());
                }
                rows.insert(key, change.apply(before));
            }
            position = index + 1;
        }
        let changed: Vec<(String, String, String)> = order
            .into_iter()
            .filter_map(|key| {
                rows.get(&key)
                    .map(|row| (key.0.to_owned(), key.1.clone(), row.to_string()))
            })
            .collect();
        if !changed.is_empty() || position - stored >= LAZY_POSITION {
            self.db
                .save_projection(name, position, &changed)
                .await
                .map_err(|e| e.to_string())?;
            stored = position;
        }
        self.lock_positions().insert(name, (stored, position));
        Ok((stored, position))
    }
}
