//! The JSON error format for the answers axum writes itself.
//!
//! Handlers answer errors through [`ApiError`], but some requests never reach a handler:
//! a path segment that is not UTF-8 (`/v1/offers/%FF`) is refused by axum's `Path`
//! extractor in `text/plain`, and a method a route does not take (`POST /v1/offers`) gets
//! a 405 with an empty body. docs/spec/api.md promises `{"error", "message"}` for every 4xx and
//! 5xx, and a client (or a fuzzer) must not have to special-case those. This layer rewrites
//! exactly the error answers that are plain text or empty, keeping their status and headers
//! (`Allow` on a 405); every answer a handler wrote (JSON errors, the portal's HTML pages)
//! passes through untouched.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The longest plain-text rejection read back to become a message; axum's are one line.
const MAX_REJECTION_TEXT: usize = 4096;

/// Middleware: rewrites plain-text or empty error answers into the JSON error format.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || !is_plain(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = read_text(body).await;
    let mut rewritten = as_api_error(status, &text).into_response();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// An answer with no content type (axum's empty 405) or a `text/plain` one (axum's
/// extractor rejections). `/v1/log/checkpoint` and `/v1/log/key` are `text/plain` too,
/// but only ever with 200.
fn is_plain(response: &Response) -> bool {
    match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(value) => value.to_str().is_ok_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/plain")
        }),
    }
}

async fn read_text(body: Body) -> String {
    match axum::body::to_bytes(body, MAX_REJECTION_TEXT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    }
}

/// The code and sentence for a rejection axum wrote. A 5xx keeps its detail out of the
/// answer (it goes to the log through [`ApiError::internal`]), as every 5xx does.
fn as_api_error(status: StatusCode, text: &str) -> ApiError {
    if status.is_server_error() {
        return ApiError {
            status,
            ..ApiError::internal(&text)
        };
    }
    let (code, default) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
        StatusCode::NOT_FOUND => ("not_found", "no such resource"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this resource does not take that method (see the Allow header)",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the request body exceeds this route's limit",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "this body's media type is not accepted",
        ),
        _ => ("bad_request", "the request was refused"),
    };
    let message = if text.is_empty() { default } else { text };
    ApiError::new(status, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_keeps_its_status_and_says_why() {
        let e = as_api_error(
            StatusCode::BAD_REQUEST,
            "Invalid URL: Invalid UTF-8 in `id`",
        );
        assert_eq!(
            (e.status, e.code, e.message.as_str()),
            (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Invalid URL: Invalid UTF-8 in `id`"
            )
        );
        let e = as_api_error(StatusCode::METHOD_NOT_ALLOWED, "");
        assert_eq!(e.code, "method_not_allowed");
        assert!(!e.message.is_empty());
    }

    #[test]
    fn a_server_error_keeps_its_detail_to_the_log() {
        let e = as_api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Missing request extension",
        );
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.message.contains("extension"), "{}", e.message);
    }
}
