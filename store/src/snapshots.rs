//! Snapshots of long aggregates: a serialized state with the stream position it stands
//! at, so that loading a stream of 100,000 entries after a restart reads one row and the
//! entries after it. The log stays the source of truth: the engine checks that a
//! snapshot's hash is the hash of the stream's entry at its `seq` before trusting it
//! (`engine::event_store`), and ignores snapshots of another `format`.

use ledger::Hash;
use sqlx::Row;

use super::queries::{hash_of, to_i64, to_u64};
use super::Db;

/// An aggregate's state as its stream's first `seq` entries build it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub seq: u64,
    /// The hash of entry `seq` of the stream.
    pub entry_hash: Hash,
    /// The state, serialized in `format`.
    pub state: String,
}

impl Db {
    /// The snapshot of stream `kind`/`id` in `format`, if one is stored.
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
            "SELECT seq, entry_hash, state FROM aggregate_snapshots \
             WHERE aggregate_type = $1 AND aggregate_id = $2 AND format = $3",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(format.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Snapshot {
                seq: to_u64(r.try_get(0)?),
                entry_hash: hash_of(r.try_get(1)?)?,
                state: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Stores `snapshot` as the one of stream `kind`/`id`, unless a snapshot of the same
    /// format at a later position is stored already (two processes may write at once).
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
            "INSERT INTO aggregate_snapshots \
             (aggregate_type, aggregate_id, seq, entry_hash, format, state) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (aggregate_type, aggregate_id) DO UPDATE SET \
             seq = excluded.seq, entry_hash = excluded.entry_hash, \
             format = excluded.format, state = excluded.state \
             WHERE aggregate_snapshots.seq <= excluded.seq \
             OR aggregate_snapshots.format <> excluded.format",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(to_i64(snapshot.seq))
        .bind(snapshot.entry_hash.to_vec())
        .bind(format.to_owned())
        .bind(snapshot.state.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
