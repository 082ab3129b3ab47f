//! The indicators of `docs/indicators.md` over an export's entries: the fold the server's
//! `GET /v1/indicators` runs (`projections::indicators`), so that for one year and one tree
//! size both give the same bytes.

use std::io::BufRead;

use ledger::SignedEntry;
use projections::indicators::IndicatorFold;
/// The answer, re-exported so a caller of [`of_entries`] needs no other crate.
pub use projections::indicators::Indicators;

/// Folds the first `size` entries (default: all) of `entries` (`entries.jsonl` lines) into
/// the indicators of `year` (default: every year).
///
/// # Errors
/// A sentence for a read error, a line that is not a signed entry, an entry out of place,
/// or a `size` beyond the export.
pub fn of_entries(
    entries: impl BufRead,
    year: Option<i32>,
    size: Option<u64>,
) -> Result<Indicators, String> {
    let mut fold = IndicatorFold::new();
    for line in entries.split(b'\n') {
        if size.is_some_and(|n| fold.size() >= n) {
            break;
        }
        let line = line.map_err(|e| format!("entries.jsonl: {e}"))?;
        let signed =
            SignedEntry::parse(&line).map_err(|e| format!("entry {}: {e}", fold.size()))?;
        if signed.entry.index != fold.size() {
            return Err(format!("entry {} is out of place", fold.size()));
        }
        fold.push(&signed);
    }
    if let Some(n) = size {
        if fold.size() < n {
            return Err(format!("the export holds {} entries, not {n}", fold.size()));
        }
    }
    Ok(fold.finish(year))
}
