//! Draws the workbench from `&Workbench`: nothing parsed or compiled here,
//! only the lines in view are built.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};

use super::mode::Mode;
use super::model::{Compiled, Focus, Pane, PromptKind, RemoteState, Verdict, Workbench};
use crate::text::{cut, escape};
use crate::tui::columns::column_widths;
use crate::tui::config::{Meaning, Theme};

/// From this width on, the editor sits beside the list and the detail.
pub const WIDE: u16 = 100;

pub(super) fn render(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    let [title, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    render_title(wb, frame, title, theme);
    let (editor, list, detail) = split(wb, body);
    render_editor(wb, frame, editor, theme);
    render_list(wb, frame, list, theme);
    render_detail(wb, frame, detail, theme);
    render_bottom(wb, frame, bottom, theme);
}

/// The editor, list and detail areas. Wide: the editor (sized to its text)
/// over the list on the left, the detail on the right. Narrow: all three
/// stacked.
fn split(wb: &Workbench, body: Rect) -> (Rect, Rect, Rect) {
    let err_h = match wb.compiled {
        Compiled::Invalid(_) => 3,
        Compiled::PolicyInvalid(_) => 2,
        _ => 0,
    };
    let wanted = wb.editor.lines().len() as u16 + 2 + err_h;
    if body.width >= WIDE {
        let [left, detail] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let editor_h = wanted.clamp(8.min(left.height), (left.height / 2).max(5));
        let [editor, list] =
            Layout::vertical([Constraint::Length(editor_h), Constraint::Min(3)]).areas(left);
        return (editor, list, detail);
    }
    let editor_h = wanted.clamp(5, (body.height * 2 / 5).max(5));
    let list_h = (wb.events.len() as u16 + 2).clamp(3, (body.height * 3 / 10).max(3));
    let [editor, list, detail] = Layout::vertical([
        Constraint::Length(editor_h),
        Constraint::Length(list_h),
        Constraint::Min(3),
    ])
    .areas(body);
    (editor, list, detail)
}

fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused {
        block.border_style(theme.style(Meaning::Accent))
    } else {
        block
    }
}

fn render_title(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    let policy = matches!(wb.mode, Mode::Policy(_));
    let mut spans = vec![Span::styled(
        if policy {
            " filter-policy workbench"
        } else {
            " workbench"
        },
        theme.style(Meaning::Title).add_modifier(Modifier::BOLD),
    )];
    let sep = || Span::styled(" · ", theme.style(Meaning::Muted));
    if let (Some(s), true) = (&wb.sub, policy) {
        spans.push(sep());
        spans.push(Span::raw(format!(
            "subscription {} of {}",
            escape(&s.label),
            escape(crate::domain::topic_name_of(&s.topic_arn))
        )));
        if wb.policy_modified() {
            spans.push(Span::styled(" (edited)", theme.style(Meaning::Warn)));
        }
    }
    if let (Some(r), false) = (&wb.rule, policy) {
        spans.push(sep());
        spans.push(Span::raw(format!(
            "rule {} on {}",
            escape(&r.name),
            escape(&r.bus)
        )));
        if wb.is_modified() {
            spans.push(Span::styled(" (edited)", theme.style(Meaning::Warn)));
        }
    }
    spans.push(sep());
    let matched = wb.match_count();
    let counts = match &wb.compiled {
        Compiled::Valid(_) => format!(
            "{} event{}: {matched} match",
            wb.events.len(),
            if wb.events.len() == 1 { "" } else { "s" }
        ),
        Compiled::Policy(_) => format!(
            "{} message{}: {matched} delivered",
            wb.events.len(),
            if wb.events.len() == 1 { "" } else { "s" }
        ),
        Compiled::Empty if policy => format!("{} messages: no policy yet", wb.events.len()),
        Compiled::Empty => format!("{} events: no pattern yet", wb.events.len()),
        Compiled::Invalid(_) => format!("{} events: pattern not valid", wb.events.len()),
        Compiled::PolicyInvalid(_) => {
            format!("{} messages: policy not valid", wb.events.len())
        }
    };
    let m = match &wb.compiled {
        Compiled::Valid(_) | Compiled::Policy(_) if matched > 0 => Meaning::Ok,
        Compiled::Invalid(_) | Compiled::PolicyInvalid(_) => Meaning::Danger,
        _ => Meaning::Normal,
    };
    spans.push(Span::styled(counts, theme.style(m)));
    spans.push(sep());
    let mode = match wb.focus {
        Focus::Editor => "editing".to_string(),
        Focus::List => match wb.pane {
            Pane::Event => "event".to_string(),
            Pane::Explain => "explanation".to_string(),
            Pane::RulesHit => "rules hit".to_string(),
            Pane::Transform(i) => format!("target {}", i + 1),
            Pane::Reach => "subscriptions reached".to_string(),
        },
        Focus::Prompt => "file".to_string(),
    };
    let mode = match wb.mode {
        Mode::Policy(scope) => format!("{mode} · scope {scope}"),
        Mode::Pattern => mode,
    };
    spans.push(Span::styled(mode, theme.style(Meaning::Accent)));
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.style(Meaning::Header)),
        area,
    );
}

fn render_editor(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    let state = match &wb.compiled {
        Compiled::Valid(_) | Compiled::Policy(_) => "✓ valid".to_string(),
        Compiled::Empty => "empty".to_string(),
        Compiled::Invalid(e) => format!("✗ line {}, column {}", e.line, e.column),
        Compiled::PolicyInvalid(_) => "✗ SNS would refuse it".to_string(),
    };
    let what = match wb.mode {
        Mode::Pattern => "pattern".to_string(),
        Mode::Policy(scope) => format!("filter policy ({scope})"),
    };
    let block = pane_block(
        format!(" {what} {state} "),
        wb.focus == Focus::Editor,
        theme,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let err_h = match &wb.compiled {
        Compiled::Invalid(_) => 3.min(inner.height.saturating_sub(1)),
        Compiled::PolicyInvalid(_) => 2.min(inner.height.saturating_sub(1)),
        _ => 0,
    };
    // The error right under the text, not at the bottom of a tall pane.
    let text_h =
        (wb.editor.lines().len() as u16).clamp(1, inner.height.saturating_sub(err_h).max(1));
    let [text_area, err_area, _] = Layout::vertical([
        Constraint::Length(text_h),
        Constraint::Length(err_h),
        Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(&wb.editor, text_area);
    if let Compiled::PolicyInvalid(e) = &wb.compiled {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!("✗ {}", escape(&e.message)),
                theme.style(Meaning::Danger),
            ))
            .wrap(Wrap { trim: false }),
            err_area,
        );
        return;
    }
    let Compiled::Invalid(e) = &wb.compiled else {
        return;
    };
    // Mark the error's line (and column) in the editor, when in view.
    let danger = theme
        .style(Meaning::Danger)
        .add_modifier(Modifier::UNDERLINED);
    let (top, left) = wb.editor.scroll_offset();
    let row = e.line.saturating_sub(1);
    if row >= top as usize && row < top as usize + text_area.height as usize {
        let y = text_area.y + (row - top as usize) as u16;
        let buf = frame.buffer_mut();
        buf.set_style(Rect::new(text_area.x, y, text_area.width, 1), danger);
        let col = e.column.saturating_sub(1);
        let x = col
            .checked_sub(left as usize)
            .map(|c| c + wb.editor.line_number_width() as usize);
        if let Some(x) = x.filter(|x| *x < text_area.width as usize) {
            buf.set_style(
                Rect::new(text_area.x + x as u16, y, 1, 1),
                danger.add_modifier(Modifier::REVERSED),
            );
        }
    }
    if err_h == 0 {
        return;
    }
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "✗ line {}, column {}: {}{}",
            e.line,
            e.column,
            escape(&e.reason),
            if e.path.is_empty() {
                String::new()
            } else {
                format!(" (at {})", escape(&e.path))
            }
        ),
        theme.style(Meaning::Danger),
    ))];
    // The line with a caret under the column, shifted to keep the caret in view.
    let text = wb.editor.lines().get(row).map(String::as_str).unwrap_or("");
    let gutter = format!("{:>4} │ ", e.line);
    let width = (err_area.width as usize).saturating_sub(gutter.chars().count() + 1);
    let chars: Vec<char> = text.chars().collect();
    let col = e.column.saturating_sub(1).min(chars.len());
    let before: String = chars[..col].iter().collect();
    let before = escape(&before).chars().count();
    let skip = if before >= width {
        before + 1 - width / 2
    } else {
        0
    };
    let shown: String = escape(text).chars().skip(skip).take(width).collect();
    lines.push(Line::from(vec![
        Span::styled(gutter, theme.style(Meaning::Muted)),
        Span::raw(shown),
    ]));
    lines.push(Line::from(vec![
        Span::styled("     │ ", theme.style(Meaning::Muted)),
        Span::raw(" ".repeat(before.saturating_sub(skip))),
        Span::styled("^", theme.style(Meaning::Danger)),
    ]));
    frame.render_widget(Paragraph::new(lines), err_area);
}

fn render_list(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    let title = if wb.events.is_empty() {
        " events ".to_string()
    } else {
        format!(" events {}/{} ", wb.selected + 1, wb.events.len())
    };
    let block = pane_block(title, wb.focus == Focus::List, theme);
    let rows_h = block.inner(area).height as usize;
    let wide = area.width >= 60;
    let len = wb.events.len();
    let sel = wb.selected.min(len.saturating_sub(1));
    let start = if rows_h > 0 && sel >= rows_h {
        sel + 1 - rows_h
    } else {
        0
    };
    let end = (start + rows_h).min(len);
    let mut widths = vec![
        Constraint::Length(9),
        Constraint::Length(1),
        Constraint::Fill(1),
    ];
    if wide {
        let origin_w = (start..end)
            .map(|i| wb.events[i].origin.label().chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        widths.push(Constraint::Length(origin_w as u16));
    }
    // Labels and origins longer than their column end in "…".
    let cols = column_widths(area, &widths);
    let col = |i: usize| cols.get(i).copied().unwrap_or(0);
    let rows: Vec<Row> = (start..end)
        .map(|i| {
            let e = &wb.events[i];
            let (text, m) = match &wb.verdicts[i] {
                Verdict::Match => ("MATCH", Meaning::Ok),
                Verdict::NoMatch => ("no match", Meaning::Muted),
                Verdict::InvalidEvent(_) => ("bad event", Meaning::Warn),
                Verdict::NoPattern => ("–", Meaning::Muted),
            };
            let (mark, mm) = match wb.remote_state(i) {
                None => (" ", Meaning::Normal),
                Some(RemoteState::Pending) => ("…", Meaning::Muted),
                Some(RemoteState::Agrees) => ("✓", Meaning::Ok),
                Some(RemoteState::Disagrees) => ("✗", Meaning::Danger),
                Some(RemoteState::Failed) => ("?", Meaning::Warn),
                Some(RemoteState::Stale) => ("~", Meaning::Muted),
            };
            let mut cells = vec![
                Cell::from(Span::styled(text, theme.style(m))),
                Cell::from(Span::styled(mark, theme.style(mm))),
                Cell::from(cut(&escape(&e.label), col(2))),
            ];
            if wide {
                cells.push(Cell::from(Span::styled(
                    cut(&e.origin.label(), col(3)),
                    theme.style(Meaning::Muted),
                )));
            }
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths)
        .block(block)
        .row_highlight_style(theme.style(Meaning::Selected))
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut ts = TableState::default().with_selected((end > start).then(|| sel - start));
    frame.render_stateful_widget(table, area, &mut ts);
    if len == 0 {
        let inner = Block::default().borders(Borders::ALL).inner(area);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "(no events: o loads a file)",
                theme.style(Meaning::Muted),
            )),
            inner,
        );
    }
}

fn render_detail(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    let what = match wb.pane {
        Pane::Event => "event".to_string(),
        Pane::Explain => "explanation".to_string(),
        Pane::RulesHit => "which rules it hits".to_string(),
        Pane::Transform(i) => format!(
            "target {}/{} receives",
            i + 1,
            wb.rule.as_ref().map_or(0, |r| r.targets.len())
        ),
        Pane::Reach => "which subscriptions it reaches".to_string(),
    };
    let total = wb.detail.len();
    let title = if total > 0 {
        format!(
            " {what} · line {}/{total} ",
            (wb.detail_scroll + 1).min(total)
        )
    } else {
        format!(" {what} ")
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let h = block.inner(area).height as usize;
    let lines: Vec<Line> = wb
        .detail
        .iter()
        .skip(wb.detail_scroll)
        .take(h)
        .map(|l| Line::from(Span::styled(l.text.as_str(), theme.style(l.meaning))))
        .collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
}

fn render_bottom(wb: &Workbench, frame: &mut Frame, area: Rect, theme: &Theme) {
    if let Some(p) = &wb.prompt {
        let label = match p.kind {
            PromptKind::Save => "save the pattern to: ",
            PromptKind::Load => "load events from: ",
        };
        let line = Line::from(vec![
            Span::styled(label, theme.style(Meaning::Key)),
            Span::styled(
                escape(&p.text).into_owned(),
                if p.selected {
                    theme.style(Meaning::Selected)
                } else {
                    ratatui::style::Style::default()
                },
            ),
            Span::styled("█", theme.style(Meaning::Accent)),
            Span::styled("  (enter ok · esc cancel)", theme.style(Meaning::Muted)),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    if let Some(f) = &wb.flash {
        frame.render_widget(
            Paragraph::new(Span::styled(
                escape(&f.text).into_owned(),
                theme.style(f.meaning),
            )),
            area,
        );
        return;
    }
    let policy = matches!(wb.mode, Mode::Policy(_));
    let has_rule = wb.rule.is_some() && !policy;
    let has_targets = wb.rule.as_ref().is_some_and(|r| !r.targets.is_empty()) && !policy;
    let has_sub = wb.sub.is_some() && policy;
    let hints: Vec<(&str, &str)> = match wb.focus {
        Focus::Editor if policy => {
            let mut h = vec![("tab", "list"), ("^s", "save")];
            if has_sub {
                h.push(("^a", "set policy"));
            }
            h.extend([("^t", "tidy"), ("esc", "list")]);
            h
        }
        _ if policy => {
            let mut h = vec![("⏎", "explain")];
            if wb.topic.is_some() {
                h.push(("h", "reach"));
            }
            h.extend([("c", "scope"), ("m", "pattern mode")]);
            if has_sub {
                h.push(("a", "set policy"));
            }
            h.extend([
                ("s", "save"),
                ("o", "load"),
                ("tab", "edit"),
                ("esc", "close"),
            ]);
            h
        }
        Focus::Editor => {
            let mut h = vec![("tab", "list"), ("^s", "save")];
            if has_rule {
                h.push(("^a", "apply"));
            }
            h.extend([("^o", "load"), ("^t", "tidy"), ("esc", "list")]);
            h
        }
        _ => {
            let mut h = vec![("⏎", "explain")];
            if wb.bus_rules.is_some() {
                h.push(("h", "rules hit"));
            }
            if has_targets {
                h.push(("i", "targets"));
            }
            h.push(("r", "remote"));
            if has_rule {
                h.push(("a", "apply"));
            }
            h.push(("m", "policy mode"));
            h.extend([
                ("s", "save"),
                ("o", "load"),
                ("tab", "edit"),
                ("esc", "close"),
            ]);
            h
        }
    };
    // As many as fit, most important first; `?` lists them all.
    let mut spans = vec![Span::raw(" ")];
    let mut width = 1usize;
    for (k, label) in hints {
        let w = k.chars().count() + label.chars().count() + 3;
        if width + w > area.width as usize {
            break;
        }
        width += w;
        spans.push(Span::styled(k, theme.style(Meaning::Key)));
        spans.push(Span::styled(
            format!(" {label}  "),
            theme.style(Meaning::Muted),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

impl Workbench {
    /// Draws the workbench in `area` (stacked when narrow, side by side from
    /// [`WIDE`] columns).
    pub fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, theme: &Theme) {
        render(self, frame, area, theme);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::super::model::{Origin, WbEvent, Workbench};
    use crate::tui::config::Config;

    /// An event label or origin longer than its column ends in "…" (it
    /// was cut silently at the column's edge).
    #[test]
    fn long_event_labels_and_origins_end_in_an_ellipsis() {
        let label = format!("orders-{}.json#7", "x".repeat(100));
        let origin = Origin::File {
            path: format!("/var/tmp/{}/events.json", "deep".repeat(10)),
        };
        let wb = Workbench::new(
            r#"{"source":["a"]}"#,
            vec![WbEvent::new(label.clone(), origin, r#"{"source":"a"}"#)],
        );
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
        terminal
            .draw(|f| wb.render(f, f.area(), &Config::defaults().theme))
            .unwrap();
        let screen = terminal.backend().to_string();
        let row = screen
            .lines()
            .find(|l| l.contains("orders-xxx") && l.contains("file"))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(row.contains("x… "), "the label is cut with …: {row}");
        assert!(row.contains("file /var/tmp/deep"), "{row}");
        assert!(row.contains("deepd…") || row.contains("deep…"), "{row}");
        assert!(!row.contains(&label), "{row}");
    }
}
