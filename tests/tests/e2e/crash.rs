//! `kill -9` under load: every write the server acknowledged must be in the log after a
//! restart, at the index it was acknowledged with and with the same entry hash; the log
//! has no gap and its export verifies. Nothing is acknowledged before it is durable, and
//! a write whose answer the crash swallowed can be sent again safely.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ledger::hash::to_hex;
use ledger::merkle::verify_consistency;
use serde_json::json;

use crate::support::{parse_entry, Backend, ServerProcess, Store, PATIENCE};

both_backends!(acknowledged_writes_survive_kill_9_at_their_index);

/// Kills per test in the suite; `SIJILL_KILL_ROUNDS=200` runs many more by hand (docs/hardening.md).
const ROUNDS: usize = 3;
/// Acknowledgements to wait for before a kill are drawn from `1..=MAX_ACKS_BEFORE_KILL`,
/// so the kill lands at a random point of the load (printed, to replay a failure).
const MAX_ACKS_BEFORE_KILL: usize = 300;

fn rounds() -> usize {
    std::env::var("SIJILL_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(ROUNDS)
}
const CLIENTS: usize = 6;

async fn acknowledged_writes_survive_kill_9_at_their_index(backend: Backend) {
    let store = Store::new(backend).await;
    let url = store.database_url();
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let mut server = ServerProcess::start_ok(&data, url.as_deref(), &logs).await;
    let acked: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let mut signed_before_kill = Vec::new();

    let rounds = rounds();
    let mut total_before_kill = 0;
    for round in 0..rounds {
        let acks_before_kill =
            rand::Rng::gen_range(&mut rand::thread_rng(), 1..=MAX_ACKS_BEFORE_KILL);
        total_before_kill += acks_before_kill;
        eprintln!("round {round}: kill -9 after {acks_before_kill} acknowledged writes");
        let api = server.api(&data).await;
        let stop = Arc::new(AtomicBool::new(false));
        let unexpected: Arc<Mutex<Vec<String>>> = Arc::default();
        let round_acks = Arc::new(Mutex::new(0usize));
        let mut tasks = Vec::new();
        for client in 0..CLIENTS {
            let (api, stop, acked, unexpected, round_acks) = (
                api.clone(),
                stop.clone(),
                acked.clone(),
                unexpected.clone(),
                round_acks.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Acquire) {
                    n += 1;
                    let auth = api.sign(
                        &api.admin,
                        "RegisterInstitution",
                        &format!("institution/K{round}-{client}-{n}"),
                        json!({"name": format!("Institution {round} {client} {n}"), "kind": "other"}),
                    );
                    let bytes = auth.to_value().to_string().into_bytes();
                    match api.try_post_bytes(bytes, "application/json").await {
                        Ok(reply) if reply.status.as_u16() == 201 => {
                            for (index, hash) in reply.acks() {
                                let previous = acked.lock().unwrap().insert(index, hash);
                                assert!(previous.is_none(), "index {index} acknowledged twice");
                            }
                            *round_acks.lock().unwrap() += 1;
                        }
                        Ok(reply) => unexpected
                            .lock()
                            .unwrap()
                            .push(format!("{}: {}", reply.status, reply.text())),
                        // The server is gone: that request was never acknowledged,
                        // but it may or may not have been appended.
                        Err(_) => return Some(auth),
                    }
                }
                None
            }));
        }

        let deadline = Instant::now() + PATIENCE;
        while *round_acks.lock().unwrap() < acks_before_kill {
            assert!(
                Instant::now() < deadline,
                "round {round}: only {} writes acknowledged in {PATIENCE:?}",
                round_acks.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // The last tree head the log signed before the crash: whatever it signs after the
        // restart must be consistent with it.
        signed_before_kill.push(api.checkpoint().await.1);
        server.kill9();
        stop.store(true, Ordering::Release);
        let mut in_flight = Vec::new();
        for task in tasks {
            let unanswered = tokio::time::timeout(PATIENCE, task)
                .await
                .expect("clients stop once the server is gone")
                .expect("client task");
            in_flight.extend(unanswered);
        }
        let unexpected = unexpected.lock().unwrap().clone();
        assert!(
            unexpected.is_empty(),
            "round {round}: refusals under plain load: {unexpected:?}"
        );

        server = ServerProcess::start_ok(&data, url.as_deref(), &logs).await;

        // What a client does after losing its answer: send the same statement again. It
        // is appended now, or it was before the crash and gets its original answer; either
        // way it is acknowledged once, at an index no other write holds.
        let api = server.api(&data).await;
        for auth in &in_flight {
            let reply = api.post(auth).await;
            for (index, hash) in reply.acks() {
                let previous = acked.lock().unwrap().insert(index, hash);
                assert!(
                    previous.is_none(),
                    "a retried write got index {index}, already acknowledged"
                );
            }
        }
    }

    // After the last restart: every acknowledged write where it was acknowledged.
    let api = server.api(&data).await;
    let lines = api.all_entries().await;
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= total_before_kill);
    for (i, line) in lines.iter().enumerate() {
        let signed = parse_entry(line, &api.log_key);
        assert_eq!(signed.entry.index, i as u64, "the log has a gap before {i}");
    }
    for (index, hash) in &acked {
        let line = lines.get(*index as usize).unwrap_or_else(|| {
            panic!(
                "acknowledged entry {index} is lost (log has {})",
                lines.len()
            )
        });
        let signed = parse_entry(line, &api.log_key);
        assert_eq!(
            &to_hex(&signed.hash),
            hash,
            "entry {index} is not the acknowledged one"
        );
    }

    // The read models caught up on restart: every institution in the log is listed.
    let registered = lines
        .iter()
        .filter(|l| parse_entry(l, &api.log_key).entry.event_type == "InstitutionRegistered")
        .count();
    let listed = api.get("/v1/institutions?per_page=1").await;
    assert_eq!(listed.json["total"], registered as u64, "{}", listed.text());

    // The restarted server carries on at the next index, and the whole log verifies.
    let size = lines.len() as u64;
    let reply = api.register_institution("AFTER", "After the crashes").await;
    assert_eq!(reply.acks()[0].0, size);
    let (_, now) = api.checkpoint().await;
    assert_eq!(now.size, size + 1);
    api.export_and_verify(dir.path(), "export").await;

    // No checkpoint signed before a crash contradicts the log after it.
    for before in &signed_before_kill {
        let answer = api
            .get(&format!(
                "/v1/log/proof/consistency?from={}&to={}",
                before.size, now.size
            ))
            .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
        let proof = crate::proofs::hashes_of(&answer.json);
        verify_consistency(before.size, now.size, &proof, &before.root, &now.root).unwrap_or_else(
            |e| {
                panic!(
                    "checkpoint {} before a crash is not consistent with {}: {e}",
                    before.size, now.size
                )
            },
        );
    }
}
