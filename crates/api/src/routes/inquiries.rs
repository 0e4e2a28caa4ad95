//! Inquiries about offers: a municipality's contact asks a member organisation about one of its
//! offers (`POST /offers/{id}/inquiries`), the organisation's accounts answer, and the two sides
//! move it `sent → answered → agreed | declined | closed`. Staff see and may act on all of them.

use std::sync::Arc;

use campaign_domain::inquiry::{self, InquiryStatus, Side};
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::question;
use campaign_domain::user::Membership;
use campaign_persistence::inquiries::{Inquiry, InquiryError, InquiryFilter, InquiryRepo, InquiryThread, NewInquiry};
use campaign_persistence::municipalities::MunicipalityRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::idempotency;
use super::pagination;
use super::questions::NewMessage;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "inquiries";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum InquiryStatusName {
    /// Waiting for the organisation.
    Sent,
    /// The organisation answered; the two sides talk it through.
    Answered,
    /// Both go ahead.
    Agreed,
    /// Not going ahead (final).
    Declined,
    /// Done or withdrawn (final).
    Closed,
}

impl From<InquiryStatus> for InquiryStatusName {
    fn from(s: InquiryStatus) -> Self {
        match s {
            InquiryStatus::Sent => Self::Sent,
            InquiryStatus::Answered => Self::Answered,
            InquiryStatus::Agreed => Self::Agreed,
            InquiryStatus::Declined => Self::Declined,
            InquiryStatus::Closed => Self::Closed,
        }
    }
}

impl From<InquiryStatusName> for InquiryStatus {
    fn from(s: InquiryStatusName) -> Self {
        match s {
            InquiryStatusName::Sent => Self::Sent,
            InquiryStatusName::Answered => Self::Answered,
            InquiryStatusName::Agreed => Self::Agreed,
            InquiryStatusName::Declined => Self::Declined,
            InquiryStatusName::Closed => Self::Closed,
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SideName {
    /// The asking municipality's contact.
    Municipality,
    /// The organisation whose offer it is.
    Organisation,
    /// 11.11.11 staff.
    Staff,
}

impl From<Side> for SideName {
    fn from(s: Side) -> Self {
        match s {
            Side::Municipality => Self::Municipality,
            Side::Organisation => Self::Organisation,
            Side::Staff => Self::Staff,
        }
    }
}

/// An inquiry as lists show it.
#[derive(Debug, Object)]
pub struct InquiryOut {
    pub id: Uuid,
    pub offer_id: Uuid,
    pub offer_title: String,
    pub organisation_id: Uuid,
    pub organisation_name: String,
    pub municipality_nis: String,
    #[oai(nullable)]
    pub asked_by: Option<Uuid>,
    pub status: InquiryStatusName,
    #[oai(nullable)]
    pub preferred_period: Option<String>,
    #[oai(nullable)]
    pub audience_size: Option<u32>,
    pub created_at: DateTime<Utc>,
    /// The last message or move.
    pub updated_at: DateTime<Utc>,
}

impl From<Inquiry> for InquiryOut {
    fn from(i: Inquiry) -> Self {
        Self {
            id: i.id,
            offer_id: i.offer_id,
            offer_title: i.offer_title,
            organisation_id: i.organisation.as_uuid(),
            organisation_name: i.organisation_name,
            municipality_nis: i.municipality.to_string(),
            asked_by: i.asked_by.map(|u| u.as_uuid()),
            status: i.status.into(),
            preferred_period: i.preferred_period,
            audience_size: i.audience_size,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct InquiryMessageOut {
    pub id: Uuid,
    #[oai(nullable)]
    pub author: Option<Uuid>,
    pub side: SideName,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// An inquiry with its messages, oldest first, and the statuses it can move to next.
#[derive(Debug, Object)]
pub struct InquiryThreadOut {
    #[oai(flatten)]
    pub inquiry: InquiryOut,
    pub messages: Vec<InquiryMessageOut>,
    pub next_statuses: Vec<InquiryStatusName>,
}

impl From<InquiryThread> for InquiryThreadOut {
    fn from(t: InquiryThread) -> Self {
        let next_statuses = inquiry::next_statuses(t.inquiry.status)
            .into_iter()
            .map(Into::into)
            .collect();
        Self {
            inquiry: t.inquiry.into(),
            messages: t
                .messages
                .into_iter()
                .map(|m| InquiryMessageOut {
                    id: m.id,
                    author: m.author.map(|a| a.as_uuid()),
                    side: m.side.into(),
                    text: m.text,
                    created_at: m.created_at,
                })
                .collect(),
            next_statuses,
        }
    }
}

#[derive(Debug, Object)]
pub struct InquiryPage {
    pub items: Vec<InquiryOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A municipality's inquiry about an offer.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SendInquiry {
    /// The asking municipality (the contact's own).
    #[oai(validator(pattern = "^[0-9]{5}$"))]
    pub municipality_nis: String,
    /// What the municipality would like, up to 5000 characters, line breaks kept.
    #[oai(validator(max_length = 5000))]
    pub message: String,
    /// When, in the municipality's words ("spring 2027"), up to 100 characters.
    #[oai(validator(max_length = 100))]
    pub preferred_period: Option<String>,
    /// How many people are expected, 1 to 100000.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub audience_size: Option<i64>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct InquiryMove {
    /// `answered` (the organisation), `agreed`, `declined` or `closed`.
    pub status: InquiryStatusName,
}

#[derive(ApiResponse)]
pub enum InquirySent {
    /// The inquiry is sent to the organisation.
    #[oai(status = 201)]
    Created(
        Json<InquiryThreadOut>,
        #[oai(header = "Location")] String,
        /// `true` when this answers a retry with the same `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

#[derive(ApiResponse)]
pub enum InquiryMessageAdded {
    /// The message is added; the inquiry as it is now.
    #[oai(status = 201)]
    Created(Json<InquiryThreadOut>),
}

pub struct InquiriesApi {
    pub inquiries: InquiryRepo,
    pub municipalities: MunicipalityRepo,
    pub auth: Arc<AuthState>,
}

fn replay(stored: &str) -> Result<InquirySent, ApiError> {
    let thread: InquiryThreadOut = idempotency::replayed(stored)?;
    let location = format!("/api/v1/inquiries/{}", thread.inquiry.id);
    Ok(InquirySent::Created(Json(thread), location, true))
}

fn inquiry_error(e: InquiryError, id: Uuid) -> ApiError {
    match e {
        InquiryError::NotFound => ApiError::not_found(format!("there is no inquiry {id}")),
        InquiryError::Refused(inquiry::InquiryRefused::OrganisationOnly(to)) => ApiError::forbidden(format!(
            "only the organisation makes an inquiry {}; your side is the municipality",
            to.as_str()
        )),
        InquiryError::Refused(e) => ApiError::conflict(e.to_string()),
        InquiryError::Changed => {
            ApiError::conflict("the inquiry changed while this request was handled; read it again and retry")
        }
        InquiryError::Store(e) => e.into(),
    }
}

impl InquiriesApi {
    /// The inquiry, if the actor may see it, and the side they act for.
    async fn visible(&self, auth: &BearerAuth, id: Uuid) -> Result<(InquiryThread, Side), ApiError> {
        let missing = || format!("there is no inquiry {id}");
        let thread = self
            .inquiries
            .get(id)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let side = match auth.0.membership {
            Membership::Staff => Side::Staff,
            Membership::MemberOrg { .. } => {
                let _grant = allow(
                    &auth.0,
                    Action::Write,
                    Scope::MemberOrg(thread.inquiry.organisation),
                    missing,
                    "",
                )?;
                Side::Organisation
            }
            _ => {
                let _grant = allow(
                    &auth.0,
                    Action::Write,
                    Scope::Municipality(thread.inquiry.municipality),
                    missing,
                    "only staff, the municipality's contacts and the organisation write in an inquiry",
                )?;
                Side::Municipality
            }
        };
        Ok((thread, side))
    }
}

#[OpenApi(tag = "ApiTags::MemberOrganisations")]
impl InquiriesApi {
    /// Ask an organisation about its offer
    ///
    /// For staff and the contacts of `municipality_nis` (404 for another municipality). The
    /// offer must still be offered (404 otherwise). Answered `sent`, with the first message;
    /// the organisation's accounts see it in `GET /inquiries`. `Idempotency-Key` is honoured.
    #[oai(path = "/offers/:id/inquiries", method = "post", operation_id = "send_inquiry")]
    async fn send(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        /// A key of your choice, unique per request (e.g. a UUID), kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<SendInquiry>,
    ) -> Result<InquirySent, ApiError> {
        let nis = NisCode::parse_field("municipality_nis", &body.municipality_nis)?;
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Municipality(nis),
            || format!("there is no municipality {nis} of yours"),
            "only staff and the municipality's contacts ask in its name",
        )?;
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        if let Some(key) = &key
            && let Some((_, stored)) = idempotency::earlier(self.inquiries.earlier_answer(key).await?)?
        {
            return replay(&stored);
        }
        let message = question::message_text(&body.message).map_err(|mut e| {
            for error in &mut e.errors {
                "message".clone_into(&mut error.field);
            }
            e
        });
        let period = body
            .preferred_period
            .as_deref()
            .map(inquiry::preferred_period)
            .transpose();
        let size = body.audience_size.map(inquiry::audience_size).transpose();
        let (message, preferred_period, audience_size) = match (message, period, size) {
            (Ok(m), Ok(p), Ok(s)) => (m, p, s),
            (m, p, s) => {
                let all = campaign_domain::ValidationError::all([m.err(), p.err(), s.err()]);
                return Err(ApiError::validation(all));
            }
        };
        if self.municipalities.get(nis).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "there is no municipality {nis} in Flanders or Brussels"
            )));
        }
        let new = NewInquiry {
            offer_id: id.0,
            municipality: nis,
            asked_by: auth.0.user_id,
            side: match auth.0.membership {
                Membership::Staff => Side::Staff,
                _ => Side::Municipality,
            },
            message,
            preferred_period,
            audience_size,
        };
        let render = |t: &InquiryThread| idempotency::created_json(InquiryThreadOut::from(t.clone()));
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let created = self.inquiries.send(new, &ctx, key.as_ref(), render).await?;
        idempotency::answer(
            created,
            |thread| {
                let location = format!("/api/v1/inquiries/{}", thread.inquiry.id);
                InquirySent::Created(Json(thread.into()), location, false)
            },
            replay,
        )
    }

    /// Inquiries
    ///
    /// Oldest first: staff see all, a contact their municipality's, a `member_org` account its
    /// organisation's (its inbox). Filter by `status` and `offer_id`. Volunteers have none (403).
    #[oai(path = "/inquiries", method = "get", operation_id = "list_inquiries")]
    async fn list(
        &self,
        auth: BearerAuth,
        status: Query<Option<InquiryStatusName>>,
        offer_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<InquiryPage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let mut filter = InquiryFilter {
            status: status.0.map(Into::into),
            offer: offer_id.0,
            ..InquiryFilter::default()
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::MunicipalContact { municipality } => filter.municipality = Some(municipality),
            Membership::MemberOrg { organisation } => filter.organisation = Some(organisation),
            Membership::Volunteer { .. } | Membership::Initiative { .. } => {
                return Err(ApiError::forbidden(format!(
                    "inquiries are for staff, municipal contacts and member organisations; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        if let Some(raw) = cursor.0.as_deref() {
            filter.after = Some(pagination::decode_time_id(CURSOR_LIST, raw)?);
        }
        let mut rows = self.inquiries.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |i| {
            pagination::time_id_key(i.created_at, i.id)
        });
        Ok(Json(InquiryPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// An inquiry with its messages
    #[oai(path = "/inquiries/:id", method = "get", operation_id = "get_inquiry")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<InquiryThreadOut>, ApiError> {
        let (thread, _) = self.visible(&auth, id.0).await?;
        Ok(Json(thread.into()))
    }

    /// Write in an inquiry
    ///
    /// Either side (and staff). The organisation's first message answers a `sent` inquiry
    /// (`answered`); other messages leave the status. A declined or closed inquiry takes no
    /// messages (409).
    #[oai(
        path = "/inquiries/:id/messages",
        method = "post",
        operation_id = "add_inquiry_message"
    )]
    async fn add_message(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<NewMessage>,
    ) -> Result<InquiryMessageAdded, ApiError> {
        let (_, side) = self.visible(&auth, id.0).await?;
        let text = question::message_text(&body.text)?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let thread = self
            .inquiries
            .add_message(id.0, side, auth.0.user_id, text, &ctx)
            .await
            .map_err(|e| inquiry_error(e, id.0))?;
        Ok(InquiryMessageAdded::Created(Json(thread.into())))
    }

    /// Move an inquiry
    ///
    /// `sent → answered` (the organisation), `sent → declined` (the organisation), `sent →
    /// closed`, `answered → agreed | declined | closed`, `agreed → closed` (either side); staff
    /// may do what either side may. Asking for the current status changes nothing. Any other
    /// move is 409 naming the possible ones; the municipality asking for an organisation's move
    /// is 403.
    #[oai(path = "/inquiries/:id", method = "patch", operation_id = "update_inquiry")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<InquiryMove>,
    ) -> Result<Json<InquiryThreadOut>, ApiError> {
        let (_, side) = self.visible(&auth, id.0).await?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let thread = self
            .inquiries
            .move_to(id.0, body.status.into(), side, &ctx)
            .await
            .map_err(|e| inquiry_error(e, id.0))?;
        Ok(Json(thread.into()))
    }
}
