//! Identical retries: a client that lost the answer to a write sends the exact same signed
//! statement again and must get the original 201, with nothing appended twice, whether
//! the retry comes after the first answer or races it (docs/spec/api.md, section 2.1).

use std::sync::Arc;

use serde_json::json;
use tokio::sync::Barrier;

use crate::support::{parse_entry, Backend, TestApp};

both_backends!(
    an_identical_retry_gets_the_original_answer_and_appends_nothing,
    identical_statements_sent_concurrently_append_once,
);

async fn an_identical_retry_gets_the_original_answer_and_appends_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let auth = app.sign(
        &app.admin,
        "RegisterInstitution",
        "institution/MEN",
        json!({"name": "Ministry of Education", "kind": "ministry"}),
    );
    let first = app.post(&auth).await;
    let original = first.created().clone();
    let size = app.tree_size().await;
    assert_eq!(size, 2);

    let second = app.post(&auth).await;
    assert_eq!(
        second.created(),
        &original,
        "a retry gets the original answer"
    );
    assert_eq!(app.tree_size().await, size, "a retry appends nothing");

    // Still the original answer after the log moved on.
    app.register_institution("MSP", "Ministry of Health").await;
    let third = app.post(&auth).await;
    assert_eq!(third.created(), &original);
    assert_eq!(app.tree_size().await, size + 1);
}

async fn identical_statements_sent_concurrently_append_once(backend: Backend) {
    const COPIES: usize = 8;
    let app = TestApp::start(backend).await;
    let auth = app.sign(
        &app.admin,
        "RegisterInstitution",
        "institution/MEN",
        json!({"name": "Ministry of Education", "kind": "ministry"}),
    );
    let before = app.tree_size().await;
    let barrier = Arc::new(Barrier::new(COPIES));
    let mut tasks = Vec::new();
    for _ in 0..COPIES {
        let (api, auth, barrier) = (app.api.clone(), auth.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            api.post(&auth).await
        }));
    }
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("client task"));
    }
    for (i, reply) in replies.iter().enumerate() {
        assert_eq!(
            reply.status.as_u16(),
            201,
            "copy {i} of an identical statement: {}",
            reply.text()
        );
    }
    let original = replies[0].created().clone();
    for reply in &replies {
        assert_eq!(
            reply.created(),
            &original,
            "every copy gets the same answer"
        );
    }
    assert_eq!(
        app.tree_size().await,
        before + 1,
        "exactly one entry appended"
    );

    // And the log carries that statement exactly once.
    let carrying = app
        .all_entries()
        .await
        .iter()
        .map(|line| parse_entry(line, &app.log_key))
        .filter(|e| {
            e.entry
                .auth
                .as_ref()
                .is_some_and(|a| a.statement.nonce == auth.statement.nonce)
        })
        .count();
    assert_eq!(carrying, 1);
}
