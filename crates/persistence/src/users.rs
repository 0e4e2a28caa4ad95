//! Accounts. E-mail addresses are stored lower-case, so uniqueness ignores case.

use campaign_domain::ids::{GroupId, InitiativeId, MemberOrgId, UserId};
use campaign_domain::municipality::NisCode;
use campaign_domain::user::{Email, Membership, PersonName, Role, ScopeFields};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::audit::{AuditContext, AuditEvent, record};
use crate::entities::{app_user, initiative, member_organisation, refresh_token, volunteer_group};
use crate::error::conflict_on_unique;
use crate::{StoreError, begin_write};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub membership: Membership,
    pub active: bool,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new account, checked by the domain.
pub struct NewUser {
    pub email: Email,
    pub name: PersonName,
    pub membership: Membership,
    pub password_hash: String,
}

/// What a staff member may change about an account.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub name: Option<PersonName>,
    pub active: Option<bool>,
    /// A new argon2 hash; like deactivation, it revokes the account's refresh tokens.
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    /// The e-mail address of the last account of the previous page.
    pub after_email: Option<String>,
}

#[derive(Clone)]
pub struct UserRepo {
    db: DatabaseConnection,
}

impl UserRepo {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates an account; `Conflict` when the e-mail address is taken.
    pub async fn create(&self, user: NewUser, ctx: &AuditContext) -> Result<StoredUser, StoreError> {
        let txn = begin_write(&self.db).await?;
        let stored = insert(&txn, user).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("user.create", "user", stored.id).with_detail(serde_json::json!({
                "role": stored.membership.role().as_str(),
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(stored)
    }

    /// Creates the first staff account, unless a staff account exists. True when created.
    pub async fn create_first_staff(&self, user: NewUser, ctx: &AuditContext) -> Result<bool, StoreError> {
        let txn = begin_write(&self.db).await?;
        let staff = app_user::Entity::find()
            .filter(app_user::Column::Role.eq(Role::Staff.as_str()))
            .count(&txn)
            .await?;
        if staff > 0 {
            return Ok(false);
        }
        let stored = insert(&txn, user).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("user.create", "user", stored.id).with_detail(serde_json::json!({
                "role": "staff", "bootstrap": true,
            })),
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    pub async fn get(&self, id: UserId) -> Result<Option<StoredUser>, StoreError> {
        app_user::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(to_domain)
            .transpose()
    }

    pub async fn by_email(&self, email: &Email) -> Result<Option<StoredUser>, StoreError> {
        app_user::Entity::find()
            .filter(app_user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?
            .map(to_domain)
            .transpose()
    }

    /// One page of accounts in e-mail order.
    pub async fn list(&self, filter: &UserFilter, limit: u64) -> Result<Vec<StoredUser>, StoreError> {
        let mut query = app_user::Entity::find().order_by_asc(app_user::Column::Email);
        if let Some(role) = filter.role {
            query = query.filter(app_user::Column::Role.eq(role.as_str()));
        }
        if let Some(after) = &filter.after_email {
            query = query.filter(app_user::Column::Email.gt(after.as_str()));
        }
        query
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(to_domain)
            .collect()
    }

    /// Renames or (de)activates an account. Deactivation also revokes its refresh tokens, in the
    /// same transaction; its access tokens stop working because each request checks the account.
    pub async fn update(
        &self,
        id: UserId,
        changes: UserChanges,
        ctx: &AuditContext,
    ) -> Result<Option<StoredUser>, StoreError> {
        let txn = begin_write(&self.db).await?;
        let Some(row) = app_user::Entity::find_by_id(id.as_uuid()).one(&txn).await? else {
            return Ok(None);
        };
        let mut model: app_user::ActiveModel = row.into();
        let mut detail = serde_json::Map::new();
        if let Some(name) = &changes.name {
            model.name = Set(name.as_str().to_owned());
            detail.insert("name".into(), name.as_str().into());
        }
        if let Some(active) = changes.active {
            model.active = Set(active);
            detail.insert("active".into(), active.into());
        }
        if let Some(hash) = changes.password_hash {
            model.password_hash = Set(hash);
            detail.insert("password".into(), "changed".into());
        }
        if changes.active == Some(false) || detail.contains_key("password") {
            refresh_token::Entity::update_many()
                .col_expr(
                    refresh_token::Column::RevokedAt,
                    sea_orm::sea_query::Expr::value(crate::now()),
                )
                .filter(refresh_token::Column::UserId.eq(id.as_uuid()))
                .filter(refresh_token::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
        }
        model.updated_at = Set(crate::now());
        let row = model.update(&txn).await?;
        record(
            &txn,
            ctx,
            AuditEvent::new("user.update", "user", id).with_detail(detail.into()),
        )
        .await?;
        crate::changes::announce(&txn).await?;
        txn.commit().await?;
        to_domain(row).map(Some)
    }
}

async fn insert(txn: &impl sea_orm::ConnectionTrait, user: NewUser) -> Result<StoredUser, StoreError> {
    // SQLite cannot add a foreign key to an existing table: the group is checked here, in the
    // transaction of the insert.
    if let Some(group) = user.membership.group()
        && volunteer_group::Entity::find_by_id(group.as_uuid())
            .one(txn)
            .await?
            .is_none()
    {
        return Err(StoreError::Unknown(format!(
            "group_id {group} is not a volunteer group"
        )));
    }
    if let Some(organisation) = user.membership.member_org()
        && member_organisation::Entity::find_by_id(organisation.as_uuid())
            .one(txn)
            .await?
            .is_none()
    {
        return Err(StoreError::Unknown(format!(
            "member_org_id {organisation} is not a member organisation; GET /api/v1/member-organisations lists them"
        )));
    }
    if let Some(initiative) = user.membership.initiative()
        && initiative::Entity::find_by_id(initiative.as_uuid())
            .one(txn)
            .await?
            .is_none()
    {
        return Err(StoreError::Unknown(format!(
            "initiative_id {initiative} is not an initiative; GET /api/v1/initiatives lists them"
        )));
    }
    let now = crate::now();
    let email = user.email.as_str().to_owned();
    let row = app_user::ActiveModel {
        id: Set(UserId::new().as_uuid()),
        email: Set(email.clone()),
        name: Set(user.name.as_str().to_owned()),
        role: Set(user.membership.role().as_str().to_owned()),
        group_id: Set(user.membership.group().map(|g| g.as_uuid())),
        municipality_nis: Set(user.membership.municipality().map(|m| m.to_string())),
        member_org_id: Set(user.membership.member_org().map(|o| o.as_uuid())),
        initiative_id: Set(user.membership.initiative().map(|i| i.as_uuid())),
        active: Set(true),
        password_hash: Set(user.password_hash),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await
    .map_err(|e| conflict_on_unique(e, || format!("an account with e-mail {email} exists already")))?;
    to_domain(row)
}

fn to_domain(row: app_user::Model) -> Result<StoredUser, StoreError> {
    let corrupt = |e: campaign_domain::ValidationError| StoreError::Corrupt(format!("user {}: {e}", row.id));
    let role = Role::parse(&row.role).map_err(corrupt)?;
    let municipality = row
        .municipality_nis
        .as_deref()
        .map(NisCode::parse)
        .transpose()
        .map_err(corrupt)?;
    let fields = ScopeFields {
        group: row.group_id.map(GroupId::from_uuid),
        municipality,
        member_org: row.member_org_id.map(MemberOrgId::from_uuid),
        initiative: row.initiative_id.map(InitiativeId::from_uuid),
    };
    let membership = Membership::new(role, fields).map_err(corrupt)?;
    Ok(StoredUser {
        id: UserId::from_uuid(row.id),
        email: row.email,
        name: row.name,
        membership,
        active: row.active,
        password_hash: row.password_hash,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
