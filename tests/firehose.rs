//! Firehose delivering a stream to S3: the size-or-interval buffer, object keys, metrics.

mod common;
use common::*;

use streamsim::sim::{world_from_text, World};

/// Runs `ms`, checking the ledger and that every record a Firehose received is in its
/// transform, buffered, waiting for S3, in S3 (data or error objects), lost, or dropped.
fn run_balanced(w: &mut World, ms: u64) {
    run_checked(w, ms, |w| {
        for f in &w.firehoses {
            assert_eq!(
                f.received_records,
                f.processing_records()
                    + f.buffered_records()
                    + f.retrying_records()
                    + f.delivered_records
                    + f.error_records
                    + f.lost_records
                    + f.transform_dropped()
            );
        }
    });
}

fn archive(rate: u32, size: u32, hints: &str) -> String {
    format!(
        r#"{{"resource": {{
            "aws_kinesis_stream": {{"events": {{"shard_count": 8}}}},
            "aws_kinesis_firehose_delivery_stream": {{"archive": {{
              "name": "archive", "destination": "extended_s3",
              "kinesis_source_configuration": {{"kinesis_stream_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/events",
                                                "role_arn": "arn:aws:iam::123456789012:role/firehose"}},
              "extended_s3_configuration": {{"bucket_arn": "arn:aws:s3:::lake", "prefix": "raw/" {hints}}}}}}}}},
          "producers": [{{"name": "p", "records_per_second": {rate}, "record_size_bytes": {size},
                          "partition_keys": {{"model": "uniform", "count": 1000, "prefix": "k"}}}}]}}"#
    )
}

#[test]
fn a_slow_stream_is_delivered_every_300_seconds_with_default_hints() {
    // 10 records/s of 1 KB: 3 MB in 300 s, below the 5 MiB size: the interval decides.
    let mut w = world(&archive(10, 1000, ""));
    run_balanced(&mut w, 1_000_000);
    let f = &w.firehoses[0];
    assert_eq!(f.objects_total, 3);
    for o in &f.objects {
        assert_eq!(o.trigger, "interval");
        assert!((2_900..=3_010).contains(&o.records), "{o:?}");
        // Delivered 300 s after the buffer started filling.
        assert!(o.delivered_ms - o.first_arrival_ms >= 299_000, "{o:?}");
        assert!(o.delivered_ms - o.first_arrival_ms <= 302_000, "{o:?}");
    }
    let m = &f.metrics;
    assert_eq!(m.iter().map(|s| s.deliveries).sum::<u64>(), 3);
    // Data freshness grows to about 300 s, then drops at each delivery.
    let worst = m.iter().map(|s| s.data_freshness_ms).max().unwrap();
    assert!((299_000..=302_000).contains(&worst), "{worst}");
}

#[test]
fn a_fast_stream_is_delivered_by_size() {
    // 5,000 records/s of 1 KB: 5 MiB fills in about 1.05 s.
    let mut w = world(&archive(5_000, 1000, ""));
    run_balanced(&mut w, 30_000);
    let f = &w.firehoses[0];
    assert!(f.objects_total >= 25, "{}", f.objects_total);
    for o in &f.objects {
        assert_eq!(o.trigger, "size");
        // Delivered when the size is reached: within one record of 5 MiB.
        assert!(o.raw_bytes.abs_diff(5 * 1_048_576) < 1_100, "{o:?}");
    }
}

#[test]
fn a_bigger_buffer_means_fewer_larger_objects_and_more_delay() {
    let run = |hints: &str| {
        let mut w = world(&archive(500, 1000, hints));
        run_balanced(&mut w, 600_000);
        let f = &w.firehoses[0];
        let worst = f.metrics.iter().map(|s| s.data_freshness_ms).max().unwrap();
        (f.objects_total, worst)
    };
    let (small_n, small_delay) = run(r#", "buffering_size": 1, "buffering_interval": 60"#);
    let (big_n, big_delay) = run(r#", "buffering_size": 128, "buffering_interval": 900"#);
    assert!(small_n > big_n * 10, "{small_n} vs {big_n}");
    assert!(big_delay > small_delay * 10, "{big_delay} vs {small_delay}");
}

#[test]
fn objects_are_named_as_firehose_names_them() {
    let mut w = world(&archive(
        10,
        1000,
        r#", "buffering_interval": 60, "compression_format": "GZIP""#,
    ));
    run_balanced(&mut w, 3_700_000);
    let f = &w.firehoses[0];
    let o = &f.objects[0];
    // <prefix>YYYY/MM/dd/HH/<name>-<version>-YYYY-MM-dd-HH-MM-SS-<uuid>, UTC, from the oldest
    // record's arrival; simulated time 0 is 2025-01-01T00:00:00Z.
    assert!(
        o.key
            .starts_with("raw/2025/01/01/00/archive-1-2025-01-01-00-00-00-"),
        "{}",
        o.key
    );
    let uuid = o.key.rsplit_once("-00-00-00-").unwrap().1;
    assert_eq!(uuid.len(), 36);
    assert_eq!(uuid.as_bytes()[14], b'4');
    // An hour later the prefix has moved on.
    assert!(f.objects.iter().any(|o| o
        .key
        .starts_with("raw/2025/01/01/01/archive-1-2025-01-01-01-")));
    // Compressed with gzip (really: its lines deflated), to well under a third.
    assert!(
        o.bytes < o.raw_bytes / 3 && o.bytes > o.raw_bytes / 20,
        "{o:?}"
    );
    assert_eq!(o.compression, "GZIP");
}

#[test]
fn firehose_reads_count_against_the_shards_read_limits_and_runs_replay() {
    let mut w = world(&archive(1_000, 500, ""));
    run_balanced(&mut w, 20_000);
    let c = w.consumers.iter().find(|c| c.firehose.is_some()).unwrap();
    assert_eq!(c.cfg.starting_position.as_str(), "LATEST");
    let calls: u64 = c.lanes.iter().map(|l| l.calls).sum();
    assert!(
        (150..=170).contains(&calls),
        "one call a second per shard: {calls}"
    );
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut again = world(&replay);
    again.run_for(20_000);
    assert_eq!(again.digest(), w.digest());
}

#[test]
fn firehose_arguments_are_checked() {
    let e = world_from_text(
        &archive(
            10,
            100,
            r#", "buffering_size": 129, "buffering_interval": 901, "compression_format": "LZ4""#,
        ),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("extended_s3_configuration.buffering_size: 129 is out of range 1..=128"),
        "{e}"
    );
    assert!(
        e.contains("extended_s3_configuration.buffering_interval: 901 is out of range 0..=900"),
        "{e}"
    );
    assert!(e.contains("compression_format: \"LZ4\" is not one of UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY"), "{e}");
}

#[test]
fn an_s3_outage_holds_the_data_and_delivers_it_when_s3_returns() {
    let mut w = world(&archive(100, 1000, r#", "buffering_interval": 60"#));
    run_balanced(&mut w, 30_000);
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "archive", "available": false}"#,
    );
    run_balanced(&mut w, 3_600_000);
    let f = &w.firehoses[0];
    let before = f.objects_total;
    assert!(f.retrying_records() > 300_000, "{}", f.retrying_records());
    // Freshness: the oldest waiting record is about an hour old.
    let fresh = f.metrics.back().unwrap().data_freshness_ms;
    assert!(fresh > 3_600_000, "{fresh}");
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "archive", "available": true}"#,
    );
    // The next retry (at most a minute away) writes them all.
    run_balanced(&mut w, 61_000);
    let f = &w.firehoses[0];
    assert_eq!(f.retrying_records(), 0);
    assert!(f.objects_total >= before + 59);
    assert_eq!(f.lost_records, 0);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("that had waited for S3")));
}

#[test]
fn after_24_hours_of_outage_the_data_is_lost() {
    let text = archive(10, 1000, r#", "buffering_interval": 900"#).replacen(
        "{\"resource\"",
        "{\"tick_ms\": 1000, \"resource\"",
        1,
    );
    assert!(text.contains("tick_ms"));
    let mut w = world(&text);
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "archive", "available": false}"#,
    );
    run_balanced(&mut w, 26 * 3_600_000);
    let f = &w.firehoses[0];
    // Objects of the first two hours have waited 24 hours: lost, 9,000 records each.
    assert!(f.lost_records >= 2 * 8_900, "{}", f.lost_records);
    assert_eq!(f.delivered_records, 0);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("gave up after 24 hours")));
}

#[test]
fn a_timed_out_write_is_written_again_duplicates_in_the_bucket() {
    let mut w = world(&archive(100, 1000, r#", "buffering_interval": 60"#));
    send(
        &mut w,
        r#"{"type": "set_s3_timeout_rate", "delivery_stream_name": "archive", "timeout_rate": 0.5}"#,
    );
    run_balanced(&mut w, 1_800_000);
    let f = &w.firehoses[0];
    assert!(f.duplicate_records > 0);
    let keys: std::collections::BTreeSet<_> = f.objects.iter().map(|o| o.key.clone()).collect();
    assert!(
        keys.len() < f.objects.len(),
        "the same object key written twice"
    );
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("duplicates (at-least-once)")));
}

const DAM_AND_RIVER: &str = r#"{"tick_ms": 100, "resource": {
      "aws_kinesis_stream": {"payments": {"shard_count": 2}},
      "aws_kinesis_firehose_delivery_stream": {"lake": {"destination": "extended_s3",
          "kinesis_source_configuration": {"kinesis_stream_arn": "payments"},
          "extended_s3_configuration": {"bucket_arn": "arn:aws:s3:::lake", "buffering_size": 64, "buffering_interval": 300}}}},
    "producers": [{"name": "cards", "records_per_second": 200, "record_template": "card_transaction",
        "partition_keys": {"model": "hot_key", "count": 5000, "prefix": "card-", "hot_key": "card-stolen", "hot_key_share": 0.02}}],
    "consumers": [{"name": "river", "application": {"kind": "fraud_detector", "max_transactions": 5, "window_seconds": 10}}],
    "batch_jobs": [{"name": "dam", "delivery_stream_name": "lake", "every_seconds": 3600,
        "application": {"kind": "fraud_detector", "max_transactions": 5, "window_seconds": 10}}]}"#;

#[test]
fn the_dam_and_the_river_same_alerts_very_different_delays() {
    let mut w = world(DAM_AND_RIVER);
    run_balanced(&mut w, 2 * 3_600_000 + 1_000);
    let river = w.consumers[0].app.as_ref().unwrap();
    let dam = w.firehoses[0].batch.as_ref().unwrap();
    assert_eq!(dam.runs, 2);
    // The batch job has seen what landed before its last run; the stream saw it all.
    assert!(dam.alerts_total > 0);
    assert!(dam.alerts_total <= river.alerts_total);
    assert!(river.alerts_total - dam.alerts_total < river.alerts_total / 2 + 5);
    // Reacting within a second against within an hour and more.
    assert!(river.mean_delay_ms() < 1_500, "{}", river.mean_delay_ms());
    assert!(dam.mean_delay_ms() > 15 * 60_000, "{}", dam.mean_delay_ms());
    assert!(
        dam.delay_ms_max <= 3_600_000 + 301_000 + 2_000,
        "{}",
        dam.delay_ms_max
    );
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.starts_with("batch job dam ran over the lake")));
}

#[test]
fn the_lake_only_knows_what_firehose_has_delivered() {
    let mut w = world(DAM_AND_RIVER);
    run_balanced(&mut w, 1_000_000);
    let f = &w.firehoses[0];
    let all = f.query(0, u64::MAX);
    // Three deliveries of 300 s so far: 900 s of records, not the 1,000 s produced.
    assert_eq!(all.objects, 3);
    assert!((179_000..=181_000).contains(&all.records), "{all:?}");
    assert!(
        all.known_until_ms < 901_000 && all.known_until_ms > 899_000,
        "{all:?}"
    );
    assert_eq!(all.records, f.delivered_records);
    // Amounts are about $50 on average (uniform $1–$100, plus a few big ones).
    assert_eq!(all.fields.len(), 1, "{all:?}");
    let amount = &all.fields[0];
    assert_eq!((amount.field, amount.unit), ("amount", "cents"));
    assert_eq!(amount.records, all.records);
    assert!((4_800..=6_500).contains(&amount.mean), "{all:?}");
    let first = f.query(0, 200_000);
    assert_eq!(first.objects, 1);
}

#[test]
fn a_configuration_change_raises_the_version_in_object_names() {
    let mut w = world(&archive(100, 1000, r#", "buffering_interval": 60"#));
    run_balanced(&mut w, 130_000);
    send(
        &mut w,
        r#"{"type": "update_destination", "delivery_stream_name": "archive", "buffering_interval": 120, "compression_format": "GZIP"}"#,
    );
    run_balanced(&mut w, 300_000);
    let f = &w.firehoses[0];
    assert!(f.objects[0].key.contains("/archive-1-"));
    let last = f.objects.back().unwrap();
    assert!(last.key.contains("/archive-2-"), "{}", last.key);
    assert_eq!(last.compression, "GZIP");
    assert_eq!(f.cfg.buffering_interval_ms, 120_000);
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut again = world(&replay);
    while again.tick < w.tick {
        again.step();
    }
    assert_eq!(again.digest(), w.digest());
}

fn direct_put(rate: u32, api: &str, limits: &str) -> String {
    format!(
        r#"{{"resource": {{
            "aws_kinesis_stream": {{"unused": {{"shard_count": 1}}}},
            "aws_kinesis_firehose_delivery_stream": {{"clicks": {{
              "destination": "extended_s3", {limits}
              "extended_s3_configuration": {{"bucket_arn": "arn:aws:s3:::lake", "buffering_interval": 60}}}}}}}},
          "producers": [{{"name": "web", "delivery_stream_name": "clicks", "records_per_second": {rate},
                          "record_size_bytes": 500, "api": "{api}"}}]}}"#
    )
}

#[test]
fn direct_put_lands_every_record_in_s3_and_the_ledger_follows_it() {
    let mut w = world(&direct_put(1_000, "PutRecordBatch", ""));
    run_balanced(&mut w, 200_000);
    let f = &w.firehoses[0];
    assert_eq!(f.throttled_records, 0);
    let l = w.ledger();
    assert_eq!(l.in_s3, f.delivered_records);
    assert_eq!(l.firehose_buffered, f.buffered_records());
    assert_eq!(
        l.in_s3 + l.firehose_buffered + l.producer_buffered,
        l.produced
    );
    assert!(f.objects_total >= 3);
}

#[test]
fn direct_put_over_its_quota_is_throttled_retried_and_dropped() {
    let limits = r#""direct_put_limits": {"records_per_second": 800},"#;
    let mut w = world(&direct_put(1_600, "PutRecord", limits));
    run_balanced(&mut w, 30_000);
    let f = &w.firehoses[0];
    assert!(f.throttled_records > 10_000);
    assert_eq!(f.received_records, 30 * 800);
    let p = &w.producers[0];
    assert!(p.totals.dropped > 0);
    let m = f.metrics.back().unwrap();
    assert_eq!(m.incoming_records, 800);
    assert!(m.throttled_records > 0);
}

#[test]
fn direct_put_apis_are_checked() {
    let e = world_from_text(&direct_put(10, "PutRecords", ""), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "\"PutRecords\" is not an API of Firehose: use \"PutRecord\" or \"PutRecordBatch\""
        ),
        "{e}"
    );
    let text = direct_put(10, "PutRecord", "").replace(
        "\"delivery_stream_name\": \"clicks\"",
        "\"delivery_stream_name\": \"nope\"",
    );
    let e = world_from_text(&text, None).unwrap_err().to_string();
    assert!(
        e.contains("\"nope\" is not a Direct PUT delivery stream"),
        "{e}"
    );
}

fn transformed(function: &str, error_prefix: &str) -> String {
    format!(
        r#"{{"resource": {{
            "aws_kinesis_stream": {{"unused": {{"shard_count": 1}}}},
            "aws_kinesis_firehose_delivery_stream": {{"clicks": {{
              "destination": "extended_s3",
              "extended_s3_configuration": {{"bucket_arn": "arn:aws:s3:::lake", "buffering_interval": 60 {error_prefix},
                "processing_configuration": {{"enabled": true, "processors": [{{"type": "Lambda", "parameters": [
                  {{"parameter_name": "LambdaArn", "parameter_value": "arn:aws:lambda:eu-west-1:123456789012:function:clean:$LATEST"}},
                  {{"parameter_name": "BufferSizeInMBs", "parameter_value": "1"}},
                  {{"parameter_name": "BufferIntervalInSeconds", "parameter_value": "60"}}]}}]}}}}}}}}}},
          "lambda_functions": [{{"name": "clean", "duration_ms": 200 {function}}}],
          "producers": [{{"name": "web", "delivery_stream_name": "clicks", "records_per_second": 500,
                          "record_size_bytes": 400, "api": "PutRecordBatch"}}]}}"#
    )
}

#[test]
fn a_transform_returns_ok_dropped_and_processing_failed_per_record() {
    let text = transformed(
        r#", "transform_dropped_rate": 0.1, "transform_processing_failed_rate": 0.05"#,
        r#", "error_output_prefix": "errors/""#,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 600_000);
    let f = &w.firehoses[0];
    let t = f.transform.as_ref().unwrap();
    let done = t.ok + t.dropped + t.failed;
    assert!(done > 250_000);
    let share = |n: u64| n as f64 / done as f64;
    assert!(
        (0.09..0.11).contains(&share(t.dropped)),
        "{}",
        share(t.dropped)
    );
    assert!(
        (0.04..0.06).contains(&share(t.failed)),
        "{}",
        share(t.failed)
    );
    let errors: Vec<_> = f
        .objects
        .iter()
        .filter(|o| o.trigger == "processing-failed")
        .collect();
    assert!(!errors.is_empty());
    assert!(
        errors
            .iter()
            .all(|o| o.key.starts_with("errors/2025/01/01/00/clicks-1-")),
        "{}",
        errors[0].key
    );
    // The transform's buffer: 1 MB of 400-byte records is 2,500 records an invocation.
    assert!(
        t.invocations >= done / 2_600,
        "{} invocations",
        t.invocations
    );
    let l = w.ledger();
    assert!(l.transform_dropped > 0 && l.balanced());
}

#[test]
fn a_failing_transform_is_retried_three_times_then_its_records_go_to_the_error_prefix() {
    let mut w = world(&transformed(r#", "error_rate": 1.0"#, ""));
    run_balanced(&mut w, 300_000);
    let f = &w.firehoses[0];
    let t = f.transform.as_ref().unwrap();
    assert_eq!(t.ok, 0);
    // Every invocation fails (but those still running).
    assert_eq!(t.errors + t.in_flight.len() as u64, t.invocations);
    // Every batch: one invocation and three retries.
    assert!(
        t.invocations >= 4 * (t.failed / 2_600),
        "{} {}",
        t.invocations,
        t.failed
    );
    assert_eq!(f.delivered_records, 0);
    assert!(f.error_records > 0);
    assert!(f
        .objects
        .iter()
        .all(|o| o.key.starts_with("processing-failed/")));
}

#[test]
fn objects_show_their_first_records_as_json_lines() {
    let text = direct_put(100, "PutRecord", "").replace(
        r#""delivery_stream_name": "clicks","#,
        r#""delivery_stream_name": "clicks", "record_template": "card_transaction", "partition_keys": {"model": "uniform", "count": 50, "prefix": "card-"},"#,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 70_000);
    let f = &w.firehoses[0];
    let o = &f.objects[0];
    let lines = w.object_lines(o);
    assert_eq!(lines.len(), 5);
    for l in &lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v["card"].as_str().unwrap().starts_with("card-"));
        assert_eq!(v["currency"], "EUR");
        assert!(v["ts"].as_str().unwrap().starts_with("2025-01-01T00:00:0"));
    }
    // The same record reads the same in a second run (regenerated from the seed).
    let mut again = world(&text);
    run_balanced(&mut again, 70_000);
    assert_eq!(again.object_lines(&again.firehoses[0].objects[0]), lines);
}

#[test]
fn regression_a_timed_out_write_does_not_hold_up_the_objects_behind_it() {
    // The second write of a timed-out object used to sit at the front of the queue for 15 s,
    // and every delivery waited behind it while S3 was up.
    let text = direct_put(4_000, "PutRecordBatch", "").replace(
        r#""buffering_interval": 60"#,
        r#""buffering_size": 1, "buffering_interval": 60"#,
    );
    let mut w = world(&text);
    send(
        &mut w,
        r#"{"type": "set_s3_timeout_rate", "delivery_stream_name": "clicks", "timeout_rate": 1.0}"#,
    );
    run_balanced(&mut w, 120_000);
    let f = &w.firehoses[0];
    assert_eq!(f.retrying_records(), 0, "S3 is up: nothing waits");
    assert!(f.duplicate_records > 400_000);
}

const WAREHOUSE: &str = r#"{"resource": {
      "aws_kinesis_stream": {"events": {"shard_count": 2}},
      "aws_kinesis_firehose_delivery_stream": {"wh": {"destination": "redshift",
          "kinesis_source_configuration": {"kinesis_stream_arn": "events"},
          "redshift_configuration": {"cluster_jdbcurl": "jdbc:redshift://example:5439/dev", "username": "loader",
              "data_table_name": "events", "retry_duration": 600,
              "s3_configuration": {"bucket_arn": "arn:aws:s3:::staging", "buffering_interval": 60, "compression_format": "GZIP"}}}}},
    "producers": [{"name": "p", "records_per_second": 200}]}"#;

#[test]
fn redshift_loads_what_was_staged_in_s3_and_skips_after_its_retry_duration() {
    let mut w = world(WAREHOUSE);
    run_balanced(&mut w, 200_000);
    let f = &w.firehoses[0];
    let r = f.redshift.as_ref().unwrap();
    // Everything staged has been loaded (but the last COPY, a second or so).
    assert!(
        r.loaded_records + 12_500 >= f.delivered_records,
        "{} {}",
        r.loaded_records,
        f.delivered_records
    );
    assert!(r.copies >= 2);
    send(
        &mut w,
        r#"{"type": "set_redshift_available", "delivery_stream_name": "wh", "available": false}"#,
    );
    run_balanced(&mut w, 900_000);
    let f = &w.firehoses[0];
    let r = f.redshift.as_ref().unwrap();
    assert!(r.skipped_records > 0);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("Redshift stayed unavailable")));
    // Skipped objects are still in S3.
    assert!(f.delivered_records >= r.loaded_records + r.skipped_records);
    // The report says the cluster is down (the page and a course author read it there).
    let report = streamsim::sim::report::Report::of(&w);
    let rr = report.firehoses[0].redshift.as_ref().unwrap();
    assert!(!rr.available);
    assert_eq!(rr.skipped_records, r.skipped_records);
    let e = world_from_text(&WAREHOUSE.replace("\"GZIP\"", "\"ZIP\""), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Redshift loads UNCOMPRESSED or GZIP only"),
        "{e}"
    );
}

#[test]
fn transform_rates_change_mid_run_and_the_change_replays() {
    let mut w = world(&transformed("", r#", "error_output_prefix": "errors/""#));
    run_balanced(&mut w, 120_000);
    {
        let t = w.firehoses[0].transform.as_ref().unwrap();
        assert!(t.ok > 50_000);
        assert_eq!((t.dropped, t.failed), (0, 0));
    }
    send(
        &mut w,
        r#"{"type": "set_transform_rates", "delivery_stream_name": "clicks",
            "dropped_rate": 0.2, "processing_failed_rate": 0.3}"#,
    );
    run_balanced(&mut w, 240_000);
    let f = &w.firehoses[0];
    let t = f.transform.as_ref().unwrap();
    let after = (t.ok + t.dropped + t.failed) as f64 - 60_000.0;
    assert!((0.17..0.23).contains(&(t.dropped as f64 / after)), "{t:?}");
    assert!((0.27..0.33).contains(&(t.failed as f64 / after)), "{t:?}");
    assert!(f.objects.iter().any(|o| o.key.starts_with("errors/")));
    // A later command changes one rate and keeps the other.
    send(
        &mut w,
        r#"{"type": "set_transform_rates", "delivery_stream_name": "clicks", "dropped_rate": 0}"#,
    );
    w.step();
    let t = w.firehoses[0].transform.as_ref().unwrap();
    assert_eq!((t.dropped_rate, t.processing_failed_rate), (0.0, 0.3));
    let report = streamsim::sim::report::Report::of(&w);
    let tr = report.firehoses[0].transform.as_ref().unwrap();
    assert_eq!((tr.dropped_rate, tr.processing_failed_rate), (0.0, 0.3));
    assert_eq!(
        (tr.ok, tr.dropped, tr.processing_failed),
        (t.ok, t.dropped, t.failed)
    );
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut again = world(&replay);
    while again.tick < w.tick {
        again.step();
    }
    assert_eq!(again.digest(), w.digest());
}

#[test]
fn transform_rates_are_checked() {
    let w = world(&transformed(r#", "transform_dropped_rate": 0.5"#, ""));
    let e = refused(
        &w,
        r#"{"type": "set_transform_rates", "delivery_stream_name": "clicks", "processing_failed_rate": 0.6}"#,
    );
    assert!(
        e.contains("processing_failed_rate: 0.6 with dropped_rate 0.5 makes more than 1"),
        "{e}"
    );
    let e = refused(
        &w,
        r#"{"type": "set_transform_rates", "delivery_stream_name": "clicks", "error_rate": 1.5}"#,
    );
    assert!(e.contains("error_rate") && e.contains("1.5"), "{e}");
    let plain = world(&archive(10, 1000, ""));
    let e = refused(
        &plain,
        r#"{"type": "set_transform_rates", "delivery_stream_name": "archive", "dropped_rate": 0.1}"#,
    );
    assert!(e.contains("has no processing_configuration"), "{e}");
}

#[test]
fn regression_error_objects_respect_the_buffering_size() {
    // 500 records/s of 400 B, all ProcessingFailed: 200 KB/s of errors. With a 60 s interval
    // they used to wait for the interval alone (12 MB objects past a 5 MiB buffer); now the
    // first of size or interval, as for data objects.
    let text = transformed(r#", "transform_processing_failed_rate": 1.0"#, "");
    let mut w = world(&text);
    run_balanced(&mut w, 300_000);
    let f = &w.firehoses[0];
    let errors: Vec<_> = f
        .objects
        .iter()
        .filter(|o| o.trigger == "processing-failed")
        .collect();
    assert!(errors.len() >= 8, "{}", errors.len());
    let limit = 5 * 1024 * 1024;
    for o in &errors {
        // One transform batch (1 MB) may take it over the limit, never more.
        assert!(o.raw_bytes < limit + 1_100_000, "{o:?}");
        assert!(o.last_arrival_ms - o.first_arrival_ms < 40_000, "{o:?}");
    }
}

#[test]
fn regression_records_over_256_kib_do_not_hang_the_object_sample() {
    // A first record bigger than the whole sample could never be dropped from it: the stride
    // doubled until it wrapped to 0 and the step never returned (a frozen page).
    for (compression, size) in [
        ("UNCOMPRESSED", 300_000),
        ("GZIP", 300_000),
        ("GZIP", 1_000_000),
    ] {
        let hints = format!(
            r#", "compression_format": "{compression}", "buffering_size": 1, "buffering_interval": 0"#
        );
        let mut w = world(&archive(2, size, &hints));
        run_balanced(&mut w, 60_000);
        let f = &w.firehoses[0];
        assert!(
            f.objects_total >= 50,
            "{compression} {size}: {}",
            f.objects_total
        );
        assert_eq!(
            f.delivered_records,
            f.objects.iter().map(|o| o.records).sum::<u64>()
        );
        if compression == "GZIP" {
            // Still measured now and then (the credit refills 16 KiB/s; a huge sample costs
            // at most all of it), not sized forever from the first object.
            let o = f.objects.back().unwrap();
            assert!(o.bytes < o.raw_bytes / 2, "{o:?}");
            assert!(f.measured_objects >= 2, "{}", f.measured_objects);
        }
    }
}

#[test]
fn regression_a_transform_of_tiny_records_keeps_bounded_identities() {
    // Every record a transform held kept a 40-byte identity: 1 MB batches of 2-byte records,
    // each a long invocation, grew memory by megabytes every simulated second.
    let text = transformed("", "")
        .replace(
            r#""records_per_second": 500"#,
            r#""records_per_second": 50000"#,
        )
        .replace(r#""record_size_bytes": 400"#, r#""record_size_bytes": 2"#);
    let mut w = world(&text);
    run_balanced(&mut w, 60_000);
    let t = w.firehoses[0].transform.as_ref().unwrap();
    assert!(!t.in_flight.is_empty());
    for inv in &t.in_flight {
        assert!(inv.chunk.records > 100_000, "{}", inv.chunk.records);
        assert!(inv.chunk.ids.len() <= streamsim::sim::firehose::CHUNK_IDS_MAX);
    }
}

#[test]
fn regression_error_objects_wait_for_s3_like_data_objects() {
    // Error objects went straight into the bucket while S3 was down.
    let text = transformed(
        r#", "transform_processing_failed_rate": 0.5"#,
        r#", "error_output_prefix": "errors/""#,
    );
    let mut w = world(&text);
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "clicks", "available": false}"#,
    );
    run_balanced(&mut w, 200_000);
    {
        let f = &w.firehoses[0];
        assert!(f.objects.is_empty(), "{:?}", f.objects.front());
        assert_eq!(f.error_records, 0);
        assert!(f.retrying_records() > 20_000);
    }
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "clicks", "available": true}"#,
    );
    run_balanced(&mut w, 70_000);
    let f = &w.firehoses[0];
    let errors = f.objects.iter().filter(|o| o.key.starts_with("errors/"));
    assert!(errors.count() >= 2);
    assert!(f.error_records > 20_000);
    // The lake is the data prefix only.
    let lake = f.query(0, u64::MAX);
    assert_eq!(lake.records, f.delivered_records);
}

#[test]
fn regression_a_scheduled_command_that_no_longer_fits_is_skipped_with_a_note() {
    // Rates that add up past 1 with the scenario's own: the file loads (each command is
    // checked for form only), and the change used to be skipped without a word.
    let text = transformed(r#", "transform_dropped_rate": 0.5"#, "").replacen(
        r#""producers""#,
        r#""commands": [{"at_ms": 5000, "type": "set_transform_rates",
            "delivery_stream_name": "clicks", "processing_failed_rate": 0.6}],
          "producers""#,
        1,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 10_000);
    let t = w.firehoses[0].transform.as_ref().unwrap();
    assert_eq!((t.dropped_rate, t.processing_failed_rate), (0.5, 0.0));
    let note = w
        .notes()
        .iter()
        .find(|n| n.kind == "command")
        .expect("a note");
    assert_eq!(note.t_ms, 5_000);
    assert!(
        note.text.contains("skipped") && note.text.contains("makes more than 1"),
        "{}",
        note.text
    );
}

#[test]
fn base64_is_rfc_4648() {
    let enc = |s: &str| {
        let mut out = Vec::new();
        streamsim::sim::base::content::base64_into(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    };
    for (raw, b64) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
        ("{\"a\":1}\n", "eyJhIjoxfQo="),
    ] {
        assert_eq!(enc(raw), b64, "{raw:?}");
    }
}

/// Standard base64 decoding, written out again for the test.
fn unbase64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let mut out = Vec::new();
    for q in s.as_bytes().chunks(4) {
        let pad = q.iter().filter(|&&c| c == b'=').count();
        let n = q
            .iter()
            .map(|&c| if c == b'=' { 0 } else { u32::from(val(c)) })
            .fold(0u32, |n, v| n << 6 | v);
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    out
}

#[test]
fn error_objects_hold_each_failed_record_wrapped_as_aws_writes_it() {
    // AWS, "Handle failure in data transformation": one JSON line per failed record with
    // attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
    // rawData (the record, base64) and lambdaArn.
    let text = transformed(
        r#", "transform_processing_failed_rate": 1.0"#,
        r#", "error_output_prefix": "errors/""#,
    )
    .replace(
        r#""records_per_second": 500,"#,
        r#""records_per_second": 500, "record_template": "click","#,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 200_000);
    let f = &w.firehoses[0];
    let o = f
        .objects
        .iter()
        .find(|o| o.key.starts_with("errors/"))
        .expect("an error object");
    let lines = w.object_lines(o);
    assert_eq!(lines.len(), 5);
    let mut wrapped = 0;
    for line in &lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["attemptsMade"], 1);
        assert_eq!(v["errorCode"], "Lambda.ProcessingFailedStatus");
        assert_eq!(
            v["lambdaArn"],
            "arn:aws:lambda:eu-west-1:123456789012:function:clean:$LATEST"
        );
        let arrival = v["arrivalTimestamp"].as_u64().unwrap();
        let ending = v["attemptEndingTimestamp"].as_u64().unwrap();
        // Epoch milliseconds from 2025-01-01T00:00:00Z, the simulation's start.
        assert!(arrival >= 1_735_689_600_000 && ending > arrival, "{line}");
        let raw = unbase64(v["rawData"].as_str().unwrap());
        assert_eq!(raw.len(), 400);
        let record: serde_json::Value = serde_json::from_slice(&raw).unwrap();
        assert!(
            record["page"].is_string() || record["url"].is_string(),
            "{record}"
        );
        wrapped += line.len() + 1;
    }
    // The object's size: every record wrapped like these (to within base64's padding model).
    let per_record = wrapped as f64 / lines.len() as f64;
    let expected = per_record * o.records as f64;
    assert!(
        (o.bytes as f64 / expected - 1.0).abs() < 0.01,
        "{} vs {expected}",
        o.bytes
    );
    assert_eq!(o.raw_bytes, 400 * o.records);
}

#[test]
fn regression_a_batch_job_does_not_see_records_the_transform_failed() {
    // When a transform split its batch, every batch-job flag went with the Ok part: flags of
    // records sent to the error prefix still reached the lake and the batch job's alerts.
    let alerts = |failed_rate: f64| {
        let text = format!(
            r#"{{"seed": 5, "resource": {{
                "aws_kinesis_stream": {{"unused": {{"shard_count": 1}}}},
                "aws_kinesis_firehose_delivery_stream": {{"lake": {{"destination": "extended_s3",
                  "extended_s3_configuration": {{"bucket_arn": "arn:aws:s3:::lake", "buffering_interval": 60,
                    "processing_configuration": {{"enabled": true, "processors": [{{"type": "Lambda", "parameters": [
                      {{"parameter_name": "LambdaArn", "parameter_value": "clean"}}]}}]}}}}}}}}}},
              "lambda_functions": [{{"name": "clean", "duration_ms": 100,
                "transform_processing_failed_rate": {failed_rate}}}],
              "batch_jobs": [{{"name": "nightly", "delivery_stream_name": "lake", "every_seconds": 60,
                "application": {{"kind": "fraud_detector", "max_transactions": 5, "window_seconds": 10,
                                  "max_amount_cents": 200000}}}}],
              "producers": [{{"name": "shop", "delivery_stream_name": "lake", "api": "PutRecordBatch",
                "record_template": "card_transaction", "records_per_second": 1000, "record_size_bytes": 300,
                "partition_keys": {{"model": "uniform", "count": 300, "prefix": "card-"}}}}]}}"#
        );
        let mut w = world(&text);
        run_balanced(&mut w, 600_000);
        let b = w.firehoses[0].batch.as_ref().unwrap();
        b.alerts_total
    };
    let all = alerts(0.0);
    let half = alerts(0.5);
    assert!(all > 200, "{all}");
    let share = half as f64 / all as f64;
    assert!((0.35..0.65).contains(&share), "{half} of {all}");
}

#[test]
fn a_transform_invocation_past_5_minutes_times_out_and_is_retried() {
    // Firehose waits at most 5 minutes for its Lambda; a longer invocation fails (retried 3
    // times), then its records go to the error prefix.
    let text = transformed(r#", "duration_ms_per_record": 10"#, "")
        .replace(
            r#""records_per_second": 500"#,
            r#""records_per_second": 5000"#,
        )
        .replace(r#""record_size_bytes": 400"#, r#""record_size_bytes": 20"#);
    let mut w = world(&text);
    run_balanced(&mut w, 1_500_000);
    let f = &w.firehoses[0];
    let t = f.transform.as_ref().unwrap();
    // A 1 MB batch of 20-byte records is 50,000 records: 500 s of work, over the limit.
    assert_eq!(t.ok, 0);
    assert!(t.errors >= 4, "{}", t.errors);
    let o = f
        .objects
        .iter()
        .find(|o| o.key.starts_with("processing-failed/"))
        .expect("errors");
    let line: serde_json::Value = serde_json::from_str(&w.object_lines(o)[0]).unwrap();
    assert_eq!(line["attemptsMade"], 4);
    assert_eq!(line["errorCode"], "Lambda.FunctionError");
    // The first batch was full after 10 s; each attempt ended at the 5-minute limit: the
    // last of 4 ended 20 minutes later.
    let ending = line["attemptEndingTimestamp"].as_u64().unwrap() - 1_735_689_600_000;
    assert_eq!(ending, 10_000 + 4 * 300_000);
}

#[test]
fn regression_data_freshness_is_in_seconds_as_cloudwatch_gives_it() {
    // DeliveryToS3.DataFreshness is in seconds in CloudWatch; the report once gave milliseconds
    // under that name.
    let mut w = world(&archive(10, 1000, r#", "buffering_interval": 60"#));
    run_balanced(&mut w, 50_000);
    let last = *w.firehoses[0].metrics.back().unwrap();
    assert!(
        (49_000..=50_000).contains(&last.data_freshness_ms),
        "{last:?}"
    );
    let json = serde_json::to_value(last).unwrap();
    assert_eq!(
        json["DeliveryToS3.DataFreshness"].as_u64(),
        Some(last.data_freshness_ms / 1000)
    );
}

#[test]
fn delivery_to_s3_success_is_the_share_of_puts_that_succeeded() {
    // CloudWatch's DeliveryToS3.Success: successful puts over puts tried — 1 while S3 is up, 0
    // in a second whose only put failed, and no data point in a second with no put.
    let mut w = world(&archive(10, 1000, r#", "buffering_interval": 60"#));
    run_balanced(&mut w, 61_000);
    let ratios = |w: &World| -> Vec<Option<f64>> {
        w.firehoses[0].metrics.iter().map(|s| s.success()).collect()
    };
    let r = ratios(&w);
    assert_eq!(r.iter().flatten().collect::<Vec<_>>(), [&1.0]);
    send(
        &mut w,
        r#"{"type": "set_s3_available", "delivery_stream_name": "archive", "available": false}"#,
    );
    run_balanced(&mut w, 120_000);
    let failed: Vec<f64> = ratios(&w).into_iter().skip(61).flatten().collect();
    assert!(
        !failed.is_empty() && failed.iter().all(|&x| x == 0.0),
        "{failed:?}"
    );
}

#[test]
fn regression_the_lake_offers_only_the_fields_its_records_have() {
    // The lake query summed and averaged `amount` over game actions, which have no amount.
    let mut w = world(streamsim::sim::preset("gaming").unwrap());
    run_balanced(&mut w, 60_000);
    let f = &w.firehoses[0];
    assert!(f.objects_total > 0);
    let fields: Vec<&str> = f.lake_fields().iter().map(|f| f.name()).collect();
    assert_eq!(fields, ["score"]);
    let all = f.query(0, u64::MAX);
    assert_eq!(all.fields.len(), 1);
    assert_eq!(all.fields[0].field, "score");
    // Game scores are 0–99 (and one in a million 100,000): a mean near 50.
    assert!((40..=60).contains(&all.fields[0].mean), "{all:?}");
}

#[test]
fn regression_a_direct_put_producer_uses_put_record_batch_to_its_delivery_stream() {
    // A Direct PUT producer read "PutRecords … stream " with an empty name: its API is
    // PutRecordBatch and its target a delivery stream.
    let w = world(streamsim::sim::preset("firehose-transform").unwrap());
    let r = streamsim::sim::report::Report::of(&w);
    let p = serde_json::to_value(&r.producers[0]).unwrap();
    assert_eq!(p["api"], "PutRecordBatch");
    assert_eq!(p["stream_name"], serde_json::Value::Null);
    assert_eq!(p["delivery_stream_name"], "clickstream-archive");
}
