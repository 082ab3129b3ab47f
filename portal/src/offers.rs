//! `/offers` and `/offers/{id}`: the calls for proposals, filtered as `/v1/offers` is
//! (the same function answers both), and one offer with its criteria and weights, its
//! eligibility, its budget, every application, the scores per criterion once it has
//! awarded something, and whether it was published in the first quarter.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::support::offers::{Offer, OfferWithApplications};

use super::format::{amount, date};
use super::listing::{problem, Ask, Pager};
use super::terms::{self, Choice};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::{registry, support};

/// An offer in a list.
pub struct OfferLine {
    pub id: String,
    pub title: String,
    pub institution: String,
    pub year: String,
    pub status: String,
    pub budget: String,
    pub remaining: String,
    pub applications: u64,
    pub closes: String,
    pub in_q1: bool,
}

impl OfferLine {
    pub fn new(lang: super::i18n::Lang, offer: &Offer, names: &Names) -> Self {
        Self {
            id: offer.id.clone(),
            title: offer.title.clone(),
            institution: names.institution(&offer.institution),
            year: offer.fiscal_year.to_string(),
            status: terms::term(lang, "status", &offer.status),
            budget: amount(offer.budget_centimes),
            remaining: amount(offer.remaining_centimes),
            applications: offer.applications_count,
            closes: date(&offer.closes_at),
            in_q1: offer.published_in_q1,
        }
    }
}

/// Names of institutions (from the registry's view) and associations, to show a name
/// where a record holds an id.
#[derive(Default)]
pub struct Names {
    institutions: HashMap<String, String>,
    associations: HashMap<String, String>,
}

impl Names {
    /// Every registered institution; associations are added as a page needs them.
    pub async fn read(service: &AppState) -> Result<Self, PageError> {
        let institutions = registry::institutions(service)
            .await?
            .into_iter()
            .map(|i| (i.id, i.name))
            .collect();
        Ok(Self {
            institutions,
            associations: HashMap::new(),
        })
    }

    /// Adds the names of the associations `ids` (one read each: a page names a handful).
    pub async fn add_associations(
        &mut self,
        service: &AppState,
        ids: Vec<String>,
    ) -> Result<(), PageError> {
        for id in ids {
            if self.associations.contains_key(&id) {
                continue;
            }
            if let Some(name) = support::association_name(service, &id).await? {
                self.associations.insert(id, name);
            }
        }
        Ok(())
    }

    /// An institution's name, or its id if the registry does not name it.
    pub fn institution(&self, id: &str) -> String {
        self.institutions
            .get(id)
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    pub fn association(&self, id: &str) -> String {
        self.associations
            .get(id)
            .filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }

    /// The institutions as filter choices, `current` selected.
    pub fn institution_choices(&self, current: Option<&str>) -> Vec<Choice> {
        let mut out: Vec<Choice> = self
            .institutions
            .iter()
            .map(|(id, name)| Choice {
                value: id.clone(),
                label: if name.is_empty() {
                    id.clone()
                } else {
                    name.clone()
                },
                selected: current == Some(id.as_str()),
            })
            .collect();
        out.sort_by(|a, b| a.label.cmp(&b.label));
        out
    }
}

#[derive(Template)]
#[template(path = "offers.html")]
struct OffersPage {
    page: Page,
    year: String,
    institutions: Vec<Choice>,
    regions: Vec<Choice>,
    domains: Vec<Choice>,
    statuses: Vec<Choice>,
    offers: Vec<OfferLine>,
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
        Err(e) => problem(&ask, &e, &ask.href("/offers", None)),
    }
}

async fn list_page(service: &AppState, ask: &Ask) -> Result<OffersPage, PageError> {
    let lang = ask.lang;
    let answer = support::offers_page(service, &ask.params).await?;
    let names = Names::read(service).await?;
    let offers = answer
        .items
        .iter()
        .map(|o| OfferLine::new(lang, o, &names))
        .collect();
    Ok(OffersPage {
        page: Page::new(
            lang,
            super::i18n::label(lang, "offers"),
            ask.here("/offers"),
        ),
        year: ask.get("year").unwrap_or_default().to_owned(),
        institutions: names.institution_choices(ask.get("institution")),
        regions: terms::region_choices(lang, ask.get("region")),
        domains: terms::domain_choices(lang, ask.get("domain")),
        statuses: terms::choices(lang, "status", &["open", "closed"], ask.get("status")),
        offers,
        pager: Pager::of(&answer, ask, "/offers"),
    })
}

/// An application as the offer's page shows it.
pub struct ApplicationLine {
    pub id: String,
    pub association_id: String,
    pub association: String,
    pub title: String,
    pub requested: String,
    pub status: String,
    pub evaluations: u64,
    pub conflicts: String,
    pub mean: String,
    /// One line per evaluator: who, the score per criterion (in the criteria's order),
    /// and the weighted total.
    pub scores: Vec<(String, Vec<String>, String)>,
}

pub struct CriterionLine {
    pub id: String,
    pub title: String,
    pub weight: String,
}

pub struct AwardLine {
    pub id: String,
    pub association_id: String,
    pub association: String,
    pub amount: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "offer.html")]
struct OfferPage {
    page: Page,
    id: String,
    title: String,
    description: String,
    institution: String,
    year: String,
    status: String,
    published: String,
    opens: String,
    closes: String,
    in_q1: bool,
    late_justification: String,
    budget: String,
    max_award: String,
    committed: String,
    remaining: String,
    regions: Vec<String>,
    domains: Vec<String>,
    min_age: String,
    criteria: Vec<CriterionLine>,
    scores_public: bool,
    applications: Vec<ApplicationLine>,
    awards: Vec<AwardLine>,
    amendments: Vec<(String, String)>,
    audit: String,
}

pub async fn one(
    State(service): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    let path = format!("/offers/{}", super::listing::encode(&id));
    match one_page(&service, &ask, &id, &path).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, &path),
    }
}

/// Hundredths of a point as `72,00`, the way the domain computes means and totals.
/// Views hold no negative score; one would show as zero rather than wrap.
fn points(hundredths: i64) -> String {
    let hundredths = u64::try_from(hundredths).unwrap_or(0);
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

async fn one_page(
    service: &AppState,
    ask: &Ask,
    id: &str,
    path: &str,
) -> Result<OfferPage, PageError> {
    let lang = ask.lang;
    let OfferWithApplications {
        offer,
        applications,
    } = support::offer(service, id).await?;
    let mut names = Names::read(service).await?;
    let ids: Vec<String> = applications
        .iter()
        .map(|a| a.association.clone())
        .chain(offer.awards.iter().map(|w| w.association.clone()))
        .collect();
    names.add_associations(service, ids).await?;
    let criteria: Vec<CriterionLine> = offer
        .criteria
        .iter()
        .map(|c| CriterionLine {
            id: c.id.clone(),
            title: c.title.clone(),
            weight: format!("{} %", c.weight),
        })
        .collect();
    // The JSON shows scores only once the offer has awarded (an evaluation under way is
    // not exposed); the page follows it rather than deciding again.
    let scores_public = applications.iter().any(|a| a.scores.is_some());
    let applications = applications
        .iter()
        .map(|a| {
            let scores = a
                .scores
                .iter()
                .flatten()
                .map(|s| {
                    let per = criteria
                        .iter()
                        .map(|c| {
                            s.scores
                                .get(&c.id)
                                .map_or_else(String::new, ToString::to_string)
                        })
                        .collect();
                    (s.evaluator.clone(), per, points(s.total_hundredths))
                })
                .collect();
            ApplicationLine {
                id: a.id.clone(),
                association: names.association(&a.association),
                association_id: a.association.clone(),
                title: a.title.clone(),
                requested: amount(a.requested_centimes),
                status: terms::term(lang, "status", &a.status),
                evaluations: a.evaluations,
                conflicts: a
                    .conflicts_declared
                    .join(super::i18n::label(lang, "list_separator")),
                mean: a
                    .mean_score_hundredths
                    .filter(|m| *m >= 0)
                    .map(points)
                    .unwrap_or_default(),
                scores,
            }
        })
        .collect();
    let awards = offer
        .awards
        .iter()
        .map(|w| AwardLine {
            id: w.id.clone(),
            association: names.association(&w.association),
            association_id: w.association.clone(),
            amount: amount(w.amount_centimes),
            status: terms::term(lang, "status", &w.status),
        })
        .collect();
    let eligibility = &offer.eligibility;
    let regions = eligibility
        .regions
        .iter()
        .map(|r| terms::region(lang, r))
        .collect();
    let domains = eligibility
        .domains
        .iter()
        .map(|d| terms::term(lang, "domain", d))
        .collect();
    Ok(OfferPage {
        page: Page::new(lang, offer.title.clone(), path),
        id: offer.id.clone(),
        title: offer.title.clone(),
        description: offer.description.clone(),
        institution: names.institution(&offer.institution),
        year: offer.fiscal_year.to_string(),
        status: terms::term(lang, "status", &offer.status),
        published: date(&offer.published_at),
        opens: date(&offer.opens_at),
        closes: date(&offer.closes_at),
        in_q1: offer.published_in_q1,
        late_justification: offer.late_justification.clone().unwrap_or_default(),
        budget: amount(offer.budget_centimes),
        max_award: amount(offer.max_award_centimes),
        committed: amount(offer.committed_centimes),
        remaining: amount(offer.remaining_centimes),
        regions,
        domains,
        min_age: eligibility.min_age_years.to_string(),
        criteria,
        scores_public,
        applications,
        awards,
        amendments: offer
            .amendments
            .iter()
            .map(|m| (date(&m.recorded_at), m.reason.clone()))
            .collect(),
        audit: format!("/audit/offer/{}", super::listing::encode(id)),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn points_read_as_a_decimal_with_a_comma() {
        assert_eq!(super::points(7200), "72,00");
        assert_eq!(super::points(5), "0,05");
        assert_eq!(super::points(-5), "0,00");
    }
}
