//! The theme: what a piece of text means ([`Meaning`]) and the style each
//! meaning gets, read from the `[theme]` table. Views ask for meanings, never
//! colours; `NO_COLOR` keeps the modifiers only. ratatui's style types stay
//! inside `tui/`.

use std::collections::BTreeMap;

use ratatui::style::{Color, Modifier, Style};
use toml::de::DeValue;

use super::source::{ConfigError, Source, as_table};

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

    pub(crate) fn from_name(name: &str) -> Option<Meaning> {
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

pub(crate) fn parse_theme(
    src: Source<'_>,
    value: &toml::Spanned<DeValue<'_>>,
    theme: &mut BTreeMap<Meaning, Style>,
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
        theme.insert(meaning, style);
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
