//! The support lifecycle's read models and open data over HTTP, on both stores.
//!
//! The domain of the lifecycle is written in parallel, so its entries cannot be signed
//! through the server yet: the rows of the `support.v1` projector, projected from the
//! hand-made lifecycle of `projections::support::scenario`, are put in the real store,
//! and everything from there on is real: the filters' SQL on SQLite and PostgreSQL, the
//! handlers, the JSON and CSV the client receives. The funding institution is registered
//! through a signed statement, so the export names it from the registry's own view.

use projections::support::scenario;
use projections::SupportProjector;
use serde_json::{json, Value};

use crate::support::{Backend, TestApp};

both_backends!(
    the_lists_filter_and_page_as_documented,
    each_record_shows_what_a_reader_follows_from_it,
    the_exports_publish_every_award,
);

/// A server whose read models hold the scenario's rows.
async fn app_with_scenario(backend: Backend) -> TestApp {
    let app = TestApp::start(backend).await;
    app.submit(
        &app.admin,
        "RegisterInstitution",
        "institution/MJCC",
        json!({"name": "Ministère de la Jeunesse, de la Culture et de la Communication",
               "kind": "ministry"}),
    )
    .await
    .created();
    let rows: Vec<(String, String, String)> =
        scenario::project(&SupportProjector, &scenario::entries())
            .into_iter()
            .map(|((view, id), row)| (view.to_owned(), id, row.to_string()))
            .collect();
    // Under a name of its own, so the server's projectors never count it as theirs.
    app.db()
        .save_projection("e2e.fixture", 0, &rows)
        .await
        .expect("the scenario's rows are stored");
    app
}

/// The ids of a list's items, in order.
fn ids(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {reply}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_lists_filter_and_page_as_documented(backend: Backend) {
    let app = app_with_scenario(backend).await;
    let list = |path: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(path).await;
            assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text());
            reply.json
        }
    };

    // Offers, newest first.
    assert_eq!(ids(&list("/v1/offers").await), ["O2", "O1"]);
    assert_eq!(list("/v1/offers").await["total"], 2);
    assert_eq!(ids(&list("/v1/offers?year=2026").await), ["O2", "O1"]);
    assert!(ids(&list("/v1/offers?year=2025").await).is_empty());
    assert_eq!(ids(&list("/v1/offers?institution=MSPS").await), ["O2"]);
    // O2's eligible regions are [] ("any region"): it matches every region.
    assert_eq!(ids(&list("/v1/offers?region=MA-04").await), ["O2", "O1"]);
    assert_eq!(ids(&list("/v1/offers?region=MA-09").await), ["O2"]);
    assert_eq!(ids(&list("/v1/offers?domain=health").await), ["O2"]);
    assert_eq!(ids(&list("/v1/offers?status=closed").await), ["O1"]);
    assert_eq!(
        ids(&list("/v1/offers?status=open&institution=MSPS&region=MA-01").await),
        ["O2"]
    );
    let page = list("/v1/offers?per_page=1&page=2").await;
    assert_eq!(ids(&page), ["O1"]);
    assert_eq!(
        (page["total"].clone(), page["per_page"].clone()),
        (json!(2), json!(1))
    );
    let o1 = &list("/v1/offers?status=closed").await["items"][0];
    assert_eq!(o1["applications_count"], 2);
    assert_eq!(o1["committed_centimes"], 12_000_000);
    assert_eq!(o1["remaining_centimes"], 588_000_000);
    assert_eq!(o1["published_in_q1"], true);

    // Awards: the year and institution are the offer's, the region the association's.
    assert_eq!(ids(&list("/v1/awards").await), ["W2", "W1"]);
    assert_eq!(
        ids(&list("/v1/awards?year=2026&institution=MJCC").await),
        ["W2", "W1"]
    );
    assert!(ids(&list("/v1/awards?institution=MSPS").await).is_empty());
    assert_eq!(ids(&list("/v1/awards?region=MA-04").await), ["W1"]);
    assert_eq!(ids(&list("/v1/awards?association=A2").await), ["W2"]);
    assert_eq!(ids(&list("/v1/awards?status=revoked").await), ["W2"]);
    assert!(ids(&list("/v1/awards?offer=O2").await).is_empty());
    let w1 = &list("/v1/awards?offer=O1&region=MA-04").await["items"][0];
    assert_eq!(w1["association_name"], "Association Amal");
    assert_eq!(w1["offer_title"], "Jeunesse et citoyenneté");

    // Associations, by id; the name search ignores case and takes % literally.
    assert_eq!(ids(&list("/v1/associations").await), ["A1", "A2"]);
    assert_eq!(ids(&list("/v1/associations?q=AMAL").await), ["A1"]);
    assert_eq!(ids(&list("/v1/associations?q=active%2C").await), ["A2"]);
    assert!(ids(&list("/v1/associations?q=%25").await).is_empty());
    assert_eq!(
        ids(&list("/v1/associations?domain=youth").await),
        ["A1", "A2"]
    );
    assert_eq!(
        ids(&list("/v1/associations?domain=education").await),
        ["A1"]
    );
    assert_eq!(ids(&list("/v1/associations?region=MA-06").await), ["A2"]);
    let a1 = &list("/v1/associations?q=amal").await["items"][0];
    assert_eq!(a1["awards_count"], 1);
    assert_eq!(a1["region_name"], "Rabat-Salé-Kénitra");

    // A malformed or unknown parameter is a 400, never an unfiltered list.
    for path in [
        "/v1/offers?year=26",
        "/v1/offers?yaer=2026",
        "/v1/offers?region=MA-13",
        "/v1/offers?domain=Youth",
        "/v1/offers?status=pending",
        "/v1/offers?page=x",
        "/v1/awards?institution=bad%20id",
        "/v1/awards?status=",
        "/v1/associations?region=04",
    ] {
        app.get(path).await.assert_error(400, "invalid_parameter");
    }
}

async fn each_record_shows_what_a_reader_follows_from_it(backend: Backend) {
    let app = app_with_scenario(backend).await;

    let offer = app.get("/v1/offers/O1").await;
    assert_eq!(offer.status.as_u16(), 200, "{}", offer.text());
    let offer = offer.json;
    assert_eq!(offer["criteria"][0]["weight"], 60);
    assert_eq!(offer["audit_trail"], "/v1/streams/offer/O1");
    let applications = offer["applications"].as_array().expect("applications");
    assert_eq!(applications.len(), 2);
    // The offer has awarded: the scores per criterion are public.
    assert_eq!(applications[0]["id"], "P1");
    assert_eq!(applications[0]["scores"][0]["scores"]["relevance"], 80);
    assert_eq!(applications[0]["mean_score_hundredths"], 7200);
    assert_eq!(applications[0]["conflicts_declared"], json!(["E2"]));
    assert_eq!(applications[1]["status"], "revoked");

    let award = app.get("/v1/awards/W1").await.json;
    assert_eq!(award["disbursed_centimes"], 7_500_050);
    assert_eq!(award["reports"][0]["kind"], "activity");
    assert_eq!(award["institution"], "MJCC");
    assert_eq!(award["audit_trail"], "/v1/streams/award/W1");

    let association = app.get("/v1/associations/A1").await.json;
    assert_eq!(association["applications"][0]["id"], "P1");
    assert_eq!(association["awards"][0]["id"], "W1");
    assert_eq!(
        association["disbursements"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(association["reports"][0]["award"], "W1");

    for path in [
        "/v1/offers/NOPE",
        "/v1/awards/NOPE",
        "/v1/associations/NOPE",
    ] {
        app.get(path).await.assert_error(404, "not_found");
    }
}

async fn the_exports_publish_every_award(backend: Backend) {
    let app = app_with_scenario(backend).await;

    let package = app.get("/v1/exports/360giving.json").await;
    assert_eq!(package.status.as_u16(), 200, "{}", package.text());
    let grants = package.json["grants"].as_array().expect("grants");
    assert_eq!(grants.len(), 2);
    let w1 = &grants[0];
    assert_eq!(w1["id"], "360G-sijill-W1");
    assert_eq!(w1["amountAwarded"], 120_000);
    assert_eq!(w1["amountDisbursed"], 75_000.5);
    // The funder's name comes from the registry's view of the signed institution.
    assert_eq!(
        w1["fundingOrganization"][0]["name"],
        "Ministère de la Jeunesse, de la Culture et de la Communication"
    );
    assert_eq!(w1["recipientOrganization"][0]["name"], "Association Amal");
    let url = w1["grantProgramme"][0]["url"]
        .as_str()
        .expect("a programme url");
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/v1/offers/O1"),
        "{url}"
    );
    assert_eq!(package.json["version"], "1.4");

    let csv = app.get("/v1/exports/awards.csv").await;
    assert_eq!(csv.status.as_u16(), 200);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("award_id,grant_id,title"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("W1,360G-sijill-W1,"), "{}", lines[1]);
    assert!(
        lines[2].contains("\"Jeunesse Active, \"\"Salé\"\"\""),
        "{}",
        lines[2]
    );
}
