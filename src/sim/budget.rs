//! The work budget: what a run may cost, checked the same way for a scenario file, for each of
//! its scheduled commands in time order, and for every command a student sends while it runs.
//! A run that fits is bounded in time per simulated second, per tick, and in memory; one that
//! does not is refused with the estimate and the limit, never accepted and then left to hang.
//!
//! What counts (all producers at the peaks of their traffic shapes: bursts, spikes, sines):
//! - records a second, at most [`TOTAL_RECORDS_PER_SECOND_MAX`];
//! - records a tick, at most [`RECORDS_PER_TICK_MAX`] (a tick cannot be split by the page);
//! - record visits a second, records × (1 + readers), at most [`RECORD_VISITS_PER_SECOND_MAX`];
//! - per-key entries, partition keys × readers, at most [`KEY_SLOTS_MAX`];
//! - open shards of all streams, at most [`ACCOUNT_OPEN_SHARDS_MAX`], AWS's account quota.
//!
//! Retained records need no budget of their own: a shard keeps a bounded number of runs however
//! long its retention (see `stream::shard`).

use super::base::limits::{
    ACCOUNT_OPEN_SHARDS_MAX, KEY_SLOTS_MAX, RECORDS_PER_TICK_MAX, RECORD_VISITS_PER_SECOND_MAX,
    TOTAL_RECORDS_PER_SECOND_MAX,
};
use super::command::Command;
use super::producer::command::ProducerCommand;
use super::producer::ProducerConfig;
use super::stream::command::StreamCommand;

/// One producer's share of the load.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerLoad {
    pub name: String,
    /// Records a second at the peak of its traffic shape.
    pub peak_records_per_second: u64,
    pub partition_keys: u64,
    /// The peak factor of its traffic shape (so a new rate can be scaled by it).
    pub peak_factor: f64,
}

impl ProducerLoad {
    pub fn of(cfg: &ProducerConfig) -> Self {
        let peak_factor = cfg.traffic.peak();
        Self {
            name: cfg.name.clone(),
            peak_records_per_second: peak_of(cfg.records_per_second, peak_factor),
            partition_keys: cfg.keys.key_count(),
            peak_factor,
        }
    }

    /// The same producer sending `records_per_second` before its traffic shape.
    pub fn with_rate(&self, records_per_second: u32) -> Self {
        Self {
            peak_records_per_second: peak_of(records_per_second, self.peak_factor),
            ..self.clone()
        }
    }
}

fn peak_of(records_per_second: u32, factor: f64) -> u64 {
    (f64::from(records_per_second) * factor).ceil() as u64
}

/// What a run costs: its producers, its readers, its open shards and its tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    pub producers: Vec<ProducerLoad>,
    /// Consumers, Lambda triggers, delivery streams reading a stream, and batch jobs.
    pub readers: u64,
    /// Open shards, per stream.
    pub open_shards: Vec<u64>,
    pub tick_ms: u64,
}

/// Which part of the budget a load passes, and by how much.
#[derive(Clone, Debug, PartialEq)]
pub struct OverBudget {
    /// What a student changes to fit: `producers` (rates, keys), `shards`.
    pub part: &'static str,
    pub message: String,
}

impl Load {
    pub fn peak_records_per_second(&self) -> u64 {
        self.producers
            .iter()
            .map(|p| p.peak_records_per_second)
            .sum()
    }

    pub fn partition_keys(&self) -> u64 {
        self.producers.iter().map(|p| p.partition_keys).sum()
    }

    pub fn open_shards_total(&self) -> u64 {
        self.open_shards.iter().sum()
    }

    /// What a simulated second of this load costs, in record visits: each record by its
    /// producer and each reader, plus each tick's pass over the shards and readers (so an idle
    /// scene with a small tick is not free). A prediction's probe is bounded by it.
    pub fn work_per_second(&self) -> u64 {
        let ticks = 1000 / self.tick_ms.max(1);
        self.peak_records_per_second() * (1 + self.readers)
            + ticks * (1 + self.readers + self.open_shards_total())
    }

    /// The first part of the budget this load passes, if any.
    pub fn check(&self) -> Result<(), OverBudget> {
        let over = |part, message| Err(OverBudget { part, message });
        let rate = self.peak_records_per_second();
        if rate > TOTAL_RECORDS_PER_SECOND_MAX {
            return over(
                "producers",
                format!(
                    "together {rate} records/s at their peaks; at most {TOTAL_RECORDS_PER_SECOND_MAX} allowed"
                ),
            );
        }
        let per_tick = rate * self.tick_ms / 1000;
        if per_tick > RECORDS_PER_TICK_MAX {
            return over(
                "producers",
                format!(
                    "{rate} records/s at their peaks × tick_ms {} = {per_tick} records a tick; at most {RECORDS_PER_TICK_MAX} (a smaller tick_ms or rate fits)",
                    self.tick_ms
                ),
            );
        }
        let visits = rate * (1 + self.readers);
        if visits > RECORD_VISITS_PER_SECOND_MAX {
            return over(
                "producers",
                format!(
                    "{rate} records/s at their peaks × (1 + {} readers) = {visits} record visits a second; at most {RECORD_VISITS_PER_SECOND_MAX}",
                    self.readers
                ),
            );
        }
        let keys = self.partition_keys();
        let slots = keys * self.readers;
        if slots > KEY_SLOTS_MAX {
            return over(
                "producers",
                format!(
                    "{keys} partition keys × {} readers = {slots} per-key entries; at most {KEY_SLOTS_MAX} (128 MB)",
                    self.readers
                ),
            );
        }
        let shards = self.open_shards_total();
        if shards > ACCOUNT_OPEN_SHARDS_MAX as u64 {
            return over(
                "shards",
                format!(
                    "{shards} open shards in all streams; at most {ACCOUNT_OPEN_SHARDS_MAX} (AWS's default shard quota per account)"
                ),
            );
        }
        Ok(())
    }

    /// The load once `command` is applied, as far as it changes the load: rates, producers
    /// added, shard counts. `stream` finds a stream's place by name.
    pub fn after(&self, command: &Command, stream: impl Fn(&str) -> Option<usize>) -> Load {
        let mut next = self.clone();
        match command {
            Command::Producer(ProducerCommand::SetRate {
                producer,
                records_per_second,
            }) => {
                if let Some(p) = next.producers.iter_mut().find(|p| p.name == *producer) {
                    *p = p.with_rate(*records_per_second);
                }
            }
            Command::Producer(ProducerCommand::AddProducer { producer }) => {
                next.producers.push(ProducerLoad::of(&producer.cfg));
            }
            Command::Stream(c) => {
                if let Some(n) = stream(c.stream_name()).and_then(|i| next.open_shards.get_mut(i)) {
                    *n = match c {
                        StreamCommand::SplitShard { .. } => *n + 1,
                        StreamCommand::MergeShards { .. } => n.saturating_sub(1),
                        StreamCommand::UpdateShardCount {
                            target_shard_count, ..
                        } => u64::from(*target_shard_count),
                    };
                }
            }
            _ => {}
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(rate: u64, keys: u64, readers: u64, shards: u64, tick_ms: u64) -> Load {
        Load {
            producers: vec![ProducerLoad {
                name: "p".into(),
                peak_records_per_second: rate,
                partition_keys: keys,
                peak_factor: 1.0,
            }],
            readers,
            open_shards: vec![shards],
            tick_ms,
        }
    }

    #[test]
    fn each_part_of_the_budget_refuses_just_past_its_limit() {
        assert!(load(2_000_000, 1, 0, 1, 100).check().is_ok());
        assert!(load(2_000_001, 1, 0, 1, 100).check().is_err());
        // 200,000 records a second at a 1 s tick fits; one more does not.
        assert!(load(200_000, 1, 0, 1, 1000).check().is_ok());
        assert!(load(200_001, 1, 0, 1, 1000).check().is_err());
        assert!(load(1_000_000, 1, 15, 1, 100).check().is_ok());
        let e = load(1_000_000, 1, 16, 1, 100).check().unwrap_err();
        assert!(
            e.message.contains("17000000 record visits"),
            "{}",
            e.message
        );
        assert!(load(1, 1_000_000, 8, 1, 100).check().is_ok());
        assert!(load(1, 1_000_000, 9, 1, 100).check().is_err());
        assert!(load(1, 1, 1, 500, 100).check().is_ok());
        assert_eq!(load(1, 1, 1, 501, 100).check().unwrap_err().part, "shards");
    }

    #[test]
    fn a_new_rate_is_scaled_by_the_traffic_peak() {
        let p = ProducerLoad {
            name: "p".into(),
            peak_records_per_second: 2_000_000,
            partition_keys: 1,
            peak_factor: 100.0,
        };
        assert_eq!(p.with_rate(1_000_000).peak_records_per_second, 100_000_000);
    }
}
