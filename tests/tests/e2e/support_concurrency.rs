//! The support lifecycle's rules that span streams, under concurrency (issue 3): awards on
//! different `award/<id>` streams share one offer's budget, and applications on different
//! `application/<id>` streams share the rule "one per association per offer". Statements
//! are signed first, then released together through a barrier from tokio tasks, so they
//! reach the server as one burst; the server must settle them as if one after the other.
//!
//! The checks are exact: with equal amounts, exactly floor(budget / amount) awards fit and
//! the remainder is then still available to the cent; exactly one application wins.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::lifecycle::{
    application_body, apply, association_body, declare_and_score, publish, Cast, Ledger,
    AFTER_CLOSE, IN_WINDOW, RABAT,
};
use crate::support::{parse_entry, Backend, Reply};

both_backends!(
    concurrent_awards_take_exactly_what_the_budget_allows,
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

async fn concurrent_awards_take_exactly_what_the_budget_allows(backend: Backend) {
    const BUDGET: i64 = 10_000_000;
    const AMOUNT: i64 = 3_000_000;
    let fit = usize::try_from(BUDGET / AMOUNT).unwrap();

    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, OFFER, |b| {
        b["budget_centimes"] = json!(BUDGET);
        b["max_award_centimes"] = json!(AMOUNT);
    })
    .await;
    ledger.clock.set(IN_WINDOW);
    for i in 0..RACERS {
        let association = format!("ASSO-RACE-{i}");
        ledger
            .accept(
                &cast.registrar,
                "RegisterAssociation",
                &format!("association/{association}"),
                association_body(
                    &format!("Association {i}"),
                    "MA-04",
                    &["youth"],
                    "2016-05-01",
                ),
                "AssociationRegistered",
            )
            .await;
        apply(
            &ledger,
            &cast,
            &format!("APP-{i}"),
            OFFER,
            &association,
            AMOUNT,
        )
        .await;
    }
    ledger.clock.set(AFTER_CLOSE);
    // Equal scores: no award is out of score order, so only the budget can refuse one.
    for i in 0..RACERS {
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

    let auths = (0..RACERS)
        .map(|i| {
            ledger.sign(
                &cast.publisher,
                "GrantAward",
                &format!("award/AW-{i}"),
                json!({"application": format!("APP-{i}"), "amount_centimes": AMOUNT}),
            )
        })
        .collect();
    let replies = race(&ledger, auths).await;

    let (accepted, refused): (Vec<_>, Vec<_>) = replies
        .iter()
        .enumerate()
        .partition(|(_, r)| r.status.as_u16() == 201);
    assert_eq!(
        accepted.len(),
        fit,
        "exactly floor({BUDGET} / {AMOUNT}) awards fit; answers: {:#?}",
        texts(&replies)
    );
    for (_, reply) in &refused {
        reply.assert_error(422, "budget_exceeded");
    }
    // The accepted awards, read back from the log: each saw the ones before it, so their
    // committed totals are AMOUNT, 2 AMOUNT, ... in log order.
    let mut committed: Vec<(u64, i64)> = Vec::new();
    for (i, reply) in &accepted {
        let entries = reply.created()["entries"].as_array().unwrap().clone();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["type"], "AwardGranted");
        assert_eq!(entries[0]["stream"], format!("award/AW-{i}"));
        let index = entries[0]["index"].as_u64().unwrap();
        let data = ledger.entry_data(index).await;
        assert_eq!(data["amount_centimes"], AMOUNT);
        committed.push((index, data["offer_committed_centimes"].as_i64().unwrap()));
    }
    committed.sort_unstable();
    let totals: Vec<i64> = committed.iter().map(|(_, c)| *c).collect();
    let expected: Vec<i64> = (1..=fit as i64).map(|n| n * AMOUNT).collect();
    assert_eq!(totals, expected, "committed totals in log order");
    assert_eq!(ledger.tree_size().await, before + fit as u64);

    // The log itself never holds more awards for the offer than its budget.
    let awarded: i64 = ledger
        .all_entries()
        .await
        .iter()
        .map(|line| parse_entry(line, &ledger.log_key).entry)
        .filter(|e| e.event_type == "AwardGranted" && e.data["offer"] == OFFER)
        .map(|e| e.data["amount_centimes"].as_i64().unwrap())
        .sum();
    assert_eq!(awarded, fit as i64 * AMOUNT);

    // And no refused award was refused for nothing: exactly what remains is still there.
    let remains = BUDGET - fit as i64 * AMOUNT;
    let (loser, _) = refused[0];
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
