//! The 11.11.11 fund for the 4th pillar: a yearly call with a budget, a maximum per application
//! and a deadline (by default 31 March 23:59:59 in Brussels), and the applications of citizen
//! initiatives: drafted, submitted before the deadline, reviewed, granted (at most what was asked,
//! never beyond the call's budget) or refused with a reason.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Brussels;

use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// The last second of 31 March of `year` in Brussels, as a UTC instant.
pub fn default_deadline(year: i32) -> Option<DateTime<Utc>> {
    let day = NaiveDate::from_ymd_opt(year, 3, 31)?;
    let last_second = day.and_time(NaiveTime::from_hms_opt(23, 59, 59)?);
    match Brussels.from_local_datetime(&last_second) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        // 23:59:59 is never skipped or repeated in Brussels (clocks change at 02:00 and 03:00).
        LocalResult::Ambiguous(_, later) => Some(later.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

/// A deadline as people in Brussels read it: `31/03/2027 23:59:59 (Brussels time)`.
pub fn in_brussels(deadline: DateTime<Utc>) -> String {
    format!(
        "{} (Brussels time)",
        deadline.with_timezone(&Brussels).format("%d/%m/%Y %H:%M:%S")
    )
}

/// Whether a submission at `now` is on time: up to and including the deadline's second (a
/// deadline of 23:59:59 takes submissions until 23:59:59.999999).
pub fn on_time(now: DateTime<Utc>, deadline: DateTime<Utc>) -> bool {
    now < deadline + chrono::Duration::seconds(1)
}

/// A call for applications, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTerms {
    pub year: i32,
    pub budget_cents: i64,
    pub max_per_application_cents: i64,
    pub deadline: DateTime<Utc>,
}

impl CallTerms {
    /// Checks every field at once: a year from 2000 to 2100, a budget from €1 to €100 million, a
    /// maximum per application from €1 up to the budget, a deadline (default 31 March 23:59:59 in
    /// Brussels of `year`) in that year or the one before.
    pub fn new(
        year: i64,
        budget_cents: i64,
        max_per_application_cents: i64,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        let year = i32::try_from(year).ok().filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            errors.push(FieldError::new("year", "must be a year from 2000 to 2100"));
        }
        if !(100..=10_000_000_000).contains(&budget_cents) {
            errors.push(FieldError::new(
                "budget_cents",
                "must be from 100 (€1) to 10000000000 (€100 million) cents",
            ));
        }
        if max_per_application_cents < 100 || max_per_application_cents > budget_cents {
            errors.push(FieldError::new(
                "max_per_application_cents",
                "must be at least 100 (€1) cents and at most the budget",
            ));
        }
        let deadline = match (year, deadline) {
            (Some(y), None) => default_deadline(y),
            (Some(y), Some(d)) => {
                let local_year = d.with_timezone(&Brussels).format("%Y").to_string();
                if local_year == y.to_string() || local_year == (y - 1).to_string() {
                    Some(d)
                } else {
                    errors.push(FieldError::new(
                        "deadline",
                        format!(
                            "must fall in {y} or {} (Brussels time); leave it out for 31 March",
                            y - 1
                        ),
                    ));
                    None
                }
            }
            (None, _) => None,
        };
        match (year, deadline) {
            (Some(year), Some(deadline)) if errors.is_empty() => Ok(Self {
                year,
                budget_cents,
                max_per_application_cents,
                deadline,
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    UnderReview,
    Granted,
    Refused,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 5] = [
        Self::Draft,
        Self::Submitted,
        Self::UnderReview,
        Self::Granted,
        Self::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::UnderReview => "under_review",
            Self::Granted => "granted",
            Self::Refused => "refused",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw).ok_or_else(|| {
            ValidationError::single("status", "must be draft, submitted, under_review, granted or refused")
        })
    }
}

/// Why an application refuses a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationRefused {
    #[error("the call closed at {}; a draft can still be read but no longer submitted", in_brussels(*.0))]
    DeadlinePassed(DateTime<Utc>),
    #[error("the application is {}; only a draft can be {}", .from.as_str(), .step)]
    NotDraft {
        from: ApplicationStatus,
        step: &'static str,
    },
    #[error("the application is {}; it must be {} first", .from.as_str(), .needed.as_str())]
    Order {
        from: ApplicationStatus,
        needed: ApplicationStatus,
    },
    #[error("granting {asked} cents would exceed the call's budget: {left} cents are left of it")]
    OverBudget { asked: i64, left: i64 },
    #[error("the grant of {granted} cents is more than the {requested} cents requested")]
    MoreThanRequested { granted: i64, requested: i64 },
}

/// Submitting a draft at `now` before the call's `deadline`.
pub fn submit(
    from: ApplicationStatus,
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> Result<ApplicationStatus, ApplicationRefused> {
    if from != ApplicationStatus::Draft {
        return Err(ApplicationRefused::NotDraft {
            from,
            step: "submitted",
        });
    }
    if !on_time(now, deadline) {
        return Err(ApplicationRefused::DeadlinePassed(deadline));
    }
    Ok(ApplicationStatus::Submitted)
}

/// Staff take a submitted application into review.
pub fn review(from: ApplicationStatus) -> Result<ApplicationStatus, ApplicationRefused> {
    match from {
        ApplicationStatus::Submitted => Ok(ApplicationStatus::UnderReview),
        _ => Err(ApplicationRefused::Order {
            from,
            needed: ApplicationStatus::Submitted,
        }),
    }
}

/// Staff grant `amount` of an application under review that asked `requested`, with
/// `granted_so_far` of the call's `budget` granted already.
pub fn grant(
    from: ApplicationStatus,
    amount: i64,
    requested: i64,
    granted_so_far: i64,
    budget: i64,
) -> Result<ApplicationStatus, ApplicationRefused> {
    if from != ApplicationStatus::UnderReview {
        return Err(ApplicationRefused::Order {
            from,
            needed: ApplicationStatus::UnderReview,
        });
    }
    if amount > requested {
        return Err(ApplicationRefused::MoreThanRequested {
            granted: amount,
            requested,
        });
    }
    let left = budget - granted_so_far;
    if amount > left {
        return Err(ApplicationRefused::OverBudget { asked: amount, left });
    }
    Ok(ApplicationStatus::Granted)
}

/// Staff refuse an application under review.
pub fn refuse(from: ApplicationStatus) -> Result<ApplicationStatus, ApplicationRefused> {
    match from {
        ApplicationStatus::UnderReview => Ok(ApplicationStatus::Refused),
        _ => Err(ApplicationRefused::Order {
            from,
            needed: ApplicationStatus::UnderReview,
        }),
    }
}

/// One line of an application's budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub label: String,
    pub amount_cents: i64,
}

/// What an application asks, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDetails {
    pub project_title: String,
    /// ISO 3166-1 alpha-2, upper case (e.g. `CD`).
    pub country: String,
    pub partner: String,
    pub summary: String,
    pub requested_cents: i64,
    pub budget_lines: Vec<BudgetLine>,
}

impl ApplicationDetails {
    /// Checks every field at once: the amount from €1 to the call's maximum, one to 30 budget
    /// lines of positive amounts that add up to it exactly.
    pub fn new(
        project_title: &str,
        country: &str,
        partner: &str,
        summary: &str,
        requested_cents: i64,
        budget_lines: Vec<(String, i64)>,
        max_per_application_cents: i64,
    ) -> Result<Self, ValidationError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut keep = |r: Result<String, ValidationError>| r.map_err(|e| errors.extend(e.errors)).ok();
        let project_title = keep(parse_text("project_title", project_title, 200));
        let country = keep(country_code(country));
        let partner = keep(parse_text("partner", partner, 200));
        let summary = keep(summary_text(summary));
        if !(100..=max_per_application_cents).contains(&requested_cents) {
            errors.push(FieldError::new(
                "requested_cents",
                format!("must be from 100 (€1) to the call's maximum of {max_per_application_cents} cents"),
            ));
        }
        if budget_lines.is_empty() || budget_lines.len() > 30 {
            errors.push(FieldError::new("budget_lines", "give 1 to 30 budget lines"));
        }
        let mut lines = Vec::new();
        for (i, (label, amount)) in budget_lines.into_iter().enumerate() {
            match parse_text(&format!("budget_lines[{i}].label"), &label, 120) {
                Ok(label) => lines.push(BudgetLine {
                    label,
                    amount_cents: amount,
                }),
                Err(e) => errors.extend(e.errors),
            }
            if amount <= 0 || amount > 10_000_000_000 {
                errors.push(FieldError::new(
                    format!("budget_lines[{i}].amount_cents"),
                    "must be a positive number of cents",
                ));
            }
        }
        let total: i64 = lines.iter().map(|l| l.amount_cents.clamp(0, 10_000_000_000)).sum();
        if !lines.is_empty() && total != requested_cents {
            errors.push(FieldError::new(
                "budget_lines",
                format!("add up to {total} cents, not the {requested_cents} cents requested"),
            ));
        }
        match (project_title, country, partner, summary) {
            (Some(project_title), Some(country), Some(partner), Some(summary)) if errors.is_empty() => Ok(Self {
                project_title,
                country,
                partner,
                summary,
                requested_cents,
                budget_lines: lines,
            }),
            _ => Err(ValidationError { errors }),
        }
    }
}

/// An ISO 3166-1 alpha-2 country code: two letters, stored upper case.
pub fn country_code(raw: &str) -> Result<String, ValidationError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(ValidationError::single(
            "country",
            "must be a two-letter country code (ISO 3166-1), such as CD or PE",
        ))
    }
}

fn summary_text(raw: &str) -> Result<String, ValidationError> {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(ValidationError::single("summary", "must be 1 to 5000 characters"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApplicationStatus as S;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn the_default_deadline_is_the_last_second_of_31_march_in_brussels() {
        // Summer time (UTC+2) has begun by 31 March in most years...
        assert_eq!(default_deadline(2027), Some(utc("2027-03-31T21:59:59Z")));
        // ...and 31 March 2024 was itself the day the clocks went forward at 02:00.
        assert_eq!(default_deadline(2024), Some(utc("2024-03-31T21:59:59Z")));
        // In 2030 the clocks go forward on 31 March too.
        assert_eq!(default_deadline(2030), Some(utc("2030-03-31T21:59:59Z")));
        assert_eq!(
            default_deadline(2027).map(in_brussels).as_deref(),
            Some("31/03/2027 23:59:59 (Brussels time)")
        );
    }

    #[test]
    fn a_submission_is_on_time_through_23_59_59_and_late_at_midnight() {
        for year in [2024, 2027, 2030] {
            let deadline = default_deadline(year).unwrap_or_else(|| unreachable!());
            let at = |local: &str| -> DateTime<Utc> {
                let naive = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S%.f")
                    .unwrap_or_else(|e| unreachable!("{e}"));
                Brussels
                    .from_local_datetime(&naive)
                    .single()
                    .unwrap_or_else(|| unreachable!())
                    .with_timezone(&Utc)
            };
            let last = at(&format!("{year}-03-31 23:59:59.000"));
            let last_micro = at(&format!("{year}-03-31 23:59:59.999999"));
            let midnight = at(&format!("{year}-04-01 00:00:00.000"));
            assert_eq!(submit(S::Draft, last, deadline), Ok(S::Submitted), "{year}");
            assert_eq!(submit(S::Draft, last_micro, deadline), Ok(S::Submitted), "{year}");
            let late = submit(S::Draft, midnight, deadline);
            assert_eq!(late, Err(ApplicationRefused::DeadlinePassed(deadline)), "{year}");
            assert!(
                late.err()
                    .map(|e| e.to_string())
                    .is_some_and(|e| e.contains(&format!("31/03/{year} 23:59:59 (Brussels time)")))
            );
        }
        // A deadline in winter time (set by staff) holds as well: 28 February 23:59:59 is UTC+1.
        let winter = utc("2027-02-28T22:59:59Z");
        assert_eq!(submit(S::Draft, utc("2027-02-28T22:59:59Z"), winter), Ok(S::Submitted));
        assert!(submit(S::Draft, utc("2027-02-28T23:00:00Z"), winter).is_err());
    }

    #[test]
    fn only_a_draft_is_submitted_and_reviews_follow_in_order() {
        let deadline = utc("2027-03-31T21:59:59Z");
        let now = utc("2027-03-01T10:00:00Z");
        for from in [S::Submitted, S::UnderReview, S::Granted, S::Refused] {
            assert!(matches!(
                submit(from, now, deadline),
                Err(ApplicationRefused::NotDraft { .. })
            ));
        }
        assert_eq!(review(S::Submitted), Ok(S::UnderReview));
        for from in [S::Draft, S::UnderReview, S::Granted, S::Refused] {
            assert!(review(from).is_err(), "{from:?}");
        }
        assert_eq!(refuse(S::UnderReview), Ok(S::Refused));
        for from in [S::Draft, S::Submitted, S::Granted, S::Refused] {
            assert!(refuse(from).is_err(), "{from:?}");
            assert!(grant(from, 1, 10, 0, 100).is_err(), "{from:?}");
        }
    }

    #[test]
    fn a_grant_stays_within_what_was_asked_and_the_budget() {
        assert_eq!(grant(S::UnderReview, 500, 500, 9_500, 10_000), Ok(S::Granted));
        assert_eq!(
            grant(S::UnderReview, 501, 600, 9_500, 10_000),
            Err(ApplicationRefused::OverBudget { asked: 501, left: 500 })
        );
        assert_eq!(
            grant(S::UnderReview, 700, 600, 0, 10_000),
            Err(ApplicationRefused::MoreThanRequested {
                granted: 700,
                requested: 600
            })
        );
        assert_eq!(grant(S::UnderReview, 0, 600, 10_000, 10_000), Ok(S::Granted));
    }

    #[test]
    fn calls_are_checked_and_default_to_31_march() {
        let call = CallTerms::new(2027, 5_000_000, 500_000, None).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(call.deadline, utc("2027-03-31T21:59:59Z"));
        let fields = |r: Result<CallTerms, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(CallTerms::new(1999, 0, 0, None)),
            ["year", "budget_cents", "max_per_application_cents"]
        );
        assert_eq!(
            fields(CallTerms::new(2027, 1000, 2000, None)),
            ["max_per_application_cents"]
        );
        assert_eq!(
            fields(CallTerms::new(2027, 1000, 500, Some(utc("2029-01-01T00:00:00Z")))),
            ["deadline"]
        );
        assert!(CallTerms::new(2027, 1000, 500, Some(utc("2026-12-15T12:00:00Z"))).is_ok());
    }

    #[test]
    fn an_application_adds_up() {
        let lines = |v: &[(&str, i64)]| v.iter().map(|(l, a)| ((*l).to_owned(), *a)).collect::<Vec<_>>();
        let ok = ApplicationDetails::new(
            "Waterputten in Kivu",
            " cd ",
            "Action Paysanne",
            "Twee waterputten voor 400 gezinnen.",
            300_000,
            lines(&[("Materiaal", 200_000), ("Opleiding", 100_000)]),
            500_000,
        )
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(ok.country, "CD");
        let fields = |r: Result<ApplicationDetails, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(ApplicationDetails::new(
                "x",
                "CD",
                "p",
                "s",
                300_000,
                lines(&[("Materiaal", 200_000)]),
                500_000
            )),
            ["budget_lines"]
        );
        assert_eq!(
            fields(ApplicationDetails::new(
                "",
                "Congo",
                "",
                "",
                600_000,
                lines(&[]),
                500_000
            )),
            [
                "project_title",
                "country",
                "partner",
                "summary",
                "requested_cents",
                "budget_lines"
            ]
        );
        assert_eq!(
            fields(ApplicationDetails::new(
                "x",
                "CD",
                "p",
                "s",
                1000,
                lines(&[(" ", 1500), ("b", -500)]),
                500_000
            )),
            ["budget_lines[0].label", "budget_lines[1].amount_cents", "budget_lines"]
        );
    }
}
