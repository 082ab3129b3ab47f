//! The demo's story: the registry first (institutions, officials, associations and their
//! keys), then, for each fiscal year of the frame, every programme's call from its
//! publication to the final reports, and the call still open at the present. Each call
//! follows the rules of docs/support-lifecycle.md in the order a real one would: publish,
//! apply, close, declare, score, award in score order, pay in two tranches, report.
//!
//! A few acts are placed on purpose, so that the portal shows every rule at work: late
//! publications with their justification, an amended deadline, declared conflicts of
//! interest, one award out of score order with its justification, one revoked award, and
//! one official's key revoked.

use ledger::hash::{sha256, to_hex};
use serde_json::{json, Value};

use super::associations::{self, Association};
use super::calendar::{instant, Day, Frame};
use super::institutions::{self, DEPARTING, DEPARTURE_REASON, INSTITUTIONS, OFFICIALS, SUCCESSOR};
use super::programmes::{Programme, Timing, OPEN_CALL, OPEN_CALL_AGE_DAYS, PROGRAMMES};
use super::script::{Script, Step, ADMIN};
use super::seed::Seeded;

/// The call that extends its deadline: (programme code, fiscal year number).
const AMENDED: (&str, usize) = ("REGION", 0);
/// The call with an award out of score order, and the rank (0 = best) passed over.
const OUT_OF_ORDER: (&str, usize, usize) = ("FEMMES", 0, 2);
/// The call whose last award is revoked.
const REVOKED: (&str, usize) = ("PROTECTION", 0);

/// Days an extended deadline gains.
const EXTENSION_DAYS: i64 = 14;
/// Days from a window's close to the awards.
const AWARD_DELAY_DAYS: i64 = 21;
/// The first tranche, in percent of the award; the rest follows the activity report.
const FIRST_TRANCHE_PERCENT: i64 = 60;

const CONFLICT_NOTES: &[&str] = &[
    "Membre du bureau de l'association jusqu'à l'an dernier.",
    "Lien de parenté avec la présidente de l'association.",
    "A accompagné l'association dans la préparation de sa demande.",
];

const SCORE_COMMENTS: &[&str] = &[
    "Projet cohérent, budget bien détaillé.",
    "Bonne connaissance du public cible; indicateurs de suivi à préciser.",
    "Partenariats locaux solides.",
    "Calendrier ambitieux au regard des moyens de l'association.",
];

/// The story for this frame, in recording order, cut at the frame's cutoff.
pub fn write(frame: &Frame, seed: &Seeded) -> Vec<Step> {
    let associations = associations::generate(seed, frame.first_day());
    let mut writer = Writer {
        script: Script::default(),
        seed,
        departure: Day::ymd(frame.fiscal_years.first().copied().unwrap_or(2000), 12, 15),
        payments: 0,
    };
    writer.registry(frame, &associations);
    for (cycle, &year) in frame.fiscal_years.iter().enumerate() {
        for programme in PROGRAMMES {
            let Some(timing) = programme.timing(cycle) else {
                continue;
            };
            let (day, justification) = match timing {
                Timing::OnTime(month, day) => (Day::ymd(year, month, day), None),
                Timing::Late(month, day, why) => (Day::ymd(year, month, day), Some(why)),
            };
            let closes = day.plus(1 + programme.window_days);
            let call = Call {
                programme,
                cycle,
                fiscal_year: year,
                offer: programme.offer_id(year),
                published: day.at(10, 0),
                opens: day.plus(1).at(8, 0),
                closes,
                justification: justification.map(str::to_owned),
            };
            writer.call(&call, &associations);
        }
    }
    writer.open_call(frame, &associations);
    for step in super::participation::steps(frame, seed, &associations) {
        writer.push(step);
    }
    for step in super::trainings::steps(frame, seed, &associations) {
        writer.push(step);
    }
    writer.script.finish(frame.cutoff)
}

/// One call for proposals of the story.
struct Call {
    programme: &'static Programme,
    cycle: usize,
    fiscal_year: i64,
    offer: String,
    published: ledger::Timestamp,
    opens: ledger::Timestamp,
    /// The window closes at 17:00 UTC this day.
    closes: Day,
    justification: Option<String>,
}

impl Call {
    fn is(&self, (code, cycle): (&str, usize)) -> bool {
        self.programme.code == code && self.cycle == cycle
    }

    fn closes_at(&self) -> ledger::Timestamp {
        self.closes.at(17, 0)
    }
}

/// An application and how it was evaluated.
struct Application {
    id: String,
    association: usize,
    project: &'static str,
    requested: i64,
    /// Each scoring evaluator's weighted total, in hundredths.
    totals: Vec<i64>,
}

impl Application {
    /// The domain's score: the integer mean of the evaluators' totals.
    fn score(&self) -> i64 {
        let n = i64::try_from(self.totals.len()).unwrap_or(1).max(1);
        self.totals.iter().sum::<i64>() / n
    }
}

/// An award, as its reports describe it.
struct Granted<'a> {
    id: &'a str,
    application: &'a Application,
    association: &'a Association,
    amount: i64,
}

struct Writer<'a> {
    script: Script,
    seed: &'a Seeded,
    /// The day the departing evaluator's key is revoked.
    departure: Day,
    /// Payment orders issued so far, for their references.
    payments: u64,
}

impl Writer<'_> {
    fn push(&mut self, step: Step) {
        self.script.push(step);
    }

    /// Institutions and officials on the story's first day; associations as they are
    /// recorded; the departing evaluator's revocation and successor.
    fn registry(&mut self, frame: &Frame, associations: &[Association]) {
        let day = frame.first_day();
        let mut minute = 60;
        for institution in INSTITUTIONS {
            self.push(Step::new(
                day.at(8, minute),
                ADMIN,
                "RegisterInstitution",
                format!("institution/{}", institution.id),
                json!({"name": institution.name, "kind": institution.kind}),
            ));
            minute += 3;
        }
        for official in OFFICIALS {
            self.push(register_official(day.at(8, minute), official));
            minute += 3;
        }
        let registrar = institutions::first_with("MDRP", "registrar").map_or(ADMIN, |o| o.id);
        for (n, a) in associations.iter().enumerate() {
            let at = a.recorded.at(9, i64::try_from(n % 40).unwrap_or(0) * 9);
            self.push(Step::new(
                at,
                registrar,
                "RegisterAssociation",
                format!("association/{}", a.id),
                json!({"name": a.name, "legal_form": a.legal_form, "region": a.region,
                       "domains": a.domains, "registered_on": a.founded.iso()}),
            ));
            if a.has_key {
                let mut step = Step::new(
                    at.plus_millis(4 * 60_000),
                    ADMIN,
                    "RegisterActor",
                    format!("registry/{}", a.id),
                    json!({"public_key": "", "name": format!("Présidence de l'association {}", a.name),
                           "association": a.id, "roles": ["association"]}),
                );
                step.registers_key = Some(a.id.clone());
                self.push(step);
            }
        }
        self.push(Step::new(
            self.departure.at(10, 0),
            ADMIN,
            "RevokeActor",
            format!("registry/{DEPARTING}"),
            json!({"reason": DEPARTURE_REASON}),
        ));
        self.push(register_official(
            self.departure.plus(1).at(10, 0),
            &SUCCESSOR,
        ));
    }

    /// A call from publication to its last report.
    fn call(&mut self, call: &Call, associations: &[Association]) {
        let mut rng = self.seed.fork(&call.offer);
        let mut call_closes = call.closes;
        self.publish(call);
        if call.is(AMENDED) {
            let extended = call.closes.plus(EXTENSION_DAYS);
            self.push(Step::new(
                call.closes.plus(-6).at(11, 30),
                publisher(call),
                "AmendOffer",
                format!("offer/{}", call.offer),
                json!({"reason": "Prolongation du délai de dépôt à la demande des associations des communes rurales, pénalisées par les intempéries.",
                       "closes_at": instant(extended.at(17, 0))}),
            ));
            call_closes = extended;
        }
        let call = Call {
            closes: call_closes,
            offer: call.offer.clone(),
            justification: call.justification.clone(),
            ..*call
        };
        let mut applications = self.apply(&call, associations, &mut rng, 6..=8);
        self.push(Step::new(
            call.closes.plus(1).at(9, 0),
            publisher(&call),
            "CloseOffer",
            format!("offer/{}", call.offer),
            json!({}),
        ));
        self.evaluate(&call, &mut applications, &mut rng);
        self.award(&call, &applications, associations, &mut rng);
    }

    fn publish(&mut self, call: &Call) {
        let p = call.programme;
        let criteria: Vec<Value> = p
            .criteria
            .iter()
            .map(|(id, title, weight)| json!({"id": id, "title": title, "weight": weight}))
            .collect();
        self.push(Step::new(
            call.published,
            publisher(call),
            "PublishOffer",
            format!("offer/{}", call.offer),
            json!({
                "institution": p.institution,
                "fiscal_year": call.fiscal_year,
                "title": format!("{} — appel {}", p.title, call.fiscal_year),
                "description": p.description,
                "budget_centimes": p.budget_centimes(call.cycle),
                "max_award_centimes": p.max_award_centimes(),
                "eligibility": {"regions": p.regions, "domains": p.domains, "min_age_years": p.min_age_years},
                "criteria": criteria,
                "opens_at": instant(call.opens),
                "closes_at": instant(call.closes_at()),
                "late_justification": call.justification,
            }),
        ));
    }

    /// Applications from eligible associations, on days inside the window; an association
    /// with a key applies itself, the others through the registrar.
    fn apply(
        &mut self,
        call: &Call,
        associations: &[Association],
        rng: &mut Seeded,
        how_many: std::ops::RangeInclusive<i64>,
    ) -> Vec<Application> {
        let p = call.programme;
        let first_day = Day::of(call.opens).plus(1);
        let last_day = call.closes.plus(-1);
        let mut candidates: Vec<usize> = (0..associations.len())
            .filter(|&i| associations[i].eligible(p.regions, p.domains, p.min_age_years, last_day))
            .collect();
        rng.shuffle(&mut candidates);
        let wanted = usize::try_from(rng.between(*how_many.start(), *how_many.end())).unwrap_or(0);
        let registrar = institutions::first_with("MDRP", "registrar").map_or(ADMIN, |o| o.id);
        let mut applications = Vec::new();
        for index in candidates {
            if applications.len() >= wanted {
                break;
            }
            let a = &associations[index];
            let span = last_day.since(first_day).max(0);
            let mut day = first_day.plus(rng.between(0, span));
            if !a.eligible(p.regions, p.domains, p.min_age_years, day) {
                day = last_day;
            }
            let id = format!("{}.app{:02}", call.offer, applications.len() + 1);
            let project = *rng.pick(p.projects).unwrap_or(&"Projet associatif");
            let requested_mad =
                (p.max_award_mad * rng.between(30, 100) / 100 / 5_000 * 5_000).max(5_000);
            let beneficiaries = rng.between(40, 600);
            let months = rng.between(6, 12);
            self.push(Step::new(
                day.at(rng.between(9, 15), rng.between(0, 59)),
                if a.has_key { a.id.as_str() } else { registrar },
                "SubmitApplication",
                format!("application/{id}"),
                json!({
                    "offer": call.offer,
                    "association": a.id,
                    "title": format!("{project} — {}", a.town),
                    "summary": format!("Projet « {project} », porté par l'association à {}: {beneficiaries} bénéficiaires directs sur {months} mois.", a.town),
                    "requested_centimes": requested_mad * 100,
                }),
            ));
            applications.push(Application {
                id,
                association: index,
                project,
                requested: requested_mad * 100,
                totals: Vec::new(),
            });
        }
        applications
    }

    /// Each evaluator declares, then scores where there is no conflict. The second
    /// application of every call meets a conflict, and a few others do by chance, never
    /// both evaluators on one application, so every application ends with a score.
    fn evaluate(&mut self, call: &Call, applications: &mut [Application], rng: &mut Seeded) {
        let p = call.programme;
        let departed = call.closes.plus(10) > self.departure;
        let evaluators = institutions::evaluators(p.institution, departed);
        let mut taken_scores: Vec<i64> = Vec::new();
        for (n, application) in applications.iter_mut().enumerate() {
            let quality = rng.between(42, 93);
            let mut conflicted = false;
            let mut sheets: Vec<(usize, Vec<i64>, ledger::Timestamp, Option<&str>)> = Vec::new();
            for (k, evaluator) in evaluators.iter().enumerate() {
                let conflict = !conflicted && ((n == 1 && k == 0) || rng.chance(5));
                conflicted |= conflict;
                let declared = call
                    .closes
                    .plus(rng.between(2, 4))
                    .at(rng.between(9, 12), rng.between(0, 59));
                self.push(Step::new(
                    declared,
                    evaluator,
                    "DeclareConflictOfInterest",
                    format!("application/{}", application.id),
                    if conflict {
                        json!({"conflict": true, "note": rng.pick(CONFLICT_NOTES).copied()})
                    } else {
                        json!({"conflict": false})
                    },
                ));
                if !conflict {
                    let scores: Vec<i64> = p
                        .criteria
                        .iter()
                        .map(|_| (quality + rng.between(-9, 9)).clamp(0, 100))
                        .collect();
                    let comment = if rng.chance(40) {
                        rng.pick(SCORE_COMMENTS).copied()
                    } else {
                        None
                    };
                    let scored = declared.plus_millis(rng.between(1, 4) * 86_400_000 + 3_600_000);
                    sheets.push((k, scores, scored, comment));
                }
            }
            // Distinct scores within a call, so that "in score order" means one order.
            for _ in 0..500 {
                let totals: Vec<i64> = sheets.iter().map(|s| weighted(p, &s.1)).collect();
                application.totals = totals;
                let score = application.score();
                if !taken_scores.iter().any(|t| (t - score).abs() < 2) {
                    break;
                }
                if let Some(sheet) = sheets.first_mut() {
                    if let Some(s) = sheet.1.iter_mut().find(|s| **s < 100) {
                        *s += 1;
                    }
                }
            }
            taken_scores.push(application.score());
            for (k, scores, at, comment) in sheets {
                let scores: serde_json::Map<String, Value> = p
                    .criteria
                    .iter()
                    .zip(scores)
                    .map(|((id, _, _), s)| ((*id).to_owned(), json!(s)))
                    .collect();
                let mut body = json!({"scores": scores});
                if let Some(comment) = comment {
                    body["comment"] = json!(comment);
                }
                self.push(Step::new(
                    at,
                    evaluators.get(k).copied().unwrap_or(ADMIN),
                    "ScoreApplication",
                    format!("application/{}", application.id),
                    body,
                ));
            }
        }
    }

    /// Awards in score order while the budget lasts, then payments, reports, and the
    /// call's designated revocation or out-of-order award.
    fn award(
        &mut self,
        call: &Call,
        applications: &[Application],
        associations: &[Association],
        rng: &mut Seeded,
    ) {
        let p = call.programme;
        let mut ranking: Vec<&Application> = applications.iter().collect();
        ranking.sort_by_key(|a| std::cmp::Reverse(a.score()));
        let passed_over_rank =
            (call.is((OUT_OF_ORDER.0, OUT_OF_ORDER.1))).then_some(OUT_OF_ORDER.2);
        let award_day = call.closes.plus(AWARD_DELAY_DAYS + rng.between(0, 4));
        let mut remaining = p.budget_centimes(call.cycle);
        let mut passed_over: Option<usize> = None;
        let mut granted: Vec<(String, &Application, i64)> = Vec::new();
        for (rank, application) in ranking.iter().enumerate() {
            if Some(rank) == passed_over_rank {
                passed_over = Some(rank);
                continue;
            }
            let mut amount = application.requested.min(p.max_award_centimes());
            if rng.chance(30) {
                // The committee trims some budgets, to whole thousands of dirhams.
                amount = (amount * rng.between(85, 95) / 100 / 100_000 * 100_000).max(1_000_000);
            }
            if amount > remaining {
                if remaining >= amount / 2 && remaining >= 1_000_000 {
                    amount = remaining / 100_000 * 100_000;
                } else {
                    break;
                }
            }
            remaining -= amount;
            let id = format!("{}.award{:02}", call.offer, granted.len() + 1);
            let mut body = json!({"application": application.id, "amount_centimes": amount});
            if let Some(skipped) = passed_over {
                let region = associations
                    .get(application.association)
                    .map_or("", |a| a.region);
                body["justification"] = json!(format!(
                    "Équité territoriale: aucun projet de la région {region} n'était encore retenu; le comité lui donne la préférence sur la demande classée {}e, dont l'association bénéficie déjà d'un soutien public pour le même projet.",
                    skipped + 1
                ));
            }
            self.push(Step::new(
                award_day.at(10, i64::try_from(granted.len()).unwrap_or(0) * 5),
                publisher(call),
                "GrantAward",
                format!("award/{id}"),
                body,
            ));
            granted.push((id, application, amount));
            if passed_over.is_some() {
                // Any further award would also pass over that application and need a
                // reason of its own; the committee stops here.
                break;
            }
        }
        let last = granted.len().saturating_sub(1);
        for (n, (id, application, amount)) in granted.iter().enumerate() {
            let Some(association) = associations.get(application.association) else {
                continue;
            };
            let first = amount * FIRST_TRANCHE_PERCENT / 100 / 100 * 100;
            let paid = award_day.plus(rng.between(12, 25));
            self.pay(call, id, first, paid.at(11, 0));
            if call.is(REVOKED) && n == last {
                self.push(Step::new(
                    award_day.plus(rng.between(70, 90)).at(15, 0),
                    publisher(call),
                    "RevokeAward",
                    format!("award/{id}"),
                    json!({"reason": "Projet non engagé six mois après la subvention et local fermé constaté lors de la visite de contrôle; restitution de la première tranche demandée.",
                           "recover_centimes": first}),
                ));
                continue;
            }
            let second_day = if association.has_key {
                let reported = award_day.plus(rng.between(95, 130));
                let granted = Granted {
                    id,
                    application,
                    association,
                    amount: *amount,
                };
                self.report(call, &granted, "activity", reported, rng);
                let financial = award_day.plus(rng.between(200, 250));
                self.report(call, &granted, "financial", financial, rng);
                reported.plus(rng.between(8, 20))
            } else {
                award_day.plus(rng.between(110, 150))
            };
            self.pay(call, id, amount - first, second_day.at(11, 30));
        }
    }

    fn pay(&mut self, call: &Call, award: &str, amount: i64, at: ledger::Timestamp) {
        self.payments += 1;
        self.push(Step::new(
            at,
            publisher(call),
            "RecordDisbursement",
            format!("award/{award}"),
            json!({"amount_centimes": amount,
                   "reference": format!("OV-{}-{:05}", call.fiscal_year, self.payments)}),
        ));
    }

    /// A report signed by the association itself, after uploading the document it names.
    fn report(
        &mut self,
        call: &Call,
        granted: &Granted<'_>,
        kind: &str,
        day: Day,
        rng: &mut Seeded,
    ) {
        let (award, application, association) =
            (granted.id, granted.application, granted.association);
        let summary = if kind == "activity" {
            format!(
                "{}: {} bénéficiaires touchés, {} ateliers réalisés à {}; activités conformes au calendrier prévu.",
                application.project,
                rng.between(40, 600),
                rng.between(4, 30),
                association.town
            )
        } else {
            format!(
                "Dépenses justifiées pour la subvention {award}: pièces comptables et relevés bancaires joints, certifiés par le trésorier de l'association."
            )
        };
        let title = if kind == "activity" {
            "Rapport d'activité"
        } else {
            "Rapport financier"
        };
        let document = format!(
            "{title}\n\nAssociation: {}\nSubvention: {award} ({})\nAppel: {}\nDate: {}\n\n{summary}\n",
            association.name,
            format_mad(granted.amount),
            call.programme.title,
            day.iso()
        )
        .into_bytes();
        let mut step = Step::new(
            day.at(rng.between(9, 16), rng.between(0, 59)),
            &association.id,
            "SubmitReport",
            format!("award/{award}"),
            json!({"kind": kind, "summary": summary, "document": to_hex(&sha256(&document))}),
        );
        step.document = Some(document);
        self.push(step);
    }

    /// The call open at the present: published some days ago, closing weeks from now,
    /// with its first applications already in.
    fn open_call(&mut self, frame: &Frame, associations: &[Association]) {
        let published = frame.today.plus(-OPEN_CALL_AGE_DAYS);
        let fiscal_year = published.year();
        let closes = frame.today.plus(OPEN_CALL.window_days - OPEN_CALL_AGE_DAYS);
        let call = Call {
            programme: &OPEN_CALL,
            cycle: 0,
            fiscal_year,
            offer: OPEN_CALL.offer_id(fiscal_year),
            published: published.at(9, 30),
            opens: published.at(10, 0),
            closes,
            justification: Frame::is_late(fiscal_year, published).then(|| {
                "Appel complémentaire ouvert en cours d'année grâce aux crédits non engagés des appels du premier trimestre.".to_owned()
            }),
        };
        self.publish(&call);
        let mut rng = self.seed.fork(&call.offer);
        // Applications only in the days already past, never near the present.
        let call = Call {
            closes: published.plus(OPEN_CALL_AGE_DAYS - 2),
            offer: call.offer.clone(),
            justification: None,
            ..call
        };
        self.apply(&call, associations, &mut rng, 3..=3);
    }
}

fn publisher(call: &Call) -> &'static str {
    institutions::first_with(call.programme.institution, "publisher").map_or(ADMIN, |o| o.id)
}

fn register_official(at: ledger::Timestamp, official: &institutions::Official) -> Step {
    let mut step = Step::new(
        at,
        ADMIN,
        "RegisterActor",
        format!("registry/{}", official.id),
        json!({"public_key": "", "name": official.name,
               "institution": official.institution, "roles": official.roles}),
    );
    step.registers_key = Some(official.id.to_owned());
    step
}

/// Σ score × weight: the total the domain computes, in hundredths.
fn weighted(p: &Programme, scores: &[i64]) -> i64 {
    p.criteria.iter().zip(scores).map(|(c, s)| c.2 * s).sum()
}

/// Centimes as `12 345,00 MAD`, for the documents' text.
fn format_mad(centimes: i64) -> String {
    let mad = centimes / 100;
    let digits = mad.to_string();
    // Thousands separated by a narrow no-break space, as French typography writes them.
    let grouped: Vec<String> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect();
    let grouped = grouped.join("\u{202f}");
    format!("{grouped},{:02} MAD", centimes % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn story(today: Day) -> (Frame, Vec<Step>) {
        let frame = Frame::new(today.at(15, 0));
        let steps = write(&frame, &Seeded::new(super::super::SEED));
        (frame, steps)
    }

    #[test]
    fn the_story_is_ordered_and_ends_before_the_present() {
        for today in [
            Day::ymd(2026, 11, 26),
            Day::ymd(2026, 1, 3),
            Day::ymd(2027, 7, 2),
        ] {
            let (frame, steps) = story(today);
            assert!(steps.len() > 500, "{} steps", steps.len());
            assert!(steps.windows(2).all(|w| w[0].at < w[1].at));
            assert!(steps.first().is_some_and(|s| s.at > frame.start));
            assert!(steps.last().is_some_and(|s| s.at < frame.cutoff));
        }
    }

    #[test]
    fn the_story_has_every_kind_of_act() {
        let (frame, steps) = story(Day::ymd(2026, 11, 26));
        let mut commands: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &steps {
            *commands.entry(s.command).or_default() += 1;
        }
        for c in [
            "RegisterInstitution",
            "RegisterActor",
            "RevokeActor",
            "RegisterAssociation",
            "PublishOffer",
            "AmendOffer",
            "CloseOffer",
            "SubmitApplication",
            "DeclareConflictOfInterest",
            "ScoreApplication",
            "GrantAward",
            "RecordDisbursement",
            "SubmitReport",
            "RevokeAward",
        ] {
            assert!(commands.contains_key(c), "no {c}: {commands:?}");
        }
        assert!(commands["RegisterAssociation"] >= 60);
        let justified = steps
            .iter()
            .filter(|s| s.command == "GrantAward" && s.body.get("justification").is_some())
            .count();
        assert_eq!(justified, 1);
        let conflicts = steps
            .iter()
            .filter(|s| s.body.get("conflict") == Some(&json!(true)))
            .count();
        assert!(conflicts >= 5);
        let years: BTreeSet<_> = steps
            .iter()
            .filter_map(|s| s.body.get("fiscal_year"))
            .map(Value::to_string)
            .collect();
        assert!(years.len() >= 2);
        assert!(steps.iter().any(|s| s
            .body
            .get("late_justification")
            .is_some_and(Value::is_string)));
        // The open call: its window covers the present and weeks after it.
        let open = steps
            .iter()
            .filter(|s| s.command == "PublishOffer")
            .any(|s| {
                let closes = s.body["closes_at"]
                    .as_str()
                    .and_then(|t| ledger::Timestamp::parse_statement(t).ok());
                closes.is_some_and(|c| c > frame.cutoff.plus_millis(21 * 86_400_000))
            });
        assert!(open);
        assert!(steps
            .iter()
            .all(|s| s.command != "SubmitReport" || s.document.is_some()));
    }

    #[test]
    fn the_same_day_gives_the_same_story() {
        let (_, a) = story(Day::ymd(2026, 11, 26));
        let (_, b) = story(Day::ymd(2026, 11, 26));
        assert_eq!(a.len(), b.len());
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.body == y.body && x.at == y.at));
    }

    #[test]
    fn amounts_read_as_dirhams() {
        assert_eq!(format_mad(12_345_600), "123\u{202f}456,00 MAD");
        assert_eq!(format_mad(500), "5,00 MAD");
    }
}
