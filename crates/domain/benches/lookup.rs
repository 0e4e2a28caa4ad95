//! Point-to-municipality lookup over the real boundaries of Flanders and Brussels.
//!
//! Uses the boundaries embedded in the binary (or the GeoJSON file named by
//! `CAMPAIGN_BENCH_BOUNDARIES`). Run: `cargo bench -p campaign-domain --bench lookup`.

use std::hint::black_box;
use std::time::Instant;

use campaign_domain::boundaries::{DEFAULT_CODE_PROPERTY, EMBEDDED_2025, parse_feature_collection};
use campaign_domain::geo_index::MunicipalityIndex;
use campaign_domain::point::LonLat;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The embedded 2025 boundaries, or the file named by `CAMPAIGN_BENCH_BOUNDARIES`.
fn boundary_file() -> Option<String> {
    match std::env::var("CAMPAIGN_BENCH_BOUNDARIES") {
        Ok(path) if !path.is_empty() => match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                None
            }
        },
        _ => Some(EMBEDDED_2025.to_owned()),
    }
}

/// Deterministic points over the bounding box of Flanders and Brussels (xorshift, no rand crate).
fn points(n: usize) -> Vec<LonLat> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .filter_map(|_| LonLat::parse(2.54 + next() * (5.92 - 2.54), 50.68 + next() * (51.51 - 50.68)).ok())
        .collect()
}

fn lookup(c: &mut Criterion) {
    let Some(text) = boundary_file() else { return };
    let started = Instant::now();
    let Ok(boundaries) = parse_feature_collection(
        &text,
        DEFAULT_CODE_PROPERTY,
        |code| code.province().is_some(),
        |_, _| {},
    ) else {
        eprintln!("the boundary file does not parse");
        return;
    };
    eprintln!(
        "parsed and validated {} boundaries in {:?}",
        boundaries.len(),
        started.elapsed()
    );
    let started = Instant::now();
    let index = MunicipalityIndex::new(boundaries);
    eprintln!("built the index in {:?}", started.elapsed());

    let random = points(10_000);
    let found = random.iter().filter(|p| index.locate(**p).is_some()).count();
    eprintln!(
        "{found} of {} random points in the bounding box fall in a municipality",
        random.len()
    );

    let mut group = c.benchmark_group("municipality_lookup");
    group.throughput(Throughput::Elements(random.len() as u64));
    group.bench_function("random_points_10k", |b| {
        b.iter(|| random.iter().filter(|p| index.locate(black_box(**p)).is_some()).count())
    });
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
