//! Fuzz target: the strict canonical-JSON parser and the JCS serializer
//! (`ledger::canonical`).
//!
//! For any bytes, never a panic, and:
//! - whatever `parse` accepts serializes, and its serialization is accepted by
//!   `parse_canonical`, reads back as the same value and serializes to the same bytes
//!   (one value, one encoding);
//! - `parse_canonical` accepts exactly the inputs that `parse` accepts and that equal
//!   their own serialization, with the same value;
//! - what `parse` accepts, `serde_json` (a general parser) reads as the same value: the
//!   strict parser only ever refuses more, never reads differently;
//! - accepted values obey the number rules and the depth limit.
#![no_main]

use ledger::canonical::{self, MAX_DEPTH};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let parsed = canonical::parse(data);
    let strict = canonical::parse_canonical(data);
    let Ok(value) = parsed else {
        assert!(
            strict.is_err(),
            "parse_canonical accepted what parse refused"
        );
        return;
    };
    let bytes = canonical::to_bytes(&value).expect("a parsed value serializes");
    let again = canonical::parse_canonical(&bytes).expect("a serialization is canonical");
    assert_eq!(
        again, value,
        "the serialization reads back as another value"
    );
    assert_eq!(
        canonical::to_bytes(&again).expect("serializes"),
        bytes,
        "serializing twice gives other bytes"
    );
    match strict {
        Ok(strict_value) => {
            assert_eq!(bytes, data, "parse_canonical accepted non-canonical bytes");
            assert_eq!(strict_value, value);
        }
        Err(e) => assert_ne!(bytes, data, "parse_canonical refused canonical bytes: {e}"),
    }
    let general: Value = serde_json::from_slice(data).expect("serde_json reads what parse accepts");
    assert_eq!(general, value, "serde_json reads another value");
    assert!(canonical::check_numbers(&value).is_ok());
    assert!(canonical::depth(&value) <= MAX_DEPTH);
});
