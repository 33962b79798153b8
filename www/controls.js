// DOM building blocks for the controls and panels. Text goes in with textContent only: no
// innerHTML anywhere, so nothing from a scenario, a file or the address can become markup.

import { producerColourVar } from './palette.js';
import { formatCount, formatShare, formatPercent, errorMessages } from './format.js';
import { t } from './text.js';

/** Make an element: el('button', { type: 'button', class: 'x', text: 'Go' }, [children]). */
export function el(tag, props = {}, children = []) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of [].concat(children)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** Replace all children of `parent`. */
export function replaceChildren(parent, children) {
  parent.replaceChildren(...[].concat(children).filter(Boolean));
}

/** A safe id fragment from any producer name. */
export function idPart(s) {
  return String(s)
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .slice(0, 40);
}

/** The largest value the rate slider offers for a producer now sending `rate` records/s. */
export function rateSliderMax(rate) {
  const r = Math.max(0, Number(rate) || 0);
  return Math.max(5000, Math.ceil((r * 2) / 1000) * 1000);
}

/** What a producer writes to, in words: "PutRecords → stream clicks". */
export function producerTarget(p) {
  const key =
    p.target_kind === 'delivery_stream'
      ? 'producer.target.deliveryStream'
      : 'producer.target.stream';
  return t(key, { api: p.api, name: p.target_name });
}

/**
 * One fieldset per producer: rate (slider + number), hot-key share (when its key model is
 * hot_key), pause/resume. `send(commandObject)` queues a facade command and returns its errors
 * (empty when accepted); `limits` are the core's ranges (`rate`: producer.records_per_second,
 * `hotKeyShare`: producer.hot_key_share).
 */
export function buildProducerControls(container, layout, send, limits) {
  const RATE_MIN = limits.rate.min;
  const RATE_MAX = limits.rate.max;
  const rows = [];
  const nodes = layout.producers.map((p, i) => {
    const base = `p${i}-${idPart(p.name)}`;
    const err = el('p', { class: 'control-error', role: 'alert', id: `${base}-err` });
    const report = (errors) => {
      err.textContent = errorMessages(errors).join(' ');
    };

    const num = el('input', {
      type: 'number',
      id: `${base}-rate`,
      min: RATE_MIN,
      max: RATE_MAX,
      step: 1,
      inputmode: 'numeric',
      value: p.records_per_second,
      class: 'rate-number',
    });
    const range = el('input', {
      type: 'range',
      id: `${base}-rate-range`,
      min: RATE_MIN,
      max: rateSliderMax(p.records_per_second),
      step: 1,
      value: p.records_per_second,
      'aria-label': t('producer.rate.slider', { producer: p.name }),
      'aria-valuetext': t('producer.rate.valuetext', { n: formatCount(p.records_per_second) }),
    });
    // The rate last sent (or shown by the layout): Enter and the change event that follows it,
    // or a value typed again, send no second command (each one is part of a shared replay).
    let sentRate = p.records_per_second;
    const sendRate = (v) => {
      const value = Math.max(RATE_MIN, Math.min(RATE_MAX, Math.round(Number(v))));
      if (!Number.isFinite(value)) return;
      if (value === sentRate) {
        report([]);
        return;
      }
      const errors = send({ type: 'set_rate', producer: p.name, records_per_second: value });
      report(errors);
      if (!errors.length) sentRate = value;
    };
    range.addEventListener('input', () => {
      num.value = range.value;
      range.setAttribute(
        'aria-valuetext',
        t('producer.rate.valuetext', { n: formatCount(range.value) }),
      );
    });
    range.addEventListener('change', () => sendRate(range.value));
    const commitNumber = () => {
      if (num.value === '' || !num.checkValidity()) {
        report([
          t('producer.rate.invalid', { min: formatCount(RATE_MIN), max: formatCount(RATE_MAX) }),
        ]);
        return;
      }
      const v = Number(num.value);
      if (v > Number(range.max)) range.max = String(rateSliderMax(v));
      range.value = String(v);
      range.setAttribute('aria-valuetext', t('producer.rate.valuetext', { n: formatCount(v) }));
      sendRate(v);
    };
    num.addEventListener('change', commitNumber);
    num.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') commitNumber();
    });

    let hot = null;
    let hotRange = null;
    let hotOut = null;
    if (p.key_model === 'hot_key') {
      const share = Number(p.hot_key_share ?? 0);
      hotOut = el('output', { for: `${base}-hot`, text: formatPercent(share) });
      hotRange = el('input', {
        type: 'range',
        id: `${base}-hot`,
        min: limits.hotKeyShare.min,
        max: limits.hotKeyShare.max,
        step: 0.05,
        value: share,
        'aria-valuetext': t('producer.hot.valuetext', { pct: formatShare(share) }),
      });
      hotRange.addEventListener('input', () => {
        const pct = formatShare(hotRange.value);
        hotOut.textContent = t('producer.hot.value', { pct });
        hotRange.setAttribute('aria-valuetext', t('producer.hot.valuetext', { pct }));
      });
      hotRange.addEventListener('change', () => {
        report(
          send({
            type: 'set_hot_key_share',
            producer: p.name,
            hot_key_share: Number(hotRange.value),
          }),
        );
      });
      hot = el('div', { class: 'field' }, [
        el('label', { for: `${base}-hot`, text: t('producer.hot.label') }),
        el('div', { class: 'inline' }, [hotRange, hotOut]),
      ]);
    }

    const pause = el('button', { type: 'button', class: 'small', id: `${base}-pause` });
    const setPauseLabel = (paused) => {
      pause.textContent = t(paused ? 'producer.resume' : 'producer.pause', { producer: p.name });
      pause.dataset.paused = paused ? '1' : '0';
    };
    setPauseLabel(p.paused);
    pause.addEventListener('click', () => {
      const paused = pause.dataset.paused === '1';
      const errors = send({
        type: paused ? 'resume_producer' : 'pause_producer',
        producer: p.name,
      });
      report(errors);
      if (!errors.length) setPauseLabel(!paused);
    });

    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = producerColourVar(p.colour);
    // a Direct PUT producer writes to a Firehose delivery stream: its keys choose no shard
    const facts = el('p', {
      class: 'hint',
      id: `${base}-target`,
      text:
        p.target_kind === 'stream'
          ? t('producer.target.keys', {
              target: producerTarget(p),
              keys: describeKeyModel(p.key_model),
            })
          : producerTarget(p),
    });
    const fs = el('fieldset', { class: 'producer' }, [
      el('legend', {}, [swatch, t('producer.legend', { producer: p.name })]),
      facts,
      el('div', { class: 'field' }, [
        el('label', { for: `${base}-rate`, text: t('producer.rate.label', { producer: p.name }) }),
        el('div', { class: 'inline' }, [range, num]),
      ]),
      hot,
      el('div', { class: 'field' }, [pause]),
      err,
    ]);
    const setSentRate = (r) => {
      sentRate = r;
    };
    rows.push({ name: p.name, num, range, hotRange, hotOut, setPauseLabel, setSentRate });
    return fs;
  });
  replaceChildren(container, nodes);
  return {
    /** Bring the controls in line with a new layout, without touching the one being edited. */
    sync(lay) {
      for (const p of lay.producers) {
        const r = rows.find((x) => x.name === p.name);
        if (!r) continue;
        const active = document.activeElement;
        r.setSentRate(p.records_per_second);
        if (
          active !== r.num &&
          active !== r.range &&
          String(r.num.value) !== String(p.records_per_second)
        ) {
          r.num.value = String(p.records_per_second);
          if (p.records_per_second > Number(r.range.max))
            r.range.max = String(rateSliderMax(p.records_per_second));
          r.range.value = String(p.records_per_second);
        }
        if (
          r.hotRange &&
          active !== r.hotRange &&
          p.hot_key_share !== null &&
          p.hot_key_share !== undefined
        ) {
          r.hotRange.value = String(p.hot_key_share);
          r.hotOut.textContent = formatPercent(p.hot_key_share);
          r.hotRange.setAttribute(
            'aria-valuetext',
            t('producer.hot.valuetext', { pct: formatShare(p.hot_key_share) }),
          );
        }
        r.setPauseLabel(!!p.paused);
      }
    },
  };
}

const KEY_MODELS = ['uniform', 'hot_key', 'zipf', 'list', 'random'];

export function describeKeyModel(m) {
  return KEY_MODELS.includes(m) ? t(`producer.keyModel.${m}`) : String(m);
}

/** A table whose body cells are created once and then updated by text: returns the cells. */
export function buildTable(table, headers, rowCount, rowHeaderFirst = true) {
  const thead = el('thead', {}, [
    el(
      'tr',
      {},
      headers.map((h) => el('th', { scope: 'col', text: h })),
    ),
  ]);
  const cells = [];
  const tbody = el(
    'tbody',
    {},
    Array.from({ length: rowCount }, () => {
      const row = headers.map((_, c) =>
        c === 0 && rowHeaderFirst ? el('th', { scope: 'row' }) : el('td'),
      );
      cells.push(row);
      return el('tr', {}, row);
    }),
  );
  replaceChildren(table, [thead, tbody]);
  return cells;
}

/** Set text only when it changed (keeps the DOM quiet for screen readers and layout). */
export function setText(node, text) {
  const t = String(text);
  if (node.textContent !== t) node.textContent = t;
}
