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
