//! No input panics the core, and the ledger balances at every tick of many random scenarios.

use proptest::prelude::*;
use streamsim::sim::{parse_scenario, World};

fn producer() -> impl Strategy<Value = String> {
    (
        1u32..5_000,
        prop_oneof![Just("PutRecord"), Just("PutRecords")],
        prop_oneof![
            (1u32..2000).prop_map(|c| format!(r#"{{"model": "uniform", "count": {c}}}"#)),
            (1u32..500, 0.0f64..1.0).prop_map(|(c, s)| format!(
                r#"{{"model": "hot_key", "count": {c}, "hot_key_share": {s}}}"#
            )),
            (1u32..5000, 0.0f64..2.0)
                .prop_map(|(c, e)| format!(r#"{{"model": "zipf", "count": {c}, "exponent": {e}}}"#)),
            Just(r#"{"model": "random"}"#.to_string()),
            Just(r#"{"model": "list", "keys": ["a", "b", "ü"]}"#.to_string()),
        ],
        (1u32..4000, 0u32..4000),
        prop_oneof![
            Just(r#"{"shape": "steady"}"#),
            Just(r#"{"shape": "bursts", "period_seconds": 4, "burst_seconds": 1, "multiplier": 4}"#),
            Just(r#"{"shape": "daily_sine", "period_seconds": 10, "amplitude": 0.9}"#),
            Just(r#"{"shape": "spike", "at_second": 2, "duration_seconds": 2, "multiplier": 8}"#),
        ],
        (1u32..5, 0u64..3000),
    )
        .prop_map(|(rps, api, keys, (a, b), traffic, (attempts, base))| {
            format!(
                r#"{{"name": "NAME", "records_per_second": {rps}, "api": "{api}",
                    "partition_keys": {keys}, "record_size_bytes": {{"min": {}, "max": {}}},
                    "traffic": {traffic}, "retry": {{"max_attempts": {attempts}, "base_delay_ms": {base}}}}}"#,
                a.min(b).max(1),
                a.max(b).max(1)
            )
        })
}

fn scenario() -> impl Strategy<Value = String> {
    (
        any::<u64>(),
        prop_oneof![Just(50u64), Just(100), Just(250), Just(1000)],
        1u32..6,
        proptest::collection::vec(producer(), 1..4),
        0usize..4,
        prop_oneof![Just("TRIM_HORIZON"), Just("LATEST")],
        200u64..3000,
    )
        .prop_map(|(seed, tick, shards, producers, consumers, pos, poll)| {
            let producers: Vec<String> = producers
                .iter()
                .enumerate()
                .map(|(i, p)| p.replace("NAME", &format!("p{i}")))
                .collect();
            let consumers: Vec<String> = (0..consumers)
                .map(|i| {
                    format!(
                        r#"{{"name": "c{i}", "starting_position": "{pos}", "poll_interval_ms": {poll}}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"seed": {seed}, "tick_ms": {tick},
                    "resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": {shards}}}}}}},
                    "producers": [{}], "consumers": [{}]}}"#,
                producers.join(","),
                consumers.join(",")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn the_ledger_balances_at_every_tick(text in scenario()) {
        let s = parse_scenario(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut w = World::new(s);
        while w.now_ms < 8_000 {
            w.step();
            let l = w.ledger();
            prop_assert!(l.balanced(), "tick {}: {:?}\n{}", w.tick, l, text);
        }
        // Run twice: the same digest.
        let mut again = World::new(parse_scenario(&text).unwrap());
        again.run_for(8_000);
        prop_assert_eq!(w.digest(), again.digest());
    }

    #[test]
    fn arbitrary_text_never_panics_the_validator(text in "\\PC{0,200}") {
        let _ = parse_scenario(&text);
    }

    #[test]
    fn arbitrary_json_values_never_panic_the_validator(
        shard_count in prop_oneof![Just("1".to_string()), any::<i64>().prop_map(|n| n.to_string()), Just("1.5".into()), Just("\"x\"".into()), Just("null".into()), Just("[]".into())],
        rps in prop_oneof![any::<i64>().prop_map(|n| n.to_string()), Just("1e300".into()), Just("{}".into())],
        size in prop_oneof![any::<i64>().prop_map(|n| n.to_string()), Just(r#"{"min": 5, "max": 1}"#.into()), Just(r#"{"min": -1}"#.into())],
    ) {
        let text = format!(
            r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": {shard_count}}}}}}},
                "producers": [{{"name": "p", "records_per_second": {rps}, "record_size_bytes": {size}}}]}}"#
        );
        if let Ok(s) = parse_scenario(&text) {
            let mut w = World::new(s);
            w.run_for(1_000);
            prop_assert!(w.ledger().balanced());
        }
    }
}

/// Commands a student might send at any moment, some of them refused.
fn command() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..5_000).prop_map(|r| format!(r#"{{"type": "set_rate", "producer": "p0", "records_per_second": {r}}}"#)),
        Just(r#"{"type": "pause_producer", "producer": "p0"}"#.to_string()),
        Just(r#"{"type": "resume_producer", "producer": "p0"}"#.to_string()),
        (0u32..6).prop_map(|s| format!(r#"{{"type": "split_shard", "shard_to_split": "shardId-{s:012}"}}"#)),
        (0u32..6).prop_map(|s| format!(
            r#"{{"type": "merge_shards", "shard_to_merge": "shardId-{s:012}", "adjacent_shard_to_merge": "shardId-{:012}"}}"#,
            s + 1
        )),
        (1u32..8).prop_map(|n| format!(r#"{{"type": "update_shard_count", "target_shard_count": {n}}}"#)),
        (1u32..3).prop_map(|n| format!(r#"{{"type": "crash_worker", "consumer": "kcl", "worker": {n}}}"#)),
        (1u32..3).prop_map(|n| format!(r#"{{"type": "restart_worker", "consumer": "kcl", "worker": {n}}}"#)),
        Just(r#"{"type": "put_poison_record", "producer": "p0"}"#.to_string()),
        (0.0f64..1.0).prop_map(|e| format!(r#"{{"type": "set_function_error_rate", "function_name": "f", "error_rate": {e}}}"#)),
        (1u32..2000).prop_map(|r| format!(r#"{{"type": "set_processing_rate", "consumer": "slow", "records_per_second": {r}}}"#)),
    ]
}

const EVERY_CONSUMER: &str = r#"{"resource": {
      "aws_kinesis_stream": {"s": {"shard_count": 2}},
      "aws_lambda_event_source_mapping": {"t": {"event_source_arn": "s", "function_name": "f",
          "starting_position": "TRIM_HORIZON", "bisect_batch_on_function_error": true, "maximum_retry_attempts": 3}}},
    "lambda_functions": [{"name": "f", "duration_ms": 40, "application": {"kind": "cheat_detector"}}],
    "producers": [{"name": "p0", "records_per_second": 1500, "partition_keys": {"model": "uniform", "count": 30}}],
    "consumers": [
      {"name": "poll", "application": {"kind": "fraud_detector"}},
      {"name": "fan", "type": "enhanced_fan_out"},
      {"name": "kcl", "type": "kcl", "workers": 2, "failover_time_ms": 2000, "checkpoint_every_records": 300},
      {"name": "slow", "processing_records_per_second": 400, "shard_order": "naive"}]}"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any commands at any times: the ledger balances at every tick, nothing panics, and the
    /// run's replay file gives the same run.
    #[test]
    fn any_commands_keep_the_ledger_balanced_and_replay_exactly(
        seed in any::<u64>(),
        plan in proptest::collection::vec((0u64..120, command()), 0..12),
    ) {
        let mut w = streamsim::sim::world_from_text(EVERY_CONSUMER, Some(seed)).unwrap();
        let mut plan = plan;
        plan.sort_by_key(|(t, _)| *t);
        let mut next = 0;
        while w.now_ms < 40_000 {
            while next < plan.len() && plan[next].0 * 300 <= w.now_ms {
                if let Ok(c) = streamsim::sim::parse_command(&plan[next].1, &w) {
                    w.command(c);
                }
                next += 1;
            }
            w.step();
            let l = w.ledger();
            prop_assert!(l.balanced(), "tick {}: {:?}", w.tick, l);
            // Consumers account for what they read, too.
            for c in &w.consumers {
                if let Some(t) = &c.lambda {
                    prop_assert!(t.balanced(), "tick {}: {:?} holding {}", w.tick, t.counters, t.holding());
                }
                for (lane, sh) in c.lanes.iter().zip(&w.streams[c.stream].shards) {
                    prop_assert!(lane.position <= sh.log_end && lane.delivered_end <= sh.log_end);
                }
            }
        }
        let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
        let mut again = streamsim::sim::world_from_text(&replay, None).unwrap();
        while again.tick < w.tick {
            again.step();
        }
        prop_assert_eq!(again.digest(), w.digest());
    }
}
