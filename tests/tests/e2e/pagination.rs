//! Lists that grow with public input answer one bounded page at a time
//! (docs/hardening.md, "Pagination"): a consultation's comments as JSON
//! (`/v1/consultations/{id}/comments`, filterable by article) and on the portal's page,
//! the stream of signed entries (`/v1/streams/{type}/{id}?from=&limit=`, each page's
//! chain checked from the entry before it) and the audit trail's pages.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::public_channel::{Consultation, CONSULTATION, STREAM};
use crate::support::Backend;

both_backends!(long_lists_are_answered_page_by_page);

/// Comments posted: more than a portal page of comments (50) and, with the opening entry,
/// more than an audit page of entries (100).
const COMMENTS: u64 = 101;

fn numbers(items: &Value) -> Vec<u64> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["number"].as_u64().expect("a comment number"))
        .collect()
}

async fn long_lists_are_answered_page_by_page(backend: Backend) {
    let c = Consultation::open(backend, 10_000).await;
    for n in 1..=COMMENTS {
        // Every third on the second article, the rest on the whole text.
        let article = if n % 3 == 0 {
            json!("art-2")
        } else {
            Value::Null
        };
        c.accepted(&json!({"text": format!("Commentaire numéro {n}."), "article": article}))
            .await;
    }

    // --- JSON: pages of comments, with their texts, in number order.
    let base = format!("/v1/consultations/{CONSULTATION}/comments");
    let first = c.get(&base).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json["total"], COMMENTS);
    assert_eq!(first.json["per_page"], 50);
    assert_eq!(first.json["pages"], 3);
    assert_eq!(numbers(&first.json["items"]), (1..=50).collect::<Vec<_>>());
    assert_eq!(first.json["items"][0]["text"], "Commentaire numéro 1.");
    let second = c.get(&format!("{base}?page=2&per_page=40")).await;
    assert_eq!(
        numbers(&second.json["items"]),
        (41..=80).collect::<Vec<_>>()
    );
    assert_eq!(second.json["items"][0]["text"], "Commentaire numéro 41.");
    let last = c.get(&format!("{base}?page=3&per_page=40")).await;
    assert_eq!(numbers(&last.json["items"]), (81..=101).collect::<Vec<_>>());
    assert_eq!(last.json["next"], Value::Null);
    // By article.
    let on_art2 = c.get(&format!("{base}?article=art-2&per_page=200")).await;
    assert_eq!(
        numbers(&on_art2.json["items"]),
        (1..=COMMENTS).filter(|n| n % 3 == 0).collect::<Vec<_>>()
    );
    assert_eq!(on_art2.json["total"], COMMENTS / 3);
    for bad in [
        "per_page=201",
        "per_page=0",
        "page=0",
        "page=x",
        "colour=red",
    ] {
        c.get(&format!("{base}?{bad}"))
            .await
            .assert_error(400, "invalid_parameter");
    }
    c.get("/v1/consultations/NO-SUCH/comments")
        .await
        .assert_error(404, "not_found");
    // The consultation itself shows its first page of at most 200, and says so.
    let whole = c.get(&format!("/v1/consultations/{CONSULTATION}")).await;
    assert_eq!(whole.json["comments_page"]["total"], COMMENTS);
    assert_eq!(whole.json["comments_page"]["pages"], 1);
    assert_eq!(
        whole.json["counts"],
        json!({"received": COMMENTS, "visible": COMMENTS, "hidden": 0, "restored": 0,
               "withheld": 0, "answered": 0, "unanswered_visible": COMMENTS,
               "participants": COMMENTS}),
        "anonymous comments, none answered, each by a participant of its own"
    );
    let small = c
        .get(&format!(
            "/v1/consultations/{CONSULTATION}?per_page=10&page=2"
        ))
        .await;
    let shown: usize = small.json["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| a["comments"].as_array().map_or(0, Vec::len))
        .sum::<usize>()
        + small.json["text_comments"].as_array().map_or(0, Vec::len);
    assert_eq!(shown, 10);
    // The counts are still those of every comment.
    assert_eq!(small.json["counts"]["received"], COMMENTS);
    // Its entries are the consultation's own and those of the comments shown, so the
    // answer does not grow with the comments; on one page, that is every entry.
    let entries = |page: &Value| page["entries"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(entries(&whole.json), COMMENTS + 1);
    assert_eq!(entries(&small.json), 1 + 10);

    // --- The portal's page: 50 comments, then links to the next pages.
    let page = |path: String| {
        let c = &c;
        async move {
            let response = c
                .http
                .get(c.url(&path))
                .header("accept", "text/html")
                .send()
                .await
                .expect("GET page");
            (response.status(), response.text().await.expect("page body"))
        }
    };
    let (status, html) = page(format!("/consultations/{CONSULTATION}?lang=fr")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Commentaire numéro 50."), "{html}");
    assert!(!html.contains("Commentaire numéro 51."));
    assert!(html.contains(&format!("href=\"/consultations/{CONSULTATION}?page=2\"")));
    let (status, html) = page(format!("/consultations/{CONSULTATION}?page=3&lang=ar")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Commentaire numéro 101."));
    assert!(!html.contains("Commentaire numéro 100."));
    assert!(html.contains(&format!("href=\"/consultations/{CONSULTATION}?page=2\"")));
    let (status, _) = page(format!("/consultations/{CONSULTATION}?page=4")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // --- The stream: at most 1,000 entries an answer, any window checked from the entry
    // before it.
    let entries = COMMENTS + 1;
    let all = c.get(&format!("/v1/streams/{STREAM}")).await;
    assert_eq!(all.json["total"], entries);
    assert_eq!(
        all.json["entries"].as_array().expect("entries").len() as u64,
        entries
    );
    let window = c
        .get(&format!("/v1/streams/{STREAM}?from=30&limit=7"))
        .await;
    let got = window.json["entries"].as_array().expect("entries");
    assert_eq!(got.len(), 7);
    for (i, e) in got.iter().enumerate() {
        assert_eq!(e["entry"]["seq"], 31 + i as u64);
        assert_eq!(e["status"]["verified"], true, "{e}");
        assert_eq!(e["status"]["prev_chain"], true, "{e}");
    }
    assert_eq!(
        window.json["next"],
        format!("/v1/streams/{STREAM}?from=37&limit=7")
    );
    for bad in ["limit=1001", "limit=0", "from=x", "colour=red"] {
        c.get(&format!("/v1/streams/{STREAM}?{bad}"))
            .await
            .assert_error(400, "invalid_parameter");
    }

    // --- The audit trail: 100 entries a page.
    let (status, html) = page(format!("/audit/{STREAM}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<tr id=\"entry-").count(), 100);
    assert!(html.contains("rel=\"next\""), "{html}");
    let (status, html) = page(format!("/audit/{STREAM}?page=2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<tr id=\"entry-").count(), 2);
    let (status, _) = page(format!("/audit/{STREAM}?page=3")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
