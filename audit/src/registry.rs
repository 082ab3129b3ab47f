//! The key registry, rebuilt from the log alone.
//!
//! `docs/spec/ledger-format.md` (section 4) makes the log self-describing: which keys may sign,
//! with which roles, and from which entry on they may not, all follow from its
//! `ActorRegistered` and `ActorRevoked` entries. This module keeps that state while the
//! [`Auditor`](super::Auditor) reads the log, and answers "may this key issue this command
//! at this entry".

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::VerifyingKey;
use serde_json::Value;

use ledger::roles::{self, Role};

use super::shown;

/// Registered keys, by their 32 bytes, and which registry stream registered each.
#[derive(Debug, Default)]
pub(super) struct Registry {
    /// Every key ever registered, revoked ones included, so a second registration of the
    /// same key is caught.
    actors: HashMap<[u8; 32], Actor>,
    /// The key most recently registered on each `registry/<id>` stream: `ActorRevoked`
    /// names the stream, not the key.
    by_stream: HashMap<String, [u8; 32]>,
}

/// What the log has said so far about one key.
#[derive(Debug)]
struct Actor {
    roles: Vec<Role>,
    registered_at: u64,
    revoked_at: Option<u64>,
}

impl Registry {
    /// Applies an `ActorRegistered` entry (the genesis included) at `index` on `stream`.
    ///
    /// `data` must carry `public_key` (base64 of a 32-byte Ed25519 key) and `roles` (an
    /// array of role names); other members are the ledger's business.
    pub(super) fn register(
        &mut self,
        index: u64,
        stream: &str,
        data: &Value,
    ) -> Result<(), String> {
        let key = parse_public_key(data)?;
        let roles = parse_roles(data)?;
        if let Some(previous) = self.actors.get(&key) {
            return Err(format!(
                "key already registered at index {}",
                previous.registered_at
            ));
        }
        self.actors.insert(
            key,
            Actor {
                roles,
                registered_at: index,
                revoked_at: None,
            },
        );
        self.by_stream.insert(stream.to_owned(), key);
        Ok(())
    }

    /// Applies an `ActorRevoked` entry at `index` on `stream`: the key of that stream's actor
    /// may sign nothing from the next entry on.
    pub(super) fn revoke(&mut self, index: u64, stream: &str) -> Result<(), String> {
        let actor = self
            .by_stream
            .get(stream)
            .and_then(|key| self.actors.get_mut(key))
            .ok_or_else(|| format!("no actor registered on stream {}", shown(stream)))?;
        // A second revocation changes nothing: the key is already dead since the first.
        actor.revoked_at.get_or_insert(index);
        Ok(())
    }

    /// Whether `key` may issue `command` now: registered by an earlier entry, not revoked,
    /// and holding a role that the role table (`docs/spec/ledger-format.md`, section 10) allows
    /// for the command.
    ///
    /// The table is all an auditor can check from the log: "for its own institution only"
    /// depends on domain state that the format does not ask a verifier to rebuild.
    pub(super) fn authorize(&self, key: &VerifyingKey, command: &str) -> Result<(), String> {
        let actor = self
            .actors
            .get(key.as_bytes())
            .ok_or("actor key not registered")?;
        if let Some(at) = actor.revoked_at {
            return Err(format!("actor key revoked at index {at}"));
        }
        if !roles::any_may_issue(&actor.roles, command) {
            return Err(format!("no role of the actor may issue {}", shown(command)));
        }
        Ok(())
    }
}

/// `data.public_key`: base64 of 32 bytes that decode as an Ed25519 point.
fn parse_public_key(data: &Value) -> Result<[u8; 32], String> {
    const BAD: &str = "data.public_key is not a base64 Ed25519 public key";
    let text = data.get("public_key").and_then(Value::as_str).ok_or(BAD)?;
    let bytes = BASE64.decode(text).map_err(|_| BAD)?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| BAD)?;
    // A key that is no curve point could never sign; refuse it where it is registered.
    VerifyingKey::from_bytes(&bytes).map_err(|_| BAD)?;
    Ok(bytes)
}

/// `data.roles`: an array of role names of the role table (`docs/spec/ledger-format.md`,
/// section 10).
fn parse_roles(data: &Value) -> Result<Vec<Role>, String> {
    let list = data
        .get("roles")
        .and_then(Value::as_array)
        .ok_or("data.roles is not an array")?;
    list.iter()
        .map(|role| {
            role.as_str()
                .and_then(Role::parse)
                .ok_or_else(|| format!("data.roles holds an unknown role {}", shown_value(role)))
        })
        .collect()
}

/// A JSON value quoted for a reason line, cut short like [`shown`].
fn shown_value(value: &Value) -> String {
    shown(&value.to_string())
}
