use chrono::TimeZone;

use super::*;
use crate::campaign::CampaignYear;

fn plan(year: i32, from: (u32, u32), to: (u32, u32)) -> (i32, CampaignPlan) {
    let day = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(year, m, d).unwrap_or_else(|| unreachable!("a date"));
    let year_id = CampaignYear::parse(i64::from(year)).unwrap_or_else(|e| unreachable!("{e}"));
    let plan = CampaignPlan::new(year_id, day(from), day(to), 1_000_000).unwrap_or_else(|e| unreachable!("{e}"));
    (year, plan)
}

fn product(code: &str, price: i64) -> PricedProduct {
    PricedProduct {
        id: Uuid::new_v4(),
        code: code.to_owned(),
        unit_price_cents: price,
    }
}

fn prices() -> PriceList {
    PriceList::new(
        [plan(2025, (10, 15), (11, 30)), plan(2026, (10, 15), (11, 30))],
        [
            (2025, product("cards-6", 1100)),
            (2026, product("cards-6", 1200)),
            (2026, product("chocolate", 350)),
        ],
    )
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or_else(|| unreachable!("a time"))
}

const NOW: (i32, u32, u32, u32) = (2026, 11, 20, 12);

fn now() -> DateTime<Utc> {
    at(NOW.0, NOW.1, NOW.2, NOW.3)
}

fn sale(code: &str, quantity: i64) -> EntryDraft {
    EntryDraft {
        kind: EntryKind::Sale,
        product_code: Some(code.to_owned()),
        quantity: Some(quantity),
        amount_cents: None,
        payment_method: PaymentMethod::Cash,
        occurred_at: at(2026, 11, 10, 10),
        activity_id: None,
        note: None,
    }
}

fn donation(cents: Option<i64>) -> EntryDraft {
    EntryDraft {
        kind: EntryKind::Donation,
        product_code: None,
        quantity: None,
        amount_cents: cents,
        ..sale("x", 1)
    }
}

fn check(draft: EntryDraft) -> Result<CheckedEntry, EntryRejection> {
    check_entry(draft, GroupId::new(), &prices(), &HashMap::new(), now())
}

fn fields(rejection: &EntryRejection) -> Vec<&str> {
    rejection.errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_sale_is_priced_from_its_campaigns_list() {
    let checked = check(sale("cards-6", 3)).unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!(checked.campaign_year, 2026);
    assert_eq!(checked.amount_cents, 3600);
    let line = checked.sale.unwrap_or_else(|| unreachable!("a sale line"));
    assert_eq!(
        (line.product_code.as_str(), line.quantity, line.unit_price_cents),
        ("cards-6", 3, 1200)
    );
    // Last year's sale takes last year's price.
    let last_year = EntryDraft {
        occurred_at: at(2025, 11, 11, 9),
        ..sale("cards-6", 2)
    };
    let checked = check(last_year).unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!((checked.campaign_year, checked.amount_cents), (2025, 2200));
}

#[test]
fn a_sale_names_a_product_and_a_quantity_and_no_amount() {
    let draft = EntryDraft {
        product_code: None,
        quantity: None,
        amount_cents: Some(500),
        ..sale("cards-6", 1)
    };
    let rejection = check(draft).err().unwrap_or_else(|| unreachable!("refused"));
    assert!(!rejection.unprocessable);
    assert_eq!(fields(&rejection), ["amount_cents", "product_code", "quantity"]);
    let rejection = check(sale("cards-6", 0))
        .err()
        .unwrap_or_else(|| unreachable!("refused"));
    assert_eq!(fields(&rejection), ["quantity"]);
    let rejection = check(sale("cards-6", 1001))
        .err()
        .unwrap_or_else(|| unreachable!("refused"));
    assert_eq!(fields(&rejection), ["quantity"]);
}

#[test]
fn an_unknown_product_is_unprocessable_and_the_campaigns_products_are_named() {
    let rejection = check(sale("mugs", 1)).err().unwrap_or_else(|| unreachable!("refused"));
    assert!(rejection.unprocessable);
    assert_eq!(fields(&rejection), ["product_code"]);
    assert!(rejection.text().contains("cards-6, chocolate"), "{}", rejection.text());
    // With another error it is part of a 400 naming both.
    let draft = EntryDraft {
        note: Some("x".repeat(501)),
        ..sale("mugs", 1)
    };
    let rejection = check(draft).err().unwrap_or_else(|| unreachable!("refused"));
    assert!(!rejection.unprocessable);
    assert_eq!(fields(&rejection), ["note", "product_code"]);
}

#[test]
fn an_income_or_donation_has_an_amount_and_no_product() {
    let checked = check(donation(Some(2500))).unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!((checked.amount_cents, checked.sale.is_none()), (2500, true));
    let rejection = check(donation(None)).err().unwrap_or_else(|| unreachable!("refused"));
    assert_eq!(fields(&rejection), ["amount_cents"]);
    for cents in [0, -5, 10_000_001] {
        let rejection = check(donation(Some(cents)))
            .err()
            .unwrap_or_else(|| unreachable!("refused"));
        assert_eq!(fields(&rejection), ["amount_cents"], "{cents}");
    }
    let draft = EntryDraft {
        product_code: Some("cards-6".into()),
        quantity: Some(2),
        ..donation(Some(100))
    };
    let rejection = check(draft).err().unwrap_or_else(|| unreachable!("refused"));
    assert_eq!(fields(&rejection), ["product_code", "quantity"]);
}

#[test]
fn the_day_is_the_brussels_day_and_must_be_a_campaign_day_not_in_the_future() {
    // 23:30 UTC on 30 November is 1 December in Brussels: after the campaign.
    let late = EntryDraft {
        occurred_at: Utc
            .with_ymd_and_hms(2026, 11, 30, 23, 30, 0)
            .single()
            .unwrap_or_else(|| unreachable!()),
        ..sale("cards-6", 1)
    };
    let rejection = check_entry(late, GroupId::new(), &prices(), &HashMap::new(), at(2026, 12, 2, 0))
        .err()
        .unwrap_or_else(|| unreachable!("refused"));
    assert!(
        rejection.text().contains("no campaign runs on 2026-12-01"),
        "{}",
        rejection.text()
    );
    // 23:30 UTC on 14 October is the first day in Brussels.
    let early = EntryDraft {
        occurred_at: Utc
            .with_ymd_and_hms(2026, 10, 14, 23, 30, 0)
            .single()
            .unwrap_or_else(|| unreachable!()),
        ..sale("cards-6", 1)
    };
    assert!(check(early).is_ok());
    let future = EntryDraft {
        occurred_at: now() + chrono::Duration::hours(1),
        ..sale("cards-6", 1)
    };
    let rejection = check(future).err().unwrap_or_else(|| unreachable!("refused"));
    assert_eq!(fields(&rejection), ["occurred_at"]);
    assert!(
        check(EntryDraft {
            occurred_at: now() + chrono::Duration::minutes(4),
            ..sale("cards-6", 1)
        })
        .is_ok(),
        "a phone whose clock runs a little ahead"
    );
}

#[test]
fn an_activity_must_be_the_groups_and_not_cancelled() {
    let group = GroupId::new();
    let (held, cancelled, elsewhere) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let activities = HashMap::from([
        (
            held,
            ActivityRef {
                group,
                status: ActivityStatus::Held,
            },
        ),
        (
            cancelled,
            ActivityRef {
                group,
                status: ActivityStatus::Cancelled,
            },
        ),
        (
            elsewhere,
            ActivityRef {
                group: GroupId::new(),
                status: ActivityStatus::Planned,
            },
        ),
    ]);
    let with = |id: Uuid| EntryDraft {
        activity_id: Some(id),
        ..donation(Some(100))
    };
    let ok = check_entry(with(held), group, &prices(), &activities, now()).unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!(ok.activity, Some(held));
    for (id, says) in [
        (cancelled, "cancelled"),
        (elsewhere, "not an activity of this group"),
        (Uuid::new_v4(), "not an activity of this group"),
    ] {
        let rejection = check_entry(with(id), group, &prices(), &activities, now())
            .err()
            .unwrap_or_else(|| unreachable!("refused"));
        assert!(rejection.unprocessable);
        assert_eq!(fields(&rejection), ["activity_id"]);
        assert!(rejection.text().contains(says), "{}", rejection.text());
    }
}

#[test]
fn a_note_is_trimmed_and_at_most_500_characters() {
    let checked = check(EntryDraft {
        note: Some("  bij de bakker  ".into()),
        ..sale("chocolate", 2)
    })
    .unwrap_or_else(|e| unreachable!("{e:?}"));
    assert_eq!(checked.note.as_deref(), Some("bij de bakker"));
    assert_eq!(checked.amount_cents, 700);
}
