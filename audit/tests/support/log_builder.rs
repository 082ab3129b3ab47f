//! A small in-memory log for tests of verifiers: a genesis, registry commands, signed
//! statements, unsigned submissions and log-key rotations, each entry signed by the test
//! log key in force, plus the checkpoint of the whole log.
//!
//! It writes entries the way an honest ledger would; tests that need a dishonest one build
//! an entry with [`LogBuilder::entry`], change it, and sign it with [`LogBuilder::push`].
//! Shared by `ledger/tests/audit.rs` and the `sijill verify` driver's tests (included there
//! by path), so it uses only the public API of `ledger`.

// Each including test uses a different part of the builder.
#![allow(dead_code)]

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use ledger::hash::{Hash, ZERO_HASH};
use ledger::merkle;
use ledger::note::sign_note;
use ledger::rotation::{Rotation, ROTATION_COMMAND, ROTATION_EVENT, ROTATION_STREAM};
use ledger::{Auth, Checkpoint, Entry, NoteSigner, SignedEntry, Statement, Timestamp, VerifierKey};

/// The origin of every test log.
pub const ORIGIN: &str = "test.sijill.ma/ledger";

/// A deterministic key, different for each `seed`.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// Base64 of a key's public half, as `data.public_key` and `auth.actor` write it.
pub fn public_b64(key: &SigningKey) -> String {
    BASE64.encode(key.verifying_key().as_bytes())
}

/// A log being written, entry by entry.
pub struct LogBuilder {
    /// Signs entries and checkpoints: the log key in force.
    pub signer: NoteSigner,
    log_key: SigningKey,
    /// The genesis administrator's key.
    pub admin: SigningKey,
    /// Canonical bytes of each entry, without line feeds.
    pub lines: Vec<Vec<u8>>,
    /// `recorded_at` of the next entry; tests move it with [`LogBuilder::tick`].
    pub clock: Timestamp,
    heads: HashMap<String, (u64, Hash)>,
    nonces: u64,
}

impl Default for LogBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LogBuilder {
    /// A log holding only its genesis entry, with log key `key(1)` and admin `key(2)`.
    pub fn new() -> Self {
        Self::with_keys(key(1), key(2))
    }

    /// A log holding only its genesis entry, with the given log and admin keys.
    pub fn with_keys(log_key: SigningKey, admin: SigningKey) -> Self {
        let signer = NoteSigner::new(ORIGIN, log_key.clone());
        let mut log = LogBuilder {
            signer,
            log_key,
            admin,
            lines: Vec::new(),
            // 2026-01-15T09:30:00.000Z
            clock: Timestamp::from_millis(1_768_469_400_000),
            heads: HashMap::new(),
            nonces: 0,
        };
        let data = json!({
            "public_key": public_b64(&log.admin),
            "name": "First administrator",
            "roles": ["admin"],
            "origin": ORIGIN,
            "log_key": log.verifier().to_string(),
        });
        let genesis = log.entry("registry/admin", "ActorRegistered", data);
        log.push(genesis);
        log
    }

    /// The note verifier key of this log, as `log.pub` holds it.
    pub fn verifier(&self) -> VerifierKey {
        self.signer.verifier()
    }

    /// Moves the clock forward (or back, with a negative `ms`).
    pub fn tick(&mut self, ms: i64) {
        self.clock = self.clock.plus_millis(ms);
    }

    /// The next entry of `stream` as an honest ledger would write it, unsigned and without
    /// `auth`: index, seq, prev and recorded_at filled in.
    pub fn entry(&self, stream: &str, event_type: &str, data: Value) -> Entry {
        let (seq, prev) = self
            .heads
            .get(stream)
            .map_or((1, ZERO_HASH), |(seq, head)| (seq + 1, *head));
        Entry {
            index: self.lines.len() as u64,
            stream: stream.to_owned(),
            seq,
            event_type: event_type.to_owned(),
            version: "1".to_owned(),
            recorded_at: self.clock,
            data,
            auth: None,
            auth_at: None,
            prev,
        }
    }

    /// Signs `entry` with the log key in force and appends it, whatever it says; returns its
    /// index.
    pub fn push(&mut self, entry: Entry) -> u64 {
        let log_key = self.log_key.clone();
        self.push_signed_by(entry, &log_key)
    }

    /// Signs `entry` with `log_key`, whichever key is in force, and appends it.
    pub fn push_signed_by(&mut self, entry: Entry, log_key: &SigningKey) -> u64 {
        let signed: SignedEntry = entry.sign(log_key).expect("test entry signs");
        let index = self.lines.len() as u64;
        self.heads
            .insert(signed.entry.stream.clone(), (signed.entry.seq, signed.hash));
        self.lines.push(signed.bytes);
        index
    }

    /// A statement for this log, issued now, with a fresh nonce.
    pub fn statement(&mut self, command: &str, stream: &str, body: Value) -> Statement {
        self.nonces += 1;
        Statement {
            origin: ORIGIN.to_owned(),
            command: command.to_owned(),
            stream: stream.to_owned(),
            body,
            issued_at: self.clock.to_entry_string(),
            nonce: format!("nonce-{}", self.nonces),
        }
    }

    /// Appends the first entry of a signed command: `data` is the statement's body.
    pub fn signed(&mut self, key: &SigningKey, statement: Statement, event_type: &str) -> u64 {
        let data = statement.body.clone();
        self.signed_with_data(key, statement, event_type, data)
    }

    /// Appends the first entry of a signed command with the given `data`.
    pub fn signed_with_data(
        &mut self,
        key: &SigningKey,
        statement: Statement,
        event_type: &str,
        data: Value,
    ) -> u64 {
        let mut entry = self.entry(&statement.stream.clone(), event_type, data);
        entry.auth = Some(Auth::sign(statement, key));
        self.push(entry)
    }

    /// Signs and appends a one-entry command issued now.
    pub fn command(
        &mut self,
        key: &SigningKey,
        command: &str,
        stream: &str,
        event_type: &str,
        body: Value,
    ) -> u64 {
        let statement = self.statement(command, stream, body);
        self.signed(key, statement, event_type)
    }

    /// Appends a further entry of the command whose signed entry is `auth_at`.
    pub fn follow(&mut self, auth_at: u64, stream: &str, event_type: &str, data: Value) -> u64 {
        let mut entry = self.entry(stream, event_type, data);
        entry.auth_at = Some(auth_at);
        self.push(entry)
    }

    /// Appends an entry made without a key (a public submission).
    pub fn public(&mut self, stream: &str, event_type: &str, data: Value) -> u64 {
        let entry = self.entry(stream, event_type, data);
        self.push(entry)
    }

    /// The admin registers institution `id`.
    pub fn register_institution(&mut self, id: &str) -> u64 {
        let admin = self.admin.clone();
        let body = json!({"name": format!("Institution {id}"), "kind": "ministry"});
        let stream = format!("institution/{id}");
        self.command(
            &admin,
            "RegisterInstitution",
            &stream,
            "InstitutionRegistered",
            body,
        )
    }

    /// The admin registers `key` as actor `id` of institution `MIN` with these roles.
    pub fn register_actor(&mut self, id: &str, key: &SigningKey, roles: &[&str]) -> u64 {
        let admin = self.admin.clone();
        let body = json!({
            "public_key": public_b64(key),
            "name": format!("Actor {id}"),
            "institution": "MIN",
            "roles": roles,
        });
        let stream = format!("registry/{id}");
        self.command(&admin, "RegisterActor", &stream, "ActorRegistered", body)
    }

    /// The admin revokes actor `id`.
    pub fn revoke_actor(&mut self, id: &str) -> u64 {
        let admin = self.admin.clone();
        let stream = format!("registry/{id}");
        let body = json!({"reason": "left the institution"});
        self.command(&admin, "RevokeActor", &stream, "ActorRevoked", body)
    }

    /// What an honest rotation to `new_key` appended now would assert: the key in force
    /// before it, the size and root of the log so far.
    pub fn rotation(&self, new_key: &SigningKey) -> Rotation {
        Rotation {
            origin: ORIGIN.to_owned(),
            tree_size: self.lines.len() as u64,
            root: self.root(),
            previous_log_key: self.verifier(),
            log_key: VerifierKey::new(ORIGIN, new_key.verifying_key()),
        }
    }

    /// `data` of the `LogKeyRotated` entry for `rotation`, signed by `new_key`.
    pub fn rotation_data(rotation: &Rotation, new_key: &SigningKey) -> Value {
        Value::Object(rotation.data_members(&rotation.sign(new_key)))
    }

    /// `admin` issues `RotateLogKey` on `stream` with body `{"log_key": data.log_key}`, and
    /// the entry carries `data` (as given, however wrong); the log key in force does not
    /// change (see [`LogBuilder::switch_log_key`]).
    pub fn rotate_with(&mut self, admin: &SigningKey, stream: &str, data: Value) -> u64 {
        let body = json!({"log_key": data["log_key"].clone()});
        let statement = self.statement(ROTATION_COMMAND, stream, body);
        self.signed_with_data(admin, statement, ROTATION_EVENT, data)
    }

    /// The entry the admin's `RotateLogKey` statement makes with `data` (body: its
    /// `log_key`), not yet appended, for tests that alter it before pushing it.
    pub fn rotation_entry(&mut self, data: Value) -> Entry {
        let body = json!({"log_key": data["log_key"].clone()});
        let statement = self.statement(ROTATION_COMMAND, ROTATION_STREAM, body);
        let mut entry = self.entry(ROTATION_STREAM, ROTATION_EVENT, data);
        entry.auth = Some(ledger::Auth::sign(statement, &self.admin));
        entry
    }

    /// Entries and checkpoints are signed by `new_key` from now on.
    pub fn switch_log_key(&mut self, new_key: &SigningKey) {
        self.log_key = new_key.clone();
        self.signer = NoteSigner::new(ORIGIN, new_key.clone());
    }

    /// The admin rotates the log key to `new_key`, as an honest ledger does: the rotation
    /// entry, signed by the key in force, then `new_key` signs what follows. Returns the
    /// rotation entry's index.
    pub fn rotate(&mut self, new_key: &SigningKey) -> u64 {
        let data = Self::rotation_data(&self.rotation(new_key), new_key);
        let admin = self.admin.clone();
        let index = self.rotate_with(&admin, ROTATION_STREAM, data);
        self.switch_log_key(new_key);
        index
    }

    /// Leaf hashes of all entries.
    pub fn leaf_hashes(&self) -> Vec<Hash> {
        self.lines.iter().map(|l| merkle::leaf_hash(l)).collect()
    }

    /// Merkle root of all entries, from the reference implementation over every leaf.
    pub fn root(&self) -> Hash {
        merkle::root_from_leaves(&self.leaf_hashes())
    }

    /// The checkpoint of the whole log, signed by the log key.
    pub fn checkpoint(&self) -> String {
        Checkpoint {
            origin: ORIGIN.to_owned(),
            size: self.lines.len() as u64,
            root: self.root(),
        }
        .sign(&self.signer)
        .expect("test checkpoint signs")
    }

    /// The checkpoint of the whole log, signed by each of `log_keys` (a note with one
    /// signature line per key).
    pub fn checkpoint_signed_by(&self, log_keys: &[&SigningKey]) -> String {
        let body = Checkpoint {
            origin: ORIGIN.to_owned(),
            size: self.lines.len() as u64,
            root: self.root(),
        }
        .body();
        let signers: Vec<NoteSigner> = log_keys
            .iter()
            .map(|key| NoteSigner::new(ORIGIN, (*key).clone()))
            .collect();
        let signers: Vec<&NoteSigner> = signers.iter().collect();
        sign_note(&body, &signers).expect("test checkpoint signs")
    }

    /// `entries.jsonl`: every entry followed by a line feed.
    pub fn jsonl(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for line in &self.lines {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out
    }
}

/// A small honest log: an institution, a publisher, an offer published with a second entry
/// of the same command, and a public comment that names a document. Returns the builder and
/// the document's bytes.
pub fn sample_log() -> (LogBuilder, Vec<u8>) {
    let mut log = LogBuilder::new();
    log.register_institution("MIN");
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    log.tick(1_000);
    let body = json!({"title": "Youth sport grants", "budget_centimes": 50_000_000});
    let first = log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        body,
    );
    log.follow(
        first,
        "offer/OFR-1",
        "OfferBudgetReserved",
        json!({"amount_centimes": 50_000_000}),
    );
    log.tick(1_000);
    let document = "A comment, as submitted.".as_bytes().to_vec();
    let sha = ledger::hash::to_hex(&ledger::hash::sha256(&document));
    log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"channel": "public", "documents": [sha]}),
    );
    (log, document)
}
