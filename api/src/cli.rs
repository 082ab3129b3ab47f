//! The `sijill` command line (api.md, "One binary"): argument parsing and dispatch.
//! Each subcommand's work lives in its own module; this file only wires them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::public_channel::DEFAULT_PUBLIC_COMMENTS_PER_MINUTE;
use crate::serve::{ServeOptions, DEFAULT_ORIGIN};

#[derive(Debug, Parser)]
#[command(
    name = "sijill",
    version,
    about = "A signed, append-only ledger of public support and consultations"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Starts the server (SQLite in the data folder unless a postgres:// URL is given).
    Serve {
        /// Data folder: keys and the SQLite store.
        #[arg(long, default_value = "./sijill-data")]
        data: PathBuf,
        /// A postgres:// URL selects PostgreSQL; the default is an SQLite file in --data.
        #[arg(long, env = "SIJILL_DATABASE_URL")]
        database_url: Option<String>,
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The log's origin, fixed by the genesis entry at the first start.
        #[arg(long, help = format!("The log's origin, fixed at the first start [default: {DEFAULT_ORIGIN}]"))]
        origin: Option<String>,
        /// On an empty store, first record a demo story of public support to associations
        /// (its origin then defaults to sijill.local/ledger-demo); see docs/demo.md.
        #[arg(long)]
        demo: bool,
        /// Public comments one client address may post per minute (at least 1).
        #[arg(long, default_value_t = DEFAULT_PUBLIC_COMMENTS_PER_MINUTE,
              value_parser = clap::value_parser!(u32).range(1..))]
        public_comments_per_minute: u32,
    },
    /// Writes a new private key file (PKCS#8 PEM, mode 0600) and prints the public key.
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Signs a statement and posts it; prints the server's JSON answer.
    Submit {
        #[arg(long)]
        server: String,
        #[arg(long)]
        key: PathBuf,
        #[arg(long)]
        command: String,
        #[arg(long)]
        stream: String,
        /// JSON body; standard input when absent.
        #[arg(long)]
        body: Option<PathBuf>,
    },
    /// Uploads a document and prints its SHA-256.
    Upload {
        #[arg(long)]
        server: String,
        #[arg(long)]
        key: PathBuf,
        document: PathBuf,
    },
    /// Writes the export folder of ledger-format.md.
    Export {
        #[arg(long)]
        server: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes a static mirror of the log (C2SP tlog-tiles) that a plain file server can
    /// serve; run again to bring it up to date (docs/tiles.md).
    Mirror {
        /// A Sijill server, or a static mirror's base URL.
        #[arg(long)]
        server: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Computes the commitment's indicators offline from an export folder, printing the
    /// JSON `GET /v1/indicators` answers for the same year and tree size.
    Indicators {
        dir: PathBuf,
        /// Fiscal year (default: the year of the last entry read).
        #[arg(long)]
        year: Option<i32>,
        /// Read only the first N entries (default: all).
        #[arg(long)]
        size: Option<u64>,
    },
    /// Verifies an export offline.
    Verify {
        dir: PathBuf,
        /// A note verifier key string trusted instead of DIR/log.pub.
        #[arg(long)]
        log_key: Option<String>,
    },
}

/// The whole `sijill` program: logging to standard error (level from `RUST_LOG`, default
/// warnings), then the command line. Shared by the binary and the end-to-end tests' copy.
pub async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    run(Cli::parse()).await
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Serve {
            data,
            database_url,
            listen,
            origin,
            demo,
            public_comments_per_minute,
        } => {
            crate::serve_cli::run(ServeOptions {
                data,
                database_url,
                listen,
                origin,
                demo,
                public_comments_per_minute,
            })
            .await
        }
        Command::Keygen { out } => crate::client::keygen(&out),
        Command::Submit {
            server,
            key,
            command,
            stream,
            body,
        } => crate::client::submit(&server, &key, &command, &stream, body.as_deref()).await,
        Command::Upload {
            server,
            key,
            document,
        } => crate::client::upload(&server, &key, &document).await,
        Command::Export { server, out } => crate::client::export(&server, &out).await,
        Command::Mirror { server, out } => crate::mirror::run(&server, &out).await,
        Command::Indicators { dir, year, size } => {
            tokio::task::spawn_blocking(move || crate::indicators::run(&dir, year, size))
                .await
                .unwrap_or(ExitCode::from(2))
        }
        Command::Verify { dir, log_key } => {
            tokio::task::spawn_blocking(move || crate::verify::run(&dir, log_key.as_deref()))
                .await
                .unwrap_or(ExitCode::from(2))
        }
    }
}
