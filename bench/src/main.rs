//! Sijill's benchmark: the figures of the performance issue, measured against PostgreSQL
//! and printed one per line as `bench: <name> = <value> <unit>`, with the machine facts and
//! the databases used as `bench: # ...` comment lines. Progress goes to standard error.
//!
//! Four groups, each runnable alone with `--only`:
//! - `append` ([`append`], [`plain_cqrs`]): commands per second through the ledger's
//!   `Service::submit_statement` and through plain cqrs-es + postgres-es, 1 and 16 writers;
//! - `verify` ([`verify`]): offline verification of an export against raw batch
//!   verification on the same cores;
//! - `proof` ([`proof`]): inclusion-proof latency and peak memory of a separate server
//!   process filled over HTTP;
//! - `comments` ([`comments`]): public comments on one consultation over HTTP, 16 clients,
//!   on PostgreSQL and SQLite: rate, latency, read-model lag, at the start and once the
//!   consultation is filled, and the first comment after a restart.
//!
//! Every run works in throwaway databases ([`db`]) created on the given server and dropped
//! at the end, so nothing it measures depends on what an earlier run left.

mod append;
mod comments;
mod db;
mod drive;
mod facts;
mod plain_cqrs;
mod proof;
mod report;
mod verify;
mod workload;

use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

/// Errors end a figure group; they are strings because the bench only reports them.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(Debug, Parser)]
#[command(
    name = "bench",
    about = "Sijill's append, verify, proof and public comment figures against PostgreSQL"
)]
struct Args {
    /// The PostgreSQL server to measure on (any database on it: throwaway databases are
    /// created beside it and dropped after).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    /// Timed commands per append figure (after a warm-up).
    #[arg(long, default_value_t = 50_000)]
    commands: u64,
    /// Entries the proof server is filled with before its proofs are measured.
    #[arg(long, default_value_t = 1_000_000)]
    proof_entries: u64,
    /// Entries of the export that is verified [default: 4 x --commands, so 200,000].
    #[arg(long)]
    verify_entries: Option<u64>,
    /// Timed public comments per comment figure (after a warm-up).
    #[arg(long, default_value_t = 5_000)]
    comments: u64,
    /// Comments the PostgreSQL consultation holds before its rate is measured again and
    /// the server restarted.
    #[arg(long, default_value_t = 100_000)]
    comments_fill: u64,
    /// Runs one figure group only.
    #[arg(long, value_enum)]
    only: Option<Group>,
    #[command(subcommand)]
    hidden: Option<Hidden>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Group {
    Append,
    Verify,
    Proof,
    Comments,
}

#[derive(Debug, Subcommand)]
enum Hidden {
    /// Runs `sijill serve` with these arguments: the proof figures measure a separate
    /// process running the real server code, and re-executing this binary avoids
    /// depending on where a `sijill` binary was built.
    #[command(hide = true)]
    ServeChild {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Hidden::ServeChild { args }) = args.hidden {
        return proof::serve_child(args).await;
    }
    // The in-process servers log through tracing only when asked to (RUST_LOG): at the
    // end their pools lose the dropped databases, and that noise is not a figure.
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let started = Instant::now();
    // A run stopped by SIGINT or SIGTERM still drops its databases and stops its child
    // server; without this, both outlive it (SIGKILL cannot be helped).
    let ok = tokio::select! {
        ok = run(&args) => ok,
        signal = interrupted() => {
            report::comment(&format!("INTERRUPTED by {signal}: the figures above are all this run measured"));
            proof::stop_child_now();
            db::drop_all_left().await;
            false
        }
    };
    report::progress(&format!(
        "finished in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Waits for SIGINT or SIGTERM and names it.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return "SIGINT";
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

/// Runs the selected groups; a group that fails is reported and the others still run.
async fn run(args: &Args) -> bool {
    let settings = Settings::from_args(args);
    report::comment(&format!(
        "command: bench --commands {} --proof-entries {} --verify-entries {} --comments {} \
         --comments-fill {}{}",
        settings.commands,
        settings.proof_entries,
        settings.verify_entries,
        settings.comments,
        settings.comments_fill,
        args.only
            .map(|g| format!(" --only {g:?}").to_lowercase())
            .unwrap_or_default()
    ));
    facts::print(&args.database_url).await;
    settings.warn_if_below_issue_minimums();

    let wants = |g: Group| args.only.is_none() || args.only == Some(g);
    let mut ok = true;
    // The ledger of the append figures is reused (and topped up) for the export.
    let mut ledger: Option<append::Ledger> = None;
    if wants(Group::Append) {
        match append::figures(&args.database_url, &settings).await {
            Ok(l) => ledger = Some(l),
            Err(e) => {
                report::failure("append", &*e);
                ok = false;
            }
        }
    }
    if wants(Group::Verify) {
        let result = match ledger.take() {
            Some(l) => verify::figures(l, &settings).await,
            None => match append::Ledger::start(&args.database_url, "verify").await {
                Ok(l) => verify::figures(l, &settings).await,
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            report::failure("verify", &*e);
            ok = false;
        }
    } else if let Some(l) = ledger.take() {
        l.close().await;
    }
    if wants(Group::Proof) {
        if let Err(e) = proof::figures(&args.database_url, &settings).await {
            report::failure("proof", &*e);
            ok = false;
        }
    }
    if wants(Group::Comments) {
        if let Err(e) = comments::figures(&args.database_url, &settings).await {
            report::failure("comments", &*e);
            ok = false;
        }
    }
    ok
}

/// The sizes a run works with.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub commands: u64,
    pub proof_entries: u64,
    pub verify_entries: u64,
    pub comments: u64,
    pub comments_fill: u64,
}

/// What the issue asks for at least; smaller runs are quick checks, and say so.
const ISSUE_COMMANDS: u64 = 50_000;
const ISSUE_VERIFY_ENTRIES: u64 = 200_000;
const ISSUE_PROOF_ENTRIES: u64 = 1_000_000;
const ISSUE_COMMENTS_FILL: u64 = 100_000;

impl Settings {
    fn from_args(args: &Args) -> Self {
        Self {
            commands: args.commands.max(1),
            proof_entries: args.proof_entries.max(2),
            verify_entries: args.verify_entries.unwrap_or(4 * args.commands).max(2),
            comments: args.comments.max(1),
            comments_fill: args.comments_fill,
        }
    }

    fn warn_if_below_issue_minimums(&self) {
        if self.commands < ISSUE_COMMANDS
            || self.verify_entries < ISSUE_VERIFY_ENTRIES
            || self.proof_entries < ISSUE_PROOF_ENTRIES
            || self.comments_fill < ISSUE_COMMENTS_FILL
        {
            report::comment(
                "QUICK RUN: sizes below the issue's (50,000 commands, 200,000 verified \
                 entries, 1,000,000 proof entries, 100,000 comments filled); these figures \
                 are not the issue's",
            );
        }
    }
}
