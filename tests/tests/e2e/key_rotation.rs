//! Log-key rotation (docs/key-rotation.md): `sijill new-log-key` makes
//! the key, an administrator's `RotateLogKey` statement switches the log to it. The
//! rotation entry is signed by both keys, later entries by the new one, checkpoints by
//! both; `log.pub` lists both, and the history verifies across the rotation whichever of
//! the two keys a verifier trusts.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ledger::rotation::Rotation;
use ledger::{Checkpoint, NoteSigner, SignedEntry, VerifierKey};
use serde_json::json;
use signed_note::{Note, StandardVerifier, VerifierList};

use crate::support::{
    new_key, public_b64, run_binary, Api, Backend, ServerProcess, Store, TestApp,
};
use client::verify::{verify_export, VerifyOutcome};

both_backends!(
    a_rotation_switches_the_signing_key_and_the_history_verifies_across_it,
    a_rotation_is_refused_for_a_key_used_before_misnamed_or_not_held,
    a_rotated_export_imports_only_with_its_rotation_key,
);

/// The data folder of a [`TestApp`].
pub fn data_folder(app: &TestApp) -> PathBuf {
    app.scratch().join("data")
}

/// Runs `sijill new-log-key` on the app's data folder (and database) and returns the key
/// it printed.
pub async fn new_log_key(app: &TestApp) -> VerifierKey {
    let data = data_folder(app);
    let mut args = vec![
        "new-log-key".to_owned(),
        "--data".to_owned(),
        data.display().to_string(),
    ];
    if let Some(url) = app.database_url() {
        args.extend(["--database-url".to_owned(), url]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_binary(&args).await;
    assert_eq!(code, 0, "sijill new-log-key failed: {out}{err}");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("new log key: "))
        .unwrap_or_else(|| panic!("no key printed: {out}"));
    VerifierKey::parse(line).expect("the printed key parses")
}

/// Makes a new log key and has the genesis administrator rotate the log to it; returns
/// the key and the rotation entry's index.
pub async fn rotate_log_key(app: &TestApp) -> (VerifierKey, u64) {
    let key = new_log_key(app).await;
    let reply = app
        .submit(
            &app.admin,
            "RotateLogKey",
            "log/key",
            json!({"log_key": key.to_string()}),
        )
        .await;
    let acks = reply.acks();
    assert_eq!(acks.len(), 1, "one entry: {}", reply.text());
    (key, acks[0].0)
}

/// Opens a note with the `signed_note` crate (someone else's implementation).
fn opens_with_their_code(note: &str, key: &VerifierKey) -> bool {
    let Ok(verifier) = StandardVerifier::new(&key.to_string()) else {
        return false;
    };
    let known = VerifierList::new(vec![Box::new(verifier)]);
    Note::from_bytes(note.as_bytes())
        .map(|n| n.verify(&known).is_ok())
        .unwrap_or(false)
}

async fn a_rotation_switches_the_signing_key_and_the_history_verifies_across_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let old = app.log_key.clone();
    for i in 0..3 {
        app.register_institution(&format!("BEFORE{i}"), "Institution")
            .await;
    }
    let (_, before) = app.checkpoint().await;
    let (new, at) = rotate_log_key(&app).await;
    assert_eq!(at, before.size, "the rotation is the next entry");

    // The rotation entry: signed by the old key, and by the new one over the log's state.
    let lines = app.all_entries().await;
    let rotation = SignedEntry::parse(&lines[at as usize]).expect("entry");
    assert_eq!(rotation.entry.stream, "log/key");
    assert_eq!(rotation.entry.event_type, "LogKeyRotated");
    assert!(rotation.verify(&old.key).is_ok(), "signed by the old key");
    assert!(rotation.verify(&new.key).is_err());
    let (claim, sig) = Rotation::from_data(&app.origin, &rotation.entry.data).expect("data");
    assert_eq!(claim.previous_log_key, old);
    assert_eq!(claim.log_key, new);
    assert_eq!(claim.tree_size, at);
    assert_eq!(
        claim.root, before.root,
        "the tree hash of the entries before it"
    );
    assert!(claim.verify(&sig), "the new key's signature");

    // After it, entries are signed by the new key.
    app.register_institution("AFTER", "Institution").await;
    let lines = app.all_entries().await;
    let after = SignedEntry::parse(lines.last().expect("entry")).expect("entry");
    assert!(after.verify(&new.key).is_ok(), "signed by the new key");
    assert!(after.verify(&old.key).is_err(), "not by the old one");

    // The server names the key in force, and every key in log.pub's form.
    assert_eq!(app.get("/v1/log/key").await.text().trim(), new.to_string());
    assert_eq!(
        app.get("/v1/log/keys").await.text(),
        format!("{old}\n{new}\n")
    );

    // Checkpoints carry both signatures, and another implementation accepts either.
    let (note, checkpoint) = app.checkpoint().await;
    assert_eq!(checkpoint.size, at + 2);
    assert!(Checkpoint::open(&note, std::slice::from_ref(&old)).is_ok());
    assert!(Checkpoint::open(&note, std::slice::from_ref(&new)).is_ok());
    assert!(opens_with_their_code(&note, &old), "signed_note, old key");
    assert!(opens_with_their_code(&note, &new), "signed_note, new key");
    let stranger = NoteSigner::new(&app.origin, new_key()).verifier();
    assert!(!opens_with_their_code(&note, &stranger));

    // The audit trail's own check follows the key through the rotation.
    for stream in ["log/key", "institution/AFTER", "institution/BEFORE0"] {
        let trail = app.get(&format!("/v1/streams/{stream}")).await;
        assert_eq!(trail.status, 200, "{}", trail.text());
        for entry in trail.json["entries"].as_array().expect("entries") {
            assert_eq!(
                entry["status"]["verified"],
                json!(true),
                "{stream}: {entry}"
            );
        }
    }

    // The export lists both keys and verifies; so it does trusting either key alone, and
    // not under a key the log never had.
    let out = app.export_and_verify(app.scratch(), "export").await;
    assert_eq!(
        std::fs::read_to_string(out.join("log.pub")).expect("log.pub"),
        format!("{old}\n{new}\n")
    );
    let verified = VerifyOutcome::Verified {
        size: checkpoint.size,
        root: checkpoint.root,
    };
    for key in [&old, &new] {
        let (dir, text) = (out.clone(), key.to_string());
        let outcome = tokio::task::spawn_blocking(move || verify_export(&dir, Some(&text), false))
            .await
            .expect("verify");
        assert_eq!(outcome, verified, "trusting {key}");
    }
    let (dir, key) = (out.clone(), stranger.to_string());
    let outcome = tokio::task::spawn_blocking(move || verify_export(&dir, Some(&key), false))
        .await
        .expect("verify");
    assert!(
        matches!(&outcome, VerifyOutcome::Failed(f) if f.index == 0),
        "{outcome:?}"
    );

    // The rotation statement is in the registry's history like any other: an auditor
    // sees who rotated, and the key's public half only.
    assert!(!rotation.entry.data.to_string().contains("PRIVATE"));
    assert_eq!(
        rotation.entry.auth.as_ref().map(|a| a.actor_b64()),
        Some(public_b64(&app.admin))
    );
}

async fn a_rotation_is_refused_for_a_key_used_before_misnamed_or_not_held(backend: Backend) {
    let app = TestApp::start(backend).await;
    let genesis = app.log_key.clone();
    let before = app.tree_size().await;
    let rotate = |key: String| {
        app.submit(
            &app.admin,
            "RotateLogKey",
            "log/key",
            json!({"log_key": key}),
        )
    };

    // The genesis key is the key in force: rotating to it is a reuse.
    rotate(genesis.to_string())
        .await
        .assert_error(409, "log_key_used");
    // A key this server does not hold cannot sign: refused before anything is appended.
    let unheld = NoteSigner::new(&app.origin, new_key()).verifier();
    let reply = rotate(unheld.to_string()).await;
    reply.assert_error(409, "log_key_unavailable");
    assert!(reply.text().contains("new-log-key"), "{}", reply.text());
    // A key named after another log.
    let elsewhere = NoteSigner::new("elsewhere.example/log", new_key()).verifier();
    rotate(elsewhere.to_string())
        .await
        .assert_error(400, "invalid_log_key");
    // Not a key at all, or an unknown member.
    rotate("not a key".into())
        .await
        .assert_error(400, "invalid_log_key");
    app.submit(
        &app.admin,
        "RotateLogKey",
        "log/key",
        json!({"log_key": unheld.to_string(), "extra": 1}),
    )
    .await
    .assert_error(400, "invalid_body");
    // Only on log/key, and only by an administrator.
    let key = new_log_key(&app).await;
    app.submit(
        &app.admin,
        "RotateLogKey",
        "log/other",
        json!({"log_key": key.to_string()}),
    )
    .await
    .assert_error(400, "wrong_stream");
    app.register_institution("MRP", "Ministère").await;
    let publisher = app
        .register_official(&app.admin, "amina", "MRP", &["publisher"])
        .await;
    app.submit(
        &publisher,
        "RotateLogKey",
        "log/key",
        json!({"log_key": key.to_string()}),
    )
    .await
    .assert_error(403, "role_not_allowed");
    let registered = before + 2;
    assert_eq!(
        app.tree_size().await,
        registered,
        "no refusal appended anything"
    );

    // The first rotation is accepted; the same key again is a reuse.
    app.submit(
        &app.admin,
        "RotateLogKey",
        "log/key",
        json!({"log_key": key.to_string()}),
    )
    .await
    .created();
    rotate(key.to_string())
        .await
        .assert_error(409, "log_key_used");
    rotate(genesis.to_string())
        .await
        .assert_error(409, "log_key_used");
    assert_eq!(app.tree_size().await, registered + 1);

    // The log still verifies, rotation and refusals included.
    app.export_and_verify(app.scratch(), "export").await;
}

/// A data folder holding copies of the log key files of `from` whose names pass `keep`
/// (0700 folders, 0600 files), as an operator sets up another process or a restore.
fn copy_log_keys(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) {
    let keys = to.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700)).unwrap();
    for file in std::fs::read_dir(from.join("keys")).unwrap() {
        let file = file.unwrap();
        let name = file.file_name().to_string_lossy().into_owned();
        if name.starts_with("log") && keep(&name) {
            std::fs::copy(file.path(), keys.join(&name)).unwrap();
            std::fs::set_permissions(keys.join(&name), std::fs::Permissions::from_mode(0o600))
                .unwrap();
        }
    }
    crate::processes::copy_persons_secret(from, to);
}

fn rotation_key_file(name: &str) -> bool {
    name.starts_with("log-")
}

/// The last entry of the log, parsed.
async fn last_entry(api: &Api) -> SignedEntry {
    let lines = api.all_entries().await;
    SignedEntry::parse(lines.last().expect("an entry")).expect("entry")
}

/// Two processes on one PostgreSQL database; one rotates. The other, without the new key,
/// appends nothing and says why, until the key file is copied into its data folder. A
/// restart keeps the key in force; a data folder without it refuses to start.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_sharing_a_log_follow_its_rotation() {
    let store = Store::new(Backend::Postgres).await;
    let url = store.database_url().expect("a PostgreSQL URL");
    let dir = tempfile::tempdir().unwrap();
    let (data_a, data_b, data_c, logs) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
        dir.path().join("logs"),
    );
    let mut a = ServerProcess::start_ok(&data_a, Some(&url), &logs).await;
    copy_log_keys(&data_a, &data_b, |name| name == "log.key");
    let b = ServerProcess::start_ok(&data_b, Some(&url), &logs).await;
    let (api_a, api_b) = (a.api(&data_a).await, b.api(&data_a).await);
    let old = api_a.log_key.clone();

    // The operator makes the key in A's folder; the administrator rotates through A.
    let (code, out, err) = run_binary(&[
        "new-log-key",
        "--data",
        &data_a.display().to_string(),
        "--database-url",
        &url,
    ])
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let new = VerifierKey::parse(
        out.lines()
            .find_map(|l| l.strip_prefix("new log key: "))
            .expect("the key printed"),
    )
    .expect("key");
    api_a
        .submit(
            &api_a.admin,
            "RotateLogKey",
            "log/key",
            json!({"log_key": new.to_string()}),
        )
        .await
        .created();

    // B does not hold the key in force: it appends nothing, and says what to do.
    let before = api_b.tree_size().await;
    let institution = |id: &str| {
        api_b.sign(
            &api_b.admin,
            "RegisterInstitution",
            &format!("institution/{id}"),
            json!({"name": "Institution B", "kind": "ministry"}),
        )
    };
    let refused = api_b.post(&institution("B1")).await;
    refused.assert_error(503, "log_key_unavailable");
    assert!(
        refused.text().contains(&new.to_string()),
        "{}",
        refused.text()
    );
    assert_eq!(api_b.tree_size().await, before);
    assert_eq!(
        api_b.get("/v1/log/key").await.text().trim(),
        new.to_string(),
        "B reads the rotation all the same"
    );

    // Once the file is in B's folder, B signs with it, without a restart.
    copy_log_keys(&data_a, &data_b, rotation_key_file);
    api_b.post(&institution("B1")).await.created();
    let entry = last_entry(&api_b).await;
    assert!(entry.verify(&new.key).is_ok(), "B signs with the new key");
    assert!(entry.verify(&old.key).is_err());

    // A restart of A keeps signing with the key in force.
    a.kill9();
    let a = ServerProcess::start_ok(&data_a, Some(&url), &logs).await;
    assert!(
        a.stdout
            .contains(&format!("log key in force (after rotation): {new}")),
        "{}",
        a.stdout
    );
    let api_a = a.api(&data_a).await;
    api_a
        .register_institution("A2", "Institution A")
        .await
        .created();
    assert!(last_entry(&api_a).await.verify(&new.key).is_ok());

    // A data folder with the genesis key only cannot serve this log any more.
    copy_log_keys(&data_a, &data_c, |name| name == "log.key");
    let refused = ServerProcess::start(&data_c, Some(&url), None, &logs)
        .await
        .err()
        .expect("a process without the key in force must not start");
    assert!(
        refused.stderr.contains(&new.to_string()) && refused.stderr.contains("new-log-key"),
        "{}",
        refused.stderr
    );
}

/// `sijill import` of a rotated log signs the checkpoints it writes with the key in force:
/// with the rotation key in the data folder it rebuilds the log with the export's own
/// checkpoint; without it, it refuses and writes nothing.
async fn a_rotated_export_imports_only_with_its_rotation_key(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_institution("MRP", "Ministère").await;
    let (new, _) = rotate_log_key(&app).await;
    app.register_institution("AFTER", "Institution").await;
    let export = app.export_and_verify(app.scratch(), "export").await;
    let export_arg = export.display().to_string();
    let (_, checkpoint) = app.checkpoint().await;

    let target = Store::new(backend).await;
    let args = |data: &Path| {
        let mut args = vec![
            "import".to_owned(),
            export_arg.clone(),
            "--data".to_owned(),
            data.display().to_string(),
        ];
        if let Some(url) = target.database_url() {
            args.extend(["--database-url".to_owned(), url]);
        }
        args
    };
    let run = |args: Vec<String>| async move {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_binary(&args).await
    };

    // The genesis key alone: refused, nothing written (a second import still succeeds).
    let genesis_only = app.scratch().join("genesis-only");
    copy_log_keys(&data_folder(&app), &genesis_only, |name| name == "log.key");
    let (code, out, err) = run(args(&genesis_only)).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("log key in force") || err.contains(&new.to_string()),
        "{err}"
    );

    // With the rotation key too: the same log, the same checkpoint as the export's.
    let both = app.scratch().join("both");
    copy_log_keys(&data_folder(&app), &both, |_| true);
    let (code, out, err) = run(args(&both)).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("imported {} entries", checkpoint.size)),
        "{out}"
    );
    assert!(out.contains("identical to the export's"), "{out}");
}
