//! The money ledger: sales of cards and chocolate, activity income and donations, in integer
//! euro cents. Entries are never changed; a mistake is undone by one correction that reverses it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::Brussels;

use crate::money::{Cents, cents_in_range};
use crate::user::parse_text;
use crate::{FieldError, ValidationError};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Products sold: the amount is the unit price times the quantity.
    Sale,
    /// The net proceeds of an activity.
    ActivityIncome,
    Donation,
    /// Reverses an earlier entry, once.
    Correction,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sale => "sale",
            Self::ActivityIncome => "activity_income",
            Self::Donation => "donation",
            Self::Correction => "correction",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "sale" => Ok(Self::Sale),
            "activity_income" => Ok(Self::ActivityIncome),
            "donation" => Ok(Self::Donation),
            "correction" => Ok(Self::Correction),
            _ => Err(ValidationError::single(
                "kind",
                "must be sale, activity_income or donation",
            )),
        }
    }
}

/// How the money was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    Cash,
    Card,
    Transfer,
    Payconiq,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Card => "card",
            Self::Transfer => "transfer",
            Self::Payconiq => "payconiq",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw {
            "cash" => Ok(Self::Cash),
            "card" => Ok(Self::Card),
            "transfer" => Ok(Self::Transfer),
            "payconiq" => Ok(Self::Payconiq),
            _ => Err(ValidationError::single(
                "payment_method",
                "must be cash, card, transfer or payconiq",
            )),
        }
    }
}

/// The most units of one product in one sale.
pub const MAX_QUANTITY: i64 = 1_000;
/// The largest single income or donation: €100,000.
pub const MAX_AMOUNT_CENTS: Cents = 10_000_000;
/// How far in the future `occurred_at` may lie, for phones whose clock runs ahead.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A checked sale: quantity and the amount computed from the unit price, without overflow.
pub fn sale_amount(unit_price_cents: Cents, quantity: i64) -> Result<(i32, Cents), ValidationError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(ValidationError::single(
            "quantity",
            format!("must be 1 to {MAX_QUANTITY}"),
        ));
    }
    let amount = unit_price_cents
        .checked_mul(quantity)
        .ok_or_else(|| ValidationError::single("quantity", "the amount is too large"))?;
    Ok((quantity as i32, amount))
}

/// A checked income or donation amount: 1 cent to €100,000.
pub fn money_amount(amount_cents: i64) -> Result<Cents, ValidationError> {
    cents_in_range("amount_cents", amount_cents, 1, MAX_AMOUNT_CENTS)
}

/// The Belgian calendar day of a moment.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Brussels).date_naive()
}

/// The moment a Belgian calendar day begins (midnight in Brussels, which always exists: the
/// clocks change at night, never at midnight).
pub fn day_starts_at(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    Brussels
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// Whether `day` is one of the days of a campaign running from `days.0` to `days.1`, both included.
pub fn is_campaign_day(day: NaiveDate, days: (NaiveDate, NaiveDate)) -> bool {
    days.0 <= day && day <= days.1
}

/// Checks `occurred_at`: inside the campaign's days (Europe/Brussels) and not in the future
/// beyond a small clock skew.
pub fn check_occurred_at(
    occurred_at: DateTime<Utc>,
    campaign: (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, ValidationError> {
    if occurred_at > now + CLOCK_SKEW {
        return Err(ValidationError::single(
            "occurred_at",
            "lies in the future; check the device's clock",
        ));
    }
    let day = local_date(occurred_at);
    if !is_campaign_day(day, campaign) {
        return Err(ValidationError::single(
            "occurred_at",
            format!(
                "{day} is outside the campaign, which runs from {} to {}",
                campaign.0, campaign.1
            ),
        ));
    }
    Ok(occurred_at)
}

/// A note or a correction reason: up to 500 characters.
pub fn note(field: &str, raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(None),
        Some(n) if n.chars().count() > 500 => Err(ValidationError {
            errors: vec![FieldError::new(field, "must be at most 500 characters long")],
        }),
        Some(n) => Ok(Some(n.to_owned())),
    }
}

/// A correction's reason: required, 1 to 500 characters.
pub fn reason(raw: &str) -> Result<String, ValidationError> {
    parse_text("reason", raw, 500)
}

/// A client's own id for an entry of an offline batch: 1 to 100 visible ASCII characters.
pub fn client_id(raw: &str) -> Result<String, ValidationError> {
    if (1..=100).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(raw.to_owned())
    } else {
        Err(ValidationError::single(
            "client_id",
            "must be 1 to 100 visible ASCII characters, e.g. a UUID",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn sales_compute_their_amount_without_overflow() {
        assert_eq!(sale_amount(1200, 3), Ok((3, 3600)));
        assert!(sale_amount(1200, 0).is_err());
        assert!(sale_amount(1200, MAX_QUANTITY + 1).is_err());
        assert!(sale_amount(i64::MAX, 2).is_err());
        assert!(money_amount(0).is_err() && money_amount(-5).is_err() && money_amount(MAX_AMOUNT_CENTS + 1).is_err());
        assert_eq!(money_amount(2500), Ok(2500));
    }

    #[test]
    fn occurred_at_lies_in_the_campaign_on_belgian_days() {
        let campaign = (
            "2026-10-15".parse().unwrap_or_default(),
            "2026-11-30".parse().unwrap_or_default(),
        );
        let now = at("2026-11-20T12:00:00Z");
        assert!(check_occurred_at(at("2026-11-20T11:00:00Z"), campaign, now).is_ok());
        assert!(
            check_occurred_at(at("2026-11-20T12:04:00Z"), campaign, now).is_ok(),
            "small clock skew"
        );
        assert!(check_occurred_at(at("2026-11-20T12:06:00Z"), campaign, now).is_err());
        // 22:30 UTC on 14 October is 00:30 on 15 October in Brussels: inside.
        assert!(check_occurred_at(at("2026-10-14T22:30:00Z"), campaign, now).is_ok());
        assert!(check_occurred_at(at("2026-10-14T21:30:00Z"), campaign, now).is_err());
    }

    #[test]
    fn a_belgian_day_starts_at_midnight_in_brussels() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(day_starts_at(day("2026-11-11")), at("2026-11-10T23:00:00Z"));
        assert_eq!(day_starts_at(day("2026-07-01")), at("2026-06-30T22:00:00Z"));
        assert_eq!(local_date(day_starts_at(day("2026-03-29"))), day("2026-03-29"));
    }

    #[test]
    fn small_texts() {
        assert_eq!(note("note", Some("  ")), Ok(None));
        assert!(note("note", Some(&"x".repeat(501))).is_err());
        assert!(reason(" ").is_err());
        assert!(client_id("0b7e9a4c-3f1d").is_ok());
        assert!(client_id("").is_err() && client_id("with space").is_err() && client_id(&"x".repeat(101)).is_err());
        assert_eq!(PaymentMethod::parse("payconiq"), Ok(PaymentMethod::Payconiq));
        assert!(PaymentMethod::parse("bitcoin").is_err());
    }
}
