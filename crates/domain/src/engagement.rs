//! A municipality's engagement in one of 11.11.11's programmes (Faire Gemeente, Solidaire
//! Gemeente): where it stands, who may move it where, and the dates each standing needs.
//!
//! `not_engaged` → `interested` → `committed` (with the council decision's date) → `recognised`
//! (with the title's date and its renewal date) → `lapsed`. The municipality's contact moves its
//! own engagement between the first three (stepping back included) and starts again after a
//! lapse; only staff recognise or lapse.

use chrono::NaiveDate;

use crate::{FieldError, ValidationError};

/// Where a municipality stands in a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementStatus {
    NotEngaged,
    Interested,
    Committed,
    Recognised,
    Lapsed,
}

impl EngagementStatus {
    pub const ALL: [EngagementStatus; 5] = [
        Self::NotEngaged,
        Self::Interested,
        Self::Committed,
        Self::Recognised,
        Self::Lapsed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotEngaged => "not_engaged",
            Self::Interested => "interested",
            Self::Committed => "committed",
            Self::Recognised => "recognised",
            Self::Lapsed => "lapsed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            ValidationError::single(
                "status",
                "must be not_engaged, interested, committed, recognised or lapsed",
            )
        })
    }
}

/// Who moves an engagement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// A municipal contact of that municipality.
    Contact,
    Staff,
}

/// A move the machine does not allow, or not to this mover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the engagement is {}; {}", from.as_str(), why(*from, *to, *by))]
pub struct IllegalEngagementMove {
    pub from: EngagementStatus,
    pub to: EngagementStatus,
    pub by: Mover,
}

fn why(from: EngagementStatus, to: EngagementStatus, by: Mover) -> String {
    if by == Mover::Contact && staff_only(from, to) {
        return format!(
            "only 11.11.11 staff move it to {} (a contact moves it between not_engaged, interested and committed)",
            to.as_str()
        );
    }
    let allowed: Vec<&str> = EngagementStatus::ALL
        .into_iter()
        .filter(|next| *next != from && allowed_for(from, *next, Mover::Staff))
        .map(EngagementStatus::as_str)
        .collect();
    format!(
        "it cannot move to {}; from here it moves to {}",
        to.as_str(),
        allowed.join(" or ")
    )
}

/// Recognising and lapsing are for staff.
fn staff_only(from: EngagementStatus, to: EngagementStatus) -> bool {
    use EngagementStatus as S;
    matches!((from, to), (S::Committed, S::Recognised) | (S::Recognised, S::Lapsed))
}

fn allowed_for(from: EngagementStatus, to: EngagementStatus, by: Mover) -> bool {
    use EngagementStatus as S;
    let open = matches!(
        (from, to),
        (S::NotEngaged, S::Interested)
            | (S::Interested, S::NotEngaged | S::Committed)
            | (S::Committed, S::Interested)
            | (S::Lapsed, S::Interested | S::Committed)
    );
    open || (by == Mover::Staff && staff_only(from, to))
}

/// Checks that `by` may move an engagement from `from` to `to`. Staying where it is is always
/// allowed (evidence and dates change without a move).
pub fn check_move(from: EngagementStatus, to: EngagementStatus, by: Mover) -> Result<(), IllegalEngagementMove> {
    if from == to || allowed_for(from, to, by) {
        Ok(())
    } else {
        Err(IllegalEngagementMove { from, to, by })
    }
}

/// The dates of an engagement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngagementDates {
    /// The municipal council's decision to commit.
    pub council_decision_on: Option<NaiveDate>,
    /// When the title was granted.
    pub recognised_on: Option<NaiveDate>,
    /// When the title is up for renewal.
    pub renewal_due_on: Option<NaiveDate>,
}

/// Checks the dates an engagement in `status` carries: `committed` and `recognised` need the
/// council decision, `recognised` its title's date and a renewal after it; a title is not
/// granted before the council decided. A contact may set the council decision's date only.
pub fn check_dates(
    status: EngagementStatus,
    dates: EngagementDates,
    before: EngagementDates,
    by: Mover,
) -> Result<(), ValidationError> {
    use EngagementStatus as S;
    let mut errors = Vec::new();
    if by == Mover::Contact {
        if dates.recognised_on != before.recognised_on {
            errors.push(FieldError::new(
                "recognised_on",
                "only 11.11.11 staff set the title's date",
            ));
        }
        if dates.renewal_due_on != before.renewal_due_on {
            errors.push(FieldError::new(
                "renewal_due_on",
                "only 11.11.11 staff set the renewal date",
            ));
        }
    }
    if matches!(status, S::Committed | S::Recognised) && dates.council_decision_on.is_none() {
        errors.push(FieldError::new(
            "council_decision_on",
            format!(
                "a {} engagement needs the council decision's date (YYYY-MM-DD)",
                status.as_str()
            ),
        ));
    }
    if status == S::Recognised {
        match (dates.recognised_on, dates.renewal_due_on) {
            (None, _) => errors.push(FieldError::new(
                "recognised_on",
                "a recognised engagement needs the title's date (YYYY-MM-DD)",
            )),
            (Some(_), None) => errors.push(FieldError::new(
                "renewal_due_on",
                "a recognised engagement needs its renewal date (YYYY-MM-DD)",
            )),
            (Some(on), Some(due)) if due <= on => errors.push(FieldError::new(
                "renewal_due_on",
                format!("must come after the title's date {on}"),
            )),
            _ => {}
        }
        if let (Some(decided), Some(on)) = (dates.council_decision_on, dates.recognised_on)
            && on < decided
        {
            errors.push(FieldError::new(
                "recognised_on",
                format!("cannot come before the council decision of {decided}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EngagementStatus as S;

    fn date(raw: &str) -> Option<NaiveDate> {
        raw.parse().ok()
    }

    #[test]
    fn every_pair_of_states_for_each_mover() {
        // (from, to, contact may, staff may); staying put is always allowed.
        let moves = [
            (S::NotEngaged, S::Interested, true, true),
            (S::Interested, S::NotEngaged, true, true),
            (S::Interested, S::Committed, true, true),
            (S::Committed, S::Interested, true, true),
            (S::Committed, S::Recognised, false, true),
            (S::Recognised, S::Lapsed, false, true),
            (S::Lapsed, S::Interested, true, true),
            (S::Lapsed, S::Committed, true, true),
        ];
        for from in EngagementStatus::ALL {
            for to in EngagementStatus::ALL {
                let listed = moves.iter().find(|(f, t, ..)| *f == from && *t == to);
                let (contact, staff) = match listed {
                    Some((_, _, contact, staff)) => (*contact, *staff),
                    None => (from == to, from == to),
                };
                assert_eq!(
                    check_move(from, to, Mover::Contact).is_ok(),
                    contact,
                    "contact {from:?} → {to:?}"
                );
                assert_eq!(
                    check_move(from, to, Mover::Staff).is_ok(),
                    staff,
                    "staff {from:?} → {to:?}"
                );
            }
        }
    }

    #[test]
    fn a_refused_move_says_what_is_allowed() {
        let message = |from, to, by| check_move(from, to, by).err().map(|e| e.to_string());
        assert_eq!(
            message(S::Committed, S::Recognised, Mover::Contact).as_deref(),
            Some(
                "the engagement is committed; only 11.11.11 staff move it to recognised \
                 (a contact moves it between not_engaged, interested and committed)"
            )
        );
        assert_eq!(
            message(S::NotEngaged, S::Recognised, Mover::Staff).as_deref(),
            Some("the engagement is not_engaged; it cannot move to recognised; from here it moves to interested")
        );
        assert_eq!(
            message(S::Recognised, S::Committed, Mover::Staff).as_deref(),
            Some("the engagement is recognised; it cannot move to committed; from here it moves to lapsed")
        );
    }

    #[test]
    fn statuses_read_back_what_they_write() {
        for status in EngagementStatus::ALL {
            assert_eq!(EngagementStatus::parse(status.as_str()), Ok(status));
        }
        assert!(EngagementStatus::parse("Recognised").is_err());
    }

    #[test]
    fn each_status_carries_its_dates() {
        let none = EngagementDates::default();
        let fields = |r: Result<(), ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert!(check_dates(S::Interested, none, none, Mover::Contact).is_ok());
        assert_eq!(
            fields(check_dates(S::Committed, none, none, Mover::Contact)),
            ["council_decision_on"]
        );
        let decided = EngagementDates {
            council_decision_on: date("2026-03-12"),
            ..none
        };
        assert!(check_dates(S::Committed, decided, none, Mover::Contact).is_ok());
        assert_eq!(
            fields(check_dates(S::Recognised, decided, none, Mover::Staff)),
            ["recognised_on"]
        );
        let recognised = EngagementDates {
            recognised_on: date("2026-06-01"),
            renewal_due_on: date("2029-06-01"),
            ..decided
        };
        assert!(check_dates(S::Recognised, recognised, decided, Mover::Staff).is_ok());
        let renewal_first = EngagementDates {
            renewal_due_on: date("2026-05-01"),
            ..recognised
        };
        assert_eq!(
            fields(check_dates(S::Recognised, renewal_first, decided, Mover::Staff)),
            ["renewal_due_on"]
        );
        let before_council = EngagementDates {
            recognised_on: date("2026-01-01"),
            ..recognised
        };
        assert_eq!(
            fields(check_dates(S::Recognised, before_council, decided, Mover::Staff)),
            ["recognised_on"]
        );
        // A contact keeps the staff's dates as they are.
        assert!(check_dates(S::Recognised, recognised, recognised, Mover::Contact).is_ok());
        let renewed = EngagementDates {
            renewal_due_on: date("2030-06-01"),
            ..recognised
        };
        assert!(check_dates(S::Recognised, renewed, recognised, Mover::Staff).is_ok());
        assert_eq!(
            fields(check_dates(S::Recognised, renewed, recognised, Mover::Contact)),
            ["renewal_due_on"]
        );
    }
}
