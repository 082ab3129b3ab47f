//! The planner on a small log held in memory: the genesis, then statements signed by its
//! administrator, decided batch by batch as the sequencer decides them under the lock.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use ledger::hash::ZERO_HASH;
use ledger::merkle::{leaf_hash, root_from_leaves};
use ledger::statement::Statement;
use serde_json::json;
use tempfile::TempDir;

use super::*;
use crate::sequencer::ClientToken;
use domain::TimeWindow;

const ORIGIN: &str = "planner.example/log";
/// The `recorded_at` the lock gives every batch of these tests.
const AT: &str = "2026-01-15T10:00:00.000Z";

fn at() -> Timestamp {
    Timestamp::parse_entry(AT).expect("a valid entry time")
}

fn admin_key() -> SigningKey {
    SigningKey::from_bytes(&[1; 32])
}

fn public(key: &SigningKey) -> String {
    keys::public_b64(key)
}

/// A log as the sequencer's memory and the store's head row would hold it, advanced by
/// applying each plan's write as the async shell does after the commit.
struct Log {
    _dir: TempDir,
    keys: LogKeyRing,
    registry: Registry,
    recent: RecentAppends,
    frontier: Frontier,
    /// Leaf hashes of every entry appended so far, for an independent tree root.
    leaves: Vec<Hash>,
    state: Option<(String, String)>,
    /// The id the next planned request gets, as the handle numbers them.
    next_id: std::cell::Cell<u64>,
}

impl Log {
    fn empty() -> Self {
        let dir = tempfile::tempdir().expect("a scratch folder");
        let keys = LogKeyRing::load(dir.path(), ORIGIN, SigningKey::from_bytes(&[9; 32]))
            .expect("an empty key folder");
        Log {
            _dir: dir,
            keys,
            registry: Registry::default(),
            recent: RecentAppends::new(0),
            frontier: Frontier::new(),
            leaves: Vec::new(),
            state: None,
            next_id: std::cell::Cell::new(1),
        }
    }

    /// A log holding its genesis entry, the administrator's key.
    fn started() -> Self {
        let mut log = Log::empty();
        let genesis = log.genesis();
        let plan = log.plan(&[genesis]);
        accepted(&plan.outcomes[0]);
        log.commit(&plan);
        log
    }

    fn genesis(&self) -> AppendRequest {
        let data = json!({
            "public_key": public(&admin_key()), "name": "admin", "roles": ["admin"],
            "origin": ORIGIN, "log_key": self.keys.genesis_verifier(),
        });
        request(
            "registry",
            "admin",
            (0, ZERO_HASH),
            event("ActorRegistered", data),
        )
    }

    fn head(&self) -> Head {
        Head {
            frontier: self.frontier.clone(),
            recorded_at: at(),
            chain: self.registry.log_keys().cloned(),
            taken_tokens: HashMap::new(),
            availability: DocumentAvailability::default(),
            origin: self.state.as_ref().map(|(o, _)| o.clone()),
            log_key: self.state.as_ref().map(|(_, k)| k.clone()),
        }
    }

    fn plan(&self, requests: &[AppendRequest]) -> Plan {
        self.plan_on(self.head(), requests)
    }

    /// Plans `requests`, numbered in order as the handle numbers what it queues.
    fn plan_on(&self, head: Head, requests: &[AppendRequest]) -> Plan {
        let numbered: Vec<Numbered> = requests
            .iter()
            .map(|request| {
                let id = self.next_id.get();
                self.next_id.set(id + 1);
                Numbered {
                    id,
                    request: request.clone(),
                }
            })
            .collect();
        self.plan_numbered(head, &numbered)
    }

    fn plan_numbered(&self, head: Head, requests: &[Numbered]) -> Plan {
        let facts = Facts {
            recent: &self.recent,
            actors: &self.registry,
            keys: &self.keys,
            origin: ORIGIN,
        };
        plan(head, requests, &facts)
    }

    /// What the shell does once the plan's write is committed.
    fn commit(&mut self, plan: &Plan) {
        let write = plan.write.as_ref().expect("something to write");
        for (entry, _) in &write.entries {
            self.registry.apply(entry);
        }
        write.remember_in(&mut self.recent);
        self.leaves
            .extend(write.rows.iter().map(|row| leaf_hash(&row.entry)));
        self.frontier = Frontier::from_bytes(write.state.tree_size, &write.state.frontier)
            .expect("the planned frontier");
        self.state = Some((
            write.state.origin.clone().expect("an origin"),
            write.state.log_key.clone().expect("a genesis key"),
        ));
    }
}

fn event(event_type: &str, data: Value) -> Vec<PendingEvent> {
    vec![PendingEvent {
        event_type: event_type.into(),
        version: "1".into(),
        data,
    }]
}

/// An unsigned request on `stream_type/stream_id`, loaded at `loaded` (seq, hash).
fn request(
    stream_type: &'static str,
    stream_id: &str,
    loaded: (u64, Hash),
    events: Vec<PendingEvent>,
) -> AppendRequest {
    AppendRequest {
        stream_type,
        stream_id: stream_id.into(),
        loaded_seq: loaded.0,
        loaded_hash: loaded.1,
        after: None,
        checked_at: 0,
        events,
        auth: None,
        window: TimeWindow::ALWAYS,
        reads: Vec::new(),
        facts_at: 0,
        metadata: json!({"actor": "public"}),
        client_token: None,
        documents: Vec::new(),
    }
}

/// A request whose statement `key` signed with `nonce`, its body the first event's data.
fn signed(
    key: &SigningKey,
    nonce: &str,
    stream_type: &'static str,
    stream_id: &str,
    loaded: (u64, Hash),
    events: Vec<PendingEvent>,
) -> AppendRequest {
    let statement = Statement {
        origin: ORIGIN.into(),
        command: "Test".into(),
        stream: format!("{stream_type}/{stream_id}"),
        body: events[0].data.clone(),
        issued_at: AT.into(),
        nonce: nonce.into(),
    };
    AppendRequest {
        auth: Some(Arc::new(Auth::sign(statement, key))),
        metadata: json!({"actor": public(key)}),
        ..request(stream_type, stream_id, loaded, events)
    }
}

/// The administrator registering `key` as actor `id`.
fn register(id: &str, key: &str, nonce: &str) -> AppendRequest {
    let data = json!({"public_key": key, "name": id, "institution": "i1", "roles": ["official"]});
    signed(
        &admin_key(),
        nonce,
        "registry",
        id,
        (0, ZERO_HASH),
        event("ActorRegistered", data),
    )
}

/// The administrator opening consultation `id`.
fn open(id: &str, nonce: &str, loaded: (u64, Hash)) -> AppendRequest {
    let data = json!({"title": id});
    signed(
        &admin_key(),
        nonce,
        "consultation",
        id,
        loaded,
        event("ConsultationOpened", data),
    )
}

fn accepted(outcome: &Outcome) -> &Appended {
    match outcome {
        Outcome::Accepted(appended) => appended,
        other => panic!("expected the request accepted, got {other:?}"),
    }
}

#[test]
fn entries_take_consecutive_indexes_from_the_head_and_chain_within_their_stream() {
    let log = Log::started();
    let two_events = {
        let mut events = event("ConsultationOpened", json!({"title": "c1"}));
        events.extend(event("ConsultationNoted", json!({"note": "n"})));
        signed(
            &admin_key(),
            "n1",
            "consultation",
            "c1",
            (0, ZERO_HASH),
            events,
        )
    };
    let other = open("c2", "n2", (0, ZERO_HASH));
    let plan = log.plan(&[two_events, other]);

    let first = accepted(&plan.outcomes[0]);
    let second = accepted(&plan.outcomes[1]);
    let indexes: Vec<u64> = first.entries.iter().map(|e| e.index).collect();
    assert_eq!(indexes, [1, 2], "after the genesis, at the head's size");
    assert_eq!(second.entries[0].index, 3);
    let write = plan.write.as_ref().expect("a write");
    let (e1, h1) = &write.entries[0];
    let (e2, _) = &write.entries[1];
    let (e3, _) = &write.entries[2];
    assert_eq!((e1.seq, e2.seq, e3.seq), (1, 2, 1));
    assert_eq!(e1.prev, ZERO_HASH, "a new stream starts from zeros");
    assert_eq!(e2.prev, *h1, "the command's second entry follows its first");
    assert_eq!(e3.prev, ZERO_HASH, "another stream has its own chain");
    assert_eq!(
        e2.auth_at,
        Some(1),
        "the second entry points at the statement"
    );
    let log_rows: Vec<u64> = write.rows.iter().map(|r| r.log_index).collect();
    assert_eq!(log_rows, [1, 2, 3]);
    assert_eq!(write.state.tree_size, 4);
    for ((entry, hash), row) in write.entries.iter().zip(&write.rows) {
        let parsed = SignedEntry::parse(&row.entry).expect("signed bytes");
        parsed
            .verify(&log.keys.genesis().key.verifying_key())
            .expect("signed by the key in force");
        assert_eq!((&parsed.entry, &parsed.hash), (entry, hash));
    }
}

/// `request`, decided on the state request `after` leaves before that one is committed.
fn after(after: u64, request: AppendRequest) -> AppendRequest {
    AppendRequest {
        after: Some(after),
        loaded_hash: ZERO_HASH,
        ..request
    }
}

fn noted(nonce: &str, loaded_seq: u64) -> AppendRequest {
    signed(
        &admin_key(),
        nonce,
        "consultation",
        "c1",
        (loaded_seq, ZERO_HASH),
        event("ConsultationNoted", json!({"note": nonce})),
    )
}

#[test]
fn a_later_command_of_the_batch_on_the_same_stream_chains_on_the_earlier_one() {
    let log = Log::started();
    let first_id = log.next_id.get();
    let plan = log.plan(&[
        open("c1", "n1", (0, ZERO_HASH)),
        // Decided on what the first leaves: the planner chains on what it signed.
        after(first_id, noted("n2", 1)),
        after(first_id + 1, noted("n3", 2)),
    ]);
    let first = accepted(&plan.outcomes[0]);
    let second = accepted(&plan.outcomes[1]);
    let third = accepted(&plan.outcomes[2]);
    assert_eq!((second.entries[0].seq, third.entries[0].seq), (2, 3));
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.entries[1].0.prev, first.entries[0].entry_hash);
    assert_eq!(write.entries[2].0.prev, second.entries[0].entry_hash);
    assert_eq!(write.writers, [first_id, first_id + 1, first_id + 2]);
}

#[test]
fn a_command_decided_after_a_request_that_fails_fails_with_it() {
    let log = Log::started();
    let first_id = log.next_id.get();
    let plan = log.plan(&[
        open("c1", "n1", (0, ZERO_HASH)),
        // Refused: the first used its nonce.
        after(first_id, noted("n1", 1)),
        // Decided after the refused second request, not after the accepted first.
        after(first_id + 1, noted("n3", 2)),
    ]);
    accepted(&plan.outcomes[0]);
    assert!(matches!(
        plan.outcomes[1],
        Outcome::Refused(AppendError::NonceReused)
    ));
    assert!(matches!(
        plan.outcomes[2],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    assert_eq!(plan.write.as_ref().map(|w| w.rows.len()), Some(1));
}

#[test]
fn a_chained_command_waits_for_its_request_across_batches_and_never_follows_another() {
    let mut log = Log::started();
    let first_id = log.next_id.get();
    let plan = log.plan(&[open("c1", "n1", (0, ZERO_HASH))]);
    log.commit(&plan);
    // The request it was decided after is the stream's head: it follows it.
    let plan = log.plan(&[after(first_id, noted("n2", 1))]);
    let second = accepted(&plan.outcomes[0]).clone();
    log.commit(&plan);
    // Decided after the first, but the second came between: the stream moved on.
    let plan = log.plan(&[after(first_id, noted("n3", 1))]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    // The same sequence number behind another request's entry is not the state decided on.
    let plan = log.plan(&[after(first_id, noted("n4", 2))]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    // Loaded from the store at the head: the hash must be the head's too.
    let plan = log.plan(&[noted("n5", 2)]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    let at_head = AppendRequest {
        loaded_hash: second.entries[0].entry_hash,
        ..noted("n6", 2)
    };
    accepted(&log.plan(&[at_head]).outcomes[0]);
}

#[test]
fn a_command_loaded_before_the_streams_last_append_is_a_conflict_to_retry() {
    let mut log = Log::started();
    let plan = log.plan(&[open("c1", "n1", (0, ZERO_HASH))]);
    let head = accepted(&plan.outcomes[0]).entries[0].entry_hash;
    log.commit(&plan);

    let stale = signed(
        &admin_key(),
        "n2",
        "consultation",
        "c1",
        (0, ZERO_HASH),
        event("ConsultationNoted", json!({"note": "n"})),
    );
    let fresh = signed(
        &admin_key(),
        "n3",
        "consultation",
        "c1",
        (1, head),
        event("ConsultationNoted", json!({"note": "n"})),
    );
    let plan = log.plan(&[stale, fresh]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    let appended = accepted(&plan.outcomes[1]);
    assert_eq!((appended.entries[0].index, appended.entries[0].seq), (2, 2));
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.entries[0].0.prev, head);
    assert_eq!(write.rows.len(), 1, "the conflict writes nothing");
}

#[test]
fn of_two_commands_from_the_same_loaded_head_the_second_is_a_conflict() {
    let log = Log::started();
    let plan = log.plan(&[
        open("c1", "n1", (0, ZERO_HASH)),
        open("c1", "n2", (0, ZERO_HASH)),
    ]);
    accepted(&plan.outcomes[0]);
    assert!(matches!(
        plan.outcomes[1],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    assert_eq!(plan.write.as_ref().map(|w| w.rows.len()), Some(1));
}

#[test]
fn a_nonce_used_earlier_in_the_batch_is_refused_and_a_committed_one_is_answered_again() {
    let mut log = Log::started();
    let plan = log.plan(&[
        open("c1", "same", (0, ZERO_HASH)),
        open("c2", "same", (0, ZERO_HASH)),
    ]);
    let first = accepted(&plan.outcomes[0]).clone();
    assert!(matches!(
        plan.outcomes[1],
        Outcome::Refused(AppendError::NonceReused)
    ));
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.nonces.len(), 1);
    assert_eq!(write.nonces[0].nonce, "same");
    assert_eq!(write.nonces[0].response, first.response().to_string());
    assert_eq!(write.nonces_at, [1]);
    log.commit(&plan);

    // The identical statement again, after the commit: its original answer.
    let plan = log.plan(&[open("c1", "same", (1, first.entries[0].entry_hash))]);
    match &plan.outcomes[0] {
        Outcome::Refused(AppendError::AlreadyAppended(Some(response))) => {
            assert_eq!(*response, first.response().to_string());
        }
        other => panic!("expected the earlier answer, got {other:?}"),
    }
    assert!(plan.write.is_none());
}

#[test]
fn a_client_token_used_earlier_in_the_batch_is_retried_and_a_stored_one_answered() {
    let log = Log::started();
    let comment = |token: &str, loaded_seq: u64| AppendRequest {
        after: (loaded_seq > 0).then(|| log.next_id.get()),
        client_token: Some(ClientToken {
            token: token.into(),
            request_hash: [7; 32],
        }),
        loaded_seq,
        ..request(
            "consultation",
            "c1",
            (0, ZERO_HASH),
            event("CommentSubmitted", json!({"text": token})),
        )
    };
    // Chained on the first, the second is appended when its token differs...
    let plan = log.plan(&[comment("t1", 0), comment("t2", 1)]);
    accepted(&plan.outcomes[0]);
    accepted(&plan.outcomes[1]);
    assert_eq!(plan.write.as_ref().map(|w| w.tokens.len()), Some(2));

    // ...and runs again after the batch when it is the same.
    let plan = log.plan(&[comment("t1", 0), comment("t1", 1)]);
    let appended = accepted(&plan.outcomes[0]);
    assert!(matches!(
        plan.outcomes[1],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.tokens.len(), 1);
    assert_eq!(write.tokens[0].consultation, "c1");
    assert_eq!(write.tokens[0].client_token, "t1");
    assert_eq!(write.tokens[0].log_index, appended.entries[0].index);
    assert_eq!(write.tokens[0].receipt, appended.entries[0].receipt());

    // A token the store already holds: the receipt it was answered with.
    let mut head = log.head();
    head.taken_tokens
        .insert(("c1".into(), "t0".into()), "receipt".into());
    let plan = log.plan_on(head, &[comment("t0", 0)]);
    assert!(matches!(
        &plan.outcomes[0],
        Outcome::Refused(AppendError::AlreadyAppended(Some(r))) if r == "receipt"
    ));
    assert!(plan.write.is_none());
}

#[test]
fn a_key_registered_earlier_in_the_batch_or_before_it_is_refused() {
    let mut log = Log::started();
    let alice = public(&SigningKey::from_bytes(&[2; 32]));
    let plan = log.plan(&[
        register("alice", &alice, "n1"),
        register("alice2", &alice, "n2"),
    ]);
    accepted(&plan.outcomes[0]);
    assert!(matches!(
        plan.outcomes[1],
        Outcome::Refused(AppendError::KeyAlreadyRegistered)
    ));
    log.commit(&plan);
    let plan = log.plan(&[register("alice3", &alice, "n3")]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::Refused(AppendError::KeyAlreadyRegistered)
    ));
    let plan = log.plan(&[register("admin2", &public(&admin_key()), "n4")]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::Refused(AppendError::KeyAlreadyRegistered)
    ));
}

#[test]
fn a_key_registered_earlier_in_the_batch_signs_later_commands_of_it() {
    let log = Log::started();
    let alice = SigningKey::from_bytes(&[2; 32]);
    let by_alice = signed(
        &alice,
        "a1",
        "consultation",
        "c1",
        (0, ZERO_HASH),
        event("ConsultationOpened", json!({"title": "c1"})),
    );
    let plan = log.plan(&[by_alice]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::Refused(AppendError::UnknownActor)
    ));
    let by_alice = signed(
        &alice,
        "a1",
        "consultation",
        "c1",
        (0, ZERO_HASH),
        event("ConsultationOpened", json!({"title": "c1"})),
    );
    let plan = log.plan(&[register("alice", &public(&alice), "n1"), by_alice]);
    accepted(&plan.outcomes[0]);
    accepted(&plan.outcomes[1]);
}

#[test]
fn a_command_whose_window_misses_recorded_at_is_retried_after_the_batch() {
    let log = Log::started();
    let opens_later = AppendRequest {
        window: TimeWindow {
            not_before: Some(at().plus_millis(1)),
            before: None,
        },
        ..open("c1", "n1", (0, ZERO_HASH))
    };
    let closed = AppendRequest {
        window: TimeWindow {
            not_before: None,
            before: Some(at()),
        },
        ..open("c2", "n2", (0, ZERO_HASH))
    };
    let open_now = AppendRequest {
        window: TimeWindow {
            not_before: Some(at()),
            before: Some(at().plus_millis(1)),
        },
        ..open("c3", "n3", (0, ZERO_HASH))
    };
    let plan = log.plan(&[opens_later, closed, open_now]);
    for outcome in &plan.outcomes[..2] {
        assert!(matches!(
            outcome,
            Outcome::RetryAfterBatch(AppendError::OutsideWindow)
        ));
    }
    let appended = accepted(&plan.outcomes[2]);
    assert_eq!(
        appended.entries[0].index, 1,
        "the retried ones took no index"
    );
}

#[test]
fn only_the_administrators_unsigned_first_entry_can_start_the_log() {
    let log = Log::empty();
    let plan = log.plan(&[open("c1", "n1", (0, ZERO_HASH))]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::Refused(AppendError::NoGenesis)
    ));
    assert!(plan.write.is_none());

    // The genesis first, then a statement its key signed, in one batch.
    let plan = log.plan(&[log.genesis(), open("c1", "n1", (0, ZERO_HASH))]);
    accepted(&plan.outcomes[0]);
    accepted(&plan.outcomes[1]);
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.state.origin.as_deref(), Some(ORIGIN));
    assert_eq!(
        write.state.log_key.as_deref(),
        Some(log.keys.genesis_verifier())
    );
    let chain = write.chain.as_ref().expect("the genesis starts the chain");
    assert_eq!(chain.current().to_string(), log.keys.genesis_verifier());

    // A second genesis on a started log, even one loaded at the admin stream's head.
    let log = Log::started();
    let head = log.recent.stream("registry/admin").expect("the genesis");
    let again = AppendRequest {
        loaded_seq: head.seq,
        loaded_hash: head.hash,
        ..log.genesis()
    };
    let plan = log.plan(&[again]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::Refused(AppendError::NoGenesis)
    ));
}

#[test]
fn the_checkpoint_is_the_merkle_root_of_every_planned_leaf() {
    let mut log = Log::started();
    for batch in 0..3 {
        let requests: Vec<AppendRequest> = (0..=batch)
            .map(|i| {
                open(
                    &format!("c{batch}-{i}"),
                    &format!("n{batch}-{i}"),
                    (0, ZERO_HASH),
                )
            })
            .collect();
        let plan = log.plan(&requests);
        log.commit(&plan);
        let write = plan.write.as_ref().expect("a write");
        let size = log.leaves.len() as u64;
        assert_eq!(size, 1 + (1..=batch + 1).sum::<u64>());
        assert_eq!(write.checkpoint.origin, ORIGIN);
        assert_eq!(write.checkpoint.size, size);
        assert_eq!(write.checkpoint.root, root_from_leaves(&log.leaves));
        assert_eq!(write.state.tree_size, size);
        assert_eq!(log.frontier.root(), write.checkpoint.root);
        assert_eq!(write.state.last_recorded_at.as_deref(), Some(AT));
    }
}

#[test]
fn a_document_withheld_earlier_in_the_batch_cannot_be_named() {
    const DOC: &str = "aa";
    let log = Log::started();
    let with_stored = || {
        let mut head = log.head();
        head.availability.stored.insert(DOC.into());
        head
    };
    let naming = || {
        let data = json!({"title": "c1", "documents": [DOC]});
        signed(
            &admin_key(),
            "n2",
            "consultation",
            "c1",
            (0, ZERO_HASH),
            event("ConsultationOpened", data),
        )
    };
    let withholding = {
        let data = json!({"title": "w", "withheld": [DOC]});
        signed(
            &admin_key(),
            "n1",
            "consultation",
            "w",
            (0, ZERO_HASH),
            event("ConsultationOpened", data),
        )
    };

    // Alone, the document may be named.
    let plan = log.plan_on(with_stored(), &[naming()]);
    accepted(&plan.outcomes[0]);
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.documents, [(DOC.to_owned(), 1)]);

    // After an entry of the same batch withheld it, it may not.
    let plan = log.plan_on(with_stored(), &[withholding, naming()]);
    accepted(&plan.outcomes[0]);
    assert!(matches!(
        &plan.outcomes[1],
        Outcome::Refused(AppendError::UnknownDocument(d)) if d == DOC
    ));
    let write = plan.write.as_ref().expect("a write");
    assert_eq!(write.withheld, [(DOC.to_owned(), 1)]);
    assert!(write.documents.is_empty());
}

#[test]
fn a_command_whose_read_facts_changed_since_it_read_them_is_a_conflict() {
    let mut log = Log::started();
    let reading = |nonce: &str, id: &str, facts_at: u64| AppendRequest {
        reads: vec!["consultation/c1".into()],
        facts_at,
        ..open(id, nonce, (0, ZERO_HASH))
    };
    // Changed earlier in the same batch.
    let plan = log.plan(&[open("c1", "n1", (0, ZERO_HASH)), reading("n2", "c2", 1)]);
    accepted(&plan.outcomes[0]);
    assert!(matches!(
        plan.outcomes[1],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    log.commit(&plan);

    // Changed by entry 1, after facts read at size 1 began: stale; at size 2: fresh.
    let plan = log.plan(&[reading("n3", "c3", 1), reading("n4", "c4", 2)]);
    assert!(matches!(
        plan.outcomes[0],
        Outcome::RetryAfterBatch(AppendError::Conflict)
    ));
    accepted(&plan.outcomes[1]);
}
