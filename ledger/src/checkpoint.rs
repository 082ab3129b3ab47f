//! C2SP tlog-checkpoints (<https://c2sp.org/tlog-checkpoint>): the signed statement
//! "the first N entries of log ORIGIN have Merkle tree hash ROOT".
//!
//! The body is three lines, origin, decimal size, base64 root, and the whole is a signed
//! note whose log signature uses a key named after the origin.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use crate::hash::Hash;
use crate::note::{open_note, sign_note, NoteError, NoteSigner, VerifierKey};

/// Why a checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The origin line is empty.
    #[error("empty origin")]
    EmptyOrigin,
    /// The body has fewer than three lines, or an empty extension line.
    #[error("malformed checkpoint body")]
    MalformedBody,
    /// The size line is not a decimal number without leading zeros.
    #[error("malformed tree size")]
    MalformedSize,
    /// The root line is not the base64 of 32 bytes.
    #[error("malformed root hash")]
    MalformedRoot,
    /// The signer's key name differs from the origin.
    #[error("key name {name:?} differs from origin {origin:?}")]
    KeyNameMismatch {
        /// The signer's name.
        name: String,
        /// The checkpoint's origin.
        origin: String,
    },
    /// No verified signature comes from a key named after the origin.
    #[error("not signed by a log key for origin {0:?}")]
    NotSignedByLog(String),
    /// The note itself was refused.
    #[error(transparent)]
    Note(#[from] NoteError),
}

/// A tree head: the log `origin` has `size` entries whose Merkle tree hash is `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (first line, and the log key's name).
    pub origin: String,
    /// Number of entries covered.
    pub size: u64,
    /// RFC 9162 tree hash of entries `0..size`.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text: `"<origin>\n<size>\n<base64(root)>\n"`.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            BASE64.encode(self.root)
        )
    }

    /// Parses a note text. Extension lines after the third are allowed and ignored.
    ///
    /// # Errors
    /// [`CheckpointError::MalformedBody`] for a body out of shape,
    /// [`CheckpointError::EmptyOrigin`], [`CheckpointError::MalformedSize`] for a size with
    /// leading zeros, a sign or non-digits, [`CheckpointError::MalformedRoot`].
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        let lines = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MalformedBody)?;
        let mut lines = lines.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::MalformedBody);
        };
        if lines.any(str::is_empty) {
            return Err(CheckpointError::MalformedBody);
        }
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let size = parse_size(size)?;
        let root: Hash = BASE64
            .decode(root)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(CheckpointError::MalformedRoot)?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }

    /// Signs the checkpoint as a note with the log key, whose name must be the origin.
    ///
    /// # Errors
    /// [`CheckpointError::KeyNameMismatch`] if `signer.name()` is not the origin,
    /// [`CheckpointError::EmptyOrigin`] or [`CheckpointError::MalformedBody`] for an origin
    /// that would not read back (empty, or holding a newline), and note errors.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        if self.origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if self.origin.contains('\n') {
            return Err(CheckpointError::MalformedBody);
        }
        if signer.name() != self.origin {
            return Err(CheckpointError::KeyNameMismatch {
                name: signer.name().to_owned(),
                origin: self.origin.clone(),
            });
        }
        Ok(sign_note(&self.body(), &[signer])?)
    }

    /// Opens a signed checkpoint: at least one of `log_keys` must have signed it, and one
    /// that did must be named after the checkpoint's origin.
    ///
    /// # Errors
    /// Note errors (a bad signature by a known key, no known key), body errors, and
    /// [`CheckpointError::NotSignedByLog`] when the verified keys are all named otherwise.
    pub fn open(note: &str, log_keys: &[VerifierKey]) -> Result<Self, CheckpointError> {
        let opened = open_note(note, log_keys)?;
        let checkpoint = Checkpoint::parse_body(&opened.text)?;
        if !opened.verified.iter().any(|k| k.name == checkpoint.origin) {
            return Err(CheckpointError::NotSignedByLog(checkpoint.origin));
        }
        Ok(checkpoint)
    }
}

/// tlog-checkpoint: ASCII decimal, no leading zeros unless the size is 0.
fn parse_size(s: &str) -> Result<u64, CheckpointError> {
    let well_formed =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if !well_formed {
        return Err(CheckpointError::MalformedSize);
    }
    s.parse().map_err(|_| CheckpointError::MalformedSize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::empty_root;
    use ed25519_dalek::SigningKey;

    fn log_signer() -> NoteSigner {
        NoteSigner::new("sijill.local/ledger", SigningKey::from_bytes(&[9; 32]))
    }

    /// The example body of the C2SP tlog-checkpoint specification.
    #[test]
    fn tlog_checkpoint_spec_example_body() {
        let body =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let cp = Checkpoint::parse_body(body).unwrap();
        assert_eq!(cp.origin, "example.com/behind-the-sofa");
        assert_eq!(cp.size, 20_852_163);
        assert_eq!(cp.body(), body);
    }

    #[test]
    fn sign_and_open() {
        let signer = log_signer();
        let cp = Checkpoint {
            origin: "sijill.local/ledger".into(),
            size: 0,
            root: empty_root(),
        };
        let note = cp.sign(&signer).unwrap();
        assert!(note.starts_with("sijill.local/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u{2014} sijill.local/ledger "));
        assert_eq!(
            Checkpoint::open(&note, &[signer.verifier()]),
            Ok(cp.clone())
        );
        let other = NoteSigner::new("sijill.local/ledger", SigningKey::from_bytes(&[8; 32]));
        assert!(Checkpoint::open(&note, &[other.verifier()]).is_err());
        let tampered = note.replacen("\n0\n", "\n1\n", 1);
        assert!(matches!(
            Checkpoint::open(&tampered, &[signer.verifier()]),
            Err(CheckpointError::Note(NoteError::BadSignature(_)))
        ));
    }

    #[test]
    fn the_log_key_must_be_named_after_the_origin() {
        let witness = NoteSigner::new("witness.example", SigningKey::from_bytes(&[3; 32]));
        let cp = Checkpoint {
            origin: "sijill.local/ledger".into(),
            size: 1,
            root: [1; 32],
        };
        assert!(matches!(
            cp.sign(&witness),
            Err(CheckpointError::KeyNameMismatch { .. })
        ));
        // A note signed only by a trusted key with another name is not a checkpoint of
        // this log.
        let note = sign_note(&cp.body(), &[&witness]).unwrap();
        assert_eq!(
            Checkpoint::open(&note, &[witness.verifier()]),
            Err(CheckpointError::NotSignedByLog(
                "sijill.local/ledger".into()
            ))
        );
        // Cosigned by log and witness: fine.
        let note = sign_note(&cp.body(), &[&log_signer(), &witness]).unwrap();
        assert_eq!(Checkpoint::open(&note, &[log_signer().verifier()]), Ok(cp));
    }

    #[test]
    fn body_refusals() {
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let ok = |size: &str| format!("o\n{size}\n{root}\n");
        assert!(Checkpoint::parse_body(&ok("0")).is_ok());
        assert!(Checkpoint::parse_body(&ok("18446744073709551615")).is_ok());
        for size in ["01", "", "-1", "+1", "1 ", "18446744073709551616", "1e3"] {
            assert_eq!(
                Checkpoint::parse_body(&ok(size)),
                Err(CheckpointError::MalformedSize),
                "{size}"
            );
        }
        assert_eq!(
            Checkpoint::parse_body(&format!("\n1\n{root}\n")),
            Err(CheckpointError::EmptyOrigin)
        );
        assert_eq!(
            Checkpoint::parse_body("o\n1\nAAAA\n"),
            Err(CheckpointError::MalformedRoot)
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{root}")),
            Err(CheckpointError::MalformedBody)
        );
        assert_eq!(
            Checkpoint::parse_body("o\n1\n"),
            Err(CheckpointError::MalformedBody)
        );
        assert_eq!(
            Checkpoint::parse_body(&format!("o\n1\n{root}\n\n")),
            Err(CheckpointError::MalformedBody)
        );
        // Extension lines are read and ignored.
        let cp = Checkpoint::parse_body(&format!("o\n1\n{root}\nextension\n")).unwrap();
        assert_eq!(cp.size, 1);
    }
}
