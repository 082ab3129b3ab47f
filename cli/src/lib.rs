//! The `sijill` program: parses the command line and runs what it names, wiring the
//! server's parts together for `serve` (engine, JSON API, portal, demo, accept loop).
//!
//! Entry points: [`cli::run`] (the binary), [`serve::start`] (the server, also used by the
//! end-to-end tests).
//!
//! Architecture invariant: argument parsing and dispatch only; what a command does lives
//! in the crate that owns it.

pub mod cli;
pub mod serve;
pub mod serve_cli;
