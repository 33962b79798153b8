// Unit tests of the page's pure helpers (www/format.js, www/palette.js): no browser needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSimTime,
  formatDuration,
  formatCount,
  formatBytes,
  formatShare,
  hashPercent,
  formatHashRange,
  formatSci,
  speedFromSlider,
  sliderFromSpeed,
  formatSpeed,
  base64UrlEncode,
  base64UrlDecode,
  compactJson,
  parseLocation,
  errorMessages,
} from '../../www/format.js';
import { keyStyle, OKABE_ITO, SHAPES } from '../../www/palette.js';

const MAX = '340282366920938463463374607431768211455';

test('simulated time as h:mm:ss.mmm', () => {
  assert.equal(formatSimTime(0), '0:00:00.000');
  assert.equal(formatSimTime(3_723_456), '1:02:03.456');
  assert.equal(formatSimTime(100), '0:00:00.100');
  assert.equal(formatSimTime(36_000_000 + 5), '10:00:00.005');
});

test('durations, counts and bytes for people', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(1234), '1.2 s');
  assert.equal(formatDuration(185_000), '3 min 5 s');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(0), '0');
  // A small hot key is not "0 %" (the gaming bot is 0.15 % of the actions).
  assert.equal(formatShare(0.0015), '0.15');
  assert.equal(formatShare(0.025), '2.5');
  assert.equal(formatShare(0.6), '60');
  assert.equal(formatShare(0), '0');
  assert.equal(formatShare(1), '100');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1_572_864), '1.50 MiB');
});

test('hash keys as a share of the hash space, exactly', () => {
  assert.equal(hashPercent('0'), '0');
  assert.equal(hashPercent('170141183460469231731687303715884105728'), '50');
  assert.equal(hashPercent(MAX), '100');
  // an even split of four: 0–25%, …, 75–100%
  assert.equal(formatHashRange('0', '85070591730234615865843651857942052863'), '0–25%');
  assert.equal(formatHashRange('255211775190703847597530955573826158592', MAX), '75–100%');
  assert.equal(formatHashRange('0', '113427455640312821154458202477256070484', 2), '0–33.33%');
  assert.equal(formatSci('85070591730234615865843651857942052863'), '8.51e37');
  assert.equal(formatSci(MAX), '3.40e38');
  assert.equal(hashPercent('nonsense'), '?');
});

test('the speed slider is logarithmic from 0.1× to 1000×', () => {
  assert.equal(speedFromSlider(0), 0.1);
  assert.equal(speedFromSlider(250), 1);
  assert.equal(speedFromSlider(500), 10);
  assert.equal(speedFromSlider(1000), 1000);
  assert.equal(sliderFromSpeed(1), 250);
  for (const p of [0, 137, 250, 612, 1000]) {
    assert.ok(Math.abs(sliderFromSpeed(speedFromSlider(p)) - p) <= 12, `round trip at ${p}`);
  }
  assert.equal(formatSpeed(0.1), '0.1×');
  assert.equal(formatSpeed(250), '250×');
});

test('base64url round trip and the address parser', () => {
  const json = '{"description":"café ✓","seed":1}';
  const enc = base64UrlEncode(json);
  assert.doesNotMatch(enc, /[+/=]/);
  assert.equal(base64UrlDecode(enc), json);
  assert.throws(() => base64UrlDecode('***'));
  const loc = parseLocation('?preset=hot-key&seed=42', `#scenario=${enc}`);
  assert.deepEqual(loc, { preset: 'hot-key', seed: '42', scenario: json, scenarioError: null });
  assert.match(parseLocation('', '#scenario=%%%').scenarioError, /base64url/);
  assert.deepEqual(parseLocation('', ''), {
    preset: null,
    seed: null,
    scenario: null,
    scenarioError: null,
  });
});

test('compactJson drops whitespace between tokens and keeps strings and big numbers exact', () => {
  const pretty =
    '{\n  "seed": 18446744073709551615,\n  "description": "a  b\\" \\n ok",\n  "x": [ 1, 2 ]\n}';
  const compact = compactJson(pretty);
  assert.equal(compact, '{"seed":18446744073709551615,"description":"a  b\\" \\n ok","x":[1,2]}');
  assert.equal(JSON.stringify(JSON.parse(compact)), JSON.stringify(JSON.parse(pretty)));
  assert.equal(
    compactJson('"\\\\" , "x"'),
    '"\\\\","x"',
    'an escaped backslash ends before the quote',
  );
});

test('facade errors become a list of messages', () => {
  assert.deepEqual(errorMessages({ errors: ['a: bad', 'b: worse'] }), ['a: bad', 'b: worse']);
  assert.deepEqual(errorMessages(new Error('boom')), ['boom']);
  assert.deepEqual(errorMessages('plain'), ['plain']);
});

test('key colours map onto the Okabe–Ito palette and four shapes, deterministically', () => {
  const seen = new Set();
  for (let h = 0; h < 64; h++) {
    const s = keyStyle(h * 9973);
    assert.ok(OKABE_ITO.includes(s.colour));
    assert.ok(SHAPES.includes(s.shape));
    seen.add(`${s.colour}/${s.shape}`);
  }
  assert.ok(seen.size >= 24, `${seen.size} distinct looks`);
  assert.deepEqual(keyStyle(0xabcdef), keyStyle(0xabcdef));
});
