//! The `sijill` command line (docs/spec/api.md, section 7): argument parsing and dispatch.
//! Each subcommand's work lives in its own module; this file only wires them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::serve::{ServeOptions, DEFAULT_ORIGIN};
use engine::public_channel::DEFAULT_PUBLIC_COMMENTS_PER_MINUTE;

/// Timeouts and the connection cap of a listening command (docs/hardening.md).
#[derive(Debug, clap::Args)]
pub struct ConnectionArgs {
    /// Seconds a client has to send a request's line and headers (and the longest a
    /// kept-alive connection waits for its next request).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Seconds a client has to send a request's whole body, from the end of its headers.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    body_timeout: u64,
    /// Seconds without a byte either way after which a connection is closed.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// Open connections at most; a new one beyond is closed at once.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    max_connections: u64,
}

impl ConnectionArgs {
    pub fn limits(&self) -> connections::ConnectionLimits {
        use std::time::Duration;
        connections::ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
        }
    }
}

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
        /// Entries a long stream grows by, at least, between two snapshots of its aggregate
        /// (at least 1); see docs/scaling.md.
        #[arg(long, default_value_t = engine::event_store::DEFAULT_SNAPSHOT_EVERY,
              value_parser = clap::value_parser!(u64).range(1..))]
        snapshot_every: u64,
        #[command(flatten)]
        persons: PersonsOptions,
        /// A witness to send each new checkpoint to, as URL=WITNESS_KEY (repeatable; the
        /// URL holds no '='); see docs/witnesses.md.
        #[arg(long = "witness", value_name = "URL=WITNESS_KEY")]
        witnesses: Vec<engine::cosigning::WitnessTarget>,
        /// Cosignatures a checkpoint needs to count as cosigned [default: all witnesses].
        #[arg(long)]
        witness_quorum: Option<usize>,
        /// A reverse proxy's address range, as CIDR (repeatable; IPv4 or IPv6): from a peer
        /// inside one, the client is read from X-Forwarded-For; see docs/hardening.md.
        #[arg(long = "trusted-proxy", value_name = "CIDR")]
        trusted_proxies: Vec<engine::public_channel::client_addr::Cidr>,
        #[command(flatten)]
        connections: ConnectionArgs,
    },
    /// Runs a C2SP tlog-witness for the logs whose keys are given (docs/witnesses.md).
    Witness {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// The witness's private key file (PKCS#8 PEM, 0600; created if missing).
        #[arg(long)]
        key: PathBuf,
        /// The witness's name, in its key and cosignature lines.
        #[arg(long, default_value = witness::DEFAULT_WITNESS_NAME)]
        name: String,
        /// A log's note verifier key string (repeatable); its name is the log's origin.
        #[arg(long = "log-key", required = true)]
        log_keys: Vec<String>,
        /// Folder of the latest checkpoint cosigned per log, kept across restarts.
        #[arg(long, default_value = "./sijill-witness")]
        state: PathBuf,
    },
    /// Writes the offline proof file of one entry (docs/witnesses.md).
    Prove {
        #[arg(long)]
        server: String,
        #[arg(long)]
        index: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Checks a proof file offline: the entry, its inclusion, the checkpoint and its
    /// witnesses' cosignatures.
    VerifyProof {
        file: PathBuf,
        /// The log's note verifier key string; repeatable, for the keys of log.pub after a
        /// rotation (docs/key-rotation.md).
        #[arg(long = "log-key", required = true)]
        log_keys: Vec<String>,
        /// A trusted witness's key (repeatable).
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Cosignatures required [default: every --witness].
        #[arg(long)]
        quorum: Option<usize>,
        /// A public comment's receipt the proven entry must match.
        #[arg(long)]
        receipt: Option<PathBuf>,
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
    /// Writes the export folder of docs/spec/ledger-format.md.
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
        /// A trusted witness's key (repeatable): the checkpoint must carry its cosignature.
        #[arg(long = "witness")]
        witnesses: Vec<String>,
        /// Cosignatures required [default: every --witness].
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// Rebuilds an empty store from an export folder and the data folder's log key,
    /// after verifying it (exit 1 with the verifier's line if it fails, 2 if refused).
    /// See docs/backup-restore.md.
    Import {
        dir: PathBuf,
        #[command(flatten)]
        store: StoreOptions,
    },
    /// Writes the personal-data store and the public comments' client tokens to an
    /// encrypted file (mode 0600), which no export holds.
    PersonsBackup {
        #[command(flatten)]
        store: StoreOptions,
        #[command(flatten)]
        persons: PersonsOptions,
        #[arg(long)]
        out: PathBuf,
    },
    /// Restores a persons backup into a store that holds its log; persons the log erased
    /// stay erased.
    PersonsRestore {
        #[command(flatten)]
        store: StoreOptions,
        #[command(flatten)]
        persons: PersonsOptions,
        #[arg(long)]
        from: PathBuf,
    },
    /// Makes a new log key in the data folder of an existing log (keys/log-<id>.key, mode
    /// 0600) and prints its note verifier key string, for an administrator's RotateLogKey
    /// statement. See docs/key-rotation.md.
    NewLogKey {
        #[command(flatten)]
        store: StoreOptions,
    },
    /// Rebuilds every read model from the log (servers stopped) and prints a digest of
    /// their contents before and after.
    Replay {
        #[command(flatten)]
        store: StoreOptions,
    },
    /// Follows a log: checks each new checkpoint's consistency with the last one seen and
    /// every new entry, and reports forks, rollbacks, invalid entries and watched entries
    /// (exit 1 on any fault of the log). See docs/monitor.md.
    Monitor {
        /// Base URL of the server.
        #[arg(long)]
        server: String,
        /// Folder where the monitor keeps what it has verified (created if missing).
        #[arg(long)]
        state: PathBuf,
        /// A stream (offer/OFR-1), a stream type (offer/), an actor id or an actor key to
        /// report new entries of; repeatable.
        #[arg(long)]
        watch: Vec<String>,
        /// The log's note verifier key; by default the server's, trusted on first use.
        #[arg(long)]
        log_key: Option<String>,
        /// Keep following the log instead of checking once.
        #[arg(long)]
        follow: bool,
        /// Seconds between two looks at the log with --follow.
        #[arg(long, default_value_t = 30)]
        interval: u64,
    },
}

/// The store a maintenance command works on, as `serve` takes it.
#[derive(Debug, clap::Args)]
pub struct StoreOptions {
    /// Data folder: keys and the SQLite store.
    #[arg(long, default_value = "./sijill-data")]
    data: PathBuf,
    /// A postgres:// URL selects PostgreSQL; the default is an SQLite file in --data.
    #[arg(long, env = "SIJILL_DATABASE_URL")]
    database_url: Option<String>,
}

/// Where the personal-data secret is, and how long an epoch of its wrapping keys lasts
/// (docs/public-channel.md), for every command that reads or writes personal data.
#[derive(Debug, clap::Args)]
pub struct PersonsOptions {
    /// The personal-data secret (mode 0600); its epoch key file is PATH.epoch next to it.
    /// Default: persons.secret in the data folder, created on a new store.
    #[arg(long, value_name = "PATH")]
    persons_key: Option<PathBuf>,
    /// Hours an epoch key wraps personal data; an erased person's data stops opening at
    /// most two epochs after the erasure.
    #[arg(long, default_value_t = engine::public_channel::persons::DEFAULT_EPOCH_HOURS,
          value_parser = clap::value_parser!(u64).range(1..=12))]
    persons_epoch_hours: u64,
}

impl PersonsOptions {
    fn config(&self, data: &std::path::Path) -> engine::public_channel::persons::PersonsConfig {
        engine::public_channel::persons::PersonsConfig::new(
            data,
            self.persons_key.as_deref(),
            self.persons_epoch_hours,
        )
    }
}

impl From<StoreOptions> for engine::restore::StoreArgs {
    fn from(o: StoreOptions) -> Self {
        Self {
            data: o.data,
            database_url: o.database_url,
        }
    }
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
            snapshot_every,
            persons,
            witnesses,
            witness_quorum,
            trusted_proxies,
            connections,
        } => {
            crate::serve_cli::run(ServeOptions {
                data,
                database_url,
                listen,
                origin,
                demo,
                public_comments_per_minute,
                snapshot_every,
                persons_key: persons.persons_key,
                persons_epoch_hours: persons.persons_epoch_hours,
                witnesses: engine::cosigning::WitnessPolicy {
                    witnesses,
                    quorum: witness_quorum,
                },
                trusted_proxies,
                connections: connections.limits(),
            })
            .await
        }
        Command::Keygen { out } => client::submit::keygen(&out),
        Command::Submit {
            server,
            key,
            command,
            stream,
            body,
        } => client::submit::submit(&server, &key, &command, &stream, body.as_deref()).await,
        Command::Upload {
            server,
            key,
            document,
        } => client::submit::upload(&server, &key, &document).await,
        Command::Export { server, out } => client::submit::export(&server, &out).await,
        Command::Mirror { server, out } => client::mirror::run(&server, &out).await,
        Command::Indicators { dir, year, size } => {
            tokio::task::spawn_blocking(move || client::indicators::run(&dir, year, size))
                .await
                .unwrap_or(ExitCode::from(2))
        }
        Command::Monitor {
            server,
            state,
            watch,
            log_key,
            follow,
            interval,
        } => {
            client::monitor::run(client::monitor::MonitorOptions {
                server,
                state,
                watch,
                log_key,
                follow,
                interval: std::time::Duration::from_secs(interval.max(1)),
            })
            .await
        }
        Command::Import { dir, store } => engine::restore::import::run(&dir, &store.into()).await,
        Command::PersonsBackup {
            store,
            persons,
            out,
        } => {
            let config = persons.config(&store.data);
            engine::restore::persons_backup::run_backup(&store.into(), &config, &out).await
        }
        Command::PersonsRestore {
            store,
            persons,
            from,
        } => {
            let config = persons.config(&store.data);
            engine::restore::persons_backup::run_restore(&store.into(), &config, &from).await
        }
        Command::NewLogKey { store } => engine::log_keys::run_new_key(&store.into()).await,
        Command::Replay { store } => engine::restore::replay::run(&store.into()).await,
        Command::Verify {
            dir,
            log_key,
            witnesses,
            quorum,
        } => tokio::task::spawn_blocking(move || {
            if log_key.is_none() {
                eprintln!("{}", client::verify::unpinned_key_warning(&dir));
            }
            if witnesses.is_empty() && quorum.is_none() {
                client::verify::run(&dir, log_key.as_deref())
            } else {
                client::verify_cosigned::run(&dir, log_key.as_deref(), &witnesses, quorum)
            }
        })
        .await
        .unwrap_or(ExitCode::from(2)),
        Command::Witness {
            listen,
            key,
            name,
            log_keys,
            state,
        } => {
            witness::run(witness::WitnessOptions {
                listen,
                key,
                name,
                log_keys,
                state,
            })
            .await
        }
        Command::Prove { server, index, out } => client::proofs::prove(&server, index, &out).await,
        Command::VerifyProof {
            file,
            log_keys,
            witnesses,
            quorum,
            receipt,
        } => client::proofs::verify_proof(&client::proofs::VerifyProofOptions {
            file: &file,
            log_keys: &log_keys,
            witnesses: &witnesses,
            quorum,
            receipt: receipt.as_deref(),
        }),
    }
}
