//! The one error type every aggregate returns, classified the way `docs/spec/api.md` answers it.

use serde::Serialize;

/// How a refusal is answered: the classification decides the HTTP status at the edge.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The body is well-formed JSON but not a valid command (missing or unknown field,
    /// wrong type, malformed identifier): 400.
    Invalid,
    /// The aggregate's state forbids the command (already registered, wrong status,
    /// deadline passed): 409.
    State,
    /// A domain rule is broken (budget exceeded, ineligible, unknown reference): 422.
    Rule,
    /// The actor's roles do not allow the command, or it concerns another institution: 403.
    Forbidden,
}

/// A refusal by the domain: a machine code for clients and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub kind: ErrorKind,
    /// Stable, snake_case, documented in docs/http-answers.md and the lifecycle docs (e.g.
    /// `already_registered`).
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    /// A malformed command (400).
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            code,
            message: message.into(),
        }
    }

    /// A command the current state forbids (409).
    pub fn state(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::State,
            code,
            message: message.into(),
        }
    }

    /// A command the actor may not issue (403).
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Forbidden,
            code,
            message: message.into(),
        }
    }

    /// A broken domain rule (422).
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Rule,
            code,
            message: message.into(),
        }
    }
}
