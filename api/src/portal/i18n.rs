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
    // The consultation and draft pages (`participation*.rs`): statuses, positions,
    // moderation grounds, the comment form and its refusals, the diff.
    ("filters", "Filtrer", "تصفية"),
    ("status", "Statut", "الحالة"),
    ("institution", "Institution", "المؤسسة"),
    ("year", "Année", "السنة"),
    ("all", "Toutes", "الكل"),
    ("apply_filters", "Appliquer", "تطبيق"),
    ("no_results", "Aucun résultat.", "لا توجد نتائج."),
    ("previous_page", "Page précédente", "الصفحة السابقة"),
    ("next_page", "Page suivante", "الصفحة التالية"),
    ("status_open", "Ouverte", "مفتوحة"),
    ("status_closed", "Clôturée", "مغلقة"),
    ("status_results", "Résultats publiés", "النتائج منشورة"),
    ("draft_status_drafting", "En cours d'élaboration", "قيد الإعداد"),
    (
        "draft_status_submitted",
        "Soumis pour adoption",
        "محال للمصادقة",
    ),
    ("draft", "Projet de texte", "مشروع النص"),
    ("summary", "Présentation", "تقديم"),
    ("window", "Période de consultation", "فترة الاستشارة"),
    ("window_dates", "du {from} au {to}", "من {from} إلى {to}"),
    ("consulted_text", "Texte soumis à consultation", "النص المعروض للاستشارة"),
    ("revision_n", "Version {n}", "الصيغة {n}"),
    (
        "text_unavailable",
        "Le texte de cette version ne peut pas être affiché.",
        "لا يمكن عرض نص هذه الصيغة.",
    ),
    ("article", "Article", "المادة"),
    ("articles", "Articles", "المواد"),
    ("whole_text", "L'ensemble du texte", "النص بأكمله"),
    (
        "comments_on_whole_text",
        "Commentaires sur l'ensemble du texte",
        "تعليقات على النص بأكمله",
    ),
    ("comments", "Commentaires", "التعليقات"),
    ("no_comments", "Aucun commentaire.", "لا توجد تعليقات."),
    ("comment_n", "Commentaire n° {n}", "التعليق رقم {n}"),
    ("submitted_on", "Déposé le", "قُدّم بتاريخ"),
    ("by", "Par", "من طرف"),
    ("channel_public", "Citoyen ou citoyenne", "مواطن أو مواطنة"),
    ("response", "Réponse", "الرد"),
    ("position_accepted", "Retenu", "مقبول"),
    ("position_partly_accepted", "Retenu en partie", "مقبول جزئيا"),
    ("position_rejected", "Non retenu", "غير مقبول"),
    ("position_noted", "Pris en note", "أُخذ بعين الاعتبار"),
    (
        "hidden_comment",
        "Commentaire masqué par la modération",
        "تعليق محجوب من طرف الإشراف",
    ),
    ("ground", "Motif", "السبب"),
    ("ground_spam", "Spam", "رسائل مزعجة"),
    ("ground_insult", "Propos injurieux", "إساءة أو سب"),
    (
        "ground_personal_data",
        "Données personnelles d'autrui",
        "معطيات شخصية للغير",
    ),
    ("ground_off_topic", "Hors sujet", "خارج الموضوع"),
    ("ground_illegal_content", "Contenu illicite", "محتوى غير قانوني"),
    ("hidden_on", "Masqué le", "حُجب بتاريخ"),
    (
        "text_withheld",
        "Son texte a été retiré : seule son empreinte reste au registre.",
        "سُحب نصه: لا تبقى في السجل إلا بصمته.",
    ),
    ("moderation_history", "Modération", "الإشراف"),
    ("moderation_hide", "Masqué", "حُجب"),
    ("moderation_restore", "Rétabli", "أُعيد نشره"),
    ("counts", "En chiffres", "بالأرقام"),
    ("count_received", "Reçus", "المتوصل بها"),
    ("count_visible", "Publiés", "المنشورة"),
    ("count_hidden", "Masqués", "المحجوبة"),
    ("count_restored", "Rétablis", "المعاد نشرها"),
    ("count_answered", "Avec réponse", "التي تلقت ردا"),
    ("count_participants", "Participants", "المشاركون"),
    ("results", "Résultats", "النتائج"),
    ("synthesis", "Synthèse", "الخلاصة"),
    ("recommendations", "Recommandations", "التوصيات"),
    ("recommendation_n", "Recommandation {id}", "التوصية {id}"),
    ("published_on", "Publiés le", "نُشرت بتاريخ"),
    ("led_to", "A conduit à", "أدى إلى"),
    ("see_changes", "Voir les modifications", "عرض التعديلات"),
    ("log_entry", "Entrée signée n° {n}", "القيد الموقع رقم {n}"),
    ("comments_export", "Tous les commentaires (CSV)", "جميع التعليقات (CSV)"),
    ("comment_form", "Donner votre avis", "أبدوا رأيكم"),
    ("comment_text", "Votre commentaire", "تعليقكم"),
    (
        "comment_text_hint",
        "5 000 caractères au plus.",
        "5000 حرف على الأكثر.",
    ),
    ("comment_article", "Sur quelle partie du texte ?", "على أي جزء من النص؟"),
    ("author_name", "Votre nom (facultatif)", "اسمكم (اختياري)"),
    (
        "author_name_hint",
        "S'il est donné, il est publié avec votre commentaire.",
        "إن أدليتم به، يُنشر مع تعليقكم.",
    ),
    (
        "author_email",
        "Votre adresse électronique (facultative)",
        "بريدكم الإلكتروني (اختياري)",
    ),
    (
        "author_email_hint",
        "Elle n'est jamais publiée ; elle sert seulement à vous répondre.",
        "لا يُنشر أبدا؛ يُستعمل فقط للرد عليكم.",
    ),
    ("submit_comment", "Envoyer le commentaire", "إرسال التعليق"),
    (
        "comments_not_accepted",
        "Cette consultation ne reçoit plus de commentaires.",
        "لم تعد هذه الاستشارة تستقبل تعليقات.",
    ),
    (
        "refused",
        "Votre commentaire n'a pas été enregistré",
        "لم يُسجَّل تعليقكم",
    ),
    (
        "refused_window_closed",
        "La période de consultation est terminée.",
        "انتهت فترة الاستشارة.",
    ),
    (
        "refused_window_not_open",
        "La période de consultation n'a pas encore commencé.",
        "لم تبدأ فترة الاستشارة بعد.",
    ),
    (
        "refused_too_long",
        "Le commentaire dépasse 5 000 caractères ({n} caractères). Raccourcissez-le : votre texte est conservé ci-dessous.",
        "يتجاوز التعليق 5000 حرف ({n} حرفا). يرجى اختصاره: نصكم محفوظ أدناه.",
    ),
    (
        "refused_empty",
        "Le commentaire est vide.",
        "التعليق فارغ.",
    ),
    (
        "refused_rate_limited",
        "Trop de commentaires envoyés depuis votre connexion. Réessayez dans {n} secondes : votre texte est conservé ci-dessous.",
        "أُرسل عدد كبير من التعليقات من اتصالكم. أعيدوا المحاولة بعد {n} ثانية: نصكم محفوظ أدناه.",
    ),
    (
        "refused_unknown_article",
        "Cet article ne fait pas partie du texte soumis à consultation.",
        "هذه المادة ليست من النص المعروض للاستشارة.",
    ),
    (
        "refused_author_name",
        "Le nom est trop long (200 caractères au plus).",
        "الاسم طويل جدا (200 حرف على الأكثر).",
    ),
    (
        "refused_author_email",
        "L'adresse électronique n'est pas valide.",
        "عنوان البريد الإلكتروني غير صالح.",
    ),
    (
        "refused_withheld_text",
        "Ce texte a été retiré par la modération et ne peut pas être déposé à nouveau.",
        "سُحب هذا النص من طرف الإشراف ولا يمكن إيداعه من جديد.",
    ),
    (
        "refused_other",
        "Le registre n'a pas pu enregistrer votre commentaire. Réessayez plus tard.",
        "تعذر على السجل تسجيل تعليقكم. أعيدوا المحاولة لاحقا.",
    ),
    ("receipt_title", "Votre commentaire est enregistré", "سُجّل تعليقكم"),
    (
        "receipt_intro",
        "Gardez ce reçu : il prouve que l'institution a reçu exactement votre texte, à cette date.",
        "احتفظوا بهذا الإيصال: فهو يثبت أن المؤسسة توصلت بنصكم كما هو، في هذا التاريخ.",
    ),
    ("receipt_index", "Position dans le registre", "الموقع في السجل"),
    ("receipt_entry_hash", "Empreinte de l'entrée (SHA-256)", "بصمة القيد (SHA-256)"),
    ("receipt_document", "Empreinte de votre texte (SHA-256)", "بصمة نصكم (SHA-256)"),
    ("receipt_entry", "L'entrée signée", "القيد الموقع"),
    ("receipt_download", "Télécharger le reçu (JSON)", "تحميل الإيصال (JSON)"),
    ("back_to_consultation", "Retour à la consultation", "العودة إلى الاستشارة"),
    ("revisions", "Versions", "الصيغ"),
    ("revision", "Version", "الصيغة"),
    ("date", "Date", "التاريخ"),
    ("change_summary", "Modifications", "التعديلات"),
    ("text_hash", "Empreinte du texte (SHA-256)", "بصمة النص (SHA-256)"),
    ("latest_revision", "Dernière version", "آخر صيغة"),
    ("revisions_count", "Nombre de versions", "عدد الصيغ"),
    ("read_text", "Lire le texte", "قراءة النص"),
    ("compare", "Comparer deux versions", "مقارنة صيغتين"),
    ("from_revision", "De la version", "من الصيغة"),
    ("to_revision", "À la version", "إلى الصيغة"),
    ("show_diff", "Comparer", "قارن"),
    ("motivated_by", "Motivée par", "بناء على"),
    ("consultations_held", "Consultations", "الاستشارات"),
    ("diff_title", "Version {from} → version {to}", "الصيغة {from} ← الصيغة {to}"),
    ("change_added", "Article ajouté", "مادة مضافة"),
    ("change_removed", "Article supprimé", "مادة محذوفة"),
    ("change_changed", "Article modifié", "مادة معدلة"),
    ("change_unchanged", "Article inchangé", "مادة دون تغيير"),
    ("previous_heading", "Intitulé précédent", "العنوان السابق"),
    ("ins_start", "[début d'ajout]", "[بداية إضافة]"),
    ("ins_end", "[fin d'ajout]", "[نهاية إضافة]"),
    ("del_start", "[début de suppression]", "[بداية حذف]"),
    ("del_end", "[fin de suppression]", "[نهاية حذف]"),
    ("bad_request", "Demande invalide", "طلب غير صالح"),
    (
        "bad_request_text",
        "Un paramètre de l'adresse n'est pas valide.",
        "أحد معايير العنوان غير صالح.",
    ),
    (
        "not_found_text",
        "Cette page n'existe pas.",
        "هذه الصفحة غير موجودة.",
    ),
    ("unavailable", "Service indisponible", "الخدمة غير متاحة"),
    (
        "unavailable_text",
        "Réessayez dans quelques instants.",
        "أعيدوا المحاولة بعد لحظات.",
    ),
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
