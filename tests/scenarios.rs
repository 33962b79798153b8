//! Scenario tests of the core: golden runs with exact counts, the ledger at every tick,
//! determinism, the AWS figures.

use streamsim::sim::base::limits;
use streamsim::sim::base::limits::*;
use streamsim::sim::report::Report;
use streamsim::sim::{parse_command, preset, preset_names, world_from_text, World};

include!("golden.in");

mod common;
use common::*;

fn one_stream(shards: u32, extra_stream: &str, producers: &str, consumers: &str) -> String {
    format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"name": "s", "shard_count": {shards} {extra_stream}}}}}}},
            "producers": [{producers}], "consumers": [{consumers}]}}"#
    )
}

#[test]
fn one_shard_at_2000_per_second_takes_1000_and_retries_then_drops_the_rest() {
    let mut w = world(preset("one-shard-overload").unwrap());
    run_balanced(&mut w, 60_000);
    let p = &w.producers[0];
    let sh = &w.streams[0].shards[0];
    // Exactly the write limit, every second.
    assert_eq!(sh.incoming_records_total, 60_000);
    for sec in &w.metrics[0] {
        assert_eq!(sec.incoming_records, 1_000, "second {}", sec.second);
    }
    assert_eq!(p.produced, 120_000);
    assert!(p.totals.throttled > 60_000);
    assert!(
        p.accepted_on_retry > 0,
        "some throttled records get in on a retry"
    );
    assert!(p.totals.dropped > 40_000, "{}", p.totals.dropped);
    assert_eq!(p.totals.dropped, p.dropped_retries_exhausted);
    let l = w.ledger();
    assert_eq!(
        l.read + l.in_shard_unread,
        60_000,
        "accepted records are read or waiting"
    );
    assert_eq!(
        l.retrying + l.dropped + l.read + l.in_shard_unread,
        l.produced
    );
    // Every drop happened after exactly 3 attempts: attempts = accepted + throttled, and each
    // dropped record made 3 of them.
    assert_eq!(p.totals.attempted, p.totals.accepted + p.totals.throttled);
}

#[test]
fn the_byte_limit_holds_2_kib_records_near_510_per_second() {
    let mut w = world(preset("big-records").unwrap());
    run_balanced(&mut w, 20_000);
    // 1,048,576 / (2,048 + a 5- or 6-byte key) = 510 records a second.
    for sec in &w.metrics[0] {
        assert_eq!(sec.incoming_records, 510, "second {}", sec.second);
        assert!(sec.incoming_bytes <= WRITE_BYTES_PER_SECOND);
    }
}

#[test]
fn golden_runs_of_the_presets() {
    for (name, seconds, digest) in GOLDEN {
        let mut w = world(preset(name).unwrap());
        w.run_for(seconds * 1000);
        assert_eq!(w.digest_hex(), *digest, "preset {name} after {seconds} s");
    }
}

#[test]
fn golden_runs_of_every_compression_format() {
    for (format, digest) in GOLDEN_FORMATS {
        let mut w = world(&FORMATS_SCENARIO.replace("FORMAT", format));
        w.run_for(120_000);
        let f = &w.firehoses[0];
        assert!(f.objects_total >= 10 && f.error_records > 0, "{format}");
        assert_eq!(w.digest_hex(), *digest, "{format} after 120 s");
    }
}

#[test]
fn golden_counts_of_the_clickstream_minute() {
    let mut w = world(preset("clickstream").unwrap());
    w.run_for(60_000);
    let l = w.ledger();
    // web: 600/s with 5 s of every 30 doubled = 600·60 + 600·10 = 42,000; mobile 300/s.
    assert_eq!(w.producers[0].produced, 42_000);
    assert_eq!(w.producers[1].produced, 18_000);
    assert_eq!(l.produced, 60_000);
    assert_eq!(l.dropped, 0);
    assert_eq!(l.retrying, 0);
    assert!(l.read > 58_000, "the dashboard keeps up: {l:?}");
    assert!(l.balanced());
}

#[test]
fn the_same_seed_gives_the_same_run_byte_for_byte() {
    for name in preset_names() {
        let seconds = if name == "gaming" { 5 } else { 30 };
        let run = || {
            let mut w = world(preset(name).unwrap());
            w.run_for(seconds * 1000);
            serde_json::to_string(&Report::of(&w)).unwrap()
        };
        assert_eq!(run(), run(), "preset {name}");
    }
}

#[test]
fn another_seed_gives_another_run() {
    let text = preset("clickstream").unwrap();
    let mut a = world_from_text(text, Some(1)).unwrap();
    let mut b = world_from_text(text, Some(2)).unwrap();
    a.run_for(5_000);
    b.run_for(5_000);
    assert_ne!(a.digest(), b.digest());
}

#[test]
fn commands_apply_at_the_next_tick_boundary_and_replay_identically() {
    let text = preset("clickstream").unwrap();
    let run = || {
        let mut w = world(text);
        w.run_for(3_000);
        let c = parse_command(
            r#"{"type": "set_rate", "producer": "web", "records_per_second": 5000}"#,
            &w,
        )
        .unwrap();
        w.command(c);
        assert_eq!(
            w.producers[0].cfg.records_per_second, 600,
            "not before the tick"
        );
        w.step();
        assert_eq!(w.producers[0].cfg.records_per_second, 5000);
        let c = parse_command(
            r#"{"type": "set_hot_key_share", "producer": "mobile", "hot_key_share": 0.9}"#,
            &w,
        )
        .unwrap();
        w.command(c);
        run_balanced(&mut w, 10_000);
        w.digest()
    };
    assert_eq!(run(), run());
}

#[test]
fn raising_a_producer_over_the_shard_limits_throttles() {
    let mut w = world(preset("clickstream").unwrap());
    w.run_for(2_000);
    let before: u64 = w.streams[0]
        .shards
        .iter()
        .map(|s| s.write_throttled_total)
        .sum();
    assert_eq!(before, 0);
    let c = parse_command(
        r#"{"type": "set_rate", "producer": "web", "records_per_second": 8000}"#,
        &w,
    )
    .unwrap();
    w.command(c);
    run_balanced(&mut w, 5_000);
    let after: u64 = w.streams[0]
        .shards
        .iter()
        .map(|s| s.write_throttled_total)
        .sum();
    assert!(after > 1_000, "{after}");
}

#[test]
fn bad_commands_name_the_field() {
    let w = world(preset("clickstream").unwrap());
    let e = parse_command(
        r#"{"type": "set_rate", "producer": "web", "records_per_second": 0}"#,
        &w,
    )
    .unwrap_err();
    assert_eq!(
        e.lines(),
        ["command.records_per_second: 0 is out of range 1..=1000000"]
    );
    let e = parse_command(
        r#"{"type": "set_rate", "producer": "nobody", "records_per_second": 5}"#,
        &w,
    )
    .unwrap_err();
    assert!(
        e.0[0].to_string().contains("\"nobody\" is not a producer"),
        "{e}"
    );
    let e = parse_command(
        r#"{"type": "set_hot_key_share", "producer": "web", "hot_key_share": 0.5}"#,
        &w,
    )
    .unwrap_err();
    assert!(e.0[0].to_string().contains("has no hot key"), "{e}");
}

#[test]
fn scheduled_commands_in_the_scenario_file_run_at_their_time() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 100}],
        "commands": [{"at_ms": 2000, "type": "pause_producer", "producer": "p"},
                     {"at_ms": 4000, "type": "resume_producer", "producer": "p"}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 6_000);
    // 2 s, paused 2 s, 2 s more.
    assert_eq!(w.producers[0].produced, 400);
    assert_eq!(w.command_log.len(), 2);
}

#[test]
fn records_expire_after_the_retention_period() {
    // No consumer: every record expires unread, exactly 24 h after it arrived (within a tick).
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 1, "retention_period": 24}}},
        "producers": [{"name": "p", "records_per_second": 2}]}"#;
    let mut w = world(text);
    w.run_for(24 * 3_600_000);
    assert_eq!(w.ledger().expired_unread, 0);
    w.run_for(10_000);
    let l = w.ledger();
    assert!(l.balanced());
    // Second k's records arrive at k s and k s + 500 ms and are trimmed at the first tick at or
    // after k s + 500 ms + 24 h: the ticks at 24 h + 1 s … 24 h + 9 s trim seconds 0 … 8.
    assert_eq!(l.expired_unread, 18, "{l:?}");
    assert_eq!(l.in_shard_unread, l.produced - 18);

    // With a consumer that keeps up, records still expire but were read first.
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 2}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    w.run_for(24 * 3_600_000 + 10_000);
    let l = w.ledger();
    assert_eq!(l.expired_unread, 0);
    assert_eq!(w.streams[0].shards[0].expired_total, 18);
    assert!(l.balanced());
}

#[test]
fn latest_skips_what_was_there_and_trim_horizon_reads_it() {
    let text = one_stream(
        2,
        "",
        r#"{"name": "p", "records_per_second": 100}"#,
        r#"{"name": "old", "starting_position": "TRIM_HORIZON"}, {"name": "new", "starting_position": "LATEST"}"#,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 10_000);
    assert!(w.consumers[0].records_read() >= 900);
    assert!(w.consumers[1].records_read() >= 900);
    assert_eq!(
        w.consumers[0].cfg.starting_position.as_str(),
        "TRIM_HORIZON"
    );
}

#[test]
fn a_consumer_that_polls_every_second_is_at_most_a_second_behind() {
    let mut w = world(preset("clickstream").unwrap());
    w.run_for(30_000);
    for c in &w.consumers {
        for l in &c.lanes {
            assert!(l.iterator_age_ms <= 1_000, "{}", l.iterator_age_ms);
        }
    }
    for sec in w.metrics[0].iter().skip(2) {
        assert!(sec.iterator_age_ms <= 1_000);
        assert_eq!(sec.read_throttled, 0);
    }
}

#[test]
fn six_consumers_overdraw_the_shared_read_limit() {
    // 1 MiB/s written, read by 6 consumers = 6 MiB/s asked of a 2 MiB/s limit.
    let consumers = (0..6)
        .map(|i| format!(r#"{{"name": "c{i}"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let text = one_stream(
        1,
        "",
        r#"{"name": "p", "records_per_second": 1000, "record_size_bytes": 1000}"#,
        &consumers,
    );
    let mut w = world(&text);
    run_balanced(&mut w, 30_000);
    let throttled: u64 = w.streams[0].shards[0].read_throttled_total;
    assert!(throttled > 10, "{throttled}");
    let bytes_read: u64 = w
        .consumers
        .iter()
        .map(|c| c.lanes[0].bytes_read)
        .sum::<u64>();
    // Never more than 2 MiB/s on average (plus one call's worth).
    assert!(bytes_read <= 30 * READ_BYTES_PER_SECOND + GET_RECORDS_BYTES_MAX);
}

#[test]
fn put_records_retries_only_the_failed_entries_together() {
    // Regression guard: the failed entries of one PutRecords request wait one backoff and go
    // out again as one request.
    let text = one_stream(
        1,
        "",
        r#"{"name": "p", "records_per_second": 3000, "record_size_bytes": 10, "api": "PutRecords",
            "partition_keys": {"model": "uniform", "count": 10}}"#,
        "",
    );
    let mut w = world(&text);
    run_balanced(&mut w, 10_000);
    let p = &w.producers[0];
    assert!(p.totals.throttled > 0);
    assert_eq!(w.streams[0].shards[0].incoming_records_total, 10_000);
    assert_eq!(p.totals.attempted, p.totals.accepted + p.totals.throttled);
}

#[test]
fn a_record_over_1_mib_with_its_key_is_dropped_not_retried() {
    let text = one_stream(
        1,
        "",
        r#"{"name": "p", "records_per_second": 1, "record_size_bytes": 1048576,
            "partition_keys": {"model": "list", "keys": ["k"]}}"#,
        "",
    );
    let mut w = world(&text);
    run_balanced(&mut w, 3_000);
    let p = &w.producers[0];
    assert_eq!(p.dropped_too_large, 3);
    assert_eq!(p.totals.throttled, 0);
}

#[test]
fn explicit_hash_key_overrides_md5() {
    let text = one_stream(
        4,
        "",
        r#"{"name": "p", "records_per_second": 100,
            "explicit_hash_key": "340282366920938463463374607431768211455"}"#,
        "",
    );
    let mut w = world(&text);
    w.run_for(2_000);
    let shards = &w.streams[0].shards;
    assert_eq!(shards[3].incoming_records_total, 200);
    assert_eq!(
        shards[..3]
            .iter()
            .map(|s| s.incoming_records_total)
            .sum::<u64>(),
        0
    );
    let d = w.record_detail(3, 0).unwrap();
    assert_eq!(
        d.hash_key,
        "340282366920938463463374607431768211455".to_string()
    );
}

#[test]
fn a_clicked_record_shows_its_key_hash_shard_and_sequence_number() {
    let mut w = world(preset("hot-key").unwrap());
    w.run_for(2_000);
    let mut seen_hot = false;
    for lane in 0..w.lane_count() as u32 {
        let (_, shard) = w.lane(lane).unwrap();
        let sh = &w.streams[0].shards[shard];
        if sh.log_end == 0 {
            continue;
        }
        let d = w.record_detail(lane, sh.log_end - 1).unwrap();
        let h: u128 = d.hash_key.parse().unwrap();
        assert_eq!(h, streamsim::sim::base::hash::hash_key(&d.partition_key));
        assert!(h >= sh.starting_hash_key && h <= sh.ending_hash_key);
        assert_eq!(d.shard_id, sh.shard_id());
        assert_eq!(d.sequence_number.len(), 56);
        seen_hot |= d.partition_key == "sensor-hot";
    }
    assert!(seen_hot);
}

#[test]
fn the_hot_key_preset_overloads_exactly_one_shard() {
    let mut w = world(preset("hot-key").unwrap());
    run_balanced(&mut w, 20_000);
    let throttling: Vec<u64> = w.streams[0]
        .shards
        .iter()
        .map(|s| s.write_throttled_total)
        .collect();
    assert_eq!(
        throttling.iter().filter(|&&t| t > 0).count(),
        1,
        "{throttling:?}"
    );
}

#[test]
fn the_aws_figures() {
    assert_eq!(WRITE_RECORDS_PER_SECOND, 1_000);
    assert_eq!(WRITE_BYTES_PER_SECOND, 1_048_576);
    assert_eq!(RECORD_BYTES_MAX, 1_048_576);
    assert_eq!(READ_BYTES_PER_SECOND, 2 * 1_048_576);
    assert_eq!(READ_CALLS_PER_SECOND, 5);
    assert_eq!(GET_RECORDS_RECORDS_MAX, 10_000);
    assert_eq!(GET_RECORDS_BYTES_MAX, 10 * 1_048_576);
    assert_eq!(limits::PUT_RECORDS_ENTRIES.max, 500);
    assert_eq!(limits::PUT_RECORDS_BYTES_MAX, 5 * 1_048_576);
    assert_eq!(limits::PARTITION_KEY_CHARS_MAX, 256);
    assert_eq!(
        (limits::RETENTION_PERIOD.min, limits::RETENTION_PERIOD.max),
        (24, 8_760)
    );
    assert_eq!(limits::RETENTION_PERIOD.default, Some(24));
    assert_eq!(limits::RETENTION_PERIOD.ms(24), 86_400_000);
    let d = streamsim::sim::producer::RetryPolicy::default();
    assert_eq!(
        (d.max_attempts, d.base_delay_ms, d.max_backoff_ms),
        (3, 1_000, 20_000)
    );
}

#[test]
fn on_demand_streams_start_with_4_mb_per_second_of_shards() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"stream_mode_details": {"stream_mode": "ON_DEMAND"}}}}}"#;
    let w = world(text);
    assert_eq!(w.streams[0].shards.len(), 4);
}

#[test]
fn every_preset_is_valid_and_balanced() {
    for name in preset_names() {
        let mut w = world(preset(name).unwrap());
        let ms = if name == "gaming" { 3_000 } else { 20_000 };
        run_balanced(&mut w, ms);
        // One shard a key and reading in order: nothing out of order, nothing twice.
        for c in &w.consumers {
            assert_eq!(c.order.violations, 0, "{name}");
            assert_eq!(c.order.duplicates, 0, "{name}");
            assert_eq!(c.order.unchecked, 0, "{name}");
            if !c.checks_order() {
                // A Firehose reader's order is AWS's business, not checked (nor paid for).
                assert_eq!(c.order.checked, 0, "{name}");
            } else if c.lambda.is_none() {
                assert_eq!(c.order.checked, c.records_read(), "{name}");
            } else {
                // A trigger checks what its function finished; some is still queued or retried.
                assert!(c.order.checked <= c.records_read(), "{name}");
            }
        }
    }
}

#[test]
fn a_run_with_commands_replays_exactly_from_its_replay_scenario() {
    let mut w = world(preset("clickstream").unwrap());
    let send = |w: &mut World, json: &str| {
        let c = parse_command(json, w).unwrap();
        w.command(c);
    };
    w.run_for(2_000);
    send(
        &mut w,
        r#"{"type": "set_rate", "producer": "web", "records_per_second": 4000}"#,
    );
    w.step();
    w.step();
    send(
        &mut w,
        r#"{"type": "set_hot_key_share", "producer": "mobile", "hot_key_share": 0.75}"#,
    );
    send(&mut w, r#"{"type": "pause_producer", "producer": "web"}"#);
    w.run_for(1_300);
    send(
        &mut w,
        r#"{"type": "add_producer", "producer": {"name": "iot", "records_per_second": 250,
            "partition_keys": {"model": "zipf", "count": 50}}}"#,
    );
    w.run_for(3_000);
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut again = world(&replay);
    while again.tick < w.tick {
        again.step();
    }
    assert_eq!(again.command_log.len(), 4);
    assert_eq!(again.digest(), w.digest());
    assert_eq!(again.producers.len(), 3);
}

#[test]
fn a_shard_keeps_one_run_per_second_so_memory_is_bounded() {
    let mut w = world(preset("gaming").unwrap());
    w.run_for(30_000);
    for sh in &w.streams[0].shards {
        // 30 closed seconds, at most one run each; nothing of the next second yet.
        assert!(sh.run_count() <= 30, "{}", sh.run_count());
        assert!(sh.run_count() >= 29);
    }
}

#[test]
fn a_note_says_when_a_shard_starts_throttling_and_names_the_hot_key() {
    let mut w = world(preset("hot-key").unwrap());
    w.run_for(5_000);
    let first = &w.notes()[0];
    assert_eq!(first.t_ms, 1_000);
    assert!(
        first.text.starts_with("shardId-000000000001 is throttling: 1450 records/s against a limit of 1,000 — the key \"sensor-hot\" is hot"),
        "{}",
        first.text
    );
    // Only when it starts: one note, however long it goes on.
    assert_eq!(w.notes().len(), 1);
    let mut w = world(preset("big-records").unwrap());
    w.run_for(2_000);
    assert!(
        w.notes()[0].text.contains("fill its 1 MiB/s limit"),
        "{}",
        w.notes()[0].text
    );
}

#[test]
fn a_replay_taken_early_keeps_the_scenarios_later_commands() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 100}],
        "commands": [{"at_ms": 2000, "type": "pause_producer", "producer": "p"},
                     {"at_ms": 9000, "type": "resume_producer", "producer": "p"}]}"#;
    let mut w = world(text);
    w.run_for(3_000);
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut a = world(&replay);
    a.run_for(12_000);
    w.run_for(9_000);
    assert_eq!(a.digest(), w.digest());
    assert_eq!(a.command_log.len(), 2);
}

#[test]
fn regression_a_hash_key_with_leading_zeros_is_refused() {
    // AWS's pattern for ExplicitHashKey and NewStartingHashKey is 0|([1-9]\d{0,38}): "0012"
    // used to be accepted.
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
        "producers": [{"name": "p", "records_per_second": 10, "explicit_hash_key": "0012"}]}"#;
    let e = world_from_text(text, None).unwrap_err();
    assert_eq!(e.0[0].path, "producers[0].explicit_hash_key");
    assert!(e.0[0].message.contains("without leading zeros"), "{e}");
    let w = world(&text.replace("0012", "12"));
    let e = parse_command(
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000", "new_starting_hash_key": "05"}"#,
        &w,
    )
    .unwrap_err();
    assert_eq!(e.0[0].path, "command.new_starting_hash_key");
}

#[test]
fn regression_firehose_s3_had_no_golden_run_nor_readme_row_every_preset_has_both() {
    let readme = include_str!("../README.md");
    for name in streamsim::sim::preset_names() {
        assert!(
            GOLDEN.iter().any(|(n, _, _)| *n == name),
            "preset {name} has no golden run in tests/golden.in"
        );
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "preset {name} has no row in the README's presets table"
        );
    }
}
