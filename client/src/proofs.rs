//! `sijill prove` and `sijill verify-proof`: offline proof files of one entry
//! (`ledger::proof_bundle`, docs/witnesses.md).
//!
//! `prove` fetches `GET /v1/log/proof/bundle?index=I` and writes it to a file once it has
//! checked that the file is well formed. `verify-proof` checks a file with the log's key
//! and the witnesses' keys only: no server, no database. With `--receipt`, it also checks
//! that the file proves the very entry of a public comment's receipt, which is how a
//! receipt is upgraded to a proof once a (cosigned) checkpoint covers it.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ledger::cosignature::CosignerKey;
use ledger::hash::to_hex;
use ledger::proof_bundle::{ProofBundle, ProvenEntry};
use ledger::VerifierKey;
use serde_json::Value;

/// A proof file is a few kilobytes; anything far larger is not one.
const MAX_PROOF_FILE_BYTES: u64 = 1 << 20;

/// `sijill prove --server URL --index I --out FILE`.
pub async fn prove(server: &str, index: u64, out: &Path) -> ExitCode {
    let url = format!(
        "{}/v1/log/proof/bundle?index={index}",
        server.trim_end_matches('/')
    );
    let fail = |e: String| {
        eprintln!("sijill prove: {e}");
        ExitCode::from(2)
    };
    let response = match reqwest::get(&url).await {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let status = response.status();
    let text = match crate::bounded::read_text(response, crate::bounded::ANSWER).await {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    if !status.is_success() {
        eprintln!("sijill prove: {url}: {status}: {text}");
        return ExitCode::from(1);
    }
    let bundle: ProofBundle = match serde_json::from_str(&text) {
        Ok(b) => b,
        Err(e) => return fail(format!("the server's answer is not a proof file: {e}")),
    };
    if let Err(e) = std::fs::write(out, &text) {
        return fail(format!("cannot write {}: {e}", out.display()));
    }
    let _ = writeln!(
        std::io::stdout(),
        "wrote the proof of entry {index} against the checkpoint of size {} to {}",
        bundle.inclusion.size,
        out.display()
    );
    ExitCode::SUCCESS
}

/// What `sijill verify-proof` checks against.
#[derive(Clone, Debug)]
pub struct VerifyProofOptions<'a> {
    pub file: &'a Path,
    /// The log's keys (`--log-key`, repeatable): after a rotation, an entry is signed by
    /// the key in force when it was appended, and a checkpoint by the newer key.
    pub log_keys: &'a [String],
    pub witnesses: &'a [String],
    /// Default: every witness given.
    pub quorum: Option<usize>,
    pub receipt: Option<&'a Path>,
}

/// `sijill verify-proof FILE --log-key KEY [--witness KEY ...] [--quorum K]
/// [--receipt FILE]`: exit 0 with a line saying what was verified, 1 with the reason the
/// file fails, 2 for usage and I/O errors.
pub fn verify_proof(options: &VerifyProofOptions<'_>) -> ExitCode {
    let usage = |e: String| {
        eprintln!("sijill verify-proof: {e}");
        ExitCode::from(2)
    };
    let log_keys = match options
        .log_keys
        .iter()
        .map(|k| VerifierKey::parse(k.trim()))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(k) => k,
        Err(e) => return usage(format!("--log-key: {e}")),
    };
    let witnesses = match parse_witness_keys(options.witnesses) {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let quorum = options.quorum.unwrap_or(witnesses.len());
    let text = match read_limited(options.file) {
        Ok(t) => t,
        Err(e) => return usage(e),
    };
    let receipt = match options.receipt.map(read_limited).transpose() {
        Ok(r) => r,
        Err(e) => return usage(e),
    };
    let verdict = serde_json::from_str::<ProofBundle>(&text)
        .map_err(|e| format!("not a proof file: {e}"))
        .and_then(|bundle| bundle.verify(&log_keys, &witnesses, quorum))
        .and_then(|proven| match &receipt {
            Some(receipt) => matches_receipt(&proven, receipt).map(|()| proven),
            None => Ok(proven),
        });
    match verdict {
        Ok(proven) => {
            let _ = writeln!(
                std::io::stdout(),
                "verified entry {} (entry_hash {}) in the checkpoint of size {}, root {}, cosigned by {} of {} trusted witnesses{}",
                proven.entry.entry.index,
                to_hex(&proven.entry.hash),
                proven.size,
                BASE64.encode(proven.root),
                proven.witnesses.len(),
                witnesses.len(),
                if receipt.is_some() { ", matching the receipt" } else { "" }
            );
            ExitCode::SUCCESS
        }
        Err(reason) => {
            let _ = writeln!(std::io::stdout(), "{reason}");
            ExitCode::from(1)
        }
    }
}

/// Parses `--witness` key strings (tlog-cosignature verifier keys, type 0x04).
///
/// # Errors
/// A sentence naming the first malformed key.
pub fn parse_witness_keys(keys: &[String]) -> Result<Vec<CosignerKey>, String> {
    keys.iter()
        .map(|k| CosignerKey::parse(k).map_err(|e| format!("--witness {k}: {e}")))
        .collect()
}

/// A public comment's receipt (`{"index", "entry_hash", "entry"}`) names the proven entry.
fn matches_receipt(proven: &ProvenEntry, receipt: &str) -> Result<(), String> {
    let value: Value =
        serde_json::from_str(receipt).map_err(|e| format!("receipt: not JSON: {e}"))?;
    let index = value.get("index").and_then(Value::as_u64);
    let hash = value.get("entry_hash").and_then(Value::as_str);
    let (Some(index), Some(hash), Some(entry)) = (index, hash, value.get("entry")) else {
        return Err("receipt: needs index, entry_hash and entry".to_owned());
    };
    if index != proven.entry.entry.index {
        return Err(format!(
            "receipt: it is for entry {index}, the proof for entry {}",
            proven.entry.entry.index
        ));
    }
    let entry_bytes = ledger::canonical::to_bytes(entry)
        .map_err(|e| format!("receipt: its entry is not canonical JSON: {e}"))?;
    if hash != to_hex(&proven.entry.hash) || entry_bytes != proven.entry.bytes {
        return Err("receipt: its entry differs from the proven entry".to_owned());
    }
    Ok(())
}

fn read_limited(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_PROOF_FILE_BYTES {
        return Err(format!(
            "{} is too large to be a proof file",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use ledger::hash::ZERO_HASH;
    use ledger::{Entry, Timestamp};
    use serde_json::json;

    fn proven(index: u64, text: &str) -> ProvenEntry {
        let entry = Entry {
            index,
            stream: "consultation/C-1".into(),
            seq: 2,
            event_type: "CommentSubmitted".into(),
            version: "1".into(),
            recorded_at: Timestamp::parse_entry("2026-03-01T10:00:00.000Z").unwrap(),
            data: json!({"channel": "public", "text": text}),
            auth: None,
            auth_at: None,
            prev: ZERO_HASH,
        }
        .sign(&SigningKey::from_bytes(&[4; 32]))
        .unwrap();
        ProvenEntry {
            entry,
            size: index + 1,
            root: [0; 32],
            witnesses: Vec::new(),
        }
    }

    /// A receipt as `POST /v1/consultations/{id}/comments` answers it (the entry's bytes
    /// verbatim), checked against the proof of its index.
    fn receipt_of(p: &ProvenEntry) -> String {
        format!(
            "{{\"index\":{},\"entry_hash\":\"{}\",\"entry\":{}}}",
            p.entry.entry.index,
            to_hex(&p.entry.hash),
            String::from_utf8_lossy(&p.entry.bytes)
        )
    }

    #[test]
    fn a_receipt_matches_the_proof_of_its_own_entry_only() {
        let mine = proven(7, "Article 3 is unclear.");
        assert_eq!(matches_receipt(&mine, &receipt_of(&mine)), Ok(()));
        // Pretty-printed by some tool on the way: still the same entry.
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<Value>(&receipt_of(&mine)).unwrap(),
        )
        .unwrap();
        assert_eq!(matches_receipt(&mine, &pretty), Ok(()));
        // Another entry at another index, or the same index with another text.
        let other = proven(8, "Article 3 is unclear.");
        assert!(matches_receipt(&other, &receipt_of(&mine)).is_err());
        let changed = proven(7, "Article 3 is clear.");
        assert_eq!(
            matches_receipt(&changed, &receipt_of(&mine)),
            Err("receipt: its entry differs from the proven entry".to_owned())
        );
        assert!(matches_receipt(&mine, "{}").is_err());
    }
}
