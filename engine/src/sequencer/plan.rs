//! The batch planner: decides a whole batch of append requests from what was read under
//! the lock, and says what the append transaction writes.
//!
//! *Invariant*: [`plan`] is a pure function. It does no I/O, reads no clock, awaits
//! nothing and holds no reply channel: the sequencer's async shell reads the [`Head`]
//! under the lock (with `recorded_at` already fixed), hands in what its memory knows as
//! [`Facts`], writes the [`Write`] the plan holds, commits, and only then remembers the
//! entries and answers each request with its [`Outcome`], in request order. The same
//! head, facts and requests always give the same plan (signatures are deterministic
//! Ed25519).

use std::collections::{HashMap, HashSet};

use domain::guards;
use ledger::merkle::{Frontier, NodeId};
use ledger::note::VerifierKey;
use ledger::rotation::{LogKeyChain, Rotation, ROTATION_EVENT};
use ledger::statement::{body_within_data, MAX_CLOCK_SKEW_MS};
use ledger::{Auth, Checkpoint, Entry, Hash, SignedEntry, Timestamp};
use serde_json::Value;
use store::{ClientTokenRow, DocumentAvailability, EventRow, NewDocument, NonceRow, StateRow};

use super::documents::{check_documents, BatchDocuments};
use super::recent::{RecentAppends, StreamHead};
use super::{AppendError, AppendRequest, Appended, AppendedEntry, Numbered, PendingEvent};
use crate::log_keys::LogKeyRing;
use crate::registry_state::{ActorRecord, Registry, SharedRegistry};

/// What the append transaction read under the lock, as of the log's head.
#[derive(Debug)]
pub(crate) struct Head {
    /// The Merkle frontier at the tree size the lock holds; the plan extends it.
    pub frontier: Frontier,
    /// The `recorded_at` of every entry of the batch, fixed by the caller.
    pub recorded_at: Timestamp,
    /// The log's keys as of the head (`None` before the genesis); the plan follows the
    /// batch's rotations on it.
    pub chain: Option<LogKeyChain>,
    /// Client tokens of this batch that earlier commands used, with their receipts.
    pub taken_tokens: HashMap<(String, String), String>,
    /// Which documents the batch's commands name were stored or withheld before it.
    pub availability: DocumentAvailability,
    /// The state row's origin and genesis log key (`None` before the genesis).
    pub origin: Option<String>,
    pub log_key: Option<String>,
}

/// Registered keys as of the head.
pub(crate) trait Actors {
    /// A key's record, revoked or not.
    fn actor(&self, public_key: &str) -> Option<ActorRecord>;
}

impl Actors for SharedRegistry {
    fn actor(&self, public_key: &str) -> Option<ActorRecord> {
        SharedRegistry::actor(self, public_key)
    }
}

impl Actors for Registry {
    fn actor(&self, public_key: &str) -> Option<ActorRecord> {
        Registry::actor(self, public_key).cloned()
    }
}

/// What the process's memory knows, consulted but not changed by the plan.
pub(crate) struct Facts<'a> {
    /// Stream heads, changed guard keys and nonces of recent appends.
    pub recent: &'a RecentAppends,
    pub actors: &'a dyn Actors,
    /// The log's private keys; only those already loaded are used.
    pub keys: &'a LogKeyRing,
    /// The log's origin, which names its keys and checkpoints.
    pub origin: &'a str,
}

/// What becomes of one request.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Its entries are in the plan's write; answered once it is committed.
    Accepted(Appended),
    /// Refused: nothing of it is written; answered at once.
    Refused(AppendError),
    /// It lost a race (a conflict, or a time window the lock's `recorded_at` misses):
    /// answered once the batch is settled, so that its retry reads facts that include the
    /// commands that beat it.
    RetryAfterBatch(AppendError),
}

/// A decided batch: one outcome per request, in request order, and what to write.
#[derive(Debug)]
pub(crate) struct Plan {
    pub outcomes: Vec<Outcome>,
    /// `None` when no request was accepted: nothing to write, the lock is released.
    pub write: Option<Write>,
}

/// Everything the append transaction writes for the accepted requests, and what memory
/// learns from it after the commit.
#[derive(Debug)]
pub(crate) struct Write {
    pub rows: Vec<EventRow>,
    pub nodes: Vec<(NodeId, Hash)>,
    pub nonces: Vec<NonceRow>,
    /// For each of `nonces`, the index of the first entry of its command.
    pub nonces_at: Vec<u64>,
    /// Documents named by the batch's entries, with the entry.
    pub documents: Vec<(String, u64)>,
    /// Documents withheld by entries of this batch (`data.withheld`), with the entry.
    pub withheld: Vec<(String, u64)>,
    pub tokens: Vec<ClientTokenRow>,
    /// Bytes carried by the accepted commands.
    pub new_documents: Vec<NewDocument>,
    /// The batch's entries in log order, with their entry hashes.
    pub entries: Vec<(Entry, Hash)>,
    /// For each of `entries`, the id of the request that wrote it.
    pub writers: Vec<u64>,
    pub state: StateRow,
    /// The checkpoint of the new head, to be signed with `chain`.
    pub checkpoint: Checkpoint,
    /// The log's keys after the batch's rotations.
    pub chain: Option<LogKeyChain>,
}

impl Write {
    /// Records the committed batch's stream heads (with the request that wrote each),
    /// guard keys and nonces in the sequencer's memory of recent appends.
    pub(crate) fn remember_in(&self, recent: &mut RecentAppends) {
        for ((entry, hash), writer) in self.entries.iter().zip(&self.writers) {
            let head = StreamHead {
                seq: entry.seq,
                hash: *hash,
                index: entry.index,
                writer: std::num::NonZeroU64::new(*writer),
            };
            recent.record_stream(&entry.stream, head);
            recent.record_guards(entry);
        }
        for (n, first) in self.nonces.iter().zip(&self.nonces_at) {
            let response = Some(n.response.clone());
            recent.record_nonce(&n.actor, &n.nonce, n.statement_hash, response, *first);
        }
    }
}

/// Decides `requests`, in order, on `head` and `facts`.
pub(crate) fn plan(head: Head, requests: &[Numbered], facts: &Facts<'_>) -> Plan {
    let Head {
        mut frontier,
        recorded_at,
        chain,
        taken_tokens,
        availability,
        origin,
        log_key,
    } = head;
    let mut work = BatchWork::new(recorded_at, chain, taken_tokens, availability);
    let planner = Planner { facts };
    let outcomes: Vec<Outcome> = requests
        .iter()
        .map(|Numbered { id, request }| {
            match planner.decide(*id, request, &mut work, &mut frontier) {
                Ok(appended) => Outcome::Accepted(appended),
                Err(e @ (AppendError::Conflict | AppendError::OutsideWindow)) => {
                    Outcome::RetryAfterBatch(e)
                }
                Err(e) => Outcome::Refused(e),
            }
        })
        .collect();
    if work.entries.is_empty() {
        return Plan {
            outcomes,
            write: None,
        };
    }
    let state = StateRow {
        origin: origin.or_else(|| Some(facts.origin.to_owned())),
        // The genesis key, as the genesis entry names it; the key in force is the
        // registry's (rotations are entries).
        log_key: log_key.or_else(|| Some(facts.keys.genesis_verifier().to_owned())),
        tree_size: frontier.size(),
        frontier: frontier.to_bytes(),
        last_recorded_at: Some(recorded_at.to_entry_string()),
    };
    let checkpoint = Checkpoint {
        origin: facts.origin.to_owned(),
        size: frontier.size(),
        root: frontier.root(),
    };
    let write = Write {
        rows: work.rows,
        nodes: work.nodes,
        nonces: work.nonce_rows,
        nonces_at: work.nonces_at,
        documents: work.documents,
        withheld: work.withheld,
        tokens: work.tokens,
        new_documents: work.new_documents,
        entries: work.entries,
        writers: work.writers,
        state,
        checkpoint,
        chain: work.chain,
    };
    Plan {
        outcomes,
        write: Some(write),
    }
}

struct Planner<'f, 'a> {
    facts: &'f Facts<'a>,
}

/// What one batch writes, accumulated command by command.
struct BatchWork {
    recorded_at: Timestamp,
    rows: Vec<EventRow>,
    nodes: Vec<(NodeId, Hash)>,
    nonce_rows: Vec<NonceRow>,
    nonces_at: Vec<u64>,
    documents: Vec<(String, u64)>,
    withheld: Vec<(String, u64)>,
    availability: DocumentAvailability,
    new_documents: Vec<NewDocument>,
    taken_tokens: HashMap<(String, String), String>,
    /// Client tokens used by commands accepted earlier in this batch.
    batch_tokens: HashSet<(String, String)>,
    tokens: Vec<ClientTokenRow>,
    entries: Vec<(Entry, Hash)>,
    writers: Vec<u64>,
    /// Stream heads as this batch leaves them so far.
    heads: HashMap<String, StreamHead>,
    nonces: HashSet<(String, String)>,
    /// Keys registered or revoked earlier in this batch (the shared registry learns them
    /// at the commit). Small: copying the whole registry per batch made appends O(n).
    keys: HashMap<String, ActorRecord>,
    /// Guard keys (streams and derived keys) changed earlier in this batch.
    touched: HashSet<String>,
    /// The log's keys, with the rotations of this batch so far.
    chain: Option<LogKeyChain>,
}

impl BatchWork {
    fn new(
        recorded_at: Timestamp,
        chain: Option<LogKeyChain>,
        taken_tokens: HashMap<(String, String), String>,
        availability: DocumentAvailability,
    ) -> Self {
        Self {
            recorded_at,
            keys: HashMap::new(),
            touched: HashSet::new(),
            chain,
            rows: Vec::new(),
            nodes: Vec::new(),
            nonce_rows: Vec::new(),
            nonces_at: Vec::new(),
            documents: Vec::new(),
            withheld: Vec::new(),
            availability,
            new_documents: Vec::new(),
            taken_tokens,
            batch_tokens: HashSet::new(),
            tokens: Vec::new(),
            entries: Vec::new(),
            writers: Vec::new(),
            heads: HashMap::new(),
            nonces: HashSet::new(),
        }
    }

    fn add(
        &mut self,
        id: u64,
        request: &AppendRequest,
        signed: SignedEntry,
        appended: &mut Appended,
    ) {
        let entry = &signed.entry;
        self.touched.insert(entry.stream.clone());
        self.touched
            .extend(guards::touches(&entry.event_type, &entry.data));
        if let Some(docs) = entry.data.get("documents").and_then(Value::as_array) {
            for doc in docs.iter().filter_map(Value::as_str) {
                self.documents.push((doc.to_owned(), entry.index));
            }
        }
        // Read as the offline verifier reads it (audit/src): any entry's
        // `data.withheld` withholds, so server and verifier never disagree on a document.
        if let Some(docs) = entry.data.get("withheld").and_then(Value::as_array) {
            for doc in docs.iter().filter_map(Value::as_str) {
                // Once per entry: a second row would break the table's key and the batch.
                let row = (doc.to_owned(), entry.index);
                if !self.withheld.contains(&row) {
                    self.withheld.push(row);
                }
            }
        }
        self.rows.push(EventRow {
            aggregate_type: request.stream_type.to_owned(),
            aggregate_id: request.stream_id.clone(),
            sequence: entry.seq,
            event_type: entry.event_type.clone(),
            event_version: entry.version.clone(),
            payload: entry.data.to_string(),
            metadata: request.metadata.to_string(),
            log_index: entry.index,
            entry: signed.bytes.clone(),
            entry_hash: signed.hash,
            recorded_at: entry.recorded_at.to_entry_string(),
        });
        appended.entries.push(AppendedEntry {
            index: entry.index,
            stream: entry.stream.clone(),
            seq: entry.seq,
            event_type: entry.event_type.clone(),
            entry_hash: signed.hash,
            bytes: signed.bytes.clone(),
        });
        self.heads.insert(
            entry.stream.clone(),
            StreamHead {
                seq: entry.seq,
                hash: signed.hash,
                index: entry.index,
                writer: std::num::NonZeroU64::new(id),
            },
        );
        self.entries.push((signed.entry, signed.hash));
        self.writers.push(id);
    }
}

impl Planner<'_, '_> {
    /// Decides one command; on success its entries are part of the batch.
    fn decide(
        &self,
        id: u64,
        request: &AppendRequest,
        work: &mut BatchWork,
        frontier: &mut Frontier,
    ) -> Result<Appended, AppendError> {
        let recent = self.facts.recent;
        let stream = format!("{}/{}", request.stream_type, request.stream_id);
        // The stream's head as the log has it now.
        if request.checked_at < recent.floor() {
            return Err(AppendError::Conflict);
        }
        if let Some(token) = &request.client_token {
            let key = (request.stream_id.clone(), token.token.clone());
            if let Some(receipt) = work.taken_tokens.get(&key) {
                return Err(AppendError::AlreadyAppended(Some(receipt.clone())));
            }
            // Used earlier in this very batch: run again once it is settled, when the
            // receipt is committed (or the batch failed and the token is free again).
            if work.batch_tokens.contains(&key) {
                return Err(AppendError::Conflict);
            }
        }
        let head = work
            .heads
            .get(&stream)
            .copied()
            .or_else(|| recent.stream(&stream));
        let prev = match (request.after, head) {
            // Decided on what request `after` leaves: its last entry must be the head.
            (Some(after), Some(h))
                if h.writer.map(std::num::NonZeroU64::get) == Some(after)
                    && h.seq == request.loaded_seq =>
            {
                h.hash
            }
            (Some(_), _) => return Err(AppendError::Conflict),
            (None, Some(h)) if h.seq == request.loaded_seq && h.hash == request.loaded_hash => {
                h.hash
            }
            (None, Some(_)) => return Err(AppendError::Conflict),
            // Nothing appended to the stream since the check: the load is the head.
            (None, None) => request.loaded_hash,
        };
        // Facts of other streams the decision read must not have changed since.
        if !request.reads.is_empty() {
            if request.facts_at < recent.floor() {
                return Err(AppendError::Conflict);
            }
            let changed = request.reads.iter().any(|key| {
                work.touched.contains(key) || recent.touched_since(key, request.facts_at)
            });
            if changed {
                return Err(AppendError::Conflict);
            }
        }
        let is_genesis = frontier.size() == 0;
        if is_genesis != (stream == "registry/admin" && request.auth.is_none()) {
            return Err(AppendError::NoGenesis);
        }
        let nonce = match &request.auth {
            None => None,
            Some(auth) => Some(self.check_auth(auth, work)?),
        };
        if !request.window.contains(work.recorded_at) {
            return Err(AppendError::OutsideWindow);
        }
        // Key uniqueness across streams can only be decided here, under the lock.
        for event in &request.events {
            if event.event_type == "ActorRegistered" {
                let key = event
                    .data
                    .get("public_key")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if self.actor(work, key).is_some() {
                    return Err(AppendError::KeyAlreadyRegistered);
                }
            }
        }
        check_documents(
            &request.events,
            &request.documents,
            &BatchDocuments {
                availability: &work.availability,
                new_documents: &work.new_documents,
                withheld: &work.withheld,
            },
        )?;
        if let Some(auth) = &request.auth {
            let data = request.events.first().map(|e| &e.data);
            if !data.is_some_and(|d| body_within_data(&auth.statement.body, d)) {
                return Err(AppendError::Internal(
                    "the first event does not carry the statement's body".into(),
                ));
            }
        }

        // The key in force signs the command's entries, a rotation's included.
        let keys = self.facts.keys;
        let log_key = match &work.chain {
            Some(chain) => {
                let current = chain.current().to_string();
                &keys
                    .get(&current)
                    .ok_or(AppendError::LogKeyUnavailable(current))?
                    .key
            }
            None => &keys.genesis().key,
        };
        // Sign the command's entries; only if all fit do they join the batch.
        let first_index = frontier.size();
        let mut rotated_to = None;
        let mut signed = Vec::with_capacity(request.events.len());
        let mut prev = prev;
        for (i, event) in request.events.iter().enumerate() {
            let i = i as u64;
            let entry = Entry {
                index: first_index + i,
                stream: stream.clone(),
                seq: request.loaded_seq + 1 + i,
                event_type: event.event_type.clone(),
                version: event.version.clone(),
                recorded_at: work.recorded_at,
                data: if event.event_type == ROTATION_EVENT {
                    let (data, key) = self.rotation_data(event, i, work, frontier)?;
                    rotated_to = Some(key);
                    data
                } else {
                    event.data.clone()
                },
                auth: if i == 0 {
                    request.auth.as_deref().cloned()
                } else {
                    None
                },
                auth_at: if i > 0 && request.auth.is_some() {
                    Some(first_index)
                } else {
                    None
                },
                prev,
            };
            let entry = entry.sign(log_key).map_err(|e| match e {
                ledger::entry::EntryError::TooLarge { .. } => AppendError::EntryTooLarge,
                other => AppendError::Internal(other.to_string()),
            })?;
            prev = entry.hash;
            signed.push(entry);
        }
        let mut appended = Appended {
            entries: Vec::with_capacity(signed.len()),
        };
        for s in signed {
            frontier.append(s.leaf_hash(), &mut work.nodes);
            if s.entry.stream.starts_with("registry/") {
                self.overlay_key(work, &s.entry);
            }
            work.add(id, request, s, &mut appended);
        }
        // Entries after this command are signed by the key it rotated to; the genesis
        // starts the chain.
        if let Some(key) = rotated_to {
            if let Some(chain) = &mut work.chain {
                chain.push(first_index, key);
            }
        } else if is_genesis {
            work.chain = Some(LogKeyChain::new(keys.genesis().verifier.clone()));
        }
        if let Some((actor, nonce, statement_hash)) = nonce {
            work.nonces.insert((actor.clone(), nonce.clone()));
            work.nonce_rows.push(NonceRow {
                actor,
                nonce,
                statement_hash,
                response: appended.response().to_string(),
            });
            work.nonces_at.push(first_index);
        }
        for d in &request.documents {
            if !work.new_documents.iter().any(|n| n.sha256 == d.sha256) {
                work.new_documents.push(d.clone());
            }
        }
        if let (Some(token), Some(first)) = (&request.client_token, appended.entries.first()) {
            work.batch_tokens
                .insert((request.stream_id.clone(), token.token.clone()));
            work.tokens.push(ClientTokenRow {
                consultation: request.stream_id.clone(),
                client_token: token.token.clone(),
                request_hash: token.request_hash,
                log_index: first.index,
                receipt: first.receipt(),
            });
        }
        Ok(appended)
    }

    /// `data` of a `LogKeyRotated` entry: the body, plus what the log's position gives and
    /// the new key's signature over it (ledger-format: signed by both keys). Returns the
    /// new key, which signs the entries after this one.
    fn rotation_data(
        &self,
        event: &PendingEvent,
        i: u64,
        work: &BatchWork,
        frontier: &Frontier,
    ) -> Result<(Value, VerifierKey), AppendError> {
        let chain = work.chain.as_ref().ok_or(AppendError::NoGenesis)?;
        if i != 0 {
            return Err(AppendError::Internal(
                "a rotation is the only entry of its command".into(),
            ));
        }
        let origin = self.facts.origin;
        let named = event
            .data
            .get("log_key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let key = VerifierKey::parse(named).map_err(|e| {
            AppendError::LogKeyName(format!("log_key is not a note verifier key: {e}"))
        })?;
        if key.name != origin {
            return Err(AppendError::LogKeyName(format!(
                "the key is named {:?}; a log key is named after the log's origin, {:?}",
                key.name, origin
            )));
        }
        if chain.contains(&key) {
            return Err(AppendError::LogKeyUsed);
        }
        let signer = self
            .facts
            .keys
            .get(named)
            .ok_or_else(|| AppendError::NewLogKeyUnavailable(named.to_owned()))?;
        let rotation = Rotation {
            origin: origin.to_owned(),
            tree_size: frontier.size(),
            root: frontier.root(),
            previous_log_key: chain.current().clone(),
            log_key: key.clone(),
        };
        let sig = rotation.sign(&signer.key);
        let mut data = event.data.clone();
        if let Some(object) = data.as_object_mut() {
            object.extend(rotation.data_members(&sig));
        }
        Ok((data, key))
    }

    /// The checks on a statement that must hold at the entry's place in the log.
    fn check_auth(
        &self,
        auth: &Auth,
        work: &BatchWork,
    ) -> Result<(String, String, Hash), AppendError> {
        let actor = auth.actor_b64();
        let record = self.actor(work, &actor).ok_or(AppendError::UnknownActor)?;
        if record.revoked_at.is_some() {
            return Err(AppendError::ActorRevoked);
        }
        let skew = (work.recorded_at.millis() - auth.statement.issued_at().millis()).abs();
        if skew > MAX_CLOCK_SKEW_MS {
            return Err(AppendError::StaleStatement);
        }
        let nonce = auth.statement.nonce.clone();
        let statement_hash = auth.statement_hash();
        if work.nonces.contains(&(actor.clone(), nonce.clone())) {
            return Err(AppendError::NonceReused);
        }
        if let Some((hash, response)) = self.facts.recent.nonce(&actor, &nonce) {
            return Err(if hash == statement_hash {
                AppendError::AlreadyAppended(response)
            } else {
                AppendError::NonceReused
            });
        }
        Ok((actor, nonce, statement_hash))
    }

    /// A key's record as of the end of the batch so far.
    fn actor(&self, work: &BatchWork, public_key: &str) -> Option<ActorRecord> {
        match work.keys.get(public_key) {
            Some(record) => Some(record.clone()),
            None => self.facts.actors.actor(public_key),
        }
    }

    /// Records what a registry entry of this batch does to a key, for the checks of the
    /// commands after it in the same batch (the shared registry learns it at the commit).
    fn overlay_key(&self, work: &mut BatchWork, entry: &Entry) {
        let key = entry
            .data
            .get("public_key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let record = match entry.event_type.as_str() {
            "ActorRegistered" => {
                let mut fresh = Registry::default();
                fresh.apply(entry);
                fresh.actor(key).cloned()
            }
            "ActorRevoked" => self.actor(work, key).map(|mut r| {
                r.revoked_at.get_or_insert(entry.index);
                r
            }),
            _ => None,
        };
        if let Some(record) = record {
            work.keys.insert(key.to_owned(), record);
        }
    }
}

#[cfg(test)]
mod tests;
