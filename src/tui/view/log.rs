//! The log view: one log group's events, followed live; taking the first
//! batch and each followed event in (at most `LOG_CAP` kept), and drawing
//! them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::domain::LogEvent;

/// The log view.
pub struct LogView;

impl super::kind::View for LogView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
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
                        format!("{} ", crate::tui::inspect::hms(e.timestamp_ms)),
                        style(state, Meaning::Muted),
                    ),
                    Span::raw(first_line(&e.message, 400)),
                ])
            })
            .collect();
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn scroll(&self, state: &mut AppState, action: Action) -> bool {
        let Screen::Log(l) = state.top_mut() else {
            return false;
        };
        let max = l.events.len().saturating_sub(1);
        l.from_end = match action {
            Action::Up => (l.from_end + 1).min(max),
            Action::Down => l.from_end.saturating_sub(1),
            Action::PageUp => (l.from_end + PAGE_ROWS).min(max),
            Action::PageDown => l.from_end.saturating_sub(PAGE_ROWS),
            Action::Top => max,
            _ => 0,
        };
        true
    }
}

/// The first batch of the open log group's events.
pub(crate) fn logs_loaded(
    state: &mut AppState,
    req: ReqId,
    result: Result<Vec<LogEvent>, aws::Error>,
) -> Vec<Effect> {
    if let Some(Screen::Log(l)) = state.stack.last_mut()
        && l.req == req
    {
        match result {
            Ok(events) => {
                l.events.extend(events);
                while l.events.len() > LOG_CAP {
                    l.events.pop_front();
                }
                l.status = LogStatus::Following;
            }
            Err(e) => l.status = LogStatus::Failed(e.to_string()),
        }
    }
    Vec::new()
}

/// One followed log event, or a tail error.
pub(crate) fn log_tailed(
    state: &mut AppState,
    req: ReqId,
    result: Result<LogEvent, aws::Error>,
) -> Vec<Effect> {
    if let Some(Screen::Log(l)) = state.stack.last_mut()
        && l.req == req
    {
        match result {
            Ok(ev) => {
                l.events.push_back(ev);
                if l.events.len() > LOG_CAP {
                    l.events.pop_front();
                }
                if l.from_end > 0 {
                    l.from_end += 1;
                }
                l.warning = None;
            }
            Err(e) => l.warning = Some(e.to_string()),
        }
    }
    Vec::new()
}
