-- Personal data under a dedicated secret and rotating epoch keys (docs/public-channel.md).
-- Same layout as the PostgreSQL migration of the same number.

-- One row per public comment that gave a name or an e-mail: what was given with that
-- comment, encrypted under a random key of that comment alone, itself wrapped under the
-- key of epoch `epoch`. Epoch keys live outside the database and are destroyed as time
-- moves on, so a wrapped key left in a WAL, a free page or a dead tuple stops opening.
-- Erasure sets the key and both ciphertexts of every row of the person to NULL.
CREATE TABLE person_comments (
    consultation TEXT NOT NULL,
    comment      INTEGER NOT NULL,
    person_ref   TEXT NOT NULL,
    epoch        INTEGER NOT NULL,
    comment_key  BLOB,
    name_ct      BLOB,
    email_ct     BLOB,
    PRIMARY KEY (consultation, comment)
);
CREATE INDEX person_comments_person ON person_comments (person_ref);
CREATE INDEX person_comments_live ON person_comments (epoch) WHERE comment_key IS NOT NULL;

-- The fingerprint of the personal-data secret this store's data is under: a process
-- holding another secret refuses to start.
CREATE TABLE persons_secret (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);

-- For a person whose reference was computed before references were scoped to one
-- consultation: the scoped reference an e-mail now gets in a consultation where that
-- person already commented maps to the earlier reference, so they stay one participant
-- there and one erasure covers both.
CREATE TABLE person_aliases (
    scoped_ref TEXT PRIMARY KEY,
    legacy_ref TEXT NOT NULL
);
