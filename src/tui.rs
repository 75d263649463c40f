//! The terminal UI (contract; being built): one `AppState`, a synchronous
//! `update(Msg) -> Vec<Effect>`, a pure `render`, an executor that runs
//! effects on tokio and answers with `Msg`s, and an event loop generic over
//! the ratatui backend and the input stream. See ../shared/STYLE.md.

pub mod action;
