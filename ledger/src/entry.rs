//! Log entries: their fields, their canonical bytes, the log signature and `entry_hash`.
//!
//! `docs/spec/ledger-format.md` defines, for an entry e:
//! - `sig` = Ed25519(log key, canonical(e without its top-level `sig` member));
//! - `entry_hash(e)` = SHA-256(canonical(e)), `sig` included;
//! - the Merkle leaf of e is canonical(e), at most [`MAX_ENTRY_BYTES`] bytes.
//!
//! The ledger stores the exact bytes it signed. [`SignedEntry::parse`] accepts only bytes
//! that are exactly what [`Entry::sign`] would produce for the fields they hold, so every
//! entry has one byte encoding and one hash.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Number, Value};

use crate::canonical::{self, CanonicalError, MAX_SAFE_INTEGER};
use crate::hash::{from_hex, sha256, to_hex, Hash};
use crate::merkle;
use crate::statement::{decode_signature, ActorKeys, Auth, StatementError};
use crate::timestamp::Timestamp;

/// Largest canonical entry, `sig` included: the limit of a tlog-tiles entry bundle.
pub const MAX_ENTRY_BYTES: usize = 65_535;

/// Members every entry has.
const REQUIRED_MEMBERS: [&str; 9] = [
    "index",
    "stream",
    "seq",
    "type",
    "version",
    "recorded_at",
    "data",
    "prev",
    "sig",
];
/// Members an entry may have.
const OPTIONAL_MEMBERS: [&str; 2] = ["auth", "auth_at"];

/// Why an entry could not be built, read or verified. `Display` is the short reason
/// an export verifier prints after `index I: `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The entry's canonical bytes exceed [`MAX_ENTRY_BYTES`].
    #[error("entry is {size} bytes, more than {MAX_ENTRY_BYTES}")]
    TooLarge {
        /// Size of the canonical bytes.
        size: usize,
    },
    /// The bytes are not canonical JSON, or a value breaks the number rules.
    #[error("{0}")]
    Canonical(CanonicalError),
    /// The JSON is not an object.
    #[error("entry is not a JSON object")]
    NotAnObject,
    /// A required member is absent.
    #[error("entry: missing member {0:?}")]
    MissingMember(&'static str),
    /// A member the format does not define.
    #[error("entry: unknown member {0:?}")]
    UnknownMember(String),
    /// A member has the wrong type or an impossible value.
    #[error("entry: member {0:?} is invalid")]
    InvalidMember(&'static str),
    /// Both `auth` and `auth_at`.
    #[error("entry has both auth and auth_at")]
    AuthAndAuthAt,
    /// The `auth` member is invalid.
    #[error("{0}")]
    Auth(StatementError),
    /// Canonical JSON, but not as the ledger writes an entry (for example a timestamp
    /// in another form).
    #[error("entry is not in its canonical form")]
    NotCanonical,
    /// The log signature does not verify (strict Ed25519).
    #[error("invalid log signature")]
    BadSignature,
}

/// An entry's fields, before or after signing.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Position in the log, from 0, without gaps.
    pub index: u64,
    /// `<aggregate type>/<aggregate id>`.
    pub stream: String,
    /// 1-based position within the stream.
    pub seq: u64,
    /// The event type (JSON member `type`).
    pub event_type: String,
    /// The event schema version.
    pub version: String,
    /// The time the ledger gives the event.
    pub recorded_at: Timestamp,
    /// The event payload, a JSON object.
    pub data: Value,
    /// On the first entry of a signed command: the actor's statement.
    pub auth: Option<Auth>,
    /// On the other entries of a signed command: the index of the entry with `auth`.
    pub auth_at: Option<u64>,
    /// `entry_hash` of the previous entry of the stream; [`crate::hash::ZERO_HASH`] when
    /// `seq` is 1.
    pub prev: Hash,
}

impl Entry {
    /// The entry as JSON, without `sig`.
    pub fn to_unsigned_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("index".into(), Value::Number(Number::from(self.index)));
        m.insert("stream".into(), Value::String(self.stream.clone()));
        m.insert("seq".into(), Value::Number(Number::from(self.seq)));
        m.insert("type".into(), Value::String(self.event_type.clone()));
        m.insert("version".into(), Value::String(self.version.clone()));
        m.insert(
            "recorded_at".into(),
            Value::String(self.recorded_at.to_entry_string()),
        );
        m.insert("data".into(), self.data.clone());
        if let Some(auth) = &self.auth {
            m.insert("auth".into(), auth.to_value());
        }
        if let Some(auth_at) = self.auth_at {
            m.insert("auth_at".into(), Value::Number(Number::from(auth_at)));
        }
        m.insert("prev".into(), Value::String(to_hex(&self.prev)));
        Value::Object(m)
    }

    /// canonical(entry without `sig`): the bytes the log key signs.
    ///
    /// # Errors
    /// [`EntryError::AuthAndAuthAt`], [`EntryError::InvalidMember`] for `seq` 0, an
    /// integer field of 2^53 or more, or `data` that is not an object, and
    /// [`EntryError::Canonical`] for a number in `data` that breaks the rules.
    pub fn signing_bytes(&self) -> Result<Vec<u8>, EntryError> {
        self.check_shape()?;
        canonical::to_bytes(&self.to_unsigned_value()).map_err(EntryError::Canonical)
    }

    /// Signs the entry with the log key.
    ///
    /// # Errors
    /// As [`Entry::signing_bytes`], and [`EntryError::TooLarge`] if canonical(entry)
    /// would exceed [`MAX_ENTRY_BYTES`]: such a write must be refused (413) and append
    /// nothing.
    pub fn sign(self, log_key: &SigningKey) -> Result<SignedEntry, EntryError> {
        let signing_bytes = self.signing_bytes()?;
        let sig = log_key.sign(&signing_bytes);
        let bytes = signed_bytes(&self, &sig)?;
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge { size: bytes.len() });
        }
        let hash = entry_hash(&bytes);
        Ok(SignedEntry {
            entry: self,
            sig,
            bytes,
            hash,
        })
    }

    /// Rules on the fields that JSON types alone do not express.
    fn check_shape(&self) -> Result<(), EntryError> {
        if self.auth.is_some() && self.auth_at.is_some() {
            return Err(EntryError::AuthAndAuthAt);
        }
        // u64 fields must stay within the integers JSON carries exactly.
        let safe = |n: u64| n <= MAX_SAFE_INTEGER.unsigned_abs();
        if !safe(self.index) {
            return Err(EntryError::InvalidMember("index"));
        }
        if self.seq == 0 || !safe(self.seq) {
            return Err(EntryError::InvalidMember("seq"));
        }
        if self.auth_at.is_some_and(|a| !safe(a)) {
            return Err(EntryError::InvalidMember("auth_at"));
        }
        if !self.data.is_object() {
            return Err(EntryError::InvalidMember("data"));
        }
        Ok(())
    }
}

/// A signed entry with its exact canonical bytes and its `entry_hash`.
#[derive(Clone, Debug, PartialEq)]
pub struct SignedEntry {
    /// The fields.
    pub entry: Entry,
    /// The log signature.
    pub sig: Signature,
    /// canonical(entry), `sig` included: the bytes stored, served, exported and hashed.
    pub bytes: Vec<u8>,
    /// `entry_hash` = SHA-256(bytes).
    pub hash: Hash,
}

impl SignedEntry {
    /// Reads an entry from its stored bytes. The log signature is not checked here:
    /// call [`SignedEntry::verify`].
    ///
    /// # Errors
    /// [`EntryError::TooLarge`] beyond [`MAX_ENTRY_BYTES`]; [`EntryError::Canonical`] for
    /// bytes that are not canonical JSON; member errors unless the object has exactly the
    /// members of `docs/spec/ledger-format.md` with their types (`index`, `seq`, `auth_at`
    /// integers, `seq` at least 1, `recorded_at` in the entry form, `data` an object,
    /// `prev` 64 lowercase hex, `sig` base64 of 64 bytes, `auth` valid, not both `auth`
    /// and `auth_at`); [`EntryError::NotCanonical`] if the bytes differ from what
    /// signing these fields produces.
    pub fn parse(bytes: &[u8]) -> Result<Self, EntryError> {
        Self::parse_with(bytes, &mut ActorKeys::default())
    }

    /// [`SignedEntry::parse`], decoding actor keys through `keys`: a reader of many entries
    /// keeps one [`ActorKeys`] for all of them.
    ///
    /// # Errors
    /// As [`SignedEntry::parse`].
    pub fn parse_with(bytes: &[u8], keys: &mut ActorKeys) -> Result<Self, EntryError> {
        // Checked first so a hostile line costs no parsing.
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge { size: bytes.len() });
        }
        // Every entry the ledger wrote takes the one-pass path; anything else takes the
        // strict path, which says what is wrong.
        match one_pass::read(bytes, keys) {
            Some(signed) => {
                debug_assert_eq!(Ok(&signed), Self::parse_strictly(bytes).as_ref());
                Ok(signed)
            }
            None => Self::parse_strictly(bytes),
        }
    }

    /// [`SignedEntry::parse`] by the strict path alone: parse into a tree, read the
    /// fields, serialize them again and compare. The one-pass path must agree with it on
    /// every input it accepts; the tests and the `entry_parse` fuzz target compare them.
    ///
    /// # Errors
    /// As [`SignedEntry::parse`].
    #[doc(hidden)]
    pub fn parse_strictly(bytes: &[u8]) -> Result<Self, EntryError> {
        if bytes.len() > MAX_ENTRY_BYTES {
            return Err(EntryError::TooLarge { size: bytes.len() });
        }
        // Parsed, not yet checked canonical: rebuilding the signed bytes below and comparing
        // them with the input checks that, and more, with one serialization instead of two.
        let value = canonical::parse(bytes).map_err(EntryError::Canonical)?;
        let members = value.as_object().ok_or(EntryError::NotAnObject)?;
        if let Some(unknown) = members.keys().find(|k| {
            !REQUIRED_MEMBERS.contains(&k.as_str()) && !OPTIONAL_MEMBERS.contains(&k.as_str())
        }) {
            return Err(EntryError::UnknownMember(unknown.clone()));
        }
        let get = |name: &'static str| members.get(name).ok_or(EntryError::MissingMember(name));
        let text = |name: &'static str| -> Result<String, EntryError> {
            get(name)?
                .as_str()
                .map(str::to_owned)
                .ok_or(EntryError::InvalidMember(name))
        };
        let integer = |name: &'static str, v: &Value| -> Result<u64, EntryError> {
            v.as_u64().ok_or(EntryError::InvalidMember(name))
        };
        if members.contains_key("auth") && members.contains_key("auth_at") {
            return Err(EntryError::AuthAndAuthAt);
        }
        let entry = Entry {
            index: integer("index", get("index")?)?,
            stream: text("stream")?,
            seq: integer("seq", get("seq")?)?,
            event_type: text("type")?,
            version: text("version")?,
            recorded_at: Timestamp::parse_entry(&text("recorded_at")?)
                .map_err(|_| EntryError::InvalidMember("recorded_at"))?,
            data: get("data")?.clone(),
            auth: members
                .get("auth")
                .map(Auth::from_value)
                .transpose()
                .map_err(EntryError::Auth)?,
            auth_at: members
                .get("auth_at")
                .map(|v| integer("auth_at", v))
                .transpose()?,
            prev: from_hex(&text("prev")?).ok_or(EntryError::InvalidMember("prev"))?,
        };
        entry.check_shape()?;
        let sig = decode_signature(&text("sig")?).ok_or(EntryError::InvalidMember("sig"))?;
        // Canonical JSON alone leaves room for other spellings of the same fields
        // (unpadded base64, a timestamp without milliseconds): require our own.
        if signed_bytes(&entry, &sig)? != bytes {
            // Only on this failure path: say whether the JSON itself was not canonical.
            return Err(match canonical::to_bytes(&value) {
                Ok(c) if c != bytes => {
                    EntryError::Canonical(canonical::CanonicalError::NotCanonical)
                }
                _ => EntryError::NotCanonical,
            });
        }
        Ok(SignedEntry {
            entry,
            sig,
            bytes: bytes.to_vec(),
            hash: entry_hash(bytes),
        })
    }

    /// Verifies the log signature over canonical(entry without `sig`), strictly.
    ///
    /// # Errors
    /// [`EntryError::BadSignature`], or the errors of [`Entry::signing_bytes`] for an
    /// entry whose fields were changed by hand.
    pub fn verify(&self, log_key: &VerifyingKey) -> Result<(), EntryError> {
        let signing_bytes = self.entry.signing_bytes()?;
        log_key
            .verify_strict(&signing_bytes, &self.sig)
            .map_err(|_| EntryError::BadSignature)
    }

    /// The Merkle leaf hash of this entry: SHA-256(0x00 || canonical(entry)).
    pub fn leaf_hash(&self) -> Hash {
        merkle::leaf_hash(&self.bytes)
    }
}

/// `entry_hash` of an entry given its canonical bytes (`sig` included).
pub fn entry_hash(canonical_bytes: &[u8]) -> Hash {
    sha256(canonical_bytes)
}

/// canonical(entry with `sig`).
fn signed_bytes(entry: &Entry, sig: &Signature) -> Result<Vec<u8>, EntryError> {
    let mut value = entry.to_unsigned_value();
    if let Value::Object(m) = &mut value {
        m.insert("sig".into(), Value::String(BASE64.encode(sig.to_bytes())));
    }
    canonical::to_bytes(&value).map_err(EntryError::Canonical)
}

mod one_pass;
#[cfg(test)]
mod tests;
