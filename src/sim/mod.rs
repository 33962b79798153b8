//! The simulation core: pure Rust, no browser, no clock, no OS randomness. Everything here runs
//! the same natively and in wasm; the facade (`crate::wasm`) and the CLI (`src/main.rs`) are
//! thin layers over it.
//!
//! Layers, bottom to top (a module imports only from layers below it; `tests/layers.rs` checks):
//! 1. [`base`]: JSON walking and errors, limits, time, record contents, per-key tables,
//!    hashing, random streams, the digest;
//! 2. one module per AWS concept, each owning its config and validation, state, commands and
//!    report: [`stream`] (streams and shards), [`producer`], [`app`] (the consumers'
//!    applications), [`lambda`], [`consumer`] (polling, fan-out, KCL), [`firehose`] (with S3,
//!    Redshift and the lake);
//! 3. [`command`] (the union of the concepts' commands), [`budget`] (what a run may cost),
//!    [`scenario`] (the document), [`world`] (the tick);
//! 4. what is read from a world: [`frame`] (the page's per-frame rows and layout) and
//!    [`report`] (the CLI's report);
//! 5. this root (presets, `world_from_text`, `parse_command`), then [`lesson`] on top: lessons,
//!    exercises and the goals checked against a run, which read presets and build worlds.

pub mod app;
pub mod base;
pub mod budget;
pub mod command;
pub mod consumer;
pub mod firehose;
pub mod frame;
pub mod lambda;
pub mod lesson;
pub mod producer;
pub mod report;
pub mod scenario;
pub mod stream;
pub mod world;

pub use base::json::{Errors, FieldError};
pub use command::Command;
pub use scenario::{parse_scenario, validate, Scenario};
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
    ("firehose-s3", include_str!("presets/firehose-s3.json")),
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

/// The error for a preset that does not exist.
pub fn unknown_preset(name: &str) -> Errors {
    Errors::one(
        "preset",
        format!(
            "{} is not one of {}",
            base::json::quoted(name),
            preset_names().join(", ")
        ),
    )
}

/// A fresh run of `world`'s scenario (its scheduled commands included) with another seed, given
/// as a decimal u64.
pub fn world_with_seed(world: &World, seed: &str) -> Result<World, Errors> {
    let seed = seed.trim().parse::<u64>().map_err(|_| {
        Errors::one(
            "seed",
            format!(
                "{} is not a whole number in 0..={}",
                base::json::quoted(seed),
                u64::MAX
            ),
        )
    })?;
    let text = world.scenario.source.to_string();
    world_from_text(&text, Some(seed))
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

/// Parses a command given as JSON (`{"type": "set_rate", ...}`) against the world: its form
/// (the same parsers and limits as scenario files), then whether it fits the run as it will be
/// when it applies, and with the commands the scenario still has scheduled
/// ([`World::check_sent`]).
pub fn parse_command(text: &str, world: &World) -> Result<Command, Errors> {
    let value = base::json::parse_text(text, "command")?;
    let names = base::names::Names {
        streams: world.streams.iter().map(|s| s.name.clone()).collect(),
        direct_put: world
            .firehoses
            .iter()
            .filter(|f| f.cfg.source_stream.is_none())
            .map(|f| f.cfg.name.clone())
            .collect(),
        // The names a command refers to are checked against the run (`check_sent`).
        ..Default::default()
    };
    let mut errs = Errors::default();
    match command::parse(&value, "command", &names, &[], &mut errs) {
        Some(c) if errs.is_empty() => match world.check_log_room().and(world.check_sent(&c)) {
            Ok(()) => Ok(c),
            Err(e) => Err(e.under("command").into()),
        },
        _ => Err(errs),
    }
}
