// Page bugs that were fixed, each with the test that would have caught it: the Direct PUT
// ledger, the lake's fields, the tank's time bar, the Direct PUT producer's label, and the speed
// slider with the keyboard.

import fs from 'node:fs/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServerAndBrowser, server, browser } from './harness.mjs';
import {
  openApp,
  openScenario,
  setSpeed,
  pause,
  status,
  waitForText,
  fixture,
  parseSimTime,
} from './fixtures/app.mjs';

useServerAndBrowser();

const num = (s) => Number(String(s).replace(/[^\d]/g, ''));

/** Direct PUT into one delivery stream (1 MiB or 60 s), records of `template`. */
function directPut(template, extra = {}) {
  return {
    description: `Direct PUT of ${template} records into a Firehose.`,
    seed: 11,
    resource: {
      aws_kinesis_stream: { s: { name: 's', shard_count: 1 } },
      aws_kinesis_firehose_delivery_stream: {
        archive: {
          name: 'archive',
          destination: 'extended_s3',
          extended_s3_configuration: {
            bucket_arn: 'arn:aws:s3:::lake',
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
        records_per_second: 200,
        record_size_bytes: 200,
        record_template: template,
      },
    ],
    ...extra,
  };
}

test('regression: Direct PUT ledger showed no Firehose places', async () => {
  // It read "Produced 4,150 = 50 + 0 + 0 …" next to "✓ Balanced": the places where Direct PUT
  // records are (Firehose's buffer, S3, …) were not in the table, so the sum shown was false.
  const page = await openScenario(browser, server, directPut('card_transaction'));
  await setSpeed(page, 50);
  await page.waitForFunction(() => window.streamsim.ledger()?.in_s3 > 0, null, {
    timeout: 30_000,
  });
  await pause(page);
  await page.waitForTimeout(300);
  const cells = await page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('#ledger td[data-place]')].map((td) => [
        td.dataset.place,
        td.textContent,
      ]),
    ),
  );
  assert.equal(Object.keys(cells).length, 12, 'all 12 places of the ledger');
  const shown = Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, num(v)]));
  const { produced, ...places } = shown;
  const sum = Object.values(places).reduce((a, b) => a + b, 0);
  assert.ok(produced > 0);
  assert.equal(
    sum,
    produced,
    `the places shown add up to what was produced: ${JSON.stringify(shown)}`,
  );
  assert.ok(shown.in_s3 > 0 && shown.firehose_buffered + shown.in_s3 > shown.read);
  // the numbers are the run's own
  const lg = await page.evaluate(() => window.streamsim.ledger());
  for (const [k, v] of Object.entries(shown)) assert.equal(v, lg[k], k);
  const line = await page.locator('#lg-balanced').textContent();
  assert.match(line, /^✓ Balanced: the places add up to [\d,]+, every record produced\.$/);
  assert.equal(num(line), produced);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: the lake offered amount for game actions', async () => {
  // The query always summed "amounts", though game actions carry a score and clicks nothing.
  const game = await openScenario(browser, server, directPut('game_action'));
  await setSpeed(game, 50);
  await game.waitForFunction(() => window.streamsim.firehoses()[0]?.objects_total >= 1, null, {
    timeout: 30_000,
  });
  await game.waitForFunction(
    () => document.querySelectorAll('#fh0-archive-field option').length > 0,
  );
  const offered = await game
    .locator('#fh0-archive-field option')
    .evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['score'], 'only the field game actions have');
  await game.fill('#fh0-archive-from', '0');
  await game.fill('#fh0-archive-to', '10');
  await game.click('#fh0-archive-ask');
  const answer = await waitForText(game, '#fh0-archive-answer', /records in/);
  assert.match(answer, /scores sum to [\d,]+ points, mean [\d,]+ points/);
  assert.doesNotMatch(answer, /amount|\$/);
  assert.deepEqual(game.problems, []);
  await game.context().close();

  // payments: amounts, in dollars
  const cards = await openScenario(browser, server, directPut('card_transaction'));
  await setSpeed(cards, 50);
  await cards.waitForFunction(
    () => document.querySelectorAll('#fh0-archive-field option').length > 0,
    null,
    { timeout: 30_000 },
  );
  assert.deepEqual(
    await cards.locator('#fh0-archive-field option').evaluateAll((os) => os.map((o) => o.value)),
    ['amount'],
  );
  await cards.click('#fh0-archive-ask');
  assert.match(
    await waitForText(cards, '#fh0-archive-answer', /records in/),
    /amounts sum to \$\d+\.\d\d, mean \$\d+\.\d\d/,
  );
  assert.deepEqual(cards.problems, []);
  await cards.context().close();

  // clicks: no numeric field, nothing to choose, the query counts
  const clicks = await openScenario(browser, server, directPut('click'));
  await setSpeed(clicks, 50);
  await clicks.waitForFunction(() => window.streamsim.firehoses()[0]?.objects_total >= 1, null, {
    timeout: 30_000,
  });
  await clicks.waitForTimeout(300);
  assert.equal(await clicks.locator('#fh0-archive-field').isVisible(), false);
  assert.match(await clicks.locator('#fh0-archive-no-field').textContent(), /no numeric field/);
  await clicks.click('#fh0-archive-ask');
  const counted = await waitForText(clicks, '#fh0-archive-answer', /records in/);
  assert.doesNotMatch(counted, /sum|mean|\$/);
  assert.deepEqual(clicks.problems, []);
  await clicks.context().close();
});

test('regression: the tank time bar showed DataFreshness, not the buffer age that triggers delivery', async () => {
  // With S3 down, objects wait and the oldest record ages past the interval (DataFreshness),
  // while each new buffer starts filling from 0: the bar was full though no delivery was due.
  const page = await openScenario(browser, server, directPut('click'));
  await page.locator('#fh0-archive-s3-down').check();
  await setSpeed(page, 100);
  await page.waitForFunction(
    () => window.streamsim.firehoses()[0]?.data_freshness_ms > 150_000,
    null,
    {
      timeout: 40_000,
    },
  );
  await pause(page);
  await page.waitForTimeout(300);
  const f = await page.evaluate(() => window.streamsim.firehoses()[0]);
  assert.ok(f.data_freshness_ms > 2 * f.buffering_interval_ms);
  assert.ok(f.buffer_age_ms < f.buffering_interval_ms, `buffer age ${f.buffer_age_ms}`);
  const fraction = Number(
    await page.locator('#fh0-archive .fh-time-fill').getAttribute('data-fraction'),
  );
  const expected = f.buffered_records > 0 ? f.buffer_age_ms / f.buffering_interval_ms : 0;
  assert.ok(Math.abs(fraction - expected) < 1e-9, `${fraction} = ${expected}`);
  assert.ok(fraction < 1, 'the time bar is not full');
  const words = await page.locator('#fh0-archive-time-text').textContent();
  assert.match(words, /^(\d+(\.\d)? m?s|0 s) of 60 s since the buffer started filling$/);
  assert.match(
    await page.locator('#fh0-archive-fresh-text').textContent(),
    /oldest record not yet in S3 is \d+ min \d+ s old/,
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: Direct PUT producer label read "PutRecords … stream " with no name', async () => {
  const page = await openScenario(browser, server, directPut('card_transaction'));
  assert.equal(
    (await page.locator('#p0-web-target').textContent()).trim(),
    'PutRecordBatch → delivery stream archive',
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const plain = await openApp(browser, server);
  assert.equal(
    (await plain.locator('#p1-mobile-target').textContent()).trim(),
    'PutRecords → stream clickstream, keys: one hot key',
  );
  await plain.context().close();
});

test('regression: Space did nothing while the speed slider had the focus', async () => {
  const page = await openApp(browser, server);
  await page.locator('#speed').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(
    () => document.getElementById('st-state').textContent.trim() === 'paused',
  );
  assert.equal(await page.evaluate(() => document.activeElement.id), 'speed', 'focus stays');
  await page.keyboard.press('Space');
  await page.waitForFunction(() =>
    /^playing/.test(document.getElementById('st-state').textContent),
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: an arrow key moved the speed slider by 1/1000 of its range', async () => {
  // Five presses of → still read 1×: each moved the slider one step of 1,000.
  const page = await openApp(browser, server);
  await pause(page);
  const before = await status(page);
  await page.locator('#speed').focus();
  const seen = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('ArrowRight');
    seen.push((await page.locator('#speed-value').textContent()).trim());
  }
  assert.deepEqual(seen, ['2×', '5×', '10×', '20×', '50×'], 'each press: the next stop');
  assert.equal(await page.locator('#speed').getAttribute('aria-valuetext'), '50 times real time');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await page.locator('#speed-value').textContent()).trim(), '20×');
  await page.keyboard.press('Home');
  assert.equal((await page.locator('#speed-value').textContent()).trim(), '0.1×');
  await page.keyboard.press('End');
  assert.equal((await page.locator('#speed-value').textContent()).trim(), '1000×');
  assert.equal((await status(page)).tick, before.tick, 'the arrows moved the slider, not the run');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: a + in a standard-base64 #scenario= was read as a space', async () => {
  // URLSearchParams reads the fragment as a form: "+" became " " and the scenario was refused.
  const { parseLocation, base64UrlDecode } = await import('../../www/format.js');
  const base = JSON.parse(await fs.readFile(fixture('good-one-shard.json'), 'utf8'));
  // a description whose standard base64 has both "+" and "/" in it, and padding
  let scenario;
  let std = '';
  for (let k = 0; k < 100; k++) {
    // the varying part first, so that "?" (0x3F: "/" when aligned) moves through the groups
    scenario = { ...base, description: `${'x'.repeat(k % 3)}${k} standard base64 ÿ?>~` };
    std = Buffer.from(JSON.stringify(scenario), 'utf8').toString('base64');
    if (/\+/.test(std) && /\//.test(std) && /=$/.test(std)) break;
  }
  assert.match(std, /\+/);
  assert.match(std, /\//);
  const json = JSON.stringify(scenario);
  const url = Buffer.from(json, 'utf8').toString('base64url');
  for (const enc of [
    std,
    std.replace(/=+$/, ''),
    url,
    `${url}==`.slice(0, url.length + ((4 - (url.length % 4)) % 4)),
  ]) {
    assert.equal(parseLocation('', `#scenario=${enc}`).scenario, json, enc.slice(-8));
  }
  // some tools percent-encode the "+"
  assert.equal(parseLocation('', `#scenario=${std.replace(/\+/g, '%2B')}`).scenario, json);
  assert.throws(() => base64UrlDecode('abcde'), /base64url/, 'a lone character at the end');
  assert.throws(() => base64UrlDecode('ab=c'), /base64url/, 'padding only at the end');

  const page = await openApp(browser, server, `#scenario=${std}`);
  await page.waitForFunction(() =>
    /Loaded the scenario from the address/.test(
      document.getElementById('narration-log').textContent,
    ),
  );
  assert.equal(
    (await page.locator('#scenario-description').textContent()).trim(),
    scenario.description,
  );
  assert.equal((await page.locator('#scenario-errors').textContent()).trim(), '');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: after a trap in the core every frame threw and the status kept saying playing', async () => {
  // A wasm trap (RuntimeError: unreachable) in a facade call: the loop went on calling the
  // broken run, the clock stayed where it was and the status said "playing at 1×".
  const plain = await openApp(browser, server);
  assert.equal(await plain.evaluate(() => window.streamsim.debug()), null, 'no checks by default');
  await assert.rejects(
    plain.evaluate(() => window.streamsim.forceTrap()),
    /needs \?debug=1/,
  );
  await plain.context().close();

  const page = await openApp(browser, server, '?debug=1');
  await page.waitForFunction(() => window.streamsim.tick() > 5);
  await page.evaluate(() => window.streamsim.forceTrap());
  await page.waitForSelector('#trap:not([hidden])');
  const text = await page.locator('#trap-text').textContent();
  assert.match(
    text,
    /^The simulation stopped at \d+:\d\d:\d\d\.\d{3} \(simulated\): it hit an internal error and cannot go on\./,
  );
  assert.match(await page.locator('#trap-detail').textContent(), /RuntimeError: unreachable/);
  assert.equal(await page.locator('#trap').getAttribute('role'), 'alert');
  assert.equal((await status(page)).state, 'stopped: the simulation failed');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'trap-restart');
  assert.equal(
    (await page.locator('#trap-restart').textContent()).trim(),
    'Start the clickstream scenario again',
  );
  // the loop stopped: nothing more is thrown, the status stays, the controls are inert
  const time = (await status(page)).time;
  await page.waitForTimeout(500);
  assert.equal((await status(page)).time, time);
  assert.equal(await page.evaluate(() => document.getElementById('controls').inert), true);
  assert.equal(await page.evaluate(() => document.getElementById('panels').inert), true);
  // the one problem is the page's own report of the trap
  assert.equal(page.problems.length, 1, page.problems.join('\n'));
  assert.match(page.problems[0], /^console error: streamsim: the simulation stopped:/);
  page.problems.length = 0;

  // start again, with the keyboard: the same scenario from its start, in a fresh instance
  await page.keyboard.press('Enter');
  await page.waitForSelector('#trap', { state: 'hidden' });
  await page.waitForFunction(() => window.streamsim.tick() > 3);
  assert.match((await status(page)).state, /^playing at 1×$/);
  assert.equal(await page.evaluate(() => document.getElementById('panels').inert), false);
  assert.match(
    await page.locator('#narration-log').textContent(),
    /Started again from the beginning, in a fresh copy of the simulator\./,
  );
  // and the default preset, from another scenario that stopped
  await page.selectOption('#preset', 'hot-key');
  await page.click('#preset-load');
  await page.waitForFunction(
    () =>
      window.streamsim.shardIds().length === 4 && window.streamsim.producers()[0]?.name !== 'web',
  );
  await page.evaluate(() => window.streamsim.forceTrap());
  await page.waitForSelector('#trap:not([hidden])');
  assert.equal(page.problems.length, 1);
  page.problems.length = 0;
  await page.click('#trap-default');
  await page.waitForSelector('#trap', { state: 'hidden' });
  await page.waitForFunction(() => window.streamsim.producers()[0]?.name === 'web');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

/** Open the app with `query` (e.g. "?debug=1") on a scenario object, and wait until it runs. */
async function openWith(query, scenario, options) {
  const page = await openApp(
    browser,
    server,
    `${query}#scenario=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}`,
    options,
  );
  await page.waitForFunction(() =>
    /Loaded the scenario from the address/.test(
      document.getElementById('narration-log').textContent,
    ),
  );
  return page;
}

/** One stream of `shards` shards, one producer at `rate` records/s, one consumer. */
function heavy(shards, rate, streams = 1) {
  const resource = { aws_kinesis_stream: {} };
  const producers = [];
  const consumers = [];
  for (let i = 0; i < streams; i++) {
    resource.aws_kinesis_stream[`s${i}`] = { name: `s${i}`, shard_count: shards };
    producers.push({
      name: `p${i}`,
      stream_name: `s${i}`,
      records_per_second: rate,
      record_size_bytes: 100,
      partition_keys: { model: 'uniform', count: 10_000 },
    });
    consumers.push({ name: `c${i}`, stream_name: `s${i}` });
  }
  return { description: 'A heavy scenario.', seed: 3, resource, producers, consumers };
}

test('regression: the status said "playing at 1×" while the simulation could not keep up', async () => {
  // One tick of this scenario takes longer than a frame's budget: a frame runs one tick, and the
  // status says the rate reached, measured over the last second.
  const page = await openWith('?debug=1', heavy(50, 1_000_000));
  const state = await waitForText(page, '#st-state', /cannot keep up/, 20_000);
  const m = /^playing at ([\d.]+)× \(asked for 1×: the simulation cannot keep up\)$/.exec(
    state.trim(),
  );
  assert.ok(m, state);
  const said = Number(m[1]);
  assert.ok(said > 0 && said < 0.9, state);
  // the rate said is the rate reached: simulated time over real time, measured from outside
  const t0 = Date.now();
  const s0 = parseSimTime((await status(page)).time);
  await page.waitForTimeout(3000);
  const s1 = parseSimTime((await status(page)).time);
  const outside = (s1 - s0) / (Date.now() - t0);
  const inside = (await page.evaluate(() => window.streamsim.speed())).reached;
  assert.ok(inside > outside / 2 && inside < outside * 2, `${inside} against ${outside}`);
  const st = await page.evaluate(() => window.streamsim.speed().step);
  assert.equal(st.ticks, 1, 'a tick over the budget: one tick a frame');
  const dbg = await page.evaluate(() => window.streamsim.debug());
  assert.ok(dbg.frames > 10);
  assert.equal(dbg.violations, 0, dbg.log.join('\n'));
  // pausing and playing again starts the measure again
  await pause(page);
  assert.equal((await status(page)).state, 'paused');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // cheap ticks at 1000×: as many ticks a frame as fit in the budget, never more
  const fast = await openWith('?debug=1', heavy(8, 8000));
  await setSpeed(fast, 1000);
  await fast.waitForTimeout(3000);
  const f = await fast.evaluate(() => ({
    ...window.streamsim.speed(),
    dbg: window.streamsim.debug(),
  }));
  assert.equal(f.dbg.violations, 0, f.dbg.log.join('\n'));
  assert.ok(f.step.ticks > 1, `${f.step.ticks} ticks a frame`);
  assert.ok(f.dbg.maxStepMs < f.dbg.budgetMs + 50, `${f.dbg.maxStepMs} ms`);
  const words = (await status(fast)).state;
  if (f.reached !== null) {
    assert.match(words, /^playing at [\d.]+× \(asked for 1000×: the simulation cannot keep up\)$/);
  } else {
    assert.equal(words, 'playing at 1000×');
  }
  assert.deepEqual(fast.problems, []);
  await fast.context().close();
});

/** A small scenario that schedules `n` set_rate commands, one every `everyMs`. */
function scheduled(n, everyMs) {
  return {
    description: `${n} scheduled commands.`,
    seed: 5,
    resource: { aws_kinesis_stream: { s: { name: 's', shard_count: 2 } } },
    producers: [{ name: 'p', stream_name: 's', records_per_second: 100, record_size_bytes: 100 }],
    consumers: [{ name: 'c', stream_name: 's' }],
    commands: Array.from({ length: n }, (_, i) => ({
      at_ms: i * everyMs,
      type: 'set_rate',
      producer: 'p',
      records_per_second: 100 + (i % 50),
    })),
  };
}

test('regression: a scenario of 100,000 commands froze the page for seconds in the text box', async () => {
  // The text box held all 10 MB of it; laying that out took the browser 12 s.
  const text = JSON.stringify(scheduled(100_000, 10), null, 2);
  assert.ok(text.length > 10_000_000);
  const page = await openApp(browser, server);
  const t0 = Date.now();
  await page.setInputFiles('#scenario-file', {
    name: 'big.json',
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
  await waitForText(page, '#narration-log', /Loaded the scenario from the file big\.json/, 30_000);
  const summary = await page.locator('#scenario-big-text').textContent();
  assert.equal(
    summary,
    `This scenario is ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB with 100,000 scheduled commands: too large to edit here. It runs; download it to read or change it.`,
  );
  assert.equal(await page.locator('#scenario-text').isVisible(), false);
  assert.equal(await page.locator('#scenario-text').inputValue(), '');
  // the page answers at once and the run goes on, applying the commands
  const lag = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - lag < 1000, `the page answered after ${Date.now() - lag} ms`);
  await page.waitForFunction(() => window.streamsim.tick() > 20);
  assert.ok(Date.now() - t0 < 20_000);
  // the download gives the scenario back, whole
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('#scenario-big-download'),
  ]);
  assert.equal(download.suggestedFilename(), 'streamsim-scenario.json');
  const got = await fs.readFile(await download.path(), 'utf8');
  assert.equal(JSON.parse(got).commands.length, 100_000);
  // and the text box comes back for another scenario, which then shows in it as before
  await page.click('#scenario-big-edit');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'scenario-text');
  await page.fill('#scenario-text', await fs.readFile(fixture('good-one-shard.json'), 'utf8'));
  await page.click('#scenario-run');
  await waitForText(page, '#narration-log', /Loaded the scenario from the text box/);
  assert.equal(await page.locator('#scenario-big').isVisible(), false);
  assert.match(await page.locator('#scenario-text').inputValue(), /"tiny"/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: "Make a link" wrote links of millions of characters without a word', async () => {
  const page = await openWith('', scheduled(3000, 10));
  await setSpeed(page, 100);
  await page.waitForFunction(() => window.streamsim.tick() > 320, null, { timeout: 30_000 });
  await pause(page);
  await page.click('#scenario-link');
  const msg = await page.locator('#share-status').textContent();
  assert.match(
    msg,
    /^No link made: this run's link would be [\d,]+ characters long, more than browsers and messages reliably carry \(32,000\)\. Use “Download this run” instead: the file replays it the same way\.$/,
  );
  assert.ok(num(msg) > 32_000);
  assert.equal(await page.locator('#share-link').inputValue(), '');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'run-download');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.keyboard.press('Enter'),
  ]);
  assert.ok(JSON.parse(await fs.readFile(await download.path(), 'utf8')).commands.length >= 3000);
  assert.match(await page.locator('#share-status').textContent(), /^Saved streamsim-run\.json/);

  // a short run still gets its link
  await page.selectOption('#preset', 'clickstream');
  await page.click('#preset-load');
  await page.click('#scenario-link');
  assert.match(await page.locator('#share-link').inputValue(), /#scenario=[\w-]+$/);
  assert.match(await page.locator('#share-status').textContent(), /^Link made/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('regression: 500 shards made a canvas of 20,000 px and tens of thousands of DOM nodes', async () => {
  // 8 streams × 500 shards (now over the account's shard quota) took 40 s to load: 124,543
  // nodes, a belt 168,086 px tall. Over 64 lanes the page draws a band per stream and lists
  // the busiest shards only.
  const scenario = heavy(62, 20_000, 8);
  scenario.consumers.forEach((c, i) => {
    if (i % 2) c.type = 'kcl';
  });
  const t0 = Date.now();
  const page = await openWith('', scenario);
  await page.waitForFunction(() => window.streamsim.tick() > 30, null, { timeout: 30_000 });
  const loaded = Date.now() - t0;
  assert.ok(loaded < 15_000, `loaded and ran 3 s in ${loaded} ms`);
  const got = await page.evaluate(() => ({
    nodes: document.getElementsByTagName('*').length,
    canvas: document.getElementById('belt').getBoundingClientRect().height,
    lanes: window.streamsim.laneCount(),
    rows: document.querySelectorAll('#shard-table tbody tr').length,
    note: document.getElementById('shard-table-note').textContent,
    label: document.getElementById('belt').getAttribute('aria-label'),
    bands: new Set(window.streamsim.lanes().map((l) => l.row)).size,
    options: document.querySelectorAll('#record-list option').length,
  }));
  assert.equal(got.lanes, 496);
  assert.ok(got.nodes < 5000, `${got.nodes} DOM nodes`);
  assert.ok(got.canvas < 1000, `a belt ${got.canvas} px tall`);
  assert.equal(got.bands, 8, 'one band per stream');
  assert.match(got.label, /one band per stream \(496 shards are too many for a lane each\)/);
  assert.equal(got.rows, 20);
  assert.equal(
    got.note,
    '496 shards; showing the 20 busiest (records a second, then throttled, then unread). The belt shows every shard, a bar each.',
  );
  assert.ok(got.options <= 60, `${got.options} records listed`);
  // the table is the busiest shards, busiest first
  const rates = (await page.locator('#shard-table tbody tr td:nth-child(6)').allTextContents()).map(
    num,
  );
  assert.deepEqual(
    rates,
    [...rates].sort((a, b) => b - a),
  );
  assert.match(
    await page.locator('#consumer-panel').textContent(),
    /62 shards; showing the 10 furthest behind\./,
  );
  assert.match(await page.locator('#consumer-panel').textContent(), /62 leases \(/);
  assert.match(
    await page.locator('#reshard-panel').textContent(),
    /62 open shards; the table lists the first 10 in key order\./,
  );
  // the page still answers at once, and resharding a stream works from the list
  const lag = Date.now();
  await page.evaluate(() => 1);
  assert.ok(Date.now() - lag < 500, `answered after ${Date.now() - lag} ms`);
  await page.selectOption('#rs0-s0-split-pick', 'shardId-000000000061');
  await page.click('#rs0-s0-split-at');
  await page.waitForFunction(() => window.streamsim.laneCount() === 498, null, { timeout: 30_000 });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
