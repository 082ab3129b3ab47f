//! The `trainings` view from hand-made entries: what a session's row shows, that replaying
//! it changes nothing, that foreign entries make no row and that malformed ones are
//! reported.

use ledger::hash::ZERO_HASH;
use ledger::{Entry, Timestamp};
use serde_json::{json, Value};

use super::{module_codes, modules, Training, TrainingRow, TrainingsProjector, TRAININGS};
use crate::{Projector, ViewChange};

/// 2026-02-21T09:00:00Z.
const RECORDED_MS: i64 = 1_771_664_400_000;

fn entry(index: u64, stream: &str, event_type: &str, data: Value) -> Entry {
    Entry {
        index,
        stream: stream.into(),
        seq: 1,
        event_type: event_type.into(),
        version: "1".into(),
        recorded_at: Timestamp::from_millis(RECORDED_MS),
        data,
        auth: None,
        auth_at: None,
        prev: ZERO_HASH,
    }
}

/// The data of a `TrainingSessionRecorded`, as the domain writes it.
fn recorded(module: &str, date: &str, region: &str, associations: &[&str]) -> Value {
    json!({"institution": "MJCC", "module": module, "date": date, "region": region,
           "trainer_institution": "ADS", "associations": associations, "hours": 12,
           "module_title": "Gestion financière et comptable"})
}

/// The row the projector writes for `entry`, applying its changes in order; every row
/// reads as a [`TrainingRow`] whose JSON is the row itself, so the typed view shows
/// exactly what the row holds.
fn project(entry: &Entry) -> Option<Value> {
    let mut row = None;
    for change in TrainingsProjector.project(entry).expect("a readable entry") {
        assert_eq!(change.view(), TRAININGS);
        row = Some(change.apply(row));
    }
    if let Some(row) = &row {
        let typed = TrainingRow::from_value(row).expect("a row of the view's shape");
        assert_eq!(&serde_json::to_value(&typed).unwrap(), row);
        assert_eq!(TrainingRow::from_text(&row.to_string()), Ok(typed));
    }
    row
}

#[test]
fn a_session_shows_its_module_in_both_languages_its_region_and_its_trail() {
    let e = entry(
        42,
        "training/T1",
        "TrainingSessionRecorded",
        recorded("FIN", "2026-02-20", "MA-04", &["ASSO-1", "ASSO-2"]),
    );
    let row = project(&e).expect("a row");
    assert_eq!(
        row,
        json!({
            "id": "T1",
            "module": "FIN",
            "module_title_fr": "Gestion financière et comptable",
            "module_title_ar": "التدبير المالي والمحاسباتي",
            "date": "2026-02-20",
            "year": 2026,
            "region": "MA-04",
            "region_name": "Rabat-Salé-Kénitra",
            "institution": "MJCC",
            "trainer_institution": "ADS",
            "associations": ["ASSO-1", "ASSO-2"],
            "hours": 12,
            "recorded_at": "2026-02-21T09:00:00.000Z",
            "index": 42,
            "stream": "training/T1",
            "audit_trail": "/v1/streams/training/T1",
        })
    );
}

#[test]
fn replaying_the_entry_writes_the_same_row() {
    // The runner may re-apply entries after a crash; the row must not change.
    let e = entry(
        7,
        "training/T2",
        "TrainingSessionRecorded",
        recorded("DIG", "2025-11-03", "MA-06", &["A"]),
    );
    let once = project(&e).expect("a row");
    let mut again = Some(once.clone());
    for change in TrainingsProjector.project(&e).unwrap() {
        again = Some(change.apply(again));
    }
    assert_eq!(again, Some(once.clone()));
    assert_eq!(once["year"], 2025);
    assert_eq!(once["module_title_ar"], "المهارات الرقمية");
}

#[test]
fn a_module_the_framework_does_not_know_keeps_the_recorded_title() {
    let row = project(&entry(
        3,
        "training/T3",
        "TrainingSessionRecorded",
        recorded("OLD", "2026-01-10", "MA-04", &["A"]),
    ))
    .expect("a row");
    assert_eq!(row["module"], "OLD");
    assert_eq!(row["module_title_fr"], "Gestion financière et comptable");
    assert_eq!(row["module_title_ar"], Value::Null);
}

#[test]
fn a_malformed_entry_is_reported_and_makes_no_row() {
    for (event_type, data) in [
        (
            "TrainingSessionRecorded",
            json!({"date": "20xx-01-01", "region": "MA-99", "associations": ["A", 3, null, "B"],
                   "hours": "many"}),
        ),
        ("TrainingSessionRecorded", json!(null)),
        ("TrainingSessionRecorded", json!([1, 2])),
        (
            "SomethingElse",
            recorded("FIN", "2026-02-20", "MA-04", &["A"]),
        ),
    ] {
        let refused = TrainingsProjector
            .project(&entry(5, "training/T4", event_type, data.clone()))
            .expect_err("a malformed entry");
        assert_eq!(refused.index, 5, "{data}");
    }
}

#[test]
fn a_date_not_written_yyyy_mm_dd_has_no_year() {
    for date in ["", "2026", "2026/01/01", "٢٠٢٦-01-01", "20xx-01-01"] {
        let row = project(&entry(
            8,
            "training/T6",
            "TrainingSessionRecorded",
            recorded("FIN", date, "MA-99", &[]),
        ))
        .expect("a row");
        assert_eq!(row["year"], Value::Null, "{date:?}");
        assert_eq!(row["region_name"], Value::Null);
    }
}

#[test]
fn other_streams_and_empty_ids_make_no_row() {
    let data = recorded("FIN", "2026-02-20", "MA-04", &["A"]);
    for (stream, event_type) in [
        ("association/T1", "TrainingSessionRecorded"),
        ("training/", "TrainingSessionRecorded"),
        ("training", "TrainingSessionRecorded"),
        ("trainings/T1", "TrainingSessionRecorded"),
    ] {
        let changes: Vec<ViewChange> = TrainingsProjector
            .project(&entry(1, stream, event_type, data.clone()))
            .unwrap();
        assert!(changes.is_empty(), "{stream} {event_type}");
    }
}

#[test]
fn the_framework_is_listed_with_both_titles() {
    let list = modules();
    assert_eq!(list.len(), 9);
    assert_eq!(
        serde_json::to_value(&list[0]).unwrap(),
        json!({"code": "GOV", "fr": "Gouvernance associative", "ar": "الحكامة الجمعوية"})
    );
    assert!(list.iter().all(|m| !m.ar.is_empty()));
    let codes = module_codes();
    assert_eq!(codes.len(), list.len());
    assert!(codes.contains(&"ADV") && !codes.contains(&"adv"));
}

#[test]
fn a_listed_session_is_its_row_with_its_institutions_names() {
    let row = project(&entry(
        42,
        "training/T1",
        "TrainingSessionRecorded",
        recorded("FIN", "2026-02-20", "MA-04", &["ASSO-1"]),
    ))
    .expect("a row");
    let shown = Training::new(
        TrainingRow::from_value(&row).unwrap(),
        Some("Ministère de la Jeunesse".into()),
        None,
    );
    let mut expected = row.clone();
    expected["institution_name"] = json!("Ministère de la Jeunesse");
    expected["trainer_institution_name"] = Value::Null;
    let json = serde_json::to_value(&shown).unwrap();
    assert_eq!(json, expected);
    // The members docs/open-data.md documents for a session.
    for member in [
        "id",
        "module",
        "module_title_fr",
        "module_title_ar",
        "date",
        "year",
        "region",
        "region_name",
        "associations",
        "hours",
        "audit_trail",
    ] {
        assert!(json.get(member).is_some(), "{member}");
    }
    let back: Training = serde_json::from_value(json).unwrap();
    assert_eq!(back, shown);
}
