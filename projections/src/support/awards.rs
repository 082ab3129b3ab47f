//! The `awards` view: an award as granted (amount, score, whether it was out of score
//! order and its published justification), what was disbursed of it, the reports on it
//! and its revocation (`/v1/awards`, the open-data exports).
//!
//! The disbursed total is never summed here: each `DisbursementRecorded` carries the
//! award's total after it (`disbursed_total_centimes`), and the row takes it.

use domain::names::{event, stream};
use serde_json::{json, Value};

use super::{by_index, merge, present_record, set, Event};
use crate::ViewChange;

/// View of awards, by award id.
pub const AWARDS: &str = "awards";

/// The changes `event` makes to award rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    if e.kind != stream::AWARD {
        return Vec::new();
    }
    let mut changes = match e.event_type {
        event::AWARD_GRANTED => {
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
        event::DISBURSEMENT_RECORDED => vec![
            merge(
                AWARDS,
                e.id,
                json!({"disbursed_centimes": e.field("disbursed_total_centimes")}),
            ),
            set(
                AWARDS,
                e.id,
                &["disbursements", &e.key()],
                json!({
                    "amount_centimes": e.field("amount_centimes"),
                    "reference": e.field("reference"),
                    "disbursed_total_centimes": e.field("disbursed_total_centimes"),
                    "recorded_at": e.at,
                    "index": e.index,
                }),
            ),
        ],
        event::REPORT_SUBMITTED => vec![set(
            AWARDS,
            e.id,
            &["reports", &e.key()],
            json!({
                "kind": e.field("kind"),
                "summary": e.field("summary"),
                "document": e.field("document"),
                "submitted_at": e.at,
                "index": e.index,
            }),
        )],
        event::AWARD_REVOKED => vec![merge(
            AWARDS,
            e.id,
            json!({
                "status": "revoked",
                "revocation": {
                    "reason": e.field("reason"),
                    "recover_centimes": e.field("recover_centimes"),
                    "disbursed_centimes": e.field("disbursed_centimes"),
                    "revoked_at": e.at,
                    "index": e.index,
                },
            }),
        )],
        _ => Vec::new(),
    };
    // Every later entry of the award's stream changes the award as published (the
    // 360Giving `dateModified`) and belongs to its trail.
    changes.push(merge(AWARDS, e.id, json!({"modified_at": e.at})));
    changes.push(e.note_entry(AWARDS, e.id));
    changes
}

/// The public shape of an award row: its disbursements and reports as lists in log
/// order, its entries and its audit trail.
pub fn present(row: &Value) -> Value {
    let mut out = present_record(row);
    for collection in ["disbursements", "reports"] {
        out.insert(
            collection.into(),
            Value::Array(by_index(row.get(collection))),
        );
    }
    Value::Object(out)
}

/// An award as the portal lists it: [`present`] with, beside its ids, the names a reader
/// needs, taken from its offer's and association's rows (`null` when one is missing).
pub fn present_with(row: &Value, offer: Option<&Value>, association: Option<&Value>) -> Value {
    let mut out = present(row);
    let member =
        |r: Option<&Value>, name: &str| r.and_then(|r| r.get(name)).cloned().unwrap_or(Value::Null);
    if let Value::Object(map) = &mut out {
        map.insert("offer_title".into(), member(offer, "title"));
        map.insert("institution".into(), member(offer, "institution"));
        map.insert("fiscal_year".into(), member(offer, "fiscal_year"));
        map.insert("association_name".into(), member(association, "name"));
        map.insert("region".into(), member(association, "region"));
    }
    out
}
