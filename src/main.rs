//! `streamsim`: the native command-line runner of the same core the browser runs.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main(std::env::args().skip(1).collect()));
}

// The crate's binary target is also compiled for wasm when its tests are; it does nothing there.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use streamsim::sim::{self, base::hash, lesson, report::Report};

    const USAGE: &str = "\
streamsim: a deterministic simulator of Amazon Kinesis Data Streams

USAGE:
  streamsim run (FILE.json | --preset NAME) [--seconds N] [--seed S] [--no-metrics]
      Runs a scenario headless for N simulated seconds (default 60) and prints a JSON report:
      seed, simulated ms, digest, ledger, producers, shards, consumers, per-second metrics.
  streamsim hash --shards N KEY...
      For each partition key: its 128-bit hash key (MD5, decimal) and the shard it lands on
      among N shards created together (even split).
  streamsim validate FILE.json
      Exit 0 if the scenario is valid; else exit 2 with every error on stderr.
  streamsim presets
      Lists the built-in scenarios.
  streamsim preset NAME
      Prints a built-in scenario (a starting point for your own).
  streamsim lessons
      Lists the lessons as JSON: id, concept, title, steps, exercise ids.
  streamsim exercises
      Lists the exercises as JSON: id, lesson, kind (task, predict, quiz), title.
  streamsim lesson ID
      Prints one lesson, validated, with its English texts merged (what the page gets).
  streamsim check [--locale LOCALE] (ATTEMPT.json | DIR)...
      Checks attempts (a downloaded run plus \"exercise\" and \"answers\"; a directory: every
      .json in it and its sub-directories; none found is an error), one JSON line each: {file, exercise, passed, earned, total, message}.
      The message is in LOCALE (en, es, …; default en), English where it is not translated.
      Exit 0 when all passed, 1 when some did not, 2 when any is invalid.
";

    /// Longest run the CLI accepts: 30 simulated days.
    const SECONDS_MAX: u64 = 30 * 86_400;

    fn usage_error(msg: &str) -> i32 {
        eprintln!("streamsim: {msg}\n\n{USAGE}");
        2
    }

    pub fn main(args: Vec<String>) -> i32 {
        let Some(cmd) = args.first() else {
            return usage_error("no command given");
        };
        let rest = &args[1..];
        match cmd.as_str() {
            "run" => run(rest),
            "hash" => hash_keys(rest),
            "validate" => validate(rest),
            "presets" => {
                for n in sim::preset_names() {
                    println!("{n}");
                }
                0
            }
            "preset" => match rest.first().and_then(|n| sim::preset(n)) {
                Some(text) => {
                    print!("{text}");
                    0
                }
                None => usage_error(&format!(
                    "unknown preset; one of: {}",
                    sim::preset_names().join(", ")
                )),
            },
            "lessons" => print_json(&lesson::api::menu("en")),
            "exercises" => print_json(&lesson::api::exercises("en")),
            "lesson" => match rest {
                [id] => match lesson::api::lesson_view(id, "en") {
                    Ok(v) => print_json(&v),
                    Err(errs) => {
                        for e in &errs.0 {
                            eprintln!("{e}");
                        }
                        2
                    }
                },
                _ => usage_error("lesson takes one lesson id"),
            },
            "check" => check(rest),
            "-h" | "--help" | "help" => {
                print!("{USAGE}");
                0
            }
            other => usage_error(&format!("unknown command {other:?}")),
        }
    }

    fn print_json<T: serde::Serialize>(v: &T) -> i32 {
        match serde_json::to_string_pretty(v) {
            Ok(s) => {
                println!("{s}");
                0
            }
            Err(e) => {
                eprintln!("streamsim: {e}");
                1
            }
        }
    }

    /// The attempt files named: files as given, directories as every `.json` in them and in
    /// their sub-directories (sorted, depth first).
    fn attempt_files(args: &[String]) -> Result<Vec<std::path::PathBuf>, i32> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) -> Result<(), i32> {
            let mut entries: Vec<_> = std::fs::read_dir(dir)
                .map_err(|e| {
                    eprintln!("streamsim: cannot read {}: {e}", dir.display());
                    2
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for p in entries {
                if p.is_dir() {
                    walk(&p, out)?;
                } else if p.is_file() && p.extension().is_some_and(|x| x == "json") {
                    out.push(p);
                }
            }
            Ok(())
        }
        let mut out = Vec::new();
        for a in args {
            let p = std::path::PathBuf::from(a);
            if p.is_dir() {
                let before = out.len();
                walk(&p, &mut out)?;
                if out.len() == before {
                    eprintln!("streamsim: no attempt (.json) found in {a}");
                    return Err(2);
                }
            } else {
                out.push(p);
            }
        }
        Ok(out)
    }

    fn check(args: &[String]) -> i32 {
        let (locale, args) = match args {
            [flag, l, rest @ ..] if flag == "--locale" => {
                let ok = !l.is_empty()
                    && l.len() <= 16
                    && l.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if !ok {
                    return usage_error(&format!(
                        "--locale {l:?} is not a locale (en, es, pt-BR, …)"
                    ));
                }
                (l.as_str(), rest)
            }
            [flag] if flag == "--locale" => {
                return usage_error("--locale needs a locale (en, es, …)")
            }
            _ => ("en", args),
        };
        if args.is_empty() {
            return usage_error("check needs attempt files or directories");
        }
        let files = match attempt_files(args) {
            Ok(f) => f,
            Err(code) => return code,
        };
        let mut code = 0;
        for f in files {
            let name = f.display().to_string();
            let text = match read_file(&name) {
                Ok(t) => t,
                Err(_) => {
                    code = 2;
                    continue;
                }
            };
            let r = lesson::attempt::check_attempt_in(&text, &name, locale);
            code = code.max(if r.invalid {
                2
            } else if r.passed {
                0
            } else {
                1
            });
            println!("{}", serde_json::to_string(&r).expect("plain values"));
        }
        code
    }

    fn read_file(path: &str) -> Result<String, i32> {
        std::fs::read_to_string(path).map_err(|e| {
            eprintln!("streamsim: cannot read {path}: {e}");
            2
        })
    }

    fn number(flag: &str, value: Option<&String>, max: u64) -> Result<u64, i32> {
        match value.map(|v| v.parse::<u64>()) {
            Some(Ok(n)) if n <= max => Ok(n),
            Some(_) => Err(usage_error(&format!(
                "{flag} takes a whole number in 0..={max}"
            ))),
            None => Err(usage_error(&format!("{flag} needs a value"))),
        }
    }

    fn run(args: &[String]) -> i32 {
        let mut text: Option<String> = None;
        let mut seconds = 60;
        let mut seed = None;
        let mut metrics = true;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let value = args.get(i + 1);
            match a {
                "--preset" => {
                    let Some(t) = value.and_then(|n| sim::preset(n)) else {
                        return usage_error(&format!(
                            "--preset takes one of: {}",
                            sim::preset_names().join(", ")
                        ));
                    };
                    text = Some(t.to_string());
                    i += 1;
                }
                "--seconds" => {
                    match number(a, value, SECONDS_MAX) {
                        Ok(n) => seconds = n,
                        Err(code) => return code,
                    }
                    i += 1;
                }
                "--seed" => {
                    match number(a, value, u64::MAX) {
                        Ok(n) => seed = Some(n),
                        Err(code) => return code,
                    }
                    i += 1;
                }
                "--no-metrics" => metrics = false,
                path if !path.starts_with("--") && text.is_none() => match read_file(path) {
                    Ok(t) => text = Some(t),
                    Err(code) => return code,
                },
                other => return usage_error(&format!("unexpected argument {other:?}")),
            }
            i += 1;
        }
        let Some(text) = text else {
            return usage_error("run needs a scenario file or --preset NAME");
        };
        let mut world = match sim::world_from_text(&text, seed) {
            Ok(w) => w,
            Err(errs) => {
                for e in &errs.0 {
                    eprintln!("{e}");
                }
                return 2;
            }
        };
        world.run_for(seconds * 1000);
        let mut report = Report::of(&world);
        if !metrics {
            report.metrics.clear();
        }
        match serde_json::to_string_pretty(&report) {
            Ok(s) => {
                println!("{s}");
                0
            }
            Err(e) => {
                eprintln!("streamsim: {e}");
                1
            }
        }
    }

    fn hash_keys(args: &[String]) -> i32 {
        let mut shards = None;
        let mut keys = Vec::new();
        let mut i = 0;
        while i < args.len() {
            if args[i] == "--shards" {
                match number(
                    "--shards",
                    args.get(i + 1),
                    sim::base::limits::SHARD_COUNT.max,
                ) {
                    Ok(0) => return usage_error("--shards must be at least 1"),
                    Ok(n) => shards = Some(n as u32),
                    Err(code) => return code,
                }
                i += 2;
                continue;
            }
            keys.push(args[i].clone());
            i += 1;
        }
        let Some(n) = shards else {
            return usage_error("hash needs --shards N");
        };
        if keys.is_empty() {
            return usage_error("hash needs at least one partition key");
        }
        let ranges = hash::even_split(n);
        let rows: Vec<serde_json::Value> = keys
            .iter()
            .map(|k| {
                let h = hash::hash_key(k);
                let s = hash::route(&ranges, h);
                serde_json::json!({
                    "partition_key": k,
                    "hash_key": h.to_string(),
                    "shard_id": hash::shard_id(s as u32),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("plain values")
        );
        0
    }

    fn validate(args: &[String]) -> i32 {
        let [path] = args else {
            return usage_error("validate takes one file");
        };
        let text = match read_file(path) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let errs = sim::validate(&text);
        if errs.is_empty() {
            println!("{path}: valid");
            0
        } else {
            for e in &errs.0 {
                eprintln!("{e}");
            }
            2
        }
    }
}
