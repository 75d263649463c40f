//! The pattern workbench through its public API: keys in, verdicts, the
//! detail pane and outcomes out; the input-transformer preview against what
//! eddy's backend really delivers; and render snapshots at 80×24 and 120×40.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use eddy::aws::Clients;
use eddy::domain::{EventEntry, InputTransformer, Rule, RuleState, Target};
use eddy::pattern::Pattern;
use eddy::tui::config::Config;
use eddy::tui::workbench::{
    Compiled, Focus, Origin, Pane, RemoteState, Verdict, WbEvent, WbOutcome, WbRule, Workbench,
};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PAYMENTS_OVER_200: &str = r#"{
  "source": ["demo.payments"],
  "detail-type": ["Payment Processed"],
  "detail": {"total_cost": [{"numeric": [">", 200]}]}
}"#;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Types `text` key by key (a newline is Enter).
fn type_text(wb: &mut Workbench, text: &str) {
    for c in text.chars() {
        let k = if c == '\n' {
            key(KeyCode::Enter)
        } else {
            ch(c)
        };
        assert_eq!(wb.handle_key(k), WbOutcome::None, "typing {c:?}");
    }
}

/// Verdicts per the engine itself.
fn engine_verdicts(pattern: &str, events: &[WbEvent]) -> Vec<Verdict> {
    let Ok(p) = Pattern::parse(pattern) else {
        return vec![Verdict::NoPattern; events.len()];
    };
    events
        .iter()
        .map(|e| match p.matches(e.json.as_bytes()) {
            Ok(true) => Verdict::Match,
            Ok(false) => Verdict::NoMatch,
            Err(e) => Verdict::InvalidEvent(e.to_string()),
        })
        .collect()
}

fn label_index(wb: &Workbench, label: &str) -> usize {
    wb.events()
        .iter()
        .position(|e| e.label == label)
        .unwrap_or_else(|| panic!("no event {label}"))
}

fn select(wb: &mut Workbench, index: usize) {
    if wb.focus() == Focus::Editor {
        wb.handle_key(key(KeyCode::Tab));
    }
    wb.handle_key(ch('g'));
    for _ in 0..index {
        wb.handle_key(ch('j'));
    }
    assert_eq!(wb.selected(), index);
}

fn rule(name: &str, pattern: &str) -> Rule {
    Rule {
        name: name.to_string(),
        arn: format!("arn:aws:events:us-east-1:123456789012:rule/orders/{name}"),
        bus: "orders".to_string(),
        state: RuleState::Enabled,
        pattern: Some(pattern.to_string()),
        schedule: None,
        description: None,
        managed_by: None,
        role_arn: None,
    }
}

fn transformer(id: &str, arn: &str, paths: &[(&str, &str)], template: &str) -> Target {
    Target {
        id: id.to_string(),
        arn: arn.to_string(),
        input_transformer: Some(InputTransformer {
            input_paths_map: paths
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            input_template: template.to_string(),
        }),
        ..Target::default()
    }
}

fn path_target(id: &str, arn: &str, path: &str) -> Target {
    Target {
        id: id.to_string(),
        arn: arn.to_string(),
        input_path: Some(path.to_string()),
        ..Target::default()
    }
}

/// The shipped patterns as the rules of a bus, plus a schedule rule and one
/// whose pattern is not valid.
fn shipped_rules() -> Vec<WbRule> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/patterns");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "index.json")
        .collect();
    names.sort();
    let mut rules: Vec<WbRule> = names
        .iter()
        .map(|n| WbRule {
            name: n.trim_end_matches(".json").to_string(),
            pattern: Some(std::fs::read_to_string(format!("{dir}/{n}")).unwrap()),
            targets: Vec::new(),
        })
        .collect();
    rules.push(WbRule {
        name: "nightly".to_string(),
        pattern: None,
        targets: Vec::new(),
    });
    rules.push(WbRule {
        name: "broken".to_string(),
        pattern: Some(r#"{"source": []}"#.to_string()),
        targets: Vec::new(),
    });
    rules
}

fn text_of(wb: &Workbench) -> String {
    wb.detail()
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

// ----------------------------------------------------------------- behaviour

#[test]
fn samples_are_every_shipped_event() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/events");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && n != "index.json")
        .collect();
    files.sort();
    let samples = Workbench::samples();
    let mut labels: Vec<String> = samples
        .iter()
        .map(|e| format!("{}.json", e.label))
        .collect();
    labels.sort();
    assert_eq!(labels, files);
    for s in &samples {
        assert_eq!(s.origin, Origin::Sample);
        let on_disk = std::fs::read_to_string(format!("{dir}/{}.json", s.label)).unwrap();
        assert_eq!(s.json, on_disk, "{}", s.label);
    }
}

#[test]
fn typing_a_pattern_updates_verdicts_like_the_engine() {
    let mut events = Workbench::samples();
    events.push(WbEvent::new(
        "cut-short",
        Origin::Tail,
        r#"{"source": "demo.payments""#,
    ));
    events.push(WbEvent::new("an-array", Origin::Tail, "[1, 2]"));
    let mut wb = Workbench::new("", events);
    assert!(matches!(wb.compiled(), Compiled::Empty));
    assert!(wb.verdicts().iter().all(|v| *v == Verdict::NoPattern));
    // After every keystroke the verdicts are the engine's for the text so far.
    let mut typed = String::new();
    for c in PAYMENTS_OVER_200.chars() {
        type_text(&mut wb, &c.to_string());
        typed.push(c);
        assert_eq!(wb.pattern_text(), typed);
        assert_eq!(
            wb.verdicts(),
            engine_verdicts(&typed, wb.events()),
            "after {typed:?}"
        );
    }
    assert!(matches!(wb.compiled(), Compiled::Valid(_)));
    let matched: Vec<&str> = wb
        .events()
        .iter()
        .zip(wb.verdicts())
        .filter(|(_, v)| **v == Verdict::Match)
        .map(|(e, _)| e.label.as_str())
        .collect();
    assert_eq!(matched, ["payment-processed-large"]);
    assert_eq!(wb.match_count(), 1);
    let n = wb.events().len();
    for v in &wb.verdicts()[n - 2..] {
        assert!(matches!(v, Verdict::InvalidEvent(_)), "{v:?}");
    }
    // Every shipped pattern, pasted in: the same verdicts as the engine.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/patterns");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "index.json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        wb.set_pattern(&text);
        assert_eq!(wb.pattern_text(), text);
        assert_eq!(
            wb.verdicts(),
            engine_verdicts(&text, wb.events()),
            "{path:?}"
        );
        assert!(wb.match_count() > 0, "{path:?} matches no sample");
    }
}

#[test]
fn an_invalid_pattern_shows_the_error_position() {
    let text = "{\n  \"source\": [\"demo.payments\"],\n  \"detail\": {\"total_cost\": []}\n}";
    let mut wb = Workbench::new(text, Workbench::samples());
    let expected = Pattern::parse(text).unwrap_err();
    let e = wb.pattern_error().expect("an error").clone();
    assert_eq!((e.line, e.column), (expected.line, expected.column));
    assert_eq!(e.line, 3);
    assert!(wb.verdicts().iter().all(|v| *v == Verdict::NoPattern));
    let screen = screen(&wb, 80, 24);
    let caption = format!("✗ line 3, column {}: {}", e.column, e.reason);
    assert!(screen.contains(&caption), "{screen}");
    // The caret sits under the column, after the line's text.
    let rows: Vec<&str> = screen.lines().collect();
    let at = rows
        .iter()
        .position(|r| r.contains("   3 │   \"detail\""))
        .expect("the line");
    let caret_row = rows[at + 1];
    let line_col = rows[at].find("\"detail\"").unwrap();
    let caret_col = caret_row.find('^').expect("a caret");
    assert_eq!(
        caret_col - line_col,
        e.column - 3,
        "{}\n{}",
        rows[at],
        caret_row
    );
    // Fixing it clears the error.
    wb.set_pattern(PAYMENTS_OVER_200);
    assert!(wb.pattern_error().is_none());
    // Apply and remote checks are refused while it is not valid.
    let mut wb = Workbench::for_rule("orders", &rule("r", "{\"source\":[\"a\"]}"), vec![], vec![]);
    wb.set_pattern("{");
    assert_eq!(wb.handle_key(ctrl('a')), WbOutcome::None);
    let flash = wb.flash_message().expect("a flash").text.clone();
    assert!(
        flash.starts_with("fix the pattern first: line 1"),
        "{flash}"
    );
}

#[test]
fn keys_typed_in_the_editor_never_leak() {
    let mut wb = Workbench::new("", Workbench::samples());
    assert_eq!(wb.focus(), Focus::Editor);
    // Every list shortcut, typed in the editor, is text.
    let shortcuts = "jkgGhirsaoeqJK?:/ ";
    type_text(&mut wb, shortcuts);
    assert_eq!(wb.pattern_text(), shortcuts);
    assert_eq!(wb.focus(), Focus::Editor);
    assert_eq!(wb.selected(), 0);
    assert_eq!(wb.pane(), Pane::Event);
    // Enter is a newline; Tab and Esc leave for the list, never close.
    wb.handle_key(key(KeyCode::Enter));
    assert_eq!(wb.pattern_text(), format!("{shortcuts}\n"));
    assert_eq!(wb.handle_key(key(KeyCode::Tab)), WbOutcome::None);
    assert_eq!(wb.focus(), Focus::List);
    wb.handle_key(ch('j'));
    assert_eq!(wb.selected(), 1);
    assert_eq!(
        wb.pattern_text(),
        format!("{shortcuts}\n"),
        "list keys edit nothing"
    );
    // Keys the workbench does not use go back to the app.
    assert_eq!(wb.handle_key(ch('q')), WbOutcome::Unhandled);
    assert_eq!(wb.handle_key(ch('?')), WbOutcome::Unhandled);
    assert_eq!(wb.handle_key(ch(':')), WbOutcome::Unhandled);
    assert_eq!(wb.handle_key(ch('e')), WbOutcome::None);
    assert_eq!(wb.focus(), Focus::Editor);
    assert_eq!(wb.handle_key(key(KeyCode::Esc)), WbOutcome::None);
    assert_eq!(wb.focus(), Focus::List);
    assert_eq!(wb.handle_key(key(KeyCode::Esc)), WbOutcome::Close);
    // Pasting: into the editor as text; into the list as events.
    let mut wb = Workbench::new("", vec![]);
    wb.handle_paste("{\"source\":\r\n [\"x\"]}");
    assert_eq!(wb.pattern_text(), "{\"source\":\n [\"x\"]}");
    wb.handle_key(key(KeyCode::Tab));
    wb.handle_paste(r#"{"source":"x"}"#);
    wb.handle_paste("not json");
    assert_eq!(wb.events().len(), 1);
    assert_eq!(wb.events()[0].origin, Origin::Pasted);
    assert_eq!(wb.verdicts(), [Verdict::Match]);
}

/// A pre-filled path is replaced by the first character typed; ctrl-u
/// clears the line.
#[test]
fn a_prefilled_prompt_is_replaced_by_typing_and_cleared_by_ctrl_u() {
    let mut wb = Workbench::new(PAYMENTS_OVER_200, vec![]);
    wb.handle_key(ctrl('s'));
    assert_eq!(wb.prompt().unwrap().text, "pattern.json");
    type_text(&mut wb, "x.json");
    assert_eq!(wb.prompt().unwrap().text, "x.json");
    wb.handle_key(key(KeyCode::Esc));
    wb.handle_key(ctrl('s'));
    wb.handle_key(key(KeyCode::Backspace));
    type_text(&mut wb, "x");
    assert_eq!(wb.prompt().unwrap().text, "pattern.jsox");
    wb.handle_key(ctrl('u'));
    assert_eq!(wb.prompt().unwrap().text, "");
}

#[test]
fn save_and_load_prompt_for_a_path() {
    let mut wb = Workbench::new(PAYMENTS_OVER_200, vec![]);
    assert_eq!(wb.handle_key(ctrl('s')), WbOutcome::None);
    assert_eq!(wb.focus(), Focus::Prompt);
    assert_eq!(wb.prompt().unwrap().text, "pattern.json");
    for _ in 0.."pattern.json".len() {
        wb.handle_key(key(KeyCode::Backspace));
    }
    type_text(&mut wb, "/tmp/p.json");
    assert_eq!(
        wb.handle_key(key(KeyCode::Enter)),
        WbOutcome::Save {
            path: "/tmp/p.json".to_string(),
            pattern: PAYMENTS_OVER_200.to_string()
        }
    );
    assert_eq!(wb.focus(), Focus::Editor);
    assert_eq!(
        wb.pattern_text(),
        PAYMENTS_OVER_200,
        "the path was not typed into the pattern"
    );
    wb.handle_key(key(KeyCode::Tab));
    wb.handle_key(ch('o'));
    type_text(&mut wb, "events.jsonl");
    assert_eq!(
        wb.handle_key(key(KeyCode::Enter)),
        WbOutcome::LoadFile {
            path: "events.jsonl".to_string()
        }
    );
    assert_eq!(wb.focus(), Focus::List);
    let loaded = WbEvent::parse_file(
        "events.jsonl",
        "{\"source\":\"demo.payments\"}\n{\"source\":\"x\"}",
    )
    .unwrap();
    wb.add_events(loaded);
    assert_eq!(wb.events().len(), 2);
    assert_eq!(wb.events()[1].label, "events.jsonl#2");
    // Esc in the prompt cancels.
    wb.handle_key(ch('s'));
    assert_eq!(wb.handle_key(key(KeyCode::Esc)), WbOutcome::None);
    assert_eq!(wb.focus(), Focus::List);
    assert!(wb.prompt().is_none());
}

/// An `eddy export` file loads as its messages' bodies, each labelled with
/// its message id; a file of events is read as before.
#[test]
fn an_export_file_loads_as_its_message_bodies() {
    use eddy::ops::export::ExportedMessage;
    let envelope = |total: u32| {
        format!(
            r#"{{"version":"0","id":"e","detail-type":"Payment Processed","source":"demo.payments","account":"1","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],"detail":{{"total_cost":{total}}}}}"#
        )
    };
    let record = |id: &str, body: String| ExportedMessage {
        message_id: id.to_string(),
        body,
        receive_count: 1,
        ..ExportedMessage::default()
    };
    let file = [
        record("m-big", envelope(250)),
        record("m-small", envelope(20)),
    ]
    .iter()
    .map(ExportedMessage::to_json_line)
    .collect::<Vec<_>>()
    .join("\n");
    let events = WbEvent::parse_file("/tmp/warehouse-dlq.jsonl", &file).unwrap();
    let labels: Vec<&str> = events.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["m-big", "m-small"]);
    assert_eq!(events[0].json, envelope(250));
    let mut wb = Workbench::new(PAYMENTS_OVER_200, vec![]);
    wb.add_events(events);
    assert_eq!(wb.verdicts(), [Verdict::Match, Verdict::NoMatch]);
    // Events that merely have a `body` field are events, not records.
    let events = WbEvent::parse_file("e.json", r#"{"source":"x","body":"hi"}"#).unwrap();
    assert_eq!(events[0].json, r#"{"source":"x","body":"hi"}"#);
}

#[test]
fn apply_carries_the_diff_of_the_pretty_patterns() {
    let stored = r#"{"source":["demo.payments"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#;
    let mut wb = Workbench::for_rule("orders", &rule("big-payments", stored), vec![], vec![]);
    assert_eq!(
        wb.pattern_text(),
        "{\n  \"source\": [\"demo.payments\"],\n  \"detail\": {\n    \"total_cost\": [{\"numeric\": [\">\", 200]}]\n  }\n}"
    );
    // Unchanged: nothing to apply.
    assert_eq!(wb.handle_key(ctrl('a')), WbOutcome::None);
    assert!(
        wb.flash_message()
            .unwrap()
            .text
            .contains("nothing to apply")
    );
    // Change the threshold: 200 → 500.
    let text = wb.pattern_text().replace("200", "500");
    wb.set_pattern(&text);
    let WbOutcome::Apply {
        bus,
        rule: name,
        old,
        new,
        diff,
    } = wb.handle_key(ctrl('a'))
    else {
        panic!("no apply");
    };
    assert_eq!(
        (bus.as_str(), name.as_str(), old.as_str()),
        ("orders", "big-payments", stored)
    );
    assert_eq!(new, stored.replace("200", "500"));
    assert_eq!(
        diff,
        [
            "  {",
            "    \"source\": [\"demo.payments\"],",
            "    \"detail\": {",
            "-     \"total_cost\": [{\"numeric\": [\">\", 200]}]",
            "+     \"total_cost\": [{\"numeric\": [\">\", 500]}]",
            "    }",
            "  }",
        ]
    );
    // From the list, `a` does the same; once applied it is the new baseline.
    wb.handle_key(key(KeyCode::Tab));
    assert!(matches!(wb.handle_key(ch('a')), WbOutcome::Apply { .. }));
    wb.applied(&new);
    assert!(!wb.is_modified());
    assert_eq!(wb.handle_key(ch('a')), WbOutcome::None);
    // Without a rule there is nothing to apply to.
    let mut wb = Workbench::new(PAYMENTS_OVER_200, vec![]);
    assert_eq!(wb.handle_key(ctrl('a')), WbOutcome::None);
    assert!(wb.flash_message().unwrap().text.contains("needs a rule"));
}

#[test]
fn the_explanation_is_the_engines() {
    let mut wb = Workbench::new(PAYMENTS_OVER_200, Workbench::samples());
    let i = label_index(&wb, "payment-processed-small");
    select(&mut wb, i);
    wb.handle_key(key(KeyCode::Enter));
    assert_eq!(wb.pane(), Pane::Explain);
    let p = Pattern::parse(PAYMENTS_OVER_200).unwrap();
    let x = p.explain(wb.events()[i].json.as_bytes()).unwrap();
    let text = text_of(&wb);
    assert!(text.contains("NO MATCH: payment-processed-small"), "{text}");
    for line in x.to_string().lines() {
        assert!(text.contains(line), "{line} missing from\n{text}");
    }
    assert!(text.contains(r#"FAIL  detail.total_cost  [{"numeric":[">",200]}]  event has: 42"#));
    wb.handle_key(key(KeyCode::Enter));
    assert_eq!(wb.pane(), Pane::Event);
}

#[test]
fn rules_hit_are_exactly_the_engines_matches() {
    let mut wb = Workbench::new("", Workbench::samples());
    wb.handle_key(key(KeyCode::Tab));
    // Without rules, h says so.
    wb.handle_key(ch('h'));
    assert_eq!(wb.pane(), Pane::Event);
    assert!(wb.flash_message().unwrap().text.contains("no rules loaded"));
    let rules = shipped_rules();
    wb.set_rules("orders", rules.clone());
    let mut total = 0;
    for (i, event) in wb.events().iter().enumerate() {
        let expected: Vec<&str> = rules
            .iter()
            .filter(|r| {
                r.pattern.as_deref().is_some_and(|p| {
                    Pattern::parse(p).is_ok_and(|p| p.matches(event.json.as_bytes()).unwrap())
                })
            })
            .map(|r| r.name.as_str())
            .collect();
        total += expected.len();
        assert_eq!(wb.rules_hit(i).unwrap(), expected, "{}", event.label);
    }
    assert!(total > 20, "the shipped rules hit only {total} times");
    // The pane lists the hits with explanations, then the misses, the rest.
    let i = label_index(&wb, "payment-processed-large");
    select(&mut wb, i);
    wb.handle_key(ch('h'));
    assert_eq!(wb.pane(), Pane::RulesHit);
    let text = text_of(&wb);
    let hits = wb.rules_hit(i).unwrap();
    assert!(
        text.contains(&format!("{} of {} rules hit", hits.len(), rules.len())),
        "{text}"
    );
    for h in &hits {
        assert!(text.contains(&format!("HIT   {h}")), "{h} in\n{text}");
    }
    assert!(text.contains("skip  nightly (schedule rule, no pattern)"));
    assert!(text.contains("bad   broken: Event pattern is not valid"));
    assert!(text.contains("miss  blog-post-created"));
    wb.handle_key(ch('h'));
    assert_eq!(wb.pane(), Pane::Event);
}

#[test]
fn remote_verdicts_agree_disagree_and_go_stale() {
    let mut wb = Workbench::new(PAYMENTS_OVER_200, Workbench::samples());
    let i = label_index(&wb, "payment-processed-large");
    select(&mut wb, i);
    let WbOutcome::RemoteCheck {
        event_index,
        pattern,
        event,
    } = wb.handle_key(ch('r'))
    else {
        panic!("no remote check");
    };
    assert_eq!((event_index, pattern.as_str()), (i, PAYMENTS_OVER_200));
    assert_eq!(event, wb.events()[i].json);
    assert_eq!(wb.remote_state(i), Some(RemoteState::Pending));
    wb.set_remote_verdict(i, &pattern, Ok(true));
    assert_eq!(wb.remote_state(i), Some(RemoteState::Agrees));
    assert!(text_of(&wb).contains("remote: MATCH ✓ agrees with eddy"));
    wb.set_remote_verdict(i, &pattern, Ok(false));
    assert_eq!(wb.remote_state(i), Some(RemoteState::Disagrees));
    assert!(text_of(&wb).contains("remote: NO MATCH ✗ DISAGREES with eddy (eddy: MATCH)"));
    wb.set_remote_verdict(
        i,
        &pattern,
        Err("TestEventPattern is not supported by moto".into()),
    );
    assert_eq!(wb.remote_state(i), Some(RemoteState::Failed));
    assert!(text_of(&wb).contains("remote: TestEventPattern is not supported by moto"));
    wb.set_remote_verdict(i, &pattern, Ok(true));
    wb.set_pattern(&PAYMENTS_OVER_200.replace("200", "100"));
    assert_eq!(wb.remote_state(i), Some(RemoteState::Stale));
    assert!(text_of(&wb).contains("for an earlier pattern"));
    // Out of range answers are dropped.
    wb.set_remote_verdict(10_000, &pattern, Ok(true));
}

// ------------------------------------------------- against eddy's backend

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn clients() -> Clients {
    Clients::connect_local(&eddy::aws::Settings {
        endpoint_url: Some(common::eddy_endpoint()),
        region: Some("us-east-1".to_string()),
        profile: None,
    })
    .await
}

/// Receives exactly one message from the queue; its body.
async fn one_body(c: &Clients, url: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let got = c.receive(url, 10, Some(60), 1).await.expect("receive");
        if let Some(m) = got.into_iter().next() {
            return m.body;
        }
        assert!(Instant::now() < deadline, "nothing delivered to {url}");
    }
}

/// What the preview shows is what eddy's backend delivers, target by target:
/// the whole event, InputPath `$.detail`, templates with
/// `<vars>` quoted and not, the rule's name and ARN, `<aws.events.event>`.
/// The remote cross-check agrees with the backend's TestEventPattern.
#[test]
fn transformer_preview_is_what_the_backend_delivers() {
    runtime().block_on(async {
        let c = clients().await;
        let bus = common::unique("wb-bus");
        c.create_bus(&bus).await.expect("create bus");
        let rule_name = common::unique("wb-rule");
        let pattern = r#"{"source":["demo.payments"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#;
        c.put_rule(&rule_name, Some(&bus), pattern, RuleState::Enabled)
            .await
            .expect("put rule");
        let mut queues = Vec::new();
        for i in 0..5 {
            let name = common::unique(&format!("wb-q{i}"));
            let url = c.create_queue(&name, &BTreeMap::new()).await.expect("queue");
            let arn = c.get_queue(&url).await.expect("get queue").arn;
            queues.push((url, arn));
        }
        let paths = [
            ("order", "$.detail.order_id"),
            ("cost", "$.detail.total_cost"),
            ("items", "$.detail.items"),
            ("who", "$.detail.customer.name"),
            ("none", "$.detail.nothing"),
        ];
        let targets = vec![
            Target {
                id: "whole".to_string(),
                arn: queues[0].1.clone(),
                ..Target::default()
            },
            path_target("detail", &queues[1].1, "$.detail"),
            transformer(
                "unquoted",
                &queues[2].1,
                &paths,
                r#"{"order": <order>, "cost": <cost>, "items": <items>, "none": <none>, "rule": <aws.events.rule-name>}"#,
            ),
            transformer(
                "quoted",
                &queues[3].1,
                &paths,
                r#"{"label": "order <order> for <who>: <cost>", "arn": "<aws.events.rule-arn>", "envelope": <aws.events.event>}"#,
            ),
            transformer("text", &queues[4].1, &paths, "<who> paid <cost> for <order>"),
        ];
        c.put_targets(&rule_name, Some(&bus), &targets)
            .await
            .expect("put targets");
        let sample = Workbench::samples()
            .into_iter()
            .find(|e| e.label == "payment-processed-large")
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&sample.json).unwrap();
        c.put_events(&[EventEntry {
            bus: Some(bus.clone()),
            source: "demo.payments".to_string(),
            detail_type: "Payment Processed".to_string(),
            detail: v["detail"].to_string(),
            resources: vec![],
            time: None,
        }])
        .await
        .expect("put events");
        let mut delivered = Vec::new();
        for (url, _) in &queues {
            delivered.push(one_body(&c, url).await);
        }

        // The workbench on the rule as the backend describes it, with the
        // targets as the backend lists them, on the event as delivered.
        let described = c.describe_rule(&rule_name, Some(&bus)).await.expect("describe");
        let listed = c.list_targets(&rule_name, Some(&bus)).await.expect("targets");
        let by_id = |id: &str| listed.iter().position(|t| t.id == id).unwrap();
        let event = WbEvent::new(
            "delivered",
            Origin::Peeked {
                queue: "q0".to_string(),
            },
            delivered[0].clone(),
        );
        let mut wb = Workbench::for_rule(&bus, &described, listed.clone(), vec![event]);
        assert_eq!(wb.verdicts(), [Verdict::Match]);
        for (i, t) in targets.iter().enumerate() {
            let preview = wb
                .transform_preview(by_id(&t.id), 0)
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: {e}", t.id));
            assert_eq!(preview, delivered[i], "target {}", t.id);
        }
        let detail: serde_json::Value = serde_json::from_str(&delivered[1]).unwrap();
        assert_eq!(detail["order_id"], v["detail"]["order_id"]);
        assert!(delivered[4].contains(" paid 250.5 for "), "{}", delivered[4]);

        // `i` cycles the preview through the targets, then back to the event.
        wb.handle_key(key(KeyCode::Tab));
        for (n, t) in listed.iter().enumerate() {
            wb.handle_key(ch('i'));
            assert_eq!(wb.pane(), Pane::Transform(n));
            let text = text_of(&wb);
            assert!(text.contains(&format!("arn  {}", t.arn)), "{text}");
        }
        wb.handle_key(ch('i'));
        assert_eq!(wb.pane(), Pane::Event);

        // The remote cross-check, carried out as the app would.
        let WbOutcome::RemoteCheck {
            event_index,
            pattern,
            event,
        } = wb.handle_key(ch('r'))
        else {
            panic!("no remote check");
        };
        let remote = c
            .test_event_pattern(&pattern, &event)
            .await
            .map_err(|e| e.to_string());
        wb.set_remote_verdict(event_index, &pattern, remote);
        assert_eq!(wb.remote_state(0), Some(RemoteState::Agrees));
    });
}

// ----------------------------------------------------------------- snapshots

fn draw(wb: &Workbench, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Config::defaults().theme;
    t.draw(|f| wb.render(f, f.area(), &theme)).unwrap();
    t
}

fn screen(wb: &Workbench, w: u16, h: u16) -> String {
    let t = draw(wb, w, h);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        for x in 0..w {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn snapshots(name: &str, wb: &Workbench) {
    for (w, h) in [(80, 24), (120, 40)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(wb, w, h).backend());
    }
}

/// A rule with two targets on the payments bus.
fn payments_rule() -> Workbench {
    let r = rule(
        "big-payments",
        r#"{"source":["demo.payments"],"detail-type":["Payment Processed"],"detail":{"total_cost":[{"numeric":[">",200]}]}}"#,
    );
    let targets = vec![
        path_target(
            "to-audit",
            "arn:aws:sqs:eu-west-1:123456789012:payments-audit",
            "$.detail",
        ),
        transformer(
            "to-slack",
            "arn:aws:sqs:eu-west-1:123456789012:payments-slack",
            &[
                ("order", "$.detail.order_id"),
                ("cost", "$.detail.total_cost"),
                ("who", "$.detail.customer.name"),
            ],
            r#"{"text": "<who> paid <cost> for order <order>", "rule": <aws.events.rule-name>}"#,
        ),
    ];
    Workbench::for_rule("orders", &r, targets, Workbench::samples())
}

#[test]
fn snapshot_valid_pattern() {
    let wb = Workbench::new(PAYMENTS_OVER_200, Workbench::samples());
    snapshots("valid", &wb);
}

#[test]
fn snapshot_invalid_pattern() {
    let wb = Workbench::new(
        "{\n  \"source\": [\"demo.payments\"],\n  \"detail\": {\"total_cost\": [{\"numeric\": [\">\"]}]}\n}",
        Workbench::samples(),
    );
    assert!(wb.pattern_error().is_some());
    snapshots("invalid", &wb);
}

#[test]
fn snapshot_explanation() {
    let mut wb = Workbench::new(PAYMENTS_OVER_200, Workbench::samples());
    let i = label_index(&wb, "payment-processed-small");
    select(&mut wb, i);
    wb.handle_key(key(KeyCode::Enter));
    snapshots("explanation", &wb);
}

#[test]
fn snapshot_rules_hit() {
    let mut wb = payments_rule();
    wb.set_rules("orders", shipped_rules());
    select(&mut wb, 0);
    wb.handle_key(ch('h'));
    snapshots("rules_hit", &wb);
}

#[test]
fn snapshot_transformer_preview() {
    let mut wb = payments_rule();
    select(&mut wb, 0);
    wb.handle_key(ch('i'));
    wb.handle_key(ch('i'));
    assert_eq!(wb.pane(), Pane::Transform(1));
    snapshots("transformer", &wb);
}
