//! The read models and open data of drafts and consultations over HTTP, on both stores:
//! a ministry drafts a law in three revisions (the second as an articles
//! document), consults on the second, two associations comment with signed statements
//! and uploaded texts, a moderator hides one comment as spam and restores it and hides
//! another for personal data, the ministry closes, answers every visible comment,
//! publishes results, and publishes a third revision motivated by a comment and a
//! recommendation. Then the portal's answers are checked: the lists and their filters,
//! the consultation article by article, the draft's revisions, the diff linked to the
//! comment behind it, and comments.csv.
//!
//! Everything goes through the real server on a clock the test moves (`lifecycle.rs`).

use ed25519_dalek::SigningKey;
use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};

use crate::lifecycle::{association_body, Ledger, AFTER_CLOSE, CLOSES_AT, IN_WINDOW, OPENS_AT};
use crate::support::{new_key, public_b64, Backend};

both_backends!(the_portal_traces_a_changed_article_to_the_comment_behind_it);

const INSTITUTION: &str = "MCRP";
const DRAFT: &str = "LOI-CONSULTATION";
const OTHER_DRAFT: &str = "LOI-ASSOCIATIONS";
const CONSULTATION: &str = "CONS-2026-01";
const OPEN_CONSULTATION: &str = "CONS-2026-02";
const AMAL: &str = "ASSO-AMAL";
const NOUR: &str = "ASSO-NOUR";
/// The text a moderator hides for personal data: it must never reach a page or a file.
const PRIVATE_TEXT: &str = "Contactez M. Karim Untel au 06 12 34 56 78, il habite rue 5.";

fn article(id: &str, heading: &str, text: &str) -> Value {
    json!({"id": id, "heading": heading, "text": text})
}

fn revision_1() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique."
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins quinze jours."
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail national."
        ),
    ])
}

fn revision_2() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique."
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins vingt jours."
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail national."
        ),
        article(
            "art-4",
            "Langues",
            "Les textes sont publiés en arabe et en amazighe."
        ),
    ])
}

fn revision_3() -> Value {
    json!([
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique."
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins trente jours calendaires."
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail national."
        ),
        article(
            "art-4",
            "Langues",
            "Les textes sont publiés en arabe et en amazighe."
        ),
        article(
            "art-5",
            "Réponses",
            "Chaque commentaire reçoit une réponse motivée."
        ),
    ])
}

/// SHA-256 (hex) of the canonical JSON of an articles array, and those bytes.
fn canonical(articles: &Value) -> (String, Vec<u8>) {
    let bytes = ledger::canonical::to_bytes(articles).expect("canonical articles");
    (to_hex(&sha256(&bytes)), bytes)
}

/// The officials and association keys of the story.
struct People {
    drafter: SigningKey,
    moderator: SigningKey,
    amal: SigningKey,
    nour: SigningKey,
}

async fn register(ledger: &Ledger) -> People {
    let admin = &ledger.admin;
    ledger
        .accept(
            admin,
            "RegisterInstitution",
            &format!("institution/{INSTITUTION}"),
            json!({"name": "Ministère chargé des Relations avec le Parlement", "kind": "ministry"}),
            "InstitutionRegistered",
        )
        .await;
    let official = |id: &'static str, role: &'static str| async move {
        let key = new_key();
        ledger
            .accept(
                admin,
                "RegisterActor",
                &format!("registry/{id}"),
                json!({"public_key": public_b64(&key), "name": format!("Official {id}"),
                       "institution": INSTITUTION, "roles": [role]}),
                "ActorRegistered",
            )
            .await;
        key
    };
    let drafter = official("drafter-mcrp", "drafter").await;
    let moderator = official("moderator-mcrp", "moderator").await;
    let registrar = official("registrar-mcrp", "registrar").await;
    for (id, region) in [(AMAL, "MA-04"), (NOUR, "MA-06")] {
        ledger
            .accept(
                &registrar,
                "RegisterAssociation",
                &format!("association/{id}"),
                association_body(
                    &format!("Association {id}"),
                    region,
                    &["governance"],
                    "2015-01-01",
                ),
                "AssociationRegistered",
            )
            .await;
    }
    People {
        drafter,
        moderator,
        amal: ledger.association_key(AMAL).await,
        nour: ledger.association_key(NOUR).await,
    }
}

/// An association uploads `text` and signs a comment on `article`; returns its number.
async fn comment(
    ledger: &Ledger,
    key: &SigningKey,
    association: &str,
    article: Value,
    text: &str,
) -> u64 {
    let document = ledger.upload(key, text.as_bytes().to_vec()).await.created()["sha256"]
        .as_str()
        .expect("sha256")
        .to_owned();
    let (_, data) = ledger
        .accept(
            key,
            "SubmitComment",
            &format!("consultation/{CONSULTATION}"),
            json!({"association": association, "article": article, "document": document}),
            "CommentSubmitted",
        )
        .await;
    data["comment"]
        .as_u64()
        .expect("the domain numbers the comment")
}

/// The ids of a list's items, in order.
fn ids(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {reply}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Every comment of a consultation page, per article then on the whole text.
fn all_comments(page: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = page["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .flat_map(|a| a["comments"].as_array().cloned().unwrap_or_default())
        .collect();
    out.extend(
        page["text_comments"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    );
    out.sort_by_key(|c| c["number"].as_u64());
    out
}

async fn the_portal_traces_a_changed_article_to_the_comment_behind_it(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let people = register(&ledger).await;
    let drafter = &people.drafter;
    let draft_stream = format!("draft/{DRAFT}");
    let consultation_stream = format!("consultation/{CONSULTATION}");

    // --- The draft: revision 1 inline, revision 2 as an articles document. ---
    ledger
        .accept(
            drafter,
            "CreateDraft",
            &draft_stream,
            json!({"institution": INSTITUTION, "title": "Projet de loi relatif à la consultation publique",
                   "summary": "Institutionnaliser la consultation publique des textes."}),
            "DraftCreated",
        )
        .await;
    let (sha_1, _) = canonical(&revision_1());
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft_stream,
            json!({"number": 1, "articles": revision_1(), "articles_document": null,
                   "text_sha256": sha_1, "change_summary": "Texte initial.", "motivated_by": []}),
            "RevisionPublished",
        )
        .await;
    let (sha_2, bytes_2) = canonical(&revision_2());
    assert_eq!(
        ledger.upload(drafter, bytes_2).await.created()["sha256"],
        sha_2
    );
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft_stream,
            json!({"number": 2, "articles": null, "articles_document": sha_2,
                   "text_sha256": sha_2, "change_summary": "Délai allongé, langues.",
                   "motivated_by": []}),
            "RevisionPublished",
        )
        .await;

    // --- A second draft with a consultation still open, for the filters. ---
    ledger
        .accept(
            drafter,
            "CreateDraft",
            &format!("draft/{OTHER_DRAFT}"),
            json!({"institution": INSTITUTION, "title": "Cadre du soutien public aux associations",
                   "summary": "Un cadre unique du partenariat."}),
            "DraftCreated",
        )
        .await;
    let single = json!([article(
        "art-1",
        "Objet",
        "Le présent texte fixe le cadre du partenariat."
    )]);
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &format!("draft/{OTHER_DRAFT}"),
            json!({"number": 1, "articles": single, "articles_document": null,
                   "text_sha256": canonical(&single).0, "change_summary": "Texte initial."}),
            "RevisionPublished",
        )
        .await;

    // --- The consultation on revision 2. ---
    ledger
        .accept(
            drafter,
            "OpenConsultation",
            &consultation_stream,
            json!({"draft": DRAFT, "revision": 2, "title": "Consultation sur le projet de loi",
                   "summary": "Vos avis sur le projet.", "opens_at": OPENS_AT, "closes_at": CLOSES_AT}),
            "ConsultationOpened",
        )
        .await;
    ledger
        .accept(
            drafter,
            "OpenConsultation",
            &format!("consultation/{OPEN_CONSULTATION}"),
            json!({"draft": OTHER_DRAFT, "revision": 1, "title": "Consultation sur le cadre",
                   "summary": "Vos avis.", "opens_at": OPENS_AT, "closes_at": "2026-12-31T00:00:00Z"}),
            "ConsultationOpened",
        )
        .await;

    ledger.clock.set(IN_WINDOW);
    let on_delay = comment(
        &ledger,
        &people.amal,
        AMAL,
        json!("art-2"),
        "Vingt jours ne suffisent pas aux associations rurales : prévoir trente jours.",
    )
    .await;
    let whole = comment(
        &ledger,
        &people.nour,
        NOUR,
        Value::Null,
        "Un texte attendu, à adopter vite.",
    )
    .await;
    let private = comment(&ledger, &people.amal, AMAL, json!("art-1"), PRIVATE_TEXT).await;
    let spam = comment(
        &ledger,
        &people.nour,
        NOUR,
        json!("art-4"),
        "Les langues : pensez aussi à la langue des signes.",
    )
    .await;
    assert_eq!((on_delay, whole, private, spam), (1, 2, 3, 4));

    // --- Moderation: a mistaken hide restored, a hide that withholds the text. ---
    let moderate = |n: u64, action: &'static str, ground: &'static str, note: &'static str| {
        let (ledger, key, stream) = (&ledger, &people.moderator, consultation_stream.clone());
        async move {
            ledger
                .accept(
                    key,
                    "ModerateComment",
                    &stream,
                    json!({"comment": n, "action": action, "ground": ground, "note": note}),
                    "CommentModerated",
                )
                .await
                .1
        }
    };
    moderate(spam, "hide", "spam", "Signalé comme publicité.").await;
    moderate(spam, "restore", "spam", "Ce n'était pas une publicité.").await;
    let withheld = moderate(private, "hide", "personal_data", "Coordonnées d'un tiers.").await;
    assert_eq!(
        withheld["withheld"].as_array().map(Vec::len),
        Some(1),
        "{withheld}"
    );

    // --- Close, answer every visible comment, publish the results. ---
    ledger.clock.set(AFTER_CLOSE);
    ledger
        .accept(
            drafter,
            "CloseConsultation",
            &consultation_stream,
            json!({}),
            "ConsultationClosed",
        )
        .await;
    ledger
        .accept(
            drafter,
            "RespondToComments",
            &consultation_stream,
            json!({"responses": [
                {"comment": on_delay, "position": "accepted", "reasoning": "Le délai passe à trente jours."},
                {"comment": whole, "position": "noted", "reasoning": "Merci pour votre soutien."},
                {"comment": spam, "position": "rejected", "reasoning": "Hors du champ de ce texte."}]}),
            "CommentsAnswered",
        )
        .await;
    ledger
        .accept(
            drafter,
            "PublishResults",
            &consultation_stream,
            json!({"synthesis": "Quatre commentaires ; le délai est allongé.",
                   "recommendations": [{"id": "R-1", "text": "Répondre à chaque commentaire."}]}),
            "ResultsPublished",
        )
        .await;

    // --- Revision 3, motivated by comment 1 and recommendation R-1. ---
    let (sha_3, _) = canonical(&revision_3());
    ledger
        .accept(
            drafter,
            "PublishRevision",
            &draft_stream,
            json!({"number": 3, "articles": revision_3(), "articles_document": null,
                   "text_sha256": sha_3, "change_summary": "Délai de trente jours, réponses motivées.",
                   "motivated_by": [
                       {"consultation": CONSULTATION, "comment": on_delay, "recommendation": null},
                       {"consultation": CONSULTATION, "comment": null, "recommendation": "R-1"}]}),
            "RevisionPublished",
        )
        .await;

    let get = |path: String| {
        let ledger = &ledger;
        async move {
            let reply = ledger.get(&path).await;
            assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text());
            reply.json
        }
    };

    // --- Lists and their filters. ---
    assert_eq!(
        ids(&get("/v1/consultations".into()).await),
        [OPEN_CONSULTATION, CONSULTATION]
    );
    assert_eq!(
        ids(&get("/v1/consultations?status=results".into()).await),
        [CONSULTATION]
    );
    assert_eq!(
        ids(&get("/v1/consultations?status=open".into()).await),
        [OPEN_CONSULTATION]
    );
    assert!(ids(&get("/v1/consultations?status=closed".into()).await).is_empty());
    assert_eq!(
        ids(&get(format!(
            "/v1/consultations?draft={DRAFT}&year=2026&institution={INSTITUTION}"
        ))
        .await),
        [CONSULTATION]
    );
    assert!(ids(&get("/v1/consultations?year=2025".into()).await).is_empty());
    assert!(ids(&get("/v1/consultations?institution=MJCC".into()).await).is_empty());
    let listed = get(format!("/v1/consultations?draft={DRAFT}")).await;
    let listed = &listed["items"][0];
    assert_eq!(
        listed["draft_title"],
        "Projet de loi relatif à la consultation publique"
    );
    assert_eq!(listed["counts"]["received"], 4);
    assert!(listed.get("comments").is_none(), "{listed}");
    let page = get("/v1/consultations?per_page=1&page=2".into()).await;
    assert_eq!(
        (ids(&page), page["total"].clone()),
        (vec![CONSULTATION.to_owned()], json!(2))
    );

    assert_eq!(ids(&get("/v1/drafts".into()).await), [OTHER_DRAFT, DRAFT]);
    assert_eq!(
        ids(&get(format!(
            "/v1/drafts?institution={INSTITUTION}&status=drafting"
        ))
        .await)
        .len(),
        2
    );
    assert!(ids(&get("/v1/drafts?status=submitted".into()).await).is_empty());

    // --- The consultation, article by article. ---
    let page = get(format!("/v1/consultations/{CONSULTATION}")).await;
    assert_eq!(page["status"], "results");
    assert_eq!(page["draft"], DRAFT);
    assert_eq!(page["consulted_revision"]["number"], 2);
    assert_eq!(page["consulted_revision"]["text_available"], true);
    let articles: Vec<&str> = page["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| a["id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        articles,
        ["art-1", "art-2", "art-3", "art-4"],
        "revision 2 is read from its document"
    );
    assert_eq!(
        page["articles"][1]["text"],
        "Toute consultation dure au moins vingt jours."
    );
    let delay = &page["articles"][1]["comments"][0];
    assert_eq!(delay["number"], on_delay);
    assert_eq!(delay["channel"], "association");
    assert_eq!(delay["association"], AMAL);
    assert_eq!(delay["author"], Value::Null);
    assert!(
        delay["text"]
            .as_str()
            .is_some_and(|t| t.contains("trente jours")),
        "{delay}"
    );
    assert_eq!(delay["response"]["position"], "accepted");
    assert_eq!(delay["motivated_revisions"][0]["revision"], 3);
    assert_eq!(
        delay["motivated_revisions"][0]["diff"],
        format!("/v1/drafts/{DRAFT}/diff?from=2&to=3")
    );
    assert_eq!(page["text_comments"][0]["number"], whole);

    let comments = all_comments(&page);
    assert_eq!(comments.len(), 4);
    let hidden = &comments[2];
    assert_eq!(hidden["status"], "hidden");
    assert_eq!(hidden["text"], Value::Null);
    assert_eq!(hidden["withheld"], true);
    assert_eq!(hidden["placeholder"]["ground"], "personal_data");
    assert_eq!(hidden["response"], Value::Null);
    assert!(
        !page.to_string().contains("06 12 34 56 78"),
        "a withheld text reached the page"
    );
    let restored = &comments[3];
    assert_eq!(restored["status"], "visible");
    assert_eq!(restored["placeholder"], Value::Null);
    assert_eq!(restored["moderation"].as_array().map(Vec::len), Some(2));
    assert!(restored["text"]
        .as_str()
        .is_some_and(|t| t.contains("langue des signes")));

    assert_eq!(
        page["counts"],
        json!({"received": 4, "visible": 3, "hidden": 1, "restored": 1, "withheld": 1,
               "answered": 3, "unanswered_visible": 0, "participants": 2})
    );
    assert_eq!(page["results"]["recommendations"][0]["id"], "R-1");
    assert_eq!(
        page["results"]["recommendations"][0]["motivated_revisions"][0]["revision"],
        3
    );
    assert_eq!(
        page["results"]["at_publication"],
        json!({"comments": 4, "answered": 3, "hidden": 1})
    );
    assert_eq!(
        page["audit_trail"],
        format!("/v1/streams/consultation/{CONSULTATION}")
    );

    // --- The draft, every revision. ---
    let draft = get(format!("/v1/drafts/{DRAFT}")).await;
    assert_eq!(draft["revisions_count"], 3);
    assert_eq!(draft["latest_revision"], 3);
    assert_eq!(draft["revisions"][1]["articles_source"], "document");
    assert_eq!(draft["revisions"][1]["articles_document"], sha_2);
    assert_eq!(draft["revisions"][1]["articles"], revision_2());
    assert_eq!(draft["revisions"][0]["articles"], revision_1());
    assert_eq!(
        draft["revisions"][2]["motivated_by"][0]["link"],
        format!("/v1/consultations/{CONSULTATION}")
    );
    assert_eq!(draft["consultations"][0]["id"], CONSULTATION);

    // --- The diff from the consulted revision to the one the comments changed. ---
    let diff = get(format!("/v1/drafts/{DRAFT}/diff?from=2&to=3")).await;
    assert_eq!(
        diff["summary"],
        json!({"added": 1, "removed": 0, "changed": 1, "unchanged": 3})
    );
    let art2 = diff["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .find(|a| a["id"] == "art-2")
        .expect("art-2");
    assert_eq!(art2["change"], "changed");
    let inserted: String = art2["words"]
        .as_array()
        .expect("words")
        .iter()
        .filter(|w| w["op"] == "insert")
        .filter_map(|w| w["text"].as_str())
        .collect();
    assert!(
        inserted.contains("trente") && inserted.contains("calendaires"),
        "{art2}"
    );
    assert_eq!(art2["motivated_by"][0]["comment"], on_delay);
    assert_eq!(art2["motivated_by"][0]["scope"], "article");
    assert_eq!(
        art2["motivated_by"][0]["link"],
        format!("/v1/consultations/{CONSULTATION}")
    );
    assert_eq!(art2["motivated_by"][1]["recommendation"], "R-1");
    let art5 = diff["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .find(|a| a["id"] == "art-5")
        .expect("art-5");
    assert_eq!(art5["change"], "added");
    // The default diff is the latest revision's own changes.
    assert_eq!(get(format!("/v1/drafts/{DRAFT}/diff")).await, diff);
    // From revision 1 (inline) to 3 spans revision 2's changes too.
    let long = get(format!("/v1/drafts/{DRAFT}/diff?from=1&to=3")).await;
    assert_eq!(long["revisions"].as_array().map(Vec::len), Some(2));
    assert_eq!(long["summary"]["added"], 2);

    // --- Refusals: bad parameters 400, unknown ids 404, never a panic. ---
    for path in [
        "/v1/consultations?status=pending".to_owned(),
        "/v1/consultations?year=26".to_owned(),
        "/v1/consultations?draft=bad%20id".to_owned(),
        "/v1/consultations?statut=open".to_owned(),
        "/v1/drafts?status=open".to_owned(),
        format!("/v1/drafts/{DRAFT}/diff?from=3&to=2"),
        format!("/v1/drafts/{DRAFT}/diff?from=x&to=2"),
        format!("/v1/drafts/{DRAFT}/diff?from=0&to=2"),
        format!("/v1/drafts/{DRAFT}/diff?from=1&to="),
        format!("/v1/drafts/{DRAFT}/diff?form=1"),
        format!("/v1/drafts/{OTHER_DRAFT}/diff"),
    ] {
        ledger
            .get(&path)
            .await
            .assert_error(400, "invalid_parameter");
    }
    for path in [
        "/v1/consultations/NOPE".to_owned(),
        "/v1/drafts/NOPE".to_owned(),
        "/v1/drafts/NOPE/diff?from=1&to=2".to_owned(),
        format!("/v1/drafts/{DRAFT}/diff?from=2&to=9"),
    ] {
        ledger.get(&path).await.assert_error(404, "not_found");
    }

    // --- comments.csv: every comment, no personal data, no hidden text. ---
    let csv = ledger.get("/v1/exports/comments.csv").await;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.text());
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let text = csv.text();
    assert!(
        !text.contains("06 12 34 56 78"),
        "a withheld text reached the export"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("consultation_id,consultation_title,draft_id,revision,"),
        "{}",
        lines[0]
    );
    assert!(
        !lines[0].contains("person") && !lines[0].contains("email") && !lines[0].contains("author")
    );
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[1].contains(",accepted,Le délai passe à trente jours.,"),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].contains(",hidden,personal_data,true,,"),
        "{}",
        lines[3]
    );
    assert!(lines[4].contains(",visible,,false,"), "{}", lines[4]);
}
