//! The demo's law drafts and public consultations: two draft laws, three revisions each
//! (one revision given as an articles document), a consultation on each with comments in
//! French and Arabic signed by associations, moderation (a comment hidden for spam and
//! restored, one hidden for personal data, which withholds its text), a response to every
//! comment, results with recommendations, later revisions motivated by them, and a
//! consultation still open at the present.

use domain::participation::{text_sha256, Article};
use ledger::canonical;
use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};

use super::associations::Association;
use super::calendar::{instant, Day, Frame};
use super::script::Step;
use super::seed::Seeded;

const COMMENTS_FR: &[&str] = &[
    "Nous proposons d'allonger la durée de la consultation à soixante jours pour permettre aux associations rurales de participer.",
    "L'article devrait préciser que les résultats sont publiés dans un délai d'un mois après la clôture.",
    "Il faut garantir que chaque commentaire reçoit une réponse motivée.",
    "Nous demandons que les documents soient publiés aussi en amazigh.",
    "La définition des associations éligibles est trop restrictive pour les réseaux régionaux.",
    "Prévoir des réunions publiques dans chaque région en plus de la plateforme en ligne.",
    "Le texte doit préciser les critères de sélection des projets soutenus.",
    "Nous saluons ce projet et proposons un bilan annuel présenté au Parlement.",
];
const COMMENTS_AR: &[&str] = &[
    "نقترح تمديد مدة الاستشارة إلى ستين يوما لتمكين الجمعيات القروية من المشاركة.",
    "يجب أن تنص المادة على نشر النتائج داخل أجل شهر بعد الإغلاق.",
    "ينبغي ضمان جواب معلل على كل تعليق.",
    "نطالب بنشر الوثائق باللغة الأمازيغية أيضا.",
    "تعريف الجمعيات المؤهلة ضيق جدا بالنسبة للشبكات الجهوية.",
    "نقترح تنظيم لقاءات عمومية في كل جهة إلى جانب المنصة الإلكترونية.",
];
const POSITIONS: [&str; 4] = ["accepted", "partly_accepted", "rejected", "noted"];
const REASONINGS: [&str; 4] = [
    "Proposition retenue : le texte révisé l'intègre.",
    "Proposition retenue en partie, dans la limite des moyens budgétaires.",
    "Proposition non retenue : elle relève d'un texte réglementaire.",
    "Observation prise en compte pour la mise en œuvre.",
];

/// One draft law of the story.
struct Law {
    draft: &'static str,
    institution: &'static str,
    drafter: &'static str,
    moderator: &'static str,
    title: &'static str,
    summary: &'static str,
    /// Articles: (id, heading, text of revision 1).
    articles: &'static [(&'static str, &'static str, &'static str)],
}

const LAWS: [Law; 2] = [
    Law {
        draft: "PL-CONSULTATION",
        institution: "MDRP",
        drafter: "mdrp.drafter",
        moderator: "mdrp.moderator",
        title: "Projet de loi relatif à la consultation publique",
        summary: "Institutionnalise la consultation des citoyens et des associations sur les projets de textes.",
        articles: &[
            ("art-1", "Objet", "La présente loi fixe les règles de la consultation publique sur les projets de textes législatifs et réglementaires."),
            ("art-2", "Durée", "Toute consultation publique dure au moins trente jours."),
            ("art-3", "Réponses", "L'administration publie une synthèse des contributions reçues."),
            ("art-4", "Publication", "Les résultats de la consultation sont publiés sur le portail national."),
        ],
    },
    Law {
        draft: "PL-SOUTIEN",
        institution: "MSISF",
        drafter: "msisf.drafter",
        moderator: "msisf.moderator",
        title: "Projet de décret fixant le cadre du soutien public aux associations",
        summary: "Unifie les règles d'appel à projets, d'évaluation et de suivi des subventions aux associations.",
        articles: &[
            ("art-1", "Champ", "Le présent décret s'applique à tout soutien public accordé aux associations."),
            ("art-2", "Appels", "Les appels à projets sont publiés au cours du premier trimestre de chaque année."),
            ("art-3", "Évaluation", "Les demandes sont évaluées selon des critères pondérés publiés à l'avance."),
            ("art-4", "Suivi", "Toute subvention fait l'objet de rapports d'activité et financier."),
        ],
    },
];

fn articles(law: &Law, revision: u32) -> Vec<Article> {
    let mut articles: Vec<Article> = law
        .articles
        .iter()
        .map(|(id, heading, text)| Article {
            id: (*id).to_owned(),
            heading: (*heading).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    if revision >= 2 {
        articles[1].text.push_str(" Ce délai est porté à soixante jours pour les textes intéressant les collectivités territoriales.");
        articles[2].text = "L'administration répond de manière motivée à chaque contribution et publie ces réponses.".to_owned();
    }
    if revision >= 3 {
        articles.push(Article {
            id: "art-5".to_owned(),
            heading: "Bilan".to_owned(),
            text: "Un bilan annuel des consultations est présenté au Parlement.".to_owned(),
        });
    }
    articles
}

/// A consultation's window, and the last day comments are written for (its close, or the
/// present for one still open).
#[derive(Copy, Clone)]
struct Window {
    opens: Day,
    closes: Day,
    until: Day,
}

struct Writer<'a> {
    steps: Vec<Step>,
    rng: Seeded,
    associations: &'a [Association],
}

impl Writer<'_> {
    fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    fn revision(
        &mut self,
        law: &Law,
        number: u32,
        day: Day,
        motivated_by: Value,
        as_document: bool,
    ) {
        let articles = articles(law, number);
        let sha = text_sha256(&articles);
        let summary = match number {
            1 => "Version initiale soumise à consultation.",
            2 => "Durée de consultation allongée et réponses motivées, à la suite de la consultation.",
            _ => "Ajout d'un bilan annuel présenté au Parlement.",
        };
        let mut step = Step::new(
            day.at(11, 0),
            law.drafter,
            "PublishRevision",
            format!("draft/{}", law.draft),
            if as_document {
                json!({"number": number, "articles": null, "articles_document": sha,
                       "text_sha256": sha, "change_summary": summary, "motivated_by": motivated_by})
            } else {
                json!({"number": number, "articles": articles, "articles_document": null,
                       "text_sha256": sha, "change_summary": summary, "motivated_by": motivated_by})
            },
        );
        if as_document {
            let value = serde_json::to_value(&articles).unwrap_or_default();
            step.document = canonical::to_bytes(&value).ok();
        }
        self.push(step);
    }

    /// A consultation on `revision`, open `[opens, closes)`, with `comments` signed
    /// comments spread over the days before `until` (the close, or the present).
    fn consultation(
        &mut self,
        law: &Law,
        id: &str,
        revision: u32,
        window: Window,
        comments: usize,
    ) -> usize {
        let Window {
            opens,
            closes,
            until,
        } = window;
        self.push(Step::new(
            opens.plus(-1).at(12, 0),
            law.drafter,
            "OpenConsultation",
            format!("consultation/{id}"),
            json!({"draft": law.draft, "revision": revision,
                   "title": format!("Consultation publique : {}", law.title),
                   "summary": law.summary,
                   "opens_at": instant(opens.at(8, 0)), "closes_at": instant(closes.at(17, 0))}),
        ));
        let ids: Vec<&str> = law.articles.iter().map(|a| a.0).collect();
        let days = until.since(opens).max(1);
        let mut recorded = 0;
        for k in 0..comments {
            let day = opens.plus(1 + (k as i64 * (days - 1)) / comments.max(1) as i64);
            let at = day.at(9, 0).plus_millis(k as i64 * 61_000);
            let authors: Vec<&Association> = self
                .associations
                .iter()
                .filter(|a| a.has_key && a.recorded < day)
                .collect();
            let Some(author) = self.rng.pick(&authors).copied() else {
                continue;
            };
            let text = if k % 3 == 2 {
                COMMENTS_AR[k % COMMENTS_AR.len()]
            } else {
                COMMENTS_FR[k % COMMENTS_FR.len()]
            };
            // Signed, and unique: a withheld text must never be another comment's too.
            let text = format!(
                "{text}\n\n— {}, {} ({id}, {})",
                author.name,
                author.town,
                k + 1
            );
            let article = if k % 4 == 0 {
                Value::Null
            } else {
                json!(ids[k % ids.len()])
            };
            let mut step = Step::new(
                at,
                &author.id,
                "SubmitComment",
                format!("consultation/{id}"),
                json!({"association": author.id, "article": article,
                       "document": to_hex(&sha256(text.as_bytes()))}),
            );
            step.document = Some(text.into_bytes());
            self.push(step);
            recorded += 1;
        }
        recorded
    }

    /// Moderation, closing, a response to every comment, and the results.
    fn conclude(&mut self, law: &Law, id: &str, closes: Day, comments: usize) {
        let stream = format!("consultation/{id}");
        if comments >= 6 {
            for (n, action, ground, days) in [
                (3, "hide", "spam", 1),
                (3, "restore", "spam", 2),
                (5, "hide", "personal_data", 3),
            ] {
                self.push(Step::new(
                    closes.plus(days).at(10, 0),
                    law.moderator,
                    "ModerateComment",
                    stream.clone(),
                    json!({"comment": n, "action": action, "ground": ground,
                           "note": match (action, ground) {
                               ("restore", _) => "Contribution vérifiée : il ne s'agit pas d'un message publicitaire.",
                               (_, "spam") => "Signalé comme message publicitaire.",
                               _ => "Le texte cite les coordonnées personnelles d'un tiers.",
                           }}),
                ));
            }
        }
        self.push(Step::new(
            closes.plus(5).at(9, 0),
            law.drafter,
            "CloseConsultation",
            stream.clone(),
            json!({}),
        ));
        let all: Vec<usize> = (1..=comments).collect();
        for (batch, chunk) in all.chunks(40).enumerate() {
            let responses: Vec<Value> = chunk
                .iter()
                .map(|n| {
                    let p = n % POSITIONS.len();
                    json!({"comment": n, "position": POSITIONS[p], "reasoning": REASONINGS[p]})
                })
                .collect();
            self.push(Step::new(
                closes.plus(10).at(9, i64::try_from(batch).unwrap_or(0) * 5),
                law.drafter,
                "RespondToComments",
                stream.clone(),
                json!({"responses": responses}),
            ));
        }
        self.push(Step::new(
            closes.plus(15).at(11, 0),
            law.drafter,
            "PublishResults",
            stream,
            json!({"synthesis": format!("{comments} contributions reçues. Les associations demandent surtout des délais plus longs et des réponses motivées."),
                   "recommendations": [
                       {"id": "R1", "text": "Porter la durée minimale de consultation à soixante jours pour les textes territoriaux."},
                       {"id": "R2", "text": "Répondre de manière motivée à chaque contribution."},
                       {"id": "R3", "text": "Présenter un bilan annuel des consultations au Parlement."}]}),
        ));
    }
}

/// The drafts and consultations of the story, cut at the frame's cutoff like the rest.
pub fn steps(frame: &Frame, seed: &Seeded, associations: &[Association]) -> Vec<Step> {
    let mut w = Writer {
        steps: Vec::new(),
        rng: seed.fork("participation"),
        associations,
    };
    let first = frame.fiscal_years.first().copied().unwrap_or(2000);
    for (i, law) in LAWS.iter().enumerate() {
        let start = Day::ymd(first + i as i64, 2, 1);
        w.push(Step::new(
            start.at(10, 0),
            law.drafter,
            "CreateDraft",
            format!("draft/{}", law.draft),
            json!({"institution": law.institution, "title": law.title, "summary": law.summary}),
        ));
        w.revision(law, 1, start.plus(1), json!([]), false);
        let id = format!("CONS-{}-1", law.draft);
        let (opens, closes) = (start.plus(4), start.plus(45));
        let window = Window {
            opens,
            closes,
            until: closes,
        };
        let comments = w.consultation(law, &id, 1, window, 90);
        w.conclude(law, &id, closes, comments);
        let motivated = json!([
            {"consultation": id, "comment": 1, "recommendation": null},
            {"consultation": id, "comment": 2, "recommendation": null},
            {"consultation": id, "comment": null, "recommendation": "R1"},
            {"consultation": id, "comment": null, "recommendation": "R2"}]);
        w.revision(law, 2, closes.plus(25), motivated, false);
        w.revision(
            law,
            3,
            closes.plus(60),
            json!([{"consultation": id, "comment": null, "recommendation": "R3"}]),
            true,
        );
    }
    // A consultation open now, on the support framework's latest revision.
    let law = &LAWS[1];
    let opens = frame.today.plus(-12);
    let window = Window {
        opens,
        closes: frame.today.plus(30),
        until: frame.today.plus(-1),
    };
    w.consultation(law, "CONS-PL-SOUTIEN-2", 3, window, 12);
    w.steps
}
