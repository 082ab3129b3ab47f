//! The reference framework of capacity building: the modules a session teaches, by code,
//! with their titles in French and Arabic, so sessions across institutions are counted in
//! one vocabulary.

/// Code, French title, Arabic title.
pub const MODULES: [(&str, &str, &str); 9] = [
    ("GOV", "Gouvernance associative", "الحكامة الجمعوية"),
    (
        "FIN",
        "Gestion financière et comptable",
        "التدبير المالي والمحاسباتي",
    ),
    (
        "PRJ",
        "Conception et gestion de projets",
        "إعداد المشاريع وتدبيرها",
    ),
    ("MEL", "Suivi et évaluation", "التتبع والتقييم"),
    ("DIG", "Compétences numériques", "المهارات الرقمية"),
    (
        "ADV",
        "Plaidoyer et participation citoyenne",
        "الترافع والمشاركة المواطنة",
    ),
    (
        "LEG",
        "Cadre juridique des associations",
        "الإطار القانوني للجمعيات",
    ),
    (
        "FUN",
        "Accès aux financements publics",
        "الولوج إلى التمويل العمومي",
    ),
    ("COM", "Communication et transparence", "التواصل والشفافية"),
];

/// The French title of a module, if the code is one.
pub fn module_title(code: &str) -> Option<&'static str> {
    MODULES.iter().find(|m| m.0 == code).map(|m| m.1)
}
