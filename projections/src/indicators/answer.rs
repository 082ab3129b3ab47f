//! The indicators' answer as a typed value: what `GET /v1/indicators` and
//! `sijill indicators` serialize and what the portal renders, so no reader picks members
//! out of JSON by name.
//!
//! Fields are declared in the order the public JSON gives its members, and maps are ordered
//! by key, so two computations over the same entries serialize to the same bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The indicators of one year over the first `checkpoint.size` entries of the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicators {
    pub checkpoint: CheckpointRef,
    pub year: i32,
    /// One per definition, in the order of [`super::DEFINITIONS`].
    pub indicators: Vec<Indicator>,
    pub breakdowns: Breakdowns,
}

/// The tree the answer was computed from: a reader checks it against a signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointRef {
    /// Entries read.
    pub size: u64,
    /// Their tree hash, base64.
    pub root: String,
}

/// One indicator with what it means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub key: String,
    pub label: Label,
    pub definition: String,
    pub value: IndicatorValue,
}

/// An indicator's name in the two languages the ministry reports in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub fr: String,
    pub ar: String,
}

/// An indicator's figure as the JSON gives it: a whole number, a share, or `null`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IndicatorValue {
    /// A count, or for a key ending in `_centimes` an amount in centimes of MAD.
    Whole(u64),
    /// A share from 0 to 1 (always written with a fraction part, `1.0` for all).
    Share(f64),
    /// A share whose denominator is 0.
    NotAvailable,
}

impl IndicatorValue {
    /// `part / whole`, not available when `whole` is 0.
    pub fn share(part: u64, whole: u64) -> Self {
        match share(part, whole) {
            Some(s) => Self::Share(s),
            None => Self::NotAvailable,
        }
    }
}

/// `part / whole`, `None` (JSON `null`) when `whole` is 0.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64)
}

/// The figures beside the list: per institution, region and consultation for the year, and
/// per year over every year the log mentions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakdowns {
    /// Keyed by institution id.
    pub by_institution: BTreeMap<String, ByInstitution>,
    /// Keyed by region code (`MA-04`).
    pub by_region: BTreeMap<String, ByRegion>,
    /// Keyed by consultation id.
    pub by_consultation: BTreeMap<String, ByConsultation>,
    /// Keyed by year (a string in JSON, as every member name).
    pub by_year: BTreeMap<i32, ByYear>,
}

/// One institution's figures for the year: offers it published, what was awarded on them,
/// consultations it opened, training sessions it recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByInstitution {
    pub offers_published: u64,
    pub amount_awarded_centimes: u64,
    pub consultations_conducted: u64,
    pub training_sessions: u64,
}

/// One region's figures: associations registered there up to the year, those supported on
/// the year's offers, what they were awarded, training sessions held there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByRegion {
    pub associations_registered: u64,
    pub associations_supported: u64,
    pub amount_awarded_centimes: u64,
    pub training_sessions: u64,
}

/// One consultation of the year: its comments, distinct commenters, recommendations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ByConsultation {
    pub comments: u64,
    pub participants: u64,
    pub recommendations: u64,
    /// `null` when the consultation has no comment.
    pub comments_answered_share: Option<f64>,
}

/// One year's totals, over every year an offer, consultation or training falls in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByYear {
    pub offers_published: u64,
    pub amount_awarded_centimes: u64,
    pub consultations_conducted: u64,
    pub consultation_comments: u64,
    pub training_sessions: u64,
}
