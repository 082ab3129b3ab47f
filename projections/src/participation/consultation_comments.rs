//! The `consultation_comments` view: one row per comment of a consultation, holding the
//! comment, its moderation history, its hidden and withheld flags, its response and the
//! entries that made it so. Comments live here rather than on their consultation's row
//! so that recording one costs the same at the 100,000th comment as at the 10th: every
//! entry about a comment writes that comment's small row and nothing that grows with the
//! consultation.
//!
//! A row's id is [`comment_id`]: the consultation's id and the comment's number padded to
//! 20 digits, so the rows of one consultation, listed by id, come in number order and can
//! be paged in SQL. What a row holds and what the public sees of it, typed:
//! [`super::comments`].

use domain::participation::ConsultationEvent;
use serde_json::json;

use crate::support::{set, Event, Typed};
use crate::ViewChange;

/// View of comments, by [`comment_id`].
pub const CONSULTATION_COMMENTS: &str = "consultation_comments";

/// The id of comment `number` of consultation `consultation`: `<consultation>/<number>`,
/// the number zero-padded to 20 digits (every `u64` fits), so ids sort in number order.
pub fn comment_id(consultation: &str, number: u64) -> String {
    format!("{consultation}/{number:020}")
}

/// The changes `e`, an entry of consultation `e.id`, makes to comment rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    let Typed::Consultation(event) = &e.event else {
        return Vec::new();
    };
    match event {
        ConsultationEvent::CommentSubmitted(comment) => {
            // The comment's first entry: a Put, so no member of an older row survives.
            vec![ViewChange::Put {
                view: CONSULTATION_COMMENTS,
                id: comment_id(e.id, comment.comment),
                row: json!({
                    "consultation": e.id,
                    "number": comment.comment,
                    "article": comment.article,
                    "document": comment.document,
                    "channel": comment.channel,
                    "association": comment.association,
                    "person": comment.person,
                    "recorded_at": e.at,
                    "index": e.index,
                    "hidden": false,
                    "withheld": false,
                    "moderation": {},
                    "response": null,
                    "entries": e.first_entries(),
                }),
            }]
        }
        ConsultationEvent::CommentModerated(moderated) => {
            let id = comment_id(e.id, moderated.comment);
            let mut changes = vec![
                set(
                    CONSULTATION_COMMENTS,
                    &id,
                    &["moderation", &e.key()],
                    json!({
                        "action": moderated.action,
                        "ground": moderated.ground,
                        "note": moderated.note,
                        "withheld": moderated.withheld,
                        "recorded_at": e.at,
                        "index": e.index,
                    }),
                ),
                // The current state is the latest action's: entries are applied in log
                // order, so the last one set wins, on replay too.
                set(
                    CONSULTATION_COMMENTS,
                    &id,
                    &["hidden"],
                    json!(moderated.action == "hide"),
                ),
                e.note_entry(CONSULTATION_COMMENTS, &id),
            ];
            // A withheld text stays withheld: the domain refuses to restore it, so the
            // flag is only ever set, never cleared.
            if !moderated.withheld.is_empty() {
                changes.push(set(CONSULTATION_COMMENTS, &id, &["withheld"], json!(true)));
            }
            changes
        }
        // One entry answers several comments: each answered comment's row gets its
        // response and notes the entry, so the consultation's entries are found again by
        // reading its comments.
        ConsultationEvent::CommentsAnswered(answered) => answered
            .responses
            .iter()
            .flat_map(|r| {
                let id = comment_id(e.id, r.comment);
                [
                    set(
                        CONSULTATION_COMMENTS,
                        &id,
                        &["response"],
                        json!({
                            "position": r.position,
                            "reasoning": r.reasoning,
                            "recorded_at": e.at,
                            "index": e.index,
                        }),
                    ),
                    e.note_entry(CONSULTATION_COMMENTS, &id),
                ]
            })
            .collect(),
        ConsultationEvent::ConsultationOpened(_)
        | ConsultationEvent::PersonalDataErased(_)
        | ConsultationEvent::ConsultationClosed(_)
        | ConsultationEvent::ResultsPublished(_) => Vec::new(),
    }
}
