use super::ast;
use super::scan::EventError;

#[derive(Debug, Clone)]
pub struct RuleSet {
    names: Vec<String>,
}

pub fn compile(_asts: &[ast::Pattern], names: Vec<String>) -> RuleSet {
    RuleSet { names }
}

impl RuleSet {
    /// Number of rules.
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// Rule names, in the order they were added; `matches` returns indexes into this.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher { rules: self, out: Vec::new() }
    }
}

pub struct Matcher<'r> {
    rules: &'r RuleSet,
    out: Vec<usize>,
}

impl<'r> Matcher<'r> {
    /// Indexes (into `RuleSet::names`) of the rules the event matches, ascending.
    pub fn matches(&mut self, _event: &[u8]) -> Result<&[usize], EventError> {
        let _ = self.rules;
        todo!()
    }
}
