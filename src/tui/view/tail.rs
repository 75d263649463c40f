//! A bus's events, live (a temporary queue and rule).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
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
                Cell::from(crate::tui::inspect::hms(e.received_ms))
                    .style(style(state, Meaning::Muted)),
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
