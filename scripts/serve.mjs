#!/usr/bin/env node
// A tiny, zero-dependency static file server for local development and the end-to-end tests.
//
// Why not `python3 -m http.server`: it sends no Content-Security-Policy, so the page would never be
// tested under the CSP it is meant to run with, and its MIME table depends on the machine.
//
// Usage: node scripts/serve.mjs [root]   (PORT=8000 by default; VERBOSE=1 logs every request)
// FRAME_SRC="http://127.0.0.1:8000" lets the pages served embed frames from that origin (the
// course page of examples/course-page/ embedding a simulator served elsewhere); without it the
// policy is CSP below, unchanged (default-src 'self' covers frames of this origin).
// As a module: `const { url, close } = await startStaticServer({ root, port: 0 })`.

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HOST = '127.0.0.1';

// The policy the app must work under. 'wasm-unsafe-eval' is the one relaxation: it allows
// WebAssembly compilation without allowing JS eval. frame-ancestors * lets the page be embedded.
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  'frame-ancestors *',
].join('; ');

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', // required for WebAssembly.instantiateStreaming
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8', // wasm-bindgen's .d.ts files: readable, never executed
};

const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The policy, with `frame-src 'self' <origins>` when frames of other origins are allowed. */
export function cspWith(frameSrc) {
  const origins = String(frameSrc ?? '')
    .split(/\s+/)
    .filter((o) => /^https?:\/\/[^\s;,']+$/.test(o));
  return origins.length ? `${CSP}; frame-src 'self' ${origins.join(' ')}` : CSP;
}

function securityHeaders(csp = CSP) {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    // A dev server: always revalidate, so a rebuilt www/pkg is picked up on reload.
    'Cache-Control': 'no-cache',
  };
}

function sendText(res, status, text, extra = {}) {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// Map a request path to a file inside `root`, or return an HTTP status explaining why not.
// `realRoot` is root with symlinks resolved, so a symlink cannot lead outside it either.
async function resolveFile(realRoot, rawUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(rawUrl, 'http://localhost').pathname);
  } catch {
    return { status: 400 };
  }
  // new URL() already collapses "." and ".." segments, but encoded forms like "..%2f" only
  // become separators after decoding: normalise again and check the result lies under root.
  if (pathname.includes('\0') || pathname.includes('\\')) return { status: 400 };
  const segments = pathname.split('/').filter(Boolean);
  // Hidden files and folders (.git, .cargo, .ci, ...) are never served.
  if (segments.some((s) => s.startsWith('.'))) return { status: 404 };
  const candidate = path.resolve(realRoot, ...segments);
  if (candidate !== realRoot && !candidate.startsWith(realRoot + path.sep)) return { status: 403 };

  let real;
  try {
    real = await fsp.realpath(candidate);
  } catch {
    return { status: 404 };
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return { status: 403 };

  let stat = await fsp.stat(real);
  if (stat.isDirectory()) {
    // Relative URLs in index.html only resolve correctly under a trailing slash.
    if (!pathname.endsWith('/')) return { status: 301, location: `${pathname}/` };
    real = path.join(real, 'index.html');
    try {
      stat = await fsp.stat(real);
    } catch {
      return { status: 404 };
    }
  }
  if (!stat.isFile()) return { status: 404 };
  return { status: 200, file: real, size: stat.size };
}

export async function startStaticServer({
  root = DEFAULT_ROOT,
  port = 8000,
  host = HOST,
  verbose = false,
  frameSrc = null,
} = {}) {
  const csp = cspWith(frameSrc);
  const realRoot = await fsp.realpath(path.resolve(root));
  const log = verbose ? (line) => console.log(line) : () => {};

  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    // 'close' rather than 'finish': it fires for every response, also when the client hangs up.
    res.on('close', () => {
      const note = res.writableFinished ? '' : ' (aborted)';
      log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms${note}`);
    });
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendText(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
        return;
      }
      const found = await resolveFile(realRoot, req.url);
      if (found.status === 301) {
        sendText(res, 301, 'Moved Permanently', { Location: found.location });
        return;
      }
      if (found.status !== 200) {
        sendText(res, found.status, http.STATUS_CODES[found.status]);
        return;
      }
      const type = MIME_TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        ...securityHeaders(csp),
        'Content-Type': type,
        'Content-Length': found.size,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = fs.createReadStream(found.file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch (err) {
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error');
      else res.destroy();
      console.error(`serve.mjs: ${req.method} ${req.url}: ${err.message}`);
    }
  });
  // Idle keep-alive sockets would otherwise hold close() open for seconds.
  server.keepAliveTimeout = 1000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    server,
    root: realRoot,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Run as a program (not when imported by the test harness).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number.parseInt(process.env.PORT ?? '8000', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: PORT must be a number 0-65535, got "${process.env.PORT}"`);
    process.exit(2);
  }
  const root = process.argv[2] ?? DEFAULT_ROOT;
  try {
    const { url, close } = await startStaticServer({
      root,
      port,
      verbose: Boolean(process.env.VERBOSE),
      frameSrc: process.env.FRAME_SRC ?? null,
    });
    console.log(`streamsim: serving ${root} at ${url}/ (Ctrl-C to stop)`);
    const stop = () => close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (err) {
    const hint = err.code === 'EADDRINUSE' ? ` (port ${port} is busy: try PORT=${port + 1})` : '';
    console.error(`serve.mjs: cannot listen on ${HOST}:${port}: ${err.message}${hint}`);
    process.exit(1);
  }
}
