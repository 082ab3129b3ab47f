//! The portal in a real browser, on the demo data as a newcomer sees it: every
//! page type read in French and in Arabic (the `<html>` element's `lang` and `dir`, the
//! language remembered in a cookie), a comment submitted through the form with its receipt
//! downloaded, then checked on the receipt page, and the Verify button turning green on
//! audit trails in both languages. With `SIJILL_SCREENSHOTS=docs/screenshots` the
//! pictures docs/portal.md links to are written.

use std::time::Duration;

use serde_json::Value;

use crate::support::ServerProcess;
use crate::webdriver::Browser;

/// The demo records its story before it listens.
const DEMO_PATIENCE: Duration = Duration::from_secs(300);

async fn json(base: &str, path: &str) -> Value {
    let response = reqwest::get(format!("{base}{path}"))
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert!(
        response.status().is_success(),
        "GET {path}: {}",
        response.status()
    );
    response.json().await.expect("a JSON answer")
}

fn first_id(list: &Value) -> String {
    list["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no item in {list}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_reads_comments_and_verifies_in_both_languages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let server = ServerProcess::start_with(&data, None, None, &["--demo"], DEMO_PATIENCE, &logs)
        .await
        .unwrap_or_else(|f| panic!("the demo server did not start: {f:?}"));
    let base = server.base.clone();
    let browser = Browser::start().await;

    // Home, in French, then switched to Arabic by its link; the choice is remembered.
    browser.goto(&format!("{base}/?lang=fr")).await;
    assert_eq!(browser.lang_dir().await, ("fr".into(), "ltr".into()));
    assert!(!browser.text("main h1").await.is_empty());
    browser.screenshot("home-fr").await;
    browser.follow("header a.lang").await;
    assert_eq!(browser.lang_dir().await, ("ar".into(), "rtl".into()));
    browser.screenshot("home-ar").await;
    browser.goto(&format!("{base}/offers")).await;
    assert_eq!(
        browser.lang_dir().await,
        ("ar".into(), "rtl".into()),
        "the cookie keeps Arabic without ?lang="
    );
    browser.screenshot("offers-ar").await;

    // Offers: the list, one offer, its audit trail verified in French.
    browser.goto(&format!("{base}/offers?lang=fr")).await;
    assert_eq!(browser.lang_dir().await, ("fr".into(), "ltr".into()));
    browser.follow("main a[href^='/offers/']").await;
    assert!(!browser.text("main h1").await.is_empty());
    browser.screenshot("offer").await;
    browser.follow("main a[href^='/audit/offer/']").await;
    let (green, message) = browser.verify().await;
    assert!(green, "the offer's trail verifies: {message}");
    assert!(message.starts_with("Vérifié"), "{message}");
    for mark in browser
        .client
        .find_all(fantoccini::Locator::Css("[data-verified-index]"))
        .await
        .expect("marks")
    {
        assert_eq!(mark.text().await.expect("mark"), "vérifiée");
    }
    browser.screenshot("audit-offer-verified").await;

    // Awards and one award.
    browser.goto(&format!("{base}/awards")).await;
    browser.follow("main a[href^='/awards/']").await;
    assert!(!browser.text("main h1").await.is_empty());
    browser.screenshot("award").await;

    // Associations: searched by name through the form, then one profile.
    let association = json(&base, "/v1/associations?per_page=1").await;
    let name = association["items"][0]["name"]
        .as_str()
        .expect("an association's name")
        .to_owned();
    let word = name.split_whitespace().last().unwrap_or(&name).to_owned();
    browser.goto(&format!("{base}/associations")).await;
    browser
        .find("#f-q")
        .await
        .send_keys(&word)
        .await
        .expect("typing in the search field");
    browser.click("form.filters button[type='submit']").await;
    browser.wait_for_url(|url| url.contains("q=")).await;
    browser
        .follow(&format!(
            "main a[href='/associations/{}']",
            first_id(&association)
        ))
        .await;
    assert!(browser.text("main h1").await.contains(&name));
    browser.screenshot("association").await;

    // Indicators, drawn as SVG on the server.
    browser.goto(&format!("{base}/indicators")).await;
    browser.find("svg.chart").await;
    browser.screenshot("indicators").await;

    // Drafts: one draft, then the changes between two revisions.
    browser.goto(&format!("{base}/drafts")).await;
    browser.follow("main h2 a[href^='/drafts/']").await;
    browser.screenshot("draft").await;
    browser.follow("main a[href*='/diff']").await;
    browser.find("main ins, main del").await;
    browser.screenshot("draft-diff").await;

    // An open consultation: comment through the form, get the receipt.
    let open = json(&base, "/v1/consultations?status=open").await;
    let consultation = first_id(&open);
    browser.goto(&format!("{base}/consultations")).await;
    browser.screenshot("consultations").await;
    browser
        .follow(&format!("main a[href='/consultations/{consultation}']"))
        .await;
    browser.screenshot("consultation").await;
    let text = "Les délais de dépôt devraient tenir compte des petites associations rurales.";
    browser
        .find("#c-text")
        .await
        .send_keys(text)
        .await
        .expect("typing the comment");
    browser
        .click("form.comment-form button[type='submit']")
        .await;
    let download = browser
        .attr("main a[download]", "href")
        .await
        .expect("a download link on the receipt page");
    browser.screenshot("receipt").await;
    let receipt = reqwest::get(format!("{base}{download}"))
        .await
        .expect("the receipt file")
        .bytes()
        .await
        .expect("receipt bytes");
    let parsed: Value = serde_json::from_slice(&receipt).expect("a JSON receipt");
    assert_eq!(
        parsed["entry"]["data"]["text"],
        Value::Null,
        "text is a document"
    );
    let file = dir.path().join("receipt.json");
    std::fs::write(&file, &receipt).expect("receipt saved");

    // The receipt checked in the browser, from the file the reader kept.
    browser.goto(&format!("{base}/audit?lang=fr")).await;
    browser
        .find("#receipt-file")
        .await
        .send_keys(&file.display().to_string())
        .await
        .expect("choosing the receipt file");
    let (green, message) = browser.verify().await;
    assert!(green, "the receipt verifies: {message}");
    assert!(
        message.contains(&parsed["index"].to_string()),
        "the verdict names the entry: {message}"
    );
    browser.screenshot("receipt-verified").await;

    // The consultation's whole trail, comment included, verified in Arabic.
    browser
        .goto(&format!("{base}/audit/consultation/{consultation}?lang=ar"))
        .await;
    assert_eq!(browser.lang_dir().await, ("ar".into(), "rtl".into()));
    browser
        .find(&format!("[data-verified-index='{}']", parsed["index"]))
        .await;
    let (green, message) = browser.verify().await;
    assert!(green, "the consultation's trail verifies: {message}");
    assert!(message.starts_with("تم التحقق"), "{message}");
    browser.screenshot("audit-consultation-ar").await;
}
