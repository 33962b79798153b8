//! The simulation core: pure Rust, no browser, no clock, no OS randomness. Everything here runs
//! the same natively and in wasm; the facade (`crate::wasm`) and the CLI (`src/main.rs`) are thin
//! layers over it.

pub mod app;
pub mod compress;
pub mod consumer;
pub mod digest;
pub mod firehose;
pub mod frame;
pub mod hash;
pub mod lambda;
pub mod producer;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod stream;
pub mod world;

pub use scenario::{parse_scenario, validate, Command, Errors, Scenario};
pub use world::{Ledger, World};

/// Built-in scenarios, by name.
pub const PRESETS: &[(&str, &str)] = &[
    ("clickstream", include_str!("presets/clickstream.json")),
    ("gaming", include_str!("presets/gaming.json")),
    ("hot-key", include_str!("presets/hot-key.json")),
    (
        "one-shard-overload",
        include_str!("presets/one-shard-overload.json"),
    ),
    ("big-records", include_str!("presets/big-records.json")),
    ("resharding", include_str!("presets/resharding.json")),
    (
        "fan-out-vs-shared",
        include_str!("presets/fan-out-vs-shared.json"),
    ),
    ("kcl-failover", include_str!("presets/kcl-failover.json")),
    (
        "lambda-poison-record",
        include_str!("presets/lambda-poison-record.json"),
    ),
    (
        "fraud-detection",
        include_str!("presets/fraud-detection.json"),
    ),
    ("on-demand", include_str!("presets/on-demand.json")),
    (
        "batch-vs-streaming",
        include_str!("presets/batch-vs-streaming.json"),
    ),
    (
        "firehose-transform",
        include_str!("presets/firehose-transform.json"),
    ),
    (
        "redshift-warehouse",
        include_str!("presets/redshift-warehouse.json"),
    ),
];

pub fn preset(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

/// A world from scenario text, with the seed replaced when `seed` is given.
pub fn world_from_text(text: &str, seed: Option<u64>) -> Result<World, Errors> {
    let mut s = parse_scenario(text)?;
    if let Some(seed) = seed {
        s.seed = seed;
        if let Some(obj) = s.source.as_object_mut() {
            obj.insert("seed".into(), serde_json::Value::from(seed));
        }
    }
    Ok(World::new(s))
}

/// Parses a command given as JSON (`{"type": "set_rate", ...}`) against the world's streams.
pub fn parse_command(text: &str, world: &World) -> Result<Command, Errors> {
    let mut errs = Errors::default();
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            errs.0.push(format!("command: not valid JSON: {e}"));
            return Err(errs);
        }
    };
    let streams: Vec<String> = world.streams.iter().map(|s| s.name.clone()).collect();
    let direct_put: Vec<String> = world
        .firehoses
        .iter()
        .filter(|f| f.cfg.source_stream.is_none())
        .map(|f| f.cfg.name.clone())
        .collect();
    let cmd = scenario::read_command(&value, "command", &streams, &direct_put, &[], &mut errs);
    match cmd {
        Some(c) if errs.is_empty() => match world.check_command(&c) {
            Ok(()) => Ok(c),
            Err(e) => {
                errs.0.push(format!("command.{e}"));
                Err(errs)
            }
        },
        _ => Err(errs),
    }
}
