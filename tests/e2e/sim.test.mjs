// www/sim.js, the page's one caller of the wasm facade, against the real module (in Node, no
// browser): rows are read by field name, and what changes rarely is asked for only when it
// changed — the layout when layout_version rises, a delivery stream's objects after the last
// sequence number the page has, its metrics after the last second it has.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './harness.mjs';
import { Engine, Rows } from '../../www/sim.js';

const PKG = path.join(REPO_ROOT, 'www/pkg');

async function engine() {
  const api = await import(pathToFileURL(path.join(PKG, 'streamsim.js')).href);
  const wasm = api.initSync({ module: fs.readFileSync(path.join(PKG, 'streamsim_bg.wasm')) });
  return new Engine(api, wasm);
}

/** Count the calls of the facade's `name` on this run's Sim, with their arguments. */
function spy(run, name) {
  const calls = [];
  const real = run.sim[name].bind(run.sim);
  run.sim[name] = (...args) => {
    calls.push(args);
    return real(...args);
  };
  return calls;
}

test('the page reads every row field and limit it uses from the facade', async () => {
  const e = await engine();
  assert.deepEqual(e.mismatch(), []);
  const run = e.fromPreset('clickstream');
  run.step(20);
  const fr = run.frame();
  assert.ok(fr.shards instanceof Rows);
  assert.equal(fr.shards.count, run.layout.lanes.length);
  assert.equal(fr.producers.count, run.layout.producers.length);
  assert.ok(fr.shards.get(0, 'records_this_second') >= 0);
  assert.throws(() => fr.shards.get(0, 'no_such_field'));
  assert.deepEqual(Object.keys(e.limit('firehose.buffering_interval')).sort(), [
    'default',
    'max',
    'min',
    'unit',
  ]);
  run.free();
});

test('the layout is read again only when its version rises', async () => {
  const e = await engine();
  const run = e.fromPreset('clickstream');
  const reads = spy(run, 'layout');
  run.step(5);
  assert.equal(run.syncLayout(), false);
  assert.equal(reads.length, 0, 'nothing changed: no layout() call');
  assert.deepEqual(run.command({ type: 'set_rate', producer: 'web', records_per_second: 700 }), []);
  run.step(1);
  assert.equal(run.syncLayout(), true);
  assert.equal(reads.length, 1);
  assert.equal(run.layout.producers[0].records_per_second, 700);
  assert.equal(run.syncLayout(), false);
  assert.equal(reads.length, 1);
  run.free();
});

test('Firehose objects come after the last sequence number, metrics after the last second', async () => {
  const e = await engine();
  const run = e.fromPreset('firehose-transform');
  const objects = spy(run, 'firehose_objects');
  const metrics = spy(run, 'firehose_metrics');
  run.step(650); // 65 s: the first objects have landed (60 s buffering interval)
  let [st] = run.firehoseData(run.frame());
  assert.ok(st.objects.length > 0);
  assert.deepEqual(objects[0].slice(1), [0], 'the first call asks from the start');
  assert.deepEqual(metrics[0].slice(1), [-1], 'all metrics, the first time');
  const lastSeq = st.objects[st.objects.length - 1].seq;
  const lastSecond = st.metrics[st.metrics.length - 1].second;
  assert.equal(st.metrics.length, lastSecond + 1);

  // nothing new: no object call; a metrics call only once a second has ended
  const n = objects.length;
  run.firehoseData(run.frame());
  assert.equal(objects.length, n, 'no object landed: not asked');
  run.step(5); // half a second more
  run.firehoseData(run.frame());
  run.step(10);
  [st] = run.firehoseData(run.frame());
  assert.equal(st.metrics[st.metrics.length - 1].second, lastSecond + 1, 'one more second');
  const after = metrics.map((m) => m[1]);
  assert.ok(
    after.slice(1).every((s) => s >= lastSecond),
    `asked after ${after}`,
  );
  assert.ok(new Set(after).size === after.length, 'never the same second twice');

  run.step(700); // the next objects
  [st] = run.firehoseData(run.frame());
  assert.deepEqual(objects[objects.length - 1].slice(1), [lastSeq], 'after the last one it has');
  const seqs = st.objects.map((o) => o.seq);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => seqs[0] + i),
    'each object once, in order',
  );
  assert.equal(seqs[seqs.length - 1], run.frame().firehoses.get(0, 'objects_total'));
  run.free();
});

test('notes and write events come once each, after the last number seen', async () => {
  const e = await engine();
  const run = e.fromPreset('hot-key');
  run.step(100);
  const notes = run.newNotes();
  const events = run.newEvents();
  assert.ok(notes.length > 0 && notes.every((n) => typeof n.kind === 'string'));
  assert.ok(events.count > 0);
  assert.deepEqual(run.newNotes(), []);
  assert.equal(run.newEvents().count, 0);
  run.step(50);
  const more = run.newEvents();
  if (more.count) assert.ok(more.get(0, 'seq') > events.get(events.count - 1, 'seq'));
  run.free();
});
