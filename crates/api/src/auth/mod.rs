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
pub use refresh::{REFRESH_TOKEN_TTL_DAYS, RefreshToken};
pub use secret::resolve_jwt_secret;
pub use throttle::{LOGIN_FAILED, LoginThrottle};

use std::sync::Arc;

/// Everything authentication needs, shared by all requests.
pub struct AuthState {
    pub keys: JwtKeys,
    pub passwords: Passwords,
    pub throttle: LoginThrottle,
    /// A header with the client's address, set by a trusted reverse proxy (e.g. `x-forwarded-for`).
    pub client_ip_header: Option<String>,
}

impl AuthState {
    pub fn new(jwt_secret: &[u8], client_ip_header: Option<String>) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            keys: JwtKeys::new(jwt_secret)?,
            passwords: Passwords::new()?,
            throttle: LoginThrottle::default(),
            client_ip_header,
        }))
    }
}
