//! `sijill indicators DIR [--year Y] [--size N]` and the server's `GET /v1/indicators`:
//! the same fold (`audit::indicators`) over the same entries, so that for one year
//! and one tree size both print the same bytes.

use std::path::Path;
use std::process::ExitCode;

use audit::indicators::Indicators;

/// Reads the first `size` entries (default: all) of an export folder's `entries.jsonl`.
///
/// # Errors
/// A sentence for an unreadable file, a line that is not a signed entry, an entry out of
/// place, or a `size` beyond the export.
pub fn from_export(dir: &Path, year: Option<i32>, size: Option<u64>) -> Result<Indicators, String> {
    let path = dir.join("entries.jsonl");
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    audit::indicators::of_entries(std::io::BufReader::new(file), year, size)
}

/// The command: prints the JSON on standard output; exit 2 on a usage or I/O error.
pub fn run(dir: &Path, year: Option<i32>, size: Option<u64>) -> ExitCode {
    match from_export(dir, year, size) {
        Ok(answer) => match serde_json::to_string(&answer) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("sijill indicators: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("sijill indicators: {e}");
            ExitCode::from(2)
        }
    }
}
