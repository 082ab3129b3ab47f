//! The bytes each signature of an entry covers, cut out of the entry's canonical bytes.
//!
//! The log key signs canonical(entry without `sig`) and the actor signs
//! canonical(`auth.statement`). Both are substrings of canonical(entry), up to removing one
//! member, because RFC 8785 serializes a nested value exactly as it serializes that value
//! alone and joins members in a fixed order. Cutting them out avoids serializing the entry
//! twice more (with a copy of its `data`), which was about a quarter of the cost of reading
//! an entry. These functions only apply to bytes that
//! [`SignedEntry::parse`](ledger::entry::SignedEntry::parse) accepted, and so are canonical;
//! when the expected shape is not found they fall back to serializing, and debug builds
//! check every cut against the serialization.

use ledger::entry::{EntryError, SignedEntry};

/// The top-level `sig` member of a canonical entry, up to its value.
const SIG_MEMBER: &[u8] = b",\"sig\":\"";
/// Base64 length of a 64-byte signature.
const SIG_BASE64_LEN: usize = 88;
/// Base64 length of a 32-byte key.
const KEY_BASE64_LEN: usize = 44;

/// canonical(entry without its top-level `sig` member): what the log key signed.
pub(super) fn unsigned_entry(signed: &SignedEntry) -> Result<Vec<u8>, EntryError> {
    let bytes = &signed.bytes;
    let Some((start, end)) = top_level_sig(bytes) else {
        return signed.entry.signing_bytes();
    };
    let mut unsigned = Vec::with_capacity(bytes.len() - (end - start));
    unsigned.extend_from_slice(&bytes[..start]);
    unsigned.extend_from_slice(&bytes[end..]);
    debug_assert_eq!(Ok(&unsigned), signed.entry.signing_bytes().as_ref());
    Ok(unsigned)
}

/// Where the top-level `,"sig":"..."` member of a canonical entry starts and ends.
fn top_level_sig(bytes: &[u8]) -> Option<(usize, usize)> {
    // Members are sorted, so `sig` follows `seq` and precedes only `stream`, `type` and
    // `version`, whose values are strings: inside a string a quote is escaped, so the last
    // `,"sig":"` of the entry is the top-level member (`auth` and `data` come earlier and
    // may hold `sig` members of their own).
    let start = bytes
        .windows(SIG_MEMBER.len())
        .rposition(|window| window == SIG_MEMBER)?;
    let end = start + SIG_MEMBER.len() + SIG_BASE64_LEN + 1;
    (bytes.get(end - 1) == Some(&b'"')).then_some((start, end))
}

/// canonical(auth.statement) of an entry with `auth`: what the actor signed.
pub(super) fn statement(signed: &SignedEntry) -> Option<Vec<u8>> {
    let auth = signed.entry.auth.as_ref()?;
    let Some(statement) = statement_in(&signed.bytes) else {
        return Some(auth.statement.canonical_bytes());
    };
    debug_assert_eq!(statement, auth.statement.canonical_bytes().as_slice());
    Some(statement.to_vec())
}

/// The `auth.statement` object inside a canonical entry.
fn statement_in(bytes: &[u8]) -> Option<&[u8]> {
    // `auth` sorts first among an entry's members and `actor`, `sig`, `statement` is its
    // members' order, with values of fixed length before the statement.
    const OPEN: &[u8] = b"{\"auth\":{\"actor\":\"";
    const BETWEEN: &[u8] = b"\",\"sig\":\"";
    const BEFORE_STATEMENT: &[u8] = b"\",\"statement\":";
    let sig_at = OPEN.len() + KEY_BASE64_LEN;
    let start = sig_at + BETWEEN.len() + SIG_BASE64_LEN + BEFORE_STATEMENT.len();
    let shaped = bytes.starts_with(OPEN)
        && bytes.get(sig_at..sig_at + BETWEEN.len()) == Some(BETWEEN)
        && bytes.get(start - BEFORE_STATEMENT.len()..start) == Some(BEFORE_STATEMENT);
    if !shaped {
        return None;
    }
    let rest = bytes.get(start..)?;
    value_len(rest).map(|len| &rest[..len])
}

/// Length of the JSON object or array that `json` starts with, given valid JSON.
fn value_len(json: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, &byte) in json.iter().enumerate() {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    use super::*;
    use ledger::entry::Entry;
    use ledger::hash::ZERO_HASH;
    use ledger::statement::{Auth, Statement};
    use ledger::timestamp::Timestamp;

    #[test]
    fn value_len_skips_strings_and_nesting() {
        assert_eq!(value_len(br#"{"a":"}\"]"}tail"#), Some(12));
        assert_eq!(value_len(br#"[{"b":[1,{}]},"\\"],"x""#), Some(19));
        assert_eq!(value_len(b"{\"open\":"), None);
        assert_eq!(value_len(b"}"), None);
    }

    /// The cuts must be found on real entries, not only fall back to serializing.
    #[test]
    fn cuts_are_found_in_a_signed_entry() {
        let actor = SigningKey::from_bytes(&[3; 32]);
        let statement = Statement {
            origin: "o".into(),
            command: "PublishOffer".into(),
            stream: "offer/A".into(),
            body: json!({"sig": "\",\"sig\":\"", "n": {"}": [1]}}),
            issued_at: "2026-01-15T09:30:00Z".into(),
            nonce: "n1".into(),
        };
        let entry = Entry {
            index: 4,
            stream: "offer/A".into(),
            seq: 1,
            event_type: "OfferPublished".into(),
            version: "1".into(),
            recorded_at: Timestamp::from_millis(1_768_469_400_000),
            data: statement.body.clone(),
            auth: Some(Auth::sign(statement.clone(), &actor)),
            auth_at: None,
            prev: ZERO_HASH,
        };
        let signed = entry.sign(&SigningKey::from_bytes(&[1; 32])).unwrap();
        let (start, end) = top_level_sig(&signed.bytes).expect("sig member found");
        let mut unsigned = signed.bytes[..start].to_vec();
        unsigned.extend_from_slice(&signed.bytes[end..]);
        assert_eq!(unsigned, signed.entry.signing_bytes().unwrap());
        assert_eq!(
            statement_in(&signed.bytes).expect("statement found"),
            statement.canonical_bytes().as_slice()
        );
    }
}
