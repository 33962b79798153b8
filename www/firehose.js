// The Firehose part of the page: per delivery stream, the hose into its buffer (a tank with two
// bars: size toward the buffering size, time toward the buffering interval, both as the delivery
// rule measures them), the S3 bucket (objects by hour prefix, error objects apart, duplicates
// marked; choose one to read it), the controls (buffering, compression, S3 outage, timeouts, the
// transform Lambda's rates, a Redshift outage), the batch-against-streaming delays (in words and
// on one chart) and a query over the lake (of the numeric fields its records have).
//
// It draws what main.js hands it: each delivery stream's layout (its configuration now), its row
// of the frame, its counts, the objects and metrics the page has read, and the consumers' report.
// It holds no simulation and runs no clock: the main loop calls `animate` for the hose's dots.
// Built once per set of delivery streams, then updated by text and attributes only.

import { el, replaceChildren, setText, idPart } from './controls.js';
import {
  formatBytes,
  formatCents,
  formatCount,
  cssPercent,
  formatDuration,
  formatPercent,
  formatRange,
  formatSimTime,
  errorMessages,
} from './format.js';
import { appWords } from './consumers.js';
import { t, plural } from './text.js';
import { readColours } from './palette.js';

const COMPRESSIONS = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'];
const MIB = 1024 * 1024;

/** Why an object was written, in words (`firehose.trigger.<trigger>`). */
const TRIGGERS = new Set(['size', 'interval', 'processing-failed']);

function triggerWords(trigger) {
  return TRIGGERS.has(trigger) ? t(`firehose.trigger.${trigger}`) : trigger;
}

/** How the lake's numeric fields read in an answer, by the unit the core keeps their sums in. */
const UNIT_FORMAT = {
  cents: (v) => formatCents(v),
  points: (v) => t('unit.points', { n: formatCount(v) }),
  tenths_of_a_degree: (v) => t('unit.celsius', { n: (Number(v) / 10).toFixed(1) }),
};

/** A lake field's name in words ("amount" → "amounts"), for the answer and the choice. */
const FIELD_SUMS = { amount: true, score: true, temperature_c: false };

function fieldWords(field) {
  if (!(field in FIELD_SUMS)) return { one: field, many: field, sums: true };
  return {
    one: t(`lake.field.${field}.one`),
    many: t(`lake.field.${field}.many`),
    sums: FIELD_SUMS[field],
  };
}

/** One field of a lake answer (`{ field, unit, records, sum, mean }`) in words. */
export function lakeFieldText(a) {
  const w = fieldWords(a.field);
  const fmt = UNIT_FORMAT[a.unit] || ((v) => t('unit.other', { n: formatCount(v), unit: a.unit }));
  return w.sums
    ? t('lake.field.sum', { fields: w.many, sum: fmt(a.sum), mean: fmt(a.mean) })
    : t('lake.field.mean', {
        fields: w.many,
        mean: fmt(a.mean),
        records: plural('count.records', a.records),
      });
}

/** "payments/2026/11/25/20/lake-1-…" → "2026/11/25/20/" (the hour prefix), or "". */
export function hourPrefix(key) {
  const m = /(\d{4}\/\d\d\/\d\d\/\d\d)\//.exec(String(key));
  return m ? `${m[1]}/` : '';
}

/**
 * A checkbox "… is down (outage)": checking it sends `type` (`set_s3_available` or
 * `set_redshift_available`) with available false, unchecking with true; a refused change is
 * undone. `after(errors)` runs either way.
 */
function outageBox(id, type, name, send, after) {
  const box = el('input', { type: 'checkbox', id });
  box.addEventListener('change', () => {
    const errors = send({ type, delivery_stream_name: name, available: !box.checked });
    if (errors.length) box.checked = !box.checked;
    after(errors);
  });
  return box;
}

function everyWords(ms) {
  if (ms === 3_600_000) return t('batch.every.hour');
  if (ms === 86_400_000) return t('batch.every.day');
  return t('batch.every', { duration: formatDuration(ms) });
}

function minutesToMs(v) {
  const n = Number(v);
  return Number.isFinite(n) ? Math.max(0, Math.round(n * 60_000)) : 0;
}

/** The fields of `f.lake_fields` that records in the lake have (bit k of `bits` set). */
export function lakeFieldsPresent(fields, bits) {
  return fields.filter((_, k) => (Number(bits) & (1 << k)) !== 0);
}
// ---- the batch-against-streaming chart: delay on a log scale, seconds to hours ----------------

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, built with DOM APIs (no markup strings). */
function svgEl(tag, attrs = {}, children = []) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) e.append(c);
  return e;
}

// The drawing is laid out in CSS pixels at the width it gets (its viewBox follows the width), so
// its words stay 12 px on a phone as on a desktop; the plot runs from `left` to width − `margin`
// (room for the value after the longest bar).
const CHART = { w: 640, maxW: 736, h: 150, left: 56, margin: 95, floorMs: 10, labelGap: 48 };
// each tick's label: [ms, key of its unit, the number]
const CHART_TICKS = [
  [10, 'unit.milliseconds', 10],
  [100, 'unit.milliseconds', 100],
  [1000, 'unit.seconds', 1],
  [10_000, 'unit.seconds', 10],
  [60_000, 'unit.minutes', 1],
  [600_000, 'unit.minutes', 10],
  [3_600_000, 'unit.hours', 1],
  [36_000_000, 'unit.hours', 10],
  [86_400_000, 'unit.days.one', 1],
];

/** x of a delay on a chart `width` wide, log scale from `CHART.floorMs` to `topMs`. */
export function chartX(ms, topMs, width = CHART.w) {
  const right = width - CHART.margin;
  const lo = Math.log10(CHART.floorMs);
  const hi = Math.log10(Math.max(topMs, CHART.floorMs * 10));
  const v = Math.log10(Math.min(Math.max(Number(ms) || 0, CHART.floorMs), topMs));
  return CHART.left + ((v - lo) / (hi - lo)) * (right - CHART.left);
}

/** The top of the scale: 1 h, or 10 h, or a day, whichever first holds the worst delay. */
function chartTop(worstMs) {
  if (worstMs <= 3_600_000) return 3_600_000;
  if (worstMs <= 36_000_000) return 36_000_000;
  return 86_400_000;
}

export class FirehosePanel {
  /**
   * `card` = the section (hidden when there is no delivery stream); `send(cmd)` → errors;
   * `ask(index, fromMs, toMs)` → the lake's answer; `limits` = the core's ranges of the inputs
   * (`size`, `interval`, `error`, `dropped`, `failed`, `timeout`).
   */
  constructor(card, container, { send, ask, limits }) {
    this.card = card;
    this.box = container;
    this.send = send;
    this.ask = ask;
    this.limits = limits;
    this.key = null;
    this.views = [];
    this.reducedMotion = false;
    this.colours = null;
  }

  reset() {
    this.key = null;
  }

  setReducedMotion(on) {
    this.reducedMotion = on;
    if (on) for (const v of this.views) this.drawPour(v, 0, 1);
  }

  /**
   * One frame of the hose (from the main loop): each dot's place is simulated time over a
   * travel time, so the dots stand still when the run is paused and go with the run's speed,
   * never with the wall clock. Nothing moves under reduced motion.
   */
  animate(nowMs, travelMs) {
    if (this.reducedMotion || this.card.hidden) return;
    for (const v of this.views) this.drawPour(v, nowMs, travelMs);
  }

  drawPour(v, nowMs, travelMs) {
    const cv = v.pour;
    const w = Math.max(1, Math.round(cv.clientWidth * (window.devicePixelRatio || 1)));
    const h = Math.max(1, Math.round(cv.clientHeight * (window.devicePixelRatio || 1)));
    if (cv.width !== w || cv.height !== h) {
      cv.width = w;
      cv.height = h;
    }
    const ctx = cv.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    const n = v.dots;
    if (!n) return;
    const r = Math.max(2, h * 0.22);
    const phase = (nowMs % travelMs) / travelMs;
    ctx.fillStyle = this.colours.okabeIto[4];
    for (let i = 0; i < n; i++) {
      const f = (phase + i / n) % 1;
      // a little up and down, by the dot's number, so the stream looks poured, not ruled
      const y = h / 2 + Math.sin(i * 2.4) * (h / 2 - r - 1) * 0.6;
      ctx.beginPath();
      ctx.arc(r + f * (w - 2 * r), y, r, 0, Math.PI * 2);
      ctx.fill();
    }
  }

  /** Rates the transform has now: the inputs and the words follow. */
  tfShow(v, rates) {
    for (const k of Object.keys(v.tf.good)) {
      if (Number.isFinite(rates[k])) v.tf.good[k] = rates[k];
      if (document.activeElement !== v.tf.inputs[k]) v.tf.inputs[k].value = String(v.tf.good[k]);
    }
    const g = v.tf.good;
    setText(
      v.tf.now,
      t('firehose.transform.now', {
        errors: formatPercent(g.error_rate),
        dropped: formatPercent(g.dropped_rate),
        failed: formatPercent(g.processing_failed_rate),
      }),
    );
  }

  /**
   * The delivery streams as the run has them now (`layout().firehoses`): built when the set
   * changes; otherwise the controls follow the configuration (a change applied from here, a
   * link or the scenario's schedule). Called when the layout changed and no command the page
   * sent is waiting to be applied, so nothing the student just did is undone.
   */
  setLayout(firehoses) {
    const key = firehoses.map((f) => f.name).join('|');
    this.card.hidden = firehoses.length === 0;
    if (key !== this.key) {
      this.key = key;
      this.colours ??= readColours();
      this.views = firehoses.map((f, i) => this.buildOne(f, i));
      replaceChildren(
        this.box,
        this.views.map((v) => v.node),
      );
    }
    firehoses.forEach((f, i) => this.syncControls(this.views[i], f));
  }

  syncControls(v, f) {
    if (!v) return;
    v.f = f;
    const keep = (input, value) => {
      if (document.activeElement !== input) input.value = String(value);
    };
    keep(v.size, f.buffering_size_bytes / MIB);
    keep(v.interval, f.buffering_interval_ms / 1000);
    keep(v.compression, f.compression_format);
    keep(v.timeout, f.s3_timeout_rate);
    v.s3.checked = !f.s3_available;
    if (v.tf && f.transform) this.tfShow(v, f.transform);
    if (v.rs && f.redshift) {
      v.rs.down.checked = !f.redshift.available;
      this.rsState(v);
    }
    setText(
      v.source,
      f.source_stream
        ? t('firehose.source.stream', { stream: f.source_stream })
        : t('firehose.source.direct'),
    );
    const from = f.source_stream
      ? t('firehose.from.stream', { stream: f.source_stream })
      : t('firehose.from.direct');
    const compression =
      f.compression_format === 'UNCOMPRESSED'
        ? t('firehose.compression.none')
        : t('firehose.compression.with', { format: f.compression_format });
    // one whole sentence with Redshift after S3, one without
    setText(
      v.caption,
      t(v.rs ? 'firehose.caption.redshift' : 'firehose.caption', {
        from,
        size: f.buffering_size_bytes / MIB,
        interval: f.buffering_interval_ms / 1000,
        bucket: f.bucket_arn,
        compression,
        table: v.rs ? v.rs.table : '',
      }),
    );
  }

  /**
   * Each refresh: `views[i]` = { row (the frame's firehose row as an object), counts
   * (firehose_counts()[i]), store ({ objects, objectsVersion, metrics, lakeKnownUntilMs }) };
   * `consumers` = the consumers' report.
   */
  update(views, consumers) {
    views.forEach((view, i) => this.fill(this.views[i], view, consumers || []));
  }

  buildOne(f, i) {
    const base = `fh${i}-${idPart(f.name)}`;
    const L = this.limits;
    const v = { index: i, name: f.name, base, f, objectsVersion: -1, objects: [], chosen: null };

    // --- the hose and the tank ---
    v.caption = el('p', { class: 'fh-caption' });
    v.sizeFill = el('span', { class: 'fh-bar-fill fh-size-fill' });
    v.timeFill = el('span', { class: 'fh-bar-fill fh-time-fill' });
    v.tankFill = el('span', { class: 'fh-tank-fill' });
    v.sizeText = el('span', { class: 'fh-bar-text', id: `${base}-size-text` });
    v.timeText = el('span', { class: 'fh-bar-text', id: `${base}-time-text` });
    v.trigger = el('p', { class: 'fh-trigger', id: `${base}-trigger` });
    v.freshFill = el('span', { class: 'fh-bar-fill fh-fresh-fill' });
    v.freshText = el('span', { class: 'fh-bar-text', id: `${base}-fresh-text` });
    v.source = el('span', { class: 'fh-hose-label' });
    // the hose: records pour along it as dots, placed by simulated time (see `animate`)
    v.pour = el('canvas', { class: 'fh-pour', width: 160, height: 18 });
    v.hose = el('div', { class: 'fh-hose', 'aria-hidden': 'true' }, [
      el('span', { class: 'fh-hose-pipe' }, [v.pour]),
    ]);
    v.inRate = el('span', { class: 'fh-hose-rate', id: `${base}-in-rate` });
    v.dots = 0;
    const tank = el('div', { class: 'fh-tank', 'aria-hidden': 'true' }, [v.tankFill]);
    const bar = (fill, label, text) =>
      el('div', { class: 'fh-bar-row' }, [
        el('span', { class: 'fh-bar-label', text: label }),
        el('span', { class: 'fh-bar', 'aria-hidden': 'true' }, [fill]),
        text,
      ]);
    const scene = el('div', { class: 'fh-scene' }, [
      el('div', { class: 'fh-source' }, [v.source, v.hose, v.inRate]),
      tank,
      el('div', { class: 'fh-bars' }, [
        bar(v.sizeFill, t('firehose.bar.size'), v.sizeText),
        bar(v.timeFill, t('firehose.bar.time'), v.timeText),
        bar(v.freshFill, t('firehose.bar.freshness'), v.freshText),
      ]),
    ]);

    // --- counts ---
    const cell = () => el('dd');
    v.stats = {
      received: cell(),
      buffered: cell(),
      retrying: cell(),
      delivered: cell(),
      objects: cell(),
      lost: cell(),
      dups: cell(),
    };
    const labels = [
      ['received', t('firehose.stat.received')],
      ['buffered', t('firehose.stat.buffered')],
      ['retrying', t('firehose.stat.retrying')],
      ['delivered', t('firehose.stat.delivered')],
      ['objects', t('firehose.stat.objects')],
      ['lost', t('firehose.stat.lost')],
      ['dups', t('firehose.stat.dups')],
    ];
    const stats = el(
      'dl',
      { class: 'consumer-stats fh-stats' },
      labels.flatMap(([key, text]) => [el('dt', { text }), v.stats[key]]),
    );

    // --- controls ---
    v.err = el('p', { class: 'control-error', role: 'alert', id: `${base}-err` });
    const report = (errors) => setText(v.err, errorMessages(errors).join(' '));
    v.size = el('input', {
      type: 'number',
      id: `${base}-size`,
      min: L.size.min,
      max: L.size.max,
      step: 1,
      inputmode: 'numeric',
      value: f.buffering_size_bytes / MIB,
    });
    v.interval = el('input', {
      type: 'number',
      id: `${base}-interval`,
      min: L.interval.min,
      max: L.interval.max,
      step: 1,
      inputmode: 'numeric',
      value: f.buffering_interval_ms / 1000,
    });
    v.compression = el(
      'select',
      { id: `${base}-compression` },
      COMPRESSIONS.map((c) => el('option', { value: c, text: c })),
    );
    v.compression.value = f.compression_format;
    const applyBuffer = el('button', {
      type: 'button',
      id: `${base}-apply`,
      text: t('firehose.destination.apply'),
      onclick: () => {
        const cmd = { type: 'update_destination', delivery_stream_name: f.name };
        const size = Number(v.size.value);
        const interval = Number(v.interval.value);
        if (Number.isFinite(size) && v.size.value !== '') cmd.buffering_size = size;
        if (Number.isFinite(interval) && v.interval.value !== '') cmd.buffering_interval = interval;
        cmd.compression_format = v.compression.value;
        report(this.send(cmd));
      },
    });
    v.s3 = outageBox(`${base}-s3-down`, 'set_s3_available', f.name, this.send, report);
    v.timeout = el('input', {
      type: 'number',
      id: `${base}-timeout`,
      min: L.timeout.min,
      max: L.timeout.max,
      step: 0.05,
      inputmode: 'decimal',
      value: f.s3_timeout_rate,
    });
    const applyTimeout = el('button', {
      type: 'button',
      id: `${base}-timeout-apply`,
      text: t('firehose.timeout.apply'),
      onclick: () =>
        report(
          this.send({
            type: 'set_s3_timeout_rate',
            delivery_stream_name: f.name,
            timeout_rate: Number(v.timeout.value),
          }),
        ),
    });
    const field = (input, label) =>
      el('div', { class: 'fh-field' }, [el('label', { for: input.id, text: label }), input]);
    const controls = el('fieldset', { class: 'fh-controls' }, [
      el('legend', { text: t('firehose.configure', { stream: f.name }) }),
      field(v.size, t('firehose.size.label', { range: formatRange(L.size) })),
      field(v.interval, t('firehose.interval.label', { range: formatRange(L.interval) })),
      field(v.compression, t('firehose.compression.label')),
      applyBuffer,
      el('div', { class: 'fh-field fh-check' }, [
        v.s3,
        el('label', { for: v.s3.id, text: t('firehose.s3.down') }),
      ]),
      field(v.timeout, t('firehose.timeout.label', { range: formatRange(L.timeout) })),
      applyTimeout,
      v.err,
    ]);

    // --- the bucket ---
    v.bucketHeading = el('h4', { id: `${base}-bucket-heading` });
    v.bucketNote = el('p', { class: 'hint fh-bucket-note', id: `${base}-bucket-note` });
    v.bucketList = el('div', {
      class: 'fh-bucket',
      id: `${base}-bucket`,
      role: 'region',
      tabindex: '0',
      'aria-labelledby': v.bucketHeading.id,
    });
    v.detail = el('div', { class: 'fh-detail', id: `${base}-detail` }, [
      el('p', { class: 'hint', text: t('firehose.object.none') }),
    ]);

    // --- batch vs streaming: in words, then on one chart with its numbers in a table ---
    v.versus = el('p', { class: 'fh-versus', id: `${base}-versus` });
    v.chart = this.buildChart(base);
    v.versusBox = el('section', { class: 'fh-versus-box', hidden: true }, [v.versus, v.chart.node]);

    // --- lake query: over the numeric fields the delivered records have ---
    v.from = el('input', {
      type: 'number',
      id: `${base}-from`,
      min: 0,
      step: 1,
      value: 0,
      inputmode: 'decimal',
    });
    v.to = el('input', {
      type: 'number',
      id: `${base}-to`,
      min: 0,
      step: 1,
      value: 60,
      inputmode: 'decimal',
    });
    v.lakeField = el('select', { id: `${base}-field` });
    v.lakeFieldBox = el('div', { class: 'fh-field', hidden: true }, [
      el('label', { for: v.lakeField.id, text: t('lake.field.label') }),
      v.lakeField,
    ]);
    v.lakeFieldsKey = null;
    v.lakeNone = el('p', { class: 'hint', id: `${base}-no-field` });
    v.answer = el('p', { class: 'fh-answer', id: `${base}-answer`, 'aria-live': 'polite' });
    v.known = el('p', { class: 'hint fh-known', id: `${base}-known` });
    const ask = el('button', {
      type: 'button',
      id: `${base}-ask`,
      text: t('lake.ask'),
      onclick: () => this.query(v),
    });
    const lake = el('fieldset', { class: 'fh-lake' }, [
      el('legend', { text: t('lake.legend') }),
      field(v.from, t('lake.from')),
      field(v.to, t('lake.to')),
      v.lakeFieldBox,
      v.lakeNone,
      ask,
      v.answer,
      v.known,
    ]);

    v.node = el(
      'article',
      { class: 'fh-card', id: base, 'aria-label': t('firehose.card.heading', { stream: f.name }) },
      [
        el('h3', { text: t('firehose.card.heading', { stream: f.name }) }),
        // the fh-part-* groups: what a lesson step's `show` words pick (style.css)
        el('div', { class: 'fh-part-tank' }, [v.caption, scene, v.trigger, stats]),
        el('div', { class: 'fh-part-controls' }, [
          controls,
          f.transform ? this.buildTransform(v, f) : null,
          f.redshift ? this.buildRedshift(v, f) : null,
        ]),
        el('div', { class: 'fh-part-s3' }, [
          v.bucketHeading,
          el('p', {
            class: 'hint',
            text: t('firehose.bucket.hint'),
          }),
          v.bucketNote,
          v.bucketList,
          v.detail,
        ]),
        el('div', { class: 'fh-part-batch' }, [v.versusBox]),
        el('div', { class: 'fh-part-lake' }, [lake]),
      ],
    );
    return v;
  }

  buildTransform(v, f) {
    const base = v.base;
    const tfn = f.transform;
    const L = this.limits;
    const tf = {
      good: {
        error_rate: tfn.error_rate,
        dropped_rate: tfn.dropped_rate,
        processing_failed_rate: tfn.processing_failed_rate,
      },
      inputs: {},
    };
    v.tf = tf;
    const rateInput = (key, idSuffix, limit) => {
      tf.inputs[key] = el('input', {
        type: 'number',
        id: `${base}-tf-${idSuffix}`,
        min: limit.min,
        max: limit.max,
        step: 0.05,
        inputmode: 'decimal',
        value: tf.good[key],
      });
      return tf.inputs[key];
    };
    // its own message, next to its button, so a refusal is read where the change was asked
    tf.err = el('p', { class: 'control-error', role: 'alert', id: `${base}-tf-err` });
    tf.now = el('p', { class: 'fh-tf-now', id: `${base}-tf-now` });
    const apply = el('button', {
      type: 'button',
      id: `${base}-tf-apply`,
      text: t('firehose.transform.apply'),
      onclick: () => {
        const cmd = { type: 'set_transform_rates', delivery_stream_name: f.name };
        for (const [k, input] of Object.entries(tf.inputs)) {
          const n = Number(input.value);
          // an empty field is left out: the sim keeps that rate
          if (input.value !== '' && Number.isFinite(n)) cmd[k] = n;
        }
        const errors = this.send(cmd);
        if (errors.length) {
          // refused: the inputs go back to what the transform really does
          for (const [k, input] of Object.entries(tf.inputs)) input.value = String(tf.good[k]);
          setText(tf.err, t('firehose.notChanged', { errors: errorMessages(errors).join(' ') }));
        } else {
          setText(tf.err, '');
          this.tfShow(v, cmd);
        }
      },
    });
    const cell = () => el('dd');
    tf.stats = {
      invocations: cell(),
      ok: cell(),
      dropped: cell(),
      processing_failed: cell(),
      errors: cell(),
    };
    tf.statsList = el(
      'dl',
      { class: 'consumer-stats fh-stats fh-tf-stats', id: `${base}-tf-stats`, hidden: true },
      [
        ['invocations', t('firehose.transform.stat.invocations')],
        ['ok', t('firehose.transform.stat.ok')],
        ['dropped', t('firehose.transform.stat.dropped')],
        ['processing_failed', t('firehose.transform.stat.processing_failed')],
        ['errors', t('firehose.transform.stat.errors')],
      ].flatMap(([key, text]) => [el('dt', { text }), tf.stats[key]]),
    );
    const field = (input, label) =>
      el('div', { class: 'fh-field' }, [el('label', { for: input.id, text: label }), input]);
    const node = el('fieldset', { class: 'fh-controls fh-transform', id: `${base}-tf` }, [
      el('legend', { text: t('firehose.transform.legend', { fn: tfn.function_name }) }),
      el('p', {
        class: 'hint',
        text: t('firehose.transform.hint', {
          fn: tfn.function_name,
          prefix: f.error_output_prefix,
        }),
      }),
      field(
        rateInput('error_rate', 'error', L.error),
        t('firehose.transform.errors.label', { range: formatRange(L.error) }),
      ),
      field(
        rateInput('dropped_rate', 'dropped', L.dropped),
        t('firehose.transform.dropped.label', { range: formatRange(L.dropped) }),
      ),
      field(
        rateInput('processing_failed_rate', 'failed', L.failed),
        t('firehose.transform.failed.label', { range: formatRange(L.failed) }),
      ),
      apply,
      tf.err,
      tf.now,
      tf.statsList,
    ]);
    this.tfShow(v, {});
    return node;
  }

  /** Redshift as the destination: staged in S3, then one COPY at a time into the table. */
  buildRedshift(v, f) {
    const base = v.base;
    const r = f.redshift;
    const table = r.table || t('redshift.table.unnamed');
    const rs = { retryMs: r.retry_duration_ms, table };
    v.rs = rs;
    rs.flow = el('p', { class: 'fh-rs-flow', id: `${base}-rs-flow` });
    rs.state = el('p', { class: 'fh-rs-state', id: `${base}-rs-state` });
    const cell = () => el('dd');
    rs.stats = { loaded: cell(), copies: cell(), waiting: cell(), skipped: cell() };
    const stats = el(
      'dl',
      { class: 'consumer-stats fh-stats', id: `${base}-rs-stats` },
      [
        ['loaded', t('redshift.stat.loaded', { table })],
        ['copies', t('redshift.stat.copies')],
        ['waiting', t('redshift.stat.waiting')],
        ['skipped', t('redshift.stat.skipped', { duration: formatDuration(rs.retryMs) })],
      ].flatMap(([key, text]) => [el('dt', { text }), rs.stats[key]]),
    );
    rs.err = el('p', { class: 'control-error', role: 'alert', id: `${base}-rs-err` });
    rs.down = outageBox(
      `${base}-redshift-down`,
      'set_redshift_available',
      f.name,
      this.send,
      (errors) => {
        setText(rs.err, errorMessages(errors).join(' '));
        this.rsState(v);
      },
    );
    const node = el('fieldset', { class: 'fh-controls fh-redshift', id: `${base}-rs` }, [
      el('legend', { text: t('redshift.legend', { table }) }),
      rs.flow,
      stats,
      el('div', { class: 'fh-field fh-check' }, [
        rs.down,
        el('label', { for: rs.down.id, text: t('redshift.down') }),
      ]),
      rs.state,
      rs.err,
    ]);
    this.rsState(v);
    return node;
  }

  /** The transform's counts (`firehose_counts()`'s `transform`). */
  fillTransform(v, counts) {
    const tf = v.tf;
    const tc = counts.transform;
    if (!tf) return;
    tf.statsList.hidden = !tc;
    if (!tc) return;
    setText(tf.stats.invocations, formatCount(tc.invocations));
    setText(tf.stats.ok, formatCount(tc.ok));
    setText(tf.stats.dropped, formatCount(tc.dropped));
    setText(tf.stats.processing_failed, formatCount(tc.processing_failed));
    setText(tf.stats.errors, formatCount(tc.errors));
    tf.stats.processing_failed.classList.toggle('warn', tc.processing_failed > 0);
    tf.stats.errors.classList.toggle('warn', tc.errors > 0);
  }

  fillRedshift(v, row, counts) {
    const rs = v.rs;
    const r = counts.redshift;
    if (!rs || !r) return;
    setText(
      rs.flow,
      t('redshift.flow', {
        objects: plural('count.objects', row.objects_total),
        records: plural('count.records', row.delivered_records),
        table: rs.table,
        copies: formatCount(r.copies),
        rows: formatCount(r.loaded_records),
      }),
    );
    setText(rs.stats.loaded, formatCount(r.loaded_records));
    setText(rs.stats.copies, formatCount(r.copies));
    setText(rs.stats.waiting, formatCount(r.objects_waiting));
    setText(rs.stats.skipped, formatCount(r.skipped_records));
    rs.stats.waiting.classList.toggle('warn', rs.down.checked && r.objects_waiting > 0);
    rs.stats.skipped.classList.toggle('warn', r.skipped_records > 0);
    this.rsState(v);
  }

  /** Up or down, in words; also right after the checkbox changes (even while paused). */
  rsState(v) {
    const rs = v.rs;
    setText(
      rs.state,
      rs.down.checked
        ? t('redshift.state.down', { duration: formatDuration(rs.retryMs) })
        : t('redshift.state.up'),
    );
  }

  /** One chart: the river's and the dam's detection delays, mean and worst, on a log scale. */
  buildChart(base) {
    const c = { rows: {} };
    const patternId = `${base}-hatch`;
    const title = svgEl('title', { text: t('chart.title') });
    const defs = svgEl('defs', {}, [
      // the batch bars are hatched, so they differ from the streaming bars by more than colour
      svgEl(
        'pattern',
        {
          id: patternId,
          width: 6,
          height: 6,
          patternUnits: 'userSpaceOnUse',
          patternTransform: 'rotate(45)',
        },
        [
          svgEl('rect', { width: 6, height: 6, fill: this.colours.okabeIto[5] }),
          svgEl('line', {
            x1: 0,
            y1: 0,
            x2: 0,
            y2: 6,
            stroke: this.colours.ui.white,
            'stroke-width': 2,
          }),
        ],
      ),
    ]);
    const grid = svgEl('g', { class: 'fh-chart-grid' });
    const bars = svgEl('g', { class: 'fh-chart-bars' });
    const series = [
      ['river', t('chart.series.river'), 0, this.colours.okabeIto[4]],
      ['dam', t('chart.series.dam'), 62, `url(#${patternId})`],
    ];
    for (const [key, word, y0, fill] of series) {
      c.rows[key] = { word };
      c.rows[key].label = svgEl('text', { x: 0, y: y0 + 13, class: 'fh-chart-series' });
      const g = svgEl('g', { 'data-series': key });
      g.append(c.rows[key].label);
      for (const [stat, dy, name] of [
        ['mean', 20, t('chart.stat.mean')],
        ['max', 38, t('chart.stat.max')],
      ]) {
        const bar = svgEl('rect', {
          x: CHART.left,
          y: y0 + dy,
          height: 14,
          width: 0,
          fill,
          stroke: key === 'river' ? this.colours.okabeIto[4] : this.colours.okabeIto[5],
          'stroke-width': 1,
          'fill-opacity': stat === 'mean' ? 1 : 0.45,
          'data-stat': stat,
        });
        const value = svgEl('text', { x: CHART.left, y: y0 + dy + 11, class: 'fh-chart-value' });
        g.append(
          svgEl('text', { x: 12, y: y0 + dy + 11, class: 'fh-chart-stat', text: name }),
          bar,
          value,
        );
        c.rows[key][stat] = { bar, value };
      }
      bars.append(g);
    }
    c.svg = svgEl(
      'svg',
      {
        class: 'fh-chart-svg',
        viewBox: `0 0 ${CHART.w} ${CHART.h}`,
        role: 'img',
        'aria-labelledby': `${base}-chart-title`,
        'aria-describedby': `${base}-chart-table`,
        id: `${base}-chart`,
      },
      [title, defs, grid, bars],
    );
    title.setAttribute('id', `${base}-chart-title`);
    c.grid = grid;
    c.top = 0;
    c.width = CHART.w;

    // the text alternative: the same numbers in a table (read in place of the drawing)
    const td = () => el('td');
    c.cells = {
      river: { mean: td(), max: td(), alerts: td() },
      dam: { mean: td(), max: td(), alerts: td() },
    };
    c.rowHeads = { river: el('th', { scope: 'row' }), dam: el('th', { scope: 'row' }) };
    const tr = (key) =>
      el('tr', { 'data-series': key }, [
        c.rowHeads[key],
        c.cells[key].mean,
        c.cells[key].max,
        c.cells[key].alerts,
      ]);
    c.table = el('table', { class: 'fh-chart-table', id: `${base}-chart-table` }, [
      el('caption', { text: t('chart.table.caption') }),
      el('thead', {}, [
        el('tr', {}, [
          el('th', { scope: 'col', text: t('chart.table.col.who') }),
          el('th', { scope: 'col', text: t('chart.table.col.mean') }),
          el('th', { scope: 'col', text: t('chart.table.col.max') }),
          el('th', { scope: 'col', text: t('chart.table.col.alerts') }),
        ]),
      ]),
      el('tbody', {}, [tr('river'), tr('dam')]),
    ]);
    c.node = el('figure', { class: 'fh-chart', id: `${base}-versus-chart` }, [
      el('figcaption', {
        text: t('chart.caption'),
      }),
      c.svg,
      c.table,
    ]);
    return c;
  }

  /** The axis for a scale topping at `top` ms (rebuilt only when the scale changes). */
  drawAxis(c, top, width) {
    c.top = top;
    c.width = width;
    c.svg.setAttribute('viewBox', `0 0 ${width} ${CHART.h}`);
    const lines = [];
    let lastLabel = -Infinity;
    for (const [ms, unitKey, n] of CHART_TICKS) {
      if (ms > top) break;
      const x = chartX(ms, top, width);
      lines.push(svgEl('line', { x1: x, y1: 18, x2: x, y2: 122, class: 'fh-chart-tick' }));
      // on a narrow chart, only the ticks with room for their words are labelled
      if (x - lastLabel >= CHART.labelGap) {
        lastLabel = x;
        lines.push(
          svgEl('text', {
            x,
            y: 140,
            'text-anchor': 'middle',
            class: 'fh-chart-axis',
            text: t(unitKey, { n }),
          }),
        );
      }
    }
    c.grid.replaceChildren(...lines);
  }

  /** `who` = { name, words, mean, max, alerts } or null (no alert yet). */
  fillChartRow(c, key, who) {
    const row = c.rows[key];
    // short on the drawing (it must fit a phone); the table says what each one is
    setText(
      row.label,
      who
        ? t('chart.row.label', { series: row.word, name: who.name })
        : t('chart.row.noAlert', { series: row.word }),
    );
    setText(
      c.rowHeads[key],
      who ? t('chart.row.head', { series: row.word, name: who.name, words: who.words }) : row.word,
    );
    for (const stat of ['mean', 'max']) {
      const ms = who ? who[stat] : 0;
      const w = who ? Math.max(1, chartX(ms, c.top, c.width) - CHART.left) : 0;
      row[stat].bar.setAttribute('width', w.toFixed(1));
      row[stat].bar.setAttribute('data-ms', String(ms));
      row[stat].value.setAttribute('x', (CHART.left + w + 4).toFixed(1));
      setText(row[stat].value, who ? formatDuration(ms) : '');
      const cell = c.cells[key][stat];
      setText(cell, who ? formatDuration(ms) : '–');
      cell.dataset.ms = String(ms);
    }
    setText(c.cells[key].alerts, who ? formatCount(who.alerts) : '0');
  }

  /** The bucket's objects (`objects`: the newest the page has, oldest first) by folder. */
  buildBucket(v, objects, objectsTotal) {
    const f = v.f;
    setText(
      v.bucketHeading,
      t(
        objectsTotal > objects.length
          ? 'firehose.bucket.heading.newest'
          : 'firehose.bucket.heading',
        {
          bucket: f.bucket_arn.replace(/^arn:aws:s3:::/, ''),
          objects: plural('count.objects', objectsTotal),
          shown: objects.length,
        },
      ),
    );
    const errorCount = objects.filter((o) => o.trigger === 'processing-failed').length;
    const dupCount = objects.filter((o) => o.duplicate).length;
    const shown = [
      errorCount ? plural('count.errorObjects', errorCount) : '',
      dupCount ? t('firehose.bucket.duplicates', { n: plural('count.duplicates', dupCount) }) : '',
    ].filter(Boolean);
    setText(
      v.bucketNote,
      shown.length ? t('firehose.bucket.among', { items: shown.join(t('list.semicolon')) }) : '',
    );
    v.bucketNote.hidden = !shown.length; // no empty row in the card's grid
    if (!objects.length) {
      replaceChildren(v.bucketList, [el('p', { class: 'hint', text: t('firehose.bucket.empty') })]);
      return;
    }
    // a rebuild must not take the keyboard focus away from the object it was on
    const active = document.activeElement;
    const focusKey =
      active && v.bucketList.contains(active) && active.dataset ? active.dataset.key : null;
    // data objects by hour folder; error objects apart, by their own folder (the error prefix)
    const groups = new Map();
    const errorGroups = new Map();
    objects.forEach((o, j) => {
      const h = hourPrefix(o.key) || 'other/';
      const isError = o.trigger === 'processing-failed';
      const folder = isError ? `${String(o.key).slice(0, String(o.key).indexOf(h))}${h}` : h;
      const into = isError ? errorGroups : groups;
      if (!into.has(folder)) into.set(folder, []);
      into.get(folder).push([o, j]);
    });
    const button = ([o, j]) => {
      const isError = o.trigger === 'processing-failed';
      return el('li', {}, [
        el('button', {
          type: 'button',
          class: `fh-object${o.duplicate ? ' dup' : ''}${isError ? ' error' : ''}${v.chosen === o.key ? ' chosen' : ''}`,
          'aria-pressed': v.chosen === o.key ? 'true' : 'false',
          dataset: { index: String(j), key: o.key },
          // the object's facts, each whole, separated by " · "
          text: [
            `${isError ? '⚠ ' : ''}${o.duplicate ? '⧉ ' : ''}${o.key.split('/').pop()}`,
            formatBytes(o.bytes),
            plural('count.records', o.records),
            isError ? t('firehose.object.isError') : '',
            o.duplicate ? t('firehose.object.isDuplicate') : '',
          ]
            .filter(Boolean)
            .join(' · '),
          onclick: () => this.choose(v, o),
        }),
      ]);
    };
    // error objects first: they are the exception a student is looking for
    const parts = [];
    for (const [h, items] of errorGroups) {
      parts.push(
        el('h5', {
          class: 'fh-error-heading',
          text: t('firehose.folder.errors', { folder: h }),
        }),
        el('ul', { class: 'fh-objects fh-errors' }, items.map(button)),
      );
    }
    for (const [h, items] of groups) {
      parts.push(
        el('h5', { text: t('firehose.folder', { folder: h }) }),
        el('ul', { class: 'fh-objects' }, items.map(button)),
      );
    }
    replaceChildren(v.bucketList, parts);
    if (focusKey) {
      const again = [...v.bucketList.querySelectorAll('button.fh-object')].find(
        (b) => b.dataset.key === focusKey,
      );
      (again || v.bucketList).focus();
    }
  }

  choose(v, o) {
    v.chosen = o.key;
    for (const b of v.bucketList.querySelectorAll('button.fh-object')) {
      const on = v.objects[Number(b.dataset.index)]?.key === o.key;
      b.classList.toggle('chosen', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    const row = (dt, dd) => [el('dt', { text: dt }), el('dd', { text: dd })];
    const pre = el('pre', {
      class: 'fh-lines',
      tabindex: '0',
      'aria-label': t('firehose.object.lines'),
    });
    pre.textContent = (o.first_lines || []).join('\n');
    replaceChildren(v.detail, [
      el('dl', { class: 'fh-object-detail' }, [
        ...row(t('firehose.object.key'), o.key),
        ...row(
          t('firehose.object.size'),
          o.compression !== 'UNCOMPRESSED'
            ? t('firehose.object.compressedSize', {
                size: formatBytes(o.bytes),
                raw: formatBytes(o.raw_bytes),
                compression: o.compression,
              })
            : formatBytes(o.bytes),
        ),
        ...row(t('firehose.compression.label'), o.compression),
        ...row(t('firehose.object.records'), formatCount(o.records)),
        ...row(t('firehose.object.oldest'), formatSimTime(o.first_arrival_ms)),
        ...row(t('firehose.object.newest'), formatSimTime(o.last_arrival_ms)),
        ...row(t('firehose.object.written'), formatSimTime(o.delivered_ms)),
        ...row(t('firehose.object.why'), triggerWords(o.trigger)),
        ...(o.trigger === 'processing-failed'
          ? row(t('firehose.object.error'), t('firehose.object.error.yes'))
          : []),
        ...(o.duplicate
          ? row(t('firehose.object.duplicate'), t('firehose.object.duplicate.yes'))
          : []),
      ]),
      el('p', { class: 'hint', text: t('firehose.object.linesHint') }),
      pre,
    ]);
  }

  /** One delivery stream's numbers: `view` = { row, counts, store } (see `update`). */
  fill(v, view, consumers) {
    if (!v || !view) return;
    const f = v.f;
    const r = view.row;
    const store = view.store;
    const sizeLimit = f.buffering_size_bytes;
    const intervalMs = f.buffering_interval_ms;
    const last = store.metrics.length ? store.metrics[store.metrics.length - 1] : null;
    // Both bars measure what the delivery rule does: the buffer's bytes against the size, and
    // the time since the buffer started filling against the interval (not DataFreshness, which
    // keeps growing while objects wait for S3 and each new buffer starts from 0 again).
    const sizeFrac = sizeLimit > 0 ? Math.min(1, r.buffered_bytes / sizeLimit) : 0;
    const waited = r.buffered_records > 0 ? r.buffer_age_ms : 0;
    const timeFrac = intervalMs > 0 ? Math.min(1, waited / intervalMs) : r.buffered_records ? 1 : 0;
    v.sizeFill.style.width = cssPercent(sizeFrac);
    v.timeFill.style.width = cssPercent(timeFrac);
    v.timeFill.dataset.fraction = String(timeFrac);
    v.tankFill.style.height = cssPercent(Math.max(sizeFrac, timeFrac));
    const inPerSecond = last ? Number(last.IncomingRecords) || 0 : 0;
    v.hose.classList.toggle('flowing', inPerSecond > 0);
    setText(v.inRate, t('firehose.inRate', { n: formatCount(inPerSecond) }));
    // more dots for more records, on a log scale (1 record/s: 1 dot; 100,000/s: 20)
    const dots =
      inPerSecond > 0 ? Math.min(20, Math.max(1, Math.round(4 * Math.log10(1 + inPerSecond)))) : 0;
    if (dots !== v.dots) {
      v.dots = dots;
      if (this.reducedMotion) this.drawPour(v, 0, 1); // still: the dots spread evenly
    }
    setText(
      v.sizeText,
      t('firehose.size.text', {
        size: formatBytes(r.buffered_bytes),
        limit: sizeLimit / MIB,
        records: plural('count.records', r.buffered_records),
      }),
    );
    setText(
      v.timeText,
      t('firehose.time.text', { waited: formatDuration(waited), interval: intervalMs / 1000 }),
    );
    const fresh = r.data_freshness_ms;
    const freshFrac = intervalMs > 0 ? Math.min(1, fresh / (2 * intervalMs)) : 0;
    v.freshFill.style.width = cssPercent(freshFrac);
    v.freshFill.classList.toggle('late', intervalMs > 0 && fresh > intervalMs * 1.2);
    setText(v.freshText, t('firehose.fresh.text', { age: formatDuration(fresh) }));
    // the page's objects are oldest first: the last one is the newest
    const newest = store.objects.length ? store.objects[store.objects.length - 1] : null;
    setText(
      v.trigger,
      newest
        ? t('firehose.trigger.last', {
            time: formatSimTime(newest.delivered_ms),
            why: triggerWords(newest.trigger),
          })
        : t('firehose.trigger.none'),
    );
    setText(v.stats.received, formatCount(r.received_records));
    setText(v.stats.buffered, formatCount(r.buffered_records));
    setText(v.stats.retrying, formatCount(r.retrying_records));
    setText(v.stats.delivered, formatCount(r.delivered_records));
    setText(v.stats.objects, formatCount(r.objects_total));
    setText(v.stats.lost, formatCount(r.lost_records));
    setText(v.stats.dups, formatCount(r.duplicate_records));
    v.stats.retrying.classList.toggle('warn', r.retrying_records > 0);
    v.stats.lost.classList.toggle('warn', r.lost_records > 0);

    this.fillTransform(v, view.counts);
    this.fillRedshift(v, r, view.counts);

    if (store.objectsVersion !== v.objectsVersion) {
      v.objectsVersion = store.objectsVersion;
      v.objects = store.objects;
      this.buildBucket(v, store.objects, r.objects_total);
    }
    this.fillVersus(v, view.counts, consumers);
    this.fillLakeFields(v, r.lake_field_bits);
    setText(v.known, t('lake.known', { time: formatSimTime(store.lakeKnownUntilMs) }));
  }

  /** The lake's fields to choose from: only those its records have (none for clicks). */
  fillLakeFields(v, bits) {
    const present = lakeFieldsPresent(v.f.lake_fields, bits);
    const key = present.map((x) => x.field).join(',');
    if (key === v.lakeFieldsKey) return;
    v.lakeFieldsKey = key;
    const was = v.lakeField.value;
    replaceChildren(
      v.lakeField,
      present.map((x) => el('option', { value: x.field, text: fieldWords(x.field).one })),
    );
    if (present.some((x) => x.field === was)) v.lakeField.value = was;
    v.lakeFieldBox.hidden = present.length === 0;
    setText(v.lakeNone, present.length ? '' : t('lake.noField'));
    v.lakeNone.hidden = present.length > 0;
  }

  fillVersus(v, counts, consumers) {
    const job = counts.batch_job;
    if (!job) {
      v.versusBox.hidden = true;
      return;
    }
    v.versusBox.hidden = false;
    const river = consumers.find((c) => c.application && c.application.alerts > 0);
    const riverText = river
      ? t('versus.river', {
          name: river.name,
          what: appWords(river.application.kind),
          mean: formatDuration(river.application.detection_delay_ms_mean),
          max: formatDuration(river.application.detection_delay_ms_max),
        })
      : t('versus.river.none');
    const dam = {
      name: job.name,
      every: everyWords(job.every_ms),
      mean: formatDuration(job.detection_delay_ms_mean),
      max: formatDuration(job.detection_delay_ms_max),
      runs: formatCount(job.runs),
    };
    const damText =
      job.runs > 0 && job.alerts > 0
        ? t('versus.dam', dam)
        : t(job.runs > 0 ? 'versus.dam.noAlert' : 'versus.dam.notRun', dam);
    // whole sentences, one after the other
    const sentences = [riverText, damText];
    if (river && job.runs > 0 && job.alerts > 0) {
      sentences.unshift(
        t('versus.short', {
          river: formatDuration(river.application.detection_delay_ms_mean),
          dam: formatDuration(job.detection_delay_ms_mean),
        }),
      );
    }
    setText(v.versus, sentences.join(' '));

    const app = river ? river.application : null;
    const riverRow = app
      ? {
          name: river.name,
          words: t('chart.row.river', { what: appWords(app.kind) }),
          mean: app.detection_delay_ms_mean,
          max: app.detection_delay_ms_max,
          alerts: app.alerts,
        }
      : null;
    const damRow =
      job.alerts > 0
        ? {
            name: job.name,
            words: t('chart.row.dam', { every: everyWords(job.every_ms) }),
            mean: job.detection_delay_ms_mean,
            max: job.detection_delay_ms_max,
            alerts: job.alerts,
          }
        : null;
    const top = chartTop(Math.max(riverRow ? riverRow.max : 0, damRow ? damRow.max : 0));
    // the figure's own width (0 while hidden: keep the last one)
    const room = Math.min(CHART.maxW, Math.floor(v.chart.node.clientWidth) || v.chart.width);
    if (top !== v.chart.top || room !== v.chart.width) this.drawAxis(v.chart, top, room);
    this.fillChartRow(v.chart, 'river', riverRow);
    this.fillChartRow(v.chart, 'dam', damRow);
  }

  query(v) {
    const fromMs = minutesToMs(v.from.value);
    const toMs = minutesToMs(v.to.value);
    if (toMs <= fromMs) {
      setText(v.answer, t('lake.answer.badRange'));
      return;
    }
    let r;
    try {
      r = this.ask(v.index, fromMs, toMs);
    } catch {
      r = null;
    }
    if (!r) {
      setText(v.answer, t('lake.answer.failed'));
      return;
    }
    const chosen = v.lakeFieldBox.hidden ? null : v.lakeField.value;
    const a = chosen ? r.fields.find((x) => x.field === chosen) : null;
    const params = {
      from: formatSimTime(fromMs),
      to: formatSimTime(toMs),
      records: plural('count.records', r.records),
      objects: plural('count.objects', r.objects),
      field: chosen ? fieldWords(chosen).one : '',
      about: a ? lakeFieldText(a) : '',
    };
    const key = chosen ? (a ? 'lake.answer.field' : 'lake.answer.noField') : 'lake.answer';
    setText(
      v.answer,
      `${t(key, params)} ${t('lake.known', { time: formatSimTime(r.known_until_ms) })}`,
    );
  }
}
