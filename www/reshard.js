// Resharding: per stream, its status (ACTIVE / UPDATING), the hash-key space drawn as a bar with
// each OPEN shard's slice and, above it, the CLOSED parents a resharding left (hatched grey,
// linked to their children), the same lineage in words, and the controls: split a shard (in the
// middle, or at a hash key the student types), merge it with its neighbour, change the shard
// count. Every action is a facade command; a refused one shows the facade's reason as text.
// DOM and SVG are built with createElement(NS) only: nothing becomes markup.

import { el, replaceChildren, idPart } from './controls.js';
import { formatHashRange, HASH_SPACE, errorMessages, listWords } from './format.js';
import { t, plural } from './text.js';
import { readColours } from './palette.js';

const SVGNS = 'http://www.w3.org/2000/svg';
/** More lanes than this in the layout (the belt's rule) and the panel summarises … */
const MANY_LANES = 64;
/** … listing at most this many open shards per stream with their buttons (the rest by the list). */
const TABLE_ROWS_MAX = 10;
const MAX_HASH = HASH_SPACE - 1n;

function svg(tag, attrs = {}, children = []) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) if (c) e.append(c);
  return e;
}

/** "shardId-000000000003" → "3" */
export function shardNumber(id) {
  const m = /(\d+)$/.exec(String(id));
  return m ? String(Number(m[1])) : String(id);
}

/**
 * What the student typed as a place to split: a decimal hash key (0 … 2^128−1) or a percentage
 * of the hash space ("30%", "30 %", "12.5%"). Returns { key } (a decimal string) or { error }.
 */
export function parseSplitPoint(text) {
  const s = String(text).trim();
  if (s === '') return { key: null };
  const pct = /^(\d{1,3}(?:\.\d{1,6})?)\s*%$/.exec(s);
  if (pct) {
    const [whole, frac = ''] = pct[1].split('.');
    const micro = BigInt(whole) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
    if (micro > 100_000_000n) return { error: t('reshard.key.over100', { value: s }) };
    const key = (HASH_SPACE * micro) / 100_000_000n;
    return { key: (key > MAX_HASH ? MAX_HASH : key).toString() };
  }
  if (/^\d+$/.test(s)) {
    const v = BigInt(s);
    if (v > MAX_HASH) return { error: t('reshard.key.tooLarge', { value: s }) };
    return { key: v.toString() };
  }
  return {
    error: t('reshard.key.invalid', { value: s }),
  };
}

/** For each lane, how many generations of non-expired ancestors it has (0 = none). */
function depths(lanes) {
  const byLane = new Map(lanes.map((l) => [l.lane, l]));
  const memo = new Map();
  const depth = (l, guard = 0) => {
    if (memo.has(l.lane)) return memo.get(l.lane);
    let d = 0;
    for (const p of l.parent_lanes || []) {
      const pl = byLane.get(p);
      if (pl && pl.state !== 'EXPIRED' && guard < 64) d = Math.max(d, depth(pl, guard + 1) + 1);
    }
    memo.set(l.lane, d);
    return d;
  };
  for (const l of lanes) depth(l);
  return memo;
}

/**
 * The lineage of a stream's lanes in words, one sentence per resharding step: children that
 * share a parent belong to the same step (a split, a merge, or a new shard count).
 */
export function lineageSentences(lanes) {
  const byLane = new Map(lanes.map((l) => [l.lane, l]));
  const kids = lanes.filter((l) => (l.parent_lanes || []).some((p) => byLane.has(p)));
  // union children that share a parent
  const group = new Map(kids.map((k) => [k.lane, k.lane]));
  const find = (x) => (group.get(x) === x ? x : find(group.get(x)));
  const firstChildOf = new Map();
  for (const k of kids) {
    for (const p of k.parent_lanes) {
      if (!byLane.has(p)) continue;
      if (firstChildOf.has(p)) group.set(find(k.lane), find(firstChildOf.get(p)));
      else firstChildOf.set(p, k.lane);
    }
  }
  const steps = new Map();
  for (const k of kids) {
    const root = find(k.lane);
    if (!steps.has(root)) steps.set(root, { parents: new Set(), children: [] });
    const st = steps.get(root);
    st.children.push(k);
    for (const p of k.parent_lanes) if (byLane.has(p)) st.parents.add(p);
  }
  const out = [];
  for (const { parents, children } of steps.values()) {
    const ps = [...parents].sort((x, y) => x - y).map((p) => byLane.get(p));
    const pNames = ps.map((p) =>
      t('reshard.lineage.parent', { shard: p.shard_id, state: t(`shard.state.${p.state}`) }),
    );
    const cNames = children.map((c) => c.shard_id);
    if (ps.length === 1 && children.length === 2) {
      out.push(t('reshard.lineage.split', { parent: pNames[0], children: listWords(cNames) }));
    } else if (ps.length === 2 && children.length === 1) {
      out.push(t('reshard.lineage.merged', { parents: listWords(pNames), child: cNames[0] }));
    } else {
      out.push(
        t(ps.length === 1 ? 'reshard.lineage.redrawn.one' : 'reshard.lineage.redrawn.many', {
          parents: listWords(pNames),
          children: listWords(cNames),
        }),
      );
    }
  }
  return out;
}

export class ReshardPanel {
  /**
   * `send(cmd)` queues a command and returns its errors (empty when accepted); `shardCount` is
   * the core's range of shard counts (`limits()['stream.shard_count']`).
   */
  constructor(container, send, shardCount) {
    this.box = container;
    this.send = send;
    this.shardCount = shardCount;
    this.key = '';
    this.streams = [];
    this.colours = null;
  }

  /** Rebuild for a new layout (keeps the focused control's id, and any half-typed key). */
  setLayout(lay) {
    const focused = this.box.contains(document.activeElement) ? document.activeElement.id : '';
    const typed = new Map();
    for (const s of this.streams) typed.set(s.name, s.keyInput.value);
    const errors = new Map();
    for (const s of this.streams) errors.set(s.name, [s.err.textContent, s.ok.textContent]);
    this.many = lay.lanes.length > MANY_LANES;
    this.streams = lay.streams.map((st, si) => this.buildStream(lay, st, si));
    replaceChildren(
      this.box,
      this.streams.map((s) => s.node),
    );
    for (const s of this.streams) {
      if (typed.has(s.name)) s.keyInput.value = typed.get(s.name);
      const [e, ok] = errors.get(s.name) || ['', ''];
      s.err.textContent = e;
      s.ok.textContent = ok;
    }
    if (focused && document.getElementById(focused)) {
      document.getElementById(focused).focus();
    } else if (focused) {
      // the control went away with its shard (now CLOSED): the stream's status line, which says
      // what happened, takes the focus instead of the page body
      const owner = this.streams.find((st) => focused.startsWith(`${st.base}-`));
      owner?.status.focus();
    }
  }

  buildStream(lay, st, si) {
    const base = `rs${si}-${idPart(st.name)}`;
    const lanes = lay.lanes.filter((l) => l.stream === st.name);
    const open = lanes
      .filter((l) => l.state === 'OPEN')
      .sort((a, b) => a.start_fraction - b.start_fraction);
    const err = el('p', { class: 'control-error', role: 'alert', id: `${base}-err` });
    const ok = el('p', { class: 'hint', id: `${base}-ok` });
    const report = (errs, okText = '') => {
      err.textContent = errorMessages(errs).join(' ');
      ok.textContent = errs.length ? '' : okText;
    };
    const provisioned = st.mode === 'PROVISIONED';
    const updating = st.status === 'UPDATING';

    const status = el(
      'p',
      { class: `stream-status${updating ? ' updating' : ''}`, id: `${base}-line`, tabindex: '-1' },
      [
        el('strong', { text: t('reshard.stream.name', { stream: st.name }) }),
        el('span', {
          class: 'status-word',
          id: `${base}-status`,
          text: updating ? t('reshard.stream.updating') : t('reshard.stream.active'),
        }),
        // the facts of the line, each whole, separated by " · "
        ` · ${plural('count.openShards', st.open_shards)}`,
        updating ? ` · ${t('reshard.stream.underWay')}` : '',
        provisioned ? '' : ` · ${t('reshard.stream.onDemand')}`,
      ],
    );

    const bar = this.hashBar(lanes, `${base}-bar`, this.many);
    const lineage = lineageSentences(lanes);
    const lineageList = lineage.length
      ? el(
          'ul',
          { class: 'lineage', 'aria-label': t('reshard.lineage.label', { stream: st.name }) },
          lineage.map((line) => el('li', { text: line })),
        )
      : el('p', { class: 'hint lineage-none', text: t('reshard.lineage.none') });

    // per open shard: split in the middle, merge with the next one
    const listed = this.many ? open.slice(0, TABLE_ROWS_MAX) : open;
    const rows = listed.map((l, k) => {
      const next = open[k + 1];
      const adjacent =
        next && BigInt(next.starting_hash_key) === BigInt(l.ending_hash_key) + 1n ? next : null;
      const split = el('button', {
        type: 'button',
        class: 'small',
        id: `${base}-split-${l.lane}`,
        'aria-label': t('reshard.split.middle.label', { shard: l.shard_id }),
        text: t('reshard.split.middle'),
      });
      split.addEventListener('click', () =>
        report(
          this.send({ type: 'split_shard', stream_name: st.name, shard_to_split: l.shard_id }),
          t('reshard.asked.split', { shard: l.shard_id }),
        ),
      );
      const merge = adjacent
        ? el('button', {
            type: 'button',
            class: 'small',
            id: `${base}-merge-${l.lane}`,
            'aria-label': t('reshard.merge.label', {
              n: shardNumber(adjacent.shard_id),
              shard: l.shard_id,
              adjacent: adjacent.shard_id,
            }),
            text: t('reshard.merge', { n: shardNumber(adjacent.shard_id) }),
          })
        : null;
      merge?.addEventListener('click', () =>
        report(
          this.send({
            type: 'merge_shards',
            stream_name: st.name,
            shard_to_merge: l.shard_id,
            adjacent_shard_to_merge: adjacent.shard_id,
          }),
          t('reshard.asked.merge', { shard: l.shard_id, adjacent: adjacent.shard_id }),
        ),
      );
      return el('tr', {}, [
        el('th', { scope: 'row', text: l.shard_id }),
        el('td', { text: formatHashRange(l.starting_hash_key, l.ending_hash_key, 2) }),
        el('td', {}, [el('div', { class: 'actions' }, [split, merge])]),
      ]);
    });
    const table = el('div', { class: 'table-scroll', role: 'region', tabindex: '0' }, [
      el('table', { class: 'numbers reshard-table' }, [
        el('caption', {
          class: 'visually-hidden',
          text: t('reshard.table.caption', { stream: st.name }),
        }),
        el('thead', {}, [
          el('tr', {}, [
            el('th', { scope: 'col', text: t('reshard.table.col.shard') }),
            el('th', { scope: 'col', text: t('reshard.table.col.share') }),
            el('th', { scope: 'col', text: t('reshard.table.col.actions') }),
          ]),
        ]),
        el('tbody', {}, rows),
      ]),
    ]);
    table.setAttribute('aria-label', t('reshard.table.label', { stream: st.name }));
    const tableNote =
      listed.length < open.length
        ? el('p', {
            class: 'hint',
            text: t('reshard.table.first', {
              open: plural('count.openShards', open.length),
              n: listed.length,
              pick: t('reshard.pick.label'),
            }),
          })
        : null;

    // split at a typed hash key
    const pick = el(
      'select',
      { id: `${base}-split-pick` },
      open.map((l) =>
        el('option', {
          value: l.shard_id,
          text: t('reshard.pick.option', {
            shard: l.shard_id,
            range: formatHashRange(l.starting_hash_key, l.ending_hash_key, 2),
          }),
        }),
      ),
    );
    const keyInput = el('input', {
      type: 'text',
      id: `${base}-split-key`,
      autocomplete: 'off',
      spellcheck: 'false',
      inputmode: 'decimal',
      placeholder: t('reshard.key.placeholder'),
      'aria-describedby': `${base}-key-hint`,
    });
    const splitAt = el('button', {
      type: 'button',
      class: 'small',
      id: `${base}-split-at`,
      text: t('reshard.split.here'),
    });
    const doSplitAt = () => {
      const p = parseSplitPoint(keyInput.value);
      if (p.error) {
        report([p.error]);
        return;
      }
      const cmd = { type: 'split_shard', stream_name: st.name, shard_to_split: pick.value };
      if (p.key !== null) cmd.new_starting_hash_key = p.key;
      report(
        this.send(cmd),
        p.key !== null
          ? t('reshard.asked.splitAt', { shard: pick.value, key: keyInput.value.trim() })
          : t('reshard.asked.split', { shard: pick.value }),
      );
    };
    splitAt.addEventListener('click', doSplitAt);
    keyInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') doSplitAt();
    });

    // update shard count
    const count = el('input', {
      type: 'number',
      id: `${base}-count`,
      min: this.shardCount.min,
      max: this.shardCount.max,
      step: 1,
      value: st.open_shards,
      inputmode: 'numeric',
      class: 'rate-number',
    });
    const countBtn = el('button', {
      type: 'button',
      class: 'small',
      id: `${base}-count-apply`,
      text: t('reshard.count.apply'),
    });
    const doCount = () => {
      const n = Number(count.value);
      if (!Number.isInteger(n) || n < this.shardCount.min) {
        report([t('reshard.count.invalid', { min: this.shardCount.min })]);
        return;
      }
      report(
        this.send({ type: 'update_shard_count', stream_name: st.name, target_shard_count: n }),
        t('reshard.asked.count', { n }),
      );
    };
    countBtn.addEventListener('click', doCount);
    count.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') doCount();
    });

    const node = el(
      'div',
      {
        class: 'reshard-stream',
        role: 'group',
        'aria-label': t('reshard.group.label', { stream: st.name }),
      },
      [
        status,
        bar,
        lineageList,
        table,
        tableNote,
        el('div', { class: 'field' }, [
          el('label', { for: pick.id, text: t('reshard.pick.label') }),
          pick,
        ]),
        el('div', { class: 'field' }, [
          el('label', { for: keyInput.id, text: t('reshard.key.label') }),
          el('div', { class: 'inline' }, [keyInput, splitAt]),
          el('p', {
            class: 'hint',
            id: `${base}-key-hint`,
            text: t('reshard.key.hint'),
          }),
        ]),
        el('div', { class: 'field' }, [
          el('label', { for: count.id, text: t('reshard.count.label', { stream: st.name }) }),
          el('div', { class: 'inline' }, [count, countBtn]),
          el('p', {
            class: 'hint',
            text: t('reshard.count.hint'),
          }),
        ]),
        err,
        ok,
      ],
    );
    return { name: st.name, base, node, keyInput, err, ok, status };
  }

  /** The hash-key space as a bar: open shards below, closed ancestors above, linked. */
  hashBar(lanes, id, many = false) {
    this.colours ??= readColours();
    const ui = this.colours.ui;
    const live = lanes.filter((l) => l.state !== 'EXPIRED');
    const d = depths(live);
    const closed = live.filter((l) => l.state === 'CLOSED');
    // closed lanes: rows above, the oldest generation on top
    const maxD = closed.reduce((m, l) => Math.max(m, d.get(l.lane)), -1);
    const rowOf = (l) => (l.state === 'OPEN' ? maxD + 1 : d.get(l.lane));
    const rows = maxD + 2;
    const W = 1000;
    const H = 30;
    const GAP = 22;
    const top = 4;
    const height = top + rows * H + (rows - 1) * GAP + 4;
    const y = (r) => top + r * (H + GAP);
    const defs = svg('defs', {}, [
      svg(
        'pattern',
        {
          id: `${id}-hatch`,
          width: 8,
          height: 8,
          patternUnits: 'userSpaceOnUse',
          patternTransform: 'rotate(45)',
        },
        [
          svg('rect', { width: 8, height: 8, fill: ui.hashClosed }),
          svg('line', {
            x1: 0,
            y1: 0,
            x2: 0,
            y2: 8,
            stroke: ui.hashClosedStripe,
            'stroke-width': 3,
          }),
        ],
      ),
    ]);
    const parts = [defs];
    const byLane = new Map(live.map((l) => [l.lane, l]));
    // links first, under the boxes
    for (const l of live) {
      for (const p of l.parent_lanes || []) {
        const pl = byLane.get(p);
        if (!pl) continue;
        const cx = ((l.start_fraction + l.end_fraction) / 2) * W;
        const px =
          ((Math.max(l.start_fraction, pl.start_fraction) +
            Math.min(l.end_fraction, pl.end_fraction)) /
            2) *
          W;
        parts.push(
          svg('line', {
            x1: px,
            y1: y(rowOf(pl)) + H,
            x2: cx,
            y2: y(rowOf(l)),
            stroke: ui.link,
            'stroke-width': 2,
            'vector-effect': 'non-scaling-stroke',
          }),
        );
      }
    }
    const labels = [];
    const crowded = live.length > 8;
    for (const l of live) {
      const x = l.start_fraction * W;
      const w = Math.max(1, (l.end_fraction - l.start_fraction) * W);
      const isOpen = l.state === 'OPEN';
      const r = rowOf(l);
      parts.push(
        svg('rect', {
          x: x + 1,
          y: y(r),
          width: Math.max(1, w - 2),
          height: H,
          fill: isOpen ? ui.hashOpen : `url(#${id}-hatch)`,
          stroke: isOpen ? ui.hashOpenEdge : ui.link,
          'stroke-width': 1.5,
          'stroke-dasharray': isOpen ? 'none' : '5 3',
          'vector-effect': 'non-scaling-stroke',
        }),
      );
      // labels are HTML over the drawing, so they keep their shape at any width; with many
      // lanes there is no room for any (the list of shards names them)
      if (many) continue;
      const lab = el('span', {
        class: `bar-label${isOpen ? '' : ' closed'}`,
        // Many slices leave no room for words: the number alone (the title keeps the rest).
        text: crowded
          ? shardNumber(l.shard_id)
          : t(isOpen ? 'reshard.bar.open' : 'reshard.bar.closed', { n: shardNumber(l.shard_id) }),
        title: t('reshard.bar.title', {
          shard: l.shard_id,
          state: t(`shard.state.${l.state}`),
          range: formatHashRange(l.starting_hash_key, l.ending_hash_key, 2),
        }),
      });
      lab.style.left = `${((l.start_fraction + l.end_fraction) / 2) * 100}%`;
      lab.style.top = `${y(r) + H / 2}px`;
      lab.dataset.width = String(w);
      if (w < 30 || crowded) lab.classList.add('tiny');
      labels.push(lab);
    }
    const scale = el('div', { class: 'bar-scale', 'aria-hidden': 'true' }, [
      el('span', { text: '0' }),
      el('span', { text: '2^127' }),
      el('span', { text: '2^128−1' }),
    ]);
    const openCount = live.filter((l) => l.state === 'OPEN').length;
    const label = closed.length
      ? t('reshard.bar.label.closed', {
          open: plural('count.openShards', openCount),
          closed: plural('count.closedParents', closed.length),
        })
      : t('reshard.bar.label', { open: plural('count.openShards', openCount) });
    const drawing = svg(
      'svg',
      {
        viewBox: `0 0 ${W} ${height}`,
        preserveAspectRatio: 'none',
        class: 'hash-bar',
        'aria-hidden': 'true',
        focusable: 'false',
      },
      parts,
    );
    const wrap = el('div', { class: 'hash-bar-wrap', role: 'img', 'aria-label': label, id }, [
      drawing,
      el('div', { class: 'bar-labels', 'aria-hidden': 'true' }, labels),
    ]);
    wrap.style.height = `${height}px`;
    wrap.dataset.rows = String(rows);
    wrap.dataset.closed = String(closed.length);
    return el('div', { class: 'hash-bar-box' }, [wrap, scale]);
  }
}
