//! The `consultations` view, typed: the row the projector ([`super::consultations`])
//! writes, read once into [`ConsultationRow`], and the public shapes built from it and
//! from its comments' rows ([`super::consultation_comments`]): the list's
//! [`ConsultationSummary`], the page's [`Consultation`] (the consulted revision article
//! by article, each with its comments, the results, the revisions the comments
//! motivated, the counts) and a page of comments ([`ConsultationComments`]).
//!
//! The presentation never reads the database: the caller reads the comments (the page
//! shown, and the [`Counts`] of every one), the consulted articles, the public comments'
//! texts and the public commenters' names and hands them in ([`Material`]).

use std::collections::{BTreeMap, HashMap};

use domain::participation::{Article, Recommendation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::comments::{self, Comment, Counts, RevisionRef, StoredComment};
use super::consultations::CONSULTATIONS;
use super::{log_ordered, Indexed};
use crate::rows::{self, entry_lines, trail, BadRow, EntryLine};

/// A row of the `consultations` view as the projector writes it: the members of
/// `ConsultationOpened`, the state, and the collections keyed by number or index; none
/// of them grows with the comments, which have rows of their own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRow {
    pub id: String,
    pub draft: String,
    /// The consulted revision of the draft.
    pub revision: u64,
    pub title: String,
    pub summary: String,
    pub opens_at: String,
    pub closes_at: String,
    pub institution: String,
    pub article_ids: Vec<String>,
    /// `open`, `closed` or `results`.
    pub status: String,
    /// The year of `opens_at`, which lists filter on.
    pub year: Option<i64>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub closed_index: Option<u64>,
    /// The number of comments `ConsultationClosed` recorded.
    pub comments_at_close: Option<u64>,
    pub results: Option<StoredResults>,
    /// Every erasure of personal data, keyed by its entry's index.
    pub erasures: BTreeMap<String, StoredErasure>,
    /// The revisions its comments and recommendations motivated, keyed by number.
    pub motivated_revisions: BTreeMap<String, MotivatedRevision>,
    pub index: u64,
    pub stream: String,
    /// The consultation's own entries, `{"<index>": "<type>"}`: opened, erasures, closed,
    /// results. Those about a comment are on the comment's row ([`StoredComment::entries`]).
    pub entries: BTreeMap<String, String>,
}

impl ConsultationRow {
    /// A stored row, as read from the store's JSON value.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_value(row: &Value) -> Result<Self, BadRow> {
        rows::read(CONSULTATIONS, row)
    }

    /// A stored row, as read from the store's text.
    ///
    /// # Errors
    /// [`BadRow`] when it does not have the view's shape.
    pub fn from_text(text: &str) -> Result<Self, BadRow> {
        rows::read(CONSULTATIONS, &rows::parse(CONSULTATIONS, text)?)
    }

    /// The (number, person reference) of each public comment of `comments` whose author
    /// has not been erased: the only ones whose name may be looked up.
    pub fn persons_to_name(&self, comments: &[&StoredComment]) -> Vec<(u64, String)> {
        let erased: Vec<&str> = self.erasures.values().map(|e| e.person.as_str()).collect();
        comments
            .iter()
            .filter_map(|c| {
                let person = c.person.as_deref()?;
                (!erased.contains(&person)).then(|| (c.number, person.to_owned()))
            })
            .collect()
    }
}

/// The results as `ResultsPublished` recorded them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredResults {
    pub synthesis: String,
    pub recommendations: Vec<Recommendation>,
    pub documents: Vec<String>,
    /// The counts the event carries.
    pub comments: u64,
    pub answered: u64,
    pub hidden: u64,
    pub published_at: String,
    pub index: u64,
}

/// An erasure of a public commenter's personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredErasure {
    /// The person reference erased; kept to stop looking its name up, never shown.
    pub person: String,
    pub reason: String,
    pub recorded_at: String,
    pub index: u64,
}

impl Indexed for StoredErasure {
    fn index(&self) -> u64 {
        self.index
    }
}

/// A revision of the draft that cites comments or recommendations of the consultation,
/// as stored and as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MotivatedRevision {
    pub draft: String,
    pub revision: u64,
    /// The numbers of the comments it cites.
    pub comments: Vec<u64>,
    /// The ids of the recommendations it cites.
    pub recommendations: Vec<String>,
    pub change_summary: String,
    pub recorded_at: String,
    pub index: u64,
    /// The link to its diff from the revision before; `None` for a first revision.
    pub diff: Option<String>,
}

impl Indexed for MotivatedRevision {
    fn index(&self) -> u64 {
        self.index
    }
}

impl MotivatedRevision {
    fn reference(&self) -> RevisionRef {
        RevisionRef {
            draft: self.draft.clone(),
            revision: self.revision,
            diff: self.diff.clone(),
        }
    }
}

/// The results as a list shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultsSummary {
    pub synthesis: String,
    pub recommendations_count: u64,
    pub published_at: String,
}

/// A consultation as `/v1/consultations` lists it: identity, window, status, the draft's
/// title, the counts and the results' synthesis; without the comments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsultationSummary {
    pub id: String,
    pub draft: String,
    pub revision: u64,
    pub title: String,
    pub summary: String,
    pub opens_at: String,
    pub closes_at: String,
    pub institution: String,
    pub article_ids: Vec<String>,
    pub status: String,
    pub year: Option<i64>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub closed_index: Option<u64>,
    pub comments_at_close: Option<u64>,
    pub index: u64,
    pub stream: String,
    pub audit_trail: String,
    pub draft_title: Option<String>,
    pub draft_link: String,
    pub comments_export: String,
    pub counts: Counts,
    pub results: Option<ResultsSummary>,
}

/// The consulted revision: its number, the draft it belongs to, whether its text could
/// be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultedRevision {
    pub number: u64,
    pub link: String,
    pub text_available: bool,
}

/// An article of the consulted revision with the comments on it; `heading` and `text`
/// are `None` when the revision's text could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleComments {
    pub id: String,
    pub heading: Option<String>,
    pub text: Option<String>,
    pub comments: Vec<Comment>,
}

/// A recommendation of the results with the revisions it motivated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationView {
    pub id: String,
    pub text: String,
    pub motivated_revisions: Vec<RevisionRef>,
}

/// The counts `ResultsPublished` recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtPublication {
    pub comments: u64,
    pub answered: u64,
    pub hidden: u64,
}

/// The results as the consultation's page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Results {
    pub synthesis: String,
    pub recommendations: Vec<RecommendationView>,
    pub documents: Vec<String>,
    pub at_publication: AtPublication,
    pub published_at: String,
    pub index: u64,
}

/// An erasure as shown: public (it is an entry), without the person it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erasure {
    pub reason: String,
    pub recorded_at: String,
    pub index: u64,
}

/// Where a page of comments sits among them all, with the link to the next page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentsPage {
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub pages: u64,
    pub next: Option<String>,
}

/// The public page of a consultation (`/v1/consultations/{id}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consultation {
    pub id: String,
    pub draft: String,
    pub revision: u64,
    pub title: String,
    pub summary: String,
    pub opens_at: String,
    pub closes_at: String,
    pub institution: String,
    pub article_ids: Vec<String>,
    pub status: String,
    pub year: Option<i64>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub closed_index: Option<u64>,
    pub comments_at_close: Option<u64>,
    pub results: Option<Results>,
    pub erasures: Vec<Erasure>,
    pub motivated_revisions: Vec<MotivatedRevision>,
    pub index: u64,
    pub stream: String,
    pub entries: Vec<EntryLine>,
    pub audit_trail: String,
    pub draft_title: Option<String>,
    pub draft_link: String,
    pub comments_export: String,
    /// The counts of every comment, whichever page is shown.
    pub counts: Counts,
    pub consulted_revision: ConsultedRevision,
    pub articles: Vec<ArticleComments>,
    /// The comments on the whole text.
    pub text_comments: Vec<Comment>,
    /// Which page of the comments `articles` and `text_comments` hold; set by the read
    /// API, which pages them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments_page: Option<CommentsPage>,
}

/// One page of a consultation's comments (`/v1/consultations/{id}/comments`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsultationComments {
    pub consultation: String,
    /// The article asked for (`""`: the whole text), `None` for every comment.
    pub article: Option<String>,
    pub items: Vec<Comment>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
    pub pages: u64,
    pub next: Option<String>,
}

/// What the caller read for one consultation's page: the draft's title, the consulted
/// revision's articles and the public comments' texts and authors, by comment number.
#[derive(Clone, Copy, Debug)]
pub struct Material<'a> {
    pub draft_title: Option<&'a str>,
    /// The consulted revision's articles; `None` when they could not be read (the page
    /// then lists the article ids the consultation recorded, without their text).
    pub articles: Option<&'a [Article]>,
    /// Texts of the comments whose text is public ([`comments::text_is_public`]).
    pub texts: &'a HashMap<u64, String>,
    /// Display names of public commenters, where known and not erased.
    pub authors: &'a HashMap<u64, String>,
}

/// The link to the draft of `row` and to the comments' export, members every shape has.
fn draft_link(row: &ConsultationRow) -> String {
    format!("/v1/drafts/{}", row.draft)
}

const COMMENTS_EXPORT: &str = "/v1/exports/comments.csv";

/// The short form of a consultation in a list, `counts` being those of its comments.
pub fn summary(
    row: &ConsultationRow,
    draft_title: Option<String>,
    counts: Counts,
) -> ConsultationSummary {
    ConsultationSummary {
        id: row.id.clone(),
        draft: row.draft.clone(),
        revision: row.revision,
        title: row.title.clone(),
        summary: row.summary.clone(),
        opens_at: row.opens_at.clone(),
        closes_at: row.closes_at.clone(),
        institution: row.institution.clone(),
        article_ids: row.article_ids.clone(),
        status: row.status.clone(),
        year: row.year,
        opened_at: row.opened_at.clone(),
        closed_at: row.closed_at.clone(),
        closed_index: row.closed_index,
        comments_at_close: row.comments_at_close,
        index: row.index,
        stream: row.stream.clone(),
        audit_trail: trail(&row.stream),
        draft_title,
        draft_link: draft_link(row),
        comments_export: COMMENTS_EXPORT.to_owned(),
        counts,
        results: row.results.as_ref().map(|r| ResultsSummary {
            synthesis: r.synthesis.clone(),
            recommendations_count: r.recommendations.len() as u64,
            published_at: r.published_at.clone(),
        }),
    }
}

/// The comments `page` (comments of `row`) as every comment is shown: text or
/// placeholder, author, moderation, response and the revisions it motivated.
pub fn present_comments(
    row: &ConsultationRow,
    page: &[&StoredComment],
    m: &Material,
) -> Vec<Comment> {
    let motivated = log_ordered(&row.motivated_revisions);
    page.iter()
        .map(|c| {
            comments::present(
                c,
                m.texts.get(&c.number).map(String::as_str),
                m.authors.get(&c.number).map(String::as_str),
                motivated_by_comment(&motivated, c.number),
            )
        })
        .collect()
}

/// The public page of a consultation with every comment, `comments` (in number order).
pub fn present(row: &ConsultationRow, comments: &[&StoredComment], m: &Material) -> Consultation {
    present_some(row, comments::counts(comments), comments, m)
}

/// The public page of a consultation showing only the comments `shown` (one page of
/// them), with the `counts` of every comment. Its entries are the consultation's own and
/// those of the comments shown, so the answer does not grow with the comments; the
/// stream's audit trail lists them all, page by page.
///
/// The consulted revision article by article, each with its comments, then the comments
/// on the whole text; every comment with its text (or, hidden, a placeholder with the
/// ground), its moderation history and response; the results with each recommendation
/// and the revisions it motivated.
pub fn present_some(
    row: &ConsultationRow,
    counts: Counts,
    shown: &[&StoredComment],
    m: &Material,
) -> Consultation {
    let mut page = shown.to_vec();
    page.sort_by_key(|c| c.number);
    page.dedup_by_key(|c| c.number);
    let shown = present_comments(row, &page, m);
    let on = |article: Option<&str>| -> Vec<Comment> {
        shown
            .iter()
            .filter(|c| c.article.as_deref() == article)
            .cloned()
            .collect()
    };

    // The consulted text as recorded; without it, the article ids the consultation named.
    let articles: Vec<ArticleComments> = match m.articles {
        Some(articles) => articles
            .iter()
            .map(|a| ArticleComments {
                id: a.id.clone(),
                heading: Some(a.heading.clone()),
                text: Some(a.text.clone()),
                comments: on(Some(&a.id)),
            })
            .collect(),
        None => row
            .article_ids
            .iter()
            .map(|a| ArticleComments {
                id: a.clone(),
                heading: None,
                text: None,
                comments: on(Some(a)),
            })
            .collect(),
    };
    // A comment on an article the text does not hold cannot happen (the domain checks),
    // but if a row ever says so the comment is still listed rather than lost.
    let known: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    let mut text_comments = on(None);
    text_comments.extend(
        shown
            .iter()
            .filter(|c| c.article.as_deref().is_some_and(|a| !known.contains(&a)))
            .cloned(),
    );
    let motivated = log_ordered(&row.motivated_revisions);

    Consultation {
        id: row.id.clone(),
        draft: row.draft.clone(),
        revision: row.revision,
        title: row.title.clone(),
        summary: row.summary.clone(),
        opens_at: row.opens_at.clone(),
        closes_at: row.closes_at.clone(),
        institution: row.institution.clone(),
        article_ids: row.article_ids.clone(),
        status: row.status.clone(),
        year: row.year,
        opened_at: row.opened_at.clone(),
        closed_at: row.closed_at.clone(),
        closed_index: row.closed_index,
        comments_at_close: row.comments_at_close,
        results: row.results.as_ref().map(|r| present_results(r, &motivated)),
        // An erasure is public (it is an entry), the person it names is not repeated here.
        erasures: log_ordered(&row.erasures)
            .into_iter()
            .map(|e| Erasure {
                reason: e.reason.clone(),
                recorded_at: e.recorded_at.clone(),
                index: e.index,
            })
            .collect(),
        motivated_revisions: motivated.iter().map(|r| (*r).clone()).collect(),
        index: row.index,
        stream: row.stream.clone(),
        entries: entry_lines(
            row.entries
                .iter()
                .chain(page.iter().flat_map(|c| c.entries.iter()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        audit_trail: trail(&row.stream),
        draft_title: m.draft_title.map(str::to_owned),
        draft_link: draft_link(row),
        comments_export: COMMENTS_EXPORT.to_owned(),
        counts,
        consulted_revision: ConsultedRevision {
            number: row.revision,
            link: draft_link(row),
            text_available: m.articles.is_some(),
        },
        articles,
        text_comments,
        comments_page: None,
    }
}

/// The results with each recommendation's motivated revisions.
fn present_results(results: &StoredResults, motivated: &[&MotivatedRevision]) -> Results {
    Results {
        synthesis: results.synthesis.clone(),
        recommendations: results
            .recommendations
            .iter()
            .map(|r| RecommendationView {
                id: r.id.clone(),
                text: r.text.clone(),
                motivated_revisions: motivated
                    .iter()
                    .filter(|m| m.recommendations.contains(&r.id))
                    .map(|m| m.reference())
                    .collect(),
            })
            .collect(),
        documents: results.documents.clone(),
        at_publication: AtPublication {
            comments: results.comments,
            answered: results.answered,
            hidden: results.hidden,
        },
        published_at: results.published_at.clone(),
        index: results.index,
    }
}

/// The revisions among `motivated` that cite comment `number`.
fn motivated_by_comment(motivated: &[&MotivatedRevision], number: u64) -> Vec<RevisionRef> {
    motivated
        .iter()
        .filter(|m| m.comments.contains(&number))
        .map(|m| m.reference())
        .collect()
}
