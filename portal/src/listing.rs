//! What the support and indicator pages share: reading a request (language, filters as a
//! plain GET form sends them), the pagination links, and the 400/404 pages in the page's
//! language.
//!
//! The pages call the same functions as the JSON API (`engine::reads::support`,
//! `engine::reads::indicators`), so a page and `/v1/...` can never disagree; this module only
//! adapts a browser's request to them and their answer to a template.

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use engine::reads::support::Listing;

use super::i18n::Lang;
use super::{html, Page};
use crate::page_error::PageError;

/// A page request: its language, whether `?lang=` asked for it (then the cookie is set),
/// and the other parameters with the empty ones dropped.
pub struct Ask {
    pub lang: Lang,
    pub remember: bool,
    /// The filters and paging, as the JSON functions take them.
    pub params: HashMap<String, String>,
}

impl Ask {
    pub fn read(mut params: HashMap<String, String>, headers: &HeaderMap) -> Self {
        let query_lang = params.remove("lang");
        let (lang, remember) = Lang::from_request(query_lang.as_deref(), headers);
        // A GET form sends every field, chosen or not: `year=&region=MA-04`. An empty
        // field means "any" here, where the JSON API (rightly) refuses it as a typo.
        params.retain(|_, v| !v.trim().is_empty());
        for value in params.values_mut() {
            *value = value.trim().to_owned();
        }
        Self {
            lang,
            remember,
            params,
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// `path` with this request's filters (and `page` when given) as a query string, in a
    /// stable order so links do not change from one rendering to the next.
    pub fn href(&self, path: &str, page: Option<u64>) -> String {
        let mut pairs: Vec<(&str, String)> = self
            .params
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if let Some(page) = page {
            pairs.push(("page", page.to_string()));
        }
        pairs.sort();
        if pairs.is_empty() {
            return path.to_owned();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }

    /// `path` with every parameter of this request but `lang`: this very page, for the
    /// language switch.
    pub fn here(&self, path: &str) -> String {
        self.href(path, self.get("page").and_then(|p| p.parse().ok()))
    }
}

/// Percent-encodes a query component (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The links between the pages of a list.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// From a page of a list of `ask` at `path`.
    pub fn of<T>(list: &Listing<T>, ask: &Ask, path: &str) -> Self {
        let Listing {
            page,
            per_page,
            total,
            ..
        } = *list;
        let page = page.max(1);
        let per_page = per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        Self {
            page,
            pages,
            total,
            previous: (page > 1).then(|| ask.href(path, Some(page - 1))),
            next: (page < pages).then(|| ask.href(path, Some(page + 1))),
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem {
    page: Page,
    status: u16,
    /// The reason in the server's words (English, as the JSON API gives it), for a 400.
    detail: Option<String>,
}

/// The page for a failed read: 404 and 400 in the page's language, anything else a
/// generic 500 (the detail is in the server's log, never on the page).
pub fn problem(ask: &Ask, error: &PageError, path: &str) -> Response {
    let (status, key, detail) = match error.status {
        StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, "not_found", None),
        StatusCode::BAD_REQUEST => (
            StatusCode::BAD_REQUEST,
            "bad_request",
            Some(error.message.clone()),
        ),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "server_error", None),
    };
    let page = Page::new(ask.lang, super::i18n::label(ask.lang, key), path);
    let mut response = html(
        &Problem {
            page,
            status: status.as_u16(),
            detail,
        },
        ask.lang,
        ask.remember,
    );
    if response.status() == StatusCode::OK {
        *response.status_mut() = status;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_form_fields_mean_any_and_links_keep_the_filters() {
        let params: HashMap<String, String> = [
            ("lang", "ar"),
            ("year", ""),
            ("region", "MA-04"),
            ("q", "a&b"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let ask = Ask::read(params, &HeaderMap::new());
        assert_eq!((ask.lang, ask.remember), (Lang::Ar, true));
        assert_eq!(ask.get("year"), None);
        assert_eq!(
            ask.href("/associations", Some(2)),
            "/associations?page=2&q=a%26b&region=MA-04"
        );
        let typed: Listing<()> = Listing {
            items: Vec::new(),
            page: 2,
            per_page: 20,
            total: 41,
        };
        let pager = Pager::of(&typed, &ask, "/associations");
        assert_eq!(pager.pages, 3);
        assert!(pager.previous.is_some_and(|p| p.contains("page=1")));
        assert!(pager.next.is_some_and(|p| p.contains("page=3")));
        let typed = Listing { page: 3, ..typed };
        let last = Pager::of(&typed, &ask, "/associations");
        assert_eq!((last.page, last.pages, last.total), (3, 3, 41));
        assert!(last.previous.is_some_and(|p| p.contains("page=2")));
        assert!(last.next.is_none());
    }
}
