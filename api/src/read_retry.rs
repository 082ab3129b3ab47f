//! A read that met a dead database connection is tried once more before the reader sees
//! a 503: after the database restarts, each pooled connection fails once before the pool
//! replaces it, and a `GET` is safe to run twice. Writes are never run again here: a
//! statement refused with 503 is the client's to send again (docs/spec/api.md makes that safe).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Runs a `GET` or `HEAD` again, once, when it answered 503.
pub async fn retry_reads_once(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let again = parts.clone();
    let first = next.clone().run(Request::from_parts(parts, body)).await;
    if first.status() != StatusCode::SERVICE_UNAVAILABLE {
        return first;
    }
    next.run(Request::from_parts(again, Body::empty())).await
}
