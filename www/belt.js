// The conveyor belt: draws producers, one lane per shard with its write-limit gauge, record
// tiles riding to the consumer, throttled records bouncing back and dropped ones falling off.
// It only draws what main.js hands it (rows of the frame, read by field name, and the layout)
// and remembers where it drew each tile, so that a click can be turned back into
// (lane, recordIndex). Its colours are the stylesheet's (palette.js).

import { keyStyle, readColours } from './palette.js';
import {
  formatDuration,
  formatHashRange,
  formatCount,
  formatPercent,
  formatShortCount,
  formatShortAge,
  formatMiB,
} from './format.js';
import { lagFraction } from './consumers.js';
import { consumerRow } from './sim.js';
import { t } from './text.js';

const EVENT_THROTTLED = 0;
const EVENT_DROPPED = 1;
const EVENT_RETRY_OK = 2;
const MAX_SPRITES = 90;
const PER_PATH = 4; // bounce animations alive at once on one producer-to-lane path, per kind
/**
 * More lanes than this in all and the belt draws one band per stream (each shard a bar of a heat
 * strip) instead of one lane per shard: 500 lanes of tiles are 20,000 px of canvas, unreadable.
 */
export const AGGREGATE_LANES = 64;
/** The belt's still layer (lane headers, gauges, consumers, producers) is redrawn this often. */
const STILL_EVERY_MS = 1000;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Real time a record takes along the belt: about three seconds … */
const TRAVEL_REAL_MS = 3000;
/** … and never less than this: faster, tiles are a blur, not records to follow. */
const TRAVEL_REAL_MIN_MS = 480;

/**
 * How much simulated time the belt shows from end to end: about three real seconds of travel,
 * shortened (down to 0.48 real seconds) so the busiest lane needs at most `tilesPerLane` tiles
 * (what the core's frame budget hands out); in the aggregate view the whole three seconds.
 */
export function beltTravelMs(
  speed,
  busiestLaneRecordsPerSecond,
  tilesPerLane = 240,
  dense = false,
) {
  const wanted = Math.min(TRAVEL_REAL_MS * speed, 60_000);
  if (dense) return Math.max(100, wanted);
  const rate = Math.max(1, busiestLaneRecordsPerSecond);
  const fits = (tilesPerLane / rate) * 1000;
  return Math.max(100, Math.min(wanted, fits));
}

/**
 * Whether the belt shows the aggregate view: the busiest lane has more records than tiles can
 * show (more than `tilesPerLane` would be on it even at the shortest travel, 0.48 real seconds: with 240 tiles, 500 records a second),
 * so drawing each would mean thousands of tiles a second. Hysteresis: back to tiles below 3/4.
 */
export function beltDense(speed, busiestLaneRecordsPerSecond, tilesPerLane, wasDense) {
  const onBelt = (busiestLaneRecordsPerSecond * speed * TRAVEL_REAL_MIN_MS) / 1000;
  return onBelt > tilesPerLane * (wasDense ? 0.75 : 1);
}

export class Belt {
  constructor(canvas, { reducedMotion = false } = {}) {
    this.canvas = canvas;
    // opaque: the still layer paints the card's colour under everything (cheaper to composite)
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.reducedMotion = reducedMotion;
    this.layout = null;
    this.g = null; // geometry
    this.hits = []; // tiles as drawn last: {x, y, s, lane, recordIndex}
    this.sprites = [];
    this.lastSpriteT = new Map(); // path → start of its newest animation (simulated ms)
    this.data = null;
    this.selected = null; // {lane, recordIndex}
    this.cssWidth = 0;
    this.consumers = []; // sim.consumers(), as last handed over
    this.packets = []; // Lambda batches leaving: {consumer, lane, t0 (real ms), failed}
    this.rowOf = new Map(); // lane → row on the canvas (EXPIRED lanes have none: collapsed)
    this.colours = readColours();
    this.ui = this.colours.ui;
    this.still = null; // the cached layer (an offscreen canvas), see draw()
    this.stillT = -Infinity;
    this.stillDirty = true;
    this.packetCols = []; // Lambda columns, as the cached layer placed them
    this.onBelt = []; // the aggregate view: records on the belt, per lane, as drawn last
  }

  producerColour(p) {
    const list = this.colours.producers;
    return list[Math.abs(Math.floor(Number(p.colour) || 0)) % list.length];
  }

  /**
   * The consumers' report (as the run gives it): names, kinds and delays for their boxes; a
   * Lambda trigger's new invocations become small packets leaving its box, per shard.
   */
  setConsumers(list, realNow) {
    const old = new Map(this.consumers.map((c) => [c.name, c]));
    const kinds = (l) => l.map((c) => `${c.name}:${c.type}`).join(',');
    const regroup = kinds(list) !== kinds(this.consumers);
    this.consumers = list;
    if (regroup && this.layout) this.relayout();
    if (this.reducedMotion || !this.layout) return;
    const laneOf = new Map(this.layout.lanes.map((l) => [`${l.stream}|${l.shard_id}`, l.lane]));
    for (const c of list) {
      const before = old.get(c.name);
      if (!c.lambda || !before || !before.lambda) continue;
      if (c.lambda.invocations <= before.lambda.invocations) continue;
      const failed = c.lambda.errors > before.lambda.errors;
      c.shards.forEach((sh, k) => {
        const prev = before.shards[k];
        const moved = !prev || sh.records_read !== prev.records_read;
        const lane = laneOf.get(`${c.stream_name}|${sh.shard_id}`);
        if (lane === undefined) return;
        // a shard whose lag keeps growing while invocations fail is the one retrying (its
        // records_read may move with the redeliveries): its batches go out marked as failed
        const stuck =
          failed &&
          sh.iterator_age_ms >= 2000 &&
          (!prev || sh.iterator_age_ms >= prev.iterator_age_ms);
        if (moved || stuck) {
          this.packets.push({ consumer: c.name, lane, t0: realNow, failed: stuck });
        }
      });
    }
    if (this.packets.length > 200) this.packets.splice(0, this.packets.length - 200);
  }

  setReducedMotion(on) {
    this.reducedMotion = on;
    if (on) this.sprites = [];
  }

  /**
   * A new layout; `reshaped` when lanes or producers came or went (the animations in flight
   * name lanes and producers by number, so they are dropped then).
   */
  setLayout(layout, reshaped = true) {
    this.layout = layout;
    if (reshaped) {
      this.sprites = [];
      this.lastSpriteT.clear();
    }
    this.relayout();
  }

  resize(cssWidth) {
    if (Math.abs(cssWidth - this.cssWidth) < 0.5 && this.g) return;
    this.cssWidth = cssWidth;
    this.relayout();
  }

  select(sel) {
    this.selected = sel;
  }

  /** Draw the cached layer again at the next frame (a control changed what it shows). */
  refresh() {
    this.stillDirty = true;
  }

  /** Recompute the geometry for the current width and layout, and size the canvas. */
  relayout() {
    const lay = this.layout;
    const W = Math.max(280, Math.floor(this.cssWidth || 800));
    const compact = W < 700;
    this.rowOf = new Map();
    if (lay)
      for (const l of lay.lanes) if (l.state !== 'EXPIRED') this.rowOf.set(l.lane, this.rowOf.size);
    // many lanes: one row (a band) per stream, each lane placed on its stream's band
    this.aggregate = this.rowOf.size > AGGREGATE_LANES;
    if (this.aggregate) {
      const band = new Map(lay.streams.map((st, k) => [st.name, k]));
      for (const l of lay.lanes)
        if (this.rowOf.has(l.lane)) this.rowOf.set(l.lane, band.get(l.stream) ?? 0);
    }
    const laneCount = !lay ? 4 : this.aggregate ? lay.streams.length : Math.max(1, this.rowOf.size);
    // consumer columns: one per consumer of a stream (or per kind, when there are many)
    this.plan = this.planColumns(Math.max(280, Math.floor(this.cssWidth || 800)) < 700);
    const cols = Math.max(1, ...[...this.plan.values()].map((c) => c.length));
    const dense = laneCount > 8 || this.aggregate; // many shards: thinner lanes
    const g = {
      W,
      compact,
      pad: compact ? 4 : 10,
      top: (compact ? 22 : 28) + (compact || dense ? 9 : 11) * 2 + 4, // + consumer names, kinds
      font: compact || dense ? 10 : 12,
      small: compact || dense ? 9 : 11,
      headerH: this.aggregate ? 26 : compact || dense ? 15 : 19, // aggregate: room for a consumer's name and kind
      stripH: this.aggregate ? 40 : dense ? 22 : compact ? 26 : 32,
      gap: dense ? 5 : compact ? 8 : 10,
      prodW: compact ? 54 : 104,
      routeW: compact ? 16 : 64, // where throttled records bounce back
      gateW: compact ? 60 : 136,
      consW: compact
        ? Math.max(44, Math.min(cols * 34, Math.floor(W * 0.3)))
        : Math.max(124, Math.min(cols * 98, Math.floor(W * 0.36))),
      cols,
      tile: compact || dense ? 8 : 11,
      bottom: compact ? 30 : 36, // room for a consumer's warnings (duplicates, failures, disorder)
    };
    g.laneH = g.headerH + g.stripH + g.gap;
    g.prodX = g.pad;
    g.gateX = g.prodX + g.prodW + g.routeW;
    g.beltX = g.gateX + g.gateW + (compact ? 4 : 8);
    g.consX = W - g.pad - g.consW;
    g.beltEnd = g.consX - (compact ? 4 : 8);
    g.beltLen = Math.max(40, g.beltEnd - g.beltX);
    g.H = g.top + laneCount * g.laneH + g.bottom;
    this.g = g;
    const dpr = window.devicePixelRatio || 1;
    this.dpr = dpr;
    this.canvas.width = Math.round(W * dpr);
    this.canvas.height = Math.round(g.H * dpr);
    this.canvas.style.height = `${g.H}px`;
    this.producerBoxes = this.computeProducerBoxes();
    this.stillDirty = true;
    const label = this.aggregate
      ? t('belt.canvas.label.bands', { n: this.rowOf.size })
      : t('belt.canvas.label');
    if (this.canvas.getAttribute('aria-label') !== label)
      this.canvas.setAttribute('aria-label', label);
    if (this.data) this.draw();
  }

  laneTop(lane) {
    const row = this.rowOf.has(lane) ? this.rowOf.get(lane) : lane;
    return this.g.top + row * this.g.laneH;
  }

  stripY(lane) {
    return this.laneTop(lane) + this.g.headerH;
  }

  laneMidY(lane) {
    return this.stripY(lane) + this.g.stripH / 2;
  }

  /**
   * Per stream, the consumer columns: one per consumer, or, when more than fit (5; 3 on a phone),
   * one per kind ("5 polling"), whose gauge shows the furthest behind of them.
   */
  planColumns(compact) {
    const lay = this.layout;
    const plan = new Map();
    if (!lay) return plan;
    const types = new Map(this.consumers.map((c) => [c.name, c.type]));
    const per = new Map();
    lay.consumers.forEach((c, idx) => {
      if (!per.has(c.stream_name)) per.set(c.stream_name, []);
      per.get(c.stream_name).push({ name: c.name, idx, type: types.get(c.name) || '' });
    });
    const maxCols = compact ? 3 : 5;
    for (const [stream, list] of per) {
      if (list.length <= maxCols) {
        plan.set(
          stream,
          list.map((c) => ({ label: c.name, type: c.type, members: [c] })),
        );
        continue;
      }
      const byType = new Map();
      for (const c of list) {
        if (!byType.has(c.type)) byType.set(c.type, []);
        byType.get(c.type).push(c);
      }
      plan.set(
        stream,
        [...byType].map(([type, members]) => ({
          label: t('belt.consumers.group', {
            n: members.length,
            kind: kindShort(type) || type || t('belt.kind.consumer'),
          }),
          type,
          members,
        })),
      );
    }
    return plan;
  }

  /**
   * Producer boxes spread over the lanes of their stream (a Direct PUT producer writes to a
   * delivery stream, which has no lane: those are spread from the top).
   */
  computeProducerBoxes() {
    const lay = this.layout;
    const g = this.g;
    if (!lay) return [];
    const boxes = [];
    const byTarget = new Map();
    for (const p of lay.producers) {
      const key = `${p.target_kind}:${p.target_name}`;
      if (!byTarget.has(key)) byTarget.set(key, []);
      byTarget.get(key).push(p);
    }
    for (const prods of byTarget.values()) {
      const p0 = prods[0];
      const lanes = lay.lanes.filter(
        (l) => p0.target_kind === 'stream' && l.stream === p0.target_name && this.rowOf.has(l.lane),
      );
      const first = lanes.length ? lanes[0].lane : 0;
      const last = lanes.length ? lanes[lanes.length - 1].lane : lay.lanes.length - 1;
      // spread over the first lanes only: with many lanes (a belt taller than its box) a box
      // centred on all of them sits below the part shown first, and the belt seems to have no
      // producer; its lines still reach every lane
      const upTo = lanes.length
        ? lanes[Math.min(lanes.length, PRODUCER_SPAN_LANES) - 1].lane
        : Math.max(first, last);
      const y0 = this.laneTop(first) + 2;
      const y1 = this.laneTop(upTo) + g.laneH - g.gap;
      const span = Math.max(20, y1 - y0);
      const slot = span / prods.length;
      const h = Math.max(22, Math.min(compactOr(g, 40, 52), slot - 6));
      prods.forEach((p, i) => {
        const cy = y0 + slot * (i + 0.5);
        boxes[p.index] = { x: g.prodX, y: cy - h / 2, w: g.prodW, h, cx: g.prodX + g.prodW, cy, p };
      });
    }
    return boxes;
  }

  /** New write events (rows of the `event` row) become short animations. */
  addEvents(events, nowMs, travelMs) {
    if (this.reducedMotion || this.aggregate || !this.layout || events.count === 0) return;
    const n = events.count;
    const life = travelMs * 0.4;
    // keep it readable: a busy shard throttles hundreds of records a second, and drawn all at
    // once they merge into one blob. On each path (producer, lane, kind) a new animation starts
    // only every life / PER_PATH ms, so a few separate tiles are seen going out and coming back.
    const gap = life / PER_PATH;
    for (let i = 0; i < n && this.sprites.length < MAX_SPRITES; i++) {
      const t0 = events.get(i, 't_ms');
      if (nowMs - t0 > life) continue;
      const producer = events.get(i, 'producer');
      const lane = events.get(i, 'lane');
      const kind = events.get(i, 'kind');
      const path = `${producer}:${lane}:${kind}`;
      const last = this.lastSpriteT.get(path);
      if (last !== undefined && t0 >= last && t0 - last < gap) continue; // (t0 < last: a new run)
      this.lastSpriteT.set(path, t0);
      this.sprites.push({
        t0,
        life,
        producer,
        lane,
        kind,
        keyColour: events.get(i, 'key_colour'),
      });
    }
  }

  /**
   * Draw one frame. `d` = { nowMs, tickMs, travelMs, shards (Rows), records (Rows), consumer
   * (Rows: per consumer, per lane of its stream), recentEvents (reduced motion: per lane, the
   * last second's counts by kind) }.
   */
  frame(d) {
    if (!this.data || !this.data.bins !== !d.bins) this.stillDirty = true; // its title changes
    this.data = d;
    this.draw();
  }

  draw() {
    const { ctx, g, layout: lay, data: d } = this;
    if (!g || !lay || !d) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.textBaseline = 'middle';
    this.hits = [];
    this.picked = null;
    if (this.aggregate) {
      ctx.fillStyle = this.ui.white; // opaque canvas: the card's colour, not black
      ctx.fillRect(0, 0, g.W, g.H);
      this.packetCols = [];
      this.drawColumnTitles();
      for (const st of lay.streams) this.drawStreamBand(st, d);
      this.drawRoutes();
      this.drawConsumers(d);
      this.drawProducers();
      this.drawPackets();
      return;
    }
    const shown = lay.lanes.filter((l) => this.rowOf.has(l.lane));
    // what changes at most once a simulated second or with the layout (titles, lane headers and
    // strips, routes, gauges, consumers, producers) is drawn into a cached layer, again at most
    // every STILL_EVERY_MS of real time; each frame copies it and draws what moves over it
    const realNow = performance.now();
    if (this.stillDirty || realNow - this.stillT >= STILL_EVERY_MS || this.reducedMotion) {
      this.drawStill(shown, d);
      this.stillT = realNow;
      this.stillDirty = false;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.still, 0, 0);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    this.drawSlats(shown, d);
    this.drawPackets();
    if (d.bins) this.drawBins(d);
    else this.drawTiles(d);
    this.drawUnread(shown, d);
    if (d.recentEvents) this.drawEventCounts(d.recentEvents);
    else this.drawSprites(d);
  }

  /** The cached layer (see draw): drawn with the same code, into an offscreen canvas. */
  drawStill(shown, d) {
    if (!this.still) this.still = document.createElement('canvas');
    const still = this.still;
    if (still.width !== this.canvas.width || still.height !== this.canvas.height) {
      still.width = this.canvas.width;
      still.height = this.canvas.height;
    }
    const front = this.ctx;
    const ctx = still.getContext('2d');
    this.ctx = ctx;
    try {
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      ctx.fillStyle = this.ui.white;
      ctx.fillRect(0, 0, this.g.W, this.g.H);
      ctx.textBaseline = 'middle';
      this.packetCols = [];
      this.drawColumnTitles();
      for (const l of shown) this.drawLaneBackground(l);
      this.drawRoutes();
      for (const l of shown) this.drawGauge(l, d);
      this.drawConsumers(d);
      this.drawProducers();
    } finally {
      this.ctx = front;
    }
  }

  /** Reduced motion: instead of bouncing tiles, a still note per lane of the last second. */
  drawEventCounts(byLane) {
    const { ctx, g } = this;
    for (const [lane, counts] of byLane) {
      if (!this.layout.lanes[lane] || !this.rowOf.has(lane)) continue;
      const parts = [];
      if (counts[EVENT_THROTTLED])
        parts.push(t('belt.events.throttled', { n: formatCount(counts[EVENT_THROTTLED]) }));
      if (counts[EVENT_DROPPED]) {
        parts.push(t('belt.events.dropped', { n: formatCount(counts[EVENT_DROPPED]) }));
      }
      if (counts[EVENT_RETRY_OK])
        parts.push(t('belt.events.retried', { n: formatCount(counts[EVENT_RETRY_OK]) }));
      if (!parts.length) continue;
      const text = parts.join('  ');
      ctx.font = `600 ${g.small}px ${FONT}`;
      const tw = ctx.measureText(text).width;
      const y = this.laneMidY(lane);
      ctx.fillStyle = this.ui.chip;
      ctx.fillRect(g.beltX + 2, y - g.small * 0.75, tw + 8, g.small * 1.5);
      ctx.strokeStyle = this.ui.throttle;
      ctx.lineWidth = 1;
      ctx.strokeRect(g.beltX + 2.5, y - g.small * 0.75 + 0.5, tw + 7, g.small * 1.5 - 1);
      ctx.fillStyle = this.ui.warnInk;
      ctx.textAlign = 'left';
      ctx.fillText(text, g.beltX + 6, y);
    }
  }

  drawColumnTitles() {
    const { ctx, g } = this;
    ctx.fillStyle = this.ui.muted;
    ctx.font = `600 ${g.small}px ${FONT}`;
    ctx.textAlign = 'left';
    const y = g.compact ? 10 : 13;
    ctx.fillText(t('belt.title.producers'), g.prodX, y);
    const gateTitle = this.aggregate ? t('belt.title.gate.stream') : t('belt.title.gate');
    ctx.fillText(g.compact ? t('belt.title.gate.compact') : gateTitle, g.gateX, y);
    const updating = this.layout.streams.filter((st) => st.status === 'UPDATING');
    const dense = !this.aggregate && this.data && this.data.bins;
    const shardsTitle = this.aggregate
      ? g.compact
        ? t('belt.title.shards.bands.compact')
        : t('belt.title.shards.bands')
      : dense
        ? g.compact
          ? t('belt.title.shards.dense.compact')
          : t('belt.title.shards.dense', { ms: formatCount(this.data.binMs) })
        : g.compact
          ? t('belt.title.shards.compact')
          : t('belt.title.shards');
    ctx.fillText(shardsTitle, g.beltX, y);
    if (updating.length) {
      // resharding under way: said in words, with a dashed frame (not colour alone)
      const x = g.beltX + ctx.measureText(shardsTitle).width + 10;
      const label = g.compact
        ? t('belt.updating.compact')
        : t('belt.updating', { streams: updating.map((st) => st.name).join(t('list.comma')) });
      const tw = ctx.measureText(label).width;
      ctx.fillStyle = this.ui.updatingBack;
      ctx.fillRect(x - 4, y - g.small * 0.8, tw + 8, g.small * 1.6);
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = this.ui.updatingEdge;
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 3.5, y - g.small * 0.8 + 0.5, tw + 7, g.small * 1.6 - 1);
      ctx.setLineDash([]);
      ctx.fillStyle = this.ui.updatingInk;
      ctx.fillText(label, x, y);
      ctx.fillStyle = this.ui.muted;
    }
    ctx.textAlign = 'right';
    const consumersTitle =
      this.layout.consumers.length > 1 ? t('belt.title.consumers') : t('belt.title.consumer');
    ctx.fillText(consumersTitle, g.W - g.pad, y);
    ctx.textAlign = 'left';
  }

  drawLaneBackground(l) {
    const { ctx, g } = this;
    const i = l.lane;
    const top = this.laneTop(i);
    const sy = this.stripY(i);
    // header: shard id and hash-key range (abbreviated; the full range is in the shard table)
    ctx.font = `600 ${g.font}px ${FONT}`;
    ctx.fillStyle = l.state === 'OPEN' ? this.ui.ink : this.ui.muted;
    ctx.textAlign = 'left';
    const idText = g.compact ? t('belt.lane.shortId', { n: shortShard(l.shard_id) }) : l.shard_id;
    ctx.fillText(idText, g.gateX, top + g.headerH / 2);
    const idW = ctx.measureText(idText).width;
    ctx.font = `${g.small}px ${FONT}`;
    ctx.fillStyle = this.ui.muted;
    const range = formatHashRange(l.starting_hash_key, l.ending_hash_key);
    // one whole label per case: the range alone, or with the lane's state (closed, expired)
    const state = t(`shard.state.${l.state}`);
    const laneLabel =
      l.state === 'OPEN'
        ? t(g.compact ? 'belt.lane.range.compact' : 'belt.lane.range', { range })
        : t(g.compact ? 'belt.lane.rangeState.compact' : 'belt.lane.rangeState', { range, state });
    ctx.fillText(laneLabel, g.gateX + idW + 6, top + g.headerH / 2);

    // the belt strip
    ctx.fillStyle = this.ui.belt;
    roundRect(ctx, g.beltX, sy, g.beltLen, g.stripH, 4);
    ctx.fill();
    ctx.strokeStyle = this.ui.beltEdge;
    ctx.lineWidth = 1;
    ctx.stroke();
    if (l.state !== 'OPEN') {
      // a closed shard takes no writes and stays readable until drained: striped, still belt
      ctx.save();
      roundRect(ctx, g.beltX, sy, g.beltLen, g.stripH, 4);
      ctx.clip();
      ctx.fillStyle = this.ui.closedBack;
      ctx.fillRect(g.beltX, sy, g.beltLen, g.stripH);
      ctx.strokeStyle = this.ui.closedStripe;
      ctx.lineWidth = 2;
      for (let k = -g.stripH; k < g.beltLen + g.stripH; k += 10) {
        ctx.beginPath();
        ctx.moveTo(g.beltX + k, sy + g.stripH);
        ctx.lineTo(g.beltX + k + g.stripH, sy);
        ctx.stroke();
      }
      ctx.restore();
      ctx.setLineDash([5, 3]);
      ctx.strokeStyle = this.ui.muted;
      ctx.lineWidth = 1;
      roundRect(ctx, g.beltX + 0.5, sy + 0.5, g.beltLen - 1, g.stripH - 1, 4);
      ctx.stroke();
      ctx.setLineDash([]);
      return;
    }
  }

  /**
   * Right of each lane's header: records not read yet (how far behind each consumer is: its
   * column, at the end). Drawn every frame, as the waiting chips are, so the two agree.
   */
  drawUnread(shown, d) {
    const { ctx, g } = this;
    if (g.compact) return;
    ctx.textAlign = 'right';
    ctx.fillStyle = this.ui.muted;
    ctx.font = `${g.small}px ${FONT}`;
    for (const l of shown) {
      const unread = d.shards.get(l.lane, 'unread_records') || 0;
      // the aggregate view counts the records on the belt too (its bars have no tiles to count)
      const on = d.bins ? this.onBelt[l.lane] || 0 : -1;
      const text =
        on >= 0
          ? t('belt.lane.onBelt', { n: formatCount(on), unread: formatCount(unread) })
          : unread > 0
            ? t('belt.lane.unread', { n: formatCount(unread) })
            : '';
      if (text) ctx.fillText(text, g.beltEnd, this.laneTop(l.lane) + g.headerH / 2);
    }
    ctx.textAlign = 'left';
  }

  /**
   * Moving slats show the belt's motion (still when reduced motion is asked for): one path for
   * every open lane, inside each strip's straight part.
   */
  drawSlats(shown, d) {
    const { ctx, g } = this;
    const spacing = 24;
    const shift = this.reducedMotion
      ? 0
      : ((((d.nowMs / d.travelMs) * g.beltLen) % spacing) + spacing) % spacing;
    const xMin = g.beltX + 4;
    const xMax = g.beltEnd - 4;
    ctx.beginPath();
    for (const l of shown) {
      if (l.state !== 'OPEN') continue;
      const sy = this.stripY(l.lane);
      for (let x = g.beltX + shift - spacing; x < g.beltEnd; x += spacing) {
        if (x < xMin || x > xMax) continue;
        ctx.moveTo(x, sy + 2);
        ctx.lineTo(x, sy + g.stripH - 2);
      }
    }
    ctx.strokeStyle = this.ui.beltStripe;
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  /**
   * Many lanes: a stream as one band. Its header says the stream's totals; the strip is a heat
   * strip, one bar per shard in lane order, as tall as that shard's writes against its limit
   * (striped at the limit, so not by colour alone; closed shards grey striped); the gate column
   * says the stream's writes against its open shards' capacity.
   */
  drawStreamBand(st, d) {
    const { ctx, g, layout: lay } = this;
    const lanes = lay.lanes.filter((l) => l.stream === st.name && this.rowOf.has(l.lane));
    if (!lanes.length) return;
    const top = this.laneTop(lanes[0].lane);
    const sy = this.stripY(lanes[0].lane);
    const recLimit = lay.limits.write_records_per_second;
    let recs = 0;
    let unread = 0;
    let atLimit = 0;
    let open = 0;
    for (const l of lanes) {
      recs += d.shards.get(l.lane, 'incoming_records') || 0;
      unread += d.shards.get(l.lane, 'unread_records') || 0;
      if (d.shards.get(l.lane, 'write_throttled') > 0) atLimit += 1;
      if (l.state === 'OPEN') open += 1;
    }
    ctx.font = `600 ${g.font}px ${FONT}`;
    ctx.fillStyle = this.ui.ink;
    ctx.textAlign = 'left';
    const head = t('belt.band.head', {
      stream: st.name,
      n: formatCount(lanes.length),
      open: formatCount(open),
    });
    ctx.fillText(head, g.gateX, top + g.headerH / 2);
    const headW = ctx.measureText(head).width;
    ctx.font = `${g.small}px ${FONT}`;
    ctx.fillStyle = this.ui.muted;
    const extra = [
      atLimit
        ? t('belt.band.throttling', { n: formatCount(atLimit) })
        : t('belt.band.noneThrottling'),
      unread > 0 && !g.compact ? t('belt.lane.unread', { n: formatCount(unread) }) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    ctx.fillText(` · ${extra}`, g.gateX + headW + 4, top + g.headerH / 2);

    // the gate column: the stream's writes against its capacity
    const cap = open * recLimit;
    const frac = cap > 0 ? recs / cap : 0;
    const barH = (g.stripH - 6) / 2;
    ctx.fillStyle = this.ui.gaugeBack;
    ctx.fillRect(g.gateX, sy + 2, g.gateW - 4, barH);
    ctx.fillStyle = frac >= 0.8 ? this.ui.gaugeHigh : this.ui.gaugeOk;
    ctx.fillRect(g.gateX, sy + 2, Math.min(1, frac) * (g.gateW - 4), barH);
    ctx.strokeStyle = this.ui.beltEdge;
    ctx.lineWidth = 1;
    ctx.strokeRect(g.gateX + 0.5, sy + 2.5, g.gateW - 5, barH - 1);
    ctx.font = `${g.small}px ${FONT}`;
    ctx.fillStyle = this.ui.ink;
    ctx.fillText(
      g.compact
        ? formatPercent(frac)
        : t('belt.band.writes', { n: formatCount(recs), cap: formatCount(cap) }),
      g.gateX,
      sy + 4 + barH * 1.5,
    );

    // the heat strip: a bar per shard
    ctx.fillStyle = this.ui.belt;
    roundRect(ctx, g.beltX, sy, g.beltLen, g.stripH, 4);
    ctx.fill();
    ctx.strokeStyle = this.ui.beltEdge;
    ctx.stroke();
    const w = g.beltLen / lanes.length;
    const inner = g.stripH - 4;
    lanes.forEach((l, k) => {
      const x = g.beltX + k * w;
      const bw = Math.max(1, w - (w > 3 ? 1 : 0));
      if (l.state !== 'OPEN') {
        hatch(ctx, x, sy + 2, bw, inner, this.ui.closedStripe, this.ui.closedBack);
        return;
      }
      const f = (d.shards.get(l.lane, 'incoming_records') || 0) / recLimit;
      const h = Math.min(1, Math.max(0, f)) * inner;
      if (d.shards.get(l.lane, 'write_throttled') > 0 || f >= 0.995) {
        hatch(ctx, x, sy + 2 + inner - h, bw, h, this.ui.gaugeWarn, this.ui.hatchBack);
      } else {
        ctx.fillStyle = f >= 0.8 ? this.ui.gaugeHigh : this.ui.gaugeOk;
        ctx.fillRect(x, sy + 2 + inner - h, bw, h);
      }
    });
  }

  drawRoutes() {
    const { ctx, layout: lay } = this;
    ctx.strokeStyle = this.ui.route;
    ctx.lineWidth = 1;
    for (const b of this.producerBoxes) {
      if (!b) continue;
      const drawn = new Set();
      for (const l of lay.lanes) {
        if (b.p.target_kind !== 'stream' || l.stream !== b.p.target_name) continue;
        if (l.state !== 'OPEN') continue;
        if (this.aggregate && drawn.has(this.rowOf.get(l.lane))) continue; // one per band
        drawn.add(this.rowOf.get(l.lane));
        const y = this.laneMidY(l.lane);
        ctx.beginPath();
        ctx.moveTo(b.cx, b.cy);
        const half = this.g.routeW / 2;
        ctx.bezierCurveTo(b.cx + half, b.cy, this.g.gateX - half, y, this.g.gateX - 6, y);
        ctx.stroke();
      }
    }
  }

  /** Two bars per lane: records/s against 1,000 and bytes/s against 1 MiB. */
  drawGauge(l, d) {
    const { ctx, g, layout: lay } = this;
    const i = l.lane;
    const recs = d.shards.get(i, 'incoming_records');
    const bytes = d.shards.get(i, 'incoming_bytes');
    const throttled = d.shards.get(i, 'write_throttled');
    const recLimit = lay.limits.write_records_per_second;
    const byteLimit = lay.limits.write_bytes_per_second;
    const sy = this.stripY(i);
    if (l.state !== 'OPEN') {
      ctx.font = `600 ${g.small}px ${FONT}`;
      ctx.fillStyle = this.ui.muted;
      ctx.textAlign = 'left';
      ctx.fillText(
        g.compact ? t('belt.gate.closed.compact') : t('belt.gate.closed'),
        g.gateX,
        sy + g.stripH / 2,
      );
      return;
    }
    const labelW = g.compact ? 22 : 40;
    const barX = g.gateX + labelW;
    const barW = g.gateW - labelW;
    const barH = (g.stripH - 6) / 2;
    const rows = [
      {
        label: g.compact ? t('belt.gate.records.compact') : t('belt.gate.records'),
        frac: recs / recLimit,
        text: g.compact
          ? formatPercent(recs / recLimit)
          : t('belt.gate.of', { n: formatCount(recs), max: formatCount(recLimit) }),
      },
      {
        label: g.compact ? t('belt.gate.bytes.compact') : t('belt.gate.bytes'),
        frac: bytes / byteLimit,
        text: g.compact
          ? formatPercent(bytes / byteLimit)
          : t('belt.gate.of', { n: formatMiB(bytes), max: formatMiB(byteLimit, 0) }),
      },
    ];
    rows.forEach((r, k) => {
      const y = sy + 2 + k * (barH + 2);
      const atLimit = r.frac >= 0.995 || (throttled > 0 && r.frac >= 0.9);
      ctx.font = `${g.small}px ${FONT}`;
      ctx.fillStyle = this.ui.muted;
      ctx.textAlign = 'left';
      ctx.fillText(r.label, g.gateX, y + barH / 2);
      ctx.fillStyle = this.ui.gaugeBack;
      ctx.fillRect(barX, y, barW, barH);
      const fw = Math.min(1, Math.max(0, r.frac)) * barW;
      if (atLimit) {
        hatch(ctx, barX, y, fw, barH, this.ui.gaugeWarn, this.ui.hatchBack);
      } else {
        ctx.fillStyle = r.frac >= 0.8 ? this.ui.gaugeHigh : this.ui.gaugeOk;
        ctx.fillRect(barX, y, fw, barH);
      }
      ctx.strokeStyle = atLimit ? this.ui.gaugeWarn : this.ui.beltEdge;
      ctx.lineWidth = atLimit ? 2 : 1;
      ctx.strokeRect(barX + 0.5, y + 0.5, barW - 1, barH - 1);
      // value text on a white chip, readable over any fill
      const label = atLimit ? (g.compact ? t('belt.gate.max') : t('belt.gate.limit')) : r.text;
      ctx.font = `600 ${g.small - 1}px ${FONT}`;
      const tw = ctx.measureText(label).width;
      ctx.fillStyle = this.ui.chip;
      ctx.fillRect(barX + barW - tw - 5, y + 1, tw + 4, barH - 2);
      ctx.fillStyle = atLimit ? this.ui.warnInk : this.ui.ink;
      ctx.textAlign = 'right';
      ctx.fillText(label, barX + barW - 3, y + barH / 2 + 0.5);
      ctx.textAlign = 'left';
    });
    // the gate itself: a bar across the lane entrance, hatched while throttling
    const gx = g.gateX - (g.compact ? 3 : 5);
    if (throttled > 0) {
      hatch(ctx, gx - 2, sy - 2, 4, g.stripH + 4, this.ui.throttle, this.ui.hatchBack);
    } else {
      ctx.fillStyle = this.ui.gate;
      ctx.fillRect(gx - 1, sy, 2, g.stripH);
    }
  }

  drawProducers() {
    const { ctx, g } = this;
    for (const b of this.producerBoxes) {
      if (!b) continue;
      const p = b.p;
      ctx.fillStyle = this.ui.white;
      roundRect(ctx, b.x, b.y, b.w, b.h, 6);
      ctx.fill();
      ctx.strokeStyle = this.producerColour(p);
      ctx.lineWidth = 2;
      if (p.paused) ctx.setLineDash([4, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = this.producerColour(p);
      ctx.fillRect(b.x + 1, b.y + 4, 5, b.h - 8);
      ctx.fillStyle = this.ui.ink;
      ctx.font = `600 ${g.font}px ${FONT}`;
      ctx.textAlign = 'left';
      const name = fitText(ctx, p.name, b.w - 14);
      const twoLines = b.h >= 30;
      ctx.fillText(name, b.x + 10, twoLines ? b.cy - g.font * 0.6 : b.cy);
      if (twoLines) {
        ctx.font = `${g.small}px ${FONT}`;
        ctx.fillStyle = this.ui.muted;
        const rate = p.paused
          ? t('belt.producer.paused')
          : t('belt.producer.rate', { n: formatCount(p.records_per_second) });
        ctx.fillText(fitText(ctx, rate, b.w - 14), b.x + 10, b.cy + g.font * 0.65);
      }
    }
  }

  /**
   * One column per consumer of a stream, at the end of the belt: its name and kind (with the
   * mean delivery delay) on top, and on each lane a lag gauge (its iterator age there, on a log
   * scale; striped from 10 s, so not by colour alone) with the age in words.
   */
  drawConsumers(d) {
    const { ctx, g, layout: lay } = this;
    const report = new Map(this.consumers.map((c) => [c.name, c]));
    for (const [streamName, cons] of this.plan) {
      const lanes = lay.lanes.filter((l) => l.stream === streamName && this.rowOf.has(l.lane));
      if (!lanes.length) continue;
      const first = lanes[0].lane;
      const y0 = this.stripY(first) - 2;
      const y1 = this.stripY(lanes[lanes.length - 1].lane) + g.stripH + 2;
      const cw = g.consW / cons.length;
      // names above the first lane of the stream (the top band for the first stream)
      const headY =
        first === lay.lanes.find((l) => this.rowOf.has(l.lane))?.lane
          ? g.top - g.small * 2 - 4
          : this.laneTop(first) + 2;
      cons.forEach((c, k) => {
        const x = g.consX + k * cw;
        const w = cw - (cons.length > 1 ? 4 : 0);
        const reps = c.members.map((m) => report.get(m.name)).filter(Boolean);
        const rep = reps.length === 1 ? reps[0] : null;
        const names = new Set(c.members.map((m) => m.name));
        ctx.fillStyle = this.ui.consumer;
        roundRect(ctx, x, y0, w, y1 - y0, 6);
        ctx.fill();
        ctx.strokeStyle = this.ui.ink;
        ctx.lineWidth = 1.5;
        ctx.stroke();
        // header: name, then kind and delay
        ctx.textAlign = 'center';
        ctx.fillStyle = this.ui.ink;
        ctx.font = `600 ${g.small}px ${FONT}`;
        ctx.fillText(fitText(ctx, c.label, w - 2), x + w / 2, headY + g.small * 0.5);
        ctx.font = `${g.small}px ${FONT}`;
        ctx.fillStyle = this.ui.muted;
        let kind = '';
        if (reps.length > 1) {
          const got = reps.filter((r) => r.records_read > 0);
          const mean = got.reduce((t, r) => t + r.mean_delay_ms, 0) / Math.max(1, got.length);
          kind = got.length ? t('belt.consumer.mean', { delay: formatDuration(mean) }) : '';
        } else if (rep) {
          kind = kindShort(rep.type) || rep.type;
          if (rep.type === 'lambda' && rep.lambda) {
            kind = g.compact
              ? kindShort('lambda')
              : t('belt.consumer.lambda', { fn: rep.lambda.function_name });
          }
          if (rep.records_read > 0 && !g.compact) {
            kind = t('belt.consumer.kindDelay', { kind, delay: formatDuration(rep.mean_delay_ms) });
          }
        }
        ctx.fillText(fitText(ctx, kind, w - 2), x + w / 2, headY + g.small * 1.6);
        // per lane: lag gauge and age (one for the whole band: the furthest behind of its lanes)
        const gauges = [];
        for (const l of lanes) {
          let age = 0;
          for (const m of c.members) {
            const r = d.consumer ? consumerRow(lay, m.idx, l.lane) : -1;
            const a = r >= 0 ? d.consumer.get(r, 'iterator_age_ms') : 0;
            age = Math.max(age, a || 0);
          }
          if (!this.aggregate) gauges.push({ sy: this.stripY(l.lane), age, many: false });
          else if (!gauges.length) gauges.push({ sy: this.stripY(l.lane), age, many: true });
          else gauges[0].age = Math.max(gauges[0].age, age);
        }
        for (const { sy, age, many } of gauges) {
          const bx = x + 4;
          const bw = w - 8;
          const bh = Math.max(5, Math.min(9, g.stripH * 0.28));
          const by = sy + 3;
          ctx.fillStyle = this.ui.gaugeBack;
          ctx.fillRect(bx, by, bw, bh);
          const fw = lagFraction(age) * bw;
          if (age >= 10_000) hatch(ctx, bx, by, fw, bh, this.ui.gaugeWarn, this.ui.hatchBack);
          else {
            ctx.fillStyle = age >= 2000 ? this.ui.gaugeHigh : this.ui.gaugeOk;
            ctx.fillRect(bx, by, fw, bh);
          }
          ctx.strokeStyle = this.ui.beltEdge;
          ctx.lineWidth = 1;
          ctx.strokeRect(bx + 0.5, by + 0.5, bw - 1, bh - 1);
          ctx.font = `${age >= 10_000 ? '600 ' : ''}${g.small}px ${FONT}`;
          ctx.fillStyle = age >= 10_000 ? this.ui.warnInk : this.ui.ink;
          ctx.textAlign = 'center';
          const upTo = (c.members.length > 1 || many) && age > 0 ? '≤ ' : '';
          let label = g.compact
            ? upTo + formatShortAge(age)
            : t('belt.consumer.behind', { upTo, age: formatDuration(age) });
          if (ctx.measureText(label).width > w - 4) label = `${upTo}${formatDuration(age)}`;
          ctx.fillText(
            fitText(ctx, label, w - 2),
            x + w / 2,
            by + bh + (g.stripH - bh - 3) / 2 + 1,
          );
        }
        // under the box: duplicates and per-key order violations, when there are any
        const dups = reps.reduce((t, r) => t + (r.duplicates || 0), 0);
        const disorder = reps.reduce((t, r) => t + (r.order_violations || 0), 0);
        const warn = [];
        if (dups > 0)
          warn.push(
            g.compact
              ? t('belt.consumer.dups.compact', { n: formatShortCount(dups) })
              : t('belt.consumer.dups', { n: formatCount(dups) }),
          );
        const failedCalls = reps.reduce((t, r) => t + (r.lambda ? r.lambda.errors : 0), 0);
        if (failedCalls > 0)
          warn.push(
            g.compact
              ? t('belt.consumer.failed.compact', { n: formatShortCount(failedCalls) })
              : t('belt.consumer.failed', { n: formatCount(failedCalls) }),
          );
        if (disorder > 0)
          warn.push(
            g.compact
              ? t('belt.consumer.disorder.compact', { n: formatShortCount(disorder) })
              : t('belt.consumer.disorder', { n: formatCount(disorder) }),
          );
        if (warn.length) {
          ctx.font = `600 ${g.small}px ${FONT}`;
          ctx.fillStyle = this.ui.warnInk;
          ctx.textAlign = 'center';
          warn.forEach((t, k) =>
            ctx.fillText(
              fitText(ctx, g.compact ? `⚠${t}` : `⚠ ${t}`, w + 6),
              x + w / 2,
              y1 + g.small * (0.8 + k * 1.1),
            ),
          );
        }
        // Lambda: batches leave the box as small packets (a failed one marked ✕): drawn each
        // frame over the cached layer, in the columns this pass notes
        if (c.type === 'lambda' && !this.reducedMotion) this.packetCols.push({ names, x, w });
      });
    }
    ctx.textAlign = 'left';
  }

  /** Lambda batches leaving their consumer's column, over the cached layer. */
  drawPackets() {
    const { ctx, g } = this;
    const realNow = performance.now();
    for (const { names, x, w } of this.packetCols) {
      for (const pk of this.packets) {
        if (!names.has(pk.consumer) || !this.rowOf.has(pk.lane)) continue;
        const p = (realNow - pk.t0) / 700;
        if (p < 0 || p > 1) continue;
        const s = Math.max(5, g.tile - 2);
        const px = x + 2 + p * (w - s - 4);
        const py = this.stripY(pk.lane) - s - 3; // in the lane's header row, above the gauge
        ctx.globalAlpha = 1 - p * 0.6;
        ctx.fillStyle = pk.failed ? this.ui.throttle : this.ui.retryOk;
        ctx.fillRect(px, py, s, s);
        ctx.strokeStyle = this.ui.ink;
        ctx.lineWidth = 1;
        ctx.strokeRect(px + 0.5, py + 0.5, s - 1, s - 1);
        ctx.globalAlpha = 1;
        if (pk.failed) mark(ctx, '✕', px + s + 1, py + s / 2, this.ui.throttle, g.small);
      }
    }
    this.packets = this.packets.filter((pk) => realNow - pk.t0 <= 700);
  }

  /** Record tiles: riding while unread and on the belt, piling up at the end while unread. */
  drawTiles(d) {
    const { ctx, g } = this;
    const rec = d.records;
    const n = rec.count;
    // field by name: rec.data[k * W + F.arrival_ms] is record k's arrival
    const { data: D, width: W, f: F } = rec;
    const T = d.travelMs;
    const s = g.tile;
    const rows = 2;
    const rowGap = (g.stripH - rows * s) / (rows + 1);
    // per lane: the unread records that already reached the end (the pile), oldest first
    const piles = new Map();
    const moving = new Map(); // unread records still riding, per lane
    const spread = spreadWithinTicks(rec, d.tickMs || 100);
    this.batch = new Map(); // tiles by look, drawn together: one path per colour and shape
    const chips = [];
    for (let k = 0; k < n; k++) {
      const o = k * W;
      const lane = D[o + F.lane];
      if (!this.rowOf.has(lane)) continue;
      const idx = D[o + F.index];
      const arrival = D[o + F.arrival_ms];
      const readAt = D[o + F.read_at_ms];
      const colour = D[o + F.key_colour];
      const age = d.nowMs - arrival + spread[k];
      if (age < 0) continue;
      const read = readAt >= 0 && readAt <= d.nowMs;
      const sy = this.stripY(lane);
      const row = idx % rows;
      const y = sy + rowGap + row * (s + rowGap);
      if (age < T) {
        const x = g.beltX + 2 + (age / T) * (g.beltLen - s - 4);
        this.drawTile(x, y, s, colour, 1, lane, idx);
        if (!read) moving.set(lane, (moving.get(lane) || 0) + 1);
      } else if (!read) {
        if (!piles.has(lane)) piles.set(lane, []);
        piles.get(lane).push(k);
      } else {
        // taken off by the consumer: a short fade at the end of the belt
        const since = d.nowMs - Math.max(readAt, arrival + T);
        const fade = T * 0.12;
        if (since < fade) {
          const x = g.beltEnd - s - 2 + (since / fade) * (s + 6);
          this.drawTile(x, y, s, colour, 1 - since / fade, lane, idx);
        }
      }
    }
    // piles: unread records waiting at the consumer end, the oldest nearest the consumer
    for (const l of this.layout.lanes) {
      if (!this.rowOf.has(l.lane)) continue;
      const unread = d.shards.get(l.lane, 'unread_records') || 0;
      const list = piles.get(l.lane) || [];
      const pileCount = Math.max(list.length, unread - (moving.get(l.lane) || 0));
      if (pileCount <= 0) continue;
      const sy = this.stripY(l.lane);
      const maxW = g.beltLen * 0.4;
      const pileW = Math.min(maxW, s + 4 + Math.sqrt(pileCount) * s * 0.9);
      const px = g.beltEnd - pileW;
      ctx.fillStyle = this.ui.pile;
      ctx.fillRect(px, sy + 1, pileW, g.stripH - 2);
      const cols = Math.max(1, Math.floor((pileW - 2) / (s * 0.55)));
      const shown = Math.min(list.length, cols * rows);
      for (let j = 0; j < shown; j++) {
        const o = list[j] * W;
        const col = Math.floor(j / rows);
        const row = j % rows;
        const x = g.beltEnd - s - 2 - col * ((pileW - s - 4) / Math.max(1, cols - 1));
        const y = sy + rowGap + row * (s + rowGap);
        this.drawTile(x, y, s, D[o + F.key_colour], 1, l.lane, D[o + F.index]);
      }
      chips.push({ sy, pileW, pileCount });
    }
    this.flushTiles();
    // the count of waiting records, on a chip over each pile
    ctx.font = `600 ${g.small}px ${FONT}`;
    for (const { sy, pileW, pileCount } of chips) {
      const label = t('belt.lane.waiting', { n: formatCount(pileCount) });
      const tw = ctx.measureText(label).width;
      if (pileW > tw + 8 || !g.compact) {
        const cx = Math.max(
          g.beltX + 2,
          Math.min(g.beltEnd - tw - 8, g.beltEnd - pileW / 2 - tw / 2 - 3),
        );
        ctx.fillStyle = this.ui.chip;
        ctx.fillRect(cx, sy + g.stripH / 2 - g.small * 0.7, tw + 6, g.small * 1.4);
        ctx.fillStyle = this.ui.ink;
        ctx.textAlign = 'left';
        ctx.fillText(label, cx + 3, sy + g.stripH / 2);
      }
    }
  }

  /**
   * The aggregate view: per lane, a bar per bin of arrival time (as tall as the records that
   * arrived in it, against the most a shard takes in that time), the part not read yet drawn in
   * a second colour from the bottom; records waiting past the end are counted on a chip. Two
   * paths in all (read, unread), whatever the rate.
   */
  drawBins(d) {
    const { ctx, g } = this;
    const B = d.bins;
    const nb = d.binCount;
    const binMs = d.binMs;
    const T = d.travelMs;
    const lanes = this.layout.lanes;
    const full = Math.max(1, (this.layout.limits.write_records_per_second * binMs) / 1000);
    const inner = g.stripH - 4;
    const x0 = g.beltX + 2;
    const usable = g.beltLen - 4;
    const xOf = (age) => x0 + (Math.min(T, Math.max(0, age)) / T) * usable;
    const chips = [];
    for (let pass = 0; pass < 2; pass++) {
      ctx.beginPath();
      for (const l of lanes) {
        if (!this.rowOf.has(l.lane)) continue;
        const base = this.stripY(l.lane) + 2 + inner;
        const off = l.lane * nb * 2;
        let onBelt = 0;
        for (let b = 0; b < nb; b++) {
          const n = B[off + b * 2 + pass];
          if (n === 0) continue;
          const t0 = d.binsStart + b * binMs;
          const ageOld = d.nowMs - t0;
          const ageNew = ageOld - binMs;
          if (ageNew >= T) continue;
          if (pass === 0) onBelt += n;
          const xa = xOf(ageNew);
          const xb = xOf(ageOld);
          const h = Math.max(1, Math.min(1, n / full) * inner);
          ctx.rect(xa, base - h, Math.max(1, xb - xa - 0.5), h);
          if (pass === 1) onBelt += n;
        }
        if (pass === 0) this.onBelt[l.lane] = onBelt;
        if (pass === 1) {
          const unread = d.shards.get(l.lane, 'unread_records') || 0;
          const waiting = unread - onBelt;
          if (waiting > 0) chips.push({ sy: this.stripY(l.lane), waiting });
        }
      }
      ctx.fillStyle = pass === 0 ? this.ui.heatRead : this.ui.heatUnread;
      ctx.fill();
    }
    // the selected record (picked near a moment): a ring where it is on its lane
    const sel = this.selected;
    if (sel && sel.arrivalMs !== undefined && this.rowOf.has(sel.lane)) {
      const age = d.nowMs - sel.arrivalMs;
      if (age >= 0 && age < T) {
        const s = g.tile;
        const x = xOf(age) - s / 2;
        const y = this.stripY(sel.lane) + (g.stripH - s) / 2;
        this.ringSelected(x, y, s);
        this.picked = { lane: sel.lane, recordIndex: sel.recordIndex, x: x + s / 2, y: y + s / 2 };
      }
    }
    ctx.font = `600 ${g.small}px ${FONT}`;
    ctx.textAlign = 'left';
    for (const { sy, waiting } of chips) {
      const label = t('belt.lane.waiting', { n: formatCount(waiting) });
      const tw = ctx.measureText(label).width;
      const cx = g.beltEnd - tw - 8;
      ctx.fillStyle = this.ui.chip;
      ctx.fillRect(cx, sy + g.stripH / 2 - g.small * 0.7, tw + 6, g.small * 1.4);
      ctx.fillStyle = this.ui.ink;
      ctx.fillText(label, cx + 3, sy + g.stripH / 2);
    }
  }

  /**
   * The aggregate view: the lane and the simulated moment under a canvas point (CSS px), or
   * null off the lanes' strips.
   */
  momentAt(cssX, cssY) {
    const { g, data: d } = this;
    if (!g || !d || !d.bins || !this.layout) return null;
    if (cssX < g.beltX || cssX > g.beltEnd) return null;
    for (const l of this.layout.lanes) {
      if (!this.rowOf.has(l.lane)) continue;
      const sy = this.stripY(l.lane);
      if (cssY < sy - 2 || cssY > sy + g.stripH + 2) continue;
      const f = Math.min(1, Math.max(0, (cssX - g.beltX - 2) / (g.beltLen - 4)));
      return { lane: l.lane, tMs: Math.max(0, d.nowMs - f * d.travelMs) };
    }
    return null;
  }

  /** Draw the batched tiles, remember where (for hit-testing), then ring the selected one. */
  flushTiles() {
    const { ctx } = this;
    const batch = this.batch;
    this.batch = null;
    if (!batch) return;
    let selected = null;
    const sel = this.selected;
    ctx.strokeStyle = this.ui.tileEdge;
    ctx.lineWidth = 1;
    for (const [look, tiles] of batch) {
      const [colour, shape] = look.split('|');
      ctx.beginPath();
      for (const t of tiles) {
        shapePath(ctx, shape, t.x, t.y, t.s, false);
        this.hits.push(t);
        if (sel && sel.lane === t.lane && sel.recordIndex === t.recordIndex) selected = t;
      }
      ctx.fillStyle = colour;
      ctx.fill();
      ctx.stroke();
    }
    if (selected) this.ringSelected(selected.x, selected.y, selected.s);
  }

  ringSelected(x, y, s) {
    const { ctx } = this;
    ctx.strokeStyle = this.ui.selection;
    ctx.lineWidth = 2.5;
    ctx.strokeRect(x - 3.5, y - 3.5, s + 7, s + 7);
    ctx.strokeStyle = this.ui.selectionHalo;
    ctx.lineWidth = 1;
    ctx.strokeRect(x - 5.5, y - 5.5, s + 11, s + 11);
  }

  drawTile(x, y, s, keyColour, alpha, lane, recordIndex) {
    const { ctx } = this;
    const st = keyStyle(keyColour);
    const fill = this.colours.okabeIto[st.index];
    if (this.batch && alpha >= 1 && lane !== undefined) {
      const look = `${fill}|${st.shape}`;
      if (!this.batch.has(look)) this.batch.set(look, []);
      this.batch.get(look).push({ x, y, s, lane, recordIndex });
      return;
    }
    ctx.globalAlpha = alpha;
    shapePath(ctx, st.shape, x, y, s);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.strokeStyle = this.ui.tileEdge;
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.globalAlpha = 1;
    if (lane !== undefined && alpha > 0.5) {
      this.hits.push({ x, y, s, lane, recordIndex });
      const sel = this.selected;
      if (sel && sel.lane === lane && sel.recordIndex === recordIndex) this.ringSelected(x, y, s);
    }
  }

  /** Throttled records bounce back to their producer; dropped ones fall off; retries get in. */
  drawSprites(d) {
    const { ctx, g } = this;
    const now = d.nowMs;
    const s = g.tile;
    const alive = [];
    for (const sp of this.sprites) {
      const p = (now - sp.t0) / sp.life;
      if (p < 0 || p > 1) continue;
      alive.push(sp);
      const box = this.producerBoxes[sp.producer];
      if (!box || !this.layout.lanes[sp.lane] || !this.rowOf.has(sp.lane)) continue;
      const sx = box.cx;
      const sy = box.cy - s / 2;
      const gx = g.gateX - s - (g.compact ? 5 : 8);
      const gy = this.laneMidY(sp.lane) - s / 2;
      let x;
      let y;
      let alpha = 1;
      if (sp.kind === EVENT_THROTTLED) {
        const q = p < 0.5 ? p * 2 : (1 - p) * 2; // out and back
        x = sx + (gx - sx) * q;
        y = sy + (gy - sy) * q;
        this.drawTile(x, y, s, sp.keyColour, 1);
        ctx.strokeStyle = this.ui.throttle;
        ctx.lineWidth = 2;
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(x - 2, y - 2, s + 4, s + 4);
        ctx.setLineDash([]);
        if (p > 0.4 && p < 0.75) mark(ctx, '↩', gx - 2, gy - 4, this.ui.throttle, g.small + 2);
      } else if (sp.kind === EVENT_DROPPED) {
        if (p < 0.4) {
          const q = p / 0.4;
          x = sx + (gx - sx) * q;
          y = sy + (gy - sy) * q;
        } else {
          const q = (p - 0.4) / 0.6;
          x = gx + q * 6;
          y = gy + q * q * (g.laneH * 0.9);
          alpha = 1 - q * 0.8;
        }
        this.drawTile(x, y, s, sp.keyColour, alpha);
        if (p >= 0.4) mark(ctx, '✕', x + s + 2, y + s / 2, this.ui.throttle, g.small + 1);
      } else if (sp.kind === EVENT_RETRY_OK) {
        const q = Math.min(1, p / 0.7);
        x = sx + (gx - sx) * q;
        y = sy + (gy - sy) * q;
        this.drawTile(x, y, s, sp.keyColour, p < 0.7 ? 1 : 1 - (p - 0.7) / 0.3);
        ctx.strokeStyle = this.ui.retryOk;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(x + s / 2, y + s / 2, s * 0.85, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    this.sprites = alive;
  }

  /** Canvas-relative CSS pixel → the record tile under it, or null. Topmost tile wins. */
  hitTest(cssX, cssY) {
    if (this.data && this.data.bins) return this.momentAt(cssX, cssY);
    const slop = 3;
    for (let k = this.hits.length - 1; k >= 0; k--) {
      const h = this.hits[k];
      if (
        cssX >= h.x - slop &&
        cssX <= h.x + h.s + slop &&
        cssY >= h.y - slop &&
        cssY <= h.y + h.s + slop
      ) {
        return { lane: h.lane, recordIndex: h.recordIndex };
      }
    }
    return null;
  }

  /** Where a given record was drawn last (centre, CSS px), or null: used by tests and focus. */
  tilePosition(lane, recordIndex) {
    const p = this.data && this.data.bins ? this.picked : null;
    if (p && p.lane === lane && p.recordIndex === recordIndex) return { x: p.x, y: p.y };
    for (let k = this.hits.length - 1; k >= 0; k--) {
      const h = this.hits[k];
      if (h.lane === lane && h.recordIndex === recordIndex)
        return { x: h.x + h.s / 2, y: h.y + h.s / 2 };
    }
    return null;
  }
}

// ---- drawing helpers -------------------------------------------------------------------------

let spreadBuffer = new Float32Array(256);

/**
 * Records that arrived in the same tick share one arrival time; on the belt they are spread
 * over that tick in arrival order (the first one furthest along), so they do not sit on top of
 * each other. Returns extra age in ms per record (0 … tickMs).
 */
export function spreadWithinTicks(rec, tickMs) {
  const n = rec.count;
  // one buffer, grown when needed, instead of a new array every frame
  if (spreadBuffer.length < n)
    spreadBuffer = new Float32Array(Math.max(n, spreadBuffer.length * 2));
  const extra = spreadBuffer;
  extra.fill(0, 0, n);
  const { data: D, width: W } = rec;
  const L = rec.f.lane;
  const A = rec.f.arrival_ms;
  let start = 0;
  for (let k = 1; k <= n; k++) {
    const same = k < n && D[k * W + L] === D[start * W + L] && D[k * W + A] === D[start * W + A];
    if (same) continue;
    const len = k - start;
    if (len > 1) for (let j = 0; j < len; j++) extra[start + j] = (tickMs * (len - j - 0.5)) / len;
    start = k;
  }
  return extra;
}

/** Producer boxes are spread over at most this many lanes of their stream, from the top. */
const PRODUCER_SPAN_LANES = 4;

/** The consumer kinds with a short name on the belt (`belt.kind.<type>`). */
const KIND_SHORT = new Set(['polling', 'enhanced_fan_out', 'kcl', 'lambda']);

/** A consumer kind's short name, '' for a kind without one. */
function kindShort(type) {
  return KIND_SHORT.has(type) ? t(`belt.kind.${type}`) : '';
}

function compactOr(g, small, big) {
  return g.compact ? small : big;
}

function shortShard(id) {
  const m = /(\d+)$/.exec(String(id));
  return m ? String(Number(m[1])) : String(id);
}

function fitText(ctx, text, maxW) {
  if (ctx.measureText(text).width <= maxW) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > maxW) t = t.slice(0, -1);
  return `${t}…`;
}

function roundRect(ctx, x, y, w, h, r) {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.lineTo(x + w - r, y);
  ctx.quadraticCurveTo(x + w, y, x + w, y + r);
  ctx.lineTo(x + w, y + h - r);
  ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
  ctx.lineTo(x + r, y + h);
  ctx.quadraticCurveTo(x, y + h, x, y + h - r);
  ctx.lineTo(x, y + r);
  ctx.quadraticCurveTo(x, y, x + r, y);
  ctx.closePath();
}

/** Diagonal warning stripes: the "at limit" pattern that does not rely on colour. */
function hatch(ctx, x, y, w, h, colour, back) {
  if (w <= 0 || h <= 0) return;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.fillStyle = back;
  ctx.fillRect(x, y, w, h);
  ctx.strokeStyle = colour;
  ctx.lineWidth = 3;
  for (let k = -h; k < w + h; k += 7) {
    ctx.beginPath();
    ctx.moveTo(x + k, y + h);
    ctx.lineTo(x + k + h, y);
    ctx.stroke();
  }
  ctx.restore();
}

function shapePath(ctx, shape, x, y, s, fresh = true) {
  if (fresh) ctx.beginPath();
  if (shape === 'circle') {
    ctx.moveTo(x + s, y + s / 2);
    ctx.arc(x + s / 2, y + s / 2, s / 2, 0, Math.PI * 2);
  } else if (shape === 'triangle') {
    ctx.moveTo(x + s / 2, y - 0.5);
    ctx.lineTo(x + s + 0.5, y + s);
    ctx.lineTo(x - 0.5, y + s);
    ctx.closePath();
  } else if (shape === 'diamond') {
    ctx.moveTo(x + s / 2, y - 1);
    ctx.lineTo(x + s + 1, y + s / 2);
    ctx.lineTo(x + s / 2, y + s + 1);
    ctx.lineTo(x - 1, y + s / 2);
    ctx.closePath();
  } else {
    ctx.rect(x, y, s, s);
  }
}

function mark(ctx, glyph, x, y, colour, size) {
  ctx.font = `700 ${size}px ${FONT}`;
  ctx.fillStyle = colour;
  ctx.textAlign = 'left';
  ctx.fillText(glyph, x, y);
}
