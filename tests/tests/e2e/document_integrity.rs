//! Every document the log names stays exportable (docs/hardening.md, "Documents"): a
//! statement naming a document that is not stored, or is withheld, is refused with 422
//! `unknown_document` and appends nothing; a log that already names a missing document
//! stops `sijill export` (exit 2, naming the entry and the document) until an
//! administrator's `DeclareDocumentUnavailable` withholds it, after which the export
//! verifies; a refused public comment leaves no text in the store; documents are served
//! with a short cache lifetime and their hash as `ETag`, never `immutable`.

use ledger::hash::{sha256, to_hex};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Row;

use crate::lifecycle::{
    apply, close_and_grant_w1, declare_and_score, publish, Cast, Ledger, AFTER_CLOSE, IN_WINDOW,
    RABAT,
};
use crate::public_channel::{Consultation, CONSULTATION, STREAM};
use crate::support::{new_key, public_b64, run_binary, Backend};

both_backends!(
    a_moderator_cannot_withhold_another_consultations_comment,
    statements_naming_a_missing_document_are_refused,
    a_missing_document_is_declared_unavailable_and_the_log_exports_again,
    a_refused_public_comment_stores_nothing,
    documents_are_cached_briefly_and_revalidated,
);

/// How many rows of the `documents` table hold `sha`.
async fn stored(db: &store::Db, sha: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
        .bind(sha.to_owned())
        .fetch_one(db.raw_pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// A ledger with offer O1, RABAT's application P1 and its award W1, the clock after the
/// offer's window.
async fn awarded(backend: Backend) -> (Ledger, Cast) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, "O1", |_| {}).await;
    ledger.clock.set(IN_WINDOW);
    apply(&ledger, &cast, "P1", "O1", RABAT, 10_000_000).await;
    ledger.clock.set(AFTER_CLOSE);
    declare_and_score(&ledger, &cast.evaluator, "P1", 80, 80).await;
    close_and_grant_w1(&ledger, &cast).await;
    (ledger, cast)
}

fn report(document: &str) -> Value {
    json!({"kind": "activity", "summary": "Ateliers réalisés comme prévu.", "document": document})
}

async fn statements_naming_a_missing_document_are_refused(backend: Backend) {
    let (ledger, cast) = awarded(backend).await;
    let never_uploaded = to_hex(&sha256(b"a report nobody ever uploaded"));
    // A report naming a hash nobody uploaded: refused, and the log does not move
    // (`refuse` checks the signed tree size).
    let reply = ledger
        .refuse(
            &cast.rabat,
            "SubmitReport",
            "award/W1",
            report(&never_uploaded),
            422,
            "unknown_document",
        )
        .await;
    assert!(reply.text().contains(&never_uploaded), "{}", reply.text());
    // So is an application naming one among uploaded documents.
    let uploaded = b"Budget previsionnel 2026".to_vec();
    let uploaded_sha = ledger.upload(&cast.registrar, uploaded).await.created()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&ledger, &cast, "O2", |body| {
        body["opens_at"] = json!("2026-03-01T00:00:00Z");
        body["closes_at"] = json!("2026-12-01T00:00:00Z");
    })
    .await;
    let mut body = crate::lifecycle::application_body("O2", RABAT, 1_000_000);
    body["documents"] = json!([uploaded_sha, never_uploaded]);
    ledger
        .refuse(
            &cast.registrar,
            "SubmitApplication",
            "application/P2",
            body.clone(),
            422,
            "unknown_document",
        )
        .await;
    // A malformed hash is still the domain's own refusal.
    ledger
        .refuse(
            &cast.rabat,
            "SubmitReport",
            "award/W1",
            report("not-a-hash"),
            422,
            "invalid_document",
        )
        .await;

    // Once uploaded, the same report is appended and its document served.
    let text = b"a report nobody ever uploaded".to_vec();
    ledger.upload(&cast.rabat, text.clone()).await.created();
    let (_, data) = ledger
        .accept(
            &cast.rabat,
            "SubmitReport",
            "award/W1",
            report(&never_uploaded),
            "ReportSubmitted",
        )
        .await;
    assert_eq!(data["documents"], json!([never_uploaded]));
    let served = ledger.get(&format!("/v1/documents/{never_uploaded}")).await;
    assert_eq!(served.bytes, text);
}

async fn a_missing_document_is_declared_unavailable_and_the_log_exports_again(backend: Backend) {
    let (ledger, cast) = awarded(backend).await;
    let text = b"Rapport financier 2026, pieces justificatives.".to_vec();
    let sha = to_hex(&sha256(&text));
    ledger.upload(&cast.rabat, text).await.created();
    let (appended, _) = ledger
        .accept(
            &cast.rabat,
            "SubmitReport",
            "award/W1",
            report(&sha),
            "ReportSubmitted",
        )
        .await;
    // A log written before documents were checked: the entry names a document the store
    // does not hold. Made here by taking the bytes out from under the signed entry.
    sqlx::query("DELETE FROM documents WHERE sha256 = $1")
        .bind(sha.clone())
        .execute(ledger.db().raw_pool())
        .await
        .unwrap();

    // `sijill export` (the real binary) stops, naming the entry and the document.
    let out = ledger.scratch().join("broken-export");
    let base = ledger.url("");
    let (code, _, stderr) = run_binary(&[
        "export",
        "--server",
        base.trim_end_matches('/'),
        "--out",
        out.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("entry {}", appended.index)) && stderr.contains(&sha),
        "the message names the entry and the document: {stderr}"
    );

    // Only an administrator declares a document unavailable; a reason is required.
    let stream = format!("document/{sha}");
    let declaration = json!({"document": sha, "reason": "Piece jamais fournie par l'association."});
    ledger
        .refuse(
            &cast.publisher,
            "DeclareDocumentUnavailable",
            &stream,
            declaration.clone(),
            403,
            "role_not_allowed",
        )
        .await;
    ledger
        .refuse(
            &ledger.admin,
            "DeclareDocumentUnavailable",
            &stream,
            json!({"document": sha, "reason": " "}),
            422,
            "reason_required",
        )
        .await;
    let (_, data) = ledger
        .accept(
            &ledger.admin,
            "DeclareDocumentUnavailable",
            &stream,
            declaration.clone(),
            "DocumentDeclaredUnavailable",
        )
        .await;
    assert_eq!(data["withheld"], json!([sha]), "{data}");
    // Once is enough.
    ledger
        .refuse(
            &ledger.admin,
            "DeclareDocumentUnavailable",
            &stream,
            declaration,
            409,
            "already_unavailable",
        )
        .await;
    ledger
        .get(&format!("/v1/documents/{sha}"))
        .await
        .assert_error(410, "withheld");
    // A document that some entry serves cannot be declared unavailable.
    let served = b"Rapport d'activite, version finale.".to_vec();
    let served_sha = to_hex(&sha256(&served));
    ledger.upload(&cast.rabat, served).await.created();
    ledger
        .accept(
            &cast.rabat,
            "SubmitReport",
            "award/W1",
            report(&served_sha),
            "ReportSubmitted",
        )
        .await;
    ledger
        .refuse(
            &ledger.admin,
            "DeclareDocumentUnavailable",
            &format!("document/{served_sha}"),
            json!({"document": served_sha, "reason": "Erreur."}),
            409,
            "document_available",
        )
        .await;

    // The log exports and verifies again (the real binary too).
    ledger.export_and_verify(ledger.scratch(), "repaired").await;
    let out = ledger.scratch().join("repaired-binary");
    let (code, _, stderr) = run_binary(&[
        "export",
        "--server",
        base.trim_end_matches('/'),
        "--out",
        out.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
}

async fn a_refused_public_comment_stores_nothing(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let refused = [
        (
            "NO-SUCH-CONSULTATION",
            "Un avis sur une consultation inconnue.",
            Value::Null,
        ),
        (
            CONSULTATION,
            "Un avis sur un article inconnu.",
            json!("art-99"),
        ),
    ];
    for (consultation, text, article) in refused {
        let reply = c
            .comment_to(
                consultation,
                json!({"text": text, "article": article})
                    .to_string()
                    .into_bytes(),
            )
            .await;
        assert!(reply.status.is_client_error(), "{}", reply.text());
        reply.assert_error_shape();
        let sha = to_hex(&sha256(text.as_bytes()));
        assert_eq!(stored(c.db(), &sha).await, 0, "{text} was kept");
    }
    // Not vacuous: an accepted comment's text is stored, by the same transaction.
    let kept = "Un avis dans les temps.";
    c.accepted(&json!({"text": kept, "article": null})).await;
    assert_eq!(stored(c.db(), &to_hex(&sha256(kept.as_bytes()))).await, 1);
    // After the window: refused, nothing kept.
    c.clock.set("2026-03-05T00:00:00.000Z");
    let late = "Un avis arrivé trop tard.";
    let reply = c.comment(&json!({"text": late, "article": null})).await;
    assert!(reply.status.is_client_error(), "{}", reply.text());
    assert_eq!(stored(c.db(), &to_hex(&sha256(late.as_bytes()))).await, 0);

    // Results naming a document nobody uploaded are refused like a report.
    c.accept(
        &c.drafter,
        "CloseConsultation",
        STREAM,
        json!({}),
        "ConsultationClosed",
    )
    .await;
    let never_uploaded = to_hex(&sha256(b"une synthese jamais deposee"));
    c.refuse(
        &c.drafter,
        "PublishResults",
        STREAM,
        json!({"synthesis": "Synthèse.", "recommendations": [], "documents": [never_uploaded]}),
        422,
        "unknown_document",
    )
    .await;
}

async fn documents_are_cached_briefly_and_revalidated(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let text = "Le registre des consultations doit être public.";
    let (receipt, _) = c.accepted(&json!({"text": text, "article": null})).await;
    let sha = receipt["entry"]["data"]["document"]
        .as_str()
        .unwrap()
        .to_owned();
    let http = reqwest::Client::new();
    let url = c.url(&format!("/v1/documents/{sha}"));
    let first = http.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let cache = header(&first, "cache-control");
    assert_eq!(cache, "public, max-age=300");
    assert!(!cache.contains("immutable"));
    let etag = header(&first, "etag");
    assert_eq!(etag, format!("\"{sha}\""));
    assert_eq!(first.bytes().await.unwrap(), text.as_bytes());

    // Revalidation: the same tag gets 304 and no body; another tag the document.
    let again = http
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = http
        .get(&url)
        .header("If-None-Match", "\"0000\", W/\"1111\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);

    // Withheld: a revalidating cache learns it at once, whatever tag it holds.
    c.accept(
        &c.moderator,
        "ModerateComment",
        STREAM,
        json!({"comment": 1, "action": "hide", "ground": "personal_data",
               "note": "Données personnelles d'un tiers."}),
        "CommentModerated",
    )
    .await;
    let gone = http
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
}

/// Another ministry, its drafter and moderator, and its consultation `CONS-OTHER` open
/// in the same window as the fixture's.
async fn other_consultation(c: &Consultation) -> ed25519_dalek::SigningKey {
    let admin = &c.admin;
    c.accept(
        admin,
        "RegisterInstitution",
        "institution/MSPS",
        json!({"name": "Ministère de la Santé", "kind": "ministry"}),
        "InstitutionRegistered",
    )
    .await;
    let mut keys = Vec::new();
    for (id, role) in [("drafter-msps", "drafter"), ("moderator-msps", "moderator")] {
        let key = new_key();
        c.accept(
            admin,
            "RegisterActor",
            &format!("registry/{id}"),
            json!({"public_key": public_b64(&key), "name": id, "institution": "MSPS",
                   "roles": [role]}),
            "ActorRegistered",
        )
        .await;
        keys.push(key);
    }
    let (drafter, moderator) = (&keys[0], keys[1].clone());
    c.accept(
        drafter,
        "CreateDraft",
        "draft/LOI-SANTE",
        json!({"institution": "MSPS", "title": "Projet de loi sur la santé",
               "summary": "Organisation des soins."}),
        "DraftCreated",
    )
    .await;
    let articles = crate::public_channel::articles();
    let text_sha256 = to_hex(&sha256(&ledger::canonical::to_bytes(&articles).unwrap()));
    c.accept(
        drafter,
        "PublishRevision",
        "draft/LOI-SANTE",
        json!({"number": 1, "articles": articles, "articles_document": null,
               "text_sha256": text_sha256, "change_summary": "Première version",
               "motivated_by": []}),
        "RevisionPublished",
    )
    .await;
    c.accept(
        drafter,
        "OpenConsultation",
        "consultation/CONS-OTHER",
        json!({"draft": "LOI-SANTE", "revision": 1, "title": "Consultation santé",
               "summary": "Vos avis.", "opens_at": "2026-02-02T08:00:00Z",
               "closes_at": "2026-03-02T00:00:00Z"}),
        "ConsultationOpened",
    )
    .await;
    moderator
}

fn hide(comment: u64, ground: &str) -> Value {
    json!({"comment": comment, "action": "hide", "ground": ground,
           "note": "Données personnelles d'un tiers."})
}

async fn a_moderator_cannot_withhold_another_consultations_comment(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let other_moderator = other_consultation(&c).await;
    // The other ministry's consultation receives a comment.
    let text = "Les délais d'attente aux urgences doivent être publiés chaque mois.";
    let sha = to_hex(&sha256(text.as_bytes()));
    let victim = c
        .comment_to(
            "CONS-OTHER",
            json!({"text": text, "article": null})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(victim.status, StatusCode::CREATED, "{}", victim.text());

    // The attack: this ministry's moderator posts the same bytes on its own consultation,
    // anonymously, and hides them on a withholding ground.
    c.accepted(&json!({"text": text, "article": null})).await;
    let reply = c
        .send(
            &c.moderator,
            "ModerateComment",
            STREAM,
            hide(1, "personal_data"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let index = reply.json["entries"][0]["index"].as_u64().unwrap();
    assert_eq!(
        c.entry_data(index).await["withheld"],
        json!([]),
        "a copy named elsewhere is not withheld"
    );
    assert_eq!(
        reply.json["still_named_by"],
        json!([{"stream": "consultation/CONS-OTHER", "comment": 1}]),
        "the answer says who still names it: {}",
        reply.text()
    );
    // The other ministry's comment stays served.
    let served = c.get(&format!("/v1/documents/{sha}")).await;
    assert_eq!(served.status, StatusCode::OK, "{}", served.text());
    assert_eq!(served.bytes, text.as_bytes());
    let page = c.get("/v1/consultations/CONS-OTHER").await;
    assert!(page.text().contains(text), "{}", page.text());
    // Hidden, not withheld: the attacker's own comment can be shown again.
    let restore = c
        .send(
            &c.moderator,
            "ModerateComment",
            STREAM,
            json!({"comment": 1, "action": "restore", "ground": "personal_data",
                   "note": "Erreur de modération."}),
        )
        .await;
    assert_eq!(restore.status, StatusCode::CREATED, "{}", restore.text());
    let again = c
        .send(
            &c.moderator,
            "ModerateComment",
            STREAM,
            hide(1, "personal_data"),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());

    // When the last entry naming it is hidden on a withholding ground, it is withheld.
    let last = c
        .send(
            &other_moderator,
            "ModerateComment",
            "consultation/CONS-OTHER",
            hide(1, "illegal_content"),
        )
        .await;
    assert_eq!(last.status, StatusCode::CREATED, "{}", last.text());
    let index = last.json["entries"][0]["index"].as_u64().unwrap();
    assert_eq!(c.entry_data(index).await["withheld"], json!([sha]));
    assert_eq!(last.json["still_named_by"], json!([]));
    c.get(&format!("/v1/documents/{sha}"))
        .await
        .assert_error(410, "withheld");
    assert_eq!(stored(c.db(), &sha).await, 0, "its bytes are deleted");
    // No copy serves it: neither consultation shows it, and it cannot be posted again.
    for consultation in [CONSULTATION, "CONS-OTHER"] {
        let page = c.get(&format!("/v1/consultations/{consultation}")).await;
        assert!(!page.text().contains(text), "{}", page.text());
    }
    c.comment(&json!({"text": text, "article": null}))
        .await
        .assert_error(422, "invalid_comment_text");
    c.refuse(
        &c.moderator,
        "ModerateComment",
        STREAM,
        json!({"comment": 1, "action": "restore", "ground": "personal_data", "note": "n"}),
        409,
        "document_withheld",
    )
    .await;
    // The auditor's replay agrees: the export verifies with the document absent.
    let out = c.export_and_verify(c.scratch(), "shared-text").await;
    assert!(!out.join("documents").join(&sha).exists());
}
