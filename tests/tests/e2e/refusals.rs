//! Refusals of `POST /v1/statements`: every check of docs/spec/api.md answers with its documented
//! status and a JSON body `{"error", "message"}`, the first failing check in the order of
//! docs/spec/api.md decides, and a refused write leaves the log exactly as it was (same signed
//! tree size).
//!
//! The order matters to clients: a statement with a bad signature must not learn anything
//! about nonces, roles or the domain's state.

use ed25519_dalek::{Signer, SigningKey};
use ledger::Auth;
use serde_json::{json, Value};

use crate::support::{issued_at, new_key, public_b64, Api, Backend, TestApp};

both_backends!(
    malformed_statements_get_400_and_append_nothing,
    oversized_statements_and_bodies_get_413,
    a_body_not_sent_as_json_gets_415,
    bad_signatures_and_signers_get_401,
    issued_at_more_than_five_minutes_off_gets_401,
    a_reused_nonce_gets_409_and_only_appended_statements_use_nonces,
    roles_and_domain_rules_get_403_409_422,
    the_first_failing_check_in_api_md_order_decides,
);

/// Posts raw bytes and asserts the refusal and that the signed tree size did not move.
async fn refused_bytes(api: &Api, bytes: Vec<u8>, content_type: &str, status: u16, code: &str) {
    let before = api.tree_size().await;
    let reply = api.post_statement_bytes(bytes, content_type).await;
    reply.assert_error(status, code);
    assert_eq!(
        api.tree_size().await,
        before,
        "a statement refused with {status} {code} changed the log"
    );
}

/// Posts a signed statement and asserts the refusal and an unchanged log.
async fn refused(api: &Api, auth: &Auth, status: u16, code: &str) {
    refused_bytes(
        api,
        auth.to_value().to_string().into_bytes(),
        "application/json",
        status,
        code,
    )
    .await;
}

fn institution_body(name: &str) -> Value {
    json!({"name": name, "kind": "ministry"})
}

/// The JSON text of a validly signed RegisterInstitution, for byte-level surgery.
fn signed_text(api: &Api, id: &str) -> String {
    api.sign(
        &api.admin,
        "RegisterInstitution",
        &format!("institution/{id}"),
        institution_body("Ministry of Health"),
    )
    .to_value()
    .to_string()
}

/// Signs `statement` with `key` after letting `edit` change it: the signature is valid
/// for what is sent, so only the check under test can refuse it.
fn signed_with(
    api: &Api,
    key: &SigningKey,
    command: &str,
    stream: &str,
    body: Value,
    edit: impl FnOnce(&mut ledger::Statement),
) -> Auth {
    let mut statement = api.statement(command, stream, body);
    edit(&mut statement);
    Auth::sign(statement, key)
}

async fn malformed_statements_get_400_and_append_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;

    refused_bytes(
        api,
        b"{\"actor\": ".to_vec(),
        "application/json",
        400,
        "malformed_json",
    )
    .await;

    // Duplicate member names are refused, never "last one wins".
    let text = signed_text(api, "H1");
    let duplicated = text.replacen(
        "\"kind\":\"ministry\"",
        "\"kind\":\"ministry\",\"kind\":\"ministry\"",
        1,
    );
    assert_ne!(text, duplicated, "the surgery found its spot");
    refused_bytes(
        api,
        duplicated.into_bytes(),
        "application/json",
        400,
        "malformed_json",
    )
    .await;

    // Numbers are integers only: a float, 1e2 and a number beyond 2^53 are malformed.
    for number in ["1.5", "1e2", "-0", "9007199254740993"] {
        let text = signed_text(api, "H2");
        let with_number = text.replacen(
            "\"kind\":\"ministry\"",
            &format!("\"kind\":\"ministry\",\"n\":{number}"),
            1,
        );
        refused_bytes(
            api,
            with_number.into_bytes(),
            "application/json",
            400,
            "malformed_json",
        )
        .await;
    }

    // Statement fields out of shape: a time that is not UTC `Z`, nonces of 0 and 65
    // characters, an actor that is not a key.
    for (field, value) in [
        ("issued_at", json!("2026-01-15 09:29:58")),
        ("issued_at", json!("2026-01-15T09:29:58+01:00")),
        ("nonce", json!("")),
        ("nonce", json!("n".repeat(65))),
    ] {
        let mut envelope = api
            .sign(
                &api.admin,
                "RegisterInstitution",
                "institution/H2",
                institution_body("x"),
            )
            .to_value();
        envelope["statement"][field] = value;
        refused_bytes(
            api,
            envelope.to_string().into_bytes(),
            "application/json",
            400,
            "invalid_statement",
        )
        .await;
    }
    let mut envelope = api
        .sign(
            &api.admin,
            "RegisterInstitution",
            "institution/H2",
            institution_body("x"),
        )
        .to_value();
    envelope["actor"] = json!("AAAA");
    refused_bytes(
        api,
        envelope.to_string().into_bytes(),
        "application/json",
        400,
        "invalid_statement",
    )
    .await;

    // A member of the body the command does not define.
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/H3",
        json!({"name": "Ministry of Health", "kind": "ministry", "budget": 12}),
    );
    refused(api, &auth, 400, "invalid_body").await;
    // A body of the wrong type for the command.
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/H3",
        json!({"name": 7, "kind": "ministry"}),
    );
    refused(api, &auth, 400, "invalid_body").await;

    // A member of the envelope the format does not define.
    let mut envelope = api
        .sign(
            &api.admin,
            "RegisterInstitution",
            "institution/H4",
            institution_body("Ministry of Health"),
        )
        .to_value();
    envelope["extra"] = json!("x");
    refused_bytes(
        api,
        envelope.to_string().into_bytes(),
        "application/json",
        400,
        "invalid_statement",
    )
    .await;

    // A stream whose type does not fit the command.
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "registry/H5",
        institution_body("Ministry of Health"),
    );
    refused(api, &auth, 400, "wrong_stream").await;

    // An id that is not `[A-Za-z0-9][A-Za-z0-9._-]*`: no path tricks.
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/../x",
        institution_body("Ministry of Health"),
    );
    refused(api, &auth, 400, "invalid_id").await;

    let auth = api.sign(&api.admin, "LaunchRocket", "institution/H6", json!({}));
    refused(api, &auth, 400, "unknown_command").await;
}

async fn oversized_statements_and_bodies_get_413(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;

    // A statement whose canonical form exceeds 32 KiB, in a request well under the
    // request limit: the statement limit of docs/spec/ledger-format.md answers 413.
    let long_name = "a".repeat(33 * 1024);
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/BIG",
        institution_body(&long_name),
    );
    assert!(auth.statement.canonical_bytes().len() > 32 * 1024);
    let bytes = auth.to_value().to_string().into_bytes();
    assert!(
        bytes.len() < 60 * 1024,
        "the request itself stays under the request limit"
    );
    refused_bytes(api, bytes, "application/json", 413, "statement_too_large").await;

    // A request body over the request limit: 413, still in the JSON error format.
    let huge = format!("{{\"padding\":\"{}\"}}", "b".repeat(200 * 1024));
    let before = api.tree_size().await;
    let reply = api
        .post_statement_bytes(huge.into_bytes(), "application/json")
        .await;
    assert_eq!(
        reply.status.as_u16(),
        413,
        "body over the request limit: {}",
        reply.text()
    );
    reply.assert_error_shape();
    assert_eq!(api.tree_size().await, before);
}

async fn a_body_not_sent_as_json_gets_415(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    let text = signed_text(api, "T1");
    refused_bytes(
        api,
        text.clone().into_bytes(),
        "text/plain",
        415,
        "unsupported_media_type",
    )
    .await;
    refused_bytes(
        api,
        text.clone().into_bytes(),
        "application/x-www-form-urlencoded",
        415,
        "unsupported_media_type",
    )
    .await;
    // The same bytes as JSON are accepted: the refusal was about the media type only.
    let reply = api
        .post_statement_bytes(text.into_bytes(), "application/json; charset=utf-8")
        .await;
    reply.created();
}

async fn bad_signatures_and_signers_get_401(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    api.register_institution("MSP", "Ministry of Health").await;

    // A signature over another statement by the same key: well-formed, invalid here.
    let other = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/X1",
        institution_body("One"),
    );
    let mut auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/X2",
        institution_body("Two"),
    );
    auth.sig = other.sig;
    refused(api, &auth, 401, "invalid_signature").await;

    // A key nobody registered.
    let stranger = new_key();
    let auth = api.sign(
        &stranger,
        "RegisterInstitution",
        "institution/X3",
        institution_body("Three"),
    );
    refused(api, &auth, 401, "unknown_actor").await;

    // A key registered, then revoked: from the revocation on, it signs nothing more.
    let officer = api
        .register_official(&api.admin, "karim", "MSP", &["admin"])
        .await;
    api.submit(
        &officer,
        "RegisterInstitution",
        "institution/X4",
        institution_body("Four"),
    )
    .await
    .created();
    api.submit(
        &api.admin,
        "RevokeActor",
        "registry/karim",
        json!({"reason": "key lost"}),
    )
    .await
    .created();
    let auth = api.sign(
        &officer,
        "RegisterInstitution",
        "institution/X5",
        institution_body("Five"),
    );
    refused(api, &auth, 401, "actor_revoked").await;

    // A statement signed for another log.
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/X6",
        institution_body("Six"),
        |s| {
            s.origin = "other.example/ledger".into();
        },
    );
    refused(api, &auth, 401, "wrong_origin").await;
}

async fn issued_at_more_than_five_minutes_off_gets_401(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    for offset_minutes in [-10i64, 10] {
        let auth = signed_with(
            api,
            &api.admin,
            "RegisterInstitution",
            "institution/T1",
            institution_body("Late"),
            |s| {
                s.issued_at = issued_at(offset_minutes * 60_000);
            },
        );
        refused(api, &auth, 401, "stale_statement").await;
    }
    // Within the window, and without milliseconds (statements may omit them): accepted.
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/T1",
        institution_body("On time"),
        |s| {
            let now = issued_at(-60_000);
            s.issued_at = format!("{}Z", &now[..19]);
        },
    );
    api.post(&auth).await.created();
}

async fn a_reused_nonce_gets_409_and_only_appended_statements_use_nonces(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    let first = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/N1",
        institution_body("One"),
    );
    api.post(&first).await.created();
    let nonce = first.statement.nonce.clone();

    // The same nonce on a different statement by the same actor.
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/N2",
        institution_body("Two"),
        |s| {
            s.nonce = nonce.clone();
        },
    );
    refused(api, &auth, 409, "nonce_reused").await;

    // Another actor may use the same nonce: nonces are unique per actor.
    let officer = api
        .register_official(&api.admin, "salma", "N1", &["admin"])
        .await;
    let auth = signed_with(
        api,
        &officer,
        "RegisterInstitution",
        "institution/N3",
        institution_body("Three"),
        |s| {
            s.nonce = nonce.clone();
        },
    );
    api.post(&auth).await.created();

    // A refused statement does not use up its nonce.
    let refused_one = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/N1",
        institution_body("One again"),
    );
    refused(api, &refused_one, 409, "already_registered").await;
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/N4",
        institution_body("Four"),
        |s| {
            s.nonce = refused_one.statement.nonce.clone();
        },
    );
    api.post(&auth).await.created();
}

async fn roles_and_domain_rules_get_403_409_422(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    api.register_institution("MJ", "Ministry of Justice").await;

    // A publisher is not an administrator: no registering institutions, actors, revoking.
    let publisher = api
        .register_official(&api.admin, "nadia", "MJ", &["publisher"])
        .await;
    let auth = api.sign(
        &publisher,
        "RegisterInstitution",
        "institution/R1",
        institution_body("One"),
    );
    refused(api, &auth, 403, "role_not_allowed").await;
    let auth = api.sign(
        &publisher,
        "RevokeActor",
        "registry/nadia",
        json!({"reason": "self"}),
    );
    refused(api, &auth, 403, "role_not_allowed").await;

    // The domain's state: an institution is registered once.
    let auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/MJ",
        institution_body("Justice again"),
    );
    refused(api, &auth, 409, "already_registered").await;
    // Revoking a stream where nobody is registered.
    let auth = api.sign(
        &api.admin,
        "RevokeActor",
        "registry/nobody",
        json!({"reason": "none"}),
    );
    refused(api, &auth, 409, "not_registered").await;
    // A key is registered once, ever, even on another stream.
    let auth = api.sign(
        &api.admin,
        "RegisterActor",
        "registry/nadia-2",
        json!({"public_key": public_b64(&publisher), "name": "Nadia", "institution": "MJ", "roles": ["publisher"]}),
    );
    refused(api, &auth, 409, "key_already_registered").await;

    // A domain rule: an official belongs to a registered institution.
    let auth = api.sign(
        &api.admin,
        "RegisterActor",
        "registry/ghost",
        json!({"public_key": public_b64(&new_key()), "name": "Ghost", "institution": "NOWHERE", "roles": ["publisher"]}),
    );
    refused(api, &auth, 422, "unknown_institution").await;
}

async fn the_first_failing_check_in_api_md_order_decides(backend: Backend) {
    let app = TestApp::start(backend).await;
    let api: &Api = &app;
    api.register_institution("MA", "Ministry of Agriculture")
        .await;
    let publisher = api
        .register_official(&api.admin, "omar", "MA", &["publisher"])
        .await;
    let used = api.sign(
        &publisher,
        "RegisterInstitution",
        "institution/O0",
        institution_body("x"),
    );
    // The publisher's first statement is refused (403), so it uses no nonce; use the
    // admin's appended statement's nonce for the replay cases below.
    refused(api, &used, 403, "role_not_allowed").await;
    let appended = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/O1",
        institution_body("One"),
    );
    api.post(&appended).await.created();
    let used_nonce = appended.statement.nonce.clone();

    // Malformed beats a bad signature: a body with an unknown member, signed by nobody.
    let mut auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/O2",
        json!({"name": "x", "kind": "ministry", "z": 1}),
    );
    auth.sig = new_key().sign(b"something else");
    refused(api, &auth, 400, "invalid_body").await;

    // Over the size limit beats a bad signature.
    let mut auth = api.sign(
        &api.admin,
        "RegisterInstitution",
        "institution/O2",
        institution_body(&"n".repeat(33 * 1024)),
    );
    auth.sig = new_key().sign(b"something else");
    refused(api, &auth, 413, "statement_too_large").await;

    // A bad signature beats a reused nonce.
    let mut auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/O3",
        institution_body("x"),
        |s| {
            s.nonce = used_nonce.clone();
        },
    );
    auth.sig = new_key().sign(b"something else");
    refused(api, &auth, 401, "invalid_signature").await;

    // A stale statement beats a reused nonce.
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/O3",
        institution_body("x"),
        |s| {
            s.nonce = used_nonce.clone();
            s.issued_at = issued_at(-10 * 60_000);
        },
    );
    refused(api, &auth, 401, "stale_statement").await;

    // A wrong origin beats a reused nonce and a role not allowed.
    let auth = signed_with(
        api,
        &publisher,
        "RegisterInstitution",
        "institution/O3",
        institution_body("x"),
        |s| {
            s.origin = "elsewhere.example/log".into();
        },
    );
    refused(api, &auth, 401, "wrong_origin").await;

    // A reused nonce beats the domain's state (MA exists). (Whether it beats a role not
    // allowed cannot be shown yet: a key without `admin` has no command it may append
    // today, so it never uses a nonce.)
    let auth = signed_with(
        api,
        &api.admin,
        "RegisterInstitution",
        "institution/MA",
        institution_body("x"),
        |s| {
            s.nonce = used_nonce.clone();
        },
    );
    refused(api, &auth, 409, "nonce_reused").await;

    // A role not allowed beats the domain's state (MA exists: would be 409)...
    let auth = api.sign(
        &publisher,
        "RegisterInstitution",
        "institution/MA",
        institution_body("x"),
    );
    refused(api, &auth, 403, "role_not_allowed").await;

    // ...and the domain's state beats a domain rule: the stream `registry/omar` is taken
    // (409) and the institution is unknown (422).
    let auth = api.sign(
        &api.admin,
        "RegisterActor",
        "registry/omar",
        json!({"public_key": public_b64(&new_key()), "name": "Omar", "institution": "NOWHERE", "roles": ["publisher"]}),
    );
    refused(api, &auth, 409, "already_registered").await;
}
