//! A one-pass check that bytes are exactly canonical JSON, and a view of the value they
//! hold without building it.
//!
//! Reading a stored entry is the hot loop of verifying an export. The strict parser builds
//! a tree, and proving the bytes canonical then means serializing it again and comparing.
//! [`check`] proves the same thing in one pass over the bytes, with no allocation: no
//! whitespace, members in strictly increasing order of their names' UTF-16 code units
//! (so no duplicates), strings with exactly the JCS escapes, integers in the ledger's
//! range written in plain decimal, no `-0`, nesting within [`MAX_DEPTH`](super::MAX_DEPTH).
//! Bytes that pass are `canonical(v)` for the value `v` the strict parser reads from them.
//!
//! It never explains a refusal: `None` sends the caller to the strict parser, whose error
//! is the one reported. So this module only needs to be sound (never pass bytes the strict
//! path would refuse or read differently), which the differential tests and the
//! `entry_parse` fuzz target check against it.

use std::borrow::Cow;

use serde_json::Value;

use super::{compare_member_names, MAX_DEPTH, MAX_SAFE_INTEGER};

/// Bytes proven to be exactly the canonical serialization of one JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canonical<'a> {
    bytes: &'a [u8],
}

/// One member of a canonical object: its name and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member<'a> {
    pub name: Cow<'a, str>,
    pub value: Canonical<'a>,
}

/// `Some` when `bytes` are exactly the canonical serialization of the JSON value they
/// hold, `None` otherwise (including for anything the strict parser refuses).
pub fn check(bytes: &[u8]) -> Option<Canonical<'_>> {
    std::str::from_utf8(bytes).ok()?;
    let mut scanner = Scanner { bytes, pos: 0 };
    scanner.value(0)?;
    (scanner.pos == bytes.len()).then_some(Canonical { bytes })
}

impl<'a> Canonical<'a> {
    /// The canonical bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn is_object(&self) -> bool {
        self.bytes.first() == Some(&b'{')
    }

    /// The members of an object, in order; `None` if the value is not an object.
    pub fn members(&self) -> Option<Vec<Member<'a>>> {
        if !self.is_object() {
            return None;
        }
        // Already checked: this pass only finds where each member starts and ends.
        let mut scanner = Scanner {
            bytes: self.bytes,
            pos: 1,
        };
        let mut members = Vec::new();
        if scanner.peek() == Some(b'}') {
            return Some(members);
        }
        loop {
            let (name, escaped) = scanner.string()?;
            scanner.pos += 1; // ':'
            let start = scanner.pos;
            scanner.skip_value()?;
            members.push(Member {
                name: name_text(self.bytes, name, escaped)?,
                value: Canonical {
                    bytes: &self.bytes[start..scanner.pos],
                },
            });
            match scanner.peek()? {
                b',' => scanner.pos += 1,
                _ => return Some(members),
            }
        }
    }

    /// The text of a string value; `None` if the value is not a string.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        if self.bytes.first() != Some(&b'"') {
            return None;
        }
        let inner = &self.bytes[1..self.bytes.len() - 1];
        if inner.contains(&b'\\') {
            serde_json::from_slice::<String>(self.bytes)
                .ok()
                .map(Cow::Owned)
        } else {
            std::str::from_utf8(inner).ok().map(Cow::Borrowed)
        }
    }

    /// The value of a non-negative integer; `None` for any other value.
    pub fn as_u64(&self) -> Option<u64> {
        if !self.bytes.first()?.is_ascii_digit() {
            return None;
        }
        std::str::from_utf8(self.bytes).ok()?.parse().ok()
    }

    /// The value as a [`Value`] tree, read by serde_json: the bytes are canonical, so its
    /// leniencies (duplicate members, floats) cannot come into play.
    pub fn to_value(&self) -> Option<Value> {
        serde_json::from_slice(self.bytes).ok()
    }
}

/// A member name's text, unescaped when it holds an escape.
fn name_text(bytes: &[u8], (start, end): (usize, usize), escaped: bool) -> Option<Cow<'_, str>> {
    if escaped {
        serde_json::from_slice::<String>(&bytes[start - 1..end + 1])
            .ok()
            .map(Cow::Owned)
    } else {
        std::str::from_utf8(&bytes[start..end])
            .ok()
            .map(Cow::Borrowed)
    }
}

/// A forward reader over bytes already known to be UTF-8.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.pos += 1)
    }

    /// Checks one canonical value at `depth` levels of nesting.
    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(enter(depth)?),
            b'[' => self.array(enter(depth)?),
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.integer(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.bytes[self.pos..]
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        let mut previous: Option<Cow<'a, str>> = None;
        loop {
            let (range, escaped) = self.string()?;
            let name = name_text(self.bytes, range, escaped)?;
            // Strictly increasing: sorted as JCS sorts, and no name twice.
            if let Some(before) = &previous {
                if compare_member_names(before, &name) != std::cmp::Ordering::Less {
                    return None;
                }
            }
            previous = Some(name);
            self.eat(b':')?;
            self.value(depth)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.value(depth)?;
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Checks a string with JCS escaping only; returns the range of its contents (without
    /// the quotes) and whether it holds an escape.
    fn string(&mut self) -> Option<((usize, usize), bool)> {
        self.eat(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Runs of plain bytes are the bulk of every entry: find the next byte that
            // ends or escapes the string, or may not appear in it, in one tight loop.
            self.pos += plain_run(&self.bytes[self.pos..]);
            match *self.bytes.get(self.pos)? {
                b'"' => {
                    let end = self.pos;
                    self.pos += 1;
                    return Some(((start, end), escaped));
                }
                b'\\' => {
                    escaped = true;
                    self.pos += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 1,
                        b'u' => {
                            // Only controls without a short form are written `\u00xx`, in
                            // lowercase hex.
                            let hex = self.bytes.get(self.pos + 1..self.pos + 5)?;
                            let code = match hex {
                                [b'0', b'0', high @ (b'0' | b'1'), low] => {
                                    let low = match low {
                                        b'0'..=b'9' => low - b'0',
                                        b'a'..=b'f' => low - b'a' + 10,
                                        _ => return None,
                                    };
                                    (high - b'0') * 16 + low
                                }
                                _ => return None,
                            };
                            if matches!(code, 0x08 | 0x09 | 0x0a | 0x0c | 0x0d) {
                                return None;
                            }
                            self.pos += 5;
                        }
                        _ => return None,
                    }
                }
                // A raw control character.
                _ => return None,
            }
        }
    }

    /// Checks a canonical integer: `0`, or an optional `-` and a decimal without leading
    /// zeros, of magnitude at most 2^53 - 1; never `-0`, a fraction or an exponent.
    fn integer(&mut self) -> Option<()> {
        let negative = self.eat(b'-').is_some();
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        let digits = &self.bytes[start..self.pos];
        let canonical_digits = match digits {
            [] => false,
            [b'0'] => !negative,
            [first, ..] => *first != b'0' && digits.len() <= 16,
        };
        if !canonical_digits || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let magnitude: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        (magnitude <= MAX_SAFE_INTEGER.unsigned_abs()).then_some(())
    }

    /// Moves past one value already known to be canonical.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' if depth > 0 => self.pos += 1,
                _ if depth > 0 => self.pos += 1,
                _ => {
                    // A scalar at depth 0: up to the next delimiter.
                    while !matches!(self.peek(), None | Some(b',' | b'}' | b']')) {
                        self.pos += 1;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

/// How many bytes at the start of `bytes` can sit in a string as they are: up to the first
/// `"`, `\\` or control character, or the end. Eight bytes at a time (SWAR), since this is
/// where reading an entry spends most of its time.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    // Whether some byte of `word` is below `n` (n <= 0x80): exact, the usual bit trick.
    let any_below = |word: u64, n: u8| word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS != 0;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // A byte equal to c is a zero byte of word ^ (c repeated).
        let special = any_below(word, 0x20)
            || any_below(word ^ (ONES * u64::from(b'"')), 1)
            || any_below(word ^ (ONES * u64::from(b'\\')), 1);
        if special {
            break;
        }
        done += 8;
    }
    done + bytes[done..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - done)
}

/// One level deeper, or `None` past [`MAX_DEPTH`] (as the strict parser counts).
fn enter(depth: usize) -> Option<usize> {
    (depth < MAX_DEPTH).then_some(depth + 1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::canonical::{parse_canonical, to_bytes};

    /// The strict path's verdict and value, and this module's.
    fn agree(bytes: &[u8]) {
        let strict = parse_canonical(bytes).ok();
        let fast = check(bytes);
        match (&strict, fast) {
            (Some(value), Some(c)) => assert_eq!(c.to_value().as_ref(), Some(value)),
            (None, Some(_)) => panic!(
                "passed non-canonical bytes {:?}",
                String::from_utf8_lossy(bytes)
            ),
            (Some(_), None) => panic!(
                "refused canonical bytes {:?}",
                String::from_utf8_lossy(bytes)
            ),
            (None, None) => {}
        }
    }

    #[test]
    fn canonical_texts_pass_and_their_variants_do_not() {
        for text in [
            r#"{}"#,
            r#"[]"#,
            r#"{"a":1,"b":[true,false,null],"c":{"d":"e"}}"#,
            r#"{"a":-9007199254740991,"b":9007199254740991,"c":0}"#,
            r#""\u001f\b\t\n\f\r\"\\ é €😀""#,
            r#"{"":0,"a":1}"#,
            r#"{"€":1,"😀":2}"#,
            r#"{"😀":1,"€":2}"#,
            r#"{"a":1, "b":2}"#,
            r#"{"b":1,"a":2}"#,
            r#"{"a":1,"a":1}"#,
            r#"{"a":01}"#,
            r#"{"a":-0}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e2}"#,
            r#"{"a":9007199254740992}"#,
            r#"{"a":-9007199254740992}"#,
            r#""\u0041""#,
            r#""\u000a""#,
            r#""\u001F""#,
            r#""\/""#,
            r#""\ud83d\ude00""#,
            "\"\u{7f}\"",
            "\"\t\"",
            r#"{"a":1}x"#,
            r#"{"a":1} "#,
            r#"[1,]"#,
            r#"{"a":}"#,
            r#"tru"#,
            r#"-"#,
            r#""unterminated"#,
        ] {
            agree(text.as_bytes());
        }
        agree(b"\"\xff\"");
    }

    #[test]
    fn a_plain_run_ends_at_the_first_byte_a_string_must_not_hold_as_is() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for at in 0..text.len() {
            for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                let mut bytes = text.to_vec();
                bytes[at] = special;
                assert_eq!(plain_run(&bytes), at, "{special:#04x} at {at}");
            }
            assert_eq!(plain_run(&text[at..]), text.len() - at);
        }
        // Bytes of multi-byte characters, DEL and the space are plain.
        assert_eq!(plain_run("é€😀\u{7f} ~".as_bytes()), "é€😀\u{7f} ~".len());
    }

    #[test]
    fn nesting_is_limited_as_the_strict_parser_limits_it() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        agree(deep(MAX_DEPTH).as_bytes());
        agree(deep(MAX_DEPTH + 1).as_bytes());
        assert!(check(deep(MAX_DEPTH).as_bytes()).is_some());
    }

    #[test]
    fn members_are_found_in_order_with_their_exact_bytes() {
        let text = br#"{"a\"b":{"x":[1,"]}"]},"n":-3,"s":"t\\u"}"#;
        let members = check(text).unwrap().members().unwrap();
        let names: Vec<&str> = members.iter().map(|m| m.name.as_ref()).collect();
        assert_eq!(names, ["a\"b", "n", "s"]);
        assert_eq!(members[0].value.as_bytes(), br#"{"x":[1,"]}"]}"#);
        assert_eq!(members[1].value.as_u64(), None);
        assert_eq!(members[2].value.as_str().as_deref(), Some("t\\u"));
        let value = json!({"k": 42});
        let bytes = to_bytes(&value).unwrap();
        let members = check(&bytes).unwrap().members().unwrap();
        assert_eq!(members[0].value.as_u64(), Some(42));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|i| json!(i)),
            "[ -~\u{0}-\u{1f}é€😀\u{e000}]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map("[a-c\u{e000}😀\"\\\\]{0,3}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The canonical bytes of any value pass, with the value they came from; a byte
        /// changed or a space added is judged as the strict parser judges it.
        #[test]
        fn agrees_with_the_strict_parser(value in json_value(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let bytes = to_bytes(&value).unwrap();
            let passed = check(&bytes);
            prop_assert!(passed.is_some());
            prop_assert_eq!(passed.and_then(|c| c.to_value()), Some(value));
            let mut changed = bytes.clone();
            let i = at.index(changed.len());
            changed[i] = byte;
            agree(&changed);
            // A space between tokens is valid JSON but not canonical; inside a string it
            // is another canonical value.
            let mut spaced = bytes;
            spaced.insert(i, b' ');
            agree(&spaced);
        }
    }
}
