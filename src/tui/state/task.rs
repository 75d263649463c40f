//! The task model, on the state side: long operations carry an [`OpId`]
//! and report with one message shape, `Msg::Task { id, event }` —
//! [`TaskEvent`]: started, progress, an item (a tail's events, a followed
//! log's lines), done with a typed result — redrives, replays, bus tails
//! and log follows alike; [`Tasks`] is what `:tasks` lists (kind, title,
//! state, counts, elapsed time) and what quitting asks about. The executor
//! keeps the other half of each task (its cancel flag and its tokio task)
//! in its own registry.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::{LogEvent, Replay};
use crate::ops;
use crate::ops::redrive::{Progress, Summary};
use crate::ops::tail::TailedEvent;

/// Identifies one long operation, from its start to its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u64);

/// What a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Redrive,
    /// An archive replay: EventBridge runs it; eddy follows its progress.
    Replay,
    /// A bus tail (`t`): its events come as [`TaskItem::TailEvents`].
    BusTail,
    /// A log group followed (`:logs`, enter): its lines as [`TaskItem::LogEvents`].
    LogFollow,
}

impl TaskKind {
    /// Whether quitting while it runs leaves something half done (a tail
    /// and a log follow just end: eddy removes what a tail created).
    pub fn asks_on_quit(self) -> bool {
        matches!(self, TaskKind::Redrive | TaskKind::Replay)
    }

    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Redrive => "redrive",
            TaskKind::Replay => "replay",
            TaskKind::BusTail => "tail",
            TaskKind::LogFollow => "log",
        }
    }
}

/// How far a task is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskProgress {
    Redrive(Progress),
    Replay(Box<Replay>),
}

/// What a task ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskSummary {
    Redrive(Box<Summary>),
    Replay(Box<Replay>),
    /// A bus tail stopped: what it removed, and what it could not.
    Tail(TailEnd),
    /// A log follow stopped (left or cancelled); it held nothing.
    LogFollow,
}

/// How a bus tail ended: the clean-up of its temporary queue and rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TailEnd {
    /// `rule eddy-tail-… on bus orders`, `queue eddy-tail-…`.
    pub removed: Vec<String>,
    /// What is left, with the reason; the next tail's sweep removes it.
    pub failed: Vec<String>,
}

/// Something a task produced, worth showing as it comes.
#[derive(Debug)]
pub enum TaskItem {
    /// A line for `:tasks` (a message that failed, ...).
    Line(String),
    /// A tail's queue and rule exist: what was created, swept, warned.
    TailReady(Vec<String>),
    /// Events a bus tail received.
    TailEvents(Vec<TailedEvent>),
    /// Lines of a followed log group (the first batch, then as they come).
    LogEvents(Vec<LogEvent>),
    /// A receive failed; the task goes on and tries again.
    Retrying(ops::Error),
}

/// One event of a task's life.
#[derive(Debug)]
pub enum TaskEvent {
    Started {
        kind: TaskKind,
        title: String,
    },
    Progress(TaskProgress),
    /// Something the task produced (tailed events, log lines, a note).
    Item(TaskItem),
    /// How it ended; the error shared (`Arc`) with the task's row, which
    /// keeps it for `:tasks`.
    Done(Result<TaskSummary, Arc<ops::Error>>),
}

impl TaskEvent {
    /// The end of a task, from what its operation returned.
    pub fn done(result: Result<TaskSummary, ops::Error>) -> TaskEvent {
        TaskEvent::Done(result.map_err(Arc::new))
    }
}

/// A task as `:tasks` shows it.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: OpId,
    /// The id as text: the row's identity in the `:tasks` list.
    pub key: String,
    pub kind: TaskKind,
    /// `redrive orders-dlq → queue orders`.
    pub title: String,
    pub progress: Option<TaskProgress>,
    /// How many there were to do when it started, when known.
    pub planned: Option<u64>,
    /// The command that resumes it after eddy quits, if any.
    pub resume: Option<String>,
    pub cancelling: bool,
    /// How it ended (its summary, or why it failed), once it has.
    pub ended: Option<Result<TaskSummary, Arc<ops::Error>>>,
    /// The last items it reported (newest last).
    pub items: Vec<String>,
    /// Events (a tail) or lines (a log follow) received so far.
    pub received: u64,
    /// When it started and, once it has, ended (the elapsed time).
    pub started: Instant,
    pub ended_at: Option<Instant>,
}

/// Items kept per task.
pub const ITEMS_KEPT: usize = 20;

impl TaskRow {
    /// A task that starts now, nothing known yet of its plan.
    pub fn new(id: OpId, kind: TaskKind, title: String, now: Instant) -> TaskRow {
        TaskRow {
            id,
            key: id.0.to_string(),
            kind,
            title,
            progress: None,
            planned: None,
            resume: None,
            cancelling: false,
            ended: None,
            items: Vec::new(),
            received: 0,
            started: now,
            ended_at: None,
        }
    }

    pub fn running(&self) -> bool {
        self.ended.is_none()
    }

    /// How it ended, as `:tasks` says it: what it did, or why it failed
    /// (a tail that could not remove everything counts as failed).
    pub fn ended_text(&self) -> Option<Result<String, String>> {
        Some(match self.ended.as_ref()? {
            Ok(TaskSummary::Redrive(s)) if s.cancelled => {
                Ok(format!("cancelled: {} moved", s.moved))
            }
            Ok(TaskSummary::Redrive(s)) => Ok(format!(
                "{} moved{}",
                s.moved,
                if s.failed.is_empty() {
                    String::new()
                } else {
                    format!(", {} failed", s.failed.len())
                }
            )),
            Ok(TaskSummary::Replay(r)) => Ok(format!(
                "{}{}",
                r.state.as_deref().unwrap_or("ended"),
                r.reason
                    .as_deref()
                    .map(|x| format!(" ({x})"))
                    .unwrap_or_default()
            )),
            Ok(TaskSummary::Tail(end)) if end.failed.is_empty() => Ok("stopped".to_string()),
            Ok(TaskSummary::Tail(end)) => Err(format!(
                "stopped; could not remove {}",
                end.failed.join(", ")
            )),
            Ok(TaskSummary::LogFollow) => Ok("stopped".to_string()),
            Err(e) => Err(e.to_string()),
        })
    }

    /// How long it ran, or has been running at `now`.
    pub fn elapsed(&self, now: Instant) -> Duration {
        self.ended_at
            .unwrap_or(now)
            .saturating_duration_since(self.started)
    }

    /// `12 moved of ~40`, or what is known.
    pub fn progress_text(&self) -> String {
        match &self.progress {
            Some(TaskProgress::Redrive(p)) => {
                let total = p.approximate_total.or(self.planned);
                match total {
                    Some(t) => format!("{} moved of ~{t}", p.moved + p.recovered),
                    None => format!("{} moved", p.moved + p.recovered),
                }
            }
            Some(TaskProgress::Replay(r)) => format!(
                "{} {}",
                r.state.as_deref().unwrap_or("?"),
                r.progress()
                    .map(|p| format!("{:.0}%", p * 100.0))
                    .unwrap_or_default()
            )
            .trim_end()
            .to_string(),
            None if self.kind == TaskKind::BusTail => format!("{} events", self.received),
            None if self.kind == TaskKind::LogFollow => format!("{} lines", self.received),
            None if self.kind != TaskKind::Redrive => "starting".to_string(),
            None => match self.planned {
                Some(t) => format!("0 moved of ~{t}"),
                None => "starting".to_string(),
            },
        }
    }

    /// What quitting now would leave half done, as the question says it.
    pub fn quit_warning(&self) -> String {
        let resume = match (self.kind, self.resume.as_deref()) {
            (TaskKind::Replay, _) => {
                "it goes on in EventBridge (`eddy archives` shows it)".to_string()
            }
            (_, Some(r)) => format!("it resumes from its journal with `{r}`"),
            (_, None) => "it stops where it is".to_string(),
        };
        format!(
            "a {} is half done: {}; quit anyway? {resume}",
            self.title,
            self.progress_text()
        )
    }
}

/// Every task of this session, by id (ended ones stay, to be read).
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    pub rows: BTreeMap<OpId, TaskRow>,
}

impl Tasks {
    /// The tasks still running, oldest first.
    pub fn running(&self) -> impl Iterator<Item = &TaskRow> {
        self.rows.values().filter(|t| t.running())
    }

    /// The tasks as `:tasks` lists them: running first, then newest first.
    pub fn ordered(&self) -> Vec<&TaskRow> {
        let mut rows: Vec<&TaskRow> = self.rows.values().collect();
        rows.sort_by_key(|t| (!t.running(), std::cmp::Reverse(t.id)));
        rows
    }

    /// Registers a task (its title and plan) as it starts.
    pub fn start(&mut self, row: TaskRow) {
        self.rows.insert(row.id, row);
    }

    /// Applies one event at `now`; false when the task is unknown and the
    /// event did not start it, or when it already ended (a late event).
    pub fn apply(&mut self, id: OpId, event: &TaskEvent, now: Instant) -> bool {
        if let TaskEvent::Started { kind, title } = event {
            self.rows
                .entry(id)
                .or_insert_with(|| TaskRow::new(id, *kind, title.clone(), now));
            return true;
        }
        let Some(row) = self.rows.get_mut(&id).filter(|r| r.running()) else {
            return false;
        };
        match event {
            TaskEvent::Started { .. } => {}
            TaskEvent::Progress(p) => row.progress = Some(p.clone()),
            TaskEvent::Item(item) => {
                let line = match item {
                    TaskItem::Line(text) => Some(text.clone()),
                    TaskItem::Retrying(e) => Some(format!("retrying: {e}")),
                    TaskItem::TailReady(_) => None,
                    TaskItem::TailEvents(events) => {
                        row.received += events.len() as u64;
                        None
                    }
                    TaskItem::LogEvents(events) => {
                        row.received += events.len() as u64;
                        None
                    }
                };
                if let Some(line) = line {
                    row.items.push(line);
                    if row.items.len() > ITEMS_KEPT {
                        row.items.remove(0);
                    }
                }
            }
            TaskEvent::Done(result) => {
                row.ended_at = Some(now);
                // The final record is the progress too: a done task does not
                // keep showing the last state it reported while it ran.
                match result {
                    Ok(TaskSummary::Replay(r)) => {
                        row.progress = Some(TaskProgress::Replay(r.clone()));
                    }
                    Ok(TaskSummary::Redrive(s)) => {
                        if let Some(TaskProgress::Redrive(p)) = &mut row.progress {
                            p.moved = s.moved;
                            p.recovered = s.recovered;
                        }
                    }
                    Ok(TaskSummary::Tail(_) | TaskSummary::LogFollow) | Err(_) => {}
                }
                row.ended = Some(result.clone());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64) -> TaskRow {
        TaskRow {
            planned: Some(40),
            resume: Some("eddy redrive orders-dlq --to orders".to_string()),
            ..TaskRow::new(
                OpId(id),
                TaskKind::Redrive,
                "redrive of orders-dlq → queue orders".to_string(),
                Instant::now(),
            )
        }
    }

    #[test]
    fn a_task_runs_until_done_and_says_how_to_resume() {
        let mut t = Tasks::default();
        let now = Instant::now();
        t.start(row(1));
        let p = Progress {
            moved: 12,
            ..Progress::default()
        };
        assert!(t.apply(OpId(1), &TaskEvent::Progress(TaskProgress::Redrive(p)), now));
        assert!(!t.apply(
            OpId(2),
            &TaskEvent::Item(TaskItem::Line("x".to_string())),
            now
        ));
        let r = &t.rows[&OpId(1)];
        assert_eq!(
            r.quit_warning(),
            "a redrive of orders-dlq → queue orders is half done: 12 moved of ~40; quit anyway? \
             it resumes from its journal with `eddy redrive orders-dlq --to orders`"
        );
        assert_eq!(t.running().count(), 1);
        t.apply(
            OpId(1),
            &TaskEvent::done(Err(ops::Error::Invalid("gone".to_string()))),
            now,
        );
        assert_eq!(t.running().count(), 0);
        assert_eq!(t.rows[&OpId(1)].ended_text(), Some(Err("gone".to_string())));
    }

    #[test]
    fn a_done_replay_shows_its_final_state_not_the_last_progress() {
        let mut t = Tasks::default();
        let now = Instant::now();
        t.start(TaskRow {
            kind: TaskKind::Replay,
            planned: None,
            resume: None,
            ..row(3)
        });
        let running = Replay {
            state: Some("RUNNING".to_string()),
            ..Replay::default()
        };
        t.apply(
            OpId(3),
            &TaskEvent::Progress(TaskProgress::Replay(Box::new(running))),
            now,
        );
        assert_eq!(t.rows[&OpId(3)].progress_text(), "RUNNING");
        let done = Replay {
            state: Some("COMPLETED".to_string()),
            ..Replay::default()
        };
        t.apply(
            OpId(3),
            &TaskEvent::Done(Ok(TaskSummary::Replay(Box::new(done)))),
            now,
        );
        assert_eq!(t.rows[&OpId(3)].progress_text(), "COMPLETED 100%");
        assert_eq!(
            t.rows[&OpId(3)].ended_text(),
            Some(Ok("COMPLETED".to_string()))
        );
    }
}
