//! Erasure and withholding on the public channel (docs/public-channel.md): after
//! `ErasePersonalData` the person's key and ciphertexts are gone from the database (read
//! here straight from the table), the comments and the log remain, and a full export
//! still verifies; a comment hidden on the grounds of personal data of others has its
//! document withheld (410, deleted from the database, absent from the export) while the
//! export still verifies.

use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};
use sqlx::Row;

use crate::public_channel::{
    comment_of, person_of, shown_authors, Consultation, CONSULTATION, STREAM,
};
use crate::support::{Backend, Reply};

both_backends!(
    erasure_destroys_the_key_and_the_log_still_verifies,
    erased_data_stops_opening_once_its_epoch_key_is_gone,
    data_of_the_earlier_scheme_is_moved_and_stays_erasable,
    a_withheld_document_is_gone_and_the_export_still_verifies,
);

/// A comment's row straight from the `person_comments` table: (key, name, e-mail).
async fn comment_row(
    c: &Consultation,
    number: u64,
) -> (Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>) {
    let row = c
        .db()
        .person_comments(CONSULTATION, &[number])
        .await
        .unwrap()
        .remove(&number)
        .expect("the comment's row");
    (row.comment_key, row.name, row.email)
}

/// The person's erasure marker in `persons`, if any.
async fn erased_at(c: &Consultation, person: &str) -> Option<String> {
    sqlx::query("SELECT erased_at FROM persons WHERE person_ref = $1")
        .bind(person.to_owned())
        .fetch_optional(c.db().raw_pool())
        .await
        .unwrap()
        .and_then(|r| r.try_get(0).unwrap())
}

async fn erasure_destroys_the_key_and_the_log_still_verifies(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let email = "nadia.alaoui@exemple.ma";
    let (receipt, _) = c
        .accepted(
            &json!({"text": "Je propose un délai de soixante jours.", "article": "art-1",
                          "author_name": "Nadia Alaoui", "author_email": email}),
        )
        .await;
    let person = person_of(&receipt);
    let n = comment_of(&receipt);
    let (other, _) = c
        .accepted(&json!({"text": "D'accord avec le texte.", "article": null,
                          "author_name": "Omar", "author_email": "omar@exemple.ma"}))
        .await;
    let persons = &c.service().public.persons;
    assert_eq!(
        persons.name(CONSULTATION, n).await.unwrap().as_deref(),
        Some("Nadia Alaoui")
    );
    let (key, name, mail) = comment_row(&c, n).await;
    assert!(key.is_some() && name.is_some() && mail.is_some());
    assert_eq!(erased_at(&c, &person).await, None);
    // The portal shows the name while the key exists, and never the e-mail.
    let page = c
        .get(&format!(
            "/v1/consultations/{}",
            &STREAM["consultation/".len()..]
        ))
        .await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.text());
    assert!(page.text().contains("Nadia Alaoui"), "{}", page.text());
    assert!(!page.text().contains(email));

    let (_, data) = c
        .accept(
            &c.moderator,
            "ErasePersonalData",
            STREAM,
            json!({"person": person, "reason": "Demande de l'intéressée (loi 09-08)"}),
            "PersonalDataErased",
        )
        .await;
    assert_eq!(data["person"], person.as_str());

    // Gone from the database as soon as the erasure is acknowledged.
    assert_eq!(
        comment_row(&c, n).await,
        (None, None, None),
        "key and ciphertexts destroyed"
    );
    assert!(erased_at(&c, &person).await.is_some());
    assert_eq!(persons.name(CONSULTATION, n).await.unwrap(), None);
    // And from the portal.
    let page = c
        .get(&format!(
            "/v1/consultations/{}",
            &STREAM["consultation/".len()..]
        ))
        .await;
    assert!(!page.text().contains("Nadia"), "{}", page.text());
    assert!(page.text().contains("Omar"), "{}", page.text());
    // Only that person.
    assert_eq!(
        persons
            .name(CONSULTATION, comment_of(&other))
            .await
            .unwrap()
            .as_deref(),
        Some("Omar")
    );
    // A second erasure is refused by the domain; the store is unchanged.
    c.refuse(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": person, "reason": "Encore"}),
        409,
        "already_erased",
    )
    .await;

    // The comment and its text remain, and the whole log still verifies.
    let document = receipt["entry"]["data"]["document"].as_str().unwrap();
    assert_eq!(
        c.get(&format!("/v1/documents/{document}"))
            .await
            .status
            .as_u16(),
        200
    );
    let out = c.export_and_verify(c.scratch(), "after-erasure").await;
    let exported = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert!(!exported.contains("Nadia") && !exported.contains("nadia.alaoui"));

    // The same person commenting again counts as the same participant, and nothing of
    // theirs is stored again: an erased reference could not be erased a second time.
    let (again, _) = c
        .accepted(&json!({"text": "Une précision.", "article": null,
                          "author_name": "Nadia A.", "author_email": email}))
        .await;
    assert_eq!(person_of(&again), person);
    let stored = c
        .db()
        .person_comments(CONSULTATION, &[comment_of(&again)])
        .await
        .unwrap();
    assert!(stored.is_empty(), "nothing stored for an erased person");

    // A crash between the append and the erasure: the data is back in the row (as if
    // never erased); the reconciliation that runs at start-up and catch-up erases it.
    let sealed = persons.seal(CONSULTATION, n, &person, Some("Nadia Alaoui"), Some(email));
    sqlx::query(
        "UPDATE person_comments SET comment_key = $1, name_ct = $2, email_ct = $3, epoch = $4 \
         WHERE consultation = $5 AND comment = $6",
    )
    .bind(sealed.comment_key.clone())
    .bind(sealed.name.clone())
    .bind(sealed.email.clone())
    .bind(sealed.epoch as i64)
    .bind(CONSULTATION.to_owned())
    .bind(n as i64)
    .execute(c.db().raw_pool())
    .await
    .unwrap();
    assert_eq!(
        persons.name(CONSULTATION, n).await.unwrap().as_deref(),
        Some("Nadia Alaoui")
    );
    engine::public_channel::erasure::reconcile(c.db(), persons, 0)
        .await
        .expect("reconciliation");
    assert_eq!(comment_row(&c, n).await, (None, None, None));
    assert_eq!(
        persons
            .name(CONSULTATION, comment_of(&other))
            .await
            .unwrap()
            .as_deref(),
        Some("Omar")
    );
}

/// Whether `needle` occurs in `hay`.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The bytes of the files that hold the `person_comments` table: SQLite's database file
/// and WAL; PostgreSQL's relation file (after a checkpoint), read from the cluster's data
/// directory.
async fn store_files(c: &Consultation, backend: Backend) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    match backend {
        Backend::Sqlite => {
            for name in ["sijill.db", "sijill.db-wal"] {
                let path = c.scratch().join("data").join(name);
                if let Ok(bytes) = std::fs::read(&path) {
                    files.push((path.display().to_string(), bytes));
                }
            }
            assert!(
                !files.is_empty(),
                "the SQLite files are where serve puts them"
            );
        }
        Backend::Postgres => {
            let pool = c.db().raw_pool();
            sqlx::query("CHECKPOINT")
                .execute(pool)
                .await
                .expect("CHECKPOINT");
            let dir: String =
                sqlx::query("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
                    .fetch_one(pool)
                    .await
                    .unwrap()
                    .try_get(0)
                    .unwrap();
            for table in ["person_comments", "persons"] {
                let rel: String = sqlx::query(&format!("SELECT pg_relation_filepath('{table}')"))
                    .fetch_one(pool)
                    .await
                    .unwrap()
                    .try_get(0)
                    .unwrap();
                let path = std::path::Path::new(&dir).join(rel);
                let bytes = std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("read {} (as root): {e}", path.display()));
                files.push((path.display().to_string(), bytes));
            }
        }
    }
    files
}

async fn erased_data_stops_opening_once_its_epoch_key_is_gone(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let (email, name) = ("nadia.alaoui@exemple.ma", "Nadia Alaoui");
    let (receipt, _) = c
        .accepted(
            &json!({"text": "Je propose un délai de soixante jours.", "article": "art-1",
                          "author_name": name, "author_email": email}),
        )
        .await;
    let (omar, _) = c
        .accepted(&json!({"text": "D'accord avec le texte.", "article": null,
                          "author_name": "Omar", "author_email": "omar@exemple.ma"}))
        .await;
    let person = person_of(&receipt);
    let n = comment_of(&receipt);
    let persons = &c.service().public.persons;
    // What a WAL page, a free page, a dead tuple or a dump may keep of the row: its bytes
    // as they are before the erasure.
    let kept = c
        .db()
        .person_comments(CONSULTATION, &[n])
        .await
        .unwrap()
        .remove(&n)
        .unwrap();
    assert_eq!(persons.open_name(&kept).as_deref(), Some(name));
    // And a persons backup taken before the erasure.
    let data = c.scratch().join("data");
    let backup = c.scratch().join("persons.backup");
    let mut args = vec![
        "persons-backup".to_owned(),
        "--out".to_owned(),
        backup.display().to_string(),
        "--data".to_owned(),
        data.display().to_string(),
    ];
    if let Some(url) = c.database_url() {
        args.extend(["--database-url".to_owned(), url]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = crate::support::run_binary(&args).await;
    assert_eq!(code, 0, "persons-backup: {out}{err}");
    let secret = engine::public_channel::persons::PersonsSecret::load(&data.join("persons.secret"))
        .expect("the secret");
    let backed_up = engine::restore::persons_backup::read_backup(&secret, &backup)
        .unwrap_or_else(|_| panic!("the backup opens"));
    let from_backup = |number: u64| {
        backed_up
            .comments
            .iter()
            .map(|c| c.row().unwrap())
            .find(|r| r.comment == number)
            .expect("the comment is in the backup")
    };
    assert_eq!(persons.open_name(&from_backup(n)).as_deref(), Some(name));

    c.accept(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": person, "reason": "Demande de l'intéressée (loi 09-08)"}),
        "PersonalDataErased",
    )
    .await;
    // Still within the bound: the row is gone, but the old copy's epoch key still exists.
    assert_eq!(persons.open_name(&kept).as_deref(), Some(name));
    let before = persons.epoch();
    persons.rotate_now().await.expect("rotation");
    persons.rotate_now().await.expect("rotation");
    assert_eq!(persons.epoch(), before + 2);

    // With every key file the server holds now, nothing opens the erased person's data:
    // not the old copy of the row, not the backup.
    assert_eq!(persons.open_name(&kept), None);
    assert_eq!(persons.open_email(&kept), None);
    assert_eq!(persons.open_name(&from_backup(n)), None);
    let epoch_file = std::fs::read_to_string(data.join("persons.secret.epoch")).unwrap();
    assert!(
        epoch_file.contains(&format!("epoch {}", before + 2)),
        "{epoch_file}"
    );
    // The others were re-wrapped under the new epoch and still show.
    let authors = shown_authors(&c, CONSULTATION).await;
    assert!(
        authors.contains(&(comment_of(&omar), Some("Omar".to_owned()))),
        "{authors:?}"
    );
    assert!(authors.contains(&(n, None)), "{authors:?}");
    // The files of the store hold neither the name nor the e-mail in the clear; on SQLite
    // (secure_delete, WAL truncated) not even the erased row's old ciphertexts.
    for (path, bytes) in store_files(&c, backend).await {
        for plain in [name, email, "Nadia"] {
            assert!(!holds(&bytes, plain.as_bytes()), "{path} holds {plain:?}");
        }
        if backend == Backend::Sqlite {
            for old in [&kept.comment_key, &kept.name, &kept.email] {
                let old = old.as_deref().unwrap();
                assert!(
                    !holds(&bytes, old),
                    "{path} still holds an erased ciphertext"
                );
            }
        }
    }
}

/// SHA-256(label || bytes), as the earlier scheme derived its keys from the log key.
fn labelled(label: &[u8], bytes: &[u8]) -> [u8; 32] {
    let mut h = <sha2::Sha256 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, label);
    sha2::Digest::update(&mut h, bytes);
    sha2::Digest::finalize(h).into()
}

/// nonce || ciphertext, sealed as the earlier scheme sealed a person's fields.
fn legacy_seal(key: &[u8; 32], field: &str, person: &str, plain: &[u8]) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let nonce = [9u8; 12];
    let aad = format!("sijill-person-v1\n{field}\n{person}");
    let mut out = nonce.to_vec();
    out.extend(
        chacha20poly1305::ChaCha20Poly1305::new(key.into())
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: plain,
                    aad: aad.as_bytes(),
                },
            )
            .unwrap(),
    );
    out
}

async fn data_of_the_earlier_scheme_is_moved_and_stays_erasable(backend: Backend) {
    use hmac::Mac as _;
    let c = Consultation::open(backend, 1000).await;
    let log_key = keys::load(&c.scratch().join("data/keys/log.key")).unwrap();
    let seed = log_key.to_bytes();
    // A store written before the personal-data secret: the reference is the keyed hash of
    // the e-mail alone under a key derived from the log key, in signed entries for good.
    let email = "nadia@exemple.ma";
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&labelled(
        b"sijill-person-ref-v1",
        &seed,
    ))
    .unwrap();
    mac.update(format!("email\n{email}").as_bytes());
    let legacy = hex::encode(mac.finalize().into_bytes());
    let service = c.service();
    let mut numbers = Vec::new();
    for text in ["Un premier avis, d'avant.", "Un second avis, d'avant."] {
        let document = to_hex(&sha256(text.as_bytes()));
        service
            .db
            .put_document(&document, text.as_bytes(), "public")
            .await
            .unwrap();
        let comment = domain::participation::PublicComment {
            article: None,
            document,
            person: legacy.clone(),
        };
        let appended = match service
            .record_public_comment(CONSULTATION, comment, None, None)
            .await
        {
            Ok(engine::service::Recorded::Appended(appended)) => appended,
            other => panic!("appended: {other:?}"),
        };
        let entry = ledger::SignedEntry::parse(&appended.entries[0].bytes).unwrap();
        numbers.push(entry.entry.data["comment"].as_u64().unwrap());
    }
    let wrap = labelled(b"sijill-person-store-v1", &seed);
    let person_key = [5u8; 32];
    sqlx::query(
        "INSERT INTO persons (person_ref, person_key, name_ct, email_ct) VALUES ($1, $2, $3, $4)",
    )
    .bind(legacy.clone())
    .bind(legacy_seal(&wrap, "key", &legacy, &person_key))
    .bind(legacy_seal(&person_key, "name", &legacy, b"Nadia Alaoui"))
    .bind(legacy_seal(&person_key, "email", &legacy, email.as_bytes()))
    .execute(c.db().raw_pool())
    .await
    .unwrap();

    // The move, as at the first start with the log key at hand (and idempotent).
    let persons = &service.public.persons;
    let moved = engine::public_channel::persons::migrate_legacy(persons, &log_key)
        .await
        .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(
        engine::public_channel::persons::migrate_legacy(persons, &log_key)
            .await
            .unwrap(),
        0
    );
    assert_eq!(erased_at(&c, &legacy).await, None);
    let left = sqlx::query("SELECT COUNT(*) FROM persons WHERE person_ref = $1")
        .bind(legacy.clone())
        .fetch_one(c.db().raw_pool())
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap();
    assert_eq!(left, 0, "nothing of the earlier scheme is left");
    let authors = shown_authors(&c, CONSULTATION).await;
    for n in &numbers {
        assert!(
            authors.contains(&(*n, Some("Nadia Alaoui".to_owned()))),
            "{authors:?}"
        );
    }
    // The same person commenting again in that consultation stays one participant: the
    // scoped reference of the e-mail maps to the earlier one.
    let (again, _) = c
        .accepted(&json!({"text": "Un avis d'après.", "article": null,
                          "author_name": "Nadia A.", "author_email": " NADIA@exemple.ma"}))
        .await;
    assert_eq!(person_of(&again), legacy);
    let authors = shown_authors(&c, CONSULTATION).await;
    assert!(authors.contains(&(comment_of(&again), Some("Nadia A.".to_owned()))));
    assert!(authors.contains(&(numbers[0], Some("Nadia Alaoui".to_owned()))));
    // One erasure covers the comments of both schemes.
    c.accept(
        &c.moderator,
        "ErasePersonalData",
        STREAM,
        json!({"person": legacy, "reason": "Demande de l'intéressée (loi 09-08)"}),
        "PersonalDataErased",
    )
    .await;
    for n in numbers.iter().chain([&comment_of(&again)]) {
        assert_eq!(comment_row(&c, *n).await, (None, None, None));
    }
    let authors = shown_authors(&c, CONSULTATION).await;
    assert!(authors.iter().all(|(_, a)| a.is_none()), "{authors:?}");
}

fn moderation(comment: u64, action: &str, ground: &str) -> Value {
    json!({"comment": comment, "action": action, "ground": ground,
           "note": "Signalé par un lecteur et vérifié."})
}

async fn document_rows(c: &Consultation, sha: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
        .bind(sha.to_owned())
        .fetch_one(c.db().raw_pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

async fn a_withheld_document_is_gone_and_the_export_still_verifies(backend: Backend) {
    let c = Consultation::open(backend, 1000).await;
    let taken_down = "Le voisin M. X, joignable au 06 00 00 00 00, ne respecte pas la loi.";
    let kept = "Le texte devrait prévoir un registre public des consultations.";
    let spam = "Achetez nos produits !";
    let mut docs = Vec::new();
    for text in [taken_down, kept, spam] {
        let (receipt, _) = c.accepted(&json!({"text": text, "article": null})).await;
        docs.push(
            receipt["entry"]["data"]["document"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(docs[0], to_hex(&sha256(taken_down.as_bytes())));
    assert_eq!(document_rows(&c, &docs[0]).await, 1);

    // Hidden as personal data of others: the document is withheld.
    let (_, data) = c
        .accept(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(1, "hide", "personal_data"),
            "CommentModerated",
        )
        .await;
    assert_eq!(data["withheld"], json!([docs[0]]));
    // Hidden as spam: a placeholder, the text stays served.
    let (_, data) = c
        .accept(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(3, "hide", "spam"),
            "CommentModerated",
        )
        .await;
    assert_eq!(data["withheld"], json!([]));

    let gone: Reply = c.get(&format!("/v1/documents/{}", docs[0])).await;
    gone.assert_error(410, "withheld");
    for doc in &docs[1..] {
        assert_eq!(
            c.get(&format!("/v1/documents/{doc}")).await.status.as_u16(),
            200
        );
    }
    assert_eq!(
        document_rows(&c, &docs[0]).await,
        0,
        "the withheld bytes are deleted"
    );
    let restore = c
        .send(
            &c.moderator,
            "ModerateComment",
            STREAM,
            moderation(1, "restore", "personal_data"),
        )
        .await;
    restore.assert_error(409, "document_withheld");

    // Neither an official's upload nor a citizen's comment brings the text back.
    let upload = c.upload(&c.drafter, taken_down.as_bytes().to_vec()).await;
    upload.assert_error(410, "withheld");
    c.comment(&json!({"text": taken_down, "article": null}))
        .await
        .assert_error(422, "invalid_comment_text");
    assert_eq!(document_rows(&c, &docs[0]).await, 0);

    // The export leaves the withheld document out, keeps the others, and verifies.
    let out = c.export_and_verify(c.scratch(), "withheld").await;
    assert!(!out.join("documents").join(&docs[0]).exists());
    for doc in &docs[1..] {
        assert!(
            out.join("documents").join(doc).exists(),
            "{doc} is exported"
        );
    }
    let exported = std::fs::read_to_string(out.join("entries.jsonl")).unwrap();
    assert!(exported.contains(&docs[0]), "the hash stays in the log");
    assert!(!exported.contains("06 00 00 00 00"));
}
