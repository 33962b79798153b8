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
