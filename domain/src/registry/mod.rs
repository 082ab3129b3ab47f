//! The registry: institutions, and the actors (officials' and associations' keys) whose
//! signed statements the ledger accepts.
//!
//! Its events (`InstitutionRegistered`, `ActorRegistered`, `ActorRevoked`) are what an
//! auditor replays to learn, from the log alone, which key held which role when;
//! `LogKeyRotated` (stream `log/key`) tells which log key signs which entries.

pub mod actor;
pub mod institution;
pub mod log_key;

pub use actor::{
    Actor, ActorCommand, ActorEvent, ActorRegistered, ActorRevoked, RegisterActor, RegisterGenesis,
    RevokeActor,
};
pub use institution::{
    Institution, InstitutionCommand, InstitutionEvent, InstitutionKind, InstitutionRegistered,
    RegisterInstitution,
};
pub use log_key::{LogKey, LogKeyCommand, LogKeyEvent, LogKeyRotated, RotateLogKey, LOG_KEY_ID};
