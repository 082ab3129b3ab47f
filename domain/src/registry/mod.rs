//! The registry: institutions, and the actors (officials' and associations' keys) whose
//! signed statements the ledger accepts.
//!
//! Its events (`InstitutionRegistered`, `ActorRegistered`, `ActorRevoked`) are what an
//! auditor replays to learn, from the log alone, which key held which role when.

pub mod actor;
pub mod institution;

pub use actor::{
    Actor, ActorCommand, ActorEvent, ActorRegistered, ActorRevoked, RegisterActor, RegisterGenesis,
    RevokeActor,
};
pub use institution::{
    Institution, InstitutionCommand, InstitutionEvent, InstitutionKind, InstitutionRegistered,
    RegisterInstitution,
};
