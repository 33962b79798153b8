// The hose: records pour into the tank as dots whose places come from simulated time, not the
// wall clock: they move while the run plays, stand still while it is paused, and move again by
// one tick when it steps; their number follows IncomingRecords, which is also said in words.
// Under reduced motion they stand still while the run plays. Screenshots at desktop and phone.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openScenario, setSpeed, pause, stepKeys, waitForText } from './fixtures/app.mjs';

const SHOTS = '/tmp/shots-fh';
useServerAndBrowser();
before(() => fs.mkdir(SHOTS, { recursive: true }));

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
          buffering_size: 1,
          buffering_interval: 60,
        },
      },
    },
  },
  producers: [
    {
      name: 'web',
      delivery_stream_name: 'archive',
      api: 'PutRecordBatch',
      records_per_second: 400,
      record_size_bytes: 200,
    },
  ],
};

const picture = (page) =>
  page.evaluate(() => document.querySelector('#fh0-archive .fh-pour').toDataURL());

/** How many of the hose canvas's pixels are painted (dots drawn at all). */
const painted = (page) =>
  page.evaluate(() => {
    const c = document.querySelector('#fh0-archive .fh-pour');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });

test('the dots move with simulated time: still when paused, one tick further on a step', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT);
  await page.waitForSelector('#firehose-card:not([hidden])');
  await setSpeed(page, 1);
  await waitForText(page, '#fh0-archive-in-rate', /^[1-9][\d,]* records\/s in$/);
  await page.waitForTimeout(200); // the next frames draw them
  assert.ok((await painted(page)) > 0, 'the hose shows records');
  const a = await picture(page);
  await page.waitForTimeout(250);
  assert.notEqual(await picture(page), a, 'playing: the dots move');

  await pause(page);
  await page.waitForTimeout(200);
  const still = await picture(page);
  await page.waitForTimeout(400);
  assert.equal(await picture(page), still, 'paused: the wall clock does not move them');
  await stepKeys(page, 1);
  await page.waitForTimeout(200);
  assert.notEqual(await picture(page), still, 'a step moves them');

  // the words say what the dots stand for, from the report
  const f = await page.evaluate(() => window.streamsim.firehoses()[0]);
  const last = f.metrics[f.metrics.length - 1];
  await waitForText(
    page,
    '#fh0-archive-in-rate',
    new RegExp(`^${last.IncomingRecords.toLocaleString('en-US')} records/s in$`),
  );
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#fh0-archive .fh-scene').scrollIntoViewIfNeeded();
  await page.locator('#fh0-archive .fh-scene').screenshot({ path: `${SHOTS}/hose-1280.png` });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('under reduced motion the dots stand still while the run plays', async () => {
  const page = await openScenario(browser, server, DIRECT_PUT, {
    context: {
      reducedMotion: 'reduce',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    },
  });
  await page.waitForSelector('#firehose-card:not([hidden])');
  await setSpeed(page, 1);
  await waitForText(page, '#fh0-archive-in-rate', /^[1-9][\d,]* records\/s in$/);
  await page.waitForTimeout(300);
  assert.ok((await painted(page)) > 0, 'the hose still shows records');
  const a = await picture(page);
  await page.waitForTimeout(500);
  assert.equal(await picture(page), a);
  assert.equal(
    await page.evaluate(
      () => getComputedStyle(document.querySelector('#fh0-archive .fh-hose-pipe')).animationName,
    ),
    'none',
  );
  await page.locator('#fh0-archive .fh-scene').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/hose-390.png` });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
