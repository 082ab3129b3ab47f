//! Backup and restore (docs/backup-restore.md): a consultation with public
//! comments is exported, its personal-data store backed up, and both are brought back
//! into a fresh store of the OTHER backend (SQLite -> PostgreSQL, PostgreSQL -> SQLite)
//! with the `sijill` binary. The restored server serves the same checkpoint and the same
//! read models, takes new writes, still refuses old nonces, answers a comment's retry with
//! its original receipt, keeps erased persons erased and can erase the others. `import`
//! refuses a tampered export, a foreign log key and a store that is not empty, and leaves
//! the store empty; `replay` rebuilds read models identical to the ones a server built.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

use domain::Clock;
use ledger::{Auth, Statement};
use serde_json::{json, Value};
use sijill::serve::ServeOptions;
use sqlx::Row;
use store::Db;

use crate::public_channel::{person_of, Consultation, CONSULTATION, STREAM};
use crate::support::{copy_export, run_binary, Api, Backend, Store};

both_backends!(an_export_and_a_persons_backup_bring_the_server_back);

const NADIA: &str = "nadia.alaoui@exemple.ma";

/// `--data DATA [--database-url URL]`.
fn store_args(data: &Path, url: Option<&str>) -> Vec<String> {
    let mut args = vec!["--data".to_owned(), data.display().to_string()];
    if let Some(url) = url {
        args.extend(["--database-url".to_owned(), url.to_owned()]);
    }
    args
}

async fn sijill(command: &str, first: &[&str], store: &[String]) -> (i32, String, String) {
    let mut args: Vec<&str> = vec![command];
    args.extend_from_slice(first);
    args.extend(store.iter().map(String::as_str));
    run_binary(&args).await
}

/// A data folder holding only the log key of `from`: what an operator keeps apart.
fn data_with_log_key(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("keys")).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::copy(from.join("keys/log.key"), to.join("keys/log.key")).unwrap();
}

async fn open_db(url: &str) -> Db {
    Db::open(url, 2).await.expect("open the store")
}

/// A person's data: (a comment's wrapped key, its name ciphertext, the erasure marker).
async fn person_row(db: &Db, person: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>, Option<String>) {
    let row = sqlx::query("SELECT comment_key, name_ct FROM person_comments WHERE person_ref = $1")
        .bind(person.to_owned())
        .fetch_optional(db.raw_pool())
        .await
        .expect("the person's comments");
    let (key, name) = match row {
        Some(r) => (r.try_get(0).unwrap(), r.try_get(1).unwrap()),
        None => (None, None),
    };
    let erased_at = sqlx::query("SELECT erased_at FROM persons WHERE person_ref = $1")
        .bind(person.to_owned())
        .fetch_optional(db.raw_pool())
        .await
        .expect("the person's marker")
        .and_then(|r| r.try_get(0).unwrap());
    (key, name, erased_at)
}

/// Posts a public comment to a server; the reply's status and JSON.
async fn comment(api: &Api, body: &Value) -> (u16, Value) {
    let response = api
        .http
        .post(api.url(&format!("/v1/consultations/{CONSULTATION}/comments")))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST comments");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn an_export_and_a_persons_backup_bring_the_server_back(backend: Backend) {
    // --- The log to bring back: a consultation, two public comments, a signed statement
    // whose nonce must stay used, a persons backup, then an erasure the backup predates.
    let c = Consultation::open(backend, 1000).await;
    let nadia_comment = json!({"text": "Je propose un délai de soixante jours.", "article": "art-1",
        "author_name": "Nadia Alaoui", "author_email": NADIA, "client_token": "tok-nadia"});
    let (nadia, _) = c.accepted(&nadia_comment).await;
    let (omar, _) = c
        .accepted(&json!({"text": "D'accord avec le texte.", "article": null,
                          "author_name": "Omar", "author_email": "omar@exemple.ma"}))
        .await;
    let kept = c.sign(
        &c.admin,
        "RegisterInstitution",
        "institution/MSP",
        json!({"name": "Ministère de la Santé", "kind": "ministry"}),
    );
    let first_answer = c.post(&kept).await;
    assert_eq!(first_answer.status.as_u16(), 201, "{}", first_answer.text());

    let source_data = c.scratch().join("data");
    let source_url = c.database_url();
    let source_store = store_args(&source_data, source_url.as_deref());
    let backup = c.scratch().join("persons.backup");
    let backup_arg = backup.display().to_string();
    let (code, out, err) = sijill("persons-backup", &["--out", &backup_arg], &source_store).await;
    assert_eq!(code, 0, "persons-backup: {out}{err}");
    assert!(out.contains("backed up 2 persons"), "{out}");
    let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the backup is private");
    let sealed = std::fs::read(&backup).unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains(&person_of(&nadia)),
        "nothing readable in the backup file"
    );
    let (code, out, _) = sijill("persons-backup", &["--out", &backup_arg], &source_store).await;
    assert_eq!(code, 2, "a backup never overwrites a file: {out}");

    c.accept(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": person_of(&omar), "reason": "Demande de l'intéressé (loi 09-08)"}),
        "PersonalDataErased",
    )
    .await;
    let export = c.export_and_verify(c.scratch(), "export").await;
    let export_arg = export.display().to_string();
    let (source_note, source_checkpoint) = c.checkpoint().await;

    // --- A fresh store of the other backend, and a data folder with only the log key.
    let target_backend = match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let target = Store::new(target_backend).await;
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    data_with_log_key(&source_data, &data);
    let target_url = target.shared_url(&data);
    let target_store = store_args(&data, target.database_url().as_deref());

    // A tampered export is refused with the verifier's line, and nothing is written.
    let tampered = work.path().join("tampered");
    copy_export(&export, &tampered);
    let entries = std::fs::read_to_string(tampered.join("entries.jsonl")).unwrap();
    std::fs::write(
        tampered.join("entries.jsonl"),
        entries.replacen("Ministère de la Santé", "Ministère de la Sante", 1),
    )
    .unwrap();
    let (code, out, err) =
        sijill("import", &[&tampered.display().to_string()], &target_store).await;
    assert_eq!(code, 1, "a tampered export: {out}{err}");
    assert!(out.starts_with("index "), "the verifier's line: {out}");

    // Another log key is refused before anything is read into the store.
    let stranger = work.path().join("stranger");
    std::fs::create_dir_all(stranger.join("keys")).unwrap();
    let stranger_key = stranger.join("keys/log.key").display().to_string();
    assert_eq!(run_binary(&["keygen", "--out", &stranger_key]).await.0, 0);
    let (code, _, err) = sijill(
        "import",
        &[&export_arg],
        &store_args(&stranger, target.database_url().as_deref()),
    )
    .await;
    assert_eq!(code, 2, "another log key: {err}");
    assert!(err.contains("log key"), "{err}");

    // The real import: still an empty store after the refusals, so it is accepted.
    let (code, out, err) = sijill("import", &[&export_arg], &target_store).await;
    assert_eq!(code, 0, "import: {out}{err}");
    assert!(
        out.contains(&format!("imported {} entries", source_checkpoint.size)),
        "{out}"
    );
    assert!(out.contains("identical to the export's"), "{out}");
    let (code, _, err) = sijill("import", &[&export_arg], &target_store).await;
    assert_eq!(code, 2, "a second import into the same store: {err}");
    assert!(err.contains("not empty"), "{err}");

    // A persons backup opens only under its personal-data secret, with its epoch key file.
    let backup_from = ["--from", backup_arg.as_str()];
    let (code, _, err) = sijill("persons-restore", &backup_from, &target_store).await;
    assert_eq!(code, 2, "no personal-data secret: {err}");
    assert!(err.contains("persons.secret"), "{err}");
    for file in ["persons.secret", "persons.secret.epoch"] {
        std::fs::copy(source_data.join(file), data.join(file)).unwrap();
    }
    let (code, out, err) = sijill("persons-restore", &backup_from, &target_store).await;
    assert_eq!(code, 0, "persons-restore: {out}{err}");
    assert!(out.contains("(1 erased by the log)"), "{out}");

    // Omar's erasure came after the backup: he stays erased.
    let db = open_db(&target_url).await;
    let (key, name, erased_at) = person_row(&db, &person_of(&omar)).await;
    assert!(key.is_none() && name.is_none() && erased_at.is_some());
    let (key, name, erased_at) = person_row(&db, &person_of(&nadia)).await;
    assert!(key.is_some() && name.is_some() && erased_at.is_none());

    // --- The restored server, on the same ledger clock as the story.
    let clock: Arc<dyn Clock> = c.clock.clone();
    let options = ServeOptions {
        data: data.clone(),
        database_url: target.database_url(),
        listen: "127.0.0.1:0".to_owned(),
        origin: None,
        demo: false,
        public_comments_per_minute: 1000,
        snapshot_every: engine::event_store::DEFAULT_SNAPSHOT_EVERY,
        persons_key: None,
        persons_epoch_hours: engine::public_channel::persons::DEFAULT_EPOCH_HOURS,
        witnesses: Default::default(),
        trusted_proxies: Vec::new(),
        connections: Default::default(),
    };
    let running = sijill::serve::start_with_clock(&options, clock)
        .await
        .unwrap_or_else(|e| panic!("the restored server refused to start: {e}"));
    let restored = Api::connect(format!("http://{}", running.addr), c.admin.clone()).await;
    assert_eq!(
        restored.checkpoint().await.0,
        source_note,
        "the same checkpoint"
    );

    // The same read models, through the API and row for row in the views.
    for path in [
        "/v1/consultations",
        &format!("/v1/consultations/{CONSULTATION}"),
        "/v1/drafts",
        "/v1/institutions",
        "/v1/actors",
        "/v1/offers",
        "/v1/indicators",
        "/v1/exports/comments.csv",
    ] {
        let (before, after) = (c.get(path).await, restored.get(path).await);
        assert_eq!(after.status.as_u16(), 200, "{path}: {}", after.text());
        assert_eq!(before.text(), after.text(), "{path}");
    }
    assert_eq!(
        c.db().views_digest().await.unwrap(),
        db.views_digest().await.unwrap(),
        "the same read-model rows"
    );
    let page = restored
        .get(&format!("/v1/consultations/{CONSULTATION}"))
        .await
        .text();
    assert!(
        page.contains("Nadia Alaoui") && !page.contains("Omar"),
        "{page}"
    );

    // A comment's retry gets its original receipt and appends nothing.
    let size = restored.tree_size().await;
    let (status, receipt) = comment(&restored, &nadia_comment).await;
    assert!(status == 200 || status == 201, "{status} {receipt}");
    assert_eq!(receipt, nadia, "the original receipt");
    assert_eq!(restored.tree_size().await, size);
    // An old statement: an identical retry gets its original answer, a new statement with
    // its nonce is a replay.
    let again = restored.post(&kept).await;
    assert_eq!(again.text(), first_answer.text());
    assert_eq!(restored.tree_size().await, size);
    let fresh_statement = c.sign(
        &c.admin,
        "RegisterInstitution",
        "institution/MEN",
        json!({"name": "Ministère de l'Éducation nationale", "kind": "ministry"}),
    );
    let replay = Auth::sign(
        Statement {
            nonce: kept.statement.nonce.clone(),
            ..fresh_statement.statement
        },
        &c.admin,
    );
    restored
        .post(&replay)
        .await
        .assert_error(409, "nonce_reused");

    // New writes are accepted after the imported log.
    let (status, fresh) = comment(
        &restored,
        &json!({"text": "Une précision.", "article": null, "author_name": "Salma"}),
    )
    .await;
    assert_eq!(status, 201, "{fresh}");
    assert_eq!(fresh["index"], size);

    // The restored personal data can still be erased.
    let erase = c.sign(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": person_of(&nadia), "reason": "Demande de l'intéressée (loi 09-08)"}),
    );
    let erased = restored.post(&erase).await;
    assert_eq!(erased.status.as_u16(), 201, "{}", erased.text());
    let (key, name, erased_at) = person_row(&db, &person_of(&nadia)).await;
    assert!(key.is_none() && name.is_none() && erased_at.is_some());
    let page = restored
        .get(&format!("/v1/consultations/{CONSULTATION}"))
        .await
        .text();
    assert!(!page.contains("Nadia"), "{page}");
    running.server.abort();

    // --- replay on a store no server ever ran on: an import of the same export into the
    // source's backend. Its read models come out as the source server built them, and a
    // second replay changes nothing.
    let second = Store::new(backend).await;
    let data2 = work.path().join("data2");
    data_with_log_key(&source_data, &data2);
    let second_store = store_args(&data2, second.database_url().as_deref());
    let (code, out, err) = sijill("import", &[&export_arg], &second_store).await;
    assert_eq!(code, 0, "import: {out}{err}");
    let (code, out, err) = sijill("replay", &[], &second_store).await;
    assert_eq!(code, 0, "replay: {out}{err}");
    assert!(out.starts_with("read models before: 0 rows"), "{out}");
    let source_digest = c.db().views_digest().await.unwrap();
    assert!(source_digest.rows > 0);
    assert!(
        out.contains(&format!(
            "read models after: {} rows, digest {}",
            source_digest.rows, source_digest.digest
        )),
        "replayed read models equal the source's {source_digest:?}: {out}"
    );
    let (code, out, err) = sijill("replay", &[], &second_store).await;
    assert_eq!(code, 0, "replay: {out}{err}");
    assert!(out.contains("(unchanged)"), "{out}");
}

both_backends!(replay_rebuilds_the_demo_read_models_row_for_row);

/// `sijill serve --demo` records about a thousand statements; once the server is stopped,
/// `replay` deletes its read models and rebuilds them from the log, and every row of every
/// view is the same as the running server had built (read here straight from the table,
/// not only through the command's digest).
async fn replay_rebuilds_the_demo_read_models_row_for_row(backend: Backend) {
    let store = Store::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let url = store.database_url();
    let mut server = crate::support::ServerProcess::start_with(
        &data,
        url.as_deref(),
        None,
        &["--demo"],
        std::time::Duration::from_secs(300),
        &logs,
    )
    .await
    .unwrap_or_else(|f| panic!("the demo server did not start: {f:?}"));
    // Every read model includes the whole log once a read answers.
    let api = server.api(&data).await;
    let size = api.tree_size().await;
    assert_eq!(api.get("/v1/offers").await.status.as_u16(), 200);
    server.kill9();

    let db = open_db(&store.shared_url(&data)).await;
    let rows = || async {
        sqlx::query("SELECT view_name, view_id, payload FROM views")
            .fetch_all(db.raw_pool())
            .await
            .unwrap()
            .iter()
            .map(|r| {
                let (name, id, payload): (String, String, String) = (r.get(0), r.get(1), r.get(2));
                ((name, id), payload)
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = rows().await;
    assert!(before.len() > 100, "the demo fills the read models");

    let (code, out, err) = sijill("replay", &[], &store_args(&data, url.as_deref())).await;
    assert_eq!(code, 0, "replay: {out}{err}");
    assert!(out.contains(&format!("replayed {size} entries")), "{out}");
    assert!(out.contains("(unchanged)"), "{out}");
    let after = rows().await;
    assert_eq!(before.len(), after.len());
    for (key, payload) in &before {
        assert_eq!(Some(payload), after.get(key), "row {key:?}");
    }
}
