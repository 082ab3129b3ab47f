//! The fold behind the indicators: entries in, per-year figures out.
//!
//! It keeps what the definitions need (offers, awards, consultations, trainings,
//! associations; never whole entries), in ordered maps so the output is the same bytes
//! whoever computes it.

use domain::names::stream;
use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use domain::calendar::{local_date, parse_date};
use domain::participation::ConsultationEvent;
use domain::support::{AssociationEvent, AwardEvent, OfferEvent};
use domain::training::TrainingEvent;
use domain::LedgerEvent;
use ledger::merkle::Frontier;
use ledger::{SignedEntry, Timestamp};
use serde_json::Value;

use super::answer::{
    share, Breakdowns, ByConsultation, ByInstitution, ByRegion, ByYear, CheckpointRef, Indicator,
    IndicatorValue, Indicators, Label,
};
use super::definitions::DEFINITIONS;

#[derive(Clone)]
struct Offer {
    institution: String,
    fiscal_year: i32,
    late: bool,
}

#[derive(Clone)]
struct Award {
    offer: String,
    association: String,
    amount: u64,
    disbursed: u64,
    revoked: bool,
}

impl Award {
    /// What the award commits: its amount, or what was paid of it once revoked.
    fn committed(&self) -> u64 {
        if self.revoked {
            self.disbursed
        } else {
            self.amount
        }
    }
}

#[derive(Clone, Default)]
struct Consultation {
    institution: String,
    year: i32,
    comments: u64,
    participants: BTreeSet<String>,
    answered: BTreeSet<u64>,
    recommendations: u64,
}

#[derive(Clone)]
struct Training {
    institution: String,
    year: i32,
    region: String,
    associations: Vec<String>,
}

/// Reads entries in index order; answers for any year.
#[derive(Clone, Default)]
pub struct IndicatorFold {
    frontier: Frontier,
    last_recorded_at: Option<Timestamp>,
    /// Association → (region, year its registration was recorded).
    associations: BTreeMap<String, (String, i32)>,
    offers: BTreeMap<String, Offer>,
    awards: BTreeMap<String, Award>,
    consultations: BTreeMap<String, Consultation>,
    trainings: Vec<Training>,
}

fn year_of(t: Timestamp) -> i32 {
    i32::from(local_date(t).year())
}

/// The row of `key` in a breakdown, added empty on first use.
fn row<'a, T: Default>(breakdown: &'a mut BTreeMap<String, T>, key: &str) -> &'a mut T {
    breakdown.entry(key.to_owned()).or_default()
}

impl IndicatorFold {
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of entries read so far.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// Reads the next entry (its index must be [`IndicatorFold::size`]).
    pub fn push(&mut self, signed: &SignedEntry) {
        self.frontier.append(signed.leaf_hash(), &mut Vec::new());
        let entry = &signed.entry;
        self.last_recorded_at = Some(entry.recorded_at);
        let Some((kind, id)) = entry.stream.split_once('/') else {
            return;
        };
        let (t, v, data) = (&entry.event_type, &entry.version, entry.data.clone());
        match kind {
            stream::ASSOCIATION => {
                if let Ok(AssociationEvent::AssociationRegistered(e)) =
                    AssociationEvent::from_entry(t, v, data)
                {
                    self.associations
                        .insert(id.to_owned(), (e.region, year_of(entry.recorded_at)));
                }
            }
            stream::OFFER => {
                if let Ok(OfferEvent::OfferPublished(e)) = OfferEvent::from_entry(t, v, data) {
                    self.offers.insert(
                        id.to_owned(),
                        Offer {
                            institution: e.institution,
                            fiscal_year: i32::from(e.fiscal_year),
                            late: e.published_late,
                        },
                    );
                }
            }
            stream::AWARD => match AwardEvent::from_entry(t, v, data) {
                Ok(AwardEvent::AwardGranted(e)) => {
                    self.awards.insert(
                        id.to_owned(),
                        Award {
                            offer: e.offer,
                            association: e.association,
                            amount: e.amount_centimes,
                            disbursed: 0,
                            revoked: false,
                        },
                    );
                }
                Ok(AwardEvent::DisbursementRecorded(e)) => {
                    if let Some(a) = self.awards.get_mut(id) {
                        a.disbursed = e.disbursed_total_centimes;
                    }
                }
                Ok(AwardEvent::AwardRevoked(_)) => {
                    if let Some(a) = self.awards.get_mut(id) {
                        a.revoked = true;
                    }
                }
                _ => {}
            },
            stream::CONSULTATION => self.consultation(id, t, v, data),
            stream::TRAINING => {
                if let Ok(TrainingEvent::TrainingSessionRecorded(e)) =
                    TrainingEvent::from_entry(t, v, data)
                {
                    if let Some(date) = parse_date(&e.date) {
                        self.trainings.push(Training {
                            institution: e.institution,
                            year: i32::from(date.year()),
                            region: e.region,
                            associations: e.associations,
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn consultation(&mut self, id: &str, t: &str, v: &str, data: Value) {
        let Ok(event) = ConsultationEvent::from_entry(t, v, data) else {
            return;
        };
        if let ConsultationEvent::ConsultationOpened(e) = &event {
            let year = Timestamp::parse_statement(&e.opens_at).map_or(0, year_of);
            self.consultations.insert(
                id.to_owned(),
                Consultation {
                    institution: e.institution.clone(),
                    year,
                    ..Consultation::default()
                },
            );
            return;
        }
        let Some(c) = self.consultations.get_mut(id) else {
            return;
        };
        match event {
            ConsultationEvent::CommentSubmitted(e) => {
                c.comments += 1;
                // Associations and public persons are distinct namespaces.
                let who = match (e.association, e.person) {
                    (Some(a), _) => Some(format!("association:{a}")),
                    (None, Some(p)) => Some(format!("person:{p}")),
                    (None, None) => None,
                };
                c.participants.extend(who);
            }
            ConsultationEvent::CommentsAnswered(e) => {
                c.answered.extend(e.responses.iter().map(|r| r.comment));
            }
            ConsultationEvent::ResultsPublished(e) => {
                c.recommendations = e.recommendations.len() as u64;
            }
            _ => {}
        }
    }

    /// The indicators for `year` (default: the year of the last entry's `recorded_at`),
    /// stamped with the checkpoint of the entries read.
    pub fn finish(&self, year: Option<i32>) -> Indicators {
        let year = year
            .or(self.last_recorded_at.map(year_of))
            .unwrap_or_default();
        let values = self.values(year);
        let indicators = DEFINITIONS
            .iter()
            .map(|d| Indicator {
                key: d.key.to_owned(),
                label: Label {
                    fr: d.fr.to_owned(),
                    ar: d.ar.to_owned(),
                },
                definition: d.definition.to_owned(),
                value: values
                    .get(d.key)
                    .copied()
                    .unwrap_or(IndicatorValue::NotAvailable),
            })
            .collect();
        Indicators {
            checkpoint: CheckpointRef {
                size: self.size(),
                root: BASE64.encode(self.frontier.root()),
            },
            year,
            indicators,
            breakdowns: self.breakdowns(year),
        }
    }

    fn values(&self, year: i32) -> BTreeMap<&'static str, IndicatorValue> {
        let offers: Vec<&Offer> = self.year_offers(year).map(|(_, o)| o).collect();
        let on_time = offers.iter().filter(|o| !o.late).count() as u64;
        let publishing: BTreeSet<&str> = offers.iter().map(|o| o.institution.as_str()).collect();
        let mut involved = publishing.clone();
        let consultations: Vec<&Consultation> =
            self.year_consultations(year).map(|(_, c)| c).collect();
        involved.extend(consultations.iter().map(|c| c.institution.as_str()));
        involved.extend(self.year_trainings(year).map(|t| t.institution.as_str()));
        let comments: u64 = consultations.iter().map(|c| c.comments).sum();
        let answered: u64 = consultations.iter().map(|c| c.answered.len() as u64).sum();
        let participants: BTreeSet<&String> = self
            .year_consultations(year)
            .flat_map(|(_, c)| c.participants.iter())
            .collect();
        let registered = self
            .associations
            .values()
            .filter(|(_, y)| *y <= year)
            .count() as u64;
        let supported: BTreeSet<&str> = self
            .year_awards(year)
            .filter(|a| !a.revoked)
            .map(|a| a.association.as_str())
            .collect();
        let trained: BTreeSet<&str> = self
            .year_trainings(year)
            .flat_map(|t| t.associations.iter().map(String::as_str))
            .collect();
        let whole = |n: usize| IndicatorValue::Whole(n as u64);
        BTreeMap::from([
            ("consultations_conducted", whole(consultations.len())),
            ("consultation_participants", whole(participants.len())),
            ("consultation_comments", IndicatorValue::Whole(comments)),
            (
                "consultation_recommendations",
                IndicatorValue::Whole(consultations.iter().map(|c| c.recommendations).sum()),
            ),
            (
                "comments_answered_share",
                IndicatorValue::share(answered, comments),
            ),
            ("offers_published", whole(offers.len())),
            (
                "offers_published_q1_share",
                IndicatorValue::share(on_time, offers.len() as u64),
            ),
            ("institutions_publishing_offers", whole(publishing.len())),
            ("institutions_involved", whole(involved.len())),
            ("associations_registered", IndicatorValue::Whole(registered)),
            (
                "associations_supported_share",
                IndicatorValue::share(supported.len() as u64, registered),
            ),
            (
                "amount_awarded_centimes",
                IndicatorValue::Whole(self.year_awards(year).map(Award::committed).sum()),
            ),
            (
                "amount_disbursed_centimes",
                IndicatorValue::Whole(self.year_awards(year).map(|a| a.disbursed).sum()),
            ),
            (
                "training_sessions",
                whole(self.year_trainings(year).count()),
            ),
            ("associations_trained", whole(trained.len())),
        ])
    }

    fn breakdowns(&self, year: i32) -> Breakdowns {
        let mut by_institution: BTreeMap<String, ByInstitution> = BTreeMap::new();
        for (_, o) in self.year_offers(year) {
            row(&mut by_institution, &o.institution).offers_published += 1;
        }
        for a in self.year_awards(year) {
            if let Some(o) = self.offers.get(&a.offer) {
                row(&mut by_institution, &o.institution).amount_awarded_centimes += a.committed();
            }
        }
        for (_, c) in self.year_consultations(year) {
            row(&mut by_institution, &c.institution).consultations_conducted += 1;
        }
        for t in self.year_trainings(year) {
            row(&mut by_institution, &t.institution).training_sessions += 1;
        }

        let mut by_region: BTreeMap<String, ByRegion> = BTreeMap::new();
        for (region, y) in self.associations.values() {
            if *y <= year {
                row(&mut by_region, region).associations_registered += 1;
            }
        }
        let mut supported: BTreeSet<&str> = BTreeSet::new();
        for a in self.year_awards(year) {
            let Some((region, _)) = self.associations.get(&a.association) else {
                continue;
            };
            let r = row(&mut by_region, region);
            r.amount_awarded_centimes += a.committed();
            if !a.revoked && supported.insert(&a.association) {
                r.associations_supported += 1;
            }
        }
        for t in self.year_trainings(year) {
            row(&mut by_region, &t.region).training_sessions += 1;
        }

        let by_consultation = self
            .year_consultations(year)
            .map(|(id, c)| {
                (
                    id.clone(),
                    ByConsultation {
                        comments: c.comments,
                        participants: c.participants.len() as u64,
                        recommendations: c.recommendations,
                        comments_answered_share: share(c.answered.len() as u64, c.comments),
                    },
                )
            })
            .collect();

        let mut years: BTreeSet<i32> = self.offers.values().map(|o| o.fiscal_year).collect();
        years.extend(self.consultations.values().map(|c| c.year));
        years.extend(self.trainings.iter().map(|t| t.year));
        let by_year = years
            .into_iter()
            .map(|y| {
                (
                    y,
                    ByYear {
                        offers_published: self.year_offers(y).count() as u64,
                        amount_awarded_centimes: self.year_awards(y).map(Award::committed).sum(),
                        consultations_conducted: self.year_consultations(y).count() as u64,
                        consultation_comments: self
                            .year_consultations(y)
                            .map(|(_, c)| c.comments)
                            .sum(),
                        training_sessions: self.year_trainings(y).count() as u64,
                    },
                )
            })
            .collect();
        Breakdowns {
            by_institution,
            by_region,
            by_consultation,
            by_year,
        }
    }

    fn year_offers(&self, year: i32) -> impl Iterator<Item = (&String, &Offer)> {
        self.offers
            .iter()
            .filter(move |(_, o)| o.fiscal_year == year)
    }

    fn year_awards(&self, year: i32) -> impl Iterator<Item = &Award> {
        self.awards.values().filter(move |a| {
            self.offers
                .get(&a.offer)
                .is_some_and(|o| o.fiscal_year == year)
        })
    }

    fn year_consultations(&self, year: i32) -> impl Iterator<Item = (&String, &Consultation)> {
        self.consultations
            .iter()
            .filter(move |(_, c)| c.year == year)
    }

    fn year_trainings(&self, year: i32) -> impl Iterator<Item = &Training> {
        self.trainings.iter().filter(move |t| t.year == year)
    }
}
