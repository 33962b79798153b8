//! Writing objects to S3: a queue in order, retried every minute while S3 is down (for up to
//! 24 hours, then the data is lost), and a write that times out after S3 stored it written
//! again (a duplicate: at-least-once).

use super::object::{S3Object, ERROR_TRIGGER};
use super::redshift::Copy;
use super::s3::{Outcome, Pending};
use super::state::Firehose;
use crate::sim::base::limits::{OBJECTS_KEPT, S3_RETRY_DURATION_MS, S3_RETRY_EVERY_MS};
use crate::sim::base::time::utc_of_sim_ms;

impl Firehose {
    /// An object joins the queue to S3, and is written now when nothing waits ahead of it
    /// (and S3 is up).
    pub(super) fn enqueue(&mut self, t_ms: u64, object: S3Object) {
        self.pending.push_back(Pending {
            object,
            first_try_ms: t_ms,
            next_try_ms: t_ms,
            duplicate: false,
        });
        if self.pending.len() == 1 {
            let o = self.write_pending(t_ms);
            self.unreported.add(o);
        }
    }

    /// Writes waiting objects to S3, oldest first, as far as S3 lets it.
    pub(super) fn write_pending(&mut self, now_ms: u64) -> Outcome {
        let mut out = Outcome::default();
        while let Some(p) = self.pending.front() {
            if p.next_try_ms > now_ms {
                break;
            }
            if !self.s3_available {
                if now_ms >= p.first_try_ms + S3_RETRY_DURATION_MS {
                    let p = self.pending.pop_front().expect("front");
                    if !p.duplicate {
                        self.lost_records += p.object.records;
                        out.lost += p.object.records;
                    }
                    continue;
                }
                // A put that failed; every waiting object is retried on the same schedule.
                self.current.put_attempts += 1;
                for q in &mut self.pending {
                    q.next_try_ms = q.next_try_ms.max(now_ms + S3_RETRY_EVERY_MS);
                }
                break;
            }
            let mut p = self.pending.pop_front().expect("front");
            let waited = now_ms - p.first_try_ms;
            p.object.delivered_ms = now_ms;
            if waited > 0 && !p.duplicate {
                out.delivered_late.0 += 1;
                out.delivered_late.1 = out.delivered_late.1.max(waited);
            }
            let timed_out = !p.duplicate
                && self.s3_timeout_rate > 0.0
                && self.rng.unit() < self.s3_timeout_rate;
            if timed_out {
                // S3 stored it, but the answer never came: Firehose writes it again (in its
                // own queue, so the objects behind it are not held up).
                out.duplicated += 1;
                self.rewrites.push_back(Pending {
                    object: p.object.clone(),
                    first_try_ms: now_ms,
                    next_try_ms: now_ms + S3_RETRY_EVERY_MS / 4,
                    duplicate: true,
                });
            }
            self.store(p.object, p.duplicate);
        }
        out
    }

    pub(super) fn store(&mut self, mut object: S3Object, duplicate: bool) {
        self.current.put_attempts += 1;
        self.current.put_successes += 1;
        if object.trigger == ERROR_TRIGGER {
            // Failed records: in S3, but not data (no lake, no Redshift, no delivery metrics).
            if duplicate {
                self.duplicate_records += object.records;
            } else {
                self.error_records += object.records;
            }
            object.duplicate = duplicate;
            self.keep(object);
            return;
        }
        if !duplicate {
            self.landed.extend(object.flags.drain(..).map(|mut a| {
                // Landed now: a batch job can see it from its next run on.
                a.t_ms = object.delivered_ms;
                a
            }));
        }
        object.flags = Vec::new();
        object.duplicate = duplicate;
        if let (Some(r), false) = (&mut self.redshift, duplicate) {
            r.queue.push_back(Copy {
                records: object.records,
                bytes: object.raw_bytes,
                first_try_ms: object.delivered_ms,
                next_try_ms: object.delivered_ms,
                ends_ms: None,
            });
        }
        if duplicate {
            self.duplicate_records += object.records;
        } else {
            self.delivered_records += object.records;
        }
        self.delivered_bytes += object.bytes;
        self.current.delivered_records += object.records;
        self.current.delivered_bytes += object.bytes;
        self.current.deliveries += 1;
        self.keep(object);
    }

    /// An object now in the bucket (the newest [`OBJECTS_KEPT`] are kept to be shown).
    pub(super) fn keep(&mut self, mut object: S3Object) {
        self.objects_total += 1;
        object.seq = self.objects_total;
        if object.trigger != ERROR_TRIGGER && !object.duplicate {
            for f in crate::sim::base::content::Field::ALL {
                if object.lake.counts[f.index()] > 0 {
                    self.lake_seen |= 1 << f.index();
                }
            }
        }
        if self.objects.len() == OBJECTS_KEPT {
            self.objects.pop_front();
        }
        self.objects.push_back(object);
    }

    pub(super) fn object_key(&mut self, oldest_ms: u64) -> String {
        let prefix = self.cfg.prefix.clone();
        self.object_key_with(&prefix, oldest_ms)
    }

    pub(super) fn object_key_with(&mut self, prefix: &str, oldest_ms: u64) -> String {
        let (y, mo, d, h, mi, s) = utc_of_sim_ms(oldest_ms);
        let r = (self.rng.next_u64(), self.rng.next_u64());
        // Firehose appends a random UUID.
        let uuid = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            r.0 >> 32,
            (r.0 >> 16) & 0xffff,
            (r.0 & 0x0fff) | 0x4000,
            ((r.1 >> 48) & 0x3fff) | 0x8000,
            r.1 & 0xffff_ffff_ffff
        );
        format!(
            "{prefix}{y:04}/{mo:02}/{d:02}/{h:02}/{}-{}-{y:04}-{mo:02}-{d:02}-{h:02}-{mi:02}-{s:02}-{uuid}",
            self.cfg.name, self.version
        )
    }
}
