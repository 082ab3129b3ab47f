//! Documents in batches: many published documents in one round trip (a consultation's
//! page and the comments export show hundreds of comment texts, each a document, and one
//! query per comment would make the page as slow as its longest consultation), which of
//! the documents a batch of commands names are available, and the bytes that arrive with
//! the command naming them (a public comment's text), written in the append transaction.
//!
//! "Published" means what `GET /v1/documents/{sha256}` serves: uploaded, named by an
//! entry, and not withheld. The callers also read only the documents whose text the log
//! allows to be shown (a comment hidden or withheld is never asked for): two locks on the
//! same door.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use super::{AppendTx, Db};

/// A document stored by the append transaction of the command that names it, so that a
/// refused command leaves no bytes behind (docs/public-channel.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDocument {
    pub sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by: String,
}

/// Of `shas`, which are stored and which are withheld.
#[derive(Debug, Default)]
pub struct DocumentAvailability {
    pub stored: HashSet<String>,
    pub withheld: HashSet<String>,
}

impl DocumentAvailability {
    /// Stored and not withheld: a document an entry may name.
    pub fn available(&self, sha: &str) -> bool {
        self.stored.contains(sha) && !self.withheld.contains(sha)
    }
}

/// The two lookups of [`Db::document_availability`]: `(stored, withheld)` statements for
/// `count` hashes, numbered from `$1`.
fn availability_sql(count: usize) -> (String, String) {
    let params: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
    let list = params.join(", ");
    (
        format!("SELECT sha256 FROM documents WHERE sha256 IN ({list})"),
        format!("SELECT DISTINCT sha256 FROM withheld_documents WHERE sha256 IN ({list})"),
    )
}

/// Documents asked for in one statement: far below both backends' parameter limits.
const CHUNK: usize = 200;

impl Db {
    /// The bytes of each of `shas` that is published, by hash; unknown or unnamed hashes
    /// are simply absent.
    ///
    /// # Errors
    /// Any database error.
    pub async fn published_documents(
        &self,
        shas: &[String],
    ) -> Result<HashMap<String, Vec<u8>>, sqlx::Error> {
        let mut unique: Vec<&String> = shas.iter().collect();
        unique.sort();
        unique.dedup();
        let mut found = HashMap::new();
        for chunk in unique.chunks(CHUNK) {
            let params: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT d.sha256, d.content FROM documents d WHERE d.sha256 IN ({}) \
                 AND EXISTS (SELECT 1 FROM document_names n WHERE n.sha256 = d.sha256) \
                 AND NOT EXISTS (SELECT 1 FROM withheld_documents w WHERE w.sha256 = d.sha256)",
                params.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for sha in chunk {
                query = query.bind((*sha).clone());
            }
            for row in query.fetch_all(&self.pool).await? {
                found.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        Ok(found)
    }

    /// Of `shas`, which are stored and which are withheld, read outside any transaction
    /// (the check before a command runs).
    ///
    /// # Errors
    /// Any database error.
    pub async fn document_availability(
        &self,
        shas: &[String],
    ) -> Result<DocumentAvailability, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        availability(&mut conn, shas).await
    }

    /// [`Db::document_availability`] inside the append transaction, under the lock that
    /// orders the log: what the sequencer decides on.
    ///
    /// # Errors
    /// Any database error.
    pub async fn document_availability_in(
        &self,
        tx: &mut AppendTx,
        shas: &[String],
    ) -> Result<DocumentAvailability, sqlx::Error> {
        availability(&mut *tx, shas).await
    }

    /// Stores the documents that came with this batch's commands, in its transaction.
    /// Idempotent: the same bytes may already be stored under their hash.
    ///
    /// # Errors
    /// Any database error.
    pub(super) async fn insert_new_documents(
        &self,
        tx: &mut AppendTx,
        documents: &[NewDocument],
    ) -> Result<(), sqlx::Error> {
        for d in documents {
            sqlx::query(
                "INSERT INTO documents (sha256, content, uploaded_by) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(d.sha256.clone())
            .bind(d.content.clone())
            .bind(d.uploaded_by.clone())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

/// Which of `shas` are stored and which withheld, on one connection (the pool's or the
/// append transaction's).
async fn availability(
    conn: &mut sqlx::AnyConnection,
    shas: &[String],
) -> Result<DocumentAvailability, sqlx::Error> {
    let mut found = DocumentAvailability::default();
    for chunk in unique(shas).chunks(CHUNK) {
        let (stored, withheld) = availability_sql(chunk.len());
        for (sql, into) in [(stored, &mut found.stored), (withheld, &mut found.withheld)] {
            let mut query = sqlx::query(&sql);
            for sha in chunk {
                query = query.bind((*sha).clone());
            }
            for row in query.fetch_all(&mut *conn).await? {
                into.insert(row.try_get(0)?);
            }
        }
    }
    Ok(found)
}

fn unique(shas: &[String]) -> Vec<&String> {
    let mut unique: Vec<&String> = shas.iter().collect();
    unique.sort();
    unique.dedup();
    unique
}
