//! Latency of every totals endpoint at 10,000 and at 1,000,000 ledger entries (300 groups,
//! 60 days), through the whole application in-process.
//!
//! Run: `cargo bench -p campaign-tests --bench totals` (PostgreSQL, then SQLite). Set
//! `CAMPAIGN_BENCH_ENTRIES` to load fewer than a million. Prints a markdown table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: set-up failures stop it"
)]

use std::time::Instant;

use campaign_domain::campaign::{CampaignPlan, CampaignYear, NewProduct};
use campaign_domain::ids::{GroupId, UserId};
use campaign_domain::ledger::{EntryKind, PaymentMethod};
use campaign_domain::municipality::NisCode;
use campaign_persistence::audit::AuditContext;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::ledger::{LedgerRepo, NewEntry, SaleLine};
use campaign_persistence::municipalities::{MunicipalityFilter, MunicipalityRepo};
use campaign_tests::{Backend, TOTALS_ENDPOINTS, TestApp};
use chrono::{TimeZone, Utc};

const GROUPS: usize = 300;
const DAYS: i64 = 60;
const REQUESTS: usize = 200;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

async fn measure(app: &TestApp) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for uri in TOTALS_ENDPOINTS.map(|p| p.replace("{year}", "2025")) {
        let mut latencies = Vec::with_capacity(REQUESTS);
        for _ in 0..REQUESTS {
            let t = Instant::now();
            let resp = app
                .client
                .get(&uri)
                .header("authorization", app.staff.bearer())
                .send()
                .await;
            assert_eq!(resp.0.status(), 200, "{uri}");
            resp.0.into_body().into_bytes().await.unwrap();
            latencies.push(t.elapsed());
        }
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
        out.push((p(0.5), p(0.99)));
    }
    out
}

fn entries(
    rng: &mut Rng,
    n: usize,
    groups: &[(GroupId, NisCode)],
    products: &[(uuid::Uuid, &str, i64)],
    by: UserId,
) -> Vec<NewEntry> {
    let start = Utc.with_ymd_and_hms(2025, 10, 1, 8, 0, 0).unwrap();
    let methods = [
        PaymentMethod::Cash,
        PaymentMethod::Cash,
        PaymentMethod::Payconiq,
        PaymentMethod::Card,
        PaymentMethod::Transfer,
    ];
    (0..n)
        .map(|_| {
            let (group, municipality) = groups[rng.below(groups.len() as u64) as usize];
            let occurred_at = start + chrono::Duration::minutes(rng.below((DAYS * 24 * 60 - 600) as u64) as i64);
            let payment_method = methods[rng.below(methods.len() as u64) as usize];
            let (kind, sale, amount_cents) = if rng.below(10) < 8 {
                let (product_id, code, price) = products[rng.below(products.len() as u64) as usize];
                let quantity = 1 + rng.below(5) as i32;
                (
                    EntryKind::Sale,
                    Some(SaleLine {
                        product_id,
                        product_code: code.to_owned(),
                        quantity,
                        unit_price_cents: price,
                    }),
                    price * i64::from(quantity),
                )
            } else {
                (
                    if rng.below(2) == 0 {
                        EntryKind::Donation
                    } else {
                        EntryKind::ActivityIncome
                    },
                    None,
                    500 + rng.below(20_000) as i64,
                )
            };
            NewEntry {
                group,
                campaign_year: 2025,
                municipality,
                kind,
                sale,
                amount_cents,
                payment_method,
                occurred_at,
                activity: None,
                note: None,
                client_id: None,
                created_by: by,
            }
        })
        .collect()
}

async fn run(backend: Backend, total: usize) -> Vec<String> {
    let Some(app) = TestApp::start(backend).await else {
        return Vec::new();
    };
    let ctx = AuditContext::default();
    let campaigns = CampaignRepo::new(app.db.clone());
    for (year, target) in [(2024, 5_000_000_000), (2025, 6_000_000_000)] {
        let y = CampaignYear::parse(year).unwrap();
        let plan = CampaignPlan::new(
            y,
            format!("{year}-10-01").parse().unwrap(),
            format!("{year}-11-29").parse().unwrap(),
            target,
        )
        .unwrap();
        campaigns.create(y, plan, &ctx).await.unwrap();
    }
    let year = CampaignYear::parse(2025).unwrap();
    let mut products = Vec::new();
    for (code, price) in [("cards-6", 1200), ("cards-12", 2200), ("chocolate-bar", 350)] {
        let p = campaigns
            .create_product(year, NewProduct::new(code, code, price).unwrap(), &ctx)
            .await
            .unwrap();
        products.push((p.id, code, price));
    }
    let registry = MunicipalityRepo::new(app.db.clone())
        .list(&MunicipalityFilter::default(), 1000)
        .await
        .unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut groups = Vec::new();
    for i in 0..GROUPS {
        let nis = registry[rng.below(registry.len() as u64) as usize]
            .municipality
            .nis_code;
        groups.push((
            GroupRepo::new(app.db.clone())
                .create(format!("Comité {i}"), nis, &ctx)
                .await
                .unwrap()
                .id,
            nis,
        ));
    }
    let by = UserId::from_uuid(app.staff.user_id);
    let ledger = LedgerRepo::new(app.db.clone());
    let small = 10_000.min(total);
    ledger
        .import(entries(&mut rng, small, &groups, &products, by), &ctx)
        .await
        .unwrap();
    let at_small = measure(&app).await;
    let started = Instant::now();
    let mut loaded = small;
    while loaded < total {
        let n = 50_000.min(total - loaded);
        ledger
            .import(entries(&mut rng, n, &groups, &products, by), &ctx)
            .await
            .unwrap();
        loaded += n;
        eprintln!("{backend:?}: {loaded} entries loaded ({:?})", started.elapsed());
    }
    let at_large = measure(&app).await;
    let (count, _) = ledger.sum(Some(2025)).await.unwrap();
    assert_eq!(count as usize, total);
    TOTALS_ENDPOINTS
        .iter()
        .zip(at_small.iter().zip(&at_large))
        .map(|(uri, ((p50s, p99s), (p50l, p99l)))| {
            format!(
                "| {backend:?} | `{}` | {p50s:.2} | {p99s:.2} | {p50l:.2} | {p99l:.2} | {:.2}× |",
                uri.trim_start_matches("/api/v1"),
                p99l / p99s
            )
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("CAMPAIGN_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut rows = Vec::new();
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let started = Instant::now();
        rows.extend(run(backend, total).await);
        eprintln!("{backend:?} done in {:?}", started.elapsed());
    }
    println!(
        "\nTotals endpoints, {REQUESTS} requests each, at 10,000 and {total} entries ({GROUPS} groups, {DAYS} days)\n"
    );
    println!("| database | endpoint | p50 ms @10k | p99 ms @10k | p50 ms @{total} | p99 ms @{total} | p99 ratio |");
    println!("|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
