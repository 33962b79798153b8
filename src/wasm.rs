//! The wasm facade: one thin layer over the core, for JavaScript (camelCase). Each method is a
//! line or two; all logic lives in `crate::sim`, where it is tested natively. Big state stays in
//! wasm memory; per-frame numbers cross as Float64Arrays, structured data as plain objects
//! (serde-wasm-bindgen, JSON-compatible: None → null, maps → objects). Errors are thrown as
//! `{ errors: string[] }`, each naming the field, the value and the allowed range.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::sim::{self, frame, World};

fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn thrown(errors: &sim::Errors) -> JsValue {
    #[derive(Serialize)]
    struct Thrown<'a> {
        errors: &'a [String],
    }
    to_js(&Thrown { errors: &errors.0 })
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A running simulation.
#[wasm_bindgen]
pub struct Sim(World);

#[wasm_bindgen]
impl Sim {
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(json: &str) -> Result<Sim, JsValue> {
        sim::world_from_text(json, None)
            .map(Sim)
            .map_err(|e| thrown(&e))
    }

    #[wasm_bindgen(js_name = fromPreset)]
    pub fn from_preset(name: &str) -> Result<Sim, JsValue> {
        let text = sim::preset(name).ok_or_else(|| {
            thrown(&sim::Errors(vec![format!(
                "preset: {name:?} is not one of {}",
                sim::preset_names().join(", ")
            )]))
        })?;
        Sim::from_scenario(text)
    }

    /// A fresh run of the same scenario with another seed (a decimal u64 string).
    #[wasm_bindgen(js_name = withSeed)]
    pub fn with_seed(&self, seed: &str) -> Result<Sim, JsValue> {
        let seed = seed.trim().parse::<u64>().map_err(|_| {
            thrown(&sim::Errors(vec![format!(
                "seed: {seed:?} is not a whole number in 0..={}",
                u64::MAX
            )]))
        })?;
        sim::world_from_text(&self.scenario_json(), Some(seed))
            .map(Sim)
            .map_err(|e| thrown(&e))
    }

    pub fn step(&mut self, ticks: u32) {
        (0..ticks).for_each(|_| self.0.step());
    }

    #[wasm_bindgen(js_name = tickMs)]
    pub fn tick_ms(&self) -> f64 {
        self.0.tick_ms as f64
    }

    #[wasm_bindgen(js_name = nowMs)]
    pub fn now_ms(&self) -> f64 {
        self.0.now_ms as f64
    }

    pub fn tick(&self) -> f64 {
        self.0.tick as f64
    }

    pub fn seed(&self) -> String {
        self.0.seed.to_string()
    }

    pub fn digest(&self) -> String {
        self.0.digest_hex()
    }

    #[wasm_bindgen(js_name = scenarioJson)]
    pub fn scenario_json(&self) -> String {
        serde_json::to_string_pretty(&self.0.scenario.source).unwrap_or_default()
    }

    /// This run as a scenario file: the scenario, its seed, and every command applied so far
    /// at the time it took effect. Loading it and stepping as far gives the same digest.
    #[wasm_bindgen(js_name = replayScenario)]
    pub fn replay_scenario(&self) -> String {
        serde_json::to_string_pretty(&self.0.replay_scenario()).unwrap_or_default()
    }

    /// Queues a command (JSON) for the next tick boundary.
    pub fn command(&mut self, json: &str) -> Result<(), JsValue> {
        let c = sim::parse_command(json, &self.0).map_err(|e| thrown(&e))?;
        self.0.command(c);
        Ok(())
    }

    /// Rises whenever `layout()` would change (a resharding, a producer added).
    #[wasm_bindgen(js_name = layoutVersion)]
    pub fn layout_version(&self) -> f64 {
        self.0.layout_version as f64
    }

    pub fn layout(&self) -> JsValue {
        to_js(&frame::layout(&self.0))
    }

    #[wasm_bindgen(js_name = shardFrame)]
    pub fn shard_frame(&self) -> Vec<f64> {
        frame::shard_frame(&self.0)
    }

    #[wasm_bindgen(js_name = producerFrame)]
    pub fn producer_frame(&self) -> Vec<f64> {
        frame::producer_frame(&self.0)
    }

    #[wasm_bindgen(js_name = consumerFrame)]
    pub fn consumer_frame(&self) -> Vec<f64> {
        frame::consumer_frame(&self.0)
    }

    #[wasm_bindgen(js_name = recentRecords)]
    pub fn recent_records(&self, window_ms: f64) -> Vec<f64> {
        frame::recent_records(&self.0, window_ms.max(0.0) as u64)
    }

    #[wasm_bindgen(js_name = writeEvents)]
    pub fn write_events(&self, after_seq: f64) -> Vec<f64> {
        frame::write_events(&self.0, after_seq.max(0.0) as u64)
    }

    #[wasm_bindgen(js_name = recordDetail)]
    pub fn record_detail(&self, lane: u32, record_index: f64) -> JsValue {
        to_js(&self.0.record_detail(lane, record_index.max(0.0) as u64))
    }

    /// Plain-language notes of what just happened (`{ seq, t_ms, text }`), newer than `afterSeq`.
    pub fn notes(&self, after_seq: f64) -> JsValue {
        let notes: Vec<_> = self.0.notes_after(after_seq.max(0.0) as u64).collect();
        to_js(&notes)
    }

    /// Per consumer: kind, records delivered, mean delay, duplicates, order violations,
    /// expired unread, per shard its iterator age and backlog, and (KCL) the lease table; the
    /// same objects as the CLI report's `consumers`.
    pub fn consumers(&self) -> JsValue {
        to_js(&crate::sim::report::Report::consumers_of(&self.0))
    }

    /// Firehose delivery streams (the CLI report's `firehoses`: buffer, objects, metrics, lake,
    /// batch job).
    pub fn firehoses(&self) -> JsValue {
        to_js(&crate::sim::report::Report::firehoses_of(&self.0))
    }

    /// A query over delivery stream `index`'s lake: records that arrived in `[fromMs, toMs)`,
    /// as far as Firehose has delivered them (`{ objects, records, sum_amount_cents,
    /// mean_amount_cents, known_until_ms }`).
    #[wasm_bindgen(js_name = lakeQuery)]
    pub fn lake_query(&self, index: u32, from_ms: f64, to_ms: f64) -> JsValue {
        let f = self.0.firehoses.get(index as usize);
        to_js(&f.map(|f| f.query(from_ms.max(0.0) as u64, to_ms.max(0.0) as u64)))
    }

    pub fn ledger(&self) -> JsValue {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct LedgerJs {
            produced: u64,
            producer_buffered: u64,
            retrying: u64,
            in_shard_unread: u64,
            read: u64,
            expired_unread: u64,
            dropped: u64,
            firehose_buffered: u64,
            firehose_retrying: u64,
            in_s3: u64,
            firehose_lost: u64,
            transform_dropped: u64,
            balanced: bool,
        }
        let l = self.0.ledger();
        to_js(&LedgerJs {
            produced: l.produced,
            producer_buffered: l.producer_buffered,
            retrying: l.retrying,
            in_shard_unread: l.in_shard_unread,
            read: l.read,
            expired_unread: l.expired_unread,
            dropped: l.dropped,
            firehose_buffered: l.firehose_buffered,
            firehose_retrying: l.firehose_retrying,
            in_s3: l.in_s3,
            firehose_lost: l.firehose_lost,
            transform_dropped: l.transform_dropped,
            balanced: l.balanced(),
        })
    }

    pub fn metrics(&self, last_seconds: u32) -> JsValue {
        to_js(&frame::metrics(&self.0, last_seconds as usize))
    }
}

/// Errors of a scenario (empty when valid).
#[wasm_bindgen(js_name = validateScenario)]
pub fn validate_scenario(json: &str) -> Vec<String> {
    sim::validate(json).0
}

#[wasm_bindgen(js_name = presetNames)]
pub fn preset_names() -> Vec<String> {
    sim::preset_names().into_iter().map(String::from).collect()
}

#[wasm_bindgen(js_name = presetScenario)]
pub fn preset_scenario(name: &str) -> Option<String> {
    sim::preset(name).map(String::from)
}

/// A seed from the browser's crypto source, for "new random seed" (never used inside the sim).
#[wasm_bindgen(js_name = randomSeed)]
pub fn random_seed() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_or_else(|_| "1".into(), |()| u64::from_le_bytes(b).to_string())
}

/// The constants of the typed-array rows.
#[wasm_bindgen(js_name = rowFields)]
pub fn row_fields() -> JsValue {
    #[derive(Serialize)]
    #[allow(non_snake_case)]
    struct Fields {
        SHARD_FIELDS: usize,
        PRODUCER_FIELDS: usize,
        CONSUMER_FIELDS: usize,
        RECORD_FIELDS: usize,
        EVENT_FIELDS: usize,
    }
    to_js(&Fields {
        SHARD_FIELDS: frame::SHARD_FIELDS,
        PRODUCER_FIELDS: frame::PRODUCER_FIELDS,
        CONSUMER_FIELDS: frame::CONSUMER_FIELDS,
        RECORD_FIELDS: frame::RECORD_FIELDS,
        EVENT_FIELDS: frame::EVENT_FIELDS,
    })
}
