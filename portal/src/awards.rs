//! `/awards` and `/awards/{id}`: the grants made, filtered by their offer's year and
//! institution and their recipient's region as `/v1/awards` is (the same function answers
//! both), each linking to its offer, its association and its audit trail; one award with
//! its disbursements, reports and revocation.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::support::awards::Award;

use super::format::{amount, date};
use super::i18n::{label, Lang};
use super::listing::{encode, problem, Ask, Pager};
use super::offers::Names;
use super::terms::{self, Choice};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::support;

/// An award in a list, with what it links to.
pub struct AwardLine {
    pub id: String,
    pub offer_id: String,
    pub offer_title: String,
    pub institution: String,
    pub year: String,
    pub association_id: String,
    pub association: String,
    pub region: String,
    pub amount: String,
    pub disbursed: String,
    pub granted: String,
    pub status: String,
    pub audit: String,
}

impl AwardLine {
    /// From an award as `/v1/awards` shows it (with its offer's and association's names).
    pub fn new(lang: Lang, w: &Award, names: &Names) -> Self {
        Self {
            audit: format!("/audit/award/{}", encode(&w.id)),
            id: w.id.clone(),
            offer_id: w.offer.clone(),
            offer_title: w.offer_title.clone().unwrap_or_default(),
            institution: names.institution(w.institution.as_deref().unwrap_or_default()),
            year: w.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            association_id: w.association.clone(),
            association: w.association_name.clone().unwrap_or_default(),
            region: terms::region(lang, w.region.as_deref().unwrap_or_default()),
            amount: amount(w.amount_centimes),
            disbursed: amount(w.disbursed_centimes),
            granted: date(&w.granted_at),
            status: terms::term(lang, "status", &w.status),
        }
    }
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    page: Page,
    year: String,
    institutions: Vec<Choice>,
    regions: Vec<Choice>,
    awards: Vec<AwardLine>,
    pager: Pager,
}

pub async fn list(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    match list_page(&service, &ask).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, &ask.here("/awards")),
    }
}

async fn list_page(service: &AppState, ask: &Ask) -> Result<AwardsPage, PageError> {
    let lang = ask.lang;
    let answer = support::awards_page(service, &ask.params).await?;
    let names = Names::read(service).await?;
    Ok(AwardsPage {
        page: Page::new(lang, label(lang, "awards"), ask.here("/awards")),
        year: ask.get("year").unwrap_or_default().to_owned(),
        institutions: names.institution_choices(ask.get("institution")),
        regions: terms::region_choices(lang, ask.get("region")),
        awards: answer
            .items
            .iter()
            .map(|w| AwardLine::new(lang, w, &names))
            .collect(),
        pager: Pager::of(&answer, ask, "/awards"),
    })
}

#[derive(Template)]
#[template(path = "award.html")]
struct AwardPage {
    page: Page,
    award: AwardLine,
    justification: String,
    /// Date, amount, reference.
    disbursements: Vec<(String, String, String)>,
    /// Date, kind, summary.
    reports: Vec<(String, String, String)>,
    /// Date, reason, amount to recover.
    revocation: Option<(String, String, String)>,
}

pub async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    let path = format!("/awards/{}", encode(&id));
    match one_page(&service, &ask, &id, &path).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, &path),
    }
}

async fn one_page(
    service: &AppState,
    ask: &Ask,
    id: &str,
    path: &str,
) -> Result<AwardPage, PageError> {
    let lang = ask.lang;
    let w = support::award(service, id).await?;
    let names = Names::read(service).await?;
    let award = AwardLine::new(lang, &w, &names);
    let revocation = w.revocation.as_ref().map(|r| {
        (
            date(&r.revoked_at),
            r.reason.clone(),
            amount(r.recover_centimes),
        )
    });
    Ok(AwardPage {
        page: Page::new(
            lang,
            format!("{} — {}", label(lang, "award"), award.association),
            path,
        ),
        justification: w.justification.clone().unwrap_or_default(),
        disbursements: w
            .disbursements
            .iter()
            .map(|d| {
                (
                    date(&d.recorded_at),
                    amount(d.amount_centimes),
                    d.reference.clone().unwrap_or_default(),
                )
            })
            .collect(),
        reports: w
            .reports
            .iter()
            .map(|r| {
                (
                    date(&r.submitted_at),
                    terms::term(lang, "report", &r.kind),
                    r.summary.clone(),
                )
            })
            .collect(),
        revocation,
        award,
    })
}
