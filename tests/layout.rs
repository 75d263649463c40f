//! The shape of `src/` (see ../shared/DESIGN.md): no import cycle between
//! sibling files of one module, no file with more than 1,000 lines before its
//! tests, SDK crates only in `src/aws/`, ratatui and crossterm only in
//! `src/tui/`; and everywhere the stricter rule: no cycle between a module's
//! files counting the file that declares them (`src/cli/x.rs` may not use
//! what `src/cli.rs` declares while `cli.rs` uses `x`; a parent re-exporting
//! a child is fine), but for the listed cycle in `src/ops/`; the TUI state
//! never imports a view, the update or the executor.
//! Read from the source files, so a change that breaks the shape fails here
//! with the files named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 1_000;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/tui/view/queue.rs` → `["tui", "view", "queue"]`.
fn module_of(src: &Path, path: &Path) -> Vec<String> {
    let rel = path.strip_prefix(src).unwrap().with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// The code before the unit tests (`#[cfg(test)]` then `mod`).
fn before_tests(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| {
            w[0].trim() == "#[cfg(test)]" && {
                let t = w[1].trim_start();
                t.starts_with("mod ") || t.starts_with("pub mod ")
            }
        })
        .unwrap_or(lines.len());
    lines[..end].to_vec()
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path the code names with `::` (`crate::a::b`, `super::{a, b}`,
/// `child::item`), as its segments; a brace group adds each item under its
/// base (`crate::ops::{audit, journal}` names `crate::ops::audit` and
/// `crate::ops::journal`, not `crate::ops` itself: `{self, ..}` does).
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts =
            is_ident(chars[i]) && (i == 0 || !(is_ident(chars[i - 1]) || chars[i - 1] == ':'));
        if !starts {
            i += 1;
            continue;
        }
        let mut segs = Vec::new();
        let mut braced = false;
        loop {
            let s = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            segs.push(chars[s..i].iter().collect::<String>());
            if chars.get(i) == Some(&':') && chars.get(i + 1) == Some(&':') {
                i += 2;
                if chars.get(i) == Some(&'{') {
                    let close = chars[i..]
                        .iter()
                        .position(|&c| c == '}')
                        .map_or(chars.len(), |p| i + p);
                    let inner: String = chars[i + 1..close].iter().collect();
                    for item in inner.split(',') {
                        let name: String =
                            item.trim().chars().take_while(|&c| is_ident(c)).collect();
                        if !name.is_empty() {
                            let mut p = segs.clone();
                            p.push(name);
                            out.push(p);
                        }
                    }
                    i = close;
                    braced = true;
                    break;
                }
                if i < chars.len() && is_ident(chars[i]) {
                    continue;
                }
            }
            break;
        }
        if segs.len() > 1 && !braced {
            out.push(segs);
        }
    }
    out
}

/// A path named in `module`, made absolute (without the leading `crate`).
fn resolve(module: &[String], path: &[String]) -> Vec<String> {
    if path[0] == "crate" {
        return path[1..].to_vec();
    }
    let mut base = module.to_vec();
    let mut rest = path;
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    if rest.first().is_some_and(|s| s == "self") {
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    base
}

/// A line without its `pub(in path)` qualifiers: a visibility names where an
/// item may be used, not something the file uses.
fn without_visibility_paths(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("pub(in ") {
        out.push_str(&rest[..at]);
        out.push_str("pub");
        rest = &rest[at..];
        rest = rest.find(')').map_or("", |close| &rest[close + 1..]);
    }
    out.push_str(rest);
    out
}

struct Tree {
    /// Module path → what it names (absolute module paths).
    deps: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    /// Module path → lines before its tests.
    lines: BTreeMap<Vec<String>, usize>,
}

/// The modules of `src/` (or of the top-level module `only`, e.g. `tui`).
fn tree_of(only: Option<&str>) -> Tree {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    match only {
        Some(top) => {
            files.push(src.join(format!("{top}.rs")));
            rust_files(&src.join(top), &mut files);
        }
        None => rust_files(&src, &mut files),
    }
    let mut modules = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        modules.insert(module_of(&src, f), text);
    }
    let known: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut deps = BTreeMap::new();
    let mut lines = BTreeMap::new();
    for (module, text) in &modules {
        let code_lines = before_tests(text);
        lines.insert(module.clone(), code_lines.len());
        // Comments name paths too (`[`view::of`]`); only code counts.
        let code: String = code_lines
            .iter()
            .map(|l| without_visibility_paths(l.split("//").next().unwrap_or("")))
            .collect::<Vec<_>>()
            .join("\n");
        let mut named = BTreeSet::new();
        for p in paths(&code) {
            let first = p[0].as_str();
            let mut child = module.clone();
            child.push(p[0].clone());
            let named_module =
                ["crate", "super", "self"].contains(&first) || known.contains(&child);
            if !named_module {
                continue;
            }
            let abs = resolve(module, &p);
            // The longest module the path lies in.
            if let Some(n) = (1..=abs.len()).rev().find(|&n| known.contains(&abs[..n])) {
                let target = abs[..n].to_vec();
                if &target != module {
                    named.insert(target);
                }
            }
        }
        deps.insert(module.clone(), named);
    }
    Tree { deps, lines }
}

/// Cycles among the files of each module (a folder's files, a grandchild
/// counted as its child). With `with_parent`, the file that declares them
/// counts too (`src/tui/`'s rule); without, its children may use what it
/// declares.
fn cycles(tree: &Tree, with_parent: bool) -> Vec<String> {
    let parents: BTreeSet<Vec<String>> = tree
        .deps
        .keys()
        .filter(|m| m.len() > 1)
        .map(|m| m[..m.len() - 1].to_vec())
        .collect();
    let mut found = Vec::new();
    for parent in parents {
        let node = |m: &Vec<String>| -> Option<Vec<String>> {
            if with_parent && *m == parent {
                Some(parent.clone())
            } else if m.len() > parent.len() && m[..parent.len()] == parent[..] {
                Some(m[..=parent.len()].to_vec())
            } else {
                None
            }
        };
        let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for (from, tos) in &tree.deps {
            let Some(a) = node(from) else { continue };
            for to in tos {
                if let Some(b) = node(to).filter(|b| *b != a) {
                    edges.entry(a.clone()).or_default().insert(b);
                }
            }
        }
        // Depth-first search; a back edge is a cycle.
        fn visit(
            n: &Vec<String>,
            edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
            state: &mut BTreeMap<Vec<String>, u8>,
            stack: &mut Vec<Vec<String>>,
            found: &mut Vec<String>,
        ) {
            state.insert(n.clone(), 1);
            stack.push(n.clone());
            for m in edges.get(n).into_iter().flatten() {
                match state.get(m) {
                    Some(1) => {
                        let at = stack.iter().position(|s| s == m).unwrap_or(0);
                        let names: Vec<String> = stack[at..]
                            .iter()
                            .chain([m])
                            .map(|s| s.join("::"))
                            .collect();
                        found.push(names.join(" -> "));
                    }
                    Some(_) => {}
                    None => visit(m, edges, state, stack, found),
                }
            }
            stack.pop();
            state.insert(n.clone(), 2);
        }
        let mut state = BTreeMap::new();
        let nodes: Vec<Vec<String>> = edges.keys().cloned().collect();
        for n in nodes {
            if !state.contains_key(&n) {
                visit(&n, &edges, &mut state, &mut Vec::new(), &mut found);
            }
        }
    }
    found
}

#[test]
fn no_import_cycle_between_sibling_files() {
    let found = cycles(&tree_of(None), false);
    assert!(
        found.is_empty(),
        "import cycles between sibling files: {found:#?}"
    );
}

#[test]
fn no_file_holds_more_than_a_thousand_lines_before_its_tests() {
    let big: Vec<String> = tree_of(None)
        .lines
        .iter()
        .filter(|(_, n)| **n > MAX_LINES)
        .map(|(m, n)| format!("{} ({n})", m.join("/")))
        .collect();
    assert!(big.is_empty(), "split these along their seams: {big:?}");
}

/// The modules (outside `allowed`) whose code names one of `crates`.
fn users_of(crates: &[&str], allowed: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for f in files {
        let module = module_of(&src, &f);
        if module[0] == allowed {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for p in paths(
            &text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n"),
        ) {
            if crates.contains(&p[0].as_str()) {
                found.push(format!("{}: {}", module.join("/"), p.join("::")));
            }
        }
    }
    found
}

#[test]
fn sdk_crates_only_in_aws() {
    let found = users_of(
        &[
            "aws_sdk_sqs",
            "aws_sdk_eventbridge",
            "aws_sdk_cloudwatchlogs",
            "aws_sdk_sts",
            "aws_sdk_sns",
            "aws_smithy_types",
            "aws_smithy_runtime_api",
            "aws_smithy_http_client",
            "aws_config",
            "aws_types",
            "aws_credential_types",
        ],
        "aws",
    );
    assert!(found.is_empty(), "SDK types outside src/aws: {found:#?}");
}

#[test]
fn terminal_crates_only_in_tui() {
    let found = users_of(&["ratatui", "crossterm", "ratatui_textarea"], "tui");
    assert!(
        found.is_empty(),
        "terminal crates outside src/tui: {found:#?}"
    );
}

#[test]
fn the_checkers_see_what_they_look_for() {
    // Two sibling files naming each other, as store.rs and the services did.
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    let mut deps = BTreeMap::new();
    deps.insert(m("local::store"), BTreeSet::from([m("local::sqs")]));
    deps.insert(
        m("local::sqs"),
        BTreeSet::from([m("local::store"), m("local")]),
    );
    deps.insert(m("local"), BTreeSet::from([m("local::sqs")]));
    let tree = Tree {
        deps,
        lines: BTreeMap::new(),
    };
    let found = cycles(&tree, false);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("local::sqs") && found[0].contains("local::store"),
        "{found:?}"
    );
    // With the parent counted (`src/tui/`'s rule), local -> local::sqs is one too.
    assert_eq!(cycles(&tree, true).len(), 2, "{:?}", cycles(&tree, true));
    let p = paths("use aws_sdk_sqs::types::Message;\nlet t = ratatui::text::Line::from(x);");
    assert!(p.contains(&m("aws_sdk_sqs::types::Message")), "{p:?}");
    assert!(p.iter().any(|p| p[0] == "ratatui"), "{p:?}");
    // A brace group names its items, not its base; `self` names the base.
    let p = paths("use crate::ops::{audit, journal};\nuse super::{self, x};");
    assert!(p.contains(&m("crate::ops::audit")), "{p:?}");
    assert!(!p.contains(&m("crate::ops")), "{p:?}");
    assert!(p.contains(&m("super::self")), "{p:?}");
}

#[test]
fn no_import_cycle_between_the_files_of_any_module_counting_its_parent() {
    let found = cycles(&tree_of(None), true);
    assert!(
        found.is_empty(),
        "import cycles between the files of a module (its parent file included): {found:#?}"
    );
}

#[test]
fn the_checkers_ignore_visibility_paths() {
    let line = "pub(in crate::local::sqs) fn f(x: super::T) -> pub(in super::super) u8";
    assert_eq!(
        without_visibility_paths(line),
        "pub fn f(x: super::T) -> pub u8"
    );
    let p = paths(&without_visibility_paths(
        "pub(in crate::local::sqs) struct S;",
    ));
    assert!(p.is_empty(), "{p:?}");
}

#[test]
fn the_tui_state_imports_no_view_update_or_executor() {
    let tree = tree_of(Some("tui"));
    let forbidden = ["view", "update", "ops_ui", "runtime"];
    for (module, named) in &tree.deps {
        if module.get(1).is_some_and(|m| m == "state") {
            for n in named {
                assert!(
                    !(n.len() >= 2 && n[0] == "tui" && forbidden.contains(&n[1].as_str())),
                    "{} imports {}: the state must not know views or the update",
                    module.join("::"),
                    n.join("::")
                );
            }
        }
    }
}
