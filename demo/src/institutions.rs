//! The demo's public side: the ministries and public bodies that publish calls, and their
//! officials, each with roles of the role table (docs/spec/ledger-format.md, section 10):
//! publisher, evaluator, registrar.
//!
//! Names are those of real Moroccan institutions, so that the portal reads as it would in
//! production; the officials are fictional.

/// A public body that publishes calls for proposals.
#[derive(Clone, Debug)]
pub struct Institution {
    /// The `institution/<id>` stream id.
    pub id: &'static str,
    pub name: &'static str,
    /// `ministry`, `public_institution`, `local_authority` or `other` (docs/spec/api.md).
    pub kind: &'static str,
}

/// A person acting for an institution with a key of their own.
#[derive(Clone, Debug)]
pub struct Official {
    /// The `registry/<id>` stream id, also the name of the key file the demo writes.
    pub id: &'static str,
    pub name: &'static str,
    pub institution: &'static str,
    pub roles: &'static [&'static str],
}

/// Publishes, amends, closes, awards and pays.
pub const PUBLISHER: &[&str] = &["publisher"];
/// Declares conflicts of interest and scores.
pub const EVALUATOR: &[&str] = &["evaluator"];
/// Registers associations and applies on behalf of those without a key.
pub const REGISTRAR: &[&str] = &["registrar"];

pub const INSTITUTIONS: &[Institution] = &[
    Institution {
        id: "MDRP",
        name: "Ministère délégué auprès du Chef du Gouvernement chargé des Relations avec le Parlement",
        kind: "ministry",
    },
    Institution {
        id: "MSISF",
        name: "Ministère de la Solidarité, de l'Insertion Sociale et de la Famille",
        kind: "ministry",
    },
    Institution {
        id: "MJCC",
        name: "Ministère de la Jeunesse, de la Culture et de la Communication",
        kind: "ministry",
    },
    Institution {
        id: "ADS",
        name: "Agence de Développement Social",
        kind: "public_institution",
    },
    Institution {
        id: "EN",
        name: "Entraide Nationale",
        kind: "public_institution",
    },
    Institution {
        id: "CRRSK",
        name: "Conseil de la Région Rabat-Salé-Kénitra",
        kind: "local_authority",
    },
];

/// Every official, in the order the administrator registers them. Each institution has
/// one publisher and two evaluators, so that an evaluator who declares a conflict leaves
/// the application to the other.
pub const OFFICIALS: &[Official] = &[
    Official {
        id: "mdrp.registrar",
        name: "Hajar Tazi, bureau des associations",
        institution: "MDRP",
        roles: REGISTRAR,
    },
    Official {
        id: "mdrp.publisher",
        name: "Karim Bennani, division du partenariat avec la société civile",
        institution: "MDRP",
        roles: PUBLISHER,
    },
    Official {
        id: "mdrp.evaluator1",
        name: "Salma Idrissi, commission d'évaluation",
        institution: "MDRP",
        roles: EVALUATOR,
    },
    Official {
        id: "mdrp.evaluator2",
        name: "Youssef Alaoui, commission d'évaluation",
        institution: "MDRP",
        roles: EVALUATOR,
    },
    Official {
        id: "msisf.publisher",
        name: "Nadia El Amrani, direction de la femme",
        institution: "MSISF",
        roles: PUBLISHER,
    },
    Official {
        id: "msisf.evaluator1",
        name: "Omar Berrada, commission d'évaluation",
        institution: "MSISF",
        roles: EVALUATOR,
    },
    Official {
        id: "msisf.evaluator2",
        name: "Latifa Chraibi, commission d'évaluation",
        institution: "MSISF",
        roles: EVALUATOR,
    },
    Official {
        id: "mjcc.publisher",
        name: "Mehdi Lahlou, direction de la jeunesse",
        institution: "MJCC",
        roles: PUBLISHER,
    },
    Official {
        id: "mjcc.evaluator1",
        name: "Imane Fassi Fihri, commission d'évaluation",
        institution: "MJCC",
        roles: EVALUATOR,
    },
    Official {
        id: "mjcc.evaluator2",
        name: "Rachid Ouazzani, commission d'évaluation",
        institution: "MJCC",
        roles: EVALUATOR,
    },
    Official {
        id: "ads.publisher",
        name: "Samira Benjelloun, pôle partenariats",
        institution: "ADS",
        roles: PUBLISHER,
    },
    Official {
        id: "ads.evaluator1",
        name: "Abdelilah Naciri, comité technique",
        institution: "ADS",
        roles: EVALUATOR,
    },
    Official {
        id: "ads.evaluator2",
        name: "Khadija Amrani, comité technique",
        institution: "ADS",
        roles: EVALUATOR,
    },
    Official {
        id: "en.publisher",
        name: "Hassan Kettani, direction de l'action sociale",
        institution: "EN",
        roles: PUBLISHER,
    },
    Official {
        id: "en.evaluator1",
        name: "Zineb Sqalli, commission d'évaluation",
        institution: "EN",
        roles: EVALUATOR,
    },
    Official {
        id: "en.evaluator2",
        name: "Driss Mansouri, commission d'évaluation",
        institution: "EN",
        roles: EVALUATOR,
    },
    Official {
        id: "crrsk.publisher",
        name: "Laila Benkirane, direction des affaires sociales",
        institution: "CRRSK",
        roles: PUBLISHER,
    },
    Official {
        id: "crrsk.evaluator1",
        name: "Anas Jaidi, comité de sélection",
        institution: "CRRSK",
        roles: EVALUATOR,
    },
    Official {
        id: "crrsk.evaluator2",
        name: "Meriem Ziani, comité de sélection",
        institution: "CRRSK",
        roles: EVALUATOR,
    },
    Official {
        id: "mdrp.drafter",
        name: "Salma Idrissi, direction de la législation",
        institution: "MDRP",
        roles: &["drafter"],
    },
    Official {
        id: "mdrp.moderator",
        name: "Anas Belhaj, modération des consultations",
        institution: "MDRP",
        roles: &["moderator"],
    },
    Official {
        id: "msisf.drafter",
        name: "Imane Chraibi, affaires juridiques",
        institution: "MSISF",
        roles: &["drafter"],
    },
    Official {
        id: "msisf.moderator",
        name: "Yassine Amrani, modération des consultations",
        institution: "MSISF",
        roles: &["moderator"],
    },
    Official {
        id: "ads.trainer",
        name: "Laila Ouazzani, pôle renforcement des capacités",
        institution: "ADS",
        roles: &["trainer"],
    },
    Official {
        id: "en.trainer",
        name: "Mehdi Sqalli, formation des partenaires associatifs",
        institution: "EN",
        roles: &["trainer"],
    },
];

/// The evaluator who leaves during the story: their key is revoked after the first fiscal
/// year, and [`SUCCESSOR`] evaluates in their place from then on.
pub const DEPARTING: &str = "msisf.evaluator2";
pub const DEPARTURE_REASON: &str =
    "Mutation de l'évaluatrice vers une autre direction; sa clé ne doit plus signer.";

pub const SUCCESSOR: Official = Official {
    id: "msisf.evaluator3",
    name: "Ghita Lamrani, commission d'évaluation",
    institution: "MSISF",
    roles: EVALUATOR,
};

/// The official of `institution` holding `role` first in [`OFFICIALS`].
pub fn first_with(institution: &str, role: &str) -> Option<&'static Official> {
    OFFICIALS
        .iter()
        .find(|o| o.institution == institution && o.roles.contains(&role))
}

/// The evaluators of `institution`, before (`departed` false) or after the departure.
pub fn evaluators(institution: &str, departed: bool) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = OFFICIALS
        .iter()
        .filter(|o| o.institution == institution && o.roles.contains(&"evaluator"))
        .map(|o| o.id)
        .filter(|id| !(departed && *id == DEPARTING))
        .collect();
    if departed && SUCCESSOR.institution == institution {
        ids.push(SUCCESSOR.id);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_institution_can_publish_and_evaluate() {
        for institution in INSTITUTIONS {
            assert!(first_with(institution.id, "publisher").is_some());
            assert_eq!(evaluators(institution.id, false).len(), 2);
            assert_eq!(evaluators(institution.id, true).len(), 2);
        }
        assert!(first_with("MDRP", "registrar").is_some());
        assert!(evaluators("MSISF", true).contains(&SUCCESSOR.id));
    }
}
