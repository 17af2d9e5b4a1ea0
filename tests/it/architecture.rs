//! The architecture's invariants, checked on the source tree (in the spirit of rust-analyzer's
//! tidy test): what must be absent is searched for, so a convention is a fact.
//!
//! - only `store` names rusqlite, only `pdf` names printpdf; the fronts name `app`, never `store`;
//! - the core (everything under `src/` but the command line) reads no clock and no environment,
//!   and knows no Tauri (nor JSON, but as a file Microsoft sends);
//! - no core message names a command-line flag or a command to type;
//! - no float outside PDF geometry (and the benches);
//! - no import cycle between sibling modules, in Rust and in the page's JavaScript.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` with one of `exts`, as (path relative to the root, text).
fn files(dir: &str, exts: &[&str]) -> Vec<(String, String)> {
    fn walk(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, exts, out);
            } else if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root().join(dir), exts, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| (p.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/"), std::fs::read_to_string(&p).unwrap()))
        .collect()
}

/// The code a user's build runs: comments dropped, and the tests at the end of a file (from
/// `#[cfg(test)]`) and test files (`tests.rs`) left out.
fn shipped(path: &str, text: &str) -> Vec<(usize, String)> {
    if path.ends_with("/tests.rs") || path.ends_with("/sample_png.rs") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push((i + 1, line.to_string()));
    }
    out
}

fn core() -> Vec<(String, String)> {
    files("src", &["rs"]).into_iter().filter(|(p, _)| !p.starts_with("src/bin/")).collect()
}

/// `path:line: text` of every shipped line of `files` that contains one of `needles`.
fn find(files: &[(String, String)], needles: &[&str], allowed: impl Fn(&str) -> bool) -> Vec<String> {
    let mut hits = Vec::new();
    for (path, text) in files {
        if allowed(path) {
            continue;
        }
        for (n, line) in shipped(path, text) {
            if needles.iter().any(|needle| line.contains(needle)) {
                hits.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    hits
}

/// Both fronts reach the book through the application layer only: the store's views and the
/// book itself are re-exported by `app`, so a front that names `seatbook::store` has gone round it.
#[test]
fn the_fronts_reach_the_book_only_through_the_application_layer() {
    let fronts: Vec<(String, String)> = files("src/bin", &["rs"]).into_iter().chain(files("src-tauri/src", &["rs"])).collect();
    let around = find(&fronts, &["seatbook::store", "store::Store"], |_| false);
    assert!(around.is_empty(), "a front names the store:\n{}", around.join("\n"));
}

#[test]
fn only_store_names_rusqlite_and_only_pdf_names_printpdf() {
    let mut all = core();
    all.extend(files("src/bin", &["rs"]));
    all.extend(files("src-tauri/src", &["rs"]));
    let rusqlite = find(&all, &["rusqlite"], |p| p.starts_with("src/store/"));
    assert!(rusqlite.is_empty(), "rusqlite outside src/store:\n{}", rusqlite.join("\n"));
    let printpdf = find(&all, &["printpdf", "lopdf"], |p| p.starts_with("src/pdf/"));
    assert!(printpdf.is_empty(), "printpdf outside src/pdf:\n{}", printpdf.join("\n"));
}

#[test]
fn the_core_reads_no_clock_and_no_environment_and_knows_no_tauri() {
    let clock = ["SystemTime::now", "Instant::now", "Local::now", "Utc::now", "chrono::Local", "Local::today"];
    let hits = find(&core(), &clock, |_| false);
    assert!(hits.is_empty(), "the core reads the clock (today and now are parameters):\n{}", hits.join("\n"));
    let env = ["env::var", "var_os(", "env::args", "dirs::"];
    let hits = find(&core(), &env, |_| false);
    assert!(hits.is_empty(), "the core reads the environment (the fronts pass what it needs):\n{}", hits.join("\n"));
    let hits = find(&core(), &["tauri"], |_| false);
    assert!(hits.is_empty(), "only the fronts know Tauri:\n{}", hits.join("\n"));
    // JSON is the fronts' way of answering; the core reads it only as Microsoft sends it: a file
    // (the Graph export's JSON Lines), in `import`, and Partner Center's answers, in `pc`.
    let hits = find(&core(), &["serde_json"], |p| p.starts_with("src/import/") || p.starts_with("src/pc/"));
    assert!(hits.is_empty(), "only the fronts (and what reads Microsoft's files and answers) know JSON:\n{}", hits.join("\n"));
}

/// The string literals on a line (naively: between unescaped double quotes).
fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut escaped = false;
    for c in line.chars() {
        match (&mut current, c) {
            (Some(s), _) if escaped => {
                s.push(c);
                escaped = false;
            }
            (Some(_), '\\') => escaped = true,
            (Some(_), '"') => out.push(current.take().unwrap()),
            (Some(s), _) => s.push(c),
            (None, '"') => current = Some(String::new()),
            (None, _) => {}
        }
    }
    out
}

fn names_a_flag_or_command(s: &str) -> bool {
    let followed_by_word =
        |pat: &str| s.match_indices(pat).any(|(i, _)| s[i + pat.len()..].chars().next().is_some_and(|c| c.is_ascii_lowercase()));
    followed_by_word("--") || followed_by_word("seatbook ") || followed_by_word("`")
}

#[test]
fn no_core_message_names_a_flag_or_a_command() {
    let mut hits = Vec::new();
    for (path, text) in core() {
        for (n, line) in shipped(&path, &text) {
            for lit in literals(&line) {
                if names_a_flag_or_command(&lit) {
                    hits.push(format!("{path}:{n}: \"{lit}\""));
                }
            }
        }
    }
    assert!(hits.is_empty(), "core messages are neutral; each front words its flags and commands:\n{}", hits.join("\n"));
    assert!(names_a_flag_or_command("give --quantity") && names_a_flag_or_command("run `seatbook init` first"));
    assert!(names_a_flag_or_command("add it with `subscription add`"));
    assert!(!names_a_flag_or_command("sub:1:licence:2026-11-01--2026-11-30") && !names_a_flag_or_command("Seatbook is not set up"));
}

#[test]
fn no_float_outside_pdf_geometry() {
    let mut all = core();
    all.extend(files("src/bin", &["rs"]));
    all.extend(files("src-tauri/src", &["rs"]));
    let mut hits = Vec::new();
    for (path, text) in &all {
        if path.starts_with("src/pdf/") {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            let words = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            if words.into_iter().any(|w| w == "f32" || w == "f64") {
                hits.push(format!("{path}:{n}: {}", line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "money is never a float; floats are for PDF geometry:\n{}", hits.join("\n"));
}

/// A cycle in `edges`, if any, as the path that closes it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|n| visit(n, edges, &mut Vec::new(), &mut done))
}

#[test]
fn sibling_rust_modules_do_not_import_each_other_both_ways() {
    // Edges between files of one folder: `use super::x` / `super::x::` in a sibling `y.rs`.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let all = core();
    for (path, text) in &all {
        let (dir, name) = path.rsplit_once('/').unwrap();
        let name = name.trim_end_matches(".rs");
        if name == "mod" || name == "lib" || name == "tests" {
            continue;
        }
        let siblings: BTreeSet<String> = all
            .iter()
            .filter_map(|(p, _)| p.strip_prefix(&format!("{dir}/")))
            .filter(|f| !f.contains('/') && *f != "mod.rs")
            .map(|f| f.trim_end_matches(".rs").to_string())
            .collect();
        let node = format!("{dir}/{name}");
        for (_, line) in shipped(path, text) {
            for s in &siblings {
                if s != name
                    && (line.contains(&format!("super::{s}::"))
                        || line.contains(&format!("super::{s};"))
                        || line.contains(&format!("super::{{{s}")))
                {
                    edges.entry(node.clone()).or_default().insert(format!("{dir}/{s}"));
                }
            }
        }
    }
    assert_eq!(cycle(&edges), None, "an import cycle between sibling modules");
}

#[test]
fn the_page_modules_have_no_import_cycle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in files("ui/js", &["js"]) {
        let dir = Path::new(&path).parent().unwrap().to_path_buf();
        for line in text.lines() {
            let t = line.trim();
            let Some(from) = t.strip_prefix("import ").and_then(|r| r.rsplit_once(" from ")).map(|(_, f)| f) else { continue };
            let target = from.trim_end_matches(';').trim_matches(|c| c == '"' || c == '\'');
            let mut p = dir.clone();
            for part in target.split('/') {
                match part {
                    "." => {}
                    ".." => {
                        p.pop();
                    }
                    other => p.push(other),
                }
            }
            edges.entry(path.clone()).or_default().insert(p.to_string_lossy().replace('\\', "/"));
        }
    }
    assert!(edges.len() > 5, "the page's modules were read: {edges:?}");
    assert_eq!(cycle(&edges), None, "an import cycle between the page's modules");
}
