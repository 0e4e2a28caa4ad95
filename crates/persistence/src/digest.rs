//! What staff's daily digest reads beyond the other repositories (groups gone quiet, how long a
//! group's cash has waited), and the claim on a day's sending that makes one replica send it.

use std::collections::HashMap;

use campaign_domain::ids::GroupId;
use campaign_domain::ledger::PaymentMethod;
use campaign_domain::municipality::NisCode;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, OnConflict};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::StoreError;
use crate::entities::{deposit, digest_run, ledger_entry, volunteer_group};

/// An active group that logged nothing of a campaign since a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietGroup {
    pub group: GroupId,
    pub name: String,
    pub municipality: NisCode,
    /// When it last logged an entry of the campaign; `None`: never.
    pub last_logged: Option<DateTime<Utc>>,
}

/// Since when a group's cash has not been handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CashWaiting {
    /// Its first cash entry of the campaign.
    pub first_cash_at: Option<DateTime<Utc>>,
    /// The last day its deposits cover.
    pub covered_to: Option<NaiveDate>,
}

#[derive(Clone)]
pub struct DigestRepo {
    db: DatabaseConnection,
}

impl DigestRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Active groups with no entry of `year` logged since `since`, longest quiet first.
    pub async fn quiet_groups(&self, year: i32, since: DateTime<Utc>) -> Result<Vec<QuietGroup>, StoreError> {
        let groups = volunteer_group::Entity::find()
            .filter(volunteer_group::Column::Active.eq(true))
            .all(&self.db)
            .await?;
        let last: Vec<(Uuid, Option<DateTime<Utc>>)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::GroupId)
            .column_as(
                Expr::expr(Func::max(Expr::col(ledger_entry::Column::CreatedAt))),
                "last_logged",
            )
            .filter(ledger_entry::Column::CampaignYear.eq(year))
            .group_by(ledger_entry::Column::GroupId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let last: HashMap<Uuid, Option<DateTime<Utc>>> = last.into_iter().collect();
        let mut quiet: Vec<QuietGroup> = groups
            .into_iter()
            .filter_map(|g| {
                let last_logged = last.get(&g.id).copied().flatten();
                if last_logged.is_some_and(|at| at >= since) {
                    return None;
                }
                Some(QuietGroup {
                    group: GroupId::from_uuid(g.id),
                    name: g.name,
                    municipality: NisCode::parse(&g.municipality_nis).ok()?,
                    last_logged,
                })
            })
            .collect();
        quiet.sort_by(|a, b| a.last_logged.cmp(&b.last_logged).then_with(|| a.name.cmp(&b.name)));
        Ok(quiet)
    }

    /// Per group with cash entries of `year`: its first cash entry and the last day its deposits
    /// (of the campaign's days) cover.
    pub async fn cash_waiting(
        &self,
        year: i32,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
    ) -> Result<HashMap<GroupId, CashWaiting>, StoreError> {
        let first: Vec<(Uuid, Option<DateTime<Utc>>)> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::GroupId)
            .column_as(
                Expr::expr(Func::min(Expr::col(ledger_entry::Column::OccurredAt))),
                "first_cash",
            )
            .filter(ledger_entry::Column::CampaignYear.eq(year))
            .filter(ledger_entry::Column::PaymentMethod.eq(PaymentMethod::Cash.as_str()))
            .group_by(ledger_entry::Column::GroupId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let covered: Vec<(Uuid, Option<NaiveDate>)> = deposit::Entity::find()
            .select_only()
            .column(deposit::Column::GroupId)
            .column_as(
                Expr::expr(Func::max(Expr::col(deposit::Column::CoversTo))),
                "covered_to",
            )
            .filter(deposit::Column::CoversFrom.gte(starts_on))
            .filter(deposit::Column::CoversFrom.lte(ends_on))
            .group_by(deposit::Column::GroupId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out: HashMap<GroupId, CashWaiting> = HashMap::new();
        for (group, at) in first {
            out.entry(GroupId::from_uuid(group)).or_default().first_cash_at = at;
        }
        for (group, to) in covered {
            out.entry(GroupId::from_uuid(group)).or_default().covered_to = to;
        }
        Ok(out)
    }

    /// Claims the sending of `day`'s digest for `by` until `until`: true when this process is
    /// to send it (the day was unclaimed, or an earlier claim lapsed without sending it and fewer
    /// than `max_attempts` were made). One statement each, so replicas never both win.
    pub async fn claim_day(
        &self,
        day: NaiveDate,
        by: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        max_attempts: i32,
    ) -> Result<bool, StoreError> {
        let inserted = digest_run::Entity::insert(digest_run::ActiveModel {
            day: sea_orm::ActiveValue::Set(day),
            claimed_by: sea_orm::ActiveValue::Set(by.to_owned()),
            claimed_until: sea_orm::ActiveValue::Set(until),
            attempts: sea_orm::ActiveValue::Set(1),
            sent_at: sea_orm::ActiveValue::Set(None),
            recipients: sea_orm::ActiveValue::Set(0),
            last_error: sea_orm::ActiveValue::Set(None),
        })
        .on_conflict(OnConflict::column(digest_run::Column::Day).do_nothing().to_owned())
        .exec_without_returning(&self.db)
        .await?;
        if inserted == 1 {
            return Ok(true);
        }
        let retaken = digest_run::Entity::update_many()
            .col_expr(digest_run::Column::ClaimedBy, Expr::value(by))
            .col_expr(digest_run::Column::ClaimedUntil, Expr::value(until))
            .col_expr(
                digest_run::Column::Attempts,
                Expr::col(digest_run::Column::Attempts).add(1),
            )
            .filter(digest_run::Column::Day.eq(day))
            .filter(digest_run::Column::SentAt.is_null())
            .filter(digest_run::Column::ClaimedUntil.lt(now))
            .filter(digest_run::Column::Attempts.lt(max_attempts))
            .exec(&self.db)
            .await?;
        Ok(retaken.rows_affected == 1)
    }

    /// Records how `by`'s sending of `day`'s digest went (nothing when another process claimed the
    /// day since).
    pub async fn record_day(
        &self,
        day: NaiveDate,
        by: &str,
        sent_at: Option<DateTime<Utc>>,
        recipients: i32,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        digest_run::Entity::update_many()
            .col_expr(digest_run::Column::SentAt, Expr::value(sent_at))
            .col_expr(digest_run::Column::Recipients, Expr::value(recipients))
            .col_expr(digest_run::Column::LastError, Expr::value(error))
            .filter(digest_run::Column::Day.eq(day))
            .filter(digest_run::Column::ClaimedBy.eq(by))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// When `day`'s digest was sent, if it was.
    pub async fn sent_at(&self, day: NaiveDate) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(digest_run::Entity::find_by_id(day)
            .one(&self.db)
            .await?
            .and_then(|r| r.sent_at))
    }
}
