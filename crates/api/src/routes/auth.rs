//! `/auth`: sign in, refresh, sign out.

use std::sync::Arc;

use campaign_domain::user::Email;
use campaign_persistence::audit::{AuditEvent, AuditRepo};
use campaign_persistence::login_attempts::{AttemptOutcome, LoginAttemptRepo};
use campaign_persistence::refresh_tokens::{RefreshOutcome, RefreshTokenRepo};
use campaign_persistence::users::{StoredUser, UserRepo};
use chrono::Utc;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use super::context::audit_context;
use crate::auth::{
    ACCESS_TOKEN_TTL_SECS, AuthState, LoginThrottle, REFRESH_GRACE_SECS, REFRESH_TOKEN_TTL_DAYS, RefreshToken,
};
use crate::problem::ApiError;

const WRONG_CREDENTIALS: &str = "the e-mail address or the password is wrong";

/// E-mail address and password.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct LoginRequest {
    #[oai(validator(max_length = 254))]
    pub email: String,
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// A refresh token from an earlier login or refresh.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RefreshRequest {
    #[oai(validator(max_length = 200))]
    pub refresh_token: String,
}

/// A token pair. Send `access_token` as `Authorization: Bearer …`; before it expires, trade the
/// refresh token for a new pair. Each refresh token works once.
#[derive(Debug, Object)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(ApiResponse)]
pub enum LoggedOut {
    /// Signed out: the refresh token and every token of its login are revoked.
    #[oai(status = 204)]
    Done,
}

pub struct AuthApi {
    pub users: UserRepo,
    pub tokens: RefreshTokenRepo,
    pub audit: AuditRepo,
    pub attempts: LoginAttemptRepo,
    pub auth: Arc<AuthState>,
}

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign in
    ///
    /// The same 401 answers an unknown e-mail address and a wrong password. Every attempt is
    /// counted before its password is checked. After 5 failures for one address from one client
    /// within 15 minutes, 30 from one client, or 50 for one address from any clients within an
    /// hour: 429 with `Retry-After`.
    #[oai(path = "/login", method = "post", operation_id = "login")]
    async fn login(&self, req: &Request, body: Json<LoginRequest>) -> Result<Json<TokenPair>, ApiError> {
        let email = Email::parse(&body.email)?;
        let ctx = audit_context(req, &self.auth, None);
        let subject = LoginThrottle::subject(email.as_str());
        let client = ctx.client_addr.clone().unwrap_or_else(|| "unknown".to_owned());
        // Recorded (and committed) first, then counted: a burst sees itself.
        let attempt = self.attempts.begin(&subject, &client).await?;
        if let Some(wait) = self
            .auth
            .throttle
            .retry_after(&self.attempts, &subject, &client)
            .await?
        {
            self.attempts.finish(attempt, AttemptOutcome::Throttled).await?;
            let mut event = AuditEvent::new("auth.login_throttled", "user", "-");
            event.entity_id = None;
            event.subject = Some(subject);
            self.audit.record(&ctx, event).await?;
            return Err(ApiError::too_many_requests(
                format!("too many failed sign-ins; wait {wait} seconds before trying again"),
                wait,
            ));
        }

        let user = self.users.by_email(&email).await?;
        // An account without a password (imported) is checked against the dummy hash, like an
        // unknown address: the time of the answer tells nothing about which accounts exist.
        let stored_hash = user
            .as_ref()
            .filter(|u| u.active && !u.password_hash.is_empty())
            .map(|u| u.password_hash.clone());
        let matches = match self.auth.passwords.verify(body.0.password, stored_hash).await {
            Ok(matches) => matches,
            Err(e) => {
                self.attempts.finish(attempt, AttemptOutcome::Abandoned).await?;
                return Err(ApiError::from_anyhow(&e));
            }
        };
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.attempts.finish(attempt, AttemptOutcome::Failed).await?;
                let mut event = AuditEvent::new(crate::auth::LOGIN_FAILED, "user", "-");
                event.entity_id = user.map(|u| u.id.to_string());
                event.subject = Some(subject);
                self.audit.record(&ctx, event).await?;
                return Err(ApiError::unauthorized(WRONG_CREDENTIALS));
            }
        };
        self.attempts.finish(attempt, AttemptOutcome::Succeeded).await?;
        let refresh = RefreshToken::generate();
        let ctx = campaign_persistence::audit::AuditContext {
            actor: Some(user.id),
            ..ctx
        };
        self.tokens
            .issue_for_login(user.id, refresh.hash, refresh_expiry(), &ctx)
            .await?;
        self.pair(&user, refresh.token).map(Json)
    }

    /// Trade a refresh token for a new pair
    ///
    /// The old refresh token stops working. Presented again within 10 seconds (two tabs, a
    /// retried request), it answers the same new refresh token (with a fresh access token), or
    /// 409 when that one has been traded as well; nothing is revoked then. Presented again later,
    /// it revokes every token of that login (it may have been stolen): sign in again.
    #[oai(path = "/refresh", method = "post", operation_id = "refresh_tokens")]
    async fn refresh(&self, req: &Request, body: Json<RefreshRequest>) -> Result<Json<TokenPair>, ApiError> {
        let invalid = || ApiError::unauthorized("the refresh token is not valid or has expired; sign in again");
        let old_hash = RefreshToken::parse(&body.refresh_token).ok_or_else(invalid)?;
        let next = self.auth.successors.of(&body.refresh_token);
        let ctx = audit_context(req, &self.auth, None);
        let grace = chrono::Duration::seconds(REFRESH_GRACE_SECS);
        match self
            .tokens
            .rotate(&old_hash, next.hash, refresh_expiry(), grace, &ctx)
            .await?
        {
            RefreshOutcome::Rotated { user } | RefreshOutcome::Repeated { user } => {
                let user = self.users.get(user).await?.ok_or_else(invalid)?;
                self.pair(&user, next.token).map(Json)
            }
            RefreshOutcome::Superseded => Err(ApiError::conflict(
                "this refresh token was traded moments ago by another request (another tab?), and its successor \
                 as well; your session is still valid: use the newest refresh token you hold",
            )),
            RefreshOutcome::Reused => Err(ApiError::unauthorized(
                "this refresh token was used before, so every token of its login is revoked; sign in again",
            )),
            RefreshOutcome::Invalid => Err(invalid()),
        }
    }

    /// Sign out
    ///
    /// Revokes the refresh token and every token of its login. Always 204, also for a token that
    /// is unknown or revoked already.
    #[oai(path = "/logout", method = "post", operation_id = "logout")]
    async fn logout(&self, req: &Request, body: Json<RefreshRequest>) -> Result<LoggedOut, ApiError> {
        if let Some(hash) = RefreshToken::parse(&body.refresh_token) {
            self.tokens.revoke(&hash, &audit_context(req, &self.auth, None)).await?;
        }
        Ok(LoggedOut::Done)
    }
}

impl AuthApi {
    fn pair(&self, user: &StoredUser, refresh_token: String) -> Result<TokenPair, ApiError> {
        let access_token = self.auth.keys.issue(user).map_err(|e| ApiError::internal(&e))?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in: ACCESS_TOKEN_TTL_SECS,
        })
    }
}

fn refresh_expiry() -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::days(REFRESH_TOKEN_TTL_DAYS)
}
