//! `GET /v1/indicators?year=Y&size=N`: the commitment's indicators computed from the first
//! N entries of the log (default: all), for fiscal year Y (default: the year of the last
//! entry read). The fold is kept between requests and extended with new entries, so a
//! request reads only what was appended since the last one.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use ledger::SignedEntry;
use projections::indicators::IndicatorFold;
use serde_json::Value;

use super::log::optional_param;
use super::AppState;
use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/indicators", get(indicators))
}

async fn indicators(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    if let Some(name) = params.keys().find(|k| *k != "year" && *k != "size") {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("unknown parameter {name:?}; use year and size"),
        ));
    }
    let year = optional_param(&params, "year")?;
    let year = match year {
        Some(y) if (2000..=2100).contains(&y) => Some(y as i32),
        Some(_) => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "year must be between 2000 and 2100",
            ))
        }
        None => None,
    };
    let tree_size = service.sequencer.known_size();
    let size = optional_param(&params, "size")?.unwrap_or(tree_size);
    if size == 0 || size > tree_size {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("size must be between 1 and the tree size, {tree_size}"),
        ));
    }
    compute(&service, year, size).await.map(Json)
}

/// The indicators for `year` (default: the year of the last entry read) over the first
/// `size` entries, from the fold kept between requests; the portal's indicator pages read
/// the same answer, so a chart and the JSON never disagree.
///
/// # Errors
/// A store error, or an entry missing or unreadable below `size`.
pub(crate) async fn compute(
    service: &AppState,
    year: Option<i32>,
    size: u64,
) -> Result<Value, ApiError> {
    let mut cached = service.indicators.lock().await;
    // The fold only moves forward: a smaller size starts over from entry 0.
    let mut fold = match cached.take() {
        Some(fold) if fold.size() <= size => fold,
        _ => IndicatorFold::new(),
    };
    while fold.size() < size {
        let page = service
            .db
            .entries(fold.size(), (size - fold.size()).min(1000))
            .await?;
        if page.is_empty() {
            return Err(ApiError::internal(&format!(
                "entries from {} are missing",
                fold.size()
            )));
        }
        for (index, bytes) in page {
            let signed = SignedEntry::parse(&bytes)
                .map_err(|e| ApiError::internal(&format!("stored entry {index}: {e}")))?;
            fold.push(&signed);
        }
    }
    let answer = fold.finish(year);
    *cached = Some(fold);
    Ok(answer)
}
