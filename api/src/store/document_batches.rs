//! Many published documents in one round trip: a consultation's page and the comments
//! export show hundreds of comment texts, each a document, and one query per comment
//! would make the page as slow as its longest consultation.
//!
//! "Published" means what `GET /v1/documents/{sha256}` serves: uploaded, named by an
//! entry, and not withheld. The callers also read only the documents whose text the log
//! allows to be shown (a comment hidden or withheld is never asked for): two locks on the
//! same door.

use std::collections::HashMap;

use sqlx::Row;

use super::Db;

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
}
