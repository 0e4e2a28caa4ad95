//! Deposits of cash and their reconciliation against the ledger's cash entries of the covered
//! days. An open deposit's expected figure is read from the ledger every time (so it follows
//! corrections); closing keeps it. Recording takes the group's row first (`FOR UPDATE` on
//! PostgreSQL; SQLite's writes queue), so two deposits can never cover the same day.

use std::collections::HashMap;

use campaign_domain::deposit::{CloseRefused, DepositDetails, DepositStatus, close, reconcile};
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::ledger::{PaymentMethod, day_starts_at};
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Func, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use campaign_domain::webhook::EventType;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{deposit, ledger_entry, volunteer_group};
use crate::webhook_outbox;
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    pub id: Uuid,
    pub group: GroupId,
    pub municipality: NisCode,
    pub details: DepositDetails,
    /// The cash logged for the covered days (now, or when it was closed).
    pub expected_cents: i64,
    pub status: DepositStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
    pub close_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct DepositFilter {
    pub status: Option<DepositStatus>,
    pub group: Option<GroupId>,
    pub municipality: Option<NisCode>,
}

#[derive(Debug)]
pub enum DepositError {
    NotFound,
    Refused(CloseRefused),
    Store(StoreError),
}

crate::error::store_error_conversions!(DepositError);

#[derive(Clone)]
pub struct DepositRepo {
    db: DatabaseConnection,
}

impl DepositRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Records a deposit of `group`; `Conflict` naming the deposit that covers one of its days.
    pub async fn record(
        &self,
        group: GroupId,
        details: DepositDetails,
        by: UserId,
        ctx: &AuditContext,
    ) -> Result<Deposit, StoreError> {
        let txn = begin_write(&self.db).await?;
        let mut query = volunteer_group::Entity::find_by_id(group.as_uuid());
        if txn.get_database_backend() == DbBackend::Postgres {
            query = query.lock(LockType::Update);
        }
        query
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("there is no group {group}")))?;
        if let Some(other) = deposit::Entity::find()
            .filter(deposit::Column::GroupId.eq(group.as_uuid()))
            .filter(deposit::Column::CoversFrom.lte(details.covers_to))
            .filter(deposit::Column::CoversTo.gte(details.covers_from))
            .one(&txn)
            .await?
        {
            return Err(StoreError::Conflict(format!(
                "deposit {} covers {} to {} already; a day's cash is deposited once",
                other.id, other.covers_from, other.covers_to
            )));
        }
        let id = Uuid::new_v4();
        let now = crate::now();
        deposit::ActiveModel {
            id: Set(id),
            group_id: Set(group.as_uuid()),
            amount_cents: Set(details.amount_cents),
            deposited_on: Set(details.deposited_on),
            reference: Set(details.reference.clone()),
            covers_from: Set(details.covers_from),
            covers_to: Set(details.covers_to),
            closed_at: Set(None),
            closed_by: Set(None),
            close_reason: Set(None),
            expected_at_close: Set(None),
            created_by: Set(Some(by.as_uuid())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("deposit.record", "deposit", id).with_detail(serde_json::json!({
                "group_id": group.to_string(),
                "amount_cents": details.amount_cents,
                "covers": [details.covers_from, details.covers_to],
            })),
        )
        .await?;
        let recorded = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new deposit vanished".to_owned()))?;
        txn.commit().await?;
        Ok(recorded)
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Deposit>, StoreError> {
        load(&self.db, id).await
    }

    /// The cash `group` logged on the days `from` to `to` (Brussels calendar).
    pub async fn cash_logged(&self, group: GroupId, from: NaiveDate, to: NaiveDate) -> Result<i64, StoreError> {
        expected(&self.db, group.as_uuid(), from, to).await
    }

    /// Deposits newest first, each with its status now.
    pub async fn list(&self, filter: &DepositFilter) -> Result<Vec<Deposit>, StoreError> {
        let mut query = deposit::Entity::find()
            .order_by_desc(deposit::Column::DepositedOn)
            .order_by_desc(deposit::Column::Id);
        if let Some(group) = filter.group {
            query = query.filter(deposit::Column::GroupId.eq(group.as_uuid()));
        }
        if let Some(nis) = filter.municipality {
            let groups: Vec<Uuid> = volunteer_group::Entity::find()
                .select_only()
                .column(volunteer_group::Column::Id)
                .filter(volunteer_group::Column::MunicipalityNis.eq(nis.to_string()))
                .into_tuple()
                .all(&self.db)
                .await?;
            query = query.filter(deposit::Column::GroupId.is_in(groups));
        }
        if filter.status == Some(DepositStatus::Closed) {
            query = query.filter(deposit::Column::ClosedAt.is_not_null());
        } else if filter.status.is_some() {
            query = query.filter(deposit::Column::ClosedAt.is_null());
        }
        let rows = query.all(&self.db).await?;
        let places = municipalities(&self.db, rows.iter().map(|r| r.group_id)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let deposit = with_status(&self.db, row, &places).await?;
            if filter.status.is_none_or(|s| s == deposit.status) {
                out.push(deposit);
            }
        }
        Ok(out)
    }

    /// Closes an open deposit (a reason needed unless it matches); the expected figure is kept.
    pub async fn close(
        &self,
        id: Uuid,
        reason: Option<String>,
        by: UserId,
        ctx: &AuditContext,
    ) -> Result<Deposit, DepositError> {
        let txn = begin_write(&self.db).await?;
        let current = load(&txn, id).await?.ok_or(DepositError::NotFound)?;
        close(
            current.closed_at.is_some(),
            current.details.amount_cents,
            current.expected_cents,
            reason.as_deref(),
        )
        .map_err(DepositError::Refused)?;
        let now = crate::now();
        let closed = deposit::Entity::update_many()
            .set(deposit::ActiveModel {
                closed_at: Set(Some(now)),
                closed_by: Set(Some(by.as_uuid())),
                close_reason: Set(reason.clone()),
                expected_at_close: Set(Some(current.expected_cents)),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(deposit::Column::Id.eq(id))
            .filter(deposit::Column::ClosedAt.is_null())
            .exec(&txn)
            .await?;
        if closed.rows_affected != 1 {
            return Err(DepositError::Refused(CloseRefused::Closed));
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("deposit.close", "deposit", id).with_detail(serde_json::json!({
                "was": current.status.as_str(),
                "deposited_cents": current.details.amount_cents,
                "expected_cents": current.expected_cents,
                "reason": reason,
            })),
        )
        .await?;
        let closed = load(&txn, id).await?.ok_or(DepositError::NotFound)?;
        let data = serde_json::json!({
            "id": closed.id,
            "group_id": closed.group.as_uuid(),
            "municipality_nis": closed.municipality.to_string(),
            "amount_cents": closed.details.amount_cents,
            "expected_cents": closed.expected_cents,
            "difference_cents": closed.details.amount_cents - closed.expected_cents,
            "standing": current.status.as_str(),
            "deposited_on": closed.details.deposited_on,
            "reference": closed.details.reference,
            "covers_from": closed.details.covers_from,
            "covers_to": closed.details.covers_to,
            "close_reason": closed.close_reason,
            "closed_at": closed.closed_at,
            "closed_by": closed.closed_by.map(|u| u.as_uuid()),
        });
        webhook_outbox::emit(&txn, EventType::DepositClosed, data).await?;
        txn.commit().await?;
        Ok(closed)
    }

    /// Per group of a campaign: cash logged (its cash entries of the campaign) and deposited (its
    /// deposits whose covered days start within the campaign's days).
    pub async fn cash_by_group(
        &self,
        year: i32,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Result<Vec<(GroupId, i64, i64)>, StoreError> {
        let logged: Vec<(Uuid, Option<i64>)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::GroupId)
            .column_as(
                Expr::expr(Func::cast_as(
                    Func::sum(Expr::col(ledger_entry::Column::AmountCents)),
                    "BIGINT",
                )),
                "cash",
            )
            .filter(ledger_entry::Column::CampaignYear.eq(year))
            .filter(ledger_entry::Column::PaymentMethod.eq(PaymentMethod::Cash.as_str()))
            .group_by(ledger_entry::Column::GroupId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let deposited: Vec<(Uuid, Option<i64>)> = deposit::Entity::find()
            .select_only()
            .column(deposit::Column::GroupId)
            .column_as(
                Expr::expr(Func::cast_as(
                    Func::sum(Expr::col(deposit::Column::AmountCents)),
                    "BIGINT",
                )),
                "deposited",
            )
            .filter(deposit::Column::CoversFrom.gte(starts_on))
            .filter(deposit::Column::CoversFrom.lte(ends_on))
            .group_by(deposit::Column::GroupId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut per: HashMap<Uuid, (i64, i64)> = HashMap::new();
        for (group, cash) in logged {
            per.entry(group).or_default().0 = cash.unwrap_or(0);
        }
        for (group, amount) in deposited {
            per.entry(group).or_default().1 = amount.unwrap_or(0);
        }
        Ok(per
            .into_iter()
            .map(|(group, (logged, deposited))| (GroupId::from_uuid(group), logged, deposited))
            .collect())
    }
}

/// The cash a group logged on the days `from` to `to` (Brussels calendar).
async fn expected(conn: &impl ConnectionTrait, group: Uuid, from: NaiveDate, to: NaiveDate) -> Result<i64, StoreError> {
    let after = day_starts_at(from);
    let before = to.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, day_starts_at);
    let sum: Option<Option<i64>> = ledger_entry::Entity::find()
        .select_only()
        .column_as(
            Expr::expr(Func::cast_as(
                Func::sum(Expr::col(ledger_entry::Column::AmountCents)),
                "BIGINT",
            )),
            "cash",
        )
        .filter(ledger_entry::Column::GroupId.eq(group))
        .filter(ledger_entry::Column::PaymentMethod.eq(PaymentMethod::Cash.as_str()))
        .filter(ledger_entry::Column::OccurredAt.gte(after))
        .filter(ledger_entry::Column::OccurredAt.lt(before))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(sum.flatten().unwrap_or(0))
}

async fn municipalities(
    conn: &impl ConnectionTrait,
    groups: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, StoreError> {
    Ok(volunteer_group::Entity::find()
        .select_only()
        .column(volunteer_group::Column::Id)
        .column(volunteer_group::Column::MunicipalityNis)
        .filter(volunteer_group::Column::Id.is_in(groups.collect::<Vec<_>>()))
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Deposit>, StoreError> {
    let Some(row) = deposit::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let places = municipalities(conn, std::iter::once(row.group_id)).await?;
    with_status(conn, row, &places).await.map(Some)
}

async fn with_status(
    conn: &impl ConnectionTrait,
    row: deposit::Model,
    places: &HashMap<Uuid, String>,
) -> Result<Deposit, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("deposit {}: {e}", row.id));
    let (expected_cents, status) = match row.expected_at_close {
        Some(kept) => (kept, DepositStatus::Closed),
        None => {
            let now = expected(conn, row.group_id, row.covers_from, row.covers_to).await?;
            (now, reconcile(row.amount_cents, now))
        }
    };
    Ok(Deposit {
        id: row.id,
        group: GroupId::from_uuid(row.group_id),
        municipality: NisCode::parse(places.get(&row.group_id).map(String::as_str).unwrap_or_default())
            .map_err(corrupt)?,
        details: DepositDetails {
            amount_cents: row.amount_cents,
            deposited_on: row.deposited_on,
            reference: row.reference,
            covers_from: row.covers_from,
            covers_to: row.covers_to,
        },
        expected_cents,
        status,
        closed_at: row.closed_at,
        closed_by: row.closed_by.map(UserId::from_uuid),
        close_reason: row.close_reason,
        created_at: row.created_at,
    })
}
