//! The server as separate processes (the `sijill` binary's own main): several processes on
//! one PostgreSQL database share one dense log, and what one of them records (a key, a
//! revocation, a used nonce) binds the others at once; a process whose log key or origin
//! differs from the genesis entry's, or whose key file others can read, refuses to start.
//!
//! These are the guarantees an operator relies on when scaling out or restoring a data
//! folder: a misconfigured process must stop before it signs anything.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use std::sync::Arc;

use ledger::hash::to_hex;
use ledger::merkle::{leaf_hash, verify_inclusion};
use ledger::Auth;
use serde_json::json;
use tokio::sync::Barrier;

use crate::support::{
    new_key, parse_entry, public_b64, Api, Backend, ServerProcess, Store, PATIENCE,
};

both_backends!(
    a_process_with_another_log_key_or_origin_refuses_to_start,
    a_key_file_readable_by_others_is_refused_at_start,
    a_process_with_another_persons_secret_refuses_to_start,
);

/// Makes `data/keys` (0700) and copies the log key of `from` into it, as an operator
/// adding a process would.
fn copy_log_key(from: &Path, data: &Path) {
    let keys = data.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(from.join("keys/log.key"), keys.join("log.key")).unwrap();
    std::fs::set_permissions(keys.join("log.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    copy_persons_secret(from, data);
}

/// Copies the personal-data secret and its epoch key file, if `from` has them: every
/// process sharing a store holds the same ones (docs/public-channel.md).
pub fn copy_persons_secret(from: &Path, data: &Path) {
    for file in ["persons.secret", "persons.secret.epoch"] {
        if from.join(file).exists() {
            std::fs::copy(from.join(file), data.join(file)).unwrap();
            std::fs::set_permissions(data.join(file), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
    }
}

/// Two server processes on one fresh PostgreSQL database, the second with a copy of the
/// first's log key, and a client of each acting as the genesis administrator.
struct TwoProcesses {
    a: ServerProcess,
    b: ServerProcess,
    api_a: Api,
    api_b: Api,
    _store: Store,
    dir: tempfile::TempDir,
}

impl TwoProcesses {
    async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// [`TwoProcesses::start`], both processes started with the `extra` arguments.
    async fn start_with(extra: &[&str]) -> Self {
        let store = Store::new(Backend::Postgres).await;
        let url = store.database_url().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (data_a, data_b, logs) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("logs"),
        );
        let start = |data: std::path::PathBuf| {
            let (url, logs) = (url.clone(), logs.clone());
            async move {
                ServerProcess::start_with(&data, Some(&url), None, extra, PATIENCE, &logs)
                    .await
                    .unwrap_or_else(|f| panic!("the server process did not start: {f:?}"))
            }
        };
        let a = start(data_a.clone()).await;
        copy_log_key(&data_a, &data_b);
        let b = start(data_b.clone()).await;
        assert!(
            !b.stdout.contains("genesis entry recorded"),
            "the second process must not record a second genesis:\n{}",
            b.stdout
        );
        let (api_a, api_b) = (a.api(&data_a).await, b.api(&data_a).await);
        assert_eq!(api_a.log_key, api_b.log_key);
        Self {
            a,
            b,
            api_a,
            api_b,
            _store: store,
            dir,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_on_one_postgres_database_write_one_dense_log() {
    const PER_SERVER: usize = 150;
    const CLIENTS_PER_SERVER: usize = 4;
    let TwoProcesses {
        a,
        b,
        api_a,
        api_b,
        _store,
        dir,
    } = TwoProcesses::start().await;
    let start = api_a.tree_size().await;

    let mut tasks = Vec::new();
    for (server, api) in [("A", &api_a), ("B", &api_b)] {
        for client in 0..CLIENTS_PER_SERVER {
            let api: Api = api.clone();
            tasks.push(tokio::spawn(async move {
                let mut acks = Vec::new();
                for n in (client..PER_SERVER).step_by(CLIENTS_PER_SERVER) {
                    let reply = api
                        .submit(
                            &api.admin,
                            "RegisterInstitution",
                            &format!("institution/{server}-{n}"),
                            json!({"name": format!("Institution {server} {n}"), "kind": "other"}),
                        )
                        .await;
                    let ack = reply.acks();
                    assert_eq!(ack.len(), 1, "{server}-{n}");
                    acks.push((server, ack[0].clone()));
                }
                acks
            }));
        }
    }
    let mut acked: BTreeMap<u64, String> = BTreeMap::new();
    let mut by_server: BTreeMap<&str, usize> = BTreeMap::new();
    for task in tasks {
        for (server, (index, hash)) in task.await.expect("client task") {
            assert!(
                acked.insert(index, hash).is_none(),
                "index {index} acknowledged twice"
            );
            *by_server.entry(server).or_default() += 1;
        }
    }
    assert_eq!(by_server.get("A"), Some(&PER_SERVER));
    assert_eq!(by_server.get("B"), Some(&PER_SERVER));
    let total = (2 * PER_SERVER) as u64;
    assert_eq!(
        acked.keys().copied().collect::<BTreeSet<_>>(),
        (start..start + total).collect::<BTreeSet<_>>(),
        "the two processes' acknowledged indexes interleave into one dense range"
    );

    // Both processes serve the same signed log, which holds every acknowledged write.
    let (note_a, checkpoint) = api_a.checkpoint().await;
    let (note_b, _) = api_b.checkpoint().await;
    assert_eq!(
        note_a, note_b,
        "both processes serve the same latest checkpoint"
    );
    assert_eq!(checkpoint.size, start + total);
    for api in [&api_a, &api_b] {
        let lines = api.all_entries().await;
        assert_eq!(lines.len() as u64, checkpoint.size);
        for (i, line) in lines.iter().enumerate() {
            let signed = parse_entry(line, &api.log_key);
            assert_eq!(signed.entry.index, i as u64);
            if let Some(hash) = acked.get(&(i as u64)) {
                assert_eq!(
                    &to_hex(&signed.hash),
                    hash,
                    "entry {i} is not the acknowledged one"
                );
            }
        }
    }
    // Either process proves any acknowledged entry against the shared checkpoint, even
    // entries the other one appended.
    for api in [&api_a, &api_b] {
        for (index, hash) in acked.iter().step_by(37) {
            let answer = api
                .get(&format!(
                    "/v1/log/proof/inclusion?index={index}&size={}",
                    checkpoint.size
                ))
                .await;
            assert_eq!(answer.status.as_u16(), 200, "{}", answer.text());
            let leaf = api.get(&format!("/v1/log/entries/{index}")).await;
            assert_eq!(&to_hex(&ledger::entry::entry_hash(&leaf.bytes)), hash);
            verify_inclusion(
                &leaf_hash(&leaf.bytes),
                *index,
                checkpoint.size,
                &crate::proofs::hashes_of(&answer.json),
                &checkpoint.root,
            )
            .unwrap_or_else(|e| panic!("inclusion of {index}: {e}"));
        }
    }
    let export_a = api_a.export_and_verify(dir.path(), "export-a").await;
    let export_b = api_b.export_and_verify(dir.path(), "export-b").await;
    assert_eq!(
        std::fs::read(export_a.join("entries.jsonl")).unwrap(),
        std::fs::read(export_b.join("entries.jsonl")).unwrap()
    );
    drop((a, b));
}

/// The domain's cross-stream facts (an offer, an application) recorded through one process
/// are known to the other at once: its decisions never rest on a stale view.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_appended_through_one_process_are_known_to_the_other_at_once() {
    let two = TwoProcesses::start().await;
    let (api_a, api_b) = (&two.api_a, &two.api_b);
    api_a
        .register_institution("MS", "Ministère de la Solidarité")
        .await;
    let official = api_a
        .register_official(&api_a.admin, "amina", "MS", &["publisher", "registrar"])
        .await;
    // Through B, which thereby learns the official; the offer then comes through A.
    api_b
        .submit(
            &official,
            "RegisterAssociation",
            "association/AMAL",
            json!({"name": "Amal", "legal_form": "association", "region": "MA-04",
                   "domains": ["youth"], "registered_on": "2015-01-01"}),
        )
        .await
        .created();
    api_a
        .submit(
            &official,
            "PublishOffer",
            "offer/O1",
            crate::restart::open_offer("MS"),
        )
        .await
        .created();
    let application = |id: &str| {
        json!({"offer": "O1", "association": "AMAL", "title": id, "summary": "Résumé",
               "requested_centimes": 100_000})
    };
    api_b
        .submit(
            &official,
            "SubmitApplication",
            "application/P1",
            application("P1"),
        )
        .await
        .created();
    api_a
        .submit(
            &official,
            "SubmitApplication",
            "application/P2",
            application("P2"),
        )
        .await
        .assert_error(409, "already_applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registry_changes_and_nonces_bind_every_process_at_once() {
    const RACERS_PER_SERVER: usize = 8;
    let two = TwoProcesses::start().await;
    let (api_a, api_b) = (&two.api_a, &two.api_b);
    api_a
        .register_institution("MI", "Ministry of the Interior")
        .await;

    // A key registered through A signs through B at once.
    let official = api_a
        .register_official(&api_a.admin, "driss", "MI", &["admin"])
        .await;
    api_b
        .submit(
            &official,
            "RegisterInstitution",
            "institution/MX",
            json!({"name": "X", "kind": "other"}),
        )
        .await
        .created();

    // An identical retry sent to the other process gets the original answer.
    let auth = api_a.sign(
        &api_a.admin,
        "RegisterInstitution",
        "institution/MY",
        json!({"name": "Y", "kind": "other"}),
    );
    let original = api_a.post(&auth).await.created().clone();
    let size = api_a.tree_size().await;
    assert_eq!(api_b.post(&auth).await.created(), &original);
    assert_eq!(api_a.tree_size().await, size);

    // A nonce used through A cannot be used again through B.
    let mut statement = api_b.statement(
        "RegisterInstitution",
        "institution/MZ",
        json!({"name": "Z", "kind": "other"}),
    );
    statement.nonce = auth.statement.nonce.clone();
    api_b
        .post(&Auth::sign(statement, &api_b.admin))
        .await
        .assert_error(409, "nonce_reused");
    assert_eq!(api_a.tree_size().await, size);

    // Revoked through A: B, which has seen the key active, refuses it from then on.
    api_a
        .submit(
            &api_a.admin,
            "RevokeActor",
            "registry/driss",
            json!({"reason": "transferred"}),
        )
        .await
        .created();
    let size = api_a.tree_size().await;
    api_b
        .submit(
            &official,
            "RegisterInstitution",
            "institution/MW",
            json!({"name": "W", "kind": "other"}),
        )
        .await
        .assert_error(401, "actor_revoked");
    assert_eq!(api_a.tree_size().await, size);

    // Concurrent revocations of one actor through both processes: exactly one wins, the
    // others see it revoked; no conflict reaches a client.
    api_a.submit(
        &api_a.admin,
        "RegisterActor",
        "registry/zineb",
        json!({"public_key": public_b64(&new_key()), "name": "Zineb", "institution": "MI", "roles": ["publisher"]}),
    )
    .await
    .created();
    let size = api_a.tree_size().await;
    let barrier = Arc::new(Barrier::new(2 * RACERS_PER_SERVER));
    let mut tasks = Vec::new();
    for api in [api_a, api_b] {
        for i in 0..RACERS_PER_SERVER {
            let (api, barrier) = (api.clone(), barrier.clone());
            tasks.push(tokio::spawn(async move {
                let auth = api.sign(
                    &api.admin,
                    "RevokeActor",
                    "registry/zineb",
                    json!({"reason": format!("attempt {i}")}),
                );
                barrier.wait().await;
                api.post(&auth).await
            }));
        }
    }
    let mut winners = 0;
    for task in tasks {
        let reply = task.await.expect("client task");
        if reply.status.as_u16() == 201 {
            winners += 1;
        } else {
            reply.assert_error(409, "already_revoked");
        }
    }
    assert_eq!(winners, 1, "exactly one revocation is appended");
    assert_eq!(api_a.tree_size().await, size + 1);
    api_a.export_and_verify(two.dir.path(), "export").await;
}

async fn a_process_with_another_log_key_or_origin_refuses_to_start(backend: Backend) {
    let store = Store::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("first"), dir.path().join("logs"));
    let first = ServerProcess::start_ok(&data, store.database_url().as_deref(), &logs).await;
    let api = first.api(&data).await;
    api.register_institution("MT", "Ministry of Tourism").await;
    let size = api.tree_size().await;
    // Another data folder pointing at the same store, as a second process would.
    let url = store.shared_url(&data);

    // No log key at all, against a store that holds a log.
    let no_key = dir.path().join("no-key");
    let failure = ServerProcess::start(&no_key, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process without the log key must not start");
    assert_eq!(
        failure.status.and_then(|s| s.code()),
        Some(1),
        "{failure:?}"
    );
    assert!(failure.stderr.contains("log key"), "{}", failure.stderr);

    // A log key of its own, not the genesis entry's.
    let other_key = dir.path().join("other-key");
    keys::generate(&other_key.join("keys/log.key")).unwrap();
    let failure = ServerProcess::start(&other_key, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process with another log key must not start");
    assert_eq!(
        failure.status.and_then(|s| s.code()),
        Some(1),
        "{failure:?}"
    );
    assert!(
        failure.stderr.contains("log key") && failure.stderr.contains("differs"),
        "the message says the log key differs: {}",
        failure.stderr
    );

    // The right key but another origin.
    let other_origin = dir.path().join("other-origin");
    copy_log_key(&data, &other_origin);
    let failure = ServerProcess::start(
        &other_origin,
        Some(&url),
        Some("elsewhere.example/log"),
        &logs,
    )
    .await
    .err()
    .expect("a process with another origin must not start");
    assert_eq!(
        failure.status.and_then(|s| s.code()),
        Some(1),
        "{failure:?}"
    );
    assert!(failure.stderr.contains("origin"), "{}", failure.stderr);

    // None of them wrote anything; the right key and origin do start.
    assert_eq!(api.tree_size().await, size);
    let same = dir.path().join("same");
    copy_log_key(&data, &same);
    let second = ServerProcess::start(&same, Some(&url), Some(&api.origin), &logs)
        .await
        .expect("the right key and origin start");
    assert_eq!(second.api(&data).await.tree_size().await, size);
}

async fn a_key_file_readable_by_others_is_refused_at_start(backend: Backend) {
    let store = Store::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let url = store.database_url();
    let mut server = ServerProcess::start_ok(&data, url.as_deref(), &logs).await;
    server.kill9();

    let key = data.join("keys/log.key");
    for mode in [0o644, 0o640] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(mode)).unwrap();
        let failure = ServerProcess::start(&data, url.as_deref(), None, &logs)
            .await
            .err()
            .unwrap_or_else(|| panic!("a log key with mode {mode:o} must be refused"));
        assert_eq!(
            failure.status.and_then(|s| s.code()),
            Some(1),
            "{failure:?}"
        );
        assert!(
            failure.stderr.contains("readable by others") && failure.stderr.contains("log.key"),
            "the message names the file and the problem: {}",
            failure.stderr
        );
    }

    // Put right, the same folder serves again.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = ServerProcess::start_ok(&data, url.as_deref(), &logs).await;
    assert_eq!(server.api(&data).await.tree_size().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_started_at_once_on_an_empty_database_record_one_genesis() {
    let store = Store::new(Backend::Postgres).await;
    let url = store.database_url().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b, logs) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("logs"),
    );
    // The operator provisions one log key and one personal-data secret (with its epoch key
    // file) for both before either has started.
    keys::generate(&data_a.join("keys/log.key")).unwrap();
    engine::public_channel::persons::PersonsSecret::create(&data_a.join("persons.secret")).unwrap();
    engine::public_channel::epochs::EpochKeys::create(&data_a.join("persons.secret.epoch"), 0)
        .unwrap();
    copy_log_key(&data_a, &data_b);
    let (a, b) = tokio::join!(
        ServerProcess::start(&data_a, Some(&url), None, &logs),
        ServerProcess::start(&data_b, Some(&url), None, &logs),
    );
    let (a, b) = (
        a.expect("the first process starts"),
        b.expect("the second process starts"),
    );
    let recorded = [&a, &b]
        .iter()
        .filter(|p| p.stdout.contains("genesis entry recorded"))
        .count();
    assert_eq!(
        recorded, 1,
        "exactly one process records the genesis:\n{}\n{}",
        a.stdout, b.stdout
    );
    let admin_from = if a.stdout.contains("genesis entry recorded") {
        &data_a
    } else {
        &data_b
    };
    let (api_a, api_b) = (a.api(admin_from).await, b.api(admin_from).await);
    assert_eq!(api_a.tree_size().await, 1);
    // The genesis names the shared key, and its administrator writes through both.
    let genesis = parse_entry(&api_b.entry_lines(0, 1).await[0], &api_b.log_key);
    assert_eq!(genesis.entry.data["log_key"], api_a.log_key.to_string());
    assert_eq!(genesis.entry.data["public_key"], public_b64(&api_a.admin));
    api_a.register_institution("GA", "Genesis A").await;
    api_b.register_institution("GB", "Genesis B").await;
    api_b.export_and_verify(dir.path(), "export").await;
}

async fn a_process_with_another_persons_secret_refuses_to_start(backend: Backend) {
    let store = Store::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("first"), dir.path().join("logs"));
    let first = ServerProcess::start_ok(&data, store.database_url().as_deref(), &logs).await;
    let api = first.api(&data).await;
    let size = api.tree_size().await;
    // A new store made its personal-data secret and epoch key file, 0600, outside keys/.
    for file in ["persons.secret", "persons.secret.epoch"] {
        let mode = std::fs::metadata(data.join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    let secret =
        engine::public_channel::persons::PersonsSecret::load(&data.join("persons.secret")).unwrap();
    let db = store::Db::open(&store.shared_url(&data), 1).await.unwrap();
    assert_eq!(
        db.persons_fingerprint().await.unwrap().as_deref(),
        Some(secret.fingerprint()),
        "the store keeps the secret's fingerprint"
    );
    let url = store.shared_url(&data);
    let exit_1 = |failure: &crate::support::StartFailure| {
        assert_eq!(
            failure.status.and_then(|s| s.code()),
            Some(1),
            "{failure:?}"
        );
    };

    // The log key but no personal-data secret, against a store that has one.
    let missing = dir.path().join("missing");
    copy_log_key(&data, &missing);
    for file in ["persons.secret", "persons.secret.epoch"] {
        std::fs::remove_file(missing.join(file)).unwrap();
    }
    let failure = ServerProcess::start(&missing, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process without the store's secret must not start");
    exit_1(&failure);
    assert!(
        failure.stderr.contains("persons.secret"),
        "{}",
        failure.stderr
    );
    assert!(
        !missing.join("persons.secret").exists(),
        "no new secret is made for it"
    );

    // The secret but not its epoch key file.
    let no_epoch = dir.path().join("no-epoch");
    copy_log_key(&data, &no_epoch);
    std::fs::remove_file(no_epoch.join("persons.secret.epoch")).unwrap();
    let failure = ServerProcess::start(&no_epoch, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process without the epoch key file must not start");
    exit_1(&failure);
    assert!(
        failure.stderr.contains("persons.secret.epoch"),
        "{}",
        failure.stderr
    );
    assert!(
        !no_epoch.join("persons.secret.epoch").exists(),
        "none is made for it"
    );

    // Another secret of its own.
    let other = dir.path().join("other");
    copy_log_key(&data, &other);
    std::fs::write(
        other.join("persons.secret"),
        format!("{}\n", hex::encode([7u8; 32])),
    )
    .unwrap();
    let failure = ServerProcess::start(&other, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process with another secret must not start");
    exit_1(&failure);
    assert!(failure.stderr.contains("fingerprint"), "{}", failure.stderr);

    // A secret that others may read.
    let open = dir.path().join("open");
    copy_log_key(&data, &open);
    std::fs::set_permissions(
        open.join("persons.secret"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let failure = ServerProcess::start(&open, Some(&url), None, &logs)
        .await
        .err()
        .expect("a secret others can read must not be used");
    exit_1(&failure);
    assert!(failure.stderr.contains("chmod 600"), "{}", failure.stderr);

    // None of them wrote anything; the same secret, by default or named with
    // --persons-key from outside the data folder, starts and serves.
    assert_eq!(api.tree_size().await, size);
    let same = dir.path().join("same");
    copy_log_key(&data, &same);
    let second = ServerProcess::start(&same, Some(&url), Some(&api.origin), &logs)
        .await
        .expect("the same secret starts");
    assert_eq!(second.api(&data).await.tree_size().await, size);
    drop(second);
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let third = dir.path().join("third");
    copy_log_key(&data, &third);
    for file in ["persons.secret", "persons.secret.epoch"] {
        std::fs::rename(third.join(file), elsewhere.join(file)).unwrap();
    }
    let key = elsewhere.join("persons.secret").display().to_string();
    let third = ServerProcess::start_with(
        &third,
        Some(&url),
        None,
        &["--persons-key", &key],
        crate::support::PATIENCE,
        &logs,
    )
    .await
    .expect("--persons-key names the secret");
    assert_eq!(third.api(&data).await.tree_size().await, size);
}

/// Public commenters a process takes at once in the test below.
const COMMENTERS_PER_PROCESS: usize = 6;
/// Comments each commenter posts.
const COMMENTS_EACH: usize = 15;

/// Two processes take a crowd of public comments on ONE consultation: within each process a
/// comment is decided on the state the one before it leaves while that one is still being
/// made durable, and the two processes race for the same stream. Meanwhile readers poll
/// both processes' checkpoints. Every comment is accepted and numbered once, 1..=n in log
/// order, each on its own seq; and no two checkpoints of one size ever differ, for nothing
/// signed leaves a process before its batch is committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_taking_comments_on_one_consultation_serve_one_head_per_size() {
    let TwoProcesses {
        a,
        b,
        api_a,
        api_b,
        _store,
        dir: _dir,
    } = TwoProcesses::start_with(&["--public-comments-per-minute", "100000"]).await;
    let consultation = open_consultation(&api_a).await;
    let start = api_a.tree_size().await;

    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for api in [&api_a, &api_b] {
        let (api, done) = (api.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut seen: Vec<(u64, String)> = Vec::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let (_, checkpoint) = api.checkpoint().await;
                seen.push((checkpoint.size, to_hex(&checkpoint.root)));
            }
            seen
        }));
    }
    let barrier = Arc::new(Barrier::new(2 * COMMENTERS_PER_PROCESS));
    let mut writers = Vec::new();
    for (server, api) in [("A", &api_a), ("B", &api_b)] {
        for client in 0..COMMENTERS_PER_PROCESS {
            let (api, barrier, consultation) = (api.clone(), barrier.clone(), consultation.clone());
            writers.push(tokio::spawn(async move {
                barrier.wait().await;
                let mut receipts = Vec::new();
                for n in 0..COMMENTS_EACH {
                    let body =
                        json!({"text": format!("Avis {server}-{client}-{n}."), "article": null});
                    let (status, receipt) = api.post_public_comment(&consultation, &body).await;
                    assert_eq!(status, 201, "{server}-{client}-{n}: {receipt}");
                    receipts.push((
                        receipt["index"].as_u64().expect("an index"),
                        receipt["entry"]["data"]["comment"]
                            .as_u64()
                            .expect("a number"),
                        receipt["entry"]["seq"].as_u64().expect("a seq"),
                    ));
                }
                receipts
            }));
        }
    }
    let mut receipts = Vec::new();
    for writer in writers {
        receipts.extend(writer.await.expect("commenter task"));
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut heads: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for reader in readers {
        for (size, root) in reader.await.expect("reader task") {
            heads.entry(size).or_default().insert(root);
        }
    }

    let total = 2 * COMMENTERS_PER_PROCESS * COMMENTS_EACH;
    receipts.sort_unstable();
    let indexes: Vec<u64> = receipts.iter().map(|r| r.0).collect();
    assert_eq!(
        indexes,
        (start..start + total as u64).collect::<Vec<_>>(),
        "every comment acknowledged once, in one dense range"
    );
    let numbers: Vec<u64> = receipts.iter().map(|r| r.1).collect();
    assert_eq!(
        numbers,
        (1..=total as u64).collect::<Vec<_>>(),
        "numbered 1..=n in log order, none twice, none skipped"
    );
    let seqs: BTreeSet<u64> = receipts.iter().map(|r| r.2).collect();
    assert_eq!(seqs.len(), total, "no two comments share a seq");
    for (size, roots) in &heads {
        assert_eq!(
            roots.len(),
            1,
            "two checkpoints of size {size} with different roots: {roots:?}"
        );
    }
    assert!(heads.len() > 1, "the readers saw the log grow");
    // The log as either process serves it holds exactly what was acknowledged.
    let (note_a, checkpoint) = api_a.checkpoint().await;
    let (note_b, _) = api_b.checkpoint().await;
    assert_eq!(note_a, note_b);
    assert_eq!(checkpoint.size, start + total as u64);
    if let Some(roots) = heads.get(&checkpoint.size) {
        assert!(roots.contains(&to_hex(&checkpoint.root)));
    }
    drop((a, b));
}

/// Opens a consultation whose window is open now and for years, through `api` as the
/// genesis administrator and a drafter it registers; returns its id.
pub(crate) async fn open_consultation(api: &Api) -> String {
    api.register_institution("MIN-CROWD", "Ministère de la consultation")
        .await;
    let drafter = api
        .register_official(&api.admin, "drafter-crowd", "MIN-CROWD", &["drafter"])
        .await;
    let articles = crate::public_channel::articles();
    let text_sha256 = to_hex(&ledger::hash::sha256(
        &ledger::canonical::to_bytes(&articles).unwrap(),
    ));
    for (command, stream, body) in [
        (
            "CreateDraft",
            "draft/DRAFT-CROWD",
            json!({"institution": "MIN-CROWD", "title": "Projet de loi", "summary": "Cadre."}),
        ),
        (
            "PublishRevision",
            "draft/DRAFT-CROWD",
            json!({"number": 1, "articles": articles, "articles_document": null,
                   "text_sha256": text_sha256, "change_summary": "Première version",
                   "motivated_by": []}),
        ),
        (
            "OpenConsultation",
            "consultation/CONS-CROWD",
            json!({"draft": "DRAFT-CROWD", "revision": 1, "title": "Consultation",
                   "summary": "Vos avis.", "opens_at": "2026-01-01T00:00:00Z",
                   "closes_at": "2099-01-01T00:00:00Z"}),
        ),
    ] {
        api.submit(&drafter, command, stream, body).await.created();
    }
    "CONS-CROWD".to_owned()
}
