//! What auditors and integrators run against a server or an export: `keygen`, `submit`,
//! `upload`, `export`, `verify`, `monitor`, `mirror`, `prove`, `verify-proof` and
//! `indicators`.
//!
//! Architecture invariant: a client of the HTTP API like any other, with the auditor of
//! the `audit` crate; nothing of the server (no engine, store, SQL, axum or askama), so an
//! auditor's tool cannot depend on what it audits. The crate-graph test keeps it so.

pub mod bounded;
pub mod indicators;
pub mod mirror;
pub mod monitor;
pub mod proofs;
pub mod submit;
pub mod verify;
pub mod verify_cosigned;
