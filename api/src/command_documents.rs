//! Documents a command is about to name, read and checked at the edge before the command
//! runs: the domain is pure and never reads a document, so what it must know of one (a
//! revision's articles, that a comment's text is valid) is handed to it here.

use domain::participation::comment_text::check_comment_text;
use domain::participation::{Article, ConsultationCommand, DraftCommand};
use ledger::canonical;

use crate::commands::Routed;
use crate::error::ApiError;
use crate::store::Db;

/// Reads the documents `command` names and checks or attaches what the domain needs.
///
/// # Errors
/// 422 `invalid_comment_text` (a comment's text missing, not UTF-8, blank or too long),
/// 422 `invalid_articles` (a revision's document is not a canonical JSON articles array);
/// a revision whose document was never uploaded is left for the domain to refuse.
pub async fn prepare(db: &Db, command: &mut Routed) -> Result<(), ApiError> {
    match command {
        Routed::Draft(DraftCommand::PublishRevision(text)) => {
            if let Some(sha) = text.body.articles_document.clone() {
                if let Some(bytes) = db.uploaded_document(&sha).await? {
                    text.document_articles = Some(articles(&bytes)?);
                }
            }
        }
        Routed::Consultation(ConsultationCommand::Comment(body)) => {
            comment_text(db, &body.document).await?;
        }
        _ => {}
    }
    Ok(())
}

/// # Errors
/// 422 `invalid_comment_text` unless the document was uploaded and holds a valid text.
pub async fn comment_text(db: &Db, sha256: &str) -> Result<(), ApiError> {
    let bytes = db.uploaded_document(sha256).await?.ok_or_else(|| {
        ApiError::from(domain::DomainError::rule(
            "invalid_comment_text",
            format!("no document {sha256} was uploaded: upload the comment's text first"),
        ))
    })?;
    check_comment_text(&bytes)?;
    Ok(())
}

/// The articles a revision document holds: exactly the canonical JSON of the array, so its
/// SHA-256 is the text's.
fn articles(bytes: &[u8]) -> Result<Vec<Article>, ApiError> {
    let invalid = |why: String| {
        ApiError::from(domain::DomainError::rule(
            "invalid_articles",
            format!("the articles document {why}"),
        ))
    };
    let value = canonical::parse_canonical(bytes)
        .map_err(|e| invalid(format!("is not canonical JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| invalid(format!("is not an articles array: {e}")))
}
