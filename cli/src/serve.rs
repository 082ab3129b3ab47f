//! `sijill serve`: open the store, check or create the keys and the genesis, start the
//! append path and the projections, and serve HTTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use domain::Clock;
use ledger::VerifierKey;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use demo::Demo;
use engine::clock::ScriptableClock;
use engine::log_keys::LogKeyRing;
use engine::public_channel::client_addr::{Cidr, TrustedProxies};
use engine::public_channel::persons::{PersonStore, PersonsConfig};
use engine::public_channel::rate_limit::RateLimiter;
use engine::public_channel::{erasure, PublicChannel};
use engine::service::{Service, ServiceParts};
use engine::{projector, sequencer};
use store::{Backend, Db};

/// The origin of a log whose first start named none (docs/spec/ledger-format.md).
pub const DEFAULT_ORIGIN: &str = "sijill.local/ledger";

/// Options of `sijill serve`.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub data: PathBuf,
    pub database_url: Option<String>,
    pub listen: String,
    pub origin: Option<String>,
    /// Record the demo story first, on an empty store (docs/demo.md).
    pub demo: bool,
    /// Public comments one client address may post per minute (docs/public-channel.md);
    /// [`engine::public_channel::DEFAULT_PUBLIC_COMMENTS_PER_MINUTE`] unless set.
    pub public_comments_per_minute: u32,
    /// Entries a long stream grows by, at least, between two snapshots of its aggregate
    /// ([`engine::event_store::DEFAULT_SNAPSHOT_EVERY`] unless set; docs/scaling.md).
    pub snapshot_every: u64,
    /// The personal-data secret's file (`DATA/persons.secret` when `None`); its epoch key
    /// file is next to it (docs/public-channel.md).
    pub persons_key: Option<PathBuf>,
    /// Hours an epoch key wraps personal data (1 to 12;
    /// [`engine::public_channel::persons::DEFAULT_EPOCH_HOURS`] by default).
    pub persons_epoch_hours: u64,
    /// Witnesses to send each new checkpoint to, and their quorum (docs/witnesses.md).
    pub witnesses: engine::cosigning::WitnessPolicy,
    /// Reverse proxies whose `X-Forwarded-For` names the client (docs/hardening.md).
    pub trusted_proxies: Vec<Cidr>,
    /// Timeouts and the connection cap (docs/hardening.md).
    pub connections: connections::ConnectionLimits,
}

/// A started server.
pub struct Running {
    pub addr: SocketAddr,
    pub service: Arc<Service>,
    /// What the server printed about its keys on start-up.
    pub banner: String,
    pub server: JoinHandle<std::io::Result<()>>,
}

/// Why the server refused to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Open(#[from] store::OpenError),
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("database error: {0}")]
    Db(#[from] store::Error),
    #[error("{0}")]
    Refused(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
}

/// Starts everything and returns once the server accepts requests.
///
/// # Errors
/// [`StartError`]: the store, the keys, or a log key or origin that differs from the
/// genesis entry's (then the process must not serve).
pub async fn start(options: &ServeOptions) -> Result<Running, StartError> {
    // The system clock, which only `--demo` ever holds at other instants.
    let clock = Arc::new(ScriptableClock::default());
    let demo = options.demo.then(|| Demo::plan(clock.clone()));
    start_on(options, clock, demo).await
}

/// [`start`] with the ledger's clock given rather than the system's: the one way to run
/// the real server through a story whose deadlines (an offer's window, a consultation's
/// close) are days apart, without waiting days. Every reading of the time (`recorded_at`,
/// the five-minute `issued_at` check, the domain's decisions) goes through `clock`.
///
/// # Errors
/// As [`start`].
pub async fn start_with_clock(
    options: &ServeOptions,
    clock: Arc<dyn Clock>,
) -> Result<Running, StartError> {
    if options.demo {
        return Err(StartError::Refused(
            "--demo drives the server's own clock; it cannot run on a given one".to_owned(),
        ));
    }
    start_on(options, clock, None).await
}

async fn start_on(
    options: &ServeOptions,
    clock: Arc<dyn Clock>,
    demo: Option<Demo>,
) -> Result<Running, StartError> {
    create_private_dir(&options.data)?;
    let url = match &options.database_url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}?mode=rwc",
            options.data.join("sijill.db").display()
        ),
    };
    let db = Db::open(&url, if url.starts_with("sqlite") { 8 } else { 32 }).await?;
    let (state, _) = db.state().await?;

    let log_key_path = options.data.join("keys/log.key");
    let log_key = if log_key_path.exists() {
        keys::load(&log_key_path)?
    } else if state.tree_size == 0 {
        keys::generate(&log_key_path)?
    } else {
        return Err(StartError::Refused(format!(
            "the store already holds a log, but {} is missing: copy the log key of that log there",
            log_key_path.display()
        )));
    };
    let origin = match (&state.origin, &options.origin) {
        (Some(stored), Some(asked)) if stored != asked => {
            return Err(StartError::Refused(format!(
                "this store's origin is {stored:?} (fixed by its genesis entry), not {asked:?}; refusing to start"
            )))
        }
        (Some(stored), _) => stored.clone(),
        (None, asked) => asked.clone().unwrap_or_else(|| {
            if demo.is_some() {
                demo::DEMO_ORIGIN
            } else {
                DEFAULT_ORIGIN
            }
            .to_owned()
        }),
    };
    let verifier = VerifierKey::new(&origin, log_key.verifying_key()).to_string();
    check_log_key(state.log_key.as_deref(), &verifier)?;

    // The registry as of the tree size read above (from the cross-stream facts' snapshot
    // and the entries after it); the sequencer reads the rest.
    let rebuilt = engine::registry_startup::rebuild(&db, state.tree_size, options.snapshot_every)
        .await
        .map_err(StartError::Refused)?;
    let rebuilt_line = rebuilt.describe();
    let snapshots = engine::snapshots::Snapshots::load(&db, options.snapshot_every).await?;
    let registry = Arc::new(rebuilt.registry);
    // The key in force signs the next entries: this process must hold it (after a
    // rotation, a copy of the key file the rotation made).
    let keys = LogKeyRing::load(&options.data.join("keys"), &origin, log_key.clone())?;
    if let Some(chain) = registry.log_keys() {
        let current = chain.current().to_string();
        if keys.get(&current).is_none() {
            return Err(StartError::Refused(format!(
                "the log key in force is {current}, but no key file in {} holds it: copy it there from the data folder where `sijill new-log-key` made it (docs/key-rotation.md)",
                options.data.join("keys").display()
            )));
        }
    }
    if let (Some(demo), 0) = (&demo, state.tree_size) {
        // A new demo log begins where its story does.
        demo.rewind_clock();
    }
    // Before the log key moves into the sequencer: data kept under the earlier scheme,
    // whose keys were derived from it, is moved under the personal-data secret once. The
    // epochs follow the system clock, never the ledger's scripted one (a demo's story is
    // recorded in the past).
    let persons = PersonStore::open(
        db.clone(),
        &PersonsConfig::new(
            &options.data,
            options.persons_key.as_deref(),
            options.persons_epoch_hours,
        ),
        Arc::new(engine::clock::SystemClock),
        Some(&log_key),
    )
    .await
    .map_err(StartError::Refused)?;
    persons.start_rotation();
    let sequencer = sequencer::start(
        sequencer::SequencerConfig {
            db: db.clone(),
            keys,
            origin: origin.clone(),
            registry: registry.clone(),
            clock: clock.clone(),
            world_snapshots: engine::registry_startup::WorldSnapshots::new(
                db.clone(),
                registry.clone(),
                options.snapshot_every,
                rebuilt.latest_snapshot,
            ),
        },
        state.tree_size,
    );
    let projections = projector::start(db.clone(), sequencer.watch())
        .await
        .map_err(StartError::Refused)?;
    // Before serving: every person an erasure entry names is erased, even if the process
    // that appended it died before doing so.
    erasure::start(db.clone(), persons.clone(), sequencer.watch()).await?;
    let service = Arc::new(Service::new(ServiceParts {
        db: db.clone(),
        origin: origin.clone(),
        log_key: verifier.clone(),
        registry,
        sequencer,
        projections,
        clock,
        snapshots,
        public: PublicChannel {
            persons,
            limiter: RateLimiter::new(options.public_comments_per_minute),
            trusted_proxies: TrustedProxies::new(options.trusted_proxies.clone()),
        },
    }));

    let mut banner = format!(
        "sijill: log {origin} on {} store\nlog key: {verifier} ({})\n",
        match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        log_key_path.display()
    );
    banner.push_str(&rebuilt_line);
    let current = service.current_log_key();
    if current != verifier {
        banner.push_str(&format!("log key in force (after rotation): {current}\n"));
    }
    if state.tree_size == 0 {
        banner.push_str(&genesis(&service, &options.data).await?);
    }
    if let Some(demo) = demo {
        let recorded = demo.record(&service, &options.data).await;
        banner.push_str(&recorded.map_err(|e| StartError::Refused(format!("--demo: {e}")))?);
    }

    let listener = TcpListener::bind(&options.listen)
        .await
        .map_err(|e| StartError::Listen(options.listen.clone(), e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Listen(options.listen.clone(), e))?;
    banner.push_str(&format!("listening on http://{addr}\n"));
    engine::cosigning::start(service.clone(), options.witnesses.clone());
    let app = api::app(
        service.clone(),
        portal::router(),
        portal::not_found::fallback,
    );
    let limits = options.connections.clone();
    let server = tokio::spawn(connections::serve(listener, app, limits, shutdown_signal()));
    Ok(Running {
        addr,
        service,
        banner,
        server,
    })
}

/// Records the genesis entry with a new (or existing) administrator key, unless another
/// process sharing the database did it first.
async fn genesis(service: &Service, data: &Path) -> Result<String, StartError> {
    let admin_path = data.join("keys/admin.key");
    let admin = if admin_path.exists() {
        keys::load(&admin_path)?
    } else {
        keys::generate(&admin_path)?
    };
    let admin_public = keys::public_b64(&admin);
    match service.record_genesis(&admin_public).await {
        Ok(_) => Ok(format!(
            "admin key: {admin_public} ({})\ngenesis entry recorded\n",
            admin_path.display()
        )),
        Err(e) => {
            // Another process may have recorded the genesis meanwhile: then its log key
            // must be ours.
            let (state, _) = service.db.state().await?;
            if state.tree_size > 0 {
                check_log_key(state.log_key.as_deref(), &service.log_key)?;
                Ok(String::new())
            } else {
                Err(StartError::Refused(format!(
                    "cannot record the genesis entry: {}",
                    e.message
                )))
            }
        }
    }
}

fn check_log_key(stored: Option<&str>, ours: &str) -> Result<(), StartError> {
    match stored {
        Some(stored) if stored != ours => Err(StartError::Refused(format!(
            "this process's log key {ours} differs from the genesis entry's {stored}; refusing to start"
        ))),
        _ => Ok(()),
    }
}

fn create_private_dir(dir: &Path) -> Result<(), StartError> {
    use std::os::unix::fs::PermissionsExt;
    if !dir.exists() {
        std::fs::create_dir_all(dir)
            .map_err(|e| StartError::Refused(format!("cannot create {}: {e}", dir.display())))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| StartError::Refused(format!("cannot protect {}: {e}", dir.display())))?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
}
