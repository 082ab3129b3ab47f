//! Secrets stay secret: the real binary, logging at `debug`, is driven through
//! writes, refusals of every kind, uploads, reads and the command-line tools; then every
//! byte it printed and every answer it gave is searched for the private keys it holds (the
//! log key and the first administrator's), in every form they could leak: the PEM file,
//! its base64 body, the raw 32-byte seed in base64, base64url and hex. Key files are 0600 in
//! a 0700 folder, whether `serve` or `keygen` writes them, and a key file that group or
//! others may read or write is refused by `serve` (exit 1), `submit` and `upload` (exit 2,
//! docs/spec/api.md's usage and I/O errors), each saying which file and how to fix it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::json;

use crate::support::{new_key, nonce, run_binary, Api, PgDatabase, PATIENCE, SERVER_BIN};

/// Every form in which `key_file`'s secret could show up in text.
fn secret_forms(key_file: &Path) -> Vec<String> {
    let pem = std::fs::read_to_string(key_file).expect("a key file");
    let seed = keys::load(key_file).expect("a key").to_bytes();
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

    let admin = keys::load(&admin_key).expect("the admin key");
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
    // Nor the personal-data secret or its epoch keys, as the hex they are kept in.
    for file in ["persons.secret", "persons.secret.epoch"] {
        let text = std::fs::read_to_string(data.join(file)).expect("the server made it");
        for word in text.split_whitespace().filter(|w| w.len() == 64) {
            for form in [word.to_owned(), word.to_uppercase()] {
                assert!(
                    !printed.contains(&form),
                    "the server printed {file} material"
                );
                assert!(
                    !answers.contains(&form),
                    "an answer carried {file} material"
                );
            }
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

/// `sijill keygen` writes its key 0600 (in a 0700 folder it creates) and prints only the
/// public half; `serve`, `submit` and `upload` refuse a key file of any mode that lets
/// group or others read or write it, before doing anything with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keygen_writes_0600_and_every_command_refuses_an_open_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("officials/amina.key");
    let key_arg = key.to_str().unwrap().to_owned();
    let (code, out, err) = run_binary(&["keygen", "--out", &key_arg]).await;
    assert_eq!(code, 0, "keygen: {err}");
    assert_eq!(mode(&key), 0o600, "keygen writes 0600");
    assert_eq!(
        mode(key.parent().unwrap()),
        0o700,
        "keygen's new folder is 0700"
    );
    let public = keys::public_b64(&keys::load(&key).unwrap());
    assert_eq!(out.trim(), public, "keygen prints the public key");
    let secrets = secret_forms(&key);
    assert!(secrets.iter().all(|s| !out.contains(s) && !err.contains(s)));

    // Never over an existing key: the file is left as it was.
    let before = std::fs::read(&key).unwrap();
    let (code, _, err) = run_binary(&["keygen", "--out", &key_arg]).await;
    assert_eq!(code, 2, "keygen over a key: {err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&key).unwrap(), before, "the key is untouched");

    // A data folder whose log key is open, a body and a document for the clients.
    let data = dir.path().join("data");
    let log_key = data.join("keys/log.key");
    let (code, _, err) = run_binary(&["keygen", "--out", log_key.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{err}");
    let data_arg = data.to_str().unwrap().to_owned();
    let body = dir.path().join("body.json");
    std::fs::write(&body, r#"{"name": "X", "kind": "other"}"#).unwrap();
    let document = dir.path().join("rapport.txt");
    std::fs::write(&document, "Rapport").unwrap();
    let (body_arg, document_arg) = (
        body.to_str().unwrap().to_owned(),
        document.to_str().unwrap().to_owned(),
    );
    // Nothing listens on port 9 (discard): a client that got past its key fails there.
    let server = "http://127.0.0.1:9";
    let serve = ["serve", "--data", &data_arg, "--listen", "127.0.0.1:0"];
    let submit = [
        "submit",
        "--server",
        server,
        "--key",
        &key_arg,
        "--command",
        "RegisterInstitution",
        "--stream",
        "institution/X",
        "--body",
        &body_arg,
    ];
    let upload = [
        "upload",
        "--server",
        server,
        "--key",
        &key_arg,
        &document_arg,
    ];

    // What each key would look like printed, read while the files are still private.
    let (key_secrets, log_secrets) = (secret_forms(&key), secret_forms(&log_key));
    for open in [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o610] {
        for file in [&key, &log_key] {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(open)).unwrap();
        }
        for (what, args, file, secrets, exit) in [
            ("serve", &serve[..], &log_key, &log_secrets, 1),
            ("submit", &submit[..], &key, &key_secrets, 2),
            ("upload", &upload[..], &key, &key_secrets, 2),
        ] {
            let (code, out, err) = run_binary(args).await;
            assert_eq!(code, exit, "{what} with a key of mode {open:o}: {err}");
            assert!(
                err.contains(file.to_str().unwrap())
                    && err.contains("by others")
                    && err.contains(&format!("mode {open:o}"))
                    && err.contains("chmod 600"),
                "{what} must say which key, why and how to fix it: {err}"
            );
            assert!(
                secrets.iter().all(|s| !out.contains(s) && !err.contains(s)),
                "{what} printed key material while refusing it"
            );
        }
    }

    // Readable by its owner only: the clients get past the key (and fail on the network).
    for private in [0o600, 0o400] {
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(private)).unwrap();
        for (what, args) in [("submit", &submit[..]), ("upload", &upload[..])] {
            let (code, _, err) = run_binary(args).await;
            assert_ne!(code, 0, "{what} reached a server on port 9?");
            assert!(
                !err.contains("by others"),
                "{what} refused a {private:o} key: {err}"
            );
        }
    }
}

/// The database URL's password is a secret too: a server on PostgreSQL logging at `debug`
/// prints it nowhere, neither while it serves nor when it cannot reach the database.
/// (The suite's PostgreSQL trusts local connections, so any password connects.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_password_is_never_printed() {
    let pg = PgDatabase::create().await;
    let password = format!("pw-{}", nonce());
    let with_password = |url: &str| {
        let (scheme, rest) = url.split_once("://").expect("a URL");
        let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://postgres:{password}@{rest}")
    };
    let dir = tempfile::tempdir().unwrap();
    let run = |data: &Path, url: String, out: &Path, err: &Path| {
        Command::new(SERVER_BIN)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0", "--database-url", &url])
            .env("RUST_LOG", "debug")
            .env_remove("SIJILL_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(out).unwrap())
            .stderr(std::fs::File::create(err).unwrap())
            .spawn()
            .expect("start the server")
    };
    let (out, err) = (dir.path().join("pg.out"), dir.path().join("pg.err"));
    let mut child = run(&dir.path().join("data"), with_password(&pg.url), &out, &err);
    let deadline = Instant::now() + PATIENCE;
    let base = loop {
        let printed = std::fs::read_to_string(&out).unwrap_or_default();
        if let Some(addr) = printed
            .lines()
            .find_map(|l| l.strip_prefix("listening on "))
        {
            break addr.trim().to_owned();
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the server stopped: {}",
            std::fs::read_to_string(&err).unwrap_or_default()
        );
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let admin = keys::load(&dir.path().join("data/keys/admin.key")).unwrap();
    let api = Api::connect(base, admin).await;
    api.register_institution("MRP", "Ministère délégué").await;
    let mut answers = api.get("/v1/institutions").await.text();
    answers.push_str(&api.get("/healthz").await.text());
    child.kill().expect("stop the server");
    child.wait().expect("reap the server");

    // A database that does not exist, and a port nobody listens on.
    let (out2, err2) = (dir.path().join("gone.out"), dir.path().join("gone.err"));
    let missing = with_password(&match pg.url.split_once('?') {
        Some((base, query)) => format!("{base}_missing?{query}"),
        None => format!("{}_missing", pg.url),
    });
    let unreachable = format!("postgres://postgres:{password}@127.0.0.1:9/none");
    for (i, url) in [missing, unreachable].into_iter().enumerate() {
        let data = dir.path().join(format!("gone-{i}"));
        let status = run(&data, url, &out2, &err2)
            .wait()
            .expect("the server exits");
        assert!(
            !status.success(),
            "a server without its database must not start"
        );
        let printed =
            std::fs::read_to_string(&out2).unwrap() + &std::fs::read_to_string(&err2).unwrap();
        assert!(
            printed.contains("database"),
            "the refusal says why: {printed}"
        );
        assert!(
            !printed.contains(&password),
            "the refusal printed the password: {printed}"
        );
    }

    let printed = std::fs::read_to_string(&out).unwrap() + &std::fs::read_to_string(&err).unwrap();
    assert!(
        printed.contains("DEBUG"),
        "the server logged at debug level"
    );
    assert!(
        !printed.contains(&password),
        "the server printed its database password"
    );
    assert!(
        !answers.contains(&password),
        "an answer carried the database password"
    );
}
