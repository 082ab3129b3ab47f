//! `sijill witness`: a C2SP tlog-witness (<https://c2sp.org/tlog-witness>) for Sijill logs,
//! or any log whose checkpoints are Ed25519 signed notes.
//!
//! It serves `POST /add-checkpoint`: the log sends its new checkpoint with a consistency
//! proof from the size the witness last cosigned; the witness checks it
//! ([`ledger::witness::AddCheckpoint::check`]), records it durably ([`state`]), and answers
//! with its tlog-cosignature line. Check and record happen under one lock, so two
//! concurrent requests cannot roll the recorded size back (the race the specification
//! describes). A 409 carries the size it holds as `text/x.tlog.size`; the other refusals
//! use the JSON error format of the rest of Sijill.

pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use ledger::cosignature::{Cosigner, CosignerKey};
use ledger::witness::{AddCheckpoint, Refusal};
use ledger::VerifierKey;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use serde_json::json;
use state::StateDir;

/// The name a witness signs under unless `--name` says otherwise.
pub const DEFAULT_WITNESS_NAME: &str = "sijill.local/witness";

/// A request body larger than this is no checkpoint with 63 proof lines.
pub use ledger::limits::MAX_WITNESS_BODY_BYTES as MAX_REQUEST_BYTES;

/// Options of `sijill witness`.
#[derive(Clone, Debug)]
pub struct WitnessOptions {
    /// Address to listen on (port 0 picks one).
    pub listen: String,
    /// The witness's private key file (created, mode 0600, if missing).
    pub key: PathBuf,
    /// The witness's name, part of its key ID and of every cosignature line.
    pub name: String,
    /// Note verifier key strings of the logs it witnesses (the key name is the origin).
    pub log_keys: Vec<String>,
    /// Folder of its durable state.
    pub state: PathBuf,
}

/// A started witness.
pub struct RunningWitness {
    pub addr: SocketAddr,
    /// The witness's verifier key, to give to `serve --witness` and `verify --witness`.
    pub verifier: CosignerKey,
    pub server: JoinHandle<std::io::Result<()>>,
}

struct Witness {
    cosigner: Cosigner,
    log_keys: Vec<VerifierKey>,
    state: StateDir,
    /// Held from reading the latest size to recording the new one.
    lock: Mutex<()>,
}

/// Starts a witness and returns once it accepts requests.
///
/// # Errors
/// A sentence: an unreadable or too open key file, a malformed log key or name, a state
/// folder that cannot be created, an address that cannot be bound.
pub async fn start(options: &WitnessOptions) -> Result<RunningWitness, String> {
    if options.log_keys.is_empty() {
        return Err("give at least one --log-key".to_owned());
    }
    let log_keys = options
        .log_keys
        .iter()
        .map(|k| VerifierKey::parse(k).map_err(|e| format!("--log-key {k}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let key = if options.key.exists() {
        keys::load(&options.key)
    } else {
        keys::generate(&options.key)
    }
    .map_err(|e| e.to_string())?;
    let cosigner = Cosigner::new(&options.name, key).map_err(|e| format!("--name: {e}"))?;
    let verifier = cosigner.verifier();
    let witness = Arc::new(Witness {
        cosigner,
        log_keys,
        state: StateDir::open(&options.state)?,
        lock: Mutex::new(()),
    });
    let listener = TcpListener::bind(&options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let app = router(witness);
    // The same timeouts and connection cap as `sijill serve`'s defaults; it stops when the
    // process does.
    let server = tokio::spawn(connections::serve(
        listener,
        app,
        connections::ConnectionLimits::default(),
        std::future::pending(),
    ));
    Ok(RunningWitness {
        addr,
        verifier,
        server,
    })
}

/// `sijill witness`: start, print the witness key and address, serve until stopped.
pub async fn run(options: WitnessOptions) -> ExitCode {
    let running = match start(&options).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sijill witness: {e}");
            return ExitCode::from(1);
        }
    };
    println!(
        "witness key: {} ({})\nlistening on http://{}",
        running.verifier,
        options.key.display(),
        running.addr
    );
    match running.server.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("sijill witness: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("sijill witness: {e}");
            ExitCode::from(1)
        }
    }
}

fn router(witness: Arc<Witness>) -> Router {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such resource") })
        .with_state(witness)
}

async fn add_checkpoint(
    State(witness): State<Arc<Witness>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body exceeds this route's limit",
            )
        }
        Err(rejection) => {
            return error(
                StatusCode::BAD_REQUEST,
                "unreadable_body",
                &rejection.body_text(),
            )
        }
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            "the body is not UTF-8",
        );
    };
    let request = match AddCheckpoint::parse(text) {
        Ok(r) => r,
        Err(refusal) => return refused(&refusal),
    };
    let _held = witness.lock.lock().await;
    let mut unreadable = None;
    let decision = request.check(&witness.log_keys, |origin| {
        witness.state.latest(origin).unwrap_or_else(|e| {
            unreadable = Some(e);
            None
        })
    });
    if let Some(e) = unreadable {
        // Never treat lost memory as "nothing cosigned yet": that would allow a rollback.
        tracing::error!("witness state: {e}");
        return internal(&e);
    }
    let checkpoint = match decision {
        Ok(c) => c,
        Err(refusal) => {
            tracing::warn!(%refusal, "add-checkpoint refused");
            return refused(&refusal);
        }
    };
    if let Err(e) = witness.state.record(&checkpoint) {
        tracing::error!("witness state: {e}");
        return internal(&e);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match witness.cosigner.cosign(&checkpoint.body(), now) {
        Ok(cosignature) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", cosignature.to_line()),
        )
            .into_response(),
        Err(e) => internal(&e),
    }
}

/// The answer of a refusal, with the status tlog-witness gives it.
fn refused(refusal: &Refusal) -> Response {
    if let Some(latest) = refusal.latest_size() {
        return (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, "text/x.tlog.size")],
            format!("{latest}\n"),
        )
            .into_response();
    }
    let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let code = match refusal {
        Refusal::Malformed(_) | Refusal::OldSizeTooLarge { .. } => "malformed_request",
        Refusal::UnknownLog(_) => "unknown_log",
        Refusal::Unsigned(_) => "bad_log_signature",
        Refusal::InvalidProof(_) => "invalid_consistency_proof",
        Refusal::SizeMismatch { .. } | Refusal::RootMismatch { .. } => "conflict",
    };
    error(status, code, &refusal.to_string())
}

/// An answer in the JSON error format of the rest of Sijill (docs/spec/api.md).
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": code, "message": message})),
    )
        .into_response()
}

/// 500: the detail goes to the witness's log only.
fn internal(detail: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %detail, "internal error");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error",
    )
}
