// A classic script (not a module), run before www/main.js: it still runs where the module
// cannot. An iframe sandboxed without allow-same-origin has the origin "null", and the browser
// then refuses the module and the wasm (both are fetched in CORS mode, and this server sends no
// CORS headers), so nothing else would ever explain the blank frame. The words are in
// index.html (#embed-sandbox): text.js and en.json cannot load in that frame either. Without
// allow-scripts nothing runs at all: index.html's <noscript> says so.
(function () {
  'use strict';
  const root = document.documentElement;
  const embed = /(?:^|[?&])embed=1(?:&|$)/.test(location.search);
  // embed.css hides the page's chrome from the first paint, before the module has loaded
  if (embed) root.setAttribute('data-embed', 'starting');

  function show(why) {
    const box = document.getElementById('embed-sandbox');
    if (!box) return;
    const lines = box.querySelectorAll('[data-why]');
    for (let i = 0; i < lines.length; i++) {
      lines[i].hidden = lines[i].getAttribute('data-why') !== why;
    }
    box.hidden = false;
    root.setAttribute('data-blocked', why);
  }

  function whenParsed(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  if (window.origin === 'null') {
    whenParsed(function () {
      show('same-origin');
    });
    return;
  }
  // the module signals that it started with data-ready on <html>; in an embed, say so if never
  if (!embed) return;
  setTimeout(function () {
    if (!root.hasAttribute('data-ready')) show('module');
  }, 15000);
})();
