//! Keys to actions, in one place: the keymap from the config (the shipped
//! default merged with the user's file) is the only source of bindings, and
//! the view's [`Scope`] says which of the bound actions do something there.

use crossterm::event::KeyEvent;

use super::action::Action;
use super::scope::Scope;
use crate::tui::config::Config;

/// The action for `key` in the view `scope` (the view's bindings, then the
/// global ones); `None` when the action bound does nothing in that view.
pub fn resolve(config: &Config, scope: Scope, key: &KeyEvent) -> Option<Action> {
    config.keys.lookup(scope, key).filter(|a| scope.handles(*a))
}

/// The rows of the `?` overlay for `scope`: each action that works there and
/// is bound, with its chords as the config file writes them.
pub fn help(config: &Config, scope: Scope) -> Vec<(Action, Vec<String>)> {
    config
        .keys
        .help(scope)
        .into_iter()
        .map(|(a, chords)| (a, chords.into_iter().map(|c| c.0.clone()).collect()))
        .collect()
}

/// The chords shown for `action` in `scope` (help overlay, hints), as the
/// config file writes them.
pub fn chords(config: &Config, scope: Scope, action: Action) -> Vec<String> {
    config
        .keys
        .chords(scope, action)
        .into_iter()
        .map(|c| c.0.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::config::Chord;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn keys_resolve_through_the_keymap_only() {
        let c = Config::defaults();
        let key = |code, m| KeyEvent::new(code, m);
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(resolve(&c, Scope::Queues, &j), Some(Action::Down));
        assert_eq!(
            resolve(
                &c,
                Scope::Queues,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            Chord::from_key(&key(KeyCode::PageDown, KeyModifiers::NONE)).map(|c| c.0),
            Some("pgdn".to_string())
        );
        // An empty keymap binds nothing: there is no built-in fallback.
        let mut empty = c.clone();
        empty.keys.scopes.clear();
        assert_eq!(resolve(&empty, Scope::Queues, &j), None);
        assert!(chords(&empty, Scope::Queues, Action::Down).is_empty());
        assert!(chords(&c, Scope::Queues, Action::Down).contains(&"j".to_string()));
    }
}
