//! What the support-lifecycle tests (`docs/support-lifecycle.md`) stand on: a
//! ledger clock the test moves by hand ([`TestClock`]), the real server started on it with
//! statements signed at its time ([`Ledger`]), the officials and associations every
//! scenario needs ([`Cast`]), the bodies of the lifecycle's commands with realistic
//! defaults that a test changes one field at a time, and the refusal tables built on them:
//! a known-good statement ([`Unsigned`]) and, a row each, the one thing changed in it with
//! the status and code it must get ([`Ledger::refuse_all`]).
//!
//! Why a clock of our own: an offer's window is days long and the first quarter ends on
//! 31 March; the domain judges both by the ledger's clock, and a test cannot wait. The
//! server reads the time only through the clock it is given, so moving [`TestClock`] moves
//! `recorded_at`, the five-minute `issued_at` check and every time rule at once.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use domain::Clock;
use ed25519_dalek::SigningKey;
use ledger::statement::body_within_data;
use ledger::{Auth, Statement, Timestamp};
use serde_json::{json, Value};

use crate::support::{new_key, nonce, parse_entry, public_b64, Backend, Reply, TestApp};

// ---------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------

/// Where every lifecycle story starts: a Monday of February 2026, inside the first
/// quarter, so an offer published now is on time.
pub const START: &str = "2026-02-02T09:00:00.000Z";
/// The default offer's window, as its body writes it (statement form, no milliseconds).
pub const OPENS_AT: &str = "2026-02-03T00:00:00Z";
pub const CLOSES_AT: &str = "2026-02-20T00:00:00Z";
/// The default offer's window edges in entry form: its first millisecond, its last one,
/// and the instant it closes (the window is `[opens_at, closes_at)`).
pub const OPENS: &str = "2026-02-03T00:00:00.000Z";
pub const LAST_MILLISECOND: &str = "2026-02-19T23:59:59.999Z";
pub const CLOSES: &str = "2026-02-20T00:00:00.000Z";
/// Inside the default offer's window.
pub const IN_WINDOW: &str = "2026-02-05T10:00:00.000Z";
/// After the default offer's `closes_at`, still in the first quarter.
pub const AFTER_CLOSE: &str = "2026-02-21T09:00:00.000Z";
/// Q1 2026 ends at 2026-04-01T00:00 in Africa/Casablanca, which is UTC+1 then (Ramadan's
/// UTC+0 ended in March): the instant `q1_deadline` must name.
pub const Q1_DEADLINE_2026: &str = "2026-03-31T23:00:00.000Z";

/// Parses an instant written in entry form.
pub fn at(instant: &str) -> Timestamp {
    Timestamp::parse_entry(instant).unwrap_or_else(|e| panic!("bad test instant {instant}: {e}"))
}

/// A ledger clock that stands still until the test moves it, and only ever forward (the
/// log's `recorded_at` never goes back, so neither may the story).
#[derive(Debug)]
pub struct TestClock {
    millis: AtomicI64,
}

impl TestClock {
    pub fn starting_at(instant: &str) -> Arc<Self> {
        Arc::new(Self {
            millis: AtomicI64::new(at(instant).millis()),
        })
    }

    /// Moves the clock to `instant`, which must not be before the present.
    #[track_caller]
    pub fn set(&self, instant: &str) {
        let to = at(instant).millis();
        let from = self.millis.load(Ordering::SeqCst);
        assert!(
            to >= from,
            "the test clock only moves forward: {instant} is before {}",
            Timestamp::from_millis(from)
        );
        self.millis.store(to, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

// ---------------------------------------------------------------------------------------
// The server on the test clock
// ---------------------------------------------------------------------------------------

/// What a 201 said about the one entry a lifecycle command appends.
#[derive(Clone, Debug)]
pub struct Appended {
    pub index: u64,
    pub stream: String,
    pub seq: u64,
    pub event_type: String,
}

/// The real server running on a [`TestClock`]; signs statements at the clock's time.
/// Dereferences to [`TestApp`] (and so to the plain client).
pub struct Ledger {
    pub app: TestApp,
    pub clock: Arc<TestClock>,
}

impl std::ops::Deref for Ledger {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl Ledger {
    /// A fresh server and store whose clock stands at [`START`] from the genesis on.
    pub async fn start(backend: Backend) -> Self {
        let clock = TestClock::starting_at(START);
        let app = TestApp::start_with_clock(backend, clock.clone()).await;
        Self { app, clock }
    }

    /// A statement issued at the ledger clock's present, with a fresh nonce.
    pub fn sign(&self, key: &SigningKey, command: &str, stream: &str, body: Value) -> Auth {
        Auth::sign(
            Statement {
                origin: self.origin.clone(),
                command: command.to_owned(),
                stream: stream.to_owned(),
                body,
                issued_at: self.clock.now().to_entry_string(),
                nonce: nonce(),
            },
            key,
        )
    }

    pub async fn send(&self, key: &SigningKey, command: &str, stream: &str, body: Value) -> Reply {
        self.post(&self.sign(key, command, stream, body)).await
    }

    /// Sends a statement that must be accepted with exactly one entry of `event_type` on
    /// `stream`, whose `data` holds the body unchanged; returns that entry's `data` (read
    /// back from the log and checked against the log key) and where it went.
    pub async fn accept(
        &self,
        key: &SigningKey,
        command: &str,
        stream: &str,
        body: Value,
        event_type: &str,
    ) -> (Appended, Value) {
        let reply = self.send(key, command, stream, body.clone()).await;
        let appended = single_entry(&reply, &format!("{command} on {stream}"));
        assert_eq!(
            (appended.event_type.as_str(), appended.stream.as_str()),
            (event_type, stream),
            "{command} appended the wrong entry: {}",
            reply.text()
        );
        let data = self.entry_data(appended.index).await;
        assert!(
            body_within_data(&body, &data),
            "the {event_type} entry's data must hold the body unchanged;\nbody: {body}\ndata: {data}"
        );
        (appended, data)
    }

    /// Sends a statement that must be refused with `status` and `code`, leaving the log's
    /// signed tree size where it was. Returns the answer for checks of its message.
    pub async fn refuse(
        &self,
        key: &SigningKey,
        command: &str,
        stream: &str,
        body: Value,
        status: u16,
        code: &str,
    ) -> Reply {
        let before = self.tree_size().await;
        let reply = self.send(key, command, stream, body.clone()).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{command} on {stream} with {body}: expected {status} {code}, got {}: {}",
            reply.status,
            reply.text()
        );
        reply.assert_error(status, code);
        assert_eq!(
            self.tree_size().await,
            before,
            "{command} refused with {status} {code} changed the log"
        );
        reply
    }

    /// The `data` of entry `index`, as the log serves it, its log signature checked.
    pub async fn entry_data(&self, index: u64) -> Value {
        let reply = self.get(&format!("/v1/log/entries/{index}")).await;
        assert_eq!(
            reply.status.as_u16(),
            200,
            "entry {index}: {}",
            reply.text()
        );
        parse_entry(&reply.bytes, &self.log_key).entry.data
    }
}

/// The one entry a 201 reports.
#[track_caller]
pub fn single_entry(reply: &Reply, what: &str) -> Appended {
    assert_eq!(
        reply.status.as_u16(),
        201,
        "{what}: expected 201, got {}",
        reply.text()
    );
    let body = reply.created();
    let entries = body["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: a 201 lists its entries: {body}"));
    assert_eq!(entries.len(), 1, "{what} appends exactly one entry: {body}");
    let e = &entries[0];
    Appended {
        index: e["index"].as_u64().expect("index"),
        stream: e["stream"].as_str().expect("stream").to_owned(),
        seq: e["seq"].as_u64().expect("seq"),
        event_type: e["type"].as_str().expect("type").to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// The people
// ---------------------------------------------------------------------------------------

/// The ministry whose offers the stories follow, and another one whose officials must
/// not touch them.
pub const MINISTRY: &str = "MJCC";
pub const OTHER_MINISTRY: &str = "MSPS";

/// Associations of the cast: id, region, domains, registration date. The first four are
/// eligible for [`offer_body`]'s default offer (Rabat-Salé-Kénitra or Casablanca-Settat,
/// youth or culture, at least two years old); the last three each miss one condition.
pub const RABAT: &str = "ASSO-RABAT";
pub const CASA: &str = "ASSO-CASA";
pub const SALE: &str = "ASSO-SALE";
pub const KENITRA: &str = "ASSO-KENITRA";
pub const FES: &str = "ASSO-FES";
pub const HEALTH: &str = "ASSO-SANTE";
pub const YOUNG: &str = "ASSO-JEUNE";

const ASSOCIATIONS: [(&str, &str, &[&str], &str); 7] = [
    (RABAT, "MA-04", &["youth", "culture"], "2015-03-10"),
    (CASA, "MA-06", &["youth"], "2012-09-01"),
    (SALE, "MA-04", &["culture", "education"], "2018-01-15"),
    (KENITRA, "MA-04", &["youth"], "2019-06-30"),
    // Fès-Meknès: outside the offer's regions.
    (FES, "MA-03", &["youth"], "2010-04-04"),
    // Health only: outside the offer's domains.
    (HEALTH, "MA-04", &["health"], "2011-11-11"),
    // Registered three months before the story starts: younger than two years.
    (YOUNG, "MA-04", &["youth"], "2025-11-01"),
];

/// Everyone a lifecycle story needs, registered through signed statements.
pub struct Cast {
    /// Publisher, evaluators and registrar of [`MINISTRY`].
    pub publisher: SigningKey,
    pub evaluator: SigningKey,
    pub evaluator2: SigningKey,
    pub registrar: SigningKey,
    /// Publisher and evaluator of [`OTHER_MINISTRY`].
    pub other_publisher: SigningKey,
    pub other_evaluator: SigningKey,
    /// [`RABAT`]'s own key (the other associations act through the registrar).
    pub rabat: SigningKey,
}

/// The actor ids (`registry/<id>`) of the cast, as the domain writes them in entries.
pub const EVALUATOR_ID: &str = "evaluator-mjcc";
pub const EVALUATOR2_ID: &str = "evaluator2-mjcc";

impl Cast {
    /// Registers both ministries, their officials, the associations and RABAT's key,
    /// asserting each entry's type.
    pub async fn register(ledger: &Ledger) -> Self {
        let admin = &ledger.admin;
        for (id, name) in [
            (
                MINISTRY,
                "Ministère de la Jeunesse, de la Culture et de la Communication",
            ),
            (
                OTHER_MINISTRY,
                "Ministère de la Santé et de la Protection sociale",
            ),
        ] {
            ledger
                .accept(
                    admin,
                    "RegisterInstitution",
                    &format!("institution/{id}"),
                    json!({"name": name, "kind": "ministry"}),
                    "InstitutionRegistered",
                )
                .await;
        }
        let official = |id: &'static str, institution: &'static str, role: &'static str| async move {
            let key = new_key();
            ledger
                .accept(
                    admin,
                    "RegisterActor",
                    &format!("registry/{id}"),
                    json!({"public_key": public_b64(&key), "name": format!("Official {id}"),
                           "institution": institution, "roles": [role]}),
                    "ActorRegistered",
                )
                .await;
            key
        };
        let publisher = official("publisher-mjcc", MINISTRY, "publisher").await;
        let evaluator = official(EVALUATOR_ID, MINISTRY, "evaluator").await;
        let evaluator2 = official(EVALUATOR2_ID, MINISTRY, "evaluator").await;
        let registrar = official("registrar-mjcc", MINISTRY, "registrar").await;
        let other_publisher = official("publisher-msps", OTHER_MINISTRY, "publisher").await;
        let other_evaluator = official("evaluator-msps", OTHER_MINISTRY, "evaluator").await;

        for (id, region, domains, registered_on) in ASSOCIATIONS {
            ledger
                .accept(
                    &registrar,
                    "RegisterAssociation",
                    &format!("association/{id}"),
                    association_body(&format!("Association {id}"), region, domains, registered_on),
                    "AssociationRegistered",
                )
                .await;
        }
        let rabat = ledger.association_key(RABAT).await;
        Self {
            publisher,
            evaluator,
            evaluator2,
            registrar,
            other_publisher,
            other_evaluator,
            rabat,
        }
    }
}

impl Ledger {
    /// Gives association `id` its own key (`RegisterActor` with `association`, by the
    /// administrator) and returns it.
    pub async fn association_key(&self, id: &str) -> SigningKey {
        let key = new_key();
        self.accept(
            &self.admin,
            "RegisterActor",
            &format!("registry/key-{}", id.to_lowercase()),
            json!({"public_key": public_b64(&key), "name": format!("Association {id}"),
                   "association": id, "roles": ["association"]}),
            "ActorRegistered",
        )
        .await;
        key
    }
}

// ---------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------

pub fn association_body(name: &str, region: &str, domains: &[&str], registered_on: &str) -> Value {
    json!({"name": name, "legal_form": "association", "region": region, "domains": domains,
           "registered_on": registered_on})
}

/// A fiscal-2026 offer of `institution`: budget 500,000.00 MAD, at most 200,000.00 MAD an
/// award, for youth or culture associations of Rabat-Salé-Kénitra or Casablanca-Settat at
/// least two years old, two criteria weighted 60/40, window [`OPENS_AT`]..[`CLOSES_AT`].
pub fn offer_body(institution: &str) -> Value {
    json!({
        "institution": institution,
        "fiscal_year": 2026,
        "title": "Soutien aux projets culturels des jeunes",
        "description": "Appel à projets 2026 pour les associations de jeunesse et de culture.",
        "budget_centimes": 50_000_000,
        "max_award_centimes": 20_000_000,
        "eligibility": {"regions": ["MA-04", "MA-06"], "domains": ["youth", "culture"],
                        "min_age_years": 2},
        "criteria": [{"id": "relevance", "title": "Pertinence", "weight": 60},
                     {"id": "capacity", "title": "Capacité", "weight": 40}],
        "opens_at": OPENS_AT,
        "closes_at": CLOSES_AT,
        "late_justification": null
    })
}

pub fn application_body(offer: &str, association: &str, requested_centimes: i64) -> Value {
    json!({"offer": offer, "association": association,
           "title": format!("Projet de {association}"),
           "summary": "Ateliers de théâtre et de musique pour 120 jeunes du quartier.",
           "requested_centimes": requested_centimes, "documents": []})
}

/// Scores on the default offer's two criteria; the weighted total is
/// `relevance * 60 + capacity * 40` hundredths.
pub fn scores(relevance: i64, capacity: i64) -> Value {
    json!({"scores": {"relevance": relevance, "capacity": capacity},
           "comment": "Évaluation sur dossier."})
}

/// Publishes the default offer (with `edit` applied) as `offer/<id>`; returns its data.
pub async fn publish(
    ledger: &Ledger,
    cast: &Cast,
    id: &str,
    edit: impl FnOnce(&mut Value),
) -> Value {
    let mut body = offer_body(MINISTRY);
    edit(&mut body);
    ledger
        .accept(
            &cast.publisher,
            "PublishOffer",
            &format!("offer/{id}"),
            body,
            "OfferPublished",
        )
        .await
        .1
}

/// Submits application `application/<id>` through the registrar, on the association's
/// behalf.
pub async fn apply(
    ledger: &Ledger,
    cast: &Cast,
    id: &str,
    offer: &str,
    association: &str,
    requested: i64,
) -> Value {
    ledger
        .accept(
            &cast.registrar,
            "SubmitApplication",
            &format!("application/{id}"),
            application_body(offer, association, requested),
            "ApplicationSubmitted",
        )
        .await
        .1
}

/// Declares (no conflict) and scores `application/<id>` as `evaluator`; the clock must be
/// past the offer's `closes_at`. Returns the score's data.
pub async fn declare_and_score(
    ledger: &Ledger,
    evaluator: &SigningKey,
    id: &str,
    relevance: i64,
    capacity: i64,
) -> Value {
    let stream = format!("application/{id}");
    ledger
        .accept(
            evaluator,
            "DeclareConflictOfInterest",
            &stream,
            json!({"conflict": false, "note": null}),
            "ConflictOfInterestDeclared",
        )
        .await;
    ledger
        .accept(
            evaluator,
            "ScoreApplication",
            &stream,
            scores(relevance, capacity),
            "ApplicationScored",
        )
        .await
        .1
}

/// Closes `offer/O1` and grants `award/W1` on application `P1` for 100,000 MAD: the
/// clock must be past the offer's `closes_at` and `P1` scored first.
pub async fn close_and_grant_w1(ledger: &Ledger, cast: &Cast) {
    ledger
        .accept(
            &cast.publisher,
            "CloseOffer",
            "offer/O1",
            json!({}),
            "OfferClosed",
        )
        .await;
    ledger
        .accept(
            &cast.publisher,
            "GrantAward",
            "award/W1",
            json!({"application": "P1", "amount_centimes": 10_000_000}),
            "AwardGranted",
        )
        .await;
}

/// Asserts that a refusal's message contains one of `words` (case-insensitive): the
/// documented refusals must say which rule was broken in words a clerk understands.
#[track_caller]
pub fn assert_message_mentions(reply: &Reply, words: &[&str]) {
    let message = reply.json["message"].as_str().unwrap_or("").to_lowercase();
    assert!(
        words.iter().any(|w| message.contains(&w.to_lowercase())),
        "the message should say which rule ({words:?}): {}",
        reply.text()
    );
}

// ---------------------------------------------------------------------------------------
// Refusal tables
// ---------------------------------------------------------------------------------------

/// A statement not yet signed: signer, command, stream and body. A refusal table starts
/// from a known-good one and, row by row, changes one thing in it: its signer
/// ([`Unsigned::by`]), its stream ([`Unsigned::on`]) or its body ([`Unsigned::body`],
/// [`Unsigned::edit`]); [`Unsigned::refused`] adds the status and code the row expects.
#[derive(Clone)]
pub struct Unsigned<'a> {
    pub key: &'a SigningKey,
    pub command: &'a str,
    pub stream: String,
    pub body: Value,
}

/// One row of a refusal table: a statement, and the status and code it must get.
pub type Refusal<'a> = (Unsigned<'a>, u16, &'static str);

impl<'a> Unsigned<'a> {
    pub fn new(key: &'a SigningKey, command: &'a str, stream: &str, body: Value) -> Self {
        Self {
            key,
            command,
            stream: stream.to_owned(),
            body,
        }
    }

    /// The same statement signed by `key`.
    pub fn by(&self, key: &'a SigningKey) -> Self {
        Self {
            key,
            ..self.clone()
        }
    }

    /// The same statement on `stream`.
    pub fn on(&self, stream: &str) -> Self {
        Self::new(self.key, self.command, stream, self.body.clone())
    }

    /// The same statement with `body` instead of its own.
    pub fn body(&self, body: Value) -> Self {
        Self::new(self.key, self.command, &self.stream, body)
    }

    /// The same statement with `edit` applied to its body.
    pub fn edit(&self, edit: impl FnOnce(&mut Value)) -> Self {
        let mut body = self.body.clone();
        edit(&mut body);
        self.body(body)
    }

    /// A row of a refusal table: this statement, refused with `status` and `code`.
    pub fn refused(&self, status: u16, code: &'static str) -> Refusal<'a> {
        (self.clone(), status, code)
    }

    /// Signs and sends it: see [`Ledger::refuse`].
    pub async fn refuse(&self, ledger: &Ledger, status: u16, code: &str) -> Reply {
        let body = self.body.clone();
        ledger
            .refuse(self.key, self.command, &self.stream, body, status, code)
            .await
    }

    /// Signs and sends it: see [`Ledger::accept`].
    pub async fn accept(&self, ledger: &Ledger, event_type: &str) -> (Appended, Value) {
        let body = self.body.clone();
        ledger
            .accept(self.key, self.command, &self.stream, body, event_type)
            .await
    }
}

impl Ledger {
    /// Sends each row's statement in turn, asserting its refusal and an unchanged log.
    pub async fn refuse_all<'a>(&self, rows: impl IntoIterator<Item = Refusal<'a>>) {
        for (statement, status, code) in rows {
            statement.refuse(self, status, code).await;
        }
    }
}
