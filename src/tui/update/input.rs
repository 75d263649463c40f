//! Keys and actions: overlays first (prompt: its text selected when it
//! opens pre-filled, ctrl-u clears it; help, confirmation), then the
//! editor and the workbench, then the keymap of the view's scope. The
//! actions every view shares (quit, help, the palette, filter, back, moving,
//! sorting, refresh, open) run here; a view's own actions run in its file
//! (`View::on_action`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::action::Action;
use crate::tui::keys;
use crate::tui::scope::SHARED;
use crate::tui::state::*;
use crate::tui::view;

use super::command::{close_above, run_command};
use super::navigate::{open, refresh_now};

pub(crate) fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let was_prompt = matches!(state.overlay, Overlay::Prompt { .. });
    let effects = dispatch_key(state, key);
    // A prompt opened with text in it has that text selected.
    state.prompt_selected = match &state.overlay {
        Overlay::Prompt { text, .. } if !was_prompt => !text.is_empty(),
        Overlay::Prompt { .. } => state.prompt_selected,
        _ => false,
    };
    effects
}

fn dispatch_key(state: &mut AppState, key: KeyEvent) -> Vec<Effect> {
    let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
    if ctrl_c {
        // At the quit question, ctrl-c is the answer.
        if let Overlay::Confirm(c) = &state.overlay
            && c.then == Pending::Quit
        {
            state.quit = true;
            return Vec::new();
        }
        state.overlay = Overlay::None;
        return view::tasks::quit(state);
    }
    let help_action = matches!(state.overlay, Overlay::Help { .. })
        .then(|| keys::resolve(&state.config, state.top().scope(), &key))
        .flatten();
    let page = state
        .size
        .map_or(10, |(_, h)| (h as usize).saturating_sub(8).max(1));
    match &mut state.overlay {
        Overlay::Prompt { kind, text } => {
            let kind = *kind;
            match key.code {
                KeyCode::Esc => {
                    if kind == PromptKind::Filter
                        && let Some(lv) = state.top_mut().list_mut()
                    {
                        lv.filter.clear();
                    }
                    state.overlay = Overlay::None;
                }
                KeyCode::Enter => {
                    let text = text.trim().to_string();
                    state.overlay = Overlay::None;
                    if kind == PromptKind::Command {
                        return run_command(state, &text);
                    }
                    if kind != PromptKind::Filter {
                        return view::of(state.top()).answer(state, kind, &text);
                    }
                }
                KeyCode::Backspace => {
                    text.pop();
                    apply_live_filter(state);
                }
                // ctrl-u clears the line, as in a shell.
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    text.clear();
                    apply_live_filter(state);
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    // The pre-filled text, still selected, is replaced.
                    if state.prompt_selected {
                        text.clear();
                    }
                    text.push(c);
                    apply_live_filter(state);
                }
                _ => {}
            }
            // Any key but the first character keeps the text for editing.
            state.prompt_selected = false;
            return Vec::new();
        }
        Overlay::Help { scroll } => {
            match help_action {
                Some(Action::Quit) if key.code == KeyCode::Char('q') => {
                    state.overlay = Overlay::None
                }
                Some(Action::Quit) => {
                    state.overlay = Overlay::None;
                    return view::tasks::quit(state);
                }
                Some(Action::Back | Action::Help) => state.overlay = Overlay::None,
                Some(Action::Down) => *scroll += 1,
                Some(Action::Up) => *scroll = scroll.saturating_sub(1),
                Some(Action::PageDown) => *scroll += page,
                Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
                Some(Action::Top) => *scroll = 0,
                Some(Action::Bottom) => *scroll = usize::MAX,
                _ => {}
            }
            let max = help_max_scroll(state);
            if let Overlay::Help { scroll } = &mut state.overlay {
                *scroll = (*scroll).min(max);
            }
            return Vec::new();
        }
        Overlay::Confirm(c) => {
            let yes = match (&c.typed, key.code) {
                (_, KeyCode::Esc) => Some(false),
                (None, KeyCode::Char('y' | 'Y')) => Some(true),
                (None, KeyCode::Char('n' | 'N') | KeyCode::Enter) => Some(false),
                (Some(want), KeyCode::Enter) => {
                    if c.input == *want {
                        Some(true)
                    } else {
                        c.input.clear();
                        None
                    }
                }
                (Some(_), KeyCode::Backspace) => {
                    c.input.pop();
                    None
                }
                (Some(_), KeyCode::Char(ch)) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    c.input.push(ch);
                    None
                }
                _ => None,
            };
            return match yes {
                None => Vec::new(),
                Some(false) => {
                    state.overlay = Overlay::None;
                    state.flash(Level::Info, "cancelled: nothing was changed");
                    Vec::new()
                }
                Some(true) => {
                    let Overlay::Confirm(c) = std::mem::replace(&mut state.overlay, Overlay::None)
                    else {
                        return Vec::new();
                    };
                    confirmed(state, c.then)
                }
            };
        }
        Overlay::None => {}
    }
    // A view with an editor takes its keys first.
    if let Some(effects) = view::of(state.top()).on_key(state, key) {
        return effects;
    }
    match keys::resolve(&state.config, state.top().scope(), &key) {
        Some(action) => apply(state, action),
        None => Vec::new(),
    }
}

/// The lines of the `?` overlay for the current view: one per bound action.
pub fn help_len(state: &AppState) -> usize {
    let scope = state.top().scope();
    let own = match state.top() {
        Screen::Workbench(wb) => wb.help().len(),
        _ => 0,
    };
    own + keys::help(&state.config, scope).len()
}

/// How far the `?` overlay can scroll in the current terminal.
pub(crate) fn help_max_scroll(state: &AppState) -> usize {
    let len = help_len(state);
    // The body is the screen less header, status and hints; less the borders.
    let shown = state
        .size
        .map_or(len, |(_, h)| (h as usize).saturating_sub(5).min(len));
    len.saturating_sub(shown)
}

/// The filter follows the prompt as it is typed.
pub(crate) fn apply_live_filter(state: &mut AppState) {
    if let Overlay::Prompt {
        kind: PromptKind::Filter,
        text,
    } = &state.overlay
    {
        let text = text.clone();
        if let Some(lv) = state.top_mut().list_mut() {
            lv.filter = text;
        }
    }
}

/// Runs one user intent.
pub fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    // Only what the view has: its scope is the one list of its actions.
    if !state.top().scope().handles(action) {
        return Vec::new();
    }
    // The view's own actions run in its file.
    if !SHARED.contains(&action) {
        return view::of(state.top())
            .on_action(state, action)
            .unwrap_or_default();
    }
    match action {
        Action::Quit => view::tasks::quit(state),
        Action::Help => {
            state.overlay = Overlay::Help { scroll: 0 };
            Vec::new()
        }
        Action::Command => {
            state.overlay = Overlay::Prompt {
                kind: PromptKind::Command,
                text: String::new(),
            };
            Vec::new()
        }
        Action::Filter => {
            if let Some(lv) = state.top().list() {
                let text = lv.filter.clone();
                state.overlay = Overlay::Prompt {
                    kind: PromptKind::Filter,
                    text,
                };
            } else if let Some((kind, text)) = view::of(state.top()).filter_prompt(state) {
                state.overlay = Overlay::Prompt { kind, text };
            }
            Vec::new()
        }
        Action::Back => {
            if !view::of(state.top()).leave(state) {
                return Vec::new();
            }
            if let Some(lv) = state.top_mut().list_mut()
                && !lv.filter.is_empty()
            {
                lv.filter.clear();
                return Vec::new();
            }
            if state.stack.len() > 1 {
                let mut effects = close_above(state, state.stack.len() - 1);
                state.stack.pop();
                state.flash = None;
                // The view back on top refreshes now if it is due (an
                // action changed it while it was below).
                let now = state.now;
                effects.extend(super::navigate::refresh_due(state, now));
                return effects;
            }
            state.flash = None;
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => {
            move_cursor(state, action);
            Vec::new()
        }
        Action::ScrollLeft | Action::ScrollRight => Vec::new(),
        Action::SortNext | Action::SortReverse => {
            let columns = view::of(state.top()).columns();
            if columns.is_empty() {
                return Vec::new();
            }
            let n = columns.len();
            if let Some(lv) = state.top_mut().list_mut() {
                if action == Action::SortNext {
                    lv.sort = (lv.sort + 1) % n;
                    // Counts read best largest first; names and states A to Z.
                    lv.reverse = NUMERIC_COLUMNS.contains(&columns[lv.sort]);
                } else {
                    lv.reverse = !lv.reverse;
                }
            }
            Vec::new()
        }
        Action::Refresh => refresh_now(state),
        Action::Open => open(state),
        // Not shared (ran above).
        _ => Vec::new(),
    }
}

pub(crate) fn move_cursor(state: &mut AppState, action: Action) {
    let view = view::of(state.top());
    if view.scroll(state, action) {
        return;
    }
    let top = state.top();
    let Some(lv) = top.list() else { return };
    let Some(cursor) = moved(lv.order.len(), lv.cursor, action) else {
        return;
    };
    let key = lv
        .order
        .get(cursor)
        .and_then(|&i| view.key_at(state, i))
        .map(str::to_string);
    if let Some(lv) = state.top_mut().list_mut() {
        lv.cursor = cursor;
        lv.selected.clone_from(&key);
        lv.current = key;
    }
}

/// Runs what a confirmation asked about.
pub(crate) fn confirmed(state: &mut AppState, then: Pending) -> Vec<Effect> {
    match then {
        Pending::ForcedPeek { .. } => view::queue::peek_now(state, true),
        Pending::Quit => {
            state.quit = true;
            Vec::new()
        }
        Pending::CancelTask { id } => view::tasks::cancel_now(state, id),
        Pending::DiscardEdits => view::editor::discard(state),
        other => crate::tui::ops_ui::confirmed(state, other),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::tui::config::Config;
    use crate::tui::state::*;
    use crate::tui::update::update;

    fn press(state: &mut AppState, code: KeyCode, m: KeyModifiers) {
        update(state, Msg::Key(KeyEvent::new(code, m)));
    }

    fn typed(state: &mut AppState, text: &str) {
        for c in text.chars() {
            press(state, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn prompt(state: &AppState) -> Option<&str> {
        match &state.overlay {
            Overlay::Prompt { text, .. } => Some(text),
            _ => None,
        }
    }

    fn filter(state: &AppState) -> &str {
        state.top().list().map_or("", |l| l.filter.as_str())
    }

    /// A pre-filled prompt's text is replaced by the first character typed;
    /// backspace keeps it for editing; ctrl-u clears the line.
    #[test]
    fn prompts_replace_their_prefill_and_clear_with_ctrl_u() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        typed(&mut state, "/ord");
        press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(filter(&state), "ord");
        // Opened again: "ord" is selected, the first character replaces it.
        typed(&mut state, "/");
        assert_eq!(prompt(&state), Some("ord"));
        assert!(state.prompt_selected);
        typed(&mut state, "bi");
        assert_eq!(prompt(&state), Some("bi"));
        assert_eq!(filter(&state), "bi");
        press(&mut state, KeyCode::Enter, KeyModifiers::NONE);
        // Backspace first: the text is kept and edited.
        typed(&mut state, "/");
        press(&mut state, KeyCode::Backspace, KeyModifiers::NONE);
        typed(&mut state, "x");
        assert_eq!(prompt(&state), Some("bx"));
        // ctrl-u clears the line (and the live filter with it).
        press(&mut state, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(prompt(&state), Some(""));
        assert_eq!(filter(&state), "");
        typed(&mut state, "y");
        assert_eq!(prompt(&state), Some("y"));
        // An empty prompt has nothing selected.
        press(&mut state, KeyCode::Esc, KeyModifiers::NONE);
        typed(&mut state, ":");
        assert!(!state.prompt_selected);
    }
}
