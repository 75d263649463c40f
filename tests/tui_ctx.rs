//! `:ctx` end to end through the real loop: the TUI starts on eddy's embedded
//! backend, lists the profiles of the shared config files (a temporary
//! AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, set before anything else
//! runs in this test binary), switches to a profile whose `endpoint_url` is
//! moto, shows moto's queues, and switches back with `:ctx local`.

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use eddy::aws::{Clients, Settings};
use eddy::local::{self, Local};
use eddy::tui::config::Config;
use eddy::tui::{AppState, Context, Options, Tui};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

type Input = Pin<Box<dyn Stream<Item = std::io::Result<Event>> + Send>>;

fn keys(text: &str, done: Arc<AtomicBool>) -> Input {
    let mut events: VecDeque<Event> = VecDeque::new();
    for token in text.split_whitespace() {
        match token {
            "enter" => events.push_back(Event::Key(KeyEvent::new(
                KeyCode::Enter,
                KeyModifiers::NONE,
            ))),
            "space" => events.push_back(Event::Key(KeyEvent::new(
                KeyCode::Char(' '),
                KeyModifiers::NONE,
            ))),
            chars => {
                for c in chars.chars() {
                    events.push_back(Event::Key(KeyEvent::new(
                        KeyCode::Char(c),
                        KeyModifiers::NONE,
                    )));
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

async fn step(tui: &mut Tui<TestBackend>, text: &str, until: impl Fn(&AppState) -> bool) {
    let sent = Arc::new(AtomicBool::new(false));
    let mut input = keys(text, Arc::clone(&sent));
    let reached = tokio::time::timeout(
        Duration::from_secs(30),
        tui.run_until(&mut input, |s| sent.load(Ordering::SeqCst) && until(s)),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "`{text}`: timed out; flash {:?}; stack {:#?}",
            tui.state().flash,
            tui.state().stack
        )
    })
    .unwrap();
    assert!(reached, "`{text}`: the loop ended first");
}

fn screen(tui: &Tui<TestBackend>) -> String {
    let text = tui.terminal().backend().to_string();
    assert!(!text.contains('\u{1b}'));
    text
}

fn queue_names(s: &AppState) -> Vec<String> {
    s.queues
        .value
        .data()
        .map(|qs| qs.iter().map(|q| q.name.clone()).collect())
        .unwrap_or_default()
}

#[test]
fn ctx_switches_between_the_embedded_backend_and_a_profile() {
    // Profiles for this process only, before any thread reads the environment.
    let moto = common::moto_endpoint();
    let dir = std::env::temp_dir().join(common::unique("eddy-ctx"));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(
        &config,
        format!(
            "[profile moto]\nregion = us-east-1\nendpoint_url = {moto}\n\n\
             [sso-session corp]\nsso_region = us-east-1\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &credentials,
        "[moto]\naws_access_key_id = test\naws_secret_access_key = test\n",
    )
    .unwrap();
    // SAFETY: the only test of this binary; no other thread runs yet.
    unsafe {
        std::env::set_var("AWS_CONFIG_FILE", &config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &credentials);
        for k in [
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
        ] {
            std::env::remove_var(k);
        }
    }

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // A queue only moto has.
        let moto_clients = Clients::connect(&Settings {
            profile: Some("moto".into()),
            region: None,
            endpoint_url: None,
        })
        .await;
        let only_on_moto = common::unique("ctx-moto");
        moto_clients
            .create_queue(&only_on_moto, &Default::default())
            .await
            .unwrap();

        let local = Local::new(&local::Config::default()).unwrap();
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let running = local::start(Arc::clone(&local), addr).await.unwrap();
        local::demo::seed(&local).await.unwrap();
        let settings = Settings {
            profile: None,
            region: Some(local::demo::REGION.to_string()),
            endpoint_url: Some(running.url.clone()),
        };
        let clients = Clients::connect_local(&settings).await;
        let context = Context::from_clients(&clients, true, false);
        let (state, first) = AppState::new(Config::defaults(), context, Instant::now());
        let terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
        let clipboard: Arc<Mutex<Vec<u8>>> = Arc::new(Mutex::new(Vec::new()));
        let mut tui = Tui::new(
            terminal,
            state,
            first,
            clients,
            clipboard as Arc<Mutex<dyn std::io::Write + Send>>,
            Options { ticks: false },
        );
        tui.set_local(settings);

        step(&mut tui, "", |s| {
            queue_names(s).iter().any(|n| n == "warehouse-dlq")
        })
        .await;

        // :ctx lists the embedded backend (current) and the profile, not the sso-session.
        step(&mut tui, ": ctx enter", |s| s.profiles.value.is_loaded()).await;
        let text = screen(&tui);
        assert!(text.contains("● local"), "{text}");
        assert!(text.contains("profile moto"), "{text}");
        assert!(!text.contains("corp"), "{text}");

        // Enter on the profile: moto's queues, not the demo's.
        step(&mut tui, "j enter", |s| {
            s.switching.is_none() && s.context.label == "profile moto" && s.queues.value.is_loaded()
        })
        .await;
        let names = queue_names(tui.state());
        assert!(names.contains(&only_on_moto), "{names:?}");
        assert!(!names.iter().any(|n| n == "warehouse-dlq"), "{names:?}");
        tui.draw().unwrap();
        let text = screen(&tui);
        assert!(text.contains("profile moto"), "{text}");

        // And back.
        step(&mut tui, ": ctx space local enter", |s| {
            s.switching.is_none() && s.context.local && s.queues.value.is_loaded()
        })
        .await;
        assert!(
            queue_names(tui.state())
                .iter()
                .any(|n| n == "warehouse-dlq")
        );

        drop(tui);
        running.stop().await;
    });
    let _ = std::fs::remove_dir_all(&dir);
}
