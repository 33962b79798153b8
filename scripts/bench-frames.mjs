#!/usr/bin/env node
// Frame-time benchmark: serve the repo, open the simulator page (index.html?preset=NAME&measure)
// in headless Chromium for every preset (src/sim/presets/) at 1× and 100×, and print one JSON
// document on stdout: per preset and speed, the main-thread time of the page's frames (its
// requestAnimationFrame callback: stepping, reading the core, drawing the belt and panels) as
// p50/p95/p99 ms, the frames per second reached, the simulated speed reached (simulated ms per
// wall ms) and the bytes of typed arrays that crossed the wasm boundary per frame (max, mean),
// against the core's limit. Needs a build (make build).
//
//   node scripts/bench-frames.mjs [--presets gaming,clickstream] [--seconds 5] [--speeds 1,100]
//                                 [--width 1280] [--check]
//
// --check fails (exit 1) when a number is not well formed or a frame's bytes pass the limit: the
// smoke run of scripts/test.sh. It never fails on a time.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startServer, launchBrowser, openPage, REPO_ROOT } from '../tests/e2e/harness.mjs';
import { speedPosition } from '../tests/e2e/fixtures/app.mjs';

const { values: opts } = parseArgs({
  options: {
    presets: { type: 'string', default: '' },
    seconds: { type: 'string', default: '5' },
    speeds: { type: 'string', default: '1,100' },
    width: { type: 'string', default: '1280' },
    warmup: { type: 'string', default: '1.5' }, // seconds before measuring
    check: { type: 'boolean', default: false },
  },
});

const allPresets = fs
  .readdirSync(path.join(REPO_ROOT, 'src/sim/presets'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5))
  .sort();
const presets = opts.presets ? opts.presets.split(',').filter(Boolean) : allPresets;
const unknown = presets.filter((p) => !allPresets.includes(p));
if (unknown.length) {
  console.error(
    `bench-frames: unknown preset ${unknown.join(', ')}; known: ${allPresets.join(', ')}`,
  );
  process.exit(2);
}
const speeds = opts.speeds.split(',').map(Number);
const seconds = Number(opts.seconds);
const warmupMs = Number(opts.warmup) * 1000;
if (!(seconds > 0) || speeds.some((s) => !(s > 0))) {
  console.error('bench-frames: --seconds and --speeds must be positive');
  process.exit(2);
}

/** The value at quantile `q` of `sorted` (nearest rank). */
function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function measure(page, speed) {
  await page.locator('#speed').fill(speedPosition(speed));
  await page.waitForTimeout(warmupMs);
  await page.evaluate(() => globalThis.streamsim.frames({ reset: true }));
  await page.waitForTimeout(seconds * 1000);
  const f = await page.evaluate(() => globalThis.streamsim.frames());
  const belt = await page.evaluate(() => globalThis.streamsim.belt());
  const limit = await page.evaluate(() => globalThis.streamsim.frameBytes().limit);
  const times = [...f.times].sort((a, b) => a - b);
  const bytesMax = Math.max(0, ...f.bytes);
  const bytesMean = f.bytes.reduce((a, b) => a + b, 0) / Math.max(1, f.bytes.length);
  return {
    speed,
    frames: f.times.length,
    fps: round(f.times.length / (f.realMs / 1000), 1),
    frameMs: {
      p50: round(quantile(times, 0.5)),
      p95: round(quantile(times, 0.95)),
      p99: round(quantile(times, 0.99)),
      max: round(times[times.length - 1] ?? NaN),
    },
    simSpeed: round(f.simMs / f.realMs, 2),
    bytesPerFrame: { max: bytesMax, mean: Math.round(bytesMean), limit },
    view: belt.dense ? 'aggregate' : 'tiles',
  };
}

/** What --check asserts: well-formed numbers, and no frame's bytes over the core's limit. */
function problems(r) {
  const out = [];
  const nums = [
    r.fps,
    r.frameMs.p50,
    r.frameMs.p95,
    r.frameMs.p99,
    r.simSpeed,
    r.bytesPerFrame.max,
    r.bytesPerFrame.mean,
    r.bytesPerFrame.limit,
  ];
  if (!(r.frames > 0)) out.push('no frame measured');
  if (nums.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0))
    out.push(`a number is not well formed: ${JSON.stringify(r)}`);
  if (r.bytesPerFrame.limit !== 64 * 1024) out.push(`limit ${r.bytesPerFrame.limit}, not 64 KiB`);
  if (r.bytesPerFrame.max > r.bytesPerFrame.limit)
    out.push(`${r.bytesPerFrame.max} bytes in one frame, over ${r.bytesPerFrame.limit}`);
  return out;
}

const server = await startServer();
let browser;
let exitCode = 0;
try {
  browser = await launchBrowser();
  const results = [];
  const failures = [];
  for (const preset of presets) {
    const page = await openPage(browser, `${server.url}/index.html?preset=${preset}&measure`, {
      context: { viewport: { width: Number(opts.width), height: 1000 } },
    });
    await page.waitForSelector('html[data-ready="1"]', { state: 'attached', timeout: 30_000 });
    for (const speed of speeds) {
      const r = { preset, ...(await measure(page, speed)) };
      results.push(r);
      console.error(
        `bench-frames: ${preset} ${speed}×: p50 ${r.frameMs.p50} p95 ${r.frameMs.p95} p99 ${r.frameMs.p99} ms, ${r.fps} fps, ${r.simSpeed}× reached, ${r.bytesPerFrame.max} B/frame max (${r.view})`,
      );
      if (opts.check) failures.push(...problems(r).map((p) => `${preset} ${speed}×: ${p}`));
    }
    if (page.problems.length)
      failures.push(`${preset}: page problems: ${page.problems.join('; ')}`);
    await page.context().close();
  }
  console.log(
    JSON.stringify({
      chromium: browser.version(),
      width: Number(opts.width),
      seconds,
      results,
    }),
  );
  if (failures.length) {
    console.error(`bench-frames: ${failures.join('\n  ')}`);
    exitCode = 1;
  }
} catch (err) {
  console.error(`bench-frames: ${err.message}`);
  exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}
process.exit(exitCode);
