//! The log service: statement checks, the sequencer, the event store over the log (cqrs-es's
//! aggregates loaded, decided and committed by the engine itself), the registry's state,
//! the log's keys, the projector runner, the public channel, cosigning with witnesses,
//! restore, and the read API the JSON API and the portal render.
//!
//! Architecture invariant: no HTTP server, templates or command line. What the engine
//! refuses comes back as a [`Refusal`](refusal::Refusal) with a kind, which the HTTP layer
//! maps to a status; SQL stays behind the `store` crate.

pub mod aggregate_cache;
pub mod blocking;
pub mod clock;
pub mod command_documents;
pub mod cosigning;
pub mod event_store;
pub mod log_keys;
pub mod projector;
pub mod public_channel;
pub mod reads;
pub mod refusal;
pub mod registry_startup;
pub mod registry_state;
pub mod restore;
pub mod sequencer;
pub mod service;
pub mod snapshots;
pub mod stream_turns;

pub use refusal::{Kind, Refusal};
pub use service::Service;
