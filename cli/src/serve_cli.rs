//! `sijill serve` as a process: start, print the banner, run until a signal.

use std::process::ExitCode;

use crate::serve::{start, ServeOptions};

pub async fn run(options: ServeOptions) -> ExitCode {
    let running = match start(&options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sijill serve: {e}");
            return ExitCode::from(1);
        }
    };
    print!("{}", running.banner);
    match running.server.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("sijill serve: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("sijill serve: {e}");
            ExitCode::from(1)
        }
    }
}
