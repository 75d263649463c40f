//! The consumer commands: `eddy functions [NAME]`, `eddy consumers QUEUE`,
//! and what `eddy peek --why` prints. Thin over [`crate::ops::consumers`]
//! and [`crate::ops::why`]: read the declared consumers, call, print a
//! table (untrusted text escaped by [`Table`] and [`escape`]) or JSON.

use serde::Serialize;

use super::args::{ConsumersArgs, FunctionsArgs};
use super::print::{or_dash, print_json, print_table};
use crate::aws::Clients;
use crate::aws::sqs::Peek;
use crate::cli::common::{CliError, Format, Status};
use crate::cli::output::Io;
use crate::cli::table::{Align, Table, escape};
use crate::domain::Message;
use crate::ops::consumers::{self, Declared, LambdaStatus};
use crate::ops::why::{self, Why, WhyOptions};

/// The consumers declared in the user's config file (the TUI's:
/// `$XDG_CONFIG_HOME/eddy/config.toml`); none when there is no file.
pub(super) fn declared() -> Result<Declared, CliError> {
    let path = crate::tui::config::Config::user_path();
    Declared::load(path.as_deref()).map_err(|e| CliError::Invalid(format!("configuration: {e}")))
}

fn seconds(s: Option<u32>) -> String {
    s.map(|s| format!("{s} s"))
        .unwrap_or_else(|| "-".to_string())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// `eddy functions [NAME]`.
pub(super) async fn functions(
    c: &Clients,
    args: &FunctionsArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    if let Some(name) = &args.name {
        return function(c, name, args.output, io).await;
    }
    let list = consumers::functions(c).await?;
    match args.output {
        Format::Json => print_json(io, &list)?,
        Format::Table => {
            if let Some(n) = list.lambda.note() {
                io.note(format_args!("{}", escape(n)));
            }
            for n in &list.notes {
                io.note(format_args!("note: {}", escape(n)));
            }
            let mut t = Table::new(&[
                ("NAME", Align::Left),
                ("RUNTIME", Align::Left),
                ("MEMORY", Align::Right),
                ("TIMEOUT", Align::Right),
                ("LAST MODIFIED", Align::Left),
                ("LOG GROUP", Align::Left),
                ("TRIGGERS", Align::Left),
            ]);
            for f in &list.functions {
                let triggers: Vec<String> = f.triggers.iter().map(|t| t.label()).collect();
                t.row(vec![
                    f.function.name.clone(),
                    or_dash(f.function.runtime.as_ref()),
                    f.function
                        .memory_mb
                        .map(|m| format!("{m} MB"))
                        .unwrap_or_else(|| "-".to_string()),
                    seconds(f.function.timeout_s),
                    or_dash(f.function.last_modified.as_ref()),
                    f.function.log_group.clone(),
                    if triggers.is_empty() {
                        "-".to_string()
                    } else {
                        triggers.join(", ")
                    },
                ]);
            }
            if t.is_empty() {
                if list.lambda.is_available() {
                    io.note(format_args!(
                        "no Lambda functions at {} in {}",
                        c.endpoint_label(),
                        c.region
                    ));
                }
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(Status::Success)
}

/// `eddy functions NAME`: one function in full.
async fn function(
    c: &Clients,
    name: &str,
    output: Format,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let d = consumers::function(c, name).await?;
    if output == Format::Json {
        print_json(io, &d)?;
        return Ok(Status::Success);
    }
    let f = &d.function;
    let a = d.async_config.as_ref();
    let rows = [
        ("name", f.name.clone()),
        ("arn", f.arn.clone()),
        ("runtime", or_dash(f.runtime.as_ref())),
        ("handler", or_dash(f.handler.as_ref())),
        (
            "memory",
            f.memory_mb
                .map(|m| format!("{m} MB"))
                .unwrap_or_else(|| "-".into()),
        ),
        ("timeout", seconds(f.timeout_s)),
        ("last modified", or_dash(f.last_modified.as_ref())),
        ("state", or_dash(f.state.as_ref())),
        ("log group", f.log_group.clone()),
        ("dead-letter", or_dash(f.dead_letter_arn.as_ref())),
        (
            "retries",
            a.and_then(|a| a.max_retries)
                .map(|r| r.to_string())
                .unwrap_or_else(|| "- (Lambda's default: 2)".into()),
        ),
        (
            "max event age",
            a.and_then(|a| a.max_event_age_s)
                .map(|s| format!("{s} s"))
                .unwrap_or_else(|| "- (Lambda's default: 6 h)".into()),
        ),
        ("on success", or_dash(a.and_then(|a| a.on_success.as_ref()))),
        ("on failure", or_dash(a.and_then(|a| a.on_failure.as_ref()))),
    ];
    for (k, v) in rows {
        io.line(format_args!("{k:<14} {}", escape(&v)))?;
    }
    for t in &d.triggers {
        io.line(format_args!("{:<14} {}", "trigger", escape(&t.label())))?;
    }
    for n in &d.notes {
        io.note(format_args!("note: {}", escape(n)));
    }
    Ok(Status::Success)
}

/// `eddy consumers QUEUE`.
pub(super) async fn consumers_cmd(
    c: &Clients,
    args: &ConsumersArgs,
    io: &mut Io<'_>,
) -> Result<Status, CliError> {
    let declared = declared()?;
    let found = consumers::consumers(c, &args.queue, &declared).await?;
    if args.output == Format::Json {
        print_json(io, &found)?;
        return Ok(Status::Success);
    }
    let q = &found.queue;
    let dlq = q
        .redrive_policy
        .as_ref()
        .map(|rp| {
            format!(
                ", DLQ {} after {} receives",
                rp.dlq_name(),
                rp.max_receive_count
            )
        })
        .unwrap_or_else(|| ", no DLQ".to_string());
    io.line(format_args!(
        "queue {} (visibility timeout {}{})",
        escape(&q.name),
        seconds(q.visibility_timeout_s),
        escape(&dlq)
    ))?;
    match &found.lambda {
        LambdaStatus::Available => {}
        LambdaStatus::NoApi { message } | LambdaStatus::Failed { message } => {
            io.line(format_args!("lambda: {}", escape(message)))?;
        }
    }
    let mut t = Table::new(&[
        ("CONSUMER", Align::Left),
        ("KIND", Align::Left),
        ("STATE", Align::Left),
        ("BATCH", Align::Right),
        ("WINDOW", Align::Right),
        ("ITEM FAILURES", Align::Left),
        ("MAX CONC", Align::Right),
        ("LAST RESULT", Align::Left),
        ("RUNTIME", Align::Left),
        ("TIMEOUT", Align::Right),
        ("LOG GROUPS", Align::Left),
    ]);
    for m in &found.mappings {
        let f = m.function.as_ref();
        t.row(vec![
            m.mapping.function_name().to_string(),
            "lambda".to_string(),
            or_dash(m.mapping.state.as_ref()),
            or_dash(m.mapping.batch_size),
            seconds(m.mapping.batching_window_s),
            yes_no(m.mapping.report_batch_item_failures),
            or_dash(m.mapping.max_concurrency),
            or_dash(m.mapping.last_processing_result.as_ref()),
            or_dash(f.and_then(|f| f.runtime.as_ref())),
            seconds(f.and_then(|f| f.timeout_s)),
            f.map(|f| f.log_group.clone())
                .or_else(|| m.function_error.clone())
                .unwrap_or_else(|| "-".to_string()),
        ]);
    }
    for d in &found.declared {
        t.row(vec![
            d.name.clone(),
            "declared".to_string(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            seconds(d.timeout_s),
            d.log_groups.join(", "),
        ]);
    }
    if t.is_empty() {
        io.line(format_args!(
            "no consumers: no Lambda event source mapping on {} and none declared under [consumers] in eddy's config file",
            escape(&q.name)
        ))?;
    } else {
        print_table(io, &t)?;
    }
    for w in &found.warnings {
        io.line(format_args!("warning: {}", escape(&w.message)))?;
    }
    Ok(Status::Success)
}

/// A peeked message with its explanation (`eddy peek --why -o json`).
#[derive(Serialize)]
struct WhyRow<'a> {
    #[serde(flatten)]
    message: &'a Message,
    why: &'a Why,
}

/// `eddy peek --why`: explains each peeked message and prints one summary
/// line per message (table) or each message with its `why` (JSON).
pub(super) async fn print_why(
    c: &Clients,
    peek: &Peek,
    output: Format,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let declared = declared()?;
    let whys = why::why(
        c,
        &peek.queue,
        &peek.messages,
        &declared,
        WhyOptions::default(),
    )
    .await?;
    match output {
        Format::Json => {
            let rows: Vec<WhyRow<'_>> = peek
                .messages
                .iter()
                .zip(&whys)
                .map(|(message, why)| WhyRow { message, why })
                .collect();
            print_json(io, &rows)?;
        }
        Format::Table => {
            if let Some(first) = whys.first() {
                for n in &first.searched.notes {
                    io.note(format_args!("note: {}", escape(n)));
                }
            }
            let mut t = Table::new(&[
                ("MESSAGE ID", Align::Left),
                ("RECEIVES", Align::Right),
                ("WHY", Align::Left),
            ]);
            for (m, w) in peek.messages.iter().zip(&whys) {
                t.row(vec![
                    m.message_id.clone(),
                    m.receive_count.to_string(),
                    w.summary.clone(),
                ]);
            }
            if t.is_empty() {
                io.note(format_args!(
                    "no messages received from {}",
                    escape(&peek.queue.name)
                ));
            } else {
                print_table(io, &t)?;
            }
        }
    }
    Ok(())
}
