//! The native command-line runner, run as a user would run it.

use std::process::Command;

use proptest::prelude::*;

fn streamsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_streamsim"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// An independent computation of where Kinesis puts a key: the `md5` crate (not the `md-5` the
/// simulator uses), and the even split written out again.
fn expected(key: &str, shards: u32) -> (u128, u32) {
    let h = u128::from_be_bytes(md5_independent::compute(key.as_bytes()).0);
    let step = u128::MAX / u128::from(shards);
    let shard = ((h / step) as u32).min(shards - 1);
    (h, shard)
}

fn hash_cli(keys: &[String], shards: u32) -> Vec<serde_json::Value> {
    let mut args = vec!["hash".to_string(), "--shards".into(), shards.to_string()];
    args.extend(keys.iter().cloned());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = streamsim(&refs);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn hash_prints_the_md5_hash_key_and_shard() {
    let rows = hash_cli(&["user-1".into(), "".into(), "player-7".into()], 4);
    // "" can't be a partition key on AWS, but the hash is still well defined.
    assert_eq!(
        rows[1]["hash_key"],
        u128::from_str_radix("d41d8cd98f00b204e9800998ecf8427e", 16)
            .unwrap()
            .to_string()
    );
    for row in &rows {
        let key = row["partition_key"].as_str().unwrap();
        let (h, s) = expected(key, 4);
        assert_eq!(row["hash_key"], h.to_string());
        assert_eq!(row["shard_id"], format!("shardId-{s:012}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn hash_agrees_with_an_independent_md5_for_any_keys_and_shard_counts(
        keys in proptest::collection::vec("\\PC{1,40}", 1..8),
        shards in 1u32..=500,
    ) {
        let rows = hash_cli(&keys, shards);
        prop_assert_eq!(rows.len(), keys.len());
        for (row, key) in rows.iter().zip(&keys) {
            let (h, s) = expected(key, shards);
            prop_assert_eq!(row["partition_key"].as_str().unwrap(), key.as_str());
            prop_assert_eq!(row["hash_key"].as_str().unwrap(), h.to_string());
            prop_assert_eq!(row["shard_id"].as_str().unwrap(), format!("shardId-{s:012}"));
        }
    }
}

#[test]
fn validate_exits_2_with_every_error_on_stderr() {
    let dir = std::env::temp_dir().join(format!("streamsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(
        &bad,
        r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 0}}},
            "producers": [{"name": "p", "records_per_second": -5}]}"#,
    )
    .unwrap();
    let out = streamsim(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("resource.aws_kinesis_stream.s.shard_count: 0 is out of range 1..=500"));
    assert!(err.contains("producers[0].records_per_second: -5 is out of range 1..=1000000"));

    let good = dir.join("good.json");
    std::fs::write(&good, streamsim::sim::preset("clickstream").unwrap()).unwrap();
    let out = streamsim(&["validate", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn run_prints_the_report_a_course_author_can_check() {
    let out = streamsim(&[
        "run",
        "--preset",
        "one-shard-overload",
        "--seconds",
        "20",
        "--seed",
        "9",
    ]);
    assert!(out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["seed"], "9");
    assert_eq!(r["simulated_ms"], 20_000);
    assert_eq!(r["digest"].as_str().unwrap().len(), 16);
    assert_eq!(r["ledger_balanced"], true);
    assert_eq!(r["ledger"]["produced"], 40_000);
    let p = &r["producers"][0];
    for field in ["attempted", "accepted", "throttled_attempts", "dropped"] {
        assert!(p[field].is_u64(), "{field}");
    }
    assert_eq!(p["accepted"], 20_000);
    let shard = &r["streams"][0]["shards"][0];
    assert_eq!(shard["shard_id"], "shardId-000000000000");
    assert_eq!(shard["starting_hash_key"], "0");
    assert_eq!(shard["ending_hash_key"], u128::MAX.to_string());
    assert_eq!(shard["incoming_records"], 20_000);
    assert!(shard["write_throttled"].as_u64().unwrap() > 0);
    let c = &r["consumers"][0];
    assert!(c["records_read"].as_u64().unwrap() >= 19_000);
    assert!(c["shards"][0]["iterator_age_ms"].is_u64());
    let seconds = r["metrics"][0]["seconds"].as_array().unwrap();
    assert_eq!(seconds.len(), 20);
    assert_eq!(seconds[5]["IncomingRecords"], 1_000);
    for name in [
        "IncomingBytes",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "GetRecords.IteratorAgeMilliseconds",
    ] {
        assert!(seconds[5][name].is_u64(), "{name}");
    }
    // The same command twice prints the same bytes.
    let again = streamsim(&[
        "run",
        "--preset",
        "one-shard-overload",
        "--seconds",
        "20",
        "--seed",
        "9",
    ]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn run_reports_the_firehose_objects_and_metrics() {
    // 1 KB records at 10/s with the default hints (5 MiB, 300 s): one object every 300 s.
    let dir = std::env::temp_dir().join(format!("streamsim-cli-fh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("archive.json");
    std::fs::write(
        &file,
        r#"{"resource": {
            "aws_kinesis_stream": {"events": {"shard_count": 1}},
            "aws_kinesis_firehose_delivery_stream": {"archive": {
              "destination": "extended_s3",
              "kinesis_source_configuration": {"kinesis_stream_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/events",
                                               "role_arn": "arn:aws:iam::123456789012:role/firehose"},
              "extended_s3_configuration": {"bucket_arn": "arn:aws:s3:::lake", "prefix": "raw/"}}}},
          "producers": [{"name": "p", "records_per_second": 10, "record_size_bytes": 1000}]}"#,
    )
    .unwrap();
    let out = streamsim(&["run", file.to_str().unwrap(), "--seconds", "700"]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &r["firehoses"][0];
    assert_eq!(f["name"], "archive");
    assert_eq!(f["objects_total"], 2);
    let objects = f["objects"].as_array().unwrap();
    for (n, o) in objects.iter().enumerate() {
        let key = o["key"].as_str().unwrap();
        let (prefix, name) = key.rsplit_once('/').unwrap();
        assert_eq!(prefix, "raw/2025/01/01/00", "{key}");
        let minute = ["00-00", "05-00"][n];
        assert!(
            name.starts_with(&format!("archive-1-2025-01-01-00-{minute}")),
            "{key}"
        );
        assert!(o["bytes"].as_u64().unwrap() > 0);
        // Firehose reads the shard once a second, so an object closes up to ~1 s of records
        // after 300 s of arrivals.
        let records = o["records"].as_u64().unwrap();
        assert!((3_000..=3_012).contains(&records), "{o}");
        let first = o["first_arrival_ms"].as_u64().unwrap();
        let last = o["last_arrival_ms"].as_u64().unwrap();
        let start = n as u64 * 300_000;
        assert!((start..start + 2_000).contains(&first), "{o}");
        assert!((first + 299_000..first + 302_000).contains(&last), "{o}");
        assert_eq!(o["trigger"], "interval");
    }
    let metrics = f["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), 700);
    let sum = |name: &str| {
        metrics
            .iter()
            .map(|m| m[name].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(
        sum("IncomingRecords"),
        f["received_records"].as_u64().unwrap()
    );
    let delivered: u64 = objects.iter().map(|o| o["records"].as_u64().unwrap()).sum();
    assert_eq!(sum("DeliveryToS3.Records"), delivered);
    assert_eq!(sum("objects"), 2);
    // DeliveryToS3.Success is a ratio of puts: 1 in the two seconds with a put, absent otherwise.
    let success: Vec<f64> = metrics
        .iter()
        .filter_map(|m| m["DeliveryToS3.Success"].as_f64())
        .collect();
    assert_eq!(success, [1.0, 1.0]);
    assert_eq!(sum("ThrottledRecords"), 0);
    assert!(sum("IncomingBytes") >= 6_000_000);
    assert!(sum("DeliveryToS3.Bytes") > 0);
    // Just before the second delivery the oldest undelivered record is ~300 s old: CloudWatch
    // gives DataFreshness in seconds (it once came out in ms under that name).
    let fresh = metrics[599]["DeliveryToS3.DataFreshness"].as_u64().unwrap();
    assert!((299..=300).contains(&fresh), "{fresh}");
}

#[test]
fn usage_errors_exit_2_and_say_why() {
    for args in [
        vec![],
        vec!["fly"],
        vec!["run"],
        vec!["run", "--preset", "nope"],
        vec!["run", "--preset", "gaming", "--seconds", "-1"],
        vec!["hash", "k"],
        vec!["hash", "--shards", "0", "k"],
        vec!["validate"],
        vec!["validate", "/nonexistent/x.json"],
    ] {
        let out = streamsim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn lessons_exercises_and_check_print_json_with_exit_codes() {
    let out = streamsim(&["lessons"]);
    assert!(out.status.success());
    let menu: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(menu
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["id"] == "hot-key"));
    let out = streamsim(&["exercises"]);
    let ex: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(ex
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == "hot-key-no-throttle" && e["kind"] == "task"));
    let out = streamsim(&["lesson", "hot-key"]);
    let l: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(l["id"], "hot-key");
    assert_eq!(streamsim(&["lesson", "nope"]).status.code(), Some(2));
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/attempts/hot-key-no-throttle"
    );
    let one = |f: &str| streamsim(&["check", &format!("{dir}/{f}")]);
    let ok = one("solution.json");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    let line: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    for k in ["file", "exercise", "passed", "earned", "total", "message"] {
        assert!(line.get(k).is_some(), "{k}");
    }
    assert_eq!(one("nothing.json").status.code(), Some(1));
    // A folder: one line per attempt; an invalid one makes it exit 2.
    let all = streamsim(&["check", dir]);
    assert_eq!(all.status.code(), Some(2));
    let lines = String::from_utf8_lossy(&all.stdout).lines().count();
    assert_eq!(lines, std::fs::read_dir(dir).unwrap().count());
}

#[test]
fn check_speaks_the_locale_asked_for_and_english_by_default() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/attempts/predict-shard"
    );
    let f = format!("{dir}/nothing.json");
    let message = |out: std::process::Output| {
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["message"].as_str().unwrap().to_string()
    };
    let en = message(streamsim(&["check", &f]));
    assert!(
        en.starts_with("0 of 1 right. shard: no answer (it is shardId-"),
        "{en}"
    );
    assert_eq!(message(streamsim(&["check", "--locale", "en", &f])), en);
    let es = message(streamsim(&["check", "--locale", "es", &f]));
    assert!(
        es.starts_with("0 de 1 correctas. shard: sin respuesta (es shardId-"),
        "{es}"
    );
    // A locale without messages falls back to English; a malformed one is a usage error.
    assert_eq!(message(streamsim(&["check", "--locale", "pt-BR", &f])), en);
    assert_eq!(
        streamsim(&["check", "--locale", "e s", &f]).status.code(),
        Some(2)
    );
    assert_eq!(streamsim(&["check", "--locale"]).status.code(), Some(2));
}

#[test]
fn regression_check_of_a_folder_of_folders_printed_nothing_it_recurses_and_an_empty_one_fails() {
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/attempts/hot-key-no-throttle"
    );
    let root = std::env::temp_dir().join(format!("streamsim-check-{}", std::process::id()));
    let nested = root.join("a").join("hot-key-no-throttle");
    std::fs::create_dir_all(&nested).unwrap();
    for f in ["solution.json", "nothing.json"] {
        std::fs::copy(format!("{src}/{f}"), nested.join(f)).unwrap();
    }
    let empty = root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = streamsim(&["check", root.join("a").to_str().unwrap()]);
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(lines, 2, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(out.status.code(), Some(1));
    let out = streamsim(&["check", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no attempt (.json) found"));
    std::fs::remove_dir_all(&root).unwrap();
}
