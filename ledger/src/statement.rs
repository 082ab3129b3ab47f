//! Actors' signed statements: the `auth` object of `docs/spec/ledger-format.md`.
//!
//! A registered actor's client signs `canonical(statement)` with its own Ed25519 key
//! before sending a command; the log then carries the statement, so an auditor can check
//! that a decision came from the key that signed it, not only from the server. This
//! module reads, writes, signs and verifies statements; the rules that need the log's
//! state (nonce reuse, registry, time window against `recorded_at`) are the verifier's.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value};

use crate::canonical::scan::{Canonical, Member};
use crate::canonical::{self, CanonicalError, MAX_DEPTH};
use crate::hash::{sha256, Hash};
use crate::timestamp::Timestamp;

/// Largest canonical statement accepted (413 beyond).
pub const MAX_STATEMENT_BYTES: usize = 32 * 1024;
/// Longest nonce, in characters (Unicode scalar values).
pub const MAX_NONCE_CHARS: usize = 64;
/// Largest distance allowed between `issued_at` and the time the ledger records.
pub const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// Prefix of the bytes an uploader signs for a document (`docs/spec/api.md`, section 2.2).
pub const DOCUMENT_MESSAGE_PREFIX: &[u8] = b"sijill-document\n";

/// Levels of nesting above a statement's `body` inside an entry (entry, `auth`,
/// `statement`). A body deeper than `MAX_DEPTH - BODY_DEPTH_IN_ENTRY` could be accepted
/// as a request and then not fit in an entry, so it is refused up front.
const BODY_DEPTH_IN_ENTRY: usize = 3;

/// Members of a statement, in the order of `docs/spec/ledger-format.md`.
const STATEMENT_MEMBERS: [&str; 6] = ["origin", "command", "stream", "body", "issued_at", "nonce"];
/// Members of an `auth` object.
const AUTH_MEMBERS: [&str; 3] = ["actor", "statement", "sig"];

/// Why a statement or `auth` object was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// The value is not a JSON object.
    #[error("{0} is not an object")]
    NotAnObject(&'static str),
    /// A required member is absent.
    #[error("{object}: missing member {member:?}")]
    MissingMember {
        /// `statement` or `auth`.
        object: &'static str,
        /// The member's name.
        member: &'static str,
    },
    /// A member the format does not define.
    #[error("{object}: unknown member {member:?}")]
    UnknownMember {
        /// `statement` or `auth`.
        object: &'static str,
        /// The member's name.
        member: String,
    },
    /// A member of the wrong JSON type.
    #[error("{object}: member {member:?} has the wrong type")]
    WrongType {
        /// `statement` or `auth`.
        object: &'static str,
        /// The member's name.
        member: &'static str,
    },
    /// `issued_at` is not a timestamp of the statement form.
    #[error("statement: issued_at is not a valid UTC timestamp")]
    BadIssuedAt,
    /// The nonce is empty or longer than [`MAX_NONCE_CHARS`].
    #[error("statement: nonce must be 1 to {MAX_NONCE_CHARS} characters")]
    BadNonce,
    /// The body breaks the number rules or nests too deep.
    #[error("statement: body: {0}")]
    Body(CanonicalError),
    /// canonical(statement) exceeds [`MAX_STATEMENT_BYTES`].
    #[error("statement is {size} bytes, more than {MAX_STATEMENT_BYTES}")]
    TooLarge {
        /// Size of canonical(statement).
        size: usize,
    },
    /// `actor` is not the base64 of a 32-byte Ed25519 public key.
    #[error("auth: actor is not a base64 Ed25519 public key")]
    BadActorKey,
    /// `sig` is not the base64 of a 64-byte signature.
    #[error("auth: sig is not a base64 Ed25519 signature")]
    BadSignatureEncoding,
    /// The actor's signature does not verify (strict Ed25519).
    #[error("auth: invalid actor signature")]
    BadSignature,
}

/// What an actor signs: a command for one stream of one log, with a nonce.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The log's origin, as in its checkpoints; binds the statement to one log.
    pub origin: String,
    /// The command name (the role table of `docs/spec/ledger-format.md`), e.g. `PublishOffer`.
    pub command: String,
    /// The target stream, `<aggregate type>/<aggregate id>`.
    pub stream: String,
    /// The command body: a JSON object.
    pub body: Value,
    /// The client's time, exactly as signed (milliseconds optional).
    pub issued_at: String,
    /// 1 to 64 characters chosen by the client, unique for this actor.
    pub nonce: String,
}

impl Statement {
    /// Reads a statement from JSON.
    ///
    /// # Errors
    /// Unless the value is an object with exactly the six members, `body` an object that
    /// obeys the number rules and fits in an entry, the others strings, `issued_at` a
    /// statement timestamp, the nonce 1 to 64 characters, and canonical(statement) at most
    /// [`MAX_STATEMENT_BYTES`] ([`StatementError::TooLarge`], for a 413).
    pub fn from_value(v: &Value) -> Result<Self, StatementError> {
        const OBJECT: &str = "statement";
        let members = exact_members(v, OBJECT, &STATEMENT_MEMBERS)?;
        let text = |member: &'static str| -> Result<String, StatementError> {
            members
                .get(member)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(StatementError::WrongType {
                    object: OBJECT,
                    member,
                })
        };
        let body = members.get("body").cloned().unwrap_or(Value::Null);
        if !body.is_object() {
            return Err(StatementError::WrongType {
                object: OBJECT,
                member: "body",
            });
        }
        canonical::check_numbers(&body).map_err(StatementError::Body)?;
        if canonical::depth(&body) > MAX_DEPTH - BODY_DEPTH_IN_ENTRY {
            return Err(StatementError::Body(CanonicalError::TooDeep));
        }
        let statement = Statement {
            origin: text("origin")?,
            command: text("command")?,
            stream: text("stream")?,
            body,
            issued_at: text("issued_at")?,
            nonce: text("nonce")?,
        };
        statement.check_text_members()?;
        let size = statement.canonical_bytes().len();
        if size > MAX_STATEMENT_BYTES {
            return Err(StatementError::TooLarge { size });
        }
        Ok(statement)
    }

    /// Reads a statement from its canonical bytes inside a stored entry (and only there), as
    /// [`Statement::from_value`] would read the value they hold; `None` when they do not
    /// make a valid statement, for the caller to take the strict path and its error.
    pub(crate) fn from_canonical(statement: Canonical<'_>) -> Option<Self> {
        let [body, command, issued_at, nonce, origin, stream] =
            statement.members()?.try_into().ok()?;
        let named = |m: &Member<'_>, name: &str| (m.name == name).then_some(());
        named(&body, "body")?;
        named(&command, "command")?;
        named(&issued_at, "issued_at")?;
        named(&nonce, "nonce")?;
        named(&origin, "origin")?;
        named(&stream, "stream")?;
        // The body's depth needs no check here: the entry's bytes passed the nesting limit,
        // and a body sits `BODY_DEPTH_IN_ENTRY` levels into its entry.
        if !body.value.is_object() || statement.as_bytes().len() > MAX_STATEMENT_BYTES {
            return None;
        }
        let text = |m: &Member<'_>| m.value.as_str().map(String::from);
        let statement = Statement {
            origin: text(&origin)?,
            command: text(&command)?,
            stream: text(&stream)?,
            body: body.value.to_value()?,
            issued_at: text(&issued_at)?,
            nonce: text(&nonce)?,
        };
        statement.check_text_members().ok()?;
        Some(statement)
    }

    /// The rules on `issued_at` and `nonce` beyond their being strings.
    fn check_text_members(&self) -> Result<(), StatementError> {
        Timestamp::parse_statement(&self.issued_at).map_err(|_| StatementError::BadIssuedAt)?;
        let nonce_chars = self.nonce.chars().count();
        if nonce_chars == 0 || nonce_chars > MAX_NONCE_CHARS {
            return Err(StatementError::BadNonce);
        }
        Ok(())
    }

    /// The statement as a JSON object.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("origin".into(), Value::String(self.origin.clone()));
        m.insert("command".into(), Value::String(self.command.clone()));
        m.insert("stream".into(), Value::String(self.stream.clone()));
        m.insert("body".into(), self.body.clone());
        m.insert("issued_at".into(), Value::String(self.issued_at.clone()));
        m.insert("nonce".into(), Value::String(self.nonce.clone()));
        Value::Object(m)
    }

    /// canonical(statement): the bytes the actor signs.
    ///
    /// A statement read by [`Statement::from_value`] always serializes. One built by hand
    /// with a body that breaks the number rules cannot be canonical; it then yields the
    /// empty byte string, which no actor signs and [`Auth::verify`] therefore refuses,
    /// rather than panicking.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical::to_bytes(&self.to_value()).unwrap_or_default()
    }

    /// `issued_at`, parsed.
    ///
    /// A statement read by [`Statement::from_value`] always has a valid `issued_at`. For
    /// one built by hand with an invalid time this returns the earliest representable
    /// instant, which falls outside any time window, rather than panicking.
    pub fn issued_at(&self) -> Timestamp {
        Timestamp::parse_statement(&self.issued_at).unwrap_or(Timestamp::from_millis(i64::MIN))
    }
}

/// A statement with the actor's key and signature: the `auth` member of an entry and the
/// body of `POST /v1/statements`.
#[derive(Clone, Debug, PartialEq)]
pub struct Auth {
    /// The actor's Ed25519 public key.
    pub actor: VerifyingKey,
    /// What the actor signed.
    pub statement: Statement,
    /// Ed25519(actor key, canonical(statement)).
    pub sig: Signature,
}

impl Auth {
    /// Reads an `auth` object. The signature is decoded, not verified: call
    /// [`Auth::verify`].
    ///
    /// # Errors
    /// Unless the value is an object with exactly `actor`, `statement` and `sig`, `actor`
    /// the base64 of a 32-byte Ed25519 public key, `sig` the base64 of 64 bytes, and the
    /// statement valid ([`Statement::from_value`]).
    pub fn from_value(v: &Value) -> Result<Self, StatementError> {
        const OBJECT: &str = "auth";
        let members = exact_members(v, OBJECT, &AUTH_MEMBERS)?;
        let actor_b64 =
            members
                .get("actor")
                .and_then(Value::as_str)
                .ok_or(StatementError::WrongType {
                    object: OBJECT,
                    member: "actor",
                })?;
        let sig_b64 =
            members
                .get("sig")
                .and_then(Value::as_str)
                .ok_or(StatementError::WrongType {
                    object: OBJECT,
                    member: "sig",
                })?;
        let actor = decode_verifying_key(actor_b64).ok_or(StatementError::BadActorKey)?;
        let sig = decode_signature(sig_b64).ok_or(StatementError::BadSignatureEncoding)?;
        let statement = Statement::from_value(members.get("statement").unwrap_or(&Value::Null))?;
        Ok(Auth {
            actor,
            statement,
            sig,
        })
    }

    /// Reads an `auth` object from its canonical bytes inside a stored entry, as
    /// [`Auth::from_value`] followed by re-serialization would accept it: `None` when it
    /// would not, or when it would be written back differently (a key or signature in
    /// another base64 spelling), for the caller to take the strict path and its error.
    pub(crate) fn from_canonical(auth: Canonical<'_>, keys: &mut ActorKeys) -> Option<Self> {
        let [actor, sig, statement] = auth.members()?.try_into().ok()?;
        if actor.name != "actor" || sig.name != "sig" || statement.name != "statement" {
            return None;
        }
        let actor_b64 = actor.value.as_str()?;
        let sig_b64 = sig.value.as_str()?;
        let auth = Auth {
            actor: keys.decode(&actor_b64)?,
            statement: Statement::from_canonical(statement.value)?,
            sig: decode_signature(&sig_b64)?,
        };
        (auth.actor_b64() == actor_b64 && BASE64.encode(auth.sig.to_bytes()) == sig_b64)
            .then_some(auth)
    }

    /// The `auth` object: `{"actor", "statement", "sig"}`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("actor".into(), Value::String(self.actor_b64()));
        m.insert("statement".into(), self.statement.to_value());
        m.insert(
            "sig".into(),
            Value::String(BASE64.encode(self.sig.to_bytes())),
        );
        Value::Object(m)
    }

    /// Signs `statement` with the actor's key (what a client does).
    ///
    /// Sign statements read by [`Statement::from_value`] (or built with the same rules):
    /// a hand-built statement that cannot be canonical produces an `Auth` that
    /// [`Auth::verify`] refuses.
    pub fn sign(statement: Statement, key: &SigningKey) -> Self {
        let sig = key.sign(&statement.canonical_bytes());
        Auth {
            actor: key.verifying_key(),
            statement,
            sig,
        }
    }

    /// Verifies the actor's signature over canonical(statement), strictly: small-order
    /// keys and non-canonical signatures are refused, so one statement has one valid
    /// signature per key.
    ///
    /// # Errors
    /// [`StatementError::BadSignature`].
    pub fn verify(&self) -> Result<(), StatementError> {
        let bytes = self.statement.canonical_bytes();
        if bytes.is_empty() {
            return Err(StatementError::BadSignature);
        }
        self.actor
            .verify_strict(&bytes, &self.sig)
            .map_err(|_| StatementError::BadSignature)
    }

    /// SHA-256 of canonical(statement): identifies "the same statement" for idempotent
    /// retries.
    pub fn statement_hash(&self) -> Hash {
        sha256(&self.statement.canonical_bytes())
    }

    /// The actor key in base64, as written in `actor` and in registry bodies.
    pub fn actor_b64(&self) -> String {
        BASE64.encode(self.actor.as_bytes())
    }
}

/// Whether every member of the object `body` is present in the object `data` with an
/// equal value (`docs/spec/ledger-format.md`: the ledger may add members, never change or drop
/// one). `false` if either is not an object.
pub fn body_within_data(body: &Value, data: &Value) -> bool {
    match (body, data) {
        (Value::Object(body), Value::Object(data)) => body
            .iter()
            .all(|(name, value)| data.get(name) == Some(value)),
        _ => false,
    }
}

/// The bytes an uploader signs for a document: `"sijill-document\n"` followed by the
/// document's lowercase hex SHA-256.
pub fn document_message(sha256_hex: &str) -> Vec<u8> {
    let mut message = DOCUMENT_MESSAGE_PREFIX.to_vec();
    message.extend_from_slice(sha256_hex.as_bytes());
    message
}

/// Decodes the base64 of a 32-byte Ed25519 public key (strict base64: padding required,
/// no stray bits), refusing byte strings that are not curve points.
pub fn decode_verifying_key(b64: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = BASE64.decode(b64).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Actors' keys already decoded, by their base64. Decoding a key decompresses a curve point,
/// which costs about as much as the rest of reading an entry; a log has few actors and
/// each signs many entries, so a reader of many entries keeps one of these.
#[derive(Debug, Default)]
pub struct ActorKeys {
    decoded: std::collections::HashMap<String, VerifyingKey>,
}

impl ActorKeys {
    /// Keys kept at most; past it the memory starts again, so hostile input cannot grow it.
    const CAPACITY: usize = 4096;

    /// [`decode_verifying_key`], remembered.
    pub fn decode(&mut self, b64: &str) -> Option<VerifyingKey> {
        if let Some(key) = self.decoded.get(b64) {
            return Some(*key);
        }
        let key = decode_verifying_key(b64)?;
        if self.decoded.len() >= Self::CAPACITY {
            self.decoded.clear();
        }
        self.decoded.insert(b64.to_owned(), key);
        Some(key)
    }
}

/// Decodes the base64 of a 64-byte Ed25519 signature (strict base64).
pub fn decode_signature(b64: &str) -> Option<Signature> {
    let bytes: [u8; 64] = BASE64.decode(b64).ok()?.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

/// The members of `v`, which must be an object holding exactly `expected`.
fn exact_members<'a>(
    v: &'a Value,
    object: &'static str,
    expected: &[&'static str],
) -> Result<&'a Map<String, Value>, StatementError> {
    let members = v.as_object().ok_or(StatementError::NotAnObject(object))?;
    if let Some(unknown) = members.keys().find(|k| !expected.contains(&k.as_str())) {
        return Err(StatementError::UnknownMember {
            object,
            member: unknown.clone(),
        });
    }
    if let Some(missing) = expected.iter().find(|m| !members.contains_key(**m)) {
        return Err(StatementError::MissingMember {
            object,
            member: missing,
        });
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[5; 32])
    }

    fn statement_value() -> Value {
        json!({
            "origin": "sijill.local/ledger",
            "command": "PublishOffer",
            "stream": "offer/OFR-2025-0001",
            "body": {"title": "Appel à projets", "budget": 1_000_000},
            "issued_at": "2026-01-15T09:29:58Z",
            "nonce": "n-1"
        })
    }

    #[test]
    fn sign_verify_round_trip() {
        let statement = Statement::from_value(&statement_value()).unwrap();
        assert_eq!(statement.issued_at().millis(), 1_768_469_398_000);
        let auth = Auth::sign(statement.clone(), &key());
        auth.verify().unwrap();
        let back = Auth::from_value(&auth.to_value()).unwrap();
        assert_eq!(back, auth);
        assert_eq!(back.statement_hash(), sha256(&statement.canonical_bytes()));
        assert_eq!(
            auth.actor_b64(),
            BASE64.encode(key().verifying_key().as_bytes())
        );
        // canonical(statement) is the JCS form of the value.
        assert_eq!(
            statement.canonical_bytes(),
            canonical::to_bytes(&statement_value()).unwrap()
        );
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let auth = Auth::sign(Statement::from_value(&statement_value()).unwrap(), &key());
        let mut changed = auth.clone();
        changed.statement.nonce = "n-2".into();
        assert_eq!(changed.verify(), Err(StatementError::BadSignature));
        let mut changed = auth.clone();
        changed.statement.body["budget"] = json!(1_000_001);
        assert_eq!(changed.verify(), Err(StatementError::BadSignature));
        let mut changed = auth;
        changed.actor = SigningKey::from_bytes(&[6; 32]).verifying_key();
        assert_eq!(changed.verify(), Err(StatementError::BadSignature));
    }

    #[test]
    fn statement_refusals() {
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = statement_value();
            f(&mut v);
            Statement::from_value(&v)
        };
        assert!(matches!(
            with(&|v| v["extra"] = json!(1)),
            Err(StatementError::UnknownMember { .. })
        ));
        assert!(matches!(
            with(&|v| {
                v.as_object_mut().unwrap().remove("nonce");
            }),
            Err(StatementError::MissingMember {
                member: "nonce",
                ..
            })
        ));
        assert!(matches!(
            with(&|v| v["body"] = json!([])),
            Err(StatementError::WrongType { member: "body", .. })
        ));
        assert!(matches!(
            with(&|v| v["origin"] = json!(1)),
            Err(StatementError::WrongType {
                member: "origin",
                ..
            })
        ));
        assert_eq!(
            with(&|v| v["issued_at"] = json!("2026-01-15")),
            Err(StatementError::BadIssuedAt)
        );
        assert_eq!(
            with(&|v| v["nonce"] = json!("")),
            Err(StatementError::BadNonce)
        );
        assert_eq!(
            with(&|v| v["nonce"] = json!("é".repeat(64))).map(|s| s.nonce.chars().count()),
            Ok(64)
        );
        assert_eq!(
            with(&|v| v["nonce"] = json!("x".repeat(65))),
            Err(StatementError::BadNonce)
        );
        assert_eq!(
            with(&|v| v["body"]["amount"] = json!(2.5)),
            Err(StatementError::Body(CanonicalError::NotAnInteger))
        );
        assert!(matches!(
            with(&|v| v["body"]["text"] = json!("x".repeat(MAX_STATEMENT_BYTES))),
            Err(StatementError::TooLarge { .. })
        ));
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH - BODY_DEPTH_IN_ENTRY {
            deep = json!([deep]);
        }
        assert_eq!(
            with(&|v| v["body"]["deep"] = deep.clone()),
            Err(StatementError::Body(CanonicalError::TooDeep))
        );
        assert_eq!(
            Statement::from_value(&json!("x")),
            Err(StatementError::NotAnObject("statement"))
        );
    }

    #[test]
    fn auth_refusals() {
        let auth =
            Auth::sign(Statement::from_value(&statement_value()).unwrap(), &key()).to_value();
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = auth.clone();
            f(&mut v);
            Auth::from_value(&v)
        };
        assert_eq!(
            with(&|v| v["actor"] = json!("AAAA")),
            Err(StatementError::BadActorKey)
        );
        assert_eq!(
            with(&|v| v["actor"] = json!(1)),
            Err(StatementError::WrongType {
                object: "auth",
                member: "actor"
            })
        );
        assert_eq!(
            with(&|v| v["sig"] = json!("AAAA")),
            Err(StatementError::BadSignatureEncoding)
        );
        // Unpadded base64 of the right key is still refused: one spelling per key.
        let unpadded = auth["actor"]
            .as_str()
            .unwrap()
            .trim_end_matches('=')
            .to_owned();
        assert_eq!(
            with(&|v| v["actor"] = json!(unpadded.clone())),
            Err(StatementError::BadActorKey)
        );
        assert!(matches!(
            with(&|v| v["x"] = json!(1)),
            Err(StatementError::UnknownMember { .. })
        ));
    }

    #[test]
    fn body_within_data_rules() {
        let body = json!({"a": 1, "b": {"c": [1, 2]}});
        assert!(body_within_data(
            &body,
            &json!({"a": 1, "b": {"c": [1, 2]}, "extra": true})
        ));
        assert!(!body_within_data(&body, &json!({"a": 1})));
        assert!(!body_within_data(
            &body,
            &json!({"a": 2, "b": {"c": [1, 2]}})
        ));
        assert!(!body_within_data(
            &body,
            &json!({"a": 1, "b": {"c": [1, 2], "d": 0}})
        ));
        assert!(body_within_data(&json!({}), &json!({})));
        assert!(!body_within_data(&json!([]), &json!({})));
    }

    #[test]
    fn document_message_layout() {
        assert_eq!(document_message("ab"), b"sijill-document\nab".to_vec());
    }
}
