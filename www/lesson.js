// The lesson views: the menu, a step's text and navigation, a prediction, a quiz and a task.
// They draw what main.js hands them (the core's lesson data, a grade, a task's status) and call
// back; they never touch the simulation. Every text from data goes in as textContent.

import { el, replaceChildren, setText } from './controls.js';
import { t } from './text.js';

const PROGRESS_KEY = 'streamsim.progress.v1';

/** The progress kept in this browser: `{ [lessonId]: { done: { [stepId]: true }, step } }`. */
export function loadProgress() {
  try {
    const v = JSON.parse(localStorage.getItem(PROGRESS_KEY) || '{}');
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function saveProgress(p) {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // storage full or refused (a private window): progress is not kept, the lesson works
  }
}

export function forgetProgress() {
  try {
    localStorage.removeItem(PROGRESS_KEY);
  } catch {
    // nothing kept anyway
  }
}

/** Mark step `stepId` of `lessonId` done; returns the progress. */
export function markDone(lessonId, stepId) {
  const p = loadProgress();
  const l = (p[lessonId] ??= { done: {}, step: 1 });
  l.done ??= {};
  l.done[stepId] = true;
  saveProgress(p);
  return p;
}

/** Remember that `lessonId` was left at step `n` (1-based). */
export function rememberStep(lessonId, n) {
  const p = loadProgress();
  const l = (p[lessonId] ??= { done: {}, step: 1 });
  l.step = n;
  saveProgress(p);
}

/** The address of a lesson step (`?lesson=ID&step=N`, keeping `locale`). */
export function lessonHref(id, step, locale) {
  const q = new URLSearchParams();
  q.set('lesson', id);
  if (step) q.set('step', String(step));
  if (locale && locale !== 'en') q.set('locale', locale);
  return `?${q.toString()}`;
}

/**
 * The menu: one entry per lesson (title as a link, summary, concept, steps done), the
 * playground last unless the core lists it.
 */
export function renderMenu(list, lessons, progress, locale) {
  const entries = lessons.map((l) => ({ ...l }));
  if (!entries.some((l) => l.id === 'playground')) {
    entries.push({
      id: 'playground',
      concept: 'playground',
      title: t('menu.playground'),
      summary: t('menu.playground.summary'),
      steps: 0,
    });
  }
  replaceChildren(
    list,
    entries.map((l) => {
      const done = Object.keys(progress[l.id]?.done ?? {}).length;
      const total = Number(l.steps) || 0;
      const finished = total > 0 && done >= total;
      const headingId = `menu-${l.id}`;
      const meta = [
        el('span', {
          class: 'concept',
          text: t('menu.concept', { concept: t(`concept.${l.concept}`) }),
        }),
      ];
      if (l.id !== 'playground' && total > 0) {
        meta.push(
          el('span', {
            class: 'steps',
            text: total === 1 ? t('menu.step') : t('menu.steps', { n: total }),
          }),
        );
        meta.push(
          el('span', { class: `progress${finished ? ' finished' : ''}` }, [
            el('span', { class: 'ticks', 'aria-hidden': 'true', text: ticks(done, total) }),
            ` ${finished ? t('menu.done') : t('menu.progress', { done: Math.min(done, total), total })}`,
          ]),
        );
      }
      const resume = progress[l.id]?.step;
      return el('li', { class: `lesson-entry${l.id === 'playground' ? ' playground' : ''}` }, [
        el('h3', { id: headingId }, [
          el('a', {
            href: lessonHref(l.id, resume && !finished ? resume : null, locale),
            text: l.title,
          }),
        ]),
        el('p', { class: 'summary', text: l.summary ?? '' }),
        el('p', { class: 'meta' }, meta),
      ]);
    }),
  );
}

function ticks(done, total) {
  const n = Math.min(total, 12);
  const k = Math.min(n, Math.round((Math.min(done, total) / total) * n));
  return '✓'.repeat(k) + '·'.repeat(n - k);
}

/** The step list (jump to any step), with the current one marked and done ones ticked. */
export function renderStepList(list, lesson, index, done, onGo) {
  replaceChildren(
    list,
    lesson.steps.map((s, i) => {
      const b = el(
        'button',
        { type: 'button', class: 'step-jump', 'data-step': String(i + 1), title: s.title },
        [
          el('span', { class: 'step-num', text: `${i + 1}` }),
          el('span', { class: 'step-title', text: ` ${s.title}` }),
          done[s.id] ? el('span', { class: 'step-done', text: ` ✓ ${t('lesson.stepDone')}` }) : '',
        ],
      );
      if (i === index) b.setAttribute('aria-current', 'step');
      b.addEventListener('click', () => onGo(i));
      return el('li', {}, [b]);
    }),
  );
}

export function renderParagraphs(box, paragraphs) {
  replaceChildren(
    box,
    (paragraphs ?? []).map((p) => el('p', { text: p })),
  );
}

/**
 * A prediction: the question, its fields (radio buttons for a choice, a number with its unit),
 * and "Run it and see". `onSubmit(answers)` returns nothing; `showGrade` fills the answer in.
 */
export class PredictView {
  constructor(box, { onSubmit, onDownload }) {
    this.box = box;
    this.onSubmit = onSubmit;
    this.onDownload = onDownload;
  }

  show(ex, asked) {
    this.ex = ex;
    this.asked = asked;
    const base = `pred-${ex.id}`;
    const fields = (asked.fields ?? []).map((f) => {
      if (f.kind === 'choice') {
        const choices = asked.all_choices?.[f.name] ?? [];
        return el('fieldset', { class: 'predict-choices' }, [
          el('legend', { text: f.name === 'trigger' ? t('predict.trigger') : t('predict.answer') }),
          ...choices.map((c, k) =>
            el('div', { class: 'choice' }, [
              el('input', {
                type: 'radio',
                name: `${base}-${f.name}`,
                id: `${base}-${f.name}-${k}`,
                value: c,
              }),
              el('label', { for: `${base}-${f.name}-${k}`, text: c }),
            ]),
          ),
        ]);
      }
      const id = `${base}-${f.name}`;
      return el('div', { class: 'field predict-number' }, [
        el('label', {
          for: id,
          text: `${fields0Label(asked, f)} ${f.unit ? t('predict.unit', { unit: f.unit }) : ''}`.trim(),
        }),
        el('input', { type: 'number', id, name: f.name, step: 'any', inputmode: 'decimal' }),
      ]);
    });
    this.error = el('p', { class: 'control-error', role: 'alert' });
    this.result = el('div', { class: 'predict-result', role: 'status', 'aria-live': 'polite' });
    this.submit = el('button', { type: 'submit', class: 'primary', text: t('predict.submit') });
    const form = el('form', { class: 'predict-form', novalidate: '' }, [
      el('p', { class: 'question', text: asked.question ?? '' }),
      ...fields,
      this.error,
      el('div', { class: 'field inline' }, [this.submit]),
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const answers = this.read();
      if (answers) this.onSubmit(answers);
    });
    this.form = form;
    replaceChildren(this.box, [
      el('h3', { text: `${t('predict.heading')}: ${ex.title ?? ''}` }),
      el('p', { class: 'hint', text: t('predict.intro') }),
      form,
      this.result,
    ]);
    this.box.hidden = false;
  }

  /** The answers, or null after saying what is missing. */
  read() {
    const out = {};
    for (const f of this.asked.fields ?? []) {
      if (f.kind === 'choice') {
        const c = this.form.querySelector(`input[name="pred-${this.ex.id}-${f.name}"]:checked`);
        if (!c) {
          setText(this.error, t('predict.choose'));
          return null;
        }
        out[f.name] = c.value;
      } else {
        const v = this.form.querySelector(`#pred-${this.ex.id}-${f.name}`).value.trim();
        if (v === '' || !Number.isFinite(Number(v))) {
          setText(this.error, t('predict.number'));
          return null;
        }
        out[f.name] = Number(v);
      }
    }
    setText(this.error, '');
    return out;
  }

  showGrade(graded, answers) {
    const right = graded.passed;
    for (const input of this.form.querySelectorAll('input[type="radio"]')) {
      const field = input.name.slice(`pred-${this.ex.id}-`.length);
      const correct = String(graded.correct?.[field] ?? '');
      const label = this.form.querySelector(`label[for="${input.id}"]`);
      label.classList.toggle('choice-right', input.value === correct);
      label.classList.toggle('choice-wrong', input.checked && input.value !== correct);
      if (input.checked && input.value !== correct) label.dataset.mark = '✕';
      else if (input.value === correct) label.dataset.mark = '✓';
      else delete label.dataset.mark;
    }
    const parts = [
      el('p', {
        class: right ? 'verdict right' : 'verdict wrong',
        text: right ? t('predict.right') : t('predict.wrong'),
      }),
      el('p', { text: t('predict.yours', { answer: Object.values(answers).join(', ') }) }),
      el('p', { class: 'grade-message', text: graded.message }),
    ];
    if (graded.explanation) parts.push(el('p', { class: 'explanation', text: graded.explanation }));
    for (const text of Object.values(graded.explanations ?? {})) {
      if (text) parts.push(el('p', { class: 'misconception', text }));
    }
    parts.push(...downloadParts(this, answers));
    replaceChildren(this.result, parts);
  }
}

/** "Download this attempt" (the answers, for `streamsim check`) and where it says it saved. */
function downloadParts(view, answers) {
  const saved = el('p', { class: 'hint answer-saved', id: 'answer-saved', role: 'status' });
  const button = el('button', {
    type: 'button',
    id: 'answer-download',
    'data-download': '1',
    text: t('task.download'),
  });
  button.addEventListener('click', () => {
    const file = view.onDownload?.(view.ex, answers);
    if (file) setText(saved, t('task.saved', { file }));
  });
  return [el('div', { class: 'field inline' }, [button]), saved];
}

function fields0Label(asked, f) {
  return (asked.fields ?? []).length === 1 ? t('predict.answer') : t(`predict.field.${f.name}`);
}

/** A quiz: every item with its choices (radio buttons), graded at once, each answer explained. */
export class QuizView {
  constructor(box, { onSubmit, onDownload }) {
    this.box = box;
    this.onSubmit = onSubmit;
    this.onDownload = onDownload;
  }

  show(ex) {
    this.ex = ex;
    this.result = el('div', { class: 'predict-result', role: 'status', 'aria-live': 'polite' });
    this.itemNotes = new Map();
    const items = (ex.items ?? []).map((item) => {
      const note = el('p', { class: 'item-note' });
      this.itemNotes.set(item.id, note);
      return el('fieldset', { class: 'predict-choices quiz-item' }, [
        el('legend', { text: item.text ?? item.id }),
        ...(item.choices ?? []).map((c) => {
          const id = `quiz-${ex.id}-${item.id}-${c.id}`;
          return el('div', { class: 'choice' }, [
            el('input', { type: 'radio', name: `quiz-${ex.id}-${item.id}`, id, value: c.id }),
            el('label', { for: id, text: c.text ?? c.id }),
          ]);
        }),
        note,
      ]);
    });
    const form = el('form', { class: 'predict-form', novalidate: '' }, [
      ...items,
      el('div', { class: 'field inline' }, [
        el('button', { type: 'submit', class: 'primary', text: t('quiz.submit') }),
      ]),
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const answers = {};
      for (const item of ex.items ?? []) {
        const c = form.querySelector(`input[name="quiz-${ex.id}-${item.id}"]:checked`);
        if (c) answers[item.id] = c.value;
      }
      this.onSubmit(answers);
    });
    this.form = form;
    replaceChildren(this.box, [
      el('h3', { text: `${t('quiz.heading')}: ${ex.title ?? ''}` }),
      form,
      this.result,
    ]);
    this.box.hidden = false;
  }

  showGrade(graded, answers) {
    const choiceText = (item, id) => item.choices.find((c) => c.id === id)?.text ?? id;
    for (const item of this.ex.items ?? []) {
      const right = graded.correct?.[item.id];
      const chosen = answers[item.id];
      const note = this.itemNotes.get(item.id);
      const verdict =
        chosen === undefined
          ? t('quiz.item.unanswered')
          : chosen === right
            ? t('quiz.item.right', { choice: choiceText(item, right) })
            : t('quiz.item.wrong', {
                chosen: choiceText(item, chosen),
                choice: choiceText(item, right),
              });
      note.className = `item-note ${chosen === right ? 'right' : 'wrong'}`;
      replaceChildren(note, [
        el('strong', { text: verdict }),
        ` ${graded.explanations?.[item.id] ?? ''}`,
      ]);
    }
    replaceChildren(this.result, [
      el('p', {
        class: graded.passed ? 'verdict right' : 'verdict wrong',
        text: t('quiz.score', graded),
      }),
      ...downloadParts(this, answers),
    ]);
  }
}

/**
 * A task: its text, the conditions (met or not, from the core), what is still wrong, hints one
 * more per click, "Check my attempt", "Download this attempt", and the done message in a live
 * region.
 */
export class TaskView {
  constructor(box, { onCheck, onDownload }) {
    this.box = box;
    this.onCheck = onCheck;
    this.onDownload = onDownload;
  }

  show(ex) {
    this.ex = ex;
    this.hintsShown = 0;
    this.conds = new Map();
    const condList = el(
      'ul',
      { class: 'conditions', 'aria-label': t('task.status') },
      (ex.conditions ?? []).map((c) => {
        const mark = el('span', { class: 'cond-mark', text: t('task.unmet') });
        const li = el('li', { class: 'cond unmet' }, [mark, ' ', el('span', { text: c.text })]);
        this.conds.set(c.id, { li, mark });
        return li;
      }),
    );
    this.summary = el('p', { class: 'task-summary', text: t('task.notStarted') });
    this.message = el('p', { class: 'task-message hint' });
    this.live = el('p', {
      class: 'task-live',
      id: 'task-live',
      role: 'status',
      'aria-live': 'polite',
    });
    this.hints = el('ol', { class: 'hints' });
    this.hintButton = el('button', { type: 'button', id: 'task-hint', text: t('task.hint') });
    this.hintButton.addEventListener('click', () => this.moreHint());
    const check = el('button', { type: 'button', id: 'task-check', text: t('task.check') });
    check.addEventListener('click', () => this.onCheck());
    const download = el('button', {
      type: 'button',
      id: 'task-download',
      'data-download': '1',
      text: t('task.download'),
    });
    download.addEventListener('click', () => this.onDownload());
    this.checked = el('p', { class: 'task-checked', id: 'task-checked', role: 'status' });
    replaceChildren(this.box, [
      el('h3', { text: `${t('task.heading')}: ${ex.title ?? ''}` }),
      ...(ex.task ?? []).map((p) => el('p', { class: 'task-text', text: p })),
      condList,
      this.summary,
      this.live,
      this.message,
      (ex.hints ?? []).length ? this.hintButton : '',
      this.hints,
      el('div', { class: 'field inline' }, [check, download]),
      this.checked,
    ]);
    this.box.hidden = false;
  }

  moreHint() {
    const all = this.ex.hints ?? [];
    if (this.hintsShown >= all.length) return;
    this.hints.append(el('li', { text: all[this.hintsShown] }));
    this.hintsShown += 1;
    if (this.hintsShown >= all.length) {
      setText(this.hintButton, t('task.hintsAll', { total: all.length }));
      this.hintButton.disabled = true;
    } else {
      setText(this.hintButton, t('task.hintMore', { n: this.hintsShown, total: all.length }));
    }
  }

  /** The core's status (`exercise_status()`). Returns true the first time it is passed. */
  update(st) {
    for (const c of st.conditions ?? []) {
      const v = this.conds.get(c.id);
      if (!v) continue;
      v.li.className = `cond ${c.met ? 'met' : 'unmet'}`;
      setText(v.mark, c.met ? `✓ ${t('task.met')}` : `✕ ${t('task.unmet')}`);
    }
    if (st.state === 'passed') {
      setText(this.summary, t('task.passed'));
      setText(this.message, '');
      const first = !this.passed;
      this.passed = true;
      if (first) setText(this.live, this.ex.done ?? t('task.passed'));
      this.box.classList.add('task-passed');
      return first;
    }
    if (st.state === 'failed') {
      setText(this.summary, t('task.failed', { message: '' }).replace(/ {2}/, ' '));
      setText(this.message, st.message ?? '');
      return false;
    }
    setText(this.summary, t('task.pending', st));
    setText(this.message, st.message ?? '');
    return false;
  }

  reset() {
    this.passed = false;
    this.box.classList.remove('task-passed');
    setText(this.live, '');
    setText(this.checked, '');
    setText(this.summary, t('task.notStarted'));
    setText(this.message, '');
    for (const v of this.conds.values()) {
      v.li.className = 'cond unmet';
      setText(v.mark, t('task.unmet'));
    }
  }

  showChecked(v) {
    const key = v.invalid
      ? 'task.checked.invalid'
      : v.passed
        ? 'task.checked.pass'
        : 'task.checked.fail';
    setText(this.checked, t(key, { ...v, message: v.message ?? '' }));
  }

  showSaved(file) {
    setText(this.checked, t('task.saved', { file }));
  }
}
