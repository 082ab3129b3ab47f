//! The read sets of the support lifecycle's decisions, as the aggregates' own `handle`
//! calls note them through [`Recording`]: what the append path checks under its lock.

use std::sync::Arc;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;

use super::fixtures::*;
use super::*;
use crate::given_when_then::run;
use crate::guards::touches;
use crate::world::World;
use crate::{DomainError, Issued, LedgerEvent, Recording, Services};

const IN_WINDOW: &str = "2026-02-10T10:00:00Z";
const AFTER_CLOSE: &str = "2026-03-20T10:00:00Z";

/// Decides `command` on an aggregate built from `given`, at `now` over `world`: the
/// guard keys it noted and the events it produced.
fn decide<A: Aggregate<Services = Services, Error = DomainError>>(
    now: &str,
    world: World,
    given: Vec<A::Event>,
    command: A::Command,
) -> (Vec<String>, Vec<A::Event>) {
    let facts = services_at(now, world);
    let recording = Arc::new(Recording::new(facts.registry));
    let services = Services {
        clock: facts.clock,
        registry: recording.clone(),
    };
    let mut aggregate = A::default();
    for e in given {
        aggregate.apply(e);
    }
    let sink = EventSink::default();
    run(aggregate.handle(command, &services, &sink)).expect("the command should be accepted");
    (recording.reads(), run(sink.collect()))
}

fn grant(id: &str, application: &str, amount: u64) -> Issued<AwardCommand> {
    Issued::by(
        publisher("MIN"),
        id,
        AwardCommand::Grant(GrantAward {
            application: application.into(),
            amount_centimes: amount,
            justification: Some("Projet prioritaire".into()),
        }),
    )
}

/// Whether an entry of `events` changes a key of `reads`.
fn collide<E: LedgerEvent>(reads: &[String], events: &[E]) -> bool {
    events
        .iter()
        .flat_map(|e| touches(&e.event_type(), &e.to_data()))
        .any(|key| reads.contains(&key))
}

#[test]
fn an_award_reads_its_offers_terms_awards_applications_and_scores() {
    let (reads, _) = decide::<Award>(
        AFTER_CLOSE,
        evaluated_world(8000, 7000),
        vec![],
        grant("AW-1", "APP-1", 300_000),
    );
    assert_eq!(
        reads,
        [
            "application/APP-1",
            "applications/OFF-1",
            "awards/OFF-1",
            "offer/OFF-1",
            "scores/OFF-1",
        ]
    );
}

#[test]
fn two_awards_on_one_offer_collide_and_each_reads_what_the_other_changes() {
    let world = evaluated_world(8000, 7000);
    let (first, granted) = decide::<Award>(
        AFTER_CLOSE,
        world.clone(),
        vec![],
        grant("AW-1", "APP-1", 300_000),
    );
    let (second, granted_too) =
        decide::<Award>(AFTER_CLOSE, world, vec![], grant("AW-2", "APP-2", 400_000));
    assert!(collide(&first, &granted_too) && collide(&second, &granted));
}

#[test]
fn amending_closing_or_revoking_reads_what_awards_and_applications_change() {
    let amend = Issued::by(
        publisher("MIN"),
        "OFF-1",
        OfferCommand::Amend(AmendOffer {
            reason: "Budget complémentaire".into(),
            budget_centimes: Some(2_000_000),
            ..AmendOffer::default()
        }),
    );
    let (reads, _) = decide::<Offer>(IN_WINDOW, world(), vec![published()], amend);
    assert_eq!(reads, ["awards/OFF-1"]);

    let close = Issued::by(
        publisher("MIN"),
        "OFF-1",
        OfferCommand::Close(CloseOffer {}),
    );
    let (reads, _) = decide::<Offer>(AFTER_CLOSE, world(), vec![published()], close);
    assert_eq!(reads, ["applications/OFF-1"]);

    let revoke = Issued::by(
        publisher("MIN"),
        "AW-1",
        AwardCommand::Revoke(RevokeAward {
            reason: "Projet non réalisé".into(),
            recover_centimes: 0,
        }),
    );
    let given = vec![granted("APP-1", "ASSO-1", 300_000, 300_000)];
    let (reads, _) = decide::<Award>(AFTER_CLOSE, evaluated_world(8000, 7000), given, revoke);
    assert_eq!(reads, ["awards/OFF-1"]);
}

#[test]
fn an_application_reads_its_offer_association_and_applicant_only() {
    let submit = |id: &str, association: &str| {
        Issued::by(
            association_key(association),
            id,
            ApplicationCommand::Submit(application_body(association, 300_000)),
        )
    };
    let (reads, _) = decide::<Application>(IN_WINDOW, world(), vec![], submit("A1", "ASSO-1"));
    assert_eq!(
        reads,
        [
            "applicant/OFF-1/ASSO-1",
            "association/ASSO-1",
            "offer/OFF-1"
        ]
    );
    // A second application of the same association collides; another association's does not.
    let (_, same) = decide::<Application>(IN_WINDOW, world(), vec![], submit("A2", "ASSO-1"));
    let (_, other) = decide::<Application>(IN_WINDOW, world(), vec![], submit("A3", "ASSO-2"));
    assert!(collide(&reads, &same));
    assert!(!collide(&reads, &other));
}
