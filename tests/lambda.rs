//! Lambda event source mappings: batches, errors, poison records, bisection, retries.

mod common;
use common::*;

use streamsim::sim::{world_from_text, World};

/// Runs `ms`, checking the ledger and that every trigger accounts for what it read.
fn run_balanced(w: &mut World, ms: u64) {
    run_checked(w, ms, |w| {
        for c in &w.consumers {
            let t = c.lambda.as_ref().unwrap();
            assert!(t.balanced(), "tick {}: {:?}", w.tick, t.counters);
        }
    });
}

fn scenario(mapping_extra: &str, function_extra: &str) -> String {
    // A duration given in `function_extra` replaces the default one (a key may appear once).
    let duration = if function_extra.contains("\"duration_ms\"") {
        ""
    } else {
        r#", "duration_ms": 50"#
    };
    format!(
        r#"{{"tick_ms": 100,
        "resource": {{
          "aws_kinesis_stream": {{"s": {{"shard_count": 2}}}},
          "aws_lambda_event_source_mapping": {{
            "trigger": {{"event_source_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
                         "function_name": "detect", "starting_position": "TRIM_HORIZON" {mapping_extra}}}
          }}
        }},
        "lambda_functions": [{{"name": "detect", "duration_ms_per_record": 1 {duration} {function_extra}}}],
        "producers": [{{"name": "p", "records_per_second": 200,
                        "partition_keys": {{"model": "list", "keys": ["a","b","c","d","e","f","g","h","bad"]}}}}]}}"#
    )
}

fn lambda(w: &World) -> &streamsim::sim::lambda::LambdaState {
    w.consumers[0].lambda.as_ref().unwrap()
}

#[test]
fn a_healthy_trigger_processes_everything_in_batches_of_at_most_batch_size() {
    let mut w = world(&scenario(r#", "batch_size": 50"#, ""));
    run_balanced(&mut w, 30_000);
    let l = lambda(&w);
    assert_eq!(l.counters.errors, 0);
    assert!(l.counters.processed > 5_500, "{:?}", l.counters);
    // 200 records/s over two shards, read once a second: about two batches of ≤ 50 a read.
    assert!(l.counters.invocations >= l.counters.processed / 50);
    assert_eq!(w.consumers[0].order.violations, 0);
    // Concurrency = shards × parallelization factor.
    assert_eq!(l.counters.concurrent_max, 2);
}

fn poison_after(w: &mut World, ms: u64) -> usize {
    run_balanced(w, ms);
    let c = streamsim::sim::parse_command(r#"{"type": "put_poison_record", "producer": "p"}"#, w)
        .unwrap();
    w.command(c);
    run_balanced(w, 200);
    // The lane whose shard took the poison record.
    let (p, n) = w
        .producers
        .iter()
        .find_map(|p| p.poison.iter().next().map(|&n| (p.index, n)))
        .unwrap();
    (0..w.streams[0].shards.len())
        .find(|&s| {
            let sh = &w.streams[0].shards[s];
            (sh.log_start..sh.log_end).any(|i| {
                sh.id_of(i)
                    .is_some_and(|id| id.producer == p && id.rec_no == n)
            })
        })
        .expect("the poison record is in a shard")
}

#[test]
fn a_poison_record_blocks_its_shard_with_default_settings() {
    let mut w = world(&scenario("", ""));
    let bad = poison_after(&mut w, 5_000);
    run_balanced(&mut w, 60_000);
    let l = lambda(&w);
    assert!(l.counters.retries > 100, "{:?}", l.counters);
    assert_eq!(l.counters.discarded, 0);
    // Its shard is stuck a minute behind; the other one keeps up.
    let lanes = &w.consumers[0].lanes;
    assert!(
        lanes[bad].iterator_age_ms > 55_000,
        "{}",
        lanes[bad].iterator_age_ms
    );
    assert!(lanes[1 - bad].iterator_age_ms < 3_000);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.kind == "lambda" && n.text.contains("is stuck retrying one batch")));
    let layout = streamsim::sim::frame::layout::layout(&w);
    assert_eq!(layout.functions[0].name, "detect");
    assert_eq!(layout.consumers[0].kind, "lambda");
}

#[test]
fn bisect_and_a_retry_limit_isolate_the_poison_record_and_move_on() {
    let mut w = world(&scenario(
        r#", "bisect_batch_on_function_error": true, "maximum_retry_attempts": 2,
            "destination_config": {"on_failure": {"destination_arn": "arn:aws:sqs:eu-west-1:123456789012:dlq"}}"#,
        "",
    ));
    poison_after(&mut w, 5_000);
    run_balanced(&mut w, 60_000);
    only_the_poison_record_was_given_up(&w);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("gave up a batch of 1 record on")));
}

#[test]
fn the_function_failing_and_recovering_by_command() {
    let mut w = world(&scenario("", ""));
    run_balanced(&mut w, 5_000);
    let c = streamsim::sim::parse_command(
        r#"{"type": "set_function_error_rate", "function_name": "detect", "error_rate": 1.0}"#,
        &w,
    )
    .unwrap();
    w.command(c);
    run_balanced(&mut w, 20_000);
    let stalled = lambda(&w).counters.processed;
    assert!(w.consumers[0]
        .lanes
        .iter()
        .all(|x| x.iterator_age_ms > 15_000));
    let c = streamsim::sim::parse_command(
        r#"{"type": "set_function_error_rate", "function_name": "detect", "error_rate": 0}"#,
        &w,
    )
    .unwrap();
    w.command(c);
    run_balanced(&mut w, 30_000);
    assert!(lambda(&w).counters.processed > stalled + 4_000);
    assert!(w.consumers[0]
        .lanes
        .iter()
        .all(|x| x.iterator_age_ms < 3_000));
}

#[test]
fn a_failing_function_is_retried_and_records_are_delivered_again() {
    let mut w = world(&scenario(
        r#", "maximum_retry_attempts": 1"#,
        r#", "error_rate": 0.3"#,
    ));
    run_balanced(&mut w, 60_000);
    let l = lambda(&w);
    assert!(l.counters.errors > 10);
    assert!(l.counters.redeliveries > 0);
    assert!(l.counters.discarded > 0, "some batches fail twice");
    assert!(l.counters.processed > 9_000);
}

#[test]
fn parallelization_factor_multiplies_concurrency_and_keeps_key_order() {
    let mut w = world(&scenario(
        r#", "parallelization_factor": 4, "batch_size": 10"#,
        r#", "duration_ms": 400"#,
    ));
    run_balanced(&mut w, 30_000);
    let l = lambda(&w);
    assert!(l.counters.concurrent_max > 2 && l.counters.concurrent_max <= 8);
    assert_eq!(w.consumers[0].order.violations, 0);
}

#[test]
fn mapping_arguments_are_checked_with_their_ranges() {
    let e = world_from_text(
        &scenario(r#", "batch_size": 0, "parallelization_factor": 11, "maximum_record_age_in_seconds": 30"#, ""),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("trigger.batch_size: 0 is out of range 1..=10000"),
        "{e}"
    );
    assert!(
        e.contains("trigger.parallelization_factor: 11 is out of range 1..=10"),
        "{e}"
    );
    assert!(
        e.contains(
            "maximum_record_age_in_seconds: 30 is out of range: -1 (no limit) or 60..=604800"
        ),
        "{e}"
    );
    let e = world_from_text(
        &scenario("", "").replace("\"detect\", \"starting", "\"nope\", \"starting"),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("\"nope\" is not defined in lambda_functions"),
        "{e}"
    );
}

#[test]
fn regression_lambda_finishes_a_parent_before_its_children() {
    // The trigger read a closed parent to its end, but records were still queued or in flight:
    // it started the children anyway and got keys out of order (1,220 violations).
    let text = r#"{"resource": {
          "aws_kinesis_stream": {"s": {"shard_count": 1}},
          "aws_lambda_event_source_mapping": {"t": {"event_source_arn": "s", "function_name": "f",
              "starting_position": "TRIM_HORIZON", "batch_size": 10}}},
        "lambda_functions": [{"name": "f", "duration_ms": 200}],
        "producers": [{"name": "p", "records_per_second": 200, "partition_keys": {"model": "list", "keys": ["a","b","c","d","e"]}}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 5_000);
    let c = streamsim::sim::parse_command(
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
        &w,
    )
    .unwrap();
    w.command(c);
    run_balanced(&mut w, 60_000);
    let c = &w.consumers[0];
    assert_eq!(c.order.violations, 0);
    assert!(c.order.checked > 2_000);
}

#[test]
fn regression_records_trimmed_while_queued_are_counted_lost_not_processed() {
    // A function slower than the stream: records expire in its queue. They used to be invoked
    // after the stream had deleted them, with a lag of 0 and nothing counted lost.
    let text = r#"{"tick_ms": 1000, "resource": {
          "aws_kinesis_stream": {"s": {"shard_count": 1}},
          "aws_lambda_event_source_mapping": {"t": {"event_source_arn": "s", "function_name": "f",
              "starting_position": "TRIM_HORIZON", "batch_size": 1}}},
        "lambda_functions": [{"name": "f", "duration_ms": 10000}],
        "producers": [{"name": "p", "records_per_second": 1}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 30 * 3_600_000);
    let c = &w.consumers[0];
    let lost = c.lanes[0].expired_unread;
    assert!(lost > 10_000, "{lost}");
    assert!(
        c.lanes[0].iterator_age_ms > 20 * 3_600_000,
        "{}",
        c.lanes[0].iterator_age_ms
    );
    // Those it invoked it got while they were still in the stream (some expired during their
    // 10 s invocation); the rest are counted lost, in the trigger's counters too.
    assert_eq!(c.lambda.as_ref().unwrap().counters.expired_in_retry, lost);
}

fn update(w: &mut World, fields: &str) {
    let c = streamsim::sim::parse_command(
        &format!(r#"{{"type": "update_event_source_mapping", "mapping": "trigger" {fields}}}"#),
        w,
    )
    .unwrap();
    w.command(c);
}

#[test]
fn regression_a_stuck_trigger_could_not_be_updated_update_event_source_mapping_unblocks_it() {
    // Default settings: the poison record blocks its shard, the batch is retried forever.
    let mut w = world(&scenario("", ""));
    let bad = poison_after(&mut w, 5_000);
    run_balanced(&mut w, 15_000);
    assert!(w.consumers[0].lanes[bad].iterator_age_ms > 10_000);
    assert!(lambda(&w).counters.retries > 20);
    // The batch in flight meets the new settings at its next failure: bisected down to the
    // poison record, which is given up once it has used its (already spent) retries.
    update(
        &mut w,
        r#", "bisect_batch_on_function_error": true, "maximum_retry_attempts": 2"#,
    );
    w.step();
    let l = lambda(&w);
    assert!(l.esm.bisect_batch_on_function_error);
    assert_eq!(l.esm.maximum_retry_attempts, 2);
    // Left out: kept.
    assert_eq!(l.esm.maximum_record_age_seconds, -1);
    assert_eq!(l.esm.batch_size, 100);
    run_balanced(&mut w, 30_000);
    only_the_poison_record_was_given_up(&w);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.kind == "lambda" && n.text.contains("trigger trigger updated")));
    // The command is in the replay, serialised as it was read.
    let replay = serde_json::to_value(w.replay_scenario()).unwrap();
    let cmds = replay["commands"].as_array().unwrap();
    assert!(cmds
        .iter()
        .any(|c| c["type"] == "update_event_source_mapping"
            && c["mapping"] == "trigger"
            && c["maximum_retry_attempts"] == 2
            && c.get("batch_size").is_none()));
    let mut again = world(&serde_json::to_string(&replay).unwrap());
    while again.tick < w.tick {
        again.step();
    }
    assert_eq!(again.digest(), w.digest());
}

#[test]
fn update_event_source_mapping_checks_its_arguments_like_the_scenario() {
    let w = world(&scenario("", ""));
    let refused = |text: &str| {
        streamsim::sim::parse_command(text, &w)
            .unwrap_err()
            .to_string()
    };
    let e = refused(
        r#"{"type": "update_event_source_mapping", "mapping": "trigger", "maximum_record_age_in_seconds": 30}"#,
    );
    assert!(
        e.contains(
            "maximum_record_age_in_seconds: 30 is out of range: -1 (no limit) or 60..=604800"
        ),
        "{e}"
    );
    let e = refused(
        r#"{"type": "update_event_source_mapping", "mapping": "trigger", "maximum_retry_attempts": 10001}"#,
    );
    assert!(e.contains("10001 is out of range -1..=10000"), "{e}");
    let e = refused(r#"{"type": "update_event_source_mapping", "mapping": "trigger"}"#);
    assert!(e.contains("changes nothing"), "{e}");
    let e = refused(
        r#"{"type": "update_event_source_mapping", "mapping": "detect", "batch_size": 10}"#,
    );
    assert!(e.contains("\"detect\" is not"), "{e}");
}

/// Bisecting found the poison record: it alone was given up, every other record was processed
/// in order, and no shard is stuck.
fn only_the_poison_record_was_given_up(w: &World) {
    let l = lambda(w);
    assert_eq!(l.counters.discarded, 1, "{:?}", l.counters);
    assert!(l.counters.bisections > 0);
    assert!(w.consumers[0]
        .lanes
        .iter()
        .all(|x| x.iterator_age_ms < 3_000));
    assert_eq!(w.consumers[0].order.violations, 0);
}
