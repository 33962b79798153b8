// The page's interface strings (www/text/<locale>.json, English the source): loaded once, then
// `t('lesson.stepOf', { n: 2, total: 5 })`. A key missing from a translation falls back to
// English; a key missing everywhere shows as itself, so a gap is visible, never blank.

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
  if (locale && locale !== 'en' && /^[a-z]{2}(-[A-Z]{2})?$/.test(locale)) {
    try {
      strings = { ...fallback, ...(await fetchText(locale)) };
      current = locale;
    } catch {
      // no translation of the interface yet: English
    }
  }
  return current;
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
