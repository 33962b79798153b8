// Unit tests of the page's pure helpers (www/format.js, www/palette.js, www/sim.js's Rows): no
// browser needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatSimTime,
  formatDuration,
  formatCount,
  formatBytes,
  formatShare,
  formatPercent,
  formatShortCount,
  formatShortAge,
  formatCents,
  formatRange,
  listWords,
  hashPercent,
  formatHashRange,
  formatSci,
  speedFromSlider,
  sliderFromSpeed,
  formatSpeed,
  SPEED_STOPS,
  base64UrlEncode,
  base64UrlDecode,
  compactJson,
  parseLocation,
  errorMessages,
  errorText,
} from '../../www/format.js';
import { keyStyle, OKABE_ITO_NAMES, SHAPES } from '../../www/palette.js';
import { Rows, consumerRow } from '../../www/sim.js';
import { useStrings, plural as pluralText } from '../../www/text.js';
import { readFileSync } from 'node:fs';

// the helpers take their words and units from the English strings, as the page does
useStrings(JSON.parse(readFileSync(new URL('../../www/text/en.json', import.meta.url), 'utf8')));

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
  assert.equal(formatPercent(0.05), '5%');
  assert.equal(formatPercent(0.005), '0.5%');
  assert.equal(pluralText('count.objects', 1), '1 object');
  assert.equal(pluralText('count.alerts', 0), '0 alerts');
  assert.equal(pluralText('count.records', 1), '1 record');
  assert.equal(pluralText('count.records', 2400), '2,400 records');
  assert.equal(formatShortCount(950), '950');
  assert.equal(formatShortCount(12_400), '12k');
  assert.equal(formatShortAge(0), '0');
  assert.equal(formatShortAge(400), '0.4s');
  assert.equal(formatShortAge(125_000), '2m');
  assert.equal(formatCents(123456), '$1234.56');
  assert.equal(listWords(['a', 'b', 'c']), 'a, b and c');
  assert.equal(formatRange({ min: 1, max: 128, unit: 'mebibytes' }), 'MiB, 1–128');
  assert.equal(formatRange({ min: 0, max: 1, unit: 'share' }), '0–1');
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

test('the speed slider has one stop per position, from 0.1× to 1000×', () => {
  assert.equal(speedFromSlider(0), 0.1);
  assert.equal(speedFromSlider(3), 1);
  assert.equal(speedFromSlider(6), 10);
  assert.equal(speedFromSlider(SPEED_STOPS.length - 1), 1000);
  assert.equal(speedFromSlider(99), 1000, 'clamped');
  assert.equal(sliderFromSpeed(1), 3);
  assert.equal(sliderFromSpeed(30), sliderFromSpeed(20), 'the nearest stop (log scale)');
  for (let p = 0; p < SPEED_STOPS.length; p++) {
    assert.equal(sliderFromSpeed(speedFromSlider(p)), p, `round trip at ${p}`);
    if (p > 0) assert.ok(SPEED_STOPS[p] > SPEED_STOPS[p - 1], 'each stop is faster');
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

test('facade errors ({ path, message }) become a list of messages', () => {
  const thrown = {
    errors: [
      { path: 'producers[0].records_per_second', message: '-5 is out of range 1..=1000000' },
      { path: '(top level)', message: 'not valid JSON' },
    ],
  };
  assert.deepEqual(errorMessages(thrown), [
    'producers[0].records_per_second: -5 is out of range 1..=1000000',
    '(top level): not valid JSON',
  ]);
  // a command's field without the "command." path; an AWS refusal as AWS words it
  assert.equal(
    errorText({ path: 'command.records_per_second', message: '0 is out of range 1..=1000000' }),
    'records_per_second: 0 is out of range 1..=1000000',
  );
  assert.equal(
    errorText({ path: 'command.stream_name', message: 'ResourceInUseException: s is UPDATING' }),
    'ResourceInUseException: s is UPDATING',
  );
  assert.deepEqual(errorMessages([{ path: '', message: 'x' }]), ['x']);
  assert.deepEqual(errorMessages(new Error('boom')), ['boom']);
  assert.deepEqual(errorMessages('plain'), ['plain']);
});

test('rows are read by field name, and consumer rows per lane of the consumer’s stream', () => {
  const rows = new Rows(Float64Array.from([1, 2, 3, 4, 5, 6]), ['a', 'b', 'c']);
  assert.equal(rows.count, 2);
  assert.equal(rows.get(1, 'b'), 5);
  assert.deepEqual(rows.object(0), { a: 1, b: 2, c: 3 });
  assert.throws(() => rows.get(0, 'nope'), /no field nope/);
  const layout = {
    streams: [
      { name: 's', first_lane: 0, lane_count: 2 },
      { name: 't', first_lane: 2, lane_count: 3 },
    ],
    consumers: [{ stream_name: 't' }, { stream_name: 's' }],
  };
  assert.equal(consumerRow(layout, 0, 2), 0, 'consumer 0 reads t: its first lane is lane 2');
  assert.equal(consumerRow(layout, 0, 4), 2);
  assert.equal(consumerRow(layout, 1, 1), 4, 'after consumer 0’s three rows');
  assert.equal(consumerRow(layout, 1, 2), -1, 'consumer 1 does not read lane 2');
});

test('key colours map onto the Okabe–Ito palette and four shapes, deterministically', () => {
  const seen = new Set();
  for (let h = 0; h < 64; h++) {
    const s = keyStyle(h * 9973);
    assert.ok(Number.isInteger(s.index) && s.index >= 0 && s.index < OKABE_ITO_NAMES.length);
    assert.ok(SHAPES.includes(s.shape));
    seen.add(`${s.index}/${s.shape}`);
  }
  assert.ok(seen.size >= 24, `${seen.size} distinct looks`);
  assert.deepEqual(keyStyle(0xabcdef), keyStyle(0xabcdef));
});
