//! `eddy redrive`: being written.

use std::io::BufRead;

use clap::Args;

use super::output::Io;
use super::{CliError, ConnArgs, Status};

pub(crate) const HELP: &str = "Examples:\n  eddy redrive orders-dlq";

#[derive(Debug, Args)]
pub struct RedriveArgs {
    /// The dead-letter queue: a name or a queue URL
    #[arg(value_name = "DLQ")]
    pub dlq: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

pub(crate) fn run(
    _args: RedriveArgs,
    _read_only: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    Err(CliError::Invalid("redrive: not yet".into()))
}
