-- The public channel (docs/public-channel.md): personal data kept out of the ledger and
-- erasable, idempotent public comments, and withheld documents. Same layout as the
-- PostgreSQL migration of the same number.

-- Names and e-mails of public commenters, never in the ledger. Each person's data is
-- encrypted under a random per-person key, itself stored wrapped under a key derived from
-- the log key; erasure sets the key and both ciphertexts to NULL and stamps `erased_at`,
-- and a row once erased never receives data again. `person_ref` is the opaque reference
-- the log's CommentSubmitted entries carry.
CREATE TABLE persons (
    person_ref TEXT PRIMARY KEY,
    person_key BLOB,
    name_ct    BLOB,
    email_ct   BLOB,
    erased_at  TEXT
);

-- A public comment's client_token and the receipt it got, written in the append
-- transaction of the comment itself: a token has a receipt exactly when its comment is in
-- the log, so a retry after a crash gets the original receipt and appends nothing.
CREATE TABLE public_comment_tokens (
    consultation TEXT NOT NULL,
    client_token TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    log_index    INTEGER NOT NULL,
    receipt      TEXT NOT NULL,
    PRIMARY KEY (consultation, client_token)
);

-- Documents a moderation entry withholds (its `data.withheld`), written in the append
-- transaction of that entry: never served, exported or mirrored again.
CREATE TABLE withheld_documents (
    sha256    TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    PRIMARY KEY (sha256, log_index)
);

-- The erasure reconciliation at start-up and catch-up reads only these entries; a partial
-- index keeps that cheap on a large log and costs nothing on other appends' hot path.
CREATE INDEX events_personal_data_erased ON events (log_index)
    WHERE event_type = 'PersonalDataErased';
