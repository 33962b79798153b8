// The consumers' side, as text: one box per consumer (kind, delay, duplicates, order, per-shard
// lag gauges, a KCL lease table, a Lambda trigger's invocations), the feed of plain-language
// notes from the simulation, and the feed of alerts a consumer application raised, each with its
// detection delay. Built once per set of consumers and shards, then updated by text only, so a
// screen reader is not handed a new tree every refresh.

import { el, replaceChildren, setText, idPart } from './controls.js';
import { formatCount, formatDuration, formatSimTime, cssPercent } from './format.js';
import { t, plural } from './text.js';

/** "polling" etc. → words for people; long and short forms. */
export function kindWords(c) {
  switch (c.type) {
    case 'enhanced_fan_out':
    case 'kcl':
    case 'polling':
      return { long: t(`consumer.kind.${c.type}.long`), short: t(`belt.kind.${c.type}`) };
    case 'lambda': {
      const fn = c.lambda ? c.lambda.function_name : '';
      return {
        long: t('consumer.kind.lambda.long', { fn }),
        short: t('belt.consumer.lambda', { fn }),
      };
    }
    default:
      return { long: String(c.type), short: String(c.type) };
  }
}

/** The consumer applications with words of their own (`consumer.app.<kind>`). */
const APP_WORDS = new Set(['fraud_detector', 'cheat_detector', 'dashboard']);

export function appWords(kind) {
  return APP_WORDS.has(kind) ? t(`consumer.app.${kind}`) : String(kind).replace(/_/g, ' ');
}

/** Lag gauge fill, 0 … 1, on a log scale: 100 ms is a sliver, 1 min fills it. */
export function lagFraction(ms) {
  const v = Number(ms) || 0;
  if (v <= 0) return 0;
  const f = Math.log10(v / 50) / Math.log10(60_000 / 50);
  return Math.max(0.03, Math.min(1, f));
}

function structureKey(list) {
  return list
    .map(
      (c) =>
        `${c.name}|${c.type}|${c.shards.map((s) => s.shard_id).join(',')}|${
          c.leases ? c.leases.map((l) => l.shard_id).join(',') : '-'
        }|${c.application ? c.application.kind : '-'}`,
    )
    .join(';');
}

/** A consumer card lists at most this many shards (and leases) when the page has many lanes. */
export const CARD_ROWS_MAX = 10;

/** Of `n` rows, the `max` to show: those `before(a, b)` puts first, then in their order. */
function pickRows(n, max, before) {
  const idx = Array.from({ length: n }, (_, k) => k);
  if (n <= max) return idx;
  return idx.sort((a, b) => before(a, b) || a - b).slice(0, max);
}

export class ConsumerPanel {
  constructor(container) {
    this.box = container;
    this.key = null;
    this.cards = [];
    this.many = false; // many lanes: per card only the CARD_ROWS_MAX shards furthest behind
  }

  /** Many lanes or not (the page's rule); the cards are rebuilt when it changes. */
  setMany(many) {
    if (many !== this.many) this.key = null;
    this.many = many;
  }

  reset() {
    this.key = null;
  }

  /** `list` = the consumers' report. */
  update(list) {
    const key = structureKey(list);
    if (key !== this.key) {
      this.key = key;
      this.build(list);
    }
    list.forEach((c, i) => this.fill(this.cards[i], c));
  }

  build(list) {
    if (!list.length) {
      this.cards = [];
      replaceChildren(this.box, [el('p', { class: 'hint', text: t('consumers.none') })]);
      return;
    }
    this.cards = list.map((c, i) => this.buildCard(c, i));
    replaceChildren(
      this.box,
      this.cards.map((k) => k.node),
    );
  }

  buildCard(c, i) {
    const base = `cons${i}-${idPart(c.name)}`;
    const words = kindWords(c);
    const cell = (cls) => el('dd', { class: cls });
    const stats = {
      read: cell(),
      delay: cell('delay'),
      dups: cell(),
      order: cell(),
      expired: cell(),
    };
    const dl = el('dl', { class: 'consumer-stats' }, [
      el('dt', { text: t('consumer.stat.read') }),
      stats.read,
      el('dt', { text: t('consumer.stat.delay') }),
      stats.delay,
      el('dt', { text: t('consumer.stat.duplicates') }),
      stats.dups,
      el('dt', { text: t('consumer.stat.order') }),
      stats.order,
      el('dt', { text: t('consumer.stat.expired') }),
      stats.expired,
    ]);
    // per shard: lag gauge (iterator age) and records behind
    const cap = this.many ? CARD_ROWS_MAX : Infinity;
    const shardRows = c.shards.slice(0, cap).map((s) => {
      const fill = el('span', { class: 'lag-fill' });
      const age = el('span', { class: 'lag-text' });
      const behind = el('td');
      const id = el('th', { scope: 'row', text: s.shard_id });
      const row = el('tr', {}, [
        id,
        el('td', { class: 'lag-cell' }, [
          el('span', { class: 'lag', 'aria-hidden': 'true' }, [fill]),
          age,
        ]),
        behind,
      ]);
      return { row, fill, age, behind, id };
    });
    const shardNote =
      c.shards.length > shardRows.length
        ? el('p', {
            class: 'hint',
            text: t('consumer.shards.furthest', {
              n: formatCount(c.shards.length),
              rows: shardRows.length,
            }),
          })
        : null;
    const shardTable = el(
      'div',
      {
        class: 'table-scroll',
        role: 'region',
        tabindex: '0',
        'aria-label': t('consumer.shards.label', { consumer: c.name }),
      },
      [
        el('table', { class: 'numbers lag-table' }, [
          el('thead', {}, [
            el('tr', {}, [
              el('th', { scope: 'col', text: t('consumer.shards.col.shard') }),
              el('th', { scope: 'col', text: t('consumer.shards.col.age') }),
              el('th', { scope: 'col', text: t('consumer.shards.col.behind') }),
            ]),
          ]),
          el(
            'tbody',
            {},
            shardRows.map((r) => r.row),
          ),
        ]),
      ],
    );

    let leases = null;
    if (c.leases) {
      const rows = c.leases.slice(0, cap).map((l) => {
        const owner = el('td', { class: 'owner' });
        const cp = el('td');
        const id = el('th', { scope: 'row', text: l.shard_id });
        return { row: el('tr', {}, [id, owner, cp]), owner, cp, id };
      });
      const note = c.leases.length > rows.length ? el('p', { class: 'hint lease-summary' }) : null;
      leases = {
        rows,
        note,
        node: el('div', { class: 'lease-box' }, [
          el('h4', { text: t('consumer.leases.heading') }),
          el(
            'div',
            {
              class: 'table-scroll',
              role: 'region',
              tabindex: '0',
              'aria-label': t('consumer.leases.label', { consumer: c.name }),
            },
            [
              el('table', { class: 'numbers lease-table', id: `${base}-leases` }, [
                el('thead', {}, [
                  el('tr', {}, [
                    el('th', { scope: 'col', text: t('consumer.leases.col.shard') }),
                    el('th', { scope: 'col', text: t('consumer.leases.col.owner') }),
                    el('th', { scope: 'col', text: t('consumer.leases.col.checkpoint') }),
                  ]),
                ]),
                el(
                  'tbody',
                  {},
                  rows.map((r) => r.row),
                ),
              ]),
            ],
          ),
          note,
        ]),
      };
    }

    let lambda = null;
    if (c.lambda) {
      const f = {};
      const items = [
        'invocations',
        'errors',
        'retries',
        'bisections',
        'processed',
        'discarded',
        'concurrent_executions_max',
      ];
      const kids = [];
      for (const k of items) {
        f[k] = el('dd');
        kids.push(el('dt', { text: t(`consumer.lambda.${k}`) }), f[k]);
      }
      lambda = {
        f,
        node: el('div', { class: 'lambda-box' }, [
          el('h4', { text: t('consumer.lambda.heading', { fn: c.lambda.function_name }) }),
          el('dl', { class: 'consumer-stats', id: `${base}-lambda` }, kids),
        ]),
      };
    }

    let app = null;
    if (c.application) {
      app = {
        text: el('p', { class: 'app-summary' }),
      };
    }

    const node = el('article', { class: `consumer-card kind-${c.type}`, id: base }, [
      el('h3', {}, [
        el('span', { class: `kind-badge kind-${c.type}`, text: words.short }),
        ` ${c.name}`,
      ]),
      el('p', {
        class: 'hint',
        text: t('consumer.reads', { kind: words.long, stream: c.stream_name }),
      }),
      dl,
      app ? app.text : null,
      lambda ? lambda.node : null,
      shardTable,
      shardNote,
      leases ? leases.node : null,
    ]);
    return { node, stats, shardRows, leases, lambda, app, name: c.name };
  }

  fill(card, c) {
    if (!card) return;
    setText(card.stats.read, formatCount(c.records_read));
    setText(
      card.stats.delay,
      c.records_read > 0 ? formatDuration(c.mean_delay_ms) : t('consumer.delay.none'),
    );
    setText(card.stats.dups, formatCount(c.duplicates));
    card.stats.dups.classList.toggle('warn', c.duplicates > 0);
    const order = !c.order_checked
      ? t('consumer.order.notChecked')
      : c.order_unchecked > 0
        ? t('consumer.order.partly', {
            n: formatCount(c.order_violations),
            unchecked: formatCount(c.order_unchecked),
          })
        : formatCount(c.order_violations);
    setText(card.stats.order, order);
    card.stats.order.classList.toggle('warn', c.order_violations > 0);
    setText(card.stats.expired, formatCount(c.expired_unread));
    card.stats.expired.classList.toggle('warn', c.expired_unread > 0);
    const shown = pickRows(
      c.shards.length,
      card.shardRows.length,
      (a, b) => c.shards[b].iterator_age_ms - c.shards[a].iterator_age_ms,
    );
    shown.forEach((at, k) => {
      const s = c.shards[at];
      const r = card.shardRows[k];
      if (!r || !s) return;
      setText(r.id, s.shard_id);
      const f = lagFraction(s.iterator_age_ms);
      r.fill.style.width = cssPercent(f);
      r.fill.classList.toggle('far', s.iterator_age_ms >= 10_000);
      setText(r.age, formatDuration(s.iterator_age_ms));
      setText(r.behind, formatCount(s.behind_records));
    });
    if (card.leases && c.leases) {
      // many: the leases nobody holds first
      const free = (l) => (l.owner === null || l.owner === undefined ? 1 : 0);
      const leased = pickRows(
        c.leases.length,
        card.leases.rows.length,
        (a, b) => free(c.leases[b]) - free(c.leases[a]),
      );
      if (card.leases.note) {
        const owners = new Map();
        for (const l of c.leases) {
          const o = free(l) ? t('consumer.leases.nobody') : l.owner;
          owners.set(o, (owners.get(o) || 0) + 1);
        }
        const held = [...owners]
          .map(([o, n]) => t('consumer.leases.held', { owner: o, n: formatCount(n) }))
          .join(t('list.comma'));
        setText(
          card.leases.note,
          t('consumer.leases.summary', {
            n: formatCount(c.leases.length),
            held,
            rows: card.leases.rows.length,
          }),
        );
      }
      leased.forEach((at, k) => {
        const l = c.leases[at];
        const r = card.leases.rows[k];
        if (!r || !l) return;
        setText(r.id, l.shard_id);
        setText(
          r.owner,
          l.owner === null || l.owner === undefined ? t('consumer.leases.free') : l.owner,
        );
        r.owner.classList.toggle('warn', l.owner === null || l.owner === undefined);
        setText(r.cp, formatCount(l.checkpoint));
      });
    }
    if (card.lambda && c.lambda) {
      for (const [k, node] of Object.entries(card.lambda.f)) {
        setText(node, formatCount(c.lambda[k]));
        if (k === 'errors' || k === 'retries' || k === 'discarded')
          node.classList.toggle('warn', c.lambda[k] > 0);
      }
    }
    if (card.app && c.application) {
      const a = c.application;
      const what = appWords(a.kind);
      let summary;
      if (a.kind === 'dashboard') {
        summary = t('consumer.app.dashboardSummary', {
          what,
          last: formatCount(a.records_last_second),
          all: formatCount(a.records_seen),
        });
      } else if (a.alerts > 0) {
        summary = t('consumer.app.alertsCaught', {
          what,
          alerts: plural('count.alerts', a.alerts),
          mean: formatDuration(a.detection_delay_ms_mean),
          max: formatDuration(a.detection_delay_ms_max),
        });
      } else {
        summary = t('consumer.app.alerts', { what, alerts: plural('count.alerts', a.alerts) });
      }
      setText(card.app.text, summary);
    }
  }
}

/**
 * The simulation's notes, newest first, capped; `add` returns the new ones for the narration.
 * Each item carries its note's kind (`data-kind`), for the styles.
 */
export class NotesFeed {
  constructor(list, cap = 40) {
    this.list = list;
    this.cap = cap;
  }

  reset() {
    replaceChildren(this.list, []);
  }

  /**
   * `notes` = the run's new notes (`{ seq, t_ms, kind, text }`); `shardIds` = the layout's. A
   * shard near its limit starts and stops throttling every few seconds: of the throttle notes,
   * only the newest about each shard is kept, so they do not push everything else out.
   */
  add(notes, shardIds = []) {
    for (const n of notes) {
      const shard =
        n.kind === 'throttle' ? shardIds.find((id) => n.text.startsWith(`${id} `)) : undefined;
      if (shard) {
        for (const li of this.list.querySelectorAll('li[data-shard]')) {
          if (li.dataset.shard === shard) li.remove();
        }
      }
      this.list.prepend(
        el('li', { dataset: shard ? { kind: n.kind, shard } : { kind: n.kind } }, [
          el('span', { class: 'mono when', text: formatSimTime(n.t_ms) }),
          ` ${n.text}`,
        ]),
      );
    }
    while (this.list.children.length > this.cap) this.list.lastElementChild.remove();
    return notes;
  }
}

/** "card-7: 6 transactions within 10 s (more than 5) — caught 412 ms after it happened". */
export function alertText(a) {
  return t('alert.text', {
    key: a.partition_key,
    reason: a.reason,
    delay: formatDuration(a.delay_ms),
  });
}

/** Alerts of every consumer application, newest first, capped. */
export class AlertsFeed {
  constructor(list, summary, cap = 30) {
    this.list = list;
    this.summary = summary;
    this.cap = cap;
    this.seen = new Map(); // consumer name → last alert seq shown
  }

  reset() {
    this.seen.clear();
    replaceChildren(this.list, []);
    setText(this.summary, '');
  }

  /** `consumers` = the consumers' report; returns how many alerts were new. */
  update(consumers) {
    const apps = consumers.filter((c) => c.application && c.application.kind !== 'dashboard');
    const fresh = [];
    for (const c of apps) {
      const last = this.seen.get(c.name) ?? -1;
      let max = last;
      for (const a of c.application.recent_alerts || []) {
        if (a.seq <= last) continue;
        max = Math.max(max, a.seq);
        fresh.push({
          ...a,
          who: c.lambda ? c.lambda.function_name : c.name,
          kind: c.application.kind,
        });
      }
      this.seen.set(c.name, max);
    }
    fresh.sort((a, b) => a.t_ms - b.t_ms || a.seq - b.seq);
    for (const a of fresh) {
      this.list.prepend(
        el('li', { class: 'alert-item' }, [
          el('span', { class: 'mono when', text: formatSimTime(a.t_ms) }),
          ' ',
          el('span', { class: 'alert-mark', 'aria-hidden': 'true', text: '⚑' }),
          ` ${alertText(a)} `,
          el('span', { class: 'hint-inline', text: t('alert.who', { who: a.who }) }),
        ]),
      );
    }
    while (this.list.children.length > this.cap) this.list.lastElementChild.remove();
    if (!apps.length) {
      setText(this.summary, t('alerts.none'));
    } else {
      setText(
        this.summary,
        apps
          .map((c) => {
            const a = c.application;
            const params = {
              who: c.lambda ? c.lambda.function_name : c.name,
              what: appWords(a.kind),
              alerts: plural('count.alerts', a.alerts),
              mean: formatDuration(a.detection_delay_ms_mean),
              max: formatDuration(a.detection_delay_ms_max),
            };
            return t(a.alerts > 0 ? 'alerts.summary.caught' : 'alerts.summary', params);
          })
          .join(' '),
      );
    }
    return fresh.length;
  }
}
