//! A hand-made support lifecycle for the tests of the views and the exports: two
//! associations, an offer amended and closed, two applications with declarations (one a
//! conflict) and scores, two awards, disbursements, a report and a revocation, then a
//! late offer still open. The entries are written by hand as the domain writes them
//! (`docs/support-lifecycle.md`); the projector decodes them as the domain's typed events,
//! so they cannot drift from the events' shapes.

use std::collections::BTreeMap;

use ledger::hash::ZERO_HASH;
use ledger::{Entry, Timestamp};
use serde_json::{json, Value};

use crate::{Projector, ViewChange};

/// 2026-01-05T09:00:00Z, the scenario's first instant.
const START_MS: i64 = 1_767_603_600_000;
/// One day, the step between the scenario's entries.
const DAY_MS: i64 = 86_400_000;

/// A report's document, as its SHA-256 in hex.
pub const REPORT_SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The rows of every view after projecting the entries, by `(view, id)`.
pub type Rows = BTreeMap<(&'static str, String), Value>;

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

/// The scenario's entries, in log order from index 1.
pub fn entries() -> Vec<Entry> {
    let offer_body = json!({
        "institution": "MJCC", "fiscal_year": 2026, "title": "Jeunesse et citoyenneté",
        "description": "Projets de participation des jeunes.",
        "budget_centimes": 500_000_000, "max_award_centimes": 20_000_000,
        "eligibility": {"regions": ["MA-04", "MA-06"], "domains": ["youth"], "min_age_years": 2},
        "criteria": [{"id": "relevance", "title": "Pertinence", "weight": 60},
                     {"id": "capacity", "title": "Capacité", "weight": 40}],
        "opens_at": "2026-01-06T00:00:00Z", "closes_at": "2026-01-09T00:00:00Z",
        "late_justification": null,
        "published_late": false, "q1_deadline": "2026-03-31T23:00:00.000Z",
    });
    let declare = |evaluator: &str, conflict: bool, note: Value| json!({"conflict": conflict, "note": note, "offer": "O1", "evaluator": evaluator});
    let score = |evaluator: &str, relevance: i64, capacity: i64| {
        json!({"scores": {"relevance": relevance, "capacity": capacity}, "comment": null,
               "offer": "O1", "evaluator": evaluator,
               "total_hundredths": relevance * 60 + capacity * 40})
    };
    let steps = vec![
        (
            "association/A1",
            "AssociationRegistered",
            json!({
            "name": "Association Amal", "legal_form": "association", "region": "MA-04",
            "domains": ["youth", "education"], "registered_on": "2019-05-01"}),
        ),
        // A name with a comma and quotes, so the CSV export has to quote it.
        (
            "association/A2",
            "AssociationRegistered",
            json!({
            "name": "Jeunesse Active, \"Salé\"", "legal_form": "network", "region": "MA-06",
            "domains": ["youth"], "registered_on": "2018-02-11"}),
        ),
        ("offer/O1", "OfferPublished", offer_body),
        (
            "application/P1",
            "ApplicationSubmitted",
            json!({
            "offer": "O1", "association": "A1", "title": "Conseils de jeunes",
            "summary": "Des conseils de jeunes dans trois communes.",
            "requested_centimes": 15_000_000, "documents": []}),
        ),
        (
            "application/P2",
            "ApplicationSubmitted",
            json!({
            "offer": "O1", "association": "A2", "title": "Radio des quartiers",
            "summary": "Une radio associative.", "requested_centimes": 10_000_000,
            "documents": [REPORT_SHA]}),
        ),
        (
            "offer/O1",
            "OfferAmended",
            json!({
            "reason": "Budget complémentaire", "title": null, "description": null,
            "budget_centimes": 600_000_000, "max_award_centimes": null, "closes_at": null}),
        ),
        ("offer/O1", "OfferClosed", json!({"applications": 2})),
        (
            "application/P1",
            "ConflictOfInterestDeclared",
            declare("E1", false, Value::Null),
        ),
        (
            "application/P1",
            "ConflictOfInterestDeclared",
            declare("E2", true, json!("cousin")),
        ),
        ("application/P1", "ApplicationScored", score("E1", 80, 70)),
        (
            "application/P1",
            "ConflictOfInterestDeclared",
            declare("E3", false, Value::Null),
        ),
        // 6801 with E1's 7600 makes a mean of 7200.5, which the integer mean floors.
        (
            "application/P1",
            "ApplicationScored",
            json!({
            "scores": {"relevance": 70, "capacity": 65}, "comment": "solide",
            "offer": "O1", "evaluator": "E3", "total_hundredths": 6801}),
        ),
        (
            "application/P2",
            "ConflictOfInterestDeclared",
            declare("E1", false, Value::Null),
        ),
        ("application/P2", "ApplicationScored", score("E1", 50, 50)),
        (
            "award/W1",
            "AwardGranted",
            json!({
            "application": "P1", "amount_centimes": 12_000_000, "justification": null,
            "offer": "O1", "institution": "MJCC", "association": "A1",
            "requested_centimes": 15_000_000,
            "score_hundredths": 7200, "out_of_order": false,
            "offer_committed_centimes": 12_000_000}),
        ),
        (
            "award/W1",
            "DisbursementRecorded",
            json!({
            "amount_centimes": 5_000_000, "reference": "VIR-1", "offer": "O1",
            "association": "A1", "disbursed_total_centimes": 5_000_000}),
        ),
        (
            "award/W1",
            "DisbursementRecorded",
            json!({
            "amount_centimes": 2_500_050, "reference": null, "offer": "O1",
            "association": "A1", "disbursed_total_centimes": 7_500_050}),
        ),
        (
            "award/W1",
            "ReportSubmitted",
            json!({
            "kind": "activity", "summary": "Trois conseils installés.", "document": REPORT_SHA,
            "offer": "O1", "association": "A1", "documents": [REPORT_SHA]}),
        ),
        (
            "award/W2",
            "AwardGranted",
            json!({
            "application": "P2", "amount_centimes": 8_000_000,
            "justification": "Couverture d'une seconde région",
            "offer": "O1", "institution": "MJCC", "association": "A2",
            "requested_centimes": 10_000_000,
            "score_hundredths": 5000, "out_of_order": true,
            "offer_committed_centimes": 20_000_000}),
        ),
        (
            "award/W2",
            "AwardRevoked",
            json!({
            "reason": "Activité non réalisée", "recover_centimes": 0, "offer": "O1",
            "association": "A2", "disbursed_centimes": 0, "offer_committed_centimes": 12_000_000}),
        ),
        (
            "offer/O2",
            "OfferPublished",
            json!({
            "institution": "MSPS", "fiscal_year": 2026, "title": "Santé de proximité",
            "description": "Caravanes médicales.", "budget_centimes": 100_000_000,
            "max_award_centimes": 5_000_000,
            "eligibility": {"regions": [], "domains": ["health"], "min_age_years": 0},
            "criteria": [{"id": "impact", "title": "Impact", "weight": 100}],
            "opens_at": "2026-04-20T00:00:00Z", "closes_at": "2026-06-01T00:00:00Z",
            "late_justification": "Loi de finances rectificative",
            "published_late": true, "q1_deadline": "2026-03-31T23:00:00.000Z"}),
        ),
    ];
    steps
        .into_iter()
        .zip(1..)
        .map(|((stream, event_type, data), index)| entry(index, stream, event_type, data))
        .collect()
}

/// Applies `entries` with `projector` as the runner does, and returns every row.
pub fn project(projector: &dyn Projector, entries: &[Entry]) -> Rows {
    let mut rows = Rows::new();
    for e in entries {
        let changes = projector.project(e).unwrap_or_else(|e| panic!("{e}"));
        for change in changes {
            apply(&mut rows, change);
        }
    }
    rows
}

/// Applies one change to `rows`.
pub fn apply(rows: &mut Rows, change: ViewChange) {
    let key = (change.view(), change.id().to_owned());
    let before = rows.remove(&key);
    rows.insert(key, change.apply(before));
}

/// The row `id` of `view`.
pub fn row<'a>(rows: &'a Rows, view: &'static str, id: &str) -> &'a Value {
    rows.get(&(view, id.to_owned()))
        .unwrap_or_else(|| panic!("no {view} row {id}"))
}
