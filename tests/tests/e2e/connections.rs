//! Slow and half-open clients against the real server in its own process
//! (docs/hardening.md, "Connections"): thousands of connections that never finish a request
//! do not stop another client from being served, and each of them is closed by the header
//! timeout; a body that never arrives whole is cut off by the body timeout; beyond the
//! connection cap a new connection is closed at once. The store plays no part here, so one
//! backend (SQLite) is enough.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{ServerProcess, PATIENCE};

/// Half-open connections the test holds at once: far more than a handful, well below the
/// test's own descriptor limit (checked below) and the server's cap.
const HALF_OPEN: usize = 3000;

fn open_files_limit() -> u64 {
    // /proc/self/limits: "Max open files  <soft>  <hard>  files".
    let limits = std::fs::read_to_string("/proc/self/limits").expect("/proc/self/limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    let soft = line.split_whitespace().nth(3).expect("soft limit");
    soft.parse().unwrap_or(u64::MAX)
}

/// Reads until the server closes the connection (EOF or reset) and returns what came, or
/// fails the test once `deadline` passes.
async fn read_to_close(stream: &mut TcpStream, deadline: Instant) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return seen,
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "the server kept a connection open past the deadline; it sent {:?}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
}

async fn get_health(base: &str) -> reqwest::StatusCode {
    reqwest::Client::builder()
        .timeout(PATIENCE)
        .build()
        .expect("client")
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("a normal request is served")
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn half_open_connections_are_cut_off_and_others_are_served() {
    assert!(
        open_files_limit() > (HALF_OPEN as u64) + 500,
        "this test needs more than {HALF_OPEN} open files"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let server = ServerProcess::start_with(
        &data,
        None,
        None,
        &[
            "--header-timeout",
            "3",
            "--body-timeout",
            "3",
            "--max-connections",
            "5000",
        ],
        PATIENCE,
        &logs,
    )
    .await
    .unwrap_or_else(|f| panic!("the server did not start: {f:?}"));
    let addr = server.base.trim_start_matches("http://").to_owned();

    // Half of them send a partial request line, half send nothing at all.
    let mut held = Vec::with_capacity(HALF_OPEN);
    for i in 0..HALF_OPEN {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        if i % 2 == 0 {
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("partial request");
        }
        held.push(stream);
    }
    // A body announced and never sent whole.
    let mut slow_body = TcpStream::connect(&addr).await.expect("connect");
    slow_body
        .write_all(
            b"POST /v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        )
        .await
        .expect("partial body");

    // Another client is served while they are held.
    assert_eq!(get_health(&server.base).await, reqwest::StatusCode::OK);

    // Every half-open connection is closed by the server, none answered with a success.
    let deadline = Instant::now() + PATIENCE * 2;
    for stream in &mut held {
        let seen = read_to_close(stream, deadline).await;
        assert!(
            !seen.starts_with(b"HTTP/1.1 2"),
            "{}",
            String::from_utf8_lossy(&seen)
        );
    }
    let seen = read_to_close(&mut slow_body, deadline).await;
    assert!(
        !seen.starts_with(b"HTTP/1.1 2"),
        "{}",
        String::from_utf8_lossy(&seen)
    );
    drop(held);
    // And the server still serves.
    assert_eq!(get_health(&server.base).await, reqwest::StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn beyond_the_cap_a_new_connection_is_closed_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    // A header timeout far longer than the test waits for the extra connection, so its
    // closing can only come from the cap.
    let server = ServerProcess::start_with(
        &data,
        None,
        None,
        &["--header-timeout", "600", "--max-connections", "20"],
        PATIENCE,
        &logs,
    )
    .await
    .unwrap_or_else(|f| panic!("the server did not start: {f:?}"));
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut held = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        stream.write_all(b"GET /").await.expect("partial request");
        held.push(stream);
    }
    let mut extra = TcpStream::connect(&addr).await.expect("connect");
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let seen = read_to_close(&mut extra, Instant::now() + Duration::from_secs(120)).await;
    assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
    // One slot freed, a client is served again.
    drop(held.pop());
    let mut served = false;
    for _ in 0..100 {
        let client = reqwest::Client::builder()
            .timeout(PATIENCE)
            .build()
            .expect("client");
        if let Ok(reply) = client.get(format!("{}/healthz", server.base)).send().await {
            assert_eq!(reply.status(), reqwest::StatusCode::OK);
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "no request was served after a slot was freed");
}
