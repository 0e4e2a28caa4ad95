//! Webhook endpoints as staff manage them: register (with the events each hears of), change,
//! enable again, delete; their delivery log; a test event; a delivery sent again.

use std::collections::BTreeSet;

use campaign_domain::ids::UserId;
use campaign_domain::webhook::{DeliveryStatus, EndpointUrl, EventType, TEST_EVENT};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{webhook_delivery, webhook_endpoint, webhook_subscription};
use crate::webhook_outbox::{envelope, new_delivery};
use crate::{StoreError, begin_write};

/// An endpoint as staff see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub events: BTreeSet<EventType>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub struct NewEndpoint {
    pub url: EndpointUrl,
    pub description: Option<String>,
    pub events: BTreeSet<EventType>,
    /// `whsec_…`, made by the caller.
    pub secret: String,
}

/// A change of an endpoint; `None` keeps a field.
#[derive(Default)]
pub struct EndpointChange {
    pub url: Option<EndpointUrl>,
    pub description: Option<Option<String>>,
    pub events: Option<BTreeSet<EventType>>,
    pub enabled: Option<bool>,
}

/// One event for one endpoint, with its attempts so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub endpoint: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_duration_ms: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What became of a request to send a delivery again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    Queued(Delivery),
    /// An attempt of it is on its way; its result comes first.
    InFlight,
    NotFound,
}

#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    /// Deliveries older than this one (the page before).
    pub before: Option<i64>,
}

#[derive(Clone)]
pub struct WebhookRepo {
    db: DatabaseConnection,
}

impl WebhookRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn create(
        &self,
        new: NewEndpoint,
        by: Option<UserId>,
        ctx: &AuditContext,
    ) -> Result<Endpoint, StoreError> {
        let txn = begin_write(&self.db).await?;
        let id = Uuid::new_v4();
        let now = crate::now();
        webhook_endpoint::ActiveModel {
            id: Set(id),
            url: Set(new.url.as_str().to_owned()),
            description: Set(new.description.clone()),
            secret: Set(new.secret),
            enabled: Set(true),
            failing_since: Set(None),
            last_failed_at: Set(None),
            disabled_at: Set(None),
            disabled_reason: Set(None),
            created_by: Set(by.map(|u| u.as_uuid())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        subscribe(&txn, id, &new.events).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("webhook.create", "webhook_endpoint", id).with_detail(serde_json::json!({
                "url": new.url.as_str(),
                "events": new.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
            })),
        )
        .await?;
        let created = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new endpoint vanished".to_owned()))?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn list(&self) -> Result<Vec<Endpoint>, StoreError> {
        let rows = webhook_endpoint::Entity::find()
            .order_by_asc(webhook_endpoint::Column::CreatedAt)
            .order_by_asc(webhook_endpoint::Column::Id)
            .all(&self.db)
            .await?;
        let subscriptions = webhook_subscription::Entity::find().all(&self.db).await?;
        rows.into_iter()
            .map(|row| {
                let events = subscriptions
                    .iter()
                    .filter(|s| s.endpoint_id == row.id)
                    .filter_map(|s| EventType::parse(&s.event_type).ok())
                    .collect();
                Ok(to_endpoint(row, events))
            })
            .collect()
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Endpoint>, StoreError> {
        load(&self.db, id).await
    }

    /// Changes an endpoint; enabling it again clears its failing streak. `None`: no such endpoint.
    pub async fn update(
        &self,
        id: Uuid,
        change: EndpointChange,
        ctx: &AuditContext,
    ) -> Result<Option<Endpoint>, StoreError> {
        let txn = begin_write(&self.db).await?;
        let Some(current) = load(&txn, id).await? else {
            return Ok(None);
        };
        let now = crate::now();
        let mut row = webhook_endpoint::ActiveModel {
            id: Set(id),
            updated_at: Set(now),
            ..Default::default()
        };
        if let Some(url) = &change.url {
            row.url = Set(url.as_str().to_owned());
        }
        if let Some(description) = &change.description {
            row.description = Set(description.clone());
        }
        match change.enabled {
            Some(true) if !current.enabled => {
                row.enabled = Set(true);
                row.failing_since = Set(None);
                row.last_failed_at = Set(None);
                row.disabled_at = Set(None);
                row.disabled_reason = Set(None);
            }
            Some(false) if current.enabled => {
                row.enabled = Set(false);
                row.disabled_at = Set(Some(now));
                row.disabled_reason = Set(Some("disabled by staff".to_owned()));
            }
            _ => {}
        }
        row.update(&txn).await?;
        if let Some(events) = &change.events {
            webhook_subscription::Entity::delete_many()
                .filter(webhook_subscription::Column::EndpointId.eq(id))
                .exec(&txn)
                .await?;
            subscribe(&txn, id, events).await?;
        }
        let changed = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a changed endpoint vanished".to_owned()))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("webhook.update", "webhook_endpoint", id).with_detail(serde_json::json!({
                "url": changed.url,
                "events": changed.events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
                "enabled": changed.enabled,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(Some(changed))
    }

    /// Deletes an endpoint with its deliveries; `false` when there was none.
    pub async fn delete(&self, id: Uuid, ctx: &AuditContext) -> Result<bool, StoreError> {
        let txn = begin_write(&self.db).await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::EndpointId.eq(id))
            .exec(&txn)
            .await?;
        webhook_subscription::Entity::delete_many()
            .filter(webhook_subscription::Column::EndpointId.eq(id))
            .exec(&txn)
            .await?;
        let deleted = webhook_endpoint::Entity::delete_by_id(id)
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if deleted {
            record(&txn, ctx, AuditEvent::new("webhook.delete", "webhook_endpoint", id)).await?;
        }
        txn.commit().await?;
        Ok(deleted)
    }

    /// An endpoint's deliveries, newest first.
    pub async fn deliveries(
        &self,
        endpoint: Uuid,
        filter: &DeliveryFilter,
        limit: u64,
    ) -> Result<Vec<Delivery>, StoreError> {
        let mut query = webhook_delivery::Entity::find().filter(webhook_delivery::Column::EndpointId.eq(endpoint));
        if let Some(status) = filter.status {
            query = query.filter(webhook_delivery::Column::Status.eq(status.as_str()));
        }
        if let Some(before) = filter.before {
            query = query.filter(webhook_delivery::Column::Id.lt(before));
        }
        query
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_delivery)
            .collect()
    }

    /// Puts a test event in the endpoint's outbox, due at once (also when it is disabled:
    /// testing a repaired receiver comes before enabling it). `None`: no such endpoint.
    pub async fn send_test(&self, endpoint: Uuid, ctx: &AuditContext) -> Result<Option<Delivery>, StoreError> {
        let txn = begin_write(&self.db).await?;
        if load(&txn, endpoint).await?.is_none() {
            return Ok(None);
        }
        let now = crate::now();
        let event_id = Uuid::new_v4();
        let payload = envelope(
            TEST_EVENT,
            now,
            serde_json::json!({ "endpoint_id": endpoint, "message": "a test event, sent by staff" }),
        );
        let inserted = webhook_delivery::Entity::insert(new_delivery(endpoint, event_id, TEST_EVENT, &payload, now))
            .exec_with_returning(&txn)
            .await?;
        record(&txn, ctx, AuditEvent::new("webhook.test", "webhook_endpoint", endpoint)).await?;
        txn.commit().await?;
        to_delivery(inserted).map(Some)
    }

    /// Sends a delivery again, with the same `webhook-id`, due at once and retried for 24 hours
    /// from now; its attempts go on counting. Not while an attempt of it is on its way.
    pub async fn replay(&self, endpoint: Uuid, id: i64, ctx: &AuditContext) -> Result<Replay, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let updated = webhook_delivery::Entity::update_many()
            .col_expr(
                webhook_delivery::Column::Status,
                Expr::value(DeliveryStatus::Pending.as_str()),
            )
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
            .col_expr(webhook_delivery::Column::RetryFrom, Expr::value(now))
            .filter(webhook_delivery::Column::Id.eq(id))
            .filter(webhook_delivery::Column::EndpointId.eq(endpoint))
            .filter(
                webhook_delivery::Column::LockedUntil
                    .is_null()
                    .or(webhook_delivery::Column::LockedUntil.lte(now)),
            )
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            let exists = webhook_delivery::Entity::find_by_id(id)
                .filter(webhook_delivery::Column::EndpointId.eq(endpoint))
                .one(&txn)
                .await?
                .is_some();
            return Ok(if exists { Replay::InFlight } else { Replay::NotFound });
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("webhook.replay", "webhook_delivery", id)
                .with_detail(serde_json::json!({ "endpoint_id": endpoint })),
        )
        .await?;
        let replayed = webhook_delivery::Entity::find_by_id(id).one(&txn).await?;
        txn.commit().await?;
        Ok(match replayed.map(to_delivery).transpose()? {
            Some(delivery) => Replay::Queued(delivery),
            None => Replay::NotFound,
        })
    }
}

async fn subscribe(
    conn: &impl ConnectionTrait,
    endpoint: Uuid,
    events: &BTreeSet<EventType>,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    webhook_subscription::Entity::insert_many(events.iter().map(|e| webhook_subscription::ActiveModel {
        endpoint_id: Set(endpoint),
        event_type: Set(e.as_str().to_owned()),
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Endpoint>, StoreError> {
    let Some(row) = webhook_endpoint::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let events = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::EndpointId.eq(id))
        .all(conn)
        .await?
        .iter()
        .filter_map(|s| EventType::parse(&s.event_type).ok())
        .collect();
    Ok(Some(to_endpoint(row, events)))
}

fn to_endpoint(row: webhook_endpoint::Model, events: BTreeSet<EventType>) -> Endpoint {
    Endpoint {
        id: row.id,
        url: row.url,
        description: row.description,
        events,
        enabled: row.enabled,
        failing_since: row.failing_since,
        disabled_at: row.disabled_at,
        disabled_reason: row.disabled_reason,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn to_delivery(row: webhook_delivery::Model) -> Result<Delivery, StoreError> {
    let status = DeliveryStatus::parse(&row.status)
        .map_err(|_| StoreError::Corrupt(format!("delivery {} has status {}", row.id, row.status)))?;
    Ok(Delivery {
        id: row.id,
        endpoint: row.endpoint_id,
        event_id: row.event_id,
        event_type: row.event_type,
        payload: row.payload,
        status,
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at,
        last_attempt_at: row.last_attempt_at,
        last_status_code: row.last_status_code,
        last_duration_ms: row.last_duration_ms,
        last_error: row.last_error,
        delivered_at: row.delivered_at,
        created_at: row.created_at,
    })
}
