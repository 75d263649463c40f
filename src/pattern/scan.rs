use std::fmt;

/// The event could not be read as one JSON object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventError {
    pub offset: usize,
    pub message: String,
}
impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (byte {})", self.message, self.offset)
    }
}
impl std::error::Error for EventError {}
