//! Amounts and dates as a Moroccan reader expects them: MAD with the thousands separated
//! and the centimes after a comma, dates day first, in Morocco's time.

use domain::calendar::local_date;
use ledger::Timestamp;

/// `123456789` centimes → `1 234 567,89 MAD` (narrow no-break spaces between thousands).
pub fn mad(centimes: u64) -> String {
    let (units, cents) = (centimes / 100, centimes % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    format!("{grouped},{cents:02}\u{a0}MAD")
}

/// A view's amount in centimes as [`mad`]. Views hold no negative amount; one would show
/// as zero rather than wrap.
pub fn amount(centimes: i64) -> String {
    mad(u64::try_from(centimes).unwrap_or(0))
}

/// An entry's `recorded_at` (or any instant string ledger-format accepts) as `DD/MM/YYYY`
/// in Morocco; the text unchanged if it is not an instant.
pub fn date(instant: &str) -> String {
    match Timestamp::parse_statement(instant) {
        Ok(t) => {
            let d = local_date(t);
            format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
        }
        Err(_) => instant.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_dates_read_as_in_morocco() {
        assert_eq!(mad(123_456_789), "1\u{202f}234\u{202f}567,89\u{a0}MAD");
        assert_eq!(mad(5), "0,05\u{a0}MAD");
        assert_eq!(mad(100_000), "1\u{202f}000,00\u{a0}MAD");
        assert_eq!(amount(2_500_050), "25\u{202f}000,50\u{a0}MAD");
        assert_eq!(amount(-1), "0,00\u{a0}MAD");
        // 23:30 UTC on 31 March 2026 is already 1 April in Casablanca.
        assert_eq!(date("2026-03-31T23:30:00.000Z"), "01/04/2026");
        assert_eq!(date("soon"), "soon");
    }
}
