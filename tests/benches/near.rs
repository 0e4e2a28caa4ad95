//! Latency of `GET /api/v1/activities?near=…&radius_km=…` with 20,000 activities spread over
//! Flanders and Brussels, through the real application (router, middleware, auth, database).
//!
//! Run: `cargo bench -p campaign-tests --bench near` (SQLite, and PostgreSQL when reachable).
//! Prints a markdown table of p50/p90/p99 per database and radius.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: set-up failures stop it"
)]

use std::time::{Duration, Instant};

use campaign_domain::activity::{ActivityDetails, ActivityKind, ActivityStatus, Place};
use campaign_domain::geo_index::MunicipalityIndex;
use campaign_domain::ids::GroupId;
use campaign_domain::municipality::NisCode;
use campaign_domain::point::LonLat;
use campaign_persistence::activities::{ActivityRepo, ImportedActivity, NewActivity};
use campaign_persistence::audit::AuditContext;
use campaign_persistence::groups::GroupRepo;
use campaign_tests::{Backend, TestApp, reference_boundaries};
use chrono::{TimeZone, Utc};

const ACTIVITIES: usize = 20_000;
const GROUPS: usize = 300;
const QUERIES: usize = 2_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A random point inside Flanders or Brussels, with its municipality.
    fn place(&mut self, index: &MunicipalityIndex) -> (LonLat, NisCode) {
        loop {
            let point = LonLat::parse(2.54 + self.next() * 3.38, 50.68 + self.next() * 0.83).unwrap();
            if let Some(code) = index.locate(point) {
                return (point, code);
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn run(backend: Backend, index: &MunicipalityIndex) -> Vec<String> {
    let Some(app) = TestApp::start(backend).await else {
        return Vec::new();
    };
    let staff = app.staff.clone();
    let body =
        serde_json::json!({ "year": 2026, "starts_on": "2026-10-01", "ends_on": "2026-12-31", "target_cents": 0 });
    let resp = app
        .client
        .post("/api/v1/campaigns")
        .header("authorization", staff.bearer())
        .body_json(&body)
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::CREATED);

    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let groups = GroupRepo::new(app.db.clone());
    let mut group_ids: Vec<GroupId> = Vec::new();
    for i in 0..GROUPS {
        let (_, nis) = rng.place(index);
        group_ids.push(
            groups
                .create(format!("Comité {i}"), nis, &AuditContext::default())
                .await
                .unwrap()
                .id,
        );
    }
    let started = Instant::now();
    let mut batch = Vec::with_capacity(ACTIVITIES);
    for i in 0..ACTIVITIES {
        let (point, municipality) = rng.place(index);
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
            + chrono::Duration::hours((rng.next() * 24.0 * 30.0) as i64);
        let details = ActivityDetails::new(
            ActivityKind::ALL[i % 8],
            &format!("Activity {i}"),
            None,
            start,
            start + chrono::Duration::hours(3),
            i % 3 != 0,
        )
        .unwrap();
        batch.push(ImportedActivity {
            activity: NewActivity {
                group: group_ids[i % GROUPS],
                campaign_year: 2026,
                details,
                place: Some(Place { point, address: None }),
                municipality,
                created_by: campaign_domain::ids::UserId::from_uuid(staff.user_id),
            },
            status: ActivityStatus::Planned,
            attendance: None,
        });
    }
    ActivityRepo::new(app.db.clone())
        .import(batch, &AuditContext::default())
        .await
        .unwrap();
    eprintln!("{backend:?}: loaded {ACTIVITIES} activities in {:?}", started.elapsed());

    let mut rows = Vec::new();
    for radius in [2.0, 5.0, 25.0] {
        let mut latencies = Vec::with_capacity(QUERIES);
        let mut found = 0usize;
        for _ in 0..QUERIES {
            let (centre, _) = rng.place(index);
            let uri = format!(
                "/api/v1/activities?near={:.5},{:.5}&radius_km={radius}&limit=50",
                centre.lon(),
                centre.lat()
            );
            let t = Instant::now();
            let resp = app.client.get(uri).header("authorization", staff.bearer()).send().await;
            let body = resp.0.into_body().into_bytes().await.unwrap();
            latencies.push(t.elapsed());
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            found += value["items"].as_array().map_or(0, Vec::len);
        }
        latencies.sort();
        rows.push(format!(
            "| {backend:?} | {radius} km | {QUERIES} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} |",
            found as f64 / QUERIES as f64,
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.90),
            percentile(&latencies, 0.99),
            percentile(&latencies, 1.0),
        ));
    }
    rows
}

#[tokio::main]
async fn main() {
    let index = MunicipalityIndex::new(reference_boundaries().to_vec());
    let mut rows = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        rows.extend(run(backend, &index).await);
    }
    println!(
        "\n{ACTIVITIES} activities, {GROUPS} groups; `near` queries at random points of Flanders, first page (limit 50)\n"
    );
    println!("| database | radius | queries | results/query (avg) | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
