//! Resharding, as AWS does it: SplitShard, MergeShards and UpdateShardCount on PROVISIONED
//! streams (the stream is UPDATING for a few seconds, then the parents are CLOSED and the
//! children OPEN with the next shard ids), and on-demand scaling, which splits busy shards by
//! itself.

use super::config::StreamMode;
use super::shard::{Shard, ShardState};
use super::state::{Reshard, Stream};
use crate::sim::base::hash::even_split;
use crate::sim::base::json::FieldError;
use crate::sim::base::limits::{
    ON_DEMAND_SPLIT_AFTER_SECONDS, ON_DEMAND_SPLIT_BYTES_PER_SECOND, RESHARD_MS, SHARDS_EVER_MAX,
    UPDATE_SHARD_COUNT_PER_DAY_MAX, WRITE_RECORDS_PER_SECOND,
};

impl Stream {
    /// Checks a resharding request as Kinesis would, naming what is wrong.
    pub fn check_reshard(&self, r: &Reshard, now_ms: u64) -> Result<(), FieldError> {
        if self.mode == StreamMode::OnDemand {
            return Err(FieldError::new("stream_name", format!(
                "stream {:?} is ON_DEMAND: AWS splits and merges its shards itself; resharding is for PROVISIONED streams",
                self.name
            )));
        }
        if let Some((done, _)) = &self.pending {
            return Err(FieldError::new("stream_name", format!(
                "ResourceInUseException: stream {:?} is UPDATING until {} ms; one resharding at a time",
                self.name, done
            )));
        }
        let open = |i: usize, what: &str| -> Result<&Shard, FieldError> {
            let sh = &self.shards[i];
            if sh.state != ShardState::Open {
                return Err(FieldError::new(
                    what,
                    format!(
                        "{} is {}; only OPEN shards can be resharded",
                        sh.shard_id(),
                        sh.state.as_str()
                    ),
                ));
            }
            Ok(sh)
        };
        let new_shards = match r {
            Reshard::Split {
                shard,
                new_starting_hash_key: k,
            } => {
                let sh = open(*shard, "shard_to_split")?;
                if *k <= sh.starting_hash_key || *k > sh.ending_hash_key {
                    return Err(FieldError::new(
                        "new_starting_hash_key",
                        format!(
                            "{k} is outside {} (allowed {}..={})",
                            sh.shard_id(),
                            sh.starting_hash_key.saturating_add(1),
                            sh.ending_hash_key
                        ),
                    ));
                }
                2
            }
            Reshard::Merge { shard, adjacent } => {
                let a = open(*shard, "shard_to_merge")?;
                let b = open(*adjacent, "adjacent_shard_to_merge")?;
                let touching = a.ending_hash_key.checked_add(1) == Some(b.starting_hash_key)
                    || b.ending_hash_key.checked_add(1) == Some(a.starting_hash_key);
                if !touching || shard == adjacent {
                    return Err(FieldError::new(
                        "adjacent_shard_to_merge",
                        format!(
                            "{} and {} are not adjacent (their hash-key ranges must touch)",
                            a.shard_id(),
                            b.shard_id()
                        ),
                    ));
                }
                1
            }
            Reshard::OnDemandSplits { shards } => {
                for &i in shards {
                    open(i, "stream_name")?;
                }
                2 * shards.len()
            }
            Reshard::UpdateShardCount { target } => {
                let n = self.open_count() as u32;
                let (lo, hi) = (n.div_ceil(2), n * 2);
                if *target < lo || *target > hi || *target == n {
                    return Err(FieldError::new("target_shard_count", format!(
                        "{target} is out of range {lo}..={hi} (at most double or half the {n} open shards, and not {n})"
                    )));
                }
                let day_ago = now_ms.saturating_sub(24 * 3_600_000);
                let recent = self
                    .update_shard_count_at_ms
                    .iter()
                    .filter(|&&t| t > day_ago || now_ms < 24 * 3_600_000)
                    .count();
                if recent >= UPDATE_SHARD_COUNT_PER_DAY_MAX {
                    return Err(FieldError::new("target_shard_count", format!(
                        "LimitExceededException: UpdateShardCount at most {UPDATE_SHARD_COUNT_PER_DAY_MAX} times in 24 hours"
                    )));
                }
                *target as usize
            }
        };
        if self.shards.len() + new_shards > SHARDS_EVER_MAX {
            return Err(FieldError::new(
                "stream_name",
                format!(
                    "the stream has had {} shards; this simulator keeps at most {SHARDS_EVER_MAX}",
                    self.shards.len()
                ),
            ));
        }
        Ok(())
    }

    /// Starts a checked resharding: the stream is UPDATING until `now + RESHARD_MS`.
    pub fn begin_reshard(&mut self, r: Reshard, now_ms: u64) {
        debug_assert!(self.check_reshard(&r, now_ms).is_ok());
        if matches!(r, Reshard::UpdateShardCount { .. }) {
            self.update_shard_count_at_ms.push(now_ms);
        }
        self.pending = Some((now_ms + RESHARD_MS, r));
    }

    /// Completes a resharding whose time has come: parents CLOSED, children OPEN (taking the
    /// next shard ids). Returns the positions of the new shards.
    pub fn finish_reshard(&mut self, now_ms: u64) -> Vec<usize> {
        let due = matches!(self.pending, Some((t, _)) if t <= now_ms);
        if !due {
            return Vec::new();
        }
        let (_, r) = self.pending.take().expect("due");
        let first_new = self.shards.len();
        let close = |s: &mut Stream, i: usize| {
            s.shards[i].state = ShardState::Closed;
            s.shards[i].closed_at_ms = Some(now_ms);
        };
        let mut children: Vec<((u128, u128), Vec<u32>)> = Vec::new();
        match r {
            Reshard::Split {
                shard,
                new_starting_hash_key: k,
            } => {
                let (a, b) = (
                    self.shards[shard].starting_hash_key,
                    self.shards[shard].ending_hash_key,
                );
                close(self, shard);
                children.push(((a, k - 1), vec![shard as u32]));
                children.push(((k, b), vec![shard as u32]));
            }
            Reshard::Merge { shard, adjacent } => {
                let (x, y) = (&self.shards[shard], &self.shards[adjacent]);
                let range = (
                    x.starting_hash_key.min(y.starting_hash_key),
                    x.ending_hash_key.max(y.ending_hash_key),
                );
                close(self, shard);
                close(self, adjacent);
                children.push((range, vec![shard as u32, adjacent as u32]));
            }
            Reshard::OnDemandSplits { shards } => {
                for i in shards {
                    let (a, b) = (
                        self.shards[i].starting_hash_key,
                        self.shards[i].ending_hash_key,
                    );
                    let k = self.shards[i].middle();
                    close(self, i);
                    children.push(((a, k - 1), vec![i as u32]));
                    children.push(((k, b), vec![i as u32]));
                }
            }
            Reshard::UpdateShardCount { target } => {
                let old: Vec<usize> = self.open_shards.clone();
                for &i in &old {
                    close(self, i);
                }
                children = self.uniform_children(&old, target);
            }
        }
        for (range, parents) in children {
            let mut child = Shard::new(self.shards.len() as u32, range);
            child.parents = parents;
            self.shards.push(child);
        }
        self.reindex();
        (first_new..self.shards.len()).collect()
    }

    /// On-demand scaling, once a second: every OPEN shard that has taken more than 500 KB/s or
    /// 500 records/s (half its capacity, so the stream keeps about twice its peak), or
    /// throttled, for [`ON_DEMAND_SPLIT_AFTER_SECONDS`] in a row is split at the middle of its
    /// range — all such shards at once, as AWS splits several hot shards "within about 15
    /// minutes". At most `open_room` of them: the open shards of all streams stay within the
    /// account's shard quota. Returns the shards being split (none while a resharding is under
    /// way).
    pub fn on_demand_scale(&mut self, now_ms: u64, open_room: usize) -> Vec<usize> {
        if self.mode != StreamMode::OnDemand {
            return Vec::new();
        }
        for sh in &mut self.shards {
            let busy = sh.state == ShardState::Open
                && (sh.last_second.incoming_bytes > ON_DEMAND_SPLIT_BYTES_PER_SECOND
                    || sh.last_second.incoming_records > u64::from(WRITE_RECORDS_PER_SECOND / 2)
                    || sh.last_second.write_throttled > 0);
            sh.hot_seconds = if busy { sh.hot_seconds + 1 } else { 0 };
        }
        if self.pending.is_some() {
            return Vec::new();
        }
        let room = (SHARDS_EVER_MAX.saturating_sub(self.shards.len()) / 2).min(open_room);
        let hot: Vec<usize> = (0..self.shards.len())
            .filter(|&i| {
                let sh = &self.shards[i];
                sh.hot_seconds >= ON_DEMAND_SPLIT_AFTER_SECONDS
                    && sh.starting_hash_key < sh.ending_hash_key
            })
            .take(room)
            .collect();
        if hot.is_empty() {
            return hot;
        }
        self.pending = Some((
            now_ms + RESHARD_MS,
            Reshard::OnDemandSplits {
                shards: hot.clone(),
            },
        ));
        for sh in &mut self.shards {
            sh.hot_seconds = 0;
        }
        hot
    }
}

type Children = Vec<((u128, u128), Vec<u32>)>;

impl Stream {
    /// UNIFORM_SCALING, as AWS does it: doubling splits every open shard in two at its middle
    /// (each child has one parent), halving merges neighbouring pairs (each child has two). Any
    /// other count is reached by AWS through a series of splits and merges; here the new
    /// shards split the hash space evenly and each one's parents are the old shards it
    /// overlaps, so readers still finish parents before children. `old` are the open shards
    /// in hash-key order.
    fn uniform_children(&self, old: &[usize], target: u32) -> Children {
        let n = old.len() as u32;
        let range = |i: usize| {
            (
                self.shards[i].starting_hash_key,
                self.shards[i].ending_hash_key,
            )
        };
        let splittable = old.iter().all(|&i| range(i).0 < range(i).1);
        if target == 2 * n && splittable {
            return old
                .iter()
                .flat_map(|&i| {
                    let (a, b) = range(i);
                    let m = self.shards[i].middle();
                    [((a, m - 1), vec![i as u32]), ((m, b), vec![i as u32])]
                })
                .collect();
        }
        if n % 2 == 0 && 2 * target == n {
            return old
                .chunks(2)
                .map(|pair| {
                    let (a, b) = (pair[0], pair[1]);
                    ((range(a).0, range(b).1), vec![a as u32, b as u32])
                })
                .collect();
        }
        even_split(target)
            .into_iter()
            .map(|r| {
                let parents = old
                    .iter()
                    .filter(|&&i| range(i).0 <= r.1 && range(i).1 >= r.0)
                    .map(|&i| i as u32)
                    .collect();
                (r, parents)
            })
            .collect()
    }
}

impl Shard {
    /// Where a split in the middle starts its second child (written so [0, 2^128 − 1] does not
    /// overflow).
    pub fn middle(&self) -> u128 {
        self.starting_hash_key + (self.ending_hash_key - self.starting_hash_key) / 2 + 1
    }
}
