// The page's interface strings (www/text/<locale>.json, English the source): loaded once, then
// `t('lesson.stepOf', { n: 2, total: 5 })`. A key missing from a translation falls back to
// English; a key missing everywhere shows as itself, so a gap is visible, never blank.
//
// The strings live apart from the code so a translator sees whole sentences with their
// {placeholders} and can ship www/text/es.json without touching a line of JavaScript.

/** What a locale may look like in `?locale=` and in file names ("en", "es", "pt-BR"). */
export const LOCALE_PATTERN = /^[a-z]{2}(-[A-Z]{2})?$/;

import { formatCount } from './format.js';

let strings = {};
let fallback = {};
let current = 'en';

async function fetchText(locale) {
  const res = await fetch(new URL(`./text/${locale}.json`, import.meta.url));
  if (!res.ok) throw new Error(`www/text/${locale}.json: HTTP ${res.status}`);
  return res.json();
}

/** Load the strings of `locale` (and English under them); resolves to the locale used. */
export async function loadText(locale = 'en') {
  fallback = await fetchText('en');
  strings = fallback;
  current = 'en';
  if (locale && locale !== 'en' && LOCALE_PATTERN.test(locale)) {
    try {
      strings = { ...fallback, ...(await fetchText(locale)) };
      current = locale;
    } catch {
      // no translation of the interface yet: English
    }
  }
  return current;
}

/** Use `table` as the strings without fetching (Node unit tests have no page to fetch from). */
export function useStrings(table) {
  fallback = table;
  strings = table;
  current = 'en';
}

/** The locale the strings are in. */
export function textLocale() {
  return current;
}

/** The string `key` with its `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const s = strings[key] ?? fallback[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/**
 * A count and its words: `plural('count.records', 3)` reads `count.records.many` ("{n}
 * records"), 1 reads `count.records.one`. `{n}` is the count with thousands separators
 * ("2,400 records"). English has two forms; a language with more would add keys here, not
 * sentences in the code.
 */
export function plural(baseKey, n, params = {}) {
  const count = Math.round(Number(n) || 0);
  return t(`${baseKey}.${count === 1 ? 'one' : 'many'}`, { n: formatCount(count), ...params });
}

// The tags a string of en.json may carry: light emphasis only, nothing that runs or links.
const RICH_TAGS = new Set(['strong', 'em', 'kbd', 'sup']);

/**
 * Fill `el` with `s`, building `<strong>`, `<em>`, `<kbd>` and `<sup>` from their tags with
 * createElement and textContent (never innerHTML: the CSP and the review rule forbid parsing
 * markup, and a string with any other tag stays text). Tags do not nest.
 */
export function setRichText(el, s) {
  const parts = [];
  const re = /<(strong|em|kbd|sup)>([^<]*)<\/\1>/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) parts.push(document.createTextNode(s.slice(last, m.index)));
    if (RICH_TAGS.has(m[1])) {
      const tag = document.createElement(m[1]);
      tag.textContent = m[2];
      parts.push(tag);
    }
    last = re.lastIndex;
  }
  if (last < s.length) parts.push(document.createTextNode(s.slice(last)));
  el.replaceChildren(...parts);
}

/**
 * Fill every element under `root` that names a key: `data-t="key"` sets its content (with the
 * light markup of setRichText), `data-t-aria-label="key"` (any `data-t-<attr>`) sets that
 * attribute. Run at boot and after a locale change; index.html carries keys, not English.
 */
export function applyText(root = document) {
  for (const el of root.querySelectorAll('*')) {
    for (const { name, value } of [...el.attributes]) {
      if (name === 'data-t') setRichText(el, t(value));
      else if (name.startsWith('data-t-')) el.setAttribute(name.slice(7), t(value));
    }
  }
  // the page says which language it is in, for screen readers and hyphenation
  if (root === document) document.documentElement.lang = current;
}
