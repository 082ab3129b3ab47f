//! What an unknown address answers: a browser (which asks for `text/html`) gets the
//! portal's 404 page in its language, with a way back home; every other client, and
//! anything under `/v1/`, the JSON error of `docs/spec/api.md`.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

use super::listing::{problem, Ask};
use crate::page_error::PageError;

pub async fn fallback(
    uri: Uri,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let error = PageError::not_found("no such resource");
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !wants_html || uri.path().starts_with("/v1/") {
        return error.into_response();
    }
    let ask = Ask::read(params, &headers);
    problem(&ask, &error, uri.path())
}
