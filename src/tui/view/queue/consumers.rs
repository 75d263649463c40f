//! The queue view's consumer panel (issue 14): each event source mapping on
//! the queue (function, state, batch size, batching window,
//! `ReportBatchItemFailures`, maximum concurrency, last result; the
//! function's runtime, timeout and log group), the consumers declared in
//! the config, and the warnings where AWS's guidance is broken. A backend
//! without a Lambda API says so in one line; the rest of the view works.
//! Read when the queue is first read, then every [`CONSUMERS_EVERY`] and on `r`.

use std::time::Instant;

use ratatui::text::{Line, Span};

use crate::domain::function_name_of;
use crate::ops;
use crate::ops::consumers::{LambdaStatus, MappingConsumer, QueueConsumers};
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::state::*;
use crate::tui::view::widgets::*;

/// The fetch of the consumers of the queue screen `s` when due (or `force`d).
pub(crate) fn fetch(
    s: &mut QueueScreen,
    req: ReqId,
    now: Instant,
    declared: &ops::consumers::Declared,
    force: bool,
) -> Option<Effect> {
    if force {
        s.consumers.restart(req);
    } else if !s.consumers.due(now) || !s.consumers.begin(req) {
        return None;
    }
    Some(Effect::Lambda(LambdaEffect::Consumers {
        req,
        queue: s.id.clone(),
        declared: declared.clone(),
    }))
}

/// The consumers of a queue answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<QueueConsumers, ops::Error>,
) -> Vec<Effect> {
    let live = state.stack.iter_mut().find_map(|s| match s {
        Screen::Queue(q) if q.consumers.pending == Some(req) => Some(&mut q.consumers),
        _ => None,
    });
    if let Some(live) = live {
        live.finish(req, at, result, CONSUMERS_EVERY);
        state.bump();
    }
    Vec::new()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

fn mapping_lines(state: &AppState, m: &MappingConsumer) -> Vec<Line<'static>> {
    let map = &m.mapping;
    let name = m
        .function
        .as_ref()
        .map_or_else(|| map.function_name().to_string(), |f| f.name.clone());
    let mapping_state = map.state.as_deref().unwrap_or("?");
    let state_meaning = match mapping_state {
        "Enabled" => Meaning::Ok,
        "Disabled" | "Disabling" => Meaning::Warn,
        _ => Meaning::Normal,
    };
    let mut first = vec![
        Span::styled("λ ", style(state, Meaning::Accent)),
        Span::styled(escape(&name).into_owned(), style(state, Meaning::Title)),
        Span::raw(" · "),
        Span::styled(
            escape(mapping_state).into_owned(),
            style(state, state_meaning),
        ),
    ];
    if let Some(r) = &map.last_processing_result {
        let m = if r.contains("FAIL") || r.contains("Fail") || r.contains("PROBLEM") {
            Meaning::Danger
        } else {
            Meaning::Normal
        };
        first.push(Span::raw(" · last result "));
        first.push(Span::styled(escape(r).into_owned(), style(state, m)));
    }
    let settings = Line::from(Span::raw(format!(
        "  batch {} · window {} · {} · max concurrency {}",
        opt(map.batch_size),
        secs(map.batching_window_s),
        if map.report_batch_item_failures {
            "ReportBatchItemFailures"
        } else {
            "whole-batch failures"
        },
        opt(map.max_concurrency),
    )));
    let mut lines = vec![Line::from(first), settings];
    match (&m.function, &m.function_error) {
        (Some(f), _) => lines.push(Line::from(Span::styled(
            format!(
                "  {} · timeout {} · memory {} · logs {}",
                escape(f.runtime.as_deref().unwrap_or("container image")),
                secs(f.timeout_s),
                f.memory_mb
                    .map_or_else(|| "-".to_string(), |m| format!("{m} MB")),
                escape(&f.log_group)
            ),
            style(state, Meaning::Muted),
        ))),
        (None, Some(e)) => lines.push(Line::from(Span::styled(
            format!(
                "  function {} could not be read: {}",
                escape(function_name_of(&map.function_arn)),
                escape(e)
            ),
            style(state, Meaning::Danger),
        ))),
        (None, None) => {}
    }
    if let Some(reason) = &map.state_reason {
        lines.push(Line::from(Span::styled(
            format!("  {}", escape(reason)),
            style(state, Meaning::Muted),
        )));
    }
    lines
}

/// The panel's lines (under the queue's attributes).
pub(crate) fn lines(state: &AppState, s: &QueueScreen) -> Vec<Line<'static>> {
    let label = |t: &str| Span::styled(format!("{t:<11} "), style(state, Meaning::Muted));
    let Some(c) = s.consumers.value.data() else {
        let (text, m) = match &s.consumers.value {
            Loadable::Failed { error, .. } => (
                format!("could not be read: {}", escape(error)),
                Meaning::Danger,
            ),
            Loadable::Loading { .. } => ("reading…".to_string(), Meaning::Muted),
            _ => return Vec::new(),
        };
        return vec![Line::from(vec![
            label("consumers"),
            Span::styled(text, style(state, m)),
        ])];
    };
    let mut lines = Vec::new();
    for m in &c.mappings {
        lines.extend(mapping_lines(state, m));
    }
    for d in &c.declared {
        lines.push(Line::from(vec![
            Span::styled("● ", style(state, Meaning::Accent)),
            Span::styled(escape(&d.name).into_owned(), style(state, Meaning::Title)),
            Span::raw(format!(
                " · declared in the config · logs {}",
                escape(&d.log_groups.join(", "))
            )),
        ]));
    }
    // A DLQ that nothing reads is as it should be: say where its failures are.
    let is_dlq = s
        .queue
        .value
        .data()
        .is_some_and(|q| state.whose_dlq(q).is_some());
    match &c.lambda {
        LambdaStatus::Available if lines.is_empty() && is_dlq => {
            lines.push(Line::from(Span::styled(
                "none (a DLQ): open a message to see why it failed",
                style(state, Meaning::Muted),
            )))
        }
        LambdaStatus::Available if lines.is_empty() => lines.push(Line::from(Span::styled(
            "none: no event source mapping, nothing declared in the config's [consumers]",
            style(state, Meaning::Muted),
        ))),
        LambdaStatus::Available => {}
        other => lines.push(Line::from(Span::styled(
            escape(other.note().unwrap_or_default()).into_owned(),
            style(
                state,
                if matches!(other, LambdaStatus::NoApi { .. }) {
                    Meaning::Muted
                } else {
                    Meaning::Danger
                },
            ),
        ))),
    }
    for w in &c.warnings {
        lines.push(Line::from(Span::styled(
            format!("⚠ {}", escape(&w.message)),
            style(state, Meaning::Warn),
        )));
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, l) in lines.into_iter().enumerate() {
        let mut spans = vec![if i == 0 {
            label("consumers")
        } else {
            Span::raw(" ".repeat(12))
        }];
        spans.extend(l.spans);
        out.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crate::domain::{EventSourceMapping, Function};
    use crate::ops::consumers::{
        Declared, DeclaredConsumer, LambdaStatus, MappingConsumer, QueueConsumers, Warning,
        WarningKind,
    };
    use crate::tui::config::Config;
    use crate::tui::state::*;
    use crate::tui::testing::{key, queue};
    use crate::tui::update::update;

    /// The screen as text at `w`×`h`.
    fn screen(state: &AppState, w: u16, h: u16) -> String {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| {
            crate::tui::view::render(state, f);
        })
        .unwrap();
        t.backend().to_string()
    }

    /// The queue view of `orders` opened and its attributes answered; the
    /// config declares a consumer of `orders`. Returns the consumers' request.
    fn opened() -> (AppState, ReqId) {
        let mut config = Config::defaults();
        config.consumers = Declared {
            consumers: vec![DeclaredConsumer {
                queue: "orders".into(),
                name: "shipping-service".into(),
                log_groups: vec!["/ecs/shipping".into()],
                timeout_s: None,
            }],
        };
        let (mut state, _) = AppState::new(config, Context::default(), Instant::now());
        let effects = crate::tui::view::queue::open_queue(&mut state, "orders".into(), None);
        let [Effect::FetchQueue { req, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let effects = update(
            &mut state,
            Msg::QueueLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(queue("orders", 3, Some("orders-dlq"))),
            },
        );
        // The queue is read: its consumers are asked for at once, with the
        // consumers the config declares.
        let [
            Effect::Lambda(LambdaEffect::Consumers {
                req,
                queue,
                declared,
            }),
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(queue, "orders");
        assert_eq!(declared.consumers.len(), 1);
        (state, *req)
    }

    fn consumers(lambda: LambdaStatus, with_mapping: bool) -> QueueConsumers {
        let mapping = MappingConsumer {
            mapping: EventSourceMapping {
                uuid: "u-1".into(),
                source_arn: "arn:aws:sqs:us-east-1:1:orders".into(),
                function_arn: "arn:aws:lambda:us-east-1:1:function:warehouse".into(),
                state: Some("Enabled".into()),
                batch_size: Some(10),
                batching_window_s: Some(0),
                report_batch_item_failures: true,
                max_concurrency: Some(5),
                last_processing_result: Some("PROBLEM: Function call failed".into()),
                ..Default::default()
            },
            function: Some(Function {
                name: "warehouse".into(),
                runtime: Some("python3.12".into()),
                timeout_s: Some(30),
                memory_mb: Some(128),
                log_group: "/aws/lambda/warehouse\u{1b}[2J".into(),
                ..Default::default()
            }),
            function_error: None,
        };
        QueueConsumers {
            queue: queue("orders", 3, Some("orders-dlq")),
            lambda,
            mappings: if with_mapping { vec![mapping] } else { vec![] },
            declared: vec![DeclaredConsumer {
                queue: "orders".into(),
                name: "shipping-service".into(),
                log_groups: vec!["/ecs/shipping".into()],
                timeout_s: None,
            }],
            warnings: vec![Warning {
                kind: WarningKind::MaxReceiveCount,
                message: "maxReceiveCount 3 is under 5: a throttled function dead-letters messages; set it to 5 or more".into(),
            }],
        }
    }

    /// The panel: "reading…" first, then each mapping with its function,
    /// the declared consumer and the warning, escaped.
    #[test]
    fn the_panel_shows_mappings_declared_consumers_and_warnings() {
        let (mut state, req) = opened();
        assert!(screen(&state, 120, 30).contains("consumers   reading…"));
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::ConsumersLoaded {
                req,
                at: Instant::now(),
                result: Ok(consumers(LambdaStatus::Available, true)),
            }),
        );
        let text = screen(&state, 120, 30);
        assert!(!text.contains('\u{1b}'), "{text}");
        insta::assert_snapshot!("queue_consumers_120x30", text);
    }

    /// No Lambda API: one line says so; the queue's attributes, the
    /// declared consumer and the warnings are all still there.
    #[test]
    fn without_a_lambda_api_the_panel_says_so_and_the_rest_works() {
        let (mut state, req) = opened();
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::ConsumersLoaded {
                req,
                at: Instant::now(),
                result: Ok(consumers(
                    LambdaStatus::NoApi {
                        message: "this backend has no Lambda API (http://127.0.0.1:4566)".into(),
                    },
                    false,
                )),
            }),
        );
        let text = screen(&state, 120, 30);
        assert!(text.contains("this backend has no Lambda API"), "{text}");
        assert!(text.contains("shipping-service"), "{text}");
        assert!(text.contains("maxReceiveCount 3 is under 5"), "{text}");
        assert!(text.contains("http://x/1/orders"), "{text}");
        assert!(text.contains("not fetched: press p"), "{text}");
    }

    /// `r` reads the consumers again even with a read in flight; an answer
    /// to the superseded read is dropped.
    #[test]
    fn r_reads_the_consumers_again_and_a_stale_answer_is_dropped() {
        let (mut state, old) = opened();
        let effects = update(&mut state, key('r'));
        let new = effects
            .iter()
            .find_map(|e| match e {
                Effect::Lambda(LambdaEffect::Consumers { req, .. }) => Some(*req),
                _ => None,
            })
            .expect("r asks for the consumers");
        assert_ne!(new, old);
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::ConsumersLoaded {
                req: old,
                at: Instant::now(),
                result: Ok(consumers(LambdaStatus::Available, true)),
            }),
        );
        assert!(!screen(&state, 120, 30).contains("warehouse"));
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::ConsumersLoaded {
                req: new,
                at: Instant::now(),
                result: Ok(consumers(LambdaStatus::Available, true)),
            }),
        );
        assert!(screen(&state, 120, 30).contains("λ warehouse · Enabled"));
    }
}
