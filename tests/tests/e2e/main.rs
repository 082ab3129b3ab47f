//! Sijill end to end: the real server (in this process through `sijill::serve::start`, or
//! as the `sijill` binary in its own process) against a real SQLite file and a real
//! PostgreSQL database, driven over HTTP by a client that signs what it sends.
//!
//! One integration-test binary, one module per area. Each test starts its own server on
//! port 0 with a fresh data folder and a fresh database (PostgreSQL from `DATABASE_URL`,
//! else `postgres://postgres@127.0.0.1:5432/postgres`; a test that cannot reach it fails,
//! it never skips). Scenarios that make sense on both stores run on both: the
//! `both_backends!` macro makes `<scenario>::sqlite` and `<scenario>::postgres`.
//!
//! The `support_*` modules follow public support to associations (offers, applications,
//! awards) on a server whose ledger clock the test moves (`lifecycle.rs`).

#[macro_use]
mod support;

mod cli;
mod concurrency;
mod crash;
mod documents;
mod indicators;
mod lifecycle;
mod processes;
mod proofs;
mod read_models;
mod refusals;
mod retries;
mod scenario;
mod support_concurrency;
mod support_lifecycle;
mod support_refusals;
mod support_views;
mod trainings;
