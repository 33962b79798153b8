//! One tick, `[now, now + tick_ms)`, as a short list of named phases. The order is the model:
//! each phase says why it runs where it does.
//!
//! 1. [`apply_commands`](World::apply_commands): commands queued since the last tick, then the
//!    scenario's commands that are due;
//! 2. [`finish_reshards`](World::finish_reshards): reshardings whose few seconds are over
//!    close their parents and open their children;
//! 3. [`start_consumers`](World::start_consumers): consumers whose start time has come take
//!    their shard iterators;
//! 4. [`run_lambdas`](World::run_lambdas): trigger invocations that ended are settled, new
//!    batches start;
//! 5. [`run_firehoses`](World::run_firehoses): transforms settle, buffers whose interval has
//!    passed are delivered, waiting objects are written to S3, batch jobs that are due run;
//! 6. [`balance_leases`](World::balance_leases): KCL leases are renewed or taken over;
//! 7. [`expire_records`](World::expire_records): retention trims old runs of records;
//! 8. [`make_entries`](World::make_entries): producers make this tick's entries (new records,
//!    PutRecords batches, retries due), merged in time order;
//! 9. [`push_fan_out`](World::push_fan_out): enhanced fan-out subscriptions get what arrived at
//!    least 70 ms ago;
//! 10. [`plan_polls`](World::plan_polls): the GetRecords calls due in the tick;
//! 11. [`carry_out`](World::carry_out): entries and polls in time order — a poll at `t` sees
//!     the records that arrived before `t`; each entry is routed, admitted or throttled;
//! 12. [`advance_frontiers`](World::advance_frontiers): each shard's read frontier moves to its
//!     slowest reader;
//! 13. [`advance_time`](World::advance_time): time moves on a tick; a second that has just
//!     ended is closed into the per-second metrics (throttling notes, on-demand scaling).
//!
//! Debug builds then check the invariants (the ledger balances, every delivery stream and
//! every trigger accounts for each record it took).

use super::metrics::StreamSecond;
use super::notes::kind;
use super::state::{Poll, ProducerLines, World};
use crate::sim::base::limits::{
    ACCOUNT_OPEN_SHARDS_MAX, IDS_PER_SHARD_MAX, IDS_TOTAL_MAX, METRIC_SECONDS_KEPT,
    WRITE_BYTES_PER_SECOND, WRITE_RECORDS_PER_SECOND,
};
use crate::sim::base::text::{list_words, plural};
use crate::sim::command::ScheduledCommand;
use crate::sim::consumer::ConsumerKind;
use crate::sim::stream::{SecondCounters, ShardState};

impl World {
    /// Advances one tick (see the phase order at the top of this file).
    pub fn step(&mut self) {
        let now = self.now_ms;
        let end = now + self.tick_ms;
        // A user's action takes effect at the tick boundary, before anything moves.
        self.apply_commands(now);
        // Children must be open before anyone routes a record or polls in this tick.
        self.finish_reshards(now);
        // A consumer takes its iterators at its start time, before its first poll.
        self.start_consumers(now);
        // Invocations that ended free their slots (and records) before new reads queue more.
        self.run_lambdas(now);
        // Deliveries due at the tick's start; a batch job sees what landed before it runs.
        self.run_firehoses(now);
        // Failover is decided before this tick's polls, so a taken lease is polled at once.
        self.balance_leases(now);
        // Records past retention are gone before anyone reads in this tick.
        self.expire_records(now);
        let mut entries = self.make_entries(now);
        // Pushes of what arrived by the tick's start; this tick's entries are not admitted yet.
        self.push_fan_out(now);
        let mut polls = self.plan_polls(now, end);
        self.carry_out(&entries, &polls, now);
        // Scratch space kept for the next tick.
        entries.clear();
        polls.clear();
        self.entries = entries;
        self.polls = polls;
        // Frontiers after every read of the tick, so the ledger counts them read.
        self.advance_frontiers(end);
        self.advance_time(end);
        self.check_invariants();
    }

    fn apply_commands(&mut self, now: u64) {
        for c in self.take_queued() {
            self.apply(c);
        }
        while let Some(ScheduledCommand { at_ms, command }) =
            self.scenario.commands.get(self.next_scheduled).cloned()
        {
            if at_ms > now {
                break;
            }
            self.next_scheduled += 1;
            self.apply(command);
        }
    }

    fn finish_reshards(&mut self, now: u64) {
        for si in 0..self.streams.len() {
            let new = self.streams[si].finish_reshard(now);
            if new.is_empty() {
                continue;
            }
            self.layout_version += 1;
            for c in self.consumers.iter_mut().filter(|c| c.stream == si) {
                c.add_lanes(new.len(), now);
            }
            let s = &self.streams[si];
            let ids: Vec<String> = new.iter().map(|&i| s.shards[i].shard_id()).collect();
            // Every parent the new shards have (a split has one, a merge two, UpdateShardCount
            // all the shards that were open).
            let mut parents: Vec<u32> = new
                .iter()
                .flat_map(|&i| s.shards[i].parents.clone())
                .collect();
            parents.sort_unstable();
            parents.dedup();
            let parents: Vec<String> = parents
                .iter()
                .map(|&p| s.shards[p as usize].shard_id())
                .collect();
            let text = format!(
                "{} is ACTIVE again: {} closed (still readable until its records expire), {} open",
                s.name,
                list_words(&parents),
                list_words(&ids)
            );
            self.note(kind::RESHARD, text);
        }
    }

    fn start_consumers(&mut self, now: u64) {
        for c in self.consumers.iter_mut().filter(|c| !c.started) {
            if now >= c.cfg.start_at_ms {
                c.start(&self.streams[c.stream].shards);
            }
        }
    }

    fn run_firehoses(&mut self, now: u64) {
        let lines = ProducerLines(&self.producers);
        let mut outcomes = Vec::new();
        for f in &mut self.firehoses {
            outcomes.push((f.cfg.name.clone(), f.tick(now, &lines)));
        }
        let mut runs = Vec::new();
        for f in &mut self.firehoses {
            if let Some(run) = f.run_batch_job(now) {
                runs.push(run);
            }
        }
        for (name, n, worst) in runs.into_iter().filter(|r| r.1 > 0) {
            self.note(kind::BATCH, format!(
                "batch job {name} ran over the lake: {} — the oldest event behind them happened {} s ago",
                plural(n, "alert"),
                worst / 1000
            ));
        }
        for (name, o) in outcomes {
            for text in o.notes(&name) {
                self.note(kind::FIREHOSE, text);
            }
        }
    }

    fn balance_leases(&mut self, now: u64) {
        for ci in 0..self.consumers.len() {
            let si = self.consumers[ci].stream;
            let moved = self.consumers[ci].balance_leases(now, &self.streams[si].shards);
            for t in moved {
                let c = &self.consumers[ci];
                let shard = self.streams[c.stream].shards[t.shard].shard_id();
                let text = format!(
                    "worker-{} of {} took over {shard} from worker-{} at its checkpoint: {} will be processed again",
                    t.to,
                    c.cfg.name,
                    t.from.unwrap_or(0),
                    plural(t.reprocess, "record")
                );
                self.note(kind::WORKER, text);
            }
        }
    }

    fn expire_records(&mut self, now: u64) {
        for s in &mut self.streams {
            let retention = s.retention_ms;
            for sh in &mut s.shards {
                if sh.expire(now, retention) > 0 {
                    sh.clamp_frontier();
                }
            }
            s.expire_closed(now);
        }
        // A reader whose next record has expired loses what lay between.
        for c in &mut self.consumers {
            for (lane, sh) in c.lanes.iter_mut().zip(&self.streams[c.stream].shards) {
                if lane.position < sh.log_start {
                    lane.expired_unread += sh.log_start - lane.position;
                    lane.position = sh.log_start;
                }
            }
        }
    }

    fn make_entries(&mut self, now: u64) -> Vec<crate::sim::producer::Entry> {
        let mut entries = std::mem::take(&mut self.entries);
        for p in &mut self.producers {
            p.emit(
                now,
                self.tick_ms,
                p.stream.map(|s| &self.streams[s]),
                &mut entries,
            );
        }
        if self.producers.len() > 1 {
            // Each producer's entries are in time order; a stable sort merges them, producers
            // in index order at equal times.
            entries.sort_by_key(|e| e.t_ms);
        }
        entries
    }

    fn plan_polls(&mut self, now: u64, end: u64) -> Vec<Poll> {
        let mut polls = std::mem::take(&mut self.polls);
        for c in self
            .consumers
            .iter()
            .filter(|c| c.cfg.kind != ConsumerKind::EnhancedFanOut)
        {
            let shards = &self.streams[c.stream].shards;
            for (s, lane) in c.lanes.iter().enumerate() {
                let wants = c.lambda.as_ref().is_none_or(|l| l.wants_more(s));
                if lane.next_poll_ms < end && c.may_read(s, shards) && c.has_live_worker(s) && wants
                {
                    polls.push(Poll {
                        t_ms: lane.next_poll_ms.max(now),
                        consumer: c.index,
                        shard: s as u32,
                    });
                }
            }
        }
        polls.sort_by_key(|p| (p.t_ms, p.consumer, p.shard));
        polls
    }

    fn carry_out(&mut self, entries: &[crate::sim::producer::Entry], polls: &[Poll], now: u64) {
        let mut next_poll = 0;
        let mut open_retry: Option<(u16, u32, u64)> = None;
        for e in entries {
            while next_poll < polls.len() && polls[next_poll].t_ms <= e.t_ms {
                self.poll(polls[next_poll]);
                next_poll += 1;
            }
            self.put(e, now, &mut open_retry);
        }
        for &p in &polls[next_poll..] {
            self.poll(p);
        }
    }

    fn advance_frontiers(&mut self, end: u64) {
        for si in 0..self.streams.len() {
            for shi in 0..self.streams[si].shards.len() {
                let readers = || self.consumers.iter().filter(|c| c.stream == si);
                let slowest = readers().map(|c| c.delivered_to(shi)).min();
                let restart = readers().map(|c| c.restart_position(shi)).min();
                let sh = &mut self.streams[si].shards[shi];
                match (slowest, restart) {
                    (Some(f), Some(r)) => {
                        sh.advance_frontier(f, end);
                        // No consumer goes back below where it could restart: forget those ids.
                        sh.trim_ids_below(r);
                    }
                    // Nobody reads this stream: keep no identities.
                    _ => sh.trim_ids_below(sh.log_end),
                }
            }
        }
    }

    fn advance_time(&mut self, end: u64) {
        self.now_ms = end;
        self.tick += 1;
        if end % 1000 == 0 {
            self.close_second(end / 1000 - 1);
        }
    }

    /// Debug builds: the ledger balances, and every delivery stream and Lambda trigger accounts
    /// for each record it took in.
    fn check_invariants(&self) {
        if cfg!(debug_assertions) {
            let l = self.ledger();
            assert!(l.balanced(), "tick {}: ledger {l:?}", self.tick);
            for f in &self.firehoses {
                assert!(
                    f.conserves(),
                    "tick {}: {} lost count of records",
                    self.tick,
                    f.cfg.name
                );
            }
            for c in &self.consumers {
                if let Some(l) = &c.lambda {
                    assert!(
                        l.balanced(),
                        "tick {}: trigger {} lost count",
                        self.tick,
                        c.cfg.name
                    );
                }
            }
        }
    }

    fn close_second(&mut self, second: u64) {
        // Every shard still holding records keeps an equal share of the identities.
        let holding = self
            .streams
            .iter()
            .flat_map(|s| &s.shards)
            .filter(|sh| sh.state != ShardState::Expired)
            .count();
        let ids_kept = (IDS_TOTAL_MAX / holding.max(1)).min(IDS_PER_SHARD_MAX);
        for (si, s) in self.streams.iter_mut().enumerate() {
            let mut sum = SecondCounters::default();
            for sh in &mut s.shards {
                sum.add(&sh.close_second(second, ids_kept));
            }
            let m = &mut self.metrics[si];
            if m.len() == METRIC_SECONDS_KEPT {
                m.pop_front();
            }
            m.push_back(StreamSecond {
                second,
                incoming_records: sum.incoming_records,
                incoming_bytes: sum.incoming_bytes,
                write_throttled: sum.write_throttled,
                read_throttled: sum.read_throttled,
                iterator_age_ms: sum.iterator_age_ms_max,
            });
        }
        for p in &mut self.producers {
            p.close_second();
        }
        self.throttling_notes(second);
        for f in &mut self.firehoses {
            f.close_second(second, self.now_ms);
        }
        for si in 0..self.streams.len() {
            let open: usize = self.streams.iter().map(|s| s.open_count()).sum();
            let room = ACCOUNT_OPEN_SHARDS_MAX.saturating_sub(open);
            let hot = self.streams[si].on_demand_scale(self.now_ms, room);
            if !hot.is_empty() {
                let s = &self.streams[si];
                let ids: Vec<String> = hot.iter().map(|&i| s.shards[i].shard_id()).collect();
                let text = format!(
                    "AWS is splitting {} of on-demand stream {}: {} over 500 KB/s or throttled for 5 minutes",
                    list_words(&ids),
                    s.name,
                    if ids.len() == 1 { "it took" } else { "each took" }
                );
                self.layout_version += 1;
                self.note(kind::ON_DEMAND, text);
            }
        }
    }

    /// Notes when a shard starts or stops throttling, naming a key that takes much of it.
    fn throttling_notes(&mut self, second: u64) {
        let mut notes = Vec::new();
        for s in &mut self.streams {
            for sh in &mut s.shards {
                let c = sh.last_second;
                let now = c.write_throttled > 0;
                // A shard near its limit throttles on and off: "stopped" only after five calm
                // seconds, so the feed tells episodes, not every second.
                sh.calm_seconds = if now {
                    0
                } else {
                    sh.calm_seconds.saturating_add(1)
                };
                if !now {
                    if sh.throttling && sh.calm_seconds >= 5 {
                        sh.throttling = false;
                        notes.push(format!("{} stopped throttling", sh.shard_id()));
                    }
                    continue;
                }
                if sh.throttling {
                    continue;
                }
                sh.throttling = true;
                notes.push(throttle_text(sh, second, &self.producers));
            }
        }
        for n in notes {
            self.note(kind::THROTTLE, n);
        }
    }

    /// Lambda mappings: invocations that ended are settled, new batches start.
    fn run_lambdas(&mut self, now: u64) {
        for ci in 0..self.consumers.len() {
            let Some(mut l) = self.consumers[ci].lambda.take() else {
                continue;
            };
            let si = self.consumers[ci].stream;
            let done = l.tick(now, &self.streams[si].shards);
            let name = l.esm.function_name.clone();
            self.consumers[ci].lambda = Some(l);
            for (s, expired) in done.expired {
                self.consumers[ci].lanes[s].expired_unread += expired;
            }
            for (s, indices) in done.succeeded {
                self.lambda_succeeded(ci, s, indices, now);
            }
            for (s, failures) in done.stuck {
                let shard = self.streams[si].shards[s].shard_id();
                self.note(kind::LAMBDA, format!(
                    "the Lambda trigger of {name} on {shard} is stuck retrying one batch ({failures} failures so far): the shard's later records wait behind it"
                ));
            }
            for (s, n) in done.discarded {
                let shard = self.streams[si].shards[s].shard_id();
                self.note(
                    kind::LAMBDA,
                    format!(
                        "{name} gave up a batch of {} on {shard}; the shard moves on",
                        plural(n, "record")
                    ),
                );
            }
            self.consumers[ci].lambda_lag(&self.streams[si].shards, now);
        }
    }

    /// A trigger's batch succeeded: its records are delivered, with their delays.
    fn lambda_succeeded(&mut self, ci: usize, s: usize, indices: Vec<u64>, now: u64) {
        let si = self.consumers[ci].stream;
        let shard = &self.streams[si].shards[s];
        let c = &mut self.consumers[ci];
        let lane = &mut c.lanes[s];
        lane.records_read += indices.len() as u64;
        // Batches are runs of neighbouring records: walk the runs, do not search each record.
        let mut arrivals = shard.arrivals(u64::MAX);
        for &i in &indices {
            let a = match shard.detail_of(i) {
                Some(d) => d.arrival_ms,
                None => arrivals.at(i).unwrap_or(now),
            };
            lane.delay_sum_ms += u128::from(now.saturating_sub(a));
        }
        c.process(s, indices.into_iter(), shard, &self.producers, now);
    }
}

/// "shardId-… is throttling: 1,500 records/s against a limit of 1,000 — the key "x" is hot".
fn throttle_text(
    sh: &crate::sim::stream::Shard,
    second: u64,
    producers: &[crate::sim::producer::Producer],
) -> String {
    let c = sh.last_second;
    let attempted = c.incoming_records + c.write_throttled;
    let mut text = if c.incoming_bytes * 1000 / WRITE_BYTES_PER_SECOND
        > c.incoming_records * 1000 / u64::from(WRITE_RECORDS_PER_SECOND)
    {
        format!(
            "{} is throttling: {} records/s were sent, and the {:.2} MiB it took fill its 1 MiB/s limit",
            sh.shard_id(),
            attempted,
            c.incoming_bytes as f64 / 1_048_576.0
        )
    } else {
        format!(
            "{} is throttling: {attempted} records/s against a limit of 1,000",
            sh.shard_id()
        )
    };
    // A hot key: one key with at least a quarter of the shard's newest records.
    let mut counts = std::collections::BTreeMap::new();
    let mut n = 0u64;
    for d in sh.details().filter(|d| d.arrival_ms / 1000 == second) {
        *counts.entry((d.producer, d.key)).or_insert(0u64) += 1;
        n += 1;
    }
    if let Some((&(p, k), &top)) = counts
        .iter()
        .max_by_key(|(id, c)| (**c, std::cmp::Reverse(**id)))
    {
        if n >= 20 && top * 4 >= n {
            let key = producers[p as usize].key_string(k);
            text.push_str(&format!(
                " — the key {key:?} is hot ({}% of its records)",
                top * 100 / n
            ));
        }
    }
    text
}
