// Every built-in exercise's test attempts, checked in the browser by the same core the page
// uses (Sim.check_attempt) and natively by `streamsim check`: the verdicts must be the ones the
// file names promise (solution*.json passes, nothing.json and wrong-*.json fail, invalid-*.json
// is invalid), and the browser's verdict must equal the command line's, field by field. This is
// what lets an instructor trust that "Check my attempt" on the page and `streamsim check` on a
// folder of downloads agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { useServerAndBrowser, server, browser, openPage, REPO_ROOT } from './harness.mjs';

useServerAndBrowser();

const ATTEMPTS = path.join(REPO_ROOT, 'lessons', 'attempts');

/** Every attempt file, as [relative path, text], sorted for a stable order. */
async function attemptFiles() {
  const out = [];
  for (const dir of (await fs.readdir(ATTEMPTS)).sort()) {
    for (const name of (await fs.readdir(path.join(ATTEMPTS, dir))).sort()) {
      if (!name.endsWith('.json')) continue;
      const rel = path.posix.join('lessons', 'attempts', dir, name);
      out.push([rel, await fs.readFile(path.join(REPO_ROOT, rel), 'utf8')]);
    }
  }
  return out;
}

/** The verdict a file's name promises. */
function expected(rel) {
  const name = path.basename(rel);
  if (name.startsWith('solution')) return 'pass';
  if (name.startsWith('invalid-')) return 'invalid';
  if (name === 'nothing.json' || name.startsWith('wrong-')) return 'fail';
  throw new Error(`${rel}: an attempt is named solution*, nothing, wrong-* or invalid-*`);
}

const verdict = (r) => (r.invalid ? 'invalid' : r.passed ? 'pass' : 'fail');

/** `streamsim check` on the whole folder: one JSON line per attempt, keyed by file. */
function nativeResults() {
  let stdout;
  try {
    stdout = execFileSync('cargo', ['run', '-q', '--bin', 'streamsim', '--', 'check', ATTEMPTS], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  } catch (e) {
    // Exit 1 (some failed) and 2 (some invalid) are expected here: the folder holds both.
    if (e.status !== 1 && e.status !== 2) throw e;
    stdout = e.stdout;
  }
  const byFile = new Map();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const r = JSON.parse(line);
    byFile.set(path.relative(REPO_ROOT, path.resolve(REPO_ROOT, r.file)), r);
  }
  return byFile;
}

test('every attempt gets the verdict its name promises, in the browser and natively, the same', async () => {
  const files = await attemptFiles();
  assert.ok(files.length >= 60, `only ${files.length} attempts`);
  const native = nativeResults();
  const page = await openPage(browser, `${server.url}/tests/e2e/fixtures/blank.html`);
  const inBrowser = await page.evaluate(async (attempts) => {
    const api = await import('/www/pkg/streamsim.js');
    await api.default({ module_or_path: '/www/pkg/streamsim_bg.wasm' });
    const sim = api.Sim.from_preset('hot-key');
    return attempts.map(([rel, text]) => [rel, sim.check_attempt(text)]);
  }, files);
  const exercises = new Set();
  for (const [rel, got] of inBrowser) {
    exercises.add(path.basename(path.dirname(rel)));
    assert.equal(verdict(got), expected(rel), `${rel} in the browser: ${got.message}`);
    const n = native.get(rel);
    assert.ok(n, `${rel}: no native result`);
    assert.deepEqual(
      { ...got, file: rel },
      { ...n, file: rel },
      `${rel}: browser and native verdicts differ`,
    );
  }
  assert.ok(exercises.size >= 20, `attempts for only ${exercises.size} exercises`);
  assert.deepEqual(page.problems, []);
});
