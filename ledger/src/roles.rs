//! The role table of `api.md`.

/// A role.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// admin
    Admin,
    /// registrar
    Registrar,
    /// publisher
    Publisher,
    /// evaluator
    Evaluator,
    /// moderator
    Moderator,
    /// drafter
    Drafter,
    /// trainer
    Trainer,
    /// association
    Association,
}

impl Role {
    /// All roles.
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
    /// Parses.
    pub fn parse(s: &str) -> Option<Role> {
        todo!()
    }
    /// Name.
    pub fn as_str(self) -> &'static str {
        todo!()
    }
}

/// Command names.
pub const COMMANDS: [&str; 25] = [
    "RegisterInstitution",
    "RegisterActor",
    "RevokeActor",
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

/// May this role issue this command.
pub fn may_issue(role: Role, command: &str) -> bool {
    todo!()
}

/// May any of these roles issue this command.
pub fn any_may_issue(roles: &[Role], command: &str) -> bool {
    todo!()
}
