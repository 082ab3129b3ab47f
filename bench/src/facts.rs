//! The machine facts printed before the figures: without the core count, the CPU, the
//! PostgreSQL version and its durability settings, a figure cannot be compared with another.

use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, Row};

use crate::report::comment;

/// Prints the facts as comment lines; a fact that cannot be read is printed as unknown
/// rather than stopping the run.
pub async fn print(database_url: &str) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    comment(&format!("nproc: {cores}"));
    comment(&format!(
        "cpu: {}",
        cpu_model().unwrap_or_else(|| "unknown".into())
    ));
    match postgres_facts(database_url).await {
        Ok(lines) => lines.iter().for_each(|l| comment(l)),
        Err(e) => comment(&format!("postgresql: unknown ({e})")),
    }
    // Other work on the machine changes every figure: the load when the run started.
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        comment(&format!("load average at start: {}", load.trim()));
    }
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
}

async fn postgres_facts(url: &str) -> crate::BenchResult<Vec<String>> {
    let mut conn = PgConnectOptions::from_str(url)?.connect().await?;
    let version: String = sqlx::query("SELECT version()")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    let mut lines = vec![format!("postgresql: {version}")];
    // The issue compares at PostgreSQL's default durability; show that it is in force.
    for setting in [
        "fsync",
        "synchronous_commit",
        "shared_buffers",
        "max_connections",
    ] {
        let value: String = sqlx::query(&format!("SHOW {setting}"))
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?;
        lines.push(format!("postgresql {setting}: {value}"));
    }
    conn.close().await?;
    Ok(lines)
}
