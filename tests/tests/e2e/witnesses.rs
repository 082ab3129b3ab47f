//! Witnesses and offline proofs: a real `sijill witness` refuses a forked
//! checkpoint and, after a restart, a rollback, with the statuses of C2SP tlog-witness; a
//! server with two witnesses and a quorum of 2 serves a checkpoint both cosigned; `verify
//! --witness` and `verify-proof` accept and refuse what they should, with no network.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::SigningKey;
use engine::clock::SystemClock;
use engine::cosigning::{WitnessPolicy, WitnessTarget};
use ledger::cosignature::{open_cosigned, Cosignature, CosignerKey};
use ledger::hash::Hash;
use ledger::merkle::{consistency_from_leaves, leaf_hash, root_from_leaves};
use ledger::note::NoteSigner;
use ledger::witness::AddCheckpoint;
use ledger::{Checkpoint, VerifierKey};
use witness::{RunningWitness, WitnessOptions};

use crate::support::{run_binary, Backend, TestApp};

/// How long the background task may take to gather cosignatures.
const COSIGNING_PATIENCE: Duration = Duration::from_secs(30);

pub async fn start_witness(dir: &Path, name: &str, log_keys: &[String]) -> RunningWitness {
    witness::start(&WitnessOptions {
        listen: "127.0.0.1:0".to_owned(),
        key: dir.join(format!("{name}.key")),
        name: name.to_owned(),
        log_keys: log_keys.to_vec(),
        state: dir.join(format!("{name}-state")),
    })
    .await
    .unwrap_or_else(|e| panic!("the witness refused to start: {e}"))
}

/// Leaf hashes of a log of `n` entries; from `fork` on, another history.
fn leaves(n: usize, fork: Option<usize>) -> Vec<Hash> {
    (0..n)
        .map(|i| {
            let other = fork.is_some_and(|f| i >= f);
            leaf_hash(format!("entry {i} {}", if other { "forked" } else { "" }).as_bytes())
        })
        .collect()
}

fn checkpoint_note(log: &NoteSigner, leaves: &[Hash]) -> String {
    Checkpoint {
        origin: log.name().to_owned(),
        size: leaves.len() as u64,
        root: root_from_leaves(leaves),
    }
    .sign(log)
    .unwrap()
}

/// Posts add-checkpoint for the log of `leaves`, claiming the witness holds `old`:
/// status, content type, body.
async fn add_checkpoint(
    witness: &RunningWitness,
    log: &NoteSigner,
    leaves: &[Hash],
    old: usize,
) -> (u16, String, String) {
    let body = AddCheckpoint {
        old_size: old as u64,
        proof: if old == 0 || old == leaves.len() {
            Vec::new()
        } else {
            consistency_from_leaves(leaves, old as u64)
        },
        checkpoint: checkpoint_note(log, leaves),
    }
    .to_body();
    post_raw(witness, body).await
}

async fn post_raw(witness: &RunningWitness, body: String) -> (u16, String, String) {
    let response = reqwest::Client::new()
        .post(format!("http://{}/add-checkpoint", witness.addr))
        .body(body)
        .send()
        .await
        .expect("the witness answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_refuses_a_forked_checkpoint_and_a_rollback_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::new("fork.test/log", SigningKey::from_bytes(&[5; 32]));
    let log_keys = [log.verifier().to_string()];
    let witness = start_witness(dir.path(), "w.test", &log_keys).await;
    let honest = leaves(10, None);
    // A second log under the same key: the same first 6 entries, then others.
    let fork = leaves(10, Some(6));

    let (status, _, body) = add_checkpoint(&witness, &log, &honest[..5], 0).await;
    assert_eq!(status, 200, "{body}");
    let cosignature = Cosignature::parse_line(body.trim_end()).expect("a cosignature line");
    let body_text = Checkpoint {
        origin: "fork.test/log".into(),
        size: 5,
        root: root_from_leaves(&honest[..5]),
    }
    .body();
    cosignature
        .verify(&witness.verifier, &body_text)
        .expect("it verifies with the witness's key");
    let (status, _, body) = add_checkpoint(&witness, &log, &honest[..8], 5).await;
    assert_eq!(status, 200, "{body}");

    // The fork, grown past what the witness holds: its proof does not lead from the
    // witness's root. 422.
    let (status, _, body) = add_checkpoint(&witness, &log, &fork, 8).await;
    assert_eq!(status, 422, "a fork's consistency proof is refused: {body}");
    // The fork at the very size the witness holds: another root. 409 with the size.
    let (status, content_type, body) = add_checkpoint(&witness, &log, &fork[..8], 8).await;
    assert_eq!(
        (status, content_type.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "8\n")
    );

    // Restart the witness on the same state folder and key.
    witness.server.abort();
    let _ = witness.server.await;
    let restarted = start_witness(dir.path(), "w.test", &log_keys).await;
    assert_eq!(
        restarted.verifier, witness.verifier,
        "same key after a restart"
    );
    // A rollback to 5 is refused: it remembers 8.
    let (status, content_type, body) = add_checkpoint(&restarted, &log, &honest[..5], 0).await;
    assert_eq!(
        (status, content_type.as_str(), body.as_str()),
        (409, "text/x.tlog.size", "8\n")
    );
    let (status, _, body) = add_checkpoint(&restarted, &log, &honest[..5], 5).await;
    assert_eq!((status, body.as_str()), (409, "8\n"));
    // The honest log goes on.
    let (status, _, body) = add_checkpoint(&restarted, &log, &honest, 8).await;
    assert_eq!(status, 200, "{body}");

    // The other refusals.
    let stranger = NoteSigner::new("other.test/log", SigningKey::from_bytes(&[5; 32]));
    let (status, _, _) = add_checkpoint(&restarted, &stranger, &honest, 0).await;
    assert_eq!(status, 404, "unknown log");
    let impostor = NoteSigner::new("fork.test/log", SigningKey::from_bytes(&[6; 32]));
    let (status, _, _) = add_checkpoint(&restarted, &impostor, &honest, 10).await;
    assert_eq!(status, 403, "not signed by the log's key");
    let (status, _, body) = post_raw(&restarted, "old x\n\nnothing".to_owned()).await;
    assert_eq!(status, 400, "{body}");
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error"], "malformed_request");
}

/// Writes `key` as the log key a server will find in `data` at its first start.
pub fn place_log_key(data: &Path, key: &SigningKey) {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let keys = data.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o700)).unwrap();
    let pem = key.to_pkcs8_pem(Default::default()).unwrap();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(keys.join("log.key"))
        .unwrap();
    std::io::Write::write_all(&mut file, pem.as_bytes()).unwrap();
}

both_backends!(a_server_with_two_witnesses_serves_cosigned_checkpoints_and_proof_files);

async fn a_server_with_two_witnesses_serves_cosigned_checkpoints_and_proof_files(backend: Backend) {
    let witness_dir = tempfile::tempdir().unwrap();
    let log_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let log_verifier = VerifierKey::new("sijill.local/ledger", log_key.verifying_key());
    let log_keys = [log_verifier.to_string()];
    let w1 = start_witness(witness_dir.path(), "w1.test", &log_keys).await;
    let w2 = start_witness(witness_dir.path(), "w2.test", &log_keys).await;
    let targets: Vec<WitnessTarget> = [&w1, &w2]
        .iter()
        .map(|w| format!("http://{}={}", w.addr, w.verifier).parse().unwrap())
        .collect();
    let app = TestApp::start_configured(backend, Arc::new(SystemClock), |options| {
        place_log_key(&options.data, &log_key);
        options.witnesses = WitnessPolicy {
            witnesses: targets,
            quorum: Some(2),
        };
    })
    .await;
    assert!(app.banner.contains(&log_verifier.to_string()));
    app.register_institution("MIN-1", "Ministère de la Jeunesse")
        .await;
    app.register_institution("MIN-2", "Ministère de la Culture")
        .await;
    let size = app.tree_size().await;

    // The checkpoint served gains both cosignatures, the log's signature first.
    let trusted = [w1.verifier.clone(), w2.verifier.clone()];
    let deadline = Instant::now() + COSIGNING_PATIENCE;
    let note = loop {
        let note = app.get("/v1/log/checkpoint").await.text();
        let opened = open_cosigned(&note, std::slice::from_ref(&log_verifier), &trusted)
            .expect("a valid checkpoint with valid cosignatures");
        if opened.checkpoint.size == size && opened.witnesses.len() == 2 {
            break note;
        }
        assert!(
            Instant::now() < deadline,
            "the witnesses' cosignatures never showed: {note}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let signature_lines: Vec<&str> = note.lines().filter(|l| l.starts_with('\u{2014}')).collect();
    assert_eq!(signature_lines.len(), 3);
    assert!(signature_lines[0].starts_with("\u{2014} sijill.local/ledger "));
    // The tlog-tiles path serves the same cosigned note, so mirrors keep it.
    assert_eq!(app.get("/log/checkpoint").await.text(), note);

    // verify --witness: the export's checkpoint carries the quorum.
    let out = app.scratch().join("export");
    app.export(&out).await;
    let dir = out.to_str().unwrap();
    let (w1_key, w2_key) = (w1.verifier.to_string(), w2.verifier.to_string());
    let (code, stdout, stderr) = run_binary(&[
        "verify",
        dir,
        "--witness",
        &w1_key,
        "--witness",
        &w2_key,
        "--quorum",
        "2",
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with(&format!("verified {size} entries, root ")));
    // A third witness that never saw this log: the default quorum (3) is not met.
    let w3 = sijill_cosigner_key(33);
    let (code, stdout, _) = run_binary(&[
        "verify",
        dir,
        "--witness",
        &w1_key,
        "--witness",
        &w2_key,
        "--witness",
        &w3,
    ])
    .await;
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!("index {size}: checkpoint: 2 valid witness cosignatures, 3 required\n")
    );
    let (code, _, _) = run_binary(&["verify", dir, "--witness", &w3, "--quorum", "1"]).await;
    assert_eq!(code, 1);
    let (code, _, _) = run_binary(&[
        "verify",
        dir,
        "--witness",
        &w3,
        "--witness",
        &w1_key,
        "--quorum",
        "1",
    ])
    .await;
    assert_eq!(code, 0, "one of the two given is enough for a quorum of 1");

    // prove, then verify-proof with no server.
    let proof = app.scratch().join("proof.json");
    let proof_path = proof.to_str().unwrap();
    let (code, stdout, stderr) = run_binary(&[
        "prove",
        "--server",
        &app.url(""),
        "--index",
        "1",
        "--out",
        proof_path,
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let log_key_text = log_verifier.to_string();
    let (code, stdout, stderr) = run_binary(&[
        "verify-proof",
        proof_path,
        "--log-key",
        &log_key_text,
        "--witness",
        &w1_key,
        "--witness",
        &w2_key,
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.starts_with("verified entry 1 (entry_hash ")
            && stdout.contains(&format!("in the checkpoint of size {size}, root "))
            && stdout.ends_with("cosigned by 2 of 2 trusted witnesses\n"),
        "{stdout}"
    );
    // A witness the file has no cosignature of: quorum not met.
    let (code, stdout, _) = run_binary(&[
        "verify-proof",
        proof_path,
        "--log-key",
        &log_key_text,
        "--witness",
        &w3,
    ])
    .await;
    assert_eq!(
        (code, stdout.as_str()),
        (1, "checkpoint: 0 valid witness cosignatures, 1 required\n")
    );
    // A tampered file: the entry's name changed.
    let text = std::fs::read_to_string(&proof).unwrap();
    let tampered = app.scratch().join("tampered.json");
    std::fs::write(&tampered, text.replace("Jeunesse", "Jeunesses")).unwrap();
    assert_ne!(std::fs::read_to_string(&tampered).unwrap(), text);
    let (code, stdout, _) = run_binary(&[
        "verify-proof",
        tampered.to_str().unwrap(),
        "--log-key",
        &log_key_text,
    ])
    .await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.starts_with("entry: "), "{stdout}");

    // An entry the log does not have yet.
    let reply = app.get(&format!("/v1/log/proof/bundle?index={size}")).await;
    reply.assert_error(404, "not_found");
}

/// The witness key string of a witness nobody runs.
fn sijill_cosigner_key(seed: u8) -> String {
    CosignerKey::new(
        "w3.test",
        SigningKey::from_bytes(&[seed; 32]).verifying_key(),
    )
    .to_string()
}
