//! The `training/<id>` aggregate: one training session of the capacity-building framework.
//!
//! Rules: the module is one of the framework's; the trainer institution and every
//! attending association are registered; the session has taken place (its date is not
//! after the day it is recorded); 1 to 500 distinct associations; 1 to 200 hours.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::framework::{module_title, MODULES};
use crate::authorization::Scope;
use crate::calendar::{local_date, parse_date, start_of_day};
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::support::catalog::check_region;
use crate::{DomainError, LedgerEvent, Services, TimeWindow};

pub const MAX_ATTENDING: usize = 500;
pub const MAX_HOURS: u32 = 200;

/// Body of `RecordTrainingSession`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordTrainingSession {
    /// The institution recording the session (the trainer's own).
    pub institution: String,
    /// A module code of the reference framework (`MODULES`).
    pub module: String,
    /// The day it took place, `YYYY-MM-DD`.
    pub date: String,
    pub region: String,
    /// The institution that gave the training (often the recording one).
    pub trainer_institution: String,
    pub associations: Vec<String>,
    pub hours: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TrainingCommand {
    Record(RecordTrainingSession),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSessionRecorded {
    pub institution: String,
    pub module: String,
    pub date: String,
    pub region: String,
    pub trainer_institution: String,
    pub associations: Vec<String>,
    pub hours: u32,
    /// The module's title in the framework, for readers of the log alone.
    pub module_title: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum TrainingEvent {
    TrainingSessionRecorded(TrainingSessionRecorded),
}

impl DomainEvent for TrainingEvent {
    fn event_type(&self) -> String {
        event::TRAINING_SESSION_RECORDED.into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for TrainingEvent {
    const STREAM_TYPE: &'static str = stream::TRAINING;
    const TYPES: &'static [&'static str] = &[event::TRAINING_SESSION_RECORDED];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSession {
    recorded: bool,
}

impl Aggregate for TrainingSession {
    const TYPE: &'static str = "training";
    type Command = Issued<TrainingCommand>;
    type Event = TrainingEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let TrainingCommand::Record(body) = &issued.command;
        issued.authorize(
            "RecordTrainingSession",
            &Scope::Institution(body.institution.clone()),
        )?;
        if self.recorded {
            return Err(DomainError::state(
                "training_exists",
                "a training session is already recorded under this id",
            ));
        }
        let registry = &services.registry;
        for institution in [&body.institution, &body.trainer_institution] {
            if !registry.institution_exists(institution) {
                return Err(DomainError::rule(
                    "unknown_institution",
                    format!("no institution {institution:?} is registered"),
                ));
            }
        }
        let title = module_title(&body.module).ok_or_else(|| {
            let codes: Vec<&str> = MODULES.iter().map(|m| m.0).collect();
            DomainError::rule(
                "unknown_module",
                format!("the framework's modules are {}", codes.join(", ")),
            )
        })?;
        check_region(&body.region)?;
        if body.associations.is_empty() || body.associations.len() > MAX_ATTENDING {
            return Err(DomainError::rule(
                "invalid_attendance",
                format!("a session has 1 to {MAX_ATTENDING} attending associations"),
            ));
        }
        for (i, a) in body.associations.iter().enumerate() {
            if body.associations[..i].contains(a) {
                return Err(DomainError::rule(
                    "invalid_attendance",
                    format!("association {a} is listed twice"),
                ));
            }
            if !registry.association_exists(a) {
                return Err(DomainError::rule(
                    "unknown_association",
                    format!("no association {a:?} is registered"),
                ));
            }
        }
        if body.hours == 0 || body.hours > MAX_HOURS {
            return Err(DomainError::rule(
                "invalid_hours",
                format!("a session lasts 1 to {MAX_HOURS} hours"),
            ));
        }
        let date = parse_date(&body.date).ok_or_else(|| {
            DomainError::invalid("invalid_date", "date must be written YYYY-MM-DD")
        })?;
        if date > local_date(services.clock.now()) {
            return Err(DomainError::rule(
                "session_in_future",
                "a session is recorded once it has taken place",
            ));
        }
        services.clock.hold_within(TimeWindow {
            not_before: Some(start_of_day(date)),
            before: None,
        });
        let event = TrainingEvent::TrainingSessionRecorded(TrainingSessionRecorded {
            institution: body.institution.clone(),
            module: body.module.clone(),
            date: body.date.clone(),
            region: body.region.clone(),
            trainer_institution: body.trainer_institution.clone(),
            associations: body.associations.clone(),
            hours: body.hours,
            module_title: title.to_owned(),
        });
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            TrainingEvent::TrainingSessionRecorded(_) => self.recorded = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;
    use ledger::roles::Role;

    use super::*;
    use crate::authorization::ActorInfo;
    use crate::support::fixtures::{association, record, services_at};
    use crate::world::World;
    use crate::ErrorKind;

    fn trainer(institution: &str) -> ActorInfo {
        ActorInfo {
            actor_id: "trainer-1".into(),
            roles: vec![Role::Trainer],
            institution: Some(institution.into()),
            association: None,
        }
    }

    fn body() -> RecordTrainingSession {
        RecordTrainingSession {
            institution: "MIN".into(),
            module: "FIN".into(),
            date: "2026-02-10".into(),
            region: "MA-04".into(),
            trainer_institution: "MIN".into(),
            associations: vec!["ASSO-1".into(), "ASSO-2".into()],
            hours: 12,
        }
    }

    fn services() -> Services {
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
        services_at("2026-02-11T09:00:00Z", w)
    }

    fn refused(by: ActorInfo, body: RecordTrainingSession) -> DomainError {
        TestFramework::<TrainingSession>::with(services())
            .given_no_previous_events()
            .when(Issued::by(by, "T1", TrainingCommand::Record(body)))
            .inspect_result()
            .unwrap_err()
    }

    #[test]
    fn a_trainer_records_a_session_that_took_place() {
        let b = body();
        TestFramework::<TrainingSession>::with(services())
            .given_no_previous_events()
            .when(Issued::by(
                trainer("MIN"),
                "T1",
                TrainingCommand::Record(b.clone()),
            ))
            .then_expect_events(vec![TrainingEvent::TrainingSessionRecorded(
                TrainingSessionRecorded {
                    institution: b.institution,
                    module: b.module,
                    date: b.date,
                    region: b.region,
                    trainer_institution: b.trainer_institution,
                    associations: b.associations,
                    hours: b.hours,
                    module_title: "Gestion financière et comptable".into(),
                },
            )]);
    }

    #[test]
    fn sessions_are_checked_against_the_framework_and_the_registry() {
        type Change = fn(&mut RecordTrainingSession);
        let cases: Vec<(Change, &str)> = vec![
            (|b| b.module = "YOGA".into(), "unknown_module"),
            (|b| b.associations = vec![], "invalid_attendance"),
            (
                |b| b.associations = vec!["ASSO-1".into(), "ASSO-1".into()],
                "invalid_attendance",
            ),
            (
                |b| b.associations = vec!["GHOST".into()],
                "unknown_association",
            ),
            (|b| b.hours = 0, "invalid_hours"),
            (|b| b.date = "2026-02-12".into(), "session_in_future"),
            (|b| b.region = "MA-00".into(), "invalid_region"),
            (
                |b| b.trainer_institution = "NOBODY".into(),
                "unknown_institution",
            ),
        ];
        for (change, code) in cases {
            let mut b = body();
            change(&mut b);
            assert_eq!(refused(trainer("MIN"), b).code, code);
        }
        assert_eq!(refused(trainer("OTHER"), body()).kind, ErrorKind::Forbidden);
    }
}
