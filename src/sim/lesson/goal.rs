//! Goals: conditions over the metric catalogue, each held over a window, checked against a run
//! at the end of every simulated second ([`GoalCheck`]), the same natively, in the CLI's `check`
//! and live in the page.
//!
//! Windows: `"always"` (every second until the goal is met), `{"for_seconds": N}` (the
//! conditions sharing that window hold together for N consecutive seconds), `{"by_second": T}`
//! (holds at some second ending by T s), `"at_end"` (holds at the run's last second).

use serde_json::Value;

use super::metric::{self, Role, Target};
pub use super::metric::{grouped, number};
use super::msg::msg;
use crate::sim::base::json::{array, num_value, quoted, shown, Errors, Obj};
use crate::sim::base::limits::{Limit, Unit};
use crate::sim::base::names::Names;

/// The longest a run is checked past its `run_seconds` (commands late in a run extend it).
pub const EXTRA_SECONDS_MAX: u64 = 3_600;
/// How long a run goes on after its last command, at least.
pub const AFTER_LAST_COMMAND_S: u64 = 60;
/// A window's length, seconds.
pub const SECONDS: Limit = Limit::required(1, 30 * 86_400, Unit::Seconds);
/// Conditions a goal may have.
pub const CONDITIONS_MAX: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Always,
    ForSeconds(u64),
    BySecond(u64),
    AtEnd,
}

impl Window {
    /// The window in English, for authors' errors (a student reads [`Window::shown`]).
    pub fn words(self) -> String {
        match self {
            Window::Always => "always".into(),
            Window::ForSeconds(n) => format!("for {n} s in a row"),
            Window::BySecond(t) => format!("by {t} s"),
            Window::AtEnd => "at the end".into(),
        }
    }

    /// What `{window}` becomes in a condition's text, in `locale`: the seconds of a
    /// `for_seconds` or `by_second` window, the words of the others.
    pub fn shown(self, locale: &str) -> String {
        match self {
            Window::ForSeconds(n) | Window::BySecond(n) => n.to_string(),
            Window::Always => msg(locale, "window_always", &[]),
            Window::AtEnd => msg(locale, "window_at_end", &[]),
        }
    }
}

pub const OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub id: String,
    pub metric: &'static metric::Metric,
    /// What it is measured on (None for the ledger).
    pub name: Option<String>,
    pub op: &'static str,
    pub value: f64,
    pub window: Window,
}

impl Condition {
    pub fn test(&self, v: f64) -> bool {
        let x = self.value;
        match self.op {
            "==" => v == x,
            "!=" => v != x,
            "<" => v < x,
            "<=" => v <= x,
            ">" => v > x,
            _ => v >= x,
        }
    }

    /// The placeholders a condition's text may use, with their values (in `locale`).
    pub fn placeholders(&self, locale: &str) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("value", number(self.value)),
            ("op", self.op.to_string()),
            ("metric", self.metric.name.to_string()),
            ("unit", self.metric.unit.to_string()),
            ("window", self.window.shown(locale)),
        ];
        if let (Some(f), Some(n)) = (self.metric.target.field(), &self.name) {
            out.push((f, n.clone()));
        }
        out
    }

    /// What the core says, in `locale`, when the text file gives no text.
    pub fn default_text(&self, locale: &str) -> String {
        let measured = match &self.name {
            Some(n) => msg(
                locale,
                "condition_default_of",
                &[
                    ("metric", self.metric.name.to_string()),
                    ("name", n.clone()),
                ],
            ),
            None => self.metric.name.to_string(),
        };
        let (key, seconds) = match self.window {
            Window::Always => ("condition_default_always", 0),
            Window::ForSeconds(n) => ("condition_default_for_seconds", n),
            Window::BySecond(t) => ("condition_default_by_second", t),
            Window::AtEnd => ("condition_default_at_end", 0),
        };
        msg(
            locale,
            key,
            &[
                ("measured", measured),
                ("op", self.op.to_string()),
                ("value", number(self.value)),
                ("seconds", seconds.to_string()),
            ],
        )
    }
}

/// The placeholder names any condition text may use.
pub const CONDITION_PLACEHOLDERS: &[&str] = &[
    "value",
    "op",
    "metric",
    "unit",
    "window",
    "stream",
    "producer",
    "consumer",
    "delivery_stream",
];

fn names_for(names: &Names, target: Target) -> &[String] {
    match target {
        Target::Stream => &names.streams,
        Target::Producer => &names.producers,
        Target::Consumer => &names.consumers,
        Target::DeliveryStream => &names.delivery_streams,
        Target::Ledger => &[],
    }
}

fn read_window(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<Window> {
    let allowed = "\"always\", \"at_end\", {\"for_seconds\": N} or {\"by_second\": T}";
    match v {
        None => {
            errs.push(path, format!("required: {allowed}"));
            None
        }
        Some(Value::String(s)) if s == "always" => Some(Window::Always),
        Some(Value::String(s)) if s == "at_end" => Some(Window::AtEnd),
        Some(v @ Value::Object(map)) if map.len() == 1 => {
            let mut o = Obj::of(v, path, errs)?;
            let lim = SECONDS;
            let w = if map.contains_key("for_seconds") {
                o.int("for_seconds", lim, errs).map(Window::ForSeconds)
            } else {
                o.int_opt("by_second", lim, errs)
                    .flatten()
                    .map(Window::BySecond)
            };
            o.finish(errs);
            w
        }
        Some(other) => {
            errs.push(path, format!("{} is not a window: {allowed}", shown(other)));
            None
        }
    }
}

fn read_condition(v: &Value, path: &str, names: &Names, errs: &mut Errors) -> Option<Condition> {
    let mut o = Obj::of(v, path, errs)?;
    let id = super::ids::read_id(&mut o, "id", errs);
    let metric_path = o.at("metric");
    let metric = match o.get("metric") {
        None => {
            errs.push(&metric_path, "required");
            None
        }
        Some(m) => {
            let found = m.as_str().and_then(metric::metric);
            if found.is_none() {
                errs.push(
                    &metric_path,
                    format!(
                        "{} is not a metric; one of {}",
                        shown(m),
                        metric::names().join(", ")
                    ),
                );
            }
            found
        }
    };
    let mut name = None;
    for t in [
        Target::Stream,
        Target::Producer,
        Target::Consumer,
        Target::DeliveryStream,
    ] {
        let field = t.field().unwrap_or_default();
        let p = o.at(field);
        let Some(given) = o.get(field) else {
            if metric.is_some_and(|m| m.target == t) {
                errs.push(
                    &p,
                    format!(
                        "required: the {} {} measures",
                        field.replace('_', " "),
                        metric.map_or("", |m| m.name)
                    ),
                );
            }
            continue;
        };
        match metric {
            Some(m) if m.target != t => errs.push(
                &p,
                format!(
                    "{} measures {}, not a {field}",
                    m.name,
                    m.target.field().unwrap_or("the whole run")
                ),
            ),
            Some(_) => {
                let known = names_for(names, t);
                match given.as_str() {
                    Some(s) if known.iter().any(|k| k == s) => name = Some(s.to_string()),
                    _ => errs.push(
                        &p,
                        format!(
                            "{} is not a {} of the start scenario ({})",
                            shown(given),
                            field.replace('_', " "),
                            if known.is_empty() {
                                "it has none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    ),
                }
            }
            None => {}
        }
    }
    let op = o.choice("op", None, OPS, errs);
    let vp = o.at("value");
    let value = o
        .required("value", errs)
        .and_then(|v| num_value(v, &vp, -1e15, 1e15, errs));
    let window = read_window(o.get("window"), &o.at("window"), errs);
    o.finish(errs);
    Some(Condition {
        id: id?,
        metric: metric?,
        name,
        op: op?,
        value: value?,
        window: window?,
    })
}

/// Reads a goal, `{"all": [conditions]}`, against the start scenario's names. Refuses a goal whose
/// throttling or loss condition has no flowing condition beside it (see [`shortcut_errors`]).
pub fn read_goal(
    v: &Value,
    path: &str,
    names: &Names,
    writers: &[(String, String)],
    errs: &mut Errors,
) -> Vec<Condition> {
    let Some(mut o) = Obj::of(v, path, errs) else {
        return Vec::new();
    };
    let all_path = o.at("all");
    let mut out = Vec::new();
    if let Some(items) = o
        .required("all", errs)
        .and_then(|a| array(a, &all_path, CONDITIONS_MAX, errs))
    {
        if items.is_empty() {
            errs.push(&all_path, "a goal needs at least one condition");
        }
        for (i, item) in items.iter().enumerate() {
            let p = format!("{all_path}[{i}]");
            if let Some(c) = read_condition(item, &p, names, errs) {
                if out.iter().any(|d: &Condition| d.id == c.id) {
                    errs.push(
                        &format!("{p}.id"),
                        format!("{} is the id of another condition", quoted(&c.id)),
                    );
                }
                out.push(c);
            }
        }
    }
    o.finish(errs);
    for (i, msg) in shortcut_errors(&out, writers) {
        errs.push(&format!("{all_path}[{i}]"), msg);
    }
    out
}

/// Whether `flow` keeps the traffic `c` is about flowing: same window, a flowing metric above
/// zero, on the same producer or stream (a producer writing to the stream counts for the stream,
/// and the other way round); a consumer's, a delivery stream's or the ledger's losses accept any.
fn keeps_flowing(c: &Condition, flow: &Condition, writers: &[(String, String)]) -> bool {
    let rising = (flow.op == ">=" && flow.value > 0.0) || (flow.op == ">" && flow.value >= 0.0);
    if flow.metric.role != Role::Flowing || flow.window != c.window || !rising {
        return false;
    }
    let stream_of = |t: Target, n: &Option<String>| match (t, n) {
        (Target::Stream, Some(n)) => Some(n.clone()),
        (Target::Producer, Some(n)) => writers.iter().find(|(p, _)| p == n).map(|(_, s)| s.clone()),
        _ => None,
    };
    let (a, b) = (c.metric.target, flow.metric.target);
    match a {
        _ if a == b && c.name == flow.name => true,
        Target::Stream | Target::Producer => {
            let s = stream_of(a, &c.name);
            s.is_some() && s == stream_of(b, &flow.name)
        }
        _ => true,
    }
}

/// The anti-shortcut rule: every condition on throttling or loss needs, in the same window, a
/// condition that traffic keeps flowing (a flowing metric `>=` a positive value) on the same
/// producer or stream. `(index, message)` for each condition without one. `writers`: (producer,
/// stream it writes to) of the start scenario.
pub fn shortcut_errors(conds: &[Condition], writers: &[(String, String)]) -> Vec<(usize, String)> {
    let flowing: Vec<&str> = metric::METRICS
        .iter()
        .filter(|m| m.role == Role::Flowing)
        .map(|m| m.name)
        .collect();
    conds
        .iter()
        .enumerate()
        .filter(|(_, c)| c.metric.role == Role::Traffic)
        .filter(|(_, c)| !conds.iter().any(|f| keeps_flowing(c, f, writers)))
        .map(|(i, c)| {
            (i, format!(
                "{} ({}) is about throttling or loss: the goal also needs a condition in the same window ({}) that traffic keeps flowing on the same producer or stream ({} with op \">=\" and a positive value), or pausing the producer would pass",
                quoted(&c.id),
                c.metric.name,
                c.window.words(),
                flowing.join(", ")
            ))
        })
        .collect()
}
