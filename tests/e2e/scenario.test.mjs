// Loading scenarios: a bad file or a bad #scenario= shows the validator's words and leaves the
// running scenario alone; a good one replaces it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import {
  openApp,
  status,
  pauseAtStart,
  stepKeys,
  shardIds,
  fixture,
  base64url,
} from './fixtures/app.mjs';

useServerAndBrowser();

const errorsText = (page) => page.locator('#scenario-errors').textContent();

/** The digest after `n` single steps of a fresh clickstream run, in a page of its own. */
async function referenceDigest(n) {
  const page = await openApp(browser, server);
  await pauseAtStart(page);
  const s = await stepKeys(page, n);
  assert.equal(s.tick, n);
  await page.context().close();
  return s.digest;
}

test('a bad scenario file shows the validator message and the old run goes on unchanged', async () => {
  const page = await openApp(browser, server);
  await pauseAtStart(page);
  const lanesBefore = await shardIds(page);
  const s5 = await stepKeys(page, 5);

  await page.setInputFiles('#scenario-file', fixture('bad-rate.json'));
  await page.waitForSelector('#scenario-errors li');
  const text = await errorsText(page);
  assert.match(text, /producers\[0\]\.records_per_second/, 'the message names the field');
  assert.match(text, /-5/, 'and the value');
  assert.match(text, /keeps running/);

  assert.deepEqual(await shardIds(page), lanesBefore, 'lanes unchanged');
  const afterLoad = await status(page);
  assert.equal(afterLoad.tick, 5, 'the run was not replaced');
  assert.equal(afterLoad.digest, s5.digest);
  const s10 = await stepKeys(page, 5);
  assert.equal(s10.tick, 10);
  assert.equal(
    s10.digest,
    await referenceDigest(10),
    'same digest progression as an untouched run',
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('messages with markup in them are shown as text', async () => {
  const page = await openApp(browser, server);
  await page.setInputFiles('#scenario-file', fixture('bad-markup.json'));
  await page.waitForSelector('#scenario-errors li');
  assert.match(await errorsText(page), /<img src=x id=injected>/, 'shown literally');
  assert.equal(await page.locator('#injected').count(), 0, 'no element was made from it');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a bad #scenario= in the address shows the message and keeps the run going', async () => {
  const page = await openApp(browser, server);
  const lanesBefore = await shardIds(page);
  const bad = await fs.readFile(fixture('bad-rate.json'), 'utf8');
  await page.evaluate(
    (h) => {
      location.hash = h;
    },
    `scenario=${base64url(bad)}`,
  );
  await page.waitForSelector('#scenario-errors li');
  assert.match(await errorsText(page), /producers\[0\]\.records_per_second/);
  assert.deepEqual(await shardIds(page), lanesBefore);
  const t0 = (await status(page)).tick;
  await page.waitForTimeout(500);
  assert.ok((await status(page)).tick > t0, 'still playing');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('opening the page with a bad #scenario= runs the default and says why', async () => {
  const bad = await fs.readFile(fixture('bad-rate.json'), 'utf8');
  const page = await openApp(browser, server, `#scenario=${base64url(bad)}`);
  await page.waitForSelector('#scenario-errors li');
  assert.match(await errorsText(page), /records_per_second: -5/);
  assert.equal((await shardIds(page)).length, 4, 'clickstream is running');
  const page2 = await openApp(browser, server, '#scenario=***');
  await page2.waitForSelector('#scenario-errors p');
  assert.match(await page2.locator('#scenario-errors').textContent(), /base64url/);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page2.problems, []);
  await page.context().close();
  await page2.context().close();
});

test('a good scenario from a file, from the address and from the text box replaces the run', async () => {
  const good = await fs.readFile(fixture('good-one-shard.json'), 'utf8');
  const page = await openApp(browser, server);
  await page.setInputFiles('#scenario-file', fixture('good-one-shard.json'));
  await page.waitForFunction(() => document.querySelectorAll('#shard-table tbody tr').length === 1);
  assert.equal(await page.locator('#scenario-errors li').count(), 0);
  assert.match(await page.locator('#producer-controls').textContent(), /solo/);

  const viaHash = await openApp(browser, server, `#scenario=${base64url(good)}`);
  await viaHash.waitForFunction(
    () => document.querySelectorAll('#shard-table tbody tr').length === 1,
  );
  assert.equal((await status(viaHash)).seed, '7', 'the scenario’s own seed');

  // text box: load a preset's text, change it, run it
  await page.selectOption('#preset', 'clickstream');
  await page.click('#preset-load');
  await page.waitForFunction(() => document.querySelectorAll('#shard-table tbody tr').length === 4);
  const text = JSON.parse(await page.locator('#scenario-text').inputValue());
  text.resource.aws_kinesis_stream.clickstream.shard_count = 2;
  await page.locator('#scenario-text').fill(JSON.stringify(text, null, 2));
  await page.click('#scenario-run');
  await page.waitForFunction(() => document.querySelectorAll('#shard-table tbody tr').length === 2);

  // and a broken edit is refused with the validator's words
  await page.locator('#scenario-text').fill('{ "resource": 1 ');
  await page.click('#scenario-run');
  await page.waitForSelector('#scenario-errors li');
  assert.match(await errorsText(page), /JSON/);
  assert.equal(await page.locator('#shard-table tbody tr').count(), 2, 'still the 2-shard run');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(viaHash.problems, []);
  await page.context().close();
  await viaHash.context().close();
});

test('?preset= and ?seed= in the address choose the run', async () => {
  const page = await openApp(browser, server, '?preset=hot-key&seed=42');
  const s = await status(page);
  assert.equal(s.seed, '42');
  assert.equal(await page.locator('#preset').inputValue(), 'hot-key');
  const page2 = await openApp(browser, server, '?preset=nope&seed=abc');
  const runErrors = await page2.locator('#run-errors').textContent();
  assert.match(runErrors, /nope/);
  assert.match(runErrors, /seed/);
  assert.equal((await shardIds(page2)).length, 4, 'falls back to clickstream');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page2.problems, []);
  await page.context().close();
  await page2.context().close();
});
