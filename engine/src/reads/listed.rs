//! Typed pages and rows of the read models: a list answer as [`Listing`] (`{"items",
//! "page", "per_page", "total"}`, the shape of every list) over a typed view, and one row
//! read into its typed shape. The row's JSON is read by `projections` (its `from_text`
//! functions), never here.

use std::collections::HashMap;

use projections::rows::BadRow;
use serde::{Deserialize, Serialize};
use store::{ListedRow, ViewQuery};

use super::registry::page;
use crate::refusal::Refusal;
use crate::service::Service;

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// From 1.
    pub page: u64,
    pub per_page: u64,
    /// How many match the filters, on every page.
    pub total: u64,
}

/// A stored row that does not read as its view is a bug of this build, never the
/// reader's: a 500 whose detail goes to the log.
impl From<BadRow> for Refusal {
    fn from(e: BadRow) -> Self {
        Self::internal(&e)
    }
}

/// The page of `query` that `params` (`page`, `per_page`) asks for, each row shown by
/// `show`.
///
/// # Errors
/// A bad `page` or `per_page`; a store error; a row `show` cannot read.
pub async fn listing<T>(
    service: &Service,
    query: &ViewQuery,
    params: &HashMap<String, String>,
    show: impl Fn(&ListedRow) -> Result<T, BadRow>,
) -> Result<Listing<T>, Refusal> {
    let (offset, limit, page_number) = page(params)?;
    let (rows, total) = service.db.view_query_page(query, offset, limit).await?;
    Ok(Listing {
        items: rows.iter().map(show).collect::<Result<_, _>>()?,
        page: page_number,
        per_page: limit,
        total,
    })
}

/// The row `id` of `view` read by `read`, or a 404 naming the `kind` of thing asked for.
///
/// # Errors
/// 404 for an unknown id; a store error; a row that does not read.
pub async fn typed_row<T>(
    service: &Service,
    view: &str,
    kind: &str,
    id: &str,
    read: impl Fn(&str) -> Result<T, BadRow>,
) -> Result<T, Refusal> {
    let text = service
        .db
        .view_row(view, id)
        .await?
        .ok_or_else(|| Refusal::not_found(format!("no {kind} {id:?}")))?;
    Ok(read(&text)?)
}
