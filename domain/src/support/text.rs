//! Free text in commands (titles, summaries, reasons): bounded, and never blank where it
//! is required, so that what the portal publishes is readable and entries stay small.

use crate::DomainError;

/// Titles and names.
pub const MAX_TITLE_CHARS: usize = 300;
/// Descriptions, summaries, reasons, justifications.
pub const MAX_TEXT_CHARS: usize = 5_000;

/// # Errors
/// 422 `code` when `text` is blank or longer than `max` characters.
pub fn require(code: &'static str, field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::rule(
            code,
            format!("{field} must not be blank"),
        ));
    }
    limit(code, field, text, max)
}

/// # Errors
/// 422 `code` when `text` is longer than `max` characters.
pub fn limit(code: &'static str, field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(DomainError::rule(
            code,
            format!("{field} is {chars} characters long; at most {max} are accepted"),
        ));
    }
    Ok(())
}

/// Whether an optional text is present and not blank.
pub fn given(text: Option<&str>) -> bool {
    text.is_some_and(|t| !t.trim().is_empty())
}

/// # Errors
/// 422 `invalid_document` unless `hex` is a lowercase hex SHA-256.
pub fn check_sha256(hex: &str) -> Result<(), DomainError> {
    if hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(DomainError::rule(
            "invalid_document",
            format!("{hex:?} is not a lowercase hex SHA-256"),
        ))
    }
}
