//! The newcomer's path, end to end: start a server, register an institution and an
//! official, record signed decisions, export the log with `sijill export`'s code, verify it
//! offline, and watch the verifier catch every kind of tampering at the right index.
//!
//! This is the promise an auditor relies on: an export either verifies with exactly the
//! size and root the log signed, or names the first entry that was changed, dropped or
//! moved.

use std::path::{Path, PathBuf};

use audit::Failure;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use client::verify::VerifyOutcome;
use serde_json::json;

use crate::support::{
    copy_export, new_key, public_b64, run_binary, verify_folder, Backend, TestApp,
};

both_backends!(newcomer_records_exports_verifies_and_tampering_is_caught);

/// Entries of the scenario's log, in order: 0 genesis, 1 the institution, 2 the officer,
/// 3 the clerk the officer registers, 4 the clerk's revocation.
const CLERK_ENTRY: usize = 3;
const SCENARIO_SIZE: u64 = 5;

async fn newcomer_records_exports_verifies_and_tampering_is_caught(backend: Backend) {
    let app = TestApp::start(backend).await;
    assert!(
        app.banner.contains("genesis entry recorded") && app.banner.contains("admin key: "),
        "the first start says it recorded the genesis and where the admin key is:\n{}",
        app.banner
    );
    assert_eq!(
        app.tree_size().await,
        1,
        "a fresh log holds the genesis only"
    );

    app.register_institution("MEF", "Ministry of Economy and Finance")
        .await;
    let officer = app
        .register_official(&app.admin, "amina", "MEF", &["admin"])
        .await;
    // The officer's own signed decisions: register a clerk, then revoke the clerk.
    let clerk = new_key();
    app.submit(
        &officer,
        "RegisterActor",
        "registry/youssef",
        json!({"public_key": public_b64(&clerk), "name": "Youssef Alaoui",
               "institution": "MEF", "roles": ["publisher"]}),
    )
    .await
    .created();
    let revoked = app
        .submit(
            &officer,
            "RevokeActor",
            "registry/youssef",
            json!({"reason": "left the ministry"}),
        )
        .await;
    assert_eq!(revoked.acks().len(), 1);
    assert_eq!(revoked.acks()[0].0, SCENARIO_SIZE - 1);
    assert_eq!(revoked.created()["entries"][0]["type"], "ActorRevoked");
    assert_eq!(revoked.created()["entries"][0]["seq"], 2);

    let (_, checkpoint) = app.checkpoint().await;
    assert_eq!(checkpoint.size, SCENARIO_SIZE);
    let good = app.export_and_verify(app.scratch(), "export").await;

    // The `export` command as users run it writes the same bytes as the library call.
    let by_binary = app.scratch().join("export-by-binary");
    let (code, _, stderr) = run_binary(&[
        "export",
        "--server",
        &app.base,
        "--out",
        by_binary.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "sijill export failed: {stderr}");
    for file in ["entries.jsonl", "checkpoint", "log.pub"] {
        assert_eq!(
            std::fs::read(good.join(file)).unwrap(),
            std::fs::read(by_binary.join(file)).unwrap(),
            "{file} differs between two exports of an unchanged log"
        );
    }

    // --- Tampering, each on a fresh copy, each caught at the right index. ---
    let lines = read_lines(&good);
    assert_eq!(lines.len() as u64, SCENARIO_SIZE);

    // One byte inside a string value: still valid, canonical JSON, but not what was signed.
    let changed = tamper(&good, app.scratch(), "changed-byte", |lines| {
        let line = &mut lines[CLERK_ENTRY];
        let at = find(line, b"Youssef Alaoui").expect("the clerk's name is in its entry");
        line[at] = b'X';
    });
    assert_valid_json_line(&changed, CLERK_ENTRY);
    let failure = expect_failure(&changed, CLERK_ENTRY as u64).await;
    assert!(
        failure.reason.contains("signature"),
        "a changed value is a bad log signature: {failure}"
    );

    // One byte that breaks canonical form and nothing else: inside `data` (whose member
    // names the entry format leaves free), `institution` becomes `znstitution`, which no
    // longer sorts before `name`. The line is valid JSON with the same entry members.
    let uncanonical = tamper(&good, app.scratch(), "non-canonical", |lines| {
        let line = &mut lines[2];
        let at = find(line, b"\"data\":{\"institution\":").expect("the officer's data");
        line[at + "\"data\":{\"".len()] = b'z';
    });
    assert_valid_json_line(&uncanonical, 2);
    let failure = expect_failure(&uncanonical, 2).await;
    assert!(
        failure.reason.contains("canonical"),
        "keys out of order are not canonical: {failure}"
    );

    let dropped = tamper(&good, app.scratch(), "dropped", |lines| {
        lines.remove(2);
    });
    let failure = expect_failure(&dropped, 2).await;
    assert_eq!(failure.reason, "index member is 3");

    let swapped = tamper(&good, app.scratch(), "swapped", |lines| lines.swap(1, 2));
    let failure = expect_failure(&swapped, 1).await;
    assert_eq!(failure.reason, "index member is 2");

    // A checkpoint signed by another log: the entries are fine, the tree head is not theirs.
    let other = TestApp::start(backend).await;
    let (foreign_note, _) = other.checkpoint().await;
    let foreign = tamper(&good, app.scratch(), "foreign-checkpoint", |_| {});
    std::fs::write(foreign.join("checkpoint"), &foreign_note).unwrap();
    let failure = expect_failure(&foreign, SCENARIO_SIZE).await;
    assert!(
        failure.reason.starts_with("checkpoint: "),
        "a foreign checkpoint fails as `index N: checkpoint: ...`: {failure}"
    );

    // --- `sijill verify` as a process: exit codes and the exact lines of docs/spec/api.md. ---
    let (code, stdout, stderr) = run_binary(&["verify", good.to_str().unwrap()]).await;
    assert_eq!(code, 0, "verify of a good export: {stdout} {stderr}");
    assert_eq!(
        stdout,
        format!(
            "verified {SCENARIO_SIZE} entries, root {}\n",
            BASE64.encode(checkpoint.root)
        )
    );

    let (code, stdout, _) = run_binary(&["verify", changed.to_str().unwrap()]).await;
    assert_eq!(code, 1, "verify of a tampered export exits 1");
    assert!(
        stdout.starts_with(&format!("index {CLERK_ENTRY}: ")) && stdout.ends_with('\n'),
        "one line `index I: reason`: {stdout:?}"
    );
    let expected = expect_failure(&changed, CLERK_ENTRY as u64).await;
    assert_eq!(stdout, format!("{expected}\n"));

    let (code, stdout, _) = run_binary(&["verify", foreign.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(&format!("index {SCENARIO_SIZE}: checkpoint: ")),
        "{stdout:?}"
    );

    // Trusting another log's key instead of log.pub: the genesis is not signed by it.
    let (code, stdout, _) = run_binary(&[
        "verify",
        good.to_str().unwrap(),
        "--log-key",
        &other.log_key.to_string(),
    ])
    .await;
    assert_eq!(
        code, 1,
        "an export checked against another log's key fails: {stdout}"
    );
    assert!(stdout.starts_with("index 0: "), "{stdout:?}");

    let missing = app.scratch().join("no-such-export");
    let (code, stdout, stderr) = run_binary(&["verify", missing.to_str().unwrap()]).await;
    assert_eq!(
        code, 2,
        "a missing folder is a usage/I-O error: {stdout} {stderr}"
    );
    assert!(
        stdout.is_empty(),
        "nothing on stdout for exit 2: {stdout:?}"
    );
}

/// The lines of an export's `entries.jsonl`, without line feeds.
fn read_lines(export: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(export.join("entries.jsonl")).unwrap();
    crate::support::split_lines(&bytes)
}

/// A fresh copy of `export` named `name`, with its lines edited by `edit`.
fn tamper(
    export: &Path,
    scratch: &Path,
    name: &str,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> PathBuf {
    let copy = scratch.join(name);
    copy_export(export, &copy);
    let mut lines = read_lines(export);
    edit(&mut lines);
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(&line);
        bytes.push(b'\n');
    }
    std::fs::write(copy.join("entries.jsonl"), bytes).unwrap();
    copy
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The tampering must keep the line valid JSON, so it is the verifier's signature and
/// canonical-form checks that catch it, not a JSON syntax error.
fn assert_valid_json_line(export: &Path, index: usize) {
    let lines = read_lines(export);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&lines[index]).is_ok(),
        "the tampered line {index} should still be valid JSON"
    );
}

/// Verifies `export`, expecting the first failure at `index`.
async fn expect_failure(export: &Path, index: u64) -> Failure {
    match verify_folder(export).await {
        VerifyOutcome::Failed(failure) => {
            assert_eq!(
                failure.index, index,
                "tampering at {index} reported elsewhere: {failure}"
            );
            failure
        }
        other => panic!(
            "a tampered export ({}) was not refused: {other:?}",
            export.display()
        ),
    }
}
