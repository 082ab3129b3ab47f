//! `sijill serve --demo` (docs/demo.md), as a newcomer runs it: on an empty store the real
//! binary records its story through signed statements before it listens, the log says it
//! is a demo, covers at least two fiscal years in the past, verifies end to end, and still
//! has a call open at the real present that a newcomer can apply to; a second start on the
//! same store adds nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use ledger::{SignedEntry, Timestamp};
use serde_json::{json, Value};

use crate::support::{now_millis, parse_entry, Backend, ServerProcess, Store};

both_backends!(the_demo_records_a_living_portal_once);

/// The demo records several hundred statements before it listens; a debug build on two
/// cores shared with the other tests needs more than the usual patience.
const DEMO_PATIENCE: Duration = Duration::from_secs(300);

const DAY_MS: i64 = 86_400_000;

fn millis(text: &Value) -> i64 {
    text.as_str()
        .and_then(|t| Timestamp::parse_statement(t).ok())
        .map_or(i64::MIN, Timestamp::millis)
}

async fn the_demo_records_a_living_portal_once(backend: Backend) {
    let store = Store::new(backend).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let url = store.database_url();
    let started = now_millis();

    let server = ServerProcess::start_with(
        &data,
        url.as_deref(),
        None,
        &["--demo"],
        DEMO_PATIENCE,
        &logs,
    )
    .await
    .unwrap_or_else(|f| panic!("the demo server did not start: {f:?}"));
    let recorded: u64 = server
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("demo: recorded "))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no closing line with the statements recorded: {}",
                server.stdout
            )
        });
    let api = server.api(&data).await;
    assert!(
        api.origin.ends_with("-demo"),
        "a demo log says so: {}",
        api.origin
    );

    let entries: Vec<SignedEntry> = api
        .all_entries()
        .await
        .iter()
        .map(|line| parse_entry(line, &api.log_key))
        .collect();
    // The genesis, then one entry per statement (each command of the story appends one).
    assert_eq!(entries.len() as u64, recorded + 1, "{}", server.stdout);
    let of_type = |t: &str| -> Vec<&Value> {
        entries
            .iter()
            .filter(|e| e.entry.event_type == t)
            .map(|e| &e.entry.data)
            .collect()
    };
    let counts: BTreeMap<&str, usize> = entries.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e.entry.event_type.as_str()).or_default() += 1;
        m
    });

    // The story lies in the past: it starts more than a year and a half ago and ends
    // before this test started; the log's clock never went backwards.
    let first = entries[0].entry.recorded_at.millis();
    let last = entries[entries.len() - 1].entry.recorded_at.millis();
    assert!(
        started - first > 540 * DAY_MS,
        "the story starts long ago: {counts:?}"
    );
    assert!(last < started, "the story ends before the present");
    assert!(entries
        .windows(2)
        .all(|w| w[0].entry.recorded_at <= w[1].entry.recorded_at));

    // Associations: at least sixty, in at least eight regions.
    let associations = of_type("AssociationRegistered");
    let regions: BTreeSet<&str> = associations
        .iter()
        .filter_map(|a| a["region"].as_str())
        .collect();
    assert!(associations.len() >= 60, "{counts:?}");
    assert!(regions.len() >= 8, "regions: {regions:?}");

    // Offers of at least two fiscal years, one late at least, one open now and for weeks.
    let offers = of_type("OfferPublished");
    let years: BTreeSet<i64> = offers
        .iter()
        .filter_map(|o| o["fiscal_year"].as_i64())
        .collect();
    assert!(years.len() >= 2, "fiscal years: {years:?}");
    assert!(offers
        .iter()
        .any(|o| o["published_late"] == true && o["late_justification"].is_string()));
    let now = now_millis();
    let open: Vec<&&Value> = offers
        .iter()
        .filter(|o| millis(&o["opens_at"]) <= now && millis(&o["closes_at"]) > now + 14 * DAY_MS)
        .collect();
    assert!(!open.is_empty(), "an offer is open at the real present");

    // Every step of the lifecycle, including the rules at work.
    for t in [
        "ApplicationSubmitted",
        "ConflictOfInterestDeclared",
        "ApplicationScored",
        "OfferClosed",
        "OfferAmended",
        "AwardGranted",
        "DisbursementRecorded",
        "ReportSubmitted",
        "AwardRevoked",
        "ActorRevoked",
    ] {
        assert!(counts.contains_key(t), "no {t} in the demo: {counts:?}");
    }
    assert!(of_type("ConflictOfInterestDeclared")
        .iter()
        .any(|d| d["conflict"] == true));
    let out_of_order: Vec<_> = of_type("AwardGranted")
        .into_iter()
        .filter(|a| a["out_of_order"] == true)
        .collect();
    assert_eq!(out_of_order.len(), 1, "one award out of score order");
    assert!(out_of_order[0]["justification"].is_string());

    // The portal's read models show the same story.
    let total = |path: &'static str| {
        let api = api.clone();
        async move {
            let reply = api.get(path).await;
            assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text());
            reply.json["total"].as_u64().unwrap_or(0)
        }
    };
    assert!(total("/v1/associations").await >= 60);
    assert!(
        total("/v1/offers?status=open").await >= 1,
        "an open offer on the portal"
    );
    assert_eq!(total("/v1/awards").await, counts["AwardGranted"] as u64);

    // The whole log verifies offline, reports' documents included.
    api.export_and_verify(dir.path(), "export").await;
    let exported: BTreeSet<String> = std::fs::read_dir(dir.path().join("export/documents"))
        .expect("documents")
        .map(|f| f.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let named_in = |member: &str| -> BTreeSet<String> {
        entries
            .iter()
            .filter_map(|e| e.entry.data[member].as_array())
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_owned))
            .collect()
    };
    let withheld = named_in("withheld");
    let expected: BTreeSet<String> = named_in("documents")
        .difference(&withheld)
        .cloned()
        .collect();
    assert_eq!(
        exported, expected,
        "every named document but the withheld is exported"
    );
    assert!(!withheld.is_empty(), "a comment's text is withheld");

    // Law drafts and consultations: three revisions each, one as a document,
    // comments in French and Arabic, moderation, answers, results, revisions motivated
    // by them, and a consultation open now.
    for t in [
        "DraftCreated",
        "RevisionPublished",
        "ConsultationOpened",
        "CommentSubmitted",
        "CommentModerated",
        "CommentsAnswered",
        "ConsultationClosed",
        "ResultsPublished",
        "TrainingSessionRecorded",
    ] {
        assert!(counts.contains_key(t), "no {t} in the demo: {counts:?}");
    }
    assert!(
        counts["DraftCreated"] >= 2 && counts["RevisionPublished"] >= 6,
        "{counts:?}"
    );
    assert!(counts["CommentSubmitted"] >= 150, "{counts:?}");
    let revisions = of_type("RevisionPublished");
    assert!(revisions.iter().any(|r| r["articles_document"].is_string()));
    assert!(revisions.iter().any(|r| r["motivated_by"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x["comment"].is_u64()))));
    let moderation = of_type("CommentModerated");
    assert!(moderation.iter().any(|m| m["action"] == "restore"));
    let open_consultations = of_type("ConsultationOpened")
        .into_iter()
        .filter(|c| millis(&c["opens_at"]) <= now && millis(&c["closes_at"]) > now + 14 * DAY_MS)
        .count();
    assert!(
        open_consultations >= 1,
        "a consultation is open at the real present"
    );
    assert!(
        total("/v1/consultations?status=open").await >= 1,
        "an open consultation on the portal"
    );

    // Every indicator has a value for the story's last two years.
    let last_year = offers
        .iter()
        .filter_map(|o| o["fiscal_year"].as_i64())
        .max()
        .unwrap_or(0);
    for year in [last_year - 1, last_year] {
        let reply = api.get(&format!("/v1/indicators?year={year}")).await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
        for i in reply.json["indicators"].as_array().expect("indicators") {
            let v = &i["value"];
            assert!(v.is_number() && v.as_f64() != Some(0.0), "{year}: {i}");
        }
    }

    // The live server runs on real time: a newcomer, registered by the demo's registrar,
    // applies to the open call.
    let registrar =
        keys::load(&data.join("keys/demo/mdrp.registrar.key")).expect("the demo's keys are kept");
    let offer_entry = entries
        .iter()
        .find(|e| e.entry.event_type == "OfferPublished" && &&e.entry.data == open[0])
        .expect("the open offer's entry");
    let offer_id = offer_entry
        .entry
        .stream
        .trim_start_matches("offer/")
        .to_owned();
    let domain = open[0]["eligibility"]["domains"][0]
        .as_str()
        .unwrap_or("youth")
        .to_owned();
    api.submit(
        &registrar,
        "RegisterAssociation",
        "association/newcomer",
        json!({"name": "Association des nouveaux venus", "legal_form": "association",
               "region": "MA-04", "domains": [domain], "registered_on": "2015-06-01"}),
    )
    .await
    .created();
    let requested = open[0]["max_award_centimes"].as_u64().expect("max award") / 2;
    let applied = api
        .submit(
            &registrar,
            "SubmitApplication",
            "application/newcomer-1",
            json!({"offer": offer_id, "association": "newcomer", "title": "Premier projet",
                   "summary": "Un projet déposé sur le portail de démonstration.",
                   "requested_centimes": requested}),
        )
        .await;
    applied.created();
    let size = api.tree_size().await;
    let new_entry = parse_entry(&api.entry_lines(size - 1, 1).await[0], &api.log_key);
    assert!(
        new_entry.entry.recorded_at.millis() >= started,
        "recorded on real time"
    );
    drop(server);

    // A second start on the same store adds nothing.
    let again = ServerProcess::start_with(
        &data,
        url.as_deref(),
        None,
        &["--demo"],
        DEMO_PATIENCE,
        &logs,
    )
    .await
    .unwrap_or_else(|f| panic!("the demo server did not restart: {f:?}"));
    assert!(
        again.stdout.contains("nothing added"),
        "a restart says it added nothing: {}",
        again.stdout
    );
    let api = again.api(&data).await;
    assert_eq!(
        api.tree_size().await,
        size,
        "a second start records nothing"
    );
}
