// Resharding from the page: split a hot shard with the keyboard only and see its throttling end
// and the lineage drawn; merge two neighbours; refused reshards show AWS's reason as text; a
// split at a typed key; and a shared link replays the split.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAxe, formatViolations, useServerAndBrowser, server, browser } from './harness.mjs';
import { openScenario, setSpeed, tabTo, waitForText, openApp } from './fixtures/app.mjs';

useServerAndBrowser();

/** One shard taking 1,500 records/s of many keys: it throttles; split, each child takes ~750. */
const HOT = {
  description: 'One hot shard.',
  seed: 4,
  resource: { aws_kinesis_stream: { s: { name: 's', shard_count: 1 } } },
  producers: [
    {
      name: 'web',
      records_per_second: 1500,
      record_size_bytes: 100,
      partition_keys: { model: 'uniform', count: 1000, prefix: 'user-' },
    },
  ],
  consumers: [{ name: 'reader', type: 'polling' }],
};

const QUIET = {
  description: 'Two quiet shards.',
  seed: 2,
  resource: {
    aws_kinesis_stream: { s: { name: 's', shard_count: 2 } },
  },
  producers: [{ name: 'web', records_per_second: 200, record_size_bytes: 100 }],
  consumers: [{ name: 'reader', type: 'polling' }],
};

const lanes = (page) => page.evaluate(() => window.streamsim.lanes());

test('split a hot shard with the keyboard: UPDATING, then its throttling ends and the lineage is drawn', async () => {
  const page = await openScenario(browser, server, HOT);
  await setSpeed(page, 10);
  await waitForText(page, '#notes-feed', /shardId-000000000000 is throttling/);

  // keyboard only: Tab to the split button of the hot shard, press Enter
  await setSpeed(page, 2); // UPDATING lasts 5 simulated seconds: 2.5 s here
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(page, 'rs0-s-split-0');
  assert.match(
    await page.locator('#rs0-s-split-0').getAttribute('aria-label'),
    /^Split in the middle: shardId-000000000000$/,
  );
  await page.keyboard.press('Enter');
  // UPDATING while it lasts, in the resharding panel (as a word)
  await waitForText(page, '#rs0-s-status', /UPDATING/, 15_000);
  await waitForText(page, '#narration, #narration-log', /Splitting shardId-000000000000 of s/);
  // then ACTIVE, the parent CLOSED, two children whose parent is lane 0
  await waitForText(page, '#rs0-s-status', /ACTIVE/, 30_000);
  const after = await lanes(page);
  assert.deepEqual(
    after.map((l) => [l.shardId, l.state, l.parentLanes]),
    [
      ['shardId-000000000000', 'CLOSED', []],
      ['shardId-000000000001', 'OPEN', [0]],
      ['shardId-000000000002', 'OPEN', [0]],
    ],
  );
  // the button went away with its shard: the focus is on the stream's status line, not lost
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'rs0-s-line');
  await setSpeed(page, 10);
  const lineage = await page.locator('#reshard-panel .lineage').textContent();
  assert.match(
    lineage,
    /shardId-000000000000 \(closed\) was split into shardId-000000000001 and shardId-000000000002/,
  );
  // the bar: a row of closed parents above the open shards, linked
  const bar = page.locator('#rs0-s-bar');
  assert.equal(await bar.getAttribute('data-closed'), '1');
  assert.equal(await bar.getAttribute('data-rows'), '2');
  assert.match(await bar.getAttribute('aria-label'), /2 open shards, and above them 1 closed/);
  assert.equal(
    await page.locator('#rs0-s-bar > svg > line').count(),
    2,
    'two links, parent → child',
  );
  // the shard table says closed
  assert.match(await page.locator('#shard-table tbody tr').first().textContent(), /closed/);

  // the parent's throttling ends; the children may throttle for a moment (the retried backlog
  // arrives), then the newest note about each says it stopped, or none ever said it started
  await waitForText(page, '#notes-feed', /shardId-000000000000 stopped throttling/, 40_000);
  await page.waitForFunction(
    () => {
      const items = [...document.querySelectorAll('#notes-feed li')].map((li) => li.textContent);
      return ['shardId-000000000001', 'shardId-000000000002'].every((id) => {
        const newest = items.find(
          (t) => t.includes(`${id} is throttling`) || t.includes(`${id} stopped throttling`),
        );
        return newest === undefined || newest.includes('stopped');
      });
    },
    null,
    { timeout: 40_000 },
  );
  // and the shard table shows no throttling on the open children
  const rows = await page.locator('#shard-table tbody tr').allTextContents();
  for (const r of rows.filter((t) => /open/.test(t))) assert.doesNotMatch(r, /⚠/, r);
  const notes = await page.locator('#notes-feed').textContent();
  assert.match(notes, /s is ACTIVE again: shardId-000000000000 closed/);

  const bad = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], formatViolations(bad));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('merge two neighbours; the merged shard has both as parents', async () => {
  const page = await openScenario(browser, server, QUIET);
  await setSpeed(page, 2);
  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(page, 'rs0-s-merge-0');
  assert.equal((await page.locator('#rs0-s-merge-0').textContent()).trim(), 'Merge with 1');
  await page.keyboard.press('Enter');
  await waitForText(page, '#rs0-s-status', /UPDATING/, 15_000);
  await setSpeed(page, 10);
  await waitForText(page, '#rs0-s-status', /ACTIVE/, 30_000);
  const after = await lanes(page);
  assert.deepEqual(
    after.map((l) => [l.shardId, l.state, l.parentLanes]),
    [
      ['shardId-000000000000', 'CLOSED', []],
      ['shardId-000000000001', 'CLOSED', []],
      ['shardId-000000000002', 'OPEN', [0, 1]],
    ],
  );
  assert.match(
    await page.locator('#reshard-panel .lineage').textContent(),
    /shardId-000000000000 \(closed\) and shardId-000000000001 \(closed\) were merged into shardId-000000000002/,
  );
  assert.match(await page.locator('#rs0-s-status').textContent(), /ACTIVE/);
  assert.match(await page.locator('#reshard-panel').textContent(), /1 open shard(?!s)/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('refused reshards show the reason as text: one at a time, a bad key, a count out of range', async () => {
  const page = await openScenario(browser, server, QUIET);
  // paused: both commands are checked when sent; the second waits for a stream that is UPDATING
  await page.locator('#play').click();
  await page.locator('#rs0-s-split-0').click();
  await page.locator('#step').click(); // the split begins: UPDATING
  await waitForText(page, '#rs0-s-status', /UPDATING/);
  await page.locator('#rs0-s-split-1').click();
  const err = await waitForText(page, '#rs0-s-err', /ResourceInUseException/);
  assert.match(err, /UPDATING/);
  assert.doesNotMatch(err, /^command\./, 'the field path is not shown to the student');
  assert.equal(await page.locator('#rs0-s-err').getAttribute('role'), 'alert');

  // a typed key that is not a number
  await page.locator('#rs0-s-split-key').fill('middle please');
  await page.locator('#rs0-s-split-key').press('Enter');
  await waitForText(page, '#rs0-s-err', /neither a whole decimal number nor a percentage/);
  // a key beyond the hash space
  await page.locator('#rs0-s-split-key').fill('340282366920938463463374607431768211456');
  await page.locator('#rs0-s-split-at').click();
  await waitForText(page, '#rs0-s-err', /larger than the largest hash key/);

  // more than double the shards
  await page.locator('#rs0-s-count').fill('9');
  await page.locator('#rs0-s-count-apply').click();
  await waitForText(page, '#rs0-s-err', /./);
  const countErr = await page.locator('#rs0-s-err').textContent();
  assert.ok(countErr.length > 10, `a reason is given: ${countErr}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('on-demand streams cannot be split by hand: the facade says why', async () => {
  const page = await openScenario(browser, server, {
    ...QUIET,
    resource: {
      aws_kinesis_stream: { s: { name: 's', stream_mode_details: { stream_mode: 'ON_DEMAND' } } },
    },
  });
  assert.match(await page.locator('#reshard-panel').textContent(), /on-demand/);
  await page.locator('#rs0-s-split-0').click();
  const err = await waitForText(page, '#rs0-s-err', /./);
  assert.match(err, /ON_DEMAND|on-demand|PROVISIONED/i);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('split at a typed share of the key space (25%), then a link replays the split', async () => {
  const page = await openScenario(browser, server, QUIET);
  await setSpeed(page, 10);
  await page.locator('#rs0-s-split-pick').selectOption('shardId-000000000000');
  await page.locator('#rs0-s-split-key').fill('25%');
  await page.locator('#rs0-s-split-key').press('Enter');
  await waitForText(page, '#rs0-s-ok', /Asked to split shardId-000000000000 at 25%/);
  await waitForText(page, '#rs0-s-status', /ACTIVE/, 30_000);
  await page.waitForFunction(() => window.streamsim.lanes().length === 4, null, {
    timeout: 30_000,
  });
  const table = await page.locator('#shard-table tbody').textContent();
  assert.match(table, /shardId-000000000002open0–25%/);
  assert.match(table, /shardId-000000000003open25–50%/);

  await page.locator('#scenario-link').click();
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /#scenario=/);
  const encoded = link.split('#scenario=')[1];
  const text = Buffer.from(encoded, 'base64url').toString('utf8');
  assert.match(text, /"type":"split_shard"/);
  assert.match(text, /"new_starting_hash_key":"85070591730234615865843651857942052864"/);

  const replayed = await openApp(browser, server, `#scenario=${encoded}`);
  await setSpeed(replayed, 10);
  await replayed.waitForFunction(() => window.streamsim.lanes().length === 4, null, {
    timeout: 30_000,
  });
  assert.match(
    await replayed.locator('#reshard-panel .lineage').textContent(),
    /shardId-000000000000 \(closed\) was split into shardId-000000000002 and shardId-000000000003/,
  );
  await waitForText(
    replayed,
    '#narration, #narration-log',
    /SplitShard of shardId-000000000000: stream s is UPDATING/,
  );
  assert.deepEqual(replayed.problems, []);
  await replayed.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('update shard count: 2 → 3 evenly, each new shard linked to the old ones it overlaps', async () => {
  const page = await openScenario(browser, server, QUIET);
  await setSpeed(page, 10);
  await page.locator('#rs0-s-count').fill('3');
  await page.locator('#rs0-s-count').press('Enter');
  await waitForText(page, '#rs0-s-ok', /Asked for 3 shards/);
  await page.waitForFunction(
    () => window.streamsim.lanes().filter((l) => l.state === 'OPEN').length === 3,
    null,
    { timeout: 30_000 },
  );
  await waitForText(page, '#rs0-s-status', /ACTIVE/, 30_000);
  const after = await lanes(page);
  assert.deepEqual(
    after.map((l) => [l.shardId, l.state, l.parentLanes]),
    [
      ['shardId-000000000000', 'CLOSED', []],
      ['shardId-000000000001', 'CLOSED', []],
      ['shardId-000000000002', 'OPEN', [0]],
      ['shardId-000000000003', 'OPEN', [0, 1]],
      ['shardId-000000000004', 'OPEN', [1]],
    ],
  );
  const lineage = await page.locator('#reshard-panel .lineage').textContent();
  assert.match(
    lineage,
    /^shardId-000000000000 \(closed\) and shardId-000000000001 \(closed\) were redrawn as shardId-000000000002, shardId-000000000003 and shardId-000000000004: the shard count changed\.$/,
  );
  assert.equal(await page.locator('#rs0-s-bar > svg > line').count(), 4);
  assert.match(await page.locator('#rs0-s-count').inputValue(), /^3$/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
