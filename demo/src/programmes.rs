//! The calls for proposals of the demo: one programme per institution, run once a fiscal
//! year, with its eligibility, criteria, budget and the projects associations propose.
//! When each is published (on time in the first quarter, or late with the reason the
//! institution gives) is part of the programme, so the story shows both.

/// When a programme's call is published in one fiscal year of the story.
#[derive(Clone, Copy, Debug)]
pub enum Timing {
    /// In the first quarter: (month, day).
    OnTime(i64, i64),
    /// After the first quarter, with the published justification.
    Late(i64, i64, &'static str),
}

/// A recurring call for proposals.
#[derive(Clone, Debug)]
pub struct Programme {
    /// Part of the offer ids: `<institution>-<fiscal year>-<code>`.
    pub code: &'static str,
    pub institution: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub regions: &'static [&'static str],
    pub domains: &'static [&'static str],
    pub min_age_years: i64,
    pub budget_mad: i64,
    pub max_award_mad: i64,
    /// (id, title, weight); the weights sum to 100.
    pub criteria: &'static [(&'static str, &'static str, i64)],
    /// Days the window stays open.
    pub window_days: i64,
    /// The publication in the story's first, second and third fiscal year (none for the
    /// open call, whose publication is anchored at the present).
    pub timings: &'static [Timing],
    /// Project titles applicants propose.
    pub projects: &'static [&'static str],
}

impl Programme {
    pub fn offer_id(&self, fiscal_year: i64) -> String {
        format!("{}-{fiscal_year}-{}", self.institution, self.code)
    }

    /// The budget grows a little each year, as budgets do.
    pub fn budget_centimes(&self, cycle: usize) -> i64 {
        let mad = self.budget_mad + self.budget_mad / 20 * i64::try_from(cycle).unwrap_or(0);
        mad * 100
    }

    /// Its publication in the story's fiscal year number `cycle` (0 = the oldest).
    pub fn timing(&self, cycle: usize) -> Option<Timing> {
        self.timings.get(cycle).copied()
    }

    pub fn max_award_centimes(&self) -> i64 {
        self.max_award_mad * 100
    }
}

const STANDARD_CRITERIA: &[(&str, &str, i64)] = &[
    (
        "pertinence",
        "Pertinence du projet au regard des objectifs de l'appel",
        35,
    ),
    ("impact", "Impact attendu sur les bénéficiaires", 25),
    (
        "capacite",
        "Capacité de gestion et expérience de l'association",
        20,
    ),
    ("budget", "Réalisme et sincérité du budget", 20),
];

pub const PROGRAMMES: &[Programme] = &[
    Programme {
        code: "FEMMES",
        institution: "MSISF",
        title: "Autonomisation économique des femmes",
        description: "Soutien aux projets associatifs d'activités génératrices de revenus, de formation et d'accompagnement des femmes en situation de vulnérabilité.",
        regions: &[],
        domains: &["women", "social_economy"],
        min_age_years: 2,
        budget_mad: 2_000_000,
        max_award_mad: 250_000,
        criteria: STANDARD_CRITERIA,
        window_days: 40,
        timings: &[Timing::OnTime(2, 3), Timing::OnTime(2, 10), Timing::OnTime(2, 5)],
        projects: &[
            "Atelier de couture et de broderie pour femmes rurales",
            "Coopérative de transformation de l'argan",
            "Formation à la gestion de micro-projets",
            "Unité de fabrication de couscous artisanal",
            "Accompagnement des femmes cheffes de famille",
            "Centre d'écoute et d'orientation des femmes",
        ],
    },
    Programme {
        code: "PROTECTION",
        institution: "EN",
        title: "Soutien aux établissements de protection sociale",
        description: "Contribution au fonctionnement et à l'équipement des centres d'accueil pour personnes âgées, enfants et personnes en situation de handicap gérés par des associations.",
        regions: &[],
        domains: &["disability", "elderly", "children", "health"],
        min_age_years: 3,
        budget_mad: 3_000_000,
        max_award_mad: 300_000,
        criteria: &[
            ("besoins", "Besoins des bénéficiaires pris en charge", 40),
            ("qualite", "Qualité de la prise en charge", 30),
            ("gestion", "Gestion et gouvernance de l'établissement", 30),
        ],
        window_days: 45,
        timings: &[Timing::OnTime(3, 2), Timing::OnTime(2, 24), Timing::OnTime(3, 3)],
        projects: &[
            "Équipement du centre d'accueil des personnes âgées",
            "Prise en charge d'enfants en situation de handicap",
            "Rénovation du foyer pour enfants",
            "Service d'aide à domicile",
            "Centre de jour pour enfants autistes",
            "Transport adapté des bénéficiaires",
        ],
    },
    Programme {
        code: "JEUNESSE-CULTURE",
        institution: "MJCC",
        title: "Projets culturels, sportifs et de jeunesse",
        description: "Subventions aux associations qui animent la vie culturelle, sportive et citoyenne des jeunes dans les maisons de jeunes et les espaces de proximité.",
        regions: &[],
        domains: &["youth", "culture", "sport"],
        min_age_years: 1,
        budget_mad: 1_500_000,
        max_award_mad: 150_000,
        criteria: &[
            ("pertinence", "Pertinence et originalité", 40),
            ("jeunes", "Participation des jeunes", 35),
            ("faisabilite", "Faisabilité", 25),
        ],
        window_days: 35,
        timings: &[Timing::OnTime(2, 17), Timing::OnTime(1, 27), Timing::OnTime(2, 12)],
        projects: &[
            "Festival de théâtre des jeunes",
            "Ligue de football de quartier",
            "Ateliers de musique et de chant",
            "Université d'été de la citoyenneté",
            "Caravane culturelle dans les douars",
            "Club de lecture et d'écriture",
        ],
    },
    Programme {
        code: "RURAL",
        institution: "ADS",
        title: "Initiatives de développement local en milieu rural et oasien",
        description: "Appui aux projets associatifs de développement local dans les zones rurales, de montagne et oasiennes: accès aux services, valorisation des produits du terroir, préservation des ressources.",
        regions: &["MA-05", "MA-07", "MA-08", "MA-09", "MA-10"],
        domains: &["rural_development", "social_economy", "environment", "women"],
        min_age_years: 2,
        budget_mad: 1_800_000,
        max_award_mad: 200_000,
        criteria: STANDARD_CRITERIA,
        window_days: 40,
        timings: &[
            Timing::Late(5, 20, "La convention de financement avec la région n'a été signée que le 12 mai; l'appel a été lancé dès sa signature."),
            Timing::OnTime(3, 10),
            Timing::OnTime(3, 4),
        ],
        projects: &[
            "Réhabilitation d'une khettara",
            "Valorisation des dattes de l'oasis",
            "Adduction d'eau potable au douar",
            "Apiculture et miel de montagne",
            "Pépinière communautaire",
            "Transport scolaire en zone de montagne",
        ],
    },
    Programme {
        code: "PARTICIPATION",
        institution: "MDRP",
        title: "Renforcement des capacités des associations en démocratie participative",
        description: "Formation et accompagnement des associations à l'exercice des pétitions, des motions législatives et de la participation aux consultations publiques.",
        regions: &[],
        domains: &["governance", "human_rights", "digital", "education"],
        min_age_years: 1,
        budget_mad: 1_200_000,
        max_award_mad: 120_000,
        criteria: &[
            ("pertinence", "Pertinence au regard de la démocratie participative", 40),
            ("methodologie", "Méthodologie et outils", 30),
            ("portee", "Portée territoriale", 30),
        ],
        window_days: 40,
        timings: &[
            Timing::OnTime(3, 17),
            Timing::Late(6, 9, "Les crédits du programme n'ont été délégués qu'à la fin du mois de mai, après le visa de l'engagement de la dépense."),
            Timing::OnTime(3, 16),
        ],
        projects: &[
            "Formation des associations aux pétitions",
            "Plateforme numérique de suivi des politiques locales",
            "Cycle de débats citoyens",
            "Guide pratique des consultations publiques",
            "Observatoire associatif de la participation",
            "Accompagnement de jeunes leaders associatifs",
        ],
    },
    Programme {
        code: "REGION",
        institution: "CRRSK",
        title: "Appel à projets associatifs de la Région Rabat-Salé-Kénitra",
        description: "Soutien aux associations de la région pour des projets d'intérêt général dans les communes de la région.",
        regions: &["MA-04"],
        domains: &[],
        min_age_years: 1,
        budget_mad: 1_000_000,
        max_award_mad: 100_000,
        criteria: STANDARD_CRITERIA,
        window_days: 30,
        timings: &[
            Timing::OnTime(2, 26),
            Timing::OnTime(3, 5),
            Timing::Late(4, 21, "Appel reporté après l'adoption du budget régional rectificatif en session d'avril."),
        ],
        projects: &[
            "Soutien scolaire dans les quartiers",
            "Nettoyage et végétalisation des berges du Bouregreg",
            "Insertion professionnelle des jeunes",
            "Caravane médicale",
            "Espace numérique de proximité",
            "Festival des arts de la rue",
        ],
    },
];

/// The call still open at the real present, so that a newcomer can apply: published some
/// days before the present, closing some weeks after it.
pub const OPEN_CALL: Programme = Programme {
    code: "INITIATIVES",
    institution: "MJCC",
    title: "Initiatives citoyennes des jeunes",
    description: "Appel permanent aux projets portés par des associations de jeunes: engagement citoyen, volontariat, culture numérique.",
    regions: &[],
    domains: &["youth", "digital", "culture", "human_rights"],
    min_age_years: 1,
    budget_mad: 800_000,
    max_award_mad: 80_000,
    criteria: &[
        ("pertinence", "Pertinence et originalité", 50),
        ("jeunes", "Participation des jeunes", 50),
    ],
    window_days: 54,
    timings: &[],
    projects: &[
        "Chantier de volontariat des jeunes",
        "Fabrique numérique de quartier",
        "Podcast citoyen des jeunes",
    ],
};

/// How many days before the present the open call was published.
pub const OPEN_CALL_AGE_DAYS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_programme_is_publishable() {
        for p in PROGRAMMES.iter().chain([&OPEN_CALL]) {
            assert_eq!(
                p.criteria.iter().map(|c| c.2).sum::<i64>(),
                100,
                "{}",
                p.code
            );
            assert!(p.max_award_mad > 0 && p.max_award_mad <= p.budget_mad);
            assert!(p.offer_id(2026).len() <= 64);
            assert!(!p.projects.is_empty());
        }
    }
}
