//! Deferred signature checks.
//!
//! [`Auditor::push`](super::Auditor::push) does not verify signatures itself: it hands them
//! out as [`SigCheck`]s so that the caller can verify many at once with Ed25519 batch
//! verification (about three times faster per signature than one by one) and spread the
//! batches over its cores. This module holds the pure part of that work: one batch, and the
//! search for the first invalid signature when a batch fails.

use ed25519_dalek::{Signature, VerifyingKey};

use super::Failure;

/// Which signature of an entry a [`SigCheck`] covers; it decides the failure's reason.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SigKind {
    /// The log key's signature over the entry without its `sig` member.
    Log,
    /// The actor's signature over `canonical(auth.statement)`.
    Actor,
    /// A `LogKeyRotated` entry's `data.log_key_sig`: the new log key's signature over the
    /// rotation message ([`Rotation::message`](ledger::rotation::Rotation::message)).
    Rotation,
}

impl SigKind {
    /// The reason reported when this signature does not verify.
    pub fn reason(self) -> &'static str {
        match self {
            SigKind::Log => "log signature invalid",
            SigKind::Actor => "actor signature invalid",
            SigKind::Rotation => "log_key_sig is not the new key's signature of the rotation",
        }
    }
}

/// One signature that the entry at `index` needs, to be verified by the caller.
///
/// Checks are produced in the order the format lists them (the log signature of an entry,
/// then its actor signature, then a rotation's signature by the new key; entries in index
/// order), so the first invalid check of a sequence is also the first failure of the log.
#[derive(Clone, Debug)]
pub struct SigCheck {
    /// Index of the entry this signature belongs to.
    pub index: u64,
    /// Which of the entry's signatures this is.
    pub kind: SigKind,
    /// The key that must have signed.
    pub key: VerifyingKey,
    /// The exact signed bytes.
    pub message: Vec<u8>,
    /// The signature found in the entry.
    pub sig: Signature,
}

impl SigCheck {
    /// Verifies this one signature strictly (RFC 8032 plus the small-order checks of
    /// `verify_strict`), the way the ledger itself verifies statements.
    pub fn verify(&self) -> bool {
        self.key.verify_strict(&self.message, &self.sig).is_ok()
    }

    /// The failure to report when this signature does not verify.
    pub fn failure(&self) -> Failure {
        Failure {
            index: self.index,
            reason: self.kind.reason().to_owned(),
        }
    }

    /// Whether batch verification might judge this check differently from
    /// [`SigCheck::verify`]: the key has small order, or the signature's `R` is encoded
    /// non-canonically or is a point of small order. `verify_strict` refuses all of these and
    /// `verify_batch` looks at none, so such checks skip the batch.
    fn needs_strict_path(&self) -> bool {
        // The key is already decompressed, so this costs three point doublings.
        self.key.is_weak() || r_is_suspect(self.sig.r_bytes())
    }
}

/// The `y` coordinates (little-endian, sign bit cleared) of the eight points of small order
/// on edwards25519: 0, 1, p - 1 and the two order-8 values, as listed in libsodium's
/// `has_small_order`. A test checks each against ed25519-dalek's own `is_weak`.
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

/// Whether an encoded `R` is non-canonical (`y` >= p = 2^255 - 19) or a point of small
/// order. Done on the bytes because decompressing `R` a second time would cost about a
/// third of a batch verification per signature.
fn r_is_suspect(r: &[u8; 32]) -> bool {
    let mut y = *r;
    y[31] &= 0x7f;
    let at_least_p = y[0] >= 0xed && y[1..31].iter().all(|&b| b == 0xff) && y[31] == 0x7f;
    at_least_p || SMALL_ORDER_Y.contains(&y)
}

/// Position of the first check in `checks` whose signature does not verify, if any.
///
/// All checks are first verified together as one Ed25519 batch; only when the batch fails
/// are they verified one by one, which is what finds *which* one failed. The verdict of each
/// check is that of [`SigCheck::verify`] (strict verification): the batch is a shortcut for
/// the common case where everything verifies.
///
/// One gap remains, documented rather than closed because closing it costs a scalar
/// multiplication per signature: ed25519-dalek's batch equation is not multiplied by the
/// cofactor, so a signature whose `R` or key carries a torsion component *without* being of
/// small order can pass a batch (depending on the batch's random coefficients) although
/// strict verification refuses it. Only the holder of the private key can make such a
/// signature; it reveals a misbehaving signer, never a forgery.
pub fn first_invalid(checks: &[SigCheck]) -> Option<usize> {
    if checks.is_empty() {
        return None;
    }
    if !checks.iter().any(SigCheck::needs_strict_path) {
        let messages: Vec<&[u8]> = checks.iter().map(|c| c.message.as_slice()).collect();
        let signatures: Vec<Signature> = checks.iter().map(|c| c.sig).collect();
        let keys: Vec<VerifyingKey> = checks.iter().map(|c| c.key).collect();
        if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
            return None;
        }
    }
    checks.iter().position(|c| !c.verify())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hard-coded table must be exactly what ed25519-dalek calls weak, with either sign.
    #[test]
    fn small_order_table_matches_dalek() {
        for y in SMALL_ORDER_Y {
            for sign in [0x00, 0x80] {
                let mut encoded = y;
                encoded[31] |= sign;
                assert!(r_is_suspect(&encoded));
                if let Ok(point) = VerifyingKey::from_bytes(&encoded) {
                    assert!(point.is_weak(), "{encoded:02x?} is not of small order");
                }
            }
        }
    }

    #[test]
    fn ordinary_points_are_not_suspect() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        assert!(!r_is_suspect(key.as_bytes()));
        // p itself (y = 0 written non-canonically) and the largest encodings are suspect.
        let mut p = [0xff; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(r_is_suspect(&p));
        assert!(r_is_suspect(&[0xff; 32]));
        let mut below_p = p;
        below_p[0] = 0xec;
        assert!(r_is_suspect(&below_p), "p - 1 is y = -1, of order 2");
        below_p[0] = 0xeb;
        assert!(!r_is_suspect(&below_p));
    }
}
