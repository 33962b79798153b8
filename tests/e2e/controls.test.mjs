// Play, pause and step, by keyboard only; and a producer's rate raised over a shard's limit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, status, parseSimTime, focusBody, stepKeys, setSpeed } from './fixtures/app.mjs';

useServerAndBrowser();

const simMs = async (page) => parseSimTime((await status(page)).time);

test('Space pauses and plays, → steps exactly one tick (keyboard only)', async () => {
  const page = await openApp(browser, server);

  // playing: simulated time advances by itself
  const a = await simMs(page);
  await page.waitForTimeout(800);
  const b = await simMs(page);
  assert.ok(b > a, `playing advances time (${a} → ${b})`);

  // Space pauses: time stands still
  await focusBody(page);
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.getElementById('st-state').textContent === 'paused');
  const c = await status(page);
  await page.waitForTimeout(700);
  const d = await status(page);
  assert.equal(d.tick, c.tick, 'paused: tick does not move');
  assert.equal(d.time, c.time, 'paused: time does not move');
  assert.equal((await page.locator('#play-label').textContent()).trim(), 'Play');

  // → steps one tick, each time
  const e = await stepKeys(page, 1);
  assert.equal(e.tick, c.tick + 1, '→ advances exactly one tick');
  const f = await stepKeys(page, 3);
  assert.equal(f.tick, c.tick + 4, 'three → advance exactly three ticks');
  assert.equal(parseSimTime(f.time) - parseSimTime(c.time), 4 * 100, '4 ticks of 100 ms');
  assert.notEqual(f.digest, c.digest, 'the state changed');

  // Space plays again
  await page.keyboard.press('Space');
  await page.waitForFunction(() =>
    /^playing/.test(document.getElementById('st-state').textContent),
  );
  await page.waitForTimeout(600);
  assert.ok((await status(page)).tick > f.tick, 'playing again');

  // the narration said so, politely
  assert.equal(await page.locator('#narration').getAttribute('aria-live'), 'polite');
  assert.match(await page.locator('#narration').textContent(), /Playing\./);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('Space in a text field types; it does not pause', async () => {
  const page = await openApp(browser, server);
  await page.focus('#scenario-text');
  await page.keyboard.press('Space');
  await page.waitForTimeout(200);
  assert.match((await status(page)).state, /^playing/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every control is reachable with Tab and has an accessible name', async () => {
  const page = await openApp(browser, server);
  const seen = new Set();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id || '');
    if (id) seen.add(id);
  }
  for (const id of [
    'play',
    'step',
    'speed',
    'reset',
    'seed',
    'seed-apply',
    'seed-random',
    'preset',
  ]) {
    assert.ok(seen.has(id), `#${id} is reached by Tab`);
  }
  assert.ok(
    [...seen].some((id) => /-rate$/.test(id)),
    'a producer rate field is reached by Tab',
  );
  await page.context().close();
});

test('setting web to 5,000 records/s makes throttling appear', async () => {
  const page = await openApp(browser, server);
  // speed up a little so the "last second" numbers fill quickly
  await setSpeed(page, 10);
  const rate = page.locator('input[id$="-web-rate"]');
  await rate.fill('5000');
  await rate.press('Enter');
  await page.waitForFunction(() =>
    /web now sends 5,000 records per second/.test(
      document.getElementById('narration-log').textContent +
        document.getElementById('narration').textContent,
    ),
  );
  // the shard table marks throttled shards, the per-producer table counts throttled records
  await page.waitForSelector('#shard-table td.warn', { timeout: 15_000 });
  await page.waitForFunction(
    () =>
      /Throttling started/.test(
        document.getElementById('narration').textContent +
          document.getElementById('narration-log').textContent,
      ),
    null,
    { timeout: 15_000 },
  );
  const throttledRow = await page
    .locator('#producer-table tbody tr', { hasText: 'Throttled' })
    .textContent();
  assert.match(throttledRow, /[1-9]/, `web's throttled count is above 0: ${throttledRow}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
