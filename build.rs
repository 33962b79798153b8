//! Embeds the built-in lessons: every `lessons/*.json` and `lessons/text/<locale>/*.json` becomes
//! one `(path, include_str!(…))` entry of `$OUT_DIR/lessons.rs`, so adding a lesson is a data-only
//! change; every `lessons/messages/<locale>.json` (the core's sentences for students) one entry
//! of `$OUT_DIR/messages.rs`. No dependencies; the attempts (`lessons/attempts/`) are for the tests, not embedded.

use std::path::{Path, PathBuf};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("lessons");
    // A new lesson is named in index.json; a new text file lands in lessons/text.
    println!("cargo:rerun-if-changed=lessons/index.json");
    println!("cargo:rerun-if-changed=lessons/text");
    println!("cargo:rerun-if-changed=lessons/messages");
    let mut files = json_files(&root);
    let mut locales: Vec<PathBuf> = std::fs::read_dir(root.join("text"))
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    locales.sort();
    for l in locales {
        files.extend(json_files(&l));
    }
    write(&root, &files, "lessons.rs", "FILES", "lesson file");
    write(
        &root,
        &json_files(&root.join("messages")),
        "messages.rs",
        "MESSAGES",
        "message file",
    );
}

/// Writes `$OUT_DIR/<out>`: `pub const <name>` listing `files` as (path under `lessons/`, text).
fn write(root: &Path, files: &[PathBuf], out: &str, name: &str, what: &str) {
    let mut code =
        format!("/// Every embedded {what}: (path under `lessons/`, text).\npub const {name}: &[(&str, &str)] = &[\n");
    for f in files {
        let rel = f
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        println!("cargo:rerun-if-changed={}", f.display());
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join(out);
    if std::fs::read_to_string(&out).ok().as_deref() != Some(code.as_str()) {
        std::fs::write(out, code).unwrap();
    }
}
