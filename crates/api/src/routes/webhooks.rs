//! Webhooks, for staff: register an endpoint (its secret shown once), change or delete it, read
//! its delivery log, send it a test event, and send a delivery again.

use std::collections::BTreeSet;
use std::sync::Arc;

use campaign_domain::webhook::{DeliveryStatus, EndpointUrl, EventType};
use campaign_persistence::webhooks::{
    Delivery, DeliveryFilter, Endpoint, EndpointChange, NewEndpoint, Replay, WebhookRepo,
};
use chrono::{DateTime, Utc};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::{audit_context, staff_only};
use super::pagination;
use crate::auth::{AuthState, BearerAuth};
use crate::problem::ApiError;
use crate::webhook_delivery::{WebhookSettings, check_host, new_secret};
use campaign_domain::paging::PageLimit;

/// Why other roles are refused.
const STAFF_ONLY: &str = "webhooks are managed by 11.11.11 staff";

const CURSOR_LIST: &str = "webhook-deliveries";

/// An event a webhook endpoint can hear of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Enum)]
pub enum WebhookEvent {
    /// A ledger entry was logged (a sale, activity income, a donation).
    #[oai(rename = "entry.created")]
    EntryCreated,
    /// An entry was corrected: `data` is the reversing entry, `corrects_id` the original.
    #[oai(rename = "entry.corrected")]
    EntryCorrected,
    /// A material request moved (approved, rejected, shipped, delivered, returned, cancelled).
    #[oai(rename = "material_request.status_changed")]
    RequestStatusChanged,
    /// Staff closed a cash deposit.
    #[oai(rename = "deposit.closed")]
    DepositClosed,
    /// A fund application was granted or refused.
    #[oai(rename = "fund_application.decided")]
    FundDecided,
}

impl From<WebhookEvent> for EventType {
    fn from(e: WebhookEvent) -> Self {
        match e {
            WebhookEvent::EntryCreated => Self::EntryCreated,
            WebhookEvent::EntryCorrected => Self::EntryCorrected,
            WebhookEvent::RequestStatusChanged => Self::RequestStatusChanged,
            WebhookEvent::DepositClosed => Self::DepositClosed,
            WebhookEvent::FundDecided => Self::FundDecided,
        }
    }
}

impl From<EventType> for WebhookEvent {
    fn from(e: EventType) -> Self {
        match e {
            EventType::EntryCreated => Self::EntryCreated,
            EventType::EntryCorrected => Self::EntryCorrected,
            EventType::RequestStatusChanged => Self::RequestStatusChanged,
            EventType::DepositClosed => Self::DepositClosed,
            EventType::FundDecided => Self::FundDecided,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DeliveryStatusName {
    /// Waiting for its (next) attempt, or being sent.
    Pending,
    /// The receiver answered 2xx.
    Succeeded,
    /// No attempt succeeded in 24 hours; staff can send it again.
    Failed,
}

impl From<DeliveryStatus> for DeliveryStatusName {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Succeeded => Self::Succeeded,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

impl From<DeliveryStatusName> for DeliveryStatus {
    fn from(s: DeliveryStatusName) -> Self {
        match s {
            DeliveryStatusName::Pending => Self::Pending,
            DeliveryStatusName::Succeeded => Self::Succeeded,
            DeliveryStatusName::Failed => Self::Failed,
        }
    }
}

/// A webhook endpoint (its secret is shown only when it is registered).
#[derive(Debug, Object)]
pub struct WebhookOut {
    pub id: Uuid,
    pub url: String,
    #[oai(nullable)]
    pub description: Option<String>,
    pub events: Vec<WebhookEvent>,
    /// Disabled endpoints get no new events; a test event still goes out.
    pub enabled: bool,
    /// Since when no delivery has succeeded; `null` while deliveries succeed.
    #[oai(nullable)]
    pub failing_since: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Why it is disabled: by staff, or after failing for 5 days.
    #[oai(nullable)]
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Endpoint> for WebhookOut {
    fn from(e: Endpoint) -> Self {
        Self {
            id: e.id,
            url: e.url,
            description: e.description,
            events: e.events.into_iter().map(Into::into).collect(),
            enabled: e.enabled,
            failing_since: e.failing_since,
            disabled_at: e.disabled_at,
            disabled_reason: e.disabled_reason,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A newly registered endpoint with its signing secret: keep it now, it is not shown again.
#[derive(Debug, Object)]
pub struct WebhookCreatedOut {
    #[oai(flatten)]
    pub endpoint: WebhookOut,
    /// `whsec_` and the base64 of the key that signs every delivery (Standard Webhooks).
    pub secret: String,
}

#[derive(Debug, Object)]
pub struct WebhookList {
    pub items: Vec<WebhookOut>,
}

#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are posted: `https://`, a public address (private, loopback and
    /// link-local addresses are refused unless the server allows them).
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub url: String,
    /// The events it hears of: at least one, each once.
    #[oai(validator(min_items = 1, max_items = 5, unique_items))]
    pub events: Vec<WebhookEvent>,
    /// What it is for, e.g. "accounting link".
    #[oai(validator(max_length = 200))]
    pub description: Option<String>,
}

/// A change to an endpoint; absent fields stay as they are.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct WebhookChange {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub url: Option<String>,
    #[oai(validator(min_items = 1, max_items = 5, unique_items))]
    pub events: Option<Vec<WebhookEvent>>,
    /// `null` removes it.
    #[oai(validator(max_length = 200))]
    pub description: MaybeUndefined<String>,
    /// `true` enables it again (its failing streak starts anew); `false` pauses it.
    pub enabled: Option<bool>,
}

/// One event sent to one endpoint, with its attempts so far.
#[derive(Debug, Object)]
pub struct DeliveryOut {
    pub id: i64,
    /// The `webhook-id` header: the same on every attempt and for every endpoint.
    pub event_id: Uuid,
    /// `entry.created`, …, or `webhook.test`.
    pub event_type: String,
    pub status: DeliveryStatusName,
    pub attempts: i32,
    /// When it is tried (again); `null` once it succeeded or was given up.
    #[oai(nullable)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt; `null` when it did not answer.
    #[oai(nullable)]
    pub last_status_code: Option<i32>,
    pub last_duration_ms: i64,
    /// What went wrong at the last attempt.
    #[oai(nullable)]
    pub last_error: Option<String>,
    #[oai(nullable)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The body posted: `{type, timestamp, data}`.
    pub payload: serde_json::Value,
}

impl From<Delivery> for DeliveryOut {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_attempt_at: d.last_attempt_at,
            last_status_code: d.last_status_code,
            last_duration_ms: d.last_duration_ms,
            last_error: d.last_error,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload)),
        }
    }
}

#[derive(Debug, Object)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryOut>,
    /// Pass as `cursor` for older deliveries; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum WebhookCreated {
    /// Registered; the secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<WebhookCreatedOut>, #[oai(header = "Location")] String),
}

#[derive(ApiResponse)]
pub enum WebhookDeleted {
    /// Deleted, with its delivery log.
    #[oai(status = 204)]
    Deleted,
}

#[derive(ApiResponse)]
pub enum DeliveryQueued {
    /// Queued: the worker sends it within seconds; follow it in the delivery log.
    #[oai(status = 202)]
    Accepted(Json<DeliveryOut>),
}

pub struct WebhooksApi {
    pub webhooks: WebhookRepo,
    pub settings: WebhookSettings,
    pub auth: Arc<AuthState>,
}

fn missing(id: Uuid) -> ApiError {
    ApiError::not_found(format!("there is no webhook endpoint {id}; see GET /api/v1/webhooks"))
}

impl WebhooksApi {
    async fn checked_url(&self, raw: &str) -> Result<EndpointUrl, ApiError> {
        let url = EndpointUrl::parse(raw, self.settings.allow_private)?;
        check_host(&url, self.settings.allow_private)
            .await
            .map_err(|why| ApiError::invalid_field("url", why))?;
        Ok(url)
    }
}

fn events_of(events: &[WebhookEvent]) -> BTreeSet<EventType> {
    events.iter().map(|e| EventType::from(*e)).collect()
}

#[OpenApi(tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// Register a webhook endpoint
    ///
    /// Staff only. Every event it hears of is posted to `url` as JSON `{type, timestamp, data}`,
    /// signed as the Standard Webhooks specification says: headers `webhook-id` (the event's
    /// id, the same on every retry: dedupe on it), `webhook-timestamp` (Unix seconds) and
    /// `webhook-signature` (`v1,` + base64 of HMAC-SHA256 over `id.timestamp.body` with the
    /// secret's key). A 2xx answer within 10 seconds acknowledges it; otherwise it is tried
    /// again, the first retry within 30 seconds, then backing off for 24 hours. An endpoint
    /// with no success for 5 days is disabled. The URL must be `https://` and resolve to public
    /// addresses only (400 otherwise), unless the server runs with
    /// `CAMPAIGN_WEBHOOK_ALLOW_PRIVATE=true`. The `secret` is in this answer only.
    #[oai(path = "/webhooks", method = "post", operation_id = "create_webhook")]
    async fn create(
        &self,
        auth: BearerAuth,
        req: &Request,
        body: Json<NewWebhook>,
    ) -> Result<WebhookCreated, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let url = self.checked_url(&body.0.url).await?;
        let secret = new_secret();
        let created = self
            .webhooks
            .create(
                NewEndpoint {
                    url,
                    description: body
                        .0
                        .description
                        .map(|d| d.trim().to_owned())
                        .filter(|d| !d.is_empty()),
                    events: events_of(&body.0.events),
                    secret: secret.clone(),
                },
                Some(auth.0.user_id),
                &audit_context(req, &self.auth, Some(&auth.0)),
            )
            .await?;
        let location = format!("/api/v1/webhooks/{}", created.id);
        Ok(WebhookCreated::Created(
            Json(WebhookCreatedOut {
                endpoint: created.into(),
                secret,
            }),
            location,
        ))
    }

    /// Webhook endpoints
    ///
    /// Staff only; oldest first, disabled ones with the reason.
    #[oai(path = "/webhooks", method = "get", operation_id = "list_webhooks")]
    async fn list(&self, auth: BearerAuth) -> Result<Json<WebhookList>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        Ok(Json(WebhookList {
            items: self.webhooks.list().await?.into_iter().map(Into::into).collect(),
        }))
    }

    /// One webhook endpoint
    #[oai(path = "/webhooks/:id", method = "get", operation_id = "get_webhook")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<WebhookOut>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let endpoint = self.webhooks.get(id.0).await?.ok_or_else(|| missing(id.0))?;
        Ok(Json(endpoint.into()))
    }

    /// Change a webhook endpoint
    ///
    /// Staff only. A new URL is checked as at registration. `enabled: true` enables a disabled
    /// endpoint again; `false` pauses it (no new events reach it meanwhile).
    #[oai(path = "/webhooks/:id", method = "patch", operation_id = "update_webhook")]
    async fn update(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        body: Json<WebhookChange>,
    ) -> Result<Json<WebhookOut>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let url = match body.0.url.as_deref() {
            Some(raw) => Some(self.checked_url(raw).await?),
            None => None,
        };
        let change = EndpointChange {
            url,
            description: match body.0.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d.trim().to_owned()).filter(|d| !d.is_empty())),
            },
            events: body.0.events.as_deref().map(events_of),
            enabled: body.0.enabled,
        };
        let changed = self
            .webhooks
            .update(id.0, change, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?
            .ok_or_else(|| missing(id.0))?;
        Ok(Json(changed.into()))
    }

    /// Delete a webhook endpoint
    ///
    /// Staff only; its delivery log goes with it, pending deliveries are not sent.
    #[oai(path = "/webhooks/:id", method = "delete", operation_id = "delete_webhook")]
    async fn delete(&self, auth: BearerAuth, req: &Request, id: Path<Uuid>) -> Result<WebhookDeleted, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        if self
            .webhooks
            .delete(id.0, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?
        {
            Ok(WebhookDeleted::Deleted)
        } else {
            Err(missing(id.0))
        }
    }

    /// An endpoint's delivery log
    ///
    /// Staff only; newest first, each with its status, attempts, the last response code,
    /// duration and error, and the payload posted.
    #[oai(
        path = "/webhooks/:id/deliveries",
        method = "get",
        operation_id = "list_webhook_deliveries"
    )]
    async fn deliveries(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        status: Query<Option<DeliveryStatusName>>,
        /// Items per page, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<DeliveryPage>, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        self.webhooks.get(id.0).await?.ok_or_else(|| missing(id.0))?;
        let limit = PageLimit::parse(limit.0)?;
        let before = match cursor.0.as_deref() {
            Some(c) => Some(
                pagination::decode(CURSOR_LIST, c)?
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid_field("cursor", "this cursor is not valid here"))?,
            ),
            None => None,
        };
        let filter = DeliveryFilter {
            status: status.0.map(Into::into),
            before,
        };
        let mut rows = self.webhooks.deliveries(id.0, &filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |d| d.id.to_string());
        Ok(Json(DeliveryPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }

    /// Send a test event
    ///
    /// Staff only: a `webhook.test` event for this endpoint alone (also when it is disabled, to
    /// try a repaired receiver before enabling it), sent within seconds.
    #[oai(path = "/webhooks/:id/test", method = "post", operation_id = "test_webhook")]
    async fn test(&self, auth: BearerAuth, req: &Request, id: Path<Uuid>) -> Result<DeliveryQueued, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        let delivery = self
            .webhooks
            .send_test(id.0, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?
            .ok_or_else(|| missing(id.0))?;
        Ok(DeliveryQueued::Accepted(Json(delivery.into())))
    }

    /// Send a delivery again
    ///
    /// Staff only: the same event, with the same `webhook-id` (receivers that saw it before
    /// can tell), sent within seconds whatever its status (once its endpoint is enabled) and
    /// retried for 24 hours from now; its attempts go on counting. 409 while an attempt of it is
    /// on its way.
    #[oai(
        path = "/webhooks/:id/deliveries/:delivery_id/replay",
        method = "post",
        operation_id = "replay_webhook_delivery"
    )]
    async fn replay(
        &self,
        auth: BearerAuth,
        req: &Request,
        id: Path<Uuid>,
        delivery_id: Path<i64>,
    ) -> Result<DeliveryQueued, ApiError> {
        staff_only(&auth.0, STAFF_ONLY)?;
        match self
            .webhooks
            .replay(id.0, delivery_id.0, &audit_context(req, &self.auth, Some(&auth.0)))
            .await?
        {
            Replay::Queued(delivery) => Ok(DeliveryQueued::Accepted(Json(delivery.into()))),
            Replay::InFlight => Err(ApiError::conflict(format!(
                "delivery {} is being sent right now; wait for its result in the delivery log, then send it again if needed",
                delivery_id.0
            ))),
            Replay::NotFound => Err(ApiError::not_found(format!(
                "endpoint {} has no delivery {}; see GET /api/v1/webhooks/{}/deliveries",
                id.0, delivery_id.0, id.0
            ))),
        }
    }
}
