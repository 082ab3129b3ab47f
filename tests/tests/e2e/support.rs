//! What every end-to-end test stands on: a throwaway database per test, the real server
//! started in this process on port 0 ([`TestApp`]) or as a separate process
//! ([`ServerProcess`]), and a typed HTTP client ([`Api`]) that signs statements the way a
//! user's client does.
//!
//! Nothing here is mocked: the server is `sijill::serve::start` (or the `sijill` main
//! itself), the stores are a real SQLite file and a real PostgreSQL database, and every
//! request travels over TCP.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use client::verify::VerifyOutcome;
use domain::Clock;
use ed25519_dalek::{Signer, SigningKey};
use engine::clock::SystemClock;
use ledger::hash::{sha256, to_hex};
use ledger::statement::document_message;
use ledger::{Auth, Checkpoint, SignedEntry, Statement, Timestamp, VerifierKey};
use rand::RngCore;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sijill::serve::{Running, ServeOptions};
use tempfile::TempDir;

/// The server binary built from this crate: exactly `sijill`'s main.
pub const SERVER_BIN: &str = env!("CARGO_BIN_EXE_sijill-e2e-server");

/// How long any single wait in a test may take before the test fails instead of hanging.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// How long one HTTP request may take. Longer than [`PATIENCE`]: the server under test is
/// a debug build, and a 10 MiB upload on two cores shared with a kill -9 load test has
/// been seen to need more than a minute.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(180);

/// The two stores the server supports. Every scenario that makes sense on both runs on
/// both, through the [`both_backends!`] macro.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes one `#[tokio::test]` per backend for an `async fn name(backend: Backend)`, in a
/// module named after the scenario, so a failure names both the scenario and the store.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------

/// The PostgreSQL server the suite uses: `DATABASE_URL`, else the local default.
pub fn postgres_admin_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `database` (query parameters kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{root}/{database}{query}")
}

/// A PostgreSQL database created for one test and dropped (best effort, with `FORCE`, so
/// a server still connected does not keep it alive) when the value is dropped.
pub struct PgDatabase {
    pub url: String,
    name: String,
    admin_url: String,
}

impl PgDatabase {
    /// Creates `sijill_test_<random>`.
    ///
    /// # Panics
    /// When PostgreSQL cannot be reached: the suite must fail loudly, never skip the
    /// production store.
    pub async fn create() -> Self {
        use sqlx::Connection;
        let admin_url = postgres_admin_url();
        let connect = sqlx::PgConnection::connect(&admin_url);
        let mut conn = match tokio::time::timeout(Duration::from_secs(15), connect).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => panic!(
                "cannot reach PostgreSQL at {admin_url}: {e}. The end-to-end suite needs it \
                 (set DATABASE_URL, or start it: pg_ctlcluster --skip-systemctl-redirect \
                 <version> main start); PostgreSQL tests never skip."
            ),
            Err(_) => panic!(
                "PostgreSQL at {admin_url} did not answer within 15 s; PostgreSQL tests never skip"
            ),
        };
        let name = format!("sijill_test_{:016x}", rand::rngs::OsRng.next_u64());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name} at {admin_url}: {e}"));
        let _ = conn.close().await;
        Self {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on from within; a
        // short-lived thread with its own runtime does the clean-up instead.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                use sqlx::Connection;
                let work = async {
                    let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await
                        .ok()?;
                    conn.close().await.ok()
                };
                let _ = tokio::time::timeout(Duration::from_secs(20), work).await;
            });
        });
        let _ = cleanup.join();
    }
}

/// A fresh store for one test: an SQLite file in the data folder (the server's default)
/// or a new PostgreSQL database.
pub struct Store {
    pub pg: Option<PgDatabase>,
}

impl Store {
    pub async fn new(backend: Backend) -> Self {
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        Self { pg }
    }

    /// The `--database-url` to pass: none for SQLite (the default store in `--data`).
    pub fn database_url(&self) -> Option<String> {
        self.pg.as_ref().map(|p| p.url.clone())
    }

    /// A URL any process can use to reach this store, even with another data folder.
    pub fn shared_url(&self, first_data: &Path) -> String {
        match &self.pg {
            Some(pg) => pg.url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                first_data.join("sijill.db").display()
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Time, keys and statements
// ---------------------------------------------------------------------------------------

/// Milliseconds since the Unix epoch.
pub fn now_millis() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970");
    i64::try_from(since.as_millis()).expect("clock out of range")
}

/// An `issued_at` `offset_ms` away from now.
pub fn issued_at(offset_ms: i64) -> String {
    Timestamp::from_millis(now_millis() + offset_ms).to_entry_string()
}

/// A fresh random nonce, as `sijill submit` makes them.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn new_key() -> SigningKey {
    SigningKey::generate(&mut rand::rngs::OsRng)
}

pub fn public_b64(key: &SigningKey) -> String {
    BASE64.encode(key.verifying_key().as_bytes())
}

/// An HTTP answer: status, raw bytes, and the body as JSON when it is JSON.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub json: Value,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response
            .bytes()
            .await
            .expect("reading a response body")
            .to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Self {
            status,
            content_type,
            bytes,
            json,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Asserts a 201 and returns the body.
    #[track_caller]
    pub fn created(&self) -> &Value {
        assert_eq!(
            self.status,
            StatusCode::CREATED,
            "expected 201, got {}: {}",
            self.status,
            self.text()
        );
        &self.json
    }

    /// Asserts docs/spec/api.md's error shape: this status, a JSON body `{"error", "message"}` with
    /// exactly these two members, this machine code and a non-empty sentence.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status} {code}, got {}: {}",
            self.status,
            self.text()
        );
        self.assert_error_shape();
        assert_eq!(
            self.json["error"],
            code,
            "expected error code {code:?} with {status}, got {}",
            self.text()
        );
    }

    /// Asserts the JSON error shape without fixing the machine code.
    #[track_caller]
    pub fn assert_error_shape(&self) {
        let object = self.json.as_object().unwrap_or_else(|| {
            panic!(
                "a {} error must be a JSON object {{\"error\", \"message\"}}; got content-type \
                 {:?} and body {:?}",
                self.status,
                self.content_type,
                self.text()
            )
        });
        assert!(
            self.content_type.starts_with("application/json"),
            "error content-type is {:?}",
            self.content_type
        );
        assert!(
            object
                .get("error")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
                && object
                    .get("message")
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
                && object.len() == 2,
            "error body must be exactly {{\"error\", \"message\"}}: {}",
            self.text()
        );
    }

    /// The `(index, entry_hash)` of every entry a 201 reports.
    #[track_caller]
    pub fn acks(&self) -> Vec<(u64, String)> {
        self.created()["entries"]
            .as_array()
            .expect("a 201 lists its entries")
            .iter()
            .map(|e| {
                (
                    e["index"].as_u64().expect("index"),
                    e["entry_hash"].as_str().expect("entry_hash").to_owned(),
                )
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------

/// A client of one running server, holding what a user's client knows: the server's
/// address, the log's origin and key, and the genesis administrator's key.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub origin: String,
    pub log_key: VerifierKey,
    pub admin: SigningKey,
}

impl Api {
    /// Connects to `base`, learning the origin and log key from the server itself.
    pub async fn connect(base: String, admin: SigningKey) -> Self {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .pool_max_idle_per_host(64)
            .build()
            .expect("http client");
        let key_text = http
            .get(format!("{base}/v1/log/key"))
            .send()
            .await
            .expect("GET /v1/log/key")
            .text()
            .await
            .expect("log key text");
        let log_key = VerifierKey::parse(key_text.trim()).expect("the log key parses");
        Self {
            base,
            http,
            origin: log_key.name.clone(),
            log_key,
            admin,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Reply {
        // A GET is idempotent: sent again once if the pooled keep-alive connection it went
        // out on was closed by the server (as after refusing an oversized body unread).
        let response = match self.http.get(self.url(path)).send().await {
            Ok(response) => response,
            Err(_) => self
                .http
                .get(self.url(path))
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: {e}")),
        };
        Reply::read(response).await
    }

    /// A statement for this log, issued now, with a fresh nonce.
    pub fn statement(&self, command: &str, stream: &str, body: Value) -> Statement {
        Statement {
            origin: self.origin.clone(),
            command: command.to_owned(),
            stream: stream.to_owned(),
            body,
            issued_at: issued_at(0),
            nonce: nonce(),
        }
    }

    /// Signs a statement for this log with `key`.
    pub fn sign(&self, key: &SigningKey, command: &str, stream: &str, body: Value) -> Auth {
        Auth::sign(self.statement(command, stream, body), key)
    }

    /// Posts raw bytes to `POST /v1/statements` with this content type.
    pub async fn post_statement_bytes(&self, bytes: Vec<u8>, content_type: &str) -> Reply {
        self.try_post_bytes(bytes, content_type)
            .await
            .expect("POST /v1/statements")
    }

    /// Like [`Api::post_statement_bytes`], but a transport failure (a server that was
    /// just killed) is returned rather than failing the test.
    pub async fn try_post_bytes(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<Reply, reqwest::Error> {
        let response = self
            .http
            .post(self.url("/v1/statements"))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response.bytes().await?.to_vec();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            content_type,
            bytes,
            json,
        })
    }

    /// Posts `body` as a public comment on `consultation`: the status and the answer's
    /// JSON (a receipt or a refusal).
    pub async fn post_public_comment(&self, consultation: &str, body: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(&format!("/v1/consultations/{consultation}/comments")))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("POST a public comment");
        let status = response.status().as_u16();
        let text = response.text().await.expect("an answer");
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, json)
    }

    /// Posts a signed statement.
    pub async fn post(&self, auth: &Auth) -> Reply {
        self.post_statement_bytes(auth.to_value().to_string().into_bytes(), "application/json")
            .await
    }

    /// Signs and posts.
    pub async fn submit(
        &self,
        key: &SigningKey,
        command: &str,
        stream: &str,
        body: Value,
    ) -> Reply {
        self.post(&self.sign(key, command, stream, body)).await
    }

    /// Registers an institution as the genesis administrator; asserts the 201.
    pub async fn register_institution(&self, id: &str, name: &str) -> Reply {
        let reply = self
            .submit(
                &self.admin,
                "RegisterInstitution",
                &format!("institution/{id}"),
                json!({"name": name, "kind": "ministry"}),
            )
            .await;
        reply.created();
        reply
    }

    /// Registers an official of `institution` with these roles under a key generated
    /// here, signed by `by`; asserts the 201 and returns the official's key.
    pub async fn register_official(
        &self,
        by: &SigningKey,
        actor_id: &str,
        institution: &str,
        roles: &[&str],
    ) -> SigningKey {
        let key = new_key();
        self.submit(
            by,
            "RegisterActor",
            &format!("registry/{actor_id}"),
            json!({"public_key": public_b64(&key), "name": format!("Official {actor_id}"),
                   "institution": institution, "roles": roles}),
        )
        .await
        .created();
        key
    }

    /// The latest checkpoint, opened with the log key: a test never trusts a size or a
    /// root the log did not sign.
    pub async fn checkpoint(&self) -> (String, Checkpoint) {
        let reply = self.get("/v1/log/checkpoint").await;
        assert_eq!(reply.status, StatusCode::OK, "checkpoint: {}", reply.text());
        let note = reply.text();
        let checkpoint = Checkpoint::open(&note, std::slice::from_ref(&self.log_key))
            .unwrap_or_else(|e| panic!("the served checkpoint does not open: {e}\n{note}"));
        (note, checkpoint)
    }

    /// The log's tree size, from its signed checkpoint.
    pub async fn tree_size(&self) -> u64 {
        self.checkpoint().await.1.size
    }

    /// Entries `start..start+limit` as served (`/v1/log/entries`), one byte string per line.
    pub async fn entry_lines(&self, start: u64, limit: u64) -> Vec<Vec<u8>> {
        let reply = self
            .get(&format!("/v1/log/entries?start={start}&limit={limit}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "entries: {}", reply.text());
        split_lines(&reply.bytes)
    }

    /// Every entry of the log, paging as a mirror would.
    pub async fn all_entries(&self) -> Vec<Vec<u8>> {
        let size = self.tree_size().await;
        let mut lines = Vec::new();
        while (lines.len() as u64) < size {
            let page = self.entry_lines(lines.len() as u64, 1000).await;
            assert!(!page.is_empty(), "the log has no entry {}", lines.len());
            lines.extend(page);
        }
        lines
    }

    /// Uploads a document signed by `key` (`POST /v1/documents`).
    pub async fn upload(&self, key: &SigningKey, bytes: Vec<u8>) -> Reply {
        let digest = to_hex(&sha256(&bytes));
        let sig = key.sign(&document_message(&digest));
        self.upload_with(bytes, &public_b64(key), &BASE64.encode(sig.to_bytes()))
            .await
    }

    /// Uploads with the given header values, for refusals.
    pub async fn upload_with(&self, bytes: Vec<u8>, actor: &str, signature: &str) -> Reply {
        let response = self
            .http
            .post(self.url("/v1/documents"))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header("Sijill-Actor", actor)
            .header("Sijill-Signature", signature)
            .body(bytes)
            .send()
            .await
            .expect("POST /v1/documents");
        Reply::read(response).await
    }

    /// Writes an export of this server into `out` through `sijill export`'s own code.
    pub async fn export(&self, out: &Path) {
        let code = client::submit::export(&self.base, out).await;
        assert_eq!(
            code,
            std::process::ExitCode::SUCCESS,
            "sijill export to {} failed",
            out.display()
        );
    }

    /// Exports into a fresh folder under `parent` and verifies it offline, asserting it
    /// verifies with the size and root of the checkpoint the log serves now (the caller
    /// makes sure nothing is appended meanwhile).
    pub async fn export_and_verify(&self, parent: &Path, name: &str) -> PathBuf {
        let out = parent.join(name);
        self.export(&out).await;
        let (_, checkpoint) = self.checkpoint().await;
        let outcome = verify_folder(&out).await;
        assert_eq!(
            outcome,
            VerifyOutcome::Verified {
                size: checkpoint.size,
                root: checkpoint.root
            },
            "the export does not verify as the checkpoint says"
        );
        out
    }
}

/// Runs `client::verify::verify_export` on a folder, off the async threads.
pub async fn verify_folder(dir: &Path) -> VerifyOutcome {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || client::verify::verify_export(&dir, None, false))
        .await
        .expect("verification thread")
}

/// Non-empty lines of a JSON Lines body, without their line feeds.
pub fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    assert!(
        bytes.is_empty() || bytes.ends_with(b"\n"),
        "JSON Lines end with a line feed"
    );
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Parses and checks one served entry: canonical bytes, log signature valid.
#[track_caller]
pub fn parse_entry(line: &[u8], log_key: &VerifierKey) -> SignedEntry {
    let signed = SignedEntry::parse(line).unwrap_or_else(|e| {
        panic!(
            "served entry does not parse as a canonical entry: {e}: {}",
            String::from_utf8_lossy(line)
        )
    });
    signed.verify(&log_key.key).unwrap_or_else(|e| {
        panic!(
            "served entry {} has a bad log signature: {e}",
            signed.entry.index
        )
    });
    signed
}

// ---------------------------------------------------------------------------------------
// The server in this process
// ---------------------------------------------------------------------------------------

/// The real server (`sijill::serve::start`) on 127.0.0.1:0 with a fresh store and data
/// folder, plus a client of it. Dereferences to [`Api`].
pub struct TestApp {
    pub api: Api,
    /// What the server printed about its keys on start-up.
    pub banner: String,
    running: Running,
    /// Kept for its `Drop`, which removes the test's database.
    _store: Store,
    /// Holds the data folder (keys, SQLite file) and any scratch the test writes.
    pub dir: TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with_origin(backend, None).await
    }

    pub async fn start_with_origin(backend: Backend, origin: Option<&str>) -> Self {
        Self::start_inner(backend, origin, Arc::new(SystemClock)).await
    }

    /// A server whose ledger clock is `clock`: from the genesis on, every `recorded_at`,
    /// every `issued_at` check and every time rule of the domain reads it, so a test can
    /// move through deadlines without waiting for them.
    pub async fn start_with_clock(backend: Backend, clock: Arc<dyn Clock>) -> Self {
        Self::start_inner(backend, None, clock).await
    }

    async fn start_inner(backend: Backend, origin: Option<&str>, clock: Arc<dyn Clock>) -> Self {
        let origin = origin.map(str::to_owned);
        Self::start_configured(backend, clock, |options| options.origin = origin).await
    }

    /// A server on `clock` whose options `configure` changes first (a low rate limit).
    pub async fn start_configured(
        backend: Backend,
        clock: Arc<dyn Clock>,
        configure: impl FnOnce(&mut ServeOptions),
    ) -> Self {
        let store = Store::new(backend).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let mut options = ServeOptions {
            data: data.clone(),
            database_url: store.database_url(),
            listen: "127.0.0.1:0".to_owned(),
            origin: None,
            demo: false,
            public_comments_per_minute: engine::public_channel::DEFAULT_PUBLIC_COMMENTS_PER_MINUTE,
            snapshot_every: engine::event_store::DEFAULT_SNAPSHOT_EVERY,
            persons_key: None,
            persons_epoch_hours: engine::public_channel::persons::DEFAULT_EPOCH_HOURS,
            witnesses: Default::default(),
            trusted_proxies: Vec::new(),
            connections: Default::default(),
        };
        configure(&mut options);
        let running =
            tokio::time::timeout(PATIENCE, sijill::serve::start_with_clock(&options, clock))
                .await
                .expect("the server starts in time")
                .unwrap_or_else(|e| panic!("the server refused to start: {e}"));
        let admin = keys::load(&data.join("keys/admin.key")).expect("admin key");
        let api = Api::connect(format!("http://{}", running.addr), admin).await;
        Self {
            api,
            banner: running.banner.clone(),
            running,
            _store: store,
            dir,
        }
    }

    /// The server's store, for tests that put read-model rows in place themselves.
    pub fn db(&self) -> &store::Db {
        &self.running.service.db
    }

    /// The running service, for tests that look behind the HTTP surface (the
    /// personal-data store).
    pub fn service(&self) -> &engine::service::Service {
        &self.running.service
    }

    /// The `--database-url` of the app's store: none for SQLite, whose file is in its
    /// data folder (`scratch()/data`), as for `sijill serve`.
    pub fn database_url(&self) -> Option<String> {
        self._store.database_url()
    }

    /// A scratch folder for exports and copies, removed with the app.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting requests before the store goes away.
        self.running.server.abort();
    }
}

// ---------------------------------------------------------------------------------------
// The server as a separate process
// ---------------------------------------------------------------------------------------

/// Why a server process did not come up.
#[derive(Debug)]
pub struct StartFailure {
    pub status: Option<ExitStatus>,
    pub stderr: String,
}

/// `sijill-e2e-server serve` running as a child process, with its output in files (so a
/// chatty server can never block on a full pipe).
pub struct ServerProcess {
    child: Child,
    pub base: String,
    /// What the process printed on standard output up to its `listening on` line.
    pub stdout: String,
}

impl ServerProcess {
    /// Starts `serve --data DATA --listen 127.0.0.1:0 [--database-url URL] [--origin O]`
    /// and waits for its `listening on http://ADDR` line.
    pub async fn start(
        data: &Path,
        database_url: Option<&str>,
        origin: Option<&str>,
        logs: &Path,
    ) -> Result<Self, StartFailure> {
        Self::start_with(data, database_url, origin, &[], PATIENCE, logs).await
    }

    /// Like [`ServerProcess::start`], with more arguments (`--demo`) and as long to come
    /// up as `patience` (the demo records its story before it listens).
    pub async fn start_with(
        data: &Path,
        database_url: Option<&str>,
        origin: Option<&str>,
        extra: &[&str],
        patience: Duration,
        logs: &Path,
    ) -> Result<Self, StartFailure> {
        std::fs::create_dir_all(logs).expect("log folder");
        let tag = nonce();
        let out_path = logs.join(format!("serve-{tag}.out"));
        let err_path = logs.join(format!("serve-{tag}.err"));
        let mut command = Command::new(SERVER_BIN);
        command
            .arg("serve")
            .arg("--data")
            .arg(data)
            .arg("--listen")
            .arg("127.0.0.1:0")
            // The suite decides the store; an environment setting must not.
            .env_remove("SIJILL_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out_path).expect("stdout file"))
            .stderr(std::fs::File::create(&err_path).expect("stderr file"));
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        if let Some(origin) = origin {
            command.arg("--origin").arg(origin);
        }
        command.args(extra);
        let mut child = command.spawn().expect("spawn the server binary");
        let deadline = Instant::now() + patience;
        loop {
            let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
            if let Some(addr) = stdout
                .lines()
                .find_map(|l| l.strip_prefix("listening on http://"))
            {
                return Ok(Self {
                    base: format!("http://{}", addr.trim()),
                    child,
                    stdout,
                });
            }
            if let Some(status) = child.try_wait().expect("poll the server process") {
                return Err(StartFailure {
                    status: Some(status),
                    stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
                });
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(StartFailure {
                    status: None,
                    stderr: format!(
                        "no `listening on` line within {patience:?}; stderr: {}",
                        std::fs::read_to_string(&err_path).unwrap_or_default()
                    ),
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Starts a process that must come up.
    pub async fn start_ok(data: &Path, database_url: Option<&str>, logs: &Path) -> Self {
        Self::start(data, database_url, None, logs)
            .await
            .unwrap_or_else(|f| panic!("the server process did not start: {f:?}"))
    }

    /// A client of this process, acting as the administrator whose key is in `admin_from`
    /// (the data folder of the process that recorded the genesis).
    pub async fn api(&self, admin_from: &Path) -> Api {
        let admin = keys::load(&admin_from.join("keys/admin.key")).expect("admin key");
        Api::connect(self.base.clone(), admin).await
    }

    /// SIGTERM, then waits for the process to exit: a clean stop (its clients should have
    /// closed their connections, which a stopping server otherwise waits for).
    pub fn terminate(&mut self) {
        let status = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill -TERM");
        assert!(status.success(), "kill -TERM failed");
        self.child.wait().expect("wait for the server to stop");
    }

    /// `kill -9`: no shutdown, no flush, no goodbye.
    pub fn kill9(&mut self) {
        // std's Child::kill sends SIGKILL on Unix.
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the server binary with these arguments to completion (bounded by [`PATIENCE`]):
/// exit code, stdout, stderr.
pub async fn run_binary(args: &[&str]) -> (i32, String, String) {
    let output = tokio::time::timeout(
        PATIENCE,
        tokio::process::Command::new(SERVER_BIN)
            .args(args)
            .env_remove("SIJILL_DATABASE_URL")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("sijill {args:?} did not finish in time"))
    .expect("run the server binary");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Copies an export folder (files and `documents/`) so each tampering starts clean.
pub fn copy_export(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("documents")).expect("create copy");
    for name in ["entries.jsonl", "checkpoint", "log.pub"] {
        std::fs::copy(from.join(name), to.join(name)).expect("copy export file");
    }
    for doc in std::fs::read_dir(from.join("documents")).expect("documents") {
        let doc = doc.expect("document");
        std::fs::copy(doc.path(), to.join("documents").join(doc.file_name())).expect("copy doc");
    }
}
