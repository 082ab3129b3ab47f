//! `POST /v1/statements`: signed statements in.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use axum::extract::rejection::BytesRejection;

use super::{body_bytes, require_json, AppState};
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/statements", post(submit))
}

async fn submit(
    State(service): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    require_json(&headers)?;
    let body = body_bytes(body)?;
    let answer = service.submit_statement(&body).await?;
    Ok((StatusCode::CREATED, Json(answer)))
}
