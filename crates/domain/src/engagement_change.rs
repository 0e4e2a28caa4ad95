//! One change to a municipality's engagement in a programme (status, dates, evidence), checked
//! as a whole against the state it is made from: the move, the dates the new status needs, who
//! may set which date, and evidence only for the programme's own criteria.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::engagement::{EngagementDates, EngagementStatus, IllegalEngagementMove, Mover, check_dates, check_move};
use crate::programme::Criterion;
use crate::{FieldError, ValidationError};

/// The most characters of evidence one criterion keeps.
pub const EVIDENCE_MAX_CHARS: usize = 4000;

/// Where a municipality stands in one programme. A municipality that never moved is
/// `not_engaged` with no dates and no evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngagementState {
    pub status: EngagementStatus,
    pub dates: EngagementDates,
    /// Evidence text per criterion code.
    pub evidence: BTreeMap<String, String>,
}

impl Default for EngagementState {
    fn default() -> Self {
        Self {
            status: EngagementStatus::NotEngaged,
            dates: EngagementDates::default(),
            evidence: BTreeMap::new(),
        }
    }
}

/// What a change asks for; `None` leaves a field as it is, `Some(None)` clears a date, and
/// evidence given as `None` (or blank) is removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngagementChange {
    pub status: Option<EngagementStatus>,
    pub council_decision_on: Option<Option<NaiveDate>>,
    pub recognised_on: Option<Option<NaiveDate>>,
    pub renewal_due_on: Option<Option<NaiveDate>>,
    pub evidence: BTreeMap<String, Option<String>>,
}

/// Why a change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    /// The status cannot move this way (or not by this mover).
    #[error(transparent)]
    Move(#[from] IllegalEngagementMove),
    /// A field is wrong (every wrong field is named).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Evidence text: trimmed, line breaks kept, at most [`EVIDENCE_MAX_CHARS`]; blank is `None`.
pub fn evidence_text(field: &str, raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > EVIDENCE_MAX_CHARS => Err(ValidationError::single(
            field,
            format!("must be at most {EVIDENCE_MAX_CHARS} characters long"),
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

/// The state after `change`, if `by` may make it from `current` in a programme with `criteria`.
/// The move is checked first, then every field (all wrong ones at once).
pub fn apply_change(
    current: &EngagementState,
    change: &EngagementChange,
    criteria: &[Criterion],
    by: Mover,
) -> Result<EngagementState, ChangeRefused> {
    let status = change.status.unwrap_or(current.status);
    check_move(current.status, status, by)?;
    let dates = EngagementDates {
        council_decision_on: change.council_decision_on.unwrap_or(current.dates.council_decision_on),
        recognised_on: change.recognised_on.unwrap_or(current.dates.recognised_on),
        renewal_due_on: change.renewal_due_on.unwrap_or(current.dates.renewal_due_on),
    };
    let mut errors = Vec::new();
    if let Err(e) = check_dates(status, dates, current.dates, by) {
        errors.extend(e.errors);
    }
    let mut evidence = current.evidence.clone();
    for (code, text) in &change.evidence {
        let field = format!("evidence.{code}");
        if !criteria.iter().any(|c| &c.code == code) {
            let known: Vec<&str> = criteria.iter().map(|c| c.code.as_str()).collect();
            errors.push(FieldError::new(
                field,
                format!(
                    "is not a criterion of this programme; its criteria are {}",
                    known.join(", ")
                ),
            ));
            continue;
        }
        match evidence_text(&field, text.as_deref()) {
            Ok(Some(text)) => {
                evidence.insert(code.clone(), text);
            }
            Ok(None) => {
                evidence.remove(code);
            }
            Err(e) => errors.extend(e.errors),
        }
    }
    if !errors.is_empty() {
        return Err(ValidationError { errors }.into());
    }
    Ok(EngagementState {
        status,
        dates,
        evidence,
    })
}

/// The names of the fields `after` changed against `before`, for the history.
pub fn changed_fields(before: &EngagementState, after: &EngagementState) -> Vec<String> {
    let mut fields = Vec::new();
    if before.status != after.status {
        fields.push("status".to_owned());
    }
    let dates = [
        (
            "council_decision_on",
            before.dates.council_decision_on,
            after.dates.council_decision_on,
        ),
        ("recognised_on", before.dates.recognised_on, after.dates.recognised_on),
        (
            "renewal_due_on",
            before.dates.renewal_due_on,
            after.dates.renewal_due_on,
        ),
    ];
    fields.extend(
        dates
            .iter()
            .filter(|(_, b, a)| b != a)
            .map(|(name, ..)| (*name).to_owned()),
    );
    let codes: std::collections::BTreeSet<&String> = before.evidence.keys().chain(after.evidence.keys()).collect();
    fields.extend(
        codes
            .into_iter()
            .filter(|code| before.evidence.get(*code) != after.evidence.get(*code))
            .map(|code| format!("evidence.{code}")),
    );
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use EngagementStatus as S;

    fn criteria() -> Vec<Criterion> {
        ["council", "shops-horeca"]
            .iter()
            .map(|code| Criterion {
                code: (*code).to_owned(),
                title: (*code).to_owned(),
            })
            .collect()
    }

    fn date(raw: &str) -> Option<NaiveDate> {
        raw.parse().ok()
    }

    fn fields(r: Result<EngagementState, ChangeRefused>) -> Vec<String> {
        match r {
            Err(ChangeRefused::Invalid(e)) => e.errors.into_iter().map(|e| e.field).collect(),
            other => unreachable!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_contact_commits_with_the_council_decision_and_evidence() {
        let change = EngagementChange {
            status: Some(S::Interested),
            evidence: BTreeMap::from([("council".to_owned(), Some("  Raad van 12 maart\nakkoord ".to_owned()))]),
            ..EngagementChange::default()
        };
        let interested = apply_change(&EngagementState::default(), &change, &criteria(), Mover::Contact)
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(interested.status, S::Interested);
        assert_eq!(interested.evidence["council"], "Raad van 12 maart\nakkoord");
        let commit = EngagementChange {
            status: Some(S::Committed),
            council_decision_on: Some(date("2026-03-12")),
            ..EngagementChange::default()
        };
        let committed =
            apply_change(&interested, &commit, &criteria(), Mover::Contact).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(committed.dates.council_decision_on, date("2026-03-12"));
        assert_eq!(committed.evidence, interested.evidence);
        assert_eq!(
            changed_fields(&interested, &committed),
            ["status", "council_decision_on"]
        );
        assert_eq!(
            changed_fields(&EngagementState::default(), &interested),
            ["status", "evidence.council"]
        );
    }

    #[test]
    fn the_move_is_checked_before_the_fields() {
        let change = EngagementChange {
            status: Some(S::Recognised),
            evidence: BTreeMap::from([("nope".to_owned(), Some("x".to_owned()))]),
            ..EngagementChange::default()
        };
        let refused = apply_change(&EngagementState::default(), &change, &criteria(), Mover::Staff);
        assert!(matches!(refused, Err(ChangeRefused::Move(_))), "{refused:?}");
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let change = EngagementChange {
            status: Some(S::Committed),
            evidence: BTreeMap::from([
                ("nope".to_owned(), Some("x".to_owned())),
                ("council".to_owned(), Some("é".repeat(EVIDENCE_MAX_CHARS + 1))),
            ]),
            ..EngagementChange::default()
        };
        let interested = EngagementState {
            status: S::Interested,
            ..EngagementState::default()
        };
        assert_eq!(
            fields(apply_change(&interested, &change, &criteria(), Mover::Contact)),
            ["council_decision_on", "evidence.council", "evidence.nope"]
        );
    }

    #[test]
    fn blank_evidence_removes_it_and_dates_can_be_cleared() {
        let current = EngagementState {
            status: S::Interested,
            dates: EngagementDates {
                council_decision_on: date("2026-03-12"),
                ..EngagementDates::default()
            },
            evidence: BTreeMap::from([("council".to_owned(), "x".to_owned())]),
        };
        let change = EngagementChange {
            council_decision_on: Some(None),
            evidence: BTreeMap::from([("council".to_owned(), Some("   ".to_owned()))]),
            ..EngagementChange::default()
        };
        let after =
            apply_change(&current, &change, &criteria(), Mover::Contact).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(after.dates.council_decision_on, None);
        assert!(after.evidence.is_empty());
        assert_eq!(
            changed_fields(&current, &after),
            ["council_decision_on", "evidence.council"]
        );
    }

    #[test]
    fn staff_recognise_with_both_dates_and_a_contact_cannot_touch_them() {
        let committed = EngagementState {
            status: S::Committed,
            dates: EngagementDates {
                council_decision_on: date("2026-03-12"),
                ..EngagementDates::default()
            },
            ..EngagementState::default()
        };
        let recognise = EngagementChange {
            status: Some(S::Recognised),
            recognised_on: Some(date("2026-06-01")),
            renewal_due_on: Some(date("2028-06-01")),
            ..EngagementChange::default()
        };
        let recognised =
            apply_change(&committed, &recognise, &criteria(), Mover::Staff).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(recognised.dates.renewal_due_on, date("2028-06-01"));
        let push_renewal = EngagementChange {
            renewal_due_on: Some(date("2030-06-01")),
            ..EngagementChange::default()
        };
        assert_eq!(
            fields(apply_change(&recognised, &push_renewal, &criteria(), Mover::Contact)),
            ["renewal_due_on"]
        );
        assert!(apply_change(&recognised, &push_renewal, &criteria(), Mover::Staff).is_ok());
    }
}
