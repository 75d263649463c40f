//! Where a configuration value came from, and the errors that point there:
//! the file being read (its name and text), the span of a value in it, and
//! `path:line:column: message` errors. Shared by the key and theme readers.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// A problem at a place in a file (1-based line and column).
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A file being read: its name for messages and its text for line numbers.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) label: &'a str,
    pub(crate) text: &'a str,
}

impl Source<'_> {
    pub(crate) fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError::At {
            path: self.label.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Where a value came from: which source, and its span there.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) source: usize,
    pub(crate) span: Range<usize>,
}

pub(crate) fn as_table<'a, 'i>(
    src: Source<'_>,
    value: &'a toml::Spanned<DeValue<'i>>,
    what: &str,
) -> Result<&'a DeTable<'i>, ConfigError> {
    value
        .get_ref()
        .as_table()
        .ok_or_else(|| src.error(value.span(), format!("{what} must be a table")))
}
