//! `eddy pattern check | test | match`.

use std::io::BufRead;
use std::time::Instant;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use super::common::{CliError, Status};
use super::input::{self, Event, InputError, InputSpec, Source};
use super::output::{Io, plural, thousands};
use super::rules;
use crate::pattern::{Explanation, Pattern};

pub(super) const PATTERN_HELP: &str = "\
A PATTERN or EVENT argument is a file, `-` for stdin, or inline JSON starting with `{`.
Event files: .json (one object, may span lines), .jsonl / .ndjson (one object per line),
either optionally gzipped (.gz); a folder means every such file in it, by name.

Examples:
  eddy pattern check assets/patterns/payment-over-200.json
  eddy pattern test assets/patterns/payment-over-200.json assets/events/
  eddy pattern match --rules rules.json events.jsonl.gz";

const CHECK_HELP: &str = "\
Prints `valid` and exits 0, or prints the reason and position and exits 2.

Examples:
  eddy pattern check assets/patterns/payment-over-200.json
  eddy pattern check '{\"detail\":{\"total_cost\":[{\"numeric\":[\">\",200]}]}}'
  cat pattern.json | eddy pattern check -";

const TEST_HELP: &str = "\
Prints `MATCH    <source>` or `NO MATCH <source>` per event, where <source> is the
file, `file:LINE` for JSON lines, `-` / `-:LINE` for stdin, or `inline`.
An event that cannot be read is reported on stderr and skipped; the others are still tested.

Exit status: 0 every event matched, 1 some event did not match,
2 invalid pattern or an event that could not be read.

Examples:
  eddy pattern test assets/patterns/payment-over-200.json assets/events/
  eddy pattern test --explain assets/patterns/payment-over-200.json assets/events/
  eddy pattern test -o json '{\"source\":[\"demo.payments\"]}' events.jsonl.gz
  jq -c '.Messages[].Body | fromjson' received.json | eddy pattern test pattern.json -";

const MATCH_HELP: &str = "\
RULES is a JSON object mapping rule names to patterns, each pattern an object or a string
holding the pattern text: {\"big-orders\": {\"detail\": {\"total\": [{\"numeric\": [\">\", 200]}]}}}.
The output of `aws events list-rules` ({\"Rules\": [{\"Name\": ..., \"EventPattern\": ...}]}) works too.

Prints `<source>: rule-a, rule-b` (or `<source>: (none)`) per event; with --count, a table of
matches per rule, and the throughput on stderr.
Exit status: 0 done (whether or not anything matched), 2 invalid rules or an unreadable event.

Examples:
  eddy pattern match --rules rules.json assets/events/
  eddy pattern match --rules rules.json --count big-day.jsonl.gz
  aws events list-rules --event-bus-name orders | eddy pattern match --rules - events.jsonl";

#[derive(Debug, Subcommand)]
pub enum PatternCommand {
    /// Check that a pattern is valid for EventBridge
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Test one pattern against events: MATCH or NO MATCH per event, optionally why
    #[command(after_help = TEST_HELP)]
    Test(TestArgs),
    /// Match events against many named rules at once: which rules each event hits
    #[command(after_help = MATCH_HELP)]
    Match(MatchArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pattern: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The pattern: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    /// Events: files (.json, .jsonl, .ndjson, optionally .gz), folders, `-` for stdin, or inline JSON
    #[arg(value_name = "EVENT", required = true)]
    pub events: Vec<String>,
    /// Show why each event did or did not match, field by field
    #[arg(long)]
    pub explain: bool,
    /// Output format: `text` lines, or `json` (one object per event per line)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The rules: a JSON object {"rule-name": pattern, ...} in a file, `-` for stdin, or inline
    #[arg(long, value_name = "RULES")]
    pub rules: String,
    /// Events: files (.json, .jsonl, .ndjson, optionally .gz), folders, `-` for stdin, or inline JSON
    #[arg(value_name = "EVENT", required = true)]
    pub events: Vec<String>,
    /// Print the number of matching events per rule instead of a line per event
    #[arg(long)]
    pub count: bool,
    /// Output format: `text` lines, or `json` (one object per line)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `eddy pattern check PATTERN`
pub(crate) fn check(
    args: &CheckArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let spec = InputSpec::parse(&args.pattern);
    read_pattern(&spec, stdin)?;
    io.line(format_args!("valid"))?;
    Ok(Status::Success)
}

/// `eddy pattern test PATTERN EVENT...`
pub(crate) fn test(
    args: &TestArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let pattern_spec = InputSpec::parse(&args.pattern);
    let events = event_specs(&args.events, Some(&pattern_spec))?;
    let pattern = read_pattern(&pattern_spec, stdin)?;

    #[derive(Serialize)]
    struct Line<'a> {
        source: Source<'a>,
        #[serde(rename = "match")]
        matched: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        explain: Option<&'a Explanation>,
    }

    let (mut seen, mut unmatched) = (0u64, 0u64);
    input::read_events(&events, stdin, |item| -> Result<(), CliError> {
        let Event { source, json } = match item {
            Ok(event) => event,
            Err(e) => {
                io.error(e)?;
                return Ok(());
            }
        };
        let (matched, explanation) = if args.explain {
            match pattern.explain(json) {
                Ok(x) => (x.matched, Some(x)),
                Err(error) => {
                    io.error(InputError::Json {
                        at: source.to_string(),
                        error,
                    })?;
                    return Ok(());
                }
            }
        } else {
            match pattern.matches(json) {
                Ok(matched) => (matched, None),
                Err(e) => {
                    io.error(format_args!("{source}: {e}"))?;
                    return Ok(());
                }
            }
        };
        seen += 1;
        unmatched += u64::from(!matched);
        match args.output {
            OutputFormat::Json => {
                io.json_line(&Line {
                    source,
                    matched,
                    explain: explanation.as_ref(),
                })?;
            }
            OutputFormat::Text => {
                let verdict = if matched { "MATCH   " } else { "NO MATCH" };
                io.line(format_args!("{verdict} {source}"))?;
                if let Some(x) = &explanation {
                    for line in x.to_string().lines() {
                        io.line(format_args!("    {line}"))?;
                    }
                }
            }
        }
        Ok(())
    })?;
    if args.output == OutputFormat::Text && (seen > 1 || (seen > 0 && io.errors() > 0)) {
        summarise(io, seen - unmatched, seen);
    }
    let done = if unmatched > 0 {
        Status::NoMatch
    } else {
        Status::Success
    };
    finish(io, seen, &args.events, done)
}

/// `eddy pattern match --rules RULES EVENT...`
pub(crate) fn match_rules(
    args: &MatchArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let rules_spec = InputSpec::parse(&args.rules);
    let events = event_specs(&args.events, Some(&rules_spec))?;
    let built = match &rules_spec {
        InputSpec::Path(dir) if dir.is_dir() => rules::build_from_folder(dir),
        _ => {
            let text = input::read_text(&rules_spec, stdin, "rules file")?;
            rules::build(&rules_spec.origin().to_string(), &text)
        }
    };
    let rules = match built {
        Ok(rules) => rules,
        Err(errors) => {
            for e in errors {
                io.error(e)?;
            }
            return Ok(Status::InputErrors);
        }
    };
    let names = rules.names();
    let mut matcher = rules.matcher();
    let mut counts = vec![0u64; names.len()];
    let mut seen = 0u64;

    #[derive(Serialize)]
    struct Line<'a> {
        source: Source<'a>,
        rules: Vec<&'a str>,
    }

    let started = Instant::now();
    input::read_events(&events, stdin, |item| -> Result<(), CliError> {
        let Event { source, json } = match item {
            Ok(event) => event,
            Err(e) => {
                io.error(e)?;
                return Ok(());
            }
        };
        let hits = match matcher.matches(json) {
            Ok(hits) => hits,
            Err(e) => {
                io.error(format_args!("{source}: {e}"))?;
                return Ok(());
            }
        };
        seen += 1;
        if args.count {
            for &i in hits {
                counts[i] += 1;
            }
            return Ok(());
        }
        let hit_names = hits.iter().map(|&i| names[i].as_str());
        match args.output {
            OutputFormat::Json => io.json_line(&Line {
                source,
                rules: hit_names.collect(),
            })?,
            OutputFormat::Text if hits.is_empty() => io.line(format_args!("{source}: (none)"))?,
            OutputFormat::Text => {
                let list = hit_names.collect::<Vec<_>>().join(", ");
                io.line(format_args!("{source}: {list}"))?;
            }
        }
        Ok(())
    })?;
    let elapsed = started.elapsed();
    let status = finish(io, seen, &args.events, Status::Success)?;

    if args.count {
        print_counts(io, args.output, names, &counts, seen)?;
        let secs = elapsed.as_secs_f64();
        // Whole events per second; an instant run reports the count itself.
        let rate = if secs > 0.0 {
            (seen as f64 / secs).round() as u64
        } else {
            seen
        };
        let took = if secs >= 0.1 {
            format!("{secs:.2} s")
        } else {
            format!("{:.2} ms", secs * 1000.0)
        };
        io.note(format_args!(
            "matched {} against {} in {took} ({} events/s)",
            plural(seen, "event", "events"),
            plural(names.len() as u64, "rule", "rules"),
            thousands(rate),
        ));
    }
    Ok(status)
}

/// `1 of 36 events matched` on stderr, so that a long run ends with the gist.
fn summarise(io: &mut Io<'_>, matched: u64, seen: u64) {
    let errors = io.errors() as u64;
    let unread = if errors > 0 {
        format!("; {} could not be read (see above)", thousands(errors))
    } else {
        String::new()
    };
    let events = if seen == 1 { "event" } else { "events" };
    io.note(format_args!(
        "{} of {} {events} matched{unread}",
        thousands(matched),
        thousands(seen)
    ));
}

/// Matches per rule, in rules-file order.
fn print_counts(
    io: &mut Io<'_>,
    format: OutputFormat,
    names: &[String],
    counts: &[u64],
    events: u64,
) -> Result<(), CliError> {
    match format {
        OutputFormat::Json => {
            // Written by hand to keep the rules-file order (serde_json's map sorts keys).
            let mut json = format!("{{\"events\":{events},\"rules\":{{");
            for (i, (name, count)) in names.iter().zip(counts).enumerate() {
                if i > 0 {
                    json.push(',');
                }
                json.push_str(&serde_json::Value::from(name.as_str()).to_string());
                json.push(':');
                json.push_str(&count.to_string());
            }
            json.push_str("}}");
            io.line(format_args!("{json}"))?;
        }
        OutputFormat::Text => {
            let name_width = names
                .iter()
                .map(|n| n.chars().count())
                .chain([4])
                .max()
                .unwrap_or(4);
            let count_width = counts
                .iter()
                .map(|c| c.to_string().len())
                .chain([7])
                .max()
                .unwrap_or(7);
            io.line(format_args!(
                "{:<name_width$}  {:>count_width$}",
                "RULE", "MATCHES"
            ))?;
            for (name, count) in names.iter().zip(counts) {
                io.line(format_args!("{name:<name_width$}  {count:>count_width$}"))?;
            }
        }
    }
    Ok(())
}

/// The event inputs, checking that stdin is read at most once (with `other`, the
/// pattern or rules input).
fn event_specs(args: &[String], other: Option<&InputSpec>) -> Result<Vec<InputSpec>, CliError> {
    let specs: Vec<InputSpec> = args.iter().map(|a| InputSpec::parse(a)).collect();
    if input::stdin_uses(specs.iter().chain(other)) > 1 {
        return Err(CliError::StdinTwice);
    }
    Ok(specs)
}

fn read_pattern(spec: &InputSpec, stdin: &mut dyn BufRead) -> Result<Pattern, CliError> {
    let text = input::read_text(spec, stdin, "pattern")?;
    Pattern::parse(&text).map_err(|error| CliError::Pattern {
        at: spec.origin().to_string(),
        error,
    })
}

/// The status once every event has been handled: `done` unless some input
/// could not be read. An empty run is an error, not a silent success.
fn finish(io: &Io<'_>, seen: u64, args: &[String], done: Status) -> Result<Status, CliError> {
    match (seen, io.errors()) {
        (0, 0) => Err(CliError::NoEvents {
            inputs: args.join(" "),
        }),
        (_, 0) => Ok(done),
        _ => Ok(Status::InputErrors),
    }
}
