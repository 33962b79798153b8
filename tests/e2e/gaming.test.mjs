// The course's worked example, as a student first sees it: `?preset=gaming` — one stream, a
// Lambda trigger that catches the bot live, and a Firehose that archives every action to S3.
// Both happen on the page, the page stays accessible, and it fits a phone. Also the two
// Firehose presets a student opens by name: a transform with error objects, and Redshift.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runAxe, formatViolations, useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, setSpeed, waitForText } from './fixtures/app.mjs';

useServerAndBrowser();

for (const width of [1280, 390]) {
  test(`gaming at ${width} px: the bot is caught live and the actions land in S3`, async () => {
    const page = await openApp(browser, server, '?preset=gaming', {
      context: { viewport: { width, height: 900 } },
    });
    await setSpeed(page, 10);
    // The Lambda trigger catches the bot about a second after it acts.
    const alerts = await waitForText(page, '#alerts-feed', /player-bot-7/, 60_000);
    assert.match(alerts, /actions within 1 s/);
    // Firehose delivers by size (128 MiB fills in ~23 s of simulated time), GZIP-compressed.
    const bucket = await waitForText(page, '#firehose-card .fh-object', /game-archive-1-/, 60_000);
    assert.match(bucket, /records/);
    const detail = await page.locator('#firehose-card').textContent();
    assert.match(detail, /the size limit was reached first/);
    const v = await runAxe(page);
    assert.deepEqual(v, [], formatViolations(v));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), width);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

test('firehose-transform: the transform sorts records and failed ones land apart under errors/', async () => {
  const page = await openApp(browser, server, '?preset=firehose-transform');
  await setSpeed(page, 10);
  await waitForText(page, '#firehose-card legend', /Transform Lambda clean-clicks/);
  const errors = await waitForText(
    page,
    '#firehose-card .fh-object.error',
    /clickstream-archive-1-/,
    60_000,
  );
  assert.match(errors, /error object/);
  const card = await page.locator('#firehose-card').textContent();
  assert.match(card, /errors\/2025\/01\/01\/00\//);
  const v = await runAxe(page);
  assert.deepEqual(v, [], formatViolations(v));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('redshift-warehouse: staged objects are loaded into the table by COPY', async () => {
  const page = await openApp(browser, server, '?preset=redshift-warehouse');
  await setSpeed(page, 10);
  const text = await waitForText(
    page,
    '#firehose-card',
    /COPY into payments: [1-9][\d,]* done, [1-9][\d,]* rows loaded/,
    60_000,
  );
  assert.match(text, /Staged in S3/);
  const v = await runAxe(page);
  assert.deepEqual(v, [], formatViolations(v));
  assert.deepEqual(page.problems, []);
  await page.close();
});
