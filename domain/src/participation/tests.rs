//! Given/when/then tests of the drafts and consultations rules.
