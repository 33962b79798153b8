//! Lessons and exercises (issue 9): guided scenes, predictions, quizzes and tasks whose goals are
//! checked against the run. The top layer: it reads presets and builds worlds.
//!
//! Lessons are data, embedded at build time (`build.rs` lists `lessons/*.json` and
//! `lessons/text/<locale>/*.json`): `lessons/index.json` gives the menu order, each
//! `lessons/<id>.json` a lesson's structure and exercises, `lessons/text/en/<id>.json` its English
//! prose (other locales fall back to it string by string). Everything is validated like a
//! scenario, every error naming the file, the field path, the value and what is allowed; the
//! built-in lessons are validated once ([`catalogue`]) and a test keeps them at zero errors.
//!
//! - [`controls`]: the control → command types table;
//! - [`metric`]: the metric catalogue goals are written in;
//! - [`goal`] and [`check`]: conditions, windows and the per-second [`check::GoalCheck`];
//! - [`parse`]: the lesson and exercise formats; [`text`]: the texts;
//! - [`probe`]: predictions computed by running the core, and grading;
//! - [`msg`]: the sentences the core composes for students, by locale
//!   (`lessons/messages/<locale>.json`);
//! - [`attempt`]: what `streamsim check` and "Check my answer" do with a downloaded run.

pub mod api;
pub mod attempt;
pub mod check;
pub mod controls;
pub mod goal;
pub mod ids;
pub mod metric;
pub mod msg;
pub mod parse;
pub mod probe;
pub mod text;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::sim::base::json::{quoted, Errors, Obj};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/lessons.rs"));
}

pub use ids::{id_value, is_id, read_id, ID_CHARS_MAX};
pub use parse::{Exercise, Kind, Lesson, Start};

/// The embedded lesson files: (path under `lessons/`, text).
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The lessons, validated: every lesson of the index that loads, and every error found in the
/// files (each path starts with the file, `lessons/hot-key.json:steps[2].show[1]`).
#[derive(Debug, Default)]
pub struct Catalogue {
    pub lessons: Vec<Lesson>,
    pub errors: Errors,
}

impl Catalogue {
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }

    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.lessons
            .iter()
            .flat_map(|l| &l.exercises)
            .find(|e| e.id == id)
    }

    pub fn exercises(&self) -> impl Iterator<Item = &Exercise> {
        self.lessons.iter().flat_map(|l| &l.exercises)
    }

    /// The error for an exercise id no lesson has.
    pub fn unknown_exercise(&self, id: &str) -> Errors {
        let ids: Vec<&str> = self.exercises().map(|e| e.id.as_str()).collect();
        Errors::one(
            "exercise",
            format!(
                "{} is not an exercise; one of {}",
                quoted(id),
                ids.join(", ")
            ),
        )
    }

    pub fn unknown_lesson(&self, id: &str) -> Errors {
        let ids: Vec<&str> = self.lessons.iter().map(|l| l.id.as_str()).collect();
        Errors::one(
            "lesson",
            format!("{} is not a lesson; one of {}", quoted(id), ids.join(", ")),
        )
    }
}

/// The built-in lessons, loaded and validated once.
pub fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| load(files()))
}

/// `file:path` — where an error in a lesson file is.
pub fn at_file(file: &str, errs: Errors) -> Errors {
    msg::at_path(&format!("lessons/{file}"), errs)
}

/// Loads lessons from files (path under `lessons/`, text): the index, each lesson it names, the
/// texts of each locale.
pub fn load(files: &[(&str, &str)]) -> Catalogue {
    let mut errors = Errors::default();
    let get = |p: &str| files.iter().find(|(f, _)| *f == p).map(|(_, t)| *t);
    let Some(index) = get("index.json") else {
        return Catalogue {
            lessons: Vec::new(),
            errors: Errors::one("lessons/index.json", "missing"),
        };
    };
    let ids = read_index(index, &mut errors);
    // Texts by locale, then lesson id.
    let mut texts: BTreeMap<String, BTreeMap<String, &str>> = BTreeMap::new();
    for (f, t) in files {
        let parts: Vec<&str> = f.split('/').collect();
        if let ["text", locale, name] = parts.as_slice() {
            if let Some(id) = name.strip_suffix(".json") {
                texts
                    .entry(locale.to_string())
                    .or_default()
                    .insert(id.to_string(), t);
            }
        }
    }
    let mut lessons: Vec<Lesson> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let file = format!("{id}.json");
        let Some(text) = get(&file) else {
            errors.push(
                &format!("lessons/index.json:lessons[{i}]"),
                format!("{} has no file lessons/{file}", quoted(id)),
            );
            continue;
        };
        let mut errs = Errors::default();
        let lesson = parse::read_lesson(text, id, &mut errs);
        errors.0.extend(at_file(&file, errs).0);
        let Some(mut lesson) = lesson else { continue };
        for (locale, by_id) in &texts {
            let Some(t) = by_id.get(id.as_str()) else {
                if locale == "en" {
                    errors.push(
                        &format!("lessons/text/en/{file}"),
                        "missing: every lesson needs its English texts",
                    );
                }
                continue;
            };
            let mut errs = Errors::default();
            if let Some(v) = text::read_texts(t, &lesson, locale == "en", &mut errs) {
                lesson.texts.insert(locale.clone(), v);
            }
            errors
                .0
                .extend(at_file(&format!("text/{locale}/{file}"), errs).0);
        }
        if !texts.contains_key("en") {
            errors.push(
                &format!("lessons/text/en/{file}"),
                "missing: every lesson needs its English texts",
            );
        }
        lessons.push(lesson);
    }
    // Exercise ids are unique across lessons.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for l in &lessons {
        for (j, e) in l.exercises.iter().enumerate() {
            if let Some(other) = seen.insert(e.id.clone(), l.id.clone()) {
                errors.push(
                    &format!("lessons/{}.json:exercises[{j}].id", l.id),
                    format!(
                        "{} is already an exercise of lesson {}",
                        quoted(&e.id),
                        quoted(&other)
                    ),
                );
            }
        }
    }
    for (f, _) in files {
        let top = !f.contains('/') && *f != "index.json";
        if top && !ids.iter().any(|id| format!("{id}.json") == *f) {
            errors.push(
                &format!("lessons/{f}"),
                "not named in lessons/index.json: add its id to \"lessons\"",
            );
        }
    }
    errors.0.extend(msg::errors().0.iter().cloned());
    Catalogue { lessons, errors }
}

fn read_index(text: &str, errors: &mut Errors) -> Vec<String> {
    let mut errs = Errors::default();
    let mut ids = Vec::new();
    if let Ok(v) = crate::sim::base::json::parse_text(text, "").map_err(|e| errs.0.extend(e.0)) {
        if let Some(mut o) = Obj::of(&v, "", &mut errs) {
            if let Some(list) = o.required("lessons", &mut errs) {
                if let Some(items) = crate::sim::base::json::array(list, "lessons", 200, &mut errs)
                {
                    for (i, item) in items.iter().enumerate() {
                        let p = format!("lessons[{i}]");
                        if let Some(id) = id_value(item, &p, &mut errs) {
                            if ids.contains(&id) {
                                errs.push(&p, format!("{} is listed twice", quoted(&id)));
                            } else {
                                ids.push(id);
                            }
                        }
                    }
                }
            }
            o.finish(&mut errs);
        }
    }
    errors.0.extend(at_file("index.json", errs).0);
    ids
}
