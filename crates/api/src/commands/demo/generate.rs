//! The demo campaign drawn from a seeded random generator: groups spread over the municipalities,
//! their activities, and ledger entries spread over groups, days and products. No I/O here.

use std::collections::HashMap;

use campaign_domain::activity::{ActivityDetails, ActivityKind, ActivityStatus, Place};
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::ledger::{EntryKind, PaymentMethod, sale_amount};
use campaign_domain::municipality::NisCode;
use campaign_persistence::activities::{ImportedActivity, NewActivity};
use campaign_persistence::ledger::{NewEntry, SaleLine};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use geo::{BoundingRect, Contains, MultiPolygon, Point};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use uuid::Uuid;

use super::calendar;
use super::names;

/// A demo group as stored, with how much it sells compared with the others.
#[derive(Debug, Clone)]
pub struct DemoGroup {
    pub id: GroupId,
    pub name: String,
    pub municipality: NisCode,
    pub volunteer: UserId,
    pub weight: f64,
}

/// A product of one campaign with how often it sells.
#[derive(Debug, Clone)]
pub struct DemoProduct {
    pub id: Uuid,
    pub code: String,
    pub unit_price_cents: i64,
    pub weight: u32,
}

/// A held activity that income can be booked on.
#[derive(Debug, Clone, Copy)]
pub struct HeldActivity {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
}

/// How many groups each municipality gets: most one, some none, the odd one three.
pub fn groups_per_municipality(rng: &mut StdRng, municipalities: usize) -> Vec<usize> {
    (0..municipalities)
        .map(|_| match rng.random_range(0..100) {
            0..25 => 0,
            25..75 => 1,
            75..93 => 2,
            _ => 3,
        })
        .collect()
}

/// A group's share of the sales: a few groups sell a lot, most sell a little (Pareto-like).
pub fn group_weight(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.random_range(0.05..1.0);
    u.powf(-0.8)
}

/// Random points inside the loaded municipal boundaries, for activity places.
pub struct Places {
    areas: HashMap<NisCode, MultiPolygon<f64>>,
}

impl Places {
    pub fn new(areas: HashMap<NisCode, MultiPolygon<f64>>) -> Self {
        Self { areas }
    }

    /// A point inside the municipality, when its boundary is loaded.
    pub fn point_in(&self, rng: &mut StdRng, nis: NisCode) -> Option<(f64, f64)> {
        let area = self.areas.get(&nis)?;
        let rect = area.bounding_rect()?;
        (0..200).find_map(|_| {
            let lon = rng.random_range(rect.min().x..=rect.max().x);
            let lat = rng.random_range(rect.min().y..=rect.max().y);
            area.contains(&Point::new(lon, lat)).then_some((lon, lat))
        })
    }
}

/// One to three activities of `group` in `year`'s campaign, with the status they have by `now`.
pub fn activities(
    rng: &mut StdRng,
    group: &DemoGroup,
    year: i32,
    now: DateTime<Utc>,
    places: &Places,
) -> Vec<ImportedActivity> {
    let days = calendar::all_days(year);
    let kinds = WeightedIndex::new(names::ACTIVITY_KINDS.iter().map(|(_, w)| *w));
    let (Some(_), Ok(kinds)) = (days.first(), kinds) else {
        return Vec::new();
    };
    let count = rng.random_range(1..=3);
    (0..count)
        .filter_map(|_| {
            let kind = names::ACTIVITY_KINDS[kinds.sample(rng)].0;
            let day = days[rng.random_range(0..days.len())];
            one_activity(rng, group, year, kind, day, now, places)
        })
        .collect()
}

#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the arguments are the activity's facts"
)]
fn one_activity(
    rng: &mut StdRng,
    group: &DemoGroup,
    year: i32,
    kind: ActivityKind,
    day: NaiveDate,
    now: DateTime<Utc>,
    places: &Places,
) -> Option<ImportedActivity> {
    let shape = names::activity_shape(kind);
    let starts_at = calendar::brussels(day, shape.starts.0, shape.starts.1);
    let ends_at = starts_at + Duration::hours(shape.hours);
    let title = format!("{} – {}", shape.title, group.name);
    let public = rng.random_range(0..100) < 85;
    let details = ActivityDetails::new(kind, &title, Some(shape.description), starts_at, ends_at, public).ok()?;
    let place = places.point_in(rng, group.municipality).and_then(|(lon, lat)| {
        let address = format!(
            "{}, {} {}",
            names::VENUES[rng.random_range(0..names::VENUES.len())],
            names::STREETS[rng.random_range(0..names::STREETS.len())],
            rng.random_range(1..120)
        );
        Place::new(lon, lat, Some(&address)).ok()
    });
    let roll = rng.random_range(0..100);
    let (status, attendance) = if ends_at < now {
        match roll {
            0..90 => (
                ActivityStatus::Held,
                Some(rng.random_range(shape.attendance.0..=shape.attendance.1)),
            ),
            90..97 => (ActivityStatus::Cancelled, None),
            _ => (ActivityStatus::Planned, None),
        }
    } else if roll < 5 {
        (ActivityStatus::Cancelled, None)
    } else {
        (ActivityStatus::Planned, None)
    };
    Some(ImportedActivity {
        activity: NewActivity {
            group: group.id,
            campaign_year: year,
            details,
            place,
            municipality: group.municipality,
            created_by: group.volunteer,
        },
        status,
        attendance,
    })
}

/// Draws ledger entries: days weighted by [`calendar::day_weight`], groups by their weight,
/// three sales in four, the rest donations and income of held activities.
pub struct EntryDraw<'a> {
    slots: Vec<(i32, NaiveDate)>,
    slot_index: WeightedIndex<f64>,
    groups: &'a [DemoGroup],
    group_index: WeightedIndex<f64>,
    products: &'a HashMap<i32, Vec<DemoProduct>>,
    /// Per campaign year, the draw over its products by weight.
    product_index: HashMap<i32, WeightedIndex<u32>>,
    held: &'a HashMap<(GroupId, i32), Vec<HeldActivity>>,
}

impl<'a> EntryDraw<'a> {
    /// `None` when there is nothing to draw from (no campaign day has passed, or no groups).
    pub fn new(
        years: &[i32],
        today: NaiveDate,
        groups: &'a [DemoGroup],
        products: &'a HashMap<i32, Vec<DemoProduct>>,
        held: &'a HashMap<(GroupId, i32), Vec<HeldActivity>>,
    ) -> Option<Self> {
        let last = years.iter().copied().max()?;
        let mut slots = Vec::new();
        let mut weights = Vec::new();
        for &year in years {
            // This year's campaign does a little better than last year's.
            let growth = if year == last { 1.08 } else { 1.0 };
            for day in calendar::days_with_money(year, today) {
                slots.push((year, day));
                weights.push(calendar::day_weight(day) * growth);
            }
        }
        Some(Self {
            slot_index: WeightedIndex::new(&weights).ok()?,
            slots,
            group_index: WeightedIndex::new(groups.iter().map(|g| g.weight)).ok()?,
            groups,
            product_index: products
                .iter()
                .filter_map(|(year, list)| Some((*year, WeightedIndex::new(list.iter().map(|p| p.weight)).ok()?)))
                .collect(),
            products,
            held,
        })
    }

    pub fn entry(&self, rng: &mut StdRng) -> NewEntry {
        let (year, day) = self.slots[self.slot_index.sample(rng)];
        let group = &self.groups[self.group_index.sample(rng)];
        let payment_method = match rng.random_range(0..100) {
            0..45 => PaymentMethod::Cash,
            45..75 => PaymentMethod::Payconiq,
            75..90 => PaymentMethod::Card,
            _ => PaymentMethod::Transfer,
        };
        let occurred_at = calendar::brussels(day, rng.random_range(9..21), rng.random_range(0..60));
        let mut entry = NewEntry {
            group: group.id,
            campaign_year: year,
            municipality: group.municipality,
            kind: EntryKind::Donation,
            sale: None,
            amount_cents: 500 * rng.random_range(1..=20),
            payment_method,
            occurred_at,
            activity: None,
            note: None,
            client_id: None,
            created_by: group.volunteer,
        };
        let roll = rng.random_range(0..100);
        if roll < 75 {
            if let Some(sale) = self.sale(rng, year)
                && let Ok((_, amount)) = sale_amount(sale.unit_price_cents, i64::from(sale.quantity))
            {
                entry.kind = EntryKind::Sale;
                entry.amount_cents = amount;
                entry.sale = Some(sale);
            }
        } else if roll < 85
            && let Some(held) = self.held.get(&(group.id, year)).filter(|h| !h.is_empty())
        {
            let activity = held[rng.random_range(0..held.len())];
            entry.kind = EntryKind::ActivityIncome;
            entry.activity = Some(activity.id);
            entry.occurred_at = activity.starts_at + Duration::minutes(90);
            entry.amount_cents = 50 * rng.random_range(40..=500);
            entry.note = Some("Opbrengst van de activiteit".to_owned());
        }
        entry
    }

    fn sale(&self, rng: &mut StdRng, year: i32) -> Option<SaleLine> {
        let product = &self.products.get(&year)?[self.product_index.get(&year)?.sample(rng)];
        let quantity = match rng.random_range(0..10) {
            0..5 => 1,
            5..8 => 2,
            8 => 3,
            _ => rng.random_range(4..=10),
        };
        Some(SaleLine {
            product_id: product.id,
            product_code: product.code.clone(),
            quantity,
            unit_price_cents: product.unit_price_cents,
        })
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "tests")]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn fixture() -> (Vec<DemoGroup>, HashMap<i32, Vec<DemoProduct>>) {
        let groups = (0..20)
            .map(|i| DemoGroup {
                id: GroupId::new(),
                name: format!("Comité {i}"),
                municipality: NisCode::parse("44021").unwrap_or_else(|_| unreachable!()),
                volunteer: UserId::new(),
                weight: 1.0 + f64::from(i),
            })
            .collect();
        let products = [2025, 2026]
            .into_iter()
            .map(|year| {
                let list = vec![DemoProduct {
                    id: Uuid::new_v4(),
                    code: "cards-6".into(),
                    unit_price_cents: 1200,
                    weight: 1,
                }];
                (year, list)
            })
            .collect();
        (groups, products)
    }

    #[test]
    fn entries_lie_on_past_campaign_days_and_add_up() {
        let (groups, products) = fixture();
        let held = HashMap::new();
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
        let Some(draw) = EntryDraw::new(&[2025, 2026], today, &groups, &products, &held) else {
            panic!("there are campaign days before 1 November 2026");
        };
        let mut rng = StdRng::seed_from_u64(11);
        let mut sales = 0;
        for _ in 0..5_000 {
            let entry = draw.entry(&mut rng);
            let day = campaign_domain::ledger::local_date(entry.occurred_at);
            let (starts, ends) = calendar::window(entry.campaign_year).unwrap_or_default();
            assert!(
                day >= starts && day <= ends && day < today,
                "{day} in {}",
                entry.campaign_year
            );
            assert!(entry.amount_cents > 0);
            if let Some(sale) = &entry.sale {
                sales += 1;
                assert_eq!(entry.amount_cents, sale.unit_price_cents * i64::from(sale.quantity));
            }
        }
        assert!((3_500..4_000).contains(&sales), "about three sales in four: {sales}");
    }

    #[test]
    fn the_same_seed_gives_the_same_campaign() {
        let (groups, products) = fixture();
        let held = HashMap::new();
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let draw = EntryDraw::new(&[2025, 2026], today, &groups, &products, &held);
        let Some(draw) = draw else { panic!("no draw") };
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..100).map(|_| draw.entry(&mut rng).amount_cents).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }
}
