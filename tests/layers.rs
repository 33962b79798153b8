//! The core's shape, checked: `src/sim` is layered (generic pieces at the bottom, one module per
//! AWS concept above them, then the command union, the scenario and the world, then what is
//! read from a world), a module never imports one above it, no two files import each other
//! round a cycle, and no core file is long. Imports are `use` declarations and inline
//! `crate::sim::…` / `super::…` paths, outside `#[cfg(test)]` modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom first. A module of one layer may import modules of lower layers, and
/// modules of its own folder.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["stream"],
    &["producer"],
    &["app"],
    &["lambda"],
    &["consumer"],
    &["firehose"],
    &["command"],
    &["budget"],
    &["scenario"],
    &["world"],
    &["frame", "report"],
    // The root (`sim/mod.rs`: presets, `world_from_text`, `parse_command`).
    &[""],
    // Lessons and exercises: they read presets and build worlds, so they sit on the root.
    &["lesson"],
];

/// No core file may be longer than this.
const FILE_LINES_MAX: usize = 1_000;

fn layer_of(top: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("{top:?} is in no layer: add it to LAYERS"))
}

/// Every `.rs` file under `src/sim`, by module path (`["stream", "shard"]`; `[]` for the root).
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                if p.join("mod.rs").exists() {
                    let mut sub = prefix.to_vec();
                    sub.push(name);
                    walk(&p, &sub, out);
                }
            } else if let Some(stem) = name.strip_suffix(".rs") {
                let mut m = prefix.to_vec();
                if stem != "mod" {
                    m.push(stem.to_string());
                }
                out.insert(m, p);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim"),
        &[],
        &mut out,
    );
    out
}

/// The file's code without its `#[cfg(test)]` modules and comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: each `use` tree flattened (`a::{b, c::d}` → `a::b`, `a::c::d`), and
/// each inline `crate::sim::…` or `super::…` path.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // `use` declarations, which may span lines.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = after.find(';') else { break };
        let tree: String = after[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        flatten("", &tree, &mut out);
    }
    // Inline paths: every `a::b…` token (those that name no module of the core are dropped
    // when they are resolved).
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let starts = (c.is_alphabetic() || c == '_')
            && (i == 0
                || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_' || bytes[j] == ':')
        {
            j += 1;
        }
        let token: String = bytes[i..j].iter().collect();
        if token.contains("::") {
            out.push(token.trim_end_matches(':').to_string());
        }
        i = j;
    }
    out
}

fn flatten(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree
        .trim_start_matches("pub(crate)")
        .trim_start_matches("pub(super)");
    let tree = tree.strip_prefix("pub").unwrap_or(tree);
    match tree.find('{') {
        None => out.push(format!("{prefix}{}", tree.split(" as ").next().unwrap())),
        Some(i) => {
            let head = &tree[..i];
            let inner = &tree[i + 1..tree.len() - 1];
            let mut depth = 0;
            let mut part = String::new();
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        flatten(&format!("{prefix}{head}"), &part, out);
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
            if !part.is_empty() {
                flatten(&format!("{prefix}{head}"), &part, out);
            }
        }
    }
}

/// The module a path names, from module `from` (the deepest module file the path reaches).
/// `super` of module `a::b` is `a`, whether `a::b` is a file or a folder's `mod.rs`.
fn target(
    path: &str,
    from: &[String],
    known: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<Vec<String>> {
    let segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let (mut base, rest): (Vec<String>, &[&str]) = match segs.first() {
        Some(&"crate") if segs.get(1) == Some(&"sim") => (Vec::new(), &segs[2..]),
        Some(&"self") => (from.to_vec(), &segs[1..]),
        Some(first) if known.contains_key(&[from, &[first.to_string()]].concat()) => {
            (from.to_vec(), &segs[..])
        }
        Some(&"super") => {
            let mut b = from.to_vec();
            let mut rest = &segs[..];
            while rest.first() == Some(&"super") {
                b.pop();
                rest = &rest[1..];
            }
            (b, rest)
        }
        _ => return None,
    };
    for s in rest {
        let mut next = base.clone();
        next.push(s.to_string());
        if known.contains_key(&next) {
            base = next;
        } else {
            break;
        }
    }
    Some(base)
}

struct Graph {
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let known = modules();
    let mut edges = BTreeMap::new();
    for (m, file) in &known {
        let text = std::fs::read_to_string(file).unwrap();
        let mut to = BTreeSet::new();
        for p in paths(&code(&text)) {
            if let Some(t) = target(&p, m, &known) {
                if &t != m {
                    to.insert(t);
                }
            }
        }
        edges.insert(m.clone(), to);
    }
    Graph { edges }
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "sim (the root)".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_module_imports_one_above_it() {
    let g = graph();
    let mut wrong = Vec::new();
    for (from, tos) in &g.edges {
        let top = from.first().map_or("", String::as_str);
        for to in tos {
            let to_top = to.first().map_or("", String::as_str);
            if to_top == top {
                continue;
            }
            if layer_of(to_top) >= layer_of(top) {
                wrong.push(format!("{} imports {}", name(from), name(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "imports upward:\n{}", wrong.join("\n"));
}

/// A cycle of imports, if there is one (depth-first search for a back edge).
fn find_cycle(g: &Graph) -> Option<Vec<Vec<String>>> {
    fn visit(
        m: &Vec<String>,
        g: &Graph,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for t in g.edges.get(m).into_iter().flatten() {
            match state.get(t).copied().unwrap_or(0) {
                1 => {
                    let i = stack.iter().position(|x| x == t).unwrap();
                    let mut cycle = stack[i..].to_vec();
                    cycle.push(t.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(t, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.edges.keys() {
        if state.get(m).copied().unwrap_or(0) == 0 {
            if let Some(c) = visit(m, g, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_files_import_each_other_in_a_cycle() {
    if let Some(c) = find_cycle(&graph()) {
        let words: Vec<String> = c.iter().map(|m| name(m)).collect();
        panic!("an import cycle: {}", words.join(" → "));
    }
}

#[test]
fn no_core_file_is_long() {
    let long: Vec<String> = modules()
        .values()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > FILE_LINES_MAX).then(|| format!("{}: {n} lines", f.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {FILE_LINES_MAX} lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_checker_sees_imports() {
    // The checker itself: a use tree is flattened, `super` resolves from a file and a mod.rs.
    let mut out = Vec::new();
    flatten(
        "",
        "crate::sim::base::{json::{Errors,Obj},limits::X}",
        &mut out,
    );
    assert_eq!(
        out,
        [
            "crate::sim::base::json::Errors",
            "crate::sim::base::json::Obj",
            "crate::sim::base::limits::X"
        ]
    );
    let known = modules();
    let m = |s: &str| -> Vec<String> { s.split("::").map(String::from).collect() };
    assert_eq!(
        target("super::shard::Shard", &m("stream::reshard"), &known),
        Some(m("stream::shard"))
    );
    assert_eq!(
        target("super::Stream", &m("stream::reshard"), &known),
        Some(m("stream"))
    );
    assert_eq!(
        target("super::base::json::Errors", &m("stream"), &known),
        Some(m("base::json"))
    );
    assert_eq!(
        target("crate::sim::stream::Shard", &m("world::step"), &known),
        Some(m("stream"))
    );
    // The live tree has the layers it claims: the world imports the stream, not the reverse.
    let g = graph();
    assert!(g.edges[&m("world::step")].iter().any(|t| t[0] == "stream"));
    // A cycle is found when there is one, and only then.
    let fake = |pairs: &[(&str, &str)]| Graph {
        edges: pairs.iter().fold(BTreeMap::new(), |mut e, (a, b)| {
            e.entry(m(a)).or_insert_with(BTreeSet::new).insert(m(b));
            e.entry(m(b)).or_insert_with(BTreeSet::new);
            e
        }),
    };
    assert!(find_cycle(&fake(&[("a", "b"), ("b", "c")])).is_none());
    let c = find_cycle(&fake(&[("a", "b"), ("b", "c"), ("c", "a")])).unwrap();
    assert_eq!(c.len(), 4);
}
