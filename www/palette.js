// The page's colours are defined once, as CSS custom properties in style.css (:root); the
// canvas and SVG drawings read them here with getComputedStyle. The partition key's colour hash
// maps to a colour *and* a shape, so two keys are told apart by more than hue alone.

/** Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies. */
export const OKABE_ITO_NAMES = [
  'orange',
  'sky',
  'green',
  'yellow',
  'blue',
  'vermillion',
  'purple',
  'black',
];

/** The producers' colours: Paul Tol's "muted" scheme plus two of his "bright" (12 in all). */
export const PRODUCER_COLOUR_COUNT = 12;

export const SHAPES = ['square', 'circle', 'triangle', 'diamond'];

/** The drawings' own colours, by the name the code uses → the CSS custom property. */
const UI_PROPERTIES = {
  ink: '--ink',
  muted: '--muted',
  belt: '--belt',
  beltEdge: '--belt-edge',
  beltStripe: '--belt-stripe',
  gaugeBack: '--gauge-back',
  gaugeOk: '--gauge-ok',
  gaugeWarn: '--gauge-warn',
  gaugeHigh: '--gauge-high',
  hatchBack: '--hatch-back',
  throttle: '--throttle',
  warnInk: '--warn-ink',
  retryOk: '--retry-ok',
  selection: '--selection',
  selectionHalo: '--selection-halo',
  consumer: '--consumer-bg',
  chip: '--chip',
  route: '--route',
  gate: '--gate',
  pile: '--pile',
  heatRead: '--heat-read',
  heatUnread: '--heat-unread',
  tileEdge: '--tile-edge',
  closedBack: '--closed-back',
  closedStripe: '--closed-stripe',
  updatingBack: '--updating-back',
  updatingEdge: '--updating-edge',
  updatingInk: '--updating-ink',
  hashOpen: '--hash-open',
  hashOpenEdge: '--hash-open-edge',
  hashClosed: '--hash-closed',
  hashClosedStripe: '--hash-closed-stripe',
  link: '--muted',
  white: '--card',
};

/**
 * The colours as the page's stylesheet defines them: `{ okabeIto: [8], producers: [12],
 * ui: { ink, muted, … } }`. Read once per drawing surface (they do not change while it runs).
 */
export function readColours(root = document.documentElement) {
  const cs = getComputedStyle(root);
  const get = (name) => cs.getPropertyValue(name).trim();
  const ui = {};
  for (const [k, prop] of Object.entries(UI_PROPERTIES)) ui[k] = get(prop);
  return {
    okabeIto: OKABE_ITO_NAMES.map((n) => get(`--oi-${n}`)),
    producers: Array.from({ length: PRODUCER_COLOUR_COUNT }, (_, i) => get(`--producer-${i}`)),
    ui,
  };
}

/**
 * The look of a record tile for a partition key's colour hash (0 … 2^24 − 1): `{ index,
 * shape, light }`, `index` into the Okabe–Ito colours; `light` tells a drawer to use a dark
 * mark inside.
 */
export function keyStyle(keyColour) {
  const h = Math.abs(Math.floor(Number(keyColour) || 0)) >>> 0;
  const index = h % OKABE_ITO_NAMES.length;
  const si = Math.floor(h / OKABE_ITO_NAMES.length) % SHAPES.length;
  return { index, shape: SHAPES[si], light: index === 3 || index === 1 || index === 0 };
}

/** A producer's colour (CSS custom property) by its layout colour index. */
export function producerColourVar(index) {
  const i = Math.abs(Math.floor(Number(index) || 0)) % PRODUCER_COLOUR_COUNT;
  return `var(--producer-${i})`;
}
