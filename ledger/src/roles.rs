//! The roles of the role table (`docs/spec/ledger-format.md`, section 10) and which commands
//! each may issue.
//!
//! An auditor's verifier checks this table at every entry carrying `auth`, so it lives in
//! the verifiable core rather than in the server. Scope rules ("for its own institution
//! only") depend on domain state and are checked elsewhere; this table answers only
//! "may a holder of this role ever issue this command".

/// A role an actor can hold, as written in `RegisterActor` bodies.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// `admin`: manages the registry (institutions, actors, revocations), rotates the
    /// log key and declares documents unavailable.
    Admin,
    /// `registrar`: registers associations and applies on their behalf.
    Registrar,
    /// `publisher`: publishes offers, grants awards, records disbursements.
    Publisher,
    /// `evaluator`: scores applications and declares conflicts of interest.
    Evaluator,
    /// `moderator`: moderates comments and erases personal data.
    Moderator,
    /// `drafter`: writes law drafts and runs consultations.
    Drafter,
    /// `trainer`: records training sessions.
    Trainer,
    /// `association`: an association's own key.
    Association,
}

impl Role {
    /// Every role, in the order of the role table (`docs/spec/ledger-format.md`, section 10).
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Registrar,
        Role::Publisher,
        Role::Evaluator,
        Role::Moderator,
        Role::Drafter,
        Role::Trainer,
        Role::Association,
    ];

    /// Reads a role name (`"admin"`, `"publisher"`...); `None` for anything else,
    /// including other capitalizations.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrar => "registrar",
            Role::Publisher => "publisher",
            Role::Evaluator => "evaluator",
            Role::Moderator => "moderator",
            Role::Drafter => "drafter",
            Role::Trainer => "trainer",
            Role::Association => "association",
        }
    }

    /// The commands this role may issue (its row of the role table,
    /// `docs/spec/ledger-format.md` section 10).
    pub fn commands(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &[
                "RegisterInstitution",
                "RegisterActor",
                "RevokeActor",
                "RotateLogKey",
                "DeclareDocumentUnavailable",
            ],
            // `RegisterAssociation`; `SubmitApplication` on an association's behalf.
            Role::Registrar => &["RegisterAssociation", "SubmitApplication"],
            Role::Publisher => &[
                "PublishOffer",
                "AmendOffer",
                "CloseOffer",
                "GrantAward",
                "RecordDisbursement",
                "RevokeAward",
            ],
            Role::Evaluator => &["DeclareConflictOfInterest", "ScoreApplication"],
            Role::Drafter => &[
                "CreateDraft",
                "PublishRevision",
                "SubmitDraft",
                "OpenConsultation",
                "CloseConsultation",
                "RespondToComments",
                "PublishResults",
            ],
            Role::Moderator => &["ModerateComment", "ErasePersonalData"],
            Role::Trainer => &["RecordTrainingSession"],
            Role::Association => &["SubmitApplication", "SubmitComment", "SubmitReport"],
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every command name a statement may carry (the role table of `docs/spec/ledger-format.md`,
/// section 10): the administrator's first, `RotateLogKey` (docs/key-rotation.md) and
/// `DeclareDocumentUnavailable` (docs/hardening.md) last among them, then the others.
pub const COMMANDS: [&str; 27] = [
    "RegisterInstitution",
    "RegisterActor",
    "RevokeActor",
    "RotateLogKey",
    "DeclareDocumentUnavailable",
    "RegisterAssociation",
    "PublishOffer",
    "AmendOffer",
    "CloseOffer",
    "SubmitApplication",
    "DeclareConflictOfInterest",
    "ScoreApplication",
    "GrantAward",
    "RecordDisbursement",
    "SubmitReport",
    "RevokeAward",
    "OpenConsultation",
    "SubmitComment",
    "ModerateComment",
    "ErasePersonalData",
    "CloseConsultation",
    "RespondToComments",
    "PublishResults",
    "CreateDraft",
    "PublishRevision",
    "SubmitDraft",
    "RecordTrainingSession",
];

/// Whether `role` may issue `command` according to the role table. Unknown commands: `false`.
pub fn may_issue(role: Role, command: &str) -> bool {
    role.commands().contains(&command)
}

/// Whether any of `roles` may issue `command`.
pub fn any_may_issue(roles: &[Role], command: &str) -> bool {
    roles.iter().any(|&r| may_issue(r, command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn every_command_has_a_role_and_every_row_names_known_commands() {
        for command in COMMANDS {
            assert!(
                Role::ALL.iter().any(|&r| may_issue(r, command)),
                "{command}"
            );
        }
        for role in Role::ALL {
            for command in role.commands() {
                assert!(COMMANDS.contains(command), "{role}: {command}");
            }
        }
        let rows: usize = Role::ALL.iter().map(|r| r.commands().len()).sum();
        // SubmitApplication appears twice (registrar and association); all others once.
        assert_eq!(rows, COMMANDS.len() + 1);
    }

    #[test]
    fn table_spot_checks() {
        assert!(may_issue(Role::Admin, "RegisterActor"));
        assert!(may_issue(Role::Admin, "RotateLogKey"));
        assert!(!may_issue(Role::Publisher, "RotateLogKey"));
        assert!(may_issue(Role::Admin, "DeclareDocumentUnavailable"));
        assert!(!may_issue(Role::Moderator, "DeclareDocumentUnavailable"));
        assert!(!may_issue(Role::Admin, "PublishOffer"));
        assert!(may_issue(Role::Registrar, "SubmitApplication"));
        assert!(may_issue(Role::Association, "SubmitApplication"));
        assert!(!may_issue(Role::Publisher, "ScoreApplication"));
        assert!(may_issue(Role::Drafter, "OpenConsultation"));
        assert!(!may_issue(Role::Moderator, "Unknown"));
        assert!(any_may_issue(
            &[Role::Trainer, Role::Evaluator],
            "ScoreApplication"
        ));
        assert!(!any_may_issue(&[], "ScoreApplication"));
    }
}
