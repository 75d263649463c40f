//! The terminal UI: one [`AppState`], a synchronous [`update`](fn@update)`(Msg) ->
//! Vec<Effect>`, a pure [`render`], an [`Executor`] that runs effects on
//! tokio and answers with `Msg`s, and an event loop ([`Tui`]) generic over
//! the ratatui backend and the input stream. See ../shared/STYLE.md.

pub mod action;
pub mod config;
pub mod external;
pub mod inspect;
pub mod keys;
pub mod ops_ui;
pub mod runtime;
pub mod scope;
pub mod state;
pub mod update;
pub mod view;
pub mod workbench;

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use runtime::{Executor, Options, TerminalGuard, Tui, TuiError};
pub use state::{AppState, Context, Effect, Loadable, Msg, ReqId, Screen};
pub use update::update;
pub use view::render;

use crate::aws::{Clients, Settings};
use crate::tui::config::Config;

/// Opens the TUI on the real terminal and runs it until the user quits.
/// Refuses when stdout is not a terminal. `local`: the settings of eddy's
/// embedded backend when it runs in this process (`:ctx local` goes there).
pub async fn run(
    clients: Clients,
    config: Config,
    context: Context,
    local: Option<Settings>,
) -> Result<(), TuiError> {
    if !std::io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let guard = TerminalGuard::enter()?;
    let backend = ratatui::backend::CrosstermBackend::new(std::io::stdout());
    let terminal =
        ratatui::Terminal::new(backend).map_err(|e| TuiError::Terminal(e.to_string()))?;
    let (state, first) = AppState::new(config, context, Instant::now());
    let clipboard: runtime::Clipboard = Arc::new(Mutex::new(std::io::stdout()));
    let mut tui = Tui::new(
        terminal,
        state,
        first,
        clients,
        clipboard,
        Options { ticks: true },
    );
    if let Some(l) = local {
        tui.set_local(l);
    }
    let result = loop {
        let mut input = crossterm::event::EventStream::new();
        let result = tui.run(&mut input).await;
        // No one reads the terminal while `$EDITOR` has it.
        drop(input);
        let Some(text) = tui.take_external_edit() else {
            break result;
        };
        let editor = external::editor_command();
        match external::suspended(|| external::edit_text(&text, &editor)) {
            Ok(edited) => {
                // Everything is drawn again on the (cleared) alternate
                // screen: the last frame is forgotten (`clear` would ask the
                // terminal for the cursor, which is not needed here).
                let terminal = tui.terminal_mut();
                terminal.current_buffer_mut().reset();
                terminal.swap_buffers();
                tui.handle(Msg::BodyEdited(edited));
            }
            Err(e) => break Err(e),
        }
    };
    tui.shutdown().await;
    drop(tui);
    drop(guard);
    result
}
