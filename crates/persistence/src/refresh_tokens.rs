//! Refresh tokens: stored only as hashes, rotated on every use, and revoked as a whole family
//! when a spent one comes back after the grace window (it has been stolen, or replayed). Within
//! the window a spent token that comes back (two tabs, a retried request) is answered with the
//! successor it was traded for, which the caller derives from the token itself.

use campaign_domain::ids::UserId;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{app_user, refresh_token};
use crate::{StoreError, begin_write};

/// What presenting a refresh token led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was good: it is spent now and the new one replaces it.
    Rotated { user: UserId },
    /// The token was traded within the grace window for the very successor presented now, which
    /// is still unused: answer it again.
    Repeated { user: UserId },
    /// The token was traded within the grace window, and its successor has been traded as well:
    /// nothing is revoked, the newest token of the chain stays good.
    Superseded,
    /// The token was spent or revoked before: its whole family is revoked now.
    Reused,
    /// Unknown, expired, or its account is deactivated.
    Invalid,
}

#[derive(Clone)]
pub struct RefreshTokenRepo {
    db: DatabaseConnection,
}

impl RefreshTokenRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Stores the hash of a new token starting a new family (a login), audited as `auth.login`.
    pub async fn issue_for_login(
        &self,
        user: UserId,
        token_hash: String,
        expires_at: DateTime<Utc>,
        ctx: &AuditContext,
    ) -> Result<(), StoreError> {
        let txn = begin_write(&self.db).await?;
        insert(&txn, user, Uuid::new_v4(), token_hash, expires_at).await?;
        record(&txn, ctx, AuditEvent::new("auth.login", "user", user)).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Spends `old_hash` and stores `new_hash` in its family, all or nothing. `new_hash` must be
    /// the same whenever the same token is presented (it is derived from it): a spent token
    /// presented again within `grace` of its spending answers `Repeated` when its successor is
    /// `new_hash` and unused, `Superseded` when that successor is spent too; any other reuse
    /// revokes the family.
    pub async fn rotate(
        &self,
        old_hash: &str,
        new_hash: String,
        expires_at: DateTime<Utc>,
        grace: chrono::Duration,
        ctx: &AuditContext,
    ) -> Result<RefreshOutcome, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let Some(token) = find_by_hash(&txn, old_hash).await? else {
            return Ok(RefreshOutcome::Invalid);
        };
        let user = UserId::from_uuid(token.user_id);
        let ctx = AuditContext {
            actor: Some(user),
            ..ctx.clone()
        };
        // Spend it only if nobody has: the condition makes concurrent uses of one token safe.
        // On PostgreSQL a concurrent spender's row lock makes this wait for its commit.
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::SpentAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(token.id))
            .filter(refresh_token::Column::SpentAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        let active = app_user::Entity::find_by_id(token.user_id)
            .one(&txn)
            .await?
            .is_some_and(|u| u.active);
        if spent == 0 {
            // Read again: the spender may have committed after the first read.
            let current = refresh_token::Entity::find_by_id(token.id).one(&txn).await?;
            let repeat = current.filter(|t| {
                t.revoked_at.is_none() && t.spent_at.is_some_and(|at| now - at <= grace) && active && t.expires_at > now
            });
            if repeat.is_some() {
                let successor = find_by_hash(&txn, &new_hash)
                    .await?
                    .filter(|s| s.family_id == token.family_id && s.revoked_at.is_none());
                if let Some(successor) = successor {
                    let outcome = if successor.spent_at.is_none() {
                        RefreshOutcome::Repeated { user }
                    } else {
                        RefreshOutcome::Superseded
                    };
                    record(&txn, &ctx, AuditEvent::new("auth.refresh_repeated", "user", user)).await?;
                    txn.commit().await?;
                    return Ok(outcome);
                }
            }
            revoke_family(&txn, token.family_id, now).await?;
            record(&txn, &ctx, AuditEvent::new("auth.refresh_reused", "user", user)).await?;
            txn.commit().await?;
            return Ok(RefreshOutcome::Reused);
        }
        if token.expires_at <= now || !active {
            // Leave it spent: an expired token or a deactivated account gets nothing.
            txn.commit().await?;
            return Ok(RefreshOutcome::Invalid);
        }
        insert(&txn, user, token.family_id, new_hash, expires_at).await?;
        record(&txn, &ctx, AuditEvent::new("auth.refresh", "user", user)).await?;
        txn.commit().await?;
        Ok(RefreshOutcome::Rotated { user })
    }

    /// Revokes the family of this token (logout). Unknown tokens are ignored.
    pub async fn revoke(&self, token_hash: &str, ctx: &AuditContext) -> Result<(), StoreError> {
        let txn = begin_write(&self.db).await?;
        if let Some(token) = find_by_hash(&txn, token_hash).await? {
            revoke_family(&txn, token.family_id, crate::now()).await?;
            let user = UserId::from_uuid(token.user_id);
            let ctx = AuditContext {
                actor: Some(user),
                ..ctx.clone()
            };
            record(&txn, &ctx, AuditEvent::new("auth.logout", "user", user)).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

async fn find_by_hash(
    txn: &impl sea_orm::ConnectionTrait,
    hash: &str,
) -> Result<Option<refresh_token::Model>, StoreError> {
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(txn)
        .await?)
}

async fn insert(
    txn: &impl sea_orm::ConnectionTrait,
    user: UserId,
    family: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        user_id: Set(user.as_uuid()),
        family_id: Set(family),
        token_hash: Set(token_hash),
        created_at: Set(crate::now()),
        expires_at: Set(expires_at),
        spent_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(txn)
    .await?;
    Ok(())
}

async fn revoke_family(
    txn: &impl sea_orm::ConnectionTrait,
    family: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}
