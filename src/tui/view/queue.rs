//! The queue view: one queue's attributes and redrive policy above, the
//! peeked messages below. Opening it (from a list, a rule's target, `d`),
//! peeking (`p`, asking first when a receive can dead-letter; also from the
//! queue lists), going to the DLQ, refreshing its attributes, its own keys,
//! opening a message, and the render.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::domain::{Queue, queue_name};
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::keys;
use crate::tui::ops_ui;
use crate::tui::scope::Scope;
use crate::tui::state::*;

use super::widgets::*;
use crate::aws;
use crate::aws::sqs::Peek;
use crate::tui::inspect::Inspector;
use std::time::{Duration, Instant};

pub(crate) mod consumers;
mod peek_more;
pub(crate) use peek_more::peek_more;

pub(crate) fn queue_lines(
    state: &AppState,
    q: &Queue,
    min_left: Option<u32>,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        kv(state, "url", escape(&q.url).into_owned()),
        kv(
            state,
            "counts",
            format!(
                "visible {} · in flight {} · delayed {}",
                q.counts.visible, q.counts.in_flight, q.counts.delayed
            ),
        ),
        kv(
            state,
            "timing",
            format!(
                "visibility {} · delay {} · retention {}",
                secs(q.visibility_timeout_s),
                secs(q.delay_s),
                secs(q.retention_s)
            ),
        ),
    ];
    let attr = |k: &str| q.attributes.get(k).map(|v| escape(v).into_owned());
    if q.fifo {
        lines.push(kv(
            state,
            "fifo",
            format!(
                "content-based dedup {} · dedup scope {} · throughput {}",
                attr("ContentBasedDeduplication").unwrap_or_else(|| "false".into()),
                attr("DeduplicationScope").unwrap_or_else(|| "queue".into()),
                attr("FifoThroughputLimit").unwrap_or_else(|| "perQueue".into()),
            ),
        ));
    } else {
        lines.push(kv(state, "type", "standard".to_string()));
    }
    match &q.redrive_policy {
        Some(p) => {
            lines.push(kv(
                state,
                "redrive",
                format!(
                    "→ {} after {} receives",
                    escape(p.dlq_name()),
                    p.max_receive_count
                ),
            ));
            let headroom = match min_left {
                Some(l) => format!(
                    "a peek uses 1 of {} receives; fewest left among peeked: {l}",
                    p.max_receive_count
                ),
                None => format!(
                    "a peek uses 1 of {} receives per message",
                    p.max_receive_count
                ),
            };
            let m = if p.max_receive_count <= 2 || min_left.is_some_and(|l| l <= 1) {
                Meaning::Warn
            } else {
                Meaning::Normal
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<12}", "headroom"), style(state, Meaning::Muted)),
                Span::styled(headroom, style(state, m)),
            ]));
        }
        None => lines.push(kv(state, "redrive", "none (no DLQ)".to_string())),
    }
    if let Some(whose) = state.whose_dlq(q) {
        lines.push(kv(state, "role", escape(&whose).into_owned()));
    }
    if let Some(a) = &q.redrive_allow_policy {
        let sources: Vec<String> = a
            .source_queue_arns
            .iter()
            .map(|s| escape(queue_name(s)).into_owned())
            .collect();
        let text = if sources.is_empty() {
            escape(&a.permission).into_owned()
        } else {
            format!("{}: {}", escape(&a.permission), sources.join(", "))
        };
        lines.push(kv(state, "allow", text));
    }
    lines
}

/// The queue screen's top lines: the queue's settings, or why they are missing.
pub(crate) fn queue_top_lines(state: &AppState, s: &QueueScreen) -> Vec<Line<'static>> {
    let peek = s.peek.value.data();
    let min_left = peek.and_then(|p| p.messages.iter().filter_map(|m| m.receives_left).min());
    let mut lines = match s.queue.value.data() {
        Some(q) => queue_lines(state, q, min_left),
        None => vec![Line::from(Span::styled(
            match &s.queue.value {
                Loadable::Failed { error, .. } => format!("failed: {}", escape(error)),
                _ => "loading…".to_string(),
            },
            style(state, Meaning::Muted),
        ))],
    };
    lines.extend(consumers::lines(state, s));
    lines
}

/// Reads the open queue's attributes again (never its messages), unless a read is in flight.
fn fetch_queue(state: &mut AppState) -> Vec<Effect> {
    let req = state.req();
    if let Screen::Queue(q) = state.top_mut()
        && q.queue.begin(req)
    {
        return vec![Effect::FetchQueue {
            req,
            queue: q.id.clone(),
        }];
    }
    Vec::new()
}

/// Reads the open queue's consumers: now (`force`) or when due.
fn fetch_consumers(state: &mut AppState, force: bool) -> Vec<Effect> {
    let req = state.req();
    let now = state.now;
    let declared = state.config.consumers.clone();
    match state.top_mut() {
        Screen::Queue(q) => consumers::fetch(q, req, now, &declared, force)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The queue screen's areas: the queue, the messages.
pub(crate) fn queue_split(state: &AppState, s: &QueueScreen, area: Rect) -> [Rect; 2] {
    split_top(queue_top_lines(state, s).len(), area)
}

/// Opens a queue's detail; with `peek: Some(force)`, peeks it too.
pub(crate) fn open_queue(state: &mut AppState, id: String, peek: Option<bool>) -> Vec<Effect> {
    let req = state.req();
    let mut screen = QueueScreen::new(id.clone());
    screen.queue.begin(req);
    let mut effects = vec![Effect::FetchQueue {
        req,
        queue: id.clone(),
    }];
    if let Some(force) = peek {
        let preq = state.req();
        screen.peek.begin(preq);
        effects.push(Effect::Peek {
            req: preq,
            queue: id,
            max: state.config.peek_count,
            force,
            read_only: state.context.read_only,
        });
    }
    state.stack.push(Screen::Queue(Box::new(screen)));
    effects
}

/// The queue view.
pub struct QueueView;

impl super::kind::View for QueueView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Queue(q) = state.top() else {
            return Vec::new();
        };
        peek_more::message_order(q)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Queue(s) = state.top() else {
            return;
        };
        let name = s
            .queue
            .value
            .data()
            .map(|q| q.name.clone())
            .unwrap_or_else(|| queue_name(&s.id).to_string());
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" queue {} ", escape(&name)));
        let peek = s.peek.value.data();
        let lines = queue_top_lines(state, s);
        let [top, bottom] = split_top(lines.len(), area);
        frame.render_widget(Paragraph::new(lines).block(block), top);

        let title = match (peek, &s.peek.value) {
            (Some(p), _) => peek_more::messages_title(s, p, bottom.width),
            (None, Loadable::Loading { .. }) => " messages: peeking… ".to_string(),
            _ => " messages ".to_string(),
        };
        let mblock = Block::default().borders(Borders::ALL).title(title);
        let Some(p) = peek else {
            let text = match &s.peek.value {
                Loadable::Failed { error, .. } => Line::from(Span::styled(
                    format!("peek failed: {}", escape(error)),
                    style(state, Meaning::Danger),
                )),
                Loadable::Loading { .. } => {
                    Line::from(Span::styled("peeking…", style(state, Meaning::Muted)))
                }
                _ => Line::from(vec![
                    Span::raw("not fetched: press "),
                    Span::styled(
                        keys::chords(&state.config, Scope::Queue, Action::Peek)
                            .into_iter()
                            .next()
                            .unwrap_or_else(|| "peek".to_string()),
                        style(state, Meaning::Key),
                    ),
                    Span::raw(" to peek (safe: received once, released at once; never on a timer)"),
                ]),
            };
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(mblock),
                bottom,
            );
            return;
        };
        let inner = mblock.inner(bottom);
        frame.render_widget(mblock, bottom);
        let warn_h = (p.warnings.len() as u16).min(inner.height / 2);
        let [warn_area, table_area] =
            Layout::vertical([Constraint::Length(warn_h), Constraint::Min(0)]).areas(inner);
        let warnings: Vec<Line> = p
            .warnings
            .iter()
            .map(|w| {
                Line::from(Span::styled(
                    format!("⚠ {}", escape(w)),
                    style(state, Meaning::Warn),
                ))
            })
            .collect();
        frame.render_widget(Paragraph::new(warnings), warn_area);
        // Only the rows in view: 100,000 messages cost what a screenful costs.
        let (range, selected) = visible(&s.list, table_area.height.saturating_sub(1) as usize);
        let widths = vec![
            Constraint::Length(1),
            Constraint::Length(if table_area.width >= WIDE { 36 } else { 10 }),
            Constraint::Length(4),
            Constraint::Length(4),
            Constraint::Length(8),
            Constraint::Fill(1),
        ];
        let cols = columns_in(table_area.width, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let table_rows: Vec<Row> = s.list.order[range]
            .iter()
            .filter_map(|&i| p.messages.get(i))
            .map(|m| {
                let left = m
                    .receives_left
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "-".to_string());
                let left_cell = match m.receives_left {
                    Some(l) if l <= 1 => Cell::from(left).style(style(state, Meaning::Danger)),
                    _ => Cell::from(left),
                };
                let sent = m
                    .attributes
                    .get("SentTimestamp")
                    .and_then(|v| v.parse::<i64>().ok())
                    .map(crate::tui::inspect::hms)
                    .unwrap_or_default();
                let mark = if s.unsure.contains(&m.message_id) {
                    "?"
                } else if s.marked.contains(&m.message_id) {
                    "✓"
                } else {
                    " "
                };
                Row::new(vec![
                    Cell::from(mark).style(style(state, Meaning::Accent)),
                    Cell::from(cut(&escape(&m.message_id), col(1))),
                    Cell::from(m.receive_count.to_string()),
                    left_cell,
                    Cell::from(sent),
                    Cell::from(cut(
                        &p.summaries
                            .get(&m.message_id)
                            .cloned()
                            .unwrap_or_else(|| first_line(&m.body, peek_more::SUMMARY_CHARS)),
                        col(5),
                    )),
                ])
            })
            .collect();
        let t = Table::new(table_rows, widths)
            .header(
                Row::new(["", "ID", "RECV", "LEFT", "SENT", "BODY"])
                    .style(style(state, Meaning::Header).add_modifier(Modifier::BOLD)),
            )
            .row_highlight_style(style(state, Meaning::Selected))
            .highlight_symbol("▶ ")
            .highlight_spacing(ratatui::widgets::HighlightSpacing::Always);
        let mut ts = TableState::default().with_selected(selected);
        frame.render_stateful_widget(t, table_area, &mut ts);
    }

    /// Refreshes the open queue's attributes and its consumers (never its messages).
    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        let mut effects = fetch_queue(state);
        effects.extend(fetch_consumers(state, true));
        effects
    }

    /// Opens the peeked message `id` in the inspector.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        let id = key;
        let Screen::Queue(q) = state.top() else {
            return Vec::new();
        };
        let Some(msg) = q
            .peek
            .value
            .data()
            .and_then(|p| p.messages.iter().find(|m| m.message_id == id))
        else {
            return Vec::new();
        };
        let name = q
            .queue
            .value
            .data()
            .map(|q| q.name.clone())
            .unwrap_or_else(|| queue_name(&q.id).to_string());
        let source_max = msg
            .attributes
            .get("DeadLetterQueueSourceArn")
            .and_then(|arn| state.queue_by_name(queue_name(arn)))
            .and_then(|src| src.redrive_policy.as_ref())
            .map(|rp| rp.max_receive_count);
        let inspector = Inspector::new(&name, msg.clone())
            .with_source_max_receive(source_max)
            .with_dlq_sources(
                q.queue
                    .value
                    .data()
                    .map(|d| state.dlq_sources_with_max(d))
                    .unwrap_or_default(),
            );
        let queue = q.id.clone();
        state.stack.push(Screen::Message(Box::new(inspector)));
        super::message::why::start(state, &queue)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Queue(q) = state.top() else {
            return None;
        };
        let m = q.peek.value.data()?.messages.get(i)?;
        Some(m.message_id.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Peek => peek(state),
            Action::GoToDlq => go_to_dlq(state),
            Action::Mark => {
                ops_ui::toggle_mark(state);
                Vec::new()
            }
            Action::PeekMore => peek_more(state).unwrap_or_else(|| peek(state)),
            Action::Delete => ops_ui::delete(state),
            Action::Edit => super::editor::edit(state),
            Action::Purge => ops_ui::purge(state),
            Action::Workbench => super::workbench::open_workbench(state),
            Action::Redrive => super::redrive::redrive(state),
            _ => return None,
        })
    }

    fn list_rows(&self, state: &AppState, body: Rect) -> usize {
        let Screen::Queue(s) = state.top() else {
            return 0;
        };
        let [_, bottom] = queue_split(state, s, body);
        let inner = Block::default().borders(Borders::ALL).inner(bottom);
        let warnings = s.peek.value.data().map_or(0, |p| p.warnings.len());
        let warn_h = (warnings as u16).min(inner.height / 2);
        inner.height.saturating_sub(warn_h).saturating_sub(1) as usize
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        let mut effects = Vec::new();
        if matches!(state.top(), Screen::Queue(q) if q.queue.due(now)) {
            effects = fetch_queue(state);
        }
        // The consumers once the queue has been read, then on their interval.
        if matches!(state.top(), Screen::Queue(q) if q.queue.value.data().is_some()) {
            effects.extend(fetch_consumers(state, false));
        }
        effects
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Queue(q) = state.top() else {
            return None;
        };
        freshness(state, &q.queue)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Queue(q) = state.top() else {
            return None;
        };
        q.queue.value.error().or(q.peek.value.error())
    }

    /// Where `R` moves the messages.
    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::RedriveTo {
            super::redrive::redrive_to(state, text);
        }
    }
}

/// `p`: peeks the selected queue (or the one open), asking first when one
/// receive can move messages to the DLQ.
pub(crate) fn peek(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => {
            selected_key(state).and_then(|u| state.queue_by_url(&u).cloned())
        }
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => return Vec::new(),
    };
    // Read-only: no receive from a queue whose redrive policy can move what
    // it receives to the DLQ.
    if state.context.read_only
        && let Some(why) = queue
            .as_ref()
            .and_then(|q| aws::sqs::read_only_refusal(q, "peek"))
    {
        state.flash(Level::Error, why);
        return Vec::new();
    }
    // A peek is a receive: where one receive can dead-letter, ask first.
    if let Some(q) = &queue
        && let Some(rp) = &q.redrive_policy
        && rp.max_receive_count <= aws::sqs::UNSAFE_MAX_RECEIVE
    {
        let id = match state.top() {
            Screen::Queue(s) => s.id.clone(),
            _ => q.url.clone(),
        };
        state.overlay = Overlay::Confirm(Box::new(Confirm {
            title: format!("peek {}?", crate::text::escape(&q.name)),
            lines: vec![
                "On SQS a peek is a receive: it adds one to each message's receive count."
                    .to_string(),
                format!(
                    "This queue's maxReceiveCount is {}: after this peek, messages can move",
                    rp.max_receive_count
                ),
                format!(
                    "to the DLQ {} on their next receive (a consumer's or a peek's).",
                    crate::text::escape(rp.dlq_name())
                ),
            ],
            typed: None,
            input: String::new(),
            then: Pending::ForcedPeek { queue: id },
        }));
        return Vec::new();
    }
    peek_now(state, false)
}

/// Peeks the selected queue (or the one open) without asking.
pub(crate) fn peek_now(state: &mut AppState, force: bool) -> Vec<Effect> {
    match state.top() {
        Screen::Queues(_) | Screen::Dlqs(_) => match selected_key(state) {
            Some(url) => open_queue(state, url, Some(force)),
            None => Vec::new(),
        },
        Screen::Queue(_) => {
            let req = state.req();
            let max = state.config.peek_count;
            let read_only = state.context.read_only;
            if let Screen::Queue(q) = state.top_mut() {
                if q.peek.begin(req) {
                    return vec![Effect::Peek {
                        req,
                        queue: q.id.clone(),
                        max,
                        force,
                        read_only,
                    }];
                }
                state.flash(Level::Info, "a peek is already running");
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// `d`: opens the DLQ of the selected (or open) queue.
pub(crate) fn go_to_dlq(state: &mut AppState) -> Vec<Effect> {
    let queue: Option<Queue> = match state.top() {
        Screen::Queues(_) => selected_key(state).and_then(|u| state.queue_by_url(&u).cloned()),
        Screen::Queue(q) => q.queue.value.data().cloned(),
        _ => None,
    };
    match queue.and_then(|q| q.redrive_policy) {
        Some(p) => open_queue(state, p.dead_letter_target_arn, None),
        None => {
            state.flash(Level::Info, "this queue has no DLQ (no redrive policy)");
            Vec::new()
        }
    }
}

/// The open queue's attributes answered.
pub(crate) fn queue_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Queue, aws::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh;
    let fresh = result.as_ref().ok().cloned();
    let mut taken = false;
    for s in state.stack.iter_mut() {
        if let Screen::Queue(q) = s {
            taken = q.queue.finish(req, at, result, every);
            break;
        }
    }
    // The open queue's read is its row's too (the list shows it on return,
    // and the budget does not read it again).
    if let (true, Some(q)) = (taken, fresh) {
        state.row_read(at, q);
    }
    // The queue is there: its consumers are read at once (then on their interval).
    if taken && matches!(state.top(), Screen::Queue(_)) {
        return fetch_consumers(state, false);
    }
    Vec::new()
}

/// A peek answered.
pub(crate) fn peeked(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    wall_ms: i64,
    result: Result<Peek, aws::Error>,
) -> Vec<Effect> {
    // The receive moved messages to the DLQ: say so where it is seen first.
    if let Ok(Some(d)) = result.as_ref().map(|p| &p.dead_lettered) {
        state.flash(Level::Warn, d.to_string());
    }
    let result = result.map(|p| PeekView {
        approx_total: p.queue.counts.visible + p.queue.counts.in_flight,
        summaries: peek_more::summaries(&p.messages),
        messages: p.messages,
        warnings: p.warnings,
        wall_ms,
    });
    for s in state.stack.iter_mut() {
        if let Screen::Queue(q) = s
            && q.peek.pending == Some(req)
        {
            q.peek.finish(req, at, result, Duration::ZERO);
            q.peek.next_refresh = None;
            // New receipt handles: what a delete left unsure is seen anew.
            q.unsure.clear();
            break;
        }
    }
    state.generation += 1;
    Vec::new()
}
