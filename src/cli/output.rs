//! Where the commands write: results to `out`, errors and statistics to `err`.
//! Everything written here is terminal-safe: a control character, escape
//! sequence or bidi override in a line (a pattern key, a rule name, a file
//! name from the command line, text from a backend) is shown escaped, and
//! JSON lines escape them as `\uXXXX` (valid JSON, same values). A caller
//! escaping first is harmless: escaped text has nothing left to escape.

use std::fmt::{self, Display};
use std::io::{self, Write};

pub(crate) struct Io<'a> {
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// Errors reported with [`Io::error`] so far.
    errors: usize,
}

impl<'a> Io<'a> {
    pub(crate) fn new(out: &'a mut dyn Write, err: &'a mut dyn Write) -> Self {
        Io {
            out,
            err,
            errors: 0,
        }
    }

    /// Writes one line of results (escaped, see the module header).
    pub(crate) fn line(&mut self, args: fmt::Arguments<'_>) -> io::Result<()> {
        write_safe(&mut *self.out, args)?;
        self.out.write_all(b"\n")
    }

    /// Writes `value` as one line of compact JSON, terminal-safe.
    pub(crate) fn json_line(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        let text = serde_json::to_string(value).map_err(io::Error::from)?;
        self.out.write_all(safe_json(text).as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Reports an error that does not stop the command, as `error: {what}`.
    /// Results written so far are flushed first so that the two streams stay in order
    /// on a terminal.
    pub(crate) fn error(&mut self, what: impl Display) -> io::Result<()> {
        self.errors += 1;
        self.out.flush()?;
        self.note(format_args!("error: {what}"));
        Ok(())
    }

    /// Writes one line to stderr. A closed stderr is ignored: there is nowhere left to say it.
    /// Results written so far go out first, so the streams stay in order on a terminal.
    pub(crate) fn note(&mut self, args: fmt::Arguments<'_>) {
        let _ = self.out.flush();
        let _ = write_safe(&mut *self.err, args);
        let _ = self.err.write_all(b"\n");
    }

    pub(crate) fn errors(&self) -> usize {
        self.errors
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        let out = self.out.flush();
        let _ = self.err.flush();
        out
    }
}

/// Writes `args` with every unsafe character but the newline escaped
/// ([`escape_lines`]), piece by piece: no copy of text that needs none.
fn write_safe(w: &mut dyn Write, args: fmt::Arguments<'_>) -> io::Result<()> {
    struct Safe<'a> {
        w: &'a mut dyn Write,
        error: Option<io::Error>,
    }
    impl fmt::Write for Safe<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.w.write_all(escape_lines(s).as_bytes()).map_err(|e| {
                self.error = Some(e);
                fmt::Error
            })
        }
    }
    let mut safe = Safe { w, error: None };
    match fmt::write(&mut safe, args) {
        Ok(()) => Ok(()),
        Err(_) => Err(safe
            .error
            .unwrap_or_else(|| io::Error::other("a value could not be formatted"))),
    }
}

use super::table::safe_json;
use crate::text::escape_lines;
pub(crate) use crate::text::{plural, thousands};

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(173_000), "173,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn plural_picks_the_form() {
        assert_eq!(plural(1, "rule", "rules"), "1 rule");
        assert_eq!(plural(1200, "event", "events"), "1,200 events");
    }

    /// A writer that records what reaches it in one log shared with another
    /// writer: one entry per run of writes, tagged with the writer.
    struct Log(Rc<RefCell<Vec<String>>>, &'static str);

    impl Write for Log {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let text = String::from_utf8_lossy(buf);
            let mut log = self.0.borrow_mut();
            match log.last_mut() {
                Some(last) if last.starts_with(self.1) => last.push_str(&text),
                _ => log.push(format!("{}:{text}", self.1)),
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn error_flushes_results_first_and_counts() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut out = io::BufWriter::new(Log(log.clone(), "out"));
        let mut err = Log(log.clone(), "err");
        let mut io = Io::new(&mut out, &mut err);
        io.line(format_args!("MATCH a")).unwrap();
        io.error("b: broken").unwrap();
        assert_eq!(io.errors(), 1);
        assert_eq!(*log.borrow(), ["out:MATCH a\n", "err:error: b: broken\n"]);
    }
}
