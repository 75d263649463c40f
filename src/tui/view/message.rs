//! The message inspector view: "why it failed" above (`message/why.rs`,
//! read when the view opens), the document built when the message was
//! opened (never refreshed: it is one peek's snapshot), its keys (copy,
//! raw, edit, delete, the evidence's log view, scrolling), and its render.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;

pub(crate) mod reach;
pub(crate) mod why;

/// The message inspector view.
pub struct MessageView;

impl super::kind::View for MessageView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Message(i) = state.top() else {
            return;
        };
        let why_h = why::panel_height(state, i, area.width, area.height);
        let reach_h = reach::panel_height(state, i, area.width, area.height - why_h);
        let [why_area, reach_area, area] = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Length(why_h),
            ratatui::layout::Constraint::Length(reach_h),
            ratatui::layout::Constraint::Min(0),
        ])
        .areas(area);
        if reach_h > 0 {
            frame.render_widget(
                Paragraph::new(reach::lines(state, i))
                    .wrap(Wrap { trim: false })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(reach::title(i)),
                    ),
                reach_area,
            );
        }
        if why_h > 0 {
            let inner = why_area.width.saturating_sub(2) as usize;
            frame.render_widget(
                Paragraph::new(why::lines(state, i, inner))
                    .wrap(Wrap { trim: false })
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(" why it failed "),
                    ),
                why_area,
            );
        }
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
            Action::Logs => why::open_log(state),
            Action::Reach => reach::ask(state),
            _ => return None,
        })
    }

    /// The topic `n` asked for.
    fn answer(&self, state: &mut AppState, kind: PromptKind, text: &str) -> Vec<Effect> {
        match kind {
            PromptKind::ReachTopic => reach::start(state, text),
            _ => Vec::new(),
        }
    }

    /// Scrolls by lines, by a page of what the terminal shows, or to the
    /// last page: never past the point where the document's end fills the
    /// last page.
    fn scroll(&self, state: &mut AppState, action: Action) -> bool {
        let (w, h) = state.size.unwrap_or((80, 24));
        let why_h = match state.top() {
            Screen::Message(i) => {
                let why = why::panel_height(state, i, w, h.saturating_sub(3));
                why + reach::panel_height(state, i, w, h.saturating_sub(3) - why)
            }
            _ => 0,
        };
        let height = document_rows(state).saturating_sub(why_h as usize).max(1);
        let width = state
            .size
            .map_or(78, |(w, _)| (w as usize).saturating_sub(2));
        let Screen::Message(i) = state.top_mut() else {
            return false;
        };
        let texts: Vec<&str> = i.lines.iter().map(|l| l.text.as_str()).collect();
        let last = last_page(&texts, width, height);
        let at = i.scroll.min(last);
        i.scroll = match action {
            Action::Up => at.saturating_sub(1),
            Action::Down => (at + 1).min(last),
            Action::PageUp => page_up(&texts, at, width, height),
            Action::PageDown => page_down(&texts, at, width, height).min(last),
            Action::Top => 0,
            _ => last,
        };
        true
    }
}

/// The screen rows a document line takes at `width` columns (wrapped).
fn rows_of(text: &str, width: usize) -> usize {
    text.chars().count().div_ceil(width.max(1)).max(1)
}

/// The first line of the last page: the lines from there to the end fill
/// at most `height` rows (0 when the whole document fits).
fn last_page(lines: &[&str], width: usize, height: usize) -> usize {
    let mut rows = 0;
    let mut first = lines.len();
    while first > 0 {
        rows += rows_of(lines[first - 1], width);
        if rows > height {
            break;
        }
        first -= 1;
    }
    first.min(lines.len().saturating_sub(1))
}

/// The first line of the page after the one starting at `from`: the lines
/// that fit in `height` rows are passed (at least one).
fn page_down(lines: &[&str], from: usize, width: usize, height: usize) -> usize {
    let mut rows = 0;
    let mut next = from;
    while next < lines.len() {
        rows += rows_of(lines[next], width);
        if rows > height {
            break;
        }
        next += 1;
    }
    next.max(from + 1)
}

/// The first line of the page before the one starting at `from`: as many
/// lines back as fit in `height` rows (at least one).
fn page_up(lines: &[&str], from: usize, width: usize, height: usize) -> usize {
    let mut rows = 0;
    let mut first = from.min(lines.len());
    while first > 0 {
        rows += rows_of(lines[first - 1], width);
        if rows > height {
            break;
        }
        first -= 1;
    }
    if first == from {
        from.saturating_sub(1)
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::domain::Message;
    use crate::tui::config::Config;
    use crate::tui::inspect::Inspector;
    use crate::tui::state::*;
    use crate::tui::update::update;

    fn press(state: &mut AppState, code: KeyCode, m: KeyModifiers) -> usize {
        update(state, Msg::Key(KeyEvent::new(code, m)));
        match state.top() {
            Screen::Message(i) => i.scroll,
            other => panic!("{other:?}"),
        }
    }

    /// `G` shows the last page (the document's end at the bottom), ctrl-f
    /// and ctrl-b move by the page the terminal shows, never past the end.
    #[test]
    fn g_and_pages_move_by_what_the_terminal_shows() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let items: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let message = Message {
            message_id: "m-1".into(),
            receipt_handle: None,
            body: format!("{{{}}}", items.join(",")),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: Default::default(),
            message_attributes: Default::default(),
        };
        let inspector = Inspector::new("orders", message);
        let total = inspector.lines.len();
        assert!(total > 100, "{total}");
        state.stack.push(Screen::Message(Box::new(inspector)));
        // 80x24: 19 document rows.
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 24,
            },
        );
        let (none, ctrl) = (KeyModifiers::NONE, KeyModifiers::CONTROL);
        assert_eq!(press(&mut state, KeyCode::Char('f'), ctrl), 19);
        assert_eq!(press(&mut state, KeyCode::Char('f'), ctrl), 38);
        assert_eq!(press(&mut state, KeyCode::Char('b'), ctrl), 19);
        assert_eq!(
            press(&mut state, KeyCode::Char('G'), KeyModifiers::SHIFT),
            total - 19
        );
        // Not off the end: the last page stays full.
        assert_eq!(press(&mut state, KeyCode::Char('f'), ctrl), total - 19);
        assert_eq!(press(&mut state, KeyCode::Char('j'), none), total - 19);
        assert_eq!(press(&mut state, KeyCode::Char('k'), none), total - 20);
        assert_eq!(press(&mut state, KeyCode::Char('g'), none), 0);
        assert_eq!(press(&mut state, KeyCode::Char('b'), ctrl), 0);
        // A taller terminal: a taller page.
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 40,
            },
        );
        assert_eq!(press(&mut state, KeyCode::PageDown, none), 35);
    }

    #[test]
    fn wrapped_lines_count_by_their_rows() {
        let lines = ["a".repeat(30), "b".to_string(), "c".repeat(25)];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        // 10 columns: 3 + 1 + 3 rows.
        assert_eq!(super::last_page(&lines, 10, 4), 1);
        assert_eq!(super::last_page(&lines, 10, 7), 0);
        assert_eq!(super::page_down(&lines, 0, 10, 4), 2);
        assert_eq!(super::page_up(&lines, 2, 10, 4), 0);
        // A line taller than the page still moves by one.
        assert_eq!(super::page_down(&lines, 0, 10, 2), 1);
    }
}
