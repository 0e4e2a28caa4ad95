//! The engagement programmes and their criteria. The two 11.11.11 runs are seeded after every
//! migration when missing; staff add others and edit names and criteria (audited).

use campaign_domain::programme::{Criterion, Programme, seeded_programmes};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TryInsertResult,
};

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{programme, programme_criterion};
use crate::error::conflict_on_unique;
use crate::{StoreError, begin_write};

#[derive(Clone)]
pub struct ProgrammeRepo {
    db: DatabaseConnection,
}

impl ProgrammeRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Every programme in code order, each with its criteria in their order.
    pub async fn list(&self) -> Result<Vec<Programme>, StoreError> {
        let programmes = programme::Entity::find()
            .order_by_asc(programme::Column::Code)
            .all(&self.db)
            .await?;
        let criteria = programme_criterion::Entity::find()
            .order_by_asc(programme_criterion::Column::ProgrammeCode)
            .order_by_asc(programme_criterion::Column::Position)
            .all(&self.db)
            .await?;
        Ok(programmes
            .into_iter()
            .map(|p| {
                let own = criteria
                    .iter()
                    .filter(|c| c.programme_code == p.code)
                    .map(to_criterion)
                    .collect();
                Programme {
                    code: p.code,
                    name: p.name,
                    criteria: own,
                }
            })
            .collect())
    }

    pub async fn get(&self, code: &str) -> Result<Option<Programme>, StoreError> {
        load(&self.db, code).await
    }

    /// Stores a new programme; `Conflict` when its code is taken.
    pub async fn create(&self, new: Programme, ctx: &AuditContext) -> Result<Programme, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        programme::ActiveModel {
            code: Set(new.code.clone()),
            name: Set(new.name.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a programme {} already", new.code)))?;
        insert_criteria(&txn, &new).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("programme.create", "programme", &new.code)
                .with_detail(serde_json::json!({ "name": new.name, "criteria": codes(&new) })),
        )
        .await?;
        txn.commit().await?;
        Ok(new)
    }

    /// Replaces the name and criteria of the programme `changed.code`; `Missing` if there is none.
    /// Evidence given for a criterion that is dropped stays stored (and shows again if the
    /// criterion comes back) but is no longer listed.
    pub async fn replace(&self, changed: Programme, ctx: &AuditContext) -> Result<Programme, StoreError> {
        let txn = begin_write(&self.db).await?;
        let before = load(&txn, &changed.code)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("there is no programme {}", changed.code)))?;
        programme::Entity::update_many()
            .col_expr(
                programme::Column::Name,
                sea_orm::sea_query::Expr::value(changed.name.clone()),
            )
            .col_expr(
                programme::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(crate::now()),
            )
            .filter(programme::Column::Code.eq(&changed.code))
            .exec(&txn)
            .await?;
        programme_criterion::Entity::delete_many()
            .filter(programme_criterion::Column::ProgrammeCode.eq(&changed.code))
            .exec(&txn)
            .await?;
        insert_criteria(&txn, &changed).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("programme.update", "programme", &changed.code).with_detail(serde_json::json!({
                "name": [before.name, changed.name.clone()],
                "criteria": [codes(&before), codes(&changed)],
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(changed)
    }
}

fn codes(p: &Programme) -> Vec<&str> {
    p.criteria.iter().map(|c| c.code.as_str()).collect()
}

fn to_criterion(row: &programme_criterion::Model) -> Criterion {
    Criterion {
        code: row.code.clone(),
        title: row.title.clone(),
    }
}

pub(crate) async fn load(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Programme>, StoreError> {
    let Some(row) = programme::Entity::find_by_id(code).one(conn).await? else {
        return Ok(None);
    };
    let criteria = programme_criterion::Entity::find()
        .filter(programme_criterion::Column::ProgrammeCode.eq(code))
        .order_by_asc(programme_criterion::Column::Position)
        .all(conn)
        .await?;
    Ok(Some(Programme {
        code: row.code,
        name: row.name,
        criteria: criteria.iter().map(to_criterion).collect(),
    }))
}

async fn insert_criteria(conn: &impl ConnectionTrait, p: &Programme) -> Result<(), DbErr> {
    let rows = p
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| programme_criterion::ActiveModel {
            programme_code: Set(p.code.clone()),
            code: Set(c.code.clone()),
            title: Set(c.title.clone()),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        });
    programme_criterion::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Adds the programmes 11.11.11 runs (Faire Gemeente, Solidaire Gemeente) where missing; one
/// that exists is left as staff made it.
pub(crate) async fn seed_missing(conn: &impl ConnectionTrait) -> Result<(), DbErr> {
    for p in seeded_programmes() {
        let now = crate::now();
        let inserted = programme::Entity::insert(programme::ActiveModel {
            code: Set(p.code.clone()),
            name: Set(p.name.clone()),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict_do_nothing()
        .exec_without_returning(conn)
        .await?;
        if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            insert_criteria(conn, &p).await?;
        }
    }
    Ok(())
}
