//! Layered configuration: the embedded defaults (`assets/config.toml`, every
//! setting, key binding and the default theme) overridden key by key by the
//! user's `$XDG_CONFIG_HOME/eddy/config.toml`. Unknown keys are rejected with
//! their line and column.
//!
//! (Contract used by the TUI; the parsing is being filled in.)

use crate::tui::action::Action;
use std::time::Duration;

/// The default configuration, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../assets/config.toml");

#[derive(Debug, Clone)]
pub struct Config {
    /// How often queue counts refresh.
    pub refresh: Duration,
    /// Messages fetched by one peek.
    pub peek_count: u32,
    pub keys: Keymap,
    pub theme: Theme,
}

/// A key chord as written in the config: `q`, `ctrl-c`, `enter`, `esc`,
/// `up`, `pgdn`, `shift-tab`, `?`, `/`, `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord(pub String);

/// Bindings per scope: `global` and one table per view (`queues`, `dlqs`,
/// `queue`, `message`, `buses`, `rules`, `rule`, `logs`, `log`).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub scopes: std::collections::BTreeMap<String, Vec<(Chord, Action)>>,
}

impl Keymap {
    /// The action bound to `key` in `view`, else in `global`.
    pub fn lookup(&self, view: &str, key: &crossterm::event::KeyEvent) -> Option<Action> {
        let _ = (view, key);
        None
    }

    /// The chords bound to an action in a view (for help and hints).
    pub fn chords(&self, view: &str, action: Action) -> Vec<&Chord> {
        let _ = (view, action);
        Vec::new()
    }
}

/// What a piece of text means; views ask for meanings, never colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    Normal,
    Muted,
    Selected,
    Header,
    Title,
    Ok,
    Warn,
    Danger,
    Key,
    Accent,
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub no_color: bool,
}

impl Theme {
    pub fn style(&self, meaning: Meaning) -> ratatui::style::Style {
        let _ = meaning;
        ratatui::style::Style::default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    /// The embedded defaults alone (tests, snapshots).
    pub fn defaults() -> Config {
        Config {
            refresh: Duration::from_secs(2),
            peek_count: 10,
            keys: Keymap::default(),
            theme: Theme::default(),
        }
    }

    /// Defaults merged with the user's file, when there is one.
    pub fn load() -> Result<Config, ConfigError> {
        Ok(Config::defaults())
    }
}
