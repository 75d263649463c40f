//! The redrive view: `R` on a DLQ or on marked messages asks where to (a
//! queue, a bus, the sources), confirms, then shows the progress and the
//! summary; `c` cancels after the batch in flight.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

use crate::domain::{Queue, queue_name};
use crate::tui::ops_ui::{confirm, current_queue, refused};

/// `R` on a DLQ (the whole of it) or on marked messages: asks where to
/// (the DLQ's source by default), then confirms with the count.
pub(crate) fn redrive(state: &mut AppState) -> Vec<Effect> {
    let Some((id, queue)) = current_queue(state) else {
        return Vec::new();
    };
    if refused(state, "a redrive") {
        return Vec::new();
    }
    let url = queue.as_ref().map(|q| q.url.clone()).unwrap_or(id.clone());
    let name = queue
        .as_ref()
        .map(|q| q.name.clone())
        .unwrap_or_else(|| queue_name(&id).to_string());
    let ids: Option<Vec<String>> = match state.top() {
        Screen::Queue(q) if !q.marked.is_empty() => Some(q.marked.iter().cloned().collect()),
        _ => None,
    };
    let count = match &ids {
        Some(ids) => Some(ids.len() as u64),
        None => queue.as_ref().map(|q| q.counts.visible),
    };
    let sources: Vec<String> = queue
        .as_ref()
        .map(|q| {
            state
                .dlq_source_indices(q)
                .into_iter()
                .filter_map(|i| state.queues.value.data()?.get(i).map(|s| s.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut offers = queue
        .as_ref()
        .map(|q| target_offers(state, q, ids.as_deref()))
        .unwrap_or_default();
    let sub_offers = queue
        .as_ref()
        .map(|q| subscription_offers(state, q))
        .unwrap_or_default();
    if !sub_offers.is_empty() {
        state.flash(
            Level::Info,
            format!(
                "an SNS subscription's DLQ: back through the topic (every subscription whose policy matches gets it again), or straight to the subscriber: {}",
                escape(&sub_offers.join(" · "))
            ),
        );
    }
    offers.extend(sub_offers);
    let default = match (sources.as_slice(), offers.first()) {
        ([one], _) => one.clone(),
        ([], Some(offer)) => offer.clone(),
        ([], None) => String::new(),
        _ if ids.is_none() => "sources".to_string(),
        ([first, ..], _) => first.clone(),
    };
    state.redrive_draft = Some(RedriveDraft {
        dlq_url: url,
        dlq_name: name,
        ids,
        count,
    });
    if sources.len() > 1 {
        state.flash(
            Level::Info,
            format!(
                "{} feeds this DLQ: {}",
                if sources.len() == 2 {
                    "two queues"
                } else {
                    "several queues"
                },
                escape(&sources.join(", "))
            ),
        );
    }
    if !offers.is_empty() && !offers[0].starts_with("topic ") {
        state.flash(
            Level::Info,
            format!(
                "an EventBridge target's DLQ: back onto the rule's bus, or to the original target: {}",
                escape(&offers.join(" · "))
            ),
        );
    }
    state.overlay = Overlay::Prompt {
        kind: PromptKind::RedriveTo,
        text: default,
    };
    Vec::new()
}

/// Where `R` can send the messages of an EventBridge target's DLQ, as the
/// prompt takes them: `bus B` for the bus of each rule (the messages'
/// `RULE_ARN`, else the rule the walk of the targets found), then the
/// original target (`TARGET_ARN`: `queue Q` or `bus B`; other kinds of
/// target cannot be sent to). From the peeked messages (only the marked ones
/// when `ids` is set) first, then from the walk. Empty for a queue that is
/// no target's DLQ.
pub(crate) fn target_offers(state: &AppState, q: &Queue, ids: Option<&[String]>) -> Vec<String> {
    let attr = |m: &'_ crate::domain::Message, k: &str| {
        m.message_attributes
            .get(k)
            .and_then(|a| a.string_value.clone())
            .filter(|v| !v.is_empty())
    };
    let mut rule_arns: Vec<Option<String>> = Vec::new();
    let mut target_arns: Vec<String> = Vec::new();
    if let Screen::Queue(qs) = state.top()
        && let Some(peek) = qs.peek.value.data()
    {
        for m in &peek.messages {
            if ids.is_some_and(|ids| !ids.contains(&m.message_id)) {
                continue;
            }
            if let Some(t) = attr(m, "TARGET_ARN") {
                rule_arns.push(attr(m, "RULE_ARN"));
                target_arns.push(t);
            }
        }
    }
    let mut buses: Vec<String> = rule_arns
        .into_iter()
        .flatten()
        .filter_map(|r| crate::domain::bus_of_rule_arn(&r))
        .collect();
    for t in state.target_dlqs_of(q) {
        buses.push(t.bus.clone());
        target_arns.push(t.target_arn.clone());
    }
    let mut offers: Vec<String> = Vec::new();
    let mut offer = |o: String| {
        if !offers.contains(&o) {
            offers.push(o);
        }
    };
    for b in buses {
        offer(format!("bus {b}"));
    }
    for t in target_arns {
        match crate::domain::Arn::parse(&t) {
            Some(a) if a.service == "sqs" => offer(format!("queue {}", a.resource)),
            Some(a) if a.service == "events" && a.resource.starts_with("event-bus/") => {
                offer(format!("bus {}", a.resource_name()))
            }
            _ => {}
        }
    }
    offers
}

/// Where `R` can send the messages of an SNS subscription's DLQ: `topic T`
/// (published again), then the subscriber itself when it is a queue.
pub(crate) fn subscription_offers(state: &AppState, q: &Queue) -> Vec<String> {
    let mut offers: Vec<String> = Vec::new();
    for s in state.subscription_dlqs_of(q) {
        let topic = format!("topic {}", crate::domain::topic_name_of(&s.topic_arn));
        if !offers.contains(&topic) {
            offers.push(topic);
        }
    }
    for s in state.subscription_dlqs_of(q) {
        if s.protocol == "sqs" {
            let queue = format!("queue {}", queue_name(&s.endpoint));
            if !offers.contains(&queue) {
                offers.push(queue);
            }
        }
    }
    offers
}

/// The destination prompt of `R` answered: `NAME` (a queue), `bus NAME`,
/// `topic NAME` (a subscription DLQ's messages published again, as they
/// were published), `sources` (each message to its own source; whole DLQ,
/// move task).
pub(crate) fn redrive_to(state: &mut AppState, text: &str) {
    let Some(draft) = state.redrive_draft.take() else {
        return;
    };
    let text = text.trim();
    let to = if text.is_empty() {
        state.flash(Level::Error, "no destination: nothing was moved");
        return;
    } else if text == "sources" {
        if draft.ids.is_some() {
            state.flash(
                Level::Error,
                "marked messages go to one queue or bus: give its name (`sources` is for the whole DLQ)",
            );
            return;
        }
        RedriveTo::Sources
    } else if let Some(bus) = text
        .strip_prefix("bus ")
        .or_else(|| text.strip_prefix("bus:"))
    {
        RedriveTo::Bus(bus.trim().to_string())
    } else if let Some(topic) = text
        .strip_prefix("topic ")
        .or_else(|| text.strip_prefix("topic:"))
    {
        RedriveTo::Topic(topic.trim().to_string())
    } else {
        RedriveTo::Queue(
            text.strip_prefix("queue ")
                .unwrap_or(text)
                .trim()
                .to_string(),
        )
    };
    let what = match (&draft.ids, draft.count) {
        (Some(ids), _) => format!("the {} marked message(s)", ids.len()),
        (None, Some(n)) => format!("all ~{n} messages"),
        (None, None) => "every message".to_string(),
    };
    let how = match (&draft.ids, &to) {
        (None, RedriveTo::Queue(_) | RedriveTo::Sources) => {
            "With the backend's move task where it has one, else client-side"
        }
        _ => "Client-side: each sent first, deleted from the DLQ only once acknowledged",
    };
    let mut lines = vec![
        format!(
            "Moves {what} of {} to {}.",
            escape(&draft.dlq_name),
            escape(&to.label())
        ),
        format!("{how}; a journal lets a re-run resume without sending twice."),
        "Progress shows next; c cancels (what is in flight finishes first).".to_string(),
    ];
    if matches!(to, RedriveTo::Topic(_)) {
        lines.insert(
            1,
            "Each is published again as it was published (an SNS envelope unwrapped): every subscription whose filter policy matches gets it, not only the one that failed.".to_string(),
        );
    }
    let typed = draft
        .count
        .is_none_or(|n| n > TYPED_ABOVE)
        .then(|| draft.dlq_name.clone());
    confirm(
        state,
        format!("redrive {}?", escape(&draft.dlq_name)),
        lines,
        typed,
        Pending::Redrive {
            draft: Box::new(draft),
            to,
        },
    );
}

/// The redrive screen of `req`.
pub(crate) fn redrive_mut(state: &mut AppState, req: ReqId) -> Option<&mut RedriveScreen> {
    state.stack.iter_mut().find_map(|s| match s {
        Screen::Redrive(r) if r.req == req => Some(&mut **r),
        _ => None,
    })
}

/// `c` on a running redrive.
pub(crate) fn cancel_redrive(state: &mut AppState) -> Vec<Effect> {
    let Screen::Redrive(r) = state.top_mut() else {
        return Vec::new();
    };
    if r.summary.is_some() || r.cancelling {
        return Vec::new();
    }
    r.cancelling = true;
    let id = OpId(r.req.0);
    if let Some(row) = state.tasks.rows.get_mut(&id) {
        row.cancelling = true;
    }
    vec![Effect::CancelTask { id }]
}

/// The redrive view.
pub struct RedriveView;

impl super::kind::View for RedriveView {
    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Redrive(r) = state.top() else {
            return;
        };
        let p = &r.progress;
        let total = p.approximate_total.or(r.planned);
        let done = p.moved + p.recovered;
        let status = match (&r.summary, r.cancelling) {
            (Some(Ok(s)), _) if s.cancelled => "cancelled".to_string(),
            (Some(Ok(_)), _) => "done".to_string(),
            (Some(Err(_)), _) => "failed".to_string(),
            (None, true) => "cancelling: finishing the batch in flight…".to_string(),
            (None, false) => format!("{:?}", p.phase).to_lowercase(),
        };
        let secs = p.elapsed_ms as f64 / 1000.0;
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        let lines = vec![
            kv(
                state,
                "redrive",
                format!("{} → {}", escape(&r.dlq), escape(&r.to)),
            ),
            kv(state, "status", status),
            kv(
                state,
                "moved",
                format!(
                    "{done}{} · {rate:.0} msg/s · {secs:.1} s",
                    total.map(|t| format!(" of ~{t}")).unwrap_or_default()
                ),
            ),
            kv(
                state,
                "seen",
                format!(
                    "{} · skipped {} · failed {} · recovered {} · held elsewhere {}",
                    p.seen, p.skipped, p.failed, p.recovered, p.in_flight_elsewhere
                ),
            ),
        ];
        let ratio = match total {
            Some(t) if t > 0 => (done as f64 / t as f64).min(1.0),
            _ if r.summary.is_some() => 1.0,
            _ => 0.0,
        };
        let [top, gauge, rest] = Layout::vertical([
            Constraint::Length(lines.len() as u16),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(lines), top);
        frame.render_widget(
            ratatui::widgets::Gauge::default()
                .gauge_style(style(state, Meaning::Accent))
                .ratio(ratio)
                .label(format!("{:.0}%", ratio * 100.0)),
            gauge,
        );
        if let Some(Ok(s)) = &r.summary {
            // The summary's text is terminal-safe (ops::redrive escapes it).
            let text: Vec<Line> = s
                .to_string()
                .lines()
                .map(|l| Line::from(l.to_string()))
                .collect();
            frame.render_widget(
                Paragraph::new(text)
                    .wrap(Wrap { trim: false })
                    .block(Block::default().borders(Borders::ALL).title(" summary ")),
                rest,
            );
        }
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Cancel => cancel_redrive(state),
            _ => return None,
        })
    }

    fn leave(&self, state: &mut AppState) -> bool {
        if let Screen::Redrive(r) = state.top()
            && r.summary.is_none()
        {
            state.flash(
                Level::Info,
                "the redrive runs: c cancels it (the batch in flight finishes first); esc leaves once it ends",
            );
            return false;
        }
        true
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        match state.top() {
            Screen::Redrive(r) => match &r.summary {
                Some(Err(e)) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A redrive's progress.
pub(crate) fn redrive_progress(
    state: &mut AppState,
    req: ReqId,
    progress: crate::ops::redrive::Progress,
) -> Vec<Effect> {
    if let Some(r) = redrive_mut(state, req) {
        r.progress = progress;
    }
    Vec::new()
}

/// A redrive ended.
pub(crate) fn redrive_done(
    state: &mut AppState,
    req: ReqId,
    result: Result<Box<crate::ops::redrive::Summary>, std::sync::Arc<crate::ops::Error>>,
) -> Vec<Effect> {
    let text = match &result {
        Ok(s) if s.cancelled => format!("redrive cancelled: {} moved", s.moved),
        Ok(s) if s.failed.is_empty() && s.error.is_none() => {
            format!("redrive done: {} moved", s.moved)
        }
        Ok(s) => format!(
            "redrive ended: {} moved, {} failed{}",
            s.moved,
            s.failed.len(),
            s.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        Err(e) => format!("redrive failed: {e}"),
    };
    let ok = matches!(&result, Ok(s) if s.failed.is_empty() && s.error.is_none());
    if let Some(r) = redrive_mut(state, req) {
        r.summary = Some(result.map(|b| *b).map_err(|e| e.to_string()));
    }
    state.flash(if ok { Level::Info } else { Level::Error }, text);
    Vec::new()
}
