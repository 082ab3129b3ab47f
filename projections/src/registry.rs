//! Read models of the registry: the institutions and the actors (public officials' and
//! associations' keys), as the portal and clients list them.

use domain::names::stream;
use domain::registry::{ActorEvent, InstitutionEvent, InstitutionKind};
use ledger::Entry;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::rows::{self, BadRow};
use crate::{decode, Projector, Unreadable, ViewChange};

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

    fn project(&self, entry: &Entry) -> Result<Vec<ViewChange>, Unreadable> {
        let Some((kind, id)) = entry.stream.split_once('/') else {
            return Ok(Vec::new());
        };
        let at = entry.recorded_at.to_entry_string();
        Ok(match kind {
            stream::INSTITUTION => match decode::<InstitutionEvent>(entry)?.event {
                InstitutionEvent::InstitutionRegistered(e) => vec![ViewChange::Put {
                    view: INSTITUTIONS,
                    id: id.to_owned(),
                    row: json!({"id": id, "name": e.name, "kind": e.kind, "registered_at": at, "index": entry.index}),
                }],
            },
            stream::REGISTRY => match decode::<ActorEvent>(entry)?.event {
                ActorEvent::ActorRegistered(e) => vec![ViewChange::Put {
                    view: ACTORS,
                    id: id.to_owned(),
                    row: json!({
                        "id": id, "name": e.name, "public_key": e.public_key, "roles": e.roles,
                        "institution": e.institution, "association": e.association,
                        "status": "active", "registered_at": at, "index": entry.index,
                    }),
                }],
                ActorEvent::ActorRevoked(e) => {
                    let mut fields = Map::new();
                    fields.insert("status".into(), json!("revoked"));
                    fields.insert("revoked_at".into(), json!(at));
                    fields.insert("revoked_index".into(), json!(entry.index));
                    fields.insert("revocation_reason".into(), json!(e.reason));
                    vec![ViewChange::Merge {
                        view: ACTORS,
                        id: id.to_owned(),
                        fields,
                    }]
                }
            },
            _ => Vec::new(),
        })
    }
}

/// An institution as `/v1/institutions` shows it: its row as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Institution {
    pub id: String,
    pub name: String,
    pub kind: InstitutionKind,
    pub registered_at: String,
    pub index: u64,
}

/// An actor as `/v1/actors` shows it: its row as stored. The revocation's members are
/// absent while the actor is active.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    pub name: String,
    /// Its Ed25519 public key, as registered.
    pub public_key: String,
    pub roles: Vec<String>,
    pub institution: Option<String>,
    pub association: Option<String>,
    /// `active` or `revoked`.
    pub status: String,
    pub registered_at: String,
    pub index: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_index: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
}

/// The public shape of an institution row.
///
/// # Errors
/// [`BadRow`] when the row does not read as an institution's.
pub fn institution(row: &Value) -> Result<Institution, BadRow> {
    rows::read(INSTITUTIONS, row)
}

/// The public shape of an actor row.
///
/// # Errors
/// [`BadRow`] when the row does not read as an actor's.
pub fn actor(row: &Value) -> Result<Actor, BadRow> {
    rows::read(ACTORS, row)
}

#[cfg(test)]
mod tests {
    use ledger::hash::ZERO_HASH;
    use ledger::Timestamp;
    use serde_json::Value;

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
        for change in p.project(&reg).unwrap() {
            row = Some(change.apply(row));
        }
        let rev = entry(
            9,
            "registry/amina",
            "ActorRevoked",
            json!({"reason": "lost", "public_key": "k"}),
        );
        for change in p.project(&rev).unwrap() {
            assert_eq!((change.view(), change.id()), (ACTORS, "amina"));
            row = Some(change.apply(row));
        }
        let row = row.unwrap();
        let typed = actor(&row).unwrap();
        assert_eq!(typed.revoked_index, Some(9));
        assert_eq!(typed.institution.as_deref(), Some("MRP"));
        // What clients see is the row as stored: null `association`, revocation members.
        assert_eq!(serde_json::to_value(&typed).unwrap(), row);
        assert_eq!(row["status"], "revoked");
        assert_eq!(row["revoked_index"], 9);
        assert_eq!(row["name"], "Amina");
        assert_eq!(row["institution"], "MRP");
    }

    #[test]
    fn the_typed_rows_are_the_rows_as_stored() {
        let p = RegistryProjector;
        let project = |e: &Entry| {
            let mut row = None;
            for change in p.project(e).unwrap() {
                row = Some(change.apply(row));
            }
            row.unwrap()
        };
        let institution_row = project(&entry(
            1,
            "institution/MJCC",
            "InstitutionRegistered",
            json!({"name": "Ministère", "kind": "ministry"}),
        ));
        let typed = institution(&institution_row).unwrap();
        assert_eq!(typed.kind, InstitutionKind::Ministry);
        assert_eq!(serde_json::to_value(&typed).unwrap(), institution_row);

        // An active actor has no revocation members at all, and no institution is null.
        let actor_row = project(&entry(
            2,
            "registry/amal",
            "ActorRegistered",
            json!({"public_key": "k", "name": "Amal", "association": "A1", "roles": ["association"]}),
        ));
        let typed = actor(&actor_row).unwrap();
        assert_eq!(typed.revoked_at, None);
        let shown = serde_json::to_value(&typed).unwrap();
        assert_eq!(shown, actor_row);
        assert!(shown.get("revoked_at").is_none());
        assert_eq!(shown["institution"], Value::Null);

        let refused = actor(&json!({"status": "revoked"})).unwrap_err();
        assert_eq!(refused.view, ACTORS);
    }

    #[test]
    fn other_entries_change_nothing() {
        assert!(RegistryProjector
            .project(&entry(1, "offer/X", "OfferPublished", json!({})))
            .unwrap()
            .is_empty());
    }

    /// An entry is read through its event's upcaster: a version the domain does not know
    /// is reported, naming the entry, rather than read as if it were version 1.
    #[test]
    fn an_unknown_version_is_reported_not_misread() {
        let data = json!({"public_key": "k", "name": "Amina", "roles": ["publisher"]});
        let mut v2 = entry(4, "registry/amina", "ActorRegistered", data.clone());
        v2.version = "2".into();
        let refused = RegistryProjector.project(&v2).unwrap_err();
        assert_eq!(refused.index, 4);
        assert!(
            refused.reason.contains("unknown version \"2\""),
            "{refused}"
        );

        // The same data at version 1 projects; data that does not fit the event does not.
        assert!(RegistryProjector
            .project(&entry(4, "registry/amina", "ActorRegistered", data))
            .is_ok());
        let misfit = entry(5, "registry/amina", "ActorRegistered", json!({"name": 7}));
        assert_eq!(RegistryProjector.project(&misfit).unwrap_err().index, 5);
    }
}
