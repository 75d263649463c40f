//! eddy: a terminal UI and CLI for event-driven systems on AWS.
pub mod cli;
pub mod pattern;
