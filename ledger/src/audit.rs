//! Streaming export verifier (in progress).
