//! One home for commands: every command type reads and writes the same JSON, and every applied
//! command — sent while running or scheduled in the file — leaves a note of its concept's kind.

mod common;
use common::*;

use streamsim::sim::{parse_command, world_from_text, Command};

/// One of everything a command can name: a stream, a producer with a hot key, a KCL
/// application, a Lambda trigger, a Direct PUT delivery stream with a transform, and one
/// loading Redshift.
const EVERYTHING: &str = r#"{"tick_ms": 100, "resource": {
    "aws_kinesis_stream": {"s": {"shard_count": 2}},
    "aws_lambda_event_source_mapping": {"trigger": {"event_source_arn": "s", "function_name": "f",
        "starting_position": "LATEST"}},
    "aws_kinesis_firehose_delivery_stream": {
      "lake": {"destination": "extended_s3",
        "extended_s3_configuration": {"bucket_arn": "arn:aws:s3:::lake", "buffering_interval": 60,
          "processing_configuration": {"enabled": true, "processors": [{"type": "Lambda",
            "parameters": [{"parameter_name": "LambdaArn", "parameter_value": "t"}]}]}}},
      "wh": {"destination": "redshift", "kinesis_source_configuration": {"kinesis_stream_arn": "s"},
        "redshift_configuration": {"cluster_jdbcurl": "jdbc:redshift://x:5439/db", "username": "u",
          "data_table_name": "t", "s3_configuration": {"bucket_arn": "arn:aws:s3:::stage"}}}}},
  "lambda_functions": [{"name": "f"}, {"name": "t"}],
  "producers": [
    {"name": "p", "records_per_second": 100,
     "partition_keys": {"model": "hot_key", "count": 10, "hot_key": "hot", "hot_key_share": 0.2}},
    {"name": "d", "delivery_stream_name": "lake", "records_per_second": 50}],
  "consumers": [{"name": "app", "type": "kcl", "workers": 2}]}"#;

/// One command of every type, with every optional field given, and its note's kind.
const ALL: &[(&str, &str)] = &[
    (
        r#"{"type":"set_rate","producer":"p","records_per_second":200}"#,
        "producer",
    ),
    (
        r#"{"type":"set_hot_key_share","producer":"p","hot_key_share":0.5}"#,
        "producer",
    ),
    (r#"{"type":"pause_producer","producer":"p"}"#, "producer"),
    (r#"{"type":"resume_producer","producer":"p"}"#, "producer"),
    (r#"{"type":"put_poison_record","producer":"p"}"#, "producer"),
    (
        r#"{"type":"add_producer","producer":{"name":"q","records_per_second":5}}"#,
        "producer",
    ),
    (
        r#"{"type":"split_shard","stream_name":"s","shard_to_split":"shardId-000000000000","new_starting_hash_key":"1000"}"#,
        "reshard",
    ),
    (
        r#"{"type":"crash_worker","consumer":"app","worker":1}"#,
        "worker",
    ),
    (
        r#"{"type":"restart_worker","consumer":"app","worker":1}"#,
        "worker",
    ),
    (
        r#"{"type":"set_processing_rate","consumer":"app","records_per_second":50}"#,
        "consumer",
    ),
    (
        r#"{"type":"set_processing_rate","consumer":"app"}"#,
        "consumer",
    ),
    (
        r#"{"type":"set_function_error_rate","function_name":"f","error_rate":0.5}"#,
        "lambda",
    ),
    (
        r#"{"type":"update_event_source_mapping","mapping":"trigger","batch_size":50,"bisect_batch_on_function_error":true,"maximum_retry_attempts":2,"maximum_record_age_in_seconds":3600}"#,
        "lambda",
    ),
    (
        r#"{"type":"set_s3_available","delivery_stream_name":"lake","available":false}"#,
        "firehose",
    ),
    (
        r#"{"type":"set_s3_timeout_rate","delivery_stream_name":"lake","timeout_rate":0.1}"#,
        "firehose",
    ),
    (
        r#"{"type":"update_destination","delivery_stream_name":"lake","buffering_size":2,"buffering_interval":30,"compression_format":"GZIP"}"#,
        "firehose",
    ),
    (
        r#"{"type":"set_redshift_available","delivery_stream_name":"wh","available":false}"#,
        "firehose",
    ),
    (
        r#"{"type":"set_transform_rates","delivery_stream_name":"lake","error_rate":0.1,"dropped_rate":0.2,"processing_failed_rate":0.3}"#,
        "firehose",
    ),
];

#[test]
fn every_command_type_is_covered_here() {
    let mut covered: Vec<String> = ALL
        .iter()
        .map(|(json, _)| {
            let v: serde_json::Value = serde_json::from_str(json).unwrap();
            v["type"].as_str().unwrap().to_string()
        })
        .collect();
    covered.sort();
    covered.dedup();
    let mut types: Vec<String> = Command::types().iter().map(|t| t.to_string()).collect();
    // merge_shards and update_shard_count are covered in tests/resharding.rs; one resharding
    // at a time can be under way, so this file splits once.
    types.retain(|t| t != "merge_shards" && t != "update_shard_count");
    types.sort();
    assert_eq!(covered, types);
}

#[test]
fn every_command_writes_the_json_it_was_read_from() {
    let w = world(EVERYTHING);
    for (json, _) in ALL {
        let c = parse_command(json, &w).unwrap_or_else(|e| panic!("{json}: {e}"));
        let written = c.to_json();
        let given: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(written, given, "{json}");
        // And what it writes reads back as the same command.
        let again = parse_command(&written.to_string(), &w).unwrap();
        assert_eq!(again, c, "{json}");
    }
}

#[test]
fn every_applied_command_leaves_a_note_of_its_kind() {
    let mut w = world(EVERYTHING);
    w.run_for(1_000);
    for (json, kind) in ALL {
        let before = w.feeds.note_seq;
        send(&mut w, json);
        w.step();
        let fresh: Vec<_> = w.notes_after(before).collect();
        assert!(
            fresh
                .iter()
                .any(|n| n.kind == *kind && n.t_ms + 100 == w.now_ms),
            "{json}: {fresh:?}"
        );
    }
}

#[test]
fn scheduled_commands_leave_notes_too() {
    let mut v: serde_json::Value = serde_json::from_str(EVERYTHING).unwrap();
    v["commands"] = serde_json::json!([
        {"at_ms": 500, "type": "pause_producer", "producer": "p"},
        {"at_ms": 1_000, "type": "set_s3_available", "delivery_stream_name": "lake", "available": false},
    ]);
    let mut w = world_from_text(&v.to_string(), None).unwrap();
    w.run_for(2_000);
    let at: Vec<(u64, &str)> = w
        .notes()
        .iter()
        .filter(|n| n.kind == "producer" || n.kind == "firehose")
        .map(|n| (n.t_ms, n.kind))
        .collect();
    assert_eq!(at, [(500, "producer"), (1_000, "firehose")]);
}

#[test]
fn a_refused_command_names_its_field_under_command() {
    let w = world(EVERYTHING);
    let e = parse_command(
        r#"{"type":"set_rate","producer":"nobody","records_per_second":5}"#,
        &w,
    )
    .unwrap_err();
    assert_eq!(e.0[0].path, "command.producer");
    assert!(
        e.0[0].message.contains("\"nobody\" is not a producer"),
        "{e}"
    );
    let e = parse_command(
        r#"{"type":"update_destination","delivery_stream_name":"lake","buffering_interval":901}"#,
        &w,
    )
    .unwrap_err();
    assert_eq!(e.0[0].path, "command.buffering_interval");
    assert_eq!(e.0[0].message, "901 is out of range 0..=900");
}
