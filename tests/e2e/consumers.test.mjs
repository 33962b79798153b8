// The consumers' side of the page: fan-out against shared polling delays, a KCL worker crash
// (the takeover note, the lease owner changing, duplicates), a poison record stuck in a Lambda
// trigger (the note, the growing lag), alerts with their detection delays, faults replayed from
// a link, and the whole page accessible while all of it is on screen.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { runAxe, formatViolations, useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, openScenario, setSpeed, tabTo, waitForText } from './fixtures/app.mjs';

useServerAndBrowser();

const ms = (text) => {
  const m = /([\d.]+)\s*(ms|s)\b/.exec(text);
  if (!m) return NaN;
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
};
const num = (text) => Number(String(text).replace(/[^\d]/g, ''));

/** The consumer card's figure under the heading `label` (a <dt>). */
async function figure(page, consumer, label) {
  const card = page.locator('.consumer-card', {
    has: page.locator('h3', { hasText: new RegExp(` ${consumer}$`) }),
  });
  return card
    .locator('dt', { hasText: new RegExp(`^${label}`) })
    .locator('xpath=following-sibling::dd[1]')
    .textContent();
}

const FAN = {
  description: 'Shared polling against enhanced fan-out.',
  seed: 5,
  resource: { aws_kinesis_stream: { s: { name: 's', shard_count: 2 } } },
  producers: [{ name: 'devices', records_per_second: 600, record_size_bytes: 300 }],
  consumers: [
    { name: 'shared-1', type: 'polling' },
    { name: 'shared-2', type: 'polling' },
    { name: 'pushed', type: 'enhanced_fan_out' },
  ],
};

test('fan-out delivers in about 70 ms, shared polling in half a second or more', async () => {
  const page = await openScenario(browser, server, FAN);
  await setSpeed(page, 10);
  await page.waitForFunction(() => window.streamsim.consumers().every((c) => c.records_read > 500));
  await page.waitForTimeout(400); // a panel refresh
  const pushed = ms(await figure(page, 'pushed', 'Mean delay'));
  const shared = ms(await figure(page, 'shared-1', 'Mean delay'));
  assert.ok(pushed >= 40 && pushed <= 150, `fan-out delay ${pushed} ms`);
  assert.ok(shared >= 300, `shared polling delay ${shared} ms`);
  // kinds are said in words on each card
  const cards = await page.locator('.consumer-card h3').allTextContents();
  assert.deepEqual(
    cards.map((t) => t.trim()),
    ['polling shared-1', 'polling shared-2', 'fan-out pushed'],
  );
  // per shard, a lag row for each consumer
  assert.equal(await page.locator('.consumer-card .lag-table tbody tr').count(), 6);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

const KCL = {
  description: 'A KCL application with two workers.',
  seed: 3,
  resource: { aws_kinesis_stream: { s: { name: 's', shard_count: 2 } } },
  producers: [{ name: 'shop', records_per_second: 400, record_size_bytes: 200 }],
  consumers: [
    {
      name: 'billing',
      type: 'kcl',
      workers: 2,
      checkpoint_every_records: 100000,
      checkpoint_interval_ms: 600000,
    },
  ],
};

test('crash a KCL worker from the keyboard: takeover note, lease owner changes, duplicates, then restart', async () => {
  const page = await openScenario(browser, server, KCL);
  await setSpeed(page, 10);
  const owners = () =>
    page
      .locator('.lease-table tbody td.owner')
      .allTextContents()
      .then((t) => t.map((x) => x.trim()));
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.lease-table td.owner')].some((td) =>
      /worker-1/.test(td.textContent),
    ),
  );
  const before = await owners();
  assert.ok(before.includes('worker-1'), `worker-1 holds a lease: ${before}`);

  await page.evaluate(() => document.activeElement?.blur());
  await tabTo(page, 'f-billing-w1');
  assert.equal(
    await page.locator('#f-billing-w1').getAttribute('aria-label'),
    'Crash worker-1 of billing',
  );
  await page.keyboard.press('Enter');
  await waitForText(page, '#narration, #narration-log', /Worker-1 of billing crashed/);
  // the button now offers the way back, and keeps the focus
  assert.equal((await page.locator('#f-billing-w1').textContent()).trim(), 'Restart worker-1');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-billing-w1');

  const note = await waitForText(page, '#notes-feed', /worker-2 of billing took over/, 30_000);
  assert.match(note, /records will be processed again/);
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('.lease-table td.owner')].every(
        (td) => td.textContent.trim() === 'worker-2',
      ),
    null,
    { timeout: 30_000 },
  );
  await page.waitForFunction(() => window.streamsim.consumers()[0].duplicates > 0, null, {
    timeout: 30_000,
  });
  await page.waitForTimeout(400);
  assert.ok(num(await figure(page, 'billing', 'Duplicates')) > 0, 'duplicates shown');
  assert.match(
    await page.locator('.consumer-card dd.warn').first().textContent(),
    /[1-9]/,
    'a warning mark, not colour alone (::before ⚠)',
  );
  // the narration tells the takeover too
  await waitForText(page, '#narration, #narration-log', /Worker-2 of billing took over/, 15_000);

  await page.keyboard.press('Enter'); // restart
  await waitForText(page, '#narration, #narration-log', /Worker-1 of billing restarted/);
  assert.equal((await page.locator('#f-billing-w1').textContent()).trim(), 'Crash worker-1');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

const POISON = {
  description: 'A Lambda trigger with the default settings.',
  seed: 8,
  resource: {
    aws_kinesis_stream: { clicks: { name: 'clicks', shard_count: 2 } },
    aws_lambda_event_source_mapping: {
      enrich: {
        event_source_arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks',
        function_name: 'enrich-clicks',
        starting_position: 'LATEST',
      },
    },
  },
  lambda_functions: [{ name: 'enrich-clicks', duration_ms: 80 }],
  producers: [{ name: 'web', records_per_second: 300 }],
};

test('a poison record blocks its shard: the stuck note, the lag growing, failed invocations', async () => {
  const page = await openScenario(browser, server, POISON);
  await setSpeed(page, 10);
  // the Lambda box names its function; invocations counted
  assert.match(await page.locator('.consumer-card h3').first().textContent(), /λ enrich-clicks/);
  await page.waitForFunction(() => window.streamsim.consumers()[0].lambda.invocations > 5);
  await page.locator('#f-poison-web').click();
  await waitForText(page, '#f-poison-count', /1 poison record put/);
  const stuck = await waitForText(page, '#notes-feed', /stuck retrying/, 30_000);
  assert.match(stuck, /the Lambda trigger of enrich-clicks on shardId-00000000000\d/);
  await waitForText(page, '#narration, #narration-log', /stuck retrying/, 15_000);

  // the blocked shard's lag keeps growing
  const lagOf = () =>
    page.evaluate(() =>
      Math.max(...window.streamsim.consumers()[0].shards.map((s) => s.iterator_age_ms)),
    );
  await page.waitForSelector('.lag-fill.far', { timeout: 30_000 }); // striped past 10 s
  // (the core's report now and then reads 0 for one refresh: sample until it is past 10 s)
  await page.waitForFunction(
    () =>
      Math.max(...window.streamsim.consumers()[0].shards.map((s) => s.iterator_age_ms)) >= 10_000,
  );
  const a = await lagOf();
  await page.waitForFunction(
    (was) =>
      Math.max(...window.streamsim.consumers()[0].shards.map((s) => s.iterator_age_ms)) >
      was + 2000,
    a,
    { timeout: 30_000 },
  );
  // and the canvas-free text says so too: the shard's row reads seconds, not milliseconds
  const ages = await page.locator('.consumer-card .lag-text').allTextContents();
  assert.ok(
    ages.some((t) => /\d+ s$/.test(t.trim())),
    `a lag in seconds: ${ages.join(', ')}`,
  );
  assert.ok(num(await figure(page, 'enrich', 'Failed invocations')) > 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the fraud-detection preset lists alerts with how long after the payment they came', async () => {
  const page = await openApp(browser, server, '?preset=fraud-detection');
  await setSpeed(page, 10);
  const feed = await waitForText(page, '#alerts-feed', /caught .+ after it happened/, 30_000);
  assert.match(feed, /card-\S+: .+ — caught \d[\d.]* m?s after it happened/);
  // both detectors catch something, each with its delays
  const summary = await waitForText(
    page,
    '#alerts-summary',
    /fraud-polling \(fraud detector\): [\d,]+ alerts?, on average .+fraud-fan-out \(fraud detector\): [\d,]+ alerts?, on average/,
    30_000,
  );
  assert.match(summary, /at worst/);
  assert.ok((await page.locator('#alerts-feed li').count()) <= 30, 'the feed is capped');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('faults are commands: a link replays the crash, the error rate, the slow-down and the poison record', async () => {
  const page = await openScenario(browser, server, {
    ...KCL,
    resource: {
      ...KCL.resource,
      aws_lambda_event_source_mapping: {
        m: { event_source_arn: 's', function_name: 'score', starting_position: 'LATEST' },
      },
    },
    lambda_functions: [{ name: 'score' }],
  });
  await page.locator('#play').click(); // paused: the changes apply at the next tick
  await page.locator('#f-billing-w2').click();
  await page.locator('#f-fn-score').selectOption('0.5');
  await page.locator('#f-fn-score-apply').click();
  await page.locator('#f-slow-billing').selectOption('10');
  await page.locator('#f-slow-billing-apply').click();
  await page.locator('#f-poison-shop').click();
  await page.locator('#step').click();
  await page.locator('#f-fn-score-recover').click();
  await page.locator('#step').click();
  assert.match(await page.locator('#f-fn-score-now').textContent(), /score works/);
  assert.match(await page.locator('#f-slow-billing-now').textContent(), /10 records\/s/);

  await page.locator('#scenario-link').click();
  const link = await page.locator('#share-link').inputValue();
  const encoded = link.split('#scenario=')[1];
  const text = Buffer.from(encoded, 'base64url').toString('utf8');
  for (const re of [
    /"type":"crash_worker","consumer":"billing","worker":2/,
    /"type":"set_function_error_rate","function_name":"score","error_rate":0.5/,
    /"type":"set_function_error_rate","function_name":"score","error_rate":0/,
    /"type":"set_processing_rate","consumer":"billing","records_per_second":10/,
    /"type":"put_poison_record","producer":"shop"/,
  ]) {
    assert.match(text, re);
  }

  // "Download this run" writes the same commands
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#run-download'),
  ]);
  const saved = await fs.readFile(await download.path(), 'utf8');
  const types = JSON.parse(saved).commands.map((c) => c.type); // (only counted: no seed read)
  assert.deepEqual(types.sort(), [
    'crash_worker',
    'put_poison_record',
    'set_function_error_rate',
    'set_function_error_rate',
    'set_processing_rate',
  ]);

  const replayed = await openApp(browser, server, `#scenario=${encoded}`);
  await replayed.waitForFunction(() => Number(document.getElementById('st-tick').textContent) > 3);
  // the faults panel follows the replayed commands: the way back is offered
  await waitForText(replayed, '#f-billing-w2', /Restart worker-2/);
  await waitForText(replayed, '#f-slow-billing-now', /10 records\/s/);
  await waitForText(replayed, '#f-fn-score-now', /score works/);
  await waitForText(replayed, '#f-poison-count', /1 poison record put/);
  assert.deepEqual(replayed.problems, []);
  await replayed.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every new preset runs without console errors and axe finds nothing serious', async () => {
  for (const preset of [
    'kcl-failover',
    'lambda-poison-record',
    'resharding',
    'fan-out-vs-shared',
  ]) {
    const page = await openApp(browser, server, `?preset=${preset}`);
    await setSpeed(page, 50);
    await page.waitForTimeout(1500);
    const bad = (await runAxe(page)).filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
    assert.deepEqual(bad, [], `${preset}: ${formatViolations(bad)}`);
    assert.deepEqual(page.problems, [], preset);
    await page.context().close();
  }
});

test('with reduced motion the consumer panels still update (no packets, same numbers)', async () => {
  const page = await openScenario(browser, server, POISON, {
    context: { reducedMotion: 'reduce' },
  });
  await setSpeed(page, 10);
  await page.waitForFunction(() => window.streamsim.consumers()[0].lambda.invocations > 5);
  await page.waitForTimeout(400);
  assert.ok(num(await figure(page, 'enrich', 'Invocations')) > 5);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('at phone width the consumer, fault and resharding panels fit: nothing overflows sideways', async () => {
  for (const preset of ['fan-out-vs-shared', 'kcl-failover', 'lambda-poison-record']) {
    const page = await openApp(browser, server, `?preset=${preset}`, {
      context: { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true },
    });
    await page.waitForTimeout(800);
    const m = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      canvas: document.getElementById('belt').getBoundingClientRect().width,
    }));
    assert.ok(m.scroll <= 375, `${preset}: the page is ${m.scroll}px wide`);
    assert.ok(m.canvas <= 375, `${preset}: the canvas is ${m.canvas}px wide`);
    assert.deepEqual(page.problems, [], preset);
    await page.context().close();
  }
});
