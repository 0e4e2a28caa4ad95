//! Per-client limits on writes: a signed-in user (by the token's subject) or, without a valid
//! token, a client address gets so many writes a minute; beyond that 429 with `Retry-After`.
//! Reads are not limited here; sign-in has its own throttle.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::auth::AuthState;
use crate::problem::Problem;
use crate::routes::context::client_addr;

pub struct WriteRateLimit {
    limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    auth: Arc<AuthState>,
}

impl WriteRateLimit {
    /// `per_minute` writes per client; 0 turns the limit off.
    pub fn new(per_minute: u32, auth: Arc<AuthState>) -> Self {
        let limiter = NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n))));
        Self { limiter, auth }
    }
}

impl<E: Endpoint> Middleware<E> for WriteRateLimit {
    type Output = WriteRateLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        WriteRateLimitEndpoint {
            inner: ep,
            limiter: self.limiter.clone(),
            auth: self.auth.clone(),
        }
    }
}

pub struct WriteRateLimitEndpoint<E> {
    inner: E,
    limiter: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    auth: Arc<AuthState>,
}

impl<E: Endpoint> Endpoint for WriteRateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let is_write = matches!(
            *req.method(),
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        if let (true, Some(limiter)) = (is_write, &self.limiter) {
            let user = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .and_then(|token| self.auth.keys.verify(token).ok())
                .map(|claims| format!("user:{}", claims.sub));
            let key = user.unwrap_or_else(|| format!("addr:{}", client_addr(&req, &self.auth).unwrap_or_default()));
            if let Err(not_until) = limiter.check_key(&key) {
                let wait = not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1);
                let mut resp = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("too many writes from this client; wait {wait} seconds and try again"),
                )
                .into_response();
                if let Ok(value) = wait.to_string().parse() {
                    resp.headers_mut().insert("retry-after", value);
                }
                return Ok(resp);
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}
