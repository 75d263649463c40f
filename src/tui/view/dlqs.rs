//! The DLQ view: each dead-letter queue with its depth and what feeds it: the
//! queues whose redrive policy names it, and the EventBridge targets whose
//! `DeadLetterConfig` does (walked from buses → rules → targets at most every
//! [`TARGET_DLQS_EVERY`], with the queue list's refresh), and the SNS
//! subscriptions whose redrive policy does (read as often).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row};

use crate::aws;
use crate::domain::TargetDlq;
use crate::text::escape;
use crate::tui::action::Action;
use crate::tui::config::Meaning;
use crate::tui::ops_ui;
use crate::tui::state::*;
use std::time::Instant;

use super::widgets::*;

pub const DLQ_COLUMNS: &[&str] = &["name", "depth", "in flight", "Δ/min", "sources"];

/// The DLQ view (the queue list, seen from the DLQs).
pub struct Dlqs;

impl super::kind::View for Dlqs {
    fn columns(&self) -> &'static [&'static str] {
        DLQ_COLUMNS
    }

    fn order(&self, state: &AppState) -> Vec<usize> {
        let Screen::Dlqs(lv) = state.top() else {
            return Vec::new();
        };
        dlq_order(state, lv)
    }

    fn render(&self, state: &AppState, frame: &mut Frame, area: Rect) {
        let Screen::Dlqs(lv) = state.top() else {
            return;
        };
        let stale = state.queues.value.error().is_some();
        let Some(block) = list_block(
            state,
            frame,
            area,
            "dead-letter queues",
            &state.queues,
            lv,
            Some((DLQ_COLUMNS[lv.sort], lv.reverse)),
        ) else {
            return;
        };
        let wide = area.width >= WIDE;
        let (range, selected) = visible(lv, table_rows_in(area));
        let shown: Vec<DlqRow> = lv.order[range]
            .iter()
            .filter_map(|&i| dlq_row(state, i))
            .collect();
        let sources_of = |r: &DlqRow| -> String {
            let sources: Vec<String> = r.feeders().iter().map(|s| escape(s).into_owned()).collect();
            sources.join(", ")
        };
        let (header, widths): (Vec<&str>, Vec<Constraint>) = if wide {
            // Names get their width before the sparkline: it shrinks first.
            let (name_w, spark_w) = name_and_spark(
                area,
                6,
                6 + 9 + 6,
                shown
                    .iter()
                    .map(|r| escape(&r.queue.name).chars().count())
                    .max()
                    .unwrap_or(0),
                shown
                    .iter()
                    .map(|r| sources_of(r).chars().count())
                    .max()
                    .unwrap_or(0),
                20,
                (2, 2),
            );
            (
                vec!["name", "depth", "in flight", "Δ/min", "trend", "sources"],
                vec![
                    Constraint::Length(name_w),
                    Constraint::Length(6),
                    Constraint::Length(9),
                    Constraint::Length(6),
                    Constraint::Length(spark_w),
                    Constraint::Fill(2),
                ],
            )
        } else {
            (
                vec!["name", "depth", "flight", "Δ/min", "sources"],
                vec![
                    Constraint::Fill(2),
                    Constraint::Length(6),
                    Constraint::Length(6),
                    Constraint::Length(6),
                    Constraint::Fill(2),
                ],
            )
        };
        let cols = column_widths(area, &widths);
        let col = |i: usize| cols.get(i).copied().unwrap_or(0);
        let sources_col = if wide { 5 } else { 4 };
        let table_rows: Vec<Row> = shown
            .iter()
            .map(|r| {
                let q = r.queue;
                let m = if q.counts.visible > 0 {
                    Meaning::Danger
                } else {
                    Meaning::Normal
                };
                let mut cells = vec![
                    Cell::from(cut(&escape(&q.name), col(0))),
                    Cell::from(q.counts.visible.to_string()),
                    Cell::from(q.counts.in_flight.to_string()),
                    Cell::from(rate(state, &q.url)),
                ];
                if wide {
                    cells.push(Cell::from(spark(state, &q.url, col(4))));
                }
                cells.push(Cell::from(cut(&sources_of(r), col(sources_col))));
                Row::new(cells).style(style(state, m))
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
            Action::Purge => ops_ui::purge(state),
            Action::Redrive => super::redrive::redrive(state),
            _ => return None,
        })
    }

    /// The DLQs are the queue list's: they refresh and age with it.
    fn refresh_due(&self, state: &mut AppState, now: Instant) -> Vec<Effect> {
        let mut effects = super::queues::Queues.refresh_due(state, now);
        if state.target_dlqs.due(now) {
            effects.extend(state.fetch_target_dlqs());
        }
        if state.subscription_dlqs.due(now) {
            effects.extend(state.fetch_subscription_dlqs());
        }
        effects
    }

    fn freshness(&self, state: &AppState) -> Option<(Meaning, String)> {
        super::queues::Queues.freshness(state)
    }

    fn error<'a>(&self, state: &'a AppState) -> Option<&'a str> {
        super::queues::Queues.error(state)
    }

    /// Where `R` moves the messages.
    fn on_prompt(&self, state: &mut AppState, kind: PromptKind, text: &str) {
        if kind == PromptKind::RedriveTo {
            super::redrive::redrive_to(state, text);
        }
    }
}

/// The queue list and the targets' DLQs, now.
pub(crate) fn refresh(state: &mut AppState) -> Vec<Effect> {
    let mut effects = super::queues::refresh(state);
    effects.extend(state.fetch_target_dlqs());
    effects.extend(state.fetch_subscription_dlqs());
    effects
}

/// The subscriptions with a DLQ answered. A failure keeps the last read
/// and says why once (the other DLQs still show).
pub(crate) fn subscription_dlqs_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<crate::domain::SubscriptionDlq>, crate::ops::Error>,
) -> Vec<Effect> {
    let error = result.as_ref().err().map(|e| e.to_string());
    if !state
        .subscription_dlqs
        .finish(req, at, result, TARGET_DLQS_EVERY)
    {
        return Vec::new();
    }
    state.bump();
    if let Some(e) = error {
        state.flash(
            Level::Warn,
            format!("SNS subscriptions could not be read, so their DLQs may be missing: {e}"),
        );
    }
    Vec::new()
}

/// The walk of the targets answered. A failure keeps the last walk and says
/// why once (the queue list's DLQs still show).
pub(crate) fn target_dlqs_loaded(
    state: &mut AppState,
    req: ReqId,
    at: Instant,
    result: Result<Vec<TargetDlq>, aws::Error>,
) -> Vec<Effect> {
    let error = result.as_ref().err().map(|e| e.to_string());
    if !state.target_dlqs.finish(req, at, result, TARGET_DLQS_EVERY) {
        return Vec::new();
    }
    state.bump();
    if let Some(e) = error {
        state.flash(
            Level::Warn,
            format!("EventBridge targets could not be read, so their DLQs may be missing: {e}"),
        );
    }
    Vec::new()
}

/// Every listed queue that some listed queue or EventBridge target uses as
/// its DLQ, in order.
pub(crate) fn dlq_order(state: &AppState, lv: &ListView) -> Vec<usize> {
    let Some(all) = state.queues.value.data() else {
        return Vec::new();
    };
    let f = lv.filter.to_lowercase();
    let mut rows: Vec<(usize, Vec<usize>)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let sources = state.dlq_source_indices(d);
            (!sources.is_empty()
                || !state.target_dlqs_of(d).is_empty()
                || !state.subscription_dlqs_of(d).is_empty())
            .then_some((i, sources))
        })
        .filter(|(i, sources)| {
            matches(&f, &all[*i].name)
                || sources.iter().any(|&j| matches(&f, &all[j].name))
                || state
                    .target_dlqs_of(&all[*i])
                    .iter()
                    .any(|t| matches(&f, &t.rule) || matches(&f, &t.bus))
                || state
                    .subscription_dlqs_of(&all[*i])
                    .iter()
                    .any(|s| matches(&f, &s.topic_arn) || matches(&f, &s.endpoint))
        })
        .collect();
    let rates: Vec<f64> = if lv.sort == 3 {
        all.iter()
            .map(|q| rate_per_min(state, &q.url).unwrap_or(0.0))
            .collect()
    } else {
        Vec::new()
    };
    let names = |s: &[usize]| s.iter().map(|&j| all[j].name.as_str()).collect::<Vec<_>>();
    rows.sort_by(|(a, sa), (b, sb)| {
        let (qa, qb) = (&all[*a], &all[*b]);
        let o = match lv.sort {
            1 => qa.counts.visible.cmp(&qb.counts.visible),
            2 => qa.counts.in_flight.cmp(&qb.counts.in_flight),
            3 => rates[*a].total_cmp(&rates[*b]),
            4 => names(sa).cmp(&names(sb)),
            _ => std::cmp::Ordering::Equal,
        };
        ordered(o.then_with(|| qa.name.cmp(&qb.name)), lv.reverse)
    });
    rows.into_iter().map(|(i, _)| i).collect()
}

/// The DLQ view's rows, in order.
pub fn dlq_rows<'a>(state: &'a AppState, lv: &ListView) -> Vec<DlqRow<'a>> {
    lv.order.iter().filter_map(|&i| dlq_row(state, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Message, MessageAttribute, Queue};
    use crate::tui::config::Config;
    use crate::tui::update::{row_keys_of, update};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::collections::BTreeMap;

    use crate::tui::testing::key;

    /// A queue with two messages, whose redrive policy names `dlq`.
    fn queue(name: &str, dlq: Option<&str>) -> Queue {
        crate::tui::testing::queue(name, 2, dlq)
    }

    fn enter() -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
    }

    fn target_dlq() -> TargetDlq {
        TargetDlq {
            dlq_arn: "arn:aws:sqs:us-east-1:1:rewards-target-dlq".to_string(),
            bus: "orders".to_string(),
            rule: "payment-processed".to_string(),
            target_id: "rewards".to_string(),
            target_arn: "arn:aws:sqs:us-east-1:1:rewards".to_string(),
        }
    }

    /// The queues listed, then `:dlqs` (answered with `targets`): the state.
    fn on_dlqs(targets: Vec<TargetDlq>) -> AppState {
        let now = Instant::now();
        let (mut state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let Some(Effect::FetchQueues { req }) = effects.last().cloned() else {
            panic!("{effects:?}")
        };
        let queues = vec![
            queue("orders", Some("orders-dlq")),
            queue("orders-dlq", None),
            queue("rewards", None),
            queue("rewards-target-dlq", None),
        ];
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        update(&mut state, key(':'));
        for c in "dlqs".chars() {
            update(&mut state, key(c));
        }
        let effects = update(&mut state, enter());
        let Some(req) = effects.iter().find_map(|e| match e {
            Effect::FetchTargetDlqs { req } => Some(*req),
            _ => None,
        }) else {
            panic!("no walk of the targets: {effects:?}")
        };
        update(
            &mut state,
            Msg::TargetDlqsLoaded {
                req,
                at: now,
                result: Ok(targets),
            },
        );
        state
    }

    #[test]
    fn a_target_dlq_is_listed_with_its_rule_and_bus() {
        let state = on_dlqs(vec![target_dlq()]);
        assert_eq!(
            row_keys_of(&state),
            vec!["http://x/1/orders-dlq", "http://x/1/rewards-target-dlq"]
        );
        let Screen::Dlqs(lv) = state.top() else {
            panic!()
        };
        let rows = dlq_rows(&state, lv);
        assert_eq!(
            rows[1].feeders(),
            vec!["rule payment-processed on bus orders, target rewards"]
        );
    }

    #[test]
    fn a_dlq_says_whose_it_is() {
        let state = on_dlqs(vec![target_dlq()]);
        let whose = |name: &str| state.whose_dlq(state.queue_by_name(name).unwrap());
        assert_eq!(
            whose("orders-dlq").as_deref(),
            Some("DLQ of orders (maxReceiveCount 3)")
        );
        assert_eq!(
            whose("rewards-target-dlq").as_deref(),
            Some("DLQ of rule payment-processed on bus orders, target rewards")
        );
        assert_eq!(whose("orders"), None);
    }

    #[test]
    fn redrive_of_a_target_dlq_offers_the_bus_then_the_target() {
        let mut state = on_dlqs(vec![target_dlq()]);
        update(&mut state, key('j'));
        update(&mut state, key('R'));
        assert_eq!(
            state.overlay,
            Overlay::Prompt {
                kind: PromptKind::RedriveTo,
                text: "bus orders".to_string()
            }
        );
        let flash = state
            .flash
            .as_ref()
            .map(|f| f.text.clone())
            .unwrap_or_default();
        assert!(flash.contains("bus orders · queue rewards"), "{flash}");
        // Enter: the whole DLQ back onto the bus, after a confirmation.
        update(&mut state, enter());
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(matches!(&c.then, Pending::Redrive { to: RedriveTo::Bus(b), .. } if b == "orders"));
    }

    #[test]
    fn redrive_offers_the_bus_of_the_messages_rule_arn() {
        // Without the walk (e.g. the rule was since deleted): the messages say.
        let mut state = on_dlqs(Vec::new());
        assert_eq!(row_keys_of(&state), vec!["http://x/1/orders-dlq"]);
        let attr = |v: &str| MessageAttribute {
            data_type: "String".to_string(),
            string_value: Some(v.to_string()),
            binary_value: None,
        };
        let message = |id: &str, rule: &str, target: &str| Message {
            message_id: id.to_string(),
            receipt_handle: None,
            body: "{}".to_string(),
            md5_of_body: None,
            receive_count: 1,
            receives_left: None,
            attributes: BTreeMap::new(),
            message_attributes: [
                ("RULE_ARN".to_string(), attr(rule)),
                ("TARGET_ARN".to_string(), attr(target)),
                ("ERROR_CODE".to_string(), attr("NO_PERMISSIONS")),
            ]
            .into(),
        };
        let q = queue("rewards-target-dlq", None);
        let mut screen = QueueScreen::new(q.url.clone());
        screen.queue.value = Loadable::Loaded {
            data: q,
            at: state.now,
        };
        screen.peek.value = Loadable::Loaded {
            data: PeekView {
                messages: vec![
                    message(
                        "m1",
                        "arn:aws:events:us-east-1:1:rule/blog/blog-post-created",
                        "arn:aws:sqs:us-east-1:1:notify-subscribers",
                    ),
                    message(
                        "m2",
                        "arn:aws:events:us-east-1:1:rule/nightly",
                        "arn:aws:events:us-east-1:1:event-bus/blog-updates",
                    ),
                ],
                warnings: Vec::new(),
                approx_total: 2,
                wall_ms: 0,
                summaries: Default::default(),
            },
            at: state.now,
        };
        state.stack.push(Screen::Queue(Box::new(screen)));
        let q = state.queue_by_name("rewards-target-dlq").cloned().unwrap();
        assert_eq!(
            super::super::redrive::target_offers(&state, &q, None),
            vec![
                "bus blog",
                "bus default",
                "queue notify-subscribers",
                "bus blog-updates"
            ]
        );
        // Marked messages: only theirs.
        assert_eq!(
            super::super::redrive::target_offers(&state, &q, Some(&["m2".to_string()])),
            vec!["bus default", "bus blog-updates"]
        );
        update(&mut state, key('R'));
        assert_eq!(
            state.overlay,
            Overlay::Prompt {
                kind: PromptKind::RedriveTo,
                text: "bus blog".to_string()
            }
        );
    }
}
