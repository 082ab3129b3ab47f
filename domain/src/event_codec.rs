//! How a domain event becomes an entry's `type`, `version` and `data`, and back.
//!
//! Events are a persisted public contract: an entry's `data` is the event's payload object,
//! its `type` the event name (`ActorRegistered`), its `version` the payload's schema
//! version. Events are serde enums tagged adjacently (`{"type": .., "data": ..}`), so the
//! codec is the same for every aggregate. An event whose shape changes gets a new version
//! and an upcaster ([`LedgerEvent::upcast`]) that rewrites old `data` on read; the stored
//! bytes, which carry the signatures, are never rewritten.

use cqrs_es::DomainEvent;
use serde_json::{json, Value};

/// A domain event as the ledger stores it.
pub trait LedgerEvent: DomainEvent {
    /// The stream type its entries are on ([`crate::names::stream`]).
    const STREAM_TYPE: &'static str;

    /// Its event types ([`crate::names::event`]), in the order of the enum's variants:
    /// the names its variants serialize as (the tests of [`crate::names`] check it).
    const TYPES: &'static [&'static str];

    /// The payload written as the entry's `data`.
    fn to_data(&self) -> Value {
        // Serializing a plain enum of plain structs cannot fail.
        let mut tagged = serde_json::to_value(self).unwrap_or(Value::Null);
        tagged
            .get_mut("data")
            .map(Value::take)
            .unwrap_or_else(|| json!({}))
    }

    /// Rewrites `data` of an older `version` into the current shape. The default knows
    /// only version "1"; an event that changes shape overrides this.
    ///
    /// # Errors
    /// A sentence naming the unknown version.
    fn upcast(event_type: &str, version: &str, data: Value) -> Result<Value, String> {
        if version == "1" {
            Ok(data)
        } else {
            Err(format!("unknown version {version:?} of event {event_type}"))
        }
    }

    /// Reads an event back from an entry.
    ///
    /// # Errors
    /// A sentence when the version is unknown or the data does not fit the event.
    fn from_entry(event_type: &str, version: &str, data: Value) -> Result<Self, String> {
        Self::decode(event_type, version, data).map(|d| d.event)
    }

    /// Reads an event back from an entry, keeping its `data` in the current shape (after
    /// the upcaster) next to it, for readers that show the data as it is.
    ///
    /// # Errors
    /// A sentence when the version is unknown or the data does not fit the event.
    fn decode(event_type: &str, version: &str, data: Value) -> Result<Decoded<Self>, String> {
        let data = Self::upcast(event_type, version, data)?;
        let event = serde_json::from_value(json!({"type": event_type, "data": data.clone()}))
            .map_err(|e| format!("entry of type {event_type} does not decode: {e}"))?;
        Ok(Decoded { event, data })
    }
}

/// An entry read through its event's upcaster: the typed event, and its `data` in the
/// current shape, which the event was decoded from.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded<E> {
    pub event: E,
    pub data: Value,
}
