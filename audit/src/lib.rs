//! The offline auditor: replays a log entry by entry and says where it first breaks the
//! contract of `docs/spec/ledger-format.md`; [`export`] runs it over a whole export or
//! mirror.
//!
//! The [`Auditor`] is the core of `sijill verify`. Its caller reads `entries.jsonl`
//! and hands each line to [`Auditor::push`]; at the end it reads the checkpoint and calls
//! [`Auditor::finish`]. Three things are left to the caller on purpose, because they need
//! I/O or threads ([`export`] does them for a whole export, reading through the caller's
//! [`export::ExportFiles`]):
//!
//! - **Signatures.** `push` returns the signatures an entry needs as [`SigCheck`]s instead
//!   of verifying them, so the caller can batch-verify thousands at once on every core
//!   ([`first_invalid`] verifies one batch). Checks come out in the order the format lists
//!   them, so the first invalid one, compared with the first structural [`Failure`], tells
//!   which failure comes first in the log.
//! - **Documents.** [`Auditor::take_named_documents`] hands out the documents entries name
//!   as they are read; the caller hashes the files and reports the ones missing or altered
//!   with [`Auditor::document_problem`]. A problem counts only if no entry, before or after,
//!   withholds the document, so [`Auditor::finish`] decides.
//! - **The checkpoint note**, read by the caller and passed to [`Auditor::finish`].
//!
//! Parsing a line is most of the work and needs no earlier entry, so a caller with several
//! cores can run [`ParsedLine::new`] on many lines at once and hand the results, in order,
//! to [`Auditor::push_parsed`]; [`Auditor::push`] does both for one line.
//!
//! What `push` checks at line `i`, in this order (the first failure wins): the line is an
//! entry in canonical form with `index` equal to `i`; its log signature; `seq` and `prev`
//! continue its stream; `recorded_at` never decreases; entry 0 is the genesis and names its
//! log key; for an entry with `auth`, the actor's signature, the origin, the stream,
//! the body within `data`, the nonce, the five-minute window, the key's registration and
//! the role table; for an entry with `auth_at`, that it continues the command of the signed
//! entry it points to; registry entries come from the command that makes them; a
//! `LogKeyRotated` entry's members, then the new key's signature of the rotation
//! (`docs/key-rotation.md`); and `data.documents` / `data.withheld` are lists of SHA-256
//! hashes.
//!
//! **Log keys.** The genesis names the first log key in `data.log_key`; each
//! `LogKeyRotated` entry names the next one, in a [`LogKeyChain`]. Every entry's log
//! signature is checked against the key in force at its index: a rotation entry is signed
//! by the key before it, the entries after it by the new key, which also signed the
//! rotation message naming the tree hash of every entry before the rotation.
//!
//! **Trust** is decided at the checkpoint, not at the genesis, because a verifier that
//! knows only a later key must still verify the history before it. The checkpoint must be
//! signed by a trusted key or by a key that a trusted key (transitively) rotated to; a key
//! of the chain older than every trusted key may not sign it, else a thief of an old key
//! could cut the log at a rotation, or present a history whose newer keys the verifier
//! has never heard of, and have it accepted under that old key. Trusting only the new key
//! still anchors the whole history: its signature of the rotation covers the root of the
//! entries before it. A log whose chain holds no trusted key fails at index 0 (`genesis
//! log_key is not a trusted log key`), reported by [`Auditor::finish`] after every failure
//! of the entries themselves.
//!
//! Memory grows with the number of streams, registered keys, statements (their nonces) and
//! withheld documents, never with the number or size of other entries: named documents are
//! handed out as they come and only problems are kept, and the Merkle tree is kept as a
//! [`Frontier`] of at most 64 hashes.

pub mod export;
pub mod indicators;
mod mirror;
mod registry;
mod signature;
mod signed_bytes;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::Value;
use sha2::{Digest, Sha256};

use domain::names::{command, event, stream};
use ledger::checkpoint::Checkpoint;
use ledger::entry::{Entry, EntryError, SignedEntry, MAX_ENTRY_BYTES};
use ledger::hash::{from_hex, to_hex, Hash, ZERO_HASH};
use ledger::merkle::{Frontier, NodeId};
use ledger::note::VerifierKey;
use ledger::roles;
use ledger::rotation::{LogKeyChain, Rotation, ROTATION_COMMAND, ROTATION_EVENT, ROTATION_STREAM};
use ledger::statement::{body_within_data, ActorKeys, MAX_CLOCK_SKEW_MS};
use ledger::timestamp::Timestamp;

use registry::Registry;
pub use signature::{first_invalid, SigCheck, SigKind};

/// Stream of the genesis entry.
pub const GENESIS_STREAM: &str = "registry/admin";

/// The first place where a log breaks the contract.
///
/// Displays as `index I: reason`, the line `sijill verify` prints. For the checkpoint,
/// `index` is the number of entries and `reason` starts with `checkpoint: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Index of the offending entry (the number of entries for checkpoint failures).
    pub index: u64,
    /// A short lowercase phrase saying what is wrong.
    pub reason: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "index {}: {}", self.index, self.reason)
    }
}

impl std::error::Error for Failure {}

/// What a successful verification proves: the first `size` entries have this Merkle root,
/// and a trusted log key signed a checkpoint saying so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// Number of entries.
    pub size: u64,
    /// RFC 9162 Merkle tree hash of all entries.
    pub root: Hash,
}

/// What is wrong with a document file of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentProblem {
    /// No file `documents/<sha256>`.
    Missing,
    /// The file's SHA-256 is not its name.
    Altered,
}

impl DocumentProblem {
    /// The end of the failure's reason, after `document <sha256> `.
    pub fn reason(self) -> &'static str {
        match self {
            DocumentProblem::Missing => "missing",
            DocumentProblem::Altered => "does not match its hash",
        }
    }
}

/// One line of `entries.jsonl` with the work done that needs no earlier entry: parsing,
/// the canonical-form check, the bytes each signature covers and the Merkle leaf hash.
///
/// Built by [`ParsedLine::new`], possibly on many threads, then handed in log order to
/// [`Auditor::push_parsed`]. A line that does not parse is kept as its failure's reason, to
/// be reported at its index.
#[derive(Debug)]
pub struct ParsedLine(Result<Parsed, String>);

impl ParsedLine {
    /// Parses one line of `entries.jsonl`, given without its line feed.
    pub fn new(line: &[u8]) -> Self {
        Self::with_keys(line, &mut ActorKeys::default())
    }

    /// [`ParsedLine::new`], decoding actor keys through `keys`, which a thread reading many
    /// lines keeps for all of them.
    pub fn with_keys(line: &[u8], keys: &mut ActorKeys) -> Self {
        ParsedLine(Self::parse(line, keys))
    }

    fn parse(line: &[u8], keys: &mut ActorKeys) -> Result<Parsed, String> {
        // Checked before parsing so a hostile line costs no parsing work.
        if line.len() > MAX_ENTRY_BYTES {
            return Err(format!("entry longer than {MAX_ENTRY_BYTES} bytes"));
        }
        let signed = SignedEntry::parse_with(line, keys).map_err(entry_reason)?;
        let signing_bytes = signed_bytes::unsigned_entry(&signed).map_err(entry_reason)?;
        let statement_bytes = signed_bytes::statement(&signed);
        let leaf_hash = signed.leaf_hash();
        Ok(Parsed {
            signed,
            signing_bytes,
            statement_bytes,
            leaf_hash,
        })
    }
}

/// Replays a log, one entry at a time; see the [module documentation](self).
///
/// Once [`push`](Auditor::push) has failed, the auditor keeps that failure: later calls to
/// `push` and `finish` return it again, since the state after a bad entry means nothing.
#[derive(Debug)]
pub struct Auditor {
    /// The note verifier keys the caller trusts.
    trusted: Vec<VerifierKey>,
    /// The log's keys and origin, from the genesis entry and the rotations.
    log: Option<LogIdentity>,
    /// Right edge of the Merkle tree of the entries accepted so far; its size is the
    /// number of entries accepted, so also the index the next line must carry.
    frontier: Frontier,
    /// Scratch space that [`Frontier::append`] fills; kept to avoid an allocation per entry.
    completed: Vec<(NodeId, Hash)>,
    /// `recorded_at` of the last entry.
    last_recorded_at: Option<Timestamp>,
    /// Per stream: where its chain stands and which command is open on it.
    streams: HashMap<String, StreamState>,
    /// Keys, roles and revocations.
    registry: Registry,
    /// SHA-256(actor key || nonce) of every statement seen. A hash rather than the pair
    /// keeps each record at 32 bytes whatever the nonce's length; both parts have a fixed
    /// or known length in that order, so distinct pairs cannot collide short of SHA-256.
    nonces: HashSet<Hash>,
    /// Documents named in `data.documents` since the caller last took them, with the index
    /// naming them.
    named: Vec<(u64, Hash)>,
    /// Documents the caller found missing or altered, with the first index naming each,
    /// until an entry withholds them.
    document_problems: HashMap<Hash, (u64, DocumentProblem)>,
    /// Documents named in any `data.withheld` so far.
    withheld: HashSet<Hash>,
    /// The failure that stopped the replay, if any.
    failed: Option<Failure>,
}

/// What the genesis entry fixes for the whole log, and the keys rotations added.
#[derive(Debug)]
struct LogIdentity {
    chain: LogKeyChain,
    origin: String,
}

/// Where one stream stands.
#[derive(Debug)]
struct StreamState {
    /// `seq` of its last entry.
    seq: u64,
    /// `entry_hash` of its last entry, which the next one's `prev` must equal.
    head: Hash,
    /// The signed command whose entries the stream is in the middle of, if its last entry
    /// was one of them.
    command: Option<OpenCommand>,
}

/// A signed command, as seen by the `auth_at` entries that follow its first one.
#[derive(Debug, Clone, Copy)]
struct OpenCommand {
    /// Index of the entry carrying `auth`.
    auth_index: u64,
    /// Its `recorded_at`, shared by every entry of the command.
    recorded_at: Timestamp,
    /// Its command name (one of [`roles::COMMANDS`]).
    command: &'static str,
}

/// The parts of a line that [`Auditor::replay`] uses.
#[derive(Debug)]
struct Parsed {
    signed: SignedEntry,
    /// canonical(entry without `sig`): what the log key signed.
    signing_bytes: Vec<u8>,
    /// canonical(auth.statement), when the entry has `auth`: what the actor signed.
    statement_bytes: Option<Vec<u8>>,
    leaf_hash: Hash,
}

impl Auditor {
    /// An auditor trusting these log keys (from `log.pub` or `--log-key`).
    pub fn new(log_keys: Vec<VerifierKey>) -> Self {
        Auditor {
            trusted: log_keys,
            log: None,
            frontier: Frontier::new(),
            completed: Vec::new(),
            last_recorded_at: None,
            streams: HashMap::new(),
            registry: Registry::default(),
            nonces: HashSet::new(),
            named: Vec::new(),
            document_problems: HashMap::new(),
            withheld: HashSet::new(),
            failed: None,
        }
    }

    /// Number of entries accepted so far, which is also the index the next line must have.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The log's keys so far, oldest first, with the first index each signs; `None` before
    /// the genesis is accepted.
    pub fn log_keys(&self) -> Option<&LogKeyChain> {
        self.log.as_ref().map(|log| &log.chain)
    }

    /// The keys that may sign a checkpoint of the entries pushed so far: the first key of
    /// the chain that the caller trusts (compared as verifier key strings) and every key
    /// after it. Empty when the chain holds no trusted key (or before the genesis). A
    /// monitor opens later checkpoints with these.
    pub fn checkpoint_keys(&self) -> Vec<VerifierKey> {
        let Some(log) = &self.log else {
            return Vec::new();
        };
        let trusted: Vec<String> = self.trusted.iter().map(ToString::to_string).collect();
        let spans = log.chain.spans();
        spans
            .iter()
            .position(|(_, key)| trusted.contains(&key.to_string()))
            .map(|first| spans[first..].iter().map(|(_, key)| key.clone()).collect())
            .unwrap_or_default()
    }

    /// Replays one line of `entries.jsonl`, given without its line feed.
    ///
    /// Structural and registry checks happen here; the signatures the entry needs are
    /// appended to `sigs` (its log signature, then the actor's signature of `auth`, then for
    /// a rotation the new key's `log_key_sig`), for the caller to verify. When this returns a failure, the checks appended for this entry are
    /// exactly those that come before the failing check, so the caller still has to verify
    /// them (and all earlier ones) to know which failure comes first.
    ///
    /// Same as `push_parsed(ParsedLine::new(line), sigs)`.
    ///
    /// # Errors
    /// The first rule of `docs/spec/ledger-format.md` this entry breaks, with its index.
    pub fn push(&mut self, line: &[u8], sigs: &mut Vec<SigCheck>) -> Result<(), Failure> {
        self.push_parsed(ParsedLine::new(line), sigs)
    }

    /// [`push`](Auditor::push) for a line already parsed by [`ParsedLine::new`], which a
    /// caller may run on many lines in parallel: parsing is most of the work per entry, and
    /// only what remains here depends on the entries before.
    ///
    /// # Errors
    /// As [`push`](Auditor::push), including the parsing failures `ParsedLine::new` kept.
    pub fn push_parsed(
        &mut self,
        line: ParsedLine,
        sigs: &mut Vec<SigCheck>,
    ) -> Result<(), Failure> {
        if let Some(failure) = &self.failed {
            return Err(failure.clone());
        }
        let index = self.size();
        line.0
            .and_then(|parsed| self.replay(index, parsed, sigs))
            .map_err(|reason| {
                let failure = Failure { index, reason };
                self.failed = Some(failure.clone());
                failure
            })
    }

    /// The documents named by the entries pushed since the last call, with the index of
    /// the entry naming each, in index order; documents already withheld are left out. The
    /// caller checks that each is in the export with that hash, and reports those that are
    /// not with [`document_problem`](Auditor::document_problem). Names accumulate until
    /// taken, so a caller takes them regularly, even one that does not check documents.
    pub fn take_named_documents(&mut self) -> Vec<(u64, Hash)> {
        std::mem::take(&mut self.named)
    }

    /// Records that the document `hash`, named at `index`, is missing from the export or
    /// does not match its hash. [`finish`](Auditor::finish) reports the problem with the
    /// lowest index, unless an entry withholds the document (withheld documents are not
    /// exported).
    pub fn document_problem(&mut self, index: u64, hash: Hash, problem: DocumentProblem) {
        if self.withheld.contains(&hash) {
            return;
        }
        let kept = self
            .document_problems
            .entry(hash)
            .or_insert((index, problem));
        if index < kept.0 {
            *kept = (index, problem);
        }
    }

    /// The document problem with the lowest index among documents no entry has withheld so
    /// far, as the failure [`finish`](Auditor::finish) reports; for a caller that must
    /// report it before a checkpoint it cannot even read.
    pub fn document_failure(&self) -> Option<Failure> {
        self.document_problems
            .iter()
            .min_by_key(|(hash, (index, _))| (*index, **hash))
            .map(|(hash, (index, problem))| Failure {
                index: *index,
                reason: format!("document {} {}", to_hex(hash), problem.reason()),
            })
    }

    /// Checks the signed checkpoint against everything pushed, and returns what was verified.
    ///
    /// # Errors
    /// A failure kept from [`push`](Auditor::push); `index 0` when no entry was pushed;
    /// the first [`document_problem`](Auditor::document_problem) of a document no entry
    /// withholds, as `index I: document <sha256> missing` (or `does not match its hash`);
    /// `index 0: genesis log_key is not a trusted log key` when no key of the log's chain is
    /// trusted; otherwise `index N: checkpoint: <reason>` when the note is not signed by one
    /// of the [`checkpoint_keys`](Auditor::checkpoint_keys), or its origin, size or root
    /// differ from the log's.
    pub fn finish(self, checkpoint_note: &str) -> Result<Verified, Failure> {
        self.check_checkpoint(checkpoint_note)
    }

    /// [`finish`](Auditor::finish) without ending the replay: a monitor that follows a
    /// growing log checks each new checkpoint against the entries pushed so far, then
    /// pushes the next ones.
    ///
    /// # Errors
    /// As [`finish`](Auditor::finish).
    pub fn check_checkpoint(&self, checkpoint_note: &str) -> Result<Verified, Failure> {
        if let Some(failure) = &self.failed {
            return Err(failure.clone());
        }
        if let Some(failure) = self.document_failure() {
            return Err(failure);
        }
        let size = self.size();
        let Some(log) = &self.log else {
            return Err(Failure {
                index: 0,
                reason: "no genesis entry: the log is empty".to_owned(),
            });
        };
        let keys = self.checkpoint_keys();
        if keys.is_empty() {
            return Err(Failure {
                index: 0,
                reason: "genesis log_key is not a trusted log key".to_owned(),
            });
        }
        let fail = |reason: String| Failure {
            index: size,
            reason: format!("checkpoint: {reason}"),
        };
        let checkpoint =
            Checkpoint::open(checkpoint_note, &keys).map_err(|e| fail(e.to_string()))?;
        if checkpoint.origin != log.origin {
            return Err(fail(format!(
                "origin {} is not the log's origin",
                shown(&checkpoint.origin)
            )));
        }
        if checkpoint.size != size {
            return Err(fail(format!(
                "tree size {} but the log has {size} entries",
                checkpoint.size
            )));
        }
        let root = self.frontier.root();
        if checkpoint.root != root {
            return Err(fail("root mismatch".to_owned()));
        }
        Ok(Verified { size, root })
    }

    /// The checks of one parsed line that depend on the entries before it; the error is
    /// the reason only, [`push_parsed`](Auditor::push_parsed) adds the index.
    fn replay(
        &mut self,
        index: u64,
        parsed: Parsed,
        sigs: &mut Vec<SigCheck>,
    ) -> Result<(), String> {
        let Parsed {
            signed,
            signing_bytes,
            statement_bytes,
            leaf_hash,
        } = parsed;
        let entry = &signed.entry;
        if entry.index != index {
            return Err(format!("index member is {}", entry.index));
        }

        // Entry 0 names the log key that signs it, so the key must be read before its
        // signature can be queued; later entries are signed by the key in force (only its
        // public key is copied: this runs for every entry of the log).
        let genesis_key = match &self.log {
            Some(_) => None,
            None => Some(genesis_log_key(entry)?),
        };
        let signing_key = match (&self.log, &genesis_key) {
            (Some(log), _) => log.chain.key_at(index).key,
            (None, Some(key)) => key.key,
            (None, None) => return Err("no log key".to_owned()),
        };
        sigs.push(SigCheck {
            index,
            kind: SigKind::Log,
            key: signing_key,
            message: signing_bytes,
            sig: signed.sig,
        });

        let stream = self.streams.get(&entry.stream);
        let expected_seq = stream.map_or(1, |s| s.seq.saturating_add(1));
        if entry.seq != expected_seq {
            return Err(format!(
                "seq {} on stream {}, expected {expected_seq}",
                entry.seq,
                shown(&entry.stream)
            ));
        }
        let expected_prev = stream.map_or(ZERO_HASH, |s| s.head);
        if entry.prev != expected_prev {
            return Err(format!(
                "prev does not match the previous entry of stream {}",
                shown(&entry.stream)
            ));
        }
        if self
            .last_recorded_at
            .is_some_and(|last| entry.recorded_at < last)
        {
            return Err("recorded_at decreases".to_owned());
        }

        if let Some(key) = genesis_key {
            self.genesis(entry, key)?;
        }
        let command = self.authority(index, entry, statement_bytes, sigs)?;
        let new_log_key = if index > 0 {
            self.registry_event(index, entry, command, sigs)?
        } else {
            None
        };
        self.collect_documents(index, &entry.data)?;

        // Every check passed: record the entry.
        let open = match (&entry.auth, command) {
            (Some(_), Some(command)) => Some(OpenCommand {
                auth_index: index,
                recorded_at: entry.recorded_at,
                command,
            }),
            // An `auth_at` entry keeps its command open for the next one.
            (None, Some(_)) => self.streams.get(&entry.stream).and_then(|s| s.command),
            _ => None,
        };
        let state = StreamState {
            seq: entry.seq,
            head: signed.hash,
            command: open,
        };
        match self.streams.get_mut(&entry.stream) {
            Some(existing) => *existing = state,
            None => {
                self.streams.insert(entry.stream.clone(), state);
            }
        }
        self.last_recorded_at = Some(entry.recorded_at);
        if let (Some(key), Some(log)) = (new_log_key, &mut self.log) {
            log.chain.push(index, key);
        }
        self.completed.clear();
        self.frontier.append(leaf_hash, &mut self.completed);
        Ok(())
    }

    /// Entry 0: the genesis administrator's registration, which fixes the log's origin and
    /// its first key. Whether that key is trusted is decided at the checkpoint.
    fn genesis(&mut self, entry: &Entry, log_key: VerifierKey) -> Result<(), String> {
        if entry.stream != GENESIS_STREAM
            || entry.event_type != event::ACTOR_REGISTERED
            || entry.auth.is_some()
            || entry.auth_at.is_some()
        {
            return Err(format!(
                "entry 0 is not the genesis (an unsigned ActorRegistered on {GENESIS_STREAM})"
            ));
        }
        let data = &entry.data;
        if data.get("name").and_then(Value::as_str).is_none() {
            return Err("genesis data.name is missing".to_owned());
        }
        if data.get("roles") != Some(&serde_json::json!(["admin"])) {
            return Err("genesis data.roles is not [\"admin\"]".to_owned());
        }
        let origin = data
            .get("origin")
            .and_then(Value::as_str)
            .ok_or("genesis data.origin is missing")?;
        // The checkpoint's key name must equal the origin, so a genesis naming another
        // origin than its own key's name could never be checkpointed.
        if log_key.name != origin {
            return Err("genesis origin is not the log key's name".to_owned());
        }
        self.registry.register(0, &entry.stream, data)?;
        self.log = Some(LogIdentity {
            chain: LogKeyChain::new(log_key),
            origin: origin.to_owned(),
        });
        Ok(())
    }

    /// The `auth` or `auth_at` rules; returns the entry's command, or `None` for an entry
    /// made without a key (the genesis, public submissions).
    fn authority(
        &mut self,
        index: u64,
        entry: &Entry,
        statement_bytes: Option<Vec<u8>>,
        sigs: &mut Vec<SigCheck>,
    ) -> Result<Option<&'static str>, String> {
        if let Some(auth) = &entry.auth {
            let statement = &auth.statement;
            sigs.push(SigCheck {
                index,
                kind: SigKind::Actor,
                key: auth.actor,
                message: statement_bytes.unwrap_or_else(|| statement.canonical_bytes()),
                sig: auth.sig,
            });
            let origin = self.log.as_ref().map_or("", |log| log.origin.as_str());
            if statement.origin != origin {
                return Err(format!(
                    "statement origin {} is not the log's origin",
                    shown(&statement.origin)
                ));
            }
            if statement.stream != entry.stream {
                return Err("statement stream is not the entry's stream".to_owned());
            }
            if !body_within_data(&statement.body, &entry.data) {
                return Err(match first_changed_member(&statement.body, &entry.data) {
                    Some(name) => format!("body member {} differs in data", shown(name)),
                    None => "data does not carry the statement body".to_owned(),
                });
            }
            let mut nonce_key = Sha256::new();
            nonce_key.update(auth.actor.as_bytes());
            nonce_key.update(statement.nonce.as_bytes());
            if !self.nonces.insert(nonce_key.finalize().into()) {
                return Err("nonce already used by this actor".to_owned());
            }
            let skew = entry
                .recorded_at
                .millis()
                .abs_diff(statement.issued_at().millis());
            if skew > MAX_CLOCK_SKEW_MS.unsigned_abs() {
                return Err("recorded_at more than 5 minutes from issued_at".to_owned());
            }
            let command = roles::COMMANDS
                .iter()
                .copied()
                .find(|known| *known == statement.command)
                .ok_or_else(|| format!("unknown command {}", shown(&statement.command)))?;
            self.registry.authorize(&auth.actor, command)?;
            Ok(Some(command))
        } else if let Some(at) = entry.auth_at {
            if at >= index {
                return Err(format!("auth_at {at} is not an earlier entry"));
            }
            let open = self
                .streams
                .get(&entry.stream)
                .and_then(|s| s.command)
                .filter(|open| open.auth_index == at)
                .ok_or_else(|| {
                    format!(
                        "auth_at {at} is not the signed entry of the command open on stream {}",
                        shown(&entry.stream)
                    )
                })?;
            if entry.recorded_at != open.recorded_at {
                return Err(format!("recorded_at differs from entry {at}'s"));
            }
            Ok(Some(open.command))
        } else {
            Ok(None)
        }
    }

    /// Registry entries after the genesis: each must come from the command that makes it,
    /// on a stream of the right type, and `ActorRegistered` / `ActorRevoked` update the keys.
    /// A rotation is checked by [`rotation`](Auditor::rotation); its new key is returned,
    /// for the caller to add to the chain once every check of the entry has passed.
    fn registry_event(
        &mut self,
        index: u64,
        entry: &Entry,
        command: Option<&'static str>,
        sigs: &mut Vec<SigCheck>,
    ) -> Result<Option<VerifierKey>, String> {
        if entry.event_type == ROTATION_EVENT
            || entry.stream == ROTATION_STREAM
            || command == Some(ROTATION_COMMAND)
        {
            return self.rotation(index, entry, command, sigs).map(Some);
        }
        let (required, prefix) = match entry.event_type.as_str() {
            event::ACTOR_REGISTERED => (command::REGISTER_ACTOR, stream::REGISTRY),
            event::ACTOR_REVOKED => (command::REVOKE_ACTOR, stream::REGISTRY),
            event::INSTITUTION_REGISTERED => (command::REGISTER_INSTITUTION, stream::INSTITUTION),
            _ => return Ok(None),
        };
        let prefix = format!("{prefix}/");
        if command != Some(required) {
            return Err(format!(
                "{} not made by a {required} command",
                entry.event_type
            ));
        }
        if !entry.stream.starts_with(&prefix) || entry.stream.len() == prefix.len() {
            return Err(format!(
                "{} on stream {}, not {prefix}<id>",
                entry.event_type,
                shown(&entry.stream)
            ));
        }
        match entry.event_type.as_str() {
            event::ACTOR_REGISTERED => self.registry.register(index, &entry.stream, &entry.data)?,
            event::ACTOR_REVOKED => self.registry.revoke(index, &entry.stream)?,
            _ => {}
        }
        Ok(None)
    }

    /// An entry of a `RotateLogKey` command, of type `LogKeyRotated`, or on stream
    /// `log/key`: it must be all three, the command's only entry (so it carries `auth`),
    /// version 1, and its data must chain onto the key in force (docs/key-rotation.md).
    /// Queues the new key's signature of the rotation message and returns the new key.
    fn rotation(
        &self,
        index: u64,
        entry: &Entry,
        command: Option<&'static str>,
        sigs: &mut Vec<SigCheck>,
    ) -> Result<VerifierKey, String> {
        if entry.event_type != ROTATION_EVENT {
            return Err(if command == Some(ROTATION_COMMAND) {
                format!("a {ROTATION_COMMAND} command makes one {ROTATION_EVENT} entry only")
            } else {
                format!("stream {ROTATION_STREAM} holds only {ROTATION_EVENT} entries")
            });
        }
        if command != Some(ROTATION_COMMAND) {
            return Err(format!(
                "{ROTATION_EVENT} not made by a {ROTATION_COMMAND} command"
            ));
        }
        if entry.auth.is_none() {
            return Err(format!(
                "a {ROTATION_COMMAND} command makes one {ROTATION_EVENT} entry only"
            ));
        }
        if entry.stream != ROTATION_STREAM {
            return Err(format!(
                "{ROTATION_EVENT} on stream {}, not {ROTATION_STREAM}",
                shown(&entry.stream)
            ));
        }
        if entry.version != "1" {
            return Err(format!(
                "{ROTATION_EVENT} version {} is not 1",
                shown(&entry.version)
            ));
        }
        let log = self
            .log
            .as_ref()
            .ok_or("no genesis entry before the rotation")?;
        let (rotation, sig) = Rotation::from_data(&log.origin, &entry.data)?;
        if rotation.previous_log_key != *log.chain.current() {
            return Err("previous_log_key is not the log key in force".to_owned());
        }
        if rotation.tree_size != index {
            return Err(format!(
                "tree_size {} is not the rotation's index",
                rotation.tree_size
            ));
        }
        if rotation.root != self.frontier.root() {
            return Err("root is not the tree hash of the entries before it".to_owned());
        }
        if rotation.log_key.name != log.origin {
            return Err("log_key's name is not the log's origin".to_owned());
        }
        if log.chain.contains(&rotation.log_key) {
            return Err("log_key was used before".to_owned());
        }
        sigs.push(SigCheck {
            index,
            kind: SigKind::Rotation,
            key: rotation.log_key.key,
            message: rotation.message(),
            sig,
        });
        Ok(rotation.log_key)
    }

    /// Hands out the documents an entry names, and remembers those it withholds.
    fn collect_documents(&mut self, index: u64, data: &Value) -> Result<(), String> {
        let named = hash_list(data, "documents")?;
        let withheld = hash_list(data, "withheld")?;
        for hash in named {
            if !self.withheld.contains(&hash) {
                self.named.push((index, hash));
            }
        }
        for hash in withheld {
            self.document_problems.remove(&hash);
            self.withheld.insert(hash);
        }
        Ok(())
    }
}

/// The log key that entry 0 names in `data.log_key`.
fn genesis_log_key(entry: &Entry) -> Result<VerifierKey, String> {
    let named = entry
        .data
        .get("log_key")
        .and_then(Value::as_str)
        .ok_or("genesis data.log_key is missing")?;
    VerifierKey::parse(named)
        .map_err(|_| "genesis data.log_key is not a note verifier key".to_owned())
}

/// The reason for an entry that does not parse, saying "entry" once.
fn entry_reason(error: EntryError) -> String {
    let text = error.to_string();
    if text.starts_with("entry") {
        text
    } else {
        format!("entry: {text}")
    }
}

/// `data.<member>` as a list of SHA-256 hashes (lowercase hex); empty when absent.
fn hash_list(data: &Value, member: &str) -> Result<Vec<Hash>, String> {
    let Some(list) = data.get(member) else {
        return Ok(Vec::new());
    };
    let bad = || format!("data.{member} is not an array of lowercase hex SHA-256 hashes");
    list.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|item| item.as_str().and_then(from_hex).ok_or_else(bad))
        .collect()
}

/// The first member of `body` that `data` lacks or holds with another value, to name it in
/// the failure.
fn first_changed_member<'a>(body: &'a Value, data: &Value) -> Option<&'a str> {
    body.as_object()?
        .iter()
        .find(|(name, value)| data.get(name.as_str()) != Some(*value))
        .map(|(name, _)| name.as_str())
}

/// A string from the log, made safe to put in a one-line reason: control characters and
/// quotes escaped, and cut after 100 characters, since the log may be hostile.
fn shown(text: &str) -> String {
    const LIMIT: usize = 100;
    let mut out: String = text
        .chars()
        .take(LIMIT)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(LIMIT).is_some() {
        out.push('…');
    }
    out
}
