-- Snapshots of long aggregates (docs/scaling.md, "Restarts"): the state an aggregate's
-- first `seq` entries build, serialized, so that a process loading it after a restart
-- reads the snapshot and the entries after it instead of the whole stream. A cache the
-- log can always rebuild: a snapshot whose `format` this build does not write, or whose
-- `entry_hash` is not the hash of entry `seq` of the stream, is ignored. One row per
-- stream, overwritten by newer ones. Same layout as the PostgreSQL migration of the same number.
CREATE TABLE aggregate_snapshots (
    aggregate_type TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    entry_hash     BLOB NOT NULL,
    format         TEXT NOT NULL,
    state          TEXT NOT NULL,
    PRIMARY KEY (aggregate_type, aggregate_id)
);
