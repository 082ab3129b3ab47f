//! The fast way to read a stored entry: one pass proves the bytes canonical
//! ([`canonical::scan`]), and the fields are read from their byte ranges, with `data` and
//! the statement's `body` the only trees built.
//!
//! It answers `None` whenever it does not accept, and [`SignedEntry::parse`] then takes
//! the strict path, which gives the reason. So it must accept exactly what the strict path
//! accepts with the same result, never more: on top of the canonical check, every member
//! whose type has more than one spelling (timestamps, hex, base64) must be spelled as the
//! ledger writes it, which is what the strict path's re-serialization proves.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

use super::{entry_hash, Entry, SignedEntry};
use crate::canonical::scan::{self, Canonical};
use crate::hash::{from_hex, to_hex};
use crate::statement::{decode_signature, ActorKeys, Auth};
use crate::timestamp::Timestamp;

/// The entry `bytes` hold, when they are exactly what [`Entry::sign`] writes for it.
pub(super) fn read(bytes: &[u8], keys: &mut ActorKeys) -> Option<SignedEntry> {
    let mut auth: Option<Canonical<'_>> = None;
    let mut auth_at = None;
    let mut data = None;
    let mut index = None;
    let mut prev = None;
    let mut recorded_at = None;
    let mut seq = None;
    let mut sig = None;
    let mut stream = None;
    let mut event_type = None;
    let mut version = None;
    // Names are strictly increasing in canonical bytes, so each is met at most once.
    for member in scan::check(bytes)?.members()? {
        let value = member.value;
        match member.name.as_ref() {
            "auth" => auth = Some(value),
            "auth_at" => auth_at = Some(value.as_u64()?),
            "data" => data = Some(value),
            "index" => index = Some(value.as_u64()?),
            "prev" => prev = Some(value.as_str()?),
            "recorded_at" => recorded_at = Some(value.as_str()?),
            "seq" => seq = Some(value.as_u64()?),
            "sig" => sig = Some(value.as_str()?),
            "stream" => stream = Some(value.as_str()?),
            "type" => event_type = Some(value.as_str()?),
            "version" => version = Some(value.as_str()?),
            _ => return None,
        }
    }
    let (recorded_at_text, prev_text, sig_text) = (recorded_at?, prev?, sig?);
    let recorded_at = Timestamp::parse_entry(&recorded_at_text).ok()?;
    let prev = from_hex(&prev_text)?;
    let sig = decode_signature(&sig_text)?;
    // One spelling each, as the strict path's re-serialization requires.
    if recorded_at.to_entry_string() != recorded_at_text
        || to_hex(&prev) != prev_text
        || BASE64.encode(sig.to_bytes()) != sig_text
    {
        return None;
    }
    let data = data?;
    if !data.is_object() {
        return None;
    }
    let entry = Entry {
        index: index?,
        stream: stream?.into_owned(),
        seq: seq?,
        event_type: event_type?.into_owned(),
        version: version?.into_owned(),
        recorded_at,
        data: data.to_value()?,
        auth: match auth {
            Some(auth) => Some(Auth::from_canonical(auth, keys)?),
            None => None,
        },
        auth_at,
        prev,
    };
    entry.check_shape().ok()?;
    Some(SignedEntry {
        entry,
        sig,
        bytes: bytes.to_vec(),
        hash: entry_hash(bytes),
    })
}
