//! The `association/<id>` aggregate: the public identity of a civil-society association,
//! as a registrar records it. Its region, domains and registration date decide which
//! offers it is eligible for.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use super::catalog::{check_lists, check_region, LEGAL_FORMS};
use super::text::{require, MAX_TITLE_CHARS};
use crate::calendar::{local_date, parse_date};
use crate::issued::Issued;
use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services, TimeWindow};

/// Body of `RegisterAssociation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterAssociation {
    pub name: String,
    pub legal_form: String,
    pub region: String,
    pub domains: Vec<String>,
    /// The date of its legal registration (its "récépissé"), `YYYY-MM-DD`.
    pub registered_on: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AssociationCommand {
    Register(RegisterAssociation),
}

/// The event's data is the command's body.
pub type AssociationRegistered = RegisterAssociation;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AssociationEvent {
    AssociationRegistered(AssociationRegistered),
}

impl DomainEvent for AssociationEvent {
    fn event_type(&self) -> String {
        event::ASSOCIATION_REGISTERED.into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for AssociationEvent {
    const STREAM_TYPE: &'static str = stream::ASSOCIATION;
    const TYPES: &'static [&'static str] = &[event::ASSOCIATION_REGISTERED];
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Association {
    registered: bool,
}

impl Aggregate for Association {
    const TYPE: &'static str = "association";
    type Command = Issued<AssociationCommand>;
    type Event = AssociationEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        issued: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let AssociationCommand::Register(body) = issued.command;
        if self.registered {
            return Err(DomainError::state(
                "association_exists",
                "an association is already registered under this id",
            ));
        }
        require("invalid_name", "name", &body.name, MAX_TITLE_CHARS)?;
        if !LEGAL_FORMS.contains(&body.legal_form.as_str()) {
            return Err(DomainError::rule(
                "invalid_legal_form",
                format!("legal form must be one of {}", LEGAL_FORMS.join(", ")),
            ));
        }
        check_region(&body.region)?;
        if body.domains.is_empty() {
            return Err(DomainError::rule(
                "invalid_domain",
                "an association works in at least one domain",
            ));
        }
        check_lists(&[], &body.domains)?;
        let Some(registered_on) = parse_date(&body.registered_on) else {
            return Err(DomainError::invalid(
                "invalid_date",
                "registered_on must be a date written YYYY-MM-DD",
            ));
        };
        let now = services.clock.now();
        if registered_on > local_date(now) {
            return Err(DomainError::rule(
                "registered_in_future",
                "registered_on is after today",
            ));
        }
        // Bound to the day it was judged on: from the registration date on.
        services.clock.hold_within(TimeWindow {
            not_before: Some(crate::calendar::start_of_day(registered_on)),
            before: None,
        });
        sink.write(AssociationEvent::AssociationRegistered(body), self)
            .await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AssociationEvent::AssociationRegistered(_) => self.registered = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::support::fixtures::{registrar, services};

    pub(crate) fn body(id_region: &str) -> RegisterAssociation {
        RegisterAssociation {
            name: "Association Amal".into(),
            legal_form: "association".into(),
            region: id_region.into(),
            domains: vec!["youth".into(), "education".into()],
            registered_on: "2019-05-02".into(),
        }
    }

    fn register(body: RegisterAssociation) -> Issued<AssociationCommand> {
        Issued::by(registrar(), "ASSO-1", AssociationCommand::Register(body))
    }

    #[test]
    fn a_registrar_registers_an_association() {
        TestFramework::<Association>::with(services())
            .given_no_previous_events()
            .when(register(body("MA-04")))
            .then_expect_events(vec![AssociationEvent::AssociationRegistered(body("MA-04"))]);
    }

    #[test]
    fn an_association_is_registered_once() {
        let err = TestFramework::<Association>::with(services())
            .given(vec![AssociationEvent::AssociationRegistered(body("MA-04"))])
            .when(register(body("MA-04")))
            .inspect_result()
            .unwrap_err();
        assert_eq!(err.code, "association_exists");
    }

    #[test]
    fn unknown_regions_domains_forms_and_future_dates_are_refused() {
        let cases: Vec<(RegisterAssociation, &str)> = vec![
            (body("MA-13"), "invalid_region"),
            (
                RegisterAssociation {
                    domains: vec!["astrology".into()],
                    ..body("MA-01")
                },
                "invalid_domain",
            ),
            (
                RegisterAssociation {
                    domains: vec![],
                    ..body("MA-01")
                },
                "invalid_domain",
            ),
            (
                RegisterAssociation {
                    legal_form: "company".into(),
                    ..body("MA-01")
                },
                "invalid_legal_form",
            ),
            (
                RegisterAssociation {
                    registered_on: "2031-01-01".into(),
                    ..body("MA-01")
                },
                "registered_in_future",
            ),
            (
                RegisterAssociation {
                    registered_on: "02/05/2019".into(),
                    ..body("MA-01")
                },
                "invalid_date",
            ),
        ];
        for (body, code) in cases {
            let err = TestFramework::<Association>::with(services())
                .given_no_previous_events()
                .when(register(body))
                .inspect_result()
                .unwrap_err();
            assert_eq!(err.code, code);
        }
    }
}
