//! The pure render: `&AppState` in, a frame out. No I/O, no parsing, no
//! locks; every text that came from a backend is escaped here or was escaped
//! when it was stored.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::action::Action;
use super::keys;
use super::scope::Scope;
use super::state::{
    AppState, BUS_COLUMNS, Confirm, DLQ_COLUMNS, GROUP_COLUMNS, Level, ListView, Live, Loadable,
    LogStatus, Overlay, PromptKind, QUEUE_COLUMNS, QueueScreen, RULE_COLUMNS, RuleScreen, Screen,
    TailStatus, dlq_depth, dlq_row, rate_per_min, window_start,
};
use crate::domain::{Arn, Queue, Target, queue_name};
use crate::text::escape;
use crate::tui::config::Meaning;

const SPARK: &[char] = &['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// Below this width the tables drop their less important columns.
const WIDE: u16 = 100;

/// The rows of a list in view at `rows` table rows: the range of `order`
/// shown and the selection's place in it.
fn visible(lv: &ListView, rows: usize) -> (std::ops::Range<usize>, Option<usize>) {
    let len = lv.order.len();
    let start = window_start(len, lv.cursor, lv.offset, rows);
    let end = (start + rows).min(len);
    let selected = (end > start).then(|| lv.cursor.min(len - 1) - start);
    (start..end, selected)
}

/// Table rows inside a bordered table with a header row.
fn table_rows_in(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

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

/// How many rows the top screen's list shows at the last known terminal
/// size (`update` keeps the scroll offset with it).
pub fn list_rows(state: &AppState) -> Option<usize> {
    let (w, h) = state.size?;
    let body = body_area(w, h);
    Some(match state.top() {
        Screen::Queue(s) => {
            let [_, bottom] = queue_split(state, s, body);
            let inner = Block::default().borders(Borders::ALL).inner(bottom);
            let warnings = s.peek.value.data().map_or(0, |p| p.warnings.len());
            let warn_h = (warnings as u16).min(inner.height / 2);
            inner.height.saturating_sub(warn_h).saturating_sub(1) as usize
        }
        Screen::Rule(s) => {
            let [_, bottom] = rule_split(s, body);
            table_rows_in(bottom)
        }
        _ => table_rows_in(body),
    })
}

/// Draws the whole screen.
pub fn render(state: &AppState, frame: &mut Frame) {
    let area = frame.area();
    let [header, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(state, frame, header);
    match state.top() {
        Screen::Queues(_) => render_queues(state, frame, body),
        Screen::Dlqs(_) => render_dlqs(state, frame, body),
        Screen::Queue(_) => render_queue(state, frame, body),
        Screen::Message(_) => render_message(state, frame, body),
        Screen::Buses(_) => render_buses(state, frame, body),
        Screen::Rules(_) => render_rules(state, frame, body),
        Screen::Rule(_) => render_rule(state, frame, body),
        Screen::LogGroups(_) => render_groups(state, frame, body),
        Screen::Log(_) => render_log(state, frame, body),
        Screen::Contexts(_) => render_contexts(state, frame, body),
        Screen::Tail(_) => render_tail(state, frame, body),
        Screen::Editor(_) => render_editor(state, frame, body),
        Screen::Workbench(wb) => wb.render(frame, body, &state.config.theme),
        Screen::Redrive(_) => render_redrive(state, frame, body),
    }
    render_status(state, frame, status);
    render_hints(state, frame, hints);
    match &state.overlay {
        Overlay::Help { scroll } => render_help(state, frame, body, *scroll),
        Overlay::Confirm(c) => render_confirm(state, frame, body, c),
        Overlay::None | Overlay::Prompt { .. } => {}
    }
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
    let width = (lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 2).clamp(30, 90);
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

fn style(state: &AppState, m: Meaning) -> Style {
    state.config.theme.style(m)
}

fn ago(state: &AppState, at: Instant) -> String {
    let s = state.now.saturating_duration_since(at).as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

/// "refreshed 3s ago" / "stale 12s" / "loading…" for what the top screen shows.
fn freshness<T>(state: &AppState, live: &Live<T>) -> Option<(Meaning, String)> {
    match &live.value {
        Loadable::Idle => None,
        Loadable::Loading { .. } => Some((Meaning::Muted, "loading…".to_string())),
        Loadable::Loaded { at, .. } => Some((Meaning::Muted, format!("↻ {} ago", ago(state, *at)))),
        Loadable::Failed {
            stale: Some((_, at)),
            ..
        } => Some((Meaning::Warn, format!("stale {}", ago(state, *at)))),
        Loadable::Failed { .. } => Some((Meaning::Danger, "failed".to_string())),
    }
}

fn top_freshness(state: &AppState) -> Option<(Meaning, String)> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => freshness(state, &state.queues),
        Screen::Queue(q) => freshness(state, &q.queue),
        Screen::Buses(_) => freshness(state, &state.buses),
        Screen::Rules(r) => freshness(state, &r.rules),
        Screen::Rule(r) => freshness(state, &r.targets),
        Screen::LogGroups(_) => freshness(state, &state.log_groups),
        Screen::Contexts(_) => freshness(state, &state.profiles),
        Screen::Message(_)
        | Screen::Log(_)
        | Screen::Tail(_)
        | Screen::Editor(_)
        | Screen::Workbench(_)
        | Screen::Redrive(_) => None,
    }
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
    let right = top_freshness(state)
        .map(|(m, t)| Line::from(Span::styled(format!("{t} "), style(state, m))))
        .unwrap_or_default();
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
                PromptKind::RedriveTo => "redrive to (queue NAME | bus NAME | sources): ",
            };
            Line::from(vec![
                Span::styled(prefix, style(state, Meaning::Key)),
                Span::raw(escape(text).into_owned()),
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
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => state.queues.value.error(),
        Screen::Queue(q) => q.queue.value.error().or(q.peek.value.error()),
        Screen::Buses(_) => state.buses.value.error(),
        Screen::Rules(r) => r.rules.value.error(),
        Screen::Rule(r) => r.targets.value.error(),
        Screen::LogGroups(_) => state.log_groups.value.error(),
        Screen::Contexts(_) => state.profiles.value.error(),
        Screen::Tail(t) => match &t.status {
            TailStatus::Failed(e) => Some(e),
            _ => None,
        },
        Screen::Editor(e) => e.error.as_deref(),
        Screen::Workbench(_) => None,
        Screen::Redrive(r) => match &r.summary {
            Some(Err(e)) => Some(e),
            _ => None,
        },
        Screen::Log(l) => match &l.status {
            LogStatus::Failed(e) => Some(e),
            _ => l.warning.as_deref(),
        },
        Screen::Message(_) => None,
    }
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
        Action::Bottom => "follow",
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
    for (a, chords) in keys::help(&state.config, scope) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<16}", chords.join(" ")),
                style(state, Meaning::Key),
            ),
            Span::raw(a.describe()),
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

/// The sort shown in a list's title, once the user changed it.
fn sort_label(columns: &'static [&'static str], lv: &ListView) -> Option<(&'static str, bool)> {
    (lv.sort != 0 || lv.reverse)
        .then(|| (columns.get(lv.sort).copied().unwrap_or("name"), lv.reverse))
}

/// The list title: name, count, filter, sort.
fn list_title(
    name: &str,
    count: Option<usize>,
    filter: &str,
    sort: Option<(&str, bool)>,
) -> String {
    let mut t = format!(" {name}");
    if let Some(n) = count {
        t.push_str(&format!(" ({n})"));
    }
    if !filter.is_empty() {
        t.push_str(&format!(" /{}", escape(filter)));
    }
    if let Some((col, rev)) = sort {
        t.push_str(&format!(" ↕{col}{}", if rev { "↓" } else { "↑" }));
    }
    t.push(' ');
    t
}

/// Shows "loading…" or the error when there is nothing to list yet.
fn placeholder<T>(
    state: &AppState,
    frame: &mut Frame,
    area: Rect,
    block: Block,
    live: &Live<T>,
) -> bool {
    if live.value.data().is_some() {
        return false;
    }
    let text = match &live.value {
        Loadable::Idle => String::new(),
        Loadable::Loading { .. } => "loading…".to_string(),
        Loadable::Failed { error, .. } => format!("failed: {}", escape(error)),
        Loadable::Loaded { .. } => String::new(),
    };
    let m = if live.value.error().is_some() {
        Meaning::Danger
    } else {
        Meaning::Muted
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, style(state, m)))
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
    true
}

#[allow(clippy::too_many_arguments)]
fn table<'a>(
    state: &AppState,
    frame: &mut Frame,
    area: Rect,
    block: Block<'a>,
    header: &[&str],
    widths: Vec<Constraint>,
    rows: Vec<Row<'a>>,
    selected: Option<usize>,
    stale: bool,
) {
    let empty = rows.is_empty();
    let mut t = Table::new(rows, widths)
        .header(
            Row::new(header.iter().map(|h| Cell::from(h.to_uppercase())))
                .style(style(state, Meaning::Header).add_modifier(Modifier::BOLD)),
        )
        .block(block)
        .row_highlight_style(style(state, Meaning::Selected))
        .highlight_symbol("▶ ")
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    if stale {
        t = t.style(style(state, Meaning::Muted).add_modifier(Modifier::DIM));
    }
    let mut ts = TableState::default().with_selected(selected);
    frame.render_stateful_widget(t, area, &mut ts);
    if empty {
        let inner = Rect {
            x: area.x + 2,
            y: area.y + 2,
            width: area.width.saturating_sub(4),
            height: area.height.saturating_sub(3).min(1),
        };
        frame.render_widget(
            Paragraph::new(Span::styled("(nothing here)", style(state, Meaning::Muted))),
            inner,
        );
    }
}

fn spark(state: &AppState, url: &str, width: usize) -> String {
    let Some(h) = state.history.get(url) else {
        return String::new();
    };
    let vals: Vec<u64> = h.iter().rev().take(width).map(|(_, v)| *v).collect();
    let max = vals.iter().copied().max().unwrap_or(0);
    vals.iter()
        .rev()
        .map(|&v| SPARK[(v * 7).checked_div(max).unwrap_or(0).min(7) as usize])
        .collect()
}

fn rate(state: &AppState, url: &str) -> String {
    match rate_per_min(state, url) {
        None => "–".to_string(),
        Some(r) if r.abs() < 0.05 => "0".to_string(),
        Some(r) if r.abs() >= 10.0 => format!("{r:+.0}"),
        Some(r) => format!("{r:+.1}"),
    }
}

fn render_queues(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Queues(lv) = state.top() else {
        return;
    };
    let all = state.queues.value.data().map(Vec::as_slice).unwrap_or(&[]);
    let stale = state.queues.value.error().is_some();
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "queues",
        state.queues.value.data().map(|_| lv.order.len()),
        &lv.filter,
        Some((QUEUE_COLUMNS[lv.sort], lv.reverse)),
    ));
    if placeholder(state, frame, area, block.clone(), &state.queues) {
        return;
    }
    let wide = area.width >= WIDE;
    // Only the rows in view: 10,000 queues cost what a screenful costs.
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows: Vec<Row> = lv.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|q| {
            let dlq = q
                .redrive_policy
                .as_ref()
                .map(|p| escape(p.dlq_name()).into_owned())
                .unwrap_or_else(|| "-".to_string());
            let depth = dlq_depth(state, q);
            let depth_cell = match depth {
                Some(d) if d > 0 => Cell::from(d.to_string()).style(style(state, Meaning::Danger)),
                Some(d) => Cell::from(d.to_string()),
                None => Cell::from(""),
            };
            let mut cells = vec![
                Cell::from(escape(&q.name).into_owned()),
                Cell::from(if q.fifo { "fifo" } else { "std" }),
                Cell::from(q.counts.visible.to_string()),
                Cell::from(q.counts.in_flight.to_string()),
            ];
            if wide {
                cells.push(Cell::from(q.counts.delayed.to_string()));
            }
            cells.push(Cell::from(rate(state, &q.url)));
            cells.push(Cell::from(dlq));
            cells.push(depth_cell);
            if wide {
                cells.push(Cell::from(spark(state, &q.url, 20)));
            }
            Row::new(cells)
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec![
                "name",
                "type",
                "visible",
                "in flight",
                "delayed",
                "Δ/min",
                "dlq",
                "dlq#",
                "trend",
            ],
            vec![
                Constraint::Fill(2),
                Constraint::Length(4),
                Constraint::Length(7),
                Constraint::Length(9),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Fill(1),
                Constraint::Length(5),
                Constraint::Length(20),
            ],
        )
    } else {
        (
            vec!["name", "type", "visible", "flight", "Δ/min", "dlq", "dlq#"],
            vec![
                Constraint::Fill(3),
                Constraint::Length(4),
                Constraint::Length(7),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Fill(2),
                Constraint::Length(4),
            ],
        )
    };
    table(
        state, frame, area, block, &header, widths, table_rows, selected, stale,
    );
}

fn render_dlqs(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Dlqs(lv) = state.top() else {
        return;
    };
    let stale = state.queues.value.error().is_some();
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "dead-letter queues",
        state.queues.value.data().map(|_| lv.order.len()),
        &lv.filter,
        Some((DLQ_COLUMNS[lv.sort], lv.reverse)),
    ));
    if placeholder(state, frame, area, block.clone(), &state.queues) {
        return;
    }
    let wide = area.width >= WIDE;
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows: Vec<Row> = lv.order[range]
        .iter()
        .filter_map(|&i| dlq_row(state, i))
        .map(|r| {
            let q = r.queue;
            let m = if q.counts.visible > 0 {
                Meaning::Danger
            } else {
                Meaning::Normal
            };
            let sources: Vec<String> = r.sources.iter().map(|s| escape(s).into_owned()).collect();
            let mut cells = vec![
                Cell::from(escape(&q.name).into_owned()),
                Cell::from(q.counts.visible.to_string()),
                Cell::from(q.counts.in_flight.to_string()),
                Cell::from(rate(state, &q.url)),
            ];
            if wide {
                cells.push(Cell::from(spark(state, &q.url, 20)));
            }
            cells.push(Cell::from(sources.join(", ")));
            Row::new(cells).style(style(state, m))
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["name", "depth", "in flight", "Δ/min", "trend", "sources"],
            vec![
                Constraint::Fill(2),
                Constraint::Length(6),
                Constraint::Length(9),
                Constraint::Length(6),
                Constraint::Length(20),
                Constraint::Fill(2),
            ],
        )
    } else {
        (
            vec!["name", "depth", "flight", "Δ/min", "sources"],
            vec![
                Constraint::Fill(2),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Fill(2),
            ],
        )
    };
    table(
        state, frame, area, block, &header, widths, table_rows, selected, stale,
    );
}

fn kv(state: &AppState, label: &str, value: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<12}"), style(state, Meaning::Muted)),
        Span::raw(value),
    ])
}

fn secs(s: Option<u32>) -> String {
    match s {
        None => "?".to_string(),
        Some(s) if s >= 86_400 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        Some(s) if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        Some(s) => format!("{s}s"),
    }
}

fn queue_lines(state: &AppState, q: &Queue, min_left: Option<u32>) -> Vec<Line<'static>> {
    let mut lines = vec![
        kv(state, "url", escape(&q.url).into_owned()),
        kv(
            state,
            "counts",
            format!(
                "visible {} · in flight {} · delayed {}",
                q.counts.visible, q.counts.in_flight, q.counts.delayed
            ),
        ),
        kv(
            state,
            "timing",
            format!(
                "visibility {} · delay {} · retention {}",
                secs(q.visibility_timeout_s),
                secs(q.delay_s),
                secs(q.retention_s)
            ),
        ),
    ];
    let attr = |k: &str| q.attributes.get(k).map(|v| escape(v).into_owned());
    if q.fifo {
        lines.push(kv(
            state,
            "fifo",
            format!(
                "content-based dedup {} · dedup scope {} · throughput {}",
                attr("ContentBasedDeduplication").unwrap_or_else(|| "false".into()),
                attr("DeduplicationScope").unwrap_or_else(|| "queue".into()),
                attr("FifoThroughputLimit").unwrap_or_else(|| "perQueue".into()),
            ),
        ));
    } else {
        lines.push(kv(state, "type", "standard".to_string()));
    }
    match &q.redrive_policy {
        Some(p) => {
            lines.push(kv(
                state,
                "redrive",
                format!(
                    "→ {} after {} receives",
                    escape(p.dlq_name()),
                    p.max_receive_count
                ),
            ));
            let headroom = match min_left {
                Some(l) => format!(
                    "a peek uses 1 of {} receives; fewest left among peeked: {l}",
                    p.max_receive_count
                ),
                None => format!(
                    "a peek uses 1 of {} receives per message",
                    p.max_receive_count
                ),
            };
            let m = if p.max_receive_count <= 2 || min_left.is_some_and(|l| l <= 1) {
                Meaning::Warn
            } else {
                Meaning::Normal
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "headroom"), style(state, Meaning::Muted)),
                Span::styled(headroom, style(state, m)),
            ]));
        }
        None => lines.push(kv(state, "redrive", "none (no DLQ)".to_string())),
    }
    if let Some(a) = &q.redrive_allow_policy {
        let sources: Vec<String> = a
            .source_queue_arns
            .iter()
            .map(|s| escape(queue_name(s)).into_owned())
            .collect();
        let text = if sources.is_empty() {
            escape(&a.permission).into_owned()
        } else {
            format!("{}: {}", escape(&a.permission), sources.join(", "))
        };
        lines.push(kv(state, "allow", text));
    }
    lines
}

/// The queue screen's top lines: the queue's settings, or why they are missing.
fn queue_top_lines(state: &AppState, s: &QueueScreen) -> Vec<Line<'static>> {
    let peek = s.peek.value.data();
    let min_left = peek.and_then(|p| p.messages.iter().filter_map(|m| m.receives_left).min());
    match s.queue.value.data() {
        Some(q) => queue_lines(state, q, min_left),
        None => vec![Line::from(Span::styled(
            match &s.queue.value {
                Loadable::Failed { error, .. } => format!("failed: {}", escape(error)),
                _ => "loading…".to_string(),
            },
            style(state, Meaning::Muted),
        ))],
    }
}

/// A box of `lines` lines (at most half the area) over the rest.
fn split_top(lines: usize, area: Rect) -> [Rect; 2] {
    let top_h = (lines as u16 + 2).min(area.height / 2).max(3);
    Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area)
}

/// The queue screen's areas: the queue, the messages.
fn queue_split(state: &AppState, s: &QueueScreen, area: Rect) -> [Rect; 2] {
    split_top(queue_top_lines(state, s).len(), area)
}

fn render_queue(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Queue(s) = state.top() else {
        return;
    };
    let name = s
        .queue
        .value
        .data()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| queue_name(&s.id).to_string());
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" queue {} ", escape(&name)));
    let peek = s.peek.value.data();
    let lines = queue_top_lines(state, s);
    let [top, bottom] = split_top(lines.len(), area);
    frame.render_widget(Paragraph::new(lines).block(block), top);

    let title = match (peek, &s.peek.value) {
        (Some(p), _) => format!(
            " messages: sample of {} of ~{}, peeked at {} UTC{}{} ",
            p.messages.len(),
            p.approx_total,
            super::inspect::hms(p.wall_ms),
            if s.marked.is_empty() {
                String::new()
            } else {
                format!(" · {} marked", s.marked.len())
            },
            if s.peek.pending.is_some() {
                " (peeking…)"
            } else {
                ""
            }
        ),
        (None, Loadable::Loading { .. }) => " messages: peeking… ".to_string(),
        _ => " messages ".to_string(),
    };
    let mblock = Block::default().borders(Borders::ALL).title(title);
    let Some(p) = peek else {
        let text = match &s.peek.value {
            Loadable::Failed { error, .. } => Line::from(Span::styled(
                format!("peek failed: {}", escape(error)),
                style(state, Meaning::Danger),
            )),
            Loadable::Loading { .. } => {
                Line::from(Span::styled("peeking…", style(state, Meaning::Muted)))
            }
            _ => Line::from(vec![
                Span::raw("not fetched: press "),
                Span::styled(
                    keys::chords(&state.config, Scope::Queue, Action::Peek)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| "peek".to_string()),
                    style(state, Meaning::Key),
                ),
                Span::raw(" to peek (safe: received once, released at once; never on a timer)"),
            ]),
        };
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(mblock),
            bottom,
        );
        return;
    };
    let inner = mblock.inner(bottom);
    frame.render_widget(mblock, bottom);
    let warn_h = (p.warnings.len() as u16).min(inner.height / 2);
    let [warn_area, table_area] =
        Layout::vertical([Constraint::Length(warn_h), Constraint::Min(0)]).areas(inner);
    let warnings: Vec<Line> = p
        .warnings
        .iter()
        .map(|w| {
            Line::from(Span::styled(
                format!("⚠ {}", escape(w)),
                style(state, Meaning::Warn),
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(warnings), warn_area);
    // Only the rows in view: 100,000 messages cost what a screenful costs.
    let (range, selected) = visible(&s.list, table_area.height.saturating_sub(1) as usize);
    let table_rows: Vec<Row> = s.list.order[range]
        .iter()
        .filter_map(|&i| p.messages.get(i))
        .map(|m| {
            let left = m
                .receives_left
                .map(|l| l.to_string())
                .unwrap_or_else(|| "-".to_string());
            let left_cell = match m.receives_left {
                Some(l) if l <= 1 => Cell::from(left).style(style(state, Meaning::Danger)),
                _ => Cell::from(left),
            };
            let sent = m
                .attributes
                .get("SentTimestamp")
                .and_then(|v| v.parse::<i64>().ok())
                .map(super::inspect::hms)
                .unwrap_or_default();
            let mark = if s.marked.contains(&m.message_id) {
                "✓"
            } else {
                " "
            };
            Row::new(vec![
                Cell::from(mark).style(style(state, Meaning::Accent)),
                Cell::from(escape(&m.message_id).into_owned()),
                Cell::from(m.receive_count.to_string()),
                left_cell,
                Cell::from(sent),
                Cell::from(first_line(&m.body, 200)),
            ])
        })
        .collect();
    let t = Table::new(
        table_rows,
        vec![
            Constraint::Length(1),
            Constraint::Length(if table_area.width >= WIDE { 36 } else { 10 }),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(["", "ID", "RECV", "LEFT", "SENT", "BODY"])
            .style(style(state, Meaning::Header).add_modifier(Modifier::BOLD)),
    )
    .row_highlight_style(style(state, Meaning::Selected))
    .highlight_symbol("▶ ")
    .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
    let mut ts = TableState::default().with_selected(selected);
    frame.render_stateful_widget(t, table_area, &mut ts);
}

/// The first line of untrusted text, escaped and cut to `max` characters.
fn first_line(s: &str, max: usize) -> String {
    let head: String = s.chars().take(max * 2).collect();
    let line = head.trim_start().split('\n').next().unwrap_or("");
    let e = escape(line);
    if e.chars().count() > max {
        let mut cut: String = e.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        e.into_owned()
    }
}

fn render_message(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Message(i) = state.top() else {
        return;
    };
    let total = i.lines.len();
    let block = Block::default().borders(Borders::ALL).title(format!(
        " message in {} · line {}/{}{} ",
        escape(&i.queue),
        (i.scroll + 1).min(total),
        total,
        if i.json && i.raw { " · raw" } else { "" }
    ));
    let inner_h = block.inner(area).height as usize;
    // Only the lines in view: a 1 MB body costs what a screenful costs.
    let lines: Vec<Line> = i
        .lines
        .iter()
        .skip(i.scroll)
        .take(inner_h)
        .map(|l| Line::from(Span::styled(l.text.as_str(), style(state, l.meaning))))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn render_buses(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Buses(lv) = state.top() else {
        return;
    };
    let all = state.buses.value.data().map(Vec::as_slice).unwrap_or(&[]);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "event buses",
        state.buses.value.data().map(|_| lv.order.len()),
        &lv.filter,
        sort_label(BUS_COLUMNS, lv),
    ));
    if placeholder(state, frame, area, block.clone(), &state.buses) {
        return;
    }
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows = lv.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|b| {
            Row::new(vec![
                Cell::from(escape(&b.name).into_owned()),
                Cell::from(escape(&b.arn).into_owned()),
            ])
        })
        .collect();
    table(
        state,
        frame,
        area,
        block,
        &["name", "arn"],
        vec![Constraint::Fill(1), Constraint::Fill(3)],
        table_rows,
        selected,
        state.buses.value.error().is_some(),
    );
}

fn pattern_summary(p: Option<&str>, schedule: Option<&str>) -> String {
    match (p, schedule) {
        (Some(p), _) => {
            let min = serde_json::from_str::<serde_json::Value>(p)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| p.to_string());
            first_line(&min, 120)
        }
        (None, Some(s)) => format!("schedule {}", escape(s)),
        (None, None) => "-".to_string(),
    }
}

fn render_rules(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Rules(s) = state.top() else {
        return;
    };
    let all = s.rules.value.data().map(Vec::as_slice).unwrap_or(&[]);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        &format!("rules of {}", escape(&s.bus)),
        s.rules.value.data().map(|_| s.list.order.len()),
        &s.list.filter,
        sort_label(RULE_COLUMNS, &s.list),
    ));
    if placeholder(state, frame, area, block.clone(), &s.rules) {
        return;
    }
    let (range, selected) = visible(&s.list, table_rows_in(area));
    let table_rows = s.list.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|r| {
            let m = if r.rule.state.as_str() == "ENABLED" {
                Meaning::Ok
            } else {
                Meaning::Warn
            };
            Row::new(vec![
                Cell::from(escape(&r.rule.name).into_owned()),
                Cell::from(escape(r.rule.state.as_str()).into_owned()).style(style(state, m)),
                Cell::from(r.targets.to_string()),
                Cell::from(pattern_summary(
                    r.rule.pattern.as_deref(),
                    r.rule.schedule.as_deref(),
                )),
            ])
        })
        .collect();
    table(
        state,
        frame,
        area,
        block,
        &["name", "state", "targets", "pattern"],
        vec![
            Constraint::Fill(1),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Fill(3),
        ],
        table_rows,
        selected,
        s.rules.value.error().is_some(),
    );
}

fn target_name(arn: &str) -> String {
    Arn::parse(arn)
        .map(|a| {
            let r = a.resource.strip_prefix("log-group:").unwrap_or(&a.resource);
            format!("{} {}", a.service, r)
        })
        .unwrap_or_else(|| arn.to_string())
}

fn target_input(t: &Target) -> String {
    if let Some(i) = &t.input {
        format!("input {}", first_line(i, 60))
    } else if let Some(p) = &t.input_path {
        format!("path {}", escape(p))
    } else if let Some(x) = &t.input_transformer {
        format!("transformer {}", first_line(&x.input_template, 60))
    } else {
        "whole event".to_string()
    }
}

/// The rule screen's areas: the rule (state line and pattern), the targets.
fn rule_split(s: &RuleScreen, area: Rect) -> [Rect; 2] {
    let top_h = (s.pattern.len() as u16 + 3).min(area.height / 2).max(3);
    Layout::vertical([Constraint::Length(top_h), Constraint::Min(0)]).areas(area)
}

fn render_rule(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Rule(s) = state.top() else { return };
    let mut lines: Vec<Line> = vec![kv(
        state,
        "state",
        format!(
            "{}{}",
            escape(s.rule.state.as_str()),
            s.rule
                .description
                .as_deref()
                .map(|d| format!(" · {}", escape(d)))
                .unwrap_or_default()
        ),
    )];
    lines.extend(s.pattern.iter().map(|l| Line::from(l.as_str())));
    let [top, bottom] = rule_split(s, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
            " rule {} on {} ",
            escape(&s.rule.name),
            escape(&s.bus)
        ))),
        top,
    );
    let all = s.targets.value.data().map(Vec::as_slice).unwrap_or(&[]);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "targets",
        s.targets.value.data().map(|_| s.list.order.len()),
        &s.list.filter,
        None,
    ));
    if placeholder(state, frame, bottom, block.clone(), &s.targets) {
        return;
    }
    let (range, selected) = visible(&s.list, table_rows_in(bottom));
    let wide = area.width >= WIDE;
    let table_rows = s.list.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|t| {
            let retry = t
                .retry_policy
                .as_ref()
                .map(|r| {
                    format!(
                        "{}× {}",
                        r.maximum_retry_attempts
                            .map(|n| n.to_string())
                            .unwrap_or("?".into()),
                        secs(r.maximum_event_age_s)
                    )
                })
                .unwrap_or_else(|| "default".to_string());
            let dlq = t
                .dlq_arn
                .as_deref()
                .map(|d| escape(queue_name(d)).into_owned())
                .unwrap_or_else(|| "-".to_string());
            let mut cells = vec![
                Cell::from(escape(&target_name(&t.arn)).into_owned()),
                Cell::from(target_input(t)),
            ];
            if wide {
                cells.push(Cell::from(retry));
            }
            cells.push(Cell::from(dlq));
            Row::new(cells)
        })
        .collect();
    let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
        (
            vec!["target", "input", "retry", "dlq"],
            vec![
                Constraint::Fill(2),
                Constraint::Fill(2),
                Constraint::Length(12),
                Constraint::Fill(1),
            ],
        )
    } else {
        (
            vec!["target", "input", "dlq"],
            vec![
                Constraint::Fill(2),
                Constraint::Fill(2),
                Constraint::Fill(1),
            ],
        )
    };
    table(
        state,
        frame,
        bottom,
        block,
        &header,
        widths,
        table_rows,
        selected,
        s.targets.value.error().is_some(),
    );
}

fn render_groups(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::LogGroups(lv) = state.top() else {
        return;
    };
    let all = state
        .log_groups
        .value
        .data()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "log groups",
        state.log_groups.value.data().map(|_| lv.order.len()),
        &lv.filter,
        sort_label(GROUP_COLUMNS, lv),
    ));
    if placeholder(state, frame, area, block.clone(), &state.log_groups) {
        return;
    }
    let (range, selected) = visible(lv, table_rows_in(area));
    let table_rows = lv.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|g| {
            Row::new(vec![
                Cell::from(escape(&g.name).into_owned()),
                Cell::from(g.stored_bytes.map(|b| b.to_string()).unwrap_or_default()),
                Cell::from(
                    g.retention_days
                        .map(|d| format!("{d}d"))
                        .unwrap_or_else(|| "never expires".to_string()),
                ),
            ])
        })
        .collect();
    table(
        state,
        frame,
        area,
        block,
        &["name", "bytes", "retention"],
        vec![
            Constraint::Fill(1),
            Constraint::Length(10),
            Constraint::Length(14),
        ],
        table_rows,
        selected,
        state.log_groups.value.error().is_some(),
    );
}

fn render_contexts(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Contexts(lv) = state.top() else {
        return;
    };
    let c = &state.context;
    let current = vec![
        kv(
            state,
            "now",
            format!("{} · region {}", escape(&c.label), escape(&c.region)),
        ),
        kv(
            state,
            "endpoint",
            c.settings
                .endpoint_url
                .as_deref()
                .map(|e| escape(e).into_owned())
                .unwrap_or_else(|| "AWS (the region's endpoints)".to_string()),
        ),
        Line::from(Span::styled(
            "enter switches · :ctx NAME · :region eu-west-1 · :endpoint http://localhost:4566 (- for none)",
            style(state, Meaning::Muted),
        )),
    ];
    let [top, list] = split_top(current.len(), area);
    frame.render_widget(Paragraph::new(current), top);
    let all = state
        .profiles
        .value
        .data()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "contexts",
        state.profiles.value.data().map(|_| lv.order.len()),
        &lv.filter,
        None,
    ));
    if placeholder(state, frame, list, block.clone(), &state.profiles) {
        return;
    }
    let (range, selected) = visible(lv, table_rows_in(list));
    let rows = lv.order[range]
        .iter()
        .filter_map(|&i| all.get(i))
        .map(|choice| {
            let here = if choice.local {
                c.local
            } else {
                !c.local && choice.settings.profile == c.settings.profile
            };
            let what = if choice.local {
                "eddy's embedded backend (this process)".to_string()
            } else {
                "profile from ~/.aws/config or ~/.aws/credentials".to_string()
            };
            Row::new(vec![
                Cell::from(if here { "●" } else { " " }),
                Cell::from(escape(&choice.label).into_owned()),
                Cell::from(what).style(style(state, Meaning::Muted)),
            ])
        })
        .collect();
    table(
        state,
        frame,
        list,
        block,
        &["", "context", ""],
        vec![
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Fill(2),
        ],
        rows,
        selected,
        state.profiles.value.error().is_some(),
    );
}

fn render_redrive(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Redrive(r) = state.top() else {
        return;
    };
    let p = &r.progress;
    let total = p.approximate_total.or(r.planned);
    let done = p.moved + p.recovered;
    let status = match (&r.summary, r.cancelling) {
        (Some(Ok(s)), _) if s.cancelled => "cancelled".to_string(),
        (Some(Ok(_)), _) => "done".to_string(),
        (Some(Err(_)), _) => "failed".to_string(),
        (None, true) => "cancelling: finishing the batch in flight…".to_string(),
        (None, false) => format!("{:?}", p.phase).to_lowercase(),
    };
    let secs = p.elapsed_ms as f64 / 1000.0;
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let lines = vec![
        kv(
            state,
            "redrive",
            format!("{} → {}", escape(&r.dlq), escape(&r.to)),
        ),
        kv(state, "status", status),
        kv(
            state,
            "moved",
            format!(
                "{done}{} · {rate:.0} msg/s · {secs:.1} s",
                total.map(|t| format!(" of ~{t}")).unwrap_or_default()
            ),
        ),
        kv(
            state,
            "seen",
            format!(
                "{} · skipped {} · failed {} · recovered {} · held elsewhere {}",
                p.seen, p.skipped, p.failed, p.recovered, p.in_flight_elsewhere
            ),
        ),
    ];
    let ratio = match total {
        Some(t) if t > 0 => (done as f64 / t as f64).min(1.0),
        _ if r.summary.is_some() => 1.0,
        _ => 0.0,
    };
    let [top, gauge, rest] = Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines), top);
    frame.render_widget(
        ratatui::widgets::Gauge::default()
            .gauge_style(style(state, Meaning::Accent))
            .ratio(ratio)
            .label(format!("{:.0}%", ratio * 100.0)),
        gauge,
    );
    if let Some(Ok(s)) = &r.summary {
        // The summary's text is terminal-safe (ops::redrive escapes it).
        let text: Vec<Line> = s
            .to_string()
            .lines()
            .map(|l| Line::from(l.to_string()))
            .collect();
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title(" summary ")),
            rest,
        );
    }
}

fn render_tail(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Tail(t) = state.top() else { return };
    let status = match &t.status {
        TailStatus::Starting => "creating a temporary queue and rule…".to_string(),
        TailStatus::Running if t.paused => format!("paused ({} held; space resumes)", t.held.len()),
        TailStatus::Running => "live".to_string(),
        TailStatus::Stopping => "stopping…".to_string(),
        TailStatus::Stopped(s) => s.clone(),
        TailStatus::Failed(_) => "failed".to_string(),
    };
    let what = match &t.rule {
        Some(r) => format!("rule {}'s pattern", escape(r)),
        None => "everything".to_string(),
    };
    let mut top: Vec<Line> = vec![Line::from(vec![
        Span::styled(
            format!("tail of {} ", escape(&t.bus)),
            style(state, Meaning::Title),
        ),
        Span::raw(format!("({what}) · ")),
        Span::styled(
            escape(&status).into_owned(),
            style(state, if t.paused { Meaning::Warn } else { Meaning::Ok }),
        ),
    ])];
    top.extend(t.notes.iter().take(3).map(|n| {
        Line::from(Span::styled(
            first_line(n, 300),
            style(state, Meaning::Muted),
        ))
    }));
    let [head, list] = split_top(top.len().saturating_sub(2), area);
    frame.render_widget(Paragraph::new(top), head);
    let block = Block::default().borders(Borders::ALL).title(list_title(
        "events",
        Some(t.list.order.len()),
        &t.list.filter,
        None,
    ));
    let (range, selected) = visible(&t.list, table_rows_in(list));
    let wide = list.width >= WIDE;
    let rows: Vec<Row> = t.list.order[range]
        .iter()
        .filter_map(|&i| t.events.get(i))
        .map(|e| {
            let mut cells = vec![
                Cell::from(super::inspect::hms(e.received_ms)).style(style(state, Meaning::Muted)),
                Cell::from(escape(e.source().unwrap_or("-")).into_owned()),
                Cell::from(escape(e.detail_type().unwrap_or("-")).into_owned()),
            ];
            let detail = if e.event.is_some() {
                e.detail_json()
            } else {
                e.body.clone()
            };
            cells.push(Cell::from(first_line(&detail, 300)));
            if wide {
                cells.push(Cell::from(escape(e.id().unwrap_or("")).into_owned()));
            }
            Row::new(cells)
        })
        .collect();
    let mut headers = vec!["received", "source", "detail-type", "detail"];
    let mut widths = vec![
        Constraint::Length(8),
        Constraint::Fill(1),
        Constraint::Fill(1),
        Constraint::Fill(3),
    ];
    if wide {
        headers.push("id");
        widths.push(Constraint::Length(36));
    }
    table(
        state, frame, list, block, &headers, widths, rows, selected, false,
    );
}

fn render_editor(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Editor(e) = state.top() else {
        return;
    };
    let mut info = vec![
        kv(
            state,
            "from",
            format!(
                "{} · message {}",
                escape(&e.queue_name),
                escape(&e.message.message_id)
            ),
        ),
        kv(
            state,
            "to",
            escape(&e.dest.describe(&e.queue_name)).into_owned(),
        ),
        kv(
            state,
            "original",
            if e.delete_original {
                "deleted once the copy is acknowledged".to_string()
            } else {
                "kept".to_string()
            },
        ),
    ];
    info.push(kv(
        state,
        "keeps",
        format!(
            "the attributes below{}{}",
            e.message
                .attributes
                .get("MessageGroupId")
                .map(|g| format!(", group {}", escape(g)))
                .unwrap_or_default(),
            if e.was_json {
                " · the body must stay JSON"
            } else {
                ""
            }
        ),
    ));
    info.push(Line::from(Span::styled(
        "ctrl-s send · tab body/attributes · ctrl-t destination · ctrl-d delete original · esc leave",
        style(state, Meaning::Muted),
    )));
    let [head, rest] = split_top(info.len().saturating_sub(2), area);
    frame.render_widget(Paragraph::new(info), head);
    let attr_rows = (e.attrs.lines().len() as u16 + 2).clamp(3, 7);
    let [attrs_area, body] =
        Layout::vertical([Constraint::Length(attr_rows), Constraint::Min(3)]).areas(rest);
    let focused = |on: bool| {
        if on {
            style(state, Meaning::Accent)
        } else {
            style(state, Meaning::Muted)
        }
    };
    let mut attrs = e.attrs.clone();
    attrs.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(focused(e.on_attrs))
            .title(" message attributes (NAME:TYPE=VALUE per line, at most 10) "),
    );
    frame.render_widget(&attrs, attrs_area);
    let mut editor = e.body.clone();
    editor.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(focused(!e.on_attrs))
            .title(format!(" body ({} bytes) ", e.text().len())),
    );
    frame.render_widget(&editor, body);
}

fn render_log(state: &AppState, frame: &mut Frame, area: Rect) {
    let Screen::Log(l) = state.top() else { return };
    let status = match &l.status {
        LogStatus::Loading => "loading the last minutes…".to_string(),
        LogStatus::Following if l.from_end == 0 => "following".to_string(),
        LogStatus::Following => format!("paused, {} lines up (G follows)", l.from_end),
        LogStatus::Failed(_) => "failed".to_string(),
    };
    let block = Block::default().borders(Borders::ALL).title(format!(
        " {} · {} events · {status} ",
        escape(&l.group),
        l.events.len()
    ));
    let h = block.inner(area).height as usize;
    let end = l.events.len().saturating_sub(l.from_end);
    let start = end.saturating_sub(h);
    let lines: Vec<Line> = l
        .events
        .range(start..end)
        .map(|e| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", super::inspect::hms(e.timestamp_ms)),
                    style(state, Meaning::Muted),
                ),
                Span::raw(first_line(&e.message, 400)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
