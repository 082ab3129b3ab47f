//! The store lists a consultation's comment rows (`consultation_comments`) the way the read
//! API pages them, on both backends: only that consultation's (not those of `C10` when
//! `C1` is asked for), in number order by id (2 before 10), those on the whole text by
//! their missing article, and the next chunk from the last id read.

use projections::participation::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use serde_json::{json, Value};
use store::{Condition, Db, Order, Source, ViewQuery};

use crate::support::{Backend, Store};

both_backends!(comment_rows_list_in_number_order_and_page_from_where_they_ended);

fn comment(consultation: &str, number: u64, article: Option<&str>) -> (String, String, String) {
    (
        CONSULTATION_COMMENTS.to_owned(),
        comment_id(consultation, number),
        json!({"consultation": consultation, "number": number, "article": article}).to_string(),
    )
}

/// The numbers of the listed rows, in the order listed.
fn numbers(rows: &[store::ListedRow]) -> Vec<u64> {
    rows.iter()
        .map(|r| {
            let row: Value = serde_json::from_str(&r.row).unwrap();
            row["number"].as_u64().unwrap()
        })
        .collect()
}

fn of(consultation: &str) -> ViewQuery {
    let mut query = ViewQuery::new(CONSULTATION_COMMENTS, Order::Id);
    query.conditions.push(Condition::Equals {
        source: Source::Row,
        path: &["consultation"],
        value: consultation.to_owned(),
    });
    query
}

async fn comment_rows_list_in_number_order_and_page_from_where_they_ended(backend: Backend) {
    let store = Store::new(backend).await;
    let data = tempfile::tempdir().unwrap();
    let db = Db::open(&store.shared_url(data.path()), 2).await.unwrap();
    let rows = [
        comment("C1", 10, Some("art-1")),
        comment("C1", 2, None),
        comment("C10", 1, None),
        comment("C1", 1, Some("art-2")),
        comment("C1", 11, None),
    ];
    db.save_projection("comment-rows-test", 1, &rows)
        .await
        .unwrap();

    let (listed, total) = db.view_query_page(&of("C1"), 0, 10).await.unwrap();
    assert_eq!((numbers(&listed), total), (vec![1, 2, 10, 11], 4));
    let (second, total) = db.view_query_page(&of("C1"), 2, 2).await.unwrap();
    assert_eq!((numbers(&second), total), (vec![10, 11], 4));

    let mut on_text = of("C1");
    on_text.conditions.push(Condition::Missing {
        source: Source::Row,
        path: &["article"],
    });
    let (listed, total) = db.view_query_page(&on_text, 0, 10).await.unwrap();
    assert_eq!((numbers(&listed), total), (vec![2, 11], 2));

    let mut after = of("C1");
    after.conditions.push(Condition::IdAfter {
        id: comment_id("C1", 2),
    });
    let rest = db.view_query_rows(&after, 0, 10).await.unwrap();
    assert_eq!(numbers(&rest), [10, 11]);
    let all = db.view_query_all(&of("C10")).await.unwrap();
    assert_eq!(numbers(&all), [1]);
}
