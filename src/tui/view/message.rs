//! The message inspector view: the document built when the message was
//! opened (never refreshed: it is one peek's snapshot), its keys (copy,
//! raw, edit, delete, scrolling), and its render.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;

/// The message inspector view.
pub struct MessageView;

impl super::kind::View for MessageView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
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

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::CopyBody => match state.top() {
                Screen::Message(i) => vec![Effect::Copy {
                    text: i.message.body.clone(),
                }],
                _ => Vec::new(),
            },
            Action::ToggleRaw => {
                if let Screen::Message(i) = state.top_mut() {
                    i.toggle_raw();
                }
                Vec::new()
            }
            Action::Delete => ops_ui::delete(state),
            Action::Edit => super::editor::edit(state),
            _ => return None,
        })
    }

    fn scroll(&self, state: &mut AppState, action: Action) -> bool {
        let Screen::Message(i) = state.top_mut() else {
            return false;
        };
        let last = i.lines.len().saturating_sub(1);
        i.scroll = match action {
            Action::Up => i.scroll.saturating_sub(1),
            Action::Down => (i.scroll + 1).min(last),
            Action::PageUp => i.scroll.saturating_sub(PAGE_ROWS),
            Action::PageDown => (i.scroll + PAGE_ROWS).min(last),
            Action::Top => 0,
            _ => last,
        };
        true
    }
}
