//! `eddy filter-policy check | test`: SNS subscription filter policies,
//! offline, as `eddy pattern` does for EventBridge patterns (same inputs,
//! `--explain`, `-o json`, exit codes). The engine is
//! `pattern::filter_policy`.

use std::io::BufRead;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::commands::OutputFormat;
use super::common::{CliError, Status};
use super::input::{self, Event, InputSpec};
use super::output::{Io, thousands};
use crate::pattern::filter_policy::{FilterPolicy, Message, PolicyExplanation, Scope};

pub(super) const HELP: &str = "\
A POLICY or MESSAGE argument is a file, `-` for stdin, or inline JSON starting with `{`.
A MESSAGE is what SNS filters: {\"body\": \"...\", \"attributes\": {NAME: {\"Type\": \"String\", \"Value\": \"...\"}}}
(Type String, Number, String.Array or Binary; a body that is a JSON object may be given as one).
Message files: .json (one message), .jsonl / .ndjson (one per line), optionally .gz, or a folder.
--scope is the subscription's FilterPolicyScope: MessageAttributes (the default, as in SNS) or MessageBody.

Examples:
  eddy filter-policy check '{\"topic\": [\"news\", \"tech\"]}'
  eddy filter-policy test '{\"topic\": [\"news\"]}' '{\"attributes\": {\"topic\": {\"Type\": \"String\", \"Value\": \"news\"}}}'
  eddy filter-policy test --scope MessageBody --explain policy.json --body '{\"price\": 150}'";

const CHECK_HELP: &str = "\
Prints `valid` and exits 0, or prints SNS's reason (the text SNS answers Subscribe and
SetSubscriptionAttributes with) and exits 2. With -o json: {\"valid\": .., \"scope\": .., \"error\": ..}.

Examples:
  eddy filter-policy check '{\"store\": [\"example_corp\"], \"price_usd\": [{\"numeric\": [\">\", 100]}]}'
  eddy filter-policy check --scope MessageBody policy.json
  aws sns get-subscription-attributes --subscription-arn ARN --query Attributes.FilterPolicy --output text | eddy filter-policy check -";

const TEST_HELP: &str = "\
Prints `MATCH    <source>` (SNS delivers the message) or `NO MATCH <source>` per message,
where <source> is the file, `file:LINE` for JSON lines, `-` / `-:LINE` for stdin, `inline`
or `--body`. With --explain, a line per policy key: pass or FAIL, the key, and why.
A message that cannot be read is reported on stderr and skipped; the others are still tested.

Exit status: 0 every message matched, 1 some message did not match,
2 invalid policy or a message that could not be read.

Examples:
  eddy filter-policy test '{\"topic\": [\"news\"]}' '{\"attributes\": {\"topic\": {\"Type\": \"String\", \"Value\": \"sports\"}}}'
  eddy filter-policy test --explain policy.json messages.jsonl
  eddy filter-policy test --scope MessageBody -o json policy.json --body '{\"detail\": {\"total\": 250}}'";

#[derive(Debug, Subcommand)]
pub enum FilterPolicyCommand {
    /// Check that a filter policy is valid for SNS, with SNS's error text if not
    #[command(after_help = CHECK_HELP)]
    Check(PolicyCheckArgs),
    /// Test a filter policy against messages: MATCH or NO MATCH per message, optionally why
    #[command(after_help = TEST_HELP)]
    Test(PolicyTestArgs),
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// The policy: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "POLICY")]
    pub policy: String,
    /// The subscription's FilterPolicyScope: MessageAttributes or MessageBody
    #[arg(long, value_name = "SCOPE", value_parser = parse_scope, default_value = "MessageAttributes")]
    pub scope: Scope,
    /// Output format: `text`, or `json` (one object)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// The policy: a file, `-` for stdin, or inline JSON starting with `{`
    #[arg(value_name = "POLICY")]
    pub policy: String,
    /// Messages {"body": .., "attributes": {..}}: files (.json, .jsonl, .ndjson, optionally .gz), folders, `-`, or inline JSON
    #[arg(value_name = "MESSAGE", required_unless_present = "body")]
    pub messages: Vec<String>,
    /// A raw message body (no attributes) to test, instead of or besides MESSAGE; may be repeated
    #[arg(long, value_name = "TEXT")]
    pub body: Vec<String>,
    /// The subscription's FilterPolicyScope: MessageAttributes or MessageBody
    #[arg(long, value_name = "SCOPE", value_parser = parse_scope, default_value = "MessageAttributes")]
    pub scope: Scope,
    /// Show why each message did or did not match, key by key
    #[arg(long)]
    pub explain: bool,
    /// Output format: `text` lines, or `json` (one object per message per line)
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    s.parse()
}

/// `eddy filter-policy check POLICY`
pub(crate) fn check(
    args: &PolicyCheckArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let spec = InputSpec::parse(&args.policy);
    let text = input::read_text(&spec, stdin, "filter policy")?;
    let parsed = FilterPolicy::parse(&text, args.scope);

    #[derive(Serialize)]
    struct Verdict<'a> {
        valid: bool,
        scope: Scope,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
    }
    match (&parsed, args.output) {
        (Ok(_), OutputFormat::Text) => io.line(format_args!("valid"))?,
        (Ok(_), OutputFormat::Json) => io.json_line(&Verdict {
            valid: true,
            scope: args.scope,
            error: None,
        })?,
        (Err(e), OutputFormat::Json) => io.json_line(&Verdict {
            valid: false,
            scope: args.scope,
            error: Some(&e.message),
        })?,
        (Err(_), OutputFormat::Text) => {}
    }
    match parsed {
        Ok(_) => Ok(Status::Success),
        Err(e) if args.output == OutputFormat::Json => {
            io.error(invalid(&spec, args.scope, &e.message))?;
            Ok(Status::InputErrors)
        }
        Err(e) => Err(CliError::Invalid(invalid(&spec, args.scope, &e.message))),
    }
}

fn invalid(spec: &InputSpec, scope: Scope, message: &str) -> String {
    format!(
        "{}: not a valid {scope} filter policy: {message}",
        spec.origin()
    )
}

/// `eddy filter-policy test POLICY MESSAGE...`
pub(crate) fn test(
    args: &PolicyTestArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let policy_spec = InputSpec::parse(&args.policy);
    let specs: Vec<InputSpec> = args.messages.iter().map(|a| InputSpec::parse(a)).collect();
    if input::stdin_uses(specs.iter().chain([&policy_spec])) > 1 {
        return Err(CliError::StdinTwice);
    }
    let text = input::read_text(&policy_spec, stdin, "filter policy")?;
    let policy = FilterPolicy::parse(&text, args.scope)
        .map_err(|e| CliError::Invalid(invalid(&policy_spec, args.scope, &e.message)))?;

    let mut tally = Tally::default();
    input::read_events(&specs, stdin, |item| -> Result<(), CliError> {
        let Event { source, json } = match item {
            Ok(event) => event,
            Err(e) => {
                io.error(e)?;
                return Ok(());
            }
        };
        match message_of(json) {
            Ok(m) => report(io, args, &policy, &source.to_string(), &m, &mut tally),
            Err(why) => {
                io.error(format_args!("{source}: {why}"))?;
                Ok(())
            }
        }
    })?;
    let many = args.body.len() > 1;
    for (i, body) in args.body.iter().enumerate() {
        let source = if many {
            format!("--body #{}", i + 1)
        } else {
            "--body".to_string()
        };
        let m = Message {
            body: body.clone(),
            attributes: Default::default(),
        };
        report(io, args, &policy, &source, &m, &mut tally)?;
    }

    let Tally { seen, unmatched } = tally;
    if args.output == OutputFormat::Text && (seen > 1 || (seen > 0 && io.errors() > 0)) {
        let errors = io.errors() as u64;
        let unread = if errors > 0 {
            format!("; {} could not be read (see above)", thousands(errors))
        } else {
            String::new()
        };
        let noun = if seen == 1 { "message" } else { "messages" };
        io.note(format_args!(
            "{} of {} {noun} matched{unread}",
            thousands(seen - unmatched),
            thousands(seen)
        ));
    }
    match (seen, io.errors()) {
        (0, 0) => Err(CliError::NoEvents {
            inputs: args.messages.join(" "),
        }),
        (_, 0) if unmatched > 0 => Ok(Status::NoMatch),
        (_, 0) => Ok(Status::Success),
        _ => Ok(Status::InputErrors),
    }
}

#[derive(Default)]
struct Tally {
    seen: u64,
    unmatched: u64,
}

fn report(
    io: &mut Io<'_>,
    args: &PolicyTestArgs,
    policy: &FilterPolicy,
    source: &str,
    m: &Message,
    tally: &mut Tally,
) -> Result<(), CliError> {
    #[derive(Serialize)]
    struct Line<'a> {
        source: &'a str,
        #[serde(rename = "match")]
        matched: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        explain: Option<&'a PolicyExplanation>,
    }
    let explanation = args.explain.then(|| policy.explain(m));
    let matched = match &explanation {
        Some(x) => x.matched,
        None => policy.matches(m),
    };
    tally.seen += 1;
    tally.unmatched += u64::from(!matched);
    match args.output {
        OutputFormat::Json => io.json_line(&Line {
            source,
            matched,
            explain: explanation.as_ref(),
        })?,
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
}

/// A MESSAGE object: `body` (a string, or any JSON value taken as its text)
/// and `attributes`; any other key is a mistake worth naming.
fn message_of(json: &[u8]) -> Result<Message, String> {
    const SHAPE: &str = "a MESSAGE is {\"body\": \"...\", \"attributes\": {NAME: {\"Type\": \"String\", \"Value\": \"...\"}}}; for a raw body use --body";
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
    let serde_json::Value::Object(mut obj) = value else {
        return Err(format!("not an object; {SHAPE}"));
    };
    if let Some(k) = obj.keys().find(|k| *k != "body" && *k != "attributes") {
        return Err(format!(
            "unexpected key {}; {SHAPE}",
            serde_json::Value::from(k.as_str())
        ));
    }
    let body = match obj.remove("body") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    let attributes = match obj.remove("attributes") {
        None | Some(serde_json::Value::Null) => Default::default(),
        Some(a) => serde_json::from_value(a).map_err(|e| format!("attributes: {e}; {SHAPE}"))?,
    };
    Ok(Message { body, attributes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_takes_a_string_or_json_body_and_typed_attributes() {
        let m = message_of(
            br#"{"body": {"a": 1}, "attributes": {"k": {"Type": "Number", "Value": "5"}}}"#,
        )
        .unwrap();
        assert_eq!(m.body, r#"{"a":1}"#);
        assert_eq!(m.attributes["k"].data_type, "Number");
        assert_eq!(message_of(br#"{"body": "x"}"#).unwrap().body, "x");
        let e = message_of(br#"{"store": "x"}"#).unwrap_err();
        assert!(
            e.contains("unexpected key \"store\"") && e.contains("--body"),
            "{e}"
        );
        let e = message_of(br#"{"attributes": {"k": "v"}}"#).unwrap_err();
        assert!(e.starts_with("attributes: "), "{e}");
    }
}
