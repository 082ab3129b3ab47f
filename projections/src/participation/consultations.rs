//! The `consultations` view: a public consultation on one revision of a draft, its window
//! and status (open, closed, results), every comment keyed by its number with its
//! moderation history and response, the erasures of personal data, the results, and the
//! revisions its comments and recommendations motivated (`/v1/consultations`,
//! `/v1/consultations/{id}`, `/v1/exports/comments.csv`).
//!
//! `status` is stored because lists filter on it in SQL; it only moves forward (open,
//! closed, results) with the consultation's own entries, in log order. What a row holds
//! and what the public sees of it, typed: [`super::consultation_view`].

use domain::names::{event, stream};
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::support::{merge, set, Event};
use crate::ViewChange;

/// View of consultations, by consultation id.
pub const CONSULTATIONS: &str = "consultations";

/// The changes `event` makes to consultation rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::CONSULTATION, event::CONSULTATION_OPENED) => vec![ViewChange::Put {
            view: CONSULTATIONS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "status": "open",
                // The year a consultation is listed under: the year its window opens.
                "year": year_of(e.str("opens_at")),
                "opened_at": e.at,
                "closed_at": null,
                "closed_index": null,
                "comments_at_close": null,
                "results": null,
                "comments": {},
                "erasures": {},
                "motivated_revisions": {},
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        (stream::CONSULTATION, event::COMMENT_SUBMITTED) => {
            let number = e.int("comment");
            vec![
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number.to_string()],
                    json!({
                        "number": number,
                        "article": e.field("article"),
                        "document": e.field("document"),
                        "channel": e.field("channel"),
                        "association": e.field("association"),
                        "person": e.field("person"),
                        "recorded_at": e.at,
                        "index": e.index,
                        "hidden": false,
                        "withheld": false,
                        "moderation": {},
                        "response": null,
                    }),
                ),
                e.note_entry(CONSULTATIONS, e.id),
            ]
        }
        (stream::CONSULTATION, event::COMMENT_MODERATED) => {
            let number = e.int("comment").to_string();
            let withheld = e
                .data
                .get("withheld")
                .and_then(Value::as_array)
                .is_some_and(|w| !w.is_empty());
            let mut changes = vec![
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "moderation", &e.key()],
                    json!({
                        "action": e.field("action"),
                        "ground": e.field("ground"),
                        "note": e.field("note"),
                        "withheld": e.field("withheld"),
                        "recorded_at": e.at,
                        "index": e.index,
                    }),
                ),
                // The current state is the latest action's: entries are applied in log
                // order, so the last one set wins, on replay too.
                set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "hidden"],
                    json!(e.str("action") == "hide"),
                ),
                e.note_entry(CONSULTATIONS, e.id),
            ];
            // A withheld text stays withheld: the domain refuses to restore it, so the
            // flag is only ever set, never cleared.
            if withheld {
                changes.push(set(
                    CONSULTATIONS,
                    e.id,
                    &["comments", &number, "withheld"],
                    json!(true),
                ));
            }
            changes
        }
        (stream::CONSULTATION, event::PERSONAL_DATA_ERASED) => vec![
            set(
                CONSULTATIONS,
                e.id,
                &["erasures", &e.key()],
                json!({
                    "person": e.field("person"),
                    "reason": e.field("reason"),
                    "recorded_at": e.at,
                    "index": e.index,
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, event::CONSULTATION_CLOSED) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "closed",
                    "closed_at": e.at,
                    "closed_index": e.index,
                    "comments_at_close": e.field("comments"),
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, event::COMMENTS_ANSWERED) => {
            let mut changes: Vec<ViewChange> = e
                .data
                .get("responses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    let number = r.get("comment").and_then(Value::as_u64)?;
                    Some(set(
                        CONSULTATIONS,
                        e.id,
                        &["comments", &number.to_string(), "response"],
                        json!({
                            "position": r.get("position"),
                            "reasoning": r.get("reasoning"),
                            "recorded_at": e.at,
                            "index": e.index,
                        }),
                    ))
                })
                .collect();
            changes.push(e.note_entry(CONSULTATIONS, e.id));
            changes
        }
        (stream::CONSULTATION, event::RESULTS_PUBLISHED) => vec![
            merge(
                CONSULTATIONS,
                e.id,
                json!({
                    "status": "results",
                    "results": {
                        "synthesis": e.field("synthesis"),
                        "recommendations": e.field("recommendations"),
                        "documents": e.field("documents"),
                        "comments": e.field("comments"),
                        "answered": e.field("answered"),
                        "hidden": e.field("hidden"),
                        "published_at": e.at,
                        "index": e.index,
                    },
                }),
            ),
            e.note_entry(CONSULTATIONS, e.id),
        ],
        (stream::CONSULTATION, _) => vec![e.note_entry(CONSULTATIONS, e.id)],
        (stream::DRAFT, event::REVISION_PUBLISHED) => motivated_revision(e),
        _ => Vec::new(),
    }
}

/// A revision motivated by comments or recommendations is noted on each consultation it
/// cites, keyed by revision number, so a comment shows the revisions it led to. The value
/// is computed from the entry alone: replaying it sets the same member again.
fn motivated_revision(e: &Event) -> Vec<ViewChange> {
    let number = e.int("number");
    let mut cited: BTreeMap<&str, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    for m in e
        .data
        .get("motivated_by")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(consultation) = m.get("consultation").and_then(Value::as_str) else {
            continue;
        };
        let (comments, recommendations) = cited.entry(consultation).or_default();
        match (m.get("comment"), m.get("recommendation")) {
            (Some(c), _) if c.is_u64() => comments.push(c.clone()),
            (_, Some(r)) if r.is_string() => recommendations.push(r.clone()),
            _ => {}
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
                    "change_summary": e.field("change_summary"),
                    "recorded_at": e.at,
                    "index": e.index,
                    "diff": diff_link(e.id, u64::try_from(number).unwrap_or(0)),
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
