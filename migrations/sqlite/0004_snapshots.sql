-- Snapshots (docs/scaling.md, "Restarts"): a state built from the log up to a position,
-- serialized, so that a process starting or loading a long stream reads the snapshot and
-- the entries after it instead of all of them. `kind` and `id` name what it is the state
-- of: an aggregate (its stream type and id; `position` is the stream's `seq`) or the
-- cross-stream facts the domain reads (`world`, id empty; `position` is a tree size).
-- A cache the log can always rebuild: a snapshot whose `format` this build does not
-- write, or whose `entry_hash` is not the hash of the entry at its position, is ignored.
-- One row per kind and id, overwritten by newer ones. Same layout as the PostgreSQL
-- migration of the same number.
CREATE TABLE snapshots (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    position   INTEGER NOT NULL,
    entry_hash BLOB NOT NULL,
    format     TEXT NOT NULL,
    state      TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
