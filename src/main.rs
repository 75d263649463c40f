//! `eddy`: parse the command line, run it, turn the outcome into an exit code.
//! Everything else lives in `eddy::cli`.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use eddy::cli::{self, Cli};

/// Bad input of any kind: invalid pattern or rules, unreadable event, usage error.
const EXIT_INPUT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and --version: as clap prints them.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        // A usage error quotes the argument: shown escaped, like all input.
        Err(e) => {
            let text = e.render().to_string();
            let _ = write!(io::stderr(), "{}", eddy::text::escape_lines(&text));
            return ExitCode::from(EXIT_INPUT_ERROR);
        }
    };
    let mut stdin = io::stdin().lock();
    let mut stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut stderr = io::stderr().lock();
    match cli::run(cli, &mut stdin, &mut stdout, &mut stderr) {
        Ok(status) => ExitCode::from(status.exit_code()),
        // `eddy ... | head`: the reader has all it wanted.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Errors quote input (a pattern key, a name): shown escaped.
            let _ = writeln!(
                stderr,
                "error: {}",
                eddy::text::escape_lines(&e.to_string())
            );
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}
