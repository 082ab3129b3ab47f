//! The portal's support and indicator pages in a browser's place, on both
//! stores: a ministry publishes two offers in the first quarter, two associations apply
//! to the first, both are scored, one is awarded and paid in part; then every page type
//! is read in French and in Arabic, as HTML, and checked for what a reader must see:
//! titles, amounts in MAD, criteria with weights, scores, the Q1 badge, Arabic labels in
//! a right-to-left page, links to the audit trail, the 404 and 400 pages, the language
//! cookie.
//!
//! The story goes through the real server on the test clock (`lifecycle.rs`).

use reqwest::header::{HeaderMap, ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::json;

use crate::lifecycle::{
    apply, close_and_grant_w1, declare_and_score, publish, Cast, Ledger, AFTER_CLOSE, CASA,
    IN_WINDOW, RABAT,
};
use crate::support::Backend;

both_backends!(every_support_and_indicator_page_reads_in_both_languages);

const O1_TITLE: &str = "Soutien aux projets culturels des jeunes";
const O2_TITLE: &str = "Culture dans les quartiers";

/// `1 000,00 MAD` as the portal writes it: narrow no-break spaces between thousands, a
/// no-break space before the currency.
fn mad(text: &str) -> String {
    text.replace(' ', "\u{202f}")
        .replace("\u{202f}MAD", "\u{a0}MAD")
}

/// A page as a browser receives it.
struct Html {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Html {
    #[track_caller]
    fn has(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "the page should contain {needle:?}:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    fn lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "the page should not contain {needle:?}:\n{}",
            self.body
        );
        self
    }
}

async fn fetch(
    ledger: &Ledger,
    path: &str,
    headers: &[(reqwest::header::HeaderName, &str)],
) -> Html {
    let mut request = ledger.http.get(ledger.url(path));
    for (name, value) in headers {
        request = request.header(name.clone(), *value);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a page's text");
    Html {
        status,
        headers,
        body,
    }
}

/// GETs a page that must answer `status` as HTML in `lang`.
async fn page(ledger: &Ledger, path: &str, status: u16, lang: &str) -> Html {
    let html = fetch(ledger, path, &[]).await;
    assert_eq!(html.status, status, "GET {path}: {}", html.body);
    let kind = html
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(kind.starts_with("text/html"), "GET {path}: {kind}");
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    html.has(&format!("<html lang=\"{lang}\" dir=\"{dir}\">"));
    html
}

/// The story: two offers of the first quarter, two applications, one award, one
/// disbursement.
async fn story(ledger: &Ledger) {
    let cast = Cast::register(ledger).await;
    publish(ledger, &cast, "O1", |_| {}).await;
    publish(ledger, &cast, "O2", |b| {
        b["title"] = json!(O2_TITLE);
        b["closes_at"] = json!("2026-03-20T00:00:00Z");
    })
    .await;
    ledger.clock.set(IN_WINDOW);
    apply(ledger, &cast, "P1", "O1", RABAT, 10_000_000).await;
    apply(ledger, &cast, "P2", "O1", CASA, 8_000_000).await;
    ledger.clock.set(AFTER_CLOSE);
    declare_and_score(ledger, &cast.evaluator, "P1", 80, 70).await;
    declare_and_score(ledger, &cast.evaluator, "P2", 50, 50).await;
    close_and_grant_w1(ledger, &cast).await;
    ledger
        .accept(
            &cast.publisher,
            "RecordDisbursement",
            "award/W1",
            json!({"amount_centimes": 4_000_000, "reference": "TGR-2026-0042"}),
            "DisbursementRecorded",
        )
        .await;
}

async fn every_support_and_indicator_page_reads_in_both_languages(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    story(&ledger).await;
    let rabat = "Association ASSO-RABAT";

    // Home: the open offer, the latest award, the year's figures.
    page(&ledger, "/?lang=fr", 200, "fr")
        .await
        .has("Appels à projets ouverts")
        .has(O2_TITLE)
        .has(rabat)
        .has(&mad("100 000,00 MAD"))
        .has("href=\"/indicators?year=2026\"");
    page(&ledger, "/?lang=ar", 200, "ar")
        .await
        .has("طلبات المشاريع المفتوحة")
        .has("آخر المنح الممنوحة")
        .has(O2_TITLE);

    // Offers: the list, its filters (an empty field means "any"), its 400s.
    page(&ledger, "/offers", 200, "fr")
        .await
        .has(O1_TITLE)
        .has(O2_TITLE)
        .has("<label for=\"f-region\">Région</label>");
    page(
        &ledger,
        "/offers?status=closed&year=&region=MA-04",
        200,
        "fr",
    )
    .await
    .has(O1_TITLE)
    .lacks(O2_TITLE)
    .has("<option value=\"MA-04\" selected>");
    page(&ledger, "/offers?lang=ar&domain=youth", 200, "ar")
        .await
        .has("<option value=\"youth\" selected>الشباب</option>")
        .has(O1_TITLE)
        .has("مغلق")
        .has("مفتوح");
    page(&ledger, "/offers?year=26&lang=fr", 400, "fr")
        .await
        .has("Demande invalide")
        .has("year must be");
    page(&ledger, "/offers?region=MA-13&lang=ar", 400, "ar")
        .await
        .has("طلب غير صالح");

    // One offer: criteria and weights, budget in MAD, scores per criterion once awarded,
    // the Q1 badge, the audit trail.
    page(&ledger, "/offers/O1?lang=fr", 200, "fr")
        .await
        .has(&format!("<h1>{O1_TITLE}</h1>"))
        .has("Pertinence")
        .has("60 %")
        .has(&mad("500 000,00 MAD"))
        .has(&mad("100 000,00 MAD"))
        .has(&mad("400 000,00 MAD"))
        .has("Publié au premier trimestre")
        .has("evaluator-mjcc")
        // 80 × 60 % + 70 × 40 % = 76 points.
        .has("76,00")
        .has("href=\"/audit/offer/O1\"")
        .has("href=\"/associations/ASSO-RABAT\"");
    page(&ledger, "/offers/O1?lang=ar", 200, "ar")
        .await
        .has("معايير التقييم")
        .has("الرباط سلا القنيطرة")
        .has("الثقافة")
        .has("منشور خلال الفصل الأول");
    // O2 has awarded nothing: no scores are public.
    page(&ledger, "/offers/O2?lang=fr", 200, "fr")
        .await
        .has("Les notes par critère sont publiées")
        .lacks("evaluator-mjcc");
    page(&ledger, "/offers/NOPE?lang=fr", 404, "fr")
        .await
        .has("Page introuvable");
    page(&ledger, "/offers/NOPE?lang=ar", 404, "ar")
        .await
        .has("الصفحة غير موجودة");

    // Awards: links to the offer, the association and the audit trail; the region filter
    // is the recipient's.
    page(&ledger, "/awards?lang=fr", 200, "fr")
        .await
        .has(rabat)
        .has(O1_TITLE)
        .has("href=\"/offers/O1\"")
        .has("href=\"/associations/ASSO-RABAT\"")
        .has("href=\"/audit/award/W1\"")
        .has(&mad("40 000,00 MAD"));
    page(&ledger, "/awards?region=MA-06&lang=fr", 200, "fr")
        .await
        .lacks(rabat)
        .has("Aucun élément");
    page(&ledger, "/awards?lang=ar&year=2026", 200, "ar")
        .await
        .has("الرباط سلا القنيطرة")
        .has("سارية");
    page(&ledger, "/awards/W1?lang=fr", 200, "fr")
        .await
        .has("TGR-2026-0042")
        .has(&mad("40 000,00 MAD"));
    page(&ledger, "/awards/NOPE?lang=ar", 404, "ar").await;

    // Associations: the name search, and a profile with everything it received.
    page(&ledger, "/associations?q=rabat&lang=fr", 200, "fr")
        .await
        .has(rabat)
        .lacks("Association ASSO-CASA")
        .has("<label for=\"f-q\">");
    page(
        &ledger,
        "/associations?region=MA-06&domain=youth&lang=ar",
        200,
        "ar",
    )
    .await
    .has("Association ASSO-CASA")
    .lacks(rabat);
    page(&ledger, "/associations/ASSO-RABAT?lang=fr", 200, "fr")
        .await
        .has(&format!("<h1>{rabat}</h1>"))
        .has("Projet de ASSO-RABAT")
        .has("href=\"/awards/W1\"")
        .has(&mad("100 000,00 MAD"))
        .has("TGR-2026-0042")
        .has("10/03/2015");
    page(&ledger, "/associations/ASSO-RABAT?lang=ar", 200, "ar")
        .await
        .has("الرباط سلا القنيطرة")
        .has("جمعية")
        .has("الشباب");
    page(&ledger, "/associations/NOPE?lang=fr", 404, "fr").await;

    // Indicators: every label and definition, charts as SVG with a table alternative.
    page(&ledger, "/indicators?year=2026&lang=fr", 200, "fr")
        .await
        .has("Appels à projets publiés")
        .has("Appels publiés avant le 1er avril")
        .has("<svg")
        .has("role=\"img\"")
        .has("Montant accordé par région")
        .has("Rabat-Salé-Kénitra")
        .has(&mad("100 000,00 MAD"))
        .has("100,0\u{a0}%");
    page(&ledger, "/indicators?year=2026&lang=ar", 200, "ar")
        .await
        .has("طلبات المشاريع المنشورة")
        .has("المبلغ الممنوح حسب الجهة")
        .has("الرباط سلا القنيطرة");
    page(&ledger, "/indicators?year=1999&lang=fr", 400, "fr").await;

    // The language: `?lang=` sets the cookie, the cookie is read back, then
    // Accept-Language, then French.
    let asked = fetch(&ledger, "/offers?lang=ar", &[]).await;
    let cookie = asked
        .headers
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cookie.starts_with("lang=ar;"), "{cookie}");
    fetch(&ledger, "/offers", &[(COOKIE, "lang=ar")])
        .await
        .has("dir=\"rtl\"")
        .has("طلبات المشاريع");
    let remembered = fetch(&ledger, "/offers", &[(COOKIE, "lang=ar")]).await;
    assert!(
        remembered.headers.get(SET_COOKIE).is_none(),
        "only ?lang= sets the cookie"
    );
    fetch(&ledger, "/awards", &[(ACCEPT_LANGUAGE, "ar-MA,fr;q=0.5")])
        .await
        .has("dir=\"rtl\"");
    fetch(&ledger, "/associations", &[])
        .await
        .has("lang=\"fr\" dir=\"ltr\"");
    // The language switch keeps the filters.
    let filtered = page(&ledger, "/offers?status=closed&lang=fr", 200, "fr").await;
    let switch = filtered
        .body
        .split("class=\"lang\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        // However the template engine escapes the ampersand.
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    assert_eq!(switch, "/offers?status=closed&lang=ar");
}
