//! The client tools against a hostile server (docs/hardening.md, "Client tools"): a server
//! whose every answer is an endless body, or announces one larger than the resource can be,
//! makes `sijill export`, `mirror` and `monitor` stop with a sentence naming the URL and
//! the limit (exit 2), never read on without end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::support::run_binary;

/// How the hostile server answers every request.
#[derive(Clone, Copy)]
enum Answer {
    /// 200, chunked, chunks of 64 KiB until the client goes away.
    Endless,
    /// 200 with a `Content-Length` of 1 TiB, then bytes until the client goes away.
    Announced,
}

/// A raw HTTP/1.1 server on port 0; counts the bytes it managed to send.
async fn hostile(answer: Answer) -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let sent = counter.clone();
            tokio::spawn(async move {
                // The request head; its content does not matter.
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let chunk = vec![b'a'; 64 * 1024];
                let header: &[u8] = match answer {
                    Answer::Endless => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
                    Answer::Announced => b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1099511627776\r\n\r\n",
                };
                if stream.write_all(header).await.is_err() {
                    return;
                }
                loop {
                    let written = match answer {
                        Answer::Endless => {
                            let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
                            framed.extend_from_slice(&chunk);
                            framed.extend_from_slice(b"\r\n");
                            stream.write_all(&framed).await
                        }
                        Answer::Announced => stream.write_all(&chunk).await,
                    };
                    if written.is_err() {
                        return;
                    }
                    sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    (base, sent)
}

fn assert_refused(tool: &str, (code, stdout, stderr): &(i32, String, String), base: &str) {
    assert_eq!(*code, 2, "{tool}: stdout {stdout}\nstderr {stderr}");
    assert!(
        stderr.contains(base) && stderr.contains("larger than") && stderr.contains("bytes"),
        "{tool} must name the URL and the limit: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{tool}: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_tools_stop_at_an_answer_larger_than_its_resource() {
    for answer in [Answer::Endless, Answer::Announced] {
        let (base, sent) = hostile(answer).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("export");
        let export = run_binary(&[
            "export",
            "--server",
            &base,
            "--out",
            out.to_str().expect("path"),
        ])
        .await;
        assert_refused("export", &export, &base);
        // The checkpoint's limit is a few KiB: the tool stopped long before a large read.
        assert!(export.2.contains("16384"), "{}", export.2);

        let mirror_out = dir.path().join("mirror");
        let mirror = run_binary(&[
            "mirror",
            "--server",
            &base,
            "--out",
            mirror_out.to_str().expect("path"),
        ])
        .await;
        assert_refused("mirror", &mirror, &base);

        let state = dir.path().join("monitor");
        let monitor = run_binary(&[
            "monitor",
            "--server",
            &base,
            "--state",
            state.to_str().expect("path"),
        ])
        .await;
        assert_refused("monitor", &monitor, &base);
        // Each tool stopped after at most a few chunks past its limit, not after the
        // gigabytes an endless answer would have made it read (the socket's buffers let the
        // server count somewhat more than the client read).
        assert!(
            sent.load(Ordering::Relaxed) < 64 * 1024 * 1024,
            "{} bytes sent",
            sent.load(Ordering::Relaxed)
        );
    }
}
