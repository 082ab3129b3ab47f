//! The `associations` view: an association's public identity and its profile, that is
//! every application, award, disbursement and report of it, each with the index of the
//! entry behind it and its stream (`/v1/associations/{id}`).

use std::collections::BTreeMap;

use domain::support::{ApplicationEvent, AssociationEvent, AwardEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{set, vocabulary, Event, Typed};
use crate::rows::{self, entry_lines, in_log_order, BadRow, EntryLine};
use crate::ViewChange;

/// View of associations, by association id.
pub const ASSOCIATIONS: &str = "associations";

/// The changes `event` makes to association rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match &e.event {
        // The association's own stream has one event; another would have to say here
        // what it changes.
        Typed::Association(AssociationEvent::AssociationRegistered(registered)) => {
            vec![ViewChange::Put {
                view: ASSOCIATIONS,
                id: e.id.to_owned(),
                row: e.data_with(json!({
                    "id": e.id,
                    "region_name": vocabulary::region_name(&registered.region),
                    "registered_at": e.at,
                    "index": e.index,
                    "stream": e.stream(),
                    "entries": e.first_entries(),
                    "applications": {},
                    "awards": {},
                    "disbursements": {},
                    "reports": {},
                })),
            }]
        }
        Typed::Application(ApplicationEvent::ApplicationSubmitted(submitted)) => vec![set(
            ASSOCIATIONS,
            &submitted.association,
            &["applications", e.id],
            json!({
                "id": e.id,
                "offer": submitted.offer,
                "title": submitted.title,
                "requested_centimes": submitted.requested_centimes,
                "submitted_at": e.at,
                "award": null,
                "index": e.index,
                "stream": e.stream(),
            }),
        )],
        Typed::Award(AwardEvent::AwardGranted(granted)) => vec![
            set(
                ASSOCIATIONS,
                &granted.association,
                &["awards", e.id],
                json!({
                    "id": e.id,
                    "offer": granted.offer,
                    "application": granted.application,
                    "amount_centimes": granted.amount_centimes,
                    "disbursed_centimes": 0,
                    "status": "active",
                    "granted_at": e.at,
                    "revoked_at": null,
                    "index": e.index,
                    "stream": e.stream(),
                }),
            ),
            set(
                ASSOCIATIONS,
                &granted.association,
                &["applications", &granted.application, "award"],
                json!(e.id),
            ),
        ],
        Typed::Award(AwardEvent::DisbursementRecorded(disbursed)) => vec![
            set(
                ASSOCIATIONS,
                &disbursed.association,
                &["awards", e.id, "disbursed_centimes"],
                json!(disbursed.disbursed_total_centimes),
            ),
            set(
                ASSOCIATIONS,
                &disbursed.association,
                &["disbursements", &e.key()],
                json!({
                    "award": e.id,
                    "offer": disbursed.offer,
                    "amount_centimes": disbursed.amount_centimes,
                    "reference": disbursed.reference,
                    "recorded_at": e.at,
                    "index": e.index,
                    "stream": e.stream(),
                }),
            ),
        ],
        Typed::Award(AwardEvent::ReportSubmitted(report)) => vec![set(
            ASSOCIATIONS,
            &report.association,
            &["reports", &e.key()],
            json!({
                "award": e.id,
                "offer": report.offer,
                "kind": report.kind,
                "summary": report.summary,
                "document": report.document,
                "submitted_at": e.at,
                "index": e.index,
                "stream": e.stream(),
            }),
        )],
        Typed::Award(AwardEvent::AwardRevoked(revoked)) => vec![
            set(
                ASSOCIATIONS,
                &revoked.association,
                &["awards", e.id, "status"],
                json!("revoked"),
            ),
            set(
                ASSOCIATIONS,
                &revoked.association,
                &["awards", e.id, "revoked_at"],
                json!(e.at),
            ),
        ],
        _ => Vec::new(),
    }
}

/// An association row as stored: `AssociationRegistered`'s data and what the projector
/// adds (see [`project`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssociationRow {
    id: String,
    name: String,
    legal_form: String,
    region: String,
    region_name: Option<String>,
    domains: Vec<String>,
    registered_on: String,
    registered_at: String,
    index: u64,
    stream: String,
    entries: BTreeMap<String, String>,
    /// Keyed by application id.
    applications: BTreeMap<String, AssociationApplication>,
    /// Keyed by award id.
    awards: BTreeMap<String, AssociationAward>,
    /// Keyed by entry index.
    disbursements: BTreeMap<String, AssociationDisbursement>,
    /// Keyed by entry index.
    reports: BTreeMap<String, AssociationReport>,
}

/// An association's public identity, as lists and profiles share it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub name: String,
    pub legal_form: String,
    /// ISO 3166-2 code of its region.
    pub region: String,
    /// The region's name, `null` for a code outside the list.
    pub region_name: Option<String>,
    pub domains: Vec<String>,
    /// The day it was registered (`YYYY-MM-DD`), as it declared it.
    pub registered_on: String,
    /// When the log recorded its registration.
    pub registered_at: String,
    pub index: u64,
    pub stream: String,
    pub audit_trail: String,
}

/// An association's profile (`/v1/associations/{id}`): its identity, its entries, and
/// every application, award, disbursement and report of it, in log order, each with the
/// index of the entry behind it and its stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Association {
    #[serde(flatten)]
    pub identity: Identity,
    pub entries: Vec<EntryLine>,
    pub applications: Vec<AssociationApplication>,
    pub awards: Vec<AssociationAward>,
    pub disbursements: Vec<AssociationDisbursement>,
    pub reports: Vec<AssociationReport>,
}

/// An association in a list (`/v1/associations`): its identity with how many
/// applications and awards it has.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssociationSummary {
    #[serde(flatten)]
    pub identity: Identity,
    pub applications_count: u64,
    pub awards_count: u64,
}

/// The profile with the training sessions the association attended, in log order. They
/// come from another view (`trainings`), whose shape `T` is its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssociationProfile<T> {
    #[serde(flatten)]
    pub association: Association,
    pub trainings: Vec<T>,
}

/// An application of the association.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationApplication {
    pub id: String,
    pub offer: String,
    pub title: String,
    pub requested_centimes: i64,
    pub submitted_at: String,
    /// The award it led to, if any.
    pub award: Option<String>,
    pub index: u64,
    pub stream: String,
}

/// An award to the association, with what was disbursed of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationAward {
    pub id: String,
    pub offer: String,
    pub application: String,
    pub amount_centimes: i64,
    pub disbursed_centimes: i64,
    /// `active` or `revoked`.
    pub status: String,
    pub granted_at: String,
    pub revoked_at: Option<String>,
    pub index: u64,
    pub stream: String,
}

/// A disbursement to the association.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationDisbursement {
    pub award: String,
    pub offer: String,
    pub amount_centimes: i64,
    pub reference: Option<String>,
    pub recorded_at: String,
    pub index: u64,
    pub stream: String,
}

/// A report the association submitted on one of its awards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssociationReport {
    pub award: String,
    pub offer: String,
    pub kind: String,
    pub summary: String,
    /// SHA-256 (hex) of the report's document.
    pub document: String,
    pub submitted_at: String,
    pub index: u64,
    pub stream: String,
}

impl AssociationRow {
    fn identity(&self) -> Identity {
        Identity {
            id: self.id.clone(),
            name: self.name.clone(),
            legal_form: self.legal_form.clone(),
            region: self.region.clone(),
            region_name: self.region_name.clone(),
            domains: self.domains.clone(),
            registered_on: self.registered_on.clone(),
            registered_at: self.registered_at.clone(),
            index: self.index,
            stream: self.stream.clone(),
            audit_trail: rows::trail(&self.stream),
        }
    }
}

/// The public shape of an association row: its profile.
///
/// # Errors
/// [`BadRow`] when the row does not read as an association's.
pub fn present(row: &Value) -> Result<Association, BadRow> {
    let row: AssociationRow = rows::read(ASSOCIATIONS, row)?;
    Ok(Association {
        identity: row.identity(),
        entries: entry_lines(row.entries),
        applications: in_log_order(row.applications, |a| a.index),
        awards: in_log_order(row.awards, |a| a.index),
        disbursements: in_log_order(row.disbursements, |d| d.index),
        reports: in_log_order(row.reports, |r| r.index),
    })
}

/// The short form of an association in a list.
///
/// # Errors
/// [`BadRow`] when the row does not read as an association's.
pub fn summary(row: &Value) -> Result<AssociationSummary, BadRow> {
    let row: AssociationRow = rows::read(ASSOCIATIONS, row)?;
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(AssociationSummary {
        identity: row.identity(),
        applications_count: count(row.applications.len()),
        awards_count: count(row.awards.len()),
    })
}
