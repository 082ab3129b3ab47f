//! The event store over the ledger: an aggregate loads from its stream's signed entries,
//! and its events go to the [`crate::sequencer`] as one append request, so every event is
//! a ledger entry.
//!
//! The engine runs cqrs-es's steps itself (load, `Aggregate::handle`, commit) so that what
//! a command carries past the aggregate (its [`Ticket`]), what the decision read and the
//! window it holds for travel as values into the [`AppendRequest`], and the log's answer
//! comes back as the request's result.

use std::marker::PhantomData;
use std::sync::Arc;

use cqrs_es::{Aggregate, DomainEvent};
use domain::{LedgerEvent, TimeWindow};
use ledger::hash::ZERO_HASH;
use ledger::statement::ActorKeys;
use ledger::{Auth, Hash, SignedEntry};
use serde_json::json;

use crate::aggregate_cache::SnapshotWrite;
use crate::sequencer::{
    AppendError, AppendRequest, ClientToken, Enqueued, Known, PendingEvent, SequencerHandle,
    Settled,
};
use crate::snapshots::Snapshots;
use store::{Db, NewDocument};

/// What a command carries past the aggregate into the append path.
#[derive(Debug, Default)]
pub struct Ticket {
    pub auth: Option<Arc<Auth>>,
    /// The tree size this process had seen before the statement's nonce was checked.
    pub checked_at: u64,
    /// A public comment's retry token (see [`AppendRequest::client_token`]).
    pub client_token: Option<ClientToken>,
    /// Bytes stored with the command (see [`AppendRequest::documents`]).
    pub documents: Vec<NewDocument>,
}

/// What one decision produced, on its way to the log.
pub struct Decision<E> {
    pub events: Vec<E>,
    /// The `recorded_at` values the decision holds for.
    pub window: TimeWindow,
    /// Guard keys of other streams the decision read.
    pub reads: Vec<String>,
    /// A tree size the facts it read were at least as fresh as: anything in `reads` must
    /// be unchanged from this size on.
    pub facts_at: u64,
}

/// The events of one aggregate type in the log.
pub struct LedgerStore<A> {
    db: Db,
    sequencer: SequencerHandle,
    /// The snapshot cadence, and which streams have one.
    snapshots: Snapshots,
    _aggregate: PhantomData<fn() -> A>,
}

/// An aggregate as loaded, with where its stream stood; or, while `pending` is not empty,
/// as it will stand once this process's requests `pending` are committed.
pub struct Loaded<A> {
    pub aggregate: A,
    id: String,
    seq: u64,
    /// The hash of entry `seq`; unknown (and unused) while `pending` is not empty.
    last_hash: Hash,
    /// Requests, oldest first, whose events the aggregate has applied but whose commit
    /// this state has not yet seen.
    pending: Vec<u64>,
    /// The position of the latest snapshot of the stream this process read or wrote.
    snapshot_seq: u64,
}

impl<A> crate::aggregate_cache::Cached for Loaded<A>
where
    A: Aggregate + 'static,
    A::Event: LedgerEvent,
{
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any + Send> {
        self
    }

    fn due_snapshot(&self, every: u64, sequencer: &SequencerHandle) -> Option<SnapshotWrite> {
        self.snapshot_write(every, sequencer)
    }
}

/// More entries than any stream holds: "all of them" for a bounded query.
const ALL: u64 = 1 << 53;

/// The format this build writes snapshots in, and the only one it reads: an aggregate's
/// state serialized by serde as JSON. Change it whenever an aggregate's state changes
/// meaning or shape, so that no snapshot written by another build is ever read.
pub const SNAPSHOT_FORMAT: &str = "serde-json/1";

/// By default a stream is snapshotted from this many entries on, and again once it has
/// grown by this many or doubled (whichever is more) since its last snapshot, so the
/// snapshots written over a stream's life add up to about twice its final state; a
/// stopping process also snapshots every long aggregate it keeps
/// ([`crate::service::Service::save_snapshots`]), so a restart after a clean stop reads
/// no entry after the snapshot, and one after a crash at most half the stream.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 1_000;

impl<A> Loaded<A>
where
    A: Aggregate,
    A::Event: LedgerEvent,
{
    /// Makes this state the one the stream will have once request `id`, carrying `events`
    /// entries this aggregate has already applied, is committed.
    pub fn speculate(&mut self, id: u64, events: u64) {
        self.seq += events;
        self.pending.push(id);
    }

    /// Its snapshot, when it is a committed state at least `every` entries past the last
    /// snapshot of its stream: one resting on no request, or only on requests the
    /// `sequencer` committed.
    fn snapshot_write(&self, every: u64, sequencer: &SequencerHandle) -> Option<SnapshotWrite> {
        if self.seq < self.snapshot_seq + every.max(1) {
            return None;
        }
        let head_hash = match self.pending.last() {
            None => self.last_hash,
            Some(last) => {
                let committed = self.pending.iter().all(|id| {
                    matches!(
                        sequencer.outcome(*id),
                        Known::Settled(Settled::Committed { .. })
                    )
                });
                match sequencer.outcome(*last) {
                    Known::Settled(Settled::Committed { seq, hash })
                        if committed && seq == self.seq =>
                    {
                        hash
                    }
                    _ => return None,
                }
            }
        };
        let state = match serde_json::to_string(&self.aggregate) {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "aggregate not serialized for a snapshot");
                return None;
            }
        };
        Some(SnapshotWrite {
            kind: A::TYPE,
            id: self.id.clone(),
            snapshot: store::Snapshot {
                position: self.seq,
                entry_hash: head_hash,
                state,
            },
        })
    }

    /// Whether the state rests on requests not yet committed.
    pub fn is_speculative(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The requests not yet committed that the state rests on.
    pub fn pending(&self) -> &[u64] {
        &self.pending
    }

    /// The state brought up to what the sequencer settled: committed requests leave
    /// `pending` (the last one gives the head's hash); `None` when any of them failed, for
    /// the state is then not one the log will ever hold.
    pub fn settle(mut self, sequencer: &SequencerHandle) -> Option<Self> {
        let known: Vec<Known> = self
            .pending
            .iter()
            .map(|id| sequencer.outcome(*id))
            .collect();
        if known.contains(&Known::Settled(Settled::Failed)) {
            return None;
        }
        let committed = known
            .iter()
            .take_while(|k| matches!(k, Known::Settled(_)))
            .count();
        if committed == self.pending.len() {
            match known.last() {
                Some(Known::Settled(Settled::Committed { seq, hash })) => {
                    if *seq != self.seq {
                        return None;
                    }
                    self.last_hash = *hash;
                }
                Some(_) => return None,
                None => {}
            }
        }
        self.pending.drain(..committed);
        Some(self)
    }

    /// Applies the stream's entries that follow this state, in order. `false`, with
    /// nothing applied, when the first of them does not follow it (a state that is not a
    /// prefix of the stream as stored).
    fn extend(&mut self, rows: Vec<Vec<u8>>) -> Result<bool, String> {
        let mut keys = ActorKeys::default();
        for (i, bytes) in rows.into_iter().enumerate() {
            // The signed bytes are the source of truth; upcasting happens on the decoded copy.
            let signed = SignedEntry::parse_with(&bytes, &mut keys)
                .map_err(|e| format!("stored entry: {e}"))?;
            let entry = signed.entry;
            if i == 0 && (entry.seq != self.seq + 1 || entry.prev != self.last_hash) {
                return Ok(false);
            }
            let event = A::Event::from_entry(&entry.event_type, &entry.version, entry.data)
                .map_err(|e| format!("stored event: {e}"))?;
            self.aggregate.apply(event);
            self.seq = entry.seq;
            self.last_hash = signed.hash;
        }
        Ok(true)
    }
}

impl<A> LedgerStore<A>
where
    A: Aggregate,
    A::Event: LedgerEvent,
{
    pub fn new(db: Db, sequencer: SequencerHandle, snapshots: Snapshots) -> Self {
        Self {
            db,
            sequencer,
            snapshots,
            _aggregate: PhantomData,
        }
    }

    /// The aggregate as its stream's entries build it: from `cached` (an earlier load of
    /// the same stream) and the entries after it, or from the whole stream when there is
    /// none or the store does not continue it.
    ///
    /// # Errors
    /// The store's error, or a stored entry that does not parse or decode.
    pub async fn load(
        &self,
        aggregate_id: &str,
        cached: Option<Loaded<A>>,
    ) -> Result<Loaded<A>, String> {
        if let Some(mut loaded) = cached.filter(|c| c.id == aggregate_id) {
            // A state resting on requests still in the queue is used as it is: nothing of
            // them may be stored yet, and the sequencer accepts what is decided on it only
            // right after them (`AppendRequest::after`).
            if loaded.is_speculative() {
                return Ok(loaded);
            }
            let rows = self
                .db
                .stream_entries_from(A::TYPE, aggregate_id, loaded.seq + 1, ALL)
                .await
                .map_err(|e| e.to_string())?;
            if loaded.extend(rows)? {
                self.snapshot_if_due(&mut loaded);
                self.check_in_debug(&loaded, "cached").await?;
                return Ok(loaded);
            }
        }
        self.load_full(aggregate_id).await
    }

    /// The aggregate as all of its stream's entries build it: from its snapshot and the
    /// entries after it when a usable one is stored, else from every entry.
    async fn load_full(&self, aggregate_id: &str) -> Result<Loaded<A>, String> {
        if let Some(mut loaded) = self.load_from_snapshot(aggregate_id).await? {
            self.check_in_debug(&loaded, "from its snapshot").await?;
            self.snapshot_if_due(&mut loaded);
            return Ok(loaded);
        }
        let mut loaded = self.load_entries(aggregate_id).await?;
        self.snapshot_if_due(&mut loaded);
        Ok(loaded)
    }

    /// Debug builds (the test suite) check a state built from a kept aggregate or a
    /// snapshot (`how`) against the one every entry of the stream builds; release builds
    /// do nothing.
    async fn check_in_debug(&self, loaded: &Loaded<A>, how: &str) -> Result<(), String> {
        if cfg!(debug_assertions) {
            let full = self.load_entries(&loaded.id).await?;
            let state =
                |l: &Loaded<A>| (serde_json::to_value(&l.aggregate).ok(), l.seq, l.last_hash);
            assert_eq!(
                state(loaded),
                state(&full),
                "{}/{} {how}",
                A::TYPE,
                loaded.id
            );
        }
        Ok(())
    }

    /// The aggregate as every entry of its stream builds it.
    async fn load_entries(&self, aggregate_id: &str) -> Result<Loaded<A>, String> {
        let rows = self
            .db
            .stream_entries(A::TYPE, aggregate_id)
            .await
            .map_err(|e| e.to_string())?;
        let mut loaded = Loaded {
            aggregate: A::default(),
            id: aggregate_id.to_owned(),
            seq: 0,
            last_hash: ZERO_HASH,
            pending: Vec::new(),
            snapshot_seq: 0,
        };
        if loaded.extend(rows)? {
            Ok(loaded)
        } else {
            Err(format!("stream {}/{aggregate_id} is not a chain", A::TYPE))
        }
    }

    /// The aggregate from its stored snapshot and the entries after it; `None` when there
    /// is no snapshot in this build's format, it does not read as this aggregate, or the
    /// stream's entry at its position is not the one it names (then the caller loads
    /// every entry).
    async fn load_from_snapshot(&self, aggregate_id: &str) -> Result<Option<Loaded<A>>, String> {
        if !self.snapshots.has(A::TYPE, aggregate_id) {
            return Ok(None);
        }
        let Some(snapshot) = self
            .db
            .snapshot(A::TYPE, aggregate_id, SNAPSHOT_FORMAT)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let aggregate = match serde_json::from_str::<A>(&snapshot.state) {
            Ok(aggregate) => aggregate,
            Err(e) => {
                tracing::warn!(stream = %format!("{}/{aggregate_id}", A::TYPE), error = %e,
                    "snapshot not read; loading every entry");
                return Ok(None);
            }
        };
        // The entry the snapshot stands at, then those after it.
        let mut rows = self
            .db
            .stream_entries_from(A::TYPE, aggregate_id, snapshot.position, ALL)
            .await
            .map_err(|e| e.to_string())?;
        if rows.is_empty() {
            return Ok(None);
        }
        let at = SignedEntry::parse(&rows.remove(0)).map_err(|e| format!("stored entry: {e}"))?;
        if at.entry.seq != snapshot.position || at.hash != snapshot.entry_hash {
            tracing::warn!(stream = %format!("{}/{aggregate_id}", A::TYPE),
                "snapshot does not stand on the stream; loading every entry");
            return Ok(None);
        }
        let mut loaded = Loaded {
            aggregate,
            id: aggregate_id.to_owned(),
            seq: snapshot.position,
            last_hash: snapshot.entry_hash,
            pending: Vec::new(),
            snapshot_seq: snapshot.position,
        };
        Ok(loaded.extend(rows)?.then_some(loaded))
    }

    /// Writes a snapshot of `loaded`, a committed state, when its stream has grown enough
    /// since the last one. The state is serialized here; the write runs in the background,
    /// and a failed one only means the next load reads more entries.
    fn snapshot_if_due(&self, loaded: &mut Loaded<A>) {
        let due = self.snapshots.every.max(loaded.snapshot_seq);
        let Some(write) = loaded.snapshot_write(due, &self.sequencer) else {
            return;
        };
        loaded.snapshot_seq = loaded.seq;
        let (db, snapshots) = (self.db.clone(), self.snapshots.clone());
        tokio::spawn(async move {
            match db
                .put_snapshot(write.kind, &write.id, SNAPSHOT_FORMAT, &write.snapshot)
                .await
            {
                Ok(()) => snapshots.noted(write.kind, &write.id),
                Err(e) => tracing::warn!(stream = %format!("{}/{}", write.kind, write.id),
                    error = %e, "snapshot not written"),
            }
        });
    }

    /// Puts a decision on `loaded` in the sequencer's queue; its answer comes from
    /// [`Enqueued::settled`].
    ///
    /// # Errors
    /// `Unavailable` when the sequencer stopped. The answer's [`AppendError`] says why the
    /// append path refused; `Conflict` and `OutsideWindow` mean the command is to be
    /// decided again on a fresh load.
    pub async fn submit(
        &self,
        loaded: &Loaded<A>,
        decision: Decision<A::Event>,
        ticket: &Ticket,
    ) -> Result<Enqueued, AppendError> {
        let own_stream = format!("{}/{}", A::TYPE, loaded.id);
        let mut reads = decision.reads;
        // The stream's own head is checked against the loaded sequence number instead.
        reads.retain(|key| *key != own_stream);
        let events = decision
            .events
            .iter()
            .map(|e| PendingEvent {
                event_type: e.event_type(),
                version: e.event_version(),
                data: e.to_data(),
            })
            .collect();
        let actor = ticket
            .auth
            .as_ref()
            .map_or("public".to_owned(), |a| a.actor_b64());
        let request = AppendRequest {
            stream_type: A::TYPE,
            stream_id: loaded.id.clone(),
            loaded_seq: loaded.seq,
            loaded_hash: loaded.last_hash,
            after: loaded.pending.last().copied(),
            checked_at: ticket.checked_at,
            events,
            auth: ticket.auth.clone(),
            window: decision.window,
            reads,
            facts_at: decision.facts_at,
            metadata: json!({ "actor": actor }),
            client_token: ticket.client_token.clone(),
            documents: ticket.documents.clone(),
        };
        self.sequencer.enqueue(request).await
    }
}
