//! Given/when/then tests of the support lifecycle's rules: each rule accepted once and
//! refused with its documented code.

use cqrs_es::test::TestFramework;
use cqrs_es::Aggregate;

use super::fixtures::*;
use super::*;
use crate::authorization::ActorInfo;
use crate::world::World;
use crate::{ErrorKind, Issued, Services, Timing};

use crate::given_when_then::{accepted, refused, run as futures_lite};

// ---- offers ----

fn publish(by: ActorInfo, body: PublishOffer) -> Issued<OfferCommand> {
    Issued::by(by, "OFF-1", OfferCommand::Publish(body))
}

#[test]
fn an_offer_published_in_the_first_quarter_is_on_time() {
    TestFramework::<Offer>::with(services_at("2026-01-10T09:00:00Z", world_without_offer()))
        .given_no_previous_events()
        .when(publish(publisher("MIN"), publish_body()))
        .then_expect_events(vec![published()]);
}

fn world_without_offer() -> World {
    let mut w = World::default();
    record(
        &mut w,
        "association/ASSO-1",
        association("MA-04", &["youth"], "2019-05-02"),
    );
    w
}

#[test]
fn a_late_offer_needs_a_justification_and_is_marked_late() {
    let mut body = publish_body();
    body.opens_at = "2026-04-10T00:00:00Z".into();
    body.closes_at = "2026-06-01T00:00:00Z".into();
    // 1 April 2026 at 00:30 in Casablanca is already the second quarter.
    let now = "2026-03-31T23:30:00Z";
    let err = refused::<Offer>(
        services_at(now, World::default()),
        vec![],
        publish(publisher("MIN"), body.clone()),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "late_justification_required")
    );

    body.late_justification = Some("Loi de finances adoptée tardivement".into());
    let events = accepted::<Offer>(
        services_at(now, World::default()),
        vec![],
        publish(publisher("MIN"), body),
    );
    let OfferEvent::OfferPublished(e) = &events[0] else {
        panic!("{events:?}")
    };
    assert!(e.published_late);
    assert_eq!(e.q1_deadline, "2026-03-31T23:00:00.000Z");
}

#[test]
fn an_on_time_decision_holds_only_before_the_deadline() {
    let mut offer = Offer::default();
    let (services, timing) = timed(services_at("2026-03-31T22:59:00Z", World::default()));
    let sink = cqrs_es::event_sink::EventSink::default();
    futures_lite(offer.handle(
        publish(publisher("MIN"), publish_body_open_later()),
        &services,
        &sink,
    ))
    .unwrap();
    let window = timing.window();
    assert_eq!(window.before, Some(at("2026-03-31T23:00:00Z")));
}

/// `services` with a clock that keeps the window the decision states.
fn timed(services: Services) -> (Services, std::sync::Arc<Timing>) {
    let timing = std::sync::Arc::new(Timing::new(services.clock));
    let services = Services {
        clock: timing.clone(),
        registry: services.registry,
    };
    (services, timing)
}

fn publish_body_open_later() -> PublishOffer {
    PublishOffer {
        closes_at: "2026-05-01T00:00:00Z".into(),
        ..publish_body()
    }
}

#[test]
fn an_offer_must_be_well_formed() {
    type Change = fn(&mut PublishOffer);
    let cases: Vec<(Change, &str)> = vec![
        (|b| b.criteria[0].weight = 50, "weights_must_sum_to_100"),
        (|b| b.criteria.clear(), "invalid_criteria"),
        (
            |b| b.criteria[1].id = "relevance".into(),
            "invalid_criteria",
        ),
        (
            |b| b.max_award_centimes = b.budget_centimes + 1,
            "invalid_amounts",
        ),
        (|b| b.budget_centimes = 0, "invalid_amounts"),
        (|b| b.closes_at = b.opens_at.clone(), "invalid_window"),
        (
            |b| {
                b.opens_at = "2025-11-01T00:00:00Z".into();
                b.closes_at = "2025-12-01T00:00:00Z".into();
            },
            "window_already_closed",
        ),
        (
            |b| b.eligibility.regions = vec!["MA-99".into()],
            "invalid_region",
        ),
        (
            |b| b.eligibility.domains = vec!["knitting".into()],
            "invalid_domain",
        ),
        (|b| b.institution = "NOBODY".into(), "unknown_institution"),
        (|b| b.fiscal_year = 1990, "invalid_fiscal_year"),
        (|b| b.title = " ".into(), "invalid_title"),
    ];
    for (change, code) in cases {
        let mut body = publish_body();
        change(&mut body);
        let by = publisher(&body.institution.clone());
        let err = refused::<Offer>(services(), vec![], publish(by, body));
        assert_eq!(err.code, code);
    }
}

#[test]
fn a_publisher_publishes_for_their_own_institution_only() {
    let err = refused::<Offer>(
        services(),
        vec![],
        publish(publisher("OTHER"), publish_body()),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Forbidden, "other_institution")
    );
}

#[test]
fn an_offer_is_published_once() {
    let err = refused::<Offer>(
        services(),
        vec![published()],
        publish(publisher("MIN"), publish_body()),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::State, "offer_exists"));
}

fn amend(body: AmendOffer) -> Issued<OfferCommand> {
    Issued::by(publisher("MIN"), "OFF-1", OfferCommand::Amend(body))
}

#[test]
fn an_amendment_carries_a_reason_and_changes_something() {
    let body = AmendOffer {
        reason: "Budget complémentaire".into(),
        budget_centimes: Some(2_000_000),
        ..AmendOffer::default()
    };
    TestFramework::<Offer>::with(services_at("2026-02-10T00:00:00Z", world()))
        .given(vec![published()])
        .when(amend(body.clone()))
        .then_expect_events(vec![OfferEvent::OfferAmended(body)]);
    let no_reason = AmendOffer {
        budget_centimes: Some(2_000_000),
        ..AmendOffer::default()
    };
    let err = refused::<Offer>(services(), vec![published()], amend(no_reason));
    assert_eq!(err.code, "reason_required");
    let nothing = AmendOffer {
        reason: "r".into(),
        ..AmendOffer::default()
    };
    assert_eq!(
        refused::<Offer>(services(), vec![published()], amend(nothing)).code,
        "nothing_to_amend"
    );
}

#[test]
fn an_amendment_cannot_move_a_passed_deadline() {
    let body = AmendOffer {
        reason: "Prolongation".into(),
        closes_at: Some("2026-04-01T00:00:00Z".into()),
        ..AmendOffer::default()
    };
    let err = refused::<Offer>(
        services_at("2026-03-16T00:00:00Z", world()),
        vec![published()],
        amend(body.clone()),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::State, "deadline_passed"));
    // Before the deadline it moves, and the decision holds only while the old one has not passed.
    let events = accepted::<Offer>(
        services_at("2026-03-01T00:00:00Z", world()),
        vec![published()],
        amend(body),
    );
    assert_eq!(events.len(), 1);
}

#[test]
fn an_amendment_cannot_lower_the_budget_below_what_is_awarded() {
    let mut w = evaluated_world(8000, 7000);
    record(
        &mut w,
        "award/AW-1",
        granted("APP-1", "ASSO-1", 300_000, 300_000),
    );
    let body = AmendOffer {
        reason: "Coupe budgétaire".into(),
        budget_centimes: Some(299_999),
        max_award_centimes: Some(200_000),
        ..AmendOffer::default()
    };
    let err = refused::<Offer>(
        services_at("2026-04-01T00:00:00Z", w.clone()),
        vec![published()],
        amend(body),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "budget_below_awarded")
    );
    let ok = AmendOffer {
        reason: "Coupe budgétaire".into(),
        budget_centimes: Some(300_000),
        max_award_centimes: Some(200_000),
        ..AmendOffer::default()
    };
    assert_eq!(
        accepted::<Offer>(
            services_at("2026-04-01T00:00:00Z", w),
            vec![published()],
            amend(ok)
        )
        .len(),
        1
    );
}

fn close() -> Issued<OfferCommand> {
    Issued::by(
        publisher("MIN"),
        "OFF-1",
        OfferCommand::Close(CloseOffer {}),
    )
}

#[test]
fn an_offer_closes_after_its_window_once() {
    let err = refused::<Offer>(
        services_at("2026-03-14T00:00:00Z", world()),
        vec![published()],
        close(),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::State, "window_still_open")
    );
    TestFramework::<Offer>::with(services_at("2026-03-15T00:00:00Z", world()))
        .given(vec![published()])
        .when(close())
        .then_expect_events(vec![OfferEvent::OfferClosed(OfferClosed {
            applications: 0,
        })]);
    let closed = OfferEvent::OfferClosed(OfferClosed { applications: 0 });
    let err = refused::<Offer>(
        services_at("2026-03-16T00:00:00Z", world()),
        vec![published(), closed],
        close(),
    );
    assert_eq!(err.code, "offer_closed");
    assert_eq!(
        refused::<Offer>(services(), vec![], close()).code,
        "no_offer"
    );
}

#[test]
fn another_institution_cannot_amend_or_close() {
    let by = Issued::by(
        publisher("OTHER"),
        "OFF-1",
        OfferCommand::Close(CloseOffer {}),
    );
    let err = refused::<Offer>(
        services_at("2026-03-16T00:00:00Z", world()),
        vec![published()],
        by,
    );
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

// ---- applications ----

fn submit(by: ActorInfo, body: SubmitApplication) -> Issued<ApplicationCommand> {
    Issued::by(by, "APP-9", ApplicationCommand::Submit(body))
}

const IN_WINDOW: &str = "2026-02-10T10:00:00Z";

#[test]
fn an_eligible_association_applies_inside_the_window() {
    let body = application_body("ASSO-1", 300_000);
    TestFramework::<Application>::with(services_at(IN_WINDOW, world()))
        .given_no_previous_events()
        .when(submit(association_key("ASSO-1"), body.clone()))
        .then_expect_events(vec![ApplicationEvent::ApplicationSubmitted(body.clone())]);
    // A registrar may submit on its behalf.
    assert_eq!(
        accepted::<Application>(
            services_at(IN_WINDOW, world()),
            vec![],
            submit(registrar(), body)
        )
        .len(),
        1
    );
}

#[test]
fn an_application_decided_in_the_window_holds_only_in_the_window() {
    let mut application = Application::default();
    let sink = cqrs_es::event_sink::EventSink::default();
    let (services, timing) = timed(services_at(IN_WINDOW, world()));
    futures_lite(application.handle(
        submit(association_key("ASSO-1"), application_body("ASSO-1", 1)),
        &services,
        &sink,
    ))
    .unwrap();
    let window = timing.window();
    assert_eq!(window.not_before, Some(at("2026-02-01T00:00:00Z")));
    assert_eq!(window.before, Some(at("2026-03-15T00:00:00Z")));
}

#[test]
fn applications_outside_the_window_are_refused() {
    for (now, code) in [
        ("2026-01-31T23:59:59Z", "window_not_open"),
        ("2026-03-15T00:00:00Z", "window_closed"),
    ] {
        let err = refused::<Application>(
            services_at(now, world()),
            vec![],
            submit(registrar(), application_body("ASSO-1", 1)),
        );
        assert_eq!((err.kind, err.code), (ErrorKind::State, code));
    }
}

#[test]
fn ineligible_associations_are_refused_with_the_reason() {
    for (association, says) in [("FAR", "MA-04"), ("ARTS", "youth"), ("YOUNG", "2 years")] {
        let err = refused::<Application>(
            services_at(IN_WINDOW, world()),
            vec![],
            submit(registrar(), application_body(association, 1)),
        );
        assert_eq!((err.kind, err.code), (ErrorKind::Rule, "not_eligible"));
        assert!(err.message.contains(says), "{}", err.message);
    }
}

#[test]
fn one_application_per_association_per_offer() {
    let mut w = world();
    record(
        &mut w,
        "application/APP-1",
        ApplicationEvent::ApplicationSubmitted(application_body("ASSO-1", 1)),
    );
    let err = refused::<Application>(
        services_at(IN_WINDOW, w),
        vec![],
        submit(registrar(), application_body("ASSO-1", 2)),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::State, "already_applied"));
}

#[test]
fn the_requested_amount_is_within_the_maximum() {
    let err = refused::<Application>(
        services_at(IN_WINDOW, world()),
        vec![],
        submit(registrar(), application_body("ASSO-1", 400_001)),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "amount_above_maximum")
    );
    let err = refused::<Application>(
        services_at(IN_WINDOW, world()),
        vec![],
        submit(registrar(), application_body("ASSO-1", 0)),
    );
    assert_eq!(err.code, "invalid_amount");
}

#[test]
fn unknown_offers_and_associations_are_refused() {
    let mut body = application_body("ASSO-1", 1);
    body.offer = "NOPE".into();
    assert_eq!(
        refused::<Application>(
            services_at(IN_WINDOW, world()),
            vec![],
            submit(registrar(), body)
        )
        .code,
        "unknown_offer"
    );
    let body = application_body("GHOST", 1);
    assert_eq!(
        refused::<Application>(
            services_at(IN_WINDOW, world()),
            vec![],
            submit(registrar(), body)
        )
        .code,
        "unknown_association"
    );
}

#[test]
fn an_association_applies_for_itself_only() {
    let err = refused::<Application>(
        services_at(IN_WINDOW, world()),
        vec![],
        submit(association_key("ASSO-2"), application_body("ASSO-1", 1)),
    );
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

fn submitted() -> ApplicationEvent {
    ApplicationEvent::ApplicationSubmitted(application_body("ASSO-1", 300_000))
}

fn declare(evaluator_id: &str, conflict: bool) -> Issued<ApplicationCommand> {
    Issued::by(
        evaluator(evaluator_id, "MIN"),
        "APP-1",
        ApplicationCommand::Declare(DeclareConflictOfInterest {
            conflict,
            note: None,
        }),
    )
}

fn declared(evaluator_id: &str, conflict: bool) -> ApplicationEvent {
    ApplicationEvent::ConflictOfInterestDeclared(ConflictOfInterestDeclared {
        conflict,
        note: None,
        offer: "OFF-1".into(),
        evaluator: evaluator_id.into(),
    })
}

fn score(evaluator_id: &str, relevance: u32, capacity: u32) -> Issued<ApplicationCommand> {
    Issued::by(
        evaluator(evaluator_id, "MIN"),
        "APP-1",
        ApplicationCommand::Score(ScoreApplication {
            scores: [
                ("relevance".into(), relevance),
                ("capacity".into(), capacity),
            ]
            .into(),
            comment: None,
        }),
    )
}

const AFTER_CLOSE: &str = "2026-03-20T10:00:00Z";

#[test]
fn an_evaluator_declares_then_scores_and_the_domain_weighs() {
    TestFramework::<Application>::with(services_at(AFTER_CLOSE, world()))
        .given(vec![submitted()])
        .when(declare("eval-1", false))
        .then_expect_events(vec![declared("eval-1", false)]);
    TestFramework::<Application>::with(services_at(AFTER_CLOSE, world()))
        .given(vec![submitted(), declared("eval-1", false)])
        .when(score("eval-1", 80, 55))
        .then_expect_events(vec![ApplicationEvent::ApplicationScored(
            ApplicationScored {
                scores: [("relevance".into(), 80), ("capacity".into(), 55)].into(),
                comment: None,
                offer: "OFF-1".into(),
                evaluator: "eval-1".into(),
                // 80 × 60 + 55 × 40 = 7000 hundredths = 70.00
                total_hundredths: 7000,
            },
        )]);
}

#[test]
fn scoring_needs_a_declaration_without_conflict_once() {
    let s = || services_at(AFTER_CLOSE, world());
    let err = refused::<Application>(s(), vec![submitted()], score("eval-1", 1, 1));
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::State, "declaration_required")
    );
    let err = refused::<Application>(
        s(),
        vec![submitted(), declared("eval-1", true)],
        score("eval-1", 1, 1),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "conflict_of_interest")
    );
    let err = refused::<Application>(
        s(),
        vec![submitted(), declared("eval-1", false)],
        declare("eval-1", false),
    );
    assert_eq!(err.code, "already_declared");
    let scored = ApplicationEvent::ApplicationScored(ApplicationScored {
        scores: Default::default(),
        comment: None,
        offer: "OFF-1".into(),
        evaluator: "eval-1".into(),
        total_hundredths: 0,
    });
    let err = refused::<Application>(
        s(),
        vec![submitted(), declared("eval-1", false), scored],
        score("eval-1", 1, 1),
    );
    assert_eq!(err.code, "already_scored");
}

#[test]
fn scores_cover_exactly_the_criteria_within_range_after_the_window() {
    let given = || vec![submitted(), declared("eval-1", false)];
    let err = refused::<Application>(
        services_at(AFTER_CLOSE, world()),
        given(),
        score("eval-1", 101, 0),
    );
    assert_eq!(err.code, "score_out_of_range");
    let partial = Issued::by(
        evaluator("eval-1", "MIN"),
        "APP-1",
        ApplicationCommand::Score(ScoreApplication {
            scores: [("relevance".into(), 50)].into(),
            comment: None,
        }),
    );
    assert_eq!(
        refused::<Application>(services_at(AFTER_CLOSE, world()), given(), partial).code,
        "criteria_mismatch"
    );
    let err = refused::<Application>(
        services_at(IN_WINDOW, world()),
        given(),
        score("eval-1", 1, 1),
    );
    assert_eq!(err.code, "window_still_open");
}

#[test]
fn evaluators_of_another_institution_cannot_declare() {
    let by = Issued::by(
        evaluator("eval-x", "OTHER"),
        "APP-1",
        ApplicationCommand::Declare(DeclareConflictOfInterest {
            conflict: false,
            note: None,
        }),
    );
    let err = refused::<Application>(services_at(AFTER_CLOSE, world()), vec![submitted()], by);
    assert_eq!(err.kind, ErrorKind::Forbidden);
}

// ---- awards ----

fn grant(application: &str, amount: u64, justification: Option<&str>) -> Issued<AwardCommand> {
    Issued::by(
        publisher("MIN"),
        "AW-9",
        AwardCommand::Grant(GrantAward {
            application: application.into(),
            amount_centimes: amount,
            justification: justification.map(Into::into),
        }),
    )
}

#[test]
fn the_best_scored_application_is_awarded_within_its_request() {
    let events = accepted::<Award>(
        services_at(AFTER_CLOSE, evaluated_world(8000, 7000)),
        vec![],
        grant("APP-1", 300_000, None),
    );
    let AwardEvent::AwardGranted(e) = &events[0] else {
        panic!()
    };
    assert_eq!(
        (e.offer.as_str(), e.association.as_str(), e.score_hundredths),
        ("OFF-1", "ASSO-1", 8000)
    );
    assert!(!e.out_of_order);
    assert_eq!(e.offer_committed_centimes, 300_000);
}

#[test]
fn awarding_out_of_score_order_needs_a_published_justification() {
    let w = || evaluated_world(7000, 8000);
    let err = refused::<Award>(
        services_at(AFTER_CLOSE, w()),
        vec![],
        grant("APP-1", 300_000, None),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "justification_required")
    );
    assert!(err.message.contains("APP-2"));
    let events = accepted::<Award>(
        services_at(AFTER_CLOSE, w()),
        vec![],
        grant("APP-1", 300_000, Some("Zone rurale prioritaire")),
    );
    let AwardEvent::AwardGranted(e) = &events[0] else {
        panic!()
    };
    assert!(e.out_of_order);
    assert_eq!(e.justification.as_deref(), Some("Zone rurale prioritaire"));
}

#[test]
fn awards_stay_within_request_maximum_and_budget() {
    let err = refused::<Award>(
        services_at(AFTER_CLOSE, evaluated_world(8000, 7000)),
        vec![],
        grant("APP-1", 300_001, None),
    );
    assert_eq!(err.code, "amount_above_request");
    let mut w = evaluated_world(8000, 7000);
    record(
        &mut w,
        "award/AW-1",
        granted("APP-1", "ASSO-1", 300_000, 300_000),
    );
    // Budget 1,000,000; a third party's 650,000 leaves 50,000.
    record(
        &mut w,
        "offer/OFF-1",
        OfferEvent::OfferAmended(AmendOffer {
            reason: "r".into(),
            budget_centimes: Some(350_000),
            ..AmendOffer::default()
        }),
    );
    let err = refused::<Award>(
        services_at(AFTER_CLOSE, w.clone()),
        vec![],
        grant("APP-2", 60_000, None),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::Rule, "budget_exceeded"));
    assert!(err.message.contains("50000"), "{}", err.message);
    assert_eq!(
        accepted::<Award>(
            services_at(AFTER_CLOSE, w),
            vec![],
            grant("APP-2", 50_000, None)
        )
        .len(),
        1
    );
}

#[test]
fn awards_need_a_closed_offer_a_score_and_no_other_award() {
    let mut open = world();
    record(&mut open, "application/APP-1", submitted());
    let err = refused::<Award>(
        services_at(IN_WINDOW, open),
        vec![],
        grant("APP-1", 1, None),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::State, "offer_not_closed"));
    let mut unscored = world();
    record(&mut unscored, "application/APP-1", submitted());
    record(
        &mut unscored,
        "offer/OFF-1",
        OfferEvent::OfferClosed(OfferClosed { applications: 1 }),
    );
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, unscored),
            vec![],
            grant("APP-1", 1, None)
        )
        .code,
        "not_scored"
    );
    let mut awarded = evaluated_world(8000, 7000);
    record(
        &mut awarded,
        "award/AW-1",
        granted("APP-1", "ASSO-1", 300_000, 300_000),
    );
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, awarded),
            vec![],
            grant("APP-1", 1, None)
        )
        .code,
        "already_awarded"
    );
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, world()),
            vec![],
            grant("NOPE", 1, None)
        )
        .code,
        "unknown_application"
    );
}

#[test]
fn another_institution_cannot_award() {
    let by = Issued::by(
        publisher("OTHER"),
        "AW-9",
        AwardCommand::Grant(GrantAward {
            application: "APP-1".into(),
            amount_centimes: 1,
            justification: None,
        }),
    );
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, evaluated_world(8000, 7000)),
            vec![],
            by
        )
        .kind,
        ErrorKind::Forbidden
    );
}

fn on_award(by: ActorInfo, command: AwardCommand) -> Issued<AwardCommand> {
    Issued::by(by, "AW-1", command)
}

fn disburse(amount: u64) -> Issued<AwardCommand> {
    on_award(
        publisher("MIN"),
        AwardCommand::Disburse(RecordDisbursement {
            amount_centimes: amount,
            reference: None,
        }),
    )
}

fn disbursed(amount: u64, total: u64) -> AwardEvent {
    AwardEvent::DisbursementRecorded(DisbursementRecorded {
        amount_centimes: amount,
        reference: None,
        offer: "OFF-1".into(),
        association: "ASSO-1".into(),
        disbursed_total_centimes: total,
    })
}

#[test]
fn disbursements_never_exceed_the_award() {
    let given = || vec![granted("APP-1", "ASSO-1", 300_000, 300_000)];
    TestFramework::<Award>::with(services())
        .given(given())
        .when(disburse(200_000))
        .then_expect_events(vec![disbursed(200_000, 200_000)]);
    let mut after = given();
    after.push(disbursed(200_000, 200_000));
    let err = refused::<Award>(services(), after.clone(), disburse(100_001));
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "disbursement_exceeds_award")
    );
    TestFramework::<Award>::with(services())
        .given(after)
        .when(disburse(100_000))
        .then_expect_events(vec![disbursed(100_000, 300_000)]);
    assert_eq!(
        refused::<Award>(services(), vec![], disburse(1)).code,
        "no_award"
    );
}

#[test]
fn the_association_reports_with_a_document_hash() {
    let doc = "ab".repeat(32);
    let report = |by: ActorInfo, kind: &str, document: &str| {
        on_award(
            by,
            AwardCommand::Report(SubmitReport {
                kind: kind.into(),
                summary: "Activités réalisées".into(),
                document: document.into(),
            }),
        )
    };
    let given = || vec![granted("APP-1", "ASSO-1", 300_000, 300_000)];
    TestFramework::<Award>::with(services())
        .given(given())
        .when(report(association_key("ASSO-1"), "financial", &doc))
        .then_expect_events(vec![AwardEvent::ReportSubmitted(ReportSubmitted {
            kind: "financial".into(),
            summary: "Activités réalisées".into(),
            document: doc.clone(),
            offer: "OFF-1".into(),
            association: "ASSO-1".into(),
            documents: vec![doc.clone()],
        })]);
    assert_eq!(
        refused::<Award>(
            services(),
            given(),
            report(association_key("ASSO-1"), "poem", &doc)
        )
        .code,
        "invalid_kind"
    );
    assert_eq!(
        refused::<Award>(
            services(),
            given(),
            report(association_key("ASSO-1"), "activity", "xyz")
        )
        .code,
        "invalid_document"
    );
    assert_eq!(
        refused::<Award>(
            services(),
            given(),
            report(association_key("ASSO-2"), "activity", &doc)
        )
        .kind,
        ErrorKind::Forbidden
    );
}

#[test]
fn a_revocation_states_its_reason_and_recovers_at_most_what_was_paid() {
    let mut w = evaluated_world(8000, 7000);
    record(
        &mut w,
        "award/AW-1",
        granted("APP-1", "ASSO-1", 300_000, 300_000),
    );
    record(&mut w, "award/AW-1", disbursed(100_000, 100_000));
    let given = || {
        vec![
            granted("APP-1", "ASSO-1", 300_000, 300_000),
            disbursed(100_000, 100_000),
        ]
    };
    let revoke = |reason: &str, recover: u64| {
        on_award(
            publisher("MIN"),
            AwardCommand::Revoke(RevokeAward {
                reason: reason.into(),
                recover_centimes: recover,
            }),
        )
    };
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, w.clone()),
            given(),
            revoke("Fraude", 100_001)
        )
        .code,
        "recovery_exceeds_disbursed"
    );
    assert_eq!(
        refused::<Award>(services_at(AFTER_CLOSE, w.clone()), given(), revoke(" ", 0)).code,
        "reason_required"
    );
    TestFramework::<Award>::with(services_at(AFTER_CLOSE, w.clone()))
        .given(given())
        .when(revoke("Projet non réalisé", 100_000))
        .then_expect_events(vec![AwardEvent::AwardRevoked(AwardRevoked {
            reason: "Projet non réalisé".into(),
            recover_centimes: 100_000,
            offer: "OFF-1".into(),
            association: "ASSO-1".into(),
            disbursed_centimes: 100_000,
            // 200,000 not disbursed go back to the budget.
            offer_committed_centimes: 100_000,
        })]);
    let mut revoked = given();
    revoked.push(AwardEvent::AwardRevoked(AwardRevoked {
        reason: "r".into(),
        recover_centimes: 0,
        offer: "OFF-1".into(),
        association: "ASSO-1".into(),
        disbursed_centimes: 100_000,
        offer_committed_centimes: 100_000,
    }));
    assert_eq!(
        refused::<Award>(
            services_at(AFTER_CLOSE, w.clone()),
            revoked.clone(),
            disburse(1)
        )
        .code,
        "award_revoked"
    );
    assert_eq!(
        refused::<Award>(services_at(AFTER_CLOSE, w), revoked, revoke("again", 0)).code,
        "award_revoked"
    );
}

#[test]
fn the_world_counts_committed_budget_through_grants_and_revocations() {
    let mut w = evaluated_world(8000, 7000);
    record(
        &mut w,
        "award/AW-1",
        granted("APP-1", "ASSO-1", 300_000, 300_000),
    );
    record(
        &mut w,
        "award/AW-2",
        granted("APP-2", "ASSO-2", 400_000, 700_000),
    );
    assert_eq!(w.offer_committed("OFF-1"), 700_000);
    record(&mut w, "award/AW-1", disbursed(100_000, 100_000));
    record(
        &mut w,
        "award/AW-1",
        AwardEvent::AwardRevoked(AwardRevoked {
            reason: "r".into(),
            recover_centimes: 0,
            offer: "OFF-1".into(),
            association: "ASSO-1".into(),
            disbursed_centimes: 100_000,
            offer_committed_centimes: 500_000,
        }),
    );
    assert_eq!(w.offer_committed("OFF-1"), 500_000);
    assert_eq!(w.application("APP-1").unwrap().award, None);
    assert_eq!(
        w.applicant("OFF-1", "ASSO-2").map(String::as_str),
        Some("APP-2")
    );
}

#[test]
fn events_decode_back_from_their_data() {
    use crate::LedgerEvent;
    use cqrs_es::DomainEvent;
    let events = vec![
        published(),
        OfferEvent::OfferClosed(OfferClosed { applications: 3 }),
    ];
    for e in events {
        assert_eq!(
            OfferEvent::from_entry(&e.event_type(), "1", e.to_data()).unwrap(),
            e
        );
    }
    let g = granted("APP-1", "ASSO-1", 1, 1);
    assert_eq!(
        AwardEvent::from_entry("AwardGranted", "1", g.to_data()).unwrap(),
        g
    );
    // Absent optional fields are written as null, so a body that omits them is still
    // contained in the entry's data.
    assert_eq!(g.to_data()["justification"], serde_json::Value::Null);
}
