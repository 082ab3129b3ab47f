//! `/v1/indicators`: the indicators of docs/indicators.md at the head or an earlier tree
//! size, from the engine's read API (`engine::reads::indicators`).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use projections::indicators::Indicators;

use crate::error::ApiError;
use crate::AppState;

type Params = Query<HashMap<String, String>>;
type Answer = Result<Json<Indicators>, ApiError>;
use engine::reads::indicators;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/indicators", get(answer))
}

async fn answer(State(service): State<AppState>, Query(params): Params) -> Answer {
    Ok(Json(indicators::indicators(&service, &params).await?))
}
