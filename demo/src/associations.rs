//! The demo's civil society: at least sixty associations across Morocco's twelve regions,
//! with plausible French names, legal forms, domains and registration dates, generated
//! from a seed so that the same day always yields the same associations.

use std::collections::BTreeSet;

use super::calendar::Day;
use super::seed::Seeded;

/// A region: its ISO 3166-2 code (docs/support-lifecycle.md), how many associations of
/// the demo it holds, its towns, and the domains its associations lean to.
struct Region {
    code: &'static str,
    count: usize,
    towns: &'static [&'static str],
    leaning: &'static [&'static str],
}

const REGIONS: &[Region] = &[
    Region {
        code: "MA-01",
        count: 6,
        towns: &["Tanger", "Tétouan", "Al Hoceïma", "Larache", "Chefchaouen"],
        leaning: &["youth", "women", "environment"],
    },
    Region {
        code: "MA-02",
        count: 5,
        towns: &["Oujda", "Nador", "Berkane", "Figuig"],
        leaning: &["youth", "social_economy", "education"],
    },
    Region {
        code: "MA-03",
        count: 6,
        towns: &["Fès", "Meknès", "Ifrane", "Taza", "Sefrou"],
        leaning: &["culture", "education", "disability"],
    },
    Region {
        code: "MA-04",
        count: 8,
        towns: &["Rabat", "Salé", "Kénitra", "Témara", "Khémisset"],
        leaning: &["governance", "human_rights", "digital", "women"],
    },
    Region {
        code: "MA-05",
        count: 5,
        towns: &[
            "Béni Mellal",
            "Khénifra",
            "Azilal",
            "Khouribga",
            "Fquih Ben Salah",
        ],
        leaning: &["rural_development", "women", "health"],
    },
    Region {
        code: "MA-06",
        count: 8,
        towns: &[
            "Casablanca",
            "Settat",
            "El Jadida",
            "Mohammédia",
            "Berrechid",
        ],
        leaning: &["children", "disability", "digital", "elderly"],
    },
    Region {
        code: "MA-07",
        count: 6,
        towns: &[
            "Marrakech",
            "Safi",
            "Essaouira",
            "El Kelaâ des Sraghna",
            "Chichaoua",
        ],
        leaning: &["culture", "rural_development", "women"],
    },
    Region {
        code: "MA-08",
        count: 5,
        towns: &["Errachidia", "Ouarzazate", "Zagora", "Tinghir", "Midelt"],
        leaning: &["rural_development", "environment", "education"],
    },
    Region {
        code: "MA-09",
        count: 5,
        towns: &[
            "Agadir",
            "Taroudant",
            "Tiznit",
            "Inezgane",
            "Chtouka Aït Baha",
        ],
        leaning: &["social_economy", "women", "environment"],
    },
    Region {
        code: "MA-10",
        count: 4,
        towns: &["Guelmim", "Tan-Tan", "Sidi Ifni", "Assa"],
        leaning: &["rural_development", "youth", "social_economy"],
    },
    Region {
        code: "MA-11",
        count: 4,
        towns: &["Laâyoune", "Boujdour", "Tarfaya", "Es-Semara"],
        leaning: &["youth", "sport", "health"],
    },
    Region {
        code: "MA-12",
        count: 4,
        towns: &["Dakhla", "Aousserd"],
        leaning: &["environment", "social_economy", "culture"],
    },
];

/// Every domain of docs/support-lifecycle.md, each with the phrase naming an
/// association's purpose in French.
const PURPOSES: &[(&str, &str)] = &[
    ("education", "de soutien scolaire"),
    ("health", "de santé communautaire"),
    ("women", "pour la promotion de la femme"),
    ("youth", "des jeunes"),
    ("children", "pour la protection de l'enfance"),
    ("disability", "des personnes en situation de handicap"),
    ("elderly", "d'aide aux personnes âgées"),
    (
        "environment",
        "pour l'environnement et le développement durable",
    ),
    ("culture", "pour la culture et les arts"),
    ("sport", "pour le sport de proximité"),
    ("human_rights", "pour les droits humains et la citoyenneté"),
    ("rural_development", "pour le développement local"),
    ("social_economy", "de l'économie sociale et solidaire"),
    ("digital", "pour l'inclusion numérique"),
    ("governance", "pour la démocratie participative"),
];

const NAMES: &[&str] = &[
    "Al Amal",
    "Annour",
    "Al Ikhlass",
    "Tafoukt",
    "Assafa",
    "Al Fath",
    "Ennakhil",
    "Tiwizi",
    "Al Wafaa",
    "Ajial",
    "Izdihar",
    "Chourouk",
    "Tanmia",
    "Al Karama",
    "Attadamoun",
    "Afak",
    "Ennahda",
    "Tilelli",
    "Al Baraka",
    "Amal Al Ghad",
    "Assalam",
    "Al Mostakbal",
    "Tamount",
    "Azir",
    "Ibn Khaldoun",
    "Ibn Battouta",
    "Al Khair",
    "Nour Al Hayat",
    "Tawassol",
    "Al Intilaka",
    "Rawafid",
    "Bidaya",
    "Tagmat",
    "Assaada",
    "Al Ihsane",
    "Manar",
    "Al Massira",
    "Tifawin",
    "Anwal",
    "Al Wahda",
];

/// Legal forms (docs/support-lifecycle.md) with the word that starts the name, and how
/// many in a hundred associations take each.
const FORMS: &[(&str, &str, u64)] = &[
    ("association", "Association", 82),
    ("union", "Union", 5),
    ("federation", "Fédération", 5),
    ("network", "Réseau", 4),
    ("foundation", "Fondation", 4),
];

/// One association in this many is founded while the story runs (registered in the
/// ledger a few weeks after its founding); the others are recorded in its first weeks.
const FOUNDED_DURING_ONE_IN: usize = 6;

/// One association of the demo.
#[derive(Clone, Debug)]
pub struct Association {
    /// The `association/<id>` stream id, also its key's `registry/<id>` id.
    pub id: String,
    pub name: String,
    pub legal_form: &'static str,
    pub region: &'static str,
    pub town: &'static str,
    pub domains: Vec<&'static str>,
    /// Its legal registration date (`registered_on`).
    pub founded: Day,
    /// When the registrar records it in the ledger.
    pub recorded: Day,
    /// Whether it holds a key of its own (applies and reports itself); the others apply
    /// through the registrar and cannot report.
    pub has_key: bool,
}

impl Association {
    /// Whether it may apply on `day` to a call with this eligibility (empty means any),
    /// by the rules of docs/support-lifecycle.md; a month of margin on the age, so that
    /// nothing hangs on how the domain counts a year.
    pub fn eligible(
        &self,
        regions: &[&str],
        domains: &[&str],
        min_age_years: i64,
        day: Day,
    ) -> bool {
        (regions.is_empty() || regions.contains(&self.region))
            && (domains.is_empty() || self.domains.iter().any(|d| domains.contains(d)))
            && self.founded.plus_years(min_age_years).plus(31) <= day
            && self.recorded < day
    }
}

/// The associations of a story whose first day is `first_day`.
pub fn generate(seed: &Seeded, first_day: Day) -> Vec<Association> {
    let mut rng = seed.fork("associations");
    let mut names = BTreeSet::new();
    let mut all = Vec::new();
    for region in REGIONS {
        for n in 0..region.count {
            let number = all.len();
            let town = *rng.pick(region.towns).unwrap_or(&"Rabat");
            let primary = if rng.chance(70) {
                *rng.pick(region.leaning).unwrap_or(&"education")
            } else {
                rng.pick(PURPOSES).map_or("education", |p| p.0)
            };
            let mut domains = vec![primary];
            if rng.chance(45) {
                let second = rng.pick(PURPOSES).map_or(primary, |p| p.0);
                if second != primary {
                    domains.push(second);
                }
            }
            let (legal_form, word) = pick_form(&mut rng);
            let purpose = PURPOSES.iter().find(|p| p.0 == primary).map_or("", |p| p.1);
            let name = unique_name(&mut rng, &mut names, word, purpose, town);
            let (founded, recorded) = if number % FOUNDED_DURING_ONE_IN == FOUNDED_DURING_ONE_IN - 1
            {
                // Founded during the story's first sixteen months, registered in the ledger
                // a few weeks later: always before the present, however early in its year
                // the present falls (calendar.rs), so the demo always holds all of them.
                let founded = first_day.plus(rng.between(20, 450));
                (founded, founded.plus(rng.between(20, 45)))
            } else if rng.chance(10) {
                // Young when the story starts: not yet old enough for some calls.
                let founded = first_day.plus(-rng.between(200, 400));
                (founded, first_day.plus(rng.between(1, 25)))
            } else {
                let founded = first_day.plus(-rng.between(2 * 365, 25 * 365));
                (founded, first_day.plus(rng.between(1, 25)))
            };
            all.push(Association {
                id: format!("asso-{}-{:02}", &region.code[3..], n + 1),
                name,
                legal_form,
                region: region.code,
                town,
                domains,
                founded,
                recorded,
                has_key: rng.chance(45),
            });
        }
    }
    all
}

fn pick_form(rng: &mut Seeded) -> (&'static str, &'static str) {
    let mut roll = rng.below(100);
    for (form, word, share) in FORMS {
        if roll < *share {
            return (form, word);
        }
        roll -= share;
    }
    ("association", "Association")
}

fn unique_name(
    rng: &mut Seeded,
    taken: &mut BTreeSet<String>,
    word: &str,
    purpose: &str,
    town: &str,
) -> String {
    for _ in 0..50 {
        let name = rng.pick(NAMES).copied().unwrap_or("Al Amal");
        let candidate = format!("{word} {name} {purpose} {}", of_town(town));
        if taken.insert(candidate.clone()) {
            return candidate;
        }
    }
    // Fifty collisions in a row cannot happen with these lists; a number keeps it unique.
    let candidate = format!("{word} {purpose} {} n°{}", of_town(town), taken.len() + 1);
    taken.insert(candidate.clone());
    candidate
}

/// "de Fès", but "d'Oujda": French elides before a vowel.
fn of_town(town: &str) -> String {
    if town.starts_with(['A', 'E', 'I', 'O', 'U', 'É']) {
        format!("d'{town}")
    } else {
        format!("de {town}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixty_associations_in_twelve_regions_with_unique_names() {
        let first = Day::ymd(2025, 1, 5);
        let all = generate(&Seeded::new(1), first);
        assert!(all.len() >= 60);
        let regions: BTreeSet<_> = all.iter().map(|a| a.region).collect();
        assert_eq!(regions.len(), 12);
        let names: BTreeSet<_> = all.iter().map(|a| a.name.clone()).collect();
        assert_eq!(names.len(), all.len());
        let ids: BTreeSet<_> = all.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids.len(), all.len());
        for a in &all {
            assert!(
                a.founded < a.recorded,
                "{} is recorded after its founding",
                a.id
            );
            assert!(a.recorded > first);
            assert!(!a.domains.is_empty());
        }
        assert!(all.iter().any(|a| a.has_key) && all.iter().any(|a| !a.has_key));
        assert!(
            all.iter().any(|a| a.recorded > first.plus(60)),
            "some are founded during the story"
        );
    }

    #[test]
    fn town_names_elide() {
        assert_eq!(of_town("Oujda"), "d'Oujda");
        assert_eq!(of_town("Fès"), "de Fès");
    }

    #[test]
    fn the_same_seed_gives_the_same_associations() {
        let first = Day::ymd(2025, 1, 5);
        let (a, b) = (
            generate(&Seeded::new(3), first),
            generate(&Seeded::new(3), first),
        );
        assert_eq!(
            a.iter().map(|x| &x.name).collect::<Vec<_>>(),
            b.iter().map(|x| &x.name).collect::<Vec<_>>()
        );
    }
}
