// App wiring: the one fixed-step loop that drives everything, the narration, the tables,
// scenarios and sharing. The simulation is reached only through sim.js (the page's one caller of
// the wasm facade); the panels are handed plain data and draw it. Nothing here uses Math.random
// or Date.now: requestAnimationFrame's timestamp (performance.now) only feeds the accumulator.

import {
  formatSimTime,
  formatCount,
  formatBytes,
  formatDuration,
  formatSpeed,
  formatMiB,
  formatPercent,
  speedFromSlider,
  sliderFromSpeed,
  hashPercent,
  formatHashRange,
  parseLocation,
  base64UrlEncode,
  compactJson,
  errorMessages,
  listWords,
} from './format.js';
import { loadEngine, consumerRow, isTrap, binsStartMs } from './sim.js';
import { Belt, beltTravelMs, beltDense, AGGREGATE_LANES } from './belt.js';
import { el, replaceChildren, buildProducerControls, buildTable, setText } from './controls.js';
import { ConsumerPanel, NotesFeed, AlertsFeed } from './consumers.js';
import { ReshardPanel } from './reshard.js';
import { FaultsPanel, faultTargets, faultState } from './faults.js';
import { FirehosePanel } from './firehose.js';
import { loadText, t, plural, applyText, LOCALE_PATTERN } from './text.js';
import {
  loadProgress,
  markDone,
  rememberStep,
  forgetProgress,
  lessonHref,
  renderMenu,
  renderStepList,
  renderParagraphs,
  PredictView,
  QuizView,
  TaskView,
} from './lesson.js';
// embed mode (issue 10): ?embed=1 shows one lesson step or one scene, driven by a host page
import { readEmbed, sceneLesson, startEmbed, embedHook, offerEmbedThis } from './embed.js';

const DEFAULT_PRESET = 'clickstream';
const MEASURE_FRAMES_MAX = 100_000; // ?measure keeps at most this many frames' times
const MAX_TICKS_PER_FRAME = 400; // a slow frame never makes the simulation run away
const MAX_FRAME_MS = 250; // longer gaps (a hidden tab) count as this much
// Simulation work per frame (real ms, measured with performance.now()), so the page stays
// responsive: a frame steps whole ticks while they fit; a tick that alone takes longer cannot be
// split, so then a frame runs exactly one. At most the budget plus one tick, either way.
const STEP_BUDGET_MS = 12;
// A frame that asks for more ticks than fit in that (a high speed) may step for up to this much
// (its ticks at their measured cost), so a costly scenario gets nearer 100×: the page then
// draws fewer frames a second (about 30 at worst). 24, not 40: at 40 ms a frame, a page on a
// loaded machine answered a click after more than 10 s (the e2e fuzz test, in a full run).
const STEP_BUDGET_MAX_MS = 24;
const RATE_WINDOW_MS = 1000; // the speed reached is measured over the last second
const PANEL_EVERY_MS = 200; // text panels refresh at most this often (real time)
const FIREHOSE_EVERY_MS = 250; // the Firehose panel, at most 4 times a second
const LIST_EVERY_MS = 1000;
const NARRATE_GAP_MS = 2500; // at most one narration per this much real time
const KEEP_RUNNING = 'errors.keepRunning';

const $ = (id) => document.getElementById(id);

const app = {
  engine: null,
  run: null, // the running simulation (sim.js Run)
  layout: null,
  tickCostMs: 0.1, // real ms a tick takes, measured (a moving mean), for the frame's budget
  drawMs: 0, // the belt's drawing in the last frame (real ms), for ?measure
  dense: false, // the belt shows its aggregate view (too many records for tiles)
  playing: true,
  speed: 1,
  acc: 0,
  lastFrameT: null,
  travelMs: 3000,
  hoseTravelMs: 1500,
  simMsTotal: 0, // simulated ms stepped by the loop since play started
  samples: [], // [real ms, simMsTotal] per frame, the last RATE_WINDOW_MS and a bit
  shortUntil: -Infinity, // a frame left ticks undone (over budget) until this real time
  actualSpeed: null, // simulated ms per real ms over the last second, while falling short
  stepStats: { stepMs: 0, ticks: 0, tickMs: 0, budgetMs: 12 }, // the last frame's stepping, for the checks
  bigScenario: null, // the running scenario's text when too big for the text box
  halted: false, // the core trapped: the loop is stopped until the student starts again
  debug: null, // ?debug=1: checks every frame (and the trap hook), see debugCheck
  selected: null,
  lastPanelT: -Infinity,
  lastFirehoseT: -Infinity,
  lastListT: -Infinity,
  lastDrawT: -Infinity,
  panelTick: -1,
  listTick: -1,
  reducedMotion: false,
  belt: null,
  producerUi: null,
  shardCells: null,
  shardRowLanes: [], // the lane each row of the shard table shows
  producerCells: null,
  recentEvents: [], // [tMs, lane, kind] of the last simulated second, for reduced motion
  narrator: null,
  watch: null,
  pendingCommands: 0, // commands sent but not applied yet (the sim applies them at a tick)
  echoes: 0, // notes of the page's own commands still to come (already told when sent)
  noteBacklog: [], // notes read before a step that applies the page's commands
  faultsDirty: false, // the layout changed: the faults panel reads the run's state again
  faultsNextT: 0, // not before this real time (reading the applied commands costs)
  reshardKey: '', // streams and lane states the resharding panel was built for
  frame: null, // the last frame's rows
  data: { consumers: [], ledger: null, firehoses: [] }, // what the panels were last handed
  consumerPanel: null,
  notesFeed: null,
  alertsFeed: null,
  reshard: null,
  faults: null,
  firehose: null,
  mode: 'playground', // 'menu', 'lesson' or 'playground'
  fastForwardTo: null, // while a step fast-forwards: where to, in words (the status bar's)
  locale: 'en',
  lesson: null, // the lesson being taught (see enterLesson)
};

// ---- narration: polite, plain words, rate-limited ------------------------------------------

class Narrator {
  constructor(live, log) {
    this.live = live;
    this.log = log;
    this.queue = [];
    this.lastT = -Infinity;
    this.holdUntil = -Infinity;
    this.timer = 0;
  }

  /** `key` collapses repeated news of the same kind into the newest. */
  say(text, key = text) {
    this.queue = this.queue.filter((q) => q.key !== key);
    this.queue.push({ text, key });
  }

  /** Of the queued entries whose key starts with `prefix`, keep only the newest `max`. */
  keepNewest(prefix, max) {
    const mine = this.queue.filter((q) => q.key.startsWith(prefix));
    const drop = new Set(mine.slice(0, Math.max(0, mine.length - max)));
    if (drop.size) this.queue = this.queue.filter((q) => !drop.has(q));
  }

  /**
   * Speak what is queued, at most once per NARRATE_GAP_MS unless `force` (the answer to
   * something the student just did). Nothing queued is dropped: one kind of news has one entry.
   */
  flush(now, force = false) {
    if (!this.queue.length) return;
    if (!force && (now - this.lastT < NARRATE_GAP_MS || now < this.holdUntil)) return;
    const msg = this.queue.map((q) => q.text).join(' ');
    this.queue = [];
    this.lastT = now;
    this.live.textContent = msg;
    const stamp = app.frame ? formatSimTime(app.frame.nowMs) : '';
    this.log.prepend(el('li', {}, [el('span', { class: 'mono', text: stamp }), ` ${msg}`]));
    while (this.log.children.length > 12) this.log.lastElementChild.remove();
  }

  /**
   * Speak soon: the answer to a control that repeats (a slider moved with the arrow keys sends a
   * command per key press); only the last of a quick run of them is spoken.
   */
  soon(delayMs = 600) {
    clearTimeout(this.timer);
    this.holdUntil = performance.now() + delayMs;
    this.timer = setTimeout(() => this.flush(performance.now(), true), delayMs);
  }
}

/** What the narration last said about the numbers, to speak only of changes. */
function newWatch() {
  return {
    throttle: newEpisode(),
    drop: newEpisode(),
    dropped: 0,
    explained: new Set(),
    behind: false,
    balancedWarned: false,
  };
}

// Throttling and dropping come and go from one second to the next on a busy stream: they are
// told as episodes, "started" once, and "stopped" only after a quiet spell of both simulated
// and real time, so a screen reader is not read the same news every few seconds.
const QUIET_SIM_MS = 5000;
const QUIET_REAL_MS = 4000;

function newEpisode() {
  return { on: false, lastSimMs: -Infinity, lastRealMs: -Infinity };
}

/** true when an episode starts, false when it ends after a quiet spell, null otherwise. */
function episode(ep, active, simMs, realMs) {
  if (active) {
    ep.lastSimMs = simMs;
    ep.lastRealMs = realMs;
    if (ep.on) return null;
    ep.on = true;
    return true;
  }
  if (ep.on && simMs - ep.lastSimMs >= QUIET_SIM_MS && realMs - ep.lastRealMs >= QUIET_REAL_MS) {
    ep.on = false;
    return false;
  }
  return null;
}

function narrateChanges(frame, ledger) {
  const lay = app.layout;
  const w = app.watch;
  const shards = frame.shards;
  const simMs = frame.nowMs;
  const realMs = performance.now();

  const throttled = lay.lanes.filter((l) => shards.get(l.lane, 'write_throttled') > 0);
  const th = episode(w.throttle, throttled.length > 0, simMs, realMs);
  if (th === true) {
    embedHook('throttle', { shards: throttled.map((l) => l.shard_id) }); // embed hook
    const ids =
      throttled.length > 3
        ? t('narrate.throttle.manyShards', { n: throttled.length })
        : listWords(throttled.map((l) => l.shard_id));
    if (w.explained.has('throttle')) {
      app.narrator.say(t('narrate.throttle.again', { shards: ids }), 'throttle');
    } else {
      w.explained.add('throttle');
      const { write_records_per_second: records, write_bytes_per_second: bytes } = lay.limits;
      const params = { shards: ids, records: formatCount(records), mib: formatMiB(bytes, 0) };
      app.narrator.say(
        t(
          throttled.length > 1 ? 'narrate.throttle.start.many' : 'narrate.throttle.start.one',
          params,
        ),
        'throttle',
      );
    }
  } else if (th === false) {
    app.narrator.say(t('narrate.throttle.stop'), 'throttle');
  }

  const d = episode(w.drop, ledger.dropped > w.dropped, simMs, realMs);
  w.dropped = ledger.dropped;
  if (d === true) {
    const key = w.explained.has('drop') ? 'narrate.drop.again' : 'narrate.drop.start';
    w.explained.add('drop');
    app.narrator.say(t(key, { n: formatCount(ledger.dropped) }), 'dropped');
  } else if (d === false) {
    app.narrator.say(t('narrate.drop.stop', { n: formatCount(ledger.dropped) }), 'dropped');
  }

  let maxAge = 0;
  let maxLane = 0;
  for (const l of lay.lanes) {
    const age = shards.get(l.lane, 'iterator_age_ms');
    if (age > maxAge) {
      maxAge = age;
      maxLane = l.lane;
    }
  }
  if (!w.behind && maxAge >= 10_000) {
    w.behind = true;
    app.narrator.say(
      t('narrate.behind.start', {
        age: formatDuration(maxAge),
        shard: lay.lanes[maxLane].shard_id,
      }),
      'behind',
    );
  } else if (w.behind && maxAge < 3000) {
    w.behind = false;
    app.narrator.say(t('narrate.behind.stop'), 'behind');
  }
  if (!ledger.balanced && !w.balancedWarned) {
    w.balancedWarned = true;
    app.narrator.say(t('narrate.ledger.bug'), 'ledger');
  }
}

/** At most this many of the simulation's notes are waiting to be spoken (the newest). */
const NOTES_SPOKEN_MAX = 3;

/**
 * The simulation's notes go to the live region too: throttling is told by the page's own
 * narration already, and the notes of the page's own commands were answered when they were
 * sent. One entry per kind and moment, so a burst of notes (a worker's takeover of four shards
 * in one tick) is spoken as its newest; and only the newest few wait to be spoken.
 */
function narrateNotes(fresh) {
  for (const n of fresh) {
    if (n.echo || n.kind === 'throttle') continue;
    const t = n.text;
    const text = t.charAt(0).toUpperCase() + t.slice(1);
    app.narrator.say(/[.!?]$/.test(text) ? text : `${text}.`, `note-${n.kind}-${n.t_ms}`);
  }
  app.narrator.keepNewest('note-', NOTES_SPOKEN_MAX);
}

// ---- installing a simulation ----------------------------------------------------------------

/** Make `run` the running simulation; the old one is freed. */
function install(run, how) {
  run.seedText = run.seed();
  const old = app.run;
  app.run = run;
  if (old && old !== run) old.free();
  app.acc = 0;
  app.pendingCommands = 0;
  app.echoes = 0;
  app.noteBacklog = [];
  app.selected = null;
  app.dense = false;
  sayDense(false, 0);
  app.recentEvents = [];
  app.watch = newWatch();
  app.belt.select(null);
  app.notesFeed.reset();
  app.alertsFeed.reset();
  app.consumerPanel.reset();
  app.firehose.reset();
  app.layout = null;
  app.reshardKey = '';
  onLayout(true);
  app.faults.setup(
    faultTargets(run.layout),
    faultState(run.layout, run.consumers(), run.appliedCommands()),
  );
  app.faultsDirty = false;
  showScenarioText(run.scenarioJson());
  showDescription(run.description());
  $('share-link').value = '';
  setText($('share-status'), '');
  $('share-status').classList.remove('warn-text');
  $('seed').value = run.seed();
  replaceChildren($('record-detail'), [el('p', { class: 'hint', text: t('record.aside.none') })]);
  $('record-aside').hidden = true;
  app.panelTick = -1;
  app.listTick = -1;
  if (how) app.narrator.say(how, 'install');
  titleForScene(run.layout);
  render(performance.now(), true);
  app.narrator.flush(performance.now(), true); // the answer to what the student just did
}

/**
 * Above this size the scenario is not put in the text box: a textarea of megabytes (100,000
 * scheduled commands, the most a file may have, are ~10 MB) takes the browser seconds to lay
 * out, and nobody edits that by hand. The page says how big it is and offers it as a file.
 */
const SCENARIO_TEXT_MAX = 200_000;

/** The running scenario's text in the text box, or, when too big, a summary and a download. */
function showScenarioText(text) {
  const big = text.length > SCENARIO_TEXT_MAX;
  app.bigScenario = big ? text : null;
  $('scenario-text').value = big ? '' : text;
  $('scenario-text-field').hidden = big;
  $('scenario-edit-buttons').hidden = big;
  $('scenario-big').hidden = !big;
  if (!big) return;
  const bytes = new TextEncoder().encode(text).length;
  const commands = (text.match(/"at_ms"/g) || []).length;
  setText(
    $('scenario-big-text'),
    t('scenario.big.text', {
      size: formatMegabytes(bytes),
      commands: plural('count.scheduledCommands', commands),
    }),
  );
}

/** "10.2 MB" (decimal megabytes, as file managers say a file's size). */
function formatMegabytes(bytes) {
  return t('unit.megabytes.value', { n: (bytes / 1e6).toFixed(1) });
}

/** Save the running scenario (the big one not in the text box) as streamsim-scenario.json. */
function downloadScenario() {
  if (app.bigScenario === null) return;
  saveFile('streamsim-scenario.json', app.bigScenario);
  app.narrator.say(t('scenario.big.saved', { file: 'streamsim-scenario.json' }), 'share');
  app.narrator.flush(performance.now(), true);
}

/** The text box again, empty, for a scenario of one's own (the big one keeps running). */
function editNewScenario() {
  $('scenario-big').hidden = true;
  $('scenario-text-field').hidden = false;
  $('scenario-edit-buttons').hidden = false;
  $('scenario-text').focus();
}

/** Save `text` as a file: a Blob behind an object URL, released right after. */
function saveFile(name, text) {
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'application/json' }));
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The scenario's own words about itself (its top-level "description"), under the belt. */
function showDescription(description) {
  const text = String(description || '').trim();
  const p = $('scenario-description');
  setText(p, text);
  p.hidden = text === '';
}

/** The streams and lane states the resharding panel shows (it is rebuilt when they change). */
function reshardKeyOf(lay) {
  return JSON.stringify([
    lay.streams.map((st) => [st.name, st.mode, st.status, st.open_shards]),
    lay.lanes.map((l) => l.state),
  ]);
}

/** The layout changed (or a run was installed): everything laid out by it follows. */
function onLayout(rebuild) {
  const old = app.layout;
  const lay = app.run.layout;
  app.layout = lay;
  // a scheduled add_producer brings a producer the controls and tables do not have yet
  const reshaped =
    !old || old.producers.length !== lay.producers.length || old.lanes.length !== lay.lanes.length;
  app.belt.setLayout(lay, rebuild || reshaped);
  if (rebuild || reshaped || !app.producerUi) {
    const box = $('producer-controls');
    const focused = box.contains(document.activeElement) ? document.activeElement.id : '';
    app.producerUi = buildProducerControls(box, lay, app.send, {
      rate: app.engine.limit('producer.records_per_second'),
      hotKeyShare: app.engine.limit('producer.hot_key_share'),
    });
    if (focused && $(focused)) $(focused).focus(); // the same control, rebuilt
    buildShardTable(lay);
    buildProducerTable(lay);
  } else {
    app.producerUi.sync(lay);
  }
  const key = reshardKeyOf(lay);
  if (rebuild || reshaped || key !== app.reshardKey) {
    app.reshardKey = key;
    app.reshard.setLayout(lay);
    if (!rebuild && !reshaped) buildShardTable(lay); // a state changed (CLOSED, EXPIRED)
  }
  app.firehose.setLayout(lay.firehoses);
  app.faultsDirty = true;
}

/** The sentence for an update_destination: one whole sentence per compression case. */
function destinationKey(format) {
  if (!format) return 'cmd.destination';
  return format === 'UNCOMPRESSED' ? 'cmd.destination.uncompressed' : 'cmd.destination.compressed';
}

/** A command in plain words, with the narration key that collapses repeats: [text, key]. */
function describeCommand(cmd) {
  const who = typeof cmd.producer === 'string' ? cmd.producer : '';
  switch (cmd.type) {
    case 'set_rate':
      return [
        t('cmd.setRate', { producer: who, n: formatCount(cmd.records_per_second) }),
        `rate-${who}`,
      ];
    case 'set_hot_key_share':
      return [
        t('cmd.setHotKeyShare', { producer: who, share: formatPercent(cmd.hot_key_share) }),
        `hot-${who}`,
      ];
    case 'pause_producer':
      return [t('cmd.pauseProducer', { producer: who }), `pp-${who}`];
    case 'resume_producer':
      return [t('cmd.resumeProducer', { producer: who }), `pp-${who}`];
    case 'split_shard':
      return [t('cmd.split', { shard: cmd.shard_to_split, stream: cmd.stream_name }), 'reshard'];
    case 'merge_shards':
      return [
        t('cmd.merge', {
          shard: cmd.shard_to_merge,
          adjacent: cmd.adjacent_shard_to_merge,
          stream: cmd.stream_name,
        }),
        'reshard',
      ];
    case 'update_shard_count':
      return [
        t('cmd.updateShardCount', {
          stream: cmd.stream_name,
          shards: plural('count.shards', cmd.target_shard_count),
        }),
        'reshard',
      ];
    case 'crash_worker':
      return [
        t('cmd.crashWorker', { worker: cmd.worker, consumer: cmd.consumer }),
        `worker-${cmd.consumer}-${cmd.worker}`,
      ];
    case 'restart_worker':
      return [
        t('cmd.restartWorker', { worker: cmd.worker, consumer: cmd.consumer }),
        `worker-${cmd.consumer}-${cmd.worker}`,
      ];
    case 'put_poison_record':
      return [t('cmd.poison', { producer: who }), `poison-${who}`];
    case 'set_function_error_rate':
      return [
        Number(cmd.error_rate) > 0
          ? t('cmd.functionErrors', { fn: cmd.function_name, share: formatPercent(cmd.error_rate) })
          : t('cmd.functionWorks', { fn: cmd.function_name }),
        `fn-${cmd.function_name}`,
      ];
    case 'set_s3_available':
      return [
        cmd.available
          ? t('cmd.s3Back', { stream: cmd.delivery_stream_name })
          : t('cmd.s3Down', { stream: cmd.delivery_stream_name }),
        `s3-${cmd.delivery_stream_name}`,
      ];
    case 'set_s3_timeout_rate':
      return [
        t('cmd.s3Timeouts', {
          share: formatPercent(cmd.timeout_rate),
          stream: cmd.delivery_stream_name,
        }),
        `s3t-${cmd.delivery_stream_name}`,
      ];
    case 'update_destination':
      return [
        t(destinationKey(cmd.compression_format), {
          stream: cmd.delivery_stream_name,
          size: cmd.buffering_size ?? t('cmd.destination.sameSize'),
          interval: cmd.buffering_interval ?? t('cmd.destination.sameInterval'),
          format: cmd.compression_format,
        }),
        `dest-${cmd.delivery_stream_name}`,
      ];
    case 'set_transform_rates': {
      const parts = [];
      if (cmd.error_rate !== undefined)
        parts.push(t('cmd.transform.errors', { share: formatPercent(cmd.error_rate) }));
      if (cmd.dropped_rate !== undefined)
        parts.push(t('cmd.transform.dropped', { share: formatPercent(cmd.dropped_rate) }));
      if (cmd.processing_failed_rate !== undefined)
        parts.push(t('cmd.transform.failed', { share: formatPercent(cmd.processing_failed_rate) }));
      return [
        // the changes are a list (each item whole), joined as a list is
        t('cmd.transform', {
          stream: cmd.delivery_stream_name,
          changes: parts.join(t('list.comma')) || t('cmd.transform.unchanged'),
        }),
        `tf-${cmd.delivery_stream_name}`,
      ];
    }
    case 'set_redshift_available':
      return [
        cmd.available
          ? t('cmd.redshiftBack', { stream: cmd.delivery_stream_name })
          : t('cmd.redshiftDown', { stream: cmd.delivery_stream_name }),
        `rs-${cmd.delivery_stream_name}`,
      ];
    case 'set_processing_rate':
      return [
        cmd.records_per_second === undefined || cmd.records_per_second === null
          ? t('cmd.processingFull', { consumer: cmd.consumer })
          : t('cmd.processingSlow', {
              consumer: cmd.consumer,
              n: formatCount(cmd.records_per_second),
            }),
        `slow-${cmd.consumer}`,
      ];
    default:
      return null;
  }
}

/**
 * Send a command the student made; returns the facade's errors (`[{ path, message }]`, empty
 * when accepted). Its answer is told at once; the note the run leaves when it applies the
 * command is then not told again (see `advance`).
 */
function sendCommand(cmd, { host = false } = {}) {
  const L = app.lesson;
  // embed hook: the host page's commands are its author's, checked by the core alone
  if (L && !host && !L.allowedTypes.has(cmd.type)) {
    return [{ path: t('errors.topLevel'), message: t('lesson.locked', { type: cmd.type }) }];
  }
  const errors = app.run.command(cmd);
  if (errors.length) return errors;
  app.pendingCommands += 1;
  const said = describeCommand(cmd);
  if (said) app.narrator.say(...said);
  if (!app.playing) app.narrator.say(t('narrate.nextTick'), 'next-tick');
  app.narrator.soon();
  return [];
}

// ---- tables ---------------------------------------------------------------------------------

/** With more than AGGREGATE_LANES lanes, the tables list this many shards (the busiest). */
const SHARD_ROWS_MAX = 20;

/** Many lanes: the page summarises (bands on the belt, the busiest shards in the tables). */
function manyLanes(lay) {
  return lay.lanes.length > AGGREGATE_LANES;
}

function buildShardTable(lay) {
  const headers = [
    'shards.col.shard',
    'shards.col.state',
    'shards.col.share',
    'shards.col.startingHashKey',
    'shards.col.endingHashKey',
    'shards.col.recordsPerSecond',
    'shards.col.throttledPerSecond',
    'shards.col.unread',
    'shards.col.behind',
  ].map((k) => t(k));
  const many = manyLanes(lay);
  const rows = many ? Math.min(SHARD_ROWS_MAX, lay.lanes.length) : lay.lanes.length;
  app.shardCells = buildTable($('shard-table'), headers, rows);
  app.shardRowLanes = lay.lanes.slice(0, rows).map((l) => l.lane);
  lay.lanes.slice(0, rows).forEach((l, i) => fillShardRowHead(app.shardCells[i], l));
  const note = $('shard-table-note');
  note.hidden = !many;
  setText(note, many ? t('shards.table.busiest', { n: formatCount(lay.lanes.length), rows }) : '');
}

function fillShardRowHead(c, l) {
  setText(c[0], l.shard_id);
  setText(c[1], t(`shard.state.${l.state}`));
  setText(c[2], formatHashRange(l.starting_hash_key, l.ending_hash_key, 2));
  setText(c[3], l.starting_hash_key);
  setText(c[4], l.ending_hash_key);
  c[3].className = 'mono';
  c[4].className = 'mono';
}

/** Many lanes: the lanes the shard table shows now, the busiest first. */
function busiestLanes(lay, shards, max) {
  const score = (l) => [
    shards.get(l.lane, 'incoming_records'),
    shards.get(l.lane, 'write_throttled'),
    shards.get(l.lane, 'unread_records'),
  ];
  return lay.lanes
    .filter((l) => l.lane < shards.count)
    .map((l) => ({ l, s: score(l) }))
    .sort((a, b) => b.s[0] - a.s[0] || b.s[1] - a.s[1] || b.s[2] - a.s[2] || a.l.lane - b.l.lane)
    .slice(0, max)
    .map((x) => x.l.lane);
}

/** Per producer, transposed (one column per producer) so it fits a narrow panel. */
const PRODUCER_ROWS = [
  ['producerTable.attempted', 'attempted'],
  ['producerTable.accepted', 'accepted'],
  ['producerTable.throttled', 'throttled'],
  ['producerTable.droppedTotal', 'dropped_total'],
  ['producerTable.retrying', 'retrying'],
  ['producerTable.buffered', 'buffered'],
];
const PRODUCER_WARN = new Set(['throttled', 'dropped_total']);

function buildProducerTable(lay) {
  const head = el('thead', {}, [
    el('tr', {}, [el('td'), ...lay.producers.map((p) => el('th', { scope: 'col', text: p.name }))]),
  ]);
  app.producerCells = [];
  const body = el(
    'tbody',
    {},
    PRODUCER_ROWS.map(([label]) => {
      const cells = lay.producers.map(() => el('td', { text: '0' }));
      app.producerCells.push(cells);
      return el('tr', {}, [el('th', { scope: 'row', text: t(label) }), ...cells]);
    }),
  );
  replaceChildren($('producer-table'), [head, body]);
}

/** The ledger's places, in the order the table lists them (its cells are `[data-place]`). */
const LEDGER_PLACES = [
  'produced',
  'producer_buffered',
  'retrying',
  'in_shard_unread',
  'read',
  'expired_unread',
  'dropped',
  'firehose_buffered',
  'firehose_retrying',
  'in_s3',
  'transform_dropped',
  'firehose_lost',
];

function updateLedger(lg) {
  for (const place of LEDGER_PLACES) {
    const cell = document.querySelector(`#ledger td[data-place="${place}"]`);
    if (cell) setText(cell, formatCount(lg[place]));
  }
  const bal = $('lg-balanced');
  setText(
    bal,
    lg.balanced
      ? t('ledger.balanced', { n: formatCount(lg.accounted) })
      : t('ledger.unbalanced', {
          n: formatCount(lg.accounted),
          produced: formatCount(lg.produced),
        }),
  );
  bal.classList.toggle('bad', !lg.balanced);
}

// ---- the frame loop: the one clock of the page ---------------------------------------------

function frame(t) {
  if (app.halted) return;
  // embed hook: an off-screen or hidden embed parks its loop; embed.js restarts it
  if (app.parked) {
    app.loopParked = true;
    return;
  }
  app.loopFrames = (app.loopFrames ?? 0) + 1;
  const m = app.measure;
  const t0 = m ? performance.now() : 0;
  try {
    if (app.run) frameOnce(t);
  } catch (err) {
    halt(err);
    return;
  }
  if (m && m.times.length < MEASURE_FRAMES_MAX) {
    m.times.push(performance.now() - t0);
    m.bytes.push(app.run ? app.run.crossed.frame : 0);
    m.steps.push(app.stepStats.stepMs);
    m.draws.push(app.drawMs);
    app.drawMs = 0;
  }
  requestAnimationFrame(frame);
}

function frameOnce(t) {
  const dt = app.lastFrameT === null ? 0 : Math.min(Math.max(0, t - app.lastFrameT), MAX_FRAME_MS);
  app.lastFrameT = t;
  app.run.beginFrame(); // the bytes crossing the boundary are counted per frame
  app.stepStats = { stepMs: 0, ticks: 0, tickMs: 0, budgetMs: STEP_BUDGET_MS };
  if (app.playing) {
    app.acc += dt * app.speed;
    const tickMs = app.run.tickMs;
    const want = Math.min(MAX_TICKS_PER_FRAME, Math.floor(app.acc / tickMs));
    const done = stepWithinBudget(want);
    if (done < Math.floor(app.acc / tickMs)) {
      // not all fitted: the debt is dropped, never chased, and the status says so
      app.acc = 0;
      app.shortUntil = t + RATE_WINDOW_MS;
    } else {
      app.acc -= done * tickMs;
    }
    app.simMsTotal += done * tickMs;
    measureSpeed(t);
  }
  render(t, false);
  if (app.debug) debugCheck(t);
}

/**
 * Step up to `want` ticks while they fit in the frame's budget of simulation work (the time in
 * the core's step, not the page's own redrawing). One tick at a time, each timed: the frame
 * stops after the first tick that ends past the budget, so it runs at most the budget plus one
 * tick, and a tick that alone takes longer than the budget is the frame's only one. (A call per
 * tick costs microseconds; a tick of a small scenario costs a tenth of a millisecond or more.)
 * Returns the ticks done.
 */
function stepWithinBudget(want) {
  let simMs = 0;
  let done = 0;
  let slowest = 0;
  // the budget: STEP_BUDGET_MS, or what the wanted ticks cost, up to STEP_BUDGET_MAX_MS
  const budget = Math.min(STEP_BUDGET_MAX_MS, Math.max(STEP_BUDGET_MS, want * app.tickCostMs));
  while (done < want && simMs < budget) {
    const took = advance(1);
    simMs += took;
    slowest = Math.max(slowest, took);
    done += 1;
  }
  if (done > 0) app.tickCostMs = app.tickCostMs * 0.8 + (simMs / done) * 0.2;
  app.stepStats = { stepMs: simMs, ticks: done, tickMs: slowest, budgetMs: budget };
  return done;
}

// ---- when the core traps: stop, say so, offer to start again --------------------------------

/**
 * The core threw something that is not a refusal (a wasm trap: `unreachable` from a panic, out
 * of memory): this run cannot go on, and every later call on it would throw too. Stop the loop,
 * say so in plain words (an alert), keep what the panels show as it was, and offer to start
 * again in a fresh copy of the simulator.
 */
function halt(err) {
  if (app.halted) return;
  app.halted = true;
  app.playing = false;
  console.error('streamsim: the simulation stopped:', err);
  if (app.debug) app.debug.violations += 1;
  const what = err && err.name ? `${err.name}: ${err.message}` : String(err);
  const origin = app.run && app.run.origin;
  setText($('play-label'), t('run.play'));
  $('play-icon').className = 'icon icon-play';
  setText($('st-state'), stateText());
  for (const id of HALT_INERT) $(id).inert = true;
  const box = $('trap');
  box.hidden = false;
  setText(
    $('trap-text'),
    app.frame ? t('trap.text.at', { time: formatSimTime(app.frame.nowMs) }) : t('trap.text'),
  );
  setText($('trap-detail'), what.length > 300 ? `${what.slice(0, 300)}…` : what);
  setText(
    $('trap-restart'),
    origin && origin.preset !== undefined
      ? t('trap.restart.preset', { preset: origin.preset })
      : t('trap.restart.scenario'),
  );
  $('trap-default').hidden = !!(origin && origin.preset === DEFAULT_PRESET);
  $('trap-restart').focus();
}

/** What the page makes inert while stopped (everything that would call the stopped run). */
const HALT_INERT = ['controls', 'belt-wrap', 'panels'];

/**
 * Start again after a trap, in a fresh instance of the module: the stopped run's scenario (from
 * its start, same seed) or the default preset. If that fails too, the default preset.
 */
async function restartAfterTrap(useDefault) {
  const btns = [$('trap-restart'), $('trap-default')];
  for (const b of btns) b.disabled = true;
  let run = null;
  let how = '';
  try {
    const engine = await loadEngine({ debug: app.debugOn });
    app.engine = engine;
    const old = app.run;
    if (!useDefault && old && old.origin) {
      try {
        run = engine.fromOrigin(old.origin, old.seedText);
        how = t('trap.restarted');
      } catch {
        run = null;
      }
    }
    if (!run) {
      run = engine.fromPreset(DEFAULT_PRESET);
      how = t('trap.restartedDefault', { preset: DEFAULT_PRESET });
    }
  } catch (err) {
    for (const b of btns) b.disabled = false;
    setText($('trap-detail'), t('trap.restartFailed', { errors: errorMessages(err).join('; ') }));
    return;
  }
  app.run = null; // the stopped run is not freed: a call on it would throw again
  app.halted = false;
  for (const id of HALT_INERT) $(id).inert = false;
  $('trap').hidden = true;
  for (const b of btns) b.disabled = false;
  install(run, how);
  setPlaying(true, false);
  $('play').focus();
  requestAnimationFrame(frame);
}

/**
 * Wrap a handler that reaches the run: a trap there stops the page as one in the loop does (a
 * refusal never gets here: the calls that can be refused return or show it).
 */
function guard(fn) {
  return (...args) => {
    if (app.halted) return undefined;
    try {
      return fn(...args);
    } catch (err) {
      halt(err);
      return undefined;
    }
  };
}

// ---- debug checks (?debug=1, and ?fuzz) -------------------------------------------------------

/**
 * Every frame: the stepping kept to its budget (the budget plus the slowest tick of the frame,
 * and a little for the scheduler), and, each time the panels read it, the ledger balanced.
 * A violation is counted and logged with console.error.
 */
function debugCheck(t) {
  const d = app.debug;
  d.frames += 1;
  const st = app.stepStats;
  d.maxStepMs = Math.max(d.maxStepMs, st.stepMs);
  if (st.ticks > 0 && st.stepMs > st.budgetMs + st.tickMs + DEBUG_SLACK_MS) {
    violation(
      `frame over budget: ${st.stepMs.toFixed(1)} ms for ${st.ticks} ticks (budget ${st.budgetMs.toFixed(1)} ms, slowest tick ${st.tickMs.toFixed(1)} ms)`,
    );
  }
  const lg = app.data.ledger;
  if (lg && lg !== d.lastLedger) {
    d.lastLedger = lg;
    if (!lg.balanced)
      violation(`ledger not balanced at tick ${app.run.tick()}: ${lg.accounted} of ${lg.produced}`);
  }
  d.lastT = t;
}

/** Rounding of performance.now() (coarsened by the browser): this much is allowed. */
const DEBUG_SLACK_MS = 1;

function violation(text) {
  const d = app.debug;
  d.violations += 1;
  if (d.log.length < 50) d.log.push(text);
  console.error(`streamsim debug check: ${text}`);
}

/** Simulated ms per real ms over the last second, kept while the loop falls short. */
function measureSpeed(t) {
  const samples = app.samples;
  samples.push([t, app.simMsTotal]);
  while (samples.length > 2 && samples[1][0] <= t - RATE_WINDOW_MS) samples.shift();
  const [t0, sim0] = samples[0];
  if (t - t0 < RATE_WINDOW_MS * 0.9) return; // not a second yet since play started
  app.actualSpeed = t < app.shortUntil ? (app.simMsTotal - sim0) / (t - t0) : null;
}

/** Step `ticks` ticks; returns the real ms the core's step took. */
function advance(ticks) {
  if (ticks <= 0) return 0;
  if (app.pendingCommands > 0) {
    // the first notes of the next tick are those of the commands the page sent (the run
    // applies queued commands first): told when they were sent, they are not told again
    collectNotes();
    app.echoes = app.pendingCommands;
    app.pendingCommands = 0;
  }
  const s0 = performance.now();
  stepRun(ticks);
  const took = performance.now() - s0;
  if (app.lesson) pollTask();
  // a resharding completes, or a scheduled command applies, without a command at that tick
  if (app.run.syncLayout()) onLayout(false);
  return took;
}

/**
 * Step the run, sending a lesson step's scheduled commands (`on_entry.commands`) at their
 * `at_ms`: a command goes in the first tick that starts at or after it, as a scenario's do.
 */
function stepRun(ticks) {
  const due = app.lesson ? app.lesson.scheduled : null;
  if (!due || !due.length) {
    app.run.step(ticks);
    return;
  }
  let left = ticks;
  while (left > 0) {
    const now = app.run.nowMs();
    while (due.length && due[0].at_ms <= now) {
      const cmd = { ...due.shift() };
      delete cmd.at_ms;
      app.run.command(cmd); // told from its note, like a scenario's own commands
    }
    const until = due.length ? Math.max(1, Math.ceil((due[0].at_ms - now) / app.run.tickMs)) : left;
    const n = Math.min(left, until);
    app.run.step(n);
    left -= n;
  }
}

/** Read the run's new notes into the backlog, the first `app.echoes` of them marked `echo`. */
function collectNotes() {
  for (const n of app.run.newNotes()) {
    if (app.echoes > 0) {
      app.echoes -= 1;
      app.noteBacklog.push({ ...n, echo: true });
    } else {
      app.noteBacklog.push(n);
    }
  }
}

/** The notes since the last refresh, those of the page's own commands marked `echo`. */
function takeNotes() {
  collectNotes();
  const fresh = app.noteBacklog;
  app.noteBacklog = [];
  return fresh;
}

function render(t, force) {
  const run = app.run;
  const lay = app.layout;
  const fr = run.frame();
  app.frame = fr;
  const { nowMs, shards } = fr;

  // travel time of the belt: changes only by a clear margin, so tiles do not jump around
  let busiest = 0;
  for (let i = 0; i < shards.count; i++) {
    busiest = Math.max(
      busiest,
      shards.get(i, 'incoming_records'),
      shards.get(i, 'records_this_second'),
    );
  }
  if (busiest === 0) busiest = estimateLaneRate(lay);
  // the core's frame budget: how many tiles a lane may have; past that, the aggregate view
  const budget = run.budget;
  const tilesPerLane = Math.max(1, budget.tiles_per_lane);
  const bands = lay.lanes.length > AGGREGATE_LANES; // one band per stream: no tiles, no bins
  const dense = !bands && beltDense(app.speed, busiest, tilesPerLane, app.dense);
  const target = beltTravelMs(app.speed, busiest, tilesPerLane, dense);
  if (dense !== app.dense || Math.abs(target - app.travelMs) / app.travelMs > 0.3)
    app.travelMs = target;
  if (dense !== app.dense) {
    app.dense = dense;
    sayDense(dense, busiest);
  }
  // the hose: about 1.5 s of real time from end to end at this speed
  const hose = Math.min(3_600_000, Math.max(300, 1500 * app.speed));
  if (Math.abs(hose - app.hoseTravelMs) / app.hoseTravelMs > 0.3) app.hoseTravelMs = hose;

  const events = run.newEvents();
  if (events.count) {
    app.belt.addEvents(events, nowMs, app.travelMs);
    if (app.reducedMotion) rememberEvents(events, nowMs);
  }

  const drawEvery = app.reducedMotion ? 1000 : 0;
  if (force || t - app.lastDrawT >= drawEvery) {
    app.lastDrawT = t;
    let records = NO_TILES;
    let bins = null;
    let binMs = 0;
    if (dense) {
      // the belt's window in bins of whole ms (the first one partly before the belt's start)
      binMs = Math.max(1, Math.ceil(app.travelMs / (budget.bins - 1)));
      bins = run.beltBins(binMs);
    } else if (!bands) {
      // a little more than the belt shows, so that records waiting at the end can be drawn too
      const win = Math.ceil(Math.max(app.travelMs * 1.5, Math.min(3000 * app.speed, 10_000)));
      records = run.beltTiles(win, tilesPerLane);
    }
    const d0 = performance.now();
    app.belt.frame({
      nowMs,
      tickMs: fr.tickMs,
      travelMs: app.travelMs,
      shards,
      records,
      bins,
      binMs,
      binCount: budget.bins,
      binsStart: bins ? binsStartMs(nowMs, binMs, budget.bins) : 0,
      consumer: fr.consumers,
      recentEvents: app.reducedMotion ? countRecentEvents(nowMs) : null,
    });
    app.drawMs = performance.now() - d0;
  }
  app.firehose.animate(nowMs, app.hoseTravelMs);

  if (force || (t - app.lastPanelT >= PANEL_EVERY_MS && fr.tick !== app.panelTick)) {
    app.lastPanelT = t;
    app.panelTick = fr.tick;
    updatePanels(fr, t, force);
  }
  if (force || (t - app.lastListT >= LIST_EVERY_MS && fr.tick !== app.listTick)) {
    if (force || !$('record-list').contains(document.activeElement)) {
      app.lastListT = t;
      app.listTick = fr.tick;
      updateRecordList();
    }
  }
  app.narrator.flush(t);
}

function newMeasure() {
  return {
    times: [],
    bytes: [],
    steps: [],
    draws: [],
    startReal: performance.now(),
    startSim: app.run ? app.run.nowMs() : 0,
  };
}

/** The belt's tiles when there are none to draw (bands, or the aggregate view). */
const NO_TILES = { count: 0, data: new Float64Array(0), width: 1, f: {}, get: () => 0 };

/**
 * The belt went to its aggregate view (too many records to draw one by one) or back to tiles:
 * the visible label under it says so, and, being a polite live region, is announced.
 */
function sayDense(dense, busiest) {
  const note = $('belt-dense-note');
  if (!note) return;
  note.hidden = !dense;
  setText(note, dense ? t('belt.dense.note', { n: formatCount(Math.round(busiest)) }) : '');
}

function estimateLaneRate(lay) {
  let total = 0;
  for (const p of lay.producers) if (!p.paused) total += p.records_per_second;
  return total / Math.max(1, lay.lanes.length);
}

function rememberEvents(events, nowMs) {
  for (let i = 0; i < events.count; i++) {
    app.recentEvents.push([events.get(i, 't_ms'), events.get(i, 'lane'), events.get(i, 'kind')]);
  }
  const keepFrom = nowMs - 1000;
  let k = 0;
  while (k < app.recentEvents.length && app.recentEvents[k][0] < keepFrom) k++;
  if (k) app.recentEvents.splice(0, k);
  if (app.recentEvents.length > 20000) app.recentEvents.splice(0, app.recentEvents.length - 20000);
}

function countRecentEvents(nowMs) {
  const byLane = new Map();
  for (const [tMs, lane, kind] of app.recentEvents) {
    if (tMs < nowMs - 1000) continue;
    if (!byLane.has(lane)) byLane.set(lane, [0, 0, 0]);
    byLane.get(lane)[kind] += 1;
  }
  return byLane;
}

function updatePanels(fr, t, force) {
  const run = app.run;
  const lay = app.layout;
  setText($('st-time'), formatSimTime(fr.nowMs));
  setText($('st-tick'), formatCount(fr.tick));
  setText($('st-seed'), run.seed());
  setText($('st-digest'), run.digest());
  setText($('st-state'), stateText());

  const lg = run.ledger();
  app.data.ledger = lg;
  updateLedger(lg);

  const pf = fr.producers;
  PRODUCER_ROWS.forEach(([, field], r) => {
    const row = app.producerCells[r];
    if (!row) return;
    lay.producers.forEach((p, i) => {
      const cell = row[i];
      if (!cell || i >= pf.count) return;
      const v = pf.get(i, field);
      setText(cell, formatCount(v));
      if (PRODUCER_WARN.has(field)) cell.classList.toggle('warn', v > 0);
    });
  });

  const shards = fr.shards;
  const several = lay.consumers.length > 1;
  if (manyLanes(lay)) {
    // the busiest shards, chosen again at every refresh: a row's shard may change
    app.shardRowLanes = busiestLanes(lay, shards, app.shardCells.length);
    app.shardRowLanes.forEach((lane, i) => fillShardRowHead(app.shardCells[i], lay.lanes[lane]));
  }
  app.shardRowLanes.forEach((lane, i) => {
    const l = lay.lanes[lane];
    const c = app.shardCells[i];
    if (!c || !l || lane >= shards.count) return;
    const throttled = shards.get(lane, 'write_throttled');
    setText(c[5], formatCount(shards.get(lane, 'incoming_records')));
    setText(c[6], throttled > 0 ? `${formatCount(throttled)} ⚠` : '0');
    setText(c[7], formatCount(shards.get(lane, 'unread_records')));
    setText(
      c[8],
      behindText(l, shards.get(lane, 'iterator_age_ms'), several ? fr.consumers : null),
    );
    c[6].classList.toggle('warn', throttled > 0);
  });

  const consumers = run.consumers();
  app.data.consumers = consumers;
  app.belt.setConsumers(consumers, performance.now());
  app.consumerPanel.setMany(manyLanes(lay));
  app.consumerPanel.update(consumers);
  app.alertsFeed.update(consumers);
  if (app.faultsDirty && app.pendingCommands === 0 && (force || t >= app.faultsNextT)) {
    // the applied commands are read from the run's replay, which grows with every command: a
    // scenario that schedules thousands reads it less often (at most 5% of the time)
    app.faultsDirty = false;
    const f0 = performance.now();
    app.faults.update(faultState(lay, consumers, run.appliedCommands()));
    app.faultsNextT = t + 20 * (performance.now() - f0);
  }
  if (
    lay.firehoses.length &&
    (force || !app.playing || t - app.lastFirehoseT >= FIREHOSE_EVERY_MS)
  ) {
    app.lastFirehoseT = t;
    updateFirehoses(fr, consumers);
  }
  const fresh = takeNotes();
  app.notesFeed.add(
    fresh,
    lay.lanes.map((l) => l.shard_id),
  );
  narrateNotes(fresh);

  narrateChanges(fr, lg);
}

/** The Firehose panel's data: each delivery stream's row, counts, objects and metrics. */
function updateFirehoses(fr, consumers) {
  const run = app.run;
  const stores = run.firehoseData(fr);
  const counts = run.firehoseCounts();
  const views = app.layout.firehoses.map((f, i) => ({
    row: fr.firehoses.object(i),
    counts: counts[i] || {},
    store: stores[i],
  }));
  app.firehose.update(views, consumers);
  // what the tests peek at: the page's own copy, as the panel was handed it
  app.data.firehoses = app.layout.firehoses.map((f, i) => ({
    ...f,
    ...views[i].row,
    transform: views[i].counts.transform ?? f.transform,
    redshift: views[i].counts.redshift ?? f.redshift,
    batch_job: views[i].counts.batch_job ?? f.batch_job,
    objects: stores[i].objects,
    metrics: stores[i].metrics,
    lake_known_until_ms: stores[i].lakeKnownUntilMs,
  }));
}

/** Iterator age on a lane: one number, or one per consumer of that stream when there are several. */
function behindText(lane, shardAge, cf) {
  if (!cf) return formatDuration(shardAge);
  const parts = [];
  app.layout.consumers.forEach((c, k) => {
    if (c.stream_name !== lane.stream) return;
    const r = consumerRow(app.layout, k, lane.lane);
    if (r < 0) return;
    parts.push(`${c.name} ${formatDuration(cf.get(r, 'iterator_age_ms'))}`);
  });
  return parts.length ? parts.join(', ') : formatDuration(shardAge);
}

// ---- records: the accessible list and the detail panel ---------------------------------------

function updateRecordList() {
  const list = $('record-list');
  const rec = app.run.recentRecords(60_000, 3);
  const lay = app.layout;
  const perLane = new Map();
  for (let k = rec.count - 1; k >= 0; k--) {
    const lane = rec.get(k, 'lane');
    if (!perLane.has(lane)) perLane.set(lane, []);
    const arr = perLane.get(lane);
    if (arr.length < 3) arr.push(k);
  }
  const prevValue = list.value;
  const groups = [];
  // many lanes: the newest records of at most SHARD_ROWS_MAX shards, the busiest
  const lanes = manyLanes(lay)
    ? busiestLanes(lay, app.frame.shards, SHARD_ROWS_MAX).map((k) => lay.lanes[k])
    : lay.lanes;
  for (const l of lanes) {
    const rows = perLane.get(l.lane);
    if (!rows) continue;
    // Chrome does not give a screen reader the group's label, so each option says its shard
    const g = el('optgroup', { label: l.shard_id, 'aria-label': l.shard_id });
    for (const k of rows) {
      const r = rec.object(k);
      const prod = lay.producers[r.producer];
      const read = r.read_at_ms >= 0 ? t('record.option.read') : t('record.option.unread');
      const from = prod ? prod.name : '?';
      const at = formatSimTime(r.arrival_ms);
      const size = formatBytes(r.size_bytes);
      // the accessible name holds the visible text (WCAG 2.5.3), after the shard it is on
      const text = t('record.option', { index: r.index, at, from, size, read });
      g.append(
        el('option', {
          value: `${l.lane}:${r.index}`,
          text,
          'aria-label': t('record.option.label', { shard: l.shard_id, text }),
        }),
      );
    }
    groups.push(g);
  }
  if (!groups.length) {
    const text = app.playing ? t('record.list.empty') : t('record.list.emptyPaused');
    groups.push(el('option', { value: '', disabled: true, text }));
  }
  replaceChildren(list, groups);
  if (prevValue) list.value = prevValue;
}

/**
 * The aggregate view: a click on a lane at a moment shows the record kept one by one that
 * arrived nearest it (the newest 512 of each shard are kept).
 */
function pickNear(lane, tMs) {
  const r = app.run.recordNear(lane, tMs);
  if (!r) return;
  selectRecord(lane, r.index);
}

function selectRecord(lane, recordIndex) {
  $('record-aside').hidden = false;
  app.selected = { lane, recordIndex };
  const d = app.run.recordDetail(lane, recordIndex);
  // the aggregate view rings the record where it is by its arrival, having no tile for it
  app.belt.select(d ? { ...app.selected, arrivalMs: d.arrival_ms } : app.selected);
  const box = $('record-detail');
  if (!d) {
    const where = app.layout.lanes[lane]
      ? app.layout.lanes[lane].shard_id
      : t('record.lane', { lane });
    replaceChildren(box, [
      el('p', {
        class: 'hint',
        text: t('record.gone', { index: recordIndex, where }),
      }),
    ]);
    return;
  }
  const laneInfo = app.layout.lanes[lane];
  const where = laneInfo
    ? t('record.where.owns', {
        pct: hashPercent(d.hash_key, 2),
        range: formatHashRange(laneInfo.starting_hash_key, laneInfo.ending_hash_key, 2),
      })
    : t('record.where', { pct: hashPercent(d.hash_key, 2) });
  const readWord =
    d.read === undefined
      ? t('record.read.unknown')
      : d.read
        ? t('record.read.yes')
        : t('record.read.no');
  const rows = [
    [t('record.field.partitionKey'), d.partition_key, false],
    [t('record.field.hashKey'), d.hash_key, true],
    [t('record.field.where'), where, false],
    [t('record.field.shard'), d.shard_id, false],
    [t('record.field.stream'), d.stream_name, false],
    [t('record.field.sequenceNumber'), d.sequence_number, true],
    [t('record.field.arrived'), t('record.arrived', { time: formatSimTime(d.arrival_ms) }), false],
    [
      t('record.field.size'),
      t('record.size', { n: formatCount(d.size_bytes), size: formatBytes(d.size_bytes) }),
      false,
    ],
    [t('record.field.producer'), d.producer, false],
    [t('record.field.read'), readWord, false],
  ];
  if (d.explicit_hash_key) {
    rows.push([t('record.field.explicitHashKey'), String(d.explicit_hash_key), true]);
  }
  const dl = el(
    'dl',
    { class: 'detail-list' },
    rows.flatMap(([k, v, mono]) => [
      el('dt', { text: k }),
      el('dd', { text: String(v), class: mono ? 'mono' : undefined }),
    ]),
  );
  replaceChildren(box, [
    el('h3', { text: t('record.detail.heading', { index: recordIndex, shard: d.shard_id }) }),
    dl,
  ]);
}

// ---- scenario loading ----------------------------------------------------------------------

function showErrors(target, intro, messages, outro) {
  const box = $(target);
  if (!messages || !messages.length) {
    replaceChildren(box, []);
    return;
  }
  replaceChildren(box, [
    el('p', { class: 'errors-intro', text: intro }),
    el(
      'ul',
      {},
      messages.map((m) => el('li', { text: m })),
    ),
    outro ? el('p', { text: outro }) : null,
  ]);
}

/** The validator's messages about scenario text (empty when it is valid). */
function validationMessages(text) {
  try {
    return errorMessages(app.engine.validate(text));
  } catch (err) {
    if (isTrap(err)) throw err;
    return errorMessages(err);
  }
}

/** Validate and load scenario text; on failure show why and keep the running scenario. */
function loadScenarioText(text, source) {
  const errors = validationMessages(text);
  if (errors.length) {
    showErrors('scenario-errors', t('scenario.notLoaded', { source }), errors, t(KEEP_RUNNING));
    app.narrator.say(
      t('scenario.problems', { source, problems: plural('count.problems', errors.length) }),
      'install',
    );
    return false;
  }
  let run;
  try {
    run = app.engine.fromScenario(text);
  } catch (err) {
    if (isTrap(err)) throw err;
    showErrors(
      'scenario-errors',
      t('scenario.notLoaded', { source }),
      errorMessages(err),
      t(KEEP_RUNNING),
    );
    return false;
  }
  showErrors('scenario-errors', '', []);
  install(run, t('scenario.loaded', { source }));
  return true;
}

function loadPreset(name) {
  let run;
  try {
    run = app.engine.fromPreset(name);
  } catch (err) {
    if (isTrap(err)) throw err;
    showErrors(
      'scenario-errors',
      t('scenario.preset.notLoaded', { name }),
      errorMessages(err),
      t(KEEP_RUNNING),
    );
    return false;
  }
  showErrors('scenario-errors', '', []);
  install(run, t('scenario.preset.loaded', { name }));
  return true;
}

function applySeed(seed) {
  const s = String(seed).trim();
  let run;
  try {
    run = app.run.withSeed(s);
  } catch (err) {
    if (isTrap(err)) throw err;
    showErrors('run-errors', t('run.seed.notUsed'), errorMessages(err), t(KEEP_RUNNING));
    return false;
  }
  showErrors('run-errors', '', []);
  install(run, t('run.seed.newRun', { seed: run.seed() }));
  return true;
}

function loadFromHash() {
  const loc = parseLocation('', location.hash);
  if (loc.scenarioError) {
    showErrors(
      'scenario-errors',
      t('scenario.address.notLoaded'),
      [loc.scenarioError],
      t(KEEP_RUNNING),
    );
    return;
  }
  if (loc.scenario !== null) loadScenarioText(loc.scenario, t('scenario.source.address'));
}

// ---- sharing a run ----------------------------------------------------------------------------

/**
 * This run as a scenario file (the run's replay: scenario, seed, every command applied so far
 * at the moment it took effect), or null after showing why it cannot be replayed.
 */
function replayText() {
  const text = app.run.replayScenario();
  const errors = validationMessages(text);
  if (errors.length) {
    showErrors('scenario-errors', t('share.noReplay'), errors);
    return null;
  }
  showErrors('scenario-errors', '', []);
  return text;
}

/**
 * `key`'s sentence ("… with 2 changes"), and a second sentence about a change made while paused
 * that is not applied yet.
 */
function shareSummary(key, params = {}) {
  const run = app.run;
  let msg = t(key, {
    ...params,
    time: formatSimTime(run.nowMs()),
    tick: formatCount(run.tick()),
    seed: run.seed(),
    changes: plural('count.changes', run.appliedCommands().length),
  });
  if (app.pendingCommands > 0) msg += ` ${t('share.pendingChange')}`;
  return msg;
}

/**
 * The longest link the page makes. Chromium opens addresses up to 2 MB, but Firefox and Safari
 * struggle far earlier, and what carries a link (mail, chat, a course's learning platform, a
 * QR code) cuts or refuses it much sooner; 32,000 characters is about the most that is still
 * opened everywhere and pasted whole. A longer run is shared as a file ("Download this run").
 */
const SHARE_LINK_MAX = 32_000;

function makeLink() {
  const text = replayText();
  if (text === null) return;
  const base = `${location.origin}${location.pathname}`;
  const out = $('share-link');
  const link = `${base}#scenario=${base64UrlEncode(compactJson(text))}`;
  if (link.length > SHARE_LINK_MAX) {
    out.value = '';
    const msg = t('share.tooLong', {
      n: formatCount(link.length),
      max: formatCount(SHARE_LINK_MAX),
      download: t('share.download'),
    });
    const status = $('share-status');
    setText(status, msg);
    status.classList.add('warn-text');
    app.narrator.say(msg, 'share');
    app.narrator.flush(performance.now(), true);
    $('run-download').focus();
    return;
  }
  $('share-status').classList.remove('warn-text');
  out.value = link;
  const msg = shareSummary('share.linkMade');
  setText($('share-status'), msg);
  app.narrator.say(msg, 'share');
  app.narrator.flush(performance.now(), true);
  out.focus();
  out.select();
}

/** Save the replay as streamsim-run.json: a Blob behind an object URL, released right after. */
function downloadRun() {
  const text = replayText();
  if (text === null) return;
  saveFile('streamsim-run.json', text);
  $('share-status').classList.remove('warn-text');
  const msg = shareSummary('share.saved', { file: 'streamsim-run.json' });
  setText($('share-status'), msg);
  app.narrator.say(msg, 'share');
  app.narrator.flush(performance.now(), true);
}

// ---- controls -------------------------------------------------------------------------------

function resetSpeedMeasure() {
  app.actualSpeed = null;
  app.samples = [];
  app.simMsTotal = 0;
  app.shortUntil = -Infinity;
}

function setPlaying(on, say = true) {
  // embed hook: an embed stays paused behind its play button until the student plays (the
  // toolbar's button or Space: `say`); a step's own start (`say` false) does not play it
  if (app.embedHold && on) {
    if (say) embedHook('released');
    else on = false;
  }
  app.playing = on;
  embedHook('playing', { playing: on }); // embed hook
  app.lastFrameT = null;
  app.acc = 0;
  setText($('play-label'), on ? t('run.pause') : t('run.play'));
  $('play-icon').className = `icon ${on ? 'icon-pause' : 'icon-play'}`;
  resetSpeedMeasure();
  setText($('st-state'), stateText());
  if (!on && app.run) render(performance.now(), true); // the status bar shows where it stopped
  if (say) {
    app.narrator.say(on ? t('narrate.playing') : t('narrate.paused'), 'play');
    app.narrator.flush(performance.now(), true);
  }
}

/**
 * "paused", "playing at 10×", or, when the loop could not fit what was asked in its frames'
 * budget during the last second, the speed it reached: "playing at 0.07× (asked for 1×: the
 * simulation cannot keep up)".
 */
function stateText() {
  if (app.halted) return t('status.stopped');
  // a step's fast-forward runs while the run is paused: say where it goes, not "paused"
  if (app.fastForwardTo !== null) return t('status.fastForward', { time: app.fastForwardTo });
  if (!app.playing) return t('status.paused');
  const got = app.actualSpeed;
  if (got !== null && got < app.speed) {
    return t('status.playingSlow', { got: formatRate(got), asked: formatSpeed(app.speed) });
  }
  return t('status.playing', { speed: formatSpeed(app.speed) });
}

/** A speed as a bare number for words ("1" of "1 times real time"), as formatSpeed rounds it. */
function speedNumber(x) {
  return Number(Number(x).toPrecision(2));
}

/** A reached speed: two significant digits ("0.07×", "3.4×", "120×"), "0×" when none. */
function formatRate(x) {
  return x > 0 ? formatSpeed(x) : formatSpeed(0);
}

function stepOnce() {
  if (app.playing) setPlaying(false);
  advance(1);
  render(performance.now(), true);
}

/** Keys typed into these must keep their own meaning (text, or arrows changing a value). */
function isTypingTarget(t) {
  if (!(t instanceof Element)) return false;
  if (t.isContentEditable) return true;
  return t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.tagName === 'INPUT';
}

/**
 * Where Space is free to play or pause although the focus is on a control: a slider (Space
 * does nothing on one) and the record list (a list box: arrows move in it).
 */
function spacePlays(t) {
  if (t === null) return true;
  if (t.id === 'record-list') return true;
  return t.tagName === 'INPUT' && t.type === 'range';
}

function canvasPoint(canvas, e) {
  const r = canvas.getBoundingClientRect();
  return [e.clientX - r.left, e.clientY - r.top];
}

function wireControls() {
  // the skip link moves the focus without a new history entry (Back would reload a #scenario=)
  document.querySelector('.skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('controls').focus();
  });
  $('play').addEventListener(
    'click',
    guard(() => setPlaying(!app.playing)),
  );
  $('step').addEventListener('click', guard(stepOnce));
  $('reset').addEventListener(
    'click',
    guard(() => {
      if (app.lesson) {
        resetLessonRun();
        return;
      }
      install(app.run.withSeed(app.run.seed()), t('narrate.reset'));
    }),
  );

  const speed = $('speed');
  const onSpeed = () => {
    app.speed = speedFromSlider(speed.value);
    setText($('speed-value'), formatSpeed(app.speed));
    speed.setAttribute('aria-valuetext', t('run.speed.valuetext', { n: speedNumber(app.speed) }));
    resetSpeedMeasure();
    if (app.playing) setText($('st-state'), stateText());
  };
  speed.addEventListener('input', onSpeed);
  speed.value = String(sliderFromSpeed(1));
  onSpeed();

  $('seed-apply').addEventListener(
    'click',
    guard(() => applySeed($('seed').value)),
  );
  $('seed').addEventListener(
    'keydown',
    guard((e) => {
      if (e.key === 'Enter') applySeed($('seed').value);
    }),
  );
  $('seed-random').addEventListener(
    'click',
    guard(() => {
      const s = app.engine.randomSeed();
      $('seed').value = s;
      applySeed(s);
    }),
  );

  const presetSel = $('preset');
  replaceChildren(
    presetSel,
    app.engine.presetNames().map((n) => el('option', { value: n, text: n })),
  );
  $('preset-load').addEventListener(
    'click',
    guard(() => loadPreset(presetSel.value)),
  );

  $('scenario-file').addEventListener('change', async (e) => {
    const input = e.target;
    const file = input.files && input.files[0];
    if (!file) return;
    let text;
    try {
      text = await file.text();
    } catch {
      showErrors(
        'scenario-errors',
        t('scenario.file.unreadable', { file: file.name }),
        [t('scenario.file.unreadableWhy')],
        t(KEEP_RUNNING),
      );
      return;
    }
    guard(loadScenarioText)(text, t('scenario.source.file', { file: file.name }));
    input.value = '';
  });
  $('scenario-check').addEventListener(
    'click',
    guard(() => {
      const errors = validationMessages($('scenario-text').value);
      if (errors.length) {
        showErrors('scenario-errors', t('scenario.text.problems'), errors);
      } else {
        showErrors('scenario-errors', '', []);
        app.narrator.say(t('scenario.text.valid'), 'check');
        app.narrator.flush(performance.now(), true);
      }
    }),
  );
  $('scenario-run').addEventListener(
    'click',
    guard(() => loadScenarioText($('scenario-text').value, t('scenario.source.textBox'))),
  );
  $('scenario-link').addEventListener('click', guard(makeLink));
  $('run-download').addEventListener('click', guard(downloadRun));
  window.addEventListener('hashchange', guard(loadFromHash));
  $('scenario-big-download').addEventListener('click', downloadScenario);
  $('scenario-big-edit').addEventListener('click', editNewScenario);
  $('trap-restart').addEventListener('click', () => restartAfterTrap(false));
  $('trap-default').addEventListener('click', () => restartAfterTrap(true));
  $('record-close').addEventListener('click', () => {
    $('record-aside').hidden = true;
    app.selected = null;
    app.belt.select(null);
    $('belt').focus();
  });
  $('step-back').addEventListener(
    'click',
    guard(() => goStep(app.lesson.index - 1)),
  );
  $('step-next').addEventListener(
    'click',
    guard(() => {
      if (app.lesson.index + 1 >= app.lesson.data.steps.length) location.href = '?';
      else goStep(app.lesson.index + 1);
    }),
  );
  window.addEventListener(
    'popstate',
    guard(() => {
      if (!app.lesson) return;
      const q = new URLSearchParams(location.search);
      if (q.get('lesson') !== app.lesson.id) {
        location.reload();
        return;
      }
      enterStep(stepFromQuery(q, app.lesson.data), { history: 'none' });
    }),
  );

  // fresh entries when the list is entered (it stands still while it has the focus)
  $('record-list').addEventListener(
    'focus',
    guard(() => {
      app.lastListT = performance.now();
      app.listTick = app.run.tick();
      updateRecordList();
    }),
  );
  $('record-list').addEventListener(
    'change',
    guard(() => {
      const m = /^(\d+):(\d+)$/.exec($('record-list').value);
      if (m) selectRecord(Number(m[1]), Number(m[2]));
    }),
  );

  const canvas = $('belt');
  canvas.addEventListener(
    'click',
    guard((e) => {
      const hit = app.belt.hitTest(...canvasPoint(canvas, e));
      if (hit && hit.tMs !== undefined) pickNear(hit.lane, hit.tMs);
      else if (hit) selectRecord(hit.lane, hit.recordIndex);
    }),
  );
  canvas.addEventListener('mousemove', (e) => {
    canvas.classList.toggle('pointer', !!app.belt.hitTest(...canvasPoint(canvas, e)));
  });

  document.addEventListener(
    'keydown',
    guard((e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target instanceof Element ? e.target : null;
      const space = e.key === ' ' || e.code === 'Space';
      // a field keeps its keys (a slider its arrows), but Space plays or pauses from a slider or
      // the record list, so a keyboard user can stop the run without leaving the control
      if (isTypingTarget(t) && !(space && spacePlays(t))) return;
      // Space on a button presses that button; elsewhere it plays or pauses
      const onButton = t !== null && t.closest('button, summary, a') !== null;
      // a scrolling table scrolls with the arrow keys
      const inScroller = t !== null && t.closest('.table-scroll') !== null;
      if (space && !onButton) {
        e.preventDefault();
        setPlaying(!app.playing);
      } else if (e.key === 'ArrowRight' && !inScroller) {
        e.preventDefault();
        stepOnce();
      }
    }),
  );

  const wrap = $('belt-wrap');
  new ResizeObserver((entries) => {
    for (const en of entries) app.belt.resize(en.contentRect.width);
  }).observe(wrap);
  app.belt.resize(wrap.clientWidth);

  const mq = window.matchMedia('(prefers-reduced-motion: reduce)');
  const onMotion = () => {
    app.reducedMotion = mq.matches;
    app.belt.setReducedMotion(mq.matches);
    app.firehose.setReducedMotion(mq.matches);
    $('motion-note').hidden = !mq.matches;
  };
  mq.addEventListener('change', onMotion);
  onMotion();
}

// ---- lessons: the menu, a step's scene, predictions, quizzes and tasks ------------------------

/** Show-words (a step's `show`) the page always adds to the scene when another is there. */
const SCENE_EXTRA = { belt: ['legend', 'run'] };
/** The panel (data-part) each control of a panel is in. */
const CONTROL_PARTS = {
  rate: 'producers',
  hot_key: 'producers',
  pause_producer: 'producers',
  shards: 'resharding',
  reshard: 'resharding',
  consumers: 'faults',
  lambda: 'faults',
  firehose: 'firehose',
  scenario: 'scenario',
};
/** The controls that run the simulation: a step offering any of them shows the "run" part. */
const RUN_CONTROLS = ['play', 'pause', 'step', 'speed', 'reset', 'seed'];

/** Elements of each control, hidden (the run's toolbar) or locked (a panel's inputs). */
const TOOLBAR_CONTROLS = {
  play: ['#play'],
  step: ['#step'],
  reset: ['#reset'],
  speed: ['.speed'],
  seed: ['.seed'],
};
const PANEL_CONTROLS = [
  [['rate'], '#producer-controls input[id$="-rate"], #producer-controls input[id$="-rate-range"]'],
  [['hot_key'], '#producer-controls input[id$="-hot"]'],
  [['pause_producer'], '#producer-controls button[id$="-pause"]'],
  [['shards', 'reshard'], '#reshard-panel :is(button, input, select)'],
  [['consumers', 'lambda', 'faults'], '#faults-panel :is(button, input, select)'],
  [['firehose', 'faults'], '#firehose-panel .fh-controls :is(button, input, select)'],
  [['scenario'], '[data-part~="scenario"] :is(button, input, select, textarea)'],
];

const SCENE_TITLES = {
  streams: 'playground.heading',
  firehose: 'playground.heading.firehose',
  both: 'playground.heading.both',
};

/** The heading and page title the playground's scene deserves (a Firehose scene is no belt). */
function titleForScene(lay) {
  if (app.mode !== 'playground' || !lay) return;
  const streams = lay.streams.length > 0;
  const hoses = lay.firehoses.length > 0;
  const title = t(
    hoses ? (streams ? SCENE_TITLES.both : SCENE_TITLES.firehose) : SCENE_TITLES.streams,
  );
  setText($('page-heading'), title);
  document.title = t('playground.pageTitle', { title });
}

function showParts(shown) {
  for (const node of document.querySelectorAll('[data-part]')) {
    const parts = node.dataset.part.split(' ');
    const on = shown === null ? !parts.includes('menu-only') : parts.some((p) => shown.has(p));
    node.classList.toggle('scene-off', !on);
  }
}

/**
 * The compact lesson layout at desktop widths (style.css): the shown panels share the room left
 * under the belt, row by row, each as tall as its row allows (its content scrolls inside it,
 * and a panel that scrolls can be focused to scroll it by keyboard).
 */
function fitScene() {
  if (app.mode !== 'lesson') return;
  const panels = $('panels');
  const wide = window.matchMedia('(min-width: 60rem)').matches;
  const cards = [...panels.children].filter((c) => c.offsetParent !== null);
  // the panels holding the controls a task offers come first, twice as tall
  const needed = new Set();
  if (app.lesson?.task) {
    for (const [controls, sel] of PANEL_CONTROLS) {
      if (!controls.some((c) => app.lesson.allowed.has(c))) continue;
      for (const node of panels.querySelectorAll(sel)) {
        const card = node.closest('#panels > .card');
        if (card && card.offsetParent !== null) needed.add(card);
      }
    }
  }
  for (const c of panels.children) c.classList.toggle('scene-needed', wide && needed.has(c));
  if (!wide || !cards.length) {
    panels.style.removeProperty('--row-room');
  } else {
    const cols = Math.max(1, getComputedStyle(panels).gridTemplateColumns.split(' ').length);
    // the Firehose card (the tank beside its bars) needs two columns' width
    // and, the tallest panel, two rows' height
    const fh = $('firehose-card');
    const fhWide = cols >= 3 && cards.includes(fh);
    fh.classList.toggle('scene-wide', fhWide);
    let cells = cards.length + needed.size + (fhWide ? (needed.has(fh) ? 2 : 1) : 0);
    if (fhWide && !needed.has(fh) && Math.ceil((cells + 2) / cols) <= 2) {
      fh.classList.add('scene-needed'); // two rows too, when the others leave it room
      cells += 2;
    }
    const rows = Math.max(Math.ceil(cells / cols), needed.size || fhWide ? 2 : 1);
    const MIN_ROW = 120;
    const wrap = $('belt-wrap');
    wrap.style.removeProperty('--belt-room');
    let top = panels.getBoundingClientRect().top + window.scrollY;
    let room = window.innerHeight - top - 8 - (rows - 1) * 8;
    const short = rows * MIN_ROW - room;
    if (short > 0 && wrap.offsetParent !== null) {
      // too many panels under the belt: the belt scrolls inside a shorter box instead
      const h = Math.max(160, wrap.getBoundingClientRect().height - short);
      wrap.style.setProperty('--belt-room', `${Math.floor(h)}px`);
      top = panels.getBoundingClientRect().top + window.scrollY;
      room = window.innerHeight - top - 8 - (rows - 1) * 8;
    }
    panels.style.setProperty('--row-room', `${Math.max(MIN_ROW, Math.floor(room / rows))}px`);
  }
  for (const c of [...cards, $('step-body'), $('belt-wrap')]) {
    const scrolls = wide && c.offsetParent !== null && c.scrollHeight > c.clientHeight + 1;
    if (scrolls) c.setAttribute('tabindex', '0');
    else if (c.getAttribute('tabindex') === '0') c.removeAttribute('tabindex');
  }
}

let fitQueued = false;
function queueFit() {
  if (fitQueued || app.mode !== 'lesson') return;
  fitQueued = true;
  requestAnimationFrame(() => {
    fitQueued = false;
    fitScene();
  });
}

/** Hide the toolbar's controls a step does not offer and lock the panels' ones. */
function lockControls() {
  const L = app.lesson;
  if (!L) return;
  for (const [control, sels] of Object.entries(TOOLBAR_CONTROLS)) {
    for (const sel of sels) {
      for (const node of document.querySelectorAll(sel)) {
        node.classList.toggle('scene-off', !L.allowed.has(control));
      }
    }
  }
  for (const [controls, sel] of PANEL_CONTROLS) {
    const open = controls.some((c) => L.allowed.has(c));
    for (const node of document.querySelectorAll(sel)) {
      if (open) {
        if (node.dataset.locked) {
          node.disabled = false;
          delete node.dataset.locked;
        }
      } else if (!node.disabled) {
        node.disabled = true;
        node.dataset.locked = '1';
      }
    }
  }
}

let lockQueued = false;
function queueLock() {
  if (lockQueued || !app.lesson) return;
  lockQueued = true;
  queueMicrotask(() => {
    lockQueued = false;
    lockControls();
  });
  queueFit();
}

function exerciseOf(id) {
  return id ? ((app.lesson.data.exercises ?? []).find((e) => e.id === id) ?? null) : null;
}

/** The seed argument for an exercise: "" (its own), or a seed kept per exercise where "any". */
function exerciseSeed(ex) {
  if (!ex || String(ex.start?.seed) !== 'any') return '';
  const key = `streamsim.seed.${ex.id}`;
  let seed = null;
  try {
    seed = localStorage.getItem(key);
  } catch {
    // no storage: a new seed each time
  }
  // below 2^53: the core's predict() and grade() give null for a seed a JS number cannot hold
  if (!seed || !/^\d{1,15}$/.test(seed)) {
    seed = String(BigInt(app.engine.randomSeed()) % 1_000_000_000_000n);
    try {
      localStorage.setItem(key, seed);
    } catch {
      // not kept
    }
  }
  return seed;
}

/** A run from the lesson's start (its preset or inline scenario, at its seed). */
function lessonStartRun() {
  const { data } = app.lesson;
  const st = data.start ?? {};
  let run = st.preset
    ? app.engine.fromPreset(st.preset)
    : app.engine.fromScenario(JSON.stringify(data.scenario));
  const seed = st.seed === undefined || st.seed === null ? '' : String(st.seed);
  if (/^\d+$/.test(seed) && seed !== run.seed()) {
    const seeded = run.withSeed(seed);
    run.free();
    run = seeded;
  }
  return run;
}

function stepFromQuery(q, data) {
  const n = Number(q.get('step'));
  if (!Number.isInteger(n) || n < 1 || n > data.steps.length) return 0;
  return n - 1;
}

function enterLesson(data, index) {
  const table = new Map(app.engine.controls().map((c) => [c.control, c.commands]));
  app.lesson = {
    id: data.id,
    data,
    index: 0,
    step: null,
    table,
    allowed: new Set(),
    allowedTypes: new Set(),
    scheduled: [],
    task: null,
    ffToken: 0,
    lastSec: -1,
  };
  app.lesson.taskView = new TaskView($('step-task'), {
    onCheck: guard(checkTask),
    onDownload: guard(downloadTask),
  });
  app.lesson.predictView = new PredictView($('step-predict'), {
    onSubmit: guard(submitPrediction),
    onDownload: guard(downloadAnswers),
  });
  app.lesson.quizView = new QuizView($('step-predict'), {
    onSubmit: guard(submitQuiz),
    onDownload: guard(downloadAnswers),
  });
  new MutationObserver(queueLock).observe($('scene'), { childList: true, subtree: true });
  new ResizeObserver(queueFit).observe($('belt-wrap'));
  window.addEventListener('resize', queueFit);
  enterStep(index, { history: 'replace', focus: false });
}

function goStep(i) {
  if (!app.lesson || i < 0 || i >= app.lesson.data.steps.length) return;
  enterStep(i, { history: 'push' });
}

function refreshStepList() {
  const L = app.lesson;
  if ($('step-list').contains(document.activeElement)) {
    // keep the focus where it is: only the marks change
    const done = loadProgress()[L.id]?.done ?? {};
    for (const b of $('step-list').querySelectorAll('button')) {
      const s = L.data.steps[Number(b.dataset.step) - 1];
      if (done[s.id] && !b.querySelector('.step-done')) {
        b.append(el('span', { class: 'step-done', text: ` ✓ ${t('lesson.stepDone')}` }));
      }
    }
    return;
  }
  renderStepList(
    $('step-list'),
    L.data,
    L.index,
    loadProgress()[L.id]?.done ?? {},
    guard((i) => goStep(i)),
  );
}

function enterStep(i, { history = 'push', focus = true } = {}) {
  const L = app.lesson;
  const steps = L.data.steps;
  const index = Math.max(0, Math.min(steps.length - 1, i));
  const step = steps[index];
  L.index = index;
  L.step = step;
  L.ffToken += 1; // a fast-forward still going stops
  const n = index + 1;
  if (app.embed) history = 'none'; // embed hook: the embed's address keeps its own parameters
  const href = lessonHref(L.id, n, app.locale);
  if (history === 'push') window.history.pushState({ step: n }, '', href);
  else if (history === 'replace') window.history.replaceState({ step: n }, '', href);
  rememberStep(L.id, n);

  document.title = t('lesson.title', { step: step.title, lesson: L.data.title });
  setText($('page-heading'), L.data.title);
  setText($('step-count'), t('lesson.stepOf', { n, total: steps.length }));
  setText($('step-heading'), step.title);
  renderParagraphs($('step-text'), step.text);
  $('step-back').disabled = index === 0;
  setText($('step-next'), index + 1 >= steps.length ? t('lesson.finish') : t('lesson.forward'));
  setText($('ff-status'), '');

  // a step's prediction may be named in `prediction` or, as its exercise, in `exercise`
  const named = [exerciseOf(step.prediction), exerciseOf(step.exercise)];
  const ex = named[1];
  const pred = named.find((e) => e && e.kind === 'predict') ?? null;
  let controls = new Set(step.controls ?? []);
  if (ex && ex.kind === 'task')
    controls = new Set([...controls].filter((c) => ex.controls.includes(c)));
  L.allowed = controls;
  L.allowedTypes = new Set([...controls].flatMap((c) => L.table.get(c) ?? []));
  if (controls.has('scenario')) L.allowedTypes = new Set([...L.table.values()].flat());

  const shown = new Set(step.show ?? []);
  // the toolbar, the status bar and the narration: a step that offers Play (or step, speed)
  // shows them, with the belt or without it (a Firehose step has no belt but runs)
  if (RUN_CONTROLS.some((c) => controls.has(c))) shown.add('run');
  // and a control offered is shown: its panel too, when the step's `show` leaves it out
  for (const c of controls) if (CONTROL_PARTS[c]) shown.add(CONTROL_PARTS[c]);
  for (const [word, extra] of Object.entries(SCENE_EXTRA)) {
    if (shown.has(word)) extra.forEach((x) => shown.add(x));
  }
  showParts(shown);
  // for the compact lesson layout (style.css): what the step shows and lets the student use
  document.body.dataset.show = [...shown].join(' ');
  document.body.dataset.allowed = [...controls].join(' ');

  $('step-predict').hidden = true;
  $('step-task').hidden = true;
  replaceChildren($('step-predict'), []);
  replaceChildren($('step-task'), []);
  L.task = null;
  L.pred = null;
  L.quiz = null;
  L.scheduled = [];
  L.lastSec = -1;

  const quiz = named.find((e) => e && e.kind === 'quiz') ?? null;
  if (ex && ex.kind === 'task') {
    L.task = ex;
    L.taskView.show(ex);
    startStepRun();
    runOnEntry(step.on_entry, { commands: false });
  } else if (pred && pred.kind === 'predict') {
    L.pred = pred;
    L.seedArg = exerciseSeed(pred);
    startStepRun();
    setPlaying(false, false);
    L.predictView.show(pred, app.engine.predict(pred.id, L.seedArg, lessonLocale()));
  } else {
    if (quiz) {
      L.quiz = quiz;
      L.quizView.show(quiz);
    }
    // a quiz's scene is its own start (the lesson's, unless it names another)
    if (!app.run || !app.run.lessonRun || step.on_entry?.reset || quiz) startStepRun();
    runOnEntry(step.on_entry, { commands: true });
    if (!quiz) markDone(L.id, step.id);
  }
  refreshStepList();
  lockControls();
  fitScene();
  if (focus) $('step-heading').focus();
  embedHook('step', { lesson: L.id, step: n, stepId: step.id }); // embed hook
}

function lessonLocale() {
  return app.locale === 'en' ? undefined : app.locale;
}

/** A fresh run for the current step: its task's or prediction's start, else the lesson's. */
function startStepRun() {
  const L = app.lesson;
  const ex = L.task ?? L.pred ?? L.quiz;
  let run;
  if (ex) {
    L.seedArg = exerciseSeed(ex);
    run = app.engine.fromExercise(ex.id, L.seedArg);
  } else {
    run = lessonStartRun();
  }
  run.lessonRun = true;
  install(run, '');
  if (L.task) {
    run.setExercise(L.task.id, lessonLocale());
    L.lastSec = -1;
  }
}

function resetLessonRun() {
  const L = app.lesson;
  L.ffToken += 1;
  startStepRun();
  if (L.task) L.taskView.reset();
  setPlaying(false, false);
  app.narrator.say(t('lesson.reset'), 'install');
  app.narrator.flush(performance.now(), true);
}

function setSpeedTo(x) {
  const speed = $('speed');
  speed.value = String(sliderFromSpeed(x));
  speed.dispatchEvent(new Event('input'));
}

/** "1 h 00 min", "10 s": where a fast-forward goes. */
function formatTarget(ms) {
  const s = Math.round(ms / 1000);
  if (s < 3600) return formatDuration(ms);
  return t('unit.hoursMinutes', {
    h: Math.floor(s / 3600),
    min: String(Math.floor((s % 3600) / 60)).padStart(2, '0'),
  });
}

/** A step's `on_entry`: scheduled commands, fast-forward to `run_to_ms`, then pause or play. */
async function runOnEntry(oe, { commands }) {
  const L = app.lesson;
  if (!oe) {
    setPlaying(false, false);
    return;
  }
  if (commands && Array.isArray(oe.commands)) {
    L.scheduled = [...oe.commands].sort((a, b) => a.at_ms - b.at_ms);
  }
  if (typeof oe.speed === 'number') setSpeedTo(oe.speed);
  setPlaying(false, false);
  if (typeof oe.run_to_ms === 'number' && oe.run_to_ms > app.run.nowMs()) {
    if (!(await fastForward(oe.run_to_ms))) return;
  }
  setPlaying(oe.then === 'play', false);
}

const FF_SLICE_MS = 30;

/** Step to `toMs` in slices of real time, saying so; false when the step changed meanwhile. */
async function fastForward(toMs) {
  const L = app.lesson;
  const token = L.ffToken;
  const time = formatTarget(toMs);
  setText($('ff-status'), t('lesson.fastForward', { time }));
  document.body.classList.add('fast-forwarding');
  app.fastForwardTo = time;
  setText($('st-state'), stateText());
  try {
    while (app.run.nowMs() < toMs) {
      if (token !== L.ffToken || app.halted) return false;
      const t0 = performance.now();
      while (app.run.nowMs() < toMs && performance.now() - t0 < FF_SLICE_MS) {
        const left = Math.ceil((toMs - app.run.nowMs()) / app.run.tickMs);
        advance(Math.min(left, 20));
      }
      render(performance.now(), true);
      // at the target: done now, not after one more frame in which the clock already shows the
      // target while the state still says fast-forwarding
      if (app.run.nowMs() >= toMs) break;
      await new Promise((r) => setTimeout(r, 0));
    }
  } finally {
    document.body.classList.remove('fast-forwarding');
    app.fastForwardTo = null;
    setText($('st-state'), stateText());
  }
  if (token !== L.ffToken) return false;
  setText($('ff-status'), t('lesson.fastForwardDone', { time }));
  return true;
}

/** After a simulated second: the task's status from the core, and "done" once. */
function pollTask() {
  const L = app.lesson;
  if (!L.task) return;
  const sec = Math.floor(app.run.nowMs() / 1000);
  if (sec === L.lastSec) return;
  L.lastSec = sec;
  const st = app.run.exerciseStatus();
  if (!st) return;
  if (L.taskView.update(st)) {
    markDone(L.id, L.step.id);
    refreshStepList();
  }
  embedHook('task', { exercise: L.task.id, status: st }); // embed hook
}

/** This run as an attempt file: the replay with `"exercise"` (and `"answers"`) in front. */
function attemptText(id, answers) {
  const text = app.run.replayScenario(); // never JSON.parse: the seed may exceed 2^53
  let head = `{\n  "exercise": ${JSON.stringify(id)},`;
  if (answers) head += `\n  "answers": ${JSON.stringify(answers)},`;
  return text.replace(/^\s*\{/, head);
}

function checkTask() {
  const L = app.lesson;
  L.taskView.showChecked(app.run.checkAttempt(attemptText(L.task.id), lessonLocale()));
}

function downloadTask() {
  const L = app.lesson;
  const file = `${L.task.id}-attempt.json`;
  saveFile(file, attemptText(L.task.id));
  L.taskView.showSaved(file);
}

/**
 * A prediction's or quiz's attempt: the exercise's start as it is (at the seed asked, for a
 * start whose seed is "any"), with `"exercise"` and `"answers"` in front. Returns the file name.
 */
function downloadAnswers(ex, answers) {
  const L = app.lesson;
  const seed = ex.kind === 'quiz' ? '' : (L.seedArg ?? '');
  const text = app.engine.exerciseStart(ex.id, seed); // never JSON.parse: the seed may exceed 2^53
  const head = `{\n  "exercise": ${JSON.stringify(ex.id)},\n  "answers": ${JSON.stringify(answers)},`;
  const file = `${ex.id}-attempt.json`;
  saveFile(file, text.replace(/^\s*\{/, head));
  return file;
}

async function submitPrediction(answers) {
  const L = app.lesson;
  const pred = L.pred;
  const step = L.step;
  L.answers = answers;
  L.scheduled = [];
  // the exercise's own start is what is graded: the step's scheduled commands are not sent
  await runOnEntry(step.on_entry, { commands: false });
  if (L.step !== step) return;
  const graded = app.engine.grade(pred.id, L.seedArg, answers, lessonLocale());
  L.predictView.showGrade(graded, answers);
  embedHook('graded', { exercise: pred.id, graded }); // embed hook
  markDone(L.id, step.id);
  refreshStepList();
}

function submitQuiz(answers) {
  const L = app.lesson;
  const graded = app.engine.grade(L.quiz.id, '', answers, lessonLocale());
  L.quizView.showGrade(graded, answers);
  embedHook('graded', { exercise: L.quiz.id, graded }); // embed hook
  markDone(L.id, L.step.id);
  refreshStepList();
}

function showMenu(problem) {
  app.mode = 'menu';
  document.body.dataset.mode = 'menu';
  document.title = t('page.title');
  setText($('page-heading'), t('menu.heading'));
  setText($('menu-lede'), problem ? `${problem} ${t('menu.lede')}` : t('menu.lede'));
  $('menu-lede').hidden = false;
  $('playground-lede').hidden = true;
  $('lesson-layout').hidden = true;
  $('menu').hidden = false;
  document.querySelector('.skip-link').hidden = true;
  const draw = () =>
    renderMenu($('lesson-list'), app.engine.lessons(lessonLocale()), loadProgress(), app.locale);
  draw();
  $('progress-reset').addEventListener('click', () => {
    forgetProgress();
    draw();
    setText($('progress-reset-status'), t('menu.reset.done'));
  });
}

// ---- start ----------------------------------------------------------------------------------

async function boot() {
  const query = new URLSearchParams(location.search);
  app.fuzzOn = query.has('fuzz');
  // ?measure: each frame's main-thread time (the loop's work: stepping, reading, drawing) and
  // its bytes from the core are kept, for scripts/bench-frames.mjs (window.streamsim.frames)
  app.measure = query.has('measure') ? newMeasure() : null;
  app.debugOn = query.get('debug') === '1' || app.fuzzOn;
  if (app.debugOn) {
    app.debug = { frames: 0, violations: 0, log: [], maxStepMs: 0, lastLedger: null, lastT: 0 };
  }
  app.narrator = new Narrator($('narration'), $('narration-log'));
  app.embed = readEmbed(location.search); // embed hook: null unless ?embed=1
  app.locale = LOCALE_PATTERN.test(query.get('locale') ?? '') ? query.get('locale') : 'en';
  const [engineLoad, textLoad] = await Promise.allSettled([
    loadEngine({ debug: app.debugOn }),
    loadText(app.locale),
  ]);
  if (textLoad.status === 'rejected') {
    // Without its strings the page has no words in any language: this one sentence stays in
    // the code, in English, so a broken deployment still says what is missing.
    setText($('st-state'), '–');
    showErrors(
      'run-errors',
      'The interface text (www/text/en.json) could not be loaded:',
      errorMessages(textLoad.reason),
    );
    return;
  }
  applyText(document);
  setText($('st-state'), t('status.starting'));
  if (engineLoad.status === 'rejected') {
    setText($('st-state'), t('status.notLoaded'));
    showErrors(
      'run-errors',
      t('boot.engine.notLoaded'),
      errorMessages(engineLoad.reason),
      t('boot.engine.build'),
    );
    return;
  }
  const engine = engineLoad.value;
  app.engine = engine;
  const mismatch = engine.mismatch();
  if (mismatch.length) showErrors('run-errors', t('boot.engine.mismatch'), mismatch);
  const lessonId = query.get('lesson');
  const where = parseLocation(location.search, location.hash);
  const playground =
    lessonId === 'playground' ||
    where.preset !== null ||
    where.seed !== null ||
    where.scenario !== null ||
    where.scenarioError !== null ||
    app.debugOn;
  let lessonData = null;
  let problem = '';
  if (lessonId && lessonId !== 'playground') {
    try {
      lessonData = engine.lesson(lessonId, lessonLocale());
    } catch (err) {
      if (isTrap(err)) throw err;
      try {
        lessonData = engine.lesson(lessonId); // no such translation: English
      } catch {
        problem = t('lesson.unknown', { id: lessonId });
      }
    }
  }
  // embed hook: a scene (or an unknown lesson) is shown as a one-step lesson of its parts
  if (app.embed && !lessonData) lessonData = sceneLesson(app.embed, engine, problem);
  if (!lessonData && !playground) {
    showMenu(problem);
    document.documentElement.dataset.ready = '1';
    return;
  }
  app.mode = lessonData ? 'lesson' : 'playground';
  document.body.dataset.mode = app.mode;
  $('crumbs').hidden = false;
  if (!app.embed) offerEmbedThis(app); // embed hook: "Embed this" gives this view's iframe code
  if (lessonData) {
    $('playground-lede').hidden = true;
    $('lesson-side').hidden = false;
  }
  const limit = (name) => engine.limit(name);
  const send = guard(sendCommand);
  app.send = send;
  app.belt = new Belt($('belt'));
  app.consumerPanel = new ConsumerPanel($('consumer-panel'));
  app.notesFeed = new NotesFeed($('notes-feed'));
  app.alertsFeed = new AlertsFeed($('alerts-feed'), $('alerts-summary'));
  app.reshard = new ReshardPanel($('reshard-panel'), send, limit('stream.shard_count'));
  app.faults = new FaultsPanel($('faults-panel'), send);
  app.firehose = new FirehosePanel($('firehose-card'), $('firehose-panel'), {
    send,
    ask: guard((index, fromMs, toMs) => app.run.lakeQuery(index, fromMs, toMs)),
    limits: {
      size: limit('firehose.buffering_size'),
      interval: limit('firehose.buffering_interval'),
      error: limit('firehose.error_rate'),
      dropped: limit('firehose.dropped_rate'),
      failed: limit('firehose.processing_failed_rate'),
      timeout: limit('firehose.timeout_rate'),
    },
  });
  wireControls();
  if (lessonData) {
    if (app.embed) app.embedHold = !app.embed.autoplay; // embed hook: starts paused
    enterLesson(lessonData, stepFromQuery(query, lessonData));
    // embed hook: the host protocol, the play button, parking and the size (www/embed.js)
    if (app.embed) {
      const internals = { setPlaying, advance, render, sendCommand, enterStep, resetLessonRun };
      startEmbed(app, { ...internals, setSpeedTo, install, frame, guard });
    }
    document.documentElement.dataset.ready = '1';
    requestAnimationFrame(frame);
    return;
  }

  const loc = parseLocation(location.search, location.hash);
  const problems = [];
  const names = engine.presetNames();
  let presetName = DEFAULT_PRESET;
  let fromAddress = false;
  let seeded = false;
  if (loc.preset) {
    if (names.includes(loc.preset)) {
      presetName = loc.preset;
      fromAddress = true;
    } else {
      problems.push(
        t('boot.preset.unknown', { preset: loc.preset, names: names.join(t('list.comma')) }),
      );
    }
  }
  let run = engine.fromPreset(presetName);
  $('preset').value = presetName;
  if (loc.seed !== null) {
    try {
      const withSeed = run.withSeed(loc.seed);
      run.free();
      run = withSeed;
      seeded = true;
    } catch (err) {
      problems.push(...errorMessages(err));
    }
  }
  if (problems.length) showErrors('run-errors', t('boot.address.partlyUsed'), problems);
  // one whole sentence per case, so a translation need not glue the address's parts
  const runningKey = `boot.running${fromAddress ? '.address' : ''}${seeded ? '.seed' : ''}`;
  install(run, t(runningKey, { preset: presetName, seed: loc.seed }));
  if (loc.scenario !== null || loc.scenarioError) loadFromHash();
  setPlaying(true, false);
  document.documentElement.dataset.ready = '1';
  requestAnimationFrame(frame);
  if (app.fuzzOn) {
    const { startFuzz } = await import('./fuzz.js');
    const whole = (v, d) => (/^\d+$/.test(v ?? '') ? Number(v) : d);
    app.fuzz = startFuzz({
      seed: whole(query.get('fuzzSeed'), 1),
      seconds: whole(query.get('fuzzSeconds'), 60),
      api: { send: app.send, layout: () => app.layout, violation },
    });
  }
}

boot();

// Read-only peeks for the end-to-end tests (and curious students): what the page holds, as it
// last handed it to the panels; nothing here changes the run.
window.streamsim = {
  visibleTiles: () =>
    app.belt
      ? app.belt.hits.map((h) => ({
          lane: h.lane,
          recordIndex: h.recordIndex,
          x: h.x + h.s / 2,
          y: h.y + h.s / 2,
        }))
      : [],
  digest: () => (app.run ? app.run.digest() : null),
  tick: () => (app.run ? app.run.tick() : null),
  laneCount: () => (app.layout ? app.layout.lanes.length : 0),
  shardIds: () => (app.layout ? app.layout.lanes.map((l) => l.shard_id) : []),
  lanes: () =>
    app.layout
      ? app.layout.lanes.map((l) => ({
          shardId: l.shard_id,
          state: l.state,
          parentLanes: l.parent_lanes,
          row: app.belt.rowOf.has(l.lane) ? app.belt.rowOf.get(l.lane) : null,
        }))
      : [],
  streams: () => (app.layout ? app.layout.streams.map((st) => ({ ...st })) : []),
  producers: () => (app.layout ? app.layout.producers.map((p) => ({ ...p })) : []),
  ledger: () => (app.data.ledger ? { ...app.data.ledger } : null),
  consumers: () => app.data.consumers,
  firehoses: () => app.data.firehoses,
  /** The last second's speed as the status bar says it, and the last frame's stepping. */
  speed: () => ({ asked: app.speed, reached: app.actualSpeed, step: { ...app.stepStats } }),
  /**
   * Bytes of typed arrays the page received from the core: the frame in progress, the largest
   * and the total over frames so far, and the core's limit per frame.
   */
  frameBytes: () =>
    app.run ? { ...app.run.crossed, limit: app.run.budget.frame_bytes_max } : null,
  /**
   * With ?measure: `{ times (ms of main-thread work per frame), bytes (per frame, from the core),
   * realMs, simMs }` since the last `reset`; null otherwise.
   */
  frames: ({ reset = false } = {}) => {
    if (!app.measure) return null;
    const m = app.measure;
    const out = {
      times: m.times.slice(),
      bytes: m.bytes.slice(),
      steps: m.steps.slice(),
      draws: m.draws.slice(),
      realMs: performance.now() - m.startReal,
      simMs: (app.run ? app.run.nowMs() : 0) - m.startSim,
    };
    if (reset) app.measure = newMeasure();
    return out;
  },
  /** The belt: `{ dense (the aggregate view), travelMs, tilesPerLane, tiles (drawn last) }`. */
  belt: () => ({
    dense: app.dense,
    travelMs: app.travelMs,
    tilesPerLane: app.run ? app.run.budget.tiles_per_lane : 0,
    tiles: app.belt.hits.length,
  }),
  /** Where lane `lane`'s strip is on the belt's canvas (CSS px): `{ x, w, y (its middle) }`. */
  laneStrip: (lane) =>
    app.belt.g ? { x: app.belt.g.beltX, w: app.belt.g.beltLen, y: app.belt.laneMidY(lane) } : null,
  /** With ?debug=1 (or ?fuzz): the checks' counts; null otherwise. */
  debug: () =>
    app.debug
      ? {
          frames: app.debug.frames,
          violations: app.debug.violations,
          log: [...app.debug.log],
          maxStepMs: app.debug.maxStepMs,
          budgetMs: STEP_BUDGET_MAX_MS,
          halted: app.halted,
        }
      : null,
  /** With ?fuzz: what the fuzzer did so far (`done` once its time is up); null otherwise. */
  fuzz: () => (app.fuzz ? { ...app.fuzz, byKind: { ...app.fuzz.byKind } } : null),
  /** The scenario the running scene was made from (pretty JSON text). */
  scenario: () => app.run?.scenarioJson() ?? null,
  /** The lesson being shown: `{ id, step (1-based), stepId, allowed, ffDone }`; null outside. */
  lesson: () =>
    app.lesson
      ? {
          id: app.lesson.id,
          step: app.lesson.index + 1,
          stepId: app.lesson.step?.id ?? null,
          allowed: [...app.lesson.allowed],
          steps: app.lesson.data.steps.map((s) => ({ id: s.id, title: s.title })),
        }
      : null,
  mode: () => app.mode,
  /** Frames the loop has drawn (an embed's parked loop draws none): for the embed tests. */
  loopFrames: () => app.loopFrames ?? 0,
  /** With ?debug=1 only: the next call on the running simulation throws, as a wasm trap does. */
  forceTrap: () => {
    if (!app.debugOn || !app.engine) throw new Error('forceTrap needs ?debug=1');
    app.engine.forceTrap();
  },
};
