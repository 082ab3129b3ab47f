//! Who may issue a command: the role table of `docs/spec/ledger-format.md` (section 10) plus
//! the rule that officials act for their own institution (and associations for themselves)
//! only.

use ledger::roles::{self, Role};

use crate::DomainError;

/// What the registry knows about the actor who signed a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorInfo {
    /// The id of the actor's `registry/<id>` stream.
    pub actor_id: String,
    pub roles: Vec<Role>,
    pub institution: Option<String>,
    pub association: Option<String>,
}

/// Whose business a command is, as far as authorization is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The registry itself: only `admin` acts here, for everybody.
    Registry,
    /// Something an institution owns (its offers, drafts, consultations, trainings).
    Institution(String),
    /// Something an association owns (its applications, reports, comments).
    Association(String),
    /// A record that does not exist (yet): only the role is checked here; the aggregate
    /// refuses the command, or checks ownership on the state it finds.
    Unresolved,
}

/// # Errors
/// `role_not_allowed` when no role of the actor may issue the command (403);
/// `other_institution` when the command concerns another institution or association (403).
pub fn authorize(actor: &ActorInfo, command: &str, scope: &Scope) -> Result<(), DomainError> {
    if !roles::any_may_issue(&actor.roles, command) {
        return Err(DomainError::forbidden(
            "role_not_allowed",
            format!("no role of actor {} may issue {command}", actor.actor_id),
        ));
    }
    let own = match scope {
        Scope::Registry | Scope::Unresolved => true,
        Scope::Institution(id) => {
            actor.roles.contains(&Role::Admin) || actor.institution.as_deref() == Some(id)
        }
        Scope::Association(id) => {
            // A registrar acts on an association's behalf; the association acts for itself.
            actor.roles.contains(&Role::Registrar) && actor.association.is_none()
                || actor.association.as_deref() == Some(id)
        }
    };
    if own {
        Ok(())
    } else {
        Err(DomainError::forbidden(
            "other_institution",
            format!(
                "actor {} may not act for another institution or association",
                actor.actor_id
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role], institution: Option<&str>, association: Option<&str>) -> ActorInfo {
        ActorInfo {
            actor_id: "a1".into(),
            roles: roles.to_vec(),
            institution: institution.map(Into::into),
            association: association.map(Into::into),
        }
    }

    #[test]
    fn only_admin_registers() {
        let admin = actor(&[Role::Admin], None, None);
        let publisher = actor(&[Role::Publisher], Some("MIN"), None);
        assert!(authorize(&admin, "RegisterActor", &Scope::Registry).is_ok());
        let refused = authorize(&publisher, "RegisterActor", &Scope::Registry).unwrap_err();
        assert_eq!(refused.code, "role_not_allowed");
    }

    #[test]
    fn officials_act_for_their_own_institution_only() {
        let publisher = actor(&[Role::Publisher], Some("MIN"), None);
        assert!(authorize(
            &publisher,
            "PublishOffer",
            &Scope::Institution("MIN".into())
        )
        .is_ok());
        let refused = authorize(
            &publisher,
            "PublishOffer",
            &Scope::Institution("OTHER".into()),
        )
        .unwrap_err();
        assert_eq!(refused.code, "other_institution");
    }

    #[test]
    fn associations_act_for_themselves_and_registrars_on_their_behalf() {
        let assoc = actor(&[Role::Association], None, Some("ASSO-1"));
        let registrar = actor(&[Role::Registrar], Some("MIN"), None);
        let own = Scope::Association("ASSO-1".into());
        let other = Scope::Association("ASSO-2".into());
        assert!(authorize(&assoc, "SubmitApplication", &own).is_ok());
        assert_eq!(
            authorize(&assoc, "SubmitApplication", &other)
                .unwrap_err()
                .code,
            "other_institution"
        );
        assert!(authorize(&registrar, "SubmitApplication", &other).is_ok());
    }
}
