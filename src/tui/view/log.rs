//! The log view: one log group's events, followed live by a task; taking
//! its items in (the first batch, then each line; at most `LOG_CAP` kept),
//! its end, and drawing them.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;
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
            LogStatus::Stopped => "stopped".to_string(),
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

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        match state.top() {
            Screen::Log(l) => match &l.status {
                LogStatus::Failed(e) => Some(e),
                _ => l.warning.as_deref(),
            },
            _ => None,
        }
    }

    /// The follow stops when its screen closes.
    fn on_close(&self, screen: &Screen) -> Option<Effect> {
        match screen {
            Screen::Log(l) => Some(Effect::CloseLog { req: l.req }),
            _ => None,
        }
    }
}

/// The log screen following `req`, anywhere in the stack (`:tasks` may be
/// above it).
fn log_mut(state: &mut AppState, req: ReqId) -> Option<&mut LogScreen> {
    state.stack.iter_mut().find_map(|s| match s {
        Screen::Log(l) if l.req == req => Some(l),
        _ => None,
    })
}

/// Lines of the followed group: the first batch (the last minutes), then
/// each as it comes.
pub(crate) fn log_events(state: &mut AppState, req: ReqId, events: Vec<LogEvent>) -> Vec<Effect> {
    let Some(l) = log_mut(state, req) else {
        return Vec::new();
    };
    let first = matches!(l.status, LogStatus::Loading);
    let n = events.len();
    l.events.extend(events);
    while l.events.len() > LOG_CAP {
        l.events.pop_front();
    }
    if first {
        l.status = LogStatus::Following;
    } else {
        if l.from_end > 0 {
            l.from_end += n;
        }
        l.warning = None;
    }
    Vec::new()
}

/// A read of the followed group failed; the follow tries again.
pub(crate) fn log_retrying(
    state: &mut AppState,
    req: ReqId,
    error: &crate::ops::Error,
) -> Vec<Effect> {
    if let Some(l) = log_mut(state, req) {
        l.warning = Some(error.to_string());
    }
    Vec::new()
}

/// The follow ended: stopped (left, or cancelled from `:tasks`), or its
/// first read failed.
pub(crate) fn log_done(
    state: &mut AppState,
    req: ReqId,
    result: Result<TaskSummary, std::sync::Arc<crate::ops::Error>>,
) -> Vec<Effect> {
    if let Some(l) = log_mut(state, req) {
        l.status = match result {
            Ok(_) => LogStatus::Stopped,
            Err(e) => LogStatus::Failed(e.to_string()),
        };
    }
    Vec::new()
}
