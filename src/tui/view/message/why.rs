//! "Why it failed" in the message view (issue 14): read when the view
//! opens (an effect: `ops::why` follows the message to its source queue's
//! consumers and their log lines), shown above the document as "looking…",
//! then the one-sentence summary and the evidence lines (time, stream,
//! request id, text; all escaped), or the error. `L` opens the log view of
//! the first evidence line's log group at its time.

use std::time::Instant;

use ratatui::text::{Line, Span};

use crate::ops;
use crate::ops::time::When;
use crate::ops::why::{Evidence, Why};
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::inspect::{Inspector, WhyState};
use crate::tui::state::*;
use crate::tui::view::widgets::*;

/// Evidence lines the panel shows at most (the rest: "+N more").
pub(crate) const SHOWN: usize = 8;

/// Starts "why it failed" for the message view on top, whose message was
/// peeked from `queue` (name, URL or ARN).
pub(crate) fn start(state: &mut AppState, queue: &str) -> Vec<Effect> {
    let req = state.req();
    let declared = state.config.consumers.clone();
    let Screen::Message(i) = state.top_mut() else {
        return Vec::new();
    };
    i.why = WhyState::Looking { req: req.0 };
    vec![Effect::Lambda(LambdaEffect::Why {
        req,
        queue: queue.to_string(),
        message: Box::new(i.message.clone()),
        declared,
    })]
}

/// "Why it failed" answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    _at: Instant,
    result: Result<Why, ops::Error>,
) -> Vec<Effect> {
    let slot = state.stack.iter_mut().find_map(|s| match s {
        Screen::Message(i) if matches!(i.why, WhyState::Looking { req: r } if r == req.0) => {
            Some(&mut i.why)
        }
        _ => None,
    });
    if let Some(slot) = slot {
        *slot = match result {
            Ok(w) => WhyState::Found(Box::new(w)),
            Err(e) => WhyState::Failed(e.to_string()),
        };
        state.bump();
    }
    Vec::new()
}

/// `HH:MM:SS.mmm` of an evidence line (its RFC 3339 time in UTC).
fn clock(e: &Evidence) -> &str {
    e.timestamp.get(11..23).unwrap_or(&e.timestamp)
}

/// One evidence line: time, stream, request id, text (escaped, first
/// line), cut to `width` columns.
pub(crate) fn evidence_line(e: &Evidence, width: usize) -> String {
    let stream = e
        .stream
        .as_deref()
        .map(|s| cut(&escape(s), 24))
        .unwrap_or_else(|| "-".to_string());
    let rid = e
        .request_id
        .as_deref()
        .map(|r| escape(&r.chars().take(8).collect::<String>()).into_owned())
        .unwrap_or_else(|| "-".to_string());
    let head = format!("{}  {stream}  {rid}  ", escape(clock(e)));
    let room = width.saturating_sub(head.chars().count()).max(10);
    format!("{head}{}", first_line(&e.message, room))
}

/// The panel's lines at `width` columns (inside its borders).
pub(crate) fn lines(state: &AppState, i: &Inspector, width: usize) -> Vec<Line<'static>> {
    match &i.why {
        WhyState::Found(w) => {
            let mut out = vec![Line::from(Span::styled(
                escape(&w.summary).into_owned(),
                style(state, Meaning::Title),
            ))];
            for e in w.evidence.iter().take(SHOWN) {
                let m = if e.kind.is_failure() {
                    Meaning::Danger
                } else if e.names_message {
                    Meaning::Accent
                } else {
                    Meaning::Normal
                };
                out.push(Line::from(Span::styled(
                    evidence_line(e, width),
                    style(state, m),
                )));
            }
            if w.evidence.len() > SHOWN {
                out.push(Line::from(Span::styled(
                    format!("+{} more evidence lines", w.evidence.len() - SHOWN),
                    style(state, Meaning::Muted),
                )));
            }
            if w.evidence.is_empty() {
                for n in w.searched.notes.iter().take(2) {
                    out.push(Line::from(Span::styled(
                        escape(n).into_owned(),
                        style(state, Meaning::Muted),
                    )));
                }
                let searched = if w.searched.log_groups.is_empty() {
                    "no log group was searched".to_string()
                } else {
                    format!("searched {}", escape(&w.searched.log_groups.join(", ")))
                };
                out.push(Line::from(Span::styled(
                    searched,
                    style(state, Meaning::Muted),
                )));
            }
            out
        }
        WhyState::Failed(error) => vec![Line::from(Span::styled(
            format!("could not be found out: {}", escape(error)),
            style(state, Meaning::Danger),
        ))],
        WhyState::Looking { .. } => vec![Line::from(Span::styled(
            "looking… (the consumers' log lines around the message's receives)",
            style(state, Meaning::Muted),
        ))],
        WhyState::Idle => Vec::new(),
    }
}

/// The rows the panel takes (with its borders) in a body of `width` ×
/// `height`: 0 when there is nothing to show, at most half the body.
pub(crate) fn panel_height(state: &AppState, i: &Inspector, width: u16, height: u16) -> u16 {
    let inner = (width as usize).saturating_sub(2).max(1);
    let lines = lines(state, i, inner);
    if lines.is_empty() {
        return 0;
    }
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    (rows as u16 + 2).min(height / 2).max(3.min(height))
}

/// `L`: the log view of the first evidence line's log group, from just
/// before its time.
pub(crate) fn open_log(state: &mut AppState) -> Vec<Effect> {
    let Screen::Message(i) = state.top() else {
        return Vec::new();
    };
    let first = match &i.why {
        WhyState::Found(w) => w
            .evidence
            .first()
            .map(|e| (e.log_group.clone(), e.timestamp_ms)),
        _ => None,
    };
    let text = match (&i.why, first) {
        (_, Some((group, ms))) => {
            return super::super::log::open_at(
                state,
                group,
                Some(When::At(ms.saturating_sub(1000))),
            );
        }
        (WhyState::Looking { .. }, None) => "still looking for the evidence: try again in a moment",
        _ => "no evidence line to open: nothing found in the consumers' logs for this message",
    };
    state.flash(Level::Info, text.to_string());
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crate::domain::{Message, Queue};
    use crate::ops::why::lines::LineKind;
    use crate::ops::why::{Evidence, Searched, Why};
    use crate::tui::config::Config;
    use crate::tui::inspect::WhyState;
    use crate::tui::state::*;
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

    /// A queue view of `warehouse-dlq` with one peeked message, then enter:
    /// the message view, and the request "why it failed" was asked with.
    fn opened() -> (AppState, ReqId) {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let q = Queue::from_attributes(
            "http://x/1/warehouse-dlq",
            [(
                "QueueArn".to_string(),
                "arn:aws:sqs:us-east-1:1:warehouse-dlq".to_string(),
            )]
            .into(),
        );
        let message = Message {
            message_id: "m-1".into(),
            receipt_handle: None,
            body: r#"{"sku":"GC-DIGITAL-50"}"#.into(),
            md5_of_body: None,
            receive_count: 3,
            receives_left: None,
            attributes: Default::default(),
            message_attributes: Default::default(),
        };
        let mut screen = QueueScreen::new(q.url.clone());
        screen.queue.value = Loadable::Loaded {
            data: q,
            at: state.now,
        };
        screen.peek.value = Loadable::Loaded {
            data: PeekView {
                summaries: Default::default(),
                messages: vec![message],
                warnings: Vec::new(),
                approx_total: 1,
                wall_ms: 0,
            },
            at: state.now,
        };
        state.stack.push(Screen::Queue(Box::new(screen)));
        update(
            &mut state,
            Msg::Resized {
                width: 100,
                height: 30,
            },
        );
        let effects = update(&mut state, code(KeyCode::Enter));
        let [
            Effect::Lambda(LambdaEffect::Why {
                req,
                queue,
                message,
                ..
            }),
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(queue, "http://x/1/warehouse-dlq");
        assert_eq!(message.message_id, "m-1");
        (state, *req)
    }

    fn why() -> Why {
        let ev = |ms: i64, text: &str, kind: LineKind| Evidence {
            log_group: "/aws/lambda/warehouse".into(),
            stream: Some("2026/12/06/[$LATEST]abc\u{1b}[31m".into()),
            timestamp_ms: ms,
            timestamp: crate::ops::time::rfc3339(ms),
            request_id: Some("8476a536-e9f4-11e8-9739-2dfe598c3fcd".into()),
            message: text.into(),
            kind,
            names_message: true,
        };
        Why {
            message_id: "m-1".into(),
            summary: "warehouse failed on it 3 times: no stock record for SKU GC-DIGITAL-50."
                .into(),
            evidence: vec![
                ev(
                    1_765_000_000_000,
                    "processing m-1 sku GC-DIGITAL-50",
                    LineKind::Other,
                ),
                ev(
                    1_765_000_000_120,
                    "[ERROR] no stock record for SKU GC-DIGITAL-50 \u{1b}[2J\u{7}",
                    LineKind::Error,
                ),
            ],
            searched: Searched::default(),
        }
    }

    /// The view opens at once with "looking…" (the screen never waits),
    /// then shows the sentence and the evidence lines, escaped.
    #[test]
    fn the_message_view_says_looking_then_why_it_failed() {
        let (mut state, req) = opened();
        let text = screen(&state, 100, 30);
        assert!(text.contains("why it failed"), "{text}");
        assert!(text.contains("looking…"), "{text}");
        // An answer to another request changes nothing.
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::WhyLoaded {
                req: ReqId(req.0 + 100),
                at: Instant::now(),
                result: Ok(why()),
            }),
        );
        assert!(screen(&state, 100, 30).contains("looking…"));
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::WhyLoaded {
                req,
                at: Instant::now(),
                result: Ok(why()),
            }),
        );
        let text = screen(&state, 100, 30);
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        insta::assert_snapshot!("message_why_100x30", text);
    }

    /// A failed lookup is shown as such, above the message.
    #[test]
    fn a_failed_lookup_is_shown_as_an_error() {
        let (mut state, req) = opened();
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::WhyLoaded {
                req,
                at: Instant::now(),
                result: Err(crate::ops::Error::Invalid(
                    "the queue could not be read: access denied".into(),
                )),
            }),
        );
        let text = screen(&state, 100, 30);
        assert!(
            text.contains("could not be found out: the queue could not be read: access denied"),
            "{text}"
        );
        assert!(
            text.contains("GC-DIGITAL-50"),
            "the message is still shown: {text}"
        );
    }

    /// `L` opens the log view of the first evidence line's group from just
    /// before its time; before the answer it says it is still looking.
    #[test]
    fn l_opens_the_log_view_at_the_evidence() {
        let (mut state, req) = opened();
        assert!(update(&mut state, key('L')).is_empty());
        assert!(matches!(state.top(), Screen::Message(_)));
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("still looking")),
            "{:?}",
            state.flash
        );
        update(
            &mut state,
            Msg::Lambda(LambdaMsg::WhyLoaded {
                req,
                at: Instant::now(),
                result: Ok(why()),
            }),
        );
        let effects = update(&mut state, key('L'));
        let Screen::Log(l) = state.top() else {
            panic!("{:?}", state.top().scope())
        };
        assert_eq!(l.group, "/aws/lambda/warehouse");
        assert_eq!(
            l.since,
            Some(crate::ops::time::When::At(1_765_000_000_000 - 1000))
        );
        assert!(
            effects.iter().any(
                |e| matches!(e, Effect::OpenLog { group, .. } if group == "/aws/lambda/warehouse")
            ),
            "{effects:?}"
        );
        // Back: the message with its answer is still there.
        update(&mut state, code(KeyCode::Esc));
        assert!(matches!(state.top(), Screen::Message(i) if matches!(i.why, WhyState::Found(_))));
    }
}
