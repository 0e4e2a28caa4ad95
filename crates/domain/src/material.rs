//! Materials lent or given to municipalities (flags, banners, posters, the exhibition kit), and
//! the state machine of their requests.

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// Where a material request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    Submitted,
    Approved,
    Rejected,
    Shipped,
    Delivered,
    Returned,
    Cancelled,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 7] = [
        Self::Submitted,
        Self::Approved,
        Self::Rejected,
        Self::Shipped,
        Self::Delivered,
        Self::Returned,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Returned => "returned",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            ValidationError::single(
                "status",
                "must be submitted, approved, rejected, shipped, delivered, returned or cancelled",
            )
        })
    }
}

/// What staff (or the requester, for `Cancel`) do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestMove {
    Approve,
    Reject,
    Ship,
    Deliver,
    Return,
    Cancel,
}

impl RequestMove {
    pub const ALL: [RequestMove; 6] = [
        Self::Approve,
        Self::Reject,
        Self::Ship,
        Self::Deliver,
        Self::Return,
        Self::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Ship => "ship",
            Self::Deliver => "deliver",
            Self::Return => "return",
            Self::Cancel => "cancel",
        }
    }
}

/// A move the state machine does not allow, naming the current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request is {}; it cannot be {}", from.as_str(), past(*action))]
pub struct IllegalMove {
    pub from: RequestStatus,
    pub action: RequestMove,
}

fn past(action: RequestMove) -> &'static str {
    match action {
        RequestMove::Approve => "approved",
        RequestMove::Reject => "rejected",
        RequestMove::Ship => "shipped",
        RequestMove::Deliver => "delivered",
        RequestMove::Return => "returned (only delivered requests with lent materials come back)",
        RequestMove::Cancel => "cancelled (only before shipping)",
    }
}

/// The state after `action`: submitted → approved | rejected | cancelled; approved → shipped |
/// cancelled; shipped → delivered; delivered → returned, when something was lent.
pub fn next_status(
    from: RequestStatus,
    action: RequestMove,
    has_lent_lines: bool,
) -> Result<RequestStatus, IllegalMove> {
    use RequestMove as M;
    use RequestStatus as S;
    match (from, action) {
        (S::Submitted, M::Approve) => Ok(S::Approved),
        (S::Submitted, M::Reject) => Ok(S::Rejected),
        (S::Submitted | S::Approved, M::Cancel) => Ok(S::Cancelled),
        (S::Approved, M::Ship) => Ok(S::Shipped),
        (S::Shipped, M::Deliver) => Ok(S::Delivered),
        (S::Delivered, M::Return) if has_lent_lines => Ok(S::Returned),
        _ => Err(IllegalMove { from, action }),
    }
}

/// A material code: a slug such as `flag-large` or `expo-kit`.
pub fn material_code(raw: &str) -> Result<String, ValidationError> {
    crate::campaign::parse_slug("code", raw)
}

/// The most of one material on one line.
pub const MAX_LINE_QUANTITY: i64 = 1_000;
/// The most lines in one request.
pub const MAX_LINES: usize = 20;
/// The largest stock figure accepted.
pub const MAX_STOCK: i64 = 1_000_000;

/// A checked request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub material_code: String,
    pub quantity: i32,
}

/// Checks the lines of a request: 1 to 20, no material twice, 1 to 1,000 each.
pub fn lines(raw: &[(String, i64)]) -> Result<Vec<Line>, ValidationError> {
    let mut errors = Vec::new();
    if raw.is_empty() || raw.len() > MAX_LINES {
        errors.push(FieldError::new("lines", format!("give 1 to {MAX_LINES} lines")));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for (i, (code, quantity)) in raw.iter().enumerate() {
        if !seen.insert(code.as_str()) {
            errors.push(FieldError::new(
                format!("lines[{i}].material_code"),
                format!("{code} is on more than one line; add the quantities up"),
            ));
        }
        if !(1..=MAX_LINE_QUANTITY).contains(quantity) {
            errors.push(FieldError::new(
                format!("lines[{i}].quantity"),
                format!("must be 1 to {MAX_LINE_QUANTITY}"),
            ));
        }
        checked.push(Line {
            material_code: code.clone(),
            quantity: (*quantity).clamp(0, MAX_LINE_QUANTITY) as i32,
        });
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(ValidationError { errors })
    }
}

/// Checks `needed_by` (a day after `today`, Belgian calendar) and the delivery address.
pub fn needed_by_and_address(
    needed_by: NaiveDate,
    today: NaiveDate,
    address: &str,
) -> Result<(NaiveDate, String), ValidationError> {
    let mut errors = Vec::new();
    if needed_by <= today {
        errors.push(FieldError::new("needed_by", format!("must be after today ({today})")));
    }
    let address = parse_text("delivery_address", address, 300)
        .map_err(|e| errors.extend(e.errors))
        .ok();
    match address {
        Some(address) if errors.is_empty() => Ok((needed_by, address)),
        _ => Err(ValidationError { errors }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus as S;

    #[test]
    fn every_state_and_every_move() {
        let allowed = [
            (S::Submitted, RequestMove::Approve, S::Approved),
            (S::Submitted, RequestMove::Reject, S::Rejected),
            (S::Submitted, RequestMove::Cancel, S::Cancelled),
            (S::Approved, RequestMove::Ship, S::Shipped),
            (S::Approved, RequestMove::Cancel, S::Cancelled),
            (S::Shipped, RequestMove::Deliver, S::Delivered),
            (S::Delivered, RequestMove::Return, S::Returned),
        ];
        for from in RequestStatus::ALL {
            for action in RequestMove::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, to)| *to);
                assert_eq!(next_status(from, action, true).ok(), expected, "{from:?} {action:?}");
            }
        }
        // Given materials do not come back.
        assert!(next_status(S::Delivered, RequestMove::Return, false).is_err());
        let err = next_status(S::Shipped, RequestMove::Cancel, true)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("the request is shipped; it cannot be cancelled (only before shipping)")
        );
    }

    #[test]
    fn lines_are_checked() {
        let line = |c: &str, q: i64| (c.to_owned(), q);
        assert!(lines(&[line("flag", 3), line("poster-pack", 10)]).is_ok());
        assert!(lines(&[]).is_err());
        let fields = |r: Result<Vec<Line>, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(lines(&[line("flag", 0), line("flag", 1001)])),
            ["lines[0].quantity", "lines[1].material_code", "lines[1].quantity"]
        );
        let many: Vec<(String, i64)> = (0..21).map(|i| (format!("m{i}"), 1)).collect();
        assert_eq!(fields(lines(&many)), ["lines"]);
    }

    #[test]
    fn needed_by_lies_ahead() {
        let today: NaiveDate = "2026-11-20".parse().unwrap_or_default();
        assert!(
            needed_by_and_address(
                "2026-11-21".parse().unwrap_or_default(),
                today,
                "Stadhuis, Botermarkt 1, Gent"
            )
            .is_ok()
        );
        assert!(needed_by_and_address(today, today, "x").is_err());
        assert!(needed_by_and_address("2026-11-21".parse().unwrap_or_default(), today, " ").is_err());
    }
}
