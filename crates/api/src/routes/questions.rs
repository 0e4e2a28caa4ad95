//! Questions to 11.11.11: a municipality's contact asks for campaign support or about local global
//! policy; staff see the queue per topic, answer and close; the thread stays readable for both.

use std::sync::Arc;

use campaign_domain::ids::{InitiativeId, UserId};
use campaign_domain::municipality::NisCode;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_domain::question::{self, QuestionStatus, QuestionTopic, Writer};
use campaign_domain::user::Membership;
use campaign_persistence::initiatives::InitiativeRepo;
use campaign_persistence::municipalities::MunicipalityRepo;
use campaign_persistence::questions::{
    Asker, NewQuestion, Question, QuestionFilter, QuestionRepo, Thread, ThreadError,
};
use campaign_persistence::users::UserRepo;
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{allow, audit_context};
use super::idempotency;
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;

const CURSOR_LIST: &str = "questions";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum TopicName {
    /// Suggestions for activities or visibility in the municipality for 11 November.
    CampaignSupport,
    /// The memorandum and local policy.
    LocalGlobalPolicy,
    /// The 4th-pillar support desk (initiatives).
    FourthPillar,
}

impl From<QuestionTopic> for TopicName {
    fn from(t: QuestionTopic) -> Self {
        match t {
            QuestionTopic::CampaignSupport => Self::CampaignSupport,
            QuestionTopic::LocalGlobalPolicy => Self::LocalGlobalPolicy,
            QuestionTopic::FourthPillar => Self::FourthPillar,
        }
    }
}

impl From<TopicName> for QuestionTopic {
    fn from(t: TopicName) -> Self {
        match t {
            TopicName::CampaignSupport => Self::CampaignSupport,
            TopicName::LocalGlobalPolicy => Self::LocalGlobalPolicy,
            TopicName::FourthPillar => Self::FourthPillar,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum QuestionStatusName {
    /// Waiting for 11.11.11.
    Open,
    /// 11.11.11 answered; a new message from the asker opens it again.
    Answered,
    /// Done; takes no more messages.
    Closed,
}

impl From<QuestionStatus> for QuestionStatusName {
    fn from(s: QuestionStatus) -> Self {
        match s {
            QuestionStatus::Open => Self::Open,
            QuestionStatus::Answered => Self::Answered,
            QuestionStatus::Closed => Self::Closed,
        }
    }
}

impl From<QuestionStatusName> for QuestionStatus {
    fn from(s: QuestionStatusName) -> Self {
        match s {
            QuestionStatusName::Open => Self::Open,
            QuestionStatusName::Answered => Self::Answered,
            QuestionStatusName::Closed => Self::Closed,
        }
    }
}

/// A question as lists show it.
#[derive(Debug, Object)]
pub struct QuestionOut {
    pub id: Uuid,
    pub topic: TopicName,
    pub status: QuestionStatusName,
    pub subject: String,
    /// The municipality it is asked for (`null` for an initiative's question).
    #[oai(nullable)]
    pub municipality_nis: Option<String>,
    /// The initiative it is asked for (the 4th pillar's helpdesk).
    #[oai(nullable)]
    pub initiative_id: Option<Uuid>,
    #[oai(nullable)]
    pub asked_by: Option<Uuid>,
    /// The staff member following it up (individual guidance).
    #[oai(nullable)]
    pub assigned_to: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// The last message or move.
    pub updated_at: DateTime<Utc>,
}

impl From<Question> for QuestionOut {
    fn from(q: Question) -> Self {
        Self {
            id: q.id,
            topic: q.topic.into(),
            status: q.status.into(),
            subject: q.subject,
            municipality_nis: q.municipality.map(|m| m.to_string()),
            initiative_id: q.initiative.map(|i| i.as_uuid()),
            asked_by: q.asked_by.map(|u| u.as_uuid()),
            assigned_to: q.assigned_to.map(|u| u.as_uuid()),
            created_at: q.created_at,
            updated_at: q.updated_at,
        }
    }
}

/// One message of a thread.
#[derive(Debug, Object)]
pub struct MessageOut {
    pub id: Uuid,
    #[oai(nullable)]
    pub author: Option<Uuid>,
    /// Written by 11.11.11 staff.
    pub from_staff: bool,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A question with its messages, oldest first.
#[derive(Debug, Object)]
pub struct QuestionThread {
    #[oai(flatten)]
    pub question: QuestionOut,
    pub messages: Vec<MessageOut>,
}

impl From<Thread> for QuestionThread {
    fn from(t: Thread) -> Self {
        Self {
            question: t.question.into(),
            messages: t
                .messages
                .into_iter()
                .map(|m| MessageOut {
                    id: m.id,
                    author: m.author.map(|a| a.as_uuid()),
                    from_staff: m.from_staff,
                    text: m.text,
                    created_at: m.created_at,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct QuestionPage {
    pub items: Vec<QuestionOut>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A new question.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct AskQuestion {
    /// `campaign_support` or `local_global_policy`.
    pub topic: TopicName,
    /// 1 to 200 characters on one line.
    #[oai(validator(max_length = 200))]
    pub subject: String,
    /// The question itself, up to 5000 characters, line breaks kept.
    #[oai(validator(max_length = 5000))]
    pub text: String,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct NewMessage {
    #[oai(validator(max_length = 5000))]
    pub text: String,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct QuestionMove {
    /// `closed` (the only move of its own; a message reopens an answered question).
    pub status: Option<QuestionStatusName>,
    /// Staff only: the staff account following the question up (individual guidance); `null`
    /// takes it back.
    pub assigned_to: MaybeUndefined<Uuid>,
}

/// An initiative's question to the 4th pillar's helpdesk.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct AskHelpdesk {
    /// 1 to 200 characters on one line.
    #[oai(validator(max_length = 200))]
    pub subject: String,
    /// Up to 5000 characters, line breaks kept.
    #[oai(validator(max_length = 5000))]
    pub text: String,
}

#[derive(ApiResponse)]
pub enum QuestionAsked {
    /// The question is asked, `open`.
    #[oai(status = 201)]
    Created(
        Json<QuestionThread>,
        #[oai(header = "Location")] String,
        /// `true` when this answers a retry with the same `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        bool,
    ),
}

#[derive(ApiResponse)]
pub enum MessageAdded {
    /// The message is added; the thread as it is now.
    #[oai(status = 201)]
    Created(Json<QuestionThread>),
}

pub struct QuestionsApi {
    pub questions: QuestionRepo,
    pub municipalities: MunicipalityRepo,
    pub initiatives: InitiativeRepo,
    pub users: UserRepo,
    pub auth: Arc<AuthState>,
}

fn replay(stored: &str) -> Result<QuestionAsked, ApiError> {
    let thread: QuestionThread = idempotency::replayed(stored)?;
    let location = format!("/api/v1/questions/{}", thread.question.id);
    Ok(QuestionAsked::Created(Json(thread), location, true))
}

fn thread_error(e: ThreadError, id: Uuid) -> ApiError {
    match e {
        ThreadError::NotFound => ApiError::not_found(format!("there is no question {id}")),
        ThreadError::Refused(e) => ApiError::conflict(e.to_string()),
        ThreadError::Store(e) => e.into(),
    }
}

impl QuestionsApi {
    /// The question, if the actor may see it; how they write in it.
    async fn visible(&self, auth: &BearerAuth, id: Uuid) -> Result<(Thread, Writer), ApiError> {
        let missing = || format!("there is no question {id}");
        let thread = self
            .questions
            .get(id)
            .await?
            .ok_or_else(|| ApiError::not_found(missing()))?;
        let scope = match (thread.question.municipality, thread.question.initiative) {
            (Some(municipality), _) => Scope::Municipality(municipality),
            (None, Some(initiative)) => Scope::Initiative(initiative),
            (None, None) => Scope::Administration,
        };
        let _grant = allow(
            &auth.0,
            Action::Write,
            scope,
            missing,
            "only staff and the asking side write in a question",
        )
        .map_err(|e| match scope {
            Scope::Administration => ApiError::not_found(missing()),
            _ => e,
        })?;
        let writer = match auth.0.membership {
            Membership::Staff => Writer::Staff,
            _ => Writer::Asker,
        };
        Ok((thread, writer))
    }
}

impl QuestionsApi {
    /// Stores a checked question for `asker`, or answers a retry under the same key.
    #[allow(clippy::too_many_arguments)]
    async fn ask_as(
        &self,
        auth: &BearerAuth,
        req: &Request,
        key: Option<campaign_persistence::idempotency::IdempotencyKey>,
        asker: Asker,
        topic: QuestionTopic,
        subject: String,
        text: String,
    ) -> Result<QuestionAsked, ApiError> {
        let new = NewQuestion {
            topic,
            subject,
            text,
            asker,
            asked_by: auth.0.user_id,
        };
        let render = |t: &Thread| idempotency::created_json(QuestionThread::from(t.clone()));
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let created = self.questions.ask(new, &ctx, key.as_ref(), render).await?;
        idempotency::answer(
            created,
            |thread| {
                let location = format!("/api/v1/questions/{}", thread.question.id);
                QuestionAsked::Created(Json(thread.into()), location, false)
            },
            replay,
        )
    }
}

fn checked_text(subject: &str, text: &str) -> Result<(String, String), ApiError> {
    match (question::subject(subject), question::message_text(text)) {
        (Ok(s), Ok(t)) => Ok((s, t)),
        (s, t) => Err(ApiError::validation(campaign_domain::ValidationError::all([
            s.err(),
            t.err(),
        ]))),
    }
}

#[OpenApi(tag = "ApiTags::Questions")]
impl QuestionsApi {
    /// Ask the 4th pillar's helpdesk
    ///
    /// For staff and the initiative's own accounts (404 for anyone else): a question on the
    /// topic `fourth_pillar`, answered by staff like any question; staff may assign it to one of
    /// them for individual guidance. `Idempotency-Key` is honoured.
    #[oai(path = "/initiatives/:id/questions", method = "post", operation_id = "ask_helpdesk")]
    async fn ask_helpdesk(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        /// A key of your choice, unique per request (e.g. a UUID), kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<AskHelpdesk>,
    ) -> Result<QuestionAsked, ApiError> {
        let initiative = InitiativeId::from_uuid(id.0);
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Initiative(initiative),
            || format!("there is no initiative {initiative} of yours"),
            "only staff and the initiative's own accounts ask in its name",
        )?;
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        if let Some(key) = &key
            && let Some((_, stored)) = idempotency::earlier(self.questions.earlier_answer(key).await?)?
        {
            return replay(&stored);
        }
        if self.initiatives.get(initiative).await?.is_none() {
            return Err(ApiError::not_found(format!("there is no initiative {initiative}")));
        }
        let (subject, text) = checked_text(&body.subject, &body.text)?;
        self.ask_as(
            &auth,
            req,
            key,
            Asker::Initiative(initiative),
            QuestionTopic::FourthPillar,
            subject,
            text,
        )
        .await
    }

    /// Ask 11.11.11 a question
    ///
    /// For staff and that municipality's contacts: `campaign_support` (suggestions for
    /// activities or visibility for 11 November) or `local_global_policy` (the memorandum and
    /// local policy). Answered `open`, with the first message. `Idempotency-Key` is honoured.
    #[oai(
        path = "/municipalities/:nis/questions",
        method = "post",
        operation_id = "ask_question"
    )]
    async fn ask(
        &self,
        auth: BearerAuth,
        req: &Request,
        nis: Path<String>,
        /// A key of your choice, unique per request (e.g. a UUID), kept 48 hours.
        #[oai(name = "Idempotency-Key", validator(max_length = 200))]
        _idempotency_key: Header<Option<String>>,
        body: Json<AskQuestion>,
    ) -> Result<QuestionAsked, ApiError> {
        let code = NisCode::parse_field("nis", &nis.0)?;
        let missing = || format!("there is no municipality {code} of yours");
        let _grant = allow(
            &auth.0,
            Action::Write,
            Scope::Municipality(code),
            missing,
            "only staff and the municipality's contacts ask in its name",
        )?;
        let key = idempotency::key_of(req, auth.0.user_id, &body.0)?;
        if let Some(key) = &key
            && let Some((_, stored)) = idempotency::earlier(self.questions.earlier_answer(key).await?)?
        {
            return replay(&stored);
        }
        if self.municipalities.get(code).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "there is no municipality {code} in Flanders or Brussels"
            )));
        }
        let topic: QuestionTopic = body.topic.into();
        if !topic.for_municipalities() {
            return Err(ApiError::invalid_field(
                "topic",
                "a municipality asks about campaign_support or local_global_policy (fourth_pillar is for initiatives)",
            ));
        }
        let (subject, text) = checked_text(&body.subject, &body.text)?;
        self.ask_as(&auth, req, key, Asker::Municipality(code), topic, subject, text)
            .await
    }

    /// Questions
    ///
    /// Oldest first: for staff the queue (filter by `topic` and `status`, e.g.
    /// `?topic=local_global_policy&status=open`, and by `assigned_to`), for a contact their
    /// municipality's questions, for an initiative's account its own. Volunteers and member
    /// organisations have none (403).
    #[oai(path = "/questions", method = "get", operation_id = "list_questions")]
    async fn list(
        &self,
        auth: BearerAuth,
        topic: Query<Option<TopicName>>,
        status: Query<Option<QuestionStatusName>>,
        /// Staff: the questions assigned to this staff account.
        assigned_to: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))] limit: Query<Option<i64>>,
        #[oai(validator(max_length = 400))] cursor: Query<Option<String>>,
    ) -> Result<Json<QuestionPage>, ApiError> {
        let limit = PageLimit::parse(limit.0)?;
        let mut filter = QuestionFilter {
            topic: topic.0.map(Into::into),
            status: status.0.map(Into::into),
            assigned_to: assigned_to.0.map(UserId::from_uuid),
            ..QuestionFilter::default()
        };
        match auth.0.membership {
            Membership::Staff => {}
            Membership::MunicipalContact { municipality } => filter.municipality = Some(municipality),
            Membership::Initiative { initiative } => filter.initiative = Some(initiative),
            Membership::Volunteer { .. } | Membership::MemberOrg { .. } => {
                return Err(ApiError::forbidden(format!(
                    "questions to 11.11.11 are for staff, municipal contacts and initiatives; your role is {}",
                    auth.0.role().as_str()
                )));
            }
        }
        if let Some(raw) = cursor.0.as_deref() {
            filter.after = Some(pagination::decode_time_id(CURSOR_LIST, raw)?);
        }
        let mut rows = self.questions.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |q| {
            pagination::time_id_key(q.created_at, q.id)
        });
        Ok(Json(QuestionPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// A question with its messages
    #[oai(path = "/questions/:id", method = "get", operation_id = "get_question")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<QuestionThread>, ApiError> {
        let (thread, _) = self.visible(&auth, id.0).await?;
        Ok(Json(thread.into()))
    }

    /// Write in a question's thread
    ///
    /// Staff's message answers it (`answered`); the asker's opens it again (`open`). A closed
    /// question takes no messages (409).
    #[oai(
        path = "/questions/:id/messages",
        method = "post",
        operation_id = "add_question_message"
    )]
    async fn add_message(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<NewMessage>,
    ) -> Result<MessageAdded, ApiError> {
        let (_, writer) = self.visible(&auth, id.0).await?;
        let text = question::message_text(&body.text)?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let thread = self
            .questions
            .add_message(id.0, writer, auth.0.user_id, text, &ctx)
            .await
            .map_err(|e| thread_error(e, id.0))?;
        Ok(MessageAdded::Created(Json(thread.into())))
    }

    /// Close a question
    ///
    /// `{status: "closed"}`, by staff or the asking side; closing a closed question changes
    /// nothing. Any other status is 409 (a message reopens an answered question).
    #[oai(path = "/questions/:id", method = "patch", operation_id = "update_question")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<QuestionMove>,
    ) -> Result<Json<QuestionThread>, ApiError> {
        let (mut thread, _) = self.visible(&auth, id.0).await?;
        let ctx = audit_context(req, &self.auth, Some(&auth.0));
        let body = body.0;
        if body.status.is_none() && body.assigned_to.is_undefined() {
            return Err(ApiError::invalid_field(
                "status",
                "give `status: closed`, or (staff) `assigned_to`",
            ));
        }
        // The move is checked before anything is written, so a refused move changes nothing.
        if let Some(status) = body.status {
            question::move_to(thread.question.status, status.into()).map_err(|e| ApiError::conflict(e.to_string()))?;
        }
        let assignee = match body.assigned_to {
            MaybeUndefined::Undefined => None,
            change => {
                if auth.0.membership != Membership::Staff {
                    return Err(ApiError::forbidden(
                        "only 11.11.11 staff assign questions; leave `assigned_to` out",
                    ));
                }
                let to = change.value().map(|id| UserId::from_uuid(*id));
                if let Some(to) = to
                    && !self
                        .users
                        .get(to)
                        .await?
                        .is_some_and(|u| u.active && u.membership == Membership::Staff)
                {
                    return Err(ApiError::unprocessable(format!(
                        "assigned_to {to} is not an active staff account"
                    )));
                }
                Some(to)
            }
        };
        if let Some(to) = assignee {
            thread = self
                .questions
                .assign(id.0, to, &ctx)
                .await
                .map_err(|e| thread_error(e, id.0))?;
        }
        if let Some(status) = body.status {
            thread = self
                .questions
                .move_to(id.0, status.into(), &ctx)
                .await
                .map_err(|e| thread_error(e, id.0))?;
        }
        Ok(Json(thread.into()))
    }
}
