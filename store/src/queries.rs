//! Every query the ledger runs, as methods on [`Db`] (reads) and free functions over an
//! open append transaction (writes under the lock).

use std::collections::HashMap;

use ledger::merkle::NodeId;
use ledger::Hash;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Backend, Db};

/// Rows per multi-row INSERT: well under both backends' bound-parameter limits.
const ROWS_PER_INSERT: usize = 200;

/// The single row that the append lock guards.
#[derive(Clone, Debug, Default)]
pub struct StateRow {
    pub origin: Option<String>,
    pub log_key: Option<String>,
    pub tree_size: u64,
    pub frontier: Vec<u8>,
    pub last_recorded_at: Option<String>,
}

/// One event as it is stored: the cqrs-es layout plus the ledger columns.
#[derive(Clone, Debug)]
pub struct EventRow {
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: u64,
    pub event_type: String,
    pub event_version: String,
    pub payload: String,
    pub metadata: String,
    pub log_index: u64,
    pub entry: Vec<u8>,
    pub entry_hash: Hash,
    pub recorded_at: String,
}

/// A used nonce and the answer its statement got.
#[derive(Clone, Debug)]
pub struct NonceRow {
    pub actor: String,
    pub nonce: String,
    pub statement_hash: Hash,
    pub response: String,
}

/// An append transaction holding the lock that orders the log.
pub type AppendTx = Transaction<'static, Any>;

pub(super) fn to_i64(n: u64) -> i64 {
    // Indexes and sizes stay far below 2^63; saturate rather than wrap if not.
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(super) fn hash_of(bytes: Vec<u8>) -> Result<Hash, sqlx::Error> {
    bytes
        .try_into()
        .map_err(|_| sqlx::Error::Decode("stored hash is not 32 bytes".into()))
}

fn state_from_row(row: &AnyRow) -> Result<StateRow, sqlx::Error> {
    Ok(StateRow {
        origin: row.try_get(0)?,
        log_key: row.try_get(1)?,
        tree_size: to_u64(row.try_get(2)?),
        frontier: row.try_get(3)?,
        last_recorded_at: row.try_get(4)?,
    })
}

/// `INSERT INTO table (cols) VALUES ($1, ..), ..` for `rows` rows; `json` marks the
/// columns that take a JSON cast on PostgreSQL.
fn insert_sql(
    db: &Db,
    table: &str,
    cols: &[&str],
    json: &[usize],
    rows: usize,
    tail: &str,
) -> String {
    let mut n = 0;
    let values = values_sql(db, cols.len(), json, rows, &mut n);
    format!(
        "INSERT INTO {table} ({}) VALUES {values}{tail}",
        cols.join(", ")
    )
}

/// `($n+1, ..), ..` for `rows` rows of `cols` columns, numbering from `*n + 1`.
fn values_sql(db: &Db, cols: usize, json: &[usize], rows: usize, n: &mut usize) -> String {
    let mut sql = String::new();
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            *n += 1;
            if c > 0 {
                sql.push_str(", ");
            }
            if json.contains(&c) {
                sql.push_str(&db.dialect.json_param(*n));
            } else {
                sql.push_str(&format!("${n}"));
            }
        }
        sql.push(')');
    }
    sql
}

const EVENT_COLS: [&str; 11] = [
    "aggregate_type",
    "aggregate_id",
    "sequence",
    "event_type",
    "event_version",
    "payload",
    "metadata",
    "log_index",
    "entry",
    "entry_hash",
    "recorded_at",
];
const NODE_COLS: [&str; 3] = ["level", "node_index", "hash"];
const NONCE_COLS: [&str; 4] = ["actor", "nonce", "statement_hash", "response"];
const DOCUMENT_NAME_COLS: [&str; 2] = ["sha256", "log_index"];
const WITHHELD_COLS: [&str; 2] = ["sha256", "log_index"];
const CLIENT_TOKEN_COLS: [&str; 5] = [
    "consultation",
    "client_token",
    "request_hash",
    "log_index",
    "receipt",
];

/// A public comment's client token and the receipt its comment got.
#[derive(Clone, Debug)]
pub struct ClientTokenRow {
    pub consultation: String,
    pub client_token: String,
    pub request_hash: Hash,
    pub log_index: u64,
    pub receipt: String,
}

/// Everything one append batch writes, in one transaction.
pub struct BatchWrite<'a> {
    pub events: &'a [EventRow],
    pub nodes: &'a [(NodeId, Hash)],
    pub nonces: &'a [NonceRow],
    pub document_names: &'a [(String, u64)],
    /// Documents withheld by this batch's entries: recorded, and their bytes deleted, in
    /// the same transaction (docs/public-channel.md).
    pub withheld_documents: &'a [(String, u64)],
    pub client_tokens: &'a [ClientTokenRow],
    /// Bytes that arrived with the commands naming them (a public comment's text).
    pub new_documents: &'a [super::NewDocument],
    pub state: &'a StateRow,
    pub checkpoint: &'a str,
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

fn bind_event<'q>(q: AnyQuery<'q>, r: &EventRow) -> AnyQuery<'q> {
    q.bind(r.aggregate_type.clone())
        .bind(r.aggregate_id.clone())
        .bind(to_i64(r.sequence))
        .bind(r.event_type.clone())
        .bind(r.event_version.clone())
        .bind(r.payload.clone())
        .bind(r.metadata.clone())
        .bind(to_i64(r.log_index))
        .bind(r.entry.clone())
        .bind(r.entry_hash.to_vec())
        .bind(r.recorded_at.clone())
}

fn bind_node<'q>(q: AnyQuery<'q>, (id, hash): &(NodeId, Hash)) -> AnyQuery<'q> {
    q.bind(i64::from(id.level))
        .bind(to_i64(id.index))
        .bind(hash.to_vec())
}

fn bind_nonce<'q>(q: AnyQuery<'q>, r: &NonceRow) -> AnyQuery<'q> {
    q.bind(r.actor.clone())
        .bind(r.nonce.clone())
        .bind(r.statement_hash.to_vec())
        .bind(r.response.clone())
}

fn bind_document_name<'q>(q: AnyQuery<'q>, (sha, index): &(String, u64)) -> AnyQuery<'q> {
    q.bind(sha.clone()).bind(to_i64(*index))
}

fn bind_client_token<'q>(q: AnyQuery<'q>, r: &ClientTokenRow) -> AnyQuery<'q> {
    q.bind(r.consultation.clone())
        .bind(r.client_token.clone())
        .bind(r.request_hash.to_vec())
        .bind(to_i64(r.log_index))
        .bind(r.receipt.clone())
}

/// `$n+1, .., $n+count` (numbering from `*n + 1`), for an `IN (..)` list.
fn list_sql(count: usize, n: &mut usize) -> String {
    let mut params = Vec::with_capacity(count);
    for _ in 0..count {
        *n += 1;
        params.push(format!("${n}"));
    }
    params.join(", ")
}

/// The state row's update, its parameters numbered from `offset + 1`.
fn update_state_sql(offset: usize) -> String {
    let p = |k: usize| format!("${}", offset + k);
    format!(
        "UPDATE ledger_state SET origin = {}, log_key = {}, tree_size = {}, frontier = {}, \
         last_recorded_at = {}, checkpoint = {} WHERE id = 1",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6)
    )
}

fn bind_state<'q>(q: AnyQuery<'q>, state: &StateRow, checkpoint: &str) -> AnyQuery<'q> {
    q.bind(state.origin.clone())
        .bind(state.log_key.clone())
        .bind(to_i64(state.tree_size))
        .bind(state.frontier.clone())
        .bind(state.last_recorded_at.clone())
        .bind(checkpoint.to_owned())
}

impl Db {
    /// Starts an append: opens a transaction and takes the lock that orders the log.
    ///
    /// # Errors
    /// Any database error.
    pub async fn begin_append(&self) -> Result<(AppendTx, StateRow), sqlx::Error> {
        let mut tx = match self.backend() {
            Backend::Postgres => self.pool.begin().await?,
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
        };
        let row = sqlx::query(self.dialect.lock_state_sql())
            .fetch_one(&mut *tx)
            .await?;
        let state = state_from_row(&row)?;
        Ok((tx, state))
    }

    /// Writes an append batch inside its transaction. On PostgreSQL this is ONE statement
    /// (data-modifying CTEs), so a batch costs one round trip for its writes whatever it
    /// holds; SQLite runs in-process and takes the statements one by one.
    ///
    /// # Errors
    /// Any database error; the caller then rolls the batch back.
    pub async fn write_batch(
        &self,
        tx: &mut AppendTx,
        batch: &BatchWrite<'_>,
    ) -> Result<(), sqlx::Error> {
        // Before the withholding below: a batch never withholds a document it stores (the
        // sequencer refuses naming a document withheld earlier in the batch).
        self.insert_new_documents(tx, batch.new_documents).await?;
        if self.backend() == Backend::Sqlite {
            self.insert_events(tx, batch.events).await?;
            self.insert_nodes(tx, batch.nodes).await?;
            self.insert_nonces(tx, batch.nonces).await?;
            self.insert_document_names(tx, batch.document_names).await?;
            self.withhold_documents(tx, batch.withheld_documents)
                .await?;
            self.insert_client_tokens(tx, batch.client_tokens).await?;
            return self.update_state(tx, batch.state, batch.checkpoint).await;
        }
        let mut n = 0;
        let mut ctes = Vec::new();
        let mut cte =
            |name: &str, table: &str, cols: &[&str], json: &[usize], rows: usize, n: &mut usize| {
                if rows > 0 {
                    let values = values_sql(self, cols.len(), json, rows, n);
                    ctes.push(format!(
                        "{name} AS (INSERT INTO {table} ({}) VALUES {values} RETURNING 1)",
                        cols.join(", ")
                    ));
                }
            };
        cte(
            "e",
            "events",
            &EVENT_COLS,
            &[5, 6],
            batch.events.len(),
            &mut n,
        );
        cte(
            "t",
            "tree_nodes",
            &NODE_COLS,
            &[],
            batch.nodes.len(),
            &mut n,
        );
        cte("o", "nonces", &NONCE_COLS, &[], batch.nonces.len(), &mut n);
        cte(
            "d",
            "document_names",
            &DOCUMENT_NAME_COLS,
            &[],
            batch.document_names.len(),
            &mut n,
        );
        cte(
            "w",
            "withheld_documents",
            &WITHHELD_COLS,
            &[],
            batch.withheld_documents.len(),
            &mut n,
        );
        cte(
            "c",
            "public_comment_tokens",
            &CLIENT_TOKEN_COLS,
            &[],
            batch.client_tokens.len(),
            &mut n,
        );
        if !batch.withheld_documents.is_empty() {
            // The withheld bytes leave the database with the entry that withholds them.
            let list = list_sql(batch.withheld_documents.len(), &mut n);
            ctes.push(format!(
                "x AS (DELETE FROM documents WHERE sha256 IN ({list}) RETURNING 1)"
            ));
        }
        let update = update_state_sql(n);
        let sql = if ctes.is_empty() {
            update
        } else {
            format!("WITH {} {update}", ctes.join(", "))
        };
        let mut q = sqlx::query(&sql);
        for r in batch.events {
            q = bind_event(q, r);
        }
        for node in batch.nodes {
            q = bind_node(q, node);
        }
        for r in batch.nonces {
            q = bind_nonce(q, r);
        }
        for d in batch.document_names {
            q = bind_document_name(q, d);
        }
        for w in batch.withheld_documents {
            q = bind_document_name(q, w);
        }
        for r in batch.client_tokens {
            q = bind_client_token(q, r);
        }
        for (sha, _) in batch.withheld_documents {
            q = q.bind(sha.clone());
        }
        q = bind_state(q, batch.state, batch.checkpoint);
        q.execute(&mut **tx).await?;
        Ok(())
    }

    /// Writes a batch of events.
    ///
    /// # Errors
    /// Any database error (a duplicate key included: the caller then aborts the batch).
    async fn insert_events(&self, tx: &mut AppendTx, rows: &[EventRow]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(self, "events", &EVENT_COLS, &[5, 6], chunk.len(), "");
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_event)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Writes newly completed Merkle nodes.
    ///
    /// # Errors
    /// Any database error.
    async fn insert_nodes(
        &self,
        tx: &mut AppendTx,
        nodes: &[(NodeId, Hash)],
    ) -> Result<(), sqlx::Error> {
        for chunk in nodes.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(self, "tree_nodes", &NODE_COLS, &[], chunk.len(), "");
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_node)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Records used nonces with their answers.
    ///
    /// # Errors
    /// Any database error; a reused nonce is a unique violation.
    async fn insert_nonces(&self, tx: &mut AppendTx, rows: &[NonceRow]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(self, "nonces", &NONCE_COLS, &[], chunk.len(), "");
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_nonce)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Records which entries name which documents.
    ///
    /// # Errors
    /// Any database error.
    async fn insert_document_names(
        &self,
        tx: &mut AppendTx,
        names: &[(String, u64)],
    ) -> Result<(), sqlx::Error> {
        for chunk in names.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(
                self,
                "document_names",
                &DOCUMENT_NAME_COLS,
                &[],
                chunk.len(),
                "",
            );
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_document_name)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Records withheld documents and deletes their bytes.
    ///
    /// # Errors
    /// Any database error.
    async fn withhold_documents(
        &self,
        tx: &mut AppendTx,
        withheld: &[(String, u64)],
    ) -> Result<(), sqlx::Error> {
        for chunk in withheld.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(
                self,
                "withheld_documents",
                &WITHHELD_COLS,
                &[],
                chunk.len(),
                "",
            );
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_document_name)
                .execute(&mut **tx)
                .await?;
            let sql = format!(
                "DELETE FROM documents WHERE sha256 IN ({})",
                list_sql(chunk.len(), &mut 0)
            );
            chunk
                .iter()
                .fold(sqlx::query(&sql), |q, (sha, _)| q.bind(sha.clone()))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Records client tokens with their receipts.
    ///
    /// # Errors
    /// Any database error.
    async fn insert_client_tokens(
        &self,
        tx: &mut AppendTx,
        rows: &[ClientTokenRow],
    ) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = insert_sql(
                self,
                "public_comment_tokens",
                &CLIENT_TOKEN_COLS,
                &[],
                chunk.len(),
                "",
            );
            chunk
                .iter()
                .fold(sqlx::query(&sql), bind_client_token)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Moves the state row to the new tree head and checkpoint.
    ///
    /// # Errors
    /// Any database error.
    async fn update_state(
        &self,
        tx: &mut AppendTx,
        state: &StateRow,
        checkpoint: &str,
    ) -> Result<(), sqlx::Error> {
        bind_state(sqlx::query(&update_state_sql(0)), state, checkpoint)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// The state row without taking the lock, and the latest signed checkpoint.
    ///
    /// # Errors
    /// Any database error.
    pub async fn state(&self) -> Result<(StateRow, Option<String>), sqlx::Error> {
        let row = sqlx::query(
            "SELECT origin, log_key, tree_size, frontier, last_recorded_at, checkpoint FROM ledger_state WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((state_from_row(&row)?, row.try_get(5)?))
    }

    /// Entries `start..start+limit` in index order: `(index, canonical bytes)`.
    ///
    /// # Errors
    /// Any database error.
    pub async fn entries(
        &self,
        start: u64,
        limit: u64,
    ) -> Result<Vec<(u64, Vec<u8>)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT log_index, entry FROM events WHERE log_index >= $1 AND log_index < $2 ORDER BY log_index",
        )
        .bind(to_i64(start))
        .bind(to_i64(start.saturating_add(limit)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((to_u64(r.try_get(0)?), r.try_get(1)?)))
            .collect()
    }

    /// One stream's entries in sequence order.
    ///
    /// # Errors
    /// Any database error.
    pub async fn stream_entries(&self, kind: &str, id: &str) -> Result<Vec<Vec<u8>>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT entry FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 ORDER BY sequence",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// How many entries a stream holds.
    ///
    /// # Errors
    /// Any database error.
    pub async fn stream_len(&self, kind: &str, id: &str) -> Result<u64, sqlx::Error> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .fetch_one(&self.pool)
        .await?;
        Ok(to_u64(row.try_get(0)?))
    }

    /// At most `limit` entries of a stream from its `seq` `from` (1 is the first), in
    /// sequence order.
    ///
    /// # Errors
    /// Any database error.
    pub async fn stream_entries_from(
        &self,
        kind: &str,
        id: &str,
        from: u64,
        limit: u64,
    ) -> Result<Vec<Vec<u8>>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT entry FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 \
             AND sequence >= $3 ORDER BY sequence LIMIT $4",
        )
        .bind(kind.to_owned())
        .bind(id.to_owned())
        .bind(to_i64(from))
        .bind(to_i64(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// A page of the entries of the given stream types with an index in `from..until`, in
    /// index order (to rebuild the registry page by page, never the whole log in memory).
    /// Each type is read by its own range of the `events_by_type` index, so a page of rare
    /// types (the registry's) costs what they hold, not a scan of every entry between them.
    ///
    /// # Errors
    /// Any database error.
    pub async fn entries_of_types(
        &self,
        kinds: &[&str],
        from: u64,
        until: u64,
        limit: u64,
    ) -> Result<Vec<(u64, Vec<u8>)>, sqlx::Error> {
        if kinds.is_empty() || from >= until {
            return Ok(Vec::new());
        }
        let parts: Vec<String> = (0..kinds.len())
            .map(|i| {
                format!(
                    "SELECT * FROM (SELECT log_index, entry FROM events \
                     WHERE aggregate_type = ${} AND log_index >= $1 AND log_index < $2 \
                     ORDER BY log_index LIMIT $3) AS t{i}",
                    i + 4
                )
            })
            .collect();
        let sql = format!(
            "SELECT log_index, entry FROM ({}) AS u ORDER BY log_index LIMIT $3",
            parts.join(" UNION ALL ")
        );
        let mut q = sqlx::query(&sql)
            .bind(to_i64(from))
            .bind(to_i64(until))
            .bind(to_i64(limit));
        for kind in kinds {
            q = q.bind((*kind).to_owned());
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((to_u64(r.try_get(0)?), r.try_get(1)?)))
            .collect()
    }

    /// The stored hashes of the given complete subtrees.
    ///
    /// # Errors
    /// Any database error.
    pub async fn nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, sqlx::Error> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_INSERT) {
            let pairs: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "SELECT level, node_index, hash FROM tree_nodes WHERE (level, node_index) IN (VALUES {})",
                pairs.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(i64::from(id.level)).bind(to_i64(id.index));
            }
            for row in q.fetch_all(&self.pool).await? {
                let level: i64 = row.try_get(0)?;
                let id = NodeId {
                    level: u8::try_from(level).unwrap_or(u8::MAX),
                    index: to_u64(row.try_get(1)?),
                };
                found.insert(id, hash_of(row.try_get(2)?)?);
            }
        }
        Ok(found)
    }

    /// The statement hash and answer recorded for `(actor, nonce)`, if it was used.
    ///
    /// # Errors
    /// Any database error.
    pub async fn nonce(
        &self,
        actor: &str,
        nonce: &str,
    ) -> Result<Option<(Hash, String)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT statement_hash, response FROM nonces WHERE actor = $1 AND nonce = $2",
        )
        .bind(actor.to_owned())
        .bind(nonce.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((hash_of(r.try_get(0)?)?, r.try_get(1)?)))
            .transpose()
    }

    /// Stores a document (idempotent: the same bytes under the same hash). The bytes of a
    /// withheld document are never stored again.
    ///
    /// # Errors
    /// Any database error.
    pub async fn put_document(
        &self,
        sha256: &str,
        content: &[u8],
        uploaded_by: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO documents (sha256, content, uploaded_by) SELECT $1, $2, $3              WHERE NOT EXISTS (SELECT 1 FROM withheld_documents WHERE sha256 = $1)              ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256.to_owned())
        .bind(content.to_vec())
        .bind(uploaded_by.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A document's bytes, if it was uploaded, some entry names it and none withheld it.
    ///
    /// # Errors
    /// Any database error.
    pub async fn published_document(&self, sha256: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT content FROM documents WHERE sha256 = $1 \
             AND EXISTS (SELECT 1 FROM document_names WHERE document_names.sha256 = $1) \
             AND NOT EXISTS (SELECT 1 FROM withheld_documents WHERE withheld_documents.sha256 = $1)",
        )
        .bind(sha256.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    /// A document's bytes if it was uploaded, named by an entry or not (the edge reads a
    /// document a command is about to name).
    ///
    /// # Errors
    /// Any database error.
    pub async fn uploaded_document(&self, sha256: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let row = sqlx::query("SELECT content FROM documents WHERE sha256 = $1")
            .bind(sha256.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    /// Whether a document with this hash was uploaded.
    ///
    /// # Errors
    /// Any database error.
    pub async fn has_document(&self, sha256: &str) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT 1 FROM documents WHERE sha256 = $1")
            .bind(sha256.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// The next log index a projection has to apply (0 when it never ran).
    ///
    /// # Errors
    /// Any database error.
    pub async fn projection_position(&self, name: &str) -> Result<u64, sqlx::Error> {
        let row = sqlx::query("SELECT position FROM projection_positions WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .map(to_u64)
            .unwrap_or(0))
    }

    /// Saves a projection's changed rows and its new position in one transaction, so a
    /// crash leaves either both or neither.
    ///
    /// # Errors
    /// Any database error.
    pub async fn save_projection(
        &self,
        name: &str,
        position: u64,
        rows: &[(String, String, String)],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.backend() == Backend::Postgres {
            // A read model is rebuilt from the log, and its rows and position commit
            // together: losing this transaction in a crash only replays entries, so it
            // need not wait for its own fsync.
            sqlx::query("SET LOCAL synchronous_commit = off")
                .execute(&mut *tx)
                .await?;
        }
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let cols = ["view_name", "view_id", "payload"];
            let tail = " ON CONFLICT (view_name, view_id) DO UPDATE SET payload = excluded.payload";
            let sql = insert_sql(self, "views", &cols, &[], chunk.len(), tail);
            let mut q = sqlx::query(&sql);
            for (view, id, payload) in chunk {
                q = q.bind(view.clone()).bind(id.clone()).bind(payload.clone());
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO projection_positions (name, position) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET position = excluded.position",
        )
        .bind(name.to_owned())
        .bind(to_i64(position))
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// One row of a read model.
    ///
    /// # Errors
    /// Any database error.
    pub async fn view_row(&self, view: &str, id: &str) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT payload FROM views WHERE view_name = $1 AND view_id = $2")
            .bind(view.to_owned())
            .bind(id.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }
}
