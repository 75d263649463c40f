//! The archives view (`:archives`): EventBridge archives (the list: name,
//! bus, state, events, size, retention, pattern) and, below them, the
//! replays (state, progress, time range, destination). `R` on an archive
//! asks for a time range (the last hour by default), states what the replay
//! does (`ops::archives::confirmation`) and starts it; refused read-only.
//! The listing refreshes while a replay runs. Its answers, its actions and
//! its render all live here.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Cell, Row};

use super::widgets::*;
use crate::ops::archives::{self, Listing};
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

pub const ARCHIVE_COLUMNS: &[&str] = &["name", "bus", "state", "events", "bytes", "retention"];

/// The last part of an ARN (`…:event-bus/orders` → `orders`).
fn short(arn: Option<&str>) -> String {
    arn.map(|a| a.rsplit(['/', ':']).next().unwrap_or(a).to_string())
        .unwrap_or_else(|| "-".to_string())
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".to_string())
}

/// The archives (top) and the replays (bottom, at least a few rows).
pub(crate) fn archives_split(area: Rect) -> [Rect; 2] {
    let bottom = (area.height / 3).max(5).min(area.height);
    Layout::vertical([Constraint::Min(0), Constraint::Length(bottom)]).areas(area)
}

fn screen(state: &AppState) -> Option<&ArchivesScreen> {
    match state.top() {
        Screen::Archives(a) => Some(a),
        _ => None,
    }
}

fn screen_mut(state: &mut AppState) -> Option<&mut ArchivesScreen> {
    match state.top_mut() {
        Screen::Archives(a) => Some(a),
        _ => None,
    }
}

/// Fetches archives and replays again.
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    let req = state.req();
    match screen_mut(state) {
        Some(s) if s.listing.pending.is_none() => {
            s.listing.begin(req);
            vec![Effect::FetchArchives { req }]
        }
        _ => Vec::new(),
    }
}

/// The listing answered.
pub(crate) fn archives_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    wall_ms: i64,
    result: Result<Listing, crate::ops::Error>,
) -> Vec<Effect> {
    fn listing_of(state: &mut AppState, _req: ReqId) -> Option<&mut Live<Listing>> {
        state.stack.iter_mut().rev().find_map(|s| match s {
            Screen::Archives(a) => Some(&mut a.listing),
            _ => None,
        })
    }
    if state.answer(listing_of, req, at, result)
        && let Some(Screen::Archives(a)) = state
            .stack
            .iter_mut()
            .rev()
            .find(|s| matches!(s, Screen::Archives(_)))
    {
        a.wall = Some((wall_ms, at));
    }
    Vec::new()
}

/// `R` on an archive: asks for the time range (refused read-only).
pub(crate) fn replay(state: &mut AppState) -> Vec<Effect> {
    let Some(name) = state.selected_key() else {
        return Vec::new();
    };
    if ops_ui::refused(state, "replaying an archive") {
        return Vec::new();
    }
    if let Some(s) = screen_mut(state) {
        s.replaying = Some(name);
        state.overlay = Overlay::Prompt {
            kind: PromptKind::ReplayRange,
            text: String::new(),
        };
    }
    Vec::new()
}

/// The range was typed: plans the replay and asks for the confirmation
/// `ops::archives` states; a range that does not parse is said in the flash.
pub(crate) fn replay_range(state: &mut AppState, text: &str) {
    let now = state.now;
    let Some(s) = screen_mut(state) else { return };
    let Some(name) = s.replaying.take() else {
        return;
    };
    let archive = s
        .listing
        .value
        .data()
        .and_then(|l| l.archives.iter().find(|a| a.name == name))
        .cloned();
    // Now, on the wall clock: the last answer's time plus what passed since.
    let now_ms = s.wall.map(|(wall_ms, at)| {
        wall_ms + i64::try_from(now.saturating_duration_since(at).as_millis()).unwrap_or(0)
    });
    let (Some(archive), Some(now_ms)) = (archive, now_ms) else {
        state.flash(
            Level::Error,
            format!(
                "archive {} is not listed any more: r refreshes",
                escape(&name)
            ),
        );
        return;
    };
    let planned = archives::parse_range(text, now_ms)
        .and_then(|(from, to)| archives::plan(&archive, from, to, now_ms));
    match planned {
        Ok(plan) => {
            let c = archives::confirmation(&plan);
            ops_ui::confirm(
                state,
                format!("{}?", c.title),
                c.facts,
                c.typed,
                Pending::Replay { plan },
            );
        }
        Err(e) => state.flash(Level::Error, format!("replay: {e}")),
    }
}

/// A replay's state as its task follows it: shown in the list at once.
pub(crate) fn replay_progressed(state: &mut AppState, replay: crate::domain::Replay) {
    for s in state.stack.iter_mut() {
        if let Screen::Archives(a) = s
            && let Some(l) = a.listing.value.data_mut()
        {
            match l.replays.iter_mut().find(|r| r.name == replay.name) {
                Some(r) => *r = replay.clone(),
                None => l.replays.push(replay.clone()),
            }
        }
    }
    state.bump();
}

/// A replay's task ended: says how, and lists again.
pub(crate) fn replay_done(
    state: &mut AppState,
    id: OpId,
    result: Result<TaskSummary, std::sync::Arc<crate::ops::Error>>,
) -> Vec<Effect> {
    let title = state
        .tasks
        .rows
        .get(&id)
        .map(|t| t.title.clone())
        .unwrap_or_else(|| "replay".to_string());
    match result {
        Ok(TaskSummary::Replay(r)) => {
            let state_text = r.state.clone().unwrap_or_else(|| "ended".to_string());
            let ok = state_text == "COMPLETED";
            replay_progressed(state, *r);
            state.flash(
                if ok { Level::Info } else { Level::Warn },
                format!("{}: {}", escape(&title), escape(&state_text)),
            );
        }
        Ok(_) => {}
        Err(e) => state.flash(Level::Error, format!("{}: {e}", escape(&title))),
    }
    refresh(state)
}

/// The archives view.
pub struct ArchivesView;

impl super::kind::View for ArchivesView {
    fn columns(&self) -> &'static [&'static str] {
        ARCHIVE_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Some(s) = screen(state) else {
            return Vec::new();
        };
        sorted_order(
            s.listing.value.data().map(|l| l.archives.as_slice()),
            &s.list,
            |a| &a.name,
            |a, b, col| match col {
                1 => a.source_arn.cmp(&b.source_arn),
                2 => a.state.cmp(&b.state),
                3 => a.event_count.cmp(&b.event_count),
                4 => a.size_bytes.cmp(&b.size_bytes),
                5 => a.retention_days.cmp(&b.retention_days),
                _ => std::cmp::Ordering::Equal,
            },
        )
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Some(s) = screen(state) else { return };
        let [top, bottom] = archives_split(area);
        let lv = &s.list;
        let Some(block) = list_block(
            state,
            frame,
            area,
            "archives",
            &s.listing,
            lv,
            sort_label(ARCHIVE_COLUMNS, lv),
        ) else {
            return;
        };
        let empty = Listing::default();
        let listing = s.listing.value.data().unwrap_or(&empty);
        let stale = s.listing.value.error().is_some();
        let (range, selected) = visible(lv, table_rows_in(top));
        let widths = vec![
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(9),
            Constraint::Fill(2),
        ];
        let cols = column_widths(top, &widths);
        let rows = lv.order[range]
            .iter()
            .filter_map(|&i| listing.archives.get(i))
            .map(|a| {
                Row::new(vec![
                    Cell::from(cut(&escape(&a.name), cols[0])),
                    Cell::from(cut(&escape(&short(a.source_arn.as_deref())), cols[1])),
                    Cell::from(escape(&dash(a.state.as_deref())).into_owned()),
                    Cell::from(dash(a.event_count)),
                    Cell::from(dash(a.size_bytes)),
                    Cell::from(match a.retention_days {
                        Some(0) | None => "forever".to_string(),
                        Some(d) => format!("{d}d"),
                    }),
                    Cell::from(first_line(
                        a.event_pattern.as_deref().unwrap_or("-"),
                        cols[6],
                    )),
                ])
            })
            .collect();
        table(
            state,
            frame,
            top,
            block,
            &[
                "name",
                "bus",
                "state",
                "events",
                "bytes",
                "retention",
                "pattern",
            ],
            widths,
            rows,
            selected,
            stale,
        );
        let replay_widths = vec![
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(8),
            Constraint::Length(42),
            Constraint::Fill(1),
        ];
        let rcols = column_widths(bottom, &replay_widths);
        let replays = listing
            .replays
            .iter()
            .map(|r| {
                let range = match (r.event_start_ms, r.event_end_ms) {
                    (Some(a), Some(b)) => {
                        format!("{}..{}", archives::rfc3339(a), archives::rfc3339(b))
                    }
                    _ => "-".to_string(),
                };
                Row::new(vec![
                    Cell::from(cut(&escape(&r.name), rcols[0])),
                    Cell::from(escape(&dash(r.state.as_deref())).into_owned()),
                    Cell::from(
                        r.progress()
                            .map(|p| format!("{:.0}%", p * 100.0))
                            .unwrap_or_else(|| "-".to_string()),
                    ),
                    Cell::from(range),
                    Cell::from(cut(
                        &escape(&short(r.destination.as_deref().or(r.source_arn.as_deref()))),
                        rcols[4],
                    )),
                ])
            })
            .collect();
        table(
            state,
            frame,
            bottom,
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" replays ({}) ", listing.replays.len())),
            &["replay", "state", "progress", "time range", "to / from"],
            replay_widths,
            replays,
            None,
            stale,
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        refresh(state)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let archives = &screen(state)?.listing.value.data()?.archives;
        archives.get(i).map(|a| a.name.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Replay => replay(state),
            _ => return None,
        })
    }

    fn list_rows(&self, _state: &AppState, body: Rect) -> usize {
        let [top, _] = archives_split(body);
        table_rows_in(top)
    }

    /// While a replay runs, its state and progress follow.
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        let running = screen(state).is_some_and(|a| {
            a.listing.due(now)
                && a.listing
                    .value
                    .data()
                    .is_some_and(|l| l.replays.iter().any(|r| r.is_active()))
        });
        if running { refresh(state) } else { Vec::new() }
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &screen(state)?.listing)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        screen(state)?.listing.value.error()
    }

    /// The time range `R` replays.
    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::ReplayRange {
            replay_range(state, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::domain::{Archive, Replay};
    use crate::ops::archives::Listing;
    use crate::tui::config::Config;
    use crate::tui::state::*;
    use crate::tui::update::update;

    const WALL: i64 = 1_714_564_800_000; // 2024-05-01T12:00:00Z

    fn keys(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                c => KeyCode::Char(c),
            };
            effects.extend(update(
                state,
                Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            ));
        }
        effects
    }

    /// `:archives` opened and answered with one archive on bus `orders`.
    fn opened(read_only: bool) -> (AppState, Instant) {
        let now = Instant::now();
        let context = Context {
            read_only,
            ..Context::default()
        };
        let (mut state, _) = AppState::new(Config::defaults(), context, now);
        let effects = keys(&mut state, ":archives\n");
        let [Effect::FetchArchives { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(state.top().scope().name(), "archives");
        let listing = Listing {
            archives: vec![Archive {
                name: "orders-archive".to_string(),
                arn: Some("arn:aws:events:us-east-1:1:archive/orders-archive".to_string()),
                source_arn: Some("arn:aws:events:us-east-1:1:event-bus/orders".to_string()),
                state: Some("ENABLED".to_string()),
                event_pattern: None,
                retention_days: Some(7),
                event_count: Some(3),
                size_bytes: Some(300),
            }],
            replays: Vec::new(),
        };
        update(
            &mut state,
            Msg::ArchivesLoaded {
                req: *req,
                at: now,
                wall_ms: WALL,
                result: Ok(listing),
            },
        );
        (state, now)
    }

    #[test]
    fn archives_open_list_and_a_replay_asks_then_starts() {
        let (mut state, now) = opened(false);
        assert_eq!(
            crate::tui::update::row_keys(&state),
            vec!["orders-archive".to_string()]
        );
        // R asks for the range; ten minutes later, the default: the last hour.
        state.now = now + Duration::from_secs(600);
        assert!(keys(&mut state, "R").is_empty());
        assert!(matches!(
            state.overlay,
            Overlay::Prompt {
                kind: PromptKind::ReplayRange,
                ..
            }
        ));
        assert!(keys(&mut state, "\n").is_empty());
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert_eq!(c.title, "replay archive orders-archive to bus orders?");
        assert!(
            c.lines[0].contains("2024-05-01T11:10:00Z to 2024-05-01T12:10:00Z"),
            "{:?}",
            c.lines
        );
        // Yes: the replay starts, with the plan the dialog stated.
        let effects = keys(&mut state, "y");
        let [Effect::StartReplay { plan, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(plan.archive, "orders-archive");
        assert_eq!(plan.bus(), "orders");
        assert_eq!(
            (plan.from_ms, plan.to_ms),
            (WALL - 3_000_000, WALL + 600_000)
        );
        // It is a task, followed in the view, and listed again when it ends.
        let Effect::StartReplay { req, plan } = effects[0].clone() else {
            unreachable!()
        };
        let id = OpId(req.0);
        assert_eq!(state.tasks.rows[&id].kind, TaskKind::Replay);
        let running = Replay {
            name: plan.name.clone(),
            state: Some("RUNNING".to_string()),
            event_start_ms: Some(0),
            event_end_ms: Some(100),
            last_replayed_ms: Some(50),
            ..Replay::default()
        };
        update(
            &mut state,
            Msg::Task {
                id,
                event: TaskEvent::Progress(TaskProgress::Replay(Box::new(running.clone()))),
            },
        );
        let Screen::Archives(a) = state.top() else {
            panic!()
        };
        assert_eq!(
            a.listing.value.data().unwrap().replays,
            vec![running.clone()]
        );
        assert_eq!(state.tasks.rows[&id].progress_text(), "RUNNING 50%");
        let completed = Replay {
            state: Some("COMPLETED".to_string()),
            ..running
        };
        let effects = update(
            &mut state,
            Msg::Task {
                id,
                event: TaskEvent::Done(Ok(TaskSummary::Replay(Box::new(completed)))),
            },
        );
        assert!(
            matches!(effects.as_slice(), [Effect::FetchArchives { .. }]),
            "{effects:?}"
        );
        assert!(state.tasks.running().next().is_none());
        assert!(state.flash.as_ref().unwrap().text.ends_with("COMPLETED"));
    }

    #[test]
    fn a_replay_is_refused_read_only_and_a_bad_range_is_said() {
        let (mut state, _) = opened(true);
        assert!(keys(&mut state, "R").is_empty());
        assert_eq!(state.overlay, Overlay::None);
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("read-only: replaying"))
        );
        let (mut state, _) = opened(false);
        keys(&mut state, "Ryesterday\n");
        assert_eq!(state.overlay, Overlay::None);
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.level == Level::Error && f.text.contains("RFC 3339")),
            "{:?}",
            state.flash
        );
        // No, at the confirmation: nothing starts.
        keys(&mut state, "R\n");
        assert!(keys(&mut state, "n").is_empty());
        assert_eq!(state.overlay, Overlay::None);
    }
}
