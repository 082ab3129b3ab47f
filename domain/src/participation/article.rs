//! Articles, the unit a draft law is written, consulted on, commented and diffed in; and
//! the text's SHA-256, which binds a revision to its exact words.

use ledger::canonical;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::support::text::{require, MAX_TITLE_CHARS};
use crate::{AggregateId, DomainError};

/// At most this many articles in a text.
pub const MAX_ARTICLES: usize = 500;
/// An article's text, in characters (a long article is still one article).
pub const MAX_ARTICLE_CHARS: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: String,
    pub heading: String,
    pub text: String,
}

/// # Errors
/// 422 `invalid_articles`, naming the first article at fault.
pub fn check_articles(articles: &[Article]) -> Result<(), DomainError> {
    if articles.is_empty() || articles.len() > MAX_ARTICLES {
        return Err(DomainError::rule(
            "invalid_articles",
            format!("a text has 1 to {MAX_ARTICLES} articles"),
        ));
    }
    for (i, a) in articles.iter().enumerate() {
        AggregateId::parse(&a.id).map_err(|_| {
            DomainError::rule(
                "invalid_articles",
                format!("article id {:?} must be 1 to 64 of [A-Za-z0-9._-]", a.id),
            )
        })?;
        if articles[..i].iter().any(|o| o.id == a.id) {
            return Err(DomainError::rule(
                "invalid_articles",
                format!("article {:?} appears twice", a.id),
            ));
        }
        require(
            "invalid_articles",
            "an article's heading",
            &a.heading,
            MAX_TITLE_CHARS,
        )?;
        require(
            "invalid_articles",
            "an article's text",
            &a.text,
            MAX_ARTICLE_CHARS,
        )?;
    }
    Ok(())
}

/// SHA-256 (hex) of the RFC 8785 canonical JSON of the articles array.
pub fn text_sha256(articles: &[Article]) -> String {
    let value = serde_json::to_value(articles).unwrap_or_default();
    hex::encode(Sha256::digest(
        canonical::to_bytes(&value).unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            heading: format!("Article {id}"),
            text: text.into(),
        }
    }

    #[test]
    fn the_text_hash_is_of_the_canonical_articles() {
        let articles = vec![article("1", "Objet")];
        // Member order in the canonical form is sorted: heading, id, text.
        let canonical = br#"[{"heading":"Article 1","id":"1","text":"Objet"}]"#;
        assert_eq!(
            text_sha256(&articles),
            hex::encode(Sha256::digest(canonical))
        );
        assert_ne!(
            text_sha256(&articles),
            text_sha256(&[article("1", "Objet.")])
        );
    }

    #[test]
    fn articles_are_checked() {
        assert!(check_articles(&[article("1", "x")]).is_ok());
        for bad in [
            vec![],
            vec![article("1", "x"), article("1", "y")],
            vec![article("", "x")],
            vec![article("1", " ")],
        ] {
            assert_eq!(check_articles(&bad).unwrap_err().code, "invalid_articles");
        }
    }
}
