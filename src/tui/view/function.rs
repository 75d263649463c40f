//! One Lambda function (enter in `:functions`, on a rule's Lambda target):
//! its configuration and asynchronous settings (retries, maximum event
//! age, destinations, dead-letter queue) and triggers above, its event
//! source mappings (the list: enter opens the queue), and its recent
//! invocations with their errors, read from the last hour of its log group
//! ([`invocations`]). `L` opens the log group.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::aws;
use crate::domain::{LogEvent, queue_name};
use crate::ops;
use crate::ops::consumers::FunctionDetail;
use crate::ops::why::lines::{LineKind, attribute};
use crate::ops::why::summary::error_text;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

/// The function view.
pub struct FunctionView;

/// Opens the function `name` (name or ARN) and reads it.
pub(crate) fn open(state: &mut AppState, name: String) -> Vec<Effect> {
    state
        .stack
        .push(Screen::Function(Box::new(FunctionScreen::new(name))));
    fetch(state)
}

/// Reads the function on top again (superseding a read in flight).
fn fetch(state: &mut AppState) -> Vec<Effect> {
    let req = state.req();
    let Screen::Function(f) = state.top_mut() else {
        return Vec::new();
    };
    f.detail.restart(req);
    vec![Effect::Lambda(LambdaEffect::Function {
        req,
        name: f.name.clone(),
    })]
}

/// One invocation seen in a log group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub request_id: Option<String>,
    /// Its first line's time, ms since the epoch.
    pub at_ms: i64,
    /// The first error (or timeout) line's text.
    pub error: Option<String>,
    /// Its `END` or `REPORT` line was seen.
    pub ended: bool,
}

/// The invocations in `events` (oldest first), newest first: one per
/// request id (from `START`, an error line, `END`/`REPORT`), with its first
/// error; error lines of no invocation are one each.
pub fn invocations(events: &[LogEvent]) -> Vec<Invocation> {
    let mut out: Vec<Invocation> = Vec::new();
    for line in attribute(events) {
        let found = line
            .request_id
            .as_ref()
            .and_then(|id| out.iter().position(|i| i.request_id.as_ref() == Some(id)));
        let interesting = line.kind.is_failure()
            || matches!(
                line.kind,
                LineKind::Start | LineKind::End | LineKind::Report
            );
        if !interesting {
            continue;
        }
        let idx = match found {
            Some(i) => i,
            None => {
                out.push(Invocation {
                    request_id: line.request_id.clone(),
                    at_ms: line.event.timestamp_ms,
                    error: None,
                    ended: false,
                });
                out.len() - 1
            }
        };
        let inv = &mut out[idx];
        if line.kind.is_failure() && inv.error.is_none() {
            inv.error = Some(error_text(&line.event.message));
        }
        if matches!(line.kind, LineKind::End | LineKind::Report) {
            inv.ended = true;
        }
    }
    out.reverse();
    out
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// The configuration, asynchronous settings and triggers.
fn detail_lines(state: &AppState, d: &FunctionDetail) -> Vec<Line<'static>> {
    let f = &d.function;
    let e = |s: &str| escape(s).into_owned();
    let mut lines = vec![
        kv(state, "arn", e(&f.arn)),
        kv(
            state,
            "runtime",
            format!(
                "{} · handler {} · memory {} · timeout {} · state {}",
                e(f.runtime.as_deref().unwrap_or("container image")),
                e(f.handler.as_deref().unwrap_or("-")),
                f.memory_mb.map_or("-".to_string(), |m| format!("{m} MB")),
                secs(f.timeout_s),
                e(f.state.as_deref().unwrap_or("-")),
            ),
        ),
        kv(
            state,
            "logs",
            format!(
                "{}{}",
                e(&f.log_group),
                f.log_format
                    .as_deref()
                    .map(|x| format!(" ({} format)", e(x)))
                    .unwrap_or_default()
            ),
        ),
        kv(
            state,
            "async",
            match &d.async_config {
                Some(a) => format!(
                    "retries {} · max event age {} · on success {} · on failure {}",
                    a.max_retries
                        .map_or_else(|| "2 (default)".to_string(), |n| n.to_string()),
                    a.max_event_age_s
                        .map_or_else(|| "6h (default)".to_string(), |s| secs(Some(s))),
                    e(a.on_success.as_deref().unwrap_or("-")),
                    e(a.on_failure.as_deref().unwrap_or("-")),
                ),
                None => "Lambda's defaults: 2 retries, 6 h maximum event age, no destinations"
                    .to_string(),
            },
        ),
        kv(
            state,
            "dlq",
            e(f.dead_letter_arn.as_deref().unwrap_or("none")),
        ),
        kv(
            state,
            "modified",
            e(f.last_modified.as_deref().unwrap_or("-")),
        ),
        kv(
            state,
            "triggers",
            if d.triggers.is_empty() {
                "none".to_string()
            } else {
                e(&d.triggers
                    .iter()
                    .map(|t| t.label())
                    .collect::<Vec<_>>()
                    .join(", "))
            },
        ),
    ];
    for n in &d.notes {
        lines.push(Line::from(Span::styled(e(n), style(state, Meaning::Warn))));
    }
    lines
}

/// The recent invocations' lines.
fn recent_lines(state: &AppState, s: &FunctionScreen, width: usize) -> Vec<Line<'static>> {
    let Some(events) = s.recent.value.data() else {
        let (text, m) = match &s.recent.value {
            Loadable::Failed { error, .. } => (
                format!("the log group could not be read: {}", escape(error)),
                Meaning::Danger,
            ),
            Loadable::Loading { .. } => ("reading the last hour…".to_string(), Meaning::Muted),
            _ => (String::new(), Meaning::Muted),
        };
        return vec![Line::from(Span::styled(text, style(state, m)))];
    };
    let invs = invocations(events);
    if invs.is_empty() {
        return vec![Line::from(Span::styled(
            "no invocation in the last hour",
            style(state, Meaning::Muted),
        ))];
    }
    invs.iter()
        .map(|i| {
            let time = crate::ops::time::rfc3339(i.at_ms);
            let head = format!(
                "{}  {}  ",
                time.get(11..19).unwrap_or(&time),
                escape(
                    &i.request_id
                        .as_deref()
                        .map(|r| r.chars().take(8).collect::<String>())
                        .unwrap_or_else(|| "-".to_string())
                )
            );
            let room = width.saturating_sub(head.chars().count()).max(10);
            let (text, m) = match (&i.error, i.ended) {
                (Some(e), _) => (format!("failed: {e}"), Meaning::Danger),
                (None, true) => ("ok".to_string(), Meaning::Ok),
                (None, false) => (
                    "running (or its END is not read yet)".to_string(),
                    Meaning::Muted,
                ),
            };
            Line::from(vec![
                Span::raw(head),
                Span::styled(first_line(&text, room), style(state, m)),
            ])
        })
        .collect()
}

/// The mappings' rows: (uuid, queue, state, batch, window, partial, last result).
fn mapping_rows(s: &FunctionScreen) -> &[crate::domain::EventSourceMapping] {
    s.detail
        .value
        .data()
        .map_or(&[][..], |d| d.mappings.as_slice())
}

impl super::kind::View for FunctionView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Function(f) = state.top() else {
            return Vec::new();
        };
        name_order(Some(mapping_rows(f)), &f.list, |m| &m.source_arn, false)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Function(s) = state.top() else {
            return;
        };
        let title = format!(
            " function {} ",
            escape(crate::domain::function_name_of(&s.name))
        );
        let Some(d) = s.detail.value.data() else {
            let block = Block::default().borders(Borders::ALL).title(title);
            placeholder(state, frame, area, block, &s.detail);
            return;
        };
        let top_lines = detail_lines(state, d);
        let [top, rest] = split_top(top_lines.len(), area);
        frame.render_widget(
            Paragraph::new(top_lines).block(Block::default().borders(Borders::ALL).title(title)),
            top,
        );
        let maps_h = (d.mappings.len() as u16 + 3).min(rest.height / 2).max(3);
        let [maps, recent] =
            Layout::vertical([Constraint::Length(maps_h), Constraint::Min(0)]).areas(rest);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" event source mappings ({}) ", d.mappings.len()));
        let (range, selected) = visible(&s.list, table_rows_in(maps));
        let widths = vec![
            Constraint::Fill(2),
            Constraint::Length(10),
            Constraint::Length(6),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Fill(1),
        ];
        let cols = column_widths(maps, &widths);
        let all = mapping_rows(s);
        let rows = s.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|m| {
                Row::new(vec![
                    Cell::from(cut(&escape(queue_name(&m.source_arn)), cols[0])),
                    Cell::from(escape(m.state.as_deref().unwrap_or("-")).into_owned()),
                    Cell::from(opt(m.batch_size)),
                    Cell::from(secs(m.batching_window_s)),
                    Cell::from(if m.report_batch_item_failures {
                        "yes"
                    } else {
                        "no"
                    }),
                    Cell::from(cut(
                        &escape(m.last_processing_result.as_deref().unwrap_or("-")),
                        cols[5],
                    )),
                ])
            })
            .collect();
        table(
            state,
            frame,
            maps,
            block,
            &[
                "queue",
                "state",
                "batch",
                "window",
                "partial",
                "last result",
            ],
            widths,
            rows,
            selected,
            s.detail.value.error().is_some(),
        );
        let width = recent.width.saturating_sub(2) as usize;
        frame.render_widget(
            Paragraph::new(recent_lines(state, s, width)).block(
                Block::default().borders(Borders::ALL).title(format!(
                    " recent invocations · {} ",
                    escape(&d.function.log_group)
                )),
            ),
            recent,
        );
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        fetch(state)
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        match state.top() {
            Screen::Function(f) if f.detail.due(now) => fetch(state),
            _ => Vec::new(),
        }
    }

    /// Opens the mapping's queue.
    fn open(&self, state: &mut AppState, key: &str) -> Vec<Effect> {
        super::queue::open_queue(state, key.to_string(), None)
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Function(f) = state.top() else {
            return None;
        };
        mapping_rows(f).get(i).map(|m| m.source_arn.as_str())
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::Logs => {
                let Screen::Function(f) = state.top() else {
                    return Some(Vec::new());
                };
                let Some(group) = f.detail.value.data().map(|d| d.function.log_group.clone())
                else {
                    state.flash(Level::Info, "the function is not read yet".to_string());
                    return Some(Vec::new());
                };
                Some(super::log::open(state, group))
            }
            _ => None,
        }
    }

    fn list_rows(&self, state: &AppState, body: Rect) -> usize {
        let Screen::Function(s) = state.top() else {
            return 0;
        };
        let Some(d) = s.detail.value.data() else {
            return 0;
        };
        let [_, rest] = split_top(detail_lines(state, d).len(), body);
        let maps_h = (d.mappings.len() as u16 + 3).min(rest.height / 2).max(3);
        maps_h.saturating_sub(3) as usize
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Function(f) = state.top() else {
            return None;
        };
        freshness(state, &f.detail)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Function(f) = state.top() else {
            return None;
        };
        f.detail.value.error().or(f.recent.value.error())
    }
}

/// The function answered: its log group's last hour is read next.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<FunctionDetail, ops::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh.max(CONSUMERS_EVERY);
    let rreq = state.req();
    let mut effects = Vec::new();
    for s in state.stack.iter_mut() {
        if let Screen::Function(f) = s
            && f.detail.pending == Some(req)
        {
            f.detail.finish(req, at, result, every);
            if let Some(d) = f.detail.value.data() {
                let group = d.function.log_group.clone();
                f.recent.restart(rreq);
                effects.push(Effect::Lambda(LambdaEffect::Recent { req: rreq, group }));
            }
            break;
        }
    }
    state.bump();
    effects
}

/// The recent events of a function's log group answered.
pub(crate) fn recent_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<LogEvent>, aws::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh.max(CONSUMERS_EVERY);
    for s in state.stack.iter_mut() {
        if let Screen::Function(f) = s
            && f.recent.pending == Some(req)
        {
            f.recent.finish(req, at, result, every);
            break;
        }
    }
    state.bump();
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
    const B: &str = "9476a536-e9f4-11e8-9739-2dfe598c3fcd";

    fn ev(ms: i64, text: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ms,
            message: text.to_string(),
            stream: Some("2024/05/01/[$LATEST]abc".into()),
            event_id: None,
        }
    }

    /// One invocation per request id, newest first; the error of an
    /// invocation is its first error line (a Python `[ERROR]` that names no
    /// request id belongs to the invocation it falls in).
    #[test]
    fn invocations_group_by_request_id_with_their_first_error() {
        let events = vec![
            ev(1, &format!("START RequestId: {A} Version: $LATEST")),
            ev(2, &format!("END RequestId: {A}")),
            ev(3, &format!("REPORT RequestId: {A}\tDuration: 1 ms")),
            ev(4, &format!("START RequestId: {B} Version: $LATEST")),
            ev(5, "[ERROR] KeyError: 'GC-DIGITAL-50'"),
            ev(6, &format!("END RequestId: {B}")),
        ];
        let got = invocations(&events);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].request_id.as_deref(), Some(B));
        assert_eq!(got[0].at_ms, 4);
        assert!(got[0].ended);
        let err = got[0].error.as_deref().unwrap_or_default();
        assert!(err.contains("GC-DIGITAL-50"), "{err}");
        assert_eq!(got[1].request_id.as_deref(), Some(A));
        assert_eq!(got[1].error, None);
        assert!(got[1].ended);
    }

    use crate::domain::{AsyncConfig, EventSourceMapping, Function};
    use crate::ops::consumers::{FunctionSummary, Functions, LambdaStatus, Trigger};
    use crate::tui::config::Config;
    use crate::tui::testing::{code, key};
    use crate::tui::update::update;
    use crossterm::event::KeyCode;

    fn screen(state: &AppState, w: u16, h: u16) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            crate::tui::view::render(state, f);
        })
        .unwrap();
        t.backend().to_string()
    }

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(update(state, key(c)));
        }
        effects.extend(update(state, code(KeyCode::Enter)));
        effects
    }

    fn warehouse() -> Function {
        Function {
            name: "warehouse".into(),
            arn: "arn:aws:lambda:us-east-1:1:function:warehouse".into(),
            runtime: Some("python3.12".into()),
            handler: Some("app.handler".into()),
            memory_mb: Some(128),
            timeout_s: Some(30),
            last_modified: Some("2026-12-06T10:00:00.000+0000".into()),
            log_group: "/aws/lambda/warehouse".into(),
            ..Default::default()
        }
    }

    /// `:lambda` lists the functions with their triggers; enter opens one,
    /// whose log group's last hour is read once it is; the view shows its
    /// configuration, mappings and invocations with their errors; `L` opens
    /// the log group and enter on a mapping its queue.
    #[test]
    fn functions_list_then_a_function_with_its_invocations() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        update(
            &mut state,
            Msg::Resized {
                width: 100,
                height: 30,
            },
        );
        let effects = typed(&mut state, ":lambda");
        let [Effect::Lambda(LambdaEffect::Functions { req })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert!(screen(&state, 100, 30).contains("loading…"));
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::FunctionsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(Functions {
                    lambda: LambdaStatus::Available,
                    functions: vec![FunctionSummary {
                        function: warehouse(),
                        triggers: vec![Trigger::Queue {
                            queue: "warehouse".into(),
                            arn: "arn:aws:sqs:us-east-1:1:warehouse".into(),
                            mapping_uuid: "u-1".into(),
                            state: Some("Enabled".into()),
                        }],
                    }],
                    notes: vec!["the EventBridge rules could not be read: denied".into()],
                }),
            }),
        );
        insta::assert_snapshot!("functions_100x30", screen(&state, 100, 30));

        let effects = update(&mut state, code(KeyCode::Enter));
        let [Effect::Lambda(LambdaEffect::Function { req, name })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(name, "warehouse");
        let effects = update(
            &mut state,
            Msg::Lambda(LambdaMsg::FunctionLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(FunctionDetail {
                    function: warehouse(),
                    async_config: Some(AsyncConfig {
                        max_retries: Some(0),
                        ..Default::default()
                    }),
                    mappings: vec![EventSourceMapping {
                        uuid: "u-1".into(),
                        source_arn: "arn:aws:sqs:us-east-1:1:warehouse".into(),
                        function_arn: warehouse().arn,
                        state: Some("Enabled".into()),
                        batch_size: Some(10),
                        batching_window_s: Some(0),
                        report_batch_item_failures: true,
                        last_processing_result: Some("OK".into()),
                        ..Default::default()
                    }],
                    triggers: Vec::new(),
                    notes: Vec::new(),
                }),
            }),
        );
        let [Effect::Lambda(LambdaEffect::Recent { req, group })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(group, "/aws/lambda/warehouse");
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::RecentLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(vec![
                    ev(
                        1_765_000_000_000,
                        &format!("START RequestId: {A} Version: $LATEST"),
                    ),
                    ev(
                        1_765_000_000_100,
                        "[ERROR] no stock record for SKU GC-DIGITAL-50\u{1b}[2J",
                    ),
                    ev(1_765_000_000_200, &format!("END RequestId: {A}")),
                ]),
            }),
        );
        let text = screen(&state, 100, 30);
        assert!(!text.contains('\u{1b}'), "{text}");
        insta::assert_snapshot!("function_100x30", text);

        let effects = update(&mut state, key('L'));
        assert!(
            matches!(state.top(), Screen::Log(l) if l.group == "/aws/lambda/warehouse"),
            "{effects:?}"
        );
        update(&mut state, code(KeyCode::Esc));
        assert!(matches!(state.top(), Screen::Function(_)));
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue == "arn:aws:sqs:us-east-1:1:warehouse"),
            "{effects:?}"
        );
    }

    /// A backend without a Lambda API: the list says so instead of failing.
    #[test]
    fn functions_on_a_backend_without_lambda_say_so() {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let effects = typed(&mut state, ":functions");
        let [Effect::Lambda(LambdaEffect::Functions { req })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::FunctionsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(Functions {
                    lambda: LambdaStatus::NoApi {
                        message: "this backend has no Lambda API (http://127.0.0.1:5000)".into(),
                    },
                    functions: Vec::new(),
                    notes: Vec::new(),
                }),
            }),
        );
        let text = screen(&state, 100, 20);
        assert!(text.contains("this backend has no Lambda API"), "{text}");
        assert!(text.contains("functions (0)"), "{text}");
    }
}
