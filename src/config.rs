//! Layered configuration: the embedded defaults (`assets/config.toml`, every
//! setting, key binding and the default theme) overridden key by key by the
//! user's `$XDG_CONFIG_HOME/eddy/config.toml` (else `~/.config/eddy/config.toml`).
//!
//! Both files go through the same validating reader, which walks the spanned
//! TOML tree (`toml::de::DeTable`), so every problem — an unknown key, an
//! unknown action, a chord that does not parse, a chord bound twice — is
//! reported as `path:line:column: message`.

use crate::tui::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;
use toml::de::{DeTable, DeValue};

/// The default configuration, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../assets/config.toml");

/// How the embedded defaults are named in error messages.
pub const DEFAULT_LABEL: &str = "<embedded assets/config.toml>";

/// The views that may have their own `[keys.<view>]` table.
pub const VIEWS: &[&str] = &[
    "queues",
    "dlqs",
    "queue",
    "message",
    "buses",
    "rules",
    "rule",
    "logs",
    "log",
    "ctx",
    "tail",
    "editor",
    "workbench",
    "redrive",
];

/// The scope whose bindings apply in every view.
pub const GLOBAL: &str = "global";

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
    pub keys: Keymap,
    pub theme: Theme,
}

// ---------------------------------------------------------------------------
// Chords

/// A key chord in its canonical spelling: modifiers `ctrl-`, `alt-`, `shift-`
/// (in that order; `shift-` only on named keys, a character carries its own
/// case), then the key: `q`, `G`, `?`, `space`, `ctrl-c`, `enter`, `esc`,
/// `tab`, `backtab`, `up`, `pgdn`, `f5`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord(pub String);

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Named keys: (spelling in the config, canonical name).
const NAMED_KEYS: &[(&str, &str)] = &[
    ("enter", "enter"),
    ("return", "enter"),
    ("esc", "esc"),
    ("escape", "esc"),
    ("tab", "tab"),
    ("backtab", "backtab"),
    ("backspace", "backspace"),
    ("bs", "backspace"),
    ("delete", "delete"),
    ("del", "delete"),
    ("insert", "insert"),
    ("ins", "insert"),
    ("up", "up"),
    ("down", "down"),
    ("left", "left"),
    ("right", "right"),
    ("pgup", "pgup"),
    ("pageup", "pgup"),
    ("pgdn", "pgdn"),
    ("pgdown", "pgdn"),
    ("pagedown", "pgdn"),
    ("home", "home"),
    ("end", "end"),
    ("space", "space"),
];

impl Chord {
    /// Parses a chord as written in the config file into its canonical form
    /// (`shift-tab` → `backtab`, `shift-g` → `G`, `PageDown` → `pgdn`).
    pub fn parse(text: &str) -> Result<Chord, String> {
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        let mut rest = text;
        while let Some((head, tail)) = rest.split_once('-') {
            if tail.is_empty() {
                break; // `-` itself, or `ctrl--`
            }
            match head.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => ctrl = true,
                "alt" | "meta" => alt = true,
                "shift" => shift = true,
                _ => return Err(format!("unknown modifier `{head}` in chord `{text}`")),
            }
            rest = tail;
        }
        if rest.is_empty() {
            return Err("an empty chord".to_string());
        }
        let mut chars = rest.chars();
        let key: String = match (chars.next(), chars.next()) {
            (Some(' '), None) => "space".to_string(),
            (Some(c), None) => {
                let c = if ctrl {
                    c.to_ascii_lowercase()
                } else if shift {
                    c.to_ascii_uppercase()
                } else {
                    c
                };
                shift = false; // a character carries its own case
                c.to_string()
            }
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) {
                        return Err(format!("no function key `{rest}` (f1 to f12)"));
                    }
                    format!("f{n}")
                } else if let Some((_, name)) = NAMED_KEYS.iter().find(|(k, _)| *k == lower) {
                    if *name == "tab" && shift {
                        shift = false;
                        "backtab".to_string()
                    } else {
                        if *name == "backtab" || *name == "space" {
                            shift = false;
                        }
                        (*name).to_string()
                    }
                } else {
                    return Err(format!("unknown key `{rest}` in chord `{text}`"));
                }
            }
        };
        Ok(Chord(canonical(ctrl, alt, shift, &key)))
    }

    /// The chord a key event is, in canonical form; `None` for keys a chord
    /// cannot name (media keys, modifiers alone, F13+ still map to `f13`).
    /// SHIFT is ignored on characters (`?`, `G` carry it) and on back-tab.
    pub fn from_key(key: &KeyEvent) -> Option<Chord> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let shift = key.modifiers.contains(KeyModifiers::SHIFT);
        let (name, shift) = match key.code {
            KeyCode::Char(' ') => ("space".to_string(), false),
            KeyCode::Char(c) if ctrl => (c.to_ascii_lowercase().to_string(), false),
            KeyCode::Char(c) => (c.to_string(), false),
            KeyCode::Enter => ("enter".to_string(), shift),
            KeyCode::Esc => ("esc".to_string(), shift),
            KeyCode::Tab => ("tab".to_string(), shift),
            KeyCode::BackTab => ("backtab".to_string(), false),
            KeyCode::Backspace => ("backspace".to_string(), shift),
            KeyCode::Delete => ("delete".to_string(), shift),
            KeyCode::Insert => ("insert".to_string(), shift),
            KeyCode::Up => ("up".to_string(), shift),
            KeyCode::Down => ("down".to_string(), shift),
            KeyCode::Left => ("left".to_string(), shift),
            KeyCode::Right => ("right".to_string(), shift),
            KeyCode::PageUp => ("pgup".to_string(), shift),
            KeyCode::PageDown => ("pgdn".to_string(), shift),
            KeyCode::Home => ("home".to_string(), shift),
            KeyCode::End => ("end".to_string(), shift),
            KeyCode::F(n) => (format!("f{n}"), shift),
            _ => return None,
        };
        // `shift-tab` arrives as Tab+SHIFT on some terminals.
        if name == "tab" && shift {
            return Some(Chord(canonical(ctrl, alt, false, "backtab")));
        }
        Some(Chord(canonical(ctrl, alt, shift, &name)))
    }
}

fn canonical(ctrl: bool, alt: bool, shift: bool, key: &str) -> String {
    let mut s = String::with_capacity(key.len() + 12);
    if ctrl {
        s.push_str("ctrl-");
    }
    if alt {
        s.push_str("alt-");
    }
    if shift {
        s.push_str("shift-");
    }
    s.push_str(key);
    s
}

// ---------------------------------------------------------------------------
// Keymap

/// Bindings per scope: `global` and one table per view (`queues`, `dlqs`,
/// `queue`, `message`, `buses`, `rules`, `rule`, `logs`, `log`).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub scopes: BTreeMap<String, Vec<(Chord, Action)>>,
}

impl Keymap {
    /// The action bound to `key` in `view`, else in `global`.
    pub fn lookup(&self, view: &str, key: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_key(key)?;
        self.lookup_chord(view, &chord)
    }

    /// The action bound to a chord in `view`, else in `global`.
    pub fn lookup_chord(&self, view: &str, chord: &Chord) -> Option<Action> {
        [view, GLOBAL]
            .into_iter()
            .filter_map(|scope| self.scopes.get(scope))
            .flat_map(|bindings| bindings.iter())
            .find(|(c, _)| c == chord)
            .map(|(_, action)| *action)
    }

    /// The chords bound to an action in a view (for help and hints): the
    /// view's own first, then the global ones.
    pub fn chords(&self, view: &str, action: Action) -> Vec<&Chord> {
        let mut out = Vec::new();
        let scopes: &[&str] = if view == GLOBAL {
            &[GLOBAL]
        } else {
            &[view, GLOBAL]
        };
        for scope in scopes {
            if let Some(bindings) = self.scopes.get(*scope) {
                out.extend(
                    bindings
                        .iter()
                        .filter(|(_, a)| *a == action)
                        .map(|(c, _)| c),
                );
            }
        }
        out
    }

    /// Every binding that works in `view`, the view's own first (for `?`).
    pub fn bindings(&self, view: &str) -> Vec<(&Chord, Action)> {
        let scopes: &[&str] = if view == GLOBAL {
            &[GLOBAL]
        } else {
            &[view, GLOBAL]
        };
        scopes
            .iter()
            .filter_map(|scope| self.scopes.get(*scope))
            .flat_map(|bindings| bindings.iter().map(|(c, a)| (c, *a)))
            .collect()
    }

    /// The actions bound in `view` (its own and the global ones), each with
    /// its chords, in `Action::ALL` order: the rows of the help overlay.
    pub fn help(&self, view: &str) -> Vec<(Action, Vec<&Chord>)> {
        Action::ALL
            .iter()
            .map(|a| (*a, self.chords(view, *a)))
            .filter(|(_, chords)| !chords.is_empty())
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Theme

/// What a piece of text means; views ask for meanings, never colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

impl Meaning {
    pub const ALL: &'static [Meaning] = &[
        Meaning::Normal,
        Meaning::Muted,
        Meaning::Selected,
        Meaning::Header,
        Meaning::Title,
        Meaning::Ok,
        Meaning::Warn,
        Meaning::Danger,
        Meaning::Key,
        Meaning::Accent,
    ];

    /// The key in the `[theme]` table.
    pub fn name(self) -> &'static str {
        match self {
            Meaning::Normal => "normal",
            Meaning::Muted => "muted",
            Meaning::Selected => "selected",
            Meaning::Header => "header",
            Meaning::Title => "title",
            Meaning::Ok => "ok",
            Meaning::Warn => "warn",
            Meaning::Danger => "danger",
            Meaning::Key => "key",
            Meaning::Accent => "accent",
        }
    }

    fn from_name(name: &str) -> Option<Meaning> {
        Meaning::ALL.iter().copied().find(|m| m.name() == name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// `NO_COLOR`: styles keep their modifiers only.
    pub no_color: bool,
    /// The style of each meaning (a meaning not listed is unstyled).
    pub styles: BTreeMap<Meaning, Style>,
}

impl Theme {
    pub fn style(&self, meaning: Meaning) -> Style {
        let style = self.styles.get(&meaning).copied().unwrap_or_default();
        if !self.no_color {
            return style;
        }
        // Without colour, meaning must survive as modifiers alone.
        let mut plain = Style::default().add_modifier(style.add_modifier);
        match meaning {
            Meaning::Selected => plain = plain.add_modifier(Modifier::REVERSED),
            Meaning::Danger | Meaning::Title | Meaning::Header => {
                plain = plain.add_modifier(Modifier::BOLD);
            }
            _ => {}
        }
        plain
    }

    /// The same theme without colours (what `NO_COLOR` selects).
    pub fn without_color(mut self) -> Theme {
        self.no_color = true;
        self
    }
}

// ---------------------------------------------------------------------------
// Errors

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// A problem at a place in a file (1-based line and column).
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A file being read: its name for messages and its text for line numbers.
#[derive(Clone, Copy)]
struct Source<'a> {
    label: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(self.text, span.start);
        ConfigError::At {
            path: self.label.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

// ---------------------------------------------------------------------------
// Reading one file (a layer)

/// Where a value came from: which source, and its span there.
#[derive(Debug, Clone)]
struct Origin {
    source: usize,
    span: Range<usize>,
}

/// scope → action → chords (with where each was written).
type Bindings = BTreeMap<String, BTreeMap<Action, Vec<(Chord, Origin)>>>;

#[derive(Debug, Default)]
struct Layer {
    refresh: Option<Duration>,
    peek_count: Option<u32>,
    keys: Bindings,
    theme: BTreeMap<Meaning, Style>,
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
            "peek_count" => {
                let n = value
                    .get_ref()
                    .as_integer()
                    .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok())
                    .filter(|n| (1..=i64::from(MAX_PEEK_COUNT)).contains(n))
                    .ok_or_else(|| {
                        src.error(
                            value.span(),
                            format!(
                                "`peek_count` must be a whole number from 1 to {MAX_PEEK_COUNT}"
                            ),
                        )
                    })?;
                layer.peek_count = u32::try_from(n).ok();
            }
            "keys" => parse_keys(src, index, value, &mut layer)?,
            "theme" => parse_theme(src, value, &mut layer)?,
            other => {
                return Err(src.error(
                    span,
                    format!(
                        "unknown key `{other}` (expected refresh, peek_count, [keys.<scope>] or [theme])"
                    ),
                ));
            }
        }
    }
    Ok(layer)
}

fn as_table<'a, 'i>(
    src: Source<'_>,
    value: &'a toml::Spanned<DeValue<'i>>,
    what: &str,
) -> Result<&'a DeTable<'i>, ConfigError> {
    value
        .get_ref()
        .as_table()
        .ok_or_else(|| src.error(value.span(), format!("{what} must be a table")))
}

fn parse_keys(
    src: Source<'_>,
    index: usize,
    value: &toml::Spanned<DeValue<'_>>,
    layer: &mut Layer,
) -> Result<(), ConfigError> {
    for (scope, bindings) in as_table(src, value, "`keys`")? {
        let scope_name = scope.get_ref().as_ref();
        if scope_name != GLOBAL && !VIEWS.contains(&scope_name) {
            return Err(src.error(
                scope.span(),
                format!(
                    "unknown key scope `{scope_name}` (expected global, {})",
                    VIEWS.join(", ")
                ),
            ));
        }
        let table = as_table(src, bindings, &format!("[keys.{scope_name}]"))?;
        let scope_map = layer.keys.entry(scope_name.to_string()).or_default();
        for (action_key, chords) in table {
            let action_name = action_key.get_ref().as_ref();
            let action = action_from_name(action_name).ok_or_else(|| {
                src.error(
                    action_key.span(),
                    format!("unknown action `{action_name}` in [keys.{scope_name}]"),
                )
            })?;
            let mut list = Vec::new();
            let mut push = |v: &toml::Spanned<DeValue<'_>>| -> Result<(), ConfigError> {
                let text = v.get_ref().as_str().ok_or_else(|| {
                    src.error(v.span(), "a chord must be a string such as \"ctrl-c\"")
                })?;
                let chord = Chord::parse(text).map_err(|m| src.error(v.span(), m))?;
                list.push((
                    chord,
                    Origin {
                        source: index,
                        span: v.span(),
                    },
                ));
                Ok(())
            };
            match chords.get_ref() {
                DeValue::String(_) => push(chords)?,
                DeValue::Array(items) => {
                    for item in items.iter() {
                        push(item)?;
                    }
                }
                _ => {
                    return Err(src.error(
                        chords.span(),
                        format!("`{action_name}` must be a list of chords such as [\"q\"]"),
                    ));
                }
            }
            scope_map.insert(action, list);
        }
    }
    Ok(())
}

fn action_from_name(name: &str) -> Option<Action> {
    // The serde name is the one truth; `Action` is a unit enum.
    let quoted = serde_json::Value::String(name.to_string());
    serde_json::from_value::<Action>(quoted).ok()
}

/// The snake_case name of an action, as the config file spells it.
pub fn action_name(action: Action) -> String {
    match serde_json::to_value(action) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{action:?}"),
    }
}

fn parse_theme(
    src: Source<'_>,
    value: &toml::Spanned<DeValue<'_>>,
    layer: &mut Layer,
) -> Result<(), ConfigError> {
    for (key, spec) in as_table(src, value, "[theme]")? {
        let name = key.get_ref().as_ref();
        let meaning = Meaning::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = Meaning::ALL.iter().map(|m| m.name()).collect();
            src.error(
                key.span(),
                format!(
                    "unknown theme meaning `{name}` (expected {})",
                    known.join(", ")
                ),
            )
        })?;
        let style = parse_style(src, spec)?;
        layer.theme.insert(meaning, style);
    }
    Ok(())
}

fn parse_color(src: Source<'_>, value: &toml::Spanned<DeValue<'_>>) -> Result<Color, ConfigError> {
    let text = value
        .get_ref()
        .as_str()
        .ok_or_else(|| src.error(value.span(), "a colour must be a string such as \"red\""))?;
    text.parse::<Color>().map_err(|_| {
        src.error(
            value.span(),
            format!("unknown colour `{text}` (a name, \"#rrggbb\" or an index 0-255)"),
        )
    })
}

fn parse_style(src: Source<'_>, value: &toml::Spanned<DeValue<'_>>) -> Result<Style, ConfigError> {
    match value.get_ref() {
        DeValue::String(_) => Ok(Style::default().fg(parse_color(src, value)?)),
        DeValue::Table(table) => {
            let mut style = Style::default();
            for (key, v) in table {
                let modifier = match key.get_ref().as_ref() {
                    "fg" => {
                        style = style.fg(parse_color(src, v)?);
                        continue;
                    }
                    "bg" => {
                        style = style.bg(parse_color(src, v)?);
                        continue;
                    }
                    "bold" => Modifier::BOLD,
                    "dim" => Modifier::DIM,
                    "italic" => Modifier::ITALIC,
                    "underlined" | "underline" => Modifier::UNDERLINED,
                    "reversed" => Modifier::REVERSED,
                    other => {
                        return Err(src.error(
                            key.span(),
                            format!(
                                "unknown style key `{other}` (expected fg, bg, bold, dim, italic, underlined, reversed)"
                            ),
                        ));
                    }
                };
                match v.get_ref().as_bool() {
                    Some(true) => style = style.add_modifier(modifier),
                    Some(false) => style = style.remove_modifier(modifier),
                    None => return Err(src.error(v.span(), "expected true or false")),
                }
            }
            Ok(style)
        }
        _ => Err(src.error(
            value.span(),
            "a style is a colour (\"red\") or a table ({ fg = \"black\", bg = \"cyan\" })",
        )),
    }
}

/// `"500ms"`, `"2s"`, `"1m"`, `"1.5s"`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration (write \"500ms\", \"2s\" or \"1m\")");
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        _ => return Err(bad()),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| bad())
}

// ---------------------------------------------------------------------------
// Merging layers and checking the result

fn build(sources: &[Source<'_>], no_color: bool) -> Result<Config, ConfigError> {
    let mut refresh = Duration::from_secs(2);
    let mut peek_count = 10;
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
        for (scope, actions) in layer.keys {
            // Key by key: the user's table replaces only the actions it names.
            keys.entry(scope).or_default().extend(actions);
        }
        theme.styles.extend(layer.theme);
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
        keys: Keymap { scopes },
        theme,
    })
}

/// No chord may mean two things in one view: not twice in a scope, and not
/// in a view's table when the global table binds it already.
fn check_conflicts(sources: &[Source<'_>], keys: &Bindings) -> Result<(), ConfigError> {
    type Seen<'k> = BTreeMap<&'k Chord, (&'k str, Action, &'k Origin)>;
    let empty = BTreeMap::new();
    let global = keys.get(GLOBAL).unwrap_or(&empty);
    let mut global_seen: Seen<'_> = BTreeMap::new();
    let conflict = |chord: &Chord,
                    first: (&str, Action, &Origin),
                    second: (&str, Action, &Origin)|
     -> ConfigError {
        // Point at the binding the user wrote, when one of them is theirs.
        let at = if second.2.source >= first.2.source {
            second.2
        } else {
            first.2
        };
        let place =
            |scope: &str, action: Action| format!("`{}` in [keys.{scope}]", action_name(action));
        sources[at.source].error(
            at.span.clone(),
            format!(
                "chord `{chord}` is bound twice: {} and {}",
                place(first.0, first.1),
                place(second.0, second.1)
            ),
        )
    };
    for (action, chords) in global {
        for (chord, origin) in chords {
            if let Some(first) = global_seen.insert(chord, (GLOBAL, *action, origin)) {
                return Err(conflict(chord, first, (GLOBAL, *action, origin)));
            }
        }
    }
    for (scope, actions) in keys.iter().filter(|(s, _)| s.as_str() != GLOBAL) {
        let mut seen = global_seen.clone();
        for (action, chords) in actions {
            for (chord, origin) in chords {
                if let Some(first) = seen.insert(chord, (scope.as_str(), *action, origin)) {
                    return Err(conflict(chord, first, (scope.as_str(), *action, origin)));
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Entry points

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
                    keys: Keymap::default(),
                    theme: Theme::default(),
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
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};
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
        assert!(c.keys.scopes.contains_key(GLOBAL));
        for view in VIEWS {
            assert!(
                c.keys.scopes.contains_key(*view),
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
        assert_eq!(k.lookup("queues", &ch('q')), Some(Action::Quit));
        assert_eq!(
            k.lookup("queues", &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(k.lookup("queues", &ch('?')), Some(Action::Help));
        assert_eq!(
            k.lookup("queues", &key(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(k.lookup("dlqs", &ch(':')), Some(Action::Command));
        assert_eq!(k.lookup("dlqs", &ch('/')), Some(Action::Filter));
        assert_eq!(
            k.lookup("message", &key(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::Back)
        );
        assert_eq!(k.lookup("queue", &ch('j')), Some(Action::Down));
        assert_eq!(
            k.lookup("queue", &key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            k.lookup("queue", &key(KeyCode::PageDown, KeyModifiers::NONE)),
            Some(Action::PageDown)
        );
        assert_eq!(
            k.lookup("queue", &key(KeyCode::Char('b'), KeyModifiers::CONTROL)),
            Some(Action::PageUp)
        );
        assert_eq!(k.lookup("queue", &ch('g')), Some(Action::Top));
        assert_eq!(k.lookup("queue", &ch('G')), Some(Action::Bottom));
        assert_eq!(
            k.lookup("queue", &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            k.lookup("queue", &key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Open)
        );
        // View keys only in their view.
        assert_eq!(k.lookup("queues", &ch('p')), Some(Action::Peek));
        assert_eq!(k.lookup("queues", &ch('d')), Some(Action::GoToDlq));
        assert_eq!(k.lookup("buses", &ch('p')), None);
        assert_eq!(k.lookup("message", &ch('y')), Some(Action::CopyBody));
        assert_eq!(k.lookup("message", &ch('R')), Some(Action::ToggleRaw));
        assert_eq!(k.lookup("message", &ch('r')), Some(Action::Refresh));
        // Modifiers must match.
        assert_eq!(
            k.lookup("queues", &key(KeyCode::Char('q'), KeyModifiers::ALT)),
            None
        );
        assert_eq!(
            k.lookup("queues", &key(KeyCode::Char('j'), KeyModifiers::CONTROL)),
            None
        );
        // Help and hints.
        let quit: Vec<String> = k
            .chords("queues", Action::Quit)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(quit, ["q", "ctrl-c"]);
        let peek: Vec<String> = k
            .chords("queue", Action::Peek)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(peek, ["p"]);
        assert!(k.chords("buses", Action::Peek).is_empty());
        assert!(
            k.help("message")
                .iter()
                .any(|(a, _)| *a == Action::CopyBody)
        );
        assert!(!k.help("queues").iter().any(|(a, _)| *a == Action::CopyBody));
    }

    #[test]
    fn no_chord_is_bound_twice_in_any_view() {
        let c = Config::defaults();
        let global = &c.keys.scopes[GLOBAL];
        for view in VIEWS {
            let mut seen = BTreeSet::new();
            for (chord, action) in global.iter().chain(c.keys.scopes[*view].iter()) {
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
        assert_eq!(k.lookup("queues", &ch('x')), Some(Action::Quit));
        assert_eq!(
            k.lookup("queues", &ch('q')),
            None,
            "quit was replaced, not extended"
        );
        assert_eq!(k.lookup("queues", &ch('j')), Some(Action::Down));
        assert_eq!(k.lookup("queues", &ch('p')), Some(Action::Peek));
        assert_eq!(k.lookup("message", &ch('y')), Some(Action::CopyBody));
        assert_eq!(c.theme.style(Meaning::Danger).fg, Some(Color::Magenta));
        assert_eq!(c.theme.style(Meaning::Ok).fg, Some(Color::Green));

        // Now `q` is free, a view may take it.
        let c = user("[keys.global]\nquit = [\"ctrl-c\"]\n[keys.queue]\npeek = [\"q\", \"p\"]\n")
            .unwrap();
        assert_eq!(c.keys.lookup("queue", &ch('q')), Some(Action::Peek));
        assert_eq!(c.keys.lookup("queues", &ch('q')), None);
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
        assert!(e.ends_with(":2:1: unknown key `colour` (expected refresh, peek_count, [keys.<scope>] or [theme])"), "{e}");

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
