//! `comments.csv`: every comment of every consultation, one row each, with its
//! consultation, article, date, channel, status, moderation ground and response, for
//! people who open data in a spreadsheet (RFC 4180 quoting, the `csv` crate; a text cell
//! a spreadsheet would run as a formula is made text, `crate::spreadsheet`).
//!
//! No personal data: no person reference, no name, no e-mail. An association is named by
//! its id (it comments as a legal person, in public). A hidden or withheld comment's row
//! has an empty text; the placeholder's ground says why.

use std::collections::HashMap;

use super::comments::{self, StoredComment};
use super::consultation_view::ConsultationRow;

/// The header row, in column order.
pub const COLUMNS: [&str; 19] = [
    "consultation_id",
    "consultation_title",
    "draft_id",
    "revision",
    "institution_id",
    "comment_number",
    "article",
    "submitted_at",
    "index",
    "channel",
    "association_id",
    "status",
    "ground",
    "withheld",
    "text",
    "response_position",
    "response_reasoning",
    "responded_at",
    "audit_trail",
];

/// The columns that hold numbers (and a boolean): written as they are, never prefixed.
pub const NUMERIC_COLUMNS: [&str; 4] = ["revision", "comment_number", "index", "withheld"];

/// Texts of the comments whose text is public, by `(consultation id, comment number)`.
pub type Texts = HashMap<(String, u64), String>;

/// The CSV document: the header, then every comment of `consultations` (rows of the
/// `consultations` view, in the order given, each with its comments in number order).
/// The server streams the same bytes piece by piece: [`header`], then [`rows`] over
/// consecutive comments.
///
/// # Errors
/// Only if writing to memory fails, which the `csv` writer reports as an I/O error.
pub fn write(
    consultations: &[(ConsultationRow, Vec<StoredComment>)],
    texts: &Texts,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = header()?;
    for (consultation, comments) in consultations {
        let comments: Vec<&StoredComment> = comments.iter().collect();
        out.extend(rows(consultation, &comments, texts)?);
    }
    Ok(out)
}

/// The header line.
///
/// # Errors
/// As [`write`].
pub fn header() -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(COLUMNS)?;
    out.into_inner().map_err(|e| e.into_error().into())
}

/// The lines of `comments` (consecutive comments of `consultation`, in number order).
///
/// # Errors
/// As [`write`].
pub fn rows(
    consultation: &ConsultationRow,
    comments: &[&StoredComment],
    texts: &Texts,
) -> Result<Vec<u8>, csv::Error> {
    let numeric = crate::spreadsheet::positions(&COLUMNS, &NUMERIC_COLUMNS);
    let mut out = csv::Writer::from_writer(Vec::new());
    for comment in comments {
        let cells = record(consultation, comment, texts);
        out.write_record(crate::spreadsheet::text_row(cells, &numeric))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// One comment's cells, in [`COLUMNS`] order.
fn record(consultation: &ConsultationRow, comment: &StoredComment, texts: &Texts) -> [String; 19] {
    let id = consultation.id.clone();
    let text = if comments::text_is_public(comment) {
        texts
            .get(&(id.clone(), comment.number))
            .cloned()
            .unwrap_or_default()
    } else {
        String::new()
    };
    let response = comment.response.as_ref();
    let of_response = |cell: fn(&comments::CommentResponse) -> &String| {
        response.map(cell).cloned().unwrap_or_default()
    };
    [
        id.clone(),
        consultation.title.clone(),
        consultation.draft.clone(),
        consultation.revision.to_string(),
        consultation.institution.clone(),
        comment.number.to_string(),
        comment.article.clone().unwrap_or_default(),
        comment.recorded_at.clone(),
        comment.index.to_string(),
        comment.channel.clone(),
        comment.association.clone().unwrap_or_default(),
        comments::status(comment).as_str().to_owned(),
        comments::ground(comment).unwrap_or_default(),
        comments::is_withheld(comment).to_string(),
        text,
        of_response(|r| &r.position),
        of_response(|r| &r.reasoning),
        of_response(|r| &r.recorded_at),
        format!("/v1/streams/consultation/{id}"),
    ]
}
