//! The append transaction's own check of the documents a command's entries name: every one
//! must be exportable when it is appended, so the log never names bytes it cannot serve.

use domain::document::listed_documents;
use store::{DocumentAvailability, NewDocument};

use super::{AppendError, PendingEvent};

/// What a batch has done to documents so far, as the check of its next command sees it.
pub(crate) struct BatchDocuments<'a> {
    /// Which documents the batch's commands name were stored or withheld before it.
    pub availability: &'a DocumentAvailability,
    /// Bytes carried by commands accepted earlier in the batch.
    pub new_documents: &'a [NewDocument],
    /// Documents withheld by entries accepted earlier in the batch, with the entry.
    pub withheld: &'a [(String, u64)],
}

/// Every document `events` name is stored (before this batch, carried by the command
/// itself in `carried`, or by a command accepted earlier in the batch) and withheld neither
/// before this batch nor by an entry accepted earlier in it.
pub(crate) fn check_documents(
    events: &[PendingEvent],
    carried: &[NewDocument],
    batch: &BatchDocuments<'_>,
) -> Result<(), AppendError> {
    for event in events {
        for doc in listed_documents(&event.data, "documents") {
            let stored = batch.availability.stored.contains(&doc)
                || carried.iter().any(|d| d.sha256 == doc)
                || batch.new_documents.iter().any(|d| d.sha256 == doc);
            let withheld = batch.availability.withheld.contains(&doc)
                || batch.withheld.iter().any(|(w, _)| *w == doc);
            if !stored || withheld {
                return Err(AppendError::UnknownDocument(doc));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aa";
    const B: &str = "bb";

    fn naming(docs: &[&str]) -> Vec<PendingEvent> {
        vec![PendingEvent {
            event_type: "ReportSubmitted".into(),
            version: "1".into(),
            data: serde_json::json!({ "documents": docs }),
        }]
    }

    fn stored(docs: &[&str]) -> DocumentAvailability {
        DocumentAvailability {
            stored: docs.iter().map(|d| (*d).to_owned()).collect(),
            withheld: Default::default(),
        }
    }

    fn before_any(availability: &DocumentAvailability) -> BatchDocuments<'_> {
        BatchDocuments {
            availability,
            new_documents: &[],
            withheld: &[],
        }
    }

    fn carried(sha: &str) -> NewDocument {
        NewDocument {
            sha256: sha.into(),
            content: b"text".to_vec(),
            uploaded_by: "public".into(),
        }
    }

    #[test]
    fn a_stored_document_not_withheld_may_be_named() {
        let availability = stored(&[A]);
        let batch = before_any(&availability);
        assert!(check_documents(&naming(&[A]), &[], &batch).is_ok());
        assert!(check_documents(&naming(&[]), &[], &batch).is_ok());
    }

    #[test]
    fn a_document_nobody_stored_is_refused() {
        let availability = stored(&[A]);
        let refused = check_documents(&naming(&[A, B]), &[], &before_any(&availability));
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == B));
    }

    #[test]
    fn a_document_withheld_before_the_batch_is_refused() {
        let mut availability = stored(&[A]);
        availability.withheld.insert(A.into());
        let refused = check_documents(&naming(&[A]), &[], &before_any(&availability));
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
    }

    #[test]
    fn a_document_withheld_earlier_in_the_same_batch_is_refused() {
        let availability = stored(&[A]);
        // What the planner records for an accepted entry whose `data.withheld` lists A.
        let withheld = [(A.to_owned(), 41)];
        let batch = BatchDocuments {
            withheld: &withheld,
            ..before_any(&availability)
        };
        let refused = check_documents(&naming(&[A]), &[], &batch);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
        // Even when the command carries the bytes again (a public comment of the same text).
        let refused = check_documents(&naming(&[A]), &[carried(A)], &batch);
        assert!(matches!(refused, Err(AppendError::UnknownDocument(d)) if d == A));
    }

    #[test]
    fn bytes_carried_by_the_command_or_an_earlier_one_in_the_batch_count_as_stored() {
        let availability = stored(&[]);
        let batch = before_any(&availability);
        assert!(check_documents(&naming(&[B]), &[carried(B)], &batch).is_ok());
        let earlier = [carried(B)];
        let batch = BatchDocuments {
            new_documents: &earlier,
            ..before_any(&availability)
        };
        assert!(check_documents(&naming(&[B]), &[], &batch).is_ok());
        assert!(check_documents(&naming(&[B]), &[], &before_any(&availability)).is_err());
    }
}
