//! Documents a command is about to name, read and checked at the edge before the command
//! runs: the domain is pure and never reads a document, so what it must know of one (a
//! revision's articles, that a comment's text is valid) is handed to it here, and a
//! command naming a document that is not stored, or is withheld, is refused before it
//! runs. The sequencer checks the same again under the lock (docs/hardening.md).

use domain::document::DocumentCommand;
use domain::participation::comment_text::check_comment_text;
use domain::participation::{Article, ConsultationCommand, DraftCommand};
use domain::support::{ApplicationCommand, AwardCommand};
use ledger::canonical;

use crate::refusal::Refusal;
use domain::command::AggregateCommand;
use store::Db;

/// Reads the documents `command` names and checks or attaches what the domain needs.
///
/// # Errors
/// 422 `invalid_comment_text` (a comment's text missing, not UTF-8, blank or too long),
/// 422 `invalid_articles` (a revision's document is not a canonical JSON articles array);
/// 422 `unknown_document` (a report, an application or results naming a document that is
/// not stored or is withheld); a revision whose document was never uploaded is left for
/// the domain to refuse (its own `unknown_document`).
pub async fn prepare(db: &Db, command: &mut AggregateCommand) -> Result<(), Refusal> {
    match command {
        AggregateCommand::Award(AwardCommand::Report(body)) => {
            available(db, std::slice::from_ref(&body.document)).await?;
        }
        AggregateCommand::Application(ApplicationCommand::Submit(body)) => {
            available(db, &body.documents).await?;
        }
        AggregateCommand::Consultation(ConsultationCommand::PublishResults(body)) => {
            available(db, &body.documents).await?;
        }
        AggregateCommand::Document(DocumentCommand::DeclareUnavailable(body)) => {
            // Only a document the server cannot serve is declared unavailable: a stored
            // one is withheld by moderation, with its own rules, or not at all.
            let found = db
                .document_availability(std::slice::from_ref(&body.document))
                .await?;
            if found.available(&body.document) {
                return Err(Refusal::from(domain::DomainError::state(
                    "document_available",
                    format!(
                        "the server holds document {}: only a missing document is declared unavailable",
                        body.document
                    ),
                )));
            }
        }
        AggregateCommand::Draft(DraftCommand::PublishRevision(text)) => {
            if let Some(sha) = text.body.articles_document.clone() {
                if let Some(bytes) = db.uploaded_document(&sha).await? {
                    text.document_articles = Some(articles(&bytes)?);
                }
            }
        }
        AggregateCommand::Consultation(ConsultationCommand::Comment(body)) => {
            comment_text(db, &body.document).await?;
        }
        _ => {}
    }
    Ok(())
}

/// # Errors
/// 422 `unknown_document` for the first of `documents` that is well formed but not stored,
/// or withheld. A malformed hash is left for the domain, which says what is wrong with it.
pub async fn available(db: &Db, documents: &[String]) -> Result<(), Refusal> {
    let named: Vec<String> = documents
        .iter()
        .filter(|d| {
            d.len() == 64
                && d.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .cloned()
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let found = db.document_availability(&named).await?;
    match named.iter().find(|d| !found.available(d)) {
        None => Ok(()),
        Some(d) if found.withheld.contains(d) => Err(unknown_document(format!(
            "document {d} was withheld by moderation or declared unavailable: it cannot be named again"
        ))),
        Some(d) => Err(unknown_document(format!(
            "no document {d} was uploaded: upload it (POST /v1/documents) before naming it"
        ))),
    }
}

fn unknown_document(message: String) -> Refusal {
    Refusal::from(domain::DomainError::rule("unknown_document", message))
}

/// # Errors
/// 422 `invalid_comment_text` unless the document was uploaded and holds a valid text.
pub async fn comment_text(db: &Db, sha256: &str) -> Result<(), Refusal> {
    let bytes = db.uploaded_document(sha256).await?.ok_or_else(|| {
        Refusal::from(domain::DomainError::rule(
            "invalid_comment_text",
            format!("no document {sha256} was uploaded: upload the comment's text first"),
        ))
    })?;
    check_comment_text(&bytes)?;
    Ok(())
}

/// A public comment's text, arriving with the comment rather than uploaded: it must be
/// the bytes `sha256` names, a valid text, and not a text withheld by moderation.
///
/// # Errors
/// 422 `invalid_comment_text`.
pub async fn carried_comment_text(db: &Db, sha256: &str, text: &[u8]) -> Result<(), Refusal> {
    if ledger::hash::to_hex(&ledger::hash::sha256(text)) != sha256 {
        return Err(Refusal::internal(
            &"a public comment's text is not its document",
        ));
    }
    check_comment_text(text)?;
    let found = db.document_availability(&[sha256.to_owned()]).await?;
    if found.withheld.contains(sha256) {
        // Its bytes were deleted on purpose; taking them in again would publish them anew.
        return Err(Refusal::from(domain::DomainError::rule(
            "invalid_comment_text",
            "this text was withheld by moderation and cannot be submitted again",
        )));
    }
    Ok(())
}

/// The articles a revision document holds: exactly the canonical JSON of the array, so its
/// SHA-256 is the text's.
fn articles(bytes: &[u8]) -> Result<Vec<Article>, Refusal> {
    let invalid = |why: String| {
        Refusal::from(domain::DomainError::rule(
            "invalid_articles",
            format!("the articles document {why}"),
        ))
    };
    let value = canonical::parse_canonical(bytes)
        .map_err(|e| invalid(format!("is not canonical JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| invalid(format!("is not an articles array: {e}")))
}
