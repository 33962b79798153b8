// Pure formatting and parsing helpers: no DOM, no wasm, easy to unit-test in Node. The numbers
// are formatted here; their words and units ("s", "min", "records/s") come from www/text/ so a
// translation changes them too.

import { t } from './text.js';

/** The hash space is 0 … 2^128 − 1. */
export const HASH_SPACE = 1n << 128n;

/** Simulated milliseconds → "h:mm:ss.mmm". */
export function formatSimTime(ms) {
  const total = Math.max(0, Math.floor(Number(ms) || 0));
  const milli = total % 1000;
  const secs = Math.floor(total / 1000);
  const s = secs % 60;
  const m = Math.floor(secs / 60) % 60;
  const h = Math.floor(secs / 3600);
  return `${h}:${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
}

/** A short duration in words for people: "0 s", "850 ms", "1.2 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms) {
  const v = Math.max(0, Number(ms) || 0);
  if (v === 0) return t('unit.seconds', { n: 0 });
  if (v < 1000) return t('unit.milliseconds', { n: Math.round(v) });
  if (v < 10_000) return t('unit.seconds', { n: (v / 1000).toFixed(1) });
  if (v < 60_000) return t('unit.seconds', { n: Math.round(v / 1000) });
  const totalS = Math.round(v / 1000);
  if (totalS < 3600) {
    return t('unit.minutesSeconds', { min: Math.floor(totalS / 60), s: totalS % 60 });
  }
  return t('unit.hoursMinutes', {
    h: Math.floor(totalS / 3600),
    min: Math.floor((totalS % 3600) / 60),
  });
}

function pad(n, width) {
  return String(n).padStart(width, '0');
}

/** Thousands separators, no decimals: 12345 → "12,345". */
export function formatCount(n) {
  const v = Math.round(Number(n) || 0);
  const sign = v < 0 ? '-' : '';
  return sign + String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A share (0–1) as a percentage a student can read: whole percent from 10 %, two significant
 * digits below (0.0015 → "0.15", 0.025 → "2.5", 0.6 → "60"), so a small hot key is not shown
 * as "0". Without the sign: callers add "%" or " percent" (or use formatPercent).
 */
export function formatShare(share) {
  const pct = (Number(share) || 0) * 100;
  if (pct === 0 || pct >= 10) return String(Math.round(pct));
  return String(Number(pct.toPrecision(2)));
}

/** A share (0–1) with its sign: 0.05 → "5%", 0.005 → "0.5%". */
export function formatPercent(share) {
  return t('unit.percent', { n: formatShare(share) });
}

/** A count in at most four characters, for a canvas label: 950, "12k", "3M". */
export function formatShortCount(n) {
  const v = Math.round(Number(n) || 0);
  if (v < 1000) return String(v);
  if (v < 1_000_000) return t('unit.short.thousands', { n: Math.round(v / 1000) });
  return t('unit.short.millions', { n: Math.round(v / 1_000_000) });
}

/** A duration in at most four characters, for a canvas label: "0", "0.4s", "12s", "3m". */
export function formatShortAge(ms) {
  const v = Number(ms) || 0;
  if (v <= 0) return '0';
  if (v < 1000) return t('unit.short.seconds', { n: Math.round(v / 100) / 10 });
  if (v < 60_000) return t('unit.short.seconds', { n: Math.round(v / 1000) });
  return t('unit.short.minutes', { n: Math.round(v / 60_000) });
}

/** A fraction (0–1) as a CSS length: 0.25 → "25.0%" (a bar's width or height). */
export function cssPercent(fraction) {
  return `${(Math.max(0, Number(fraction) || 0) * 100).toFixed(1)}%`;
}

/** Bytes in MiB with `digits` decimals, without the unit: 545288 → "0.52". */
export function formatMiB(bytes, digits = 2) {
  return (Math.max(0, Number(bytes) || 0) / 1048576).toFixed(digits);
}

/** Cents → "$12.34". */
export function formatCents(cents) {
  const c = Math.round(Number(cents) || 0);
  return t('unit.dollars', { n: (c / 100).toFixed(2) });
}

/** The units of a limit (`limits()`'s `unit`) that have a word (`unit.word.<unit>`). */
const UNIT_WORDS = new Set([
  'milliseconds',
  'seconds',
  'hours',
  'bytes',
  'mebibytes',
  'megabytes',
  'records_per_second',
  'cents',
]);
/** Units said without a word: plain numbers. */
const UNITLESS = new Set(['count', 'share']);

/** A limit's range for an input's label: { min: 1, max: 128, unit: 'mebibytes' } → "MiB, 1–128". */
export function formatRange(limit) {
  const unit = UNIT_WORDS.has(limit.unit)
    ? t(`unit.word.${limit.unit}`)
    : UNITLESS.has(limit.unit)
      ? ''
      : String(limit.unit ?? '');
  const range = t('unit.range', { min: formatCount(limit.min), max: formatCount(limit.max) });
  return unit ? t('unit.range.withUnit', { unit, range }) : range;
}

/** A list in words: "a", "a and b", "a, b and c". */
export function listWords(items) {
  if (items.length <= 1) return items.join('');
  return t('list.and', {
    items: items.slice(0, -1).join(t('list.comma')),
    last: items[items.length - 1],
  });
}

/** Bytes for people: 512 → "512 B", 2048 → "2.0 KiB", 1572864 → "1.50 MiB". */
export function formatBytes(bytes) {
  const b = Math.max(0, Number(bytes) || 0);
  if (b < 1024) return t('unit.bytes', { n: Math.round(b) });
  if (b < 1024 * 1024) return t('unit.kibibytes', { n: (b / 1024).toFixed(1) });
  return t('unit.mebibytes', { n: (b / 1048576).toFixed(2) });
}

/**
 * Where a 128-bit hash key (decimal string) sits in the hash space, as a percentage with
 * `digits` decimals: "0" → "0", "170141183460469231731687303715884105728" → "50".
 * Exact (BigInt), so it never loses the value to floating point before rounding.
 */
export function hashPercent(decimal, digits = 1) {
  let v;
  try {
    v = BigInt(String(decimal).trim());
  } catch {
    return '?';
  }
  if (v < 0n) return '?';
  const scale = 10n ** BigInt(digits);
  // round half up: (v * 100 * scale * 2 + space) / (2 * space)
  const scaled = (v * 100n * scale * 2n + HASH_SPACE) / (2n * HASH_SPACE);
  const whole = scaled / scale;
  const frac = scaled % scale;
  if (digits === 0 || frac === 0n) return whole.toString();
  return `${whole}.${frac.toString().padStart(digits, '0')}`.replace(/0+$/, '');
}

/**
 * A shard's inclusive hash-key range as a short label: "0–25%". The ending key is shown as the
 * start of the next range (end + 1), so an even split of four reads 0–25%, 25–50%, …
 */
export function formatHashRange(startDecimal, endDecimal, digits = 1) {
  let endExclusive;
  try {
    endExclusive = (BigInt(String(endDecimal).trim()) + 1n).toString();
  } catch {
    endExclusive = 'x';
  }
  return t('unit.percentRange', {
    from: hashPercent(startDecimal, digits),
    to: hashPercent(endExclusive, digits),
  });
}

/** A 39-digit decimal in scientific notation with 3 significant digits: "8.51e37". */
export function formatSci(decimal) {
  const s = String(decimal)
    .trim()
    .replace(/^0+(?=\d)/, '');
  if (!/^\d+$/.test(s)) return String(decimal);
  if (s.length <= 6) return s;
  let exp = s.length - 1;
  let mant = Math.round(Number(s.slice(0, 4)) / 10) / 100; // 3 significant digits, rounded
  if (mant >= 10) {
    mant /= 10;
    exp += 1;
  }
  return `${mant.toFixed(2)}e${exp}`;
}

// ---- speed slider: one stop per arrow key press, 0.1× … 1000× ------------------------------

/** The speeds the slider offers, one per position (0 … SPEED_STOPS.length − 1). */
export const SPEED_STOPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
export const SPEED_MIN = SPEED_STOPS[0];
export const SPEED_MAX = SPEED_STOPS[SPEED_STOPS.length - 1];

/** Slider position → speed factor (the stop at that position). */
export function speedFromSlider(pos) {
  const i = Math.round(Number(pos) || 0);
  return SPEED_STOPS[Math.min(SPEED_STOPS.length - 1, Math.max(0, i))];
}

/** Speed factor → slider position (the nearest stop, on a log scale). */
export function sliderFromSpeed(speed) {
  const s = Math.log10(Math.min(SPEED_MAX, Math.max(SPEED_MIN, Number(speed) || 1)));
  let best = 0;
  SPEED_STOPS.forEach((v, i) => {
    if (Math.abs(Math.log10(v) - s) < Math.abs(Math.log10(SPEED_STOPS[best]) - s)) best = i;
  });
  return best;
}

/** "0.1×", "1×", "250×". */
export function formatSpeed(s) {
  return t('unit.speed', { n: Number(Number(s).toPrecision(2)) });
}

// ---- URL: ?preset=NAME&seed=N and #scenario=<base64url JSON> --------------------------------

/** Base64url (RFC 4648 §5, no padding) of a UTF-8 string. */
export function base64UrlEncode(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * JSON text without the whitespace between tokens; strings and numbers are kept exactly as
 * written. Unlike JSON.stringify(JSON.parse(text)), a 64-bit seed such as 18446744073709551615
 * keeps every digit (JS numbers would round it).
 */
export function compactJson(text) {
  // a whole string literal (kept as it is) or a run of whitespace outside one (dropped)
  return String(text).replace(/"(?:[^"\\]|\\.)*"|[ \t\n\r]+/g, (m) => (m[0] === '"' ? m : ''));
}

/**
 * Inverse of base64UrlEncode: accepts the URL-safe (`-_`) and the standard (`+/`) alphabet, with
 * or without `=` padding (at most two, at the end). Throws on anything else.
 */
export function base64UrlDecode(b64) {
  const text = String(b64).trim();
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new Error('not base64url');
  const clean = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (clean.length % 4 === 1) throw new Error('not base64url: a lone character at the end');
  const padded = clean + '='.repeat((4 - (clean.length % 4)) % 4);
  const bin = atob(padded);
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * The value of `name` in a fragment of `a=b&c=d` parts, or null. Not URLSearchParams: it reads
 * a `+` as a space (form encoding), and standard base64 has `+` in it. A value is
 * percent-decoded only when it holds a `%` escape (`%2B` for `+`, as some tools write it).
 */
export function hashParam(fragment, name) {
  for (const part of String(fragment).split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key !== name) continue;
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value; // a stray %: left as it is, for the base64 check to refuse
    }
  }
  return null;
}

/**
 * What the page's URL asks for. `search` is location.search, `hash` is location.hash.
 * Returns { preset, seed, scenario, scenarioError } (each null when absent).
 */
export function parseLocation(search, hash) {
  const out = { preset: null, seed: null, scenario: null, scenarioError: null };
  const q = new URLSearchParams(search || '');
  if (q.get('preset')) out.preset = q.get('preset');
  if (q.get('seed')) out.seed = q.get('seed').trim();
  const h = String(hash || '').replace(/^#/, '');
  if (h) {
    const enc = hashParam(h, 'scenario');
    if (enc !== null) {
      try {
        out.scenario = base64UrlDecode(enc);
      } catch {
        out.scenarioError = t('address.scenario.invalid');
      }
    }
  }
  return out;
}

/**
 * A facade error (`{ path, message }`) for people: an AWS refusal as AWS words it
 * ("ResourceInUseException: …"), anything else after the field it is about, without the
 * "command." a command's fields start with ("records_per_second: 0 is out of range …").
 */
export function errorText(e) {
  if (!e || typeof e !== 'object') return String(e);
  const message = String(e.message ?? '');
  if (/^[A-Z][A-Za-z]*Exception:/.test(message)) return message;
  const path = String(e.path ?? '').replace(/^command\.?/, '');
  return path ? `${path}: ${message}` : message;
}

/**
 * What went wrong, as a list of messages: facade errors (`[{ path, message }]`, or thrown as
 * `{ errors: [...] }`), an Error, or anything else.
 */
export function errorMessages(err) {
  if (Array.isArray(err)) return err.map(errorText);
  if (err && Array.isArray(err.errors)) return err.errors.map(errorText);
  if (err && typeof err.message === 'string') return [err.message];
  return [String(err)];
}
