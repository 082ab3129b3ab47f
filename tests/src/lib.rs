//! End-to-end tests of Sijill: the real server against real SQLite and PostgreSQL
//! databases. The tests live in `tests/e2e/`; this library is empty and the crate's binary
//! (`sijill-e2e-server`) is the server the tests spawn as a separate process.
