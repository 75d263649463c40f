//! Key chords and the keymap: how a chord is written in the config file and
//! matched against a terminal key event, the bindings per scope, the reader
//! of the `[keys.<scope>]` tables, and the check that no chord means two
//! things in one view. crossterm's key types stay inside `tui/`.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use toml::de::DeValue;

use super::source::{ConfigError, Origin, Source, as_table};
use crate::tui::action::Action;
use crate::tui::scope::Scope;

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

/// Bindings per scope: `global` and one table per view (`queues`, `dlqs`,
/// `queue`, `message`, `buses`, `rules`, `rule`, `logs`, `log`).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    pub scopes: BTreeMap<Scope, Vec<(Chord, Action)>>,
}

impl Keymap {
    /// The action bound to `key` in `view`, else in `global`.
    pub fn lookup(&self, view: Scope, key: &KeyEvent) -> Option<Action> {
        let chord = Chord::from_key(key)?;
        self.lookup_chord(view, &chord)
    }

    /// The action bound to a chord in `view`, else in `global`.
    pub fn lookup_chord(&self, view: Scope, chord: &Chord) -> Option<Action> {
        [view, Scope::Global]
            .into_iter()
            .filter_map(|scope| self.scopes.get(&scope))
            .flat_map(|bindings| bindings.iter())
            .find(|(c, _)| c == chord)
            .map(|(_, action)| *action)
    }

    /// The chords bound to an action in a view (for help and hints): the
    /// view's own first, then the global ones.
    pub fn chords(&self, view: Scope, action: Action) -> Vec<&Chord> {
        let mut out = Vec::new();
        for scope in scopes_of(view) {
            if let Some(bindings) = self.scopes.get(&scope) {
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
    pub fn bindings(&self, view: Scope) -> Vec<(&Chord, Action)> {
        scopes_of(view)
            .into_iter()
            .filter_map(|scope| self.scopes.get(&scope))
            .flat_map(|bindings| bindings.iter().map(|(c, a)| (c, *a)))
            .collect()
    }

    /// The actions that work in `view` and are bound there (its own or
    /// global chords), each with its chords, in `Action::ALL` order: the rows
    /// of the help overlay. An action the view does not handle is never
    /// listed, even when a global chord binds it.
    pub fn help(&self, view: Scope) -> Vec<(Action, Vec<&Chord>)> {
        Action::ALL
            .iter()
            .filter(|a| view.handles(**a))
            .map(|a| (*a, self.chords(view, *a)))
            .filter(|(_, chords)| !chords.is_empty())
            .collect()
    }
}

/// The scopes whose bindings apply in `view`: its own, then the global ones.
fn scopes_of(view: Scope) -> Vec<Scope> {
    if view == Scope::Global {
        vec![Scope::Global]
    } else {
        vec![view, Scope::Global]
    }
}

/// scope → action → chords (with where each was written).
pub(crate) type Bindings = BTreeMap<Scope, BTreeMap<Action, Vec<(Chord, Origin)>>>;

pub(crate) fn parse_keys(
    src: Source<'_>,
    index: usize,
    value: &toml::Spanned<DeValue<'_>>,
    keys: &mut Bindings,
) -> Result<(), ConfigError> {
    for (scope, bindings) in as_table(src, value, "`keys`")? {
        let scope_name = scope.get_ref().as_ref();
        let Some(which) = Scope::from_name(scope_name) else {
            let views: Vec<&str> = Scope::VIEWS.iter().map(|s| s.name()).collect();
            return Err(src.error(
                scope.span(),
                format!(
                    "unknown key scope `{scope_name}` (expected global, {})",
                    views.join(", ")
                ),
            ));
        };
        let table = as_table(src, bindings, &format!("[keys.{scope_name}]"))?;
        let scope_map = keys.entry(which).or_default();
        for (action_key, chords) in table {
            let action_name = action_key.get_ref().as_ref();
            let action = action_from_name(action_name).ok_or_else(|| {
                src.error(
                    action_key.span(),
                    format!("unknown action `{action_name}` in [keys.{scope_name}]"),
                )
            })?;
            if !which.handles(action) {
                let works_in: Vec<&str> = Scope::VIEWS
                    .iter()
                    .filter(|s| s.handles(action))
                    .map(|s| s.name())
                    .collect();
                let hint = if works_in.is_empty() {
                    "no view; bind it in [keys.global] or not at all".to_string()
                } else {
                    format!("[keys.{}]", works_in.join("], [keys."))
                };
                return Err(src.error(
                    action_key.span(),
                    format!(
                        "`{action_name}` does nothing in the {scope_name} view; it works in {hint}"
                    ),
                ));
            }
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

pub(crate) fn action_from_name(name: &str) -> Option<Action> {
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

/// No chord may mean two things in one view: not twice in a scope, and not
/// in a view's table when the global table binds it already.
pub(crate) fn check_conflicts(sources: &[Source<'_>], keys: &Bindings) -> Result<(), ConfigError> {
    type Seen<'k> = BTreeMap<&'k Chord, (Scope, Action, &'k Origin)>;
    let empty = BTreeMap::new();
    let global = keys.get(&Scope::Global).unwrap_or(&empty);
    let mut global_seen: Seen<'_> = BTreeMap::new();
    let conflict = |chord: &Chord,
                    first: (Scope, Action, &Origin),
                    second: (Scope, Action, &Origin)|
     -> ConfigError {
        // Point at the binding the user wrote, when one of them is theirs.
        let at = if second.2.source >= first.2.source {
            second.2
        } else {
            first.2
        };
        let place =
            |scope: Scope, action: Action| format!("`{}` in [keys.{scope}]", action_name(action));
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
            if let Some(first) = global_seen.insert(chord, (Scope::Global, *action, origin)) {
                return Err(conflict(chord, first, (Scope::Global, *action, origin)));
            }
        }
    }
    for (scope, actions) in keys.iter().filter(|(s, _)| **s != Scope::Global) {
        let mut seen = global_seen.clone();
        for (action, chords) in actions {
            for (chord, origin) in chords {
                if let Some(first) = seen.insert(chord, (*scope, *action, origin)) {
                    return Err(conflict(chord, first, (*scope, *action, origin)));
                }
            }
        }
    }
    Ok(())
}
