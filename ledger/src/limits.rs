//! Sizes the HTTP API promises (docs/spec/api.md), shared by the server that enforces them
//! and the clients that read answers no larger than them.

/// The largest document `POST /v1/documents` accepts.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The most entries one `GET /v1/log/entries` answers.
pub const MAX_ENTRIES_PER_CALL: u64 = 1000;

/// The largest body a witness's `add-checkpoint` takes, and the most a log reads of its
/// answer.
pub const MAX_WITNESS_BODY_BYTES: usize = 16 * 1024;
