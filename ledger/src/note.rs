//! C2SP signed notes (<https://c2sp.org/signed-note>), Ed25519 only.
//!
//! A note is text followed by a blank line and signature lines
//! `— <key name> base64(key ID || signature)`. Checkpoints are notes, and the log's
//! public key travels as a note verifier key string
//! `<name>+<hex key ID>+<base64(0x01 || public key)>`, so existing transparency-log
//! tools (Go's `golang.org/x/mod/sumdb/note`, witnesses) can read ours.

use std::fmt;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use crate::hash::sha256;

/// Signature type byte of Ed25519 in signed-note.
pub const ALG_ED25519: u8 = 0x01;
/// Bytes of a key ID.
pub const KEY_ID_LEN: usize = 4;
/// What starts a signature line: em dash (U+2014) and a space.
pub const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";
/// Most signature lines read from one note. signed-note asks verifiers to accept at
/// least 16 and to set some limit; this one bounds the work a hostile note can cause.
pub const MAX_SIGNATURES: usize = 100;

/// Why a note or verifier key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// A key name is empty or holds a space or `+`.
    #[error("invalid key name {0:?}")]
    InvalidKeyName(String),
    /// A verifier key string is not `name+hexid+base64(0x01||key)`.
    #[error("malformed verifier key")]
    MalformedVerifierKey,
    /// A verifier key's ID is not the one its name and key give.
    #[error("verifier key ID does not match its name and key")]
    KeyIdMismatch,
    /// Note text is empty, does not end in a newline, or holds control characters.
    #[error("invalid note text")]
    InvalidText,
    /// The note does not have the shape text, blank line, signature lines.
    #[error("malformed note")]
    Malformed,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has too many signatures")]
    TooManySignatures,
    /// A signature whose name and key ID match a known key does not verify.
    #[error("invalid signature by {0}")]
    BadSignature(String),
    /// No signature by a known key.
    #[error("note is not signed by a known key")]
    NoKnownSignature,
}

/// The signed-note key ID: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || key).
pub fn key_id(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut input = Vec::with_capacity(name.len() + 2 + 32);
    input.extend_from_slice(name.as_bytes());
    input.push(b'\n');
    input.push(ALG_ED25519);
    input.extend_from_slice(key.as_bytes());
    let digest = sha256(&input);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// A note verifier key: a name, its key ID and an Ed25519 public key.
///
/// `Display` writes the verifier key string `<name>+<hex key ID>+<base64(0x01||key)>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    /// Key name (for the log: its origin).
    pub name: String,
    /// Key ID, derived from the name and key.
    pub id: [u8; 4],
    /// The Ed25519 public key.
    pub key: VerifyingKey,
}

impl VerifierKey {
    /// The verifier for `key` under `name`, with the key ID signed-note recommends.
    pub fn new(name: &str, key: VerifyingKey) -> Self {
        VerifierKey {
            name: name.to_owned(),
            id: key_id(name, &key),
            key,
        }
    }

    /// Parses a verifier key string `<name>+<hex key ID>+<base64(0x01 || key)>`.
    ///
    /// # Errors
    /// [`NoteError::InvalidKeyName`] for a name that is empty or holds a space,
    /// [`NoteError::MalformedVerifierKey`] for anything else out of shape (including a
    /// key type other than Ed25519 or a key that is not a curve point),
    /// [`NoteError::KeyIdMismatch`] when the ID is not derived from the name and key.
    pub fn parse(s: &str) -> Result<Self, NoteError> {
        let (name, id, key) = parse_key_string(s, ALG_ED25519).map_err(|e| match e {
            KeyStringError::Name(e) => e,
            KeyStringError::Malformed => NoteError::MalformedVerifierKey,
        })?;
        if key_id(name, &key) != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(VerifierKey {
            name: name.to_owned(),
            id,
            key,
        })
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_key_string(f, &self.name, &self.id, ALG_ED25519, &self.key)
    }
}

/// A named Ed25519 signing key for notes. Its `Debug` shows the name only.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
}

impl NoteSigner {
    /// A signer signing as `name`. The name is checked when signing.
    pub fn new(name: &str, key: SigningKey) -> Self {
        NoteSigner {
            name: name.to_owned(),
            key,
        }
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key matching this signer.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey::new(&self.name, self.key.verifying_key())
    }
}

impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the private key.
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Signs `text` with each signer and returns the whole note.
///
/// # Errors
/// [`NoteError::InvalidText`] unless the text is non-empty, ends in a newline and holds
/// no control characters other than newline; [`NoteError::InvalidKeyName`] for a signer
/// whose name is not a valid key name; [`NoteError::Malformed`] when there is no signer.
pub fn sign_note(text: &str, signers: &[&NoteSigner]) -> Result<String, NoteError> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(NoteError::Malformed);
    }
    let mut note = String::with_capacity(text.len() + 1 + signers.len() * 110);
    note.push_str(text);
    note.push('\n');
    for signer in signers {
        check_key_name(&signer.name)?;
        let signature: Signature = signer.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(KEY_ID_LEN + Signature::BYTE_SIZE);
        blob.extend_from_slice(&key_id(&signer.name, &signer.key.verifying_key()));
        blob.extend_from_slice(&signature.to_bytes());
        note.push_str(SIGNATURE_LINE_PREFIX);
        note.push_str(&signer.name);
        note.push(' ');
        note.push_str(&BASE64.encode(blob));
        note.push('\n');
    }
    Ok(note)
}

/// A note whose signatures have been checked against known keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedNote {
    /// The signed text, final newline included.
    pub text: String,
    /// The known keys whose signatures verified, in the order of their lines.
    pub verified: Vec<VerifierKey>,
    /// Every signature line, known or not: key name, key ID, signature bytes.
    pub signature_lines: Vec<(String, [u8; 4], Vec<u8>)>,
}

/// Splits a note and verifies the signatures of known keys.
///
/// Following signed-note, lines from unknown keys (name and ID not both matching a
/// verifier) are ignored; a line from a known key must verify.
///
/// # Errors
/// [`NoteError::InvalidText`] for control characters, [`NoteError::Malformed`] for a
/// note out of shape, [`NoteError::TooManySignatures`], [`NoteError::BadSignature`]
/// when a known key's signature fails (strict Ed25519 verification), and
/// [`NoteError::NoKnownSignature`] when no known key signed.
pub fn open_note(note: &str, verifiers: &[VerifierKey]) -> Result<OpenedNote, NoteError> {
    let (text, lines) = split_note(note)?;
    let mut opened = OpenedNote {
        text: text.to_owned(),
        verified: Vec::new(),
        signature_lines: Vec::new(),
    };
    for line in lines {
        let (name, id, sig) = parse_signature_line(line)?;
        let known = verifiers.iter().find(|v| v.name == name && v.id == id);
        if let Some(verifier) = known {
            let signature = Signature::from_slice(&sig)
                .map_err(|_| NoteError::BadSignature(name.to_owned()))?;
            verifier
                .key
                .verify_strict(text.as_bytes(), &signature)
                .map_err(|_| NoteError::BadSignature(name.to_owned()))?;
            // A key that signed twice counts once.
            if !opened.verified.contains(verifier) {
                opened.verified.push(verifier.clone());
            }
        }
        opened.signature_lines.push((name.to_owned(), id, sig));
    }
    if opened.verified.is_empty() {
        return Err(NoteError::NoKnownSignature);
    }
    Ok(opened)
}

/// Splits a note into its text (final newline included) and its signature lines (without
/// their newlines), checking only the shape, not the signatures. Other signature schemes
/// on the same note (tlog-cosignature) start from here.
///
/// # Errors
/// [`NoteError::InvalidText`] for control characters, [`NoteError::Malformed`] for a
/// note out of shape, [`NoteError::TooManySignatures`].
pub fn split_note(note: &str) -> Result<(&str, Vec<&str>), NoteError> {
    if note.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(NoteError::InvalidText);
    }
    // The text ends at the last blank line; signature lines cannot be blank.
    let split = note.rfind("\n\n").ok_or(NoteError::Malformed)?;
    let text = &note[..=split];
    let signatures = &note[split + 2..];
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(NoteError::Malformed);
    }
    let lines: Vec<&str> = signatures[..signatures.len() - 1].split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    Ok((text, lines))
}

/// Reads `— <name> <base64(id || signature)>`: the key name, key ID and signature bytes.
///
/// # Errors
/// [`NoteError::Malformed`] for a line out of shape or an invalid key name.
pub fn parse_signature_line(line: &str) -> Result<(&str, [u8; 4], Vec<u8>), NoteError> {
    let rest = line
        .strip_prefix(SIGNATURE_LINE_PREFIX)
        .ok_or(NoteError::Malformed)?;
    let (name, blob_b64) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
    check_key_name(name).map_err(|_| NoteError::Malformed)?;
    let blob = BASE64.decode(blob_b64).map_err(|_| NoteError::Malformed)?;
    if blob.len() <= KEY_ID_LEN {
        return Err(NoteError::Malformed);
    }
    let (id, sig) = blob.split_at(KEY_ID_LEN);
    let id: [u8; 4] = id.try_into().map_err(|_| NoteError::Malformed)?;
    Ok((name, id, sig.to_vec()))
}

/// signed-note: names are non-empty and hold no Unicode space and no `+`.
/// What is wrong with a key string, before its key ID is checked.
#[derive(Debug)]
pub(crate) enum KeyStringError {
    /// The name is empty or holds a space or a `+`.
    Name(NoteError),
    /// Anything else out of shape: the ID, the base64, the type byte, the key.
    Malformed,
}

/// Splits a key string `<name>+<hex key ID>+base64(type || 32-byte Ed25519 key)` of the
/// given signature type (0x01 for a note signer, 0x04 for a cosigner) into its name, key
/// ID and key. The caller checks that the ID is the one its type derives from the name and
/// key, since each type derives it its own way.
pub(crate) fn parse_key_string(
    s: &str,
    key_type: u8,
) -> Result<(&str, [u8; KEY_ID_LEN], VerifyingKey), KeyStringError> {
    // The name holds no '+', so the first two '+' are the separators; the base64 part may
    // itself contain '+'.
    let mut parts = s.splitn(3, '+');
    let (Some(name), Some(id_hex), Some(key_b64)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyStringError::Malformed);
    };
    check_key_name(name).map_err(KeyStringError::Name)?;
    if id_hex.len() != 2 * KEY_ID_LEN
        || !id_hex
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(KeyStringError::Malformed);
    }
    let mut id = [0u8; KEY_ID_LEN];
    hex::decode_to_slice(id_hex, &mut id).map_err(|_| KeyStringError::Malformed)?;
    let raw = BASE64
        .decode(key_b64)
        .map_err(|_| KeyStringError::Malformed)?;
    match raw.split_first() {
        Some((&found, key_bytes)) if found == key_type => {
            let key_bytes: [u8; 32] = key_bytes
                .try_into()
                .map_err(|_| KeyStringError::Malformed)?;
            let key =
                VerifyingKey::from_bytes(&key_bytes).map_err(|_| KeyStringError::Malformed)?;
            Ok((name, id, key))
        }
        _ => Err(KeyStringError::Malformed),
    }
}

/// Writes a key string `<name>+<hex key ID>+base64(type || key)`.
pub(crate) fn format_key_string(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    id: &[u8; KEY_ID_LEN],
    key_type: u8,
    key: &VerifyingKey,
) -> fmt::Result {
    let mut typed = Vec::with_capacity(33);
    typed.push(key_type);
    typed.extend_from_slice(key.as_bytes());
    write!(f, "{name}+{}+{}", hex::encode(id), BASE64.encode(typed))
}

pub(crate) fn check_key_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    Ok(())
}

/// signed-note: text ends in a newline and holds no control character but newline.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') || text.chars().any(|c| c.is_ascii_control() && c != '\n') {
        return Err(NoteError::InvalidText);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of Go's golang.org/x/mod/sumdb/note package documentation (note.go)
    // and example_test.go (ExampleSign, ExampleOpen), which the C2SP signed-note
    // specification grew out of: the verifier key, the private key in Go's
    // "PRIVATE+KEY+<name>+<hex id>+base64(0x01 || seed)" form, the text, and the note.
    const PETER_VERIFIER: &str =
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                              then you don't know what your problem is.\n";
    const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
        then you don't know what your problem is.\n\
        \n\
        \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn peter_signer() -> NoteSigner {
        let b64 = PETER_SKEY.splitn(5, '+').nth(4).unwrap();
        let raw = BASE64.decode(b64).unwrap();
        assert_eq!(raw[0], ALG_ED25519);
        let seed: [u8; 32] = raw[1..].try_into().unwrap();
        NoteSigner::new("PeterNeumann", SigningKey::from_bytes(&seed))
    }

    #[test]
    fn go_sumdb_note_example_verifier_key() {
        let vk = VerifierKey::parse(PETER_VERIFIER).unwrap();
        assert_eq!(vk.name, "PeterNeumann");
        assert_eq!(hex::encode(vk.id), "c74f20a3");
        assert_eq!(vk.to_string(), PETER_VERIFIER);
        assert_eq!(peter_signer().verifier(), vk);
    }

    #[test]
    fn go_sumdb_note_example_sign() {
        // Ed25519 is deterministic, so signing the text reproduces the published note.
        let signer = peter_signer();
        assert_eq!(sign_note(PETER_TEXT, &[&signer]).unwrap(), PETER_NOTE);
    }

    #[test]
    fn go_sumdb_note_example_open() {
        let vk = VerifierKey::parse(PETER_VERIFIER).unwrap();
        let opened = open_note(PETER_NOTE, std::slice::from_ref(&vk)).unwrap();
        assert_eq!(opened.text, PETER_TEXT);
        assert_eq!(opened.verified, vec![vk]);
        assert_eq!(opened.signature_lines.len(), 1);
        assert_eq!(opened.signature_lines[0].0, "PeterNeumann");
        assert_eq!(hex::encode(opened.signature_lines[0].1), "c74f20a3");
    }

    /// A verifier key string found in the test suites of other signed-note
    /// implementations, `example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k`.
    /// That it parses shows our key ID derivation agrees with whoever generated it.
    #[test]
    fn verifier_key_with_slash_in_name_round_trips() {
        let s = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
        assert_eq!(VerifierKey::parse(s).unwrap().to_string(), s);
    }

    #[test]
    fn verifier_key_refusals() {
        let good = PETER_VERIFIER;
        assert_eq!(
            VerifierKey::parse(&good.replace("c74f20a3", "c74f20a4")),
            Err(NoteError::KeyIdMismatch)
        );
        assert_eq!(
            VerifierKey::parse(&good.replace("c74f20a3", "C74F20A3")),
            Err(NoteError::MalformedVerifierKey)
        );
        assert_eq!(
            VerifierKey::parse(&good.replace("PeterNeumann", "Peter Neumann")),
            Err(NoteError::InvalidKeyName("Peter Neumann".into()))
        );
        assert!(VerifierKey::parse("PeterNeumann+c74f20a3").is_err());
        assert!(VerifierKey::parse("").is_err());
        assert!(VerifierKey::parse("+c74f20a3+ARpc").is_err());
        // Type byte 0x02 (ECDSA) is not ours.
        let mut raw = BASE64.decode(good.splitn(3, '+').nth(2).unwrap()).unwrap();
        raw[0] = 0x02;
        let other = format!("PeterNeumann+c74f20a3+{}", BASE64.encode(&raw));
        assert_eq!(
            VerifierKey::parse(&other),
            Err(NoteError::MalformedVerifierKey)
        );
    }

    #[test]
    fn opening_refusals() {
        let vk = VerifierKey::parse(PETER_VERIFIER).unwrap();
        // A flipped character in the text breaks the signature of a known key.
        let tampered = PETER_NOTE.replacen("cryptography", "cryptographY", 1);
        assert_eq!(
            open_note(&tampered, std::slice::from_ref(&vk)),
            Err(NoteError::BadSignature("PeterNeumann".into()))
        );
        // Unknown keys are ignored; if none is known the note is refused.
        let stranger = NoteSigner::new("Stranger", SigningKey::from_bytes(&[7; 32]));
        assert_eq!(
            open_note(PETER_NOTE, &[stranger.verifier()]),
            Err(NoteError::NoKnownSignature)
        );
        // Same name, other key: ignored, not an error.
        let impostor = VerifierKey::new("PeterNeumann", stranger.verifier().key);
        assert_eq!(
            open_note(PETER_NOTE, &[impostor]),
            Err(NoteError::NoKnownSignature)
        );
        assert_eq!(
            open_note("no signatures\n", std::slice::from_ref(&vk)),
            Err(NoteError::Malformed)
        );
        assert_eq!(
            open_note(
                &PETER_NOTE.replace('\u{2014}', "-"),
                std::slice::from_ref(&vk)
            ),
            Err(NoteError::Malformed)
        );
        assert_eq!(
            open_note(
                &PETER_NOTE.replace("is.\n", "is.\r\n"),
                std::slice::from_ref(&vk)
            ),
            Err(NoteError::InvalidText)
        );
        assert_eq!(
            open_note(PETER_NOTE.trim_end_matches('\n'), std::slice::from_ref(&vk)),
            Err(NoteError::Malformed)
        );
        let many = format!(
            "{}{}",
            PETER_NOTE,
            PETER_NOTE
                .lines()
                .last()
                .map(|l| format!("{l}\n"))
                .unwrap()
                .repeat(MAX_SIGNATURES)
        );
        assert_eq!(open_note(&many, &[vk]), Err(NoteError::TooManySignatures));
    }

    #[test]
    fn several_signers_and_text_with_blank_lines() {
        let a = NoteSigner::new("a.example/log", SigningKey::from_bytes(&[1; 32]));
        let b = NoteSigner::new("b.example/witness", SigningKey::from_bytes(&[2; 32]));
        let text = "first\n\nthird\n";
        let note = sign_note(text, &[&a, &b]).unwrap();
        let opened = open_note(&note, &[b.verifier()]).unwrap();
        assert_eq!(opened.text, text);
        assert_eq!(opened.verified, vec![b.verifier()]);
        assert_eq!(opened.signature_lines.len(), 2);
        let both = open_note(&note, &[a.verifier(), b.verifier()]).unwrap();
        assert_eq!(both.verified, vec![a.verifier(), b.verifier()]);
    }

    #[test]
    fn signing_refusals() {
        let s = peter_signer();
        assert_eq!(sign_note("no newline", &[&s]), Err(NoteError::InvalidText));
        assert_eq!(sign_note("", &[&s]), Err(NoteError::InvalidText));
        assert_eq!(sign_note("tab\there\n", &[&s]), Err(NoteError::InvalidText));
        assert_eq!(sign_note("ok\n", &[]), Err(NoteError::Malformed));
        let bad = NoteSigner::new("bad name", SigningKey::from_bytes(&[1; 32]));
        assert!(matches!(
            sign_note("ok\n", &[&bad]),
            Err(NoteError::InvalidKeyName(_))
        ));
    }

    #[test]
    fn debug_does_not_print_the_key() {
        let s = peter_signer();
        let shown = format!("{s:?}");
        assert!(shown.contains("PeterNeumann"));
        assert!(!shown.contains("SigningKey"));
        let seed_hex = hex::encode(s.key.to_bytes());
        assert!(!shown.contains(&seed_hex));
    }
}
