//! [`GoalCheck`]: a task's goal observed on a run, at the end of every simulated second.

use std::collections::BTreeMap;

use serde::Serialize;

use super::goal::{grouped, number, Condition, Window, AFTER_LAST_COMMAND_S, EXTRA_SECONDS_MAX};
use super::metric::{detail, index_of, value, Previous, Source};
use super::msg::msg;
use crate::sim::World;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Passed,
    Failed,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConditionStatus {
    pub id: String,
    pub met: bool,
    pub text: String,
}

/// Where a goal stands: what the page shows and `check` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Status {
    pub state: State,
    /// The last simulated second checked (None before the first one ends).
    pub second: Option<u64>,
    pub earned: u64,
    pub total: u64,
    pub conditions: Vec<ConditionStatus>,
    /// What is still wrong in plain words (the conditions' texts and the numbers), or the
    /// "done" text: what a student reads, in the check's locale.
    pub message: String,
    /// The same for an author: metric ids, units and operators ("" once the goal is met); always
    /// English (the conditions' texts aside).
    pub technical: String,
}

/// One condition as it is being checked.
#[derive(Clone, Debug)]
struct Checked {
    cond: Condition,
    text: String,
    source: Option<Source>,
    holds: bool,
    last: Option<f64>,
    met: bool,
    /// The second an `always` broke, or a `by_second` ran out, and the value then.
    broken: Option<(u64, Option<f64>)>,
}

/// A goal checked on a run.
#[derive(Clone, Debug)]
pub struct GoalCheck {
    conds: Vec<Checked>,
    run_seconds: u64,
    done: String,
    prev: Previous,
    last_second: Option<u64>,
    /// Seconds in a row each `for_seconds` window's conditions have all held.
    streaks: BTreeMap<u64, u64>,
    state: State,
    /// Per condition, what is wrong beyond its value: (in the locale, in English).
    detail: Vec<(String, String)>,
    /// The locale of the student's messages.
    locale: String,
}

impl GoalCheck {
    /// A check of `conds` (with their texts, filled) on `w` from now on, for a task of
    /// `run_seconds`; `done` is said once the goal is met; the messages are in `locale`.
    pub fn new(
        w: &World,
        conds: Vec<(Condition, String)>,
        run_seconds: u64,
        done: String,
        locale: &str,
    ) -> Self {
        let conds = conds
            .into_iter()
            .map(|(cond, text)| {
                let index = match (cond.metric.target.field(), &cond.name) {
                    (None, _) => Some(0),
                    (Some(_), Some(n)) => index_of(w, cond.metric.target, n),
                    (Some(_), None) => None,
                };
                Checked {
                    source: index.map(|index| Source {
                        metric: cond.metric,
                        index,
                    }),
                    cond,
                    text,
                    holds: false,
                    last: None,
                    met: false,
                    broken: None,
                }
            })
            .collect();
        Self {
            conds,
            run_seconds,
            done,
            prev: Previous::of(w),
            last_second: None,
            streaks: BTreeMap::new(),
            state: State::Pending,
            detail: Vec::new(),
            locale: locale.to_string(),
        }
    }

    /// The last second a run is checked to: `run_seconds`, or its last command + 60 s when that is
    /// later, at most an hour more.
    pub fn end_second(&self, w: &World) -> u64 {
        let last_command_s = w
            .command_log
            .last()
            .map_or(0, |(tick, _)| tick * w.tick_ms / 1000 + 1);
        (last_command_s + AFTER_LAST_COMMAND_S)
            .max(self.run_seconds)
            .min(self.run_seconds + EXTRA_SECONDS_MAX)
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Looks at `w` after a tick: at the end of a simulated second, checks every condition.
    /// Returns whether the status changed (at most once a second).
    pub fn observe(&mut self, w: &World) -> bool {
        if w.now_ms % 1000 != 0 || w.now_ms == 0 || self.state != State::Pending {
            return false;
        }
        let second = w.now_ms / 1000 - 1;
        if self.last_second.is_some_and(|s| s >= second) {
            return false;
        }
        self.last_second = Some(second);
        let elapsed = second + 1;
        let end = self.end_second(w);
        for c in &mut self.conds {
            c.last = c.source.and_then(|s| value(w, s, second, &self.prev));
            c.holds = c.last.is_some_and(|v| c.cond.test(v));
            match c.cond.window {
                Window::Always => {
                    c.met = c.holds;
                    if !c.holds {
                        c.broken = Some((second, c.last));
                    }
                }
                Window::BySecond(t) => {
                    if c.holds && elapsed <= t {
                        c.met = true;
                    } else if elapsed >= t && !c.met {
                        c.broken = Some((second, c.last));
                    }
                }
                Window::AtEnd => c.met = c.holds && elapsed >= end,
                Window::ForSeconds(_) => {}
            }
        }
        let mut windows: Vec<u64> = self
            .conds
            .iter()
            .filter_map(|c| match c.cond.window {
                Window::ForSeconds(n) => Some(n),
                _ => None,
            })
            .collect();
        windows.sort_unstable();
        windows.dedup();
        for n in windows {
            let all = self
                .conds
                .iter()
                .filter(|c| c.cond.window == Window::ForSeconds(n))
                .all(|c| c.holds);
            let streak = self.streaks.entry(n).or_insert(0);
            *streak = if all { *streak + 1 } else { 0 };
            if *streak >= n {
                for c in self
                    .conds
                    .iter_mut()
                    .filter(|c| c.cond.window == Window::ForSeconds(n))
                {
                    c.met = true;
                }
            }
        }
        self.state = if self.conds.iter().any(|c| c.broken.is_some()) {
            State::Failed
        } else if self.conds.iter().all(|c| c.met) {
            State::Passed
        } else if elapsed >= end {
            State::Failed
        } else {
            State::Pending
        };
        self.detail = self
            .conds
            .iter()
            .map(|c| {
                c.source.map_or_else(Default::default, |s| {
                    let plain = detail(w, s, second, &self.locale);
                    let en = if self.locale == "en" {
                        plain.clone()
                    } else {
                        detail(w, s, second, "en")
                    };
                    (plain, en)
                })
            })
            .collect();
        self.prev = Previous::of(w);
        true
    }

    /// What is wrong with one unmet condition: in plain words from its text (for a student),
    /// and with its metric id (for an author).
    fn wrong(&self, i: usize) -> (String, String) {
        let c = &self.conds[i];
        let l = self.locale.as_str();
        let text = c.text.trim_end_matches('.');
        let condition = || ("condition", text.to_string());
        let Some(second) = self.last_second else {
            return (
                msg(l, "condition_not_checked", &[condition()]),
                format!("{}: not checked yet", c.text),
            );
        };
        let was = |s: u64, v: Option<f64>| match v {
            Some(v) => format!(
                "{} was {} ({}) in second {s}, needs {} {}",
                c.cond.metric.name,
                number(v),
                c.cond.metric.unit,
                c.cond.op,
                number(c.cond.value)
            ),
            None => format!("{} had no data point in second {s}", c.cond.metric.name),
        };
        // A ratio reads as a percentage; other units follow the number.
        let amount = |x: f64| {
            let unit = c.cond.metric.unit;
            let (key, number) = if unit.starts_with("ratio") {
                ("amount_percent", number((x * 1000.0).round() / 10.0))
            } else {
                (amount_key(unit), grouped(x))
            };
            msg(l, key, &[("number", number), ("unit", unit.to_string())])
        };
        let plain_was = |s: u64, v: Option<f64>| match v {
            Some(v) => msg(
                l,
                was_key(c.cond.op),
                &[
                    ("value", amount(v)),
                    ("second", s.to_string()),
                    ("target", amount(c.cond.value)),
                ],
            ),
            None => msg(l, "no_data", &[("second", s.to_string())]),
        };
        let (d, d_en) = self
            .detail
            .get(i)
            .map(|(p, e)| (p.as_str(), e.as_str()))
            .unwrap_or_default();
        let shown = !d.is_empty() && !c.holds;
        let d = shown.then_some(d);
        let d_en = shown.then_some(d_en);
        // The detail (which shard, which producer) says it better than the number, when there is one.
        let why =
            |s: u64, v: Option<f64>| ("why", d.map_or_else(|| plain_was(s, v), str::to_string));
        let (plain, mut tech) = match (c.broken, c.cond.window) {
            (Some((s, v)), Window::Always) => (
                msg(l, "condition_broken", &[condition(), why(s, v)]),
                format!("broken: {}", was(s, v)),
            ),
            (Some((s, v)), Window::BySecond(t)) => (
                msg(
                    l,
                    "condition_not_done_by",
                    &[condition(), ("seconds", t.to_string()), why(s, v)],
                ),
                format!("not met by {t} s: {}", was(s, v)),
            ),
            (None, Window::ForSeconds(n)) if c.holds => {
                let streak = self.streaks.get(&n).copied().unwrap_or(0);
                if streak > 0 {
                    (
                        msg(
                            l,
                            "condition_so_far",
                            &[
                                condition(),
                                ("streak", streak.to_string()),
                                ("seconds", n.to_string()),
                            ],
                        ),
                        format!("held for {streak} of {n} s"),
                    )
                } else {
                    (
                        msg(
                            l,
                            "condition_holds_with_others",
                            &[condition(), ("seconds", n.to_string())],
                        ),
                        format!("holds now, but not yet together with the other conditions of its {n} s window"),
                    )
                }
            }
            (None, Window::AtEnd) if c.holds => (
                msg(l, "condition_holds_at_end", &[condition()]),
                "holds now; checked at the end of the run".into(),
            ),
            _ => (
                msg(l, "condition_not_yet", &[condition(), why(second, c.last)]),
                was(second, c.last),
            ),
        };
        if let Some(d) = d_en {
            tech = format!("{tech}: {d}");
        }
        (plain, format!("{}: {tech}", c.text))
    }

    pub fn status(&self) -> Status {
        let earned = self.conds.iter().filter(|c| c.met).count() as u64;
        let (message, technical) = match self.state {
            State::Passed => (self.done.clone(), String::new()),
            state => {
                let (plain, tech): (Vec<String>, Vec<String>) = (0..self.conds.len())
                    .filter(|&i| !self.conds[i].met || self.conds[i].broken.is_some())
                    .map(|i| self.wrong(i))
                    .unzip();
                let (key, lead) = if state == State::Failed {
                    ("status_not_done", "Not done")
                } else {
                    ("status_still_to_do", "Still to do")
                };
                let l = self.locale.as_str();
                (
                    msg(l, key, &[("items", plain.join(&msg(l, "separator", &[])))]),
                    format!("{lead}: {}.", tech.join("; ")),
                )
            }
        };
        Status {
            state: self.state,
            second: self.last_second,
            earned,
            total: self.conds.len() as u64,
            conditions: self
                .conds
                .iter()
                .map(|c| ConditionStatus {
                    id: c.cond.id.clone(),
                    met: c.met,
                    text: c.text.clone(),
                })
                .collect(),
            message,
            technical,
        }
    }

    /// Runs `w` until the goal is decided or its last second has passed; the final status.
    pub fn run(&mut self, w: &mut World) -> Status {
        while self.state == State::Pending {
            w.step();
            self.observe(w);
        }
        self.status()
    }
}

/// The message key of "it was …, and needs to be <op> …".
pub fn was_key(op: &str) -> &'static str {
    match op {
        "==" => "was_exactly",
        "!=" => "was_anything_but",
        "<" => "was_below",
        "<=" => "was_at_most",
        ">" => "was_above",
        _ => "was_at_least",
    }
}

/// The message key of an amount in `unit` (a metric's unit; a ratio is a percentage).
pub fn amount_key(unit: &str) -> &'static str {
    match unit {
        "records in the second" => "amount_records_in_the_second",
        "calls in the second" => "amount_calls_in_the_second",
        "records" => "amount_records",
        "ms" => "amount_ms",
        "shards" => "amount_shards",
        "alerts" => "amount_alerts",
        "objects" => "amount_objects",
        u if u.starts_with("ratio") => "amount_percent",
        _ => "amount_other",
    }
}

/// A goal checked live (the page): the status only when it changed since it was last asked.
#[derive(Clone, Debug)]
pub struct Live {
    pub check: GoalCheck,
    told: Option<Status>,
}

impl Live {
    pub fn new(check: GoalCheck) -> Self {
        Self { check, told: None }
    }

    /// Advances `w` by `ticks`, checking the goal after each one.
    pub fn step(w: &mut World, live: Option<&mut Live>, ticks: u32) {
        match live {
            Some(l) => (0..ticks).for_each(|_| {
                w.step();
                l.check.observe(w);
            }),
            None => (0..ticks).for_each(|_| w.step()),
        }
    }

    /// The status, or None when it is what was told last time.
    pub fn status_if_changed(&mut self) -> Option<Status> {
        let s = self.check.status();
        if self.told.as_ref() == Some(&s) {
            return None;
        }
        self.told = Some(s.clone());
        Some(s)
    }
}
