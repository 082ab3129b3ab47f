//! What the draft and consultation tests (`docs/consultations.md`) stand on: the
//! officials and associations of a consultation registered through signed statements
//! ([`Participants`]), articles and their text hash, and the bodies of the commands with
//! realistic defaults that a test changes one field at a time.
//!
//! They run on the ledger clock of `lifecycle.rs`: a consultation's window is weeks long
//! and the domain judges comments by the entry's `recorded_at`, so the tests move the
//! clock rather than wait. The default consultation uses the offer window's instants
//! ([`OPENS_AT`]..[`CLOSES_AT`]) so the millisecond edges of `lifecycle.rs` apply as they are.

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::lifecycle::{
    association_body, Appended, Cast, Ledger, CASA, CLOSES_AT, MINISTRY, OPENS_AT, OTHER_MINISTRY,
};
use crate::support::{new_key, public_b64};

pub const DRAFT: &str = "LOI-CONSULTATION-2026";
pub const CONSULTATION: &str = "CONS-2026-01";

pub fn draft_stream(id: &str) -> String {
    format!("draft/{id}")
}

pub fn consultation_stream(id: &str) -> String {
    format!("consultation/{id}")
}

/// Everyone a consultation story needs, on top of the support lifecycle's [`Cast`] (its
/// registrar registers the associations; RABAT already holds its own key).
pub struct Participants {
    pub cast: Cast,
    /// Drafter and moderator of [`MINISTRY`], which owns the drafts of the stories.
    pub drafter: SigningKey,
    pub moderator: SigningKey,
    /// Drafter and moderator of [`OTHER_MINISTRY`]: their roles fit, their institution
    /// does not.
    pub other_drafter: SigningKey,
    pub other_moderator: SigningKey,
    /// [`CASA`]'s own key, so one association can try to comment in another's name.
    pub casa: SigningKey,
}

impl Participants {
    pub async fn register(ledger: &Ledger) -> Self {
        let cast = Cast::register(ledger).await;
        let drafter = official(ledger, "drafter-mjcc", MINISTRY, &["drafter"]).await;
        let moderator = official(ledger, "moderator-mjcc", MINISTRY, &["moderator"]).await;
        let other_drafter = official(ledger, "drafter-msps", OTHER_MINISTRY, &["drafter"]).await;
        let other_moderator =
            official(ledger, "moderator-msps", OTHER_MINISTRY, &["moderator"]).await;
        let casa = ledger.association_key(CASA).await;
        Self {
            cast,
            drafter,
            moderator,
            other_drafter,
            other_moderator,
            casa,
        }
    }

    /// Registers association `id` (by the registrar) and gives it its own key.
    pub async fn association(&self, ledger: &Ledger, id: &str) -> SigningKey {
        ledger
            .accept(
                &self.cast.registrar,
                "RegisterAssociation",
                &format!("association/{id}"),
                association_body(
                    &format!("Association {id}"),
                    "MA-04",
                    &["youth"],
                    "2016-05-01",
                ),
                "AssociationRegistered",
            )
            .await;
        ledger.association_key(id).await
    }
}

/// Registers an official of `institution` with `roles` (by the administrator); returns
/// the official's key.
pub async fn official(ledger: &Ledger, id: &str, institution: &str, roles: &[&str]) -> SigningKey {
    let key = new_key();
    ledger
        .accept(
            &ledger.admin,
            "RegisterActor",
            &format!("registry/{id}"),
            json!({"public_key": public_b64(&key), "name": format!("Official {id}"),
                   "institution": institution, "roles": roles}),
            "ActorRegistered",
        )
        .await;
    key
}

// ---------------------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------------------

pub fn article(id: &str, heading: &str, text: &str) -> Value {
    json!({"id": id, "heading": heading, "text": text})
}

/// The first revision of the law on public consultation: two articles.
pub fn first_text() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les modalités de la consultation publique."
        ),
        article(
            "art-2",
            "Champ",
            "Elle s'applique aux projets de lois et de textes réglementaires."
        ),
    ])
}

/// The second revision: article 2 reworded, an article 3 added.
pub fn second_text() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les modalités de la consultation publique."
        ),
        article(
            "art-2",
            "Champ",
            "Elle s'applique aux projets de lois, de décrets et d'arrêtés."
        ),
        article(
            "art-3",
            "Durée",
            "Toute consultation dure au moins quinze jours."
        ),
    ])
}

/// The third revision, written after the consultation: article 3 lengthened.
pub fn third_text() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les modalités de la consultation publique."
        ),
        article(
            "art-2",
            "Champ",
            "Elle s'applique aux projets de lois, de décrets et d'arrêtés."
        ),
        article(
            "art-3",
            "Durée",
            "Toute consultation dure au moins trente jours."
        ),
    ])
}

/// `text_sha256` as the domain computes it (`domain::participation::text_sha256`).
pub fn text_sha256(articles: &Value) -> String {
    let articles: Vec<domain::participation::Article> =
        serde_json::from_value(articles.clone()).expect("test articles are articles");
    domain::participation::text_sha256(&articles)
}

/// The RFC 8785 canonical JSON of an articles array: what an articles document holds.
pub fn canonical_articles(articles: &Value) -> Vec<u8> {
    ledger::canonical::to_bytes(articles).expect("articles canonicalize")
}

/// A `PublishRevision` body with inline articles, no motivation.
pub fn inline_revision(number: u32, articles: &Value) -> Value {
    json!({"number": number, "articles": articles, "articles_document": null,
           "text_sha256": text_sha256(articles),
           "change_summary": format!("Révision {number}"), "motivated_by": []})
}

/// A `PublishRevision` body naming an articles document.
pub fn document_revision(number: u32, document: &str) -> Value {
    json!({"number": number, "articles": null, "articles_document": document,
           "text_sha256": document, "change_summary": format!("Révision {number}"),
           "motivated_by": []})
}

// ---------------------------------------------------------------------------------------
// Bodies and steps
// ---------------------------------------------------------------------------------------

pub fn draft_body(institution: &str) -> Value {
    json!({"institution": institution,
           "title": "Projet de loi relatif à la consultation publique",
           "summary": "Institutionnalise la consultation des associations et des citoyens."})
}

/// An `OpenConsultation` body on `revision` of `draft`, window [`OPENS_AT`]..[`CLOSES_AT`].
pub fn consultation_body(draft: &str, revision: u32) -> Value {
    json!({"draft": draft, "revision": revision,
           "title": "Consultation sur le projet de loi",
           "summary": "Donnez votre avis article par article.",
           "opens_at": OPENS_AT, "closes_at": CLOSES_AT})
}

pub fn moderation(comment: u64, action: &str, ground: &str) -> Value {
    json!({"comment": comment, "action": action, "ground": ground,
           "note": "Décision de modération motivée."})
}

/// One `RespondToComments` body answering `comments` with `position`.
pub fn responses(comments: &[u64], position: &str) -> Value {
    let responses: Vec<Value> = comments
        .iter()
        .map(|n| {
            json!({"comment": n, "position": position,
                        "reasoning": format!("Réponse motivée au commentaire {n}.")})
        })
        .collect();
    json!({"responses": responses})
}

pub fn results_body(recommendations: &[&str]) -> Value {
    let recommendations: Vec<Value> = recommendations
        .iter()
        .map(|id| json!({"id": id, "text": format!("Recommandation {id}")}))
        .collect();
    json!({"synthesis": "Synthèse des contributions reçues.",
           "recommendations": recommendations, "documents": []})
}

/// Creates `draft/<id>` for [`MINISTRY`] and publishes `articles` inline as revision 1.
pub async fn draft_with_revision(ledger: &Ledger, p: &Participants, id: &str, articles: &Value) {
    let stream = draft_stream(id);
    ledger
        .accept(
            &p.drafter,
            "CreateDraft",
            &stream,
            draft_body(MINISTRY),
            "DraftCreated",
        )
        .await;
    ledger
        .accept(
            &p.drafter,
            "PublishRevision",
            &stream,
            inline_revision(1, articles),
            "RevisionPublished",
        )
        .await;
}

/// Opens `consultation/<id>` on revision 1 of `draft`; returns its data.
pub async fn open(ledger: &Ledger, p: &Participants, id: &str, draft: &str) -> Value {
    ledger
        .accept(
            &p.drafter,
            "OpenConsultation",
            &consultation_stream(id),
            consultation_body(draft, 1),
            "ConsultationOpened",
        )
        .await
        .1
}

/// Uploads `bytes` signed by `key`, asserting the 201 names their SHA-256; returns it.
pub async fn upload(ledger: &Ledger, key: &SigningKey, bytes: &[u8]) -> String {
    let reply = ledger.upload(key, bytes.to_vec()).await;
    let expected = to_hex(&sha256(bytes));
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "upload: {}",
        reply.text()
    );
    assert_eq!(
        reply.json["sha256"],
        expected.as_str(),
        "upload names the hash"
    );
    expected
}

/// A `SubmitComment` body.
pub fn comment_body(association: &str, article: Option<&str>, document: &str) -> Value {
    json!({"association": association, "article": article, "document": document})
}

/// Uploads `text` and submits it as `association`'s comment on `article` (or the whole
/// text); returns where it went and its data.
pub async fn comment(
    ledger: &Ledger,
    key: &SigningKey,
    consultation: &str,
    association: &str,
    article: Option<&str>,
    text: &str,
) -> (Appended, Value) {
    let document = upload(ledger, key, text.as_bytes()).await;
    ledger
        .accept(
            key,
            "SubmitComment",
            &consultation_stream(consultation),
            comment_body(association, article, &document),
            "CommentSubmitted",
        )
        .await
}
