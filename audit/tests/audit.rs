//! The export verifier ([`audit`]) against small logs built here: an honest log
//! verifies, and each kind of tampering is reported at the index where it happens.

#[path = "support/log_builder.rs"]
mod log_builder;

use audit::{first_invalid, Auditor, DocumentProblem, Failure, SigCheck, SigKind, Verified};
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
            // Documents are the driver's business (client/src/verify.rs); not checked here.
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

/// The verifier cuts the signed bytes out of each line (audit/src/signed_bytes.rs);
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

// Log-key rotation (docs/key-rotation.md).

use ed25519_dalek::SigningKey;
use ledger::rotation::{LogKeyChain, ROTATION_STREAM};

/// The note verifier keys of these signing keys, named after the test origin.
fn trust(keys: &[&SigningKey]) -> Vec<VerifierKey> {
    keys.iter()
        .map(|key| VerifierKey::new(ORIGIN, key.verifying_key()))
        .collect()
}

/// Replays `log` trusting `keys`, with the checkpoint signed by `signers`.
fn audit_trusting(
    log: &LogBuilder,
    keys: &[&SigningKey],
    signers: &[&SigningKey],
) -> Result<Verified, Failure> {
    audit_with(trust(keys), &log.lines, &log.checkpoint_signed_by(signers))
}

/// Given a log with an institution and a publisher, signed by `key(1)`, rotated to
/// `key(11)`, after which the publisher publishes an offer and the public comments.
/// Returns the log and the rotation's index.
fn rotated_log() -> (LogBuilder, u64) {
    let mut log = LogBuilder::new();
    log.register_institution("MIN");
    log.register_actor("pub1", &key(3), &["publisher"]);
    let rotation = log.rotate(&key(11));
    log.command(
        &key(3),
        "PublishOffer",
        "offer/OFR-1",
        "OfferPublished",
        json!({"title": "After the rotation"}),
    );
    log.public("consultation/C-1", "CommentSubmitted", json!({}));
    (log, rotation)
}

#[test]
fn rotated_log_verifies_trusting_the_old_key_the_new_key_or_both() {
    // Given a log rotated from key 1 to key 11, whose checkpoint key 11 signs,
    let (log, rotation) = rotated_log();
    let (old, new) = (key(1), key(11));
    // when a verifier trusts the old key, the new key, or both, then the log verifies.
    for trusted in [vec![&old], vec![&new], vec![&old, &new]] {
        let verified = audit_trusting(&log, &trusted, &[&new]).expect("rotated log verifies");
        assert_eq!(verified.size, log.lines.len() as u64);
        assert_eq!(verified.root, log.root());
    }

    // The auditor knows the chain and which keys may sign the next checkpoint.
    let mut auditor = Auditor::new(trust(&[&new]));
    assert_eq!(auditor.log_keys(), None);
    assert!(auditor.checkpoint_keys().is_empty());
    let mut sigs = Vec::new();
    for line in &log.lines {
        auditor.push(line, &mut sigs).unwrap();
    }
    assert_eq!(first_invalid(&sigs), None);
    let [old_vk, new_vk]: [VerifierKey; 2] = trust(&[&old, &new]).try_into().unwrap();
    let mut expected = LogKeyChain::new(old_vk.clone());
    expected.push(rotation, new_vk.clone());
    assert_eq!(auditor.log_keys(), Some(&expected));
    assert_eq!(
        auditor.log_keys().unwrap().spans(),
        &[(0, old_vk.clone()), (rotation + 1, new_vk.clone())]
    );
    assert_eq!(auditor.checkpoint_keys(), vec![new_vk.clone()]);
    assert_eq!(
        expected.to_log_pub(),
        format!("{old_vk}\n{new_vk}\n"),
        "log.pub lists both keys, oldest first"
    );
    let only_old = {
        let mut auditor = Auditor::new(trust(&[&old]));
        log.lines
            .iter()
            .for_each(|line| auditor.push(line, &mut Vec::new()).unwrap());
        auditor.checkpoint_keys()
    };
    assert_eq!(only_old, vec![old_vk, new_vk]);
}

#[test]
fn checkpoint_signed_by_both_keys_verifies_with_either_trusted() {
    let (log, _) = rotated_log();
    let (old, new) = (key(1), key(11));
    for trusted in [vec![&old], vec![&new], vec![&old, &new]] {
        audit_trusting(&log, &trusted, &[&old, &new]).expect("either signature suffices");
    }
}

#[test]
fn checkpoint_signed_by_the_old_key_verifies_for_whoever_trusts_it() {
    // The old key signed the rotation entry and the new key's consent names it, so a
    // verifier trusting the old key accepts a checkpoint by either key.
    let (log, _) = rotated_log();
    audit_trusting(&log, &[&key(1)], &[&key(1)]).expect("the old key is trusted");
}

#[test]
fn entries_after_the_rotation_signed_by_the_old_key_fail() {
    // Given a rotated log,
    let (mut log, _) = rotated_log();
    // when the old key signs an entry after the rotation,
    let entry = log.entry("consultation/C-1", "CommentSubmitted", json!({}));
    let index = log.push_signed_by(entry, &key(1));
    // then that entry's log signature is invalid, whichever key the verifier trusts.
    for trusted in [&key(1), &key(11)] {
        assert_fails(
            audit_trusting(&log, &[trusted], &[&key(11)]),
            index,
            "log signature invalid",
        );
    }
}

#[test]
fn rotation_entry_signed_by_the_new_key_fails() {
    // The rotation entry belongs to the old key's span: the new key only consents.
    let mut log = LogBuilder::new();
    let data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    let entry = log.rotation_entry(data);
    let index = log.push_signed_by(entry, &key(11));
    log.switch_log_key(&key(11));
    assert_fails(
        audit_trusting(&log, &[&key(11)], &[&key(11)]),
        index,
        "log signature invalid",
    );
}

/// Given a log with an institution, whose admin rotates the log key to `key(11)` with the
/// honest data changed by `tamper`, after which key 11 signs a comment: the verdict
/// trusting key 1, and the rotation's index.
fn tampered_rotation(
    tamper: impl FnOnce(&mut serde_json::Value),
) -> (Result<Verified, Failure>, u64) {
    let mut log = LogBuilder::new();
    log.register_institution("MIN");
    let mut data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    tamper(&mut data);
    let admin = log.admin.clone();
    let index = log.rotate_with(&admin, ROTATION_STREAM, data);
    log.switch_log_key(&key(11));
    log.public("consultation/C-1", "CommentSubmitted", json!({}));
    (audit_trusting(&log, &[&key(1)], &[&key(11)]), index)
}

#[test]
fn rotation_naming_another_previous_key_fails() {
    let (verdict, index) = tampered_rotation(|data| {
        data["previous_log_key"] = json!(trust(&[&key(9)])[0].to_string());
    });
    assert_fails(
        verdict,
        index,
        "previous_log_key is not the log key in force",
    );
}

#[test]
fn rotation_with_another_tree_size_fails() {
    let (verdict, index) = tampered_rotation(|data| {
        data["tree_size"] = json!(data["tree_size"].as_u64().unwrap() + 1);
    });
    assert_fails(verdict, index, "tree_size 3 is not the rotation's index");
}

#[test]
fn rotation_with_another_root_fails() {
    let (verdict, index) = tampered_rotation(|data| {
        use base64::Engine as _;
        data["root"] = json!(base64::engine::general_purpose::STANDARD.encode(sha256(b"x")));
    });
    assert_fails(
        verdict,
        index,
        "root is not the tree hash of the entries before it",
    );
}

#[test]
fn rotation_with_a_malformed_member_names_it() {
    let (verdict, index) = tampered_rotation(|data| data["root"] = json!("AAAA"));
    assert_fails(verdict, index, "data.root is not base64 of 32 bytes");
    let (verdict, index) = tampered_rotation(|data| {
        data.as_object_mut().unwrap().remove("log_key_sig");
    });
    assert_fails(verdict, index, "data.log_key_sig is missing");
}

#[test]
fn rotation_without_the_new_keys_consent_fails() {
    // The new key's signature of another rotation (one entry later), and a signature of
    // the right rotation by another key.
    let (verdict, index) = tampered_rotation(|data| {
        let mut other = LogBuilder::new();
        other.register_institution("MIN");
        other.public("consultation/C-1", "CommentSubmitted", json!({}));
        data["log_key_sig"] =
            LogBuilder::rotation_data(&other.rotation(&key(11)), &key(11))["log_key_sig"].clone();
    });
    assert_fails(
        verdict,
        index,
        "log_key_sig is not the new key's signature of the rotation",
    );
    let (verdict, index) = tampered_rotation(|data| {
        let mut log = LogBuilder::new();
        log.register_institution("MIN");
        let rotation = log.rotation(&key(11));
        data["log_key_sig"] = LogBuilder::rotation_data(&rotation, &key(12))["log_key_sig"].clone();
    });
    assert_fails(
        verdict,
        index,
        "log_key_sig is not the new key's signature of the rotation",
    );
}

#[test]
fn rotation_to_a_key_named_otherwise_fails() {
    let (verdict, index) = tampered_rotation(|data| {
        let mut log = LogBuilder::new();
        log.register_institution("MIN");
        let mut rotation = log.rotation(&key(11));
        rotation.log_key = VerifierKey::new("elsewhere.example/log", key(11).verifying_key());
        *data = LogBuilder::rotation_data(&rotation, &key(11));
    });
    assert_fails(verdict, index, "log_key's name is not the log's origin");
}

#[test]
fn rotation_back_to_a_key_used_before_fails() {
    // Given a log rotated from key 1 to key 11, when the admin rotates back to key 1, or
    // "rotates" to key 11 itself, then the rotation fails: a log key is used once, ever.
    for reused in [key(1), key(11)] {
        let (mut log, _) = rotated_log();
        let index = log.rotate(&reused);
        assert_fails(
            audit_trusting(&log, &[&key(11)], &[&reused]),
            index,
            "log_key was used before",
        );
    }
}

#[test]
fn rotation_by_a_non_admin_fails() {
    let mut log = LogBuilder::new();
    let publisher = key(3);
    log.register_actor("pub1", &publisher, &["publisher"]);
    let data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    let index = log.rotate_with(&publisher, ROTATION_STREAM, data);
    log.switch_log_key(&key(11));
    assert_fails(
        audit_trusting(&log, &[&key(1)], &[&key(11)]),
        index,
        "no role of the actor may issue RotateLogKey",
    );
}

#[test]
fn rotation_on_another_stream_fails() {
    let mut log = LogBuilder::new();
    let data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    let admin = log.admin.clone();
    let index = log.rotate_with(&admin, "log/other", data);
    log.switch_log_key(&key(11));
    assert_fails(
        audit_trusting(&log, &[&key(1)], &[&key(11)]),
        index,
        "LogKeyRotated on stream log/other, not log/key",
    );
}

#[test]
fn rotation_entry_must_be_its_commands_only_entry() {
    // Made by another command,
    let mut log = LogBuilder::new();
    let data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    let admin = log.admin.clone();
    let index = log.command(
        &admin,
        "RegisterActor",
        ROTATION_STREAM,
        "LogKeyRotated",
        data,
    );
    assert_fails(
        audit(&log),
        index,
        "LogKeyRotated not made by a RotateLogKey command",
    );

    // a RotateLogKey command making another type of entry,
    let mut log = LogBuilder::new();
    let body = json!({"log_key": trust(&[&key(11)])[0].to_string()});
    let index = log.command(&admin, "RotateLogKey", ROTATION_STREAM, "Noted", body);
    assert_fails(
        audit(&log),
        index,
        "a RotateLogKey command makes one LogKeyRotated entry only",
    );

    // or a second entry after its rotation,
    let mut log = LogBuilder::new();
    let rotation = log.rotate(&key(11));
    let second = LogBuilder::rotation_data(&log.rotation(&key(12)), &key(12));
    let index = log.follow(rotation, ROTATION_STREAM, "LogKeyRotated", second);
    assert_fails(
        audit_trusting(&log, &[&key(1)], &[&key(11)]),
        index,
        "a RotateLogKey command makes one LogKeyRotated entry only",
    );

    // and any other entry on log/key fail.
    let mut log = LogBuilder::new();
    let index = log.public(ROTATION_STREAM, "Noted", json!({}));
    assert_fails(
        audit(&log),
        index,
        "stream log/key holds only LogKeyRotated entries",
    );
}

#[test]
fn rotation_of_an_unknown_version_fails() {
    let mut log = LogBuilder::new();
    let data = LogBuilder::rotation_data(&log.rotation(&key(11)), &key(11));
    let mut entry = log.rotation_entry(data);
    entry.version = "2".into();
    let index = log.push(entry);
    assert_fails(audit(&log), index, "LogKeyRotated version 2 is not 1");
}

#[test]
fn a_stolen_old_key_cannot_vouch_for_a_log_whose_verifier_trusts_only_the_new_key() {
    // Given the honest log, rotated from key 1 to key 11 (because key 1 leaked), and a
    // verifier that trusts only key 11,
    let (honest, rotation) = rotated_log();
    let honest_rotation_data = {
        let line = &honest.lines[usize::try_from(rotation).unwrap()];
        ledger::SignedEntry::parse(line).unwrap().entry.data
    };
    let (old, new) = (key(1), key(11));

    // when the thief of key 1 rewrites history before the rotation (here: registers
    // another publisher) and replays the rotation's consent by key 11, then the consent
    // does not cover the rewritten history: its root is that of the honest entries.
    let mut forged = LogBuilder::new();
    forged.register_institution("MIN");
    forged.register_actor("pub1", &key(7), &["publisher"]);
    let admin = forged.admin.clone();
    let at = forged.rotate_with(&admin, ROTATION_STREAM, honest_rotation_data);
    assert_eq!(at, rotation);
    assert_fails(
        audit_trusting(&forged, &[&new], &[&old]),
        rotation,
        "root is not the tree hash of the entries before it",
    );

    // When the thief leaves the rotation out, the log is key 1's alone, which the verifier
    // does not trust.
    let mut forged = LogBuilder::new();
    forged.register_institution("MIN");
    forged.register_actor("pub1", &key(7), &["publisher"]);
    assert_fails(
        audit_trusting(&forged, &[&new], &[&old]),
        0,
        "genesis log_key is not a trusted log key",
    );

    // When the thief keeps the honest history up to the rotation and signs a checkpoint
    // of it with key 1 (hiding what key 11 signed since, or preparing a fork), key 1 is
    // older than every trusted key, so its checkpoint does not count.
    let mut cut = LogBuilder::new();
    cut.lines = honest.lines[..=usize::try_from(rotation).unwrap()].to_vec();
    let size = cut.lines.len() as u64;
    assert_fails(
        audit_trusting(&cut, &[&new], &[&old]),
        size,
        "checkpoint: note is not signed by a known key",
    );
    // Nor for the whole honest log.
    assert_fails(
        audit_trusting(&honest, &[&new], &[&old]),
        honest.lines.len() as u64,
        "checkpoint: note is not signed by a known key",
    );
    // The same cut, checkpointed by key 11, is a consistent prefix and verifies.
    audit_trusting(&cut, &[&new], &[&new]).expect("key 11 vouches for the prefix");
}

#[test]
fn rotated_log_under_keys_nobody_trusts_fails_at_genesis() {
    let (log, _) = rotated_log();
    assert_fails(
        audit_trusting(&log, &[&key(9)], &[&key(11)]),
        0,
        "genesis log_key is not a trusted log key",
    );
}

#[test]
fn genesis_log_key_that_is_no_verifier_key_fails() {
    let mut log = LogBuilder::new();
    log.lines.clear();
    let data = json!({
        "public_key": public_b64(&log.admin),
        "name": "First administrator",
        "roles": ["admin"],
        "origin": ORIGIN,
        "log_key": "not a key",
    });
    let mut entry = log.entry("registry/admin", "ActorRegistered", data);
    (entry.seq, entry.prev) = (1, ledger::hash::ZERO_HASH);
    log.push(entry);
    assert_fails(
        audit(&log),
        0,
        "genesis data.log_key is not a note verifier key",
    );
}

#[test]
fn two_successive_rotations_chain() {
    // Given a log rotated from key 1 to key 11, then to key 12, with entries in between,
    let (mut log, first) = rotated_log();
    let second = log.rotate(&key(12));
    log.public("consultation/C-1", "CommentSubmitted", json!({}));
    let (k1, k11, k12) = (key(1), key(11), key(12));

    // then trusting any one of the three keys verifies a checkpoint by the latest,
    for trusted in [&k1, &k11, &k12] {
        audit_trusting(&log, &[trusted], &[&k12]).expect("the chain links every key");
    }
    // the chain holds each key with its span,
    let mut auditor = Auditor::new(trust(&[&k12]));
    for line in &log.lines {
        auditor.push(line, &mut Vec::new()).unwrap();
    }
    let keys = trust(&[&k1, &k11, &k12]);
    assert_eq!(
        auditor.log_keys().unwrap().spans(),
        &[
            (0, keys[0].clone()),
            (first + 1, keys[1].clone()),
            (second + 1, keys[2].clone())
        ]
    );
    assert_eq!(auditor.checkpoint_keys(), vec![keys[2].clone()]);
    // and keys older than every trusted key may not sign the checkpoint.
    let size = log.lines.len() as u64;
    assert_fails(
        audit_trusting(&log, &[&k11], &[&k1]),
        size,
        "checkpoint: note is not signed by a known key",
    );
    assert_fails(
        audit_trusting(&log, &[&k12], &[&k11]),
        size,
        "checkpoint: note is not signed by a known key",
    );

    // An entry after the second rotation signed by the middle key fails.
    let entry = log.entry("consultation/C-1", "CommentSubmitted", json!({}));
    let index = log.push_signed_by(entry, &k11);
    assert_fails(
        audit_trusting(&log, &[&k1], &[&k12]),
        index,
        "log signature invalid",
    );
}

/// The auditor fuzz target's seed with a rotation, `fuzz/corpus/auditor/rotation`: an honest
/// log whose genesis key is the fuzz key, rotated once, so that the fuzzer starts from
/// valid rotation entries (it cannot forge their two signatures) and mutates from there.
/// The committed file must stay what the builder makes; `SIJILL_WRITE_FUZZ_SEEDS=1` writes
/// it instead of comparing.
#[test]
fn the_fuzz_seed_with_a_rotation_is_an_honest_rotated_log() {
    let fuzz_key = SigningKey::from_bytes(&[0x5a; 32]);
    let mut log = LogBuilder::with_keys(fuzz_key, key(2));
    log.register_institution("MIN");
    let at = log.rotate(&key(7));
    log.register_institution("AFTER");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/corpus/auditor/rotation"
    );
    if std::env::var_os("SIJILL_WRITE_FUZZ_SEEDS").is_some() {
        std::fs::write(path, log.jsonl()).expect("write the seed");
    }
    let seed = std::fs::read(path).expect("the committed seed");
    assert_eq!(seed, log.jsonl(), "the seed differs from the builder's log");

    let genesis = VerifierKey::new(ORIGIN, SigningKey::from_bytes(&[0x5a; 32]).verifying_key());
    let mut auditor = Auditor::new(vec![genesis]);
    let mut sigs = Vec::new();
    for line in seed.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        auditor.push(line, &mut sigs).expect("an honest line");
    }
    assert_eq!(first_invalid(&sigs), None);
    assert_eq!(auditor.log_keys().map(LogKeyChain::len), Some(2));
    assert_eq!(at, 2);
    auditor
        .finish(&log.checkpoint())
        .expect("the seed log verifies");
}
