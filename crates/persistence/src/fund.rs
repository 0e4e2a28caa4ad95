//! The 11.11.11 fund for the 4th pillar: yearly calls and the initiatives' applications. Every
//! step is checked by the domain against the row as it is in the transaction, with the server's
//! clock; a grant takes the call's row first (`FOR UPDATE` on PostgreSQL; SQLite's writes queue
//! behind one another), so two reviewers granting at once never exceed the budget together.

use campaign_domain::fund::{self, ApplicationDetails, ApplicationRefused, ApplicationStatus, BudgetLine, CallTerms};
use campaign_domain::ids::{InitiativeId, UserId};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use campaign_domain::webhook::EventType;

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{fund_application, fund_call};
use crate::error::conflict_on_unique;
use crate::webhook_outbox;
use crate::{StoreError, begin_write};

/// A call with how much of its budget is granted so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub terms: CallTerms,
    pub granted_cents: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: Uuid,
    pub call_year: i32,
    pub initiative: InitiativeId,
    pub status: ApplicationStatus,
    pub details: ApplicationDetails,
    pub granted_cents: Option<i64>,
    pub refusal_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub call_year: Option<i32>,
    pub status: Option<ApplicationStatus>,
    pub initiative: Option<InitiativeId>,
}

/// What a step on an application can meet.
#[derive(Debug)]
pub enum StepError {
    NotFound,
    Refused(ApplicationRefused),
    Store(StoreError),
}

crate::error::store_error_conversions!(StepError);

/// A decision of staff on an application under review.
#[derive(Debug, Clone)]
pub enum Decision {
    Review,
    Grant(i64),
    Refuse(String),
}

#[derive(Clone)]
pub struct FundRepo {
    db: DatabaseConnection,
}

impl FundRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Opens a call; `Conflict` when the year has one.
    pub async fn open_call(&self, terms: CallTerms, ctx: &AuditContext) -> Result<Call, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        fund_call::ActiveModel {
            year: Set(terms.year),
            budget_cents: Set(terms.budget_cents),
            max_per_application_cents: Set(terms.max_per_application_cents),
            deadline: Set(terms.deadline),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a call for {} already", terms.year)))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("fund_call.open", "fund_call", terms.year).with_detail(serde_json::json!({
                "budget_cents": terms.budget_cents,
                "max_per_application_cents": terms.max_per_application_cents,
                "deadline": terms.deadline,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(Call {
            terms,
            granted_cents: 0,
            created_at: now,
        })
    }

    /// Every call, newest first, with what is granted of each.
    pub async fn calls(&self) -> Result<Vec<Call>, StoreError> {
        let rows = fund_call::Entity::find()
            .order_by_desc(fund_call::Column::Year)
            .all(&self.db)
            .await?;
        let mut calls = Vec::with_capacity(rows.len());
        for row in rows {
            let granted = granted_total(&self.db, row.year).await?;
            calls.push(to_call(row, granted));
        }
        Ok(calls)
    }

    pub async fn call(&self, year: i32) -> Result<Option<Call>, StoreError> {
        let Some(row) = fund_call::Entity::find_by_id(year).one(&self.db).await? else {
            return Ok(None);
        };
        let granted = granted_total(&self.db, year).await?;
        Ok(Some(to_call(row, granted)))
    }

    /// A new draft of `initiative` for the call of `year`; `Missing` without such a call.
    pub async fn draft(
        &self,
        year: i32,
        initiative: InitiativeId,
        details: ApplicationDetails,
        by: UserId,
        ctx: &AuditContext,
    ) -> Result<Application, StoreError> {
        let txn = begin_write(&self.db).await?;
        if fund_call::Entity::find_by_id(year).one(&txn).await?.is_none() {
            return Err(StoreError::Missing(format!("there is no fund call for {year}")));
        }
        let id = Uuid::new_v4();
        let now = crate::now();
        fund_application::ActiveModel {
            id: Set(id),
            call_year: Set(year),
            initiative_id: Set(initiative.as_uuid()),
            status: Set(ApplicationStatus::Draft.as_str().to_owned()),
            project_title: Set(details.project_title.clone()),
            country: Set(details.country.clone()),
            partner: Set(details.partner.clone()),
            summary: Set(details.summary.clone()),
            requested_cents: Set(details.requested_cents),
            budget_lines: Set(lines_json(&details.budget_lines)),
            granted_cents: Set(None),
            refusal_reason: Set(None),
            submitted_at: Set(None),
            decided_at: Set(None),
            decided_by: Set(None),
            created_by: Set(Some(by.as_uuid())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("fund_application.draft", "fund_application", id).with_detail(serde_json::json!({
                "call_year": year,
                "initiative_id": initiative.to_string(),
                "requested_cents": details.requested_cents,
            })),
        )
        .await?;
        let created = load(&txn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a new application vanished".to_owned()))?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Application>, StoreError> {
        load(&self.db, id).await
    }

    /// Applications by call, status and initiative, newest first.
    pub async fn list(&self, filter: &ApplicationFilter) -> Result<Vec<Application>, StoreError> {
        let mut query = fund_application::Entity::find()
            .order_by_desc(fund_application::Column::CreatedAt)
            .order_by_desc(fund_application::Column::Id);
        if let Some(year) = filter.call_year {
            query = query.filter(fund_application::Column::CallYear.eq(year));
        }
        if let Some(status) = filter.status {
            query = query.filter(fund_application::Column::Status.eq(status.as_str()));
        }
        if let Some(initiative) = filter.initiative {
            query = query.filter(fund_application::Column::InitiativeId.eq(initiative.as_uuid()));
        }
        query.all(&self.db).await?.into_iter().map(to_application).collect()
    }

    /// Replaces a draft's details (only a draft changes).
    pub async fn edit(
        &self,
        id: Uuid,
        details: ApplicationDetails,
        ctx: &AuditContext,
    ) -> Result<Application, StepError> {
        let txn = begin_write(&self.db).await?;
        let current = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        if current.status != ApplicationStatus::Draft {
            return Err(StepError::Refused(ApplicationRefused::NotDraft {
                from: current.status,
                step: "changed",
            }));
        }
        let changed = fund_application::Entity::update_many()
            .set(fund_application::ActiveModel {
                project_title: Set(details.project_title.clone()),
                country: Set(details.country.clone()),
                partner: Set(details.partner.clone()),
                summary: Set(details.summary.clone()),
                requested_cents: Set(details.requested_cents),
                budget_lines: Set(lines_json(&details.budget_lines)),
                updated_at: Set(crate::now()),
                ..Default::default()
            })
            .filter(fund_application::Column::Id.eq(id))
            .filter(fund_application::Column::Status.eq(ApplicationStatus::Draft.as_str()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            // Submitted meanwhile.
            return Err(StepError::Refused(ApplicationRefused::NotDraft {
                from: ApplicationStatus::Submitted,
                step: "changed",
            }));
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("fund_application.edit", "fund_application", id)
                .with_detail(serde_json::json!({ "requested_cents": details.requested_cents })),
        )
        .await?;
        let changed = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        txn.commit().await?;
        Ok(changed)
    }

    /// Submits a draft at `at` (the server's clock: the caller passes `Utc::now()`; the demo
    /// passes the past), if the call's deadline has not passed by then.
    pub async fn submit(&self, id: Uuid, at: DateTime<Utc>, ctx: &AuditContext) -> Result<Application, StepError> {
        let txn = begin_write(&self.db).await?;
        let current = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        let call = fund_call::Entity::find_by_id(current.call_year)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("application {id} has no call")))?;
        let now = chrono::SubsecRound::trunc_subsecs(at, 6);
        let next = fund::submit(current.status, now, call.deadline).map_err(StepError::Refused)?;
        let changed = fund_application::Entity::update_many()
            .set(fund_application::ActiveModel {
                status: Set(next.as_str().to_owned()),
                submitted_at: Set(Some(now)),
                updated_at: Set(now),
                ..Default::default()
            })
            .filter(fund_application::Column::Id.eq(id))
            .filter(fund_application::Column::Status.eq(ApplicationStatus::Draft.as_str()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            // Submitted meanwhile by another request.
            return Err(StepError::Refused(ApplicationRefused::NotDraft {
                from: ApplicationStatus::Submitted,
                step: "submitted",
            }));
        }
        record(
            &txn,
            ctx,
            AuditEvent::new("fund_application.submit", "fund_application", id)
                .with_detail(serde_json::json!({ "call_year": current.call_year })),
        )
        .await?;
        let changed = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        txn.commit().await?;
        Ok(changed)
    }

    /// Staff's decision: into review, granted (within what was asked and the budget left), or
    /// refused with a reason.
    pub async fn decide(
        &self,
        id: Uuid,
        decision: Decision,
        by: UserId,
        ctx: &AuditContext,
    ) -> Result<Application, StepError> {
        let txn = begin_write(&self.db).await?;
        let year = fund_application::Entity::find_by_id(id)
            .select_only()
            .column(fund_application::Column::CallYear)
            .into_tuple::<i32>()
            .one(&txn)
            .await?
            .ok_or(StepError::NotFound)?;
        // The call first: a grant elsewhere in the call waits here until this one is done.
        let mut call = fund_call::Entity::find_by_id(year);
        if txn.get_database_backend() == DbBackend::Postgres {
            call = call.lock(LockType::Update);
        }
        let call = call
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("application {id} has no call")))?;
        let current = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        let now = crate::now();
        let mut row = fund_application::ActiveModel {
            id: Set(id),
            updated_at: Set(now),
            ..Default::default()
        };
        let (next, detail) = match &decision {
            Decision::Review => (fund::review(current.status), serde_json::json!({})),
            Decision::Grant(amount) => {
                let granted = granted_total(&txn, year).await?;
                let step = fund::grant(
                    current.status,
                    *amount,
                    current.details.requested_cents,
                    granted,
                    call.budget_cents,
                );
                row.granted_cents = Set(Some(*amount));
                (step, serde_json::json!({ "granted_cents": amount }))
            }
            Decision::Refuse(reason) => {
                row.refusal_reason = Set(Some(reason.clone()));
                (fund::refuse(current.status), serde_json::json!({ "reason": reason }))
            }
        };
        let next = next.map_err(StepError::Refused)?;
        row.status = Set(next.as_str().to_owned());
        if next != ApplicationStatus::UnderReview {
            row.decided_at = Set(Some(now));
            row.decided_by = Set(Some(by.as_uuid()));
        }
        row.update(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new(
                match next {
                    ApplicationStatus::UnderReview => "fund_application.review",
                    ApplicationStatus::Granted => "fund_application.grant",
                    _ => "fund_application.refuse",
                },
                "fund_application",
                id,
            )
            .with_detail(detail),
        )
        .await?;
        let changed = load(&txn, id).await?.ok_or(StepError::NotFound)?;
        if next != ApplicationStatus::UnderReview {
            let data = serde_json::json!({
                "id": changed.id,
                "call_year": changed.call_year,
                "initiative_id": changed.initiative.as_uuid(),
                "project_title": changed.details.project_title,
                "status": changed.status.as_str(),
                "requested_cents": changed.details.requested_cents,
                "granted_cents": changed.granted_cents,
                "refusal_reason": changed.refusal_reason,
                "decided_at": changed.decided_at,
            });
            webhook_outbox::emit(&txn, EventType::FundDecided, data).await?;
        }
        txn.commit().await?;
        Ok(changed)
    }
}

async fn granted_total(conn: &impl ConnectionTrait, year: i32) -> Result<i64, StoreError> {
    let amounts: Vec<Option<i64>> = fund_application::Entity::find()
        .select_only()
        .column(fund_application::Column::GrantedCents)
        .filter(fund_application::Column::CallYear.eq(year))
        .filter(fund_application::Column::Status.eq(ApplicationStatus::Granted.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(amounts.into_iter().flatten().sum())
}

fn lines_json(lines: &[BudgetLine]) -> serde_json::Value {
    serde_json::Value::Array(
        lines
            .iter()
            .map(|l| serde_json::json!({ "label": l.label, "amount_cents": l.amount_cents }))
            .collect(),
    )
}

fn to_call(row: fund_call::Model, granted_cents: i64) -> Call {
    Call {
        terms: CallTerms {
            year: row.year,
            budget_cents: row.budget_cents,
            max_per_application_cents: row.max_per_application_cents,
            deadline: row.deadline,
        },
        granted_cents,
        created_at: row.created_at,
    }
}

async fn load(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Application>, StoreError> {
    fund_application::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(to_application)
        .transpose()
}

fn to_application(row: fund_application::Model) -> Result<Application, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("application {}: {e}", row.id));
    let budget_lines = row
        .budget_lines
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| BudgetLine {
                    label: l["label"].as_str().unwrap_or_default().to_owned(),
                    amount_cents: l["amount_cents"].as_i64().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Application {
        id: row.id,
        call_year: row.call_year,
        initiative: InitiativeId::from_uuid(row.initiative_id),
        status: ApplicationStatus::parse(&row.status).map_err(corrupt)?,
        details: ApplicationDetails {
            project_title: row.project_title,
            country: row.country,
            partner: row.partner,
            summary: row.summary,
            requested_cents: row.requested_cents,
            budget_lines,
        },
        granted_cents: row.granted_cents,
        refusal_reason: row.refusal_reason,
        submitted_at: row.submitted_at,
        decided_at: row.decided_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
