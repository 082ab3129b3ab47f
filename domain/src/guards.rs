//! Which facts of other streams a decision read, and which facts an entry changes, so the
//! append path can keep cross-stream rules true under concurrency.
//!
//! A stream's own head is checked by cqrs-es's optimistic concurrency; rules that span
//! streams (an offer's budget over all its awards, one application per association and
//! offer) are not. So each event names the *guard keys* its decision read, and each entry
//! the keys it changes. A key is a stream name (`offer/O`: changed by every entry of that
//! stream) or a derived key (`awards/O`: changed by every award entry of offer O). Under
//! the lock that orders the log, a command is recorded only if no key it read changed since
//! the facts it was decided on; otherwise it is decided again on fresh facts. The check is
//! conservative (a retry too many, never a broken rule).

use serde_json::Value;

fn text<'a>(data: &'a Value, field: &str) -> &'a str {
    data.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn stream_id(stream: &str) -> &str {
    stream.split_once('/').map_or("", |(_, id)| id)
}

/// The keys a decision that produced this event read.
pub fn reads(stream: &str, event_type: &str, data: &Value) -> Vec<String> {
    match event_type {
        "ApplicationSubmitted" => {
            let (offer, association) = (text(data, "offer"), text(data, "association"));
            vec![
                format!("offer/{offer}"),
                format!("applicant/{offer}/{association}"),
            ]
        }
        "AwardGranted" => {
            let offer = text(data, "offer");
            vec![
                format!("offer/{offer}"),
                format!("application/{}", text(data, "application")),
                format!("awards/{offer}"),
                format!("scores/{offer}"),
            ]
        }
        "AwardRevoked" => vec![format!("awards/{}", text(data, "offer"))],
        "OfferAmended" => vec![format!("awards/{}", stream_id(stream))],
        "OfferClosed" => vec![format!("applications/{}", stream_id(stream))],
        // A consultation opens only on a draft not yet submitted.
        "ConsultationOpened" => vec![format!("draft/{}", text(data, "draft"))],
        // Whether a hide withholds the text depends on every other entry naming it, and a
        // restore on whether it was withheld since; a declaration on whether any entry
        // names it. One key for all documents: these decisions are rare.
        "CommentModerated" | "DocumentDeclaredUnavailable" => vec![DOCUMENTS.to_owned()],
        _ => Vec::new(),
    }
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
    event_type == "CommentModerated" || listed("documents") || listed("withheld")
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
        "ApplicationSubmitted" => {
            let (offer, association) = (text(data, "offer"), text(data, "association"));
            vec![
                format!("applicant/{offer}/{association}"),
                format!("applications/{offer}"),
            ]
        }
        "ApplicationScored" => vec![format!("scores/{}", text(data, "offer"))],
        "AwardGranted" | "AwardRevoked" => vec![format!("awards/{}", text(data, "offer"))],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_award_reads_what_another_award_changes() {
        let granted = json!({"offer": "O1", "application": "A1"});
        let read = reads("award/W1", "AwardGranted", &granted);
        for touched in touches("AwardGranted", &json!({"offer": "O1"})) {
            assert!(read.contains(&touched), "{touched} not read");
        }
        assert!(read.contains(&"scores/O1".to_owned()));
        assert!(!read.contains(&"awards/O2".to_owned()));
    }

    #[test]
    fn two_applications_of_one_association_to_one_offer_collide() {
        let a = json!({"offer": "O1", "association": "S1"});
        let read = reads("application/A2", "ApplicationSubmitted", &a);
        let touched = touches("ApplicationSubmitted", &a);
        assert!(touched.iter().any(|t| read.contains(t)));
        let other = json!({"offer": "O1", "association": "S2"});
        assert!(!touches("ApplicationSubmitted", &other)
            .iter()
            .any(|t| read.contains(t)));
    }

    #[test]
    fn amending_or_closing_an_offer_reads_its_awards_and_applications() {
        assert_eq!(reads("offer/O1", "OfferAmended", &json!({})), ["awards/O1"]);
        assert_eq!(
            reads("offer/O1", "OfferClosed", &json!({})),
            ["applications/O1"]
        );
    }
}
