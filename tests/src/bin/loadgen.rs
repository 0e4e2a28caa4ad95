//! Load generator for `scripts/load-bench.py`: drives a running `campaign serve` over real HTTP
//! and prints one JSON object per measurement on standard output.
//!
//! - `sales`: clients logging sales, each for its own group, each sale with its own
//!   Idempotency-Key, for a fixed time per client count;
//! - `batches`: clients uploading offline batches of 500 sales (each with its own client id),
//!   each for its own group; entries per second;
//! - `totals`: latency of every totals endpoint;
//! - `flood`: one account floods writes and one client address floods sign-ins while a polite
//!   volunteer logs sales and signs in; shows the rate limits at work.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use campaign_tests::TOTALS_ENDPOINTS;
use campaign_tests::wire::{Connection, quantile};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

#[derive(Parser)]
struct Cli {
    /// The server, e.g. 127.0.0.1:8080
    #[arg(long)]
    addr: SocketAddr,
    /// A staff account
    #[arg(long)]
    email: String,
    #[arg(long, env = "LOADGEN_PASSWORD")]
    password: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Sales {
        /// Client counts, measured one after the other
        #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
        clients: Vec<usize>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Campaign year of the sales (on 10 November of that year)
        #[arg(long)]
        year: i32,
    },
    Batches {
        #[arg(long, value_delimiter = ',', default_value = "1,8")]
        clients: Vec<usize>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Campaign year of the sales (on 10 November of that year)
        #[arg(long)]
        year: i32,
    },
    Totals {
        #[arg(long)]
        year: i32,
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    Flood {
        #[arg(long)]
        year: i32,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The polite volunteer
        #[arg(long)]
        volunteer_email: String,
        #[arg(long, env = "LOADGEN_VOLUNTEER_PASSWORD")]
        volunteer_password: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let token = sign_in(cli.addr, &cli.email, &cli.password, "10.0.0.1").await?;
    match cli.command {
        Command::Sales { clients, seconds, year } => {
            let groups = groups(cli.addr, &token, clients.iter().copied().max().unwrap_or(1)).await?;
            for n in clients {
                let result = sales(cli.addr, &token, &groups[..n.min(groups.len())], year, seconds).await?;
                println!("{}", json!({ "measure": "sales", "clients": n, "result": result }));
            }
        }
        Command::Batches { clients, seconds, year } => {
            let groups = groups(cli.addr, &token, clients.iter().copied().max().unwrap_or(1)).await?;
            for n in clients {
                let result = batches(cli.addr, &token, &groups[..n.min(groups.len())], year, seconds).await?;
                println!("{}", json!({ "measure": "batches", "clients": n, "result": result }));
            }
        }
        Command::Totals { year, requests } => {
            for path in TOTALS_ENDPOINTS.map(|p| p.replace("{year}", &year.to_string())) {
                let result = latencies(cli.addr, &token, &path, requests).await?;
                println!("{}", json!({ "measure": "totals", "path": path, "result": result }));
            }
        }
        Command::Flood {
            year,
            seconds,
            volunteer_email,
            volunteer_password,
        } => {
            let polite = sign_in(cli.addr, &volunteer_email, &volunteer_password, "10.0.0.2").await?;
            let result = flood(
                cli.addr,
                &token,
                &polite,
                &volunteer_email,
                &volunteer_password,
                year,
                seconds,
            )
            .await?;
            println!("{}", json!({ "measure": "flood", "result": result }));
        }
    }
    Ok(())
}

/// Requests sent to an endpoint before measuring it.
const WARM_UP: usize = 20;

async fn sign_in(addr: SocketAddr, email: &str, password: &str, client: &str) -> anyhow::Result<String> {
    let mut connection = Connection::open(addr).await?;
    let body = json!({ "email": email, "password": password }).to_string();
    let reply = connection
        .send(
            "POST",
            "/api/v1/auth/login",
            &[("X-Forwarded-For", client)],
            Some(&body),
        )
        .await?;
    if reply.status != 200 {
        bail!("sign-in of {email} answered {}", reply.status);
    }
    let tokens: Value = serde_json::from_slice(&reply.body)?;
    Ok(tokens["access_token"].as_str().context("no access_token")?.to_owned())
}

async fn groups(addr: SocketAddr, token: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let mut connection = Connection::open(addr).await?;
    let bearer = format!("Bearer {token}");
    let path = format!("/api/v1/groups?limit={n}");
    let reply = connection
        .send("GET", &path, &[("Authorization", &bearer)], None)
        .await?;
    let page: Value = serde_json::from_slice(&reply.body)?;
    let ids: Vec<String> = page["items"]
        .as_array()
        .context("no groups")?
        .iter()
        .filter_map(|g| g["id"].as_str().map(str::to_owned))
        .collect();
    if ids.len() < n {
        bail!("{n} clients need {n} groups; the server has {}", ids.len());
    }
    Ok(ids)
}

fn sale_body(year: i32, i: usize) -> String {
    json!({
        "kind": "sale", "product_code": "cards-6", "quantity": 1 + i % 3, "payment_method": "cash",
        "occurred_at": format!("{year}-11-10T10:{:02}:00Z", i % 60),
    })
    .to_string()
}

fn summary(mut ms: Vec<f64>, seconds: f64, refused: usize) -> Value {
    ms.sort_by(f64::total_cmp);
    json!({
        "count": ms.len(),
        "per_second": ms.len() as f64 / seconds,
        "p50_ms": quantile(&ms, 0.5),
        "p99_ms": quantile(&ms, 0.99),
        "refused": refused,
    })
}

/// `n` clients logging sales for `seconds`; a client's sale counts when answered 201.
async fn sales(addr: SocketAddr, token: &str, groups: &[String], year: i32, seconds: u64) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, group) in groups.iter().enumerate() {
        let (bearer, path) = (format!("Bearer {token}"), format!("/api/v1/groups/{group}/entries"));
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut ms = Vec::new();
            let mut i = 0;
            while Instant::now() < deadline {
                i += 1;
                let key = format!("load-{}-{c}-{i}", uuid::Uuid::new_v4().simple());
                let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", key.as_str())];
                let t = Instant::now();
                let reply = connection
                    .send("POST", &path, &headers, Some(&sale_body(year, i)))
                    .await?;
                // Rate limits are off for this measurement: anything but 201 is a failure.
                if reply.status != 201 {
                    bail!(
                        "a sale answered {}: {}",
                        reply.status,
                        String::from_utf8_lossy(&reply.body)
                    );
                }
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(ms)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(summary(all, started.elapsed().as_secs_f64(), 0))
}

/// Entries in one offline batch.
const BATCH: usize = 500;

/// `n` clients uploading batches of 500 sales for `seconds`; every entry must be `created`.
/// The summary counts entries (per second) and gives the latency of a whole batch.
async fn batches(addr: SocketAddr, token: &str, groups: &[String], year: i32, seconds: u64) -> anyhow::Result<Value> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for group in groups {
        let (bearer, path) = (
            format!("Bearer {token}"),
            format!("/api/v1/groups/{group}/entries/batch"),
        );
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let (mut ms, mut entries) = (Vec::new(), 0usize);
            while Instant::now() < deadline {
                let items: Vec<Value> = (0..BATCH)
                    .map(|i| {
                        let mut entry: Value = serde_json::from_str(&sale_body(year, i))?;
                        entry["client_id"] = json!(uuid::Uuid::new_v4().to_string());
                        anyhow::Ok(entry)
                    })
                    .collect::<Result<_, _>>()?;
                let body = json!({ "entries": items }).to_string();
                let t = Instant::now();
                let reply = connection
                    .send("POST", &path, &[("Authorization", bearer.as_str())], Some(&body))
                    .await?;
                let answer: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
                let created = answer["results"]
                    .as_array()
                    .map_or(0, |r| r.iter().filter(|x| x["status"] == "created").count());
                if reply.status != 200 || created != BATCH {
                    bail!("a batch answered {} with {created} of {BATCH} created", reply.status);
                }
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                entries += created;
            }
            anyhow::Ok((ms, entries))
        }));
    }
    let (mut all, mut entries) = (Vec::new(), 0);
    for task in tasks {
        let (ms, n) = task.await??;
        all.extend(ms);
        entries += n;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut result = summary(all, elapsed, 0);
    result["entries"] = json!(entries);
    result["entries_per_second"] = json!(entries as f64 / elapsed);
    Ok(result)
}

async fn latencies(addr: SocketAddr, token: &str, path: &str, requests: usize) -> anyhow::Result<Value> {
    let mut connection = Connection::open(addr).await?;
    let bearer = format!("Bearer {token}");
    // Warm-up, not measured: the first requests after a start fill caches and connections.
    for _ in 0..WARM_UP {
        connection
            .send("GET", path, &[("Authorization", &bearer)], None)
            .await?;
    }
    let started = Instant::now();
    let mut ms = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        let reply = connection
            .send("GET", path, &[("Authorization", &bearer)], None)
            .await?;
        if reply.status != 200 {
            bail!("{path} answered {}", reply.status);
        }
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(summary(ms, started.elapsed().as_secs_f64(), 0))
}

/// Eight connections flood sales with the staff token and eight flood sign-ins with wrong
/// passwords from one address, while the volunteer logs a sale every 100 ms and signs in every
/// second from another address.
async fn flood(
    addr: SocketAddr,
    flooder: &str,
    polite: &str,
    polite_email: &str,
    polite_password: &str,
    year: i32,
    seconds: u64,
) -> anyhow::Result<Value> {
    let flooded = groups(addr, flooder, 1).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for c in 0..8 {
        let (stop, bearer) = (stop.clone(), format!("Bearer {flooder}"));
        let path = format!("/api/v1/groups/{}/entries", flooded[0]);
        writers.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let (mut accepted, mut limited, mut retry_after) = (0usize, 0usize, Vec::new());
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let key = format!("flood-{}-{c}-{i}", uuid::Uuid::new_v4().simple());
                let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", key.as_str())];
                let reply = connection
                    .send("POST", &path, &headers, Some(&sale_body(year, i)))
                    .await?;
                match reply.status {
                    201 => accepted += 1,
                    429 => {
                        limited += 1;
                        retry_after.extend(reply.retry_after);
                    }
                    other => bail!("a flooding write answered {other}"),
                }
            }
            anyhow::Ok((accepted, limited, retry_after))
        }));
    }
    let mut guessers = Vec::new();
    for _ in 0..8 {
        let stop = stop.clone();
        guessers.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let (mut attempts, mut limited) = (0usize, 0usize);
            let body = json!({ "email": "someone@example.org", "password": "guess guess guess" }).to_string();
            while !stop.load(Ordering::Relaxed) {
                attempts += 1;
                let headers = [("X-Forwarded-For", "10.6.6.6")];
                let reply = connection
                    .send("POST", "/api/v1/auth/login", &headers, Some(&body))
                    .await?;
                if reply.status == 429 {
                    limited += 1;
                }
            }
            anyhow::Ok((attempts, limited))
        }));
    }

    let polite_groups = groups(addr, polite, 1).await?;
    let path = format!("/api/v1/groups/{}/entries", polite_groups[0]);
    let mut connection = Connection::open(addr).await?;
    let bearer = format!("Bearer {polite}");
    let (mut sale_ms, mut sale_refused, mut login_ms, mut login_refused) = (Vec::new(), 0, Vec::new(), 0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut i = 0;
    while Instant::now() < deadline {
        tick.tick().await;
        i += 1;
        let key = format!("polite-{}", uuid::Uuid::new_v4().simple());
        let headers = [("Authorization", bearer.as_str()), ("Idempotency-Key", key.as_str())];
        let t = Instant::now();
        let reply = connection
            .send("POST", &path, &headers, Some(&sale_body(year, i)))
            .await?;
        if reply.status == 201 {
            sale_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            sale_refused += 1;
        }
        if i % 10 == 0 {
            let t = Instant::now();
            match sign_in(addr, polite_email, polite_password, "10.0.0.2").await {
                Ok(_) => login_ms.push(t.elapsed().as_secs_f64() * 1000.0),
                Err(_) => login_refused += 1,
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (mut accepted, mut limited, mut retry_after) = (0, 0, Vec::new());
    for writer in writers {
        let (a, l, r) = writer.await??;
        accepted += a;
        limited += l;
        retry_after.extend(r);
    }
    let (mut attempts, mut logins_limited) = (0, 0);
    for guesser in guessers {
        let (a, l) = guesser.await??;
        attempts += a;
        logins_limited += l;
    }
    let secs = seconds as f64;
    Ok(json!({
        "seconds": seconds,
        "flood_writes": { "accepted": accepted, "limited": limited,
                          "retry_after_max_s": retry_after.iter().max(), "retry_after_min_s": retry_after.iter().min() },
        "flood_logins": { "attempts": attempts, "limited": logins_limited },
        "polite_sales": summary(sale_ms, secs, sale_refused),
        "polite_logins": summary(login_ms, secs, login_refused),
    }))
}
