//! UTC timestamps in the two textual forms of `ledger-format.md`.

use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// The text does not have the required shape.
    #[error("malformed timestamp")]
    Malformed,
}

impl Timestamp {
    /// Builds a timestamp from milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }
    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }
    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.sssZ`.
    ///
    /// # Errors
    /// [`TimestampError`] for any other text.
    pub fn parse_entry(s: &str) -> Result<Self, TimestampError> {
        todo!()
    }
    /// Parses `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.sssZ`.
    ///
    /// # Errors
    /// [`TimestampError`] for any other text.
    pub fn parse_statement(s: &str) -> Result<Self, TimestampError> {
        todo!()
    }
    /// Writes `YYYY-MM-DDTHH:MM:SS.sssZ`.
    pub fn to_entry_string(self) -> String {
        todo!()
    }
    /// This timestamp moved by `ms` milliseconds.
    pub fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_entry_string())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_entry_string())
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse_statement(&s).map_err(serde::de::Error::custom)
    }
}
