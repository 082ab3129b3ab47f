//! The ledger service: everything a request handler needs, and the write flow of
//! `POST /v1/statements` with its checks in the order docs/spec/api.md (section 2.1) fixes.

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use domain::authorization::{authorize, ActorInfo};
use domain::command::{route, AggregateCommand, RoutedCommand};
use domain::document::Document;
use domain::participation::{
    Consultation, ConsultationCommand, Draft, PublicComment, WITHHOLDING_GROUNDS,
};
use domain::registry::{Actor, ActorCommand, Institution, LogKey, RegisterGenesis};
use domain::support::{Application, Association, Award, Offer};
use domain::training::TrainingSession;
use domain::{Clock, DomainError, Issued, Recording, RegistryFacts, Services, Timing};
use ledger::canonical;
use ledger::statement::{StatementError, MAX_CLOCK_SKEW_MS};
use ledger::Auth;
use serde_json::Value;
use tokio::sync::OwnedMutexGuard;

use crate::command_documents;
use crate::event_store::{Decision, LedgerStore, Loaded, Ticket};
use crate::projector::ProjectionHandle;
use crate::public_channel::{erasure, PublicChannel};
use crate::refusal::{Kind, Refusal};
use crate::registry_state::SharedRegistry;
use crate::sequencer::{
    AppendError, Appended, ClientToken, Enqueued, Known, SequencerHandle, Settled,
};
use store::{Db, NewDocument};

/// How many times a command is run again after a conflict before the client gets a 503.
/// Commands racing on one offer's budget are decided one per batch, so this bounds how
/// many such commands can be in flight at once without a client seeing a 503.
const MAX_ATTEMPTS: usize = 64;
/// How long a command refused on a state resting on requests still in the queue waits
/// for them to settle before it is decided again.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a writer waits for the read models to include its entries.
const READ_YOUR_WRITES: Duration = Duration::from_secs(10);

/// What became of a command the engine was asked to record.
#[derive(Debug)]
pub enum Recorded {
    /// Appended now, with these entries.
    Appended(Appended),
    /// An identical statement (or a public comment with the same client token), sent
    /// concurrently, was appended first: the caller answers as that one was answered.
    Earlier,
}

/// Shared state of the server.
pub struct Service {
    pub db: Db,
    pub origin: String,
    /// The log's note verifier key string.
    pub log_key: String,
    pub registry: Arc<SharedRegistry>,
    pub sequencer: SequencerHandle,
    pub projections: ProjectionHandle,
    pub clock: Arc<dyn Clock>,
    /// The indicators' folds: the head and snapshots of earlier sizes (`reads::indicators`).
    pub indicators: crate::reads::indicators::IndicatorCache,
    /// The public channel's personal-data store and rate limit.
    pub public: PublicChannel,
    /// Witnesses' cosignatures of the latest checkpoints (`crate::cosigning`).
    pub cosignatures: crate::cosigning::Cosignatures,
    /// Commands on one stream take turns in this process (`stream_turns`).
    turns: crate::stream_turns::StreamTurns,
    /// Aggregates as last loaded (`aggregate_cache`).
    aggregates: crate::aggregate_cache::AggregateCache,
    /// The snapshot cadence, and which streams have one (`snapshots`).
    snapshots: crate::snapshots::Snapshots,
}

/// The parts a [`Service`] is built from.
pub struct ServiceParts {
    pub db: Db,
    pub origin: String,
    pub log_key: String,
    pub registry: Arc<SharedRegistry>,
    pub sequencer: SequencerHandle,
    pub projections: ProjectionHandle,
    pub clock: Arc<dyn Clock>,
    /// The snapshot cadence, and which streams have one.
    pub snapshots: crate::snapshots::Snapshots,
    pub public: PublicChannel,
}

impl Service {
    pub fn new(parts: ServiceParts) -> Self {
        Self {
            turns: crate::stream_turns::StreamTurns::default(),
            aggregates: Default::default(),
            indicators: Default::default(),
            cosignatures: Default::default(),
            db: parts.db,
            origin: parts.origin,
            log_key: parts.log_key,
            registry: parts.registry,
            sequencer: parts.sequencer,
            projections: parts.projections,
            clock: parts.clock,
            snapshots: parts.snapshots,
            public: parts.public,
        }
    }

    /// Writes the snapshots a next start-up and its first loads read: the cross-stream
    /// facts at the head, and every kept aggregate whose stream has grown by
    /// `--snapshot-every` entries since its last snapshot. Called by a stopping process;
    /// a failure only makes the next start slower.
    pub async fn save_snapshots(&self) {
        for write in self
            .aggregates
            .due_snapshots(self.snapshots.every, &self.sequencer)
        {
            if let Err(e) = self
                .db
                .put_snapshot(
                    write.kind,
                    &write.id,
                    crate::event_store::SNAPSHOT_FORMAT,
                    &write.snapshot,
                )
                .await
            {
                tracing::warn!(error = %e, "snapshot not written at shutdown");
            }
        }
        if let Err(e) = crate::registry_startup::save_now(&self.db, &self.registry).await {
            tracing::warn!(error = %e, "the facts' snapshot not written at shutdown");
        }
    }

    /// Records the genesis entry (index 0): the first administrator, the origin and the
    /// log key. Only the server does this, on first start against an empty store.
    ///
    /// # Errors
    /// When the log is not empty or the store refuses.
    pub async fn record_genesis(&self, admin_public_key: &str) -> Result<Appended, Refusal> {
        let command = AggregateCommand::Actor(ActorCommand::RegisterGenesis(RegisterGenesis {
            public_key: admin_public_key.to_owned(),
            name: "Genesis administrator".into(),
            origin: self.origin.clone(),
            log_key: self.log_key.clone(),
        }));
        match self
            .execute("admin", command, None, Ticket::default())
            .await?
        {
            Recorded::Appended(appended) => Ok(appended),
            // The genesis has neither statement nor token to be a copy of.
            Recorded::Earlier => Err(Refusal::internal(&"the genesis came earlier")),
        }
    }

    /// `POST /v1/statements`: checks, in the order of docs/spec/api.md (section 2.1), then runs
    /// the command.
    ///
    /// # Errors
    /// The first check that fails decides the answer; nothing is appended then.
    pub async fn submit_statement(&self, body: &[u8]) -> Result<Value, Refusal> {
        // Malformed or over the size limit: 400 / 413.
        let value = canonical::parse(body)
            .map_err(|e| Refusal::bad_request("malformed_json", e.to_string()))?;
        let auth = Auth::from_value(&value).map_err(|e| match e {
            // `Statement::from_value` already measures canonical(statement): its size error
            // is the 413 of docs/spec/ledger-format.md, not a malformed statement.
            StatementError::TooLarge { .. } => {
                Refusal::too_large("statement_too_large", e.to_string())
            }
            e => Refusal::bad_request("invalid_statement", e.to_string()),
        })?;
        let statement = &auth.statement;
        let routed = route(
            &statement.command,
            &statement.stream,
            &statement.body,
            self.registry.as_ref(),
        )?;

        // Anything appended after this size is in the sequencer's memory (see RecentAppends).
        let checked_at = self.sequencer.known_size();
        let actor = auth.actor_b64();
        let previous = self.db.nonce(&actor, &auth.statement.nonce).await?;
        if let Some((hash, response)) = &previous {
            if *hash == auth.statement_hash() {
                return original_answer(response);
            }
        }

        // Who signed it: 401.
        auth.verify()
            .map_err(|e| Refusal::unauthorized("invalid_signature", e.to_string()))?;
        if self.registry.actor(&actor).is_none() {
            // Perhaps registered through another process sharing the database.
            self.sequencer.sync().await;
        }
        let record = self.registry.actor(&actor).ok_or_else(|| {
            Refusal::unauthorized("unknown_actor", "the signing key is not registered")
        })?;
        if record.revoked_at.is_some() {
            return Err(Refusal::unauthorized(
                "actor_revoked",
                "the signing key was revoked",
            ));
        }
        if auth.statement.origin != self.origin {
            return Err(Refusal::unauthorized(
                "wrong_origin",
                format!(
                    "the statement is for log {:?}, this is {:?}",
                    auth.statement.origin, self.origin
                ),
            ));
        }
        let skew = (self.clock.now().millis() - auth.statement.issued_at().millis()).abs();
        if skew > MAX_CLOCK_SKEW_MS {
            return Err(Refusal::unauthorized(
                "stale_statement",
                "issued_at is more than five minutes from the ledger's clock",
            ));
        }
        // Replay: 409.
        if previous.is_some() {
            return Err(Refusal::new(
                Kind::Conflict,
                "nonce_reused",
                "this nonce was already used by this actor",
            ));
        }
        // Role and institution: 403.
        authorize(&record.info, &auth.statement.command, &routed.scope)?;
        let mut routed = routed;
        command_documents::prepare(&self.db, &mut routed.command).await?;
        let withholding_hide = withholding_hide(&routed);

        let (nonce, statement_hash) = (auth.statement.nonce.clone(), auth.statement_hash());
        let ticket = Ticket {
            auth: Some(Arc::new(auth)),
            checked_at,
            ..Ticket::default()
        };
        let appended = match self
            .execute(
                routed.stream.id.as_str(),
                routed.command,
                Some(record.info.clone()),
                ticket,
            )
            .await
        {
            Ok(Recorded::Appended(appended)) => appended,
            Ok(Recorded::Earlier) => {
                return match self.db.nonce(&actor, &nonce).await {
                    Ok(Some((_, response))) => original_answer(&response),
                    Ok(None) => Err(Refusal::internal(
                        &"appended statement has no recorded answer",
                    )),
                    Err(e) => Err(Refusal::unavailable(&e)),
                };
            }
            Err(e) => {
                // An identical copy sent concurrently may have been appended while this one
                // ran: this copy then lost on the stream and the domain refused it (the
                // institution is now registered, the actor revoked). The client is owed
                // the original answer, not that refusal.
                if let Ok(Some((hash, response))) = self.db.nonce(&actor, &nonce).await {
                    if hash == statement_hash {
                        return original_answer(&response);
                    }
                }
                return Err(e);
            }
        };
        // Personal data named by an erasure goes now; if this fails or the process dies
        // first, the reconciliation of `erasure::start` finishes it.
        erasure::after_append(&self.public.persons, &appended).await;
        let mut response = appended.response();
        if let (Some((stream, comment)), Value::Object(members)) = (withholding_hide, &mut response)
        {
            members.insert(
                "still_named_by".to_owned(),
                self.still_named_by(&stream, comment),
            );
        }
        Ok(response)
    }

    /// The entries other than comment `comment` of `stream` that still publish that
    /// comment's document, as the log stands after its moderation: why a hide on a
    /// withholding ground withheld nothing (docs/public-channel.md). Empty once withheld.
    fn still_named_by(&self, stream: &str, comment: u64) -> Value {
        let facts = self
            .registry
            .comment_document(stream, comment)
            .and_then(|doc| self.registry.document(&doc));
        let Some(facts) = facts.filter(|f| !f.withheld) else {
            return Value::Array(Vec::new());
        };
        facts
            .publishers(Some((stream, comment)))
            .into_iter()
            .map(|n| serde_json::json!({"stream": n.stream, "comment": n.comment}))
            .collect()
    }

    /// Records a comment of the public channel: no key, no `auth` on the entry, and its
    /// `data` says it came through the public channel (`docs/spec/ledger-format.md`). The text must
    /// already be stored as a document; the person reference comes from the erasable
    /// personal-data store.
    ///
    /// # Errors
    /// The domain's refusals (window, article), 422 `invalid_comment_text`, or the store's.
    pub async fn submit_public_comment(
        &self,
        consultation: &str,
        comment: PublicComment,
    ) -> Result<Appended, Refusal> {
        match self
            .record_public_comment(consultation, comment, None, None)
            .await?
        {
            Recorded::Appended(appended) => Ok(appended),
            // Only a client token can make a comment a copy of an earlier one.
            Recorded::Earlier => Err(Refusal::internal(&"a comment without a token came earlier")),
        }
    }

    /// [`Service::submit_public_comment`] with a client token: the comment is appended
    /// only if no comment of this consultation used the token, and the token's receipt is
    /// recorded in the same transaction (`crate::public_channel`). With `text`, the
    /// comment's bytes are stored by the append transaction itself, so a refused comment
    /// leaves nothing behind; without it, the text must already be stored.
    ///
    /// # Errors
    /// As [`Service::submit_public_comment`]. A token already used is not an error: the
    /// answer is [`Recorded::Earlier`].
    pub async fn record_public_comment(
        &self,
        consultation: &str,
        comment: PublicComment,
        client_token: Option<ClientToken>,
        text: Option<Vec<u8>>,
    ) -> Result<Recorded, Refusal> {
        domain::AggregateId::parse(consultation)?;
        let documents = match text {
            None => {
                command_documents::comment_text(&self.db, &comment.document).await?;
                Vec::new()
            }
            Some(text) => {
                command_documents::carried_comment_text(&self.db, &comment.document, &text).await?;
                vec![NewDocument {
                    sha256: comment.document.clone(),
                    content: text,
                    uploaded_by: "public".to_owned(),
                }]
            }
        };
        let command = AggregateCommand::Consultation(ConsultationCommand::PublicComment(comment));
        // The stream heads this process remembers cover everything from here on.
        let ticket = Ticket {
            checked_at: self.sequencer.known_size(),
            client_token,
            documents,
            ..Ticket::default()
        };
        self.execute(consultation, command, None, ticket).await
    }

    /// Runs a command, again on a conflict, and returns what the log recorded.
    async fn execute(
        &self,
        id: &str,
        command: AggregateCommand,
        by: Option<ActorInfo>,
        ticket: Ticket,
    ) -> Result<Recorded, Refusal> {
        let stream = format!("{}/{id}", command.stream_type());
        let mut caught_up = false;
        for _ in 0..MAX_ATTEMPTS {
            let t = &ticket;
            // The stream's turn in this process: held while the command is decided and
            // queued, passed on before its commit (see `attempt`).
            let turn = self.turns.wait(stream.clone()).await;
            let attempt = match &command {
                AggregateCommand::Institution(c) => {
                    self.attempt::<Institution>(id, c.clone(), t, turn).await
                }
                AggregateCommand::Actor(c) => self.attempt::<Actor>(id, c.clone(), t, turn).await,
                AggregateCommand::LogKey(c) => self.attempt::<LogKey>(id, c.clone(), t, turn).await,
                AggregateCommand::Document(c) => {
                    self.attempt::<Document>(id, c.clone(), t, turn).await
                }
                AggregateCommand::Association(c) => {
                    self.attempt::<Association>(id, issued(id, c, &by), t, turn)
                        .await
                }
                AggregateCommand::Offer(c) => {
                    self.attempt::<Offer>(id, issued(id, c, &by), t, turn).await
                }
                AggregateCommand::Application(c) => {
                    self.attempt::<Application>(id, issued(id, c, &by), t, turn)
                        .await
                }
                AggregateCommand::Award(c) => {
                    self.attempt::<Award>(id, issued(id, c, &by), t, turn).await
                }
                AggregateCommand::Draft(c) => {
                    self.attempt::<Draft>(id, issued(id, c, &by), t, turn).await
                }
                AggregateCommand::Consultation(c) => {
                    self.attempt::<Consultation>(id, issued(id, c, &by), t, turn)
                        .await
                }
                AggregateCommand::Training(c) => {
                    self.attempt::<TrainingSession>(id, issued(id, c, &by), t, turn)
                        .await
                }
            };
            return match attempt {
                Attempt::Appended(appended) => Ok(Recorded::Appended(appended)),
                Attempt::Failed(AppendError::AlreadyAppended(_)) => Ok(Recorded::Earlier),
                Attempt::Failed(AppendError::Conflict | AppendError::OutsideWindow)
                | Attempt::Again => continue,
                Attempt::Refused(e) => {
                    // The refusal may rest on facts this process has not read yet (an offer
                    // another process just published): catch up once, and decide again if
                    // there was anything to read.
                    if !caught_up {
                        caught_up = true;
                        let before = self.sequencer.known_size();
                        self.sequencer.sync().await;
                        if self.sequencer.known_size() > before {
                            continue;
                        }
                    }
                    Err(domain_error(e))
                }
                Attempt::Failed(e) => Err(append_error(e)),
                Attempt::Store(e) => Err(Refusal::unavailable(&e)),
                Attempt::NoEvent => Err(Refusal::internal(&"a command produced no event")),
            };
        }
        Err(Refusal::new(
            Kind::Unavailable,
            "busy",
            "the stream is too busy; retry",
        ))
    }

    /// Decides a command once, on the stream and the facts as they are now, and sends its
    /// events to the sequencer: cqrs-es's load, `handle` and commit, with the ticket, the
    /// decision's read set and its time window passed along as values. The registry and
    /// the clock the aggregate reads are this attempt's own ([`Recording`], [`Timing`]), so
    /// the read set and the window are exactly what this decision asked for and stated.
    ///
    /// Once the events are queued, the aggregate that applied them is left in the cache as
    /// the state the stream will have after them, and the stream's turn passes on: the
    /// next command on the stream is decided on that state while this one is being made
    /// durable, and the sequencer takes it only right after this one (a stream's commands
    /// share one batch instead of one batch each). Should this one fail, the next fails
    /// with it and runs again on a fresh load.
    async fn attempt<A>(
        &self,
        id: &str,
        command: A::Command,
        ticket: &Ticket,
        turn: OwnedMutexGuard<()>,
    ) -> Attempt
    where
        A: cqrs_es::Aggregate<Services = Services, Error = DomainError> + 'static,
        A::Event: domain::LedgerEvent,
    {
        let store = LedgerStore::<A>::new(
            self.db.clone(),
            self.sequencer.clone(),
            self.snapshots.clone(),
        );
        // Whatever the aggregate reads of other streams is at least this fresh.
        let facts_at = self.sequencer.known_size();
        let stream = format!("{}/{id}", A::TYPE);
        let cached = self
            .aggregates
            .take::<Loaded<A>>(&stream)
            .and_then(|c| c.settle(&self.sequencer));
        let mut loaded = match store.load(id, cached).await {
            Ok(loaded) => loaded,
            Err(e) => return Attempt::Store(e),
        };
        let resting_on = loaded.pending().to_vec();
        let queued = match self
            .decide(&store, &mut loaded, command, ticket, facts_at)
            .await
        {
            // A refusal is only the log's answer if the state it was decided on becomes the
            // log's: on a state resting on requests not yet settled (a closing the command
            // came after, which may yet fail), the turn passes on, the refusal waits for
            // them, and stands if they were all committed; if one failed, decide again.
            Decided::Untouched(Attempt::Refused(e)) if !resting_on.is_empty() => {
                self.aggregates.put(stream, loaded);
                drop(turn);
                return self.refusal_once_settled(e, &resting_on).await;
            }
            Decided::Applied(Attempt::Refused(e)) if !resting_on.is_empty() => {
                drop(turn);
                return self.refusal_once_settled(e, &resting_on).await;
            }
            Decided::Queued(queued, events) => {
                // A rotation's entry carries more than its event (the log adds its
                // signatures), so the log's own stream is always loaded afresh.
                if A::TYPE != domain::names::stream::LOG {
                    loaded.speculate(queued.id, events);
                    self.aggregates.put(stream, loaded);
                }
                queued
            }
            Decided::Untouched(attempt) => {
                self.aggregates.put(stream, loaded);
                return attempt;
            }
            // A decision the log did not take is in the aggregate: it goes.
            Decided::Applied(attempt) => return attempt,
        };
        drop(turn);
        match queued.settled().await {
            Ok(appended) => Attempt::Appended(appended),
            Err(e) => Attempt::Failed(e),
        }
    }

    /// `refusal`, decided on a state resting on requests `resting_on`, once they are
    /// settled: the log's answer if they were all committed (the state it was decided on
    /// is then the log's), else [`Attempt::Again`].
    async fn refusal_once_settled(&self, refusal: DomainError, resting_on: &[u64]) -> Attempt {
        self.sequencer
            .wait_settled(resting_on, SETTLE_TIMEOUT)
            .await;
        let all_committed = resting_on.iter().all(|id| {
            matches!(
                self.sequencer.outcome(*id),
                Known::Settled(Settled::Committed { .. })
            )
        });
        if all_committed {
            Attempt::Refused(refusal)
        } else {
            Attempt::Again
        }
    }

    /// Decides `command` on `loaded` and queues the decision for the log.
    async fn decide<A>(
        &self,
        store: &LedgerStore<A>,
        loaded: &mut Loaded<A>,
        command: A::Command,
        ticket: &Ticket,
        facts_at: u64,
    ) -> Decided
    where
        A: cqrs_es::Aggregate<Services = Services, Error = DomainError>,
        A::Event: domain::LedgerEvent,
    {
        let recording = Arc::new(Recording::new(self.registry.clone()));
        let timing = Arc::new(Timing::new(self.clock.clone()));
        let services = Services {
            clock: timing.clone(),
            registry: recording.clone(),
        };
        let sink = EventSink::default();
        let handled = loaded.aggregate.handle(command, &services, &sink).await;
        let events = sink.collect().await;
        if let Err(e) = handled {
            return if events.is_empty() {
                Decided::Untouched(Attempt::Refused(e))
            } else {
                Decided::Applied(Attempt::Refused(e))
            };
        }
        if events.is_empty() {
            return Decided::Untouched(Attempt::NoEvent);
        }
        let count = events.len() as u64;
        let decision = Decision {
            events,
            window: timing.window(),
            reads: recording.reads(),
            facts_at,
        };
        match store.submit(loaded, decision, ticket).await {
            Ok(queued) => Decided::Queued(queued, count),
            Err(e) => Decided::Applied(Attempt::Failed(e)),
        }
    }

    /// The note verifier key string of the log key in force: the genesis key until a
    /// rotation, then the key the last rotation named.
    pub fn current_log_key(&self) -> String {
        self.registry
            .log_keys()
            .map_or_else(|| self.log_key.clone(), |chain| chain.current().to_string())
    }

    /// The log's keys, oldest first, each with the first index it signs; `None` before
    /// the genesis.
    pub fn log_key_chain(&self) -> Option<ledger::rotation::LogKeyChain> {
        self.registry.log_keys()
    }

    /// Waits until the read models include every entry this process has seen committed,
    /// so that a read following an acknowledged write sees it. Readers wait, not writers:
    /// a write is acknowledged as soon as it is durable, and only reads that come right
    /// after writes pay for the projection's lag.
    pub async fn await_read_models(&self) {
        let size = self.sequencer.known_size();
        if !self.projections.wait_for(size, READ_YOUR_WRITES).await {
            tracing::warn!(size, "read models lag behind acknowledged writes");
        }
    }
}

/// A command with its issuer, as the aggregates of the support lifecycle, participation and
/// training receive it.
fn issued<C: Clone>(id: &str, command: &C, by: &Option<ActorInfo>) -> Issued<C> {
    Issued::new(id, command.clone(), by.clone())
}

/// What deciding a command did: queued its events (how many), or ended the attempt
/// with the aggregate untouched or with events applied that the log will not hold.
enum Decided {
    Queued(Enqueued, u64),
    Untouched(Attempt),
    Applied(Attempt),
}

/// How one attempt at a command ended.
enum Attempt {
    Appended(Appended),
    /// The domain refused the command.
    Refused(DomainError),
    /// The append path refused it.
    Failed(AppendError),
    /// The stream could not be loaded.
    Store(String),
    NoEvent,
    /// Decided on a state that was not yet the log's: decide again.
    Again,
}

fn domain_error(e: DomainError) -> Refusal {
    e.into()
}

fn original_answer(response: &str) -> Result<Value, Refusal> {
    let value = serde_json::from_str(response).map_err(|e| Refusal::internal(&e))?;
    Ok(value)
}

/// A `ModerateComment` hiding a comment on a withholding ground: its consultation's
/// stream and the comment's number.
fn withholding_hide(routed: &RoutedCommand) -> Option<(String, u64)> {
    match &routed.command {
        AggregateCommand::Consultation(ConsultationCommand::Moderate(m))
            if m.action == "hide" && WITHHOLDING_GROUNDS.contains(&m.ground.as_str()) =>
        {
            Some((routed.stream.to_string(), m.comment))
        }
        _ => None,
    }
}

/// The refusal of an append the sequencer did not make.
fn append_error(e: AppendError) -> Refusal {
    let unauthorized = |code| Refusal::unauthorized(code, e.to_string());
    match &e {
        AppendError::ActorRevoked => unauthorized("actor_revoked"),
        AppendError::UnknownActor => unauthorized("unknown_actor"),
        AppendError::StaleStatement => unauthorized("stale_statement"),
        AppendError::NonceReused => Refusal::new(Kind::Conflict, "nonce_reused", e.to_string()),
        AppendError::KeyAlreadyRegistered => {
            Refusal::new(Kind::Conflict, "key_already_registered", e.to_string())
        }
        AppendError::EntryTooLarge => Refusal::too_large("entry_too_large", e.to_string()),
        AppendError::UnknownDocument(_) => {
            Refusal::new(Kind::Rule, "unknown_document", e.to_string())
        }
        // Not a refusal: `Service::execute` answers it as `Recorded::Earlier`.
        AppendError::AlreadyAppended(_) => Refusal::internal(&e),
        AppendError::LogKeyUsed => Refusal::new(Kind::Conflict, "log_key_used", e.to_string()),
        AppendError::LogKeyName(_) => Refusal::bad_request("invalid_log_key", e.to_string()),
        AppendError::NewLogKeyUnavailable(_) => {
            Refusal::new(Kind::Conflict, "log_key_unavailable", e.to_string())
        }
        AppendError::LogKeyUnavailable(_) => {
            Refusal::new(Kind::Unavailable, "log_key_unavailable", e.to_string())
        }
        AppendError::NoGenesis => Refusal::new(Kind::Unavailable, "no_genesis", e.to_string()),
        AppendError::Unavailable(detail) => Refusal::unavailable(detail),
        AppendError::Conflict | AppendError::OutsideWindow | AppendError::Internal(_) => {
            Refusal::internal(&e)
        }
    }
}
