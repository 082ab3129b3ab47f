//! Each indicator's key (fixed by docs/spec/api.md), its label in French and Arabic, and its
//! definition in one sentence: what is counted, from which events. docs/indicators.md
//! repeats these (a test keeps them equal); changing one is changing what the ministry
//! reports.

pub struct Definition {
    pub key: &'static str,
    pub fr: &'static str,
    pub ar: &'static str,
    pub definition: &'static str,
}

pub const DEFINITIONS: [Definition; 15] = [
    Definition {
        key: "consultations_conducted",
        fr: "Consultations publiques menées",
        ar: "الاستشارات العمومية المنجزة",
        definition: "Consultations whose ConsultationOpened entry has an opens_at in the year (Morocco time).",
    },
    Definition {
        key: "consultation_participants",
        fr: "Participants aux consultations",
        ar: "المشاركون في الاستشارات",
        definition: "Distinct commenters on those consultations: associations (signed comments) plus public persons (by their opaque person reference, which is scoped to one consultation: a person who comments on two consultations counts twice), from CommentSubmitted entries.",
    },
    Definition {
        key: "consultation_comments",
        fr: "Commentaires reçus",
        ar: "التعليقات المتوصل بها",
        definition: "CommentSubmitted entries on those consultations, hidden ones included.",
    },
    Definition {
        key: "consultation_recommendations",
        fr: "Recommandations issues des consultations",
        ar: "التوصيات المنبثقة عن الاستشارات",
        definition: "Recommendations listed in the ResultsPublished entries of those consultations.",
    },
    Definition {
        key: "comments_answered_share",
        fr: "Part des commentaires ayant reçu une réponse",
        ar: "نسبة التعليقات التي تلقت جوابا",
        definition: "Comments on those consultations named in a CommentsAnswered entry, divided by consultation_comments; null when there is no comment.",
    },
    Definition {
        key: "offers_published",
        fr: "Appels à projets publiés",
        ar: "طلبات المشاريع المنشورة",
        definition: "OfferPublished entries whose fiscal_year is the year.",
    },
    Definition {
        key: "offers_published_q1_share",
        fr: "Part des appels publiés au premier trimestre",
        ar: "نسبة طلبات المشاريع المنشورة خلال الفصل الأول",
        definition: "Of those offers, the ones whose OfferPublished has published_late false (recorded before 1 April of the fiscal year, Morocco time), divided by offers_published; null when none was published.",
    },
    Definition {
        key: "institutions_publishing_offers",
        fr: "Institutions publiant des appels",
        ar: "المؤسسات الناشرة لطلبات المشاريع",
        definition: "Distinct institution ids of those offers.",
    },
    Definition {
        key: "institutions_involved",
        fr: "Secteurs gouvernementaux impliqués",
        ar: "القطاعات الحكومية المنخرطة",
        definition: "Distinct institutions that published an offer for the fiscal year, opened a consultation in the year, or recorded a training session dated in the year.",
    },
    Definition {
        key: "associations_registered",
        fr: "Associations enregistrées",
        ar: "الجمعيات المسجلة",
        definition: "AssociationRegistered entries recorded up to the end of the year (Morocco time).",
    },
    Definition {
        key: "associations_supported_share",
        fr: "Part des associations bénéficiant d'un soutien public",
        ar: "نسبة الجمعيات المستفيدة من الدعم العمومي",
        definition: "Distinct associations holding an award not revoked on an offer of the fiscal year (AwardGranted, AwardRevoked), divided by associations_registered; null when no association is registered.",
    },
    Definition {
        key: "amount_awarded_centimes",
        fr: "Montant accordé (centimes de MAD)",
        ar: "المبلغ الممنوح (بالسنتيم)",
        definition: "Sum over awards on offers of the fiscal year of amount_centimes, or, for a revoked award, of the amount disbursed before its revocation.",
    },
    Definition {
        key: "amount_disbursed_centimes",
        fr: "Montant versé (centimes de MAD)",
        ar: "المبلغ المصروف (بالسنتيم)",
        definition: "Sum of DisbursementRecorded amounts on awards of offers of the fiscal year.",
    },
    Definition {
        key: "training_sessions",
        fr: "Sessions de renforcement des capacités",
        ar: "دورات تقوية القدرات",
        definition: "TrainingSessionRecorded entries whose date is in the year.",
    },
    Definition {
        key: "associations_trained",
        fr: "Associations formées",
        ar: "الجمعيات المستفيدة من التكوين",
        definition: "Distinct associations attending those training sessions.",
    },
];
