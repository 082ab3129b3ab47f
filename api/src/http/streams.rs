//! `GET /v1/streams/{type}/{id}`: a stream's entries with their verification status, for
//! the audit trail. Each entry is checked here against the log key and its chain, so a
//! reader sees at once whether the stored history still holds together.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use ledger::hash::{to_hex, ZERO_HASH};
use ledger::rotation::LogKeyChain;
use ledger::SignedEntry;
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;

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

/// Checks a stream's entries (their bytes, in `seq` order) against the log key that signs
/// each one's index and against their chain; an entry that does not parse is an error
/// naming why. Only the server's word: the portal's Verify button checks the same in the
/// reader's browser.
pub fn checked(rows: &[Vec<u8>], log_keys: &LogKeyChain) -> Vec<Result<Checked, String>> {
    let mut prev = ZERO_HASH;
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

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/streams/{kind}/{id}", get(stream))
}

async fn stream(
    State(service): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let name = domain::StreamName::parse(&format!("{kind}/{id}"))?;
    let rows = service
        .db
        .stream_entries(name.kind, name.id.as_str())
        .await?;
    if rows.is_empty() {
        return Err(ApiError::not_found(format!("no stream {name}")));
    }
    let log_keys = service
        .log_key_chain()
        .ok_or_else(|| ApiError::internal(&"a stream exists but the log has no genesis"))?;
    let entries: Vec<Value> = checked(&rows, &log_keys)
        .into_iter()
        .zip(&rows)
        .map(|(check, bytes)| match check {
            Ok(c) => {
                let value: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
                json!({"entry": value, "status": {"verified": c.verified(), "log_signature": c.log_signature,
                    "prev_chain": c.prev_chain, "actor_signature": c.actor_signature,
                    "entry_hash": to_hex(&c.signed.hash)}})
            }
            Err(e) => json!({"entry": Value::Null, "status": {"verified": false, "error": e}}),
        })
        .collect();
    Ok(Json(
        json!({"stream": name.to_string(), "entries": entries}),
    ))
}
