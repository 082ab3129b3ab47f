//! The cqrs-es event store over the ledger: aggregates load from their stream's signed
//! entries and commit through the [`crate::sequencer`], so every event is a ledger entry.
//!
//! cqrs-es hands `commit` only the events, the aggregate and the metadata; what a command
//! needs beyond that (its actor's statement, where to put the log's answer) travels in a
//! [`Ticket`] that the metadata names by id.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cqrs_es::{
    Aggregate, AggregateContext, AggregateError, DomainEvent, EventEnvelope, EventStore,
};
use domain::{LedgerEvent, Recording, TimedDecision};
use ledger::hash::ZERO_HASH;
use ledger::{Auth, Hash, SignedEntry};
use serde_json::json;

use crate::sequencer::{
    AppendError, AppendRequest, Appended, ClientToken, PendingEvent, SequencerHandle,
};
use store::{Db, NewDocument};

/// The metadata key that names a command's [`Ticket`].
pub const TICKET_KEY: &str = "ticket";

/// What a command carries past cqrs-es into the append path, and the log's answer back.
#[derive(Debug, Default)]
pub struct Ticket {
    pub auth: Option<Arc<Auth>>,
    /// The tree size this process had seen before the statement's nonce was checked.
    pub checked_at: u64,
    /// A tree size the facts of other streams were at least as fresh as when the current
    /// attempt read them; set before each attempt. Anything a decision read (its guard
    /// keys) must be unchanged from this size on.
    pub facts_at: AtomicU64,
    /// A public comment's retry token (see [`AppendRequest::client_token`]).
    pub client_token: Option<ClientToken>,
    /// Bytes stored with the command (see [`AppendRequest::documents`]).
    pub documents: Vec<NewDocument>,
    pub outcome: Mutex<Option<Result<Appended, AppendError>>>,
}

/// Tickets of the commands in flight, by id.
#[derive(Debug, Default)]
pub struct Tickets {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Ticket>>>,
}

impl Tickets {
    /// Registers a ticket; returns its id for the metadata. Call [`Tickets::close`] after.
    pub fn open(&self, ticket: Ticket) -> (u64, Arc<Ticket>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let ticket = Arc::new(ticket);
        self.lock().insert(id, ticket.clone());
        (id, ticket)
    }

    pub fn close(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn get(&self, id: u64) -> Option<Arc<Ticket>> {
        self.lock().get(&id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Ticket>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The event store of one attempt at a command on one aggregate type.
pub struct LedgerStore<A> {
    db: Db,
    sequencer: SequencerHandle,
    tickets: Arc<Tickets>,
    /// The registry the attempt's aggregate reads: what it noted is the decision's read set.
    facts: Arc<Recording>,
    _aggregate: PhantomData<fn() -> A>,
}

impl<A> LedgerStore<A> {
    pub fn new(
        db: Db,
        sequencer: SequencerHandle,
        tickets: Arc<Tickets>,
        facts: Arc<Recording>,
    ) -> Self {
        Self {
            db,
            sequencer,
            tickets,
            facts,
            _aggregate: PhantomData,
        }
    }
}

/// An aggregate as loaded, with where its stream stood.
pub struct LedgerContext<A> {
    aggregate: A,
    id: String,
    seq: u64,
    last_hash: Hash,
}

impl<A: Aggregate> AggregateContext<A> for LedgerContext<A> {
    fn aggregate(&mut self) -> &mut A {
        &mut self.aggregate
    }
}

fn unexpected<E: std::error::Error>(message: String) -> AggregateError<E> {
    AggregateError::UnexpectedError(message.into())
}

impl<A> LedgerStore<A>
where
    A: Aggregate,
    A::Event: LedgerEvent,
{
    /// The stream's entries, decoded, with the last sequence number and entry hash.
    async fn read_stream(
        &self,
        aggregate_id: &str,
    ) -> Result<(Vec<EventEnvelope<A>>, u64, Hash), AggregateError<A::Error>> {
        let rows = self
            .db
            .stream_entries(A::TYPE, aggregate_id)
            .await
            .map_err(|e| AggregateError::DatabaseConnectionError(Box::new(e)))?;
        let mut envelopes = Vec::with_capacity(rows.len());
        let (mut seq, mut last_hash) = (0, ZERO_HASH);
        for bytes in rows {
            // The signed bytes are the source of truth; upcasting happens on the decoded copy.
            let signed =
                SignedEntry::parse(&bytes).map_err(|e| unexpected(format!("stored entry: {e}")))?;
            let entry = signed.entry;
            let payload = A::Event::from_entry(&entry.event_type, &entry.version, entry.data)
                .map_err(|e| AggregateError::DeserializationError(e.into()))?;
            seq = entry.seq;
            last_hash = signed.hash;
            envelopes.push(EventEnvelope {
                aggregate_id: aggregate_id.to_owned(),
                sequence: usize::try_from(entry.seq).unwrap_or(usize::MAX),
                payload,
                metadata: HashMap::new(),
            });
        }
        Ok((envelopes, seq, last_hash))
    }
}

impl<A> EventStore<A> for LedgerStore<A>
where
    A: Aggregate + TimedDecision,
    A::Event: LedgerEvent,
{
    type AC = LedgerContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        Ok(self.read_stream(aggregate_id).await?.0)
    }

    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<LedgerContext<A>, AggregateError<A::Error>> {
        let (envelopes, seq, last_hash) = self.read_stream(aggregate_id).await?;
        let mut aggregate = A::default();
        for envelope in envelopes {
            aggregate.apply(envelope.payload);
        }
        Ok(LedgerContext {
            aggregate,
            id: aggregate_id.to_owned(),
            seq,
            last_hash,
        })
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: LedgerContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let ticket = metadata
            .get(TICKET_KEY)
            .and_then(|id| id.parse().ok())
            .and_then(|id| self.tickets.get(id))
            .ok_or_else(|| unexpected("a command reached the ledger without its ticket".into()))?;
        let pending = events
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
            stream_id: context.id.clone(),
            loaded_seq: context.seq,
            loaded_hash: context.last_hash,
            checked_at: ticket.checked_at,
            events: pending,
            auth: ticket.auth.clone(),
            window: context.aggregate.decision_window(),
            reads: read_set(&self.facts, &format!("{}/{}", A::TYPE, context.id)),
            facts_at: ticket.facts_at.load(Ordering::Acquire),
            metadata: json!({ "actor": actor }),
            client_token: ticket.client_token.clone(),
            documents: ticket.documents.clone(),
            reply: tokio::sync::oneshot::channel().0,
        };
        let outcome = self.sequencer.append(request).await;
        let result = match &outcome {
            Ok(appended) => Ok(appended
                .entries
                .iter()
                .zip(events)
                .map(|(entry, payload)| EventEnvelope {
                    aggregate_id: context.id.clone(),
                    sequence: usize::try_from(entry.seq).unwrap_or(usize::MAX),
                    payload,
                    metadata: metadata.clone(),
                })
                .collect()),
            // cqrs-es's conflict: the caller runs the command again on a fresh load.
            Err(AppendError::Conflict | AppendError::OutsideWindow) => {
                Err(AggregateError::AggregateConflict)
            }
            Err(e) => Err(unexpected(e.to_string())),
        };
        *ticket.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
        result
    }
}

/// The guard keys the decision read, less its own stream, whose head the append path
/// checks anyway (against the loaded sequence number, not against when facts were read).
fn read_set(facts: &Recording, own_stream: &str) -> Vec<String> {
    let mut reads = facts.reads();
    reads.retain(|key| key != own_stream);
    reads
}
