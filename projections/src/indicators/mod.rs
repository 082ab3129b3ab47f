//! The commitment's indicators (MO0057), computed from the signed log alone, so that anyone
//! holding an export gets the same numbers as the server, byte for byte.
//!
//! One fold ([`IndicatorFold`]) reads entries in index order; [`IndicatorFold::finish`]
//! answers for one year as the typed [`Indicators`], stamped with the checkpoint (tree size
//! and root) of the entries it read. The server (`GET /v1/indicators`) and the offline
//! command (`sijill indicators`) run this same code on the same entries: nothing here reads
//! the wall clock, and the default year is the year of the last entry's `recorded_at`.

pub mod answer;
pub mod definitions;
pub mod fold;

#[cfg(test)]
mod tests;

pub use answer::{
    Breakdowns, ByConsultation, ByInstitution, ByRegion, ByYear, CheckpointRef, Indicator,
    IndicatorValue, Indicators, Label,
};
pub use definitions::{Definition, DEFINITIONS};
pub use fold::IndicatorFold;
