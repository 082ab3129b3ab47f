//! A witness's durable memory: per log origin, the latest checkpoint it cosigned.
//!
//! One small file per origin (named by the SHA-256 of the origin, so any origin is a safe
//! file name), holding that checkpoint's note text. It is replaced by writing a temporary
//! file, syncing it, renaming it over the old one and syncing the folder: after a crash the
//! file holds either the old checkpoint or the new one, never a mix, and a cosignature is
//! only answered once the new one is on disk. A restarted witness thus still refuses a
//! rollback to a size it had already moved past.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ledger::hash::{sha256, to_hex};
use ledger::witness::Witnessed;
use ledger::Checkpoint;

/// The folder of a witness's state files.
#[derive(Clone, Debug)]
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// Opens (creating it, mode 0700) the state folder.
    ///
    /// # Errors
    /// A sentence naming the folder when it cannot be created.
    pub fn open(dir: &Path) -> Result<Self, String> {
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| format!("cannot protect {}: {e}", dir.display()))?;
        }
        Ok(StateDir {
            dir: dir.to_owned(),
        })
    }

    fn path_of(&self, origin: &str) -> PathBuf {
        self.dir
            .join(format!("{}.checkpoint", to_hex(&sha256(origin.as_bytes()))))
    }

    /// The latest checkpoint cosigned for `origin`, if any.
    ///
    /// # Errors
    /// A sentence when the file exists but cannot be read or is not that origin's
    /// checkpoint: the witness must then refuse to cosign rather than forget.
    pub fn latest(&self, origin: &str) -> Result<Option<Witnessed>, String> {
        let path = self.path_of(origin);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let checkpoint = Checkpoint::parse_body(&text)
            .map_err(|e| format!("{} is damaged: {e}", path.display()))?;
        if checkpoint.origin != origin {
            return Err(format!("{} holds another log's checkpoint", path.display()));
        }
        Ok(Some(Witnessed {
            size: checkpoint.size,
            root: checkpoint.root,
        }))
    }

    /// Durably records `checkpoint` as the latest cosigned for its origin.
    ///
    /// # Errors
    /// A sentence on any I/O failure; then nothing may be answered.
    pub fn record(&self, checkpoint: &Checkpoint) -> Result<(), String> {
        let path = self.path_of(&checkpoint.origin);
        let temporary = path.with_extension("tmp");
        let io = |e: std::io::Error| format!("cannot write {}: {e}", temporary.display());
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(io)?;
        file.write_all(checkpoint.body().as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        fs::rename(&temporary, &path)
            .map_err(|e| format!("cannot replace {}: {e}", path.display()))?;
        // The rename itself is durable only once the folder is synced.
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| format!("cannot sync {}: {e}", self.dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_new_handle_and_stay_per_origin() {
        let dir = tempfile_dir("state");
        let state = StateDir::open(&dir).unwrap();
        assert_eq!(state.latest("a.example/log"), Ok(None));
        let cp = Checkpoint {
            origin: "a.example/log".into(),
            size: 7,
            root: [7; 32],
        };
        state.record(&cp).unwrap();
        let again = StateDir::open(&dir).unwrap();
        assert_eq!(
            again.latest("a.example/log"),
            Ok(Some(Witnessed {
                size: 7,
                root: [7; 32]
            }))
        );
        assert_eq!(again.latest("b.example/log"), Ok(None));
        // A damaged file is an error, never "nothing cosigned yet".
        fs::write(again.path_of("a.example/log"), "garbage").unwrap();
        assert!(again.latest("a.example/log").is_err());
        fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sijill-witness-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }
}
