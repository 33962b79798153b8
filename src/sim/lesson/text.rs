//! Lesson texts (`lessons/text/<locale>/<id>.json`): plain paragraphs, apart from the structure so
//! a translation can follow. English is the source: every string the lesson needs must be there;
//! a translation has the same shape, any string left out falls back to English, and it may not
//! have a key English lacks. Placeholders `{name}` are filled by the core and must be known.

use serde_json::{Map, Value};

use super::goal::CONDITION_PLACEHOLDERS;
pub use super::msg::placeholders;
use super::parse::{Body, Lesson};
use crate::sim::base::json::{join, parse_text, quoted, shown, Errors};

/// The shape texts must have.
#[derive(Clone, Debug)]
pub enum Shape {
    /// A string, with the placeholders it may use.
    Text(Vec<&'static str>),
    /// One or more paragraphs.
    Paragraphs,
    /// Exactly this many strings.
    List(usize),
    /// These keys (an empty map may be left out).
    Map(Vec<(String, Shape)>),
}

fn text() -> Shape {
    Shape::Text(Vec::new())
}

fn map(entries: Vec<(&str, Shape)>) -> Shape {
    Shape::Map(
        entries
            .into_iter()
            .map(|(k, s)| (k.to_string(), s))
            .collect(),
    )
}

/// The texts lesson `l` needs.
pub fn shape(l: &Lesson) -> Shape {
    let steps = l
        .steps
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                map(vec![("title", text()), ("text", Shape::Paragraphs)]),
            )
        })
        .collect();
    let exercises = l
        .exercises
        .iter()
        .map(|e| {
            let s = match &e.body {
                Body::Task(t) => map(vec![
                    ("title", text()),
                    ("task", Shape::Paragraphs),
                    ("hints", Shape::List(t.hints as usize)),
                    ("done", text()),
                    (
                        "conditions",
                        Shape::Map(
                            t.goal
                                .iter()
                                .map(|c| {
                                    (c.id.clone(), Shape::Text(CONDITION_PLACEHOLDERS.to_vec()))
                                })
                                .collect(),
                        ),
                    ),
                ]),
                Body::Predict(p) => {
                    let names = p.question.placeholder_names();
                    // The question is asked before the run: it may not name an answer (it
                    // would stay unfilled, or give the answer away).
                    let fields = p.question.fields();
                    let asked: Vec<&'static str> = names
                        .iter()
                        .copied()
                        .filter(|n| !fields.iter().any(|f| f.name == *n))
                        .collect();
                    map(vec![
                        ("title", text()),
                        ("question", Shape::Text(asked)),
                        ("explanation", Shape::Text(names)),
                        (
                            "misconceptions",
                            Shape::Map(
                                p.misconceptions
                                    .iter()
                                    .map(|m| (m.clone(), text()))
                                    .collect(),
                            ),
                        ),
                    ])
                }
                Body::Quiz(q) => {
                    let mut choices: Vec<String> =
                        q.items.iter().flat_map(|(_, c)| c.clone()).collect();
                    choices.sort();
                    choices.dedup();
                    map(vec![
                        ("title", text()),
                        (
                            "items",
                            Shape::Map(
                                q.items
                                    .iter()
                                    .map(|(id, _)| {
                                        (
                                            id.clone(),
                                            map(vec![("text", text()), ("explanation", text())]),
                                        )
                                    })
                                    .collect(),
                            ),
                        ),
                        (
                            "choices",
                            Shape::Map(choices.into_iter().map(|c| (c, text())).collect()),
                        ),
                    ])
                }
            };
            (e.id.clone(), s)
        })
        .collect();
    map(vec![
        ("title", text()),
        ("summary", text()),
        ("steps", Shape::Map(steps)),
        ("exercises", Shape::Map(exercises)),
    ])
}

fn check_text(v: &Value, path: &str, allowed: &[&str], errs: &mut Errors) {
    let Some(s) = v.as_str() else {
        errs.push(
            path,
            format!("expected a string of plain text, got {}", shown(v)),
        );
        return;
    };
    if s.trim().is_empty() {
        errs.push(path, "empty: write the text");
    }
    let b = s.as_bytes();
    if b.windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
    {
        errs.push(
            path,
            format!(
                "{} looks like HTML: texts are plain text, shown as written",
                shown(v)
            ),
        );
    }
    for p in placeholders(s) {
        if !allowed.contains(&p) {
            let known = if allowed.is_empty() {
                "none here".to_string()
            } else {
                allowed.join(", ")
            };
            errs.push(
                path,
                format!("{{{p}}} is not a placeholder known here (known: {known})"),
            );
        }
    }
}

/// Checks `v` against `shape`; `required`: every string must be there (English).
pub fn check(v: &Value, shape: &Shape, path: &str, required: bool, errs: &mut Errors) {
    match shape {
        Shape::Text(allowed) => check_text(v, path, allowed, errs),
        Shape::Paragraphs | Shape::List(_) => {
            let Some(items) = v.as_array() else {
                errs.push(
                    path,
                    format!("expected a list of paragraphs (strings), got {}", shown(v)),
                );
                return;
            };
            match shape {
                Shape::List(n) if items.len() != *n => errs.push(
                    path,
                    format!(
                        "{} strings; the exercise has \"hints\": {n}, so exactly {n}",
                        items.len()
                    ),
                ),
                Shape::Paragraphs if items.is_empty() => errs.push(path, "at least one paragraph"),
                _ => {}
            }
            for (i, it) in items.iter().enumerate() {
                check_text(it, &format!("{path}[{i}]"), &[], errs);
            }
        }
        Shape::Map(entries) => {
            let Some(obj) = v.as_object() else {
                errs.push(path, format!("expected an object, got {}", shown(v)));
                return;
            };
            for (k, s) in entries {
                let p = join(path, k);
                match obj.get(k) {
                    Some(x) => check(x, s, &p, required, errs),
                    None if required && !matches!(s, Shape::Map(e) if e.is_empty()) => errs.push(
                        &p,
                        "missing: every string needs its English text".to_string(),
                    ),
                    None => {}
                }
            }
            for k in obj.keys() {
                if !entries.iter().any(|(e, _)| e == k) {
                    let allowed: Vec<&str> = entries.iter().map(|(e, _)| e.as_str()).collect();
                    errs.push(
                        &join(path, k),
                        format!(
                            "{} is not a key of this lesson here (allowed: {})",
                            quoted(k),
                            if allowed.is_empty() {
                                "none".into()
                            } else {
                                allowed.join(", ")
                            }
                        ),
                    );
                }
            }
        }
    }
}

/// Reads and checks one text file of lesson `l`.
pub fn read_texts(text: &str, l: &Lesson, english: bool, errs: &mut Errors) -> Option<Value> {
    let v = parse_text(text, "").map_err(|e| errs.0.extend(e.0)).ok()?;
    let before = errs.len();
    check(&v, &shape(l), "", english, errs);
    (errs.len() == before).then_some(v)
}

/// `over` laid over `base`, key by key (a translation over English).
pub fn merge(base: &Value, over: Option<&Value>) -> Value {
    match (base, over) {
        (Value::Object(b), Some(Value::Object(o))) => {
            let mut out = Map::new();
            for (k, v) in b {
                out.insert(k.clone(), merge(v, o.get(k)));
            }
            Value::Object(out)
        }
        (_, Some(o)) => o.clone(),
        (b, None) => b.clone(),
    }
}

/// The lesson's texts in `locale`, English where it has none.
pub fn texts(l: &Lesson, locale: &str) -> Value {
    let en = l.texts.get("en").cloned().unwrap_or(Value::Null);
    merge(&en, l.texts.get(locale))
}

/// The string at `path` of `texts`, if there is one.
pub fn at<'a>(texts: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(texts, |v, k| v.get(k))?.as_str()
}

/// `s` with each `{name}` replaced.
pub fn fill(s: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(s.to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}
