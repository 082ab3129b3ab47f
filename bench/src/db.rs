//! Throwaway databases: each run creates its own on the server it was given and drops
//! them at the end, so that no figure depends on what earlier runs left behind (table
//! sizes, index bloat) and the server is left as it was found.

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};

use crate::BenchResult;

/// Databases created and not yet dropped, as (server URL, name): what an interrupted run
/// still has to drop.
static LEFT: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// A database created for this run.
#[derive(Debug)]
pub struct Throwaway {
    /// The URL the run was given, used to create and drop.
    server_url: String,
    pub name: String,
    /// The URL of the throwaway database itself.
    pub url: String,
}

impl Throwaway {
    /// Creates `sijill_bench_<pid>_<label>`, dropping a leftover of the same name first.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses.
    pub async fn create(server_url: &str, label: &str) -> BenchResult<Self> {
        let name = format!("sijill_bench_{}_{label}", std::process::id());
        let mut admin = connect(server_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        left().push((server_url.to_owned(), name.clone()));
        Ok(Self {
            server_url: server_url.to_owned(),
            url: with_database(server_url, &name),
            name,
        })
    }

    /// Drops the database, ending whatever connections still use it.
    pub async fn drop_now(self) {
        drop_database(&self.server_url, &self.name).await;
    }
}

/// Drops every database this run created and has not dropped yet: the clean-up of a run
/// stopped by a signal.
pub async fn drop_all_left() {
    let left = std::mem::take(&mut *left());
    for (server_url, name) in left {
        drop_database(&server_url, &name).await;
    }
}

fn left() -> std::sync::MutexGuard<'static, Vec<(String, String)>> {
    LEFT.lock().unwrap_or_else(|e| e.into_inner())
}

async fn drop_database(server_url: &str, name: &str) {
    let result = async {
        let mut admin = connect(server_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        BenchResult::Ok(())
    }
    .await;
    match result {
        Ok(()) => {
            left().retain(|(_, n)| n != name);
            crate::report::progress(&format!("dropped database {name}"));
        }
        Err(e) => crate::report::progress(&format!("could not drop {name}: {e}")),
    }
}

async fn connect(url: &str) -> BenchResult<PgConnection> {
    Ok(PgConnectOptions::from_str(url)?.connect().await?)
}

/// A pool configured like the ledger's (store/src/lib.rs): 32 connections, no test
/// round trip before each acquire, 10 s acquire timeout. The plain cqrs-es baseline uses
/// it so that the comparison is not decided by pool settings.
///
/// # Errors
/// When the database cannot be reached.
pub async fn ledger_like_pool(url: &str) -> BenchResult<PgPool> {
    Ok(PgPoolOptions::new()
        .max_connections(32)
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(PgConnectOptions::from_str(url)?)
        .await?)
}

/// `url` with its database (the path) replaced by `name`, keeping any query string.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced_and_query_kept() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
