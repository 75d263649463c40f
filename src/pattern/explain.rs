use super::json::JsonError;
use super::{ast, eval, json};
use std::fmt;

/// Why an event did or did not match a pattern.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explanation {
    pub matched: bool,
    /// One per `$or` alternative (a pattern without `$or` has exactly one).
    pub branches: Vec<BranchExplanation>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BranchExplanation {
    pub matched: bool,
    pub fields: Vec<FieldVerdict>,
    /// Set when every field passed on its own but no single array element satisfied them together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldVerdict {
    /// Dotted path, e.g. `detail.total_cost`.
    pub path: String,
    /// The condition as JSON, e.g. `[{"numeric":[">",200]}]`.
    pub condition: String,
    /// The values the event has at the path, as JSON text.
    pub values: Vec<String>,
    pub passed: bool,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let many = self.branches.len() > 1;
        for (i, b) in self.branches.iter().enumerate() {
            if many {
                let verdict = if b.matched {
                    "matches"
                } else {
                    "does not match"
                };
                writeln!(
                    f,
                    "$or alternative {} of {}: {verdict}",
                    i + 1,
                    self.branches.len()
                )?;
            }
            let indent = if many { "  " } else { "" };
            for v in &b.fields {
                let mark = if v.passed { "pass" } else { "FAIL" };
                let values = if v.values.is_empty() {
                    "(field absent)".to_string()
                } else {
                    v.values.join(", ")
                };
                writeln!(
                    f,
                    "{indent}{mark}  {}  {}  event has: {}",
                    printable(&v.path),
                    printable(&v.condition),
                    values
                )?;
            }
            if let Some(note) = &b.note {
                writeln!(f, "{indent}FAIL  {note}")?;
            }
        }
        Ok(())
    }
}

/// Text with control characters shown as `\u{..}` escapes, so nothing from
/// a pattern or event can drive the terminal.
pub(super) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Explains `event` against a parsed pattern. Text values are shown as JSON
/// (escaped), so control characters in an event never reach a terminal raw.
pub fn explain(ast: &ast::Pattern, event: &[u8]) -> Result<Explanation, JsonError> {
    let v = json::parse(event)?;
    if !matches!(v.kind, json::Kind::Object(_)) {
        return Err(JsonError::new(
            v.start,
            event,
            "event must be a JSON object",
        ));
    }
    let flat = eval::flatten(&v);
    let mut branches = Vec::with_capacity(ast.branches.len());
    for b in &ast.branches {
        let e = eval::eval_branch(b, &flat);
        let fields = b
            .fields
            .iter()
            .zip(&e.fields)
            .map(|((path, cond), (at, _, passed))| FieldVerdict {
                path: path.clone(),
                condition: json::minify(&cond.text),
                values: at.iter().map(|f| f.leaf.to_json()).collect(),
                passed: *passed,
            })
            .collect();
        branches.push(BranchExplanation {
            matched: e.matched,
            fields,
            note: e.inconsistent.then(|| {
                "every field matches somewhere, but no single array element satisfies them together".to_string()
            }),
        });
    }
    Ok(Explanation {
        matched: branches.iter().any(|b| b.matched),
        branches,
    })
}

#[cfg(test)]
mod tests {
    use crate::pattern::Pattern;

    #[test]
    fn explanation_shows_values_escaped_and_why() {
        let p =
            Pattern::parse("{\"a\\u001b[31m\":[\"x\"],\"n\":[{\"numeric\":[\">\",2]}]}").unwrap();
        let e = p
            .explain(b"{\"a\\u001b[31m\":\"\\u001b[2J\",\"n\":1}")
            .unwrap();
        assert!(!e.matched);
        let text = e.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            text.contains(r#"FAIL  n  [{"numeric":[">",2]}]  event has: 1"#),
            "{text}"
        );
        assert!(text.contains(r#"event has: "\u001b[2J""#), "{text}");
    }
}
