//! Resharding: SplitShard, MergeShards, UpdateShardCount, parents and children.

mod common;
use common::*;

use streamsim::sim::base::limits::RESHARD_MS;
use streamsim::sim::stream::ShardState;
use streamsim::sim::World;

const HOT_SHARD: &str = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
    "producers": [{"name": "p", "records_per_second": 1600, "record_size_bytes": 100,
                   "partition_keys": {"model": "uniform", "count": 5000}}],
    "consumers": [{"name": "c"}]}"#;

fn throttled_in_last(w: &World, seconds: usize) -> u64 {
    let m = &w.metrics[0];
    m.iter()
        .rev()
        .take(seconds)
        .map(|s| s.write_throttled)
        .sum()
}

#[test]
fn splitting_a_hot_shard_removes_its_throttling() {
    let mut w = world(HOT_SHARD);
    run_balanced(&mut w, 10_000);
    assert!(throttled_in_last(&w, 5) > 1_000);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    w.step();
    assert_eq!(w.streams[0].status(), "UPDATING");
    // Reads and writes go on while the stream is UPDATING.
    run_balanced(&mut w, RESHARD_MS);
    assert_eq!(w.streams[0].status(), "ACTIVE");
    let shards = &w.streams[0].shards;
    assert_eq!(shards.len(), 3);
    assert_eq!(shards[0].state, ShardState::Closed);
    assert_eq!(shards[1].shard_id(), "shardId-000000000001");
    assert_eq!(shards[1].parents, vec![0]);
    assert_eq!(shards[1].starting_hash_key, 0);
    assert_eq!(shards[1].ending_hash_key, u128::MAX / 2);
    assert_eq!(shards[2].starting_hash_key, u128::MAX / 2 + 1);
    assert_eq!(shards[2].ending_hash_key, u128::MAX);
    // Retries from before the split drain within a few seconds; then no throttling at all.
    run_balanced(&mut w, 30_000);
    assert_eq!(throttled_in_last(&w, 20), 0);
    let m = w.metrics[0].back().unwrap();
    assert!(m.incoming_records >= 1_590, "{m:?}");
    // The consumer read the parent to its end and follows the children.
    let c = &w.consumers[0];
    assert_eq!(c.lanes.len(), 3);
    assert_eq!(c.lanes[0].position, w.streams[0].shards[0].log_end);
    assert!(c.lanes[1].records_read > 0 && c.lanes[2].records_read > 0);
}

#[test]
fn split_at_a_chosen_hash_key() {
    let mut w = world(HOT_SHARD);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000",
            "new_starting_hash_key": "1000"}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 100);
    let shards = &w.streams[0].shards;
    assert_eq!(
        (shards[1].starting_hash_key, shards[1].ending_hash_key),
        (0, 999)
    );
    assert_eq!(shards[2].starting_hash_key, 1000);
    // Nearly every key hashes above 1000: the second child takes the traffic.
    assert!(shards[2].incoming_records_total > 100);
}

#[test]
fn merging_two_adjacent_shards() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 3}}},
        "producers": [{"name": "p", "records_per_second": 300}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 2_000);
    let e = refused(
        &w,
        r#"{"type": "merge_shards", "shard_to_merge": "shardId-000000000000", "adjacent_shard_to_merge": "shardId-000000000002"}"#,
    );
    assert!(e.contains("are not adjacent"), "{e}");
    send(
        &mut w,
        r#"{"type": "merge_shards", "shard_to_merge": "shardId-000000000001", "adjacent_shard_to_merge": "shardId-000000000002"}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 5_000);
    let shards = &w.streams[0].shards;
    assert_eq!(shards.len(), 4);
    assert_eq!(shards[3].parents, vec![1, 2]);
    assert_eq!(shards[3].starting_hash_key, shards[1].starting_hash_key);
    assert_eq!(shards[3].ending_hash_key, u128::MAX);
    assert_eq!(w.streams[0].open_count(), 2);
    assert!(shards[3].incoming_records_total > 0);
    assert_eq!(shards[1].state, ShardState::Closed);
}

#[test]
fn update_shard_count_is_uniform_and_within_its_limits() {
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 4}}},
        "producers": [{"name": "p", "records_per_second": 100}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    let e = refused(
        &w,
        r#"{"type": "update_shard_count", "target_shard_count": 9}"#,
    );
    assert!(e.contains("9 is out of range 2..=8"), "{e}");
    let e = refused(
        &w,
        r#"{"type": "update_shard_count", "target_shard_count": 1}"#,
    );
    assert!(e.contains("out of range 2..=8"), "{e}");
    send(
        &mut w,
        r#"{"type": "update_shard_count", "target_shard_count": 6}"#,
    );
    w.step();
    let e = refused(
        &w,
        r#"{"type": "update_shard_count", "target_shard_count": 5}"#,
    );
    assert!(e.contains("UPDATING"), "{e}");
    run_balanced(&mut w, RESHARD_MS);
    let s = &w.streams[0];
    assert_eq!(s.open_count(), 6);
    let open: Vec<_> = s
        .shards
        .iter()
        .filter(|x| x.state == ShardState::Open)
        .collect();
    assert_eq!(open[0].starting_hash_key, 0);
    assert_eq!(open[5].ending_hash_key, u128::MAX);
    // Sixths against quarters: the second new shard, [1/6, 2/6), overlaps old shards 0 and 1;
    // the third, [2/6, 3/6), lies inside old shard 1.
    assert_eq!(open[1].parents, vec![0, 1]);
    assert_eq!(open[2].parents, vec![1]);
    // Nine more in the same day are fine; the eleventh is refused.
    let mut n = 6u32;
    for i in 0..9 {
        n = if i % 2 == 0 { n + 1 } else { n - 1 };
        send(
            &mut w,
            &format!(r#"{{"type": "update_shard_count", "target_shard_count": {n}}}"#),
        );
        run_balanced(&mut w, RESHARD_MS + 1_000);
        assert_eq!(w.streams[0].open_count(), n as usize);
    }
    let e = refused(
        &w,
        r#"{"type": "update_shard_count", "target_shard_count": 8}"#,
    );
    assert!(e.contains("at most 10 times in 24 hours"), "{e}");
}

#[test]
fn closed_parents_expire_after_the_retention_period() {
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}},
        "producers": [{"name": "p", "records_per_second": 5}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    run_balanced(&mut w, 10_000);
    assert_eq!(w.streams[0].shards[0].state, ShardState::Closed);
    run_balanced(&mut w, 24 * 3_600_000);
    assert_eq!(w.streams[0].shards[0].state, ShardState::Expired);
    assert_eq!(w.ledger().expired_unread, 0);
}

#[test]
fn resharding_is_refused_for_on_demand_streams_and_closed_shards() {
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"stream_mode_details": {"stream_mode": "ON_DEMAND"}}}}}"#;
    let w = world(text);
    let e = refused(
        &w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    assert!(e.contains("ON_DEMAND"), "{e}");

    let mut w = world(HOT_SHARD);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 100);
    let e = refused(
        &w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    assert!(e.contains("is CLOSED"), "{e}");
    let e = refused(
        &w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000009"}"#,
    );
    assert!(e.contains("is not a shard"), "{e}");
    let e = refused(
        &w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000001", "new_starting_hash_key": "0"}"#,
    );
    assert!(e.contains("new_starting_hash_key: 0 is outside"), "{e}");
}

#[test]
fn a_parents_first_consumer_waits_for_the_parent_and_a_naive_one_does_not() {
    // A slow poll interval leaves records unread in the parent when the children open.
    let text = |order: &str| {
        format!(
            r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}},
            "producers": [{{"name": "p", "records_per_second": 500}}],
            "consumers": [{{"name": "c", "poll_interval_ms": 4000, "max_records": 100, "shard_order": "{order}"}}]}}"#
        )
    };
    for (order, child_read_early) in [("parents_first", false), ("naive", true)] {
        let mut w = world(&text(order));
        send(
            &mut w,
            r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
        );
        run_balanced(&mut w, RESHARD_MS + 8_000);
        let parent_left = w.streams[0].shards[0].log_end - w.consumers[0].lanes[0].position;
        assert!(
            parent_left > 0,
            "{order}: the parent still has unread records"
        );
        let child_read =
            w.consumers[0].lanes[1].records_read + w.consumers[0].lanes[2].records_read;
        assert_eq!(child_read > 0, child_read_early, "{order}");
    }
}

#[test]
fn resharding_replays_and_is_deterministic() {
    let run = || {
        let mut w = world(HOT_SHARD);
        w.run_for(3_000);
        send(
            &mut w,
            r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
        );
        w.run_for(8_000);
        send(
            &mut w,
            r#"{"type": "merge_shards", "shard_to_merge": "shardId-000000000001", "adjacent_shard_to_merge": "shardId-000000000002"}"#,
        );
        run_balanced(&mut w, 8_000);
        w
    };
    let a = run();
    assert_eq!(a.digest(), run().digest());
    let replay = serde_json::to_string(&a.replay_scenario()).unwrap();
    let mut b = world(&replay);
    while b.tick < a.tick {
        b.step();
    }
    assert_eq!(b.digest(), a.digest());
    assert_eq!(b.streams[0].shards.len(), 4);
}

#[test]
fn per_key_order_holds_across_a_split_for_parents_first_and_breaks_for_naive() {
    // Few keys, so every key has records in the parent and in a child; a slow poll leaves the
    // parent unread when the children open.
    let text = |order: &str| {
        format!(
            r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"shard_count": 1}}}}}},
            "producers": [{{"name": "p", "records_per_second": 400,
                           "partition_keys": {{"model": "uniform", "count": 20}}}}],
            "consumers": [{{"name": "c", "poll_interval_ms": 3000, "max_records": 300, "shard_order": "{order}"}}]}}"#
        )
    };
    for (order, broken) in [("parents_first", false), ("naive", true)] {
        let mut w = world(&text(order));
        run_balanced(&mut w, 2_000);
        send(
            &mut w,
            r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
        );
        run_balanced(&mut w, 60_000);
        let o = &w.consumers[0].order;
        assert_eq!(
            o.violations > 0,
            broken,
            "{order}: {} violations",
            o.violations
        );
        assert_eq!(o.duplicates, 0);
        assert_eq!(o.unchecked, 0);
        assert!(o.checked > 5_000, "{order}: checked {}", o.checked);
    }
}

#[test]
fn on_demand_splits_a_busy_shard_and_a_hot_key_still_throttles() {
    // 4 shards to start (4 MB/s); 3,000 records/s of 1 KB over many keys is about 750 KB/s a
    // shard: over 500 KB/s, so AWS splits them all after five minutes, and the throttling
    // ends. One key alone cannot go past one shard, split or not.
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"stream_mode_details": {"stream_mode": "ON_DEMAND"}}}},
        "producers": [{"name": "many", "records_per_second": 3000, "record_size_bytes": 1000,
                       "partition_keys": {"model": "uniform", "count": 10000}},
                      {"name": "one", "records_per_second": 1500, "record_size_bytes": 100,
                       "partition_keys": {"model": "list", "keys": ["hot"]}}],
        "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    run_balanced(&mut w, 299_000);
    assert_eq!(w.streams[0].open_count(), 4);
    run_balanced(&mut w, 2_000);
    assert_eq!(w.streams[0].status(), "UPDATING");
    assert!(w
        .notes()
        .iter()
        .any(|n| n.text.contains("of on-demand stream s")));
    run_balanced(&mut w, 40 * 60_000);
    let open = w.streams[0].open_count();
    assert!(open >= 6, "{open}");
    // The hot key's shard still throttles: 1,500 records/s of one key > 1,000.
    let hot_throttled = w.metrics[0].back().unwrap().write_throttled;
    assert!(hot_throttled >= 400, "{hot_throttled}");
    // Every other open shard has stopped throttling; only the hot key's still does.
    let throttling: Vec<_> = w.streams[0]
        .shards
        .iter()
        .filter(|s| s.state == ShardState::Open && s.last_second.write_throttled > 0)
        .collect();
    assert_eq!(throttling.len(), 1);
    let hot = streamsim::sim::base::hash::hash_key("hot");
    assert!(throttling[0].starting_hash_key <= hot && hot <= throttling[0].ending_hash_key);
}

#[test]
fn the_resharding_preset_splits_a_throttling_shard_kcl_in_order_naive_not() {
    let mut w = world(streamsim::sim::preset("resharding").unwrap());
    run_balanced(&mut w, 10_000);
    assert!(w.streams[0].shards[0].last_second.write_throttled > 0);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    run_balanced(&mut w, 30_000);
    let s = &w.streams[0];
    assert_eq!(
        s.shards[2].last_second.write_throttled + s.shards[3].last_second.write_throttled,
        0
    );
    assert!(
        s.shards[1].last_second.write_throttled > 0,
        "the other shard still throttles"
    );
    let (kcl, naive) = (&w.consumers[0], &w.consumers[1]);
    assert_eq!(kcl.order.violations, 0);
    assert!(naive.order.violations > 0);
    assert!(w.notes().iter().any(|n| n.text.contains("is ACTIVE again")));
}

#[test]
fn regression_a_shard_of_one_hash_key_cannot_be_split() {
    // Splitting the top one-key shard overflowed (a panic in debug builds).
    let mut w = world(HOT_SHARD);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000", "new_starting_hash_key": "340282366920938463463374607431768211455"}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 100);
    for json in [
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000002"}"#,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000002", "new_starting_hash_key": "5"}"#,
    ] {
        let e = refused(&w, json);
        assert!(
            e.contains("single hash key") || e.contains("is outside"),
            "{e}"
        );
    }
}

#[test]
fn regression_the_reshard_note_names_every_closed_parent() {
    // After UpdateShardCount the note named only the first new shard's parents.
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 4}}},
        "producers": [{"name": "p", "records_per_second": 100}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    send(
        &mut w,
        r#"{"type": "update_shard_count", "target_shard_count": 8}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 1_000);
    let note = w
        .notes()
        .iter()
        .find(|n| n.text.contains("is ACTIVE again"))
        .unwrap()
        .text
        .clone();
    for i in 0..4 {
        assert!(note.contains(&format!("shardId-00000000000{i}")), "{note}");
    }
    assert!(note.contains("shardId-000000000011 open"), "{note}");
}

fn open_shards(w: &streamsim::sim::World) -> Vec<&streamsim::sim::stream::Shard> {
    let mut open: Vec<_> = w.streams[0]
        .shards
        .iter()
        .filter(|s| s.state == ShardState::Open)
        .collect();
    open.sort_by_key(|s| s.starting_hash_key);
    open
}

#[test]
fn regression_update_shard_count_doubles_by_splitting_every_shard_in_two() {
    // AWS's UNIFORM_SCALING from 4 to 8 splits each shard exactly in two; the even split of 8
    // used to give three children that straddled two parents by one hash key.
    let text = r#"{"tick_ms": 1000, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 4}}},
        "producers": [{"name": "p", "records_per_second": 100}], "consumers": [{"name": "c"}]}"#;
    let mut w = world(text);
    send(
        &mut w,
        r#"{"type": "update_shard_count", "target_shard_count": 8}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 1_000);
    let open = open_shards(&w);
    assert_eq!(open.len(), 8);
    let first: Vec<(u128, u128)> = w.streams[0].shards[..4]
        .iter()
        .map(|s| (s.starting_hash_key, s.ending_hash_key))
        .collect();
    for (k, pair) in open.chunks(2).enumerate() {
        assert_eq!(pair[0].parents, vec![k as u32]);
        assert_eq!(pair[1].parents, vec![k as u32]);
        assert_eq!(pair[0].starting_hash_key, first[k].0);
        assert_eq!(pair[0].ending_hash_key + 1, pair[1].starting_hash_key);
        assert_eq!(pair[1].ending_hash_key, first[k].1);
    }
    // And back: halving merges neighbouring pairs into the original ranges.
    send(
        &mut w,
        r#"{"type": "update_shard_count", "target_shard_count": 4}"#,
    );
    run_balanced(&mut w, RESHARD_MS + 1_000);
    let open = open_shards(&w);
    assert_eq!(open.len(), 4);
    for (k, s) in open.iter().enumerate() {
        let (a, b) = (4 + 2 * k as u32, 5 + 2 * k as u32);
        assert_eq!(s.parents, vec![a, b]);
        assert_eq!((s.starting_hash_key, s.ending_hash_key), first[k]);
    }
    assert_eq!(w.ledger().expired_unread, 0);
}

#[test]
fn regression_on_demand_stops_throttling_within_15_minutes_of_tenfold_traffic() {
    // AWS splits hot shards of an on-demand stream "within ~15 minutes", several at once. One
    // split per five sustained minutes still throttled 20 minutes after traffic grew tenfold.
    let mut w = world(streamsim::sim::preset("on-demand").unwrap());
    run_balanced(&mut w, 60_000 + 15 * 60_000);
    let from = w.metrics[0].len();
    run_balanced(&mut w, 5 * 60_000);
    let throttled: u64 = w.metrics[0]
        .iter()
        .skip(from)
        .map(|s| s.write_throttled)
        .sum();
    assert_eq!(throttled, 0);
    // It did throttle after the jump, and more than one shard was split at a time.
    assert!(w.metrics[0].iter().map(|s| s.write_throttled).sum::<u64>() > 0);
    assert!(w
        .notes()
        .iter()
        .any(|n| n.kind == "on_demand" && n.text.contains(" and ")));
    assert!(w.streams[0].open_count() >= 8);
}
