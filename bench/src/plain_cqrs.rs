//! The baseline: the same `RegisterInstitution` commands on fresh `Institution` aggregates
//! through plain cqrs-es + postgres-es 0.5, as an application using them off the shelf
//! would: its default `PersistedEventStore` over `PostgresEventRepository`, no signatures,
//! no global order, no Merkle tree, no checkpoints, no read models.
//!
//! It runs in the ledger's database, on its own tables: postgres-es's default names
//! (`events`, `snapshots`) are the ledger's, so they are renamed with `with_tables`, and
//! created here with postgres-es's own layout (its `db/init.sql`).

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::CqrsFramework;
use domain::registry::{Institution, InstitutionCommand};
use domain::{Clock, RegistryFacts, Services};
use ledger::Timestamp;
use postgres_es::PostgresEventRepository;
use sqlx::PgPool;

use crate::db::ledger_like_pool;
use crate::drive::drive;
use crate::workload::{institution_command, institution_id};
use crate::BenchResult;

const EVENTS_TABLE: &str = "plain_events";
const SNAPSHOTS_TABLE: &str = "plain_snapshots";

/// postgres-es 0.5's `db/init.sql`, with the tables renamed.
const CREATE_TABLES: [&str; 2] = [
    "CREATE TABLE plain_events (
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        sequence bigint CHECK (sequence >= 0) NOT NULL,
        event_type text NOT NULL,
        event_version text NOT NULL,
        payload json NOT NULL,
        metadata json NOT NULL,
        PRIMARY KEY (aggregate_type, aggregate_id, sequence))",
    "CREATE TABLE plain_snapshots (
        aggregate_type text NOT NULL,
        aggregate_id text NOT NULL,
        last_sequence bigint CHECK (last_sequence >= 0) NOT NULL,
        current_snapshot bigint CHECK (current_snapshot >= 0) NOT NULL,
        payload json NOT NULL,
        PRIMARY KEY (aggregate_type, aggregate_id, last_sequence))",
];

type PlainCqrs =
    CqrsFramework<Institution, PersistedEventStore<PostgresEventRepository, Institution>>;

/// The system clock; `Institution` does not read it, but `Services` needs one.
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        Timestamp::from_millis(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

/// Registry facts for a baseline that has no registry. `Institution` asks none of them;
/// the answers are the permissive ones so that no command could be refused for want of a
/// registry.
struct NoRegistry;

impl RegistryFacts for NoRegistry {
    fn institution_exists(&self, _id: &str) -> bool {
        true
    }

    fn association_exists(&self, _id: &str) -> bool {
        true
    }

    fn key_registered(&self, _public_key: &str) -> bool {
        false
    }

    fn read_world(&self, read: &mut dyn FnMut(&domain::world::World)) {
        read(&domain::world::World::default());
    }
}

/// Plain cqrs-es on its own pool.
pub struct Plain {
    cqrs: Arc<PlainCqrs>,
    pool: PgPool,
    /// The number of the next aggregate `B<n>` to create.
    next: std::sync::atomic::AtomicU64,
}

impl Plain {
    /// Creates the tables in the database at `url` and the framework over them.
    ///
    /// # Errors
    /// When the database cannot be reached or the tables exist.
    pub async fn start(url: &str) -> BenchResult<Self> {
        let pool = ledger_like_pool(url).await?;
        for sql in CREATE_TABLES {
            sqlx::query(sql).execute(&pool).await?;
        }
        let repo =
            PostgresEventRepository::new(pool.clone()).with_tables(EVENTS_TABLE, SNAPSHOTS_TABLE);
        let services = Services {
            clock: Arc::new(SystemClock),
            registry: Arc::new(NoRegistry),
        };
        let cqrs = CqrsFramework::new(PersistedEventStore::new_event_store(repo), vec![], services);
        Ok(Self {
            cqrs: Arc::new(cqrs),
            pool,
            next: 0.into(),
        })
    }

    /// Runs `count` new commands with `writers` concurrent writers and returns the time
    /// they took. The commands are built before the clock starts, as the ledger's
    /// statements are signed before it.
    ///
    /// # Errors
    /// When any command fails.
    pub async fn run(&self, label: &str, writers: usize, count: u64) -> BenchResult<Duration> {
        let first = self
            .next
            .fetch_add(count, std::sync::atomic::Ordering::Relaxed);
        let commands: Arc<Vec<(String, InstitutionCommand)>> = Arc::new(
            (first..first + count)
                .map(|n| (institution_id(n), institution_command(n)))
                .collect(),
        );
        let cqrs = self.cqrs.clone();
        let outcome = drive(label, count, writers, move |i| {
            let (cqrs, commands) = (cqrs.clone(), commands.clone());
            async move {
                let (id, command) = &commands[usize::try_from(i).unwrap_or(usize::MAX)];
                cqrs.execute(id, command.clone())
                    .await
                    .map_err(|e| e.to_string())
            }
        })
        .await;
        outcome.clean()
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}
