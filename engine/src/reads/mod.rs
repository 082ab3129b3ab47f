//! The read API: what the JSON API and the portal's pages show, from the read models and
//! the log, as one set of functions so that a page and `/v1/...` never disagree. Each
//! waits for the read models to include what this process has acknowledged.

pub mod consultation_comments;
pub mod consultation_views;
pub mod drafts;
pub mod indicators;
pub mod listed;
pub mod params;
pub mod registry;
pub mod streams;
pub mod support;
pub mod trainings;
