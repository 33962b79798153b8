//! Consumer applications: fraud and cheat detection with their detection delays, a dashboard.

mod common;
use common::*;

const PAYMENTS: &str = r#"{"resource": {"aws_kinesis_stream": {"payments": {"shard_count": 2}}},
    "producers": [{"name": "cards", "records_per_second": 400,
        "partition_keys": {"model": "hot_key", "count": 5000, "prefix": "card-", "hot_key": "card-stolen", "hot_key_share": 0.02}}],
    "consumers": [
      {"name": "fraud-polling", "application": {"kind": "fraud_detector", "max_transactions": 5, "window_seconds": 10}},
      {"name": "fraud-fan-out", "type": "enhanced_fan_out", "application": {"kind": "fraud_detector", "max_transactions": 5, "window_seconds": 10}},
      {"name": "dashboard", "type": "enhanced_fan_out", "application": {"kind": "dashboard"}}]}"#;

#[test]
fn fraud_is_caught_with_its_detection_delay() {
    let mut w = world(PAYMENTS);
    run_balanced(&mut w, 120_000);
    let polling = w.consumers[0].app.as_ref().unwrap();
    let fan_out = w.consumers[1].app.as_ref().unwrap();
    // The stolen card makes 8 transactions a second: an alert every 10 s window.
    let stolen = |a: &&streamsim::sim::app::Alert| a.partition_key == "card-stolen";
    assert!(polling.alerts.iter().filter(stolen).count() >= 10);
    // Big transactions (1 in 2,000): about 24 in 48,000.
    let big = polling
        .alerts
        .iter()
        .filter(|a| a.reason.contains("above $2000.00"))
        .count();
    assert!((10..=45).contains(&big), "{big}");
    // Both see the same records, so the same alerts (but for the last second, which the
    // poller has not read yet); fan-out sees them sooner.
    assert!(fan_out.alerts_total.abs_diff(polling.alerts_total) <= 2);
    assert!(fan_out.mean_delay_ms() < 200, "{}", fan_out.mean_delay_ms());
    assert!(polling.mean_delay_ms() > 300, "{}", polling.mean_delay_ms());
    for a in &polling.alerts {
        assert_eq!(a.delay_ms, a.t_ms - a.event_ms);
    }
    let dash = w.consumers[2].app.as_ref().unwrap();
    assert_eq!(dash.alerts_total, 0);
    assert!(
        (380..=420).contains(&dash.seen_last_second),
        "{}",
        dash.seen_last_second
    );
}

#[test]
fn the_gaming_cheat_detector_flags_impossible_scores() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"g": {"shard_count": 4}},
          "aws_lambda_event_source_mapping": {"cheats": {"event_source_arn": "g", "function_name": "detect-cheats",
              "starting_position": "LATEST", "batch_size": 500}}},
        "lambda_functions": [{"name": "detect-cheats", "duration_ms": 30,
            "application": {"kind": "cheat_detector", "max_actions": 50, "window_seconds": 1}}],
        "producers": [{"name": "players", "records_per_second": 2000,
            "partition_keys": {"model": "hot_key", "count": 10000, "prefix": "player-", "hot_key": "player-bot", "hot_key_share": 0.05}}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 60_000);
    let app = w.consumers[0].app.as_ref().unwrap();
    // The bot acts 100 times a second: flagged every second; nobody else is.
    let bot = app
        .alerts
        .iter()
        .filter(|a| a.partition_key == "player-bot" && a.reason.contains("too fast"))
        .count();
    assert!(bot >= 55, "{bot}");
    assert!(app
        .alerts
        .iter()
        .all(|a| a.partition_key == "player-bot" || a.reason.contains("scored")));
    assert!(app.mean_delay_ms() < 2_000);
}
