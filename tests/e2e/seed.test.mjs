// The seed: applying one shows it, and the same seed with the same steps gives the same digest.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, status, pause, stepKeys } from './fixtures/app.mjs';

useServerAndBrowser();

async function runWithSeed(page, seed, steps) {
  await page.locator('#seed').fill(seed);
  await page.click('#seed-apply');
  await page.waitForFunction(
    (s) =>
      document.getElementById('st-seed').textContent === s &&
      document.getElementById('st-tick').textContent === '0',
    seed,
  );
  return stepKeys(page, steps);
}

test('applying a seed shows it; the same seed and steps give the same digest', async () => {
  const page = await openApp(browser, server);
  await pause(page);
  const a = await runWithSeed(page, '12345', 15);
  assert.equal(a.seed, '12345');
  assert.equal(a.tick, 15);
  const b = await runWithSeed(page, '12345', 15);
  assert.equal(b.digest, a.digest, 'same seed, same steps, same digest');
  const c = await runWithSeed(page, '12346', 15);
  assert.notEqual(c.digest, a.digest, 'another seed, another run');

  // and in another page, from the address
  const page2 = await openApp(browser, server, '?seed=12345');
  await pause(page2);
  await page2.click('#reset');
  await page2.waitForFunction(() => document.getElementById('st-tick').textContent === '0');
  const d = await stepKeys(page2, 15);
  assert.equal(d.seed, '12345');
  assert.equal(d.digest, a.digest, 'same digest in a fresh page');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page2.problems, []);
  await page.context().close();
  await page2.context().close();
});

test('"New random seed" starts a run with a fresh seed; a bad seed is refused in words', async () => {
  const page = await openApp(browser, server);
  const before = (await status(page)).seed;
  await page.click('#seed-random');
  await page.waitForFunction((s) => document.getElementById('st-seed').textContent !== s, before);
  const s = await status(page);
  assert.match(s.seed, /^\d+$/);
  assert.equal(await page.locator('#seed').inputValue(), s.seed);

  await page.locator('#seed').fill('not a number');
  await page.click('#seed-apply');
  await page.waitForSelector('#run-errors li');
  assert.match(await page.locator('#run-errors').textContent(), /seed/);
  assert.equal((await status(page)).seed, s.seed, 'the run keeps its seed');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
