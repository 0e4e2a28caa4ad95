//! `/groups`: volunteer groups. Staff create and change them; reading is scoped by role.

use std::sync::Arc;

use campaign_domain::group::group_name;
use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Actor, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::directory::Directory;
use campaign_persistence::groups::{Group, GroupChanges, GroupFilter, GroupRepo};
use campaign_persistence::municipalities::MunicipalityRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::municipalities::ProvinceName;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "groups";

/// A volunteer group (comité).
#[derive(Debug, Object)]
pub struct GroupOut {
    pub id: Uuid,
    pub name: String,
    /// NIS code of the group's home municipality.
    pub municipality_nis: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> Self {
        Self {
            id: g.id.as_uuid(),
            name: g.name,
            municipality_nis: g.municipality.to_string(),
            active: g.active,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateGroupRequest {
    #[oai(validator(max_length = 200))]
    pub name: String,
    #[oai(validator(max_length = 5))]
    pub municipality_nis: String,
}

/// Fields left out keep their value.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateGroupRequest {
    #[oai(validator(max_length = 200))]
    pub name: Option<String>,
    #[oai(validator(max_length = 5))]
    pub municipality_nis: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Object)]
pub struct GroupPage {
    pub items: Vec<GroupOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum GroupCreated {
    /// The group is created.
    #[oai(status = 201)]
    Created(Json<GroupOut>, #[oai(header = "Location")] String),
}

pub struct GroupsApi {
    pub groups: GroupRepo,
    /// Accounts and groups as requests need them, kept until they change.
    pub directory: Directory,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

/// The group, if the actor may see it (404 otherwise, as if it did not exist).
pub async fn visible_group(
    groups: &GroupRepo,
    actor: &Actor,
    id: Uuid,
    action: Action,
    why: &str,
) -> Result<Group, ApiError> {
    let found = groups.get(GroupId::from_uuid(id)).await?;
    allowed_group(found, actor, id, action, why)
}

/// `found`, the group `id` if there is one, if the actor may see it (404 otherwise, as if it
/// did not exist).
pub fn allowed_group(
    found: Option<Group>,
    actor: &Actor,
    id: Uuid,
    action: Action,
    why: &str,
) -> Result<Group, ApiError> {
    let missing = || format!("there is no group {id}");
    let group = found.ok_or_else(|| ApiError::not_found(missing()))?;
    let scope = Scope::Group {
        group: group.id,
        municipality: group.municipality,
    };
    let _grant = allow(actor, action, scope, missing, why)?;
    Ok(group)
}

impl GroupsApi {
    async fn known_municipality(&self, raw: &str) -> Result<NisCode, ApiError> {
        let nis = NisCode::parse_field("municipality_nis", raw)?;
        if self.municipalities.get(nis).await?.is_none() {
            return Err(ApiError::unprocessable(format!(
                "municipality_nis {nis} is not a municipality of Flanders or Brussels"
            )));
        }
        Ok(nis)
    }
}

#[OpenApi(prefix_path = "/groups", tag = "ApiTags::Groups")]
impl GroupsApi {
    /// Create a volunteer group
    #[oai(path = "/", method = "post", operation_id = "create_group")]
    async fn create_group(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateGroupRequest>,
    ) -> Result<GroupCreated, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Campaign,
            String::new,
            "only staff create groups",
        )?;
        let name = group_name(&body.name)?;
        let nis = self.known_municipality(&body.municipality_nis).await?;
        let group = self
            .groups
            .create(name, nis, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/groups/{}", group.id);
        Ok(GroupCreated::Created(Json(group.into()), location))
    }

    /// List volunteer groups
    ///
    /// Staff see every group, a volunteer their own, a municipal contact those of their municipality.
    #[oai(path = "/", method = "get", operation_id = "list_groups")]
    async fn list_groups(
        &self,
        auth: BearerAuth,
        /// Only groups of this municipality.
        #[oai(validator(max_length = 5))]
        municipality_nis: Query<Option<String>>,
        /// Only groups of this province.
        province: Query<Option<ProvinceName>>,
        /// Items per page, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 400))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<GroupPage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let municipality = municipality_nis
            .0
            .as_deref()
            .map(|m| NisCode::parse_field("municipality_nis", m))
            .transpose()?;
        let after = match cursor.0.as_deref() {
            Some(c) => {
                let key = pagination::decode(CURSOR_LIST, c)?;
                let (name, id) = key
                    .rsplit_once('\u{1f}')
                    .ok_or_else(|| ApiError::invalid_field("cursor", "this cursor is not valid here"))?;
                Some((name.to_owned(), GroupId::parse_field("cursor", id)?))
            }
            None => None,
        };
        let mut filter = GroupFilter {
            municipality,
            province: province.0.map(Into::into),
            after,
            ..GroupFilter::default()
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::Volunteer { group } => filter.only_group = Some(group),
            Membership::MunicipalContact { municipality } => filter.only_municipality = Some(municipality),
            Membership::MemberOrg { .. } | Membership::Initiative { .. } => {
                return Err(ApiError::forbidden(format!(
                    "volunteer groups are for staff, volunteers and municipal contacts; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        let mut rows = self.groups.list(&filter, limit.get() + 1).await?;
        let next_cursor =
            pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |g| format!("{}\u{1f}{}", g.name, g.id));
        Ok(Json(GroupPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Get a volunteer group
    #[oai(path = "/:id", method = "get", operation_id = "get_group")]
    async fn get_group(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<GroupOut>, ApiError> {
        let group = visible_group(&self.groups, &auth.0, id.0, Action::Read, "").await?;
        Ok(Json(group.into()))
    }

    /// Rename, move or (de)activate a volunteer group
    #[oai(path = "/:id", method = "patch", operation_id = "update_group")]
    async fn update_group(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<UpdateGroupRequest>,
    ) -> Result<Json<GroupOut>, ApiError> {
        let _group = visible_group(&self.groups, &auth.0, id.0, Action::Manage, "only staff change groups").await?;
        if body.name.is_none() && body.municipality_nis.is_none() && body.active.is_none() {
            return Err(ApiError::bad_request(
                "nothing to change: give name, municipality_nis or active",
            ));
        }
        let name = body.name.as_deref().map(group_name).transpose()?;
        let municipality = match body.municipality_nis.as_deref() {
            Some(raw) => Some(self.known_municipality(raw).await?),
            None => None,
        };
        let changes = GroupChanges {
            name,
            municipality,
            active: body.active,
        };
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let group = self
            .groups
            .update(GroupId::from_uuid(id.0), changes, &ctx)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no group {}", id.0)))?;
        self.directory.invalidate();
        Ok(Json(group.into()))
    }
}
