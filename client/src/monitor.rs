//! `sijill monitor`: follows a log from outside, as a journalist's or a coalition's watcher
//! would, and reports what a single honest-looking server could otherwise hide: a history
//! rewritten (fork), a history cut back (rollback), an entry that breaks the format, and
//! every new entry on a stream or by an actor someone asked to watch.
//!
//! The monitor keeps its own copy of what it has verified in a state folder, so each run
//! (or each poll with `--follow`) only fetches what is new, and a restarted monitor still
//! knows what it saw:
//!
//! - `log.pub`: the log key it trusts (given with `--log-key`, else taken from the server
//!   on first use and printed so the user can compare it with the published one);
//! - `entries.jsonl`: the entries verified so far, exactly as served (an export's file);
//! - `checkpoint`: the last checkpoint it found consistent with them.
//!
//! Each poll: the server's checkpoint must be signed by the trusted key; it may not be
//! smaller than the last one seen (rollback), nor the same size with another root (fork);
//! a larger one must come with a valid RFC 9162 consistency proof from the last one
//! (fork otherwise); the new entries are replayed through the same [`Auditor`] as
//! `sijill verify` (signatures, chains, registry and roles, nonces, time) and must hash to
//! the new checkpoint's root. Only then are they appended to the state, entries before the
//! checkpoint, each file made durable, so a crash leaves at worst entries the next run
//! drops. Documents are not fetched: `sijill export` and `verify` check those.
//!
//! Standard output has one line per event; exit 0 when nothing is wrong, 1 on the first
//! fork, rollback or invalid entry or checkpoint, 2 on usage, I/O or network errors (with
//! `--follow`, an unreachable server is reported and tried again, never taken for a fork).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use audit::{first_invalid, Auditor, Failure, SigCheck};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ledger::hash::Hash;
use ledger::merkle::verify_consistency;
use ledger::note::split_note;
use ledger::{Checkpoint, SignedEntry, VerifierKey};
use serde_json::Value;

/// Entries fetched per request (the server's maximum).
const PAGE: u64 = 1000;

/// What `sijill monitor` was asked.
#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub server: String,
    pub state: PathBuf,
    /// Streams (`offer/OFR-1`), stream types (`offer/`), actor ids or actor keys.
    pub watch: Vec<String>,
    pub log_key: Option<String>,
    /// Keep polling every `interval` instead of checking once.
    pub follow: bool,
    pub interval: Duration,
}

/// Why the monitor stopped with exit code 1: the log misbehaved.
#[derive(Debug)]
enum Alarm {
    Rollback { seen: u64, served: u64 },
    Fork(String),
    Invalid(String),
}

impl std::fmt::Display for Alarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rollback { seen, served } => write!(
                f,
                "ROLLBACK: the server's checkpoint covers {served} entries, fewer than the {seen} already seen"
            ),
            Self::Fork(reason) => write!(f, "FORK: {reason}"),
            Self::Invalid(reason) => write!(f, "INVALID: {reason}"),
        }
    }
}

/// A poll that could not finish: the log misbehaved, or the monitor could not talk to it.
enum Stop {
    Alarm(Alarm),
    Trouble(String),
}

impl From<Alarm> for Stop {
    fn from(alarm: Alarm) -> Self {
        Self::Alarm(alarm)
    }
}

fn trouble(context: impl std::fmt::Display) -> Stop {
    Stop::Trouble(context.to_string())
}

/// `sijill monitor`.
pub async fn run(options: MonitorOptions) -> ExitCode {
    let mut monitor = match Monitor::open(&options).await {
        Ok(monitor) => monitor,
        Err(e) => {
            eprintln!("sijill monitor: {e}");
            return ExitCode::from(2);
        }
    };
    loop {
        match monitor.poll().await {
            Ok(()) => {}
            Err(Stop::Alarm(alarm)) => {
                println!("{alarm}");
                return ExitCode::from(1);
            }
            Err(Stop::Trouble(e)) if options.follow => {
                println!("unreachable: {e}");
            }
            Err(Stop::Trouble(e)) => {
                eprintln!("sijill monitor: {e}");
                return ExitCode::from(2);
            }
        }
        if !options.follow {
            return ExitCode::SUCCESS;
        }
        tokio::time::sleep(options.interval).await;
    }
}

struct Monitor {
    server: String,
    http: reqwest::Client,
    state: PathBuf,
    log_key: VerifierKey,
    auditor: Auditor,
    /// The last checkpoint found consistent with the entries in the state.
    seen: Option<Checkpoint>,
    watch: Vec<String>,
    /// With `--follow`, an unchanged log prints nothing.
    follow: bool,
    /// Actor keys (base64) to actor ids, from the registry entries seen.
    actors: HashMap<String, String>,
}

impl Monitor {
    async fn open(options: &MonitorOptions) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("sijill-monitor/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| e.to_string())?;
        let server = options.server.trim_end_matches('/').to_owned();
        std::fs::create_dir_all(&options.state)
            .map_err(|e| format!("{}: {e}", options.state.display()))?;
        let log_key =
            trusted_key(&http, &server, &options.state, options.log_key.as_deref()).await?;
        let mut monitor = Self {
            server,
            http,
            state: options.state.clone(),
            auditor: Auditor::new(vec![log_key.clone()]),
            log_key,
            seen: None,
            watch: options.watch.clone(),
            follow: options.follow,
            actors: HashMap::new(),
        };
        monitor.replay_state()?;
        Ok(monitor)
    }

    /// Replays the state's entries up to its checkpoint; lines after it (a crash between
    /// the two writes) are cut off, since no checkpoint vouches for them yet.
    fn replay_state(&mut self) -> Result<(), String> {
        let checkpoint_path = self.state.join("checkpoint");
        let Ok(note) = std::fs::read_to_string(&checkpoint_path) else {
            // A new state: the log is followed from its first entry.
            File::create(self.state.join("entries.jsonl")).map_err(|e| e.to_string())?;
            return Ok(());
        };
        let folder = self.state.display().to_string();
        let damaged = |why: String| format!("the state in {folder} is damaged: {why}");
        // The size tells how many entries to replay; the signature is checked after them,
        // by `check_checkpoint` below, with the keys of the chain those entries hold: after
        // rotations, the saved checkpoint may be signed only by keys rotated to since the one
        // the state trusts.
        let (text, _) = split_note(&note).map_err(|e| damaged(e.to_string()))?;
        let checkpoint = Checkpoint::parse_body(text).map_err(|e| damaged(e.to_string()))?;
        let path = self.state.join("entries.jsonl");
        let mut reader = BufReader::new(File::open(&path).map_err(|e| damaged(e.to_string()))?);
        let mut kept = 0u64;
        let mut line = Vec::new();
        let mut sigs = Vec::new();
        while self.auditor.size() < checkpoint.size {
            line.clear();
            let read = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| damaged(e.to_string()))?;
            if read == 0 || !line.ends_with(b"\n") {
                return Err(damaged("fewer entries than its checkpoint".into()));
            }
            kept += read as u64;
            let bytes = &line[..line.len() - 1];
            self.learn_actor(bytes);
            self.auditor
                .push(bytes, &mut sigs)
                .map_err(|f| damaged(f.to_string()))?;
            let _ = self.auditor.take_named_documents();
        }
        if let Some(at) = first_invalid(&sigs) {
            return Err(damaged(sigs[at].failure().to_string()));
        }
        self.auditor
            .check_checkpoint(&note)
            .map_err(|f| damaged(f.to_string()))?;
        drop(reader);
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| e.to_string())?;
        file.set_len(kept).map_err(|e| e.to_string())?;
        self.seen = Some(checkpoint);
        Ok(())
    }

    async fn get(&self, path: &str) -> Result<Vec<u8>, Stop> {
        let url = format!("{}{path}", self.server);
        let response = self.http.get(&url).send().await.map_err(trouble)?;
        let status = response.status();
        // An entry page is the largest answer the monitor asks for.
        let limit = if path.starts_with("/v1/log/entries") {
            crate::bounded::ENTRY_PAGE
        } else if path.starts_with("/v1/log/checkpoint") {
            crate::bounded::CHECKPOINT
        } else {
            crate::bounded::ANSWER
        };
        let body = crate::bounded::read(response, limit)
            .await
            .map_err(trouble)?;
        if !status.is_success() {
            return Err(trouble(format!(
                "{url}: {status}: {}",
                String::from_utf8_lossy(&body)
            )));
        }
        Ok(body.to_vec())
    }

    /// One look at the server: its checkpoint, then whatever is new.
    async fn poll(&mut self) -> Result<(), Stop> {
        let note = String::from_utf8(self.get("/v1/log/checkpoint").await?)
            .map_err(|_| Alarm::Invalid("checkpoint: not UTF-8".into()))?;
        let (seen_size, seen_root) = self
            .seen
            .as_ref()
            .map_or((0, None), |c| (c.size, Some(c.root)));
        // Opened with the keys known so far. Across one rotation in the new entries the key
        // before it co-signs (docs/key-rotation.md); across two or more, only keys the new
        // entries rotate to may have signed it, so a checkpoint that grows the log is read
        // unverified here and its signature checked once those entries are replayed.
        let served = match Checkpoint::open(&note, &self.log_keys()) {
            Ok(checkpoint) => checkpoint,
            Err(e) => split_note(&note)
                .ok()
                .and_then(|(text, _)| Checkpoint::parse_body(text).ok())
                .filter(|body| body.size > seen_size)
                .ok_or_else(|| Alarm::Invalid(format!("checkpoint: {e}")))?,
        };
        if served.size < seen_size {
            return Err(Alarm::Rollback {
                seen: seen_size,
                served: served.size,
            }
            .into());
        }
        if served.size == seen_size {
            if let Some(root) = seen_root.filter(|r| *r != served.root) {
                return Err(Alarm::Fork(format!(
                    "checkpoint {} has root {}, but the one already seen at that size has {}",
                    served.size,
                    BASE64.encode(served.root),
                    BASE64.encode(root)
                ))
                .into());
            }
            if !self.follow {
                println!(
                    "checkpoint {} {}: no new entries",
                    served.size,
                    BASE64.encode(served.root)
                );
            }
            return Ok(());
        }
        if let Some(root) = seen_root {
            self.check_consistency(seen_size, &root, &served).await?;
        }
        let lines = self.fetch_and_replay(seen_size, served.size).await?;
        Checkpoint::open(&note, &self.log_keys())
            .map_err(|e| Alarm::Invalid(format!("checkpoint: {e}")))?;
        self.auditor.check_checkpoint(&note).map_err(|f| {
            Alarm::Fork(format!(
                "the entries served do not hash to checkpoint {}'s root: {f}",
                served.size
            ))
        })?;
        self.save(&lines, &note).map_err(trouble)?;
        println!(
            "checkpoint {} {}: {} new entries verified{}",
            served.size,
            BASE64.encode(served.root),
            served.size - seen_size,
            if seen_size > 0 {
                format!(", consistent with {seen_size}")
            } else {
                String::new()
            }
        );
        self.seen = Some(served);
        Ok(())
    }

    async fn check_consistency(
        &self,
        from: u64,
        from_root: &Hash,
        to: &Checkpoint,
    ) -> Result<(), Stop> {
        let body = self
            .get(&format!(
                "/v1/log/proof/consistency?from={from}&to={}",
                to.size
            ))
            .await?;
        let proof: Value = serde_json::from_slice(&body)
            .map_err(|e| Alarm::Fork(format!("consistency proof {from}..{}: {e}", to.size)))?;
        let hashes: Option<Vec<Hash>> = proof
            .get("hashes")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|h| {
                        h.as_str()
                            .and_then(|s| BASE64.decode(s).ok())
                            .and_then(|b| Hash::try_from(b.as_slice()).ok())
                    })
                    .collect()
            })
            .unwrap_or(None);
        let hashes = hashes.ok_or_else(|| {
            Alarm::Fork(format!(
                "consistency proof {from}..{} is malformed",
                to.size
            ))
        })?;
        verify_consistency(from, to.size, &hashes, from_root, &to.root).map_err(|e| {
            Alarm::Fork(format!(
                "checkpoint {} is not consistent with checkpoint {from} already seen: {e}",
                to.size
            ))
        })?;
        Ok(())
    }

    /// Fetches entries `from..to`, replays them and reports the watched ones; returns
    /// their lines to save once the checkpoint vouches for them.
    async fn fetch_and_replay(&mut self, from: u64, to: u64) -> Result<Vec<Vec<u8>>, Stop> {
        let mut lines = Vec::new();
        let mut next = from;
        while next < to {
            let limit = (to - next).min(PAGE);
            let body = self
                .get(&format!("/v1/log/entries?start={next}&limit={limit}"))
                .await?;
            let page: Vec<&[u8]> = body
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            if page.is_empty() {
                return Err(Alarm::Invalid(format!(
                    "index {next}: the server has no such entry although its checkpoint covers it"
                ))
                .into());
            }
            let mut sigs: Vec<SigCheck> = Vec::new();
            let mut structural: Option<Failure> = None;
            for bytes in page
                .iter()
                .take(usize::try_from(to - next).unwrap_or(usize::MAX))
            {
                if let Err(failure) = self.auditor.push(bytes, &mut sigs) {
                    structural = Some(failure);
                    break;
                }
                let _ = self.auditor.take_named_documents();
                self.learn_actor(bytes);
                self.report_watched(bytes);
                lines.push(bytes.to_vec());
            }
            // A bad signature earlier in the page comes before a structural failure.
            if let Some(at) = first_invalid(&sigs) {
                return Err(Alarm::Invalid(sigs[at].failure().to_string()).into());
            }
            if let Some(failure) = structural {
                return Err(Alarm::Invalid(failure.to_string()).into());
            }
            next = self.auditor.size();
        }
        Ok(lines)
    }

    /// Remembers which actor id a key belongs to, from `ActorRegistered` entries.
    fn learn_actor(&mut self, bytes: &[u8]) {
        let Ok(signed) = SignedEntry::parse(bytes) else {
            return;
        };
        let entry = &signed.entry;
        if entry.event_type == "ActorRegistered" {
            if let (Some(id), Some(key)) = (
                entry.stream.strip_prefix("registry/"),
                entry.data.get("public_key").and_then(Value::as_str),
            ) {
                self.actors.insert(key.to_owned(), id.to_owned());
            }
        }
    }

    /// The keys a checkpoint may be signed by: the trusted key and those it rotated to
    /// (the auditor's chain, once the log's genesis is replayed).
    fn log_keys(&self) -> Vec<VerifierKey> {
        let keys = self.auditor.checkpoint_keys();
        if keys.is_empty() {
            vec![self.log_key.clone()]
        } else {
            keys
        }
    }

    /// Prints `watch: ...` for an entry on a watched stream or by a watched actor, and
    /// `log key: ...` for every rotation of the log key, watched or not: who follows a log
    /// must learn which key signs it now.
    fn report_watched(&self, bytes: &[u8]) {
        // Parsing again costs as much as the auditor's own parse: skip it for the entries
        // that can print nothing (no watch, and not a rotation).
        let rotation = ledger::rotation::ROTATION_EVENT.as_bytes();
        if self.watch.is_empty() && !bytes.windows(rotation.len()).any(|w| w == rotation) {
            return;
        }
        let Ok(signed) = SignedEntry::parse(bytes) else {
            return;
        };
        let entry = &signed.entry;
        if entry.event_type == ledger::rotation::ROTATION_EVENT {
            let key = entry
                .data
                .get("log_key")
                .and_then(serde_json::Value::as_str);
            println!(
                "log key: index {} rotated to {}",
                entry.index,
                key.unwrap_or("?")
            );
        }
        if self.watch.is_empty() {
            return;
        }
        let key = entry
            .auth
            .as_ref()
            .map(|a| BASE64.encode(a.actor.as_bytes()));
        let actor_id = key.as_ref().and_then(|k| self.actors.get(k));
        let watched = self.watch.iter().any(|w| {
            entry.stream == *w
                || (w.ends_with('/') && entry.stream.starts_with(w.as_str()))
                || key.as_deref() == Some(w.as_str())
                || actor_id.map(String::as_str) == Some(w.as_str())
        });
        if watched {
            let by = actor_id
                .cloned()
                .or(key)
                .unwrap_or_else(|| "no signed statement".to_owned());
            println!(
                "watch: index {} {} {} by {by}",
                entry.index, entry.stream, entry.event_type
            );
        }
    }

    /// Appends the new entries, then replaces the checkpoint; each made durable first.
    fn save(&self, lines: &[Vec<u8>], note: &str) -> Result<(), String> {
        let path = self.state.join("entries.jsonl");
        let mut file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
        let mut buffer = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for line in lines {
            buffer.extend_from_slice(line);
            buffer.push(b'\n');
        }
        file.write_all(&buffer)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        write_durably(&self.state.join("checkpoint"), note.as_bytes())
    }
}

/// Writes `bytes` to `path` through a temporary file renamed over it, so a reader sees the
/// old content or the new, never a mix.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temporary = path.with_extension("new");
    let mut file = File::create(&temporary).map_err(|e| format!("{}: {e}", temporary.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(folder) = path.parent() {
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// The log key the monitor trusts: the state's `log.pub`, else `--log-key`, else the
/// server's on first use (printed, to be compared with the published one). A `--log-key`
/// that differs from the state's is refused rather than silently preferred.
async fn trusted_key(
    http: &reqwest::Client,
    server: &str,
    state: &Path,
    given: Option<&str>,
) -> Result<VerifierKey, String> {
    let path = state.join("log.pub");
    let parse = |text: &str| {
        VerifierKey::parse(text.trim()).map_err(|e| format!("log key {:?}: {e}", text.trim()))
    };
    if let Ok(kept) = std::fs::read_to_string(&path) {
        let kept = parse(&kept)?;
        if let Some(given) = given {
            if parse(given)? != kept {
                return Err(format!(
                    "--log-key differs from the key this state follows ({})",
                    path.display()
                ));
            }
        }
        return Ok(kept);
    }
    let key = match given {
        Some(given) => parse(given)?,
        None => {
            let text = http
                .get(format!("{server}/v1/log/key"))
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| e.to_string())?;
            let text = crate::bounded::read_text(text, crate::bounded::KEYS).await?;
            let key = parse(&text)?;
            println!("trusting the server's log key on first use: {key} (compare it with the published one)");
            key
        }
    };
    write_durably(&path, format!("{key}\n").as_bytes())?;
    Ok(key)
}
