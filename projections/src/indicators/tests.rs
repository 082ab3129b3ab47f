//! The indicators on a scenario computed by hand.

use ed25519_dalek::SigningKey;
use ledger::{Entry, Timestamp};
use serde_json::{json, Value};

use super::*;

struct Log {
    entries: Vec<ledger::SignedEntry>,
    seqs: std::collections::HashMap<String, u64>,
    key: SigningKey,
}

impl Log {
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            seqs: Default::default(),
            key: SigningKey::from_bytes(&[7; 32]),
        }
    }

    fn add(&mut self, at: &str, stream: &str, event_type: &str, data: Value) {
        let seq = self.seqs.entry(stream.to_owned()).or_default();
        *seq += 1;
        let entry = Entry {
            index: self.entries.len() as u64,
            stream: stream.to_owned(),
            seq: *seq,
            event_type: event_type.to_owned(),
            version: "1".into(),
            recorded_at: Timestamp::parse_statement(at).unwrap(),
            data,
            auth: None,
            auth_at: None,
            prev: [0; 32],
        };
        self.entries.push(entry.sign(&self.key).unwrap());
    }

    fn fold(&self) -> IndicatorFold {
        let mut fold = IndicatorFold::new();
        for e in &self.entries {
            fold.push(e);
        }
        fold
    }
}

fn association(log: &mut Log, at: &str, id: &str, region: &str) {
    log.add(
        at,
        &format!("association/{id}"),
        "AssociationRegistered",
        json!({
        "name": id, "legal_form": "association", "region": region, "domains": ["youth"],
        "registered_on": "2015-01-01"}),
    );
}

fn offer(log: &mut Log, at: &str, id: &str, institution: &str, year: i16, late: bool) {
    log.add(
        at,
        &format!("offer/{id}"),
        "OfferPublished",
        json!({
        "institution": institution, "fiscal_year": year, "title": "t", "description": "d",
        "budget_centimes": 10_000, "max_award_centimes": 1_000,
        "eligibility": {"regions": [], "domains": [], "min_age_years": 0},
        "criteria": [{"id": "a", "title": "A", "weight": 100}],
        "opens_at": "2026-01-01T00:00:00Z", "closes_at": "2026-12-01T00:00:00Z",
        "late_justification": if late { json!("retard") } else { Value::Null },
        "published_late": late, "q1_deadline": "2026-03-31T23:00:00.000Z"}),
    );
}

fn award(log: &mut Log, at: &str, id: &str, offer: &str, association: &str, amount: u64) {
    log.add(
        at,
        &format!("award/{id}"),
        "AwardGranted",
        json!({
        "application": format!("app-{id}"), "amount_centimes": amount, "justification": null,
        "offer": offer, "institution": "MIN", "association": association,
        "requested_centimes": amount, "score_hundredths": 5000, "out_of_order": false,
        "offer_committed_centimes": amount}),
    );
}

fn disburse(
    log: &mut Log,
    at: &str,
    id: &str,
    offer: &str,
    association: &str,
    amount: u64,
    total: u64,
) {
    log.add(
        at,
        &format!("award/{id}"),
        "DisbursementRecorded",
        json!({
        "amount_centimes": amount, "reference": null, "offer": offer,
        "association": association, "disbursed_total_centimes": total}),
    );
}

fn consultation(log: &mut Log, at: &str, id: &str, opens_at: &str) {
    log.add(
        at,
        &format!("consultation/{id}"),
        "ConsultationOpened",
        json!({
        "draft": "D1", "revision": 1, "title": "t", "summary": "s", "opens_at": opens_at,
        "closes_at": "2027-12-01T00:00:00Z", "institution": "MIN", "article_ids": ["1"]}),
    );
}

fn comment(
    log: &mut Log,
    at: &str,
    id: &str,
    n: u64,
    association: Option<&str>,
    person: Option<&str>,
) {
    log.add(
        at,
        &format!("consultation/{id}"),
        "CommentSubmitted",
        json!({
        "comment": n, "article": null, "document": format!("{n:064x}"),
        "documents": [format!("{n:064x}")],
        "channel": if association.is_some() { "association" } else { "public" },
        "association": association, "person": person}),
    );
}

fn training(
    log: &mut Log,
    at: &str,
    id: &str,
    institution: &str,
    date: &str,
    region: &str,
    associations: &[&str],
) {
    log.add(
        at,
        &format!("training/{id}"),
        "TrainingSessionRecorded",
        json!({
        "institution": institution, "module": "FIN", "date": date, "region": region,
        "trainer_institution": institution, "associations": associations, "hours": 6,
        "module_title": "Gestion financière et comptable"}),
    );
}

/// The scenario of the indicator definitions (docs/indicators.md), for 2026:
/// A1 (MA-04, 2025) and A2 (MA-06, 2026) registered by the end of 2026, A3 in 2027;
/// offers of fiscal 2026: O1 (MIN, on time), O2 (MIN, late), O3 (OTH, on time), and O0 of
/// 2025; W1 on O1 to A1: 100, 60 paid; W2 on O2 to A2: 50, 20 paid, revoked; W3 on O0;
/// consultation C1 opened in 2026 with comments by person p1, association A1 and p1
/// again, two answered, two recommendations, and C0 opened in 2025; trainings T1 (MIN,
/// MA-04, A1 and A2) and T2 (OTH, MA-06, A2) in 2026, T0 in 2025.
fn scenario() -> Log {
    let mut log = Log::new();
    log.add(
        "2025-01-01T00:00:00Z",
        "registry/admin",
        "ActorRegistered",
        json!({}),
    );
    association(&mut log, "2025-02-01T00:00:00Z", "A1", "MA-04");
    offer(&mut log, "2025-02-02T00:00:00Z", "O0", "MIN", 2025, false);
    award(&mut log, "2025-06-01T00:00:00Z", "W3", "O0", "A1", 999);
    consultation(
        &mut log,
        "2025-06-02T00:00:00Z",
        "C0",
        "2025-06-02T00:00:00Z",
    );
    comment(&mut log, "2025-06-03T00:00:00Z", "C0", 1, None, Some("p9"));
    training(
        &mut log,
        "2025-07-01T00:00:00Z",
        "T0",
        "MIN",
        "2025-06-30",
        "MA-04",
        &["A1"],
    );
    association(&mut log, "2026-01-05T00:00:00Z", "A2", "MA-06");
    offer(&mut log, "2026-01-10T00:00:00Z", "O1", "MIN", 2026, false);
    offer(&mut log, "2026-01-11T00:00:00Z", "O3", "OTH", 2026, false);
    offer(&mut log, "2026-05-10T00:00:00Z", "O2", "MIN", 2026, true);
    consultation(
        &mut log,
        "2026-01-20T00:00:00Z",
        "C1",
        "2026-02-01T00:00:00Z",
    );
    comment(&mut log, "2026-02-02T00:00:00Z", "C1", 1, None, Some("p1"));
    comment(&mut log, "2026-02-03T00:00:00Z", "C1", 2, Some("A1"), None);
    comment(&mut log, "2026-02-04T00:00:00Z", "C1", 3, None, Some("p1"));
    log.add(
        "2026-03-01T00:00:00Z",
        "consultation/C1",
        "CommentsAnswered",
        json!({
        "responses": [{"comment": 1, "position": "accepted", "reasoning": "r"},
                      {"comment": 2, "position": "noted", "reasoning": "r"}]}),
    );
    log.add(
        "2026-03-02T00:00:00Z",
        "consultation/C1",
        "ResultsPublished",
        json!({
        "synthesis": "s", "recommendations": [{"id": "R1", "text": "t"}, {"id": "R2", "text": "t"}],
        "documents": [], "comments": 3, "answered": 2, "hidden": 0}),
    );
    award(&mut log, "2026-06-01T00:00:00Z", "W1", "O1", "A1", 100);
    award(&mut log, "2026-06-02T00:00:00Z", "W2", "O2", "A2", 50);
    disburse(&mut log, "2026-06-03T00:00:00Z", "W1", "O1", "A1", 60, 60);
    disburse(&mut log, "2026-06-04T00:00:00Z", "W2", "O2", "A2", 20, 20);
    log.add(
        "2026-07-01T00:00:00Z",
        "award/W2",
        "AwardRevoked",
        json!({
        "reason": "r", "recover_centimes": 0, "offer": "O2", "association": "A2",
        "disbursed_centimes": 20, "offer_committed_centimes": 20}),
    );
    training(
        &mut log,
        "2026-05-02T00:00:00Z",
        "T1",
        "MIN",
        "2026-05-01",
        "MA-04",
        &["A1", "A2"],
    );
    training(
        &mut log,
        "2026-06-02T00:00:00Z",
        "T2",
        "OTH",
        "2026-06-01",
        "MA-06",
        &["A2"],
    );
    association(&mut log, "2027-01-05T00:00:00Z", "A3", "MA-04");
    log
}

fn value(out: &Indicators, key: &str) -> IndicatorValue {
    out.indicators
        .iter()
        .find(|i| i.key == key)
        .unwrap_or_else(|| panic!("no indicator {key}"))
        .value
}

#[test]
fn the_indicators_of_2026_match_the_hand_computation() {
    use IndicatorValue::{Share, Whole};
    let out = scenario().fold().finish(Some(2026));
    let expected = [
        ("consultations_conducted", Whole(1)),
        ("consultation_participants", Whole(2)),
        ("consultation_comments", Whole(3)),
        ("consultation_recommendations", Whole(2)),
        ("comments_answered_share", Share(2.0 / 3.0)),
        ("offers_published", Whole(3)),
        ("offers_published_q1_share", Share(2.0 / 3.0)),
        ("institutions_publishing_offers", Whole(2)),
        ("institutions_involved", Whole(2)),
        ("associations_registered", Whole(2)),
        ("associations_supported_share", Share(0.5)),
        ("amount_awarded_centimes", Whole(120)),
        ("amount_disbursed_centimes", Whole(80)),
        ("training_sessions", Whole(2)),
        ("associations_trained", Whole(2)),
    ];
    for (key, v) in expected {
        assert_eq!(value(&out, key), v, "{key}");
    }
    assert_eq!(out.year, 2026);
    let b = &out.breakdowns;
    assert_eq!(b.by_institution["MIN"].offers_published, 2);
    assert_eq!(b.by_institution["MIN"].amount_awarded_centimes, 120);
    assert_eq!(b.by_institution["OTH"].training_sessions, 1);
    assert_eq!(b.by_region["MA-04"].associations_supported, 1);
    assert_eq!(b.by_region["MA-06"].amount_awarded_centimes, 20);
    assert_eq!(b.by_consultation["C1"].participants, 2);
    assert_eq!(b.by_year[&2025].amount_awarded_centimes, 999);
}

#[test]
fn every_indicator_of_api_md_is_present_with_labels_in_the_order_of_the_definitions() {
    let out = scenario().fold().finish(Some(2026));
    let keys: Vec<&str> = out.indicators.iter().map(|i| i.key.as_str()).collect();
    // docs/spec/api.md §5.1, in its order.
    assert_eq!(
        keys,
        [
            "consultations_conducted",
            "consultation_participants",
            "consultation_comments",
            "consultation_recommendations",
            "comments_answered_share",
            "offers_published",
            "offers_published_q1_share",
            "institutions_publishing_offers",
            "institutions_involved",
            "associations_registered",
            "associations_supported_share",
            "amount_awarded_centimes",
            "amount_disbursed_centimes",
            "training_sessions",
            "associations_trained",
        ]
    );
    for i in &out.indicators {
        assert!(
            !i.label.fr.is_empty() && !i.label.ar.is_empty(),
            "{}",
            i.key
        );
        assert!(i.definition.ends_with('.'), "{}", i.key);
    }
}

#[test]
fn shares_are_null_without_a_denominator_and_the_year_defaults_to_the_last_entry() {
    let log = scenario();
    let out = log.fold().finish(Some(2020));
    for key in [
        "comments_answered_share",
        "offers_published_q1_share",
        "associations_supported_share",
    ] {
        assert_eq!(value(&out, key), IndicatorValue::NotAvailable, "{key}");
    }
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["indicators"][4]["value"], Value::Null);
    assert_eq!(log.fold().finish(None).year, 2027);
}

#[test]
fn the_checkpoint_is_the_tree_of_the_entries_read() {
    let log = scenario();
    let out = log.fold().finish(None);
    let leaves: Vec<_> = log.entries.iter().map(|e| e.leaf_hash()).collect();
    let root = ledger::merkle::root_from_leaves(&leaves);
    use base64::Engine as _;
    assert_eq!(
        out.checkpoint.root,
        base64::engine::general_purpose::STANDARD.encode(root)
    );
    assert_eq!(out.checkpoint.size, log.entries.len() as u64);
    // Same entries, same bytes.
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        serde_json::to_string(&log.fold().finish(None)).unwrap()
    );
}

/// The JSON clients see, member names, order, number forms and `null`s included, is the
/// bytes kept in `golden/`; a change there is a change to docs/spec/api.md §5.1.
#[test]
fn the_answer_serializes_to_the_golden_bytes_and_reads_back() {
    let log = scenario();
    let cases = [
        ("empty", IndicatorFold::new(), None),
        ("2020", log.fold(), Some(2020)),
        ("2025", log.fold(), Some(2025)),
        ("2026", log.fold(), Some(2026)),
        ("2027", log.fold(), Some(2027)),
        ("2027", log.fold(), None),
    ];
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/indicators/golden");
    for (name, fold, year) in cases {
        let out = fold.finish(year);
        let bytes = std::fs::read_to_string(golden.join(format!("{name}.json"))).unwrap();
        assert_eq!(serde_json::to_string(&out).unwrap(), bytes, "{name}");
        let back: Indicators = serde_json::from_str(&bytes).unwrap();
        assert_eq!(back, out, "{name}");
    }
}

/// The members docs/spec/api.md and docs/indicators.md document, in the order written.
#[test]
fn the_json_has_the_documented_members() {
    let out = serde_json::to_value(scenario().fold().finish(Some(2026))).unwrap();
    let members = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        members(&out),
        ["checkpoint", "year", "indicators", "breakdowns"]
    );
    assert_eq!(members(&out["checkpoint"]), ["size", "root"]);
    assert!(out["year"].is_i64());
    let first = &out["indicators"][0];
    assert_eq!(members(first), ["key", "label", "definition", "value"]);
    assert_eq!(members(&first["label"]), ["fr", "ar"]);
    assert!(first["value"].is_u64());
    assert!(out["indicators"][4]["value"].is_f64());
    let b = &out["breakdowns"];
    assert_eq!(
        members(b),
        ["by_institution", "by_region", "by_consultation", "by_year"]
    );
    assert_eq!(
        members(&b["by_institution"]["MIN"]),
        [
            "offers_published",
            "amount_awarded_centimes",
            "consultations_conducted",
            "training_sessions"
        ]
    );
    assert_eq!(
        members(&b["by_region"]["MA-04"]),
        [
            "associations_registered",
            "associations_supported",
            "amount_awarded_centimes",
            "training_sessions"
        ]
    );
    assert_eq!(
        members(&b["by_consultation"]["C1"]),
        [
            "comments",
            "participants",
            "recommendations",
            "comments_answered_share"
        ]
    );
    assert_eq!(members(&b["by_year"]), ["2025", "2026"]);
    assert_eq!(
        members(&b["by_year"]["2026"]),
        [
            "offers_published",
            "amount_awarded_centimes",
            "consultations_conducted",
            "consultation_comments",
            "training_sessions"
        ]
    );
}

/// docs/indicators.md states each indicator's definition; it must say what the code computes.
#[test]
fn the_docs_state_every_definition() {
    let page = include_str!("../../../docs/indicators.md");
    for d in DEFINITIONS {
        let row = format!("| `{}` | {} / {} | {} |", d.key, d.fr, d.ar, d.definition);
        assert!(
            page.contains(&row),
            "docs/indicators.md lacks the row of {}",
            d.key
        );
    }
}
