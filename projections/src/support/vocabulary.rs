//! The closed lists of `docs/support-lifecycle.md` that readers filter by: Morocco's
//! twelve regions by ISO 3166-2 code, with their names (the views show a region's name
//! beside its code, the 360Giving export names the beneficiary location), and the
//! domains of activity. A filter naming something outside them is a client's mistake,
//! answered as such rather than with an empty list.

/// `(ISO 3166-2 code, name)` of every region.
pub const REGIONS: [(&str, &str); 12] = [
    ("MA-01", "Tanger-Tétouan-Al Hoceïma"),
    ("MA-02", "L'Oriental"),
    ("MA-03", "Fès-Meknès"),
    ("MA-04", "Rabat-Salé-Kénitra"),
    ("MA-05", "Béni Mellal-Khénifra"),
    ("MA-06", "Casablanca-Settat"),
    ("MA-07", "Marrakech-Safi"),
    ("MA-08", "Drâa-Tafilalet"),
    ("MA-09", "Souss-Massa"),
    ("MA-10", "Guelmim-Oued Noun"),
    ("MA-11", "Laâyoune-Sakia El Hamra"),
    ("MA-12", "Dakhla-Oued Ed-Dahab"),
];

/// The domains of activity an association works in and an offer may target.
pub const DOMAINS: [&str; 15] = [
    "education",
    "health",
    "women",
    "youth",
    "children",
    "disability",
    "elderly",
    "environment",
    "culture",
    "sport",
    "human_rights",
    "rural_development",
    "social_economy",
    "digital",
    "governance",
];

/// Whether `name` is one of the [`DOMAINS`].
pub fn is_domain(name: &str) -> bool {
    DOMAINS.contains(&name)
}

/// The region's name, or `None` for a code that is not one of the twelve.
pub fn region_name(code: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
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
