//! The S3 queue's entries, and what happened when they were tried (for notes).

use super::object::S3Object;

/// An object waiting to be written to S3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Pending {
    pub(super) object: S3Object,
    pub(super) first_try_ms: u64,
    pub(super) next_try_ms: u64,
    /// A duplicate write (the first one timed out after S3 had stored it).
    pub(super) duplicate: bool,
}

/// What happened when pending objects were tried, for notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Objects that had to wait, delivered now: (count, longest wait ms).
    pub delivered_late: (u64, u64),
    /// Records lost after 24 hours of retries.
    pub lost: u64,
    /// Objects written twice because the first write timed out.
    pub duplicated: u64,
    /// Records Redshift never loaded (COPY failed for the whole retry duration).
    pub redshift_skipped: u64,
}

impl Outcome {
    /// What a student should notice, in plain words, about delivery stream `name`.
    pub fn notes(&self, name: &str) -> Vec<String> {
        use crate::sim::base::text::plural;
        let mut out = Vec::new();
        if self.delivered_late.0 > 0 {
            out.push(format!(
                "{name} wrote {} that had waited for S3, the oldest for {} s",
                plural(self.delivered_late.0, "object"),
                self.delivered_late.1 / 1000
            ));
        }
        if self.lost > 0 {
            out.push(format!(
                "{name} gave up after 24 hours of S3 being unavailable: {} lost",
                plural(self.lost, "record")
            ));
        }
        if self.redshift_skipped > 0 {
            out.push(format!(
                "{name}: Redshift stayed unavailable for the whole retry duration; {} skipped (the objects stay in S3, listed under errors/)",
                plural(self.redshift_skipped, "record")
            ));
        }
        if self.duplicated > 0 {
            out.push(format!(
                "{name}: a write to S3 timed out after S3 had stored it, so Firehose writes it again — the bucket will hold duplicates (at-least-once)"
            ));
        }
        out
    }

    pub(super) fn add(&mut self, o: Outcome) {
        self.delivered_late.0 += o.delivered_late.0;
        self.delivered_late.1 = self.delivered_late.1.max(o.delivered_late.1);
        self.lost += o.lost;
        self.duplicated += o.duplicated;
        self.redshift_skipped += o.redshift_skipped;
    }
}
