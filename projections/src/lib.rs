//! Sijill's read models: what the portal, the open-data exports and the audit trail show,
//! built from the log in index order.
//!
//! A [`Projector`] is a pure function from one entry to the row changes it causes. The
//! server's runner feeds it entries from a durable position and stores the rows and the
//! new position together, so a read model never misses an entry (unlike cqrs-es's
//! dispatch-after-commit) and any read model can be rebuilt from the log alone.
//!
//! Architecture invariant: no I/O here; the runner (in `api`) owns the storage.

pub mod indicators;
pub mod open_data;
pub mod participation;
pub mod registry;
pub mod rows;
pub mod spreadsheet;
pub mod support;
pub mod trainings;
pub mod view_change;

pub use participation::ParticipationProjector;
pub use registry::RegistryProjector;
pub use support::SupportProjector;
pub use trainings::TrainingsProjector;
pub use view_change::ViewChange;

use std::fmt;

use domain::{Decoded, LedgerEvent};
use ledger::Entry;

/// Turns entries into read-model changes.
pub trait Projector: Send + Sync {
    /// The name under which the runner keeps this projector's position. Changing what a
    /// projector writes means a new name, so the new version rebuilds from index 0.
    fn name(&self) -> &'static str;

    /// The changes one entry causes, in order. Entries of other streams cause none.
    ///
    /// # Errors
    /// [`Unreadable`] when an entry of one of its streams does not decode as the domain's
    /// typed event (an unknown type or version, or data that does not fit): it changes
    /// nothing, and the caller reports it rather than a row being built from a guess.
    fn project(&self, entry: &Entry) -> Result<Vec<ViewChange>, Unreadable>;
}

/// An entry a projector reads but cannot decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    pub index: u64,
    pub reason: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}", self.index, self.reason)
    }
}

impl std::error::Error for Unreadable {}

/// Reads `entry` as an `E`, through `E`'s upcaster for the entry's version: projectors
/// read the current shape of an event, whatever version recorded it.
///
/// # Errors
/// [`Unreadable`] when the version is unknown or the data does not fit `E`.
pub fn decode<E: LedgerEvent>(entry: &Entry) -> Result<Decoded<E>, Unreadable> {
    E::decode(&entry.event_type, &entry.version, entry.data.clone()).map_err(|reason| Unreadable {
        index: entry.index,
        reason: format!("{}: {reason}", entry.stream),
    })
}

/// Every projector the server runs.
pub fn all() -> Vec<Box<dyn Projector>> {
    vec![
        Box::new(RegistryProjector),
        Box::new(SupportProjector),
        Box::new(ParticipationProjector),
        Box::new(TrainingsProjector),
    ]
}
