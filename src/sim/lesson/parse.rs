//! The lesson file (`lessons/<id>.json`): its start, steps and exercises, validated like a
//! scenario. The prose is apart, in the text files ([`super::text`]).

use std::collections::BTreeMap;

use serde_json::Value;

use super::controls::{self, SEED};
use super::goal::{read_goal, Condition};
use super::ids::{id_value, read_id};
use super::probe::{read_question, Question};
use crate::sim::base::json::{array, int_value, num_value, parse_text, quoted, shown, Errors, Obj};
use crate::sim::base::limits::{Limit, Unit, AT_MS};
use crate::sim::base::names::Names;
use crate::sim::scenario::{parse_scenario, Scenario};

pub const CONCEPTS: &[&str] = &[
    "streaming-vs-batch",
    "data-streams",
    "when-streams",
    "firehose",
    "streams-or-firehose",
    "together",
    "data-lake",
    "discover",
    "playground",
];

/// What a step's scene shows.
pub const SHOW: &[&str] = &[
    "belt",
    "producers",
    "consumers",
    "firehose",
    "s3",
    "lake",
    "batch",
    "resharding",
    "faults",
    "ledger",
    "metrics",
    "record",
    "notes",
    "alerts",
    "scenario",
];

pub const STEPS_MAX: usize = 40;
pub const EXERCISES_MAX: usize = 20;
pub const HINTS_MAX: u64 = 10;
/// How long a task's run is checked, seconds.
pub const RUN_SECONDS: Limit = Limit::required(1, 7 * 86_400, Unit::Seconds);
/// Controls an exercise has when its file names none.
pub const DEFAULT_CONTROLS: &[&str] = &["play", "step", "speed", "reset"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seed {
    Fixed(u64),
    /// The exercise works with any seed (the student may change it; a seeded question changes
    /// with it).
    Any,
}

/// Where a lesson or an exercise starts: a preset or an inline scenario, and a seed.
#[derive(Clone, Debug)]
pub struct Start {
    pub preset: Option<String>,
    /// The scenario as written (without the start's seed).
    pub value: Value,
    pub scenario: Scenario,
    pub seed: Seed,
}

impl Start {
    /// The scenario to run, with `seed` (for a fixed seed, the fixed one whatever is asked).
    pub fn scenario_value(&self, seed: Option<u64>) -> Value {
        let mut v = self.value.clone();
        let seed = match self.seed {
            Seed::Fixed(s) => s,
            Seed::Any => seed.unwrap_or(self.scenario.seed),
        };
        if let Some(o) = v.as_object_mut() {
            // As text, like every scenario's seed: a u64 past 2^53 as a JSON number made the
            // facade's predict() and grade() return null in the browser.
            o.insert("seed".into(), seed.to_string().into());
        }
        v
    }

    /// The seed a run starts with when none is asked for.
    pub fn default_seed(&self) -> u64 {
        match self.seed {
            Seed::Fixed(s) => s,
            Seed::Any => self.scenario.seed,
        }
    }

    /// The names conditions and questions may use.
    pub fn names(&self) -> Names {
        let s = &self.scenario;
        Names {
            streams: s.streams.iter().map(|x| x.name.clone()).collect(),
            producers: s.producers.iter().map(|p| p.name.clone()).collect(),
            consumers: s
                .consumers
                .iter()
                .map(|c| c.name.clone())
                .chain(
                    s.event_source_mappings
                        .iter()
                        .filter(|m| m.enabled)
                        .map(|m| m.label.clone()),
                )
                .collect(),
            delivery_streams: s.firehoses.iter().map(|f| f.name.clone()).collect(),
            ..Names::default()
        }
    }

    /// What a simulated second of the start costs at its busiest (as it starts, then after each
    /// of its scheduled commands), in record visits: what bounds a prediction's probe.
    pub fn work_per_second(&self) -> u64 {
        let w = crate::sim::World::new(self.scenario.clone());
        let mut load = w.load();
        let mut most = load.work_per_second();
        let mut commands: Vec<_> = self.scenario.commands.iter().collect();
        commands.sort_by_key(|c| c.at_ms);
        for c in commands {
            load = load.after(&c.command, |n| w.stream_index(n));
            most = most.max(load.work_per_second());
        }
        most
    }

    /// (producer, the stream it writes to) for every producer writing to a stream.
    pub fn writers(&self) -> Vec<(String, String)> {
        self.scenario
            .producers
            .iter()
            .filter(|p| p.delivery_stream_name.is_none())
            .map(|p| (p.name.clone(), p.stream_name.clone()))
            .collect()
    }
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    pub show: Vec<String>,
    pub controls: Vec<String>,
    /// Validated; passed to the page as written.
    pub on_entry: Option<Value>,
    pub prediction: Option<String>,
    pub exercise: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Task,
    Predict,
    Quiz,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Predict => "predict",
            Kind::Quiz => "quiz",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Task {
    pub run_seconds: u64,
    pub goal: Vec<Condition>,
    pub hints: u64,
}

#[derive(Clone, Debug)]
pub struct Predict {
    pub question: Question,
    /// Absolute tolerance of a numeric answer, in its unit.
    pub tolerance: f64,
    pub misconceptions: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Quiz {
    /// (item id, its choices).
    pub items: Vec<(String, Vec<String>)>,
    /// The right choice per item: kept apart from the question, never sent to the page.
    pub key: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub enum Body {
    Task(Task),
    Predict(Predict),
    Quiz(Quiz),
}

#[derive(Clone, Debug)]
pub struct Exercise {
    pub id: String,
    pub lesson: String,
    pub kind: Kind,
    pub start: Start,
    pub controls: Vec<String>,
    pub body: Body,
}

#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub concept: String,
    pub start: Start,
    pub steps: Vec<Step>,
    pub exercises: Vec<Exercise>,
    /// The validated texts by locale (always `en` when the lesson is valid).
    pub texts: BTreeMap<String, Value>,
}

fn read_seed(v: Option<&Value>, path: &str, any: bool, default: u64, errs: &mut Errors) -> Seed {
    match v {
        None => Seed::Fixed(default),
        Some(Value::String(s)) if s == "any" && any => Seed::Any,
        Some(Value::String(s)) => match s.parse::<u64>() {
            Ok(n) => Seed::Fixed(n),
            Err(_) => {
                let allowed = if any {
                    "a whole number, or \"any\""
                } else {
                    "a whole number (\"any\" only in an exercise's start)"
                };
                errs.push(
                    path,
                    format!("{} is not a seed: {allowed} in 0..={}", quoted(s), u64::MAX),
                );
                Seed::Fixed(default)
            }
        },
        Some(v) => int_value(v, path, 0, u64::MAX, errs).map_or(Seed::Fixed(default), Seed::Fixed),
    }
}

/// A start: `{"preset": NAME, "seed": S}` or `{"scenario": {...}, "seed": S}`; the scenario is
/// validated like any scenario file (its errors under `path.scenario`).
pub fn read_start(v: &Value, path: &str, any_seed: bool, errs: &mut Errors) -> Option<Start> {
    let mut o = Obj::of(v, path, errs)?;
    let preset = o.get("preset");
    let inline = o.get("scenario");
    let seed_v = o.get("seed");
    let (preset_path, scenario_path, seed_path) = (o.at("preset"), o.at("scenario"), o.at("seed"));
    o.finish(errs);
    let (preset, value) = match (preset, inline) {
        (Some(p), None) => {
            let name = p.as_str().unwrap_or_default();
            match crate::sim::preset(name) {
                Some(text) => (Some(name.to_string()), parse_text(text, "").ok()?),
                None => {
                    errs.push(
                        &preset_path,
                        format!(
                            "{} is not a preset; one of {}",
                            shown(p),
                            crate::sim::preset_names().join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
        (None, Some(s)) => (None, s.clone()),
        (Some(_), Some(_)) => {
            errs.push(path, "give \"preset\" or \"scenario\", not both");
            return None;
        }
        (None, None) => {
            errs.push(
                path,
                "required: \"preset\" (a built-in scenario) or \"scenario\" (an inline one)",
            );
            return None;
        }
    };
    let text = value.to_string();
    let scenario = match parse_scenario(&text) {
        Ok(s) => s,
        Err(e) => {
            let at = if preset.is_some() {
                &preset_path
            } else {
                &scenario_path
            };
            for f in e.0 {
                errs.add(f.under(at));
            }
            return None;
        }
    };
    let seed = read_seed(seed_v, &seed_path, any_seed, scenario.seed, errs);
    Some(Start {
        preset,
        value,
        scenario,
        seed,
    })
}

/// A list of words from a closed vocabulary.
fn words(
    o: &mut Obj,
    key: &'static str,
    allowed: &[&str],
    default: Option<&[&str]>,
    errs: &mut Errors,
) -> Vec<String> {
    let path = o.at(key);
    let Some(v) = o.get(key) else {
        match default {
            Some(d) => return d.iter().map(|s| s.to_string()).collect(),
            None => {
                errs.push(&path, format!("required: a list of {}", allowed.join(", ")));
                return Vec::new();
            }
        }
    };
    let mut out: Vec<String> = Vec::new();
    for (i, w) in array(v, &path, allowed.len(), errs)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let p = format!("{path}[{i}]");
        match w.as_str() {
            Some(s) if allowed.contains(&s) => {
                if out.iter().any(|x| x == s) {
                    errs.push(&p, format!("{} is listed twice", quoted(s)));
                } else {
                    out.push(s.to_string());
                }
            }
            _ => errs.push(
                &p,
                format!("{} is not one of {}", shown(w), allowed.join(", ")),
            ),
        }
    }
    out
}

/// `on_entry`: the commands are checked by putting them into the start scenario and validating
/// it (the same parsers, references and work budget as a scenario's own `commands`).
fn read_on_entry(v: &Value, path: &str, start: &Start, errs: &mut Errors) -> Option<Value> {
    let mut o = Obj::of(v, path, errs)?;
    o.boolean("reset", false, errs);
    o.int_opt("run_to_ms", AT_MS, errs);
    let sp = o.at("speed");
    if let Some(s) = o.get("speed") {
        num_value(s, &sp, 0.1, 1000.0, errs);
    }
    o.choice("then", Some("pause"), &["pause", "play"], errs);
    let cp = o.at("commands");
    if let Some(c) = o.get("commands") {
        if let Some(items) = array(c, &cp, 1000, errs) {
            let mut scenario = start.scenario_value(None);
            let own = scenario
                .get("commands")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let n = own.len();
            let all: Vec<Value> = own.into_iter().chain(items.iter().cloned()).collect();
            if let Some(s) = scenario.as_object_mut() {
                s.insert("commands".into(), all.into());
            }
            if let Err(e) = parse_scenario(&scenario.to_string()) {
                for f in e.0 {
                    // Only what the step's commands caused (the start itself is valid).
                    if let Some(rest) = f.path.strip_prefix("commands[") {
                        let (k, tail) = rest.split_once(']').unwrap_or((rest, ""));
                        if let Ok(k) = k.parse::<usize>() {
                            if k >= n {
                                errs.push(&format!("{cp}[{}]{tail}", k - n), f.message);
                            }
                        }
                    } else {
                        errs.push(&cp, format!("{}: {}", f.path, f.message));
                    }
                }
            }
        }
    }
    o.finish(errs);
    Some(v.clone())
}

fn read_step(v: &Value, path: &str, start: &Start, errs: &mut Errors) -> Option<Step> {
    let mut o = Obj::of(v, path, errs)?;
    let id = read_id(&mut o, "id", errs);
    let show = words(&mut o, "show", SHOW, None, errs);
    let controls = words(&mut o, "controls", &controls::names(), None, errs);
    let on_entry = o
        .get("on_entry")
        .and_then(|e| read_on_entry(e, &o.at("on_entry"), start, errs));
    let pp = o.at("prediction");
    let prediction = o.get("prediction").and_then(|p| id_value(p, &pp, errs));
    let ep = o.at("exercise");
    let exercise = o.get("exercise").and_then(|p| id_value(p, &ep, errs));
    o.finish(errs);
    Some(Step {
        id: id?,
        show,
        controls,
        on_entry,
        prediction,
        exercise,
    })
}

fn read_task(o: &mut Obj, start: &Start, errs: &mut Errors) -> Option<Task> {
    let run_seconds = o.int("run_seconds", RUN_SECONDS, errs);
    let gp = o.at("goal");
    let goal = o
        .required("goal", errs)
        .map(|g| read_goal(g, &gp, &start.names(), &start.writers(), errs))
        .unwrap_or_default();
    let hints = o.int("hints", Limit::new(0, HINTS_MAX, 0, Unit::Count), errs);
    Some(Task {
        run_seconds: run_seconds?,
        goal,
        hints: hints?,
    })
}

fn read_predict(o: &mut Obj, start: &Start, errs: &mut Errors) -> Option<Predict> {
    let qp = o.at("question");
    let question = o
        .required("question", errs)
        .and_then(|q| read_question(q, &qp, &start.names(), start.work_per_second(), errs));
    let ap = o.at("answer");
    let mut tolerance = 0.0;
    if let Some(a) = o.get("answer") {
        if let Some(mut ao) = Obj::of(a, &ap, errs) {
            let types: &[&'static str] = &["choice", "number"];
            let t = ao.choice("type", None, types, errs);
            let tp = ao.at("tolerance");
            let type_path = ao.at("type");
            if let Some(tv) = ao.get("tolerance") {
                tolerance = num_value(tv, &tp, 0.0, 1e12, errs).unwrap_or(0.0);
            }
            ao.finish(errs);
            if let (Some(t), Some(q)) = (t, &question) {
                let first = q.fields()[0].kind;
                if t != first {
                    errs.push(
                        &type_path,
                        format!("{} answers with a {first}, not a {t}", q.probe),
                    );
                }
            }
        }
    }
    let misconceptions = ids(o, "misconceptions", errs);
    Some(Predict {
        question: question?,
        tolerance,
        misconceptions,
    })
}

fn ids(o: &mut Obj, key: &'static str, errs: &mut Errors) -> Vec<String> {
    let path = o.at(key);
    let mut out: Vec<String> = Vec::new();
    if let Some(v) = o.get(key) {
        for (i, m) in array(v, &path, 20, errs)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let p = format!("{path}[{i}]");
            if let Some(id) = id_value(m, &p, errs) {
                if out.contains(&id) {
                    errs.push(&p, format!("{} is listed twice", quoted(&id)));
                }
                out.push(id);
            }
        }
    }
    out
}

fn read_quiz(o: &mut Obj, errs: &mut Errors) -> Option<Quiz> {
    let ip = o.at("items");
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(list) = o
        .required("items", errs)
        .and_then(|v| array(v, &ip, 50, errs))
    {
        if list.is_empty() {
            errs.push(&ip, "a quiz needs at least one item");
        }
        for (i, item) in list.iter().enumerate() {
            let p = format!("{ip}[{i}]");
            let Some(mut io) = Obj::of(item, &p, errs) else {
                continue;
            };
            let id = read_id(&mut io, "id", errs);
            let choices = ids(&mut io, "choices", errs);
            if choices.len() < 2 {
                errs.push(
                    &io.at("choices"),
                    format!("{} choices; at least 2", choices.len()),
                );
            }
            io.finish(errs);
            if let Some(id) = id {
                if items.iter().any(|(x, _)| *x == id) {
                    errs.push(
                        &format!("{p}.id"),
                        format!("{} is the id of another item", quoted(&id)),
                    );
                }
                items.push((id, choices));
            }
        }
    }
    let kp = o.at("key");
    let mut key = BTreeMap::new();
    if let Some(k) = o.required("key", errs) {
        match k.as_object() {
            None => errs.push(
                &kp,
                format!("expected an object {{item: choice}}, got {}", shown(k)),
            ),
            Some(map) => {
                for (item, choice) in map {
                    let p = crate::sim::base::json::join(&kp, item);
                    match (items.iter().find(|(x, _)| x == item), choice.as_str()) {
                        (None, _) => {
                            errs.push(&p, format!("{} is not an item of this quiz", quoted(item)))
                        }
                        (Some((_, cs)), Some(c)) if cs.iter().any(|x| x == c) => {
                            key.insert(item.clone(), c.to_string());
                        }
                        (Some((_, cs)), _) => errs.push(
                            &p,
                            format!(
                                "{} is not one of this item's choices ({})",
                                shown(choice),
                                cs.join(", ")
                            ),
                        ),
                    }
                }
                for (item, _) in &items {
                    if !map.contains_key(item) {
                        errs.push(
                            &kp,
                            format!("item {} has no answer in the key", quoted(item)),
                        );
                    }
                }
            }
        }
    }
    Some(Quiz { items, key })
}

fn read_exercise(
    v: &Value,
    path: &str,
    lesson: &str,
    start: Option<&Start>,
    errs: &mut Errors,
) -> Option<Exercise> {
    let mut o = Obj::of(v, path, errs)?;
    let id = read_id(&mut o, "id", errs);
    let kind = o.choice("kind", None, &["task", "predict", "quiz"], errs);
    let sp = o.at("start");
    let start = match o.get("start") {
        Some(s) => read_start(s, &sp, true, errs),
        None => start.cloned(),
    };
    let controls = words(
        &mut o,
        "controls",
        &controls::names(),
        Some(DEFAULT_CONTROLS),
        errs,
    );
    if let Some(start) = &start {
        if start.seed != Seed::Any {
            if let Some(i) = controls.iter().position(|c| c == SEED) {
                errs.push(
                    &format!("{}[{i}]", o.at("controls")),
                    "\"seed\" is only allowed where the exercise's start has \"seed\": \"any\"",
                );
            }
        }
    }
    let body = match (kind?, &start) {
        ("task", Some(s)) => read_task(&mut o, s, errs).map(Body::Task),
        ("predict", Some(s)) => read_predict(&mut o, s, errs).map(Body::Predict),
        ("quiz", _) => read_quiz(&mut o, errs).map(Body::Quiz),
        _ => None,
    };
    o.finish(errs);
    let kind = match body.as_ref()? {
        Body::Task(_) => Kind::Task,
        Body::Predict(_) => Kind::Predict,
        Body::Quiz(_) => Kind::Quiz,
    };
    Some(Exercise {
        id: id?,
        lesson: lesson.to_string(),
        kind,
        start: start?,
        controls,
        body: body?,
    })
}

/// Reads a lesson file; `id` is the one the index names it by (its file name).
pub fn read_lesson(text: &str, id: &str, errs: &mut Errors) -> Option<Lesson> {
    let v = parse_text(text, "").map_err(|e| errs.0.extend(e.0)).ok()?;
    let mut o = Obj::of(&v, "", errs)?;
    let own = read_id(&mut o, "id", errs);
    if let Some(own) = &own {
        if own != id {
            errs.push(
                "id",
                format!(
                    "{} differs from the file's name {}: they must be the same",
                    quoted(own),
                    quoted(id)
                ),
            );
        }
    }
    let concept = o.choice("concept", None, CONCEPTS, errs);
    let start = o
        .required("start", errs)
        .and_then(|s| read_start(s, "start", false, errs));
    let mut exercises: Vec<Exercise> = Vec::new();
    if let Some(list) = o
        .get("exercises")
        .and_then(|v| array(v, "exercises", EXERCISES_MAX, errs))
    {
        for (i, e) in list.iter().enumerate() {
            let p = format!("exercises[{i}]");
            if let Some(x) = read_exercise(e, &p, id, start.as_ref(), errs) {
                if exercises.iter().any(|y| y.id == x.id) {
                    errs.push(
                        &format!("{p}.id"),
                        format!("{} is the id of another exercise", quoted(&x.id)),
                    );
                }
                exercises.push(x);
            }
        }
    }
    let mut steps: Vec<Step> = Vec::new();
    if let Some(start) = &start {
        if let Some(list) = o
            .required("steps", errs)
            .and_then(|v| array(v, "steps", STEPS_MAX, errs))
        {
            if list.is_empty() {
                errs.push("steps", "a lesson needs at least one step");
            }
            for (i, s) in list.iter().enumerate() {
                let p = format!("steps[{i}]");
                let Some(step) = read_step(s, &p, start, errs) else {
                    continue;
                };
                if steps.iter().any(|x| x.id == step.id) {
                    errs.push(
                        &format!("{p}.id"),
                        format!("{} is the id of another step", quoted(&step.id)),
                    );
                }
                let kind_of = |x: &str| exercises.iter().find(|e| e.id == x).map(|e| e.kind);
                let listed = exercises
                    .iter()
                    .map(|e| e.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Some(x) = &step.prediction {
                    match kind_of(x) {
                        Some(Kind::Predict | Kind::Quiz) => {}
                        Some(Kind::Task) => errs.push(
                            &format!("{p}.prediction"),
                            format!(
                                "{} is a task; a prediction is a predict or quiz exercise",
                                quoted(x)
                            ),
                        ),
                        None => errs.push(
                            &format!("{p}.prediction"),
                            format!("{} is not an exercise of this lesson ({listed})", quoted(x)),
                        ),
                    }
                }
                if let Some(x) = &step.exercise {
                    if kind_of(x).is_none() {
                        errs.push(
                            &format!("{p}.exercise"),
                            format!("{} is not an exercise of this lesson ({listed})", quoted(x)),
                        );
                    }
                }
                steps.push(step);
            }
        }
    } else {
        o.allow("steps");
    }
    o.finish(errs);
    Some(Lesson {
        id: own?,
        concept: concept?.to_string(),
        start: start?,
        steps,
        exercises,
        texts: BTreeMap::new(),
    })
}
