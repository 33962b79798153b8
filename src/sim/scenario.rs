//! Scenario files: the document, and the cross-references between its resources.
//!
//! JSON whose resources and argument names mirror Terraform (`resource.aws_kinesis_stream`,
//! `resource.aws_lambda_event_source_mapping`, `resource.aws_kinesis_firehose_delivery_stream`),
//! plus simulation-only blocks (`seed`, `tick_ms`, `producers`, `consumers`,
//! `lambda_functions`, `batch_jobs`, `commands`). Each concept reads its own blocks (its
//! `config` module); this module reads the document around them and checks what spans several
//! of them: names that must be unique, budgets shared by all producers and readers.

use serde_json::Value;

use super::base::json::{
    array, int_value, join, parse_text, quoted, shown, text_value, Errors, Obj,
};
use super::base::limits::{
    BATCH_JOBS_MAX, COMMANDS_MAX, CONSUMERS_MAX, DESCRIPTION_CHARS_MAX,
    FAN_OUT_CONSUMERS_PER_STREAM_MAX, LAMBDA_FUNCTIONS_MAX, PRODUCERS_MAX, SEED_DEFAULT,
    STREAMS_MAX, TICK_MS,
};
use super::base::names::Names;
use super::budget::{Load, ProducerLoad};
use super::command::{parse_scheduled, Command, ScheduledCommand};
use super::consumer::config::parse_consumer;
use super::consumer::{ConsumerConfig, ConsumerKind};
use super::firehose::batch::parse_batch_job;
use super::firehose::config::parse_firehoses;
use super::firehose::{BatchJobConfig, FirehoseConfig};
use super::lambda::config::{parse_function, parse_mappings};
use super::lambda::{EventSourceMapping, LambdaFunction};
use super::producer::command::ProducerCommand;
use super::producer::config::parse_producer;
use super::producer::ProducerConfig;
use super::stream::config::parse_stream;
use super::stream::StreamConfig;

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub description: String,
    pub seed: u64,
    pub tick_ms: u64,
    pub streams: Vec<StreamConfig>,
    pub producers: Vec<ProducerConfig>,
    pub consumers: Vec<ConsumerConfig>,
    pub lambda_functions: Vec<LambdaFunction>,
    pub event_source_mappings: Vec<EventSourceMapping>,
    pub firehoses: Vec<FirehoseConfig>,
    pub batch_jobs: Vec<BatchJobConfig>,
    pub commands: Vec<ScheduledCommand>,
    /// The validated JSON, kept so a run can say exactly what it was made from.
    pub source: Value,
}

/// Reads and validates a scenario from JSON text.
pub fn parse_scenario(text: &str) -> Result<Scenario, Errors> {
    let value = parse_text(text, "")?;
    let mut errs = Errors::default();
    match read_scenario(&value, &mut errs) {
        Some(s) if errs.is_empty() => Ok(s),
        _ => Err(errs),
    }
}

/// Checks a scenario; empty when it is valid.
pub fn validate(text: &str) -> Errors {
    parse_scenario(text).err().unwrap_or_default()
}

fn read_seed(v: Option<&Value>, errs: &mut Errors) -> Option<u64> {
    match v {
        None => Some(SEED_DEFAULT),
        // Seeds may be given as strings, since JS numbers lose precision above 2^53.
        Some(Value::String(s)) => match s.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(
                    "seed",
                    format!("{} is not a whole number in 0..={}", quoted(s), u64::MAX),
                );
                None
            }
        },
        Some(v) => int_value(v, "seed", 0, u64::MAX, errs),
    }
}

/// Each item of the list `key` (at most `max`) that `read` accepts, with its index.
fn list<T>(
    top: &mut Obj,
    key: &'static str,
    max: usize,
    errs: &mut Errors,
    mut read: impl FnMut(&Value, &str, &mut Errors) -> Option<T>,
) -> Vec<(usize, T)> {
    let mut out = Vec::new();
    if let Some(v) = top.get(key) {
        if let Some(items) = array(v, key, max, errs) {
            for (i, item) in items.iter().enumerate() {
                if let Some(t) = read(item, &format!("{key}[{i}]"), errs) {
                    out.push((i, t));
                }
            }
        }
    }
    out
}

fn items<T>(list: Vec<(usize, T)>) -> Vec<T> {
    list.into_iter().map(|(_, t)| t).collect()
}

fn read_scenario(value: &Value, errs: &mut Errors) -> Option<Scenario> {
    let mut top = Obj::of(value, "", errs)?;
    let description = top
        .get("description")
        .and_then(|v| text_value(v, "description", 0, DESCRIPTION_CHARS_MAX, errs))
        .unwrap_or_default();
    let seed = read_seed(top.get("seed"), errs);
    let tick_ms = top.int("tick_ms", TICK_MS, errs);
    if let Some(t) = tick_ms {
        if 1000 % t != 0 {
            errs.push(
                "tick_ms",
                format!("{t} does not divide 1000 (a second must be a whole number of ticks)"),
            );
        }
    }

    let (streams, esm_block, firehose_block) = read_resources(top.required("resource", errs), errs);
    let mut names = Names {
        streams: streams.iter().map(|s| s.name.clone()).collect(),
        ..Names::default()
    };
    let functions = items(list(
        &mut top,
        "lambda_functions",
        LAMBDA_FUNCTIONS_MAX,
        errs,
        parse_function,
    ));
    let mappings = esm_block
        .map(|b| parse_mappings(b, &names, &functions, errs))
        .unwrap_or_default();
    let firehoses = firehose_block
        .map(|b| parse_firehoses(b, &names, &functions, errs))
        .unwrap_or_default();
    names.direct_put = firehoses
        .iter()
        .filter(|f| f.source_stream.is_none())
        .map(|f| f.name.clone())
        .collect();
    let delivery_streams: Vec<String> = firehoses.iter().map(|f| f.name.clone()).collect();
    let mut taken: Vec<String> = Vec::new();
    let batch_jobs = items(list(
        &mut top,
        "batch_jobs",
        BATCH_JOBS_MAX,
        errs,
        |v, p, e| {
            let b = parse_batch_job(v, p, &delivery_streams, &taken, e)?;
            taken.push(b.delivery_stream_name.clone());
            Some(b)
        },
    ));

    let producers = list(&mut top, "producers", PRODUCERS_MAX, errs, |v, p, e| {
        parse_producer(v, p, &names, e)
    });
    unique(
        producers.iter().map(|(i, p)| (*i, &p.name)),
        "producers",
        "producer",
        errs,
    );
    let producers = items(producers);

    let consumers = list(&mut top, "consumers", CONSUMERS_MAX, errs, |v, p, e| {
        parse_consumer(v, p, &names, e)
    });
    unique(
        consumers.iter().map(|(i, c)| (*i, &c.name)),
        "consumers",
        "consumer",
        errs,
    );
    let consumers = items(consumers);
    check_readers(&names, &consumers, &mappings, &firehoses, errs);

    names.producers = producers.iter().map(|p| p.name.clone()).collect();
    names.consumers = consumers
        .iter()
        .map(|c| c.name.clone())
        .chain(
            mappings
                .iter()
                .filter(|m| m.enabled)
                .map(|m| m.label.clone()),
        )
        .chain(
            firehoses
                .iter()
                .filter(|f| f.source_stream.is_some())
                .map(|f| format!("firehose:{}", f.name)),
        )
        .collect();
    names.functions = mappings
        .iter()
        .filter(|m| m.enabled)
        .map(|m| m.function_name.clone())
        .collect();
    names.mappings = mappings
        .iter()
        .filter(|m| m.enabled)
        .map(|m| m.label.clone())
        .collect();
    names.delivery_streams = delivery_streams;
    let commands = list(&mut top, "commands", COMMANDS_MAX, errs, |v, p, e| {
        parse_scheduled(v, p, &names, e)
    });
    check_references(&commands, &mut names, errs);
    if let Some(tick_ms) = tick_ms {
        let load = Load {
            producers: producers.iter().map(ProducerLoad::of).collect(),
            readers: (readers(&consumers, &mappings, &firehoses) + batch_jobs.len()) as u64,
            open_shards: streams.iter().map(|s| u64::from(s.shard_count)).collect(),
            tick_ms,
        };
        check_budget(load, &commands, &streams, errs);
    }
    let commands = items(commands);
    top.finish(errs);

    Some(Scenario {
        description,
        lambda_functions: functions,
        event_source_mappings: mappings,
        firehoses,
        batch_jobs,
        seed: seed?,
        tick_ms: tick_ms?,
        streams,
        producers,
        consumers,
        commands,
        source: value.clone(),
    })
}

/// Every scheduled command names something the scenario has (in time order, so a producer an
/// earlier command adds can be named by a later one); a missing one is refused at its path,
/// not skipped when the run gets there.
fn check_references(commands: &[(usize, ScheduledCommand)], names: &mut Names, errs: &mut Errors) {
    let mut order: Vec<&(usize, ScheduledCommand)> = commands.iter().collect();
    order.sort_by_key(|(_, c)| c.at_ms);
    for (i, c) in order {
        match c.command.check_reference(names) {
            Err(e) => errs.add(e.under(&format!("commands[{i}]"))),
            Ok(()) => {
                if let Command::Producer(ProducerCommand::AddProducer { producer }) = &c.command {
                    names.producers.push(producer.cfg.name.clone());
                }
            }
        }
    }
}

/// The scenario as it starts, then after each scheduled command in time order, fits the work
/// budget: a command that would pass it is refused at its path, with the estimate.
fn check_budget(
    mut load: Load,
    commands: &[(usize, ScheduledCommand)],
    streams: &[StreamConfig],
    errs: &mut Errors,
) {
    if let Err(e) = load.check() {
        errs.push(e.part, e.message);
        return;
    }
    let mut order: Vec<&(usize, ScheduledCommand)> = commands.iter().collect();
    order.sort_by_key(|(_, c)| c.at_ms);
    for (i, c) in order {
        let next = load.after(&c.command, |n| streams.iter().position(|s| s.name == n));
        if let Err(e) = next.check() {
            errs.push(
                &format!("commands[{i}]"),
                format!("{} at at_ms {}: {}", c.command.kind(), c.at_ms, e.message),
            );
            return;
        }
        load = next;
    }
}

/// Everything that reads a stream: consumers, Lambda triggers, delivery streams with a source.
fn readers(
    consumers: &[ConsumerConfig],
    mappings: &[EventSourceMapping],
    firehoses: &[FirehoseConfig],
) -> usize {
    consumers.len()
        + mappings.len()
        + firehoses
            .iter()
            .filter(|f| f.source_stream.is_some())
            .count()
}

/// Names of one kind must differ: the second use of a name is an error at its `name`.
fn unique<'a>(
    names: impl Iterator<Item = (usize, &'a String)>,
    list: &str,
    what: &str,
    errs: &mut Errors,
) {
    let mut seen: Vec<&String> = Vec::new();
    for (i, n) in names {
        if seen.contains(&n) {
            errs.push(
                &format!("{list}[{i}].name"),
                format!("{n:?} is used by another {what}"),
            );
        }
        seen.push(n);
    }
}

/// Everything that reads a stream: at most 20 enhanced fan-out consumers a stream, at most 32
/// readers in all, and a bounded number of per-key entries they keep.
fn check_readers(
    names: &Names,
    consumers: &[ConsumerConfig],
    mappings: &[EventSourceMapping],
    firehoses: &[FirehoseConfig],
    errs: &mut Errors,
) {
    for name in &names.streams {
        let fan_out = consumers
            .iter()
            .filter(|c| c.stream_name == *name && c.kind == ConsumerKind::EnhancedFanOut)
            .count();
        if fan_out > FAN_OUT_CONSUMERS_PER_STREAM_MAX {
            errs.push(
                "consumers",
                format!(
                    "{fan_out} enhanced_fan_out consumers on stream {name:?}; at most {FAN_OUT_CONSUMERS_PER_STREAM_MAX} per stream"
                ),
            );
        }
    }
    // Everything that reads a stream is a consumer of it: the limit counts them all.
    let readers = readers(consumers, mappings, firehoses);
    if readers > CONSUMERS_MAX {
        errs.push(
            "consumers",
            format!("{readers} readers (consumers, Lambda triggers and Firehose delivery streams reading a stream); at most {CONSUMERS_MAX}"),
        );
    }
}

/// The streams, and the `aws_lambda_event_source_mapping` and
/// `aws_kinesis_firehose_delivery_stream` blocks if there are.
fn read_resources<'a>(
    resource: Option<&'a Value>,
    errs: &mut Errors,
) -> (Vec<StreamConfig>, Option<&'a Value>, Option<&'a Value>) {
    let mut streams = Vec::new();
    let Some(resource) = resource else {
        return (streams, None, None);
    };
    let Some(mut res) = Obj::of(resource, "resource", errs) else {
        return (streams, None, None);
    };
    let esm = res.get("aws_lambda_event_source_mapping");
    let firehose = res.get("aws_kinesis_firehose_delivery_stream");
    let Some(block) = res.required("aws_kinesis_stream", errs) else {
        res.finish(errs);
        return (streams, esm, firehose);
    };
    let path = "resource.aws_kinesis_stream";
    match block {
        Value::Object(map) if map.is_empty() => errs.push(path, "at least one stream is needed"),
        Value::Object(map) if map.len() > STREAMS_MAX => errs.push(
            path,
            format!("{} streams; at most {STREAMS_MAX} allowed", map.len()),
        ),
        Value::Object(map) => {
            // serde_json's Map keeps the file's order (preserve_order): deterministic.
            for (label, body) in map {
                let p = join(path, label);
                if let Some(s) = parse_stream(body, &p, label, errs) {
                    if streams.iter().any(|t: &StreamConfig| t.name == s.name) {
                        errs.push(
                            &join(&p, "name"),
                            format!("{:?} is used by another stream", s.name),
                        );
                    }
                    streams.push(s);
                }
            }
        }
        other => errs.push(
            path,
            format!(
                "expected an object of streams by label, like {{\"clicks\": {{\"name\": \"clicks\", \"shard_count\": 4}}}}, got {}",
                shown(other)
            ),
        ),
    }
    res.finish(errs);
    (streams, esm, firehose)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::producer::{Api, RetryPolicy};
    use crate::sim::stream::StreamMode;

    fn minimal(extra_producer: &str) -> String {
        format!(
            r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"name": "s", "shard_count": 2}}}}}},
               "producers": [{{"name": "p", "records_per_second": 10 {extra_producer}}}]}}"#
        )
    }

    #[test]
    fn defaults_are_the_aws_ones() {
        let s = parse_scenario(&minimal("")).unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.tick_ms, 100);
        assert_eq!(s.streams[0].retention_ms, 24 * 3_600_000);
        assert_eq!(s.streams[0].mode, StreamMode::Provisioned);
        let p = &s.producers[0];
        assert_eq!(p.stream_name, "s");
        assert_eq!(p.retry, RetryPolicy::default());
        assert_eq!(p.retry.max_attempts, 3);
        assert_eq!(p.retry.base_delay_ms, 1_000);
        assert_eq!(p.retry.max_backoff_ms, 20_000);
        assert_eq!(p.api, Api::PutRecord);
        assert_eq!(p.batch_max_records, 500);
    }

    #[test]
    fn out_of_range_names_path_value_and_range() {
        let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
            "producers": [{"name": "a", "records_per_second": 5},
                          {"name": "b", "records_per_second": -5}]}"#;
        let errs = parse_scenario(text).unwrap_err();
        assert_eq!(
            errs.lines(),
            vec!["producers[1].records_per_second: -5 is out of range 1..=1000000"]
        );
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let text = r#"{"tick_ms": 70, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 0, "retention_period": 10, "colour": 1}}},
            "producers": [{"name": "a", "records_per_second": "fast", "api": "PutItem"}]}"#;
        let errs = parse_scenario(text).unwrap_err().lines();
        let joined = errs.join("\n");
        for needle in [
            "tick_ms: 70 does not divide 1000",
            "resource.aws_kinesis_stream.s.shard_count: 0 is out of range 1..=500",
            "resource.aws_kinesis_stream.s.retention_period: 10 is out of range 24..=8760",
            "resource.aws_kinesis_stream.s.colour: unknown field",
            "producers[0].records_per_second: expected a whole number in 1..=1000000, got \"fast\"",
            "producers[0].api: \"PutItem\" is not one of PutRecord, PutRecords",
        ] {
            assert!(joined.contains(needle), "missing {needle:?} in:\n{joined}");
        }
    }

    #[test]
    fn unknown_stream_and_bad_hash_key_are_named() {
        let errs = parse_scenario(&minimal(
            r#", "stream_name": "nope", "explicit_hash_key": "12x""#,
        ))
        .unwrap_err()
        .to_string();
        assert!(errs.contains("producers[0].stream_name: \"nope\" is not a stream"));
        assert!(errs.contains(
            "producers[0].explicit_hash_key: \"12x\" is not a hash key: a decimal string"
        ));
    }

    #[test]
    fn on_demand_refuses_shard_count() {
        let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2,
            "stream_mode_details": {"stream_mode": "ON_DEMAND"}}}}}"#;
        let errs = parse_scenario(text).unwrap_err().to_string();
        assert!(errs.contains("shard_count: must be left out in ON_DEMAND mode"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "null",
            "[]",
            "{",
            "{\"resource\": 5}",
            "{\"resource\": {\"aws_kinesis_stream\": []}}",
            "{\"resource\": {\"aws_kinesis_stream\": {}}}",
            "{\"resource\": {\"aws_kinesis_stream\": {\"s\": {\"shard_count\": 1}}}, \"producers\": [1, null, {}]}",
        ] {
            assert!(parse_scenario(text).is_err(), "{text}");
        }
    }

    #[test]
    fn partition_key_length_is_checked() {
        let long = "k".repeat(257);
        let errs = parse_scenario(&minimal(&format!(
            r#", "partition_keys": {{"model": "list", "keys": ["ok", "{long}"]}}"#
        )))
        .unwrap_err()
        .to_string();
        assert!(
            errs.contains("producers[0].partition_keys.keys[1]"),
            "{errs}"
        );
        assert!(errs.contains("allowed 1..=256"), "{errs}");
    }
}
