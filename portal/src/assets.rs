//! The portal's static files, compiled into the binary so the server needs no folder and
//! a reader can compare what is served with the repository (the verifier's SHA-256 is
//! published in the README).

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

/// `(name, content type, bytes)` of every static file.
pub const FILES: &[(&str, &str, &str)] = &[
    (
        "portal.css",
        "text/css; charset=utf-8",
        include_str!("../static/portal.css"),
    ),
    (
        "verify.js",
        "text/javascript; charset=utf-8",
        include_str!("../static/verify.js"),
    ),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{name}", get(file))
}

async fn file(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, kind, body)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => crate::page_error::PageError::not_found(format!("no static file {name}"))
            .into_response(),
    }
}
