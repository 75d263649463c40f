//! Pattern syntax tree and validation (stub).
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// JSON path of the offending element, e.g. `detail.total_cost[0].numeric`.
    pub path: String,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    /// EventBridge's reason, e.g. `Empty arrays are not allowed`.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Event pattern is not valid. Reason: {}", self.reason)?;
        if !self.path.is_empty() {
            write!(f, " (at {})", self.path)?;
        }
        write!(f, " at line {}, column {} (byte {})", self.line, self.column, self.offset)
    }
}
impl std::error::Error for PatternError {}

#[derive(Debug, Clone)]
pub struct Pattern {}

impl Pattern {
    pub fn parse(_text: &str) -> Result<Pattern, PatternError> {
        todo!()
    }
}
