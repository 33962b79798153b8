//! A KCL application's record processors: lease renewal and failover, restarts from the
//! checkpoint, and checkpointing (every N records or T ms, and SHARD_END).

use super::kcl::Takeover;
use super::state::Consumer;
use crate::sim::stream::{Shard, ShardState};

impl Consumer {
    /// KCL: live workers renew their leases; a lease that is free, or not renewed for the
    /// failover time, goes to the live worker with the fewest leases, which restarts from the
    /// checkpoint. Returns the leases that changed hands (after the first assignment).
    pub fn balance_leases(&mut self, now_ms: u64, shards: &[Shard]) -> Vec<Takeover> {
        let Some(k) = &mut self.kcl else {
            return Vec::new();
        };
        let mut moved = Vec::new();
        for (s, sh) in shards.iter().enumerate().take(k.leases.len()) {
            // A record processor that has reached the end of a closed shard checkpoints
            // SHARD_END, even when it got there before the shard closed.
            if sh.state != ShardState::Open
                && self.lanes[s].position >= sh.log_end
                && k.leases[s].owner.is_some_and(|w| k.alive[w as usize - 1])
            {
                k.leases[s].checkpoint = sh.log_end;
            }
            let owner = k.leases[s].owner;
            let alive = owner.is_some_and(|w| k.alive[w as usize - 1]);
            if alive {
                k.leases[s].renewed_at_ms = now_ms;
                continue;
            }
            let expired =
                owner.is_none() || now_ms >= k.leases[s].renewed_at_ms + k.cfg.failover_time_ms;
            if !expired {
                continue;
            }
            let Some(to) = k.least_loaded() else { break };
            let lane = &mut self.lanes[s];
            let checkpoint = k.leases[s].checkpoint;
            let reprocess = lane.delivered_end.saturating_sub(checkpoint);
            lane.position = checkpoint;
            let lease = &mut k.leases[s];
            lease.owner = Some(to);
            lease.renewed_at_ms = now_ms;
            lease.checkpointed_at_ms = now_ms;
            lease.since_checkpoint = 0;
            if owner.is_some() {
                moved.push(Takeover {
                    shard: s,
                    from: owner,
                    to,
                    reprocess,
                });
            }
        }
        moved
    }

    /// KCL: a crashed worker comes back as a new process: every lease it still holds restarts
    /// from its checkpoint. Returns (shard, records to be processed again) for each.
    pub fn restart_worker(&mut self, worker: u32) -> Vec<(usize, u64)> {
        let Some(k) = &mut self.kcl else {
            return Vec::new();
        };
        k.alive[worker as usize - 1] = true;
        let mut out = Vec::new();
        for (s, lease) in k.leases.iter_mut().enumerate() {
            if lease.owner == Some(worker) {
                let lane = &mut self.lanes[s];
                out.push((s, lane.delivered_end.saturating_sub(lease.checkpoint)));
                lane.position = lease.checkpoint;
                lease.since_checkpoint = 0;
            }
        }
        out
    }

    /// KCL: whether shard `s` has a live worker processing it.
    pub fn has_live_worker(&self, s: usize) -> bool {
        match &self.kcl {
            None => true,
            Some(k) => k.leases[s].owner.is_some_and(|w| k.alive[w as usize - 1]),
        }
    }

    /// KCL: after processing, the record processor checkpoints every N records or T ms, and at
    /// the end of a closed shard (SHARD_END).
    pub fn maybe_checkpoint(&mut self, s: usize, now_ms: u64, count: u64, shard: &Shard) {
        let Some(k) = &mut self.kcl else { return };
        let lane = &self.lanes[s];
        let lease = &mut k.leases[s];
        lease.since_checkpoint += count;
        let shard_end = shard.state != ShardState::Open && lane.position >= shard.log_end;
        if shard_end
            || lease.since_checkpoint >= k.cfg.checkpoint_every_records
            || now_ms >= lease.checkpointed_at_ms + k.cfg.checkpoint_interval_ms
        {
            lease.checkpoint = lane.position;
            lease.checkpointed_at_ms = now_ms;
            lease.since_checkpoint = 0;
        }
    }
}
