//! Keys to actions, in one place: the configured keymap first, then (only
//! while the keymap has nothing for a key) the built-in fallback below.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use crate::config::Config;

/// The action for `key` in the view `scope`.
pub fn resolve(config: &Config, scope: &str, key: &KeyEvent) -> Option<Action> {
    config
        .keys
        .lookup(scope, key)
        .or_else(|| fallback(&chord_of(key)))
}

/// The chords shown for `action` in `scope` (help overlay, hints): the
/// keymap's; the built-in ones only while the keymap is empty.
pub fn chords(config: &Config, scope: &str, action: Action) -> Vec<String> {
    let configured: Vec<String> = config
        .keys
        .chords(scope, action)
        .into_iter()
        .map(|c| c.0.clone())
        .collect();
    if !configured.is_empty() || !config.keys.scopes.is_empty() {
        return configured;
    }
    FALLBACK
        .iter()
        .filter(|(_, a)| *a == action)
        .map(|(c, _)| (*c).to_string())
        .collect()
}

/// A key as the config file writes it: `j`, `G`, `ctrl-c`, `enter`, `pgdn`.
pub fn chord_of(key: &KeyEvent) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "enter".to_string(),
        KeyCode::Esc => "esc".to_string(),
        KeyCode::Up => "up".to_string(),
        KeyCode::Down => "down".to_string(),
        KeyCode::Left => "left".to_string(),
        KeyCode::Right => "right".to_string(),
        KeyCode::PageUp => "pgup".to_string(),
        KeyCode::PageDown => "pgdn".to_string(),
        KeyCode::Home => "home".to_string(),
        KeyCode::End => "end".to_string(),
        KeyCode::Tab => "tab".to_string(),
        KeyCode::BackTab => "shift-tab".to_string(),
        KeyCode::Backspace => "backspace".to_string(),
        KeyCode::Delete => "delete".to_string(),
        KeyCode::F(n) => format!("f{n}"),
        _ => "?unknown".to_string(),
    };
    let mut prefix = String::new();
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        prefix.push_str("ctrl-");
    }
    if key.modifiers.contains(KeyModifiers::ALT) {
        prefix.push_str("alt-");
    }
    prefix + &base
}

/// Built-in bindings used only when the keymap has nothing for a key (until
/// the configured keymap lands; delete with [`fallback`] then).
const FALLBACK: &[(&str, Action)] = &[
    ("q", Action::Quit),
    ("ctrl-c", Action::Quit),
    ("?", Action::Help),
    ("esc", Action::Back),
    ("enter", Action::Open),
    ("k", Action::Up),
    ("up", Action::Up),
    ("j", Action::Down),
    ("down", Action::Down),
    ("pgup", Action::PageUp),
    ("ctrl-b", Action::PageUp),
    ("pgdn", Action::PageDown),
    ("ctrl-f", Action::PageDown),
    ("g", Action::Top),
    ("home", Action::Top),
    ("G", Action::Bottom),
    ("end", Action::Bottom),
    ("h", Action::ScrollLeft),
    ("left", Action::ScrollLeft),
    ("l", Action::ScrollRight),
    ("right", Action::ScrollRight),
    ("/", Action::Filter),
    (":", Action::Command),
    ("r", Action::Refresh),
    ("p", Action::Peek),
    ("s", Action::SortNext),
    ("S", Action::SortReverse),
    ("y", Action::CopyBody),
    ("w", Action::ToggleRaw),
    ("d", Action::GoToDlq),
];

/// The built-in binding of a chord.
fn fallback(chord: &str) -> Option<Action> {
    FALLBACK.iter().find(|(c, _)| *c == chord).map(|(_, a)| *a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_and_fallback() {
        let k = |c, m| chord_of(&KeyEvent::new(c, m));
        assert_eq!(k(KeyCode::Char('G'), KeyModifiers::SHIFT), "G");
        assert_eq!(k(KeyCode::Char('c'), KeyModifiers::CONTROL), "ctrl-c");
        assert_eq!(k(KeyCode::PageDown, KeyModifiers::NONE), "pgdn");
        assert_eq!(fallback("j"), Some(Action::Down));
        assert_eq!(fallback("x"), None);
        let mut seen = std::collections::BTreeSet::new();
        for (c, _) in FALLBACK {
            assert!(seen.insert(*c), "{c} bound twice");
        }
    }
}
