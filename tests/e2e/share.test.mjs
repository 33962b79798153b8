// Sharing a run: "Make a link" and "Download this run" carry the scenario, its seed and every
// change the student made, at the moment it took effect; opening either replays the run, digest for
// digest. And the scenario's own description is shown under the belt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { openPage, REPO_ROOT, useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, pauseAtStart, stepKeys, fixture, setSpeed } from './fixtures/app.mjs';

useServerAndBrowser();

/** Type a new rate for producer `name` into its number field, as a student would. */
async function setRate(page, name, value) {
  const rate = page.locator(`input[id$="-${name}-rate"]`);
  await rate.fill(String(value));
  await rate.press('Enter');
}

/** From tick 0: 5 steps, web to 3,000 records/s, 10 more steps. Returns the status then. */
async function runWithAChange(page) {
  await pauseAtStart(page);
  await stepKeys(page, 5);
  await setRate(page, 'web', 3000);
  return stepKeys(page, 10);
}

/** Back to tick 0 of whatever the page runs now, then `n` steps. */
async function replay(page, n) {
  await pauseAtStart(page);
  return stepKeys(page, n);
}

test('"Make a link" replays the run, slider changes included, in a fresh page', async () => {
  const page = await openApp(browser, server);
  const ran = await runWithAChange(page);
  assert.equal(ran.tick, 15);

  await page.click('#scenario-link');
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/index\.html#scenario=[A-Za-z0-9_-]+$/);
  const json = JSON.parse(Buffer.from(link.split('#scenario=')[1], 'base64url').toString('utf8'));
  assert.deepEqual(
    json.commands,
    [{ type: 'set_rate', producer: 'web', records_per_second: 3000, at_ms: 500 }],
    'one change, at the tick boundary after the 5th step',
  );
  assert.equal(String(json.seed), ran.seed);
  assert.match(await page.locator('#share-note').textContent(), /same seed, same changes/);
  assert.match(await page.locator('#share-status').textContent(), /tick 15\b.*1 change\b/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'share-link');

  const fresh = await openPage(browser, link);
  await fresh.waitForSelector('html[data-ready="1"]', { state: 'attached' });
  assert.equal(await fresh.locator('#scenario-errors li').count(), 0);
  const again = await replay(fresh, 15);
  assert.equal(again.seed, ran.seed);
  assert.equal(again.digest, ran.digest, 'same digest at the same tick');
  assert.equal(
    await fresh.locator('input[id$="-web-rate"]').inputValue(),
    '3000',
    'the rate field shows the replayed change',
  );

  // the change matters: without it, the same seed and steps end elsewhere
  const untouched = await openApp(browser, server);
  const plain = await replay(untouched, 15);
  assert.notEqual(plain.digest, ran.digest);

  for (const p of [page, fresh, untouched]) {
    assert.deepEqual(p.problems, []);
    await p.context().close();
  }
});

test('the link keeps a 64-bit seed exactly', async () => {
  const page = await openApp(browser, server);
  await pauseAtStart(page);
  const seed = '18446744073709551615';
  await page.locator('#seed').fill(seed);
  await page.click('#seed-apply');
  await page.waitForFunction((s) => document.getElementById('st-seed').textContent === s, seed);
  const ran = await stepKeys(page, 4);
  await page.click('#scenario-link');
  const fresh = await openPage(browser, await page.locator('#share-link').inputValue());
  await fresh.waitForSelector('html[data-ready="1"]', { state: 'attached' });
  const again = await replay(fresh, 4);
  assert.equal(again.seed, seed);
  assert.equal(again.digest, ran.digest);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(fresh.problems, []);
  await page.context().close();
  await fresh.context().close();
});

test('"Download this run" saves streamsim-run.json, which loads back as the same run', async () => {
  const page = await openApp(browser, server);
  const ran = await runWithAChange(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#run-download'),
  ]);
  assert.equal(download.suggestedFilename(), 'streamsim-run.json');
  assert.match(download.url(), /^blob:/);
  const file = await download.path();
  const json = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal(json.commands.length, 1);
  assert.equal(json.commands[0].at_ms, 500);
  assert.equal(await page.locator('a[download]').count(), 0, 'the helper link is gone');
  assert.match(await page.locator('#share-status').textContent(), /streamsim-run\.json/);
  // the object URL is released: fetching it now fails
  const released = await page.evaluate(
    (u) =>
      fetch(u).then(
        () => false,
        () => true,
      ),
    download.url(),
  );
  assert.ok(released, 'the object URL was revoked');
  page.problems.splice(
    0,
    page.problems.length,
    ...page.problems.filter((p) => !p.includes(download.url())),
  );

  const fresh = await openApp(browser, server);
  const copy = path.join(path.dirname(file), 'streamsim-run.json');
  await fs.copyFile(file, copy);
  await fresh.setInputFiles('#scenario-file', copy);
  await fresh.waitForFunction(() =>
    /Loaded the scenario from the file streamsim-run\.json/.test(
      document.getElementById('narration').textContent +
        document.getElementById('narration-log').textContent,
    ),
  );
  const again = await replay(fresh, 15);
  assert.equal(again.digest, ran.digest, 'same digest at the same tick');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(fresh.problems, []);
  await page.context().close();
  await fresh.context().close();
});

test('the scenario’s description is shown under the belt, as text, and follows the scenario', async () => {
  const described = async (name) =>
    JSON.parse(await fs.readFile(path.join(REPO_ROOT, `src/sim/presets/${name}.json`), 'utf8'))
      .description;
  const page = await openApp(browser, server);
  const box = page.locator('#scenario-description');
  assert.equal(await box.textContent(), await described('clickstream'));
  assert.ok(await box.isVisible());

  await page.selectOption('#preset', 'hot-key');
  await page.click('#preset-load');
  await page.waitForFunction(() =>
    /sensor/.test(document.getElementById('scenario-description').textContent),
  );
  assert.equal(await box.textContent(), await described('hot-key'));

  // from a file, with markup in the description: shown literally
  const good = JSON.parse(await fs.readFile(fixture('good-one-shard.json'), 'utf8'));
  good.description = 'Tiny <b id="bold">stream</b>';
  await page.locator('#scenario-text').fill(JSON.stringify(good));
  await page.click('#scenario-run');
  await page.waitForFunction(() => document.querySelectorAll('#shard-table tbody tr').length === 1);
  assert.equal(await box.textContent(), 'Tiny <b id="bold">stream</b>');
  assert.equal(await page.locator('#bold').count(), 0);

  // none at all: the paragraph is hidden
  delete good.description;
  await page.locator('#scenario-text').fill(JSON.stringify(good));
  await page.click('#scenario-run');
  await page.waitForFunction(() => document.getElementById('scenario-description').hidden);
  assert.equal(await box.textContent(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a scenario’s scheduled commands show in the controls, the tables and the narration', async () => {
  const page = await openApp(browser, server);
  const json = JSON.parse(await fs.readFile(fixture('good-one-shard.json'), 'utf8'));
  json.commands = [
    { type: 'update_shard_count', stream_name: 'tiny', target_shard_count: 2, at_ms: 300 },
    { type: 'set_rate', producer: 'solo', records_per_second: 80, at_ms: 500 },
  ];
  await page.locator('#scenario-text').fill(JSON.stringify(json));
  await page.click('#scenario-run');
  await setSpeed(page, 10);
  // the resharding completes some simulated seconds later: the parent closes, two children open
  await page.waitForFunction(
    () => document.querySelectorAll('#shard-table tbody tr').length === 3,
    null,
    { timeout: 20_000 },
  );
  assert.equal(await page.locator('input[id$="-solo-rate"]').inputValue(), '80');
  // narrated from the run's note of the applied command
  await page.waitForFunction(() =>
    /Solo now sends 80 records\/s\./.test(
      document.getElementById('narration').textContent +
        document.getElementById('narration-log').textContent,
    ),
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
