//! The task model, on the state side: long operations carry an [`OpId`]
//! (redrives and replays report with one message shape, `Msg::Task { id,
//! event }` — [`TaskEvent`]: started, progress, an item, done with a typed
//! result; bus tails keep their own messages and are registered and ended
//! by the tail view); [`Tasks`] is what `:tasks` lists and what quitting
//! asks about. The executor keeps the other half of each task (its cancel
//! flag and its tokio task, log follows included) in its own registry.

use std::collections::BTreeMap;

use crate::domain::Replay;
use crate::ops;
use crate::ops::redrive::{Progress, Summary};

/// Identifies one long operation, from its start to its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OpId(pub u64);

/// What a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    Redrive,
    /// An archive replay: EventBridge runs it; eddy follows its progress.
    Replay,
    /// A bus tail (`t`): its events still come as `Msg::Tailed`.
    BusTail,
    /// A log group followed (`:logs`, enter): its events as `Msg::LogTailed`.
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
}

/// One event of a task's life.
#[derive(Debug)]
pub enum TaskEvent {
    Started {
        kind: TaskKind,
        title: String,
    },
    Progress(TaskProgress),
    /// One thing the task did worth a line (a message that failed, ...).
    Item(String),
    Done(Result<TaskSummary, ops::Error>),
}

/// A task as `:tasks` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// How it ended (its summary as text), once it has.
    pub ended: Option<Result<String, String>>,
    /// The last items it reported (newest last).
    pub items: Vec<String>,
}

/// Items kept per task.
pub const ITEMS_KEPT: usize = 20;

impl TaskRow {
    pub fn running(&self) -> bool {
        self.ended.is_none()
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

    /// Ends a task that reports through its own messages (a bus tail).
    pub fn finish(&mut self, id: OpId, ended: Result<String, String>) {
        if let Some(row) = self.rows.get_mut(&id) {
            row.ended = Some(ended);
        }
    }

    /// Registers a task (its title and plan) as it starts.
    pub fn start(&mut self, row: TaskRow) {
        self.rows.insert(row.id, row);
    }

    /// Applies one event; false when the task is unknown and the event did
    /// not start it.
    pub fn apply(&mut self, id: OpId, event: &TaskEvent) -> bool {
        if let TaskEvent::Started { kind, title } = event {
            self.rows.entry(id).or_insert_with(|| TaskRow {
                id,
                key: id.0.to_string(),
                kind: *kind,
                title: title.clone(),
                progress: None,
                planned: None,
                resume: None,
                cancelling: false,
                ended: None,
                items: Vec::new(),
            });
            return true;
        }
        let Some(row) = self.rows.get_mut(&id) else {
            return false;
        };
        match event {
            TaskEvent::Started { .. } => {}
            TaskEvent::Progress(p) => row.progress = Some(p.clone()),
            TaskEvent::Item(text) => {
                row.items.push(text.clone());
                if row.items.len() > ITEMS_KEPT {
                    row.items.remove(0);
                }
            }
            TaskEvent::Done(result) => {
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
                    Err(_) => {}
                }
                row.ended = Some(match result {
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
                    Err(e) => Err(e.to_string()),
                });
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
            id: OpId(id),
            key: id.to_string(),
            kind: TaskKind::Redrive,
            title: "redrive of orders-dlq → queue orders".to_string(),
            progress: None,
            planned: Some(40),
            resume: Some("eddy redrive orders-dlq --to orders".to_string()),
            cancelling: false,
            ended: None,
            items: Vec::new(),
        }
    }

    #[test]
    fn a_task_runs_until_done_and_says_how_to_resume() {
        let mut t = Tasks::default();
        t.start(row(1));
        let p = Progress {
            moved: 12,
            ..Progress::default()
        };
        assert!(t.apply(OpId(1), &TaskEvent::Progress(TaskProgress::Redrive(p))));
        assert!(!t.apply(OpId(2), &TaskEvent::Item("x".to_string())));
        let r = &t.rows[&OpId(1)];
        assert_eq!(
            r.quit_warning(),
            "a redrive of orders-dlq → queue orders is half done: 12 moved of ~40; quit anyway? \
             it resumes from its journal with `eddy redrive orders-dlq --to orders`"
        );
        assert_eq!(t.running().count(), 1);
        t.apply(
            OpId(1),
            &TaskEvent::Done(Err(ops::Error::Invalid("gone".to_string()))),
        );
        assert_eq!(t.running().count(), 0);
        assert_eq!(t.rows[&OpId(1)].ended, Some(Err("gone".to_string())));
    }

    #[test]
    fn a_done_replay_shows_its_final_state_not_the_last_progress() {
        let mut t = Tasks::default();
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
        );
        assert_eq!(t.rows[&OpId(3)].progress_text(), "RUNNING");
        let done = Replay {
            state: Some("COMPLETED".to_string()),
            ..Replay::default()
        };
        t.apply(
            OpId(3),
            &TaskEvent::Done(Ok(TaskSummary::Replay(Box::new(done)))),
        );
        assert_eq!(t.rows[&OpId(3)].progress_text(), "COMPLETED 100%");
        assert_eq!(t.rows[&OpId(3)].ended, Some(Ok("COMPLETED".to_string())));
    }
}
