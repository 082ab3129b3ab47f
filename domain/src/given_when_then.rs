//! Helpers of the aggregates' given/when/then tests beyond cqrs-es's `TestFramework`: the
//! refusal a command meets, and the events of a command whose exact payload a test does
//! not spell out (it then checks only the fields it cares about).

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};

use crate::{DomainError, LedgerEvent, Services};

/// Given `given`, when `command`: the refusal.
pub(crate) fn refused<A: Aggregate<Error = DomainError, Services = Services>>(
    services: Services,
    given: Vec<A::Event>,
    command: A::Command,
) -> DomainError {
    TestFramework::<A>::with(services)
        .given(given)
        .when(command)
        .inspect_result()
        .expect_err("the command should be refused")
}

/// Given `given`, when `command`: the events it produces. Each event's type is checked
/// to be the name its variant serializes as, so `event_type` cannot drift from the enum.
pub(crate) fn accepted<A>(
    services: Services,
    given: Vec<A::Event>,
    command: A::Command,
) -> Vec<A::Event>
where
    A: Aggregate<Error = DomainError, Services = Services>,
    A::Event: LedgerEvent,
{
    let mut aggregate = A::default();
    for e in given {
        aggregate.apply(e);
    }
    let sink = cqrs_es::event_sink::EventSink::default();
    run(aggregate.handle(command, &services, &sink)).expect("the command should be accepted");
    let events = run(sink.collect());
    for event in &events {
        let tagged = serde_json::to_value(event).expect("an event serializes");
        let serialized = tagged.get("type").and_then(|t| t.as_str());
        assert_eq!(Some(event.event_type().as_str()), serialized);
        assert!(A::Event::TYPES.contains(&event.event_type().as_str()));
    }
    events
}

/// Runs a future that never waits (aggregates do no I/O) to completion.
pub(crate) fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}
