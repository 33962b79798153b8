//! Per-partition-key tables. Keys come from a model with integer ids (key `n` of producer `p`),
//! so a table is a flat vector per producer indexed by key id: no map, no search.

/// What a reader keeps per partition key: the latest record processed, as (shard position,
/// index) packed into a u64 plus one (0 = none) — children have higher shard positions than
/// their parents, so this is the order of sequence numbers a key's records must be processed in
/// — and its application's counting window. One table for both, so a record costs one cache
/// miss, not two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyState {
    pub last: u64,
    pub window_start_ms: u32,
    pub window_count: u32,
}

/// Records whose key states a reader loads together (see [`KeyTable::touch`]): enough misses
/// in flight to hide most of their latency, few enough that the block stays in L1.
pub const KEY_BLOCK: usize = 32;

/// [`KeyState`]s: per producer, per key id.
#[derive(Clone, Debug, Default)]
pub struct KeyTable(Vec<Vec<KeyState>>);

impl KeyTable {
    /// Loads the state of key `key` of `producer`, if it has one, so that [`KeyTable::slot`]
    /// finds it in cache: a block of touches overlaps its cache misses.
    pub fn touch(&self, producer: usize, key: u64) {
        if let Some(k) = self.0.get(producer).and_then(|t| t.get(key as usize)) {
            std::hint::black_box(k.window_count);
        }
    }

    /// The state of key `key` of `producer`, whose model has `key_space` keys (None for keys
    /// that are fresh every record: they have no state).
    pub fn slot(
        &mut self,
        producer: usize,
        key_space: Option<usize>,
        key: u64,
    ) -> Option<&mut KeyState> {
        let n = key_space?;
        if self.0.len() <= producer {
            self.0.resize(producer + 1, Vec::new());
        }
        let table = &mut self.0[producer];
        if table.len() < n {
            table.resize(n, KeyState::default());
        }
        table.get_mut(key as usize)
    }
}
