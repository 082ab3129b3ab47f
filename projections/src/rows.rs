//! Reading a stored row into its view's typed shape.
//!
//! Projectors write rows as JSON changes ([`crate::ViewChange`]), which is what keeps a
//! replay harmless; readers never walk that JSON by member name. Each view reads its row
//! once, here, into a typed struct (its stored shape, with every member listed and none
//! unknown allowed), and builds its public shape from that. A row that does not read is
//! a [`BadRow`]: no projector writes one, so it is a fault to report, never something to
//! show half.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A stored row that does not read as its view's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    pub view: &'static str,
    pub reason: String,
}

impl fmt::Display for BadRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a row of {} does not read: {}", self.view, self.reason)
    }
}

impl std::error::Error for BadRow {}

/// `row` read as `T`, a row of `view`.
///
/// # Errors
/// [`BadRow`] when the row does not fit `T`.
pub fn read<'a, T: Deserialize<'a>>(view: &'static str, row: &'a Value) -> Result<T, BadRow> {
    T::deserialize(row).map_err(|e| BadRow {
        view,
        reason: e.to_string(),
    })
}

/// A stored row's text read as JSON, for the views' `present` functions.
///
/// # Errors
/// [`BadRow`] when the text is not JSON.
pub fn parse(view: &'static str, text: &str) -> Result<Value, BadRow> {
    serde_json::from_str(text).map_err(|e| BadRow {
        view,
        reason: e.to_string(),
    })
}

/// One entry of a record's own stream, in its audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryLine {
    pub index: u64,
    /// The entry's event type.
    #[serde(rename = "type")]
    pub event_type: String,
}

/// An `entries` map as stored (`{"<index>": "<type>"}`) as a list in log order; a key
/// that is not an index (never written so) is left out.
pub fn entry_lines(entries: BTreeMap<String, String>) -> Vec<EntryLine> {
    let mut list: Vec<EntryLine> = entries
        .into_iter()
        .filter_map(|(k, event_type)| {
            k.parse::<u64>()
                .ok()
                .map(|index| EntryLine { index, event_type })
        })
        .collect();
    list.sort_by_key(|e| e.index);
    list
}

/// The values of a collection stored as an object keyed by id or index, as a list in log
/// order (by the index `index` gives, then by key).
pub fn in_log_order<T>(collection: BTreeMap<String, T>, index: impl Fn(&T) -> u64) -> Vec<T> {
    // The map iterates by key, and a stable sort by index keeps that order among equals.
    let mut items: Vec<T> = collection.into_values().collect();
    items.sort_by_key(|item| index(item));
    items
}

/// The audit-trail path of a `type/id` stream link.
pub fn trail(stream: &str) -> String {
    format!("/v1/streams/{stream}")
}
