//! Given/when/then tests of the drafts and consultations rules: each rule accepted once and
//! refused with its documented code.

use cqrs_es::test::TestFramework;

use super::*;
use crate::authorization::ActorInfo;
use crate::support::fixtures::{association, association_key, record, services_at};
use crate::world::World;
use crate::{ErrorKind, Issued, Services};
use ledger::roles::Role;

use crate::given_when_then::{accepted, refused};

fn official(role: Role, institution: &str) -> ActorInfo {
    ActorInfo {
        actor_id: format!("{role:?}-{institution}"),
        roles: vec![role],
        institution: Some(institution.into()),
        association: None,
    }
}

fn drafter() -> ActorInfo {
    official(Role::Drafter, "MIN")
}

fn moderator() -> ActorInfo {
    official(Role::Moderator, "MIN")
}

fn articles(texts: &[(&str, &str)]) -> Vec<Article> {
    texts
        .iter()
        .map(|(id, text)| Article {
            id: (*id).into(),
            heading: format!("Article {id}"),
            text: (*text).into(),
        })
        .collect()
}

fn created() -> DraftEvent {
    DraftEvent::DraftCreated(CreateDraft {
        institution: "MIN".into(),
        title: "Projet de loi sur la consultation publique".into(),
        summary: "Cadre des consultations".into(),
    })
}

fn revision_body(number: u32, text: &[(&str, &str)]) -> PublishRevision {
    let articles = articles(text);
    PublishRevision {
        number,
        text_sha256: text_sha256(&articles),
        articles: Some(articles),
        articles_document: None,
        change_summary: format!("Révision {number}"),
        motivated_by: vec![],
    }
}

fn publish(body: PublishRevision) -> Issued<DraftCommand> {
    Issued::by(
        drafter(),
        "D1",
        DraftCommand::PublishRevision(RevisionText {
            body,
            document_articles: None,
        }),
    )
}

fn revised(number: u32, text: &[(&str, &str)]) -> DraftEvent {
    let body = revision_body(number, text);
    DraftEvent::RevisionPublished(RevisionPublished {
        article_ids: text.iter().map(|(id, _)| (*id).to_string()).collect(),
        number,
        articles: body.articles,
        articles_document: None,
        text_sha256: body.text_sha256,
        change_summary: body.change_summary,
        motivated_by: vec![],
        documents: vec![],
    })
}

const TEXT: &[(&str, &str)] = &[("1", "Objet de la loi"), ("2", "Définitions")];

/// A world with draft D1 (revision 1: articles 1 and 2), association ASSO-1, and
/// consultation C1 on it open from 1 to 28 February 2026 with `comments` comments.
fn world(comments: u64) -> World {
    let mut w = World::default();
    record(
        &mut w,
        "association/ASSO-1",
        association("MA-04", &["youth"], "2019-05-02"),
    );
    record(&mut w, "draft/D1", created());
    record(&mut w, "draft/D1", revised(1, TEXT));
    record(&mut w, "consultation/C1", opened());
    for n in 1..=comments {
        record(
            &mut w,
            "consultation/C1",
            comment_event(n, Some("1"), "public", Some("p1")),
        );
    }
    w
}

fn s(now: &str, w: World) -> Services {
    services_at(now, w)
}

const BEFORE: &str = "2026-01-20T00:00:00Z";
const DURING: &str = "2026-02-10T12:00:00Z";
const AFTER: &str = "2026-03-01T00:00:00Z";

// ---- drafts ----

#[test]
fn a_drafter_creates_a_draft_and_publishes_numbered_revisions() {
    TestFramework::<Draft>::with(s(BEFORE, World::default()))
        .given(vec![created()])
        .when(publish(revision_body(1, TEXT)))
        .then_expect_events(vec![revised(1, TEXT)]);
    let err = refused::<Draft>(
        s(BEFORE, World::default()),
        vec![created(), revised(1, TEXT)],
        publish(revision_body(3, TEXT)),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::State, "wrong_revision_number")
    );
    let err = refused::<Draft>(
        s(BEFORE, World::default()),
        vec![],
        publish(revision_body(1, TEXT)),
    );
    assert_eq!(err.code, "no_draft");
}

#[test]
fn a_revision_is_bound_to_its_text_by_its_hash() {
    let mut body = revision_body(1, TEXT);
    body.text_sha256 = "0".repeat(64);
    let err = refused::<Draft>(s(BEFORE, World::default()), vec![created()], publish(body));
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "text_hash_mismatch")
    );
    let mut both = revision_body(1, TEXT);
    both.articles_document = Some("a".repeat(64));
    assert_eq!(
        refused::<Draft>(s(BEFORE, World::default()), vec![created()], publish(both)).code,
        "invalid_articles"
    );
}

#[test]
fn a_large_revision_travels_as_a_document_whose_hash_is_the_texts() {
    let text = articles(TEXT);
    let sha = text_sha256(&text);
    let body = PublishRevision {
        number: 1,
        articles: None,
        articles_document: Some(sha.clone()),
        text_sha256: sha.clone(),
        change_summary: "Première version".into(),
        motivated_by: vec![],
    };
    let command = |document_articles| {
        Issued::by(
            drafter(),
            "D1",
            DraftCommand::PublishRevision(RevisionText {
                body: body.clone(),
                document_articles,
            }),
        )
    };
    let err = refused::<Draft>(s(BEFORE, World::default()), vec![created()], command(None));
    assert_eq!(err.code, "unknown_document");
    let events = accepted::<Draft>(
        s(BEFORE, World::default()),
        vec![created()],
        command(Some(text)),
    );
    let DraftEvent::RevisionPublished(e) = &events[0] else {
        panic!()
    };
    assert_eq!(e.documents, vec![sha]);
    assert_eq!(e.article_ids, ["1", "2"]);
}

#[test]
fn a_revision_motivated_by_comments_and_recommendations_names_existing_ones() {
    let mut w = world(2);
    record(
        &mut w,
        "consultation/C1",
        ConsultationEvent::ResultsPublished(ResultsPublished {
            synthesis: "s".into(),
            recommendations: vec![Recommendation {
                id: "R1".into(),
                text: "r".into(),
            }],
            documents: vec![],
            comments: 2,
            answered: 2,
            hidden: 0,
        }),
    );
    let given = vec![created(), revised(1, TEXT)];
    let motivation = |comment: Option<u64>, recommendation: Option<&str>| Motivation {
        consultation: "C1".into(),
        comment,
        recommendation: recommendation.map(Into::into),
    };
    let mut body = revision_body(2, &[("1", "Objet précisé"), ("2", "Définitions")]);
    body.motivated_by = vec![motivation(Some(2), None), motivation(None, Some("R1"))];
    assert_eq!(
        accepted::<Draft>(s(AFTER, w.clone()), given.clone(), publish(body.clone())).len(),
        1
    );
    body.motivated_by = vec![motivation(Some(3), None)];
    assert_eq!(
        refused::<Draft>(s(AFTER, w.clone()), given.clone(), publish(body.clone())).code,
        "unknown_comment"
    );
    body.motivated_by = vec![motivation(None, Some("R9"))];
    assert_eq!(
        refused::<Draft>(s(AFTER, w), given, publish(body)).code,
        "unknown_recommendation"
    );
}

#[test]
fn a_submitted_draft_takes_no_more_revisions() {
    let submit = Issued::by(
        drafter(),
        "D1",
        DraftCommand::Submit(SubmitDraft::default()),
    );
    let err = refused::<Draft>(s(BEFORE, World::default()), vec![created()], submit.clone());
    assert_eq!(err.code, "no_revision");
    let submitted = DraftEvent::DraftSubmitted(SubmitDraft::default());
    TestFramework::<Draft>::with(s(BEFORE, World::default()))
        .given(vec![created(), revised(1, TEXT)])
        .when(submit)
        .then_expect_events(vec![submitted.clone()]);
    let err = refused::<Draft>(
        s(BEFORE, World::default()),
        vec![created(), revised(1, TEXT), submitted],
        publish(revision_body(2, TEXT)),
    );
    assert_eq!((err.kind, err.code), (ErrorKind::State, "draft_submitted"));
}

#[test]
fn another_institution_cannot_revise() {
    let by = Issued::by(
        official(Role::Drafter, "OTHER"),
        "D1",
        DraftCommand::PublishRevision(RevisionText {
            body: revision_body(1, TEXT),
            document_articles: None,
        }),
    );
    assert_eq!(
        refused::<Draft>(s(BEFORE, World::default()), vec![created()], by).kind,
        ErrorKind::Forbidden
    );
}

// ---- consultations ----

fn open_body() -> OpenConsultation {
    OpenConsultation {
        draft: "D1".into(),
        revision: 1,
        title: "Consultation sur le projet de loi".into(),
        summary: "Donnez votre avis".into(),
        opens_at: "2026-02-01T00:00:00Z".into(),
        closes_at: "2026-02-28T00:00:00Z".into(),
    }
}

fn opened() -> ConsultationEvent {
    let b = open_body();
    ConsultationEvent::ConsultationOpened(ConsultationOpened {
        draft: b.draft,
        revision: b.revision,
        title: b.title,
        summary: b.summary,
        opens_at: b.opens_at,
        closes_at: b.closes_at,
        institution: "MIN".into(),
        article_ids: vec!["1".into(), "2".into()],
    })
}

fn on(by: Option<ActorInfo>, command: ConsultationCommand) -> Issued<ConsultationCommand> {
    Issued::new("C1", command, by)
}

fn doc(n: u64) -> String {
    format!("{n:064x}")
}

fn comment_event(
    n: u64,
    article: Option<&str>,
    channel: &str,
    person: Option<&str>,
) -> ConsultationEvent {
    ConsultationEvent::CommentSubmitted(CommentSubmitted {
        comment: n,
        article: article.map(Into::into),
        document: doc(n),
        documents: vec![doc(n)],
        channel: channel.into(),
        association: (channel == "association").then(|| "ASSO-1".to_owned()),
        person: person.map(Into::into),
    })
}

fn public(article: Option<&str>, n: u64) -> Issued<ConsultationCommand> {
    on(
        None,
        ConsultationCommand::PublicComment(PublicComment {
            article: article.map(Into::into),
            document: doc(n),
            person: "p1".into(),
        }),
    )
}

#[test]
fn a_drafter_opens_a_consultation_on_a_revision() {
    let open = on(Some(drafter()), ConsultationCommand::Open(open_body()));
    TestFramework::<Consultation>::with(s(BEFORE, world(0)))
        .given_no_previous_events()
        .when(open.clone())
        .then_expect_events(vec![opened()]);
    let mut unknown = open_body();
    unknown.revision = 2;
    let err = refused::<Consultation>(
        s(BEFORE, world(0)),
        vec![],
        on(Some(drafter()), ConsultationCommand::Open(unknown)),
    );
    assert_eq!(err.code, "unknown_revision");
    let err = refused::<Consultation>(s(AFTER, world(0)), vec![], open);
    assert_eq!(err.code, "window_already_closed");
    let mut w = world(0);
    record(
        &mut w,
        "draft/D1",
        DraftEvent::DraftSubmitted(SubmitDraft::default()),
    );
    let err = refused::<Consultation>(
        s(BEFORE, w),
        vec![],
        on(Some(drafter()), ConsultationCommand::Open(open_body())),
    );
    assert_eq!(err.code, "draft_submitted");
}

#[test]
fn comments_are_numbered_and_accepted_only_inside_the_window() {
    TestFramework::<Consultation>::with(s(DURING, world(0)))
        .given(vec![opened(), comment_event(1, None, "public", Some("p1"))])
        .when(public(Some("2"), 2))
        .then_expect_events(vec![comment_event(2, Some("2"), "public", Some("p1"))]);
    for (now, code) in [(BEFORE, "window_not_open"), (AFTER, "window_closed")] {
        let err = refused::<Consultation>(s(now, world(0)), vec![opened()], public(None, 1));
        assert_eq!((err.kind, err.code), (ErrorKind::State, code));
    }
    let err = refused::<Consultation>(s(DURING, world(0)), vec![opened()], public(Some("9"), 1));
    assert_eq!((err.kind, err.code), (ErrorKind::Rule, "unknown_article"));
}

#[test]
fn an_association_comments_in_its_own_name_only() {
    let comment = |association: &str| {
        on(
            Some(association_key(association)),
            ConsultationCommand::Comment(SubmitComment {
                association: association.into(),
                article: Some("1".into()),
                document: doc(1),
            }),
        )
    };
    TestFramework::<Consultation>::with(s(DURING, world(0)))
        .given(vec![opened()])
        .when(comment("ASSO-1"))
        .then_expect_events(vec![comment_event(1, Some("1"), "association", None)]);
    let other = on(
        Some(association_key("ASSO-2")),
        ConsultationCommand::Comment(SubmitComment {
            association: "ASSO-1".into(),
            article: None,
            document: doc(1),
        }),
    );
    assert_eq!(
        refused::<Consultation>(s(DURING, world(0)), vec![opened()], other).kind,
        ErrorKind::Forbidden
    );
    let err = refused::<Consultation>(s(DURING, world(0)), vec![opened()], comment("GHOST"));
    assert_eq!(err.code, "unknown_association");
}

fn moderate(comment: u64, action: &str, ground: &str) -> Issued<ConsultationCommand> {
    on(
        Some(moderator()),
        ConsultationCommand::Moderate(ModerateComment {
            comment,
            action: action.into(),
            ground: ground.into(),
            note: "Note du modérateur".into(),
        }),
    )
}

fn moderated(comment: u64, action: &str, ground: &str, withheld: Vec<String>) -> ConsultationEvent {
    ConsultationEvent::CommentModerated(CommentModerated {
        comment,
        action: action.into(),
        ground: ground.into(),
        note: "Note du modérateur".into(),
        withheld,
    })
}

#[test]
fn moderation_hides_and_restores_without_deleting() {
    let given = || vec![opened(), comment_event(1, None, "public", Some("p1"))];
    TestFramework::<Consultation>::with(s(DURING, world(1)))
        .given(given())
        .when(moderate(1, "hide", "spam"))
        .then_expect_events(vec![moderated(1, "hide", "spam", vec![])]);
    let mut hidden = given();
    hidden.push(moderated(1, "hide", "spam", vec![]));
    assert_eq!(
        refused::<Consultation>(
            s(DURING, world(1)),
            hidden.clone(),
            moderate(1, "hide", "spam")
        )
        .code,
        "already_hidden"
    );
    TestFramework::<Consultation>::with(s(DURING, world(1)))
        .given(hidden)
        .when(moderate(1, "restore", "off_topic"))
        .then_expect_events(vec![moderated(1, "restore", "off_topic", vec![])]);
    assert_eq!(
        refused::<Consultation>(s(DURING, world(1)), given(), moderate(1, "restore", "spam")).code,
        "not_hidden"
    );
    assert_eq!(
        refused::<Consultation>(s(DURING, world(1)), given(), moderate(1, "hide", "rude")).code,
        "invalid_ground"
    );
    assert_eq!(
        refused::<Consultation>(s(DURING, world(1)), given(), moderate(2, "hide", "spam")).code,
        "unknown_comment"
    );
    let drafter_moderates = on(
        Some(drafter()),
        ConsultationCommand::Moderate(ModerateComment {
            comment: 1,
            action: "hide".into(),
            ground: "spam".into(),
            note: "n".into(),
        }),
    );
    assert_eq!(
        refused::<Consultation>(s(DURING, world(1)), given(), drafter_moderates).code,
        "role_not_allowed"
    );
}

#[test]
fn hiding_personal_data_withholds_the_text_for_good() {
    let given = || vec![opened(), comment_event(1, None, "public", Some("p1"))];
    TestFramework::<Consultation>::with(s(DURING, world(1)))
        .given(given())
        .when(moderate(1, "hide", "personal_data"))
        .then_expect_events(vec![moderated(1, "hide", "personal_data", vec![doc(1)])]);
    let mut withheld = given();
    withheld.push(moderated(1, "hide", "personal_data", vec![doc(1)]));
    let err = refused::<Consultation>(
        s(DURING, world(1)),
        withheld,
        moderate(1, "restore", "spam"),
    );
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::State, "document_withheld")
    );
}

#[test]
fn a_withholding_hide_withholds_nothing_while_another_consultation_publishes_the_text() {
    // Consultation C2 (another institution's) holds, as its comment 1, the same bytes as
    // C1's comment 1: documents are addressed by content.
    let mut w = world(1);
    record(&mut w, "consultation/C2", opened());
    record(
        &mut w,
        "consultation/C2",
        comment_event(1, None, "association", None),
    );
    let given = || vec![opened(), comment_event(1, None, "public", Some("p1"))];
    // C1's moderator hides its copy: hidden, nothing withheld.
    TestFramework::<Consultation>::with(s(DURING, w.clone()))
        .given(given())
        .when(moderate(1, "hide", "personal_data"))
        .then_expect_events(vec![moderated(1, "hide", "personal_data", vec![])]);
    // Nothing withheld, so the comment can be shown again.
    let mut hidden = given();
    hidden.push(moderated(1, "hide", "personal_data", vec![]));
    let mut w_hidden = w.clone();
    record(
        &mut w_hidden,
        "consultation/C1",
        moderated(1, "hide", "personal_data", vec![]),
    );
    TestFramework::<Consultation>::with(s(DURING, w_hidden.clone()))
        .given(hidden)
        .when(moderate(1, "restore", "personal_data"))
        .then_expect_events(vec![moderated(1, "restore", "personal_data", vec![])]);

    // When C2's comment is hidden on a withholding ground too, the last hide withholds.
    let c2 = |command| Issued::new("C2", command, Some(moderator()));
    let c2_given = || vec![opened(), comment_event(1, None, "association", None)];
    TestFramework::<Consultation>::with(s(DURING, w_hidden.clone()))
        .given(c2_given())
        .when(c2(ConsultationCommand::Moderate(ModerateComment {
            comment: 1,
            action: "hide".into(),
            ground: "illegal_content".into(),
            note: "Note du modérateur".into(),
        })))
        .then_expect_events(vec![moderated(1, "hide", "illegal_content", vec![doc(1)])]);
    // A hide on a ground that does not withhold leaves the copy publishing it: C1's
    // withholding hide withholds nothing.
    let mut w_spam = w.clone();
    record(
        &mut w_spam,
        "consultation/C2",
        moderated(1, "hide", "spam", vec![]),
    );
    TestFramework::<Consultation>::with(s(DURING, w_spam))
        .given(given())
        .when(moderate(1, "hide", "personal_data"))
        .then_expect_events(vec![moderated(1, "hide", "personal_data", vec![])]);

    // Once the text is withheld by any entry, C1's hidden comment cannot be restored.
    let mut w_gone = w_hidden;
    record(
        &mut w_gone,
        "consultation/C2",
        moderated(1, "hide", "illegal_content", vec![doc(1)]),
    );
    let mut hidden = given();
    hidden.push(moderated(1, "hide", "personal_data", vec![]));
    assert_eq!(
        refused::<Consultation>(s(DURING, w_gone), hidden, moderate(1, "restore", "spam")).code,
        "document_withheld"
    );
}

fn respond(responses: &[(u64, &str)]) -> Issued<ConsultationCommand> {
    on(
        Some(drafter()),
        ConsultationCommand::Respond(RespondToComments {
            responses: responses
                .iter()
                .map(|(comment, position)| Response {
                    comment: *comment,
                    position: (*position).into(),
                    reasoning: "Motif".into(),
                })
                .collect(),
        }),
    )
}

#[test]
fn every_comment_gets_one_response() {
    let given = || {
        vec![
            opened(),
            comment_event(1, None, "public", Some("p1")),
            comment_event(2, Some("1"), "public", Some("p2")),
        ]
    };
    let events = accepted::<Consultation>(
        s(AFTER, world(2)),
        given(),
        respond(&[(1, "accepted"), (2, "partly_accepted")]),
    );
    assert_eq!(events.len(), 1);
    let mut answered = given();
    answered.extend(events);
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(2)), answered, respond(&[(1, "noted")])).code,
        "already_answered"
    );
    assert_eq!(
        refused::<Consultation>(
            s(AFTER, world(2)),
            given(),
            respond(&[(1, "noted"), (1, "noted")])
        )
        .code,
        "duplicate_comment"
    );
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(2)), given(), respond(&[(1, "maybe")])).code,
        "invalid_position"
    );
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(2)), given(), respond(&[(3, "noted")])).code,
        "unknown_comment"
    );
}

fn results() -> Issued<ConsultationCommand> {
    on(
        Some(drafter()),
        ConsultationCommand::PublishResults(PublishResults {
            synthesis: "Synthèse".into(),
            recommendations: vec![Recommendation {
                id: "R1".into(),
                text: "Préciser l'article 1".into(),
            }],
            documents: vec![],
        }),
    )
}

fn close() -> Issued<ConsultationCommand> {
    on(
        Some(drafter()),
        ConsultationCommand::Close(CloseConsultation {}),
    )
}

#[test]
fn results_come_after_closing_and_answer_every_visible_comment() {
    let comments = vec![
        opened(),
        comment_event(1, None, "public", Some("p1")),
        comment_event(2, None, "public", Some("p2")),
    ];
    let err = refused::<Consultation>(s(DURING, world(2)), comments.clone(), close());
    assert_eq!(err.code, "window_still_open");
    let closed = ConsultationEvent::ConsultationClosed(ConsultationClosed { comments: 2 });
    TestFramework::<Consultation>::with(s(AFTER, world(2)))
        .given(comments.clone())
        .when(close())
        .then_expect_events(vec![closed.clone()]);
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(2)), comments.clone(), results()).code,
        "consultation_open"
    );

    let mut given = comments;
    given.push(closed);
    given.push(ConsultationEvent::CommentsAnswered(RespondToComments {
        responses: vec![Response {
            comment: 1,
            position: "accepted".into(),
            reasoning: "r".into(),
        }],
    }));
    let err = refused::<Consultation>(s(AFTER, world(2)), given.clone(), results());
    assert_eq!(
        (err.kind, err.code),
        (ErrorKind::Rule, "unanswered_comments")
    );
    assert!(err.message.contains(": 2"), "{}", err.message);
    // A hidden comment need not be answered.
    given.push(moderated(2, "hide", "spam", vec![]));
    let events = accepted::<Consultation>(s(AFTER, world(2)), given.clone(), results());
    let ConsultationEvent::ResultsPublished(e) = &events[0] else {
        panic!()
    };
    assert_eq!((e.comments, e.answered, e.hidden), (2, 1, 1));
    given.extend(events);
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(2)), given, results()).code,
        "results_published"
    );
}

#[test]
fn erasing_a_person_names_one_who_commented_once() {
    let given = || vec![opened(), comment_event(1, None, "public", Some("p1"))];
    let erase = |person: &str| {
        on(
            Some(moderator()),
            ConsultationCommand::Erase(ErasePersonalData {
                person: person.into(),
                reason: "Demande de la personne (loi 09-08)".into(),
            }),
        )
    };
    let events = accepted::<Consultation>(s(AFTER, world(1)), given(), erase("p1"));
    assert_eq!(events.len(), 1);
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(1)), given(), erase("p9")).code,
        "unknown_person"
    );
    let mut erased = given();
    erased.extend(events);
    assert_eq!(
        refused::<Consultation>(s(AFTER, world(1)), erased, erase("p1")).code,
        "already_erased"
    );
}

#[test]
fn the_world_counts_comments_and_recommendations() {
    let w = world(3);
    let c = w.consultation("C1").unwrap();
    assert_eq!(
        (c.comments, c.draft.as_str(), c.institution.as_str()),
        (3, "D1", "MIN")
    );
    assert_eq!(w.draft("D1").unwrap().revisions[&1], ["1", "2"]);
}
