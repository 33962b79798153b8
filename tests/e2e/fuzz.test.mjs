// ?fuzz: a minute of random clicks, keys, values and commands per scene, with the debug checks
// on (ledger balanced, no exception, no frame past its budget plus one tick). The scenes run
// in parallel pages of one browser, so the file takes about a minute and a half in all.
// FUZZ_SECONDS=10 node --test tests/e2e/fuzz.test.mjs runs a shorter one by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp } from './fixtures/app.mjs';

useServerAndBrowser();

const SECONDS = Number(process.env.FUZZ_SECONDS || 60);

// one preset per family: Data Streams, Firehose, Lambda, resharding, batch against streaming
const SCENES = [
  'clickstream',
  'firehose-transform',
  'lambda-poison-record',
  'resharding',
  'batch-vs-streaming',
];

async function fuzzScene(preset, seed) {
  const query = `?preset=${preset}&fuzz&fuzzSeed=${seed}&fuzzSeconds=${SECONDS}`;
  const page = await openApp(browser, server, query);
  const opened = page.url();
  const downloads = [];
  page.on('download', (d) => downloads.push(d.suggestedFilename()));
  await page.waitForFunction(() => window.streamsim.fuzz()?.done, null, {
    timeout: (SECONDS + 90) * 1000,
    polling: 1000,
  });
  const got = await page.evaluate(() => ({
    fuzz: window.streamsim.fuzz(),
    debug: window.streamsim.debug(),
  }));
  // still responsive: the page answers, and Play/Pause still works
  const t0 = Date.now();
  await page.evaluate(() => 1);
  const answered = Date.now() - t0;
  const before = (await page.locator('#st-state').textContent()).trim();
  await page.locator('#play').click({ timeout: 10_000 });
  await page.waitForFunction(
    (was) => document.getElementById('st-state').textContent.trim() !== was,
    before,
    { timeout: 10_000 },
  );
  const result = { preset, opened, url: page.url(), downloads, answered, ...got };
  result.problems = [...page.problems];
  await page.context().close();
  return result;
}

test(
  `fuzz: ${SECONDS} s of random input per scene, every check holding`,
  { timeout: (SECONDS + 180) * 1000 },
  async () => {
    const results = await Promise.all(SCENES.map((p, i) => fuzzScene(p, i + 1)));
    for (const r of results) {
      const what = `${r.preset}: ${JSON.stringify(r.fuzz)}`;
      assert.deepEqual(r.problems, [], `${r.preset}: no console error, no page error`);
      assert.equal(r.debug.violations, 0, `${r.preset}: ${r.debug.log.join('\n')}`);
      assert.equal(r.fuzz.errors, 0, what);
      assert.equal(r.debug.halted, false, `${r.preset}: the simulation did not stop`);
      // Floors, not speeds: a frozen page gives about none, while a loaded CI machine (load 7
      // to 12 on 2 cores) gave 142 actions a minute where an idle one gives 600.
      assert.ok(r.fuzz.actions >= SECONDS, `${what}: enough actions`);
      assert.ok(r.fuzz.byKind.command > 0 && r.fuzz.byKind.click > 0, what);
      assert.ok(r.debug.frames >= SECONDS, `${r.preset}: ${r.debug.frames} frames`);
      assert.equal(r.url, r.opened, `${r.preset}: never navigated away`);
      assert.deepEqual(r.downloads, [], `${r.preset}: nothing downloaded`);
      assert.ok(r.answered < 10_000, `${r.preset}: answered after ${r.answered} ms`);
    }
  },
);

test('fuzz: the same seed makes the same choices', async () => {
  const { rng, randomCommand } = await import('../../www/fuzz.js');
  const lay = {
    producers: [{ name: 'web' }, { name: 'app' }],
    lanes: [
      { lane: 0, stream: 's', shard_id: 'shardId-000000000000', state: 'OPEN' },
      { lane: 1, stream: 's', shard_id: 'shardId-000000000001', state: 'OPEN' },
    ],
    streams: [{ name: 's', open_shards: 2 }],
    consumers: [{ name: 'c' }],
    firehoses: [],
  };
  const draw = (seed) => {
    const r = rng(seed);
    return Array.from({ length: 50 }, () => JSON.stringify(randomCommand(r, lay)));
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});
