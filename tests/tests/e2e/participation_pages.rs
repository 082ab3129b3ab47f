//! The portal's consultation and draft pages, read as a browser reads them:
//! HTML in French and in Arabic, on both stores. A ministry drafts a law in three
//! revisions and consults on the second; an association comments on an article and on the
//! whole text, a comment is hidden for personal data, a citizen comments through the
//! page's form (no JavaScript, an urlencoded POST) and gets a receipt; the form's refusals
//! (too long, window closed, rate limited) come back as sentences in the page's language
//! with the typed text kept. Then the ministry closes, answers, publishes results and a
//! third revision motivated by a comment and a recommendation, and the pages are checked:
//! the text article by article with comments and responses, the hidden comment's
//! placeholder without its text, the drafts' revisions, the diff's `<ins>`/`<del>` linked
//! to the comment behind the change, `dir="rtl"`, and 400/404 pages in the reader's
//! language.
//!
//! Everything goes through the real server on a clock the test moves (`lifecycle.rs`).

use ledger::hash::{sha256, to_hex};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::lifecycle::{Ledger, AFTER_CLOSE, IN_WINDOW, RABAT};
use crate::participation::{
    article, comment, consultation_body, consultation_stream, draft_stream, draft_with_revision,
    inline_revision, moderation, text_sha256, Participants,
};
use crate::support::{parse_entry, Backend};

both_backends!(the_portal_shows_a_consultation_and_takes_a_comment_in_both_languages);

const DRAFT: &str = "LOI-PORTAIL-2026";
const CONSULTATION: &str = "CONS-PORTAIL-01";
/// Texts without apostrophes or quotes, which HTML escapes: they are searched for as is.
const ON_ARTICLE: &str = "Quinze jours ne suffisent pas aux associations rurales.";
const ON_TEXT: &str = "Un texte attendu depuis longtemps.";
const RESPONSE: &str = "Le délai passe à trente jours calendaires.";
/// The text a moderator hides for personal data: it must never reach a page.
const PRIVATE: &str = "Appelez Karim Untel au 06 12 34 56 78.";
const PUBLIC_TEXT_AR: &str = "يجب نشر النتائج باللغتين العربية والأمازيغية.";

fn revision(delay: &str) -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique."
        ),
        article("art-2", "Délais", delay),
    ])
}

/// An HTML answer: status, headers, and the body with askama's escapes undone, so that
/// texts are searched for as they were written.
struct HtmlPage {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl HtmlPage {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response.text().await.expect("an HTML body");
        let body = unescape(&raw);
        Self {
            status,
            headers,
            body,
        }
    }

    #[track_caller]
    fn has(&self, what: &str) -> &Self {
        assert!(
            self.body.contains(what),
            "the page lacks {what:?}:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    fn lacks(&self, what: &str) -> &Self {
        assert!(
            !self.body.contains(what),
            "the page shows {what:?}:\n{}",
            self.body
        );
        self
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    }
}

/// HTML's character references undone: decimal ones (askama writes `&#38;`, `&#39;`)
/// and the named ones for `<`, `>`, `"` and `&`.
fn unescape(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|e| *e <= 8);
        let decoded = end.and_then(|e| match &rest[1..e] {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "amp" => Some('&'),
            code => code
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32),
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

async fn page(ledger: &Ledger, path: &str) -> HtmlPage {
    let response = ledger
        .http
        .get(ledger.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    HtmlPage::read(response).await
}

/// A page that must be a 200 in `lang`.
async fn ok(ledger: &Ledger, path: &str, lang: &str) -> HtmlPage {
    let p = page(ledger, path).await;
    assert_eq!(p.status, StatusCode::OK, "{path}: {}", p.body);
    let dir = if lang == "ar" { "rtl" } else { "ltr" };
    p.has(&format!("<html lang=\"{lang}\" dir=\"{dir}\">"));
    assert!(p.header("content-type").starts_with("text/html"), "{path}");
    p
}

/// Posts the comment form as a browser does (`application/x-www-form-urlencoded`).
async fn post_form(ledger: &Ledger, fields: &[(&str, &str)]) -> HtmlPage {
    let response = ledger
        .http
        .post(ledger.url(&format!("/consultations/{CONSULTATION}/comments")))
        .form(fields)
        .send()
        .await
        .expect("POST the comment form");
    HtmlPage::read(response).await
}

/// The number after `marker` in a page (the receipt's index in its download link).
fn number_after(body: &str, marker: &str) -> u64 {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in {body}"))
        + marker.len();
    body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

async fn the_portal_shows_a_consultation_and_takes_a_comment_in_both_languages(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let p = Participants::register(&ledger).await;
    let draft = draft_stream(DRAFT);
    let stream = consultation_stream(CONSULTATION);

    // --- A draft in two revisions, a consultation on the second. ---
    draft_with_revision(
        &ledger,
        &p,
        DRAFT,
        &revision("Toute consultation dure au moins dix jours."),
    )
    .await;
    let consulted = revision("Toute consultation dure au moins quinze jours.");
    ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft,
            inline_revision(2, &consulted),
            "RevisionPublished",
        )
        .await;
    ledger
        .accept(
            &p.drafter,
            "OpenConsultation",
            &stream,
            consultation_body(DRAFT, 2),
            "ConsultationOpened",
        )
        .await;

    // --- An association comments; one of its comments is hidden for personal data. ---
    ledger.clock.set(IN_WINDOW);
    let rabat = &p.cast.rabat;
    let (_, on_article) = comment(
        &ledger,
        rabat,
        CONSULTATION,
        RABAT,
        Some("art-2"),
        ON_ARTICLE,
    )
    .await;
    let (_, on_text) = comment(&ledger, rabat, CONSULTATION, RABAT, None, ON_TEXT).await;
    let (_, private) = comment(&ledger, rabat, CONSULTATION, RABAT, Some("art-1"), PRIVATE).await;
    assert_eq!(
        (
            &on_article["comment"],
            &on_text["comment"],
            &private["comment"]
        ),
        (&json!(1), &json!(2), &json!(3))
    );
    ledger
        .accept(
            &p.moderator,
            "ModerateComment",
            &stream,
            moderation(3, "hide", "personal_data"),
            "CommentModerated",
        )
        .await;

    // --- The open consultation's page: the form, with every field labelled. ---
    let open = ok(
        &ledger,
        &format!("/consultations/{CONSULTATION}?lang=fr"),
        "fr",
    )
    .await;
    open.has(&format!(
        "action=\"/consultations/{CONSULTATION}/comments\""
    ))
    .has("<label for=\"c-text\">Votre commentaire</label>")
    .has("5 000 caractères au plus.")
    .has("<label for=\"c-article\">")
    .has("<option value=\"art-2\">")
    .has("<label for=\"c-name\">")
    .has("<label for=\"c-email\">")
    .has("Elle n'est jamais publiée")
    .has("name=\"client_token\" value=\"portal-");
    assert!(
        open.header("set-cookie").starts_with("lang=fr"),
        "?lang= is remembered"
    );

    // --- A citizen comments through the form, in Arabic, and gets a receipt. ---
    let token = "portal-test-token-1";
    let fields = [
        ("text", PUBLIC_TEXT_AR),
        ("article", "art-2"),
        ("author_name", "Amina"),
        ("author_email", "amina@example.ma"),
        ("client_token", token),
        ("lang", "ar"),
    ];
    let receipt = post_form(&ledger, &fields).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    receipt
        .has("<html lang=\"ar\" dir=\"rtl\">")
        .has("سُجّل تعليقكم")
        .lacks("amina@example.ma");
    let link = format!("/consultations/{CONSULTATION}/receipts/");
    let index = number_after(&receipt.body, &link);
    let document = to_hex(&sha256(PUBLIC_TEXT_AR.as_bytes()));
    receipt.has(&document).has("\"CommentSubmitted\"");

    // The comment is in the log, signed, as the public's.
    let entry = ledger.get(&format!("/v1/log/entries/{index}")).await;
    assert_eq!(entry.status.as_u16(), 200);
    let signed = parse_entry(&entry.bytes, &ledger.log_key).entry;
    assert_eq!(signed.event_type, "CommentSubmitted");
    assert_eq!(signed.stream, stream);
    assert_eq!(signed.data["channel"], "public");
    assert_eq!(signed.data["article"], "art-2");
    assert_eq!(signed.data["document"], document.as_str());
    assert!(!entry.text().contains("Amina"), "a name entered the log");
    let entry_hash = to_hex(&sha256(&entry.bytes));
    receipt.has(&entry_hash);

    // The receipt downloads as the API's receipt: the entry's bytes verbatim.
    let download = ledger
        .http
        .get(ledger.url(&format!("{link}{index}")))
        .send()
        .await
        .expect("GET the receipt");
    assert_eq!(download.status(), StatusCode::OK);
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let bytes = download.bytes().await.expect("receipt bytes");
    let mut expected =
        format!("{{\"index\":{index},\"entry_hash\":\"{entry_hash}\",\"entry\":").into_bytes();
    expected.extend_from_slice(&entry.bytes);
    expected.push(b'}');
    assert_eq!(
        bytes.to_vec(),
        expected,
        "the receipt file is the API's receipt"
    );
    // An entry that is not a public comment of this consultation has no receipt.
    let not_receipt = page(&ledger, &format!("{link}0?lang=fr")).await;
    assert_eq!(not_receipt.status, StatusCode::NOT_FOUND);
    not_receipt.has("Page introuvable");

    // Sending the same form again (a reload) gets the same receipt, not a second comment.
    let again = post_form(&ledger, &fields).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(number_after(&again.body, &link), index);

    // --- Refusals, in the page's language, the typed text kept. ---
    let long = "mot ".repeat(1_300);
    let too_long = post_form(
        &ledger,
        &[
            ("text", long.as_str()),
            ("article", ""),
            ("client_token", "t-2"),
            ("lang", "fr"),
        ],
    )
    .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_long
        .has("<html lang=\"fr\" dir=\"ltr\">")
        .has("role=\"alert\"")
        .has("dépasse 5 000 caractères")
        .has(long.trim_end());

    ledger.clock.set(AFTER_CLOSE);
    let late = post_form(
        &ledger,
        &[
            ("text", "Encore un mot."),
            ("article", "art-1"),
            ("lang", "ar"),
        ],
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    late.has("<html lang=\"ar\" dir=\"rtl\">")
        .has("انتهت فترة الاستشارة.")
        .has("Encore un mot.")
        // The article chosen stays chosen.
        .has("<option value=\"art-1\" selected>");

    // The rate limit is the API's (10 a minute from one address by default).
    let mut limited = None;
    for _ in 0..15 {
        let reply = post_form(&ledger, &[("text", long.as_str()), ("lang", "fr")]).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
    }
    let limited = limited.expect("the form is rate limited like the API");
    limited
        .has("Trop de commentaires envoyés depuis votre connexion")
        .has(long.trim_end());
    assert!(!limited.header("retry-after").is_empty());

    // --- Close, answer, publish results and a revision motivated by them. ---
    ledger
        .accept(
            &p.drafter,
            "CloseConsultation",
            &stream,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    ledger
        .accept(
            &p.drafter,
            "RespondToComments",
            &stream,
            json!({"responses": [
                {"comment": 1, "position": "accepted", "reasoning": RESPONSE},
                {"comment": 2, "position": "noted", "reasoning": "Merci."},
                {"comment": 4, "position": "partly_accepted", "reasoning": "Publication bilingue retenue."}]}),
            "CommentsAnswered",
        )
        .await;
    ledger
        .accept(
            &p.drafter,
            "PublishResults",
            &stream,
            json!({"synthesis": "Quatre avis reçus ; le délai est allongé.",
                   "recommendations": [{"id": "R-1", "text": "Allonger les délais."}]}),
            "ResultsPublished",
        )
        .await;
    let third = revision("Toute consultation dure au moins trente jours calendaires.");
    ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &draft,
            json!({"number": 3, "articles": third, "articles_document": null,
                   "text_sha256": text_sha256(&third), "change_summary": "Délai de trente jours.",
                   "motivated_by": [
                       {"consultation": CONSULTATION, "comment": 1, "recommendation": null},
                       {"consultation": CONSULTATION, "comment": null, "recommendation": "R-1"}]}),
            "RevisionPublished",
        )
        .await;

    // --- The list, with its filters. ---
    let list = ok(&ledger, "/consultations?lang=fr", "fr").await;
    list.has(&format!("href=\"/consultations/{CONSULTATION}\""))
        .has("Consultation sur le projet de loi")
        .has("Résultats publiés")
        .has("<label for=\"f-status\">")
        .has("<label for=\"f-institution\">")
        .has("<label for=\"f-year\">");
    // A GET form sends its empty fields: they are no filter, not an error.
    let filtered = ok(
        &ledger,
        "/consultations?status=results&institution=&year=2026&lang=fr",
        "fr",
    )
    .await;
    filtered
        .has(&format!("href=\"/consultations/{CONSULTATION}\""))
        .has("<option value=\"results\" selected>");
    ok(&ledger, "/consultations?status=open&lang=fr", "fr")
        .await
        .has("Aucun résultat.");
    let list_ar = ok(&ledger, "/consultations?lang=ar", "ar").await;
    list_ar.has("النتائج منشورة");
    assert!(list_ar.header("set-cookie").starts_with("lang=ar"));

    // --- The consultation, in French. ---
    let fr = ok(
        &ledger,
        &format!("/consultations/{CONSULTATION}?lang=fr"),
        "fr",
    )
    .await;
    fr.has("<h1>Consultation sur le projet de loi</h1>")
        .has("Toute consultation dure au moins quinze jours.")
        .has("id=\"comment-1\"")
        .has(ON_ARTICLE)
        .has("Association ASSO-RABAT")
        .has("Retenu")
        .has(RESPONSE)
        .has(ON_TEXT)
        .has("Pris en note")
        // The hidden comment: its placeholder and ground, never its text.
        .has("id=\"comment-3\"")
        .has("Commentaire masqué par la modération")
        .has("Données personnelles d'autrui")
        .has("Son texte a été retiré")
        .lacks(PRIVATE)
        .lacks("06 12 34 56 78")
        // The citizen's comment, with the name given and never the e-mail.
        .has(PUBLIC_TEXT_AR)
        .has("Amina")
        .lacks("amina@example.ma")
        .has("Retenu en partie")
        // Counts, results, the revision the comment led to, the audit trail.
        .has("Reçus : <strong>4</strong>")
        .has("Masqués : <strong>1</strong>")
        .has("Avec réponse : <strong>3</strong>")
        .has("Quatre avis reçus ; le délai est allongé.")
        .has("id=\"recommendation-R-1\"")
        .has(&format!("href=\"/drafts/{DRAFT}/diff?from=2&to=3\""))
        .has(&format!("href=\"/audit/consultation/{CONSULTATION}\""))
        .has("Cette consultation ne reçoit plus de commentaires.")
        .lacks("name=\"client_token\"");
    // Headings in order: one h1, sections h2, articles h3, their comments h4.
    assert_eq!(fr.body.matches("<h1>").count(), 1);
    assert!(fr.body.contains("<h3 id=\"article-art-2-h\">"));
    assert!(fr.body.contains("<h4>Commentaire n° 1</h4>"));
    assert!(fr.body.contains("<h3>Commentaire n° 2</h3>"));

    // --- The same page in Arabic. ---
    let ar = ok(
        &ledger,
        &format!("/consultations/{CONSULTATION}?lang=ar"),
        "ar",
    )
    .await;
    ar.has("تعليق محجوب من طرف الإشراف")
        .has("معطيات شخصية للغير")
        .has("مقبول")
        .has(ON_ARTICLE)
        .has(RESPONSE)
        .lacks(PRIVATE);
    // Without ?lang=, the cookie the last page set decides; here Accept-Language does.
    let by_header = ledger
        .http
        .get(ledger.url(&format!("/consultations/{CONSULTATION}")))
        .header("accept-language", "ar-MA,fr;q=0.5")
        .send()
        .await
        .expect("GET");
    HtmlPage::read(by_header)
        .await
        .has("<html lang=\"ar\" dir=\"rtl\">");

    // --- The drafts. ---
    ok(&ledger, "/drafts?lang=fr", "fr")
        .await
        .has(&format!("href=\"/drafts/{DRAFT}\""))
        .has("Projet de loi relatif à la consultation publique")
        .has("En cours d'élaboration");
    let d = ok(&ledger, &format!("/drafts/{DRAFT}?lang=fr"), "fr").await;
    d.has("Version 1")
        .has("Version 2")
        .has("Version 3")
        .has("Délai de trente jours.")
        .has(&text_sha256(&third))
        .has(&text_sha256(&consulted))
        .has(&format!("href=\"/consultations/{CONSULTATION}#comment-1\""))
        .has(&format!(
            "href=\"/consultations/{CONSULTATION}#recommendation-R-1\""
        ))
        .has(&format!("href=\"/audit/draft/{DRAFT}\""))
        .has("<label for=\"cmp-from\">")
        .has("<label for=\"cmp-to\">")
        .has(&format!("href=\"/consultations/{CONSULTATION}\""))
        // The latest text by default; any revision's on demand.
        .has("Toute consultation dure au moins trente jours calendaires.");
    ok(
        &ledger,
        &format!("/drafts/{DRAFT}?revision=1&lang=fr"),
        "fr",
    )
    .await
    .has("Toute consultation dure au moins dix jours.");

    // --- The diff, in Arabic: words marked, each change linked to its comment. ---
    let diff = ok(
        &ledger,
        &format!("/drafts/{DRAFT}/diff?from=2&to=3&lang=ar"),
        "ar",
    )
    .await;
    diff.has("<del><span class=\"sr-only\">[بداية حذف] </span>quinze")
        .has("<ins><span class=\"sr-only\">[بداية إضافة] </span>trente")
        .has("<span class=\"sr-only\"> [نهاية حذف]</span></del>")
        .has("Toute consultation dure au moins ")
        .has(&format!("href=\"/consultations/{CONSULTATION}#comment-1\""))
        .has("مادة معدلة");
    // The two revisions in either order compare oldest first.
    ok(
        &ledger,
        &format!("/drafts/{DRAFT}/diff?from=3&to=1&lang=fr"),
        "fr",
    )
    .await
    .has("Version 1 → version 3")
    .has("<del>")
    .has("<ins>");

    // --- Errors are pages in the reader's language. ---
    let missing = page(&ledger, "/consultations/NO-SUCH?lang=ar").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing
        .has("<html lang=\"ar\" dir=\"rtl\">")
        .has("الصفحة غير موجودة");
    let missing = page(&ledger, "/drafts/NO-SUCH?lang=fr").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.has("Page introuvable");
    for bad in [
        "/consultations?year=deux-mille&lang=fr".to_owned(),
        format!("/drafts/{DRAFT}/diff?from=2&to=2&lang=fr"),
        format!("/drafts/{DRAFT}/diff?from=x&lang=fr"),
        format!("/drafts/{DRAFT}?revision=x&lang=fr"),
    ] {
        let reply = page(&ledger, &bad).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            reply.body
        );
        reply
            .has("<html lang=\"fr\" dir=\"ltr\">")
            .has("Demande invalide");
    }
    let none = page(
        &ledger,
        &format!("/drafts/{DRAFT}/diff?from=1&to=9&lang=ar"),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    none.has("<html lang=\"ar\" dir=\"rtl\">");
}
