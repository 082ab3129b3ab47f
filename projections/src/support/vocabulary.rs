//! The closed lists of `docs/support-lifecycle.md` that readers filter by, as the domain
//! fixes them (`domain::support::catalog`): the views show a region's name beside its
//! code, the 360Giving export names the beneficiary location, and a filter naming
//! something outside the lists is a client's mistake, answered as such rather than with an
//! empty list.

pub use domain::support::catalog::{region_name, DOMAINS};

/// Whether `name` is one of the [`DOMAINS`].
pub fn is_domain(name: &str) -> bool {
    DOMAINS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_named_and_unknown_codes_are_not() {
        assert_eq!(region_name("MA-04"), Some("Rabat-Salé-Kénitra"));
        assert_eq!(region_name("MA-13"), None);
        assert_eq!(region_name(""), None);
        assert!(is_domain("human_rights") && !is_domain("Youth"));
    }
}
