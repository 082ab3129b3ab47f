//! The public portal: server-rendered pages in French and Arabic at `/`, built
//! from the same read models as the JSON API, working without JavaScript; the only script
//! is the verifier (`static/verify.js`), which checks in the reader's browser what a page
//! shows.
//!
//! Every page handler: reads the language ([`i18n::Lang::from_request`]), reads the read
//! models through the `Service`, renders an askama template that extends `base.html`
//! (`Page` gives the layout what it needs), and answers through [`html`], which also sets
//! the language cookie when `?lang=` asked for one.

pub mod assets;
pub mod associations;
pub mod audit;
pub mod awards;
pub mod chart;
pub mod format;
pub mod home;
pub mod i18n;
pub mod indicators;
pub mod listing;
pub mod not_found;
pub mod offers;
pub mod page_error;
pub mod pages;
pub mod participation;
pub mod participation_drafts;
pub mod strict_form;
pub mod terms;

use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use i18n::Lang;

/// What every page handler is given: the engine.
pub type AppState = std::sync::Arc<engine::Service>;

/// What the layout (`base.html`) needs on every page.
pub struct Page {
    pub lang: Lang,
    /// The page's title, already in the page's language.
    pub title: String,
    /// The path of this page without `lang`, to build the language switch links.
    pub path: String,
}

impl Page {
    pub fn new(lang: Lang, title: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            lang,
            title: title.into(),
            path: local_path(&path.into()),
        }
    }

    /// A label in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::label(self.lang, key)
    }

    /// The link to this page in the other language, always on this host (see
    /// [`local_path`]).
    pub fn switch_href(&self) -> String {
        let path = local_path(&self.path);
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}lang={}", self.lang.other().code())
    }
}

/// `path` as a link that cannot leave this host: exactly one leading `/`. A request for
/// `//evil.example/x` has that path, and a link to it is protocol-relative (another host);
/// browsers read `\` as `/` there, so leading backslashes go too.
pub fn local_path(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

/// Renders a template as an HTML answer; remembers `?lang=` in a cookie for a year.
pub fn html<T: Template>(template: &T, lang: Lang, remember: bool) -> Response {
    match template.render() {
        Ok(body) => {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            if remember {
                if let Ok(cookie) = HeaderValue::from_str(&format!(
                    "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    lang.code()
                )) {
                    headers.insert(header::SET_COOKIE, cookie);
                }
            }
            (StatusCode::OK, headers, body).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "a portal template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The portal's routes; each area adds its own in `pages`.
pub fn router() -> Router<AppState> {
    pages::router()
        .merge(assets::router())
        .merge(audit::router())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_built_from_the_request_path_stays_on_this_host() {
        assert_eq!(local_path("//evil.example/phish"), "/evil.example/phish");
        assert_eq!(local_path("/\\evil.example"), "/evil.example");
        assert_eq!(local_path("/offers?page=2"), "/offers?page=2");
        assert_eq!(local_path(""), "/");
        let page = Page::new(Lang::Fr, "x", "///evil.example/phish?a=1");
        assert_eq!(page.switch_href(), "/evil.example/phish?a=1&lang=ar");
    }
}
