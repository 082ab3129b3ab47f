//! `/v1/institutions` and `/v1/actors`, listed and one by one, from the engine's read API.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer<T> = Result<Json<T>, ApiError>;
use engine::reads::registry;
use engine::reads::support::Listing;
use projections::registry::{Actor, Institution};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/institutions", get(institutions))
        .route("/v1/institutions/{id}", get(institution))
        .route("/v1/actors", get(actors))
        .route("/v1/actors/{id}", get(actor))
}

async fn institutions(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<Institution>> {
    Ok(Json(registry::institutions_page(&service, &params).await?))
}

async fn institution(
    State(service): State<AppState>,
    Path(id): Path<String>,
) -> Answer<Institution> {
    Ok(Json(registry::institution(&service, &id).await?))
}

async fn actors(State(service): State<AppState>, Query(params): Params) -> Answer<Listing<Actor>> {
    Ok(Json(registry::actors_page(&service, &params).await?))
}

async fn actor(State(service): State<AppState>, Path(id): Path<String>) -> Answer<Actor> {
    Ok(Json(registry::actor(&service, &id).await?))
}
