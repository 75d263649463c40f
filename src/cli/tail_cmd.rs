//! `eddy tail`: being written.

use std::io::BufRead;

use clap::Args;

use super::output::Io;
use super::{CliError, ConnArgs, Status};

pub(crate) const HELP: &str = "Examples:\n  eddy tail --bus orders";

#[derive(Debug, Args)]
pub struct TailArgs {
    /// The bus: a name or an ARN
    #[arg(long, value_name = "B")]
    pub bus: String,
    #[command(flatten)]
    pub conn: ConnArgs,
}

pub(crate) fn run(
    _args: TailArgs,
    _read_only: bool,
    _stdin: &mut dyn BufRead,
    _io: &mut Io<'_>,
) -> Result<Status, CliError> {
    Err(CliError::Invalid("tail: not yet".into()))
}
