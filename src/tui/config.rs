//! Layered configuration: the embedded defaults (`assets/config.toml`, every
//! setting, key binding and the default theme) overridden key by key by the
//! user's `$XDG_CONFIG_HOME/eddy/config.toml` (else `~/.config/eddy/config.toml`).
//!
//! Both files go through the same validating reader, which walks the spanned
//! TOML tree (`toml::de::DeTable`), so every problem — an unknown key, an
//! unknown action, a chord that does not parse, a chord bound twice — is
//! reported as `path:line:column: message`.
//!
//! The key and theme readers live in `config/keys.rs` and `config/theme.rs`
//! (they need crossterm and ratatui, so they stay inside `tui/`); positions
//! and errors in `config/source.rs`.

mod keys;
mod source;
mod theme;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use ratatui::style::Style;
use toml::de::DeTable;

use keys::{Bindings, check_conflicts, parse_keys};
pub use keys::{Chord, Keymap, action_name};
pub use source::ConfigError;
use source::Source;
use theme::parse_theme;
pub use theme::{Meaning, Theme};

/// The default configuration, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../../assets/config.toml");

/// How the embedded defaults are named in error messages.
pub const DEFAULT_LABEL: &str = "<embedded assets/config.toml>";

/// The shortest refresh period accepted.
pub const MIN_REFRESH: Duration = Duration::from_millis(100);

/// The largest `peek_count` accepted.
pub const MAX_PEEK_COUNT: u32 = 1_000;

#[derive(Debug, Clone)]
pub struct Config {
    /// How often queue counts refresh.
    pub refresh: Duration,
    /// Messages fetched by one peek.
    pub peek_count: u32,
    /// The most messages "peek more" gathers in one queue view.
    pub peek_max: u32,
    pub keys: Keymap,
    pub theme: Theme,
    /// `[consumers]`: queue → log groups of consumers that are not Lambda
    /// functions (the consumer panel and "why it failed" search them).
    pub consumers: crate::ops::consumers::Declared,
}

#[derive(Debug, Default)]
struct Layer {
    refresh: Option<Duration>,
    peek_count: Option<u32>,
    peek_max: Option<u32>,
    keys: Bindings,
    theme: BTreeMap<Meaning, Style>,
    consumers: Option<crate::ops::consumers::Declared>,
}

fn parse_layer(src: Source<'_>, index: usize) -> Result<Layer, ConfigError> {
    let root = DeTable::parse(src.text).map_err(|e| {
        let message = e.message().trim().to_string();
        match e.span() {
            Some(span) => src.error(span, message),
            None => ConfigError::Invalid {
                path: src.label.to_string(),
                message,
            },
        }
    })?;
    let mut layer = Layer::default();
    for (key, value) in root.get_ref() {
        let span = key.span();
        match key.get_ref().as_ref() {
            "refresh" => {
                let text = value.get_ref().as_str().ok_or_else(|| {
                    src.error(value.span(), "`refresh` must be a duration such as \"2s\"")
                })?;
                let d = parse_duration(text).map_err(|m| src.error(value.span(), m))?;
                if d < MIN_REFRESH {
                    return Err(src.error(
                        value.span(),
                        format!("`refresh` must be at least {}ms", MIN_REFRESH.as_millis()),
                    ));
                }
                layer.refresh = Some(d);
            }
            name @ ("peek_count" | "peek_max") => {
                let n = value
                    .get_ref()
                    .as_integer()
                    .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                    .filter(|n| (1..=i64::from(MAX_PEEK_COUNT)).contains(n))
                    .ok_or_else(|| {
                        src.error(
                            value.span(),
                            format!("`{name}` must be a whole number from 1 to {MAX_PEEK_COUNT}"),
                        )
                    })?;
                if name == "peek_count" {
                    layer.peek_count = u32::try_from(n).ok();
                } else {
                    layer.peek_max = u32::try_from(n).ok();
                }
            }
            "keys" => parse_keys(src, index, value, &mut layer.keys)?,
            "theme" => parse_theme(src, value, &mut layer.theme)?,
            // Declared consumers (the same reading as the CLI's
            // `ops::consumers::Declared::load`), a mistake reported with its position.
            "consumers" => {
                layer.consumers = Some(
                    crate::ops::consumers::Declared::parse_value(value)
                        .map_err(|(span, message)| src.error(span, message))?,
                );
            }
            other => {
                return Err(src.error(
                    span,
                    format!(
                        "unknown key `{other}` (expected refresh, peek_count, peek_max, [keys.<scope>] or [theme])"
                    ),
                ));
            }
        }
    }
    Ok(layer)
}

/// The units a duration in the config may use: the forms `"500ms"`, `"2s"`,
/// `"1m"`, `"1.5s"`; hours and days make no sense for a refresh.
const DURATION_UNITS: &[&str] = &["ms", "s", "m", "min"];

/// `"500ms"`, `"2s"`, `"1m"`, `"1.5s"` (parsed by `humantime`, in the units
/// above only).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration (write \"500ms\", \"2s\" or \"1m\")");
    let t = text.trim();
    let units_ok = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|unit| !unit.is_empty())
        .all(|unit| DURATION_UNITS.contains(&unit));
    if !units_ok {
        return Err(bad());
    }
    humantime::parse_duration(t).map_err(|_| bad())
}

fn build(sources: &[Source<'_>], no_color: bool) -> Result<Config, ConfigError> {
    let mut refresh = Duration::from_secs(2);
    let mut peek_count = 10;
    let mut peek_max = 100;
    let mut consumers = crate::ops::consumers::Declared::default();
    let mut keys: Bindings = BTreeMap::new();
    let mut theme = Theme {
        no_color,
        styles: BTreeMap::new(),
    };
    for (i, src) in sources.iter().enumerate() {
        let layer = parse_layer(*src, i)?;
        if let Some(r) = layer.refresh {
            refresh = r;
        }
        if let Some(n) = layer.peek_count {
            peek_count = n;
        }
        if let Some(n) = layer.peek_max {
            peek_max = n;
        }
        for (scope, actions) in layer.keys {
            // Key by key: the user's table replaces only the actions it names.
            keys.entry(scope).or_default().extend(actions);
        }
        theme.styles.extend(layer.theme);
        if let Some(c) = layer.consumers {
            consumers = c;
        }
    }
    check_conflicts(sources, &keys)?;
    let scopes = keys
        .into_iter()
        .map(|(scope, actions)| {
            let bindings = actions
                .into_iter()
                .flat_map(|(action, chords)| chords.into_iter().map(move |(c, _)| (c, action)))
                .collect();
            (scope, bindings)
        })
        .collect();
    Ok(Config {
        refresh,
        peek_count,
        peek_max,
        keys: Keymap { scopes },
        theme,
        consumers,
    })
}

static DEFAULTS: LazyLock<Result<Config, String>> = LazyLock::new(|| {
    let src = Source {
        label: DEFAULT_LABEL,
        text: DEFAULT_TOML,
    };
    build(&[src], false).map_err(|e| e.to_string())
});

impl Config {
    /// The embedded defaults alone (tests, snapshots). A test guarantees they
    /// parse; were they ever broken, this logs why and returns an empty keymap.
    pub fn defaults() -> Config {
        match &*DEFAULTS {
            Ok(config) => config.clone(),
            Err(e) => {
                tracing::error!("the embedded default config is invalid: {e}");
                Config {
                    refresh: Duration::from_secs(2),
                    peek_count: 10,
                    peek_max: 100,
                    keys: Keymap::default(),
                    theme: Theme::default(),
                    consumers: Default::default(),
                }
            }
        }
    }

    /// Defaults merged with the user's file, when there is one; `NO_COLOR`
    /// (set and not empty) turns colours off.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_from(Config::user_path().as_deref())
    }

    /// Defaults merged with the file at `path` (a missing file is no file).
    pub fn load_from(path: Option<&Path>) -> Result<Config, ConfigError> {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let user = match path {
            Some(p) => match std::fs::read_to_string(p) {
                Ok(text) => Some((p.display().to_string(), text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(source) => {
                    return Err(ConfigError::Read {
                        path: p.display().to_string(),
                        source,
                    });
                }
            },
            None => None,
        };
        let user = user
            .as_ref()
            .map(|(label, text)| (label.as_str(), text.as_str()));
        Config::from_toml(user, no_color)
    }

    /// Defaults merged with `user = (name for messages, TOML text)`. Pure: no
    /// files, no environment.
    pub fn from_toml(user: Option<(&str, &str)>, no_color: bool) -> Result<Config, ConfigError> {
        let mut sources = vec![Source {
            label: DEFAULT_LABEL,
            text: DEFAULT_TOML,
        }];
        if let Some((label, text)) = user {
            sources.push(Source { label, text });
        }
        build(&sources, no_color)
    }

    /// `$XDG_CONFIG_HOME/eddy/config.toml`, else `~/.config/eddy/config.toml`.
    pub fn user_path() -> Option<PathBuf> {
        let absolute = |v: std::ffi::OsString| {
            let p = PathBuf::from(v);
            p.is_absolute().then_some(p)
        };
        std::env::var_os("XDG_CONFIG_HOME")
            .and_then(absolute)
            .or_else(|| {
                std::env::var_os("HOME")
                    .and_then(absolute)
                    .map(|h| h.join(".config"))
            })
            .map(|dir| dir.join("eddy").join("config.toml"))
    }
}

#[cfg(test)]
mod tests {
    use super::keys::action_from_name;
    use super::source::line_col;
    use super::*;
    use crate::tui::action::Action;
    use crate::tui::scope::Scope;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use crossterm::event::{KeyEventKind, KeyEventState};
    use ratatui::style::{Color, Modifier};
    use std::collections::BTreeSet;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }
    }

    fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn user(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(Some(("/home/u/.config/eddy/config.toml", text)), false)
    }

    #[test]
    fn the_shipped_default_parses() {
        let c = Config::from_toml(None, false).unwrap();
        assert_eq!(c.refresh, Duration::from_secs(2));
        assert_eq!(c.peek_count, 10);
        assert!(c.keys.scopes.contains_key(&Scope::Global));
        for view in Scope::VIEWS {
            assert!(
                c.keys.scopes.contains_key(view),
                "no [keys.{view}] in the defaults"
            );
        }
        assert_eq!(c.theme.style(Meaning::Danger).fg, Some(Color::Red));
        assert_eq!(
            c.theme.style(Meaning::Selected),
            Style::default().fg(Color::Black).bg(Color::Cyan)
        );
        for m in Meaning::ALL {
            assert!(
                c.theme.styles.contains_key(m),
                "no theme entry for {}",
                m.name()
            );
        }
        // defaults() is the same thing, cached.
        assert_eq!(Config::defaults().keys.scopes, c.keys.scopes);
    }

    #[test]
    fn the_documented_global_keys() {
        let c = Config::defaults();
        let k = &c.keys;
        assert_eq!(k.lookup(Scope::Queues, &ch('q')), Some(Action::Quit));
        assert_eq!(
            k.lookup(
                Scope::Queues,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL)
            ),
            Some(Action::Quit)
        );
        assert_eq!(k.lookup(Scope::Queues, &ch('?')), Some(Action::Help));
        assert_eq!(
            k.lookup(Scope::Queues, &key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(k.lookup(Scope::Dlqs, &ch(':')), Some(Action::Command));
        assert_eq!(k.lookup(Scope::Dlqs, &ch('/')), Some(Action::Filter));
        assert_eq!(
            k.lookup(Scope::Message, &key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Back)
        );
        assert_eq!(k.lookup(Scope::Queue, &ch('j')), Some(Action::Down));
        assert_eq!(
            k.lookup(Scope::Queue, &key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            k.lookup(Scope::Queue, &key(KeyCode::PageDown, KeyModifiers::NONE)),
            Some(Action::PageDown)
        );
        assert_eq!(
            k.lookup(
                Scope::Queue,
                &key(KeyCode::Char('b'), KeyModifiers::CONTROL)
            ),
            Some(Action::PageUp)
        );
        assert_eq!(k.lookup(Scope::Queue, &ch('g')), Some(Action::Top));
        assert_eq!(k.lookup(Scope::Queue, &ch('G')), Some(Action::Bottom));
        assert_eq!(
            k.lookup(Scope::Queue, &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            k.lookup(Scope::Queue, &key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Open)
        );
        // View keys only in their view.
        assert_eq!(k.lookup(Scope::Queues, &ch('p')), Some(Action::Peek));
        assert_eq!(k.lookup(Scope::Queues, &ch('d')), Some(Action::GoToDlq));
        assert_eq!(k.lookup(Scope::Buses, &ch('p')), None);
        assert_eq!(k.lookup(Scope::Message, &ch('y')), Some(Action::CopyBody));
        assert_eq!(k.lookup(Scope::Message, &ch('R')), Some(Action::ToggleRaw));
        assert_eq!(k.lookup(Scope::Message, &ch('r')), Some(Action::Refresh));
        // Modifiers must match.
        assert_eq!(
            k.lookup(Scope::Queues, &key(KeyCode::Char('q'), KeyModifiers::ALT)),
            None
        );
        assert_eq!(
            k.lookup(
                Scope::Queues,
                &key(KeyCode::Char('j'), KeyModifiers::CONTROL)
            ),
            None
        );
        // Help and hints.
        let quit: Vec<String> = k
            .chords(Scope::Queues, Action::Quit)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(quit, ["q", "ctrl-c"]);
        let peek: Vec<String> = k
            .chords(Scope::Queue, Action::Peek)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(peek, ["p"]);
        assert!(k.chords(Scope::Buses, Action::Peek).is_empty());
        assert!(
            k.help(Scope::Message)
                .iter()
                .any(|(a, _)| *a == Action::CopyBody)
        );
        assert!(
            !k.help(Scope::Queues)
                .iter()
                .any(|(a, _)| *a == Action::CopyBody)
        );
    }

    #[test]
    fn every_view_has_a_key_section_and_its_help_lists_only_what_it_does() {
        let c = Config::defaults();
        for &view in Scope::VIEWS {
            let own = c
                .keys
                .scopes
                .get(&view)
                .unwrap_or_else(|| panic!("no [keys.{view}] in the defaults"));
            for (chord, action) in own {
                assert!(
                    view.handles(*action),
                    "[keys.{view}] binds {chord} to {action:?}, which does nothing there"
                );
            }
            for (action, _) in c.keys.help(view) {
                assert!(
                    view.handles(action),
                    "help of {view} lists {action:?}, which does nothing there"
                );
            }
            for &hint in view.hints() {
                assert!(
                    !c.keys.chords(view, hint).is_empty(),
                    "{view} hints {hint:?}, which no chord binds there"
                );
            }
        }
        // A global chord for an action a view lacks is not listed there.
        assert!(
            !c.keys
                .help(Scope::Log)
                .iter()
                .any(|(a, _)| *a == Action::Refresh)
        );
        assert!(
            c.keys
                .help(Scope::Queues)
                .iter()
                .any(|(a, _)| *a == Action::Refresh)
        );
    }

    #[test]
    fn a_view_table_binds_only_what_the_view_does() {
        let e = user("[keys.log]\ntoggle_raw = [\"R\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/home/u/.config/eddy/config.toml:2:1: `toggle_raw` does nothing in the log view; it works in [keys.message]"),
            "{e}"
        );
        // Globally, any action may be bound: each view takes what it has.
        assert!(user("[keys.global]\ntoggle_raw = [\"ctrl-r\"]\n").is_ok());
    }

    #[test]
    fn no_chord_is_bound_twice_in_any_view() {
        let c = Config::defaults();
        let global = &c.keys.scopes[&Scope::Global];
        for view in Scope::VIEWS {
            let mut seen = BTreeSet::new();
            for (chord, action) in global.iter().chain(c.keys.scopes[view].iter()) {
                assert!(
                    seen.insert(chord.clone()),
                    "{chord} bound twice in {view} (again to {action:?})"
                );
            }
        }
    }

    #[test]
    fn every_action_is_bound_somewhere() {
        let c = Config::defaults();
        let bound: BTreeSet<Action> = c.keys.scopes.values().flatten().map(|(_, a)| *a).collect();
        for a in Action::ALL {
            assert!(bound.contains(a), "{a:?} ({}) has no key", action_name(*a));
        }
    }

    #[test]
    fn action_names_round_trip() {
        for a in Action::ALL {
            assert_eq!(action_from_name(&action_name(*a)), Some(*a));
        }
        assert_eq!(action_name(Action::GoToDlq), "go_to_dlq");
        assert_eq!(action_from_name("GoToDlq"), None);
    }

    #[test]
    fn a_user_override_changes_one_key_and_keeps_the_rest() {
        let c = user(
            "refresh = \"500ms\"\n[keys.global]\nquit = [\"x\"]\n[theme]\ndanger = \"magenta\"\n",
        )
        .unwrap();
        assert_eq!(c.refresh, Duration::from_millis(500));
        assert_eq!(c.peek_count, 10);
        let k = &c.keys;
        assert_eq!(k.lookup(Scope::Queues, &ch('x')), Some(Action::Quit));
        assert_eq!(
            k.lookup(Scope::Queues, &ch('q')),
            None,
            "quit was replaced, not extended"
        );
        assert_eq!(k.lookup(Scope::Queues, &ch('j')), Some(Action::Down));
        assert_eq!(k.lookup(Scope::Queues, &ch('p')), Some(Action::Peek));
        assert_eq!(k.lookup(Scope::Message, &ch('y')), Some(Action::CopyBody));
        assert_eq!(c.theme.style(Meaning::Danger).fg, Some(Color::Magenta));
        assert_eq!(c.theme.style(Meaning::Ok).fg, Some(Color::Green));

        // Now `q` is free, a view may take it.
        let c = user("[keys.global]\nquit = [\"ctrl-c\"]\n[keys.queue]\npeek = [\"q\", \"p\"]\n")
            .unwrap();
        assert_eq!(c.keys.lookup(Scope::Queue, &ch('q')), Some(Action::Peek));
        assert_eq!(c.keys.lookup(Scope::Queues, &ch('q')), None);
    }

    #[test]
    fn an_unknown_key_is_rejected_with_line_and_column() {
        let e = user("peek_count = 5\n\n[keys.global]\nquit = [\"q\"]\n  frobnicate = [\"z\"]\n")
            .unwrap_err();
        let ConfigError::At {
            path,
            line,
            column,
            message,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(path, "/home/u/.config/eddy/config.toml");
        assert_eq!((*line, *column), (5, 3), "{e}");
        assert!(message.contains("unknown action `frobnicate`"), "{message}");
        assert!(
            e.to_string()
                .starts_with("/home/u/.config/eddy/config.toml:5:3: "),
            "{e}"
        );

        let e = user("refresh = \"1s\"\ncolour = \"red\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(":2:1: unknown key `colour` (expected refresh, peek_count, peek_max, [keys.<scope>] or [theme])"), "{e}");

        let e = user("[keys.inbox]\nquit = [\"q\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":1:7: unknown key scope `inbox`"), "{e}");

        let e = user("[theme]\nshouty = \"red\"\n").unwrap_err().to_string();
        assert!(e.contains(":2:1: unknown theme meaning `shouty`"), "{e}");

        let e = user("[theme]\nok = { fg = \"green\", blink = true }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:22: unknown style key `blink`"), "{e}");
    }

    #[test]
    fn bad_values_are_rejected_where_they_are() {
        let e = user("[keys.global]\nquit = [\"q\", \"ctrl-\u{e9}\u{e9}\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:14: unknown key `éé`"), "{e}");
        let e = user("[keys.global]\nquit = [\"hyper-q\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:9: unknown modifier `hyper`"), "{e}");
        let e = user("[keys.global]\nquit = [\"f13\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:9: no function key"), "{e}");
        let e = user("[keys.global]\nquit = 3\n").unwrap_err().to_string();
        assert!(e.contains(":2:8: `quit` must be a list"), "{e}");
        let e = user("refresh = \"soon\"\n").unwrap_err().to_string();
        assert!(e.contains(":1:11: `soon` is not a duration"), "{e}");
        let e = user("refresh = \"10ms\"\n").unwrap_err().to_string();
        assert!(e.contains("at least 100ms"), "{e}");
        let e = user("peek_count = 0\n").unwrap_err().to_string();
        assert!(e.contains(":1:14: `peek_count` must be"), "{e}");
        let e = user("[theme]\nok = \"chartreuse-ish\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:6: unknown colour"), "{e}");
        // A TOML syntax error keeps toml's message, with our line and column.
        let e = user("[keys.global\nquit = [\"q\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("/home/u/.config/eddy/config.toml:1:"), "{e}");
    }

    #[test]
    fn a_chord_bound_twice_is_rejected() {
        // Twice in one scope: `r` is refresh already.
        let e = user("[keys.global]\nhelp = [\"?\", \"r\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:14: chord `r` is bound twice"), "{e}");
        assert!(
            e.contains("`help` in [keys.global]") && e.contains("`refresh` in [keys.global]"),
            "{e}"
        );
        // A view may not shadow a global key.
        let e = user("[keys.queues]\npeek = [\"j\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:9: chord `j` is bound twice"), "{e}");
        // Spellings are canonical: `shift-g` is `G`, `PageDown` is `pgdn`.
        let e = user("[keys.queue]\npeek = [\"shift-g\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("chord `G` is bound twice"), "{e}");
        let e = user("[keys.queue]\npeek = [\"PageDown\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("chord `pgdn` is bound twice"), "{e}");
    }

    #[test]
    fn chords_parse_to_one_spelling() {
        let p = |s: &str| Chord::parse(s).map(|c| c.0);
        assert_eq!(p("q").unwrap(), "q");
        assert_eq!(p("G").unwrap(), "G");
        assert_eq!(p("shift-g").unwrap(), "G");
        assert_eq!(p("ctrl-c").unwrap(), "ctrl-c");
        assert_eq!(p("Ctrl-C").unwrap(), "ctrl-c");
        assert_eq!(p("alt-x").unwrap(), "alt-x");
        assert_eq!(p("ctrl-alt-x").unwrap(), "ctrl-alt-x");
        assert_eq!(p("alt-ctrl-x").unwrap(), "ctrl-alt-x");
        assert_eq!(p("enter").unwrap(), "enter");
        assert_eq!(p("Return").unwrap(), "enter");
        assert_eq!(p("escape").unwrap(), "esc");
        assert_eq!(p("shift-tab").unwrap(), "backtab");
        assert_eq!(p("backtab").unwrap(), "backtab");
        assert_eq!(p("shift-up").unwrap(), "shift-up");
        assert_eq!(p("pageup").unwrap(), "pgup");
        assert_eq!(p("F5").unwrap(), "f5");
        assert_eq!(p(" ").unwrap(), "space");
        assert_eq!(p("space").unwrap(), "space");
        assert_eq!(p("-").unwrap(), "-");
        assert_eq!(p("ctrl--").unwrap(), "ctrl--");
        for s in ["?", "/", ":"] {
            assert_eq!(p(s).unwrap(), s);
        }
        assert!(p("").is_err());
        assert!(p("f0").is_err());
        assert!(p("enterr").is_err());
    }

    #[test]
    fn key_events_become_the_same_spelling() {
        let f = |code, m| Chord::from_key(&key(code, m)).map(|c| c.0);
        assert_eq!(f(KeyCode::Char('q'), KeyModifiers::NONE).unwrap(), "q");
        assert_eq!(f(KeyCode::Char('G'), KeyModifiers::SHIFT).unwrap(), "G");
        assert_eq!(f(KeyCode::Char('?'), KeyModifiers::SHIFT).unwrap(), "?");
        assert_eq!(
            f(KeyCode::Char('c'), KeyModifiers::CONTROL).unwrap(),
            "ctrl-c"
        );
        assert_eq!(
            f(
                KeyCode::Char('C'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT
            )
            .unwrap(),
            "ctrl-c"
        );
        assert_eq!(f(KeyCode::Char('x'), KeyModifiers::ALT).unwrap(), "alt-x");
        assert_eq!(f(KeyCode::Char(' '), KeyModifiers::NONE).unwrap(), "space");
        assert_eq!(f(KeyCode::BackTab, KeyModifiers::SHIFT).unwrap(), "backtab");
        assert_eq!(f(KeyCode::Tab, KeyModifiers::SHIFT).unwrap(), "backtab");
        assert_eq!(f(KeyCode::Up, KeyModifiers::SHIFT).unwrap(), "shift-up");
        assert_eq!(f(KeyCode::F(12), KeyModifiers::NONE).unwrap(), "f12");
        assert_eq!(f(KeyCode::PageDown, KeyModifiers::NONE).unwrap(), "pgdn");
        assert_eq!(f(KeyCode::CapsLock, KeyModifiers::NONE), None);
        // Every default chord is reachable from some key event.
        let c = Config::defaults();
        for chord in c.keys.scopes.values().flatten().map(|(c, _)| c) {
            assert_eq!(
                Chord::parse(&chord.0).as_ref(),
                Ok(chord),
                "not canonical: {chord}"
            );
        }
    }

    #[test]
    fn no_color_keeps_only_modifiers() {
        let c = Config::from_toml(None, true).unwrap();
        assert!(c.theme.no_color);
        for m in Meaning::ALL {
            let s = c.theme.style(*m);
            assert_eq!(
                (s.fg, s.bg),
                (None, None),
                "{} has a colour under NO_COLOR",
                m.name()
            );
        }
        assert!(
            c.theme
                .style(Meaning::Selected)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
        assert!(
            c.theme
                .style(Meaning::Danger)
                .add_modifier
                .contains(Modifier::BOLD)
        );
        assert_eq!(c.theme.style(Meaning::Normal), Style::default());
        // And the same through without_color().
        let t = Config::defaults().theme.without_color();
        assert_eq!(t.style(Meaning::Ok), Style::default());
    }

    #[test]
    fn load_from_reads_a_file_and_tolerates_none() {
        let dir = std::env::temp_dir().join(format!("eddy-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, "peek_count = 3\n").unwrap();
        assert_eq!(Config::load_from(Some(&path)).unwrap().peek_count, 3);
        std::fs::write(&path, "peek_count = 3\nbogus = 1\n").unwrap();
        let e = Config::load_from(Some(&path)).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}:2:1: unknown key `bogus`", path.display())),
            "{e}"
        );
        std::fs::remove_file(&path).unwrap();
        assert_eq!(Config::load_from(Some(&path)).unwrap().peek_count, 10);
        assert_eq!(Config::load_from(None).unwrap().peek_count, 10);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1m").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("2").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("2h").is_err());
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("\u{e9}x", 2), (1, 2));
    }
}
