//! Predictions: a question's answer is computed by running the core from the exercise's start,
//! so it always matches what happens; a numeric answer is graded with a tolerance.
//!
//! Probes: `shard_of_key` (which shard a key lands on; a `{"seeded": "player-{n}", "n_max": N}`
//! key changes with the seed), `accepted_per_second` (records a producer or stream gets accepted
//! a second, once steady), `first_object` (when the first object lands in S3, and whether size or
//! time triggered it), `reaction_delay` (how much later a batch job raises its first alert than a
//! streaming consumer), `metric_at` (any catalogue metric at the end of a given second).

use serde::Serialize;
use serde_json::Value;

use super::goal::number;
use super::metric::{self, index_of, Metric, Previous, Source, Target};
use super::msg::msg;
use crate::sim::base::json::{shown, Errors, Obj};
use crate::sim::base::limits::{Limit, Unit};
use crate::sim::base::names::Names;
use crate::sim::base::rng::mix64;
use crate::sim::World;

pub const PROBES: &[&str] = &[
    "shard_of_key",
    "accepted_per_second",
    "first_object",
    "reaction_delay",
    "metric_at",
];

/// How long a probe may run, simulated seconds: at most 8 days (past the longest retention a
/// lesson would wait for); within that, the work budget [`PROBE_WORK_MAX`] decides.
pub const PROBE_SECONDS: Limit = Limit::required(1, 8 * 86_400, Unit::Seconds);

/// What a probe may cost, in record visits ([`crate::sim::budget::Load::work_per_second`] ×
/// seconds): about ten seconds natively, longer in the browser. A cheap scene (20 records/s,
/// one reader, 1 s ticks) goes days; the busiest presets a few minutes.
pub const PROBE_WORK_MAX: u64 = 150_000_000;

fn seconds_limit(default: u64) -> Limit {
    Limit {
        default: Some(default),
        ..PROBE_SECONDS
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Key {
    Fixed(String),
    /// `{n}` in the pattern becomes a number in 0..=n_max chosen by the seed.
    Seeded {
        pattern: String,
        n_max: u64,
    },
}

#[derive(Clone, Debug)]
pub struct Question {
    pub probe: &'static str,
    pub stream: Option<String>,
    pub producer: Option<String>,
    pub consumer: Option<String>,
    pub delivery_stream: Option<String>,
    pub key: Option<Key>,
    pub seconds: Option<u64>,
    pub metric: Option<&'static Metric>,
}

/// One part of an answer.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Field {
    pub name: &'static str,
    /// `choice` or `number`.
    pub kind: &'static str,
    pub unit: Option<&'static str>,
}

/// A right answer part.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    Choice(String),
    Number(f64),
}

impl Answer {
    pub fn words(&self) -> String {
        match self {
            Answer::Choice(s) => s.clone(),
            Answer::Number(x) => number(*x),
        }
    }
}

/// What the run says: the question's placeholders, the choices, and the right answers.
#[derive(Clone, Debug)]
pub struct Truth {
    pub placeholders: Vec<(&'static str, String)>,
    /// Choices per choice field.
    pub choices: Vec<(&'static str, Vec<String>)>,
    pub answers: Vec<(&'static str, Answer)>,
}

impl Question {
    pub fn fields(&self) -> Vec<Field> {
        let f = |name, kind, unit| Field { name, kind, unit };
        match self.probe {
            "shard_of_key" => vec![f("shard", "choice", None)],
            "accepted_per_second" => vec![f("records_per_second", "number", Some("records/s"))],
            "first_object" => vec![
                f("seconds", "number", Some("s")),
                f("trigger", "choice", None),
            ],
            "reaction_delay" => vec![f("seconds", "number", Some("s"))],
            _ => vec![f("value", "number", self.metric.map(|m| m.unit))],
        }
    }

    /// The placeholder names its texts may use.
    pub fn placeholder_names(&self) -> Vec<&'static str> {
        // Only what this question fills: a `{stream}` in a question about a producer stayed
        // in the student's text as the literal "{stream}".
        let given = [
            ("stream", self.stream.is_some()),
            ("producer", self.producer.is_some()),
            ("consumer", self.consumer.is_some()),
            ("delivery_stream", self.delivery_stream.is_some()),
            ("key", self.key.is_some()),
            ("seconds", self.seconds.is_some()),
            ("metric", self.metric.is_some()),
        ];
        let mut out: Vec<&'static str> = given.iter().filter(|g| g.1).map(|g| g.0).collect();
        out.extend(self.fields().iter().map(|f| f.name));
        out
    }

    /// The key asked about, for `seed`.
    pub fn key_for(&self, seed: u64) -> Option<String> {
        match self.key.as_ref()? {
            Key::Fixed(k) => Some(k.clone()),
            Key::Seeded { pattern, n_max } => {
                let n = mix64(seed ^ 0x6b65_795f_7365_6564) % (n_max + 1);
                Some(pattern.replace("{n}", &n.to_string()))
            }
        }
    }
}

fn name_field(
    o: &mut Obj,
    key: &'static str,
    known: &[String],
    required: bool,
    errs: &mut Errors,
) -> Option<String> {
    let p = o.at(key);
    match o.get(key) {
        None if required && known.len() == 1 => Some(known[0].clone()),
        None if required => {
            errs.push(
                &p,
                format!(
                    "required: one of {}",
                    if known.is_empty() {
                        "(none in the start scenario)".into()
                    } else {
                        known.join(", ")
                    }
                ),
            );
            None
        }
        None => None,
        Some(v) => match v.as_str() {
            Some(s) if known.iter().any(|k| k == s) => Some(s.to_string()),
            _ => {
                errs.push(
                    &p,
                    format!(
                        "{} is not a {} of the start scenario ({})",
                        shown(v),
                        key.replace('_', " "),
                        known.join(", ")
                    ),
                );
                None
            }
        },
    }
}

/// Reads a question against the start scenario's names.
///
/// `work_per_second` is what a simulated second of the start costs (its busiest moment): a
/// question whose probe would pass [`PROBE_WORK_MAX`] is refused at its `seconds`, with the
/// limit. A question with any error is not built: a probe that cannot compute must never grade.
pub fn read_question(
    v: &Value,
    path: &str,
    names: &Names,
    work_per_second: u64,
    errs: &mut Errors,
) -> Option<Question> {
    let before = errs.len();
    let q = question_fields(v, path, names, errs)?;
    if let Some(s) = q.seconds {
        let work = s.saturating_mul(work_per_second);
        if work > PROBE_WORK_MAX {
            errs.push(
                &crate::sim::base::json::join(path, "seconds"),
                format!(
                    "{s} s × {work_per_second} record visits a second = {work}: more than a probe may run ({PROBE_WORK_MAX} record visits; at most {} s of this start)",
                    PROBE_WORK_MAX / work_per_second.max(1)
                ),
            );
        }
    }
    (errs.len() == before).then_some(q)
}

fn question_fields(v: &Value, path: &str, names: &Names, errs: &mut Errors) -> Option<Question> {
    let mut o = Obj::of(v, path, errs)?;
    let probe = o.choice("probe", None, PROBES, errs)?;
    let mut q = Question {
        probe,
        stream: None,
        producer: None,
        consumer: None,
        delivery_stream: None,
        key: None,
        seconds: None,
        metric: None,
    };
    match probe {
        "shard_of_key" => {
            q.stream = name_field(&mut o, "stream", &names.streams, true, errs);
            let kp = o.at("key");
            q.key = match o.required("key", errs) {
                Some(Value::String(s)) if !s.is_empty() && s.chars().count() <= 256 => {
                    Some(Key::Fixed(s.clone()))
                }
                Some(k @ Value::Object(_)) => {
                    let mut ko = Obj::of(k, &kp, errs)?;
                    let pattern = ko.text("seeded", None, 200, errs);
                    let n_max = ko.int(
                        "n_max",
                        Limit::required(1, 1_000_000_000, Unit::Count),
                        errs,
                    );
                    ko.finish(errs);
                    match (pattern, n_max) {
                        (Some(p), Some(n)) if p.contains("{n}") => Some(Key::Seeded {
                            pattern: p,
                            n_max: n,
                        }),
                        (Some(p), Some(_)) => {
                            errs.push(
                                &format!("{kp}.seeded"),
                                format!(
                                    "{} has no {{n}} for the seed's number",
                                    shown(&Value::String(p))
                                ),
                            );
                            None
                        }
                        _ => None,
                    }
                }
                Some(other) => {
                    errs.push(&kp, format!("{} is not a key: a partition key (1..=256 characters) or {{\"seeded\": \"player-{{n}}\", \"n_max\": 999}}", shown(other)));
                    None
                }
                None => None,
            };
            q.key.as_ref()?;
        }
        "accepted_per_second" => {
            q.producer = name_field(&mut o, "producer", &names.producers, false, errs);
            if q.producer.is_none() {
                q.stream = name_field(&mut o, "stream", &names.streams, true, errs);
            }
            q.seconds = o.int("seconds", Limit::new(4, 3_600, 20, Unit::Seconds), errs);
        }
        "first_object" => {
            q.delivery_stream = name_field(
                &mut o,
                "delivery_stream",
                &names.delivery_streams,
                true,
                errs,
            );
            q.seconds = o.int("seconds", seconds_limit(3_600), errs);
        }
        "reaction_delay" => {
            q.consumer = name_field(&mut o, "consumer", &names.consumers, true, errs);
            q.delivery_stream = name_field(
                &mut o,
                "delivery_stream",
                &names.delivery_streams,
                true,
                errs,
            );
            q.seconds = o.int("seconds", seconds_limit(7_200), errs);
        }
        _ => {
            let mp = o.at("metric");
            let m = o.required("metric", errs).and_then(|m| {
                let found = m.as_str().and_then(metric::metric);
                if found.is_none() {
                    errs.push(
                        &mp,
                        format!(
                            "{} is not a metric; one of {}",
                            shown(m),
                            metric::names().join(", ")
                        ),
                    );
                }
                found
            });
            q.metric = m;
            match m.map(|m| m.target) {
                Some(Target::Stream) => {
                    q.stream = name_field(&mut o, "stream", &names.streams, true, errs)
                }
                Some(Target::Producer) => {
                    q.producer = name_field(&mut o, "producer", &names.producers, true, errs)
                }
                Some(Target::Consumer) => {
                    q.consumer = name_field(&mut o, "consumer", &names.consumers, true, errs)
                }
                Some(Target::DeliveryStream) => {
                    q.delivery_stream = name_field(
                        &mut o,
                        "delivery_stream",
                        &names.delivery_streams,
                        true,
                        errs,
                    )
                }
                _ => {}
            }
            q.seconds = o.int("seconds", PROBE_SECONDS, errs);
        }
    }
    o.finish(errs);
    Some(q)
}

fn target_of(q: &Question) -> Option<(Target, &str)> {
    q.stream
        .as_deref()
        .map(|n| (Target::Stream, n))
        .or(q.producer.as_deref().map(|n| (Target::Producer, n)))
        .or(q.consumer.as_deref().map(|n| (Target::Consumer, n)))
        .or(q
            .delivery_stream
            .as_deref()
            .map(|n| (Target::DeliveryStream, n)))
}

/// Runs `w` a tick at a time until `done` says so or `seconds` have passed.
fn run_until(w: &mut World, seconds: u64, mut done: impl FnMut(&World) -> bool) -> bool {
    while w.now_ms < seconds * 1000 {
        w.step();
        if done(w) {
            return true;
        }
    }
    false
}

/// The answer, computed by running `w` (a fresh world of the exercise's start with the seed).
/// An error when the run cannot give it (no object, no alert, no value within the probe's
/// seconds): never a number to grade against.
pub fn truth(q: &Question, w: World) -> Result<Truth, String> {
    truth_in(q, w, "en")
}

/// [`truth`], with the reason it cannot be given in `locale`.
pub fn truth_in(q: &Question, mut w: World, locale: &str) -> Result<Truth, String> {
    let mut t = Truth {
        placeholders: Vec::new(),
        choices: Vec::new(),
        answers: Vec::new(),
    };
    for (k, v) in [
        ("stream", &q.stream),
        ("producer", &q.producer),
        ("consumer", &q.consumer),
        ("delivery_stream", &q.delivery_stream),
    ] {
        if let Some(v) = v {
            t.placeholders.push((k, v.clone()));
        }
    }
    if let Some(s) = q.seconds {
        t.placeholders.push(("seconds", s.to_string()));
    }
    if let Some(m) = q.metric {
        t.placeholders.push(("metric", m.name.to_string()));
    }
    match q.probe {
        "shard_of_key" => {
            let key = q.key_for(w.seed).unwrap_or_default();
            let si = q
                .stream
                .as_deref()
                .and_then(|s| w.stream_index(s))
                .unwrap_or(0);
            let s = &w.streams[si];
            let shard = s.shards[s.route(crate::sim::base::hash::hash_key(&key))].shard_id();
            t.choices
                .push(("shard", s.shards.iter().map(|sh| sh.shard_id()).collect()));
            t.placeholders.push(("key", key));
            t.answers.push(("shard", Answer::Choice(shard)));
        }
        "accepted_per_second" => {
            let seconds = q.seconds.unwrap_or(20);
            let (target, name) = target_of(q).unwrap_or((Target::Stream, ""));
            let i = index_of(&w, target, name).unwrap_or(0);
            let from = seconds / 2;
            let mut sum = 0u64;
            run_until(&mut w, seconds, |w| {
                if w.now_ms % 1000 == 0 && w.now_ms / 1000 > from {
                    sum += match target {
                        Target::Producer => w.producers[i].last_second.accepted,
                        _ => w.metrics[i].back().map_or(0, |m| m.incoming_records),
                    };
                }
                false
            });
            let mean = sum as f64 / (seconds - from) as f64;
            t.answers
                .push(("records_per_second", Answer::Number(mean.round())));
        }
        "first_object" => {
            let name = q.delivery_stream.clone().unwrap_or_default();
            let fi = index_of(&w, Target::DeliveryStream, &name).unwrap_or(0);
            let data = |w: &World| {
                w.firehoses[fi]
                    .objects
                    .iter()
                    .find(|o| o.error.is_none())
                    .cloned()
            };
            run_until(&mut w, q.seconds.unwrap_or(3_600), |w| data(w).is_some());
            let Some(o) = data(&w) else {
                return Err(msg(
                    locale,
                    "probe_no_object",
                    &[
                        ("delivery_stream", name),
                        ("seconds", q.seconds.unwrap_or(3_600).to_string()),
                    ],
                ));
            };
            let seconds = (o.delivered_ms as f64 / 1000.0 * 10.0).round() / 10.0;
            let trigger = if o.trigger == "size" { "size" } else { "time" };
            t.choices
                .push(("trigger", vec!["size".into(), "time".into()]));
            t.answers.push(("seconds", Answer::Number(seconds)));
            t.answers.push(("trigger", Answer::Choice(trigger.into())));
        }
        "reaction_delay" => {
            let c = q.consumer.clone().unwrap_or_default();
            let ci = index_of(&w, Target::Consumer, &c).unwrap_or(0);
            let d = q.delivery_stream.clone().unwrap_or_default();
            let fi = index_of(&w, Target::DeliveryStream, &d).unwrap_or(0);
            let first = |w: &World| {
                let s = w.consumers[ci].app.as_ref().and_then(|a| a.first_alert_ms);
                let b = w.firehoses[fi]
                    .batch
                    .as_ref()
                    .and_then(|b| b.first_alert_ms);
                (s, b)
            };
            run_until(&mut w, q.seconds.unwrap_or(7_200), |w| {
                matches!(first(w), (Some(_), Some(_)))
            });
            let v = match first(&w) {
                (Some(s), Some(b)) => (b as f64 - s as f64) / 1000.0,
                (s, _) => {
                    return Err(msg(
                        locale,
                        "probe_no_alert",
                        &[
                            ("name", if s.is_none() { c } else { d }),
                            ("seconds", q.seconds.unwrap_or(7_200).to_string()),
                        ],
                    ))
                }
            };
            t.answers.push(("seconds", Answer::Number(v.round())));
        }
        _ => {
            let seconds = q.seconds.unwrap_or(60);
            let mut v = None;
            if let (Some(m), Some((target, name))) =
                (q.metric, target_of(q).or(Some((Target::Ledger, ""))))
            {
                if let Some(index) = index_of(&w, target, name) {
                    let src = Source { metric: m, index };
                    let mut prev = Previous::of(&w);
                    run_until(&mut w, seconds, |w| {
                        if w.now_ms % 1000 == 0 {
                            if w.now_ms == seconds * 1000 {
                                v = metric::value(w, src, seconds - 1, &prev);
                            }
                            prev = Previous::of(w);
                        }
                        false
                    });
                }
            }
            let Some(v) = v else {
                // A metric_at question always names its metric (it is required).
                return Err(msg(
                    locale,
                    "probe_no_value",
                    &[
                        ("metric", q.metric.map_or("?", |m| m.name).to_string()),
                        ("seconds", seconds.to_string()),
                    ],
                ));
            };
            t.answers.push(("value", Answer::Number(v)));
        }
    }
    // An answer's placeholder wins over a question field of the same name: `{seconds}` in a
    // first object's explanation is when it landed, not how long the probe may run.
    let answered: Vec<&str> = t.answers.iter().map(|(k, _)| *k).collect();
    t.placeholders.retain(|(k, _)| !answered.contains(k));
    for (k, a) in &t.answers {
        t.placeholders.push((k, a.words()));
    }
    Ok(t)
}

/// One part graded.
#[derive(Clone, Debug, Serialize)]
pub struct Part {
    pub field: &'static str,
    pub correct: bool,
    pub answer: Answer,
    pub given: Value,
}

/// Grades `answers` (`{"shard": "…"}`) against the truth; a number within `tolerance` is right.
pub fn grade(t: &Truth, answers: &Value, tolerance: f64) -> Vec<Part> {
    t.answers
        .iter()
        .map(|(field, right)| {
            let given = answers.get(field).cloned().unwrap_or(Value::Null);
            let correct = match right {
                Answer::Choice(c) => given.as_str() == Some(c),
                Answer::Number(x) => given
                    .as_f64()
                    .or_else(|| given.as_str().and_then(|s| s.trim().parse().ok()))
                    .is_some_and(|g| (g - x).abs() <= tolerance + 1e-9),
            };
            Part {
                field,
                correct,
                answer: right.clone(),
                given,
            }
        })
        .collect()
}
