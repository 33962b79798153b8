// Browser benchmark: fast-forward one preset (default "gaming") for one simulated hour and report
// { simulatedMs, wallMs, wasmMemoryBytes, digest, ... } as JSON, in the page and on the console.
// Driven headlessly by scripts/bench-browser.mjs, which waits for body[data-state="done"].
// No inline script or style anywhere: the page runs under the server's strict CSP. Like the
// simulator page, it reaches the wasm facade only through sim.js.

import { loadEngine } from './sim.js';
import { errorMessages } from './format.js';

const params = new URLSearchParams(location.search);
const preset = params.get('preset') || 'gaming';
const seconds = Number(params.get('seconds') || 3600);
const chunkTicks = Number(params.get('chunk') || 1000); // ticks per sim.step() call

const $ = (id) => document.getElementById(id);
const setState = (state) => {
  document.body.dataset.state = state;
};
const setStatus = (text) => {
  $('status').textContent = text;
};
const describe = (err) => errorMessages(err).join('; ');
const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

let engine;

async function load() {
  try {
    engine = await loadEngine();
  } catch (err) {
    throw new Error(`cannot load ./pkg/streamsim.js (run \`make build\`): ${describe(err)}`, {
      cause: err,
    });
  }
}

async function run() {
  const names = engine.presetNames();
  if (!names.includes(preset)) {
    throw new Error(`unknown preset "${preset}"; known: ${names.join(', ')}`);
  }
  if (!(seconds > 0) || !(chunkTicks >= 1)) throw new Error('seconds and chunk must be positive');

  const sim = engine.fromPreset(preset);
  try {
    const tickMs = sim.tickMs;
    const ticks = Math.round((seconds * 1000) / tickMs);
    let done = 0;
    let stepMs = 0;
    const t0 = performance.now();
    let lastYield = t0;
    while (done < ticks) {
      const n = Math.min(chunkTicks, ticks - done);
      const s = performance.now();
      sim.step(n);
      const e = performance.now();
      stepMs += e - s;
      done += n;
      // Repaint the progress a few times a second; yielding after every chunk would add timer
      // clamping to the measurement.
      if (e - lastYield > 250) {
        setStatus(`Running: ${Math.round((100 * done) / ticks)}% of ${ticks} ticks…`);
        await yieldToBrowser();
        lastYield = performance.now();
      }
    }
    const wallMs = performance.now() - t0;
    const simulatedMs = sim.nowMs();
    return {
      simulatedMs,
      wallMs: Math.round(wallMs * 10) / 10,
      wasmMemoryBytes: engine.wasm.memory.buffer.byteLength,
      digest: sim.digest(),
      preset,
      ticks,
      tickMs,
      stepMs: Math.round(stepMs * 10) / 10,
      speedup: Math.round(simulatedMs / wallMs),
    };
  } finally {
    sim.free();
  }
}

async function runAndShow() {
  $('run').disabled = true;
  setState('running');
  setStatus('Running…');
  try {
    const result = await run();
    const json = JSON.stringify(result);
    console.log(json);
    $('result').textContent = JSON.stringify(result, null, 2);
    setStatus(
      `Done: ${result.simulatedMs / 1000} simulated seconds in ${result.wallMs} ms ` +
        `(${result.speedup}× real time).`,
    );
    setState('done');
  } catch (err) {
    fail(err);
  } finally {
    $('run').disabled = false;
  }
}

function fail(err) {
  const text = describe(err);
  $('result').textContent = JSON.stringify({ error: text }, null, 2);
  setStatus(`Failed: ${text}`);
  setState('error');
  console.error(`bench: ${text}`);
}

$('preset').textContent = preset;
$('duration').textContent =
  seconds === 3600 ? 'one simulated hour' : `${seconds} simulated seconds`;
$('run').addEventListener('click', runAndShow);
load().then(runAndShow, fail);
