//! The `drafts` view: a draft law or policy text, every revision as published (its
//! articles inline or the hash of the document holding them, its text hash, change
//! summary and the comments and recommendations that motivated it), the consultations
//! held on it, and whether it was submitted for approval (`/v1/drafts`,
//! `/v1/drafts/{id}`). What a row holds and what the public sees of it, typed:
//! [`super::draft_view`].

use domain::names::{event, stream};

use serde_json::json;

use crate::support::{merge, set, Event};
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
