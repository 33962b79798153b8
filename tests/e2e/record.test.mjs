// Choosing a record, by clicking its tile or from the accessible list, shows its details.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, pause } from './fixtures/app.mjs';

useServerAndBrowser();

/** The record detail panel as { label: value }. */
async function detail(page) {
  return page.evaluate(() => {
    const out = {};
    const dts = document.querySelectorAll('#record-detail dt');
    for (const dt of dts) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

function assertDetail(d) {
  assert.ok(d['Partition key'] && d['Partition key'].length > 0, 'partition key shown');
  assert.match(d['Hash key (MD5 of the key)'], /^\d{1,39}$/, 'hash key as a decimal');
  assert.match(d.Shard, /^shardId-\d{12}$/, 'shard id');
  assert.match(d['Sequence number'], /^\d+$/, 'sequence number');
  assert.match(d['Arrived at'], /^\d+:\d\d:\d\d\.\d\d\d/);
  assert.match(d.Size, /bytes/);
}

test('clicking a record tile shows partition key, hash key, shard and sequence number', async () => {
  const page = await openApp(browser, server);
  await page.waitForFunction(() => window.streamsim.visibleTiles().length > 20);
  await pause(page);
  await page.waitForTimeout(100); // one more frame drawn while paused
  const tiles = await page.evaluate(() => window.streamsim.visibleTiles());
  // the newest record of lane 0: surely still kept for detail
  const lane0 = tiles.filter((t) => t.lane === 0);
  const tile = lane0.reduce((a, b) => (b.recordIndex > a.recordIndex ? b : a));
  const box = await page.locator('#belt').boundingBox();
  await page.mouse.click(box.x + tile.x, box.y + tile.y);
  await page.waitForSelector('#record-detail dl');
  const d = await detail(page);
  assertDetail(d);
  assert.equal(d.Shard, 'shardId-000000000000');
  assert.match(await page.locator('#record-detail h3').textContent(), /^Record #\d+ on shardId-/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('choosing a record from the list (keyboard) shows the same details', async () => {
  const page = await openApp(browser, server);
  await page.waitForFunction(
    () => document.querySelectorAll('#record-list option:not([disabled])').length >= 4,
  );
  await pause(page);
  await page.focus('#record-list');
  await page.keyboard.press('ArrowDown');
  await page.waitForSelector('#record-detail dl');
  assertDetail(await detail(page));
  // a listbox with a label: screen readers announce it
  assert.equal(await page.locator('label[for="record-list"]').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
