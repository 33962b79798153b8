//! Messages (`lessons/messages/<locale>.json`): every sentence the core composes for a student
//! comes from the table of the locale asked for. A pseudo-locale whose every piece of template
//! text is wrapped as ⟦…⟧ is run through every built-in exercise's attempts, every task's live
//! check and every probe: what is left outside ⟦…⟧ must be data (names, ids, numbers, the
//! lesson's own texts), so an English sentence still composed in code fails here. Translations
//! are checked: unknown keys, unknown or missing placeholders are named with file and key.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Once;

use serde_json::{json, Value};
use streamsim::sim::base::json::Errors;
use streamsim::sim::lesson::{
    self, api, attempt::check_attempt_in, goal, metric, msg, parse::Body, probe,
};
use streamsim::sim::{self, World};

const PSEUDO: &str = "xx";

/// `t` with every run of text between placeholders wrapped as ⟦…⟧.
fn wrap(t: &str) -> String {
    let names = msg::placeholders(t);
    let mut out = String::new();
    let mut lit = String::new();
    let mut rest = t;
    'outer: while !rest.is_empty() {
        for n in &names {
            let p = format!("{{{n}}}");
            if rest.starts_with(&p) {
                if !lit.is_empty() {
                    out.push_str(&format!("⟦{lit}⟧"));
                    lit.clear();
                }
                out.push_str(&p);
                rest = &rest[p.len()..];
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap();
        lit.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !lit.is_empty() {
        out.push_str(&format!("⟦{lit}⟧"));
    }
    out
}

fn install_pseudo() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let table: serde_json::Map<String, Value> = msg::templates("en")
            .into_iter()
            .map(|(k, t)| (k, Value::String(wrap(&t))))
            .collect();
        let errs = msg::install(PSEUDO, &Value::Object(table).to_string());
        assert!(
            errs.is_empty(),
            "the pseudo-locale is a valid translation: {errs}"
        );
    });
}

/// What of `m` is not the pseudo-locale's template text nor one of `texts` (whole lesson texts,
/// error lines) nor a word of `words` (names, ids): the letters of any word left.
fn leftover(m: &str, texts: &[String], words: &BTreeSet<String>) -> Vec<String> {
    let mut s = String::new();
    let mut depth = 0;
    for c in m.chars() {
        match c {
            '⟦' => depth += 1,
            '⟧' => depth -= 1,
            _ if depth == 0 => s.push(c),
            _ => s.push(' '),
        }
    }
    let mut texts: Vec<&String> = texts.iter().filter(|t| !t.is_empty()).collect();
    texts.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in texts {
        s = s.replace(t.as_str(), " ");
    }
    s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| w.chars().any(char::is_alphabetic))
        .filter(|w| !words.contains(*w))
        .filter(|w| !(w.starts_with("shardId-") && w[8..].chars().all(|c| c.is_ascii_digit())))
        .map(str::to_string)
        .collect()
}

/// The names and ids an exercise's messages may show as they are.
fn data_words(e: &lesson::Exercise) -> BTreeSet<String> {
    let n = e.start.names();
    let mut w: BTreeSet<String> = [
        &n.streams,
        &n.producers,
        &n.consumers,
        &n.delivery_streams,
        &n.direct_put,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    w.insert(e.id.clone());
    match &e.body {
        Body::Task(t) => {
            w.extend(t.goal.iter().map(|c| c.metric.name.to_string()));
        }
        Body::Predict(p) => {
            w.extend(p.question.fields().iter().map(|f| f.name.to_string()));
            w.extend(["size", "time"].map(String::from));
        }
        Body::Quiz(q) => {
            for (id, choices) in &q.items {
                w.insert(id.clone());
                w.extend(choices.iter().cloned());
            }
        }
    }
    w
}

/// The lesson texts (in the pseudo-locale, so English) a task's messages embed: its
/// conditions' texts, without their final full stop, and its "done".
fn lesson_texts(e: &lesson::Exercise) -> Vec<String> {
    let v = api::lesson_view(&e.lesson, PSEUDO).unwrap();
    let ex = v["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == e.id.as_str())
        .unwrap()
        .clone();
    let mut out: Vec<String> = ex["conditions"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    c["text"]
                        .as_str()
                        .unwrap()
                        .trim_end_matches('.')
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(d) = ex["done"].as_str() {
        out.push(d.to_string());
    }
    out
}

fn attempts_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/attempts")
}

#[test]
fn the_built_in_messages_have_no_errors_and_english_has_every_key() {
    assert!(msg::errors().is_empty(), "{}", msg::errors());
    let en = msg::templates("en");
    for (k, p) in msg::KEYS {
        let t = en.get(*k).unwrap_or_else(|| panic!("{k} has no English"));
        let mut used = msg::placeholders(t);
        used.sort_unstable();
        let mut want = p.to_vec();
        want.sort_unstable();
        assert_eq!(used, want, "{k}");
    }
    assert_eq!(en.len(), msg::KEYS.len());
}

#[test]
fn every_key_is_used_by_the_core() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim/lesson");
    let code: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    let code = code.replace(
        code.get(code.find("pub const KEYS").unwrap()..)
            .and_then(|s| s.find("];").map(|j| &s[..j]))
            .unwrap(),
        "",
    );
    for (k, _) in msg::KEYS {
        assert!(
            code.contains(&format!("\"{k}\"")),
            "{k} is in msg::KEYS but no code says it"
        );
    }
}

#[test]
fn every_attempt_message_is_in_the_locale_asked_for() {
    install_pseudo();
    let c = lesson::catalogue();
    let mut problems = Vec::new();
    let mut seen = 0;
    for e in c.exercises() {
        let words = data_words(e);
        let texts = lesson_texts(e);
        let dir = attempts_dir().join(&e.id);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        for n in names {
            let text = std::fs::read_to_string(dir.join(&n)).unwrap();
            let r = check_attempt_in(&text, &n, PSEUDO);
            let mut words = words.clone();
            // What the attempt answered is shown back as it was given.
            if let Some(Value::Object(a)) = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("answers").cloned())
            {
                for (k, v) in a {
                    words.insert(k);
                    if let Some(s) = v.as_str() {
                        words.insert(s.to_string());
                    } else {
                        words.insert(v.to_string());
                    }
                }
            }
            let mut texts = texts.clone();
            texts.push(Errors(r.errors.clone()).lines().join("; "));
            let left = leftover(&r.message, &texts, &words);
            if !left.is_empty() {
                problems.push(format!("{}/{n}: {left:?} in {}", e.id, r.message));
            }
            seen += 1;
        }
    }
    assert!(seen > 100, "{seen} attempts");
    assert!(
        problems.is_empty(),
        "English left:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_live_task_check_speaks_the_locale_before_and_during_the_run() {
    install_pseudo();
    let c = lesson::catalogue();
    let mut problems = Vec::new();
    for e in c.exercises() {
        let Body::Task(_) = &e.body else { continue };
        let mut w = api::start_world(e, None);
        let mut live = api::live(&e.id, &w, PSEUDO).unwrap();
        let mut messages = vec![live.check.status().message];
        for _ in 0..3 {
            let ticks = (1000 / w.tick_ms) as u32 + 1;
            lesson::check::Live::step(&mut w, Some(&mut live), ticks);
            messages.push(live.check.status().message);
        }
        let (words, texts) = (data_words(e), lesson_texts(e));
        for m in messages {
            let left = leftover(&m, &texts, &words);
            if !left.is_empty() {
                problems.push(format!("{}: {left:?} in {m}", e.id));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "English left:\n{}",
        problems.join("\n")
    );
}

#[test]
fn predictions_quizzes_and_probes_that_cannot_answer_speak_the_locale() {
    install_pseudo();
    let c = lesson::catalogue();
    for e in c.exercises() {
        let words = data_words(e);
        if matches!(e.body, Body::Task(_)) {
            continue;
        }
        for answers in [
            json!({}),
            json!({"value": -1, "seconds": -1, "records_per_second": -1}),
        ] {
            let g = api::grade_value(e, None, &answers, PSEUDO).unwrap();
            let mut words = words.clone();
            words.extend(
                g.correct
                    .values()
                    .map(|v| v.as_str().map_or(v.to_string(), String::from)),
            );
            let left = leftover(&g.message, &[], &words);
            assert!(left.is_empty(), "{}: {left:?} in {}", e.id, g.message);
        }
    }
    // Probes with nothing to measure.
    let start = |preset: &str| {
        lesson::parse::read_start(
            &json!({"preset": preset}),
            "start",
            true,
            &mut Default::default(),
        )
        .unwrap()
    };
    for (q, preset) in [
        (
            json!({"probe": "first_object", "seconds": 5}),
            "batch-vs-streaming",
        ),
        (
            json!({"probe": "reaction_delay", "seconds": 1}),
            "batch-vs-streaming",
        ),
    ] {
        let s = start(preset);
        let mut errs = Errors::default();
        let q = probe::read_question(&q, "question", &s.names(), s.work_per_second(), &mut errs)
            .unwrap_or_else(|| panic!("{errs}"));
        let w: World = sim::world_from_text(sim::preset(preset).unwrap(), None).unwrap();
        let why = probe::truth_in(&q, w, PSEUDO).unwrap_err();
        let n = s.names();
        let words: BTreeSet<String> = n
            .consumers
            .iter()
            .chain(&n.delivery_streams)
            .cloned()
            .collect();
        let left = leftover(&why, &[], &words);
        assert!(left.is_empty(), "{left:?} in {why}");
        assert!(why.contains('⟦'), "{why}");
    }
}

#[test]
fn a_condition_without_its_text_reads_in_the_locale() {
    install_pseudo();
    let m = metric::metric("stream.incoming_records").unwrap();
    for window in [
        goal::Window::Always,
        goal::Window::ForSeconds(60),
        goal::Window::BySecond(30),
        goal::Window::AtEnd,
    ] {
        let c = goal::Condition {
            id: "flowing".into(),
            metric: m,
            name: Some("orders".into()),
            op: ">=",
            value: 100.0,
            window,
        };
        let t = c.default_text(PSEUDO);
        let words: BTreeSet<String> = ["orders", m.name].map(String::from).into();
        assert!(leftover(&t, &[], &words).is_empty(), "{t}");
        assert!(c
            .default_text("en")
            .contains("stream.incoming_records of orders >= 100"));
        let w = c.placeholders(PSEUDO);
        let shown = &w.iter().find(|(k, _)| *k == "window").unwrap().1;
        assert!(leftover(shown, &[], &words).is_empty(), "{shown}");
    }
}

#[test]
fn a_bad_translation_is_refused_naming_file_key_and_placeholder() {
    let text = json!({
        "grade_all_right": "Todas las {n} bien, {nombre}.",
        "grade_wrong": "{field}: dijiste {given}.",
        "no_such_key": "hola",
        "status_not_done": 3,
    })
    .to_string();
    let errs = msg::install("bad", &text);
    let lines = errs.lines().join("\n");
    for want in [
        "messages/bad.json:grade_all_right: {nombre} is not a placeholder of grade_all_right (allowed: n)",
        "messages/bad.json:grade_wrong: {right} is missing: grade_wrong must use every placeholder English does (field, given, right)",
        "messages/bad.json:no_such_key: \"no_such_key\" is not a message key the core uses",
        "messages/bad.json:status_not_done: expected a template (a string), got 3",
    ] {
        assert!(lines.contains(want), "wanted {want:?} in:\n{lines}");
    }
    // What was refused falls back to English; what is right is used.
    let ok = json!({"grade_all_right": "Todas bien ({n})."}).to_string();
    assert!(msg::install("ok", &ok).is_empty());
    assert_eq!(
        msg::msg("ok", "grade_all_right", &[("n", "3".into())]),
        "Todas bien (3)."
    );
    assert_eq!(
        msg::msg(
            "ok",
            "grade_no_answer",
            &[("field", "shard".into()), ("right", "s-1".into())]
        ),
        "shard: no answer (it is s-1)"
    );
    assert_eq!(
        msg::msg(
            "bad",
            "grade_wrong",
            &[
                ("field", "f".into()),
                ("given", "1".into()),
                ("right", "2".into())
            ]
        ),
        "f: you said 1, it is 2"
    );
    // A file that is not an object of templates.
    let errs = msg::install("list", "[1]");
    assert!(
        errs.lines()[0].starts_with("messages/list.json: expected an object"),
        "{errs}"
    );
}

#[test]
fn english_messages_are_as_they_were() {
    // The fallback and the one-pass fill: a value is never read as a template.
    assert_eq!(
        msg::msg(
            "en",
            "grade_some_right",
            &[
                ("earned", "1".into()),
                ("n", "2".into()),
                ("wrong", "x: {n}".into())
            ]
        ),
        "1 of 2 right. x: {n}."
    );
    assert_eq!(
        msg::msg("zz", "status_still_to_do", &[("items", "a; b".into())]),
        "Still to do: a; b."
    );
}
