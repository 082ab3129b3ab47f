//! The Verify button against a lying server: a reverse proxy in front of a real server
//! serves the same pages but alters one thing (an entry's bytes, an inclusion proof), and
//! the verifier in headless Chromium must turn red and say why; the same page straight
//! from the server turns green, so only the alteration makes the difference. A key other
//! than the published one, and a receipt whose entry was edited, turn red as well.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use ledger::VerifierKey;
use serde_json::Value;

use crate::support::{Backend, TestApp};
use crate::tamper_proxy::start_proxy;
use crate::webdriver::Browser;

/// A server with a short history: the genesis and an institution of two entries' worth
/// (its registration, then an official registered for it, on another stream).
async fn server() -> TestApp {
    let app = TestApp::start(Backend::Sqlite).await;
    app.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;
    app
}

/// The entry that registered the institution: `(index, bytes)`.
async fn institution_entry(app: &TestApp) -> (u64, Vec<u8>) {
    let stream: Value = app.get("/v1/streams/institution/MRP").await.json;
    let index = stream["entries"][0]["entry"]["index"]
        .as_u64()
        .expect("the institution's entry");
    let bytes = app
        .http
        .get(app.url(&format!("/v1/log/entries/{index}")))
        .send()
        .await
        .expect("the entry")
        .bytes()
        .await
        .expect("entry bytes")
        .to_vec();
    (index, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_turns_red_on_a_tampered_entry_or_proof() {
    let app = server().await;
    let (index, _) = institution_entry(&app).await;
    let browser = Browser::start().await;

    // Straight from the server: green.
    browser
        .goto(&app.url("/audit/institution/MRP?lang=fr"))
        .await;
    let (green, message) = browser.verify().await;
    assert!(green, "the honest server's trail verifies: {message}");

    // An entry whose bytes were altered on the way: its recorded time moved back a year.
    let entry_path = format!("/v1/log/entries/{index}");
    let edited = start_proxy(
        &app.base,
        Arc::new(move |path: &str, body: Vec<u8>| {
            if path != entry_path {
                return body;
            }
            String::from_utf8(body)
                .expect("an entry is UTF-8")
                .replacen("\"recorded_at\":\"20", "\"recorded_at\":\"19", 1)
                .into_bytes()
        }),
    )
    .await;
    browser
        .goto(&format!("{edited}/audit/institution/MRP?lang=fr"))
        .await;
    let (green, message) = browser.verify().await;
    assert!(!green, "a tampered entry must not verify: {message}");
    assert!(
        message.contains("signature du registre") && message.contains(&format!("n° {index}")),
        "the reason names the log signature of entry {index}: {message}"
    );
    browser.screenshot("audit-tampered-red").await;

    // An inclusion proof with its hashes in the wrong order.
    let reordered = start_proxy(
        &app.base,
        Arc::new(|path: &str, body: Vec<u8>| {
            if !path.starts_with("/v1/log/proof/inclusion") {
                return body;
            }
            let mut proof: Value = serde_json::from_slice(&body).expect("a proof");
            if let Some(hashes) = proof["hashes"].as_array_mut() {
                hashes.reverse();
                hashes.push(hashes[0].clone());
            }
            proof.to_string().into_bytes()
        }),
    )
    .await;
    browser
        .goto(&format!("{reordered}/audit/institution/MRP?lang=ar"))
        .await;
    let (green, message) = browser.verify().await;
    assert!(!green, "a wrong proof must not verify: {message}");
    assert!(
        message.contains("دليل إدراج") && message.contains(&index.to_string()),
        "the reason, in Arabic, names the inclusion proof of entry {index}: {message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_turns_red_under_another_key_and_on_an_edited_receipt() {
    let app = server().await;
    let (index, bytes) = institution_entry(&app).await;
    let browser = Browser::start().await;

    // The same name with another key: no key of the log's chain is that key, so nothing
    // the log signed counts for this reader.
    let other = VerifierKey::new(
        &app.origin,
        SigningKey::from_bytes(&[7; 32]).verifying_key(),
    );
    browser
        .goto(&app.url("/audit/institution/MRP?lang=fr"))
        .await;
    let field = browser.find("#log-key").await;
    field.clear().await.expect("clearing the key field");
    field
        .send_keys(&other.to_string())
        .await
        .expect("typing another key");
    let (green, message) = browser.verify().await;
    assert!(!green, "another key must not verify: {message}");
    assert!(message.contains("aucune des clés saisies"), "{message}");

    // A receipt of a real entry verifies; the same receipt with its entry edited (and its
    // hash made to match) does not, since the log signature no longer holds.
    let dir = tempfile::tempdir().expect("temp dir");
    let honest = dir.path().join("honest.json");
    let entry: Value = serde_json::from_slice(&bytes).expect("entry JSON");
    let receipt = |entry: &Value, hash: &str| {
        serde_json::json!({"index": index, "entry_hash": hash, "entry": entry}).to_string()
    };
    std::fs::write(&honest, receipt(&entry, &to_hex(&sha256(&bytes)))).expect("receipt");
    let mut edited_entry = entry.clone();
    edited_entry["data"]["name"] = Value::String("Un autre nom".into());
    let edited_bytes = ledger::canonical::to_bytes(&edited_entry).expect("canonical");
    let edited = dir.path().join("edited.json");
    std::fs::write(
        &edited,
        receipt(&edited_entry, &to_hex(&sha256(&edited_bytes))),
    )
    .expect("receipt");

    for (file, should_verify) in [(&honest, true), (&edited, false)] {
        browser.goto(&app.url("/audit?lang=fr")).await;
        browser
            .find("#receipt-file")
            .await
            .send_keys(&file.display().to_string())
            .await
            .expect("choosing the receipt");
        let (green, message) = browser.verify().await;
        assert_eq!(green, should_verify, "{}: {message}", file.display());
        if !should_verify {
            assert!(message.contains("signature du registre"), "{message}");
        }
    }
}
