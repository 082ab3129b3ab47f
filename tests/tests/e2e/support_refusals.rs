//! Every refusal of `docs/support-lifecycle.md` that a client can trigger, given/when/then
//! over HTTP: each reaches the client with its documented status (400, 403, 409, 422), its
//! machine code and a sentence, and leaves the log's signed tree size unchanged
//! ([`Ledger::refuse`]). Each refused statement breaks exactly one rule, so the code it
//! gets cannot depend on the order in which the domain checks its rules.
//!
//! The refusals are written as tables (signer, stream, body, status, code) between the
//! accepted statements that change the state they are judged against.

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};

use crate::lifecycle::{
    application_body, apply, assert_message_mentions, association_body, declare_and_score,
    offer_body, publish, scores, Cast, Ledger, AFTER_CLOSE, CASA, CLOSES, CLOSES_AT, FES, HEALTH,
    IN_WINDOW, KENITRA, LAST_MILLISECOND, MINISTRY, OPENS, Q1_DEADLINE_2026, RABAT, SALE, YOUNG,
};
use crate::support::{new_key, public_b64, Backend};

both_backends!(
    association_and_offer_refusals,
    late_offers_need_a_justification_from_the_end_of_q1_in_casablanca,
    application_refusals,
    evaluation_refusals,
    award_disbursement_report_and_revocation_refusals,
);

const OFFER: &str = "MJCC-2026-A";

/// One refusal of a table: signer, stream, body, status, code.
type Case<'a> = (&'a SigningKey, &'a str, Value, u16, &'a str);

/// Sends each case as `command`, asserting its refusal and an unchanged log.
async fn refuse_each(ledger: &Ledger, command: &str, cases: Vec<Case<'_>>) {
    for (key, stream, body, status, code) in cases {
        ledger
            .refuse(key, command, stream, body, status, code)
            .await;
    }
}

/// A copy of `body` with `edit` applied.
fn with(body: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut body = body.clone();
    edit(&mut body);
    body
}

async fn association_and_offer_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let (registrar, publisher, other) = (&cast.registrar, &cast.publisher, &cast.other_publisher);

    // --- RegisterAssociation ---
    let good = association_body("Association Nour", "MA-07", &["women"], "2020-01-01");
    let nour = "association/ASSO-NOUR";
    let rabat = format!("association/{RABAT}");
    refuse_each(
        &ledger,
        "RegisterAssociation",
        vec![
            (registrar, &rabat, good.clone(), 409, "association_exists"),
            (
                registrar,
                nour,
                with(&good, |b| b["region"] = json!("MA-13")),
                422,
                "invalid_region",
            ),
            (
                registrar,
                nour,
                with(&good, |b| b["domains"] = json!(["women", "football"])),
                422,
                "invalid_domain",
            ),
            (
                registrar,
                nour,
                with(&good, |b| b["legal_form"] = json!("company")),
                422,
                "invalid_legal_form",
            ),
            // The ledger clock says 2 February 2026.
            (
                registrar,
                nour,
                with(&good, |b| b["registered_on"] = json!("2026-02-03")),
                422,
                "registered_in_future",
            ),
            (
                registrar,
                nour,
                with(&good, |b| b["phone"] = json!("0537")),
                400,
                "invalid_body",
            ),
            (publisher, nour, good.clone(), 403, "role_not_allowed"),
        ],
    )
    .await;
    ledger
        .accept(
            registrar,
            "RegisterAssociation",
            nour,
            good,
            "AssociationRegistered",
        )
        .await;

    // --- PublishOffer ---
    let offer = offer_body(MINISTRY);
    let stream = format!("offer/{OFFER}");
    publish(&ledger, &cast, OFFER, |_| {}).await;
    let b = "offer/MJCC-2026-B";
    refuse_each(
        &ledger,
        "PublishOffer",
        vec![
            (publisher, &stream, offer.clone(), 409, "offer_exists"),
            (
                publisher,
                b,
                with(&offer, |o| o["criteria"][1]["weight"] = json!(30)),
                422,
                "weights_must_sum_to_100",
            ),
            // Two criteria with one id.
            (
                publisher,
                b,
                with(&offer, |o| o["criteria"][1]["id"] = json!("relevance")),
                422,
                "invalid_criteria",
            ),
            (
                publisher,
                b,
                with(&offer, |o| o["budget_centimes"] = json!(0)),
                422,
                "invalid_amounts",
            ),
            (
                publisher,
                b,
                with(&offer, |o| o["max_award_centimes"] = json!(50_000_001)),
                422,
                "invalid_amounts",
            ),
            (
                publisher,
                b,
                with(&offer, |o| o["opens_at"] = json!(CLOSES_AT)),
                422,
                "invalid_window",
            ),
            (
                publisher,
                b,
                with(&offer, |o| {
                    o["opens_at"] = json!("2026-01-05T00:00:00Z");
                    o["closes_at"] = json!("2026-02-01T00:00:00Z");
                }),
                422,
                "window_already_closed",
            ),
            (
                publisher,
                b,
                with(&offer, |o| {
                    o["eligibility"]["regions"] = json!(["MA-04", "MA-99"])
                }),
                422,
                "invalid_region",
            ),
            (
                publisher,
                b,
                with(&offer, |o| o["eligibility"]["domains"] = json!(["chess"])),
                422,
                "invalid_domain",
            ),
            // A fiscal year long gone (justified, so that lateness is not what is refused).
            (
                publisher,
                b,
                with(&offer, |o| {
                    o["fiscal_year"] = json!(1990);
                    o["late_justification"] = json!("Régularisation");
                }),
                422,
                "invalid_fiscal_year",
            ),
            (other, b, offer.clone(), 403, "other_institution"),
            // Strict bodies: eligibility needs all three fields.
            (
                publisher,
                b,
                with(&offer, |o| {
                    o["eligibility"]
                        .as_object_mut()
                        .unwrap()
                        .remove("min_age_years");
                }),
                400,
                "invalid_body",
            ),
        ],
    )
    .await;
    // An institution nobody registered: only an official who may act for any institution,
    // one holding `admin` besides `publisher`, gets past the 403 to this rule.
    let publishing_admin = new_key();
    ledger
        .accept(
            &ledger.admin,
            "RegisterActor",
            "registry/admin-publisher",
            json!({"public_key": public_b64(&publishing_admin), "name": "Admin publisher",
                   "institution": MINISTRY, "roles": ["admin", "publisher"]}),
            "ActorRegistered",
        )
        .await;
    ledger
        .refuse(
            &publishing_admin,
            "PublishOffer",
            b,
            offer_body("NOWHERE"),
            422,
            "unknown_institution",
        )
        .await;

    // --- AmendOffer ---
    let title = json!({"reason": "Coquille", "title": "Nouveau titre"});
    refuse_each(
        &ledger,
        "AmendOffer",
        vec![
            (publisher, "offer/NOPE", title.clone(), 409, "no_offer"),
            (
                publisher,
                &stream,
                json!({"reason": "", "title": "Titre"}),
                422,
                "reason_required",
            ),
            (
                publisher,
                &stream,
                json!({"reason": "Rien"}),
                422,
                "nothing_to_amend",
            ),
            (
                publisher,
                &stream,
                json!({"reason": "Avancer", "closes_at": "2026-02-01T00:00:00Z"}),
                422,
                "invalid_window",
            ),
            (
                publisher,
                &stream,
                json!({"reason": "Plafond", "max_award_centimes": 50_000_001}),
                422,
                "invalid_amounts",
            ),
            (other, &stream, title, 403, "other_institution"),
        ],
    )
    .await;
    let (amended, data) = ledger
        .accept(
            publisher,
            "AmendOffer",
            &stream,
            json!({"reason": "Prolongation demandée par les associations",
                   "closes_at": "2026-02-27T00:00:00Z"}),
            "OfferAmended",
        )
        .await;
    assert_eq!(amended.seq, 2);
    assert_eq!(data["title"], Value::Null, "absent fields are null: {data}");
    assert_eq!(data["budget_centimes"], Value::Null, "{data}");

    // --- CloseOffer ---
    refuse_each(
        &ledger,
        "CloseOffer",
        vec![
            (publisher, "offer/NOPE", json!({}), 409, "no_offer"),
            (publisher, &stream, json!({}), 409, "window_still_open"),
            (other, &stream, json!({}), 403, "other_institution"),
        ],
    )
    .await;
    // After the original deadline but before the amended one: still open.
    ledger.clock.set(AFTER_CLOSE);
    ledger
        .refuse(
            publisher,
            "CloseOffer",
            &stream,
            json!({}),
            409,
            "window_still_open",
        )
        .await;
}

async fn late_offers_need_a_justification_from_the_end_of_q1_in_casablanca(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let spring_window = |b: &mut Value| {
        b["opens_at"] = json!("2026-04-15T00:00:00Z");
        b["closes_at"] = json!("2026-05-15T00:00:00Z");
    };

    // One millisecond before the end of Q1 in Casablanca: on time.
    ledger.clock.set("2026-03-31T22:59:59.999Z");
    let data = publish(&ledger, &cast, "ON-TIME", spring_window).await;
    assert_eq!(data["published_late"], false, "{data}");
    assert_eq!(data["q1_deadline"], Q1_DEADLINE_2026, "{data}");

    // From the deadline on: late, and a non-empty justification is required.
    ledger.clock.set(Q1_DEADLINE_2026);
    let body = with(&offer_body(MINISTRY), spring_window);
    let reply = ledger
        .refuse(
            &cast.publisher,
            "PublishOffer",
            "offer/LATE",
            body.clone(),
            422,
            "late_justification_required",
        )
        .await;
    assert_message_mentions(&reply, &["justif"]);
    let empty = with(&body, |b| b["late_justification"] = json!(""));
    ledger
        .refuse(
            &cast.publisher,
            "PublishOffer",
            "offer/LATE",
            empty,
            422,
            "late_justification_required",
        )
        .await;
    let justified = with(&body, |b| {
        b["late_justification"] = json!("Loi de finances rectificative adoptée en mars");
    });
    let (_, data) = ledger
        .accept(
            &cast.publisher,
            "PublishOffer",
            "offer/LATE",
            justified,
            "OfferPublished",
        )
        .await;
    assert_eq!(data["published_late"], true, "{data}");
    assert_eq!(data["q1_deadline"], Q1_DEADLINE_2026, "{data}");

    // Next year's offer, published now, is early, not late. Its first quarter ends at
    // midnight UTC: the time-zone database the server bundles (tzdb 2026f) has Morocco on
    // UTC+0 from 21 September 2026 on, where older databases (2025b) still said UTC+1.
    // The deadline follows the zone's rules, never a fixed offset.
    let data = publish(&ledger, &cast, "NEXT-YEAR", |b| {
        b["fiscal_year"] = json!(2027);
        b["opens_at"] = json!("2027-01-10T00:00:00Z");
        b["closes_at"] = json!("2027-02-15T00:00:00Z");
    })
    .await;
    assert_eq!(data["published_late"], false, "{data}");
    assert_eq!(data["q1_deadline"], "2027-04-01T00:00:00.000Z", "{data}");
}

async fn application_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, OFFER, |_| {}).await;
    let (registrar, rabat) = (&cast.registrar, &cast.rabat);
    let x = "application/APP-X";
    let app = |association: &str, requested: i64| application_body(OFFER, association, requested);

    // The window is [opens_at, closes_at), to the millisecond of the ledger's clock.
    ledger.clock.set("2026-02-02T23:59:59.999Z");
    ledger
        .refuse(
            rabat,
            "SubmitApplication",
            x,
            app(RABAT, 10_000_000),
            409,
            "window_not_open",
        )
        .await;
    ledger.clock.set(OPENS);
    ledger
        .accept(
            rabat,
            "SubmitApplication",
            "application/APP-1",
            app(RABAT, 20_000_000),
            "ApplicationSubmitted",
        )
        .await;

    ledger.clock.set(IN_WINDOW);
    refuse_each(
        &ledger,
        "SubmitApplication",
        vec![
            (
                registrar,
                x,
                application_body("NOPE", CASA, 10_000_000),
                422,
                "unknown_offer",
            ),
            (
                registrar,
                x,
                app("ASSO-NOBODY", 10_000_000),
                422,
                "unknown_association",
            ),
            (
                registrar,
                x,
                app(CASA, 20_000_001),
                422,
                "amount_above_maximum",
            ),
            (registrar, x, app(CASA, 0), 422, "invalid_amount"),
            // An association's key acts for its own association only...
            (rabat, x, app(CASA, 10_000_000), 403, "other_institution"),
            // ...and officials other than registrars apply for nobody.
            (
                &cast.publisher,
                x,
                app(CASA, 10_000_000),
                403,
                "role_not_allowed",
            ),
            (
                registrar,
                x,
                with(&app(CASA, 10_000_000), |b| b["iban"] = json!("MA64")),
                400,
                "invalid_body",
            ),
        ],
    )
    .await;
    // Ineligible, and the message names the fact that makes it so: the association's
    // region, its domains, or its age.
    for (association, words) in [
        (FES, &["region", "région", "MA-03"][..]),
        (HEALTH, &["domain", "domaine", "health"][..]),
        (YOUNG, &["age", "âge", "year", "ans"][..]),
    ] {
        let reply = ledger
            .refuse(
                registrar,
                "SubmitApplication",
                x,
                app(association, 10_000_000),
                422,
                "not_eligible",
            )
            .await;
        assert_message_mentions(&reply, words);
    }

    // One application per association per offer, whoever signs it.
    refuse_each(
        &ledger,
        "SubmitApplication",
        vec![
            (
                rabat,
                "application/APP-2",
                app(RABAT, 5_000_000),
                409,
                "already_applied",
            ),
            (
                registrar,
                "application/APP-3",
                app(RABAT, 5_000_000),
                409,
                "already_applied",
            ),
            // An application id is taken once, even by another association.
            (
                registrar,
                "application/APP-1",
                app(CASA, 5_000_000),
                409,
                "application_exists",
            ),
        ],
    )
    .await;
    // Without `documents`, the default is none.
    let body = with(&app(CASA, 5_000_000), |b| {
        b.as_object_mut().unwrap().remove("documents");
    });
    let (_, data) = ledger
        .accept(
            registrar,
            "SubmitApplication",
            "application/APP-CASA",
            body,
            "ApplicationSubmitted",
        )
        .await;
    assert_eq!(data["documents"], json!([]), "{data}");

    // The window's last millisecond, then its end.
    ledger.clock.set(LAST_MILLISECOND);
    ledger
        .accept(
            registrar,
            "SubmitApplication",
            "application/APP-KENITRA",
            app(KENITRA, 5_000_000),
            "ApplicationSubmitted",
        )
        .await;
    ledger.clock.set(CLOSES);
    let sale = "application/APP-SALE";
    ledger
        .refuse(
            registrar,
            "SubmitApplication",
            sale,
            app(SALE, 5_000_000),
            409,
            "window_closed",
        )
        .await;
    ledger.clock.set(AFTER_CLOSE);
    // After the close too. A closed offer's window has also closed (CloseOffer is refused
    // before `closes_at`), so either code tells the truth; the doc does not order them.
    ledger
        .accept(
            &cast.publisher,
            "CloseOffer",
            &format!("offer/{OFFER}"),
            json!({}),
            "OfferClosed",
        )
        .await;
    let before = ledger.tree_size().await;
    let reply = ledger
        .send(registrar, "SubmitApplication", sale, app(SALE, 5_000_000))
        .await;
    assert_eq!(reply.status.as_u16(), 409, "{}", reply.text());
    reply.assert_error_shape();
    assert!(
        ["window_closed", "offer_closed"].contains(&reply.json["error"].as_str().unwrap_or("")),
        "{}",
        reply.text()
    );
    assert_eq!(ledger.tree_size().await, before);
}

async fn evaluation_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, OFFER, |_| {}).await;
    ledger.clock.set(IN_WINDOW);
    apply(&ledger, &cast, "APP-RABAT", OFFER, RABAT, 10_000_000).await;
    apply(&ledger, &cast, "APP-CASA", OFFER, CASA, 10_000_000).await;
    let (ev, ev2, other) = (&cast.evaluator, &cast.evaluator2, &cast.other_evaluator);
    let (rabat, casa) = ("application/APP-RABAT", "application/APP-CASA");
    let none = json!({"conflict": false, "note": null});

    refuse_each(
        &ledger,
        "DeclareConflictOfInterest",
        vec![
            (ev, "application/NOPE", none.clone(), 409, "no_application"),
            (other, rabat, none.clone(), 403, "other_institution"),
            (
                &cast.publisher,
                rabat,
                none.clone(),
                403,
                "role_not_allowed",
            ),
        ],
    )
    .await;
    ledger
        .accept(
            ev,
            "DeclareConflictOfInterest",
            rabat,
            none,
            "ConflictOfInterestDeclared",
        )
        .await;
    let conflict = json!({"conflict": true, "note": "Président de l'association"});
    ledger
        .refuse(
            ev,
            "DeclareConflictOfInterest",
            rabat,
            conflict.clone(),
            409,
            "already_declared",
        )
        .await;
    ledger
        .accept(
            ev,
            "DeclareConflictOfInterest",
            casa,
            conflict,
            "ConflictOfInterestDeclared",
        )
        .await;
    // Declared, but the window is still open, to its last millisecond.
    ledger.clock.set(LAST_MILLISECOND);
    ledger
        .refuse(
            ev,
            "ScoreApplication",
            rabat,
            scores(80, 80),
            409,
            "window_still_open",
        )
        .await;

    // Scoring starts at closes_at itself.
    ledger.clock.set(CLOSES);
    let only = |s: Value| json!({"scores": s, "comment": null});
    refuse_each(
        &ledger,
        "ScoreApplication",
        vec![
            (
                ev,
                "application/NOPE",
                scores(80, 80),
                409,
                "no_application",
            ),
            (ev2, casa, scores(80, 80), 409, "declaration_required"),
            (ev, casa, scores(80, 80), 422, "conflict_of_interest"),
            (other, rabat, scores(80, 80), 403, "other_institution"),
            (
                ev,
                rabat,
                only(json!({"relevance": 80})),
                422,
                "criteria_mismatch",
            ),
            (
                ev,
                rabat,
                only(json!({"relevance": 80, "capacity": 70, "budget": 50})),
                422,
                "criteria_mismatch",
            ),
            (
                ev,
                rabat,
                only(json!({"relevance": 80, "impact": 70})),
                422,
                "criteria_mismatch",
            ),
            (ev, rabat, scores(101, 50), 422, "score_out_of_range"),
            (
                ev,
                rabat,
                only(json!({"relevance": "80", "capacity": 50})),
                400,
                "invalid_body",
            ),
        ],
    )
    .await;
    let (_, data) = ledger
        .accept(
            ev,
            "ScoreApplication",
            rabat,
            scores(100, 0),
            "ApplicationScored",
        )
        .await;
    assert_eq!(data["total_hundredths"], 6000, "{data}");
    ledger
        .refuse(
            ev,
            "ScoreApplication",
            rabat,
            scores(90, 90),
            409,
            "already_scored",
        )
        .await;
    // The conflicted evaluator stays out; a colleague scores CASA after declaring.
    let data = declare_and_score(&ledger, ev2, "APP-CASA", 0, 100).await;
    assert_eq!(data["total_hundredths"], 4000, "{data}");
}

async fn award_disbursement_report_and_revocation_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let (publisher, other) = (&cast.publisher, &cast.other_publisher);
    let offer_stream = format!("offer/{OFFER}");
    // Budget 310,000.00 MAD; the maximum per award is lowered to 150,000.00 after RABAT
    // asked for 180,000.00, so that an award to RABAT can break the maximum alone.
    publish(&ledger, &cast, OFFER, |b| {
        b["budget_centimes"] = json!(31_000_000)
    })
    .await;
    ledger.clock.set(IN_WINDOW);
    apply(&ledger, &cast, "APP-RABAT", OFFER, RABAT, 18_000_000).await;
    apply(&ledger, &cast, "APP-CASA", OFFER, CASA, 15_000_000).await;
    apply(&ledger, &cast, "APP-SALE", OFFER, SALE, 12_000_000).await;
    apply(&ledger, &cast, "APP-KENITRA", OFFER, KENITRA, 5_000_000).await;
    let lower = json!({"reason": "Réduction du plafond", "max_award_centimes": 15_000_000});
    ledger
        .accept(
            publisher,
            "AmendOffer",
            &offer_stream,
            lower,
            "OfferAmended",
        )
        .await;

    ledger.clock.set(AFTER_CLOSE);
    // Scores 86.00, 70.00 and 56.00; KENITRA is never scored.
    declare_and_score(&ledger, &cast.evaluator, "APP-RABAT", 90, 80).await;
    declare_and_score(&ledger, &cast.evaluator, "APP-CASA", 70, 70).await;
    declare_and_score(&ledger, &cast.evaluator, "APP-SALE", 60, 50).await;
    let grant = |application: &str, amount: i64| {
        json!({"application": application, "amount_centimes": amount,
               "justification": null})
    };
    let justified = |application: &str, amount: i64| {
        json!({"application": application, "amount_centimes": amount,
               "justification": "Seul projet en milieu rural de l'appel"})
    };
    let (aw_rabat, aw_casa, aw_sale) = ("award/AW-RABAT", "award/AW-CASA", "award/AW-SALE");

    // --- GrantAward ---
    ledger
        .refuse(
            publisher,
            "GrantAward",
            aw_rabat,
            grant("APP-RABAT", 10_000_000),
            409,
            "offer_not_closed",
        )
        .await;
    ledger
        .accept(
            publisher,
            "CloseOffer",
            &offer_stream,
            json!({}),
            "OfferClosed",
        )
        .await;
    ledger
        .refuse(
            publisher,
            "CloseOffer",
            &offer_stream,
            json!({}),
            409,
            "offer_closed",
        )
        .await;
    refuse_each(
        &ledger,
        "GrantAward",
        vec![
            (
                publisher,
                "award/AW-K",
                justified("APP-KENITRA", 1_000_000),
                409,
                "not_scored",
            ),
            (
                publisher,
                "award/AW-X",
                grant("APP-NOPE", 1_000_000),
                422,
                "unknown_application",
            ),
            // SALE asked 120,000.00, under the maximum; out of order, so justified.
            (
                publisher,
                aw_sale,
                justified("APP-SALE", 12_000_001),
                422,
                "amount_above_request",
            ),
            // RABAT asked 180,000.00; the maximum is now 150,000.00.
            (
                publisher,
                aw_rabat,
                grant("APP-RABAT", 15_000_001),
                422,
                "amount_above_maximum",
            ),
            (
                publisher,
                aw_rabat,
                grant("APP-RABAT", 0),
                422,
                "invalid_amount",
            ),
            (
                other,
                aw_rabat,
                grant("APP-RABAT", 1_000_000),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    // CASA (70.00) before RABAT (86.00): out of score order, needs a justification...
    let reply = ledger
        .refuse(
            publisher,
            "GrantAward",
            aw_casa,
            grant("APP-CASA", 15_000_000),
            422,
            "justification_required",
        )
        .await;
    assert_message_mentions(&reply, &["justif"]);
    // ...which, given, is published in the entry.
    let (_, data) = ledger
        .accept(
            publisher,
            "GrantAward",
            aw_casa,
            justified("APP-CASA", 15_000_000),
            "AwardGranted",
        )
        .await;
    assert_eq!(data["out_of_order"], true, "{data}");
    assert_eq!(
        data["justification"], "Seul projet en milieu rural de l'appel",
        "{data}"
    );
    assert_eq!(data["score_hundredths"], 7000, "{data}");
    assert_eq!(data["offer_committed_centimes"], 15_000_000, "{data}");
    let (_, data) = ledger
        .accept(
            publisher,
            "GrantAward",
            aw_rabat,
            grant("APP-RABAT", 15_000_000),
            "AwardGranted",
        )
        .await;
    assert_eq!(data["out_of_order"], false, "{data}");
    assert_eq!(data["offer_committed_centimes"], 30_000_000, "{data}");
    // 10,000.00 MAD remain: SALE's 20,000.00 do not fit, and the message says what remains.
    let reply = ledger
        .refuse(
            publisher,
            "GrantAward",
            aw_sale,
            grant("APP-SALE", 2_000_000),
            422,
            "budget_exceeded",
        )
        .await;
    assert_message_mentions(
        &reply,
        &[
            "1000000",
            "1 000 000",
            "10000",
            "10 000",
            "10,000",
            "10.000",
        ],
    );
    refuse_each(
        &ledger,
        "GrantAward",
        vec![
            (
                publisher,
                aw_casa,
                grant("APP-SALE", 1_000_000),
                409,
                "award_exists",
            ),
            (
                publisher,
                "award/AW-RABAT-2",
                grant("APP-RABAT", 1_000_000),
                409,
                "already_awarded",
            ),
        ],
    )
    .await;

    // --- AmendOffer, once awards exist and the deadline has passed ---
    refuse_each(
        &ledger,
        "AmendOffer",
        vec![
            (
                publisher,
                &offer_stream,
                json!({"reason": "Coupe budgétaire", "budget_centimes": 29_999_999}),
                422,
                "budget_below_awarded",
            ),
            (
                publisher,
                &offer_stream,
                json!({"reason": "Réouverture", "closes_at": "2026-03-10T00:00:00Z"}),
                409,
                "deadline_passed",
            ),
        ],
    )
    .await;

    // --- RecordDisbursement ---
    let pay = |amount: i64| json!({"amount_centimes": amount, "reference": null});
    refuse_each(
        &ledger,
        "RecordDisbursement",
        vec![
            (publisher, "award/AW-NOPE", pay(1_000_000), 409, "no_award"),
            (
                publisher,
                aw_rabat,
                pay(15_000_001),
                422,
                "disbursement_exceeds_award",
            ),
            (publisher, aw_rabat, pay(0), 422, "invalid_amount"),
            (other, aw_rabat, pay(1_000_000), 403, "other_institution"),
        ],
    )
    .await;
    ledger
        .accept(
            publisher,
            "RecordDisbursement",
            aw_rabat,
            pay(10_000_000),
            "DisbursementRecorded",
        )
        .await;
    // Disbursements add up: 100,000.00 paid, 50,000.01 more would exceed the award.
    ledger
        .refuse(
            publisher,
            "RecordDisbursement",
            aw_rabat,
            pay(5_000_001),
            422,
            "disbursement_exceeds_award",
        )
        .await;
    let (_, data) = ledger
        .accept(
            publisher,
            "RecordDisbursement",
            aw_rabat,
            pay(5_000_000),
            "DisbursementRecorded",
        )
        .await;
    assert_eq!(data["disbursed_total_centimes"], 15_000_000, "{data}");

    // --- SubmitReport ---
    let report = b"Rapport financier 2026\n".to_vec();
    let sha = to_hex(&sha256(&report));
    ledger.upload(&cast.rabat, report).await.created();
    let report = |kind: &str, summary: &str, document: &str| json!({"kind": kind, "summary": summary, "document": document});
    let casa_key = ledger.association_key(CASA).await;
    refuse_each(
        &ledger,
        "SubmitReport",
        vec![
            (
                &cast.rabat,
                "award/AW-NOPE",
                report("financial", "Comptes", &sha),
                409,
                "no_award",
            ),
            (
                &cast.rabat,
                aw_rabat,
                report("financial", "", &sha),
                422,
                "summary_required",
            ),
            (
                &cast.rabat,
                aw_rabat,
                report("press", "Comptes", &sha),
                422,
                "invalid_kind",
            ),
            (
                &cast.rabat,
                aw_rabat,
                report("financial", "Comptes", "not-a-sha256"),
                422,
                "invalid_document",
            ),
            // CASA's own key cannot report for RABAT...
            (
                &casa_key,
                aw_rabat,
                report("financial", "Comptes", &sha),
                403,
                "other_institution",
            ),
            // ...nor can the registrar: reports are signed by the association itself.
            (
                &cast.registrar,
                aw_rabat,
                report("financial", "Comptes", &sha),
                403,
                "role_not_allowed",
            ),
        ],
    )
    .await;
    let body = report("financial", "Comptes certifiés", &sha);
    ledger
        .accept(
            &cast.rabat,
            "SubmitReport",
            aw_rabat,
            body,
            "ReportSubmitted",
        )
        .await;

    // --- RevokeAward ---
    let revoke =
        |reason: &str, recover: i64| json!({"reason": reason, "recover_centimes": recover});
    refuse_each(
        &ledger,
        "RevokeAward",
        vec![
            (
                publisher,
                "award/AW-NOPE",
                revoke("Fraude", 0),
                409,
                "no_award",
            ),
            (publisher, aw_rabat, revoke("", 0), 422, "reason_required"),
            (
                publisher,
                aw_rabat,
                revoke("Fraude", 15_000_001),
                422,
                "recovery_exceeds_disbursed",
            ),
            // Nothing was paid to CASA: nothing can be recovered.
            (
                publisher,
                aw_casa,
                revoke("Abandon", 1),
                422,
                "recovery_exceeds_disbursed",
            ),
            (
                other,
                aw_casa,
                revoke("Abandon", 0),
                403,
                "other_institution",
            ),
        ],
    )
    .await;
    let (_, data) = ledger
        .accept(
            publisher,
            "RevokeAward",
            aw_casa,
            revoke("Abandon", 0),
            "AwardRevoked",
        )
        .await;
    assert_eq!(data["disbursed_centimes"], 0, "{data}");
    assert_eq!(data["offer_committed_centimes"], 15_000_000, "{data}");
    ledger
        .refuse(
            publisher,
            "RevokeAward",
            aw_casa,
            revoke("Encore", 0),
            409,
            "award_revoked",
        )
        .await;
    ledger
        .refuse(
            publisher,
            "RecordDisbursement",
            aw_casa,
            pay(1_000_000),
            409,
            "award_revoked",
        )
        .await;
    // What the revocation returned to the budget can be awarded again: SALE now fits.
    // (Justified: whether a revoked award still counts for score order is not the point.)
    let (_, data) = ledger
        .accept(
            publisher,
            "GrantAward",
            aw_sale,
            justified("APP-SALE", 12_000_000),
            "AwardGranted",
        )
        .await;
    assert_eq!(data["offer_committed_centimes"], 27_000_000, "{data}");
}
