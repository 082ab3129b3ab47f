//! The headers every answer carries, pages, JSON, tiles, documents and errors alike
//! (docs/hardening.md):
//!
//! - `Content-Security-Policy`: scripts, styles, images and fetches from this origin only
//!   (the portal has no inline script or style; `verify.js` fetches this origin), no
//!   framing (no clickjacking of the comment form), no `<base>`, forms post here only.
//! - `X-Content-Type-Options: nosniff`: a document or tile is never guessed into HTML or
//!   script by a browser; it is what its `Content-Type` says.
//! - `Referrer-Policy: same-origin`: a reader's path (which consultation they read) is
//!   not sent to another site they follow a link to.
//!
//! A handler that set one of them itself keeps its own value.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of every answer.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Middleware: adds the headers above to the answer when absent.
pub async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
