// The frame budget (issue 11): at most 64 KB of typed arrays cross the wasm boundary per frame,
// at any speed (the core's one limit, which the page reads from it); past what tiles can show,
// the belt shows an aggregate view that says so, in words a screen reader hears, and a record
// can still be picked there; a low-rate scene still has its tiles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, setSpeed, pause } from './fixtures/app.mjs';

useServerAndBrowser();

const LIMIT = 64 * 1024;

const bytes = (page) => page.evaluate(() => window.streamsim.frameBytes());
const belt = (page) => page.evaluate(() => window.streamsim.belt());

test('gaming: at most 64 KB cross per frame at 1× and at 100×', async () => {
  const page = await openApp(browser, server, '?preset=gaming');
  await page.waitForTimeout(2500);
  const one = await bytes(page);
  assert.equal(one.limit, LIMIT, 'the limit is the core’s');
  assert.ok(one.frames > 10, `${one.frames} frames`);
  assert.ok(one.max > 0 && one.max <= LIMIT, `${one.max} bytes in a frame at 1×`);
  await setSpeed(page, 100);
  await page.waitForTimeout(3000);
  const hundred = await bytes(page);
  assert.ok(hundred.frames > one.frames, 'frames went on');
  assert.ok(hundred.max <= LIMIT, `${hundred.max} bytes in a frame at 100×`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('gaming: the aggregate view is shown, said, and a record can be picked in it', async () => {
  const page = await openApp(browser, server, '?preset=gaming');
  await page.waitForFunction(() => window.streamsim.belt().dense, null, { timeout: 20_000 });
  const note = page.locator('#belt-dense-note');
  await note.waitFor({ state: 'visible' });
  assert.equal(await note.getAttribute('aria-live'), 'polite');
  assert.match(
    await note.textContent(),
    /^Aggregate view: up to [\d,]+ records a second per shard are too many to draw one by one\./,
  );
  assert.equal((await belt(page)).tiles, 0, 'no tile drawn one by one');
  // a click on lane 3, a fifth along the belt: the record kept nearest that moment
  await pause(page);
  const strip = await page.evaluate(() => window.streamsim.laneStrip(3));
  await page.locator('#belt').click({ position: { x: strip.x + strip.w * 0.2, y: strip.y } });
  const detail = page.locator('#record-detail');
  await page.locator('#record-aside').waitFor({ state: 'visible' });
  const text = await detail.textContent();
  assert.match(text, /shardId-000000000003/);
  assert.match(text, /\d{20,}/, 'its sequence number');
  assert.doesNotMatch(text, /no longer kept/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('clickstream at 1×: still tiles, one per record', async () => {
  const page = await openApp(browser, server, '?preset=clickstream');
  await page.waitForTimeout(3000);
  const b = await belt(page);
  assert.equal(b.dense, false);
  assert.ok(b.tiles > 20, `${b.tiles} tiles drawn`);
  assert.equal(await page.locator('#belt-dense-note').isVisible(), false);
  const one = await bytes(page);
  assert.ok(one.max <= LIMIT, `${one.max} bytes in a frame`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
