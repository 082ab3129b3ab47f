//! Concurrent writers: `writers` tasks take the next command number from a shared counter
//! until `count` are done, so that every writer always has exactly one command in flight,
//! as a client that waits for each answer does.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::report::progress;
use crate::BenchResult;

/// How often a long run says how far it got.
const TICK: Duration = Duration::from_secs(10);

/// What a run of [`drive`] did.
#[derive(Debug)]
pub struct Outcome {
    pub label: String,
    pub count: u64,
    pub elapsed: Duration,
    pub failed: u64,
    pub first_error: Option<String>,
}

impl Outcome {
    /// The elapsed time, provided every command succeeded: a rate that counts refused
    /// commands would not measure what the figure names.
    ///
    /// # Errors
    /// When any command failed, with the first failure's message.
    pub fn clean(self) -> BenchResult<Duration> {
        if self.failed == 0 {
            Ok(self.elapsed)
        } else {
            Err(format!(
                "{}: {} of {} commands failed; first: {}",
                self.label,
                self.failed,
                self.count,
                self.first_error.unwrap_or_default()
            )
            .into())
        }
    }
}

/// Runs `op(0..count)` on `writers` concurrent tasks and times the whole run, from the
/// first command sent to the last answer.
pub async fn drive<F, Fut>(label: &str, count: u64, writers: usize, op: F) -> Outcome
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers.max(1))
        .map(|_| {
            let (op, next, done) = (op.clone(), next.clone(), done.clone());
            let (failed, first_error) = (failed.clone(), first_error.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    if let Err(e) = op(i).await {
                        failed.fetch_add(1, Ordering::Relaxed);
                        first_error
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let ticker = {
        let (done, label) = (done.clone(), label.to_owned());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + TICK, TICK);
            loop {
                interval.tick().await;
                let d = done.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64();
                progress(&format!(
                    "{label}: {d}/{count} after {secs:.0} s ({:.0}/s)",
                    d as f64 / secs
                ));
            }
        })
    };
    let mut panicked = None;
    for task in tasks {
        if let Err(e) = task.await {
            panicked.get_or_insert(e.to_string());
        }
    }
    let elapsed = started.elapsed();
    ticker.abort();
    let mut first_error = first_error.lock().unwrap_or_else(|p| p.into_inner()).take();
    let mut failed = failed.load(Ordering::Relaxed);
    if let Some(p) = panicked {
        failed += 1;
        first_error.get_or_insert(format!("a writer panicked: {p}"));
    }
    progress(&format!(
        "{label}: {count} in {:.2} s ({:.0}/s, {writers} writers, {failed} failed)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    ));
    Outcome {
        label: label.to_owned(),
        count,
        elapsed,
        failed,
        first_error,
    }
}
