//! The `offers` view: a call for proposals as published and amended, its status, its
//! budget with what is committed and what remains, and how many applications it drew
//! (`/v1/offers`, `/v1/offers/{id}`).
//!
//! The committed amount is never summed here: `AwardGranted` and `AwardRevoked` carry the
//! offer's committed total after them (`offer_committed_centimes`), and the row takes it.

use std::collections::BTreeMap;

use domain::support::offer::{Criterion, Eligibility};
use domain::support::{ApplicationEvent, AwardEvent, OfferEvent};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::applications::Application;
use super::{merge, set, Event, Typed};
use crate::rows::{self, entry_lines, in_log_order, BadRow, EntryLine};
use crate::ViewChange;

/// View of offers, by offer id.
pub const OFFERS: &str = "offers";

/// The changes `event` makes to offer rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match &e.event {
        Typed::Offer(OfferEvent::OfferPublished(published)) => vec![ViewChange::Put {
            view: OFFERS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "published_in_q1": !published.published_late,
                "published_at": e.at,
                "status": "open",
                "committed_centimes": 0,
                "applications": {},
                "awards": {},
                "amendments": {},
                "amended_at": null,
                "closed_at": null,
                "closed_index": null,
                "applications_at_close": null,
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
            })),
        }],
        Typed::Offer(OfferEvent::OfferAmended(amended)) => {
            // A field the amendment leaves `null` is unchanged.
            let mut fields = Map::new();
            let mut change = |name: &str, value: Option<Value>| {
                if let Some(value) = value {
                    fields.insert(name.into(), value);
                }
            };
            change("title", amended.title.as_ref().map(|v| json!(v)));
            change(
                "description",
                amended.description.as_ref().map(|v| json!(v)),
            );
            change("budget_centimes", amended.budget_centimes.map(|v| json!(v)));
            change(
                "max_award_centimes",
                amended.max_award_centimes.map(|v| json!(v)),
            );
            change("closes_at", amended.closes_at.as_ref().map(|v| json!(v)));
            fields.insert("amended_at".into(), json!(e.at));
            vec![
                merge(OFFERS, e.id, Value::Object(fields)),
                set(
                    OFFERS,
                    e.id,
                    &["amendments", &e.key()],
                    e.data_with(json!({"recorded_at": e.at, "index": e.index})),
                ),
                e.note_entry(OFFERS, e.id),
            ]
        }
        Typed::Offer(OfferEvent::OfferClosed(closed)) => vec![
            merge(
                OFFERS,
                e.id,
                json!({
                    "status": "closed",
                    "closed_at": e.at,
                    "closed_index": e.index,
                    "applications_at_close": closed.applications,
                }),
            ),
            e.note_entry(OFFERS, e.id),
        ],
        Typed::Application(ApplicationEvent::ApplicationSubmitted(submitted)) => vec![set(
            OFFERS,
            &submitted.offer,
            &["applications", e.id],
            json!({"association": submitted.association, "index": e.index}),
        )],
        Typed::Award(AwardEvent::AwardGranted(granted)) => vec![
            merge(
                OFFERS,
                &granted.offer,
                json!({"committed_centimes": granted.offer_committed_centimes}),
            ),
            set(
                OFFERS,
                &granted.offer,
                &["awards", e.id],
                json!({
                    "id": e.id,
                    "application": granted.application,
                    "association": granted.association,
                    "amount_centimes": granted.amount_centimes,
                    "status": "active",
                    "index": e.index,
                    "stream": e.stream(),
                }),
            ),
        ],
        Typed::Award(AwardEvent::AwardRevoked(revoked)) => vec![
            merge(
                OFFERS,
                &revoked.offer,
                json!({"committed_centimes": revoked.offer_committed_centimes}),
            ),
            set(
                OFFERS,
                &revoked.offer,
                &["awards", e.id, "status"],
                json!("revoked"),
            ),
        ],
        _ => Vec::new(),
    }
}

/// An offer row as stored: `OfferPublished`'s data as amended, and what the projector
/// adds (see [`project`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferRow {
    id: String,
    institution: String,
    fiscal_year: i64,
    title: String,
    description: String,
    budget_centimes: i64,
    max_award_centimes: i64,
    eligibility: Eligibility,
    criteria: Vec<Criterion>,
    opens_at: String,
    closes_at: String,
    late_justification: Option<String>,
    published_late: bool,
    q1_deadline: String,
    published_in_q1: bool,
    published_at: String,
    status: String,
    committed_centimes: i64,
    /// Keyed by application id (each its association and index); only their number is
    /// public.
    applications: BTreeMap<String, IgnoredAny>,
    awards: BTreeMap<String, OfferAward>,
    amendments: BTreeMap<String, Amendment>,
    amended_at: Option<String>,
    closed_at: Option<String>,
    closed_index: Option<u64>,
    applications_at_close: Option<u64>,
    index: u64,
    stream: String,
    entries: BTreeMap<String, String>,
}

/// An offer as `/v1/offers` lists it and the portal shows it: everything of
/// `OfferPublished` as amended, its status, its budget with what is committed and what
/// remains, how many applications it drew, its awards and amendments in log order, its
/// entries and audit trail. The ids of its applications are left out: `/v1/offers/{id}`
/// lists the applications themselves ([`OfferWithApplications`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub institution: String,
    pub fiscal_year: i64,
    pub title: String,
    pub description: String,
    pub budget_centimes: i64,
    pub max_award_centimes: i64,
    pub eligibility: Eligibility,
    pub criteria: Vec<Criterion>,
    pub opens_at: String,
    pub closes_at: String,
    pub late_justification: Option<String>,
    pub published_late: bool,
    /// When the first quarter of `fiscal_year` ended (entry form).
    pub q1_deadline: String,
    pub published_in_q1: bool,
    pub published_at: String,
    /// `open` or `closed`.
    pub status: String,
    pub committed_centimes: i64,
    pub remaining_centimes: i64,
    pub applications_count: u64,
    pub awards: Vec<OfferAward>,
    pub amendments: Vec<Amendment>,
    pub amended_at: Option<String>,
    pub closed_at: Option<String>,
    pub closed_index: Option<u64>,
    pub applications_at_close: Option<u64>,
    pub index: u64,
    pub stream: String,
    pub entries: Vec<EntryLine>,
    pub audit_trail: String,
}

/// An award of the offer, with its status (`active` or `revoked`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferAward {
    pub id: String,
    pub application: String,
    pub association: String,
    pub amount_centimes: i64,
    pub status: String,
    pub index: u64,
    pub stream: String,
}

/// One `OfferAmended`: its reason and the fields it changed (`null`: unchanged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub reason: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub budget_centimes: Option<i64>,
    pub max_award_centimes: Option<i64>,
    pub closes_at: Option<String>,
    pub recorded_at: String,
    pub index: u64,
}

/// `/v1/offers/{id}`: the offer with every application to it, in log order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferWithApplications {
    #[serde(flatten)]
    pub offer: Offer,
    pub applications: Vec<Application>,
}

/// The public shape of an offer row.
///
/// # Errors
/// [`BadRow`] when the row does not read as an offer's.
pub fn present(row: &Value) -> Result<Offer, BadRow> {
    let row: OfferRow = rows::read(OFFERS, row)?;
    Ok(Offer {
        remaining_centimes: row.budget_centimes.saturating_sub(row.committed_centimes),
        applications_count: u64::try_from(row.applications.len()).unwrap_or(u64::MAX),
        awards: in_log_order(row.awards, |a| a.index),
        amendments: in_log_order(row.amendments, |a| a.index),
        entries: entry_lines(row.entries),
        audit_trail: rows::trail(&row.stream),
        id: row.id,
        institution: row.institution,
        fiscal_year: row.fiscal_year,
        title: row.title,
        description: row.description,
        budget_centimes: row.budget_centimes,
        max_award_centimes: row.max_award_centimes,
        eligibility: row.eligibility,
        criteria: row.criteria,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        late_justification: row.late_justification,
        published_late: row.published_late,
        q1_deadline: row.q1_deadline,
        published_in_q1: row.published_in_q1,
        published_at: row.published_at,
        status: row.status,
        committed_centimes: row.committed_centimes,
        amended_at: row.amended_at,
        closed_at: row.closed_at,
        closed_index: row.closed_index,
        applications_at_close: row.applications_at_close,
        index: row.index,
        stream: row.stream,
    })
}

impl Offer {
    /// Whether the offer has awarded anything: from then on the scores of its
    /// applications are public (before, they would expose an evaluation still under way).
    pub fn is_awarded(&self) -> bool {
        !self.awards.is_empty()
    }

    /// The status of its award `id` (`active` or `revoked`), if it lists it.
    pub fn award_status(&self, id: &str) -> Option<&str> {
        self.awards
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.status.as_str())
    }
}
