//! The `registry/<actor id>` aggregate: one key of an official or an association, its
//! roles, and its revocation.
//!
//! Rules: a stream registers one actor once; a key is registered once, ever (checked here
//! against the registry and again under the append lock); officials belong to a
//! registered institution and never hold the `association` role; an association's key
//! holds exactly that role; a revoked key stays revoked.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use ed25519_dalek::VerifyingKey;
use ledger::roles::Role;
use serde::{Deserialize, Serialize};

use super::institution::check_name;
use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services};

/// Body of `RegisterActor`, as `docs/spec/ledger-format.md` (section 4) fixes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterActor {
    pub public_key: String,
    pub name: String,
    #[serde(default)]
    pub institution: Option<String>,
    #[serde(default)]
    pub association: Option<String>,
    pub roles: Vec<String>,
}

/// Body of `RevokeActor`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeActor {
    pub reason: String,
}

/// The genesis administrator, recorded by the server itself on first start (no statement).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterGenesis {
    pub public_key: String,
    pub name: String,
    pub origin: String,
    pub log_key: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActorCommand {
    Register(RegisterActor),
    Revoke(RevokeActor),
    RegisterGenesis(RegisterGenesis),
}

/// `data` of `ActorRegistered`: the body, plus `origin` and `log_key` on the genesis entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorRegistered {
    pub public_key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<String>,
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_key: Option<String>,
}

/// `data` of `ActorRevoked`: the body plus the revoked key, added by the ledger so that a
/// reader of one entry knows which key stopped signing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorRevoked {
    pub reason: String,
    pub public_key: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ActorEvent {
    ActorRegistered(ActorRegistered),
    ActorRevoked(ActorRevoked),
}

impl DomainEvent for ActorEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ActorRegistered(_) => event::ACTOR_REGISTERED.into(),
            Self::ActorRevoked(_) => event::ACTOR_REVOKED.into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for ActorEvent {
    const STREAM_TYPE: &'static str = stream::REGISTRY;
    const TYPES: &'static [&'static str] = &[event::ACTOR_REGISTERED, event::ACTOR_REVOKED];
}

/// The longest revocation reason, in characters.
pub const MAX_REASON_CHARS: usize = 2000;

#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
enum Status {
    #[default]
    Unregistered,
    Active,
    Revoked,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    status: Status,
    public_key: String,
}

impl Aggregate for Actor {
    const TYPE: &'static str = "registry";
    type Command = ActorCommand;
    type Event = ActorEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            ActorCommand::Register(body) => self.register(body, services)?,
            ActorCommand::Revoke(body) => self.revoke(body)?,
            ActorCommand::RegisterGenesis(genesis) => self.register_genesis(genesis)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            ActorEvent::ActorRegistered(e) => {
                self.status = Status::Active;
                self.public_key = e.public_key;
            }
            ActorEvent::ActorRevoked(_) => self.status = Status::Revoked,
        }
    }
}

impl Actor {
    fn register(
        &self,
        body: RegisterActor,
        services: &Services,
    ) -> Result<ActorEvent, DomainError> {
        self.check_unregistered()?;
        check_name(&body.name)?;
        check_public_key(&body.public_key)?;
        let roles = parse_roles(&body.roles)?;
        match (&body.institution, &body.association) {
            (Some(institution), None) => {
                if roles.contains(&Role::Association) {
                    return Err(DomainError::rule(
                        "invalid_roles",
                        "an official's key cannot hold the association role",
                    ));
                }
                if !services.registry.institution_exists(institution) {
                    return Err(DomainError::rule(
                        "unknown_institution",
                        format!("institution {institution:?} is not registered"),
                    ));
                }
            }
            (None, Some(association)) => {
                if roles != [Role::Association] {
                    return Err(DomainError::rule(
                        "invalid_roles",
                        "an association's key holds exactly the role association",
                    ));
                }
                if !services.registry.association_exists(association) {
                    return Err(DomainError::rule(
                        "unknown_association",
                        format!("association {association:?} is not registered"),
                    ));
                }
            }
            _ => {
                return Err(DomainError::invalid(
                    "invalid_actor",
                    "an actor belongs to exactly one of institution or association",
                ))
            }
        }
        if services.registry.key_registered(&body.public_key) {
            return Err(DomainError::state(
                "key_already_registered",
                "this public key was registered before; a key is registered once, ever",
            ));
        }
        Ok(ActorEvent::ActorRegistered(ActorRegistered {
            public_key: body.public_key,
            name: body.name,
            institution: body.institution,
            association: body.association,
            roles: body.roles,
            origin: None,
            log_key: None,
        }))
    }

    fn register_genesis(&self, genesis: RegisterGenesis) -> Result<ActorEvent, DomainError> {
        self.check_unregistered()?;
        check_public_key(&genesis.public_key)?;
        Ok(ActorEvent::ActorRegistered(ActorRegistered {
            public_key: genesis.public_key,
            name: genesis.name,
            institution: None,
            association: None,
            roles: vec![Role::Admin.as_str().to_owned()],
            origin: Some(genesis.origin),
            log_key: Some(genesis.log_key),
        }))
    }

    fn revoke(&self, body: RevokeActor) -> Result<ActorEvent, DomainError> {
        match self.status {
            Status::Unregistered => {
                return Err(DomainError::state(
                    "not_registered",
                    "no actor is registered on this stream",
                ))
            }
            Status::Revoked => {
                return Err(DomainError::state(
                    "already_revoked",
                    "this actor is already revoked",
                ))
            }
            Status::Active => {}
        }
        if body.reason.trim().is_empty() || body.reason.chars().count() > MAX_REASON_CHARS {
            return Err(DomainError::invalid(
                "invalid_reason",
                format!("a revocation gives a reason of 1 to {MAX_REASON_CHARS} characters"),
            ));
        }
        Ok(ActorEvent::ActorRevoked(ActorRevoked {
            reason: body.reason,
            public_key: self.public_key.clone(),
        }))
    }

    fn check_unregistered(&self) -> Result<(), DomainError> {
        if self.status == Status::Unregistered {
            Ok(())
        } else {
            Err(DomainError::state(
                "already_registered",
                "an actor is already registered on this stream",
            ))
        }
    }
}

/// A public key is the base64 of a 32-byte Ed25519 point that is not of small order.
fn check_public_key(text: &str) -> Result<(), DomainError> {
    let invalid = || {
        DomainError::invalid(
            "invalid_public_key",
            "public_key must be the base64 of a 32-byte Ed25519 key",
        )
    };
    let bytes: [u8; 32] = BASE64
        .decode(text)
        .map_err(|_| invalid())?
        .try_into()
        .map_err(|_| invalid())?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| invalid())?;
    // A weak (small-order) key would let anyone forge signatures that strict checks reject.
    if key.is_weak() || BASE64.encode(bytes) != text {
        return Err(invalid());
    }
    Ok(())
}

fn parse_roles(names: &[String]) -> Result<Vec<Role>, DomainError> {
    let mut roles = Vec::with_capacity(names.len());
    for name in names {
        let role = Role::parse(name).ok_or_else(|| {
            DomainError::invalid("invalid_roles", format!("unknown role {name:?}"))
        })?;
        if roles.contains(&role) {
            return Err(DomainError::invalid(
                "invalid_roles",
                format!("role {name:?} is listed twice"),
            ));
        }
        roles.push(role);
    }
    if roles.is_empty() {
        return Err(DomainError::invalid(
            "invalid_roles",
            "an actor holds at least one role",
        ));
    }
    Ok(roles)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use cqrs_es::test::TestFramework;
    use ledger::Timestamp;

    use super::*;
    use crate::{Clock, RegistryFacts};

    /// A registry with one institution (`MRP`), one association (`ASSO-1`) and one key.
    pub(crate) struct FixedRegistry {
        pub keys: HashSet<String>,
    }

    impl RegistryFacts for FixedRegistry {
        fn institution_exists(&self, id: &str) -> bool {
            id == "MRP"
        }
        fn association_exists(&self, id: &str) -> bool {
            id == "ASSO-1"
        }
        fn key_registered(&self, public_key: &str) -> bool {
            self.keys.contains(public_key)
        }
        // The registry's aggregates read none of the support lifecycle's facts.
        fn read_world(&self, read: &mut dyn FnMut(&crate::world::World)) {
            read(&crate::world::World::default());
        }
    }

    struct FixedClock;

    impl Clock for FixedClock {
        fn now(&self) -> Timestamp {
            Timestamp::from_millis(1_767_225_600_000)
        }
    }

    pub(crate) fn services() -> Services {
        Services {
            clock: Arc::new(FixedClock),
            registry: Arc::new(FixedRegistry {
                keys: HashSet::from([key(9)]),
            }),
        }
    }

    /// The base64 public key of a deterministic test key.
    pub(crate) fn key(seed: u8) -> String {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
        BASE64.encode(signing.verifying_key().as_bytes())
    }

    fn official(roles: &[&str]) -> RegisterActor {
        RegisterActor {
            public_key: key(1),
            name: "Amina Official".into(),
            institution: Some("MRP".into()),
            association: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn registered(body: &RegisterActor) -> ActorEvent {
        ActorEvent::ActorRegistered(ActorRegistered {
            public_key: body.public_key.clone(),
            name: body.name.clone(),
            institution: body.institution.clone(),
            association: body.association.clone(),
            roles: body.roles.clone(),
            origin: None,
            log_key: None,
        })
    }

    fn refusal(given: Vec<ActorEvent>, when: ActorCommand) -> DomainError {
        TestFramework::<Actor>::with(services())
            .given(given)
            .when(when)
            .inspect_result()
            .unwrap_err()
    }

    #[test]
    fn an_official_of_a_registered_institution_is_registered() {
        let body = official(&["publisher", "evaluator"]);
        TestFramework::<Actor>::with(services())
            .given_no_previous_events()
            .when(ActorCommand::Register(body.clone()))
            .then_expect_events(vec![registered(&body)]);
    }

    #[test]
    fn an_associations_key_holds_exactly_the_association_role() {
        let mut body = official(&["association"]);
        body.institution = None;
        body.association = Some("ASSO-1".into());
        TestFramework::<Actor>::with(services())
            .given_no_previous_events()
            .when(ActorCommand::Register(body.clone()))
            .then_expect_events(vec![registered(&body)]);
        body.roles.push("publisher".into());
        assert_eq!(
            refusal(vec![], ActorCommand::Register(body)).code,
            "invalid_roles"
        );
    }

    #[test]
    fn a_stream_registers_one_actor_once() {
        let body = official(&["publisher"]);
        let err = refusal(
            vec![registered(&body)],
            ActorCommand::Register(official(&["drafter"])),
        );
        assert_eq!(err.code, "already_registered");
    }

    #[test]
    fn a_key_is_registered_once_ever() {
        let mut body = official(&["publisher"]);
        body.public_key = key(9);
        assert_eq!(
            refusal(vec![], ActorCommand::Register(body)).code,
            "key_already_registered"
        );
    }

    #[test]
    fn an_official_needs_a_registered_institution_and_no_association_role() {
        let mut body = official(&["publisher"]);
        body.institution = Some("NOPE".into());
        assert_eq!(
            refusal(vec![], ActorCommand::Register(body)).code,
            "unknown_institution"
        );
        assert_eq!(
            refusal(vec![], ActorCommand::Register(official(&["association"]))).code,
            "invalid_roles"
        );
        let mut both = official(&["publisher"]);
        both.association = Some("ASSO-1".into());
        assert_eq!(
            refusal(vec![], ActorCommand::Register(both)).code,
            "invalid_actor"
        );
    }

    #[test]
    fn roles_and_keys_are_checked() {
        for roles in [vec![], vec!["publisher", "publisher"], vec!["king"]] {
            assert_eq!(
                refusal(vec![], ActorCommand::Register(official(&roles))).code,
                "invalid_roles"
            );
        }
        for bad_key in ["", "AAAA", "not base64!", &BASE64.encode([0u8; 32])] {
            let mut body = official(&["publisher"]);
            body.public_key = bad_key.to_string();
            assert_eq!(
                refusal(vec![], ActorCommand::Register(body)).code,
                "invalid_public_key",
                "{bad_key}"
            );
        }
    }

    #[test]
    fn a_registered_actor_is_revoked_once_with_its_key_named() {
        let body = official(&["publisher"]);
        let revoke = || {
            ActorCommand::Revoke(RevokeActor {
                reason: "key lost".into(),
            })
        };
        TestFramework::<Actor>::with(services())
            .given(vec![registered(&body)])
            .when(revoke())
            .then_expect_events(vec![ActorEvent::ActorRevoked(ActorRevoked {
                reason: "key lost".into(),
                public_key: body.public_key.clone(),
            })]);
        let revoked = ActorEvent::ActorRevoked(ActorRevoked {
            reason: "key lost".into(),
            public_key: body.public_key.clone(),
        });
        assert_eq!(
            refusal(vec![registered(&body), revoked], revoke()).code,
            "already_revoked"
        );
        assert_eq!(refusal(vec![], revoke()).code, "not_registered");
        let blank = ActorCommand::Revoke(RevokeActor { reason: " ".into() });
        assert_eq!(
            refusal(vec![registered(&body)], blank).code,
            "invalid_reason"
        );
    }

    #[test]
    fn the_genesis_registers_an_admin_with_origin_and_log_key() {
        let genesis = RegisterGenesis {
            public_key: key(2),
            name: "Genesis administrator".into(),
            origin: "sijill.local/ledger".into(),
            log_key: "sijill.local/ledger+01020304+AQ==".into(),
        };
        let events = TestFramework::<Actor>::with(services())
            .given_no_previous_events()
            .when(ActorCommand::RegisterGenesis(genesis))
            .inspect_result()
            .unwrap();
        let data = events[0].to_data();
        assert_eq!(data["roles"], serde_json::json!(["admin"]));
        assert_eq!(data["origin"], "sijill.local/ledger");
        assert!(data.get("institution").is_none());
    }
}
