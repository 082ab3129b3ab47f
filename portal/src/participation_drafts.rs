//! The portal's draft pages: `/drafts` (the list), `/drafts/{id}` (every
//! revision with its date, change summary and text hash, the text of one revision, the
//! consultations held on it, a form to compare any two) and `/drafts/{id}/diff?from=A&to=B`
//! (the article diff: added, removed and changed articles, words marked with `<ins>` and
//! `<del>`, and for each change the comments and recommendations behind it, linked to
//! where they stand on their consultation's page).
//!
//! Like the consultation pages (`participation`), they render the typed read models of
//! `engine::reads::drafts`, so the page and the API show the same diff.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use domain::participation::Motivation as Cited;
use projections::participation::diff::{ArticleChange, Change, MotivationLink, Op};
use projections::participation::draft_view::{Draft, LinkedMotivation};

use super::i18n::{label, Lang};
use super::participation::{
    coded, date_of, encode, error_page, fill, institution_name, language, pages, passed_on,
    path_of, registered_institutions, Choice,
};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::drafts::{draft_diff, list_drafts, one_draft};

/// Drafts a list page shows.
const PER_PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/drafts", get(list))
        .route("/drafts/{id}", get(one))
        .route("/drafts/{id}/diff", get(diff))
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

struct ListItem {
    id: String,
    title: String,
    institution: String,
    status: String,
    latest: String,
    revisions: u64,
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct ListPage {
    page: Page,
    items: Vec<ListItem>,
    /// The filter form's choices, the current ones selected.
    statuses: Vec<Choice>,
    institutions: Vec<Choice>,
    previous: Option<String>,
    next: Option<String>,
}

async fn list(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (lang, remember) = language(&params, &headers);
    let path = path_of(&uri);
    let mut query = passed_on(&params, &["status", "institution", "page"]);
    query.insert("per_page".into(), PER_PAGE.to_string());
    let listed = match list_drafts(&service, &query).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e.into(), &path),
    };
    let registered = registered_institutions(&service).await;
    let institutions: HashMap<String, String> = registered.iter().cloned().collect();
    let current = |name: &str| query.get(name).cloned().unwrap_or_default();
    let items = listed
        .items
        .iter()
        .map(|d| ListItem {
            id: d.id.clone(),
            title: d.title.clone(),
            institution: institutions
                .get(&d.institution)
                .cloned()
                .unwrap_or_else(|| d.institution.clone()),
            status: coded(lang, "draft_status_", &d.status),
            latest: fill(
                label(lang, "revision_n"),
                &[(
                    "n",
                    &d.latest_revision.map(|n| n.to_string()).unwrap_or_default(),
                )],
            ),
            revisions: d.revisions_count,
        })
        .collect();
    let (previous, next) = pages(
        listed.page,
        listed.per_page,
        listed.total,
        &query,
        "/drafts",
    );
    let template = ListPage {
        page: Page::new(lang, label(lang, "drafts"), path),
        items,
        statuses: ["drafting", "submitted"]
            .into_iter()
            .map(|s| Choice::new(s, coded(lang, "draft_status_", s), &current("status")))
            .collect(),
        institutions: registered
            .iter()
            .map(|(i, n)| Choice::new(i.as_str(), n.as_str(), &current("institution")))
            .collect(),
        previous,
        next,
    };
    html(&template, lang, remember)
}

// ---------------------------------------------------------------------------------------
// One draft
// ---------------------------------------------------------------------------------------

/// A comment or recommendation that motivated a change, linked to where it stands on its
/// consultation's page.
struct Motivation {
    label: String,
    href: String,
}

struct RevisionRow {
    number: u64,
    label: String,
    date: String,
    change_summary: String,
    text_sha256: String,
    motivated_by: Vec<Motivation>,
    /// The diff from the revision before; `None` for the first.
    changes: Option<String>,
    entry: Option<u64>,
}

struct ArticleText {
    id: String,
    heading: String,
    text: String,
}

struct ConsultationLink {
    id: String,
    title: String,
    revision: String,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    page: Page,
    id: String,
    title: String,
    summary: String,
    institution: String,
    status: String,
    revisions: Vec<RevisionRow>,
    /// The revision whose text is shown (`?revision=`, else the latest).
    shown: Option<u64>,
    shown_label: String,
    articles: Vec<ArticleText>,
    text_available: bool,
    consultations: Vec<ConsultationLink>,
    /// The compare form's selects, the latest revision against the one before.
    compare_from: Vec<Choice>,
    compare_to: Vec<Choice>,
}

async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (lang, remember) = language(&params, &headers);
    let path = path_of(&uri);
    let d = match one_draft(&service, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e.into(), &path),
    };
    let revisions: Vec<RevisionRow> = d
        .revisions
        .iter()
        .map(|r| {
            let n = r.number;
            RevisionRow {
                number: n,
                label: fill(label(lang, "revision_n"), &[("n", &n.to_string())]),
                date: date_of(&r.recorded_at),
                change_summary: r.change_summary.clone(),
                text_sha256: r.text_sha256.clone(),
                motivated_by: r
                    .motivated_by
                    .iter()
                    .map(|m| motivation(lang, &cited_by_revision(m)))
                    .collect(),
                changes: (n >= 2)
                    .then(|| format!("/drafts/{}/diff?from={}&to={n}", encode(&id), n - 1)),
                entry: Some(r.index),
            }
        })
        .collect();
    let latest = revisions.last().map(|r| r.number);
    let asked = match params.get("revision").map(|v| v.trim()) {
        None | Some("") => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) if revisions.iter().any(|r| r.number == n) => Some(n),
            Ok(_) => return error_page(lang, &PageError::not_found("no such revision"), &path),
            Err(_) => {
                return error_page(
                    lang,
                    &PageError::bad_request("invalid_parameter", "revision"),
                    &path,
                )
            }
        },
    };
    let shown = asked.or(latest);
    let shown_revision = d.revisions.iter().find(|r| Some(r.number) == shown);
    let articles: Option<Vec<ArticleText>> =
        shown_revision
            .and_then(|r| r.articles.as_ref())
            .map(|list| {
                list.iter()
                    .map(|a| ArticleText {
                        id: a.id.clone(),
                        heading: a.heading.clone(),
                        text: a.text.clone(),
                    })
                    .collect()
            });
    let institution = institution_name(&service, &d.institution).await;
    let template = DraftPage {
        page: Page::new(lang, d.title.clone(), path),
        id: d.id.clone(),
        title: d.title.clone(),
        summary: d.summary.clone(),
        institution,
        status: coded(lang, "draft_status_", &d.status),
        compare_from: choices(&revisions, latest.unwrap_or(1).saturating_sub(1).max(1)),
        compare_to: choices(&revisions, latest.unwrap_or(0)),
        shown,
        shown_label: fill(
            label(lang, "revision_n"),
            &[("n", &shown.unwrap_or(0).to_string())],
        ),
        text_available: articles.is_some(),
        articles: articles.unwrap_or_default(),
        consultations: d
            .consultations
            .iter()
            .map(|c| ConsultationLink {
                id: c.id.clone(),
                title: c.title.clone(),
                revision: fill(label(lang, "revision_n"), &[("n", &c.revision.to_string())]),
            })
            .collect(),
        revisions,
    };
    html(&template, lang, remember)
}

/// The options of a compare form's select, `selected` chosen.
fn choices(revisions: &[RevisionRow], selected: u64) -> Vec<Choice> {
    revisions
        .iter()
        .map(|r| {
            Choice::new(
                r.number.to_string(),
                r.label.as_str(),
                &selected.to_string(),
            )
        })
        .collect()
}

/// What a revision cites, from its page's motivation.
fn cited_by_revision(m: &LinkedMotivation) -> Cited {
    Cited {
        consultation: m.consultation.clone(),
        comment: m.comment,
        recommendation: m.recommendation.clone(),
    }
}

/// What a diff's motivation cites.
fn cited_by_diff(m: &MotivationLink) -> Cited {
    Cited {
        consultation: m.consultation.clone(),
        comment: m.comment,
        recommendation: m.recommendation.clone(),
    }
}

/// A revision's motivation (a comment or a recommendation of a consultation) as a link to
/// the comment or recommendation on its consultation's page.
fn motivation(lang: Lang, m: &Cited) -> Motivation {
    let consultation = &m.consultation;
    let base = format!("/consultations/{}", encode(consultation));
    if let Some(n) = m.comment {
        Motivation {
            label: format!(
                "{} ({consultation})",
                fill(label(lang, "comment_n"), &[("n", &n.to_string())])
            ),
            href: format!("{base}#comment-{n}"),
        }
    } else {
        let id = m.recommendation.clone().unwrap_or_default();
        Motivation {
            label: format!(
                "{} ({consultation})",
                fill(label(lang, "recommendation_n"), &[("id", &id)])
            ),
            href: format!("{base}#recommendation-{}", encode(&id)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------

/// A run of words: unchanged, inserted (`<ins>`) or deleted (`<del>`).
struct Segment {
    op: &'static str,
    text: String,
}

struct ArticleDiff {
    id: String,
    /// `added`, `removed`, `changed`, `unchanged`: the CSS class.
    change: String,
    change_label: String,
    heading: String,
    /// The heading's word changes, when it changed.
    heading_words: Vec<Segment>,
    /// The text's word changes (changed), or the whole text (added, removed).
    words: Vec<Segment>,
    motivated_by: Vec<Motivation>,
}

struct Between {
    label: String,
    change_summary: String,
    motivated_by: Vec<Motivation>,
}

#[derive(Template)]
#[template(path = "draft_diff.html")]
struct DiffPage {
    page: Page,
    id: String,
    title: String,
    heading: String,
    from: u64,
    to: u64,
    from_date: String,
    to_date: String,
    from_sha256: String,
    to_sha256: String,
    /// (label, count) of added, removed, changed, unchanged articles.
    summary: Vec<(String, u64)>,
    revisions: Vec<Between>,
    articles: Vec<ArticleDiff>,
    /// The compare form's selects.
    compare_from: Vec<Choice>,
    compare_to: Vec<Choice>,
}

async fn diff(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (lang, remember) = language(&params, &headers);
    let path = path_of(&uri);
    let mut query = passed_on(&params, &["from", "to"]);
    // The form lets a reader pick the two in either order: compare them oldest first.
    if let (Some(a), Some(b)) = (
        query.get("from").and_then(|v| v.parse::<u64>().ok()),
        query.get("to").and_then(|v| v.parse::<u64>().ok()),
    ) {
        if a > b {
            query.insert("from".into(), b.to_string());
            query.insert("to".into(), a.to_string());
        }
    }
    let d = match draft_diff(&service, &id, &query).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e.into(), &path),
    };
    let draft = match one_draft(&service, &id).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e.into(), &path),
    };
    let (from_n, to_n) = (d.from.number, d.to.number);
    let summary = [
        (Change::Added, d.summary.added),
        (Change::Removed, d.summary.removed),
        (Change::Changed, d.summary.changed),
        (Change::Unchanged, d.summary.unchanged),
    ]
    .into_iter()
    .map(|(c, n)| (coded(lang, "change_", c.as_str()), n))
    .collect();
    let articles = d.articles.iter().map(|a| article_change(lang, a)).collect();
    let template = DiffPage {
        page: Page::new(
            lang,
            format!("{} — {}", draft.title, label(lang, "change_summary")),
            path,
        ),
        id: id.clone(),
        title: draft.title.clone(),
        heading: fill(
            label(lang, "diff_title"),
            &[("from", &from_n.to_string()), ("to", &to_n.to_string())],
        ),
        from: from_n,
        to: to_n,
        from_date: date_of(&d.from.recorded_at),
        to_date: date_of(&d.to.recorded_at),
        from_sha256: d.from.text_sha256.clone(),
        to_sha256: d.to.text_sha256.clone(),
        summary,
        revisions: d
            .revisions
            .iter()
            .map(|r| Between {
                label: fill(label(lang, "revision_n"), &[("n", &r.number.to_string())]),
                change_summary: r.change_summary.clone(),
                motivated_by: r
                    .motivated_by
                    .iter()
                    .map(|m| motivation(lang, &cited_by_diff(m)))
                    .collect(),
            })
            .collect(),
        articles,
        compare_from: revision_choices(lang, &draft, from_n),
        compare_to: revision_choices(lang, &draft, to_n),
    };
    html(&template, lang, remember)
}

/// The options of a compare form's select from the draft's read model.
fn revision_choices(lang: Lang, draft: &Draft, selected: u64) -> Vec<Choice> {
    draft
        .revisions
        .iter()
        .map(|r| {
            let n = r.number;
            Choice::new(
                n.to_string(),
                fill(label(lang, "revision_n"), &[("n", &n.to_string())]),
                &selected.to_string(),
            )
        })
        .collect()
}

/// One article of the diff as the page shows it.
fn article_change(lang: Lang, a: &ArticleChange) -> ArticleDiff {
    let whole = |op: &'static str| {
        vec![Segment {
            op,
            text: a.text.clone().unwrap_or_default(),
        }]
    };
    let words = match a.change {
        Change::Added => whole("insert"),
        Change::Removed => whole("delete"),
        Change::Changed => segments(a.words.as_deref().unwrap_or_default()),
        Change::Unchanged => Vec::new(),
    };
    ArticleDiff {
        id: a.id.clone(),
        change_label: coded(lang, "change_", a.change.as_str()),
        change: a.change.as_str().to_owned(),
        heading: a.heading.clone(),
        heading_words: if a.heading_changed == Some(true) {
            segments(a.heading_words.as_deref().unwrap_or_default())
        } else {
            Vec::new()
        },
        words,
        motivated_by: a
            .motivated_by
            .iter()
            .flatten()
            .map(|m| motivation(lang, &cited_by_diff(m)))
            .collect(),
    }
}

/// The read model's word segments as the page marks them.
fn segments(words: &[projections::participation::diff::Segment]) -> Vec<Segment> {
    words
        .iter()
        .map(|w| Segment {
            op: match w.op {
                Op::Insert => "insert",
                Op::Delete => "delete",
                Op::Equal => "equal",
            },
            text: w.text.clone(),
        })
        .collect()
}
