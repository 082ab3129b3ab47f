//! The `awards` view: an award as granted (amount, score, whether it was out of score
//! order and its published justification), what was disbursed of it, the reports on it
//! and its revocation (`/v1/awards`, the open-data exports).
//!
//! The disbursed total is never summed here: each `DisbursementRecorded` carries the
//! award's total after it (`disbursed_total_centimes`), and the row takes it.

use std::collections::BTreeMap;

use domain::support::AwardEvent;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::associations::ASSOCIATIONS;
use super::offers::OFFERS;
use super::{merge, set, Event, Typed};
use crate::rows::{self, entry_lines, in_log_order, BadRow, EntryLine};
use crate::ViewChange;

/// View of awards, by award id.
pub const AWARDS: &str = "awards";

/// The changes `event` makes to award rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    let Typed::Award(award) = &e.event else {
        return Vec::new();
    };
    let mut changes = match award {
        AwardEvent::AwardGranted(_) => {
            return vec![ViewChange::Put {
                view: AWARDS,
                id: e.id.to_owned(),
                row: e.data_with(json!({
                    "id": e.id,
                    "status": "active",
                    "granted_at": e.at,
                    "disbursed_centimes": 0,
                    "disbursements": {},
                    "reports": {},
                    "revocation": null,
                    "modified_at": e.at,
                    "index": e.index,
                    "stream": e.stream(),
                    "entries": e.first_entries(),
                })),
            }]
        }
        AwardEvent::DisbursementRecorded(disbursed) => vec![
            merge(
                AWARDS,
                e.id,
                json!({"disbursed_centimes": disbursed.disbursed_total_centimes}),
            ),
            set(
                AWARDS,
                e.id,
                &["disbursements", &e.key()],
                json!({
                    "amount_centimes": disbursed.amount_centimes,
                    "reference": disbursed.reference,
                    "disbursed_total_centimes": disbursed.disbursed_total_centimes,
                    "recorded_at": e.at,
                    "index": e.index,
                }),
            ),
        ],
        AwardEvent::ReportSubmitted(report) => vec![set(
            AWARDS,
            e.id,
            &["reports", &e.key()],
            json!({
                "kind": report.kind,
                "summary": report.summary,
                "document": report.document,
                "submitted_at": e.at,
                "index": e.index,
            }),
        )],
        AwardEvent::AwardRevoked(revoked) => vec![merge(
            AWARDS,
            e.id,
            json!({
                "status": "revoked",
                "revocation": {
                    "reason": revoked.reason,
                    "recover_centimes": revoked.recover_centimes,
                    "disbursed_centimes": revoked.disbursed_centimes,
                    "revoked_at": e.at,
                    "index": e.index,
                },
            }),
        )],
    };
    // Every later entry of the award's stream changes the award as published (the
    // 360Giving `dateModified`) and belongs to its trail.
    changes.push(merge(AWARDS, e.id, json!({"modified_at": e.at})));
    changes.push(e.note_entry(AWARDS, e.id));
    changes
}

/// An award row as stored: `AwardGranted`'s data and what the projector adds (see
/// [`project`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AwardRow {
    id: String,
    application: String,
    amount_centimes: i64,
    justification: Option<String>,
    offer: String,
    /// The institution of the award's offer as the grant recorded it; the public shape
    /// names the offer's, from the offer's row, as the listing joins it.
    #[serde(rename = "institution")]
    _institution: IgnoredAny,
    association: String,
    requested_centimes: i64,
    score_hundredths: i64,
    out_of_order: bool,
    offer_committed_centimes: i64,
    status: String,
    granted_at: String,
    disbursed_centimes: i64,
    /// Keyed by entry index.
    disbursements: BTreeMap<String, Disbursement>,
    /// Keyed by entry index.
    reports: BTreeMap<String, Report>,
    revocation: Option<Revocation>,
    modified_at: String,
    index: u64,
    stream: String,
    entries: BTreeMap<String, String>,
}

/// What an award's listing takes from its offer's row.
#[derive(Deserialize)]
struct OfferNames {
    title: Option<String>,
    institution: Option<String>,
    fiscal_year: Option<i64>,
}

/// What an award's listing takes from its association's row.
#[derive(Deserialize)]
struct AssociationNames {
    name: Option<String>,
    region: Option<String>,
}

/// An award as `/v1/awards` lists it and `/v1/awards/{id}` shows it: everything of
/// `AwardGranted`, what was disbursed of it, its reports, its revocation, its entries and
/// audit trail, and beside its ids the names a reader needs, from its offer's and its
/// association's rows (`null` when one is missing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Award {
    pub id: String,
    pub offer: String,
    pub application: String,
    pub association: String,
    pub amount_centimes: i64,
    pub requested_centimes: i64,
    pub score_hundredths: i64,
    /// Granted out of score order, with the published `justification`.
    pub out_of_order: bool,
    pub justification: Option<String>,
    /// The offer's committed total just after the grant.
    pub offer_committed_centimes: i64,
    /// `active` or `revoked`.
    pub status: String,
    pub granted_at: String,
    pub disbursed_centimes: i64,
    pub disbursements: Vec<Disbursement>,
    pub reports: Vec<Report>,
    pub revocation: Option<Revocation>,
    /// The instant of the award stream's latest entry.
    pub modified_at: String,
    pub index: u64,
    pub stream: String,
    pub entries: Vec<EntryLine>,
    pub audit_trail: String,
    /// The offer's title.
    pub offer_title: Option<String>,
    /// The offer's institution.
    pub institution: Option<String>,
    /// The offer's fiscal year.
    pub fiscal_year: Option<i64>,
    pub association_name: Option<String>,
    /// The association's region code.
    pub region: Option<String>,
}

/// One disbursement, with the award's disbursed total after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disbursement {
    pub amount_centimes: i64,
    pub reference: Option<String>,
    pub disbursed_total_centimes: i64,
    pub recorded_at: String,
    pub index: u64,
}

/// A report on the award: its kind, summary and document (SHA-256, hex).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub kind: String,
    pub summary: String,
    pub document: String,
    pub submitted_at: String,
    pub index: u64,
}

/// The award's revocation: why, what is to be recovered, what had been disbursed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    pub reason: String,
    pub recover_centimes: i64,
    pub disbursed_centimes: i64,
    pub revoked_at: String,
    pub index: u64,
}

/// The public shape of an award row, given its offer's and its association's rows.
///
/// # Errors
/// [`BadRow`] when one of the rows does not read as its view's.
pub fn present(
    row: &Value,
    offer: Option<&Value>,
    association: Option<&Value>,
) -> Result<Award, BadRow> {
    let row: AwardRow = rows::read(AWARDS, row)?;
    Award {
        id: row.id,
        offer: row.offer,
        application: row.application,
        association: row.association,
        amount_centimes: row.amount_centimes,
        requested_centimes: row.requested_centimes,
        score_hundredths: row.score_hundredths,
        out_of_order: row.out_of_order,
        justification: row.justification,
        offer_committed_centimes: row.offer_committed_centimes,
        status: row.status,
        granted_at: row.granted_at,
        disbursed_centimes: row.disbursed_centimes,
        disbursements: in_log_order(row.disbursements, |d| d.index),
        reports: in_log_order(row.reports, |r| r.index),
        revocation: row.revocation,
        modified_at: row.modified_at,
        index: row.index,
        audit_trail: rows::trail(&row.stream),
        stream: row.stream,
        entries: entry_lines(row.entries),
        offer_title: None,
        institution: None,
        fiscal_year: None,
        association_name: None,
        region: None,
    }
    .named(offer, association)
}

impl Award {
    /// The award with the names it shows taken from its offer's and its association's
    /// rows (`null` for a missing row), where those rows name them.
    ///
    /// # Errors
    /// [`BadRow`] when one of the rows does not read as its view's.
    pub fn named(self, offer: Option<&Value>, association: Option<&Value>) -> Result<Self, BadRow> {
        let offer: Option<OfferNames> = offer.map(|o| rows::read(OFFERS, o)).transpose()?;
        let association: Option<AssociationNames> = association
            .map(|a| rows::read(ASSOCIATIONS, a))
            .transpose()?;
        let (offer_title, institution, fiscal_year) = match offer {
            Some(o) => (o.title, o.institution, o.fiscal_year),
            None => (None, None, None),
        };
        let (association_name, region) = match association {
            Some(a) => (a.name, a.region),
            None => (None, None),
        };
        Ok(Self {
            offer_title,
            institution,
            fiscal_year,
            association_name,
            region,
            ..self
        })
    }
}
