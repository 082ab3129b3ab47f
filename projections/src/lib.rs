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
pub mod spreadsheet;
pub mod support;
pub mod trainings;
pub mod view_change;

pub use participation::ParticipationProjector;
pub use registry::RegistryProjector;
pub use support::SupportProjector;
pub use trainings::TrainingsProjector;
pub use view_change::ViewChange;

use ledger::Entry;

/// Turns entries into read-model changes.
pub trait Projector: Send + Sync {
    /// The name under which the runner keeps this projector's position. Changing what a
    /// projector writes means a new name, so the new version rebuilds from index 0.
    fn name(&self) -> &'static str;

    /// The changes one entry causes, in order.
    fn project(&self, entry: &Entry) -> Vec<ViewChange>;
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
