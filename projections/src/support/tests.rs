//! The four views after the hand-made lifecycle of [`super::scenario`]: each assertion is
//! a fact the portal shows, checked on the rows the projector wrote.

use serde::Serialize;
use serde_json::{json, Value};

use super::applications::{self, APPLICATIONS};
use super::associations::{self, ASSOCIATIONS};
use super::awards::{self, AWARDS};
use super::offers::{self, OFFERS};
use super::scenario::{self, row, REPORT_SHA};
use super::SupportProjector;
use crate::Projector;

fn rows() -> scenario::Rows {
    scenario::project(&SupportProjector, &scenario::entries())
}

/// A typed view as clients receive it.
fn json(view: impl Serialize) -> Value {
    serde_json::to_value(view).unwrap()
}

#[test]
fn the_offer_shows_its_amended_budget_what_is_committed_and_what_remains() {
    let rows = rows();
    let typed = offers::present(row(&rows, OFFERS, "O1")).unwrap();
    let offer = json(&typed);
    assert_eq!(offer["title"], "Jeunesse et citoyenneté");
    assert_eq!(offer["institution"], "MJCC");
    assert_eq!(offer["fiscal_year"], 2026);
    assert_eq!(offer["criteria"][1]["id"], "capacity");
    assert_eq!(offer["eligibility"]["regions"], json!(["MA-04", "MA-06"]));
    // The amendment raised the budget; the other fields it left null are unchanged.
    assert_eq!(offer["budget_centimes"], 600_000_000);
    assert_eq!(offer["max_award_centimes"], 20_000_000);
    assert_eq!(offer["amendments"][0]["reason"], "Budget complémentaire");
    assert_eq!(offer["amendments"][0]["index"], 6);
    // W1 (12M) stands, W2 (8M) was revoked with nothing disbursed: 12M committed.
    assert_eq!(offer["committed_centimes"], 12_000_000);
    assert_eq!(offer["remaining_centimes"], 588_000_000);
    assert_eq!(offer["applications_count"], 2);
    assert_eq!(offer["status"], "closed");
    assert_eq!(offer["closed_index"], 7);
    assert_eq!(offer["applications_at_close"], 2);
    assert_eq!(offer["published_in_q1"], true);
    assert_eq!(offer["published_late"], false);
    assert_eq!(offer["awards"][0]["id"], "W1");
    assert_eq!(offer["awards"][0]["status"], "active");
    assert_eq!(offer["awards"][1]["status"], "revoked");
    assert_eq!(offer["stream"], "offer/O1");
    assert_eq!(offer["audit_trail"], "/v1/streams/offer/O1");
    assert_eq!(
        offer["entries"],
        json!([{"index": 3, "type": "OfferPublished"}, {"index": 6, "type": "OfferAmended"},
               {"index": 7, "type": "OfferClosed"}])
    );
    // Only the number of applications is public: `/v1/offers/{id}` lists them.
    assert!(offer.get("applications").is_none(), "{offer}");
    assert!(typed.is_awarded());
    assert_eq!(typed.award_status("W2"), Some("revoked"));
    assert_eq!(typed.award_status("W9"), None);
    // What clients receive reads back as the same view.
    assert_eq!(
        serde_json::from_value::<offers::Offer>(offer).unwrap(),
        typed
    );
}

#[test]
fn a_row_that_is_not_its_views_shape_is_reported_not_shown_half() {
    // A collection member set on an offer nobody published (no projector writes one).
    let partial = json!({"applications": {"P1": {"association": "A1", "index": 4}}});
    let refused = offers::present(&partial).unwrap_err();
    assert_eq!(refused.view, OFFERS);
    assert!(refused.reason.contains("missing field"), "{refused}");
    // A member no view lists is refused too, so no member is dropped unseen.
    let rows = rows();
    let mut extra = row(&rows, AWARDS, "W1").clone();
    extra["surprise"] = json!(1);
    assert!(awards::present(&extra, None, None).is_err());
}

#[test]
fn a_late_offer_is_open_and_not_counted_in_the_first_quarter() {
    let rows = rows();
    let offer = json(offers::present(row(&rows, OFFERS, "O2")).unwrap());
    assert_eq!(offer["status"], "open");
    assert_eq!(offer["published_in_q1"], false);
    assert_eq!(offer["late_justification"], "Loi de finances rectificative");
    assert_eq!(offer["applications_count"], 0);
    assert_eq!(offer["remaining_centimes"], 100_000_000);
    assert_eq!(offer["awards"], json!([]));
}

#[test]
fn an_application_shows_declarations_conflicts_scores_and_its_award() {
    let rows = rows();
    let offer = offers::present(row(&rows, OFFERS, "O1")).unwrap();
    let app = json(applications::present(row(&rows, APPLICATIONS, "P1"), Some(&offer)).unwrap());
    assert_eq!(app["association"], "A1");
    assert_eq!(app["requested_centimes"], 15_000_000);
    assert_eq!(app["conflicts_declared"], json!(["E2"]));
    assert_eq!(app["declarations"].as_array().unwrap().len(), 3);
    assert_eq!(app["declarations"][1]["note"], "cousin");
    assert_eq!(app["evaluations"], 2);
    assert_eq!(app["scores"][0]["evaluator"], "E1");
    assert_eq!(app["scores"][0]["scores"]["relevance"], 80);
    assert_eq!(app["scores"][0]["total_hundredths"], 7600);
    assert_eq!(app["scores"][1]["comment"], "solide");
    // (7600 + 6801) / 2 = 7200.5, floored as the domain's integer mean.
    assert_eq!(app["mean_score_hundredths"], 7200);
    assert_eq!(app["score_hundredths"], 7200);
    assert_eq!(app["award"], "W1");
    assert_eq!(app["status"], "awarded");
    assert_eq!(app["entries"].as_array().unwrap().len(), 6);

    let revoked =
        json(applications::present(row(&rows, APPLICATIONS, "P2"), Some(&offer)).unwrap());
    assert_eq!(revoked["award"], "W2");
    assert_eq!(revoked["status"], "revoked");
}

#[test]
fn scores_stay_private_until_the_offer_awards() {
    let entries = scenario::entries();
    // Stop before the first award (index 15).
    let before: Vec<_> = entries.into_iter().filter(|e| e.index < 15).collect();
    let rows = scenario::project(&SupportProjector, &before);
    let offer = offers::present(row(&rows, OFFERS, "O1")).unwrap();
    let app = json(applications::present(row(&rows, APPLICATIONS, "P1"), Some(&offer)).unwrap());
    assert!(app.get("scores").is_none(), "{app}");
    assert_eq!(app["mean_score_hundredths"], Value::Null);
    assert_eq!(app["evaluations"], 2);
    assert_eq!(app["status"], "scored");
}

#[test]
fn an_award_shows_its_disbursed_total_reports_and_revocation() {
    let rows = rows();
    let w1 = json(awards::present(row(&rows, AWARDS, "W1"), None, None).unwrap());
    assert_eq!(w1["amount_centimes"], 12_000_000);
    assert_eq!(w1["requested_centimes"], 15_000_000);
    assert_eq!(w1["disbursed_centimes"], 7_500_050);
    assert_eq!(w1["disbursements"][0]["reference"], "VIR-1");
    assert_eq!(w1["disbursements"][1]["amount_centimes"], 2_500_050);
    assert_eq!(w1["reports"][0]["document"], REPORT_SHA);
    assert_eq!(w1["reports"][0]["kind"], "activity");
    assert_eq!(w1["status"], "active");
    assert_eq!(w1["granted_at"], "2026-01-20T09:00:00.000Z");
    assert_eq!(w1["modified_at"], "2026-01-23T09:00:00.000Z");
    assert_eq!(w1["audit_trail"], "/v1/streams/award/W1");
    assert_eq!(w1["entries"].as_array().unwrap().len(), 4);

    let w2 = json(awards::present(row(&rows, AWARDS, "W2"), None, None).unwrap());
    assert_eq!(w2["status"], "revoked");
    assert_eq!(w2["out_of_order"], true);
    assert_eq!(w2["justification"], "Couverture d'une seconde région");
    assert_eq!(w2["revocation"]["reason"], "Activité non réalisée");
    assert_eq!(w2["revocation"]["index"], 20);
}

#[test]
fn an_association_profile_holds_its_applications_awards_disbursements_and_reports() {
    let rows = rows();
    let a1 = json(associations::present(row(&rows, ASSOCIATIONS, "A1")).unwrap());
    assert_eq!(a1["name"], "Association Amal");
    assert_eq!(a1["region"], "MA-04");
    assert_eq!(a1["region_name"], "Rabat-Salé-Kénitra");
    assert_eq!(a1["domains"], json!(["youth", "education"]));
    assert_eq!(a1["applications"][0]["id"], "P1");
    assert_eq!(a1["applications"][0]["award"], "W1");
    assert_eq!(a1["awards"][0]["disbursed_centimes"], 7_500_050);
    assert_eq!(a1["awards"][0]["stream"], "award/W1");
    assert_eq!(a1["disbursements"].as_array().unwrap().len(), 2);
    assert_eq!(a1["disbursements"][0]["index"], 16);
    assert_eq!(a1["reports"][0]["summary"], "Trois conseils installés.");

    let a2 = json(associations::present(row(&rows, ASSOCIATIONS, "A2")).unwrap());
    assert_eq!(a2["awards"][0]["status"], "revoked");
    assert_eq!(a2["disbursements"], json!([]));

    let listed = json(associations::summary(row(&rows, ASSOCIATIONS, "A1")).unwrap());
    assert_eq!(listed["applications_count"], 1);
    assert_eq!(listed["awards_count"], 1);
    assert!(listed.get("disbursements").is_none());
    assert!(listed.get("entries").is_none());
    assert_eq!(listed["audit_trail"], "/v1/streams/association/A1");
}

#[test]
fn replaying_every_entry_changes_no_row() {
    // The runner may apply an entry again after a crash, and two processes may project
    // the same log: counts and collections must not grow.
    let entries = scenario::entries();
    let once = scenario::project(&SupportProjector, &entries);
    let mut twice = scenario::Rows::new();
    for e in &entries {
        for _ in 0..2 {
            for change in SupportProjector.project(e).unwrap() {
                scenario::apply(&mut twice, change);
            }
        }
    }
    assert_eq!(once, twice);
}

#[test]
fn entries_of_other_streams_change_nothing_and_malformed_ones_are_reported() {
    let mut e = scenario::entries().remove(0);
    e.stream = "consultation/C1".into();
    assert!(SupportProjector.project(&e).unwrap().is_empty());
    e.stream = "no-slash".into();
    assert!(SupportProjector.project(&e).unwrap().is_empty());
    // An award entry whose data is not even an object is reported, not half read.
    e.stream = "award/W9".into();
    e.event_type = "DisbursementRecorded".into();
    e.data = json!("garbage");
    assert_eq!(SupportProjector.project(&e).unwrap_err().index, e.index);
}

/// Entries are read through the domain's upcaster for their version: a version the
/// domain does not know is reported rather than read as version 1, and the same data at
/// version 1 projects.
#[test]
fn an_entry_of_an_unknown_version_is_reported_not_misread() {
    for mut e in scenario::entries() {
        assert!(SupportProjector.project(&e).is_ok());
        e.version = "2".into();
        let refused = SupportProjector.project(&e).unwrap_err();
        assert_eq!(refused.index, e.index);
        assert!(
            refused.reason.contains(&e.stream) && refused.reason.contains("unknown version"),
            "{refused}"
        );
    }
}

#[test]
fn a_listed_award_names_its_offer_institution_and_association() {
    let rows = rows();
    let listed = json(
        awards::present(
            row(&rows, AWARDS, "W1"),
            Some(row(&rows, OFFERS, "O1")),
            Some(row(&rows, ASSOCIATIONS, "A1")),
        )
        .unwrap(),
    );
    assert_eq!(listed["offer_title"], "Jeunesse et citoyenneté");
    assert_eq!(listed["institution"], "MJCC");
    assert_eq!(listed["fiscal_year"], 2026);
    assert_eq!(listed["association_name"], "Association Amal");
    assert_eq!(listed["region"], "MA-04");
    let orphan = json(awards::present(row(&rows, AWARDS, "W1"), None, None).unwrap());
    assert_eq!(orphan["offer_title"], Value::Null);
    assert_eq!(orphan["institution"], Value::Null);
}

#[test]
fn an_offer_page_and_a_profile_add_their_lists_beside_the_record() {
    let rows = rows();
    let offer = offers::present(row(&rows, OFFERS, "O1")).unwrap();
    let applications = ["P1", "P2"]
        .iter()
        .map(|id| applications::present(row(&rows, APPLICATIONS, id), Some(&offer)).unwrap())
        .collect();
    let page = json(offers::OfferWithApplications {
        offer,
        applications,
    });
    // `/v1/offers/{id}`: the offer's members, and its applications in full.
    assert_eq!(page["title"], "Jeunesse et citoyenneté");
    assert_eq!(page["applications_count"], 2);
    assert_eq!(page["applications"][0]["id"], "P1");
    assert_eq!(page["applications"][1]["conflicts_declared"], json!([]));
    assert_eq!(page["applications"][1]["award_status"], "revoked");

    let profile = json(associations::AssociationProfile {
        association: associations::present(row(&rows, ASSOCIATIONS, "A2")).unwrap(),
        trainings: vec![json!({"id": "T1"})],
    });
    // `/v1/associations/{id}`: identity, collections and the sessions it attended.
    assert_eq!(profile["name"], "Jeunesse Active, \"Salé\"");
    assert_eq!(profile["region_name"], "Casablanca-Settat");
    assert_eq!(
        profile["awards"][0]["revoked_at"],
        "2026-01-25T09:00:00.000Z"
    );
    assert_eq!(profile["trainings"], json!([{"id": "T1"}]));
    assert_eq!(profile["audit_trail"], "/v1/streams/association/A2");
}
