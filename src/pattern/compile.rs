use super::ast;
use super::eval;
use super::json;
use super::scan::EventError;

#[derive(Debug, Clone)]
pub struct RuleSet {
    names: Vec<String>,
    asts: Vec<ast::Pattern>,
}

pub fn compile(asts: &[ast::Pattern], names: Vec<String>) -> RuleSet {
    RuleSet { names, asts: asts.to_vec() }
}

impl RuleSet {
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
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
    pub fn matches(&mut self, event: &[u8]) -> Result<&[usize], EventError> {
        let v = json::parse(event).map_err(|e| EventError { offset: e.offset, message: e.message })?;
        let flat = eval::flatten(&v);
        self.out.clear();
        for (i, a) in self.rules.asts.iter().enumerate() {
            if a.branches.iter().any(|b| eval::eval_branch(b, &flat).matched) {
                self.out.push(i);
            }
        }
        Ok(&self.out)
    }
}
