//! Capacity building's read models over HTTP, on both stores: training sessions
//! recorded through signed statements by trainers of two ministries, then listed with
//! every filter of `/v1/trainings`, shown one by one, listed on the pages of the
//! associations that attended, with the framework's modules, the 400s and the 404s.

use ed25519_dalek::SigningKey;
use serde_json::{json, Value};

use crate::lifecycle::{
    Appended, Cast, Ledger, CASA, FES, HEALTH, MINISTRY, OTHER_MINISTRY, RABAT, SALE,
};
use crate::support::{new_key, public_b64, Backend};

both_backends!(trainings_are_listed_filtered_and_shown_on_association_pages);

/// Registers a trainer of `institution` through the administrator and returns its key.
async fn trainer(ledger: &Ledger, id: &str, institution: &str) -> SigningKey {
    let key = new_key();
    ledger
        .accept(
            &ledger.admin,
            "RegisterActor",
            &format!("registry/{id}"),
            json!({"public_key": public_b64(&key), "name": format!("Formateur {id}"),
                   "institution": institution, "roles": ["trainer"]}),
            "ActorRegistered",
        )
        .await;
    key
}

/// One session as `RecordTrainingSession` takes it.
struct Session<'a> {
    id: &'a str,
    institution: &'a str,
    module: &'a str,
    date: &'a str,
    region: &'a str,
    trainer_institution: &'a str,
    associations: &'a [&'a str],
    hours: u32,
}

async fn record(ledger: &Ledger, key: &SigningKey, s: &Session<'_>) -> Appended {
    ledger
        .accept(
            key,
            "RecordTrainingSession",
            &format!("training/{}", s.id),
            json!({"institution": s.institution, "module": s.module, "date": s.date,
                   "region": s.region, "trainer_institution": s.trainer_institution,
                   "associations": s.associations, "hours": s.hours}),
            "TrainingSessionRecorded",
        )
        .await
        .0
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

async fn trainings_are_listed_filtered_and_shown_on_association_pages(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    // Two ministries, their officials and seven associations, all signed.
    let _cast = Cast::register(&ledger).await;
    let mjcc = trainer(&ledger, "trainer-mjcc", MINISTRY).await;
    let msps = trainer(&ledger, "trainer-msps", OTHER_MINISTRY).await;

    // The clock stands at 2026-02-02: one session of 2025 and two of 2026, recorded in
    // this order (so listed T3, T2, T1, newest first).
    record(
        &ledger,
        &mjcc,
        &Session {
            id: "T1",
            institution: MINISTRY,
            module: "FIN",
            date: "2025-11-03",
            region: "MA-04",
            trainer_institution: MINISTRY,
            associations: &[RABAT, SALE],
            hours: 6,
        },
    )
    .await;
    let t2 = record(
        &ledger,
        &mjcc,
        &Session {
            id: "T2",
            institution: MINISTRY,
            module: "DIG",
            date: "2026-01-20",
            region: "MA-06",
            // Given by the other ministry, recorded by this one.
            trainer_institution: OTHER_MINISTRY,
            associations: &[CASA, RABAT],
            hours: 12,
        },
    )
    .await;
    record(
        &ledger,
        &msps,
        &Session {
            id: "T3",
            institution: OTHER_MINISTRY,
            module: "FIN",
            date: "2026-02-02",
            region: "MA-03",
            trainer_institution: OTHER_MINISTRY,
            associations: &[FES],
            hours: 3,
        },
    )
    .await;

    let list = |path: String| {
        let ledger = &ledger;
        async move {
            let reply = ledger.get(&path).await;
            assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text());
            reply.json
        }
    };
    let cases: &[(&str, &[&str])] = &[
        ("", &["T3", "T2", "T1"]),
        // The year is the session's date's, not its recording's (all in 2026).
        ("year=2026", &["T3", "T2"]),
        ("year=2025", &["T1"]),
        ("year=2024", &[]),
        ("institution=MJCC", &["T2", "T1"]),
        ("institution=MSPS", &["T3"]),
        ("institution=NOBODY", &[]),
        ("region=MA-04", &["T1"]),
        ("region=MA-06", &["T2"]),
        ("region=MA-12", &[]),
        ("module=FIN", &["T3", "T1"]),
        ("module=DIG", &["T2"]),
        ("module=GOV", &[]),
        ("association=ASSO-RABAT", &["T2", "T1"]),
        ("association=ASSO-FES", &["T3"]),
        ("association=ASSO-SANTE", &[]),
        // A prefix of an attending association's id is not that association.
        ("association=ASSO", &[]),
        ("year=2026&module=FIN", &["T3"]),
        (
            "association=ASSO-RABAT&institution=MJCC&region=MA-06",
            &["T2"],
        ),
        (
            "association=ASSO-RABAT&year=2025&module=FIN&region=MA-04",
            &["T1"],
        ),
    ];
    for (query, expected) in cases {
        let reply = list(format!("/v1/trainings?{query}")).await;
        assert_eq!(ids(&reply), *expected, "?{query}");
        assert_eq!(reply["total"], expected.len(), "?{query}");
    }
    let page = list("/v1/trainings?per_page=2&page=2".into()).await;
    assert_eq!(ids(&page), ["T1"]);
    assert_eq!(
        (&page["total"], &page["page"], &page["per_page"]),
        (&json!(3), &json!(2), &json!(2))
    );

    // One session, with what a reader follows from it.
    let detail = list("/v1/trainings/T2".into()).await;
    let mjcc_name = "Ministère de la Jeunesse, de la Culture et de la Communication";
    let msps_name = "Ministère de la Santé et de la Protection sociale";
    for (member, expected) in [
        ("id", json!("T2")),
        ("module", json!("DIG")),
        ("module_title_fr", json!("Compétences numériques")),
        ("module_title_ar", json!("المهارات الرقمية")),
        ("date", json!("2026-01-20")),
        ("year", json!(2026)),
        ("region", json!("MA-06")),
        ("region_name", json!("Casablanca-Settat")),
        ("institution", json!(MINISTRY)),
        ("institution_name", json!(mjcc_name)),
        ("trainer_institution", json!(OTHER_MINISTRY)),
        ("trainer_institution_name", json!(msps_name)),
        ("associations", json!([CASA, RABAT])),
        ("hours", json!(12)),
        ("recorded_at", json!("2026-02-02T09:00:00.000Z")),
        ("index", json!(t2.index)),
        ("stream", json!("training/T2")),
        ("audit_trail", json!("/v1/streams/training/T2")),
    ] {
        assert_eq!(detail[member], expected, "{member} of {detail}");
    }
    // The list shows the same record as the detail.
    let listed = list("/v1/trainings?module=DIG".into()).await;
    assert_eq!(listed["items"][0], detail);
    // The audit trail leads to the signed entry.
    let trail = list(
        detail["audit_trail"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
    .await;
    assert!(
        trail.to_string().contains("TrainingSessionRecorded"),
        "the trail shows the session's entry: {trail}"
    );

    // Each association's page lists the sessions it attended, in log order.
    let page_of = |id: &'static str| list(format!("/v1/associations/{id}"));
    let rabat = page_of(RABAT).await;
    let attended: Vec<&Value> = rabat["trainings"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of trainings: {rabat}"))
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert_eq!(attended, [&json!("T1"), &json!("T2")]);
    assert_eq!(
        rabat["trainings"][1]["module_title_fr"],
        "Compétences numériques"
    );
    assert_eq!(
        rabat["trainings"][1]["audit_trail"],
        "/v1/streams/training/T2"
    );
    // Its support profile is still there beside them.
    assert_eq!(rabat["region"], "MA-04");
    assert_eq!(rabat["applications"], json!([]));
    assert_eq!(page_of(FES).await["trainings"][0]["id"], "T3");
    assert_eq!(page_of(HEALTH).await["trainings"], json!([]));

    // The framework's modules, with both titles, as the portal lists them.
    let modules = list("/v1/trainings/modules".into()).await;
    let modules = modules["modules"].as_array().expect("modules");
    assert_eq!(modules.len(), 9);
    assert_eq!(
        modules[0],
        json!({"code": "GOV", "fr": "Gouvernance associative", "ar": "الحكامة الجمعوية"})
    );
    assert!(modules.iter().any(|m| m["code"] == "DIG"));

    // A malformed or unknown parameter is a 400, never an unfiltered list.
    for path in [
        "/v1/trainings?year=26",
        "/v1/trainings?year=twenty",
        "/v1/trainings?yaer=2026",
        "/v1/trainings?region=MA-13",
        "/v1/trainings?module=fin",
        "/v1/trainings?module=YOGA",
        "/v1/trainings?association=bad%20id",
        "/v1/trainings?association=",
        "/v1/trainings?institution=-MJCC",
        "/v1/trainings?page=x",
        "/v1/trainings?status=open",
    ] {
        ledger
            .get(path)
            .await
            .assert_error(400, "invalid_parameter");
    }
    for path in [
        "/v1/trainings/NOPE",
        "/v1/trainings/T1/more",
        "/v1/associations/NOPE",
    ] {
        ledger.get(path).await.assert_error(404, "not_found");
    }
}
