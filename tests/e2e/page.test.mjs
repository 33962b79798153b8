// The page loads cleanly, draws the belt, is accessible, and fits a phone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  runAxe,
  formatViolations,
  useServerAndBrowser,
  server,
  browser,
  REPO_ROOT,
} from './harness.mjs';
import { openApp, status, parseSimTime, setSpeed } from './fixtures/app.mjs';

useServerAndBrowser();

test('loads with no console error and no request to another origin, and runs at once', async () => {
  const page = await openApp(browser, server);
  await page.waitForFunction(
    () => Number(document.getElementById('st-tick').textContent.replace(/\D/g, '')) > 5,
  );
  const s = await status(page);
  assert.ok(parseSimTime(s.time) > 0, 'simulated time moves without a click');
  assert.match(s.state, /^playing/);
  assert.match(s.digest, /^[0-9a-f]{16}$/);
  assert.equal(await page.locator('#shard-table tbody tr').count(), 4, 'clickstream has 4 shards');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the canvas draws the belt and record tiles', async () => {
  const page = await openApp(browser, server);
  await page.waitForFunction(() => window.streamsim.visibleTiles().length > 10);
  const inked = await page.evaluate(() => {
    const c = document.getElementById('belt');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return { n, total: data.length / 4, w: c.width, cssW: c.clientWidth };
  });
  assert.ok(inked.n > inked.total * 0.1, `canvas has ink (${inked.n} of ${inked.total} pixels)`);
  assert.ok(inked.w >= inked.cssW, 'backing store is at least the CSS size (devicePixelRatio)');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('axe-core finds no serious or critical violation', async () => {
  const page = await openApp(browser, server);
  await page.waitForTimeout(500);
  const bad = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], formatViolations(bad));
  await page.context().close();
});

test('at phone width nothing overflows sideways and the belt fits', async () => {
  const page = await openApp(browser, server, '', {
    context: { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true },
  });
  await page.waitForTimeout(300);
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    canvas: document.getElementById('belt').getBoundingClientRect().width,
    backing: document.getElementById('belt').width,
  }));
  assert.ok(m.scroll <= 375, `page is ${m.scroll}px wide`);
  assert.ok(m.canvas <= 375 && m.canvas > 300, `canvas is ${m.canvas}px wide`);
  assert.ok(m.backing >= m.canvas * 2 - 1, 'canvas is drawn at devicePixelRatio 2');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('with prefers-reduced-motion the simulation still runs', async () => {
  const page = await openApp(browser, server, '', { context: { reducedMotion: 'reduce' } });
  const t0 = parseSimTime((await status(page)).time);
  await page.waitForTimeout(1200);
  const t1 = parseSimTime((await status(page)).time);
  assert.ok(t1 > t0, 'time advances');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('colours are defined once, in the stylesheet, and the drawings take them from there', async () => {
  // no colour literal in the page's scripts: they read the CSS custom properties
  for (const f of await fs.readdir(path.join(REPO_ROOT, 'www'))) {
    if (!f.endsWith('.js')) continue;
    const src = await fs.readFile(path.join(REPO_ROOT, 'www', f), 'utf8');
    assert.doesNotMatch(src, /['"`]#[0-9a-f]{3,8}['"`]|rgba?\(/i, `${f} has a colour of its own`);
  }
  const page = await openApp(browser, server, '?preset=batch-vs-streaming');
  const colours = await page.evaluate(async () => (await import('/www/palette.js')).readColours());
  // Okabe–Ito, the colour-blind-safe palette of the tiles, gauges and charts
  assert.deepEqual(colours.okabeIto, [
    '#e69f00',
    '#56b4e9',
    '#009e73',
    '#f0e442',
    '#0072b2',
    '#d55e00',
    '#cc79a7',
    '#000000',
  ]);
  assert.equal(colours.producers.length, 12);
  for (const c of colours.producers) assert.match(c, /^#[0-9a-f]{6}$/);
  for (const [k, v] of Object.entries(colours.ui)) assert.notEqual(v, '', `--${k} is defined`);
  assert.equal(colours.ui.gaugeOk, colours.okabeIto[4], 'gauges in Okabe–Ito blue');
  // the chart's streaming bars are the stylesheet's blue
  await setSpeed(page, 1000);
  await page.waitForFunction(
    () =>
      Number(
        document.querySelector('#fh0-lake-chart rect[data-stat="mean"]')?.getAttribute('width'),
      ) > 0,
    null,
    { timeout: 60_000 },
  );
  const fill = await page
    .locator('#fh0-lake-chart g[data-series="river"] rect[data-stat="mean"]')
    .getAttribute('fill');
  assert.equal(fill, colours.okabeIto[4]);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
