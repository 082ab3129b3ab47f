//! `sijill verify DIR --witness VKEY ... [--quorum K]`: the export verification of
//! [`crate::verify`], then the witnesses' cosignatures on the export's checkpoint.
//!
//! Everything `sijill verify` checks (of an export or a mirror) is checked first and
//! reported the same way; then the checkpoint must carry valid cosignatures by at least K of the given witnesses (K
//! defaults to their number), else `index N: checkpoint: <reason>` and exit 1, N being
//! the number of entries, as for any other checkpoint failure.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ledger::cosignature::open_cosigned;
use ledger::VerifierKey;

use crate::proofs::parse_witness_keys;
use crate::verify::{verify_export, VerifyOutcome};

/// `log.pub` and `checkpoint` are small; this bounds what is read of them.
const MAX_SMALL_FILE_BYTES: u64 = 64 * 1024;

/// Runs the verification and reports as `sijill verify` does.
pub fn run(
    dir: &Path,
    log_key: Option<&str>,
    witnesses: &[String],
    quorum: Option<usize>,
) -> ExitCode {
    let usage = |e: String| {
        let _ = writeln!(std::io::stderr(), "sijill verify: {e}");
        ExitCode::from(2)
    };
    let witnesses = match parse_witness_keys(witnesses) {
        Ok(w) => w,
        Err(e) => return usage(e),
    };
    let quorum = quorum.unwrap_or(witnesses.len());
    let (size, root) = match verify_export(dir, log_key, true) {
        VerifyOutcome::Verified { size, root } => (size, root),
        VerifyOutcome::Failed(failure) => {
            let _ = writeln!(std::io::stdout(), "{failure}");
            return ExitCode::from(1);
        }
        VerifyOutcome::Usage(message) => return usage(message),
    };
    let log_keys = match trusted_log_keys(dir, log_key) {
        Ok(k) => k,
        Err(e) => return usage(e),
    };
    // A mirror (docs/tiles.md) keeps its checkpoint at its tlog-tiles path.
    let checkpoint = if crate::verify::is_mirror(dir) {
        dir.join("log/checkpoint")
    } else {
        dir.join("checkpoint")
    };
    let note = match read_small(&checkpoint) {
        Ok(n) => n,
        Err(e) => return usage(e),
    };
    let cosigned =
        open_cosigned(&note, &log_keys, &witnesses).and_then(|c| c.require(quorum).map(|()| c));
    match cosigned {
        Ok(_) => {
            let _ = writeln!(
                std::io::stdout(),
                "verified {size} entries, root {}",
                BASE64.encode(root)
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stdout(), "index {size}: checkpoint: {e}");
            ExitCode::from(1)
        }
    }
}

/// The log keys whose signature line marks the log's own signature in the note: `--log-key`
/// and every line of `DIR/log.pub`. Which of them the checkpoint had to be signed by was
/// decided by `verify_export` (a trusted key or one it rotated to, docs/key-rotation.md);
/// here only the witnesses' cosignatures are new, and with a key rotated since the one
/// given, `log.pub` names the key that signed.
fn trusted_log_keys(dir: &Path, log_key: Option<&str>) -> Result<Vec<VerifierKey>, String> {
    let mut text = log_key.map(|k| format!("{k}\n")).unwrap_or_default();
    let listed = dir.join("log.pub");
    if log_key.is_none() || listed.exists() {
        text.push_str(&read_small(&listed)?);
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| VerifierKey::parse(l.trim()).map_err(|e| format!("log key {l}: {e}")))
        .collect()
}

fn read_small(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_SMALL_FILE_BYTES {
        return Err(format!("{} is too large", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
