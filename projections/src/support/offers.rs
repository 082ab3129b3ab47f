//! The `offers` view: a call for proposals as published and amended, its status, its
//! budget with what is committed and what remains, and how many applications it drew
//! (`/v1/offers`, `/v1/offers/{id}`).
//!
//! The committed amount is never summed here: `AwardGranted` and `AwardRevoked` carry the
//! offer's committed total after them (`offer_committed_centimes`), and the row takes it.

use domain::names::{event, stream};
use serde_json::{json, Map, Value};

use super::{by_index, merge, present_record, set, Event};
use crate::ViewChange;

/// View of offers, by offer id.
pub const OFFERS: &str = "offers";

/// The fields of `OfferAmended` that change the offer; `null` means "unchanged".
const AMENDABLE: [&str; 5] = [
    "title",
    "description",
    "budget_centimes",
    "max_award_centimes",
    "closes_at",
];

/// The changes `event` makes to offer rows.
pub fn project(e: &Event) -> Vec<ViewChange> {
    match (e.kind, e.event_type) {
        (stream::OFFER, event::OFFER_PUBLISHED) => {
            let late = e.data.get("published_late").and_then(Value::as_bool);
            vec![ViewChange::Put {
                view: OFFERS,
                id: e.id.to_owned(),
                row: e.data_with(json!({
                    "id": e.id,
                    // Unknown lateness (a malformed entry) counts as not in Q1: the
                    // indicator must never be flattered by missing data.
                    "published_in_q1": late == Some(false),
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
            }]
        }
        (stream::OFFER, event::OFFER_AMENDED) => {
            let mut fields = Map::new();
            for name in AMENDABLE {
                match e.data.get(name) {
                    None | Some(Value::Null) => {}
                    Some(value) => {
                        fields.insert(name.into(), value.clone());
                    }
                }
            }
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
        (stream::OFFER, event::OFFER_CLOSED) => vec![
            merge(
                OFFERS,
                e.id,
                json!({
                    "status": "closed",
                    "closed_at": e.at,
                    "closed_index": e.index,
                    "applications_at_close": e.field("applications"),
                }),
            ),
            e.note_entry(OFFERS, e.id),
        ],
        (stream::OFFER, _) => vec![e.note_entry(OFFERS, e.id)],
        (stream::APPLICATION, event::APPLICATION_SUBMITTED) => vec![set(
            OFFERS,
            e.str("offer"),
            &["applications", e.id],
            json!({"association": e.field("association"), "index": e.index}),
        )],
        (stream::AWARD, event::AWARD_GRANTED) => {
            let offer = e.str("offer");
            vec![
                merge(
                    OFFERS,
                    offer,
                    json!({"committed_centimes": e.field("offer_committed_centimes")}),
                ),
                set(
                    OFFERS,
                    offer,
                    &["awards", e.id],
                    json!({
                        "id": e.id,
                        "application": e.field("application"),
                        "association": e.field("association"),
                        "amount_centimes": e.field("amount_centimes"),
                        "status": "active",
                        "index": e.index,
                        "stream": e.stream(),
                    }),
                ),
            ]
        }
        (stream::AWARD, event::AWARD_REVOKED) => {
            let offer = e.str("offer");
            vec![
                merge(
                    OFFERS,
                    offer,
                    json!({"committed_centimes": e.field("offer_committed_centimes")}),
                ),
                set(OFFERS, offer, &["awards", e.id, "status"], json!("revoked")),
            ]
        }
        _ => Vec::new(),
    }
}

/// The public shape of an offer row: what remains of its budget, how many applications
/// it has, its awards and amendments as lists in log order, its entries and audit trail.
/// The ids of its applications are left out: `/v1/offers/{id}` lists the applications
/// themselves.
pub fn present(row: &Value) -> Value {
    let mut out = present_record(row);
    let budget = row
        .get("budget_centimes")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let committed = row
        .get("committed_centimes")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    out.insert(
        "remaining_centimes".into(),
        json!(budget.saturating_sub(committed)),
    );
    out.insert(
        "applications_count".into(),
        json!(row
            .get("applications")
            .and_then(Value::as_object)
            .map_or(0, |m| m.len())),
    );
    out.remove("applications");
    for collection in ["awards", "amendments"] {
        out.insert(
            collection.into(),
            Value::Array(by_index(row.get(collection))),
        );
    }
    Value::Object(out)
}

/// Whether the offer has awarded anything: from then on the scores of its applications
/// are public (before, they would expose an evaluation still under way).
pub fn is_awarded(row: &Value) -> bool {
    row.get("awards")
        .and_then(Value::as_object)
        .is_some_and(|m| !m.is_empty())
}
