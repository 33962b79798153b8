#!/usr/bin/env node
// Browser benchmark: serve the repo, open www/bench.html in headless Chromium, wait for the run
// to finish and print its JSON result on stdout (one line). Needs a build (make build).
//
//   node scripts/bench-browser.mjs [--preset gaming] [--seconds 3600] [--chunk 1000] [--axe]
//                                  [--native BIN]
//
// --axe also runs axe-core on the finished page and fails on any violation (used by make test,
// with a short run, as a smoke test of the page).
// --native BIN also runs the native CLI BIN (e.g. target/release/streamsim) on the same preset
// and seconds, once before and once after the page, and adds nativeMs (their mean), the ratio
// browser / native and whether the digests agree: the two measured side by side in one run.
// It reports; it never fails on speed.

import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  startServer,
  launchBrowser,
  openPage,
  runAxe,
  formatViolations,
} from '../tests/e2e/harness.mjs';

const { values: opts } = parseArgs({
  options: {
    preset: { type: 'string', default: 'gaming' },
    seconds: { type: 'string', default: '3600' },
    chunk: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '600' }, // seconds to wait for the page
    axe: { type: 'boolean', default: false },
    native: { type: 'string' },
  },
});

// One native run of the same workload: its wall time in ms and its digest.
function runNative(bin) {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(
    bin,
    ['run', '--preset', opts.preset, '--seconds', opts.seconds, '--no-metrics'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, digest: JSON.parse(out).digest };
}

const server = await startServer();
let browser;
let exitCode = 0;
try {
  const before = opts.native ? runNative(opts.native) : null;
  browser = await launchBrowser();
  const query = new URLSearchParams({
    preset: opts.preset,
    seconds: opts.seconds,
    chunk: opts.chunk,
  });
  const page = await openPage(browser, `${server.url}/www/bench.html?${query}`);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]', {
    timeout: Number(opts.timeout) * 1000,
  });
  const state = await page.getAttribute('body', 'data-state');
  const text = await page.textContent('#result');
  if (state !== 'done') throw new Error(`the page reported an error: ${text}`);
  if (page.problems.length) throw new Error(`page problems:\n  ${page.problems.join('\n  ')}`);
  const result = JSON.parse(text);
  if (result.simulatedMs !== Number(opts.seconds) * 1000) {
    throw new Error(`simulated ${result.simulatedMs} ms, expected ${Number(opts.seconds) * 1000}`);
  }
  if (opts.axe) {
    const violations = await runAxe(page);
    if (violations.length) throw new Error(`axe:\n${formatViolations(violations)}`);
  }
  if (opts.native) {
    const after = runNative(opts.native);
    const nativeMs = (before.ms + after.ms) / 2;
    result.nativeMs = Math.round(nativeMs);
    result.browserOverNative = Math.round((result.wallMs / nativeMs) * 100) / 100;
    result.digestMatchesNative = before.digest === result.digest && after.digest === result.digest;
  }
  console.log(JSON.stringify(result));
} catch (err) {
  console.error(`bench-browser: ${err.message}`);
  exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}
process.exit(exitCode);
