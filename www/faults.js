// Faults a student can inject and take back, each one a facade command (so a shared link or a
// downloaded run replays it): crash or restart a KCL worker, make a Lambda function fail and
// recover, put a poison record, slow a consumer down and restore it. What each fault is now comes
// from the run (the layout, the consumers' report, the commands applied), so the way back is
// offered whoever made the change: this panel, a link or the scenario's own schedule.

import { el, replaceChildren, setText, idPart } from './controls.js';
import { formatCount, formatPercent, errorMessages } from './format.js';
import { t, plural } from './text.js';

const ERROR_RATES = [0, 0.1, 0.5, 1];
const SLOW_RATES = [10, 50, 200, 1000];

/** What the faults panel offers, from the run's layout (read once per installed run). */
export function faultTargets(layout) {
  const kcl = layout.consumers
    .filter((c) => c.type === 'kcl')
    .map((c) => ({ name: c.name, workers: c.workers ?? 0 }));
  const functions = layout.functions.map((f) => ({ name: f.name }));
  const lambdaStreams = new Set(
    layout.consumers.filter((c) => c.type === 'lambda').map((c) => c.stream_name),
  );
  const producers = layout.producers
    .filter((p) => p.target_kind === 'stream' && lambdaStreams.has(p.target_name))
    .map((p) => p.name);
  const slowable = layout.consumers
    .filter((c) => c.type !== 'lambda')
    .map((c) => ({ name: c.name }));
  return { kcl, functions, producers, slowable };
}

/**
 * The faults as the run has them now: crashed workers (from the consumers' report), error rates
 * and processing rates (from the layout), poison records put (from the commands applied).
 */
export function faultState(layout, consumers, appliedCommands) {
  const crashed = new Set();
  for (const c of consumers) {
    for (const w of c.workers || []) {
      const n = /(\d+)$/.exec(w.worker);
      if (!w.alive && n) crashed.add(`${c.name}:${Number(n[1])}`);
    }
  }
  return {
    crashed,
    errorRate: new Map(layout.functions.map((f) => [f.name, f.error_rate])),
    slow: new Map(layout.consumers.map((c) => [c.name, c.processing_records_per_second ?? null])),
    poisons: appliedCommands.filter((c) => c && c.type === 'put_poison_record').length,
  };
}

export class FaultsPanel {
  /** `send(cmd)` queues a command and returns an error list (empty when accepted). */
  constructor(container, send) {
    this.box = container;
    this.send = send;
    this.state = null;
    this.ui = null;
  }

  /** Build for a freshly installed run: `targets` from faultTargets, `state` from faultState. */
  setup(targets, state) {
    this.state = state;
    this.targets = targets;
    this.build();
  }

  /** The run's faults as they are now (after the commands sent from here were applied). */
  update(state) {
    this.state = state;
    this.sync();
  }

  /** A command this panel sent was accepted: shown at once, until the run applies it. */
  sent(cmd) {
    if (!this.state || !cmd) return;
    switch (cmd.type) {
      case 'crash_worker':
        this.state.crashed.add(`${cmd.consumer}:${cmd.worker}`);
        break;
      case 'restart_worker':
        this.state.crashed.delete(`${cmd.consumer}:${cmd.worker}`);
        break;
      case 'set_function_error_rate':
        this.state.errorRate.set(cmd.function_name, Number(cmd.error_rate));
        break;
      case 'set_processing_rate':
        this.state.slow.set(
          cmd.consumer,
          cmd.records_per_second === undefined || cmd.records_per_second === null
            ? null
            : Number(cmd.records_per_second),
        );
        break;
      case 'put_poison_record':
        this.state.poisons += 1;
        break;
      default:
        return;
    }
    this.sync();
  }

  build() {
    const targets = this.targets;
    const err = el('p', { class: 'control-error', role: 'alert', id: 'faults-err' });
    const report = (errors) => {
      err.textContent = errorMessages(errors).join(' ');
    };
    const sendAndNote = (cmd) => {
      const errors = this.send(cmd);
      report(errors);
      if (!errors.length) this.sent(cmd);
    };
    const groups = [];
    this.ui = { workers: [], fns: [], slow: [], poison: null };

    if (targets.kcl.length) {
      const kids = [];
      for (const c of targets.kcl) {
        const btns = [];
        for (let w = 1; w <= Math.min(c.workers, 12); w++) {
          const b = el('button', {
            type: 'button',
            class: 'small',
            id: `f-${idPart(c.name)}-w${w}`,
          });
          b.addEventListener('click', () => {
            const down = this.state.crashed.has(`${c.name}:${w}`);
            sendAndNote({
              type: down ? 'restart_worker' : 'crash_worker',
              consumer: c.name,
              worker: w,
            });
          });
          this.ui.workers.push({ b, consumer: c.name, w });
          btns.push(b);
        }
        kids.push(
          el('div', { class: 'field' }, [
            el('p', {
              class: 'fault-target',
              text: t('faults.kcl.target', { consumer: c.name, workers: c.workers }),
            }),
            el('div', { class: 'inline wrap' }, btns),
          ]),
        );
      }
      groups.push(
        el('fieldset', { class: 'fault' }, [
          el('legend', { text: t('faults.kcl.legend') }),
          el('p', {
            class: 'hint',
            text: t('faults.kcl.hint'),
          }),
          ...kids,
        ]),
      );
    }

    if (targets.functions.length) {
      const kids = targets.functions.map((f) => {
        const id = `f-fn-${idPart(f.name)}`;
        const sel = el(
          'select',
          { id },
          ERROR_RATES.map((r) =>
            el('option', {
              value: String(r),
              text: t('faults.lambda.option', { share: formatPercent(r) }),
            }),
          ),
        );
        const apply = el('button', {
          type: 'button',
          class: 'small',
          id: `${id}-apply`,
          text: t('faults.lambda.apply', { fn: f.name }),
        });
        const recover = el('button', {
          type: 'button',
          class: 'small',
          id: `${id}-recover`,
          text: t('faults.lambda.recover', { fn: f.name }),
        });
        const now = el('span', { class: 'hint-inline', id: `${id}-now` });
        apply.addEventListener('click', () =>
          sendAndNote({
            type: 'set_function_error_rate',
            function_name: f.name,
            error_rate: Number(sel.value),
          }),
        );
        recover.addEventListener('click', () => {
          if (!this.state.errorRate.get(f.name)) {
            report([t('faults.lambda.alreadyWorks', { fn: f.name })]);
          } else
            sendAndNote({ type: 'set_function_error_rate', function_name: f.name, error_rate: 0 });
        });
        this.ui.fns.push({ name: f.name, sel, now, recover });
        return el('div', { class: 'field' }, [
          el('label', { for: id, text: t('consumer.lambda.heading', { fn: f.name }) }),
          el('div', { class: 'inline wrap' }, [sel, apply, recover]),
          now,
        ]);
      });
      groups.push(
        el('fieldset', { class: 'fault' }, [
          el('legend', { text: t('faults.lambda.legend') }),
          el('p', {
            class: 'hint',
            text: t('faults.lambda.hint'),
          }),
          ...kids,
        ]),
      );
    }

    if (targets.producers.length) {
      const btns = targets.producers.map((p) => {
        const b = el('button', {
          type: 'button',
          class: 'small',
          id: `f-poison-${idPart(p)}`,
          text: t('faults.poison.button', { producer: p }),
        });
        b.addEventListener('click', () => sendAndNote({ type: 'put_poison_record', producer: p }));
        return b;
      });
      const count = el('span', { class: 'hint-inline', id: 'f-poison-count' });
      this.ui.poison = count;
      groups.push(
        el('fieldset', { class: 'fault' }, [
          el('legend', { text: t('faults.poison.legend') }),
          el('p', {
            class: 'hint',
            text: t('faults.poison.hint'),
          }),
          el('div', { class: 'inline wrap' }, btns),
          count,
        ]),
      );
    }

    if (targets.slowable.length) {
      const kids = targets.slowable.map((c) => {
        const id = `f-slow-${idPart(c.name)}`;
        const sel = el(
          'select',
          { id },
          SLOW_RATES.map((r) =>
            el('option', {
              value: String(r),
              text: t('faults.slow.option', { n: formatCount(r) }),
            }),
          ),
        );
        sel.value = '50';
        const apply = el('button', {
          type: 'button',
          class: 'small',
          id: `${id}-apply`,
          text: t('faults.slow.apply', { consumer: c.name }),
        });
        const restore = el('button', {
          type: 'button',
          class: 'small',
          id: `${id}-restore`,
          text: t('faults.slow.restore', { consumer: c.name }),
        });
        const now = el('span', { class: 'hint-inline', id: `${id}-now` });
        apply.addEventListener('click', () =>
          sendAndNote({
            type: 'set_processing_rate',
            consumer: c.name,
            records_per_second: Number(sel.value),
          }),
        );
        restore.addEventListener('click', () => {
          const r = this.state.slow.get(c.name);
          if (r === null || r === undefined) {
            report([t('faults.slow.alreadyFull', { consumer: c.name })]);
          } else sendAndNote({ type: 'set_processing_rate', consumer: c.name });
        });
        this.ui.slow.push({ name: c.name, now, restore });
        return el('div', { class: 'field' }, [
          el('label', { for: id, text: t('faults.slow.label', { consumer: c.name }) }),
          el('div', { class: 'inline wrap' }, [sel, apply, restore]),
          now,
        ]);
      });
      groups.push(
        el('fieldset', { class: 'fault' }, [
          el('legend', { text: t('faults.slow.legend') }),
          el('p', {
            class: 'hint',
            text: t('faults.slow.hint'),
          }),
          ...kids,
        ]),
      );
    }

    if (!groups.length) {
      groups.push(
        el('p', {
          class: 'hint',
          text: t('faults.none'),
        }),
      );
    }
    replaceChildren(this.box, [...groups, err]);
    this.sync();
  }

  /** Labels follow the state: each fault offers its own undo. */
  sync() {
    if (!this.ui) return;
    const st = this.state;
    for (const { b, consumer, w } of this.ui.workers) {
      const down = st.crashed.has(`${consumer}:${w}`);
      const text = t(down ? 'faults.kcl.restart' : 'faults.kcl.crash', { worker: w });
      setText(b, text);
      b.setAttribute(
        'aria-label',
        t(down ? 'faults.kcl.restart.label' : 'faults.kcl.crash.label', { worker: w, consumer }),
      );
      b.classList.toggle('danger', !down);
      b.dataset.crashed = down ? '1' : '0';
    }
    for (const f of this.ui.fns) {
      const r = st.errorRate.get(f.name) || 0;
      setText(
        f.now,
        r > 0
          ? t('faults.lambda.now', { share: formatPercent(r), fn: f.name })
          : t('faults.lambda.nowWorks', { fn: f.name }),
      );
    }
    for (const s of this.ui.slow) {
      const r = st.slow.get(s.name);
      setText(
        s.now,
        r === null || r === undefined
          ? t('faults.slow.nowFull', { consumer: s.name })
          : t('faults.slow.now', { consumer: s.name, n: formatCount(r) }),
      );
    }
    if (this.ui.poison) {
      setText(
        this.ui.poison,
        st.poisons
          ? t('faults.poison.count', { n: plural('count.poisonRecords', st.poisons) })
          : '',
      );
    }
  }
}
