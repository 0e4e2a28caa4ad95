//! The audit log: who did what, when, from which request. Written in the transaction of the
//! change it records, so a change and its record stand or fall together.

use campaign_domain::ids::UserId;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::StoreError;
use crate::entities::audit_log;

/// Who is acting, in which request, from where: attached to every write.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub actor: Option<UserId>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// `entity.verb`, e.g. `campaign.create`, `auth.login_failed`.
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<String>,
    /// For login attempts: a hash of the e-mail address tried.
    pub subject: Option<String>,
    pub detail: Option<serde_json::Value>,
}

impl AuditEvent {
    pub fn new(action: &'static str, entity: &'static str, entity_id: impl ToString) -> Self {
        Self {
            action,
            entity,
            entity_id: Some(entity_id.to_string()),
            subject: None,
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// The row of `event` as `ctx` did it at `at`.
fn audit_row(ctx: &AuditContext, event: AuditEvent, at: DateTime<Utc>) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        at: Set(at),
        actor_id: Set(ctx.actor.map(|a| a.as_uuid())),
        action: Set(event.action.to_owned()),
        entity: Set(event.entity.to_owned()),
        entity_id: Set(event.entity_id),
        request_id: Set(ctx.request_id.clone()),
        client_addr: Set(ctx.client_addr.clone()),
        subject: Set(event.subject),
        detail: Set(event.detail.map(|d| d.to_string())),
        ..Default::default()
    }
}

/// Writes one audit record on `conn` (a transaction, normally).
pub async fn record(conn: &impl ConnectionTrait, ctx: &AuditContext, event: AuditEvent) -> Result<(), StoreError> {
    audit_log::Entity::insert(audit_row(ctx, event, crate::now()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Writes several audit records on `conn` with multi-row inserts (an import's changes).
pub async fn record_many(
    conn: &impl ConnectionTrait,
    ctx: &AuditContext,
    events: Vec<AuditEvent>,
) -> Result<(), StoreError> {
    let at = crate::now();
    let rows: Vec<audit_log::ActiveModel> = events.into_iter().map(|e| audit_row(ctx, e, at)).collect();
    // 9 values a row: 400 rows stay well under SQLite's bound-parameter limit.
    for chunk in rows.chunks(400) {
        audit_log::Entity::insert_many(chunk.to_vec()).exec(conn).await?;
    }
    Ok(())
}

/// An audit record as read back.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<UserId>,
    pub entity: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only records older than this id (the cursor: newest first).
    pub before: Option<i64>,
}

/// Failed attempts in a time window, and when the oldest of them happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

#[derive(Clone)]
pub struct AuditRepo {
    db: DatabaseConnection,
}

impl AuditRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn record(&self, ctx: &AuditContext, event: AuditEvent) -> Result<(), StoreError> {
        record(&self.db, ctx, event).await
    }

    /// Newest first.
    pub async fn list(&self, filter: &AuditFilter, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
        if let Some(actor) = filter.actor {
            query = query.filter(audit_log::Column::ActorId.eq(actor.as_uuid()));
        }
        if let Some(entity) = &filter.entity {
            query = query.filter(audit_log::Column::Entity.eq(entity.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(audit_log::Column::At.gte(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(audit_log::Column::At.lt(to));
        }
        if let Some(before) = filter.before {
            query = query.filter(audit_log::Column::Id.lt(before));
        }
        Ok(query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| AuditEntry {
                id: row.id,
                at: row.at,
                actor: row.actor_id.map(UserId::from_uuid),
                action: row.action,
                entity: row.entity,
                entity_id: row.entity_id,
                request_id: row.request_id,
                client_addr: row.client_addr,
                detail: row.detail.and_then(|d| serde_json::from_str(&d).ok()),
            })
            .collect())
    }
}
