//! Issue 14's fuzz harness: every preset mutated (fields deleted, duplicated and replaced,
//! numbers at and around the limits, huge strings and arrays, deep nesting, unicode and control
//! characters in names and keys, wrong types, unknown keys, scheduled commands of every type,
//! extreme ticks, many streams, shards, producers and readers), and random command texts sent
//! through `parse_command` to the running world between its ticks, as the page sends them.
//!
//! Each case must not panic, and is either
//! - refused: at least one error, each with a path, on one line, shorter than 4 KB; or
//! - accepted: within the work budget, run for a short simulated time (capped by its estimated
//!   work) with the ledger balanced after every tick and the load within the budget after every
//!   simulated second, and its replay file accepted and run again to the same digest.
//!
//! The generator is a SplitMix64 seeded from the base seed and the case number, so a case is
//! the same on every machine. Environment:
//! - `STREAMSIM_FUZZ_CASES=N`: run N cases (default 4,000, about 20 s in a debug
//!   build);
//! - `STREAMSIM_FUZZ_SEED=S`: another base seed (default 0), for other cases;
//! - `STREAMSIM_FUZZ_CASE=N`: run case N only, printing its input in full (how a failure is
//!   reproduced: each failure prints its case number and its input);
//! - `STREAMSIM_FUZZ_VERBOSE=1`: a summary at the end (accepted and refused, the slowest cases,
//!   the peak memory).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use streamsim::sim::budget::Load;
use streamsim::sim::{
    parse_command, parse_scenario, preset, preset_names, world_from_text, Command, Errors, World,
};

const DEFAULT_CASES: u64 = 4_000;
/// Simulated time an accepted case runs at most …
const SIM_MS_MAX: u64 = 3_000;
/// … and the record visits (records × (1 + readers)) it may cost, so a case at the top of the
/// budget runs a tick or two, not seconds.
const VISITS_PER_CASE_MAX: u64 = 300_000;
/// An error longer than this is a bug (issue 14: bounded message size).
const ERROR_BYTES_MAX: usize = 4_096;
/// All errors of one input together.
const ERRORS_BYTES_MAX: usize = 1 << 20;

// ---- the generator ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True `num` times in `den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn case_seed(base: u64, case: u64) -> u64 {
    Rng::new(base ^ case.wrapping_mul(0xd1b5_4a32_d192_ed03)).next()
}

// ---- values ----------------------------------------------------------------------------------

const NUMBERS: &[f64] = &[
    0.0,
    1.0,
    2.0,
    3.0,
    4.0,
    5.0,
    9.0,
    10.0,
    20.0,
    24.0,
    25.0,
    48.0,
    60.0,
    99.0,
    100.0,
    101.0,
    128.0,
    129.0,
    200.0,
    300.0,
    499.0,
    500.0,
    501.0,
    900.0,
    999.0,
    1000.0,
    1001.0,
    1024.0,
    5000.0,
    8760.0,
    8761.0,
    10_000.0,
    10_001.0,
    20_000.0,
    60_000.0,
    65_535.0,
    100_000.0,
    200_000.0,
    200_001.0,
    604_800.0,
    900_000.0,
    1_000_000.0,
    1_000_001.0,
    1_048_576.0,
    1_048_577.0,
    2_000_000.0,
    2_000_001.0,
    10_000_000.0,
    2_592_000_000.0,
    2_592_000_001.0,
];

fn interesting_number(r: &mut Rng) -> Value {
    match r.below(12) {
        0 => json!(-1),
        1 => json!(u32::MAX),
        2 => json!(u64::from(u32::MAX) + 1),
        3 => json!(i64::MAX),
        4 => json!(u64::MAX),
        5 => json!(i64::MIN),
        6 => json!(*r.pick(&[1e308, -1e308, 1e-308, 0.5, 0.0001, 1.5, 99.999, -0.5, 2.5e9])),
        7 => json!(r.pick(NUMBERS).to_string()), // a string for a number
        _ => {
            let x = *r.pick(NUMBERS);
            if r.chance(1, 8) {
                json!(x) // as a float: 3.0
            } else {
                json!(x as u64)
            }
        }
    }
}

/// A number near `x`: one off, doubled, halved, a fraction, a string of it.
fn near_number(r: &mut Rng, x: f64) -> Value {
    match r.below(9) {
        0 => json!(x - 1.0),
        1 => json!(x + 1.0),
        2 => json!(x * 2.0),
        3 => json!(x * 1000.0),
        4 => json!((x / 2.0).floor()),
        5 => json!(x + 0.5),
        6 => json!(x.to_string()),
        7 => json!(-x),
        _ => interesting_number(r),
    }
}

fn weird_string(r: &mut Rng) -> String {
    match r.below(24) {
        0 => String::new(),
        1 => " ".into(),
        2 => "x".repeat(128),
        3 => "x".repeat(129),
        4 => "é".repeat(128),
        5 => "😀".repeat(129),
        6 => "\n".into(),
        7 => "a\nproducers[0].records_per_second: 5 is out of range".into(),
        8 => "\u{0}".into(),
        9 => "\t\r\u{7f}\u{1b}[31m".into(),
        10 => "\u{202e}gnp.exe".into(),
        11 => "line\u{2028}sep\u{2029}".into(),
        12 => "名前".into(),
        13 => format!("shardId-{:012}", r.below(12)),
        14 => "shardId-999999999999".into(),
        15 => "firehose:".into(),
        16 => "arn:aws:kinesis:eu-west-1:123456789012:stream/".into(),
        17 => "\u{feff}name".into(),
        18 if r.chance(1, 4) => "y".repeat(100_000),
        19 => "\"quoted\", \"and\": [1".into(),
        20 => r
            .pick(&["1000", "1e3", "true", "null", "-1", "NaN"])
            .to_string(),
        21 => "\u{fffd}\u{10ffff}".into(),
        _ => format!("n{}", r.below(100)),
    }
}

fn nested(depth: usize, leaf: Value, arrays: bool) -> Value {
    let mut v = leaf;
    for _ in 0..depth {
        v = if arrays {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert("a".into(), v);
            Value::Object(m)
        };
    }
    v
}

fn random_value(r: &mut Rng, pool: &Pool) -> Value {
    match r.below(16) {
        0 => Value::Null,
        1 => json!(r.chance(1, 2)),
        2..=4 => interesting_number(r),
        5..=6 => json!(weird_string(r)),
        7 => json!(pool.any_name(r)),
        8 => json!([]),
        9 => json!({}),
        10 => json!([interesting_number(r), weird_string(r)]),
        11 => {
            let mut m = Map::new();
            m.insert(weird_string(r), interesting_number(r));
            Value::Object(m)
        }
        12 => {
            let depth = *r.pick(&[2, 10, 64, 126, 127, 128, 200]);
            nested(depth, json!(1), r.chance(1, 2))
        }
        13 if r.chance(1, 3) => {
            let n = *r.pick(&[1_000, 10_000, 100_001]);
            Value::Array((0..n).map(|i| json!(i)).collect())
        }
        _ => json!(r.below(1_000)),
    }
}

// ---- names -----------------------------------------------------------------------------------

/// Names a command can refer to: what the scenario (or the run) has, and some it has not.
#[derive(Default)]
struct Pool {
    producers: Vec<String>,
    streams: Vec<String>,
    shards: Vec<String>,
    consumers: Vec<String>,
    functions: Vec<String>,
    delivery: Vec<String>,
    /// Every string of the scenario, for names that exist somewhere but maybe not as that.
    strings: Vec<String>,
    /// A producer block to copy for `add_producer`.
    producer_blocks: Vec<Value>,
}

impl Pool {
    fn of_scenario(v: &Value) -> Pool {
        let mut p = Pool::default();
        let names = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.get("name").and_then(Value::as_str))
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        p.producers = names(v.get("producers"));
        p.consumers = names(v.get("consumers"));
        p.functions = names(v.get("lambda_functions"));
        p.producer_blocks = v
            .get("producers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let res = v.get("resource");
        let labels = |k: &str| -> Vec<(String, Value)> {
            res.and_then(|r| r.get(k))
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        };
        for (label, body) in labels("aws_kinesis_stream") {
            let name = body.get("name").and_then(Value::as_str).map(String::from);
            p.streams.push(name.unwrap_or(label));
        }
        for (label, _) in labels("aws_lambda_event_source_mapping") {
            p.consumers.push(label);
        }
        for (label, body) in labels("aws_kinesis_firehose_delivery_stream") {
            let name = body.get("name").and_then(Value::as_str).map(String::from);
            let name = name.unwrap_or(label);
            p.consumers.push(format!("firehose:{name}"));
            p.delivery.push(name);
        }
        p.shards = (0..4).map(|i| format!("shardId-{i:012}")).collect();
        collect_strings(v, &mut p.strings);
        p
    }

    fn of_world(w: &World) -> Pool {
        let mut p = Pool {
            producers: w.producers.iter().map(|p| p.cfg.name.clone()).collect(),
            streams: w.streams.iter().map(|s| s.name.clone()).collect(),
            consumers: w.consumers.iter().map(|c| c.cfg.name.clone()).collect(),
            functions: w.trigger_functions().map(String::from).collect(),
            delivery: w.firehoses.iter().map(|f| f.cfg.name.clone()).collect(),
            ..Pool::default()
        };
        for s in &w.streams {
            for sh in &s.shards {
                p.shards.push(sh.shard_id());
            }
        }
        p.producer_blocks = w
            .scenario
            .source
            .get("producers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        p
    }

    fn name(&self, r: &mut Rng, known: &[String]) -> Value {
        if !known.is_empty() && r.chance(7, 8) {
            return json!(r.pick(known).clone());
        }
        match r.below(6) {
            0 => random_value(r, self),
            1 => json!(self.any_name(r)),
            _ => json!(weird_string(r)),
        }
    }

    fn any_name(&self, r: &mut Rng) -> String {
        if self.strings.is_empty() || r.chance(1, 4) {
            weird_string(r)
        } else {
            let s = r.pick(&self.strings);
            // Keep it short: descriptions are strings too.
            s.chars().take(200).collect()
        }
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                collect_strings(x, out);
            }
        }
        _ => {}
    }
}

// ---- commands --------------------------------------------------------------------------------

fn whole(r: &mut Rng, lo: u64, hi: u64) -> Value {
    if r.chance(3, 4) {
        json!(r.range(lo, hi))
    } else {
        let edge = *r.pick(&[lo as f64, hi as f64]);
        near_number(r, edge)
    }
}

fn share(r: &mut Rng) -> Value {
    match r.below(6) {
        0 => json!(0),
        1 => json!(1),
        2 => near_number(r, 1.0),
        _ => json!((r.below(1001) as f64) / 1000.0),
    }
}

fn hash_key(r: &mut Rng) -> Value {
    match r.below(8) {
        0 => json!("0"),
        1 => json!(u128::MAX.to_string()),
        2 => json!("340282366920938463463374607431768211456"),
        3 => json!("-1"),
        4 => json!("abc"),
        5 => json!(u64::MAX), // a number, not a string
        _ => json!((u128::from(r.next()) << 64 | u128::from(r.next())).to_string()),
    }
}

/// A producer block for `add_producer`: a copy of one the scenario has, or a small one.
fn producer_block(r: &mut Rng, pool: &Pool) -> Value {
    let mut b = if !pool.producer_blocks.is_empty() && r.chance(1, 2) {
        r.pick(&pool.producer_blocks).clone()
    } else {
        json!({})
    };
    if let Some(o) = b.as_object_mut() {
        o.insert("name".into(), json!(format!("added-{}", r.below(5))));
        if r.chance(1, 2) || !o.contains_key("records_per_second") {
            o.insert("records_per_second".into(), whole(r, 1, 20_000));
        }
        if !o.contains_key("stream_name") && !pool.streams.is_empty() && r.chance(1, 2) {
            o.insert("stream_name".into(), pool.name(r, &pool.streams));
        }
        if r.chance(1, 4) {
            o.insert(
                "partition_keys".into(),
                json!({"model": "uniform", "count": whole(r, 1, 1_000_000)}),
            );
        }
        if r.chance(1, 5) {
            o.insert(
                "traffic".into(),
                json!({"shape": "spike", "at_seconds": 0, "duration_seconds": 5, "multiplier": share(r)}),
            );
        }
    }
    if r.chance(1, 4) {
        mutate_tree(r, &mut b, pool);
    }
    b
}

/// A command of type `kind` with fields that mostly fit, some that do not.
fn command_of(r: &mut Rng, kind: &str, pool: &Pool) -> Value {
    let mut c = Map::new();
    c.insert("type".into(), json!(kind));
    let mut put = |k: &str, v: Value| {
        c.insert(k.into(), v);
    };
    match kind {
        "set_rate" => {
            put("producer", pool.name(r, &pool.producers));
            put("records_per_second", whole(r, 1, 50_000));
        }
        "set_hot_key_share" => {
            put("producer", pool.name(r, &pool.producers));
            put("hot_key_share", share(r));
        }
        "pause_producer" | "resume_producer" | "put_poison_record" => {
            put("producer", pool.name(r, &pool.producers));
        }
        "add_producer" => put("producer", producer_block(r, pool)),
        "split_shard" => {
            put("stream_name", pool.name(r, &pool.streams));
            put("shard_to_split", pool.name(r, &pool.shards));
            if r.chance(1, 2) {
                put("new_starting_hash_key", hash_key(r));
            }
        }
        "merge_shards" => {
            put("stream_name", pool.name(r, &pool.streams));
            put("shard_to_merge", pool.name(r, &pool.shards));
            put("adjacent_shard_to_merge", pool.name(r, &pool.shards));
        }
        "update_shard_count" => {
            put("stream_name", pool.name(r, &pool.streams));
            put("target_shard_count", whole(r, 1, 40));
        }
        "crash_worker" | "restart_worker" => {
            put("consumer", pool.name(r, &pool.consumers));
            put("worker", whole(r, 1, 4));
        }
        "set_processing_rate" => {
            put("consumer", pool.name(r, &pool.consumers));
            if r.chance(2, 3) {
                put("records_per_second", whole(r, 1, 100_000));
            }
        }
        "set_function_error_rate" => {
            put("function_name", pool.name(r, &pool.functions));
            put("error_rate", share(r));
        }
        "set_s3_available" | "set_redshift_available" => {
            put("delivery_stream_name", pool.name(r, &pool.delivery));
            put("available", json!(r.chance(1, 2)));
        }
        "set_s3_timeout_rate" => {
            put("delivery_stream_name", pool.name(r, &pool.delivery));
            put("timeout_rate", share(r));
        }
        "update_destination" => {
            put("delivery_stream_name", pool.name(r, &pool.delivery));
            if r.chance(1, 2) {
                put("buffering_size", whole(r, 1, 128));
            }
            if r.chance(1, 2) {
                put("buffering_interval", whole(r, 0, 900));
            }
            if r.chance(1, 2) {
                let f = r.pick(&[
                    "UNCOMPRESSED",
                    "GZIP",
                    "ZIP",
                    "Snappy",
                    "HADOOP_SNAPPY",
                    "gzip",
                ]);
                put("compression_format", json!(f));
            }
        }
        "set_transform_rates" => {
            put("delivery_stream_name", pool.name(r, &pool.delivery));
            for k in ["error_rate", "dropped_rate", "processing_failed_rate"] {
                if r.chance(5, 6) {
                    put(k, share(r));
                }
            }
        }
        _ => {
            // A type this harness does not know yet: fields from every type.
            for k in [
                "producer",
                "stream_name",
                "consumer",
                "delivery_stream_name",
            ] {
                if r.chance(1, 2) {
                    let v = json!(pool.any_name(r));
                    put(k, v);
                }
            }
        }
    }
    let mut v = Value::Object(c);
    if r.chance(1, 5) {
        mutate_tree(r, &mut v, pool);
    }
    v
}

fn random_command(r: &mut Rng, pool: &Pool) -> Value {
    let types = Command::types();
    let mut c = if r.chance(1, 40) {
        // A type that is not one.
        let mut m = Map::new();
        m.insert("type".into(), random_value(r, pool));
        Value::Object(m)
    } else {
        {
            let kind = *r.pick(&types);
            command_of(r, kind, pool)
        }
    };
    if r.chance(1, 60) {
        c = random_value(r, pool);
    }
    c
}

fn scheduled_command(r: &mut Rng, pool: &Pool) -> Value {
    let mut c = random_command(r, pool);
    if let Some(o) = c.as_object_mut() {
        let at = match r.below(10) {
            0 => near_number(r, 2_592_000_000.0),
            1 => interesting_number(r),
            2 => json!(r.range(0, 100) * 1_000),
            _ => json!(r.range(0, SIM_MS_MAX / 100) * 100 + r.range(0, 1) * r.range(0, 99)),
        };
        if r.chance(19, 20) {
            o.insert("at_ms".into(), at);
        }
    }
    c
}

// ---- mutations of a scenario -----------------------------------------------------------------

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, here: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Seg::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        // Long arrays (a mutation's own) are not walked item by item.
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate().take(64) {
                here.push(Seg::Index(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut v = v;
    for s in path {
        v = match s {
            Seg::Key(k) => v.as_object_mut()?.get_mut(k)?,
            Seg::Index(i) => v.as_array_mut()?.get_mut(*i)?,
        };
    }
    Some(v)
}

const KEYS: &[&str] = &[
    "name",
    "Name",
    "shard_count",
    "shard_counts",
    "records_per_second",
    "stream_mode",
    "type",
    "at_ms",
    "seed",
    "tick_ms",
    "commands",
    "__proto__",
    "constructor",
    "",
    "a.b",
    "x[0]",
];

fn random_key(r: &mut Rng) -> String {
    if r.chance(1, 2) {
        r.pick(KEYS).to_string()
    } else {
        weird_string(r)
    }
}

/// One random change somewhere in the tree.
fn mutate_tree(r: &mut Rng, root: &mut Value, pool: &Pool) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    let path = r.pick(&all).clone();
    let op = r.below(10);
    // Delete, or duplicate: done on the parent.
    if (op == 0 || op == 1) && !path.is_empty() {
        let (last, parent) = path.split_last().expect("not empty");
        let Some(parent) = at_mut(root, parent) else {
            return;
        };
        match (parent, last) {
            (Value::Object(m), Seg::Key(k)) => {
                if op == 0 {
                    m.shift_remove(k);
                } else if let Some(x) = m.get(k).cloned() {
                    let key = format!("{k}{}", r.pick(&["2", "_", " ", "\u{301}", "\n"]));
                    m.insert(key, x);
                }
            }
            (Value::Array(a), Seg::Index(i)) => {
                if op == 0 {
                    a.remove(*i);
                } else {
                    let x = a[*i].clone();
                    let n = *r.pick(&[1, 1, 2, 40]);
                    for _ in 0..n {
                        a.insert(*i, x.clone());
                    }
                }
            }
            _ => {}
        }
        return;
    }
    let Some(node) = at_mut(root, &path) else {
        return;
    };
    match op {
        2..=4 => {
            *node = match node {
                Value::Number(n) => near_number(r, n.as_f64().unwrap_or(0.0)),
                Value::String(_) if r.chance(2, 3) => json!(pool.any_name(r)),
                _ => random_value(r, pool),
            }
        }
        5 => *node = random_value(r, pool),
        6 => {
            if let Value::Object(m) = node {
                m.insert(random_key(r), random_value(r, pool));
            } else {
                *node = json!([node.clone()]);
            }
        }
        7 => {
            // Rename a key.
            if let Value::Object(m) = node {
                let keys: Vec<String> = m.keys().cloned().collect();
                if !keys.is_empty() {
                    let k = r.pick(&keys).clone();
                    if let Some(x) = m.shift_remove(&k) {
                        let new = if r.chance(1, 2) {
                            k.to_uppercase()
                        } else {
                            random_key(r)
                        };
                        m.insert(new, x);
                    }
                }
            }
        }
        8 => *node = json!({ "value": node.clone() }),
        _ => *node = json!(pool.any_name(r)),
    }
}

fn obj(v: &mut Value) -> Option<&mut Map<String, Value>> {
    v.as_object_mut()
}

/// Changes that aim at the scenario's shape and the work budget.
fn mutate_shape(r: &mut Rng, v: &mut Value, pool: &Pool) {
    let Some(top) = obj(v) else {
        return;
    };
    match r.below(9) {
        0 => {
            let t = *r.pick(&[
                0u64, 1, 3, 7, 9, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500, 1000, 1001, 2000,
            ]);
            top.insert("tick_ms".into(), json!(t));
        }
        1 => {
            // Many streams, many shards.
            let streams = top
                .get_mut("resource")
                .and_then(|r| r.get_mut("aws_kinesis_stream"))
                .and_then(Value::as_object_mut);
            if let Some(streams) = streams {
                let n = *r.pick(&[1usize, 1, 2, 3, 7, 9]);
                for i in 0..n {
                    let mut body =
                        json!({"shard_count": *r.pick(&[1u64, 2, 50, 100, 250, 499, 500, 501])});
                    if r.chance(1, 4) {
                        body["stream_mode_details"] = json!({"stream_mode": "ON_DEMAND"});
                        body.as_object_mut().map(|b| b.remove("shard_count"));
                    }
                    streams.insert(format!("extra-{i}"), body);
                }
                if r.chance(1, 2) {
                    for (_, s) in streams.iter_mut() {
                        if let Some(s) = s.as_object_mut() {
                            s.insert(
                                "shard_count".into(),
                                json!(*r.pick(&[1u64, 64, 250, 500, 501])),
                            );
                        }
                    }
                }
            }
        }
        2 => {
            // Many producers, at rates near the budget.
            let blocks = pool.producer_blocks.clone();
            if let Some(list) = top.get_mut("producers").and_then(Value::as_array_mut) {
                let n = *r.pick(&[1usize, 5, 31, 32, 33]);
                for i in 0..n {
                    let mut b = if blocks.is_empty() {
                        json!({})
                    } else {
                        r.pick(&blocks).clone()
                    };
                    if let Some(b) = b.as_object_mut() {
                        b.insert("name".into(), json!(format!("many-{i}")));
                        let rate = *r.pick(&[1u64, 100, 1_000, 60_000, 62_500, 200_000, 1_000_000]);
                        b.insert("records_per_second".into(), json!(rate));
                    }
                    list.push(b);
                }
            }
        }
        3 => {
            // Many readers.
            let n = *r.pick(&[1usize, 8, 16, 20, 21, 32, 33]);
            let list = top.entry("consumers").or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut() {
                for i in 0..n {
                    let kind = *r.pick(&[
                        "polling",
                        "polling",
                        "enhanced_fan_out",
                        "kcl",
                        "kcl",
                        "other",
                    ]);
                    let mut c = json!({"name": format!("reader-{i}"), "type": kind});
                    if !pool.streams.is_empty() {
                        c["stream_name"] = json!(r.pick(&pool.streams).clone());
                    }
                    if r.chance(1, 3) {
                        c["poll_interval_ms"] = whole(r, 200, 5_000);
                    }
                    list.push(c);
                }
            }
        }
        4..=6 => {
            // Scheduled commands.
            let n = *r.pick(&[1usize, 1, 2, 3, 5, 10, 30]);
            let list = top.entry("commands").or_insert_with(|| json!([]));
            if !list.is_array() {
                *list = json!([]);
            }
            if let Some(list) = list.as_array_mut() {
                for _ in 0..n {
                    list.push(scheduled_command(r, pool));
                }
            }
        }
        7 => {
            let seed = match r.below(8) {
                0 => json!(u64::MAX.to_string()),
                1 => json!("18446744073709551616"),
                2 => interesting_number(r),
                _ => json!(r.next()),
            };
            top.insert("seed".into(), seed);
        }
        _ => {
            // A producer's keys or traffic at the top of their ranges.
            let Some(list) = top.get_mut("producers").and_then(Value::as_array_mut) else {
                return;
            };
            if list.is_empty() {
                return;
            }
            let i = r.below(list.len());
            let Some(p) = list[i].as_object_mut() else {
                return;
            };
            if r.chance(1, 2) {
                let model = *r.pick(&["uniform", "random", "zipf", "hot_key", "list", "x"]);
                p.insert(
                    "partition_keys".into(),
                    json!({"model": model, "count": whole(r, 1, 1_000_000)}),
                );
            } else {
                let t = match r.below(3) {
                    0 => {
                        json!({"shape": "bursts", "period_seconds": whole(r, 1, 10), "burst_seconds": whole(r, 1, 10), "multiplier": whole(r, 0, 100)})
                    }
                    1 => {
                        json!({"shape": "sine", "amplitude": share(r), "period_seconds": whole(r, 1, 100)})
                    }
                    _ => {
                        json!({"shape": "spike", "at_seconds": whole(r, 0, 2), "duration_seconds": whole(r, 1, 5), "multiplier": whole(r, 0, 100)})
                    }
                };
                p.insert("traffic".into(), t);
            }
        }
    }
}

/// Changes to the text itself: cut short, stray characters, a key given twice.
fn mutate_text(r: &mut Rng, text: &mut String, tree: &Value) {
    let boundary = |r: &mut Rng, s: &str| {
        let mut i = r.below(s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match r.below(6) {
        0 => {
            let i = boundary(r, text);
            text.truncate(i);
        }
        1 => {
            let i = boundary(r, text);
            let junk = *r.pick(&[
                "{", "}", ",", "\"", "\\", "\\u0000", "\u{feff}", "NaN", "1e999", "//", "\n",
                "\u{0}", "]", ":", "-",
            ]);
            text.insert_str(i, junk);
        }
        2 | 3 => {
            // A key given twice.
            let mut keys = Vec::new();
            collect_keys(tree, &mut keys);
            if keys.is_empty() {
                return;
            }
            let k = r.pick(&keys);
            let needle = format!("{}:", Value::String(k.clone()));
            if let Some(i) = text.find(&needle) {
                let v = if r.chance(1, 2) { "null" } else { "1" };
                text.insert_str(i, &format!("{needle}{v},"));
            }
        }
        4 => text.insert(0, '\u{feff}'),
        _ => {
            let tail = *r.pick(&[" ", "x", "{}", "\n\n", "\u{0}"]);
            text.push_str(tail);
        }
    }
}

fn collect_keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_keys(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push(k.clone());
                collect_keys(x, out);
            }
        }
        _ => {}
    }
}

/// The scenario text of case `n`.
fn scenario_text(r: &mut Rng) -> String {
    let names = preset_names();
    let name = r.pick(&names);
    let text = preset(name).expect("a preset");
    let mut v: Value = serde_json::from_str(text).expect("presets are JSON");
    let pool = Pool::of_scenario(&v);
    // Some presets run as they are, with random commands sent to them.
    if r.chance(1, 8) {
        return text.to_string();
    }
    // Some change only the shape (more of everything, ticks, commands), so more of them run.
    let shape_only = r.chance(1, 3);
    let rounds = *r.pick(&[1, 1, 1, 2, 2, 3, 5, 8]);
    for _ in 0..rounds {
        if shape_only || r.chance(1, 2) {
            mutate_shape(r, &mut v, &pool);
        } else {
            mutate_tree(r, &mut v, &pool);
        }
    }
    let mut text = if r.chance(1, 2) {
        serde_json::to_string_pretty(&v).expect("a value")
    } else {
        v.to_string()
    };
    if !shape_only && r.chance(1, 8) {
        mutate_text(r, &mut text, &v);
    }
    text
}

// ---- the checks ------------------------------------------------------------------------------

/// What one case found wrong.
type Failure = String;

fn check_refusal(what: &str, e: &Errors) -> Result<(), Failure> {
    if e.is_empty() {
        return Err(format!("{what}: refused with no error at all"));
    }
    let mut total = 0;
    for f in &e.0 {
        let line = f.to_string();
        total += line.len();
        if f.path.is_empty() {
            return Err(format!("{what}: an error without a path: {line:?}"));
        }
        if line.len() > ERROR_BYTES_MAX {
            let head: String = line.chars().take(300).collect();
            return Err(format!(
                "{what}: an error of {} bytes (at most {ERROR_BYTES_MAX}): {head:?}…",
                line.len()
            ));
        }
        if line.contains(['\n', '\r']) {
            return Err(format!("{what}: an error of more than one line: {line:?}"));
        }
    }
    if total > ERRORS_BYTES_MAX {
        return Err(format!(
            "{what}: {} errors, {total} bytes in all (at most {ERRORS_BYTES_MAX})",
            e.len()
        ));
    }
    Ok(())
}

fn check_load(what: &str, load: &Load) -> Result<(), Failure> {
    load.check()
        .map_err(|e| format!("{what}: the load passes the budget: {}", e.message))
}

/// Record visits a simulated second at the load's peaks.
fn visits_per_second(load: &Load) -> u64 {
    load.peak_records_per_second() * (1 + load.readers)
}

/// What a case did, for the summary.
#[derive(Default)]
struct Outcome {
    accepted: bool,
    ticks: u64,
    commands_sent: u64,
    commands_accepted: u64,
    /// The first error of a refused scenario, its path without indices (for the summary).
    refused_at: Option<String>,
}

/// Runs one case; `log` collects what was sent, so a failure can print it.
fn run_case(seed: u64, text: &mut String, log: &mut Vec<String>) -> Result<Outcome, Failure> {
    let mut r = Rng::new(seed);
    *text = scenario_text(&mut r);
    let mut out = Outcome::default();
    let parsed = parse_scenario(text);
    let built = world_from_text(text, None);
    let mut w = match (parsed, built) {
        (Err(e), Err(e2)) => {
            if e != e2 {
                return Err("parse_scenario and world_from_text disagree".into());
            }
            check_refusal("the scenario", &e)?;
            let path: String = e.0[0]
                .path
                .chars()
                .filter(|c| !c.is_ascii_digit())
                .collect();
            out.refused_at = Some(path.chars().take(60).collect());
            return Ok(out);
        }
        (Ok(_), Ok(w)) => w,
        (Ok(_), Err(e)) | (Err(e), Ok(_)) => {
            return Err(format!("parse_scenario and world_from_text disagree: {e}"))
        }
    };
    out.accepted = true;
    check_load("at the start", &w.load())?;

    // A short run: at most SIM_MS_MAX, shorter for a costly one. The work is counted tick by
    // tick at the load of the moment, so a rate a command raises shortens the run.
    let max_ticks = SIM_MS_MAX / w.tick_ms;
    let ticks_per_second = 1000 / w.tick_ms;
    let sends = r.chance(2, 3);
    let (mut ticks, mut work) = (0u64, 0u64);
    while ticks < max_ticks && work < VISITS_PER_CASE_MAX {
        if sends && r.chance(1, 4) {
            for _ in 0..r.range(1, 3) {
                let pool = Pool::of_world(&w);
                let mut c = random_command(&mut r, &pool).to_string();
                if r.chance(1, 30) {
                    mutate_text(&mut r, &mut c, &Value::Null);
                }
                log.push(format!("before tick {}: {c}", w.tick));
                out.commands_sent += 1;
                match parse_command(&c, &w) {
                    Ok(cmd) => {
                        out.commands_accepted += 1;
                        w.command(cmd);
                    }
                    Err(e) => check_refusal("a command sent", &e)?,
                }
            }
        }
        w.step();
        ticks += 1;
        work += (visits_per_second(&w.load()) * w.tick_ms / 1000).max(1);
        let l = w.ledger();
        if !l.balanced() {
            return Err(format!(
                "tick {}: the ledger does not balance: {l:?}",
                w.tick
            ));
        }
        if w.tick % ticks_per_second == 0 {
            check_load(&format!("at {} ms", w.now_ms), &w.load())?;
        }
    }
    out.ticks = ticks;

    // The replay file reproduces the run.
    let replay = w.replay_scenario().to_string();
    let mut again = world_from_text(&replay, None).map_err(|e| {
        format!(
            "the replay file is refused: {e}\nreplay: {}",
            shorten(&replay)
        )
    })?;
    for _ in 0..ticks {
        again.step();
    }
    if again.digest() != w.digest() {
        return Err(format!(
            "the replay's digest {} is not the run's {} after {ticks} ticks\nreplay: {}",
            again.digest_hex(),
            w.digest_hex(),
            shorten(&replay)
        ));
    }
    if again.ledger() != w.ledger() {
        return Err("the replay's ledger differs".into());
    }
    Ok(out)
}

fn shorten(s: &str) -> String {
    const MAX: usize = 20_000;
    if s.len() <= MAX {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX).collect();
    format!(
        "{head}… ({} bytes; STREAMSIM_FUZZ_CASE=N prints it whole)",
        s.len()
    )
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a whole number")),
    )
}

/// The peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

static PANIC: Mutex<Option<String>> = Mutex::new(None);

#[test]
fn fuzz_presets_and_commands() {
    let base = env_u64("STREAMSIM_FUZZ_SEED").unwrap_or(0);
    let only = env_u64("STREAMSIM_FUZZ_CASE");
    let verbose = std::env::var("STREAMSIM_FUZZ_VERBOSE").is_ok_and(|v| v != "0");
    let cases: Vec<u64> = match only {
        Some(n) => vec![n],
        None => (0..env_u64("STREAMSIM_FUZZ_CASES").unwrap_or(DEFAULT_CASES)).collect(),
    };

    // A panic's message and place, kept for the case's report instead of printed.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(info.to_string());
    }));

    let started = Instant::now();
    let (mut accepted, mut ticks, mut sent, mut sent_ok) = (0u64, 0u64, 0u64, 0u64);
    let mut slowest: Vec<(Duration, u64, u64)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    let mut refused_at: std::collections::BTreeMap<String, u64> = Default::default();
    for &case in &cases {
        let seed = case_seed(base, case);
        let mut text = String::new();
        let mut log = Vec::new();
        let t0 = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| run_case(seed, &mut text, &mut log)));
        let took = t0.elapsed();
        let failure = match result {
            Ok(Ok(o)) => {
                accepted += u64::from(o.accepted);
                ticks += o.ticks;
                sent += o.commands_sent;
                sent_ok += o.commands_accepted;
                if let Some(p) = o.refused_at {
                    *refused_at.entry(p).or_default() += 1;
                }
                slowest.push((took, case, o.ticks));
                slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
                slowest.truncate(5);
                None
            }
            Ok(Err(f)) => Some(f),
            Err(_) => Some(format!(
                "panicked: {}",
                PANIC
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .take()
                    .unwrap_or_default()
            )),
        };
        if only.is_some() {
            println!("case {case} (seed {base}), scenario:\n{text}");
            for l in &log {
                println!("{l}");
            }
        }
        if let Some(f) = failure {
            let shown = if only.is_some() {
                String::new()
            } else {
                format!(
                    "\nscenario:\n{}\ncommands sent:\n{}",
                    shorten(&text),
                    shorten(&log.join("\n"))
                )
            };
            failures.push(format!(
                "case {case} (STREAMSIM_FUZZ_SEED={base} STREAMSIM_FUZZ_CASE={case}): {f}{shown}"
            ));
            if failures.len() >= 10 {
                break;
            }
        }
    }
    std::panic::set_hook(hook);

    if verbose || only.is_some() {
        println!(
            "{} cases (seed {base}) in {:.1} s: {accepted} accepted and run ({ticks} ticks), {} refused; {sent} commands sent, {sent_ok} accepted; peak memory {} MiB",
            cases.len(),
            started.elapsed().as_secs_f64(),
            cases.len() as u64 - accepted,
            peak_rss_kib() / 1024,
        );
        let mut by_count: Vec<(u64, String)> =
            refused_at.into_iter().map(|(p, n)| (n, p)).collect();
        by_count.sort_by(|a, b| b.cmp(a));
        for (n, p) in by_count.iter().take(8) {
            println!("  refused at {p}: {n}");
        }
        for (took, case, ticks) in &slowest {
            println!(
                "  slow: case {case}, {ticks} ticks, {:.3} s",
                took.as_secs_f64()
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing case(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
