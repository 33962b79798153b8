// The page loads cleanly, draws the belt, is accessible, and fits a phone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAxe, formatViolations, useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, status, parseSimTime } from './fixtures/app.mjs';

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
