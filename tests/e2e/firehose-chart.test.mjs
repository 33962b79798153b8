// Batch against streaming on one chart (preset batch-vs-streaming): both series are drawn, the
// table beside the drawing carries the same numbers as `firehoses()` and `consumers()`, the batch
// job's bars are longer than the stream consumer's; axe finds nothing; nothing in the Firehose
// card animates under reduced motion; screenshots at desktop and phone width.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { useServerAndBrowser, server, browser, runAxe, formatViolations } from './harness.mjs';
import { openApp, setSpeed, pause } from './fixtures/app.mjs';
import { formatDuration, formatCount } from '../../www/format.js';

const SHOTS = '/tmp/shots-fh';
useServerAndBrowser();
before(() => fs.mkdir(SHOTS, { recursive: true }));

/** Run the preset until both the river and the dam have alerted, then pause. */
async function runUntilBoth(page) {
  await page.waitForSelector('#firehose-card:not([hidden])');
  await setSpeed(page, 1000);
  await page.waitForFunction(
    () => {
      const f = window.streamsim.firehoses()[0];
      const river = window.streamsim.consumers().find((c) => c.name === 'river');
      return f.batch_job.alerts > 0 && river.application.alerts > 0;
    },
    null,
    { timeout: 60_000 },
  );
  await pause(page);
  await page.waitForTimeout(400); // the panel refreshes at once when paused
}

/** The table's numbers: per series, the data-ms of Mean and Worst, and the cells' text. */
function readTable(page) {
  return page.evaluate(() => {
    const out = {};
    for (const tr of document.querySelectorAll('#fh0-lake-chart-table tbody tr')) {
      const [mean, max, alerts] = tr.querySelectorAll('td');
      out[tr.dataset.series] = {
        head: tr.querySelector('th').textContent,
        meanMs: Number(mean.dataset.ms),
        maxMs: Number(max.dataset.ms),
        meanText: mean.textContent,
        maxText: max.textContent,
        alerts: alerts.textContent,
      };
    }
    return out;
  });
}

test('one chart with both delays; its table matches firehoses() and consumers()', async () => {
  const page = await openApp(browser, server, '?preset=batch-vs-streaming');
  await runUntilBoth(page);
  const [f, river] = await page.evaluate(() => [
    window.streamsim.firehoses()[0],
    window.streamsim.consumers().find((c) => c.name === 'river'),
  ]);
  const job = f.batch_job;
  const t = await readTable(page);
  assert.equal(t.river.meanMs, river.application.detection_delay_ms_mean);
  assert.equal(t.river.maxMs, river.application.detection_delay_ms_max);
  assert.equal(t.river.meanText, formatDuration(river.application.detection_delay_ms_mean));
  assert.equal(t.river.alerts, formatCount(river.application.alerts));
  assert.equal(t.dam.meanMs, job.detection_delay_ms_mean);
  assert.equal(t.dam.maxMs, job.detection_delay_ms_max);
  assert.equal(t.dam.maxText, formatDuration(job.detection_delay_ms_max));
  assert.equal(t.dam.alerts, formatCount(job.alerts));
  assert.match(t.river.head, /Streaming: river/);
  assert.match(t.dam.head, /Batch: dam/);
  // the dam is minutes late, the river well under a minute
  assert.ok(t.dam.meanMs > 60_000, `${t.dam.meanMs}`);
  assert.ok(t.river.meanMs < 10_000, `${t.river.meanMs}`);

  // the drawing: both series, each bar as long as its number says, the dam's longer
  const bars = await page.evaluate(() =>
    [...document.querySelectorAll('#fh0-lake-chart rect[data-stat]')].map((r) => ({
      series: r.closest('g[data-series]').dataset.series,
      stat: r.dataset.stat,
      ms: Number(r.dataset.ms),
      width: Number(r.getAttribute('width')),
      fill: r.getAttribute('fill'),
    })),
  );
  assert.equal(bars.length, 4);
  const bar = (s, st) => bars.find((b) => b.series === s && b.stat === st);
  assert.equal(bar('river', 'mean').ms, t.river.meanMs);
  assert.equal(bar('dam', 'max').ms, t.dam.maxMs);
  assert.ok(bar('dam', 'mean').width > bar('river', 'mean').width + 100);
  assert.ok(bar('dam', 'max').width >= bar('dam', 'mean').width);
  // a second cue beside colour: the batch bars are hatched (a pattern), the stream's are solid
  assert.match(bar('dam', 'mean').fill, /^url\(#/);
  assert.match(bar('river', 'mean').fill, /^#/);
  const labels = await page.locator('#fh0-lake-chart text').allTextContents();
  assert.ok(labels.includes('1 h') && labels.includes('1 s'), labels.join('|'));
  assert.ok(labels.includes(formatDuration(job.detection_delay_ms_mean)), labels.join('|'));
  // the drawing names its text alternative
  assert.equal(
    await page.locator('#fh0-lake-chart').getAttribute('aria-describedby'),
    'fh0-lake-chart-table',
  );

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#fh0-lake-versus-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/chart-1280.png` });
  const bad = await runAxe(page);
  assert.deepEqual(bad, [], formatViolations(bad));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('at phone width with reduced motion the chart fits and nothing in the card moves', async () => {
  const page = await openApp(browser, server, '?preset=batch-vs-streaming', {
    context: {
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      reducedMotion: 'reduce',
    },
  });
  await runUntilBoth(page);
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scroll <= 390, `the page is ${scroll}px wide`);
  const moving = await page.evaluate(
    () =>
      document
        .getAnimations()
        .filter((a) => document.getElementById('firehose-card').contains(a.effect?.target)).length,
  );
  assert.equal(moving, 0);
  // the words on the chart stay readable: at least 9 CSS px high at this width
  const smallest = await page.evaluate(() =>
    Math.min(
      ...[...document.querySelectorAll('#fh0-lake-chart text')]
        .filter((t) => t.textContent)
        .map((t) => t.getBoundingClientRect().height),
    ),
  );
  assert.ok(smallest >= 9, `chart text ${smallest}px high`);
  await page.locator('#fh0-lake-versus-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/chart-390.png` });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
