//! Campaigns (one per year) and their products.

use chrono::NaiveDate;

use crate::money::{Cents, cents_in_range};
use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// The year of a campaign, 2000 to 2100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CampaignYear(i32);

impl CampaignYear {
    pub fn parse(year: i64) -> Result<Self, ValidationError> {
        if (2000..=2100).contains(&year) {
            Ok(Self(year as i32))
        } else {
            Err(ValidationError::single(
                "year",
                format!("{year} is not a campaign year: give a year from 2000 to 2100"),
            ))
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// The largest fundraising target accepted: €100 million.
pub const MAX_TARGET_CENTS: Cents = 10_000_000_000;

/// The dates and target of a campaign, checked together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignPlan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub target_cents: Cents,
}

impl CampaignPlan {
    /// A campaign starts in its own year, ends after it starts and lasts at most a year;
    /// dates are calendar days in Europe/Brussels.
    pub fn new(
        year: CampaignYear,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        target_cents: i64,
    ) -> Result<Self, ValidationError> {
        let mut errors = Vec::new();
        if chrono::Datelike::year(&starts_on) != year.get() {
            errors.push(FieldError::new(
                "starts_on",
                format!("the {} campaign must start in {}", year.get(), year.get()),
            ));
        }
        if ends_on <= starts_on {
            errors.push(FieldError::new("ends_on", "must be after starts_on"));
        } else if (ends_on - starts_on).num_days() > 366 {
            errors.push(FieldError::new("ends_on", "a campaign lasts at most a year"));
        }
        if let Err(e) = cents_in_range("target_cents", target_cents, 0, MAX_TARGET_CENTS) {
            errors.extend(e.errors);
        }
        if errors.is_empty() {
            Ok(Self {
                starts_on,
                ends_on,
                target_cents,
            })
        } else {
            Err(ValidationError { errors })
        }
    }
}

impl CampaignPlan {
    /// Whether the plan's days still hold the money booked so far: entries from `first` to
    /// `last` (Brussels calendar days). `Err` says which days would fall outside.
    pub fn covers_entries(&self, first: NaiveDate, last: NaiveDate) -> Result<(), String> {
        let days = (self.starts_on, self.ends_on);
        if crate::ledger::is_campaign_day(first, days) && crate::ledger::is_campaign_day(last, days) {
            return Ok(());
        }
        Err(format!(
            "the campaign has ledger entries from {first} to {last}; its days ({} to {}) must cover them: \
             keep starts_on on or before {first} and ends_on on or after {last}",
            self.starts_on, self.ends_on
        ))
    }
}

/// The campaign that is current on `today` (a Brussels calendar day): the one whose days include
/// it, else the next to start, else the last one that ended. `None` without campaigns.
pub fn current_campaign(campaigns: &[(i32, CampaignPlan)], today: NaiveDate) -> Option<i32> {
    let covering = campaigns
        .iter()
        .find(|(_, p)| p.starts_on <= today && today <= p.ends_on);
    let next = || {
        campaigns
            .iter()
            .filter(|(_, p)| p.starts_on > today)
            .min_by_key(|(_, p)| p.starts_on)
    };
    let last = || campaigns.iter().max_by_key(|(_, p)| p.ends_on);
    covering.or_else(next).or_else(last).map(|(year, _)| *year)
}

/// The previous campaign of `year` among `campaigns`: the latest one of an earlier year.
pub fn previous_campaign(campaigns: &[(i32, CampaignPlan)], year: i32) -> Option<(i32, CampaignPlan)> {
    campaigns
        .iter()
        .filter(|(y, _)| *y < year)
        .max_by_key(|(y, _)| *y)
        .copied()
}

/// The last day of the `previous` campaign to count when comparing it with `this` campaign on
/// `today` (Brussels calendar days), aligned as pacing aligns them: day *n* of this campaign with
/// day *n* of the previous one. Before this campaign starts the day lies before the previous
/// one's start (nothing counts); after it ends, this campaign's last day counts; a shorter
/// previous campaign counts whole.
pub fn same_day_in_previous(this: &CampaignPlan, previous: &CampaignPlan, today: NaiveDate) -> NaiveDate {
    let as_of = today.min(this.ends_on);
    let offset = as_of.signed_duration_since(this.starts_on);
    previous
        .starts_on
        .checked_add_signed(offset)
        .unwrap_or(previous.starts_on)
        .min(previous.ends_on)
}

/// A product code: a lower-case slug such as `cards-6` or `chocolate-bar`, 2 to 40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProductCode(String);

impl ProductCode {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        parse_slug("code", raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a slug: lower-case letters and digits in words joined by single hyphens.
pub fn parse_slug(field: &str, raw: &str) -> Result<String, ValidationError> {
    let words_ok = raw
        .split('-')
        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if (2..=40).contains(&raw.len()) && words_ok {
        Ok(raw.to_owned())
    } else {
        Err(ValidationError::single(
            field,
            format!(
                "`{}` is not a code: use 2 to 40 lower-case letters and digits in words joined by hyphens, e.g. cards-6",
                raw.chars().take(40).collect::<String>()
            ),
        ))
    }
}

/// A product on sale in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub code: ProductCode,
    pub name: String,
    pub unit_price_cents: Cents,
}

/// The highest unit price accepted: €10,000.
pub const MAX_UNIT_PRICE_CENTS: Cents = 1_000_000;

impl NewProduct {
    pub fn new(code: &str, name: &str, unit_price_cents: i64) -> Result<Self, ValidationError> {
        let code = ProductCode::parse(code);
        let name = parse_text("name", name, 100);
        let price = cents_in_range("unit_price_cents", unit_price_cents, 1, MAX_UNIT_PRICE_CENTS);
        match (code, name, price) {
            (Ok(code), Ok(name), Ok(unit_price_cents)) => Ok(Self {
                code,
                name,
                unit_price_cents,
            }),
            (code, name, price) => Err(ValidationError::all([code.err(), name.err(), price.err()])),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_plan_must_keep_the_days_that_hold_money() {
        let day = |d: &str| d.parse::<NaiveDate>().unwrap_or_default();
        let year = CampaignYear::parse(2026).unwrap_or_else(|_| unreachable!());
        let plan = CampaignPlan::new(year, day("2026-10-15"), day("2026-11-30"), 0).unwrap_or_else(|_| unreachable!());
        assert!(plan.covers_entries(day("2026-10-15"), day("2026-11-30")).is_ok());
        assert!(plan.covers_entries(day("2026-11-01"), day("2026-11-02")).is_ok());
        let early = plan.covers_entries(day("2026-10-14"), day("2026-11-02"));
        assert!(early.is_err_and(|e| e.contains("starts_on on or before 2026-10-14")));
        assert!(plan.covers_entries(day("2026-11-01"), day("2026-12-01")).is_err());
    }

    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn campaign_dates_and_target_are_checked() {
        let year = CampaignYear::parse(2026).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(CampaignPlan::new(year, day("2026-10-15"), day("2026-11-30"), 100_000_000).is_ok());
        let fields = |r: Result<CampaignPlan, ValidationError>| -> Vec<String> {
            r.err()
                .map(|e| e.errors.into_iter().map(|e| e.field).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            fields(CampaignPlan::new(year, day("2026-11-30"), day("2026-11-01"), 0)),
            ["ends_on"]
        );
        assert_eq!(
            fields(CampaignPlan::new(year, day("2026-11-01"), day("2026-11-01"), 0)),
            ["ends_on"]
        );
        assert_eq!(
            fields(CampaignPlan::new(year, day("2025-12-01"), day("2026-11-30"), -1)),
            ["starts_on", "target_cents"]
        );
        assert_eq!(
            fields(CampaignPlan::new(year, day("2026-01-01"), day("2027-06-01"), 0)),
            ["ends_on"]
        );
        assert!(CampaignPlan::new(year, day("2026-11-01"), day("2026-11-30"), MAX_TARGET_CENTS + 1).is_err());
        assert!(CampaignYear::parse(1999).is_err());
        assert!(CampaignYear::parse(i64::MAX).is_err());
    }

    #[test]
    fn the_current_campaign_covers_today_else_comes_next_else_ended_last() {
        let plan = |from: &str, to: &str| CampaignPlan {
            starts_on: day(from),
            ends_on: day(to),
            target_cents: 0,
        };
        let campaigns = [
            (2025, plan("2025-10-01", "2025-12-31")),
            (2026, plan("2026-10-01", "2026-12-31")),
        ];
        assert_eq!(current_campaign(&campaigns, day("2026-11-30")), Some(2026));
        assert_eq!(current_campaign(&campaigns, day("2025-10-01")), Some(2025));
        assert_eq!(
            current_campaign(&campaigns, day("2026-03-01")),
            Some(2026),
            "the next one"
        );
        assert_eq!(
            current_campaign(&campaigns, day("2024-03-01")),
            Some(2025),
            "the next one"
        );
        assert_eq!(
            current_campaign(&campaigns, day("2027-03-01")),
            Some(2026),
            "the last one"
        );
        assert_eq!(current_campaign(&[], day("2027-03-01")), None);
    }

    #[test]
    fn the_same_day_of_the_previous_campaign_is_aligned_on_the_first_day() {
        let plan = |from: &str, to: &str| CampaignPlan {
            starts_on: day(from),
            ends_on: day(to),
            target_cents: 0,
        };
        let this = plan("2026-10-01", "2026-11-30");
        let last = plan("2025-10-03", "2025-11-20");
        let same = |today: &str| same_day_in_previous(&this, &last, day(today));
        assert_eq!(same("2026-10-01"), day("2025-10-03"), "day 1 with day 1");
        assert_eq!(same("2026-10-11"), day("2025-10-13"));
        assert_eq!(
            same("2026-09-30"),
            day("2025-10-02"),
            "before the start: nothing counts"
        );
        assert_eq!(same("2026-11-29"), day("2025-11-20"), "a shorter campaign counts whole");
        assert_eq!(same("2027-03-01"), day("2025-11-20"));
        let campaigns = [(2024, last), (2025, last), (2026, this)];
        assert_eq!(previous_campaign(&campaigns, 2026).map(|(y, _)| y), Some(2025));
        assert_eq!(previous_campaign(&campaigns, 2024), None);
    }

    #[test]
    fn product_codes_are_slugs() {
        for good in ["cards-6", "chocolate-bar", "c2", "wenskaarten-2026"] {
            assert!(ProductCode::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "Cards",
            "cards_6",
            "-cards",
            "cards-",
            "cards--6",
            "kaart é",
            &"x".repeat(41),
        ] {
            assert!(ProductCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn products_report_every_bad_field() {
        assert!(NewProduct::new("cards-6", "Wenskaarten (6)", 1200).is_ok());
        let err = NewProduct::new("Cards", " ", 0).err().map(|e| e.errors.len());
        assert_eq!(err, Some(3));
        assert!(NewProduct::new("cards-6", "x", MAX_UNIT_PRICE_CENTS + 1).is_err());
    }
}
