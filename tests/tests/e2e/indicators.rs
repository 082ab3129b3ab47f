//! The commitment's indicators: computed by the server from the log, equal to the
//! hand-computed figures of a small story, and byte-identical to what `sijill indicators`
//! computes offline from an export, for the whole log and for an earlier tree size.

use serde_json::{json, Value};

use crate::lifecycle::{
    apply, close_and_grant_w1, declare_and_score, publish, Cast, Ledger, AFTER_CLOSE, CASA,
    IN_WINDOW, MINISTRY, RABAT, SALE,
};
use crate::support::{new_key, public_b64, Backend};

both_backends!(the_server_and_the_offline_command_agree_on_the_indicators);

fn value(answer: &Value, key: &str) -> Value {
    answer["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no indicator {key} in {answer}"))["value"]
        .clone()
}

async fn the_server_and_the_offline_command_agree_on_the_indicators(backend: Backend) {
    let ledger = Ledger::start(backend).await;
    let cast = Cast::register(&ledger).await;
    publish(&ledger, &cast, "O1", |_| {}).await;
    ledger.clock.set(IN_WINDOW);
    apply(&ledger, &cast, "P1", "O1", RABAT, 10_000_000).await;
    apply(&ledger, &cast, "P2", "O1", CASA, 8_000_000).await;
    ledger.clock.set(AFTER_CLOSE);
    declare_and_score(&ledger, &cast.evaluator, "P1", 80, 80).await;
    declare_and_score(&ledger, &cast.evaluator, "P2", 50, 50).await;
    close_and_grant_w1(&ledger, &cast).await;
    ledger
        .accept(
            &cast.publisher,
            "RecordDisbursement",
            "award/W1",
            json!({"amount_centimes": 4_000_000}),
            "DisbursementRecorded",
        )
        .await;
    let trainer = new_key();
    ledger
        .accept(
            &ledger.admin,
            "RegisterActor",
            "registry/trainer-mjcc",
            json!({"public_key": public_b64(&trainer), "name": "Formatrice",
                   "institution": MINISTRY, "roles": ["trainer"]}),
            "ActorRegistered",
        )
        .await;
    ledger
        .accept(
            &trainer,
            "RecordTrainingSession",
            "training/T1",
            json!({"institution": MINISTRY, "module": "FIN", "date": "2026-02-20",
                   "region": "MA-04", "trainer_institution": MINISTRY,
                   "associations": [RABAT, SALE, CASA], "hours": 6}),
            "TrainingSessionRecorded",
        )
        .await;

    // The server's figures, against the story computed by hand.
    let reply = ledger.get("/v1/indicators?year=2026").await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
    let answer = &reply.json;
    let size = ledger.tree_size().await;
    assert_eq!(answer["checkpoint"]["size"], size);
    assert_eq!(answer["year"], 2026);
    for (key, expected) in [
        ("offers_published", json!(1)),
        ("offers_published_q1_share", json!(1.0)),
        ("institutions_publishing_offers", json!(1)),
        ("institutions_involved", json!(1)),
        // The cast registers seven associations.
        ("associations_registered", json!(7)),
        ("associations_supported_share", json!(1.0 / 7.0)),
        ("amount_awarded_centimes", json!(10_000_000)),
        ("amount_disbursed_centimes", json!(4_000_000)),
        ("training_sessions", json!(1)),
        ("associations_trained", json!(3)),
        ("consultations_conducted", json!(0)),
        ("consultation_comments", json!(0)),
        ("comments_answered_share", Value::Null),
    ] {
        assert_eq!(value(answer, key), expected, "{key}");
    }
    // The checkpoint it is stamped with is the log's own at that size.
    let (_, checkpoint) = ledger.checkpoint().await;
    use base64::Engine as _;
    assert_eq!(
        answer["checkpoint"]["root"],
        base64::engine::general_purpose::STANDARD.encode(checkpoint.root)
    );

    // Offline, from an export: the same bytes, for the whole log and for an earlier size.
    let dir = tempfile::tempdir().expect("temporary folder");
    let export = dir.path().join("export");
    ledger.export(&export).await;
    let offline = client::indicators::from_export(&export, Some(2026), None).expect("offline");
    assert_eq!(
        serde_json::to_string(&offline).expect("json").as_bytes(),
        reply.bytes.as_slice()
    );
    let earlier = size - 3;
    let reply = ledger
        .get(&format!("/v1/indicators?year=2026&size={earlier}"))
        .await;
    let offline =
        client::indicators::from_export(&export, Some(2026), Some(earlier)).expect("offline");
    assert_eq!(
        serde_json::to_string(&offline).expect("json").as_bytes(),
        reply.bytes.as_slice()
    );
    // Before the disbursement, the award and the training, those figures were lower.
    assert_eq!(value(&reply.json, "training_sessions"), json!(0));

    // An earlier size never sends the head back to the start of the log: the next answer
    // for the whole log reads no entry, and earlier sizes are still right.
    let indicators = &ledger.service().indicators;
    let head = ledger.get("/v1/indicators?year=2026").await;
    assert_eq!(indicators.head_size().await, size);
    for earlier in [1, 2, size / 2, size - 1] {
        let before = indicators.entries_folded();
        let reply = ledger
            .get(&format!("/v1/indicators?year=2026&size={earlier}"))
            .await;
        assert_eq!(reply.status.as_u16(), 200, "{}", reply.text());
        let offline =
            client::indicators::from_export(&export, Some(2026), Some(earlier)).expect("offline");
        assert_eq!(
            serde_json::to_string(&offline).expect("json").as_bytes(),
            reply.bytes.as_slice()
        );
        // Folded on its own copy from the start (no snapshot below this small size).
        assert_eq!(indicators.entries_folded(), before + earlier);
        let before = indicators.entries_folded();
        let again = ledger.get("/v1/indicators?year=2026").await;
        assert_eq!(again.bytes, head.bytes);
        assert_eq!(
            indicators.entries_folded(),
            before,
            "the head read the log again"
        );
        assert_eq!(indicators.head_size().await, size);
    }

    for bad in [
        "year=1999",
        "size=0",
        &format!("size={}", size + 1),
        "colour=red",
    ] {
        ledger
            .get(&format!("/v1/indicators?{bad}"))
            .await
            .assert_error(400, "invalid_parameter");
    }
}
