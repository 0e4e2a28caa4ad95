//! 11.11.11's member organisations: a short list everyone reads and staff keep (audited).

use campaign_domain::ids::MemberOrgId;
use campaign_domain::member_org::OrganisationDetails;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, QueryOrder};

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::member_organisation;
use crate::error::conflict_on_unique;
use crate::{StoreError, begin_write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberOrganisation {
    pub id: MemberOrgId,
    pub details: OrganisationDetails,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct MemberOrgRepo {
    db: DatabaseConnection,
}

impl MemberOrgRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Every organisation in name order.
    pub async fn list(&self) -> Result<Vec<MemberOrganisation>, StoreError> {
        Ok(member_organisation::Entity::find()
            .order_by_asc(member_organisation::Column::Name)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect())
    }

    pub async fn get(&self, id: MemberOrgId) -> Result<Option<MemberOrganisation>, StoreError> {
        Ok(member_organisation::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(to_domain))
    }

    /// Adds an organisation; `Conflict` when the name is taken.
    pub async fn create(
        &self,
        details: OrganisationDetails,
        ctx: &AuditContext,
    ) -> Result<MemberOrganisation, StoreError> {
        let txn = begin_write(&self.db).await?;
        let now = crate::now();
        let id = MemberOrgId::new();
        let name = details.name.clone();
        let row = member_organisation::ActiveModel {
            id: Set(id.as_uuid()),
            name: Set(details.name),
            website: Set(details.website),
            description: Set(details.description),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a member organisation named {name} already")))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("member_organisation.create", "member_organisation", id)
                .with_detail(serde_json::json!({ "name": row.name })),
        )
        .await?;
        txn.commit().await?;
        Ok(to_domain(row))
    }

    /// Replaces an organisation's details; `Missing` for an unknown id, `Conflict` for a taken name.
    pub async fn update(
        &self,
        id: MemberOrgId,
        details: OrganisationDetails,
        ctx: &AuditContext,
    ) -> Result<MemberOrganisation, StoreError> {
        let txn = begin_write(&self.db).await?;
        let before = member_organisation::Entity::find_by_id(id.as_uuid())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Missing(format!("there is no member organisation {id}")))?;
        let name = details.name.clone();
        let row = member_organisation::ActiveModel {
            id: Set(id.as_uuid()),
            name: Set(details.name),
            website: Set(details.website),
            description: Set(details.description),
            updated_at: Set(crate::now()),
            ..Default::default()
        }
        .update(&txn)
        .await
        .map_err(|e| conflict_on_unique(e, || format!("there is a member organisation named {name} already")))?;
        record(
            &txn,
            ctx,
            AuditEvent::new("member_organisation.update", "member_organisation", id)
                .with_detail(serde_json::json!({ "name": [before.name, row.name.clone()] })),
        )
        .await?;
        txn.commit().await?;
        Ok(to_domain(row))
    }
}

fn to_domain(row: member_organisation::Model) -> MemberOrganisation {
    MemberOrganisation {
        id: MemberOrgId::from_uuid(row.id),
        details: OrganisationDetails {
            name: row.name,
            website: row.website,
            description: row.description,
        },
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
