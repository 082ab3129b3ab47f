//! The `sijill` server and command-line tool: the edges of the system, where the pure
//! `ledger` and `domain` crates meet the database, HTTP, files and the clock.
//!
//! Entry points: [`cli::run`] (the binary), [`serve::start`] (the server, also used by the
//! end-to-end tests), [`http::app`] (the router).

pub mod blocking;
pub mod cli;
pub mod clock;
pub mod command_documents;
pub mod commands;
pub mod cosigning;
pub mod demo;
pub mod error;
pub mod event_store;
pub mod http;
pub mod log_keys;
pub mod portal;
pub mod projector;
pub mod public_channel;
pub mod registry_state;
pub mod restore;
pub mod sequencer;
pub mod serve;
pub mod serve_cli;
pub mod service;
pub mod stream_turns;

#[cfg(test)]
mod openapi_bodies_test;
