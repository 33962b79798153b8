//! Attempts: the run file "Download this run" writes, plus `"exercise"` and, for predictions and
//! quizzes, `"answers"`. An attempt is invalid when its scenario differs from the exercise's start
//! other than by `commands` (and `seed` where the seed is "any"), when it sends a command of a
//! control the exercise does not allow, or when its exercise is unknown. A task is replayed and
//! its goal checked every simulated second; a prediction is graded at the attempt's seed.

use serde::Serialize;
use serde_json::Value;

use super::api::{exercise, goal_check, grade_value};
use super::check::State;
use super::controls::{self, control_of};
use super::msg::msg;
use super::parse::{Body, Exercise, Seed};
use crate::sim::base::json::{parse_text, quoted, shown, Errors, FieldError};
use crate::sim::base::limits::SEED_DEFAULT;
use crate::sim::scenario::{parse_scenario, Scenario};
use crate::sim::World;

#[derive(Clone, Debug, Serialize)]
pub struct AttemptResult {
    pub file: String,
    pub exercise: String,
    pub passed: bool,
    /// Refused before it was run (exit 2): `errors` say why.
    pub invalid: bool,
    pub earned: u64,
    pub total: u64,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// The first place two JSON values differ, as a path.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let p = crate::sim::base::json::join(path, k);
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(u, v, &p) {
                            return Some(d);
                        }
                    }
                    _ => return Some(p),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_difference(u, v, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(if path.is_empty() {
            "(top level)".into()
        } else {
            path.to_string()
        }),
    }
}

fn seed_of(v: &Value) -> Option<u64> {
    match v.get("seed") {
        None => Some(SEED_DEFAULT),
        Some(Value::String(s)) => s.parse().ok(),
        Some(n) => n.as_u64(),
    }
}

/// Checks that `scenario` (parsed from `value`) is the exercise's start but for its commands
/// (and its seed where that is "any"), and that every command it adds to the start's own is one
/// the exercise's controls allow.
fn check_form(e: &Exercise, value: &Value, scenario: &Scenario, errs: &mut Errors) {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("commands");
            o.remove("seed");
        }
        v
    };
    if let Some(p) = first_difference(&strip(value), &strip(&e.start.value), "") {
        let shown_v = value
            .pointer(&format!("/{}", p.replace('.', "/")))
            .map(shown)
            .unwrap_or_else(|| "(absent)".into());
        errs.push(
            &p,
            format!(
                "{shown_v} differs from the exercise's start: only \"commands\" may change{}",
                if e.start.seed == Seed::Any {
                    " (and \"seed\")"
                } else {
                    ""
                }
            ),
        );
    }
    if let Seed::Fixed(s) = e.start.seed {
        match seed_of(value) {
            Some(x) if x == s => {}
            _ => errs.push("seed", format!("{} differs from the exercise's seed {s}: this exercise is done with its own seed", value.get("seed").map_or("(absent)".into(), shown))),
        }
    }
    // The start's own scheduled commands are part of the exercise, not the student's.
    let mut own: Vec<_> = e.start.scenario.commands.clone();
    for (i, c) in scenario.commands.iter().enumerate() {
        if let Some(j) = own.iter().position(|o| o == c) {
            own.remove(j);
            continue;
        }
        let kind = c.command.kind();
        if !controls::allows(
            &e.controls.iter().map(String::as_str).collect::<Vec<_>>(),
            &kind,
        ) {
            errs.push(
                &format!("commands[{i}]"),
                format!(
                    "{} at at_ms {} uses the control {}, which exercise {} does not allow (allowed: {})",
                    quoted(&kind),
                    c.at_ms,
                    control_of(&kind).unwrap_or("?"),
                    quoted(&e.id),
                    e.controls.join(", ")
                ),
            );
        }
    }
    // What is left of the start's own commands was removed: the attempt is another exercise.
    for c in own {
        errs.push(
            "commands",
            format!(
                "the start's command {} at at_ms {} is missing: an attempt may add commands, not remove the exercise's own ({})",
                quoted(&c.command.kind()),
                c.at_ms,
                c.command.to_json()
            ),
        );
    }
}

/// The verdict on an attempt read from `file`, with its text; the message in English.
pub fn check_attempt(text: &str, file: &str) -> AttemptResult {
    check_attempt_in(text, file, "en")
}

/// [`check_attempt`] with the message in `locale` (a refused attempt's field errors, for the
/// author of the file, stay English).
pub fn check_attempt_in(text: &str, file: &str, locale: &str) -> AttemptResult {
    let mut r = AttemptResult {
        file: file.to_string(),
        exercise: String::new(),
        passed: false,
        invalid: true,
        earned: 0,
        total: 0,
        message: String::new(),
        errors: Vec::new(),
    };
    let invalid = |mut r: AttemptResult, errs: Errors| {
        r.message = msg(
            locale,
            "attempt_invalid",
            &[("errors", errs.lines().join("; "))],
        );
        r.errors = errs.0;
        r
    };
    let mut value = match parse_text(text, "") {
        Ok(v) => v,
        Err(e) => return invalid(r, e),
    };
    let Some(obj) = value.as_object_mut() else {
        return invalid(
            r,
            Errors::one("", "expected an object: a downloaded run with \"exercise\""),
        );
    };
    let id = match obj.remove("exercise") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return invalid(
                r,
                Errors::one(
                    "exercise",
                    format!("expected an exercise id, got {}", shown(&other)),
                ),
            )
        }
        None => {
            return invalid(
                r,
                Errors::one("exercise", "required: the id of the exercise this attempts"),
            )
        }
    };
    r.exercise = id.clone();
    let answers = obj.remove("answers").unwrap_or(Value::Null);
    let e = match exercise(&id) {
        Ok(e) => e,
        Err(errs) => return invalid(r, errs),
    };
    r.total = match &e.body {
        Body::Task(t) => t.goal.len() as u64,
        Body::Predict(p) => p.question.fields().len() as u64,
        Body::Quiz(q) => q.items.len() as u64,
    };
    let scenario = match parse_scenario(&value.to_string()) {
        Ok(s) => s,
        Err(errs) => return invalid(r, errs),
    };
    let mut errs = Errors::default();
    check_form(e, &value, &scenario, &mut errs);
    if !matches!(answers, Value::Null | Value::Object(_)) {
        errs.push(
            "answers",
            format!("expected an object of answers, got {}", shown(&answers)),
        );
    }
    if !errs.is_empty() {
        return invalid(r, errs);
    }
    r.invalid = false;
    match &e.body {
        Body::Task(_) => {
            let mut w = World::new(scenario);
            let mut check = match goal_check(e, &w, locale) {
                Ok(c) => c,
                Err(errs) => return invalid(r, errs),
            };
            let s = check.run(&mut w);
            r.passed = s.state == State::Passed;
            r.earned = s.earned;
            r.total = s.total;
            r.message = s.message;
        }
        _ => match grade_value(e, Some(scenario.seed), &answers, locale) {
            Ok(g) => {
                r.passed = g.passed;
                r.earned = g.earned;
                r.total = g.total;
                r.message = g.message;
            }
            Err(errs) => return invalid(r, errs),
        },
    }
    r
}
