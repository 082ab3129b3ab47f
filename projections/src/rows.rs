//! Reading a stored row into its typed shape. A row is the JSON a projector's changes
//! built; the typed views read it here, once, and everything after works on the struct.
//! A row that does not read as its view's shape was not written by this build's
//! projector (a bug or a foreign write): it is reported, never guessed at.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A stored row that does not have its view's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableRow {
    pub view: &'static str,
    pub reason: String,
}

impl fmt::Display for UnreadableRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a row of view {}: {}", self.view, self.reason)
    }
}

impl std::error::Error for UnreadableRow {}

/// The row `row` of `view` as a `T`.
///
/// # Errors
/// [`UnreadableRow`] when it does not have `T`'s shape.
pub fn from_value<T: DeserializeOwned>(
    view: &'static str,
    row: &Value,
) -> Result<T, UnreadableRow> {
    T::deserialize(row).map_err(|e| UnreadableRow {
        view,
        reason: e.to_string(),
    })
}

/// The row of `view` stored as the text `text`, as a `T`.
///
/// # Errors
/// [`UnreadableRow`] when it is not JSON of `T`'s shape.
pub fn from_text<T: DeserializeOwned>(view: &'static str, text: &str) -> Result<T, UnreadableRow> {
    serde_json::from_str(text).map_err(|e| UnreadableRow {
        view,
        reason: e.to_string(),
    })
}

/// One entry of a record's trail, as its `entries` list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRef {
    pub index: u64,
    #[serde(rename = "type")]
    pub event_type: String,
}

/// A stored `entries` map (`{"<index>": "<type>"}`) as a list in log order; a key that is
/// not an index is not an entry and is left out.
pub fn entry_refs(entries: &BTreeMap<String, String>) -> Vec<EntryRef> {
    let mut list: Vec<EntryRef> = entries
        .iter()
        .filter_map(|(k, v)| {
            Some(EntryRef {
                index: k.parse().ok()?,
                event_type: v.clone(),
            })
        })
        .collect();
    list.sort_by_key(|e| e.index);
    list
}

/// A member of a collection keyed by number or log index that knows its entry's index.
pub trait Indexed {
    fn index(&self) -> u64;
}

/// The values of a stored collection in log order: by their `index`, then by key (the
/// order `support::by_index` gives the JSON rows).
pub fn in_log_order<T: Indexed>(collection: &BTreeMap<String, T>) -> Vec<&T> {
    let mut items: Vec<(&String, &T)> = collection.iter().collect();
    items.sort_by(|a, b| (a.1.index(), a.0).cmp(&(b.1.index(), b.0)));
    items.into_iter().map(|(_, v)| v).collect()
}

/// The audit-trail path of a `type/id` stream.
pub fn trail(stream: &str) -> String {
    format!("/v1/streams/{stream}")
}
