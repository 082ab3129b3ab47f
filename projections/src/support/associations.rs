//! The `associations` view: an association's public identity and its profile, that is
//! every application, award, disbursement and report of it, each with the index of the
//! entry behind it and its stream (`/v1/associations/{id}`).

use domain::names::{event, stream};
use serde_json::{json, Value};

use super::{by_index, merge, present_record, set, vocabulary, Event};
use crate::ViewChange;

/// View of associations, by association id.
pub const ASSOCIATIONS: &str = "associations";

/// The changes `event` makes to association rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::ASSOCIATION, event::ASSOCIATION_REGISTERED) => vec![ViewChange::Put {
            view: ASSOCIATIONS,
            id: e.id.to_owned(),
            row: e.data_with(json!({
                "id": e.id,
                "region_name": vocabulary::region_name(e.str("region")),
                "registered_at": e.at,
                "index": e.index,
                "stream": e.stream(),
                "entries": e.first_entries(),
                "applications": {},
                "awards": {},
                "disbursements": {},
                "reports": {},
            })),
        }],
        (stream::APPLICATION, event::APPLICATION_SUBMITTED) => vec![set(
            ASSOCIATIONS,
            e.str("association"),
            &["applications", e.id],
            json!({
                "id": e.id,
                "offer": e.field("offer"),
                "title": e.field("title"),
                "requested_centimes": e.field("requested_centimes"),
                "submitted_at": e.at,
                "award": null,
                "index": e.index,
                "stream": e.stream(),
            }),
        )],
        (stream::AWARD, event::AWARD_GRANTED) => {
            let association = e.str("association");
            vec![
                set(
                    ASSOCIATIONS,
                    association,
                    &["awards", e.id],
                    json!({
                        "id": e.id,
                        "offer": e.field("offer"),
                        "application": e.field("application"),
                        "amount_centimes": e.field("amount_centimes"),
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
                    association,
                    &["applications", e.str("application"), "award"],
                    json!(e.id),
                ),
            ]
        }
        (stream::AWARD, event::DISBURSEMENT_RECORDED) => {
            let association = e.str("association");
            vec![
                set(
                    ASSOCIATIONS,
                    association,
                    &["awards", e.id, "disbursed_centimes"],
                    e.field("disbursed_total_centimes"),
                ),
                set(
                    ASSOCIATIONS,
                    association,
                    &["disbursements", &e.key()],
                    json!({
                        "award": e.id,
                        "offer": e.field("offer"),
                        "amount_centimes": e.field("amount_centimes"),
                        "reference": e.field("reference"),
                        "recorded_at": e.at,
                        "index": e.index,
                        "stream": e.stream(),
                    }),
                ),
            ]
        }
        (stream::AWARD, event::REPORT_SUBMITTED) => vec![set(
            ASSOCIATIONS,
            e.str("association"),
            &["reports", &e.key()],
            json!({
                "award": e.id,
                "offer": e.field("offer"),
                "kind": e.field("kind"),
                "summary": e.field("summary"),
                "document": e.field("document"),
                "submitted_at": e.at,
                "index": e.index,
                "stream": e.stream(),
            }),
        )],
        (stream::AWARD, event::AWARD_REVOKED) => {
            let association = e.str("association");
            vec![
                set(
                    ASSOCIATIONS,
                    association,
                    &["awards", e.id, "status"],
                    json!("revoked"),
                ),
                set(
                    ASSOCIATIONS,
                    association,
                    &["awards", e.id, "revoked_at"],
                    json!(e.at),
                ),
            ]
        }
        // Its own stream's later entries (none today) would still reach the trail.
        (stream::ASSOCIATION, _) => vec![
            e.note_entry(ASSOCIATIONS, e.id),
            merge(ASSOCIATIONS, e.id, json!({"modified_at": e.at})),
        ],
        _ => Vec::new(),
    }
}

/// The public shape of an association row: its collections as lists in log order,
/// its entries as a list and the path of its audit trail.
pub fn present(row: &Value) -> Value {
    let mut out = present_record(row);
    for collection in ["applications", "awards", "disbursements", "reports"] {
        out.insert(
            collection.into(),
            Value::Array(by_index(row.get(collection))),
        );
    }
    Value::Object(out)
}

/// The short form of an association in a list: its identity without the profile's
/// collections, with how many applications and awards it has.
pub fn summary(row: &Value) -> Value {
    let mut out = present_record(row);
    let count = |name: &str| {
        row.get(name)
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())
    };
    out.insert("applications_count".into(), json!(count("applications")));
    out.insert("awards_count".into(), json!(count("awards")));
    for collection in [
        "applications",
        "awards",
        "disbursements",
        "reports",
        "entries",
    ] {
        out.remove(collection);
    }
    Value::Object(out)
}
