//! The JSON HTTP API of docs/spec/api.md: one router per area, merged here, with the body
//! limits, the JSON error format and the security headers applied everywhere. Handlers
//! parse the request, call the engine and render its answer; they decide nothing.
//!
//! Architecture invariant: the API renders the engine's results and never the portal's
//! pages; the program that serves both (`sijill serve`) hands the pages in as a router.

mod comments_csv;
mod consultation_views;
mod documents;
mod drafts;
pub mod error;
mod exports;
mod health;
mod indicators;
mod log;
mod openapi;
#[cfg(test)]
mod openapi_bodies_test;
mod plain_errors;
mod proof_bundle;
mod public_comments;
mod read_retry;
mod registry;
pub mod security_headers;
mod statements;
mod streams;
mod support;
mod tiles;
mod trainings;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::Router;

use axum::handler::Handler;
use engine::Service;

use crate::error::ApiError;
/// Rows of `comments.csv` written to the answer at a time (the file is streamed).
pub use comments_csv::COMMENTS_PER_CHUNK as COMMENTS_CSV_ROWS_PER_CHUNK;

/// Shared state handed to every handler.
pub type AppState = Arc<Service>;

/// The largest request body of a statement: a 32 KiB statement plus its envelope.
pub const MAX_STATEMENT_REQUEST_BYTES: usize = 64 * 1024;
pub use ledger::limits::MAX_DOCUMENT_BYTES;

/// The whole application, for `sijill serve` and for tests: the API's routes, the `pages`
/// (the portal's router) and `not_found` for every other path, under the same layers.
pub fn app<H, T>(state: AppState, pages: Router<AppState>, not_found: H) -> Router
where
    H: Handler<T, AppState>,
    T: 'static,
{
    Router::new()
        .merge(statements::router())
        .merge(public_comments::router())
        .merge(documents::router())
        .merge(health::router())
        .merge(log::router())
        .merge(proof_bundle::router())
        .merge(tiles::router())
        .merge(streams::router())
        .merge(registry::router())
        .merge(support::router())
        .merge(drafts::router())
        .merge(consultation_views::router())
        .merge(comments_csv::router())
        .merge(trainings::router())
        .merge(exports::router())
        .merge(indicators::router())
        .merge(openapi::router())
        .merge(pages)
        // Each write route sets its own limit; this is the ceiling for everything else.
        .layer(DefaultBodyLimit::max(MAX_STATEMENT_REQUEST_BYTES))
        .layer(axum::middleware::from_fn(read_retry::retry_reads_once))
        // Outermost: axum's own rejections (a path that is not UTF-8, a 405) in JSON too.
        .layer(axum::middleware::from_fn(plain_errors::json_errors))
        .fallback(not_found)
        // After the fallback, so that a 404 carries them too.
        .layer(axum::middleware::from_fn(security_headers::add))
        .with_state(state)
}

/// Turns axum's body rejection (too large, unreadable) into the JSON error format.
pub fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(
                "payload_too_large",
                "the request body exceeds this route's limit",
            )
        } else {
            ApiError::bad_request("unreadable_body", rejection.body_text())
        }
    })
}

/// Refuses a body that does not say it is JSON (415), so that a form post or plain text
/// is not half-understood.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ))
    }
}
