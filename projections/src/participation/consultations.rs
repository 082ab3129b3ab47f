//! The `consultations` view: a public consultation on one revision of a draft, its window
//! and status (open, closed, results), the erasures of personal data, the results, the
//! revisions its comments and recommendations motivated, and its own entries
//! (`/v1/consultations`, `/v1/consultations/{id}`, `/v1/exports/comments.csv`).
//!
//! Its comments are not here: each has its own row in [`super::consultation_comments`],
//! and no entry about a comment (submission, moderation, response) touches this row, so
//! the row's size does not depend on how many comments the consultation received. What
//! the public sees of all of them (counts, the stream's entries) is computed when a page
//! is shown.
//!
//! `status` is stored because lists filter on it in SQL; it only moves forward (open,
//! closed, results) with the consultation's own entries, in log order. What a row holds
//! and what the public sees of it, typed: [`super::consultation_view`].

use domain::participation::{ConsultationEvent, DraftEvent, RevisionPublished};
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::support::{merge, set, Event, Typed};
use crate::ViewChange;

/// View of consultations, by consultation id.
pub const CONSULTATIONS: &str = "consultations";

/// The changes `event` makes to consultation rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    let consultation = match &e.event {
        Typed::Consultation(consultation) => consultation,
        Typed::Draft(DraftEvent::RevisionPublished(revision)) => {
            return motivated_revision(e, revision)
        }
        _ => return Vec::new(),
    };
    match consultation {
        ConsultationEvent::ConsultationOpened(opened) => vec![ViewChange::Put {
            view: CONSULTATIONS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "status": "open",
                // The year a consultation is listed under: the year its window opens.
                "year": year_of(&opened.opens_at),
                "opened_at": e.at,
                "closed_at": null,
                "closed_index": null,
                "comments_at_close": null,
                "results": null,
                "erasures": {},
                "motivated_revisions": {},
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        // A comment's entries change its own row only (`consultation_comments`).
        ConsultationEvent::CommentSubmitted(_)
        | ConsultationEvent::CommentModerated(_)
        | ConsultationEvent::CommentsAnswered(_) => Vec::new(),
        ConsultationEvent::PersonalDataErased(erased) => vec![
            set(
                CONSULTATIONS,
                e.id,
                &["erasures", &e.key()],
                json!({
                    "person": erased.person,
                    "reason": erased.reason,
                    "recorded_at": e.at,
                    "index": e.index,
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        ConsultationEvent::ConsultationClosed(closed) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "closed",
                    "closed_at": e.at,
                    "closed_index": e.index,
                    "comments_at_close": closed.comments,
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        ConsultationEvent::ResultsPublished(results) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "results",
                    "results": {
                        "synthesis": results.synthesis,
                        "recommendations": results.recommendations,
                        "documents": results.documents,
                        "comments": results.comments,
                        "answered": results.answered,
                        "hidden": results.hidden,
                        "published_at": e.at,
                        "index": e.index,
                    },
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
    }
}

/// A revision motivated by comments or recommendations is noted on each consultation it
/// cites, keyed by revision number, so a comment shows the revisions it led to. The value
/// is computed from the entry alone: replaying it sets the same member again.
fn motivated_revision(e: &Event, revision: &RevisionPublished) -> Vec<ViewChange> {
    let number = revision.number;
    let mut cited: BTreeMap<&str, (Vec<u64>, Vec<&str>)> = BTreeMap::new();
    for m in &revision.motivated_by {
        let (comments, recommendations) = cited.entry(&m.consultation).or_default();
        match (m.comment, &m.recommendation) {
            (Some(c), _) => comments.push(c),
            (None, Some(r)) => recommendations.push(r),
            (None, None) => {}
        }
    }
    cited
        .into_iter()
        .map(|(consultation, (comments, recommendations))| {
            set(
                CONSULTATIONS,
                consultation,
                &["motivated_revisions", &number.to_string()],
                json!({
                    "draft": e.id,
                    "revision": number,
                    "comments": comments,
                    "recommendations": recommendations,
                    "change_summary": revision.change_summary,
                    "recorded_at": e.at,
                    "index": e.index,
                    "diff": diff_link(e.id, u64::from(number)),
                }),
            )
        })
        .collect()
}

/// The link to the changes a revision made: the diff from the revision before it;
/// `None` for the first revision, which changed nothing.
pub fn diff_link(draft: &str, number: u64) -> Option<String> {
    (number >= 2).then(|| format!("/v1/drafts/{draft}/diff?from={}&to={number}", number - 1))
}

/// The year of an instant written `YYYY-...`, or `null`.
fn year_of(instant: &str) -> Value {
    instant
        .get(..4)
        .and_then(|y| y.parse::<i64>().ok())
        .map_or(Value::Null, |y| json!(y))
}
