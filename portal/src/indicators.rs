//! `/indicators?year=Y`: every indicator of the commitment with its label and definition
//! in the page's language, and charts per region, institution and year drawn on the
//! server ([`super::chart`]), each followed by its figures as a table. The figures are the
//! answer of `/v1/indicators` (the same function computes both), so the page, the JSON
//! and the offline `sijill indicators` agree.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use projections::indicators::{IndicatorValue, Indicators};

use super::chart::{Bar, Chart};
use super::format::mad;
use super::i18n::{label, Lang};
use super::listing::{problem, Ask};
use super::offers::Names;
use super::{html, Page};
use crate::page_error::PageError;
use crate::AppState;
use engine::reads::indicators::compute;

/// One indicator as the page shows it.
pub struct Figure {
    pub key: String,
    pub label: &'static str,
    pub value: String,
    pub definition: &'static str,
}

/// An indicator's value as a reader reads it: amounts in MAD, shares in percent, counts
/// as numbers, "not available" for a share of nothing.
pub fn shown(lang: Lang, key: &str, value: IndicatorValue) -> String {
    match value {
        IndicatorValue::NotAvailable => label(lang, "not_available").to_owned(),
        IndicatorValue::Share(share) => percent(share),
        IndicatorValue::Whole(centimes) if key.ends_with("_centimes") => mad(centimes),
        IndicatorValue::Whole(n) => n.to_string(),
    }
}

/// `0.6667` → `66,7 %` (one decimal, a comma, a no-break space before the sign).
pub fn percent(share: f64) -> String {
    let tenths = (share * 1000.0).round();
    // Shares are between 0 and 1; the cast cannot truncate anything meaningful.
    let tenths = if tenths.is_finite() && tenths >= 0.0 {
        tenths as u64
    } else {
        0
    };
    format!("{},{}\u{a0}%", tenths / 10, tenths % 10)
}

/// The indicators of `answer` (what `/v1/indicators` serializes) in `lang`, in the order
/// of their definitions.
pub fn figures(lang: Lang, answer: &Indicators) -> Vec<Figure> {
    answer
        .indicators
        .iter()
        .map(|i| Figure {
            label: label(lang, &format!("indicator.{}", i.key)),
            definition: label(lang, &format!("indicator.{}.definition", i.key)),
            value: shown(lang, &i.key, i.value),
            key: i.key.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    page: Page,
    year: String,
    years: Vec<(String, bool)>,
    size: u64,
    figures: Vec<Figure>,
    charts: Vec<Chart>,
}

pub async fn page(
    State(service): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let ask = Ask::read(params, &headers);
    match build(&service, &ask).await {
        Ok(page) => html(&page, ask.lang, ask.remember),
        Err(e) => problem(&ask, &e, &ask.here("/indicators")),
    }
}

/// `year`: four digits between 2000 and 2100, as `/v1/indicators` takes it.
fn year(ask: &Ask) -> Result<Option<i32>, PageError> {
    if let Some(name) = ask.params.keys().find(|k| *k != "year") {
        return Err(PageError::bad_request(
            "invalid_parameter",
            format!("unknown parameter {name:?}; this page takes year"),
        ));
    }
    match ask.get("year") {
        None => Ok(None),
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(Some(y)),
            _ => Err(PageError::bad_request(
                "invalid_parameter",
                "year must be a year between 2000 and 2100",
            )),
        },
    }
}

/// Bars from a breakdown (region, institution or year → row): one per row, its
/// `measure`, labelled by `name`, in the breakdown's order.
fn bars<K, R>(
    breakdown: &BTreeMap<K, R>,
    measure: impl Fn(&R) -> u64,
    name: impl Fn(&K) -> String,
    show: impl Fn(u64) -> String,
) -> Vec<Bar> {
    breakdown
        .iter()
        .map(|(key, row)| {
            let value = measure(row);
            Bar {
                label: name(key),
                value,
                shown: show(value),
            }
        })
        .collect()
}

async fn build(service: &AppState, ask: &Ask) -> Result<IndicatorsPage, PageError> {
    let lang = ask.lang;
    let asked = year(ask)?;
    let size = service.sequencer.known_size();
    let answer = compute(service, asked, size).await?;
    let names = Names::read(service).await?;
    let year = answer.year.to_string();
    let b = &answer.breakdowns;
    let count = |n: u64| n.to_string();
    let amount = mad;
    let region = |code: &String| super::terms::region(lang, code);
    let institution = |id: &String| names.institution(id);
    let same = i32::to_string;
    let rtl = lang == Lang::Ar;
    // (the chart's id in the page, its title's label, its bars)
    let specs: Vec<(&str, &str, Vec<Bar>)> = vec![
        (
            "awarded-by-region",
            "chart.awarded_by_region",
            bars(&b.by_region, |r| r.amount_awarded_centimes, region, amount),
        ),
        (
            "registered-by-region",
            "chart.registered_by_region",
            bars(&b.by_region, |r| r.associations_registered, region, count),
        ),
        (
            "awarded-by-institution",
            "chart.awarded_by_institution",
            bars(
                &b.by_institution,
                |i| i.amount_awarded_centimes,
                institution,
                amount,
            ),
        ),
        (
            "offers-by-institution",
            "chart.offers_by_institution",
            bars(
                &b.by_institution,
                |i| i.offers_published,
                institution,
                count,
            ),
        ),
        (
            "offers-by-year",
            "chart.offers_by_year",
            bars(&b.by_year, |y| y.offers_published, same, count),
        ),
        (
            "awarded-by-year",
            "chart.awarded_by_year",
            bars(&b.by_year, |y| y.amount_awarded_centimes, same, amount),
        ),
    ];
    let charts = specs
        .into_iter()
        .map(|(id, key, bars)| {
            let title = label(lang, key).to_owned();
            // The per-year charts cover every year; the others the year shown.
            let desc = if id.ends_with("by-year") {
                format!("{title} — {}", label(lang, "all_years"))
            } else {
                format!("{title} — {} {year}", label(lang, "year"))
            };
            Chart::bars(id, title, desc, bars, rtl)
        })
        .collect();
    let mut years: Vec<i32> = b.by_year.keys().copied().collect();
    if !years.contains(&answer.year) {
        years.push(answer.year);
        years.sort_unstable();
    }
    Ok(IndicatorsPage {
        page: Page::new(
            lang,
            format!("{} {year}", label(lang, "indicators")),
            ask.here("/indicators"),
        ),
        years: years
            .into_iter()
            .map(|y| (y.to_string(), y == answer.year))
            .collect(),
        size: answer.checkpoint.size,
        figures: figures(lang, &answer),
        charts,
        year,
    })
}

#[cfg(test)]
mod tests {
    use projections::indicators::DEFINITIONS;

    use super::super::i18n::LABELS;
    use super::*;

    #[test]
    fn every_indicator_has_a_label_and_a_definition_in_both_languages() {
        for d in &DEFINITIONS {
            for key in [
                format!("indicator.{}", d.key),
                format!("indicator.{}.definition", d.key),
            ] {
                assert!(LABELS.iter().any(|(k, _, _)| *k == key), "no {key}");
            }
        }
    }

    #[test]
    fn values_read_as_amounts_shares_and_counts() {
        assert_eq!(
            shown(
                Lang::Fr,
                "amount_awarded_centimes",
                IndicatorValue::Whole(10_000_000)
            ),
            "100\u{202f}000,00\u{a0}MAD"
        );
        assert_eq!(
            shown(
                Lang::Fr,
                "offers_published_q1_share",
                IndicatorValue::Share(2.0 / 3.0)
            ),
            "66,7\u{a0}%"
        );
        assert_eq!(
            shown(Lang::Fr, "offers_published", IndicatorValue::Whole(3)),
            "3"
        );
        assert_eq!(
            shown(
                Lang::Ar,
                "comments_answered_share",
                IndicatorValue::NotAvailable
            ),
            label(Lang::Ar, "not_available")
        );
        assert_eq!(percent(1.0), "100,0\u{a0}%");
    }
}
