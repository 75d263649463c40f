//! `buses`, `rules`, `targets`, `put-event` and `test-pattern`: the
//! EventBridge side of the backend commands.

use std::io::BufRead;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::args::{BusesArgs, PutEventArgs, RulesArgs, TargetsArgs, TestPatternArgs};
use crate::aws::{Clients, Error as AwsError};
use crate::cli::common::{CliError, Format, Status};
use crate::cli::input::{self, InputSpec};
use crate::cli::output::Io;
use crate::cli::table::{Align, Table, escape, minify_json};
use crate::domain::{EventEntry, Rule, Target};
use crate::pattern::{Pattern, validate_event};

/// How many `ListTargetsByRule` calls `eddy rules` makes at once.
use super::print::*;

/// How many `ListTargetsByRule` calls `eddy rules` makes at once.
const TARGET_LOOKUPS_AT_ONCE: usize = 8;

// ---------------------------------------------------------------- buses, rules, targets

pub(super) async fn buses(
    c: &Clients,
    args: &BusesArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let buses = c.list_buses().await?;
    match args.output {
        Format::Json => print_json(io, &buses)?,
        Format::Table => {
            let mut t = Table::new(&[("NAME", Align::Left), ("ARN", Align::Left)]);
            for b in &buses {
                t.row(vec![b.name.clone(), b.arn.clone()]);
            }
            print_table(io, &t)?;
        }
    }
    Ok(Status::Success)
}

/// The pattern (on one line) or the schedule of a rule.
fn rule_trigger(r: &Rule) -> String {
    match (&r.pattern, &r.schedule) {
        (Some(p), _) => minify_json(p),
        (None, Some(s)) => s.clone(),
        (None, None) => "-".to_string(),
    }
}

pub(super) async fn rules(
    c: &Clients,
    args: &RulesArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let rules = c.list_rules(args.bus.as_deref()).await?;
    let counts = target_counts(c, &rules, args.bus.as_deref()).await?;

    #[derive(Serialize)]
    struct RuleRow<'a> {
        #[serde(flatten)]
        rule: &'a Rule,
        target_count: usize,
    }

    match args.output {
        Format::Json => {
            let rows: Vec<RuleRow<'_>> = rules
                .iter()
                .zip(&counts)
                .map(|(rule, &target_count)| RuleRow { rule, target_count })
                .collect();
            print_json(io, &rows)?;
        }
        Format::Table => {
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("STATE", Align::Left),
                ("TARGETS", Align::Right),
                ("PATTERN", Align::Left),
            ]);
            for (r, n) in rules.iter().zip(&counts) {
                t.row(vec![
                    r.name.clone(),
                    r.state.as_str().to_string(),
                    n.to_string(),
                    rule_trigger(r),
                ]);
            }
            if t.is_empty() {
                let bus = args.bus.as_deref().unwrap_or("default");
                io.note(format_args!("no rules on bus {}", escape(bus)));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

/// The number of targets of each rule, looked up concurrently (a few at a time).
async fn target_counts(
    c: &Clients,
    rules: &[Rule],
    bus: Option<&str>,
) -> Result<Vec<usize>, CliError> {
    let limit = Arc::new(tokio::sync::Semaphore::new(TARGET_LOOKUPS_AT_ONCE));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let (c, name, bus, limit) = (
            c.clone(),
            rule.name.clone(),
            bus.map(str::to_string),
            limit.clone(),
        );
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (i, c.list_targets(&name, bus.as_deref()).await)
        });
    }
    let mut counts = vec![0; rules.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, targets) = joined.map_err(|e| CliError::Internal(e.to_string()))?;
        counts[i] = targets?.len();
    }
    Ok(counts)
}

/// What a target gets: its fixed input, input path or transformer template.
fn target_input(t: &Target) -> String {
    if let Some(i) = &t.input {
        format!("input {}", minify_json(i))
    } else if let Some(p) = &t.input_path {
        format!("path {p}")
    } else if let Some(x) = &t.input_transformer {
        format!("template {}", x.input_template)
    } else {
        "event".to_string()
    }
}

pub(super) async fn targets(
    c: &Clients,
    args: &TargetsArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let targets = c.list_targets(&args.rule, args.bus.as_deref()).await?;
    match args.output {
        Format::Json => print_json(io, &targets)?,
        Format::Table => {
            let mut t = Table::new(&[
                ("ID", Align::Left),
                ("ARN", Align::Left),
                ("DLQ", Align::Left),
                ("INPUT", Align::Left),
            ]);
            for x in &targets {
                t.row(vec![
                    x.id.clone(),
                    x.arn.clone(),
                    or_dash(x.dlq_arn.as_deref().map(crate::domain::queue_name)),
                    target_input(x),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!("rule {} has no targets", escape(&args.rule)));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

// ---------------------------------------------------------------- put-event

/// A PutEvents entry in the API's own field names.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ApiEntry {
    source: Option<String>,
    detail_type: Option<String>,
    /// A JSON string (as the API takes it) or an object.
    detail: Option<serde_json::Value>,
    event_bus_name: Option<String>,
    #[serde(default)]
    resources: Vec<String>,
    /// RFC 3339 text, or seconds since the epoch.
    time: Option<serde_json::Value>,
    /// Accepted for compatibility; eddy does not send it.
    #[allow(dead_code)]
    trace_header: Option<String>,
}

/// Checks that a detail is one JSON object and returns it as compact text.
fn detail_text(text: &str, at: &str) -> Result<String, CliError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        CliError::Invalid(format!(
            "{at}: the detail is not JSON ({e}); give a JSON object, inline or as @FILE"
        ))
    })?;
    if !value.is_object() {
        return Err(CliError::Invalid(format!(
            "{at}: the detail must be a JSON object, not {}",
            json_kind(&value)
        )));
    }
    Ok(value.to_string())
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The entry from `--entry` (the API's shape).
fn entry_from_api(text: &str, at: &str, bus: Option<&str>) -> Result<EventEntry, CliError> {
    let api: ApiEntry = serde_json::from_str(text).map_err(|e| {
        CliError::Invalid(format!(
            "{at}: not a PutEvents entry ({e}); expected {{\"Source\", \"DetailType\", \"Detail\", \"EventBusName\", \"Resources\"}}"
        ))
    })?;
    let missing = |field: &str| CliError::Invalid(format!("{at}: the entry has no {field}"));
    let detail = match api.detail.ok_or_else(|| missing("Detail"))? {
        serde_json::Value::String(s) => detail_text(&s, at)?,
        v @ serde_json::Value::Object(_) => v.to_string(),
        other => {
            return Err(CliError::Invalid(format!(
                "{at}: Detail must be a JSON object or a string holding one, not {}",
                json_kind(&other)
            )));
        }
    };
    let time = match api.time {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => {
            let secs = n.as_f64().unwrap_or(0.0);
            Some(
                crate::ops::time::rfc3339_secs(secs)
                    .map_err(|e| CliError::Invalid(format!("{at}: Time {n}: {e}")))?,
            )
        }
        Some(other) => {
            return Err(CliError::Invalid(format!(
                "{at}: Time must be RFC 3339 text or seconds since the epoch, not {}",
                json_kind(&other)
            )));
        }
    };
    Ok(EventEntry {
        bus: bus.map(str::to_string).or(api.event_bus_name),
        source: api.source.ok_or_else(|| missing("Source"))?,
        detail_type: api.detail_type.ok_or_else(|| missing("DetailType"))?,
        detail,
        resources: api.resources,
        time,
    })
}

/// Where an `@FILE` / inline argument came from, for messages.
fn origin_of(arg: &str) -> String {
    match arg.strip_prefix('@') {
        Some("-") => "-".to_string(),
        Some(path) => path.to_string(),
        None => "inline".to_string(),
    }
}

fn build_entry(args: &PutEventArgs, stdin: &mut dyn BufRead) -> Result<EventEntry, CliError> {
    if let Some(entry) = &args.entry {
        let text = read_at_arg(entry, stdin, "event entry")?;
        return entry_from_api(&text, &origin_of(entry), args.bus.as_deref());
    }
    let (Some(source), Some(detail_type), Some(detail)) =
        (&args.source, &args.detail_type, &args.detail)
    else {
        return Err(CliError::Invalid(
            "give --source, --detail-type and --detail, or the whole entry with --entry".into(),
        ));
    };
    let text = read_at_arg(detail, stdin, "event detail")?;
    Ok(EventEntry {
        bus: args.bus.clone(),
        source: source.clone(),
        detail_type: detail_type.clone(),
        detail: detail_text(&text, &origin_of(detail))?,
        resources: args.resources.clone(),
        time: None,
    })
}

pub(super) async fn put_event(
    c: &Clients,
    args: &PutEventArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let entry = build_entry(args, stdin)?;
    let outcomes = c.put_events(std::slice::from_ref(&entry)).await?;
    let Some(outcome) = outcomes.into_iter().next() else {
        return Err(CliError::Internal(
            "PutEvents returned no outcome for the entry".into(),
        ));
    };
    match args.output {
        Format::Json => print_json(io, &outcome)?,
        Format::Table => {
            if let Some(id) = &outcome.event_id {
                io.line(format_args!("{}", escape(id)))?;
            }
        }
    }
    match (&outcome.event_id, &outcome.error) {
        (_, Some(e)) => {
            let bus = entry.bus.as_deref().unwrap_or("default");
            io.error(format_args!(
                "bus {} rejected the event: {}: {}",
                escape(bus),
                escape(&e.code),
                escape(&e.message)
            ))?;
            Ok(Status::Rejected)
        }
        (Some(_), None) => {
            let bus = entry.bus.as_deref().unwrap_or("default");
            audit(io, c, "put-event", bus, 1, &entry.source);
            Ok(Status::Success)
        }
        (None, None) => Err(CliError::Internal(
            "PutEvents returned neither an event id nor an error".into(),
        )),
    }
}

// ---------------------------------------------------------------- test-pattern

pub(super) fn read_pattern_and_event(
    args: &TestPatternArgs,
    stdin: &mut dyn BufRead,
) -> Result<(Pattern, String), CliError> {
    let pattern_spec = InputSpec::parse(&args.pattern);
    let event_spec = InputSpec::parse(&args.event);
    if input::stdin_uses([&pattern_spec, &event_spec]) > 1 {
        return Err(CliError::StdinTwice);
    }
    let text = input::read_text(&pattern_spec, stdin, "pattern")?;
    let pattern = Pattern::parse(&text).map_err(|error| CliError::Pattern {
        at: pattern_spec.origin().to_string(),
        error,
    })?;
    let event = input::read_text(&event_spec, stdin, "event")?;
    validate_event(event.as_bytes()).map_err(|error| input::InputError::Json {
        at: event_spec.origin().to_string(),
        error,
    })?;
    Ok((pattern, event))
}

fn eddy_verdict(pattern: &Pattern, event: &str, at: &str) -> Result<bool, CliError> {
    pattern
        .matches(event.as_bytes())
        .map_err(|e| CliError::Invalid(format!("{at}: {e}")))
}

fn verdict(matched: bool) -> &'static str {
    if matched { "MATCH" } else { "NO MATCH" }
}

fn verdict_status(matched: bool) -> Status {
    if matched {
        Status::Success
    } else {
        Status::NoMatch
    }
}

#[derive(Serialize)]
struct Verdicts {
    /// eddy's verdict: the exit status follows it.
    #[serde(rename = "match")]
    matched: bool,
    eddy: bool,
    /// The backend's verdict; null when not asked or not supported.
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<Option<bool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_supported: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agree: Option<bool>,
    /// Why the backend gave no verdict: it rejected the event.
    #[serde(skip_serializing_if = "Option::is_none")]
    backend_error: Option<String>,
}

pub(super) fn test_pattern_offline(
    args: &TestPatternArgs,
    pattern: &Pattern,
    event: &str,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let matched = eddy_verdict(pattern, event, &args.event)?;
    match args.output {
        Format::Json => print_json_line(
            io,
            &Verdicts {
                matched,
                eddy: matched,
                backend: None,
                backend_supported: None,
                agree: None,
                backend_error: None,
            },
        )?,
        Format::Table => io.line(format_args!("{}", verdict(matched)))?,
    }
    Ok(verdict_status(matched))
}

pub(super) async fn test_pattern_remote(
    c: &Clients,
    args: &TestPatternArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let (pattern, event) = read_pattern_and_event(args, stdin)?;
    let matched = eddy_verdict(&pattern, &event, &args.event)?;
    let mut rejected = None;
    let backend = match c.test_event_pattern(pattern.text(), &event).await {
        Ok(b) => Some(b),
        Err(e @ AwsError::Unsupported { .. }) => {
            io.note(format_args!(
                "note: {}: {e}; showing eddy's verdict only",
                c.detect_backend().await.label()
            ));
            None
        }
        // The backend refused the event (AWS wants a complete one): said,
        // and eddy's verdict still shown; the exit status follows it.
        Err(e @ AwsError::Service { .. }) => {
            io.note(format_args!(
                "warning: the backend rejected the event ({e}); showing eddy's verdict only"
            ));
            io.note(format_args!(
                "hint: TestEventPattern on AWS needs a complete event: id, account, source, time, region, resources, detail-type and detail"
            ));
            rejected = Some(e.to_string());
            None
        }
        Err(e) => return Err(e.into()),
    };
    let agree = backend.map(|b| b == matched);
    match args.output {
        Format::Json => print_json_line(
            io,
            &Verdicts {
                matched,
                eddy: matched,
                backend: Some(backend),
                backend_supported: Some(backend.is_some() || rejected.is_some()),
                agree,
                backend_error: rejected.clone(),
            },
        )?,
        Format::Table => {
            io.line(format_args!("eddy     {}", verdict(matched)))?;
            match backend {
                Some(b) => io.line(format_args!(
                    "backend  {}  (TestEventPattern at {})",
                    verdict(b),
                    c.endpoint_label()
                ))?,
                None if rejected.is_some() => {
                    io.line(format_args!("backend  -  (rejected the event)"))?
                }
                None => io.line(format_args!("backend  -  (not supported)"))?,
            }
        }
    }
    if agree == Some(false) {
        io.note(format_args!(
            "warning: eddy and the backend disagree: eddy says {}, the backend says {}. \
             The exit status follows eddy; please report the pattern and event to eddy's issue tracker",
            verdict(matched),
            verdict(!matched)
        ));
    }
    Ok(verdict_status(matched))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_entry_accepts_detail_as_string_or_object() {
        let a = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":"{\"a\": 1}","EventBusName":"b","Resources":["r"]}"#,
            "x",
            None,
        )
        .unwrap();
        assert_eq!(
            (
                a.bus.as_deref(),
                a.source.as_str(),
                a.detail_type.as_str(),
                a.detail.as_str()
            ),
            (Some("b"), "s", "t", r#"{"a":1}"#)
        );
        assert_eq!(a.resources, ["r"]);
        let b = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":{"a":1}}"#,
            "x",
            Some("o"),
        )
        .unwrap();
        assert_eq!(
            (b.bus.as_deref(), b.detail.as_str()),
            (Some("o"), r#"{"a":1}"#)
        );
        let t = entry_from_api(
            r#"{"Source":"s","DetailType":"t","Detail":{},"Time":0}"#,
            "x",
            None,
        )
        .unwrap();
        assert_eq!(t.time.as_deref(), Some("1970-01-01T00:00:00Z"));
        let err = |j: &str| entry_from_api(j, "e.json", None).unwrap_err().to_string();
        assert!(err(r#"{"Source":"s","DetailType":"t"}"#).contains("no Detail"));
        assert!(
            err(r#"{"Source":"s","DetailType":"t","Detail":"[1]"}"#)
                .contains("must be a JSON object")
        );
        assert!(err(r#"{"Sauce":"s"}"#).contains("Sauce"));
    }
}
