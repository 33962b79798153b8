// The Firehose part of the page: the tank fills and an object lands in the bucket; choosing an
// object shows its key and first lines; an S3 outage holds the data and it lands after recovery;
// the lake query answers; batch against streaming in words; hidden without a delivery stream;
// no console errors, axe clean, screenshots at desktop and phone width.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import {
  useServerAndBrowser,
  server,
  browser,
  runAxe,
  formatViolations,
  openPage,
} from './harness.mjs';
import {
  openApp,
  openScenario,
  setSpeed,
  waitForText,
  pauseAtStart,
  stepKeys,
} from './fixtures/app.mjs';

useServerAndBrowser();
before(() => fs.mkdir('/tmp/shots-fh', { recursive: true }));

const DIRECT_PUT = {
  description: 'Direct PUT: a web shop writes card payments straight into a Firehose.',
  seed: 3,
  resource: {
    aws_kinesis_stream: { s: { name: 's', shard_count: 1 } },
    aws_kinesis_firehose_delivery_stream: {
      archive: {
        name: 'archive',
        destination: 'extended_s3',
        extended_s3_configuration: {
          bucket_arn: 'arn:aws:s3:::clicks-lake',
          role_arn: 'arn:aws:iam::123456789012:role/fh',
          prefix: 'clicks/',
          buffering_size: 1,
          buffering_interval: 60,
          compression_format: 'UNCOMPRESSED',
        },
      },
    },
  },
  producers: [
    {
      name: 'web',
      delivery_stream_name: 'archive',
      api: 'PutRecordBatch',
      records_per_second: 100,
      record_size_bytes: 200,
      record_template: 'card_transaction',
    },
  ],
};

const KEY =
  /^clicks\/\d{4}\/\d\d\/\d\d\/\d\d\/archive-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const fh = (page) => page.evaluate(() => window.streamsim.firehoses()[0]);

test('the tank fills, an object lands, and choosing it shows its key and first lines', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await page.waitForSelector('#firehose-card:not([hidden])');
  await waitForText(page, '#firehose-card .fh-caption', /until the first of 1 MiB or 60 s/);
  await waitForText(page, '#firehose-card .fh-caption', /Direct PUT/);
  await setSpeed(page, 20);
  // the tank fills: the size bar's words count buffered records
  await waitForText(page, '#fh0-archive-size-text', /[1-9][\d,]* records\)/);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].objects_total >= 1, null, {
    timeout: 30_000,
  });
  await waitForText(page, '#fh0-archive-trigger', /Last object written at .*limit was reached/);
  await waitForText(page, '#fh0-archive-bucket h5', /\d{4}\/\d\d\/\d\d\/\d\d\//);
  const first = page.locator('#fh0-archive-bucket button.fh-object').first();
  await first.focus();
  await page.keyboard.press('Enter');
  const key = (
    await page.locator('#fh0-archive-detail dt:text-is("Key") + dd').textContent()
  ).trim();
  assert.match(key, KEY);
  const lines = await page.locator('#fh0-archive-detail pre').textContent();
  assert.match(lines.split('\n')[0], /^\{.*"amount".*\}$/);
  assert.equal(await first.getAttribute('aria-pressed'), 'true');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => document.getElementById('firehose-card').scrollIntoView());
  await page.screenshot({ path: '/tmp/shots-fh/firehose-1280.png' });
  await page.locator('#firehose-card').screenshot({ path: '/tmp/shots-fh/firehose-card-1280.png' });
  const bad = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], formatViolations(bad));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an S3 outage holds the data; after recovery it lands', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await page.waitForSelector('#firehose-card:not([hidden])');
  await page.locator('#fh0-archive-s3-down').focus();
  await page.keyboard.press('Space');
  assert.equal(await page.locator('#fh0-archive-s3-down').isChecked(), true);
  await waitForText(page, '#narration, #narration-log', /S3 is down for archive/);
  await setSpeed(page, 50);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].retrying_records > 0, null, {
    timeout: 30_000,
  });
  const held = await fh(page);
  assert.equal(held.delivered_records, 0);
  await waitForText(page, '#fh0-archive .fh-stats dd.warn', /[1-9]/);
  await page.locator('#fh0-archive-s3-down').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.streamsim.firehoses()[0].delivered_records > 0, null, {
    timeout: 30_000,
  });
  await waitForText(page, '#narration, #narration-log', /S3 is back for archive/);
  const after = await fh(page);
  assert.ok(after.objects_total >= 1);
  assert.equal(after.lost_records, 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the lake query answers for a time range, and says how far the lake knows', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await setSpeed(page, 50);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].objects_total >= 1, null, {
    timeout: 30_000,
  });
  await page.fill('#fh0-archive-from', '0');
  await page.fill('#fh0-archive-to', '10');
  await page.click('#fh0-archive-ask');
  const answer = await waitForText(
    page,
    '#fh0-archive-answer',
    /[1-9][\d,]* records in \d+ objects?/,
  );
  assert.match(answer, /mean \$\d+\.\d\d/);
  assert.match(answer, /The lake knows records up to \d+:\d\d:\d\d\.\d{3}/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a change of the destination is sent and shown', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await page.waitForSelector('#firehose-card:not([hidden])');
  await page.fill('#fh0-archive-size', '2');
  await page.selectOption('#fh0-archive-compression', 'GZIP');
  await page.click('#fh0-archive-apply');
  await page.waitForFunction(() => {
    const f = window.streamsim.firehoses()[0];
    return f.buffering_size_bytes === 2 * 1048576 && f.compression_format === 'GZIP';
  });
  await waitForText(page, '#firehose-card .fh-caption', /2 MiB or 60 s.*GZIP/);
  assert.equal(await page.locator('#fh0-archive-err').textContent(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('batch vs streaming: the preset shows both delays in words; axe finds nothing serious', async () => {
  const page = await openApp(browser, server, '?preset=batch-vs-streaming');
  await page.waitForSelector('#firehose-card:not([hidden])');
  await setSpeed(page, 50);
  await waitForText(page, '#fh0-lake-versus', /The river \(river, .*\) reacted in/);
  await waitForText(
    page,
    '#fh0-lake-versus',
    /The dam \(dam, a batch job over the lake every hour/,
  );
  await setSpeed(page, 1000);
  const both = await waitForText(
    page,
    '#fh0-lake-versus',
    /reacted in \d+ ms on average.*caught the same kind of thing \d+ min \d+ s later/,
    40_000,
  );
  assert.match(both, /at worst/);
  assert.match(both, /^In short: the river reacted in \d+ ms; the dam, \d+ min \d+ s later\./);
  await page.evaluate(() => document.getElementById('fh0-lake-versus').scrollIntoView());
  await page.screenshot({ path: '/tmp/shots-fh/batch-vs-streaming-1280.png' });
  const bad = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], formatViolations(bad));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('at phone width the Firehose panel fits; without a delivery stream it is hidden', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT, {
    context: { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true },
  });
  await setSpeed(page, 50);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].objects_total >= 1, null, {
    timeout: 30_000,
  });
  await page.locator('#fh0-archive-bucket button.fh-object').first().click();
  await page.waitForTimeout(300);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 375, `the page is ${scroll}px wide`);
  await page.evaluate(() => document.getElementById('firehose-card').scrollIntoView());
  await page.screenshot({ path: '/tmp/shots-fh/firehose-375.png' });
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const plain = await openApp(browser, server, '');
  await plain.waitForTimeout(500);
  assert.equal(await plain.locator('#firehose-card').isHidden(), true);
  assert.deepEqual(plain.problems, []);
  await plain.context().close();
});

test('"Make a link" replays the Firehose changes: outage and destination', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await pauseAtStart(page);
  await stepKeys(page, 3);
  await page.fill('#fh0-archive-interval', '30');
  await page.click('#fh0-archive-apply');
  await page.locator('#fh0-archive-s3-down').check();
  const ran = await stepKeys(page, 3);
  await page.click('#scenario-link');
  const link = await page.locator('#share-link').inputValue();
  const json = JSON.parse(Buffer.from(link.split('#scenario=')[1], 'base64url').toString('utf8'));
  const types = json.commands.map((c) => c.type);
  assert.ok(types.includes('update_destination'), types.join(','));
  assert.ok(types.includes('set_s3_available'), types.join(','));

  const fresh = await openPage(browser, link);
  await fresh.waitForSelector('html[data-ready="1"]', { state: 'attached' });
  await pauseAtStart(fresh);
  const again = await stepKeys(fresh, 6);
  assert.equal(again.digest, ran.digest);
  await fresh.waitForFunction(
    () => window.streamsim.firehoses()[0].buffering_interval_ms === 30_000,
  );
  await fresh.waitForFunction(() => document.getElementById('fh0-archive-s3-down').checked);
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('with reduced motion the hose does not move and the panel still updates', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT, {
    context: { reducedMotion: 'reduce' },
  });
  await setSpeed(page, 20);
  await waitForText(page, '#fh0-archive-size-text', /[1-9][\d,]* records\)/);
  const anim = await page.evaluate(
    () => getComputedStyle(document.querySelector('#fh0-archive .fh-hose-pipe')).animationName,
  );
  assert.equal(anim, 'none');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the keyboard focus stays on an object while new objects land', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await setSpeed(page, 50);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].objects_total >= 1, null, {
    timeout: 30_000,
  });
  await page.waitForTimeout(300);
  await page.locator('#fh0-archive-bucket button.fh-object').first().focus();
  const key = await page.evaluate(() => document.activeElement.dataset.key);
  await page.waitForFunction(() => window.streamsim.firehoses()[0].objects_total >= 2, null, {
    timeout: 30_000,
  });
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.key), key);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
