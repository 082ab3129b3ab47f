//! RFC 8785 (JCS) canonical JSON, restricted to the number rules of `docs/spec/ledger-format.md`.
//!
//! Everything the ledger signs or hashes is `canonical(x)`: the JCS serialization of a
//! JSON value, as UTF-8. Two halves live here:
//!
//! - [`parse`], a strict parser written by hand. General-purpose parsers are too lenient
//!   for signed data: `serde_json` keeps the last of two duplicate member names, so
//!   `{"amount":1,"amount":1000}` would mean different things to different verifiers.
//!   This parser refuses duplicates, fractions, exponents, `-0`, integers of magnitude
//!   2^53 or more, lone surrogates and nesting deeper than [`MAX_DEPTH`].
//! - [`to_bytes`], the JCS serializer: members sorted by their UTF-16 code units, no
//!   whitespace, JCS string escaping (RFC 8785 section 3.2.2.2), integers in decimal.
//!
//! Because every number is an integer below 2^53, the ECMAScript number formatting of
//! JCS reduces to plain decimal, and no floating point code is needed.

pub mod scan;

use serde_json::{Map, Number, Value};

/// Largest integer magnitude allowed: 2^53 - 1, the largest integer every JSON
/// implementation (including JavaScript's) represents exactly.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Deepest nesting of arrays and objects accepted; `[]` has depth 1. The limit keeps the
/// recursive parser and serializer far from the end of the stack on hostile input.
pub const MAX_DEPTH: usize = 64;

/// Why bytes or a value are not acceptable canonical JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// The input is not UTF-8.
    #[error("not UTF-8")]
    InvalidUtf8,
    /// The input is not JSON.
    #[error("malformed JSON at byte {offset}")]
    Syntax {
        /// Byte offset of the first byte that cannot be read.
        offset: usize,
    },
    /// An object names the same member twice (compared after unescaping).
    #[error("duplicate member name {0:?}")]
    DuplicateKey(String),
    /// A number has a fraction or an exponent, or is a floating point value.
    #[error("number is not an integer")]
    NotAnInteger,
    /// An integer's magnitude is 2^53 or more.
    #[error("integer out of range (magnitude must be below 2^53)")]
    IntegerOutOfRange,
    /// The number `-0`.
    #[error("negative zero")]
    NegativeZero,
    /// A `\u` escape names half of a surrogate pair without the other half.
    #[error("lone surrogate in string")]
    LoneSurrogate,
    /// Arrays and objects nested deeper than [`MAX_DEPTH`].
    #[error("nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Something other than whitespace follows the value.
    #[error("trailing data after JSON value")]
    TrailingData,
    /// Valid JSON, but not byte for byte its own canonical serialization.
    #[error("not canonical JSON")]
    NotCanonical,
}

/// Parses strict JSON into a [`Value`] (object members in input order).
///
/// JSON whitespace is accepted between tokens; use [`parse_canonical`] to also require
/// the canonical form.
///
/// # Errors
/// [`CanonicalError::InvalidUtf8`] for bytes that are not UTF-8; otherwise the first
/// problem met while reading: syntax, duplicate member name, non-integer number,
/// integer out of range, `-0`, lone surrogate, nesting too deep, or trailing data.
pub fn parse(bytes: &[u8]) -> Result<Value, CanonicalError> {
    // Checking UTF-8 once up front lets the parser copy string bytes without re-checking.
    std::str::from_utf8(bytes).map_err(|_| CanonicalError::InvalidUtf8)?;
    let mut parser = Parser { bytes, pos: 0 };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != bytes.len() {
        return Err(CanonicalError::TrailingData);
    }
    Ok(value)
}

/// Serializes `value` as RFC 8785 canonical JSON.
///
/// Object members are sorted by the UTF-16 code units of their names; strings use the
/// JCS escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls as lowercase
/// `\u00xx`, everything else as UTF-8); integers are written in decimal.
///
/// # Errors
/// [`CanonicalError::NotAnInteger`] for a floating point number,
/// [`CanonicalError::IntegerOutOfRange`] for an integer of magnitude 2^53 or more,
/// [`CanonicalError::TooDeep`] for nesting deeper than [`MAX_DEPTH`].
pub fn to_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::new();
    write_value(value, &mut out, 0)?;
    Ok(out)
}

/// Parses `bytes` and requires them to be exactly the canonical serialization of the
/// value they hold: this is how stored entries are read.
///
/// # Errors
/// Everything [`parse`] refuses, and [`CanonicalError::NotCanonical`] when the bytes are
/// valid but spelled differently (whitespace, member order, escapes).
pub fn parse_canonical(bytes: &[u8]) -> Result<Value, CanonicalError> {
    let value = parse(bytes)?;
    if to_bytes(&value)? != bytes {
        return Err(CanonicalError::NotCanonical);
    }
    Ok(value)
}

/// Checks the number rules (and the depth limit) on a value built elsewhere, for
/// example by a caller's own deserializer.
///
/// # Errors
/// The first offending number, as in [`to_bytes`], or [`CanonicalError::TooDeep`].
pub fn check_numbers(value: &Value) -> Result<(), CanonicalError> {
    check_value(value, 0)
}

/// The nesting depth of `value`: 0 for a scalar, 1 for `[]` or `{}`.
///
/// Values built by hand can be nested without limit; this walks them without recursion
/// so it is safe to call before deciding whether to serialize.
pub fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(d + 1);
                stack.extend(items.iter().map(|item| (item, d + 1)));
            }
            Value::Object(members) => {
                deepest = deepest.max(d + 1);
                stack.extend(members.values().map(|item| (item, d + 1)));
            }
            _ => {}
        }
    }
    deepest
}

/// Compares member names as RFC 8785 section 3.2.3 requires: by UTF-16 code units,
/// which differs from UTF-8 byte order for characters above U+FFFF versus U+E000..U+FFFF.
pub fn compare_member_names(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn check_value(value: &Value, depth: usize) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) => integer_of(n).map(|_| ()),
        Value::Array(items) => {
            let depth = enter(depth)?;
            items.iter().try_for_each(|v| check_value(v, depth))
        }
        Value::Object(members) => {
            let depth = enter(depth)?;
            members.values().try_for_each(|v| check_value(v, depth))
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// One level deeper, or [`CanonicalError::TooDeep`].
fn enter(depth: usize) -> Result<usize, CanonicalError> {
    if depth >= MAX_DEPTH {
        Err(CanonicalError::TooDeep)
    } else {
        Ok(depth + 1)
    }
}

/// The integer a [`Number`] holds, if it obeys the number rules.
fn integer_of(n: &Number) -> Result<i64, CanonicalError> {
    let i = if let Some(i) = n.as_i64() {
        i
    } else if n.as_u64().is_some() {
        return Err(CanonicalError::IntegerOutOfRange);
    } else {
        return Err(CanonicalError::NotAnInteger);
    };
    if i.unsigned_abs() > MAX_SAFE_INTEGER.unsigned_abs() {
        return Err(CanonicalError::IntegerOutOfRange);
    }
    Ok(i)
}

fn write_value(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(integer_of(n)?.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            let depth = enter(depth)?;
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out, depth)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let depth = enter(depth)?;
            let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
            sorted.sort_by(|a, b| compare_member_names(a.0, b.0));
            out.push(b'{');
            for (i, (name, member)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(name, out);
                out.push(b':');
                write_value(member, out, depth)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Writes a JSON string with the escaping of RFC 8785 section 3.2.2.2 (that of
/// ECMAScript's `JSON.stringify`): only `"`, `\` and controls below U+0020 are escaped.
fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Copy runs of bytes that need no escape in one go: most strings have none at all,
    // and this is the hottest loop of signing and of verifying an export.
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            // Bytes of multi-byte UTF-8 sequences are all >= 0x80 and pass unchanged.
            _ => continue,
        };
        out.extend_from_slice(&bytes[run_start..i]);
        run_start = i + 1;
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
    }
    out.extend_from_slice(&bytes[run_start..]);
    out.push(b'"');
}

/// A recursive descent parser over bytes already known to be UTF-8.
struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn syntax(&self) -> CanonicalError {
        CanonicalError::Syntax { offset: self.pos }
    }

    /// Consumes `c` or fails.
    fn expect(&mut self, c: u8) -> Result<(), CanonicalError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    /// RFC 8259 whitespace: space, tab, line feed, carriage return.
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        match self.peek() {
            Some(b'{') => self.object(enter(depth)?),
            Some(b'[') => self.array(enter(depth)?),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            _ => Err(self.syntax()),
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, CanonicalError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.syntax())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        self.expect(b'{')?;
        let mut members = Map::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.syntax());
            }
            let name = self.string()?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let member = self.value(depth)?;
            if members.contains_key(&name) {
                return Err(CanonicalError::DuplicateKey(name));
            }
            members.insert(name, member);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.syntax()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.syntax()),
            }
        }
    }

    /// Reads an RFC 8259 number, then applies the ledger's rules to it. The whole number
    /// is read first so that `1.5` is reported as not an integer, not as a syntax error.
    fn number(&mut self) -> Result<Value, CanonicalError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return Err(self.syntax()),
        }
        let int_end = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
            integer = false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
            integer = false;
        }
        // A digit straight after a leading zero ("01") is not JSON.
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.syntax());
        }
        if !integer {
            return Err(CanonicalError::NotAnInteger);
        }
        let text = &self.bytes[start..int_end];
        if text == b"-0" {
            return Err(CanonicalError::NegativeZero);
        }
        // More than 16 digits is always 2^53 or more; shorter texts fit an i64.
        let digit_count = int_end - start - usize::from(negative);
        if digit_count > 16 {
            return Err(CanonicalError::IntegerOutOfRange);
        }
        let magnitude = text[usize::from(negative)..]
            .iter()
            .fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0'));
        if magnitude > MAX_SAFE_INTEGER {
            return Err(CanonicalError::IntegerOutOfRange);
        }
        let n = if negative { -magnitude } else { magnitude };
        Ok(Value::Number(Number::from(n)))
    }

    /// One or more ASCII digits.
    fn digits(&mut self) -> Result<(), CanonicalError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.syntax());
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, CanonicalError> {
        self.expect(b'"')?;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.syntax());
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                // RFC 8259 section 7: controls must be escaped inside strings.
                0x00..=0x1f => return Err(self.syntax()),
                _ => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
        // The input was valid UTF-8 and escapes only ever add whole scalar values, so
        // this cannot fail; mapping the error keeps the parser panic-free regardless.
        String::from_utf8(out).map_err(|_| CanonicalError::InvalidUtf8)
    }

    /// Reads the escape after a backslash and appends its UTF-8.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
        let Some(c) = self.peek() else {
            return Err(self.syntax());
        };
        self.pos += 1;
        let simple = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let ch = self.unicode_escape()?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => {
                self.pos -= 1;
                return Err(self.syntax());
            }
        };
        out.push(simple);
        Ok(())
    }

    /// Reads `XXXX` after `\u`, and the low half `\uXXXX` when the first is a high surrogate.
    fn unicode_escape(&mut self) -> Result<char, CanonicalError> {
        let first = self.hex4()?;
        match first {
            0xd800..=0xdbff => {
                if self.bytes[self.pos..].starts_with(b"\\u") {
                    self.pos += 2;
                    let second = self.hex4()?;
                    if (0xdc00..=0xdfff).contains(&second) {
                        let scalar = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                        return char::from_u32(scalar).ok_or(CanonicalError::LoneSurrogate);
                    }
                }
                Err(CanonicalError::LoneSurrogate)
            }
            0xdc00..=0xdfff => Err(CanonicalError::LoneSurrogate),
            _ => char::from_u32(first).ok_or(CanonicalError::LoneSurrogate),
        }
    }

    fn hex4(&mut self) -> Result<u32, CanonicalError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.syntax()),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn canon(text: &str) -> String {
        String::from_utf8(to_bytes(&parse(text.as_bytes()).unwrap()).unwrap()).unwrap()
    }

    /// RFC 8785 section 3.2.3 ("Sorting of Object Properties"): the input of the
    /// example, and the order of values the RFC says a conforming implementation
    /// produces ("Carriage Return", "One", "Control", "Latin Small Letter O With
    /// Diaeresis", "Euro Sign", "Emoji: Grinning Face", "Hebrew Letter Dalet With Dagesh").
    #[test]
    fn rfc8785_3_2_3_sorting_example() {
        let input = r#"{
   "\u20ac": "Euro Sign",
   "\r": "Carriage Return",
   "\ufb33": "Hebrew Letter Dalet With Dagesh",
   "1": "One",
   "\ud83d\ude00": "Emoji: Grinning Face",
   "\u0080": "Control",
   "\u00f6": "Latin Small Letter O With Diaeresis"
}"#;
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
            \"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
            \"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(canon(input), expected);
        assert!(parse_canonical(expected.as_bytes()).is_ok());
    }

    /// RFC 8785 section 3.2.2 example: its "numbers" member holds floats
    /// (333333333.33333329, 1E30, 4.50, 2e-3, 1e-27), which the ledger's number rules refuse.
    #[test]
    fn rfc8785_3_2_2_example_is_refused_for_its_floats() {
        let input = r#"{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"#;
        assert_eq!(parse(input.as_bytes()), Err(CanonicalError::NotAnInteger));
    }

    /// RFC 8785 section 3.2.2 example without its "numbers" member: the expected output
    /// is the RFC's, minus `"numbers":[...],`. It exercises the string escaping rules:
    /// `\u20ac` becomes UTF-8, `\u000F` becomes lowercase `\u000f`, `\u000a` becomes `\n`,
    /// `\/` becomes `/`, and `"` and `\` stay escaped.
    #[test]
    fn rfc8785_3_2_2_string_and_literals() {
        let input = r#"{
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"#;
        let expected =
            "{\"literals\":[null,true,false],\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(canon(input), expected);
    }

    /// cyberphone/json-canonicalization (the RFC author's reference implementations),
    /// testdata/input/weird.json and testdata/output/weird.json.
    #[test]
    fn cyberphone_weird_json() {
        let input = "{\n  \"\\u20ac\": \"Euro Sign\",\n  \"1\": \"One\",\n  \"\\u0080\": \"Control\\u007f\",\n  \"\\ud83d\\ude02\": \"Smiley\",\n  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\",\n  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n  \"</script>\": \"Browser Challenge\"\n}\n";
        let expected = "{\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u{80}\":\"Control\u{7f}\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f602}\":\"Smiley\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(canon(input), expected);
    }

    /// cyberphone/json-canonicalization testdata/input/french.json and output/french.json:
    /// sorting ignores locale.
    #[test]
    fn cyberphone_french_json() {
        let input = "{\n  \"peach\": \"This sorting order\",\n  \"p\u{e9}ch\u{e9}\": \"is wrong according to French\",\n  \"p\u{ea}che\": \"but canonicalization MUST\",\n  \"sin\":   \"ingnore locale\"\n}\n";
        let expected = "{\"peach\":\"This sorting order\",\"p\u{e9}ch\u{e9}\":\"is wrong according to French\",\"p\u{ea}che\":\"but canonicalization MUST\",\"sin\":\"ingnore locale\"}";
        assert_eq!(canon(input), expected);
    }

    /// cyberphone/json-canonicalization testdata/input/structures.json and
    /// output/structures.json, with its one float (`56.0`) replaced by the integer 56,
    /// which is what the published output shows for it.
    #[test]
    fn cyberphone_structures_json_with_integers() {
        let input = "{\n  \"1\": {\"f\": {\"f\": \"hi\",\"F\": 5} ,\"\\n\": 56},\n  \"10\": { },\n  \"\": \"empty\",\n  \"a\": { },\n  \"111\": [ { } ],\n  \"A\": { }\n}";
        let expected = "{\"\":\"empty\",\"1\":{\"\\n\":56,\"f\":{\"F\":5,\"f\":\"hi\"}},\"10\":{},\"111\":[{}],\"A\":{},\"a\":{}}";
        assert_eq!(canon(input), expected);
        // The original, with 56.0, is refused.
        assert_eq!(parse(b"{\"\\n\": 56.0}"), Err(CanonicalError::NotAnInteger));
    }

    #[test]
    fn control_characters_use_the_short_escapes_then_lowercase_u00xx() {
        let s: String = (0u8..0x20)
            .map(char::from)
            .chain("\"\\/\u{7f}\u{2028}".chars())
            .collect();
        let bytes = to_bytes(&Value::String(s)).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\
             \\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\
             \\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\\"\\\\/\u{7f}\u{2028}\""
        );
    }

    #[test]
    fn refuses_duplicates_even_when_spelled_differently() {
        assert_eq!(
            parse(br#"{"amount":1,"amount":1000}"#),
            Err(CanonicalError::DuplicateKey("amount".into()))
        );
        assert_eq!(
            parse(br#"{"a":1,"\u0061":2}"#),
            Err(CanonicalError::DuplicateKey("a".into()))
        );
        // Nested objects are checked too.
        assert!(matches!(
            parse(br#"{"x":[{"k":1,"k":1}]}"#),
            Err(CanonicalError::DuplicateKey(_))
        ));
    }

    #[test]
    fn number_rules() {
        assert_eq!(
            parse(b"9007199254740991"),
            Ok(json!(9_007_199_254_740_991i64))
        );
        assert_eq!(
            parse(b"-9007199254740991"),
            Ok(json!(-9_007_199_254_740_991i64))
        );
        assert_eq!(
            parse(b"9007199254740992"),
            Err(CanonicalError::IntegerOutOfRange)
        );
        assert_eq!(
            parse(b"-9007199254740992"),
            Err(CanonicalError::IntegerOutOfRange)
        );
        assert_eq!(
            parse(b"123456789012345678901234567890"),
            Err(CanonicalError::IntegerOutOfRange)
        );
        assert_eq!(parse(b"-0"), Err(CanonicalError::NegativeZero));
        assert_eq!(parse(b"0"), Ok(json!(0)));
        for float in ["1.0", "1e2", "1E2", "-0.0", "0.5", "1e-7", "2E+3"] {
            assert_eq!(
                parse(float.as_bytes()),
                Err(CanonicalError::NotAnInteger),
                "{float}"
            );
        }
        for bad in ["01", "-", "+1", "1.", ".5", "1e", "--1", "-01"] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(CanonicalError::Syntax { .. })),
                "{bad}"
            );
        }
        // "0" is a whole value; what follows it is not part of any number.
        assert_eq!(parse(b"0x10"), Err(CanonicalError::TrailingData));
        assert_eq!(to_bytes(&json!(1.5)), Err(CanonicalError::NotAnInteger));
        assert_eq!(to_bytes(&json!(1.0)), Err(CanonicalError::NotAnInteger));
        assert_eq!(
            to_bytes(&json!(u64::MAX)),
            Err(CanonicalError::IntegerOutOfRange)
        );
        assert_eq!(
            to_bytes(&json!(1i64 << 53)),
            Err(CanonicalError::IntegerOutOfRange)
        );
        assert_eq!(
            check_numbers(&json!({"a": [1, 2.5]})),
            Err(CanonicalError::NotAnInteger)
        );
        assert_eq!(check_numbers(&json!({"a": [1, -2]})), Ok(()));
    }

    #[test]
    fn strings() {
        assert_eq!(parse(br#""\ud800""#), Err(CanonicalError::LoneSurrogate));
        assert_eq!(parse(br#""\udc00""#), Err(CanonicalError::LoneSurrogate));
        assert_eq!(
            parse(br#""\ud800\u0041""#),
            Err(CanonicalError::LoneSurrogate)
        );
        assert_eq!(parse(br#""\ud800x""#), Err(CanonicalError::LoneSurrogate));
        assert_eq!(parse(br#""\uD83D\uDE00""#), Ok(json!("\u{1f600}")));
        assert!(matches!(
            parse(b"\"a\nb\""),
            Err(CanonicalError::Syntax { .. })
        ));
        assert!(matches!(
            parse(br#""\x""#),
            Err(CanonicalError::Syntax { .. })
        ));
        assert!(matches!(
            parse(br#""\u12""#),
            Err(CanonicalError::Syntax { .. })
        ));
        assert!(matches!(
            parse(br#""abc"#),
            Err(CanonicalError::Syntax { .. })
        ));
        assert_eq!(parse(b"\"\xff\""), Err(CanonicalError::InvalidUtf8));
        assert_eq!(parse(b"\"\xed\xa0\x80\""), Err(CanonicalError::InvalidUtf8));
    }

    #[test]
    fn structure_errors() {
        assert_eq!(parse(b"{} {}"), Err(CanonicalError::TrailingData));
        assert_eq!(parse(b" [1, 2] \n"), Ok(json!([1, 2])));
        for bad in [
            "",
            " ",
            "[1,]",
            "{\"a\":1,}",
            "{,}",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "tru",
            "nul",
            "[",
            "{",
        ] {
            assert!(
                matches!(parse(bad.as_bytes()), Err(CanonicalError::Syntax { .. })),
                "{bad:?}"
            );
        }
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()), Err(CanonicalError::TooDeep));
        // Far deeper than the stack would allow without the limit.
        let hostile = "[".repeat(1_000_000);
        assert_eq!(parse(hostile.as_bytes()), Err(CanonicalError::TooDeep));
        let mut v = json!(1);
        for _ in 0..MAX_DEPTH + 1 {
            v = json!([v]);
        }
        assert_eq!(depth(&v), MAX_DEPTH + 1);
        assert_eq!(to_bytes(&v), Err(CanonicalError::TooDeep));
        assert_eq!(check_numbers(&v), Err(CanonicalError::TooDeep));
    }

    #[test]
    fn parse_canonical_refuses_other_spellings() {
        assert!(parse_canonical(br#"{"a":1,"b":[true,null]}"#).is_ok());
        for bad in [
            &br#"{"b":1,"a":1}"#[..],
            br#"{"a": 1}"#,
            br#"{"a":1} "#,
            br#"{"a":"\u0041"}"#,
            br#"{"a":"\/"}"#,
            br#"{"a":"\u001F"}"#,
        ] {
            assert_eq!(parse_canonical(bad), Err(CanonicalError::NotCanonical));
        }
    }

    /// Random JSON values within the ledger's number rules.
    pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|i| json!(i)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn canonical_bytes_are_a_fixed_point(v in arb_value()) {
            let bytes = to_bytes(&v).unwrap();
            let parsed = parse_canonical(&bytes).unwrap();
            prop_assert_eq!(&parsed, &v);
            prop_assert_eq!(to_bytes(&parsed).unwrap(), bytes);
        }

        #[test]
        fn whitespace_and_order_do_not_change_the_value(v in arb_value()) {
            let pretty = serde_json::to_vec_pretty(&v).unwrap();
            prop_assert_eq!(parse(&pretty).unwrap(), v.clone());
            prop_assert_eq!(to_bytes(&parse(&pretty).unwrap()).unwrap(), to_bytes(&v).unwrap());
        }

        #[test]
        fn parse_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
            let _ = parse_canonical(&bytes);
        }

        #[test]
        fn parse_never_panics_on_json_like_text(s in r#"[\[\]{}",:0-9.eE+\-\\u a-f tnrl]{0,60}"#) {
            let _ = parse(s.as_bytes());
        }

        #[test]
        fn member_order_is_utf16_order(a in any::<String>(), b in any::<String>()) {
            let ord = compare_member_names(&a, &b);
            let ua: Vec<u16> = a.encode_utf16().collect();
            let ub: Vec<u16> = b.encode_utf16().collect();
            prop_assert_eq!(ord, ua.cmp(&ub));
        }
    }
}
