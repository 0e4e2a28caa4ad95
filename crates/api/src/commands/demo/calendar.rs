//! The demo's two campaigns and their days: which year is "this year", the campaign window, how
//! busy each day is, and local Brussels times turned into UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Brussels;

/// The campaign window of a year: 15 October to 30 November.
pub fn window(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 10, 15)?,
        NaiveDate::from_ymd_opt(year, 11, 30)?,
    ))
}

/// The year of the campaign that is running or ran last: before 15 October, last year's.
pub fn current_year(today: NaiveDate) -> i32 {
    match window(today.year()) {
        Some((starts, _)) if today < starts => today.year() - 1,
        _ => today.year(),
    }
}

/// How busy a campaign day is: most sales happen in the days before 11 November (the busiest is
/// the 9th) and at weekends.
pub fn day_weight(day: NaiveDate) -> f64 {
    let peak = NaiveDate::from_ymd_opt(day.year(), 11, 9).unwrap_or(day);
    let distance = (day - peak).num_days() as f64;
    let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
    (1.0 + 4.0 * (-(distance * distance) / 50.0).exp()) * if weekend { 1.6 } else { 1.0 }
}

/// The days of `year`'s campaign on which money can have come in by `today` (today excluded,
/// so that no entry lies in the future).
pub fn days_with_money(year: i32, today: NaiveDate) -> Vec<NaiveDate> {
    let Some((starts, ends)) = window(year) else {
        return Vec::new();
    };
    starts.iter_days().take_while(|d| *d <= ends && *d < today).collect()
}

/// All days of `year`'s campaign.
pub fn all_days(year: i32) -> Vec<NaiveDate> {
    window(year)
        .map(|(starts, ends)| starts.iter_days().take_while(|d| *d <= ends).collect())
        .unwrap_or_default()
}

/// A Brussels wall-clock time as UTC. An hour repeated when daylight saving ends (autumn) takes
/// its earlier reading; one skipped when it starts (spring) does not happen in a campaign, and
/// none of the demo's times (9:00 to 21:00) are near either.
pub fn brussels(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    Brussels
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local) - Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn this_years_campaign_is_the_one_running_or_last_run() {
        assert_eq!(current_year(date(2026, 11, 27)), 2026);
        assert_eq!(current_year(date(2026, 10, 15)), 2026);
        assert_eq!(current_year(date(2026, 10, 14)), 2025);
        assert_eq!(current_year(date(2027, 3, 1)), 2026);
    }

    #[test]
    fn money_comes_in_only_on_past_campaign_days() {
        let days = days_with_money(2026, date(2026, 11, 27));
        assert_eq!(days.first(), Some(&date(2026, 10, 15)));
        assert_eq!(days.last(), Some(&date(2026, 11, 26)));
        assert_eq!(days_with_money(2025, date(2026, 11, 27)).len(), 47);
        assert!(days_with_money(2026, date(2026, 10, 1)).is_empty());
    }

    #[test]
    fn the_week_of_eleven_november_is_the_busiest() {
        assert!(day_weight(date(2026, 11, 10)) > 2.0 * day_weight(date(2026, 10, 20)));
        assert!(
            day_weight(date(2026, 10, 24)) > day_weight(date(2026, 10, 22)),
            "a Saturday"
        );
    }

    #[test]
    fn brussels_times_follow_daylight_saving() {
        // Summer time until 25 October 2026, winter time after.
        assert_eq!(
            brussels(date(2026, 10, 20), 19, 30).to_rfc3339(),
            "2026-10-20T17:30:00+00:00"
        );
        assert_eq!(
            brussels(date(2026, 11, 11), 19, 30).to_rfc3339(),
            "2026-11-11T18:30:00+00:00"
        );
    }
}
