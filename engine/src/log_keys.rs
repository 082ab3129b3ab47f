//! The log's private keys on disk, and `sijill new-log-key`.
//!
//! `DATA/keys/log.key` is the genesis key: the log's first signing key, which also seeds
//! the personal-data store's secrets, so it stays in the folder for the log's whole life.
//! Each key made for a rotation is `DATA/keys/log-<hex key id>.key`. The
//! sequencer signs with whichever of them the log's key chain says is in force
//! (docs/key-rotation.md); a key it does not find is read again from the folder, so a key
//! created while the server runs is picked up without a restart.
//!
//! Every file is a PKCS#8 PEM with mode 0600, loaded through [`keys`], which refuses
//! one that others can read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ed25519_dalek::SigningKey;
use ledger::note::{sign_note, VerifierKey};
use ledger::rotation::LogKeyChain;
use ledger::{Checkpoint, NoteSigner};

use crate::restore::{Stop, StoreArgs};
use keys::{self, KeyError};

/// File name of the genesis key in `DATA/keys`.
pub const GENESIS_KEY_FILE: &str = "log.key";

/// One private log key, ready to sign entries and checkpoint notes.
pub struct LogSigner {
    pub key: SigningKey,
    pub note: NoteSigner,
    pub verifier: VerifierKey,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private key.
        write!(f, "LogSigner({})", self.verifier)
    }
}

/// The log keys of one data folder, by note verifier key string.
#[derive(Debug)]
pub struct LogKeyRing {
    dir: PathBuf,
    origin: String,
    genesis: String,
    keys: HashMap<String, LogSigner>,
}

impl LogKeyRing {
    /// A ring holding the genesis key, which the caller has loaded (or just created) from
    /// `dir/log.key`, and every rotation key file in `dir`.
    ///
    /// # Errors
    /// A key file that does not load (too open, malformed, unreadable).
    pub fn load(dir: &Path, origin: &str, genesis: SigningKey) -> Result<Self, KeyError> {
        let signer = signer(origin, genesis);
        let genesis = signer.verifier.to_string();
        let mut ring = LogKeyRing {
            dir: dir.to_owned(),
            origin: origin.to_owned(),
            genesis: genesis.clone(),
            keys: HashMap::from([(genesis, signer)]),
        };
        ring.reload()?;
        Ok(ring)
    }

    /// Reads the folder again for rotation keys not yet known.
    ///
    /// # Errors
    /// A key file that does not load.
    pub fn reload(&mut self) -> Result<(), KeyError> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            // No folder: only the genesis key, which the caller already holds.
            return Ok(());
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !(name.starts_with("log-") && name.ends_with(".key")) {
                continue;
            }
            let key = keys::load(&entry.path())?;
            let signer = signer(&self.origin, key);
            self.keys
                .entry(signer.verifier.to_string())
                .or_insert(signer);
        }
        Ok(())
    }

    /// The key whose note verifier key string is `verifier`.
    pub fn get(&self, verifier: &str) -> Option<&LogSigner> {
        self.keys.get(verifier)
    }

    /// [`get`](Self::get), reading the folder again first if the key is not known yet.
    pub fn find(&mut self, verifier: &str) -> Option<&LogSigner> {
        if !self.keys.contains_key(verifier) {
            if let Err(e) = self.reload() {
                tracing::warn!(error = %e, "cannot read the log key folder");
            }
        }
        self.keys.get(verifier)
    }

    /// The genesis key.
    pub fn genesis(&self) -> &LogSigner {
        // Inserted by `load` and never removed.
        &self.keys[&self.genesis]
    }

    /// The genesis key's note verifier key string.
    pub fn genesis_verifier(&self) -> &str {
        &self.genesis
    }

    /// Signs a checkpoint with the key in force (`chain`'s current key; the genesis key
    /// before there is a chain) and, after a rotation, with the key before it too when
    /// this folder still holds it: a verifier or witness that knows only the previous key
    /// keeps following the log through one rotation.
    ///
    /// # Errors
    /// The key in force is not in the folder, or the note cannot be signed.
    pub fn sign_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        chain: Option<&LogKeyChain>,
    ) -> Result<String, String> {
        let mut signers: Vec<&NoteSigner> = Vec::with_capacity(2);
        match chain {
            None => signers.push(&self.genesis().note),
            Some(chain) => {
                let current = chain.current().to_string();
                let signer = self
                    .get(&current)
                    .ok_or_else(|| format!("no key file holds the log key in force, {current}"))?;
                signers.push(&signer.note);
                let spans = chain.spans();
                if let Some((_, previous)) = spans.len().checked_sub(2).map(|i| &spans[i]) {
                    if let Some(signer) = self.get(&previous.to_string()) {
                        signers.push(&signer.note);
                    }
                }
            }
        }
        if signers.iter().any(|s| s.name() != checkpoint.origin) {
            return Err(format!(
                "a log key is named after the origin {:?}",
                checkpoint.origin
            ));
        }
        sign_note(&checkpoint.body(), &signers).map_err(|e| e.to_string())
    }
}

fn signer(origin: &str, key: SigningKey) -> LogSigner {
    LogSigner {
        note: NoteSigner::new(origin, key.clone()),
        verifier: VerifierKey::new(origin, key.verifying_key()),
        key,
    }
}

/// Creates a new rotation key in `dir` for a log of this origin: `log-<hex key id>.key`,
/// mode 0600. Returns the file and the key's note verifier key string.
///
/// # Errors
/// [`KeyError`] when the file cannot be written (or, by a one-in-four-billion chance,
/// exists).
pub fn create(dir: &Path, origin: &str) -> Result<(PathBuf, VerifierKey), KeyError> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let verifier = VerifierKey::new(origin, key.verifying_key());
    let path = dir.join(format!("log-{}.key", hex::encode(verifier.id)));
    keys::write_new(&path, &key)?;
    Ok((path, verifier))
}

/// `sijill new-log-key`: makes the key a rotation will switch to, in the data folder of an
/// existing log, and says how to rotate to it.
pub async fn run_new_key(store: &StoreArgs) -> ExitCode {
    crate::restore::finish("new-log-key", new_key(store).await)
}

async fn new_key(store: &StoreArgs) -> Result<String, Stop> {
    let db = store.open(false).await?;
    let (state, _) = db.state().await.map_err(|e| Stop::Refused(e.to_string()))?;
    let origin = state
        .origin
        .filter(|_| state.tree_size > 0)
        .ok_or_else(|| {
            Stop::Refused("this store holds no log yet: start the server once first".into())
        })?;
    let dir = store.data.join("keys");
    let (path, verifier) = create(&dir, &origin).map_err(|e| Stop::Refused(e.to_string()))?;
    Ok(format!(
        "new log key: {verifier}\nwritten to {}\n\
         the log signs with it once an administrator's RotateLogKey statement on stream log/key names it:\n  \
         sijill submit --server URL --key ADMIN.key --command RotateLogKey --stream log/key <<< '{{\"log_key\": \"{verifier}\"}}'\n\
         every server process sharing this log needs a copy of this file in its DATA/keys folder (docs/key-rotation.md)\n",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("sijill-logkeys-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_created_key_is_found_by_its_verifier_string_after_a_reload() {
        let dir = scratch("create");
        let genesis = SigningKey::from_bytes(&[1; 32]);
        let mut ring = LogKeyRing::load(&dir, "o.example/log", genesis.clone()).unwrap();
        assert_eq!(
            ring.genesis_verifier(),
            VerifierKey::new("o.example/log", genesis.verifying_key()).to_string()
        );
        let (path, verifier) = create(&dir, "o.example/log").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("log-"));
        assert!(ring.get(&verifier.to_string()).is_none(), "not read yet");
        let found = ring.find(&verifier.to_string()).expect("read on a miss");
        assert_eq!(found.verifier, verifier);
        assert_eq!(found.note.name(), "o.example/log");
        // A fresh ring reads it at once.
        let ring = LogKeyRing::load(&dir, "o.example/log", genesis).unwrap();
        assert!(ring.get(&verifier.to_string()).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_rotation_key_others_can_read_is_refused() {
        let dir = scratch("open");
        let (path, _) = create(&dir, "o").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = LogKeyRing::load(&dir, "o", SigningKey::from_bytes(&[1; 32])).unwrap_err();
        assert!(matches!(err, KeyError::TooOpen { .. }), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
