//! `/v1/trainings`, one session, and the unified framework's modules, from the engine's
//! read API (`engine::reads::trainings`).

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use engine::reads::listed::Listing;
use projections::trainings::{Modules, Training};

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
/// A typed view of the read API, serialized as it is.
type Answer<T> = Result<Json<T>, ApiError>;
use engine::reads::trainings;

pub fn router() -> Router<AppState> {
    // `modules` is a fixed segment, which axum matches before `{id}`.
    Router::new()
        .route("/v1/trainings", get(list_trainings))
        .route("/v1/trainings/modules", get(modules))
        .route("/v1/trainings/{id}", get(one_training))
}

async fn list_trainings(
    State(service): State<AppState>,
    Query(params): Params,
) -> Answer<Listing<Training>> {
    Ok(Json(trainings::list_trainings(&service, &params).await?))
}

async fn one_training(State(service): State<AppState>, Path(id): Path<String>) -> Answer<Training> {
    Ok(Json(trainings::one_training(&service, &id).await?))
}

async fn modules() -> Json<Modules> {
    Json(trainings::modules().await)
}
