//! The open-data documents of the support lifecycle, built from read-model rows by pure
//! functions: the 360Giving data package ([`giving360`]) and the awards CSV
//! ([`awards_csv`]). Both publish the same facts, gathered once per award in a [`Grant`],
//! so the two files can never disagree.
//!
//! Money stays in integer centimes here; only the 360Giving document converts to MAD,
//! because its standard says amounts are in the currency's unit.

pub mod awards_csv;
pub mod giving360;

use serde_json::Value;

use crate::support::vocabulary;

/// Everything the exports say about one award, joined from the rows of `awards`,
/// `offers`, `applications`, `associations` and `institutions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub award_id: String,
    /// The application's title: the project the money is for.
    pub title: String,
    /// The application's summary.
    pub description: String,
    pub offer_id: String,
    pub offer_title: String,
    pub fiscal_year: Option<i64>,
    pub institution_id: String,
    pub institution_name: String,
    pub association_id: String,
    pub association_name: String,
    /// ISO 3166-2 code of the association's region.
    pub region_code: String,
    pub region_name: Option<&'static str>,
    pub applied_for_centimes: i64,
    pub awarded_centimes: i64,
    pub disbursed_centimes: i64,
    /// When the award was granted (entry form, UTC).
    pub granted_at: String,
    /// `active` or `revoked`.
    pub status: String,
    pub revoked_at: Option<String>,
    pub revocation_reason: Option<String>,
    /// Whether the award skipped a better-scored application, and the published reason.
    pub out_of_order: bool,
    pub justification: Option<String>,
    /// The instant of the award stream's latest entry.
    pub modified_at: String,
    /// The award's stream, `award/<id>`.
    pub stream: String,
}

/// The rows one award is joined with; a missing row leaves ids in place of names.
#[derive(Clone, Copy, Debug, Default)]
pub struct Related<'a> {
    pub offer: Option<&'a Value>,
    pub application: Option<&'a Value>,
    pub association: Option<&'a Value>,
    pub institution: Option<&'a Value>,
}

impl Grant {
    /// The facts of the award row `award`, joined with its related rows.
    pub fn from_rows(award: &Value, related: Related<'_>) -> Self {
        let text = |row: Option<&Value>, name: &str| -> Option<String> {
            row.and_then(|r| r.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let int = |name: &str| award.get(name).and_then(Value::as_i64).unwrap_or(0);
        let award_id = text(Some(award), "id").unwrap_or_default();
        let offer_id = text(Some(award), "offer").unwrap_or_default();
        let association_id = text(Some(award), "association").unwrap_or_default();
        let institution_id = text(related.offer, "institution").unwrap_or_default();
        let region_code = text(related.association, "region").unwrap_or_default();
        let revocation = award.get("revocation").filter(|r| r.is_object());
        Self {
            title: text(related.application, "title")
                .or_else(|| text(related.offer, "title"))
                .unwrap_or_else(|| award_id.clone()),
            description: text(related.application, "summary").unwrap_or_default(),
            offer_title: text(related.offer, "title").unwrap_or_else(|| offer_id.clone()),
            fiscal_year: related
                .offer
                .and_then(|o| o.get("fiscal_year"))
                .and_then(Value::as_i64),
            institution_name: text(related.institution, "name")
                .unwrap_or_else(|| institution_id.clone()),
            association_name: text(related.association, "name")
                .unwrap_or_else(|| association_id.clone()),
            region_name: vocabulary::region_name(&region_code),
            applied_for_centimes: int("requested_centimes"),
            awarded_centimes: int("amount_centimes"),
            disbursed_centimes: int("disbursed_centimes"),
            granted_at: text(Some(award), "granted_at").unwrap_or_default(),
            status: text(Some(award), "status").unwrap_or_else(|| "active".into()),
            revoked_at: text(revocation, "revoked_at"),
            revocation_reason: text(revocation, "reason"),
            out_of_order: award
                .get("out_of_order")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            justification: text(Some(award), "justification"),
            modified_at: text(Some(award), "modified_at")
                .or_else(|| text(Some(award), "granted_at"))
                .unwrap_or_default(),
            stream: format!("award/{award_id}"),
            award_id,
            offer_id,
            institution_id,
            association_id,
            region_code,
        }
    }

    /// The day the award was granted, `YYYY-MM-DD` (UTC), from its instant.
    pub fn award_date(&self) -> &str {
        self.granted_at.get(..10).unwrap_or(&self.granted_at)
    }
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod schema_check;
