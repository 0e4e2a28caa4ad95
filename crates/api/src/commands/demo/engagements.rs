//! The demo's engagement programmes: a few dozen municipalities in every status of Faire Gemeente
//! and Solidaire Gemeente, with evidence, some renewals coming due and some overdue, and the demo
//! contact's own municipality under way in both.

use std::collections::BTreeMap;

use anyhow::Context;
use campaign_domain::engagement::{EngagementStatus, Mover};
use campaign_domain::engagement_change::EngagementChange;
use campaign_domain::municipality::NisCode;
use campaign_domain::programme::seeded_programmes;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::engagements::{ChangeError, EngagementRepo};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Municipalities with an engagement, per programme.
const ENGAGED: usize = 36;

/// What the demo's evidence says, per criterion code (any programme).
fn evidence_for(code: &str) -> &'static str {
    match code {
        "council" => "Het schepencollege keurde het engagement goed; de schepen van Noord-Zuid volgt het op.",
        "shops-horeca" => "14 winkels en 9 horecazaken bieden minstens twee fairtradeproducten aan.",
        "organisations" => "Drie scholen, twee bedrijven en de jeugdraad schenken fairtrade.",
        "communication" => "Twee artikels in het infoblad en een week fairtrade op de sociale media.",
        "steering-group" => "De stuurgroep (gemeente, Wereldwinkel, GROS) komt vier keer per jaar samen.",
        "council-decision" => "Gemeenteraadsbeslissing 'Solidaire Gemeente', unaniem goedgekeurd.",
        "reception" => "Twaalf opvangplaatsen in samenwerking met het OCMW.",
        "support" => "Een buddywerking met vrijwilligers voor nieuwkomers.",
        _ => "Zie het verslag van de stuurgroep.",
    }
}

/// The moves from `not_engaged` to `target`, with the dates each needs (relative to `today`).
fn path_to(target: EngagementStatus, today: NaiveDate, rng: &mut StdRng) -> Vec<EngagementChange> {
    use EngagementStatus as S;
    let decided = today - Duration::days(rng.random_range(400..1500));
    let recognised = decided + Duration::days(rng.random_range(60..300));
    // Renewals land from two months overdue to three years ahead, so the queue has some.
    let renewal = today + Duration::days(rng.random_range(-60..1100));
    let renewal = renewal.max(recognised + Duration::days(1));
    let step = |status| EngagementChange {
        status: Some(status),
        ..EngagementChange::default()
    };
    let mut path = vec![step(S::Interested)];
    if matches!(target, S::Committed | S::Recognised | S::Lapsed) {
        path.push(EngagementChange {
            council_decision_on: Some(Some(decided)),
            ..step(S::Committed)
        });
    }
    if matches!(target, S::Recognised | S::Lapsed) {
        path.push(EngagementChange {
            recognised_on: Some(Some(recognised)),
            renewal_due_on: Some(Some(renewal)),
            ..step(S::Recognised)
        });
    }
    if target == S::Lapsed {
        path.push(step(S::Lapsed));
    }
    path
}

/// Loads the engagements; returns how many municipalities ended in each status (all programmes).
pub async fn load(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    municipalities: &[NisCode],
    home: NisCode,
    today: NaiveDate,
) -> anyhow::Result<Vec<(EngagementStatus, usize)>> {
    use EngagementStatus as S;
    let repo = EngagementRepo::new(db.clone());
    let ctx = AuditContext::default();
    let mut reached: Vec<(EngagementStatus, usize)> = [S::Interested, S::Committed, S::Recognised, S::Lapsed]
        .into_iter()
        .map(|s| (s, 0))
        .collect();
    for programme in seeded_programmes() {
        let mut drawn: Vec<NisCode> = municipalities.iter().copied().filter(|n| *n != home).collect();
        drawn.shuffle(rng);
        drawn.truncate(ENGAGED);
        // The demo contact's municipality: committed to Faire Gemeente, interested in the other.
        let home_target = if programme.code == "faire-gemeente" {
            S::Committed
        } else {
            S::Interested
        };
        let targets = drawn.into_iter().map(|nis| {
            let target = match rng.random_range(0..10) {
                0..=1 => S::Interested,
                2..=4 => S::Committed,
                5..=8 => S::Recognised,
                _ => S::Lapsed,
            };
            (nis, target)
        });
        let all: Vec<(NisCode, EngagementStatus)> = std::iter::once((home, home_target)).chain(targets).collect();
        for (nis, target) in all {
            let mut path = path_to(target, today, rng);
            if let Some(first) = path.first_mut() {
                first.evidence = programme
                    .criteria
                    .iter()
                    .take(rng.random_range(1..=programme.criteria.len()))
                    .map(|c| (c.code.clone(), Some(evidence_for(&c.code).to_owned())))
                    .collect::<BTreeMap<_, _>>();
            }
            for change in &path {
                repo.change(nis, &programme.code, |_| true, change, Mover::Staff, &ctx)
                    .await
                    .map_err(|e| match e {
                        ChangeError::Store(e) => anyhow::Error::new(e),
                        other => anyhow::anyhow!("{other:?}"),
                    })
                    .with_context(|| format!("moving {nis} in {} towards {}", programme.code, target.as_str()))?;
            }
            if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == target) {
                slot.1 += 1;
            }
        }
    }
    Ok(reached)
}
