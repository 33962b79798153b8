//! KCL applications: leases, checkpoints, failover, duplicates.

mod common;
use common::*;

use streamsim::sim::parse_command;

const APP: &str = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
    "producers": [{"name": "p", "records_per_second": 300, "partition_keys": {"model": "uniform", "count": 50}}],
    "consumers": [{"name": "app", "type": "kcl", "workers": 2, "checkpoint_every_records": 700,
                   "checkpoint_interval_ms": 3600000}]}"#;

#[test]
fn leases_are_spread_over_the_workers() {
    let mut w = world(APP);
    run_balanced(&mut w, 5_000);
    let k = w.consumers[0].kcl.as_ref().unwrap();
    let owners: Vec<_> = k.leases.iter().map(|l| l.owner).collect();
    assert_eq!(owners, vec![Some(1), Some(2)]);
    assert!(w.consumers[0].records_read() > 1_000);
}

#[test]
fn a_worker_crash_reprocesses_exactly_the_records_since_the_last_checkpoint() {
    let mut w = world(APP);
    run_balanced(&mut w, 20_300);
    let (delivered, checkpoint) = {
        let c = &w.consumers[0];
        let k = c.kcl.as_ref().unwrap();
        (c.lanes[0].delivered_end, k.leases[0].checkpoint)
    };
    assert!(
        delivered > checkpoint,
        "some records are past the checkpoint"
    );
    send(
        &mut w,
        r#"{"type": "crash_worker", "consumer": "app", "worker": 1}"#,
    );
    // Within the failover time, nobody processes shard 0: the records pile up.
    run_balanced(&mut w, 9_000);
    assert_eq!(w.consumers[0].lanes[0].delivered_end, delivered);
    assert_eq!(
        w.consumers[0].kcl.as_ref().unwrap().leases[0].owner,
        Some(1)
    );
    run_balanced(&mut w, 20_000);
    let c = &w.consumers[0];
    let k = c.kcl.as_ref().unwrap();
    assert_eq!(k.leases[0].owner, Some(2), "worker 2 took the lease over");
    assert_eq!(c.order.duplicates, delivered - checkpoint);
    assert_eq!(c.order.violations, 0);
    let note = w
        .notes()
        .iter()
        .find(|n| n.text.contains("took over"))
        .expect("a note");
    assert_eq!(
        note.text,
        format!(
            "worker-2 of app took over shardId-000000000000 from worker-1 at its checkpoint: {} records will be processed again",
            delivered - checkpoint
        )
    );
    assert_eq!(note.kind, "worker");
    // The page sees the workers and who holds how many leases.
    let r = &streamsim::sim::report::Report::consumers_of(&w)[0];
    let workers = r.workers.as_ref().unwrap();
    assert_eq!((workers[0].alive, workers[0].leases), (false, 0));
    assert_eq!((workers[1].alive, workers[1].leases), (true, 2));
    // The worker had caught up again: nothing lost, nothing unread beyond a poll's worth.
    assert!(w.streams[0].shards[0].log_end - c.lanes[0].position < 1_000);
}

#[test]
fn with_every_worker_down_the_shards_wait_and_a_restarted_worker_takes_them() {
    let mut w = world(APP);
    run_balanced(&mut w, 5_000);
    send(
        &mut w,
        r#"{"type": "crash_worker", "consumer": "app", "worker": 1}"#,
    );
    send(
        &mut w,
        r#"{"type": "crash_worker", "consumer": "app", "worker": 2}"#,
    );
    run_balanced(&mut w, 30_000);
    let read = w.consumers[0].records_read();
    run_balanced(&mut w, 5_000);
    assert_eq!(
        w.consumers[0].records_read(),
        read,
        "no live worker, no reads"
    );
    send(
        &mut w,
        r#"{"type": "restart_worker", "consumer": "app", "worker": 2}"#,
    );
    run_balanced(&mut w, 10_000);
    let k = w.consumers[0].kcl.as_ref().unwrap();
    assert!(k.leases.iter().all(|l| l.owner == Some(2)));
    assert!(w.consumers[0].records_read() > read);
}

#[test]
fn kcl_follows_parents_first_across_a_split() {
    let mut w = world(APP);
    run_balanced(&mut w, 3_000);
    send(
        &mut w,
        r#"{"type": "split_shard", "shard_to_split": "shardId-000000000000"}"#,
    );
    run_balanced(&mut w, 30_000);
    let c = &w.consumers[0];
    let k = c.kcl.as_ref().unwrap();
    assert_eq!(k.leases.len(), 4);
    // The parent was checkpointed at its end (SHARD_END), and its children are being read.
    assert_eq!(k.leases[0].checkpoint, w.streams[0].shards[0].log_end);
    assert!(c.lanes[2].records_read > 0 && c.lanes[3].records_read > 0);
    assert_eq!(c.order.violations, 0);
}

#[test]
fn worker_commands_are_checked() {
    let w = world(APP);
    for (json, needle) in [
        (
            r#"{"type": "crash_worker", "consumer": "app", "worker": 3}"#,
            "worker: 3 is out of range 1..=2",
        ),
        (
            r#"{"type": "crash_worker", "consumer": "nope", "worker": 1}"#,
            "\"nope\" is not a consumer",
        ),
    ] {
        let e = parse_command(json, &w).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 1}}}, "consumers": [{"name": "c"}]}"#;
    let w = world(text);
    let e = parse_command(
        r#"{"type": "crash_worker", "consumer": "c", "worker": 1}"#,
        &w,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("is not a KCL application"), "{e}");
}

#[test]
fn a_crash_replays_from_the_replay_file() {
    let mut w = world(APP);
    run_balanced(&mut w, 4_000);
    send(
        &mut w,
        r#"{"type": "crash_worker", "consumer": "app", "worker": 1}"#,
    );
    run_balanced(&mut w, 15_000);
    let replay = serde_json::to_string(&w.replay_scenario()).unwrap();
    let mut again = world(&replay);
    while again.tick < w.tick {
        again.step();
    }
    assert_eq!(again.digest(), w.digest());
}

#[test]
fn regression_a_worker_restarted_within_the_failover_time_resumes_from_its_checkpoint() {
    let mut w = world(APP);
    run_balanced(&mut w, 20_300);
    let (delivered, checkpoint) = {
        let c = &w.consumers[0];
        (
            c.lanes[0].delivered_end,
            c.kcl.as_ref().unwrap().leases[0].checkpoint,
        )
    };
    send(
        &mut w,
        r#"{"type": "crash_worker", "consumer": "app", "worker": 1}"#,
    );
    run_balanced(&mut w, 3_000);
    send(
        &mut w,
        r#"{"type": "restart_worker", "consumer": "app", "worker": 1}"#,
    );
    run_balanced(&mut w, 20_000);
    let c = &w.consumers[0];
    assert_eq!(c.kcl.as_ref().unwrap().leases[0].owner, Some(1));
    assert_eq!(c.order.duplicates, delivered - checkpoint);
    assert!(w.notes().iter().any(|n| n
        .text
        .contains("restarts shardId-000000000000 from its checkpoint")));
}
