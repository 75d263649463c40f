//! Event values and comparisons.
