// Colour-blind-safe colours (Okabe & Ito 2008; Paul Tol's "muted" scheme) and the mapping
// from a partition key's 24-bit colour hash to a colour *and* a shape, so that two keys are told
// apart by more than hue alone.

/** Okabe–Ito: distinguishable under the common colour-vision deficiencies. */
export const OKABE_ITO = [
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#009E73', // bluish green
  '#F0E442', // yellow
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#000000', // black
];

/** Tol "muted" (plus two of Tol "bright"): the producers' colours, by layout index 0..11. */
export const PRODUCER_COLOURS = [
  '#332288', // indigo
  '#117733', // green
  '#CC6677', // rose
  '#88CCEE', // cyan
  '#882255', // wine
  '#44AA99', // teal
  '#999933', // olive
  '#AA4499', // purple
  '#DDCC77', // sand
  '#4477AA', // blue
  '#EE6677', // red
  '#228833', // bright green
];

export const SHAPES = ['square', 'circle', 'triangle', 'diamond'];

/** The page's own UI colours (also Okabe–Ito where they carry meaning). */
export const UI = {
  ink: '#1b1f24',
  muted: '#57606a',
  belt: '#e8eaed',
  beltEdge: '#b6bcc4',
  beltStripe: '#d6d9de',
  laneAlt: '#f6f7f9',
  gaugeBack: '#ffffff',
  gaugeOk: '#0072B2',
  gaugeWarn: '#D55E00',
  gaugeHigh: '#E69F00',
  throttle: '#D55E00',
  retryOk: '#009E73',
  selection: '#000000',
  consumer: '#ffffff',
};

/**
 * The look of a record tile for a partition key's colour hash (0 … 2^24 − 1):
 * `{ colour, shape, light }`; `light` tells a drawer to use a dark mark inside.
 */
export function keyStyle(keyColour) {
  const h = Math.abs(Math.floor(Number(keyColour) || 0)) >>> 0;
  const ci = h % OKABE_ITO.length;
  const si = Math.floor(h / OKABE_ITO.length) % SHAPES.length;
  return { colour: OKABE_ITO[ci], shape: SHAPES[si], light: ci === 3 || ci === 1 || ci === 0 };
}

/** A producer's colour by layout colour index. */
export function producerColour(index) {
  const i = Math.abs(Math.floor(Number(index) || 0));
  return PRODUCER_COLOURS[i % PRODUCER_COLOURS.length];
}
