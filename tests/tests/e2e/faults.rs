//! The store failing under the server: PostgreSQL stopped at once and started
//! again in the middle of a write load, a database turned read-only, a disk that fills up.
//! Each time, the server stays up; writes it cannot make durable are refused clearly (503
//! with the JSON error body) and append nothing; reads keep being served where the store
//! can still read; every write it acknowledged is in the log once, at its index; and once
//! the store is back, writes are accepted again and the whole log verifies.
//!
//! The restart runs on a PostgreSQL of the test's own (`private_postgres.rs`), the
//! read-only database on a throwaway database of the shared server, the full disk on a
//! small tmpfs holding an SQLite store; the last two need root, as CI has.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ledger::hash::to_hex;
use serde_json::json;

use crate::private_postgres::PrivatePostgres;
use crate::support::{parse_entry, Api, ServerProcess, Store, PATIENCE};

/// What a write load saw: acknowledged `(index -> entry hash)`, refusals by status, and
/// the statements whose answer never came (to be sent again).
#[derive(Default)]
struct Seen {
    acked: BTreeMap<u64, String>,
    refused: BTreeMap<u16, usize>,
    unanswered: Vec<ledger::Auth>,
    bad_refusals: Vec<String>,
}

/// Clients registering institutions until `stop`; every 503 must carry the JSON error.
fn write_load(
    api: &Api,
    clients: usize,
    tag: &str,
    stop: &Arc<AtomicBool>,
) -> (Arc<Mutex<Seen>>, Vec<tokio::task::JoinHandle<()>>) {
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let tasks = (0..clients)
        .map(|client| {
            let (api, stop, seen, tag) = (api.clone(), stop.clone(), seen.clone(), tag.to_owned());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Acquire) {
                    n += 1;
                    let auth = api.sign(
                        &api.admin,
                        "RegisterInstitution",
                        &format!("institution/{tag}-{client}-{n}"),
                        json!({"name": format!("Institution {tag} {client} {n}"), "kind": "other"}),
                    );
                    let bytes = auth.to_value().to_string().into_bytes();
                    match api.try_post_bytes(bytes, "application/json").await {
                        Ok(reply) if reply.status.as_u16() == 201 => {
                            let mut seen = seen.lock().unwrap();
                            for (index, hash) in reply.acks() {
                                assert!(
                                    seen.acked.insert(index, hash).is_none(),
                                    "index {index} acknowledged twice"
                                );
                            }
                        }
                        Ok(reply) => {
                            {
                                let mut seen = seen.lock().unwrap();
                                *seen.refused.entry(reply.status.as_u16()).or_default() += 1;
                                if reply.status.as_u16() != 503
                                    || reply.json["error"].as_str().is_none()
                                {
                                    seen.bad_refusals.push(format!(
                                        "{}: {}",
                                        reply.status,
                                        reply.text()
                                    ));
                                }
                                // A 503 may hide a commit whose answer was lost: sent again later.
                                seen.unanswered.push(auth);
                            }
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Err(_) => {
                            seen.lock().unwrap().unanswered.push(auth);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            })
        })
        .collect();
    (seen, tasks)
}

/// What the server printed on standard error, for a failure's message.
fn server_log(logs: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(logs).into_iter().flatten().flatten() {
        if entry.path().extension().is_some_and(|e| e == "err") {
            text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    text.lines().rev().take(20).collect::<Vec<_>>().join("\n")
}

/// Sends a new registration until it is accepted (the store recovered by itself, without a
/// restart), failing after [`PATIENCE`] with the server's own words.
async fn until_writes_come_back(api: &Api, id: &str, logs: &Path) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let auth = api.sign(
            &api.admin,
            "RegisterInstitution",
            &format!("institution/{id}"),
            json!({"name": "De nouveau", "kind": "other"}),
        );
        let reply = api.post(&auth).await;
        if reply.status.as_u16() == 201 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "writes never came back: {}; the server said: {}",
            reply.text(),
            server_log(logs)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_for_acks(seen: &Arc<Mutex<Seen>>, at_least: usize) {
    let deadline = Instant::now() + PATIENCE;
    while seen.lock().unwrap().acked.len() < at_least {
        assert!(
            Instant::now() < deadline,
            "fewer than {at_least} writes acknowledged in {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Every acknowledged write at its index with its hash, no gap, and an export that
/// verifies; statements refused or unanswered are sent again and land once at most.
async fn check_log(api: &Api, seen: &Seen, scratch: &Path) {
    let mut acked = seen.acked.clone();
    for auth in &seen.unanswered {
        let reply = api.post(auth).await;
        assert_eq!(
            reply.status.as_u16(),
            201,
            "a statement sent again: {}",
            reply.text()
        );
        for (index, hash) in reply.acks() {
            if let Some(before) = acked.get(&index) {
                assert_eq!(before, &hash, "index {index} acknowledged for two entries");
            }
            acked.insert(index, hash);
        }
    }
    let lines = api.all_entries().await;
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(
            parse_entry(line, &api.log_key).entry.index,
            i as u64,
            "a gap before {i}"
        );
    }
    for (index, hash) in &acked {
        let line = lines
            .get(*index as usize)
            .unwrap_or_else(|| panic!("acknowledged entry {index} is lost"));
        assert_eq!(
            &to_hex(&parse_entry(line, &api.log_key).hash),
            hash,
            "entry {index}"
        );
    }
    api.export_and_verify(scratch, "export").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_database_restart_under_load() {
    let cluster = PrivatePostgres::start();
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let url = cluster.url();
    let server = ServerProcess::start_ok(&data, Some(&url), &logs).await;
    let api = server.api(&data).await;

    let stop = Arc::new(AtomicBool::new(false));
    let (seen, tasks) = write_load(&api, 6, "R", &stop);
    wait_for_acks(&seen, 100).await;

    // The database goes away at once, mid-load, for a moment.
    cluster.stop_immediately();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let health = api.http.get(api.url("/healthz")).send().await;
    assert!(
        health.is_ok(),
        "the server is still up while its database is down"
    );
    cluster.start_again();

    // The server reconnects by itself and takes writes again.
    let before = seen.lock().unwrap().acked.len();
    wait_for_acks(&seen, before + 100).await;
    stop.store(true, Ordering::Release);
    for task in tasks {
        task.await.expect("client");
    }
    let seen = Arc::try_unwrap(seen)
        .ok()
        .expect("clients done")
        .into_inner()
        .unwrap();
    assert!(
        seen.bad_refusals.is_empty(),
        "refusals other than a clear 503: {:?}",
        seen.bad_refusals
    );
    check_log(&api, &seen, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_database_refuses_writes_with_503_and_keeps_serving_reads() {
    use sqlx::Connection;
    let store = Store::new(crate::support::Backend::Postgres).await;
    let url = store.database_url().expect("a PostgreSQL database");
    let name = url.rsplit('/').next().expect("database name").to_owned();
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let server = ServerProcess::start_ok(&data, Some(&url), &logs).await;
    let api = server.api(&data).await;
    api.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;

    // The database turns read-only; the server's connections are cut so new ones see it.
    let mut admin = sqlx::PgConnection::connect(&crate::support::postgres_admin_url())
        .await
        .expect("admin");
    let set_read_only =
        |on: bool| format!("ALTER DATABASE {name} SET default_transaction_read_only = {on}");
    let cut = format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
    sqlx::query(&set_read_only(true))
        .execute(&mut admin)
        .await
        .expect("read-only");
    sqlx::query(&cut)
        .execute(&mut admin)
        .await
        .expect("cut connections");
    // Readers come a moment later: by then the pool checks a connection before using it.
    tokio::time::sleep(Duration::from_millis(1200)).await;

    let size = api.tree_size().await;
    for n in 0..5 {
        let auth = api.sign(
            &api.admin,
            "RegisterInstitution",
            &format!("institution/RO-{n}"),
            json!({"name": "Lecture seule", "kind": "other"}),
        );
        let reply = api.post(&auth).await;
        reply.assert_error(503, "store_unavailable");
    }
    assert_eq!(api.tree_size().await, size, "refused writes append nothing");
    for path in [
        "/v1/log/checkpoint",
        "/v1/institutions",
        "/v1/streams/institution/MRP",
        "/offers",
    ] {
        assert_eq!(
            api.get(path).await.status.as_u16(),
            200,
            "{path} is still served"
        );
    }

    // Writable again: the server takes writes without a restart.
    sqlx::query(&set_read_only(false))
        .execute(&mut admin)
        .await
        .expect("read-write");
    sqlx::query(&cut)
        .execute(&mut admin)
        .await
        .expect("cut connections");
    let _ = admin.close().await;
    until_writes_come_back(&api, "RW", &logs).await;
    api.export_and_verify(dir.path(), "export").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_with_503_and_keeps_serving_reads() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("disk");
    std::fs::create_dir(&mount).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
        .arg(&mount)
        .status()
        .expect("mount (needs root)");
    assert!(
        mounted.success(),
        "mounting a 16 MB tmpfs needs root, as CI has"
    );
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg("-l").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&mount);
    let (data, logs) = (mount.join("data"), dir.path().join("logs"));
    let server = ServerProcess::start_ok(&data, None, &logs).await;
    let api = server.api(&data).await;
    api.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;

    // Fill the disk to the last byte.
    let filler = mount.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        let mut small = [0u8; 512];
        while file.write_all(&small).is_ok() {
            small = [0u8; 512];
        }
        let _ = file.sync_all();
    }

    let size = api.tree_size().await;
    let mut refused = 0;
    for n in 0..20 {
        let auth = api.sign(
            &api.admin,
            "RegisterInstitution",
            &format!("institution/FULL-{n}"),
            json!({"name": format!("Disque plein {n} {}", "x".repeat(250)), "kind": "other"}),
        );
        let reply = api.post(&auth).await;
        match reply.status.as_u16() {
            201 => {}
            503 => {
                reply.assert_error(503, "store_unavailable");
                refused += 1;
            }
            other => panic!("a write on a full disk got {other}: {}", reply.text()),
        }
    }
    assert!(refused > 0, "a full disk must refuse writes");
    for path in [
        "/v1/log/checkpoint",
        "/v1/streams/institution/MRP",
        "/healthz",
    ] {
        assert_eq!(
            api.get(path).await.status.as_u16(),
            200,
            "{path} is still served"
        );
    }
    let during = api.tree_size().await;
    assert!(during >= size);

    // Room again: writes are accepted without a restart, and the log verifies.
    std::fs::remove_file(&filler).expect("free the disk");
    until_writes_come_back(&api, "ROOM", &logs).await;
    api.export_and_verify(dir.path(), "export").await;
}
