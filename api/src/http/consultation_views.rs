//! The portal's read models of public consultations (api.md, "The portal's read models";
//! issue 4): `/v1/consultations` listed with filters and pages, `/v1/consultations/{id}`
//! (the consulted revision article by article with its comments, moderation
//! placeholders, responses, recommendations and counts), and the open-data file
//! `/v1/exports/comments.csv`. Rows come from the `participation.v1` projector; shapes
//! from `projections::participation`.
//!
//! Comment texts are documents: only those the log lets the public read (not hidden, not
//! withheld) are fetched, in one round trip per page. Public commenters' names live in
//! the erasable personal-data store, looked up in one place: [`public_commenter_names`].

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use projections::participation::comments_csv::{self, Texts};
use projections::participation::consultations::{self, Material, CONSULTATIONS};
use projections::participation::drafts::{self, ArticlesAt, DRAFTS};
use serde_json::Value;

use super::drafts::document_articles;
use super::support::{equals, list, parse, row, Filters};
use super::AppState;
use crate::error::ApiError;
use crate::store::{Join, Order, Source, ViewQuery};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/consultations", get(list_consultations))
        .route("/v1/consultations/{id}", get(one_consultation))
        .route("/v1/exports/comments.csv", get(comments_csv_file))
}

pub(crate) async fn list_consultations(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let filters = Filters::read(&params, &["status", "institution", "year", "draft"])?;
    let mut query = ViewQuery::new(CONSULTATIONS, Order::Newest);
    // j0: the consultation's draft, for its title.
    query.joins = vec![Join {
        view: DRAFTS,
        from: Source::Row,
        by: "draft",
    }];
    let own = Source::Row;
    if let Some(status) = filters.one_of("status", &["open", "closed", "results"])? {
        query.conditions.push(equals(own, &["status"], status));
    }
    if let Some(institution) = filters.id("institution")? {
        query
            .conditions
            .push(equals(own, &["institution"], institution));
    }
    // The year a consultation opened in (its window's `opens_at`).
    if let Some(year) = filters.year()? {
        query.conditions.push(equals(own, &["year"], year));
    }
    if let Some(draft) = filters.id("draft")? {
        query.conditions.push(equals(own, &["draft"], draft));
    }
    service.await_read_models().await;
    list(&service, &query, &params, |r| {
        let draft = r.joined.first().cloned().flatten().map(|t| parse(&t));
        consultations::summary(&parse(&r.row), draft.as_ref())
    })
    .await
    .map(Json)
}

pub(crate) async fn one_consultation(
    State(service): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service.await_read_models().await;
    let consultation = row(&service, CONSULTATIONS, "consultation", &id).await?;
    let draft = match consultation.get("draft").and_then(Value::as_str) {
        Some(draft) => service.db.view_row(DRAFTS, draft).await?.map(|t| parse(&t)),
        None => None,
    };
    let articles = consulted_articles(&service, &consultation, draft.as_ref()).await?;
    let texts: HashMap<u64, String> = comment_texts(&service, &[&consultation])
        .await?
        .into_iter()
        .map(|((_, n), text)| (n, text))
        .collect();
    let id = consultation.get("id").and_then(Value::as_str).unwrap_or("");
    let authors =
        public_commenter_names(&service, id, &consultations::persons_to_name(&consultation))
            .await?;
    Ok(Json(consultations::present(
        &consultation,
        &Material {
            draft: draft.as_ref(),
            articles: articles.as_deref(),
            texts: &texts,
            authors: &authors,
        },
    )))
}

async fn comments_csv_file(State(service): State<AppState>) -> Result<Response, ApiError> {
    service.await_read_models().await;
    let rows: Vec<Value> = service
        .db
        .view_query_all(&ViewQuery::new(CONSULTATIONS, Order::Oldest))
        .await?
        .iter()
        .map(|r| parse(&r.row))
        .collect();
    let refs: Vec<&Value> = rows.iter().collect();
    let texts = comment_texts(&service, &refs).await?;
    let body = comments_csv::write(&rows, &texts).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"comments.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// The articles of the revision a consultation is on, from the draft's row (inline) or
/// its articles document; `None` when neither can be read.
async fn consulted_articles(
    service: &AppState,
    consultation: &Value,
    draft: Option<&Value>,
) -> Result<Option<Vec<domain::participation::Article>>, ApiError> {
    let Some(revision) = draft.and_then(|d| {
        let n = consultation.get("revision")?.as_u64()?;
        drafts::revision(d, n)
    }) else {
        return Ok(None);
    };
    Ok(match drafts::articles_at(revision) {
        ArticlesAt::Inline(articles) => Some(articles),
        ArticlesAt::Document(_) => document_articles(service, &[revision])
            .await?
            .into_values()
            .next(),
        ArticlesAt::Missing => None,
    })
}

/// The texts of the comments of `rows` that the public may read, by (consultation id,
/// comment number), read in one round trip. A text that is not valid UTF-8 (the edge
/// refuses those) is shown with replacement characters rather than failing the page.
async fn comment_texts(service: &AppState, rows: &[&Value]) -> Result<Texts, ApiError> {
    let wanted: Vec<(String, u64, String)> = rows
        .iter()
        .flat_map(|r| {
            let id = r.get("id").and_then(Value::as_str).unwrap_or("").to_owned();
            consultations::public_documents(r)
                .into_iter()
                .map(move |(n, sha)| (id.clone(), n, sha))
        })
        .collect();
    if wanted.is_empty() {
        return Ok(Texts::new());
    }
    let shas: Vec<String> = wanted.iter().map(|(_, _, sha)| sha.clone()).collect();
    let documents = service.db.published_documents(&shas).await?;
    Ok(wanted
        .into_iter()
        .filter_map(|(id, n, sha)| {
            let bytes = documents.get(&sha)?;
            Some(((id, n), String::from_utf8_lossy(bytes).into_owned()))
        })
        .collect())
}

/// The display names of public commenters, by comment number, from the erasable
/// personal-data store (`public_channel::persons`): each comment shows the name given
/// with it, only while its key opens, so an erased person has none. Never copied into a
/// view or an export, so that erasure reaches every place a name was shown.
async fn public_commenter_names(
    service: &AppState,
    consultation: &str,
    persons: &[(u64, String)],
) -> Result<HashMap<u64, String>, ApiError> {
    Ok(service.public.persons.names(consultation, persons).await?)
}
