// Shared helpers for the end-to-end tests (node --test tests/e2e/) and the browser benchmark.
//
// A test file calls `useServerAndBrowser()` once and imports `server` and `browser` from here;
// by hand (the benchmark does) it is:
//   const server = await startServer();          // { url, close() } on a free 127.0.0.1 port
//   const browser = await launchBrowser();       // Debian's /usr/bin/chromium via playwright-core
//   const page = await openPage(browser, `${server.url}/index.html`);
//   ...
//   assert.deepEqual(page.problems, []);         // console errors, page errors, failed or
//                                                // off-origin requests, HTTP >= 400
//   assert.deepEqual(await runAxe(page), [], formatViolations(...));
//   await browser.close(); await server.close();
//
// The server is scripts/serve.mjs run in-process, so pages are tested under the same
// Content-Security-Policy as `make serve`.

import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../../scripts/serve.mjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// Flags keep Chromium from reaching the network on its own (updates, sync, field trials) and
// make it run as root in a container without a GPU.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The server and the browser of the test file that called `useServerAndBrowser()`. They are
 * live bindings: importers see them once the `before` hook has run. `node --test` runs each
 * test file in its own process, so each file has its own pair.
 */
export let server = null;
export let browser = null;

/** Start one server and one browser before the file's tests and close them after. */
export function useServerAndBrowser() {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
}

/** Serve the repository root on 127.0.0.1 at a free port. Call close() when done. */
export async function startServer({ root = REPO_ROOT } = {}) {
  const { url, close } = await startStaticServer({
    root,
    port: 0,
    verbose: Boolean(process.env.VERBOSE),
  });
  return { url, close };
}

/** A headless Chromium (never a downloaded one: playwright-core has none). */
export async function launchBrowser() {
  try {
    await fs.access(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `${CHROMIUM_PATH} not found: run \`make test\` (it installs Debian's chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

function isLocalScheme(url) {
  return /^(data|blob|about|chrome-error):/.test(url);
}

/**
 * Open `url` in a fresh browser context and wait for its load event. Everything that should fail
 * a test is collected, as human-readable strings, into `page.problems`:
 *   console errors, uncaught page errors, failed requests, HTTP responses >= 400,
 *   and any request to an origin other than `url`'s (those are also aborted, so a test can
 *   never reach the network).
 * Console warnings are collected separately into `page.warnings`.
 * Options: `context` (extra Playwright context options, e.g. { viewport }),
 *          `waitUntil` ('load' by default; 'domcontentloaded', 'networkidle' or 'commit').
 * Close it with `await page.context().close()` (or close the browser).
 */
export async function openPage(
  browser,
  url,
  { context: contextOptions = {}, waitUntil = 'load' } = {},
) {
  const origin = new URL(url).origin;
  const context = await browser.newContext({ serviceWorkers: 'block', ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  const warnings = [];
  page.problems = problems;
  page.warnings = warnings;

  const where = (msg) => {
    const { url: u, lineNumber } = msg.location() ?? {};
    return u ? ` (${u}:${lineNumber + 1})` : '';
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}${where(msg)}`);
    else if (msg.type() === 'warning') warnings.push(`console warning: ${msg.text()}${where(msg)}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.stack || err.message || err}`));
  page.on('crash', () => problems.push('page crashed'));
  page.on('requestfailed', (req) => {
    // Off-origin requests are reported once, below, not again as "failed".
    if (isLocalScheme(req.url()) || new URL(req.url()).origin === origin) {
      problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 400) {
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
  page.on('websocket', (ws) => problems.push(`websocket opened: ${ws.url()}`));
  await context.route(
    (u) => !isLocalScheme(u.href) && u.origin !== origin,
    (route) => {
      const req = route.request();
      problems.push(`request to another origin: ${req.method()} ${req.url()}`);
      return route.abort('blockedbyclient');
    },
  );

  await page.goto(url, { waitUntil });
  return page;
}

let axeSource;

/**
 * Run axe-core on the page and return its violations (an empty array when accessible).
 * `options` go to axe.run (e.g. { runOnly: ['wcag2a', 'wcag2aa'] }); `context` selects the
 * part of the page (default: the whole document).
 */
export async function runAxe(page, { context, options } = {}) {
  axeSource ??= await fs.readFile(path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Not page.addScriptTag({ content }): that inserts an inline <script>, which the page's CSP
  // (script-src 'self') refuses, with a console error. Evaluating through the DevTools protocol
  // is not subject to the page's CSP.
  const loaded = await page.evaluate(`(() => {
    if (!window.axe) { ${axeSource}\n }
    return typeof window.axe?.run === 'function';
  })()`);
  if (!loaded) throw new Error('axe-core did not load into the page');
  return page.evaluate(
    async ([ctx, opts]) => {
      const result = await window.axe.run(ctx ?? document, {
        resultTypes: ['violations'],
        ...opts,
      });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
      }));
    },
    [context ?? null, options ?? {}],
  );
}

/** A readable multi-line summary of runAxe() violations, for assertion messages. */
export function formatViolations(violations) {
  return violations
    .map(
      (v) =>
        `${v.impact ?? 'n/a'}: ${v.id}: ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.summary ?? ''}`).join('\n'),
    )
    .join('\n');
}
