//! Snapshots: a serialized state with the position in the log it stands at, so that
//! loading a stream of 100,000 entries, or the domain's cross-stream facts at start-up,
//! reads one row and the entries after it. The log stays the source of truth: the engine
//! checks that a snapshot's hash is the hash of the entry at its position before trusting
//! it (`engine::event_store`, `engine::registry_state`), and ignores snapshots of another
//! `format`.

use ledger::Hash;
use sqlx::Row;

use super::queries::{hash_of, to_i64, to_u64};
use super::Db;

/// A state as the entries up to `position` build it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// An aggregate's: the `seq` of its stream's last entry applied; the cross-stream
    /// facts': the tree size (every entry below it applied).
    pub position: u64,
    /// The hash of the entry at `position` (the last one applied).
    pub entry_hash: Hash,
    /// The state, serialized in `format`.
    pub state: String,
}

impl Db {
    /// The snapshot of `kind`/`id` in `format`, if one is stored.
    ///
    /// # Errors
    /// Any database error.
    pub async fn snapshot(
        &self,
        kind: &str,
        id: &str,
        format: &str,
    ) -> Result<Option<Snapshot>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT position, entry_hash, state FROM snapshots \
             WHERE kind = $1 AND id = $2 AND format = $3",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(format.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Snapshot {
                position: to_u64(r.try_get(0)?),
                entry_hash: hash_of(r.try_get(1)?)?,
                state: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// The `kind` and `id` of every stored snapshot (a short list: only long streams and
    /// the facts have one).
    ///
    /// # Errors
    /// Any database error.
    pub async fn snapshot_keys(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query("SELECT kind, id FROM snapshots")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Stores `snapshot` as the one of `kind`/`id`, unless a snapshot of the same format at
    /// a later position is stored already (two processes may write at once).
    ///
    /// # Errors
    /// Any database error.
    pub async fn put_snapshot(
        &self,
        kind: &str,
        id: &str,
        format: &str,
        snapshot: &Snapshot,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO snapshots (kind, id, position, entry_hash, format, state) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (kind, id) DO UPDATE SET \
             position = excluded.position, entry_hash = excluded.entry_hash, \
             format = excluded.format, state = excluded.state \
             WHERE snapshots.position <= excluded.position \
             OR snapshots.format <> excluded.format",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(to_i64(snapshot.position))
        .bind(snapshot.entry_hash.to_vec())
        .bind(format.to_owned())
        .bind(snapshot.state.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
