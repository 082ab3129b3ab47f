//! `sijill serve` as a process: start, print the banner, run until a signal.

use std::process::ExitCode;

use crate::serve::{start, ServeOptions};

/// The longest a stopping process spends writing its snapshots.
const SNAPSHOTS_AT_STOP: std::time::Duration = std::time::Duration::from_secs(20);

pub async fn run(options: ServeOptions) -> ExitCode {
    let running = match start(&options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sijill serve: {e}");
            return ExitCode::from(1);
        }
    };
    print!("{}", running.banner);
    let served = running.server.await;
    // Stopped by a signal, or failed: either way, leave snapshots at the head for the next
    // start, within a bound (a store that does not answer must not keep the process up).
    if tokio::time::timeout(SNAPSHOTS_AT_STOP, running.service.save_snapshots())
        .await
        .is_err()
    {
        eprintln!("sijill serve: snapshots not all written within {SNAPSHOTS_AT_STOP:?}");
    }
    match served {
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
