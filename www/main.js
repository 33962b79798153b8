// App wiring: loads the wasm simulation, runs the fixed-step loop, connects controls, panels,
// the belt and the narration. The simulation state lives in wasm; this file only asks for
// numbers each frame and sends commands. Nothing here uses Math.random or Date.now:
// requestAnimationFrame's timestamp (performance.now) only feeds the accumulator.

import {
  formatSimTime,
  formatCount,
  formatBytes,
  formatDuration,
  formatSpeed,
  speedFromSlider,
  sliderFromSpeed,
  hashPercent,
  formatHashRange,
  parseLocation,
  base64UrlEncode,
  compactJson,
  errorMessages,
  formatShare,
} from './format.js';
import {
  Belt,
  beltTravelMs,
  SHARD_FIELDS,
  PRODUCER_FIELDS,
  CONSUMER_FIELDS,
  RECORD_FIELDS,
  EVENT_FIELDS,
} from './belt.js';
import { el, replaceChildren, buildProducerControls, buildTable, setText } from './controls.js';
import { ConsumerPanel, NotesFeed, AlertsFeed } from './consumers.js';
import { ReshardPanel } from './reshard.js';
import { FaultsPanel, faultTargets } from './faults.js';
import { FirehosePanel } from './firehose.js';

const DEFAULT_PRESET = 'clickstream';
const MAX_TICKS_PER_FRAME = 400; // a slow frame never makes the simulation run away
const MAX_FRAME_MS = 250; // longer gaps (a hidden tab) count as this much
const STEP_BUDGET_MS = 12; // simulation time per frame, so the page stays responsive
const PANEL_EVERY_MS = 200; // text panels refresh at most this often (real time)
const LIST_EVERY_MS = 1000;
const NARRATE_GAP_MS = 2500; // at most one narration per this much real time
const KEEP_RUNNING = 'The scenario that was running keeps running.';

const $ = (id) => document.getElementById(id);

const app = {
  api: null,
  sim: null,
  layout: null,
  playing: true,
  speed: 1,
  acc: 0,
  lastFrameT: null,
  layoutDirty: false,
  travelMs: 3000,
  msPerTick: 0.05, // measured cost of one tick (real ms), for the frame budget
  simMsDone: 0,
  realMsDone: 0,
  actualSpeed: null,
  lastEventSeq: -1,
  selected: null,
  lastPanelT: -Infinity,
  lastListT: -Infinity,
  lastDrawT: -Infinity,
  panelTick: -1,
  listTick: -1,
  reducedMotion: false,
  belt: null,
  producerUi: null,
  shardCells: null,
  producerCells: null,
  recentEvents: [], // [tMs, lane, kind] of the last simulated second, for reduced motion
  narrator: null,
  watch: null,
  pendingCommands: 0, // commands sent but not applied yet (the sim applies them at a tick)
  layoutVersion: 0, // sim.layoutVersion() when the layout was last read
  scheduled: [], // the scenario's own commands, sorted by at_ms
  nextScheduled: 0, // the first of them not applied yet
  consumerPanel: null,
  notesFeed: null,
  alertsFeed: null,
  reshard: null,
  faults: null,
  reshardVersion: -1, // layout version the resharding panel was built for
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
    const stamp = app.sim ? formatSimTime(app.sim.nowMs()) : '';
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

function narrateChanges(shards, ledger) {
  const lay = app.layout;
  const w = app.watch;
  const simMs = app.sim.nowMs();
  const realMs = performance.now();

  const throttled = lay.lanes.filter((l) => shards[l.lane * SHARD_FIELDS + 2] > 0);
  const t = episode(w.throttle, throttled.length > 0, simMs, realMs);
  if (t === true) {
    const ids = listWords(throttled.map((l) => l.shardId));
    if (w.explained.has('throttle')) {
      app.narrator.say(`Throttling started again on ${ids}.`, 'throttle');
    } else {
      w.explained.add('throttle');
      const they = throttled.length > 1 ? 'these shards get' : 'this shard gets';
      app.narrator.say(
        `Throttling started on ${ids}: ${they} more than 1,000 records or 1 MiB per second, so some records are sent back to be retried.`,
        'throttle',
      );
    }
  } else if (t === false) {
    app.narrator.say(
      'Throttling stopped: every shard has stayed under its write limit for a few seconds.',
      'throttle',
    );
  }

  const d = episode(w.drop, ledger.dropped > w.dropped, simMs, realMs);
  w.dropped = ledger.dropped;
  if (d === true) {
    const why = w.explained.has('drop')
      ? ''
      : ': they ran out of retries (or were too big for a shard) and are lost';
    w.explained.add('drop');
    app.narrator.say(
      `Records are being dropped${why} (${formatCount(ledger.dropped)} so far).`,
      'dropped',
    );
  } else if (d === false) {
    app.narrator.say(
      `No record dropped for a few seconds; ${formatCount(ledger.dropped)} dropped in all.`,
      'dropped',
    );
  }

  let maxAge = 0;
  let maxLane = 0;
  for (const l of lay.lanes) {
    const age = shards[l.lane * SHARD_FIELDS + 6];
    if (age > maxAge) {
      maxAge = age;
      maxLane = l.lane;
    }
  }
  if (!w.behind && maxAge >= 10_000) {
    w.behind = true;
    app.narrator.say(
      `The consumer is falling behind: ${formatDuration(maxAge)} behind on ${lay.lanes[maxLane].shardId}.`,
      'behind',
    );
  } else if (w.behind && maxAge < 3000) {
    w.behind = false;
    app.narrator.say('The consumer has caught up.', 'behind');
  }
  if (!ledger.balanced && !w.balancedWarned) {
    w.balancedWarned = true;
    app.narrator.say('The ledger does not add up: that is a bug in the simulator.', 'ledger');
  }
}

function listWords(items) {
  if (items.length <= 1) return items.join('');
  if (items.length > 3) return `${items.length} shards`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// ---- installing a simulation ----------------------------------------------------------------

/** Make `sim` the running simulation; the old one is freed. */
function install(sim, how) {
  const old = app.sim;
  app.sim = sim;
  if (old && old !== sim && typeof old.free === 'function') old.free();
  app.acc = 0;
  app.pendingCommands = 0;
  app.lastEventSeq = -1;
  app.selected = null;
  app.recentEvents = [];
  app.watch = newWatch();
  app.belt.select(null);
  app.notesFeed.reset();
  app.alertsFeed.reset();
  app.consumerPanel.reset();
  app.firehose.reset();
  app.reshardVersion = -1;
  refreshLayout(true);
  const scenarioText = sim.scenarioJson();
  app.faults.setup(faultTargets(scenarioText, sim.consumers(), app.layout));
  $('scenario-text').value = scenarioText;
  showDescription(scenarioText);
  app.scheduled = scheduledCommands(scenarioText);
  app.nextScheduled = 0;
  $('share-link').value = '';
  setText($('share-status'), '');
  $('seed').value = sim.seed();
  replaceChildren($('record-detail'), [el('p', { class: 'hint', text: 'No record chosen yet.' })]);
  app.panelTick = -1;
  app.listTick = -1;
  if (how) app.narrator.say(how, 'install');
  render(performance.now(), true);
  app.narrator.flush(performance.now(), true); // the answer to what the student just did
}

/** The scenario's own words about itself (its top-level "description"), under the belt. */
function showDescription(scenarioText) {
  let text = '';
  try {
    const d = JSON.parse(scenarioText).description;
    if (typeof d === 'string') text = d.trim();
  } catch {
    // no description
  }
  const p = $('scenario-description');
  setText(p, text);
  p.hidden = text === '';
}

/** The facade's layout version (rises when streams, shards or producers change), if it has one. */
function layoutVersion() {
  return typeof app.sim.layoutVersion === 'function' ? app.sim.layoutVersion() : 0;
}

function refreshLayout(rebuild) {
  const old = app.layout;
  const lay = app.sim.layout();
  app.layoutVersion = layoutVersion();
  app.layout = lay;
  app.belt.setLayout(lay);
  // a scheduled add_producer brings a producer the controls and tables do not have yet
  const reshaped =
    !old || old.producers.length !== lay.producers.length || old.lanes.length !== lay.lanes.length;
  if (rebuild || reshaped || !app.producerUi) {
    const box = $('producer-controls');
    const focused = box.contains(document.activeElement) ? document.activeElement.id : '';
    app.producerUi = buildProducerControls(box, lay, sendCommand);
    if (focused && $(focused)) $(focused).focus(); // the same control, rebuilt
    buildShardTable(lay);
    buildProducerTable(lay);
  } else {
    app.producerUi.sync(lay);
  }
  if (rebuild || lay.version !== app.reshardVersion || reshaped) {
    app.reshardVersion = lay.version;
    app.reshard.setLayout(lay);
    if (!rebuild && !reshaped) buildShardTable(lay); // a state changed (CLOSED, EXPIRED)
  }
}

/** A command in plain words, with the narration key that collapses repeats: [text, key]. */
function describeCommand(cmd) {
  const who = typeof cmd.producer === 'string' ? cmd.producer : '';
  switch (cmd.type) {
    case 'set_rate':
      return [
        `${who} now sends ${formatCount(cmd.records_per_second)} records per second.`,
        `rate-${who}`,
      ];
    case 'set_hot_key_share':
      return [
        `${who} now puts ${formatShare(cmd.hot_key_share)}% of its records on its hot key.`,
        `hot-${who}`,
      ];
    case 'pause_producer':
      return [`Producer ${who} paused.`, `pp-${who}`];
    case 'resume_producer':
      return [`Producer ${who} resumed.`, `pp-${who}`];
    case 'add_producer': {
      const name = cmd.producer && cmd.producer.name ? String(cmd.producer.name) : 'new';
      return [`Producer ${name} added.`, `add-${name}`];
    }
    case 'split_shard':
      return [`Splitting ${cmd.shard_to_split} of ${cmd.stream_name} in two.`, 'reshard'];
    case 'merge_shards':
      return [
        `Merging ${cmd.shard_to_merge} and ${cmd.adjacent_shard_to_merge} of ${cmd.stream_name} into one.`,
        'reshard',
      ];
    case 'update_shard_count':
      return [
        `Changing ${cmd.stream_name} to ${formatCount(cmd.target_shard_count)} shards.`,
        'reshard',
      ];
    case 'crash_worker':
      return [
        `Worker-${cmd.worker} of ${cmd.consumer} crashed: its leases stop being renewed.`,
        `worker-${cmd.consumer}-${cmd.worker}`,
      ];
    case 'restart_worker':
      return [
        `Worker-${cmd.worker} of ${cmd.consumer} restarted: it can take leases again.`,
        `worker-${cmd.consumer}-${cmd.worker}`,
      ];
    case 'put_poison_record':
      return [
        `${who} will put a poison record: its next record makes every invocation holding it fail.`,
        `poison-${who}`,
      ];
    case 'set_function_error_rate':
      return [
        Number(cmd.error_rate) > 0
          ? `${cmd.function_name} now fails ${Math.round(Number(cmd.error_rate) * 100)}% of its invocations.`
          : `${cmd.function_name} works again: no invocation fails.`,
        `fn-${cmd.function_name}`,
      ];
    case 'set_s3_available':
      return [
        cmd.available
          ? `S3 is back for ${cmd.delivery_stream_name}: the held records are written now.`
          : `S3 is down for ${cmd.delivery_stream_name}: Firehose holds the records and retries (for up to 24 hours).`,
        `s3-${cmd.delivery_stream_name}`,
      ];
    case 'set_s3_timeout_rate':
      return [
        `${Math.round(cmd.timeout_rate * 100)}% of the S3 writes of ${cmd.delivery_stream_name} now time out; a timed-out write is written again, so some objects come twice.`,
        `s3t-${cmd.delivery_stream_name}`,
      ];
    case 'update_destination':
      return [
        `${cmd.delivery_stream_name} now writes an object at ${cmd.buffering_size ?? 'the same'} MiB or ${cmd.buffering_interval ?? 'the same number of'} s, whichever comes first${cmd.compression_format ? `, ${cmd.compression_format === 'UNCOMPRESSED' ? 'uncompressed' : `compressed with ${cmd.compression_format}`}` : ''}.`,
        `dest-${cmd.delivery_stream_name}`,
      ];
    case 'set_transform_rates': {
      const pct = (v) => `${formatShare(v)}%`;
      const parts = [];
      if (cmd.error_rate !== undefined) parts.push(`${pct(cmd.error_rate)} of invocations fail`);
      if (cmd.dropped_rate !== undefined) parts.push(`${pct(cmd.dropped_rate)} of records Dropped`);
      if (cmd.processing_failed_rate !== undefined)
        parts.push(`${pct(cmd.processing_failed_rate)} ProcessingFailed (to the error prefix)`);
      return [
        `The transform of ${cmd.delivery_stream_name} now: ${parts.join(', ') || 'unchanged'}.`,
        `tf-${cmd.delivery_stream_name}`,
      ];
    }
    case 'set_redshift_available':
      return [
        cmd.available
          ? `Redshift is back for ${cmd.delivery_stream_name}: the staged objects are loaded by COPY now.`
          : `Redshift is down for ${cmd.delivery_stream_name}: COPYs fail and are retried until the retry duration runs out, then skipped.`,
        `rs-${cmd.delivery_stream_name}`,
      ];
    case 'set_processing_rate':
      return [
        cmd.records_per_second === undefined || cmd.records_per_second === null
          ? `${cmd.consumer} processes at full speed again.`
          : `${cmd.consumer} now processes only ${formatCount(cmd.records_per_second)} records per second per shard.`,
        `slow-${cmd.consumer}`,
      ];
    default:
      return null;
  }
}

function sendCommand(cmd) {
  try {
    app.sim.command(JSON.stringify(cmd));
  } catch (err) {
    return errorMessages(err);
  }
  app.layoutDirty = true;
  app.pendingCommands += 1;
  const said = describeCommand(cmd);
  if (said) app.narrator.say(...said);
  if (!app.playing) app.narrator.say('The change applies at the next tick.', 'next-tick');
  app.narrator.soon();
  return [];
}

/**
 * The scenario's own scheduled commands (a replayed run's changes, or a file's), sorted by
 * `at_ms` as the simulation applies them, so the page can follow them: the sim applies one in the
 * first tick that starts at or after its `at_ms`.
 */
function scheduledCommands(scenarioText) {
  let cmds;
  try {
    cmds = JSON.parse(scenarioText).commands;
  } catch {
    return [];
  }
  if (!Array.isArray(cmds)) return [];
  return cmds
    .filter((c) => c && typeof c === 'object' && Number.isFinite(c.at_ms))
    .sort((a, b) => a.at_ms - b.at_ms);
}

/** After stepping: note the scheduled commands the last ticks applied, and say what they did. */
function followScheduled() {
  const list = app.scheduled;
  if (app.nextScheduled >= list.length) return;
  const lastStart = app.sim.nowMs() - app.sim.tickMs(); // the last tick began here
  const fired = [];
  while (app.nextScheduled < list.length && list[app.nextScheduled].at_ms <= lastStart) {
    fired.push(list[app.nextScheduled]);
    app.nextScheduled += 1;
  }
  if (!fired.length) return;
  app.layoutDirty = true;
  for (const c of fired) {
    app.faults.applied(c);
    app.firehose.applied(c);
    const said = describeCommand(c);
    if (said) app.narrator.say(`Scheduled change: ${said[0]}`, said[1]);
  }
}

// ---- tables ---------------------------------------------------------------------------------

function buildShardTable(lay) {
  const headers = [
    'Shard',
    'State',
    'Share of keys',
    'Starting hash key',
    'Ending hash key',
    'Records/s',
    'Throttled/s',
    'Unread',
    'Consumer behind',
  ];
  app.shardCells = buildTable($('shard-table'), headers, lay.lanes.length);
  lay.lanes.forEach((l, i) => {
    const c = app.shardCells[i];
    c[0].textContent = l.shardId;
    c[1].textContent = l.state.toLowerCase();
    c[2].textContent = formatHashRange(l.startingHashKey, l.endingHashKey, 2);
    c[3].textContent = l.startingHashKey;
    c[4].textContent = l.endingHashKey;
    c[3].className = 'mono';
    c[4].className = 'mono';
  });
}

/** Per producer, transposed (one column per producer) so it fits a narrow panel. */
const PRODUCER_ROWS = [
  ['Tried, last second', 0],
  ['Accepted, last second', 1],
  ['Throttled, last second', 2],
  ['Dropped in all', 3],
  ['Being retried now', 4],
  ['In its buffer now', 5],
];

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
      return el('tr', {}, [el('th', { scope: 'row', text: label }), ...cells]);
    }),
  );
  replaceChildren($('producer-table'), [head, body]);
}

// ---- the frame loop -------------------------------------------------------------------------

function frame(t) {
  requestAnimationFrame(frame);
  if (!app.sim) return;
  const dt = app.lastFrameT === null ? 0 : Math.min(Math.max(0, t - app.lastFrameT), MAX_FRAME_MS);
  app.lastFrameT = t;
  if (app.playing) {
    app.acc += dt * app.speed;
    const tickMs = app.sim.tickMs();
    let n = Math.floor(app.acc / tickMs);
    // at most what fits in the frame budget (measured), so a big scenario at high speed slows
    // down instead of freezing the page; the debt is dropped, never chased
    const cap = Math.max(
      1,
      Math.min(MAX_TICKS_PER_FRAME, Math.floor(STEP_BUDGET_MS / app.msPerTick)),
    );
    if (n > cap) {
      n = cap;
      app.acc = 0;
    } else {
      app.acc -= n * tickMs;
    }
    if (n > 0) {
      const s0 = performance.now();
      advance(n);
      const per = (performance.now() - s0) / n;
      app.msPerTick = app.msPerTick * 0.8 + per * 0.2;
    }
    app.simMsDone += n * tickMs;
    app.realMsDone += dt;
    if (app.realMsDone >= 1000) {
      app.actualSpeed = app.simMsDone / app.realMsDone;
      app.simMsDone = 0;
      app.realMsDone = 0;
    }
  }
  render(t, false);
}

function advance(ticks) {
  app.sim.step(ticks);
  if (ticks > 0) app.pendingCommands = 0;
  followScheduled();
  // a resharding completes, or a producer is added, without a command at that tick
  if (layoutVersion() !== app.layoutVersion) app.layoutDirty = true;
  if (app.layoutDirty) {
    app.layoutDirty = false;
    refreshLayout(false);
  }
}

function render(t, force) {
  const sim = app.sim;
  const lay = app.layout;
  const nowMs = sim.nowMs();
  const shards = sim.shardFrame();

  // travel time of the belt: changes only by a clear margin, so tiles do not jump around
  let busiest = 0;
  for (let i = 0; i < lay.lanes.length; i++) {
    busiest = Math.max(busiest, shards[i * SHARD_FIELDS], shards[i * SHARD_FIELDS + 3]);
  }
  if (busiest === 0) busiest = estimateLaneRate(lay);
  const target = beltTravelMs(app.speed, busiest);
  if (Math.abs(target - app.travelMs) / app.travelMs > 0.3) app.travelMs = target;

  const events = sim.writeEvents(app.lastEventSeq);
  if (events.length) {
    app.lastEventSeq = events[events.length - EVENT_FIELDS];
    app.belt.addEvents(events, nowMs, app.travelMs);
    if (app.reducedMotion) rememberEvents(events, nowMs);
  }

  const drawEvery = app.reducedMotion ? 1000 : 0;
  if (force || t - app.lastDrawT >= drawEvery) {
    app.lastDrawT = t;
    // a little more than the belt shows, so that records waiting at the end can be drawn too
    const records = sim.recentRecords(
      Math.ceil(Math.max(app.travelMs * 1.5, Math.min(3000 * app.speed, 10_000))),
    );
    app.belt.frame({
      nowMs,
      tickMs: sim.tickMs(),
      travelMs: app.travelMs,
      shards,
      records,
      consumer: sim.consumerFrame(),
      recentEvents: app.reducedMotion ? countRecentEvents(nowMs) : null,
    });
  }

  const tick = sim.tick();
  if (force || (t - app.lastPanelT >= PANEL_EVERY_MS && tick !== app.panelTick)) {
    app.lastPanelT = t;
    app.panelTick = tick;
    updatePanels(shards, force);
  }
  if (force || (t - app.lastListT >= LIST_EVERY_MS && tick !== app.listTick)) {
    if (force || !$('record-list').contains(document.activeElement)) {
      app.lastListT = t;
      app.listTick = tick;
      updateRecordList();
    }
  }
  app.narrator.flush(t);
}

function estimateLaneRate(lay) {
  let total = 0;
  for (const p of lay.producers) if (!p.paused) total += p.recordsPerSecond;
  return total / Math.max(1, lay.lanes.length);
}

function rememberEvents(events, nowMs) {
  for (let o = 0; o < events.length; o += EVENT_FIELDS) {
    app.recentEvents.push([events[o + 1], events[o + 3], events[o + 4]]);
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

function updatePanels(shards, force) {
  const sim = app.sim;
  const lay = app.layout;
  setText($('st-time'), formatSimTime(sim.nowMs()));
  setText($('st-tick'), formatCount(sim.tick()));
  setText($('st-seed'), sim.seed());
  setText($('st-digest'), sim.digest());
  setText($('st-state'), stateText());

  const lg = sim.ledger();
  setText($('lg-produced'), formatCount(lg.produced));
  setText($('lg-buffered'), formatCount(lg.producerBuffered));
  setText($('lg-retrying'), formatCount(lg.retrying));
  setText($('lg-unread'), formatCount(lg.inShardUnread));
  setText($('lg-read'), formatCount(lg.read));
  setText($('lg-expired'), formatCount(lg.expiredUnread));
  setText($('lg-dropped'), formatCount(lg.dropped));
  const bal = $('lg-balanced');
  setText(
    bal,
    lg.balanced
      ? '✓ Balanced: every record is accounted for.'
      : '✗ Not balanced: some records are unaccounted for.',
  );
  bal.classList.toggle('bad', !lg.balanced);

  const pf = sim.producerFrame();
  PRODUCER_ROWS.forEach(([, field], r) => {
    const row = app.producerCells[r];
    if (!row) return;
    lay.producers.forEach((p, i) => {
      const cell = row[i];
      if (!cell) return;
      const v = pf[i * PRODUCER_FIELDS + field];
      setText(cell, formatCount(v));
      if (field === 2 || field === 3) cell.classList.toggle('warn', v > 0);
    });
  });

  const cf = lay.consumers.length > 1 ? sim.consumerFrame() : null;
  lay.lanes.forEach((l, i) => {
    const c = app.shardCells[i];
    if (!c) return;
    const o = i * SHARD_FIELDS;
    setText(c[5], formatCount(shards[o]));
    setText(c[6], shards[o + 2] > 0 ? `${formatCount(shards[o + 2])} ⚠` : '0');
    setText(c[7], formatCount(shards[o + 5]));
    setText(c[8], behindText(l, i, shards[o + 6], cf));
    c[6].classList.toggle('warn', shards[o + 2] > 0);
  });

  const consumers = sim.consumers();
  app.belt.setConsumers(consumers, performance.now());
  app.consumerPanel.update(consumers);
  app.firehose.maybeUpdate(performance.now(), force || !app.playing, consumers);
  app.alertsFeed.update(consumers);
  narrateNotes(app.notesFeed.add(sim.notes(app.notesFeed.lastSeq)));

  narrateChanges(shards, lg);
}

/**
 * The simulation's own notes also go to the live region, the important ones: throttling is told
 * by the page's own narration already. One entry per kind, so a burst of notes (a worker's
 * takeover of four shards) is spoken as its newest.
 */
function narrateNotes(fresh) {
  for (const n of fresh) {
    const t = n.text;
    if (/throttl/i.test(t)) continue;
    let key = 'note';
    if (/took over|crashed|restarted|lease/i.test(t)) key = 'note-worker';
    else if (/lambda|invocation|batch/i.test(t)) key = 'note-lambda';
    else if (/split|merge|reshard|shard count|closed/i.test(t)) key = 'note-reshard';
    const text = t.charAt(0).toUpperCase() + t.slice(1);
    app.narrator.say(/[.!?]$/.test(text) ? text : `${text}.`, key);
  }
}

/** Iterator age on a lane: one number, or one per consumer of that stream when there are several. */
function behindText(lane, laneIndex, shardAge, cf) {
  if (!cf) return formatDuration(shardAge);
  const lanes = app.layout.lanes.length;
  const parts = [];
  app.layout.consumers.forEach((c, k) => {
    if (c.streamName !== lane.stream) return;
    const age = cf[(k * lanes + laneIndex) * CONSUMER_FIELDS + 1];
    parts.push(`${c.name} ${formatDuration(age)}`);
  });
  return parts.length ? parts.join(', ') : formatDuration(shardAge);
}

// ---- records: the accessible list and the detail panel ---------------------------------------

function updateRecordList() {
  const list = $('record-list');
  const rec = app.sim.recentRecords(60_000);
  const lay = app.layout;
  const perLane = new Map();
  for (let o = rec.length - RECORD_FIELDS; o >= 0; o -= RECORD_FIELDS) {
    const lane = rec[o];
    if (!perLane.has(lane)) perLane.set(lane, []);
    const arr = perLane.get(lane);
    if (arr.length < 3) arr.push(o);
  }
  const prevValue = list.value;
  const groups = [];
  for (const l of lay.lanes) {
    const offsets = perLane.get(l.lane);
    if (!offsets) continue;
    // Chrome does not give a screen reader the group's label, so each option says its shard
    const g = el('optgroup', { label: l.shardId, 'aria-label': l.shardId });
    for (const o of offsets) {
      const idx = rec[o + 1];
      const prod = lay.producers[rec[o + 4]];
      const read = rec[o + 6] >= 0 ? 'read' : 'not read yet';
      const from = prod ? prod.name : '?';
      const at = formatSimTime(rec[o + 2]);
      const size = formatBytes(rec[o + 5]);
      // the accessible name holds the visible text (WCAG 2.5.3), after the shard it is on
      const text = `#${idx} · ${at} · ${from} · ${size} · ${read}`;
      g.append(
        el('option', {
          value: `${l.lane}:${idx}`,
          text,
          'aria-label': `${l.shardId}: ${text}`,
        }),
      );
    }
    groups.push(g);
  }
  if (!groups.length) {
    const text = app.playing ? 'No records yet.' : 'No records yet: press Play.';
    groups.push(el('option', { value: '', disabled: true, text }));
  }
  replaceChildren(list, groups);
  if (prevValue) list.value = prevValue;
}

function selectRecord(lane, recordIndex) {
  app.selected = { lane, recordIndex };
  app.belt.select(app.selected);
  const d = app.sim.recordDetail(lane, recordIndex);
  const box = $('record-detail');
  if (!d) {
    const where = app.layout.lanes[lane] ? app.layout.lanes[lane].shardId : `lane ${lane}`;
    replaceChildren(box, [
      el('p', {
        class: 'hint',
        text: `Record #${recordIndex} of ${where} is no longer kept: only the newest 512 records of each shard are. Pause first (Space), then choose a newer one.`,
      }),
    ]);
    return;
  }
  const laneInfo = app.layout.lanes[lane];
  const owns = laneInfo
    ? `; this shard owns ${formatHashRange(laneInfo.startingHashKey, laneInfo.endingHashKey, 2)}`
    : '';
  const rows = [
    ['Partition key', d.partitionKey, false],
    ['Hash key (MD5 of the key)', d.hashKey, true],
    [
      'Where in the key space',
      `${hashPercent(d.hashKey, 2)}% of the way from 0 to 2^128−1${owns}`,
      false,
    ],
    ['Shard', d.shardId, false],
    ['Stream', d.streamName, false],
    ['Sequence number', d.sequenceNumber, true],
    ['Arrived at', `${formatSimTime(d.arrivalMs)} (simulated time)`, false],
    ['Size', `${formatCount(d.sizeBytes)} bytes (${formatBytes(d.sizeBytes)})`, false],
    ['Producer', d.producer, false],
    ['Read by the consumer', d.read === undefined ? 'unknown' : d.read ? 'yes' : 'not yet', false],
  ];
  if (d.explicitHashKey) rows.push(['Explicit hash key', String(d.explicitHashKey), true]);
  const dl = el(
    'dl',
    { class: 'detail-list' },
    rows.flatMap(([k, v, mono]) => [
      el('dt', { text: k }),
      el('dd', { text: String(v), class: mono ? 'mono' : undefined }),
    ]),
  );
  replaceChildren(box, [el('h3', { text: `Record #${recordIndex} on ${d.shardId}` }), dl]);
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

/** Validate and load scenario text; on failure show why and keep the running scenario. */
function loadScenarioText(text, source) {
  let errors;
  try {
    errors = app.api.validateScenario(text);
  } catch (err) {
    errors = errorMessages(err);
  }
  if (errors && errors.length) {
    showErrors(
      'scenario-errors',
      `The scenario from ${source} was not loaded:`,
      errors,
      KEEP_RUNNING,
    );
    const s = errors.length > 1 ? 's' : '';
    app.narrator.say(
      `The scenario from ${source} has ${errors.length} problem${s}; nothing changed.`,
      'install',
    );
    return false;
  }
  let sim;
  try {
    sim = app.api.Sim.fromScenario(text);
  } catch (err) {
    showErrors(
      'scenario-errors',
      `The scenario from ${source} was not loaded:`,
      errorMessages(err),
      KEEP_RUNNING,
    );
    return false;
  }
  showErrors('scenario-errors', '', []);
  install(sim, `Loaded the scenario from ${source}.`);
  return true;
}

function loadPreset(name) {
  let sim;
  try {
    sim = app.api.Sim.fromPreset(name);
  } catch (err) {
    showErrors(
      'scenario-errors',
      `The preset “${name}” was not loaded:`,
      errorMessages(err),
      KEEP_RUNNING,
    );
    return false;
  }
  showErrors('scenario-errors', '', []);
  install(sim, `Loaded the ${name} scenario.`);
  return true;
}

function applySeed(seed) {
  const s = String(seed).trim();
  let sim;
  try {
    sim = app.sim.withSeed(s);
  } catch (err) {
    showErrors('run-errors', 'That seed was not used:', errorMessages(err), KEEP_RUNNING);
    return false;
  }
  showErrors('run-errors', '', []);
  install(sim, `New run with seed ${sim.seed()}.`);
  return true;
}

function loadFromHash() {
  const loc = parseLocation('', location.hash);
  if (loc.scenarioError) {
    showErrors(
      'scenario-errors',
      'The scenario in the address was not loaded:',
      [loc.scenarioError],
      KEEP_RUNNING,
    );
    return;
  }
  if (loc.scenario !== null) loadScenarioText(loc.scenario, 'the address (#scenario=)');
}

// ---- sharing a run ----------------------------------------------------------------------------

/**
 * This run as a scenario file (the facade's replayScenario: scenario, seed, every command applied
 * so far at the moment it took effect), or null after showing why it cannot be replayed.
 */
function replayText() {
  const text = app.sim.replayScenario();
  let errors;
  try {
    errors = app.api.validateScenario(text);
  } catch (err) {
    errors = errorMessages(err);
  }
  if (errors.length) {
    showErrors('scenario-errors', 'This run cannot be written as a replay:', errors);
    return null;
  }
  showErrors('scenario-errors', '', []);
  return text;
}

/** "… with 2 changes", and a word about a change made while paused that is not applied yet. */
function shareSummary(text, what) {
  let changes = 0;
  try {
    const cmds = JSON.parse(text).commands; // only counted: the seed may exceed 2^53
    changes = Array.isArray(cmds) ? cmds.length : 0;
  } catch {
    // counted as none
  }
  const n = changes === 1 ? '1 change' : `${formatCount(changes)} changes`;
  let msg = `${what} up to ${formatSimTime(app.sim.nowMs())} (tick ${formatCount(app.sim.tick())}), with seed ${app.sim.seed()} and ${n}.`;
  if (app.pendingCommands > 0) {
    msg += ' A change made while paused takes effect at the next tick, so it is not in it yet.';
  }
  return msg;
}

function makeLink() {
  const text = replayText();
  if (text === null) return;
  const base = `${location.origin}${location.pathname}`;
  const out = $('share-link');
  out.value = `${base}#scenario=${base64UrlEncode(compactJson(text))}`;
  const msg = shareSummary(text, 'Link made: it replays this run');
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
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: 'application/json' }));
  const a = el('a', { href: url, download: 'streamsim-run.json', hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
  const msg = shareSummary(text, 'Saved streamsim-run.json: it replays this run');
  setText($('share-status'), msg);
  app.narrator.say(msg, 'share');
  app.narrator.flush(performance.now(), true);
}

// ---- controls -------------------------------------------------------------------------------

function setPlaying(on, say = true) {
  app.playing = on;
  app.lastFrameT = null;
  app.acc = 0;
  setText($('play-label'), on ? 'Pause' : 'Play');
  $('play-icon').className = `icon ${on ? 'icon-pause' : 'icon-play'}`;
  app.actualSpeed = null;
  app.simMsDone = 0;
  app.realMsDone = 0;
  setText($('st-state'), stateText());
  if (!on && app.sim) render(performance.now(), true); // the status bar shows where it stopped
  if (say) {
    app.narrator.say(on ? 'Playing.' : 'Paused.', 'play');
    app.narrator.flush(performance.now(), true);
  }
}

/** "paused", "playing at 10×", or, when the computer cannot keep up, the speed reached. */
function stateText() {
  if (!app.playing) return 'paused';
  const want = `playing at ${formatSpeed(app.speed)}`;
  const got = app.actualSpeed;
  if (got !== null && got < app.speed * 0.8) {
    return `${want} (reaching about ${formatSpeed(Math.max(0.1, got))}: this computer cannot go faster)`;
  }
  return want;
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
  $('play').addEventListener('click', () => setPlaying(!app.playing));
  $('step').addEventListener('click', stepOnce);
  $('reset').addEventListener('click', () => {
    install(app.sim.withSeed(app.sim.seed()), 'Reset: the same scenario and seed from the start.');
  });

  const speed = $('speed');
  const onSpeed = () => {
    app.speed = speedFromSlider(speed.value);
    setText($('speed-value'), formatSpeed(app.speed));
    speed.setAttribute(
      'aria-valuetext',
      `${formatSpeed(app.speed).replace('×', '')} times real time`,
    );
    app.actualSpeed = null;
    if (app.playing) setText($('st-state'), stateText());
  };
  speed.addEventListener('input', onSpeed);
  speed.value = String(sliderFromSpeed(1));
  onSpeed();

  $('seed-apply').addEventListener('click', () => applySeed($('seed').value));
  $('seed').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') applySeed($('seed').value);
  });
  $('seed-random').addEventListener('click', () => {
    const s = app.api.randomSeed();
    $('seed').value = s;
    applySeed(s);
  });

  const presetSel = $('preset');
  replaceChildren(
    presetSel,
    app.api.presetNames().map((n) => el('option', { value: n, text: n })),
  );
  $('preset-load').addEventListener('click', () => loadPreset(presetSel.value));

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
        `The file ${file.name} could not be read.`,
        ['The browser could not read the file.'],
        KEEP_RUNNING,
      );
      return;
    }
    loadScenarioText(text, `the file ${file.name}`);
    input.value = '';
  });
  $('scenario-check').addEventListener('click', () => {
    const errors = app.api.validateScenario($('scenario-text').value);
    if (errors.length) {
      showErrors('scenario-errors', 'The scenario text has problems:', errors);
    } else {
      showErrors('scenario-errors', '', []);
      app.narrator.say('The scenario text is valid.', 'check');
      app.narrator.flush(performance.now(), true);
    }
  });
  $('scenario-run').addEventListener('click', () =>
    loadScenarioText($('scenario-text').value, 'the text box'),
  );
  $('scenario-link').addEventListener('click', makeLink);
  $('run-download').addEventListener('click', downloadRun);
  window.addEventListener('hashchange', loadFromHash);

  // fresh entries when the list is entered (it stands still while it has the focus)
  $('record-list').addEventListener('focus', () => {
    app.lastListT = performance.now();
    app.listTick = app.sim.tick();
    updateRecordList();
  });
  $('record-list').addEventListener('change', () => {
    const m = /^(\d+):(\d+)$/.exec($('record-list').value);
    if (m) selectRecord(Number(m[1]), Number(m[2]));
  });

  const canvas = $('belt');
  canvas.addEventListener('click', (e) => {
    const hit = app.belt.hitTest(...canvasPoint(canvas, e));
    if (hit) selectRecord(hit.lane, hit.recordIndex);
  });
  canvas.addEventListener('mousemove', (e) => {
    canvas.classList.toggle('pointer', !!app.belt.hitTest(...canvasPoint(canvas, e)));
  });

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target instanceof Element ? e.target : null;
    const space = e.key === ' ' || e.code === 'Space';
    // the record list is a list box: arrows move in it, but Space is free to play or pause, so
    // a keyboard user can stop the records moving on without leaving the list
    if (isTypingTarget(t) && !(space && t.id === 'record-list')) return;
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
  });

  const wrap = $('belt-wrap');
  new ResizeObserver((entries) => {
    for (const en of entries) app.belt.resize(en.contentRect.width);
  }).observe(wrap);
  app.belt.resize(wrap.clientWidth);

  const mq = window.matchMedia('(prefers-reduced-motion: reduce)');
  const onMotion = () => {
    app.reducedMotion = mq.matches;
    app.belt.setReducedMotion(mq.matches);
    $('motion-note').hidden = !mq.matches;
  };
  mq.addEventListener('change', onMotion);
  onMotion();
}

// ---- start ----------------------------------------------------------------------------------

/** The facade reports its typed-array row widths; this page was written for these. */
function rowFieldMismatch(api) {
  if (typeof api.rowFields !== 'function') return null;
  const f = api.rowFields();
  const mine = { SHARD_FIELDS, PRODUCER_FIELDS, CONSUMER_FIELDS, RECORD_FIELDS, EVENT_FIELDS };
  const off = Object.keys(mine).filter((k) => f[k] !== undefined && f[k] !== mine[k]);
  return off.length
    ? `row widths differ: ${off.map((k) => `${k} ${f[k]} (page expects ${mine[k]})`).join(', ')}`
    : null;
}

async function boot() {
  app.narrator = new Narrator($('narration'), $('narration-log'));
  let api;
  try {
    api = await import('./pkg/streamsim.js');
    await api.default({ module_or_path: new URL('./pkg/streamsim_bg.wasm', import.meta.url) });
  } catch (err) {
    setText($('st-state'), 'not loaded');
    showErrors(
      'run-errors',
      'The simulation could not be loaded:',
      errorMessages(err),
      'Build it with “make build” and reload the page.',
    );
    return;
  }
  app.api = api;
  const mismatch = rowFieldMismatch(api);
  if (mismatch) showErrors('run-errors', 'This page and the simulation disagree:', [mismatch]);
  app.belt = new Belt($('belt'));
  app.consumerPanel = new ConsumerPanel($('consumer-panel'));
  app.notesFeed = new NotesFeed($('notes-feed'));
  app.alertsFeed = new AlertsFeed($('alerts-feed'), $('alerts-summary'));
  app.reshard = new ReshardPanel($('reshard-panel'), sendCommand);
  app.faults = new FaultsPanel($('faults-panel'), sendCommand);
  app.firehose = new FirehosePanel(
    $('firehose-card'),
    $('firehose-panel'),
    sendCommand,
    () => app.sim,
  );
  wireControls();

  const loc = parseLocation(location.search, location.hash);
  const problems = [];
  const names = api.presetNames();
  let presetName = DEFAULT_PRESET;
  let source = '';
  if (loc.preset) {
    if (names.includes(loc.preset)) {
      presetName = loc.preset;
      source = ' (chosen in the address)';
    } else {
      problems.push(
        `preset: “${loc.preset}” is not a known preset; known presets: ${names.join(', ')}.`,
      );
    }
  }
  let sim = api.Sim.fromPreset(presetName);
  $('preset').value = presetName;
  if (loc.seed !== null) {
    try {
      const seeded = sim.withSeed(loc.seed);
      sim.free?.();
      sim = seeded;
      source += ` with seed ${loc.seed}`;
    } catch (err) {
      problems.push(...errorMessages(err));
    }
  }
  if (problems.length) showErrors('run-errors', 'Part of the address was not used:', problems);
  install(sim, `Running the ${presetName} scenario${source}.`);
  if (loc.scenario !== null || loc.scenarioError) loadFromHash();
  setPlaying(true, false);
  document.documentElement.dataset.ready = '1';
  requestAnimationFrame(frame);
}

boot();

// Read-only peeks for the end-to-end tests (and curious students): nothing here changes the run.
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
  digest: () => (app.sim ? app.sim.digest() : null),
  tick: () => (app.sim ? app.sim.tick() : null),
  laneCount: () => (app.layout ? app.layout.lanes.length : 0),
  shardIds: () => (app.layout ? app.layout.lanes.map((l) => l.shardId) : []),
  lanes: () =>
    app.layout
      ? app.layout.lanes.map((l) => ({
          shardId: l.shardId,
          state: l.state,
          parentLanes: l.parentLanes,
          row: app.belt.rowOf.has(l.lane) ? app.belt.rowOf.get(l.lane) : null,
        }))
      : [],
  streams: () => (app.layout ? app.layout.streams.map((st) => ({ ...st })) : []),
  consumers: () => (app.sim ? app.sim.consumers() : []),
  firehoses: () => (app.sim && app.sim.firehoses ? app.sim.firehoses() : []),
};
