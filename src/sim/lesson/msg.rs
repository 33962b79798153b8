//! Messages (`lessons/messages/<locale>.json`): every sentence the core composes for a student —
//! goal feedback, probe answers, quiz and prediction grading, invalid attempts — as a template
//! with `{name}` placeholders, kept apart from the code so a translation can follow.
//!
//! [`KEYS`] is the list of every key the code uses, with its placeholders. English is the source:
//! `en.json` has exactly these keys, each with exactly these placeholders. A translation has a
//! subset of them, each using exactly the placeholders English does; a key it leaves out falls
//! back to English. Every error names the file, the key and the placeholder. Templates are whole
//! sentences: where one embeds a comparison or a window, each comparison or window is a sentence
//! of its own (`was_below`, `was_at_least`, …), so another grammar can order it its own way.
//!
//! What stays English on purpose: validation errors for course authors ("a lesson needs at least
//! one step", a refused attempt's field errors), and a goal's `technical` line (metric ids and
//! operators, for authors).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use crate::sim::base::json::{join, parse_text, quoted, shown, Errors};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/messages.rs"));
}

/// Every message key, with the placeholders its template uses.
pub const KEYS: &[(&str, &[&str])] = &[
    ("status_not_done", &["items"]),
    ("status_still_to_do", &["items"]),
    ("separator", &[]),
    ("goal_done", &[]),
    ("condition_not_checked", &["condition"]),
    ("condition_broken", &["condition", "why"]),
    ("condition_not_done_by", &["condition", "seconds", "why"]),
    ("condition_so_far", &["condition", "streak", "seconds"]),
    ("condition_holds_with_others", &["condition", "seconds"]),
    ("condition_holds_at_end", &["condition"]),
    ("condition_not_yet", &["condition", "why"]),
    ("was_exactly", &["value", "second", "target"]),
    ("was_anything_but", &["value", "second", "target"]),
    ("was_below", &["value", "second", "target"]),
    ("was_at_most", &["value", "second", "target"]),
    ("was_above", &["value", "second", "target"]),
    ("was_at_least", &["value", "second", "target"]),
    ("no_data", &["second"]),
    ("amount_percent", &["number"]),
    ("amount_records_in_the_second", &["number"]),
    ("amount_calls_in_the_second", &["number"]),
    ("amount_records", &["number"]),
    ("amount_ms", &["number"]),
    ("amount_shards", &["number"]),
    ("amount_alerts", &["number"]),
    ("amount_objects", &["number"]),
    ("amount_other", &["number", "unit"]),
    ("detail_shard_refused", &["shard", "count", "second"]),
    ("detail_producer_paused", &["producer"]),
    ("window_always", &[]),
    ("window_at_end", &[]),
    ("condition_default_always", &["measured", "op", "value"]),
    (
        "condition_default_for_seconds",
        &["measured", "op", "value", "seconds"],
    ),
    (
        "condition_default_by_second",
        &["measured", "op", "value", "seconds"],
    ),
    ("condition_default_at_end", &["measured", "op", "value"]),
    ("condition_default_of", &["metric", "name"]),
    ("probe_no_object", &["delivery_stream", "seconds"]),
    ("probe_no_alert", &["name", "seconds"]),
    ("probe_no_value", &["metric", "seconds"]),
    ("grade_all_right", &["n"]),
    ("grade_some_right", &["earned", "n", "wrong"]),
    ("grade_no_answer", &["field", "right"]),
    ("grade_wrong", &["field", "given", "right"]),
    ("attempt_invalid", &["errors"]),
];

/// One locale's templates, by key.
pub type Table = BTreeMap<String, String>;

fn allowed(key: &str) -> Option<&'static [&'static str]> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, p)| *p)
}

/// Reads one message file (`file` is its path for errors, `lessons/messages/es.json`);
/// `english`: every key must be there. The table holds only the templates without errors.
pub fn read_table(text: &str, file: &str, english: bool, errs: &mut Errors) -> Table {
    let mut table = Table::new();
    let mut e = Errors::default();
    let v = match parse_text(text, "") {
        Ok(v) => v,
        Err(x) => {
            errs.0.extend(at_path(file, x).0);
            return table;
        }
    };
    let Some(obj) = v.as_object() else {
        e.push(
            "(top level)",
            format!(
                "expected an object of message key → template, got {}",
                shown(&v)
            ),
        );
        errs.0.extend(at_path(file, e).0);
        return table;
    };
    for (k, t) in obj {
        let p = join("", k);
        let Some(wanted) = allowed(k) else {
            e.push(
                &p,
                format!(
                    "{} is not a message key the core uses (see lessons/messages/en.json)",
                    quoted(k)
                ),
            );
            continue;
        };
        let Some(s) = t.as_str() else {
            e.push(
                &p,
                format!("expected a template (a string), got {}", shown(t)),
            );
            continue;
        };
        let before = e.len();
        // Only the separator may be blank ("; " trimmed is ";", but a language may use " ").
        if s.is_empty() || (s.trim().is_empty() && *k != "separator") {
            e.push(&p, "empty: write the template");
        }
        let used: BTreeSet<&str> = placeholders(s).into_iter().collect();
        let known = if wanted.is_empty() {
            "none".to_string()
        } else {
            wanted.join(", ")
        };
        for u in &used {
            if !wanted.contains(u) {
                e.push(
                    &p,
                    format!("{{{u}}} is not a placeholder of {k} (allowed: {known})"),
                );
            }
        }
        for w in wanted {
            if !used.contains(w) {
                e.push(
                    &p,
                    format!(
                        "{{{w}}} is missing: {k} must use every placeholder English does ({known})"
                    ),
                );
            }
        }
        if e.len() == before {
            table.insert(k.clone(), s.to_string());
        }
    }
    if english {
        for (k, _) in KEYS {
            if !obj.contains_key(*k) {
                e.push(
                    &join("", k),
                    "missing: every message key needs its English template",
                );
            }
        }
    }
    errs.0.extend(at_path(file, e).0);
    table
}

/// `file:path`, for a file given with its whole path.
pub fn at_path(file: &str, errs: Errors) -> Errors {
    Errors(
        errs.0
            .into_iter()
            .map(|mut e| {
                e.path = if e.path == "(top level)" {
                    file.to_string()
                } else {
                    format!("{file}:{}", e.path)
                };
                e
            })
            .collect(),
    )
}

struct Tables {
    by_locale: BTreeMap<String, Table>,
    errors: Errors,
}

/// Reads the message files among `files` (path under `lessons/`, text).
fn load(files: &[(&str, &str)]) -> Tables {
    let mut errors = Errors::default();
    let mut by_locale = BTreeMap::new();
    for (f, t) in files {
        if let Some(locale) = f
            .strip_prefix("messages/")
            .and_then(|n| n.strip_suffix(".json"))
        {
            let table = read_table(t, &format!("lessons/{f}"), locale == "en", &mut errors);
            by_locale.insert(locale.to_string(), table);
        }
    }
    if !by_locale.contains_key("en") {
        errors.push("lessons/messages/en.json", "missing: the English messages");
    }
    Tables { by_locale, errors }
}

fn built_in() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| load(embedded::MESSAGES))
}

/// Tables added at run time ([`install`]): a test's pseudo-locale, an embedder's translation.
fn installed() -> &'static Mutex<BTreeMap<String, Table>> {
    static T: OnceLock<Mutex<BTreeMap<String, Table>>> = OnceLock::new();
    T.get_or_init(Default::default)
}

/// The errors in the built-in message files (the catalogue reports them with the lessons').
pub fn errors() -> &'static Errors {
    &built_in().errors
}

/// Adds (or replaces) the messages of `locale` from `text`, checked like a translation; the
/// templates without errors are used even when others have some.
pub fn install(locale: &str, text: &str) -> Errors {
    let mut errs = Errors::default();
    let t = read_table(text, &format!("messages/{locale}.json"), false, &mut errs);
    installed()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(locale.to_string(), t);
    errs
}

/// Every template of `locale`, English where it has none.
pub fn templates(locale: &str) -> Table {
    let mut out = built_in().by_locale.get("en").cloned().unwrap_or_default();
    let extra = installed().lock().unwrap_or_else(|e| e.into_inner());
    for t in [built_in().by_locale.get(locale), extra.get(locale)]
        .into_iter()
        .flatten()
    {
        out.extend(t.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    out
}

/// The `{name}` placeholders of `s`.
pub fn placeholders(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        rest = &rest[i + 1..];
        if let Some(j) = rest.find('}') {
            let name = &rest[..j];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                out.push(name);
            }
        }
    }
    out
}

/// `template` with each `{name}` of `values` replaced, in one pass (a value is never read as a
/// template).
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let hit = after.find('}').and_then(|j| {
            let name = &after[..j];
            values.iter().find(|(k, _)| *k == name).map(|(_, v)| (j, v))
        });
        match hit {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message `key` in `locale` (English where the locale has none), filled with `values`.
pub fn msg(locale: &str, key: &str, values: &[(&str, String)]) -> String {
    debug_assert!(allowed(key).is_some(), "{key:?} is not in msg::KEYS");
    let b = built_in();
    if locale != "en" {
        let extra = installed().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = extra.get(locale).and_then(|t| t.get(key)) {
            return fill(t, values);
        }
        if let Some(t) = b.by_locale.get(locale).and_then(|t| t.get(key)) {
            return fill(t, values);
        }
    }
    match b.by_locale.get("en").and_then(|t| t.get(key)) {
        Some(t) => fill(t, values),
        None => key.to_string(),
    }
}
