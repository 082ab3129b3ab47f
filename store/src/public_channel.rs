//! The queries of the public channel (docs/public-channel.md): the erasable store of
//! personal data, the client tokens that make a public comment's retry idempotent, and
//! withheld documents. The append transaction writes tokens and withheld documents
//! (`write_batch`); everything here reads them, or writes the `persons` table, which lies
//! outside the log on purpose.

use std::collections::HashMap;

use sqlx::Row;

use super::queries::{hash_of, to_i64, to_u64, AppendTx, ClientTokenRow};
use super::{Backend, Db};

/// A row of the `persons` table: today only the marker of an erased person
/// (`erased_at`); the other columns hold data of the earlier scheme until it is moved
/// (`public_channel::persons::migrate_legacy`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonRow {
    pub wrapped_key: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub erased_at: Option<String>,
}

/// What was given with one public comment, as stored: the comment's key wrapped under the
/// key of `epoch`, and the ciphertexts of the name and e-mail; all `None` once erased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonCommentRow {
    pub consultation: String,
    pub comment: u64,
    pub person_ref: String,
    pub epoch: u64,
    pub comment_key: Option<Vec<u8>>,
    pub name: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
}

const PERSON_COMMENT_COLUMNS: &str =
    "consultation, comment, person_ref, epoch, comment_key, name_ct, email_ct";

fn person_comment_row(r: &sqlx::any::AnyRow) -> Result<PersonCommentRow, sqlx::Error> {
    Ok(PersonCommentRow {
        consultation: r.try_get(0)?,
        comment: to_u64(r.try_get(1)?),
        person_ref: r.try_get(2)?,
        epoch: to_u64(r.try_get(3)?),
        comment_key: r.try_get(4)?,
        name: r.try_get(5)?,
        email: r.try_get(6)?,
    })
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

    /// The fingerprint of the personal-data secret the store's data is under, if one was
    /// recorded.
    ///
    /// # Errors
    /// Any database error.
    pub async fn persons_fingerprint(&self) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT fingerprint FROM persons_secret WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    /// Records the fingerprint of the personal-data secret, unless one is (another process
    /// may have been first: the caller reads it back and compares). Returns whether this
    /// call recorded it.
    ///
    /// # Errors
    /// Any database error.
    pub async fn set_persons_fingerprint(&self, fingerprint: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO persons_secret (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(fingerprint.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many comments have a key that still opens their author's data (or would, with
    /// its epoch key).
    ///
    /// # Errors
    /// Any database error.
    pub async fn live_person_comments(&self) -> Result<u64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) FROM person_comments WHERE comment_key IS NOT NULL")
            .fetch_one(&self.pool)
            .await?;
        Ok(to_u64(row.try_get(0)?))
    }

    /// The earlier reference a scoped reference stands for, if any.
    ///
    /// # Errors
    /// Any database error.
    pub async fn person_alias(&self, scoped_ref: &str) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query("SELECT legacy_ref FROM person_aliases WHERE scoped_ref = $1")
            .bind(scoped_ref.to_owned())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get(0)).transpose()
    }

    /// Records that `scoped_ref` stands for `legacy_ref` (idempotent).
    ///
    /// # Errors
    /// Any database error.
    pub async fn add_person_alias(
        &self,
        scoped_ref: &str,
        legacy_ref: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO person_aliases (scoped_ref, legacy_ref) VALUES ($1, $2) \
             ON CONFLICT (scoped_ref) DO NOTHING",
        )
        .bind(scoped_ref.to_owned())
        .bind(legacy_ref.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every alias, for a backup: `(scoped_ref, legacy_ref)`.
    ///
    /// # Errors
    /// Any database error.
    pub async fn all_person_aliases(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT scoped_ref, legacy_ref FROM person_aliases ORDER BY scoped_ref")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Stores what was given with one comment. Never for a person already erased, so
    /// nothing is kept that an `ErasePersonalData` could no longer reach; never over a row
    /// already stored for that comment, so nothing sent later changes it.
    ///
    /// # Errors
    /// Any database error.
    pub async fn remember_person_comment(&self, row: &PersonCommentRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO person_comments \
             (consultation, comment, person_ref, epoch, comment_key, name_ct, email_ct) \
             SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS \
             (SELECT 1 FROM persons WHERE person_ref = $8 AND erased_at IS NOT NULL) \
             ON CONFLICT (consultation, comment) DO NOTHING",
        )
        .bind(row.consultation.clone())
        .bind(to_i64(row.comment))
        .bind(row.person_ref.clone())
        .bind(to_i64(row.epoch))
        .bind(row.comment_key.clone())
        .bind(row.name.clone())
        .bind(row.email.clone())
        .bind(row.person_ref.clone())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The stored rows of these comments of a consultation (those that have one), by
    /// comment number.
    ///
    /// # Errors
    /// Any database error.
    pub async fn person_comments(
        &self,
        consultation: &str,
        comments: &[u64],
    ) -> Result<HashMap<u64, PersonCommentRow>, sqlx::Error> {
        let mut found = HashMap::with_capacity(comments.len());
        for chunk in comments.chunks(200) {
            let list: Vec<String> = (2..=chunk.len() + 1).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT {PERSON_COMMENT_COLUMNS} FROM person_comments \
                 WHERE consultation = $1 AND comment IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(consultation.to_owned());
            for n in chunk {
                q = q.bind(to_i64(*n));
            }
            for r in q.fetch_all(&self.pool).await? {
                let row = person_comment_row(&r)?;
                found.insert(row.comment, row);
            }
        }
        Ok(found)
    }

    /// Up to `limit` rows whose key is wrapped under an epoch before `epoch`.
    ///
    /// # Errors
    /// Any database error.
    pub async fn person_comments_before(
        &self,
        epoch: u64,
        limit: u32,
    ) -> Result<Vec<PersonCommentRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {PERSON_COMMENT_COLUMNS} FROM person_comments \
             WHERE comment_key IS NOT NULL AND epoch < $1 ORDER BY consultation, comment LIMIT {limit}"
        );
        let rows = sqlx::query(&sql)
            .bind(to_i64(epoch))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(person_comment_row).collect()
    }

    /// Every row, for a backup.
    ///
    /// # Errors
    /// Any database error.
    pub async fn all_person_comments(&self) -> Result<Vec<PersonCommentRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {PERSON_COMMENT_COLUMNS} FROM person_comments ORDER BY consultation, comment"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(person_comment_row).collect()
    }

    /// Replaces a row's wrapped key and epoch, unless another process re-wrapped or
    /// erased it since it was read.
    ///
    /// # Errors
    /// Any database error.
    pub async fn rewrap_person_comment(
        &self,
        old: &PersonCommentRow,
        new: &PersonCommentRow,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE person_comments SET epoch = $1, comment_key = $2 \
             WHERE consultation = $3 AND comment = $4 AND epoch = $5 AND comment_key IS NOT NULL",
        )
        .bind(to_i64(new.epoch))
        .bind(new.comment_key.clone())
        .bind(old.consultation.clone())
        .bind(to_i64(old.comment))
        .bind(to_i64(old.epoch))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Clears a row whose key can no longer be opened.
    ///
    /// # Errors
    /// Any database error.
    pub async fn clear_person_comment(&self, row: &PersonCommentRow) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE person_comments SET comment_key = NULL, name_ct = NULL, email_ct = NULL \
             WHERE consultation = $1 AND comment = $2 AND epoch = $3",
        )
        .bind(row.consultation.clone())
        .bind(to_i64(row.comment))
        .bind(to_i64(row.epoch))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Rows of the `persons` table that still hold data of the earlier scheme (a key
    /// derived from the log key), to be moved.
    ///
    /// # Errors
    /// Any database error.
    pub async fn legacy_persons(&self) -> Result<Vec<(String, PersonRow)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT person_ref, person_key, name_ct, email_ct, erased_at FROM persons \
             WHERE person_key IS NOT NULL OR name_ct IS NOT NULL OR email_ct IS NOT NULL \
             ORDER BY person_ref",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    PersonRow {
                        wrapped_key: r.try_get(1)?,
                        name: r.try_get(2)?,
                        email: r.try_get(3)?,
                        erased_at: r.try_get(4)?,
                    },
                ))
            })
            .collect()
    }

    /// Deletes a moved row of the earlier scheme (an erased person keeps the marker).
    ///
    /// # Errors
    /// Any database error.
    pub async fn drop_legacy_person(&self, person_ref: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM persons WHERE person_ref = $1 AND erased_at IS NULL")
            .bind(person_ref.to_owned())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE persons SET person_key = NULL, name_ct = NULL, email_ct = NULL \
             WHERE person_ref = $1",
        )
        .bind(person_ref.to_owned())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// `(consultation id, comment number, person reference)` of every public comment in
    /// the log.
    ///
    /// # Errors
    /// Any database error.
    pub async fn public_comment_persons(&self) -> Result<Vec<(String, u64, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT entry FROM events WHERE event_type = 'CommentSubmitted' ORDER BY log_index",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let bytes: Vec<u8> = r.try_get(0)?;
            let Ok(signed) = ledger::SignedEntry::parse(&bytes) else {
                continue;
            };
            let entry = signed.entry;
            let id = entry.stream.strip_prefix("consultation/");
            let number = entry
                .data
                .get("comment")
                .and_then(serde_json::Value::as_u64);
            let person = entry.data.get("person").and_then(serde_json::Value::as_str);
            if let (Some(id), Some(n), Some(p)) = (id, number, person) {
                out.push((id.to_owned(), n, p.to_owned()));
            }
        }
        Ok(out)
    }

    /// Erases a person: the key and ciphertexts of each of their comments become NULL,
    /// and a row is left (or created) in `persons` that says so, which also stops later
    /// data from being stored. Idempotent; `at` is kept from the first erasure. On SQLite
    /// the WAL is then checkpointed and truncated, so the old pages do not linger there.
    ///
    /// # Errors
    /// Any database error.
    pub async fn erase_person(&self, person_ref: &str, at: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO persons (person_ref, erased_at) VALUES ($1, $2) \
             ON CONFLICT (person_ref) DO UPDATE SET person_key = NULL, name_ct = NULL, \
             email_ct = NULL, erased_at = COALESCE(persons.erased_at, excluded.erased_at) \
             WHERE persons.erased_at IS NULL OR persons.person_key IS NOT NULL \
             OR persons.name_ct IS NOT NULL OR persons.email_ct IS NOT NULL",
        )
        .bind(person_ref.to_owned())
        .bind(at.to_owned())
        .execute(&mut *tx)
        .await?;
        let cleared = sqlx::query(
            "UPDATE person_comments SET comment_key = NULL, name_ct = NULL, email_ct = NULL \
             WHERE person_ref = $1 AND (comment_key IS NOT NULL OR name_ct IS NOT NULL \
             OR email_ct IS NOT NULL)",
        )
        .bind(person_ref.to_owned())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if cleared.rows_affected() > 0 && self.backend() == Backend::Sqlite {
            self.checkpoint_wal().await;
        }
        Ok(())
    }

    /// SQLite: copies the WAL into the database file and truncates it, so that pages an
    /// erasure replaced do not stay in the WAL. SQLite reports a checkpoint that readers
    /// held back as "busy" in the first column of its answer, not as an error: that is
    /// retried a few times, then logged (the epoch keys still bound what such a page
    /// reveals). Returns whether the checkpoint completed.
    pub async fn checkpoint_wal(&self) -> bool {
        for attempt in 0..20 {
            match sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&self.pool)
                .await
            {
                Ok(row) => {
                    let busy: i64 = row.try_get(0).unwrap_or(1);
                    if busy == 0 {
                        return true;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                    return false;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(25 * (attempt + 1))).await;
        }
        tracing::warn!("WAL checkpoint stayed busy; the next one will truncate it");
        false
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
