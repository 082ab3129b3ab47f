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
use ledger::{Auth, Hash, SignedEntry};
use serde_json::json;

use crate::sequencer::{
    AppendError, AppendRequest, Appended, ClientToken, PendingEvent, SequencerHandle,
};
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
    _aggregate: PhantomData<fn() -> A>,
}

/// An aggregate as loaded, with where its stream stood.
pub struct Loaded<A> {
    pub aggregate: A,
    id: String,
    seq: u64,
    last_hash: Hash,
}

impl<A> LedgerStore<A>
where
    A: Aggregate,
    A::Event: LedgerEvent,
{
    pub fn new(db: Db, sequencer: SequencerHandle) -> Self {
        Self {
            db,
            sequencer,
            _aggregate: PhantomData,
        }
    }

    /// The aggregate as its stream's entries build it.
    ///
    /// # Errors
    /// The store's error, or a stored entry that does not parse or decode.
    pub async fn load(&self, aggregate_id: &str) -> Result<Loaded<A>, String> {
        let rows = self
            .db
            .stream_entries(A::TYPE, aggregate_id)
            .await
            .map_err(|e| e.to_string())?;
        let mut aggregate = A::default();
        let (mut seq, mut last_hash) = (0, ZERO_HASH);
        for bytes in rows {
            // The signed bytes are the source of truth; upcasting happens on the decoded copy.
            let signed = SignedEntry::parse(&bytes).map_err(|e| format!("stored entry: {e}"))?;
            let entry = signed.entry;
            let event = A::Event::from_entry(&entry.event_type, &entry.version, entry.data)
                .map_err(|e| format!("stored event: {e}"))?;
            aggregate.apply(event);
            seq = entry.seq;
            last_hash = signed.hash;
        }
        Ok(Loaded {
            aggregate,
            id: aggregate_id.to_owned(),
            seq,
            last_hash,
        })
    }

    /// Sends a decision on `loaded` to the sequencer and waits for the commit.
    ///
    /// # Errors
    /// [`AppendError`] when the append path refuses; `Conflict` and `OutsideWindow` mean
    /// the command is to be decided again on a fresh load.
    pub async fn commit(
        &self,
        loaded: &Loaded<A>,
        decision: Decision<A::Event>,
        ticket: &Ticket,
    ) -> Result<Appended, AppendError> {
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
        self.sequencer.append(request).await
    }
}
