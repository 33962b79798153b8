// Self-test of the e2e harness and of scripts/serve.mjs: if these fail, every other e2e result
// is suspect (a harness that never records a problem would pass anything).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  openPage,
  runAxe,
  formatViolations,
  useServerAndBrowser,
  server,
  browser,
} from './harness.mjs';
import { CSP } from '../../scripts/serve.mjs';

const FIXTURE = '/tests/e2e/fixtures/blank.html';
useServerAndBrowser();

// fetch() and new URL() normalise "..", so send the request line exactly as written.
function rawGet(rawPath) {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    });
    req.on('error', reject);
    req.end();
  });
}

test('server listens on 127.0.0.1 only', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('security headers and MIME types', async () => {
  const cases = {
    [FIXTURE]: 'text/html; charset=utf-8',
    '/tests/e2e/fixtures/blank.js': 'text/javascript; charset=utf-8',
    '/tests/e2e/fixtures/blank.css': 'text/css; charset=utf-8',
    '/scripts/serve.mjs': 'text/javascript; charset=utf-8',
    '/package.json': 'application/json; charset=utf-8',
  };
  for (const [p, type] of Object.entries(cases)) {
    const res = await fetch(server.url + p);
    await res.arrayBuffer();
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), type, p);
    assert.equal(res.headers.get('content-security-policy'), CSP, p);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
  }
  assert.match(CSP, /script-src 'self' 'wasm-unsafe-eval'/);
  // Error responses carry the headers too.
  const missing = await fetch(`${server.url}/no/such/file.js`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-security-policy'), CSP);
});

test('no path escapes the root', async () => {
  for (const p of [
    '/../../../../etc/passwd',
    '/tests/../../../etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/tests/e2e/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
    '/.git/HEAD',
    '/..\\..\\etc\\passwd',
  ]) {
    const res = await rawGet(p);
    assert.ok([400, 403, 404].includes(res.statusCode), `${p} -> ${res.statusCode}`);
  }
});

test('a clean page has no problems and no accessibility violations', async () => {
  const page = await openPage(browser, server.url + FIXTURE);
  await page.waitForFunction(() => document.body.dataset.ready === 'yes');
  assert.deepEqual(page.problems, []);
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], formatViolations(violations));
  // runAxe must not have tripped the CSP (an inline <script> would log a console error).
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('problems are recorded: console errors, page errors, 404s, other origins', async () => {
  const page = await openPage(browser, server.url + FIXTURE);
  await page.evaluate(() => console.error('boom'));
  await page.evaluate(() =>
    setTimeout(() => {
      throw new Error('uncaught');
    }),
  );
  await page.evaluate(() => fetch('/no/such/file.json').catch(() => {}));
  // A navigation away is not restricted by the CSP; the harness must stop it.
  await page.goto('http://example.invalid/', { timeout: 10_000 }).catch(() => {});
  await page.waitForTimeout(200);
  const all = page.problems.join('\n');
  assert.match(all, /console error: boom/);
  assert.match(all, /page error: .*uncaught/);
  assert.match(all, /HTTP 404: GET .*\/no\/such\/file\.json/);
  assert.match(all, /request to another origin: GET http:\/\/example\.invalid\//);
  await page.context().close();
});

test('runAxe reports violations', async () => {
  const page = await openPage(browser, server.url + FIXTURE);
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    document.querySelector('main').append(img); // no alt text
  });
  const violations = await runAxe(page);
  assert.ok(
    violations.some((v) => v.id === 'image-alt'),
    formatViolations(violations),
  );
  await page.context().close();
});
