//! Trainings and network meetings of the 4th-pillar desk (`/trainings`): staff publish sessions;
//! anyone signed in registers; seats first, then a waiting line that moves up on a cancellation;
//! staff read (and download as CSV) a session's participants.

use std::sync::Arc;

use campaign_domain::policy::{Action, Scope};
use campaign_domain::training::{RegistrationStatus, SessionDetails, SessionKind};
use campaign_domain::user::Membership;
use campaign_persistence::trainings::{Registration, RegistrationError, Session, TrainingRepo};
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::totals::attachment;
use crate::auth::{AuthState, BearerAuth};
use crate::http::Negotiated;
use crate::http::accept;
use crate::http::csv_table::{Cell, CsvTable};
use crate::problem::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SessionKindName {
    Training,
    NetworkMeeting,
}

impl From<SessionKindName> for SessionKind {
    fn from(k: SessionKindName) -> Self {
        match k {
            SessionKindName::Training => Self::Training,
            SessionKindName::NetworkMeeting => Self::NetworkMeeting,
        }
    }
}

impl From<SessionKind> for SessionKindName {
    fn from(k: SessionKind) -> Self {
        match k {
            SessionKind::Training => Self::Training,
            SessionKind::NetworkMeeting => Self::NetworkMeeting,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RegistrationStatusName {
    /// Has a seat.
    Registered,
    /// In line for a seat; moves up when a seat frees.
    Waitlisted,
    Cancelled,
}

impl From<RegistrationStatus> for RegistrationStatusName {
    fn from(s: RegistrationStatus) -> Self {
        match s {
            RegistrationStatus::Registered => Self::Registered,
            RegistrationStatus::Waitlisted => Self::Waitlisted,
            RegistrationStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// A session, with its seats and the caller's own registration.
#[derive(Debug, Object)]
pub struct SessionOut {
    pub id: Uuid,
    pub kind: SessionKindName,
    pub title: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    #[oai(nullable)]
    pub place: Option<String>,
    #[oai(nullable)]
    pub online_link: Option<String>,
    pub capacity: u32,
    pub registered: u32,
    pub waitlisted: u32,
    pub seats_left: u32,
    /// Always free of charge.
    pub free: bool,
    /// The caller's registration, if any.
    #[oai(nullable)]
    pub my_registration: Option<RegistrationOut>,
}

fn session_out(s: Session, mine: Option<Registration>) -> SessionOut {
    let d = s.details;
    SessionOut {
        id: s.id,
        kind: d.kind.into(),
        title: d.title,
        description: d.description,
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        place: d.place,
        online_link: d.online_link,
        capacity: d.capacity,
        registered: s.registered,
        waitlisted: s.waitlisted,
        seats_left: d.capacity.saturating_sub(s.registered),
        free: true,
        my_registration: mine.map(Into::into),
    }
}

#[derive(Debug, Object)]
pub struct SessionList {
    pub items: Vec<SessionOut>,
}

/// A registration.
#[derive(Debug, Object, Clone)]
pub struct RegistrationOut {
    pub id: Uuid,
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub status: RegistrationStatusName,
    /// The place in line: when (re-)registered.
    pub queued_at: DateTime<Utc>,
}

impl From<Registration> for RegistrationOut {
    fn from(r: Registration) -> Self {
        Self {
            id: r.id,
            session_id: r.session_id,
            user_id: r.user.as_uuid(),
            name: r.name,
            email: r.email,
            status: r.status.into(),
            queued_at: r.queued_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct RegistrationList {
    pub items: Vec<RegistrationOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct NewSession {
    pub kind: Option<SessionKindName>,
    #[oai(validator(max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
    pub starts_at: DateTime<Utc>,
    /// After `starts_at`.
    pub ends_at: DateTime<Utc>,
    /// A place, an `online_link`, or both.
    #[oai(validator(max_length = 300))]
    pub place: Option<String>,
    #[oai(validator(max_length = 500))]
    pub online_link: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10000")))]
    pub capacity: i64,
}

#[derive(ApiResponse)]
pub enum SessionCreated {
    /// The session is published.
    #[oai(status = 201)]
    Created(Json<SessionOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum Registered {
    /// Registered (`registered`: a seat; `waitlisted`: in line).
    #[oai(status = 201)]
    Created(Json<RegistrationOut>),
}

#[derive(ApiResponse)]
pub enum ParticipantsResponse {
    /// The participants, seats first, then the line, then cancellations; as CSV
    /// (`status,name,email,queued_at`) when `Accept` prefers `text/csv`.
    #[oai(status = 200)]
    Json(Json<RegistrationList>),
    /// The participants as CSV.
    #[oai(status = 200, content_type = "text/csv")]
    Csv(
        PlainText<String>,
        /// CSV only: `attachment; filename="training-<id>.csv"`.
        #[oai(header = "Content-Disposition")]
        Option<String>,
    ),
}

pub struct TrainingsApi {
    pub trainings: TrainingRepo,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no training {id}; GET /api/v1/trainings lists them"))
}

fn registration_error(e: RegistrationError, session: Uuid) -> ApiError {
    match e {
        RegistrationError::NoSession => missing(session),
        RegistrationError::NotFound => ApiError::not_found("there is no such registration of yours for this training"),
        RegistrationError::Already(r) => ApiError::conflict(format!(
            "you are {} for this training already (registration {})",
            r.status.as_str(),
            r.id
        )),
        RegistrationError::Ended => {
            ApiError::conflict("this training has ended; GET /api/v1/trainings lists those ahead")
        }
        RegistrationError::Store(e) => e.into(),
    }
}

#[OpenApi(tag = "ApiTags::FourthPillar")]
impl TrainingsApi {
    /// Trainings and network meetings
    ///
    /// Those that have not ended, soonest first, with seats left and the caller's own
    /// registration. Any signed-in role.
    #[oai(path = "/trainings", method = "get", operation_id = "list_trainings")]
    async fn list(&self, auth: BearerAuth) -> Result<Json<SessionList>, ApiError> {
        let mut mine = self.trainings.of_user(auth.0.user_id).await?;
        let sessions = self.trainings.upcoming(Utc::now()).await?;
        Ok(Json(SessionList {
            items: sessions
                .into_iter()
                .map(|s| {
                    let own = mine.remove(&s.id);
                    session_out(s, own)
                })
                .collect(),
        }))
    }

    /// Publish a training or network meeting
    ///
    /// Staff only; free of charge; audited. Times in UTC (shown in Brussels time by clients).
    #[oai(path = "/trainings", method = "post", operation_id = "create_training")]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<NewSession>,
    ) -> Result<SessionCreated, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only 11.11.11 staff publish trainings",
        )?;
        let b = &body.0;
        let details = SessionDetails::new(
            b.kind.map_or(SessionKind::Training, Into::into),
            &b.title,
            b.description.as_deref(),
            b.starts_at,
            b.ends_at,
            b.place.as_deref(),
            b.online_link.as_deref(),
            b.capacity,
        )?;
        let created = self
            .trainings
            .create(details, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?;
        let location = format!("/api/v1/trainings/{}", created.id);
        Ok(SessionCreated::Created(Json(session_out(created, None)), location))
    }

    /// Register for a training
    ///
    /// The caller registers: a seat while there is one (`registered`), else a place in line
    /// (`waitlisted`). Never more seats than the capacity, whatever arrives at once. Registered
    /// or in line already: 409.
    #[oai(
        path = "/trainings/:id/registrations",
        method = "post",
        operation_id = "register_for_training"
    )]
    async fn register(&self, auth: BearerAuth, req: &Request, id: Path<Uuid>) -> Result<Registered, ApiError> {
        let registration = self
            .trainings
            .register(id.0, auth.0.user_id, &audit_context(req, &self.auth, Some(&auth.0)))
            .await
            .map_err(|e| registration_error(e, id.0))?;
        Ok(Registered::Created(Json(registration.into())))
    }

    /// Cancel a registration
    ///
    /// One's own, or any for staff (404 for someone else's). A freed seat goes to the first in
    /// line at once. Cancelling a cancelled registration changes nothing.
    #[oai(
        path = "/trainings/:id/registrations/:rid",
        method = "delete",
        operation_id = "cancel_training_registration"
    )]
    async fn cancel(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        rid: Path<Uuid>,
    ) -> Result<Json<RegistrationOut>, ApiError> {
        let registration = self
            .trainings
            .registration(rid.0)
            .await?
            .filter(|r| r.session_id == id.0 && (auth.0.membership == Membership::Staff || r.user == auth.0.user_id))
            .ok_or_else(|| ApiError::not_found("there is no such registration of yours for this training"))?;
        let cancelled = self
            .trainings
            .cancel(id.0, registration.id, &audit_context(req, &self.auth, Some(&auth.0)))
            .await
            .map_err(|e| registration_error(e, id.0))?;
        Ok(Json(cancelled.into()))
    }

    /// A training's participants
    ///
    /// Staff only: seats first (in order of registration), then the line, then cancellations;
    /// CSV when `Accept` prefers `text/csv`.
    #[oai(
        path = "/trainings/:id/registrations",
        method = "get",
        operation_id = "list_training_registrations"
    )]
    async fn participants(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
    ) -> Result<Negotiated<ParticipantsResponse>, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Manage,
            Scope::Administration,
            String::new,
            "only 11.11.11 staff read a training's participants",
        )?;
        if self.trainings.get(id.0).await?.is_none() {
            return Err(missing(id.0));
        }
        let all = self.trainings.registrations(id.0).await?;
        if accept::preferred(req, &[accept::JSON, accept::CSV]) == accept::CSV {
            let mut csv = CsvTable::new(&["status", "name", "email", "queued_at"])?;
            for r in &all {
                let queued = r.queued_at.to_rfc3339();
                csv.row(&[
                    Cell::Text(r.status.as_str()),
                    Cell::Text(&r.name),
                    Cell::Text(&r.email),
                    Cell::Text(&queued),
                ])?;
            }
            return Ok(Negotiated(ParticipantsResponse::Csv(
                PlainText(csv.finish()?),
                Some(attachment(&format!("training-{}.csv", id.0))),
            )));
        }
        Ok(Negotiated(ParticipantsResponse::Json(Json(RegistrationList {
            items: all.into_iter().map(Into::into).collect(),
        }))))
    }
}
