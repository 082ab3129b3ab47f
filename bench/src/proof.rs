//! `inclusion_proof_p99_us` and `server_rss_mb`: a separate server process, running the
//! real `sijill serve` code (this binary re-executed with a hidden subcommand that calls
//! `sijill::cli::run`), on its own throwaway database, filled with `--proof-entries`
//! entries THROUGH that process by many concurrent HTTP clients posting signed statements.
//! Then inclusion proofs for random indexes at the full tree size are requested over
//! loopback HTTP by one client, one at a time, and their latency measured at the client;
//! the peak resident memory of the process is read from `/proc/<pid>/status` (VmHWM).

use std::process::{ExitCode, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use clap::Parser as _;
use ledger::hash::Hash;
use ledger::{Checkpoint, VerifierKey};
use rand::Rng;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::db::Throwaway;
use crate::drive::drive;
use crate::report::{comment, figure, progress};
use crate::workload::{Issuer, SIGN_ROUND};
use crate::{BenchResult, Settings};

/// Concurrent HTTP clients filling the proof server: "many", and more than the sequencer
/// needs to form full batches at the rates seen here.
const FILL_CLIENTS: usize = 64;
/// Proof requests: untimed warm-up, then timed.
const PROOF_WARM_UP: usize = 1_000;
const PROOF_REQUESTS: usize = 10_000;
/// Proofs whose hashes are checked against the checkpoint's root after the timed run, so a
/// fast wrong answer cannot pass for a fast one.
const PROOFS_CHECKED: usize = 200;
/// How long the child may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The pid of the running child server (0: none), for [`stop_child_now`].
static CHILD_PID: AtomicU32 = AtomicU32::new(0);

/// Stops the child server of an interrupted run, which would otherwise outlive it.
pub fn stop_child_now() {
    let pid = CHILD_PID.swap(0, Ordering::AcqRel);
    if pid != 0 {
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
    }
}

/// The hidden `serve-child` subcommand: exactly `sijill serve ARGS`, with the logging
/// set-up of the `sijill` binary (cli/src/main.rs).
pub async fn serve_child(args: Vec<String>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let argv = ["sijill", "serve"]
        .into_iter()
        .map(str::to_owned)
        .chain(args);
    sijill::cli::run(sijill::cli::Cli::parse_from(argv)).await
}

/// Measures the proof figures.
///
/// # Errors
/// When the server cannot be started or filled, or a proof request fails.
pub async fn figures(server_url: &str, settings: &Settings) -> BenchResult<()> {
    let db = Throwaway::create(server_url, "proof").await?;
    comment(&format!(
        "proof database: {} (throwaway), served by a separate `sijill serve` process",
        db.name
    ));
    let data = std::env::temp_dir().join(format!("sijill-bench-{}-proof", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let result = match ChildServer::start(&data, Some(&db.url), &[]).await {
        Ok(mut child) => {
            let result = measure(&child, &data, settings).await;
            child.stop().await;
            result
        }
        Err(e) => Err(e),
    };
    db.drop_now().await;
    let _ = std::fs::remove_dir_all(&data);
    result
}

async fn measure(
    child: &ChildServer,
    data: &std::path::Path,
    settings: &Settings,
) -> BenchResult<()> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(FILL_CLIENTS)
        .build()?;
    let base = format!("http://{}", child.addr);
    let note = get_text(&http, &format!("{base}/v1/log/checkpoint")).await?;
    let origin = note.lines().next().unwrap_or_default().to_owned();
    let issuer = Arc::new(Issuer {
        key: keys::load(&data.join("keys/admin.key"))?,
        origin,
    });

    let have = tree_size(&http, &base).await?;
    let wanted = settings.proof_entries;
    if have < wanted {
        fill(&http, &base, issuer, wanted - have).await?;
    }
    let size = tree_size(&http, &base).await?;
    let after_fill = child.memory()?;
    progress(&format!(
        "proof: {size} entries; server VmHWM {} kB, VmRSS {} kB",
        after_fill.hwm_kb, after_fill.rss_kb
    ));

    let mut rng = rand::thread_rng();
    let mut ask = |http: &reqwest::Client| {
        let index = rng.gen_range(0..size);
        let url = format!("{base}/v1/log/proof/inclusion?index={index}&size={size}");
        let http = http.clone();
        async move {
            let started = Instant::now();
            let response = http.get(&url).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            let elapsed = started.elapsed();
            if !status.is_success() {
                return Err(format!("{url}: {status}").into());
            }
            BenchResult::Ok((index, elapsed, body))
        }
    };
    progress(&format!(
        "proof: {PROOF_WARM_UP} warm-up then {PROOF_REQUESTS} timed inclusion proofs, 1 client"
    ));
    for _ in 0..PROOF_WARM_UP {
        ask(&http).await?;
    }
    let mut latencies = Vec::with_capacity(PROOF_REQUESTS);
    let mut samples = Vec::with_capacity(PROOFS_CHECKED);
    for i in 0..PROOF_REQUESTS {
        let (index, elapsed, body) = ask(&http).await?;
        latencies.push(elapsed);
        if i % (PROOF_REQUESTS / PROOFS_CHECKED) == 0 {
            samples.push((index, body.to_vec()));
        }
    }
    check_proofs(&http, &base, size, &samples).await?;
    latencies.sort_unstable();
    let quantile =
        |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    comment(&format!(
        "proof: {} requests at tree size {size}: p50 {:.0} us, p90 {:.0} us, p99 {:.0} us, max {:.0} us; {} proofs checked against the checkpoint",
        latencies.len(),
        us(quantile(0.50)),
        us(quantile(0.90)),
        us(quantile(0.99)),
        us(latencies[latencies.len() - 1]),
        samples.len()
    ));
    figure("inclusion_proof_p99_us", us(quantile(0.99)), 0, "us");
    let after_proofs = child.memory()?;
    comment(&format!(
        "proof: server VmHWM after the fill {} kB, after the proofs {} kB",
        after_fill.hwm_kb, after_proofs.hwm_kb
    ));
    figure("server_rss_mb", after_fill.hwm_kb as f64 / 1024.0, 1, "MB");
    Ok(())
}

/// Appends `count` entries through the child, signed statements posted by
/// [`FILL_CLIENTS`] concurrent clients. Not a figure, but its rate is worth knowing.
async fn fill(
    http: &reqwest::Client,
    base: &str,
    issuer: Arc<Issuer>,
    count: u64,
) -> BenchResult<()> {
    progress(&format!(
        "proof: filling the server with {count} entries over HTTP, {FILL_CLIENTS} clients"
    ));
    let url = Arc::new(format!("{base}/v1/statements"));
    let mut timed = Duration::ZERO;
    let mut next = 0;
    while next < count {
        let n = (count - next).min(SIGN_ROUND);
        let (first, signer) = (next, issuer.clone());
        let statements =
            Arc::new(tokio::task::spawn_blocking(move || signer.sign(first..first + n)).await?);
        let (http, url) = (http.clone(), url.clone());
        let label = format!("proof fill {}..{}", next, next + n);
        let outcome = drive(&label, n, FILL_CLIENTS, move |i| {
            let (http, url, statements) = (http.clone(), url.clone(), statements.clone());
            async move {
                let body = statements[usize::try_from(i).unwrap_or(usize::MAX)].clone();
                let response = http
                    .post(url.as_str())
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                if status.as_u16() == 201 {
                    Ok(())
                } else {
                    Err(format!(
                        "{status}: {}",
                        response.text().await.unwrap_or_default()
                    ))
                }
            }
        })
        .await;
        timed += outcome.clean()?;
        next += n;
    }
    comment(&format!(
        "proof: filled with {count} entries over HTTP by {FILL_CLIENTS} clients in {:.0} s \
         ({:.0} entries/s, signing excluded; client and server share the cores)",
        timed.as_secs_f64(),
        count as f64 / timed.as_secs_f64()
    ));
    Ok(())
}

/// Checks sampled proofs against the signed checkpoint's root.
async fn check_proofs(
    http: &reqwest::Client,
    base: &str,
    size: u64,
    samples: &[(u64, Vec<u8>)],
) -> BenchResult<()> {
    let key = VerifierKey::parse(get_text(http, &format!("{base}/v1/log/key")).await?.trim())?;
    let note = get_text(http, &format!("{base}/v1/log/checkpoint")).await?;
    let checkpoint = Checkpoint::open(&note, &[key])?;
    if checkpoint.size != size {
        return Err(format!("checkpoint size {} is not {size}", checkpoint.size).into());
    }
    for (index, body) in samples {
        let proof: serde_json::Value = serde_json::from_slice(body)?;
        let hashes = proof["hashes"]
            .as_array()
            .ok_or("a proof without hashes")?
            .iter()
            .map(|h| {
                let bytes = BASE64.decode(h.as_str().unwrap_or_default())?;
                Hash::try_from(bytes.as_slice()).map_err(|e| e.to_string().into())
            })
            .collect::<BenchResult<Vec<Hash>>>()?;
        let entry = http
            .get(format!("{base}/v1/log/entries/{index}"))
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        let leaf = ledger::merkle::leaf_hash(&entry);
        ledger::merkle::verify_inclusion(&leaf, *index, size, &hashes, &checkpoint.root)
            .map_err(|e| format!("the proof of entry {index} does not verify: {e}"))?;
    }
    Ok(())
}

async fn get_text(http: &reqwest::Client, url: &str) -> BenchResult<String> {
    Ok(http
        .get(url)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?)
}

async fn tree_size(http: &reqwest::Client, base: &str) -> BenchResult<u64> {
    let health: serde_json::Value = http
        .get(format!("{base}/healthz"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    health["tree_size"]
        .as_u64()
        .ok_or_else(|| "healthz without tree_size".into())
}

/// The child `sijill serve` process.
pub struct ChildServer {
    child: Child,
    pid: u32,
    pub addr: String,
    /// From just before the process was spawned until it printed that it listens.
    pub listening_after: Duration,
}

/// Memory of the child, from `/proc/<pid>/status`.
struct Memory {
    hwm_kb: u64,
    rss_kb: u64,
}

impl ChildServer {
    /// Starts `sijill serve --data DATA [--database-url URL] --listen 127.0.0.1:0 EXTRA`
    /// (without a URL, the server's default store: SQLite in DATA) and waits until it
    /// listens.
    pub async fn start(
        data: &std::path::Path,
        database_url: Option<&str>,
        extra: &[String],
    ) -> BenchResult<Self> {
        let exe = std::env::current_exe()?;
        let mut command = Command::new(exe);
        command.arg("serve-child").arg("--data").arg(data);
        if let Some(url) = database_url {
            command.arg("--database-url").arg(url);
        }
        let spawned = Instant::now();
        let mut child = command
            .arg("--listen")
            .arg("127.0.0.1:0")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id().ok_or("the server exited at once")?;
        CHILD_PID.store(pid, Ordering::Release);
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(START_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                progress(&format!("server: {line}"));
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    return BenchResult::Ok(addr.trim().to_owned());
                }
            }
            Err("the server ended before listening".into())
        })
        .await
        .map_err(|_| "the server did not start listening in time")??;
        let listening_after = spawned.elapsed();
        // Keep draining its standard output so that it never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                progress(&format!("server: {line}"));
            }
        });
        progress(&format!("server process {pid} on http://{addr}"));
        Ok(Self {
            child,
            pid,
            addr,
            listening_after,
        })
    }

    fn memory(&self) -> BenchResult<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .ok_or_else(|| format!("no {name} in /proc/{}/status", self.pid))
        };
        Ok(Memory {
            hwm_kb: field("VmHWM:")?,
            rss_kb: field("VmRSS:")?,
        })
    }

    /// Asks the server to stop (SIGTERM: its graceful shutdown), killing it if it lingers.
    /// Stopping a stopped server does nothing.
    pub async fn stop(&mut self) {
        if self.pid == 0 {
            return;
        }
        CHILD_PID.store(0, Ordering::Release);
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.pid.to_string())
            .status();
        if tokio::time::timeout(Duration::from_secs(15), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
        self.pid = 0;
    }
}
