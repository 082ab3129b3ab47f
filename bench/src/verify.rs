//! `verify_rate`, `verify_sig_rate`, `batch_verify_rate` and `verify_ratio`: how fast an
//! auditor verifies an export, and how close that comes to the raw speed of Ed25519 batch
//! verification on the same cores.
//!
//! The export is written by `client::submit::export` (the code of `sijill export`) from the
//! append group's server, topped up with more signed statements to the wanted size, and
//! verified by `client::verify::verify_export` (the code of `sijill verify`). The raw
//! figure runs `ed25519_dalek::verify_batch` over rayon exactly as verify.rs splits its
//! work: chunks of as many signatures as one chunk of entries carries, cut into
//! `ceil(n / (2 x threads))` batches. Its messages have the export's sizes (entries and
//! statements) and, as in the export, two keys sign everything (the log's and the actor's).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use client::verify::{verify_export, VerifyOutcome};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rayon::prelude::*;

use crate::append::Ledger;
use crate::report::{comment, figure, progress};
use crate::{BenchResult, Settings};

/// verify.rs's `Chunks::DEFAULT` (private there): a chunk ends at 4096 entries or 8 MiB.
const CHUNK_ENTRIES: usize = 4096;
const CHUNK_BYTES: usize = 8 << 20;

/// Writers of the untimed top-up.
const TOP_UP_WRITERS: usize = 64;

/// The minimum share of entries written through signed statements.
const MIN_SIGNED_SHARE: f64 = 0.9;

/// Measures the verify figures on `ledger`, which is closed afterwards.
///
/// # Errors
/// When the top-up, the export or the verification fails.
pub async fn figures(mut ledger: Ledger, settings: &Settings) -> BenchResult<()> {
    let result = measure(&mut ledger, settings).await;
    ledger.close().await;
    result
}

async fn measure(ledger: &mut Ledger, settings: &Settings) -> BenchResult<()> {
    let have = ledger.tree_size();
    if have < settings.verify_entries {
        let more = settings.verify_entries - have;
        progress(&format!(
            "verify: topping the ledger up from {have} by {more} entries"
        ));
        // Untimed: more writers than the figures use, so that batches fill and it is quick.
        ledger.run("verify top-up", TOP_UP_WRITERS, more).await?;
    }
    let dir = std::env::temp_dir().join(format!("sijill-bench-{}-export", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = format!("http://{}", ledger.running.addr);
    progress(&format!(
        "verify: exporting from {server} to {}",
        dir.display()
    ));
    let started = Instant::now();
    if client::submit::export(&server, &dir).await != ExitCode::SUCCESS {
        return Err("sijill export failed (see above)".into());
    }
    progress(&format!(
        "verify: export took {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let result = verify_figures(&dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn verify_figures(dir: &Path) -> BenchResult<()> {
    let dir: PathBuf = dir.to_owned();
    let dir_lines = dir.join("entries.jsonl");
    let shape = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || ExportShape::read(&dir.join("entries.jsonl"))).await??
    };
    let signed_share = shape.with_auth as f64 / shape.entries as f64;
    comment(&format!(
        "verify: export of {} entries, {} carrying auth ({:.1}% written through signed \
         statements), {} signatures",
        shape.entries,
        shape.with_auth,
        100.0 * signed_share,
        shape.signatures()
    ));
    if signed_share < MIN_SIGNED_SHARE {
        comment("verify: WARNING: fewer than 90% of the entries carry auth");
    }

    progress("verify: verifying the export");
    let (outcome, secs) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let outcome = verify_export(&dir, None, false);
        (outcome, started.elapsed().as_secs_f64())
    })
    .await?;
    match outcome {
        VerifyOutcome::Verified { size, .. } if size == shape.entries => {}
        other => return Err(format!("the export did not verify: {other:?}").into()),
    }
    let verify_rate = shape.entries as f64 / secs;
    let verify_sig_rate = shape.signatures() as f64 / secs;
    figure("verify_rate", verify_rate, 0, "entries/s");
    figure("verify_sig_rate", verify_sig_rate, 0, "signatures/s");

    let batch_rate = tokio::task::spawn_blocking(move || batch_verify_rate(&shape)).await??;
    figure("batch_verify_rate", batch_rate, 0, "signatures/s");
    figure("verify_ratio", verify_sig_rate / batch_rate, 2, "");

    let lines = dir_lines.clone();
    let (one_pass, strict) = tokio::task::spawn_blocking(move || parse_times(&lines)).await??;
    figure("entry_parse_us", one_pass, 2, "us");
    figure("entry_parse_strict_us", strict, 2, "us");
    figure("entry_parse_ratio", strict / one_pass, 2, "");
    Ok(())
}

/// Mean microseconds to read one line of the export with `SignedEntry::parse_with` (the
/// one-pass reader, actor keys remembered across lines as `sijill verify` does) and with `SignedEntry::parse_strictly` (the strict path it falls back
/// to), on one thread, alternating rounds so that a change of load hits both alike.
fn parse_times(path: &Path) -> BenchResult<(f64, f64)> {
    let text = std::fs::read(path)?;
    let lines: Vec<&[u8]> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let sample = &lines[..lines.len().min(20_000)];
    let (mut one_pass, mut strict) = (0.0, 0.0);
    for _ in 0..3 {
        // Kept across lines, as `sijill verify` keeps one per thread.
        let mut keys = ledger::statement::ActorKeys::default();
        let started = Instant::now();
        for line in sample {
            ledger::SignedEntry::parse_with(line, &mut keys).map_err(|e| e.to_string())?;
        }
        one_pass += started.elapsed().as_secs_f64();
        let started = Instant::now();
        for line in sample {
            ledger::SignedEntry::parse_strictly(line).map_err(|e| e.to_string())?;
        }
        strict += started.elapsed().as_secs_f64();
    }
    let per_line = |secs: f64| secs * 1e6 / (3 * sample.len()) as f64;
    Ok((per_line(one_pass), per_line(strict)))
}

/// What the export holds, read outside any timed section.
#[derive(Clone, Debug, Default)]
struct ExportShape {
    entries: u64,
    with_auth: u64,
    entry_bytes: u64,
    statement_bytes: u64,
}

impl ExportShape {
    fn read(path: &Path) -> BenchResult<Self> {
        let mut shape = Self::default();
        let reader = BufReader::new(std::fs::File::open(path)?);
        for line in reader.lines() {
            let line = line?;
            let entry: serde_json::Value = serde_json::from_str(&line)?;
            shape.entries += 1;
            shape.entry_bytes += line.len() as u64;
            if let Some(statement) = entry.get("auth").and_then(|a| a.get("statement")) {
                shape.with_auth += 1;
                shape.statement_bytes += ledger::canonical::to_bytes(statement)?.len() as u64;
            }
        }
        if shape.entries == 0 {
            return Err("the export is empty".into());
        }
        Ok(shape)
    }

    /// One log signature per entry, one actor signature per entry carrying `auth`.
    fn signatures(&self) -> u64 {
        self.entries + self.with_auth
    }

    fn mean_entry_bytes(&self) -> usize {
        usize::try_from(self.entry_bytes / self.entries).unwrap_or(usize::MAX)
    }

    fn mean_statement_bytes(&self) -> usize {
        usize::try_from(self.statement_bytes / self.with_auth.max(1)).unwrap_or(usize::MAX)
    }

    /// The signatures of one full chunk as verify.rs forms it, in the export's order and
    /// proportion: each entry's log signature, then its actor signature if it carries
    /// `auth` (`true` marks a log signature). Returns the chunk's entry count too.
    fn chunk(&self) -> (usize, Vec<bool>) {
        let entries = CHUNK_ENTRIES.min(CHUNK_BYTES / (self.mean_entry_bytes() + 1));
        let mut kinds = Vec::with_capacity(2 * entries);
        let share = |e: u64| e * self.with_auth / self.entries;
        for e in 0..entries as u64 {
            kinds.push(true);
            if share(e + 1) > share(e) {
                kinds.push(false);
            }
        }
        (entries, kinds)
    }
}

/// The three arrays one `verify_batch` call takes.
type Batch<'a> = (Vec<&'a [u8]>, Vec<Signature>, Vec<VerifyingKey>);

/// Raw batch verification of as many signatures as the export holds, split as verify.rs
/// splits a chunk; returns signatures per second.
fn batch_verify_rate(shape: &ExportShape) -> BenchResult<f64> {
    let (chunk_entries, kinds) = shape.chunk();
    let chunk_sigs = kinds.len();
    let threads = rayon::current_num_threads().max(1);
    // verify.rs, first_invalid_on_all_cores: two batches per thread, at least 64.
    let batch = chunk_sigs.div_ceil(threads * 2).max(64);
    let log_key = SigningKey::from_bytes(&[1; 32]);
    let actor_key = SigningKey::from_bytes(&[2; 32]);
    let signed: Vec<(Vec<u8>, Signature, VerifyingKey)> = kinds
        .par_iter()
        .enumerate()
        .map(|(i, &is_log)| {
            // The export's message sizes: entries for the log, statements for the actor.
            let (key, len) = if is_log {
                (&log_key, shape.mean_entry_bytes())
            } else {
                (&actor_key, shape.mean_statement_bytes())
            };
            let message: Vec<u8> = (0..len).map(|j| (i * 31 + j) as u8).collect();
            let sig = key.sign(&message);
            (message, sig, key.verifying_key())
        })
        .collect();
    // The batches' arrays are laid out before the clock starts: the figure is the raw call.
    let batches: Vec<Batch<'_>> = signed
        .chunks(batch)
        .map(|part| {
            (
                part.iter().map(|(m, _, _)| m.as_slice()).collect(),
                part.iter().map(|(_, s, _)| *s).collect(),
                part.iter().map(|(_, _, k)| *k).collect(),
            )
        })
        .collect();
    let rounds = shape.signatures().div_ceil(chunk_sigs as u64);
    progress(&format!(
        "verify: raw verify_batch, {rounds} chunks of {chunk_sigs} signatures \
         ({chunk_entries} entries), batches of {batch}, {threads} threads"
    ));
    let started = Instant::now();
    for _ in 0..rounds {
        let all_valid = batches
            .par_iter()
            .all(|(m, s, k)| ed25519_dalek::verify_batch(m, s, k).is_ok());
        if !all_valid {
            return Err("raw batch verification refused a valid signature".into());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    comment(&format!(
        "verify: raw batches of {batch} signatures on {threads} rayon threads, \
         {} signatures in {secs:.2} s",
        rounds * chunk_sigs as u64
    ));
    Ok((rounds * chunk_sigs as u64) as f64 / secs)
}
