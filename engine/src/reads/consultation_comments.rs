//! Reads of the `consultation_comments` view, one row per comment: a page of one
//! consultation's comments in number order, paged in SQL (their ids sort by number), and
//! the counts of all of them, counted in SQL. Every query reads one consultation's rows
//! by their id range, never the other consultations'. Shapes from
//! `projections::participation::comments`.

use projections::participation::comments::{Counts, StoredComment};
use projections::participation::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use store::{Condition, Order, Source, Tally, Test, ViewQuery};

use super::support::equals;
use crate::refusal::Refusal;
use crate::service::Service;

/// The comments of consultation `consultation`, by number; only those on `article` when
/// given (`""`: those on the whole text). Its comments are exactly the rows whose ids lie
/// between those of its comments 0 and `u64::MAX`: ids share its id and `/` as a prefix,
/// and no aggregate id holds a `/`.
fn query(consultation: &str, article: Option<&str>) -> ViewQuery {
    let mut query = ViewQuery::new(CONSULTATION_COMMENTS, Order::Id);
    query.conditions.push(Condition::IdBetween {
        low: comment_id(consultation, 0),
        high: comment_id(consultation, u64::MAX),
    });
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

/// The counts of every comment of `consultation`, in one statement. They are
/// `comments::counts` of all its rows, computed inside the database: each tally says in
/// SQL what that function says in Rust, and a test holds the two to the same answers.
///
/// # Errors
/// A store error.
pub async fn comment_counts(service: &Service, consultation: &str) -> Result<Counts, Refusal> {
    const HIDDEN: &[&str] = &["hidden"];
    const WITHHELD: &[&str] = &["withheld"];
    const RESPONSE: &[&str] = &["response"];
    // Visible (`comments::text_is_public`), and `more` when given.
    let public = |more: Option<Test>| {
        let mut tests = vec![Test::NotTrue(HIDDEN), Test::NotTrue(WITHHELD)];
        tests.extend(more);
        Tally::Where(tests)
    };
    let tallies = [
        Tally::Rows,
        public(None),
        public(Some(Test::AnyValueHas {
            path: &["moderation"],
            member: "action",
            value: "restore".to_owned(),
        })),
        Tally::Where(vec![Test::IsTrue(WITHHELD)]),
        Tally::Where(vec![Test::Present(RESPONSE)]),
        public(Some(Test::Absent(RESPONSE))),
        Tally::Distinct {
            key: &["channel"],
            one_of: vec![&["association"], &["person"]],
        },
    ];
    let n = service
        .db
        .view_query_tallies(&query(consultation, None), &tallies)
        .await?;
    let [received, visible, restored, withheld, answered, unanswered_visible, participants] = n[..]
    else {
        return Err(Refusal::internal(
            &"a tally query answered the wrong number of counts",
        ));
    };
    Ok(Counts {
        received,
        visible,
        hidden: received - visible,
        restored,
        withheld,
        answered,
        unanswered_visible,
        participants,
    })
}
