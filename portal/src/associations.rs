//! `/associations` (search by name, region, domain, as `/v1/associations`: the same
//! function answers both) and `/associations/{id}`: an association's identity and all the
//! public support it asked for and received: applications, awards, disbursements,
//! reports. Trainings are not in the association's read model yet (the indicators count
//! them from the log), so the profile does not list them.

use std::collections::HashMap;

use super::format::{amount, date};
use super::i18n::label;
use super::listing::{encode, problem, Ask, Pager};
use super::terms::{self, Choice};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use engine::reads::support;

pub struct AssociationLine {
    pub id: String,
    pub name: String,
    pub region: String,
    pub domains: String,
    pub applications: u64,
    pub awards: u64,
}

#[derive(Template)]
#[template(path = "associations.html")]
struct AssociationsPage {
    page: Page,
    q: String,
    regions: Vec<Choice>,
    domains: Vec<Choice>,
    associations: Vec<AssociationLine>,
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
        Err(e) => problem(&ask, &e, &ask.here("/associations")),
    }
}

fn domain_list(lang: super::i18n::Lang, domains: &[String]) -> String {
    domains
        .iter()
        .map(|d| terms::term(lang, "domain", d))
        .collect::<Vec<_>>()
        .join(label(lang, "list_separator"))
}

async fn list_page(service: &AppState, ask: &Ask) -> Result<AssociationsPage, PageError> {
    let lang = ask.lang;
    let answer = support::associations_page(service, &ask.params).await?;
    Ok(AssociationsPage {
        page: Page::new(lang, label(lang, "associations"), ask.here("/associations")),
        q: ask.get("q").unwrap_or_default().to_owned(),
        regions: terms::region_choices(lang, ask.get("region")),
        domains: terms::domain_choices(lang, ask.get("domain")),
        associations: answer
            .items
            .iter()
            .map(|a| AssociationLine {
                id: a.identity.id.clone(),
                name: a.identity.name.clone(),
                region: terms::region(lang, &a.identity.region),
                domains: domain_list(lang, &a.identity.domains),
                applications: a.applications_count,
                awards: a.awards_count,
            })
            .collect(),
        pager: Pager::of(&answer, ask, "/associations"),
    })
}

/// An application in the profile: date, offer id, title, amount asked, award id if any.
pub struct ApplicationLine {
    pub id: String,
    pub submitted: String,
    pub offer: String,
    pub title: String,
    pub requested: String,
    pub award: String,
}

/// An award in the profile.
pub struct AwardLine {
    pub id: String,
    pub offer: String,
    pub granted: String,
    pub amount: String,
    pub disbursed: String,
    pub status: String,
}

/// A disbursement or a report: date, award, offer, and what it says (an amount and a
/// reference, or a kind and a summary).
pub struct EventLine {
    pub when: String,
    pub award: String,
    pub offer: String,
    pub what: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "association.html")]
struct AssociationPage {
    page: Page,
    id: String,
    name: String,
    legal_form: String,
    region: String,
    domains: String,
    registered_on: String,
    applications: Vec<ApplicationLine>,
    awards: Vec<AwardLine>,
    disbursements: Vec<EventLine>,
    reports: Vec<EventLine>,
    audit: String,
}

pub async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    let path = format!("/associations/{}", encode(&id));
    match one_page(&service, &ask, &id, &path).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, &path),
    }
}

/// `2015-03-10` as `10/03/2015`: a registration date is a calendar day, not an instant.
fn day(text: &str) -> String {
    match text.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => text.to_owned(),
    }
}

async fn one_page(
    service: &AppState,
    ask: &Ask,
    id: &str,
    path: &str,
) -> Result<AssociationPage, PageError> {
    let lang = ask.lang;
    // The profile's trainings are not listed here (see the module's documentation).
    let a = support::association(service, id).await?.association;
    let who = &a.identity;
    Ok(AssociationPage {
        page: Page::new(lang, who.name.clone(), path),
        id: who.id.clone(),
        name: who.name.clone(),
        legal_form: terms::term(lang, "form", &who.legal_form),
        region: terms::region(lang, &who.region),
        domains: domain_list(lang, &who.domains),
        registered_on: day(&who.registered_on),
        applications: a
            .applications
            .iter()
            .map(|p| ApplicationLine {
                id: p.id.clone(),
                submitted: date(&p.submitted_at),
                offer: p.offer.clone(),
                title: p.title.clone(),
                requested: amount(p.requested_centimes),
                award: p.award.clone().unwrap_or_default(),
            })
            .collect(),
        awards: a
            .awards
            .iter()
            .map(|w| AwardLine {
                id: w.id.clone(),
                offer: w.offer.clone(),
                granted: date(&w.granted_at),
                amount: amount(w.amount_centimes),
                disbursed: amount(w.disbursed_centimes),
                status: terms::term(lang, "status", &w.status),
            })
            .collect(),
        disbursements: a
            .disbursements
            .iter()
            .map(|d| EventLine {
                when: date(&d.recorded_at),
                award: d.award.clone(),
                offer: d.offer.clone(),
                what: amount(d.amount_centimes),
                detail: d.reference.clone().unwrap_or_default(),
            })
            .collect(),
        reports: a
            .reports
            .iter()
            .map(|r| EventLine {
                when: date(&r.submitted_at),
                award: r.award.clone(),
                offer: r.offer.clone(),
                what: terms::term(lang, "report", &r.kind),
                detail: r.summary.clone(),
            })
            .collect(),
        audit: format!("/audit/association/{}", encode(id)),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_calendar_day_reads_day_first() {
        assert_eq!(super::day("2015-03-10"), "10/03/2015");
        assert_eq!(super::day("soon"), "soon");
    }
}
