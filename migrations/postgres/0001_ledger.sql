-- Sijill ledger store, PostgreSQL.
-- `events` keeps the postgres-es layout (aggregate_type, aggregate_id, sequence, event_type,
-- event_version, payload, metadata) and extends it so that each event is also a ledger entry:
-- its dense log index, the exact canonical bytes that were signed, their hash and recorded_at.
-- The signed bytes live in a bytea column because jsonb reorders keys (field notes).
CREATE TABLE events (
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    sequence       BIGINT NOT NULL,
    event_type     TEXT NOT NULL,
    event_version  TEXT NOT NULL,
    payload        JSONB NOT NULL,
    metadata       JSONB NOT NULL,
    log_index      BIGINT NOT NULL,
    entry          BYTEA NOT NULL,
    entry_hash     BYTEA NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id, sequence)
);
CREATE UNIQUE INDEX events_log_index ON events (log_index);

-- Complete subtrees of the RFC 9162 Merkle tree: node `node_index` at `level` covers leaves
-- [node_index << level, (node_index + 1) << level). Written once, when complete; proofs read
-- O(log n) of them and never all leaves.
CREATE TABLE tree_nodes (
    level      SMALLINT NOT NULL,
    node_index BIGINT NOT NULL,
    hash       BYTEA NOT NULL,
    PRIMARY KEY (level, node_index)
);

-- One row, locked FOR UPDATE by every append: the lock that orders the log across processes.
CREATE TABLE ledger_state (
    id               SMALLINT PRIMARY KEY CHECK (id = 1),
    origin           TEXT,
    log_key          TEXT,
    tree_size        BIGINT NOT NULL,
    frontier         BYTEA NOT NULL,
    last_recorded_at TEXT,
    checkpoint       TEXT
);
INSERT INTO ledger_state (id, tree_size, frontier) VALUES (1, 0, '\x');

-- Every (actor, nonce) an appended statement used, with the answer it got, so that an
-- identical retry gets the same answer and a reused nonce is refused.
CREATE TABLE nonces (
    actor          TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    statement_hash BYTEA NOT NULL,
    response       TEXT NOT NULL,
    PRIMARY KEY (actor, nonce)
);

-- Documents by SHA-256. A document no entry names is never served.
CREATE TABLE documents (
    sha256      TEXT PRIMARY KEY,
    content     BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL
);

-- Which entries name which documents: a document no entry names is never served.
CREATE TABLE document_names (
    sha256    TEXT NOT NULL,
    log_index BIGINT NOT NULL,
    PRIMARY KEY (sha256, log_index)
);

-- Read models: the position (next log index) each projection has applied, and its rows.
CREATE TABLE projection_positions (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);
CREATE TABLE views (
    view_name TEXT NOT NULL,
    view_id   TEXT NOT NULL,
    payload   TEXT NOT NULL,
    PRIMARY KEY (view_name, view_id)
);
