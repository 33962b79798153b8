// The page's one caller of the wasm facade (www/pkg/streamsim.js, contract in www/README.md). It
// loads the module, owns the running Sim, steps it, and turns what the facade returns into plain
// data for the panels:
// - per-frame numbers as `Rows` (a typed array read by the field names `row_fields()` gives);
// - what changes rarely only when it changed: the layout when `layout_version` rises, a
//   delivery stream's objects after the last sequence number the page has and its metrics after
//   the last second it has, notes and write events after the last number seen.
// Nothing else in the page imports the facade, and no panel holds a Sim.

/** The page keeps this many of a delivery stream's objects (the newest) … */
export const OBJECTS_KEPT = 100;
/** … and this many seconds of its metrics. */
export const METRIC_SECONDS_KEPT = 600;

/** Field names the page reads, per row (checked against `row_fields()` at start). */
const FIELDS_USED = {
  shard: [
    'incoming_records',
    'incoming_bytes',
    'write_throttled',
    'records_this_second',
    'unread_records',
    'iterator_age_ms',
  ],
  producer: ['attempted', 'accepted', 'throttled', 'dropped_total', 'retrying', 'buffered'],
  consumer: ['iterator_age_ms'],
  record: ['lane', 'index', 'arrival_ms', 'key_colour', 'producer', 'size_bytes', 'read_at_ms'],
  tile: ['lane', 'index', 'arrival_ms', 'key_colour', 'read_at_ms'],
  event: ['seq', 't_ms', 'producer', 'lane', 'kind', 'key_colour'],
  firehose: [
    'buffered_bytes',
    'buffered_records',
    'buffer_age_ms',
    'data_freshness_ms',
    'objects_total',
    'received_records',
    'delivered_records',
    'lost_records',
    'retrying_records',
    'duplicate_records',
    'lake_field_bits',
  ],
};

/** Limits (`limits()` keys) the page's inputs take their ranges from. */
const LIMITS_USED = [
  'stream.shard_count',
  'producer.records_per_second',
  'producer.hot_key_share',
  'lambda.error_rate',
  'firehose.buffering_size',
  'firehose.buffering_interval',
  'firehose.error_rate',
  'firehose.dropped_rate',
  'firehose.processing_failed_rate',
  'firehose.timeout_rate',
];

/**
 * Where the aggregate view's first bin starts (simulated ms): bins are aligned on multiples of
 * `binMs` and the last one holds `nowMs`, as the core counts them (`frame::belt::bins_start_ms`).
 */
export function binsStartMs(nowMs, binMs, bins) {
  return (Math.floor(nowMs / binMs) - bins + 1) * binMs;
}

/** A facade refusal (`{ errors: [{ path, message }] }`) as an Error the page can show. */
export class Refusal extends Error {
  constructor(errors) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    this.name = 'Refusal';
    this.errors = errors;
  }
}

function refusal(err) {
  if (err && Array.isArray(err.errors)) return new Refusal(err.errors);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * A flat typed array of rows, each of the same named fields: `rows.get(i, 'unread_records')`.
 * `rows.f` maps each field name to its place in a row, for loops over many rows
 * (`rows.data[i * rows.width + rows.f.arrival_ms]`).
 */
export class Rows {
  constructor(data, names) {
    this.data = data;
    this.names = names;
    this.width = names.length;
    this.count = this.width ? Math.floor(data.length / this.width) : 0;
    this.f = Object.fromEntries(names.map((n, i) => [n, i]));
  }

  static empty(names) {
    return new Rows(new Float64Array(0), names);
  }

  get(i, name) {
    const k = this.f[name];
    if (k === undefined) throw new Error(`no field ${name} in this row`);
    return this.data[i * this.width + k];
  }

  /** Row `i` as a plain object of its fields. */
  object(i) {
    return Object.fromEntries(this.names.map((n, k) => [n, this.data[i * this.width + k]]));
  }
}

/**
 * The row of `consumer_frame` for consumer `k` (layout index) on lane `lane`: the rows are per
 * consumer, per lane of its stream, consumer-major. -1 when that consumer does not read the lane.
 */
export function consumerRow(layout, k, lane) {
  const streams = new Map(layout.streams.map((st) => [st.name, st]));
  let row = 0;
  for (let i = 0; i < layout.consumers.length; i++) {
    const st = streams.get(layout.consumers[i].stream_name);
    const count = st ? st.lane_count : 0;
    if (i === k) {
      const at = st ? lane - st.first_lane : -1;
      return at >= 0 && at < count ? row + at : -1;
    }
    row += count;
  }
  return -1;
}

let instances = 0;

/**
 * Load the wasm module; returns the Engine (free functions) that makes runs. Each call after the
 * first loads a fresh instance (its own memory): after a trap the old one cannot be trusted
 * (wasm-bindgen leaves the trapped object borrowed, the allocator may be half-way), so the page
 * starts again in a new one. `debug` (the page's `?debug=1`) arms the trap hook (`forceTrap`).
 */
export async function loadEngine({ debug = false } = {}) {
  instances += 1;
  // the same file under another URL is another module, with its own instance
  const url = instances === 1 ? './pkg/streamsim.js' : `./pkg/streamsim.js?instance=${instances}`;
  const api = await import(url);
  const wasm = await api.default({
    module_or_path: new URL('./pkg/streamsim_bg.wasm', import.meta.url),
  });
  return new Engine(api, wasm, debug);
}

/**
 * A trap as the browser reports one: a RuntimeError from the wasm module (unreachable, out of
 * memory, out of bounds), a RangeError (memory could not grow), anything thrown that is not a
 * refusal. The page stops on these; a refusal is an answer.
 */
export function isTrap(err) {
  return !(err instanceof Refusal);
}

/**
 * The debug hook (only with `?debug=1`): the Sim behind a proxy that, once `hook.armed`, throws
 * at the next facade call and at every one after it, as a trapped wasm-bindgen object does.
 */
function trappable(sim, hook) {
  let broken = false;
  return new Proxy(sim, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args) => {
        if (hook.armed || broken) {
          hook.armed = false;
          const first = !broken;
          broken = true;
          throw new WebAssembly.RuntimeError(
            first
              ? `unreachable (forced by the debug hook at ${String(prop)})`
              : 'recursive use of an object detected which would lead to unsafe aliasing in rust',
          );
        }
        return v.apply(target, args);
      };
    },
  });
}

export class Engine {
  constructor(api, wasm, debug = false) {
    this.api = api;
    this.wasm = wasm;
    this.fields = api.row_fields();
    this.limitsByName = api.limits();
    /** `{ armed }` with `?debug=1`, else null: `forceTrap()` arms it. */
    this.debug = debug ? { armed: false } : null;
  }

  /** Debug only: the next facade call of the running Sim throws (a RuntimeError). */
  forceTrap() {
    if (!this.debug) throw new Error('forceTrap needs ?debug=1');
    this.debug.armed = true;
  }

  /** What this page reads that the facade does not give (empty when they agree). */
  mismatch() {
    const out = [];
    for (const [row, names] of Object.entries(FIELDS_USED)) {
      const have = this.fields[row] || [];
      const missing = names.filter((n) => !have.includes(n));
      if (missing.length) out.push(`row ${row} has no ${missing.join(', ')}`);
    }
    const noLimit = LIMITS_USED.filter((k) => !this.limitsByName[k]);
    if (noLimit.length) out.push(`limits() has no ${noLimit.join(', ')}`);
    return out;
  }

  /** `{ min, max, default, unit }` of a `concept.field` in the core's limits catalogue. */
  limit(name) {
    const l = this.limitsByName[name];
    if (!l) throw new Error(`limits() has no ${name}`);
    return l;
  }

  presetNames() {
    return this.api.preset_names();
  }

  presetScenario(name) {
    return this.api.preset_scenario(name);
  }

  randomSeed() {
    return this.api.random_seed();
  }

  /** The scenario's errors, `[{ path, message }]` (empty when it is valid). */
  validate(text) {
    return this.api.validate_scenario(text);
  }

  /** A new run of a preset; throws a Refusal. */
  fromPreset(name) {
    try {
      return new Run(this, this.api.Sim.from_preset(name), { preset: name });
    } catch (err) {
      throw refusal(err);
    }
  }

  /** A new run of scenario text; throws a Refusal. */
  fromScenario(text) {
    try {
      return new Run(this, this.api.Sim.from_scenario(text), { text });
    } catch (err) {
      throw refusal(err);
    }
  }

  /** A new run from a Run's `origin` (`{ preset }` or `{ text }`) with `seed`; throws a Refusal. */
  fromOrigin(origin, seed) {
    const run =
      origin.preset !== undefined ? this.fromPreset(origin.preset) : this.fromScenario(origin.text);
    if (seed === undefined || seed === null || seed === run.seed()) return run;
    const seeded = run.withSeed(seed);
    run.free();
    return seeded;
  }
  // ---- lessons (the core's lessons, exercises, predictions and grades) ----------------------

  /** The menu: `[{ id, concept, title, summary, steps, exercises }]`. */
  lessons(locale) {
    return this.api.lessons(locale);
  }

  /** A lesson with its texts merged; throws a Refusal. */
  lesson(id, locale) {
    try {
      return this.api.lesson(id, locale);
    } catch (err) {
      throw refusal(err);
    }
  }

  /** `[{ control, commands, about }]`: the command types each lesson control may send. */
  controls() {
    return this.api.controls();
  }

  /** An exercise's start as scenario text (`seed` "" = its own); throws a Refusal. */
  exerciseStart(id, seed = '') {
    try {
      return this.api.exercise_start(id, seed);
    } catch (err) {
      throw refusal(err);
    }
  }

  /** A new run from an exercise's start (`seed` "" = its own); throws a Refusal. */
  fromExercise(id, seed = '') {
    return this.fromScenario(this.exerciseStart(id, seed));
  }

  /** `{ question, fields, choices, unit, tolerance, all_choices }`; throws a Refusal. */
  predict(id, seed, locale) {
    try {
      return this.api.predict(id, seed, locale);
    } catch (err) {
      throw refusal(err);
    }
  }

  /** `{ passed, earned, total, message, correct, explanation, explanations }`; throws a Refusal. */
  grade(id, seed, answers, locale) {
    try {
      return this.api.grade(id, seed, JSON.stringify(answers), locale);
    } catch (err) {
      throw refusal(err);
    }
  }
}

/** One delivery stream as the page keeps it between frames. */
function newFirehoseStore() {
  return {
    objects: [],
    lastObjectSeq: 0,
    objectsVersion: 0,
    metrics: [],
    lastSecond: -1,
    lakeKnownUntilMs: 0,
  };
}

/** A running simulation and what the page has read of it so far. */
export class Run {
  constructor(engine, sim, origin) {
    this.engine = engine;
    this.sim = engine.debug ? trappable(sim, engine.debug) : sim;
    /** What it was made from: `{ preset }` or `{ text }` (to start it again in a fresh engine). */
    this.origin = origin;
    this.tickMs = sim.tick_ms();
    this.layout = null;
    this.layoutVersion = -1;
    this.lastNoteSeq = 0;
    this.lastEventSeq = 0;
    this.firehoses = [];
    this.commands = [];
    this.commandsVersion = -1;
    /**
     * Bytes of typed arrays received from the facade: `frame` since `beginFrame()`, and over the
     * frames so far (`max`, `total`, `frames`): what the per-frame limit (`budget`) bounds.
     */
    this.crossed = { frame: 0, max: 0, total: 0, frames: 0 };
    this.budget = null;
    this.syncLayout();
  }

  /** A typed array from the facade, counted. */
  counted(arr) {
    this.crossed.frame += arr.byteLength;
    return arr;
  }

  /** A new frame of the page starts: the last one's bytes go into the totals. */
  beginFrame() {
    const c = this.crossed;
    if (c.frame > 0 || c.frames > 0) {
      c.max = Math.max(c.max, c.frame);
      c.total += c.frame;
      c.frames += 1;
    }
    c.frame = 0;
  }

  /** Frees the wasm memory of this run (the page keeps one run at a time). */
  free() {
    this.sim.free?.();
    this.sim = null;
  }

  /** A fresh run of the same scenario with another seed (decimal string); throws a Refusal. */
  withSeed(seed) {
    try {
      return new Run(this.engine, this.sim.with_seed(String(seed)), this.origin);
    } catch (err) {
      throw refusal(err);
    }
  }

  step(ticks) {
    if (ticks > 0) this.sim.step(ticks);
  }

  nowMs() {
    return this.sim.now_ms();
  }

  tick() {
    return this.sim.tick();
  }

  seed() {
    return this.sim.seed();
  }

  digest() {
    return this.sim.digest();
  }

  description() {
    return this.sim.description();
  }

  scenarioJson() {
    return this.sim.scenario_json();
  }

  replayScenario() {
    return this.sim.replay_scenario();
  }

  /**
   * The commands applied so far, as the replay lists them (`[{ type, at_ms, … }]`): read again
   * only when the layout version moved (every applied command moves it).
   */
  appliedCommands() {
    const v = this.sim.layout_version();
    if (v !== this.commandsVersion) {
      this.commandsVersion = v;
      let cmds;
      try {
        // only the commands are read: the seed may exceed 2^53, and is not used here
        cmds = JSON.parse(this.sim.replay_scenario()).commands;
      } catch {
        cmds = [];
      }
      this.commands = Array.isArray(cmds) ? cmds : [];
    }
    return this.commands;
  }

  /**
   * Queue a command (an object); returns the refusal's errors, `[]` when it was accepted. A trap
   * is thrown, not returned: it is no answer about the command.
   */
  command(cmd) {
    try {
      this.sim.command(JSON.stringify(cmd));
      return [];
    } catch (err) {
      const r = refusal(err);
      if (r instanceof Refusal) return r.errors;
      throw r;
    }
  }

  /** Read the layout again if its version rose; true when it did. */
  syncLayout() {
    const v = this.sim.layout_version();
    if (v === this.layoutVersion && this.layout) return false;
    this.layoutVersion = v;
    this.layout = this.sim.layout();
    // how this run's frame fits the core's one limit (lanes and consumers change it)
    this.budget = this.sim.frame_budget();
    while (this.firehoses.length < this.layout.firehoses.length) {
      this.firehoses.push(newFirehoseStore());
    }
    this.firehoses.length = this.layout.firehoses.length;
    return true;
  }

  /** The numbers of this frame, as rows by field name. */
  frame() {
    const f = this.engine.fields;
    const s = this.sim;
    return {
      nowMs: s.now_ms(),
      tickMs: this.tickMs,
      tick: s.tick(),
      shards: new Rows(this.counted(s.shard_frame()), f.shard),
      producers: new Rows(this.counted(s.producer_frame()), f.producer),
      consumers: new Rows(this.counted(s.consumer_frame()), f.consumer),
      firehoses: new Rows(this.counted(s.firehose_frame()), f.firehose),
    };
  }

  /** Records that arrived in the last `windowMs`, at most `perLane` newest per lane, as rows. */
  recentRecords(windowMs, perLane = 512) {
    const data = this.sim.recent_records(Math.max(0, windowMs), perLane);
    return new Rows(this.counted(data), this.engine.fields.record);
  }

  /** The belt's tiles (rows of `tile`): at most `perLane` (and the budget's) newest per lane. */
  beltTiles(windowMs, perLane) {
    const data = this.sim.belt_tiles(Math.max(0, windowMs), perLane);
    return new Rows(this.counted(data), this.engine.fields.tile);
  }

  /**
   * The aggregate view: a Uint32Array, per lane `budget.bins` bins of `binMs` (the first from
   * `binsStartMs`), each [records, of them unread].
   */
  beltBins(binMs) {
    return this.counted(this.sim.belt_bins(binMs));
  }

  /** The record kept on `lane` that arrived nearest `tMs`: a tile row as an object, or null. */
  recordNear(lane, tMs) {
    const rows = new Rows(
      this.counted(this.sim.record_near(lane, Math.max(0, tMs))),
      this.engine.fields.tile,
    );
    return rows.count ? rows.object(0) : null;
  }

  /** Write events since the last call (the newest `budget.events_max`), as rows. */
  newEvents() {
    const data = this.counted(this.sim.write_events(this.lastEventSeq));
    const rows = new Rows(data, this.engine.fields.event);
    if (rows.count) this.lastEventSeq = rows.get(rows.count - 1, 'seq');
    return rows;
  }

  /** Notes since the last call: `[{ seq, t_ms, kind, text }]`. */
  newNotes() {
    const notes = this.sim.notes(this.lastNoteSeq);
    if (notes.length) this.lastNoteSeq = notes[notes.length - 1].seq;
    return notes;
  }

  /** The ledger's 12 counts, `accounted` (the sum of the 11 places) and `balanced`. */
  ledger() {
    return this.sim.ledger();
  }

  /** The consumers' report (per consumer: delays, duplicates, per-shard lag, leases, …). */
  consumers() {
    return this.sim.consumers();
  }

  /** Per delivery stream: its transform, Redshift and batch job counts. */
  firehoseCounts() {
    return this.sim.firehose_counts();
  }

  /**
   * Bring each delivery stream's objects and metrics up to date, asking only for what is new
   * (objects when `objects_total` in the frame is past the last one the page has; metrics when
   * a second has ended since the last one it has). Returns the stores:
   * `[{ objects (oldest first, the newest OBJECTS_KEPT), objectsVersion (rises when new ones
   * came), metrics (the last METRIC_SECONDS_KEPT seconds), lakeKnownUntilMs (the arrival of the
   * newest record the lake holds) }]`.
   */
  firehoseData(frame) {
    const rows = frame.firehoses;
    const second = Math.floor(frame.nowMs / 1000) - 1; // the last whole second
    this.firehoses.forEach((st, i) => {
      if (i >= rows.count) return;
      if (rows.get(i, 'objects_total') > st.lastObjectSeq) {
        const fresh = this.sim.firehose_objects(i, st.lastObjectSeq);
        if (fresh.length) {
          st.lastObjectSeq = fresh[fresh.length - 1].seq;
          st.objects = st.objects.concat(fresh).slice(-OBJECTS_KEPT);
          st.objectsVersion += 1;
          // how far the lake knows: asked again only when objects landed
          st.lakeKnownUntilMs = this.lakeQuery(i, 0, Number.MAX_SAFE_INTEGER).known_until_ms;
        }
      }
      if (second > st.lastSecond) {
        const fresh = this.sim.firehose_metrics(i, st.lastSecond);
        if (fresh.length) {
          st.lastSecond = fresh[fresh.length - 1].second;
          st.metrics = st.metrics.concat(fresh).slice(-METRIC_SECONDS_KEPT);
        }
      }
    });
    return this.firehoses;
  }

  /** A record's detail (`null` once it is no longer kept). */
  recordDetail(lane, index) {
    return this.sim.record_detail(lane, index);
  }

  /** A query over delivery stream `index`'s lake, records that arrived in `[fromMs, toMs)`. */
  lakeQuery(index, fromMs, toMs) {
    return this.sim.lake_query(index, fromMs, toMs);
  }

  /** Check task `id` live on this run, every simulated second; throws a Refusal. */
  setExercise(id, locale) {
    try {
      this.sim.set_exercise(id, locale);
    } catch (err) {
      throw refusal(err);
    }
  }

  /** The task's status when it changed since the last call, else null. */
  exerciseStatus() {
    return this.sim.exercise_status();
  }

  /** The verdict `streamsim check --locale` gives on an attempt file (text), in `locale`. */
  checkAttempt(text, locale) {
    return this.sim.check_attempt(text, locale);
  }
}
