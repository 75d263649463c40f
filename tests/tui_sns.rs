//! The SNS screens of the terminal UI (issue 15) as snapshots: `:topics`,
//! a topic's subscriptions, the filter-policy workbench (its verdicts, the
//! key-by-key explanation, which subscriptions a message reaches) and the
//! confirmations. Driven through `update` with the answers the executor
//! would give (no backend, no clock: deterministic), drawn with `render` on
//! `TestBackend` at 80×24 and 120×40.

use std::collections::BTreeMap;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use eddy::domain::{Subscription, Topic};
use eddy::pattern::filter_policy::Scope;
use eddy::tui::config::Config;
use eddy::tui::state::{Effect, Msg, Overlay, Screen, SnsEffect, SnsMsg};
use eddy::tui::{AppState, Context, render, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ACCOUNT: &str = "123456789012";

fn topic(name: &str, confirmed: u64, pending: u64, kms: Option<&str>) -> Topic {
    Topic {
        arn: format!("arn:aws:sns:us-east-1:{ACCOUNT}:{name}"),
        name: name.to_string(),
        fifo: name.ends_with(".fifo"),
        content_based_deduplication: name.ends_with(".fifo"),
        kms_key: kms.map(str::to_string),
        display_name: None,
        subscriptions_confirmed: confirmed,
        subscriptions_pending: pending,
        subscriptions_deleted: 0,
        attributes: BTreeMap::new(),
    }
}

fn subscription(
    protocol: &str,
    endpoint: &str,
    policy: Option<(&str, Scope)>,
    dlq: Option<&str>,
) -> Subscription {
    let short = endpoint.rsplit([':', '/']).next().unwrap_or(endpoint);
    Subscription {
        arn: format!("arn:aws:sns:us-east-1:{ACCOUNT}:blog-posts:{short}-0001"),
        topic_arn: format!("arn:aws:sns:us-east-1:{ACCOUNT}:blog-posts"),
        protocol: protocol.to_string(),
        endpoint: endpoint.to_string(),
        confirmed: true,
        raw_delivery: protocol == "sqs",
        filter_policy: policy.map(|(p, _)| p.to_string()),
        filter_policy_scope: policy.map_or(Scope::MessageAttributes, |(_, s)| s),
        dlq_arn: dlq.map(|d| format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{d}")),
        attributes: BTreeMap::new(),
    }
}

fn blog_subscriptions() -> Vec<Subscription> {
    let mut pending = subscription("https", "https://hooks.example.com/blog", None, None);
    pending.arn = "PendingConfirmation".to_string();
    pending.confirmed = false;
    vec![
        subscription(
            "sqs",
            &format!("arn:aws:sqs:us-east-1:{ACCOUNT}:email-notification"),
            Some((r#"{"topic":["news","tech"]}"#, Scope::MessageAttributes)),
            Some("email-notification-dlq"),
        ),
        subscription(
            "lambda",
            &format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:entity-recognition"),
            Some((
                r#"{"detail":{"words":[{"numeric":[">",100]}]}}"#,
                Scope::MessageBody,
            )),
            None,
        ),
        pending,
    ]
}

fn press(state: &mut AppState, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(press(state, KeyCode::Char(c)));
    }
    effects.extend(press(state, KeyCode::Enter));
    effects
}

fn start(read_only: bool) -> AppState {
    let context = Context {
        label: "local".to_string(),
        region: "us-east-1".to_string(),
        read_only,
        local: true,
        ..Context::default()
    };
    AppState::new(Config::defaults(), context, Instant::now()).0
}

/// `:topics`, answered with three topics.
fn topics(state: &mut AppState) {
    let effects = typed(state, ":topics");
    let [Effect::Sns(SnsEffect::Topics { req })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let at = state.now;
    update(
        state,
        Msg::Sns(SnsMsg::TopicsLoaded {
            req: *req,
            at,
            result: Ok(vec![
                topic("orders", 3, 0, None),
                topic("blog-posts", 2, 1, Some("alias/aws/sns")),
                topic("payments.fifo", 1, 0, None),
            ]),
        }),
    );
}

/// Enter on `blog-posts` (the first row), its subscriptions answered.
fn blog_topic(state: &mut AppState) {
    topics(state);
    let effects = press(state, KeyCode::Enter);
    let [Effect::Sns(SnsEffect::Subscriptions { req, topic })] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(topic.ends_with(":blog-posts"), "{topic}");
    let at = state.now;
    update(
        state,
        Msg::Sns(SnsMsg::SubscriptionsLoaded {
            req: *req,
            at,
            result: Ok(blog_subscriptions()),
        }),
    );
}

/// `w` on the email-notification subscription (sqs, the last row): the
/// filter-policy workbench, with two messages pasted into its list.
fn policy_workbench(state: &mut AppState) {
    blog_topic(state);
    press(state, KeyCode::Char('G'));
    press(state, KeyCode::Char('w'));
    assert!(matches!(state.top(), Screen::Workbench(_)));
    press(state, KeyCode::Tab);
    for m in [
        r#"{"body": "New post: rust 2027", "attributes": {"topic": {"Type": "String", "Value": "tech"}}}"#,
        r#"{"body": "Match report", "attributes": {"topic": {"Type": "String", "Value": "sports"}}}"#,
    ] {
        update(state, Msg::Paste(m.to_string()));
    }
}

fn draw(state: &AppState, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            render(state, f);
        })
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(!text.contains('\u{1b}'), "an escape reached the screen");
    text
}

fn snap(state: &AppState, name: &str) {
    for (w, h) in [(20, 5), (45, 12), (200, 60)] {
        draw(state, w, h);
    }
    insta::assert_snapshot!(format!("{name}_80x24"), draw(state, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), draw(state, 120, 40));
}

#[test]
fn topics_list() {
    let mut state = start(false);
    topics(&mut state);
    snap(&state, "topics");
}

#[test]
fn topic_subscriptions() {
    let mut state = start(false);
    blog_topic(&mut state);
    snap(&state, "topic_subscriptions");
}

#[test]
fn filter_policy_workbench_verdicts_and_explanation() {
    let mut state = start(false);
    policy_workbench(&mut state);
    // The sports message: not delivered; enter explains it key by key.
    press(&mut state, KeyCode::Char('G'));
    press(&mut state, KeyCode::Enter);
    snap(&state, "policy_workbench_explain");
}

#[test]
fn filter_policy_workbench_reach() {
    let mut state = start(false);
    policy_workbench(&mut state);
    // The tech message: which subscriptions of blog-posts it reaches.
    press(&mut state, KeyCode::Char('G'));
    press(&mut state, KeyCode::Char('k'));
    press(&mut state, KeyCode::Char('h'));
    snap(&state, "policy_workbench_reach");
}

#[test]
fn filter_policy_change_is_confirmed_with_a_diff() {
    let mut state = start(false);
    policy_workbench(&mut state);
    // Edit the policy: tab to the editor, add "sports".
    press(&mut state, KeyCode::Tab);
    if let Some(Screen::Workbench(wb)) = state.stack.last_mut() {
        wb.set_pattern("{\n  \"topic\": [\"news\", \"tech\", \"sports\"]\n}");
    }
    press(&mut state, KeyCode::Esc);
    press(&mut state, KeyCode::Char('a'));
    assert!(matches!(state.overlay, Overlay::Confirm(_)));
    snap(&state, "policy_set_confirm");
    let effects = press(&mut state, KeyCode::Char('y'));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Sns(SnsEffect::SetFilterPolicy { policy, scope: Scope::MessageAttributes, .. })]
                if policy == r#"{"topic":["news","tech","sports"]}"#
        ),
        "{effects:?}"
    );
}

#[test]
fn publish_is_confirmed() {
    let mut state = start(false);
    blog_topic(&mut state);
    press(&mut state, KeyCode::Char('p'));
    typed(
        &mut state,
        r#"{"body": "New post", "attributes": {"topic": {"Type": "String", "Value": "news"}}}"#,
    );
    assert!(matches!(state.overlay, Overlay::Confirm(_)));
    snap(&state, "publish_confirm");
}
