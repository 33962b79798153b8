//! What the CLI and the page ask of lessons: the menu, a lesson with its texts merged, an
//! exercise's start, a live goal check, a prediction's question and its grading. Texts come
//! from the lesson's locale, English where it has none.

use serde::Serialize;
use serde_json::{json, Value};

use super::check::{GoalCheck, Live};
use super::goal::Condition;
use super::msg::msg;
use super::parse::{Body, Exercise, Lesson, Seed};
use super::probe::{self, Part};
use super::text::{at, fill, texts};
use super::{catalogue, Catalogue};
use crate::sim::base::json::{quoted, Errors};
use crate::sim::scenario::parse_scenario;
use crate::sim::World;

#[derive(Serialize)]
pub struct MenuEntry {
    pub id: String,
    pub concept: String,
    pub title: String,
    pub summary: String,
    pub steps: usize,
    pub exercises: Vec<String>,
}

#[derive(Serialize)]
pub struct ExerciseEntry {
    pub id: String,
    pub lesson: String,
    pub kind: &'static str,
    pub title: String,
}

fn lesson_of<'a>(c: &'a Catalogue, e: &Exercise) -> &'a Lesson {
    c.lesson(&e.lesson)
        .expect("an exercise's lesson is in the catalogue")
}

fn title(t: &Value, path: &[&str], fallback: &str) -> String {
    at(t, path).unwrap_or(fallback).to_string()
}

/// The menu: every lesson in index order, with its concept, English title and exercise ids.
pub fn menu(locale: &str) -> Vec<MenuEntry> {
    catalogue()
        .lessons
        .iter()
        .map(|l| {
            let t = texts(l, locale);
            MenuEntry {
                id: l.id.clone(),
                concept: l.concept.clone(),
                title: title(&t, &["title"], &l.id),
                summary: title(&t, &["summary"], ""),
                steps: l.steps.len(),
                exercises: l.exercises.iter().map(|e| e.id.clone()).collect(),
            }
        })
        .collect()
}

/// Every exercise: id, lesson, kind, title.
pub fn exercises(locale: &str) -> Vec<ExerciseEntry> {
    let c = catalogue();
    c.exercises()
        .map(|e| {
            let t = texts(lesson_of(c, e), locale);
            ExerciseEntry {
                id: e.id.clone(),
                lesson: e.lesson.clone(),
                kind: e.kind.as_str(),
                title: title(&t, &["exercises", &e.id, "title"], &e.id),
            }
        })
        .collect()
}

fn start_json(s: &super::Start) -> Value {
    json!({
        "preset": s.preset,
        "seed": match s.seed { Seed::Fixed(n) => Value::from(n.to_string()), Seed::Any => "any".into() },
    })
}

/// The text of one condition in `locale` (`t`: the lesson's texts in it), filled.
pub fn condition_text(t: &Value, e: &Exercise, c: &Condition, locale: &str) -> String {
    at(t, &["exercises", &e.id, "conditions", &c.id])
        .map(|s| fill(s, &c.placeholders(locale)))
        .unwrap_or_else(|| c.default_text(locale))
}

/// One lesson as the page gets it: its structure with the texts of `locale` merged in (English
/// where a string is not translated). Answers are left out: a quiz's key, a prediction's truth.
pub fn lesson_view(id: &str, locale: &str) -> Result<Value, Errors> {
    let c = catalogue();
    let l = c.lesson(id).ok_or_else(|| c.unknown_lesson(id))?;
    let t = texts(l, locale);
    let steps: Vec<Value> = l
        .steps
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "title": at(&t, &["steps", &s.id, "title"]),
                "text": t.pointer(&format!("/steps/{}/text", s.id)).cloned().unwrap_or(Value::Array(vec![])),
                "show": s.show,
                "controls": s.controls,
                "on_entry": s.on_entry,
                "prediction": s.prediction,
                "exercise": s.exercise,
            })
        })
        .collect();
    let exercises: Vec<Value> = l
        .exercises
        .iter()
        .map(|e| {
            let et = t.pointer(&format!("/exercises/{}", e.id)).cloned().unwrap_or(Value::Null);
            let mut v = json!({
                "id": e.id,
                "kind": e.kind.as_str(),
                "title": et.get("title"),
                "start": start_json(&e.start),
                "controls": e.controls,
            });
            let o = v.as_object_mut().expect("an object");
            match &e.body {
                Body::Task(task) => {
                    o.insert("run_seconds".into(), task.run_seconds.into());
                    o.insert("task".into(), et.get("task").cloned().unwrap_or(Value::Null));
                    o.insert("hints".into(), et.get("hints").cloned().unwrap_or(json!([])));
                    o.insert("done".into(), et.get("done").cloned().unwrap_or(Value::Null));
                    let conds: Vec<Value> = task
                        .goal
                        .iter()
                        .map(|c| json!({"id": c.id, "metric": c.metric.name, "text": condition_text(&t, e, c, locale)}))
                        .collect();
                    o.insert("conditions".into(), conds.into());
                }
                Body::Predict(p) => {
                    o.insert("probe".into(), p.question.probe.into());
                    o.insert("fields".into(), serde_json::to_value(p.question.fields()).unwrap_or_default());
                    o.insert("tolerance".into(), p.tolerance.into());
                }
                Body::Quiz(q) => {
                    let items: Vec<Value> = q
                        .items
                        .iter()
                        .map(|(id, choices)| {
                            json!({
                                "id": id,
                                "text": et.pointer(&format!("/items/{id}/text")),
                                "choices": choices.iter().map(|c| json!({"id": c, "text": et.pointer(&format!("/choices/{c}"))})).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    o.insert("items".into(), items.into());
                }
            }
            v
        })
        .collect();
    Ok(json!({
        "id": l.id,
        "locale": if l.texts.contains_key(locale) { locale } else { "en" },
        "concept": l.concept,
        "title": at(&t, &["title"]),
        "summary": at(&t, &["summary"]),
        "start": start_json(&l.start),
        "scenario": l.start.scenario_value(None),
        "steps": steps,
        "exercises": exercises,
    }))
}

/// A seed given as text: "" for the exercise's own.
pub fn parse_seed(seed: &str) -> Result<Option<u64>, Errors> {
    let s = seed.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<u64>().map(Some).map_err(|_| {
        Errors::one(
            "seed",
            format!("{} is not a whole number in 0..={}", quoted(s), u64::MAX),
        )
    })
}

pub fn exercise(id: &str) -> Result<&'static Exercise, Errors> {
    let c = catalogue();
    c.exercise(id).ok_or_else(|| c.unknown_exercise(id))
}

/// The scenario an exercise starts from, with `seed` where its seed is "any" ("" = its own).
pub fn exercise_start(id: &str, seed: &str) -> Result<Value, Errors> {
    Ok(exercise(id)?.start.scenario_value(parse_seed(seed)?))
}

/// A world of the exercise's start.
pub fn start_world(e: &Exercise, seed: Option<u64>) -> World {
    let text = e.start.scenario_value(seed).to_string();
    World::new(parse_scenario(&text).expect("validated with the lesson"))
}

/// A task's goal check on `w`, with its texts in `locale`.
pub fn goal_check(e: &Exercise, w: &World, locale: &str) -> Result<GoalCheck, Errors> {
    let Body::Task(task) = &e.body else {
        return Err(Errors::one(
            "exercise",
            format!(
                "{} is a {}, not a task: it has no goal to check live",
                quoted(&e.id),
                e.kind.as_str()
            ),
        ));
    };
    let t = texts(lesson_of(catalogue(), e), locale);
    let conds = task
        .goal
        .iter()
        .map(|c| (c.clone(), condition_text(&t, e, c, locale)))
        .collect();
    let done = at(&t, &["exercises", &e.id, "done"])
        .map_or_else(|| msg(locale, "goal_done", &[]), str::to_string);
    Ok(GoalCheck::new(w, conds, task.run_seconds, done, locale))
}

/// Live checking of task `id` on `w` (the page's `set_exercise`).
pub fn live(id: &str, w: &World, locale: &str) -> Result<Live, Errors> {
    goal_check(exercise(id)?, w, locale).map(Live::new)
}

/// A prediction's question for `seed`: `{exercise, question, fields, choices, unit}`.
pub fn predict(id: &str, seed: &str, locale: &str) -> Result<Value, Errors> {
    let e = exercise(id)?;
    let Body::Predict(p) = &e.body else {
        return Err(Errors::one(
            "exercise",
            format!("{} is a {}, not a prediction", quoted(id), e.kind.as_str()),
        ));
    };
    let truth = probe::truth_in(&p.question, start_world(e, parse_seed(seed)?), locale)
        .map_err(|why| Errors::one("question", why))?;
    let t = texts(lesson_of(catalogue(), e), locale);
    let asked: Vec<(&str, String)> = truth
        .placeholders
        .iter()
        .filter(|(k, _)| !p.question.fields().iter().any(|f| f.name == *k))
        .cloned()
        .collect();
    let question = at(&t, &["exercises", id, "question"]).map(|q| fill(q, &asked));
    let fields = p.question.fields();
    let choices: serde_json::Map<String, Value> = truth
        .choices
        .iter()
        .map(|(k, c)| (k.to_string(), json!(c)))
        .collect();
    Ok(json!({
        "exercise": id,
        "seed": e.start.scenario_value(parse_seed(seed)?).get("seed"),
        "question": question,
        "fields": fields,
        "choices": fields.iter().find(|f| f.kind == "choice").and_then(|f| choices.get(f.name)),
        "unit": fields.iter().find(|f| f.kind == "number").and_then(|f| f.unit),
        "tolerance": p.tolerance,
        "all_choices": choices,
    }))
}

/// A graded prediction or quiz.
#[derive(Clone, Debug, Serialize)]
pub struct Graded {
    pub passed: bool,
    pub earned: u64,
    pub total: u64,
    pub message: String,
    /// The right answer per field or item.
    pub correct: serde_json::Map<String, Value>,
    pub explanation: String,
    /// Per quiz item, its explanation; per wrong prediction, the misconceptions' texts.
    pub explanations: serde_json::Map<String, Value>,
}

fn message(parts: &[(String, bool, String, Value)], locale: &str) -> (u64, String) {
    let earned = parts.iter().filter(|p| p.1).count() as u64;
    let wrong: Vec<String> = parts
        .iter()
        .filter(|p| !p.1)
        .map(|(f, _, right, given)| match given {
            Value::Null => msg(
                locale,
                "grade_no_answer",
                &[("field", f.clone()), ("right", right.clone())],
            ),
            g => msg(
                locale,
                "grade_wrong",
                &[
                    ("field", f.clone()),
                    ("given", g.as_str().map_or(g.to_string(), String::from)),
                    ("right", right.clone()),
                ],
            ),
        })
        .collect();
    let n = ("n", parts.len().to_string());
    let m = if wrong.is_empty() {
        msg(locale, "grade_all_right", &[n])
    } else {
        msg(
            locale,
            "grade_some_right",
            &[
                ("earned", earned.to_string()),
                n,
                ("wrong", wrong.join(&msg(locale, "separator", &[]))),
            ],
        )
    };
    (earned, m)
}

/// Grades `answers` for a prediction (at `seed`) or a quiz.
pub fn grade_value(
    e: &Exercise,
    seed: Option<u64>,
    answers: &Value,
    locale: &str,
) -> Result<Graded, Errors> {
    let t = texts(lesson_of(catalogue(), e), locale);
    let et = t
        .pointer(&format!("/exercises/{}", e.id))
        .cloned()
        .unwrap_or(Value::Null);
    match &e.body {
        Body::Predict(p) => {
            let truth = probe::truth_in(&p.question, start_world(e, seed), locale)
                .map_err(|why| Errors::one("question", why))?;
            let parts: Vec<Part> = probe::grade(&truth, answers, p.tolerance);
            let rows: Vec<(String, bool, String, Value)> = parts
                .iter()
                .map(|x| {
                    (
                        x.field.to_string(),
                        x.correct,
                        x.answer.words(),
                        x.given.clone(),
                    )
                })
                .collect();
            let (earned, message) = message(&rows, locale);
            let passed = earned == rows.len() as u64;
            let explanations = if passed {
                serde_json::Map::new()
            } else {
                p.misconceptions
                    .iter()
                    .map(|m| {
                        (
                            m.clone(),
                            et.pointer(&format!("/misconceptions/{m}"))
                                .cloned()
                                .unwrap_or(Value::Null),
                        )
                    })
                    .collect()
            };
            Ok(Graded {
                passed,
                earned,
                total: rows.len() as u64,
                message,
                correct: parts
                    .iter()
                    .map(|x| {
                        (
                            x.field.to_string(),
                            serde_json::to_value(&x.answer).unwrap_or_default(),
                        )
                    })
                    .collect(),
                explanation: et
                    .get("explanation")
                    .and_then(Value::as_str)
                    .map(|s| fill(s, &truth.placeholders))
                    .unwrap_or_default(),
                explanations,
            })
        }
        Body::Quiz(q) => {
            let rows: Vec<(String, bool, String, Value)> = q
                .items
                .iter()
                .map(|(id, _)| {
                    let right = q.key.get(id).cloned().unwrap_or_default();
                    let given = answers.get(id).cloned().unwrap_or(Value::Null);
                    (
                        id.clone(),
                        given.as_str() == Some(right.as_str()),
                        right,
                        given,
                    )
                })
                .collect();
            let (earned, message) = message(&rows, locale);
            Ok(Graded {
                passed: earned == rows.len() as u64,
                earned,
                total: rows.len() as u64,
                message,
                correct: q
                    .key
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                    .collect(),
                explanation: String::new(),
                explanations: q
                    .items
                    .iter()
                    .map(|(id, _)| {
                        (
                            id.clone(),
                            et.pointer(&format!("/items/{id}/explanation"))
                                .cloned()
                                .unwrap_or(Value::Null),
                        )
                    })
                    .collect(),
            })
        }
        Body::Task(_) => Err(Errors::one(
            "exercise",
            format!("{} is a task: check it with check_attempt", quoted(&e.id)),
        )),
    }
}

/// `grade(id, seed, answers_json)` of the facade.
pub fn grade(id: &str, seed: &str, answers: &str, locale: &str) -> Result<Graded, Errors> {
    let e = exercise(id)?;
    let v = crate::sim::base::json::parse_text(answers, "answers")?;
    grade_value(e, parse_seed(seed)?, &v, locale)
}
