//! Campaigns and their products.

use campaign_domain::campaign::{CampaignPlan, CampaignYear, NewProduct};
use campaign_domain::ledger::local_date;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{campaign, ledger_entry, product};
use crate::error::conflict_on_unique;
use crate::{StoreError, begin_write};

/// The earliest and the latest `occurred_at` of a campaign's entries (none without entries).
type FirstAndLast = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    pub year: i32,
    pub plan: CampaignPlan,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: Uuid,
    pub campaign_year: i32,
    pub code: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct CampaignRepo {
    db: DatabaseConnection,
}

impl CampaignRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates the campaign of a year; `Conflict` when that year has one, or when its days
    /// overlap another campaign's.
    pub async fn create(
        &self,
        year: CampaignYear,
        plan: CampaignPlan,
        ctx: &AuditContext,
    ) -> Result<Campaign, StoreError> {
        let txn = begin_write(&self.db).await?;
        refuse_overlap(&txn, year, &plan).await?;
        let now = crate::now();
        let row = campaign::ActiveModel {
            year: Set(year.get()),
            starts_on: Set(plan.starts_on),
            ends_on: Set(plan.ends_on),
            target_cents: Set(plan.target_cents),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("there is a {} campaign already; change it with PATCH", year.get())
            })
        })?;
        record(
            &txn,
            ctx,
            AuditEvent::new("campaign.create", "campaign", year.get()).with_detail(plan_detail(&plan)),
        )
        .await?;
        crate::changes::announce(&txn).await?;
        txn.commit().await?;
        Ok(to_campaign(row))
    }

    /// Replaces the plan of an existing campaign; `None` when the year has no campaign,
    /// `Conflict` when the new days overlap another campaign's or leave out booked entries.
    pub async fn update(
        &self,
        year: CampaignYear,
        plan: CampaignPlan,
        ctx: &AuditContext,
    ) -> Result<Option<Campaign>, StoreError> {
        let txn = begin_write(&self.db).await?;
        refuse_overlap(&txn, year, &plan).await?;
        // Locked (PostgreSQL): entries being written hold a share lock on this row until they
        // commit, so the first and last days read below include them, and later ones see the new
        // dates (see `ledger::off_campaign_days`).
        let Some(row) = campaign::Entity::find_by_id(year.get())
            .lock_exclusive()
            .one(&txn)
            .await?
        else {
            return Ok(None);
        };
        // The new days must still hold every entry booked on the campaign.
        let span: Option<FirstAndLast> = ledger_entry::Entity::find()
            .select_only()
            .column_as(ledger_entry::Column::OccurredAt.min(), "first")
            .column_as(ledger_entry::Column::OccurredAt.max(), "last")
            .filter(ledger_entry::Column::CampaignYear.eq(year.get()))
            .into_tuple()
            .one(&txn)
            .await?;
        if let Some((Some(first), Some(last))) = span {
            plan.covers_entries(local_date(first), local_date(last))
                .map_err(StoreError::Conflict)?;
        }
        let mut model: campaign::ActiveModel = row.into();
        model.starts_on = Set(plan.starts_on);
        model.ends_on = Set(plan.ends_on);
        model.target_cents = Set(plan.target_cents);
        model.updated_at = Set(crate::now());
        let row = model.update(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("campaign.update", "campaign", year.get()).with_detail(plan_detail(&plan)),
        )
        .await?;
        crate::changes::announce(&txn).await?;
        txn.commit().await?;
        Ok(Some(to_campaign(row)))
    }

    pub async fn get(&self, year: CampaignYear) -> Result<Option<Campaign>, StoreError> {
        Ok(campaign::Entity::find_by_id(year.get())
            .one(&self.db)
            .await?
            .map(to_campaign))
    }

    /// Every campaign, newest first.
    pub async fn list(&self) -> Result<Vec<Campaign>, StoreError> {
        Ok(campaign::Entity::find()
            .order_by_desc(campaign::Column::Year)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_campaign)
            .collect())
    }

    /// Adds a product to a campaign; `Missing` without the campaign, `Conflict` on a taken code.
    pub async fn create_product(
        &self,
        year: CampaignYear,
        new: NewProduct,
        ctx: &AuditContext,
    ) -> Result<Product, StoreError> {
        let txn = begin_write(&self.db).await?;
        if campaign::Entity::find_by_id(year.get()).one(&txn).await?.is_none() {
            return Err(StoreError::Missing(format!("there is no {} campaign", year.get())));
        }
        let code = new.code.as_str().to_owned();
        let row = product::ActiveModel {
            id: Set(Uuid::new_v4()),
            campaign_year: Set(year.get()),
            code: Set(code.clone()),
            name: Set(new.name),
            unit_price_cents: Set(new.unit_price_cents),
            created_at: Set(crate::now()),
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            conflict_on_unique(e, || {
                format!("the {} campaign has a product {code} already", year.get())
            })
        })?;
        record(
            &txn,
            ctx,
            AuditEvent::new("product.create", "product", row.id).with_detail(serde_json::json!({
                "campaign_year": year.get(), "code": row.code, "unit_price_cents": row.unit_price_cents,
            })),
        )
        .await?;
        crate::changes::announce(&txn).await?;
        txn.commit().await?;
        Ok(to_product(row))
    }

    /// The campaign whose days include `day`, if any.
    pub async fn covering(&self, day: chrono::NaiveDate) -> Result<Option<Campaign>, StoreError> {
        Ok(campaign::Entity::find()
            .filter(campaign::Column::StartsOn.lte(day))
            .filter(campaign::Column::EndsOn.gte(day))
            .one(&self.db)
            .await?
            .map(to_campaign))
    }

    /// The products of a campaign, by code.
    pub async fn products(&self, year: CampaignYear) -> Result<Vec<Product>, StoreError> {
        Ok(product::Entity::find()
            .filter(product::Column::CampaignYear.eq(year.get()))
            .order_by_asc(product::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_product)
            .collect())
    }
}

/// `Conflict` naming the other campaign when `plan`'s days overlap one of another year, so a day
/// always belongs to at most one campaign (pricing and `covering` rely on it).
///
/// Checked under a lock that writers of campaigns take in turn: on PostgreSQL a SHARE ROW
/// EXCLUSIVE lock of the table (it conflicts with itself and with writes, not with reads or with
/// the key-share locks of ledger writers); on SQLite the IMMEDIATE transaction already holds the
/// database's write lock. Two concurrent overlapping writes therefore see each other.
async fn refuse_overlap(txn: &crate::WriteTxn, year: CampaignYear, plan: &CampaignPlan) -> Result<(), StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE campaign IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    let other = campaign::Entity::find()
        .filter(campaign::Column::Year.ne(year.get()))
        .filter(campaign::Column::StartsOn.lte(plan.ends_on))
        .filter(campaign::Column::EndsOn.gte(plan.starts_on))
        .order_by_asc(campaign::Column::StartsOn)
        .one(txn)
        .await?;
    match other {
        None => Ok(()),
        Some(other) => Err(StoreError::Conflict(format!(
            "the {} campaign's days ({} to {}) overlap the {} campaign ({} to {}); a day belongs to one \
             campaign: choose days outside {} to {}, or change the {} campaign first",
            year.get(),
            plan.starts_on,
            plan.ends_on,
            other.year,
            other.starts_on,
            other.ends_on,
            other.starts_on,
            other.ends_on,
            other.year
        ))),
    }
}

fn plan_detail(plan: &CampaignPlan) -> serde_json::Value {
    serde_json::json!({
        "starts_on": plan.starts_on.to_string(),
        "ends_on": plan.ends_on.to_string(),
        "target_cents": plan.target_cents,
    })
}

pub(crate) fn to_campaign(row: campaign::Model) -> Campaign {
    Campaign {
        year: row.year,
        plan: CampaignPlan {
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            target_cents: row.target_cents,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn to_product(row: product::Model) -> Product {
    Product {
        id: row.id,
        campaign_year: row.campaign_year,
        code: row.code,
        name: row.name,
        unit_price_cents: row.unit_price_cents,
        created_at: row.created_at,
    }
}
