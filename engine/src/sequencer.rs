//! The append path: the one place where entries get their index, their `recorded_at`, the
//! log's signature and their place in the Merkle tree.
//!
//! Commands reach it from the event store ([`crate::event_store`]) as
//! [`AppendRequest`]s. A single task per process takes them in batches; for each batch it
//! opens one transaction holding the lock that orders the log (the state row, `FOR UPDATE`
//! on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), reads back what other processes appended
//! since its last batch, fixes `recorded_at` once, re-checks what only the lock can decide
//! (stream heads, revocations, nonces, key uniqueness, the domain's time window), signs the
//! entries, extends the tree, signs one checkpoint and commits. A command's entries land
//! together or not at all; nothing is acknowledged before the commit.
//!
//! Batching is what makes a signed, chained, checkpointed log cheaper than one database
//! round trip per command: one commit (one fsync) and one checkpoint carry many commands.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use domain::{guards, Clock, TimeWindow};
use ledger::merkle::{Frontier, NodeId};
use ledger::note::VerifierKey;
use ledger::rotation::{LogKeyChain, Rotation, ROTATION_EVENT};
use ledger::statement::{body_within_data, MAX_CLOCK_SKEW_MS};
use ledger::{Auth, Checkpoint, Entry, Hash, SignedEntry, Timestamp};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};

use domain::document::listed_documents;

use crate::log_keys::LogKeyRing;
use crate::registry_state::{ActorRecord, Registry, SharedRegistry};
use store::{
    BatchWrite, ClientTokenRow, Db, DocumentAvailability, EventRow, NewDocument, NonceRow, StateRow,
};

/// Most commands one batch carries.
const MAX_BATCH: usize = 256;
/// How many recent stream heads and nonces the sequencer remembers (see [`RecentAppends`]).
const RECENT_CAPACITY: usize = 200_000;

/// One event of a command, as the domain produced it.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub event_type: String,
    pub version: String,
    pub data: Value,
}

/// A command's events on their way into the log.
#[derive(Debug)]
pub struct AppendRequest {
    pub stream_type: &'static str,
    pub stream_id: String,
    /// The stream's last sequence number when the aggregate was loaded (0: new stream).
    pub loaded_seq: u64,
    /// The entry hash at `loaded_seq` (zeros for a new stream).
    pub loaded_hash: Hash,
    /// The tree size this process had read before the aggregate and the nonce were checked;
    /// anything appended since is in the sequencer's memory of recent appends.
    pub checked_at: u64,
    pub events: Vec<PendingEvent>,
    pub auth: Option<Arc<Auth>>,
    pub window: TimeWindow,
    /// Guard keys of other streams the decision read: what its aggregate's registry
    /// accessors noted (`domain::Recording`).
    pub reads: Vec<String>,
    /// Those facts were at least as fresh as this tree size.
    pub facts_at: u64,
    pub metadata: Value,
    /// A public comment's `client_token` (docs/public-channel.md): the command is appended
    /// only if no comment of this consultation used the token, and the token's receipt is
    /// written in the same transaction.
    pub client_token: Option<ClientToken>,
    /// Documents whose bytes come with the command (a public comment's text): stored in
    /// the append transaction, so a refused command stores nothing.
    pub documents: Vec<NewDocument>,
    pub reply: oneshot::Sender<Result<Appended, AppendError>>,
}

/// A public comment's retry token, on its way into the append transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientToken {
    pub token: String,
    /// SHA-256 of the request it came with, so that a token reused for another request
    /// is told apart from a retry.
    pub request_hash: Hash,
}

/// What the log recorded for one command.
#[derive(Clone, Debug)]
pub struct Appended {
    pub entries: Vec<AppendedEntry>,
}

#[derive(Clone, Debug)]
pub struct AppendedEntry {
    pub index: u64,
    pub stream: String,
    pub seq: u64,
    pub event_type: String,
    pub entry_hash: Hash,
    pub bytes: Vec<u8>,
}

impl Appended {
    /// The 201 answer of `POST /v1/statements`.
    pub fn response(&self) -> Value {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                json!({"index": e.index, "stream": e.stream, "seq": e.seq, "type": e.event_type,
                       "entry_hash": ledger::hash::to_hex(&e.entry_hash)})
            })
            .collect();
        json!({ "entries": entries })
    }
}

impl AppendedEntry {
    /// The receipt of a public comment (docs/public-channel.md): `{"index", "entry_hash",
    /// "entry"}`, the entry being its signed canonical bytes verbatim, so the receipt
    /// holds exactly what the log signed and what its Merkle leaf hashes.
    pub fn receipt(&self) -> String {
        format!(
            "{{\"index\":{},\"entry_hash\":\"{}\",\"entry\":{}}}",
            self.index,
            ledger::hash::to_hex(&self.entry_hash),
            String::from_utf8_lossy(&self.bytes)
        )
    }
}

/// Why the append path refused a command. Nothing was appended.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The stream moved since the aggregate was loaded: run the command again.
    #[error("the stream changed while the command ran")]
    Conflict,
    /// The domain's decision does not hold at the `recorded_at` the lock gave: run again.
    #[error("the decision does not hold at the time the ledger records")]
    OutsideWindow,
    #[error("the actor's key is revoked")]
    ActorRevoked,
    #[error("the actor's key is not registered")]
    UnknownActor,
    #[error("issued_at is more than five minutes from the time the ledger records")]
    StaleStatement,
    #[error("this nonce was already used by this actor")]
    NonceReused,
    /// The identical statement was appended before; its original answer, when known here.
    #[error("the statement was already appended")]
    AlreadyAppended(Option<String>),
    #[error("this public key was registered before; a key is registered once, ever")]
    KeyAlreadyRegistered,
    #[error("an entry would exceed 65,535 bytes")]
    EntryTooLarge,
    /// An entry would name a document that is not stored, or is withheld (by the log or
    /// earlier in the same batch): the log would no longer export or verify.
    #[error("document {0} is not available: upload it first (a withheld document cannot be named again)")]
    UnknownDocument(String),
    #[error("the log is not initialised")]
    NoGenesis,
    /// `RotateLogKey` named a key the log used before.
    #[error("this key was the log key before; a log key is used once, ever")]
    LogKeyUsed,
    /// `RotateLogKey` named a key whose name is not the log's origin.
    #[error("{0}")]
    LogKeyName(String),
    /// `RotateLogKey` named a key whose private half this server does not hold.
    #[error("this server does not hold the private key of {0}: make it with `sijill new-log-key` in this server's data folder (docs/key-rotation.md)")]
    NewLogKeyUnavailable(String),
    /// The log key in force (another process rotated to it) is not in this server's data
    /// folder: it cannot sign, so it appends nothing.
    #[error("this server does not hold the log key in force, {0}: copy its key file into this server's DATA/keys (docs/key-rotation.md)")]
    LogKeyUnavailable(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The process's handle on its sequencer.
#[derive(Clone, Debug)]
pub struct SequencerHandle {
    tx: mpsc::Sender<AppendRequest>,
    sync_tx: mpsc::Sender<oneshot::Sender<()>>,
    known_size: Arc<AtomicU64>,
    appended: watch::Receiver<u64>,
}

impl SequencerHandle {
    /// Sends a command's events and waits for the commit.
    ///
    /// # Errors
    /// [`AppendError`] when refused; nothing was appended then.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, AppendError> {
        let (reply, answer) = oneshot::channel();
        let request = AppendRequest { reply, ..request };
        self.tx
            .send(request)
            .await
            .map_err(|_| AppendError::Unavailable("sequencer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppendError::Unavailable("sequencer stopped".into()))?
    }

    /// Reads what other processes appended (without taking the append lock), so that the
    /// registry knows an actor another process just registered.
    pub async fn sync(&self) {
        let (done, wait) = oneshot::channel();
        if self.sync_tx.send(done).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// The tree size this process has seen committed (its own appends and, after its next
    /// batch, other processes').
    pub fn known_size(&self) -> u64 {
        self.known_size.load(Ordering::Acquire)
    }

    /// A receiver that changes whenever this process commits or catches up.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.appended.clone()
    }
}

/// Configuration of the sequencer task.
pub struct SequencerConfig {
    pub db: Db,
    /// The log's private keys: the genesis key and any rotation keys of the data folder.
    pub keys: LogKeyRing,
    pub origin: String,
    pub registry: Arc<SharedRegistry>,
    pub clock: Arc<dyn Clock>,
}

/// Starts the sequencer task. `tree_size` is the size up to which `config.registry` was
/// built; the sequencer reads anything after it at its first batch.
pub fn start(config: SequencerConfig, tree_size: u64) -> SequencerHandle {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    let (sync_tx, sync_rx) = mpsc::channel(64);
    let known_size = Arc::new(AtomicU64::new(tree_size));
    let (appended_tx, appended_rx) = watch::channel(tree_size);
    let task = Sequencer {
        recent: RecentAppends::new(tree_size),
        known_size: known_size.clone(),
        appended: appended_tx,
        config,
    };
    tokio::spawn(task.run(rx, sync_rx));
    SequencerHandle {
        tx,
        sync_tx,
        known_size,
        appended: appended_rx,
    }
}

struct Sequencer {
    config: SequencerConfig,
    recent: RecentAppends,
    known_size: Arc<AtomicU64>,
    appended: watch::Sender<u64>,
}

/// A command accepted into the batch, waiting for the commit.
struct Accepted {
    reply: oneshot::Sender<Result<Appended, AppendError>>,
    appended: Appended,
    nonce: Option<NonceRow>,
}

impl Sequencer {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<AppendRequest>,
        mut sync_rx: mpsc::Receiver<oneshot::Sender<()>>,
    ) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        loop {
            tokio::select! {
                received = rx.recv_many(&mut batch, MAX_BATCH) => {
                    if received == 0 {
                        return;
                    }
                    self.run_batch(std::mem::take(&mut batch)).await;
                }
                Some(done) = sync_rx.recv() => {
                    match self.config.db.state().await {
                        Ok((state, _)) if state.tree_size > self.known_size.load(Ordering::Acquire) => {
                            if let Err(e) = self.catch_up(state.tree_size).await {
                                tracing::warn!(error = %e, "catching up with other processes failed");
                            }
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "cannot read the tree head"),
                    }
                    let _ = done.send(());
                }
            }
        }
    }

    async fn run_batch(&mut self, batch: Vec<AppendRequest>) {
        let db = self.config.db.clone();
        let (mut tx, state) = match db.begin_append().await {
            Ok(open) => open,
            Err(e) => return fail_all(batch, &e),
        };
        if state.tree_size != self.known_size.load(Ordering::Acquire) {
            if let Err(e) = self.catch_up(state.tree_size).await {
                return fail_all(batch, &e);
            }
        }
        let mut frontier = match Frontier::from_bytes(state.tree_size, &state.frontier) {
            Ok(f) => f,
            Err(e) => return fail_all(batch, &format!("stored frontier is corrupt: {e}")),
        };
        let last = state
            .last_recorded_at
            .as_deref()
            .and_then(|t| Timestamp::parse_entry(t).ok());
        let recorded_at = last.map_or(self.config.clock.now(), |l| l.max(self.config.clock.now()));

        let mut work = BatchWork::new(recorded_at);
        // The log's keys as of the tree head just read (the registry has caught up): the
        // key in force signs this batch until a rotation in it says otherwise.
        work.chain = self.config.registry.log_keys();
        if let Some(chain) = &work.chain {
            let current = chain.current().to_string();
            if self.config.keys.find(&current).is_none() {
                let _ = tx.rollback().await;
                for r in batch {
                    let _ = r
                        .reply
                        .send(Err(AppendError::LogKeyUnavailable(current.clone())));
                }
                return;
            }
        }
        // A key a rotation names may have been made since the folder was last read.
        for request in &batch {
            for event in request
                .events
                .iter()
                .filter(|e| e.event_type == ROTATION_EVENT)
            {
                if let Some(key) = event.data.get("log_key").and_then(Value::as_str) {
                    self.config.keys.find(key);
                }
            }
        }
        // Which client tokens of this batch earlier commands used: read under the lock,
        // since only the append transactions write them (one query, and only for batches
        // that carry a token).
        let tokens: Vec<(String, String)> = batch
            .iter()
            .filter_map(|r| {
                r.client_token
                    .as_ref()
                    .map(|t| (r.stream_id.clone(), t.token.clone()))
            })
            .collect();
        if !tokens.is_empty() {
            match db.client_tokens_in(&mut tx, &tokens).await {
                Ok(taken) => work.taken_tokens = taken,
                Err(e) => return fail_all(batch, &e),
            }
        }
        // Which documents the batch names are stored and not withheld, read under the lock:
        // every document an entry names must be exportable when it is appended.
        let named: Vec<String> = batch
            .iter()
            .flat_map(|r| r.events.iter())
            .flat_map(|e| listed_documents(&e.data, "documents"))
            .collect();
        if !named.is_empty() {
            match db.document_availability_in(&mut tx, &named).await {
                Ok(found) => work.availability = found,
                Err(e) => return fail_all(batch, &e),
            }
        }
        let mut accepted = Vec::with_capacity(batch.len());
        let mut retries = Vec::new();
        for request in batch {
            match self.decide(&request, &mut work, &mut frontier) {
                Ok((appended, nonce)) => accepted.push(Accepted {
                    reply: request.reply,
                    appended,
                    nonce,
                }),
                // A command that lost a race is answered after this batch is settled, so
                // that its retry reads facts that include the commands that beat it.
                Err(e @ (AppendError::Conflict | AppendError::OutsideWindow)) => {
                    retries.push((request.reply, e));
                }
                Err(e) => {
                    let _ = request.reply.send(Err(e));
                }
            }
        }
        let _retry_after_this_batch = RetryAfter(retries);
        if accepted.is_empty() {
            // Nothing to write: release the lock without touching the state row.
            let _ = tx.rollback().await;
            return;
        }
        let new_state = StateRow {
            origin: state
                .origin
                .clone()
                .or_else(|| Some(self.config.origin.clone())),
            // The genesis key, as the genesis entry names it; the key in force is the
            // registry's (rotations are entries).
            log_key: state
                .log_key
                .clone()
                .or_else(|| Some(self.config.keys.genesis_verifier().to_owned())),
            tree_size: frontier.size(),
            frontier: frontier.to_bytes(),
            last_recorded_at: Some(recorded_at.to_entry_string()),
        };
        let checkpoint = Checkpoint {
            origin: self.config.origin.clone(),
            size: frontier.size(),
            root: frontier.root(),
        };
        let written = async {
            let note = self
                .config
                .keys
                .sign_checkpoint(&checkpoint, work.chain.as_ref())?;
            let nonces: Vec<NonceRow> = accepted.iter().filter_map(|a| a.nonce.clone()).collect();
            let batch = BatchWrite {
                events: &work.rows,
                nodes: &work.nodes,
                nonces: &nonces,
                document_names: &work.documents,
                withheld_documents: &work.withheld,
                client_tokens: &work.tokens,
                new_documents: &work.new_documents,
                state: &new_state,
                checkpoint: &note,
            };
            db.write_batch(&mut tx, &batch)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())
        }
        .await;
        if let Err(e) = written {
            tracing::error!(error = %e, "append batch failed; nothing of it is acknowledged");
            for a in accepted {
                let _ = a.reply.send(Err(AppendError::Unavailable(e.clone())));
            }
            return;
        }
        // Committed: now, and only now, remember it and answer.
        for (entry, _) in &work.entries {
            self.config.registry.apply(entry);
        }
        for (entry, hash) in &work.entries {
            self.recent
                .record_stream(&entry.stream, entry.seq, *hash, entry.index);
            self.recent.record_guards(entry);
        }
        for a in &accepted {
            if let Some(n) = &a.nonce {
                let first = a.appended.entries.first().map_or(0, |e| e.index);
                self.recent.record_nonce(
                    &n.actor,
                    &n.nonce,
                    n.statement_hash,
                    Some(n.response.clone()),
                    first,
                );
            }
        }
        self.known_size.store(frontier.size(), Ordering::Release);
        self.appended.send_replace(frontier.size());
        for a in accepted {
            let _ = a.reply.send(Ok(a.appended));
        }
    }

    /// Decides one command under the lock; on success its entries are part of the batch.
    fn decide(
        &self,
        request: &AppendRequest,
        work: &mut BatchWork,
        frontier: &mut Frontier,
    ) -> Result<(Appended, Option<NonceRow>), AppendError> {
        let stream = format!("{}/{}", request.stream_type, request.stream_id);
        // The stream's head as the log has it now.
        if request.checked_at < self.recent.floor {
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
            .or_else(|| self.recent.stream(&stream));
        let prev = match head {
            Some((seq, _)) if seq != request.loaded_seq => return Err(AppendError::Conflict),
            Some((_, hash)) => hash,
            None => request.loaded_hash,
        };
        // Facts of other streams the decision read must not have changed since.
        if !request.reads.is_empty() {
            if request.facts_at < self.recent.floor {
                return Err(AppendError::Conflict);
            }
            let changed = request.reads.iter().any(|key| {
                work.touched.contains(key) || self.recent.touched_since(key, request.facts_at)
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
        check_documents(&request.events, &request.documents, work)?;
        if let Some(auth) = &request.auth {
            let data = request.events.first().map(|e| &e.data);
            if !data.is_some_and(|d| body_within_data(&auth.statement.body, d)) {
                return Err(AppendError::Internal(
                    "the first event does not carry the statement's body".into(),
                ));
            }
        }

        // The key in force signs the command's entries, a rotation's included.
        let log_key = match &work.chain {
            Some(chain) => {
                let current = chain.current().to_string();
                &self
                    .config
                    .keys
                    .get(&current)
                    .ok_or(AppendError::LogKeyUnavailable(current))?
                    .key
            }
            None => &self.config.keys.genesis().key,
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
            work.add(request, s, &mut appended);
        }
        if let Some(last) = appended.entries.last() {
            work.heads.insert(stream, (last.seq, last.entry_hash));
        }
        // Entries after this command are signed by the key it rotated to; the genesis
        // starts the chain.
        if let Some(key) = rotated_to {
            if let Some(chain) = &mut work.chain {
                chain.push(first_index, key);
            }
        } else if is_genesis {
            work.chain = Some(LogKeyChain::new(
                self.config.keys.genesis().verifier.clone(),
            ));
        }
        let nonce = nonce.map(|(actor, nonce, statement_hash)| NonceRow {
            actor,
            nonce,
            statement_hash,
            response: appended.response().to_string(),
        });
        if let Some(n) = &nonce {
            work.nonces.insert((n.actor.clone(), n.nonce.clone()));
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
        Ok((appended, nonce))
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
        let named = event
            .data
            .get("log_key")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let key = VerifierKey::parse(named).map_err(|e| {
            AppendError::LogKeyName(format!("log_key is not a note verifier key: {e}"))
        })?;
        if key.name != self.config.origin {
            return Err(AppendError::LogKeyName(format!(
                "the key is named {:?}; a log key is named after the log's origin, {:?}",
                key.name, self.config.origin
            )));
        }
        if chain.contains(&key) {
            return Err(AppendError::LogKeyUsed);
        }
        let signer = self
            .config
            .keys
            .get(named)
            .ok_or_else(|| AppendError::NewLogKeyUnavailable(named.to_owned()))?;
        let rotation = Rotation {
            origin: self.config.origin.clone(),
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
        if let Some((hash, response)) = self.recent.nonce(&actor, &nonce) {
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
            None => self.config.registry.actor(public_key),
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

    /// Reads what other processes appended since this one last held the lock.
    async fn catch_up(&mut self, to: u64) -> Result<(), String> {
        let mut next = self.known_size.load(Ordering::Acquire);
        while next < to {
            let page = self
                .config
                .db
                .entries(next, (to - next).min(1000))
                .await
                .map_err(|e| e.to_string())?;
            if page.is_empty() {
                return Err(format!("entries {next}..{to} are missing"));
            }
            for (index, bytes) in page {
                let signed =
                    SignedEntry::parse(&bytes).map_err(|e| format!("stored entry {index}: {e}"))?;
                self.absorb(&signed);
                next = index + 1;
            }
        }
        self.known_size.store(to, Ordering::Release);
        self.appended.send_replace(to);
        Ok(())
    }

    fn absorb(&mut self, signed: &SignedEntry) {
        let entry = &signed.entry;
        self.config.registry.apply(entry);
        self.recent
            .record_stream(&entry.stream, entry.seq, signed.hash, entry.index);
        self.recent.record_guards(entry);
        if let Some(auth) = &entry.auth {
            let (actor, nonce) = (auth.actor_b64(), auth.statement.nonce.clone());
            // The answer another process gave is in the nonces table, not here.
            self.recent
                .record_nonce(&actor, &nonce, auth.statement_hash(), None, entry.index);
        }
    }
}

/// Answers the commands to run again when dropped, that is once the batch is settled
/// (committed and remembered, or abandoned), whichever way `run_batch` returns.
struct RetryAfter(Vec<(oneshot::Sender<Result<Appended, AppendError>>, AppendError)>);

impl Drop for RetryAfter {
    fn drop(&mut self) {
        for (reply, e) in self.0.drain(..) {
            let _ = reply.send(Err(e));
        }
    }
}

/// Every document `events` name is stored (before this batch, carried by the command
/// itself in `carried`, or by a command accepted earlier in the batch) and withheld neither
/// before this batch nor by an entry accepted earlier in it.
fn check_documents(
    events: &[PendingEvent],
    carried: &[NewDocument],
    work: &BatchWork,
) -> Result<(), AppendError> {
    for event in events {
        for doc in listed_documents(&event.data, "documents") {
            let stored = work.availability.stored.contains(&doc)
                || carried.iter().any(|d| d.sha256 == doc)
                || work.new_documents.iter().any(|d| d.sha256 == doc);
            let withheld = work.availability.withheld.contains(&doc)
                || work.withheld.iter().any(|(w, _)| *w == doc);
            if !stored || withheld {
                return Err(AppendError::UnknownDocument(doc));
            }
        }
    }
    Ok(())
}

fn fail_all(batch: Vec<AppendRequest>, error: &dyn std::fmt::Display) {
    tracing::error!(error = %error, "cannot open an append transaction");
    for r in batch {
        let _ = r
            .reply
            .send(Err(AppendError::Unavailable(error.to_string())));
    }
}

/// What one batch writes, accumulated command by command.
struct BatchWork {
    recorded_at: Timestamp,
    rows: Vec<EventRow>,
    nodes: Vec<(NodeId, Hash)>,
    documents: Vec<(String, u64)>,
    /// Documents withheld by entries of this batch (`data.withheld`), with the entry.
    withheld: Vec<(String, u64)>,
    /// Which documents the batch's commands name were stored or withheld before it.
    availability: DocumentAvailability,
    /// Bytes carried by the accepted commands, written with the batch.
    new_documents: Vec<NewDocument>,
    /// Client tokens already used before this batch, with their receipts.
    taken_tokens: HashMap<(String, String), String>,
    /// Client tokens used by commands accepted earlier in this batch.
    batch_tokens: HashSet<(String, String)>,
    tokens: Vec<ClientTokenRow>,
    entries: Vec<(Entry, Hash)>,
    heads: HashMap<String, (u64, Hash)>,
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
    fn new(recorded_at: Timestamp) -> Self {
        Self {
            recorded_at,
            keys: HashMap::new(),
            touched: HashSet::new(),
            chain: None,
            rows: Vec::new(),
            nodes: Vec::new(),
            documents: Vec::new(),
            withheld: Vec::new(),
            availability: DocumentAvailability::default(),
            new_documents: Vec::new(),
            taken_tokens: HashMap::new(),
            batch_tokens: HashSet::new(),
            tokens: Vec::new(),
            entries: Vec::new(),
            heads: HashMap::new(),
            nonces: HashSet::new(),
        }
    }

    fn add(&mut self, request: &AppendRequest, signed: SignedEntry, appended: &mut Appended) {
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
        self.entries.push((signed.entry, signed.hash));
    }
}

/// The stream heads and nonces of every entry with index >= `floor` that this process has
/// seen (its own commits and what it read back from others).
///
/// A command checked against the database at tree size `checked_at >= floor` is stale
/// exactly when this memory shows an append after its check, which saves a database round
/// trip under the lock. Memory is bounded: forgetting the oldest raises `floor`, and a
/// command checked before the floor is simply run again.
struct RecentAppends {
    floor: u64,
    streams: HashMap<String, (u64, Hash, u64)>,
    /// Derived guard key → index of the last entry that changed it.
    guards: HashMap<String, u64>,
    nonces: HashMap<(String, String), (Hash, Option<String>, u64)>,
    order: VecDeque<(u64, RecentKey)>,
}

enum RecentKey {
    Stream(String),
    Guard(String),
    Nonce(String, String),
}

impl RecentAppends {
    fn new(floor: u64) -> Self {
        Self {
            floor,
            streams: HashMap::new(),
            guards: HashMap::new(),
            nonces: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn stream(&self, stream: &str) -> Option<(u64, Hash)> {
        self.streams.get(stream).map(|(seq, hash, _)| (*seq, *hash))
    }

    fn nonce(&self, actor: &str, nonce: &str) -> Option<(Hash, Option<String>)> {
        self.nonces
            .get(&(actor.to_owned(), nonce.to_owned()))
            .map(|(h, r, _)| (*h, r.clone()))
    }

    fn record_stream(&mut self, stream: &str, seq: u64, hash: Hash, index: u64) {
        self.streams.insert(stream.to_owned(), (seq, hash, index));
        self.order
            .push_back((index, RecentKey::Stream(stream.to_owned())));
        self.evict();
    }

    /// Whether an entry with index >= `since` changed `key` (a stream name or a derived
    /// guard key). Only meaningful for `since >= floor`.
    fn touched_since(&self, key: &str, since: u64) -> bool {
        self.streams.get(key).is_some_and(|(_, _, i)| *i >= since)
            || self.guards.get(key).is_some_and(|i| *i >= since)
    }

    fn record_guards(&mut self, entry: &Entry) {
        for key in guards::touches(&entry.event_type, &entry.data) {
            self.guards.insert(key.clone(), entry.index);
            self.order.push_back((entry.index, RecentKey::Guard(key)));
        }
        self.evict();
    }

    fn record_nonce(
        &mut self,
        actor: &str,
        nonce: &str,
        hash: Hash,
        response: Option<String>,
        index: u64,
    ) {
        let key = (actor.to_owned(), nonce.to_owned());
        self.nonces.insert(key, (hash, response, index));
        self.order
            .push_back((index, RecentKey::Nonce(actor.to_owned(), nonce.to_owned())));
        self.evict();
    }

    fn evict(&mut self) {
        while self.order.len() > RECENT_CAPACITY {
            let Some((index, key)) = self.order.pop_front() else {
                break;
            };
            match key {
                RecentKey::Stream(s) => {
                    if self.streams.get(&s).is_some_and(|(_, _, i)| *i == index) {
                        self.streams.remove(&s);
                    }
                }
                RecentKey::Guard(g) => {
                    if self.guards.get(&g).is_some_and(|i| *i == index) {
                        self.guards.remove(&g);
                    }
                }
                RecentKey::Nonce(a, n) => {
                    let k = (a, n);
                    if self.nonces.get(&k).is_some_and(|(_, _, i)| *i == index) {
                        self.nonces.remove(&k);
                    }
                }
            }
            self.floor = self.floor.max(index + 1);
        }
    }
}

#[cfg(test)]
mod document_check_tests {
    //! The append transaction's own check of named documents, on a batch's working state.

    use super::*;

    const A: &str = "aa";
    const B: &str = "bb";

    fn naming(docs: &[&str]) -> Vec<PendingEvent> {
        vec![PendingEvent {
            event_type: "ReportSubmitted".into(),
            version: "1".into(),
            data: serde_json::json!({ "documents": docs }),
        }]
    }

    fn work_with_stored(docs: &[&str]) -> BatchWork {
        let mut work = BatchWork::new(Timestamp::parse_entry("2026-01-15T10:00:00.000Z").unwrap());
        work.availability.stored = docs.iter().map(|d| (*d).to_owned()).collect();
        work
    }

    fn carried(sha: &str) -> NewDocument {
        NewDocument {
            sha256: sha.into(),
            content: b"text".to_vec(),
            uploaded_by: "public".into(),
        }
    }

    #[test]
    fn a_stored_document_not_withheld_may_be_named() {
        let work = work_with_stored(&[A]);
        assert!(check_documents(&naming(&[A]), &[], &work).is_ok());
        assert!(check_documents(&naming(&[]), &[], &work).is_ok());
    }

    #[test]
    fn a_document_nobody_stored_is_refused() {
        let work = work_with_stored(&[A]);
        let refused = check_documents(&naming(&[A, B]), &[], &work);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == B));
    }

    #[test]
    fn a_document_withheld_before_the_batch_is_refused() {
        let mut work = work_with_stored(&[A]);
        work.availability.withheld.insert(A.into());
        let refused = check_documents(&naming(&[A]), &[], &work);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
    }

    #[test]
    fn a_document_withheld_earlier_in_the_same_batch_is_refused() {
        let mut work = work_with_stored(&[A]);
        // What `BatchWork::add` records for an accepted entry whose `data.withheld` lists A.
        work.withheld.push((A.into(), 41));
        let refused = check_documents(&naming(&[A]), &[], &work);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
        // Even when the command carries the bytes again (a public comment of the same text).
        let refused = check_documents(&naming(&[A]), &[carried(A)], &work);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
    }

    #[test]
    fn bytes_carried_by_the_command_or_an_earlier_one_in_the_batch_count_as_stored() {
        let mut work = work_with_stored(&[]);
        assert!(check_documents(&naming(&[B]), &[carried(B)], &work).is_ok());
        work.new_documents.push(carried(B));
        assert!(check_documents(&naming(&[B]), &[], &work).is_ok());
    }
}
