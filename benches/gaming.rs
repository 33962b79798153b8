//! Speed of the core, natively: `cargo bench --bench gaming` (or `make bench`).
//! The floor for issue #2: one simulated hour of the `gaming` preset (20 shards, 20,000
//! records/s: 72 million records) in under 10 s natively. Since issue #4 the preset is the whole
//! worked example: a Lambda cheat detector and a Firehose archive read the same stream.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use streamsim::sim::{preset, world_from_text};

fn gaming_hour(c: &mut Criterion) {
    let text = preset("gaming").expect("built in");
    let mut g = c.benchmark_group("gaming");
    g.sample_size(10);
    g.bench_function("one simulated hour", |b| {
        b.iter(|| {
            let mut w = world_from_text(text, None).expect("valid");
            w.run_for(3_600_000);
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
