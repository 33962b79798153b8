//! The wasm facade: one thin layer over the core, for JavaScript. One naming style, snake_case,
//! as in the CLI's report. Each method is one line over `crate::sim`, where everything is
//! tested natively. Big state stays in wasm memory; numbers that change every frame cross as
//! `Float64Array` rows whose field names `row_fields()` gives; data that changes rarely crosses
//! as plain objects (serde-wasm-bindgen, JSON-compatible), and only what is new: objects after a
//! sequence number, metrics after a second, notes after a number. Errors are thrown as
//! `{ errors: [{ path, message }] }`. The contract is `www/README.md`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::sim::lesson::{self, api, check::Live};
use crate::sim::{self, frame, report::Report, Errors, World};

fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// `{ errors: [{ path, message }] }`, as every refusal is thrown.
fn thrown(errors: Errors) -> JsValue {
    #[derive(Serialize)]
    struct Thrown {
        errors: Vec<sim::FieldError>,
    }
    to_js(&Thrown { errors: errors.0 })
}

/// A whole number from JS (a negative or NaN one is 0).
fn whole(x: f64) -> u64 {
    x.max(0.0) as u64
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// A text locale from JS ("en" when left out).
fn locale(l: &Option<String>) -> &str {
    l.as_deref().unwrap_or("en")
}

/// A running simulation, and the exercise checked live on it (if any).
#[wasm_bindgen]
pub struct Sim(World, Option<Live>);

impl Sim {
    fn new(w: World) -> Sim {
        Sim(w, None)
    }
}

#[wasm_bindgen]
impl Sim {
    pub fn from_scenario(json: &str) -> Result<Sim, JsValue> {
        sim::world_from_text(json, None)
            .map(Sim::new)
            .map_err(thrown)
    }

    pub fn from_preset(name: &str) -> Result<Sim, JsValue> {
        Sim::from_scenario(sim::preset(name).ok_or_else(|| thrown(sim::unknown_preset(name)))?)
    }

    /// A fresh run of the same scenario with another seed (a decimal u64 string).
    pub fn with_seed(&self, seed: &str) -> Result<Sim, JsValue> {
        sim::world_with_seed(&self.0, seed)
            .map(Sim::new)
            .map_err(thrown)
    }

    /// Advances whole ticks; commands queued before apply at the first tick boundary. The
    /// exercise set with `set_exercise` is checked at the end of every simulated second.
    pub fn step(&mut self, ticks: u32) {
        Live::step(&mut self.0, self.1.as_mut(), ticks);
    }

    /// Starts checking task `id` live on this run (texts in `locale`, "en" when left out).
    pub fn set_exercise(&mut self, id: &str, locale: Option<String>) -> Result<(), JsValue> {
        self.1 = Some(api::live(id, &self.0, self::locale(&locale)).map_err(thrown)?);
        Ok(())
    }

    /// `{ state, second, earned, total, conditions: [{ id, met, text }], message }`, or null when
    /// unchanged since the last call (or no exercise is set).
    pub fn exercise_status(&mut self) -> JsValue {
        to_js(&self.1.as_mut().and_then(Live::status_if_changed))
    }

    /// "Check my answer": the verdict on an attempt (a downloaded run with "exercise"), as the
    /// CLI's `check --locale` gives it (message in `locale`, "en" when left out).
    pub fn check_attempt(&self, attempt_json: &str, locale: Option<String>) -> JsValue {
        to_js(&lesson::attempt::check_attempt_in(
            attempt_json,
            "attempt",
            self::locale(&locale),
        ))
    }

    pub fn tick_ms(&self) -> f64 {
        self.0.tick_ms as f64
    }

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

    pub fn description(&self) -> String {
        self.0.scenario.description.clone()
    }

    pub fn scenario_json(&self) -> String {
        serde_json::to_string_pretty(&self.0.scenario.source).unwrap_or_default()
    }

    /// This run as a scenario file: loading it and stepping as far gives the same digest.
    pub fn replay_scenario(&self) -> String {
        serde_json::to_string_pretty(&self.0.replay_scenario()).unwrap_or_default()
    }

    /// Queues a command (JSON) for the next tick boundary; throws `{ errors }` if refused.
    pub fn command(&mut self, json: &str) -> Result<(), JsValue> {
        let c = sim::parse_command(json, &self.0).map_err(thrown)?;
        self.0.command(c);
        Ok(())
    }

    /// Rises whenever `layout()` would change.
    pub fn layout_version(&self) -> f64 {
        self.0.layout_version as f64
    }

    pub fn layout(&self) -> JsValue {
        to_js(&frame::layout::layout(&self.0))
    }

    pub fn shard_frame(&self) -> Vec<f64> {
        frame::rows::shard_frame(&self.0)
    }

    pub fn producer_frame(&self) -> Vec<f64> {
        frame::rows::producer_frame(&self.0)
    }

    pub fn consumer_frame(&self) -> Vec<f64> {
        frame::rows::consumer_frame(&self.0)
    }

    pub fn firehose_frame(&self) -> Vec<f64> {
        frame::rows::firehose_frame(&self.0)
    }

    /// Records of the last `window_ms`, at most `per_lane` (and 512) newest per lane.
    pub fn recent_records(&self, window_ms: f64, per_lane: u32) -> Vec<f64> {
        frame::rows::recent_records(&self.0, whole(window_ms), per_lane as usize)
    }

    /// `{ frame_bytes_max, fixed_bytes, tiles_per_lane, tiles_per_lane_max, bins, bin_width,
    /// events_max, tile_row_bytes }`: how this run's frame fits the one limit.
    pub fn frame_budget(&self) -> JsValue {
        to_js(&frame::belt::budget(&self.0))
    }

    /// The belt's tiles: `row_fields().tile` per record of the last `window_ms`, at most
    /// `per_lane` (and the budget's `tiles_per_lane`) newest per lane.
    pub fn belt_tiles(&self, window_ms: f64, per_lane: u32) -> Vec<f64> {
        frame::belt::tiles(&self.0, whole(window_ms), per_lane as usize)
    }

    /// The aggregate view: per lane, `bins` × [records, unread] in bins of `bin_ms`.
    pub fn belt_bins(&self, bin_ms: f64) -> Vec<u32> {
        frame::belt::bins(&self.0, whole(bin_ms))
    }

    /// The kept record of `lane` that arrived nearest `t_ms` (a tile row; empty when none).
    pub fn record_near(&self, lane: u32, t_ms: f64) -> Vec<f64> {
        frame::belt::record_near(&self.0, lane, whole(t_ms))
    }

    pub fn write_events(&self, after_seq: f64) -> Vec<f64> {
        frame::rows::write_events(&self.0, whole(after_seq))
    }

    pub fn record_detail(&self, lane: u32, index: f64) -> JsValue {
        to_js(&self.0.record_detail(lane, whole(index)))
    }

    /// Notes newer than `after_seq`: `{ seq, t_ms, kind, text }`.
    pub fn notes(&self, after_seq: f64) -> JsValue {
        to_js(&self.0.notes_after(whole(after_seq)).collect::<Vec<_>>())
    }

    /// The report's `consumers`.
    pub fn consumers(&self) -> JsValue {
        to_js(&Report::consumers_of(&self.0))
    }

    /// Per delivery stream: transform, Redshift and batch job counts.
    pub fn firehose_counts(&self) -> JsValue {
        to_js(&frame::firehose::counts(&self.0))
    }

    /// Objects of delivery stream `index` after sequence number `after_seq`.
    pub fn firehose_objects(&self, index: u32, after_seq: f64) -> JsValue {
        to_js(&frame::firehose::objects_after(
            &self.0,
            index as usize,
            whole(after_seq),
        ))
    }

    /// Per-second metrics of delivery stream `index` after second `after_second` (−1: all).
    pub fn firehose_metrics(&self, index: u32, after_second: f64) -> JsValue {
        let after = (after_second >= 0.0).then(|| whole(after_second));
        to_js(&frame::firehose::metrics_after(
            &self.0,
            index as usize,
            after,
        ))
    }

    /// A query over delivery stream `index`'s lake: records that arrived in `[from_ms, to_ms)`.
    pub fn lake_query(&self, index: u32, from_ms: f64, to_ms: f64) -> JsValue {
        let f = self.0.firehoses.get(index as usize);
        to_js(&f.map(|f| f.query(whole(from_ms), whole(to_ms))))
    }

    /// Where every record is: the ledger's 12 counts and whether they balance.
    pub fn ledger(&self) -> JsValue {
        to_js(&self.0.ledger().view())
    }

    pub fn metrics(&self, last_seconds: u32) -> JsValue {
        to_js(&frame::layout::metrics(&self.0, last_seconds as usize))
    }
}

/// Errors of a scenario, `[{ path, message }]` (empty when valid).
#[wasm_bindgen]
pub fn validate_scenario(json: &str) -> JsValue {
    to_js(&sim::validate(json).0)
}

#[wasm_bindgen]
pub fn preset_names() -> Vec<String> {
    sim::preset_names().into_iter().map(String::from).collect()
}

#[wasm_bindgen]
pub fn preset_scenario(name: &str) -> Option<String> {
    sim::preset(name).map(String::from)
}

/// A seed from the browser's crypto source, for "new random seed" (never used inside the sim).
#[wasm_bindgen]
pub fn random_seed() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_or_else(|_| "1".into(), |()| u64::from_le_bytes(b).to_string())
}

/// The field names of every per-frame row: `{ shard: [...], producer: [...], ... }`.
#[wasm_bindgen]
pub fn row_fields() -> JsValue {
    to_js(
        &frame::rows::ROWS
            .iter()
            .copied()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

/// Every range the page shows or enforces, by `concept.field`: `{ min, max, default, unit }`.
#[wasm_bindgen]
pub fn limits() -> JsValue {
    to_js(
        &sim::base::limits::catalogue()
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

/// The lesson menu: `[{ id, concept, title, summary, steps, exercises: [ids] }]`.
#[wasm_bindgen]
pub fn lessons(locale: Option<String>) -> JsValue {
    to_js(&api::menu(self::locale(&locale)))
}

/// Every exercise: `[{ id, lesson, kind, title }]`.
#[wasm_bindgen]
pub fn exercises(locale: Option<String>) -> JsValue {
    to_js(&api::exercises(self::locale(&locale)))
}

/// One lesson with its texts in `locale` (English where untranslated); throws `{ errors }`.
#[wasm_bindgen]
pub fn lesson(id: &str, locale: Option<String>) -> Result<JsValue, JsValue> {
    api::lesson_view(id, self::locale(&locale))
        .map(|v| to_js(&v))
        .map_err(thrown)
}

/// The controls: `[{ control, commands: [command types], about }]`.
#[wasm_bindgen]
pub fn controls() -> JsValue {
    to_js(lesson::controls::CONTROLS)
}

/// The metric catalogue goals use: `[{ name, target, unit, role, about }]`.
#[wasm_bindgen]
pub fn goal_metrics() -> JsValue {
    to_js(lesson::metric::METRICS)
}

/// The scenario text an exercise starts from (`seed` "" = its own); throws `{ errors }`.
#[wasm_bindgen]
pub fn exercise_start(id: &str, seed: &str) -> Result<String, JsValue> {
    api::exercise_start(id, seed)
        .map(|v| v.to_string())
        .map_err(thrown)
}

/// A prediction's question at `seed`: `{ exercise, seed, question, fields, choices, unit, tolerance, all_choices }`.
#[wasm_bindgen]
pub fn predict(id: &str, seed: &str, locale: Option<String>) -> Result<JsValue, JsValue> {
    api::predict(id, seed, self::locale(&locale))
        .map(|v| to_js(&v))
        .map_err(thrown)
}

/// Grades a prediction or quiz: `{ passed, earned, total, message, correct, explanation, explanations }`.
#[wasm_bindgen]
pub fn grade(
    id: &str,
    seed: &str,
    answers_json: &str,
    locale: Option<String>,
) -> Result<JsValue, JsValue> {
    api::grade(id, seed, answers_json, self::locale(&locale))
        .map(|v| to_js(&v))
        .map_err(thrown)
}
