//! Read models of the registry: the institutions and the actors (public officials' and
//! associations' keys), as the portal and clients list them.

use ledger::Entry;
use serde_json::{json, Map, Value};

use crate::{Projector, ViewChange};

/// Projects `InstitutionRegistered`, `ActorRegistered` and `ActorRevoked`.
pub struct RegistryProjector;

/// View of institutions, by institution id.
pub const INSTITUTIONS: &str = "institutions";
/// View of actors, by actor id (the id of their `registry/<id>` stream).
pub const ACTORS: &str = "actors";

impl Projector for RegistryProjector {
    fn name(&self) -> &'static str {
        "registry.v1"
    }

    fn project(&self, entry: &Entry) -> Vec<ViewChange> {
        let Some((kind, id)) = entry.stream.split_once('/') else {
            return Vec::new();
        };
        let d = &entry.data;
        let at = entry.recorded_at.to_entry_string();
        match (kind, entry.event_type.as_str()) {
            ("institution", "InstitutionRegistered") => vec![ViewChange::Put {
                view: INSTITUTIONS,
                id: id.to_owned(),
                row: json!({"id": id, "name": d["name"], "kind": d["kind"], "registered_at": at, "index": entry.index}),
            }],
            ("registry", "ActorRegistered") => vec![ViewChange::Put {
                view: ACTORS,
                id: id.to_owned(),
                row: json!({
                    "id": id, "name": d["name"], "public_key": d["public_key"], "roles": d["roles"],
                    "institution": d.get("institution"), "association": d.get("association"),
                    "status": "active", "registered_at": at, "index": entry.index,
                }),
            }],
            ("registry", "ActorRevoked") => {
                let mut fields = Map::new();
                fields.insert("status".into(), json!("revoked"));
                fields.insert("revoked_at".into(), json!(at));
                fields.insert("revoked_index".into(), json!(entry.index));
                fields.insert(
                    "revocation_reason".into(),
                    d.get("reason").cloned().unwrap_or(Value::Null),
                );
                vec![ViewChange::Merge {
                    view: ACTORS,
                    id: id.to_owned(),
                    fields,
                }]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use ledger::hash::ZERO_HASH;
    use ledger::Timestamp;

    use super::*;

    fn entry(index: u64, stream: &str, event_type: &str, data: Value) -> Entry {
        Entry {
            index,
            stream: stream.into(),
            seq: 1,
            event_type: event_type.into(),
            version: "1".into(),
            recorded_at: Timestamp::from_millis(1_767_225_600_000),
            data,
            auth: None,
            auth_at: None,
            prev: ZERO_HASH,
        }
    }

    #[test]
    fn registration_then_revocation_shows_a_revoked_actor() {
        let p = RegistryProjector;
        let reg = entry(
            3,
            "registry/amina",
            "ActorRegistered",
            json!({"public_key": "k", "name": "Amina", "institution": "MRP", "roles": ["publisher"]}),
        );
        let mut row = None;
        for change in p.project(&reg) {
            row = Some(change.apply(row));
        }
        let rev = entry(
            9,
            "registry/amina",
            "ActorRevoked",
            json!({"reason": "lost", "public_key": "k"}),
        );
        for change in p.project(&rev) {
            assert_eq!((change.view(), change.id()), (ACTORS, "amina"));
            row = Some(change.apply(row));
        }
        let row = row.unwrap();
        assert_eq!(row["status"], "revoked");
        assert_eq!(row["revoked_index"], 9);
        assert_eq!(row["name"], "Amina");
        assert_eq!(row["institution"], "MRP");
    }

    #[test]
    fn other_entries_change_nothing() {
        assert!(RegistryProjector
            .project(&entry(1, "offer/X", "OfferPublished", json!({})))
            .is_empty());
    }
}
