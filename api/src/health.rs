//! `GET /healthz`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

async fn health(State(service): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "tree_size": service.sequencer.known_size()}))
}
