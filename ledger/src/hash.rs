//! SHA-256 digests as the ledger handles them: raw 32-byte arrays, written as lowercase hex.
//!
//! `docs/spec/ledger-format.md` writes `prev` and document names in lowercase hex, and compares
//! hashes as bytes, so there is exactly one accepted spelling of each hash.

use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The `prev` of the first entry of a stream: 64 `0` characters when written in hex.
pub const ZERO_HASH: Hash = [0; 32];

/// Number of hex characters in a written [`Hash`].
pub const HASH_HEX_LEN: usize = 64;

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// The lowercase hex spelling of a hash.
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

/// Parses exactly 64 lowercase hex characters.
///
/// Uppercase digits are refused (returns `None`) because the contract says hex is
/// lowercase: accepting two spellings would let one entry have two byte encodings.
pub fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != HASH_HEX_LEN || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_input_is_the_fips_180_value() {
        // FIPS 180-2 / NIST example: SHA-256("") = e3b0c442...b855.
        assert_eq!(
            to_hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hex_round_trips_and_refuses_other_spellings() {
        let h = sha256(b"abc");
        assert_eq!(from_hex(&to_hex(&h)), Some(h));
        assert_eq!(from_hex(&to_hex(&h).to_uppercase()), None);
        assert_eq!(from_hex(&to_hex(&h)[1..]), None);
        assert_eq!(from_hex(&format!("{}0", to_hex(&h))), None);
        assert_eq!(from_hex(&"0".repeat(64)), Some(ZERO_HASH));
        // Multi-byte characters must not panic the length check.
        assert_eq!(from_hex(&"é".repeat(32)), None);
    }
}
