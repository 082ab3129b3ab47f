//! The portal's read models of law drafts (docs/spec/api.md, section 5):
//! `/v1/drafts` listed with filters and pages, `/v1/drafts/{id}` with every revision's
//! text, and `/v1/drafts/{id}/diff?from=A&to=B`, the article-by-article diff linked to the
//! comments and recommendations behind it. Rows come from the `participation.v2`
//! projector; the typed shapes and the diff itself from `projections::participation`.
//!
//! A revision too large for an entry keeps its articles in a document (the canonical JSON
//! of the articles array): those are read from the store here, and handed to the pure
//! presentation.

use std::collections::{HashMap, HashSet};

use domain::participation::Article;
use projections::participation::comments::StoredComment;
use projections::participation::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use projections::participation::diff::{self, DraftDiff, Side};
use projections::participation::draft_view::{
    self, ArticlesAt, Draft, DraftRow, DraftSummary, StoredRevision,
};
use projections::participation::drafts::DRAFTS;

use super::listed::{listing, typed_row, Listing};
use super::support::{equals, invalid, Filters};
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Order, Source, ViewQuery};

pub async fn list_drafts(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<DraftSummary>, Refusal> {
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
    listing(service, &query, params, |r| {
        Ok(draft_view::summary(&DraftRow::from_text(&r.row)?))
    })
    .await
}

pub async fn one_draft(service: &Service, id: &str) -> Result<Draft, Refusal> {
    service.await_read_models().await;
    let draft = draft_row(service, id).await?;
    let revisions: Vec<&StoredRevision> = draft
        .revision_numbers()
        .into_iter()
        .filter_map(|n| draft.revision(n))
        .collect();
    let texts = document_articles(service, &revisions).await?;
    Ok(draft_view::present(&draft, &texts))
}

/// The stored row of draft `id`, typed, or a 404.
async fn draft_row(service: &Service, id: &str) -> Result<DraftRow, Refusal> {
    typed_row(service, DRAFTS, "draft", id, DraftRow::from_text).await
}

pub async fn draft_diff(
    service: &Service,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<DraftDiff, Refusal> {
    let filters = Filters::read(params, &["from", "to"])?;
    let from = revision_number(&filters, "from")?;
    let to = revision_number(&filters, "to")?;
    service.await_read_models().await;
    let draft = draft_row(service, id).await?;
    let numbers = draft.revision_numbers();
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
        draft
            .revision(n)
            .ok_or_else(|| Refusal::not_found(format!("draft {id:?} has no revision {n}")))
    };
    let (from_rev, to_rev) = (revision(from)?, revision(to)?);
    let between: Vec<&StoredRevision> = numbers
        .iter()
        .filter(|n| **n > from && **n <= to)
        .filter_map(|n| draft.revision(*n))
        .collect();

    let mut texts = document_articles(service, &[from_rev, to_rev]).await?;
    let mut articles = |n: u64, rev: &StoredRevision| -> Result<Vec<Article>, Refusal> {
        match draft_view::articles_at(rev) {
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
    let (from_rev, to_rev) = (from_rev.clone(), to_rev.clone());
    let between: Vec<StoredRevision> = between.into_iter().cloned().collect();
    // The word diff is the costly part: on a blocking thread, a bounded number at once.
    let id = id.to_owned();
    let answer = crate::blocking::run(move || {
        let between: Vec<&StoredRevision> = between.iter().collect();
        let motivations = diff::motivations(&between, &commented);
        diff::present(
            &id,
            Side {
                revision: &from_rev,
                articles: &from_articles,
            },
            Side {
                revision: &to_rev,
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
    revisions: &[&StoredRevision],
) -> Result<HashMap<u64, Vec<Article>>, Refusal> {
    let wanted: Vec<(u64, String)> = revisions
        .iter()
        .filter_map(|r| match draft_view::articles_at(r) {
            ArticlesAt::Document(sha) => Some((r.number, sha)),
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
            let articles = draft_view::parse_articles_document(documents.get(&sha)?)?;
            Some((n, articles))
        })
        .collect())
}

/// The article each comment cited by `revisions` was about, by (consultation, number),
/// from those comments' rows only.
async fn commented_articles(
    service: &Service,
    revisions: &[&StoredRevision],
) -> Result<HashMap<(String, u64), String>, Refusal> {
    let cited: HashSet<(String, u64)> = revisions
        .iter()
        .flat_map(|r| &r.motivated_by)
        .filter_map(|m| Some((m.consultation.clone(), m.comment?)))
        .collect();
    let mut out = HashMap::new();
    for (consultation, number) in cited {
        let id = comment_id(&consultation, number);
        let Some(text) = service.db.view_row(CONSULTATION_COMMENTS, &id).await? else {
            continue;
        };
        if let Some(article) = StoredComment::from_text(&text)?.article {
            out.insert((consultation, number), article);
        }
    }
    Ok(out)
}
