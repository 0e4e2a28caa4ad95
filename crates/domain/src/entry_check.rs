//! Checking a new ledger entry: which campaign it belongs to, the rules of a sale versus an
//! amount, and pricing from the campaign's price list. A pure function over the price list and the
//! activities the entry may refer to; the caller reads those (once, or from its cache).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::activity::ActivityStatus;
use crate::campaign::CampaignPlan;
use crate::ids::GroupId;
use crate::ledger::{self, EntryKind, PaymentMethod};
use crate::{FieldError, ValidationError};

/// A product as the price list knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedProduct {
    pub id: Uuid,
    pub code: String,
    pub unit_price_cents: i64,
}

/// Every campaign's days and its products' prices: what checking an entry needs to know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceList {
    campaigns: Vec<(i32, CampaignPlan)>,
    products: HashMap<(i32, String), PricedProduct>,
}

impl PriceList {
    /// The campaigns (year and plan) and the products of each, by campaign year.
    pub fn new(
        campaigns: impl IntoIterator<Item = (i32, CampaignPlan)>,
        products: impl IntoIterator<Item = (i32, PricedProduct)>,
    ) -> Self {
        Self {
            campaigns: campaigns.into_iter().collect(),
            products: products
                .into_iter()
                .map(|(year, product)| ((year, product.code.clone()), product))
                .collect(),
        }
    }

    /// The campaign running on `day` (Europe/Brussels), with its plan.
    pub fn campaign_on(&self, day: NaiveDate) -> Option<(i32, &CampaignPlan)> {
        self.campaigns
            .iter()
            .find(|(_, plan)| plan.starts_on <= day && day <= plan.ends_on)
            .map(|(year, plan)| (*year, plan))
    }

    pub fn product(&self, year: i32, code: &str) -> Option<&PricedProduct> {
        self.products.get(&(year, code.to_owned()))
    }

    /// The product codes of a campaign, sorted, for an answer that names an unknown one.
    pub fn codes_text(&self, year: i32) -> String {
        let mut codes: Vec<&str> = self
            .products
            .keys()
            .filter(|(y, _)| *y == year)
            .map(|(_, code)| code.as_str())
            .collect();
        codes.sort_unstable();
        if codes.is_empty() {
            format!("the {year} campaign has no products yet")
        } else {
            format!("the products of the {year} campaign are {}", codes.join(", "))
        }
    }
}

/// A new entry as a client sent it (after its fields were parsed into domain types).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    /// `Sale`, `ActivityIncome` or `Donation` (corrections are made otherwise).
    pub kind: EntryKind,
    pub product_code: Option<String>,
    pub quantity: Option<i64>,
    pub amount_cents: Option<i64>,
    pub payment_method: PaymentMethod,
    pub occurred_at: DateTime<Utc>,
    pub activity_id: Option<Uuid>,
    pub note: Option<String>,
}

/// The group and status of an activity an entry refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityRef {
    pub group: GroupId,
    pub status: ActivityStatus,
}

/// A product line of a sale, priced from the campaign's price list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    pub product_id: Uuid,
    pub product_code: String,
    pub quantity: i32,
    pub unit_price_cents: i64,
}

/// An entry that passed every check, with its campaign and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEntry {
    pub campaign_year: i32,
    pub kind: EntryKind,
    pub sale: Option<SaleLine>,
    pub amount_cents: i64,
    pub payment_method: PaymentMethod,
    pub occurred_at: DateTime<Utc>,
    pub activity: Option<Uuid>,
    pub note: Option<String>,
}

/// Why an entry was refused: bad fields (a client error, 400) or a reference to something that
/// does not exist or cannot take money (422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRejection {
    pub errors: Vec<FieldError>,
    /// True when the fields are well formed but name something unknown or unusable.
    pub unprocessable: bool,
}

impl EntryRejection {
    fn bad(errors: Vec<FieldError>) -> Self {
        Self {
            errors,
            unprocessable: false,
        }
    }

    fn unknown(field: &str, message: String) -> Self {
        Self {
            errors: vec![FieldError::new(field, message)],
            unprocessable: true,
        }
    }

    /// The reasons as one sentence.
    pub fn text(&self) -> String {
        ValidationError {
            errors: self.errors.clone(),
        }
        .to_string()
    }
}

/// Checks a new entry of `group`: a campaign runs on its day (Europe/Brussels) and it is not in
/// the future; a sale names a product of that campaign and a quantity (its amount is the price
/// list's), an income or donation an amount and no product; its note is short enough; an activity
/// it names belongs to the group and was not cancelled.
pub fn check_entry(
    draft: EntryDraft,
    group: GroupId,
    prices: &PriceList,
    activities: &HashMap<Uuid, ActivityRef>,
    now: DateTime<Utc>,
) -> Result<CheckedEntry, EntryRejection> {
    let day = ledger::local_date(draft.occurred_at);
    let Some((year, plan)) = prices.campaign_on(day) else {
        return Err(EntryRejection::bad(vec![FieldError::new(
            "occurred_at",
            format!("no campaign runs on {day}"),
        )]));
    };
    let mut errors = Vec::new();
    if let Err(e) = ledger::check_occurred_at(draft.occurred_at, (plan.starts_on, plan.ends_on), now) {
        errors.extend(e.errors);
    }
    let note = match ledger::note("note", draft.note.as_deref()) {
        Ok(note) => note,
        Err(e) => {
            errors.extend(e.errors);
            None
        }
    };
    let (sale, amount) = match draft.kind {
        EntryKind::Sale => price_sale(&draft, year, prices, &mut errors)?,
        _ => (None, amount_of(&draft, &mut errors)),
    };
    if !errors.is_empty() {
        return Err(EntryRejection::bad(errors));
    }
    if let Some(activity_id) = draft.activity_id {
        match activities.get(&activity_id) {
            Some(a) if a.group == group && a.status != ActivityStatus::Cancelled => {}
            Some(a) if a.group == group => {
                return Err(EntryRejection::unknown(
                    "activity_id",
                    "the activity was cancelled".into(),
                ));
            }
            _ => {
                return Err(EntryRejection::unknown(
                    "activity_id",
                    format!("{activity_id} is not an activity of this group"),
                ));
            }
        }
    }
    Ok(CheckedEntry {
        campaign_year: year,
        kind: draft.kind,
        sale,
        amount_cents: amount,
        payment_method: draft.payment_method,
        occurred_at: draft.occurred_at,
        activity: draft.activity_id,
        note,
    })
}

/// A sale's line and amount from the price list; an unknown product alone is 422.
fn price_sale(
    draft: &EntryDraft,
    year: i32,
    prices: &PriceList,
    errors: &mut Vec<FieldError>,
) -> Result<(Option<SaleLine>, i64), EntryRejection> {
    if draft.amount_cents.is_some() {
        errors.push(FieldError::new(
            "amount_cents",
            "a sale's amount is computed from the price list: leave amount_cents out",
        ));
    }
    let (Some(code), Some(quantity)) = (&draft.product_code, draft.quantity) else {
        if draft.product_code.is_none() {
            errors.push(FieldError::new("product_code", "a sale needs product_code"));
        }
        if draft.quantity.is_none() {
            errors.push(FieldError::new("quantity", "a sale needs quantity"));
        }
        return Ok((None, 0));
    };
    let Some(product) = prices.product(year, code) else {
        let message = format!(
            "{code} is not a product of the {year} campaign; {}",
            prices.codes_text(year)
        );
        if errors.is_empty() {
            return Err(EntryRejection::unknown("product_code", message));
        }
        errors.push(FieldError::new("product_code", message));
        return Ok((None, 0));
    };
    match ledger::sale_amount(product.unit_price_cents, quantity) {
        Ok((quantity, total)) => Ok((
            Some(SaleLine {
                product_id: product.id,
                product_code: product.code.clone(),
                quantity,
                unit_price_cents: product.unit_price_cents,
            }),
            total,
        )),
        Err(e) => {
            errors.extend(e.errors);
            Ok((None, 0))
        }
    }
}

/// An income's or donation's amount; a product or quantity on it is an error.
fn amount_of(draft: &EntryDraft, errors: &mut Vec<FieldError>) -> i64 {
    for (field, given) in [
        ("product_code", draft.product_code.is_some()),
        ("quantity", draft.quantity.is_some()),
    ] {
        if given {
            errors.push(FieldError::new(field, "only a sale has this field"));
        }
    }
    match draft.amount_cents {
        Some(cents) => match ledger::money_amount(cents) {
            Ok(cents) => cents,
            Err(e) => {
                errors.extend(e.errors);
                0
            }
        },
        None => {
            errors.push(FieldError::new("amount_cents", "give the amount in euro cents"));
            0
        }
    }
}

#[cfg(test)]
mod tests;
