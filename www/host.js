// The message protocol between an embedded simulator and the page around it (issue 10).
//
// Sim → host: `{ source: 'streamsim', v: 1, type, ... }` (ready, resize, event, state, result,
// reply). Host → sim: `{ target: 'streamsim', v: 1, type: 'invoke', id, method, args }`.
//
// Why the checks: any window can post to this one (a sibling frame, a pop-up, a frame the host
// embedded from elsewhere). Only the parent drives the sim (event.source === window.parent),
// and when the embed was given `parentOrigin`, only a parent of that origin (event.origin);
// everything this side sends then goes to that origin only, never to '*', so a host that
// navigated elsewhere learns nothing. Nothing of a message is ever put in the page as markup:
// the methods get plain values and the page shows them with textContent.

export const PROTOCOL_VERSION = 1;

/**
 * Start listening. `onInvoke(method, args)` returns `{ ok: true, value }` or
 * `{ ok: false, error, errors }` (or a promise of one); the reply goes back with the call's id.
 * `compat` (a Set of 'h5p', 'canvas', 'perseus') adds the shims' messages. Returns
 * `{ post(type, body), close() }`.
 */
export function startHost({
  parentOrigin = null,
  methods,
  onInvoke,
  compat = new Set(),
  onH5pHello = () => {},
}) {
  const parent = window.parent;
  const embedded = parent && parent !== window;
  const targetOrigin = parentOrigin ?? '*';

  function send(message) {
    if (!embedded) return;
    parent.postMessage(message, targetOrigin);
  }

  function post(type, body = {}) {
    send({ ...body, source: 'streamsim', v: PROTOCOL_VERSION, type });
    shims(type, body);
  }

  // ---- compat shims: the messages other hosts already understand ------------------------
  function shims(type, body) {
    if (compat.has('h5p') && type === 'resize') {
      // h5p-resizer.js (the script H5P gives for embedding) listens for these
      const clientHeight = document.documentElement.clientHeight;
      send({ context: 'h5p', action: 'prepareResize', scrollHeight: body.height, clientHeight });
      send({ context: 'h5p', action: 'resize', scrollHeight: body.height });
    }
    if (compat.has('h5p') && type === 'ready') send({ context: 'h5p', action: 'hello' });
    if (compat.has('canvas') && type === 'resize') {
      // Canvas LMS parses a JSON string (older Canvas) or takes the object (newer)
      send(JSON.stringify({ subject: 'lti.frameResize', height: body.height }));
    }
    if (compat.has('perseus') && type === 'result') {
      // Khan Academy's Perseus iframe widget waits for this JSON string
      send(JSON.stringify({ testsPassed: body.result?.success === true }));
    }
  }

  function reply(id, outcome) {
    const body = { id, ok: outcome.ok };
    if (outcome.ok) body.value = outcome.value ?? null;
    else {
      body.error = String(outcome.error);
      if (outcome.errors) body.errors = outcome.errors;
    }
    post('reply', body);
  }

  async function onMessage(event) {
    if (!embedded || event.source !== parent) return; // a sibling frame, a pop-up: ignored
    if (parentOrigin !== null && event.origin !== parentOrigin) return; // not our host
    const m = event.data;
    if (m?.context === 'h5p' && compat.has('h5p')) {
      // h5p-resizer.js answers a frame's 'hello' with 'hello': then it wants the size. Its
      // 'resizePrepared' (the answer to 'prepareResize') needs nothing: 'resize' went with it,
      // and answering it with another 'prepareResize' would ping-pong for ever.
      if (m.action === 'hello') onH5pHello();
      return;
    }
    if (!m || typeof m !== 'object' || Array.isArray(m) || m.target !== 'streamsim') return;
    const id = typeof m.id === 'string' || Number.isFinite(m.id) ? m.id : null;
    if (m.v !== PROTOCOL_VERSION) {
      reply(id, { ok: false, error: `v: this embed speaks version ${PROTOCOL_VERSION}` });
      return;
    }
    if (m.type !== 'invoke') {
      reply(id, { ok: false, error: 'type: the only message a host sends is "invoke"' });
      return;
    }
    if (typeof m.method !== 'string' || !Object.hasOwn(methods, m.method)) {
      const known = Object.keys(methods).join(', ');
      reply(id, { ok: false, error: `method: unknown method; the methods are ${known}` });
      return;
    }
    const args = m.args === undefined ? {} : m.args;
    if (!args || typeof args !== 'object' || Array.isArray(args)) {
      reply(id, { ok: false, error: 'args: must be an object' });
      return;
    }
    let outcome;
    try {
      outcome = await onInvoke(m.method, args);
    } catch (err) {
      outcome = { ok: false, error: err?.message ?? String(err) };
    }
    reply(id, outcome);
  }

  window.addEventListener('message', onMessage);
  return {
    embedded,
    post,
    close: () => window.removeEventListener('message', onMessage),
  };
}

/** Seconds as an ISO 8601 duration, as xAPI wants it: "PT42S", "PT1M5.5S". */
export function isoDuration(ms) {
  const total = Math.max(0, Math.round(ms / 100) / 10);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = Math.round((total % 60) * 10) / 10;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}
