//! The `sijill` binary: everything lives in the library; this only runs it.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    sijill::cli::main().await
}
