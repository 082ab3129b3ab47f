//! A restart loses none of the facts the domain reads across streams: after a server
//! process stops, the next one knows the offers, applications, awards and drafts of the
//! log, and decides as the first would have; whether it reads them all from the log or
//! from the snapshot of the facts and the entries after it (`--snapshot-every 1`
//! snapshots them as often as it may).

use ledger::Timestamp;
use serde_json::json;

use crate::support::{now_millis, Backend, ServerProcess, Store, PATIENCE};

both_backends!(
    the_domain_knows_every_record_after_a_restart,
    the_domain_knows_every_record_after_a_restart_from_a_snapshot
);

/// An instant `offset_hours` from the wall clock, for stories on the real clock.
pub(crate) fn instant(offset_hours: i64) -> String {
    Timestamp::from_millis(now_millis() + offset_hours * 3_600_000).to_entry_string()
}

async fn the_domain_knows_every_record_after_a_restart(backend: Backend) {
    story(backend, &[]).await;
}

async fn the_domain_knows_every_record_after_a_restart_from_a_snapshot(backend: Backend) {
    let banner = story(backend, &["--snapshot-every", "1"]).await;
    assert!(
        banner.contains("registry: the facts' snapshot at "),
        "{banner}"
    );
}

/// The story, its processes started with `extra` arguments; what the second process
/// printed when it started.
async fn story(backend: Backend, extra: &[&str]) -> String {
    let store = Store::new(backend).await;
    let url = store.database_url();
    let dir = tempfile::tempdir().expect("temporary folder");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));

    let mut first = ServerProcess::start_with(&data, url.as_deref(), None, extra, PATIENCE, &logs)
        .await
        .unwrap_or_else(|f| panic!("the server process did not start: {f:?}"));
    let api = first.api(&data).await;
    api.register_institution("MSISF", "Ministère de la Solidarité")
        .await;
    let official = api
        .register_official(
            &api.admin,
            "official",
            "MSISF",
            &["publisher", "registrar", "drafter"],
        )
        .await;
    api.submit(
        &official,
        "RegisterAssociation",
        "association/AMAL",
        json!({"name": "Amal", "legal_form": "association", "region": "MA-04",
               "domains": ["youth"], "registered_on": "2015-01-01"}),
    )
    .await
    .created();
    api.submit(&official, "PublishOffer", "offer/O1", open_offer("MSISF"))
        .await
        .created();
    let text = vec![json!({"id": "1", "heading": "Objet", "text": "Objet de la loi"})];
    let articles: Vec<domain::participation::Article> =
        serde_json::from_value(json!(text)).expect("articles");
    api.submit(
        &official,
        "CreateDraft",
        "draft/D1",
        json!({"institution": "MSISF", "title": "Projet", "summary": "Résumé"}),
    )
    .await
    .created();
    api.submit(
        &official,
        "PublishRevision",
        "draft/D1",
        json!({"number": 1, "articles": text, "articles_document": null,
               "text_sha256": domain::participation::text_sha256(&articles),
               "change_summary": "Première version"}),
    )
    .await
    .created();
    first.kill9();

    let second = ServerProcess::start_with(&data, url.as_deref(), None, extra, PATIENCE, &logs)
        .await
        .unwrap_or_else(|f| panic!("the server process did not start: {f:?}"));
    let api = second.api(&data).await;
    // The offer, the association and the draft are known to the new process's domain.
    api.submit(
        &official,
        "SubmitApplication",
        "application/P1",
        json!({"offer": "O1", "association": "AMAL", "title": "Projet",
               "summary": "Résumé", "requested_centimes": 100_000}),
    )
    .await
    .created();
    api.submit(
        &official,
        "SubmitApplication",
        "application/P2",
        json!({"offer": "O1", "association": "AMAL", "title": "Projet",
               "summary": "Résumé", "requested_centimes": 100_000}),
    )
    .await
    .assert_error(409, "already_applied");
    api.submit(
        &official,
        "OpenConsultation",
        "consultation/C1",
        json!({"draft": "D1", "revision": 1, "title": "Consultation", "summary": "Avis",
               "opens_at": instant(-1), "closes_at": instant(2)}),
    )
    .await
    .created();
    second.stdout.clone()
}

/// An offer of `institution` open now and for two hours, whatever the year (late if after
/// the first quarter, so justified).
pub(crate) fn open_offer(institution: &str) -> serde_json::Value {
    let year = domain::calendar::local_date(Timestamp::from_millis(now_millis())).year();
    json!({"institution": institution, "fiscal_year": year, "title": "Jeunesse",
           "description": "Appel", "budget_centimes": 1_000_000, "max_award_centimes": 500_000,
           "eligibility": {"regions": [], "domains": [], "min_age_years": 0},
           "criteria": [{"id": "a", "title": "A", "weight": 100}],
           "opens_at": instant(-1), "closes_at": instant(2),
           "late_justification": "Publié hors du premier trimestre pour ce test"})
}
