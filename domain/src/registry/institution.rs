//! The `institution/<id>` aggregate: a ministry, public institution or local authority
//! whose officials act through the ledger.

use cqrs_es::event_sink::EventSink;
use cqrs_es::{Aggregate, DomainEvent};
use serde::{Deserialize, Serialize};

use crate::names::{event, stream};
use crate::{DomainError, LedgerEvent, Services};

/// The kinds `docs/spec/ledger-format.md` (section 4) fixes for `RegisterInstitution`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstitutionKind {
    Ministry,
    PublicInstitution,
    LocalAuthority,
    Other,
}

/// Body of `RegisterInstitution`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterInstitution {
    pub name: String,
    pub kind: InstitutionKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InstitutionCommand {
    Register(RegisterInstitution),
}

/// The event's data is the command's body, as `docs/spec/ledger-format.md` requires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionRegistered {
    pub name: String,
    pub kind: InstitutionKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum InstitutionEvent {
    InstitutionRegistered(InstitutionRegistered),
}

impl DomainEvent for InstitutionEvent {
    fn event_type(&self) -> String {
        match self {
            Self::InstitutionRegistered(_) => event::INSTITUTION_REGISTERED.into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

impl LedgerEvent for InstitutionEvent {
    const STREAM_TYPE: &'static str = stream::INSTITUTION;
    const TYPES: &'static [&'static str] = &[event::INSTITUTION_REGISTERED];
}

/// The longest name the registry accepts, in characters.
pub const MAX_NAME_CHARS: usize = 300;

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    registered: bool,
    name: String,
}

impl Aggregate for Institution {
    const TYPE: &'static str = "institution";
    type Command = InstitutionCommand;
    type Event = InstitutionEvent;
    type Error = DomainError;
    type Services = Services;

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            InstitutionCommand::Register(body) => self.register(body)?,
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            InstitutionEvent::InstitutionRegistered(e) => {
                self.registered = true;
                self.name = e.name;
            }
        }
    }
}

impl Institution {
    fn register(&self, body: RegisterInstitution) -> Result<InstitutionEvent, DomainError> {
        if self.registered {
            return Err(DomainError::state(
                "already_registered",
                format!("institution {:?} is already registered", self.name),
            ));
        }
        check_name(&body.name)?;
        Ok(InstitutionEvent::InstitutionRegistered(
            InstitutionRegistered {
                name: body.name,
                kind: body.kind,
            },
        ))
    }
}

/// A name people read on the portal: not blank, not absurdly long.
pub(crate) fn check_name(name: &str) -> Result<(), DomainError> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            "invalid_name",
            format!("name must be 1 to {MAX_NAME_CHARS} characters and not blank"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::registry::actor::tests::services;

    fn register(name: &str) -> InstitutionCommand {
        InstitutionCommand::Register(RegisterInstitution {
            name: name.into(),
            kind: InstitutionKind::Ministry,
        })
    }

    fn registered(name: &str) -> InstitutionEvent {
        InstitutionEvent::InstitutionRegistered(InstitutionRegistered {
            name: name.into(),
            kind: InstitutionKind::Ministry,
        })
    }

    #[test]
    fn a_new_institution_is_registered() {
        TestFramework::<Institution>::with(services())
            .given_no_previous_events()
            .when(register("Ministère des Relations avec le Parlement"))
            .then_expect_events(vec![registered(
                "Ministère des Relations avec le Parlement",
            )]);
    }

    #[test]
    fn an_institution_is_registered_once() {
        let err = TestFramework::<Institution>::with(services())
            .given(vec![registered("MRP")])
            .when(register("MRP again"))
            .inspect_result()
            .unwrap_err();
        assert_eq!(err.code, "already_registered");
    }

    #[test]
    fn a_blank_or_huge_name_is_refused() {
        for name in ["", "   ", &"x".repeat(MAX_NAME_CHARS + 1)] {
            let err = TestFramework::<Institution>::with(services())
                .given_no_previous_events()
                .when(register(name))
                .inspect_result()
                .unwrap_err();
            assert_eq!(err.code, "invalid_name");
        }
    }

    #[test]
    fn the_event_data_is_the_body_and_decodes_back() {
        let event = registered("MRP");
        let data = event.to_data();
        assert_eq!(data, serde_json::json!({"name": "MRP", "kind": "ministry"}));
        assert_eq!(
            InstitutionEvent::from_entry("InstitutionRegistered", "1", data.clone()).unwrap(),
            event
        );
        assert!(InstitutionEvent::from_entry("InstitutionRegistered", "2", data).is_err());
    }
}
