//! The OpenAPI document describes every command's body (`<Command>Body`), and describes it
//! truly: an example body of each command is accepted both by its schema and by the
//! server's strict parsing, and the same body with an unknown member is refused by both.
//! Clients generate code from that document; a body it allows must be one we accept.

use serde_json::{json, Value};

use domain::command::route;

fn examples() -> Vec<(&'static str, &'static str, Value)> {
    let sha = "ab".repeat(32);
    vec![
        (
            "RegisterInstitution",
            "institution/MRP",
            json!({"name": "Ministère", "kind": "ministry"}),
        ),
        (
            "RegisterActor",
            "registry/amina",
            json!({"public_key": "AAAA", "name": "Amina", "institution": "MRP", "roles": ["publisher"]}),
        ),
        ("RevokeActor", "registry/amina", json!({"reason": "Départ"})),
        (
            "RotateLogKey",
            "log/key",
            json!({"log_key": ledger::NoteSigner::new("o", ed25519_dalek::SigningKey::from_bytes(&[7; 32])).verifier().to_string()}),
        ),
        (
            "DeclareDocumentUnavailable",
            "document/abababababababababababababababababababababababababababababababab",
            json!({"document": sha, "reason": "Jamais fourni"}),
        ),
        (
            "RegisterAssociation",
            "association/A1",
            json!({"name": "Amal", "legal_form": "association", "region": "MA-04", "domains": ["youth"], "registered_on": "2018-03-12"}),
        ),
        (
            "PublishOffer",
            "offer/O1",
            json!({"institution": "MRP", "fiscal_year": 2027, "title": "t", "description": "d",
            "budget_centimes": 100, "max_award_centimes": 10,
            "eligibility": {"regions": [], "domains": ["youth"], "min_age_years": 2},
            "criteria": [{"id": "a", "title": "A", "weight": 100}],
            "opens_at": "2027-01-15T00:00:00Z", "closes_at": "2027-03-15T00:00:00Z", "late_justification": null}),
        ),
        (
            "AmendOffer",
            "offer/O1",
            json!({"reason": "r", "budget_centimes": 200}),
        ),
        ("CloseOffer", "offer/O1", json!({})),
        (
            "SubmitApplication",
            "application/P1",
            json!({"offer": "O1", "association": "A1", "title": "t", "summary": "s", "requested_centimes": 10, "documents": [sha]}),
        ),
        (
            "DeclareConflictOfInterest",
            "application/P1",
            json!({"conflict": false, "note": null}),
        ),
        (
            "ScoreApplication",
            "application/P1",
            json!({"scores": {"a": 80}}),
        ),
        (
            "GrantAward",
            "award/W1",
            json!({"application": "P1", "amount_centimes": 10, "justification": "j"}),
        ),
        (
            "RecordDisbursement",
            "award/W1",
            json!({"amount_centimes": 5, "reference": "OP-1"}),
        ),
        (
            "SubmitReport",
            "award/W1",
            json!({"kind": "activity", "summary": "s", "document": sha}),
        ),
        (
            "RevokeAward",
            "award/W1",
            json!({"reason": "r", "recover_centimes": 0}),
        ),
        (
            "CreateDraft",
            "draft/D1",
            json!({"institution": "MRP", "title": "t", "summary": "s"}),
        ),
        (
            "PublishRevision",
            "draft/D1",
            json!({"number": 1, "articles": [{"id": "1", "heading": "h", "text": "t"}],
            "articles_document": null, "text_sha256": sha, "change_summary": "c",
            "motivated_by": [{"consultation": "C1", "comment": 3, "recommendation": null}]}),
        ),
        ("SubmitDraft", "draft/D1", json!({"note": null})),
        (
            "OpenConsultation",
            "consultation/C1",
            json!({"draft": "D1", "revision": 1, "title": "t", "summary": "s",
            "opens_at": "2027-01-15T00:00:00Z", "closes_at": "2027-03-15T00:00:00Z"}),
        ),
        (
            "SubmitComment",
            "consultation/C1",
            json!({"association": "A1", "article": null, "document": sha}),
        ),
        (
            "ModerateComment",
            "consultation/C1",
            json!({"comment": 1, "action": "hide", "ground": "spam", "note": "n"}),
        ),
        (
            "ErasePersonalData",
            "consultation/C1",
            json!({"person": "p", "reason": "r"}),
        ),
        ("CloseConsultation", "consultation/C1", json!({})),
        (
            "RespondToComments",
            "consultation/C1",
            json!({"responses": [{"comment": 1, "position": "noted", "reasoning": "r"}]}),
        ),
        (
            "PublishResults",
            "consultation/C1",
            json!({"synthesis": "s", "recommendations": [{"id": "R1", "text": "t"}]}),
        ),
        (
            "RecordTrainingSession",
            "training/T1",
            json!({"institution": "MRP", "module": "FIN", "date": "2026-05-01", "region": "MA-04",
            "trainer_institution": "MRP", "associations": ["A1"], "hours": 6}),
        ),
    ]
}

struct NoFacts;

impl domain::RegistryFacts for NoFacts {
    fn institution_exists(&self, _: &str) -> bool {
        false
    }
    fn association_exists(&self, _: &str) -> bool {
        false
    }
    fn key_registered(&self, _: &str) -> bool {
        false
    }
    fn read_world(&self, read: &mut dyn FnMut(&domain::world::World)) {
        read(&domain::world::World::default());
    }
}

#[test]
fn every_command_body_is_documented_and_the_document_agrees_with_the_server() {
    let document: Value =
        serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json is JSON");
    let schemas = &document["components"]["schemas"];
    let examples = examples();
    for command in ledger::roles::COMMANDS {
        assert!(
            examples.iter().any(|(c, _, _)| *c == command),
            "no example of {command}"
        );
    }
    for (command, stream, body) in examples {
        let schema = &schemas[format!("{command}Body")];
        assert!(schema.is_object(), "openapi.json lacks {command}Body");
        let kind = stream.split('/').next().unwrap_or_default();
        // Every rotation is on the one stream log/key; other commands name the record.
        let expected = if kind == "log" {
            stream.to_owned()
        } else {
            format!("{kind}/<id>")
        };
        assert_eq!(schema["x-stream"], expected, "{command}");
        let validator = jsonschema::validator_for(schema).expect("the schema compiles");
        assert!(validator.is_valid(&body), "{command}Body refuses {body}");
        if let Err(e) = route(command, stream, &body, &NoFacts) {
            panic!("the server refuses the documented {command} body {body}: {e:?}");
        }
        let mut extra = body;
        extra["surprise"] = json!(1);
        assert!(
            !validator.is_valid(&extra),
            "{command}Body allows unknown members"
        );
        assert!(
            route(command, stream, &extra, &NoFacts).is_err(),
            "the server accepts unknown members in {command}"
        );
    }
}
