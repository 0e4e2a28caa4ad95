//! Versions as `ETag`s and `If-Match` on changes, so that two people editing the same thing
//! never overwrite each other unseen: a change made from a stale version answers 412.

use poem::Request;
use poem::http::header;
use poem::web::headers::{ETag, HeaderMapExt, IfMatch};

use crate::problem::ApiError;

/// The `ETag` of a version: strong, opaque to clients.
pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// Whether `If-Match` lets a change of `version` through (no `If-Match` always does).
pub fn passes(if_match: Option<&IfMatch>, version: i32) -> bool {
    match if_match {
        None => true,
        Some(tags) => etag(version)
            .parse::<ETag>()
            .is_ok_and(|tag| tags.precondition_passes(&tag)),
    }
}

/// The request's `If-Match`, if it sent one; an unreadable one is 400 (never ignored, never
/// taken for a tag that merely does not match). `read_from` names the `GET` that answers the tag.
pub fn if_match_of(req: &Request, read_from: &str) -> Result<Option<IfMatch>, ApiError> {
    let invalid = || {
        ApiError::invalid_field(
            "If-Match",
            format!("must be `*` or a comma-separated list of ETags as {read_from} answers them, e.g. \"v3\""),
        )
    };
    for value in req.headers().get_all(header::IF_MATCH) {
        let text = value.to_str().map_err(|_| invalid())?;
        let well_formed = text.trim() == "*"
            || text
                .split(',')
                .map(str::trim)
                .all(|tag| !tag.is_empty() && tag.parse::<ETag>().is_ok());
        if !well_formed {
            return Err(invalid());
        }
    }
    req.headers().typed_try_get::<IfMatch>().map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_version_or_a_star_passes() {
        let req = |value: &str| Request::builder().header(header::IF_MATCH, value).finish();
        let current = |value: &str| {
            let r = req(value);
            if_match_of(&r, "GET").map(|m| passes(m.as_ref(), 3))
        };
        assert_eq!(current("\"v3\"").ok(), Some(true));
        assert_eq!(current("\"v2\", \"v3\"").ok(), Some(true));
        assert_eq!(current("*").ok(), Some(true));
        assert_eq!(current("\"v2\"").ok(), Some(false));
        assert!(current("v3").is_err());
        assert!(current("\"v3\",").is_err());
        let none = Request::builder().finish();
        assert_eq!(
            if_match_of(&none, "GET").ok().map(|m| passes(m.as_ref(), 7)),
            Some(true)
        );
    }
}
