//! Short-lived access tokens: HS256 JWTs with `typ: at+jwt` (RFC 9068), issuer and audience.

use anyhow::bail;
use campaign_persistence::users::StoredUser;
use chrono::Utc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "campaign-api";
pub const AUDIENCE: &str = "campaign-api/v1";
/// The header `typ` of access tokens; a token without it (or with another) is refused, so no
/// other kind of token can pass for an access token.
pub const TOKEN_TYPE: &str = "at+jwt";
/// Access tokens live 15 minutes.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
/// The least secret length accepted.
pub const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_nis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_org_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiative_id: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> anyhow::Result<Self> {
        if secret.len() < MIN_SECRET_BYTES {
            bail!(
                "CAMPAIGN_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long (it is {})",
                secret.len()
            );
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 30;
        validation.validate_exp = true;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        })
    }

    /// A new access token for `user`, and its lifetime in seconds.
    pub fn issue(&self, user: &StoredUser) -> anyhow::Result<String> {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user.id.to_string(),
            role: user.membership.role().as_str().to_owned(),
            group_id: user.membership.group().map(|g| g.to_string()),
            municipality_nis: user.membership.municipality().map(|m| m.to_string()),
            member_org_id: user.membership.member_org().map(|o| o.to_string()),
            initiative_id: user.membership.initiative().map(|i| i.to_string()),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            exp: now + ACCESS_TOKEN_TTL_SECS,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        let header = Header {
            typ: Some(TOKEN_TYPE.to_owned()),
            ..Header::new(Algorithm::HS256)
        };
        Ok(encode(&header, &claims, &self.encoding)?)
    }

    /// Checks signature, algorithm, expiry, issuer, audience and type; the error says why not.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, &'static str> {
        let data = decode::<AccessClaims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => "the access token has expired; get a new one with POST /api/v1/auth/refresh",
            _ => "the access token is not valid; sign in again with POST /api/v1/auth/login",
        })?;
        if data.header.typ.as_deref() != Some(TOKEN_TYPE) {
            return Err("this is not an access token; sign in with POST /api/v1/auth/login");
        }
        Ok(data.claims)
    }
}
