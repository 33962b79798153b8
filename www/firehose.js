// The Firehose part of the page: per delivery stream, the hose into its buffer (a tank with two
// bars: size toward buffering_size, time toward buffering_interval), the S3 bucket (objects by
// hour prefix, error objects apart, duplicates marked; choose one to read it), the controls
// (buffering, compression, S3 outage, timeouts), the batch-against-streaming delays and a query
// over the lake. Built once per set of delivery streams, then updated by text only.
// `sim.firehoses()` rebuilds a report on every call: the page calls it at most 4 times a second.

import { el, replaceChildren, setText, idPart } from './controls.js';
import { formatBytes, formatCount, formatDuration, formatSimTime } from './format.js';
import { appWords } from './consumers.js';

export const FIREHOSE_EVERY_MS = 250;

const COMPRESSIONS = ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'];
const MIB = 1024 * 1024;

const TRIGGER_WORDS = {
  size: 'the size limit was reached first',
  interval: 'the time limit was reached first',
  'processing-failed': 'the records could not be processed (an error object)',
};

/** "payments/2026/11/25/20/lake-1-…" → "2026/11/25/20/" (the hour prefix), or "". */
export function hourPrefix(key) {
  const m = /(\d{4}\/\d\d\/\d\d\/\d\d)\//.exec(String(key));
  return m ? `${m[1]}/` : '';
}

/** Cents → "$12.34". */
export function dollars(cents) {
  const c = Math.round(Number(cents) || 0);
  return `$${(c / 100).toFixed(2)}`;
}

function everyWords(seconds) {
  if (seconds === 3600) return 'every hour';
  if (seconds === 86400) return 'once a day';
  return `every ${formatDuration(seconds * 1000)}`;
}

function minutesToMs(v) {
  const n = Number(v);
  return Number.isFinite(n) ? Math.max(0, Math.round(n * 60_000)) : 0;
}

export class FirehosePanel {
  /** `card` = the section (hidden when there is no delivery stream); `send(cmd)` → errors. */
  constructor(card, container, send, sim) {
    this.card = card;
    this.box = container;
    this.send = send;
    this.getSim = sim;
    this.key = null;
    this.views = [];
    this.lastT = -Infinity;
  }

  reset() {
    this.key = null;
    this.lastT = -Infinity;
  }

  /** A command the run applied (a scheduled one, e.g. from a link): keep the controls true. */
  applied(c) {
    const v = this.views.find((x) => x.name === c.delivery_stream_name);
    if (!v) return;
    if (c.type === 'set_s3_available') v.s3.checked = c.available === false;
    else if (c.type === 'set_s3_timeout_rate') v.timeout.value = String(c.timeout_rate);
  }

  /** Called with each panel refresh; asks the sim at most every FIREHOSE_EVERY_MS. */
  maybeUpdate(t, force, consumers) {
    if (!force && t - this.lastT < FIREHOSE_EVERY_MS) return;
    this.lastT = t;
    const sim = this.getSim();
    const list = sim && typeof sim.firehoses === 'function' ? sim.firehoses() : [];
    this.update(list || [], consumers || []);
  }

  update(list, consumers) {
    const key = list.map((f) => f.name).join('|');
    if (key !== this.key) {
      this.key = key;
      this.build(list);
    }
    this.card.hidden = list.length === 0;
    list.forEach((f, i) => this.fill(this.views[i], f, consumers));
  }

  build(list) {
    this.views = list.map((f, i) => this.buildOne(f, i));
    replaceChildren(
      this.box,
      this.views.map((v) => v.node),
    );
  }

  buildOne(f, i) {
    const base = `fh${i}-${idPart(f.name)}`;
    const v = { index: i, name: f.name, base, objectsTotal: -1, objects: [], chosen: null };

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
    v.hose = el('div', { class: 'fh-hose', 'aria-hidden': 'true' }, [
      el('span', { class: 'fh-hose-pipe' }),
    ]);
    const tank = el('div', { class: 'fh-tank', 'aria-hidden': 'true' }, [v.tankFill]);
    const bar = (fill, label, text) =>
      el('div', { class: 'fh-bar-row' }, [
        el('span', { class: 'fh-bar-label', text: label }),
        el('span', { class: 'fh-bar', 'aria-hidden': 'true' }, [fill]),
        text,
      ]);
    const scene = el('div', { class: 'fh-scene' }, [
      el('div', { class: 'fh-source' }, [v.source, v.hose]),
      tank,
      el('div', { class: 'fh-bars' }, [
        bar(v.sizeFill, 'Size', v.sizeText),
        bar(v.timeFill, 'Time', v.timeText),
        bar(v.freshFill, 'Freshness', v.freshText),
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
      ['received', 'Records received'],
      ['buffered', 'In the buffer'],
      ['retrying', 'Waiting for S3 (retrying)'],
      ['delivered', 'Delivered to S3'],
      ['objects', 'Objects written'],
      ['lost', 'Lost (S3 down too long)'],
      ['dups', 'Written twice (timeouts)'],
    ];
    const stats = el(
      'dl',
      { class: 'consumer-stats fh-stats' },
      labels.flatMap(([key, text]) => [el('dt', { text }), v.stats[key]]),
    );

    // --- controls ---
    v.err = el('p', { class: 'control-error', role: 'alert', id: `${base}-err` });
    const report = (errors) => setText(v.err, errors.length ? errors.join(' ') : '');
    v.size = el('input', {
      type: 'number',
      id: `${base}-size`,
      min: 1,
      max: 128,
      step: 1,
      inputmode: 'numeric',
      value: f.buffering_size_mib,
    });
    v.interval = el('input', {
      type: 'number',
      id: `${base}-interval`,
      min: 0,
      max: 900,
      step: 1,
      inputmode: 'numeric',
      value: f.buffering_interval_s,
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
      text: 'Change the destination',
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
    v.s3 = el('input', { type: 'checkbox', id: `${base}-s3-down` });
    v.s3.addEventListener('change', () => {
      const errors = this.send({
        type: 'set_s3_available',
        delivery_stream_name: f.name,
        available: !v.s3.checked,
      });
      if (errors.length) v.s3.checked = !v.s3.checked;
      report(errors);
    });
    v.timeout = el('input', {
      type: 'number',
      id: `${base}-timeout`,
      min: 0,
      max: 1,
      step: 0.05,
      inputmode: 'decimal',
      value: 0,
    });
    const applyTimeout = el('button', {
      type: 'button',
      id: `${base}-timeout-apply`,
      text: 'Set the timeout rate',
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
      el('legend', { text: `Configure ${f.name}` }),
      field(v.size, 'Buffer size (MiB, 1–128)'),
      field(v.interval, 'Buffer interval (seconds, 0–900)'),
      field(v.compression, 'Compression'),
      applyBuffer,
      el('div', { class: 'fh-field fh-check' }, [
        v.s3,
        el('label', { for: v.s3.id, text: 'S3 is down (outage)' }),
      ]),
      field(v.timeout, 'Share of S3 writes that time out (0–1)'),
      applyTimeout,
      v.err,
    ]);

    // --- the bucket ---
    v.bucketHeading = el('h4', { id: `${base}-bucket-heading` });
    v.bucketList = el('div', {
      class: 'fh-bucket',
      id: `${base}-bucket`,
      role: 'region',
      tabindex: '0',
      'aria-labelledby': v.bucketHeading.id,
    });
    v.detail = el('div', { class: 'fh-detail', id: `${base}-detail` }, [
      el('p', { class: 'hint', text: 'No object chosen yet.' }),
    ]);

    // --- batch vs streaming ---
    v.versus = el('p', { class: 'fh-versus', id: `${base}-versus`, hidden: true });

    // --- lake query ---
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
    v.answer = el('p', { class: 'fh-answer', id: `${base}-answer`, 'aria-live': 'polite' });
    v.known = el('p', { class: 'hint fh-known', id: `${base}-known` });
    const ask = el('button', {
      type: 'button',
      id: `${base}-ask`,
      text: 'Ask the lake',
      onclick: () => this.query(v),
    });
    const lake = el('fieldset', { class: 'fh-lake' }, [
      el('legend', { text: 'Query the lake (like Athena over S3)' }),
      field(v.from, 'From (simulated minutes)'),
      field(v.to, 'To (simulated minutes)'),
      ask,
      v.answer,
      v.known,
    ]);

    v.node = el(
      'article',
      { class: 'fh-card', id: base, 'aria-label': `Delivery stream ${f.name}` },
      [
        el('h3', { text: `Delivery stream ${f.name}` }),
        v.caption,
        scene,
        v.trigger,
        stats,
        controls,
        v.bucketHeading,
        el('p', {
          class: 'hint',
          text: 'Objects are grouped by their hour prefix (UTC of their oldest record). Choose one to read it.',
        }),
        v.bucketList,
        v.detail,
        v.versus,
        lake,
      ],
    );
    return v;
  }

  fill(v, f, consumers) {
    if (!v) return;
    const sizeLimit = f.buffering_size_mib * MIB;
    const intervalMs = f.buffering_interval_s * 1000;
    const from = f.source_stream
      ? `the stream ${f.source_stream}`
      : 'producers calling PutRecordBatch (Direct PUT)';
    setText(v.source, f.source_stream ? `from ${f.source_stream}` : 'Direct PUT');
    setText(
      v.caption,
      `Firehose collects records from ${from} until the first of ${f.buffering_size_mib} MiB or ${f.buffering_interval_s} s, then writes one file to S3 (${f.bucket_arn}, ${f.compression_format === 'UNCOMPRESSED' ? 'uncompressed' : `compressed with ${f.compression_format}`}).`,
    );
    const last = f.metrics.length ? f.metrics[f.metrics.length - 1] : null;
    const fresh = last ? Number(last['DeliveryToS3.DataFreshness']) || 0 : 0;
    const sizeFrac = sizeLimit > 0 ? Math.min(1, f.buffered_bytes / sizeLimit) : 0;
    const waited = f.buffered_records > 0 ? fresh : 0;
    const timeFrac = intervalMs > 0 ? Math.min(1, waited / intervalMs) : f.buffered_records ? 1 : 0;
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    v.sizeFill.style.width = pct(sizeFrac);
    v.timeFill.style.width = pct(timeFrac);
    v.tankFill.style.height = pct(Math.max(sizeFrac, timeFrac));
    v.hose.classList.toggle('flowing', Boolean(last && last.IncomingRecords > 0));
    setText(
      v.sizeText,
      `${formatBytes(f.buffered_bytes)} of ${f.buffering_size_mib} MiB (${formatCount(f.buffered_records)} records)`,
    );
    setText(
      v.timeText,
      `${formatDuration(waited)} of ${f.buffering_interval_s} s since the oldest buffered record`,
    );
    const freshFrac = intervalMs > 0 ? Math.min(1, fresh / (2 * intervalMs)) : 0;
    v.freshFill.style.width = pct(freshFrac);
    v.freshFill.classList.toggle('late', intervalMs > 0 && fresh > intervalMs * 1.2);
    setText(v.freshText, `oldest record not yet in S3 is ${formatDuration(fresh)} old`);
    const newest = f.objects.length ? f.objects[0] : null;
    setText(
      v.trigger,
      newest
        ? `Last object written at ${formatSimTime(newest.delivered_ms)}: ${TRIGGER_WORDS[newest.trigger] || newest.trigger}.`
        : 'No object written yet: the buffer is still filling.',
    );
    setText(v.stats.received, formatCount(f.received_records));
    setText(v.stats.buffered, formatCount(f.buffered_records));
    setText(v.stats.retrying, formatCount(f.retrying_records));
    setText(v.stats.delivered, formatCount(f.delivered_records));
    setText(v.stats.objects, formatCount(f.objects_total));
    setText(v.stats.lost, formatCount(f.lost_records));
    setText(v.stats.dups, formatCount(f.duplicate_records));
    v.stats.retrying.classList.toggle('warn', f.retrying_records > 0);
    v.stats.lost.classList.toggle('warn', f.lost_records > 0);

    if (document.activeElement !== v.size) v.size.value = String(f.buffering_size_mib);
    if (document.activeElement !== v.interval) v.interval.value = String(f.buffering_interval_s);
    if (document.activeElement !== v.compression) v.compression.value = f.compression_format;

    if (f.objects_total !== v.objectsTotal) {
      v.objectsTotal = f.objects_total;
      v.objects = f.objects;
      this.buildBucket(v, f);
    }
    this.fillVersus(v, f, consumers);
    setText(
      v.known,
      `The lake knows records up to ${formatSimTime(f.lake.known_until_ms)}: later ones are still in the hose.`,
    );
  }

  buildBucket(v, f) {
    setText(
      v.bucketHeading,
      `S3 bucket ${f.bucket_arn.replace(/^arn:aws:s3:::/, '')}: ${formatCount(f.objects_total)} ${f.objects_total === 1 ? 'object' : 'objects'}${f.objects_total > f.objects.length ? ` (newest ${f.objects.length} shown)` : ''}`,
    );
    if (!f.objects.length) {
      replaceChildren(v.bucketList, [el('p', { class: 'hint', text: 'The bucket is empty.' })]);
      return;
    }
    // a rebuild must not take the keyboard focus away from the object it was on
    const active = document.activeElement;
    const focusKey =
      active && v.bucketList.contains(active) && active.dataset ? active.dataset.key : null;
    const groups = new Map();
    const errors = [];
    f.objects.forEach((o, j) => {
      if (o.trigger === 'processing-failed') {
        errors.push([o, j]);
        return;
      }
      const h = hourPrefix(o.key) || 'other/';
      if (!groups.has(h)) groups.set(h, []);
      groups.get(h).push([o, j]);
    });
    const button = ([o, j]) =>
      el('li', {}, [
        el('button', {
          type: 'button',
          class: `fh-object${o.duplicate ? ' dup' : ''}${v.chosen === o.key ? ' chosen' : ''}`,
          'aria-pressed': v.chosen === o.key ? 'true' : 'false',
          dataset: { index: String(j), key: o.key },
          text: `${o.key.split('/').pop()} · ${formatBytes(o.bytes)} · ${formatCount(o.records)} records${o.duplicate ? ' · duplicate' : ''}`,
          onclick: () => this.choose(v, o),
        }),
      ]);
    const parts = [];
    for (const [h, items] of groups) {
      parts.push(
        el('h5', { text: `Folder ${h}` }),
        el('ul', { class: 'fh-objects' }, items.map(button)),
      );
    }
    if (errors.length) {
      parts.push(
        el('h5', { class: 'fh-error-heading', text: '⚠ Error objects (processing failed)' }),
        el('ul', { class: 'fh-objects fh-errors' }, errors.map(button)),
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
    const pre = el('pre', { class: 'fh-lines', tabindex: '0', 'aria-label': 'First lines' });
    pre.textContent = (o.first_lines || []).join('\n');
    replaceChildren(v.detail, [
      el('dl', { class: 'fh-object-detail' }, [
        ...row('Key', o.key),
        ...row(
          'Size',
          `${formatBytes(o.bytes)}${o.compression !== 'UNCOMPRESSED' ? ` (${formatBytes(o.raw_bytes)} before ${o.compression})` : ''}`,
        ),
        ...row('Compression', o.compression),
        ...row('Records', formatCount(o.records)),
        ...row('Oldest record', formatSimTime(o.first_arrival_ms)),
        ...row('Newest record', formatSimTime(o.last_arrival_ms)),
        ...row('Written to S3', formatSimTime(o.delivered_ms)),
        ...row('Why then', TRIGGER_WORDS[o.trigger] || o.trigger),
        ...(o.duplicate ? row('Duplicate', 'yes: a timed-out write was written again') : []),
      ]),
      el('p', { class: 'hint', text: 'Its first lines (JSON, one record a line):' }),
      pre,
    ]);
  }

  fillVersus(v, f, consumers) {
    const job = f.batch_job;
    if (!job) {
      v.versus.hidden = true;
      return;
    }
    v.versus.hidden = false;
    const river = consumers.find((c) => c.application && c.application.alerts > 0);
    const riverText = river
      ? `The river (${river.name}, a ${appWords(river.application.kind)} on the stream) reacted in ${formatDuration(river.application.detection_delay_ms_mean)} on average (at worst ${formatDuration(river.application.detection_delay_ms_max)}).`
      : 'The river (a consumer on the stream) has not raised an alert yet.';
    const damText =
      job.runs > 0 && job.alerts > 0
        ? `The dam (${job.name}, a batch job over the lake ${everyWords(job.every_seconds)}) caught the same kind of thing ${formatDuration(job.detection_delay_ms_mean)} later on average (at worst ${formatDuration(job.detection_delay_ms_max)}).`
        : `The dam (${job.name}, a batch job over the lake ${everyWords(job.every_seconds)}) has ${job.runs > 0 ? `run ${formatCount(job.runs)} times without an alert yet` : 'not run yet'}.`;
    const short =
      river && job.runs > 0 && job.alerts > 0
        ? `In short: the river reacted in ${formatDuration(river.application.detection_delay_ms_mean)}; the dam, ${formatDuration(job.detection_delay_ms_mean)} later. `
        : '';
    setText(v.versus, `${short}${riverText} ${damText}`);
  }

  query(v) {
    const sim = this.getSim();
    const fromMs = minutesToMs(v.from.value);
    const toMs = minutesToMs(v.to.value);
    if (toMs <= fromMs) {
      setText(v.answer, 'The end of the range must come after its start.');
      return;
    }
    let r;
    try {
      r = sim.lakeQuery(v.index, fromMs, toMs);
    } catch {
      setText(v.answer, 'The lake could not answer.');
      return;
    }
    setText(
      v.answer,
      `From ${formatSimTime(fromMs)} to ${formatSimTime(toMs)}: ${formatCount(r.records)} records in ${formatCount(r.objects)} objects; amounts sum to ${dollars(r.sum_amount_cents)}, mean ${dollars(r.mean_amount_cents)}. The lake knows records up to ${formatSimTime(r.known_until_ms)}: later ones are still in the hose.`,
    );
  }
}
