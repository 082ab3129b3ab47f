//! The support lifecycle's rules that span streams, under concurrency: awards on
//! different `award/<id>` streams share one offer's budget, and applications on different
//! `application/<id>` streams share the rule "one per association per offer". Statements
//! are signed first, then released together through a barrier from tokio tasks, so they
//! reach the server as one burst; the server must settle them as if one after the other.
//!
//! The checks are exact: with equal amounts, exactly floor(budget / amount) awards fit and
//! the remainder is then still available to the cent; with different amounts, whichever
//! win, every refused one is larger than what remains; exactly one application wins.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::lifecycle::{
    application_body, apply, association_body, declare_and_score, publish, single_entry, Cast,
    Ledger, AFTER_CLOSE, IN_WINDOW, RABAT,
};
use crate::support::{parse_entry, Backend, Reply};

both_backends!(
    concurrent_awards_take_exactly_what_the_budget_allows,
    concurrent_awards_of_different_amounts_refuse_only_what_no_longer_fits,
    concurrent_applications_of_one_association_to_one_offer_let_one_through,
);

const OFFER: &str = "MJCC-2026-RACE";
const RACERS: usize = 8;

/// Posts every statement at once (each from its own task, released by one barrier) and
/// returns the answers in the order of `auths`.
async fn race(ledger: &Ledger, auths: Vec<ledger::Auth>) -> Vec<Reply> {
    let barrier = Arc::new(Barrier::new(auths.len()));
    let tasks: Vec<_> = auths
        .into_iter()
        .map(|auth| {
            let (api, barrier) = (ledger.api.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                api.post(&auth).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("racer task"));
    }
    replies
}

fn texts(replies: &[Reply]) -> Vec<String> {
    replies.iter().map(Reply::text).collect()
}

/// What a burst of awards came to.
struct Outcome {
    /// The accepted awards in log order: racer, amount, the offer's committed total.
    accepted: Vec<(usize, i64, i64)>,
    /// The racers refused (each with 422 `budget_exceeded`).
    refused: Vec<usize>,
}

impl Outcome {
    fn awarded(&self) -> i64 {
        self.accepted.iter().map(|(_, amount, _)| amount).sum()
    }
}

/// Publishes `offer/OFFER` with `budget`, has association `ASSO-RACE-i` apply for exactly
/// `amounts[i]`, scores every application the same (so no award is out of score order and
/// only the budget can refuse one), closes the offer, then grants every application its
/// request at once. Checks what holds whatever the order the server chose: each answer
/// is a 201 or a 422 `budget_exceeded`, the log grows by the accepted awards only, and
/// their committed totals are the running sums of their amounts in log order.
async fn award_all_at_once(
    backend: Backend,
    budget: i64,
    amounts: &[i64],
) -> (Ledger, Cast, Outcome) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let max = *amounts.iter().max().unwrap();
    publish(&ledger, &cast, OFFER, |b| {
        b["budget_centimes"] = json!(budget);
        b["max_award_centimes"] = json!(max);
    })
    .await;
    ledger.clock.set(IN_WINDOW);
    for (i, amount) in amounts.iter().enumerate() {
        let association = format!("ASSO-RACE-{i}");
        let body = association_body(
            &format!("Association {i}"),
            "MA-04",
            &["youth"],
            "2016-05-01",
        );
        ledger
            .accept(
                &cast.registrar,
                "RegisterAssociation",
                &format!("association/{association}"),
                body,
                "AssociationRegistered",
            )
            .await;
        apply(
            &ledger,
            &cast,
            &format!("APP-{i}"),
            OFFER,
            &association,
            *amount,
        )
        .await;
    }
    ledger.clock.set(AFTER_CLOSE);
    for i in 0..amounts.len() {
        declare_and_score(&ledger, &cast.evaluator, &format!("APP-{i}"), 80, 80).await;
    }
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

    let auths = amounts
        .iter()
        .enumerate()
        .map(|(i, amount)| {
            ledger.sign(
                &cast.publisher,
                "GrantAward",
                &format!("award/AW-{i}"),
                json!({"application": format!("APP-{i}"), "amount_centimes": amount}),
            )
        })
        .collect();
    let replies = race(&ledger, auths).await;

    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for (i, reply) in replies.iter().enumerate() {
        if reply.status.as_u16() != 201 {
            assert_eq!(
                reply.json["error"],
                "budget_exceeded",
                "racer {i}: only the budget may refuse an award here; answers: {:#?}",
                texts(&replies)
            );
            reply.assert_error(422, "budget_exceeded");
            refused.push(i);
            continue;
        }
        let entry = single_entry(reply, &format!("racer {i}"));
        assert_eq!(
            (entry.event_type.as_str(), entry.stream.as_str()),
            ("AwardGranted", format!("award/AW-{i}").as_str())
        );
        let data = ledger.entry_data(entry.index).await;
        assert_eq!(data["amount_centimes"], amounts[i], "{data}");
        let committed = data["offer_committed_centimes"].as_i64().unwrap();
        accepted.push((entry.index, i, amounts[i], committed));
    }
    accepted.sort_unstable();
    let mut running = 0;
    for (_, i, amount, committed) in &accepted {
        running += amount;
        assert_eq!(
            *committed, running,
            "award {i}: each award's committed total includes exactly the awards before it"
        );
    }
    assert_eq!(ledger.tree_size().await, before + accepted.len() as u64);
    let outcome = Outcome {
        accepted: accepted.into_iter().map(|(_, i, a, c)| (i, a, c)).collect(),
        refused,
    };

    // The log itself never holds more awards for the offer than its budget.
    let in_log: i64 = ledger
        .all_entries()
        .await
        .iter()
        .map(|line| parse_entry(line, &ledger.log_key).entry)
        .filter(|e| e.event_type == "AwardGranted" && e.data["offer"] == OFFER)
        .map(|e| e.data["amount_centimes"].as_i64().unwrap())
        .sum();
    assert_eq!(in_log, outcome.awarded());
    assert!(
        in_log <= budget,
        "{in_log} awarded from a budget of {budget}"
    );
    (ledger, cast, outcome)
}

async fn concurrent_awards_take_exactly_what_the_budget_allows(backend: Backend) {
    const BUDGET: i64 = 10_000_000;
    const AMOUNT: i64 = 3_000_000;
    let (ledger, cast, outcome) = award_all_at_once(backend, BUDGET, &[AMOUNT; RACERS]).await;

    // With equal amounts, exactly floor(budget / amount) fit.
    let fit = usize::try_from(BUDGET / AMOUNT).unwrap();
    assert_eq!(
        outcome.accepted.len(),
        fit,
        "exactly floor({BUDGET} / {AMOUNT}) awards fit"
    );
    assert_eq!(outcome.refused.len(), RACERS - fit);

    // And no award was refused for nothing: exactly what remains is still there.
    let remains = BUDGET - outcome.awarded();
    let loser = outcome.refused[0];
    let stream = format!("award/AW-{loser}");
    let over = json!({"application": format!("APP-{loser}"), "amount_centimes": remains + 1});
    ledger
        .refuse(
            &cast.publisher,
            "GrantAward",
            &stream,
            over,
            422,
            "budget_exceeded",
        )
        .await;
    let exact = json!({"application": format!("APP-{loser}"), "amount_centimes": remains});
    let (_, data) = ledger
        .accept(
            &cast.publisher,
            "GrantAward",
            &stream,
            exact,
            "AwardGranted",
        )
        .await;
    assert_eq!(data["offer_committed_centimes"], BUDGET);

    ledger.export_and_verify(ledger.scratch(), "export").await;
}

async fn concurrent_awards_of_different_amounts_refuse_only_what_no_longer_fits(backend: Backend) {
    const BUDGET: i64 = 10_000_000;
    // 260,000.00 MAD asked of a 100,000.00 budget; which ones win depends on the order
    // the server settles them in, but never more than fits, and never a refusal of one
    // that would still fit.
    let amounts = [
        5_000_000, 4_500_000, 4_000_000, 3_500_000, 3_000_000, 2_500_000, 2_000_000, 1_500_000,
    ];
    let (ledger, _, outcome) = award_all_at_once(backend, BUDGET, &amounts).await;
    let awarded = outcome.awarded();
    assert!(
        !outcome.accepted.is_empty(),
        "the first award settled always fits"
    );
    for &i in &outcome.refused {
        assert!(
            amounts[i] > BUDGET - awarded,
            "award {i} of {} was refused, yet {} remain",
            amounts[i],
            BUDGET - awarded
        );
    }
    ledger.export_and_verify(ledger.scratch(), "export").await;
}

async fn concurrent_applications_of_one_association_to_one_offer_let_one_through(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, OFFER, |_| {}).await;
    ledger.clock.set(IN_WINDOW);
    let before = ledger.tree_size().await;

    // Half signed by RABAT's own key, half by the registrar on its behalf: the rule is
    // about the association, whoever signs.
    let auths = (0..RACERS)
        .map(|i| {
            let key = if i % 2 == 0 {
                &cast.rabat
            } else {
                &cast.registrar
            };
            ledger.sign(
                key,
                "SubmitApplication",
                &format!("application/APP-{i}"),
                application_body(OFFER, RABAT, 1_000_000 * (i as i64 + 1)),
            )
        })
        .collect();
    let replies = race(&ledger, auths).await;

    let winners: Vec<usize> = (0..RACERS)
        .filter(|&i| replies[i].status.as_u16() == 201)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one application of one association to one offer; answers: {:#?}",
        texts(&replies)
    );
    for (i, reply) in replies.iter().enumerate() {
        if i != winners[0] {
            reply.assert_error(409, "already_applied");
        }
    }
    let entries: &Value = &replies[winners[0]].created()["entries"];
    assert_eq!(entries[0]["type"], "ApplicationSubmitted");
    assert_eq!(
        entries[0]["stream"],
        format!("application/APP-{}", winners[0])
    );
    assert_eq!(ledger.tree_size().await, before + 1);

    // The losers' ids stay free: another association may take one of them.
    let loser = (0..RACERS).find(|&i| i != winners[0]).unwrap();
    apply(
        &ledger,
        &cast,
        &format!("APP-{loser}"),
        OFFER,
        crate::lifecycle::CASA,
        1_000_000,
    )
    .await;

    ledger.export_and_verify(ledger.scratch(), "export").await;
}
