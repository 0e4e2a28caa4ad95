//! Sale logging over real HTTP (loopback, keep-alive connections): entries per second at 1, 8
//! and 32 concurrent clients, each sale with its own Idempotency-Key, on PostgreSQL and SQLite.
//!
//! Run: `cargo bench -p campaign-tests --bench ledger`. Prints a markdown table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: set-up failures stop it"
)]

use std::time::{Duration, Instant};

use campaign_api::auth::AuthState;
use campaign_api::{AppState, HttpSettings};
use campaign_domain::campaign::{CampaignPlan, CampaignYear, NewProduct};
use campaign_domain::user::{Email, Membership, PersonName};
use campaign_persistence::audit::AuditContext;
use campaign_persistence::campaigns::CampaignRepo;
use campaign_persistence::groups::GroupRepo;
use campaign_persistence::ledger::LedgerRepo;
use campaign_persistence::users::{NewUser, UserRepo};
use campaign_tests::wire::Connection;
use campaign_tests::{Backend, TEST_JWT_SECRET, TestDatabase};
use chrono::Utc;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};

const PER_CLIENT: [(usize, usize); 3] = [(1, 2_000), (8, 500), (32, 150)];

async fn run(backend: Backend) -> Vec<String> {
    let Some(database) = TestDatabase::create(backend).await else {
        return Vec::new();
    };
    let db = campaign_persistence::connect(&database.url, 40).await.unwrap();
    campaign_persistence::migrate(&db).await.unwrap();
    let ctx = AuditContext::default();
    let year_number = campaign_domain::ledger::local_date(Utc::now())
        .format("%Y")
        .to_string()
        .parse::<i64>()
        .unwrap();
    let year = CampaignYear::parse(year_number).unwrap();
    let plan = CampaignPlan::new(
        year,
        format!("{year_number}-01-01").parse().unwrap(),
        format!("{year_number}-12-31").parse().unwrap(),
        0,
    )
    .unwrap();
    let campaigns = CampaignRepo::new(db.clone());
    campaigns.create(year, plan, &ctx).await.unwrap();
    campaigns
        .create_product(year, NewProduct::new("cards-6", "Wenskaarten", 1200).unwrap(), &ctx)
        .await
        .unwrap();
    let auth = AuthState::new(TEST_JWT_SECRET, campaign_api::http::TrustedProxies::default()).unwrap();
    let mut tokens = Vec::new();
    let mut groups = Vec::new();
    for i in 0..32 {
        let group = GroupRepo::new(db.clone())
            .create(format!("Comité {i}"), "44021".parse().unwrap(), &ctx)
            .await
            .unwrap();
        let user = NewUser {
            email: Email::parse(&format!("v{i}@example.org")).unwrap(),
            name: PersonName::parse("Volunteer").unwrap(),
            membership: Membership::Volunteer { group: group.id },
            password_hash: "not used".to_owned(),
        };
        let user = UserRepo::new(db.clone()).create(user, &ctx).await.unwrap();
        tokens.push(auth.keys.issue(&user).unwrap());
        groups.push(group.id);
    }
    let http = HttpSettings {
        write_rate_limit: 0,
        ..HttpSettings::default()
    };
    let state = AppState::load(db.clone(), http, auth).await.unwrap();
    let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    let server = tokio::spawn(
        Server::new_with_acceptor(campaign_api::no_delay::NoDelay(acceptor)).run(campaign_api::app(state)),
    );

    let mut rows = Vec::new();
    for (clients, per_client) in PER_CLIENT {
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let (token, group) = (tokens[c].clone(), groups[c]);
                tokio::spawn(async move {
                    let mut connection = Connection::open(addr).await.unwrap();
                    let bearer = format!("Bearer {token}");
                    let path = format!("/api/v1/groups/{group}/entries");
                    let mut latencies = Vec::with_capacity(per_client);
                    for i in 0..per_client {
                        let body = format!(
                            r#"{{"kind":"sale","product_code":"cards-6","quantity":{},"payment_method":"cash","occurred_at":"{}"}}"#,
                            1 + i % 5,
                            (Utc::now() - chrono::Duration::minutes(1)).to_rfc3339()
                        );
                        let t = Instant::now();
                        let key = format!("{clients}-{c}-{i}");
                        let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", key.as_str())];
                        let status = connection.send("POST", &path, &headers, Some(&body)).await.unwrap().status;
                        latencies.push(t.elapsed());
                        assert_eq!(status, 201);
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies: Vec<Duration> = Vec::new();
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        latencies.sort();
        let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
        rows.push(format!(
            "| {backend:?} | {clients} | {} | {:.0} | {:.2} | {:.2} |",
            latencies.len(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            p(0.5),
            p(0.99)
        ));
    }
    let (entries, _) = LedgerRepo::new(db.clone()).sum(None).await.unwrap();
    assert_eq!(
        entries as usize,
        PER_CLIENT.iter().map(|(c, n)| c * n).sum::<usize>(),
        "every 201 is one entry"
    );
    server.abort();
    rows
}

#[tokio::main]
async fn main() {
    let mut rows = Vec::new();
    for backend in [Backend::Postgres, Backend::Sqlite] {
        rows.extend(run(backend).await);
    }
    println!("\nSale logging over HTTP (keep-alive, one Idempotency-Key per sale)\n");
    println!("| database | clients | sales | entries/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}
