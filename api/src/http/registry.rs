//! The registry's read models: institutions and actors, paginated.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use projections::registry::{ACTORS, INSTITUTIONS};
use serde_json::{json, Value};

use super::log::optional_param;
use super::AppState;
use crate::error::ApiError;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/institutions", get(|s, q| list(s, q, INSTITUTIONS)))
        .route("/v1/institutions/{id}", get(|s, p| one(s, p, INSTITUTIONS)))
        .route("/v1/actors", get(|s, q| list(s, q, ACTORS)))
        .route("/v1/actors/{id}", get(|s, p| one(s, p, ACTORS)))
}

/// `?page=` (from 1) and `?per_page=` (1 to 100, default 20) as offset and limit.
pub(super) fn page(params: &HashMap<String, String>) -> Result<(u64, u64, u64), ApiError> {
    let page = optional_param(params, "page")?.unwrap_or(1).max(1);
    let per_page = optional_param(params, "per_page")?
        .unwrap_or(20)
        .clamp(1, MAX_PER_PAGE);
    Ok(((page - 1).saturating_mul(per_page), per_page, page))
}

async fn list(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    view: &'static str,
) -> Result<Json<Value>, ApiError> {
    service.await_read_models().await;
    let (offset, limit, page_number) = page(&params)?;
    let (rows, total) = service.db.view_page(view, offset, limit).await?;
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    Ok(Json(
        json!({"items": items, "page": page_number, "per_page": limit, "total": total}),
    ))
}

async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    view: &'static str,
) -> Result<Json<Value>, ApiError> {
    service.await_read_models().await;
    let row = service
        .db
        .view_row(view, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no {view} row {id:?}")))?;
    serde_json::from_str(&row)
        .map(Json)
        .map_err(|e| ApiError::internal(&e))
}
