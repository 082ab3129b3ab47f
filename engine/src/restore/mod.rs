//! Backup, restore and replay (docs/backup-restore.md): `sijill import` rebuilds an empty
//! store from an export folder, `sijill persons-backup` and `persons-restore` carry the
//! personal-data store (which no export holds) across, and `sijill replay` rebuilds every
//! read model from the log.
//!
//! What they share: the store is the one `sijill serve` would open with the same `--data`
//! and `--database-url`, and the log key comes from the data folder, never from a backup.

mod export_dir;
pub mod import;
pub mod persons_backup;
pub mod replay;

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use keys;
use store::Db;

/// Which store a command works on: the data folder (keys, and the SQLite file unless a
/// URL is given) and the database URL, as `sijill serve` takes them.
#[derive(Clone, Debug)]
pub struct StoreArgs {
    pub data: PathBuf,
    pub database_url: Option<String>,
}

/// Why a command stopped. Each maps to an exit code: `Failed` is 1 (what was checked is
/// wrong), `Refused` is 2 (usage, I/O, a store or key that does not fit).
#[derive(Debug)]
pub enum Stop {
    Failed(String),
    Refused(String),
}

impl Stop {
    fn exit_code(&self) -> u8 {
        match self {
            Stop::Failed(_) => 1,
            Stop::Refused(_) => 2,
        }
    }
}

/// Prints a command's outcome and returns its exit code: the report on standard output,
/// a refusal on standard error prefixed with the command, a failure line on standard
/// output as `sijill verify` prints it.
pub(crate) fn finish(command: &str, outcome: Result<String, Stop>) -> std::process::ExitCode {
    match outcome {
        Ok(report) => {
            print!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(stop) => {
            match &stop {
                Stop::Failed(line) => println!("{line}"),
                Stop::Refused(message) => eprintln!("sijill {command}: {message}"),
            }
            std::process::ExitCode::from(stop.exit_code())
        }
    }
}

impl StoreArgs {
    /// Opens the store. `create` allows a new SQLite file (an import's target); the other
    /// commands work on an existing store, and a mistyped `--data` must not silently
    /// create an empty one.
    pub(crate) async fn open(&self, create: bool) -> Result<Db, Stop> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => {
                let file = self.data.join("sijill.db");
                if !create && !file.exists() {
                    return Err(Stop::Refused(format!(
                        "{} does not exist: no store in this data folder",
                        file.display()
                    )));
                }
                format!(
                    "sqlite://{}?mode={}",
                    file.display(),
                    if create { "rwc" } else { "rw" }
                )
            }
        };
        let connections = if url.starts_with("sqlite") { 2 } else { 4 };
        Db::open(&url, connections)
            .await
            .map_err(|e| Stop::Refused(e.to_string()))
    }

    /// The log's private key from `DATA/keys/log.key`, which must exist: no command here
    /// creates a log key.
    fn log_key(&self) -> Result<SigningKey, Stop> {
        let path = self.log_key_path();
        if !path.exists() {
            return Err(Stop::Refused(format!(
                "{} is missing: put the log key of this log there (it is in no export or backup)",
                path.display()
            )));
        }
        keys::load(&path).map_err(|e| Stop::Refused(e.to_string()))
    }

    fn log_key_path(&self) -> PathBuf {
        self.data.join("keys/log.key")
    }
}

fn db_error(e: store::Error) -> Stop {
    Stop::Refused(format!("database error: {e}"))
}

fn io_error(path: &Path, e: std::io::Error) -> Stop {
    Stop::Refused(format!("{}: {e}", path.display()))
}
