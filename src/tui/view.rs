//! The views. The render is pure: `&AppState` in, a frame out (and the top
//! list's rows back, as a [`Viewport`]). No I/O, no parsing, no locks; every
//! text that came from a backend is escaped here or was escaped when it was
//! stored.
//!
//! A view is one file in `view/`: a unit struct implementing [`View`]
//! (`view/kind.rs`: render, list order and row identity, refresh, what
//! `enter` opens, its own actions and how it scrolls), the answers to its
//! own fetches (`queue_loaded`, ...); shared pieces in `view/widgets.rs`.
//! Adding a view: its file, a `Screen` variant with its data
//! (`state/screen.rs`), a `Scope` with its own actions (`scope.rs`, which
//! the config, the help and the hints derive from) and a line in
//! [`of_scope`]. `update` and `state` need no arm for it.
//! This file lays out the frame (header, body, status, hints) and draws the
//! overlays (help, confirmation). Views import the state; the state never
//! imports a view; `update` dispatches to the views.

pub mod archives;
pub mod buses;
pub mod contexts;
pub mod dlqs;
pub mod editor;
pub mod function;
pub mod functions;
pub mod kind;
pub mod log;
pub mod log_groups;
pub mod message;
pub mod queue;
pub mod queues;
pub mod redrive;
pub mod rule;
pub mod rules;
pub mod tail;
pub mod tasks;
pub mod topic;
pub mod topics;
mod widgets;
pub mod workbench;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::keys;
use crate::tui::scope::Scope;
use crate::tui::state::*;

pub use kind::View;
use widgets::*;

/// The body area of a frame of `width`×`height` (as [`render`] lays it out).
fn body_area(width: u16, height: u16) -> Rect {
    let [_, body, _, _] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(Rect::new(0, 0, width, height));
    body
}

/// The view of a screen.
pub fn of(screen: &Screen) -> &'static dyn View {
    of_scope(screen.scope())
}

/// The view of a scope: the one exhaustive match, so a new scope (and so a
/// new screen) does not compile until its view exists.
pub fn of_scope(scope: Scope) -> &'static dyn View {
    match scope {
        Scope::Queues => &queues::Queues,
        Scope::Dlqs => &dlqs::Dlqs,
        Scope::Queue => &queue::QueueView,
        Scope::Message => &message::MessageView,
        Scope::Buses => &buses::Buses,
        Scope::Rules => &rules::Rules,
        Scope::Rule => &rule::RuleView,
        Scope::Logs => &log_groups::LogGroups,
        Scope::Log => &log::LogView,
        Scope::Ctx => &contexts::Contexts,
        Scope::Tail => &tail::TailView,
        Scope::Editor => &editor::EditorView,
        Scope::Workbench => &workbench::WorkbenchView,
        Scope::Redrive => &redrive::RedriveView,
        Scope::Archives => &archives::ArchivesView,
        Scope::Tasks => &tasks::TasksView,
        Scope::Functions => &functions::FunctionsView,
        Scope::Function => &function::FunctionView,
        Scope::Topics => &topics::TopicsView,
        Scope::Topic => &topic::TopicView,
        // No screen has the global scope: its keys are the shared ones.
        Scope::Global => &kind::NoView,
    }
}

/// How many rows the top screen's list shows in a frame of `area`
/// (reported back to `update`, which keeps the scroll offset with it).
fn list_rows(state: &AppState, area: Rect) -> Option<usize> {
    state.top().list()?;
    let body = body_area(area.width, area.height);
    Some(of(state.top()).list_rows(state, body))
}

/// Draws the whole screen; returns what the top list shows (for
/// `Msg::LaidOut`), when the top screen is a list.
pub fn render(state: &AppState, frame: &mut Frame) -> Option<Viewport> {
    let area = frame.area();
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(state, frame, header);
    of(state.top()).render(state, frame, body);
    render_status(state, frame, status);
    render_hints(state, frame, hints);
    match &state.overlay {
        Overlay::Help { scroll } => render_help(state, frame, body, *scroll),
        Overlay::Confirm(c) => render_confirm(state, frame, body, c),
        Overlay::None | Overlay::Prompt { .. } => {}
    }
    list_rows(state, area).map(|list_rows| Viewport {
        depth: state.stack.len(),
        scope: state.top().scope(),
        list_rows,
    })
}

/// A box centred in `body`, at most `w` × `h`.
fn centered(body: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(body.width);
    let h = h.min(body.height);
    Rect {
        x: body.x + (body.width - w) / 2,
        y: body.y + (body.height - h) / 2,
        width: w,
        height: h,
    }
}

fn render_confirm(state: &AppState, frame: &mut Frame, body: Rect, c: &Confirm) {
    let mut lines: Vec<Line> = c
        .lines
        .iter()
        .map(|l| Line::from(escape(l).into_owned()))
        .collect();
    lines.push(Line::default());
    match &c.typed {
        Some(want) => {
            lines.push(Line::from(vec![
                Span::raw("type "),
                Span::styled(escape(want).into_owned(), style(state, Meaning::Key)),
                Span::raw(" and Enter to go on, Esc to cancel"),
            ]));
            lines.push(Line::from(vec![
                Span::styled("> ", style(state, Meaning::Key)),
                Span::raw(escape(&c.input).into_owned()),
                Span::styled("█", style(state, Meaning::Accent)),
            ]));
        }
        None => lines.push(Line::from(vec![
            Span::styled("y", style(state, Meaning::Key)),
            Span::raw(" yes   "),
            Span::styled("n / Esc", style(state, Meaning::Key)),
            Span::raw(" no"),
        ])),
    }
    // Wide enough for the title too (ops' titles name what they change).
    let title_w = escape(&c.title).chars().count() + 4;
    let width = (lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(20)
        .max(title_w) as u16
        + 2)
    .clamp(30, 90);
    let inner = width.min(body.width).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let area = centered(body, width, rows as u16 + 2);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(style(state, Meaning::Warn))
                .title(format!(" {} ", escape(&c.title))),
        ),
        area,
    );
}

fn top_freshness(state: &AppState) -> Option<(Meaning, String)> {
    of(state.top()).freshness(state)
}

fn render_header(state: &AppState, frame: &mut Frame, area: Rect) {
    let c = &state.context;
    let sep = Span::styled(" │ ", style(state, Meaning::Muted));
    let mut spans = vec![
        Span::styled(
            " eddy ",
            style(state, Meaning::Title).add_modifier(Modifier::BOLD),
        ),
        sep.clone(),
        Span::styled(escape(&c.label).into_owned(), style(state, Meaning::Accent)),
        sep.clone(),
        Span::raw(c.account.clone().unwrap_or_else(|| "…".to_string())),
        sep.clone(),
        Span::raw(escape(&c.region).into_owned()),
        sep.clone(),
        Span::raw(c.backend.clone().unwrap_or_else(|| "…".to_string())),
    ];
    if c.read_only {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            " READ-ONLY ",
            style(state, Meaning::Danger).add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
    }
    let left = Line::from(spans);
    let mut right_spans = Vec::new();
    let freshness = top_freshness(state);
    // The request rate over the last seconds (the API budget at work).
    if let Some(rate) = state.requests.per_second() {
        let sep = if freshness.is_some() { " · " } else { " " };
        right_spans.push(Span::styled(
            format!("{rate:.1} req/s{sep}"),
            style(state, Meaning::Muted),
        ));
    }
    if let Some((m, t)) = freshness {
        right_spans.push(Span::styled(format!("{t} "), style(state, m)));
    }
    let right = Line::from(right_spans);
    let rw = (right.width() as u16).min(area.width);
    let [l, _, r] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(rw),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left).style(style(state, Meaning::Header)), l);
    frame.render_widget(
        Paragraph::new(right).style(style(state, Meaning::Header)),
        r,
    );
}

fn render_status(state: &AppState, frame: &mut Frame, area: Rect) {
    let line = match &state.overlay {
        Overlay::Prompt { kind, text } => {
            let prefix = match kind {
                PromptKind::Filter => "/",
                PromptKind::Command => ":",
                PromptKind::Destination => "send to (queue NAME | bus NAME | empty: same queue): ",
                PromptKind::RedriveTo => {
                    "redrive to (queue NAME | bus NAME | topic NAME | sources): "
                }
                PromptKind::ReplayRange => {
                    "replay range (1h | 2h | FROM..TO, RFC 3339 or 30m/now; empty: the last hour): "
                }
                PromptKind::LogFilter => "filter pattern (as eddy logs --filter; empty: all): ",
                PromptKind::LogTime => "jump to (10m ago | 14:05 UTC | RFC 3339 | now): ",
                PromptKind::Publish => {
                    "publish (a body, or JSON: body, attributes, group_id, dedup_id): "
                }
                PromptKind::ReachTopic => "which subscriptions would it reach, of topic: ",
            };
            // Pre-filled text shows selected: typing replaces it.
            let typed = if state.prompt_selected {
                style(state, Meaning::Selected)
            } else {
                ratatui::style::Style::default()
            };
            Line::from(vec![
                Span::styled(prefix, style(state, Meaning::Key)),
                Span::styled(escape(text).into_owned(), typed),
                Span::styled("█", style(state, Meaning::Accent)),
            ])
        }
        _ => {
            if let Some(err) = top_error(state) {
                Line::from(Span::styled(
                    format!("error: {}", escape(err)),
                    style(state, Meaning::Danger),
                ))
            } else if let Some(f) = &state.flash {
                let m = match f.level {
                    Level::Info => Meaning::Ok,
                    Level::Warn => Meaning::Warn,
                    Level::Error => Meaning::Danger,
                };
                Line::from(Span::styled(escape(&f.text).into_owned(), style(state, m)))
            } else {
                Line::default()
            }
        }
    };
    // A flash about the refresh backoff goes first, then the error.
    let line = match (&state.flash, top_error(state), &state.overlay) {
        (Some(f), Some(_), Overlay::None) if f.level == Level::Warn => {
            let mut spans = vec![Span::styled(
                format!("{} · ", escape(&f.text)),
                style(state, Meaning::Warn),
            )];
            spans.extend(line.spans);
            Line::from(spans)
        }
        _ => line,
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn top_error(state: &AppState) -> Option<&str> {
    of(state.top()).error(state)
}

/// A short label for the hint line.
fn short(action: Action) -> &'static str {
    match action {
        Action::Open => "open",
        Action::Back => "back",
        Action::Peek => "peek",
        Action::Filter => "filter",
        Action::SortNext => "sort",
        Action::Command => "cmd",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::Refresh => "refresh",
        Action::CopyBody => "copy",
        Action::ToggleRaw => "raw",
        Action::GoToDlq => "dlq",
        Action::Bottom => "end",
        Action::Mark => "mark",
        Action::Purge => "purge",
        Action::Delete => "delete",
        Action::Edit => "edit",
        Action::ToggleRule => "on/off",
        Action::Tail => "tail",
        Action::Pause => "pause",
        Action::Save => "save",
        Action::Workbench => "workbench",
        Action::Redrive => "redrive",
        Action::Cancel => "cancel",
        Action::Replay => "replay",
        Action::Jump => "jump",
        Action::Logs => "logs",
        Action::Publish => "publish",
        Action::Reach => "reach",
        _ => "",
    }
}

fn render_hints(state: &AppState, frame: &mut Frame, area: Rect) {
    let scope = state.top().scope();
    let mut spans = Vec::new();
    let mut width = 0usize;
    // Nothing left to cancel once a redrive has ended.
    let ended = matches!(state.top(), Screen::Redrive(r) if r.summary.is_some());
    for &a in scope.hints() {
        if ended && a == Action::Cancel {
            continue;
        }
        let Some(chord) = keys::chords(&state.config, scope, a).into_iter().next() else {
            continue;
        };
        let label = short(a);
        let w = chord.chars().count() + label.chars().count() + 5;
        if width + w > area.width as usize {
            break;
        }
        width += w;
        spans.push(Span::styled(
            format!("<{chord}>"),
            style(state, Meaning::Key),
        ));
        spans.push(Span::styled(
            format!(" {label}  "),
            style(state, Meaning::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_help(state: &AppState, frame: &mut Frame, body: Rect, scroll: usize) {
    let scope = state.top().scope();
    let mut lines = Vec::new();
    if let Screen::Workbench(wb) = state.top() {
        for (k, what) in wb.help() {
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<16}"), style(state, Meaning::Key)),
                Span::raw(what),
            ]));
        }
    }
    // In the workbench, the keymap's keys reach it from the event list only
    // (the editor takes them as text).
    let only = if scope == Scope::Workbench {
        "list: "
    } else {
        ""
    };
    for (a, chords) in keys::help(&state.config, scope) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<16}", chords.join(" ")),
                style(state, Meaning::Key),
            ),
            Span::raw(format!("{only}{}", a.describe())),
        ]));
    }
    let area = centered(body, 88, lines.len() as u16 + 2);
    let shown = area.height.saturating_sub(2) as usize;
    let max_scroll = lines.len().saturating_sub(shown);
    let scroll = scroll.min(max_scroll);
    let more = if max_scroll > 0 {
        format!(
            " {}-{} of {}, j/k scroll",
            scroll + 1,
            scroll + shown,
            lines.len()
        )
    } else {
        String::new()
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll as u16, 0)).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" help: {scope} (esc closes){more} ")),
        ),
        area,
    );
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::tui::config::Config;
    use crate::tui::scope::SHARED;

    /// The workbench's `?` lists its own keys, then the keymap's as keys of
    /// its event list (the editor takes them as text), and no `esc` twice.
    #[test]
    fn the_workbench_help_says_where_the_keymap_keys_work() {
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let mut effects = Vec::new();
        for c in ":workbench\n".chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            effects.extend(crate::tui::update::update(
                &mut state,
                Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            ));
        }
        assert_eq!(state.top().scope(), Scope::Workbench);
        state.overlay = Overlay::Help { scroll: 0 };
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
        terminal
            .draw(|f| {
                render(&state, f);
            })
            .unwrap();
        let text = terminal.backend().to_string();
        assert!(text.contains("list: quit"), "{text}");
        assert!(text.contains("list: :queues"), "{text}");
        assert!(!text.contains("back / close"), "{text}");
        assert_eq!(text.matches("│esc ").count(), 1, "{text}");
    }

    /// Every key a view's help or hints list does something there: the
    /// view's `on_action` takes exactly the actions its scope lists beyond
    /// the shared ones `update` runs, and no other.
    #[test]
    fn each_view_runs_exactly_its_own_actions() {
        for &scope in std::iter::once(&Scope::Global).chain(Scope::VIEWS) {
            for &action in Action::ALL {
                let (mut state, _) =
                    AppState::new(Config::defaults(), Context::default(), Instant::now());
                let ran = of_scope(scope).on_action(&mut state, action).is_some();
                let own =
                    scope != Scope::Global && scope.handles(action) && !SHARED.contains(&action);
                assert_eq!(ran, own, "{scope}: {action:?}");
            }
        }
    }
}
