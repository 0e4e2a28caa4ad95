//! What every handler needs from the request besides its parameters: the audit context and the
//! policy's answer, in the API's own terms.

use campaign_domain::policy::{Action, Actor, Grant, Refusal, Scope, authorize};
use campaign_persistence::audit::AuditContext;
use poem::Request;

use crate::auth::AuthState;
use crate::http::RequestId;
use crate::problem::ApiError;

/// The client's address: the peer, or behind trusted proxies the client they forwarded.
pub fn client_addr(req: &Request, auth: &AuthState) -> Option<String> {
    crate::http::client_addr_of(req, &auth.trusted_proxies)
}

/// Who is acting, in which request, from where: for the audit log.
pub fn audit_context(req: &Request, auth: &AuthState, actor: Option<&Actor>) -> AuditContext {
    AuditContext {
        actor: actor.map(|a| a.user_id),
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()),
        client_addr: client_addr(req, auth),
    }
}

/// Asks the policy; a refusal becomes 404 (`hidden` says what was not found) or 403 (`why`).
/// The policy checks visibility before the action, so one call gives 404 outside the scope.
pub fn allow(
    actor: &Actor,
    action: Action,
    scope: Scope,
    hidden: impl FnOnce() -> String,
    why: &str,
) -> Result<Grant, ApiError> {
    authorize(actor, action, scope).map_err(|refusal| match refusal {
        Refusal::NotFound => ApiError::not_found(hidden()),
        Refusal::Forbidden => ApiError::forbidden(format!("{why}; your role is {}", actor.role().as_str())),
    })
}

/// Only staff may do this: 403 with `why` for every other role.
pub fn staff_only(actor: &Actor, why: &str) -> Result<(), ApiError> {
    let _grant = allow(actor, Action::Manage, Scope::Administration, String::new, why)?;
    Ok(())
}
