// The page with the keyboard alone, and what a screen reader is told: Tab order, visible focus,
// no trap, the record list with arrows, and a narration that is polite, sparing and plain.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import { openApp, status, pause, setSpeed } from './fixtures/app.mjs';

useServerAndBrowser();

/** Where the focus is: an id (or a tag), whether it shows, and whether it is a focus ring. */
function focusInfo(page) {
  return page.evaluate(() => {
    const a = document.activeElement;
    if (!a || a === document.body) return { where: 'BODY' };
    const cs = getComputedStyle(a);
    return {
      where: a.id || (a.classList.contains('skip-link') ? 'skip-link' : a.tagName),
      ring:
        a.matches(':focus-visible') &&
        cs.outlineStyle !== 'none' &&
        parseFloat(cs.outlineWidth) >= 2 &&
        cs.visibility === 'visible',
    };
  });
}

/** Press `key` until the focus leaves the page; returns the stops. */
async function tabAround(page, key) {
  const stops = [];
  for (let i = 0; i < 160; i++) {
    await page.keyboard.press(key);
    const f = await focusInfo(page);
    if (f.where === 'BODY') return stops;
    stops.push(f);
  }
  throw new Error(`the focus never left the page after 160 × ${key}: ${JSON.stringify(stops)}`);
}

/** Tab until `id` has the focus. */
async function tabTo(page, id) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
  }
  throw new Error(`#${id} not reached by Tab`);
}

/** Record every text the live narration shows from now on, with the real time (ms). */
async function watchNarration(page) {
  await page.evaluate(() => {
    const live = document.getElementById('narration');
    window.__said = [];
    new MutationObserver(() => window.__said.push([performance.now(), live.textContent])).observe(
      live,
      { childList: true, characterData: true, subtree: true },
    );
  });
  return () => page.evaluate(() => window.__said);
}

test('Tab and Shift+Tab visit every control in a sensible order, with a visible ring, and leave the page', async () => {
  const page = await openApp(browser, server);
  const forward = await tabAround(page, 'Tab');
  const ids = forward.map((s) => s.where);
  const order = [
    'skip-link',
    'play',
    'step',
    'reset',
    'speed',
    'seed',
    'seed-apply',
    'seed-random',
    'p0-web-rate-range',
    'p0-web-rate',
    'p0-web-pause',
    'p1-mobile-rate',
    'record-list',
    'notes-feed',
    'alerts-feed',
    'f-slow-dashboard',
    'rs0-clickstream-split-0',
    'rs0-clickstream-merge-0',
    'rs0-clickstream-split-key',
    'rs0-clickstream-count-apply',
    'preset',
    'preset-load',
    'scenario-file',
    'scenario-text',
    'scenario-check',
    'scenario-run',
    'scenario-link',
    'run-download',
    'share-link',
  ];
  let at = -1;
  for (const id of order) {
    const i = ids.indexOf(id);
    assert.ok(i > at, `#${id} comes after the one before it in: ${ids.join(' ')}`);
    at = i;
  }
  const noRing = forward.filter((s) => !s.ring).map((s) => s.where);
  assert.deepEqual(noRing, [], 'every stop shows a focus ring');

  const backward = await tabAround(page, 'Shift+Tab');
  assert.deepEqual(
    backward.map((s) => s.where).slice(0, ids.length),
    [...ids].reverse(),
    'Shift+Tab goes back the same way',
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the skip link moves the focus to the controls, visibly, and leaves the address alone', async () => {
  const page = await openApp(browser, server);
  await page.keyboard.press('Tab');
  assert.equal((await focusInfo(page)).where, 'skip-link');
  await page.keyboard.press('Enter');
  assert.deepEqual(await focusInfo(page), { where: 'controls', ring: true });
  assert.equal(await page.evaluate(() => location.hash), '');
  await page.keyboard.press('Tab');
  assert.equal((await focusInfo(page)).where, 'play');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the record list, while the run plays: Space pauses from the list, arrows show records', async () => {
  const page = await openApp(browser, server);
  await page.waitForFunction(
    () => document.querySelectorAll('#record-list option:not([disabled])').length >= 4,
  );
  await tabTo(page, 'record-list');
  await page.waitForTimeout(3000); // long enough for the records listed at first to move on
  await page.keyboard.press('Space');
  await page.waitForFunction(
    () => document.getElementById('st-state').textContent.trim() === 'paused',
  );
  assert.equal((await focusInfo(page)).where, 'record-list', 'the focus stayed in the list');
  for (const key of ['ArrowDown', 'ArrowDown', 'End', 'Home']) {
    await page.keyboard.press(key);
    await page.waitForSelector('#record-detail dl');
    const title = await page.locator('#record-detail h3').textContent();
    const chosen = await page.locator('#record-list').inputValue();
    assert.match(chosen, /^\d+:\d+$/);
    assert.equal(title.split(' ')[1], `#${chosen.split(':')[1]}`, `${key} shows the chosen record`);
  }
  // each option says its shard (a screen reader is not told the group's label), then its
  // visible text, so the accessible name holds what is seen (WCAG 2.5.3)
  const opt = page.locator('#record-list option').first();
  const label = await opt.getAttribute('aria-label');
  assert.match(label, /^shardId-\d{12}: #\d+ · \d:\d\d:\d\d\.\d{3} · \w+ · /);
  assert.ok(
    label.endsWith((await opt.textContent()).trim()),
    'the name ends with the visible text',
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('→ in a scrolling table scrolls it and does not step the simulation', async () => {
  const page = await openApp(browser, server, '', {
    context: { viewport: { width: 375, height: 740 } },
  });
  await pause(page);
  const before = await status(page);
  const region = page.locator('.table-scroll', { has: page.locator('#shard-table') });
  await region.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  assert.equal((await status(page)).tick, before.tick, 'no step');
  assert.ok((await region.evaluate((r) => r.scrollLeft)) > 0, 'the table scrolled');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the narration is polite, tells each situation once, and speaks in plain words', async () => {
  const page = await openApp(browser, server, '?preset=hot-key');
  const live = page.locator('#narration');
  assert.equal(await live.getAttribute('role'), 'status');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  await setSpeed(page, 10); // throttling and drops go on all the time
  const said = await watchNarration(page);
  await page.waitForTimeout(12_000);
  const log = await said();
  assert.ok(log.length >= 1, 'something was said');
  for (let i = 1; i < log.length; i++) {
    assert.ok(log[i][0] - log[i - 1][0] >= 2400, `at most one message per 2.5 s: ${log}`);
  }
  const drops = log.filter(([, t]) => /dropped/.test(t));
  assert.ok(drops.length <= 2, `drops told as an episode, not every few seconds: ${drops}`);
  for (const [, text] of log) {
    assert.doesNotMatch(text, /undefined|NaN|\[object|_|\blane\b/, `plain words: ${text}`);
    assert.match(text, /^[A-Z].*\.$/, `whole sentences: ${text}`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a rate slider moved with the arrow keys is told once, at its last value', async () => {
  const page = await openApp(browser, server);
  await tabTo(page, 'p0-web-rate-range');
  await page.waitForTimeout(2600); // past the narration of the start
  const said = await watchNarration(page);
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => /608 records per second/.test(window.__said.join(' ')));
  await page.waitForTimeout(800);
  const log = await said();
  const rates = log.filter(([, t]) => /web now sends/i.test(t));
  assert.equal(rates.length, 1, `one message, not one per key: ${rates}`);
  assert.match(rates[0][1], /web now sends 608 records per second\./);
  // and not a second time when the run applies it (its note says the same)
  const told =
    log
      .map(([, t]) => t)
      .join(' ')
      .match(/web now sends/gi) || [];
  assert.equal(told.length, 1, `told once: ${log.map(([, t]) => t).join(' | ')}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
