//! Speed of the core, natively: `cargo bench --bench gaming` (or `make bench`).
//! The floor for issue #2: one simulated hour of the `gaming` preset (20 shards, 20,000
//! records/s: 72 million records) in under 10 s natively. Since issue #4 the preset is the whole
//! worked example: a Lambda cheat detector and a Firehose archive read the same stream.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use streamsim::sim::{preset, world_from_text};

/// The simulated span of the gaming benchmark, ms: one hour, or `STREAMSIM_BENCH_SECONDS` (the
/// smoke run in `make test` takes a few seconds with `-- --test`).
fn gaming_span_ms() -> u64 {
    std::env::var("STREAMSIM_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(3_600_000, |s| s * 1000)
}

fn gaming_hour(c: &mut Criterion) {
    let text = preset("gaming").expect("built in");
    let span_ms = gaming_span_ms();
    let mut g = c.benchmark_group("gaming");
    g.sample_size(10);
    g.bench_function("one simulated hour", |b| {
        b.iter(|| {
            let mut w = world_from_text(text, None).expect("valid");
            w.run_for(span_ms);
            black_box(w.digest())
        })
    });
    g.finish();
}

fn clickstream_minute(c: &mut Criterion) {
    let text = preset("clickstream").expect("built in");
    c.bench_function("clickstream: one simulated minute", |b| {
        b.iter(|| {
            let mut w = world_from_text(text, None).expect("valid");
            w.run_for(60_000);
            black_box(w.digest())
        })
    });
}

criterion_group!(benches, gaming_hour, clickstream_minute);
criterion_main!(benches);
