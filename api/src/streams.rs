//! `/v1/streams/{kind}/{id}`: a stream's entries with the server's own check of each, from
//! the engine's read API (`engine::reads::streams`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use engine::reads::streams::{self, StreamAnswer};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer = Result<Json<StreamAnswer>, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/streams/{kind}/{id}", get(stream))
}

async fn stream(
    State(service): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    Query(params): Params,
) -> Answer {
    Ok(Json(streams::stream(&service, &kind, &id, &params).await?))
}
