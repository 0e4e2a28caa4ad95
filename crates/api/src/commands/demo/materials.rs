//! The demo's material catalogue and requests, in every state a request can reach.

use anyhow::Context;
use campaign_domain::ids::UserId;
use campaign_domain::material::{Line, RequestMove, RequestStatus};
use campaign_domain::municipality::NisCode;
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::idempotency::Created;
use campaign_persistence::materials::{MaterialRepo, MoveError, NewRequest};
use chrono::{Duration, NaiveDate};
use rand::Rng;
use rand::rngs::StdRng;

use super::names;

/// (code, name, lent, stock)
const CATALOGUE: [(&str, &str, bool, i32); 4] = [
    ("flag", "Vlag 11.11.11 (150 × 100 cm)", false, 400),
    ("banner", "Spandoek 11.11.11 (300 × 80 cm)", false, 150),
    ("poster-a2", "Campagneaffiche A2", false, 5000),
    ("expo-kit", "Reizende tentoonstelling (10 panelen)", true, 8),
];

/// The state each request is taken to: the first seven cover every state, the rest are drawn.
const TARGETS: [RequestStatus; 7] = [
    RequestStatus::Submitted,
    RequestStatus::Approved,
    RequestStatus::Rejected,
    RequestStatus::Shipped,
    RequestStatus::Delivered,
    RequestStatus::Returned,
    RequestStatus::Cancelled,
];

/// The moves from submitted to a state.
fn path_to(target: RequestStatus) -> &'static [RequestMove] {
    use RequestMove as M;
    match target {
        RequestStatus::Submitted => &[],
        RequestStatus::Approved => &[M::Approve],
        RequestStatus::Rejected => &[M::Reject],
        RequestStatus::Shipped => &[M::Approve, M::Ship],
        RequestStatus::Delivered => &[M::Approve, M::Ship, M::Deliver],
        RequestStatus::Returned => &[M::Approve, M::Ship, M::Deliver, M::Return],
        RequestStatus::Cancelled => &[M::Cancel],
    }
}

/// Creates the catalogue and `count` requests from the given contacts; returns how many
/// requests ended in each state.
pub async fn load(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    contacts: &[(UserId, NisCode, String)],
    campaign_starts: NaiveDate,
    count: usize,
) -> anyhow::Result<Vec<(RequestStatus, usize)>> {
    let repo = MaterialRepo::new(db.clone());
    let ctx = AuditContext::default();
    for (code, name, lent, stock) in CATALOGUE {
        repo.create(code.to_owned(), name.to_owned(), lent, stock, &ctx)
            .await
            .with_context(|| format!("creating material {code}"))?;
    }
    let mut reached = TARGETS.map(|s| (s, 0usize));
    if contacts.is_empty() {
        return Ok(reached.to_vec());
    }
    for i in 0..count {
        let target = TARGETS.get(i).copied().unwrap_or_else(|| draw_target(rng));
        // The first contact (the demo account's) asks the first requests, one in every state,
        // so its page shows each whatever the draws; the rest come from contacts drawn at random.
        let drawn = if i < TARGETS.len() {
            0
        } else {
            rng.random_range(0..contacts.len())
        };
        let (contact, municipality, name) = &contacts[drawn];
        let request = NewRequest {
            municipality: *municipality,
            requested_by: *contact,
            needed_by: campaign_starts + Duration::days(rng.random_range(-10..20)),
            delivery_address: format!(
                "Gemeentehuis {name}, {} {}",
                names::STREETS[rng.random_range(0..names::STREETS.len())],
                rng.random_range(1..60)
            ),
            note: (rng.random_range(0..3) == 0).then(|| "Graag levering in de voormiddag.".to_owned()),
            lines: lines(rng, target == RequestStatus::Returned),
        };
        let created = repo
            .create_request(request, &ctx, None, |_| (201, String::new()))
            .await
            .context("creating a material request")?;
        let Created::New(created) = created else {
            anyhow::bail!("a demo request without an idempotency key was answered as a replay");
        };
        let mut status = RequestStatus::Submitted;
        for action in path_to(target) {
            let reason = matches!(action, RequestMove::Reject).then(|| "Al genoeg materiaal in de regio".to_owned());
            match repo.apply(created.id, *action, reason, &ctx).await {
                Ok(moved) => status = moved.status,
                Err(MoveError::Short(_)) => {
                    let reason = Some("Niet genoeg voorraad meer".to_owned());
                    if let Ok(moved) = repo.apply(created.id, RequestMove::Reject, reason, &ctx).await {
                        status = moved.status;
                    }
                    break;
                }
                Err(e) => return Err(anyhow::anyhow!("moving a demo request: {e:?}")),
            }
        }
        if let Some(slot) = reached.iter_mut().find(|(s, _)| *s == status) {
            slot.1 += 1;
        }
    }
    Ok(reached.to_vec())
}

fn draw_target(rng: &mut StdRng) -> RequestStatus {
    match rng.random_range(0..100) {
        0..15 => RequestStatus::Submitted,
        15..30 => RequestStatus::Approved,
        30..38 => RequestStatus::Rejected,
        38..53 => RequestStatus::Shipped,
        53..80 => RequestStatus::Delivered,
        80..90 => RequestStatus::Returned,
        _ => RequestStatus::Cancelled,
    }
}

/// One to three lines; requests that will come back always borrow the exhibition.
fn lines(rng: &mut StdRng, with_exhibition: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    if with_exhibition || rng.random_range(0..6) == 0 {
        lines.push(Line {
            material_code: "expo-kit".into(),
            quantity: 1,
        });
    }
    if lines.is_empty() || rng.random_range(0..2) == 0 {
        lines.push(Line {
            material_code: "flag".into(),
            quantity: rng.random_range(2..=10),
        });
    }
    if rng.random_range(0..2) == 0 {
        lines.push(Line {
            material_code: "poster-a2".into(),
            quantity: 10 * rng.random_range(2..=20),
        });
    }
    if rng.random_range(0..3) == 0 {
        lines.push(Line {
            material_code: "banner".into(),
            quantity: rng.random_range(1..=3),
        });
    }
    lines
}
