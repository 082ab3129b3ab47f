//! `/v1/institutions` and `/v1/actors`, listed and one by one, from the engine's read API.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer = Result<Json<Value>, ApiError>;
use engine::reads::registry;
use projections::registry::{ACTORS, INSTITUTIONS};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/institutions", get(|s, q| list(s, q, INSTITUTIONS)))
        .route("/v1/institutions/{id}", get(|s, p| one(s, p, INSTITUTIONS)))
        .route("/v1/actors", get(|s, q| list(s, q, ACTORS)))
        .route("/v1/actors/{id}", get(|s, p| one(s, p, ACTORS)))
}

async fn list(
    State(service): State<AppState>,
    Query(params): Params,
    view: &'static str,
) -> Answer {
    Ok(Json(registry::list(&service, &params, view).await?))
}

async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    view: &'static str,
) -> Answer {
    Ok(Json(registry::one(&service, &id, view).await?))
}
