//! eddy: a terminal UI and CLI for event-driven systems on AWS.
//!
//! Modules (see `../shared/DESIGN.md`): `pattern` (the EventBridge pattern
//! engine, pure), `domain` (plain data), `aws` (every call to a backend,
//! through the AWS SDK), `cli` (the command line).
pub mod aws;
pub mod cli;
pub mod domain;
pub mod local;
pub mod logging;
pub mod ops;
pub mod pattern;
pub mod text;
pub mod tui;
