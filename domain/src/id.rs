//! Aggregate identifiers and stream names, parsed once at the edge ("parse, don't validate").

use std::fmt;

use crate::names::stream;
use crate::DomainError;

/// The longest aggregate id `docs/spec/ledger-format.md` (section 2.3) allows.
pub const MAX_ID_CHARS: usize = 64;

/// A client-chosen aggregate id: 1 to 64 characters of `[A-Za-z0-9][A-Za-z0-9._-]*`.
///
/// Clients choose ids so that a retried command is idempotent; the pattern keeps ids safe
/// in URLs, file names and SQL without escaping (no `/`, no `..` at the start).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AggregateId(String);

impl AggregateId {
    /// # Errors
    /// `invalid_id` when the text does not match the pattern.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let mut chars = text.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if first_ok && rest_ok && text.len() <= MAX_ID_CHARS {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::invalid(
                "invalid_id",
                format!("aggregate id {text:?} must be 1 to 64 characters of [A-Za-z0-9][A-Za-z0-9._-]*"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AggregateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stream types of `docs/spec/ledger-format.md` (section 2.3), one per aggregate type, and
/// `document` (docs/hardening.md).
pub const STREAM_TYPES: [&str; 11] = [
    stream::REGISTRY,
    stream::INSTITUTION,
    stream::ASSOCIATION,
    stream::OFFER,
    stream::APPLICATION,
    stream::AWARD,
    stream::CONSULTATION,
    stream::DRAFT,
    stream::TRAINING,
    stream::LOG,
    stream::DOCUMENT,
];

/// `"<aggregate type>/<aggregate id>"`, the `stream` of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StreamName {
    pub kind: &'static str,
    pub id: AggregateId,
}

impl StreamName {
    /// # Errors
    /// `invalid_stream` for an unknown type or a missing `/`; `invalid_id` for a bad id.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let (kind, id) = text.split_once('/').ok_or_else(|| {
            DomainError::invalid(
                "invalid_stream",
                format!("stream {text:?} must be <type>/<id>"),
            )
        })?;
        let kind = STREAM_TYPES.iter().find(|k| **k == kind).ok_or_else(|| {
            DomainError::invalid("invalid_stream", format!("unknown stream type {kind:?}"))
        })?;
        Ok(Self {
            kind,
            id: AggregateId::parse(id)?,
        })
    }
}

impl fmt::Display for StreamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_pattern_of_api_md() {
        for good in ["a", "OFR-2025-0001", "x.y_z-1", &"a".repeat(64)] {
            assert!(AggregateId::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-a",
            ".hidden",
            "a/b",
            "../etc",
            "é",
            "a b",
            &"a".repeat(65),
        ] {
            assert_eq!(
                AggregateId::parse(bad).unwrap_err().code,
                "invalid_id",
                "{bad}"
            );
        }
    }

    #[test]
    fn streams_name_a_known_type_and_a_valid_id() {
        let s = StreamName::parse("offer/OFR-1").unwrap();
        assert_eq!((s.kind, s.id.as_str()), ("offer", "OFR-1"));
        assert_eq!(s.to_string(), "offer/OFR-1");
        assert_eq!(
            StreamName::parse("bogus/x").unwrap_err().code,
            "invalid_stream"
        );
        assert_eq!(
            StreamName::parse("offer").unwrap_err().code,
            "invalid_stream"
        );
        assert_eq!(
            StreamName::parse("offer/../x").unwrap_err().code,
            "invalid_id"
        );
    }
}
