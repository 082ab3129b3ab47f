//! The append path: the one place where entries get their index, their `recorded_at`, the
//! log's signature and their place in the Merkle tree.
//!
//! Commands reach it from the event store ([`crate::event_store`]) as
//! [`AppendRequest`]s. A single task per process takes them in batches; for each batch it
//! opens one transaction holding the lock that orders the log (the state row, `FOR UPDATE`
//! on PostgreSQL, `BEGIN IMMEDIATE` on SQLite), reads back what other processes appended
//! since its last batch, fixes `recorded_at` once, and reads under the lock the client
//! tokens and documents the batch names. The planner (`plan.rs`) then decides the whole
//! batch from what was read: it re-checks what only the lock can decide (stream heads,
//! revocations, nonces, key uniqueness, the domain's time window, documents), signs the
//! entries, extends the tree and says what to write. This module is its async shell: it
//! writes that, signs one checkpoint, commits, and only then remembers the entries
//! (`recent.rs`, the registry) and answers. A command's entries land together or not at
//! all; nothing is acknowledged before the commit.
//!
//! Batching is what makes a signed, chained, checkpointed log cheaper than one database
//! round trip per command: one commit (one fsync) and one checkpoint carry many commands.

mod documents;
mod outcomes;
mod plan;
mod recent;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use domain::document::listed_documents;
use domain::{Clock, TimeWindow};
use ledger::merkle::Frontier;
use ledger::rotation::ROTATION_EVENT;
use ledger::{Auth, Hash, SignedEntry, Timestamp};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch, Notify};

use crate::log_keys::LogKeyRing;
use crate::registry_startup::WorldSnapshots;
use crate::registry_state::SharedRegistry;
use outcomes::Outcomes;
pub use outcomes::{Known, Settled};
use plan::{plan, Facts, Head, Outcome, Plan, Write};
use recent::{RecentAppends, StreamHead};
use store::{BatchWrite, Db, DocumentAvailability, NewDocument};

/// Most commands one batch carries.
const MAX_BATCH: usize = 256;

/// One event of a command, as the domain produced it.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub event_type: String,
    pub version: String,
    pub data: Value,
}

/// A command's events on their way into the log.
#[derive(Clone, Debug)]
pub struct AppendRequest {
    pub stream_type: &'static str,
    pub stream_id: String,
    /// The stream's last sequence number when the aggregate was loaded (0: new stream).
    pub loaded_seq: u64,
    /// The entry hash at `loaded_seq` (zeros for a new stream). Unused with `after`.
    pub loaded_hash: Hash,
    /// The aggregate was decided on the state this process's request `after` leaves, before
    /// that request was committed: this one is accepted only right after it, that is when
    /// the stream's head is the last entry `after` wrote at `loaded_seq`.
    pub after: Option<u64>,
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
}

/// Where a request's answer goes.
type Reply = oneshot::Sender<Result<Appended, AppendError>>;

/// A request waiting in the sequencer's queue, with its id and where its answer goes.
#[derive(Debug)]
struct Queued {
    id: u64,
    request: AppendRequest,
    reply: Reply,
}

/// A request in the sequencer's queue: its id, and its answer once settled.
pub struct Enqueued {
    pub id: u64,
    answer: oneshot::Receiver<Result<Appended, AppendError>>,
}

impl Enqueued {
    /// Waits for the commit, or the reason nothing was appended.
    ///
    /// # Errors
    /// [`AppendError`] when refused; nothing was appended then.
    pub async fn settled(self) -> Result<Appended, AppendError> {
        self.answer
            .await
            .map_err(|_| AppendError::Unavailable("sequencer stopped".into()))?
    }
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
    tx: mpsc::Sender<Queued>,
    next_id: Arc<AtomicU64>,
    outcomes: Arc<Settling>,
    sync_tx: mpsc::Sender<oneshot::Sender<()>>,
    known_size: Arc<AtomicU64>,
    appended: watch::Receiver<u64>,
    batches: Arc<AtomicU64>,
}

impl SequencerHandle {
    /// How many batches this process has committed: with [`Self::known_size`], how many
    /// commands share a transaction and a checkpoint.
    pub fn committed_batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Sends a command's events and waits for the commit.
    ///
    /// # Errors
    /// [`AppendError`] when refused; nothing was appended then.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, AppendError> {
        self.enqueue(request).await?.settled().await
    }

    /// Puts a command's events in the queue, in order after every request enqueued
    /// before it returns, and gives its id without waiting for the commit.
    ///
    /// # Errors
    /// `Unavailable` when the sequencer stopped.
    pub async fn enqueue(&self, request: AppendRequest) -> Result<Enqueued, AppendError> {
        let (reply, answer) = oneshot::channel();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.tx
            .send(Queued { id, request, reply })
            .await
            .map_err(|_| AppendError::Unavailable("sequencer stopped".into()))?;
        Ok(Enqueued { id, answer })
    }

    /// What became of request `id`, as far as this process remembers.
    pub fn outcome(&self, id: u64) -> Known {
        self.outcomes.get(id)
    }

    /// Waits until every request of `ids` is settled (or `timeout` passed).
    pub async fn wait_settled(&self, ids: &[u64], timeout: std::time::Duration) {
        let all_settled = async {
            loop {
                let notified = self.outcomes.changed.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                if ids.iter().all(|id| self.outcome(*id) != Known::Pending) {
                    return;
                }
                notified.await;
            }
        };
        let _ = tokio::time::timeout(timeout, all_settled).await;
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
    /// Snapshots of the registry's cross-stream facts as the log grows.
    pub world_snapshots: WorldSnapshots,
}

/// Starts the sequencer task. `tree_size` is the size up to which `config.registry` was
/// built; the sequencer reads anything after it at its first batch.
pub fn start(config: SequencerConfig, tree_size: u64) -> SequencerHandle {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    let (sync_tx, sync_rx) = mpsc::channel(64);
    let known_size = Arc::new(AtomicU64::new(tree_size));
    let (appended_tx, appended_rx) = watch::channel(tree_size);
    let outcomes = Arc::new(Settling::default());
    let batches = Arc::new(AtomicU64::new(0));
    let task = Sequencer {
        batches: batches.clone(),
        outcomes: outcomes.clone(),
        recent: RecentAppends::new(tree_size),
        known_size: known_size.clone(),
        appended: appended_tx,
        config,
    };
    tokio::spawn(task.run(rx, sync_rx));
    SequencerHandle {
        tx,
        // Ids start at 1 so that none is mistaken for a default.
        next_id: Arc::new(AtomicU64::new(1)),
        outcomes,
        batches,
        sync_tx,
        known_size,
        appended: appended_rx,
    }
}

struct Sequencer {
    config: SequencerConfig,
    /// Shared with the handle: recorded before each answer is sent.
    outcomes: Arc<Settling>,
    batches: Arc<AtomicU64>,
    recent: RecentAppends,
    known_size: Arc<AtomicU64>,
    appended: watch::Sender<u64>,
}

impl Sequencer {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<Queued>,
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

    /// One batch: open the transaction that holds the log's lock, read under it, let the
    /// planner decide, write what it planned, commit, and only then remember and answer.
    async fn run_batch(&mut self, batch: Vec<Queued>) {
        let outcomes = self.outcomes.clone();
        let (requests, replies): (Vec<Numbered>, Vec<Answer>) = batch
            .into_iter()
            .map(|q| {
                let answer = Answer {
                    id: q.id,
                    reply: q.reply,
                    outcomes: outcomes.clone(),
                };
                let request = Numbered {
                    id: q.id,
                    request: q.request,
                };
                (request, answer)
            })
            .collect();
        let db = self.config.db.clone();
        let (mut tx, state) = match db.begin_append().await {
            Ok(open) => open,
            Err(e) => return fail_all(replies, &e),
        };
        if state.tree_size != self.known_size.load(Ordering::Acquire) {
            if let Err(e) = self.catch_up(state.tree_size).await {
                return fail_all(replies, &e);
            }
        }
        let frontier = match Frontier::from_bytes(state.tree_size, &state.frontier) {
            Ok(f) => f,
            Err(e) => return fail_all(replies, &format!("stored frontier is corrupt: {e}")),
        };
        let last = state
            .last_recorded_at
            .as_deref()
            .and_then(|t| Timestamp::parse_entry(t).ok());
        let recorded_at = last.map_or(self.config.clock.now(), |l| l.max(self.config.clock.now()));

        // The log's keys as of the tree head just read (the registry has caught up): the
        // key in force signs this batch until a rotation in it says otherwise.
        let chain = self.config.registry.log_keys();
        if let Some(chain) = &chain {
            let current = chain.current().to_string();
            if self.config.keys.find(&current).is_none() {
                let _ = tx.rollback().await;
                for reply in replies {
                    reply.send(Err(AppendError::LogKeyUnavailable(current.clone())));
                }
                return;
            }
        }
        // A key a rotation names may have been made since the folder was last read.
        for Numbered { request, .. } in &requests {
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
        let tokens: Vec<(String, String)> = requests
            .iter()
            .map(|n| &n.request)
            .filter_map(|r| {
                r.client_token
                    .as_ref()
                    .map(|t| (r.stream_id.clone(), t.token.clone()))
            })
            .collect();
        let mut taken_tokens = HashMap::new();
        if !tokens.is_empty() {
            match db.client_tokens_in(&mut tx, &tokens).await {
                Ok(taken) => taken_tokens = taken,
                Err(e) => return fail_all(replies, &e),
            }
        }
        // Which documents the batch names are stored and not withheld, read under the lock:
        // every document an entry names must be exportable when it is appended.
        let named: Vec<String> = requests
            .iter()
            .flat_map(|n| n.request.events.iter())
            .flat_map(|e| listed_documents(&e.data, "documents"))
            .collect();
        let mut availability = DocumentAvailability::default();
        if !named.is_empty() {
            match db.document_availability_in(&mut tx, &named).await {
                Ok(found) => availability = found,
                Err(e) => return fail_all(replies, &e),
            }
        }

        let head = Head {
            frontier,
            recorded_at,
            chain,
            taken_tokens,
            availability,
            origin: state.origin,
            log_key: state.log_key,
        };
        let Plan { outcomes, write } = {
            let facts = Facts {
                recent: &self.recent,
                actors: &*self.config.registry,
                keys: &self.config.keys,
                origin: &self.config.origin,
            };
            plan(head, &requests, &facts)
        };
        // The plan owns what it writes and answers; the requests' bytes can go now.
        drop(requests);

        let mut accepted = Vec::with_capacity(outcomes.len());
        let mut retries = Vec::new();
        for (outcome, reply) in outcomes.into_iter().zip(replies) {
            match outcome {
                Outcome::Accepted(appended) => accepted.push((reply, appended)),
                Outcome::RetryAfterBatch(e) => retries.push((reply, e)),
                Outcome::Refused(e) => reply.send(Err(e)),
            }
        }
        let _retry_after_this_batch = RetryAfter(retries);
        let Some(write) = write else {
            // Nothing to write: release the lock without touching the state row.
            let _ = tx.rollback().await;
            return;
        };
        let written = async {
            let note = self
                .config
                .keys
                .sign_checkpoint(&write.checkpoint, write.chain.as_ref())?;
            let batch = BatchWrite {
                events: &write.rows,
                nodes: &write.nodes,
                nonces: &write.nonces,
                document_names: &write.documents,
                withheld_documents: &write.withheld,
                client_tokens: &write.tokens,
                new_documents: &write.new_documents,
                state: &write.state,
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
            for (reply, _) in accepted {
                reply.send(Err(AppendError::Unavailable(e.clone())));
            }
            return;
        }
        // Committed: now, and only now, remember it and answer.
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.remember(&write);
        for (reply, appended) in accepted {
            reply.send(Ok(appended));
        }
    }

    /// What a committed batch teaches memory: the registry, stream heads, guard keys and
    /// nonces, and the tree size.
    fn remember(&mut self, write: &Write) {
        for (entry, _) in &write.entries {
            self.config.registry.apply(entry);
        }
        if let Some((_, hash)) = write.entries.last() {
            self.config
                .world_snapshots
                .grown_to(write.state.tree_size, *hash);
        }
        write.remember_in(&mut self.recent);
        self.known_size
            .store(write.state.tree_size, Ordering::Release);
        self.appended.send_replace(write.state.tree_size);
    }

    /// Reads what other processes appended since this one last held the lock.
    async fn catch_up(&mut self, to: u64) -> Result<(), String> {
        let mut next = self.known_size.load(Ordering::Acquire);
        let mut last_hash = None;
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
                last_hash = Some(signed.hash);
                next = index + 1;
            }
        }
        if let Some(hash) = last_hash {
            self.config.world_snapshots.grown_to(to, hash);
        }
        self.known_size.store(to, Ordering::Release);
        self.appended.send_replace(to);
        Ok(())
    }

    fn absorb(&mut self, signed: &SignedEntry) {
        let entry = &signed.entry;
        self.config.registry.apply(entry);
        let head = StreamHead {
            seq: entry.seq,
            hash: signed.hash,
            index: entry.index,
            writer: None,
        };
        self.recent.record_stream(&entry.stream, head);
        self.recent.record_guards(entry);
        if let Some(auth) = &entry.auth {
            let (actor, nonce) = (auth.actor_b64(), auth.statement.nonce.clone());
            // The answer another process gave is in the nonces table, not here.
            self.recent
                .record_nonce(&actor, &nonce, auth.statement_hash(), None, entry.index);
        }
    }
}

/// A request with the id the handle gave it.
#[derive(Debug)]
pub(crate) struct Numbered {
    pub id: u64,
    pub request: AppendRequest,
}

/// Where one request's answer goes. Its outcome is recorded before the answer is sent,
/// whether or not anyone still awaits it.
struct Answer {
    id: u64,
    reply: Reply,
    outcomes: Arc<Settling>,
}

/// The outcomes of requests, and a signal whenever one is recorded.
#[derive(Debug, Default)]
struct Settling {
    outcomes: Mutex<Outcomes>,
    changed: Notify,
}

impl Settling {
    fn get(&self, id: u64) -> Known {
        self.outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
    }

    fn record(&self, id: u64, settled: Settled) {
        self.outcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(id, settled);
        self.changed.notify_waiters();
    }
}

impl Answer {
    fn send(self, result: Result<Appended, AppendError>) {
        let settled = match &result {
            Ok(appended) => match appended.entries.last() {
                Some(last) => Settled::Committed {
                    seq: last.seq,
                    hash: last.entry_hash,
                },
                None => Settled::Failed,
            },
            Err(_) => Settled::Failed,
        };
        self.outcomes.record(self.id, settled);
        let _ = self.reply.send(result);
    }
}

/// Answers the commands to run again when dropped, that is once the batch is settled
/// (committed and remembered, or abandoned), whichever way `run_batch` returns.
struct RetryAfter(Vec<(Answer, AppendError)>);

impl Drop for RetryAfter {
    fn drop(&mut self) {
        for (reply, e) in self.0.drain(..) {
            reply.send(Err(e));
        }
    }
}

fn fail_all(replies: Vec<Answer>, error: &dyn std::fmt::Display) {
    tracing::error!(error = %error, "cannot open an append transaction");
    for reply in replies {
        reply.send(Err(AppendError::Unavailable(error.to_string())));
    }
}
