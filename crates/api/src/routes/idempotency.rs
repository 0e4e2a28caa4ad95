//! `Idempotency-Key` on create endpoints: checking the key, fingerprinting the request, and
//! reading back the answer kept for a retry. A handler looks the key up before any other check
//! of the request: a stored answer is the answer, whatever changed since.

use campaign_domain::ids::UserId;
use campaign_persistence::idempotency::{Claim, Created, IdempotencyKey};
use poem::Request;
use poem_openapi::types::{ParseFromJSON, ToJSON};
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// The header, as clients send it.
pub const HEADER: &str = "Idempotency-Key";

/// The key of a request, if it sent one: 1 to 200 visible ASCII characters (a UUID is a good
/// one), with a fingerprint of the method, path and body so another request under it is refused.
/// Read from the raw header, so a key with other bytes (`clé-42`) is refused, never ignored.
pub fn key_of(req: &Request, user: UserId, body: &impl ToJSON) -> Result<Option<IdempotencyKey>, ApiError> {
    let mut values = req.headers().get_all(HEADER).iter();
    let Some(raw) = values.next() else { return Ok(None) };
    let invalid = |why: &str| ApiError::invalid_field(HEADER, why.to_owned());
    if values.next().is_some() {
        return Err(invalid("send one Idempotency-Key header, not several"));
    }
    let key = raw.as_bytes();
    if key.is_empty() || key.len() > 200 || !key.iter().all(u8::is_ascii_graphic) {
        return Err(invalid(
            "must be 1 to 200 visible ASCII characters (no spaces, no accents), e.g. a UUID",
        ));
    }
    let body = body.to_json().map(|v| v.to_string()).unwrap_or_default();
    Ok(Some(IdempotencyKey {
        user,
        key: String::from_utf8_lossy(key).into_owned(),
        fingerprint: fingerprint(req.method().as_str(), req.uri().path(), &body),
    }))
}

/// What a request under a key stands for: its method, path and body, hashed.
pub fn fingerprint(method: &str, path: &str, body_json: &str) -> String {
    Sha256::digest(format!("{method} {path}\n{body_json}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The answer kept for an earlier request under the same key: `Some((status, body))` to replay,
/// 422 when the key was used with another request, `None` when the key is new.
pub fn earlier(claim: Claim) -> Result<Option<(u16, String)>, ApiError> {
    match claim {
        Claim::Fresh => Ok(None),
        Claim::Replay { status, body } => Ok(Some((status, body))),
        Claim::Mismatch => Err(key_reused()),
    }
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

/// The answer kept for a retry of a create: 201 with `answer` as JSON.
pub fn created_json<T: ToJSON>(answer: T) -> (u16, String) {
    (201, answer.to_json().map(|v| v.to_string()).unwrap_or_default())
}

/// The answer to a create made under an optional key: the new resource (`fresh`), the answer
/// kept for the first request under the key (`replay`), or 422 for a key used with another request.
pub fn answer<T, R>(
    created: Created<T>,
    fresh: impl FnOnce(T) -> R,
    replay: impl FnOnce(&str) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    match created {
        Created::New(value) => Ok(fresh(value)),
        Created::Replay { body, .. } => replay(&body),
        Created::KeyMismatch => Err(key_reused()),
    }
}
