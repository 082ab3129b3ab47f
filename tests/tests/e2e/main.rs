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
//! awards) on a server whose ledger clock the test moves (`lifecycle.rs`); the
//! `drafts_consultations`, `consultation_*` modules follow law drafts and public
//! consultations on the same clock, with the cast of `participation.rs`;
//! `participation_views` follows a draft law and its consultation to the portal's read
//! models, `participation_pages` to the portal's HTML pages and its comment form;
//! `portal_support` reads the portal's HTML pages of offers, awards, associations and
//! indicators in French and Arabic. `witnesses` runs real tlog-witnesses in this process:
//! forks and rollbacks refused, checkpoints cosigned, proof files checked offline.

#[macro_use]
mod support;

mod authorization;
mod browser;
mod browser_verify;
mod cli;
mod comment_rows;
mod concurrency;
mod connections;
mod consultation_concurrency;
mod consultation_refusals;
mod crash;
mod demo;
mod document_integrity;
mod documents;
mod drafts_consultations;
mod faults;
mod flood;
mod hostile;
mod hostile_server;
mod indicators;
mod interop;
mod key_rotation;
mod lifecycle;
mod monitor;
mod pagination;
mod participation;
mod participation_pages;
mod participation_views;
mod portal_audit;
mod portal_support;
mod private_postgres;
mod processes;
mod proofs;
mod public_channel;
mod public_erasure;
mod read_models;
mod refusals;
mod restart;
mod restore;
mod retries;
mod rotation_readers;
mod scenario;
mod secrets;
mod snapshots;
mod support_concurrency;
mod support_lifecycle;
mod support_refusals;
mod support_views;
mod tamper_proxy;
mod tiles;
mod trainings;
mod web_hardening;
mod webdriver;
mod witnesses;
