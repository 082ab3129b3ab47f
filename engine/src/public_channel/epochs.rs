//! The epoch keys that wrap the per-comment keys of personal data (docs/public-channel.md,
//! "Erasure"): a one-way ratchet over time, kept in a file outside the database.
//!
//! Time is cut into epochs of a fixed length (`epoch = floor(unix time / length)`). The
//! key of the next epoch is SHA-256(`"sijill-persons-epoch"` || key of this one), so any
//! process holding an epoch's key can compute every later one, and nobody can go back.
//! The file holds the current epoch's key and the previous one's (one grace epoch, so a
//! row a slightly late process wrapped still opens); when a process moves to a new epoch
//! it writes the new pair and overwrites the old file, and the older key is gone from the
//! machine. A wrapped key that survives an erasure in a WAL, a free page, a dead tuple or a
//! backup was wrapped under an epoch key that no longer exists two epochs later.
//!
//! The first key is random, never derived from the personal-data secret or anything else
//! that stays on the server: a key derivable from what stays could be derived again.
//! Processes on several hosts sharing one PostgreSQL database each hold a copy of the file
//! taken once (docs/public-channel.md); the clock keeps them in step.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rand::RngCore;
use sha2::{Digest, Sha256};

const HEADER: &str = "sijill persons epoch keys v1";
const RATCHET_LABEL: &[u8] = b"sijill-persons-epoch";
/// How far ahead of its own epoch a process derives a key for a row another process
/// wrapped (clocks a little apart, or a forced rotation): far enough for any sane skew.
const MAX_AHEAD: u64 = 1024;

/// An epoch and its key, with the previous epoch's key while it is still kept.
#[derive(Clone, PartialEq, Eq)]
struct State {
    epoch: u64,
    key: [u8; 32],
    previous: Option<[u8; 32]>,
}

/// The epoch keys of this process, and the file they are kept in. Its `Debug` shows only
/// the epoch.
pub struct EpochKeys {
    path: PathBuf,
    state: Mutex<State>,
}

impl std::fmt::Debug for EpochKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EpochKeys(epoch {})", self.epoch())
    }
}

/// The next key of the ratchet.
pub fn ratchet(key: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(RATCHET_LABEL);
    h.update(key);
    h.finalize().into()
}

impl EpochKeys {
    /// Reads the file at `path`.
    ///
    /// # Errors
    /// A message naming the file when it cannot be read or is not an epoch key file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let state = read(path).or_else(|first| {
            // A crash between overwriting the old file and renaming the new one over it
            // leaves the new one under its temporary name.
            read(&temp_path(path)).map_err(|_| first)
        })?;
        Ok(Self {
            path: path.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// Makes a new file at `path` (mode 0600, never over an existing file) whose key for
    /// `epoch` is random.
    ///
    /// # Errors
    /// A message naming the file when it cannot be written.
    pub fn create(path: &Path, epoch: u64) -> Result<Self, String> {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let state = State {
            epoch,
            key,
            previous: None,
        };
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.write_all(encode(&state).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        sync_dir(path)?;
        Ok(Self {
            path: path.to_owned(),
            state: Mutex::new(state),
        })
    }

    /// The epoch this process is at.
    pub fn epoch(&self) -> u64 {
        self.lock().epoch
    }

    /// The key of epoch `epoch`: the current one, the previous one while kept, or a later
    /// one derived forward. `None` for an epoch whose key was destroyed.
    pub fn key(&self, epoch: u64) -> Option<[u8; 32]> {
        let state = self.lock().clone();
        if epoch + 1 == state.epoch {
            return state.previous;
        }
        if epoch < state.epoch || epoch - state.epoch > MAX_AHEAD {
            return None;
        }
        let mut key = state.key;
        for _ in state.epoch..epoch {
            key = ratchet(&key);
        }
        Some(key)
    }

    /// Moves to epoch `target` if it is later than the current one: the new pair is
    /// written to a temporary file and synced, the old file is overwritten with zeros and
    /// synced, the new one is renamed over it and the folder synced; then the older keys
    /// are forgotten in memory. Returns whether it moved.
    ///
    /// # Errors
    /// A message naming the file; the keys in memory are then unchanged.
    pub fn advance(&self, target: u64) -> Result<bool, String> {
        let mut state = self.lock();
        if target <= state.epoch {
            return Ok(false);
        }
        let mut previous = state.key;
        for _ in state.epoch + 1..target {
            previous = ratchet(&previous);
        }
        let next = State {
            epoch: target,
            key: ratchet(&previous),
            previous: Some(previous),
        };
        let temp = temp_path(&self.path);
        let _ = std::fs::remove_file(&temp);
        let io = |e: std::io::Error| format!("cannot write {}: {e}", self.path.display());
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(io)?;
        file.write_all(encode(&next).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io)?;
        // Overwrite the old keys in place before the rename frees their blocks.
        if let Ok(mut old) = std::fs::OpenOptions::new().write(true).open(&self.path) {
            let len = old.metadata().map(|m| m.len()).unwrap_or(0);
            let zeros = vec![0u8; usize::try_from(len).unwrap_or(0)];
            old.write_all(&zeros)
                .and_then(|()| old.sync_all())
                .map_err(io)?;
        }
        std::fs::rename(&temp, &self.path).map_err(io)?;
        sync_dir(&self.path)?;
        *state = next;
        Ok(true)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

fn sync_dir(path: &Path) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| format!("cannot sync {}: {e}", dir.display()))
}

fn encode(state: &State) -> String {
    format!(
        "{HEADER}\nepoch {}\ncurrent {}\nprevious {}\n",
        state.epoch,
        hex::encode(state.key),
        state.previous.map_or_else(|| "-".to_owned(), hex::encode)
    )
}

fn read(path: &Path) -> Result<State, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bad = || format!("{} is not a persons epoch key file", path.display());
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(bad());
    }
    let mut field = |name: &str| {
        lines
            .next()
            .and_then(|l| l.strip_prefix(name))
            .and_then(|l| l.strip_prefix(' '))
            .map(str::to_owned)
            .ok_or_else(bad)
    };
    let epoch = field("epoch")?.parse::<u64>().map_err(|_| bad())?;
    let key32 = |h: &str| -> Option<[u8; 32]> { hex::decode(h).ok()?.try_into().ok() };
    let key = key32(&field("current")?).ok_or_else(bad)?;
    let previous = match field("previous")?.as_str() {
        "-" => None,
        h => Some(key32(h).ok_or_else(bad)?),
    };
    Ok(State {
        epoch,
        key,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratchet_goes_forward_only_and_the_file_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.secret.epoch");
        let keys = EpochKeys::create(&path, 10).unwrap();
        let k10 = keys.key(10).unwrap();
        assert_eq!(keys.key(11), Some(ratchet(&k10)));
        assert_eq!(keys.key(9), None);
        assert!(keys.advance(11).unwrap());
        assert_eq!(keys.key(10), Some(k10), "one grace epoch");
        assert!(keys.advance(12).unwrap());
        assert_eq!(keys.key(10), None, "destroyed");
        assert!(!keys.advance(12).unwrap());
        let again = EpochKeys::load(&path).unwrap();
        assert_eq!(again.epoch(), 12);
        assert_eq!(again.key(10), None);
        assert_eq!(again.key(12), Some(ratchet(&ratchet(&k10))));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&hex::encode(k10)));
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(EpochKeys::create(&path, 1).is_err(), "never over a file");
    }
}
