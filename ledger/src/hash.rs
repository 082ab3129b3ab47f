//! SHA-256 hashes as the ledger uses them: raw 32-byte arrays, written as lowercase hex.

/// A SHA-256 digest.
pub type Hash = [u8; 32];

/// The hash written as `prev` on the first entry of a stream (64 `0` characters in hex).
pub const ZERO_HASH: Hash = [0; 32];

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Hash {
    todo!()
}

/// Lowercase hex of a hash.
pub fn to_hex(h: &Hash) -> String {
    todo!()
}

/// Parses exactly 64 lowercase hex characters; anything else is `None`.
pub fn from_hex(s: &str) -> Option<Hash> {
    todo!()
}
