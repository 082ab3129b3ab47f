//! `/v1/drafts`, one draft and the diff between two of its revisions, from the engine's
//! read API (`engine::reads::drafts`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer = Result<Json<Value>, ApiError>;
use engine::reads::drafts;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/drafts", get(list_drafts))
        .route("/v1/drafts/{id}", get(one_draft))
        .route("/v1/drafts/{id}/diff", get(draft_diff))
}

async fn list_drafts(State(service): State<AppState>, Query(params): Params) -> Answer {
    Ok(Json(drafts::list_drafts(&service, &params).await?))
}

async fn one_draft(State(service): State<AppState>, Path(id): Path<String>) -> Answer {
    Ok(Json(drafts::one_draft(&service, &id).await?))
}

async fn draft_diff(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Params,
) -> Answer {
    Ok(Json(drafts::draft_diff(&service, &id, &params).await?))
}
