//! Public support to associations, the whole way: a ministry publishes an offer,
//! associations apply (one with its own key, others through the registrar), evaluators
//! declare their conflicts and score, the publisher closes, awards, disburses, the
//! association reports with a signed document, and an award is revoked. Every step goes
//! over HTTP with real keys, every answer is checked for the entry it appended and the
//! facts the domain adds, and the export of the finished story verifies offline.
//!
//! A second scenario runs the lifecycle's commands through `sijill submit`, as a clerk does.
//!
//! This is the promise to the public: every dirham from the call to the final report is a
//! signed entry that anyone can check.

use ledger::hash::{sha256, to_hex};
use ledger::Timestamp;
use serde_json::{json, Value};

use crate::lifecycle::{
    application_body, at, declare_and_score, Cast, Ledger, AFTER_CLOSE, CASA, EVALUATOR2_ID,
    EVALUATOR_ID, IN_WINDOW, KENITRA, MINISTRY, Q1_DEADLINE_2026, RABAT, SALE,
};
use crate::support::{now_millis, run_binary, Backend, TestApp};

both_backends!(
    the_support_lifecycle_runs_end_to_end_and_its_export_verifies,
    a_clerk_runs_the_lifecycle_commands_with_sijill_submit,
);

const OFFER: &str = "MJCC-2026-JEUNES";

async fn the_support_lifecycle_runs_end_to_end_and_its_export_verifies(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    let offer_stream = format!("offer/{OFFER}");

    // --- The call, published in the first quarter: on time. ---
    let (_, offer) = ledger
        .accept(
            &cast.publisher,
            "PublishOffer",
            &offer_stream,
            crate::lifecycle::offer_body(MINISTRY),
            "OfferPublished",
        )
        .await;
    assert_eq!(offer["published_late"], false, "{offer}");
    assert_eq!(
        offer["q1_deadline"], Q1_DEADLINE_2026,
        "Q1 2026 ends at midnight in Casablanca (UTC+1): {offer}"
    );

    // --- Applications, inside the window. ---
    ledger.clock.set(IN_WINDOW);
    // RABAT applies in its own name, with its own key and a supporting document.
    let budget_doc = b"Budget previsionnel 2026 - ASSO-RABAT\n".to_vec();
    let budget_sha = to_hex(&sha256(&budget_doc));
    assert_eq!(
        ledger.upload(&cast.rabat, budget_doc).await.created()["sha256"],
        budget_sha
    );
    let mut body = application_body(OFFER, RABAT, 15_000_000);
    body["documents"] = json!([budget_sha]);
    let (_, rabat_app) = ledger
        .accept(
            &cast.rabat,
            "SubmitApplication",
            "application/APP-RABAT",
            body,
            "ApplicationSubmitted",
        )
        .await;
    assert_eq!(rabat_app["documents"], json!([budget_sha]));
    // The others through the registrar, on their behalf.
    for (id, association, requested) in [
        ("APP-CASA", CASA, 20_000_000),
        ("APP-SALE", SALE, 10_000_000),
        ("APP-KENITRA", KENITRA, 5_000_000),
    ] {
        ledger
            .accept(
                &cast.registrar,
                "SubmitApplication",
                &format!("application/{id}"),
                application_body(OFFER, association, requested),
                "ApplicationSubmitted",
            )
            .await;
    }

    // --- Declarations: the first evaluator sits on CASA's board. ---
    let (_, conflict) = ledger
        .accept(
            &cast.evaluator,
            "DeclareConflictOfInterest",
            "application/APP-CASA",
            json!({"conflict": true, "note": "Membre du bureau de l'association"}),
            "ConflictOfInterestDeclared",
        )
        .await;
    assert_eq!(conflict["offer"], OFFER, "{conflict}");
    assert_eq!(conflict["evaluator"], EVALUATOR_ID, "{conflict}");

    // --- Scoring, once the window has closed. ---
    ledger.clock.set(AFTER_CLOSE);
    let rabat_score = declare_and_score(&ledger, &cast.evaluator, "APP-RABAT", 90, 80).await;
    assert_eq!(rabat_score["total_hundredths"], 90 * 60 + 80 * 40);
    assert_eq!(rabat_score["offer"], OFFER);
    assert_eq!(rabat_score["evaluator"], EVALUATOR_ID);
    let casa_score = declare_and_score(&ledger, &cast.evaluator2, "APP-CASA", 70, 70).await;
    assert_eq!(casa_score["total_hundredths"], 7000);
    assert_eq!(casa_score["evaluator"], EVALUATOR2_ID);
    let sale_score = declare_and_score(&ledger, &cast.evaluator, "APP-SALE", 60, 50).await;
    assert_eq!(sale_score["total_hundredths"], 5600);
    // KENITRA is scored by both evaluators: its score is the mean of the two totals.
    declare_and_score(&ledger, &cast.evaluator, "APP-KENITRA", 50, 50).await;
    let k2 = declare_and_score(&ledger, &cast.evaluator2, "APP-KENITRA", 41, 41).await;
    assert_eq!(k2["total_hundredths"], 4100);

    // --- Closing the call. ---
    let (closed, data) = ledger
        .accept(
            &cast.publisher,
            "CloseOffer",
            &offer_stream,
            json!({}),
            "OfferClosed",
        )
        .await;
    assert_eq!(data["applications"], 4, "{data}");
    assert_eq!(closed.seq, 2, "the offer's second entry");

    // --- Awards, in score order: RABAT (86.00), CASA (70.00), SALE (56.00). ---
    let mut committed = 0;
    for (award, application, association, amount, requested, score) in [
        ("AW-RABAT", "APP-RABAT", RABAT, 15_000_000, 15_000_000, 8600),
        ("AW-CASA", "APP-CASA", CASA, 18_000_000, 20_000_000, 7000),
        ("AW-SALE", "APP-SALE", SALE, 10_000_000, 10_000_000, 5600),
    ] {
        committed += amount;
        let (_, data) = ledger
            .accept(
                &cast.publisher,
                "GrantAward",
                &format!("award/{award}"),
                json!({"application": application, "amount_centimes": amount,
                       "justification": null}),
                "AwardGranted",
            )
            .await;
        assert_eq!(data["offer"], OFFER, "{data}");
        assert_eq!(data["institution"], MINISTRY, "{data}");
        assert_eq!(data["association"], association, "{data}");
        assert_eq!(data["requested_centimes"], requested, "{data}");
        assert_eq!(data["score_hundredths"], score, "{data}");
        assert_eq!(data["out_of_order"], false, "{data}");
        assert_eq!(data["offer_committed_centimes"], committed, "{data}");
    }
    // KENITRA (45.50, last in score order) gets an award in order too.
    let (_, kenitra) = ledger
        .accept(
            &cast.publisher,
            "GrantAward",
            "award/AW-KENITRA",
            json!({"application": "APP-KENITRA", "amount_centimes": 5_000_000}),
            "AwardGranted",
        )
        .await;
    assert_eq!(kenitra["score_hundredths"], (5000 + 4100) / 2, "{kenitra}");
    assert_eq!(
        kenitra["justification"],
        Value::Null,
        "absent optional fields are null"
    );
    committed += 5_000_000;
    assert_eq!(kenitra["offer_committed_centimes"], committed);

    // --- Disbursements, in two instalments. ---
    let mut disbursed = 0;
    for (amount, reference) in [(10_000_000, "VIR-2026-0001"), (5_000_000, "VIR-2026-0002")] {
        disbursed += amount;
        let (_, data) = ledger
            .accept(
                &cast.publisher,
                "RecordDisbursement",
                "award/AW-RABAT",
                json!({"amount_centimes": amount, "reference": reference}),
                "DisbursementRecorded",
            )
            .await;
        assert_eq!(data["offer"], OFFER);
        assert_eq!(data["association"], RABAT);
        assert_eq!(data["disbursed_total_centimes"], disbursed, "{data}");
    }

    // --- RABAT reports, uploading its report first with its own key. ---
    let report = "Rapport d'activité 2026 : 14 ateliers, 131 participants.\n"
        .as_bytes()
        .to_vec();
    let report_sha = to_hex(&sha256(&report));
    let size = ledger.tree_size().await;
    assert_eq!(
        ledger.upload(&cast.rabat, report.clone()).await.created()["sha256"],
        report_sha
    );
    assert_eq!(ledger.tree_size().await, size, "an upload appends nothing");
    ledger
        .get(&format!("/v1/documents/{report_sha}"))
        .await
        .assert_error(404, "not_found");
    let (_, data) = ledger
        .accept(
            &cast.rabat,
            "SubmitReport",
            "award/AW-RABAT",
            json!({"kind": "activity", "summary": "Ateliers réalisés comme prévu.",
                   "document": report_sha}),
            "ReportSubmitted",
        )
        .await;
    assert_eq!(data["offer"], OFFER);
    assert_eq!(data["association"], RABAT);
    assert_eq!(data["documents"], json!([report_sha]), "{data}");
    // Named by an entry, the report is now public, byte for byte.
    let served = ledger.get(&format!("/v1/documents/{report_sha}")).await;
    assert_eq!(served.status.as_u16(), 200, "{}", served.text());
    assert_eq!(served.bytes, report);

    // --- SALE received part of its award, then the award is revoked. ---
    ledger
        .accept(
            &cast.publisher,
            "RecordDisbursement",
            "award/AW-SALE",
            json!({"amount_centimes": 4_000_000, "reference": null}),
            "DisbursementRecorded",
        )
        .await;
    let (revoked, data) = ledger
        .accept(
            &cast.publisher,
            "RevokeAward",
            "award/AW-SALE",
            json!({"reason": "Activités non réalisées", "recover_centimes": 4_000_000}),
            "AwardRevoked",
        )
        .await;
    assert_eq!(revoked.seq, 3, "grant, disbursement, revocation");
    assert_eq!(data["offer"], OFFER);
    assert_eq!(data["association"], SALE);
    assert_eq!(data["disbursed_centimes"], 4_000_000, "{data}");
    // A revoked award commits only what was disbursed of it.
    assert_eq!(
        data["offer_committed_centimes"],
        committed - 10_000_000 + 4_000_000,
        "{data}"
    );

    // Every entry carries the ledger clock's time, never the machine's.
    let lines = ledger.all_entries().await;
    let last = crate::support::parse_entry(lines.last().unwrap(), &ledger.log_key);
    assert_eq!(last.entry.recorded_at, at(AFTER_CLOSE));

    // --- The story, exported and verified offline. ---
    ledger.export_and_verify(ledger.scratch(), "export").await;
}

/// `sijill submit` as a clerk types it, with the bodies of `docs/support-lifecycle.md` in
/// files: it signs with the machine's clock, so this server runs on the system clock and
/// the offer's window is placed around the real present (for next fiscal year, so that
/// it is never late whatever the date the suite runs on).
async fn a_clerk_runs_the_lifecycle_commands_with_sijill_submit(backend: Backend) {
    let app = TestApp::start(backend).await;
    app.register_institution(MINISTRY, "Ministère de la Jeunesse")
        .await;
    let keys = app.scratch().join("clerk-keys");
    std::fs::create_dir_all(&keys).unwrap();
    let mut key_files = Vec::new();
    for (id, role) in [
        ("registrar-cli", "registrar"),
        ("publisher-cli", "publisher"),
    ] {
        let path = keys.join(format!("{id}.key"));
        let key = keys::generate(&path).expect("a key file");
        app.submit(
            &app.admin,
            "RegisterActor",
            &format!("registry/{id}"),
            json!({"public_key": keys::public_b64(&key), "name": id,
                   "institution": MINISTRY, "roles": [role]}),
        )
        .await
        .created();
        key_files.push(path);
    }
    let (registrar, publisher) = (&key_files[0], &key_files[1]);
    let submit = |key: &std::path::Path, command: &str, stream: &str, body: Value| {
        let body_file = app
            .scratch()
            .join(format!("{}.json", stream.replace('/', "-")));
        std::fs::write(&body_file, body.to_string()).unwrap();
        let (base, key, command, stream) = (
            app.base.clone(),
            key.to_owned(),
            command.to_owned(),
            stream.to_owned(),
        );
        async move {
            let (code, stdout, stderr) = run_binary(&[
                "submit",
                "--server",
                &base,
                "--key",
                key.to_str().unwrap(),
                "--command",
                &command,
                "--stream",
                &stream,
                "--body",
                body_file.to_str().unwrap(),
            ])
            .await;
            let answer: Value = serde_json::from_str(stdout.trim())
                .unwrap_or_else(|_| panic!("submit prints JSON: {stdout} {stderr}"));
            (code, answer)
        }
    };

    let (code, answer) = submit(
        registrar,
        "RegisterAssociation",
        "association/ASSO-CLI",
        crate::lifecycle::association_body("Association Atlas", "MA-04", &["youth"], "2015-01-01"),
    )
    .await;
    assert_eq!(code, 0, "{answer}");
    assert_eq!(answer["entries"][0]["type"], "AssociationRegistered");

    let now = now_millis();
    let day = 24 * 3600 * 1000;
    let year: i64 = Timestamp::from_millis(now).to_entry_string()[..4]
        .parse()
        .unwrap();
    let mut offer = crate::lifecycle::offer_body(MINISTRY);
    offer["fiscal_year"] = json!(year + 1);
    offer["opens_at"] = json!(Timestamp::from_millis(now - day).to_entry_string());
    offer["closes_at"] = json!(Timestamp::from_millis(now + 30 * day).to_entry_string());
    let (code, answer) = submit(publisher, "PublishOffer", "offer/CLI-OFFER", offer).await;
    assert_eq!(code, 0, "{answer}");
    assert_eq!(answer["entries"][0]["type"], "OfferPublished");

    let application = application_body("CLI-OFFER", "ASSO-CLI", 10_000_000);
    let (code, answer) = submit(
        registrar,
        "SubmitApplication",
        "application/CLI-1",
        application,
    )
    .await;
    assert_eq!(code, 0, "{answer}");
    assert_eq!(answer["entries"][0]["type"], "ApplicationSubmitted");

    // A refusal: exit 1 and the server's error, nothing appended.
    let size = app.tree_size().await;
    let again = application_body("CLI-OFFER", "ASSO-CLI", 5_000_000);
    let (code, answer) = submit(registrar, "SubmitApplication", "application/CLI-2", again).await;
    assert_eq!(code, 1, "{answer}");
    assert_eq!(answer["error"], "already_applied", "{answer}");
    assert_eq!(app.tree_size().await, size);
}
