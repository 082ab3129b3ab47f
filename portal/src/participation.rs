//! The portal's consultation pages: `/consultations` (a list with its filters
//! as a GET form), `/consultations/{id}` (the consulted revision article by article with
//! its comments, moderation placeholders, responses, results and counts, and the comment
//! form), `POST /consultations/{id}/comments` (the form's target, which shows the
//! receipt or a refusal in the page's language) and `/consultations/{id}/receipts/{index}`
//! (a receipt as a JSON file to keep).
//!
//! The pages render the typed read models of `engine::reads::consultation_views` (the
//! structs the API serializes, so the portal and the API can never disagree) turned into
//! small display structs here, with every label from `i18n::LABELS`. The comment form goes through the same rate limit and the same
//! [`public_channel::submit`] as `POST /v1/consultations/{id}/comments`. The draft pages
//! are in `participation_drafts`; what both share (the language, errors) is here.

use std::collections::HashMap;
use std::time::Instant;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, Extensions, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use domain::names::{event, stream};
use domain::participation::ConsultationEvent;
use ledger::hash::{sha256, to_hex};
use ledger::SignedEntry;
use projections::participation::comments::{Comment, RevisionRef};
use serde::Deserialize;
use serde_json::{json, Value};

use super::i18n::{label, Lang};
use super::listing::Pager;
use super::strict_form::{self, StrictForm};
use super::{format, html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::public_channel::rate_limit::retry_after_secs;
use engine::public_channel::{self, CommentRequest, MAX_PUBLIC_COMMENT_REQUEST_BYTES};
use engine::reads::consultation_views::{
    consultation, list_consultations, CommentWindow, DEFAULT_COMMENTS_PER_PAGE,
};
use engine::reads::{registry, support};

/// Consultations a list page shows.
const PER_PAGE: u64 = 20;
/// The comment form's body limit: four times the API's, so that a text well over 5,000
/// characters still reaches the handler and gets the readable "too long" refusal with the
/// text kept, rather than a bare 413.
const FORM_BODY_BYTES: usize = 4 * MAX_PUBLIC_COMMENT_REQUEST_BYTES;
/// The comment text limit the form states (the domain's `check_comment_text` enforces it).
const MAX_COMMENT_CHARS: usize = 5_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/consultations", get(list))
        .route("/consultations/{id}", get(one))
        .route(
            "/consultations/{id}/comments",
            post(submit_comment).layer(DefaultBodyLimit::max(FORM_BODY_BYTES)),
        )
        .route("/consultations/{id}/receipts/{index}", get(receipt_file))
}

// ---------------------------------------------------------------------------------------
// What the consultation and draft pages share
// ---------------------------------------------------------------------------------------

/// The request's language from `?lang=`, the cookie or `Accept-Language`.
pub(super) fn language(params: &HashMap<String, String>, headers: &HeaderMap) -> (Lang, bool) {
    Lang::from_request(params.get("lang").map(String::as_str), headers)
}

/// The page's path and query without `lang`, for the language switch (which adds it).
pub(super) fn path_of(uri: &Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{}", uri.path(), kept.join("&"))
    }
}

/// The query parameters the portal passes on to a read model: the named ones that are
/// not blank (a GET form sends its empty fields, which the API would refuse).
pub(super) fn passed_on(
    params: &HashMap<String, String>,
    names: &[&str],
) -> HashMap<String, String> {
    names
        .iter()
        .filter_map(|n| {
            let v = params.get(*n)?.trim();
            (!v.is_empty()).then(|| ((*n).to_owned(), v.to_owned()))
        })
        .collect()
}

/// `{name}` placeholders of a label filled in.
pub(super) fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_owned(), |t, (name, value)| {
        t.replace(&format!("{{{name}}}"), value)
    })
}

/// A read model's instant as a Moroccan date.
pub(super) fn date_of(instant: &str) -> String {
    format::date(instant)
}

/// The display name of institution `id`, or the id itself when the registry does not name
/// it (or the store cannot say: a name is a nicety on these pages).
pub(super) async fn institution_name(service: &AppState, id: &str) -> String {
    if id.is_empty() {
        return String::new();
    }
    registry::institution(service, id)
        .await
        .ok()
        .map(|i| i.name)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_owned())
}

/// The display names of the associations `ids`, each the id itself when the registry does
/// not name it.
pub(super) async fn association_names(
    service: &AppState,
    ids: Vec<String>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for id in ids {
        if id.is_empty() || out.contains_key(&id) {
            continue;
        }
        let name = support::association_name(service, &id)
            .await
            .ok()
            .flatten()
            .filter(|n| !n.is_empty());
        let shown = name.unwrap_or_else(|| id.clone());
        out.insert(id, shown);
    }
    out
}

/// An option of a form's select.
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub(super) fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            value,
            label: label.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "consultation_error.html")]
struct ErrorPage {
    page: Page,
    heading: &'static str,
    explanation: &'static str,
}

/// A read model's refusal as a page in the reader's language: 404, 400, 403 (a form
/// posted from another site: the one 403 the portal gives), or 503 for anything else (the detail is in the server's log; never shown).
pub(super) fn error_page(lang: Lang, error: &PageError, path: &str) -> Response {
    let (status, heading, explanation) = match error.status {
        StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, "not_found", "not_found_text"),
        StatusCode::FORBIDDEN => (StatusCode::FORBIDDEN, "cross_site", "cross_site_text"),
        s if s.is_client_error() => (StatusCode::BAD_REQUEST, "bad_request", "bad_request_text"),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "unavailable_text",
        ),
    };
    let page = Page::new(lang, label(lang, heading), path);
    let mut response = html(
        &ErrorPage {
            page,
            heading: label(lang, heading),
            explanation: label(lang, explanation),
        },
        lang,
        false,
    );
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

/// The label of a read model's code (`status_open`, `position_noted`...), the code itself
/// if the table has none (a new code shows rather than a question mark).
pub(super) fn coded(lang: Lang, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}{code}");
    match label(lang, &key) {
        "?" => code.to_owned(),
        l => l.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

struct ListItem {
    id: String,
    title: String,
    draft_title: String,
    institution: String,
    status: String,
    window: String,
    received: u64,
}

#[derive(Template)]
#[template(path = "consultations.html")]
struct ListPage {
    page: Page,
    items: Vec<ListItem>,
    statuses: Vec<Choice>,
    /// Every registered institution, for the filter.
    institutions: Vec<Choice>,
    year: String,
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
    let mut query = passed_on(&params, &["status", "institution", "year", "page"]);
    query.insert("per_page".into(), PER_PAGE.to_string());
    let listed = match list_consultations(&service, &query).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &e.into(), &path),
    };
    let institutions = registered_institutions(&service).await;
    let institution_name = |id: &str| {
        institutions
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    };
    let current = |name: &str| query.get(name).cloned().unwrap_or_default();
    let items = listed
        .items
        .iter()
        .map(|c| ListItem {
            id: c.id.clone(),
            title: c.title.clone(),
            draft_title: c.draft_title.clone().unwrap_or_default(),
            institution: institution_name(&c.institution),
            status: coded(lang, "status_", &c.status),
            window: window(lang, &c.opens_at, &c.closes_at),
            received: c.counts.received,
        })
        .collect();
    let (previous, next) = pages(
        listed.page,
        listed.per_page,
        listed.total,
        &query,
        "/consultations",
    );
    let template = ListPage {
        page: Page::new(lang, label(lang, "consultations"), path),
        items,
        statuses: ["open", "closed", "results"]
            .into_iter()
            .map(|s| Choice::new(s, coded(lang, "status_", s), &current("status")))
            .collect(),
        institutions: institutions
            .iter()
            .map(|(i, n)| Choice::new(i.as_str(), n.as_str(), &current("institution")))
            .collect(),
        year: current("year"),
        previous,
        next,
    };
    html(&template, lang, remember)
}

/// Every registered institution (id, name) sorted by name, for the filter's select; none
/// when the store cannot say.
pub(super) async fn registered_institutions(service: &AppState) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = registry::institutions(service)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// "du 03/02/2026 au 20/02/2026" from a consultation's `opens_at` and `closes_at`.
fn window(lang: Lang, opens_at: &str, closes_at: &str) -> String {
    fill(
        label(lang, "window_dates"),
        &[("from", &date_of(opens_at)), ("to", &date_of(closes_at))],
    )
}

/// Links to the previous and next pages of a paginated read model (its `page`, from 1,
/// `per_page` and `total`), keeping its filters.
pub(super) fn pages(
    page: u64,
    per_page: u64,
    total: u64,
    query: &HashMap<String, String>,
    path: &str,
) -> (Option<String>, Option<String>) {
    let per_page = per_page.max(1);
    let link = |n: u64| {
        let mut pairs: Vec<(String, String)> = query
            .iter()
            .filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pairs.sort();
        pairs.push(("page".into(), n.to_string()));
        let q: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        format!("{path}?{}", q.join("&"))
    };
    (
        (page > 1).then(|| link(page - 1)),
        (page.saturating_mul(per_page) < total).then(|| link(page + 1)),
    )
}

/// Percent-encodes a query value or path segment (everything but unreserved characters).
pub(super) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// One consultation
// ---------------------------------------------------------------------------------------

/// A link to a revision a comment or recommendation led to.
struct RevisionLink {
    label: String,
    href: String,
}

struct Moderation {
    action: String,
    ground: String,
    date: String,
    note: String,
}

struct Answer {
    position: String,
    reasoning: String,
    date: String,
}

struct Hidden {
    ground: String,
    date: String,
    withheld: bool,
}

struct CommentView {
    number: u64,
    heading: String,
    /// The heading level: comments sit under an article (h3) or a section (h2).
    level: u8,
    date: String,
    by: String,
    text: Option<String>,
    hidden: Option<Hidden>,
    moderation: Vec<Moderation>,
    response: Option<Answer>,
    revisions: Vec<RevisionLink>,
    entry: Option<String>,
    entry_label: String,
}

struct ArticleView {
    id: String,
    heading: String,
    text: Option<String>,
    comments: Vec<CommentView>,
}

struct Recommendation {
    id: String,
    label: String,
    text: String,
    revisions: Vec<RevisionLink>,
}

struct Results {
    synthesis: String,
    date: String,
    recommendations: Vec<Recommendation>,
}

/// (label, value) of each public count.
type Counts = Vec<(&'static str, u64)>;

/// What the comment form holds: empty, or what the reader typed when it was refused.
struct FormState {
    text: String,
    article: String,
    author_name: String,
    author_email: String,
    client_token: String,
    error: Option<String>,
}

impl FormState {
    fn fresh() -> Self {
        Self {
            text: String::new(),
            article: String::new(),
            author_name: String::new(),
            author_email: String::new(),
            client_token: fresh_token(),
            error: None,
        }
    }
}

/// A random token for a rendered form: sending the same form twice (a double click, a
/// reload after the answer was lost) gets the first receipt instead of a second comment.
fn fresh_token() -> String {
    let bytes: [u8; 16] = rand::random();
    format!("portal-{}", hex::encode(bytes))
}

#[derive(Template)]
#[template(path = "consultation.html")]
struct ConsultationPage {
    page: Page,
    id: String,
    title: String,
    summary: String,
    status: String,
    institution: String,
    draft_id: String,
    draft_title: String,
    revision: u64,
    revision_label: String,
    window: String,
    text_available: bool,
    articles: Vec<ArticleView>,
    text_comments: Vec<CommentView>,
    counts: Counts,
    results: Option<Results>,
    accepts_comments: bool,
    /// The form's article select: the whole text, then each article.
    article_options: Vec<Choice>,
    form: FormState,
    max_chars: usize,
    /// Links between the pages of comments.
    pager: Pager,
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
    // A page of comments: `?page=` from 1, a number the page links give.
    let page = match params.get("page").map(|p| p.parse::<u64>()) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => {
            let e = PageError::bad_request("invalid_parameter", "page counts from 1");
            return error_page(lang, &e, &path);
        }
    };
    match consultation_page(&service, lang, &id, path.clone(), FormState::fresh(), page).await {
        Ok(template) => html(&template, lang, remember),
        Err(e) => error_page(lang, &e, &path),
    }
}

/// The consultation's page from its read model, the form holding `form`.
async fn consultation_page(
    service: &AppState,
    lang: Lang,
    id: &str,
    path: String,
    form: FormState,
    page: u64,
) -> Result<ConsultationPage, PageError> {
    let comments = CommentWindow {
        page,
        per_page: DEFAULT_COMMENTS_PER_PAGE,
        article: None,
    };
    let c = consultation(service, id, &comments).await?;
    let (pages, total) = c
        .comments_page
        .as_ref()
        .map_or((1, 0), |p| (p.pages, p.total));
    if page > pages {
        return Err(PageError::not_found(format!(
            "consultation {id} has {pages} pages of comments"
        )));
    }
    // Links from the consultation's own route, never from the request's path.
    let here = format!("/consultations/{}", super::listing::encode(id));
    let pager = Pager {
        page,
        pages,
        total,
        previous: (page > 1).then(|| format!("{here}?page={}", page - 1)),
        next: (page < pages).then(|| format!("{here}?page={}", page + 1)),
    };
    // Collected before the look-ups: no borrowing closure may live across an await.
    let commenters: Vec<String> = c
        .articles
        .iter()
        .flat_map(|a| &a.comments)
        .chain(&c.text_comments)
        .filter_map(|cm| cm.association.clone())
        .collect();
    let associations = association_names(service, commenters).await;
    let institution = institution_name(service, &c.institution).await;
    let draft_id = c.draft.clone();
    let comment = |cm: &Comment, level: u8| comment_view(lang, &associations, cm, level);

    let articles: Vec<ArticleView> = c
        .articles
        .iter()
        .map(|a| ArticleView {
            id: a.id.clone(),
            heading: a.heading.clone().unwrap_or_default(),
            text: a.text.clone(),
            comments: a.comments.iter().map(|cm| comment(cm, 4)).collect(),
        })
        .collect();
    let text_comments = c.text_comments.iter().map(|cm| comment(cm, 3)).collect();
    let n = &c.counts;
    let counts = vec![
        (label(lang, "count_received"), n.received),
        (label(lang, "count_visible"), n.visible),
        (label(lang, "count_hidden"), n.hidden),
        (label(lang, "count_restored"), n.restored),
        (label(lang, "count_answered"), n.answered),
        (label(lang, "count_participants"), n.participants),
    ];
    let results = c.results.as_ref().map(|r| Results {
        synthesis: r.synthesis.clone(),
        date: date_of(&r.published_at),
        recommendations: r
            .recommendations
            .iter()
            .map(|rec| Recommendation {
                id: rec.id.clone(),
                label: fill(label(lang, "recommendation_n"), &[("id", &rec.id)]),
                text: rec.text.clone(),
                revisions: revision_links(lang, &rec.motivated_revisions),
            })
            .collect(),
    });
    let mut article_options = vec![Choice::new("", label(lang, "whole_text"), &form.article)];
    article_options.extend(articles.iter().map(|a| {
        let shown = if a.heading.is_empty() {
            format!("{} {}", label(lang, "article"), a.id)
        } else {
            format!("{} {} — {}", label(lang, "article"), a.id, a.heading)
        };
        Choice::new(a.id.as_str(), shown, &form.article)
    }));
    let revision = c.consulted_revision.number;
    Ok(ConsultationPage {
        page: Page::new(lang, c.title.clone(), path),
        id: c.id.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        status: coded(lang, "status_", &c.status),
        institution,
        draft_title: c.draft_title.clone().unwrap_or_default(),
        draft_id,
        revision,
        revision_label: fill(label(lang, "revision_n"), &[("n", &revision.to_string())]),
        window: window(lang, &c.opens_at, &c.closes_at),
        text_available: c.consulted_revision.text_available,
        articles,
        text_comments,
        counts,
        results,
        // "open" means not closed by the ministry; whether the window still runs is
        // the domain's to judge, and its refusal is shown if it does not.
        accepts_comments: c.status == "open",
        article_options,
        form,
        max_chars: MAX_COMMENT_CHARS,
        pager,
    })
}

fn comment_view(
    lang: Lang,
    associations: &HashMap<String, String>,
    c: &Comment,
    level: u8,
) -> CommentView {
    let by = match (&c.association, &c.author) {
        (Some(association), _) if !association.is_empty() => associations
            .get(association)
            .cloned()
            .unwrap_or_else(|| association.clone()),
        (_, Some(name)) => name.clone(),
        _ => label(lang, "channel_public").to_owned(),
    };
    let hidden = c.placeholder.as_ref().map(|p| Hidden {
        ground: coded(lang, "ground_", &p.ground),
        date: date_of(&p.hidden_at),
        withheld: c.withheld,
    });
    CommentView {
        number: c.number,
        heading: fill(label(lang, "comment_n"), &[("n", &c.number.to_string())]),
        level,
        date: date_of(&c.submitted_at),
        by,
        // The read model never carries a hidden comment's text; the page does not
        // depend on that alone.
        text: if hidden.is_some() {
            None
        } else {
            c.text.clone()
        },
        hidden,
        moderation: c
            .moderation
            .iter()
            .map(|m| Moderation {
                action: coded(lang, "moderation_", &m.action),
                ground: coded(lang, "ground_", &m.ground),
                date: date_of(&m.recorded_at),
                note: m.note.clone(),
            })
            .collect(),
        response: c.response.as_ref().map(|r| Answer {
            position: coded(lang, "position_", &r.position),
            reasoning: r.reasoning.clone(),
            date: date_of(&r.recorded_at),
        }),
        revisions: revision_links(lang, &c.motivated_revisions),
        entry: Some(c.index.to_string()),
        entry_label: fill(label(lang, "log_entry"), &[("n", &c.index.to_string())]),
    }
}

/// The portal's links to the changes of the revisions a comment or recommendation led
/// to: the diff from the revision before.
fn revision_links(lang: Lang, revisions: &[RevisionRef]) -> Vec<RevisionLink> {
    revisions
        .iter()
        .map(|r| {
            let n = r.revision;
            let href = if n >= 2 {
                format!("/drafts/{}/diff?from={}&to={n}", encode(&r.draft), n - 1)
            } else {
                format!("/drafts/{}", encode(&r.draft))
            };
            RevisionLink {
                label: fill(label(lang, "revision_n"), &[("n", &n.to_string())]),
                href,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The comment form and its receipt
// ---------------------------------------------------------------------------------------

/// The form's fields as posted. No `Debug`: it holds personal data.
#[derive(Deserialize, Default)]
struct CommentForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    article: String,
    #[serde(default)]
    author_name: String,
    #[serde(default)]
    author_email: String,
    #[serde(default)]
    client_token: String,
    #[serde(default)]
    lang: String,
}

#[derive(Template)]
#[template(path = "consultation_receipt.html")]
struct ReceiptPage {
    page: Page,
    id: String,
    title: String,
    index: u64,
    entry_hash: String,
    document: String,
    comment: u64,
    /// The signed entry, indented for reading (the download holds its exact bytes).
    entry: String,
}

async fn submit_comment(
    State(service): State<AppState>,
    Path(id): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
    uri: Uri,
    form: Result<StrictForm<CommentForm>, PageError>,
) -> Response {
    let form = form.map(|StrictForm(f)| f);
    let lang_code = form.as_ref().map(|f| f.lang.as_str()).unwrap_or("");
    let (lang, _) = Lang::from_request(Some(lang_code).filter(|l| !l.is_empty()), &headers);
    let path = format!("/consultations/{}", encode(&id));
    // Before anything else, the rate limit's token included: another site's page must
    // not be able to post in its visitors' name, nor spend their address's bucket.
    if let Some(refusal) = strict_form::cross_site(&headers, &uri) {
        return error_page(lang, &refusal, &path);
    }
    let form = match form {
        Ok(form) => form,
        // Not a form post, an unreadable one or one not in UTF-8: nothing typed can be kept.
        Err(refusal) => return error_page(lang, &refusal, &path),
    };
    // The same bucket as the API's: one address, one limit, whichever way it posts.
    let client = service.public.trusted_proxies.client_of(
        extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip()),
        &headers,
    );
    let outcome = match service.public.limiter.check(client, Instant::now()) {
        Err(wait) => Err(Refusal::RateLimited(retry_after_secs(wait))),
        Ok(()) => record(&service, &id, &form).await,
    };
    match outcome {
        Ok(receipt) => receipt_page(lang, &id, &path, &receipt, &service).await,
        Err(refusal) => {
            let (status, message) = refusal.explain(lang, &form.text);
            let retry = match refusal {
                Refusal::RateLimited(secs) => Some(secs),
                _ => None,
            };
            let state = FormState {
                text: form.text,
                article: form.article,
                author_name: form.author_name,
                author_email: form.author_email,
                client_token: if form.client_token.is_empty() {
                    fresh_token()
                } else {
                    form.client_token
                },
                error: Some(message),
            };
            let mut response =
                match consultation_page(&service, lang, &id, path.clone(), state, 1).await {
                    Ok(template) => html(&template, lang, false),
                    Err(e) => return error_page(lang, &e, &path),
                };
            *response.status_mut() = status;
            if let Some(secs) = retry {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }
}

/// Why the form's comment was not recorded.
enum Refusal {
    RateLimited(u64),
    Refused(PageError),
}

impl Refusal {
    /// The answer's status and the sentence the reader sees, in their language.
    fn explain(&self, lang: Lang, typed: &str) -> (StatusCode, String) {
        let e = match self {
            Self::RateLimited(secs) => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    fill(
                        label(lang, "refused_rate_limited"),
                        &[("n", &secs.to_string())],
                    ),
                )
            }
            Self::Refused(e) => e,
        };
        let key = match e.code {
            "window_closed" | "no_consultation" => "refused_window_closed",
            "window_not_open" => "refused_window_not_open",
            "unknown_article" => "refused_unknown_article",
            "invalid_author_name" => "refused_author_name",
            "invalid_author_email" => "refused_author_email",
            // One code for blank, too long and withheld texts: tell them apart here.
            "invalid_comment_text" => {
                let chars = typed.trim().chars().count();
                if chars > MAX_COMMENT_CHARS {
                    return (
                        e.status,
                        fill(
                            label(lang, "refused_too_long"),
                            &[("n", &chars.to_string())],
                        ),
                    );
                } else if chars == 0 {
                    "refused_empty"
                } else {
                    "refused_withheld_text"
                }
            }
            _ => "refused_other",
        };
        let status = if e.status.is_server_error() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            e.status
        };
        (status, label(lang, key).to_owned())
    }
}

/// Records the form's comment through the public channel, exactly as the API would.
async fn record(service: &AppState, id: &str, form: &CommentForm) -> Result<String, Refusal> {
    let mut body = json!({
        "text": form.text,
        "article": if form.article.is_empty() { Value::Null } else { json!(form.article) },
    });
    // Blank optional fields are left out: the API treats a blank name or e-mail as
    // absent, but refuses an empty token.
    for (member, value) in [
        ("author_name", &form.author_name),
        ("author_email", &form.author_email),
        ("client_token", &form.client_token),
    ] {
        if !value.trim().is_empty() {
            body[member] = json!(value.trim());
        }
    }
    let bytes = serde_json::to_vec(&body).map_err(|e| Refusal::Refused(PageError::internal(&e)))?;
    let request = CommentRequest::parse(&bytes).map_err(|e| Refusal::Refused(e.into()))?;
    public_channel::submit(service, id, &request)
        .await
        .map_err(|e| Refusal::Refused(e.into()))
}

/// The receipt `public_channel::submit` answers: `{"index", "entry_hash", "entry"}`,
/// with what the page names of the comment's entry.
#[derive(Deserialize)]
struct Receipt {
    index: u64,
    entry_hash: String,
    entry: ReceiptEntry,
}

#[derive(Deserialize)]
struct ReceiptEntry {
    data: ReceiptData,
}

#[derive(Deserialize)]
struct ReceiptData {
    document: String,
    comment: u64,
}

/// The same receipt's entry, shown to the reader indented as it is: whatever JSON the
/// log signed, so it stays a JSON value.
#[derive(Deserialize)]
struct ShownReceipt {
    entry: Value,
}

async fn receipt_page(
    lang: Lang,
    id: &str,
    path: &str,
    receipt: &str,
    service: &AppState,
) -> Response {
    let (parsed, shown) = match (
        serde_json::from_str::<Receipt>(receipt),
        serde_json::from_str::<ShownReceipt>(receipt),
    ) {
        (Ok(parsed), Ok(shown)) => (parsed, shown),
        (Err(e), _) | (_, Err(e)) => return error_page(lang, &PageError::internal(&e), path),
    };
    let data = parsed.entry.data;
    let title = match consultation(service, id, &CommentWindow::first()).await {
        Ok(c) => c.title,
        Err(_) => id.to_owned(),
    };
    let template = ReceiptPage {
        page: Page::new(lang, label(lang, "receipt_title"), path),
        id: id.to_owned(),
        title,
        index: parsed.index,
        entry_hash: parsed.entry_hash,
        document: data.document,
        comment: data.comment,
        entry: serde_json::to_string_pretty(&shown.entry).unwrap_or_default(),
    };
    let mut response = html(&template, lang, false);
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::CREATED;
    }
    response
}

/// `GET /consultations/{id}/receipts/{index}`: the receipt of a public comment as a file,
/// `{"index", "entry_hash", "entry"}` with the entry's bytes verbatim, as the API's 201
/// gave it. The entry is public (it is in the log), so anyone may fetch a receipt again.
async fn receipt_file(
    State(service): State<AppState>,
    Path((id, index)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let (lang, _) = language(&params, &headers);
    let path = path_of(&uri);
    let not_found = || PageError::not_found("no public comment receipt here");
    let Some(index) = index
        .parse::<u64>()
        .ok()
        .filter(|_| index.bytes().all(|b| b.is_ascii_digit()))
    else {
        return error_page(lang, &not_found(), &path);
    };
    let bytes = match service.db.entries(index, 1).await {
        Ok(rows) => match rows.into_iter().find(|(i, _)| *i == index) {
            Some((_, bytes)) => bytes,
            None => return error_page(lang, &not_found(), &path),
        },
        Err(e) => return error_page(lang, &PageError::from(e), &path),
    };
    // Only a public comment of this consultation has a receipt.
    let is_receipt = SignedEntry::parse(&bytes).is_ok_and(|SignedEntry { entry, .. }| {
        entry.stream == format!("{}/{id}", stream::CONSULTATION)
            && entry.event_type == event::COMMENT_SUBMITTED
            && matches!(
                projections::decode::<ConsultationEvent>(&entry).map(|d| d.event),
                Ok(ConsultationEvent::CommentSubmitted(c)) if c.channel == "public"
            )
    });
    if !is_receipt {
        return error_page(lang, &not_found(), &path);
    }
    let mut body = format!(
        "{{\"index\":{index},\"entry_hash\":\"{}\",\"entry\":",
        to_hex(&sha256(&bytes))
    )
    .into_bytes();
    body.extend_from_slice(&bytes);
    body.push(b'}');
    let disposition = format!(
        "attachment; filename=\"receipt-{}-{index}.json\"",
        encode(&id)
    );
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LABELS;

    #[test]
    fn every_label_a_template_asks_for_exists() {
        for template in [
            include_str!("../templates/consultations.html"),
            include_str!("../templates/consultation.html"),
            include_str!("../templates/consultation_comment.html"),
            include_str!("../templates/consultation_receipt.html"),
            include_str!("../templates/consultation_error.html"),
            include_str!("../templates/drafts.html"),
            include_str!("../templates/draft.html"),
            include_str!("../templates/draft_diff.html"),
            include_str!("../templates/draft_compare.html"),
            include_str!("../templates/draft_words.html"),
        ] {
            for piece in template.split("page.t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or("");
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no label {key:?}");
            }
        }
        for prefix_and_codes in [
            ("status_", &["open", "closed", "results"][..]),
            (
                "position_",
                &domain::participation::consultation::POSITIONS[..],
            ),
            ("ground_", &domain::participation::consultation::GROUNDS[..]),
            ("moderation_", &["hide", "restore"][..]),
            ("draft_status_", &["drafting", "submitted"][..]),
            ("change_", &["added", "removed", "changed", "unchanged"][..]),
        ] {
            let (prefix, codes) = prefix_and_codes;
            for code in codes {
                let key = format!("{prefix}{code}");
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no label {key}");
            }
        }
    }

    #[test]
    fn the_language_switch_keeps_the_query_but_not_the_language() {
        let uri: Uri = "/consultations?status=open&lang=ar&year=2026"
            .parse()
            .unwrap();
        assert_eq!(path_of(&uri), "/consultations?status=open&year=2026");
        let uri: Uri = "/consultations?lang=ar".parse().unwrap();
        assert_eq!(path_of(&uri), "/consultations");
        assert_eq!(encode("é b/&"), "%C3%A9%20b%2F%26");
        assert_eq!(
            fill("du {from} au {to}", &[("from", "1"), ("to", "2")]),
            "du 1 au 2"
        );
    }

    #[test]
    fn an_empty_filter_is_not_passed_on() {
        let params: HashMap<String, String> = [("status", ""), ("year", " 2026 "), ("x", "1")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let passed = passed_on(&params, &["status", "year"]);
        assert_eq!(passed.len(), 1);
        assert_eq!(passed["year"], "2026");
    }
}
