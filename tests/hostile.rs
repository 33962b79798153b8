//! Hostile and extreme input, item by item (issue "Hostile and extreme input"): each minimal
//! reproducer of what a fuzz run found, kept as a regression test named after what broke.

mod common;
use common::*;

use streamsim::sim::{parse_command, parse_scenario, world_from_text};

const ONE_STREAM: &str = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
    "producers": [{"name": "p", "records_per_second": 100}]}"#;

fn with(extra: &str) -> String {
    ONE_STREAM.replacen('{', &format!("{{{extra}"), 1)
}

#[test]
fn regression_a_10_mb_seed_comes_back_as_a_short_error() {
    let seed = "9".repeat(10_000_000);
    let e = parse_scenario(&with(&format!(r#""seed": "{seed}x", "#))).unwrap_err();
    let text = e.to_string();
    assert!(text.len() < 300, "{} bytes", text.len());
    assert!(text.contains("(10000001 characters)"), "{text}");
}

#[test]
fn regression_a_1_mb_unknown_key_comes_back_as_a_short_error() {
    let key = "k".repeat(1_000_000);
    let e = parse_scenario(&with(&format!(r#""{key}": 1, "#))).unwrap_err();
    let text = e.to_string();
    assert!(text.len() < 600, "{} bytes", text.len());
    assert!(text.contains("(1000000 characters)"), "{text}");
}

#[test]
fn regression_a_newline_in_a_key_cannot_fake_a_second_error() {
    // An unknown key "a⏎producers[0].records_per_second: 5 is out of range …" printed a
    // second line that looked like another validation error.
    let key = r#"a\nproducers[0].records_per_second: 5 is out of range 1..=1000000"#;
    let e = parse_scenario(&with(&format!(r#""{key}": 1, "#))).unwrap_err();
    assert_eq!(e.len(), 1, "{e}");
    let text = e.to_string();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with(r#"["a\nproducers[0]"#), "{text}");
    assert!(text.contains("unknown field"), "{text}");
}

#[test]
fn regression_a_key_given_twice_is_refused_not_last_one_wins() {
    // A scenario with two `producers` arrays ran with the second.
    let text = with(r#""producers": [{"name": "q", "records_per_second": 5}], "#);
    let e = parse_scenario(&text).unwrap_err();
    assert_eq!(e.0[0].path, "producers");
    assert!(e.0[0].message.contains("given twice"), "{e}");
    // Deep inside too, with the path of the second one.
    let text = ONE_STREAM.replace(
        r#""shard_count": 2"#,
        r#""shard_count": 2, "shard_count": 3"#,
    );
    let e = parse_scenario(&text).unwrap_err();
    assert_eq!(e.0[0].path, "resource.aws_kinesis_stream.s.shard_count");
    let w = world(ONE_STREAM);
    let e = parse_command(
        r#"{"type": "set_rate", "producer": "p", "records_per_second": 5, "records_per_second": 9}"#,
        &w,
    )
    .unwrap_err();
    assert_eq!(e.0[0].path, "command.records_per_second");
    assert!(world_from_text(ONE_STREAM, None).is_ok());
}

// ---- 1. commands bypassed the rate cap -----------------------------------------------------

const BURSTY: &str = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
    "producers": [{"name": "p", "records_per_second": 20000,
        "traffic": {"shape": "bursts", "period_seconds": 1, "burst_seconds": 1, "multiplier": 100}}]"#;

#[test]
fn regression_a_scheduled_set_rate_passed_the_rate_budget_at_the_traffic_peak() {
    // 20,000 × 100 = 2 M records/s at the peak fits; set_rate 1 M made 100 M and ran away.
    assert!(parse_scenario(&format!("{BURSTY}}}")).is_ok());
    let text = format!(
        r#"{BURSTY}, "commands": [{{"at_ms": 0, "type": "set_rate", "producer": "p", "records_per_second": 1000000}}]}}"#
    );
    let e = parse_scenario(&text).unwrap_err();
    assert_eq!(e.0[0].path, "commands[0]", "{e}");
    assert!(e.to_string().contains("100000000 records/s"), "{e}");
}

#[test]
fn regression_a_set_rate_from_the_page_passed_the_rate_budget_at_the_traffic_peak() {
    let w = world(&format!("{BURSTY}}}"));
    let e = refused(
        &w,
        r#"{"type": "set_rate", "producer": "p", "records_per_second": 1000000}"#,
    );
    assert!(e.contains("command.records_per_second"), "{e}");
    assert!(e.contains("at most 2000000"), "{e}");
    // Lowering it is fine.
    let mut w = w;
    send(
        &mut w,
        r#"{"type": "set_rate", "producer": "p", "records_per_second": 100}"#,
    );
}

#[test]
fn regression_on_demand_after_its_spike_took_a_rate_of_a_million() {
    // The on-demand preset's ×10 spike made 10 M records/s of a rate of 1 M typed in the box.
    let w = world(streamsim::sim::preset("on-demand").unwrap());
    let p = w.producers[0].cfg.name.clone();
    let e = refused(
        &w,
        &format!(r#"{{"type": "set_rate", "producer": "{p}", "records_per_second": 1000000}}"#),
    );
    assert!(e.contains("records/s at their peaks"), "{e}");
}

#[test]
fn regression_a_one_second_tick_at_2_m_records_a_second_blocked_for_seconds() {
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 500}}},
        "producers": [{"name": "p", "records_per_second": 1000000}, {"name": "q", "records_per_second": 1000000}]}"#;
    let e = parse_scenario(text).unwrap_err();
    assert!(e.to_string().contains("= 2000000 records a tick"), "{e}");
    assert!(e.to_string().contains("at most 200000"), "{e}");
}

// ---- 1b. add_producer bypassed the key-table budget -------------------------------------

fn readers_and_producers(by_command: bool) -> String {
    let consumers: Vec<String> = (0..32).map(|i| format!(r#"{{"name": "c{i}"}}"#)).collect();
    let producer = |i: usize| {
        format!(
            r#"{{"name": "p{i}", "records_per_second": 1, "partition_keys": {{"model": "uniform", "count": 1000000}}}}"#
        )
    };
    let producers: Vec<String> = (0..31).map(producer).collect();
    let (declared, commands) = if by_command {
        let adds: Vec<String> = producers
            .iter()
            .map(|p| format!(r#"{{"at_ms": 0, "type": "add_producer", "producer": {p}}}"#))
            .collect();
        (String::from("[]"), format!("[{}]", adds.join(",")))
    } else {
        (format!("[{}]", producers.join(",")), String::from("[]"))
    };
    format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}},
        "consumers": [{}], "producers": {declared}, "commands": {commands}}}"#,
        consumers.join(",")
    )
}

#[test]
fn regression_add_producer_commands_passed_the_key_table_budget() {
    let e = parse_scenario(&readers_and_producers(false)).unwrap_err();
    assert!(e.to_string().contains("at most 8000000 (128 MB)"), "{e}");
    let e = parse_scenario(&readers_and_producers(true)).unwrap_err();
    assert!(e.0[0].path.starts_with("commands["), "{e}");
    assert!(e.to_string().contains("at most 8000000 (128 MB)"), "{e}");
}

// ---- 2. a command naming nothing was accepted, then silently dropped ----------------------

#[test]
fn regression_a_command_naming_nobody_is_refused_at_validation() {
    for (command, field) in [
        (
            r#"{"at_ms": 1000, "type": "pause_producer", "producer": "nobody"}"#,
            "producer",
        ),
        (
            r#"{"at_ms": 0, "type": "update_shard_count", "stream_name": "nowhere", "target_shard_count": 4}"#,
            "stream_name",
        ),
        (
            r#"{"at_ms": 0, "type": "crash_worker", "consumer": "nobody", "worker": 1}"#,
            "consumer",
        ),
        (
            r#"{"at_ms": 0, "type": "set_function_error_rate", "function_name": "nothing", "error_rate": 0.5}"#,
            "function_name",
        ),
        (
            r#"{"at_ms": 0, "type": "set_s3_available", "delivery_stream_name": "none", "available": false}"#,
            "delivery_stream_name",
        ),
    ] {
        let e = parse_scenario(&with(&format!(r#""commands": [{command}], "#))).unwrap_err();
        let path = format!("commands[0].{field}");
        assert!(e.0.iter().any(|f| f.path == path), "{command}: {e}");
    }
    // A producer a command adds earlier may be named by a later one.
    let ok = with(
        r#""commands": [{"at_ms": 5, "type": "pause_producer", "producer": "q"},
            {"at_ms": 0, "type": "add_producer", "producer": {"name": "q", "records_per_second": 1}}], "#,
    );
    assert!(
        parse_scenario(&ok).is_ok(),
        "{:?}",
        parse_scenario(&ok).err()
    );
}

// ---- 4. valid but extreme scenarios ran away -------------------------------------------------

#[test]
fn regression_8_streams_of_500_shards_passed_the_account_shard_quota() {
    let streams: Vec<String> = (0..8)
        .map(|i| format!(r#""s{i}": {{"shard_count": 500, "retention_period": 8760}}"#))
        .collect();
    let text = format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{{}}}}}, "producers": [{{"name": "p", "stream_name": "s0", "records_per_second": 1000}}]}}"#,
        streams.join(",")
    );
    let e = parse_scenario(&text).unwrap_err();
    assert!(e.to_string().contains("4000 open shards"), "{e}");
    assert!(e.to_string().contains("at most 500"), "{e}");
}

#[test]
fn regression_a_day_of_retention_cost_a_run_a_second_per_shard() {
    // 3.5 MB a shard a simulated day: now a shard keeps at most RUNS_PER_SHARD_MAX runs, and
    // records still expire when they should (tests/scenarios.rs checks the exact count).
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 1, "retention_period": 48}}},
        "producers": [{"name": "p", "records_per_second": 3}], "consumers": [{"name": "c", "start_at_ms": 90000000}]}"#;
    let mut w = world(text);
    w.run_for(26 * 3_600_000);
    let sh = &w.streams[0].shards[0];
    assert!(
        sh.run_count() <= streamsim::sim::base::limits::RUNS_PER_SHARD_MAX,
        "{}",
        sh.run_count()
    );
    let l = w.ledger();
    assert!(l.balanced(), "{l:?}");
    assert_eq!(l.produced, 3 * 26 * 3600);
    assert_eq!(l.expired_unread, 0);
    // The consumer starts 25 h in and reads from the trim horizon: every record, in order.
    assert!(l.read > 3 * 3600, "{l:?}");
}

#[test]
fn regression_ids_of_many_shards_had_no_global_cap() {
    // 200 shards, a consumer that never starts: each shard may keep only its share of ids.
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 200}}},
        "producers": [{"name": "p", "records_per_second": 200000, "partition_keys": {"model": "random"}}],
        "consumers": [{"name": "c", "start_at_ms": 2592000000}]}"#;
    let mut w = world(text);
    w.run_for(30_000);
    let kept: u64 = w.streams[0]
        .shards
        .iter()
        .map(|s| s.ids_kept() as u64)
        .sum();
    let max = streamsim::sim::base::limits::IDS_TOTAL_MAX as u64;
    assert!(kept <= max + 200 * 1000, "{kept}");
    assert!(w.ledger().balanced());
}

// ---- 5. a replay was not exact when a command was skipped -----------------------------------

#[test]
fn regression_a_replay_drops_a_skipped_command() {
    // Two reshardings queued in one tick: the second is skipped (the stream is UPDATING), and
    // the replay file must still hold it, so its note, which counts in the digest, recurs.
    let mut w = world(ONE_STREAM);
    send(
        &mut w,
        r#"{"type": "update_shard_count", "stream_name": "s", "target_shard_count": 4}"#,
    );
    send(
        &mut w,
        r#"{"type": "update_shard_count", "stream_name": "s", "target_shard_count": 1}"#,
    );
    w.run_for(2_000);
    assert!(w.notes().iter().any(|n| n.text.contains("was skipped")));
    let replay = w.replay_scenario().to_string();
    let mut again = world_from_text(&replay, None).unwrap();
    again.run_for(2_000);
    assert_eq!(again.digest_hex(), w.digest_hex());
}

#[test]
fn regression_a_run_past_the_command_log_cannot_promise_an_exact_replay() {
    let mut w = world(ONE_STREAM);
    let limit = streamsim::sim::base::limits::COMMAND_LOG_MAX;
    let pause = r#"{"type": "pause_producer", "producer": "p"}"#;
    for _ in 0..limit {
        let c = parse_command(pause, &w).unwrap();
        w.command(c);
    }
    let e = refused(&w, pause);
    assert!(e.contains("the most its replay file can hold"), "{e}");
}

// ---- 6. found by tests/fuzz.rs ---------------------------------------------------------------

#[test]
fn regression_a_newline_in_a_name_listed_in_an_error_faked_a_second_line() {
    // The names a reference could have named were listed as they were: a stream named
    // "b⏎producers[0]…" printed a second line that looked like another error.
    let text = r#"{"resource": {"aws_kinesis_stream": {"a": {"shard_count": 1},
        "b": {"name": "b\nproducers[0].records_per_second: fake", "shard_count": 1}}},
        "producers": [{"name": "p", "stream_name": "nowhere", "records_per_second": 1}],
        "commands": [{"at_ms": 0, "type": "update_shard_count", "stream_name": "x", "target_shard_count": 2},
            {"at_ms": 0, "type": "pause_producer", "producer": "q"}]}"#;
    let e = parse_scenario(text).unwrap_err();
    let shown = e.to_string();
    assert_eq!(shown.lines().count(), e.len(), "{shown}");
    assert!(
        shown.contains(r#"("a", "b\nproducers[0].records_per_second: fake")"#),
        "{shown}"
    );
}

#[test]
fn regression_32_long_names_made_an_error_of_more_than_4_kb() {
    let name = |i: usize| format!("{i:02}{}", "é".repeat(126));
    let producers: Vec<String> = (0..32)
        .map(|i| format!(r#"{{"name": "{}", "records_per_second": 1}}"#, name(i)))
        .collect();
    let text = format!(
        r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}}, "producers": [{}],
        "commands": [{{"at_ms": 0, "type": "pause_producer", "producer": "nobody"}}]}}"#,
        producers.join(",")
    );
    let e = parse_scenario(&text).unwrap_err();
    let shown = e.to_string();
    assert_eq!(e.0[0].path, "commands[0].producer", "{shown}");
    assert!(shown.len() < 1_500, "{} bytes: {shown}", shown.len());
    assert!(shown.ends_with("and 24 more)"), "{shown}");
}

#[test]
fn regression_two_add_producers_of_one_name_in_one_tick_made_a_replay_that_did_not_load() {
    // Both were checked against the run as it was; the second was skipped when applied, and
    // the replay file, holding both, was refused ("used by another producer").
    let mut w = world(ONE_STREAM);
    let add = r#"{"type": "add_producer", "producer": {"name": "q", "records_per_second": 5}}"#;
    send(&mut w, add);
    let e = refused(&w, add);
    assert!(e.contains("command.producer.name"), "{e}");
    assert!(e.contains("already queued or scheduled"), "{e}");
    w.run_for(1_000);
    let mut again = world_from_text(&w.replay_scenario().to_string(), None).unwrap();
    again.run_for(1_000);
    assert_eq!(again.digest_hex(), w.digest_hex());
}

#[test]
fn regression_a_sent_command_and_a_scheduled_one_passed_the_budget_together() {
    // A producer added at 1 M records/s fit the run as it was; with the scenario's set_rate at
    // 5 s and add_producer at 6 s it passes the budget: one of them was skipped then, and the
    // replay file, holding all three, was refused.
    let text = with(
        r#""commands": [{"at_ms": 5000, "type": "set_rate", "producer": "p", "records_per_second": 1000000},
            {"at_ms": 6000, "type": "add_producer", "producer": {"name": "r", "records_per_second": 500000}}], "#,
    );
    let w = world(&text);
    let e = refused(
        &w,
        r#"{"type": "add_producer", "producer": {"name": "q", "records_per_second": 1000000}}"#,
    );
    assert!(e.starts_with("command.producer: "), "{e}");
    assert!(
        e.contains("with the add_producer the scenario has scheduled at at_ms 6000: together 2500000 records/s"),
        "{e}"
    );
    // Two producers that fit one at a time but not together, queued in one tick.
    let mut w = world(ONE_STREAM);
    let add = |name: &str| {
        format!(
            r#"{{"type": "add_producer", "producer": {{"name": "{name}", "records_per_second": 1000000}}}}"#
        )
    };
    send(&mut w, &add("q"));
    let e = refused(&w, &add("r"));
    assert!(e.contains("together 2000100 records/s"), "{e}");
    w.run_for(1_000);
    let mut again = world_from_text(&w.replay_scenario().to_string(), None).unwrap();
    again.run_for(1_000);
    assert_eq!(again.digest_hex(), w.digest_hex());
}

#[test]
fn regression_a_nested_path_under_a_command_was_quoted_as_one_key() {
    // `producer.name` under `commands[1]` was written `commands[1]["producer.name"]`.
    let text = with(
        r#""commands": [{"at_ms": 0, "type": "add_producer", "producer": {"name": "p", "records_per_second": 1}}], "#,
    );
    let e = parse_scenario(&text).unwrap_err();
    assert_eq!(e.0[0].path, "commands[0].producer.name", "{e}");
    let w = world(ONE_STREAM);
    let e = refused(
        &w,
        r#"{"type": "add_producer", "producer": {"name": "p", "records_per_second": 1}}"#,
    );
    assert!(e.starts_with("command.producer.name: "), "{e}");
}

#[test]
fn regression_a_replay_file_with_the_commands_still_to_come_passed_the_commands_limit() {
    // The room left in the command log did not count the scenario's commands still to come,
    // which the replay file holds too: it then had more than COMMANDS_MAX and was refused.
    let limit = streamsim::sim::base::limits::COMMANDS_MAX;
    let pause = r#"{"at_ms": 2592000000, "type": "pause_producer", "producer": "p"}"#;
    let text = with(&format!(
        r#""commands": [{}], "#,
        vec![pause; limit - 1].join(",")
    ));
    let mut w = world(&text);
    send(&mut w, r#"{"type": "resume_producer", "producer": "p"}"#);
    let e = refused(&w, r#"{"type": "resume_producer", "producer": "p"}"#);
    assert!(e.contains("the most its replay file can hold"), "{e}");
    w.step();
    let mut again = world_from_text(&w.replay_scenario().to_string(), None).unwrap();
    again.step();
    assert_eq!(again.digest_hex(), w.digest_hex());
}
