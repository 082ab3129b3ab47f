//! The fixed lists the support lifecycle speaks in: Morocco's twelve regions (ISO 3166-2
//! codes), the domains of activity and the legal forms of associations. Fixed so that
//! eligibility can be checked and every value has a label on the portal.

use crate::DomainError;

/// Morocco's twelve regions: ISO 3166-2 code, French name, Arabic name.
pub const REGIONS: [(&str, &str, &str); 12] = [
    ("MA-01", "Tanger-Tétouan-Al Hoceïma", "طنجة تطوان الحسيمة"),
    ("MA-02", "L'Oriental", "الشرق"),
    ("MA-03", "Fès-Meknès", "فاس مكناس"),
    ("MA-04", "Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("MA-05", "Béni Mellal-Khénifra", "بني ملال خنيفرة"),
    ("MA-06", "Casablanca-Settat", "الدار البيضاء سطات"),
    ("MA-07", "Marrakech-Safi", "مراكش آسفي"),
    ("MA-08", "Drâa-Tafilalet", "درعة تافيلالت"),
    ("MA-09", "Souss-Massa", "سوس ماسة"),
    ("MA-10", "Guelmim-Oued Noun", "كلميم واد نون"),
    ("MA-11", "Laâyoune-Sakia El Hamra", "العيون الساقية الحمراء"),
    ("MA-12", "Dakhla-Oued Ed-Dahab", "الداخلة وادي الذهب"),
];

/// Domains of activity of associations and of offers' eligibility.
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

/// Legal forms of civil-society organisations under the 1958 dahir on associations.
pub const LEGAL_FORMS: [&str; 5] = [
    "association",
    "union",
    "federation",
    "network",
    "foundation",
];

/// The French name of a region, if the code is one.
pub fn region_name(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|r| r.0 == code).map(|r| r.1)
}

/// # Errors
/// 422 `invalid_region`.
pub fn check_region(code: &str) -> Result<(), DomainError> {
    region_name(code).map(|_| ()).ok_or_else(|| {
        DomainError::rule(
            "invalid_region",
            format!(
                "{code:?} is not a region of Morocco (use its ISO 3166-2 code, MA-01 to MA-12)"
            ),
        )
    })
}

/// # Errors
/// 422 `invalid_region` or `invalid_domain`, naming the first unknown or repeated value.
pub fn check_lists(regions: &[String], domains: &[String]) -> Result<(), DomainError> {
    for (i, r) in regions.iter().enumerate() {
        check_region(r)?;
        if regions[..i].contains(r) {
            return Err(DomainError::rule(
                "invalid_region",
                format!("region {r} is listed twice"),
            ));
        }
    }
    for (i, d) in domains.iter().enumerate() {
        if !DOMAINS.contains(&d.as_str()) {
            return Err(DomainError::rule(
                "invalid_domain",
                format!(
                    "{d:?} is not a domain of activity; the domains are {}",
                    DOMAINS.join(", ")
                ),
            ));
        }
        if domains[..i].contains(d) {
            return Err(DomainError::rule(
                "invalid_domain",
                format!("domain {d} is listed twice"),
            ));
        }
    }
    Ok(())
}
