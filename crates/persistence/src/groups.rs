//! Volunteer groups.

use campaign_domain::ids::GroupId;
use campaign_domain::municipality::{NisCode, Province};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{municipality, volunteer_group};
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub municipality: NisCode,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub municipality: Option<NisCode>,
    pub active: Option<bool>,
}

/// Filters of the group list; the `only_*` fields carry the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub only_group: Option<GroupId>,
    pub only_municipality: Option<NisCode>,
    pub municipality: Option<NisCode>,
    pub province: Option<Province>,
    /// The (name, id) of the last group of the previous page.
    pub after: Option<(String, GroupId)>,
}

#[derive(Clone)]
pub struct GroupRepo {
    db: DatabaseConnection,
}

impl GroupRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub async fn create(&self, name: String, municipality: NisCode, ctx: &AuditContext) -> Result<Group, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let row = volunteer_group::ActiveModel {
            id: Set(GroupId::new().as_uuid()),
            name: Set(name),
            municipality_nis: Set(municipality.to_string()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("group.create", "group", row.id)
                .with_detail(serde_json::json!({ "name": row.name, "municipality_nis": row.municipality_nis })),
        )
        .await?;
        txn.commit().await?;
        to_domain(row)
    }

    pub async fn update(
        &self,
        id: GroupId,
        changes: GroupChanges,
        ctx: &AuditContext,
    ) -> Result<Option<Group>, StoreError> {
        let txn = begin_write(&self.db).await?;
        let Some(row) = volunteer_group::Entity::find_by_id(id.as_uuid()).one(&txn).await? else {
            return Ok(None);
        };
        let mut model: volunteer_group::ActiveModel = row.into();
        let mut detail = serde_json::Map::new();
        if let Some(name) = changes.name {
            detail.insert("name".into(), name.clone().into());
            model.name = Set(name);
        }
        if let Some(nis) = changes.municipality {
            detail.insert("municipality_nis".into(), nis.to_string().into());
            model.municipality_nis = Set(nis.to_string());
        }
        if let Some(active) = changes.active {
            detail.insert("active".into(), active.into());
            model.active = Set(active);
        }
        model.updated_at = Set(crate::now());
        let row = model.update(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("group.update", "group", id).with_detail(detail.into()),
        )
        .await?;
        crate::changes::announce(&txn).await?;
        txn.commit().await?;
        to_domain(row).map(Some)
    }

    pub async fn get(&self, id: GroupId) -> Result<Option<Group>, StoreError> {
        volunteer_group::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(to_domain)
            .transpose()
    }

    /// How many active groups each municipality has.
    pub async fn count_by_municipality(&self) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        Ok(volunteer_group::Entity::find()
            .select_only()
            .column(volunteer_group::Column::MunicipalityNis)
            .column_as(Expr::col(volunteer_group::Column::Id).count(), "n")
            .filter(volunteer_group::Column::Active.eq(true))
            .group_by(volunteer_group::Column::MunicipalityNis)
            .into_tuple::<(String, i64)>()
            .all(&self.db)
            .await?
            .into_iter()
            .collect())
    }

    /// One page of groups, by name.
    pub async fn list(&self, filter: &GroupFilter, limit: u64) -> Result<Vec<Group>, StoreError> {
        let mut query = volunteer_group::Entity::find()
            .order_by_asc(volunteer_group::Column::Name)
            .order_by_asc(volunteer_group::Column::Id);
        if let Some(group) = filter.only_group {
            query = query.filter(volunteer_group::Column::Id.eq(group.as_uuid()));
        }
        for nis in [filter.only_municipality, filter.municipality].into_iter().flatten() {
            query = query.filter(volunteer_group::Column::MunicipalityNis.eq(nis.to_string()));
        }
        if let Some(province) = filter.province {
            query = query.filter(
                volunteer_group::Column::MunicipalityNis.in_subquery(
                    Query::select()
                        .column(municipality::Column::NisCode)
                        .from(municipality::Entity)
                        .and_where(Expr::col(municipality::Column::Province).eq(province.name()))
                        .to_owned(),
                ),
            );
        }
        if let Some((name, id)) = &filter.after {
            query = query.filter(
                Condition::any()
                    .add(volunteer_group::Column::Name.gt(name.as_str()))
                    .add(
                        Condition::all()
                            .add(volunteer_group::Column::Name.eq(name.as_str()))
                            .add(volunteer_group::Column::Id.gt(id.as_uuid())),
                    ),
            );
        }
        query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect()
    }
}

fn to_domain(row: volunteer_group::Model) -> Result<Group, StoreError> {
    Ok(Group {
        id: GroupId::from_uuid(row.id),
        municipality: NisCode::parse(&row.municipality_nis)
            .map_err(|e| StoreError::Corrupt(format!("group {}: {e}", row.id)))?,
        name: row.name,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
