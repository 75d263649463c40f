//! The message inspector view: the document built when the message was
//! opened (never refreshed: it is one peek's snapshot), and its render.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::state::*;

use super::widgets::*;

pub fn render(state: &AppState, frame: &mut Frame, area: Rect) {
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

/// A message is not refreshed: it is one peek's snapshot.
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    state.flash(
        Level::Info,
        "a message is a snapshot of one peek: go back and peek again",
    );
    Vec::new()
}

/// The message inspector view.
pub struct MessageView;

impl super::kind::View for MessageView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        render(state, frame, area);
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        refresh(state)
    }
}
