//! Reads for C2SP tlog-tiles (`api/src/tiles.rs`): a tile is a run of stored complete
//! subtrees of one level, so it comes straight from `tree_nodes`, never from the leaves.

use ledger::Hash;
use sqlx::Row;

use super::queries::{hash_of, to_i64};
use super::Db;

impl Db {
    /// The hashes of the complete subtrees at tree `level` numbered `start..start + count`,
    /// in order. Fewer come back when some are not stored (beyond the tree).
    ///
    /// # Errors
    /// Any database error.
    pub async fn level_hashes(
        &self,
        level: u8,
        start: u64,
        count: u64,
    ) -> Result<Vec<Hash>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT hash FROM tree_nodes WHERE level = $1 AND node_index >= $2 AND node_index < $3 \
             ORDER BY node_index",
        )
        .bind(i64::from(level))
        .bind(to_i64(start))
        .bind(to_i64(start.saturating_add(count)))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| hash_of(r.try_get(0)?)).collect()
    }
}
