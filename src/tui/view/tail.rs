//! The tail view: a bus's events, live, through a temporary queue and rule.
//! Starting it (on a bus, a rule or its pattern) as a task, taking its
//! items in (ready, events, retries) and its end, pause, save to JSON
//! Lines, opening an event, stopping it when its screen leaves the stack,
//! and drawing it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

use crate::domain::Message;
use crate::ops::tail::TailedEvent;
use crate::tui::inspect::Inspector;
use crate::tui::ops_ui::{refused, selected_rule};

/// `t` on a bus or a rule: start a tail (a temporary queue and rule).
pub(crate) fn start_tail(state: &mut AppState) -> Vec<Effect> {
    let (bus, rule, pattern) = match state.top() {
        Screen::Buses(_) => match state.selected_key() {
            Some(b) => (b, None, None),
            None => return Vec::new(),
        },
        Screen::Rules(_) => match selected_rule(state) {
            Some((bus, row)) => (bus, Some(row.rule.name), row.rule.pattern),
            None => return Vec::new(),
        },
        Screen::Rule(r) => (
            r.bus.clone(),
            Some(r.rule.name.clone()),
            r.rule.pattern.clone(),
        ),
        _ => return Vec::new(),
    };
    if rule.is_some() && pattern.is_none() {
        state.flash(
            Level::Info,
            "this rule has a schedule, not a pattern: tail the bus instead",
        );
        return Vec::new();
    }
    if refused(state, "a tail (it creates a temporary queue and rule)") {
        return Vec::new();
    }
    let req = state.req();
    state.stack.push(Screen::Tail(Box::new(TailScreen {
        req,
        bus: bus.clone(),
        rule,
        pattern: pattern.clone(),
        status: TailStatus::Starting,
        notes: Vec::new(),
        events: Vec::new(),
        held: Vec::new(),
        paused: false,
        dropped: 0,
        list: ListView::default(),
    })));
    let id = OpId(req.0);
    let title = format!("tail of bus {bus}");
    state
        .tasks
        .start(TaskRow::new(id, TaskKind::BusTail, title, state.now));
    vec![Effect::StartTail { req, bus, pattern }]
}

/// New events for a tail: shown at once, or held while paused.
pub(crate) fn tailed(state: &mut AppState, req: ReqId, events: Vec<TailedEvent>) -> bool {
    for s in state.stack.iter_mut() {
        if let Screen::Tail(t) = s
            && t.req == req
        {
            if t.paused {
                t.held.extend(events);
            } else {
                // Like `tail -f`: the selection follows the newest event while
                // it is on the last row (or nothing is selected yet).
                let last = t
                    .list
                    .order
                    .last()
                    .and_then(|&i| t.events.get(i))
                    .map(|e| e.message_id.clone());
                let following = t.list.selected.is_none() || t.list.selected == last;
                t.events.extend(events);
                if following && let Some(e) = t.events.last() {
                    t.list.selected = Some(e.message_id.clone());
                }
            }
            let over = t.events.len().saturating_sub(TAIL_KEEP);
            if over > 0 {
                t.events.drain(..over);
                t.dropped += over as u64;
            }
            return true;
        }
    }
    false
}

/// `space` on a tail: pause (new events are held) or resume.
pub(crate) fn toggle_pause(state: &mut AppState) {
    if let Screen::Tail(t) = state.top_mut() {
        t.paused = !t.paused;
        if !t.paused {
            let held = std::mem::take(&mut t.held);
            t.events.extend(held);
        }
        state.bump();
    }
}

/// `ctrl-s` on a tail: write the events shown (filtered) to a JSON Lines file.
pub(crate) fn save_tail(state: &mut AppState) -> Vec<Effect> {
    let Screen::Tail(t) = state.top() else {
        return Vec::new();
    };
    let lines: Vec<String> = t
        .list
        .order
        .iter()
        .filter_map(|&i| t.events.get(i))
        .map(|e| e.to_json().to_string())
        .collect();
    if lines.is_empty() {
        state.flash(Level::Info, "no events to save yet");
        return Vec::new();
    }
    let stamp = crate::local::now_ms() / 1000;
    let bus = t.bus.rsplit('/').next().unwrap_or(&t.bus).replace(
        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
        "_",
    );
    vec![Effect::SaveLines {
        path: format!("eddy-tail-{bus}-{stamp}.jsonl"),
        lines,
    }]
}

/// The tail view.
pub struct TailView;

impl super::kind::View for TailView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Tail(t) = state.top() else {
            return Vec::new();
        };
        name_order(Some(t.events.as_slice()), &t.list, |e| &e.body, false)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Tail(t) = state.top() else { return };
        let status = match &t.status {
            TailStatus::Starting => "creating a temporary queue and rule…".to_string(),
            TailStatus::Running if t.paused => {
                format!("paused ({} held; space resumes)", t.held.len())
            }
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
                first_line(&n.text, 300),
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
        let cols = column_widths(list, &widths);
        let rows: Vec<Row> = t.list.order[range]
            .iter()
            .filter_map(|&i| t.events.get(i))
            .map(|e| {
                let mut cells = vec![
                    Cell::from(crate::tui::inspect::hms(e.received_ms))
                        .style(style(state, Meaning::Muted)),
                    Cell::from(cut(&escape(e.source().unwrap_or("-")), cols[1])),
                    Cell::from(cut(&escape(e.detail_type().unwrap_or("-")), cols[2])),
                ];
                let detail = if e.event.is_some() {
                    e.detail_json()
                } else {
                    e.body.clone()
                };
                cells.push(Cell::from(first_line(&detail, cols[3])));
                if wide {
                    cells.push(Cell::from(escape(e.id().unwrap_or("")).into_owned()));
                }
                Row::new(cells)
            })
            .collect();
        table(
            state, frame, list, block, &headers, widths, rows, selected, false,
        );
    }

    /// Opens the tailed event `id` in the inspector.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let id = key;
        let Screen::Tail(t) = state.top() else {
            return Vec::new();
        };
        let Some(e) = t.events.iter().find(|e| e.message_id == id) else {
            return Vec::new();
        };
        let message = Message {
            message_id: e.message_id.clone(),
            receipt_handle: None,
            body: e.body.clone(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: Default::default(),
            message_attributes: Default::default(),
        };
        let inspector = Inspector::new(&format!("the tail of {}", t.bus), message);
        state.stack.push(Screen::Message(Box::new(inspector)));
        Vec::new()
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Tail(t) = state.top() else {
            return None;
        };
        t.events.get(i).map(|e| e.message_id.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Pause => {
                toggle_pause(state);
                Vec::new()
            }
            Action::Save => save_tail(state),
            Action::Workbench => super::workbench::open_workbench(state),
            _ => return None,
        })
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        match state.top() {
            Screen::Tail(t) => match &t.status {
                TailStatus::Failed(e) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// A running tail stops (and removes its queue and rule) when its
    /// screen closes.
    fn on_close(&self, screen: &Screen) -> Option<Effect> {
        match screen {
            Screen::Tail(t) if matches!(t.status, TailStatus::Starting | TailStatus::Running) => {
                Some(Effect::StopTail { req: t.req })
            }
            _ => None,
        }
    }
}

/// A tail's queue and rule exist: what was created and swept.
pub(crate) fn tail_ready(state: &mut AppState, req: ReqId, notes: Vec<String>) -> Vec<Effect> {
    if let Some(t) = tail_mut(state, req) {
        if matches!(t.status, TailStatus::Starting) {
            t.status = TailStatus::Running;
        }
        t.notes = notes
            .into_iter()
            .map(|text| TailNote {
                kind: NoteKind::Info,
                text,
            })
            .collect();
    }
    Vec::new()
}

/// Events from a tail.
pub(crate) fn tail_events(
    state: &mut AppState,
    req: ReqId,
    events: Vec<TailedEvent>,
) -> Vec<Effect> {
    if tailed(state, req, events) {
        state.bump();
    }
    Vec::new()
}

/// A receive of the tail failed; it tries again.
pub(crate) fn tail_retrying(
    state: &mut AppState,
    req: ReqId,
    error: &crate::ops::Error,
) -> Vec<Effect> {
    if let Some(t) = tail_mut(state, req) {
        t.notes.retain(|n| n.kind != NoteKind::ReceiveFailed);
        t.notes.push(TailNote {
            kind: NoteKind::ReceiveFailed,
            text: format!("receive failed (retrying): {error}"),
        });
    }
    Vec::new()
}

/// The tail ended: it could not start, or it stopped (left, or cancelled
/// from `:tasks`) and removed its queue and rule, or some of them.
pub(crate) fn tail_done(
    state: &mut AppState,
    req: ReqId,
    result: Result<TaskSummary, std::sync::Arc<crate::ops::Error>>,
) -> Vec<Effect> {
    let starting = tail_mut(state, req).is_some_and(|t| matches!(t.status, TailStatus::Starting));
    let (text, ok) = match result {
        Err(e) if starting => {
            if let Some(t) = tail_mut(state, req) {
                t.status = TailStatus::Failed(e.to_string());
            }
            return Vec::new();
        }
        Ok(TaskSummary::Tail(end)) if end.failed.is_empty() => (
            format!("tail stopped: removed {}", end.removed.join(", ")),
            true,
        ),
        Ok(TaskSummary::Tail(end)) => (
            format!(
                "tail stopped, but the clean-up failed: removed {}; could not remove {} (the next tail sweeps it)",
                end.removed.join(", "),
                end.failed.join(", ")
            ),
            false,
        ),
        Ok(_) => ("tail stopped".to_string(), true),
        Err(e) => (format!("tail stopped, but the clean-up failed: {e}"), false),
    };
    if let Some(t) = tail_mut(state, req) {
        t.status = TailStatus::Stopped(text.clone());
    }
    let level = if ok { Level::Info } else { Level::Error };
    state.flash(level, text);
    Vec::new()
}

/// The tail screen of `req`, anywhere in the stack.
pub(crate) fn tail_mut(state: &mut AppState, req: ReqId) -> Option<&mut TailScreen> {
    state.stack.iter_mut().find_map(|s| match s {
        Screen::Tail(t) if t.req == req => Some(&mut **t),
        _ => None,
    })
}
