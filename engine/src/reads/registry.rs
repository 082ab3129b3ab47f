//! The registry's read models: institutions and actors, paginated.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::params::optional_param;
use crate::refusal::Refusal;
use crate::service::Service;

/// The largest page a client may ask for.
pub const MAX_PER_PAGE: u64 = 100;

/// `?page=` (from 1) and `?per_page=` (1 to 100, default 20) as offset and limit.
pub fn page(params: &HashMap<String, String>) -> Result<(u64, u64, u64), Refusal> {
    let page = optional_param(params, "page")?.unwrap_or(1).max(1);
    let per_page = optional_param(params, "per_page")?
        .unwrap_or(20)
        .clamp(1, MAX_PER_PAGE);
    Ok(((page - 1).saturating_mul(per_page), per_page, page))
}

pub async fn list(
    service: &Service,
    params: &HashMap<String, String>,
    view: &'static str,
) -> Result<Value, Refusal> {
    service.await_read_models().await;
    let (offset, limit, page_number) = page(params)?;
    let (rows, total) = service.db.view_page(view, offset, limit).await?;
    let items: Vec<Value> = rows
        .iter()
        .filter_map(|r| serde_json::from_str(r).ok())
        .collect();
    Ok(json!({"items": items, "page": page_number, "per_page": limit, "total": total}))
}

pub async fn one(service: &Service, id: &str, view: &'static str) -> Result<Value, Refusal> {
    service.await_read_models().await;
    let row = service
        .db
        .view_row(view, id)
        .await?
        .ok_or_else(|| Refusal::not_found(format!("no {view} row {id:?}")))?;
    serde_json::from_str(&row).map_err(|e| Refusal::internal(&e))
}
