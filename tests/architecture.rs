//! The shape ARCHITECTURE.md promises, read from the source: which top-level module may import
//! which (no circle, nothing pointing up the layers), and no file or function too long to read.
//! It reads `src/` as text, so it needs no cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and the modules it may name with `crate::`. Anything not
/// listed here may not be imported at all; a new top-level module must be placed here.
const MAY_IMPORT: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("ansi", &["text"]),
    ("chart", &[]),
    ("config", &["text"]),
    ("cluster", &["text", "ansi"]),
    ("actions", &["cluster", "chart", "text", "ansi"]),
    ("app", &["actions", "cluster", "chart", "config", "text", "ansi"]),
    ("views", &["app", "actions", "cluster", "config", "text", "ansi"]),
    ("cli", &["cluster", "config"]),
    (
        "commands",
        &["cli", "actions", "cluster", "chart", "config", "text", "ansi"],
    ),
    (
        "tui",
        &["app", "views", "actions", "cluster", "chart", "config", "text", "ansi"],
    ),
];

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("reading a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/app/keys.rs` -> `app`), or None for
/// the crate roots.
fn top_module(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_owned())
}

/// Test code (a `tests.rs` file, or what follows `#[cfg(test)]` at the top level of a file) may
/// reach anything, and long test functions are fine.
fn is_test_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
}

/// The file's lines up to its `#[cfg(test)]` module, if any.
fn non_test_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start() == "#[cfg(test)]" && !line.starts_with(' ') {
            break;
        }
        lines.push(line);
    }
    lines
}

fn imported_modules(lines: &[&str]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in lines {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            rest = after;
        }
    }
    found
}

#[test]
fn top_level_modules_import_only_down_the_layers() {
    let rules: BTreeMap<&str, &[&str]> = MAY_IMPORT.iter().copied().collect();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        let Some(module) = top_module(path) else { continue };
        if is_test_file(path) {
            continue;
        }
        let Some(allowed) = rules.get(module.as_str()) else {
            wrong.push(format!(
                "{}: top-level module `{module}` has no place in MAY_IMPORT",
                path.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(path).expect("reading a source file");
        for target in imported_modules(&non_test_lines(&text)) {
            if target != module && !allowed.contains(&target.as_str()) {
                wrong.push(format!("{}: `{module}` imports `crate::{target}`", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering:\n{}", wrong.join("\n"));
}

#[test]
fn the_layering_has_no_circle() {
    // Depth-first over MAY_IMPORT: the rules themselves must form a DAG, or the test above
    // would allow a circle.
    let rules: BTreeMap<&str, &[&str]> = MAY_IMPORT.iter().copied().collect();
    fn visit<'a>(
        node: &'a str,
        rules: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if done.contains(node) {
            return;
        }
        assert!(!path.contains(&node), "import circle: {} -> {node}", path.join(" -> "));
        path.push(node);
        for next in rules.get(node).copied().unwrap_or(&[]) {
            visit(next, rules, path, done);
        }
        path.pop();
        done.insert(node);
    }
    let mut done = BTreeSet::new();
    for (node, _) in MAY_IMPORT {
        visit(node, &rules, &mut Vec::new(), &mut done);
    }
}

/// The first line of each function longer than `MAX_FN_LINES`, found by its signature and the
/// closing brace at the same indentation (rustfmt's layout). A function that is a table
/// (`// size: a table` on the line above its signature) is exempt.
fn long_functions(lines: &[&str]) -> Vec<(usize, usize, String)> {
    let mut long = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let signature = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("const ")
            .trim_start_matches("async ")
            .trim_start_matches("unsafe ");
        if !signature.starts_with("fn ") {
            continue;
        }
        // A function that is one table (a list of names and functions, a key map) says so in
        // the line above it and may be as long as the table.
        if i > 0 && lines[i - 1].contains("size: a table") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|l| *l == close) {
            let length = end + 2;
            if length > MAX_FN_LINES {
                let name: String = signature[3..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                long.push((i + 1, length, name));
            }
        }
    }
    long
}

#[test]
fn no_file_or_function_is_too_long_to_read() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for path in &files {
        if is_test_file(path) {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("reading a source file");
        let lines = non_test_lines(&text);
        if lines.len() > MAX_FILE_LINES {
            wrong.push(format!(
                "{}: {} lines (at most {MAX_FILE_LINES} outside tests)",
                path.display(),
                lines.len()
            ));
        }
        for (line, length, name) in long_functions(&lines) {
            wrong.push(format!(
                "{}:{line}: fn {name} has {length} lines (at most {MAX_FN_LINES})",
                path.display()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "split these along a seam a reader would recognise:\n{}",
        wrong.join("\n")
    );
}
