//! The `applications` view: an association's application to an offer, the evaluators'
//! declarations of conflict of interest and their scores per criterion, and the award it
//! led to (shown in `/v1/offers/{id}` and `/v1/associations/{id}`).
//!
//! Declarations and scores are keyed by evaluator: the domain allows one of each per
//! evaluator and application. The application's score, the integer mean of its
//! evaluators' weighted totals, is derived when the row is shown; once an award is
//! granted the award's own `score_hundredths` (what the domain decided on) is kept too.

use domain::names::{event, stream};
use serde_json::{json, Value};

use super::{by_index, merge, present_record, set, Event};
use crate::ViewChange;

/// View of applications, by application id.
pub const APPLICATIONS: &str = "applications";

/// The changes `event` makes to application rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::APPLICATION, event::APPLICATION_SUBMITTED) => vec![ViewChange::Put {
            view: APPLICATIONS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "submitted_at": e.at,
                "declarations": {},
                "scores": {},
                "award": null,
                "score_hundredths": null,
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        (stream::APPLICATION, event::CONFLICT_OF_INTEREST_DECLARED) => {
            let evaluator = e.str("evaluator");
            vec![
                set(
                    APPLICATIONS,
                    e.id,
                    &["declarations", evaluator],
                    json!({
                        "evaluator": evaluator,
                        "conflict": e.field("conflict"),
                        "note": e.field("note"),
                        "declared_at": e.at,
                        "index": e.index,
                    }),
                ),
                e.note_entry(APPLICATIONS, e.id),
            ]
        }
        (stream::APPLICATION, event::APPLICATION_SCORED) => {
            let evaluator = e.str("evaluator");
            vec![
                set(
                    APPLICATIONS,
                    e.id,
                    &["scores", evaluator],
                    json!({
                        "evaluator": evaluator,
                        "scores": e.field("scores"),
                        "comment": e.field("comment"),
                        "total_hundredths": e.field("total_hundredths"),
                        "scored_at": e.at,
                        "index": e.index,
                    }),
                ),
                e.note_entry(APPLICATIONS, e.id),
            ]
        }
        (stream::APPLICATION, _) => vec![e.note_entry(APPLICATIONS, e.id)],
        (stream::AWARD, event::AWARD_GRANTED) => vec![merge(
            APPLICATIONS,
            e.str("application"),
            json!({
                "award": e.id,
                "score_hundredths": e.field("score_hundredths"),
            }),
        )],
        _ => Vec::new(),
    }
}

/// The public shape of an application row, given its offer's row. The scores are shown
/// once the offer has awarded anything (see [`super::offers::is_awarded`]); before that,
/// the row says how many evaluators scored it, not what they gave. The award's status
/// comes from the offer, whose row follows revocations (a revocation entry names the
/// offer, not the application).
pub fn present(row: &Value, offer: Option<&Value>) -> Value {
    let mut out = present_record(row);
    let declarations = by_index(row.get("declarations"));
    let conflicts: Vec<Value> = declarations
        .iter()
        .filter(|d| d.get("conflict").and_then(Value::as_bool) == Some(true))
        .filter_map(|d| d.get("evaluator").cloned())
        .collect();
    let scores = by_index(row.get("scores"));
    let award_status = row.get("award").and_then(Value::as_str).map(|award| {
        offer
            .and_then(|o| o.pointer(&format!("/awards/{}/status", pointer_escape(award))))
            .and_then(Value::as_str)
            .unwrap_or("active")
    });
    out.insert("conflicts_declared".into(), Value::Array(conflicts));
    out.insert("declarations".into(), Value::Array(declarations));
    out.insert("evaluations".into(), json!(scores.len()));
    out.insert("award_status".into(), json!(award_status));
    out.insert(
        "status".into(),
        json!(status(award_status, !scores.is_empty())),
    );
    if offer.is_some_and(super::offers::is_awarded) {
        out.insert("mean_score_hundredths".into(), json!(mean_total(&scores)));
        out.insert("scores".into(), Value::Array(scores));
    } else {
        out.remove("scores");
        out.insert("mean_score_hundredths".into(), Value::Null);
    }
    Value::Object(out)
}

/// Where the application stands: `awarded`, `revoked`, `scored` or `submitted`.
fn status(award_status: Option<&str>, scored: bool) -> &'static str {
    match award_status {
        Some("revoked") => "revoked",
        Some(_) => "awarded",
        None if scored => "scored",
        None => "submitted",
    }
}

/// `key` escaped for a JSON pointer (RFC 6901): ids may hold neither `~` nor `/` today,
/// but a pointer must not be steered by one.
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The integer mean of the evaluators' weighted totals (hundredths), as the domain
/// computes an application's score, or `None` when nobody scored it.
pub fn mean_total(scores: &[Value]) -> Option<i64> {
    let totals: Vec<i64> = scores
        .iter()
        .filter_map(|s| s.get("total_hundredths").and_then(Value::as_i64))
        .collect();
    let count = i64::try_from(totals.len()).ok().filter(|n| *n > 0)?;
    Some(totals.iter().sum::<i64>() / count)
}
