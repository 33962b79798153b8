// Embedding (issue 10) across origins: the simulator on one origin (127.0.0.1:A), the course
// page or test host on another (localhost:B), and a foreign frame on a third (127.0.0.1:C).
// Each server is scripts/serve.mjs with the real CSP (B and C allow frames of the others).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStaticServer } from '../../scripts/serve.mjs';
import { launchBrowser, REPO_ROOT, openPage, runAxe, formatViolations } from './harness.mjs';

let sim; // the simulator, http://127.0.0.1:A
let foreign; // a foreign origin, http://127.0.0.1:C
let course; // the host pages, http://localhost:B
let browser;
let SIM;
let HOST;
let FOREIGN;

before(async () => {
  sim = await startStaticServer({ root: REPO_ROOT, port: 0 });
  foreign = await startStaticServer({ root: REPO_ROOT, port: 0, frameSrc: sim.url });
  course = await startStaticServer({
    root: REPO_ROOT,
    port: 0,
    frameSrc: `${sim.url} ${foreign.url}`,
  });
  SIM = sim.url;
  FOREIGN = foreign.url;
  HOST = course.url.replace('127.0.0.1', 'localhost');
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([sim, foreign, course].map((s) => s?.close()));
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A page with problems (console errors, page errors) collected from all its frames. */
async function newPage(viewport = { width: 1000, height: 800 }) {
  const context = await browser.newContext({ viewport, serviceWorkers: 'block' });
  const page = await context.newPage();
  page.problems = [];
  page.warnings = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console error: ${msg.text()}`);
    if (msg.type() === 'warning') page.warnings.push(msg.text());
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  return page;
}

function embedUrl(params) {
  return `${SIM}/index.html?embed=1&${params}`;
}

/** The test host on origin B, with iframes: [{ id, src, sandbox?, style? }]. */
async function hostWith(frames, viewport, hostBase = HOST) {
  const page = await newPage(viewport);
  await page.goto(`${hostBase}/tests/e2e/fixtures/embed-host.html`);
  await page.evaluate(async (list) => {
    await Promise.all(
      list.map(
        (f) =>
          new Promise((resolve) => {
            const el = document.createElement('iframe');
            el.id = f.id;
            el.width = f.width ?? '800';
            el.height = f.height ?? '500';
            el.title = f.id;
            if (f.sandbox !== undefined) el.setAttribute('sandbox', f.sandbox);
            if (f.marginTop) el.style.marginTop = f.marginTop;
            el.style.display = 'block';
            el.addEventListener('load', resolve, { once: true });
            el.src = f.src;
            document.body.append(el);
          }),
      ),
    );
  }, frames);
  return page;
}

/** Messages the host got from frame `id` (optionally only of `type`). */
async function got(page, id, type) {
  const all = await page.evaluate(() => window.got);
  return all.filter((m) => m.frame === id && (!type || m.data?.type === type));
}

async function waitFor(page, id, pred, what, timeout = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const list = await got(page, id);
    const hit = list.find((m) => pred(m.data));
    if (hit) return hit.data;
    if (Date.now() - t0 > timeout) {
      throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(list).slice(0, 800)}`);
    }
    await sleep(50);
  }
}

let callId = 0;
/** Send `message` (merged into an invoke) to frame `id` and wait for its reply. */
async function call(page, id, method, args, extra = {}) {
  const callIdNow = `t${++callId}`;
  const msg = { target: 'streamsim', v: 1, type: 'invoke', id: callIdNow, method, args, ...extra };
  await post(page, id, msg);
  return waitFor(
    page,
    id,
    (d) => d?.type === 'reply' && d.id === callIdNow,
    `the reply to ${method}`,
  );
}

async function post(page, id, msg, targetOrigin = SIM) {
  await page.evaluate(
    ([fid, m, o]) => document.getElementById(fid).contentWindow.postMessage(m, o),
    [id, msg, targetOrigin],
  );
}

async function ready(page, id) {
  return waitFor(page, id, (d) => d?.type === 'ready', 'ready');
}

test('handshake, deterministic driving, refusals, bad messages', async () => {
  const src = embedUrl(`scene=belt&parentOrigin=${encodeURIComponent(HOST)}`);
  const page = await hostWith([{ id: 'a', src }]);
  const r = await ready(page, 'a');
  assert.equal(r.source, 'streamsim');
  assert.equal(r.v, 1);
  assert.deepEqual(r.capabilities.methods, [
    'play',
    'pause',
    'step',
    'setSpeed',
    'reset',
    'load',
    'goToStep',
    'command',
    'getState',
  ]);
  assert.equal(r.capabilities.scene, 'belt');
  const msgs = await got(page, 'a');
  assert.ok(
    msgs.every((m) => m.origin === SIM),
    'every message comes from the simulator origin',
  );

  // resize: the embed reports its height
  const rs = await waitFor(page, 'a', (d) => d?.type === 'resize', 'resize');
  assert.ok(rs.height >= 500, `height ${rs.height}: at least the frame's`);
  // the host sizes the frame to it: then the panels need not scroll inside
  let height = rs.height;
  for (let i = 0; i < 5; i++) {
    await page.evaluate((h) => (document.getElementById('a').height = String(h)), height);
    await sleep(400);
    const last = (await got(page, 'a', 'resize')).at(-1).data.height;
    if (last === height) break;
    height = last;
  }
  const simFrame = await (await page.$('#a')).contentFrame();
  const inner = await simFrame.evaluate(() => {
    const p = document.getElementById('panels');
    return [p.scrollHeight, p.clientHeight];
  });
  assert.ok(inner[0] <= inner[1] + 1, `panels ${inner} in a frame of ${height} px`);

  // deterministic: reset + 10 ticks twice gives the same digest
  const digests = [];
  for (let i = 0; i < 2; i++) {
    assert.equal((await call(page, 'a', 'reset', {})).ok, true);
    const s = await call(page, 'a', 'step', { ticks: 10 });
    assert.equal(s.ok, true, JSON.stringify(s));
    assert.equal(s.value.tick, 10);
    digests.push(s.value.digest);
  }
  assert.equal(digests[0], digests[1]);
  assert.match(digests[0], /\S/);

  // a command the core refuses: its message, the scene unchanged
  const bad = await call(page, 'a', 'command', {
    command: { type: 'set_rate', producer: 'nobody', records_per_second: 5 },
  });
  assert.equal(bad.ok, false);
  assert.match(bad.error, /producer/);
  const st = await call(page, 'a', 'getState', {});
  assert.equal(st.value.digest, digests[0], 'the refused command changed nothing');
  assert.equal(st.value.playing, false);

  // a good command is taken
  const good = await call(page, 'a', 'command', {
    command: { type: 'set_hot_key_share', producer: 'sensors', hot_key_share: 0.1 },
  });
  assert.equal(good.ok, true, JSON.stringify(good));

  // load with a bad scenario: refused, naming the field's path; scene unchanged
  const st0 = (await call(page, 'a', 'getState', {})).value;
  const badLoad = await call(page, 'a', 'load', {
    scenario: { resource: { aws_kinesis_stream: { s: { name: 's', shard_count: 'many' } } } },
  });
  assert.equal(badLoad.ok, false);
  assert.match(badLoad.error, /shard_count/);
  assert.equal((await call(page, 'a', 'getState', {})).value.digest, st0.digest);
  const goodLoad = await call(page, 'a', 'load', { preset: 'clickstream' });
  assert.equal(goodLoad.ok, true, JSON.stringify(goodLoad));
  assert.equal(goodLoad.value.tick, 0);

  // bad v, type, method, args
  const badV = await call(page, 'a', 'getState', {}, { v: 2 });
  assert.equal(badV.ok, false);
  assert.match(badV.error, /^v:/);
  const badType = await call(page, 'a', 'getState', {}, { type: 'call' });
  assert.equal(badType.ok, false);
  assert.match(badType.error, /^type:/);
  const badMethod = await call(page, 'a', 'explode', {});
  assert.equal(badMethod.ok, false);
  assert.match(badMethod.error, /^method:/);
  const badArgs = await call(page, 'a', 'step', { ticks: -3 });
  assert.equal(badArgs.ok, false);
  assert.match(badArgs.error, /^args\.ticks/);
  const badArgs2 = await call(page, 'a', 'setSpeed', 'fast');
  assert.equal(badArgs2.ok, false);
  assert.match(badArgs2.error, /^args/);

  // still running fine after all that
  const after = await call(page, 'a', 'step', { ticks: 5 });
  assert.equal(after.ok, true);
  assert.equal(after.value.tick, 5);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('messages from a foreign frame, a same-origin sibling, or another host are ignored', async () => {
  const src = embedUrl(`scene=belt&parentOrigin=${encodeURIComponent(HOST)}`);
  const page = await hostWith([
    { id: 'a', src },
    { id: 'foreign', src: `${FOREIGN}/tests/e2e/fixtures/embed-relay.html`, height: '50' },
    { id: 'sibling', src: `${HOST}/tests/e2e/fixtures/embed-relay.html`, height: '50' },
    {
      id: 'other',
      src: embedUrl(`scene=belt&parentOrigin=${encodeURIComponent('https://elsewhere.example')}`),
    },
  ]);
  await ready(page, 'a');
  const before = (await call(page, 'a', 'getState', {})).value;
  for (const relay of ['foreign', 'sibling']) {
    const msg = { target: 'streamsim', v: 1, type: 'invoke', id: `x-${relay}`, method: 'step' };
    await post(page, relay, { relay: { ...msg, args: { ticks: 7 } }, to: 0 }, '*');
  }
  await sleep(800);
  const replies = (await got(page, 'a', 'reply')).map((m) => m.data.id);
  assert.ok(!replies.includes('x-foreign'), 'a foreign frame got no reply');
  assert.ok(!replies.includes('x-sibling'), 'a same-origin sibling got no reply');
  const now = (await call(page, 'a', 'getState', {})).value;
  assert.equal(now.tick, before.tick, 'neither relayed step ran');

  // the embed told another parentOrigin sends this host nothing and takes nothing from it
  await sleep(1500);
  await post(page, 'other', {
    target: 'streamsim',
    v: 1,
    type: 'invoke',
    id: 'o1',
    method: 'play',
    args: {},
  });
  // posting with targetOrigin '*' too, so the message is delivered whatever the frame's origin
  await post(
    page,
    'other',
    { target: 'streamsim', v: 1, type: 'invoke', id: 'o2', method: 'play', args: {} },
    '*',
  );
  await sleep(800);
  assert.deepEqual(await got(page, 'other'), [], 'nothing reached a host of another origin');
  const otherFrame = page.frames().find((f) => f.url().includes('elsewhere.example'));
  assert.equal(
    await otherFrame.evaluate(() => document.querySelector('#embed-play') !== null),
    true,
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an exercise solved inside the frame sends a result; the course page grades it', async () => {
  const page = await newPage({ width: 1000, height: 900 });
  await page.goto(`${HOST}/examples/course-page/index.html?sim=${encodeURIComponent(`${SIM}/`)}`);
  const ex = page.locator('#sim-exercise');
  await ex.scrollIntoViewIfNeeded();
  const t0 = Date.now();
  for (;;) {
    const n = await page.evaluate(
      () => window.course?.received.filter((m) => m.type === 'ready').length ?? 0,
    );
    if (
      n >= 1 &&
      (await page.evaluate(() =>
        window.course.received.some((m) => m.frame === 'sim-exercise' && m.type === 'ready'),
      ))
    )
      break;
    if (Date.now() - t0 > 20_000) throw new Error('the exercise embed never got ready');
    await sleep(100);
  }
  // the host's own buttons drive it: play and pause (a state after each)
  const lastState = () =>
    page.evaluate(
      () =>
        window.course.received
          .filter((m) => m.frame === 'sim-exercise' && m.type === 'state')
          .at(-1)?.playing ?? null,
    );
  for (const [id, playing] of [
    ['#ex-play', true],
    ['#ex-pause', false],
  ]) {
    await page.locator(id).scrollIntoViewIfNeeded();
    await sleep(300); // stale hit-testing of out-of-process frames right after a scroll
    await page.locator(id).click();
    const t1 = Date.now();
    while ((await lastState()) !== playing && Date.now() - t1 < 5000) await sleep(50);
    assert.equal(await lastState(), playing, id);
  }
  // then spread the keys, and run 70 simulated seconds
  for (const id of ['#ex-reset', '#ex-spread', '#ex-minute']) {
    await page.locator(id).scrollIntoViewIfNeeded();
    await sleep(300); // stale hit-testing of out-of-process frames right after a scroll
    await page.locator(id).click();
    await sleep(300);
  }
  await page.waitForFunction(() => window.course.received.some((m) => m.type === 'result'), null, {
    timeout: 30_000,
  });
  const result = await page.evaluate(() => window.course.received.find((m) => m.type === 'result'));
  assert.equal(result.verb, 'passed');
  assert.equal(result.object.id, 'hot-key-no-throttle');
  assert.deepEqual(result.result.score, { raw: 1, min: 0, max: 1, scaled: 1 });
  assert.equal(result.result.success, true);
  assert.match(result.result.duration, /^PT(\d+H)?(\d+M)?(\d+(\.\d)?S)?$/);
  assert.match(await page.locator('#grade').textContent(), /^Passed: 1 of 1 \(100%\)/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a sandbox without allow-same-origin: the frame says which attribute it needs', async () => {
  const page = await hostWith([{ id: 's', src: embedUrl('scene=belt'), sandbox: 'allow-scripts' }]);
  const frame = page.frames().find((f) => f.url().startsWith(SIM));
  await frame.waitForSelector('#embed-sandbox:not([hidden])', { timeout: 10_000 });
  const text = await frame.locator('#embed-sandbox').innerText();
  assert.match(text, /allow-same-origin/);
  await page.context().close();
  // no allow-scripts: nothing runs, and the <noscript> says what the sandbox must allow
  const page2 = await hostWith([
    { id: 'n', src: embedUrl('scene=belt'), sandbox: 'allow-same-origin' },
  ]);
  const frame2 = page2.frames().find((f) => f.url().startsWith(SIM));
  await frame2.waitForLoadState('load');
  const words = await frame2.locator('body').innerText();
  assert.match(words, /needs JavaScript/);
  assert.match(words, /allow-scripts/);
  await page2.context().close();
});

test('an object landing in S3 is an event', async () => {
  const page = await hostWith([{ id: 'f', src: embedUrl('scene=firehose') }]);
  await ready(page, 'f');
  const s = await call(page, 'f', 'step', { ticks: 4000 });
  assert.equal(s.ok, true, JSON.stringify(s));
  const ev = await waitFor(
    page,
    'f',
    (d) => d?.type === 'event' && d.kind === 'object',
    'an object event',
  );
  assert.equal(ev.delivery_stream, 'clicks-to-s3');
  assert.ok(ev.t_ms > 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an unknown parameter or a bad value: a dismissable notice and console.warn', async () => {
  const page = await newPage({ width: 800, height: 500 });
  await page.goto(embedUrl('scene=belt&colour=red&controls=some&autoplay=yes'));
  await page.waitForSelector('html[data-ready]');
  const notice = page.locator('#embed-notice');
  const text = await notice.innerText();
  assert.match(text, /colour/);
  assert.match(text, /controls: “some”/);
  assert.match(text, /autoplay: “yes”/);
  assert.ok(page.warnings.some((w) => /colour/.test(w)));
  assert.ok(page.warnings.some((w) => /controls/.test(w)));
  await notice.getByRole('button').click();
  assert.equal(await page.locator('#embed-notice').count(), 0);
  // a lesson and a scene: the lesson is shown, and the notice says so
  await page.goto(embedUrl('lesson=hot-key&scene=lake&step=99'));
  await page.waitForSelector('html[data-ready]');
  const both = await page.locator('#embed-notice').innerText();
  assert.match(both, /the lesson is shown/);
  assert.match(both, /4 steps, not 99/);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.embed), 'lesson');
  assert.equal(await page.evaluate(() => window.streamsim.lesson().id), 'hot-key');
  // a lesson that does not exist: the belt scene, and the notice names it
  await page.goto(embedUrl('lesson=no-such-lesson'));
  await page.waitForSelector('html[data-ready]');
  assert.match(await page.locator('#embed-notice').innerText(), /no-such-lesson/);
  assert.equal(await page.evaluate(() => document.documentElement.dataset.embed), 'scene');
  // a clean address: no notice
  await page.goto(embedUrl('scene=belt&controls=all&autoplay=0'));
  await page.waitForSelector('html[data-ready]');
  assert.equal(await page.locator('#embed-notice').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the play button: paused until pressed, reachable by Tab, not over the toolbar', async () => {
  const page = await newPage({ width: 800, height: 500 });
  await page.goto(embedUrl('scene=belt'));
  await page.waitForSelector('html[data-ready]');
  await sleep(500);
  assert.equal(await page.evaluate(() => window.streamsim.tick()), 0, 'paused before play');
  const button = page.locator('#embed-play');
  const b = await button.boundingBox();
  const bar = await page.locator('#controls').boundingBox();
  assert.ok(b.y >= bar.y + bar.height, 'the play button is under the toolbar');
  const cx = b.x + b.width / 2;
  assert.ok(Math.abs(cx - 400) < 40, `centred (${cx})`);
  let reached = false;
  for (let i = 0; i < 30 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'embed-play');
  }
  assert.ok(reached, 'Tab reaches the play button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.streamsim.tick() > 0, null, { timeout: 5000 });
  assert.equal(await page.locator('#embed-play').count(), 0);
  // the toolbar's own play button plays too (and takes the big button away)
  await page.goto(embedUrl('scene=belt'));
  await page.waitForSelector('#embed-play');
  await page.locator('#play').click();
  await page.waitForFunction(() => window.streamsim.tick() > 0, null, { timeout: 5000 });
  assert.equal(await page.locator('#embed-play').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('every scene and every lesson step fits 800×500 with no scrollbar', async () => {
  const page = await newPage({ width: 800, height: 500 });
  const urls = ['belt', 'firehose', 'together', 'batch', 'lake'].map((s) => `scene=${s}`);
  await page.goto(embedUrl('scene=belt'));
  await page.waitForSelector('html[data-ready]');
  const lessons = await page.evaluate(async () => {
    const res = await fetch('lessons/index.json');
    return res.ok ? res.json() : null;
  });
  const ids = (lessons?.lessons ?? lessons ?? []).map((l) => (typeof l === 'string' ? l : l.id));
  assert.ok(ids.length >= 10, `lessons: ${JSON.stringify(lessons).slice(0, 200)}`);
  for (const id of ids) {
    const data = await page.evaluate(
      async (lid) => (await fetch(`lessons/${lid}.json`)).json(),
      id,
    );
    data.steps.forEach((_, i) => urls.push(`lesson=${id}&step=${i + 1}`));
  }
  const bad = [];
  for (const u of urls) {
    await page.goto(embedUrl(u));
    await page.waitForSelector('html[data-ready]');
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    const size = await page.evaluate(() => ({
      h: document.documentElement.scrollHeight,
      w: document.documentElement.scrollWidth,
      vh: window.innerHeight,
      vw: window.innerWidth,
      notice: document.getElementById('embed-notice')?.innerText ?? null,
    }));
    if (size.h > size.vh || size.w > size.vw || size.notice)
      bad.push(`${u}: ${JSON.stringify(size)}`);
  }
  assert.deepEqual(bad, [], `${urls.length} pages checked`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('three embeds: only the one on screen runs; the others park', async () => {
  const src = embedUrl('scene=belt&autoplay=1');
  const measure = async (offscreen, hostBase = HOST) => {
    const page = await hostWith(
      [
        { id: 'e1', src },
        { id: 'e2', src, marginTop: offscreen ? '3000px' : '0' },
        { id: 'e3', src },
      ],
      { width: 820, height: offscreen ? 560 : 1560 },
      hostBase,
    );
    const simFrames = await Promise.all(
      ['e1', 'e2', 'e3'].map(async (id) => (await page.$(`#${id}`)).contentFrame()),
    );
    assert.equal(simFrames.length, 3);
    for (const f of simFrames) await f.waitForSelector('html[data-ready]');
    await sleep(1000);
    const count = () =>
      Promise.all(simFrames.map((f) => f.evaluate(() => window.streamsim.loopFrames())));
    const a = await count();
    await sleep(5000);
    const b = await count();
    const parked = await Promise.all(
      simFrames.map((f) => f.evaluate(() => document.documentElement.hasAttribute('data-parked'))),
    );
    await page.context().close();
    return { fps: b.map((x, i) => Math.round(((x - a[i]) / 5) * 10) / 10), parked };
  };
  const all = await measure(false);
  const one = await measure(true);
  console.log(
    `frames/s, all on screen: ${all.fps.join(', ')}; one on screen: ${one.fps.join(', ')}`,
  );
  assert.deepEqual(all.parked, [false, false, false]);
  assert.deepEqual(one.parked, [false, true, true]);
  assert.ok(one.fps[0] > 20, `the visible one runs (${one.fps[0]} frames/s)`);
  assert.equal(one.fps[1], 0);
  assert.equal(one.fps[2], 0);
  // a host of the simulator's own origin: Chromium throttles off-screen frames of another
  // origin by itself, so there the embed's own parking is what stops the loop
  const same = await measure(true, SIM);
  console.log(`frames/s, same-origin host, one on screen: ${same.fps.join(', ')}`);
  assert.deepEqual(same.parked, [false, true, true]);
  assert.ok(same.fps[0] > 20, `the visible one runs (${same.fps[0]} frames/s)`);
  assert.equal(same.fps[1], 0);
  assert.equal(same.fps[2], 0);
});

test('a lesson embed: goToStep, a result by commands, and the compat shims', async () => {
  const src = embedUrl(
    `lesson=hot-key&step=4&compat=h5p,canvas,perseus&parentOrigin=${encodeURIComponent(HOST)}`,
  );
  const page = await hostWith([{ id: 'l', src }]);
  const r = await ready(page, 'l');
  assert.equal(r.capabilities.lesson, 'hot-key');
  assert.deepEqual(r.capabilities.compat, ['h5p', 'canvas', 'perseus']);
  // the student's own Play and Pause inside the frame reach the host as states
  const frame = page.frameLocator('iframe#l');
  for (const playing of [true, false]) {
    await frame.locator('#play').click();
    await waitFor(
      page,
      'l',
      (d) => d?.type === 'state' && d.playing === playing,
      `a state with playing ${playing}`,
    );
  }
  // h5p: hello, then prepareResize and resize with the scroll height
  await waitFor(page, 'l', (d) => d?.context === 'h5p' && d.action === 'hello', 'h5p hello');
  const h5p = await waitFor(
    page,
    'l',
    (d) => d?.context === 'h5p' && d.action === 'resize',
    'h5p resize',
  );
  assert.ok(h5p.scrollHeight > 0);
  await waitFor(page, 'l', (d) => d?.action === 'prepareResize', 'h5p prepareResize');
  // h5p-resizer.js's answers: 'hello' gets the size again; 'resizePrepared' nothing more
  const h5pCount = async () =>
    (await got(page, 'l')).filter((m) => m.data?.context === 'h5p').length;
  const n0 = await h5pCount();
  await post(page, 'l', { context: 'h5p', action: 'hello' });
  await sleep(300);
  const n1 = await h5pCount();
  assert.equal(n1, n0 + 2, 'hello is answered with prepareResize and resize');
  await post(page, 'l', { context: 'h5p', action: 'resizePrepared' });
  await sleep(300);
  assert.equal(await h5pCount(), n1, 'resizePrepared is not answered (no ping-pong)');
  // canvas: the JSON string
  const canvas = await waitFor(
    page,
    'l',
    (d) => typeof d === 'string' && d.includes('lti.frameResize'),
    'canvas frameResize',
  );
  const c = JSON.parse(canvas);
  assert.equal(c.subject, 'lti.frameResize');
  assert.ok(c.height > 0);

  // goToStep: a step event; a bad step refused
  const g = await call(page, 'l', 'goToStep', { step: 2 });
  assert.equal(g.ok, true, JSON.stringify(g));
  assert.equal(g.value.step, 2);
  await waitFor(page, 'l', (d) => d?.type === 'event' && d.kind === 'step' && d.step === 2, 'step');
  const bad = await call(page, 'l', 'goToStep', { step: 9 });
  assert.equal(bad.ok, false);
  assert.match(bad.error, /^args\.step/);
  assert.equal((await call(page, 'l', 'goToStep', { step: 4 })).ok, true);
  // the lesson's last step reached: xAPI's "completed", once, for the lesson
  const completed = await waitFor(
    page,
    'l',
    (d) => d?.type === 'result' && d.verb === 'completed',
    'completed',
  );
  assert.equal(completed.object.id, 'hot-key');
  assert.deepEqual(completed.result.score, { raw: 4, min: 0, max: 4, scaled: 1 });
  assert.equal(completed.result.completion, true);

  // the task solved by commands: a result, and perseus's testsPassed
  assert.equal((await call(page, 'l', 'reset', {})).ok, true);
  const { value: st0 } = await call(page, 'l', 'step', { ticks: 30 });
  const th = await waitFor(
    page,
    'l',
    (d) => d?.type === 'event' && d.kind === 'throttling' && d.t_ms <= st0.t_ms,
    'throttling in the first 3 s',
  );
  assert.ok(th.shards.length >= 1);
  const cmd = await call(page, 'l', 'command', {
    command: { type: 'set_hot_key_share', producer: 'sensors', hot_key_share: 0.05 },
  });
  assert.equal(cmd.ok, true, JSON.stringify(cmd));
  assert.equal((await call(page, 'l', 'step', { ticks: 700 })).ok, true);
  const result = await waitFor(
    page,
    'l',
    (d) => d?.type === 'result' && d.verb !== 'completed',
    'result',
  );
  assert.equal(result.verb, 'passed');
  assert.equal(result.object.id, 'hot-key-no-throttle');
  await waitFor(page, 'l', (d) => d?.type === 'event' && d.kind === 'goal', 'goal event');
  const perseus = await waitFor(
    page,
    'l',
    (d) => typeof d === 'string' && d.includes('testsPassed'),
    'perseus',
  );
  assert.deepEqual(JSON.parse(perseus), { testsPassed: true });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('"Embed this": the iframe code for the step, three sizes, copied or selected', async () => {
  const page = await newPage({ width: 1200, height: 800 });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SIM });
  await page.goto(`${SIM}/index.html?lesson=hot-key&step=2`);
  await page.waitForSelector('html[data-ready]');
  await page.locator('#embed-this').click();
  const code = page.locator('#embed-code');
  await code.waitFor();
  let text = await code.inputValue();
  assert.match(
    text,
    /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/index\.html\?embed=1&amp;lesson=hot-key&amp;step=2"/,
  );
  for (const a of [
    'title="Simulator: ',
    'width="800" height="500"',
    'loading="lazy"',
    'sandbox="allow-scripts allow-same-origin"',
    'allow="fullscreen"',
  ]) {
    assert.ok(text.includes(a), `${a} in ${text}`);
  }
  await page.locator('#embed-size').selectOption('640x480');
  assert.match(await code.inputValue(), /width="640" height="480"/);
  await page.locator('#embed-size').selectOption('100x600');
  text = await code.inputValue();
  assert.match(text, /width="100%" height="600"/);
  await page.locator('#embed-copy').click();
  await page.waitForFunction(() => document.getElementById('embed-copy-status').textContent !== '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
  // no clipboard: the code is selected for Ctrl+C
  await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
  await page.locator('#embed-copy').click();
  assert.match(await page.locator('#embed-copy-status').textContent(), /Ctrl\+C/);
  const sel = await page.evaluate(() => {
    const t = document.getElementById('embed-code');
    return [t.selectionStart, t.selectionEnd, t.value.length, document.activeElement === t];
  });
  assert.deepEqual(sel, [0, text.length, text.length, true]);
  // the code works: pasted into the host page, it becomes a ready embed
  const host = await hostWith([]);
  await host.evaluate((html) => {
    document.body.insertAdjacentHTML('beforeend', html.replace('loading="lazy" ', ''));
    document.querySelector('iframe').id = 'pasted';
  }, text);
  await ready(host, 'pasted');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(host.problems, []);
  await host.context().close();
  await page.context().close();
});

test('axe finds nothing in an embed (a scene with its notice, a lesson step) or in "Embed this"', async () => {
  for (const q of ['scene=belt&bogus=1', 'lesson=hot-key&step=4&controls=all', 'scene=firehose']) {
    const page = await openPage(browser, embedUrl(q), {
      context: { viewport: { width: 800, height: 500 } },
    });
    await page.waitForSelector('html[data-ready]');
    await sleep(300);
    const v = await runAxe(page);
    assert.deepEqual(v, [], `${q}:\n${formatViolations(v)}`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
  const page = await openPage(browser, `${SIM}/index.html?lesson=hot-key&step=2`);
  await page.waitForSelector('html[data-ready]');
  await page.locator('#embed-this').click();
  const v = await runAxe(page);
  assert.deepEqual(v, [], formatViolations(v));
  await page.context().close();
});

test('controls=none|play|all: the toolbar offers that much, and each still fits 800×500', async () => {
  const page = await newPage({ width: 800, height: 500 });
  const visible = () =>
    page.evaluate(() =>
      ['#controls', '#play', '#step', '#reset', '.speed'].map(
        (s) => document.querySelector(s)?.checkVisibility() ?? false,
      ),
    );
  const cases = [
    ['scene=belt&controls=none', [false, false, false, false, false]],
    ['scene=belt&controls=play', [true, true, false, false, false]],
    ['scene=belt&controls=all', [true, true, true, true, true]],
    ['scene=firehose&controls=all', [true, true, true, true, true]],
    ['lesson=hot-key&step=4&controls=all', [true, true, true, true, true]],
    ['lesson=hot-key&step=4&controls=play', [true, true, false, false, false]],
  ];
  for (const [q, want] of cases) {
    await page.goto(embedUrl(q));
    await page.waitForSelector('html[data-ready]');
    assert.deepEqual(await visible(), want, q);
    const fits = await page.evaluate(
      () =>
        document.documentElement.scrollHeight <= innerHeight &&
        document.documentElement.scrollWidth <= innerWidth,
    );
    assert.ok(fits, `${q} fits`);
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('setSpeed, and load of another lesson (the embed reloads and says ready again)', async () => {
  const src = embedUrl(`scene=belt&parentOrigin=${encodeURIComponent(HOST)}`);
  const page = await hostWith([{ id: 'a', src }]);
  await ready(page, 'a');
  const sp = await call(page, 'a', 'setSpeed', { speed: 10 });
  assert.equal(sp.ok, true, JSON.stringify(sp));
  assert.equal(sp.value.speed, 10);
  // beyond the slider's 1000× is refused, not quietly run at another speed
  const tooFast = await call(page, 'a', 'setSpeed', { speed: 5000 });
  assert.equal(tooFast.ok, false);
  assert.match(tooFast.error, /^args\.speed: .* from 0\.1 to 1000/);
  const badLesson = await call(page, 'a', 'load', { lesson: 'no-such-lesson' });
  assert.equal(badLesson.ok, false);
  assert.match(badLesson.error, /^args\.lesson/);
  const two = await call(page, 'a', 'load', { preset: 'gaming', lesson: 'hot-key' });
  assert.equal(two.ok, false);
  assert.match(two.error, /exactly one/);
  const ld = await call(page, 'a', 'load', { lesson: 'hot-key', step: 2 });
  assert.equal(ld.ok, true, JSON.stringify(ld));
  const r = await waitFor(
    page,
    'a',
    (d) => d?.type === 'ready' && d.capabilities.lesson === 'hot-key',
    'ready again, in the lesson',
  );
  assert.equal(r.capabilities.mode, 'lesson');
  const st = await call(page, 'a', 'getState', {});
  assert.equal(st.value.step, 2);
  assert.equal(st.value.lesson, 'hot-key');
  // a lesson embed loads lessons only
  const pre = await call(page, 'a', 'load', { preset: 'gaming' });
  assert.equal(pre.ok, false);
  assert.match(pre.error, /lessons only/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// Issue 10's review: only the scroll-off-screen path of parking was tested. A hidden tab (the
// student switched tabs) must park the loop too, and showing it again resumes without
// simulating the hidden time.
test('a hidden page parks the loop; shown again, it goes on from where it was', async () => {
  const page = await newPage({ width: 800, height: 500 });
  await page.goto(embedUrl('scene=belt&autoplay=1'));
  await page.waitForFunction(() => window.streamsim.tick() > 5, null, { timeout: 10_000 });
  const setHidden = (hidden) =>
    page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => (h ? 'hidden' : 'visible'),
      });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await setHidden(true);
  assert.equal(
    await page.evaluate(() => document.documentElement.hasAttribute('data-parked')),
    true,
  );
  await sleep(300); // a frame already queued may still run
  const t0 = await page.evaluate(() => window.streamsim.tick());
  await sleep(1000);
  assert.equal(await page.evaluate(() => window.streamsim.tick()), t0, 'no tick while hidden');
  await setHidden(false);
  assert.equal(
    await page.evaluate(() => document.documentElement.hasAttribute('data-parked')),
    false,
  );
  await page.waitForFunction((t) => window.streamsim.tick() > t, t0, { timeout: 5000 });
  // at 1×, 100 ms ticks: well under the 13 ticks the hidden 1.3 s would have been
  await sleep(200);
  const t1 = await page.evaluate(() => window.streamsim.tick());
  assert.ok(t1 - t0 < 10, `the hidden time was not simulated (${t1 - t0} ticks)`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
