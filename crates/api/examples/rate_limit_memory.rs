//! The memory of the request limiter under a flood of distinct keys (a client inventing a new
//! address or subject for every request): resident set size before and after 1,000,000 keys,
//! with the limiter of the API (which prunes keys of the past) and with a bare governor keyed
//! limiter (which keeps every key forever).
//!
//!   cargo run --release -p campaign-api --example rate_limit_memory

use std::num::NonZeroU32;
use std::time::Instant;

use campaign_api::http::KeyedLimiter;
use governor::{Quota, RateLimiter};

const KEYS: u32 = 1_000_000;

/// This process's resident set size in KiB (Linux), 0 elsewhere.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let per_minute = NonZeroU32::MIN.saturating_add(1199);
    let start = rss_kib();

    let pruned = KeyedLimiter::per_minute(per_minute);
    let started = Instant::now();
    for i in 0..KEYS {
        let _ = pruned.check(&format!("addr:198.51.{}.{}", i / 256, i % 256));
    }
    let after_pruned = rss_kib();
    println!(
        "pruned limiter:   RSS {start} KiB before, {after_pruned} KiB after {KEYS} distinct keys \
         (+{} KiB, {} keys held, {:.1} s)",
        after_pruned.saturating_sub(start),
        pruned.len(),
        started.elapsed().as_secs_f64()
    );
    drop(pruned);

    let before_bare = rss_kib();
    let bare = RateLimiter::keyed(Quota::per_minute(per_minute));
    for i in 0..KEYS {
        let _ = bare.check_key(&format!("addr:198.51.{}.{}", i / 256, i % 256));
    }
    let after_bare = rss_kib();
    println!(
        "unpruned limiter: RSS {before_bare} KiB before, {after_bare} KiB after {KEYS} distinct keys \
         (+{} KiB, {} keys held)",
        after_bare.saturating_sub(before_bare),
        bare.len()
    );
}
