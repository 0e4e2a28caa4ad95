//! The last statement of a write: its audit row, the answer kept under its idempotency key and
//! the notification of changed totals. On PostgreSQL these are one statement (data-modifying
//! common table expressions, one round trip); SQLite, in process, runs them one by one.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::StoreError;
use crate::audit::{AuditContext, AuditEvent, record};
use crate::idempotency::{IdempotencyKey, complete};

/// The answer to keep under an idempotency key.
pub(crate) struct Answer<'a> {
    pub key: &'a IdempotencyKey,
    pub status: u16,
    pub body: String,
}

/// Records `event`, keeps `answer` and (PostgreSQL) announces new totals of `totals_of`, in the
/// write's transaction.
pub(crate) async fn finish(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    event: AuditEvent,
    answer: Option<Answer<'_>>,
    totals_of: Option<i32>,
) -> Result<(), StoreError> {
    let backend = txn.get_database_backend();
    if backend != DbBackend::Postgres {
        record(txn, ctx, event).await?;
        if let Some(Answer { key, status, body }) = answer {
            complete(txn, key, status, body).await?;
        }
        return Ok(());
    }
    let mut values: Vec<Value> = vec![
        crate::now().into(),
        ctx.actor.map(|a| a.as_uuid()).into(),
        event.action.into(),
        event.entity.into(),
        event.entity_id.into(),
        ctx.request_id.clone().into(),
        ctx.client_addr.clone().into(),
        event.subject.into(),
        event.detail.map(|d| d.to_string()).into(),
    ];
    let mut sql = String::from(
        "WITH audit AS (INSERT INTO audit_log \
         (at, actor_id, action, entity, entity_id, request_id, client_addr, subject, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9))",
    );
    if let Some(Answer { key, status, body }) = answer {
        sql.push_str(
            ", answer AS (UPDATE idempotency_key SET response_status = $10, response_body = $11 \
             WHERE user_id = $12 AND key = $13)",
        );
        values.extend([
            i32::from(status).into(),
            body.into(),
            key.user.as_uuid().into(),
            key.key.clone().into(),
        ]);
    }
    match totals_of {
        Some(year) => {
            values.extend([crate::totals::CHANNEL.into(), year.to_string().into()]);
            let n = values.len();
            sql.push_str(&format!(" SELECT pg_notify(${}, ${n})", n - 1));
        }
        None => sql.push_str(" SELECT 1"),
    }
    txn.query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}
