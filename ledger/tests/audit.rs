//! The export verifier ([`ledger::audit`]) against small logs built here: an honest log
//! verifies, and each kind of tampering is reported at the index where it happens.

#[path = "support/log_builder.rs"]
mod log_builder;

use ledger::audit::{
    first_invalid, Auditor, DocumentProblem, Failure, SigCheck, SigKind, Verified,
};
use ledger::hash::{sha256, to_hex};
use ledger::{Checkpoint, NoteSigner, VerifierKey};
use serde_json::json;

use log_builder::{key, public_b64, sample_log, LogBuilder, ORIGIN};

/// Replays `lines` the way `sijill verify` does, signatures verified at the end: the first
/// invalid signature wins over a structural failure at the same or a later index.
fn audit_with(keys: Vec<VerifierKey>, lines: &[Vec<u8>], note: &str) -> Result<Verified, Failure> {
    let mut auditor = Auditor::new(keys);
    let mut sigs = Vec::new();
    let structural = lines
        .iter()
        .try_for_each(|line| {
            // Documents are the driver's business (api/src/verify.rs); not checked here.
            auditor.take_named_documents();
            auditor.push(line, &mut sigs)
        })
        .err();
    if let Some(position) = first_invalid(&sigs) {
        let failure = sigs[position].failure();
        // A structural failure stops the replay, so any signature failure found is no later.
        if let Some(structural) = &structural {
            assert!(structural.index >= failure.index);
        }
        return Err(failure);
    }
    match structural {
        Some(failure) => Err(failure),
        None => auditor.finish(note),
    }
}

/// [`audit_with`] trusting the builder's log key and using its own checkpoint.
fn audit(log: &LogBuilder) -> Result<Verified, Failure> {
    audit_with(vec![log.verifier()], &log.lines, &log.checkpoint())
}

/// Asserts the failure's index and that its reason contains `reason`.
#[track_caller]
fn assert_fails(result: Result<Verified, Failure>, index: u64, reason: &str) {
    let failure = result.expect_err("tampered log must fail");
    assert_eq!(failure.index, index, "wrong index: {failure}");
    assert!(failure.reason.contains(reason), "wrong reason: {failure}");
}

#[test]
fn honest_log_verifies_with_its_root() {
    let (log, _) = sample_log();
    let verified = audit(&log).expect("honest log verifies");
    assert_eq!(verified.size, log.lines.len() as u64);
    assert_eq!(verified.root, log.root());
}

/// The verifier cuts the signed bytes out of each line (ledger/src/audit/signed_bytes.rs);
/// members and strings that look like the parts it looks for must not mislead it.
#[test]
fn lookalike_members_and_strings_do_not_confuse_the_signed_bytes() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let tricky = json!({
        "sig": "AAAA",
        "nested": {"sig": "x", "statement": {"}": "]"}, "list": [[], {}, "\\\""]},
        "text": "\",\"sig\":\"} ] { [ \"statement\":{",
        "unicode": "\u{2028} é 𝄞 \u{1}",
    });
    log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        tricky.clone(),
    );
    log.public(
        "offer/OFR-1",
        "Noted",
        json!({"copy": tricky, "sig": "\",\"sig\":\""}),
    );
    audit(&log).expect("lookalikes are only data");
}

#[test]
fn failure_displays_as_the_cli_line() {
    let failure = Failure {
        index: 7,
        reason: "log signature invalid".into(),
    };
    assert_eq!(failure.to_string(), "index 7: log signature invalid");
}

#[test]
fn one_changed_byte_breaks_the_log_signature() {
    let (mut log, _) = sample_log();
    // The offer's title in `data` (its last occurrence; the first is in the statement).
    let line = &mut log.lines[3];
    let at = line.windows(5).rposition(|w| w == b"Youth").unwrap();
    line[at] = b'Z';
    assert_fails(audit(&log), 3, "log signature invalid");
}

#[test]
fn changed_byte_that_breaks_the_encoding_is_caught_before_signatures() {
    let (mut log, _) = sample_log();
    let line = &mut log.lines[2];
    // `"index":2` becomes `"index":02`-like garbage: not canonical JSON any more.
    let at = line.windows(8).position(|w| w == b"\"index\":").unwrap();
    line[at + 8] = b' ';
    assert_fails(audit(&log), 2, "entry: malformed JSON");
}

#[test]
fn dropped_line_is_caught_at_its_index() {
    let (mut log, _) = sample_log();
    log.lines.remove(2);
    assert_fails(audit(&log), 2, "index member is 3");
}

#[test]
fn swapped_lines_are_caught_at_the_first() {
    let (mut log, _) = sample_log();
    log.lines.swap(3, 4);
    assert_fails(audit(&log), 3, "index member is 4");
}

#[test]
fn truncated_log_fails_on_the_checkpoint() {
    let (mut log, _) = sample_log();
    let note = log.checkpoint();
    log.lines.pop();
    let size = log.lines.len() as u64;
    assert_fails(
        audit_with(vec![log.verifier()], &log.lines, &note),
        size,
        "checkpoint: tree size",
    );
}

#[test]
fn checkpoint_signed_by_another_log_key_fails() {
    let (log, _) = sample_log();
    let impostor = NoteSigner::new(ORIGIN, key(9));
    let note = Checkpoint {
        origin: ORIGIN.into(),
        size: log.lines.len() as u64,
        root: log.root(),
    }
    .sign(&impostor)
    .unwrap();
    let size = log.lines.len() as u64;
    assert_fails(
        audit_with(vec![log.verifier()], &log.lines, &note),
        size,
        "checkpoint: ",
    );
}

#[test]
fn checkpoint_with_another_root_fails() {
    let (log, _) = sample_log();
    let size = log.lines.len() as u64;
    let note = Checkpoint {
        origin: ORIGIN.into(),
        size,
        root: sha256(b"another tree"),
    }
    .sign(&log.signer)
    .unwrap();
    assert_fails(
        audit_with(vec![log.verifier()], &log.lines, &note),
        size,
        "checkpoint: root mismatch",
    );
}

#[test]
fn log_under_an_untrusted_key_fails_at_genesis() {
    let (log, _) = sample_log();
    let stranger = NoteSigner::new(ORIGIN, key(9)).verifier();
    assert_fails(
        audit_with(vec![stranger], &log.lines, &log.checkpoint()),
        0,
        "not a trusted log key",
    );
}

#[test]
fn genesis_must_be_an_unsigned_admin_registration_naming_its_origin() {
    let (trusted, with_origin) = {
        let log = LogBuilder::new();
        let data = |origin: &str| {
            json!({
                "public_key": public_b64(&log.admin),
                "name": "First administrator",
                "roles": ["admin"],
                "origin": origin,
                "log_key": log.verifier().to_string(),
            })
        };
        (
            log.verifier(),
            [data(ORIGIN), data("elsewhere.example/log")],
        )
    };
    let genesis_line = |stream: &str, event_type: &str, data: serde_json::Value| {
        let mut log = LogBuilder::new();
        log.lines.clear();
        let mut entry = log.entry(stream, event_type, data);
        (entry.index, entry.seq, entry.prev) = (0, 1, ledger::hash::ZERO_HASH);
        log.push(entry);
        log.lines
    };
    let note = LogBuilder::new().checkpoint();
    let [good, other_origin] = with_origin;
    let lines = genesis_line("registry/admin", "ActorRegistered", other_origin);
    assert_fails(
        audit_with(vec![trusted.clone()], &lines, &note),
        0,
        "genesis origin is not the log key's name",
    );
    let lines = genesis_line("registry/root", "ActorRegistered", good.clone());
    assert_fails(
        audit_with(vec![trusted.clone()], &lines, &note),
        0,
        "entry 0 is not the genesis",
    );
    let mut admin_as_publisher = good;
    admin_as_publisher["roles"] = json!(["publisher"]);
    let lines = genesis_line("registry/admin", "ActorRegistered", admin_as_publisher);
    assert_fails(
        audit_with(vec![trusted], &lines, &note),
        0,
        "genesis data.roles",
    );
}

#[test]
fn empty_log_has_no_genesis() {
    let log = LogBuilder::new();
    assert_fails(
        audit_with(vec![log.verifier()], &[], &log.checkpoint()),
        0,
        "no genesis entry",
    );
}

#[test]
fn revoked_actor_cannot_sign() {
    let mut log = LogBuilder::new();
    log.register_institution("MIN");
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let revoked_at = log.revoke_actor("pub1");
    let body = json!({"title": "Late offer"});
    let index = log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-2",
        "OfferPublished",
        body,
    );
    assert_fails(
        audit(&log),
        index,
        &format!("actor key revoked at index {revoked_at}"),
    );
}

#[test]
fn actor_signs_until_revoked() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-2",
        "OfferPublished",
        json!({}),
    );
    log.revoke_actor("pub1");
    audit(&log).expect("signatures before the revocation stand");
}

#[test]
fn role_not_allowed_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let body = json!({"name": "Rogue", "kind": "other"});
    let index = log.command(
        &publisher,
        "RegisterInstitution",
        "institution/X",
        "InstitutionRegistered",
        body,
    );
    assert_fails(
        audit(&log),
        index,
        "no role of the actor may issue RegisterInstitution",
    );
}

#[test]
fn unregistered_actor_is_caught() {
    let mut log = LogBuilder::new();
    let index = log.command(
        &key(7),
        "PublishOffer",
        "offer/OFR-2",
        "OfferPublished",
        json!({}),
    );
    assert_fails(audit(&log), index, "actor key not registered");
}

#[test]
fn reused_nonce_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let first = log.statement("PublishOffer", "offer/OFR-1", json!({"title": "A"}));
    let mut second = log.statement("PublishOffer", "offer/OFR-2", json!({"title": "B"}));
    second.nonce = first.nonce.clone();
    log.signed(&publisher, first, "OfferPublished");
    let index = log.signed(&publisher, second, "OfferPublished");
    assert_fails(audit(&log), index, "nonce already used by this actor");
}

#[test]
fn same_nonce_from_two_actors_is_fine() {
    let mut log = LogBuilder::new();
    let (a, b) = (key(3), key(4));
    log.register_actor("a", &a, &["publisher"]);
    log.register_actor("b", &b, &["publisher"]);
    let first = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    let mut second = log.statement("PublishOffer", "offer/OFR-2", json!({}));
    second.nonce = first.nonce.clone();
    log.signed(&a, first, "OfferPublished");
    log.signed(&b, second, "OfferPublished");
    audit(&log).expect("nonces are per actor");
}

#[test]
fn body_member_changed_in_data_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement(
        "PublishOffer",
        "offer/OFR-1",
        json!({"title": "A", "budget": 100}),
    );
    let data = json!({"title": "A", "budget": 1000, "added_by_ledger": true});
    let index = log.signed_with_data(&publisher, statement, "OfferPublished", data);
    assert_fails(audit(&log), index, "body member budget differs in data");
}

#[test]
fn data_may_add_members_to_the_body() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement("PublishOffer", "offer/OFR-1", json!({"title": "A"}));
    let data = json!({"title": "A", "reference": "OFR-1"});
    log.signed_with_data(&publisher, statement, "OfferPublished", data);
    audit(&log).expect("the ledger may add members");
}

#[test]
fn statement_for_another_stream_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    let mut entry = log.entry("offer/OFR-9", "OfferPublished", json!({}));
    entry.auth = Some(ledger::Auth::sign(statement, &publisher));
    let index = log.push(entry);
    assert_fails(
        audit(&log),
        index,
        "statement stream is not the entry's stream",
    );
}

#[test]
fn statement_for_another_origin_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let mut statement = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    statement.origin = "elsewhere.example/log".into();
    let index = log.signed(&publisher, statement, "OfferPublished");
    assert_fails(audit(&log), index, "is not the log's origin");
}

#[test]
fn statement_outside_the_time_window_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    log.tick(5 * 60 * 1000);
    log.signed(&publisher, statement, "OfferPublished");
    audit(&log).expect("exactly five minutes is within the window");

    let statement = log.statement("PublishOffer", "offer/OFR-2", json!({}));
    log.tick(5 * 60 * 1000 + 1);
    let index = log.signed(&publisher, statement, "OfferPublished");
    assert_fails(audit(&log), index, "more than 5 minutes");
}

#[test]
fn recorded_at_decreasing_is_caught() {
    let mut log = LogBuilder::new();
    log.register_institution("MIN");
    log.tick(-1);
    let index = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"channel": "public"}),
    );
    assert_fails(audit(&log), index, "recorded_at decreases");
}

#[test]
fn seq_gap_is_caught() {
    let mut log = LogBuilder::new();
    log.public("consultation/C-1", "CommentSubmitted", json!({}));
    let mut entry = log.entry("consultation/C-1", "CommentSubmitted", json!({}));
    entry.seq += 1;
    let index = log.push(entry);
    assert_fails(
        audit(&log),
        index,
        "seq 3 on stream consultation/C-1, expected 2",
    );
}

#[test]
fn broken_prev_chain_is_caught() {
    let mut log = LogBuilder::new();
    log.public("consultation/C-1", "CommentSubmitted", json!({}));
    let mut entry = log.entry("consultation/C-1", "CommentSubmitted", json!({}));
    entry.prev = sha256(b"not the previous entry");
    let index = log.push(entry);
    assert_fails(
        audit(&log),
        index,
        "prev does not match the previous entry of stream consultation/C-1",
    );
}

#[test]
fn auth_at_pointing_to_another_stream_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let first = log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        json!({}),
    );
    log.public("offer/OFR-2", "Noted", json!({}));
    let index = log.follow(first, "offer/OFR-2", "OfferBudgetReserved", json!({}));
    assert_fails(
        audit(&log),
        index,
        &format!("auth_at {first} is not the signed entry"),
    );
}

#[test]
fn auth_at_after_an_interruption_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let first = log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        json!({}),
    );
    log.public("offer/OFR-1", "Noted", json!({}));
    let index = log.follow(first, "offer/OFR-1", "OfferBudgetReserved", json!({}));
    assert_fails(
        audit(&log),
        index,
        "is not the signed entry of the command open on stream offer/OFR-1",
    );
}

#[test]
fn auth_at_to_an_unsigned_entry_is_caught() {
    let mut log = LogBuilder::new();
    let unsigned = log.public("offer/OFR-1", "Noted", json!({}));
    let index = log.follow(unsigned, "offer/OFR-1", "OfferBudgetReserved", json!({}));
    assert_fails(audit(&log), index, "is not the signed entry");
}

#[test]
fn auth_at_to_itself_is_caught() {
    let mut log = LogBuilder::new();
    let index = log.lines.len() as u64;
    log.follow(index, "offer/OFR-1", "OfferBudgetReserved", json!({}));
    assert_fails(audit(&log), index, "is not an earlier entry");
}

#[test]
fn auth_at_with_another_time_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let first = log.command(
        &publisher,
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        json!({}),
    );
    log.follow(first, "offer/OFR-1", "OfferBudgetReserved", json!({}));
    log.tick(1);
    let index = log.follow(first, "offer/OFR-1", "OfferAnnounced", json!({}));
    assert_fails(
        audit(&log),
        index,
        &format!("recorded_at differs from entry {first}'s"),
    );
}

#[test]
fn invalid_actor_signature_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    let mut entry = log.entry("offer/OFR-1", "OfferPublished", json!({}));
    let mut auth = ledger::Auth::sign(statement, &publisher);
    // A signature by the right key over another statement.
    let other = log.statement("PublishOffer", "offer/OFR-1", json!({"title": "other"}));
    auth.sig = ledger::Auth::sign(other, &publisher).sig;
    entry.auth = Some(auth);
    let index = log.push(entry);
    assert_fails(audit(&log), index, "actor signature invalid");
}

#[test]
fn signature_failure_wins_over_a_later_check_of_the_same_entry() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let statement = log.statement("PublishOffer", "offer/OFR-1", json!({}));
    // Signed by an unregistered key but claiming the publisher: the actor signature check
    // comes before the registration check.
    let mut auth = ledger::Auth::sign(statement, &key(8));
    auth.actor = publisher.verifying_key();
    let mut entry = log.entry("offer/OFR-1", "OfferPublished", json!({}));
    entry.auth = Some(auth);
    let index = log.push(entry);
    log.public("offer/OFR-1", "Noted", json!({}));
    assert_fails(audit(&log), index, "actor signature invalid");
}

#[test]
fn registry_event_from_the_wrong_command_is_caught() {
    let mut log = LogBuilder::new();
    let admin = log.admin.clone();
    let body = json!({"public_key": public_b64(&key(5)), "name": "X", "roles": ["admin"]});
    let index = log.command(
        &admin,
        "RegisterInstitution",
        "registry/x",
        "ActorRegistered",
        body,
    );
    assert_fails(
        audit(&log),
        index,
        "ActorRegistered not made by a RegisterActor command",
    );
}

#[test]
fn unsigned_registration_is_caught() {
    let mut log = LogBuilder::new();
    let body = json!({"public_key": public_b64(&key(5)), "name": "X", "roles": ["admin"]});
    let index = log.public("registry/x", "ActorRegistered", body);
    assert_fails(audit(&log), index, "not made by a RegisterActor command");
}

#[test]
fn key_registered_twice_is_caught() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    let first = log.register_actor("pub1", &publisher, &["publisher"]);
    let index = log.register_actor("pub2", &publisher, &["evaluator"]);
    assert_fails(
        audit(&log),
        index,
        &format!("key already registered at index {first}"),
    );
}

#[test]
fn unknown_role_is_caught() {
    let mut log = LogBuilder::new();
    let index = log.register_actor("pub1", &key(3), &["emperor"]);
    assert_fails(audit(&log), index, "unknown role");
}

#[test]
fn revoking_nobody_is_caught() {
    let mut log = LogBuilder::new();
    let index = log.revoke_actor("ghost");
    assert_fails(
        audit(&log),
        index,
        "no actor registered on stream registry/ghost",
    );
}

#[test]
fn oversized_line_is_refused_before_parsing() {
    let log = LogBuilder::new();
    let mut lines = log.lines.clone();
    lines.push(vec![b' '; ledger::entry::MAX_ENTRY_BYTES + 1]);
    assert_fails(
        audit_with(vec![log.verifier()], &lines, &log.checkpoint()),
        1,
        "entry longer than",
    );
}

#[test]
fn named_documents_are_handed_out_unless_already_withheld() {
    let mut log = LogBuilder::new();
    let (a, b, c) = (sha256(b"a"), sha256(b"b"), sha256(b"c"));
    let first = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"documents": [to_hex(&b), to_hex(&a)]}),
    );
    log.public(
        "consultation/C-1",
        "CommentModerated",
        json!({"withheld": [to_hex(&b)]}),
    );
    let third = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"documents": [to_hex(&b), to_hex(&c)]}),
    );
    let mut auditor = Auditor::new(vec![log.verifier()]);
    let mut sigs = Vec::new();
    for line in &log.lines {
        auditor.push(line, &mut sigs).unwrap();
    }
    assert_eq!(first_invalid(&sigs), None);
    // b is handed out at its first naming, before the entry that withholds it; the driver
    // then reports its absence, which the withholding excuses.
    let named = auditor.take_named_documents();
    assert_eq!(named, vec![(first, b), (first, a), (third, c)]);
    assert!(auditor.take_named_documents().is_empty());
    auditor.document_problem(first, b, DocumentProblem::Missing);
    auditor
        .finish(&log.checkpoint())
        .expect("withheld documents may be absent");
}

#[test]
fn first_document_problem_is_reported_unless_withheld_later() {
    let mut log = LogBuilder::new();
    let (a, b) = (sha256(b"a"), sha256(b"b"));
    let first = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"documents": [to_hex(&a)]}),
    );
    let second = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"documents": [to_hex(&b)]}),
    );
    let run = |log: &LogBuilder| {
        let mut auditor = Auditor::new(vec![log.verifier()]);
        let mut sigs = Vec::new();
        for line in &log.lines {
            auditor.push(line, &mut sigs).unwrap();
        }
        auditor.document_problem(second, b, DocumentProblem::Altered);
        auditor.document_problem(first, a, DocumentProblem::Missing);
        auditor.finish(&log.checkpoint())
    };
    let failure = run(&log).unwrap_err();
    assert_eq!(
        failure.to_string(),
        format!("index {first}: document {} missing", to_hex(&a))
    );

    log.public(
        "consultation/C-1",
        "CommentModerated",
        json!({"withheld": [to_hex(&a)]}),
    );
    let failure = run(&log).unwrap_err();
    assert_eq!(
        failure.to_string(),
        format!(
            "index {second}: document {} does not match its hash",
            to_hex(&b)
        )
    );
}

#[test]
fn malformed_document_list_is_caught() {
    let mut log = LogBuilder::new();
    let index = log.public(
        "consultation/C-1",
        "CommentSubmitted",
        json!({"documents": ["ABC"]}),
    );
    assert_fails(audit(&log), index, "data.documents is not an array");
}

#[test]
fn push_after_a_failure_repeats_it() {
    let (mut log, _) = sample_log();
    log.lines.remove(1);
    let mut auditor = Auditor::new(vec![log.verifier()]);
    let mut sigs = Vec::new();
    auditor.push(&log.lines[0], &mut sigs).unwrap();
    let failure = auditor.push(&log.lines[1], &mut sigs).unwrap_err();
    assert_eq!(auditor.push(&log.lines[2], &mut sigs), Err(failure.clone()));
    assert_eq!(auditor.finish(&log.checkpoint()), Err(failure));
}

#[test]
fn first_invalid_finds_the_first_bad_signature_in_a_batch() {
    let signer = key(3);
    let check = |index: u64, message: &[u8], signed: &[u8]| {
        use ed25519_dalek::Signer as _;
        SigCheck {
            index,
            kind: SigKind::Actor,
            key: signer.verifying_key(),
            message: message.to_vec(),
            sig: signer.sign(signed),
        }
    };
    let mut checks: Vec<SigCheck> = (0..40).map(|i| check(i, b"m", b"m")).collect();
    assert_eq!(first_invalid(&checks), None);
    checks[33] = check(33, b"m", b"x");
    checks[17] = check(17, b"m", b"y");
    assert_eq!(first_invalid(&checks), Some(17));
    assert_eq!(
        checks[17].failure().to_string(),
        "index 17: actor signature invalid"
    );
    assert_eq!(first_invalid(&[]), None);
}
