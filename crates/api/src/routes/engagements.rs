//! A municipality's engagements in the programmes: its status, dates and evidence per criterion
//! with the history of changes (its contacts and staff), the public list and map of committed and
//! recognised municipalities, and the staff's renewals coming due.

use std::collections::BTreeMap;
use std::sync::Arc;

use campaign_domain::engagement::{EngagementStatus, Mover};
use campaign_domain::engagement_change::EngagementChange;
use campaign_domain::ledger::local_date;
use campaign_domain::municipality::{NisCode, Province};
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::Membership;
use campaign_persistence::engagements::{ChangeError, EngagedMunicipality, Engagement, EngagementRepo, HistoryRecord};
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::programmes::ProgrammeRepo;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::{Any, MaybeUndefined};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::map_shapes::{Boundary, MapShapes};
use super::municipalities::ProvinceName;
use crate::auth::{AuthState, BearerAuth};
use crate::http::preconditions::{etag, if_match_of, passes};
use crate::http::{Negotiated, RenderedJson, accept};
use crate::problem::{ApiError, Problem};

/// The most history records one engagement answers with (newest first).
const HISTORY_MAX: u64 = 100;
/// The longest look ahead for renewals.
const RENEWAL_WINDOW_MAX_DAYS: i64 = 3650;

/// Where a municipality stands in a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EngagementStatusName {
    NotEngaged,
    Interested,
    Committed,
    Recognised,
    Lapsed,
}

impl From<EngagementStatus> for EngagementStatusName {
    fn from(s: EngagementStatus) -> Self {
        match s {
            EngagementStatus::NotEngaged => Self::NotEngaged,
            EngagementStatus::Interested => Self::Interested,
            EngagementStatus::Committed => Self::Committed,
            EngagementStatus::Recognised => Self::Recognised,
            EngagementStatus::Lapsed => Self::Lapsed,
        }
    }
}

impl From<EngagementStatusName> for EngagementStatus {
    fn from(s: EngagementStatusName) -> Self {
        match s {
            EngagementStatusName::NotEngaged => Self::NotEngaged,
            EngagementStatusName::Interested => Self::Interested,
            EngagementStatusName::Committed => Self::Committed,
            EngagementStatusName::Recognised => Self::Recognised,
            EngagementStatusName::Lapsed => Self::Lapsed,
        }
    }
}

/// The statuses the public sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PublicStatus {
    Committed,
    Recognised,
}

/// A municipality's engagement in one programme.
#[derive(Debug, Object)]
pub struct EngagementOut {
    /// The programme's code, e.g. `faire-gemeente`.
    pub programme: String,
    pub status: EngagementStatusName,
    /// The council decision's date (needed from `committed` on).
    #[oai(nullable)]
    pub council_decision_on: Option<NaiveDate>,
    /// The title's date (set by staff when recognising).
    #[oai(nullable)]
    pub recognised_on: Option<NaiveDate>,
    /// When the title must be renewed (set by staff).
    #[oai(nullable)]
    pub renewal_due_on: Option<NaiveDate>,
    /// Evidence text per criterion code of the programme; criteria without evidence are absent.
    pub evidence: BTreeMap<String, String>,
    /// Raised by every change; 0 while the municipality never moved. The `ETag` is `"v{version}"`.
    pub version: i32,
    #[oai(nullable)]
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<Engagement> for EngagementOut {
    fn from(e: Engagement) -> Self {
        Self {
            programme: e.programme,
            status: e.state.status.into(),
            council_decision_on: e.state.dates.council_decision_on,
            recognised_on: e.state.dates.recognised_on,
            renewal_due_on: e.state.dates.renewal_due_on,
            evidence: e.state.evidence,
            version: e.version,
            updated_at: e.updated_at,
        }
    }
}

/// The municipality's engagement in every programme.
#[derive(Debug, Object)]
pub struct EngagementList {
    pub municipality_nis: String,
    pub items: Vec<EngagementOut>,
}

/// One change of an engagement.
#[derive(Debug, Object)]
pub struct EngagementHistoryOut {
    pub at: DateTime<Utc>,
    /// The account that made the change.
    #[oai(nullable)]
    pub by: Option<Uuid>,
    /// That account's name, while it exists.
    #[oai(nullable)]
    pub by_name: Option<String>,
    pub status_from: EngagementStatusName,
    pub status_to: EngagementStatusName,
    /// The fields changed, e.g. `status`, `council_decision_on`, `evidence.shops-horeca`.
    pub fields: Vec<String>,
}

impl From<HistoryRecord> for EngagementHistoryOut {
    fn from(h: HistoryRecord) -> Self {
        Self {
            at: h.at,
            by: h.by.map(|u| u.as_uuid()),
            by_name: h.by_name,
            status_from: h.status_from.into(),
            status_to: h.status_to.into(),
            fields: h.fields,
        }
    }
}

/// One engagement with its history, newest change first (at most 100).
#[derive(Debug, Object)]
pub struct EngagementDetail {
    pub municipality_nis: String,
    #[oai(flatten)]
    pub engagement: EngagementOut,
    pub history: Vec<EngagementHistoryOut>,
}

/// A change to an engagement; absent fields stay as they are, `null` clears a date.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct UpdateEngagement {
    /// The new status. A contact moves between `not_engaged`, `interested` and `committed`
    /// (and from `lapsed` back); only staff move `committed` → `recognised` → `lapsed`.
    pub status: Option<EngagementStatusName>,
    /// Needed for `committed` and `recognised`.
    pub council_decision_on: MaybeUndefined<NaiveDate>,
    /// Staff only; needed for `recognised`.
    pub recognised_on: MaybeUndefined<NaiveDate>,
    /// Staff only; needed for `recognised`, after `recognised_on`.
    pub renewal_due_on: MaybeUndefined<NaiveDate>,
    /// Evidence per criterion code (line breaks kept, at most 4000 characters); `null` or blank
    /// text removes it. Criteria not named stay as they are.
    pub evidence: Option<BTreeMap<String, Option<String>>>,
}

#[derive(ApiResponse)]
pub enum EngagementRead {
    /// The engagement with its history and its `ETag`.
    #[oai(status = 200)]
    Found(Json<EngagementDetail>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum EngagementUpdated {
    /// The engagement as changed, with its new `ETag`.
    #[oai(status = 200)]
    Updated(Json<EngagementOut>, #[oai(header = "ETag")] String),
    /// `If-Match` does not name the engagement's current `ETag`: someone changed it since it was
    /// read. Nothing was changed; GET it again and reapply the change.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
}

/// A committed or recognised municipality, as anyone may see it.
#[derive(Debug, Object, Serialize)]
pub struct PublicEngagement {
    pub nis_code: String,
    pub name_nl: String,
    #[oai(nullable)]
    pub name_fr: Option<String>,
    /// The province's Dutch name (or `Brussels Hoofdstedelijk Gewest`).
    pub province: String,
    pub status: EngagementStatusName,
    #[oai(nullable)]
    pub council_decision_on: Option<NaiveDate>,
    #[oai(nullable)]
    pub recognised_on: Option<NaiveDate>,
}

impl From<EngagedMunicipality> for PublicEngagement {
    fn from(e: EngagedMunicipality) -> Self {
        Self {
            nis_code: e.municipality.nis_code.to_string(),
            name_nl: e.municipality.name_nl,
            name_fr: e.municipality.name_fr,
            province: e.municipality.province.name().to_owned(),
            status: e.status.into(),
            council_decision_on: e.dates.council_decision_on,
            recognised_on: e.dates.recognised_on,
        }
    }
}

/// How many municipalities of a province are committed and recognised.
#[derive(Debug, Object)]
pub struct ProvinceCount {
    pub province: ProvinceName,
    pub committed: i64,
    pub recognised: i64,
}

/// The municipalities of a programme with one of the asked statuses, in NIS order (at most a few
/// hundred: one page), and the counts per province (every province, zero included).
#[derive(Debug, Object)]
pub struct PublicEngagementList {
    pub programme: String,
    pub programme_name: String,
    pub items: Vec<PublicEngagement>,
    pub by_province: Vec<ProvinceCount>,
}

#[derive(Debug, Object, Serialize)]
pub struct EngagementFeature {
    /// Always `Feature`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    /// The boundary (a GeoJSON MultiPolygon) where loaded, else `null`.
    #[oai(nullable)]
    pub geometry: Option<Any<Boundary>>,
    pub properties: PublicEngagement,
}

/// The same municipalities as a GeoJSON FeatureCollection (RFC 7946).
#[derive(Debug, Object, Serialize)]
pub struct EngagementMap {
    /// Always `FeatureCollection`.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub features: Vec<EngagementFeature>,
}

#[derive(ApiResponse)]
pub enum PublicEngagementsResponse {
    /// The list with counts per province; a GeoJSON FeatureCollection with
    /// `Accept: application/geo+json`.
    #[oai(status = 200)]
    List(Json<PublicEngagementList>),
    /// The municipalities as a map.
    #[oai(status = 200, content_type = "application/geo+json")]
    Map(RenderedJson<EngagementMap>),
}

/// A recognised engagement whose renewal is due.
#[derive(Debug, Object)]
pub struct RenewalDue {
    pub programme: String,
    pub municipality_nis: String,
    pub name_nl: String,
    pub province: ProvinceName,
    #[oai(nullable)]
    pub recognised_on: Option<NaiveDate>,
    pub renewal_due_on: NaiveDate,
    /// Days from today (Europe/Brussels) to the renewal; negative when overdue.
    pub days_left: i64,
}

/// Renewals due within the window, overdue ones first, soonest first.
#[derive(Debug, Object)]
pub struct RenewalList {
    pub within_days: i64,
    pub items: Vec<RenewalDue>,
}

pub struct EngagementsApi {
    pub engagements: EngagementRepo,
    pub programmes: ProgrammeRepo,
    pub municipalities: MunicipalityRepo,
    pub shapes: MapShapes,
    pub auth: Arc<AuthState>,
}

impl EngagementsApi {
    /// The municipality of `nis` if the actor may take `action` on its engagements.
    async fn municipality(&self, auth: &BearerAuth, nis: &str, action: Action) -> Result<NisCode, ApiError> {
        let code = NisCode::parse_field("nis", nis)?;
        let missing = || format!("there is no municipality {code} of yours");
        let _grant = allow(
            &auth.0,
            action,
            Scope::Municipality(code),
            missing,
            "only staff and the municipality's contacts work on its engagements",
        )?;
        if self.municipalities.get(code).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "there is no municipality {code} in Flanders or Brussels"
            )));
        }
        Ok(code)
    }
}

fn no_programme(code: &str) -> ApiError {
    ApiError::not_found(format!("there is no programme {code}; see GET /api/v1/programmes"))
}

/// The domain's change from the request body.
fn change_of(body: UpdateEngagement) -> EngagementChange {
    let date = |d: MaybeUndefined<NaiveDate>| match d {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    };
    EngagementChange {
        status: body.status.map(Into::into),
        council_decision_on: date(body.council_decision_on),
        recognised_on: date(body.recognised_on),
        renewal_due_on: date(body.renewal_due_on),
        evidence: body.evidence.unwrap_or_default(),
    }
}

fn by_province(items: &[EngagedMunicipality]) -> Vec<ProvinceCount> {
    Province::ALL
        .into_iter()
        .map(|province| {
            let count = |status: EngagementStatus| {
                let n = items
                    .iter()
                    .filter(|e| e.municipality.province == province && e.status == status)
                    .count();
                i64::try_from(n).unwrap_or(i64::MAX)
            };
            ProvinceCount {
                province: province.into(),
                committed: count(EngagementStatus::Committed),
                recognised: count(EngagementStatus::Recognised),
            }
        })
        .collect()
}

#[OpenApi(tag = "ApiTags::Programmes")]
impl EngagementsApi {
    /// A municipality's engagements
    ///
    /// Its status, dates and evidence in every programme (`not_engaged` where it never moved).
    /// Staff and that municipality's contacts; 404 for anyone else.
    #[oai(
        path = "/municipalities/:nis/engagements",
        method = "get",
        operation_id = "list_municipality_engagements"
    )]
    async fn list(&self, auth: BearerAuth, nis: Path<String>) -> Result<Json<EngagementList>, ApiError> {
        let code = self.municipality(&auth, &nis.0, Action::Read).await?;
        let items = self.engagements.for_municipality(code).await?;
        Ok(Json(EngagementList {
            municipality_nis: code.to_string(),
            items: items.into_iter().map(Into::into).collect(),
        }))
    }

    /// One engagement with its history
    ///
    /// Answers its `ETag`; send it back as `If-Match` with a `PATCH` so that a change made by
    /// someone else in between is not overwritten (412).
    #[oai(
        path = "/municipalities/:nis/engagements/:programme",
        method = "get",
        operation_id = "get_municipality_engagement"
    )]
    async fn get(
        &self,
        auth: BearerAuth,
        nis: Path<String>,
        programme: Path<String>,
    ) -> Result<EngagementRead, ApiError> {
        let code = self.municipality(&auth, &nis.0, Action::Read).await?;
        let engagement = self
            .engagements
            .get(code, &programme.0)
            .await?
            .ok_or_else(|| no_programme(&programme.0))?;
        let history = self.engagements.history(code, &programme.0, HISTORY_MAX).await?;
        let tag = etag(engagement.version);
        Ok(EngagementRead::Found(
            Json(EngagementDetail {
                municipality_nis: code.to_string(),
                engagement: engagement.into(),
                history: history.into_iter().map(Into::into).collect(),
            }),
            tag,
        ))
    }

    /// Change an engagement
    ///
    /// Status, dates and evidence in one change, checked together against the current state.
    /// A contact moves the status up to `committed` (with the council decision's date); only
    /// staff recognise (with the title's and the renewal's date) and lapse. A move not allowed
    /// is 409 naming the moves that are; a missing or wrong field is 400 naming it. Audited, and kept in
    /// the engagement's history.
    #[oai(
        path = "/municipalities/:nis/engagements/:programme",
        method = "patch",
        operation_id = "update_municipality_engagement"
    )]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        nis: Path<String>,
        programme: Path<String>,
        /// The `ETag` of the version this change was made from (or `*`); a stale one is 412.
        #[oai(name = "If-Match", validator(max_length = 200))]
        _if_match: Header<Option<String>>,
        body: Json<UpdateEngagement>,
    ) -> Result<EngagementUpdated, ApiError> {
        let if_match = if_match_of(req, "GET /municipalities/{nis}/engagements/{programme}")?;
        let code = self.municipality(&auth, &nis.0, Action::Write).await?;
        let mover = match auth.0.membership {
            Membership::Staff => Mover::Staff,
            _ => Mover::Contact,
        };
        let change = change_of(body.0);
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let precondition = |version: i32| passes(if_match.as_ref(), version);
        match self
            .engagements
            .change(code, &programme.0, precondition, &change, mover, &ctx)
            .await
        {
            Ok(changed) => {
                let tag = etag(changed.version);
                Ok(EngagementUpdated::Updated(Json(changed.into()), tag))
            }
            Err(ChangeError::NoProgramme) => Err(no_programme(&programme.0)),
            Err(ChangeError::Stale { current }) => Ok(EngagementUpdated::PreconditionFailed(Json(Problem::new(
                StatusCode::PRECONDITION_FAILED,
                format!(
                    "the engagement changed since you read it (If-Match does not name its current ETag {}); \
                     GET it again, reapply your change and send it with the new ETag",
                    etag(current)
                ),
            )))),
            Err(ChangeError::Refused(campaign_domain::engagement_change::ChangeRefused::Move(e))) => {
                Err(ApiError::conflict(e.to_string()))
            }
            Err(ChangeError::Refused(campaign_domain::engagement_change::ChangeRefused::Invalid(e))) => {
                Err(ApiError::validation(e))
            }
            Err(ChangeError::Store(e)) => Err(e.into()),
        }
    }

    /// Committed and recognised municipalities of a programme
    ///
    /// No sign-in. By default both statuses; `status` narrows to one. With counts per province;
    /// `Accept: application/geo+json` answers a GeoJSON FeatureCollection with each
    /// municipality's boundary (where loaded) for a map.
    #[oai(
        path = "/public/programmes/:code/municipalities",
        method = "get",
        operation_id = "list_programme_municipalities"
    )]
    async fn public_list(
        &self,
        req: &Request,
        code: Path<String>,
        /// Only municipalities with this status.
        status: Query<Option<PublicStatus>>,
    ) -> Result<Negotiated<PublicEngagementsResponse>, ApiError> {
        let programme = self
            .programmes
            .get(&code.0)
            .await?
            .ok_or_else(|| no_programme(&code.0))?;
        let statuses = match status.0 {
            Some(PublicStatus::Committed) => vec![EngagementStatus::Committed],
            Some(PublicStatus::Recognised) => vec![EngagementStatus::Recognised],
            None => vec![EngagementStatus::Committed, EngagementStatus::Recognised],
        };
        let engaged = self.engagements.with_status(&programme.code, &statuses).await?;
        if accept::preferred(req, &[accept::JSON, accept::GEO_JSON]) == accept::GEO_JSON {
            let shapes = self.shapes.current(&self.municipalities).await?;
            let features = engaged
                .into_iter()
                .map(|e| {
                    let id = e.municipality.nis_code.to_string();
                    EngagementFeature {
                        kind: "Feature".to_owned(),
                        geometry: shapes.get(&id).cloned().map(Any),
                        id,
                        properties: e.into(),
                    }
                })
                .collect();
            let map = EngagementMap {
                kind: "FeatureCollection".to_owned(),
                features,
            };
            let body = RenderedJson::new(&map)
                .map_err(|e| ApiError::internal(&format_args!("writing the programme map failed: {e}")))?;
            return Ok(Negotiated(PublicEngagementsResponse::Map(body)));
        }
        let counts = by_province(&engaged);
        Ok(Negotiated(PublicEngagementsResponse::List(Json(
            PublicEngagementList {
                programme: programme.code,
                programme_name: programme.name,
                items: engaged.into_iter().map(Into::into).collect(),
                by_province: counts,
            },
        ))))
    }

    /// Renewals coming due
    ///
    /// Recognised engagements whose renewal falls within `within_days` (default 90) of today
    /// (Europe/Brussels), overdue ones included, soonest first. Staff.
    #[oai(
        path = "/engagements/renewals-due",
        method = "get",
        operation_id = "list_renewals_due"
    )]
    async fn renewals_due(
        &self,
        auth: BearerAuth,
        /// Days ahead to look, 0 to 3650 (default 90).
        #[oai(validator(minimum(value = "0"), maximum(value = "3650")))]
        within_days: Query<Option<i64>>,
    ) -> Result<Json<RenewalList>, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "the renewals queue is for 11.11.11 staff",
        )?;
        let within = within_days.0.unwrap_or(90).clamp(0, RENEWAL_WINDOW_MAX_DAYS);
        let today = local_date(Utc::now());
        let until = today + Duration::days(within);
        let due = self.engagements.renewals_due(until).await?;
        let items = due
            .into_iter()
            .filter_map(|e| {
                let renewal_due_on = e.dates.renewal_due_on?;
                Some(RenewalDue {
                    programme: e.programme,
                    municipality_nis: e.municipality.nis_code.to_string(),
                    name_nl: e.municipality.name_nl,
                    province: e.municipality.province.into(),
                    recognised_on: e.dates.recognised_on,
                    days_left: (renewal_due_on - today).num_days(),
                    renewal_due_on,
                })
            })
            .collect();
        Ok(Json(RenewalList {
            within_days: within,
            items,
        }))
    }
}
