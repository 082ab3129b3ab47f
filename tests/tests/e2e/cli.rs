//! The client commands of the `sijill` binary as a user types them (docs/spec/api.md,
//! section 7): `keygen` writes a 0600 key and never overwrites one, `submit` signs and posts
//! a statement and exits 1 with the server's error on a refusal, `upload` prints the
//! document's SHA-256.

use std::os::unix::fs::PermissionsExt;

use ledger::hash::{sha256, to_hex};
use serde_json::Value;

use crate::support::{public_b64, run_binary, Backend, TestApp};

both_backends!(the_cli_keygen_submit_and_upload_work_against_a_live_server);

async fn the_cli_keygen_submit_and_upload_work_against_a_live_server(backend: Backend) {
    let app = TestApp::start(backend).await;
    let scratch = app.scratch();
    let admin_key = scratch.join("data/keys/admin.key");

    // keygen: prints the public key, writes PKCS#8 PEM with mode 0600.
    let key_path = scratch.join("clerk.key");
    let (code, stdout, stderr) = run_binary(&["keygen", "--out", key_path.to_str().unwrap()]).await;
    assert_eq!(code, 0, "keygen: {stderr}");
    let written = keys::load(&key_path).expect("keygen writes a loadable key");
    assert_eq!(stdout, format!("{}\n", public_b64(&written)));
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a private key file is 0600");
    // ...and refuses to overwrite it.
    let before = std::fs::read(&key_path).unwrap();
    let (code, _, stderr) = run_binary(&["keygen", "--out", key_path.to_str().unwrap()]).await;
    assert_ne!(code, 0, "keygen must refuse to overwrite a key");
    assert!(!stderr.is_empty(), "and say why");
    assert_eq!(
        std::fs::read(&key_path).unwrap(),
        before,
        "the key is untouched"
    );

    // submit: a signed statement from a body file; prints the server's JSON answer.
    let body = scratch.join("body.json");
    std::fs::write(
        &body,
        r#"{"name": "Ministère de la Santé", "kind": "ministry"}"#,
    )
    .unwrap();
    let size = app.tree_size().await;
    let submit = |stream: &'static str| {
        let (base, key, body) = (app.base.clone(), admin_key.clone(), body.clone());
        async move {
            run_binary(&[
                "submit",
                "--server",
                &base,
                "--key",
                key.to_str().unwrap(),
                "--command",
                "RegisterInstitution",
                "--stream",
                stream,
                "--body",
                body.to_str().unwrap(),
            ])
            .await
        }
    };
    let (code, stdout, stderr) = submit("institution/MS").await;
    assert_eq!(code, 0, "submit: {stdout} {stderr}");
    let answer: Value = serde_json::from_str(stdout.trim()).expect("submit prints JSON");
    assert_eq!(answer["entries"][0]["index"], size);
    assert_eq!(answer["entries"][0]["stream"], "institution/MS");
    let institution = app.get("/v1/institutions/MS").await;
    assert_eq!(institution.json["name"], "Ministère de la Santé");

    // A refusal: exit 1 and the server's error.
    let (code, stdout, _) = submit("institution/MS").await;
    assert_eq!(code, 1, "submit exits 1 on a refusal: {stdout}");
    let error: Value = serde_json::from_str(stdout.trim()).expect("the server's error, as JSON");
    assert_eq!(error["error"], "already_registered");
    assert_eq!(app.tree_size().await, size + 1);

    // upload: prints the SHA-256 the server stored the document under.
    let document = scratch.join("annex.txt");
    std::fs::write(&document, "Annexe 1: calendrier\n").unwrap();
    let (code, stdout, stderr) = run_binary(&[
        "upload",
        "--server",
        &app.base,
        "--key",
        admin_key.to_str().unwrap(),
        document.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "upload: {stderr}");
    assert_eq!(
        stdout,
        format!("{}\n", to_hex(&sha256(&std::fs::read(&document).unwrap())))
    );
}
