//! The queries of the public channel (docs/public-channel.md): the erasable store of
//! personal data, the client tokens that make a public comment's retry idempotent, and
//! withheld documents. The append transaction writes tokens and withheld documents
//! (`write_batch`); everything here reads them, or writes the `persons` table, which lies
//! outside the log on purpose.

use std::collections::HashMap;

use sqlx::Row;

use super::queries::{hash_of, to_i64, to_u64, AppendTx, ClientTokenRow};
use super::{Backend, Db};

/// A person's row as stored: the wrapped per-person key and the ciphertexts, all `None`
/// once erased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonRow {
    pub wrapped_key: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub erased_at: Option<String>,
}

impl Db {
    /// The receipts of the given `(consultation, client_token)` pairs that were used,
    /// read inside the append transaction (under the lock, so no other process can be
    /// adding one meanwhile).
    ///
    /// # Errors
    /// Any database error.
    pub async fn client_tokens_in(
        &self,
        tx: &mut AppendTx,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), String>, sqlx::Error> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(200) {
            let pairs: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "SELECT consultation, client_token, receipt FROM public_comment_tokens \
                 WHERE (consultation, client_token) IN (VALUES {})",
                pairs.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (consultation, token) in chunk {
                q = q.bind(consultation.clone()).bind(token.clone());
            }
            for row in q.fetch_all(&mut **tx).await? {
                found.insert((row.try_get(0)?, row.try_get(1)?), row.try_get(2)?);
            }
        }
        Ok(found)
    }

    /// What a client token was used for, if it was.
    ///
    /// # Errors
    /// Any database error.
    pub async fn client_token(
        &self,
        consultation: &str,
        token: &str,
    ) -> Result<Option<ClientTokenRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT request_hash, log_index, receipt FROM public_comment_tokens \
             WHERE consultation = $1 AND client_token = $2",
        )
        .bind(consultation.to_owned())
        .bind(token.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(ClientTokenRow {
                consultation: consultation.to_owned(),
                client_token: token.to_owned(),
                request_hash: hash_of(r.try_get(0)?)?,
                log_index: to_u64(r.try_get(1)?),
                receipt: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Stores a person's encrypted data. A person seen before keeps what is stored unless
    /// this submission carries a name (then it replaces the whole row, with a new key);
    /// a person once erased never gets data again, so nothing is kept that an
    /// `ErasePersonalData` could no longer reach.
    ///
    /// # Errors
    /// Any database error.
    pub async fn remember_person(
        &self,
        person_ref: &str,
        row: &PersonRow,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO persons (person_ref, person_key, name_ct, email_ct) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (person_ref) DO UPDATE SET person_key = excluded.person_key, \
             name_ct = excluded.name_ct, email_ct = excluded.email_ct \
             WHERE persons.erased_at IS NULL AND excluded.name_ct IS NOT NULL",
        )
        .bind(person_ref.to_owned())
        .bind(row.wrapped_key.clone())
        .bind(row.name.clone())
        .bind(row.email.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A person's stored row.
    ///
    /// # Errors
    /// Any database error.
    pub async fn person(&self, person_ref: &str) -> Result<Option<PersonRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT person_key, name_ct, email_ct, erased_at FROM persons WHERE person_ref = $1",
        )
        .bind(person_ref.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PersonRow {
                wrapped_key: r.try_get(0)?,
                name: r.try_get(1)?,
                email: r.try_get(2)?,
                erased_at: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// The stored rows of these persons (those that have one).
    ///
    /// # Errors
    /// Any database error.
    pub async fn persons(
        &self,
        refs: &[String],
    ) -> Result<HashMap<String, PersonRow>, sqlx::Error> {
        let mut found = HashMap::with_capacity(refs.len());
        for chunk in refs.chunks(200) {
            let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT person_ref, person_key, name_ct, email_ct, erased_at FROM persons \
                 WHERE person_ref IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q.bind(r.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                found.insert(
                    r.try_get(0)?,
                    PersonRow {
                        wrapped_key: r.try_get(1)?,
                        name: r.try_get(2)?,
                        email: r.try_get(3)?,
                        erased_at: r.try_get(4)?,
                    },
                );
            }
        }
        Ok(found)
    }

    /// Erases a person: the key and both ciphertexts become NULL, and a row is left (or
    /// created) that says so, which also stops later data from being stored. Idempotent,
    /// and a row already erased is not written again (the reconciliation at start-up runs
    /// this for every erasure in the log); `at` is kept from the first erasure.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erase_person(&self, person_ref: &str, at: &str) -> Result<(), sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        if self.backend() == Backend::Sqlite {
            // Overwrite the freed bytes in the database file rather than leave them in a
            // free page until reused. Per connection; harmless to leave on.
            sqlx::query("PRAGMA secure_delete = ON")
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(
            "INSERT INTO persons (person_ref, erased_at) VALUES ($1, $2) \
             ON CONFLICT (person_ref) DO UPDATE SET person_key = NULL, name_ct = NULL, \
             email_ct = NULL, erased_at = COALESCE(persons.erased_at, excluded.erased_at) \
             WHERE persons.erased_at IS NULL OR persons.person_key IS NOT NULL \
             OR persons.name_ct IS NOT NULL OR persons.email_ct IS NOT NULL",
        )
        .bind(person_ref.to_owned())
        .bind(at.to_owned())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// `PersonalDataErased` entries from `start` on, in index order: `(index, canonical
    /// bytes)`. Served by a partial index, so cheap however long the log.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erasure_entries(&self, start: u64) -> Result<Vec<(u64, Vec<u8>)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT log_index, entry FROM events \
             WHERE event_type = 'PersonalDataErased' AND log_index >= $1 ORDER BY log_index",
        )
        .bind(to_i64(start))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((to_u64(r.try_get(0)?), r.try_get(1)?)))
            .collect()
    }

    /// Whether some entry withheld this document.
    ///
    /// # Errors
    /// Any database error.
    pub async fn document_withheld(&self, sha256: &str) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT 1 FROM withheld_documents WHERE sha256 = $1")
            .bind(sha256.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Deletes any bytes of withheld documents still stored (an upload racing with the
    /// withholding entry); run at start-up. Returns how many were deleted.
    ///
    /// # Errors
    /// Any database error.
    pub async fn purge_withheld_documents(&self) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM documents WHERE sha256 IN (SELECT sha256 FROM withheld_documents)",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
