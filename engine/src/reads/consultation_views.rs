//! The portal's read models of public consultations (docs/spec/api.md, section
//! 5): `/v1/consultations` listed with filters and pages, `/v1/consultations/{id}`
//! (the consulted revision article by article with its comments, moderation
//! placeholders, responses, recommendations and counts); the open-data file
//! `/v1/exports/comments.csv` is streamed by `api::comments_csv`. Rows come from the
//! `participation.v2` projector: a consultation's row, and its comments' rows read
//! through [`super::consultation_comments`] (a page of them in SQL, all of them for the
//! counts and the entry list); shapes from `projections::participation`.
//!
//! Comment texts are documents: only those the log lets the public read (not hidden, not
//! withheld) are fetched, in one round trip per page. Public commenters' names live in
//! the erasable personal-data store, looked up in one place: [`public_commenter_names`].

use std::collections::HashMap;

use projections::participation::comments::{self, StoredComment};
use projections::participation::consultation_view::{
    self, CommentsPage, Consultation, ConsultationComments, ConsultationRow, ConsultationSummary,
    Material,
};
use projections::participation::consultations::CONSULTATIONS;
use projections::participation::draft_view::{self, ArticlesAt, DraftRow};
use projections::participation::drafts::DRAFTS;

use super::consultation_comments::{comment_counts, comments_page};
use super::drafts::document_articles;
use super::listed::{listing, typed_row, Listing};
use super::support::{equals, Filters};
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Join, Order, Source, ViewQuery};

pub async fn list_consultations(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<ConsultationSummary>, Refusal> {
    let filters = Filters::read(params, &["status", "institution", "year", "draft"])?;
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
    let listed = listing(service, &query, params, |r| {
        let draft_title = match r.joined.first().and_then(Option::as_deref) {
            Some(draft) => Some(DraftRow::title_from_text(draft)?),
            None => None,
        };
        Ok((ConsultationRow::from_text(&r.row)?, draft_title))
    })
    .await?;
    let mut items = Vec::with_capacity(listed.items.len());
    for (row, draft_title) in listed.items {
        let counts = comment_counts(service, &row.id).await?;
        items.push(consultation_view::summary(&row, draft_title, counts));
    }
    Ok(Listing {
        items,
        page: listed.page,
        per_page: listed.per_page,
        total: listed.total,
    })
}

/// Comments a page holds unless `per_page` says otherwise.
pub const DEFAULT_COMMENTS_PER_PAGE: u64 = 50;
/// The most comments one page may hold; `/v1/consultations/{id}` shows this many.
pub const MAX_COMMENTS_PER_PAGE: u64 = 200;

/// Which comments of a consultation an answer shows.
pub struct CommentWindow {
    pub page: u64,
    pub per_page: u64,
    /// Only those on this article (`""`: those on the whole text).
    pub article: Option<String>,
}

impl CommentWindow {
    /// `?page=` (from 1), `?per_page=` (1 to [`MAX_COMMENTS_PER_PAGE`], default
    /// `per_page`) and, when `with_article`, `?article=`.
    pub(crate) fn read(
        params: &HashMap<String, String>,
        per_page: u64,
        with_article: bool,
    ) -> Result<Self, Refusal> {
        let number = |name: &str| -> Result<Option<u64>, Refusal> {
            params
                .get(name)
                .map(|v| {
                    v.parse::<u64>().map_err(|_| {
                        Refusal::bad_request(
                            "invalid_parameter",
                            format!("{name} must be a whole number"),
                        )
                    })
                })
                .transpose()
        };
        let page = number("page")?.unwrap_or(1);
        if page == 0 {
            return Err(Refusal::bad_request(
                "invalid_parameter",
                "page counts from 1",
            ));
        }
        let per_page = number("per_page")?.unwrap_or(per_page);
        if !(1..=MAX_COMMENTS_PER_PAGE).contains(&per_page) {
            return Err(Refusal::bad_request(
                "invalid_parameter",
                format!("per_page must be between 1 and {MAX_COMMENTS_PER_PAGE}"),
            ));
        }
        Ok(Self {
            page,
            per_page,
            article: if with_article {
                params.get("article").cloned()
            } else {
                None
            },
        })
    }

    /// How many comments come before the page.
    fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// The first page at the largest size: what `/v1/consultations/{id}` shows by default.
    pub fn first() -> Self {
        Self {
            page: 1,
            per_page: MAX_COMMENTS_PER_PAGE,
            article: None,
        }
    }
}

pub async fn one_consultation(
    service: &Service,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<Consultation, Refusal> {
    let window = CommentWindow::read(params, MAX_COMMENTS_PER_PAGE, false)?;
    consultation(service, id, &window).await
}

/// The consultation `id` with one page of its comments (`comments_page` says which), the
/// texts and names read for that page only.
///
/// # Errors
/// 404 for an unknown consultation; a store error.
pub async fn consultation(
    service: &Service,
    id: &str,
    window: &CommentWindow,
) -> Result<Consultation, Refusal> {
    service.await_read_models().await;
    let consultation = consultation_row(service, id).await?;
    let draft = match service.db.view_row(DRAFTS, &consultation.draft).await? {
        Some(text) => Some(DraftRow::from_text(&text)?),
        None => None,
    };
    let articles = consulted_articles(service, &consultation, draft.as_ref()).await?;
    let counts = comment_counts(service, id).await?;
    let (page, total) = comments_page(
        service,
        id,
        window.article.as_deref(),
        window.offset(),
        window.per_page,
    )
    .await?;
    let page: Vec<&StoredComment> = page.iter().collect();
    let (texts, authors) = page_material(service, &consultation, &page).await?;
    let mut answer = consultation_view::present_some(
        &consultation,
        counts,
        &page,
        &Material {
            draft_title: draft.as_ref().map(|d| d.title.as_str()),
            articles: articles.as_deref(),
            texts: &texts,
            authors: &authors,
        },
    );
    answer.comments_page = Some(page_info(id, window, total));
    Ok(answer)
}

/// The stored row of consultation `id`, typed, or a 404.
async fn consultation_row(service: &Service, id: &str) -> Result<ConsultationRow, Refusal> {
    typed_row(
        service,
        CONSULTATIONS,
        "consultation",
        id,
        ConsultationRow::from_text,
    )
    .await
}

/// Where a page of comments sits among them all, with the link to the next page.
fn page_info(id: &str, window: &CommentWindow, total: u64) -> CommentsPage {
    let pages = total.div_ceil(window.per_page).max(1);
    let next = (window.page < pages).then(|| {
        format!(
            "/v1/consultations/{id}/comments?page={}&per_page={}",
            window.page + 1,
            window.per_page
        )
    });
    CommentsPage {
        page: window.page,
        per_page: window.per_page,
        total,
        pages,
        next,
    }
}

/// `GET /v1/consultations/{id}/comments?page=&per_page=&article=`: one page of a
/// consultation's comments in number order, each as the consultation shows it.
pub async fn consultation_comments(
    service: &Service,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<ConsultationComments, Refusal> {
    if let Some(name) = params
        .keys()
        .find(|k| !["page", "per_page", "article"].contains(&k.as_str()))
    {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("unknown parameter {name:?}; use page, per_page and article"),
        ));
    }
    let window = CommentWindow::read(params, DEFAULT_COMMENTS_PER_PAGE, true)?;
    service.await_read_models().await;
    let consultation = consultation_row(service, id).await?;
    let (page, total) = comments_page(
        service,
        id,
        window.article.as_deref(),
        window.offset(),
        window.per_page,
    )
    .await?;
    let page: Vec<&StoredComment> = page.iter().collect();
    let (texts, authors) = page_material(service, &consultation, &page).await?;
    let items = consultation_view::present_comments(
        &consultation,
        &page,
        &Material {
            draft_title: None,
            articles: None,
            texts: &texts,
            authors: &authors,
        },
    );
    let info = page_info(id, &window, total);
    Ok(ConsultationComments {
        consultation: id.to_owned(),
        article: window.article,
        items,
        page: info.page,
        per_page: info.per_page,
        total: info.total,
        pages: info.pages,
        next: info.next,
    })
}

/// The public texts and the names of the commenters of `page`, by comment number: only
/// these are read, whatever the number of comments the consultation holds.
async fn page_material(
    service: &Service,
    consultation: &ConsultationRow,
    page: &[&StoredComment],
) -> Result<(HashMap<u64, String>, HashMap<u64, String>), Refusal> {
    let texts = public_texts(service, page).await?;
    let persons = consultation.persons_to_name(page);
    let authors = public_commenter_names(service, &consultation.id, &persons).await?;
    Ok((texts, authors))
}

/// The texts the public may read of `page` (comments of one consultation), by number, in
/// one round trip. A text that is not valid UTF-8 (the edge refuses those) is shown with
/// replacement characters rather than failing the page or the file.
pub async fn public_texts(
    service: &Service,
    page: &[&StoredComment],
) -> Result<HashMap<u64, String>, Refusal> {
    let wanted = comments::public_documents(page);
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let shas: Vec<String> = wanted.iter().map(|(_, sha)| sha.clone()).collect();
    let documents = service.db.published_documents(&shas).await?;
    Ok(wanted
        .into_iter()
        .filter_map(|(n, sha)| {
            let bytes = documents.get(&sha)?;
            Some((n, String::from_utf8_lossy(bytes).into_owned()))
        })
        .collect())
}

/// The articles of the revision a consultation is on, from the draft's row (inline) or
/// its articles document; `None` when neither can be read.
async fn consulted_articles(
    service: &Service,
    consultation: &ConsultationRow,
    draft: Option<&DraftRow>,
) -> Result<Option<Vec<domain::participation::Article>>, Refusal> {
    let Some(revision) = draft.and_then(|d| d.revision(consultation.revision)) else {
        return Ok(None);
    };
    Ok(match draft_view::articles_at(revision) {
        ArticlesAt::Inline(articles) => Some(articles),
        ArticlesAt::Document(_) => document_articles(service, &[revision])
            .await?
            .into_values()
            .next(),
        ArticlesAt::Missing => None,
    })
}

/// The display names of public commenters, by comment number, from the erasable
/// personal-data store (`public_channel::persons`): each comment shows the name given
/// with it, only while its key opens, so an erased person has none. Never copied into a
/// view or an export, so that erasure reaches every place a name was shown.
async fn public_commenter_names(
    service: &Service,
    consultation: &str,
    persons: &[(u64, String)],
) -> Result<HashMap<u64, String>, Refusal> {
    Ok(service.public.persons.names(consultation, persons).await?)
}
