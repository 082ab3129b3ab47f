//! Sijill's domain: the commands the ministry and the public issue, the events the ledger
//! records, and the rules that decide between them.
//!
//! Architecture invariant: this crate does no I/O. No SQL, no HTTP, no files, and no clock
//! read directly: the time and the registry's facts come in through [`Services`], which the
//! edges implement. Aggregates are cqrs-es [`cqrs_es::Aggregate`]s; their rules are plain
//! synchronous functions so that given/when/then tests can pin every one of them.

pub mod authorization;
pub mod calendar;
pub mod command;
pub mod document;
pub mod error;
pub mod event_codec;
#[cfg(test)]
mod given_when_then;
pub mod guards;
pub mod id;
pub mod issued;
pub mod names;
pub mod participation;
pub mod registry;
pub mod services;
pub mod support;
pub mod time_window;
pub mod training;
pub mod world;

pub use error::{DomainError, ErrorKind};
pub use event_codec::{Decoded, LedgerEvent};
pub use id::{AggregateId, StreamName};
pub use issued::Issued;
pub use services::{Clock, Recording, RegistryFacts, Services, Timing};
pub use time_window::TimeWindow;
