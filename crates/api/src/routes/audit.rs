//! `/audit`: who did what and when, for staff.

use campaign_domain::ids::UserId;
use campaign_domain::paging::PageLimit;
use campaign_domain::policy::{Action, Scope};
use campaign_persistence::audit::{AuditEntry, AuditFilter, AuditRepo};
use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::types::Any;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::ApiTags;
use super::context::allow;
use super::pagination;
use crate::auth::BearerAuth;
use crate::problem::ApiError;

const CURSOR_LIST: &str = "audit";

/// One recorded action.
#[derive(Debug, Object)]
pub struct AuditRecord {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The account that acted; `null` for anonymous attempts such as a failed sign-in.
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    /// `entity.verb`, e.g. `campaign.create`, `auth.login`, `auth.login_failed`.
    pub action: String,
    pub entity: String,
    #[oai(nullable)]
    pub entity_id: Option<String>,
    /// The `x-request-id` of the request that did it.
    #[oai(nullable)]
    pub request_id: Option<String>,
    #[oai(nullable)]
    pub client_addr: Option<String>,
    /// What changed, where it matters.
    #[oai(nullable)]
    pub detail: Option<Any<serde_json::Value>>,
}

impl From<AuditEntry> for AuditRecord {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor_id: e.actor.map(|a| a.as_uuid()),
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            request_id: e.request_id,
            client_addr: e.client_addr,
            detail: e.detail.map(Any),
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Object)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

pub struct AuditApi {
    pub audit: AuditRepo,
}

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// Read the audit log
    ///
    /// Every write and every sign-in attempt, newest first.
    #[oai(path = "/audit", method = "get", operation_id = "list_audit")]
    #[allow(clippy::too_many_arguments)]
    async fn list_audit(
        &self,
        auth: BearerAuth,
        /// Only what this account did.
        actor: Query<Option<Uuid>>,
        /// Only records about this kind of entity, e.g. `campaign`, `user`, `product`.
        #[oai(validator(max_length = 50))]
        entity: Query<Option<String>>,
        /// From this time on (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Before this time (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// Items per page, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let _grant = allow(
            &auth.0,
            Action::Read,
            Scope::Administration,
            String::new,
            "only staff read the audit log",
        )?;
        let limit = PageLimit::parse(limit.0)?;
        if let (Some(from), Some(to)) = (from.0, to.0)
            && to <= from
        {
            return Err(ApiError::invalid_field("to", "must be after from"));
        }
        let before = match cursor.0.as_deref() {
            Some(c) => Some(
                pagination::decode(CURSOR_LIST, c)?
                    .parse::<i64>()
                    .map_err(|_| ApiError::invalid_field("cursor", "this cursor is not valid here"))?,
            ),
            None => None,
        };
        let filter = AuditFilter {
            actor: actor.0.map(UserId::from_uuid),
            entity: entity.0,
            from: from.0,
            to: to.0,
            before,
        };
        let mut rows = self.audit.list(&filter, limit.get() + 1).await?;
        let next_cursor = pagination::next_cursor(&mut rows, limit, CURSOR_LIST, |r| r.id.to_string());
        Ok(Json(AuditPage {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        }))
    }
}
