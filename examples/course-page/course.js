// The course page's side of the protocol (README "Embedding"): it sizes each frame from its
// `resize`, shows the exercise's `result` as a grade, and drives the exercise with `invoke`.
//
// The simulator's address: ?sim=https://sim.example.org/ (default: this server's root, two
// folders up). Every embed is told this page's origin (parentOrigin), so it answers only here;
// this page in turn takes messages only from the simulator's origin and from its own frames.

const here = new URL(location.href);
const simBase = new URL(here.searchParams.get('sim') ?? '../../', here);
const SIM_ORIGIN = simBase.origin;

const frames = [...document.querySelectorAll('iframe.sim')];
for (const f of frames) {
  const q = new URLSearchParams(f.dataset.embed);
  q.set('embed', '1');
  q.set('parentOrigin', location.origin);
  f.src = new URL(`index.html?${q}`, simBase).href;
}

const exercise = document.getElementById('sim-exercise');
const pending = new Map();
let nextId = 1;

/** Call a method of the embed in `frame`; resolves to its reply ({ ok, value | error }). */
export function call(frame, method, args = {}) {
  const id = `c${nextId++}`;
  frame.contentWindow.postMessage(
    { target: 'streamsim', v: 1, type: 'invoke', id, method, args },
    SIM_ORIGIN,
  );
  return new Promise((resolve) => pending.set(id, resolve));
}

const received = [];
const log = document.getElementById('log');
const grade = document.getElementById('grade');

window.addEventListener('message', (event) => {
  if (event.origin !== SIM_ORIGIN) return;
  const frame = frames.find((f) => f.contentWindow === event.source);
  const m = event.data;
  if (!frame || !m || typeof m !== 'object' || m.source !== 'streamsim') return;
  received.push({ frame: frame.id, ...m });
  if (m.type === 'resize' && Number.isFinite(m.height)) {
    // the embed fits the frame it is given: grow only up to what it asks, at least 400 px
    frame.style.height = `${Math.max(400, Math.min(m.height, 900))}px`;
  } else if (m.type === 'reply' && pending.has(m.id)) {
    pending.get(m.id)(m);
    pending.delete(m.id);
    if (!m.ok) log.textContent = `The simulator refused: ${m.error}`;
  } else if (m.type === 'result' && frame === exercise) {
    const s = m.result?.score ?? {};
    const verb = m.verb === 'passed' ? 'Passed' : m.verb === 'failed' ? 'Not passed' : 'Answered';
    grade.textContent = `${verb}: ${s.raw} of ${s.max} (${Math.round((s.scaled ?? 0) * 100)}%), in ${m.result?.duration}.`;
    grade.classList.toggle('passed', m.result?.success === true);
  } else if (m.type === 'event' && m.kind === 'throttling' && frame === exercise) {
    log.textContent = `Throttling began at ${(m.t_ms / 1000).toFixed(1)} s on ${m.shards.join(', ')}.`;
  }
});

const on = (id, fn) => document.getElementById(id).addEventListener('click', fn);
on('ex-play', () => call(exercise, 'play'));
on('ex-pause', () => call(exercise, 'pause'));
on('ex-reset', () => {
  grade.textContent = 'Not graded yet.';
  grade.classList.remove('passed');
  call(exercise, 'reset');
});
on('ex-spread', () =>
  call(exercise, 'command', {
    command: { type: 'set_hot_key_share', producer: 'sensors', hot_key_share: 0.05 },
  }),
);
on('ex-minute', () => call(exercise, 'step', { ticks: 700 }));

// for the end-to-end test and the curious: what arrived, and the call helper
window.course = { call: (i, m, a) => call(frames[i], m, a), received, SIM_ORIGIN };
