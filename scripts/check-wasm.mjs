#!/usr/bin/env node
// Smoke-test one wasm-bindgen build in Node: node scripts/check-wasm.mjs <glue.js> <module.wasm>
//
// Used by build.sh to decide whether a wasm-opt output is safe to ship: a broken optimiser can
// produce a module that validates but fails at instantiation (Debian's binaryen 108 did), or one
// that computes something different. So this instantiates the module through the real generated
// glue, runs a few hundred ticks of a preset, and prints {"ok":true,"digest":...} as JSON. The
// caller compares the digest with the unoptimised build's. Exit status 1 on any failure.

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [gluePath, wasmPath] = process.argv.slice(2);
if (!gluePath || !wasmPath) {
  console.error('usage: node scripts/check-wasm.mjs <glue.js> <module.wasm>');
  process.exit(2);
}

try {
  const bytes = fs.readFileSync(wasmPath);
  if (!WebAssembly.validate(bytes)) throw new Error('WebAssembly.validate() rejected the module');
  const glue = await import(pathToFileURL(path.resolve(gluePath)).href);
  const wasm = glue.initSync({ module: bytes });
  const result = { ok: true, memoryBytes: wasm.memory.buffer.byteLength, digest: null };
  // The facade may not exist yet (early in the project): instantiating is then the whole check.
  if (typeof glue.preset_names === 'function' && typeof glue.Sim === 'function') {
    const names = glue.preset_names();
    result.digests = {};
    for (const name of names) {
      const errors = glue.validate_scenario?.(glue.preset_scenario(name)) ?? [];
      if (errors.length) {
        const said = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
        throw new Error(`preset ${name} does not validate: ${said}`);
      }
      const sim = glue.Sim.from_preset(name);
      sim.step(Math.ceil(60_000 / sim.tick_ms())); // one simulated minute
      result.digests[name] = sim.digest();
      sim.free?.();
    }
    result.digest = names.map((n) => result.digests[n]).join(',');
  }
  console.log(JSON.stringify(result));
} catch (err) {
  console.error(`check-wasm: ${wasmPath}: ${err?.stack ?? JSON.stringify(err)}`);
  process.exit(1);
}
