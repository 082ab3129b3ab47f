//! The portal's two languages: which one a request wants (`?lang=`, then the `lang`
//! cookie, then `Accept-Language`, then French), and the labels of every domain term in
//! French and Arabic. One table, so a label missing in one language is a test failure,
//! not a blank on a page.

use axum::http::{header, HeaderMap};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    Ar,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::Ar => "ar",
        }
    }

    /// The `dir` attribute of `<html>`.
    pub fn dir(self) -> &'static str {
        match self {
            Self::Fr => "ltr",
            Self::Ar => "rtl",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Fr => Self::Ar,
            Self::Ar => Self::Fr,
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code.trim().get(..2)?.to_ascii_lowercase().as_str() {
            "fr" => Some(Self::Fr),
            "ar" => Some(Self::Ar),
            _ => None,
        }
    }

    /// The language of a request, and whether it was asked for explicitly with `?lang=`
    /// (then the answer sets the cookie).
    pub fn from_request(query_lang: Option<&str>, headers: &HeaderMap) -> (Self, bool) {
        if let Some(lang) = query_lang.and_then(Self::parse) {
            return (lang, true);
        }
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang=").and_then(Self::parse));
        if let Some(lang) = cookie {
            return (lang, false);
        }
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(',')
                    .find_map(|part| Self::parse(part.split(';').next()?))
            });
        (accepted.unwrap_or(Self::Fr), false)
    }
}

/// `(key, French, Arabic)`: every label the portal shows. Add a row, never a literal in a
/// template.
pub const LABELS: &[(&str, &str, &str)] = &[
    (
        "site_name",
        "Sijill — registre public",
        "سجل — السجل العمومي",
    ),
    ("home", "Accueil", "الرئيسية"),
    ("offers", "Appels à projets", "طلبات المشاريع"),
    ("awards", "Subventions accordées", "المنح الممنوحة"),
    ("associations", "Associations", "الجمعيات"),
    (
        "consultations",
        "Consultations publiques",
        "الاستشارات العمومية",
    ),
    ("drafts", "Projets de textes", "مشاريع النصوص"),
    ("indicators", "Indicateurs", "المؤشرات"),
    ("trainings", "Renforcement des capacités", "تقوية القدرات"),
    ("language_switch", "العربية", "Français"),
    ("skip_to_content", "Aller au contenu", "انتقل إلى المحتوى"),
    ("audit_trail", "Piste d'audit", "مسار التدقيق"),
    ("verify", "Vérifier", "تحقق"),
    ("log_key", "Clé du registre", "مفتاح السجل"),
    ("not_found", "Page introuvable", "الصفحة غير موجودة"),
    (
        "footer",
        "Chaque enregistrement est signé et vérifiable hors ligne.",
        "كل تسجيل موقع وقابل للتحقق دون اتصال.",
    ),
];

/// A label in `lang`; the key itself if there is none (a test keeps that from happening).
pub fn label(lang: Lang, key: &str) -> &'static str {
    LABELS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("?", |(_, fr, ar)| match lang {
            Lang::Fr => fr,
            Lang::Ar => ar,
        })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_query_wins_then_the_cookie_then_accept_language() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::from_request(None, &headers), (Lang::Fr, false));
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("ar-MA,fr;q=0.8"),
        );
        assert_eq!(Lang::from_request(None, &headers), (Lang::Ar, false));
        headers.insert(header::COOKIE, HeaderValue::from_static("x=1; lang=fr"));
        assert_eq!(Lang::from_request(None, &headers), (Lang::Fr, false));
        assert_eq!(Lang::from_request(Some("ar"), &headers), (Lang::Ar, true));
        assert_eq!(Lang::from_request(Some("xx"), &headers), (Lang::Fr, false));
    }

    #[test]
    fn every_label_has_both_languages() {
        for (key, fr, ar) in LABELS {
            assert!(!fr.is_empty() && !ar.is_empty(), "{key}");
        }
        assert_eq!(Lang::Ar.dir(), "rtl");
    }
}
