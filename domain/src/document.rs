//! The `document/<sha256>` aggregate: an administrator's declaration that a document the
//! log names is not available, so that a log naming a document nobody supplied can be
//! exported and verified again (docs/hardening.md, "Documents").
//!
//! The offline verifier accepts a named document's absence only if some entry lists it in
//! `data.withheld`; `DocumentDeclaredUnavailable` is such an entry, signed by an
//! administrator, with a reason that stays in the log. One stream per document: a
//! declaration is made once, and the stream is where an auditor finds it.
//!
//! What this aggregate decides is what the log can tell: the document is named by some
//! entry and not withheld yet. Whether its bytes are stored is the edge's to check (the
//! domain does no I/O): a document the server serves is not declared unavailable.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::names::{event, stream};
use crate::support::text::{check_sha256, require, MAX_TEXT_CHARS};
use crate::{DomainError, LedgerEvent, Services};

/// The documents an entry's `data` lists under `member`: `documents` (what it names) or
/// `withheld` (what it withholds), as the offline verifier reads them; anything else there
/// is no document.
pub fn listed_documents(data: &serde_json::Value, member: &str) -> Vec<String> {
    data.get(member)
        .and_then(serde_json::Value::as_array)
        .map(|docs| {
            docs.iter()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Body of `DeclareDocumentUnavailable`, on stream `document/<document>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclareDocumentUnavailable {
    /// SHA-256 (hex) of the document, as the entries naming it write it.
    pub document: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DocumentCommand {
    DeclareUnavailable(DeclareDocumentUnavailable),
}

/// `data` of `DocumentDeclaredUnavailable`: the body and `withheld`, the one document,
/// which the verifier's rule "missing only if withheld" reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentDeclaredUnavailable {
    pub document: String,
    pub reason: String,
    pub withheld: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DocumentEvent {
    DocumentDeclaredUnavailable(DocumentDeclaredUnavailable),
}

impl DomainEvent for DocumentEvent {
    fn event_type(&self) -> String {
        match self {
            Self::DocumentDeclaredUnavailable(_) => event::DOCUMENT_DECLARED_UNAVAILABLE.into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for DocumentEvent {
    const STREAM_TYPE: &'static str = stream::DOCUMENT;
    const TYPES: &'static [&'static str] = &[event::DOCUMENT_DECLARED_UNAVAILABLE];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    declared: bool,
}

impl Aggregate for Document {
    const TYPE: &'static str = "document";
    type Command = DocumentCommand;
    type Event = DocumentEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            DocumentCommand::DeclareUnavailable(body) => self.declare(body, services)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            DocumentEvent::DocumentDeclaredUnavailable(_) => self.declared = true,
        }
    }
}

impl Document {
    fn declare(
        &self,
        body: DeclareDocumentUnavailable,
        services: &Services,
    ) -> Result<DocumentEvent, DomainError> {
        check_sha256(&body.document)?;
        require("reason_required", "reason", &body.reason, MAX_TEXT_CHARS)?;
        let facts = services.registry.document(&body.document);
        if self.declared || facts.as_ref().is_some_and(|f| f.withheld) {
            return Err(DomainError::state(
                "already_unavailable",
                "the document is already withheld or declared unavailable",
            ));
        }
        if facts.is_none_or(|f| f.namers.is_empty()) {
            return Err(DomainError::rule(
                "unknown_document",
                "no entry names this document: there is nothing to declare",
            ));
        }
        Ok(DocumentEvent::DocumentDeclaredUnavailable(
            DocumentDeclaredUnavailable {
                withheld: vec![body.document.clone()],
                document: body.document,
                reason: body.reason,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use serde_json::json;

    use super::*;
    use crate::support::fixtures::{record_raw, services_at};
    use crate::world::World;

    const NOW: &str = "2026-02-10T12:00:00Z";

    fn sha(n: u8) -> String {
        format!("{n:064x}")
    }

    fn declare(document: &str, reason: &str) -> DocumentCommand {
        DocumentCommand::DeclareUnavailable(DeclareDocumentUnavailable {
            document: document.to_owned(),
            reason: reason.to_owned(),
        })
    }

    fn declared(document: &str) -> DocumentEvent {
        DocumentEvent::DocumentDeclaredUnavailable(DocumentDeclaredUnavailable {
            document: document.to_owned(),
            reason: "Jamais fourni".to_owned(),
            withheld: vec![document.to_owned()],
        })
    }

    /// A world where award W1's report names document 1.
    fn named() -> World {
        let mut w = World::default();
        record_raw(
            &mut w,
            "award/W1",
            "ReportSubmitted",
            &json!({"kind": "activity", "summary": "s", "document": sha(1),
                    "offer": "O1", "association": "A1", "documents": [sha(1)]}),
        );
        w
    }

    fn code(world: World, given: Vec<DocumentEvent>, command: DocumentCommand) -> String {
        TestFramework::<Document>::with(services_at(NOW, world))
            .given(given)
            .when(command)
            .inspect_result()
            .unwrap_err()
            .code
            .to_string()
    }

    #[test]
    fn a_named_document_is_declared_unavailable_and_withheld() {
        TestFramework::<Document>::with(services_at(NOW, named()))
            .given_no_previous_events()
            .when(declare(&sha(1), "Jamais fourni"))
            .then_expect_events(vec![declared(&sha(1))]);
    }

    #[test]
    fn a_declaration_is_made_once() {
        assert_eq!(
            code(named(), vec![declared(&sha(1))], declare(&sha(1), "Encore")),
            "already_unavailable"
        );
        let mut withheld = named();
        record_raw(
            &mut withheld,
            "consultation/C1",
            "CommentModerated",
            &json!({"comment": 1, "action": "hide", "ground": "personal_data",
                    "note": "n", "withheld": [sha(1)]}),
        );
        assert_eq!(
            code(withheld, vec![], declare(&sha(1), "Encore")),
            "already_unavailable"
        );
    }

    #[test]
    fn a_document_no_entry_names_a_bad_hash_or_no_reason_is_refused() {
        assert_eq!(
            code(named(), vec![], declare(&sha(2), "Jamais fourni")),
            "unknown_document"
        );
        assert_eq!(
            code(named(), vec![], declare("ABC", "Jamais fourni")),
            "invalid_document"
        );
        assert_eq!(
            code(named(), vec![], declare(&sha(1), "  ")),
            "reason_required"
        );
    }
}
