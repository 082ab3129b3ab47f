//! `/v1/drafts`, one draft and the diff between two of its revisions, from the engine's
//! read API (`engine::reads::drafts`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use engine::reads::listed::Listing;
use projections::participation::diff::DraftDiff;
use projections::participation::draft_view::{Draft, DraftSummary};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
/// A typed view of the read API, serialized as it is.
type Answer<T> = Result<Json<T>, ApiError>;
use engine::reads::drafts;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/drafts", get(list_drafts))
        .route("/v1/drafts/{id}", get(one_draft))
        .route("/v1/drafts/{id}/diff", get(draft_diff))
}

async fn list_drafts(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<DraftSummary>> {
    Ok(Json(drafts::list_drafts(&service, &params).await?))
}

async fn one_draft(State(service): State<AppState>, Path(id): Path<String>) -> Answer<Draft> {
    Ok(Json(drafts::one_draft(&service, &id).await?))
}

async fn draft_diff(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Answer<DraftDiff> {
    Ok(Json(drafts::draft_diff(&service, &id, &params).await?))
}
