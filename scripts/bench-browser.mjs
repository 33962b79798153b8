#!/usr/bin/env node
// Browser benchmark: serve the repo, open www/bench.html in headless Chromium, wait for the run
// to finish and print its JSON result on stdout (one line). Needs a build (make build).
//
//   node scripts/bench-browser.mjs [--preset gaming] [--seconds 3600] [--chunk 1000]

import { parseArgs } from 'node:util';
import { startServer, launchBrowser, openPage } from '../tests/e2e/harness.mjs';

const { values: opts } = parseArgs({
  options: {
    preset: { type: 'string', default: 'gaming' },
    seconds: { type: 'string', default: '3600' },
    chunk: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '600' }, // seconds to wait for the page
  },
});

const server = await startServer();
let browser;
let exitCode = 0;
try {
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
  console.log(JSON.stringify(JSON.parse(text)));
} catch (err) {
  console.error(`bench-browser: ${err.message}`);
  exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}
process.exit(exitCode);
