// The interface strings live in www/text/en.json, not in the code (issue 9: "so a Spanish
// version can follow"). Two checks:
//
// 1. A pseudo-locale walk (the idea of PhET's "stringTest"): the page opens with ?locale=xx and
//    is served, for www/text/xx.json, en.json with every value wrapped as ⟦value⟧ (placeholders
//    kept inside, so they are still filled). Every visible text node and the aria-label, title,
//    placeholder and alt of visible elements must then have no letters outside ⟦…⟧: a letter
//    outside is a string still written in the code. Canvas text cannot be walked; the belt's
//    labels go through t() (code review), and the canvas's aria-label is walked.
//
//    Not interface text, so masked before the check (the allow-list):
//    - the scenario's data: every string value of the running scenario (#scenario-text's JSON:
//      stream, producer, consumer, function and delivery stream names, keys) and of the run's
//      reports of them (window.streamsim: consumers' and workers' names), its description
//      (#scenario-description);
//    - the compression formats in their select (GZIP, Snappy: AWS's names);
//    - the lesson texts (lessons/text/, through the core: every string of the lesson);
//    - the core's notes (#notes-feed, repeated in the narration) and a task's progress message
//      (.task-message): the Rust core's messages, translated there, not in www/text/;
//    - the ready-made scenarios' names in #preset (file names of src/sim/presets);
//    - shard ids (shardId-000000000001), S3 object keys, numbers, times, digests, punctuation;
//    - #scenario-text itself (a textarea: its JSON is data) and the page's <noscript>.
//
// 2. Key coverage both ways: every key the code names (t('…'), plural('…'), data-t*="…") is in
//    en.json, and every key of en.json is named somewhere (literally, or by one of the key
//    families built at run time, listed below).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServerAndBrowser, server, browser, openPage, REPO_ROOT } from './harness.mjs';

useServerAndBrowser();

const EN = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'www/text/en.json'), 'utf8'));
const WRAPPED = Object.fromEntries(Object.entries(EN).map(([k, v]) => [k, `⟦${v}⟧`]));

const api = await import(path.join(REPO_ROOT, 'www/pkg/streamsim.js'));
api.initSync({ module: fs.readFileSync(path.join(REPO_ROOT, 'www/pkg/streamsim_bg.wasm')) });

/** Every string inside a JSON value (names, keys, texts), for masking. */
function stringsOf(value, out = new Set()) {
  if (typeof value === 'string') {
    if (value.trim()) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) stringsOf(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) stringsOf(v, out);
  }
  return out;
}

/** Every lesson's strings (titles, texts, questions, choices, hints: lessons/text/). */
const LESSON_STRINGS = new Set();
for (const l of api.lessons()) {
  stringsOf(l, LESSON_STRINGS);
  stringsOf(api.lesson(l.id), LESSON_STRINGS);
}

/** Open `query` in the pseudo-locale: text/xx.json is en.json wrapped in ⟦…⟧. */
async function openPseudo(query) {
  // first a page on the server's origin (the harness counts problems from there), then the
  // route, then the page itself, so the route is in place for its first request of xx.json
  const page = await openPage(browser, `${server.url}/www/text/en.json`);
  let served = 0;
  await page.context().route('**/www/text/xx.json', (route) => {
    served += 1;
    return route.fulfill({ json: WRAPPED });
  });
  await page.goto(`${server.url}/index.html${query}`);
  await page.waitForSelector('html[data-ready="1"]', { state: 'attached', timeout: 20_000 });
  page.servedPseudo = () => served;
  return page;
}

/**
 * The texts on the page with letters outside ⟦…⟧ once data is masked: `[where, text]`.
 * `data` = strings that are not interface text (see the top of the file).
 */
async function leftovers(page, data) {
  return page.evaluate((dataList) => {
    const SKIP = [
      '#scenario-text',
      '#scenario-description',
      '#notes-feed',
      '.task-message',
      '#preset',
      'select[id$="-compression"]',
      'noscript',
      'script',
      'style',
    ].join(', ');
    // light markup of a string (setRichText) is checked with the text around it
    const RICH = new Set(['STRONG', 'EM', 'KBD', 'SUP']);
    const block = (el) => (RICH.has(el.tagName) && el.parentElement ? block(el.parentElement) : el);
    const visible = (el) => {
      const box = el.closest('select') ?? el; // options are drawn by their select
      return box.checkVisibility({ visibilityProperty: true });
    };
    // the core's notes are data here (translated in the core), as are the scenario's strings
    const notes = [...document.querySelectorAll('#notes-feed li')].map((li) =>
      li.textContent.replace(/^\s*\d+:\d\d:\d\d\.\d{3}\s*/, '').trim(),
    );
    const masks = [...new Set([...dataList, ...notes])]
      .filter((s) => s.length > 1)
      .sort((a, b) => b.length - a.length);
    const strip = (text) => {
      let s = text;
      // innermost ⟦…⟧ first: a wrapped string may hold another one in a placeholder
      for (let prev = null; prev !== s;) {
        prev = s;
        s = s.replace(/⟦[^⟦⟧]*⟧/g, ' ');
      }
      s = s
        .replace(/shardId-\d+/g, ' ')
        .replace(/\b[\w-]+(\/[\w.=-]+)+\/?/g, ' ') // S3 keys and prefixes
        .replace(/\b[0-9a-f]{8,}\b/g, ' '); // digests
      for (const m of masks) s = s.split(m).join(' ');
      return s;
    };
    const hasLetters = (s) => /\p{L}/u.test(s);
    const where = (el) =>
      el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
    const out = [];
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.parentElement || !n.textContent.trim()) continue;
      const el = block(n.parentElement);
      if (seen.has(el) || el.closest(SKIP) || !visible(el)) continue;
      seen.add(el);
      // the element's own text: its text nodes and light markup, not its child blocks
      const own = [...el.childNodes]
        .map((c) => (c.nodeType === Node.TEXT_NODE || RICH.has(c.nodeName) ? c.textContent : ' '))
        .join('');
      if (hasLetters(strip(own))) out.push([where(el), own.trim()]);
    }
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest(SKIP) || !visible(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
        const v = el.getAttribute(attr);
        if (v && hasLetters(strip(v))) out.push([`${where(el)}[${attr}]`, v]);
      }
    }
    if (hasLetters(strip(document.title))) out.push(['<title>', document.title]);
    return out;
  }, data);
}

/** The running scenario's strings (its JSON in the text box, and the run's reports). */
async function scenarioStrings(page) {
  const text = await page.locator('#scenario-text').inputValue();
  const reports = await page.evaluate(() => {
    const s = window.streamsim;
    return [s.streams(), s.producers(), s.consumers(), s.firehoses(), s.shardIds()];
  });
  const out = stringsOf(reports);
  try {
    stringsOf(JSON.parse(text), out);
  } catch {
    // a scenario too big for the text box: the reports have its names
  }
  return [...out];
}

const report = (found) => found.map(([w, s]) => `  ${w}: ${JSON.stringify(s)}`).join('\n');

test('pseudo-locale: the lesson menu and a lesson step have no string left in the code', async () => {
  const page = await openPseudo('?locale=xx');
  assert.ok(page.servedPseudo() > 0, 'the page asked for text/xx.json');
  const lessons = [...LESSON_STRINGS];
  const menu = await leftovers(page, lessons);
  assert.deepEqual(menu, [], `the menu:\n${report(menu)}`);

  await page.goto(`${server.url}/index.html?locale=xx&lesson=hot-key&step=4`);
  await page.waitForSelector('html[data-ready="1"]', { state: 'attached', timeout: 20_000 });
  await page.waitForFunction(() => window.streamsim.lesson()?.step === 4);
  await page.locator('#play').click(); // a few seconds of the run: status, narration, tables
  await page.waitForTimeout(3000);
  await page.locator('#play').click();
  const data = [...lessons, ...(await scenarioStrings(page))];
  const step = await leftovers(page, data);
  assert.deepEqual(step, [], `hot-key step 4:\n${report(step)}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

// a Data Streams preset, a Firehose one, resharding, and Lambda (a consumer with a function)
for (const preset of ['clickstream', 'firehose-s3', 'resharding', 'lambda-poison-record']) {
  test(`pseudo-locale: the playground with ${preset} has no string left in the code`, async () => {
    const page = await openPseudo(`?locale=xx&lesson=playground&preset=${preset}`);
    await page.waitForTimeout(3000); // it plays: throttling, narration, Firehose objects
    await page.locator('#play').click(); // and paused: the status bar's "paused"
    await page.waitForFunction(() => document.querySelector('#st-state').textContent !== '');
    const found = await leftovers(page, await scenarioStrings(page));
    assert.deepEqual(found, [], `${preset}:\n${report(found)}`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
}

// ---- key coverage -----------------------------------------------------------------------------

/**
 * Keys built at run time from data (`t(\`shard.state.${l.state}\`)`): a key of en.json under
 * one of these is used when its family is. Each is named with a template in the code.
 */
const KEY_FAMILIES = [
  'shard.state.', // OPEN, CLOSED, EXPIRED (the core's shard states)
  'belt.kind.', // consumer kinds
  'consumer.kind.', // their long words
  'consumer.app.', // consumer applications
  'consumer.lambda.', // the Lambda card's counters
  'producer.keyModel.', // key models
  'firehose.trigger.', // why an object was written
  'lake.field.', // the lake's numeric fields
  'unit.word.', // limits' units
  'boot.running', // boot.running[.address][.seed]
  'concept.', // the lessons' concepts (lesson.js)
  'predict.field.', // prediction fields (lesson.js)
  'embed.scene.', // the scenes an embed shows (embed.js)
  'embed.this.size.', // the sizes 'Embed this' offers (embed.js)
];

const WWW = path.join(REPO_ROOT, 'www');
const CODE = fs
  .readdirSync(WWW)
  .filter((f) => f.endsWith('.js'))
  .map((f) => [f, fs.readFileSync(path.join(WWW, f), 'utf8')]);
const HTML = fs.readFileSync(path.join(REPO_ROOT, 'index.html'), 'utf8');

/** The keys index.html names: data-t="…" and data-t-<attr>="…". */
function htmlKeys() {
  return [...HTML.matchAll(/\sdata-t(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1]);
}

/** The keys the code names: the first argument of t( and plural(, literal or in a ternary. */
function codeKeys() {
  const out = [];
  for (const [file, src] of CODE) {
    for (const m of src.matchAll(/\b(t|plural)\(\s*'([^']+)'/g)) out.push([file, m[1], m[2]]);
    for (const m of src.matchAll(/\b(t|plural)\(\s*[^'(),`]+\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) {
      out.push([file, m[1], m[2]], [file, m[1], m[3]]);
    }
  }
  return out;
}

test('every key the page names is in en.json', () => {
  const missing = [];
  for (const k of htmlKeys()) if (!(k in EN)) missing.push(`index.html: ${k}`);
  for (const [file, fn, k] of codeKeys()) {
    const ok = fn === 'plural' ? `${k}.one` in EN && `${k}.many` in EN : k in EN;
    if (!ok) missing.push(`www/${file}: ${fn}('${k}')`);
  }
  assert.deepEqual(missing, []);
  assert.ok(codeKeys().length > 300, 'the scan finds the code’s keys');
});

test('every key of en.json is used by the page', () => {
  // a key is used when any string literal of the code or a data-t of index.html names it (a
  // key may sit in a table first: PRODUCER_ROWS, SCENE_TITLES), as a plural's base, or by its
  // family
  const literals = new Set(htmlKeys());
  for (const [, src] of CODE) {
    for (const m of src.matchAll(/'([a-z][\w-]*(?:\.[\w-]+)+)'/g)) literals.add(m[1]);
  }
  const unused = Object.keys(EN).filter((k) => {
    if (literals.has(k)) return false;
    const base = k.replace(/\.(one|many)$/, '');
    if (base !== k && literals.has(base)) return false;
    return !KEY_FAMILIES.some((f) => k.startsWith(f));
  });
  assert.deepEqual(unused, []);
});

test('LOCALE_PATTERN is the one check of a locale in the page', () => {
  for (const [file, src] of CODE) {
    if (file === 'text.js') continue;
    assert.doesNotMatch(src, /\[a-z\]\{2\}/, `www/${file} checks a locale itself`);
  }
});
