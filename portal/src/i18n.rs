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
    ("application_window", "Période de dépôt", "فترة إيداع الطلبات"),
    ("offer_published_on", "Publié le", "نشر في"),
    ("report_summary", "Résumé", "ملخص"),
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
    ("cross_site", "Envoi refusé", "تم رفض الإرسال"),
    (
        "cross_site_text",
        "Ce formulaire a été envoyé depuis un autre site. Pour commenter, ouvrez la consultation sur ce site et envoyez le formulaire depuis sa page.",
        "أُرسلت هذه الاستمارة من موقع آخر. للتعليق، افتحوا الاستشارة على هذا الموقع وأرسلوا الاستمارة من صفحتها.",
    ),
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
    ),    // The support and indicator pages: lists, filters, records, the closed vocabularies
    // (`terms`) and every indicator's label and definition (`indicators`).
    // Between the items of a list in a sentence: Arabic has its own comma.
    ("list_separator", ", ", "، "),
    ("home_intro", "Les appels à projets, les subventions, les consultations et les indicateurs publics, tels que le registre signé les enregistre.", "طلبات المشاريع والمنح والاستشارات والمؤشرات العمومية، كما يسجلها السجل الموقع."),
    ("open_offers", "Appels à projets ouverts", "طلبات المشاريع المفتوحة"),
    ("open_consultations", "Consultations ouvertes", "الاستشارات المفتوحة"),
    ("latest_awards", "Dernières subventions accordées", "آخر المنح الممنوحة"),
    ("at_a_glance", "Indicateurs de l'année", "مؤشرات سنة"),
    ("see_all", "Tout voir", "عرض الكل"),
    ("log_entries", "Entrées du registre", "قيود السجل"),
    ("filter", "Filtrer", "تصفية"),
    ("search", "Rechercher", "بحث"),
    ("search_name", "Nom de l'association", "اسم الجمعية"),
    ("any", "Tous", "الكل"),
    ("region", "Région", "الجهة"),
    ("domain", "Domaine", "المجال"),
    ("domains", "Domaines d'activité", "مجالات النشاط"),
    ("pagination", "Pages de la liste", "صفحات القائمة"),
    ("page", "Page", "الصفحة"),
    ("previous", "Page précédente", "الصفحة السابقة"),
    ("next", "Page suivante", "الصفحة التالية"),
    ("none", "Aucun élément pour l'instant.", "لا يوجد أي عنصر حاليا."),
    ("title", "Intitulé", "العنوان"),
    ("budget", "Budget", "الميزانية"),
    ("max_award", "Montant maximal par subvention", "الحد الأقصى للمنحة الواحدة"),
    ("committed", "Montant engagé", "المبلغ الملتزم به"),
    ("remaining", "Reste disponible", "المبلغ المتبقي"),
    ("closes", "Clôture", "الإغلاق"),
    ("q1_on_time", "Publié au premier trimestre", "منشور خلال الفصل الأول"),
    ("q1_late", "Publié après le premier trimestre", "منشور بعد الفصل الأول"),
    ("late_justification", "Justification du retard", "تبرير التأخير"),
    ("eligibility", "Conditions d'éligibilité", "شروط الأهلية"),
    ("eligible_regions", "Régions éligibles", "الجهات المؤهلة"),
    ("eligible_domains", "Domaines éligibles", "المجالات المؤهلة"),
    ("all_regions", "Toutes les régions", "جميع الجهات"),
    ("all_domains", "Tous les domaines", "جميع المجالات"),
    ("min_age", "Ancienneté minimale (années)", "الأقدمية الدنيا (بالسنوات)"),
    ("criteria", "Critères d'évaluation", "معايير التقييم"),
    ("criterion", "Critère", "المعيار"),
    ("weight", "Pondération", "الوزن"),
    ("applications", "Candidatures", "طلبات الدعم"),
    ("application", "Candidature", "طلب الدعم"),
    ("association", "Association", "الجمعية"),
    ("requested", "Montant demandé", "المبلغ المطلوب"),
    ("evaluations", "Évaluations", "التقييمات"),
    ("mean_score", "Note moyenne", "المعدل"),
    ("conflicts", "Conflits d'intérêts déclarés", "حالات تضارب المصالح المصرح بها"),
    ("scores", "Notes par critère", "النقط حسب المعيار"),
    ("scores_hidden", "Les notes par critère sont publiées dès que l'appel a accordé une subvention.", "تنشر النقط حسب المعيار بمجرد منح أول منحة في إطار هذا الطلب."),
    ("evaluator", "Évaluateur", "المقيّم"),
    ("weighted_total", "Total pondéré", "المجموع المرجح"),
    ("award", "Subvention", "المنحة"),
    ("offer", "Appel à projets", "طلب المشاريع"),
    ("amount", "Montant", "المبلغ"),
    ("disbursed", "Montant versé", "المبلغ المصروف"),
    ("granted_on", "Accordée le", "تاريخ المنح"),
    ("justification", "Justification", "التبرير"),
    ("revocation", "Retrait de la subvention", "سحب المنحة"),
    ("revoked_on", "Retirée le", "تاريخ السحب"),
    ("revocation_reason", "Motif du retrait", "سبب السحب"),
    ("to_recover", "Montant à recouvrer", "المبلغ الواجب استرجاعه"),
    ("amendments", "Modifications", "التعديلات"),
    ("disbursements", "Versements", "الدفعات"),
    ("reports", "Rapports", "التقارير"),
    ("reference", "Référence", "المرجع"),
    ("kind", "Type", "النوع"),
    ("identity", "Identité", "الهوية"),
    ("identifier", "Identifiant", "المعرف"),
    ("legal_form", "Forme juridique", "الشكل القانوني"),
    ("registered_on", "Date de constitution", "تاريخ التأسيس"),
    ("bad_request_help", "Un paramètre de cette adresse n'est pas valide : corrigez-le ou revenez à la liste.", "أحد معايير هذا العنوان غير صالح: صححه أو عد إلى القائمة."),
    ("not_found_help", "Aucun enregistrement ne porte cet identifiant.", "لا يوجد أي تسجيل بهذا المعرف."),
    ("server_error", "Erreur du serveur", "خطأ في الخادم"),
    ("server_error_help", "La page n'a pas pu être construite. Réessayez plus tard.", "تعذر إنشاء الصفحة. أعد المحاولة لاحقا."),
    ("back_home", "Retour à l'accueil", "العودة إلى الصفحة الرئيسية"),
    ("show", "Afficher", "عرض"),
    ("computed_over", "Nombre d'entrées du registre prises en compte", "عدد قيود السجل المحتسبة"),
    ("all_indicators", "Tous les indicateurs", "جميع المؤشرات"),
    ("indicator", "Indicateur", "المؤشر"),
    ("value", "Valeur", "القيمة"),
    ("definition", "Définition", "التعريف"),
    ("charts", "Graphiques", "الرسوم البيانية"),
    ("chart_table", "Les données du graphique en tableau", "بيانات الرسم البياني في جدول"),
    ("all_years", "toutes les années", "جميع السنوات"),
    ("not_available", "non disponible", "غير متوفر"),
    ("chart.awarded_by_region", "Montant accordé par région", "المبلغ الممنوح حسب الجهة"),
    ("chart.registered_by_region", "Associations enregistrées par région", "الجمعيات المسجلة حسب الجهة"),
    ("chart.awarded_by_institution", "Montant accordé par institution", "المبلغ الممنوح حسب المؤسسة"),
    ("chart.offers_by_institution", "Appels à projets publiés par institution", "طلبات المشاريع المنشورة حسب المؤسسة"),
    ("chart.offers_by_year", "Appels à projets publiés par année", "طلبات المشاريع المنشورة حسب السنة"),
    ("chart.awarded_by_year", "Montant accordé par année", "المبلغ الممنوح حسب السنة"),
    ("status.open", "Ouvert", "مفتوح"),
    ("status.closed", "Clôturé", "مغلق"),
    ("status.results", "Résultats publiés", "النتائج منشورة"),
    ("status.active", "Active", "سارية"),
    ("status.revoked", "Retirée", "مسحوبة"),
    ("status.submitted", "Déposée", "مودعة"),
    ("status.scored", "Évaluée", "مقيّمة"),
    ("status.awarded", "Retenue", "مقبولة"),
    ("report.activity", "Rapport d'activité", "تقرير النشاط"),
    ("report.financial", "Rapport financier", "التقرير المالي"),
    ("form.association", "Association", "جمعية"),
    ("form.union", "Union", "اتحاد"),
    ("form.federation", "Fédération", "جامعة"),
    ("form.network", "Réseau", "شبكة"),
    ("form.foundation", "Fondation", "مؤسسة"),
    ("domain.education", "Éducation", "التربية والتعليم"),
    ("domain.health", "Santé", "الصحة"),
    ("domain.women", "Femmes", "المرأة"),
    ("domain.youth", "Jeunesse", "الشباب"),
    ("domain.children", "Enfance", "الطفولة"),
    ("domain.disability", "Handicap", "الإعاقة"),
    ("domain.elderly", "Personnes âgées", "المسنون"),
    ("domain.environment", "Environnement", "البيئة"),
    ("domain.culture", "Culture", "الثقافة"),
    ("domain.sport", "Sport", "الرياضة"),
    ("domain.human_rights", "Droits humains", "حقوق الإنسان"),
    ("domain.rural_development", "Développement rural", "التنمية القروية"),
    ("domain.social_economy", "Économie sociale", "الاقتصاد الاجتماعي"),
    ("domain.digital", "Numérique", "الرقمنة"),
    ("domain.governance", "Gouvernance", "الحكامة"),
    ("indicator.consultations_conducted", "Consultations publiques menées", "الاستشارات العمومية المنجزة"),
    ("indicator.consultations_conducted.definition", "Consultations dont la période s'ouvre dans l'année (heure du Maroc).", "الاستشارات التي تفتح فترتها خلال السنة (بتوقيت المغرب)."),
    ("indicator.consultation_participants", "Participants aux consultations", "المشاركون في الاستشارات"),
    ("indicator.consultation_participants.definition", "Auteurs distincts de commentaires sur ces consultations : associations et personnes du public.", "أصحاب التعليقات المتميزون على هذه الاستشارات: الجمعيات وأفراد العموم."),
    ("indicator.consultation_comments", "Commentaires reçus", "التعليقات المتوصل بها"),
    ("indicator.consultation_comments.definition", "Commentaires déposés sur ces consultations, y compris ceux masqués par la modération.", "التعليقات المودعة على هذه الاستشارات، بما فيها التي أخفتها الإشراف."),
    ("indicator.consultation_recommendations", "Recommandations issues des consultations", "التوصيات المنبثقة عن الاستشارات"),
    ("indicator.consultation_recommendations.definition", "Recommandations listées dans les résultats publiés de ces consultations.", "التوصيات الواردة في النتائج المنشورة لهذه الاستشارات."),
    ("indicator.comments_answered_share", "Part des commentaires ayant reçu une réponse", "نسبة التعليقات التي تلقت جوابا"),
    ("indicator.comments_answered_share.definition", "Commentaires ayant reçu une réponse publique, rapportés au nombre de commentaires reçus.", "التعليقات التي تلقت جوابا علنيا، منسوبة إلى عدد التعليقات المتوصل بها."),
    ("indicator.offers_published", "Appels à projets publiés", "طلبات المشاريع المنشورة"),
    ("indicator.offers_published.definition", "Appels à projets publiés pour l'exercice budgétaire de l'année.", "طلبات المشاريع المنشورة برسم السنة المالية."),
    ("indicator.offers_published_q1_share", "Part des appels publiés au premier trimestre", "نسبة طلبات المشاريع المنشورة خلال الفصل الأول"),
    ("indicator.offers_published_q1_share.definition", "Appels publiés avant le 1er avril de l'exercice (heure du Maroc), rapportés aux appels publiés.", "طلبات المشاريع المنشورة قبل فاتح أبريل من السنة المالية (بتوقيت المغرب)، منسوبة إلى مجموع الطلبات المنشورة."),
    ("indicator.institutions_publishing_offers", "Institutions publiant des appels", "المؤسسات الناشرة لطلبات المشاريع"),
    ("indicator.institutions_publishing_offers.definition", "Institutions distinctes ayant publié un appel pour l'exercice.", "المؤسسات المتميزة التي نشرت طلب مشاريع برسم السنة المالية."),
    ("indicator.institutions_involved", "Secteurs gouvernementaux impliqués", "القطاعات الحكومية المنخرطة"),
    ("indicator.institutions_involved.definition", "Institutions ayant publié un appel, ouvert une consultation ou tenu une session de formation dans l'année.", "المؤسسات التي نشرت طلب مشاريع أو فتحت استشارة أو نظمت دورة تكوينية خلال السنة."),
    ("indicator.associations_registered", "Associations enregistrées", "الجمعيات المسجلة"),
    ("indicator.associations_registered.definition", "Associations enregistrées dans le registre jusqu'à la fin de l'année.", "الجمعيات المسجلة في السجل إلى غاية نهاية السنة."),
    ("indicator.associations_supported_share", "Part des associations bénéficiant d'un soutien public", "نسبة الجمعيات المستفيدة من الدعم العمومي"),
    ("indicator.associations_supported_share.definition", "Associations titulaires d'une subvention non retirée sur un appel de l'exercice, rapportées aux associations enregistrées.", "الجمعيات الحاصلة على منحة غير مسحوبة في إطار طلب مشاريع برسم السنة المالية، منسوبة إلى الجمعيات المسجلة."),
    ("indicator.amount_awarded_centimes", "Montant accordé", "المبلغ الممنوح"),
    ("indicator.amount_awarded_centimes.definition", "Somme des subventions accordées sur les appels de l'exercice ; pour une subvention retirée, ce qui a été versé avant le retrait.", "مجموع المنح الممنوحة في إطار طلبات السنة المالية؛ وبالنسبة للمنحة المسحوبة، ما صرف منها قبل السحب."),
    ("indicator.amount_disbursed_centimes", "Montant versé", "المبلغ المصروف"),
    ("indicator.amount_disbursed_centimes.definition", "Somme des versements enregistrés sur les subventions des appels de l'exercice.", "مجموع الدفعات المسجلة على منح طلبات السنة المالية."),
    ("indicator.training_sessions", "Sessions de renforcement des capacités", "دورات تقوية القدرات"),
    ("indicator.training_sessions.definition", "Sessions de formation enregistrées dont la date tombe dans l'année.", "الدورات التكوينية المسجلة التي يقع تاريخها خلال السنة."),
    ("indicator.associations_trained", "Associations formées", "الجمعيات المستفيدة من التكوين"),
    ("indicator.associations_trained.definition", "Associations distinctes ayant participé à ces sessions.", "الجمعيات المتميزة التي شاركت في هذه الدورات."),
    ("receipt_check_later", "Vérifier ce reçu dans votre navigateur, maintenant ou plus tard", "تحقق من هذا الوصل في متصفحك، الآن أو لاحقا"),
    ("audit.intro", "Chaque ligne est une entrée signée du registre : ce que la page de l'enregistrement affiche en découle.", "كل سطر قيد موقع في السجل، ومنه تُستمد المعلومات المعروضة في صفحة العنصر."),
    ("audit.record_page", "Voir la page de l'enregistrement", "عرض صفحة هذا العنصر"),
    ("audit.entries", "Entrées signées", "القيود الموقعة"),
    ("audit.index", "Entrée", "القيد"),
    ("audit.seq", "n° dans l'enregistrement", "الرتبة في العنصر"),
    ("audit.event", "Événement", "الحدث"),
    ("audit.command", "commande", "الأمر"),
    ("audit.time", "Enregistrée le", "تاريخ التسجيل"),
    ("audit.actor", "Acteur", "الفاعل"),
    ("audit.server_check", "Contrôle du serveur", "تحقق الخادم"),
    ("audit.browser_check", "Votre vérification", "تحققك"),
    ("audit.server_ok", "valide selon le serveur", "صحيح حسب الخادم"),
    ("audit.server_failed", "invalide selon le serveur", "غير صحيح حسب الخادم"),
    ("audit.entry_json", "Entrée signée", "القيد الموقع"),
    ("audit.unknown_actor", "clé inconnue du registre", "مفتاح غير معروف في السجل"),
    ("audit.same_command", "même commande que l'entrée #{index}", "نفس الأمر الوارد في القيد رقم {index}"),
    ("audit.public_channel", "public (sans clé)", "العموم (بدون مفتاح)"),
    ("audit.ledger", "le registre lui-même", "السجل نفسه"),
    ("audit.verify_title", "Vérifier dans votre navigateur", "التحقق في متصفحك"),
    ("audit.verify_intro", "Le bouton Vérifier récupère les entrées, leurs preuves d'inclusion et le dernier point de contrôle, et les vérifie sur votre machine (Ed25519 et SHA-256 de WebCrypto), sans se fier au serveur.", "يجلب زر التحقق القيود وأدلة إدراجها وآخر نقطة مراقبة، ويتحقق منها على جهازك (Ed25519 وSHA-256 عبر WebCrypto)، دون الوثوق بالخادم."),
    ("audit.log_key", "Clés publiques du registre (une par ligne)", "المفاتيح العمومية للسجل (مفتاح في كل سطر)"),
    ("audit.log_key_hint", "Comparez-les avec les clés que le ministère publie ailleurs que sur ce site, ou collez ici une clé publiée pour vérifier contre elle : la vérification accepte aussi les clés vers lesquelles le registre est passé depuis.", "قارنها بالمفاتيح التي تنشرها الوزارة خارج هذا الموقع، أو ألصق هنا مفتاحا منشورا للتحقق بواسطته: يقبل التحقق أيضا المفاتيح التي انتقل إليها السجل بعده."),
    ("audit.checkpoint", "Dernier point de contrôle, entrées :", "آخر نقطة مراقبة، عدد القيود:"),
    ("audit.noscript", "La vérification dans le navigateur demande JavaScript. Sans lui, vérifiez un export hors ligne avec « sijill verify ».", "يتطلب التحقق في المتصفح JavaScript. وبدونه، تحقق من نسخة مصدرة دون اتصال باستعمال «sijill verify»."),
    ("audit.receipt_file", "Reçu de commentaire (fichier JSON)", "وصل التعليق (ملف JSON)"),
    ("audit.verify_button", "Vérifier", "تحقق"),
    ("audit.checker_title", "Vérifier un reçu ou retrouver une piste d'audit", "التحقق من وصل أو البحث عن مسار تدقيق"),
    ("audit.checker_intro", "Chargez le reçu téléchargé après votre commentaire : votre navigateur vérifie qu'il est signé par le registre et inclus dans son dernier point de contrôle.", "حمّل الوصل الذي نزّلته بعد تعليقك: يتحقق متصفحك من أنه موقع من السجل ومدرج في آخر نقطة مراقبة له."),
    ("audit.lookup_title", "Piste d'audit d'un enregistrement", "مسار تدقيق عنصر"),
    ("audit.lookup_type", "Type", "النوع"),
    ("audit.lookup_id", "Identifiant", "المعرف"),
    ("audit.lookup_button", "Afficher", "عرض"),
    ("audit.kind.offer", "Appel à projets", "طلب مشاريع"),
    ("audit.kind.application", "Candidature", "ترشيح"),
    ("audit.kind.award", "Subvention", "منحة"),
    ("audit.kind.association", "Association", "جمعية"),
    ("audit.kind.consultation", "Consultation", "استشارة"),
    ("audit.kind.draft", "Projet de texte", "مشروع نص"),
    ("audit.kind.training", "Session de formation", "دورة تكوينية"),
    ("audit.kind.institution", "Institution", "مؤسسة"),
    ("verify.running", "Vérification en cours…", "جار التحقق…"),
    ("verify.entry_ok", "vérifiée", "تم التحقق"),
    ("verify.stream_ok", "Vérifié : les {count} entrées sont signées par la clé du registre, chaînées, et incluses dans le point de contrôle signé de {size} entrées.", "تم التحقق: القيود ({count}) موقعة بمفتاح السجل ومتسلسلة ومدرجة في نقطة المراقبة الموقعة ذات {size} قيدا."),
    ("verify.receipt_ok", "Vérifié : l'entrée n° {index} de ce reçu est signée par la clé du registre et incluse dans le point de contrôle signé de {size} entrées.", "تم التحقق: القيد رقم {index} في هذا الوصل موقع بمفتاح السجل ومدرج في نقطة المراقبة الموقعة ذات {size} قيدا."),
    ("verify.failed", "Échec de la vérification : {reason}", "فشل التحقق: {reason}"),
    ("verify.fetch_failed", "le serveur n'a pas fourni {path} (statut {status})", "لم يقدم الخادم {path} (الحالة {status})"),
    ("verify.key_format", "la clé du registre n'est pas une clé de vérification valide", "مفتاح السجل ليس مفتاح تحقق صالحا"),
    ("verify.key_id", "l'identifiant de la clé du registre ne correspond pas à la clé", "معرف مفتاح السجل لا يطابق المفتاح"),
    ("verify.no_webcrypto", "ce navigateur ne sait pas vérifier Ed25519 (WebCrypto) ; utilisez un navigateur récent ou « sijill verify »", "هذا المتصفح لا يدعم التحقق من Ed25519 (WebCrypto)؛ استعمل متصفحا حديثا أو «sijill verify»"),
    ("verify.checkpoint_format", "le point de contrôle est mal formé", "نقطة المراقبة غير سليمة الصياغة"),
    ("verify.checkpoint_origin", "le point de contrôle est celui d'un autre registre ({origin})", "نقطة المراقبة تعود لسجل آخر ({origin})"),
    ("verify.checkpoint_signature", "la signature du point de contrôle n'est pas valide pour cette clé", "توقيع نقطة المراقبة غير صالح لهذا المفتاح"),
    ("verify.not_covered", "l'entrée n° {index} n'est pas couverte par le dernier point de contrôle", "القيد رقم {index} غير مشمول بآخر نقطة مراقبة"),
    ("verify.inclusion", "la preuve d'inclusion de l'entrée n° {index} ne mène pas à la racine du point de contrôle", "دليل إدراج القيد رقم {index} لا يؤدي إلى جذر نقطة المراقبة"),
    ("verify.not_json", "l'entrée n° {index} n'est pas du JSON valide", "القيد رقم {index} ليس JSON صالحا"),
    ("verify.not_canonical", "l'entrée n° {index} n'est pas sous forme canonique (RFC 8785)", "القيد رقم {index} ليس في الصيغة القانونية (RFC 8785)"),
    ("verify.wrong_index", "l'entrée servie n'est pas la n° {index}", "القيد المقدم ليس القيد رقم {index}"),
    ("verify.log_signature", "la signature du registre sur l'entrée n° {index} n'est pas valide", "توقيع السجل على القيد رقم {index} غير صالح"),
    ("verify.actor_signature", "la signature de l'acteur sur l'entrée n° {index} n'est pas valide", "توقيع الفاعل على القيد رقم {index} غير صالح"),
    ("verify.wrong_stream", "l'entrée n° {index} appartient à un autre enregistrement", "القيد رقم {index} ينتمي إلى عنصر آخر"),
    ("verify.prev_chain", "l'entrée n° {index} ne suit pas la précédente de l'enregistrement (chaîne prev)", "القيد رقم {index} لا يتبع القيد السابق لنفس العنصر (سلسلة prev)"),
    ("verify.receipt_format", "ce fichier n'est pas un reçu de Sijill", "هذا الملف ليس وصلا صادرا عن سجل (Sijill)"),
    ("verify.receipt_hash", "l'empreinte du reçu ne correspond pas à son entrée", "بصمة الوصل لا تطابق قيده"),
    ("verify.rotation", "l'entrée n° {index} ne fait pas passer valablement le registre d'une clé à la suivante", "القيد رقم {index} لا ينقل السجل بشكل صحيح من مفتاح إلى الذي يليه"),
    ("verify.key_untrusted", "aucune des clés saisies ici n'a signé ce registre : comparez-les avec les clés publiées", "لم يوقع أي من المفاتيح المدخلة هنا هذا السجل: قارنها بالمفاتيح المنشورة"),
    ("verify.receipt_missing", "choisissez d'abord le fichier du reçu", "اختر ملف الوصل أولا"),
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
