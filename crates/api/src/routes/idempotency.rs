//! `Idempotency-Key` on create endpoints: checking the key, fingerprinting the request, and
//! reading back the answer kept for a retry.

use campaign_domain::ids::UserId;
use campaign_persistence::idempotency::IdempotencyKey;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// The key of a request, if it sent one: 1 to 200 visible ASCII characters (a UUID is a good
/// one), with a fingerprint of the method, path and body so another request under it is refused.
pub fn key_of(
    raw: Option<&str>,
    user: UserId,
    method: &str,
    path: &str,
    body: &impl ToJSON,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(key) = raw else { return Ok(None) };
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_field(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters, e.g. a UUID",
        ));
    }
    let body = body.to_json().map(|v| v.to_string()).unwrap_or_default();
    let fingerprint = Sha256::digest(format!("{method} {path}\n{body}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(IdempotencyKey {
        user,
        key: key.to_owned(),
        fingerprint,
    }))
}

/// The JSON kept for a retry, as the answer type it was made from.
pub fn replayed<T: ParseFromJSON>(body: &str) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_str(body).map_err(|e| ApiError::internal(&e))?;
    T::parse_from_json(Some(value)).map_err(|e| ApiError::internal(&e.into_message()))
}

/// The answer to a key used before with another request.
pub fn key_reused() -> ApiError {
    ApiError::unprocessable(
        "this Idempotency-Key was used before with another request; use a new key for a new request",
    )
}
