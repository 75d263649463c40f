//! "Which subscriptions would it reach" in the message view (issue 15):
//! `n` asks for a topic (the one an SNS envelope names, else the topic
//! open below, else typed), then reads its subscriptions and evaluates
//! each filter policy on what was published (`ops::sns::reach`: the
//! envelope's message and attributes, or the body and the SQS attributes
//! of a raw delivery). Shown above the document: reached or missed, with
//! the failing keys of each policy and the notes (pending, no policy).

use ratatui::text::{Line, Span};

use crate::domain::topic_name_of;
use crate::ops;
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::inspect::{Inspector, ReachState};
use crate::tui::state::*;
use crate::tui::view::widgets::*;

/// `n`: asks which topic, with the one the message names (or the topic
/// open below) filled in.
pub(crate) fn ask(state: &mut AppState) -> Vec<Effect> {
    let Screen::Message(i) = state.top() else {
        return Vec::new();
    };
    let named = ops::sns::envelope::unwrap(&i.message.body).map(|e| e.topic_arn);
    let below = state.stack.iter().rev().find_map(|s| match s {
        Screen::Topic(t) => Some(t.arn.clone()),
        _ => None,
    });
    let text = named
        .or(below)
        .map(|a| topic_name_of(&a).to_string())
        .unwrap_or_default();
    state.overlay = Overlay::Prompt {
        kind: PromptKind::ReachTopic,
        text,
    };
    Vec::new()
}

/// The topic answered: read its subscriptions and evaluate them.
pub(crate) fn start(state: &mut AppState, topic: &str) -> Vec<Effect> {
    let topic = topic.trim();
    if topic.is_empty() {
        return Vec::new();
    }
    let req = state.req();
    let Screen::Message(i) = state.top_mut() else {
        return Vec::new();
    };
    let message = ops::sns::envelope::published_of(&i.message);
    i.reach = ReachState::Looking {
        req: req.0,
        topic: topic.to_string(),
    };
    vec![Effect::Sns(SnsEffect::Reach {
        req,
        topic: topic.to_string(),
        message: Box::new(message),
    })]
}

/// The subscriptions' verdicts answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    result: Result<Vec<ops::sns::Reach>, ops::Error>,
) -> Vec<Effect> {
    for s in state.stack.iter_mut() {
        if let Screen::Message(i) = s
            && let ReachState::Looking { req: r, topic } = &i.reach
            && *r == req.0
        {
            let topic = topic.clone();
            i.reach = match result {
                Ok(reaches) => ReachState::Found { topic, reaches },
                Err(e) => ReachState::Failed {
                    topic,
                    error: e.to_string(),
                },
            };
            state.bump();
            break;
        }
    }
    Vec::new()
}

/// The panel's title.
pub(crate) fn title(i: &Inspector) -> String {
    match &i.reach {
        ReachState::Idle => String::new(),
        ReachState::Looking { topic, .. }
        | ReachState::Found { topic, .. }
        | ReachState::Failed { topic, .. } => format!(
            " which subscriptions of {} it reaches ",
            escape(topic_name_of(topic))
        ),
    }
}

/// The panel's lines (escaped), empty when not asked.
pub(crate) fn lines(state: &AppState, i: &Inspector) -> Vec<Line<'static>> {
    let line = |m: Meaning, t: String| Line::from(Span::styled(t, style(state, m)));
    match &i.reach {
        ReachState::Idle => Vec::new(),
        ReachState::Looking { topic, .. } => vec![line(
            Meaning::Muted,
            format!(
                "reading the subscriptions of {}…",
                escape(topic_name_of(topic))
            ),
        )],
        ReachState::Failed { error, .. } => vec![line(
            Meaning::Danger,
            format!("cannot tell: {}", escape(error)),
        )],
        ReachState::Found { reaches, .. } if reaches.is_empty() => vec![line(
            Meaning::Warn,
            "the topic has no subscriptions: nobody gets it".to_string(),
        )],
        ReachState::Found { reaches, .. } => {
            let mut out = Vec::new();
            for r in reaches {
                let who = escape(&format!(
                    "{} {}",
                    r.protocol,
                    crate::domain::short_arn(&r.endpoint)
                ))
                .into_owned();
                let (m, word) = if r.delivered {
                    (Meaning::Ok, "REACH")
                } else {
                    (Meaning::Danger, "miss ")
                };
                let note = r
                    .note
                    .as_deref()
                    .map(|n| format!(": {}", escape(n)))
                    .unwrap_or_default();
                out.push(line(m, format!("{word} {who}{note}")));
                if let Some(x) = &r.explanation {
                    for k in x.keys.iter().filter(|k| r.delivered || !k.matched) {
                        let (m, w) = if k.matched {
                            (Meaning::Muted, "pass")
                        } else {
                            (Meaning::Danger, "FAIL")
                        };
                        out.push(line(
                            m,
                            format!("      {w}  {}: {}", escape(&k.key), escape(&k.reason)),
                        ));
                    }
                }
            }
            out
        }
    }
}

/// Rows the panel takes in `width` × `height` (0 when not asked).
pub(crate) fn panel_height(state: &AppState, i: &Inspector, width: u16, height: u16) -> u16 {
    let inner = (width as usize).saturating_sub(2).max(1);
    let lines = lines(state, i);
    if lines.is_empty() {
        return 0;
    }
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    (rows as u16 + 2).min(height / 2).max(3.min(height))
}
