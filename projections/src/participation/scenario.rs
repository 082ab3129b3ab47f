//! A hand-made draft and consultation for the tests of the views: a draft with three
//! revisions (the second as an articles document), a consultation on revision 2 with
//! comments from both channels, a comment hidden then restored, one hidden with its text
//! withheld, an erasure, the close, responses, results, a third revision motivated by a
//! comment and a recommendation, and the submission. The entries are written as
//! `docs/consultations.md` documents them.

use domain::participation::{text_sha256, Article};
use ledger::hash::ZERO_HASH;
use ledger::{Entry, Timestamp};
use serde_json::{json, Value};

/// 2026-03-02T09:00:00Z, the scenario's first instant.
const START_MS: i64 = 1_772_442_000_000;
/// One day, the step between the scenario's entries.
const DAY_MS: i64 = 86_400_000;

/// Comment documents, as SHA-256 in hex (the projector never reads them).
pub const DOC_1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
pub const DOC_2: &str = "2222222222222222222222222222222222222222222222222222222222222222";
pub const DOC_3: &str = "3333333333333333333333333333333333333333333333333333333333333333";
pub const DOC_4: &str = "4444444444444444444444444444444444444444444444444444444444444444";
/// The person references of the two public commenters.
pub const PERSON_1: &str = "p-7f3a9c";
pub const PERSON_2: &str = "p-e2b810";

pub fn article(id: &str, heading: &str, text: &str) -> Article {
    Article {
        id: id.into(),
        heading: heading.into(),
        text: text.into(),
    }
}

/// Revision 1's articles.
pub fn revision_1() -> Vec<Article> {
    vec![
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique.",
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins quinze jours.",
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail.",
        ),
    ]
}

/// Revision 2's articles, published as a document: art-2 rewritten, art-4 added.
pub fn revision_2() -> Vec<Article> {
    vec![
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles de la consultation publique.",
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins trente jours.",
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail.",
        ),
        article(
            "art-4",
            "Registre",
            "Un registre des consultations est tenu.",
        ),
    ]
}

/// Revision 3's articles: art-1 reworded after comment 1, art-4 removed, art-5 added
/// after recommendation R-1.
pub fn revision_3() -> Vec<Article> {
    vec![
        article(
            "art-1",
            "Objet",
            "La présente loi fixe les règles et les garanties de la consultation publique.",
        ),
        article(
            "art-2",
            "Délais",
            "Toute consultation dure au moins trente jours.",
        ),
        article(
            "art-3",
            "Publication",
            "Les résultats sont publiés sur le portail.",
        ),
        article(
            "art-5",
            "Réponses",
            "Chaque commentaire reçoit une réponse motivée.",
        ),
    ]
}

fn entry(index: u64, stream: &str, event_type: &str, data: Value) -> Entry {
    Entry {
        index,
        stream: stream.into(),
        seq: 1,
        event_type: event_type.into(),
        version: "1".into(),
        recorded_at: Timestamp::from_millis(START_MS + DAY_MS * i64::try_from(index).unwrap_or(0)),
        data,
        auth: None,
        auth_at: None,
        prev: ZERO_HASH,
    }
}

fn ids(articles: &[Article]) -> Value {
    json!(articles.iter().map(|a| a.id.clone()).collect::<Vec<_>>())
}

fn comment(
    n: u64,
    article: Option<&str>,
    doc: &str,
    association: Option<&str>,
    person: Option<&str>,
) -> Value {
    json!({"comment": n, "article": article, "document": doc, "documents": [doc],
           "channel": if association.is_some() { "association" } else { "public" },
           "association": association, "person": person})
}

fn moderation(n: u64, action: &str, ground: &str, withheld: &[&str]) -> Value {
    json!({"comment": n, "action": action, "ground": ground,
           "note": format!("{action} ({ground})"), "withheld": withheld})
}

/// The scenario's entries, in log order from index 1.
pub fn entries() -> Vec<Entry> {
    let (r1, r2, r3) = (revision_1(), revision_2(), revision_3());
    let r2_sha = text_sha256(&r2);
    let steps = vec![
        (
            "draft/D1",
            "DraftCreated",
            json!({
            "institution": "MCRP", "title": "Projet de loi sur la consultation publique",
            "summary": "Institutionnaliser la consultation publique."}),
        ),
        (
            "draft/D1",
            "RevisionPublished",
            json!({
            "number": 1, "articles": r1, "articles_document": null, "text_sha256": text_sha256(&r1),
            "change_summary": "Texte initial.", "motivated_by": [], "article_ids": ids(&r1),
            "documents": []}),
        ),
        (
            "draft/D1",
            "RevisionPublished",
            json!({
            "number": 2, "articles": null, "articles_document": r2_sha, "text_sha256": r2_sha,
            "change_summary": "Délais allongés, registre.", "motivated_by": [],
            "article_ids": ids(&r2), "documents": [r2_sha]}),
        ),
        (
            "consultation/C1",
            "ConsultationOpened",
            json!({
            "draft": "D1", "revision": 2, "title": "Consultation sur le projet de loi",
            "summary": "Donnez votre avis.", "opens_at": "2026-03-06T00:00:00Z",
            "closes_at": "2026-03-12T00:00:00Z", "institution": "MCRP", "article_ids": ids(&r2)}),
        ),
        (
            "consultation/C1",
            "CommentSubmitted",
            comment(1, Some("art-1"), DOC_1, Some("A1"), None),
        ),
        (
            "consultation/C1",
            "CommentSubmitted",
            comment(2, None, DOC_2, None, Some(PERSON_1)),
        ),
        (
            "consultation/C1",
            "CommentSubmitted",
            comment(3, Some("art-2"), DOC_3, None, Some(PERSON_2)),
        ),
        (
            "consultation/C1",
            "CommentSubmitted",
            comment(4, Some("art-4"), DOC_4, Some("A2"), None),
        ),
        (
            "consultation/C1",
            "CommentModerated",
            moderation(2, "hide", "spam", &[]),
        ),
        (
            "consultation/C1",
            "CommentModerated",
            moderation(2, "restore", "spam", &[]),
        ),
        (
            "consultation/C1",
            "CommentModerated",
            moderation(3, "hide", "personal_data", &[DOC_3]),
        ),
        (
            "consultation/C1",
            "PersonalDataErased",
            json!({"person": PERSON_2, "reason": "Demande de l'intéressé"}),
        ),
        (
            "consultation/C1",
            "ConsultationClosed",
            json!({"comments": 4}),
        ),
        (
            "consultation/C1",
            "CommentsAnswered",
            json!({"responses": [
            {"comment": 1, "position": "accepted", "reasoning": "L'objet est précisé."},
            {"comment": 2, "position": "rejected", "reasoning": "Hors du champ de la loi."},
            {"comment": 4, "position": "partly_accepted", "reasoning": "Le registre est remplacé."}]}),
        ),
        (
            "consultation/C1",
            "ResultsPublished",
            json!({
            "synthesis": "Quatre commentaires, trois réponses.",
            "recommendations": [{"id": "R-1", "text": "Garantir une réponse à chaque commentaire."}],
            "documents": [], "comments": 4, "answered": 3, "hidden": 1}),
        ),
        (
            "draft/D1",
            "RevisionPublished",
            json!({
            "number": 3, "articles": r3, "articles_document": null, "text_sha256": text_sha256(&r3),
            "change_summary": "Garanties et réponses.",
            "motivated_by": [{"consultation": "C1", "comment": 1, "recommendation": null},
                             {"consultation": "C1", "comment": null, "recommendation": "R-1"}],
            "article_ids": ids(&r3), "documents": []}),
        ),
        (
            "draft/D1",
            "DraftSubmitted",
            json!({"note": "Transmis au Secrétariat général."}),
        ),
    ];
    steps
        .into_iter()
        .zip(1..)
        .map(|((stream, event_type, data), index)| entry(index, stream, event_type, data))
        .collect()
}

/// The comment numbers [`many_comments`] moderates, answers, withholds or whose author it
/// erases, with the first and the last: the ones a test looks at.
pub const NOTABLE: [u64; 7] = [1, 7, 8, 11, 1500, 1999, 2000];

/// A consultation with `n` comments (`n` ≥ 2000): from both channels, on the articles
/// of revision 2 and on the whole text in turn; comment 7 hidden as spam, 8 hidden then
/// restored, 1500 hidden with its text withheld, the author of 11 erased, 1, 8 and 1999
/// answered, results, then a revision motivated by comment 1999 and a recommendation.
pub fn many_comments(n: u64) -> Vec<Entry> {
    let mut steps = opened_with(n);
    let person = |k: u64| format!("p-{k:06}");
    let doc = |k: u64| format!("{k:064x}");
    let c = |t: &str, data: Value| ("consultation/C1".to_owned(), t.to_owned(), data);
    steps.push(c("CommentModerated", moderation(7, "hide", "spam", &[])));
    steps.push(c("CommentModerated", moderation(8, "hide", "insult", &[])));
    steps.push(c(
        "CommentModerated",
        moderation(8, "restore", "insult", &[]),
    ));
    steps.push(c(
        "CommentModerated",
        moderation(1500, "hide", "personal_data", &[&doc(1500)]),
    ));
    steps.push(c(
        "PersonalDataErased",
        json!({"person": person(11), "reason": "Demande de l'intéressé"}),
    ));
    steps.push(c("ConsultationClosed", json!({ "comments": n })));
    steps.push(c(
        "CommentsAnswered",
        json!({"responses": [
            {"comment": 1, "position": "accepted", "reasoning": "Oui."},
            {"comment": 8, "position": "rejected", "reasoning": "Non."},
            {"comment": 1999, "position": "partly_accepted", "reasoning": "En partie."}]}),
    ));
    steps.push(c(
        "ResultsPublished",
        json!({
        "synthesis": "Beaucoup de commentaires.",
        "recommendations": [{"id": "R-1", "text": "Répondre à chacun."}],
        "documents": [], "comments": n, "answered": 3, "hidden": 2}),
    ));
    let r3 = revision_3();
    steps.push((
        "draft/D1".to_owned(),
        "RevisionPublished".to_owned(),
        json!({
        "number": 3, "articles": r3, "articles_document": null, "text_sha256": text_sha256(&r3),
        "change_summary": "Garanties et réponses.",
        "motivated_by": [{"consultation": "C1", "comment": 1999, "recommendation": null},
                         {"consultation": "C1", "comment": null, "recommendation": "R-1"}],
        "article_ids": ids(&r3), "documents": []}),
    ));
    numbered(steps)
}

/// The draft, its revisions 1 and 2 and consultation C1 on revision 2, as in the small
/// scenario, then `n` comments: from both channels, on the articles of revision 2 and on
/// the whole text in turn.
fn opened_with(n: u64) -> Vec<(String, String, Value)> {
    // DraftCreated, revisions 1 and 2, ConsultationOpened.
    let mut steps: Vec<(String, String, Value)> = entries()[..4]
        .iter()
        .map(|e| (e.stream.clone(), e.event_type.clone(), e.data.clone()))
        .collect();
    let articles = ["art-1", "art-2", "art-4"];
    for k in 1..=n {
        let article = usize::try_from(k % 4)
            .ok()
            .and_then(|i| articles.get(i))
            .copied();
        let (association, who) = if k % 3 == 0 {
            (Some(if k % 2 == 0 { "A1" } else { "A2" }), None)
        } else {
            (None, Some(format!("p-{:06}", k % 500)))
        };
        steps.push((
            "consultation/C1".to_owned(),
            "CommentSubmitted".to_owned(),
            comment(
                k,
                article,
                &format!("{k:064x}"),
                association,
                who.as_deref(),
            ),
        ));
    }
    steps
}

fn numbered(steps: Vec<(String, String, Value)>) -> Vec<Entry> {
    steps
        .into_iter()
        .zip(1..)
        .map(|((stream, event_type, data), index)| entry(index, &stream, &event_type, data))
        .collect()
}

/// Consultation C1 with `n` comments (as [`many_comments`] has them), then the three
/// entries of a new comment's life: it is submitted (number `n + 1`), hidden with its
/// text withheld, and answered.
pub fn one_more_comment(n: u64) -> Vec<Entry> {
    let mut steps = opened_with(n);
    let k = n + 1;
    let doc = format!("{k:064x}");
    let c = |t: &str, data: Value| ("consultation/C1".to_owned(), t.to_owned(), data);
    steps.push(c(
        "CommentSubmitted",
        comment(k, Some("art-1"), &doc, None, Some("p-000001")),
    ));
    steps.push(c(
        "CommentModerated",
        moderation(k, "hide", "personal_data", &[&doc]),
    ));
    steps.push(c(
        "CommentsAnswered",
        json!({"responses": [{"comment": k, "position": "rejected", "reasoning": "Non."}]}),
    ));
    numbered(steps)
}

/// The comment rows of consultation `consultation` among `rows`, in number order (the
/// order of their ids, as the store lists them).
pub fn comments_of(
    rows: &crate::support::scenario::Rows,
    consultation: &str,
) -> Vec<super::comments::StoredComment> {
    let prefix = format!("{consultation}/");
    rows.iter()
        .filter(|((view, id), _)| {
            *view == super::consultation_comments::CONSULTATION_COMMENTS && id.starts_with(&prefix)
        })
        .map(|(_, row)| super::comments::StoredComment::from_value(row).expect("a comment row"))
        .collect()
}
