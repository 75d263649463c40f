//! One SNS topic (enter in `:topics`): its attributes above, its
//! subscriptions below with protocol, endpoint, confirmed, raw delivery,
//! filter policy (shortened) and scope, and the DLQ of its redrive policy.
//! Enter opens an `sqs` endpoint's queue or a `lambda` endpoint's function;
//! `d` opens the subscription's DLQ; `w` the workbench on its filter policy
//! (where ctrl-a sets it after a diff); `p` publishes to the topic.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row};

use crate::domain::short_arn;
use crate::domain::{SubscriberKind, Subscription, Topic, topic_name_of};
use crate::ops;
use crate::pattern::filter_policy::Scope;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::state::*;

use super::widgets::*;

pub(crate) mod publish;

/// The topic view.
pub struct TopicView;

/// Opens the topic `arn` (with what the topic list read of it) and reads
/// its subscriptions.
pub(crate) fn open(state: &mut AppState, arn: String, topic: Option<Topic>) -> Vec<Effect> {
    state
        .stack
        .push(Screen::Topic(Box::new(TopicScreen::new(arn, topic))));
    fetch(state, true)
}

fn fetch(state: &mut AppState, force: bool) -> Vec<Effect> {
    let req = state.req();
    let Screen::Topic(t) = state.top_mut() else {
        return Vec::new();
    };
    if force {
        t.subscriptions.restart(req);
    } else if !t.subscriptions.begin(req) {
        return Vec::new();
    }
    vec![Effect::Sns(SnsEffect::Subscriptions {
        req,
        topic: t.arn.clone(),
    })]
}

fn subs(t: &TopicScreen) -> &[Subscription] {
    t.subscriptions.value.data().map_or(&[][..], Vec::as_slice)
}

/// A subscription's identity in the list: its ARN, or its endpoint while
/// it is pending (every pending subscription has the same ARN).
pub(crate) fn sub_key(s: &Subscription) -> &str {
    if s.confirmed { &s.arn } else { &s.endpoint }
}

/// The selected subscription of the topic view on top.
pub(crate) fn selected_subscription(state: &AppState) -> Option<&Subscription> {
    let Screen::Topic(t) = state.top() else {
        return None;
    };
    let key = t.list.current.as_deref()?;
    subs(t).iter().find(|s| sub_key(s) == key)
}

/// A filter policy on one line, cut to `width` (`-` when none).
pub(crate) fn policy_text(s: &Subscription, width: usize) -> String {
    match &s.filter_policy {
        Some(p) if !p.trim().is_empty() => {
            let scope = match s.filter_policy_scope {
                Scope::MessageAttributes => "attrs",
                Scope::MessageBody => "body",
            };
            let one = crate::pattern::json::minify(p);
            let room = width.saturating_sub(scope.len() + 1);
            format!("{scope} {}", cut(&escape(&one), room))
        }
        _ => "-".to_string(),
    }
}

/// The endpoint, short: a queue's or function's name, a URL as it is.
pub(crate) fn endpoint_text(s: &Subscription) -> &str {
    match s.protocol.as_str() {
        "sqs" | "lambda" | "firehose" => short_arn(&s.endpoint),
        _ => &s.endpoint,
    }
}

/// `standard` or `FIFO` (with content-based deduplication).
pub(crate) fn kind_text(t: &Topic) -> &'static str {
    match (t.fifo, t.content_based_deduplication) {
        (false, _) => "standard",
        (true, false) => "FIFO",
        (true, true) => "FIFO, content dedup",
    }
}

/// `KMS KEY` (its last part) or `none`.
pub(crate) fn encryption_text(t: &Topic) -> String {
    match &t.kms_key {
        Some(k) if !k.is_empty() => format!("KMS {}", crate::domain::short_arn(k)),
        _ => "none".to_string(),
    }
}

/// The topic's facts, for the panel above the list.
fn topic_lines(state: &AppState, t: &TopicScreen) -> Vec<Line<'static>> {
    let e = |s: &str| escape(s).into_owned();
    let mut lines = vec![kv(state, "arn", e(&t.arn))];
    if let Some(topic) = &t.topic {
        lines.push(kv(
            state,
            "type",
            format!(
                "{} · encryption {} · display name {}",
                kind_text(topic),
                e(&encryption_text(topic)),
                e(topic.display_name.as_deref().unwrap_or("-")),
            ),
        ));
        lines.push(kv(
            state,
            "subscribers",
            format!(
                "{} confirmed · {} pending · {} deleted",
                topic.subscriptions_confirmed,
                topic.subscriptions_pending,
                topic.subscriptions_deleted
            ),
        ));
    }
    lines
}

impl super::kind::View for TopicView {
    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Topic(t) = state.top() else {
            return Vec::new();
        };
        let all = subs(t);
        let f = t.list.filter.to_lowercase();
        let mut idx: Vec<usize> = (0..all.len())
            .filter(|&i| {
                let s = &all[i];
                matches(&f, &s.endpoint)
                    || matches(&f, &s.protocol)
                    || s.filter_policy.as_deref().is_some_and(|p| matches(&f, p))
            })
            .collect();
        idx.sort_by(|&a, &b| {
            (&all[a].protocol, endpoint_text(&all[a]))
                .cmp(&(&all[b].protocol, endpoint_text(&all[b])))
        });
        idx
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Topic(t) = state.top() else {
            return;
        };
        let title = format!(" topic {} ", escape(topic_name_of(&t.arn)));
        let lines = topic_lines(state, t);
        let [top, rest] = split_top(lines.len(), area);
        frame.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(title)),
            top,
        );
        let Some(block) = list_block(
            state,
            frame,
            rest,
            "subscriptions",
            &t.subscriptions,
            &t.list,
            None,
        ) else {
            return;
        };
        let all = subs(t);
        let (range, selected) = visible(&t.list, table_rows_in(rest));
        let wide = rest.width >= WIDE;
        let mut widths = vec![
            Constraint::Length(8),
            Constraint::Fill(2),
            Constraint::Length(9),
            Constraint::Length(4),
            Constraint::Fill(2),
        ];
        if wide {
            widths.push(Constraint::Fill(1));
        }
        let cols = column_widths(rest, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let rows = t.list.order[range]
            .iter()
            .filter_map(|&i| all.get(i))
            .map(|s| {
                let (confirmed, m) = if s.confirmed {
                    ("yes", Meaning::Normal)
                } else {
                    ("pending", Meaning::Warn)
                };
                let mut cells = vec![
                    Cell::from(cut(&escape(&s.protocol), col(0))),
                    Cell::from(cut(&escape(endpoint_text(s)), col(1))),
                    Cell::from(ratatui::text::Span::styled(confirmed, style(state, m))),
                    Cell::from(if s.raw_delivery { "raw" } else { "-" }),
                    Cell::from(policy_text(s, col(4))),
                ];
                if wide {
                    cells.push(Cell::from(cut(
                        &escape(s.dlq_arn.as_deref().map_or("-", short_arn)),
                        col(5),
                    )));
                }
                Row::new(cells)
            })
            .collect();
        let mut header = vec!["protocol", "endpoint", "confirmed", "raw", "filter policy"];
        if wide {
            header.push("DLQ");
        }
        table(
            state,
            frame,
            rest,
            block,
            &header,
            widths,
            rows,
            selected,
            t.subscriptions.value.error().is_some(),
        );
    }

    fn list_rows(&self, state: &AppState, body: Rect) -> usize {
        let Screen::Topic(t) = state.top() else {
            return 0;
        };
        let [_, rest] = split_top(topic_lines(state, t).len(), body);
        table_rows_in(rest)
    }

    fn refresh(&self, state: &mut AppState) -> Vec<Effect> {
        fetch(state, true)
    }

    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        match state.top() {
            Screen::Topic(t) if t.subscriptions.due(now) => fetch(state, false),
            _ => Vec::new(),
        }
    }

    /// Opens a queue or function endpoint.
    fn open(&self, state: &mut AppState, _key: &str) -> Vec<Effect> {
        let Some(s) = selected_subscription(state).cloned() else {
            return Vec::new();
        };
        match s.opens() {
            Some(SubscriberKind::Queue) => super::queue::open_queue(state, s.endpoint, None),
            Some(SubscriberKind::Function) => super::function::open(state, s.endpoint),
            None => {
                state.flash(
                    Level::Info,
                    format!(
                        "eddy has no view of {} endpoints: {}",
                        escape(&s.protocol),
                        escape(&s.endpoint)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn key_at<'a>(&self, state: &'a AppState, i: usize) -> Option<&'a str> {
        let Screen::Topic(t) = state.top() else {
            return None;
        };
        subs(t).get(i).map(sub_key)
    }

    fn on_action(&self, state: &mut AppState, action: Action) -> Option<Vec<Effect>> {
        Some(match action {
            Action::Publish => {
                let Screen::Topic(t) = state.top() else {
                    return Some(Vec::new());
                };
                let (arn, topic) = (t.arn.clone(), t.topic.clone());
                publish::start(state, &arn, topic.as_ref())
            }
            Action::GoToDlq => {
                let Some(s) = selected_subscription(state) else {
                    return Some(Vec::new());
                };
                match s.dlq_arn.clone() {
                    Some(dlq) => super::queue::open_queue(state, dlq, None),
                    None => {
                        state.flash(
                            Level::Info,
                            "this subscription has no DLQ (no redrive policy): what SNS cannot deliver is dropped",
                        );
                        Vec::new()
                    }
                }
            }
            Action::Workbench => {
                let Some(s) = selected_subscription(state).cloned() else {
                    state.flash(Level::Info, "pick a subscription first");
                    return Some(Vec::new());
                };
                super::workbench::open_policy_workbench(state, &s)
            }
            _ => return None,
        })
    }

    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::Publish {
            publish::answer(state, text);
        }
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        let Screen::Topic(t) = state.top() else {
            return None;
        };
        freshness(state, &t.subscriptions)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        let Screen::Topic(t) = state.top() else {
            return None;
        };
        t.subscriptions.value.error()
    }
}

/// The subscriptions of a topic answered.
pub(crate) fn loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<Subscription>, ops::Error>,
) -> Vec<Effect> {
    let every = state.config.refresh.max(SNS_EVERY);
    let live = state.stack.iter_mut().find_map(|s| match s {
        Screen::Topic(t) if t.subscriptions.pending == Some(req) => Some(&mut t.subscriptions),
        _ => None,
    });
    if let Some(live) = live {
        live.finish(req, at, result, every);
        state.bump();
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use crossterm::event::KeyCode;

    use crate::tui::config::Config;
    use crate::tui::scope::Scope;
    use crate::tui::state::*;
    use crate::tui::testing::{code, key, queue, subscription, topic};
    use crate::tui::update::{row_keys, update};
    use crate::tui::workbench::Mode;

    const QUEUE: &str = "arn:aws:sqs:us-east-1:1:notify";
    const FUNCTION: &str = "arn:aws:lambda:us-east-1:1:function:entities";

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(update(state, key(c)));
        }
        effects.extend(update(state, code(KeyCode::Enter)));
        effects
    }

    /// `:topics` → the topics → enter → the subscriptions of the one
    /// selected, read for its ARN.
    fn on_topic(read_only: bool) -> AppState {
        let context = Context {
            read_only,
            ..Context::default()
        };
        let (mut state, _) = AppState::new(Config::defaults(), context, Instant::now());
        let effects = typed(&mut state, ":sns");
        assert_eq!(state.top().scope(), Scope::Topics);
        let [Effect::Sns(SnsEffect::Topics { req })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::Sns(SnsMsg::TopicsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(vec![topic("orders", 1, 0), topic("blog-posts", 2, 1)]),
            }),
        );
        assert_eq!(
            row_keys(&state),
            [
                "arn:aws:sns:us-east-1:1:blog-posts",
                "arn:aws:sns:us-east-1:1:orders"
            ]
        );
        let effects = update(&mut state, code(KeyCode::Enter));
        let [Effect::Sns(SnsEffect::Subscriptions { req, topic: arn })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(arn, "arn:aws:sns:us-east-1:1:blog-posts");
        let mut pending = subscription(
            "blog-posts",
            "https",
            "https://example.com/hook",
            None,
            None,
        );
        pending.arn = "PendingConfirmation".into();
        pending.confirmed = false;
        update(
            &mut state,
            Msg::Sns(SnsMsg::SubscriptionsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(vec![
                    subscription(
                        "blog-posts",
                        "sqs",
                        QUEUE,
                        Some(r#"{"topic":["news"]}"#),
                        Some("notify-dlq"),
                    ),
                    subscription("blog-posts", "lambda", FUNCTION, None, None),
                    pending,
                ]),
            }),
        );
        assert_eq!(state.top().scope(), Scope::Topic);
        state
    }

    #[test]
    fn enter_opens_a_queue_or_function_endpoint_and_d_the_dlq() {
        let mut state = on_topic(false);
        // By protocol: https, lambda, sqs; a pending one is known by its endpoint.
        assert_eq!(
            row_keys(&state),
            [
                "https://example.com/hook",
                "arn:aws:sns:us-east-1:1:blog-posts:sub-entities",
                "arn:aws:sns:us-east-1:1:blog-posts:sub-notify",
            ]
        );
        assert!(update(&mut state, code(KeyCode::Enter)).is_empty());
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("no view of https endpoints"))
        );
        update(&mut state, key('j'));
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::Lambda(LambdaEffect::Function { name, .. })] if name == FUNCTION),
            "{effects:?}"
        );
        assert_eq!(state.top().scope(), Scope::Function);
        update(&mut state, code(KeyCode::Esc));
        update(&mut state, key('j'));
        let effects = update(&mut state, key('d'));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue == "arn:aws:sqs:us-east-1:1:notify-dlq"),
            "{effects:?}"
        );
        update(&mut state, code(KeyCode::Esc));
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue == QUEUE),
            "{effects:?}"
        );
    }

    #[test]
    fn w_opens_the_policy_workbench_and_a_changes_the_policy_after_a_diff() {
        let mut state = on_topic(false);
        update(&mut state, key('G'));
        update(&mut state, key('w'));
        let Screen::Workbench(wb) = state.top() else {
            panic!("{:?}", state.top().scope())
        };
        assert_eq!(
            wb.mode(),
            Mode::Policy(crate::pattern::filter_policy::Scope::MessageAttributes)
        );
        assert!(
            wb.pattern_text().contains("\"news\""),
            "{}",
            wb.pattern_text()
        );
        // Unchanged: nothing to set.
        update(&mut state, code(KeyCode::Tab));
        assert!(update(&mut state, key('a')).is_empty());
        assert_eq!(state.overlay, Overlay::None);
        // Emptied (the policy removed) and the scope changed: a diff, then
        // the effect.
        if let Screen::Workbench(wb) = state.top_mut() {
            wb.set_pattern("");
        }
        update(&mut state, key('c'));
        update(&mut state, key('a'));
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(
            c.lines
                .iter()
                .any(|l| l.contains("scope MessageAttributes → MessageBody")),
            "{:?}",
            c.lines
        );
        assert!(
            c.lines[0].starts_with("removes the filter policy"),
            "{:?}",
            c.lines
        );
        assert!(c.lines.iter().any(|l| l.contains("- {")), "{:?}", c.lines);
        let effects = update(&mut state, key('y'));
        let [
            Effect::Sns(SnsEffect::SetFilterPolicy {
                subscription,
                policy,
                scope,
            }),
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(
            subscription,
            "arn:aws:sns:us-east-1:1:blog-posts:sub-notify"
        );
        assert_eq!(policy, "");
        assert_eq!(*scope, crate::pattern::filter_policy::Scope::MessageBody);
        update(
            &mut state,
            Msg::Sns(SnsMsg::PolicySet {
                subscription: subscription.clone(),
                policy: policy.clone(),
                scope: *scope,
                result: Ok("set".into()),
            }),
        );
        let Screen::Workbench(wb) = state.top() else {
            panic!()
        };
        assert!(!wb.policy_modified());
    }

    #[test]
    fn read_only_refuses_publish_and_setting_a_policy() {
        let mut state = on_topic(true);
        assert!(update(&mut state, key('p')).is_empty());
        assert_eq!(state.overlay, Overlay::None);
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("read-only"))
        );
        update(&mut state, key('G'));
        update(&mut state, key('w'));
        update(&mut state, code(KeyCode::Tab));
        if let Screen::Workbench(wb) = state.top_mut() {
            wb.set_pattern("");
        }
        assert!(update(&mut state, key('a')).is_empty());
        assert_eq!(state.overlay, Overlay::None);
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("read-only"))
        );
    }

    #[test]
    fn p_asks_for_the_message_then_confirms_then_publishes() {
        let mut state = on_topic(false);
        update(&mut state, key('p'));
        assert!(matches!(
            &state.overlay,
            Overlay::Prompt { kind: PromptKind::Publish, text } if text.contains("\"body\"")
        ));
        // Typing replaces the selected template.
        let effects = typed(
            &mut state,
            r#"{"body": "hi", "attributes": {"topic": {"Type": "String", "Value": "news"}}}"#,
        );
        assert!(effects.is_empty(), "{effects:?}");
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(
            c.lines
                .iter()
                .any(|l| l == "attribute topic (String) = news"),
            "{:?}",
            c.lines
        );
        let effects = update(&mut state, key('y'));
        let [Effect::Sns(SnsEffect::Publish { publication, .. })] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(publication.topic_arn, "arn:aws:sns:us-east-1:1:blog-posts");
        assert_eq!(publication.body, "hi");
    }

    #[test]
    fn dlqs_list_subscription_dlqs_with_their_topic_and_subscription() {
        let (mut state, first) =
            AppState::new(Config::defaults(), Context::default(), Instant::now());
        let queues = first
            .iter()
            .find_map(|e| match e {
                Effect::FetchQueues { req } => Some(*req),
                _ => None,
            })
            .unwrap();
        let effects = typed(&mut state, ":dlqs");
        let subs = effects
            .iter()
            .find_map(|e| match e {
                Effect::Sns(SnsEffect::SubscriptionDlqs { req }) => Some(*req),
                _ => None,
            })
            .unwrap();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: queues,
                at: Instant::now(),
                result: Ok(vec![queue("notify", 0, None), queue("notify-dlq", 4, None)]),
            },
        );
        assert!(
            row_keys(&state).is_empty(),
            "no redrive policy names it yet"
        );
        update(
            &mut state,
            Msg::Sns(SnsMsg::SubscriptionDlqsLoaded {
                req: subs,
                at: Instant::now(),
                result: Ok(vec![crate::domain::SubscriptionDlq {
                    dlq_arn: "arn:aws:sqs:us-east-1:1:notify-dlq".into(),
                    topic_arn: "arn:aws:sns:us-east-1:1:blog-posts".into(),
                    subscription_arn: "arn:aws:sns:us-east-1:1:blog-posts:s-1".into(),
                    protocol: "sqs".into(),
                    endpoint: QUEUE.into(),
                }]),
            }),
        );
        assert_eq!(row_keys(&state), ["http://x/1/notify-dlq"]);
        let Screen::Dlqs(lv) = state.top() else {
            panic!()
        };
        let rows = crate::tui::view::dlqs::dlq_rows(&state, lv);
        assert_eq!(
            rows[0].feeders(),
            ["topic blog-posts, sqs subscription to notify"]
        );
        let dlq = state.queue_by_name("notify-dlq").unwrap();
        assert_eq!(
            state.whose_dlq(dlq).as_deref(),
            Some("DLQ of topic blog-posts, sqs subscription to notify")
        );
    }

    /// The `:dlqs` of the subscription-DLQ test, with the DLQ selected.
    fn on_subscription_dlq() -> AppState {
        let (mut state, first) =
            AppState::new(Config::defaults(), Context::default(), Instant::now());
        let queues = first
            .iter()
            .find_map(|e| match e {
                Effect::FetchQueues { req } => Some(*req),
                _ => None,
            })
            .unwrap();
        let effects = typed(&mut state, ":dlqs");
        let subs = effects
            .iter()
            .find_map(|e| match e {
                Effect::Sns(SnsEffect::SubscriptionDlqs { req }) => Some(*req),
                _ => None,
            })
            .unwrap();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: queues,
                at: Instant::now(),
                result: Ok(vec![queue("notify", 0, None), queue("notify-dlq", 4, None)]),
            },
        );
        update(
            &mut state,
            Msg::Sns(SnsMsg::SubscriptionDlqsLoaded {
                req: subs,
                at: Instant::now(),
                result: Ok(vec![crate::domain::SubscriptionDlq {
                    dlq_arn: "arn:aws:sqs:us-east-1:1:notify-dlq".into(),
                    topic_arn: "arn:aws:sns:us-east-1:1:blog-posts".into(),
                    subscription_arn: "arn:aws:sns:us-east-1:1:blog-posts:s-1".into(),
                    protocol: "sqs".into(),
                    endpoint: QUEUE.into(),
                }]),
            }),
        );
        state
    }

    #[test]
    fn a_subscription_dlq_redrives_through_its_topic_or_to_its_subscriber() {
        let mut state = on_subscription_dlq();
        update(&mut state, key('R'));
        let Overlay::Prompt { kind, text } = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert_eq!(*kind, PromptKind::RedriveTo);
        assert_eq!(text, "topic blog-posts");
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("topic blog-posts · queue notify")),
            "{:?}",
            state.flash
        );
        update(&mut state, code(KeyCode::Enter));
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(
            matches!(&c.then, Pending::Redrive { to: RedriveTo::Topic(t), .. } if t == "blog-posts")
        );
        assert!(
            c.lines.iter().any(|l| l.contains("published again")),
            "{:?}",
            c.lines
        );
        assert_eq!(
            RedriveTo::Topic("blog-posts".into()).resume_command("notify-dlq"),
            "eddy redrive notify-dlq --to-topic blog-posts"
        );
    }

    #[test]
    fn n_on_a_message_shows_which_subscriptions_it_reaches() {
        let mut state = on_topic(false);
        let body = r#"{"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:us-east-1:1:blog-posts","Message":"hello","MessageAttributes":{"topic":{"Type":"String","Value":"sports"}}}"#;
        let message = crate::domain::Message {
            message_id: "m-1".into(),
            receipt_handle: None,
            body: body.into(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: Default::default(),
            message_attributes: Default::default(),
        };
        state.stack.push(Screen::Message(Box::new(
            crate::tui::inspect::Inspector::new("notify-dlq", message),
        )));
        update(&mut state, key('n'));
        assert!(matches!(
            &state.overlay,
            Overlay::Prompt { kind: PromptKind::ReachTopic, text } if text == "blog-posts"
        ));
        let effects = update(&mut state, code(KeyCode::Enter));
        let [
            Effect::Sns(SnsEffect::Reach {
                req,
                topic,
                message,
            }),
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(topic, "blog-posts");
        assert_eq!(
            message.body, "hello",
            "what was published, not the envelope"
        );
        let Screen::Topic(t) = &state.stack[state.stack.len() - 2] else {
            panic!()
        };
        let subs = t.subscriptions.value.data().unwrap().clone();
        let reaches = crate::ops::sns::reach(&subs, message);
        update(
            &mut state,
            Msg::Sns(SnsMsg::ReachLoaded {
                req: *req,
                result: Ok(reaches),
            }),
        );
        let Screen::Message(i) = state.top() else {
            panic!()
        };
        let text: Vec<String> = super::super::message::reach::lines(&state, i)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(
            text.iter().any(|l| l.starts_with("REACH lambda entities")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|l| l.starts_with("miss  sqs notify")),
            "{text:?}"
        );
        assert!(text.iter().any(|l| l.contains("FAIL  topic:")), "{text:?}");
        assert!(
            text.iter().any(|l| l.contains("pending confirmation")),
            "{text:?}"
        );
    }
}
