//! Measures what the Firehose compression model costs and how close its sampled sizes come to
//! compressing whole objects: `cargo run --release --example compression_ratios`.
//! Objects are JSON lines of the four record templates, 150–450 bytes a record.

use std::time::Instant;

use streamsim::sim::base::content::{write_record, Template};
use streamsim::sim::base::rng::mix64;
use streamsim::sim::firehose::compress::{estimate, measure};
use streamsim::sim::firehose::{Compression, ObjectSample, RecordLines, Sample};

struct Lines(Option<Template>, &'static str);

impl RecordLines for Lines {
    fn write(&self, s: &Sample, out: &mut Vec<u8>) {
        let key = format!("{}{}", self.1, s.key);
        write_record(
            self.0,
            "p",
            42,
            s.rec_no,
            &key,
            s.arrival_ms,
            s.bytes as usize,
            out,
        );
    }
}

fn records(raw: u64) -> Vec<Sample> {
    let (mut v, mut total, mut n) = (Vec::new(), 0, 0u64);
    while total < raw {
        let h = mix64(n);
        let bytes = 150 + (h % 301) as u32;
        v.push(Sample {
            producer: 0,
            bytes,
            rec_no: n,
            key: (h >> 20) % 100_000,
            arrival_ms: n / 20,
        });
        total += u64::from(bytes);
        n += 1;
    }
    v
}

fn main() {
    let formats = [
        Compression::Gzip,
        Compression::Zip,
        Compression::Snappy,
        Compression::HadoopSnappy,
    ];
    let templates = [
        (Some(Template::GameAction), "player-"),
        (Some(Template::Click), "user-"),
        (Some(Template::SensorReading), "sensor-"),
        (Some(Template::CardTransaction), "card-"),
    ];
    println!(
        "template fmt raw_MiB full_ratio full_ms | sample_max_KiB sampled_ratio err_% sample_ms"
    );
    for &(t, prefix) in &templates {
        let lines = Lines(t, prefix);
        for raw_mib in [1u64, 2, 8, 32] {
            let recs = records(raw_mib << 20);
            let mut all = Vec::new();
            for r in &recs {
                lines.write(r, &mut all);
            }
            let raw = all.len() as u64;
            for f in formats {
                let t0 = Instant::now();
                let full = estimate(f, raw, 60, measure(f, &all, 0, "x"));
                let full_ms = t0.elapsed().as_secs_f64() * 1e3;
                let mut row = format!(
                    "{:>16} {:>13} {raw_mib:>3} {:.4} {full_ms:7.1} |",
                    t.map_or("none", |t| t.as_str()),
                    f.as_str(),
                    full as f64 / raw as f64
                );
                for max_kib in [64u64, 128, 256, 1024] {
                    let t0 = Instant::now();
                    let mut s = ObjectSample::with_max(max_kib << 10);
                    let mut off = 0;
                    for r in &recs {
                        s.add(off, *r);
                        off += u64::from(r.bytes);
                    }
                    let est = estimate(f, raw, 60, s.measure(f, &lines, "x"));
                    let ms = t0.elapsed().as_secs_f64() * 1e3;
                    let err = (est as f64 / full as f64 - 1.0) * 100.0;
                    row += &format!(
                        " {max_kib}K {:.4} {err:+.2}% {ms:.1}ms",
                        est as f64 / raw as f64
                    );
                }
                println!("{row}");
            }
        }
    }
}
