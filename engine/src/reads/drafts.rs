//! The portal's read models of law drafts (docs/spec/api.md, section 5):
//! `/v1/drafts` listed with filters and pages, `/v1/drafts/{id}` with every revision's
//! text, and `/v1/drafts/{id}/diff?from=A&to=B`, the article-by-article diff linked to the
//! comments and recommendations behind it. Rows come from the `participation.v1`
//! projector; shapes and the diff itself from `projections::participation`.
//!
//! A revision too large for an entry keeps its articles in a document (the canonical JSON
//! of the articles array): those are read from the store here, and handed to the pure
//! presentation.

use std::collections::{HashMap, HashSet};

use domain::participation::Article;
use projections::participation::consultations::{comment_rows, CONSULTATIONS};
use projections::participation::diff::{self, Side};
use projections::participation::drafts::{self, ArticlesAt, DRAFTS};
use serde_json::Value;

use super::support::{equals, invalid, list, parse, row, Filters};
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Order, Source, ViewQuery};

pub async fn list_drafts(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Value, Refusal> {
    let filters = Filters::read(params, &["institution", "status"])?;
    let mut query = ViewQuery::new(DRAFTS, Order::Newest);
    if let Some(institution) = filters.id("institution")? {
        query
            .conditions
            .push(equals(Source::Row, &["institution"], institution));
    }
    if let Some(status) = filters.one_of("status", &["drafting", "submitted"])? {
        query
            .conditions
            .push(equals(Source::Row, &["status"], status));
    }
    service.await_read_models().await;
    list(service, &query, params, |r| drafts::summary(&parse(&r.row))).await
}

pub async fn one_draft(service: &Service, id: &str) -> Result<Value, Refusal> {
    service.await_read_models().await;
    let draft = row(service, DRAFTS, "draft", id).await?;
    let revisions: Vec<&Value> = drafts::revision_numbers(&draft)
        .into_iter()
        .filter_map(|n| drafts::revision(&draft, n))
        .collect();
    let texts = document_articles(service, &revisions).await?;
    Ok(drafts::present(&draft, &texts))
}

pub async fn draft_diff(
    service: &Service,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<Value, Refusal> {
    let filters = Filters::read(params, &["from", "to"])?;
    let from = revision_number(&filters, "from")?;
    let to = revision_number(&filters, "to")?;
    service.await_read_models().await;
    let draft = row(service, DRAFTS, "draft", id).await?;
    let numbers = drafts::revision_numbers(&draft);
    let latest = numbers.last().copied();
    // Without parameters, the latest revision's own changes: a reader's first question.
    let to = match (to, latest) {
        (Some(to), _) => to,
        (None, Some(latest)) => latest,
        (None, None) => return Err(Refusal::not_found(format!("draft {id:?} has no revision"))),
    };
    let from = from.unwrap_or(to.saturating_sub(1));
    if from == 0 || from >= to {
        return Err(invalid(
            "from must be an earlier revision than to (from=A&to=B with 1 <= A < B)",
        ));
    }
    let revision = |n: u64| {
        drafts::revision(&draft, n)
            .ok_or_else(|| Refusal::not_found(format!("draft {id:?} has no revision {n}")))
    };
    let (from_rev, to_rev) = (revision(from)?, revision(to)?);
    let between: Vec<&Value> = numbers
        .iter()
        .filter(|n| **n > from && **n <= to)
        .filter_map(|n| drafts::revision(&draft, *n))
        .collect();

    let mut texts = document_articles(service, &[from_rev, to_rev]).await?;
    let mut articles = |n: u64, rev: &Value| -> Result<Vec<Article>, Refusal> {
        match drafts::articles_at(rev) {
            ArticlesAt::Inline(a) => Ok(a),
            _ => texts.remove(&n).ok_or_else(|| {
                Refusal::internal(&format!(
                    "the articles of revision {n} of draft {id} cannot be read from the store"
                ))
            }),
        }
    };
    let (from_articles, to_articles) = (articles(from, from_rev)?, articles(to, to_rev)?);
    let commented = commented_articles(service, &between).await?;
    // The word diff is the costly part: on a blocking thread, a bounded number at once.
    let id = id.to_owned();
    let answer = crate::blocking::run(move || {
        let null = Value::Null;
        let revision = |n: u64| drafts::revision(&draft, n).unwrap_or(&null);
        let between: Vec<&Value> = numbers
            .iter()
            .filter(|n| **n > from && **n <= to)
            .map(|n| revision(*n))
            .collect();
        let motivations = diff::motivations(&between, &commented);
        diff::present(
            &id,
            Side {
                revision: revision(from),
                articles: &from_articles,
            },
            Side {
                revision: revision(to),
                articles: &to_articles,
            },
            &between,
            &motivations,
        )
    })
    .await?;
    Ok(answer)
}

/// `from` or `to`: a revision number, a positive integer.
fn revision_number(filters: &Filters, name: &str) -> Result<Option<u64>, Refusal> {
    let Some(text) = filters.get(name)? else {
        return Ok(None);
    };
    match text.parse::<u64>() {
        Ok(n) if n >= 1 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(invalid(format!(
            "{name} must be a revision number: 1, 2, 3..."
        ))),
    }
}

/// The articles of those `revisions` that keep them in a document, by revision number,
/// read in one round trip. A document that is missing or does not parse is left out; the
/// caller decides what a revision without its text shows.
pub(crate) async fn document_articles(
    service: &Service,
    revisions: &[&Value],
) -> Result<HashMap<u64, Vec<Article>>, Refusal> {
    let wanted: Vec<(u64, String)> = revisions
        .iter()
        .filter_map(|r| match drafts::articles_at(r) {
            ArticlesAt::Document(sha) => Some((r.get("number")?.as_u64()?, sha)),
            _ => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let shas: Vec<String> = wanted.iter().map(|(_, sha)| sha.clone()).collect();
    let documents = service.db.published_documents(&shas).await?;
    Ok(wanted
        .into_iter()
        .filter_map(|(n, sha)| {
            let articles = drafts::parse_articles_document(documents.get(&sha)?)?;
            Some((n, articles))
        })
        .collect())
}

/// The article each comment cited by `revisions` was about, by (consultation, number),
/// from the consultations' rows.
async fn commented_articles(
    service: &Service,
    revisions: &[&Value],
) -> Result<HashMap<(String, u64), String>, Refusal> {
    let consultations: HashSet<String> = revisions
        .iter()
        .filter_map(|r| r.get("motivated_by")?.as_array())
        .flatten()
        .filter(|m| m.get("comment").is_some_and(Value::is_u64))
        .filter_map(|m| m.get("consultation")?.as_str().map(str::to_owned))
        .collect();
    let mut out = HashMap::new();
    for id in consultations {
        let Some(text) = service.db.view_row(CONSULTATIONS, &id).await? else {
            continue;
        };
        for comment in comment_rows(&parse(&text)) {
            if let (Some(n), Some(article)) = (
                comment.get("number").and_then(Value::as_u64),
                comment.get("article").and_then(Value::as_str),
            ) {
                out.insert((id.clone(), n), article.to_owned());
            }
        }
    }
    Ok(out)
}
