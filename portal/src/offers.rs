//! `/offers` and `/offers/{id}`: the calls for proposals, filtered as `/v1/offers` is
//! (the same function answers both), and one offer with its criteria and weights, its
//! eligibility, its budget, every application, the scores per criterion once it has
//! awarded something, and whether it was published in the first quarter.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::registry::INSTITUTIONS;
use projections::support::associations::ASSOCIATIONS;
use serde_json::Value;

use super::format::{date, mad};
use super::listing::{items, num, problem, strings, text, Ask, Pager};
use super::terms::{self, Choice};
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::support;
use store::{Order, ViewQuery};

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
    pub fn new(lang: super::i18n::Lang, offer: &Value, names: &Names) -> Self {
        Self {
            id: text(offer, "id"),
            title: text(offer, "title"),
            institution: names.institution(&text(offer, "institution")),
            year: text(offer, "fiscal_year"),
            status: terms::term(lang, "status", &text(offer, "status")),
            budget: mad(num(offer, "budget_centimes")),
            remaining: mad(num(offer, "remaining_centimes")),
            applications: num(offer, "applications_count"),
            closes: date(&text(offer, "closes_at")),
            in_q1: offer.get("published_in_q1").and_then(Value::as_bool) == Some(true),
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
        let rows = service
            .db
            .view_query_all(&ViewQuery::new(INSTITUTIONS, Order::Id))
            .await?;
        let institutions = rows
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.row).ok())
            .map(|v| (text(&v, "id"), text(&v, "name")))
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
            if let Some(row) = service.db.view_row(ASSOCIATIONS, &id).await? {
                let row: Value = serde_json::from_str(&row).unwrap_or(Value::Null);
                self.associations.insert(id, text(&row, "name"));
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
    let offers = items(&answer, "items")
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
        pager: Pager::new(&answer, ask, "/offers"),
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
fn points(hundredths: u64) -> String {
    format!("{},{:02}", hundredths / 100, hundredths % 100)
}

async fn one_page(
    service: &AppState,
    ask: &Ask,
    id: &str,
    path: &str,
) -> Result<OfferPage, PageError> {
    let lang = ask.lang;
    let offer = support::offer(service, id).await?;
    let mut names = Names::read(service).await?;
    let applications = items(&offer, "applications");
    let awards = items(&offer, "awards");
    // Collected before the await: a borrowing iterator held across it would keep the
    // handler's future from being `Send`.
    let ids: Vec<String> = applications
        .iter()
        .chain(awards)
        .map(|a| text(a, "association"))
        .collect();
    names.add_associations(service, ids).await?;
    let criteria: Vec<CriterionLine> = items(&offer, "criteria")
        .iter()
        .map(|c| CriterionLine {
            id: text(c, "id"),
            title: text(c, "title"),
            weight: format!("{} %", text(c, "weight")),
        })
        .collect();
    // The JSON shows scores only once the offer has awarded (an evaluation under way is
    // not exposed); the page follows it rather than deciding again.
    let scores_public = applications.iter().any(|a| a.get("scores").is_some());
    let applications = applications
        .iter()
        .map(|a| {
            let scores = items(a, "scores")
                .iter()
                .map(|s| {
                    let per = criteria
                        .iter()
                        .map(|c| {
                            s.get("scores")
                                .and_then(|m| m.get(&c.id))
                                .map_or_else(String::new, Value::to_string)
                        })
                        .collect();
                    (
                        text(s, "evaluator"),
                        per,
                        points(num(s, "total_hundredths")),
                    )
                })
                .collect();
            let association_id = text(a, "association");
            ApplicationLine {
                id: text(a, "id"),
                association: names.association(&association_id),
                association_id,
                title: text(a, "title"),
                requested: mad(num(a, "requested_centimes")),
                status: terms::term(lang, "status", &text(a, "status")),
                evaluations: num(a, "evaluations"),
                conflicts: strings(a, "conflicts_declared")
                    .join(super::i18n::label(lang, "list_separator")),
                mean: a
                    .get("mean_score_hundredths")
                    .and_then(Value::as_u64)
                    .map(points)
                    .unwrap_or_default(),
                scores,
            }
        })
        .collect();
    let awards = awards
        .iter()
        .map(|w| {
            let association_id = text(w, "association");
            AwardLine {
                id: text(w, "id"),
                association: names.association(&association_id),
                association_id,
                amount: mad(num(w, "amount_centimes")),
                status: terms::term(lang, "status", &text(w, "status")),
            }
        })
        .collect();
    let eligibility = offer.get("eligibility").cloned().unwrap_or(Value::Null);
    let regions = strings(&eligibility, "regions")
        .iter()
        .map(|r| terms::region(lang, r))
        .collect();
    let domains = strings(&eligibility, "domains")
        .iter()
        .map(|d| terms::term(lang, "domain", d))
        .collect();
    let title = text(&offer, "title");
    Ok(OfferPage {
        page: Page::new(lang, title.clone(), path),
        id: text(&offer, "id"),
        title,
        description: text(&offer, "description"),
        institution: names.institution(&text(&offer, "institution")),
        year: text(&offer, "fiscal_year"),
        status: terms::term(lang, "status", &text(&offer, "status")),
        published: date(&text(&offer, "published_at")),
        opens: date(&text(&offer, "opens_at")),
        closes: date(&text(&offer, "closes_at")),
        in_q1: offer.get("published_in_q1").and_then(Value::as_bool) == Some(true),
        late_justification: text(&offer, "late_justification"),
        budget: mad(num(&offer, "budget_centimes")),
        max_award: mad(num(&offer, "max_award_centimes")),
        committed: mad(num(&offer, "committed_centimes")),
        remaining: mad(num(&offer, "remaining_centimes")),
        regions,
        domains,
        min_age: text(&eligibility, "min_age_years"),
        criteria,
        scores_public,
        applications,
        awards,
        amendments: items(&offer, "amendments")
            .iter()
            .map(|m| (date(&text(m, "recorded_at")), text(m, "reason")))
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
    }
}
