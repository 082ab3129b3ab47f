//! Comments are numbered by the domain (1, 2, ... within a consultation), and responses,
//! moderation and motivations name them by that number: two comments must never get the
//! same one, and none may be skipped. Eight associations, each with its own key, comment
//! on one consultation at once (statements signed first, then released together from
//! tokio tasks through a barrier); every comment must be accepted, numbered exactly
//! 1..=8, each on its own seq of the consultation's stream, in log order.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::Barrier;

use crate::lifecycle::{single_entry, Ledger, AFTER_CLOSE, IN_WINDOW};
use crate::participation::{
    comment_body, consultation_body, consultation_stream, draft_with_revision, first_text, upload,
    Participants, CONSULTATION, DRAFT,
};
use crate::public_channel::{Consultation, CONSULTATION as PUBLIC_CONSULTATION};
use crate::support::{parse_entry, Backend, Reply};

both_backends!(
    concurrent_comments_get_distinct_consecutive_numbers,
    a_crowd_of_public_comments_shares_batches,
    refusals_in_a_crowd_are_answered_as_refusals
);

const ASSOCIATIONS: usize = 8;

async fn concurrent_comments_get_distinct_consecutive_numbers(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    draft_with_revision(&ledger, &p, DRAFT, &first_text()).await;
    let stream = consultation_stream(CONSULTATION);
    let (opened, _) = ledger
        .accept(
            &p.drafter,
            "OpenConsultation",
            &stream,
            consultation_body(DRAFT, 1),
            "ConsultationOpened",
        )
        .await;
    ledger.clock.set(IN_WINDOW);

    // Everything that is not the race happens before it: registrations, uploads, signing.
    let mut auths = Vec::new();
    for i in 0..ASSOCIATIONS {
        let id = format!("ASSO-COMMENT-{i}");
        let key = p.association(&ledger, &id).await;
        let text = format!("Contribution de l'association {i} sur l'article premier.");
        let document = upload(&ledger, &key, text.as_bytes()).await;
        let article = if i % 2 == 0 { Some("art-1") } else { None };
        auths.push(ledger.sign(
            &key,
            "SubmitComment",
            &stream,
            comment_body(&id, article, &document),
        ));
    }
    let before = ledger.tree_size().await;

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
    let mut replies: Vec<Reply> = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("commenter task"));
    }

    // Every comment accepted, one entry each.
    let mut by_index = Vec::new();
    for (i, reply) in replies.iter().enumerate() {
        let appended = single_entry(reply, &format!("association {i}'s comment"));
        assert_eq!(
            (appended.event_type.as_str(), appended.stream.as_str()),
            ("CommentSubmitted", stream.as_str())
        );
        by_index.push((appended.index, appended.seq, i));
    }
    assert_eq!(
        ledger.tree_size().await,
        before + ASSOCIATIONS as u64,
        "the log grew by exactly the eight comments"
    );

    // Read back from the log, in log order: comment n is the n-th comment on the stream,
    // on the seq right after the opening's plus n - 1, and names its own association.
    by_index.sort_unstable();
    let mut numbers = BTreeSet::new();
    let mut seqs = BTreeSet::new();
    for (position, (index, seq, racer)) in by_index.iter().enumerate() {
        let line = ledger.entry_lines(*index, 1).await;
        let entry = parse_entry(&line[0], &ledger.log_key).entry;
        let data = entry.data;
        let n = data["comment"].as_u64().expect("a comment number");
        assert_eq!(
            n,
            position as u64 + 1,
            "comments are numbered in the order the log records them"
        );
        assert_eq!(*seq, opened.seq + n, "comment {n} is on its own seq");
        assert_eq!(entry.seq, *seq, "the 201 and the log agree on the seq");
        assert_eq!(
            data["association"],
            format!("ASSO-COMMENT-{racer}").as_str()
        );
        numbers.insert(n);
        seqs.insert(*seq);
    }
    assert_eq!(
        numbers,
        (1..=ASSOCIATIONS as u64).collect::<BTreeSet<_>>(),
        "numbers exactly 1..=8"
    );
    assert_eq!(seqs.len(), ASSOCIATIONS, "no two comments share a seq");

    // The consultation counted each of them once.
    ledger.clock.set(AFTER_CLOSE);
    let (_, data) = ledger
        .accept(
            &p.drafter,
            "CloseConsultation",
            &stream,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    assert_eq!(data, json!({"comments": ASSOCIATIONS}));
}

/// Public commenters released together on one consultation.
const CROWD: usize = 32;

/// Comments on one consultation are decided one after another (each is the next entry of
/// the consultation's stream), but each is decided on the state the one before it leaves
/// while that one is still being made durable: a crowd fills batches instead of taking a
/// batch (a transaction, an fsync, a checkpoint) per comment, and still gets the numbers
/// 1..=n, each once, in log order.
async fn a_crowd_of_public_comments_shares_batches(backend: Backend) {
    let c = Consultation::open(backend, 100_000).await;
    let sequencer = &c.service().sequencer;
    let (size_before, batches_before) = (c.tree_size().await, sequencer.committed_batches());
    let barrier = Arc::new(Barrier::new(CROWD));
    let tasks: Vec<_> = (0..CROWD)
        .map(|i| {
            let (app, barrier) = (c.api.clone(), barrier.clone());
            let body = json!({"text": format!("Avis numéro {i} sur le projet."), "article": null});
            tokio::spawn(async move {
                barrier.wait().await;
                let (status, receipt) = app.post_public_comment(PUBLIC_CONSULTATION, &body).await;
                assert_eq!(status, 201, "{receipt}");
                receipt
            })
        })
        .collect();
    let mut numbered = Vec::new();
    for task in tasks {
        let receipt = task.await.expect("commenter task");
        let index = receipt["index"].as_u64().expect("an index");
        let number = receipt["entry"]["data"]["comment"]
            .as_u64()
            .expect("a number");
        numbered.push((index, number));
    }
    numbered.sort_unstable();
    let numbers: Vec<u64> = numbered.iter().map(|(_, n)| *n).collect();
    assert_eq!(
        numbers,
        (1..=CROWD as u64).collect::<Vec<_>>(),
        "numbered 1..=n in log order"
    );
    assert_eq!(c.tree_size().await, size_before + CROWD as u64);
    let batches = sequencer.committed_batches() - batches_before;
    assert!(
        batches < CROWD as u64,
        "{CROWD} comments took {batches} batches: one each means none was decided while the one before it was being made durable"
    );
}

/// A comment refused in a crowd (an article the draft does not have) is decided on the
/// state the comments queued before it leave; its refusal is its answer once they are
/// committed, never a 503 after waiting for a quiet moment, and the crowd's comments are
/// all accepted and numbered 1..=n.
async fn refusals_in_a_crowd_are_answered_as_refusals(backend: Backend) {
    let c = Consultation::open(backend, 100_000).await;
    let barrier = Arc::new(Barrier::new(CROWD));
    let tasks: Vec<_> = (0..CROWD)
        .map(|i| {
            let (app, barrier) = (c.api.clone(), barrier.clone());
            let article = if i % 4 == 3 { "art-9" } else { "art-1" };
            let body = json!({"text": format!("Avis {i} sur l'article."), "article": article});
            tokio::spawn(async move {
                barrier.wait().await;
                (
                    article,
                    app.post_public_comment(PUBLIC_CONSULTATION, &body).await,
                )
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        let (article, (status, answer)) = task.await.expect("commenter task");
        if article == "art-9" {
            assert_eq!(status, 422, "{answer}");
            assert_eq!(answer["error"], "unknown_article", "{answer}");
        } else {
            assert_eq!(status, 201, "{answer}");
            numbers.push(
                answer["entry"]["data"]["comment"]
                    .as_u64()
                    .expect("a number"),
            );
        }
    }
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=(CROWD - CROWD / 4) as u64).collect::<Vec<_>>()
    );
}
