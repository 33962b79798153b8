//! The metric catalogue goals are written in: each metric is read from a [`World`] at the end of
//! every simulated second, for one stream, producer, consumer or delivery stream (or the whole
//! ledger). Names carry their unit when it is not a count of records: `_ms`, `_ratio`; `_total`
//! counts since the start; the others count what happened in that one second.

use serde::Serialize;

use super::msg::msg;
use crate::sim::World;

/// What a metric is read for: the field a condition names it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Stream,
    Producer,
    Consumer,
    DeliveryStream,
    /// The whole run (no name).
    Ledger,
}

impl Target {
    /// The condition's field naming the thing measured (None for the ledger).
    pub fn field(self) -> Option<&'static str> {
        match self {
            Target::Stream => Some("stream"),
            Target::Producer => Some("producer"),
            Target::Consumer => Some("consumer"),
            Target::DeliveryStream => Some("delivery_stream"),
            Target::Ledger => None,
        }
    }
}

/// The anti-shortcut rule's view of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Plain,
    /// Throttling or loss: a condition on it needs a flowing condition beside it.
    Traffic,
    /// Traffic moving: what a flowing condition measures.
    Flowing,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metric {
    pub name: &'static str,
    pub target: Target,
    /// The unit of its value.
    pub unit: &'static str,
    pub role: Role,
    pub about: &'static str,
}

const fn m(
    name: &'static str,
    target: Target,
    unit: &'static str,
    role: Role,
    about: &'static str,
) -> Metric {
    Metric {
        name,
        target,
        unit,
        role,
        about,
    }
}

use Role::{Flowing, Plain, Traffic};
use Target::{Consumer, DeliveryStream, Ledger, Producer, Stream};

/// Every metric a goal can name.
pub const METRICS: &[Metric] = &[
    m("stream.incoming_records", Stream, "records in the second", Flowing, "records the stream accepted (IncomingRecords)"),
    m("stream.write_throttled", Stream, "records in the second", Traffic, "writes refused, over all shards (WriteProvisionedThroughputExceeded)"),
    m("stream.read_throttled", Stream, "calls in the second", Plain, "GetRecords calls refused (ReadProvisionedThroughputExceeded)"),
    m("stream.iterator_age_ms", Stream, "ms", Plain, "the largest GetRecords.IteratorAgeMilliseconds of the second"),
    m("stream.open_shards", Stream, "shards", Plain, "OPEN shards at the end of the second"),
    m("stream.expired_unread_total", Stream, "records", Traffic, "records trimmed by retention before every consumer read them, since the start"),
    m("producer.produced", Producer, "records in the second", Flowing, "records the producer made"),
    m("producer.accepted", Producer, "records in the second", Flowing, "entries accepted (first attempts and retries)"),
    m("producer.throttled", Producer, "records in the second", Traffic, "entries refused with ProvisionedThroughputExceeded"),
    m("producer.dropped", Producer, "records in the second", Traffic, "records given up (retries used up, too large)"),
    m("producer.accepted_ratio", Producer, "ratio 0..1", Traffic, "accepted entries over entries sent in the second (no data point when it sent none)"),
    m("producer.dropped_total", Producer, "records", Traffic, "records given up since the start"),
    m("producer.retrying", Producer, "records", Plain, "records waiting to be sent again, at the end of the second"),
    m("consumer.records_read", Consumer, "records in the second", Flowing, "records delivered to it (a record delivered twice counts twice)"),
    m("consumer.iterator_age_ms", Consumer, "ms", Plain, "its largest iterator age over the shards, at the end of the second"),
    m("consumer.behind_records", Consumer, "records", Plain, "records in its shards it has not read yet"),
    m("consumer.lost_total", Consumer, "records", Traffic, "records it will never process: trimmed before it read them, or given up by its Lambda trigger"),
    m("consumer.out_of_order_total", Consumer, "records", Plain, "records processed after a later record of the same key"),
    m("consumer.duplicates_total", Consumer, "records", Plain, "records delivered again"),
    m("consumer.alerts_total", Consumer, "alerts", Plain, "alerts its application raised"),
    m("firehose.incoming_records", DeliveryStream, "records in the second", Flowing, "records the delivery stream received (IncomingRecords)"),
    m("firehose.delivered_records", DeliveryStream, "records in the second", Flowing, "records written to S3 (DeliveryToS3.Records)"),
    m("firehose.data_freshness_ms", DeliveryStream, "ms", Plain, "age of the oldest record not yet in S3 (DeliveryToS3.DataFreshness)"),
    m("firehose.max_delivery_delay_ms", DeliveryStream, "ms", Plain, "the longest a record waited for S3: its freshness, or an object delivered in the second, whichever is older"),
    m("firehose.objects_last_minute", DeliveryStream, "objects", Plain, "data objects written to S3 in the last 60 seconds"),
    m("firehose.retrying_records", DeliveryStream, "records", Plain, "records in objects waiting for S3"),
    m("firehose.lost_total", DeliveryStream, "records", Traffic, "records lost after 24 hours of S3 being down"),
    m("firehose.delivered_total", DeliveryStream, "records", Plain, "records in S3 since the start"),
    m("ledger.produced_total", Ledger, "records", Plain, "every record produced"),
    m("ledger.lost_total", Ledger, "records", Traffic, "every record lost, whatever the cause: dropped by a producer, trimmed unread, lost by Firehose"),
];

pub fn metric(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

pub fn names() -> Vec<&'static str> {
    METRICS.iter().map(|m| m.name).collect()
}

/// Where a metric is read: its metric and the index of what it measures in the world.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    pub metric: &'static Metric,
    pub index: usize,
}

/// Totals of the previous second, to turn counters into per-second values.
#[derive(Clone, Debug, Default)]
pub struct Previous {
    produced: Vec<u64>,
    read: Vec<u64>,
}

impl Previous {
    pub fn of(w: &World) -> Self {
        Self {
            produced: w.producers.iter().map(|p| p.produced).collect(),
            read: w.consumers.iter().map(|c| c.records_read()).collect(),
        }
    }
}

/// The index of what `target` names in the world.
pub fn index_of(w: &World, target: Target, name: &str) -> Option<usize> {
    match target {
        Target::Stream => w.stream_index(name),
        Target::Producer => w.producers.iter().position(|p| p.cfg.name == name),
        Target::Consumer => w.consumers.iter().position(|c| c.cfg.name == name),
        Target::DeliveryStream => w.firehoses.iter().position(|f| f.cfg.name == name),
        Target::Ledger => Some(0),
    }
}

fn lost_of(w: &World, ci: usize) -> u64 {
    let c = &w.consumers[ci];
    let expired: u64 = c.lanes.iter().map(|l| l.expired_unread).sum();
    expired + c.lambda.as_ref().map_or(0, |l| l.report().discarded)
}

/// The value of `src` at the end of simulated second `second` (None: no data point).
pub fn value(w: &World, src: Source, second: u64, prev: &Previous) -> Option<f64> {
    let i = src.index;
    let f = |x: u64| Some(x as f64);
    let stream_second = || w.metrics.get(i)?.back().filter(|m| m.second == second);
    let firehose_second = || {
        w.firehoses
            .get(i)?
            .metrics
            .back()
            .filter(|m| m.second == second)
    };
    match src.metric.name {
        "stream.incoming_records" => f(stream_second()?.incoming_records),
        "stream.write_throttled" => f(stream_second()?.write_throttled),
        "stream.read_throttled" => f(stream_second()?.read_throttled),
        "stream.iterator_age_ms" => f(stream_second()?.iterator_age_ms),
        "stream.open_shards" => f(w.streams.get(i)?.open_count() as u64),
        "stream.expired_unread_total" => f(w
            .streams
            .get(i)?
            .shards
            .iter()
            .map(|s| s.expired_unread_total)
            .sum()),
        "producer.produced" => {
            let p = w.producers.get(i)?;
            f(p.produced - prev.produced.get(i).copied().unwrap_or(0))
        }
        "producer.accepted" => f(w.producers.get(i)?.last_second.accepted),
        "producer.throttled" => f(w.producers.get(i)?.last_second.throttled),
        "producer.dropped" => f(w.producers.get(i)?.last_second.dropped),
        "producer.accepted_ratio" => {
            let s = &w.producers.get(i)?.last_second;
            (s.attempted > 0).then(|| s.accepted as f64 / s.attempted as f64)
        }
        "producer.dropped_total" => f(w.producers.get(i)?.totals.dropped),
        "producer.retrying" => f(w.producers.get(i)?.retrying_records),
        "consumer.records_read" => {
            let c = w.consumers.get(i)?;
            f(c.records_read() - prev.read.get(i).copied().unwrap_or(0))
        }
        "consumer.iterator_age_ms" => f(w
            .consumers
            .get(i)?
            .lanes
            .iter()
            .map(|l| l.iterator_age_ms)
            .max()
            .unwrap_or(0)),
        "consumer.behind_records" => {
            let c = w.consumers.get(i)?;
            let shards = &w.streams[c.stream].shards;
            f(c.lanes
                .iter()
                .zip(shards)
                .map(|(l, sh)| sh.log_end - l.position.max(sh.log_start).min(sh.log_end))
                .sum())
        }
        "consumer.lost_total" => (i < w.consumers.len()).then(|| lost_of(w, i) as f64),
        "consumer.out_of_order_total" => f(w.consumers.get(i)?.order.violations),
        "consumer.duplicates_total" => f(w.consumers.get(i)?.order.duplicates),
        "consumer.alerts_total" => f(w
            .consumers
            .get(i)?
            .app
            .as_ref()
            .map_or(0, |a| a.alerts_total)),
        "firehose.incoming_records" => f(firehose_second()?.incoming_records),
        "firehose.delivered_records" => f(firehose_second()?.delivered_records),
        "firehose.data_freshness_ms" => f(firehose_second()?.data_freshness_ms),
        "firehose.max_delivery_delay_ms" => {
            let fh = w.firehoses.get(i)?;
            let fresh = firehose_second()?.data_freshness_ms;
            let from = second * 1000;
            let delivered = fh
                .objects
                .iter()
                .rev()
                .take_while(|o| o.delivered_ms >= from)
                .filter(|o| o.error.is_none())
                .map(|o| o.delivered_ms.saturating_sub(o.first_arrival_ms))
                .max()
                .unwrap_or(0);
            f(fresh.max(delivered))
        }
        "firehose.objects_last_minute" => {
            let fh = w.firehoses.get(i)?;
            f(fh.metrics
                .iter()
                .rev()
                .take_while(|m| m.second + 60 > second)
                .map(|m| m.deliveries)
                .sum())
        }
        "firehose.retrying_records" => f(w.firehoses.get(i)?.retrying_records()),
        "firehose.lost_total" => f(w.firehoses.get(i)?.lost_records),
        "firehose.delivered_total" => f(w.firehoses.get(i)?.delivered_records),
        "ledger.produced_total" => f(w.ledger().produced),
        "ledger.lost_total" => {
            let l = w.ledger();
            f(l.dropped + l.expired_unread + l.firehose_lost)
        }
        _ => None,
    }
}

/// What is wrong with `src` now, in plain words, beyond its value (which shard throttles, and by
/// how much; a paused producer); empty when there is nothing more to say.
pub fn detail(w: &World, src: Source, second: u64, locale: &str) -> String {
    let i = src.index;
    match src.metric.name {
        "stream.write_throttled" => {
            let Some(s) = w.streams.get(i) else {
                return String::new();
            };
            let hot: Vec<String> = s
                .shards
                .iter()
                .filter(|sh| sh.last_second.write_throttled > 0)
                .map(|sh| {
                    msg(
                        locale,
                        "detail_shard_refused",
                        &[
                            ("shard", sh.shard_id()),
                            ("count", grouped(sh.last_second.write_throttled as f64)),
                            ("second", second.to_string()),
                        ],
                    )
                })
                .collect();
            hot.join(&msg(locale, "separator", &[]))
        }
        "producer.produced" | "producer.accepted" | "producer.accepted_ratio" => {
            match w.producers.get(i) {
                Some(p) if p.cfg.paused => msg(
                    locale,
                    "detail_producer_paused",
                    &[("producer", p.cfg.name.clone())],
                ),
                _ => String::new(),
            }
        }
        _ => String::new(),
    }
}

pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A number for a student's eyes: thousands grouped (1,247), fractions as [`number`] writes them.
pub fn grouped(x: f64) -> String {
    let s = number(x);
    let (sign, rest) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_carry_their_target() {
        let mut n = names();
        n.sort_unstable();
        n.dedup();
        assert_eq!(n.len(), METRICS.len());
        for m in METRICS {
            let prefix = match m.target {
                Target::Stream => "stream.",
                Target::Producer => "producer.",
                Target::Consumer => "consumer.",
                Target::DeliveryStream => "firehose.",
                Target::Ledger => "ledger.",
            };
            assert!(m.name.starts_with(prefix), "{}", m.name);
            if m.name.ends_with("_ms") {
                assert_eq!(m.unit, "ms", "{}", m.name);
            }
        }
    }
}
