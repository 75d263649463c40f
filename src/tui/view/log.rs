//! The log view: one log group's events, followed live by a task; its keys
//! (`/` the server-side filter pattern, a jump to a time, the follow
//! stopped and started), taking the task's items in (the first batch, then
//! each line; at most `LOG_CAP` kept), its end, and drawing them with their
//! stream.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::ops::time::When;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::keys;
use crate::tui::scope::Scope;
use crate::tui::state::*;

use super::widgets::*;
use crate::domain::LogEvent;

/// The stream column's widest, below and above [`WIDE`] columns.
const STREAM_NARROW: usize = 12;
const STREAM_WIDE: usize = 32;

/// Opens `group`'s events (the last minutes, then followed).
pub(crate) fn open(state: &mut AppState, group: String) -> Vec<Effect> {
    open_at(state, group, None)
}

/// Opens a log group's events from `since` (a "why it failed" evidence
/// line: from just before it), then follows.
pub(crate) fn open_at(state: &mut AppState, group: String, since: Option<When>) -> Vec<Effect> {
    state.stack.push(Screen::Log(LogScreen {
        group,
        req: ReqId(0),
        events: std::collections::VecDeque::new(),
        status: LogStatus::Loading,
        from_end: 0,
        warning: None,
        filter: String::new(),
        since,
    }));
    follow(state, None).into_iter().collect()
}

/// Starts the follow of the log screen on top (a new request and its task
/// row), from `from` (a resume: just after what is shown) or else from
/// where the screen starts (its jump, or the last minutes).
fn follow(state: &mut AppState, from: Option<When>) -> Option<Effect> {
    let req = state.req();
    let now = state.now;
    let Screen::Log(l) = state.top_mut() else {
        return None;
    };
    l.req = req;
    l.status = LogStatus::Loading;
    l.warning = None;
    let group = l.group.clone();
    let filter = (!l.filter.is_empty()).then(|| l.filter.clone());
    let since = from.or(l.since);
    let title = match &filter {
        Some(f) => format!("follow of log group {group} (filter {f})"),
        None => format!("follow of log group {group}"),
    };
    state
        .tasks
        .start(TaskRow::new(OpId(req.0), TaskKind::LogFollow, title, now));
    Some(Effect::OpenLog {
        req,
        group,
        filter,
        since,
    })
}

/// Stops the running follow (if any) and starts it again from the start,
/// the events shown so far dropped: a new filter or a jump.
fn restart(state: &mut AppState) -> Vec<Effect> {
    let Screen::Log(l) = state.top_mut() else {
        return Vec::new();
    };
    let close = Effect::CloseLog { req: l.req };
    l.events.clear();
    // After a jump the view starts at the time jumped to; else at the end.
    l.from_end = if l.since.is_some() { usize::MAX } else { 0 };
    let mut effects = vec![close];
    effects.extend(follow(state, None));
    effects
}

/// The follow toggle: stops a running follow (the events stay), or starts
/// it again from the last event shown.
fn toggle_follow(state: &mut AppState) -> Vec<Effect> {
    let Screen::Log(l) = state.top_mut() else {
        return Vec::new();
    };
    match l.status {
        LogStatus::Loading | LogStatus::Following => {
            l.status = LogStatus::Paused;
            vec![Effect::CloseLog { req: l.req }]
        }
        LogStatus::Paused | LogStatus::Stopped | LogStatus::Failed(_) => {
            let from = l.events.back().map(|e| When::At(e.timestamp_ms));
            follow(state, from).into_iter().collect()
        }
    }
}

/// How `since` reads in the title.
fn since_label(since: When) -> String {
    match since {
        When::Now => "now".to_string(),
        When::Ago(d) => format!("{} ago", humantime::format_duration(d)),
        When::Clock(ms) => crate::tui::inspect::hms(ms),
        When::At(ms) => crate::tui::inspect::utc(ms),
    }
}

/// The log view.
pub struct LogView;

impl super::kind::View for LogView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Log(l) = state.top() else { return };
        let chord = |a| {
            keys::chords(&state.config, Scope::Log, a)
                .into_iter()
                .next()
                .unwrap_or_default()
        };
        let block = Block::default().borders(Borders::ALL);
        let h = block.inner(area).height as usize;
        let len = l.events.len();
        // Scrolled up past the first screenful: the first screenful.
        let end = len.saturating_sub(l.from_end).max(h.min(len));
        let start = end.saturating_sub(h);
        let status = match &l.status {
            LogStatus::Loading => "loading…".to_string(),
            LogStatus::Following if end == len => "following".to_string(),
            LogStatus::Following => format!(
                "following, {} lines below ({} to the end)",
                len - end,
                chord(Action::Bottom)
            ),
            LogStatus::Paused => format!("paused ({} follows)", chord(Action::Pause)),
            LogStatus::Stopped => "stopped".to_string(),
            LogStatus::Failed(_) => "failed".to_string(),
        };
        let mut title = format!(" {}", escape(&l.group));
        if !l.filter.is_empty() {
            title.push_str(&format!(" · filter {}", escape(&l.filter)));
        }
        if let Some(since) = l.since {
            title.push_str(&format!(" · since {}", since_label(since)));
        }
        title.push_str(&format!(" · {len} events · {status} "));
        let block = block.title(title);
        // The stream column: as wide as the longest stream in view, at most
        // a share of the width; longer names are cut with "…".
        let cap = if area.width >= WIDE {
            STREAM_WIDE
        } else {
            STREAM_NARROW
        };
        let shown = || l.events.range(start..end);
        let stream_w = shown()
            .filter_map(|e| e.stream.as_deref())
            .map(|s| escape(s).chars().count())
            .max()
            .map(|w| w.min(cap));
        let lines: Vec<Line> = shown()
            .map(|e| {
                let mut spans = vec![Span::styled(
                    format!("{} ", crate::tui::inspect::hms(e.timestamp_ms)),
                    style(state, Meaning::Muted),
                )];
                if let Some(w) = stream_w {
                    let name = cut(&escape(e.stream.as_deref().unwrap_or("")), w);
                    spans.push(Span::styled(
                        format!("{name:<w$} "),
                        style(state, Meaning::Accent),
                    ));
                }
                spans.push(Span::raw(first_line(&e.message, 400)));
                Line::from(spans)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn scroll(&self, state: &mut AppState, action: Action) -> bool {
        let rows = document_rows(state);
        let Screen::Log(l) = state.top_mut() else {
            return false;
        };
        // Lines above the last screenful: as far up as the view goes.
        let max = l.events.len().saturating_sub(rows);
        let from_end = l.from_end.min(max);
        let page = rows.saturating_sub(1).max(1);
        l.from_end = match action {
            Action::Up => (from_end + 1).min(max),
            Action::Down => from_end.saturating_sub(1),
            Action::PageUp => (from_end + page).min(max),
            Action::PageDown => from_end.saturating_sub(page),
            Action::Top => max,
            _ => 0,
        };
        true
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Pause => toggle_follow(state),
            Action::Jump => {
                state.overlay = Overlay::Prompt {
                    kind: PromptKind::LogTime,
                    text: String::new(),
                };
                Vec::new()
            }
            _ => return None,
        })
    }

    fn filter_prompt(&self, state: &AppState) -> Option<(PromptKind, String)> {
        match state.top() {
            Screen::Log(l) => Some((PromptKind::LogFilter, l.filter.clone())),
            _ => None,
        }
    }

    /// A new filter pattern, or a time to jump to: the follow starts again
    /// with it.
    fn answer(&self, state: &mut AppState, kind: PromptKind, text: &str) -> Vec<Effect> {
        let parsed = match kind {
            PromptKind::LogTime if text.is_empty() => return Vec::new(),
            PromptKind::LogTime => When::parse(text).map(Some),
            _ => Ok(None),
        };
        let since = match parsed {
            Ok(since) => since,
            Err(e) => {
                state.flash(Level::Warn, e.to_string());
                return Vec::new();
            }
        };
        let Screen::Log(l) = state.top_mut() else {
            return Vec::new();
        };
        match kind {
            PromptKind::LogFilter if l.filter == text => return Vec::new(),
            PromptKind::LogFilter => l.filter = text.to_string(),
            PromptKind::LogTime => l.since = since,
            _ => return Vec::new(),
        }
        restart(state)
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
    // A resumed follow reads again from the last event's millisecond: what
    // is shown already is not added twice.
    let last_ms = l.events.back().map(|e| e.timestamp_ms);
    let events: Vec<LogEvent> = if first && let Some(ms) = last_ms {
        events
            .into_iter()
            .filter(|e| {
                e.timestamp_ms > ms
                    || (e.timestamp_ms == ms
                        && !l
                            .events
                            .iter()
                            .rev()
                            .take_while(|o| o.timestamp_ms == ms)
                            .any(|o| same_event(o, e)))
            })
            .collect()
    } else {
        events
    };
    let n = events.len();
    l.events.extend(events);
    while l.events.len() > LOG_CAP {
        l.events.pop_front();
    }
    if first {
        l.status = LogStatus::Following;
        // The first read stops at LOGS_FIRST: what came after, up to the
        // start of the follow, is not shown.
        if n >= LOGS_FIRST {
            state.flash(
                Level::Warn,
                format!(
                    "showing the first {LOGS_FIRST} events from the start; later ones up to now \
                     are skipped: narrow with / (a filter pattern) or t (a later time)"
                ),
            );
        }
    } else {
        if l.from_end > 0 {
            l.from_end = l.from_end.saturating_add(n);
        }
        l.warning = None;
    }
    Vec::new()
}

/// The same log event: by its id when both have one, else by what it says.
fn same_event(a: &LogEvent, b: &LogEvent) -> bool {
    match (&a.event_id, &b.event_id) {
        (Some(x), Some(y)) => x == y,
        _ => a.timestamp_ms == b.timestamp_ms && a.stream == b.stream && a.message == b.message,
    }
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
            // Stopped by the follow toggle: it says so.
            Ok(_) if matches!(l.status, LogStatus::Paused) => LogStatus::Paused,
            Ok(_) => LogStatus::Stopped,
            Err(e) => LogStatus::Failed(e.to_string()),
        };
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::domain::LogEvent;
    use crate::ops::time::When;
    use crate::tui::config::Config;
    use crate::tui::keys;
    use crate::tui::scope::Scope;
    use crate::tui::state::*;
    use crate::tui::update::update;

    fn press(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
        update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(press(state, KeyCode::Char(c)));
        }
        effects
    }

    fn event(ms: i64, stream: &str, message: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ms,
            message: message.to_string(),
            stream: Some(stream.to_string()),
            event_id: Some(format!("{stream}-{ms}")),
        }
    }

    fn lines(state: &mut AppState, req: ReqId, events: Vec<LogEvent>) {
        update(
            state,
            Msg::Task {
                id: OpId(req.0),
                event: TaskEvent::Item(TaskItem::LogEvents(events)),
            },
        );
    }

    fn log(state: &AppState) -> &LogScreen {
        match state.top() {
            Screen::Log(l) => l,
            other => panic!("not the log view: {other:?}"),
        }
    }

    #[test]
    fn the_header_rate_leaves_no_separator_where_the_view_has_no_freshness() {
        let (mut state, _) = opened();
        let t0 = Instant::now();
        for (at, total) in [(t0, 10), (t0 + std::time::Duration::from_secs(4), 30)] {
            update(&mut state, Msg::RequestsCounted { at, total });
        }
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 8)).unwrap();
        terminal
            .draw(|f| {
                crate::tui::view::render(&state, f);
            })
            .unwrap();
        let text = terminal.backend().to_string();
        let header = text.lines().next().unwrap_or_default();
        assert!(header.contains("req/s"), "{header}");
        assert!(
            !header.trim_end_matches(['"', ' ']).ends_with('·'),
            "{header}"
        );
    }

    /// A log group opened and its first lines in.
    fn opened() -> (AppState, ReqId) {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let effects = super::open(&mut state, "/aws/x".to_string());
        let [
            Effect::OpenLog {
                req,
                group,
                filter: None,
                since: None,
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(group, "/aws/x");
        let req = *req;
        lines(
            &mut state,
            req,
            vec![event(1000, "run-1", "ok"), event(2000, "run-2", "ERROR x")],
        );
        (state, req)
    }

    #[test]
    fn slash_sets_the_server_side_filter_pattern_and_follows_again_with_it() {
        let (mut state, req) = opened();
        assert!(press(&mut state, KeyCode::Char('/')).is_empty());
        assert!(matches!(
            &state.overlay,
            Overlay::Prompt { kind: PromptKind::LogFilter, text } if text.is_empty()
        ));
        typed(&mut state, "ERROR");
        let effects = press(&mut state, KeyCode::Enter);
        let [
            Effect::CloseLog { req: closed },
            Effect::OpenLog {
                req: new,
                group,
                filter,
                since: None,
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(*closed, req);
        assert_ne!(*new, req);
        assert_eq!(group, "/aws/x");
        assert_eq!(filter.as_deref(), Some("ERROR"));
        let l = log(&state);
        assert_eq!(l.filter, "ERROR");
        assert!(l.events.is_empty(), "the unfiltered lines are dropped");
        assert!(matches!(l.status, LogStatus::Loading));
        // A late line of the old follow is not taken.
        lines(&mut state, req, vec![event(3000, "run-1", "late")]);
        assert!(log(&state).events.is_empty());
        // `/` again starts from the pattern in force; the same pattern is a no-op.
        press(&mut state, KeyCode::Char('/'));
        assert!(matches!(
            &state.overlay,
            Overlay::Prompt { kind: PromptKind::LogFilter, text } if text == "ERROR"
        ));
        assert!(press(&mut state, KeyCode::Enter).is_empty());
    }

    #[test]
    fn the_follow_toggle_stops_and_resumes_from_the_last_line() {
        let (mut state, req) = opened();
        let effects = press(&mut state, KeyCode::Char(' '));
        assert_eq!(effects, vec![Effect::CloseLog { req }]);
        assert!(matches!(log(&state).status, LogStatus::Paused));
        // The executor's end of the stopped follow keeps it paused.
        update(
            &mut state,
            Msg::Task {
                id: OpId(req.0),
                event: TaskEvent::Done(Ok(TaskSummary::LogFollow)),
            },
        );
        assert!(matches!(log(&state).status, LogStatus::Paused));
        let effects = press(&mut state, KeyCode::Char('f'));
        let [
            Effect::OpenLog {
                req: new,
                since: Some(When::At(2000)),
                filter: None,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        let new = *new;
        assert!(matches!(log(&state).status, LogStatus::Loading));
        // The resumed read starts at the last line's millisecond: that line
        // is not added twice, the next ones are.
        lines(
            &mut state,
            new,
            vec![event(2000, "run-2", "ERROR x"), event(2500, "run-1", "new")],
        );
        let l = log(&state);
        assert!(matches!(l.status, LogStatus::Following));
        let messages: Vec<&str> = l.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["ok", "ERROR x", "new"]);
    }

    #[test]
    fn a_jump_to_a_time_reads_from_it() {
        let (mut state, req) = opened();
        assert!(press(&mut state, KeyCode::Char('t')).is_empty());
        assert!(matches!(
            &state.overlay,
            Overlay::Prompt {
                kind: PromptKind::LogTime,
                ..
            }
        ));
        typed(&mut state, "yesterday");
        assert!(press(&mut state, KeyCode::Enter).is_empty());
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("not a time")),
            "{:?}",
            state.flash
        );
        for (text, want) in [
            ("2024-05-01T12:00:00Z", When::At(1_714_564_800_000)),
            ("10m", When::Ago(std::time::Duration::from_secs(600))),
            ("14:05", When::Clock((14 * 60 + 5) * 60_000)),
        ] {
            press(&mut state, KeyCode::Char('t'));
            typed(&mut state, text);
            let effects = press(&mut state, KeyCode::Enter);
            let [Effect::CloseLog { .. }, Effect::OpenLog { since, .. }] = effects.as_slice()
            else {
                panic!("{text}: {effects:?}")
            };
            assert_eq!(*since, Some(want), "{text}");
            assert_eq!(log(&state).since, Some(want));
        }
        let _ = req;
        // The view starts at the time jumped to, not at the end.
        let new = log(&state).req;
        let many: Vec<LogEvent> = (0..100).map(|i| event(i, "s", "line")).collect();
        lines(&mut state, new, many);
        state.size = Some((80, 24));
        assert_eq!(log(&state).from_end, usize::MAX);
        // Scrolling down from there moves at once.
        press(&mut state, KeyCode::Char('j'));
        assert_eq!(log(&state).from_end, 100 - 19 - 1);
    }

    /// A first read cut at LOGS_FIRST says so (the events after it, up to
    /// the follow's start, are not shown).
    #[test]
    fn a_first_read_cut_at_its_limit_says_so() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let effects = super::open(&mut state, "/aws/x".to_string());
        let [Effect::OpenLog { req, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let many: Vec<LogEvent> = (0..LOGS_FIRST as i64).map(|i| event(i, "s", "x")).collect();
        lines(&mut state, *req, many);
        let flash = state.flash.as_ref().map(|f| f.text.as_str()).unwrap_or("");
        assert!(flash.contains("first 1000 events"), "{flash}");
        // Fewer: nothing to say.
        let (state, _) = opened();
        assert!(state.flash.is_none());
    }

    #[test]
    fn the_log_help_lists_filter_jump_and_follow() {
        let (state, _) = opened();
        let help: Vec<(crate::tui::action::Action, Vec<String>)> =
            keys::help(&state.config, Scope::Log);
        let chords = |a| {
            help.iter()
                .find(|(x, _)| *x == a)
                .map(|(_, c)| c.clone())
                .unwrap_or_default()
        };
        use crate::tui::action::Action;
        assert_eq!(chords(Action::Filter), ["/"]);
        assert_eq!(chords(Action::Jump), ["t"]);
        assert_eq!(chords(Action::Pause), ["space", "f"]);
    }
}
