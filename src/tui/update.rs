//! The one synchronous `update`: a message (input, a tick, an answer) in, a
//! new state and the effects to run out. Nothing here awaits, spawns, locks
//! or draws. Keys and the shared actions are in `update/input.rs`, `:`
//! commands in `update/command.rs`, opening and refreshing in
//! `update/navigate.rs` (each asking the top view); a view's own actions and
//! what a message means for one view are in that view's file
//! (`view/<name>.rs`), which the arms below call.

mod command;
mod input;
mod navigate;

use crossterm::event::KeyEventKind;

use crate::tui::state::*;
use crate::tui::view;

use command::close_above;
use input::{apply_live_filter, on_key};
use navigate::{refresh_due, refresh_now};

// ------------------------------------------------------------------ update

/// The answers of the Lambda effects, each to its view.
fn on_lambda(state: &mut AppState, msg: LambdaMsg) -> Vec<Effect> {
    match msg {
        LambdaMsg::ConsumersLoaded { req, at, result } => {
            view::queue::consumers::loaded(state, req, at, result)
        }
        LambdaMsg::FunctionsLoaded { req, at, result } => {
            view::functions::loaded(state, req, at, result)
        }
        LambdaMsg::FunctionLoaded { req, at, result } => {
            view::function::loaded(state, req, at, result)
        }
        LambdaMsg::RecentLoaded { req, at, result } => {
            view::function::recent_loaded(state, req, at, result)
        }
        LambdaMsg::TargetFunctionLoaded {
            req,
            at,
            arn,
            result,
        } => view::rule::lambda::loaded(state, req, at, arn, result),
        LambdaMsg::WhyLoaded { req, at, result } => {
            view::message::why::loaded(state, req, at, result)
        }
    }
}

/// The answers of the SNS effects, each to its view.
fn on_sns(state: &mut AppState, msg: SnsMsg) -> Vec<Effect> {
    match msg {
        SnsMsg::TopicsLoaded { req, at, result } => view::topics::loaded(state, req, at, result),
        SnsMsg::SubscriptionsLoaded { req, at, result } => {
            view::topic::loaded(state, req, at, result)
        }
        SnsMsg::SubscriptionDlqsLoaded { req, at, result } => {
            view::dlqs::subscription_dlqs_loaded(state, req, at, result)
        }
        SnsMsg::PolicySet {
            subscription,
            policy,
            scope,
            result,
        } => view::workbench::policy_set(state, &subscription, &policy, scope, result),
        SnsMsg::ReachLoaded { req, result } => view::message::reach::loaded(state, req, result),
    }
}

/// Applies one message; returns the effects to run. Never blocks.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    let effects = apply_msg(state, msg);
    reconcile(state);
    effects
}

pub(crate) fn apply_msg(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            on_key(state, key)
        }
        Msg::Paste(text) => {
            if state.overlay == Overlay::None
                && let Screen::Workbench(wb) = state.top_mut()
            {
                wb.handle_paste(&text);
                return Vec::new();
            }
            if let Overlay::Prompt { text: t, .. } = &mut state.overlay {
                t.extend(text.chars().filter(|c| !c.is_control()));
                apply_live_filter(state);
            }
            Vec::new()
        }
        Msg::LaidOut(viewport) => {
            state.viewport = Some(viewport);
            Vec::new()
        }
        Msg::Resized { width, height } => {
            state.size = Some((width, height));
            Vec::new()
        }
        Msg::Ticked { now } => {
            state.now = now;
            refresh_due(state, now)
        }
        Msg::IdentityLoaded(result) => {
            match result {
                Ok(id) => {
                    state.context.account = id.account;
                    state.context.backend = Some(id.backend.label().to_string());
                }
                Err(e) => state.flash(Level::Warn, format!("whoami: {e}")),
            }
            Vec::new()
        }
        Msg::QueuesLoaded { req, at, result } => {
            view::queues::queues_loaded(state, req, at, result)
        }
        Msg::QueueLoaded { req, at, result } => view::queue::queue_loaded(state, req, at, result),
        Msg::QueueUrlsListed { req, at, result } => {
            view::queues::urls_listed(state, req, at, result)
        }
        Msg::QueueAttrsLoaded { req, at, results } => {
            view::queues::attrs_loaded(state, req, at, results)
        }
        Msg::RequestsCounted { at, total } => {
            state.requests.sample(at, total);
            Vec::new()
        }
        Msg::Peeked {
            req,
            at,
            wall_ms,
            result,
        } => view::queue::peeked(state, req, at, wall_ms, result),
        Msg::BusesLoaded { req, at, result } => view::buses::buses_loaded(state, req, at, result),
        Msg::RulesLoaded { req, at, result } => view::rules::rules_loaded(state, req, at, result),
        Msg::TargetsLoaded { req, at, result } => {
            view::rule::targets_loaded(state, req, at, result)
        }
        Msg::RuleLoaded { req, at, result } => view::rule::rule_loaded(state, req, at, result),
        Msg::BusRulesLoaded { req, bus, result } => {
            view::workbench::bus_rules_loaded(state, req, &bus, result)
        }
        Msg::LogGroupsLoaded { req, at, result } => {
            view::log_groups::log_groups_loaded(state, req, at, result)
        }
        Msg::TargetDlqsLoaded { req, at, result } => {
            view::dlqs::target_dlqs_loaded(state, req, at, result)
        }
        Msg::Copied(result) => {
            match result {
                Ok(n) => state.flash(
                    Level::Info,
                    format!("copied the body ({n} bytes) to the clipboard (OSC 52)"),
                ),
                Err(e) => state.flash(Level::Error, format!("cannot copy: {e}")),
            }
            Vec::new()
        }
        Msg::MessagesGone {
            queue,
            gone,
            unsure,
        } => {
            crate::tui::ops_ui::messages_gone(state, &queue, &gone, &unsure);
            Vec::new()
        }
        Msg::ActionDone { req: _, result } => {
            match result {
                Ok(done) => state.flash(Level::Info, done),
                Err(e) => state.flash(Level::Error, e.to_string()),
            }
            // What the action changed shows now on top, and on the views
            // below as soon as they are back on top.
            state.expire();
            refresh_now(state)
        }
        Msg::BodyEdited(result) => view::editor::body_edited(state, result),
        Msg::Saved(result) => {
            match result {
                Ok(path) => state.flash(Level::Info, format!("saved to {path}")),
                Err(e) => state.flash(Level::Error, format!("cannot save: {e}")),
            }
            Vec::new()
        }
        Msg::RemoteChecked {
            event_index,
            pattern,
            result,
        } => view::workbench::remote_checked(state, event_index, pattern, result),
        Msg::EventsLoaded(result) => view::workbench::events_loaded(state, result),
        Msg::PatternApplied { pattern, result } => {
            view::workbench::pattern_applied(state, pattern, result)
        }
        Msg::ArchivesLoaded {
            req,
            at,
            wall_ms,
            result,
        } => view::archives::archives_loaded(state, req, at, wall_ms, result),
        Msg::Task { id, event } => view::tasks::on_task(state, id, event),
        Msg::Lambda(m) => on_lambda(state, m),
        Msg::Sns(m) => on_sns(state, m),
        Msg::ProfilesLoaded { req, at, result } => {
            view::contexts::profiles_loaded(state, req, at, result)
        }
        Msg::ContextSwitched { req, context } => {
            if state.switching != Some(req) {
                return Vec::new();
            }
            state.switching = None;
            let read_only = state.context.read_only;
            state.context = Context {
                read_only,
                ..context
            };
            // Nothing of the old context is shown for the new one.
            let mut effects = close_above(state, 0);
            state.queues = Live::default();
            state.poller = Poller::default();
            state.attrs_pending = None;
            state.buses = Live::default();
            state.target_dlqs = Live::default();
            state.subscription_dlqs = Live::default();
            state.log_groups = Live::default();
            state.history.clear();
            state.generation += 1;
            state.index_queues();
            state.stack = vec![Screen::Queues(ListView::default())];
            state.flash(
                Level::Info,
                format!(
                    "switched to {} · {}",
                    state.context.label, state.context.region
                ),
            );
            effects.push(Effect::WhoAmI);
            effects.extend(state.fetch_queues());
            effects
        }
    }
}

/// Brings the top screen's derived list state up to date: the order when
/// data, filter or sort changed (the selection followed by identity), and
/// the scroll offset.
pub(crate) fn reconcile(state: &mut AppState) {
    let generation = state.generation;
    let top = state.top();
    let Some(lv) = top.list() else {
        return;
    };
    let want = (generation, lv.filter.clone(), lv.sort, lv.reverse);
    let view = view::of(top);
    if lv.built.as_ref() != Some(&want) {
        let order = view.order(state);
        let cursor = lv
            .selected
            .as_deref()
            .and_then(|sel| {
                order
                    .iter()
                    .position(|&i| view.key_at(state, i) == Some(sel))
            })
            .unwrap_or(0);
        if let Some(lv) = state.top_mut().list_mut() {
            lv.order = order;
            lv.cursor = cursor;
            lv.built = Some(want);
        }
    }
    // The identity of the row under the cursor, for actions on it.
    let current = state.top().list().and_then(|lv| {
        let i = *lv.order.get(lv.cursor)?;
        view.key_at(state, i).map(str::to_string)
    });
    if let Some(lv) = state.top_mut().list_mut() {
        lv.current = current;
    }
    // The rows the last frame showed, when it showed this screen.
    let depth = state.stack.len();
    let scope = state.top().scope();
    let rows = state
        .viewport
        .filter(|v| v.depth == depth && v.scope == scope)
        .map(|v| v.list_rows);
    if let (Some(rows), Some(lv)) = (rows, state.top_mut().list_mut()) {
        lv.offset = window_start(lv.order.len(), lv.cursor, lv.offset, rows);
    }
}

/// The identities of the top screen's rows, in display order (for tests
/// outside the crate).
pub fn row_keys_of(state: &AppState) -> Vec<String> {
    let view = view::of(state.top());
    state
        .top()
        .list()
        .map(|lv| {
            lv.order
                .iter()
                .filter_map(|&i| view.key_at(state, i).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The identities of the top screen's rows, in display order.
#[cfg(test)]
pub(crate) fn row_keys(state: &AppState) -> Vec<String> {
    row_keys_of(state)
}

#[cfg(test)]
mod tests {
    use super::command::run_command;
    use super::input::help_len;
    use super::*;
    use crate::aws;
    use crate::domain::Queue;
    use crate::domain::QueueCounts;
    use crate::domain::{LogGroup, Rule};
    use crate::tui::config::Config;
    use crate::tui::scope::Scope;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::time::{Duration, Instant};

    use crate::tui::testing::{code, key, queue};

    fn start() -> (AppState, Instant, ReqId) {
        let now = Instant::now();
        let (state, effects) = AppState::new(Config::defaults(), Context::default(), now);
        let req = match effects.as_slice() {
            [Effect::WhoAmI, Effect::FetchQueues { req }] => *req,
            other => panic!("{other:?}"),
        };
        (state, now, req)
    }

    fn loaded() -> (AppState, Instant) {
        let (mut state, now, req) = start();
        let queues = vec![
            queue("orders", 5, Some("orders-dlq")),
            queue("orders-dlq", 2, None),
            queue("billing", 1, None),
        ];
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        (state, now)
    }

    #[test]
    fn a_superseded_queues_answer_leaves_the_depth_history_alone() {
        let (mut state, now) = loaded();
        let before = state.history.clone();
        // A refresh is in flight; an answer to an older request arrives.
        let later = now + Duration::from_secs(3);
        // A full read of the list (the first load, a context switch).
        let effects = full_read(&mut state);
        let [Effect::FetchQueues { req: current }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let stale = ReqId(current.0 + 100);
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: stale,
                at: later,
                result: Ok(vec![queue("orders", 900, None), queue("other", 7, None)]),
            },
        );
        assert_eq!(state.history, before, "a dropped answer adds no samples");
        assert_eq!(rate_per_min(&state, "http://x/1/orders"), None);
        // The awaited answer is still taken and sampled.
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *current,
                at: later,
                result: Ok(vec![queue("orders", 6, None)]),
            },
        );
        let h = &state.history["http://x/1/orders"];
        assert_eq!(h.iter().map(|&(_, v)| v).collect::<Vec<_>>(), vec![5, 6]);
        assert_eq!(state.history.len(), 1, "samples only for listed queues");
    }

    /// A full read of the queue list (every queue's attributes): the first
    /// load and a context switch do it; ticks read within the API budget
    /// (`view::queues::poll`, tested in `view/queues.rs`).
    fn full_read(state: &mut AppState) -> Vec<Effect> {
        state.fetch_queues().into_iter().collect()
    }

    /// Refreshes the queue list at `at` with `queues` (a full read, then the answer).
    fn refreshed(state: &mut AppState, at: Instant, queues: Vec<Queue>) {
        let effects = full_read(state);
        let [Effect::FetchQueues { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let req = *req;
        update(
            state,
            Msg::QueuesLoaded {
                req,
                at,
                result: Ok(queues),
            },
        );
    }

    #[test]
    fn a_refresh_failed_flash_is_known_by_its_kind_not_its_text() {
        let (mut state, now) = loaded();
        // Worded otherwise, a refresh-failed flash is still cleared by a
        // refresh that succeeds.
        state.flash_of(
            FlashKind::RefreshFailed,
            Level::Warn,
            "the queue list could not be read",
        );
        let later = now + Duration::from_secs(3);
        refreshed(&mut state, later, vec![queue("orders", 1, None)]);
        assert_eq!(state.flash, None);
        // A plain flash that happens to start with those words stays.
        state.flash(Level::Info, "refresh failed? no: a plain message");
        refreshed(
            &mut state,
            later + Duration::from_secs(3),
            vec![queue("orders", 1, None)],
        );
        assert_eq!(
            state.flash.as_ref().map(|f| f.text.as_str()),
            Some("refresh failed? no: a plain message")
        );
    }

    #[test]
    fn starts_loading_queues_and_keeps_rows_on_error() {
        let (mut state, now, req) = start();
        assert!(matches!(state.queues.value, Loadable::Loading { .. }));
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(vec![queue("a", 1, None)]),
            },
        );
        assert!(state.queues.value.is_loaded());
        // Not due yet: no refresh.
        assert!(update(&mut state, Msg::Ticked { now }).is_empty());
        let later = now + Duration::from_secs(3);
        // A full read of the list (the first load, a context switch).
        let effects = full_read(&mut state);
        let [Effect::FetchQueues { req: r2 }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        // In flight: the next tick skips.
        assert!(
            update(
                &mut state,
                Msg::Ticked {
                    now: later + Duration::from_secs(5)
                }
            )
            .is_empty()
        );
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *r2,
                at: later,
                result: Err(aws::Error::Invalid("throttled".to_string())),
            },
        );
        assert_eq!(
            state.queues.value.data().map(Vec::len),
            Some(1),
            "stale rows kept"
        );
        assert!(state.queues.value.error().is_some());
        assert_eq!(state.queues.failures, 1);
        // Backoff: 4 s rather than 2 s.
        assert_eq!(
            state.queues.next_refresh,
            Some(later + Duration::from_secs(4))
        );
        assert!(
            state
                .flash
                .as_ref()
                .is_some_and(|f| f.text.contains("next in 4s"))
        );
    }

    #[test]
    fn superseded_answers_are_dropped() {
        let (mut state, now, req) = start();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: ReqId(req.0 + 100),
                at: now,
                result: Ok(vec![queue("a", 1, None)]),
            },
        );
        assert!(matches!(state.queues.value, Loadable::Loading { .. }));
    }

    #[test]
    fn selection_follows_the_queue_not_the_index() {
        let (mut state, now) = loaded();
        update(&mut state, key('j'));
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(lv.selected.as_deref(), Some("http://x/1/orders"));
        // A new queue sorted before it appears: the selection stays on orders.
        let effects = full_read(&mut state);
        let [Effect::FetchQueues { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::QueuesLoaded {
                req: *req,
                at: now + Duration::from_secs(60),
                result: Ok(vec![
                    queue("aaa", 0, None),
                    queue("orders", 9, Some("orders-dlq")),
                    queue("orders-dlq", 2, None),
                    queue("billing", 1, None),
                ]),
            },
        );
        let keys = row_keys(&state);
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(selected_index(&keys, &lv.selected), Some(2));
        assert_eq!(rate_per_min(&state, "http://x/1/orders"), Some(4.0));
    }

    fn load(state: &mut AppState, at: Instant, queues: Vec<Queue>) {
        let effects = full_read(state);
        let [Effect::FetchQueues { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            state,
            Msg::QueuesLoaded {
                req: *req,
                at,
                result: Ok(queues),
            },
        );
    }

    #[test]
    fn history_forgets_queues_no_longer_listed() {
        let (mut state, now) = loaded();
        assert!(state.history.contains_key("http://x/1/billing"));
        load(
            &mut state,
            now + Duration::from_secs(2),
            vec![
                queue("orders", 5, Some("orders-dlq")),
                queue("orders-dlq", 2, None),
            ],
        );
        assert!(!state.history.contains_key("http://x/1/billing"));
        assert_eq!(state.history.len(), 2);
        assert_eq!(state.history["http://x/1/orders"].len(), 2);
    }

    #[test]
    fn the_order_is_kept_and_the_window_scrolls_stably() {
        let (mut state, now, req) = start();
        // 24 rows: 21 for the body, 18 table rows (as render reports them).
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 24,
            },
        );
        update(
            &mut state,
            Msg::LaidOut(Viewport {
                depth: 1,
                scope: Scope::Queues,
                list_rows: 18,
            }),
        );
        let queues: Vec<Queue> = (0..100)
            .map(|i| queue(&format!("q{i:03}"), i, None))
            .collect();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        let lv = |s: &AppState| s.top().list().cloned().unwrap_or_default();
        assert_eq!(lv(&state).order.len(), 100);
        assert_eq!(row_keys(&state)[0], "http://x/1/q000");
        for _ in 0..30 {
            update(&mut state, key('j'));
        }
        let l = lv(&state);
        assert_eq!(
            (l.cursor, l.offset),
            (30, 13),
            "the selection on the last row"
        );
        for _ in 0..5 {
            update(&mut state, key('k'));
        }
        let l = lv(&state);
        assert_eq!((l.cursor, l.offset), (25, 13), "the window stays put");
        assert_eq!(l.selected.as_deref(), Some("http://x/1/q025"));
        // Sorting by visible, largest first: the selection follows the queue.
        update(&mut state, key('s'));
        update(&mut state, key('s'));
        let l = lv(&state);
        assert_eq!(l.cursor, 74);
        assert_eq!(row_keys(&state)[l.cursor], "http://x/1/q025");
        assert!(l.offset <= 74 && 74 < l.offset + 18);
        // A filter narrows the order; the window never runs past its end.
        update(&mut state, key('/'));
        update(&mut state, key('9'));
        let l = lv(&state);
        assert_eq!(l.order.len(), 19);
        assert!(l.offset <= 1);
    }

    #[test]
    fn the_window_follows_the_layout_render_reported_for_this_screen() {
        let (mut state, now, req) = start();
        let queues: Vec<Queue> = (0..100)
            .map(|i| queue(&format!("q{i:03}"), i, None))
            .collect();
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(queues),
            },
        );
        // A layout measured on another screen does not apply here.
        update(
            &mut state,
            Msg::LaidOut(Viewport {
                depth: 2,
                scope: Scope::Queue,
                list_rows: 5,
            }),
        );
        for _ in 0..30 {
            update(&mut state, key('j'));
        }
        let offset = |s: &AppState| s.top().list().map(|l| (l.cursor, l.offset));
        assert_eq!(offset(&state), Some((30, 0)));
        // The frame of this list reports 18 rows: the selection comes into view.
        update(
            &mut state,
            Msg::LaidOut(Viewport {
                depth: 1,
                scope: Scope::Queues,
                list_rows: 18,
            }),
        );
        assert_eq!(offset(&state), Some((30, 13)));
    }

    #[test]
    fn enter_opens_detail_and_peek_is_explicit() {
        let (mut state, _) = loaded();
        update(&mut state, key('j')); // orders
        let effects = update(&mut state, code(KeyCode::Enter));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue == "http://x/1/orders"),
            "{effects:?}"
        );
        assert_eq!(state.top().scope(), Scope::Queue);
        // Ticks refresh the counts, never the messages.
        let effects = update(
            &mut state,
            Msg::Ticked {
                now: Instant::now() + Duration::from_secs(3600),
            },
        );
        assert!(effects.iter().all(|e| !matches!(e, Effect::Peek { .. })));
        let effects = update(&mut state, key('p'));
        assert!(
            matches!(effects.as_slice(), [Effect::Peek { max: 10, .. }]),
            "{effects:?}"
        );
        // A second p while the first runs does nothing.
        assert!(update(&mut state, key('p')).is_empty());
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(state.top().scope(), Scope::Queues);
    }

    #[test]
    fn filter_sort_and_commands() {
        let (mut state, _) = loaded();
        update(&mut state, key('/'));
        for c in "dlq".chars() {
            update(&mut state, key(c));
        }
        update(&mut state, code(KeyCode::Enter));
        let Screen::Queues(lv) = state.top() else {
            panic!()
        };
        assert_eq!(lv.filter, "dlq");
        assert_eq!(row_keys(&state), vec!["http://x/1/orders-dlq".to_string()]);
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(row_keys(&state).len(), 3);
        // s: sort by type, then visible (largest first).
        update(&mut state, key('s'));
        update(&mut state, key('s'));
        assert_eq!(row_keys(&state)[0], "http://x/1/orders");
        update(&mut state, key('S'));
        assert_eq!(row_keys(&state)[0], "http://x/1/billing");
        // :dlqs
        update(&mut state, key(':'));
        for c in "dlq".chars() {
            update(&mut state, key(c));
        }
        let effects = update(&mut state, code(KeyCode::Enter));
        assert_eq!(state.top().scope(), Scope::Dlqs);
        // The queue list, the walk of the targets for their DLQs, and the
        // SNS subscriptions with a DLQ.
        assert!(
            effects.iter().all(|e| matches!(
                e,
                Effect::FetchQueues { .. }
                    | Effect::ListQueueUrls { .. }
                    | Effect::FetchTargetDlqs { .. }
                    | Effect::Sns(SnsEffect::SubscriptionDlqs { .. })
            )),
            "{effects:?}"
        );
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::FetchTargetDlqs { .. }))
        );
        let Screen::Dlqs(lv) = state.top() else {
            panic!()
        };
        let rows = view::dlqs::dlq_rows(&state, lv);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].sources, vec!["orders"]);
        update(&mut state, key(':'));
        update(&mut state, key('x'));
        update(&mut state, code(KeyCode::Enter));
        assert_eq!(state.flash.as_ref().map(|f| f.level), Some(Level::Error));
        update(&mut state, key(':'));
        update(&mut state, key('q'));
        update(&mut state, code(KeyCode::Enter));
        assert!(state.quit);
    }

    #[test]
    fn help_overlay_and_quit_keys() {
        let (mut state, _) = loaded();
        update(&mut state, key('?'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 0 });
        update(&mut state, code(KeyCode::Esc));
        assert_eq!(state.overlay, Overlay::None);
        let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        update(&mut state, Msg::Key(release));
        assert!(!state.quit, "only presses count");
        update(
            &mut state,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        );
        assert!(state.quit);
    }

    #[test]
    fn go_to_dlq_and_logs_close_on_back() {
        let (mut state, _) = loaded();
        update(&mut state, key('j'));
        let effects = update(&mut state, key('d'));
        assert!(
            matches!(effects.as_slice(), [Effect::FetchQueue { queue, .. }] if queue.ends_with(":orders-dlq")),
            "{effects:?}"
        );
        let effects = run_command(&mut state, "logs");
        let [Effect::FetchLogGroups { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::LogGroupsLoaded {
                req: *req,
                at: Instant::now(),
                result: Ok(vec![LogGroup {
                    name: "/aws/x".into(),
                    arn: None,
                    stored_bytes: None,
                    retention_days: None,
                    created_ms: None,
                }]),
            },
        );
        let effects = update(&mut state, code(KeyCode::Enter));
        let [Effect::OpenLog { req, group, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(group, "/aws/x");
        let req = *req;
        let effects = update(&mut state, code(KeyCode::Esc));
        assert_eq!(effects, vec![Effect::CloseLog { req }]);
        let _ = QueueCounts::default();
    }

    fn typed(state: &mut AppState, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(update(state, key(c)));
        }
        effects.extend(update(state, code(KeyCode::Enter)));
        effects
    }

    #[test]
    fn a_peek_that_can_dead_letter_asks_first() {
        let (mut state, now, req) = start();
        let mut risky = queue("payments", 3, Some("payments-dlq"));
        if let Some(rp) = &mut risky.redrive_policy {
            rp.max_receive_count = 2;
        }
        update(
            &mut state,
            Msg::QueuesLoaded {
                req,
                at: now,
                result: Ok(vec![risky, queue("payments-dlq", 0, None)]),
            },
        );
        // The first row is payments (by name).
        let effects = update(&mut state, key('p'));
        assert!(effects.is_empty(), "{effects:?}");
        let Overlay::Confirm(c) = &state.overlay else {
            panic!("{:?}", state.overlay)
        };
        assert!(c.lines.iter().any(|l| l.contains("maxReceiveCount is 2")));
        // No: nothing is sent.
        assert!(update(&mut state, key('n')).is_empty());
        assert_eq!(state.overlay, Overlay::None);
        // Yes: a forced peek.
        update(&mut state, key('p'));
        let effects = update(&mut state, key('y'));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Peek { force: true, .. })),
            "{effects:?}"
        );
        // A safe queue peeks at once, unforced.
        let (mut state, _) = loaded();
        let effects = update(&mut state, key('p'));
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Peek { force: false, .. })),
            "{effects:?}"
        );
    }

    #[test]
    fn typed_confirmations_need_the_exact_text() {
        let (mut state, _) = loaded();
        state.overlay = Overlay::Confirm(Box::new(Confirm {
            title: "t".into(),
            lines: vec![],
            typed: Some("orders".into()),
            input: String::new(),
            then: Pending::ForcedPeek {
                queue: "orders".into(),
            },
        }));
        // `y` is just a letter here; a wrong text is cleared, not accepted.
        assert!(typed(&mut state, "y").is_empty());
        assert!(matches!(&state.overlay, Overlay::Confirm(c) if c.input.is_empty()));
        let effects = typed(&mut state, "orders");
        assert_eq!(state.overlay, Overlay::None);
        assert!(!effects.is_empty());
    }

    #[test]
    fn help_scrolls_within_its_lines() {
        let (mut state, _) = loaded();
        update(
            &mut state,
            Msg::Resized {
                width: 80,
                height: 12,
            },
        );
        update(&mut state, key('?'));
        update(&mut state, key('j'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 1 });
        update(&mut state, key('G'));
        let max = help_len(&state) - 7;
        assert_eq!(state.overlay, Overlay::Help { scroll: max });
        update(&mut state, key('k'));
        assert_eq!(state.overlay, Overlay::Help { scroll: max - 1 });
        update(&mut state, key('g'));
        assert_eq!(state.overlay, Overlay::Help { scroll: 0 });
    }

    #[test]
    fn rules_sort_by_any_column() {
        let (mut state, now) = loaded();
        let rule = |name: &str, enabled: bool, targets: usize| RuleRow {
            rule: Rule {
                name: name.into(),
                arn: format!("arn:aws:events:us-east-1:1:rule/b/{name}"),
                bus: "b".into(),
                state: if enabled {
                    crate::domain::RuleState::Enabled
                } else {
                    crate::domain::RuleState::Disabled
                },
                pattern: Some(format!("{{\"source\":[\"{name}\"]}}")),
                schedule: None,
                description: None,
                managed_by: None,
                role_arn: None,
            },
            targets,
        };
        let req = state.req();
        let mut rules = RulesScreen {
            bus: "b".into(),
            rules: Live::default(),
            list: ListView::default(),
        };
        rules.rules.begin(req);
        state.stack.push(Screen::Rules(rules));
        update(
            &mut state,
            Msg::RulesLoaded {
                req,
                at: now,
                result: Ok(vec![
                    rule("c", true, 1),
                    rule("a", false, 3),
                    rule("b", true, 2),
                ]),
            },
        );
        let names = |state: &AppState| -> Vec<String> {
            let Screen::Rules(r) = state.top() else {
                panic!()
            };
            let all = r.rules.value.data().unwrap();
            r.list
                .order
                .iter()
                .map(|&i| all[i].rule.name.clone())
                .collect()
        };
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('s')); // state, A to Z
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('s')); // targets, most first
        assert_eq!(names(&state), ["a", "b", "c"]);
        update(&mut state, key('S')); // fewest first
        assert_eq!(names(&state), ["c", "b", "a"]);
    }

    #[test]
    fn ctx_lists_profiles_and_switches() {
        let (mut state, now) = loaded();
        state.local_available = true;
        let effects = typed(&mut state, ":ctx");
        let [Effect::FetchProfiles { req }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        update(
            &mut state,
            Msg::ProfilesLoaded {
                req: *req,
                at: now,
                result: Ok(vec!["dev".into(), "prod".into()]),
            },
        );
        let labels: Vec<String> = state
            .profiles
            .value
            .data()
            .unwrap()
            .iter()
            .map(|c| c.label.clone())
            .collect();
        assert_eq!(labels, ["local", "profile dev", "profile prod"]);
        update(&mut state, key('j'));
        update(&mut state, key('j'));
        let effects = update(&mut state, code(KeyCode::Enter));
        let [
            Effect::SwitchContext {
                req,
                local: false,
                settings,
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(settings.profile.as_deref(), Some("prod"));
        // An answer to an older switch is ignored; this one resets the views.
        update(
            &mut state,
            Msg::ContextSwitched {
                req: ReqId(req.0 + 100),
                context: Context::default(),
            },
        );
        assert_eq!(state.top().scope(), Scope::Ctx);
        state.context.read_only = true;
        let effects = update(
            &mut state,
            Msg::ContextSwitched {
                req: *req,
                context: Context {
                    label: "profile prod".into(),
                    region: "eu-west-1".into(),
                    ..Context::default()
                },
            },
        );
        assert_eq!(state.top().scope(), Scope::Queues);
        assert!(state.context.read_only, "read-only survives a switch");
        assert_eq!(state.context.region, "eu-west-1");
        assert!(state.queues.value.data().is_none());
        assert!(effects.contains(&Effect::WhoAmI));
        // :region and :endpoint keep the rest of the context.
        state.context.settings.profile = Some("prod".into());
        let effects = typed(&mut state, ":region us-west-2");
        let [Effect::SwitchContext { settings, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(settings.profile.as_deref(), Some("prod"));
        assert_eq!(settings.region.as_deref(), Some("us-west-2"));
        let effects = typed(&mut state, ":endpoint localhost:4566");
        assert!(effects.is_empty(), "not a URL");
        let effects = typed(&mut state, ":endpoint http://127.0.0.1:4566");
        let [Effect::SwitchContext { settings, .. }] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        assert_eq!(
            settings.endpoint_url.as_deref(),
            Some("http://127.0.0.1:4566")
        );
    }

    #[test]
    fn profile_sections_of_the_shared_files() {
        let config = "[default]\nregion=x\n[profile prod]\n[sso-session corp]\n[services s]\n[profile  dev ]\n";
        assert_eq!(
            aws::profile_sections(config, true),
            ["default", "prod", "dev"]
        );
        assert_eq!(
            aws::profile_sections("[default]\n[ci]\n", false),
            ["default", "ci"]
        );
    }
}
