//! Authentication: passwords (argon2id), access JWTs, refresh tokens, the bearer security
//! scheme, and login throttling. What a signed-in actor may do is decided by the domain policy.

mod bearer;
mod jwt;
mod passwords;
mod refresh;
mod secret;
mod throttle;

pub use bearer::BearerAuth;
pub use jwt::{ACCESS_TOKEN_TTL_SECS, AUDIENCE, AccessClaims, ISSUER, JwtKeys, TOKEN_TYPE};
pub use passwords::{Busy, Passwords};
pub use refresh::{REFRESH_GRACE_SECS, REFRESH_TOKEN_TTL_DAYS, RefreshToken, Successors};
pub use secret::resolve_jwt_secret;
pub use throttle::{Bound, LOGIN_FAILED, LoginThrottle, purge_login_attempts};

use std::sync::Arc;

use crate::http::TrustedProxies;

/// Everything authentication needs, shared by all requests.
pub struct AuthState {
    pub keys: JwtKeys,
    pub passwords: Passwords,
    pub throttle: LoginThrottle,
    /// Derives each refresh token's successor.
    pub successors: Successors,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
}

impl AuthState {
    pub fn new(jwt_secret: &[u8], trusted_proxies: TrustedProxies) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            keys: JwtKeys::new(jwt_secret)?,
            passwords: Passwords::new()?,
            throttle: LoginThrottle::default(),
            successors: Successors::new(jwt_secret)?,
            trusted_proxies,
        }))
    }
}
