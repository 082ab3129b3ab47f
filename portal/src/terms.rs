//! The domain's closed vocabularies as a reader sees them: a region, a domain of
//! activity, a status or a report's kind in the page's language, never its code. Regions'
//! names come from the domain's catalogue (it holds both languages); the rest from
//! [`LABELS`](super::i18n::LABELS) rows `domain.*`, `status.*`, `report.*`, `form.*`.

use domain::support::catalog::{DOMAINS, REGIONS};

use super::i18n::{label, Lang, LABELS};

/// A region's name in `lang`; the code itself if it is not one (never a blank).
pub fn region(lang: Lang, code: &str) -> String {
    REGIONS.iter().find(|(c, _, _)| *c == code).map_or_else(
        || code.to_owned(),
        |(_, fr, ar)| match lang {
            Lang::Fr => (*fr).to_owned(),
            Lang::Ar => (*ar).to_owned(),
        },
    )
}

/// The label of `code` in the vocabulary `family` (`domain`, `status`, `report`,
/// `form`); the code itself if the table has no row for it, so an unforeseen value
/// still reads as recorded.
pub fn term(lang: Lang, family: &str, code: &str) -> String {
    let key = format!("{family}.{code}");
    if LABELS.iter().any(|(k, _, _)| *k == key) {
        label(lang, &key).to_owned()
    } else {
        code.to_owned()
    }
}

/// An `<option>` of a filter: its value, its label, and whether the request chose it.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The twelve regions as choices, `current` selected.
pub fn region_choices(lang: Lang, current: Option<&str>) -> Vec<Choice> {
    REGIONS
        .iter()
        .map(|(code, _, _)| Choice {
            value: (*code).to_owned(),
            label: region(lang, code),
            selected: current == Some(*code),
        })
        .collect()
}

/// The domains of activity as choices, `current` selected.
pub fn domain_choices(lang: Lang, current: Option<&str>) -> Vec<Choice> {
    DOMAINS
        .iter()
        .map(|code| Choice {
            value: (*code).to_owned(),
            label: term(lang, "domain", code),
            selected: current == Some(*code),
        })
        .collect()
}

/// `codes` of the vocabulary `family` as choices, `current` selected.
pub fn choices(lang: Lang, family: &str, codes: &[&str], current: Option<&str>) -> Vec<Choice> {
    codes
        .iter()
        .map(|code| Choice {
            value: (*code).to_owned(),
            label: term(lang, family, code),
            selected: current == Some(*code),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use domain::support::catalog::LEGAL_FORMS;

    use super::*;

    #[test]
    fn every_domain_term_has_a_label_in_both_languages() {
        let families: [(&str, &[&str]); 4] = [
            ("domain", &DOMAINS),
            ("form", &LEGAL_FORMS),
            (
                "status",
                &[
                    "open",
                    "closed",
                    "results",
                    "active",
                    "revoked",
                    "submitted",
                    "scored",
                    "awarded",
                ],
            ),
            ("report", &["activity", "financial"]),
        ];
        for (family, codes) in families {
            for code in codes {
                let key = format!("{family}.{code}");
                assert!(
                    LABELS.iter().any(|(k, _, _)| *k == key),
                    "no label for {key}"
                );
                assert_ne!(term(Lang::Fr, family, code), term(Lang::Ar, family, code));
            }
        }
        assert_eq!(region(Lang::Ar, "MA-04"), "الرباط سلا القنيطرة");
        assert_eq!(region(Lang::Fr, "MA-99"), "MA-99");
        assert_eq!(term(Lang::Fr, "domain", "unheard_of"), "unheard_of");
    }

    #[test]
    fn no_label_key_is_written_twice() {
        let mut keys: Vec<&str> = LABELS.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before, "a LABELS key appears twice");
    }
}
