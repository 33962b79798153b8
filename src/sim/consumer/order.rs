//! Per-key order and duplicates, as one consumer processed records: what a student's consumer
//! code would see.

use crate::sim::base::keys::KeyState;

/// Per-key order and duplicates, as one consumer processed records.
#[derive(Clone, Debug, Default)]
pub struct OrderCheck {
    /// Records checked and in order (or with a fresh random key: nothing to be out of order with).
    pub checked: u64,
    /// Records processed after a later record of the same key.
    pub violations: u64,
    /// Records delivered again (a record read twice is one record with two deliveries).
    pub duplicates: u64,
    /// Records whose identity was no longer kept (the consumer was very far behind).
    pub unchecked: u64,
}

impl OrderCheck {
    pub fn see(&mut self, slot: Option<&mut KeyState>, position: u64) {
        match slot {
            Some(k) if position < k.last => self.violations += 1,
            Some(k) => {
                k.last = position;
                self.checked += 1;
            }
            None => self.checked += 1,
        }
    }
}
