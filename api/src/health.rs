//! `GET /healthz`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// The signed tree size, and how far the read models have followed it: `projected` is the
/// smallest projector position (the entries below it are in every read model), which a
/// read-your-writes answer waits for, so `tree_size - projected` is the read models' lag.
async fn health(State(service): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "tree_size": service.sequencer.known_size(),
        "projected": service.projections.position(),
    }))
}
