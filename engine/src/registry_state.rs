//! The registry as the log says it is now: which key belongs to which actor, with which
//! roles, and whether it was revoked; which institutions and associations exist.
//!
//! Built from the log at start-up and fed every appended entry in index order (including
//! those other processes appended, read back under the append lock), so the append path
//! can re-check revocations and key uniqueness at the exact point of the log where an
//! entry lands. It also holds the support lifecycle's cross-stream facts
//! ([`domain::world::World`]) that aggregates read. It is small: it grows with actors,
//! institutions, offers, applications and awards, not with other entries.

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use domain::authorization::ActorInfo;
use domain::names::{event, stream};
use domain::registry::ActorEvent;
use domain::world::World;
use domain::{LedgerEvent, RegistryFacts};
use ledger::roles::Role;
use ledger::rotation::LogKeyChain;
use ledger::Entry;

/// The stream types whose entries change what [`Registry::apply`] knows: what start-up
/// reads back from the store. A type missing here would leave the domain's cross-stream
/// facts (an offer, a draft, which entries name or withhold a document) unknown after a
/// restart.
pub const STREAM_TYPES: [&str; 10] = [
    stream::REGISTRY,
    stream::LOG,
    stream::INSTITUTION,
    stream::ASSOCIATION,
    stream::OFFER,
    stream::APPLICATION,
    stream::AWARD,
    stream::DRAFT,
    stream::CONSULTATION,
    stream::DOCUMENT,
];

/// One registered key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorRecord {
    pub info: ActorInfo,
    pub public_key: String,
    /// The index of the entry that revoked the key, if any.
    pub revoked_at: Option<u64>,
}

/// The registry's state at some log index.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Registry {
    by_key: HashMap<String, ActorRecord>,
    key_of_actor: HashMap<String, String>,
    institutions: HashSet<String>,
    associations: HashSet<String>,
    /// The log's keys and the entries each signs, from the genesis and the
    /// `LogKeyRotated` entries; `None` before the genesis.
    log_keys: Option<LogKeyChain>,
    /// The support lifecycle's cross-stream facts.
    world: World,
    /// Every entry below this index has been applied.
    applied: u64,
}

impl Registry {
    /// An empty registry holding the cross-stream facts `world`.
    pub(crate) fn with_world(world: World) -> Self {
        Self {
            world,
            ..Self::default()
        }
    }

    /// Applies one entry; entries of other streams are ignored.
    pub fn apply(&mut self, entry: &Entry) {
        self.applied = self.applied.max(entry.index + 1);
        self.world.apply(
            &entry.stream,
            &entry.event_type,
            &entry.version,
            &entry.data,
        );
        self.apply_outside_world(entry);
    }

    /// Says that every entry below `size` has been applied (start-up reads only the
    /// entries that change the registry).
    pub(crate) fn set_applied(&mut self, size: u64) {
        self.applied = size;
    }

    /// Applies what one entry changes outside the cross-stream facts (`World`): the
    /// actors, institutions, associations and log keys. Start-up applies the entries
    /// before the world's snapshot this way (`registry_startup`).
    pub(crate) fn apply_outside_world(&mut self, entry: &Entry) {
        let Some((kind, id)) = entry.stream.split_once('/') else {
            return;
        };
        // The genesis and the rotations: which log key signs which entries.
        LogKeyChain::follow(&mut self.log_keys, entry);
        match (kind, entry.event_type.as_str()) {
            (stream::INSTITUTION, event::INSTITUTION_REGISTERED) => {
                self.institutions.insert(id.to_owned());
            }
            (stream::ASSOCIATION, event::ASSOCIATION_REGISTERED) => {
                self.associations.insert(id.to_owned());
            }
            (stream::REGISTRY, event::ACTOR_REGISTERED) => {
                // The append path recorded it from this very type, so it decodes; an entry
                // that did not would name no key to register.
                let Ok(ActorEvent::ActorRegistered(actor)) =
                    ActorEvent::from_entry(&entry.event_type, &entry.version, entry.data.clone())
                else {
                    return;
                };
                let info = ActorInfo {
                    actor_id: id.to_owned(),
                    roles: actor.roles.iter().filter_map(|r| Role::parse(r)).collect(),
                    institution: actor.institution,
                    association: actor.association,
                };
                self.key_of_actor
                    .insert(id.to_owned(), actor.public_key.clone());
                self.by_key.insert(
                    actor.public_key.clone(),
                    ActorRecord {
                        info,
                        public_key: actor.public_key,
                        revoked_at: None,
                    },
                );
            }
            (stream::REGISTRY, event::ACTOR_REVOKED) => {
                if let Some(record) = self
                    .key_of_actor
                    .get(id)
                    .and_then(|k| self.by_key.get_mut(k))
                {
                    record.revoked_at.get_or_insert(entry.index);
                }
            }
            _ => {}
        }
    }

    /// The record of a key, revoked or not.
    pub fn actor(&self, public_key: &str) -> Option<&ActorRecord> {
        self.by_key.get(public_key)
    }

    /// The log's key chain; `None` before the genesis.
    pub fn log_keys(&self) -> Option<&LogKeyChain> {
        self.log_keys.as_ref()
    }
}

/// The registry shared between request handlers (readers) and the append path (writer).
#[derive(Debug, Default)]
pub struct SharedRegistry(RwLock<Registry>);

impl SharedRegistry {
    /// The registry `registry`, to share.
    pub fn new(registry: Registry) -> Self {
        Self(RwLock::new(registry))
    }

    pub fn apply(&self, entry: &Entry) {
        self.write().apply(entry);
    }

    /// A copy of the cross-stream facts, for a snapshot, and the tree size they stand at.
    pub fn world_image(&self) -> (World, u64) {
        let registry = self.read();
        (registry.world.clone(), registry.applied)
    }

    pub fn actor(&self, public_key: &str) -> Option<ActorRecord> {
        self.read().actor(public_key).cloned()
    }

    /// The log's key chain as of the last entry applied; `None` before the genesis.
    pub fn log_keys(&self) -> Option<LogKeyChain> {
        self.read().log_keys().cloned()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters (each apply is a few inserts), so a poisoned lock is still usable.
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl RegistryFacts for SharedRegistry {
    fn institution_exists(&self, id: &str) -> bool {
        self.read().institutions.contains(id)
    }

    fn association_exists(&self, id: &str) -> bool {
        self.read().associations.contains(id)
    }

    fn key_registered(&self, public_key: &str) -> bool {
        self.read().by_key.contains_key(public_key)
    }

    fn read_world(&self, read: &mut dyn FnMut(&World)) {
        read(&self.read().world);
    }
}
