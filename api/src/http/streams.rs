//! `GET /v1/streams/{type}/{id}`: a stream's entries with their verification status, for
//! the audit trail. Each entry is checked here against the log key and its chain, so a
//! reader sees at once whether the stored history still holds together.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use ledger::hash::{to_hex, ZERO_HASH};
use ledger::{SignedEntry, VerifierKey};
use serde_json::{json, Value};

use super::AppState;
use crate::error::ApiError;

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
    let log_key = VerifierKey::parse(&service.log_key).map_err(|e| ApiError::internal(&e))?;
    let mut prev = ZERO_HASH;
    let mut entries = Vec::with_capacity(rows.len());
    for bytes in rows {
        let (value, status) = match SignedEntry::parse(&bytes) {
            Ok(signed) => {
                let log_signature = signed.verify(&log_key.key).is_ok();
                let chain = signed.entry.prev == prev;
                let actor_signature = signed.entry.auth.as_ref().map(|a| a.verify().is_ok());
                prev = signed.hash;
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let verified = log_signature && chain && actor_signature != Some(false);
                (
                    value,
                    json!({"verified": verified, "log_signature": log_signature, "prev_chain": chain,
                               "actor_signature": actor_signature, "entry_hash": to_hex(&signed.hash)}),
                )
            }
            Err(e) => (
                Value::Null,
                json!({"verified": false, "error": e.to_string()}),
            ),
        };
        entries.push(json!({"entry": value, "status": status}));
    }
    Ok(Json(
        json!({"stream": name.to_string(), "entries": entries}),
    ))
}
