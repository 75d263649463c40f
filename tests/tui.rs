//! The terminal UI through its real event loop: `TestBackend`, scripted keys,
//! the embedded backend seeded with the demo world (no traffic simulator) and
//! fixed messages. Waits for state, never for timers. Snapshots at 80×24 and
//! 120×40, with times, ids and ports masked.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use eddy::aws::{Clients, Settings};
use eddy::domain::{MessageAttribute, OutgoingMessage};
use eddy::local::{self, Local, demo, server::Running};
use eddy::tui::config::Config;
use eddy::tui::state::LogStatus;
use eddy::tui::{AppState, Context, Loadable, Options, Screen, Tui};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

type Input = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

struct World {
    local: Arc<Local>,
    running: Option<Running>,
    clients: Clients,
}

const ENVELOPE: &str = r#"{"version":"0","id":"evt-one","detail-type":"Payment Processed","source":"demo.payments","account":"000000000000","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],"detail":{"order_id":"A-1","total_cost":250,"items":["gift card"]}}"#;
/// SQS refuses ESC and BEL in bodies, but takes C1 controls (CSI is
/// U+009B) and bidi overrides, which terminals act on just the same.
const ANSI: &str = "\u{9b}2J\u{9b}31mred and \u{202e}reversed";

async fn world() -> World {
    audit_file();
    let local = Local::new(&local::Config::default()).unwrap();
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let running = local::start(Arc::clone(&local), addr).await.unwrap();
    demo::seed(&local).await.unwrap();
    let clients = Clients::connect_local(&Settings {
        profile: None,
        region: Some(demo::REGION.to_string()),
        endpoint_url: Some(running.url.clone()),
    })
    .await;
    World {
        local,
        running: Some(running),
        clients,
    }
}

impl World {
    async fn send(&self, queue: &str, body: &str, attrs: &[(&str, &str)]) {
        let url = self.clients.queue_url(queue).await.unwrap();
        let attributes: BTreeMap<String, MessageAttribute> = attrs
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    MessageAttribute {
                        data_type: "String".to_string(),
                        string_value: Some(v.to_string()),
                        binary_value: None,
                    },
                )
            })
            .collect();
        self.clients
            .send(
                &url,
                &OutgoingMessage {
                    body: body.to_string(),
                    attributes,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }

    async fn stuck_messages(&self) {
        self.send(
            "warehouse-dlq",
            ENVELOPE,
            &[
                ("ERROR_CODE", "SQS.NoStockRecord"),
                ("ERROR_MESSAGE", "no stock record for gift cards"),
                (
                    "RULE_ARN",
                    "arn:aws:events:us-east-1:000000000000:rule/orders/payment-processed",
                ),
                ("TARGET_ARN", "arn:aws:sqs:us-east-1:000000000000:warehouse"),
            ],
        )
        .await;
        self.send("warehouse-dlq", ANSI, &[]).await;
        self.send("rewards", r#"{"order_id":"B-2"}"#, &[]).await;
    }

    fn tui(&self, clipboard: Arc<Mutex<Vec<u8>>>) -> Tui<TestBackend> {
        self.tui_with(clipboard, true)
    }

    fn tui_with(&self, clipboard: Arc<Mutex<Vec<u8>>>, read_only: bool) -> Tui<TestBackend> {
        let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let context = Context {
            label: "local".to_string(),
            region: demo::REGION.to_string(),
            account: None,
            backend: None,
            read_only,
            local: true,
            settings: Default::default(),
        };
        let (state, first) = AppState::new(Config::defaults(), context, Instant::now());
        Tui::new(
            terminal,
            state,
            first,
            self.clients.clone(),
            clipboard,
            Options { ticks: false },
        )
    }
}

/// Keys from a script: `enter`, `esc`, `up`, `down`, `bs`, `ctrl-c`, or
/// characters typed one by one. `done` turns true once the last key is out.
fn script(keys: &str, done: Arc<AtomicBool>) -> Input {
    let mut events: VecDeque<Event> = VecDeque::new();
    for token in keys.split_whitespace() {
        let code = |c| Event::Key(KeyEvent::new(c, KeyModifiers::NONE));
        match token {
            "enter" => events.push_back(code(KeyCode::Enter)),
            "esc" => events.push_back(code(KeyCode::Esc)),
            "up" => events.push_back(code(KeyCode::Up)),
            "down" => events.push_back(code(KeyCode::Down)),
            "bs" => events.push_back(code(KeyCode::Backspace)),
            "space" => events.push_back(code(KeyCode::Char(' '))),
            "tab" => events.push_back(code(KeyCode::Tab)),
            "end" => events.push_back(code(KeyCode::End)),
            "ctrl-s" | "ctrl-t" | "ctrl-d" => {
                let c = token.chars().last().unwrap();
                events.push_back(Event::Key(KeyEvent::new(
                    KeyCode::Char(c),
                    KeyModifiers::CONTROL,
                )));
            }
            "ctrl-c" => events.push_back(Event::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            ))),
            chars => {
                for c in chars.chars() {
                    let m = if c.is_ascii_uppercase() {
                        KeyModifiers::SHIFT
                    } else {
                        KeyModifiers::NONE
                    };
                    events.push_back(Event::Key(KeyEvent::new(KeyCode::Char(c), m)));
                }
            }
        }
    }
    if events.is_empty() {
        done.store(true, Ordering::SeqCst);
    }
    Box::pin(futures_util::stream::unfold(
        (events, done),
        |(mut events, done)| async move {
            match events.pop_front() {
                Some(e) => {
                    if events.is_empty() {
                        done.store(true, Ordering::SeqCst);
                    }
                    Some((Ok(e), (events, done)))
                }
                None => futures_util::future::pending().await,
            }
        },
    ))
}

/// Types `keys` into the real loop, then runs it until `until` holds.
async fn step(tui: &mut Tui<TestBackend>, keys: &str, until: impl Fn(&AppState) -> bool) {
    let sent = Arc::new(AtomicBool::new(false));
    let mut input = script(keys, Arc::clone(&sent));
    let reached = tokio::time::timeout(
        Duration::from_secs(30),
        tui.run_until(&mut input, |s| {
            sent.load(Ordering::SeqCst) && s.context.backend.is_some() && until(s)
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("`{keys}`: timed out; state: {:#?}", tui.state().stack))
    .unwrap();
    assert!(reached, "`{keys}`: the loop ended first");
}

/// The screen as text with what changes run to run masked (same widths):
/// times, dates, long hex/digit runs (ids, timestamps), the backend's port.
fn masked(tui: &Tui<TestBackend>) -> String {
    let text = tui.terminal().backend().to_string();
    assert!(
        !text.contains('\u{1b}'),
        "an escape reached the screen:\n{text}"
    );
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut i = 0;
    while i < chars.len() {
        // HH:MM:SS
        if digit(i)
            && digit(i + 1)
            && chars.get(i + 2) == Some(&':')
            && digit(i + 3)
            && digit(i + 4)
            && chars.get(i + 5) == Some(&':')
            && digit(i + 6)
            && digit(i + 7)
        {
            for (k, c) in "hh:mm:ss".chars().enumerate() {
                out[i + k] = c;
            }
            i += 8;
            continue;
        }
        // 127.0.0.1:PORT
        if chars[i..].starts_with(&"127.0.0.1:".chars().collect::<Vec<_>>()) {
            let mut j = i + 10;
            while digit(j) {
                out[j] = 'P';
                j += 1;
            }
            i = j;
            continue;
        }
        // eddy-tail-SECONDS-RANDOM: a tail's queue and rule.
        if chars[i..].starts_with(&"eddy-tail-".chars().collect::<Vec<_>>()) {
            let mut j = i + 10;
            while j < chars.len() && (chars[j].is_ascii_hexdigit() || chars[j] == '-') {
                out[j] = 'x';
                j += 1;
            }
            i = j;
            continue;
        }
        // YYYY-MM-DD
        if (0..4).all(|k| digit(i + k))
            && chars.get(i + 4) == Some(&'-')
            && digit(i + 5)
            && digit(i + 6)
            && chars.get(i + 7) == Some(&'-')
            && digit(i + 8)
            && digit(i + 9)
            && !(i > 0 && chars[i - 1].is_ascii_hexdigit())
        {
            for (k, c) in "yyyy-mm-dd".chars().enumerate() {
                out[i + k] = c;
            }
            i += 10;
            continue;
        }
        // Runs of hex digits and dashes of 8 or more with a digit: ids, timestamps.
        let start = i;
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_hexdigit() || chars[j] == '-') {
            j += 1;
        }
        let run = &chars[start..j];
        let boundary = start == 0 || !chars[start - 1].is_alphanumeric();
        let end_ok = j >= chars.len() || !chars[j].is_alphanumeric();
        // An id cut short by an overlay's border, or by its column ("…").
        let cut = run.len() >= 5 && matches!(chars.get(j), Some('│' | '…' | '└' | '┘'));
        // (A cut id may show only letters: "ffede│".)
        let has_digit = run.iter().any(|c| c.is_ascii_digit());
        if ((run.len() >= 8 && has_digit) || cut) && boundary && end_ok {
            for (k, c) in run.iter().enumerate() {
                if *c != '-' {
                    out[start + k] = 'x';
                }
            }
        }
        i = if j > start { j } else { i + 1 };
    }
    out.into_iter().collect()
}

/// Snapshots the current state at 80×24 and at 120×40 (drawn by the loop's
/// own draw), and draws it at odd sizes to check nothing panics.
fn snap(tui: &mut Tui<TestBackend>, name: &str) {
    for (w, h) in [(20, 5), (45, 12), (200, 60)] {
        tui.terminal_mut().backend_mut().resize(w, h);
        tui.draw().unwrap();
    }
    tui.terminal_mut().backend_mut().resize(80, 24);
    tui.draw().unwrap();
    insta::assert_snapshot!(format!("{name}_80x24"), masked(tui));
    tui.terminal_mut().backend_mut().resize(120, 40);
    tui.draw().unwrap();
    insta::assert_snapshot!(format!("{name}_120x40"), masked(tui));
    tui.terminal_mut().backend_mut().resize(80, 24);
    tui.draw().unwrap();
}

fn queues_settled(s: &AppState) -> bool {
    s.queues.value.is_loaded() && s.queues.pending.is_none()
}

/// The open queue's consumers are read (or could not be): the panel is settled.
fn consumers_settled(q: &eddy::tui::state::QueueScreen) -> bool {
    q.consumers.pending.is_none()
        && (q.consumers.value.data().is_some() || q.consumers.value.error().is_some())
}

/// The open message's "why it failed" is answered.
fn why_settled(s: &AppState) -> bool {
    match s.top() {
        Screen::Message(i) => matches!(
            i.why,
            eddy::tui::inspect::WhyState::Found(_) | eddy::tui::inspect::WhyState::Failed(_)
        ),
        _ => false,
    }
}

fn scope(s: &AppState) -> &'static str {
    s.top().scope().name()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_dlqs_detail_peek_and_inspector() {
    let w = world().await;
    w.stuck_messages().await;
    let clipboard = Arc::new(Mutex::new(Vec::new()));
    let mut tui = w.tui(Arc::clone(&clipboard) as Arc<Mutex<Vec<u8>>>);

    // Before any answer: loading.
    tui.draw().unwrap();
    insta::assert_snapshot!("queues_loading_80x24", masked(&tui));

    step(&mut tui, "", queues_settled).await;
    snap(&mut tui, "queues_loaded");

    step(&mut tui, "?", |s| {
        matches!(s.overlay, eddy::tui::state::Overlay::Help { .. })
    })
    .await;
    snap(&mut tui, "help");

    step(&mut tui, "esc : dlqs enter", |s| {
        scope(s) == "dlqs" && queues_settled(s)
    })
    .await;
    snap(&mut tui, "dlqs");

    // The last DLQ by name is warehouse-dlq.
    step(&mut tui, "G enter", |s| match s.top() {
        Screen::Queue(q) => q.queue.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    let Screen::Queue(q) = tui.state().top() else {
        unreachable!()
    };
    assert_eq!(q.queue.value.data().unwrap().name, "warehouse-dlq");
    snap(&mut tui, "queue_before_peek");

    step(&mut tui, "p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    let Screen::Queue(q) = tui.state().top() else {
        unreachable!()
    };
    assert_eq!(q.peek.value.data().unwrap().messages.len(), 2);
    snap(&mut tui, "queue_after_peek");

    // The JSON message (sent first).
    step(&mut tui, "g enter", why_settled).await;
    snap(&mut tui, "inspector_json");

    step(&mut tui, "y", |s| {
        s.flash.as_ref().is_some_and(|f| f.text.contains("copied"))
    })
    .await;
    let copied = String::from_utf8(clipboard.lock().unwrap().clone()).unwrap();
    let expected = format!(
        "\u{1b}]52;c;{}\u{7}",
        aws_smithy_types::base64::encode(ENVELOPE.as_bytes())
    );
    assert_eq!(copied, expected);

    // The body with terminal escapes: shown escaped, nothing raw on screen.
    step(&mut tui, "esc j enter", |s| match s.top() {
        Screen::Message(i) => i.message.body == ANSI,
        _ => false,
    })
    .await;
    tui.draw().unwrap();
    let text = masked(&tui);
    assert!(
        text.contains("\\u{9b}2J\\u{9b}31mred and \\u{202e}reversed"),
        "{text}"
    );
    for cell in tui.terminal().backend().buffer().content() {
        assert!(!cell.symbol().chars().any(|c| c.is_control()), "{cell:?}");
    }

    let sent = Arc::new(AtomicBool::new(false));
    let ended = tui
        .run_until(&mut script("q", sent), |_| false)
        .await
        .unwrap();
    assert!(!ended && tui.state().quit, "q quits by returning");
    drop(w.local);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buses_rules_rule_detail_and_target_queue() {
    let w = world().await;
    let mut tui = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut tui, ": buses enter", |s| {
        scope(s) == "buses" && s.buses.value.is_loaded()
    })
    .await;
    snap(&mut tui, "buses");

    // Sorted by name: blog, blog-updates, default, orders.
    step(&mut tui, "G enter", |s| match s.top() {
        Screen::Rules(r) => r.rules.value.is_loaded(),
        _ => false,
    })
    .await;
    snap(&mut tui, "rules");

    step(&mut tui, "enter", |s| match s.top() {
        Screen::Rule(r) => r.targets.value.is_loaded(),
        _ => false,
    })
    .await;
    snap(&mut tui, "rule_detail");

    // A target that is a queue opens that queue.
    step(&mut tui, "enter", |s| match s.top() {
        Screen::Queue(q) => q.queue.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    let Screen::Queue(q) = tui.state().top() else {
        unreachable!()
    };
    assert_eq!(q.queue.value.data().unwrap().name, "rewards");
    step(&mut tui, "esc esc esc", |s| scope(s) == "buses").await;
}

/// Every request the clients send is counted in one place (the header's
/// request rate reads it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_counted() {
    let w = world().await;
    let before = eddy::aws::requests_sent();
    w.clients.list_buses().await.unwrap();
    w.clients.list_queues(None).await.unwrap();
    assert!(eddy::aws::requests_sent() >= before + 2);
}

/// A change made from another terminal (the SDK here) shows in the rule
/// view after `r`: its state and its pattern, not only "↻ 0s ago".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_view_shows_a_change_made_elsewhere_after_r() {
    let w = world().await;
    let mut tui = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut tui, ": buses enter", |s| s.buses.value.is_loaded()).await;
    step(&mut tui, "G enter", |s| match s.top() {
        Screen::Rules(r) => r.rules.value.is_loaded(),
        _ => false,
    })
    .await;
    step(&mut tui, "enter", |s| match s.top() {
        Screen::Rule(r) => r.targets.value.is_loaded() && r.latest.value.is_loaded(),
        _ => false,
    })
    .await;
    let Screen::Rule(r) = tui.state().top() else {
        unreachable!()
    };
    assert_eq!(r.rule.name, "payment-processed");
    assert_eq!(r.rule.state.as_str(), "ENABLED");
    w.clients
        .put_rule(
            "payment-processed",
            Some("orders"),
            r#"{"source":["elsewhere"]}"#,
            eddy::domain::RuleState::Disabled,
        )
        .await
        .unwrap();
    step(&mut tui, "r", |s| match s.top() {
        Screen::Rule(r) => {
            r.rule.state.as_str() == "DISABLED" && r.pattern.join("").contains("elsewhere")
        }
        _ => false,
    })
    .await;
    tui.draw().unwrap();
    let text = masked(&tui);
    assert!(text.contains("DISABLED"), "{text}");
    assert!(text.contains("elsewhere"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_open_then_follow() {
    let w = world().await;
    let now = eddy::local::now_ms();
    w.clients
        .put_log_events(
            "/aws/lambda/warehouse",
            "run-1",
            &[
                (now - 2000, "processed order A-1".to_string()),
                (
                    now - 1000,
                    "ERROR no stock record for \u{1b}[31mgift cards".to_string(),
                ),
            ],
        )
        .await
        .unwrap();
    let mut tui = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut tui, ": logs enter", |s| {
        scope(s) == "logs" && s.log_groups.value.is_loaded()
    })
    .await;
    snap(&mut tui, "log_groups");

    step(&mut tui, "/ lambda/warehouse enter enter", |s| {
        match s.top() {
            Screen::Log(l) => matches!(l.status, LogStatus::Following) && l.events.len() == 2,
            _ => false,
        }
    })
    .await;
    snap(&mut tui, "log_events");

    // New events arrive by following.
    w.clients
        .put_log_events(
            "/aws/lambda/warehouse",
            "run-1",
            &[(eddy::local::now_ms(), "processed order C-3".to_string())],
        )
        .await
        .unwrap();
    step(&mut tui, "", |s| match s.top() {
        Screen::Log(l) => l.events.iter().any(|e| e.message.contains("C-3")),
        _ => false,
    })
    .await;
    // `/` filters on the backend with a filter pattern (as `eddy logs
    // --filter`): only the error line is read again, and followed.
    step(&mut tui, "/ ERROR enter", |s| match s.top() {
        Screen::Log(l) => {
            l.filter == "ERROR"
                && matches!(l.status, LogStatus::Following)
                && l.events.len() == 1
                && l.events[0].message.starts_with("ERROR no stock")
        }
        _ => false,
    })
    .await;
    snap(&mut tui, "log_events_filtered");
    step(&mut tui, "esc", |s| scope(s) == "logs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_refresh_keeps_the_stale_rows() {
    let mut w = world().await;
    let mut tui = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut tui, "", queues_settled).await;
    w.running.take().unwrap().stop().await;
    step(&mut tui, "r", |s| {
        matches!(&s.queues.value, Loadable::Failed { stale: Some(_), .. })
    })
    .await;
    assert_eq!(tui.state().queues.failures, 1);
    snap(&mut tui, "queues_failed_stale");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_megabyte_body_renders_fast() {
    let w = world().await;
    // 1 MB of JSON-ish text on one line, with escapes sprinkled in.
    let mut body = String::with_capacity(1 << 20);
    while body.len() < (1 << 20) - 64 {
        body.push_str("abcdefghij\u{9b}31m klmnopqrstuvwxyz ");
    }
    let url = w.clients.queue_url("shipping").await.unwrap();
    let attrs = BTreeMap::from([("MaximumMessageSize".to_string(), "1048576".to_string())]);
    w.clients.set_queue_attributes(&url, &attrs).await.unwrap();
    w.send("shipping", &body, &[]).await;
    // Not read-only: shipping has a redrive policy, which a read-only peek refuses.
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, "", queues_settled).await;
    step(&mut tui, "/ shipping enter", |s| match s.top() {
        Screen::Queues(lv) => lv.filter == "shipping",
        _ => false,
    })
    .await;
    // The first row is shipping (shipping-dlq sorts after it).
    step(&mut tui, "g p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    step(&mut tui, "enter", why_settled).await;
    // Frame times are measured by `cargo bench --bench tui`, not asserted here.
    tui.draw().unwrap();
    let text = tui.terminal().backend().to_string();
    assert!(!text.contains('\u{1b}'));
    assert!(text.contains("abcdefghij\\u{9b}31m"), "{text}");
    // Paging through it stays cheap too; `G` shows the last page, the
    // document's last line on screen.
    step(&mut tui, "G", |s| match s.top() {
        Screen::Message(i) => i.scroll > 0 && i.scroll < i.lines.len(),
        _ => false,
    })
    .await;
    tui.draw().unwrap();
    let last = match tui.state().top() {
        Screen::Message(i) => i.lines.last().unwrap().text.clone(),
        _ => unreachable!(),
    };
    let text = tui.terminal().backend().to_string();
    assert!(text.contains(last.trim()), "{last:?} not in\n{text}");
    let _ = std::io::stdout().flush();
}

/// ESC cannot travel through SQS, but a body from elsewhere (a log line, a
/// backend that does not check) may hold it: rendered, it is escaped.
#[test]
fn escape_sequences_in_a_body_never_reach_the_terminal() {
    use eddy::domain::Message;
    use eddy::tui::inspect::Inspector;
    let (mut state, _) = AppState::new(Config::defaults(), Context::default(), Instant::now());
    let message = Message {
        message_id: "m-1".to_string(),
        receipt_handle: None,
        body: "\u{1b}[2J\u{1b}[31mred\u{7}\u{1b}]52;c;aGk=\u{7}".to_string(),
        md5_of_body: None,
        receive_count: 1,
        receives_left: None,
        attributes: BTreeMap::new(),
        message_attributes: BTreeMap::from([(
            "ERROR_MESSAGE".to_string(),
            MessageAttribute {
                data_type: "String".to_string(),
                string_value: Some("\u{1b}[1Aup".to_string()),
                binary_value: None,
            },
        )]),
    };
    state.stack.push(Screen::Message(Box::new(Inspector::new(
        "q\u{1b}[H",
        message,
    ))));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| {
            eddy::tui::render(&state, f);
        })
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("\\u{1b}[2J\\u{1b}[31mred\\u{7}"), "{text}");
    assert!(text.contains("\\u{1b}[1Aup"), "{text}");
    insta::assert_snapshot!("inspector_escapes_80x24", text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_risky_peek_asks_and_help_scrolls() {
    let w = world().await;
    // A queue where one receive dead-letters: maxReceiveCount 1.
    let dlq = w.clients.get_queue("warehouse-dlq").await.unwrap();
    let attrs = BTreeMap::from([(
        "RedrivePolicy".to_string(),
        format!(
            r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":1}}"#,
            dlq.arn
        ),
    )]);
    w.clients.create_queue("risky", &attrs).await.unwrap();
    w.send("risky", r#"{"order_id":"R-1"}"#, &[]).await;
    // Not read-only: a read-only peek of a queue with a redrive policy is refused.
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, "", queues_settled).await;

    step(&mut tui, "/risky enter p", |s| {
        matches!(s.overlay, eddy::tui::state::Overlay::Confirm(_))
    })
    .await;
    snap(&mut tui, "peek_confirm");
    // No: nothing was received.
    step(&mut tui, "n", |s| {
        s.flash
            .as_ref()
            .is_some_and(|f| f.text.contains("cancelled"))
    })
    .await;
    let risky = w.clients.get_queue("risky").await.unwrap();
    assert_eq!(risky.counts.visible, 1);
    assert_eq!(
        w.clients
            .get_queue("warehouse-dlq")
            .await
            .unwrap()
            .counts
            .visible,
        0
    );
    // Yes: peeked (forced), and the message's receives are used up.
    step(&mut tui, "p y", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    let Screen::Queue(q) = tui.state().top() else {
        unreachable!()
    };
    let peek = q.peek.value.data().unwrap();
    assert_eq!(peek.messages.len(), 1);
    assert_eq!(peek.messages[0].receives_left, Some(0));

    // The help overlay scrolls in a small terminal.
    tui.terminal_mut().backend_mut().resize(80, 14);
    tui.handle(eddy::tui::Msg::Resized {
        width: 80,
        height: 14,
    });
    step(&mut tui, "? j j", |s| {
        matches!(s.overlay, eddy::tui::state::Overlay::Help { scroll: 2 })
    })
    .await;
    tui.draw().unwrap();
    let text = masked(&tui);
    assert!(text.contains("3-11 of"), "{text}");
    drop(w.local);
}

/// eddy's state folder (redrive journals) and audit log for this test
/// process: a temporary folder, set once before any world exists (the tests
/// run side by side; each reads the audit entries of its own backend).
fn audit_file() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("eddy-tui-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // SAFETY: set once, before any action of any test reads them.
        unsafe {
            std::env::set_var("EDDY_STATE_DIR", &dir);
            std::env::set_var("EDDY_AUDIT_FILE", dir.join("audit.jsonl"));
        }
        dir
    })
    .join("audit.jsonl")
}

impl World {
    /// The audit entries of actions on this world's backend (its endpoint is
    /// in their context).
    fn audit_entries(&self, path: &std::path::Path) -> Vec<eddy::ops::audit::Entry> {
        let url = &self.running.as_ref().unwrap().url;
        eddy::ops::audit::read(path)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.context.contains(url.as_str()))
            .collect()
    }
}

fn flash_has(s: &AppState, text: &str) -> bool {
    s.flash.as_ref().is_some_and(|f| f.text.contains(text))
}

fn confirm_open(s: &AppState) -> bool {
    matches!(s.overlay, eddy::tui::state::Overlay::Confirm(_))
}

/// Every operator action is refused read-only, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_refuses_every_mutating_action() {
    let w = world().await;
    w.stuck_messages().await;
    let mut tui = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut tui, "", queues_settled).await;
    // Purge, from the queue list.
    step(&mut tui, "/warehouse-dlq enter P", |s| {
        flash_has(s, "read-only: purging")
    })
    .await;
    // Delete and edit, on a peeked message.
    step(&mut tui, "enter p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    step(&mut tui, "D", |s| flash_has(s, "read-only: deleting")).await;
    step(&mut tui, "e", |s| flash_has(s, "read-only: republishing")).await;
    step(&mut tui, "P", |s| flash_has(s, "read-only: purging")).await;
    // Tail and rule state, on a bus and its rule.
    step(&mut tui, ": buses enter", |s| s.buses.value.is_loaded()).await;
    step(&mut tui, "G t", |s| flash_has(s, "read-only: a tail")).await;
    step(&mut tui, "enter", |s| match s.top() {
        Screen::Rules(r) => r.rules.value.is_loaded(),
        _ => false,
    })
    .await;
    step(&mut tui, "E", |s| {
        flash_has(s, "read-only: disabling a rule")
    })
    .await;
    step(&mut tui, "t", |s| flash_has(s, "read-only: a tail")).await;
    assert!(!confirm_open(tui.state()));
    // Nothing changed.
    let dlq = w.clients.get_queue("warehouse-dlq").await.unwrap();
    assert_eq!(dlq.counts.visible + dlq.counts.in_flight, 2);
    let rule = w
        .clients
        .describe_rule("payment-processed", Some("orders"))
        .await
        .unwrap();
    assert_eq!(rule.state.as_str(), "ENABLED");
    let queues = w.clients.list_queues(Some("eddy-tail-")).await.unwrap();
    assert!(queues.is_empty(), "{queues:?}");
    drop(w.local);
}

/// Delete (marked messages), edit and republish (to the same queue and to a
/// bus, deleting the original), disable and enable a rule, purge with the
/// name typed: each asks first, and does what it said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_actions_ask_then_act() {
    let audit = audit_file();
    let w = world().await;
    w.stuck_messages().await;
    for i in 0..3 {
        w.send("shipping-dlq", &format!(r#"{{"n":{i}}}"#), &[])
            .await;
    }
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, "", queues_settled).await;

    // Mark two of three and delete them.
    step(&mut tui, "/shipping-dlq enter enter p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.data().is_some_and(|p| p.messages.len() == 3),
        _ => false,
    })
    .await;
    // The counts after the peek released its messages (the snapshot shows them).
    step(&mut tui, "r", |s| match s.top() {
        Screen::Queue(q) => {
            q.queue.pending.is_none() && q.queue.value.data().is_some_and(|x| x.counts.visible == 3)
        }
        _ => false,
    })
    .await;
    step(&mut tui, "space j space D", confirm_open).await;
    snap(&mut tui, "delete_confirm");
    step(&mut tui, "y", |s| flash_has(s, "deleted 2 message")).await;
    let left = w
        .clients
        .peek("shipping-dlq", 10, Default::default())
        .await
        .unwrap();
    assert_eq!(left.messages.len(), 1);

    // Edit the last one: a new body, sent to the same queue, original deleted.
    step(&mut tui, "p", |s| match s.top() {
        Screen::Queue(q) => {
            q.peek.value.data().is_some_and(|p| p.messages.len() == 1) && q.peek.pending.is_none()
        }
        _ => false,
    })
    .await;
    step(&mut tui, "e", |s| scope(s) == "editor").await;
    snap(&mut tui, "editor");
    // Break the JSON: refused with the position.
    step(&mut tui, "x ctrl-s", |s| match s.top() {
        Screen::Editor(e) => e
            .error
            .as_deref()
            .is_some_and(|e| e.contains("not any more")),
        _ => false,
    })
    .await;
    // Fix the JSON, add an attribute, delete the original after the copy.
    // From a DLQ the default destination is its source (shipping): set it
    // back to the same queue (an empty answer).
    step(
        &mut tui,
        &format!("bs ctrl-t {}enter", "bs ".repeat("shipping".len())),
        |s| matches!(s.top(), Screen::Editor(e) if e.dest == eddy::tui::state::Destination::SameQueue),
    )
    .await;
    step(&mut tui, "tab note=edited tab ctrl-d ctrl-s", confirm_open).await;
    step(&mut tui, "y", |s| flash_has(s, "; original deleted")).await;
    let now = w
        .clients
        .peek("shipping-dlq", 10, Default::default())
        .await
        .unwrap();
    assert_eq!(now.messages.len(), 1);
    assert_ne!(now.messages[0].message_id, left.messages[0].message_id);
    assert_eq!(
        now.messages[0].message_attributes["note"]
            .string_value
            .as_deref(),
        Some("edited")
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&now.messages[0].body).unwrap(),
        serde_json::from_str::<serde_json::Value>(&left.messages[0].body).unwrap()
    );

    // The envelope in warehouse-dlq onto the orders bus: its rule routes it to
    // rewards, warehouse and shipping.
    let before = w.clients.get_queue("rewards").await.unwrap().counts.visible;
    step(&mut tui, ": dlqs enter", |s| {
        scope(s) == "dlqs" && queues_settled(s)
    })
    .await;
    step(&mut tui, "/warehouse-dlq enter enter p", |s| {
        match s.top() {
            Screen::Queue(q) => q.peek.value.data().is_some_and(|p| p.messages.len() == 2),
            _ => false,
        }
    })
    .await;
    let envelope_row = match tui.state().top() {
        Screen::Queue(q) => {
            let p = q.peek.value.data().unwrap();
            q.list
                .order
                .iter()
                .position(|&i| p.messages[i].body == ENVELOPE)
                .unwrap()
        }
        _ => unreachable!(),
    };
    let down = "j ".repeat(envelope_row);
    step(&mut tui, &format!("g {down} e ctrl-t"), |s| {
        matches!(s.overlay, eddy::tui::state::Overlay::Prompt { .. })
    })
    .await;
    // The prompt holds the default destination (the DLQ's source): clear it.
    let prefilled = match &tui.state().overlay {
        eddy::tui::state::Overlay::Prompt { text, .. } => text.chars().count(),
        _ => 0,
    };
    step(
        &mut tui,
        &format!("{}bus space orders enter ctrl-s", "bs ".repeat(prefilled)),
        confirm_open,
    )
    .await;
    step(&mut tui, "y", |s| flash_has(s, "put on bus orders")).await;
    let mut after = before;
    for _ in 0..50 {
        after = w.clients.get_queue("rewards").await.unwrap().counts.visible;
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(after, before + 1, "the rule routed the republished event");

    // Disable, then enable the rule.
    step(&mut tui, ": buses enter", |s| s.buses.value.is_loaded()).await;
    step(&mut tui, "G enter", |s| match s.top() {
        Screen::Rules(r) => r.rules.value.is_loaded(),
        _ => false,
    })
    .await;
    step(&mut tui, "E", confirm_open).await;
    snap(&mut tui, "disable_rule_confirm");
    step(&mut tui, "y", |s| {
        flash_has(s, "disabled rule payment-processed")
    })
    .await;
    let rule = w
        .clients
        .describe_rule("payment-processed", Some("orders"))
        .await
        .unwrap();
    assert_eq!(rule.state.as_str(), "DISABLED");
    step(&mut tui, "", |s| match s.top() {
        Screen::Rules(r) => r
            .rules
            .value
            .data()
            .is_some_and(|rows| rows[0].rule.state.as_str() == "DISABLED"),
        _ => false,
    })
    .await;
    step(&mut tui, "E y", |s| {
        flash_has(s, "enabled rule payment-processed")
    })
    .await;

    // Purge with more than 100 messages: the name must be typed.
    for i in 0..12 {
        let batch: Vec<OutgoingMessage> = (0..10)
            .map(|j| OutgoingMessage {
                body: format!("m{i}-{j}"),
                ..Default::default()
            })
            .collect();
        let url = w.clients.queue_url("rewards-dlq").await.unwrap();
        w.clients.send_batch(&url, &batch).await.unwrap();
    }
    step(&mut tui, ": queues enter", |s| {
        scope(s) == "queues" && queues_settled(s)
    })
    .await;
    // The counts and the consumer panel read: the snapshot does not race them.
    step(&mut tui, "/rewards-dlq enter enter", |s| match s.top() {
        Screen::Queue(q) => {
            q.queue
                .value
                .data()
                .is_some_and(|x| x.counts.visible == 120)
                && consumers_settled(q)
        }
        _ => false,
    })
    .await;
    step(&mut tui, "P", confirm_open).await;
    snap(&mut tui, "purge_confirm");
    step(&mut tui, "y enter", confirm_open).await; // `y` is not the name
    step(&mut tui, "rewards-dlq enter", |s| {
        flash_has(s, "purged rewards-dlq")
    })
    .await;
    let dlq = w.clients.get_queue("rewards-dlq").await.unwrap();
    assert_eq!(dlq.counts.visible, 0);

    // The audit log has one line per action.
    let log = w.audit_entries(&audit);
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "delete-message",
            "republish",
            "delete-message",
            "republish",
            "disable-rule",
            "enable-rule",
            "purge"
        ]
    );
    assert_eq!(log[0].count, 2);
    assert_eq!(log[6].count, 120);
    drop(w.local);
}

/// `t` on a bus: a temporary queue and rule, events live, pause, and both
/// removed on leaving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_shows_events_and_cleans_up() {
    let w = world().await;
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, ": buses enter", |s| s.buses.value.is_loaded()).await;
    // Sorted by name: blog, blog-updates, default, orders.
    step(&mut tui, "G t", |s| match s.top() {
        Screen::Tail(t) => t.status == eddy::tui::state::TailStatus::Running,
        _ => false,
    })
    .await;
    let tails = w.clients.list_queues(Some("eddy-tail-")).await.unwrap();
    assert_eq!(tails.len(), 1);
    let entry = eddy::domain::EventEntry {
        bus: Some("orders".into()),
        source: "demo.payments".into(),
        detail_type: "Payment Processed".into(),
        detail: r#"{"order_id":"T-1","total_cost":300}"#.into(),
        resources: vec![],
        time: Some("2024-05-01T12:00:00Z".into()),
    };
    w.clients
        .put_events(std::slice::from_ref(&entry))
        .await
        .unwrap();
    step(&mut tui, "", |s| match s.top() {
        Screen::Tail(t) => t.events.len() == 1,
        _ => false,
    })
    .await;
    snap(&mut tui, "tail");
    // Paused: held, not shown; resumed: shown.
    step(&mut tui, "space", |s| match s.top() {
        Screen::Tail(t) => t.paused,
        _ => false,
    })
    .await;
    w.clients
        .put_events(std::slice::from_ref(&entry))
        .await
        .unwrap();
    step(&mut tui, "", |s| match s.top() {
        Screen::Tail(t) => t.held.len() == 1 && t.events.len() == 1,
        _ => false,
    })
    .await;
    step(&mut tui, "space", |s| match s.top() {
        Screen::Tail(t) => !t.paused && t.events.len() == 2,
        _ => false,
    })
    .await;
    // Enter opens the event.
    step(&mut tui, "enter", |s| scope(s) == "message").await;
    step(&mut tui, "esc esc", |s| {
        scope(s) == "buses" && flash_has(s, "tail stopped: removed")
    })
    .await;
    let tails = w.clients.list_queues(Some("eddy-tail-")).await.unwrap();
    assert!(tails.is_empty(), "{tails:?}");
    let rules = w.clients.list_rules(Some("orders")).await.unwrap();
    assert!(
        rules.iter().all(|r| !r.name.starts_with("eddy-tail-")),
        "{rules:?}"
    );
    // The tail was a task: :tasks lists it, stopped.
    let tail = tui
        .state()
        .tasks
        .rows
        .values()
        .find(|t| t.kind == eddy::tui::state::TaskKind::BusTail)
        .cloned()
        .unwrap();
    assert_eq!(tail.ended_text(), Some(Ok("stopped".to_string())));
    drop(w.local);
}

/// `w` on a rule: the workbench on its pattern; verdicts, a remote check
/// that agrees, then an edited pattern applied to the rule after a diff.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workbench_on_a_rule_checks_and_applies() {
    let audit = audit_file();
    let w = world().await;
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, ": buses enter", |s| s.buses.value.is_loaded()).await;
    step(&mut tui, "G enter", |s| match s.top() {
        Screen::Rules(r) => r.rules.value.is_loaded(),
        _ => false,
    })
    .await;
    step(&mut tui, "w", |s| scope(s) == "workbench").await;
    let Screen::Workbench(wb) = tui.state().top() else {
        unreachable!()
    };
    // The rule's pattern against the samples: the engine's verdicts.
    let pattern = eddy::pattern::Pattern::parse(demo::PAYMENT_PROCESSED).unwrap();
    for (e, v) in wb.events().iter().zip(wb.verdicts()) {
        let m = pattern.matches(e.json.as_bytes());
        match (m, v) {
            (Ok(true), eddy::tui::workbench::Verdict::Match)
            | (Ok(false), eddy::tui::workbench::Verdict::NoMatch)
            | (Err(_), eddy::tui::workbench::Verdict::InvalidEvent(_)) => {}
            other => panic!("{}: {other:?}", e.label),
        }
    }
    assert!(wb.match_count() >= 1);
    snap(&mut tui, "workbench");

    // The backend's TestEventPattern agrees on the first event.
    step(&mut tui, "tab r", |s| match s.top() {
        Screen::Workbench(wb) => wb
            .remote_state(wb.selected())
            .is_some_and(|r| r != eddy::tui::workbench::RemoteState::Pending),
        _ => false,
    })
    .await;
    let Screen::Workbench(wb) = tui.state().top() else {
        unreachable!()
    };
    assert_eq!(
        wb.remote_state(wb.selected()),
        Some(eddy::tui::workbench::RemoteState::Agrees)
    );

    // A narrower pattern: a new field on the first line; apply asks, shows the diff.
    step(
        &mut tui,
        r#"tab end enter "account":["000000000000"], esc a"#,
        confirm_open,
    )
    .await;
    let text = masked(&tui);
    assert!(
        text.contains("apply the pattern to payment-processed?"),
        "{text}"
    );
    assert!(text.contains(r#"│+   "account": ["#), "{text}");
    step(&mut tui, "y", |s| {
        flash_has(s, "applied the pattern to rule payment-processed")
    })
    .await;
    let rule = w
        .clients
        .describe_rule("payment-processed", Some("orders"))
        .await
        .unwrap();
    let stored: serde_json::Value = serde_json::from_str(rule.pattern.as_deref().unwrap()).unwrap();
    assert_eq!(stored["account"], serde_json::json!(["000000000000"]));
    assert_eq!(stored["source"], serde_json::json!(["demo.payments"]));
    assert_eq!(rule.state.as_str(), "ENABLED");
    let log = w.audit_entries(&audit);
    assert_eq!(log.last().map(|e| e.action.as_str()), Some("put-rule"));

    // :workbench opens on the samples; esc from the list closes it.
    step(&mut tui, ": workbench enter", |s| scope(s) == "workbench").await;
    step(&mut tui, "tab esc esc", |s| scope(s) == "rules").await;
    drop(w.local);
}

/// `R` on a DLQ: the whole of it back to its source (the backend's move
/// task); `R` on marked messages: those only (client-side). Each asks first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redrive_whole_dlq_and_marked_messages() {
    let w = world().await;
    w.stuck_messages().await;
    for i in 0..3 {
        w.send("shipping-dlq", &format!(r#"{{"n":{i}}}"#), &[])
            .await;
    }
    let warehouse_before = w
        .clients
        .get_queue("warehouse")
        .await
        .unwrap()
        .counts
        .visible;
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, ": dlqs enter", |s| {
        scope(s) == "dlqs" && queues_settled(s)
    })
    .await;

    // The whole warehouse-dlq: the prompt offers its source.
    step(&mut tui, "/warehouse-dlq enter R", |s| {
        matches!(&s.overlay, eddy::tui::state::Overlay::Prompt { text, .. } if text == "warehouse")
    })
    .await;
    step(&mut tui, "enter", confirm_open).await;
    snap(&mut tui, "redrive_confirm");
    step(&mut tui, "y", |s| match s.top() {
        Screen::Redrive(r) => r.summary.is_some(),
        _ => false,
    })
    .await;
    let Screen::Redrive(r) = tui.state().top() else {
        unreachable!()
    };
    let summary = r.summary.clone().unwrap().unwrap();
    assert_eq!(summary.moved, 2, "{summary}");
    assert_eq!(summary.mode, "move-task");
    tui.draw().unwrap();
    // Numbers (rates, times) vary run to run: each run of digits becomes one
    // `#`, each run of spaces one space.
    let digits = |t: String| {
        let mut out = String::new();
        for c in t.chars() {
            if c.is_ascii_digit() {
                if !out.ends_with('#') {
                    out.push('#');
                }
            } else if c != ' ' || !out.ends_with(' ') {
                out.push(c);
            }
        }
        out
    };
    insta::assert_snapshot!("redrive_done_80x24", digits(masked(&tui)));
    assert_eq!(
        w.clients
            .get_queue("warehouse-dlq")
            .await
            .unwrap()
            .counts
            .visible,
        0
    );
    assert_eq!(
        w.clients
            .get_queue("warehouse")
            .await
            .unwrap()
            .counts
            .visible,
        warehouse_before + 2
    );

    // Two of shipping-dlq's three, marked.
    step(&mut tui, ": dlqs enter", |s| {
        scope(s) == "dlqs" && queues_settled(s)
    })
    .await;
    step(&mut tui, "/shipping-dlq enter enter p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.data().is_some_and(|p| p.messages.len() == 3),
        _ => false,
    })
    .await;
    let marked: Vec<String> = match tui.state().top() {
        Screen::Queue(q) => {
            let p = q.peek.value.data().unwrap();
            q.list
                .order
                .iter()
                .take(2)
                .map(|&i| p.messages[i].body.clone())
                .collect()
        }
        _ => unreachable!(),
    };
    step(&mut tui, "space j space R", |s| {
        matches!(&s.overlay, eddy::tui::state::Overlay::Prompt { text, .. } if text == "shipping")
    })
    .await;
    step(&mut tui, "enter y", |s| match s.top() {
        Screen::Redrive(r) => r.summary.is_some(),
        _ => false,
    })
    .await;
    let Screen::Redrive(r) = tui.state().top() else {
        unreachable!()
    };
    let summary = r.summary.clone().unwrap().unwrap();
    assert_eq!(
        (summary.moved, summary.mode.as_str()),
        (2, "client"),
        "{summary}"
    );
    let left = w
        .clients
        .peek("shipping-dlq", 10, Default::default())
        .await
        .unwrap();
    assert_eq!(left.messages.len(), 1);
    assert!(!marked.contains(&left.messages[0].body));
    let moved = w
        .clients
        .peek("shipping", 10, Default::default())
        .await
        .unwrap();
    let mut bodies: Vec<String> = moved.messages.iter().map(|m| m.body.clone()).collect();
    bodies.sort();
    let mut want = marked.clone();
    want.sort();
    assert_eq!(bodies, want);
    // Esc leaves a finished redrive.
    step(&mut tui, "esc", |s| scope(s) == "queue").await;
    // :tasks lists both redrives, ended, with what they moved.
    step(&mut tui, ": tasks enter", |s| scope(s) == "tasks").await;
    assert_eq!(tui.state().tasks.running().count(), 0);
    for (w, h) in [(80, 24), (120, 40)] {
        tui.terminal_mut().backend_mut().resize(w, h);
        tui.draw().unwrap();
        insta::assert_snapshot!(format!("tasks_{w}x{h}"), digits(masked(&tui)));
    }
    drop(w.local);
}

/// `:archives`: the demo's archive of the `orders` bus lists with its events;
/// `R` asks for the range (the last hour by default), confirms, starts the
/// replay (audited), and the replay shows in the view. Read-only, `R` is
/// refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_list_and_replay() {
    let w = world().await;
    let audit = audit_file();
    // The demo world archives every event on `orders` (orders-archive, 7 days).
    assert_eq!(eddy::local::demo::DEMO_ARCHIVE, "orders-archive");
    let entries: Vec<eddy::domain::EventEntry> = (0..3)
        .map(|i| eddy::domain::EventEntry {
            bus: Some("orders".to_string()),
            source: "archive.test".to_string(),
            detail_type: "Archived".to_string(),
            detail: format!("{{\"n\":{i}}}"),
            ..Default::default()
        })
        .collect();
    w.clients.put_events(&entries).await.unwrap();

    // Read-only: listed, and R is refused.
    let mut ro = w.tui(Arc::new(Mutex::new(Vec::new())));
    step(&mut ro, ": archives enter", |s| match s.top() {
        Screen::Archives(a) => a.listing.value.is_loaded(),
        _ => false,
    })
    .await;
    step(&mut ro, "R", |s| flash_has(s, "read-only: replaying")).await;
    assert!(!confirm_open(ro.state()));

    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, ": archives enter", |s| match s.top() {
        Screen::Archives(a) => a.listing.value.is_loaded(),
        _ => false,
    })
    .await;
    snap(&mut tui, "archives");
    step(&mut tui, "R enter", confirm_open).await;
    snap(&mut tui, "archives_confirm");
    // The replay runs as a task until EventBridge says it completed; the
    // view lists it.
    step(&mut tui, "y", |s| {
        s.tasks.rows.values().any(|t| {
            t.kind == eddy::tui::state::TaskKind::Replay
                && t.ended_text()
                    .is_some_and(|e| e.as_deref() == Ok("COMPLETED"))
        })
    })
    .await;
    step(&mut tui, "r", |s| match s.top() {
        Screen::Archives(a) => a.listing.value.data().is_some_and(|l| {
            l.replays.iter().any(|r| {
                r.name.starts_with("orders-archive-") && r.state.as_deref() == Some("COMPLETED")
            })
        }),
        _ => false,
    })
    .await;
    step(&mut tui, ": tasks enter", |s| scope(s) == "tasks").await;
    assert_eq!(eddy::tui::update::row_keys_of(tui.state()).len(), 1);
    let replays: Vec<_> = w
        .audit_entries(&audit)
        .into_iter()
        .filter(|e| e.action == "replay")
        .collect();
    assert_eq!(replays.len(), 1, "{replays:?}");
    assert!(replays[0].target.ends_with("archive/orders-archive"));
    assert!(replays[0].detail.starts_with("to bus orders; "));
    drop(w.local);
}

/// Item 9 and 11 of issue 12 through the real loop: an EventBridge target's
/// DLQ is listed in `:dlqs` with its rule and bus and says whose DLQ it is;
/// `n` peeks more than one sample; `/` filters the sample by attribute and
/// body; `R` offers the rule's bus.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_dlq_peek_more_filter_and_redrive_offer() {
    let w = world().await;
    let c = &w.clients;
    let target = c.create_queue("audit", &BTreeMap::new()).await.unwrap();
    let target = c.get_queue(&target).await.unwrap();
    let dlq = c.create_queue("audit-dlq", &BTreeMap::new()).await.unwrap();
    let dlq = c.get_queue(&dlq).await.unwrap();
    c.put_targets(
        "payment-processed",
        Some("orders"),
        &[eddy::domain::Target {
            id: "audit".to_string(),
            arn: target.arn.clone(),
            dlq_arn: Some(dlq.arn.clone()),
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    let rule_arn = "arn:aws:events:us-east-1:000000000000:rule/orders/payment-processed";
    for i in 0..15 {
        let body = ENVELOPE.replace("A-1", &format!("A-{i}"));
        let code = if i == 7 {
            "NEEDLE_CODE"
        } else {
            "NO_PERMISSIONS"
        };
        w.send(
            "audit-dlq",
            &body,
            &[
                ("ERROR_CODE", code),
                ("RULE_ARN", rule_arn),
                ("TARGET_ARN", target.arn.as_str()),
            ],
        )
        .await;
    }
    let mut tui = w.tui_with(Arc::new(Mutex::new(Vec::new())), false);
    step(&mut tui, ": dlqs enter", |s| {
        scope(s) == "dlqs"
            && queues_settled(s)
            && s.target_dlqs.value.is_loaded()
            && s.target_dlqs.pending.is_none()
    })
    .await;
    snap(&mut tui, "dlqs_with_target_dlq");

    // audit-dlq is first by name.
    step(&mut tui, "g enter", |s| match s.top() {
        Screen::Queue(q) => q.queue.value.is_loaded() && consumers_settled(q),
        _ => false,
    })
    .await;
    step(&mut tui, "p", |s| match s.top() {
        Screen::Queue(q) => q.peek.value.is_loaded() && q.peek.pending.is_none(),
        _ => false,
    })
    .await;
    step(&mut tui, "n", |s| match s.top() {
        Screen::Queue(q) => {
            q.peek.pending.is_none() && q.peek.value.data().is_some_and(|p| p.messages.len() == 15)
        }
        _ => false,
    })
    .await;
    snap(&mut tui, "queue_peek_more");

    step(&mut tui, "/ needle_c enter", |s| {
        eddy::tui::update::row_keys_of(s).len() == 1
    })
    .await;
    step(&mut tui, "esc R", |s| {
        matches!(&s.overlay, eddy::tui::state::Overlay::Prompt { text, .. } if text == "bus orders")
    })
    .await;
    let flash = tui
        .state()
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("bus orders · queue audit"), "{flash}");

    // Back onto the bus: each message's original event is put again, and
    // the rule delivers it to its targets (the audit queue among them).
    let audit_before = c.get_queue("audit").await.unwrap().counts.visible;
    step(&mut tui, "enter", confirm_open).await;
    step(&mut tui, "y", |s| match s.top() {
        Screen::Redrive(r) => r.summary.is_some(),
        _ => false,
    })
    .await;
    let Screen::Redrive(r) = tui.state().top() else {
        unreachable!()
    };
    let summary = r.summary.clone().unwrap().unwrap();
    assert_eq!(summary.moved, 15, "{summary}");
    assert_eq!(c.get_queue("audit-dlq").await.unwrap().counts.visible, 0);
    assert_eq!(
        c.get_queue("audit").await.unwrap().counts.visible,
        audit_before + 15
    );
    drop(w.local);
}
