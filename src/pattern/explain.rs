use super::ast;
use super::json::JsonError;
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
        let _ = f;
        todo!()
    }
}

pub fn explain(_ast: &ast::Pattern, _event: &[u8]) -> Result<Explanation, JsonError> {
    todo!()
}
