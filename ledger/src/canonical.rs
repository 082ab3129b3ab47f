//! RFC 8785 (JCS) canonical JSON, restricted to the number rules of `ledger-format.md`.

use serde_json::Value;

/// Largest integer magnitude allowed (2^53 - 1).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// Why bytes or a value are not acceptable canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// The input is not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// The input is not JSON.
    #[error("JSON syntax error at byte {offset}")]
    Syntax {
        /// Byte offset of the error.
        offset: usize,
    },
    /// An object repeats a member name.
    #[error("duplicate member name {0:?}")]
    DuplicateKey(String),
    /// A number has a fraction or an exponent.
    #[error("number is not an integer")]
    NotAnInteger,
    /// An integer's magnitude is 2^53 or more.
    #[error("integer out of range")]
    IntegerOutOfRange,
    /// `-0`.
    #[error("negative zero")]
    NegativeZero,
    /// A `\u` escape is a lone surrogate.
    #[error("lone surrogate in string")]
    LoneSurrogate,
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("nesting too deep")]
    TooDeep,
    /// Something follows the value.
    #[error("trailing data after JSON value")]
    TrailingData,
    /// Valid, but not the canonical serialization.
    #[error("not canonical JSON")]
    NotCanonical,
}

/// Parses strict JSON.
///
/// # Errors
/// See [`CanonicalError`].
pub fn parse(bytes: &[u8]) -> Result<Value, CanonicalError> {
    todo!()
}

/// RFC 8785 serialization.
///
/// # Errors
/// Non-integer or out-of-range numbers.
pub fn to_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    todo!()
}

/// Parses and requires the input to be its own canonical form.
///
/// # Errors
/// See [`CanonicalError`].
pub fn parse_canonical(bytes: &[u8]) -> Result<Value, CanonicalError> {
    todo!()
}

/// Checks the number rules on a value built elsewhere.
///
/// # Errors
/// The first number that breaks the rules.
pub fn check_numbers(value: &Value) -> Result<(), CanonicalError> {
    todo!()
}
