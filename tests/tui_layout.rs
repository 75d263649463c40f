//! The shape of `src/tui/` (see ../shared/DESIGN.md): no import cycle between
//! the files of one module, the state never imports a view, the update or the
//! executor, and no file holds more than 1,000 lines before its tests. Read
//! from the source files, so a change that breaks the shape fails here with
//! the files named.

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
/// `child::item`), as its segments; a brace group adds its base and each item.
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
                    break;
                }
                if i < chars.len() && is_ident(chars[i]) {
                    continue;
                }
            }
            break;
        }
        if segs.len() > 1 {
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

struct Tree {
    /// Module path → what it names (absolute module paths).
    deps: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    /// Module path → lines before its tests.
    lines: BTreeMap<Vec<String>, usize>,
}

fn tui_tree() -> Tree {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("tui.rs")];
    rust_files(&src.join("tui"), &mut files);
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
            .map(|l| l.split("//").next().unwrap_or(""))
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

/// Cycles among the files of each module (a folder's files and the file
/// that declares them, a grandchild counted as its child).
fn cycles(tree: &Tree) -> Vec<String> {
    let parents: BTreeSet<Vec<String>> = tree
        .deps
        .keys()
        .filter(|m| m.len() > 1)
        .map(|m| m[..m.len() - 1].to_vec())
        .collect();
    let mut found = Vec::new();
    for parent in parents {
        let node = |m: &Vec<String>| -> Option<Vec<String>> {
            if *m == parent {
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
fn no_import_cycle_between_the_files_of_a_module() {
    let tree = tui_tree();
    let found = cycles(&tree);
    assert!(found.is_empty(), "import cycles in src/tui: {found:#?}");
}

#[test]
fn the_state_imports_no_view_update_or_executor() {
    let tree = tui_tree();
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

#[test]
fn no_tui_file_holds_more_than_a_thousand_lines_before_its_tests() {
    let tree = tui_tree();
    let big: Vec<String> = tree
        .lines
        .iter()
        .filter(|(_, n)| **n > MAX_LINES)
        .map(|(m, n)| format!("{} ({n})", m.join("/")))
        .collect();
    assert!(big.is_empty(), "split these along their seams: {big:?}");
}

#[test]
fn the_checker_sees_a_cycle() {
    // Two files of one module naming each other, as state.rs and view.rs did.
    let m = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
    let mut deps = BTreeMap::new();
    deps.insert(m("tui::state"), BTreeSet::from([m("tui::view")]));
    deps.insert(
        m("tui::view"),
        BTreeSet::from([m("tui::state"), m("tui::view::queue")]),
    );
    deps.insert(m("tui::view::queue"), BTreeSet::from([m("tui::view")]));
    let tree = Tree {
        deps,
        lines: BTreeMap::new(),
    };
    let found = cycles(&tree);
    assert!(
        found.iter().any(|c| c.contains("tui::state -> tui::view")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|c| c.contains("tui::view -> tui::view::queue")
                || c.contains("tui::view::queue -> tui::view")),
        "{found:?}"
    );
    // And reads paths the way the code writes them.
    let p = paths("use super::{live::Live, list};\nlet x = crate::tui::view::of(s);");
    assert!(p.contains(&m("super::live")), "{p:?}");
    assert!(p.contains(&m("super::list")), "{p:?}");
    assert!(p.contains(&m("crate::tui::view::of")), "{p:?}");
}
