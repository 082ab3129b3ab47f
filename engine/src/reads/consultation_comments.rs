//! Reads of the `consultation_comments` view, one row per comment: a page of one
//! consultation's comments in number order, paged in SQL (their ids sort by number), and
//! every comment of a consultation for what a page shows about all of them (the counts,
//! the stream's entries). Shapes from `projections::participation::comments`.

use projections::participation::comments::StoredComment;
use projections::participation::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use store::{Condition, Order, Source, ViewQuery};

use super::support::equals;
use crate::refusal::Refusal;
use crate::service::Service;

/// The comments of consultation `consultation`, by number; only those on `article` when
/// given (`""`: those on the whole text).
fn query(consultation: &str, article: Option<&str>) -> ViewQuery {
    let mut query = ViewQuery::new(CONSULTATION_COMMENTS, Order::Id);
    query.conditions.push(equals(
        Source::Row,
        &["consultation"],
        consultation.to_owned(),
    ));
    match article {
        None => {}
        Some("") => query.conditions.push(Condition::Missing {
            source: Source::Row,
            path: &["article"],
        }),
        Some(a) => query
            .conditions
            .push(equals(Source::Row, &["article"], a.to_owned())),
    }
    query
}

/// `limit` comments of `consultation` from the `offset`th (in number order, only those
/// on `article` when given), and how many there are in all.
///
/// # Errors
/// A store error; a row that does not read.
pub async fn comments_page(
    service: &Service,
    consultation: &str,
    article: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<StoredComment>, u64), Refusal> {
    let (rows, total) = service
        .db
        .view_query_page(&query(consultation, article), offset, limit)
        .await?;
    let comments = rows
        .iter()
        .map(|r| StoredComment::from_text(&r.row))
        .collect::<Result<_, _>>()?;
    Ok((comments, total))
}

/// At most `limit` comments of `consultation` after comment `after` (from the first when
/// `None`), in number order: how a file of every comment is read a chunk at a time, each
/// read starting where the last one ended rather than counting through the ones before.
///
/// # Errors
/// A store error; a row that does not read.
pub async fn comments_after(
    service: &Service,
    consultation: &str,
    after: Option<u64>,
    limit: u64,
) -> Result<Vec<StoredComment>, Refusal> {
    let mut query = query(consultation, None);
    if let Some(number) = after {
        query.conditions.push(Condition::IdAfter {
            id: comment_id(consultation, number),
        });
    }
    let rows = service.db.view_query_rows(&query, 0, limit).await?;
    Ok(rows
        .iter()
        .map(|r| StoredComment::from_text(&r.row))
        .collect::<Result<_, _>>()?)
}

/// Every comment of `consultation`, in number order, in one read.
///
/// # Errors
/// A store error; a row that does not read.
pub async fn all_comments(
    service: &Service,
    consultation: &str,
) -> Result<Vec<StoredComment>, Refusal> {
    let rows = service
        .db
        .view_query_all(&query(consultation, None))
        .await?;
    Ok(rows
        .iter()
        .map(|r| StoredComment::from_text(&r.row))
        .collect::<Result<_, _>>()?)
}
