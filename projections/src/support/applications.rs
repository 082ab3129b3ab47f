//! The `applications` view: an association's application to an offer, the evaluators'
//! declarations of conflict of interest and their scores per criterion, and the award it
//! led to (shown in `/v1/offers/{id}` and `/v1/associations/{id}`).
//!
//! Declarations and scores are keyed by evaluator: the domain allows one of each per
//! evaluator and application. The application's score, the integer mean of its
//! evaluators' weighted totals, is derived when the row is shown; once an award is
//! granted the award's own `score_hundredths` (what the domain decided on) is kept too.

use std::collections::BTreeMap;

use domain::support::{ApplicationEvent, AwardEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::offers::Offer;
use super::{merge, set, Event, Typed};
use crate::rows::{self, entry_lines, in_log_order, BadRow, EntryLine};
use crate::ViewChange;

/// View of applications, by application id.
pub const APPLICATIONS: &str = "applications";

/// The changes `event` makes to application rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match &e.event {
        Typed::Application(ApplicationEvent::ApplicationSubmitted(_)) => vec![ViewChange::Put {
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
        Typed::Application(ApplicationEvent::ConflictOfInterestDeclared(declared)) => vec![
            set(
                APPLICATIONS,
                e.id,
                &["declarations", &declared.evaluator],
                json!({
                    "evaluator": declared.evaluator,
                    "conflict": declared.conflict,
                    "note": declared.note,
                    "declared_at": e.at,
                    "index": e.index,
                }),
            ),
            e.note_entry(APPLICATIONS, e.id),
        ],
        Typed::Application(ApplicationEvent::ApplicationScored(scored)) => vec![
            set(
                APPLICATIONS,
                e.id,
                &["scores", &scored.evaluator],
                json!({
                    "evaluator": scored.evaluator,
                    "scores": scored.scores,
                    "comment": scored.comment,
                    "total_hundredths": scored.total_hundredths,
                    "scored_at": e.at,
                    "index": e.index,
                }),
            ),
            e.note_entry(APPLICATIONS, e.id),
        ],
        Typed::Award(AwardEvent::AwardGranted(granted)) => vec![merge(
            APPLICATIONS,
            &granted.application,
            json!({
                "award": e.id,
                "score_hundredths": granted.score_hundredths,
            }),
        )],
        _ => Vec::new(),
    }
}

/// An application row as stored: `ApplicationSubmitted`'s data and what the projector
/// adds (see [`project`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplicationRow {
    id: String,
    offer: String,
    association: String,
    title: String,
    summary: String,
    requested_centimes: i64,
    documents: Vec<String>,
    submitted_at: String,
    /// Keyed by evaluator.
    declarations: BTreeMap<String, Declaration>,
    /// Keyed by evaluator.
    scores: BTreeMap<String, Score>,
    award: Option<String>,
    score_hundredths: Option<i64>,
    index: u64,
    stream: String,
    entries: BTreeMap<String, String>,
}

/// An application as its offer's page shows it: the submission, the evaluators'
/// declarations, how many scored it, and once the offer has awarded anything their
/// scores and the mean; the award it led to and where it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub offer: String,
    pub association: String,
    pub title: String,
    pub summary: String,
    pub requested_centimes: i64,
    /// SHA-256 (hex) of the documents the submission names.
    pub documents: Vec<String>,
    pub submitted_at: String,
    pub declarations: Vec<Declaration>,
    /// The evaluators who declared a conflict of interest, in log order.
    pub conflicts_declared: Vec<String>,
    /// How many evaluators scored it.
    pub evaluations: u64,
    /// Absent until the offer has awarded anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scores: Option<Vec<Score>>,
    /// `null` until the offer has awarded anything, or when nobody scored it.
    pub mean_score_hundredths: Option<i64>,
    pub award: Option<String>,
    /// The award's own score, what the domain decided on.
    pub score_hundredths: Option<i64>,
    /// `active` or `revoked`, `null` without an award.
    pub award_status: Option<String>,
    /// `awarded`, `revoked`, `scored` or `submitted`.
    pub status: String,
    pub index: u64,
    pub stream: String,
    pub entries: Vec<EntryLine>,
    pub audit_trail: String,
}

/// An evaluator's declaration of (no) conflict of interest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    pub evaluator: String,
    pub conflict: bool,
    pub note: Option<String>,
    pub declared_at: String,
    pub index: u64,
}

/// An evaluator's scores per criterion and their weighted total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    pub evaluator: String,
    /// Points per criterion id.
    pub scores: BTreeMap<String, i64>,
    pub comment: Option<String>,
    pub total_hundredths: i64,
    pub scored_at: String,
    pub index: u64,
}

/// The public shape of an application row, given its offer. The scores are shown once
/// the offer has awarded anything (see [`Offer::is_awarded`]); before that, the
/// application says how many evaluators scored it, not what they gave. The award's status
/// comes from the offer, whose row follows revocations (a revocation entry names the
/// offer, not the application).
///
/// # Errors
/// [`BadRow`] when the row does not read as an application's.
pub fn present(row: &Value, offer: Option<&Offer>) -> Result<Application, BadRow> {
    let row: ApplicationRow = rows::read(APPLICATIONS, row)?;
    let declarations = in_log_order(row.declarations, |d| d.index);
    let conflicts_declared = declarations
        .iter()
        .filter(|d| d.conflict)
        .map(|d| d.evaluator.clone())
        .collect();
    let scores = in_log_order(row.scores, |s| s.index);
    let award_status = row.award.as_deref().map(|award| {
        offer
            .and_then(|o| o.award_status(award))
            .unwrap_or("active")
            .to_owned()
    });
    let status = status(award_status.as_deref(), !scores.is_empty()).to_owned();
    let evaluations = u64::try_from(scores.len()).unwrap_or(u64::MAX);
    let (scores, mean_score_hundredths) = if offer.is_some_and(Offer::is_awarded) {
        let mean = mean_total(&scores);
        (Some(scores), mean)
    } else {
        (None, None)
    };
    Ok(Application {
        id: row.id,
        offer: row.offer,
        association: row.association,
        title: row.title,
        summary: row.summary,
        requested_centimes: row.requested_centimes,
        documents: row.documents,
        submitted_at: row.submitted_at,
        declarations,
        conflicts_declared,
        evaluations,
        scores,
        mean_score_hundredths,
        award: row.award,
        score_hundredths: row.score_hundredths,
        award_status,
        status,
        index: row.index,
        audit_trail: rows::trail(&row.stream),
        stream: row.stream,
        entries: entry_lines(row.entries),
    })
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

/// The integer mean of the evaluators' weighted totals (hundredths), as the domain
/// computes an application's score, or `None` when nobody scored it.
pub fn mean_total(scores: &[Score]) -> Option<i64> {
    let count = i64::try_from(scores.len()).ok().filter(|n| *n > 0)?;
    Some(scores.iter().map(|s| s.total_hundredths).sum::<i64>() / count)
}
