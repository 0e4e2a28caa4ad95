//! `/programmes`: the engagement programmes 11.11.11 offers municipalities (Faire Gemeente,
//! Solidaire Gemeente, …) with their criteria. Anyone reads; staff create and edit.

use std::sync::Arc;

use campaign_domain::policy::{Action, Scope};
use campaign_domain::programme::{Programme, programme_code};
use campaign_persistence::programmes::ProgrammeRepo;
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::context::{allow, audit_context};
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

/// One criterion a municipality gives evidence for.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CriterionBody {
    /// A slug, unique within the programme, e.g. `shops-horeca`.
    #[oai(validator(max_length = 40))]
    pub code: String,
    #[oai(validator(max_length = 200))]
    pub title: String,
}

/// A programme with its criteria in their order.
#[derive(Debug, Object)]
pub struct ProgrammeOut {
    /// A slug such as `faire-gemeente`.
    pub code: String,
    pub name: String,
    pub criteria: Vec<CriterionBody>,
}

impl From<Programme> for ProgrammeOut {
    fn from(p: Programme) -> Self {
        Self {
            code: p.code,
            name: p.name,
            criteria: p
                .criteria
                .into_iter()
                .map(|c| CriterionBody {
                    code: c.code,
                    title: c.title,
                })
                .collect(),
        }
    }
}

/// Every programme (a short list: one page, no cursor).
#[derive(Debug, Object)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeOut>,
}

/// A new programme.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CreateProgramme {
    /// 2 to 40 lower-case letters, digits and hyphens; it names the programme in every path.
    #[oai(validator(max_length = 40))]
    pub code: String,
    #[oai(validator(max_length = 120))]
    pub name: String,
    /// 1 to 20 criteria.
    #[oai(validator(max_items = 20))]
    pub criteria: Vec<CriterionBody>,
}

/// A change to a programme; absent fields stay. `criteria` replaces the whole list: evidence a
/// municipality gave for a dropped criterion is kept and shows again if the criterion returns.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateProgramme {
    #[oai(validator(max_length = 120))]
    pub name: Option<String>,
    #[oai(validator(max_items = 20))]
    pub criteria: Option<Vec<CriterionBody>>,
}

#[derive(ApiResponse)]
pub enum ProgrammeCreated {
    /// The programme is added.
    #[oai(status = 201)]
    Created(Json<ProgrammeOut>, #[oai(header = "Location")] String),
}

pub struct ProgrammesApi {
    pub programmes: ProgrammeRepo,
    pub auth: Arc<AuthState>,
}

fn pairs(criteria: &[CriterionBody]) -> Vec<(String, String)> {
    criteria.iter().map(|c| (c.code.clone(), c.title.clone())).collect()
}

fn staff_only(auth: &BearerAuth) -> Result<(), ApiError> {
    let _grant = allow(
        &auth.0,
        Action::Manage,
        Scope::Administration,
        String::new,
        "only 11.11.11 staff manage programmes",
    )?;
    Ok(())
}

#[OpenApi(tag = "ApiTags::Programmes")]
impl ProgrammesApi {
    /// The engagement programmes
    ///
    /// Every programme with its criteria, in code order. No sign-in needed: the programmes are
    /// public. Seeded: `faire-gemeente` (6 criteria) and `solidaire-gemeente`.
    #[oai(path = "/programmes", method = "get", operation_id = "list_programmes")]
    async fn list(&self) -> Result<Json<ProgrammeList>, ApiError> {
        Ok(Json(ProgrammeList {
            items: self.programmes.list().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// One programme
    #[oai(path = "/programmes/:code", method = "get", operation_id = "get_programme")]
    async fn get(&self, code: Path<String>) -> Result<Json<ProgrammeOut>, ApiError> {
        let found = self.programmes.get(&code.0).await?.ok_or_else(|| {
            ApiError::not_found(format!("there is no programme {}; see GET /api/v1/programmes", code.0))
        })?;
        Ok(Json(found.into()))
    }

    /// Add a programme
    ///
    /// Staff only; audited. A code in use is 409.
    #[oai(path = "/programmes", method = "post", operation_id = "create_programme")]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<CreateProgramme>,
    ) -> Result<ProgrammeCreated, ApiError> {
        staff_only(&auth)?;
        let programme = Programme::new(&body.code, &body.name, &pairs(&body.criteria))?;
        let created = self
            .programmes
            .create(programme, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/programmes/{}", created.code);
        Ok(ProgrammeCreated::Created(Json(created.into()), location))
    }

    /// Change a programme's name or criteria
    ///
    /// Staff only; audited. `criteria` replaces the list (e.g. to define Faire Gemeente's sixth
    /// criterion as its organisers do).
    #[oai(path = "/programmes/:code", method = "patch", operation_id = "update_programme")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        code: Path<String>,
        body: Json<UpdateProgramme>,
    ) -> Result<Json<ProgrammeOut>, ApiError> {
        staff_only(&auth)?;
        let code = programme_code("code", &code.0)
            .map_err(|_| ApiError::not_found(format!("there is no programme {}", code.0)))?;
        let current = self
            .programmes
            .get(&code)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("there is no programme {code}")))?;
        let name = body.name.clone().unwrap_or(current.name);
        let criteria = match &body.criteria {
            Some(given) => pairs(given),
            None => current.criteria.into_iter().map(|c| (c.code, c.title)).collect(),
        };
        let changed = Programme::new(&code, &name, &criteria)?;
        let stored = self
            .programmes
            .replace(changed, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        Ok(Json(stored.into()))
    }
}
