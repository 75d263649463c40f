//! EventBridge event patterns: parse + validate, compile, match one or many
//! patterns, and explain a (non-)match.
//!
//! Pure: no I/O, no async, no SDK. Semantics follow aws/event-ruler's
//! `JsonRuleCompiler` + `rulesForJSONEvent` (what EventBridge runs); see
//! `../shared/reference/pattern-spec.md` and the conformance corpus in
//! `tests/fixtures/patterns.jsonl`.
//!
//! ```
//! use eddy::pattern::{Pattern, RuleSetBuilder};
//! let p = Pattern::parse(r#"{"source":["demo.payments"]}"#).unwrap();
//! assert!(p.matches(br#"{"source":"demo.payments"}"#).unwrap());
//!
//! let mut b = RuleSetBuilder::new();
//! b.add("a", r#"{"x":[1]}"#).unwrap();
//! b.add("b", r#"{"x":[{"numeric":[">",0]}]}"#).unwrap();
//! let rules = b.build();
//! let mut m = rules.matcher();
//! assert_eq!(m.matches(br#"{"x":1.0}"#).unwrap(), &[0, 1]);
//! ```

pub mod filter_policy;
pub mod json;
pub mod transform;

mod ast;
mod aws_text;
mod compile;
mod complexity;
mod eval;
mod explain;
mod scan;
mod skip;
mod value;

pub use ast::PatternError;
pub use explain::{BranchExplanation, Explanation, FieldVerdict};
pub use json::JsonError;
pub use scan::EventError;

/// One validated, compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    ast: ast::Pattern,
    rules: RuleSet,
}

impl Pattern {
    /// Parses and validates `text` with EventBridge's rules.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let ast = parse_ast(text)?;
        let rules = compile::compile(std::slice::from_ref(&ast), vec![String::new()]);
        Ok(Pattern {
            text: text.to_string(),
            ast,
            rules,
        })
    }

    /// The pattern text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Does the raw event (JSON text of one object) match?
    pub fn matches(&self, event: &[u8]) -> Result<bool, EventError> {
        let mut m = self.rules.matcher();
        Ok(!m.matches(event)?.is_empty())
    }

    /// Why the event does or does not match: one verdict per field condition.
    pub fn explain(&self, event: &[u8]) -> Result<Explanation, JsonError> {
        explain::explain(&self.ast, event)
    }
}

/// Collects named patterns, then compiles them into one [`RuleSet`].
#[derive(Debug, Default)]
pub struct RuleSetBuilder {
    names: Vec<String>,
    asts: Vec<ast::Pattern>,
    by_name: std::collections::HashMap<String, usize>,
}

impl RuleSetBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule. A name may be given once; adding it again replaces the pattern.
    pub fn add(&mut self, name: impl Into<String>, pattern: &str) -> Result<(), PatternError> {
        let ast = parse_ast(pattern)?;
        let name = name.into();
        if let Some(&i) = self.by_name.get(&name) {
            self.asts[i] = ast;
        } else {
            self.by_name.insert(name.clone(), self.names.len());
            self.names.push(name);
            self.asts.push(ast);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn build(self) -> RuleSet {
        compile::compile(&self.asts, self.names)
    }
}

/// Parses and validates a pattern as EventBridge does: event-ruler's rules
/// (`ast`), then EventBridge's limit on wildcard complexity (`complexity`).
fn parse_ast(text: &str) -> Result<ast::Pattern, PatternError> {
    let p = ast::Pattern::parse(text)?;
    if complexity::too_complex(&p) {
        return Err(ast::Pattern::root_error(text, complexity::TOO_COMPLEX));
    }
    Ok(p)
}

/// Many patterns compiled together; matching an event returns every rule it matches.
pub use compile::RuleSet;
/// Reusable scratch space for matching events against a [`RuleSet`].
pub use scan::Matcher;

/// Checks that `event` is one well-formed JSON object, with EventBridge's
/// rules (duplicate keys allowed, any number spelling). The error carries
/// the line, column and byte offset.
pub fn validate_event(event: &[u8]) -> Result<(), JsonError> {
    if json::validate(event)? {
        Ok(())
    } else {
        let start = event.iter().take_while(|b| b.is_ascii_whitespace()).count();
        Err(JsonError::new(start, event, "event must be a JSON object"))
    }
}
