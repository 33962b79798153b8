// ?fuzz (after PhET's fuzz mode): for `fuzzSeconds` (60 by default) the page is sent random
// input through its own handlers: clicks on visible, enabled controls, keys, values in its
// inputs, and commands as the panels send them. Deterministic from `fuzzSeed` (the choices, not
// their timing: the page's frames come when they come). The debug checks (main.js debugCheck)
// run every frame; a page error, an unhandled rejection or a violation is counted and logged
// with console.error. It never navigates away: no link, no download, no file chooser, and not the
// controls that load another scenario (the scene stays the one asked for).
//
// Loaded only with ?fuzz (main.js imports it then); nothing here runs otherwise.

/** A small seeded generator (mulberry32): the page uses no Math.random. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/**
 * Never pressed: they leave the page, download, open a chooser, load another scenario, or open
 * the modal "Embed this" dialog (it holds every other control of the page until closed, so the
 * rest of a fuzz run would only press its three buttons).
 */
const SKIP = [
  'a',
  '[data-download]',
  'input[type="file"]',
  '#preset-load',
  '#scenario-run',
  '#scenario-big-edit',
  '.skip-link',
  '#embed-this',
].join(', ');

const KEYS = [' ', 'ArrowRight', 'ArrowLeft', 'ArrowUp', 'ArrowDown', 'Enter', 'Home', 'End'];
const KEYS_MORE = ['Escape', 'PageUp', 'PageDown', 'a', '5', '%', '-'];
const TEXTS = ['', '0', '1', '-1', '50%', '12.5 %', '1e400', 'abc', '99999999999', '0.5', ' 7 '];

function visible(e) {
  if (e.closest('[inert], [hidden]')) return false;
  if (e.disabled) return false;
  return e.getClientRects().length > 0;
}

function candidates(selector) {
  return [...document.querySelectorAll(selector)].filter((e) => !e.matches(SKIP) && visible(e));
}

/**
 * Start fuzzing. `api`: `send(cmd)` (the page's own, as the panels call it), `layout()`,
 * `limit(name)`, `violation(text)` (count and log one). Returns the state that
 * `window.streamsim.fuzz()` reports: `{ seed, seconds, actions, refused, done, errors }`.
 */
export function startFuzz({ seed, seconds, api }) {
  const r = rng(seed);
  const state = { seed, seconds, actions: 0, refused: 0, done: false, errors: 0, byKind: {} };
  window.addEventListener('error', (e) => {
    state.errors += 1;
    api.violation(`page error: ${e.message}`);
  });
  window.addEventListener('unhandledrejection', (e) => {
    state.errors += 1;
    api.violation(`unhandled rejection: ${e.reason}`);
  });

  const actions = [
    [4, () => click()],
    [2, () => key()],
    [2, () => value()],
    [3, () => command()],
  ];
  const total = actions.reduce((t, [w]) => t + w, 0);

  function click() {
    const list = candidates(
      'button, summary, input[type="checkbox"], input[type="radio"], select, [tabindex="0"]',
    );
    if (!list.length) return 'none';
    const e = r.pick(list);
    if (e.tagName === 'SELECT') {
      const opts = [...e.options].filter((o) => !o.disabled);
      if (!opts.length) return 'select';
      e.value = r.pick(opts).value;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
      return 'select';
    }
    e.focus();
    e.click();
    return 'click';
  }

  function key() {
    if (r.chance(0.3)) {
      const list = candidates('button, input, select, [tabindex="0"]');
      if (list.length) r.pick(list).focus();
    } else if (r.chance(0.2) && document.activeElement instanceof HTMLElement) {
      document.activeElement.blur();
    }
    const k = r.chance(0.85) ? r.pick(KEYS) : r.pick(KEYS_MORE);
    const target = document.activeElement || document.body;
    const init = { key: k, code: k === ' ' ? 'Space' : k, bubbles: true, cancelable: true };
    target.dispatchEvent(new KeyboardEvent('keydown', init));
    target.dispatchEvent(new KeyboardEvent('keyup', init));
    return 'key';
  }

  function value() {
    const list = candidates('input[type="range"], input[type="number"], input[type="text"]');
    if (!list.length) return 'none';
    const e = r.pick(list);
    if (e.readOnly) return 'none';
    if (e.type === 'range') {
      const min = Number(e.min || 0);
      const max = Number(e.max || 100);
      const step = Number(e.step) || 1;
      e.value = String(min + step * r.int(0, Math.floor((max - min) / step)));
    } else if (e.type === 'number') {
      const min = Number(e.min || 0);
      const max = Number(e.max || 1000);
      e.value = r.chance(0.8) ? String(r.int(min, max)) : r.pick(TEXTS);
    } else {
      e.value = r.chance(0.5) ? r.pick(TEXTS) : String(r.int(0, 2 ** 31));
    }
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
    if (r.chance(0.3)) {
      const init = { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true };
      e.dispatchEvent(new KeyboardEvent('keydown', init));
    }
    return 'value';
  }

  function command() {
    const lay = api.layout();
    if (!lay) return 'none';
    const cmd = randomCommand(r, lay);
    if (!cmd) return 'none';
    const errors = api.send(cmd);
    if (Array.isArray(errors) && errors.length) state.refused += 1;
    return 'command';
  }

  const end = performance.now() + seconds * 1000;
  const tick = () => {
    if (performance.now() >= end) {
      state.done = true;
      console.info(
        `streamsim fuzz: ${state.actions} actions (${JSON.stringify(state.byKind)}), ${state.refused} commands refused, ${state.errors} errors`,
      );
      return;
    }
    let pickAt = r.next() * total;
    let act = actions[0][1];
    for (const [w, f] of actions) {
      if (pickAt < w) {
        act = f;
        break;
      }
      pickAt -= w;
    }
    const kind = act();
    state.actions += 1;
    state.byKind[kind] = (state.byKind[kind] || 0) + 1;
    setTimeout(tick, r.int(10, 120));
  };
  setTimeout(tick, 0);
  return state;
}

/** A random command about the run's own names (sometimes out of range: refusals are fine). */
export function randomCommand(r, lay) {
  const producer = lay.producers.length ? r.pick(lay.producers).name : 'nobody';
  const open = lay.lanes.filter((l) => l.state === 'OPEN');
  const stream = lay.streams.length ? r.pick(lay.streams) : null;
  const consumer = lay.consumers.length ? r.pick(lay.consumers).name : 'nobody';
  const fh = lay.firehoses.length ? r.pick(lay.firehoses).name : 'nobody';
  const rate = () => (r.chance(0.9) ? r.int(1, 5000) : r.int(0, 3_000_000));
  const share = () => (r.chance(0.9) ? r.int(0, 100) / 100 : r.pick([-1, 2, 1.5]));
  const fnNames = lay.consumers
    .map((c) => c.function_name)
    .filter((n) => typeof n === 'string' && n);
  const builders = [
    () => ({ type: 'set_rate', producer, records_per_second: rate() }),
    () => ({ type: 'set_hot_key_share', producer, hot_key_share: share() }),
    () => ({ type: r.chance(0.5) ? 'pause_producer' : 'resume_producer', producer }),
    () => ({ type: 'put_poison_record', producer }),
    () => {
      if (!open.length) return null;
      const l = r.pick(open);
      return { type: 'split_shard', stream_name: l.stream, shard_to_split: l.shard_id };
    },
    () => {
      if (open.length < 2) return null;
      const k = r.int(0, open.length - 2);
      return {
        type: 'merge_shards',
        stream_name: open[k].stream,
        shard_to_merge: open[k].shard_id,
        adjacent_shard_to_merge: open[k + 1].shard_id,
      };
    },
    () =>
      stream && {
        type: 'update_shard_count',
        stream_name: stream.name,
        target_shard_count: r.int(1, Math.max(2, stream.open_shards * 2 + 1)),
      },
    () => ({
      type: r.chance(0.5) ? 'crash_worker' : 'restart_worker',
      consumer,
      worker: r.int(1, 3),
    }),
    () =>
      r.chance(0.5)
        ? { type: 'set_processing_rate', consumer, records_per_second: r.int(1, 2000) }
        : { type: 'set_processing_rate', consumer },
    () => ({
      type: 'set_function_error_rate',
      function_name: fnNames.length ? r.pick(fnNames) : 'nobody',
      error_rate: share(),
    }),
    () => ({ type: 'set_s3_available', delivery_stream_name: fh, available: r.chance(0.5) }),
    () => ({ type: 'set_s3_timeout_rate', delivery_stream_name: fh, timeout_rate: share() }),
    () => ({
      type: 'update_destination',
      delivery_stream_name: fh,
      buffering_size: r.int(1, 128),
      buffering_interval: r.int(0, 900),
      compression_format: r.pick(['UNCOMPRESSED', 'GZIP', 'Snappy', 'ZIP']),
    }),
    () => ({ type: 'set_redshift_available', delivery_stream_name: fh, available: r.chance(0.5) }),
    () => ({
      type: 'set_transform_rates',
      delivery_stream_name: fh,
      error_rate: share(),
      dropped_rate: share(),
      processing_failed_rate: share(),
    }),
  ];
  return r.pick(builders)();
}
