//! The demo's link to an accounting package: a webhook endpoint registered before the demo's
//! corrections, material requests, fund decisions and deposits, so their events fill its log;
//! the receiver's answers are made up (mostly 204, some 503 or no connection, then a retry that
//! succeeds) and recorded through the worker's own steps. `example.org` receives nothing, so the
//! endpoint ends paused.

use std::collections::BTreeSet;

use campaign_domain::webhook::{EndpointUrl, EventType, RetrySchedule};
use campaign_persistence::DatabaseConnection;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::webhook_outbox::{AttemptResult, claim_due, record_attempt};
use campaign_persistence::webhooks::{EndpointChange, NewEndpoint, WebhookRepo};
use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::webhook_delivery::new_secret;

/// Registers the demo's endpoint for every event.
pub async fn register(db: &DatabaseConnection) -> anyhow::Result<Uuid> {
    let endpoint = WebhookRepo::new(db.clone())
        .create(
            NewEndpoint {
                url: EndpointUrl::parse("https://boekhouding.example.org/11-11-11/webhooks", false)?,
                description: Some("Boekhouding (demo: example.org ontvangt niets, daarom uitgezet)".to_owned()),
                events: EventType::ALL.iter().copied().collect::<BTreeSet<_>>(),
                secret: new_secret(),
            },
            None,
            &AuditContext::default(),
        )
        .await?;
    Ok(endpoint.id)
}

/// Settles every delivery of the endpoint with made-up answers, then pauses it: how many
/// deliveries its log holds.
pub async fn settle(db: &DatabaseConnection, endpoint: Uuid) -> anyhow::Result<usize> {
    let schedule = RetrySchedule::default();
    let lease = Duration::minutes(1);
    let mut delivered = BTreeSet::new();
    let mut at = Utc::now();
    for _ in 0..20 {
        let claimed = claim_due(db, endpoint, at, 1_000, lease).await?;
        for delivery in &claimed {
            let n = delivery.delivery;
            let duration_ms = 60 + (n * 37) % 340;
            let result = match (n % 9, delivery.attempt) {
                (4, 1) => AttemptResult {
                    status_code: Some(503),
                    duration_ms,
                    error: Some("the receiver answered 503".to_owned()),
                },
                (7, 1) => AttemptResult {
                    status_code: None,
                    duration_ms: 10_000,
                    error: Some("no answer in time".to_owned()),
                },
                _ => AttemptResult {
                    status_code: Some(204),
                    duration_ms,
                    error: None,
                },
            };
            record_attempt(db, delivery, &result, at, &schedule).await?;
            delivered.insert(n);
        }
        at += Duration::seconds(20);
    }
    let change = EndpointChange {
        enabled: Some(false),
        ..EndpointChange::default()
    };
    WebhookRepo::new(db.clone())
        .update(endpoint, change, &AuditContext::default())
        .await?;
    Ok(delivered.len())
}
