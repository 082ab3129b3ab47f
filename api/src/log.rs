//! The log for auditors, witnesses and mirrors: checkpoint, key, entries and proofs, served
//! as the exact bytes that were signed.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ledger::merkle::{self, NodeId};
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::AppState;
use engine::reads::params::{optional_param, param, parse_u64};

pub use ledger::limits::MAX_ENTRIES_PER_CALL;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/log/checkpoint", get(checkpoint))
        .route("/v1/log/key", get(key))
        .route("/v1/log/keys", get(keys))
        .route("/v1/log/entries", get(entries))
        .route("/v1/log/entries/{index}", get(entry))
        .route("/v1/log/proof/inclusion", get(inclusion))
        .route("/v1/log/proof/consistency", get(consistency))
}

type Params = Query<HashMap<String, String>>;

fn text_plain(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn checkpoint(State(service): State<AppState>) -> Result<Response, ApiError> {
    let (_, note) = service.db.state().await?;
    let note = note.ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "no_genesis",
            "the log has no checkpoint yet",
        )
    })?;
    // With the witnesses' cosignatures once they have answered for this checkpoint.
    Ok(text_plain(service.cosignatures.serve(&note)))
}

/// The log key in force: the genesis key until a rotation, then the last one rotated to.
async fn key(State(service): State<AppState>) -> Result<Response, ApiError> {
    catch_up(&service).await?;
    Ok(text_plain(format!("{}\n", service.current_log_key())))
}

/// Every key the log has signed with, one per line, oldest first: the export's `log.pub`
/// (docs/key-rotation.md).
async fn keys(State(service): State<AppState>) -> Result<Response, ApiError> {
    catch_up(&service).await?;
    Ok(text_plain(service.log_key_chain().map_or_else(
        || format!("{}\n", service.log_key),
        |c| c.to_log_pub(),
    )))
}

/// Another process sharing the store may have appended a rotation this one has not read:
/// the registry (which holds the key chain) reads it first. The sequencer is asked only
/// when the store is ahead, so these reads cost the append path nothing otherwise.
async fn catch_up(service: &AppState) -> Result<(), ApiError> {
    let (state, _) = service.db.state().await?;
    if state.tree_size > service.sequencer.known_size() {
        service.sequencer.sync().await;
    }
    Ok(())
}

/// The tree size proofs and entry reads may refer to: what this process saw committed,
/// or, if asked for more, what the store holds now (another process may have appended).
async fn tree_size(service: &AppState, wanted: u64) -> Result<u64, ApiError> {
    let known = service.sequencer.known_size();
    if wanted <= known {
        return Ok(known);
    }
    Ok(service.db.state().await?.0.tree_size)
}

async fn entries(
    State(service): State<AppState>,
    Query(params): Params,
) -> Result<Response, ApiError> {
    let start = optional_param(&params, "start")?.unwrap_or(0);
    let limit = optional_param(&params, "limit")?
        .unwrap_or(MAX_ENTRIES_PER_CALL)
        .min(MAX_ENTRIES_PER_CALL);
    let size = tree_size(&service, start.saturating_add(limit)).await?;
    let end = size.min(start.saturating_add(limit));
    let rows = if start < end {
        service.db.entries(start, end - start).await?
    } else {
        Vec::new()
    };
    let mut body = Vec::with_capacity(rows.iter().map(|(_, b)| b.len() + 1).sum());
    for (_, bytes) in rows {
        body.extend_from_slice(&bytes);
        body.push(b'\n');
    }
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

async fn entry(
    State(service): State<AppState>,
    Path(index): Path<String>,
) -> Result<Response, ApiError> {
    let index = parse_u64("index", &index)?;
    let rows = service.db.entries(index, 1).await?;
    let (_, bytes) = rows
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(format!("no entry {index}")))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn nodes_for(
    service: &AppState,
    plan: &[Vec<NodeId>],
) -> Result<Vec<ledger::Hash>, ApiError> {
    let ids: Vec<NodeId> = plan.iter().flatten().copied().collect();
    let found = service.db.nodes(&ids).await?;
    merkle::assemble(plan, |id| found.get(&id).copied()).map_err(|e| ApiError::internal(&e))
}

fn b64_list(hashes: &[ledger::Hash]) -> Vec<String> {
    hashes.iter().map(|h| BASE64.encode(h)).collect()
}

async fn inclusion(
    State(service): State<AppState>,
    Query(params): Params,
) -> Result<Json<Value>, ApiError> {
    let index = param(&params, "index")?;
    let size = param(&params, "size")?;
    if index >= size || size > tree_size(&service, size).await? {
        return Err(ApiError::bad_request(
            "invalid_range",
            "need index < size <= the tree size",
        ));
    }
    let plan = merkle::inclusion_plan(index, size)
        .map_err(|e| ApiError::bad_request("invalid_range", e.to_string()))?;
    let hashes = nodes_for(&service, &plan).await?;
    Ok(Json(
        json!({"index": index, "size": size, "hashes": b64_list(&hashes)}),
    ))
}

async fn consistency(
    State(service): State<AppState>,
    Query(params): Params,
) -> Result<Json<Value>, ApiError> {
    let from = param(&params, "from")?;
    let to = param(&params, "to")?;
    if from == 0 || from > to || to > tree_size(&service, to).await? {
        return Err(ApiError::bad_request(
            "invalid_range",
            "need 1 <= from <= to <= the tree size",
        ));
    }
    let plan = merkle::consistency_plan(from, to)
        .map_err(|e| ApiError::bad_request("invalid_range", e.to_string()))?;
    let hashes = nodes_for(&service, &plan).await?;
    Ok(Json(
        json!({"from": from, "to": to, "hashes": b64_list(&hashes)}),
    ))
}
