//! The 11.11.11 fund for the 4th pillar: yearly calls (`/fund-calls`, staff open them) and the
//! initiatives' applications: drafted and edited by the initiative's accounts, submitted before
//! the call's deadline (the server's clock decides), reviewed, granted or refused by staff.

use std::sync::Arc;

use campaign_domain::fund::{self, ApplicationDetails, ApplicationStatus, CallTerms};
use campaign_domain::ids::InitiativeId;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::user::{Membership, parse_text};
use campaign_persistence::fund::{Application, ApplicationFilter, Call, Decision, FundRepo, StepError};
use campaign_persistence::initiatives::InitiativeRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context, staff_only};
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ApplicationStatusName {
    Draft,
    Submitted,
    UnderReview,
    Granted,
    Refused,
}

impl From<ApplicationStatus> for ApplicationStatusName {
    fn from(s: ApplicationStatus) -> Self {
        match s {
            ApplicationStatus::Draft => Self::Draft,
            ApplicationStatus::Submitted => Self::Submitted,
            ApplicationStatus::UnderReview => Self::UnderReview,
            ApplicationStatus::Granted => Self::Granted,
            ApplicationStatus::Refused => Self::Refused,
        }
    }
}

impl From<ApplicationStatusName> for ApplicationStatus {
    fn from(s: ApplicationStatusName) -> Self {
        match s {
            ApplicationStatusName::Draft => Self::Draft,
            ApplicationStatusName::Submitted => Self::Submitted,
            ApplicationStatusName::UnderReview => Self::UnderReview,
            ApplicationStatusName::Granted => Self::Granted,
            ApplicationStatusName::Refused => Self::Refused,
        }
    }
}

/// A yearly call.
#[derive(Debug, Object)]
pub struct CallOut {
    pub year: i32,
    pub budget_cents: i64,
    pub max_per_application_cents: i64,
    /// The last moment a submission is taken (UTC).
    pub deadline: DateTime<Utc>,
    /// The same, as people in Brussels read it: `31/03/2027 23:59:59 (Brussels time)`.
    pub deadline_brussels: String,
    /// Whether submissions are taken now (by the server's clock).
    pub open: bool,
    pub granted_cents: i64,
    /// The budget not granted yet.
    pub remaining_cents: i64,
}

impl From<Call> for CallOut {
    fn from(c: Call) -> Self {
        let t = c.terms;
        Self {
            year: t.year,
            budget_cents: t.budget_cents,
            max_per_application_cents: t.max_per_application_cents,
            deadline: t.deadline,
            deadline_brussels: fund::in_brussels(t.deadline),
            open: fund::on_time(Utc::now(), t.deadline),
            granted_cents: c.granted_cents,
            remaining_cents: t.budget_cents - c.granted_cents,
        }
    }
}

#[derive(Debug, Object)]
pub struct CallList {
    pub items: Vec<CallOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct OpenCall {
    #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))]
    pub year: i64,
    /// €1 to €100 million, in cents.
    #[oai(validator(minimum(value = "100"), maximum(value = "10000000000")))]
    pub budget_cents: i64,
    /// €1 up to the budget, in cents.
    #[oai(validator(minimum(value = "100"), maximum(value = "10000000000")))]
    pub max_per_application_cents: i64,
    /// Default: 31 March 23:59:59 Europe/Brussels of `year`. In `year` or the year before.
    pub deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Object, Clone)]
pub struct BudgetLineOut {
    pub label: String,
    pub amount_cents: i64,
}

#[derive(Debug, Object, Clone)]
#[oai(deny_unknown_fields)]
pub struct BudgetLineIn {
    #[oai(validator(max_length = 120))]
    pub label: String,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000000000")))]
    pub amount_cents: i64,
}

/// An application to the fund.
#[derive(Debug, Object)]
pub struct ApplicationOut {
    pub id: Uuid,
    pub call_year: i32,
    pub initiative_id: Uuid,
    pub status: ApplicationStatusName,
    pub project_title: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub partner: String,
    pub summary: String,
    pub requested_cents: i64,
    pub budget_lines: Vec<BudgetLineOut>,
    #[oai(nullable)]
    pub granted_cents: Option<i64>,
    #[oai(nullable)]
    pub refusal_reason: Option<String>,
    #[oai(nullable)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Application> for ApplicationOut {
    fn from(a: Application) -> Self {
        let d = a.details;
        Self {
            id: a.id,
            call_year: a.call_year,
            initiative_id: a.initiative.as_uuid(),
            status: a.status.into(),
            project_title: d.project_title,
            country: d.country,
            partner: d.partner,
            summary: d.summary,
            requested_cents: d.requested_cents,
            budget_lines: d
                .budget_lines
                .into_iter()
                .map(|l| BudgetLineOut {
                    label: l.label,
                    amount_cents: l.amount_cents,
                })
                .collect(),
            granted_cents: a.granted_cents,
            refusal_reason: a.refusal_reason,
            submitted_at: a.submitted_at,
            decided_at: a.decided_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ApplicationList {
    pub items: Vec<ApplicationOut>,
}

/// A new draft. Staff name the initiative; an initiative's account drafts for its own.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct DraftApplication {
    pub initiative_id: Option<Uuid>,
    #[oai(validator(max_length = 200))]
    pub project_title: String,
    /// ISO 3166-1 alpha-2, e.g. `CD`.
    #[oai(validator(max_length = 2, min_length = 2))]
    pub country: String,
    #[oai(validator(max_length = 200))]
    pub partner: String,
    #[oai(validator(max_length = 5000))]
    pub summary: String,
    /// At most the call's maximum per application.
    #[oai(validator(minimum(value = "100"), maximum(value = "10000000000")))]
    pub requested_cents: i64,
    /// Lines that add up to `requested_cents` exactly.
    #[oai(validator(min_items = 1, max_items = 30))]
    pub budget_lines: Vec<BudgetLineIn>,
}

/// A change to a draft: absent fields stay; `budget_lines` replaces the lines.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EditApplication {
    #[oai(validator(max_length = 200))]
    pub project_title: Option<String>,
    #[oai(validator(max_length = 2, min_length = 2))]
    pub country: Option<String>,
    #[oai(validator(max_length = 200))]
    pub partner: Option<String>,
    #[oai(validator(max_length = 5000))]
    pub summary: Option<String>,
    #[oai(validator(minimum(value = "100"), maximum(value = "10000000000")))]
    pub requested_cents: Option<i64>,
    #[oai(validator(min_items = 1, max_items = 30))]
    pub budget_lines: Option<Vec<BudgetLineIn>>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct Grant {
    /// At most what was requested and what is left of the budget.
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000000")))]
    pub amount_cents: i64,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct Refuse {
    /// Why, for the initiative to read: 1 to 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub reason: String,
}

#[derive(ApiResponse)]
pub enum CallOpened {
    /// The call is open.
    #[oai(status = 201)]
    Created(Json<CallOut>),
}

#[derive(ApiResponse)]
pub enum ApplicationDrafted {
    /// The application is a draft.
    #[oai(status = 201)]
    Created(Json<ApplicationOut>, #[oai(header = "Location")] String),
}

pub struct FundApi {
    pub fund: FundRepo,
    pub initiatives: InitiativeRepo,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no application {id} of yours"))
}

fn step_error(e: StepError, id: Uuid) -> ApiError {
    match e {
        StepError::NotFound => missing(id),
        StepError::Refused(e) => ApiError::conflict(e.to_string()),
        StepError::Store(e) => e.into(),
    }
}

fn details(
    title: &str,
    country: &str,
    partner: &str,
    summary: &str,
    requested: i64,
    lines: &[BudgetLineIn],
    max: i64,
) -> Result<ApplicationDetails, ApiError> {
    Ok(ApplicationDetails::new(
        title,
        country,
        partner,
        summary,
        requested,
        lines.iter().map(|l| (l.label.clone(), l.amount_cents)).collect(),
        max,
    )?)
}

impl FundApi {
    /// The application, if the actor may see it (staff, the initiative's accounts).
    async fn visible(&self, auth: &BearerAuth, id: Uuid, action: Action) -> Result<Application, ApiError> {
        let application = self.fund.get(id).await?.ok_or_else(|| missing(id))?;
        let _grant = allow(
            &auth.0,
            action,
            Scope::Initiative(application.initiative),
            || format!("there is no application {id} of yours"),
            "only staff and the initiative's own accounts change its applications",
        )?;
        Ok(application)
    }

    async fn call(&self, year: i32) -> Result<Call, ApiError> {
        self.fund.call(year).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "there is no fund call for {year}; GET /api/v1/fund-calls lists them"
            ))
        })
    }
}

#[OpenApi(tag = "ApiTags::FourthPillar")]
impl FundApi {
    /// Open a yearly call
    ///
    /// Staff only; audited. The deadline defaults to 31 March 23:59:59 Europe/Brussels of
    /// `year`. One call per year (409).
    #[oai(path = "/fund-calls", method = "post", operation_id = "open_fund_call")]
    async fn open_call(&self, auth: BearerAuth, req: &Request, body: Json<OpenCall>) -> Result<CallOpened, ApiError> {
        staff_only(&auth.0, "only 11.11.11 staff open calls of the fund")?;
        let terms = CallTerms::new(
            body.year,
            body.budget_cents,
            body.max_per_application_cents,
            body.deadline,
        )?;
        let call = self
            .fund
            .open_call(terms, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        Ok(CallOpened::Created(Json(call.into())))
    }

    /// The fund's calls
    ///
    /// Newest first, with the deadline in Brussels time, whether the call is open now, and how
    /// much of the budget is granted. Any signed-in role.
    #[oai(path = "/fund-calls", method = "get", operation_id = "list_fund_calls")]
    async fn calls(&self, _auth: BearerAuth) -> Result<Json<CallList>, ApiError> {
        Ok(Json(CallList {
            items: self.fund.calls().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// Draft an application
    ///
    /// An initiative's accounts draft for their own initiative (`initiative_id` may be left
    /// out); staff name it. `requested_cents` at most the call's maximum, budget lines adding up
    /// to it (400 naming the field). A draft can be drafted and edited after the deadline; only
    /// submitting is refused then.
    #[oai(
        path = "/fund-calls/:year/applications",
        method = "post",
        operation_id = "draft_application"
    )]
    async fn draft(
        &self,
        auth: BearerAuth,
        req: &Request,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Path<i32>,
        body: Json<DraftApplication>,
    ) -> Result<ApplicationDrafted, ApiError> {
        let initiative = match (auth.0.membership, body.initiative_id) {
            (Membership::Initiative { initiative }, None) => initiative,
            (_, Some(id)) => InitiativeId::from_uuid(id),
            (Membership::Staff, None) => {
                return Err(ApiError::invalid_field(
                    "initiative_id",
                    "staff name the initiative the application is for",
                ));
            }
            (_, None) => {
                return Err(ApiError::forbidden(format!(
                    "applications are drafted by an initiative's accounts (or staff); your role is {}",
                    auth.0.role().as_str()
                )));
            }
        };
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Initiative(initiative),
            || format!("there is no initiative {initiative} of yours"),
            "only staff and the initiative's own accounts apply in its name",
        )?;
        if self.initiatives.get(initiative).await?.is_none() {
            return Err(ApiError::not_found(format!("there is no initiative {initiative}")));
        }
        let call = self.call(year.0).await?;
        let b = &body.0;
        let details = details(
            &b.project_title,
            &b.country,
            &b.partner,
            &b.summary,
            b.requested_cents,
            &b.budget_lines,
            call.terms.max_per_application_cents,
        )?;
        let created = self
            .fund
            .draft(
                year.0,
                initiative,
                details,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        let location = format!("/api/v1/applications/{}", created.id);
        Ok(ApplicationDrafted::Created(Json(created.into()), location))
    }

    /// Applications
    ///
    /// Newest first; filter by `call_year` and `status`. Staff see all, an initiative's
    /// accounts their own; others are refused (403).
    #[oai(path = "/applications", method = "get", operation_id = "list_applications")]
    async fn list(
        &self,
        auth: BearerAuth,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] call_year: Query<Option<i32>>,
        status: Query<Option<ApplicationStatusName>>,
    ) -> Result<Json<ApplicationList>, ApiError> {
        let mut filter = ApplicationFilter {
            call_year: call_year.0,
            status: status.0.map(Into::into),
            initiative: None,
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::Initiative { initiative } => filter.initiative = Some(initiative),
            _ => {
                return Err(ApiError::forbidden(format!(
                    "fund applications are for staff and initiatives; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        Ok(Json(ApplicationList {
            items: self.fund.list(&filter).await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// One application
    ///
    /// Staff and the initiative's accounts (404 for anyone else), in every state: a draft stays
    /// readable after the deadline, and the decision shows here.
    #[oai(path = "/applications/:id", method = "get", operation_id = "get_application")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<ApplicationOut>, ApiError> {
        Ok(Json(self.visible(&auth, id.0, Action::Read).await?.into()))
    }

    /// Edit a draft
    ///
    /// Staff and the initiative's accounts; the whole application is checked again. Anything
    /// but a draft is 409.
    #[oai(path = "/applications/:id", method = "patch", operation_id = "edit_application")]
    async fn edit(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<EditApplication>,
    ) -> Result<Json<ApplicationOut>, ApiError> {
        let current = self.visible(&auth, id.0, Action::Write).await?;
        let call = self.call(current.call_year).await?;
        let d = current.details;
        let b = body.0;
        let lines: Vec<BudgetLineIn> = b.budget_lines.unwrap_or_else(|| {
            d.budget_lines
                .iter()
                .map(|l| BudgetLineIn {
                    label: l.label.clone(),
                    amount_cents: l.amount_cents,
                })
                .collect()
        });
        let details = details(
            b.project_title.as_deref().unwrap_or(&d.project_title),
            b.country.as_deref().unwrap_or(&d.country),
            b.partner.as_deref().unwrap_or(&d.partner),
            b.summary.as_deref().unwrap_or(&d.summary),
            b.requested_cents.unwrap_or(d.requested_cents),
            &lines,
            call.terms.max_per_application_cents,
        )?;
        let changed = self
            .fund
            .edit(id.0, details, &audit_context(req, &self.auth, Some(&auth.0)))
            .await
            .map_err(|e| step_error(e, id.0))?;
        Ok(Json(changed.into()))
    }

    /// Submit an application
    ///
    /// Staff and the initiative's accounts. Only a draft, and only until the call's deadline by
    /// the server's clock: afterwards 409 naming the deadline in Brussels time.
    #[oai(
        path = "/applications/:id/submit",
        method = "post",
        operation_id = "submit_application"
    )]
    async fn submit(&self, auth: BearerAuth, req: &Request, id: Path<Uuid>) -> Result<Json<ApplicationOut>, ApiError> {
        self.visible(&auth, id.0, Action::Write).await?;
        let submitted = self
            .fund
            .submit(id.0, Utc::now(), &audit_context(req, &self.auth, Some(&auth.0)))
            .await
            .map_err(|e| step_error(e, id.0))?;
        Ok(Json(submitted.into()))
    }

    /// Take an application into review
    ///
    /// Staff only; a submitted application becomes `under_review` (409 otherwise).
    #[oai(
        path = "/applications/:id/review",
        method = "post",
        operation_id = "review_application"
    )]
    async fn review(&self, auth: BearerAuth, req: &Request, id: Path<Uuid>) -> Result<Json<ApplicationOut>, ApiError> {
        self.decide(auth, req, id.0, Decision::Review).await
    }

    /// Grant an application
    ///
    /// Staff only, for an application under review: at most what it requested and what is left
    /// of the call's budget (409 saying how much is left), even with several reviewers
    /// granting at once.
    #[oai(
        path = "/applications/:id/grant",
        method = "post",
        operation_id = "grant_application"
    )]
    async fn grant(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<Grant>,
    ) -> Result<Json<ApplicationOut>, ApiError> {
        self.decide(auth, req, id.0, Decision::Grant(body.amount_cents)).await
    }

    /// Refuse an application
    ///
    /// Staff only, for an application under review, with a reason the initiative reads.
    #[oai(
        path = "/applications/:id/refuse",
        method = "post",
        operation_id = "refuse_application"
    )]
    async fn refuse(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<Refuse>,
    ) -> Result<Json<ApplicationOut>, ApiError> {
        let reason = parse_reason(&body.reason)?;
        self.decide(auth, req, id.0, Decision::Refuse(reason)).await
    }
}

fn parse_reason(raw: &str) -> Result<String, ApiError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ApiError::invalid_field("reason", "say why the application is refused"));
    }
    if text.contains('\n') {
        return Ok(text.to_owned());
    }
    Ok(parse_text("reason", text, 2000)?)
}

impl FundApi {
    async fn decide(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Uuid,
        decision: Decision,
    ) -> Result<Json<ApplicationOut>, ApiError> {
        // Someone else's application does not exist for them; one's own is not one's to decide.
        self.visible(&auth, id, Action::Read).await?;
        staff_only(&auth.0, "only 11.11.11 staff decide on applications")?;
        let decided = self
            .fund
            .decide(
                id,
                decision,
                auth.0.user_id,
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await
            .map_err(|e| step_error(e, id))?;
        Ok(Json(decided.into()))
    }
}
