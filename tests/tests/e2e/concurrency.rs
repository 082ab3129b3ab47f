//! Many clients at once against one server: every acknowledged write gets its own index,
//! the indexes stay dense, the export still verifies, and conflicting writes to one stream
//! are settled inside the server (docs/spec/api.md: "never returned to the client as a conflict").

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::json;
use tokio::sync::Barrier;

use crate::support::{new_key, public_b64, Backend, Reply, TestApp};

both_backends!(
    concurrent_clients_on_distinct_streams_get_dense_indexes,
    concurrent_revocations_of_one_actor_succeed_exactly_once,
);

async fn concurrent_clients_on_distinct_streams_get_dense_indexes(backend: Backend) {
    const CLIENTS: usize = 16;
    const COMMANDS: usize = 200;
    let app = TestApp::start(backend).await;
    let start = app.tree_size().await;

    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let api = app.api.clone();
        tasks.push(tokio::spawn(async move {
            let mut replies = Vec::new();
            // Client c sends commands c, c + 16, c + 32, ... one after the other.
            for n in (client..COMMANDS).step_by(CLIENTS) {
                let reply = api
                    .submit(
                        &api.admin,
                        "RegisterInstitution",
                        &format!("institution/C-{n}"),
                        json!({"name": format!("Commune {n}"), "kind": "local_authority"}),
                    )
                    .await;
                replies.push((n, reply));
            }
            replies
        }));
    }
    let mut indexes = BTreeSet::new();
    let mut answered = 0;
    for task in tasks {
        for (n, reply) in task.await.expect("client task") {
            let acks = reply.acks(); // asserts the 201
            assert_eq!(acks.len(), 1, "command {n} appends one entry");
            assert_eq!(
                reply.created()["entries"][0]["stream"],
                format!("institution/C-{n}")
            );
            assert!(indexes.insert(acks[0].0), "index {} given twice", acks[0].0);
            answered += 1;
        }
    }
    assert_eq!(answered, COMMANDS);
    let expected: BTreeSet<u64> = (start..start + COMMANDS as u64).collect();
    assert_eq!(
        indexes, expected,
        "acknowledged indexes are exactly the next ones, no gap"
    );
    assert_eq!(app.tree_size().await, start + COMMANDS as u64);
    app.export_and_verify(app.scratch(), "export").await;
}

async fn concurrent_revocations_of_one_actor_succeed_exactly_once(backend: Backend) {
    const RACERS: usize = 16;
    let app = TestApp::start(backend).await;
    app.register_institution("MI", "Ministry of the Interior")
        .await;
    app.submit(
        &app.admin,
        "RegisterActor",
        "registry/hamid",
        json!({"public_key": public_b64(&new_key()), "name": "Hamid", "institution": "MI",
               "roles": ["publisher"]}),
    )
    .await
    .created();
    let before = app.tree_size().await;

    let barrier = Arc::new(Barrier::new(RACERS));
    let mut tasks = Vec::new();
    for i in 0..RACERS {
        let (api, barrier) = (app.api.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            // Distinct statements (each its own nonce), one target.
            let auth = api.sign(
                &api.admin,
                "RevokeActor",
                "registry/hamid",
                json!({"reason": format!("revocation attempt {i}")}),
            );
            barrier.wait().await;
            api.post(&auth).await
        }));
    }
    let mut replies: Vec<Reply> = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("client task"));
    }
    let won: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status.as_u16() == 201)
        .collect();
    assert_eq!(
        won.len(),
        1,
        "exactly one revocation wins; answers: {:?}",
        replies.iter().map(Reply::text).collect::<Vec<_>>()
    );
    for reply in replies.iter().filter(|r| r.status.as_u16() != 201) {
        // Never a conflict error, never a 5xx: the losers see the actor already revoked.
        reply.assert_error(409, "already_revoked");
    }
    assert_eq!(app.tree_size().await, before + 1);
    let actor = app.get("/v1/actors/hamid").await;
    assert_eq!(actor.json["status"], "revoked", "{}", actor.text());
}
