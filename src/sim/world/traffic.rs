//! The traffic of one tick: each entry of a put request routed and admitted (or throttled,
//! retried, dropped), each GetRecords call within the read limits, each enhanced fan-out push,
//! and what a Firehose reading the stream takes from them.

use super::notes::WriteEventKind;
use super::state::{Poll, ProducerLines, World};
use crate::sim::app::Seen;
use crate::sim::base::content::Lazy;
use crate::sim::base::limits::{
    FAN_OUT_PROPAGATION_MS, FIREHOSE_RECORD_BYTES_MAX, POLL_JITTER_MS, RECORD_BYTES_MAX,
};
use crate::sim::base::rng::mix64;
use crate::sim::consumer::ConsumerKind;
use crate::sim::firehose::object::LakeValues;
use crate::sim::firehose::{Firehose, Sample};
use crate::sim::lambda::Queued;
use crate::sim::producer::{Entry, Pending, Producer};
use crate::sim::stream::{Detail, ReadOutcome, RecordId, ShardState};

impl World {
    /// One entry of one put request.
    pub(super) fn put(
        &mut self,
        e: &Entry,
        tick_start: u64,
        open_retry: &mut Option<(u16, u32, u64)>,
    ) {
        let pi = e.producer as usize;
        let p = &mut self.producers[pi];
        p.totals.attempted += 1;
        p.current.attempted += 1;
        let colour = e.info.colour();
        let (admitted, lane) = match (p.stream, p.firehose) {
            (Some(si), _) => match self.admit_to_stream(e, si, tick_start) {
                Some(x) => x,
                None => return, // too large: dropped
            },
            (None, Some(fi)) => {
                let bytes = u64::from(e.record.size_bytes);
                // Firehose takes records of at most 1,000 KiB.
                if bytes > FIREHOSE_RECORD_BYTES_MAX {
                    self.drop_too_large(e, None, colour);
                    return;
                }
                let tick = tick_start;
                let ok =
                    self.firehoses[fi].try_direct_put(e.t_ms, bytes, (e.producer, e.request, tick));
                if ok {
                    self.firehose_receive(
                        fi,
                        e.t_ms,
                        bytes,
                        e.t_ms,
                        Some(RecordId {
                            producer: e.producer,
                            rec_no: e.record.rec_no,
                            key: e.record.key,
                        }),
                    );
                }
                (ok, None)
            }
            (None, None) => unreachable!("a producer has a target"),
        };
        if admitted {
            let p = &mut self.producers[pi];
            p.totals.accepted += 1;
            p.current.accepted += 1;
            if e.attempt > 1 {
                p.accepted_on_retry += 1;
                if let Some(lane) = lane {
                    self.feeds.event(
                        e.t_ms,
                        e.producer,
                        lane,
                        WriteEventKind::AcceptedOnRetry,
                        colour,
                    );
                }
            }
            return;
        }
        self.throttled(e, lane, colour, open_retry);
    }

    /// A record over the size limit: InvalidArgumentException, never retried.
    fn drop_too_large(&mut self, e: &Entry, lane: Option<u32>, colour: u32) {
        let p = &mut self.producers[e.producer as usize];
        p.dropped_too_large += 1;
        p.totals.dropped += 1;
        p.current.dropped += 1;
        if let Some(lane) = lane {
            self.feeds
                .event(e.t_ms, e.producer, lane, WriteEventKind::Dropped, colour);
        }
    }

    /// A record reaching a Firehose (from its stream or by Direct PUT): see [`firehose_receive`].
    fn firehose_receive(
        &mut self,
        fi: usize,
        t_ms: u64,
        bytes: u64,
        arrival_ms: u64,
        id: Option<RecordId>,
    ) {
        let f = &mut self.firehoses[fi];
        firehose_receive(f, &self.producers, t_ms, bytes, arrival_ms, id);
    }

    /// Admission of a record to stream `si`: Some((accepted, lane)), or None when it was too
    /// large and has been dropped.
    fn admit_to_stream(
        &mut self,
        e: &Entry,
        si: usize,
        tick_start: u64,
    ) -> Option<(bool, Option<u32>)> {
        let p = &mut self.producers[e.producer as usize];
        let mut info = e.info;
        if self.streams[si].shards[info.shard as usize].state != ShardState::Open {
            // Routed before a resharding closed its shard (a PutRecords batch was filling).
            info = p.lookup(e.record.key, Some(&self.streams[si]));
        }
        let bytes = u64::from(e.record.size_bytes) + u64::from(info.key_bytes);
        let colour = info.colour();
        let shard_i = info.shard as usize;
        let lane = self.lane_of(si, shard_i);
        if bytes > RECORD_BYTES_MAX {
            self.drop_too_large(e, Some(lane), colour);
            return None;
        }
        let shard = &mut self.streams[si].shards[shard_i];
        if !shard.try_admit(e.t_ms, bytes) {
            return Some((false, Some(lane)));
        }
        shard.append(
            e.t_ms,
            tick_start,
            bytes,
            Detail {
                index: 0,
                arrival_ms: e.t_ms,
                producer: e.producer,
                key: e.record.key,
                rec_no: e.record.rec_no,
                size_bytes: e.record.size_bytes,
                key_colour: colour,
                read_at_ms: u64::MAX,
            },
        );
        Some((true, Some(lane)))
    }

    /// A throttled entry: retried after a backoff, or dropped when its attempts are used up.
    fn throttled(
        &mut self,
        e: &Entry,
        lane: Option<u32>,
        colour: u32,
        open_retry: &mut Option<(u16, u32, u64)>,
    ) {
        let pi = e.producer as usize;
        let p = &mut self.producers[pi];
        p.totals.throttled += 1;
        p.current.throttled += 1;
        if e.attempt >= p.cfg.retry.max_attempts {
            p.dropped_retries_exhausted += 1;
            p.totals.dropped += 1;
            p.current.dropped += 1;
            if let Some(lane) = lane {
                self.feeds
                    .event(e.t_ms, e.producer, lane, WriteEventKind::Dropped, colour);
            }
            return;
        }
        let record: Pending = e.record;
        match *open_retry {
            // Another failed entry of the same request: it waits with the others.
            Some((prod, req, due)) if prod == e.producer && req == e.request => {
                p.extend_last_retry(due, record);
            }
            _ => {
                let due = e.t_ms + 1 + p.backoff_ms(e.attempt);
                p.schedule_retry(due, e.attempt + 1, vec![record]);
                *open_retry = Some((e.producer, e.request, due));
            }
        }
        if let Some(lane) = lane {
            self.feeds
                .event(e.t_ms, e.producer, lane, WriteEventKind::Throttled, colour);
        }
    }

    /// One GetRecords call.
    pub(super) fn poll(&mut self, poll: Poll) {
        let ci = poll.consumer as usize;
        let s = poll.shard as usize;
        let limit = self.consumers[ci].allowance(s, poll.t_ms);
        let c = &mut self.consumers[ci];
        let shard = &mut self.streams[c.stream].shards[s];
        let lane = &mut c.lanes[s];
        lane.calls += 1;
        // Real pollers drift a little (timers, request times); without it two consumers whose
        // polls happen to line up would collide on the shard's read budget every time.
        let jitter =
            mix64((u64::from(poll.consumer) << 40) ^ (poll.shard as u64) << 20 ^ lane.calls)
                % POLL_JITTER_MS;
        lane.next_poll_ms = poll.t_ms + c.cfg.poll_interval_ms + jitter;
        if limit == 0 {
            return; // the processor is still busy with what it has: no call
        }
        let max_records = c.cfg.max_records.min(limit.min(u64::from(u32::MAX)) as u32);
        let from = lane.position.max(shard.log_start);
        match shard.get_records(poll.t_ms, &mut lane.position, max_records) {
            ReadOutcome::Throttled => lane.throttled_calls += 1,
            ReadOutcome::Records(taken) => {
                let to = lane.position;
                lane.iterator_age_ms = match taken.last_arrival_ms {
                    Some(a) if lane.position < shard.log_end => poll.t_ms - a,
                    // Caught up: the call returned everything up to the tip.
                    _ => 0,
                };
                shard.current.iterator_age_ms_max =
                    shard.current.iterator_age_ms_max.max(lane.iterator_age_ms);
                if c.lambda.is_none() {
                    c.delivered(s, poll.t_ms, &taken, 0);
                } else {
                    // A trigger's records count as delivered when its function has them.
                    c.lanes[s].bytes_read += taken.bytes;
                }
                if let Some(l) = &mut c.lambda {
                    // The mapping queues what it read; the function gets it in batches.
                    let bytes = taken.bytes / taken.count.max(1);
                    for i in from..to {
                        let (key_hash, poison) = match shard.id_of(i) {
                            Some(id) => {
                                let p = &self.producers[id.producer as usize];
                                let poison = p.poison.contains(&id.rec_no)
                                    || (!l.function.poison_partition_keys.is_empty()
                                        && l.function
                                            .poison_partition_keys
                                            .contains(&p.key_string(id.key)));
                                ((u64::from(id.producer) << 48) ^ id.key, poison)
                            }
                            None => (i, false),
                        };
                        l.enqueue(
                            s,
                            Queued {
                                index: i,
                                bytes,
                                poison,
                            },
                            key_hash,
                        );
                    }
                } else {
                    c.process(s, from..to, shard, &self.producers, poll.t_ms);
                }
                if let Some(fi) = c.firehose {
                    // Record by record, so the lake's sums and a batch job's flags are exact;
                    // a read's bytes are shared evenly (records of a run keep no sizes).
                    let f = &mut self.firehoses[fi];
                    let mut share = EvenShare::new(taken.bytes, to - from);
                    let mut arrivals = shard.arrivals(from);
                    for i in from..to {
                        let bytes = share.next_part();
                        let arrival = arrivals.next_arrival().unwrap_or(poll.t_ms);
                        let id = shard.id_of(i).copied();
                        // The shard counted the partition key; Firehose keeps only the data.
                        let key_bytes = id.map_or(0, |id| {
                            self.producers[id.producer as usize].cached_key_bytes(id.key)
                        });
                        let bytes = bytes.saturating_sub(key_bytes);
                        firehose_receive(f, &self.producers, poll.t_ms, bytes, arrival, id);
                    }
                }
                c.maybe_checkpoint(s, poll.t_ms, taken.count, shard);
            }
        }
    }

    /// Enhanced fan-out: every subscription gets what arrived at least 70 ms ago, within its own
    /// 2 MiB/s per shard.
    pub(super) fn push_fan_out(&mut self, now: u64) {
        for ci in 0..self.consumers.len() {
            if self.consumers[ci].cfg.kind != ConsumerKind::EnhancedFanOut {
                continue;
            }
            let si = self.consumers[ci].stream;
            for s in 0..self.consumers[ci].lanes.len() {
                if !self.consumers[ci].may_read(s, &self.streams[si].shards) {
                    continue;
                }
                let limit = self.consumers[ci].allowance(s, now);
                let c = &mut self.consumers[ci];
                let shard = &self.streams[si].shards[s];
                let lane = &mut c.lanes[s];
                let busy_before_ms = lane.fan_out_busy_until_us / 1000;
                let from = lane.position.max(shard.log_start);
                let taken = shard.push_records(
                    now,
                    &mut lane.position,
                    &mut lane.fan_out_busy_until_us,
                    limit,
                    FAN_OUT_PROPAGATION_MS,
                );
                if taken.count == 0 {
                    if lane.position >= shard.log_end {
                        lane.iterator_age_ms = 0;
                    }
                    continue;
                }
                lane.calls += 1;
                // Pushed continuously on AWS: a record reaches the subscriber 70 ms after it
                // arrived, or later when the subscription's 2 MiB/s is the bottleneck. The
                // tick only decides when the simulation writes it down.
                let mean_arrival = (taken.arrival_sum_ms / u128::from(taken.count)) as u64;
                let delivered_at = (mean_arrival + FAN_OUT_PROPAGATION_MS).max(busy_before_ms);
                let extra = delivered_at.saturating_sub(now);
                let at = delivered_at.min(now);
                lane.iterator_age_ms = match taken.last_arrival_ms {
                    Some(a) if lane.position < shard.log_end => now - a,
                    _ => 0,
                };
                let age = lane.iterator_age_ms;
                let to = lane.position;
                c.delivered(s, at, &taken, extra);
                c.process(s, from..to, shard, &self.producers, at + extra);
                let shard = &mut self.streams[si].shards[s];
                shard.current.iterator_age_ms_max = shard.current.iterator_age_ms_max.max(age);
            }
        }
    }
}

/// A record reaching a Firehose (from its stream or by Direct PUT): its amount for the lake's
/// sums, and what a batch job over the lake would flag in it. A record without its identity
/// (read beyond the identities its stream keeps) is only counted.
fn firehose_receive(
    f: &mut Firehose,
    producers: &[Producer],
    t_ms: u64,
    bytes: u64,
    arrival_ms: u64,
    id: Option<RecordId>,
) {
    let lines = ProducerLines(producers);
    let Some(RecordId {
        producer,
        rec_no,
        key,
    }) = id
    else {
        let record = Sample {
            producer: Sample::UNKNOWN,
            bytes: bytes as u32,
            rec_no: 0,
            key: 0,
            arrival_ms,
        };
        f.receive(t_ms, record, LakeValues::default(), None, &lines);
        return;
    };
    let producer = producer as usize;
    let p = &producers[producer];
    let content = Lazy {
        content_seed: p.content_seed,
        rec_no,
    };
    let flag = f.batch.as_mut().and_then(|b| {
        let key_string = || p.key_string(key);
        let seen = Seen {
            key_string: &key_string,
            content,
            arrival_ms,
        };
        b.flag(&seen, producer, p.key_space(), key)
    });
    let record = Sample {
        producer: producer as u16,
        bytes: bytes as u32,
        rec_no,
        key,
        arrival_ms,
    };
    let field = p.cfg.record_template.and_then(|t| t.field());
    f.receive(t_ms, record, LakeValues::of(field, content), flag, &lines);
}

/// `total` shared evenly over `n` parts, in integers: part `k` is
/// `total·(k+1)/n − total·k/n`, so the parts add up to `total` exactly. Kept as a quotient and a
/// running remainder, so a part costs an addition, not two divisions.
struct EvenShare {
    quotient: u64,
    remainder: u64,
    n: u64,
    /// `remainder·k mod n` after `k` parts.
    acc: u64,
}

impl EvenShare {
    fn new(total: u64, n: u64) -> Self {
        let n = n.max(1);
        Self {
            quotient: total / n,
            remainder: total % n,
            n,
            acc: 0,
        }
    }

    fn next_part(&mut self) -> u64 {
        self.acc += self.remainder;
        if self.acc >= self.n {
            self.acc -= self.n;
            self.quotient + 1
        } else {
            self.quotient
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EvenShare;

    #[test]
    fn even_shares_are_the_divisions_they_replaced_and_add_up() {
        for (total, n) in [
            (0, 1),
            (7, 3),
            (1_000, 7),
            (123_457, 500),
            (5, 9),
            (u32::MAX as u64, 13),
        ] {
            let mut share = EvenShare::new(total, n);
            let parts: Vec<u64> = (0..n).map(|_| share.next_part()).collect();
            let want: Vec<u64> = (0..n)
                .map(|k| total * (k + 1) / n - total * k / n)
                .collect();
            assert_eq!(parts, want, "{total} over {n}");
            assert_eq!(parts.iter().sum::<u64>(), total);
        }
    }
}
