//! The SNS commands: `topics`, `subscriptions` (with `--reach`: which
//! subscriptions a message would reach, and why) and `publish`. Their
//! arguments and help are in `args.rs`; the work is in [`crate::ops::sns`].

use std::collections::BTreeMap;
use std::io::BufRead;

use serde::Serialize;

use super::args::{PublishArgs, SubscriptionsArgs, TopicsArgs};
use super::print::{or_dash, print_json, print_table, warn_audit};
use crate::aws::Clients;
use crate::cli::common::{CliError, Format, Status};
use crate::cli::input::{self, InputSpec};
use crate::cli::output::Io;
use crate::cli::table::{Align, Table, escape};
use crate::domain::{Subscription, Topic, short_arn};
use crate::ops::audit::Audit;
use crate::ops::sns::{self, Publish, Reach};
use crate::pattern::filter_policy;

/// Characters of a filter policy shown in the `subscriptions` table.
const POLICY_WIDTH: usize = 48;

// ---------------------------------------------------------------- topics

pub(super) async fn topics(
    c: &Clients,
    args: &TopicsArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let topics = sns::topics(c).await?;
    match args.output {
        Format::Json => print_json(io, &topics)?,
        Format::Table if topics.is_empty() => io.note(format_args!(
            "no SNS topics at {} in {}",
            c.endpoint_label(),
            c.region
        )),
        Format::Table => {
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("CONFIRMED", Align::Right),
                ("PENDING", Align::Right),
                ("TYPE", Align::Left),
                ("ENCRYPTED", Align::Left),
            ]);
            for topic in &topics {
                t.row(topic_row(topic));
            }
            print_table(io, &t)?;
        }
    }
    Ok(Status::Success)
}

fn topic_row(t: &Topic) -> Vec<String> {
    vec![
        t.name.clone(),
        t.subscriptions_confirmed.to_string(),
        t.subscriptions_pending.to_string(),
        if t.fifo { "FIFO" } else { "standard" }.to_string(),
        or_dash(t.kms_key.as_ref()),
    ]
}

// ---------------------------------------------------------------- subscriptions

pub(super) async fn subscriptions(
    c: &Clients,
    args: &SubscriptionsArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    // The message first: bad input fails before any call.
    let message = match &args.reach {
        Some(m) => Some(read_message(m, stdin)?),
        None => None,
    };
    let arn = c.topic_arn(&args.topic).await?;
    let subs = sns::subscriptions(c, &arn).await?;
    if let Some(message) = message {
        return reach(&subs, &message, args.output, io);
    }
    match args.output {
        Format::Json => print_json(io, &subs)?,
        Format::Table if subs.is_empty() => io.note(format_args!(
            "topic {} has no subscriptions",
            escape(crate::domain::topic_name_of(&arn))
        )),
        Format::Table => {
            let mut t = Table::new(&[
                ("PROTOCOL", Align::Left),
                ("ENDPOINT", Align::Left),
                ("CONFIRMED", Align::Left),
                ("RAW", Align::Left),
                ("FILTER POLICY", Align::Left),
                ("SCOPE", Align::Left),
                ("DLQ", Align::Left),
            ]);
            for s in &subs {
                t.row(subscription_row(s));
            }
            print_table(io, &t)?;
        }
    }
    Ok(Status::Success)
}

/// A subscription's row; the table escapes the cells.
fn subscription_row(s: &Subscription) -> Vec<String> {
    vec![
        s.protocol.clone(),
        endpoint_label(s),
        if s.confirmed { "yes" } else { "pending" }.to_string(),
        if s.raw_delivery { "yes" } else { "no" }.to_string(),
        s.filter_policy
            .as_deref()
            .map(|p| shorten(&crate::pattern::json::minify(p), POLICY_WIDTH))
            .unwrap_or_else(|| "-".to_string()),
        if s.filter_policy.is_some() {
            s.filter_policy_scope.as_str().to_string()
        } else {
            "-".to_string()
        },
        s.dlq_arn
            .as_deref()
            .map(|a| short_arn(a).to_string())
            .unwrap_or_else(|| "-".to_string()),
    ]
}

/// At most `max` characters of `s` (the table escapes them).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        s.to_string()
    }
}

/// A queue or function by its short name; other endpoints (URLs, emails) whole.
fn endpoint_label(s: &Subscription) -> String {
    if s.opens().is_some() {
        short_arn(&s.endpoint).to_string()
    } else {
        s.endpoint.clone()
    }
}

/// A `--reach` message: `{"body": ..., "attributes": {...}}`.
fn read_message(arg: &str, stdin: &mut dyn BufRead) -> Result<filter_policy::Message, CliError> {
    let spec = InputSpec::parse(arg);
    let text = input::read_text(&spec, stdin, "message")?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::Invalid(format!(
            "{}: not a message ({e}); give a JSON object {{\"body\": \"...\", \"attributes\": {{NAME: {{\"Type\": \"String\", \"Value\": \"...\"}}}}}}",
            spec.origin()
        ))
    })
}

fn reach(
    subs: &[Subscription],
    message: &filter_policy::Message,
    output: Format,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let reached = sns::reach(subs, message);
    match output {
        Format::Json => print_json(io, &reached)?,
        Format::Table => {
            let mut t = Table::new(&[
                ("PROTOCOL", Align::Left),
                ("ENDPOINT", Align::Left),
                ("GETS IT", Align::Left),
                ("WHY", Align::Left),
            ]);
            for (s, r) in subs.iter().zip(&reached) {
                t.row(vec![
                    r.protocol.clone(),
                    endpoint_label(s),
                    if r.delivered { "yes" } else { "no" }.to_string(),
                    why(r),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!("the topic has no subscriptions"));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(if reached.iter().any(|r| r.delivered) {
        Status::Success
    } else {
        Status::NoMatch
    })
}

/// Why a subscription gets (or not) a message, on one line: the note, or
/// the policy keys that decided.
fn why(r: &Reach) -> String {
    if let Some(n) = &r.note {
        return n.clone();
    }
    let Some(e) = &r.explanation else {
        return String::new();
    };
    let keys: Vec<&str> = e
        .keys
        .iter()
        .filter(|k| k.matched == r.delivered)
        .map(|k| k.reason.as_str())
        .collect();
    if keys.is_empty() {
        if r.delivered {
            "the filter policy matches".to_string()
        } else {
            "the filter policy does not match".to_string()
        }
    } else {
        keys.join("; ")
    }
}

// ---------------------------------------------------------------- publish

/// Asks `question` before publishing: with `yes` says it and goes on; on
/// a terminal asks `[y/N]`; otherwise refuses (add --yes). As
/// `admin_cmd::confirm`, which this file cannot import (it imports this
/// module's parent).
fn confirm_publish(
    io: &mut Io<'_>,
    stdin: &mut dyn BufRead,
    question: &str,
    yes: bool,
) -> Result<(), CliError> {
    use std::io::IsTerminal;
    if yes {
        io.note(format_args!("{question} (confirmed with --yes)"));
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Invalid(format!(
            "{question}\nrefused: stdin is not a terminal, so eddy cannot ask for confirmation; add --yes to go ahead. Nothing was published"
        )));
    }
    io.note(format_args!("{question}"));
    io.note(format_args!("go ahead? [y/N]"));
    let mut answer = String::new();
    stdin.read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Invalid(
            "not confirmed: nothing was published".to_string(),
        ))
    }
}

#[derive(Serialize)]
struct PublishedRow<'a> {
    topic: &'a str,
    topic_arn: &'a str,
    message_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_number: Option<&'a str>,
}

pub(super) async fn publish(
    c: &Clients,
    audit: &Audit,
    args: &PublishArgs,
    stdin: &mut dyn BufRead,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let message = match args.message.as_str() {
        "-" => input::read_text(&InputSpec::Stdin, stdin, "message")?,
        m => super::print::read_at_arg(m, stdin, "message")?,
    };
    let p = Publish {
        message,
        subject: args.subject.clone(),
        attributes: args
            .attrs
            .iter()
            .map(|a| (a.name.clone(), a.attribute.clone()))
            .collect::<BTreeMap<_, _>>(),
        group_id: args.group_id.clone(),
        dedup_id: args.dedup_id.clone(),
    };
    let topic = sns::topic(c, &args.topic).await?;
    sns::check_publish(&topic, &p)?;
    let asked = sns::publish_confirmation(&topic, &p);
    confirm_publish(io, stdin, &escape(&asked.one_line()), args.yes)?;
    let done = sns::publish(c, audit, &topic.arn, p).await?;
    warn_audit(io, done.audit_warning);
    let out = done.value;
    match args.output {
        Format::Json => print_json(
            io,
            &PublishedRow {
                topic: &topic.name,
                topic_arn: &out.topic_arn,
                message_id: &out.message_id,
                sequence_number: out.sequence_number.as_deref(),
            },
        )?,
        Format::Table => io.line(format_args!("{}", escape(&out.message_id)))?,
    }
    Ok(Status::Success)
}
