//! A long stream is read back after a restart from its aggregate's snapshot and the
//! entries after it, and the registry's cross-stream facts from theirs (docs/scaling.md,
//! "Restarts"), never from a snapshot that does not stand on the log. The server under
//! test is a debug build, which checks every state it reads from a snapshot against one
//! built from every entry: a process that starts and accepts a comment with the next
//! number says the snapshots' states were the log's.

use std::time::Duration;

use engine::event_store::SNAPSHOT_FORMAT;
use engine::registry_startup::{WORLD, WORLD_FORMAT};
use ledger::SignedEntry;
use serde_json::json;

use crate::support::{Backend, ServerProcess, Store, PATIENCE};

both_backends!(a_restarted_process_reads_a_long_stream_from_its_snapshot);

/// The `--snapshot-every` the processes run with, and the comments posted before the
/// restart: snapshots at 10, 20, 30 and 40 entries (a quarter of the stream is less than
/// 10 up to there).
const EVERY: u64 = 10;
const COMMENTS: u64 = 44;

async fn post(api: &crate::support::Api, consultation: &str, n: u64) -> u64 {
    let (status, receipt) = api
        .post_public_comment(
            consultation,
            &json!({"text": format!("Avis numéro {n}."), "article": null}),
        )
        .await;
    assert_eq!(status, 201, "comment {n}: {receipt}");
    receipt["entry"]["data"]["comment"]
        .as_u64()
        .expect("a comment number")
}

async fn a_restarted_process_reads_a_long_stream_from_its_snapshot(backend: Backend) {
    let store = Store::new(backend).await;
    let url = store.database_url();
    let dir = tempfile::tempdir().expect("temporary folder");
    let (data, logs) = (dir.path().join("data"), dir.path().join("logs"));
    let every = EVERY.to_string();
    let extra = [
        "--public-comments-per-minute",
        "100000",
        "--snapshot-every",
        every.as_str(),
    ];
    let start = || async {
        ServerProcess::start_with(&data, url.as_deref(), None, &extra, PATIENCE, &logs)
            .await
            .unwrap_or_else(|f| panic!("the server process did not start: {f:?}"))
    };

    let mut first = start().await;
    let api = first.api(&data).await;
    let consultation = crate::processes::open_consultation(&api).await;
    for n in 1..=COMMENTS {
        assert_eq!(post(&api, &consultation, n).await, n);
    }

    // The snapshot is written in the background: wait for the one at entry 40 (the
    // opening and 39 comments), and check it names that entry of the stream.
    let db_url = url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data.join("sijill.db").display()));
    let db = store::Db::open(&db_url, 2).await.expect("open the store");
    let snapshot = snapshot_at(&db, &consultation, 3 * EVERY, 4 * EVERY).await;
    let stream = db
        .stream_entries("consultation", &consultation)
        .await
        .expect("the stream");
    assert_eq!(stream.len() as u64, COMMENTS + 1);
    let at = SignedEntry::parse(&stream[(snapshot.position - 1) as usize]).expect("an entry");
    assert_eq!(
        (at.entry.seq, at.hash),
        (snapshot.position, snapshot.entry_hash)
    );

    // A crash, then a new process: its first comment on the consultation loads the
    // aggregate from the snapshot and the entries after it, and gets the next number. A
    // process that rebuilt it from every entry would also have written a snapshot at
    // once (the stream is past 10 entries and it knew of none); one that read the
    // snapshot at 40 writes the next at 80.
    first.kill9();
    let world = db
        .snapshot(WORLD, "", WORLD_FORMAT)
        .await
        .expect("read the facts' snapshot")
        .expect("the facts' snapshot");
    assert!(world.position >= 4 * EVERY, "{}", world.position);
    let mut second = start().await;
    assert!(
        second
            .stdout
            .contains(&format!("the facts' snapshot at {} and", world.position)),
        "{}",
        second.stdout
    );
    let api = second.api(&data).await;
    for n in COMMENTS + 1..=5 * EVERY {
        assert_eq!(post(&api, &consultation, n).await, n);
    }
    second.kill9();
    let kept = db
        .snapshot("consultation", &consultation, SNAPSHOT_FORMAT)
        .await
        .expect("read the snapshot")
        .expect("a snapshot");
    assert_eq!(
        kept.position,
        4 * EVERY,
        "read, not rebuilt from every entry"
    );

    // A clean stop leaves both snapshots at the head: the next process reads no entry of
    // the consultation after its snapshot, nor any entry after the facts'.
    let mut third = start().await;
    let api = third.api(&data).await;
    let head = 5 * EVERY + 1;
    assert_eq!(post(&api, &consultation, head).await, head);
    let size = api.tree_size().await;
    drop(api);
    third.terminate();
    let at_stop = db
        .snapshot("consultation", &consultation, SNAPSHOT_FORMAT)
        .await
        .expect("read the snapshot")
        .expect("a snapshot");
    assert_eq!(
        at_stop.position,
        head + 1,
        "the stream's head: the opening and {head} comments"
    );
    let world = db
        .snapshot(WORLD, "", WORLD_FORMAT)
        .await
        .expect("read the facts' snapshot")
        .expect("the facts' snapshot");
    assert_eq!(world.position, size, "the facts at the log's head");
    let fourth = start().await;
    assert!(
        fourth
            .stdout
            .contains(&format!("the facts' snapshot at {size} and")),
        "{}",
        fourth.stdout
    );
    let api = fourth.api(&data).await;
    assert_eq!(post(&api, &consultation, head + 1).await, head + 1);
    drop(fourth);

    // A snapshot that claims a later position than it stands at (the state of entry 40
    // labelled as the head, with a hash that is not the head's) is ignored: the next
    // process loads every entry, and numbers on from the log.
    let head = head + 2;
    db.put_snapshot(
        "consultation",
        &consultation,
        SNAPSHOT_FORMAT,
        &store::Snapshot {
            position: head,
            entry_hash: [7; 32],
            state: snapshot.state.clone(),
        },
    )
    .await
    .expect("write a false snapshot");
    let fifth = start().await;
    let api = fifth.api(&data).await;
    assert_eq!(post(&api, &consultation, head).await, head);
    drop(fifth);

    // So is a snapshot at the right position whose state does not read as the aggregate.
    let stream = db
        .stream_entries("consultation", &consultation)
        .await
        .expect("the stream");
    let last = SignedEntry::parse(stream.last().expect("entries")).expect("an entry");
    assert_eq!(last.entry.seq, head + 1);
    db.put_snapshot(
        "consultation",
        &consultation,
        SNAPSHOT_FORMAT,
        &store::Snapshot {
            position: last.entry.seq,
            entry_hash: last.hash,
            state: "{\"not\": \"a consultation\"}".to_owned(),
        },
    )
    .await
    .expect("write an unreadable snapshot");
    let sixth = start().await;
    let api = sixth.api(&data).await;
    assert_eq!(post(&api, &consultation, head + 1).await, head + 1);
}

/// Waits for the stored snapshot of `consultation` to move on from entry `after`, and
/// checks it moved to entry `seq`.
async fn snapshot_at(db: &store::Db, consultation: &str, after: u64, seq: u64) -> store::Snapshot {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let found = db
            .snapshot("consultation", consultation, SNAPSHOT_FORMAT)
            .await
            .expect("read the snapshot");
        if let Some(s) = found.filter(|s| s.position > after) {
            assert_eq!(s.position, seq, "the snapshot after entry {seq}");
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no snapshot at entry {seq} of the stream"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
