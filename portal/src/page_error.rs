//! What a page could not show: a status, a machine code and a sentence. A page handler
//! renders it as the problem page in the reader's language (`listing::problem`); where no
//! page is wanted (a static file, a client that does not ask for HTML) it answers as the
//! JSON API does, `{"error": code, "message": sentence}`. The engine's refusals become one
//! by their kind ([`engine::Kind::status`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use engine::Refusal;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct PageError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status,
            code,
            message,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Refusal::bad_request(code, message).into()
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Refusal::not_found(message).into()
    }

    /// A bug; the detail is logged, not shown.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        Refusal::internal(detail).into()
    }
}

impl From<Refusal> for PageError {
    fn from(r: Refusal) -> Self {
        let status = StatusCode::from_u16(r.kind.status());
        Self::new(
            status.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            r.code,
            r.message,
        )
    }
}

impl From<store::Error> for PageError {
    fn from(e: store::Error) -> Self {
        Refusal::from(e).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.code, "message": self.message});
        (self.status, Json(body)).into_response()
    }
}
