//! The database behind the ledger: one code path over SQLite (the zero-setup default) and
//! PostgreSQL (production), through sqlx's `Any` driver.
//!
//! Queries use `$N` placeholders in increasing order, which both drivers accept; the few
//! statements that differ (the append lock, JSON casts) come from [`Dialect`].
//! Architecture invariant: nothing outside this crate writes SQL; the pool is private, so
//! the compiler keeps it so.

mod document_batches;
pub use document_batches::{DocumentAvailability, NewDocument};
mod public_channel;
mod queries;
mod restore;
mod snapshots;
mod tiles;
mod view_queries;
mod view_tallies;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;

pub use public_channel::*;
pub use queries::*;
pub use restore::*;
pub use snapshots::*;
pub use view_queries::*;
pub use view_tallies::*;

/// A database error, as the store's callers see it: they handle it, they never build one.
pub use sqlx::Error;

/// Which database a URL selects.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The SQL that differs between the backends.
#[derive(Copy, Clone, Debug)]
pub struct Dialect {
    pub backend: Backend,
}

impl Dialect {
    /// Opens the append transaction's lock: PostgreSQL locks the state row, SQLite takes
    /// the database's write lock at `BEGIN IMMEDIATE` instead.
    pub fn lock_state_sql(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => {
                "SELECT origin, log_key, tree_size, frontier, last_recorded_at FROM ledger_state WHERE id = 1 FOR UPDATE"
            }
            Backend::Sqlite => {
                "SELECT origin, log_key, tree_size, frontier, last_recorded_at FROM ledger_state WHERE id = 1"
            }
        }
    }

    /// How a bound text parameter becomes a JSON column value.
    pub fn json_param(&self, n: usize) -> String {
        match self.backend {
            Backend::Postgres => format!("CAST(${n} AS JSONB)"),
            Backend::Sqlite => format!("${n}"),
        }
    }
}

/// A connection pool and its dialect.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
}

/// Errors opening or migrating the store.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// How long a pooled connection may sit idle before it is checked when taken again.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

impl Db {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) and applies the
    /// backend's migrations.
    ///
    /// # Errors
    /// [`OpenError`] when the database cannot be reached or migrated.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, OpenError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let options = AnyConnectOptions::from_str(url).map_err(OpenError::Connect)?;
        let pool = AnyPoolOptions::new()
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed while the one writer appends; FULL sync so
                        // that an acknowledged append survives a crash (NORMAL may lose the
                        // last transactions on power loss).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA busy_timeout = 30000",
                            // Freed bytes (an erased person's ciphertexts) are zeroed in
                            // the file rather than left in a free page.
                            "PRAGMA secure_delete = ON",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .max_connections(max_connections)
            // A round trip per acquire costs 10-25% of throughput (field notes); a broken
            // connection surfaces as an error on use instead, and the pool replaces it.
            .test_before_acquire(false)
            // ...except after a quiet second: a database restarted or connections cut
            // while the pool sat idle would otherwise fail one request per dead
            // connection. A busy pool never pays for the ping.
            // A transaction whose COMMIT failed (a full disk) leaves its connection inside
            // it, and every later BEGIN on that connection would fail: such a connection
            // is closed rather than returned, so the store recovers when the cause does.
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::TransactionManager;
                    Ok(
                        <sqlx::Any as sqlx::Database>::TransactionManager::get_transaction_depth(
                            conn,
                        ) == 0,
                    )
                })
            })
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        let migrator = match backend {
            Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        };
        migrator.run(&pool).await.map_err(OpenError::Migrate)?;
        Ok(Self {
            pool,
            dialect: Dialect { backend },
        })
    }

    pub fn backend(&self) -> Backend {
        self.dialect.backend
    }

    /// Closes every connection of the pool, waiting for those in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool itself, for the test suite and the benchmarks only (they check what the
    /// store wrote with SQL of their own). Behind the `raw-pool` feature, which no product
    /// crate turns on: the crate-graph test checks it.
    #[cfg(feature = "raw-pool")]
    pub fn raw_pool(&self) -> &AnyPool {
        &self.pool
    }
}
