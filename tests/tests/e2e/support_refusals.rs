//! Every refusal of `docs/support-lifecycle.md` that a client can trigger, given/when/then
//! over HTTP: each reaches the client with its documented status (400, 403, 409, 422), its
//! machine code and a sentence, and leaves the log's signed tree size unchanged
//! ([`Ledger::refuse`]). Each refused statement breaks exactly one rule, so the code it
//! gets cannot depend on the order in which the domain checks its rules.
//!
//! The refusals are tables of (change, status, code): each row is a known-good statement
//! with one thing changed, its body edited or replaced or its signer or stream swapped
//! ([`Unsigned`]). Between the tables, accepted statements change the state the next ones
//! are judged against.

use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};

use crate::lifecycle::{
    application_body, apply, assert_message_mentions, association_body, declare_and_score,
    offer_body, publish, scores, Cast, Ledger, Unsigned, AFTER_CLOSE, CASA, CLOSES, CLOSES_AT, FES,
    HEALTH, IN_WINDOW, KENITRA, LAST_MILLISECOND, MINISTRY, OPENS, Q1_DEADLINE_2026, RABAT, SALE,
    YOUNG,
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

async fn association_and_offer_refusals(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let (registrar, publisher, other) = (&cast.registrar, &cast.publisher, &cast.other_publisher);

    // --- RegisterAssociation ---
    let nour = Unsigned::new(
        registrar,
        "RegisterAssociation",
        "association/ASSO-NOUR",
        association_body("Association Nour", "MA-07", &["women"], "2020-01-01"),
    );
    ledger
        .refuse_all([
            nour.on(&format!("association/{RABAT}"))
                .refused(409, "association_exists"),
            nour.edit(|b| b["region"] = json!("MA-13"))
                .refused(422, "invalid_region"),
            nour.edit(|b| b["domains"] = json!(["women", "football"]))
                .refused(422, "invalid_domain"),
            nour.edit(|b| b["legal_form"] = json!("company"))
                .refused(422, "invalid_legal_form"),
            // The ledger clock says 2 February 2026.
            nour.edit(|b| b["registered_on"] = json!("2026-02-03"))
                .refused(422, "registered_in_future"),
            nour.edit(|b| b["phone"] = json!("0537"))
                .refused(400, "invalid_body"),
            nour.by(publisher).refused(403, "role_not_allowed"),
        ])
        .await;
    nour.accept(&ledger, "AssociationRegistered").await;

    // --- PublishOffer ---
    let stream = format!("offer/{OFFER}");
    publish(&ledger, &cast, OFFER, |_| {}).await;
    let offer = Unsigned::new(
        publisher,
        "PublishOffer",
        "offer/MJCC-2026-B",
        offer_body(MINISTRY),
    );
    ledger
        .refuse_all([
            offer.on(&stream).refused(409, "offer_exists"),
            offer
                .edit(|o| o["criteria"][1]["weight"] = json!(30))
                .refused(422, "weights_must_sum_to_100"),
            // Two criteria with one id.
            offer
                .edit(|o| o["criteria"][1]["id"] = json!("relevance"))
                .refused(422, "invalid_criteria"),
            offer
                .edit(|o| o["budget_centimes"] = json!(0))
                .refused(422, "invalid_amounts"),
            offer
                .edit(|o| o["max_award_centimes"] = json!(50_000_001))
                .refused(422, "invalid_amounts"),
            offer
                .edit(|o| o["opens_at"] = json!(CLOSES_AT))
                .refused(422, "invalid_window"),
            offer
                .edit(|o| {
                    o["opens_at"] = json!("2026-01-05T00:00:00Z");
                    o["closes_at"] = json!("2026-02-01T00:00:00Z");
                })
                .refused(422, "window_already_closed"),
            offer
                .edit(|o| o["eligibility"]["regions"] = json!(["MA-04", "MA-99"]))
                .refused(422, "invalid_region"),
            offer
                .edit(|o| o["eligibility"]["domains"] = json!(["chess"]))
                .refused(422, "invalid_domain"),
            // A fiscal year long gone (justified, so that lateness is not what is refused).
            offer
                .edit(|o| {
                    o["fiscal_year"] = json!(1990);
                    o["late_justification"] = json!("Régularisation");
                })
                .refused(422, "invalid_fiscal_year"),
            offer.by(other).refused(403, "other_institution"),
            // Strict bodies: eligibility needs all three fields.
            offer
                .edit(|o| {
                    o["eligibility"]
                        .as_object_mut()
                        .unwrap()
                        .remove("min_age_years");
                })
                .refused(400, "invalid_body"),
        ])
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
    offer
        .by(&publishing_admin)
        .edit(|o| o["institution"] = json!("NOWHERE"))
        .refuse(&ledger, 422, "unknown_institution")
        .await;

    // --- AmendOffer ---
    let amend = Unsigned::new(
        publisher,
        "AmendOffer",
        &stream,
        json!({"reason": "Coquille", "title": "Nouveau titre"}),
    );
    ledger
        .refuse_all([
            amend.on("offer/NOPE").refused(409, "no_offer"),
            amend
                .body(json!({"reason": "", "title": "Titre"}))
                .refused(422, "reason_required"),
            amend
                .body(json!({"reason": "Rien"}))
                .refused(422, "nothing_to_amend"),
            amend
                .body(json!({"reason": "Avancer", "closes_at": "2026-02-01T00:00:00Z"}))
                .refused(422, "invalid_window"),
            amend
                .body(json!({"reason": "Plafond", "max_award_centimes": 50_000_001}))
                .refused(422, "invalid_amounts"),
            amend.by(other).refused(403, "other_institution"),
        ])
        .await;
    let extension = json!({"reason": "Prolongation demandée par les associations",
                           "closes_at": "2026-02-27T00:00:00Z"});
    let (amended, data) = amend.body(extension).accept(&ledger, "OfferAmended").await;
    assert_eq!(amended.seq, 2);
    assert_eq!(data["title"], Value::Null, "absent fields are null: {data}");
    assert_eq!(data["budget_centimes"], Value::Null, "{data}");

    // --- CloseOffer ---
    let close = Unsigned::new(publisher, "CloseOffer", &stream, json!({}));
    ledger
        .refuse_all([
            close.on("offer/NOPE").refused(409, "no_offer"),
            close.refused(409, "window_still_open"),
            close.by(other).refused(403, "other_institution"),
        ])
        .await;
    // After the original deadline but before the amended one: still open.
    ledger.clock.set(AFTER_CLOSE);
    close.refuse(&ledger, 409, "window_still_open").await;
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
    let late = Unsigned::new(
        &cast.publisher,
        "PublishOffer",
        "offer/LATE",
        offer_body(MINISTRY),
    )
    .edit(spring_window);
    let reply = late
        .refuse(&ledger, 422, "late_justification_required")
        .await;
    assert_message_mentions(&reply, &["justif"]);
    late.edit(|b| b["late_justification"] = json!(""))
        .refuse(&ledger, 422, "late_justification_required")
        .await;
    let (_, data) = late
        .edit(|b| {
            b["late_justification"] = json!("Loi de finances rectificative adoptée en mars");
        })
        .accept(&ledger, "OfferPublished")
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
    let app = |association: &str, requested: i64| application_body(OFFER, association, requested);
    // CASA's application through the registrar, which the rows change.
    let casa = Unsigned::new(
        registrar,
        "SubmitApplication",
        "application/APP-X",
        app(CASA, 10_000_000),
    );
    let rabat_asks = |requested: i64| casa.by(rabat).body(app(RABAT, requested));

    // The window is [opens_at, closes_at), to the millisecond of the ledger's clock.
    ledger.clock.set("2026-02-02T23:59:59.999Z");
    rabat_asks(10_000_000)
        .refuse(&ledger, 409, "window_not_open")
        .await;
    ledger.clock.set(OPENS);
    rabat_asks(20_000_000)
        .on("application/APP-1")
        .accept(&ledger, "ApplicationSubmitted")
        .await;

    ledger.clock.set(IN_WINDOW);
    let requested = |amount: i64| casa.edit(|b| b["requested_centimes"] = json!(amount));
    ledger
        .refuse_all([
            casa.edit(|b| b["offer"] = json!("NOPE"))
                .refused(422, "unknown_offer"),
            casa.body(app("ASSO-NOBODY", 10_000_000))
                .refused(422, "unknown_association"),
            requested(20_000_001).refused(422, "amount_above_maximum"),
            requested(0).refused(422, "invalid_amount"),
            // An association's key acts for its own association only...
            casa.by(rabat).refused(403, "other_institution"),
            // ...and officials other than registrars apply for nobody.
            casa.by(&cast.publisher).refused(403, "role_not_allowed"),
            casa.edit(|b| b["iban"] = json!("MA64"))
                .refused(400, "invalid_body"),
        ])
        .await;
    // Ineligible, and the message names the fact that makes it so: the association's
    // region, its domains, or its age.
    for (association, words) in [
        (FES, &["region", "région", "MA-03"][..]),
        (HEALTH, &["domain", "domaine", "health"][..]),
        (YOUNG, &["age", "âge", "year", "ans"][..]),
    ] {
        let reply = casa
            .body(app(association, 10_000_000))
            .refuse(&ledger, 422, "not_eligible")
            .await;
        assert_message_mentions(&reply, words);
    }

    // One application per association per offer, whoever signs it.
    let rabat_again = |stream: &str| casa.on(stream).body(app(RABAT, 5_000_000));
    ledger
        .refuse_all([
            rabat_again("application/APP-2")
                .by(rabat)
                .refused(409, "already_applied"),
            rabat_again("application/APP-3").refused(409, "already_applied"),
            // An application id is taken once, even by another association.
            requested(5_000_000)
                .on("application/APP-1")
                .refused(409, "application_exists"),
        ])
        .await;
    // Without `documents`, the default is none.
    let (_, data) = requested(5_000_000)
        .on("application/APP-CASA")
        .edit(|b| {
            b.as_object_mut().unwrap().remove("documents");
        })
        .accept(&ledger, "ApplicationSubmitted")
        .await;
    assert_eq!(data["documents"], json!([]), "{data}");

    // The window's last millisecond, then its end.
    ledger.clock.set(LAST_MILLISECOND);
    casa.on("application/APP-KENITRA")
        .body(app(KENITRA, 5_000_000))
        .accept(&ledger, "ApplicationSubmitted")
        .await;
    ledger.clock.set(CLOSES);
    let sale = casa.on("application/APP-SALE").body(app(SALE, 5_000_000));
    sale.refuse(&ledger, 409, "window_closed").await;
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
        .send(registrar, "SubmitApplication", &sale.stream, sale.body)
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

    let declare = Unsigned::new(
        ev,
        "DeclareConflictOfInterest",
        rabat,
        json!({"conflict": false, "note": null}),
    );
    ledger
        .refuse_all([
            declare
                .on("application/NOPE")
                .refused(409, "no_application"),
            declare.by(other).refused(403, "other_institution"),
            declare.by(&cast.publisher).refused(403, "role_not_allowed"),
        ])
        .await;
    declare.accept(&ledger, "ConflictOfInterestDeclared").await;
    let conflict = declare.body(json!({"conflict": true, "note": "Président de l'association"}));
    conflict.refuse(&ledger, 409, "already_declared").await;
    conflict
        .on(casa)
        .accept(&ledger, "ConflictOfInterestDeclared")
        .await;
    // Declared, but the window is still open, to its last millisecond.
    ledger.clock.set(LAST_MILLISECOND);
    let score = Unsigned::new(ev, "ScoreApplication", rabat, scores(80, 80));
    score.refuse(&ledger, 409, "window_still_open").await;

    // Scoring starts at closes_at itself.
    ledger.clock.set(CLOSES);
    let only = |s: Value| score.body(json!({"scores": s, "comment": null}));
    ledger
        .refuse_all([
            score.on("application/NOPE").refused(409, "no_application"),
            score.by(ev2).on(casa).refused(409, "declaration_required"),
            score.on(casa).refused(422, "conflict_of_interest"),
            score.by(other).refused(403, "other_institution"),
            only(json!({"relevance": 80})).refused(422, "criteria_mismatch"),
            only(json!({"relevance": 80, "capacity": 70, "budget": 50}))
                .refused(422, "criteria_mismatch"),
            only(json!({"relevance": 80, "impact": 70})).refused(422, "criteria_mismatch"),
            score
                .body(scores(101, 50))
                .refused(422, "score_out_of_range"),
            only(json!({"relevance": "80", "capacity": 50})).refused(400, "invalid_body"),
        ])
        .await;
    let (_, data) = score
        .body(scores(100, 0))
        .accept(&ledger, "ApplicationScored")
        .await;
    assert_eq!(data["total_hundredths"], 6000, "{data}");
    score
        .body(scores(90, 90))
        .refuse(&ledger, 409, "already_scored")
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
    let amend = |body: Value| Unsigned::new(publisher, "AmendOffer", &offer_stream, body);
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
    amend(json!({"reason": "Réduction du plafond", "max_award_centimes": 15_000_000}))
        .accept(&ledger, "OfferAmended")
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
    // RABAT's award, which the rows change.
    let award = Unsigned::new(
        publisher,
        "GrantAward",
        aw_rabat,
        grant("APP-RABAT", 1_000_000),
    );
    let amount = |n: i64| award.edit(|b| b["amount_centimes"] = json!(n));
    let to = |stream: &str, body: Value| award.on(stream).body(body);

    // --- GrantAward ---
    amount(10_000_000)
        .refuse(&ledger, 409, "offer_not_closed")
        .await;
    let close = Unsigned::new(publisher, "CloseOffer", &offer_stream, json!({}));
    close.accept(&ledger, "OfferClosed").await;
    close.refuse(&ledger, 409, "offer_closed").await;
    ledger
        .refuse_all([
            to("award/AW-K", justified("APP-KENITRA", 1_000_000)).refused(409, "not_scored"),
            to("award/AW-X", grant("APP-NOPE", 1_000_000)).refused(422, "unknown_application"),
            // SALE asked 120,000.00, under the maximum; out of order, so justified.
            to(aw_sale, justified("APP-SALE", 12_000_001)).refused(422, "amount_above_request"),
            // RABAT asked 180,000.00; the maximum is now 150,000.00.
            amount(15_000_001).refused(422, "amount_above_maximum"),
            amount(0).refused(422, "invalid_amount"),
            award.by(other).refused(403, "other_institution"),
        ])
        .await;
    // CASA (70.00) before RABAT (86.00): out of score order, needs a justification...
    let reply = to(aw_casa, grant("APP-CASA", 15_000_000))
        .refuse(&ledger, 422, "justification_required")
        .await;
    assert_message_mentions(&reply, &["justif"]);
    // ...which, given, is published in the entry.
    let (_, data) = to(aw_casa, justified("APP-CASA", 15_000_000))
        .accept(&ledger, "AwardGranted")
        .await;
    assert_eq!(data["out_of_order"], true, "{data}");
    assert_eq!(
        data["justification"], "Seul projet en milieu rural de l'appel",
        "{data}"
    );
    assert_eq!(data["score_hundredths"], 7000, "{data}");
    assert_eq!(data["offer_committed_centimes"], 15_000_000, "{data}");
    let (_, data) = amount(15_000_000).accept(&ledger, "AwardGranted").await;
    assert_eq!(data["out_of_order"], false, "{data}");
    assert_eq!(data["offer_committed_centimes"], 30_000_000, "{data}");
    // 10,000.00 MAD remain: SALE's 20,000.00 do not fit, and the message says what remains.
    let reply = to(aw_sale, grant("APP-SALE", 2_000_000))
        .refuse(&ledger, 422, "budget_exceeded")
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
    ledger
        .refuse_all([
            to(aw_casa, grant("APP-SALE", 1_000_000)).refused(409, "award_exists"),
            award.on("award/AW-RABAT-2").refused(409, "already_awarded"),
        ])
        .await;

    // --- AmendOffer, once awards exist and the deadline has passed ---
    ledger
        .refuse_all([
            amend(json!({"reason": "Coupe budgétaire", "budget_centimes": 29_999_999}))
                .refused(422, "budget_below_awarded"),
            amend(json!({"reason": "Réouverture", "closes_at": "2026-03-10T00:00:00Z"}))
                .refused(409, "deadline_passed"),
        ])
        .await;

    // --- RecordDisbursement ---
    let disburse = Unsigned::new(
        publisher,
        "RecordDisbursement",
        aw_rabat,
        json!({"amount_centimes": 1_000_000, "reference": null}),
    );
    let pay = |amount: i64| disburse.edit(|b| b["amount_centimes"] = json!(amount));
    ledger
        .refuse_all([
            disburse.on("award/AW-NOPE").refused(409, "no_award"),
            pay(15_000_001).refused(422, "disbursement_exceeds_award"),
            pay(0).refused(422, "invalid_amount"),
            disburse.by(other).refused(403, "other_institution"),
        ])
        .await;
    pay(10_000_000)
        .accept(&ledger, "DisbursementRecorded")
        .await;
    // Disbursements add up: 100,000.00 paid, 50,000.01 more would exceed the award.
    pay(5_000_001)
        .refuse(&ledger, 422, "disbursement_exceeds_award")
        .await;
    let (_, data) = pay(5_000_000).accept(&ledger, "DisbursementRecorded").await;
    assert_eq!(data["disbursed_total_centimes"], 15_000_000, "{data}");

    // --- SubmitReport ---
    let report = b"Rapport financier 2026\n".to_vec();
    let sha = to_hex(&sha256(&report));
    ledger.upload(&cast.rabat, report).await.created();
    let casa_key = ledger.association_key(CASA).await;
    let report = Unsigned::new(
        &cast.rabat,
        "SubmitReport",
        aw_rabat,
        json!({"kind": "financial", "summary": "Comptes", "document": sha}),
    );
    ledger
        .refuse_all([
            report.on("award/AW-NOPE").refused(409, "no_award"),
            report
                .edit(|b| b["summary"] = json!(""))
                .refused(422, "summary_required"),
            report
                .edit(|b| b["kind"] = json!("press"))
                .refused(422, "invalid_kind"),
            report
                .edit(|b| b["document"] = json!("not-a-sha256"))
                .refused(422, "invalid_document"),
            // CASA's own key cannot report for RABAT...
            report.by(&casa_key).refused(403, "other_institution"),
            // ...nor can the registrar: reports are signed by the association itself.
            report.by(&cast.registrar).refused(403, "role_not_allowed"),
        ])
        .await;
    report
        .edit(|b| b["summary"] = json!("Comptes certifiés"))
        .accept(&ledger, "ReportSubmitted")
        .await;

    // --- RevokeAward ---
    let revoke =
        |reason: &str, recover: i64| json!({"reason": reason, "recover_centimes": recover});
    let fraud = Unsigned::new(publisher, "RevokeAward", aw_rabat, revoke("Fraude", 0));
    let abandon = fraud.on(aw_casa).body(revoke("Abandon", 0));
    ledger
        .refuse_all([
            fraud.on("award/AW-NOPE").refused(409, "no_award"),
            fraud.body(revoke("", 0)).refused(422, "reason_required"),
            fraud
                .body(revoke("Fraude", 15_000_001))
                .refused(422, "recovery_exceeds_disbursed"),
            // Nothing was paid to CASA: nothing can be recovered.
            abandon
                .body(revoke("Abandon", 1))
                .refused(422, "recovery_exceeds_disbursed"),
            abandon.by(other).refused(403, "other_institution"),
        ])
        .await;
    let (_, data) = abandon.accept(&ledger, "AwardRevoked").await;
    assert_eq!(data["disbursed_centimes"], 0, "{data}");
    assert_eq!(data["offer_committed_centimes"], 15_000_000, "{data}");
    ledger
        .refuse_all([
            abandon
                .body(revoke("Encore", 0))
                .refused(409, "award_revoked"),
            pay(1_000_000).on(aw_casa).refused(409, "award_revoked"),
        ])
        .await;
    // What the revocation returned to the budget can be awarded again: SALE now fits.
    // (Justified: whether a revoked award still counts for score order is not the point.)
    let (_, data) = to(aw_sale, justified("APP-SALE", 12_000_000))
        .accept(&ledger, "AwardGranted")
        .await;
    assert_eq!(data["offer_committed_centimes"], 27_000_000, "{data}");
}
