//! The tasks view (`:tasks`): every long operation of this session
//! (redrives, replays, bus tails, log follows) with its kind, progress or
//! counts, elapsed time and state, running ones first; `c` cancels the
//! selected one after a confirmation (a redrive stops after its batch in
//! flight, a replay by CancelReplay, a tail removes its queue and rule, a
//! log follow just stops). Also the task messages (`Msg::Task`, handed on to the view
//! that shows the operation) and the quit question while a redrive or a
//! replay runs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Cell, Row};

use super::widgets::*;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

/// One event of a task: the registry first, then the view that shows the
/// operation (the redrive screen, the archives, the tail, the log).
pub(crate) fn on_task(state: &mut AppState, id: OpId, event: TaskEvent) -> Vec<Effect> {
    if !state.tasks.apply(id, &event, state.now) {
        return Vec::new();
    }
    state.bump();
    let req = ReqId(id.0);
    let kind = state.tasks.rows.get(&id).map(|t| t.kind);
    match (kind, event) {
        (_, TaskEvent::Started { .. }) | (None, _) => Vec::new(),
        (_, TaskEvent::Progress(TaskProgress::Redrive(p))) => {
            super::redrive::redrive_progress(state, req, p)
        }
        (_, TaskEvent::Progress(TaskProgress::Replay(r))) => {
            super::archives::replay_progressed(state, *r);
            Vec::new()
        }
        (Some(TaskKind::BusTail), TaskEvent::Item(item)) => match item {
            TaskItem::TailReady(notes) => super::tail::tail_ready(state, req, notes),
            TaskItem::TailEvents(events) => super::tail::tail_events(state, req, events),
            TaskItem::Retrying(e) => super::tail::tail_retrying(state, req, &e),
            TaskItem::Line(_) | TaskItem::LogEvents(_) => Vec::new(),
        },
        (Some(TaskKind::LogFollow), TaskEvent::Item(item)) => match item {
            TaskItem::LogEvents(events) => super::log::log_events(state, req, events),
            TaskItem::Retrying(e) => super::log::log_retrying(state, req, &e),
            TaskItem::Line(_) | TaskItem::TailReady(_) | TaskItem::TailEvents(_) => Vec::new(),
        },
        (Some(TaskKind::Redrive | TaskKind::Replay), TaskEvent::Item(_)) => Vec::new(),
        (Some(TaskKind::Redrive), TaskEvent::Done(result)) => {
            let result = match result {
                Ok(TaskSummary::Redrive(s)) => Ok(s),
                Ok(_) => Err(std::sync::Arc::new(crate::ops::Error::Invalid(
                    "a redrive ended as another kind of task".to_string(),
                ))),
                Err(e) => Err(e),
            };
            super::redrive::redrive_done(state, req, result)
        }
        (Some(TaskKind::Replay), TaskEvent::Done(result)) => {
            super::archives::replay_done(state, id, result)
        }
        (Some(TaskKind::BusTail), TaskEvent::Done(result)) => {
            super::tail::tail_done(state, req, result)
        }
        (Some(TaskKind::LogFollow), TaskEvent::Done(result)) => {
            super::log::log_done(state, req, result)
        }
    }
}

/// Quits, unless a task still runs: then asks first, saying what is half
/// done and how it resumes.
pub(crate) fn quit(state: &mut AppState) -> Vec<Effect> {
    let lines: Vec<String> = state
        .tasks
        .running()
        .filter(|t| t.kind.asks_on_quit())
        .map(TaskRow::quit_warning)
        .collect();
    if lines.is_empty() {
        state.quit = true;
        return Vec::new();
    }
    ops_ui::confirm(
        state,
        "quit while a task runs?".to_string(),
        lines,
        None,
        Pending::Quit,
    );
    Vec::new()
}

/// `c` on a task: asks, then cancels it.
pub(crate) fn cancel(state: &mut AppState) -> Vec<Effect> {
    let Some(id) = state.selected_key().and_then(|k| k.parse().ok()).map(OpId) else {
        return Vec::new();
    };
    let Some(row) = state.tasks.rows.get(&id) else {
        return Vec::new();
    };
    if !row.running() || row.cancelling {
        state.flash(Level::Info, "that task is not running");
        return Vec::new();
    }
    let title = format!("cancel the {}?", row.title);
    let lines = match row.kind {
        TaskKind::Redrive => vec![
            format!("{} so far.", row.progress_text()),
            "It stops after the batch in flight; what was moved stays moved.".to_string(),
        ],
        TaskKind::Replay => vec![
            format!("{} so far.", row.progress_text()),
            "EventBridge stops it (CancelReplay); what was replayed stays delivered.".to_string(),
        ],
        TaskKind::BusTail => vec![
            format!("{} so far.", row.progress_text()),
            "It stops and removes its temporary queue and rule.".to_string(),
        ],
        TaskKind::LogFollow => vec![
            format!("{} so far.", row.progress_text()),
            "It stops following the log group; it created nothing.".to_string(),
        ],
    };
    ops_ui::confirm(state, title, lines, None, Pending::CancelTask { id });
    Vec::new()
}

/// A confirmed cancel: marks the task and asks the executor to stop it.
pub(crate) fn cancel_now(state: &mut AppState, id: OpId) -> Vec<Effect> {
    if let Some(row) = state.tasks.rows.get_mut(&id) {
        row.cancelling = true;
    }
    if let Some(Screen::Redrive(r)) = state
        .stack
        .iter_mut()
        .find(|s| matches!(s, Screen::Redrive(r) if r.req.0 == id.0))
    {
        r.cancelling = true;
    }
    vec![Effect::CancelTask { id }]
}

/// `42s`, `3m04s`, `1h02m`: how long a task ran.
fn elapsed(d: std::time::Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

/// The tasks view.
pub struct TasksView;

impl super::kind::View for TasksView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Tasks(lv) = state.top() else {
            return Vec::new();
        };
        let f = lv.filter.to_lowercase();
        state
            .tasks
            .ordered()
            .iter()
            .enumerate()
            .filter(|(_, t)| f.is_empty() || t.title.to_lowercase().contains(&f))
            .map(|(i, _)| i)
            .collect()
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Tasks(lv) = state.top() else {
            return;
        };
        let rows = state.tasks.ordered();
        let block = Block::default().borders(Borders::ALL).title(list_title(
            "tasks",
            Some(lv.order.len()),
            &lv.filter,
            None,
        ));
        let (range, selected) = visible(lv, table_rows_in(area));
        let widths = vec![
            // 80 columns leave the title and the state ~17 each.
            Constraint::Length(3),
            Constraint::Length(10),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(7),
            Constraint::Fill(1),
        ];
        let cols = column_widths(area, &widths);
        let table_rows = lv.order[range]
            .iter()
            .filter_map(|&i| rows.get(i))
            .map(|t| {
                let (status, m) = match t.ended_text() {
                    None if t.cancelling => ("cancelling".to_string(), Meaning::Warn),
                    None => ("running".to_string(), Meaning::Accent),
                    Some(Ok(s)) => (format!("done: {s}"), Meaning::Ok),
                    Some(Err(e)) => (format!("failed: {e}"), Meaning::Danger),
                };
                Row::new(vec![
                    Cell::from(t.id.0.to_string()),
                    Cell::from(t.kind.name()),
                    Cell::from(cut(&escape(&t.title), cols[2])),
                    Cell::from(cut(&t.progress_text(), cols[3])),
                    Cell::from(elapsed(t.elapsed(state.now))),
                    Cell::from(cut(&escape(&status), cols[5])).style(style(state, m)),
                ])
            })
            .collect();
        table(
            state,
            frame,
            area,
            block,
            &["id", "kind", "title", "progress", "elapsed", "state"],
            widths,
            table_rows,
            selected,
            false,
        );
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        state.tasks.ordered().get(i).map(|t| t.key.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Cancel => cancel(state),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::ops::redrive::Progress;
    use crate::tui::config::Config;
    use crate::tui::state::*;
    use crate::tui::update::update;

    fn key(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
        update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(key(
                state,
                if c == '\n' {
                    KeyCode::Enter
                } else {
                    KeyCode::Char(c)
                },
            ));
        }
        effects
    }

    /// A state with a redrive of orders-dlq running: 12 of ~40 moved.
    fn redriving() -> AppState {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let draft = RedriveDraft {
            dlq_url: "http://x/1/orders-dlq".to_string(),
            dlq_name: "orders-dlq".to_string(),
            ids: None,
            count: Some(40),
        };
        let effects = crate::tui::ops_ui::confirmed(
            &mut state,
            Pending::Redrive {
                draft: Box::new(draft),
                to: RedriveTo::Queue("orders".to_string()),
            },
        );
        let [Effect::Redrive { req, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let id = OpId(req.0);
        let progress = Progress {
            moved: 12,
            ..Progress::default()
        };
        update(
            &mut state,
            Msg::Task {
                id,
                event: TaskEvent::Progress(TaskProgress::Redrive(progress)),
            },
        );
        state
    }

    #[test]
    fn quitting_while_a_redrive_runs_asks_first() {
        let mut state = redriving();
        assert!(typed(&mut state, "q").is_empty());
        assert!(!state.quit, "no quit before the answer");
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert_eq!(
            c.lines,
            vec![
                "a redrive of orders-dlq → queue orders is half done: 12 moved of ~40; quit anyway? \
                 it resumes from its journal with `eddy redrive orders-dlq --to orders`"
                    .to_string()
            ]
        );
        // No: eddy stays.
        typed(&mut state, "n");
        assert!(!state.quit);
        // `:q` asks too; yes quits.
        typed(&mut state, ":q\n");
        assert!(!state.quit);
        assert!(matches!(state.overlay, Overlay::Confirm(_)));
        typed(&mut state, "y");
        assert!(state.quit);
        // ctrl-c asks, and a second ctrl-c at the question quits.
        let mut state = redriving();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        update(&mut state, Msg::Key(ctrl_c));
        assert!(!state.quit);
        update(&mut state, Msg::Key(ctrl_c));
        assert!(state.quit);
    }

    #[test]
    fn nothing_running_quits_at_once_and_an_ended_task_does_not_ask() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        typed(&mut state, "q");
        assert!(state.quit);
        let mut state = redriving();
        let id = *state.tasks.rows.keys().next().unwrap();
        update(
            &mut state,
            Msg::Task {
                id,
                event: TaskEvent::done(Err(crate::ops::Error::Invalid("gone".to_string()))),
            },
        );
        assert!(state.flash.as_ref().unwrap().text.contains("gone"));
        typed(&mut state, "q");
        assert!(state.quit);
    }

    #[test]
    fn a_running_tail_does_not_hold_up_quitting_but_is_listed() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        state.tasks.start(TaskRow::new(
            OpId(3),
            TaskKind::BusTail,
            "tail of bus orders".to_string(),
            state.now,
        ));
        typed(&mut state, ":tasks\n");
        assert_eq!(crate::tui::update::row_keys(&state), vec!["3".to_string()]);
        typed(&mut state, "c");
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert_eq!(c.title, "cancel the tail of bus orders?");
        typed(&mut state, "n");
        typed(&mut state, "q");
        assert!(state.quit);
    }

    #[test]
    fn tasks_lists_and_cancels_after_a_confirmation() {
        let mut state = redriving();
        let id = *state.tasks.rows.keys().next().unwrap();
        typed(&mut state, ":tasks\n");
        assert_eq!(state.top().scope().name(), "tasks");
        assert_eq!(crate::tui::update::row_keys(&state), vec![id.0.to_string()]);
        assert!(typed(&mut state, "c").is_empty());
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert_eq!(c.title, "cancel the redrive of orders-dlq → queue orders?");
        let effects = typed(&mut state, "y");
        assert_eq!(effects, vec![Effect::CancelTask { id }]);
        assert!(state.tasks.rows[&id].cancelling);
        // Cancelling again does nothing more.
        assert!(typed(&mut state, "c").is_empty());
        assert_eq!(state.overlay, Overlay::None);
    }

    fn task(state: &mut AppState, id: OpId, event: TaskEvent) -> Vec<Effect> {
        update(state, Msg::Task { id, event })
    }

    /// `:tasks`, `c`, `y` on the only task: the effect that cancels it.
    fn cancel_from_tasks(state: &mut AppState, id: OpId) {
        typed(state, ":tasks\n");
        assert_eq!(crate::tui::update::row_keys(state), vec![id.0.to_string()]);
        typed(state, "c");
        let effects = typed(state, "y");
        assert_eq!(effects, vec![Effect::CancelTask { id }]);
        assert!(state.tasks.rows[&id].cancelling);
    }

    fn tailing() -> (AppState, OpId) {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let req = state.req();
        state.stack.push(Screen::Tail(Box::new(TailScreen {
            req,
            bus: "orders".to_string(),
            rule: None,
            pattern: None,
            status: TailStatus::Starting,
            notes: Vec::new(),
            events: Vec::new(),
            held: Vec::new(),
            paused: false,
            dropped: 0,
            list: ListView::default(),
        })));
        let id = OpId(req.0);
        let title = "tail of bus orders".to_string();
        let now = state.now;
        state
            .tasks
            .start(TaskRow::new(id, TaskKind::BusTail, title, now));
        (state, id)
    }

    fn tail_of(state: &AppState) -> &TailScreen {
        state
            .stack
            .iter()
            .find_map(|s| match s {
                Screen::Tail(t) => Some(t.as_ref()),
                _ => None,
            })
            .expect("a tail screen")
    }

    fn tailed(id: &str) -> crate::ops::tail::TailedEvent {
        crate::ops::tail::TailedEvent {
            message_id: id.to_string(),
            received_ms: 0,
            body: "{}".to_string(),
            event: None,
        }
    }

    #[test]
    fn a_bus_tail_reports_as_a_task_and_stops_when_cancelled_from_tasks() {
        let (mut state, id) = tailing();
        task(
            &mut state,
            id,
            TaskEvent::Item(TaskItem::TailReady(vec!["created queue q".to_string()])),
        );
        assert!(matches!(tail_of(&state).status, TailStatus::Running));
        let texts = |state: &AppState| -> Vec<String> {
            tail_of(state)
                .notes
                .iter()
                .map(|n| n.text.clone())
                .collect()
        };
        assert_eq!(texts(&state), vec!["created queue q".to_string()]);
        task(
            &mut state,
            id,
            TaskEvent::Item(TaskItem::TailEvents(vec![tailed("m1"), tailed("m2")])),
        );
        assert_eq!(tail_of(&state).events.len(), 2);
        let retry = crate::ops::Error::Invalid("throttled".to_string());
        task(&mut state, id, TaskEvent::Item(TaskItem::Retrying(retry)));
        assert!(texts(&state).contains(&"receive failed (retrying): throttled".to_string()));
        let row = &state.tasks.rows[&id];
        assert_eq!(row.progress_text(), "2 events");
        assert!(row.running());
        cancel_from_tasks(&mut state, id);
        let later = state.now + std::time::Duration::from_secs(7);
        update(&mut state, Msg::Ticked { now: later });
        let end = TailEnd {
            removed: vec!["queue q".to_string()],
            failed: Vec::new(),
        };
        task(&mut state, id, TaskEvent::Done(Ok(TaskSummary::Tail(end))));
        let row = &state.tasks.rows[&id];
        assert_eq!(row.ended_text(), Some(Ok("stopped".to_string())));
        assert_eq!(row.progress_text(), "2 events");
        let much_later = later + std::time::Duration::from_secs(60);
        assert_eq!(
            row.elapsed(much_later).as_secs(),
            7,
            "ended: the clock stops"
        );
        assert!(
            matches!(&tail_of(&state).status, TailStatus::Stopped(t) if t == "tail stopped: removed queue q")
        );
        // A late event of the ended task changes nothing.
        task(
            &mut state,
            id,
            TaskEvent::Item(TaskItem::TailEvents(vec![tailed("m3")])),
        );
        assert_eq!(tail_of(&state).events.len(), 2);
    }

    #[test]
    fn a_tail_that_cannot_start_fails_as_a_task() {
        let (mut state, id) = tailing();
        let e = crate::ops::Error::Invalid("no such bus".to_string());
        task(&mut state, id, TaskEvent::done(Err(e)));
        assert!(matches!(&tail_of(&state).status, TailStatus::Failed(t) if t == "no such bus"));
        assert_eq!(
            state.tasks.rows[&id].ended_text(),
            Some(Err("no such bus".to_string()))
        );
    }

    #[test]
    fn a_log_follow_is_a_task_with_counts_and_stops_when_cancelled_from_tasks() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let effects = crate::tui::view::log_groups::open(&mut state, "/aws/x".to_string());
        let [Effect::OpenLog { req, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let id = OpId(req.0);
        let line = |m: &str| crate::domain::LogEvent {
            timestamp_ms: 0,
            message: m.to_string(),
            stream: None,
            event_id: None,
        };
        let log = |state: &AppState| -> LogScreen {
            state
                .stack
                .iter()
                .find_map(|s| match s {
                    Screen::Log(l) => Some(l.clone()),
                    _ => None,
                })
                .expect("a log screen")
        };
        assert!(matches!(log(&state).status, LogStatus::Loading));
        task(
            &mut state,
            id,
            TaskEvent::Item(TaskItem::LogEvents(vec![line("a"), line("b")])),
        );
        assert!(matches!(log(&state).status, LogStatus::Following));
        task(
            &mut state,
            id,
            TaskEvent::Item(TaskItem::LogEvents(vec![line("c")])),
        );
        let retry = crate::ops::Error::Invalid("throttled".to_string());
        task(&mut state, id, TaskEvent::Item(TaskItem::Retrying(retry)));
        assert_eq!(log(&state).events.len(), 3);
        assert_eq!(log(&state).warning.as_deref(), Some("throttled"));
        let row = &state.tasks.rows[&id];
        assert_eq!(row.kind, TaskKind::LogFollow);
        assert_eq!(row.title, "follow of log group /aws/x");
        assert_eq!(row.progress_text(), "3 lines");
        cancel_from_tasks(&mut state, id);
        task(&mut state, id, TaskEvent::Done(Ok(TaskSummary::LogFollow)));
        assert_eq!(
            state.tasks.rows[&id].ended_text(),
            Some(Ok("stopped".to_string()))
        );
        // Back on the log: it says it stopped.
        key(&mut state, KeyCode::Esc);
        assert!(matches!(state.top(), Screen::Log(_)));
        assert!(matches!(log(&state).status, LogStatus::Stopped));
    }

    /// A receive-failed note is replaced by the next by its kind, whatever
    /// its text; a note that only reads like one stays.
    #[test]
    fn tail_notes_are_known_by_their_kind_not_their_text() {
        let (mut state, id) = tailing();
        let notes = vec!["receive failed: reads like one, but is not".to_string()];
        task(&mut state, id, TaskEvent::Item(TaskItem::TailReady(notes)));
        if let Some(Screen::Tail(t)) = state.stack.last_mut() {
            t.notes.push(TailNote {
                kind: NoteKind::ReceiveFailed,
                text: "the last receive did not work".to_string(),
            });
        }
        let retry = crate::ops::Error::Invalid("throttled".to_string());
        task(&mut state, id, TaskEvent::Item(TaskItem::Retrying(retry)));
        let texts: Vec<&str> = tail_of(&state)
            .notes
            .iter()
            .map(|n| n.text.as_str())
            .collect();
        assert_eq!(
            texts,
            [
                "receive failed: reads like one, but is not",
                "receive failed (retrying): throttled"
            ]
        );
    }
}
