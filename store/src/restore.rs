//! The queries of backup, restore and replay (docs/backup-restore.md): whether a store is
//! empty enough to import into, the documents an import writes, the rows of the
//! personal-data store and of the client tokens as a backup reads and a restore writes
//! them, and the read models a replay clears and digests.
//!
//! The entries, tree nodes, nonces and state of an import go through
//! [`Db::write_batch`], the append path's own writer, so an imported log has exactly the
//! shape of one that was appended.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::queries::{hash_of, to_i64, to_u64, AppendTx, ClientTokenRow};
use super::{Backend, Db, PersonCommentRow};

/// Every table an import fills or that only exists beside a log: an import goes only into
/// a store where all of them are empty (the state row always exists; its tree size says).
const IMPORT_TABLES: [&str; 11] = [
    "events",
    "tree_nodes",
    "nonces",
    "documents",
    "document_names",
    "withheld_documents",
    "public_comment_tokens",
    "persons",
    "views",
    "projection_positions",
    "snapshots",
];

/// Read-model rows read per query by [`Db::views_digest`].
const DIGEST_PAGE: u64 = 1000;

/// A document an import writes: its hex SHA-256, its bytes, and who uploaded it.
#[derive(Clone, Debug)]
pub struct DocumentRow {
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: String,
}

/// The read models' contents in one figure: how many rows, and a SHA-256 over every row
/// (view name, id, payload) in byte order of name and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewsDigest {
    pub rows: u64,
    pub digest: String,
}

impl Db {
    /// The first table (or the state row) that holds something, read inside the import's
    /// transaction; `None` when the store is empty.
    ///
    /// # Errors
    /// Any database error.
    pub async fn first_nonempty_table(
        &self,
        tx: &mut AppendTx,
        tree_size: u64,
    ) -> Result<Option<&'static str>, sqlx::Error> {
        if tree_size > 0 {
            return Ok(Some("ledger_state"));
        }
        for table in IMPORT_TABLES {
            let found = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1"))
                .fetch_optional(&mut **tx)
                .await?;
            if found.is_some() {
                return Ok(Some(table));
            }
        }
        Ok(None)
    }

    /// Writes a document inside the import's transaction.
    ///
    /// # Errors
    /// Any database error.
    pub async fn insert_document(
        &self,
        tx: &mut AppendTx,
        document: &DocumentRow,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO documents (sha256, content, uploaded_by) VALUES ($1, $2, $3)")
            .bind(document.sha256.clone())
            .bind(document.content.clone())
            .bind(document.uploaded_by.clone())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Every erased person's marker: `(person_ref, erased_at)`.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erased_persons(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT person_ref, erased_at FROM persons WHERE erased_at IS NOT NULL \
             ORDER BY person_ref",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Every client token with its receipt.
    ///
    /// # Errors
    /// Any database error.
    pub async fn all_client_tokens(&self) -> Result<Vec<ClientTokenRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT consultation, client_token, request_hash, log_index, receipt \
             FROM public_comment_tokens ORDER BY log_index",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClientTokenRow {
                    consultation: r.try_get(0)?,
                    client_token: r.try_get(1)?,
                    request_hash: hash_of(r.try_get(2)?)?,
                    log_index: to_u64(r.try_get(3)?),
                    receipt: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// The `entry_hash` of the entries at these indexes (those that exist).
    ///
    /// # Errors
    /// Any database error.
    pub async fn entry_hashes(
        &self,
        indexes: &[u64],
    ) -> Result<HashMap<u64, ledger::Hash>, sqlx::Error> {
        let mut found = HashMap::with_capacity(indexes.len());
        for chunk in indexes.chunks(200) {
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT log_index, entry_hash FROM events WHERE log_index IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for i in chunk {
                q = q.bind(to_i64(*i));
            }
            for r in q.fetch_all(&self.pool).await? {
                found.insert(to_u64(r.try_get(0)?), hash_of(r.try_get(1)?)?);
            }
        }
        Ok(found)
    }

    /// Writes a persons backup's rows in one transaction: erased persons' markers, the
    /// rows of comments, aliases and client tokens. Rows already in the store win.
    /// Returns the comment rows and the tokens written.
    ///
    /// # Errors
    /// Any database error; nothing is written then.
    pub async fn restore_public_channel(
        &self,
        erased: &[(String, String)],
        comments: &[PersonCommentRow],
        aliases: &[(String, String)],
        tokens: &[ClientTokenRow],
    ) -> Result<(u64, u64), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut written = (0, 0);
        for (person_ref, at) in erased {
            sqlx::query(
                "INSERT INTO persons (person_ref, erased_at) VALUES ($1, $2) \
                 ON CONFLICT (person_ref) DO NOTHING",
            )
            .bind(person_ref.clone())
            .bind(at.clone())
            .execute(&mut *tx)
            .await?;
        }
        for row in comments {
            let done = sqlx::query(
                "INSERT INTO person_comments \
                 (consultation, comment, person_ref, epoch, comment_key, name_ct, email_ct) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (consultation, comment) DO NOTHING",
            )
            .bind(row.consultation.clone())
            .bind(to_i64(row.comment))
            .bind(row.person_ref.clone())
            .bind(to_i64(row.epoch))
            .bind(row.comment_key.clone())
            .bind(row.name.clone())
            .bind(row.email.clone())
            .execute(&mut *tx)
            .await?;
            written.0 += done.rows_affected();
        }
        for (scoped, legacy) in aliases {
            sqlx::query(
                "INSERT INTO person_aliases (scoped_ref, legacy_ref) VALUES ($1, $2) \
                 ON CONFLICT (scoped_ref) DO NOTHING",
            )
            .bind(scoped.clone())
            .bind(legacy.clone())
            .execute(&mut *tx)
            .await?;
        }
        for t in tokens {
            let done = sqlx::query(
                "INSERT INTO public_comment_tokens \
                 (consultation, client_token, request_hash, log_index, receipt) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (consultation, client_token) DO NOTHING",
            )
            .bind(t.consultation.clone())
            .bind(t.client_token.clone())
            .bind(t.request_hash.to_vec())
            .bind(to_i64(t.log_index))
            .bind(t.receipt.clone())
            .execute(&mut *tx)
            .await?;
            written.1 += done.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// Deletes every read-model row and every projection position in one transaction, so
    /// the projectors start again from the first entry.
    ///
    /// # Errors
    /// Any database error; nothing is deleted then.
    pub async fn clear_read_models(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM views").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM projection_positions")
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// [`ViewsDigest`] of the read models, read page by page. Rows are ordered by the
    /// bytes of their name and id on both backends (PostgreSQL's default collation would
    /// order text by locale), so one store's digest can be compared with another's.
    ///
    /// # Errors
    /// Any database error.
    pub async fn views_digest(&self) -> Result<ViewsDigest, sqlx::Error> {
        let collate = match self.backend() {
            Backend::Postgres => " COLLATE \"C\"",
            Backend::Sqlite => "",
        };
        let mut names: Vec<String> = sqlx::query("SELECT DISTINCT view_name FROM views")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        // String order is byte order, as `COLLATE "C"` and SQLite's BINARY are.
        names.sort();
        let page_sql = format!(
            "SELECT view_id, payload FROM views WHERE view_name = $1 AND view_id{collate} > $2 \
             ORDER BY view_id{collate} LIMIT $3"
        );
        let mut hasher = Sha256::new();
        let mut count = 0u64;
        let mut field = |text: &str| {
            // Each field with its length first, so no two different row sets hash alike.
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        };
        for name in &names {
            let mut after = String::new();
            loop {
                let page = sqlx::query(&page_sql)
                    .bind(name.clone())
                    .bind(after.clone())
                    .bind(to_i64(DIGEST_PAGE))
                    .fetch_all(&self.pool)
                    .await?;
                for row in &page {
                    let (id, payload): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                    field(name);
                    field(&id);
                    field(&payload);
                    count += 1;
                    after = id;
                }
                if (page.len() as u64) < DIGEST_PAGE {
                    break;
                }
            }
        }
        Ok(ViewsDigest {
            rows: count,
            digest: hex::encode(hasher.finalize()),
        })
    }
}
