//! The TUI's Lambda views against moto (issue 14): a function and an event
//! source mapping created through moto's Lambda API, then, through the real
//! event loop on a `TestBackend`, the queue view's consumer panel shows the
//! mapping with its function and `:functions` lists the function with its
//! trigger. Waits for state, never for timers.

mod common;
mod lambda_support;

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Target, moto_endpoint, unique};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use eddy::tui::config::Config;
use eddy::tui::{AppState, Context, Options, Screen, Tui};
use futures_util::Stream;
use lambda_support::{lambda_sdk, moto_role, zip_one};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

type Input = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

/// Characters typed one by one, `\n` as enter; then nothing more.
fn typed(text: &str) -> Input {
    let events: Vec<std::io::Result<Event>> = text
        .chars()
        .map(|c| {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
        })
        .collect();
    Box::pin(futures_util::stream::iter(events).chain(futures_util::stream::pending()))
}

use futures_util::StreamExt;

/// Types `keys`, then runs the loop until `until` holds (30 s at most).
async fn step(tui: &mut Tui<TestBackend>, keys: &str, until: impl Fn(&AppState) -> bool) {
    let mut input = typed(keys);
    let reached = tokio::time::timeout(Duration::from_secs(30), tui.run_until(&mut input, until))
        .await
        .unwrap_or_else(|_| panic!("`{keys}`: timed out; state: {:#?}", tui.state().stack))
        .unwrap();
    assert!(reached, "`{keys}`: the loop ended first");
}

fn screen(tui: &mut Tui<TestBackend>) -> String {
    tui.draw().unwrap();
    tui.terminal().backend().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consumer_panel_and_functions_on_moto() {
    let endpoint = moto_endpoint();
    let name = unique("tui-worker");
    let queue = unique("tui-orders");
    let role = moto_role(&endpoint, &unique("tui-lambda-role"));
    let c = Target::Moto.clients().await;
    let url = c
        .create_queue(
            &queue,
            &[("VisibilityTimeout".to_string(), "30".to_string())]
                .into_iter()
                .collect::<BTreeMap<_, _>>(),
        )
        .await
        .expect("create the queue");
    let queue_arn = c.get_queue(&url).await.expect("the queue").arn;
    let lambda = lambda_sdk(&endpoint).await;
    lambda
        .create_function()
        .function_name(&name)
        .runtime(aws_sdk_lambda::types::Runtime::Python312)
        .role(&role)
        .handler("handler.handle")
        .timeout(30)
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(aws_smithy_types::Blob::new(zip_one(
                    "handler.py",
                    b"def handle(event, context):\n    return None\n",
                )))
                .build(),
        )
        .send()
        .await
        .expect("moto creates the function");
    lambda
        .create_event_source_mapping()
        .event_source_arn(&queue_arn)
        .function_name(&name)
        .batch_size(5)
        .function_response_types(
            aws_sdk_lambda::types::FunctionResponseType::ReportBatchItemFailures,
        )
        .send()
        .await
        .expect("moto creates the mapping");

    let context = Context {
        label: "moto".to_string(),
        region: "us-east-1".to_string(),
        account: None,
        backend: None,
        read_only: true,
        local: false,
        settings: Default::default(),
    };
    let (state, first) = AppState::new(Config::defaults(), context, Instant::now());
    let clipboard: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
    let mut tui = Tui::new(
        Terminal::new(TestBackend::new(140, 40)).unwrap(),
        state,
        first,
        c,
        clipboard,
        Options { ticks: false },
    );
    step(&mut tui, "", |s| s.queues.value.is_loaded()).await;

    // The queue (filtered to be the selected row), opened: its consumer
    // panel, once read, shows the mapping and its function.
    step(&mut tui, &format!("/{queue}\n\n"), |s| match s.top() {
        Screen::Queue(q) => {
            q.consumers.value.data().is_some() || q.consumers.value.error().is_some()
        }
        _ => false,
    })
    .await;
    let text = screen(&mut tui);
    assert!(text.contains(&format!("λ {name} · ")), "{text}");
    assert!(text.contains("batch 5"), "{text}");
    assert!(text.contains("ReportBatchItemFailures"), "{text}");
    assert!(
        text.contains(&format!(
            "python3.12 · timeout 30s · memory 128 MB · logs /aws/lambda/{name}"
        )),
        "{text}"
    );

    // :functions lists it with its trigger.
    step(&mut tui, &format!(":functions\n/{name}\n"), |s| {
        match s.top() {
            Screen::Functions(f) => f.listing.value.data().is_some() && f.list.filter == name,
            _ => false,
        }
    })
    .await;
    let text = screen(&mut tui);
    assert!(text.contains(&name), "{text}");
    assert!(text.contains(&format!("queue {queue}")), "{text}");
}
