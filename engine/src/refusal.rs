//! Why the engine did not do what it was asked: a kind, a machine code and a sentence. The
//! HTTP layer maps the kind to a status and answers `{"error": code, "message": sentence}`
//! (docs/spec/api.md); nothing here knows HTTP.
//!
//! Server faults carry a generic sentence; the detail goes to the server's log only, so no
//! internal state (and never a secret) reaches a client.

use domain::{DomainError, ErrorKind};

/// What kind of refusal, one per answer of docs/spec/api.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Malformed input (400).
    BadRequest,
    /// The statement's signature or signer is not acceptable (401).
    Unauthorized,
    /// The actor's role or institution does not allow it (403).
    Forbidden,
    /// No such resource (404).
    NotFound,
    /// The state does not allow it, or it was already done (409).
    Conflict,
    /// Over a documented size limit (413).
    TooLarge,
    /// A rule of the domain refuses it (422).
    Rule,
    /// A bug (500).
    Internal,
    /// The store or a key the append needs is unavailable (503).
    Unavailable,
}

impl Kind {
    /// The HTTP status docs/spec/api.md gives this kind of refusal: the spec names each
    /// kind by its status, so the one table lives here, beside the kinds, and the JSON API
    /// and the portal read it rather than keep a copy each.
    pub fn status(self) -> u16 {
        match self {
            Kind::BadRequest => 400,
            Kind::Unauthorized => 401,
            Kind::Forbidden => 403,
            Kind::NotFound => 404,
            Kind::Conflict => 409,
            Kind::TooLarge => 413,
            Kind::Rule => 422,
            Kind::Internal => 500,
            Kind::Unavailable => 503,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind:?} {code}: {message}")]
pub struct Refusal {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    /// Malformed input.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::BadRequest, code, message)
    }

    /// The statement's signature or signer is not acceptable.
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Unauthorized, code, message)
    }

    /// No such resource.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, "not_found", message)
    }

    /// Over a documented size limit.
    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::TooLarge, code, message)
    }

    /// The store cannot be reached; the detail is logged, not returned.
    pub fn unavailable(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "store unavailable");
        Self::new(
            Kind::Unavailable,
            "store_unavailable",
            "the ledger's store is unavailable; retry later",
        )
    }

    /// A bug; the detail is logged, not returned.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(Kind::Internal, "internal", "internal error")
    }
}

impl From<DomainError> for Refusal {
    fn from(e: DomainError) -> Self {
        let kind = match e.kind {
            ErrorKind::Invalid => Kind::BadRequest,
            ErrorKind::State => Kind::Conflict,
            ErrorKind::Rule => Kind::Rule,
            ErrorKind::Forbidden => Kind::Forbidden,
        };
        Self::new(kind, e.code, e.message)
    }
}

impl From<store::Error> for Refusal {
    fn from(e: store::Error) -> Self {
        Self::unavailable(&e)
    }
}
