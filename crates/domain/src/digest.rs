//! The rules of staff's daily digest: Belgian working days (for questions waiting too long), when
//! a lent material is due back, when a group's cash has waited too long to be handed in, and the
//! time of day the digest goes out.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

use crate::ValidationError;
use crate::ledger::local_date;

/// Working days a question may wait for an answer before the digest names it.
pub const QUESTION_WAIT_WORKING_DAYS: i64 = 2;

/// Days after its needed-by date that a lent material (the travelling exhibition) is due back.
pub const LOAN_DAYS: i64 = 21;

/// Days ahead that an approved request counts as "to deliver soon".
pub const DELIVERY_HORIZON_DAYS: i64 = 3;

/// Easter Sunday of `year` (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher).
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Whether `date` is one of Belgium's ten legal public holidays.
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let fixed = [(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)];
    if fixed.contains(&(date.month(), date.day())) {
        return true;
    }
    easter(date.year()).is_some_and(|easter| {
        // Easter Monday, Ascension Day, Whit Monday.
        [1, 39, 50].iter().any(|days| easter + Duration::days(*days) == date)
    })
}

/// Whether `date` is a working day: Monday to Friday, not a public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(date)
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
pub fn working_days_after(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_working_day(*d))
        .count() as i64
}

/// Whether a question waiting since `since` has waited more than two working days at `now`
/// (Brussels calendar): asked on a Friday, it is named on Wednesday.
pub fn waited_too_long(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    working_days_after(local_date(since), local_date(now)) > QUESTION_WAIT_WORKING_DAYS
}

/// The day a lent material delivered for `needed_by` is due back.
pub fn return_due(needed_by: NaiveDate) -> NaiveDate {
    needed_by + Duration::days(LOAN_DAYS)
}

/// Whether a group's cash, not handed in since `since` (the day after its last deposit's
/// covered days, or its first cash entry), has waited more than `days` days on `today`.
pub fn cash_waited_too_long(since: NaiveDate, today: NaiveDate, days: i64) -> bool {
    today - since > Duration::days(days)
}

/// The time of day (Europe/Brussels) the digest goes out: `HH:MM`.
pub fn parse_send_time(raw: &str) -> Result<NaiveTime, ValidationError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| ValidationError::single("CAMPAIGN_DIGEST_AT", "must be a time of day as HH:MM, e.g. 08:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn easter_and_the_holidays_that_follow_it() {
        assert_eq!(easter(2024), Some(day("2024-03-31")));
        assert_eq!(easter(2026), Some(day("2026-04-05")));
        assert_eq!(easter(2027), Some(day("2027-03-28")));
        assert_eq!(easter(2030), Some(day("2030-04-21")));
        for holiday in [
            "2026-04-06",
            "2026-05-14",
            "2026-05-25",
            "2026-11-11",
            "2026-07-21",
            "2027-01-01",
        ] {
            assert!(is_public_holiday(day(holiday)), "{holiday}");
        }
        assert!(!is_public_holiday(day("2026-11-12")));
        assert!(!is_working_day(day("2026-11-14")), "a Saturday");
        assert!(is_working_day(day("2026-11-12")));
    }

    #[test]
    fn two_working_days_skip_weekends_and_holidays() {
        // Asked on Friday 6 November 2026: Monday 9 and Tuesday 10 are working days, Wednesday
        // 11 November is a holiday, so it is named on Thursday 12.
        assert_eq!(working_days_after(day("2026-11-06"), day("2026-11-10")), 2);
        assert_eq!(working_days_after(day("2026-11-06"), day("2026-11-11")), 2);
        assert_eq!(working_days_after(day("2026-11-06"), day("2026-11-12")), 3);
        assert_eq!(working_days_after(day("2026-11-12"), day("2026-11-06")), 0);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.to_utc()).unwrap_or_default();
        assert!(!waited_too_long(at("2026-11-06T15:00:00Z"), at("2026-11-11T07:00:00Z")));
        assert!(waited_too_long(at("2026-11-06T15:00:00Z"), at("2026-11-12T07:00:00Z")));
        // Late on Friday evening in Brussels is still Friday, though Saturday in UTC+1 terms.
        assert!(!waited_too_long(at("2026-11-06T22:30:00Z"), at("2026-11-11T07:00:00Z")));
    }

    #[test]
    fn loans_and_cash_have_their_time() {
        assert_eq!(return_due(day("2026-11-05")), day("2026-11-26"));
        assert!(!cash_waited_too_long(day("2026-11-10"), day("2026-11-17"), 7));
        assert!(cash_waited_too_long(day("2026-11-10"), day("2026-11-18"), 7));
        assert_eq!(parse_send_time("08:00").ok(), NaiveTime::from_hms_opt(8, 0, 0));
        assert!(parse_send_time("8 o'clock").is_err());
    }
}
