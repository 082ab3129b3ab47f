//! What recording a comment writes, whatever the number of comments before it: the
//! submission, moderation and response of the 100,000th comment change that comment's
//! row and nothing else, and the rows they leave are the size of the 10th's.

use super::consultation_comments::{comment_id, CONSULTATION_COMMENTS};
use super::scenario::one_more_comment;
use super::ParticipationProjector;
use crate::support::scenario::{apply, project};
use crate::Projector;

/// The (view, id, size of the row as the runner writes it) of every change the last three
/// entries of [`one_more_comment`]`(n)` make, after the entries before them.
fn written(n: u64) -> Vec<(&'static str, String, usize)> {
    let entries = one_more_comment(n);
    let (before, last) = entries.split_at(entries.len() - 3);
    let mut rows = project(&ParticipationProjector, before);
    let mut touched = Vec::new();
    for (e, event_type) in
        last.iter()
            .zip(["CommentSubmitted", "CommentModerated", "CommentsAnswered"])
    {
        assert_eq!(e.event_type, event_type);
        for change in ParticipationProjector.project(e).unwrap() {
            let key = (change.view(), change.id().to_owned());
            apply(&mut rows, change);
            let size = rows[&key].to_string().len();
            touched.push((key.0, key.1, size));
        }
    }
    touched
}

#[test]
fn the_100000th_comment_writes_its_own_row_only_and_no_more_than_the_10th() {
    let few = written(9);
    let many = written(99_999);
    assert_eq!(few.len(), many.len());
    for (n, touched) in [(10, &few), (100_000, &many)] {
        for (view, id, _) in touched.iter() {
            assert_eq!(
                (*view, id.as_str()),
                (CONSULTATION_COMMENTS, comment_id("C1", n).as_str())
            );
        }
    }
    for ((_, _, small), (_, _, large)) in few.iter().zip(&many) {
        // Only the numbers differ: the comment's number and its entries' indexes have
        // more digits (a few bytes each); nothing of the 99,999 comments before it is in
        // what is written.
        assert!(
            large - small <= 64,
            "{small} bytes at 10, {large} at 100,000"
        );
        assert!(*large < 2_048, "a comment row of {large} bytes");
    }
}
