//! Every reader of the log follows a log-key rotation (docs/key-rotation.md, "What others
//! do"): `sijill monitor` with a state made before it and one made after it, `sijill
//! mirror` updating a mirror (and a mirror of it on a plain file server) across it, a
//! witness that only knows the old key, `sijill prove` / `verify-proof` for entries on
//! either side of it, and the portal's Verify button in headless Chromium for a record
//! whose trail spans it. Each reader is also shown refusing a key the log never had, so
//! a reader that accepted anything would fail here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use client::mirror::{mirror, MirrorError};
use client::verify::VerifyOutcome;
use ed25519_dalek::SigningKey;
use engine::clock::SystemClock;
use engine::cosigning::{WitnessPolicy, WitnessTarget};
use ledger::cosignature::open_cosigned;
use ledger::{NoteSigner, VerifierKey};
use serde_json::json;

use crate::key_rotation::rotate_log_key;
use crate::monitor::monitor;
use crate::support::{new_key, run_binary, verify_folder, Backend, TestApp};
use crate::tamper_proxy::start_proxy;
use crate::tiles::serve_folder;
use crate::webdriver::Browser;
use crate::witnesses::{place_log_key, start_witness};

both_backends!(
    monitors_before_and_after_a_rotation_follow_the_log,
    a_mirror_updated_across_a_rotation_lists_both_keys_and_verifies,
    a_witness_knowing_only_the_old_key_keeps_cosigning,
    proof_files_verify_under_the_key_that_signed_the_entry,
);

/// A key named after the log's origin that the log never used.
fn stranger(app: &TestApp) -> VerifierKey {
    NoteSigner::new(&app.origin, new_key()).verifier()
}

/// A server whose log holds the ministry MRP, and its genesis key (the key before any
/// rotation).
async fn ministry_log(backend: Backend) -> (TestApp, VerifierKey) {
    let app = TestApp::start(backend).await;
    let old = app.log_key.clone();
    app.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;
    (app, old)
}

/// `log.pub`'s form of a list of keys: one per line, oldest first.
fn log_pub(keys: &[&VerifierKey]) -> String {
    keys.iter().map(|k| format!("{k}\n")).collect()
}

async fn monitors_before_and_after_a_rotation_follow_the_log(backend: Backend) {
    let (app, old) = ministry_log(backend).await;
    let before = app.scratch().join("monitor-before");
    let (code, out, err) = monitor(&app.base, &before, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "trusting the server's log key on first use: {old}"
        )),
        "{out}"
    );
    let seen = app.tree_size().await;
    assert!(out.contains(&format!("checkpoint {seen} ")), "{out}");

    let (new, at) = rotate_log_key(&app).await;
    assert_eq!(at, seen, "the rotation is the next entry");
    app.register_institution("MSP", "Ministère de la Santé")
        .await;
    app.register_institution("MEN", "Ministère de l'Éducation nationale")
        .await;
    let size = app.tree_size().await;
    assert_eq!(size, at + 3);

    // The state made under the old key replays the rotation, says so, and verifies the
    // entries the new key signed after it.
    let rotated = format!("log key: index {at} rotated to {new}");
    let (code, out, err) = monitor(&app.base, &before, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&rotated), "{out}");
    assert!(
        out.contains(&format!(
            "checkpoint {size} {}",
            // The checkpoint line names the root the server signed.
            base64_root(&app).await
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{} new entries verified, consistent with {seen}",
            size - seen
        )),
        "{out}"
    );
    // Run again, it replays its own state across the rotation and finds nothing new.
    let (code, out, err) = monitor(&app.base, &before, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("checkpoint {size} ")) && out.contains("no new entries"),
        "{out}"
    );
    assert!(!out.contains("log key: "), "the rotation is not new: {out}");
    // ...and it goes on following the log under the new key.
    app.register_institution("MJS", "Ministère de la Jeunesse et des Sports")
        .await;
    let (code, out, err) = monitor(&app.base, &before, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("1 new entries verified, consistent with {size}")),
        "{out}"
    );
    let size = size + 1;

    // A monitor started after the rotation trusts the key in force on first use and
    // verifies the whole history, from the genesis under the old key.
    let after = app.scratch().join("monitor-after");
    let (code, out, err) = monitor(&app.base, &after, &[]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "trusting the server's log key on first use: {new}"
        )),
        "{out}"
    );
    assert!(out.contains(&rotated), "{out}");
    assert!(
        out.contains(&format!("checkpoint {size} "))
            && out.contains(&format!("{size} new entries verified"))
            && !out.contains("consistent with"),
        "{out}"
    );
    assert_eq!(
        std::fs::read_to_string(after.join("entries.jsonl"))
            .expect("the state's entries")
            .lines()
            .count() as u64,
        size
    );

    // Given the old key on the command line, a fresh monitor follows the chain too.
    let with_old = app.scratch().join("monitor-old-key");
    let (code, out, err) = monitor(&app.base, &with_old, &["--log-key", &old.to_string()]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&rotated), "{out}");
    assert!(
        out.contains(&format!("{size} new entries verified")),
        "{out}"
    );

    // A key the log never had: the checkpoint does not open under it.
    let unrelated = stranger(&app).to_string();
    let fooled = app.scratch().join("monitor-stranger");
    let (code, out, err) = monitor(&app.base, &fooled, &["--log-key", &unrelated]).await;
    // (It replays the entries first, since a checkpoint that grows the log may be signed by
    // keys its rotations introduce, then finds none of them is the trusted key.)
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.starts_with("INVALID: checkpoint: ")),
        "{out}"
    );
    assert!(!out.contains("new entries verified"), "{out}");
}

/// The root of the checkpoint the server serves now, in base64 as the monitor prints it.
async fn base64_root(app: &TestApp) -> String {
    use base64::Engine;
    let (_, checkpoint) = app.checkpoint().await;
    base64::engine::general_purpose::STANDARD.encode(checkpoint.root)
}

async fn mirror_ok(source: &str, out: &std::path::Path) -> u64 {
    mirror(source, out)
        .await
        .unwrap_or_else(|e| panic!("mirror {source} into {}: {e:?}", out.display()))
}

async fn a_mirror_updated_across_a_rotation_lists_both_keys_and_verifies(backend: Backend) {
    let (app, old) = ministry_log(backend).await;
    let (_, first) = app.checkpoint().await;

    // Mirrored before the rotation: one key. A plain file server over the mirror is the
    // source of a second mirror.
    let primary = app.scratch().join("mirror");
    assert_eq!(mirror_ok(&app.base, &primary).await, first.size);
    assert_eq!(
        std::fs::read_to_string(primary.join("log.pub")).expect("log.pub"),
        log_pub(&[&old])
    );
    let static_url = serve_folder(&primary).await;
    let second = app.scratch().join("mirror-of-mirror");
    assert_eq!(mirror_ok(&static_url, &second).await, first.size);

    let (new, at) = rotate_log_key(&app).await;
    app.register_institution("MSP", "Ministère de la Santé")
        .await;
    let (_, grown) = app.checkpoint().await;
    assert_eq!(grown.size, at + 2);
    let verified = VerifyOutcome::Verified {
        size: grown.size,
        root: grown.root,
    };

    // Mirrored again into the same folder: log.pub gains the new key after the old one,
    // and the mirror verifies at the server's checkpoint.
    assert_eq!(mirror_ok(&app.base, &primary).await, grown.size);
    let both = log_pub(&[&old, &new]);
    assert_eq!(
        std::fs::read_to_string(primary.join("log.pub")).expect("log.pub"),
        both
    );
    assert_eq!(verify_folder(&primary).await, verified);

    // The mirror of the mirror follows through the plain file server, whose only key
    // list is the primary's log.pub.
    assert_eq!(mirror_ok(&static_url, &second).await, grown.size);
    assert_eq!(
        std::fs::read_to_string(second.join("log.pub")).expect("log.pub"),
        both
    );
    assert_eq!(verify_folder(&second).await, verified);
    let (code, stdout, stderr) = run_binary(&["verify", second.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("verified {} entries, root ", grown.size)),
        "{stdout}"
    );

    // A mirror that holds another key is not continued by this log's keys: refused, and
    // nothing written into it.
    let foreign = app.scratch().join("foreign-mirror");
    std::fs::create_dir_all(&foreign).unwrap();
    let foreign_pub = log_pub(&[&stranger(&app)]);
    std::fs::write(foreign.join("log.pub"), &foreign_pub).unwrap();
    match mirror(&app.base, &foreign).await {
        Err(MirrorError::Refused(message)) => {
            assert!(message.contains("do not continue"), "{message}")
        }
        other => panic!("a mirror of another key must be refused: {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(foreign.join("log.pub")).unwrap(),
        foreign_pub
    );
    assert!(!foreign.join("log/checkpoint").exists());
    // The binary says so with exit code 1.
    let (code, _, stderr) = run_binary(&[
        "mirror",
        "--server",
        &static_url,
        "--out",
        foreign.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("refused"), "{stderr}");
}

/// How long the background task may take to gather the witness's cosignature.
const COSIGNING_PATIENCE: Duration = Duration::from_secs(30);

async fn a_witness_knowing_only_the_old_key_keeps_cosigning(backend: Backend) {
    let witness_dir = tempfile::tempdir().unwrap();
    let genesis_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let old = VerifierKey::new("sijill.local/ledger", genesis_key.verifying_key());
    let witness = start_witness(witness_dir.path(), "w1.test", &[old.to_string()]).await;
    let target: WitnessTarget = format!("http://{}={}", witness.addr, witness.verifier)
        .parse()
        .unwrap();
    let app = TestApp::start_configured(backend, Arc::new(SystemClock), |options| {
        place_log_key(&options.data, &genesis_key);
        options.witnesses = WitnessPolicy {
            witnesses: vec![target],
            quorum: Some(1),
        };
    })
    .await;
    assert_eq!(app.log_key, old);
    app.register_institution("MIN-1", "Ministère de la Jeunesse")
        .await;
    let (new, at) = rotate_log_key(&app).await;
    app.register_institution("MIN-2", "Ministère de la Culture")
        .await;
    let size = app.tree_size().await;
    assert_eq!(size, at + 2);

    // The checkpoint after the rotation gains the witness's cosignature: the witness
    // accepted it under the old key's co-signature.
    let witnesses = [witness.verifier.clone()];
    let deadline = Instant::now() + COSIGNING_PATIENCE;
    let note = loop {
        let note = app.get("/v1/log/checkpoint").await.text();
        let opened = open_cosigned(&note, std::slice::from_ref(&old), &witnesses)
            .expect("a valid checkpoint with a valid cosignature");
        if opened.checkpoint.size == size && opened.witnesses.len() == 1 {
            break note;
        }
        assert!(
            Instant::now() < deadline,
            "the witness never cosigned the checkpoint of size {size}: {note}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // The new key, the old one, then the witness.
    let signers: Vec<&str> = note
        .lines()
        .filter_map(|l| l.strip_prefix("\u{2014} "))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        signers,
        ["sijill.local/ledger", "sijill.local/ledger", "w1.test"],
        "{note}"
    );
    let opened = open_cosigned(&note, std::slice::from_ref(&new), &witnesses).unwrap();
    assert_eq!(opened.witnesses.len(), 1);

    // verify --witness on an export: the chain verifies and the witness's cosignature
    // counts, trusting log.pub (both keys) or either key alone.
    let out = app.scratch().join("export");
    app.export(&out).await;
    assert_eq!(
        std::fs::read_to_string(out.join("log.pub")).unwrap(),
        log_pub(&[&old, &new])
    );
    let dir = out.to_str().unwrap();
    let w = witness.verifier.to_string();
    let (old_text, new_text) = (old.to_string(), new.to_string());
    for extra in [
        vec![],
        vec!["--log-key", old_text.as_str()],
        vec!["--log-key", new_text.as_str()],
    ] {
        let mut args = vec!["verify", dir, "--witness", &w];
        args.extend(extra);
        let (code, stdout, stderr) = run_binary(&args).await;
        assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
        assert!(
            stdout.starts_with(&format!("verified {size} entries, root ")),
            "{stdout}"
        );
    }
    // A witness that never saw this log: the cosignature asked for is missing.
    let nobody = ledger::cosignature::CosignerKey::new(
        "w2.test",
        SigningKey::from_bytes(&[42; 32]).verifying_key(),
    )
    .to_string();
    let (code, stdout, _) = run_binary(&["verify", dir, "--witness", &nobody]).await;
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout,
        format!("index {size}: checkpoint: 0 valid witness cosignatures, 1 required\n")
    );
}

/// `sijill prove` of entry `index` into `name` under the app's scratch folder.
async fn prove(app: &TestApp, index: u64, name: &str) -> String {
    let path = app.scratch().join(name);
    let path = path.to_str().unwrap().to_owned();
    let (code, stdout, stderr) = run_binary(&[
        "prove",
        "--server",
        &app.url(""),
        "--index",
        &index.to_string(),
        "--out",
        &path,
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    path
}

/// `sijill verify-proof FILE --log-key K ...`: exit code and standard output.
async fn verify_proof(file: &str, keys: &[&VerifierKey]) -> (i32, String) {
    let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
    let mut args = vec!["verify-proof", file];
    for key in &keys {
        args.extend(["--log-key", key.as_str()]);
    }
    let (code, stdout, stderr) = run_binary(&args).await;
    (code, format!("{stdout}{stderr}"))
}

async fn proof_files_verify_under_the_key_that_signed_the_entry(backend: Backend) {
    let (app, old) = ministry_log(backend).await;
    let before = app.tree_size().await - 1;
    let (new, at) = rotate_log_key(&app).await;
    app.register_institution("MSP", "Ministère de la Santé")
        .await;
    let after = at + 1;
    let size = app.tree_size().await;
    assert_eq!(size, after + 1);
    let unrelated = stranger(&app);
    let says_verified = |out: &str, index: u64| {
        out.starts_with(&format!("verified entry {index} (entry_hash "))
            && out.contains(&format!("in the checkpoint of size {size}, root "))
    };

    // An entry appended before the rotation, proven in a checkpoint made after it.
    let early = prove(&app, before, "before.json").await;
    for keys in [vec![&old, &new], vec![&old]] {
        let (code, out) = verify_proof(&early, &keys).await;
        assert_eq!(code, 0, "{keys:?}: {out}");
        assert!(says_verified(&out, before), "{out}");
    }
    // The new key alone opens the checkpoint but did not sign that entry.
    let (code, out) = verify_proof(&early, &[&new]).await;
    assert_eq!((code, out.as_str()), (1, "entry: invalid log signature\n"));

    // An entry appended after the rotation is signed by the new key only.
    let late = prove(&app, after, "after.json").await;
    let (code, out) = verify_proof(&late, &[&old]).await;
    assert_eq!((code, out.as_str()), (1, "entry: invalid log signature\n"));
    for keys in [vec![&new], vec![&old, &new]] {
        let (code, out) = verify_proof(&late, &keys).await;
        assert_eq!(code, 0, "{keys:?}: {out}");
        assert!(says_verified(&out, after), "{out}");
    }

    // The rotation entry itself is signed by the old key.
    let rotation = prove(&app, at, "rotation.json").await;
    let (code, out) = verify_proof(&rotation, &[&old]).await;
    assert_eq!(code, 0, "{out}");
    let (code, _) = verify_proof(&rotation, &[&new]).await;
    assert_eq!(code, 1);

    // A key the log never had opens nothing.
    for file in [&early, &late] {
        let (code, out) = verify_proof(file, &[&unrelated]).await;
        assert_eq!(code, 1, "{out}");
        assert!(out.starts_with("checkpoint: "), "{out}");
    }
}

/// Types `key` into the page's key field in place of what it held.
async fn type_key(browser: &Browser, key: &str) {
    let field = browser.find("#log-key").await;
    field.clear().await.expect("clearing the key field");
    field.send_keys(key).await.expect("typing a key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_button_follows_a_rotation_in_a_records_trail() {
    // registry/amina spans the rotation: registered under the old key, revoked under
    // the new one.
    let (app, old) = ministry_log(Backend::Sqlite).await;
    app.register_official(&app.admin, "amina", "MRP", &["publisher"])
        .await;
    let registered = app.tree_size().await - 1;
    let (new, at) = rotate_log_key(&app).await;
    app.submit(
        &app.admin,
        "RevokeActor",
        "registry/amina",
        json!({"reason": "a fin de mission"}),
    )
    .await
    .created();
    let revoked = at + 1;
    assert_eq!(app.tree_size().await, revoked + 1);

    let browser = Browser::start().await;
    let page = app.url("/audit/registry/amina?lang=fr");

    // The page lists the trail's entries on both sides of the rotation, the rotation's
    // index, and every key of the log as the default.
    browser.goto(&page).await;
    assert_eq!(
        browser.attr("#verify", "data-indexes").await.as_deref(),
        Some(format!("{registered},{revoked}").as_str())
    );
    assert_eq!(
        browser.attr("#verify", "data-rotations").await.as_deref(),
        Some(at.to_string().as_str())
    );
    let field = browser.find("#log-key").await;
    let typed = field.prop("value").await.expect("the key field's value");
    assert_eq!(
        typed.as_deref().map(str::trim),
        Some(format!("{old}\n{new}").as_str())
    );
    let (green, message) = browser.verify().await;
    assert!(green, "the page's own keys: {message}");
    browser.screenshot("audit-rotation-green").await;

    // Either key alone is enough: the new one signs the checkpoint, the old one rotated
    // to it.
    for key in [&new, &old] {
        browser.goto(&page).await;
        type_key(&browser, &key.to_string()).await;
        let (green, message) = browser.verify().await;
        assert!(green, "trusting only {key}: {message}");
    }

    // A key the log never had: red, and the message says no typed key signed.
    browser.goto(&page).await;
    type_key(&browser, &stranger(&app).to_string()).await;
    let (green, message) = browser.verify().await;
    assert!(!green, "an unrelated key must not verify: {message}");
    assert!(message.contains("aucune des clés saisies"), "{message}");

    // The page without its rotation's index: the verifier cannot know the new key, and
    // the entry it signed fails its log signature.
    let hidden = start_proxy(
        &app.base,
        Arc::new(move |path: &str, body: Vec<u8>| {
            if !path.starts_with("/audit/") {
                return body;
            }
            String::from_utf8(body)
                .expect("a page is UTF-8")
                .replace(&format!("data-rotations=\"{at}\""), "data-rotations=\"\"")
                .into_bytes()
        }),
    )
    .await;
    browser
        .goto(&format!("{hidden}/audit/registry/amina?lang=fr"))
        .await;
    assert_eq!(
        browser.attr("#verify", "data-rotations").await.as_deref(),
        Some("")
    );
    let (green, message) = browser.verify().await;
    assert!(
        !green,
        "entries after an unlisted rotation must fail: {message}"
    );
    assert!(
        message.contains("signature du registre") && message.contains(&format!("n° {revoked}")),
        "{message}"
    );

    // The rotation's own trail verifies.
    browser.goto(&app.url("/audit/log/key?lang=fr")).await;
    assert_eq!(
        browser.attr("#verify", "data-indexes").await.as_deref(),
        Some(at.to_string().as_str())
    );
    let (green, message) = browser.verify().await;
    assert!(green, "the rotation's trail: {message}");
}

/// A monitor that followed two rotations, one run each, must still open its own state: the
/// saved checkpoint is signed by keys the state's `log.pub` does not name (the server
/// co-signs with the key before the one in force only), so it is checked after the saved
/// entries are replayed, with the chain they hold. A regression test: the monitor once
/// opened it first and called a sound state damaged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_state_survives_two_rotations() {
    let app = TestApp::start(Backend::Sqlite).await;
    let state = app.scratch().join("monitor");
    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "{out}{err}");

    for round in 1..=2 {
        let (new, at) = rotate_log_key(&app).await;
        app.register_institution(&format!("R{round}"), "Institution")
            .await;
        let (code, out, err) = monitor(&app.base, &state, &[]).await;
        assert_eq!(code, 0, "after rotation {round}: {out}{err}");
        assert!(
            out.contains(&format!("log key: index {at} rotated to {new}")),
            "{out}"
        );
    }
    // Nothing new: the monitor only has to read its own state back.
    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "the state written after two rotations: {out}{err}");
    assert!(out.contains("no new entries"), "{out}");
}

/// Two rotations between two looks: the served checkpoint is signed only by the two keys
/// the new entries rotate to, neither of which the monitor knew. It reads the checkpoint's
/// size, replays the entries (whose rotations it verifies), and only then checks the
/// signature with the chain they hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitor_follows_two_rotations_between_two_looks() {
    let app = TestApp::start(Backend::Sqlite).await;
    let state = app.scratch().join("monitor");
    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "{out}{err}");

    let (first, first_at) = rotate_log_key(&app).await;
    let (second, second_at) = rotate_log_key(&app).await;
    app.register_institution("AFTER", "Institution").await;
    let note = app.get("/v1/log/checkpoint").await.text();
    let stranger = ledger::NoteSigner::new(&app.origin, crate::support::new_key()).verifier();
    assert!(
        ledger::Checkpoint::open(&note, std::slice::from_ref(&app.log_key)).is_err(),
        "the genesis key no longer signs"
    );
    assert!(ledger::Checkpoint::open(&note, std::slice::from_ref(&stranger)).is_err());

    let (code, out, err) = monitor(&app.base, &state, &[]).await;
    assert_eq!(code, 0, "two rotations between two looks: {out}{err}");
    assert!(
        out.contains(&format!("log key: index {first_at} rotated to {first}"))
            && out.contains(&format!("log key: index {second_at} rotated to {second}")),
        "{out}"
    );
    assert!(out.contains("new entries verified"), "{out}");
}
