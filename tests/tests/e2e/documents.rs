//! Documents (`POST /v1/documents`): a registered actor uploads bytes signed over their
//! SHA-256 and gets the hash back; nothing is published until an entry names it; bad
//! signatures, unknown or revoked signers and oversized bodies are refused. No command
//! names documents yet, so this covers the upload and the refusals.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::Signer;
use ledger::hash::{sha256, to_hex};
use ledger::statement::document_message;
use serde_json::json;

use crate::support::{new_key, public_b64, Backend, TestApp};

both_backends!(
    an_uploaded_document_is_not_published_until_an_entry_names_it,
    document_uploads_from_bad_signers_or_too_large_are_refused,
);

/// The documented limit: 10 MiB.
const MAX_DOCUMENT: usize = 10 * 1024 * 1024;

async fn an_uploaded_document_is_not_published_until_an_entry_names_it(backend: Backend) {
    let app = TestApp::start(backend).await;
    let before = app.tree_size().await;
    let text = "Projet de loi n° 12.34 — texte intégral, version 1\n"
        .as_bytes()
        .to_vec();
    let digest = to_hex(&sha256(&text));

    let reply = app.upload(&app.admin, text.clone()).await;
    assert_eq!(reply.created(), &json!({"sha256": digest}));
    assert_eq!(app.tree_size().await, before, "an upload appends nothing");

    // Stored, but no entry names it: never published.
    let reply = app.get(&format!("/v1/documents/{digest}")).await;
    reply.assert_error(404, "not_found");
    let reply = app.get("/v1/documents/not-a-hash").await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text());
    reply.assert_error_shape();

    // The limit is inclusive: exactly 10 MiB is accepted.
    let largest = vec![b'x'; MAX_DOCUMENT];
    let reply = app.upload(&app.admin, largest.clone()).await;
    assert_eq!(reply.created()["sha256"], to_hex(&sha256(&largest)));
}

async fn document_uploads_from_bad_signers_or_too_large_are_refused(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_institution("MC", "Ministry of Communication")
        .await;
    let before = app.tree_size().await;
    let doc = b"rapport annuel 2025".to_vec();

    // Signed over another document's hash.
    let other = to_hex(&sha256(b"another document"));
    let sig = app.admin.sign(&document_message(&other));
    let reply = app
        .upload_with(
            doc.clone(),
            &public_b64(&app.admin),
            &BASE64.encode(sig.to_bytes()),
        )
        .await;
    reply.assert_error(401, "invalid_signature");

    // Signed without the "sijill-document\n" prefix: a signature for another purpose.
    let sig = app.admin.sign(to_hex(&sha256(&doc)).as_bytes());
    let reply = app
        .upload_with(
            doc.clone(),
            &public_b64(&app.admin),
            &BASE64.encode(sig.to_bytes()),
        )
        .await;
    reply.assert_error(401, "invalid_signature");

    // Headers that are not base64 keys and signatures.
    let reply = app.upload_with(doc.clone(), "not base64", "also not").await;
    assert_eq!(reply.status.as_u16(), 401, "{}", reply.text());
    reply.assert_error_shape();

    // A key nobody registered.
    let reply = app.upload(&new_key(), doc.clone()).await;
    reply.assert_error(401, "unknown_actor");

    // A revoked key.
    let officer = app
        .register_official(&app.admin, "rachid", "MC", &["publisher"])
        .await;
    app.upload(&officer, b"before revocation".to_vec())
        .await
        .created();
    app.submit(
        &app.admin,
        "RevokeActor",
        "registry/rachid",
        json!({"reason": "left"}),
    )
    .await
    .created();
    let reply = app.upload(&officer, doc.clone()).await;
    reply.assert_error(401, "actor_revoked");
    let after_revocation = app.tree_size().await;
    assert_eq!(
        after_revocation,
        before + 2,
        "only the two registry entries were appended"
    );

    // One byte over 10 MiB: 413 in the JSON error format.
    let too_large = vec![b'y'; MAX_DOCUMENT + 1];
    let reply = app.upload(&app.admin, too_large).await;
    assert_eq!(reply.status.as_u16(), 413, "{}", reply.text());
    reply.assert_error_shape();

    // No headers at all.
    let reply = app
        .http
        .post(app.url("/v1/documents"))
        .body(doc.clone())
        .send()
        .await
        .expect("POST /v1/documents");
    assert_eq!(reply.status().as_u16(), 401);

    assert_eq!(
        app.tree_size().await,
        after_revocation,
        "refused uploads append nothing"
    );
}
