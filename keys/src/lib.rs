//! Private key files: one Ed25519 key as PKCS#8 PEM (what `openssl genpkey -algorithm
//! ed25519` writes), mode 0600. A key file that others can read is refused: a log or
//! administrator key that leaked cannot be trusted, and saying so early beats signing with it.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{0} already exists; refusing to overwrite a key")]
    Exists(PathBuf),
    #[error("{path} is {} by others (mode {mode:o}); run `chmod 600 {path}`", access(*.mode))]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, std::io::Error),
    #[error("{0} is not a PKCS#8 PEM Ed25519 private key")]
    Format(PathBuf),
}

/// What group or others may do with a key file of this mode, for [`KeyError::TooOpen`]:
/// a file others may only write is as unsafe (they can swap the key) but not "readable".
fn access(mode: u32) -> &'static str {
    match (mode & 0o044 != 0, mode & 0o022 != 0) {
        (true, true) => "readable and writable",
        (true, false) => "readable",
        (false, true) => "writable",
        // Only execute bits: still refused, since a key file has no business with them.
        (false, false) => "accessible",
    }
}

/// Creates a new key at `path` (mode 0600, parent folders 0700), refusing to overwrite.
///
/// # Errors
/// [`KeyError::Exists`] or an I/O error.
pub fn generate(path: &Path) -> Result<SigningKey, KeyError> {
    if path.exists() {
        return Err(KeyError::Exists(path.to_owned()));
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    write_new(path, &key)?;
    Ok(key)
}

/// Writes `key` to a new file at `path` (mode 0600, parent folders 0700), refusing to
/// overwrite.
///
/// # Errors
/// [`KeyError::Exists`] or an I/O error.
pub fn write_new(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            fs::create_dir_all(parent).map_err(|e| KeyError::Write(parent.to_owned(), e))?;
            fs::set_permissions(parent, fs::Permissions::from_mode(0o700))
                .map_err(|e| KeyError::Write(parent.to_owned(), e))?;
        }
    }
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|_| KeyError::Format(path.to_owned()))?;
    // create_new + mode at open: the file never exists with wider permissions, even briefly.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError::Exists(path.to_owned())
            } else {
                KeyError::Write(path.to_owned(), e)
            }
        })?;
    file.write_all(pem.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| KeyError::Write(path.to_owned(), e))
}

/// Reads a key file, refusing one readable or writable by group or others.
///
/// # Errors
/// [`KeyError::TooOpen`], [`KeyError::Format`] or an I/O error.
pub fn load(path: &Path) -> Result<SigningKey, KeyError> {
    let meta = fs::metadata(path).map_err(|e| KeyError::Read(path.to_owned(), e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::TooOpen {
            path: path.to_owned(),
            mode,
        });
    }
    let pem = fs::read_to_string(path).map_err(|e| KeyError::Read(path.to_owned(), e))?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|_| KeyError::Format(path.to_owned()))
}

/// The base64 of a key's 32-byte public half, as docs/spec/api.md writes public keys.
pub fn public_b64(key: &SigningKey) -> String {
    BASE64.encode(key.verifying_key().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sijill-keys-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_generated_key_is_0600_and_loads_back() {
        let dir = scratch("gen");
        let path = dir.join("keys/a.key");
        let key = generate(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
        assert_eq!(load(&path).unwrap().to_bytes(), key.to_bytes());
        assert!(fs::read_to_string(&path)
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(matches!(generate(&path), Err(KeyError::Exists(_))));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_key_readable_by_others_is_refused() {
        let dir = scratch("open");
        let path = dir.join("k.key");
        generate(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            load(&path),
            Err(KeyError::TooOpen { mode: 0o644, .. })
        ));
        for (mode, says) in [
            (0o640, "is readable by others"),
            (0o620, "is writable by others"),
            (0o666, "is readable and writable by others"),
            (0o601, "is accessible by others"),
        ] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let refusal = load(&path).unwrap_err().to_string();
            assert!(refusal.contains(says), "{mode:o}: {refusal}");
        }
        // Readable by its owner only, even without write permission: accepted.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(load(&path).is_ok());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_openssl_key_is_read() {
        // Written by `openssl genpkey -algorithm ed25519` (OpenSSL 3.0).
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBfMVtjXrDHG66AOLH4KuuXylntMuFGsbgEEVQrRrkhi\n-----END PRIVATE KEY-----\n";
        let dir = scratch("openssl");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("o.key");
        fs::write(&path, pem).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(load(&path).is_ok());
        fs::remove_dir_all(dir).unwrap();
    }
}
