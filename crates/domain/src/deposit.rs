//! Cash handed in: a group's deposit covers its cash entries of some days (Brussels calendar) and
//! is reconciled against them without touching the ledger: `matched`, `short` or `over` while it
//! is open (kept current as the cash of those days changes), `closed` once staff close it (with a
//! reason unless it matched). A closed deposit never changes; a day's cash is covered once.

use chrono::NaiveDate;

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepositStatus {
    Matched,
    /// Less deposited than logged.
    Short,
    /// More deposited than logged.
    Over,
    Closed,
}

impl DepositStatus {
    pub const ALL: [DepositStatus; 4] = [Self::Matched, Self::Short, Self::Over, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Matched => "matched",
            Self::Short => "short",
            Self::Over => "over",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| ValidationError::single("status", "must be matched, short, over or closed"))
    }
}

/// How an open deposit stands against the cash logged for its days.
pub fn reconcile(deposited_cents: i64, expected_cents: i64) -> DepositStatus {
    match deposited_cents.cmp(&expected_cents) {
        std::cmp::Ordering::Equal => DepositStatus::Matched,
        std::cmp::Ordering::Less => DepositStatus::Short,
        std::cmp::Ordering::Greater => DepositStatus::Over,
    }
}

/// Why a deposit cannot be closed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseRefused {
    #[error("the deposit is closed already; a closed deposit never changes")]
    Closed,
    #[error("the deposit is {} by {} cents; give a reason to close it with a difference", .status.as_str(), .difference.abs())]
    ReasonNeeded { status: DepositStatus, difference: i64 },
}

/// Closing an open deposit: a reason is needed when it does not match.
pub fn close(
    closed: bool,
    deposited_cents: i64,
    expected_cents: i64,
    reason: Option<&str>,
) -> Result<DepositStatus, CloseRefused> {
    if closed {
        return Err(CloseRefused::Closed);
    }
    let status = reconcile(deposited_cents, expected_cents);
    if status != DepositStatus::Matched && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(CloseRefused::ReasonNeeded {
            status,
            difference: deposited_cents - expected_cents,
        });
    }
    Ok(DepositStatus::Closed)
}

/// How the money reached 11.11.11: a bank reference, or "handed to staff".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositDetails {
    pub amount_cents: i64,
    pub deposited_on: NaiveDate,
    pub reference: String,
    pub covers_from: NaiveDate,
    pub covers_to: NaiveDate,
}

impl DepositDetails {
    /// Checks every field at once: a positive amount up to €1 million, a reference of 1 to 100
    /// characters (a bank reference, or e.g. "handed to staff"), covered days in order, a deposit
    /// not before its last covered day and not after `today`.
    pub fn new(
        amount_cents: i64,
        deposited_on: NaiveDate,
        reference: &str,
        covers_from: NaiveDate,
        covers_to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        if !(1..=100_000_000).contains(&amount_cents) {
            errors.push(FieldError::new(
                "amount_cents",
                "must be from 1 to 100000000 cents (€1 million)",
            ));
        }
        let reference = parse_text("reference", reference, 100)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        if covers_to < covers_from {
            errors.push(FieldError::new("covers_to", "must not be before covers_from"));
        } else if (covers_to - covers_from).num_days() > 366 {
            errors.push(FieldError::new("covers_to", "a deposit covers at most a year of days"));
        }
        if deposited_on < covers_to {
            errors.push(FieldError::new(
                "deposited_on",
                "must not be before the last covered day (covers_to)",
            ));
        }
        if deposited_on > today {
            errors.push(FieldError::new("deposited_on", "must not be in the future"));
        }
        match reference {
            Some(reference) if errors.is_empty() => Ok(Self {
                amount_cents,
                deposited_on,
                reference,
                covers_from,
                covers_to,
            }),
            _ => Err(ValidationError { errors }),
        }
    }

    /// Whether its covered days meet `[from, to]`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.covers_from <= to && from <= self.covers_to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn an_open_deposit_stands_against_the_cash_logged() {
        assert_eq!(reconcile(5000, 5000), DepositStatus::Matched);
        assert_eq!(reconcile(4000, 5000), DepositStatus::Short);
        assert_eq!(reconcile(6000, 5000), DepositStatus::Over);
        assert_eq!(reconcile(1, 0), DepositStatus::Over);
    }

    #[test]
    fn closing_needs_a_reason_unless_it_matched_and_happens_once() {
        assert_eq!(close(false, 5000, 5000, None), Ok(DepositStatus::Closed));
        assert_eq!(
            close(false, 4000, 5000, Some("  ")),
            Err(CloseRefused::ReasonNeeded {
                status: DepositStatus::Short,
                difference: -1000
            })
        );
        assert_eq!(
            close(false, 4000, 5000, Some("Muntgeld verloren")),
            Ok(DepositStatus::Closed)
        );
        assert_eq!(close(true, 5000, 5000, Some("x")), Err(CloseRefused::Closed));
        assert!(
            close(false, 6000, 5000, None)
                .err()
                .is_some_and(|e| e.to_string().contains("over by 1000 cents"))
        );
    }

    #[test]
    fn details_are_checked_together() {
        let today = day("2026-11-20");
        assert!(
            DepositDetails::new(
                12_500,
                day("2026-11-15"),
                "BE12 3456",
                day("2026-11-09"),
                day("2026-11-12"),
                today
            )
            .is_ok()
        );
        let fields: Vec<String> =
            DepositDetails::new(0, day("2026-11-21"), " ", day("2026-11-12"), day("2026-11-09"), today)
                .err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default();
        assert_eq!(fields, ["amount_cents", "reference", "covers_to", "deposited_on"]);
        let early = DepositDetails::new(
            100,
            day("2026-11-10"),
            "cash",
            day("2026-11-09"),
            day("2026-11-12"),
            today,
        );
        assert_eq!(
            early.err().map(|e| e.errors[0].field.clone()).as_deref(),
            Some("deposited_on")
        );
    }

    #[test]
    fn covered_days_overlap_inclusively() {
        let d = DepositDetails::new(
            100,
            day("2026-11-15"),
            "x",
            day("2026-11-09"),
            day("2026-11-12"),
            day("2026-11-20"),
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(d.overlaps(day("2026-11-12"), day("2026-11-14")));
        assert!(d.overlaps(day("2026-11-01"), day("2026-11-09")));
        assert!(!d.overlaps(day("2026-11-13"), day("2026-11-20")));
        assert!(!d.overlaps(day("2026-11-01"), day("2026-11-08")));
    }
}
