//! `GET /v1/log/proof/bundle?index=I`: the offline proof file of one entry
//! (`ledger::proof_bundle`, docs/witnesses.md): its canonical bytes, its inclusion proof and
//! the checkpoint it is proven against.
//!
//! The checkpoint is the largest one the witnesses' quorum cosigned, when it covers the
//! entry; otherwise the latest checkpoint, with whatever cosignatures it has so far. So a
//! bundle fetched right after a write proves inclusion at once, and one fetched again once
//! the witnesses have answered carries their cosignatures: a comment's receipt "upgrades"
//! by fetching its index's bundle later.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ledger::merkle;
use ledger::note::split_note;
use ledger::proof_bundle::{Inclusion, ProofBundle, PROOF_FORMAT_V1};
use ledger::Checkpoint;

use crate::error::ApiError;
use crate::AppState;
use engine::reads::params::param;

pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/v1/log/proof/bundle", axum::routing::get(bundle))
}

async fn bundle(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ProofBundle>, ApiError> {
    let index = param(&params, "index")?;
    let (_, latest) = service.db.state().await?;
    let latest = latest.ok_or_else(|| ApiError::not_found("the log has no checkpoint yet"))?;
    let note = match service.cosignatures.with_quorum() {
        Some((size, note)) if size > index => note,
        _ => service.cosignatures.serve(&latest),
    };
    let (text, _) = split_note(&note).map_err(|e| ApiError::internal(&e))?;
    let checkpoint = Checkpoint::parse_body(text).map_err(|e| ApiError::internal(&e))?;
    if index >= checkpoint.size {
        return Err(ApiError::not_found(format!(
            "no entry {index} in the latest checkpoint (size {})",
            checkpoint.size
        )));
    }
    let (_, bytes) = service
        .db
        .entries(index, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found(format!("no entry {index}")))?;
    let entry = String::from_utf8(bytes).map_err(|e| ApiError::internal(&e))?;
    let plan =
        merkle::inclusion_plan(index, checkpoint.size).map_err(|e| ApiError::internal(&e))?;
    let ids: Vec<_> = plan.iter().flatten().copied().collect();
    let found = service.db.nodes(&ids).await?;
    let hashes = merkle::assemble(&plan, |id| found.get(&id).copied())
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(ProofBundle {
        format: PROOF_FORMAT_V1.to_owned(),
        index,
        entry,
        inclusion: Inclusion {
            size: checkpoint.size,
            hashes: hashes.iter().map(|h| BASE64.encode(h)).collect(),
        },
        checkpoint: note,
    }))
}
