//! `/member-organisations`: 11.11.11's member organisations, whose offer to local governments
//! municipalities search. Anyone reads; staff add and edit.

use std::sync::Arc;

use campaign_domain::ids::MemberOrgId;
use campaign_domain::member_org::OrganisationDetails;
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::member_orgs::{MemberOrgRepo, MemberOrganisation};
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

#[derive(Debug, Object)]
pub struct MemberOrganisationOut {
    pub id: Uuid,
    pub name: String,
    #[oai(nullable)]
    pub website: Option<String>,
    #[oai(nullable)]
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<MemberOrganisation> for MemberOrganisationOut {
    fn from(m: MemberOrganisation) -> Self {
        Self {
            id: m.id.as_uuid(),
            name: m.details.name,
            website: m.details.website,
            description: m.details.description,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Every member organisation in name order (a short list: one page, no cursor).
#[derive(Debug, Object)]
pub struct MemberOrganisationList {
    pub items: Vec<MemberOrganisationOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateMemberOrganisation {
    #[oai(validator(max_length = 120))]
    pub name: String,
    /// A web address starting with https:// (or http://).
    #[oai(validator(max_length = 300))]
    pub website: Option<String>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
}

/// A change; absent fields stay, `null` clears `website` or `description`.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateMemberOrganisation {
    #[oai(validator(max_length = 120))]
    pub name: Option<String>,
    #[oai(validator(max_length = 300))]
    pub website: MaybeUndefined<String>,
    #[oai(validator(max_length = 2000))]
    pub description: MaybeUndefined<String>,
}

#[derive(ApiResponse)]
pub enum MemberOrganisationCreated {
    /// The organisation is added.
    #[oai(status = 201)]
    Created(Json<MemberOrganisationOut>, #[oai(header = "Location")] String),
}

pub struct MemberOrgsApi {
    pub organisations: MemberOrgRepo,
    pub auth: Arc<AuthState>,
}

fn staff_only(auth: &BearerAuth) -> Result<(), ApiError> {
    let _grant = allow(
        &auth.0,
        Action::Manage,
        Scope::Administration,
        String::new,
        "only 11.11.11 staff keep the list of member organisations",
    )?;
    Ok(())
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!(
        "there is no member organisation {id}; see GET /api/v1/member-organisations"
    ))
}

/// The new value of an optional text: absent keeps `current`, `null` clears it.
fn merged(change: &MaybeUndefined<String>, current: Option<String>) -> Option<String> {
    match change {
        MaybeUndefined::Undefined => current,
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(v) => Some(v.clone()),
    }
}

#[OpenApi(tag = "ApiTags::MemberOrganisations")]
impl MemberOrgsApi {
    /// The member organisations
    ///
    /// No sign-in needed. In name order.
    #[oai(
        path = "/member-organisations",
        method = "get",
        operation_id = "list_member_organisations"
    )]
    async fn list(&self) -> Result<Json<MemberOrganisationList>, ApiError> {
        Ok(Json(MemberOrganisationList {
            items: self.organisations.list().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// One member organisation
    #[oai(
        path = "/member-organisations/:id",
        method = "get",
        operation_id = "get_member_organisation"
    )]
    async fn get(&self, id: Path<Uuid>) -> Result<Json<MemberOrganisationOut>, ApiError> {
        let found = self
            .organisations
            .get(MemberOrgId::from_uuid(id.0))
            .await?
            .ok_or_else(|| missing(id.0))?;
        Ok(Json(found.into()))
    }

    /// Add a member organisation
    ///
    /// Staff only; audited. A name in use is 409.
    #[oai(
        path = "/member-organisations",
        method = "post",
        operation_id = "create_member_organisation"
    )]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateMemberOrganisation>,
    ) -> Result<MemberOrganisationCreated, ApiError> {
        staff_only(&auth)?;
        let details = OrganisationDetails::new(&body.name, body.website.as_deref(), body.description.as_deref())?;
        let created = self
            .organisations
            .create(details, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/member-organisations/{}", created.id);
        Ok(MemberOrganisationCreated::Created(Json(created.into()), location))
    }

    /// Change a member organisation
    ///
    /// Staff only; audited. A name in use by another organisation is 409.
    #[oai(
        path = "/member-organisations/:id",
        method = "patch",
        operation_id = "update_member_organisation"
    )]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<UpdateMemberOrganisation>,
    ) -> Result<Json<MemberOrganisationOut>, ApiError> {
        staff_only(&auth)?;
        let org = MemberOrgId::from_uuid(id.0);
        let current = self.organisations.get(org).await?.ok_or_else(|| missing(id.0))?;
        let name = body.name.clone().unwrap_or(current.details.name);
        let website = merged(&body.website, current.details.website);
        let description = merged(&body.description, current.details.description);
        let details = OrganisationDetails::new(&name, website.as_deref(), description.as_deref())?;
        let changed = self
            .organisations
            .update(org, details, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        Ok(Json(changed.into()))
    }
}
