//! The `drafts` view: a draft law or policy text, every revision as published (its
//! articles inline or the hash of the document holding them, its text hash, change
//! summary and the comments and recommendations that motivated it), the consultations
//! held on it, and whether it was submitted for approval (`/v1/drafts`,
//! `/v1/drafts/{id}`).

use domain::names::{event, stream};
use std::collections::HashMap;

use domain::participation::Article;
use serde_json::{json, Value};

use super::consultations::diff_link;
use crate::support::{by_index, merge, present_record, set, Event};
use crate::ViewChange;

/// View of drafts, by draft id.
pub const DRAFTS: &str = "drafts";

/// The changes `event` makes to draft rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::DRAFT, event::DRAFT_CREATED) => vec![ViewChange::Put {
            view: DRAFTS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "status": "drafting",
                "created_at": e.at,
                "latest_revision": null,
                "revised_at": null,
                "submitted_at": null,
                "submitted_index": null,
                "submission_note": null,
                "revisions": {},
                "consultations": {},
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        (stream::DRAFT, event::REVISION_PUBLISHED) => {
            let number = e.int("number");
            vec![
                set(
                    DRAFTS,
                    e.id,
                    &["revisions", &number.to_string()],
                    json!({
                        "number": number,
                        "text_sha256": e.field("text_sha256"),
                        "change_summary": e.field("change_summary"),
                        "articles": e.field("articles"),
                        "articles_document": e.field("articles_document"),
                        "article_ids": e.field("article_ids"),
                        "motivated_by": e.field("motivated_by"),
                        "recorded_at": e.at,
                        "index": e.index,
                    }),
                ),
                // Revisions only ever go up by one (the domain's rule), so the latest
                // revision is the one just published; replaying it sets the same number.
                merge(
                    DRAFTS,
                    e.id,
                    json!({"latest_revision": number, "revised_at": e.at}),
                ),
                e.note_entry(DRAFTS, e.id),
            ]
        }
        (stream::DRAFT, event::DRAFT_SUBMITTED) => vec![
            merge(
                DRAFTS,
                e.id,
                json!({
                    "status": "submitted",
                    "submitted_at": e.at,
                    "submitted_index": e.index,
                    "submission_note": e.field("note"),
                }),
            ),
            e.note_entry(DRAFTS, e.id),
        ],
        (stream::DRAFT, _) => vec![e.note_entry(DRAFTS, e.id)],
        (stream::CONSULTATION, event::CONSULTATION_OPENED) => vec![set(
            DRAFTS,
            e.str("draft"),
            &["consultations", e.id],
            json!({
                "id": e.id,
                "revision": e.field("revision"),
                "title": e.field("title"),
                "opens_at": e.field("opens_at"),
                "closes_at": e.field("closes_at"),
                "index": e.index,
                "link": format!("/v1/consultations/{}", e.id),
            }),
        )],
        _ => Vec::new(),
    }
}

/// Where a revision's articles are: in the entry, or in a document named by its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticlesAt {
    Inline(Vec<Article>),
    Document(String),
    /// Neither (a malformed row): the revision is shown without its text.
    Missing,
}

/// Where the articles of a revision (a member of the row's `revisions`) are.
pub fn articles_at(revision: &Value) -> ArticlesAt {
    if let Some(articles) = revision
        .get("articles")
        .filter(|a| a.is_array())
        .and_then(|a| serde_json::from_value::<Vec<Article>>(a.clone()).ok())
    {
        return ArticlesAt::Inline(articles);
    }
    match revision.get("articles_document").and_then(Value::as_str) {
        Some(sha) => ArticlesAt::Document(sha.to_owned()),
        None => ArticlesAt::Missing,
    }
}

/// The articles an articles document holds. The domain accepted the revision only if the
/// document is the canonical JSON of an articles array whose hash is the text's, so a
/// document that does not parse here is not that document: `None`, never a panic.
pub fn parse_articles_document(bytes: &[u8]) -> Option<Vec<Article>> {
    serde_json::from_slice(bytes).ok()
}

/// The revision `number` of a draft row.
pub fn revision(row: &Value, number: u64) -> Option<&Value> {
    row.get("revisions")?.get(number.to_string())
}

/// The numbers of a draft's revisions, in order.
pub fn revision_numbers(row: &Value) -> Vec<u64> {
    let mut numbers: Vec<u64> = by_index(row.get("revisions"))
        .iter()
        .filter_map(|r| r.get("number").and_then(Value::as_u64))
        .collect();
    numbers.sort_unstable();
    numbers
}

/// A motivation of a revision (`{"consultation", "comment", "recommendation"}`) with the
/// link to the consultation it points into.
pub fn linked_motivation(m: &Value) -> Value {
    let consultation = m.get("consultation").and_then(Value::as_str).unwrap_or("");
    json!({
        "consultation": consultation,
        "comment": m.get("comment").cloned().unwrap_or(Value::Null),
        "recommendation": m.get("recommendation").cloned().unwrap_or(Value::Null),
        "link": format!("/v1/consultations/{consultation}"),
    })
}

/// The public shape of one revision of draft `draft`: its articles (`texts` holds those
/// read from documents, by revision number; absent means the document could not be read,
/// and `articles` is then `null`), its motivations linked to their consultations, the
/// link to the diff from the revision before it and to its entry.
pub fn present_revision(
    draft: &str,
    revision: &Value,
    texts: &HashMap<u64, Vec<Article>>,
) -> Value {
    let number = revision.get("number").and_then(Value::as_u64).unwrap_or(0);
    let (articles, source) = match articles_at(revision) {
        ArticlesAt::Inline(a) => (json!(a), "inline"),
        ArticlesAt::Document(_) => (
            texts.get(&number).map_or(Value::Null, |a| json!(a)),
            "document",
        ),
        ArticlesAt::Missing => (Value::Null, "missing"),
    };
    let motivated_by: Vec<Value> = revision
        .get("motivated_by")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(linked_motivation).collect())
        .unwrap_or_default();
    let index = revision.get("index").cloned().unwrap_or(Value::Null);
    json!({
        "number": number,
        "text_sha256": revision.get("text_sha256"),
        "change_summary": revision.get("change_summary"),
        "articles_source": source,
        "articles_document": revision.get("articles_document"),
        "article_ids": revision.get("article_ids"),
        "articles": articles,
        "motivated_by": motivated_by,
        "recorded_at": revision.get("recorded_at"),
        "index": index,
        "entry": index.as_u64().map(|i| format!("/v1/log/entries/{i}")),
        "diff": diff_link(draft, number),
    })
}

/// The public shape of a draft row with every revision (oldest first), its consultations
/// in log order, its entries and audit trail.
pub fn present(row: &Value, texts: &HashMap<u64, Vec<Article>>) -> Value {
    let id = row.get("id").and_then(Value::as_str).unwrap_or("");
    let mut out = present_record(row);
    let revisions: Vec<Value> = by_index(row.get("revisions"))
        .iter()
        .map(|r| present_revision(id, r, texts))
        .collect();
    out.insert("revisions_count".into(), json!(revisions.len()));
    out.insert("revisions".into(), Value::Array(revisions));
    out.insert(
        "consultations".into(),
        Value::Array(by_index(row.get("consultations"))),
    );
    Value::Object(out)
}

/// The short form of a draft in a list: its identity, status and latest revision, how
/// many revisions it has, and its consultations; without the texts.
pub fn summary(row: &Value) -> Value {
    let mut out = present_record(row);
    let revisions = row
        .get("revisions")
        .and_then(Value::as_object)
        .map_or(0, |m| m.len());
    out.insert("revisions_count".into(), json!(revisions));
    out.insert(
        "consultations".into(),
        Value::Array(by_index(row.get("consultations"))),
    );
    out.remove("revisions");
    out.remove("entries");
    Value::Object(out)
}
