//! The guard keys: names for the facts of other streams that decisions read, and which of
//! them each entry changes, so the append path can keep cross-stream rules true under
//! concurrency.
//!
//! A stream's own head is checked against the sequence number its aggregate was loaded
//! at (cqrs-es's optimistic concurrency); rules that span streams (an offer's budget over
//! all its awards, one application per association and offer) are not. So every fact the
//! aggregates read through [`crate::RegistryFacts`] is handed out under a *guard key*,
//! which the accessor notes in the command's read set ([`crate::Recording`]), and each
//! entry names the keys it changes
//! ([`touches`]). A key is a stream name (`offer/O`: changed by every entry of that stream)
//! or a derived key (`awards/O`: changed by every award entry of offer O). Under the lock
//! that orders the log, a command is recorded only if no key it read changed since the
//! facts it was decided on; otherwise it is decided again on fresh facts. The check is
//! conservative (a retry too many, never a broken rule).

use crate::names::event;
use serde_json::Value;

fn text<'a>(data: &'a Value, field: &str) -> &'a str {
    data.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// The key of everything stream `kind/id` says: changed by each of its entries.
pub fn stream(kind: &str, id: &str) -> String {
    format!("{kind}/{id}")
}

/// The key of which application `association` made to `offer`.
pub fn applicant(offer: &str, association: &str) -> String {
    format!("applicant/{offer}/{association}")
}

/// The key of the set of applications to `offer`.
pub fn applications(offer: &str) -> String {
    format!("applications/{offer}")
}

/// The key of the scores of `offer`'s applications.
pub fn scores(offer: &str) -> String {
    format!("scores/{offer}")
}

/// The key of `offer`'s awards: which applications hold one, what they commit.
pub fn awards(offer: &str) -> String {
    format!("awards/{offer}")
}

/// The guard key of the log's document facts (`World::document`).
pub const DOCUMENTS: &str = "documents";

/// Whether an entry changes what the log says of documents: it names or withholds one,
/// or moderates a comment (which may hide one on a withholding ground).
fn touches_documents(event_type: &str, data: &Value) -> bool {
    let listed = |field: &str| {
        data.get(field)
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    event_type == event::COMMENT_MODERATED || listed("documents") || listed("withheld")
}

/// The derived keys an entry changes (besides its own stream's name).
pub fn touches(event_type: &str, data: &Value) -> Vec<String> {
    let mut keys = touches_records(event_type, data);
    if touches_documents(event_type, data) {
        keys.push(DOCUMENTS.to_owned());
    }
    keys
}

fn touches_records(event_type: &str, data: &Value) -> Vec<String> {
    match event_type {
        event::APPLICATION_SUBMITTED => {
            let (offer, association) = (text(data, "offer"), text(data, "association"));
            vec![applicant(offer, association), applications(offer)]
        }
        event::APPLICATION_SCORED => vec![scores(text(data, "offer"))],
        event::AWARD_GRANTED | event::AWARD_REVOKED => vec![awards(text(data, "offer"))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_award_changes_its_offers_awards_and_nothing_of_another_offer() {
        let touched = touches("AwardGranted", &json!({"offer": "O1"}));
        assert_eq!(touched, [awards("O1")]);
        assert_eq!(touches("AwardRevoked", &json!({"offer": "O1"})), touched);
    }

    #[test]
    fn an_application_changes_its_applicant_and_its_offers_applications() {
        let a = json!({"offer": "O1", "association": "S1"});
        assert_eq!(
            touches("ApplicationSubmitted", &a),
            ["applicant/O1/S1", "applications/O1"]
        );
        assert_eq!(
            touches("ApplicationScored", &json!({"offer": "O1"})),
            ["scores/O1"]
        );
    }

    #[test]
    fn entries_naming_or_withholding_documents_change_the_document_facts() {
        let named = json!({"documents": ["aa"]});
        assert_eq!(touches("ReportSubmitted", &named), [DOCUMENTS]);
        assert!(touches("ReportSubmitted", &json!({"documents": []})).is_empty());
        assert_eq!(touches("CommentModerated", &json!({})), [DOCUMENTS]);
    }
}
