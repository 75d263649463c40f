//! Reading patterns, rules and events from the forms the command line accepts.
//!
//! An argument is a path (file or folder), `-` for stdin, or inline JSON when it
//! starts with `{`. Event files are read by name:
//! - `.json`: one object (may span lines);
//! - `.jsonl` / `.ndjson`: one object per line, blank lines skipped;
//! - either with `.gz` appended: gzip, format decided by the name without `.gz`;
//! - any other name, and stdin: one object if the content is one object (also
//!   pretty-printed), otherwise JSON lines.
//!
//! A folder means every `.json`, `.jsonl`, `.ndjson` file in it (optionally `.gz`),
//! sorted by name, not recursive; `index.json` is skipped (asset folders keep an
//! index array there).
//!
//! Every event is checked with [`validate_event`] before it is handed on, so
//! consumers only ever see one well-formed JSON object.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use crate::pattern::{JsonError, validate_event};

/// The forms an input argument can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    /// `-`
    Stdin,
    /// JSON text given on the command line.
    Inline(String),
    /// A file or a folder.
    Path(PathBuf),
}

impl InputSpec {
    pub fn parse(arg: &str) -> InputSpec {
        if arg == "-" {
            InputSpec::Stdin
        } else if arg.trim_start().starts_with('{') {
            InputSpec::Inline(arg.to_string())
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }

    /// Where the input comes from, for messages.
    pub fn origin(&self) -> Origin {
        match self {
            InputSpec::Stdin => Origin::Stdin,
            InputSpec::Inline(_) => Origin::Inline,
            InputSpec::Path(p) => Origin::File(p.clone()),
        }
    }
}

/// Where some input text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Inline,
    Stdin,
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Inline => f.write_str("inline"),
            Origin::Stdin => f.write_str("-"),
            Origin::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// Where one event came from: `path`, `path:LINE`, `-`, `-:LINE` or `inline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    pub origin: &'a Origin,
    /// 1-based line, for events read as JSON lines.
    pub line: Option<usize>,
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.origin),
            None => write!(f, "{}", self.origin),
        }
    }
}

impl serde::Serialize for Source<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One event: a validated JSON object and where it came from.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub source: Source<'a>,
    pub json: &'a [u8],
}

/// An input, or one event in it, that could not be read. Says where and why.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Not well-formed JSON, or not an object.
    #[error("{at}: {error}")]
    Json { at: String, error: JsonError },
    #[error("{at}: cannot read: {error}{}", hint(error))]
    Io { at: String, error: io::Error },
    #[error("{at}: no {looked_for} in this folder")]
    EmptyFolder {
        at: String,
        looked_for: &'static str,
    },
    #[error(
        "{at}: is a folder; a {what} must be a file, `-` for stdin, or inline JSON starting with `{{`"
    )]
    IsFolder { at: String, what: &'static str },
    #[error("{at}: not UTF-8 text ({error}); save the {what} as UTF-8")]
    NotUtf8 {
        at: String,
        what: &'static str,
        error: std::str::Utf8Error,
    },
}

fn hint(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::NotFound => {
            "; check the path (an argument is a file, a folder, `-` for stdin, or inline JSON starting with `{`)"
        }
        io::ErrorKind::PermissionDenied => "; check the file's permissions",
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
            "; is the file complete and, if it ends in .gz, gzipped?"
        }
        _ => "",
    }
}

impl InputError {
    fn io(at: impl fmt::Display, error: io::Error) -> Self {
        InputError::Io {
            at: at.to_string(),
            error,
        }
    }
}

/// How the events in one stream are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One object for the whole stream.
    Whole,
    /// One object per line.
    Lines,
    /// One object if the stream holds one, else lines.
    Auto,
}

/// The format a file name implies, and whether it is gzipped.
fn format_of(path: &Path) -> (Format, bool) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let (stem, gz) = match name.strip_suffix(".gz") {
        Some(stem) => (stem, true),
        None => (&*name, false),
    };
    let ext = stem.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let format = match ext.as_deref() {
        Some("json") => Format::Whole,
        Some("jsonl" | "ndjson") => Format::Lines,
        _ => Format::Auto,
    };
    (format, gz)
}

/// Is this a file a folder's listing should include?
fn is_event_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if name == "index.json" {
        return false;
    }
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = stem.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("json" | "jsonl" | "ndjson"))
}

/// Counts the `-` among the inputs: stdin can be read once.
pub fn stdin_uses<'a>(specs: impl IntoIterator<Item = &'a InputSpec>) -> usize {
    specs
        .into_iter()
        .filter(|s| **s == InputSpec::Stdin)
        .count()
}

/// Reads a whole input as text (a pattern or a rules file). `what` names it in messages.
pub fn read_text(
    spec: &InputSpec,
    stdin: &mut dyn BufRead,
    what: &'static str,
) -> Result<String, InputError> {
    let origin = spec.origin();
    let bytes = match spec {
        InputSpec::Inline(text) => return Ok(text.clone()),
        InputSpec::Stdin => {
            let mut bytes = Vec::new();
            stdin
                .read_to_end(&mut bytes)
                .map_err(|e| InputError::io(&origin, e))?;
            bytes
        }
        InputSpec::Path(path) => {
            if path.is_dir() {
                return Err(InputError::IsFolder {
                    at: origin.to_string(),
                    what,
                });
            }
            fs::read(path).map_err(|e| InputError::io(&origin, e))?
        }
    };
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        at: origin.to_string(),
        what,
        error: e.utf8_error(),
    })
}

/// Reads every event of every input, in order, and calls `f` with each one or
/// with the error that kept an event or a whole input from being read. Reading
/// goes on after an error; `f` returning `Err` stops everything.
///
/// Events are streamed: a JSON-lines file of any size needs memory for one line.
pub fn read_events<E>(
    specs: &[InputSpec],
    stdin: &mut dyn BufRead,
    mut f: impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
) -> Result<(), E> {
    let mut reader = Reader {
        buf: Vec::new(),
        next: Vec::new(),
    };
    for spec in specs {
        match spec {
            InputSpec::Inline(text) => {
                emit_checked(&Origin::Inline, None, text.as_bytes(), &mut f)?
            }
            InputSpec::Stdin => reader.stream(&Origin::Stdin, stdin, Format::Auto, &mut f)?,
            InputSpec::Path(path) if path.is_dir() => {
                let files = match event_files(path) {
                    Ok(files) => files,
                    Err(e) => {
                        f(Err(e))?;
                        continue;
                    }
                };
                for file in files {
                    reader.file(file, &mut f)?;
                }
            }
            InputSpec::Path(path) => reader.file(path.clone(), &mut f)?,
        }
    }
    Ok(())
}

/// The event files of a folder, sorted by name.
fn event_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    list_folder(
        dir,
        is_event_file,
        "event files (.json, .jsonl, .ndjson, optionally .gz)",
    )
}

/// The pattern files (`*.json` but `index.json`) of a folder, sorted by name.
pub fn pattern_files(dir: &Path) -> Result<Vec<PathBuf>, InputError> {
    let is_pattern_file = |path: &Path| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        name != "index.json" && name.to_ascii_lowercase().ends_with(".json")
    };
    list_folder(dir, is_pattern_file, "pattern files (.json)")
}

/// The files of `dir` that `keep` accepts, sorted by name; none is an error
/// that says what was `looked_for`.
fn list_folder(
    dir: &Path,
    keep: impl Fn(&Path) -> bool,
    looked_for: &'static str,
) -> Result<Vec<PathBuf>, InputError> {
    let at = || dir.display().to_string();
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| InputError::io(at(), e))? {
        let path = entry.map_err(|e| InputError::io(at(), e))?.path();
        if keep(&path) && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(InputError::EmptyFolder {
            at: at(),
            looked_for,
        });
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}

/// Reusable buffers, so that a long JSON-lines stream allocates once.
struct Reader {
    buf: Vec<u8>,
    next: Vec<u8>,
}

impl Reader {
    fn file<E>(
        &mut self,
        path: PathBuf,
        f: &mut impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
    ) -> Result<(), E> {
        let (format, gz) = format_of(&path);
        let opened = File::open(&path);
        let origin = Origin::File(path);
        let file = match opened {
            Ok(file) => file,
            Err(e) => return f(Err(InputError::io(&origin, e))),
        };
        const BUF_BYTES: usize = 256 * 1024;
        if gz {
            let mut r = BufReader::with_capacity(BUF_BYTES, MultiGzDecoder::new(file));
            self.stream(&origin, &mut r, format, f)
        } else {
            let mut r = BufReader::with_capacity(BUF_BYTES, file);
            self.stream(&origin, &mut r, format, f)
        }
    }

    fn stream<E>(
        &mut self,
        origin: &Origin,
        r: &mut dyn BufRead,
        format: Format,
        f: &mut impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
    ) -> Result<(), E> {
        match format {
            Format::Whole => {
                self.buf.clear();
                match r.read_to_end(&mut self.buf) {
                    Ok(_) => emit_checked(origin, None, &self.buf, f),
                    Err(e) => f(Err(InputError::io(origin, e))),
                }
            }
            Format::Lines => self.lines(origin, r, 0, f),
            Format::Auto => self.auto(origin, r, f),
        }
    }

    /// Stdin and files of unknown type: one object, or JSON lines.
    fn auto<E>(
        &mut self,
        origin: &Origin,
        r: &mut dyn BufRead,
        f: &mut impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
    ) -> Result<(), E> {
        // Keep every byte up to the first non-blank line: if the stream turns
        // out to be one pretty-printed object, error positions stay right.
        self.buf.clear();
        let mut line_no = 0;
        let start = match next_nonblank(r, &mut self.buf, &mut line_no, true) {
            Ok(Some(start)) => start,
            Ok(None) => return Ok(()),
            Err(e) => return f(Err(io_error(origin, line_no + 1, e))),
        };
        let first_no = line_no;
        let first = trim_eol(&self.buf[start..]);
        match validate_event(first) {
            Ok(()) => {
                // One object on the first line: one event, or the first of many lines?
                match next_nonblank(r, &mut self.next, &mut line_no, false) {
                    Ok(None) => emit_checked(origin, None, first, f),
                    Ok(Some(_)) => {
                        emit_checked(origin, Some(first_no), first, f)?;
                        emit_checked(origin, Some(line_no), trim_eol(&self.next), f)?;
                        self.lines(origin, r, line_no, f)
                    }
                    Err(e) => {
                        emit_checked(origin, Some(first_no), first, f)?;
                        f(Err(io_error(origin, line_no + 1, e)))
                    }
                }
            }
            Err(e) if e.offset >= first.len() => {
                // The first line ends inside the value: one object over several lines.
                match r.read_to_end(&mut self.buf) {
                    Ok(_) => emit_checked(origin, None, &self.buf, f),
                    Err(e) => f(Err(InputError::io(origin, e))),
                }
            }
            Err(error) => {
                let at = Source {
                    origin,
                    line: Some(first_no),
                }
                .to_string();
                f(Err(InputError::Json { at, error }))?;
                self.lines(origin, r, line_no, f)
            }
        }
    }

    /// One object per line, from line `line_no + 1` on.
    fn lines<E>(
        &mut self,
        origin: &Origin,
        r: &mut dyn BufRead,
        mut line_no: usize,
        f: &mut impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
    ) -> Result<(), E> {
        loop {
            match next_nonblank(r, &mut self.buf, &mut line_no, false) {
                Ok(Some(_)) => emit_checked(origin, Some(line_no), trim_eol(&self.buf), f)?,
                Ok(None) => return Ok(()),
                Err(e) => return f(Err(io_error(origin, line_no + 1, e))),
            }
        }
    }
}

/// Reads lines into `buf` until one is not blank and returns where it starts
/// in `buf` (`None` at the end). `keep` keeps the blank lines before it in `buf`;
/// otherwise `buf` holds just that line. `line_no` counts the lines read.
fn next_nonblank(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    line_no: &mut usize,
    keep: bool,
) -> io::Result<Option<usize>> {
    loop {
        if !keep {
            buf.clear();
        }
        let start = buf.len();
        if r.read_until(b'\n', buf)? == 0 {
            return Ok(None);
        }
        *line_no += 1;
        if !is_blank(&buf[start..]) {
            return Ok(Some(start));
        }
    }
}

fn io_error(origin: &Origin, line: usize, error: io::Error) -> InputError {
    InputError::io(
        Source {
            origin,
            line: Some(line),
        },
        error,
    )
}

/// Validates `json` and passes on the event or the error.
fn emit_checked<E>(
    origin: &Origin,
    line: Option<usize>,
    json: &[u8],
    f: &mut impl FnMut(Result<Event<'_>, InputError>) -> Result<(), E>,
) -> Result<(), E> {
    let source = Source { origin, line };
    match validate_event(json) {
        Ok(()) => f(Ok(Event { source, json })),
        Err(error) => f(Err(InputError::Json {
            at: source.to_string(),
            error,
        })),
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Every event as `Ok((source, json))`, every error as `Err(message)`.
    fn collect(specs: &[InputSpec], stdin: &[u8]) -> Vec<Result<(String, String), String>> {
        let mut got = Vec::new();
        let mut stdin = stdin;
        read_events(specs, &mut stdin, |item| -> Result<(), ()> {
            got.push(match item {
                Ok(e) => Ok((
                    e.source.to_string(),
                    String::from_utf8_lossy(e.json).into_owned(),
                )),
                Err(e) => Err(e.to_string()),
            });
            Ok(())
        })
        .unwrap();
        got
    }

    fn from_stdin(text: &str) -> Vec<Result<(String, String), String>> {
        collect(&[InputSpec::Stdin], text.as_bytes())
    }

    fn ok(source: &str, json: &str) -> Result<(String, String), String> {
        Ok((source.to_string(), json.to_string()))
    }

    fn temp_dir() -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("eddy-input-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn argument_forms() {
        assert_eq!(InputSpec::parse("-"), InputSpec::Stdin);
        assert_eq!(
            InputSpec::parse(r#"{"a":1}"#),
            InputSpec::Inline(r#"{"a":1}"#.into())
        );
        assert_eq!(InputSpec::parse(" {}"), InputSpec::Inline(" {}".into()));
        assert_eq!(
            InputSpec::parse("a/b.json"),
            InputSpec::Path("a/b.json".into())
        );
        assert_eq!(
            stdin_uses(&[
                InputSpec::Stdin,
                InputSpec::Path("x".into()),
                InputSpec::Stdin
            ]),
            2
        );
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(format_of(Path::new("a/e.json")), (Format::Whole, false));
        assert_eq!(format_of(Path::new("e.JSONL")), (Format::Lines, false));
        assert_eq!(format_of(Path::new("e.ndjson.gz")), (Format::Lines, true));
        assert_eq!(format_of(Path::new("e.json.gz")), (Format::Whole, true));
        assert_eq!(format_of(Path::new("e.gz")), (Format::Auto, true));
        assert_eq!(format_of(Path::new("events")), (Format::Auto, false));
        assert!(is_event_file(Path::new("d/a.jsonl.gz")));
        assert!(!is_event_file(Path::new("d/index.json")));
        assert!(!is_event_file(Path::new("d/notes.txt")));
        assert!(!is_event_file(Path::new("d/json")));
    }

    #[test]
    fn stdin_with_one_object_is_one_event() {
        assert_eq!(from_stdin("{\"a\":1}\n"), [ok("-", r#"{"a":1}"#)]);
        assert_eq!(from_stdin("\n{\"a\":1}\n\n"), [ok("-", r#"{"a":1}"#)]);
        let pretty = "{\n  \"a\": 1,\n  \"b\": [2]\n}\n";
        assert_eq!(from_stdin(pretty), [ok("-", pretty)]);
    }

    #[test]
    fn stdin_with_many_lines_is_json_lines() {
        let got = from_stdin("{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}");
        assert_eq!(
            got,
            [
                ok("-:1", r#"{"a":1}"#),
                ok("-:3", r#"{"a":2}"#),
                ok("-:4", r#"{"a":3}"#)
            ]
        );
    }

    #[test]
    fn bad_lines_are_reported_and_reading_goes_on() {
        let got = from_stdin("{\"a\":1}\n{\"a\" 2}\n[1]\n{\"a\":3}\n");
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], ok("-:1", r#"{"a":1}"#));
        let e = got[1].as_ref().unwrap_err();
        assert!(
            e.starts_with("-:2: ") && e.contains("line 1, column 6 (byte 5)"),
            "{e}"
        );
        let e = got[2].as_ref().unwrap_err();
        assert!(e.starts_with("-:3: event must be a JSON object"), "{e}");
        assert_eq!(got[3], ok("-:4", r#"{"a":3}"#));
        // A bad first line that is complete in itself: JSON lines, not one document.
        let got = from_stdin("{\"a\":,}\n{\"a\":2}\n");
        assert!(got[0].as_ref().unwrap_err().starts_with("-:1: "), "{got:?}");
        assert_eq!(got[1], ok("-:2", r#"{"a":2}"#));
    }

    #[test]
    fn a_broken_pretty_object_is_one_error_with_its_position() {
        let got = from_stdin("{\n  \"a\": 1\n  \"b\": 2\n}\n");
        assert_eq!(got.len(), 1);
        let e = got[0].as_ref().unwrap_err();
        assert!(
            e.starts_with("-: ") && e.contains("line 3, column 3"),
            "{e}"
        );
    }

    #[test]
    fn empty_stdin_has_no_events() {
        assert!(from_stdin("").is_empty());
        assert!(from_stdin("\n  \n").is_empty());
    }

    #[test]
    fn inline_events() {
        let got = collect(
            &[InputSpec::parse(r#"{"a":1}"#), InputSpec::parse("{1}")],
            b"",
        );
        assert_eq!(got[0], ok("inline", r#"{"a":1}"#));
        assert!(
            got[1].as_ref().unwrap_err().starts_with("inline: "),
            "{got:?}"
        );
    }

    #[test]
    fn files_by_extension_including_gzip() {
        let dir = temp_dir();
        fs::write(dir.join("one.json"), "{\n \"a\": 1\n}\n").unwrap();
        fs::write(dir.join("many.jsonl"), "{\"a\":1}\n\n{\"a\":2}\n").unwrap();
        fs::write(dir.join("many.ndjson.gz"), gzip(b"{\"a\":1}\n{\"a\":2}\n")).unwrap();
        fs::write(dir.join("one.json.gz"), gzip(b"{\n\"a\": 3}")).unwrap();
        let spec = |name: &str| InputSpec::Path(dir.join(name));
        let at = |name: &str| dir.join(name).display().to_string();
        let got = collect(
            &[
                spec("one.json"),
                spec("many.jsonl"),
                spec("many.ndjson.gz"),
                spec("one.json.gz"),
            ],
            b"",
        );
        assert_eq!(
            got,
            [
                ok(&at("one.json"), "{\n \"a\": 1\n}\n"),
                ok(&format!("{}:1", at("many.jsonl")), r#"{"a":1}"#),
                ok(&format!("{}:3", at("many.jsonl")), r#"{"a":2}"#),
                ok(&format!("{}:1", at("many.ndjson.gz")), r#"{"a":1}"#),
                ok(&format!("{}:2", at("many.ndjson.gz")), r#"{"a":2}"#),
                ok(&at("one.json.gz"), "{\n\"a\": 3}"),
            ]
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_json_file_holds_one_object() {
        let dir = temp_dir();
        fs::write(dir.join("two.json"), "{\"a\":1}\n{\"a\":2}\n").unwrap();
        let got = collect(&[InputSpec::Path(dir.join("two.json"))], b"");
        let e = got[0].as_ref().unwrap_err();
        assert!(
            e.contains("two.json: ") && e.contains("line 2, column 1"),
            "{e}"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn folders_are_read_by_name_skipping_index_and_other_files() {
        let dir = temp_dir();
        fs::write(dir.join("b.json"), r#"{"n":"b"}"#).unwrap();
        fs::write(dir.join("a.jsonl"), "{\"n\":\"a1\"}\n{\"n\":\"a2\"}\n").unwrap();
        fs::write(dir.join("index.json"), r#"["a.jsonl","b.json"]"#).unwrap();
        fs::write(dir.join("README.md"), "# events").unwrap();
        fs::create_dir(dir.join("sub.json")).unwrap();
        let got = collect(&[InputSpec::Path(dir.clone())], b"");
        let sources: Vec<String> = got.into_iter().map(|r| r.unwrap().0).collect();
        let at = |name: &str| dir.join(name).display().to_string();
        assert_eq!(
            sources,
            [
                format!("{}:1", at("a.jsonl")),
                format!("{}:2", at("a.jsonl")),
                at("b.json")
            ]
        );

        let empty = dir.join("empty");
        fs::create_dir(&empty).unwrap();
        let got = collect(&[InputSpec::Path(empty)], b"");
        assert!(
            got[0]
                .as_ref()
                .unwrap_err()
                .contains("no event files (.json"),
            "{got:?}"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn unreadable_inputs_say_where_and_what_to_do() {
        let dir = temp_dir();
        let missing = dir.join("missing.json");
        let got = collect(
            &[
                InputSpec::Path(missing.clone()),
                InputSpec::parse(r#"{"a":1}"#),
            ],
            b"",
        );
        let e = got[0].as_ref().unwrap_err();
        assert!(
            e.starts_with(&format!("{}: cannot read: ", missing.display())),
            "{e}"
        );
        assert!(e.contains("check the path"), "{e}");
        assert_eq!(got[1], ok("inline", r#"{"a":1}"#));

        fs::write(dir.join("bad.jsonl.gz"), b"not gzip at all").unwrap();
        let got = collect(&[InputSpec::Path(dir.join("bad.jsonl.gz"))], b"");
        let e = got[0].as_ref().unwrap_err();
        assert!(e.contains("bad.jsonl.gz:1: cannot read: "), "{e}");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_ten_megabyte_line_is_one_event() {
        let big = format!("{{\"blob\":\"{}\"}}", "x".repeat(10 << 20));
        let text = format!("{{\"a\":1}}\n{big}\n");
        let got = from_stdin(&text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].as_ref().unwrap().1.len(), big.len());
    }

    #[test]
    fn reading_text_inputs() {
        let mut stdin: &[u8] = b"{\"x\":[1]}";
        assert_eq!(
            read_text(&InputSpec::Stdin, &mut stdin, "pattern").unwrap(),
            "{\"x\":[1]}"
        );
        let mut none: &[u8] = b"";
        let inline = InputSpec::parse("{\"y\":[2]}");
        assert_eq!(
            read_text(&inline, &mut none, "pattern").unwrap(),
            "{\"y\":[2]}"
        );
        let dir = temp_dir();
        let e = read_text(&InputSpec::Path(dir.clone()), &mut none, "pattern").unwrap_err();
        assert!(
            e.to_string()
                .contains("is a folder; a pattern must be a file"),
            "{e}"
        );
        fs::write(dir.join("p.json"), b"{\"x\":[\"\xff\"]}").unwrap();
        let e = read_text(&InputSpec::Path(dir.join("p.json")), &mut none, "pattern").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let _ = fs::remove_dir_all(dir);
    }
}
