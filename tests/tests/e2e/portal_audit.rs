//! The audit-trail pages and the portal's edges over plain HTTP, on both stores: a
//! record's trail lists exactly the entries of its stream with the log key to compare and
//! the verifier script; the lookup form leads to a trail; unknown records and addresses
//! answer 404 as a page to a browser and as JSON to everyone else; the script served is
//! byte for byte the repository's, whose SHA-256 the README publishes. The verifier's
//! verdicts themselves are checked in a real browser (`browser.rs`, `browser_verify.rs`).

use ledger::hash::{sha256, to_hex};
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION};
use serde_json::Value;

use crate::support::{Backend, TestApp};

both_backends!(the_audit_trail_and_the_portal_edges);

const VERIFY_JS: &str = include_str!("../../../portal/static/verify.js");
const README: &str = include_str!("../../../README.md");

async fn page(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app
        .http
        .get(app.url(path))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.expect("body"))
}

async fn the_audit_trail_and_the_portal_edges(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_institution(
        "MRP",
        "Ministère délégué chargé des relations avec le Parlement",
    )
    .await;
    app.register_official(&app.admin, "mrp.publisher", "MRP", &["publisher"])
        .await;

    // The trail: every entry of the stream, in order, and nothing else.
    let stream: Value = app.get("/v1/streams/institution/MRP").await.json;
    let indexes: Vec<String> = stream["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["entry"]["index"].to_string())
        .collect();
    let (status, kind, body) = page(&app, "/audit/institution/MRP?lang=fr").await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("text/html"));
    assert!(body.contains("<html lang=\"fr\" dir=\"ltr\">"));
    assert!(
        body.contains(&format!("data-indexes=\"{}\"", indexes.join(","))),
        "{body}"
    );
    assert!(body.contains("data-stream=\"institution/MRP\""));
    // The keys to compare, as log.pub lists them (one line before any rotation), and no
    // rotation for the verifier to follow.
    assert!(
        body.contains(&format!(">{}\n</textarea>", app.log_key)),
        "the log key to compare"
    );
    assert!(body.contains("data-rotations=\"\""), "{body}");
    assert!(body.contains("<script src=\"/static/verify.js\" defer></script>"));
    assert!(
        body.contains("RegisterInstitution"),
        "the command behind the entry"
    );
    assert!(body.contains("valide selon le serveur"));
    let (_, _, arabic) = page(&app, "/audit/institution/MRP?lang=ar").await;
    assert!(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(arabic.contains("مسار التدقيق"));

    // The official's registration names who signed it: the genesis administrator.
    let (_, _, registry) = page(&app, "/audit/registry/mrp.publisher").await;
    assert!(registry.contains("RegisterActor"), "{registry}");
    assert!(registry.contains("admin"), "{registry}");

    // The lookup form leads to a trail; unknown records are 404 pages.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = no_redirects
        .get(app.url("/audit?type=institution&id=MRP"))
        .send()
        .await
        .expect("lookup");
    assert!(answer.status().is_redirection(), "{}", answer.status());
    assert_eq!(
        answer.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/audit/institution/MRP")
    );
    for missing in [
        "/audit/institution/NOPE",
        "/audit/bogus/x",
        "/audit/offer/..%2F..%2Fetc",
    ] {
        let (status, kind, body) = page(&app, missing).await;
        assert_eq!(status, 404, "{missing}: {body}");
        assert!(kind.starts_with("text/html"), "{missing}");
    }
    let (status, _, checker) = page(&app, "/audit").await;
    assert_eq!(status, 200);
    assert!(checker.contains("id=\"receipt-file\""));

    // Unknown addresses: a page for a browser, JSON for a client and under /v1/.
    let (status, kind, body) = page(&app, "/no/such/page?lang=ar").await;
    assert_eq!((status, kind.starts_with("text/html")), (404, true));
    assert!(body.contains("dir=\"rtl\""));
    let json = app.get("/no/such/page").await;
    json.assert_error(404, "not_found");
    let (status, kind, _) = page(&app, "/v1/no/such/thing").await;
    assert_eq!((status, kind.as_str()), (404, "application/json"));

    // The verifier served is the repository's, and the README publishes its SHA-256.
    let script = app
        .http
        .get(app.url("/static/verify.js"))
        .send()
        .await
        .expect("verify.js");
    assert!(script
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| k.starts_with("text/javascript")));
    let served = script.bytes().await.expect("script bytes");
    assert_eq!(served.as_ref(), VERIFY_JS.as_bytes());
    let digest = to_hex(&sha256(VERIFY_JS.as_bytes()));
    assert!(
        README.contains(&digest),
        "the README must publish verify.js's SHA-256 {digest}"
    );

    // The drafts list has its filter form; a status that does not exist is a 400 page.
    let (status, _, drafts) = page(&app, "/drafts").await;
    assert_eq!(status, 200);
    assert!(drafts.contains("<select id=\"f-status\" name=\"status\">"));
    assert!(drafts.contains("<option value=\"MRP\">"), "{drafts}");
    let (status, _, _) = page(&app, "/drafts?status=bogus").await;
    assert_eq!(status, 400);
}
