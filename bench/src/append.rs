//! `ledger_append_1`, `ledger_append_16` (and, through [`crate::plain_cqrs`],
//! `cqrs_append_1`, `cqrs_append_16`, `append_ratio_1`, `append_ratio_16`): commands per
//! second and the ledger's over plain cqrs-es's at each writer count, each command
//! a `RegisterInstitution` on a fresh stream, through `Service::submit_statement`.
//!
//! `submit_statement` is everything `POST /v1/statements` does except HTTP: parsing, the
//! actor's signature check, nonce, role and domain checks, the signed and chained append
//! with its Merkle update and checkpoint, and the wait for the read models. The server is
//! the real one (`sijill::serve::start`), on a throwaway PostgreSQL database, so its
//! background tasks (projections) compete for the cores as they would in production.
//!
//! Both systems run in the same database, one after the other for each writer count, so
//! that they meet the same server state; the ledger goes first at each count.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sijill::serve::{Running, ServeOptions};

use crate::db::Throwaway;
use crate::drive::drive;
use crate::plain_cqrs::Plain;
use crate::report::{comment, figure, progress};
use crate::workload::{Issuer, SIGN_ROUND};
use crate::{BenchResult, Settings};

/// The writer counts of the figures.
const WRITER_COUNTS: [usize; 2] = [1, 16];

/// Commands run untimed before each figure: enough for the pools to open their connections
/// and the caches to fill, small against the timed run.
pub fn warm_up(commands: u64) -> u64 {
    (commands / 10).clamp(100, 2_000)
}

/// Measures the append figures; returns the ledger, which the verify group reuses.
///
/// # Errors
/// When a database or server cannot be started, or any command fails.
pub async fn figures(server_url: &str, settings: &Settings) -> BenchResult<Ledger> {
    let mut ledger = Ledger::start(server_url, "append").await?;
    let plain = Plain::start(&ledger.db.url).await?;
    comment(&format!(
        "append database: {} (throwaway), shared by the ledger (its own tables) and plain \
         cqrs-es (tables plain_events, plain_snapshots)",
        ledger.db.name
    ));
    let warm = warm_up(settings.commands);
    comment(&format!(
        "append: {} timed commands per figure after {warm} warm-up commands",
        settings.commands
    ));
    let mut rates = [0.0; 2];
    for (slot, writers) in WRITER_COUNTS.into_iter().enumerate() {
        ledger
            .run(&format!("ledger warm-up {writers}"), writers, warm)
            .await?;
        let elapsed = ledger
            .run(
                &format!("ledger_append_{writers}"),
                writers,
                settings.commands,
            )
            .await?;
        let ledger_rate = settings.commands as f64 / elapsed.as_secs_f64();
        figure(
            &format!("ledger_append_{writers}"),
            ledger_rate,
            0,
            "commands/s",
        );

        plain
            .run(&format!("cqrs warm-up {writers}"), writers, warm)
            .await?;
        let elapsed = plain
            .run(
                &format!("cqrs_append_{writers}"),
                writers,
                settings.commands,
            )
            .await?;
        let plain_rate = settings.commands as f64 / elapsed.as_secs_f64();
        figure(
            &format!("cqrs_append_{writers}"),
            plain_rate,
            0,
            "commands/s",
        );
        rates[slot] = ledger_rate / plain_rate;
    }
    figure("append_ratio_1", rates[0], 2, "");
    figure("append_ratio_16", rates[1], 2, "");
    plain.close().await;
    Ok(ledger)
}

/// A running in-process ledger server on its own throwaway database, and a client holding
/// its genesis administrator's key.
pub struct Ledger {
    pub running: Running,
    pub issuer: Arc<Issuer>,
    pub db: Throwaway,
    data: PathBuf,
    /// The number of the next `institution/B<n>` stream to create.
    next: u64,
}

impl Ledger {
    /// Creates a throwaway database and starts a server on it, listening on a free port.
    ///
    /// # Errors
    /// When the database or the server cannot be started.
    pub async fn start(server_url: &str, label: &str) -> BenchResult<Self> {
        let db = Throwaway::create(server_url, label).await?;
        let data =
            std::env::temp_dir().join(format!("sijill-bench-{}-{label}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let running = sijill::serve::start(&ServeOptions {
            data: data.clone(),
            database_url: Some(db.url.clone()),
            listen: "127.0.0.1:0".into(),
            origin: None,
            demo: false,
            public_comments_per_minute: engine::public_channel::DEFAULT_PUBLIC_COMMENTS_PER_MINUTE,
            snapshot_every: engine::event_store::DEFAULT_SNAPSHOT_EVERY,
            persons_key: None,
            persons_epoch_hours: engine::public_channel::persons::DEFAULT_EPOCH_HOURS,
            witnesses: Default::default(),
            trusted_proxies: Vec::new(),
            connections: Default::default(),
        })
        .await?;
        progress(&format!(
            "in-process server on http://{} ({})",
            running.addr, db.name
        ));
        let key = keys::load(&data.join("keys/admin.key"))?;
        let issuer = Arc::new(Issuer {
            key,
            origin: running.service.origin.clone(),
        });
        Ok(Self {
            running,
            issuer,
            db,
            data,
            next: 0,
        })
    }

    /// The number of entries the log holds.
    pub fn tree_size(&self) -> u64 {
        self.running.service.sequencer.known_size()
    }

    /// Submits `count` new commands with `writers` concurrent writers and returns the
    /// time they took, signing excluded: statements are signed in rounds (see
    /// [`SIGN_ROUND`]) and only the submission of each round is timed.
    ///
    /// # Errors
    /// When any command is refused or fails.
    pub async fn run(&mut self, label: &str, writers: usize, count: u64) -> BenchResult<Duration> {
        let mut timed = Duration::ZERO;
        let mut left = count;
        while left > 0 {
            let n = left.min(SIGN_ROUND);
            let first = self.next;
            self.next += n;
            left -= n;
            let issuer = self.issuer.clone();
            let statements =
                Arc::new(tokio::task::spawn_blocking(move || issuer.sign(first..first + n)).await?);
            let service = self.running.service.clone();
            let outcome = drive(label, n, writers, move |i| {
                let (service, statements) = (service.clone(), statements.clone());
                async move {
                    let body = &statements[usize::try_from(i).unwrap_or(usize::MAX)];
                    // An appended statement is a success value; anything else a refusal.
                    service
                        .submit_statement(body)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
            })
            .await;
            timed += outcome.clean()?;
        }
        Ok(timed)
    }

    /// Stops serving and drops the database and the data folder.
    pub async fn close(self) {
        self.running.server.abort();
        self.running.service.db.close().await;
        self.db.drop_now().await;
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
