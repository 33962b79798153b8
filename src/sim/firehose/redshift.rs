//! Redshift as a destination: each object is staged in S3, then loaded by a COPY; a COPY that
//! fails is retried for the retry duration, then skipped (the object stays in S3).

use std::collections::VecDeque;

use crate::sim::base::limits::S3_RETRY_EVERY_MS;

/// One COPY of a staged object into Redshift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub records: u64,
    pub bytes: u64,
    pub first_try_ms: u64,
    pub next_try_ms: u64,
    /// When the running COPY ends.
    pub ends_ms: Option<u64>,
}

/// The Redshift side: COPY commands one after another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redshift {
    pub retry_duration_ms: u64,
    pub available: bool,
    pub queue: VecDeque<Copy>,
    pub loaded_records: u64,
    pub skipped_records: u64,
    pub copies: u64,
}

/// A COPY takes a second, plus the object at 10 MB/s (a small cluster's load speed).
pub const COPY_BASE_MS: u64 = 1_000;
pub const COPY_BYTES_PER_SECOND: u64 = 10_000_000;

impl Redshift {
    /// Runs the COPY queue at `now_ms`; returns records skipped after the retry duration.
    pub(super) fn tick(&mut self, now_ms: u64) -> u64 {
        let mut skipped = 0;
        while let Some(c) = self.queue.front_mut() {
            match c.ends_ms {
                Some(end) if end <= now_ms => {
                    self.loaded_records += c.records;
                    self.copies += 1;
                    self.queue.pop_front();
                }
                Some(_) => break,
                None if c.next_try_ms > now_ms => break,
                None if self.available => {
                    c.ends_ms =
                        Some(now_ms + COPY_BASE_MS + c.bytes * 1000 / COPY_BYTES_PER_SECOND);
                    break;
                }
                None if now_ms >= c.first_try_ms + self.retry_duration_ms => {
                    // Given up: the object stays in S3, listed in a manifest under errors/.
                    skipped += c.records;
                    self.skipped_records += c.records;
                    self.queue.pop_front();
                }
                None => {
                    c.next_try_ms = now_ms + S3_RETRY_EVERY_MS;
                    break;
                }
            }
        }
        skipped
    }
}
