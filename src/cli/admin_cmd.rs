//! `eddy export`, `import`, `purge`, `delete-message`, `enable-rule`,
//! `disable-rule`: being written.

use std::io::BufRead;

use clap::Args;

use super::output::Io;
use super::{CliError, ConnArgs, Status};

pub(crate) const EXPORT_HELP: &str = "Examples:\n  eddy export orders-dlq -o dlq.jsonl";
pub(crate) const IMPORT_HELP: &str = "Examples:\n  eddy import orders dlq.jsonl";
pub(crate) const PURGE_HELP: &str = "Examples:\n  eddy purge orders-dlq";
pub(crate) const DELETE_MESSAGE_HELP: &str = "Examples:\n  eddy delete-message orders-dlq ID";
pub(crate) const ENABLE_RULE_HELP: &str = "Examples:\n  eddy enable-rule big-orders --bus orders";
pub(crate) const DISABLE_RULE_HELP: &str = "Examples:\n  eddy disable-rule big-orders --bus orders";

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct DeleteMessageArgs {
    #[arg(value_name = "QUEUE")]
    pub queue: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

#[derive(Debug, Args)]
pub struct RuleStateArgs {
    #[arg(value_name = "RULE")]
    pub rule: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

fn not_yet() -> Result<Status, CliError> {
    Err(CliError::Invalid("not yet".into()))
}

pub(crate) fn export(
    _a: ExportArgs,
    _ro: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    not_yet()
}

pub(crate) fn import(
    _a: ImportArgs,
    _ro: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    not_yet()
}

pub(crate) fn purge(
    _a: PurgeArgs,
    _ro: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    not_yet()
}

pub(crate) fn delete_message(
    _a: DeleteMessageArgs,
    _ro: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    not_yet()
}

pub(crate) fn set_rule_state(
    _a: RuleStateArgs,
    _enable: bool,
    _ro: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    not_yet()
}
