//! The grants of the hand-made lifecycle of `support::scenario`, joined as the HTTP
//! handler joins them, for the exports' tests.

use serde_json::json;

use super::{Grant, Related};
use crate::support::scenario::{self, row};
use crate::support::SupportProjector;

/// The scenario's two awards (W1 active, W2 revoked), with a ministry as funder.
pub fn grants() -> Vec<Grant> {
    let rows = scenario::project(&SupportProjector, &scenario::entries());
    let institution = json!({"id": "MJCC", "name": "Ministère de la Jeunesse, de la Culture et de la Communication"});
    ["W1", "W2"]
        .iter()
        .map(|id| {
            let award = row(&rows, "awards", id);
            let text = |name: &str| award[name].as_str().unwrap_or_default().to_owned();
            Grant::from_rows(
                award,
                Related {
                    offer: Some(row(&rows, "offers", &text("offer"))),
                    application: Some(row(&rows, "applications", &text("application"))),
                    association: Some(row(&rows, "associations", &text("association"))),
                    institution: Some(&institution),
                },
            )
        })
        .collect()
}
