//! The `drafts` view: a draft law or policy text, every revision as published (its
//! articles inline or the hash of the document holding them, its text hash, change
//! summary and the comments and recommendations that motivated it), the consultations
//! held on it, and whether it was submitted for approval (`/v1/drafts`,
//! `/v1/drafts/{id}`). What a row holds and what the public sees of it, typed:
//! [`super::draft_view`].

use domain::participation::{ConsultationEvent, DraftEvent};

use serde_json::json;

use crate::support::{merge, set, Event, Typed};
use crate::ViewChange;

/// View of drafts, by draft id.
pub const DRAFTS: &str = "drafts";

/// The changes `event` makes to draft rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match &e.event {
        Typed::Draft(DraftEvent::DraftCreated(_)) => vec![ViewChange::Put {
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
        Typed::Draft(DraftEvent::RevisionPublished(revision)) => {
            let number = revision.number;
            vec![
                set(
                    DRAFTS,
                    e.id,
                    &["revisions", &number.to_string()],
                    json!({
                        "number": number,
                        "text_sha256": revision.text_sha256,
                        "change_summary": revision.change_summary,
                        "articles": revision.articles,
                        "articles_document": revision.articles_document,
                        "article_ids": revision.article_ids,
                        "motivated_by": revision.motivated_by,
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
        Typed::Draft(DraftEvent::DraftSubmitted(submitted)) => vec![
            merge(
                DRAFTS,
                e.id,
                json!({
                    "status": "submitted",
                    "submitted_at": e.at,
                    "submitted_index": e.index,
                    "submission_note": submitted.note,
                }),
            ),
            e.note_entry(DRAFTS, e.id),
        ],
        Typed::Consultation(ConsultationEvent::ConsultationOpened(opened)) => vec![set(
            DRAFTS,
            &opened.draft,
            &["consultations", e.id],
            json!({
                "id": e.id,
                "revision": opened.revision,
                "title": opened.title,
                "opens_at": opened.opens_at,
                "closes_at": opened.closes_at,
                "index": e.index,
                "link": format!("/v1/consultations/{}", e.id),
            }),
        )],
        _ => Vec::new(),
    }
}
