//! Secrets stay secret (issue 8): the real binary, logging at `debug`, is driven through
//! writes, refusals of every kind, uploads, reads and the command-line tools; then every
//! byte it printed and every answer it gave is searched for the private keys it holds (the
//! log key and the first administrator's), in every form they could leak: the PEM file,
//! its base64 body, the raw 32-byte seed in base64, base64url and hex. Key files are 0600 in
//! a 0700 folder, and a key file readable by others is refused by `serve` and `submit`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;

use crate::support::{new_key, run_binary, Api, PATIENCE, SERVER_BIN};

/// Every form in which `key_file`'s secret could show up in text.
fn secret_forms(key_file: &Path) -> Vec<String> {
    let pem = std::fs::read_to_string(key_file).expect("a key file");
    let seed = sijill::keys::load(key_file).expect("a key").to_bytes();
    let mut forms = vec![
        BASE64.encode(seed),
        URL_SAFE_NO_PAD.encode(seed),
        hex::encode(seed),
        hex::encode_upper(seed),
    ];
    forms.extend(
        pem.lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
            .map(str::to_owned),
    );
    forms
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_keys_never_leave_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (out_path, err_path) = (dir.path().join("serve.out"), dir.path().join("serve.err"));
    let mut child = Command::new(SERVER_BIN)
        .args(["serve", "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "debug")
        .env_remove("SIJILL_DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("start the server");
    let deadline = Instant::now() + PATIENCE;
    let base = loop {
        let out = std::fs::read_to_string(&out_path).unwrap_or_default();
        if let Some(addr) = out.lines().find_map(|l| l.strip_prefix("listening on ")) {
            break addr.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let keys = data.join("keys");
    let (log_key, admin_key) = (keys.join("log.key"), keys.join("admin.key"));
    assert_eq!(mode(&keys), 0o700, "the keys folder is 0700");
    assert_eq!(mode(&log_key), 0o600, "the log key is 0600");
    assert_eq!(mode(&admin_key), 0o600, "the admin key is 0600");

    let admin = sijill::keys::load(&admin_key).expect("the admin key");
    let api = Api::connect(base.clone(), admin).await;
    let mut answers = String::new();
    let mut keep = |text: String| answers.push_str(&text);

    // Writes, and refusals of every kind.
    keep(
        api.register_institution("MRP", "Ministère délégué")
            .await
            .text(),
    );
    let clerk = api
        .register_official(&api.admin, "clerk", "MRP", &["trainer"])
        .await;
    for reply in [
        api.submit(
            &clerk,
            "RegisterInstitution",
            "institution/X",
            json!({"name": "X", "kind": "other"}),
        )
        .await,
        api.submit(
            &new_key(),
            "RegisterInstitution",
            "institution/Y",
            json!({"name": "Y", "kind": "other"}),
        )
        .await,
        api.post_statement_bytes(b"{\"actor\":".to_vec(), "application/json")
            .await,
        api.post_statement_bytes(b"{}".to_vec(), "text/plain").await,
        api.upload(&api.admin, b"Rapport annuel".to_vec()).await,
        api.upload_with(b"x".to_vec(), "bad", "bad").await,
    ] {
        keep(reply.text());
    }
    // Oversized: the server answers 413 without reading the body and may close the
    // connection before the client has sent it all, so the answer may not arrive.
    if let Ok(reply) = api
        .try_post_bytes(vec![b'a'; 200_000], "application/json")
        .await
    {
        keep(reply.text());
    }
    for path in [
        "/v1/log/key",
        "/v1/log/checkpoint",
        "/v1/actors",
        "/v1/streams/registry/admin",
        "/v1/log/entries?start=0&limit=10",
        "/openapi.json",
        "/",
        "/audit/registry/admin",
        "/no/such/thing",
        "/healthz",
    ] {
        keep(api.get(path).await.text());
    }
    // The command-line tools, including their failures.
    let body = dir.path().join("body.json");
    std::fs::write(&body, r#"{"name": "Z", "kind": "other"}"#).unwrap();
    for args in [
        vec![
            "submit",
            "--server",
            &base,
            "--key",
            admin_key.to_str().unwrap(),
            "--command",
            "RegisterInstitution",
            "--stream",
            "institution/Z",
            "--body",
            body.to_str().unwrap(),
        ],
        vec![
            "submit",
            "--server",
            &base,
            "--key",
            admin_key.to_str().unwrap(),
            "--command",
            "Bogus",
            "--stream",
            "institution/Z",
            "--body",
            body.to_str().unwrap(),
        ],
        vec![
            "submit",
            "--server",
            "http://127.0.0.1:9",
            "--key",
            log_key.to_str().unwrap(),
            "--command",
            "RegisterInstitution",
            "--stream",
            "institution/Z",
            "--body",
            body.to_str().unwrap(),
        ],
    ] {
        let (_, out, err) = run_binary(&args).await;
        keep(out);
        keep(err);
    }

    child.kill().expect("stop the server");
    child.wait().expect("reap the server");
    let printed =
        std::fs::read_to_string(&out_path).unwrap() + &std::fs::read_to_string(&err_path).unwrap();
    assert!(
        printed.contains("DEBUG"),
        "the server logged at debug level"
    );
    for key_file in [&log_key, &admin_key] {
        for secret in secret_forms(key_file) {
            assert!(
                !printed.contains(&secret),
                "the server printed {} material",
                key_file.display()
            );
            assert!(
                !answers.contains(&secret),
                "an answer carried {} material",
                key_file.display()
            );
        }
    }

    // A key file readable by others is refused, by the server and by the client.
    std::fs::set_permissions(&log_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let started = Command::new(SERVER_BIN)
        .args(["serve", "--data"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("SIJILL_DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run the server");
    assert!(
        !started.status.success(),
        "serve must refuse a log key readable by others"
    );
    assert!(
        String::from_utf8_lossy(&started.stderr).contains("readable by others"),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    std::fs::set_permissions(&admin_key, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = run_binary(&[
        "submit",
        "--server",
        &base,
        "--key",
        admin_key.to_str().unwrap(),
        "--command",
        "RegisterInstitution",
        "--stream",
        "institution/Z",
        "--body",
        body.to_str().unwrap(),
    ])
    .await;
    assert_ne!(code, 0, "submit must refuse a key readable by others");
    assert!(err.contains("readable by others"), "{err}");
}
