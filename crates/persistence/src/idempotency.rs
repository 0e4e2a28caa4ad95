//! Idempotency keys: a request retried with the same key is applied once and answered as the
//! first time. The key is claimed in the transaction of the write it protects, with a unique
//! primary key, so two concurrent requests with one key can never both write: the second waits
//! for the first to commit, then replays its answer.

use campaign_domain::ids::UserId;
use chrono::Duration;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::StoreError;
use crate::entities::idempotency_key;

/// Keys are kept this long; after that the same key starts afresh.
pub const KEEP_FOR: Duration = Duration::hours(48);

/// A key sent with a request: per user, with a fingerprint of what the request asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub user: UserId,
    pub key: String,
    /// Method, path and a hash of the body; the same key with another request is refused.
    pub fingerprint: String,
}

/// The outcome of claiming a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, and store the answer with [`complete`].
    Fresh,
    /// Used before for the same request: answer this.
    Replay { status: u16, body: String },
    /// Used before for another request.
    Mismatch,
}

/// The outcome of a write protected by an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created<T> {
    New(T),
    Replay { status: u16, body: String },
    KeyMismatch,
}

/// Deletes the keys past their time; returns how many.
pub async fn purge_expired(db: &sea_orm::DatabaseConnection) -> Result<u64, StoreError> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lt(crate::now()))
        .exec(db)
        .await?
        .rows_affected)
}

/// What was answered before under `key`, read before any other work on a request: a stored
/// answer is the answer, whatever has changed since (a cancelled activity, a new day, a
/// deactivated group). `Fresh` when the key is new or expired; the write still claims it in its
/// own transaction, so two concurrent first requests cannot both write.
pub(crate) async fn earlier_answer(db: &impl ConnectionTrait, key: &IdempotencyKey) -> Result<Claim, StoreError> {
    let Some(row) = idempotency_key::Entity::find_by_id((key.user.as_uuid(), key.key.clone()))
        .filter(idempotency_key::Column::ExpiresAt.gte(crate::now()))
        .one(db)
        .await?
    else {
        return Ok(Claim::Fresh);
    };
    if row.fingerprint != key.fingerprint {
        return Ok(Claim::Mismatch);
    }
    Ok(Claim::Replay {
        status: u16::try_from(row.response_status).unwrap_or(200),
        body: row.response_body,
    })
}

/// Claims `key` (if any) on `txn`; `Some(answer)` when the request must not be applied again.
pub(crate) async fn claim_or_answer<T>(
    txn: &impl ConnectionTrait,
    key: Option<&IdempotencyKey>,
) -> Result<Option<Created<T>>, StoreError> {
    let Some(key) = key else { return Ok(None) };
    Ok(match claim(txn, key).await? {
        Claim::Fresh => None,
        Claim::Replay { status, body } => Some(Created::Replay { status, body }),
        Claim::Mismatch => Some(Created::KeyMismatch),
    })
}

/// Claims `key` in one statement: a new key is inserted, and a key past its time is taken over
/// (its row replaced, as if new); a live key is left as it is and its stored answer read. Expired
/// keys of others are purged in the background (`purge_expired`), not here.
pub(crate) async fn claim(txn: &impl ConnectionTrait, key: &IdempotencyKey) -> Result<Claim, StoreError> {
    use sea_orm::sea_query::ExprTrait;
    let now = crate::now();
    let inserted = idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        user_id: Set(key.user.as_uuid()),
        key: Set(key.key.clone()),
        fingerprint: Set(key.fingerprint.clone()),
        response_status: Set(0),
        response_body: Set(String::new()),
        created_at: Set(now),
        expires_at: Set(now + KEEP_FOR),
    })
    .on_conflict(
        OnConflict::columns([idempotency_key::Column::UserId, idempotency_key::Column::Key])
            .update_columns([
                idempotency_key::Column::Fingerprint,
                idempotency_key::Column::ResponseStatus,
                idempotency_key::Column::ResponseBody,
                idempotency_key::Column::CreatedAt,
                idempotency_key::Column::ExpiresAt,
            ])
            .action_and_where(Expr::col((idempotency_key::Entity, idempotency_key::Column::ExpiresAt)).lt(now))
            .to_owned(),
    )
    .try_insert()
    .exec(txn)
    .await?;
    if matches!(inserted, sea_orm::TryInsertResult::Inserted(_)) {
        return Ok(Claim::Fresh);
    }
    let existing = idempotency_key::Entity::find_by_id((key.user.as_uuid(), key.key.clone()))
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("an idempotency key vanished while claimed".to_owned()))?;
    if existing.fingerprint != key.fingerprint {
        return Ok(Claim::Mismatch);
    }
    Ok(Claim::Replay {
        status: u16::try_from(existing.response_status).unwrap_or(200),
        body: existing.response_body,
    })
}

pub(crate) async fn complete(
    txn: &impl ConnectionTrait,
    key: &IdempotencyKey,
    status: u16,
    body: String,
) -> Result<(), StoreError> {
    idempotency_key::Entity::update_many()
        .col_expr(idempotency_key::Column::ResponseStatus, Expr::value(i32::from(status)))
        .col_expr(idempotency_key::Column::ResponseBody, Expr::value(body))
        .filter(idempotency_key::Column::UserId.eq(key.user.as_uuid()))
        .filter(idempotency_key::Column::Key.eq(key.key.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}
