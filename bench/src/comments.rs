//! `comment_rate`, `comment_p99_ms`, `comment_lag_p99_ms`, `comment_rate_named`,
//! `comment_p99_named_ms`, `comment_rate_at_fill`, `comment_lag_p99_at_fill_ms`,
//! `comment_rate_ratio`, `restart_first_comment_ms`, `comment_rate_sqlite`,
//! `comment_p99_sqlite_ms`, `consultation_read_ms_at_fill`, `storage_per_comment_bytes`,
//! `restart_listen_ms`: public comments (`POST /v1/consultations/{id}/comments`, no
//! key) on ONE open consultation, over loopback HTTP, to a separate `sijill serve` process
//! (the proof group's [`ChildServer`]) whose per-address rate limit is lifted.
//!
//! The consultation is set up through signed statements, as an institution would: an
//! institution, its drafter, a draft with two articles and a consultation open from an
//! hour ago for thirty days. Then [`CLIENTS`] concurrent clients, each with its own
//! keep-alive connection and one comment in flight, post comments with unique texts (a
//! third on the whole text, a third on each article): an untimed warm-up, then
//! `--comments` timed ones. The rate is comments over the time from the first request to
//! the last 201; the latency of each comment is measured at its client.
//!
//! On PostgreSQL (a throwaway database), in this order: anonymous comments
//! (`comment_rate`), comments with a name and a unique e-mail (`comment_rate_named`), a
//! fill of the consultation up to `--comments-fill` comments, anonymous comments again at
//! that size (`comment_rate_at_fill`, over `comment_rate`: `comment_rate_ratio`), then a
//! restart: the server is stopped by SIGTERM, a new process started on the same database
//! and data folder, and `restart_first_comment_ms` is the time from its spawn until its
//! first comment is answered 201. Then the same anonymous run on a server with its
//! default store, SQLite in its data folder (`comment_rate_sqlite`).
//!
//! The read models' lag: during the anonymous timed runs on PostgreSQL, a sampler asks
//! `GET /healthz` every [`SAMPLE_EVERY`] for `projected`, the smallest read-model position.
//! The lag of a comment at index `i` is the time from its 201 until the first answer (its
//! arrival at the sampler) with `projected > i`, so it is overstated by up to the sampling
//! period plus one round trip, never understated.
//!
//! Client and server share the machine's cores: the clients' work (building and parsing
//! JSON) is counted against the server's rate, as it would be on any 2-core run.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use ledger::{Auth, Statement, Timestamp};
use serde_json::{json, Value};

use crate::db::Throwaway;
use crate::proof::ChildServer;
use crate::report::{comment, figure, progress};
use crate::workload::now_millis;
use crate::{BenchResult, Settings};

/// Concurrent clients, each with one comment in flight: the 16.
pub const CLIENTS: usize = 16;
/// How often the lag sampler asks `/healthz`.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);
/// How long the read models may take to include the last timed comment after it.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a long run says how far it got.
const TICK: Duration = Duration::from_secs(10);
/// The server's per-address limit, lifted: every client of the bench is 127.0.0.1.
const LIFTED_PER_MINUTE: u32 = 1_000_000_000;

const INSTITUTION: &str = "BENCHMIN";
const DRAFTER: &str = "bench-drafter";
const DRAFT: &str = "BENCH-DRAFT";
const CONSULTATION: &str = "BENCH-CONS";

/// Comments run untimed before each timed run: enough for the connections to open and the
/// caches to fill, small against the timed run.
fn warm_up(comments: u64) -> u64 {
    (comments / 10).clamp(100, 1_000)
}

/// Measures the comment figures.
///
/// # Errors
/// When a database or server cannot be started, the consultation cannot be opened, or
/// any comment is refused.
pub async fn figures(server_url: &str, settings: &Settings) -> BenchResult<()> {
    let warm = warm_up(settings.comments);
    comment(&format!(
        "comments: one consultation, {CLIENTS} clients over HTTP, unique texts, rate limit \
         lifted ({LIFTED_PER_MINUTE}/min); {} timed comments per figure after {warm} \
         warm-up comments; fill to {} comments",
        settings.comments, settings.comments_fill
    ));
    let db = Throwaway::create(server_url, "comments").await?;
    comment(&format!(
        "comments database: {} (throwaway), served by a separate `sijill serve` process",
        db.name
    ));
    let data = data_dir("comments-pg");
    let result = on_postgres(&db.url, &data, settings).await;
    db.drop_now().await;
    let _ = std::fs::remove_dir_all(&data);
    result?;

    let data = data_dir("comments-sqlite");
    comment(&format!(
        "comments on SQLite: the server's default store, {}",
        data.join("sijill.db").display()
    ));
    let result = on_sqlite(&data, settings).await;
    let _ = std::fs::remove_dir_all(&data);
    result
}

fn data_dir(label: &str) -> PathBuf {
    let data = std::env::temp_dir().join(format!("sijill-bench-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    data
}

fn serve_args() -> Vec<String> {
    vec![
        "--public-comments-per-minute".into(),
        LIFTED_PER_MINUTE.to_string(),
    ]
}

async fn on_postgres(url: &str, data: &Path, settings: &Settings) -> BenchResult<()> {
    let mut child = ChildServer::start(data, Some(url), &serve_args()).await?;
    let result = postgres_figures(&mut child, url, data, settings).await;
    child.stop().await;
    result
}

async fn postgres_figures(
    child: &mut ChildServer,
    url: &str,
    data: &Path,
    settings: &Settings,
) -> BenchResult<()> {
    let mut base = format!("http://{}", child.addr);
    open_consultation(&base, data).await?;
    let mut posted = 0;
    let warm = warm_up(settings.comments);

    // Anonymous, at the start.
    post_comments(&base, "comments warm-up", posted, warm, false).await?;
    posted += warm;
    let start = timed_with_lag(&base, "comment_rate", posted, settings.comments).await?;
    posted += settings.comments;
    figure("comment_rate", start.rate, 0, "comments/s");
    figure("comment_p99_ms", start.p99_ms, 1, "ms");
    figure("comment_lag_p99_ms", start.lag_p99_ms, 1, "ms");

    // With a name and a unique e-mail each.
    post_comments(&base, "named warm-up", posted, warm, true).await?;
    posted += warm;
    let named = post_comments(&base, "comment_rate_named", posted, settings.comments, true)
        .await?
        .summary("comment_rate_named");
    posted += settings.comments;
    figure("comment_rate_named", named.rate, 0, "comments/s");
    figure("comment_p99_named_ms", named.p99_ms, 1, "ms");

    // Filled, then the same anonymous run again.
    let fill_to = settings.comments_fill.saturating_sub(warm);
    if posted < fill_to {
        let fill = post_comments(&base, "comments fill", posted, fill_to - posted, false).await?;
        comment(&format!(
            "comments: filled from {posted} to {fill_to} comments by {CLIENTS} clients in \
             {:.0} s ({:.0} comments/s)",
            fill.elapsed.as_secs_f64(),
            fill.answers.len() as f64 / fill.elapsed.as_secs_f64()
        ));
        posted = fill_to;
    }
    post_comments(&base, "at-fill warm-up", posted, warm, false).await?;
    posted += warm;
    comment(&format!(
        "comments: the consultation holds {posted} comments before the run at fill"
    ));
    let at_fill = timed_with_lag(&base, "comment_rate_at_fill", posted, settings.comments).await?;
    posted += settings.comments;
    figure("comment_rate_at_fill", at_fill.rate, 0, "comments/s");
    figure("comment_lag_p99_at_fill_ms", at_fill.lag_p99_ms, 1, "ms");
    figure("comment_rate_ratio", at_fill.rate / start.rate, 2, "");
    at_size(&base, url, posted).await?;

    // A restart at that size: SIGTERM, wait, then a new process on the same store.
    progress(&format!(
        "comments: restarting the server at {posted} comments"
    ));
    let stopping = Instant::now();
    child.stop().await;
    let stopped_after = stopping.elapsed();
    let spawned = Instant::now();
    *child = ChildServer::start(data, Some(url), &serve_args()).await?;
    base = format!("http://{}", child.addr);
    let http = reqwest::Client::new();
    let index = post_one(&http, &comments_url(&base), &comment_body(posted, false)).await?;
    let first = spawned.elapsed();
    comment(&format!(
        "comments: restart at {posted} comments: the server stopped {:.0} ms after SIGTERM; \
         the new process listened {:.0} ms after its spawn and answered its first comment \
         (index {index}) 201 after {:.0} ms",
        ms(stopped_after),
        ms(child.listening_after),
        ms(first)
    ));
    figure("restart_first_comment_ms", ms(first), 0, "ms");
    figure("restart_listen_ms", ms(child.listening_after), 0, "ms");
    Ok(())
}

/// What a consultation of `posted` comments costs besides taking comments: reading its
/// record once (`GET /v1/consultations/{id}`, which counts every comment and lists the
/// stream's entries), and the database's size per comment.
async fn at_size(base: &str, url: &str, posted: u64) -> BenchResult<()> {
    let http = reqwest::Client::new();
    let record = format!("{base}/v1/consultations/{CONSULTATION}");
    let mut times = Vec::new();
    for _ in 0..3 {
        let begun = Instant::now();
        let response = http.get(&record).send().await?;
        let status = response.status();
        let bytes = response.bytes().await?.len();
        if !status.is_success() {
            return Err(format!("GET {record}: {status}").into());
        }
        times.push((ms(begun.elapsed()), bytes));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median, bytes) = times[1];
    comment(&format!(
        "comments: GET /v1/consultations/{CONSULTATION} at {posted} comments: {bytes} bytes, \
         {:.0} / {median:.0} / {:.0} ms (fastest, median, slowest of 3)",
        times[0].0, times[2].0
    ));
    figure("consultation_read_ms_at_fill", median, 0, "ms");
    let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(&crate::db::ledger_like_pool(url).await?)
        .await?;
    comment(&format!(
        "comments: the database holds {:.1} MB at {posted} comments",
        size as f64 / 1e6
    ));
    figure(
        "storage_per_comment_bytes",
        size as f64 / posted as f64,
        0,
        "bytes",
    );
    Ok(())
}

async fn on_sqlite(data: &Path, settings: &Settings) -> BenchResult<()> {
    let mut child = ChildServer::start(data, None, &serve_args()).await?;
    let result = async {
        let base = format!("http://{}", child.addr);
        open_consultation(&base, data).await?;
        let warm = warm_up(settings.comments);
        post_comments(&base, "sqlite warm-up", 0, warm, false).await?;
        let run = post_comments(&base, "comment_rate_sqlite", warm, settings.comments, false)
            .await?
            .summary("comment_rate_sqlite");
        figure("comment_rate_sqlite", run.rate, 0, "comments/s");
        figure("comment_p99_sqlite_ms", run.p99_ms, 1, "ms");
        BenchResult::Ok(())
    }
    .await;
    child.stop().await;
    result
}

// ---------------------------------------------------------------------------------------
// The consultation
// ---------------------------------------------------------------------------------------

/// Opens `consultation/BENCH-CONS` through signed statements: the institution and its
/// drafter (by the genesis administrator, whose key the server wrote in `data`), the draft
/// with two articles, and the consultation, open from an hour ago for thirty days.
async fn open_consultation(base: &str, data: &Path) -> BenchResult<()> {
    let http = reqwest::Client::new();
    let note = http
        .get(format!("{base}/v1/log/checkpoint"))
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let origin = note.lines().next().unwrap_or_default().to_owned();
    let admin = keys::load(&data.join("keys/admin.key"))?;
    let drafter = SigningKey::generate(&mut rand::rngs::OsRng);
    let articles = json!([
        {"id": "art-1", "heading": "Objet",
         "text": "La présente loi fixe les modalités de la consultation publique."},
        {"id": "art-2", "heading": "Champ",
         "text": "Elle s'applique aux projets de lois et de textes réglementaires."},
    ]);
    let typed: Vec<domain::participation::Article> = serde_json::from_value(articles.clone())?;
    let hour = 3_600_000;
    let steps = [
        (
            &admin,
            "RegisterInstitution",
            format!("institution/{INSTITUTION}"),
            json!({"name": "Ministère du banc d'essai", "kind": "ministry"}),
        ),
        (
            &admin,
            "RegisterActor",
            format!("registry/{DRAFTER}"),
            json!({"public_key": keys::public_b64(&drafter), "name": "Rédactrice du banc",
                   "institution": INSTITUTION, "roles": ["drafter"]}),
        ),
        (
            &drafter,
            "CreateDraft",
            format!("draft/{DRAFT}"),
            json!({"institution": INSTITUTION, "title": "Projet de loi du banc d'essai",
                   "summary": "Un texte soumis aux commentaires du public."}),
        ),
        (
            &drafter,
            "PublishRevision",
            format!("draft/{DRAFT}"),
            json!({"number": 1, "articles": articles, "articles_document": null,
                   "text_sha256": domain::participation::text_sha256(&typed),
                   "change_summary": "Première version", "motivated_by": []}),
        ),
        (
            &drafter,
            "OpenConsultation",
            format!("consultation/{CONSULTATION}"),
            json!({"draft": DRAFT, "revision": 1, "title": "Consultation du banc d'essai",
                   "summary": "Donnez votre avis article par article.",
                   "opens_at": instant(now_millis() - hour),
                   "closes_at": instant(now_millis() + 30 * 24 * hour)}),
        ),
    ];
    for (key, command, stream, body) in steps {
        let response = http
            .post(format!("{base}/v1/statements"))
            .header("content-type", "application/json")
            .body(signed(key, &origin, command, &stream, body))
            .send()
            .await?;
        let status = response.status();
        if status.as_u16() != 201 {
            let text = response.text().await.unwrap_or_default();
            return Err(format!("{command} {stream}: {status}: {text}").into());
        }
    }
    progress(&format!(
        "comments: consultation/{CONSULTATION} open on {base}"
    ));
    Ok(())
}

/// A statement signed as `sijill submit` signs it (`ledger::Auth::sign`): issued now, a
/// fresh random nonce.
fn signed(key: &SigningKey, origin: &str, command: &str, stream: &str, body: Value) -> String {
    let statement = Statement {
        origin: origin.to_owned(),
        command: command.to_owned(),
        stream: stream.to_owned(),
        body,
        issued_at: instant(now_millis()),
        nonce: format!("{:032x}", rand::random::<u128>()),
    };
    Auth::sign(statement, key).to_value().to_string()
}

fn instant(ms: i64) -> String {
    Timestamp::from_millis(ms).to_entry_string()
}

// ---------------------------------------------------------------------------------------
// Posting comments
// ---------------------------------------------------------------------------------------

fn comments_url(base: &str) -> String {
    format!("{base}/v1/consultations/{CONSULTATION}/comments")
}

/// Comment `n` of the run: a unique text, on the whole text or one of the two articles;
/// when `named`, with a name and a unique e-mail.
fn comment_body(n: u64, named: bool) -> String {
    let article = match n % 3 {
        0 => Value::Null,
        1 => json!("art-1"),
        _ => json!("art-2"),
    };
    let mut body = json!({
        "text": format!(
            "Commentaire n° {n} : cet article gagnerait à préciser les délais de réponse \
             de l'administration et les voies de recours ouvertes aux citoyens."
        ),
        "article": article,
    });
    if named {
        body["author_name"] = json!(format!("Participante {n}"));
        body["author_email"] = json!(format!("participante-{n}@bench.example.org"));
    }
    body.to_string()
}

/// Posts one comment; its index in the log when answered 201.
async fn post_one(http: &reqwest::Client, url: &str, body: &str) -> Result<u64, String> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if status.as_u16() != 201 {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)));
    }
    let receipt: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    receipt["index"]
        .as_u64()
        .ok_or_else(|| format!("a receipt without an index: {receipt}"))
}

/// One comment answered 201.
struct Answered {
    index: u64,
    latency: Duration,
    at: Instant,
}

/// What one run of [`post_comments`] did.
struct Run {
    elapsed: Duration,
    answers: Vec<Answered>,
}

/// The figures of a timed run.
struct Summary {
    rate: f64,
    p99_ms: f64,
    lag_p99_ms: f64,
}

impl Run {
    /// Its rate and p99, with the other quantiles as a comment line.
    fn summary(&self, label: &str) -> Summary {
        let mut latencies: Vec<Duration> = self.answers.iter().map(|a| a.latency).collect();
        latencies.sort_unstable();
        let rate = self.answers.len() as f64 / self.elapsed.as_secs_f64();
        comment(&format!(
            "{label}: {} comments in {:.2} s, latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, \
             max {:.1} ms",
            self.answers.len(),
            self.elapsed.as_secs_f64(),
            ms(quantile(&latencies, 0.50)),
            ms(quantile(&latencies, 0.90)),
            ms(quantile(&latencies, 0.99)),
            ms(quantile(&latencies, 1.0)),
        ));
        Summary {
            rate,
            p99_ms: ms(quantile(&latencies, 0.99)),
            lag_p99_ms: f64::NAN,
        }
    }
}

/// Posts comments `first..first + count` from [`CLIENTS`] clients, each with its own
/// keep-alive connection and one comment in flight; times the whole run, from the first
/// request to the last answer. The first refusal stops the run.
async fn post_comments(
    base: &str,
    label: &str,
    first: u64,
    count: u64,
    named: bool,
) -> BenchResult<Run> {
    let url = Arc::new(comments_url(base));
    let next = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, next, failed) = (url.clone(), next.clone(), failed.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .map_err(|e| e.to_string())?;
                let mut answers = Vec::new();
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let body = comment_body(first + i, named);
                    let sent = Instant::now();
                    match post_one(&http, &url, &body).await {
                        Ok(index) => {
                            let at = Instant::now();
                            answers.push(Answered {
                                index,
                                latency: at - sent,
                                at,
                            });
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            return Err(format!("comment {}: {e}", first + i));
                        }
                    }
                }
                Ok(answers)
            })
        })
        .collect();
    let ticker = {
        let (next, label) = (next.clone(), label.to_owned());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
            loop {
                interval.tick().await;
                let d = next.load(Ordering::Relaxed).min(count);
                let secs = started.elapsed().as_secs_f64();
                progress(&format!(
                    "{label}: {d}/{count} after {secs:.0} s ({:.0}/s)",
                    d as f64 / secs
                ));
            }
        })
    };
    let mut answers = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut error = None;
    for worker in workers {
        match worker.await {
            Ok(Ok(a)) => answers.extend(a),
            Ok(Err(e)) => {
                error.get_or_insert(e);
            }
            Err(e) => {
                error.get_or_insert(format!("a client panicked: {e}"));
            }
        }
    }
    let elapsed = started.elapsed();
    ticker.abort();
    if let Some(e) = error {
        return Err(format!("{label}: {e}").into());
    }
    progress(&format!(
        "{label}: {count} in {:.2} s ({:.0}/s, {CLIENTS} clients)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    ));
    Ok(Run { elapsed, answers })
}

// ---------------------------------------------------------------------------------------
// The read models' lag
// ---------------------------------------------------------------------------------------

/// A timed anonymous run with the `/healthz` sampler beside it: its rate, p99 and p99 lag.
async fn timed_with_lag(base: &str, label: &str, first: u64, count: u64) -> BenchResult<Summary> {
    let until = Arc::new(AtomicU64::new(u64::MAX));
    let mut sampler = tokio::spawn(sample(format!("{base}/healthz"), until.clone()));
    let run = post_comments(base, label, first, count, false).await;
    let last = run
        .as_ref()
        .ok()
        .and_then(|r| r.answers.iter().map(|a| a.index).max());
    until.store(last.map_or(0, |i| i + 1), Ordering::Release);
    let samples = match tokio::time::timeout(CATCH_UP_TIMEOUT, &mut sampler).await {
        Ok(Ok(samples)) => samples?,
        Ok(Err(e)) => return Err(format!("{label}: the sampler panicked: {e}").into()),
        Err(_) => {
            sampler.abort();
            return Err(format!(
                "{label}: the read models did not include the last comment within {} s",
                CATCH_UP_TIMEOUT.as_secs()
            )
            .into());
        }
    };
    let run = run?;
    let mut summary = run.summary(label);
    let mut lags = Vec::with_capacity(run.answers.len());
    for a in &run.answers {
        // The first sample answered after the 201 whose position includes the comment;
        // positions only grow, so both searches are binary.
        let after = samples.partition_point(|(at, _)| *at < a.at);
        let rest = &samples[after..];
        let k = rest.partition_point(|(_, projected)| *projected <= a.index);
        let (at, _) = rest
            .get(k)
            .ok_or_else(|| format!("{label}: no sample saw comment {} projected", a.index))?;
        lags.push(*at - a.at);
    }
    lags.sort_unstable();
    comment(&format!(
        "{label}: read-model lag over {} comments ({} /healthz samples, every {} ms): \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lags.len(),
        samples.len(),
        SAMPLE_EVERY.as_millis(),
        ms(quantile(&lags, 0.50)),
        ms(quantile(&lags, 0.99)),
        ms(quantile(&lags, 1.0)),
    ));
    summary.lag_p99_ms = ms(quantile(&lags, 0.99));
    Ok(summary)
}

/// Asks `/healthz` every [`SAMPLE_EVERY`] until its `projected` reaches `until`; returns
/// each answer's arrival with its `projected`.
async fn sample(url: String, until: Arc<AtomicU64>) -> BenchResult<Vec<(Instant, u64)>> {
    let http = reqwest::Client::new();
    let mut samples = Vec::new();
    let mut interval = tokio::time::interval(SAMPLE_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let health: Value = http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let at = Instant::now();
        let projected = health["projected"]
            .as_u64()
            .ok_or("/healthz without projected")?;
        samples.push((at, projected));
        if projected >= until.load(Ordering::Acquire) {
            return Ok(samples);
        }
    }
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
