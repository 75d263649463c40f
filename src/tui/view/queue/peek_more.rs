//! Browsing a DLQ beyond one peek: "peek more" (a bigger sample, up to
//! `peek_max`, each a safe peek), the `/` filter across the peeked messages
//! (id, body, attributes), the BODY column's summary of an EventBridge event
//! (`detail-type` and the start of `detail`), and the oldest message of the
//! sample. Kept apart from `queue.rs` (the view itself) so that file stays
//! about the view.

use std::collections::HashMap;

use crate::aws;
use crate::domain::Message;
use crate::text::escape;
use crate::tui::state::*;

/// Characters of a body the BODY column keeps.
pub(crate) const SUMMARY_CHARS: usize = 200;

/// Bodies longer than this are not parsed for a summary (their first line shows).
const SUMMARY_PARSE_MAX: usize = 256 * 1024;

/// `n`: peeks again for `peek_count` more messages than the sample holds, up
/// to `peek_max`. It is a new safe peek (released at once) of the bigger
/// number, so messages already seen are received once more; refused where
/// one receive can dead-letter (`p` asks first there). `None` when nothing
/// was peeked yet (then it is a first peek, `p`).
pub(crate) fn peek_more(state: &mut AppState) -> Option<Vec<Effect>> {
    let Screen::Queue(q) = state.top() else {
        return Some(Vec::new());
    };
    let have = q
        .peek
        .value
        .data()
        .map_or(0, |p| u32::try_from(p.messages.len()).unwrap_or(u32::MAX));
    if have == 0 {
        return None;
    }
    let cap = state.config.peek_max.max(state.config.peek_count);
    if have >= cap {
        state.flash(
            Level::Info,
            format!(
                "the sample holds {have} messages, peek_max: raise `peek_max` in the config to see more"
            ),
        );
        return Some(Vec::new());
    }
    if let Some(queue) = q.queue.value.data()
        && let Some(rp) = &queue.redrive_policy
        && rp.max_receive_count <= aws::sqs::UNSAFE_MAX_RECEIVE
    {
        state.flash(
            Level::Warn,
            format!(
                "no peek more on {}: its maxReceiveCount is {}, so receiving these messages again can move them to the DLQ {}; p peeks (asking first)",
                escape(&queue.name),
                rp.max_receive_count,
                escape(rp.dlq_name())
            ),
        );
        return Some(Vec::new());
    }
    let max = have.saturating_add(state.config.peek_count).min(cap);
    let req = state.req();
    let Screen::Queue(q) = state.top_mut() else {
        return Some(Vec::new());
    };
    if !q.peek.begin(req) {
        state.flash(Level::Info, "a peek is already running");
        return Some(Vec::new());
    }
    let queue = q.id.clone();
    let read_only = state.context.read_only;
    state.flash(
        Level::Info,
        format!(
            "peeking up to {max} messages (a new safe peek: the {have} seen are received once more)"
        ),
    );
    Some(vec![Effect::Peek {
        req,
        queue,
        max,
        force: false,
        read_only,
    }])
}

/// The BODY column's text: for an EventBridge event, `detail-type` then the
/// start of `detail` (compact JSON); else the body's first line. Escaped and
/// at most [`SUMMARY_CHARS`] characters.
pub(crate) fn body_summary(body: &str) -> String {
    let head = body.trim_start();
    if head.starts_with('{')
        && body.len() <= SUMMARY_PARSE_MAX
        && body.contains("detail-type")
        && let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(body)
        && let Some(serde_json::Value::String(dt)) = o.get("detail-type")
    {
        let detail = o.get("detail").map(|d| d.to_string()).unwrap_or_default();
        return crate::tui::view::widgets::first_line(&format!("{dt} {detail}"), SUMMARY_CHARS);
    }
    crate::tui::view::widgets::first_line(body, SUMMARY_CHARS)
}

/// The BODY column of every message of a peek, by message id.
pub(crate) fn summaries(messages: &[Message]) -> HashMap<String, String> {
    messages
        .iter()
        .map(|m| (m.message_id.clone(), body_summary(&m.body)))
        .collect()
}

/// The peeked messages that hold the filter in their id, body, summary or
/// an attribute (name or value), in the order peeked.
pub(crate) fn message_order(q: &QueueScreen) -> Vec<usize> {
    let Some(p) = q.peek.value.data() else {
        return Vec::new();
    };
    let f = q.list.filter.to_lowercase();
    (0..p.messages.len())
        .filter(|&i| {
            f.is_empty()
                || holds(
                    &p.messages[i],
                    p.summaries.get(&p.messages[i].message_id),
                    &f,
                )
        })
        .collect()
}

fn holds(m: &Message, summary: Option<&String>, f: &str) -> bool {
    let has = |s: &str| matches(f, s);
    has(&m.message_id)
        || has(&m.body)
        || summary.is_some_and(|s| has(s))
        || m.attributes.iter().any(|(k, v)| has(k) || has(v))
        || m.message_attributes.iter().any(|(k, a)| {
            has(k)
                || a.string_value.as_deref().is_some_and(has)
                || a.binary_value.as_deref().is_some_and(has)
        })
}

/// `oldest in sample hh:mm:ss UTC` (with the date when not the peek's day):
/// the earliest `SentTimestamp` of the peeked messages. SQS gives the age of
/// the oldest message of a queue only through CloudWatch, so the sample's is
/// what eddy can show, and says so.
pub(crate) fn oldest_in_sample(p: &PeekView) -> Option<String> {
    let oldest = p
        .messages
        .iter()
        .filter_map(|m| m.attributes.get("SentTimestamp")?.parse::<i64>().ok())
        .min()?;
    const DAY_MS: i64 = 86_400_000;
    let when = if oldest.div_euclid(DAY_MS) == p.wall_ms.div_euclid(DAY_MS) {
        crate::tui::inspect::hms(oldest)
    } else {
        crate::tui::inspect::utc(oldest)
    };
    Some(format!("oldest in sample {when} UTC"))
}

/// The title of the peeked messages' box: the sample's size, when it was
/// peeked, the oldest message in it, the marks. Where the full form does not
/// fit `width`, a shorter one (without the peek's time) keeps the oldest
/// message; where that does not fit either, the full form without it (cut by
/// the border).
pub(crate) fn messages_title(s: &QueueScreen, p: &PeekView, width: u16) -> String {
    let marked = if s.marked.is_empty() {
        String::new()
    } else {
        format!(" · {} marked", s.marked.len())
    };
    let peeking = if s.peek.pending.is_some() {
        " (peeking…)"
    } else {
        ""
    };
    let at = crate::tui::inspect::hms(p.wall_ms);
    let (n, total) = (p.messages.len(), p.approx_total);
    let full = |oldest: &str| {
        format!(
            " messages: sample of {n} of ~{total}, peeked at {at} UTC{oldest}{marked}{peeking} "
        )
    };
    let Some(oldest) = oldest_in_sample(p).map(|o| format!(" · {o}")) else {
        return full("");
    };
    let room = usize::from(width).saturating_sub(2);
    let long = full(&oldest);
    if long.chars().count() <= room {
        return long;
    }
    let short = format!(" messages: sample of {n} of ~{total}{oldest}{marked}{peeking} ");
    if short.chars().count() <= room {
        short
    } else {
        full("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{MessageAttribute, Queue};
    use crate::tui::config::Config;
    use crate::tui::update::{row_keys_of, update};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;
    use std::time::Instant;

    use crate::tui::testing::key;

    fn message(i: usize, body: &str, sent_ms: i64) -> Message {
        Message {
            message_id: format!("id-{i}"),
            receipt_handle: None,
            body: body.to_string(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: [("SentTimestamp".to_string(), sent_ms.to_string())].into(),
            message_attributes: [(
                "ERROR_CODE".to_string(),
                MessageAttribute {
                    data_type: "String".to_string(),
                    string_value: Some(
                        if i.is_multiple_of(2) {
                            "THROTTLING"
                        } else {
                            "NO_PERMISSIONS"
                        }
                        .to_string(),
                    ),
                    binary_value: None,
                },
            )]
            .into(),
        }
    }

    /// A queue view (maxReceiveCount `max_receive`) with `n` peeked messages.
    fn viewing(n: usize, max_receive: u32) -> AppState {
        let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "QueueArn".to_string(),
            "arn:aws:sqs:us-east-1:1:orders-dlq".to_string(),
        );
        attrs.insert(
            "RedrivePolicy".to_string(),
            format!(
                r#"{{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:last","maxReceiveCount":{max_receive}}}"#
            ),
        );
        let q = Queue::from_attributes("http://x/1/orders-dlq", attrs);
        let messages: Vec<Message> = (0..n)
            .map(|i| message(i, &format!("{{\"order\":{i}}}"), 1_000_000 + i as i64))
            .collect();
        let mut screen = QueueScreen::new(q.url.clone());
        screen.queue.value = Loadable::Loaded {
            data: q,
            at: state.now,
        };
        screen.peek.value = Loadable::Loaded {
            data: PeekView {
                summaries: summaries(&messages),
                messages,
                warnings: Vec::new(),
                approx_total: 500,
                wall_ms: 2_000_000,
            },
            at: state.now,
        };
        state.stack.push(Screen::Queue(Box::new(screen)));
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 24,
            },
        );
        state
    }

    #[test]
    fn peek_more_asks_for_a_bigger_sample_up_to_peek_max() {
        let mut state = viewing(10, 5);
        state.config.peek_max = 25;
        let effects = update(&mut state, key('n'));
        assert!(
            matches!(
                effects.as_slice(),
                [Effect::Peek {
                    max: 20,
                    force: false,
                    ..
                }]
            ),
            "{effects:?}"
        );
        // The answer with 25 messages; then one more press reaches the cap.
        let mut state = viewing(20, 5);
        state.config.peek_max = 25;
        let effects = update(&mut state, key('n'));
        assert!(
            matches!(effects.as_slice(), [Effect::Peek { max: 25, .. }]),
            "{effects:?}"
        );
        let mut state = viewing(25, 5);
        state.config.peek_max = 25;
        let effects = update(&mut state, key('n'));
        assert!(effects.is_empty(), "{effects:?}");
        let flash = state
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        assert!(flash.contains("peek_max"), "{flash}");
    }

    #[test]
    fn peek_more_is_refused_where_a_receive_can_dead_letter() {
        let mut state = viewing(10, 2);
        let effects = update(&mut state, key('n'));
        assert!(effects.is_empty(), "{effects:?}");
        assert_eq!(state.flash.as_ref().map(|f| f.level), Some(Level::Warn));
    }

    #[test]
    fn the_filter_finds_messages_by_body_attribute_and_id() {
        let mut state = viewing(6, 5);
        let filter = |state: &mut AppState, text: &str| {
            update(state, key('/'));
            for c in text.chars() {
                update(state, key(c));
            }
            update(
                state,
                Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            );
            let keys = row_keys_of(state);
            update(
                state,
                Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
            );
            keys
        };
        assert_eq!(filter(&mut state, "\"order\":3"), vec!["id-3"]);
        assert_eq!(filter(&mut state, "throttl"), vec!["id-0", "id-2", "id-4"]);
        assert_eq!(filter(&mut state, "id-5"), vec!["id-5"]);
    }

    #[test]
    fn an_eventbridge_event_shows_its_detail_type_and_detail() {
        let body = r#"{"version":"0","id":"e1","detail-type":"Payment Processed","source":"demo.payments","detail":{"total_cost":250,"note":"a\u001b[2Jb"}}"#;
        let s = body_summary(body);
        assert!(s.starts_with("Payment Processed {"), "{s}");
        assert!(s.contains("\"total_cost\":250"), "{s}");
        assert!(!s.contains('\u{1b}'), "{s:?}");
        assert_eq!(body_summary("plain\nsecond"), "plain");
        assert!(body_summary(&"x".repeat(1000)).chars().count() <= SUMMARY_CHARS);
    }

    #[test]
    fn the_oldest_sent_timestamp_of_the_sample_is_labelled() {
        let state = viewing(3, 5);
        let Screen::Queue(q) = state.top() else {
            panic!()
        };
        let p = q.peek.value.data().unwrap();
        assert_eq!(
            oldest_in_sample(p).as_deref(),
            Some("oldest in sample 00:16:40 UTC")
        );
    }

    /// A BODY (and, on a narrow screen, an ID) longer than its column ends
    /// in "…" (it was cut silently at the border).
    #[test]
    fn long_bodies_and_ids_are_cut_with_an_ellipsis() {
        let mut state = viewing(1, 5);
        let Screen::Queue(q) = state.top_mut() else {
            panic!()
        };
        let Loadable::Loaded { data, .. } = &mut q.peek.value else {
            panic!()
        };
        let body = format!("{{\"order\":\"{}\"}}", "y".repeat(150));
        data.messages[0].body = body;
        data.messages[0].message_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".to_string();
        data.summaries = summaries(&data.messages);
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|f| {
                crate::tui::view::render(&state, f);
            })
            .unwrap();
        let screen = terminal.backend().to_string();
        let row = screen
            .lines()
            .find(|l| l.contains("{\"order\""))
            .unwrap_or_else(|| panic!("{screen}"));
        assert!(row.contains("yy…│"), "{row}");
        assert!(row.contains(" 0f1e2d3c-… "), "{row}");
    }
}
