//! The background task that asks witnesses to cosign each new checkpoint.

use std::sync::Arc;
use std::time::Duration;

use ledger::cosignature::Cosignature;
use ledger::merkle;
use ledger::note::split_note;
use ledger::witness::{parse_decimal, AddCheckpoint};
use ledger::Checkpoint;

use super::{WitnessPolicy, WitnessTarget};
use crate::service::Service;

/// How often the task looks again without being woken: retries witnesses that failed and
/// notices appends by other processes.
const RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// How long one witness may take to answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What this process knows of one witness.
struct Peer {
    target: WitnessTarget,
    /// The size it last cosigned, as far as we know (`None`: never asked).
    size: Option<u64>,
    /// Its cosignature line for the checkpoint whose note text is the first member.
    line: Option<(String, String)>,
}

/// Starts the task if the policy names witnesses.
pub fn start(service: Arc<Service>, policy: WitnessPolicy) {
    if policy.witnesses.is_empty() {
        return;
    }
    tokio::spawn(run(service, policy));
}

async fn run(service: Arc<Service>, policy: WitnessPolicy) {
    let quorum = policy.quorum();
    let mut peers: Vec<Peer> = policy
        .witnesses
        .into_iter()
        .map(|target| Peer {
            target,
            size: None,
            line: None,
        })
        .collect();
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("sijill/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    let mut sizes = service.sequencer.watch();
    loop {
        if let Err(e) = round(&service, &client, &mut peers, quorum).await {
            tracing::warn!(error = %e, "asking witnesses failed; will retry");
        }
        tokio::select! {
            changed = sizes.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(RETRY_INTERVAL) => {}
        }
    }
}

/// Asks every witness that has not cosigned the latest checkpoint yet, then publishes
/// what was collected.
async fn round(
    service: &Service,
    client: &reqwest::Client,
    peers: &mut [Peer],
    quorum: usize,
) -> Result<(), String> {
    let (_, note) = service.db.state().await.map_err(|e| e.to_string())?;
    let Some(note) = note else {
        return Ok(());
    };
    let (text, _) = split_note(&note).map_err(|e| e.to_string())?;
    let checkpoint = Checkpoint::parse_body(text).map_err(|e| e.to_string())?;
    let mut changed = false;
    for peer in peers.iter_mut() {
        if peer.line.as_ref().is_some_and(|(body, _)| body == text) {
            continue;
        }
        match ask(service, client, peer, &checkpoint, &note).await {
            Ok(line) => {
                peer.line = Some((text.to_owned(), line));
                changed = true;
            }
            Err(e) => tracing::warn!(witness = %peer.target.url, error = %e, "no cosignature"),
        }
    }
    if changed {
        let lines: Vec<String> = peers
            .iter()
            .filter_map(|p| p.line.as_ref())
            .filter(|(body, _)| body == text)
            .map(|(_, line)| line.clone())
            .collect();
        if lines.len() < quorum {
            tracing::info!(
                size = checkpoint.size,
                got = lines.len(),
                quorum,
                "checkpoint below the witness quorum so far"
            );
        }
        service
            .cosignatures
            .record(&note, checkpoint.size, &lines, lines.len() >= quorum);
    }
    Ok(())
}

/// One witness, one checkpoint: at most two requests (the second after a 409 told us the
/// size it holds). Returns its verified cosignature line.
async fn ask(
    service: &Service,
    client: &reqwest::Client,
    peer: &mut Peer,
    checkpoint: &Checkpoint,
    note: &str,
) -> Result<String, String> {
    for _ in 0..2 {
        let old = peer.size.unwrap_or(0);
        if old > checkpoint.size {
            return Err(format!(
                "the witness holds size {old}, beyond this checkpoint's {}",
                checkpoint.size
            ));
        }
        let proof = if old == 0 || old == checkpoint.size {
            Vec::new()
        } else {
            consistency_proof(service, old, checkpoint.size).await?
        };
        let body = AddCheckpoint {
            old_size: old,
            proof,
            checkpoint: note.to_owned(),
        }
        .to_body();
        let response = client
            .post(format!("{}/add-checkpoint", peer.target.url))
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let is_size = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/x.tlog.size"));
        let answer = witness_answer(response).await?;
        if status == reqwest::StatusCode::CONFLICT && is_size {
            let held = parse_decimal(answer.trim_end_matches('\n'))
                .ok_or_else(|| format!("409 with a malformed size {answer:?}"))?;
            peer.size = Some(held);
            continue;
        }
        if !status.is_success() {
            return Err(format!("{status}: {}", answer.trim()));
        }
        peer.size = Some(checkpoint.size);
        return verified_line(&answer, peer, &checkpoint.body());
    }
    Err("the witness's size moved twice; will retry".to_owned())
}

/// A witness's answer as text, read no further than a witness's largest body: a broken or
/// hostile witness cannot make the log hold more.
async fn witness_answer(mut response: reqwest::Response) -> Result<String, String> {
    let limit = ledger::limits::MAX_WITNESS_BODY_BYTES;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("the answer is larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| "the answer is not UTF-8 text".to_owned())
}

/// The first line of the answer that is a valid cosignature by this witness of `body`.
fn verified_line(answer: &str, peer: &Peer, body: &str) -> Result<String, String> {
    answer
        .lines()
        .filter_map(|line| Cosignature::parse_line(line).ok())
        .find(|c| c.verify(&peer.target.key, body).is_ok())
        .map(|c| c.to_line())
        .ok_or_else(|| "the answer holds no valid cosignature by this witness".to_owned())
}

/// The RFC 9162 consistency proof between two sizes, from the stored tree nodes.
async fn consistency_proof(
    service: &Service,
    from: u64,
    to: u64,
) -> Result<Vec<ledger::Hash>, String> {
    let plan = merkle::consistency_plan(from, to).map_err(|e| e.to_string())?;
    let ids: Vec<_> = plan.iter().flatten().copied().collect();
    let found = service.db.nodes(&ids).await.map_err(|e| e.to_string())?;
    merkle::assemble(&plan, |id| found.get(&id).copied()).map_err(|e| e.to_string())
}
