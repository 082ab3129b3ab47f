//! `/`: what a reader comes for first: the offers open now, the consultations open now,
//! the latest awards, and a few of the year's indicators, each linking to its full page.
//! Every part is read through the same functions as the JSON API.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::awards::AwardLine;
use super::format::date;
use super::i18n::label;
use super::indicators::{figures, Figure};
use super::listing::{problem, Ask};
use super::offers::{Names, OfferLine};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::consultation_views::list_consultations;
use engine::reads::indicators::compute;
use engine::reads::support;

/// How many of each the home page shows before "see all".
const SHOWN: u64 = 5;

/// The indicators the home page shows at a glance.
const AT_A_GLANCE: [&str; 6] = [
    "offers_published",
    "offers_published_q1_share",
    "amount_awarded_centimes",
    "amount_disbursed_centimes",
    "associations_supported_share",
    "consultations_conducted",
];

/// An open consultation: id, title, closing date.
pub struct ConsultationLine {
    pub id: String,
    pub title: String,
    pub closes: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    page: Page,
    offers: Vec<OfferLine>,
    consultations: Vec<ConsultationLine>,
    awards: Vec<AwardLine>,
    year: String,
    glance: Vec<Figure>,
    tree_size: u64,
}

pub async fn home(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    match build(&service, &ask).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, "/"),
    }
}

fn first(n: u64, extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut params: HashMap<String, String> = extra
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    params.insert("per_page".into(), n.to_string());
    params
}

async fn build(service: &AppState, ask: &Ask) -> Result<Home, PageError> {
    let lang = ask.lang;
    let names = Names::read(service).await?;
    let offers = support::offers_page(service, &first(SHOWN, &[("status", "open")])).await?;
    let awards = support::awards_page(service, &first(SHOWN, &[])).await?;
    // The open consultations, newest first: the first page of
    // `/v1/consultations?status=open`.
    let open = list_consultations(service, &first(SHOWN, &[("status", "open")])).await?;
    let consultations = open
        .items
        .into_iter()
        .map(|c| ConsultationLine {
            closes: date(&c.closes_at),
            id: c.id,
            title: c.title,
        })
        .collect();
    let tree_size = service.sequencer.known_size();
    let indicators = compute(service, None, tree_size).await?;
    let glance = figures(lang, &indicators)
        .into_iter()
        .filter(|f| AT_A_GLANCE.contains(&f.key.as_str()))
        .collect();
    Ok(Home {
        page: Page::new(lang, label(lang, "home"), "/"),
        offers: offers
            .items
            .iter()
            .map(|o| OfferLine::new(lang, o, &names))
            .collect(),
        consultations,
        awards: awards
            .items
            .iter()
            .map(|w| AwardLine::new(lang, w, &names))
            .collect(),
        year: indicators.year.to_string(),
        glance,
        tree_size,
    })
}
