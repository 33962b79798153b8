// Embed mode (issue 10): `?embed=1` shows one lesson step or one scene with no page chrome, for
// an iframe in a course page. It reads its parameters (and says which it did not use), starts
// paused behind a play button, parks its loop when off screen, reports its size, and speaks
// the message protocol of host.js. main.js calls in at a few marked hook points; the page's
// own code paths (commands through sim.js, the lesson machinery) do the work.

import { el } from './controls.js';
import { SPEED_MIN, SPEED_MAX } from './format.js';
import { t, LOCALE_PATTERN } from './text.js';
import { startHost, isoDuration, PROTOCOL_VERSION } from './host.js';

/** The scenes an embed can show: the parts of the page (data-part words) and a preset. */
export const SCENES = {
  belt: { show: ['producers', 'belt', 'metrics'], preset: 'hot-key' },
  firehose: { show: ['firehose', 's3'], preset: 'firehose-s3' },
  together: { show: ['belt', 'firehose'], preset: 'gaming' },
  batch: { show: ['batch'], preset: 'batch-vs-streaming' },
  lake: { show: ['s3', 'lake'], preset: 'firehose-s3' },
};

const CONTROLS = ['none', 'play', 'all'];
const COMPAT = ['h5p', 'canvas', 'perseus'];
const KNOWN = [
  'embed',
  'lesson',
  'step',
  'scene',
  'preset',
  'controls',
  'autoplay',
  'parentOrigin',
  'locale',
  'compat',
];
/** What a scene's toolbar offers with `controls=all` (panels' inputs too). */
const ALL_CONTROLS = [
  'play',
  'step',
  'reset',
  'speed',
  'rate',
  'hot_key',
  'pause_producer',
  'shards',
  'reshard',
  'firehose',
];
export const METHODS = [
  'play',
  'pause',
  'step',
  'setSpeed',
  'reset',
  'load',
  'goToStep',
  'command',
  'getState',
];
const MAX_STEP_TICKS = 100_000;

/**
 * The embed's options from the address, or null without `embed=1`. Every parameter it does
 * not know, and every bad value, is kept in `problems` ([key, params]) to be shown.
 */
export function readEmbed(search) {
  const q = new URLSearchParams(search);
  if (q.get('embed') !== '1') return null;
  const problems = [];
  const bad = (name, value, allowed) =>
    problems.push(['embed.notice.bad', { name, value, allowed: allowed.join(', ') }]);
  for (const name of new Set(q.keys())) {
    if (!KNOWN.includes(name)) problems.push(['embed.notice.unknown', { name }]);
  }
  const o = {
    lesson: q.get('lesson') || null,
    step: 1,
    scene: null,
    preset: q.get('preset') || null,
    controls: 'play',
    autoplay: false,
    parentOrigin: null,
    locale: q.get('locale') || 'en',
    compat: new Set(),
    problems,
  };
  if (q.has('step')) {
    const v = q.get('step');
    if (/^[1-9]\d{0,3}$/.test(v)) o.step = Number(v);
    else problems.push(['embed.notice.badStep', { value: v }]);
  }
  if (q.has('scene')) {
    const v = q.get('scene');
    if (Object.hasOwn(SCENES, v)) o.scene = v;
    else bad('scene', v, Object.keys(SCENES));
  }
  if (o.lesson && o.scene) {
    problems.push(['embed.notice.both', {}]);
    o.scene = null; // the lesson wins (should it not exist, sceneLesson shows the belt)
  }
  if (q.has('step') && !o.lesson) problems.push(['embed.notice.stepIgnored', {}]);
  if (q.has('controls')) {
    const v = q.get('controls');
    if (CONTROLS.includes(v)) o.controls = v;
    else bad('controls', v, CONTROLS);
  }
  if (q.has('autoplay')) {
    const v = q.get('autoplay');
    if (v === '0' || v === '1') o.autoplay = v === '1';
    else bad('autoplay', v, ['0', '1']);
  }
  if (q.has('parentOrigin')) {
    const v = q.get('parentOrigin');
    let origin = null;
    try {
      const u = new URL(v);
      if (/^https?:$/.test(u.protocol) && u.origin === v) origin = u.origin;
    } catch {
      // not a URL
    }
    if (origin) o.parentOrigin = origin;
    else problems.push(['embed.notice.badOrigin', { value: v }]);
  }
  if (q.has('locale') && !LOCALE_PATTERN.test(o.locale)) {
    problems.push(['embed.notice.badLocale', { value: o.locale }]);
    o.locale = 'en';
  }
  for (const v of (q.get('compat') ?? '').split(',').filter(Boolean)) {
    if (COMPAT.includes(v)) o.compat.add(v);
    else bad('compat', v, COMPAT);
  }
  if (o.preset && !o.scene && !o.lesson) o.scene = 'belt';
  if (o.preset && o.lesson) problems.push(['embed.notice.presetIgnored', {}]);
  return o;
}

/**
 * A scene as a lesson of one step (main.js's lesson machinery shows a step's parts and offers
 * its controls): `problem` is main.js's word on an unknown lesson.
 */
export function sceneLesson(o, engine, problem) {
  if (o.lesson) {
    o.problems.push(['embed.notice.unknownLesson', { value: o.lesson }]);
    if (problem) console.warn(`streamsim embed: ${problem}`);
    o.lesson = null;
  }
  o.scene ??= 'belt';
  const scene = SCENES[o.scene];
  let preset = scene.preset;
  if (o.preset) {
    const names = engine.presetNames();
    if (names.includes(o.preset)) preset = o.preset;
    else
      o.problems.push(['embed.notice.unknownPreset', { value: o.preset, names: names.join(', ') }]);
  }
  o.preset = preset;
  const controls = o.controls === 'all' ? ALL_CONTROLS : o.controls === 'play' ? ['play'] : [];
  return {
    id: `scene-${o.scene}`,
    title: t(`embed.scene.${o.scene}`),
    start: { preset },
    exercises: [],
    steps: [
      {
        id: o.scene,
        title: t(`embed.scene.${o.scene}`),
        text: [],
        show: scene.show,
        controls,
        on_entry: { then: 'play' },
      },
    ],
  };
}

// ---- the running embed ----------------------------------------------------------------------

let live = null; // { app, host, ... } once startEmbed ran

/** main.js's hook points: a step changed, play or pause, throttling began, a task's status, a
 * grade. */
export function embedHook(kind, detail) {
  if (!live) return;
  const { app, host } = live;
  const tMs = app.run ? app.run.nowMs() : 0;
  if (kind === 'released') {
    app.embedHold = false;
    document.getElementById('embed-play')?.remove();
  } else if (kind === 'step') {
    live.exerciseStart = performance.now();
    live.reported = new Set();
    host.post('event', { kind: 'step', t_ms: tMs, lesson: detail.lesson, step: detail.step });
    // xAPI's "completed": the student reached the lesson's last step (once per embed)
    const steps = app.lesson?.data.steps.length ?? 0;
    if (!app.embed.scene && detail.step === steps && !live.completed) {
      live.completed = true;
      sendResult('completed', detail.lesson, steps, steps, true);
    }
  } else if (kind === 'playing') {
    // the student's play and pause inside the frame reach the host as they happen
    // (a host's own play or pause gets its state after the call, in invoke)
    if (detail.playing !== live.lastPlaying) {
      live.lastPlaying = detail.playing;
      if (!live.invoking) postState();
    }
  } else if (kind === 'throttle') {
    host.post('event', { kind: 'throttling', t_ms: tMs, shards: detail.shards });
  } else if (kind === 'task') {
    const { status, exercise } = detail;
    if (status.state === 'passed' && !live.reported.has('passed')) {
      live.reported.add('passed');
      host.post('event', { kind: 'goal', t_ms: tMs, exercise });
      sendResult('passed', exercise, 1, 1, true);
    } else if (status.state === 'failed' && !live.reported.has('failed')) {
      live.reported.add('failed');
      sendResult('failed', exercise, 0, 1, false);
    }
  } else if (kind === 'graded') {
    const g = detail.graded;
    const max = Number.isFinite(g.total) ? g.total : 1;
    const raw = Number.isFinite(g.earned) ? g.earned : g.passed ? 1 : 0;
    sendResult('answered', detail.exercise, raw, max, g.passed === true);
  }
}

function sendResult(verb, id, raw, max, success) {
  live.host.post('result', {
    verb,
    object: { id },
    result: {
      score: { raw, min: 0, max, scaled: max > 0 ? raw / max : 0 },
      success,
      completion: verb !== 'failed',
      duration: isoDuration(performance.now() - (live.exerciseStart ?? performance.now())),
    },
  });
}

/** Start the embed: chrome off, notice, play button, parking, size, the protocol. */
export function startEmbed(app, fns) {
  const o = app.embed;
  const root = document.documentElement;
  root.dataset.embed = o.scene ? 'scene' : 'lesson';
  root.dataset.embedControls = o.controls;
  live = { app, fns, reported: new Set(), exerciseStart: performance.now(), lastSeq: [] };

  const steps = app.lesson.data.steps.length;
  if (o.step > steps) o.problems.push(['embed.notice.stepRange', { value: o.step, total: steps }]);
  showNotice(o.problems);
  if (!o.autoplay) showPlayButton(app, fns);

  live.host = startHost({
    parentOrigin: o.parentOrigin,
    methods: Object.fromEntries(METHODS.map((m) => [m, true])),
    compat: o.compat,
    onInvoke: (method, args) => invoke(method, args),
    onH5pHello: () => live.host.post('resize', { height: naturalHeight() }),
  });
  watchVisibility(app, fns);
  watchSize();
  setInterval(fns.guard(watchObjects), 500);
  live.host.post('ready', {
    capabilities: {
      version: PROTOCOL_VERSION,
      methods: METHODS,
      events: ['step', 'goal', 'throttling', 'object'],
      mode: o.scene ? 'scene' : 'lesson',
      scene: o.scene,
      lesson: o.scene ? null : app.lesson.id,
      steps,
      compat: [...o.compat],
    },
  });
}

/** The dismissable notice of the parameters not used; each also on the console. */
function showNotice(problems) {
  if (!problems.length) return;
  const lines = problems.map(([key, params]) => t(key, params));
  for (const line of lines) console.warn(`streamsim embed: ${line}`);
  const close = el('button', { type: 'button', class: 'small', text: t('embed.notice.close') });
  const box = el('div', { class: 'embed-notice', id: 'embed-notice', role: 'status' }, [
    el('p', { text: t('embed.notice.heading') }),
    el(
      'ul',
      {},
      lines.map((line) => el('li', { text: line })),
    ),
    close,
  ]);
  close.addEventListener('click', () => box.remove());
  document.body.prepend(box);
}

/** The big play button over the scene: the embed stays paused until it is pressed. */
function showPlayButton(app, fns) {
  const button = el('button', { type: 'button', class: 'embed-play primary', id: 'embed-play' }, [
    el('span', { class: 'icon icon-play', 'aria-hidden': 'true' }),
    ` ${t('embed.play')}`,
  ]);
  button.addEventListener(
    'click',
    fns.guard(() => play(app, fns)),
  );
  document.getElementById('scene').append(button);
}

function play(app, fns) {
  app.embedHold = false;
  const button = document.getElementById('embed-play');
  const had = button && button.contains(document.activeElement);
  button?.remove();
  fns.setPlaying(true, false);
  if (had) document.getElementById('play')?.focus();
}

/** Off screen (IntersectionObserver on this document's root) or hidden: the loop parks. */
function watchVisibility(app, fns) {
  let onScreen = true;
  const update = () => {
    const park = !onScreen || document.visibilityState === 'hidden';
    if (park === Boolean(app.parked)) return;
    app.parked = park;
    // seen by the host's tests (and by devtools): the loop is parked
    document.documentElement.toggleAttribute('data-parked', park);
    if (!park && app.loopParked) {
      app.loopParked = false;
      app.lastFrameT = null; // no jump: the parked time is not simulated
      requestAnimationFrame(fns.frame);
    }
  };
  new IntersectionObserver((entries) => {
    onScreen = entries[entries.length - 1].isIntersecting;
    update();
  }).observe(document.documentElement);
  document.addEventListener('visibilitychange', update);
}

/**
 * The height at which nothing in the embed scrolls inside its own box: what the host may give
 * the iframe (the embed still fits a smaller one; its long parts then scroll). The document
 * itself is always exactly the frame's height, so its parts are measured instead.
 */
export function naturalHeight() {
  const h = (el) => (el && el.offsetParent !== null ? el.scrollHeight : 0);
  const gap = 8;
  const scene =
    h(document.querySelector('#scene .belt-card')) + h(document.getElementById('panels'));
  const side = h(document.getElementById('lesson-side'));
  const doc = document.documentElement.scrollHeight;
  return Math.ceil(Math.max(doc, Math.max(scene + gap, side) + 2 * gap));
}

/** A box that scrolls inside the frame can be focused, to scroll it by keyboard. */
function focusScrollers() {
  for (const box of document.querySelectorAll(
    '#lesson-side, #scene .belt-card, #belt-wrap, #panels',
  )) {
    const scrolls = box.offsetParent !== null && box.scrollHeight > box.clientHeight + 1;
    if (scrolls && !box.hasAttribute('tabindex')) {
      box.setAttribute('tabindex', '0');
      box.dataset.embedFocus = '1';
    } else if (!scrolls && box.dataset.embedFocus) {
      box.removeAttribute('tabindex');
      delete box.dataset.embedFocus;
    }
  }
}

/** The height the host should give the iframe, each time it changes. */
function watchSize() {
  let last = -1;
  let queued = false;
  const report = () => {
    queued = false;
    focusScrollers();
    const height = naturalHeight();
    if (height === last) return;
    last = height;
    live.host.post('resize', { height });
  };
  const ro = new ResizeObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(report);
  });
  // the parts whose content grows and shrinks (the document's own size is the frame's)
  const parts = document.querySelectorAll(
    '#step-body, #belt-wrap, #scene .belt-card > *, #panels > .card, #panels > .card > *',
  );
  for (const node of [document.documentElement, ...parts]) ro.observe(node);
}

/** An object landed in S3: one event per object (the panels' copy of the newest ones). */
function watchObjects() {
  const hoses = live.app.data.firehoses ?? [];
  hoses.forEach((f, i) => {
    const objects = f.objects ?? [];
    const newest = objects.length ? objects[objects.length - 1].seq : -1;
    const seen = live.lastSeq[i] ?? -1;
    if (newest <= seen) return;
    live.lastSeq[i] = newest;
    for (const ob of objects.filter((x) => x.seq > seen).slice(-10)) {
      live.host.post('event', {
        kind: 'object',
        t_ms: live.app.run.nowMs(),
        delivery_stream: f.name,
        key: ob.key ?? null,
        records: ob.records ?? null,
      });
    }
  });
}

// ---- the methods ----------------------------------------------------------------------------

const ok = (value = null) => ({ ok: true, value });
const no = (error, errors) => ({ ok: false, error, errors });

function state() {
  const { app } = live;
  const L = app.lesson;
  return {
    t_ms: app.run.nowMs(),
    tick: app.run.tick(),
    digest: app.run.digest(),
    playing: app.playing,
    lesson: app.embed.scene ? null : L.id,
    scene: app.embed.scene,
    step: L.index + 1,
  };
}

function postState() {
  live.host.post('state', state());
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function invoke(method, args) {
  const { app, fns } = live;
  if (app.halted) return no('the simulation stopped; reload the embed');
  live.invoking = true;
  let done;
  try {
    const out = runMethod(method, args, app, fns);
    done = out instanceof Promise ? await out : out;
  } finally {
    live.invoking = false;
  }
  if (done.ok && method !== 'getState') postState();
  return done;
}

function runMethod(method, args, app, fns) {
  switch (method) {
    case 'play':
      play(app, fns);
      return ok(state());
    case 'pause':
      fns.setPlaying(false, false);
      return ok(state());
    case 'step': {
      const n = args.ticks ?? 1;
      if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_TICKS) {
        return no(`args.ticks: a whole number from 1 to ${MAX_STEP_TICKS}`);
      }
      if (app.playing) fns.setPlaying(false, false);
      fns.advance(n);
      fns.render(performance.now(), true);
      return ok(state());
    }
    case 'setSpeed': {
      const s = args.speed;
      // the slider's range (format.js), not a second one: a speed the page cannot run is refused
      if (typeof s !== 'number' || !(s >= SPEED_MIN && s <= SPEED_MAX)) {
        return no(`args.speed: a number of times real time, from ${SPEED_MIN} to ${SPEED_MAX}`);
      }
      fns.setSpeedTo(s);
      return ok({ speed: app.speed });
    }
    case 'reset':
      fns.resetLessonRun();
      live.reported = new Set();
      live.exerciseStart = performance.now();
      return ok(state());
    case 'goToStep': {
      const total = app.lesson.data.steps.length;
      const n = args.step;
      if (!Number.isInteger(n) || n < 1 || n > total) {
        return no(`args.step: a step of this lesson, 1 to ${total}`);
      }
      fns.enterStep(n - 1, { history: 'none', focus: false });
      return ok(state());
    }
    case 'command': {
      if (!isPlainObject(args.command)) return no('args.command: a command object');
      const errors = fns.sendCommand(args.command, { host: true });
      if (errors.length) return no(errorText(errors), errors);
      return ok(null);
    }
    case 'load':
      return load(args, app, fns);
    case 'getState':
      return ok(state());
    default:
      return no(`method: unknown method ${method}`);
  }
}

function errorText(errors) {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

/** `load`: another preset or scenario in a scene; another lesson (or step) reloads the embed. */
function load(args, app, fns) {
  const given = ['preset', 'scenario', 'lesson'].filter((k) => args[k] !== undefined);
  if (given.length !== 1) return no('args: exactly one of preset, scenario or lesson');
  if (given[0] === 'lesson') {
    if (typeof args.lesson !== 'string' || !/^[a-z0-9-]{1,64}$/.test(args.lesson)) {
      return no('args.lesson: a lesson id');
    }
    if (args.step !== undefined && !(Number.isInteger(args.step) && args.step >= 1)) {
      return no('args.step: a step number from 1');
    }
    try {
      app.engine.lesson(args.lesson);
    } catch {
      return no(`args.lesson: there is no lesson "${args.lesson}"`);
    }
    const q = new URLSearchParams(location.search);
    q.delete('scene');
    q.delete('preset');
    q.set('lesson', args.lesson);
    q.set('step', String(args.step ?? 1));
    setTimeout(() => location.replace(`?${q}`), 0); // after the reply: a new lesson is a new page
    return ok({ reloading: true });
  }
  if (!app.embed.scene) return no('args: a lesson embed loads lessons only; use {lesson, step}');
  let run;
  if (given[0] === 'preset') {
    const names = app.engine.presetNames();
    if (!names.includes(args.preset)) {
      return no(`args.preset: not a preset; the presets are ${names.join(', ')}`);
    }
    run = app.engine.fromPreset(args.preset);
    app.lesson.data.start = { preset: args.preset };
    delete app.lesson.data.scenario;
  } else {
    const text = typeof args.scenario === 'string' ? args.scenario : JSON.stringify(args.scenario);
    const errors = app.engine.validate(text);
    if (errors.length) {
      return no(errorText(errors.map((e) => ({ ...e, path: `args.scenario.${e.path}` }))), errors);
    }
    run = app.engine.fromScenario(text);
    app.lesson.data.start = {};
    app.lesson.data.scenario = JSON.parse(text);
  }
  run.lessonRun = true;
  fns.install(run, '');
  fns.setPlaying(false, false);
  live.reported = new Set();
  return ok(state());
}

// ---- "Embed this": the iframe code for the step or scene on screen ----------------------------

const SIZES = [
  { id: '800x500', width: '800', height: '500' },
  { id: '640x480', width: '640', height: '480' },
  { id: '100x600', width: '100%', height: '600' },
];

/** Text safe inside a double-quoted HTML attribute (the code is text the user pastes). */
function attr(s) {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The embed address of what the page shows now (a lesson step, or the playground's scene). */
export function embedAddress(app) {
  const q = new URLSearchParams();
  q.set('embed', '1');
  if (app.lesson) {
    q.set('lesson', app.lesson.id);
    q.set('step', String(app.lesson.index + 1));
  } else {
    const lay = app.layout;
    const hoses = lay ? lay.firehoses.length > 0 : false;
    const streams = lay ? lay.streams.length > 0 : true;
    q.set('scene', hoses ? (streams ? 'together' : 'firehose') : 'belt');
    const preset = app.run?.origin?.preset;
    if (preset) q.set('preset', preset);
  }
  if (app.locale && app.locale !== 'en') q.set('locale', app.locale);
  const base = new URL(location.href);
  base.search = `?${q}`;
  base.hash = '';
  return base.href;
}

/** The iframe code for `size` (one of SIZES). */
export function iframeCode(app, size) {
  const title = app.lesson
    ? t('embed.this.frameTitle', { title: `${app.lesson.data.title}: ${app.lesson.step.title}` })
    : t('embed.this.frameTitle', { title: document.title });
  return (
    `<iframe src="${attr(embedAddress(app))}" title="${attr(title)}" ` +
    `width="${size.width}" height="${size.height}" loading="lazy" ` +
    `sandbox="allow-scripts allow-same-origin" allow="fullscreen"></iframe>`
  );
}

/** The page's "Embed this" button (next to the crumbs) and its dialog. */
export function offerEmbedThis(app) {
  const open = el('button', {
    type: 'button',
    id: 'embed-this',
    class: 'small embed-this',
    text: t('embed.this.button'),
  });
  const sizeSel = el(
    'select',
    { id: 'embed-size' },
    SIZES.map((s) => el('option', { value: s.id, text: t(`embed.this.size.${s.id}`) })),
  );
  const code = el('textarea', {
    id: 'embed-code',
    rows: '5',
    readonly: true,
    spellcheck: 'false',
  });
  const status = el('p', { id: 'embed-copy-status', class: 'hint', role: 'status' });
  const copy = el('button', {
    type: 'button',
    id: 'embed-copy',
    class: 'primary',
    text: t('embed.this.copy'),
  });
  const close = el('button', { type: 'button', id: 'embed-close', text: t('embed.this.close') });
  const dialog = el(
    'dialog',
    { id: 'embed-dialog', class: 'embed-dialog', 'aria-labelledby': 'embed-dialog-heading' },
    [
      el('h2', { id: 'embed-dialog-heading', text: t('embed.this.heading') }),
      el('p', { class: 'hint', text: t('embed.this.intro') }),
      el('div', { class: 'field inline' }, [
        el('label', { for: 'embed-size', text: t('embed.this.size') }),
        sizeSel,
      ]),
      el('div', { class: 'field' }, [
        el('label', { for: 'embed-code', text: t('embed.this.code') }),
        code,
      ]),
      el('div', { class: 'field inline' }, [copy, close]),
      status,
    ],
  );
  const fill = () => {
    code.value = iframeCode(app, SIZES.find((s) => s.id === sizeSel.value) ?? SIZES[0]);
    status.textContent = '';
  };
  sizeSel.addEventListener('change', fill);
  open.addEventListener('click', () => {
    fill();
    dialog.showModal();
    code.focus();
  });
  close.addEventListener('click', () => dialog.close());
  copy.addEventListener('click', async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(code.value);
      status.textContent = t('embed.this.copied');
    } catch {
      // no clipboard here (an insecure origin, a refused permission): select it for Ctrl+C
      code.focus();
      code.select();
      status.textContent = t('embed.this.selectHint');
    }
  });
  const crumbs = document.getElementById('crumbs');
  crumbs.append(' ', open);
  document.body.append(dialog);
}
