//! Opaque cursors for `?cursor=`: the client hands back `next_cursor` and never looks inside.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use campaign_domain::paging::PageLimit;
use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use crate::problem::ApiError;

/// Encodes the key of the last item of a page, tagged with the list it belongs to.
pub fn encode(list: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{key}"))
}

/// Decodes a cursor made by [`encode`] for the same list.
pub fn decode(list: &str, cursor: &str) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::invalid_field(
            "cursor",
            "this cursor is not valid here; pass the next_cursor of the previous page unchanged",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(str::to_owned)
        .ok_or_else(invalid)
}

/// Trims a page fetched with one extra row to `limit`, and gives the cursor of the next page
/// (the key of the last row kept) when the extra row shows there is one.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: PageLimit, list: &str, key: impl Fn(&T) -> String) -> Option<String> {
    let limit = usize::try_from(limit.get()).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| encode(list, &key(row)))
    } else {
        None
    }
}

/// The key of a row in a list ordered by (time, id): what [`decode_time_id`] reads back.
pub fn time_id_key(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}|{id}", at.to_rfc3339_opts(SecondsFormat::Micros, true))
}

/// The (time, id) of the last row of the previous page, from a cursor of `list`.
pub fn decode_time_id(list: &str, cursor: &str) -> Result<(DateTime<Utc>, Uuid), ApiError> {
    let invalid = || ApiError::invalid_field("cursor", "this cursor is not valid here");
    let key = decode(list, cursor)?;
    let (at, id) = key.split_once('|').ok_or_else(invalid)?;
    Ok((
        DateTime::parse_from_rfc3339(at)
            .map_err(|_| invalid())?
            .with_timezone(&Utc),
        Uuid::parse_str(id).map_err(|_| invalid())?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_foreign_cursors() {
        let c = encode("municipalities", "44021");
        assert_eq!(decode("municipalities", &c).ok().as_deref(), Some("44021"));
        assert!(decode("groups", &c).is_err());
        assert!(decode("municipalities", "!!!").is_err());
        assert!(decode("municipalities", "").is_err());
    }

    #[test]
    fn time_and_id_keys_round_trip() {
        let at = DateTime::parse_from_rfc3339("2026-11-11T10:00:00.123456Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| unreachable!("{e}"));
        let id = Uuid::new_v4();
        let cursor = encode("questions", &time_id_key(at, id));
        assert_eq!(decode_time_id("questions", &cursor).ok(), Some((at, id)));
        assert!(decode_time_id("inquiries", &cursor).is_err());
        assert!(decode_time_id("questions", &encode("questions", "yesterday|x")).is_err());
    }
}
