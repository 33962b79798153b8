//! Consumers: shared polling against enhanced fan-out, processing capacity, falling behind.

mod common;
use common::*;

use streamsim::sim::{world_from_text, World};

/// Five shared-throughput consumers and five enhanced fan-out consumers on one stream.
fn five_and_five(record_bytes: u32) -> World {
    let mut consumers = Vec::new();
    for i in 0..5 {
        consumers.push(format!(r#"{{"name": "shared-{i}", "type": "polling"}}"#));
    }
    for i in 0..5 {
        consumers.push(format!(
            r#"{{"name": "fan-out-{i}", "type": "enhanced_fan_out"}}"#
        ));
    }
    world(&format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 2}}}}}},
            "producers": [{{"name": "p", "records_per_second": 1200, "record_size_bytes": {record_bytes}}}],
            "consumers": [{}]}}"#,
        consumers.join(",")
    ))
}

#[test]
fn fan_out_delivers_in_about_70_ms_and_shared_polling_takes_longer() {
    let mut w = five_and_five(200);
    run_balanced(&mut w, 60_000);
    for c in &w.consumers {
        let delay = c.mean_delay_ms();
        match c.cfg.kind.as_str() {
            "enhanced_fan_out" => assert!((65..=90).contains(&delay), "{}: {delay}", c.cfg.name),
            // Polling once a second: half a second on average, at best.
            _ => assert!(delay >= 400, "{}: {delay}", c.cfg.name),
        }
        assert!(c.records_read() > 60_000, "{}", c.cfg.name);
    }
}

#[test]
fn five_shared_consumers_overdraw_the_shard_but_fan_out_does_not() {
    // 600 records/s of 1 KB a shard: each consumer wants ~0.6 MB/s; five shared ones want 3 MB/s
    // of the shard's 2 MiB/s, and are throttled; fan-out consumers each have their own 2 MiB/s.
    let mut w = five_and_five(1000);
    run_balanced(&mut w, 60_000);
    let throttled = |prefix: &str| -> u64 {
        w.consumers
            .iter()
            .filter(|c| c.cfg.name.starts_with(prefix))
            .flat_map(|c| c.lanes.iter().map(|l| l.throttled_calls))
            .sum()
    };
    assert!(throttled("shared") > 20, "{}", throttled("shared"));
    assert_eq!(throttled("fan-out"), 0);
    let read_throttled: u64 = w.metrics[0].iter().map(|m| m.read_throttled).sum();
    assert_eq!(read_throttled, throttled("shared"));
    // The shared ones fall behind; the fan-out ones stay within a tick or two of the tip.
    let worst_delay = |prefix: &str| {
        w.consumers
            .iter()
            .filter(|c| c.cfg.name.starts_with(prefix))
            .map(|c| c.mean_delay_ms())
            .max()
            .unwrap()
    };
    assert!(worst_delay("shared") > worst_delay("fan-out") * 5);
}

#[test]
fn more_than_20_fan_out_consumers_are_refused() {
    let consumers: Vec<String> = (0..21)
        .map(|i| format!(r#"{{"name": "c{i}", "type": "enhanced_fan_out"}}"#))
        .collect();
    let text = format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}}, "consumers": [{}]}}"#,
        consumers.join(",")
    );
    let e = world_from_text(&text, None).unwrap_err().to_string();
    assert!(
        e.contains("21 enhanced_fan_out consumers on stream \"s\"; at most 20"),
        "{e}"
    );
}

#[test]
fn a_slow_consumer_falls_behind_and_loses_what_retention_trims() {
    // 100 records/s in, 10 records/s processed: 90 more behind every second.
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 100}],
        "consumers": [{"name": "slow", "processing_records_per_second": 10},
                      {"name": "quick"}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 3_600_000);
    let slow = &w.consumers[0];
    let behind = w.streams[0].shards[0].log_end - slow.lanes[0].position;
    assert!((323_000..=327_000).contains(&behind), "{behind}");
    // 0.9 s behind for every second: 54 minutes after an hour.
    let age = slow.lanes[0].iterator_age_ms;
    assert!((3_200_000..=3_300_000).contains(&age), "{age}");
    assert_eq!(w.consumers[1].lanes[0].iterator_age_ms, 0);
    // At 26.7 h it is 24 h behind: from then on retention trims what it has not read, 90 a
    // second. By 30 h that is about 3.3 h × 90/s ≈ 1.07 million records lost to it.
    run_balanced(&mut w, 29 * 3_600_000);
    let slow = &w.consumers[0];
    let lost = slow.lanes[0].expired_unread;
    assert!((1_000_000..=1_150_000).contains(&lost), "{lost}");
    // It reads the oldest records left: about 24 h old (within the second a run spans).
    assert!(slow.lanes[0].iterator_age_ms <= 24 * 3_600_000 + 5_000);
    assert_eq!(w.consumers[1].lanes[0].expired_unread, 0);
    // The ledger counts them as expired unread (not every consumer had them).
    assert_eq!(w.ledger().expired_unread, slow.lanes[0].expired_unread);
}

/// A stream with 60 s of records, and consumers that start reading at 60 s from each iterator type.
fn late_starters(extra: &str) -> World {
    world(&format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}},
            "producers": [{{"name": "p", "records_per_second": 100}}],
            "consumers": [
              {{"name": "trim", "start_at_ms": 60000, "starting_position": "TRIM_HORIZON"}},
              {{"name": "latest", "start_at_ms": 60000, "starting_position": "LATEST"}},
              {{"name": "at-30s", "start_at_ms": 60000, "starting_position": "AT_TIMESTAMP", "starting_position_timestamp_ms": 30000}}
              {extra}]}}"#
    ))
}

#[test]
fn iterator_types_start_where_aws_says() {
    let mut w = late_starters("");
    run_balanced(&mut w, 59_000);
    assert!(
        w.consumers.iter().all(|c| c.records_read() == 0),
        "nobody reads before starting"
    );
    run_balanced(&mut w, 11_000);
    let read = |i: usize| w.consumers[i].records_read();
    // At 70 s: TRIM_HORIZON has read all 7,000 (give or take the last poll), LATEST only
    // what came after 60 s, AT_TIMESTAMP what came after 30 s.
    assert!((6_800..=7_000).contains(&read(0)), "{}", read(0));
    assert!((800..=1_000).contains(&read(1)), "{}", read(1));
    assert!((3_800..=4_000).contains(&read(2)), "{}", read(2));
}

#[test]
fn at_and_after_sequence_number_start_at_that_record() {
    let mut w = late_starters("");
    run_balanced(&mut w, 10_000);
    let seq = w
        .record_detail(0, w.streams[0].shards[0].log_end - 1)
        .unwrap()
        .sequence_number;
    let index = w.streams[0].shards[0].log_end - 1;
    let extra = format!(
        r#", {{"name": "at", "start_at_ms": 60000, "starting_position": "AT_SEQUENCE_NUMBER", "starting_sequence_number": "{seq}"}},
           {{"name": "after", "start_at_ms": 60000, "starting_position": "AFTER_SEQUENCE_NUMBER", "starting_sequence_number": "{seq}"}}"#
    );
    let mut w = late_starters(&extra);
    run_balanced(&mut w, 60_000);
    w.step();
    assert_eq!(w.consumers[3].lanes[0].position, index);
    assert_eq!(w.consumers[4].lanes[0].position, index + 1);
    let e = world_from_text(
        &late_starters("").scenario.source.to_string().replace(
            r#""starting_position":"LATEST""#,
            r#""starting_position":"AT_SEQUENCE_NUMBER","starting_sequence_number":"12""#,
        ),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("consumers[1].starting_sequence_number: \"12\" is not a sequence number"),
        "{e}"
    );
}

#[test]
fn fan_out_behind_on_big_records_does_not_underflow_its_budget() {
    // Regression: a subscription that starts late on 1 MB records has a backlog of one-record
    // runs; a push with a small budget takes one record past it, and the next run in the same
    // push made the remaining budget negative (a u64 underflow: a panic in debug builds).
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 1, "record_size_bytes": 1000000}],
        "consumers": [{"name": "fan", "type": "enhanced_fan_out", "start_at_ms": 30000}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 90_000);
    // It caught up: 2 MiB/s against 1 MB/s coming in.
    assert!(
        w.consumers[0].records_read() >= 88,
        "{}",
        w.consumers[0].records_read()
    );
}
