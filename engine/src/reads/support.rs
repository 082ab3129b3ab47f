//! The portal's read models of the support lifecycle (docs/spec/api.md, section 5):
//! offers, awards and associations, listed with filters and pages, and one by
//! one with everything a reader follows from them. Rows come from the `support.v1`
//! projector (an association's training sessions from `trainings.v1`); their public
//! shapes, typed, from `projections::support`.

use std::collections::HashMap;

use projections::rows;
use projections::support::applications::{self, APPLICATIONS};
use projections::support::associations::{
    self, AssociationProfile, AssociationSummary, ASSOCIATIONS,
};
use projections::support::awards::{self, Award, AWARDS};
use projections::support::offers::{self, Offer, OfferWithApplications, OFFERS};
use projections::support::vocabulary;
use projections::trainings::TrainingRow;
use serde_json::Value;

use super::listed::typed_row;
pub use super::listed::{listing, Listing};
use super::trainings;
use crate::refusal::Refusal;
use crate::service::Service;
use store::{Condition, Join, Order, Source, ViewQuery};

/// Parameters every list takes.
const PAGING: [&str; 2] = ["page", "per_page"];

/// The answer of `/v1/offers` for `params`; the portal's offer list shows the same.
pub async fn offers_page(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<Offer>, Refusal> {
    let filters = Filters::read(
        params,
        &["year", "institution", "region", "domain", "status"],
    )?;
    let mut query = ViewQuery::new(OFFERS, Order::Newest);
    let row = Source::Row;
    if let Some(year) = filters.year()? {
        query.conditions.push(equals(row, &["fiscal_year"], year));
    }
    if let Some(institution) = filters.id("institution")? {
        query
            .conditions
            .push(equals(row, &["institution"], institution));
    }
    if let Some(region) = filters.region()? {
        query.conditions.push(Condition::ListsOrAny {
            source: row,
            path: &["eligibility", "regions"],
            value: region,
        });
    }
    if let Some(domain) = filters.domain()? {
        query.conditions.push(Condition::ListsOrAny {
            source: row,
            path: &["eligibility", "domains"],
            value: domain,
        });
    }
    if let Some(status) = filters.one_of("status", &["open", "closed"])? {
        query.conditions.push(equals(row, &["status"], status));
    }
    service.await_read_models().await;
    listing(service, &query, params, |r| {
        offers::present(&rows::parse(OFFERS, &r.row)?)
    })
    .await
}

/// The answer of `/v1/offers/{id}`; the portal's offer page shows the same.
pub async fn offer(service: &Service, id: &str) -> Result<OfferWithApplications, Refusal> {
    service.await_read_models().await;
    let offer = typed_row(service, OFFERS, "offer", id, |text| {
        offers::present(&rows::parse(OFFERS, text)?)
    })
    .await?;
    let mut query = ViewQuery::new(APPLICATIONS, Order::Oldest);
    query
        .conditions
        .push(equals(Source::Row, &["offer"], id.to_owned()));
    let applications = service
        .db
        .view_query_all(&query)
        .await?
        .iter()
        .map(|r| applications::present(&rows::parse(APPLICATIONS, &r.row)?, Some(&offer)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OfferWithApplications {
        offer,
        applications,
    })
}

/// The answer of `/v1/awards` for `params`; the portal's award list shows the same.
pub async fn awards_page(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<Award>, Refusal> {
    let filters = Filters::read(
        params,
        &[
            "year",
            "institution",
            "offer",
            "association",
            "region",
            "status",
        ],
    )?;
    let mut query = ViewQuery::new(AWARDS, Order::Newest);
    // j0: the award's offer, j1: its association.
    let (offer, association) = (Source::Joined(0), Source::Joined(1));
    query.joins = vec![
        Join {
            view: OFFERS,
            from: Source::Row,
            by: "offer",
        },
        Join {
            view: ASSOCIATIONS,
            from: Source::Row,
            by: "association",
        },
    ];
    // The year of an award is its offer's fiscal year, as for the offers themselves.
    if let Some(year) = filters.year()? {
        query.conditions.push(equals(offer, &["fiscal_year"], year));
    }
    if let Some(institution) = filters.id("institution")? {
        query
            .conditions
            .push(equals(offer, &["institution"], institution));
    }
    if let Some(id) = filters.id("offer")? {
        query.conditions.push(equals(Source::Row, &["offer"], id));
    }
    if let Some(id) = filters.id("association")? {
        query
            .conditions
            .push(equals(Source::Row, &["association"], id));
    }
    // The region of an award is where its recipient association is registered.
    if let Some(region) = filters.region()? {
        query
            .conditions
            .push(equals(association, &["region"], region));
    }
    if let Some(status) = filters.one_of("status", &["active", "revoked"])? {
        query
            .conditions
            .push(equals(Source::Row, &["status"], status));
    }
    service.await_read_models().await;
    listing(service, &query, params, |r| {
        let joined = |j: usize, view| match r.joined.get(j).cloned().flatten() {
            Some(text) => rows::parse(view, &text).map(Some),
            None => Ok(None),
        };
        awards::present(
            &rows::parse(AWARDS, &r.row)?,
            joined(0, OFFERS)?.as_ref(),
            joined(1, ASSOCIATIONS)?.as_ref(),
        )
    })
    .await
}

/// The answer of `/v1/awards/{id}`.
pub async fn award(service: &Service, id: &str) -> Result<Award, Refusal> {
    service.await_read_models().await;
    let award = typed_row(service, AWARDS, "award", id, |text| {
        awards::present(&rows::parse(AWARDS, text)?, None, None)
    })
    .await?;
    let offer = stored_row(service, OFFERS, &award.offer).await?;
    let association = stored_row(service, ASSOCIATIONS, &award.association).await?;
    award
        .named(offer.as_ref(), association.as_ref())
        .map_err(Refusal::from)
}

/// The answer of `/v1/associations` for `params`; the portal's search shows the same.
pub async fn associations_page(
    service: &Service,
    params: &HashMap<String, String>,
) -> Result<Listing<AssociationSummary>, Refusal> {
    let filters = Filters::read(params, &["q", "region", "domain"])?;
    let mut query = ViewQuery::new(ASSOCIATIONS, Order::Id);
    if let Some(q) = filters.text("q")? {
        query.conditions.push(Condition::Contains {
            source: Source::Row,
            path: &["name"],
            value: q,
        });
    }
    if let Some(region) = filters.region()? {
        query
            .conditions
            .push(equals(Source::Row, &["region"], region));
    }
    if let Some(domain) = filters.domain()? {
        query.conditions.push(Condition::Lists {
            source: Source::Row,
            path: &["domains"],
            value: domain,
        });
    }
    service.await_read_models().await;
    listing(service, &query, params, |r| {
        associations::summary(&rows::parse(ASSOCIATIONS, &r.row)?)
    })
    .await
}

/// `/v1/associations/{id}`: the profile with the training sessions the association
/// attended, as the `trainings` view gives them.
pub type AssociationAnswer = AssociationProfile<TrainingRow>;

/// The answer of `/v1/associations/{id}`; the portal's profile shows the same.
pub async fn association(service: &Service, id: &str) -> Result<AssociationAnswer, Refusal> {
    service.await_read_models().await;
    let association = typed_row(service, ASSOCIATIONS, "association", id, |text| {
        associations::present(&rows::parse(ASSOCIATIONS, text)?)
    })
    .await?;
    // Asked of the trainings view rather than stored on the association's row: that row
    // belongs to the `support.v1` projector, which may rewrite it whole.
    let trainings = trainings::attended_by(service, id).await?;
    Ok(AssociationProfile {
        association,
        trainings,
    })
}

/// The name of association `id`, if it is registered.
pub async fn association_name(service: &Service, id: &str) -> Result<Option<String>, Refusal> {
    match stored_row(service, ASSOCIATIONS, id).await? {
        Some(row) => Ok(Some(associations::summary(&row)?.identity.name)),
        None => Ok(None),
    }
}

/// The stored row `id` of `view`, if there is one.
async fn stored_row(
    service: &Service,
    view: &'static str,
    id: &str,
) -> Result<Option<Value>, Refusal> {
    match service.db.view_row(view, id).await? {
        Some(text) => Ok(Some(rows::parse(view, &text)?)),
        None => Ok(None),
    }
}

pub(crate) fn equals(source: Source, path: &'static [&'static str], value: String) -> Condition {
    Condition::Equals {
        source,
        path,
        value,
    }
}

/// A list's query parameters, checked: an unknown parameter or a malformed value is a
/// 400 `invalid_parameter` naming it, so a typo is never silently an unfiltered list.
pub struct Filters<'a> {
    params: &'a HashMap<String, String>,
}

impl<'a> Filters<'a> {
    pub(super) fn read(
        params: &'a HashMap<String, String>,
        known: &[&str],
    ) -> Result<Self, Refusal> {
        let mut names: Vec<&String> = params.keys().collect();
        names.sort();
        if let Some(unknown) = names
            .into_iter()
            .find(|n| !known.contains(&n.as_str()) && !PAGING.contains(&n.as_str()))
        {
            return Err(invalid(format!(
                "unknown parameter {unknown:?}; this list takes {}",
                known.join(", ")
            )));
        }
        Ok(Self { params })
    }

    /// A present, non-empty parameter.
    pub(super) fn get(&self, name: &str) -> Result<Option<&'a str>, Refusal> {
        match self.params.get(name).map(String::as_str) {
            None => Ok(None),
            Some("") => Err(invalid(format!("{name} is empty"))),
            Some(value) => Ok(Some(value)),
        }
    }

    /// `year`: a fiscal year, four digits.
    pub(super) fn year(&self) -> Result<Option<String>, Refusal> {
        let Some(year) = self.get("year")? else {
            return Ok(None);
        };
        // Stored years are JSON numbers, compared by their decimal text: "0999" is 999.
        match year.parse::<u16>() {
            Ok(y) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(Some(y.to_string()))
            }
            _ => Err(invalid("year must be a four-digit year, such as 2026")),
        }
    }

    /// An aggregate id: 1 to 64 characters, `[A-Za-z0-9][A-Za-z0-9._-]*`
    /// (docs/spec/ledger-format.md, section 2.3).
    pub(super) fn id(&self, name: &str) -> Result<Option<String>, Refusal> {
        let Some(id) = self.get(name)? else {
            return Ok(None);
        };
        let mut bytes = id.bytes();
        let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphanumeric());
        let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if first_ok && rest_ok && id.len() <= 64 {
            Ok(Some(id.to_owned()))
        } else {
            Err(invalid(format!(
                "{name} must be an id: 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit"
            )))
        }
    }

    /// `region`: an ISO 3166-2 code of one of Morocco's twelve regions.
    pub(super) fn region(&self) -> Result<Option<String>, Refusal> {
        let Some(region) = self.get("region")? else {
            return Ok(None);
        };
        match vocabulary::region_name(region) {
            Some(_) => Ok(Some(region.to_owned())),
            None => Err(invalid(format!(
                "region {region:?} is not a region code (MA-01 to MA-12)"
            ))),
        }
    }

    /// `domain`: one of the domains of activity.
    fn domain(&self) -> Result<Option<String>, Refusal> {
        let Some(domain) = self.get("domain")? else {
            return Ok(None);
        };
        if vocabulary::is_domain(domain) {
            Ok(Some(domain.to_owned()))
        } else {
            Err(invalid(format!(
                "domain {domain:?} is not one of {}",
                vocabulary::DOMAINS.join(", ")
            )))
        }
    }

    /// A parameter that takes one of `allowed`.
    pub(super) fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, Refusal> {
        let Some(value) = self.get(name)? else {
            return Ok(None);
        };
        if allowed.contains(&value) {
            Ok(Some(value.to_owned()))
        } else {
            Err(invalid(format!(
                "{name} must be one of {}",
                allowed.join(", ")
            )))
        }
    }

    /// Free text, at most 100 characters (a name search).
    fn text(&self, name: &str) -> Result<Option<String>, Refusal> {
        let Some(text) = self.get(name)? else {
            return Ok(None);
        };
        if text.chars().count() <= 100 {
            Ok(Some(text.to_owned()))
        } else {
            Err(invalid(format!("{name} is longer than 100 characters")))
        }
    }
}

pub fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::bad_request("invalid_parameter", message)
}
