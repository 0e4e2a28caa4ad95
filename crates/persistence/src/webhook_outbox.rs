//! The webhook outbox: an event becomes one delivery row per endpoint that hears of it, written
//! in the transaction of the change it announces (no change without its event, no event
//! without its change), and the worker's side: claiming due deliveries (at most so many in
//! flight per endpoint, across replicas) and recording what each attempt gave.

use campaign_domain::webhook::{DeliveryStatus, EventType, RetrySchedule, TEST_EVENT, acknowledged, failing_too_long};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{webhook_delivery, webhook_endpoint, webhook_subscription};
use crate::ledger::LedgerEntry;
use crate::{StoreError, begin_write};

/// An event's payload as receivers get it (the Standard Webhooks shape): its type, when it
/// happened, and its data.
pub(crate) fn envelope(event_type: &str, at: DateTime<Utc>, data: serde_json::Value) -> String {
    serde_json::json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": data,
    })
    .to_string()
}

/// An entry as an event's data.
pub(crate) fn entry_data(entry: &LedgerEntry) -> serde_json::Value {
    serde_json::json!({
        "id": entry.id,
        "group_id": entry.group.as_uuid(),
        "campaign_year": entry.campaign_year,
        "municipality_nis": entry.municipality_nis,
        "kind": entry.kind,
        "product_code": entry.product_code,
        "quantity": entry.quantity,
        "unit_price_cents": entry.unit_price_cents,
        "amount_cents": entry.amount_cents,
        "payment_method": entry.payment_method,
        "occurred_at": entry.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "activity_id": entry.activity,
        "corrects_id": entry.corrects,
        "created_at": entry.created_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    })
}

/// The columns of a new delivery, in the order [`emit`] and the single-entry statement write them.
pub(crate) const DELIVERY_COLUMNS: &str = "endpoint_id, event_id, event_type, payload, created_at, retry_from, status, \
    attempts, next_attempt_at, last_duration_ms";

/// Puts `event` (a new id, its type, its payload) in the outbox of every enabled endpoint that
/// hears of `event_type`, on `conn` (the transaction of the change it announces).
pub(crate) async fn emit(
    conn: &impl ConnectionTrait,
    event_type: EventType,
    data: serde_json::Value,
) -> Result<(), StoreError> {
    let now = crate::now();
    let payload = envelope(event_type.as_str(), now, data);
    let select = Query::select()
        .column((webhook_subscription::Entity, webhook_subscription::Column::EndpointId))
        .expr(Expr::val(Uuid::new_v4()))
        .expr(Expr::val(event_type.as_str()))
        .expr(Expr::val(payload))
        .expr(Expr::val(now))
        .expr(Expr::val(now))
        .expr(Expr::val(DeliveryStatus::Pending.as_str()))
        .expr(Expr::val(0))
        .expr(Expr::val(now))
        .expr(Expr::val(0_i64))
        .from(webhook_subscription::Entity)
        .inner_join(
            webhook_endpoint::Entity,
            Expr::col((webhook_endpoint::Entity, webhook_endpoint::Column::Id))
                .equals((webhook_subscription::Entity, webhook_subscription::Column::EndpointId)),
        )
        .and_where(
            Expr::col((webhook_subscription::Entity, webhook_subscription::Column::EventType)).eq(event_type.as_str()),
        )
        .and_where(Expr::col((webhook_endpoint::Entity, webhook_endpoint::Column::Enabled)).eq(true))
        .to_owned();
    let insert = Query::insert()
        .into_table(webhook_delivery::Entity)
        .columns([
            webhook_delivery::Column::EndpointId,
            webhook_delivery::Column::EventId,
            webhook_delivery::Column::EventType,
            webhook_delivery::Column::Payload,
            webhook_delivery::Column::CreatedAt,
            webhook_delivery::Column::RetryFrom,
            webhook_delivery::Column::Status,
            webhook_delivery::Column::Attempts,
            webhook_delivery::Column::NextAttemptAt,
            webhook_delivery::Column::LastDurationMs,
        ])
        .select_from(select)
        .map_err(|e| StoreError::Corrupt(format!("the outbox statement: {e}")))?
        .to_owned();
    conn.execute(&insert).await?;
    Ok(())
}

/// Events of one type, many at once (an offline batch): one read of the endpoints that hear of
/// them, one multi-row insert per endpoint.
pub(crate) async fn emit_many(
    conn: &impl ConnectionTrait,
    event_type: EventType,
    data: Vec<serde_json::Value>,
) -> Result<(), StoreError> {
    if data.is_empty() {
        return Ok(());
    }
    let endpoints: Vec<Uuid> = webhook_subscription::Entity::find()
        .select_only()
        .column(webhook_subscription::Column::EndpointId)
        .inner_join_on_endpoint()
        .filter(webhook_subscription::Column::EventType.eq(event_type.as_str()))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .into_tuple()
        .all(conn)
        .await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    let now = crate::now();
    let events: Vec<(Uuid, String)> = data
        .into_iter()
        .map(|d| (Uuid::new_v4(), envelope(event_type.as_str(), now, d)))
        .collect();
    for endpoint in endpoints {
        for chunk in events.chunks(500) {
            let rows = chunk
                .iter()
                .map(|(id, payload)| new_delivery(endpoint, *id, event_type.as_str(), payload, now));
            webhook_delivery::Entity::insert_many(rows)
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

/// A pending delivery of an event to an endpoint, due at once.
pub(crate) fn new_delivery(
    endpoint: Uuid,
    event_id: Uuid,
    event_type: &str,
    payload: &str,
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    use sea_orm::ActiveValue::{NotSet, Set};
    webhook_delivery::ActiveModel {
        id: NotSet,
        endpoint_id: Set(endpoint),
        event_id: Set(event_id),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload.to_owned()),
        created_at: Set(now),
        retry_from: Set(now),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        locked_until: Set(None),
        last_attempt_at: Set(None),
        last_status_code: Set(None),
        last_duration_ms: Set(0),
        last_error: Set(None),
        delivered_at: Set(None),
    }
}

trait JoinEndpoint {
    fn inner_join_on_endpoint(self) -> Self;
}

impl JoinEndpoint for sea_orm::Select<webhook_subscription::Entity> {
    fn inner_join_on_endpoint(self) -> Self {
        self.join(
            sea_orm::JoinType::InnerJoin,
            webhook_subscription::Entity::belongs_to(webhook_endpoint::Entity)
                .from(webhook_subscription::Column::EndpointId)
                .to(webhook_endpoint::Column::Id)
                .into(),
        )
    }
}

/// A delivery claimed for one attempt, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: i64,
    pub endpoint: Uuid,
    pub url: String,
    pub secret: String,
    pub event_id: Uuid,
    pub event_type: String,
    pub payload: String,
    /// Retries go on for 24 hours from here (the event, or its last replay).
    pub retry_from: DateTime<Utc>,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    /// The claim: the attempt's result is recorded only while the delivery is still held by it.
    pub locked_until: DateTime<Utc>,
}

/// What one attempt gave.
#[derive(Debug, Clone)]
pub struct AttemptResult {
    /// The receiver's status code, when it answered.
    pub status_code: Option<u16>,
    pub duration_ms: i64,
    /// What went wrong, when it did (no answer, or not a 2xx one).
    pub error: Option<String>,
}

/// What recording an attempt changed beyond the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Succeeded,
    /// To be tried again at this time.
    Retry(DateTime<Utc>),
    /// The retries ran out.
    GivenUp,
    /// The endpoint failed for too long and is now disabled (the delivery is given up or waits).
    EndpointDisabled,
    /// The delivery was no longer held by this attempt (claimed again, replayed, deleted).
    Stale,
}

/// The endpoints with deliveries due at `now` and not in flight (of a disabled endpoint, test
/// events only).
pub async fn endpoints_with_due_deliveries(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, StoreError> {
    Ok(webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::EndpointId)
        .distinct()
        .join(
            sea_orm::JoinType::InnerJoin,
            webhook_delivery::Entity::belongs_to(webhook_endpoint::Entity)
                .from(webhook_delivery::Column::EndpointId)
                .to(webhook_endpoint::Column::Id)
                .into(),
        )
        // A disabled endpoint's deliveries wait, its test events excepted.
        .filter(
            webhook_endpoint::Column::Enabled
                .eq(true)
                .or(webhook_delivery::Column::EventType.eq(TEST_EVENT)),
        )
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(
            webhook_delivery::Column::LockedUntil
                .is_null()
                .or(webhook_delivery::Column::LockedUntil.lte(now)),
        )
        .into_tuple()
        .all(db)
        .await?)
}

/// Claims the due deliveries of one endpoint (of a disabled one, its test events only), leaving at most `max_in_flight` of its
/// deliveries in flight, until `now + lease`. The endpoint's row is locked while counting
/// (PostgreSQL `FOR NO KEY UPDATE`; SQLite's writes queue), so replicas never exceed the limit
/// together.
pub async fn claim_due(
    db: &DatabaseConnection,
    endpoint: Uuid,
    now: DateTime<Utc>,
    max_in_flight: u32,
    lease: chrono::Duration,
) -> Result<Vec<Claimed>, StoreError> {
    let now = chrono::SubsecRound::trunc_subsecs(now, 6);
    let txn = begin_write(db).await?;
    let Some(row) = lock_endpoint(&txn, endpoint).await? else {
        return Ok(Vec::new());
    };
    let pending = webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str());
    let in_flight = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint))
        .filter(pending.clone())
        .filter(webhook_delivery::Column::LockedUntil.gt(now))
        .count(&txn)
        .await?;
    let room = u64::from(max_in_flight).saturating_sub(in_flight);
    if room == 0 {
        return Ok(Vec::new());
    }
    let mut due = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint))
        .filter(pending);
    if !row.enabled {
        // A disabled endpoint gets test events only: staff try a repaired receiver first.
        due = due.filter(webhook_delivery::Column::EventType.eq(TEST_EVENT));
    }
    let due = due
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .filter(
            webhook_delivery::Column::LockedUntil
                .is_null()
                .or(webhook_delivery::Column::LockedUntil.lte(now)),
        )
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::Id)
        .limit(room)
        .all(&txn)
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let locked_until = now + lease;
    let claimed = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::LockedUntil, Expr::value(locked_until))
        .col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(now))
        .col_expr(
            webhook_delivery::Column::Attempts,
            Expr::col(webhook_delivery::Column::Attempts).add(1),
        )
        .filter(webhook_delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .filter(
            webhook_delivery::Column::LockedUntil
                .is_null()
                .or(webhook_delivery::Column::LockedUntil.lte(now)),
        )
        .exec(&txn)
        .await?;
    let due = if claimed.rows_affected == due.len() as u64 {
        due
    } else {
        // Something changed one of them meanwhile (a replay, a deletion): send what was taken.
        webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Id.is_in(due.iter().map(|d| d.id)))
            .filter(webhook_delivery::Column::LockedUntil.eq(locked_until))
            .all(&txn)
            .await?
    };
    txn.commit().await?;
    Ok(due
        .into_iter()
        .map(|d| Claimed {
            delivery: d.id,
            endpoint,
            url: row.url.clone(),
            secret: row.secret.clone(),
            event_id: d.event_id,
            event_type: d.event_type,
            payload: d.payload,
            retry_from: d.retry_from,
            attempt: u32::try_from(d.attempts).unwrap_or(0).saturating_add(1),
            locked_until,
        })
        .collect())
}

/// Records what the attempt of `claimed` gave at `now`: acknowledged, to be tried again on
/// `schedule`, or given up; the endpoint's failing streak is kept, and an endpoint failing for
/// too long is disabled (audited; the worker tells staff).
pub async fn record_attempt(
    db: &DatabaseConnection,
    claimed: &Claimed,
    result: &AttemptResult,
    now: DateTime<Utc>,
    schedule: &RetrySchedule,
) -> Result<Recorded, StoreError> {
    let now = chrono::SubsecRound::trunc_subsecs(now, 6);
    let txn = begin_write(db).await?;
    // The endpoint first, as claiming does: the two never wait for each other in a circle.
    let endpoint = lock_endpoint(&txn, claimed.endpoint).await?;
    let ok = result.status_code.is_some_and(acknowledged);
    let mut outcome = if ok {
        Recorded::Succeeded
    } else {
        match schedule.next_attempt(claimed.retry_from, claimed.attempt, now) {
            Some(at) => Recorded::Retry(at),
            None => Recorded::GivenUp,
        }
    };
    let (status, next) = match outcome {
        Recorded::Succeeded => (DeliveryStatus::Succeeded, None),
        Recorded::Retry(at) => (DeliveryStatus::Pending, Some(at)),
        _ => (DeliveryStatus::Failed, None),
    };
    let updated = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Status, Expr::value(status.as_str()))
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            webhook_delivery::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            webhook_delivery::Column::LastStatusCode,
            Expr::value(result.status_code.map(i32::from)),
        )
        .col_expr(
            webhook_delivery::Column::LastDurationMs,
            Expr::value(result.duration_ms),
        )
        .col_expr(webhook_delivery::Column::LastError, Expr::value(result.error.clone()))
        .col_expr(
            webhook_delivery::Column::DeliveredAt,
            Expr::value(if ok { Some(now) } else { None }),
        )
        .filter(webhook_delivery::Column::Id.eq(claimed.delivery))
        .filter(webhook_delivery::Column::LockedUntil.eq(claimed.locked_until))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(Recorded::Stale);
    }
    let Some(endpoint) = endpoint else {
        txn.commit().await?;
        return Ok(outcome);
    };
    if ok {
        if endpoint.failing_since.is_some() {
            webhook_endpoint::Entity::update_many()
                .col_expr(
                    webhook_endpoint::Column::FailingSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .exec(&txn)
                .await?;
        }
    } else {
        // A streak of failures with a gap longer than the retry window (no evidence either way)
        // starts anew.
        let since = match (endpoint.failing_since, endpoint.last_failed_at) {
            (Some(since), Some(last)) if now - last <= schedule.give_up_after => since,
            _ => now,
        };
        let disable = endpoint.enabled && failing_too_long(since, now);
        let mut update = webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(since))
            .col_expr(webhook_endpoint::Column::LastFailedAt, Expr::value(now));
        if disable {
            let reason = format!(
                "disabled at {}: no delivery succeeded since {}; fix the receiver, then enable the endpoint again",
                now.format("%Y-%m-%d %H:%M UTC"),
                since.format("%Y-%m-%d %H:%M UTC"),
            );
            update = update
                .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
                .col_expr(webhook_endpoint::Column::DisabledAt, Expr::value(now))
                .col_expr(webhook_endpoint::Column::DisabledReason, Expr::value(reason))
                .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now));
            outcome = Recorded::EndpointDisabled;
        }
        update
            .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
            .exec(&txn)
            .await?;
        if disable {
            record(
                &txn,
                &AuditContext::default(),
                AuditEvent::new("webhook.disable", "webhook_endpoint", endpoint.id).with_detail(serde_json::json!({
                    "failing_since": since,
                    "url": endpoint.url,
                })),
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(outcome)
}

/// The endpoint's row, locked for the rest of the transaction on PostgreSQL (`FOR NO KEY
/// UPDATE`: a sale writing a delivery for it only takes a key-share lock, so it never waits).
async fn lock_endpoint(
    txn: &impl ConnectionTrait,
    endpoint: Uuid,
) -> Result<Option<webhook_endpoint::Model>, StoreError> {
    let mut query = webhook_endpoint::Entity::find_by_id(endpoint);
    if txn.get_database_backend() == DbBackend::Postgres {
        query = query.lock(LockType::NoKeyUpdate);
    }
    Ok(query.one(txn).await?)
}

/// Deliveries per status, and endpoints disabled (for `/metrics`).
pub async fn counts(db: &DatabaseConnection) -> Result<(Vec<(String, i64)>, u64), StoreError> {
    let by_status: Vec<(String, i64)> = webhook_delivery::Entity::find()
        .select_only()
        .column(webhook_delivery::Column::Status)
        .column_as(
            Expr::expr(sea_orm::sea_query::Func::cast_as(
                sea_orm::sea_query::Func::count(Expr::col(webhook_delivery::Column::Id)),
                "BIGINT",
            )),
            "n",
        )
        .group_by(webhook_delivery::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let disabled = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(false))
        .count(db)
        .await?;
    Ok((by_status, disabled))
}
