//! `sijill monitor`, as a separate process following a real server: it trusts
//! the log key on first use, verifies what is new at each run, reports entries on watched
//! streams and by watched actors, and catches, with exit code 1 and a line saying what,
//! a rollback, a forked checkpoint (signed with the real log key, as a thief of that key
//! could), a checkpoint inconsistent with the one it saw, and a tampered entry; after an
//! alarm its state is unchanged, so the honest server still checks out.
//!
//! The monitor only speaks HTTP, so one store (SQLite) is enough here.

use std::path::Path;
use std::sync::Arc;

use ledger::{Checkpoint, NoteSigner};

use crate::support::{run_binary, Backend, TestApp};
use crate::tamper_proxy::start_proxy;

pub async fn monitor(server: &str, state: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "monitor",
        "--server",
        server,
        "--state",
        state.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_binary(&args).await
}

/// A proxy that serves `note` as the checkpoint and passes everything else through.
async fn serving_checkpoint(app: &TestApp, note: String) -> String {
    start_proxy(
        &app.base,
        Arc::new(move |path: &str, body: Vec<u8>| {
            if path == "/v1/log/checkpoint" {
                note.clone().into_bytes()
            } else {
                body
            }
        }),
    )
    .await
}

/// A checkpoint signed with the server's own log key, as whoever stole it could sign.
fn forged(app: &TestApp, size: u64, root: [u8; 32]) -> String {
    let key = keys::load(&app.scratch().join("data/keys/log.key")).expect("the log key");
    Checkpoint {
        origin: app.origin.clone(),
        size,
        root,
    }
    .sign(&NoteSigner::new(&app.origin, key))
    .expect("a signed checkpoint")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_follows_a_growing_log_and_reports_watched_entries() {
    let app = TestApp::start(Backend::Sqlite).await;
    let state = app.scratch().join("monitor");

    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "trusting the server's log key on first use: {}",
            app.log_key
        )),
        "{out}"
    );
    assert!(out.contains("checkpoint 1 "), "{out}");
    assert!(out.contains("1 new entries verified"), "{out}");

    app.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;
    let official = app
        .register_official(&app.admin, "mrp.publisher", "MRP", &["publisher"])
        .await;
    let _ = official;
    app.register_institution("MSP", "Ministère de la Santé")
        .await;

    let (code, out, err) = monitor(
        &app.base,
        &state,
        &["--watch", "institution/MSP", "--watch", "registry/"],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("checkpoint 4 "), "{out}");
    assert!(
        out.contains("3 new entries verified, consistent with 1"),
        "{out}"
    );
    assert!(
        out.contains("watch: index 2 registry/mrp.publisher ActorRegistered by admin"),
        "{out}"
    );
    assert!(
        out.contains("watch: index 3 institution/MSP InstitutionRegistered by admin"),
        "{out}"
    );
    assert!(
        !out.contains("institution/MRP"),
        "MRP is not watched: {out}"
    );

    // Watching an actor by id: everything the administrator signs.
    app.register_institution("MEN", "Ministère de l'Éducation nationale")
        .await;
    let (code, out, _) = monitor(&app.base, &state, &["--watch", "admin"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("watch: index 4 institution/MEN InstitutionRegistered by admin"),
        "{out}"
    );

    let (code, out, _) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("checkpoint 5 ") && out.contains("no new entries"),
        "{out}"
    );
    assert!(
        std::fs::read_to_string(state.join("entries.jsonl"))
            .expect("the state's entries")
            .lines()
            .count()
            == 5
    );

    // A key other than the one the state follows is refused, not silently preferred.
    let other = NoteSigner::new(&app.origin, ed25519_dalek::SigningKey::from_bytes(&[9; 32]));
    let (code, _, err) = monitor(
        &app.base,
        &state,
        &["--log-key", &other.verifier().to_string()],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--log-key differs"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_catches_rollback_fork_and_tampered_entries() {
    let app = TestApp::start(Backend::Sqlite).await;
    app.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;
    let (_, older) = app.checkpoint().await;
    let older_note = app.get("/v1/log/checkpoint").await.text();
    app.register_institution("MSP", "Ministère de la Santé")
        .await;
    let state = app.scratch().join("monitor");
    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    let (_, seen) = app.checkpoint().await;
    assert_eq!((older.size, seen.size), (2, 3));
    let entries_before = std::fs::read(state.join("entries.jsonl")).expect("state");

    // Rollback: the server now shows the older, genuinely signed checkpoint.
    let proxy = serving_checkpoint(&app, older_note).await;
    let (code, out, _) = monitor(&proxy, &state, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "ROLLBACK: the server's checkpoint covers 2 entries, fewer than the 3 already seen"
        ),
        "{out}"
    );

    // Fork at the same size: another root, signed with the real log key.
    let proxy = serving_checkpoint(&app, forged(&app, seen.size, [7; 32])).await;
    let (code, out, _) = monitor(&proxy, &state, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FORK: checkpoint 3 has root"), "{out}");

    // Fork ahead: the log grew by one, but the checkpoint served does not extend the
    // one already seen.
    app.register_institution("MEN", "Ministère de l'Éducation nationale")
        .await;
    let proxy = serving_checkpoint(&app, forged(&app, seen.size + 1, [8; 32])).await;
    let (code, out, _) = monitor(&proxy, &state, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FORK: checkpoint 4 is not consistent with checkpoint 3"),
        "{out}"
    );

    // After the alarms the state is what it was, and the honest server checks out.
    assert_eq!(
        std::fs::read(state.join("entries.jsonl")).expect("state"),
        entries_before
    );
    let (code, out, _) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 new entries verified, consistent with 3"),
        "{out}"
    );

    // A tampered entry, followed from scratch: named with its index and reason.
    let tampering = start_proxy(
        &app.base,
        Arc::new(|path: &str, body: Vec<u8>| {
            if !path.starts_with("/v1/log/entries?") {
                return body;
            }
            String::from_utf8(body)
                .expect("entries are UTF-8")
                .replacen("Ministère de la Santé", "Ministère de la Sante", 1)
                .into_bytes()
        }),
    )
    .await;
    let fresh = app.scratch().join("fresh-monitor");
    let (code, out, _) = monitor(&tampering, &fresh, &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INVALID: index 2: "), "{out}");
    assert!(out.contains("log signature"), "{out}");

    // A server that cannot be reached is trouble (2), not a fault of the log.
    let (code, _, err) = monitor("http://127.0.0.1:9", &state, &[]).await;
    assert_eq!(code, 2, "{err}");
}
