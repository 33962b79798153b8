//! Reading JSON by hand, so that every error names the field's path, the value and what is
//! allowed, all errors of one input are reported at once, and no input can panic the core.
//!
//! [`Obj`] walks one object: it remembers which keys were asked for, so [`Obj::finish`] can
//! name the unknown ones. Numbers are read against a [`Limit`] from [`super::limits`], so a
//! range and its default are written once, there.

use serde::Serialize;
use serde_json::{Map, Value};

use super::limits::{Limit, Ratio, Signed};

/// One thing wrong with an input: where (`resource.aws_kinesis_stream.s.shard_count`) and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        let path = path.into();
        Self {
            path: if path.is_empty() {
                "(top level)".into()
            } else {
                path
            },
            message: message.into(),
        }
    }

    /// The same error, with `prefix.` before its path (a command's fields under `command`).
    pub fn under(mut self, prefix: &str) -> Self {
        // The error's path is a path already (`producer.name`, `["a b"]`), not one key.
        self.path = if self.path == "(top level)" {
            prefix.to_string()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }
}

/// All the errors found in one input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(path, message));
    }

    pub fn add(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Each error as one line, `path: message`.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    pub fn one(path: &str, message: impl Into<String>) -> Self {
        Self(vec![FieldError::new(path, message)])
    }
}

impl From<FieldError> for Errors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

/// Characters of a value an error message repeats; longer ones are cut, with their length.
pub const SHOWN_CHARS_MAX: usize = 60;

/// Text cut to [`SHOWN_CHARS_MAX`] characters, saying how long it was.
fn cut(text: String, chars: usize) -> String {
    if chars <= SHOWN_CHARS_MAX {
        return text;
    }
    let head: String = text.chars().take(SHOWN_CHARS_MAX - 3).collect();
    format!("{head}... ({chars} characters)")
}

/// A value as an error message shows it: JSON (strings quoted and escaped, so a newline in a
/// value cannot start what looks like another error), cut short.
pub fn shown(v: &Value) -> String {
    let s = v.to_string();
    let n = s.chars().count();
    cut(s, n)
}

/// A string as an error message shows it: quoted and escaped, cut short.
pub fn quoted(s: &str) -> String {
    let n = s.chars().count();
    if n <= SHOWN_CHARS_MAX {
        return format!("{s:?}");
    }
    let head: String = s.chars().take(SHOWN_CHARS_MAX - 3).collect();
    format!("{head:?}... ({n} characters)")
}

/// Names an error message lists at most.
pub const LISTED_NAMES_MAX: usize = 8;

/// Names as an error message lists them (what a reference could have named): each quoted and
/// cut short, so a name with a newline cannot start what looks like another error, and at most
/// [`LISTED_NAMES_MAX`] of them, so the message stays short however many there are.
pub fn quoted_list(names: &[String]) -> String {
    let mut out: Vec<String> = names
        .iter()
        .take(LISTED_NAMES_MAX)
        .map(|n| quoted(n))
        .collect();
    if names.len() > LISTED_NAMES_MAX {
        out.push(format!("and {} more", names.len() - LISTED_NAMES_MAX));
    }
    out.join(", ")
}

/// `path.key`, or `key` at the top level. A key that is not a plain name (letters, digits,
/// `_`, `-`) is written quoted, `path["a b"]`, and cut short: a key from the input can never
/// make a path look like something else.
pub fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= SHOWN_CHARS_MAX
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", quoted(key)),
    }
}

/// One JSON object being read.
pub struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    pub fn of(v: &'a Value, path: &str, errs: &mut Errors) -> Option<Self> {
        match v {
            Value::Object(map) => Some(Self {
                path: path.to_string(),
                map,
                known: Vec::new(),
            }),
            other => {
                errs.push(path, format!("expected an object, got {}", shown(other)));
                None
            }
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of field `key`.
    pub fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Field `key` (null counts as absent).
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Marks `key` as read by someone else (the caller of a command reads `at_ms`).
    pub fn allow(&mut self, key: &'static str) {
        self.known.push(key);
    }

    pub fn required(&mut self, key: &'static str, errs: &mut Errors) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            errs.push(&self.at(key), "required");
        }
        v
    }

    /// A whole number within `limit`, in the limit's unit; its default when absent (an error
    /// when it has none: the field is required).
    pub fn int(&mut self, key: &'static str, limit: Limit, errs: &mut Errors) -> Option<u64> {
        let path = self.at(key);
        match (self.get(key), limit.default) {
            (None, Some(d)) => Some(d),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => int_value(v, &path, limit.min, limit.max, errs),
        }
    }

    /// A whole number within `limit` when given; None when absent (whatever its default).
    pub fn int_opt(
        &mut self,
        key: &'static str,
        limit: Limit,
        errs: &mut Errors,
    ) -> Option<Option<u64>> {
        let path = self.at(key);
        match self.get(key) {
            None => Some(None),
            Some(v) => int_value(v, &path, limit.min, limit.max, errs).map(Some),
        }
    }

    /// A number within `limit`; its default when absent.
    pub fn num(&mut self, key: &'static str, limit: Ratio, errs: &mut Errors) -> Option<f64> {
        let path = self.at(key);
        match (self.get(key), limit.default) {
            (None, Some(d)) => Some(d),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => num_value(v, &path, limit.min, limit.max, errs),
        }
    }

    /// A number within `limit` when given; None when absent.
    pub fn num_opt(
        &mut self,
        key: &'static str,
        limit: Ratio,
        errs: &mut Errors,
    ) -> Option<Option<f64>> {
        let path = self.at(key);
        match self.get(key) {
            None => Some(None),
            Some(v) => num_value(v, &path, limit.min, limit.max, errs).map(Some),
        }
    }

    /// A whole number that may be negative (Lambda's −1 = unlimited); its default when absent.
    pub fn signed(&mut self, key: &'static str, limit: Signed, errs: &mut Errors) -> Option<i64> {
        let path = self.at(key);
        match self.get(key) {
            None => Some(limit.default),
            Some(v) => match v.as_i64() {
                Some(n) if (limit.min..=limit.max).contains(&n) => Some(n),
                _ => {
                    errs.push(
                        &path,
                        format!("{} is out of range {}..={}", shown(v), limit.min, limit.max),
                    );
                    None
                }
            },
        }
    }

    /// A whole number that may be negative, within `limit`, when given; None when absent.
    pub fn signed_opt(
        &mut self,
        key: &'static str,
        limit: Signed,
        errs: &mut Errors,
    ) -> Option<Option<i64>> {
        if self.map.get(key).is_none_or(Value::is_null) {
            self.known.push(key);
            return Some(None);
        }
        self.signed(key, limit, errs).map(Some)
    }

    /// True or false when given; None when absent (Some(None)); None after an error.
    pub fn boolean_opt(&mut self, key: &'static str, errs: &mut Errors) -> Option<Option<bool>> {
        let path = self.at(key);
        match self.get(key) {
            None => Some(None),
            Some(Value::Bool(b)) => Some(Some(*b)),
            Some(other) => {
                errs.push(
                    &path,
                    format!("expected true or false, got {}", shown(other)),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &'static str, default: bool, errs: &mut Errors) -> bool {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                errs.push(
                    &path,
                    format!("expected true or false, got {}", shown(other)),
                );
                default
            }
        }
    }

    /// A required true or false.
    pub fn required_bool(&mut self, key: &'static str, errs: &mut Errors) -> Option<bool> {
        let path = self.at(key);
        match self.required(key, errs)? {
            Value::Bool(b) => Some(*b),
            other => {
                errs.push(
                    &path,
                    format!("expected true or false, got {}", shown(other)),
                );
                None
            }
        }
    }

    /// A string of 1..=max_chars characters; `default` when absent (None = required).
    pub fn text(
        &mut self,
        key: &'static str,
        default: Option<&str>,
        max_chars: usize,
        errs: &mut Errors,
    ) -> Option<String> {
        let path = self.at(key);
        match (self.get(key), default) {
            (None, Some(d)) => Some(d.to_string()),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => text_value(v, &path, 1, max_chars, errs),
        }
    }

    /// A string of 0..=max_chars characters, "" when absent.
    pub fn text_or_empty(
        &mut self,
        key: &'static str,
        max_chars: usize,
        errs: &mut Errors,
    ) -> String {
        let path = self.at(key);
        self.get(key)
            .and_then(|v| text_value(v, &path, 0, max_chars, errs))
            .unwrap_or_default()
    }

    /// One of `allowed`; `default` when absent (None = required).
    pub fn choice(
        &mut self,
        key: &'static str,
        default: Option<&'static str>,
        allowed: &[&'static str],
        errs: &mut Errors,
    ) -> Option<&'static str> {
        let path = self.at(key);
        let v = match (self.get(key), default) {
            (None, Some(d)) => return Some(d),
            (None, None) => {
                errs.push(&path, "required");
                return None;
            }
            (Some(v), _) => v,
        };
        let found = v
            .as_str()
            .and_then(|s| allowed.iter().copied().find(|a| *a == s));
        if found.is_none() {
            errs.push(
                &path,
                format!("{} is not one of {}", shown(v), allowed.join(", ")),
            );
        }
        found
    }

    /// Names every key that nobody asked for.
    pub fn finish(self, errs: &mut Errors) {
        for key in self.map.keys() {
            if !self.known.iter().any(|k| k == key) {
                let mut allowed = self.known.clone();
                allowed.sort_unstable();
                allowed.dedup();
                errs.push(
                    &join(&self.path, key),
                    format!("unknown field (allowed here: {})", allowed.join(", ")),
                );
            }
        }
    }
}

pub fn int_value(v: &Value, path: &str, lo: u64, hi: u64, errs: &mut Errors) -> Option<u64> {
    let out_of_range = |errs: &mut Errors| {
        errs.push(path, format!("{} is out of range {lo}..={hi}", shown(v)));
    };
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if (lo..=hi).contains(&u) {
                    return Some(u);
                }
                out_of_range(errs);
            } else if n.as_i64().is_some() {
                out_of_range(errs); // negative
            } else {
                errs.push(
                    path,
                    format!("{} is not a whole number (allowed {lo}..={hi})", shown(v)),
                );
            }
            None
        }
        other => {
            errs.push(
                path,
                format!(
                    "expected a whole number in {lo}..={hi}, got {}",
                    shown(other)
                ),
            );
            None
        }
    }
}

pub fn num_value(v: &Value, path: &str, lo: f64, hi: f64, errs: &mut Errors) -> Option<f64> {
    match v.as_f64() {
        Some(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        Some(_) => {
            errs.push(path, format!("{} is out of range {lo}..={hi}", shown(v)));
            None
        }
        None => {
            errs.push(
                path,
                format!("expected a number in {lo}..={hi}, got {}", shown(v)),
            );
            None
        }
    }
}

pub fn text_value(
    v: &Value,
    path: &str,
    min: usize,
    max: usize,
    errs: &mut Errors,
) -> Option<String> {
    match v.as_str() {
        Some(s) => {
            let n = s.chars().count();
            if n < min || n > max {
                errs.push(
                    path,
                    format!("{} has {n} characters; allowed {min}..={max}", shown(v)),
                );
                None
            } else {
                Some(s.to_string())
            }
        }
        None => {
            errs.push(path, format!("expected a string, got {}", shown(v)));
            None
        }
    }
}

pub fn array<'a>(v: &'a Value, path: &str, max: usize, errs: &mut Errors) -> Option<&'a [Value]> {
    match v {
        Value::Array(items) if items.len() <= max => Some(items),
        Value::Array(items) => {
            errs.push(
                path,
                format!("{} entries; at most {max} allowed", items.len()),
            );
            None
        }
        other => {
            errs.push(path, format!("expected a list, got {}", shown(other)));
            None
        }
    }
}

/// Parses JSON text, or says why it is not JSON. A key given twice in one object is an error at
/// its path (JSON parsers disagree on which one wins: here neither does).
pub fn parse_text(text: &str, what: &str) -> Result<Value, Errors> {
    use serde::de::DeserializeSeed;
    let dups = std::cell::RefCell::new(Errors::default());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Tree {
        path: what.to_string(),
        dups: &dups,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v))
    .map_err(|e| Errors::one(what, format!("not valid JSON: {e}")))?;
    let dups = dups.into_inner();
    if dups.is_empty() {
        Ok(value)
    } else {
        Err(dups)
    }
}

/// Builds a [`Value`] as serde_json does, noting every key an object repeats.
struct Tree<'a> {
    path: String,
    dups: &'a std::cell::RefCell<Errors>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Tree<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Tree<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = Tree {
                path: format!("{}[{}]", self.path, items.len()),
                dups: self.dups,
            };
            match seq.next_element_seed(seed)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            let v = map.next_value_seed(Tree {
                path: path.clone(),
                dups: self.dups,
            })?;
            if out.contains_key(&key) {
                self.dups
                    .borrow_mut()
                    .push(&path, "given twice in one object; give each field once");
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}
