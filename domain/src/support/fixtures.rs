//! Test fixtures of the support lifecycle: a world of facts built from events, a clock set
//! to a chosen instant, and the actors who issue commands.

use std::sync::Arc;

use ledger::roles::Role;
use ledger::Timestamp;

use super::*;
use crate::authorization::ActorInfo;
use crate::world::World;
use crate::{Clock, LedgerEvent, RegistryFacts, Services};

pub(crate) struct Facts {
    pub world: World,
}

impl RegistryFacts for Facts {
    fn institution_exists(&self, id: &str) -> bool {
        id == "MIN" || id == "OTHER"
    }
    fn association_exists(&self, id: &str) -> bool {
        self.world.association(id).is_some()
    }
    fn key_registered(&self, _: &str) -> bool {
        false
    }
    fn read_world(&self, read: &mut dyn FnMut(&World)) {
        read(&self.world);
    }
}

struct At(Timestamp);

impl Clock for At {
    fn now(&self) -> Timestamp {
        self.0
    }
}

pub(crate) fn at(s: &str) -> Timestamp {
    Timestamp::parse_statement(s).expect("test instant")
}

/// Services with the given world, at the given instant.
pub(crate) fn services_at(now: &str, world: World) -> Services {
    Services {
        clock: Arc::new(At(at(now))),
        registry: Arc::new(Facts { world }),
    }
}

/// Services with an empty world, on 1 January 2026.
pub(crate) fn services() -> Services {
    services_at("2026-01-01T00:00:00Z", World::default())
}

fn official(id: &str, role: Role, institution: &str) -> ActorInfo {
    ActorInfo {
        actor_id: id.into(),
        roles: vec![role],
        institution: Some(institution.into()),
        association: None,
    }
}

pub(crate) fn registrar() -> ActorInfo {
    official("registrar-1", Role::Registrar, "MIN")
}

pub(crate) fn publisher(institution: &str) -> ActorInfo {
    official("publisher-1", Role::Publisher, institution)
}

pub(crate) fn evaluator(id: &str, institution: &str) -> ActorInfo {
    official(id, Role::Evaluator, institution)
}

pub(crate) fn association_key(association: &str) -> ActorInfo {
    ActorInfo {
        actor_id: format!("key-{association}"),
        roles: vec![Role::Association],
        institution: None,
        association: Some(association.into()),
    }
}

/// Records an event of `stream` in the world.
pub(crate) fn record(world: &mut World, stream: &str, event: impl LedgerEvent) {
    world.apply(
        stream,
        &event.event_type(),
        &event.event_version(),
        &event.to_data(),
    );
}

/// Applies an entry given by its type and `data`, for facts of streams whose events a
/// test does not build.
pub(crate) fn record_raw(
    world: &mut World,
    stream: &str,
    event_type: &str,
    data: &serde_json::Value,
) {
    world.apply(stream, event_type, "1", data);
}

pub(crate) fn association(region: &str, domains: &[&str], registered_on: &str) -> AssociationEvent {
    AssociationEvent::AssociationRegistered(RegisterAssociation {
        name: format!("Association of {region}"),
        legal_form: "association".into(),
        region: region.into(),
        domains: domains.iter().map(|d| d.to_string()).collect(),
        registered_on: registered_on.into(),
    })
}

/// The offer OFF-1 of MIN: applications from 1 February to 15 March 2026, budget
/// 1,000,000 centimes, at most 400,000 per award, for youth or health associations of
/// Rabat-Salé-Kénitra or Casablanca-Settat at least two years old.
pub(crate) fn publish_body() -> PublishOffer {
    PublishOffer {
        institution: "MIN".into(),
        fiscal_year: 2026,
        title: "Soutien aux projets de jeunesse".into(),
        description: "Appel à projets 2026".into(),
        budget_centimes: 1_000_000,
        max_award_centimes: 400_000,
        eligibility: Eligibility {
            regions: vec!["MA-04".into(), "MA-06".into()],
            domains: vec!["youth".into(), "health".into()],
            min_age_years: 2,
        },
        criteria: vec![
            Criterion {
                id: "relevance".into(),
                title: "Pertinence".into(),
                weight: 60,
            },
            Criterion {
                id: "capacity".into(),
                title: "Capacité".into(),
                weight: 40,
            },
        ],
        opens_at: "2026-02-01T00:00:00Z".into(),
        closes_at: "2026-03-15T00:00:00Z".into(),
        late_justification: None,
    }
}

pub(crate) fn published() -> OfferEvent {
    let b = publish_body();
    OfferEvent::OfferPublished(OfferPublished {
        institution: b.institution,
        fiscal_year: b.fiscal_year,
        title: b.title,
        description: b.description,
        budget_centimes: b.budget_centimes,
        max_award_centimes: b.max_award_centimes,
        eligibility: b.eligibility,
        criteria: b.criteria,
        opens_at: b.opens_at,
        closes_at: b.closes_at,
        late_justification: None,
        published_late: false,
        q1_deadline: "2026-03-31T23:00:00.000Z".into(),
    })
}

pub(crate) fn application_body(association: &str, requested: u64) -> SubmitApplication {
    SubmitApplication {
        offer: "OFF-1".into(),
        association: association.into(),
        title: "Clubs de lecture".into(),
        summary: "Des clubs de lecture dans dix quartiers".into(),
        requested_centimes: requested,
        documents: vec![],
    }
}

/// A world with associations ASSO-1 (Rabat, youth, 2019), ASSO-2 (Casablanca, health,
/// 2020), YOUNG (Rabat, youth, registered 2025) and FAR (Souss-Massa, youth, 2015), and
/// the offer OFF-1.
pub(crate) fn world() -> World {
    let mut w = World::default();
    record(
        &mut w,
        "association/ASSO-1",
        association("MA-04", &["youth"], "2019-05-02"),
    );
    record(
        &mut w,
        "association/ASSO-2",
        association("MA-06", &["health"], "2020-01-10"),
    );
    record(
        &mut w,
        "association/YOUNG",
        association("MA-04", &["youth"], "2025-06-01"),
    );
    record(
        &mut w,
        "association/FAR",
        association("MA-09", &["youth"], "2015-01-01"),
    );
    record(
        &mut w,
        "association/ARTS",
        association("MA-04", &["culture"], "2015-01-01"),
    );
    record(&mut w, "offer/OFF-1", published());
    w
}

/// Applications APP-1 (ASSO-1, 300,000) and APP-2 (ASSO-2, 400,000) to OFF-1, scored by
/// `eval-1` at `score1` and `score2` (hundredths), and OFF-1 closed.
pub(crate) fn evaluated_world(score1: u32, score2: u32) -> World {
    let mut w = world();
    for (id, association, requested, score) in [
        ("APP-1", "ASSO-1", 300_000, score1),
        ("APP-2", "ASSO-2", 400_000, score2),
    ] {
        let stream = format!("application/{id}");
        record(
            &mut w,
            &stream,
            ApplicationEvent::ApplicationSubmitted(application_body(association, requested)),
        );
        record(
            &mut w,
            &stream,
            ApplicationEvent::ApplicationScored(ApplicationScored {
                scores: [("relevance".into(), 0), ("capacity".into(), 0)].into(),
                comment: None,
                offer: "OFF-1".into(),
                evaluator: "eval-1".into(),
                total_hundredths: score,
            }),
        );
    }
    record(
        &mut w,
        "offer/OFF-1",
        OfferEvent::OfferClosed(OfferClosed { applications: 2 }),
    );
    w
}

pub(crate) fn granted(
    application: &str,
    association: &str,
    amount: u64,
    committed: u64,
) -> AwardEvent {
    AwardEvent::AwardGranted(AwardGranted {
        application: application.into(),
        amount_centimes: amount,
        justification: None,
        offer: "OFF-1".into(),
        institution: "MIN".into(),
        association: association.into(),
        requested_centimes: amount,
        score_hundredths: 7000,
        out_of_order: false,
        offer_committed_centimes: committed,
    })
}
