//! `sijill-e2e-server`: the `sijill` binary rebuilt inside the test crate, so that the
//! end-to-end tests can run the real server (and `verify`, `export`) as separate processes
//! through `env!("CARGO_BIN_EXE_sijill-e2e-server")`. Its main is exactly
//! `cli/src/main.rs`'s; nothing here may differ from what users run.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    sijill::cli::main().await
}
