//! The queues view: every queue with its counts, Δ/min, trend and DLQ; its
//! refresh (the queue list, shared with the DLQ view: the first load reads
//! every queue, then ticks read within the API budget, the rows on screen
//! first — `poll`, with the scheduler in `state/budget.rs`) and its render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::domain::Queue;
use std::time::Instant;

// ------------------------------------------------------------------ rows

/// Column names of the queues view, in sort order.
pub const QUEUE_COLUMNS: &[&str] = &[
    "name",
    "type",
    "visible",
    "in flight",
    "delayed",
    "Δ/min",
    "dlq",
    "dlq depth",
];

/// Refreshes the queue list now (`r`, after an action; the DLQ view shows
/// the same list): before the first load, every queue; after it, the
/// listing and the rows on screen (the rest follow within the budget).
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    if state.queues.value.data().is_none() {
        return state.fetch_queues().into_iter().collect();
    }
    // The rows on screen are read right after the listing (with any new
    // queue), whatever their age.
    let visible = on_screen(state);
    state.poller.expire(&visible);
    let req = state.req();
    state.queues.restart(req);
    vec![Effect::ListQueueUrls { req }]
}

/// Rows the queue list shows when no frame has said how many.
const DEFAULT_ROWS: usize = 40;

/// The queues on screen: the rows the queues or DLQs list shows, and the
/// DLQs whose depth those rows show.
pub(crate) fn on_screen(state: &AppState) -> Vec<String> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let Some(lv) = state.top().list() else {
        return Vec::new();
    };
    if !matches!(state.top(), Screen::Queues(_) | Screen::Dlqs(_)) {
        return Vec::new();
    }
    let depth = state.stack.len();
    let scope = state.top().scope();
    let rows = state
        .viewport
        .filter(|v| v.depth == depth && v.scope == scope)
        .map_or(DEFAULT_ROWS, |v| v.list_rows);
    let start = lv.offset.min(lv.order.len());
    let end = (start + rows).min(lv.order.len());
    let mut out: Vec<String> = Vec::new();
    for &i in &lv.order[start..end] {
        let Some(q) = all.get(i) else { continue };
        out.push(q.url.clone());
        if let Some(d) = q
            .redrive_policy
            .as_ref()
            .and_then(|p| state.queue_by_name(p.dlq_name()))
        {
            out.push(d.url.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|u| seen.insert(u.clone()));
    out
}

/// The queue list's polling at a tick: the listing every few intervals,
/// and the attributes of the queues the budget picks (what is on screen
/// first), one read in flight at a time.
pub(crate) fn poll(state: &mut AppState, now: Instant) -> Vec<Effect> {
    if state.queues.value.data().is_none() {
        // Not loaded yet (or the first load failed): the full read again when due.
        if state.queues.due(now) {
            return state.fetch_queues().into_iter().collect();
        }
        return Vec::new();
    }
    if state.queues.due(now) {
        let req = state.req();
        if state.queues.begin(req) {
            return vec![Effect::ListQueueUrls { req }];
        }
    }
    let mut effects = Vec::new();
    // One read at a time: none while a listing or a full read is out.
    if state.queues.pending.is_none() {
        effects.extend(read_planned(state, now));
    }
    effects
}

/// The attributes of the queues the poller picks at `now`, unless a read
/// is in flight.
fn read_planned(state: &mut AppState, now: Instant) -> Vec<Effect> {
    if state.attrs_pending.is_some() {
        return Vec::new();
    }
    let visible = on_screen(state);
    let refs: Vec<&str> = visible.iter().map(String::as_str).collect();
    let every = state.config.refresh;
    let urls = state.poller.plan(now, every, &refs);
    if urls.is_empty() {
        return Vec::new();
    }
    let req = state.req();
    state.attrs_pending = Some(req);
    vec![Effect::FetchQueueAttrs { req, urls }]
}

/// The queue URLs answered: queues no longer listed leave the list, new
/// ones are read first (the poller's next picks).
pub(crate) fn urls_listed(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<String>, aws::Error>,
) -> Vec<Effect> {
    if state.queues.pending != Some(req) {
        return Vec::new();
    }
    let every = state.config.refresh;
    match result {
        Ok(urls) => {
            state.queues.pending = None;
            state.queues.failures = 0;
            state.queues.next_refresh = Some(at + every * LIST_EVERY_REFRESHES);
            let listed: std::collections::HashSet<&str> = urls.iter().map(String::as_str).collect();
            if let Some(qs) = state.queues.value.data_mut() {
                qs.retain(|q| listed.contains(q.url.as_str()));
            }
            state.poller.set_listing(urls);
            state.bump();
            state.index_queues();
            clear_refresh_failed(state);
            // New queues (and the rows `r` asked for) are read now.
            return read_planned(state, at);
        }
        Err(e) => {
            // The rows stay; the error and the backoff as for any list.
            state.answer(|s, _| Some(&mut s.queues), req, at, Err::<Vec<Queue>, _>(e));
            refresh_failed(state);
        }
    }
    Vec::new()
}

/// Queue attributes answered: each queue's row is replaced (a queue gone
/// leaves the list); a throttled read slows the poller down.
pub(crate) fn attrs_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    results: Vec<(String, Result<Queue, aws::Error>)>,
) -> Vec<Effect> {
    if state.attrs_pending != Some(req) {
        return Vec::new();
    }
    state.attrs_pending = None;
    let mut throttled = false;
    let mut failed: Option<(usize, String)> = None;
    let mut read = Vec::new();
    let mut gone = std::collections::HashSet::new();
    for (url, result) in results {
        match result {
            Ok(q) => read.push(q),
            Err(e) if e.is_not_found() => {
                gone.insert(url);
            }
            Err(e) => {
                throttled |= matches!(e, aws::Error::Throttled { .. });
                let f = failed.get_or_insert((0, e.to_string()));
                f.0 += 1;
            }
        }
    }
    if throttled {
        state.poller.throttled(at);
    } else {
        state.poller.answered();
    }
    if let Some(qs) = state.queues.value.data_mut() {
        qs.retain(|q| !gone.contains(&q.url));
        for q in &read {
            match qs.iter_mut().find(|x| x.url == q.url) {
                Some(slot) => *slot = q.clone(),
                None => qs.push(q.clone()),
            }
        }
        qs.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.url.cmp(&b.url)));
    }
    if let Loadable::Loaded { at: shown, .. } = &mut state.queues.value
        && !read.is_empty()
    {
        *shown = at;
    }
    for q in &read {
        let h = state.history.entry(q.url.clone()).or_default();
        h.push_back((at, q.counts.visible));
        while h.len() > HISTORY_LEN {
            h.pop_front();
        }
    }
    state.history.retain(|u, _| !gone.contains(u));
    state.bump();
    state.index_queues();
    match failed {
        Some((n, e)) => state.flash_of(
            FlashKind::RefreshFailed,
            Level::Warn,
            if throttled {
                format!(
                    "the backend throttles: {n} queue(s) not read; reads slow to {:.0}/s (r: now) — {e}",
                    state.poller.rate()
                )
            } else {
                format!("{n} queue(s) not read (they keep their last counts): {e}")
            },
        ),
        None => clear_refresh_failed(state),
    }
    Vec::new()
}

/// Says the queue list's refresh failed, with the backoff.
fn refresh_failed(state: &mut AppState) {
    let every = state.config.refresh;
    let wait = state.queues.backoff(every).as_secs();
    let n = state.queues.failures;
    state.flash_of(
        FlashKind::RefreshFailed,
        Level::Warn,
        format!("refresh failed {n}×, next in {wait}s (r: now)"),
    );
}

/// A refresh that succeeded clears the flash of one that failed.
fn clear_refresh_failed(state: &mut AppState) {
    if state
        .flash
        .as_ref()
        .is_some_and(|f| f.kind == FlashKind::RefreshFailed)
    {
        state.flash = None;
    }
}

/// The queues view.
pub struct Queues;

impl super::kind::View for Queues {
    fn columns(&self) -> &'static [&'static str] {
        QUEUE_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Queues(lv) = state.top() else {
            return Vec::new();
        };
        queue_order(state, lv)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Queues(lv) = state.top() else {
            return;
        };
        let all = state.queues.value.data().map(Vec::as_slice).unwrap_or(&[]);
        let stale = state.queues.value.error().is_some();
        let Some(block) = list_block(
            state,
            frame,
            area,
            "queues",
            &state.queues,
            lv,
            Some((QUEUE_COLUMNS[lv.sort], lv.reverse)),
        ) else {
            return;
        };
        let wide = area.width >= WIDE;
        // Only the rows in view: 10,000 queues cost what a screenful costs.
        let (range, selected) = visible(lv, table_rows_in(area));
        let shown: Vec<&Queue> = lv.order[range].iter().filter_map(|&i| all.get(i)).collect();
        let dlq_of = |q: &Queue| {
            q.redrive_policy
                .as_ref()
                .map(|p| escape(p.dlq_name()).into_owned())
                .unwrap_or_else(|| "-".to_string())
        };
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            // Names get their width before the sparkline: it shrinks first.
            let longest =
                |f: &dyn Fn(&Queue) -> usize| shown.iter().map(|q| f(q)).max().unwrap_or(0);
            let (name_w, spark_w) = name_and_spark(
                area,
                9,
                4 + 7 + 9 + 7 + 6 + 5,
                longest(&|q| escape(&q.name).chars().count()),
                longest(&|q| dlq_of(q).chars().count()),
                20,
                (2, 1),
            );
            (
                vec![
                    "name",
                    "type",
                    "visible",
                    "in flight",
                    "delayed",
                    "Δ/min",
                    "dlq",
                    "dlq#",
                    "trend",
                ],
                vec![
                    Constraint::Length(name_w),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(9),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Fill(1),
                    Constraint::Length(5),
                    Constraint::Length(spark_w),
                ],
            )
        } else {
            let (name_w, _) = name_and_spark(
                area,
                7,
                4 + 7 + 6 + 6 + 4,
                shown
                    .iter()
                    .map(|q| escape(&q.name).chars().count())
                    .max()
                    .unwrap_or(0),
                shown
                    .iter()
                    .map(|q| dlq_of(q).chars().count())
                    .max()
                    .unwrap_or(0),
                0,
                (3, 2),
            );
            (
                vec!["name", "type", "visible", "flight", "Δ/min", "dlq", "dlq#"],
                vec![
                    Constraint::Length(name_w),
                    Constraint::Length(4),
                    Constraint::Length(7),
                    Constraint::Length(6),
                    Constraint::Length(6),
                    Constraint::Fill(2),
                    Constraint::Length(4),
                ],
            )
        };
        let cols = column_widths(area, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let (dlq_col, spark_col) = if wide { (6, 8) } else { (5, 7) };
        let table_rows: Vec<Row> = shown
            .iter()
            .map(|q| {
                let depth = dlq_depth(state, q);
                let depth_cell = match depth {
                    Some(d) if d > 0 => {
                        Cell::from(d.to_string()).style(style(state, Meaning::Danger))
                    }
                    Some(d) => Cell::from(d.to_string()),
                    None => Cell::from(""),
                };
                let mut cells = vec![
                    Cell::from(cut(&escape(&q.name), col(0))),
                    Cell::from(if q.fifo { "fifo" } else { "std" }),
                    Cell::from(q.counts.visible.to_string()),
                    Cell::from(q.counts.in_flight.to_string()),
                ];
                if wide {
                    cells.push(Cell::from(q.counts.delayed.to_string()));
                }
                cells.push(Cell::from(rate(state, &q.url)));
                cells.push(Cell::from(cut(&dlq_of(q), col(dlq_col))));
                cells.push(depth_cell);
                if wide {
                    cells.push(Cell::from(spark(state, &q.url, col(spark_col))));
                }
                Row::new(cells)
            })
            .collect();
        table(
            state, frame, area, block, &header, widths, table_rows, selected, stale,
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        refresh(state)
    }

    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::queue::open_queue(state, key.to_string(), None)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        state.queues.value.data()?.get(i).map(|q| q.url.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Peek => super::queue::peek(state),
            Action::GoToDlq => super::queue::go_to_dlq(state),
            Action::Purge => ops_ui::purge(state),
            _ => return None,
        })
    }

    /// The listing and the queues the budget picks (see [`poll`]).
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        poll(state, now)
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        freshness(state, &state.queues)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        state.queues.value.error()
    }
}

/// The queue list answered (dropped when superseded; depth samples only for the answer taken).
pub(crate) fn queues_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Queue>, aws::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh;
    let fresh = result.is_ok();
    // A superseded answer is dropped before anything is sampled.
    let taken = state.answer(|s, _| Some(&mut s.queues), req, at, result);
    if taken && fresh {
        sample_depths(state, at);
        // Every queue was read: the poller starts from here, the listing
        // comes again in a few intervals.
        let urls = state
            .queues
            .value
            .data()
            .map(|qs| qs.iter().map(|q| q.url.clone()).collect())
            .unwrap_or_default();
        state.poller.read_all(urls, at);
        state.queues.next_refresh = Some(at + every * LIST_EVERY_REFRESHES);
    }
    if taken {
        state.index_queues();
    }
    if taken && state.queues.failures > 0 {
        refresh_failed(state);
    } else if state.queues.failures == 0 {
        clear_refresh_failed(state);
    }
    Vec::new()
}

/// Adds one depth sample per listed queue (the answer just taken), and
/// forgets the queues no longer listed.
pub(crate) fn sample_depths(state: &mut AppState, at: Instant) {
    let Some(queues) = state.queues.value.data() else {
        return;
    };
    let listed: std::collections::HashSet<&str> = queues.iter().map(|q| q.url.as_str()).collect();
    state.history.retain(|url, _| listed.contains(url.as_str()));
    for q in queues {
        let h = state.history.entry(q.url.clone()).or_default();
        h.push_back((at, q.counts.visible));
        while h.len() > HISTORY_LEN {
            h.pop_front();
        }
    }
}

/// The queues view's order: indices into the queue list, filtered and sorted.
pub(crate) fn queue_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut idx: Vec<usize> = (0..all.len())
        .filter(|&i| matches(&f, &all[i].name))
        .collect();
    // Costly keys once per item, not once per comparison.
    let rates: Vec<f64> = if lv.sort == 5 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let depths: Vec<Option<u64>> = if lv.sort == 7 {
        all.iter().map(|q| dlq_depth(state, q)).collect()
    } else {
        Vec::new()
    };
    pub(crate) fn dlq(q: &Queue) -> Option<&str> {
        q.redrive_policy.as_ref().map(|p| p.dlq_name())
    }
    idx.sort_by(|&a, &b| {
        let (qa, qb) = (&all[a], &all[b]);
        let o = match lv.sort {
            1 => qa.fifo.cmp(&qb.fifo),
            2 => qa.counts.visible.cmp(&qb.counts.visible),
            3 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            4 => qa.counts.delayed.cmp(&qb.counts.delayed),
            5 => rates[a].total_cmp(&rates[b]),
            6 => dlq(qa).cmp(&dlq(qb)),
            7 => depths[a].cmp(&depths[b]),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use std::collections::BTreeMap;
    use std::time::Duration;

    fn queue(name: &str, visible: u64) -> Queue {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "QueueArn".to_string(),
            format!("arn:aws:sqs:us-east-1:1:{name}"),
        );
        attrs.insert(
            "ApproximateNumberOfMessages".to_string(),
            visible.to_string(),
        );
        Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
    }

    /// `n` queues loaded at the returned instant, a 10-row screen.
    fn loaded(n: usize) -> (AppState, Instant) {
        let now = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let Some(Effect::FetchQueues { req }) = effects.last() else {
            panic!("{effects:?}")
        };
        let queues = (0..n).map(|i| queue(&format!("q{i:03}"), 1)).collect();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: now,
                result: Ok(queues),
            },
        );
        update(
            &mut state,
            Msg::LaidOut(Viewport {
                depth: 1,
                scope: crate::tui::scope::Scope::Queues,
                list_rows: 10,
            }),
        );
        (state, now)
    }

    fn attrs(effects: &[Effect]) -> (ReqId, Vec<String>) {
        match effects {
            [Effect::FetchQueueAttrs { req, urls }] => (*req, urls.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_tick_reads_the_rows_on_screen_not_every_queue() {
        let (mut state, t0) = loaded(500);
        // Read by the first load: nothing due a second later.
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: t0 + Duration::from_secs(1)
                }
            )
            .is_empty()
        );
        let t = t0 + state.config.refresh;
        let (req, urls) = attrs(&update(&mut state, Msg::Ticked { now: t }));
        let expected: Vec<String> = (0..10).map(|i| format!("http://x/1/q{i:03}")).collect();
        assert_eq!(urls, expected, "the 10 rows on screen, not the 500 queues");
        // One read at a time.
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: t + Duration::from_secs(1)
                }
            )
            .is_empty()
        );
        update(
            &mut state,
            Msg::QueueAttrsLoaded {
                req,
                at: t,
                results: vec![
                    ("http://x/1/q000".into(), Ok(queue("q000", 42))),
                    (
                        "http://x/1/q001".into(),
                        Err(aws::Error::NotFound {
                            kind: "queue",
                            name: "q001".into(),
                            endpoint: "x".into(),
                        }),
                    ),
                ],
            },
        );
        let qs = state.queues.value.data().unwrap();
        assert_eq!(qs.len(), 499, "a queue gone leaves the list");
        assert_eq!(qs[0].counts.visible, 42);
        assert_eq!(state.history["http://x/1/q000"].len(), 2);
    }

    #[test]
    fn the_listing_comes_every_few_intervals_and_new_queues_are_read_at_once() {
        let (mut state, t0) = loaded(3);
        let t = t0 + state.config.refresh * LIST_EVERY_REFRESHES;
        let effects = update(&mut state, Msg::Ticked { now: t });
        let [Effect::ListQueueUrls { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let effects = update(
            &mut state,
            Msg::QueueUrlsListed {
                req: *req,
                at: t,
                result: Ok(vec!["http://x/1/q000".into(), "http://x/1/new".into()]),
            },
        );
        assert_eq!(
            state.queues.value.data().unwrap().len(),
            1,
            "gone: q001, q002"
        );
        let (_, urls) = attrs(&effects);
        assert!(urls.contains(&"http://x/1/new".to_string()), "{urls:?}");
    }

    #[test]
    fn r_reads_the_listing_then_the_rows_on_screen_whatever_their_age() {
        let (mut state, t0) = loaded(100);
        let effects = update(
            &mut state,
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('r'),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
        let [Effect::ListQueueUrls { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let all: Vec<String> = (0..100).map(|i| format!("http://x/1/q{i:03}")).collect();
        let effects = update(
            &mut state,
            Msg::QueueUrlsListed {
                req: *req,
                at: t0,
                result: Ok(all.clone()),
            },
        );
        let (_, urls) = attrs(&effects);
        assert_eq!(urls, all[..10]);
    }

    #[test]
    fn a_throttled_read_slows_the_poller_and_says_so() {
        let (mut state, t0) = loaded(50);
        let t = t0 + state.config.refresh;
        let (req, urls) = attrs(&update(&mut state, Msg::Ticked { now: t }));
        let results = urls
            .into_iter()
            .map(|u| {
                (
                    u,
                    Err(aws::Error::Throttled {
                        action: "sqs:GetQueueAttributes".into(),
                    }),
                )
            })
            .collect();
        update(
            &mut state,
            Msg::QueueAttrsLoaded {
                req,
                at: t,
                results,
            },
        );
        assert_eq!(state.poller.rate(), REQUEST_BUDGET / 2.0);
        assert_eq!(state.queues.value.data().unwrap().len(), 50, "rows kept");
        let flash = state.flash.as_ref().unwrap();
        assert!(flash.text.contains("throttles"), "{}", flash.text);
        // Paused: the next tick reads nothing.
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: t + Duration::from_millis(500)
                }
            )
            .is_empty()
        );
    }
}

#[cfg(test)]
mod header_tests {
    use super::*;
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use std::time::Duration;

    #[test]
    fn the_header_shows_the_request_rate() {
        let t0 = Instant::now();
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), t0);
        update(
            &mut state,
            Msg::RequestsCounted {
                at: t0,
                total: 1000,
            },
        );
        update(
            &mut state,
            Msg::RequestsCounted {
                at: t0 + Duration::from_secs(4),
                total: 1050,
            },
        );
        let mut terminal = Terminal::new(TestBackend::new(120, 10)).unwrap();
        terminal
            .draw(|f| {
                crate::tui::view::render(&state, f);
            })
            .unwrap();
        let text = terminal.backend().to_string();
        assert!(text.contains("12.5 req/s"), "{text}");
    }
}

#[cfg(test)]
mod open_queue_tests {
    use super::*;
    use crate::tui::config::Config;
    use crate::tui::update::update;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;

    fn queue(name: &str, visible: u64) -> Queue {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "ApproximateNumberOfMessages".to_string(),
            visible.to_string(),
        );
        Queue::from_attributes(&format!("http://x/1/{name}"), attrs)
    }

    #[test]
    fn the_open_queues_read_is_its_rows_too() {
        let t0 = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), t0);
        let Some(Effect::FetchQueues { req }) = effects.last() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: t0,
                result: Ok(vec![queue("a", 1), queue("b", 2)]),
            },
        );
        let effects = update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
        );
        let [Effect::FetchQueue { req, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let at = t0 + state.config.refresh;
        update(
            &mut state,
            Msg::QueueLoaded {
                req: *req,
                at,
                result: Ok(queue("a", 7)),
            },
        );
        assert_eq!(
            state.queue_by_url("http://x/1/a").unwrap().counts.visible,
            7
        );
        // Back on the list: a was just read, only b is due.
        update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
        );
        let effects = update(&mut state, Msg::Ticked { now: at });
        let [Effect::FetchQueueAttrs { urls, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(urls, &["http://x/1/b".to_string()]);
    }
}
