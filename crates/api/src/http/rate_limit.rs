//! Per-client request limits: a signed-in user (by the token's subject) or, without a valid
//! token, a client address gets so many writes a minute; anonymous clients also get so many
//! reads a minute per address. Beyond that 429 with `Retry-After`. Probes and `/metrics` are not
//! limited; sign-in has its own throttle.
//!
//! The limiters keep one small state per key in memory. Keys of the past are pruned every few
//! thousand checks, so a flood of distinct keys (addresses, forged subjects) cannot grow the
//! process without bound: what stays is the keys whose quota is still partly used.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

use crate::auth::AuthState;
use crate::problem::Problem;
use crate::routes::context::client_addr;

/// Checks between two prunings of the keys of the past.
pub const PRUNE_EVERY_CHECKS: u64 = 4096;

/// Paths that are never limited: probes of the orchestrator and the metrics scraper.
const UNLIMITED_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The web pages' own files (answered from memory, never from the database) do not count
/// against the anonymous read limit: a page load fetches a dozen of them, and many people behind
/// one address (a school, an office) load the public page.
fn is_page_file(path: &str) -> bool {
    !(path.starts_with("/api/") || path.starts_with("/docs"))
}

/// A keyed limiter of so many requests a minute per key that forgets the keys it no longer needs.
pub struct KeyedLimiter<C: Clock = DefaultClock> {
    limiter: RateLimiter<String, DashMapStateStore<String>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    checks: AtomicU64,
}

impl KeyedLimiter {
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> KeyedLimiter<C> {
    pub fn with_clock(per_minute: NonZeroU32, clock: C) -> Self {
        Self {
            limiter: RateLimiter::dashmap_with_clock(Quota::per_minute(per_minute), clock.clone()),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request of `key`; `Err(seconds to wait)` when its quota is used up.
    pub fn check(&self, key: &str) -> std::result::Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY_CHECKS == PRUNE_EVERY_CHECKS - 1 {
            self.prune();
        }
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()).as_secs().max(1))
    }

    /// Forgets every key whose state is the same as a fresh one, and gives the memory back.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

/// The limits of the whole API (`CAMPAIGN_WRITE_RATE_LIMIT`, `CAMPAIGN_READ_RATE_LIMIT`).
pub struct RateLimit {
    writes: Option<Arc<KeyedLimiter>>,
    anonymous_reads: Option<Arc<KeyedLimiter>>,
    auth: Arc<AuthState>,
}

impl RateLimit {
    /// Writes a minute per client and anonymous reads a minute per address; 0 turns either off.
    pub fn new(writes_per_minute: u32, anonymous_reads_per_minute: u32, auth: Arc<AuthState>) -> Self {
        let limiter = |n| NonZeroU32::new(n).map(|n| Arc::new(KeyedLimiter::per_minute(n)));
        Self {
            writes: limiter(writes_per_minute),
            anonymous_reads: limiter(anonymous_reads_per_minute),
            auth,
        }
    }
}

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        RateLimitEndpoint {
            inner: ep,
            writes: self.writes.clone(),
            anonymous_reads: self.anonymous_reads.clone(),
            auth: self.auth.clone(),
        }
    }
}

pub struct RateLimitEndpoint<E> {
    inner: E,
    writes: Option<Arc<KeyedLimiter>>,
    anonymous_reads: Option<Arc<KeyedLimiter>>,
    auth: Arc<AuthState>,
}

impl<E> RateLimitEndpoint<E> {
    /// `user:…` for a valid access token, else `addr:…`.
    fn key(&self, req: &Request) -> (bool, String) {
        let user = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|token| self.auth.keys.verify(token).ok())
            .map(|claims| format!("user:{}", claims.sub));
        match user {
            Some(user) => (true, user),
            None => (
                false,
                format!("addr:{}", client_addr(req, &self.auth).unwrap_or_default()),
            ),
        }
    }
}

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        let is_write = matches!(
            *req.method(),
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
        let limited = !UNLIMITED_PATHS.contains(&req.uri().path()) && !is_page_file(req.uri().path());
        let refusal = match (is_write, is_read, &self.writes, &self.anonymous_reads) {
            (true, _, Some(writes), _) => {
                let (_, key) = self.key(&req);
                writes
                    .check(&key)
                    .err()
                    .map(|wait| (wait, "too many writes from this client"))
            }
            (_, true, _, Some(reads)) if limited => match self.key(&req) {
                (false, key) => reads
                    .check(&key)
                    .err()
                    .map(|wait| (wait, "too many requests from this address without signing in")),
                (true, _) => None,
            },
            _ => None,
        };
        if let Some((wait, what)) = refusal {
            let mut resp = Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("{what}; wait {wait} seconds and try again"),
            )
            .into_response();
            if let Ok(value) = wait.to_string().parse() {
                resp.headers_mut().insert("retry-after", value);
            }
            return Ok(resp);
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a test stops at the first surprise")]
mod tests {
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    #[test]
    fn keys_of_the_past_are_forgotten() {
        let clock = FakeRelativeClock::default();
        let limiter = KeyedLimiter::with_clock(NonZeroU32::new(1200).unwrap(), clock.clone());
        // A flood of distinct keys, 1,000 a second for 1,000 seconds: one request each.
        for i in 0..1_000_000u32 {
            if i % 1000 == 0 {
                clock.advance(Duration::from_secs(1));
            }
            assert!(limiter.check(&format!("addr:{i}")).is_ok());
        }
        assert!(
            limiter.len() <= 2 * PRUNE_EVERY_CHECKS as usize,
            "{} keys kept",
            limiter.len()
        );
    }

    #[test]
    fn pruning_keeps_the_keys_that_are_still_limited() {
        let clock = FakeRelativeClock::default();
        let limiter = KeyedLimiter::with_clock(NonZeroU32::new(2).unwrap(), clock.clone());
        assert!(limiter.check("idle").is_ok());
        clock.advance(Duration::from_secs(61));
        assert!(limiter.check("busy").is_ok());
        assert!(limiter.check("busy").is_ok());
        limiter.prune();
        // `idle` has long had its quota back and is forgotten; `busy` still waits half a minute.
        assert_eq!(limiter.len(), 1);
        assert_eq!(limiter.check("busy"), Err(30));
    }
}
