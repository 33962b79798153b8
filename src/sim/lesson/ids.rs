//! Ids of lessons, steps, exercises, conditions and choices: lowercase kebab-case.

use serde_json::Value;

use crate::sim::base::json::{Errors, Obj};

/// Ids: lowercase kebab-case, at most this long.
pub const ID_CHARS_MAX: usize = 48;

/// Whether `s` is a lowercase kebab-case id.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= ID_CHARS_MAX
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An id field (required).
pub fn read_id(o: &mut Obj, key: &'static str, errs: &mut Errors) -> Option<String> {
    let path = o.at(key);
    let v = o.required(key, errs)?;
    id_value(v, &path, errs)
}

/// An id given as a value.
pub fn id_value(v: &Value, path: &str, errs: &mut Errors) -> Option<String> {
    match v.as_str() {
        Some(s) if is_id(s) => Some(s.to_string()),
        _ => {
            errs.push(
                path,
                format!(
                    "{} is not an id: lowercase letters, digits and single hyphens, 1..={ID_CHARS_MAX} characters",
                    crate::sim::base::json::shown(v)
                ),
            );
            None
        }
    }
}
