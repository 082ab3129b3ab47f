//! Who may do what: every command sent by an actor of every role, by the right
//! role of another institution (or another association), by a revoked actor and by an
//! unknown key, against a world where every targeted record exists and belongs to the
//! ministry and the association of the story. The answers are checked against the table
//! of docs/roles.md, which this test also renders and finds there, so the table and the
//! server cannot drift apart.
//!
//! An allowed cell means the authorization checks pass: the answer is not 401 or 403
//! (the command may still be refused by the domain, 409 or 422, since the world moves on
//! as allowed commands are accepted). A refused cell is exactly 403 (or 401 for a revoked
//! or unknown key) with its machine code (`role_not_allowed`, `other_institution`,
//! `actor_revoked`, `unknown_actor`) and leaves the log unchanged.

use ed25519_dalek::SigningKey;
use ledger::roles::{may_issue, Role, COMMANDS};
use serde_json::{json, Value};

use crate::lifecycle::{
    application_body, association_body, declare_and_score, offer_body, publish, scores, Cast,
    Ledger, AFTER_CLOSE, IN_WINDOW, MINISTRY, OTHER_MINISTRY, RABAT,
};
use crate::participation::{
    comment_body, draft_body, draft_with_revision, first_text, inline_revision, moderation,
    official, open, responses, results_body, upload, Participants,
};
use crate::support::{new_key, public_b64, Backend};

both_backends!(every_command_by_every_kind_of_actor_gets_the_documented_answer);

const ROLES_PAGE: &str = include_str!("../../../docs/roles.md");

/// A column of the table.
#[derive(Clone, Copy, Debug)]
enum Who {
    Role(Role),
    /// The right role, of another institution (or, for an association's own commands,
    /// another association acting in the story's association's name).
    Other,
    Revoked,
    Unknown,
}

const COLUMNS: [Who; 11] = [
    Who::Role(Role::Admin),
    Who::Role(Role::Registrar),
    Who::Role(Role::Publisher),
    Who::Role(Role::Evaluator),
    Who::Role(Role::Moderator),
    Who::Role(Role::Drafter),
    Who::Role(Role::Trainer),
    Who::Role(Role::Association),
    Who::Other,
    Who::Revoked,
    Who::Unknown,
];

/// Commands no institution or association owns: the administrator's, and registering an
/// association (any registrar may).
fn unowned(command: &str) -> bool {
    matches!(
        command,
        "RegisterInstitution"
            | "RegisterActor"
            | "RevokeActor"
            | "RotateLogKey"
            | "DeclareDocumentUnavailable"
            | "RegisterAssociation"
    )
}

/// The answer the table of docs/roles.md gives: `Some(true)` allowed, `Some(false)` refused with
/// [`refusal_status`], `None` when the column does not apply.
fn allowed(command: &str, who: Who) -> Option<bool> {
    match who {
        Who::Role(role) => Some(may_issue(role, command)),
        Who::Other if unowned(command) => None,
        Who::Other | Who::Revoked | Who::Unknown => Some(false),
    }
}

fn refusal_status(who: Who) -> u16 {
    match who {
        Who::Revoked | Who::Unknown => 401,
        _ => 403,
    }
}

/// The machine code of a refused cell: a role the table does not allow, another
/// institution's (or association's) business, a revoked key, a key nobody registered.
fn refusal_code(who: Who) -> &'static str {
    match who {
        Who::Role(_) => "role_not_allowed",
        Who::Other => "other_institution",
        Who::Revoked => "actor_revoked",
        Who::Unknown => "unknown_actor",
    }
}

fn cell(command: &str, who: Who) -> String {
    match allowed(command, who) {
        None => "—".to_owned(),
        Some(true) => "✓".to_owned(),
        Some(false) => refusal_status(who).to_string(),
    }
}

/// The table of docs/roles.md, rendered from the expectations above.
fn table() -> String {
    let mut out = String::from(
        "| command | admin | registrar | publisher | evaluator | moderator | drafter | trainer | association | other institution or association | revoked key | unknown key |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for command in COMMANDS {
        let cells: Vec<String> = COLUMNS.iter().map(|&who| cell(command, who)).collect();
        out.push_str(&format!("| `{command}` | {} |\n", cells.join(" | ")));
    }
    out
}

/// The world: both ministries and their officials, the story's association RABAT with
/// its key and CASA's; an offer of the ministry, closed, with RABAT's application scored
/// and awarded; a draft of the ministry with a consultation, closed, holding RABAT's
/// comment; an official of the other ministry holding every official role; and a revoked
/// official of the ministry that held them all.
struct World {
    ledger: Ledger,
    p: Participants,
    trainer: SigningKey,
    other_official: SigningKey,
    revoked: SigningKey,
    unknown: SigningKey,
}

const ALL_OFFICIAL_ROLES: [&str; 6] = [
    "registrar",
    "publisher",
    "evaluator",
    "moderator",
    "drafter",
    "trainer",
];

impl World {
    async fn build(backend: Backend) -> Self {
        let ledger = Ledger::start(backend).await;
        let p = Participants::register(&ledger).await;
        let trainer = official(&ledger, "trainer-mjcc", MINISTRY, &["trainer"]).await;
        let other_official =
            official(&ledger, "all-msps", OTHER_MINISTRY, &ALL_OFFICIAL_ROLES).await;
        let revoked = official(&ledger, "revoked-mjcc", MINISTRY, &ALL_OFFICIAL_ROLES).await;
        ledger
            .accept(
                &ledger.admin,
                "RevokeActor",
                "registry/revoked-mjcc",
                json!({"reason": "Départ"}),
                "ActorRevoked",
            )
            .await;

        publish(&ledger, &p.cast, "OFR-M", |_| {}).await;
        draft_with_revision(&ledger, &p, "D1", &first_text()).await;
        open(&ledger, &p, "C1", "D1").await;
        ledger.clock.set(IN_WINDOW);
        crate::lifecycle::apply(&ledger, &p.cast, "APP-RABAT", "OFR-M", RABAT, 1_000_000).await;
        let text = upload(
            &ledger,
            &p.cast.rabat,
            "Un avis sur l'article premier.".as_bytes(),
        )
        .await;
        ledger
            .accept(
                &p.cast.rabat,
                "SubmitComment",
                "consultation/C1",
                comment_body(RABAT, Some("art-1"), &text),
                "CommentSubmitted",
            )
            .await;
        ledger.clock.set(AFTER_CLOSE);
        declare_and_score(&ledger, &p.cast.evaluator, "APP-RABAT", 80, 80).await;
        ledger
            .accept(
                &p.cast.publisher,
                "CloseOffer",
                "offer/OFR-M",
                json!({}),
                "OfferClosed",
            )
            .await;
        ledger
            .accept(
                &p.cast.publisher,
                "GrantAward",
                "award/AW-RABAT",
                json!({"application": "APP-RABAT", "amount_centimes": 500_000, "justification": null}),
                "AwardGranted",
            )
            .await;
        Self {
            ledger,
            p,
            trainer,
            other_official,
            revoked,
            unknown: new_key(),
        }
    }

    fn key(&self, command: &str, who: Who) -> &SigningKey {
        let cast: &Cast = &self.p.cast;
        match who {
            Who::Role(Role::Admin) => &self.ledger.admin,
            Who::Role(Role::Registrar) => &cast.registrar,
            Who::Role(Role::Publisher) => &cast.publisher,
            Who::Role(Role::Evaluator) => &cast.evaluator,
            Who::Role(Role::Moderator) => &self.p.moderator,
            Who::Role(Role::Drafter) => &self.p.drafter,
            Who::Role(Role::Trainer) => &self.trainer,
            Who::Role(Role::Association) => &cast.rabat,
            // An association's own commands: another association in RABAT's name.
            Who::Other
                if matches!(
                    command,
                    "SubmitApplication" | "SubmitComment" | "SubmitReport"
                ) =>
            {
                &self.p.casa
            }
            Who::Other => &self.other_official,
            Who::Revoked => &self.revoked,
            Who::Unknown => &self.unknown,
        }
    }

    /// The stream and body of `command`, aimed at the story's records; `n` makes new
    /// records' ids unique.
    async fn target(&self, command: &str, n: usize) -> (String, Value) {
        let fresh = |kind: &str| format!("{kind}/AUTHZ-{n}");
        match command {
            "RegisterInstitution" => (
                fresh("institution"),
                json!({"name": format!("Institution {n}"), "kind": "public_institution"}),
            ),
            "RegisterActor" => (
                format!("registry/authz-{n}"),
                json!({"public_key": public_b64(&new_key()), "name": "Nouvelle",
                       "institution": MINISTRY, "roles": ["publisher"]}),
            ),
            "RotateLogKey" => {
                // A key this server holds, made as an operator makes it, so that an allowed
                // rotation is accepted.
                let key = crate::key_rotation::new_log_key(&self.ledger.app).await;
                ("log/key".into(), json!({"log_key": key.to_string()}))
            }
            "RevokeActor" => {
                // A fresh official to revoke, so an allowed revocation costs the story no one.
                let id = format!("victim-{n}");
                official(&self.ledger, &id, MINISTRY, &["publisher"]).await;
                (format!("registry/{id}"), json!({"reason": "Départ"}))
            }
            "DeclareDocumentUnavailable" => {
                // A hash no entry names: an allowed declaration passes authorization and
                // is then refused by the domain, which costs the story nothing.
                let sha =
                    ledger::hash::to_hex(&ledger::hash::sha256(format!("authz-{n}").as_bytes()));
                (
                    format!("document/{sha}"),
                    json!({"document": sha, "reason": "Jamais fourni"}),
                )
            }
            "RegisterAssociation" => (
                fresh("association"),
                association_body("Association nouvelle", "MA-04", &["youth"], "2015-01-01"),
            ),
            "PublishOffer" => (fresh("offer"), offer_body(MINISTRY)),
            "AmendOffer" => (
                "offer/OFR-M".into(),
                json!({"reason": "Précision", "description": "Texte précisé."}),
            ),
            "CloseOffer" => ("offer/OFR-M".into(), json!({})),
            "SubmitApplication" => (
                fresh("application"),
                application_body("OFR-M", RABAT, 10_000),
            ),
            "DeclareConflictOfInterest" => (
                "application/APP-RABAT".into(),
                json!({"conflict": false, "note": null}),
            ),
            "ScoreApplication" => ("application/APP-RABAT".into(), scores(70, 70)),
            "GrantAward" => (
                fresh("award"),
                json!({"application": "APP-RABAT", "amount_centimes": 1_000, "justification": null}),
            ),
            "RecordDisbursement" => (
                "award/AW-RABAT".into(),
                json!({"amount_centimes": 1_000, "reference": format!("TGR-{n}")}),
            ),
            "SubmitReport" => (
                "award/AW-RABAT".into(),
                json!({"kind": "activity", "summary": "Activités réalisées.", "document": "ab".repeat(32)}),
            ),
            "RevokeAward" => (
                "award/AW-RABAT".into(),
                json!({"reason": "Activités non réalisées", "recover_centimes": 0}),
            ),
            "OpenConsultation" => (
                fresh("consultation"),
                crate::participation::consultation_body("D1", 1),
            ),
            "SubmitComment" => (
                "consultation/C1".into(),
                comment_body(RABAT, Some("art-1"), &"cd".repeat(32)),
            ),
            "ModerateComment" => ("consultation/C1".into(), moderation(1, "hide", "spam")),
            "ErasePersonalData" => (
                "consultation/C1".into(),
                json!({"person": "ab".repeat(32), "reason": "Demande de l'intéressée"}),
            ),
            "CloseConsultation" => ("consultation/C1".into(), json!({})),
            "RespondToComments" => ("consultation/C1".into(), responses(&[1], "accepted")),
            "PublishResults" => ("consultation/C1".into(), results_body(&["R1"])),
            "CreateDraft" => (fresh("draft"), draft_body(MINISTRY)),
            "PublishRevision" => ("draft/D1".into(), inline_revision(2, &first_text())),
            "SubmitDraft" => ("draft/D1".into(), json!({"note": null})),
            "RecordTrainingSession" => (
                fresh("training"),
                json!({"institution": MINISTRY, "module": "GOV", "date": "2026-02-10",
                       "region": "MA-04", "trainer_institution": MINISTRY,
                       "associations": [RABAT], "hours": 6}),
            ),
            other => panic!("no target for {other}"),
        }
    }
}

async fn every_command_by_every_kind_of_actor_gets_the_documented_answer(backend: Backend) {
    let rendered = table();
    assert!(
        ROLES_PAGE.contains(&rendered),
        "the table of docs/roles.md must be exactly:\n{rendered}"
    );
    let world = World::build(backend).await;
    let ledger = &world.ledger;
    let mut n = 0;
    let mut wrong = Vec::new();
    for command in COMMANDS {
        for who in COLUMNS {
            let Some(expected) = allowed(command, who) else {
                continue;
            };
            n += 1;
            let (stream, body) = world.target(command, n).await;
            let before = ledger.tree_size().await;
            let reply = ledger
                .send(world.key(command, who), command, &stream, body)
                .await;
            let status = reply.status.as_u16();
            let ok = if expected {
                status != 401 && status != 403 && status < 500
            } else {
                status == refusal_status(who)
                    && reply.json["error"] == refusal_code(who)
                    && reply.json["message"].is_string()
                    && ledger.tree_size().await == before
            };
            if !ok {
                wrong.push(format!("{command} by {who:?}: {status} {}", reply.text()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table of docs/roles.md:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
