//! The rule on a comment's text, which travels as a document (so it can be withheld) and
//! is therefore checked where the document's bytes are: at the edge, with this function.

use crate::DomainError;

/// The longest comment, in characters (Unicode scalar values) after trimming: long enough
/// for an argued proposal on an article, short enough to be read and answered one by one.
pub const MAX_COMMENT_CHARS: usize = 5_000;

/// # Errors
/// 422 `invalid_comment_text` when the bytes are not UTF-8, or the text is blank or longer
/// than [`MAX_COMMENT_CHARS`].
pub fn check_comment_text(bytes: &[u8]) -> Result<(), DomainError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| DomainError::rule("invalid_comment_text", "a comment's text is UTF-8"))?;
    let chars = text.trim().chars().count();
    if chars == 0 {
        return Err(DomainError::rule(
            "invalid_comment_text",
            "the comment is empty",
        ));
    }
    if chars > MAX_COMMENT_CHARS {
        return Err(DomainError::rule(
            "invalid_comment_text",
            format!(
                "the comment is {chars} characters long; at most {MAX_COMMENT_CHARS} are accepted"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_texts_are_bounded_and_not_blank() {
        assert!(check_comment_text("نص التعليق".as_bytes()).is_ok());
        assert!(check_comment_text("x".repeat(MAX_COMMENT_CHARS).as_bytes()).is_ok());
        for bad in [&b"   "[..], b"", &[0xff, 0xfe][..]] {
            assert_eq!(
                check_comment_text(bad).unwrap_err().code,
                "invalid_comment_text"
            );
        }
        let long = "é".repeat(MAX_COMMENT_CHARS + 1);
        assert!(check_comment_text(long.as_bytes())
            .unwrap_err()
            .message
            .contains("5001"));
    }
}
