//! The terminal UI: one [`AppState`], a synchronous [`update`](fn@update)`(Msg) ->
//! Vec<Effect>`, a pure [`render`], an [`Executor`] that runs effects on
//! tokio and answers with `Msg`s, and an event loop ([`Tui`]) generic over
//! the ratatui backend and the input stream. See ../shared/STYLE.md.

pub mod action;
pub mod columns;
pub mod config;
pub mod external;
pub mod inspect;
pub mod keys;
pub mod ops_ui;
pub mod runtime;
pub mod scope;
pub mod state;
#[cfg(test)]
pub(crate) mod testing;
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

/// How the terminal UI ended: said on stderr once the terminal is restored.
#[derive(Debug, Default)]
pub struct Ended {
    /// The signal that ended it (`terminate`, `hangup`, `interrupt`), if one did.
    pub signal: Option<&'static str>,
    /// What the bus tails still running at the end removed (and failed to).
    pub tails: Vec<state::TailEnd>,
    /// The loop's failure (the input ended in an error: a closed terminal),
    /// after which the tails were cleaned up all the same.
    pub error: Option<TuiError>,
}

/// Opens the TUI on the real terminal and runs it until the user quits or
/// `stop` completes (a signal: SIGTERM, SIGHUP when the terminal closes).
/// Either way the running bus tails remove their temporary queues and rules
/// and the terminal is restored before this returns.
/// Refuses when stdout is not a terminal (the only `Err`). `local`: the settings of eddy's
/// embedded backend when it runs in this process (`:ctx local` goes there).
pub async fn run(
    clients: Clients,
    config: Config,
    context: Context,
    local: Option<Settings>,
    stop: impl Future<Output = &'static str>,
) -> Result<Ended, TuiError> {
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
    let mut stop = std::pin::pin!(stop);
    let mut signal = None;
    let result = loop {
        let mut input = crossterm::event::EventStream::new();
        let ran = tokio::select! {
            r = tui.run(&mut input) => Some(r),
            s = &mut stop => {
                signal = Some(s);
                None
            }
        };
        let Some(result) = ran else {
            break Ok(());
        };
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
    let tails = tui.shutdown().await;
    drop(tui);
    drop(guard);
    Ok(Ended {
        signal,
        tails,
        error: result.err(),
    })
}
