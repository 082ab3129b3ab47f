//! `GET /v1/streams/{type}/{id}?from=&limit=`: a stream's entries with their verification
//! status, for the audit trail, at most [`MAX_STREAM_ENTRIES`] per answer. Each entry is
//! checked here against the log key and its chain, so a reader sees at once whether the
//! stored history still holds together; the checks run on a blocking thread, a bounded
//! number at once (`crate::blocking`), never on the async workers.

use std::collections::HashMap;

use ledger::hash::{to_hex, ZERO_HASH};
use ledger::rotation::LogKeyChain;
use ledger::Hash;
use ledger::SignedEntry;
use serde::Serialize;
use serde_json::Value;

use super::params::optional_param;
use crate::refusal::Refusal;
use crate::service::Service;

/// The server's own check of one entry of a stream, in stream order.
pub struct Checked {
    pub signed: SignedEntry,
    /// The log key's signature over the entry.
    pub log_signature: bool,
    /// `prev` is the hash of the stream's previous entry (zeros for the first).
    pub prev_chain: bool,
    /// The actor's signature of its statement, when the entry carries one.
    pub actor_signature: Option<bool>,
}

impl Checked {
    pub fn verified(&self) -> bool {
        self.log_signature && self.prev_chain && self.actor_signature != Some(false)
    }
}

/// Entries one answer (and one page of the audit trail's JSON) holds at most.
pub const MAX_STREAM_ENTRIES: u64 = 1000;

/// Checks part of a stream (its entries' bytes, in `seq` order, the one before them
/// hashing to `prev`, zeros before the first) against the log key that signs each one's
/// index and against their chain; an entry that does not parse is an error naming why.
/// Only the server's word: the portal's Verify button checks the same in the reader's
/// browser.
fn checked_after(
    rows: &[Vec<u8>],
    mut prev: Hash,
    log_keys: &LogKeyChain,
) -> Vec<Result<Checked, String>> {
    rows.iter()
        .map(|bytes| {
            let signed = SignedEntry::parse(bytes).map_err(|e| e.to_string())?;
            let check = Checked {
                log_signature: signed
                    .verify(&log_keys.key_at(signed.entry.index).key)
                    .is_ok(),
                prev_chain: signed.entry.prev == prev,
                actor_signature: signed.entry.auth.as_ref().map(|a| a.verify().is_ok()),
                signed,
            };
            prev = check.signed.hash;
            Ok(check)
        })
        .collect()
}

/// Part of a stream, checked: `rows[i]` is the entry at the position asked plus `i` (0 is
/// the first entry), `checks[i]` the server's check of it; `total` counts the stream.
pub struct StreamPage {
    pub total: u64,
    pub rows: Vec<Vec<u8>>,
    pub checks: Vec<Result<Checked, String>>,
}

/// At most `limit` entries of the stream `kind/id` from position `from`, checked on a
/// blocking thread (one Ed25519 verification or two per entry), with the chain checked
/// from the entry before `from`. `None` when the stream does not exist.
///
/// # Errors
/// A store error; 500 when a stream exists but the log has no genesis.
pub async fn stream_page(
    service: &Service,
    kind: &str,
    id: &str,
    from: u64,
    limit: u64,
) -> Result<Option<StreamPage>, Refusal> {
    let total = service.db.stream_len(kind, id).await?;
    if total == 0 {
        return Ok(None);
    }
    let log_keys = service
        .log_key_chain()
        .ok_or_else(|| Refusal::internal(&"a stream exists but the log has no genesis"))?;
    // `seq` counts from 1: the entry before position `from` has `seq` `from`.
    let mut rows = if from == 0 {
        service.db.stream_entries_from(kind, id, 1, limit).await?
    } else {
        service
            .db
            .stream_entries_from(kind, id, from, limit.saturating_add(1))
            .await?
    };
    let prev = if from > 0 && !rows.is_empty() {
        let before = rows.remove(0);
        // An unreadable previous entry fails the first entry's chain check.
        SignedEntry::parse(&before).map_or([0xff; 32], |s| s.hash)
    } else {
        ZERO_HASH
    };
    let (rows, checks) = crate::blocking::run(move || {
        let checks = checked_after(&rows, prev, &log_keys);
        (rows, checks)
    })
    .await?;
    Ok(Some(StreamPage {
        total,
        rows,
        checks,
    }))
}

/// `?from=` (a position, 0 is the first entry) and `?limit=` (1 to
/// [`MAX_STREAM_ENTRIES`], the default).
pub fn window(params: &HashMap<String, String>) -> Result<(u64, u64), Refusal> {
    if let Some(name) = params.keys().find(|k| *k != "from" && *k != "limit") {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("unknown parameter {name:?}; use from and limit"),
        ));
    }
    let from = optional_param(params, "from")?.unwrap_or(0);
    let limit = optional_param(params, "limit")?.unwrap_or(MAX_STREAM_ENTRIES);
    if limit == 0 || limit > MAX_STREAM_ENTRIES {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("limit must be between 1 and {MAX_STREAM_ENTRIES}"),
        ));
    }
    Ok((from, limit))
}

/// The answer of `GET /v1/streams/{type}/{id}`: a window of a stream's entries, each with
/// the server's own check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamAnswer {
    pub stream: String,
    pub entries: Vec<StreamEntry>,
    pub from: u64,
    pub limit: u64,
    pub total: u64,
    /// The next window's path, while there are more entries.
    pub next: Option<String>,
}

/// One entry of a [`StreamAnswer`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamEntry {
    /// The signed entry exactly as stored (its `data` is whatever its event carries), or
    /// `null` when the stored bytes do not read as an entry.
    pub entry: Value,
    pub status: EntryStatus,
}

/// The server's check of one entry, or why it could not check it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EntryStatus {
    Checked {
        verified: bool,
        log_signature: bool,
        prev_chain: bool,
        actor_signature: Option<bool>,
        entry_hash: String,
    },
    Unreadable {
        verified: bool,
        error: String,
    },
}

pub async fn stream(
    service: &Service,
    kind: &str,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<StreamAnswer, Refusal> {
    let name = domain::StreamName::parse(&format!("{kind}/{id}"))?;
    let (from, limit) = window(params)?;
    let Some(page) = stream_page(service, name.kind, name.id.as_str(), from, limit).await? else {
        return Err(Refusal::not_found(format!("no stream {name}")));
    };
    let entries: Vec<StreamEntry> = page
        .checks
        .into_iter()
        .zip(&page.rows)
        .map(|(check, bytes)| match check {
            Ok(c) => StreamEntry {
                entry: serde_json::from_slice(bytes).unwrap_or(Value::Null),
                status: EntryStatus::Checked {
                    verified: c.verified(),
                    log_signature: c.log_signature,
                    prev_chain: c.prev_chain,
                    actor_signature: c.actor_signature,
                    entry_hash: to_hex(&c.signed.hash),
                },
            },
            Err(error) => StreamEntry {
                entry: Value::Null,
                status: EntryStatus::Unreadable {
                    verified: false,
                    error,
                },
            },
        })
        .collect();
    let after = from.saturating_add(entries.len() as u64);
    let next = (after < page.total && !entries.is_empty())
        .then(|| format!("/v1/streams/{name}?from={after}&limit={limit}"));
    Ok(StreamAnswer {
        stream: name.to_string(),
        entries,
        from,
        limit,
        total: page.total,
        next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The members of an entry's status, in the order docs/spec/api.md shows them.
    #[test]
    fn a_status_serializes_as_the_api_documents_it() {
        let checked = EntryStatus::Checked {
            verified: true,
            log_signature: true,
            prev_chain: true,
            actor_signature: None,
            entry_hash: "ab".into(),
        };
        assert_eq!(
            serde_json::to_string(&checked).unwrap(),
            r#"{"verified":true,"log_signature":true,"prev_chain":true,"actor_signature":null,"entry_hash":"ab"}"#
        );
        let unreadable = StreamEntry {
            entry: Value::Null,
            status: EntryStatus::Unreadable {
                verified: false,
                error: "entry is not a JSON object".into(),
            },
        };
        assert_eq!(
            serde_json::to_string(&unreadable).unwrap(),
            r#"{"entry":null,"status":{"verified":false,"error":"entry is not a JSON object"}}"#
        );
    }
}
