//! The public channel of consultations (docs/public-channel.md): a citizen posts
//! `POST /v1/consultations/{id}/comments` with no key and keeps a receipt that proves
//! inclusion; a retry with its `client_token` appends nothing; one address is rate
//! limited; a name and an e-mail never reach the log nor any answer, and one e-mail is one
//! participant.
//!
//! Every story runs on a ledger clock the test holds ([`TestClock`]), inside the window of
//! a consultation opened by a drafter on the first revision of a draft law
//! ([`OpenConsultation`]); the erasure and withholding stories in `public_erasure.rs` stand
//! on the same fixture.

use std::collections::HashSet;

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use ledger::merkle::{leaf_hash, verify_inclusion};
use ledger::{canonical, Hash};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::lifecycle::{Ledger, TestClock, START};
use crate::support::{new_key, parse_entry, public_b64, Backend, Reply, TestApp};

pub const MINISTRY: &str = "MJCC";
pub const DRAFT: &str = "LOI-CONSULT-2026";
pub const CONSULTATION: &str = "CONS-2026-01";
pub const STREAM: &str = "consultation/CONS-2026-01";
/// The consultation's window, around [`START`].
const OPENS_AT: &str = "2026-02-02T08:00:00Z";
const CLOSES_AT: &str = "2026-03-02T00:00:00Z";

/// A server with a consultation open on a two-article draft law, its drafter and its
/// moderator, and a rate limit of `per_minute` public comments per address.
pub struct Consultation {
    pub ledger: Ledger,
    pub drafter: SigningKey,
    pub moderator: SigningKey,
}

impl std::ops::Deref for Consultation {
    type Target = Ledger;
    fn deref(&self) -> &Ledger {
        &self.ledger
    }
}

pub fn articles() -> Value {
    json!([
        {"id": "art-1", "heading": "Objet",
         "text": "La présente loi fixe les modalités de la consultation publique."},
        {"id": "art-2", "heading": "Publication",
         "text": "Les résultats de chaque consultation sont publiés."}
    ])
}

impl Consultation {
    pub async fn open(backend: Backend, per_minute: u32) -> Self {
        Self::open_configured(backend, |options| {
            options.public_comments_per_minute = per_minute;
        })
        .await
    }

    /// [`Consultation::open`] on a server whose options `configure` sets.
    pub async fn open_configured(
        backend: Backend,
        configure: impl FnOnce(&mut sijill::serve::ServeOptions),
    ) -> Self {
        let clock = TestClock::starting_at(START);
        let app = TestApp::start_configured(backend, clock.clone(), configure).await;
        let ledger = Ledger { app, clock };
        let admin = &ledger.admin;
        ledger
            .accept(
                admin,
                "RegisterInstitution",
                &format!("institution/{MINISTRY}"),
                json!({"name": "Ministère chargé des relations avec le Parlement", "kind": "ministry"}),
                "InstitutionRegistered",
            )
            .await;
        let official = |id: &'static str, role: &'static str| {
            let ledger = &ledger;
            async move {
                let key = new_key();
                ledger
                    .accept(
                        &ledger.admin,
                        "RegisterActor",
                        &format!("registry/{id}"),
                        json!({"public_key": public_b64(&key), "name": format!("Official {id}"),
                               "institution": MINISTRY, "roles": [role]}),
                        "ActorRegistered",
                    )
                    .await;
                key
            }
        };
        let drafter = official("drafter-mrp", "drafter").await;
        let moderator = official("moderator-mrp", "moderator").await;
        let draft = format!("draft/{DRAFT}");
        ledger
            .accept(
                &drafter,
                "CreateDraft",
                &draft,
                json!({"institution": MINISTRY, "title": "Projet de loi sur la consultation publique",
                       "summary": "Cadre de la consultation publique des textes."}),
                "DraftCreated",
            )
            .await;
        let articles = articles();
        let text_sha256 = to_hex(&sha256(&canonical::to_bytes(&articles).unwrap()));
        ledger
            .accept(
                &drafter,
                "PublishRevision",
                &draft,
                json!({"number": 1, "articles": articles, "articles_document": null,
                       "text_sha256": text_sha256, "change_summary": "Première version",
                       "motivated_by": []}),
                "RevisionPublished",
            )
            .await;
        ledger
            .accept(
                &drafter,
                "OpenConsultation",
                STREAM,
                json!({"draft": DRAFT, "revision": 1, "title": "Consultation sur le projet de loi",
                       "summary": "Vos avis article par article.",
                       "opens_at": OPENS_AT, "closes_at": CLOSES_AT}),
                "ConsultationOpened",
            )
            .await;
        Self {
            ledger,
            drafter,
            moderator,
        }
    }

    /// Posts a public comment body to this consultation.
    pub async fn comment(&self, body: &Value) -> Reply {
        self.comment_to(CONSULTATION, body.to_string().into_bytes())
            .await
    }

    pub async fn comment_to(&self, consultation: &str, body: Vec<u8>) -> Reply {
        post_comment(self, consultation, body).await.0
    }

    /// Posts a comment that must be accepted; returns the receipt and the entry as the log
    /// serves it, checked against the log key.
    pub async fn accepted(&self, body: &Value) -> (Value, Value) {
        let reply = self.comment(body).await;
        let receipt = reply.created().clone();
        let index = receipt["index"].as_u64().expect("a receipt has an index");
        let served = self.get(&format!("/v1/log/entries/{index}")).await;
        // Served, and signed by the log key.
        parse_entry(&served.bytes, &self.log_key);
        (receipt, served.json)
    }
}

/// Posts raw bytes as JSON to `POST /v1/consultations/{id}/comments`; the answer and its
/// `Retry-After` header.
pub async fn post_comment(
    app: &TestApp,
    consultation: &str,
    body: Vec<u8>,
) -> (Reply, Option<String>) {
    let response = app
        .http
        .post(app.url(&format!("/v1/consultations/{consultation}/comments")))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("POST comments");
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = response.bytes().await.expect("body").to_vec();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (
        Reply {
            status,
            content_type,
            bytes,
            json,
        },
        retry_after,
    )
}

/// The `data.person` of the entry a receipt names.
pub fn person_of(receipt: &Value) -> String {
    receipt["entry"]["data"]["person"]
        .as_str()
        .expect("a public comment names a person")
        .to_owned()
}

both_backends!(
    a_receipt_proves_that_the_log_holds_exactly_that_text,
    a_retry_with_its_client_token_appends_nothing,
    concurrent_retries_append_one_comment,
    one_address_is_rate_limited_with_retry_after,
    bodies_are_strict_and_refusals_append_nothing,
    the_e_mail_never_reaches_the_log_nor_an_answer,
    one_e_mail_is_one_participant,
    a_later_comment_does_not_rename_earlier_ones,
    references_are_scoped_to_one_consultation,
);

async fn a_receipt_proves_that_the_log_holds_exactly_that_text(backend: Backend) {
    let c = Consultation::open(backend, 100).await;
    let text = "L'article 2 devrait fixer un délai de publication de trente jours.";
    let reply = c
        .comment(&json!({"text": text, "article": "art-2", "author_name": "Amina"}))
        .await;
    let receipt = reply.created().clone();
    assert_eq!(
        receipt.as_object().map(|o| o.len()),
        Some(3),
        "a receipt is {{index, entry_hash, entry}}: {receipt}"
    );
    let index = receipt["index"].as_u64().expect("index");
    let entry_hash = receipt["entry_hash"].as_str().expect("entry_hash");

    // The entry is exactly what the log serves, byte for byte, and hashes as the receipt says.
    let served = c.get(&format!("/v1/log/entries/{index}")).await;
    assert_eq!(served.status, StatusCode::OK);
    assert!(
        reply.text().contains(&served.text()),
        "the receipt carries the signed entry verbatim"
    );
    assert_eq!(
        canonical::to_bytes(&receipt["entry"]).unwrap(),
        served.bytes
    );
    assert_eq!(to_hex(&sha256(&served.bytes)), entry_hash);
    let signed = parse_entry(&served.bytes, &c.log_key);
    let entry = &signed.entry;
    assert_eq!((entry.index, entry.stream.as_str()), (index, STREAM));
    assert_eq!(entry.event_type, "CommentSubmitted");
    assert!(
        entry.auth.is_none() && entry.auth_at.is_none(),
        "no key, no auth"
    );
    let object = receipt["entry"].as_object().unwrap();
    assert!(!object.contains_key("auth") && !object.contains_key("auth_at"));

    let document = to_hex(&sha256(text.as_bytes()));
    let data = &entry.data;
    assert_eq!(data["channel"], "public");
    assert_eq!(data["association"], Value::Null);
    assert_eq!(data["comment"], 1);
    assert_eq!(data["article"], "art-2");
    assert_eq!(data["document"], document.as_str());
    assert_eq!(data["documents"], json!([document]));
    let person = data["person"].as_str().unwrap();
    assert!(person.len() == 64 && person.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(
        !served.text().contains("Amina"),
        "the name stays out of the log"
    );

    // The text is served under the hash the signed entry names.
    let doc = c.get(&format!("/v1/documents/{document}")).await;
    assert_eq!((doc.status, doc.text().as_str()), (StatusCode::OK, text));

    // An inclusion proof for the receipt's entry verifies against a signed checkpoint.
    let (_, checkpoint) = c.checkpoint().await;
    assert!(checkpoint.size > index);
    let proof = c
        .get(&format!(
            "/v1/log/proof/inclusion?index={index}&size={}",
            checkpoint.size
        ))
        .await;
    assert_eq!(proof.status, StatusCode::OK, "{}", proof.text());
    let path = hashes(&proof.json["hashes"]);
    let leaf = leaf_hash(&canonical::to_bytes(&receipt["entry"]).unwrap());
    verify_inclusion(&leaf, index, checkpoint.size, &path, &checkpoint.root)
        .unwrap_or_else(|e| panic!("the receipt's entry is not included: {e}"));
    // Not vacuous: another text under the same proof does not verify.
    let mut forged = receipt["entry"].clone();
    forged["data"]["document"] = json!(to_hex(&sha256(b"another text")));
    let forged_leaf = leaf_hash(&canonical::to_bytes(&forged).unwrap());
    assert!(verify_inclusion(
        &forged_leaf,
        index,
        checkpoint.size,
        &path,
        &checkpoint.root
    )
    .is_err());

    // A comment on the whole text names no article.
    let (whole, _) = c
        .accepted(&json!({"text": "Un texte bienvenu.", "article": null}))
        .await;
    assert_eq!(whole["entry"]["data"]["article"], Value::Null);
    assert_eq!(whole["entry"]["data"]["comment"], 2);

    // The consultation's trail says who asked for each entry: the drafter's key for the
    // opening, the public channel (no key) for each public comment.
    let trail = c.get(&format!("/audit/{STREAM}?lang=fr")).await;
    assert_eq!(trail.status, StatusCode::OK);
    let page = trail.text();
    assert_eq!(page.matches("public (sans clé)").count(), 2, "{page}");
    assert!(page.contains("OpenConsultation"), "{page}");
}

fn hashes(list: &Value) -> Vec<Hash> {
    use base64::Engine;
    list.as_array()
        .expect("a proof lists hashes")
        .iter()
        .map(|h| {
            base64::engine::general_purpose::STANDARD
                .decode(h.as_str().expect("base64"))
                .expect("base64")
                .try_into()
                .expect("32 bytes")
        })
        .collect()
}

async fn a_retry_with_its_client_token_appends_nothing(backend: Backend) {
    let c = Consultation::open(backend, 100).await;
    let body = json!({"text": "Prévoir une version en amazighe.", "article": null,
                      "author_email": "Youssef@example.ma", "client_token": "7f1c-a2"});
    let first = c.comment(&body).await;
    first.created();
    let size = c.tree_size().await;
    // The retry (the answer was lost on the way) gets the very same receipt.
    let again = c.comment(&body).await;
    again.created();
    assert_eq!(
        again.bytes, first.bytes,
        "a retry gets the original receipt"
    );
    // Member order does not make it another request.
    let reordered = json!({"client_token": "7f1c-a2", "author_email": "Youssef@example.ma",
                           "article": null, "text": "Prévoir une version en amazighe."});
    assert_eq!(c.comment(&reordered).await.bytes, first.bytes);
    assert_eq!(c.tree_size().await, size, "a retry appends nothing");

    // The same token with another text is not a retry.
    let other = json!({"text": "Autre chose.", "article": null, "client_token": "7f1c-a2"});
    c.comment(&other)
        .await
        .assert_error(409, "client_token_reused");
    assert_eq!(c.tree_size().await, size);
    // Another token is another comment.
    let mut fresh = body.clone();
    fresh["client_token"] = json!("7f1c-a3");
    let (receipt, _) = c.accepted(&fresh).await;
    assert_eq!(receipt["entry"]["data"]["comment"], 2);
}

async fn concurrent_retries_append_one_comment(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let before = c.tree_size().await;
    let body = json!({"text": "Publier les contributions reçues.", "article": "art-2",
                      "client_token": "burst-1"})
    .to_string();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (app, body) = (c.api.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let response = app
                .http
                .post(app.url(&format!("/v1/consultations/{CONSULTATION}/comments")))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .expect("POST");
            (
                response.status(),
                response.bytes().await.expect("body").to_vec(),
            )
        }));
    }
    let mut receipts = HashSet::new();
    for task in tasks {
        let (status, bytes) = task.await.expect("task");
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        receipts.insert(bytes);
    }
    assert_eq!(receipts.len(), 1, "every copy gets the one receipt");
    assert_eq!(
        c.tree_size().await,
        before + 1,
        "one comment, whatever the retries"
    );
}

async fn one_address_is_rate_limited_with_retry_after(backend: Backend) {
    let c = Consultation::open(backend, 2).await;
    for i in 0..2 {
        c.comment(&json!({"text": format!("Avis {i}"), "article": null}))
            .await
            .created();
    }
    let size = c.tree_size().await;
    let (reply, retry_after) = post_comment(
        &c,
        CONSULTATION,
        json!({"text": "Un de trop", "article": null})
            .to_string()
            .into_bytes(),
    )
    .await;
    reply.assert_error(429, "rate_limited");
    let secs: u64 = retry_after
        .expect("a 429 says when to retry")
        .parse()
        .expect("Retry-After in whole seconds");
    assert!(
        (1..=30).contains(&secs),
        "two a minute: one more within 30 s, not {secs}"
    );
    assert_eq!(
        c.tree_size().await,
        size,
        "a limited request appends nothing"
    );
    // Malformed floods count too, and other routes are not limited.
    let (garbage, _) = post_comment(&c, CONSULTATION, b"{".to_vec()).await;
    garbage.assert_error(429, "rate_limited");
    assert_eq!(c.get("/v1/log/checkpoint").await.status, StatusCode::OK);
}

async fn bodies_are_strict_and_refusals_append_nothing(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let size = c.tree_size().await;
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (
            br#"{"text": "x", "article": null, "signature": "y"}"#.to_vec(),
            400,
            "invalid_body",
        ),
        (br#"{"text": "x"}"#.to_vec(), 400, "invalid_body"),
        (
            br#"{"text": "x", "article": null"#.to_vec(),
            400,
            "malformed_json",
        ),
        (
            br#"{"text": "  ", "article": null}"#.to_vec(),
            422,
            "invalid_comment_text",
        ),
        (
            json!({"text": "é".repeat(5001), "article": null})
                .to_string()
                .into_bytes(),
            422,
            "invalid_comment_text",
        ),
        (
            json!({"text": "x".repeat(70 * 1024), "article": null})
                .to_string()
                .into_bytes(),
            413,
            "payload_too_large",
        ),
        (
            br#"{"text": "x", "article": "art-9"}"#.to_vec(),
            422,
            "unknown_article",
        ),
        (
            br#"{"text": "x", "article": null, "author_email": "pas une adresse"}"#.to_vec(),
            400,
            "invalid_author_email",
        ),
    ];
    for (body, status, code) in cases {
        let reply = c.comment_to(CONSULTATION, body).await;
        reply.assert_error(status, code);
    }
    c.comment_to("CONS-NOPE", br#"{"text": "x", "article": null}"#.to_vec())
        .await
        .assert_error(404, "no_consultation");
    let wrong_type = c
        .http
        .post(c.url(&format!("/v1/consultations/{CONSULTATION}/comments")))
        .header(reqwest::header::CONTENT_TYPE, "text/plain")
        .body(r#"{"text": "x", "article": null}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(wrong_type.status().as_u16(), 415);
    assert_eq!(c.tree_size().await, size, "no refusal appends anything");

    // Outside the window: after closes_at, refused.
    c.clock.set("2026-03-02T00:00:00.000Z");
    c.comment(&json!({"text": "Trop tard", "article": null}))
        .await
        .assert_error(409, "window_closed");
    assert_eq!(c.tree_size().await, size);
}

async fn the_e_mail_never_reaches_the_log_nor_an_answer(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let email = "Fatima.Zahra@exemple-citoyen.ma";
    let name = "Fatima Zahra Bennani";
    let (receipt, _) = c
        .accepted(
            &json!({"text": "Ajouter un article sur l'accès des personnes handicapées.",
                          "article": "art-1", "author_name": name, "author_email": email}),
        )
        .await;
    let person = person_of(&receipt);
    let lower = email.to_lowercase();
    let secret = |text: &str| {
        let t = text.to_lowercase();
        t.contains(&lower) || t.contains("exemple-citoyen")
    };
    assert!(!secret(&receipt.to_string()));
    let entries = c.all_entries().await;
    for line in &entries {
        let text = String::from_utf8_lossy(line);
        assert!(
            !secret(&text) && !text.contains(name),
            "an entry holds personal data: {text}"
        );
    }
    let document = receipt["entry"]["data"]["document"]
        .as_str()
        .unwrap()
        .to_owned();
    for path in [
        format!("/v1/streams/{STREAM}"),
        format!("/v1/documents/{document}"),
        format!("/v1/consultations/{CONSULTATION}"),
        "/v1/consultations".to_owned(),
        "/v1/log/entries".to_owned(),
        "/openapi.json".to_owned(),
    ] {
        let answer = c.get(&path).await;
        assert!(!secret(&answer.text()), "GET {path} shows the e-mail");
    }
    // In the database, neither the e-mail nor the name is readable.
    let number = comment_of(&receipt);
    let row = c
        .db()
        .person_comments(CONSULTATION, &[number])
        .await
        .unwrap()
        .remove(&number)
        .expect("the comment's row");
    assert_eq!(row.person_ref, person);
    for bytes in [&row.name, &row.email, &row.comment_key] {
        let bytes = bytes.as_deref().expect("stored while not erased");
        assert!(!String::from_utf8_lossy(bytes)
            .to_lowercase()
            .contains("fatima"));
    }
    // The store gives the name back while the key exists, for the read models.
    let persons = &c.service().public.persons;
    assert_eq!(
        persons.name(CONSULTATION, number).await.unwrap().as_deref(),
        Some(name)
    );
    assert_eq!(
        persons.open_email(&row).as_deref(),
        Some(lower.as_str()),
        "the e-mail is kept normalized, encrypted"
    );
}

async fn one_e_mail_is_one_participant(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let comment = |text: &str, email: Option<&str>, name: Option<&str>| json!({"text": text, "article": null, "author_email": email, "author_name": name});
    let (a, _) = c
        .accepted(&comment(
            "Premier avis",
            Some("karim@site.ma"),
            Some("Karim"),
        ))
        .await;
    let (b, _) = c
        .accepted(&comment("Second avis", Some("  KARIM@Site.MA "), None))
        .await;
    let (other, _) = c
        .accepted(&comment("Autre avis", Some("salma@site.ma"), None))
        .await;
    let (anon1, _) = c.accepted(&comment("Anonyme", None, None)).await;
    let (anon2, _) = c
        .accepted(&comment("Anonyme aussi", None, Some("Hassan")))
        .await;
    assert_eq!(
        person_of(&a),
        person_of(&b),
        "the same e-mail is the same participant"
    );
    let refs: HashSet<String> = [&a, &other, &anon1, &anon2]
        .iter()
        .map(|r| person_of(r))
        .collect();
    assert_eq!(
        refs.len(),
        4,
        "other e-mails and anonymous comments are distinct participants"
    );
    // Each comment shows the name given with it: none for a comment sent without one.
    let persons = &c.service().public.persons;
    let name = |r: &Value| persons.name(CONSULTATION, comment_of(r));
    assert_eq!(name(&a).await.unwrap().as_deref(), Some("Karim"));
    assert_eq!(name(&b).await.unwrap(), None);
    assert_eq!(name(&anon2).await.unwrap().as_deref(), Some("Hassan"));
    assert_eq!(name(&anon1).await.unwrap(), None);
    let wanted: Vec<(u64, String)> = [&a, &other, &anon2]
        .iter()
        .map(|r| (comment_of(r), person_of(r)))
        .collect();
    let names = persons.names(CONSULTATION, &wanted).await.unwrap();
    assert_eq!(names.len(), 2);
    assert_eq!(
        names.get(&comment_of(&anon2)).map(String::as_str),
        Some("Hassan")
    );
    // A row is shown only for the reference the log gives that comment.
    let wrong = [(comment_of(&a), person_of(&other))];
    assert!(persons
        .names(CONSULTATION, &wrong)
        .await
        .unwrap()
        .is_empty());
}

/// The `data.comment` (number) of the entry a receipt names.
pub fn comment_of(receipt: &Value) -> u64 {
    receipt["entry"]["data"]["comment"]
        .as_u64()
        .expect("a comment has a number")
}

/// `(comment number, author)` of every comment the consultation's JSON answer shows.
pub async fn shown_authors(app: &TestApp, consultation: &str) -> Vec<(u64, Option<String>)> {
    fn walk(v: &Value, out: &mut Vec<(u64, Option<String>)>) {
        match v {
            Value::Object(m) => {
                if let (Some(n), true) = (
                    m.get("number").and_then(Value::as_u64),
                    m.contains_key("author"),
                ) {
                    out.push((n, m["author"].as_str().map(str::to_owned)));
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let page = app.get(&format!("/v1/consultations/{consultation}")).await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    let mut out = Vec::new();
    walk(&page.json, &mut out);
    out.sort();
    out.dedup();
    out
}

async fn a_later_comment_does_not_rename_earlier_ones(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let (first, _) = c
        .accepted(&json!({"text": "Premier avis", "article": "art-1",
                          "author_name": "Karim Benali", "author_email": "karim@site.ma"}))
        .await;
    // Someone who knows (or guesses) the e-mail, in another case and spacing, another name.
    let (second, _) = c
        .accepted(&json!({"text": "Avis usurpé", "article": null,
                          "author_name": "Un imposteur", "author_email": "  KARIM@Site.MA "}))
        .await;
    let (third, _) = c
        .accepted(&json!({"text": "Sans nom", "article": null,
                          "author_email": "karim@site.ma"}))
        .await;
    assert_eq!(
        person_of(&first),
        person_of(&second),
        "still one participant"
    );
    let authors = shown_authors(&c, CONSULTATION).await;
    let author = |r: &Value| {
        authors
            .iter()
            .find(|(n, _)| *n == comment_of(r))
            .unwrap_or_else(|| panic!("comment {} not shown: {authors:?}", comment_of(r)))
            .1
            .clone()
    };
    assert_eq!(
        author(&first).as_deref(),
        Some("Karim Benali"),
        "{authors:?}"
    );
    assert_eq!(author(&second).as_deref(), Some("Un imposteur"));
    assert_eq!(author(&third), None);
}

async fn references_are_scoped_to_one_consultation(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let other = "CONS-2026-02";
    c.accept(
        &c.drafter,
        "OpenConsultation",
        &format!("consultation/{other}"),
        json!({"draft": DRAFT, "revision": 1, "title": "Une autre consultation",
               "summary": "Sur le même texte.",
               "opens_at": OPENS_AT, "closes_at": CLOSES_AT}),
        "ConsultationOpened",
    )
    .await;
    let body = |text: &str, email: &str| {
        json!({"text": text, "article": null, "author_name": "Salma", "author_email": email})
            .to_string()
            .into_bytes()
    };
    let here = c
        .comment_to(CONSULTATION, body("Ici", "salma@site.ma"))
        .await;
    let again = c
        .comment_to(CONSULTATION, body("Encore ici", "SALMA@site.ma"))
        .await;
    let there = c.comment_to(other, body("Là-bas", "salma@site.ma")).await;
    let (here, again, there) = (
        here.created().clone(),
        again.created().clone(),
        there.created().clone(),
    );
    assert_eq!(
        person_of(&here),
        person_of(&again),
        "one person within one consultation"
    );
    assert_ne!(
        person_of(&here),
        person_of(&there),
        "a reference read from one receipt finds nothing in another consultation"
    );
    // Each consultation shows its own comment's name.
    assert!(shown_authors(&c, other)
        .await
        .contains(&(comment_of(&there), Some("Salma".to_owned()))));
    // And the reference is not the keyed hash of the e-mail alone under any key of the log.
    let log_key = keys::load(&c.scratch().join("data/keys/log.key")).expect("log key");
    let mut h = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, b"sijill-person-ref-v1");
    sha2::Digest::update(&mut h, log_key.to_bytes());
    let old_key: [u8; 32] = sha2::Digest::finalize(h).into();
    use hmac::Mac as _;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&old_key).unwrap();
    mac.update(b"email\nsalma@site.ma");
    let old = hex::encode(mac.finalize().into_bytes());
    assert_ne!(
        person_of(&here),
        old,
        "the log key alone gives the reference"
    );
    assert_ne!(person_of(&there), old);
}
