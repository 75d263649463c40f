//! The workbench's data: the pattern being edited, the events with their
//! verdicts, the remote cross-checks, focus, prompt and flash; building one
//! (on a pattern, a rule, events) and the queries the app and the renderer
//! use. Keys are handled in `input.rs`, the detail pane is built in
//! `detail.rs`, drawing is in `render.rs`.

use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

use crate::domain::{Message, Rule, Target};
use crate::pattern::transform::{Delivery, Input};
use crate::pattern::{Pattern, PatternError, RuleSet, RuleSetBuilder, json};
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::inspect::{DocLine, reindent};

pub use super::mode::Compiled;
use super::mode::{Mode, SubCtx, TopicSubs};
use super::samples;

/// The most events the workbench holds (verdicts are recomputed on every
/// keystroke, so the list stays a workbench, not an archive).
pub const MAX_EVENTS: usize = 2_000;

/// Detail lines moved by page up / page down.
pub const DETAIL_PAGE: usize = 10;

/// Where an event in the list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with eddy (`assets/events/`).
    Sample,
    File {
        path: String,
    },
    /// A message body peeked from a queue.
    Peeked {
        queue: String,
    },
    /// Captured by the tail.
    Tail,
    /// Pasted into the list.
    Pasted,
}

impl Origin {
    /// A short label for the list.
    pub fn label(&self) -> String {
        match self {
            Origin::Sample => "sample".to_string(),
            Origin::File { path } => format!("file {}", escape(path)),
            Origin::Peeked { queue } => format!("queue {}", escape(queue)),
            Origin::Tail => "tail".to_string(),
            Origin::Pasted => "pasted".to_string(),
        }
    }
}

/// One event to test the pattern on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WbEvent {
    pub label: String,
    pub origin: Origin,
    /// The event's JSON text, as given.
    pub json: String,
    /// A peeked message's attributes, as SNS would have them (what a
    /// filter policy in `MessageAttributes` scope looks at).
    pub attributes: std::collections::BTreeMap<String, crate::pattern::filter_policy::Attribute>,
}

impl WbEvent {
    pub fn new(label: impl Into<String>, origin: Origin, json: impl Into<String>) -> WbEvent {
        WbEvent {
            label: label.into(),
            origin,
            json: json.into(),
            attributes: Default::default(),
        }
    }

    /// A message peeked from `queue`: its body is the event, its message
    /// attributes those a filter policy sees.
    pub fn from_message(queue: &str, message: &Message) -> WbEvent {
        let mut e = WbEvent::new(
            message.message_id.clone(),
            Origin::Peeked {
                queue: queue.to_string(),
            },
            message.body.clone(),
        );
        e.attributes = super::mode::sns_attributes(message);
        e
    }

    /// The events in a file's text: an `eddy export` file (JSON lines of
    /// message records: each message's body is an event, labelled with its
    /// message id), one JSON object, a JSON array of them, or JSON lines
    /// (one event per line; a line that is not JSON is kept and shows as an
    /// invalid event). Labelled with the file's name, `#n` for the n-th of
    /// several.
    pub fn parse_file(path: &str, text: &str) -> Result<Vec<WbEvent>, String> {
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string());
        let origin = Origin::File {
            path: path.to_string(),
        };
        if let Some(records) = export_records(text) {
            return Ok(records
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let label = if r.message_id.is_empty() {
                        format!("{name}#{}", i + 1)
                    } else {
                        r.message_id
                    };
                    WbEvent::new(label, origin.clone(), r.body)
                })
                .collect());
        }
        let pieces: Vec<&str> = match json::parse(text.as_bytes()) {
            Ok(v) => match &v.kind {
                json::Kind::Array(items) => items.iter().map(|i| &text[i.start..i.end]).collect(),
                _ => vec![text.trim()],
            },
            Err(whole) => {
                let lines: Vec<&str> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect();
                let any_json = lines.iter().any(|l| json::parse(l.as_bytes()).is_ok());
                if !any_json {
                    return Err(format!(
                        "{path} is neither a JSON event, a JSON array of events nor JSON lines: {whole}"
                    ));
                }
                lines
            }
        };
        if pieces.is_empty() {
            return Err(format!("{path} holds no events"));
        }
        let many = pieces.len() > 1;
        Ok(pieces
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let label = if many {
                    format!("{name}#{}", i + 1)
                } else {
                    name.clone()
                };
                WbEvent::new(label, origin.clone(), p)
            })
            .collect())
    }
}

/// The records of an `eddy export` file (`ops::export`): every non-empty
/// line an object with a string `message_id` and `body`. `None` for any
/// other text (events, arrays of events, JSON lines of events).
fn export_records(text: &str) -> Option<Vec<crate::ops::export::ExportedMessage>> {
    let is_record = |line: &str| {
        serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| {
            v.get("message_id")
                .is_some_and(serde_json::Value::is_string)
                && v.get("body").is_some_and(serde_json::Value::is_string)
        })
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() || !lines.iter().all(|l| is_record(l)) {
        return None;
    }
    crate::ops::export::parse_jsonl(text).ok()
}

/// A rule of the bus, for "which rules would this event hit".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WbRule {
    pub name: String,
    /// `None`: a schedule rule.
    pub pattern: Option<String>,
    pub targets: Vec<Target>,
}

/// An event's verdict under the pattern in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Match,
    NoMatch,
    /// The event is not one JSON object; the reason.
    InvalidEvent(String),
    /// The pattern is empty or not valid: nothing to judge with.
    NoPattern,
}

/// Which part of the workbench keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Editor,
    List,
    /// The one-line file path prompt.
    Prompt,
}

/// What the detail pane shows for the selected event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The event itself.
    Event,
    /// The engine's field-by-field explanation.
    Explain,
    /// Which rules of the bus the event would hit.
    RulesHit,
    /// What the n-th target of the rule would receive.
    Transform(usize),
    /// Which subscriptions of the topic a message would reach (filter-policy mode).
    Reach,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// Save the pattern to the path.
    Save,
    /// Load events from the path.
    Load,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
    /// The pre-filled text (a default path) is selected: the first
    /// character typed replaces it; backspace or an arrow keeps it.
    pub selected: bool,
    /// Where the focus goes back to.
    pub(super) back: Focus,
}

/// The remote cross-check of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remote {
    Pending {
        pattern: String,
    },
    Done {
        pattern: String,
        result: Result<bool, String>,
    },
}

/// How a remote verdict compares with eddy's for the pattern in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteState {
    Pending,
    Agrees,
    Disagrees,
    /// The backend could not answer (not supported, denied, …).
    Failed,
    /// Checked with an earlier pattern.
    Stale,
}

/// What the app should do after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WbOutcome {
    /// Handled (or ignored) by the workbench; redraw.
    None,
    /// Not a workbench key (the list has focus): the app's own keymap may
    /// take it (`?` help, `:` palette, `q` quit).
    Unhandled,
    Close,
    /// Call TestEventPattern and hand the answer to [`Workbench::set_remote_verdict`].
    RemoteCheck {
        event_index: usize,
        pattern: String,
        event: String,
    },
    /// Write `pattern` to `path`; report with [`Workbench::flash`].
    Save {
        path: String,
        pattern: String,
    },
    /// After showing `diff` and a confirmation (refused under --read-only):
    /// PutRule `rule` on `bus` with the pattern `new` (its other settings
    /// unchanged), then [`Workbench::applied`].
    Apply {
        bus: String,
        rule: String,
        old: String,
        new: String,
        diff: Vec<String>,
    },
    /// Read the file, [`WbEvent::parse_file`], then [`Workbench::add_events`].
    LoadFile {
        path: String,
    },
    /// After a confirmation stating `title` and `lines` (ops' own, with the
    /// policy's diff; refused under --read-only): set the filter policy of
    /// `subscription` to `new` in `scope` (an empty `new` removes it), then
    /// [`Workbench::policy_applied`].
    ApplyPolicy {
        subscription: String,
        title: String,
        new: String,
        scope: crate::pattern::filter_policy::Scope,
        lines: Vec<String>,
    },
    /// `h`: read the rules of `bus` as the backend holds them now
    /// ([`Workbench::reading_rules`], then [`Workbench::rules_read`]).
    FetchRules {
        bus: String,
    },
}

/// The rule the workbench was opened for.
#[derive(Debug, Clone)]
pub(super) struct RuleCtx {
    pub(super) bus: String,
    pub(super) name: String,
    pub(super) arn: String,
    /// The pattern as the rule has it now (what Apply would replace).
    pub(super) stored: String,
    pub(super) targets: Vec<Target>,
}

/// The rules of a bus, compiled together.
#[derive(Debug, Clone)]
pub(super) struct BusRules {
    pub(super) bus: String,
    pub(super) rules: Vec<WbRule>,
    /// Each rule's own pattern (for explanations): `None` for a schedule
    /// rule, the error for a pattern that is not valid.
    pub(super) patterns: Vec<Option<Result<Pattern, String>>>,
    /// The valid patterns compiled together; `in_set[i]` is the rule of the
    /// set's i-th pattern.
    pub(super) set: RuleSet,
    pub(super) in_set: Vec<usize>,
}

/// A short message in the workbench's bottom line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub meaning: Meaning,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Workbench {
    pub(super) editor: TextArea<'static>,
    /// The editor's text, kept in step with it.
    pub(super) text: String,
    /// The text the workbench opened with (a rule's pattern: what Apply compares with).
    pub(super) initial: String,
    pub(super) compiled: Compiled,
    pub(super) events: Vec<WbEvent>,
    pub(super) verdicts: Vec<Verdict>,
    pub(super) remote: Vec<Option<Remote>>,
    pub(super) selected: usize,
    pub(super) focus: Focus,
    pub(super) prompt: Option<Prompt>,
    pub(super) pane: Pane,
    pub(super) detail: Vec<DocLine>,
    /// Whether `detail` starts with the remote line.
    pub(super) remote_head: bool,
    pub(super) detail_scroll: usize,
    pub(super) rule: Option<RuleCtx>,
    pub(super) bus_rules: Option<BusRules>,
    /// The read of the bus's rules under way (its token and bus): the
    /// rules pane waits for it rather than show what may be old.
    pub(super) rules_reading: Option<(u64, String)>,
    pub(super) flash: Option<Flash>,
    pub(super) last_save: Option<String>,
    /// Event patterns or SNS filter policies (`m` switches, `c` the scope).
    pub(super) mode: Mode,
    /// The other mode's text, kept while this one is edited.
    pub(super) stash: String,
    /// The subscription the workbench was opened on (ctrl-a sets its policy).
    pub(super) sub: Option<SubCtx>,
    /// The subscriptions of a topic, for "which would this message reach".
    pub(super) topic: Option<TopicSubs>,
}

/// One event's verdict under the compiled pattern or policy.
pub(super) fn verdict(compiled: &Compiled, event: &WbEvent) -> Verdict {
    match compiled {
        Compiled::Valid(p) => match p.matches(event.json.as_bytes()) {
            Ok(true) => Verdict::Match,
            Ok(false) => Verdict::NoMatch,
            Err(e) => Verdict::InvalidEvent(e.to_string()),
        },
        Compiled::Policy(p) => {
            if p.matches(&super::mode::message_of(&event.json, &event.attributes)) {
                Verdict::Match
            } else {
                Verdict::NoMatch
            }
        }
        _ => Verdict::NoPattern,
    }
}

/// The rules (indices into `br.rules`) the event hits, per the engine.
pub(super) fn hit_indices(br: &BusRules, event: &str) -> Result<Vec<usize>, String> {
    let mut m = br.set.matcher();
    let hits = m.matches(event.as_bytes()).map_err(|e| e.to_string())?;
    Ok(hits
        .iter()
        .filter_map(|&i| br.in_set.get(i).copied())
        .collect())
}

/// What target `t` of the rule receives for `event` (delivered minified, as
/// EventBridge does).
pub(super) fn preview(r: &RuleCtx, t: &Target, event: &str) -> Result<String, String> {
    let input = target_input(t)?;
    let minified = json::minify(event);
    let d = Delivery::of_event(&minified, &r.name, &r.arn);
    Ok(input.render(&d))
}

/// The widest inline array or object in a pretty-printed pattern.
pub(super) const INLINE_WIDTH: usize = 64;

/// A pattern pretty-printed for reading and editing: objects one member a
/// line, value lists and small condition objects inline
/// (`"total_cost": [{"numeric": [">", 200]}]`); keys in their order,
/// numbers and strings as written. Not JSON: `None`.
pub fn pretty_pattern(text: &str) -> Option<String> {
    let v = json::parse(text.as_bytes()).ok()?;
    let mut out = String::with_capacity(text.len() * 2);
    layout(&v, text, 0, false, &mut out);
    Some(out)
}

/// The raw text of an object's key (from its opening quote).
pub(super) fn key_text(src: &str, at: usize) -> &str {
    match json::scan_string(src.as_bytes(), at) {
        Ok((end, _)) => &src[at..end],
        Err(_) => "\"\"",
    }
}

pub(super) fn inline(v: &json::Value, src: &str, out: &mut String) {
    match &v.kind {
        json::Kind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                inline(item, src, out);
            }
            out.push(']');
        }
        json::Kind::Object(members) => {
            out.push('{');
            for (i, (_, at, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key_text(src, *at));
                out.push_str(": ");
                inline(value, src, out);
            }
            out.push('}');
        }
        _ => out.push_str(&src[v.start..v.end]),
    }
}

/// `in_array`: an object inside an array may stay inline (a condition).
pub(super) fn layout(v: &json::Value, src: &str, depth: usize, in_array: bool, out: &mut String) {
    let pad = |out: &mut String, d: usize| out.extend(std::iter::repeat_n(' ', d * 2));
    let mut one_line = String::new();
    inline(v, src, &mut one_line);
    let fits = one_line.chars().count() + depth * 2 <= INLINE_WIDTH;
    match &v.kind {
        json::Kind::Object(members) if !(members.is_empty() || (in_array && fits)) => {
            out.push_str("{\n");
            for (i, (_, at, value)) in members.iter().enumerate() {
                pad(out, depth + 1);
                out.push_str(key_text(src, *at));
                out.push_str(": ");
                layout(value, src, depth + 1, false, out);
                if i + 1 < members.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(out, depth);
            out.push('}');
        }
        json::Kind::Array(items) if !items.is_empty() && !fits => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                pad(out, depth + 1);
                layout(item, src, depth + 1, true, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(out, depth);
            out.push(']');
        }
        _ => out.push_str(&one_line),
    }
}

/// JSON pretty-printed (keys in their order); other text as is.
pub(super) fn pretty(text: &str) -> String {
    if json::parse(text.as_bytes()).is_ok() {
        reindent(text)
    } else {
        text.to_string()
    }
}

/// A line diff of two patterns, pretty-printed: `  ` kept, `- ` removed, `+ ` added.
pub fn pattern_diff(old: &str, new: &str) -> Vec<String> {
    let lines = |t: &str| -> Vec<String> {
        pretty_pattern(t)
            .unwrap_or_else(|| t.to_string())
            .lines()
            .map(|l| escape(l).into_owned())
            .collect()
    };
    let (a, b) = (lines(old), lines(new));
    line_diff(&a, &b)
}

/// A line diff (longest common subsequence): `  ` kept, `- ` removed, `+ ` added.
pub fn line_diff(a: &[String], b: &[String]) -> Vec<String> {
    const MAX_CELLS: usize = 4_000_000;
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return a
            .iter()
            .map(|l| format!("- {l}"))
            .chain(b.iter().map(|l| format!("+ {l}")))
            .collect();
    }
    // lcs[i][j]: the common subsequence length of a[i..] and b[j..].
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            out.push(format!("- {}", a[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", b[j]));
            j += 1;
        }
    }
    out
}

impl Workbench {
    /// A workbench on `pattern` (any text; it need not be valid) and `events`.
    pub fn new(pattern: &str, events: Vec<WbEvent>) -> Workbench {
        let mut editor = TextArea::new(pattern.split('\n').map(str::to_string).collect());
        editor.set_line_number_style(Style::default().add_modifier(Modifier::DIM));
        editor.set_cursor_line_style(Style::default());
        editor.set_tab_length(2);
        editor.set_placeholder_text(r#"type a pattern, e.g. {"source": ["demo.payments"]}"#);
        let mut wb = Workbench {
            editor,
            text: pattern.to_string(),
            initial: pattern.to_string(),
            compiled: Compiled::Empty,
            events: Vec::new(),
            verdicts: Vec::new(),
            remote: Vec::new(),
            selected: 0,
            focus: Focus::Editor,
            prompt: None,
            pane: Pane::Event,
            detail: Vec::new(),
            remote_head: false,
            detail_scroll: 0,
            rule: None,
            bus_rules: None,
            rules_reading: None,
            flash: None,
            last_save: None,
            mode: Mode::Pattern,
            stash: super::mode::POLICY_START.to_string(),
            sub: None,
            topic: None,
        };
        wb.set_focus(Focus::Editor);
        wb.add_events(events);
        wb.recompute();
        wb
    }

    /// The sample events shipped in `assets/events/` (embedded).
    pub fn samples() -> Vec<WbEvent> {
        samples::SAMPLES
            .iter()
            .map(|(name, json)| WbEvent::new(*name, Origin::Sample, *json))
            .collect()
    }

    /// A workbench on a rule's pattern (pretty-printed), with its targets for
    /// the input-transformer preview; Apply puts the edited pattern back.
    pub fn for_rule(
        bus: &str,
        rule: &Rule,
        targets: Vec<Target>,
        events: Vec<WbEvent>,
    ) -> Workbench {
        let stored = rule.pattern.clone().unwrap_or_default();
        let shown = pretty_pattern(&stored).unwrap_or_else(|| stored.clone());
        let mut wb = Workbench::new(&shown, events);
        wb.rule = Some(RuleCtx {
            bus: bus.to_string(),
            name: rule.name.clone(),
            arn: rule.arn.clone(),
            stored,
            targets,
        });
        wb.refresh_detail();
        wb
    }

    /// Appends events (at most [`MAX_EVENTS`] in all); their verdicts follow.
    pub fn add_events(&mut self, events: Vec<WbEvent>) {
        let room = MAX_EVENTS.saturating_sub(self.events.len());
        let offered = events.len();
        let was_empty = self.events.is_empty();
        for e in events.into_iter().take(room) {
            self.verdicts.push(verdict(&self.compiled, &e));
            self.remote.push(None);
            self.events.push(e);
        }
        if offered > room {
            self.flash(
                Meaning::Warn,
                format!(
                    "the workbench holds at most {MAX_EVENTS} events: {} not added",
                    offered - room
                ),
            );
        } else if offered > 0 && !was_empty {
            self.flash(
                Meaning::Ok,
                format!(
                    "{offered} event{} added",
                    if offered == 1 { "" } else { "s" }
                ),
            );
        }
        self.refresh_detail();
    }

    /// The rules of `bus`, for "which rules would this event hit" (`h`).
    pub fn set_rules(&mut self, bus: &str, rules: Vec<WbRule>) {
        let mut builder = RuleSetBuilder::new();
        let mut in_set = Vec::new();
        let mut patterns = Vec::with_capacity(rules.len());
        for (i, r) in rules.iter().enumerate() {
            let compiled = r.pattern.as_deref().map(|p| {
                let parsed = Pattern::parse(p).map_err(|e| e.to_string());
                // A unique name per entry: two rules may share a name across buses.
                if parsed.is_ok() && builder.add(format!("{i}"), p).is_ok() {
                    in_set.push(i);
                }
                parsed
            });
            patterns.push(compiled);
        }
        self.bus_rules = Some(BusRules {
            bus: bus.to_string(),
            rules,
            patterns,
            set: builder.build(),
            in_set,
        });
        self.refresh_detail();
    }

    /// The bus whose rules `h` checks: the one loaded, else the rule's.
    pub(super) fn rules_bus(&self) -> Option<String> {
        self.bus_rules
            .as_ref()
            .map(|b| b.bus.clone())
            .or_else(|| self.rule.as_ref().map(|r| r.bus.clone()))
    }

    /// A read of the rules of `bus` started (`token` identifies it): the
    /// rules pane says so until [`Workbench::rules_read`].
    pub fn reading_rules(&mut self, token: u64, bus: &str) {
        self.rules_reading = Some((token, bus.to_string()));
        self.refresh_detail();
    }

    /// The answer to the read `token`: the rules as the backend holds them
    /// now, or why they could not be read. `false` when it is not the read
    /// awaited (a later `h` superseded it).
    pub fn rules_read(&mut self, token: u64, result: Result<Vec<WbRule>, String>) -> bool {
        let Some((t, bus)) = self.rules_reading.take() else {
            return false;
        };
        if t != token {
            self.rules_reading = Some((t, bus));
            return false;
        }
        match result {
            Ok(rules) => self.set_rules(&bus, rules),
            Err(e) => {
                self.flash(
                    Meaning::Danger,
                    format!("cannot read the rules of bus {bus}: {e}"),
                );
                self.refresh_detail();
            }
        }
        true
    }

    /// The answer to a [`WbOutcome::RemoteCheck`]: `result` is TestEventPattern's
    /// verdict, or why it could not be had (e.g. "not supported by moto").
    pub fn set_remote_verdict(
        &mut self,
        event_index: usize,
        pattern_text: &str,
        result: Result<bool, String>,
    ) {
        if let Some(slot) = self.remote.get_mut(event_index) {
            *slot = Some(Remote::Done {
                pattern: pattern_text.to_string(),
                result,
            });
            if event_index == self.selected {
                self.refresh_detail();
            }
        }
    }

    /// The rule now has `pattern` (Apply succeeded): it is the new baseline.
    pub fn applied(&mut self, pattern: &str) {
        if let Some(r) = &mut self.rule {
            r.stored = pattern.to_string();
        }
        self.initial = self.text.clone();
        self.flash(Meaning::Ok, "pattern applied to the rule".to_string());
    }

    /// Shows a message in the bottom line (e.g. "saved to x.json", or why it failed).
    pub fn flash(&mut self, meaning: Meaning, text: String) {
        self.flash = Some(Flash { meaning, text });
    }

    /// The pattern text in the editor.
    pub fn pattern_text(&self) -> String {
        self.text.clone()
    }

    /// Replaces the editor's text (undoable), as if typed.
    pub fn set_pattern(&mut self, text: &str) {
        self.editor.select_all();
        self.editor.insert_str(text);
        self.edited();
    }

    /// Keys and what they do, for the `?` overlay.
    pub fn help(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("tab", "switch between the editor and the event list"),
            ("esc", "editor: to the list · list: close the workbench"),
            ("ctrl-s  s", "save the pattern to a file"),
            (
                "ctrl-a  a",
                "apply the pattern to the rule, or the filter policy to the subscription (diff, then confirm)",
            ),
            (
                "ctrl-o  o",
                "load events from a file (JSON, array, lines, or an eddy export: its bodies)",
            ),
            ("ctrl-t", "tidy: pretty-print the pattern"),
            ("m", "list: event pattern ↔ SNS filter policy mode"),
            (
                "c",
                "list: filter policy scope: MessageAttributes ↔ MessageBody",
            ),
            ("j k ↑ ↓", "list: select an event"),
            ("g G", "list: first / last event"),
            ("enter", "list: explain the verdict field by field"),
            (
                "h",
                "list: which rules of the bus this event would hit (policy mode: which subscriptions of the topic it reaches)",
            ),
            ("i", "list: what the rule's targets would receive (cycles)"),
            ("r", "list: cross-check with the backend's TestEventPattern"),
            ("pgdn pgup J K", "list: scroll the detail pane"),
            (
                "paste",
                "editor: insert · list: add the pasted JSON as events",
            ),
            (
                "editor keys",
                "ctrl-u undo, ctrl-r redo, ctrl-k cut line end, home/end, …",
            ),
        ]
    }

    // ----- read access (for the app and tests) -----

    pub fn events(&self) -> &[WbEvent] {
        &self.events
    }

    pub fn verdicts(&self) -> &[Verdict] {
        &self.verdicts
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }

    pub fn pattern_error(&self) -> Option<&PatternError> {
        match &self.compiled {
            Compiled::Invalid(e) => Some(e),
            _ => None,
        }
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn prompt(&self) -> Option<&Prompt> {
        self.prompt.as_ref()
    }

    pub fn flash_message(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }

    /// The detail pane's lines (escaped), as rendered.
    pub fn detail(&self) -> &[DocLine] {
        &self.detail
    }

    /// How many events match.
    pub fn match_count(&self) -> usize {
        self.verdicts
            .iter()
            .filter(|v| **v == Verdict::Match)
            .count()
    }

    /// The editor's text differs from what the workbench opened with.
    pub fn is_modified(&self) -> bool {
        json::minify(&self.text) != json::minify(&self.initial)
    }

    /// The names of the bus's rules the event would hit (per the engine).
    pub fn rules_hit(&self, event_index: usize) -> Option<Vec<&str>> {
        let br = self.bus_rules.as_ref()?;
        let e = self.events.get(event_index)?;
        let hits = hit_indices(br, &e.json).ok()?;
        Some(hits.iter().map(|&i| br.rules[i].name.as_str()).collect())
    }

    /// What target `target` of the rule would receive for event `event_index`.
    pub fn transform_preview(
        &self,
        target: usize,
        event_index: usize,
    ) -> Option<Result<String, String>> {
        let r = self.rule.as_ref()?;
        let t = r.targets.get(target)?;
        let e = self.events.get(event_index)?;
        Some(preview(r, t, &e.json))
    }

    /// The remote check of an event compared with eddy's verdict.
    pub fn remote_state(&self, event_index: usize) -> Option<RemoteState> {
        let remote = self.remote.get(event_index)?.as_ref()?;
        Some(match remote {
            Remote::Pending { .. } => RemoteState::Pending,
            Remote::Done { pattern, .. } if *pattern != self.text => RemoteState::Stale,
            Remote::Done { result: Err(_), .. } => RemoteState::Failed,
            Remote::Done { result: Ok(m), .. } => match self.verdicts.get(event_index) {
                Some(Verdict::Match) if *m => RemoteState::Agrees,
                Some(Verdict::NoMatch) if !*m => RemoteState::Agrees,
                Some(Verdict::Match | Verdict::NoMatch) => RemoteState::Disagrees,
                _ => RemoteState::Failed,
            },
        })
    }

    pub(super) fn select(&mut self, index: usize) {
        let last = self.events.len().saturating_sub(1);
        let index = index.min(last);
        if index != self.selected {
            self.selected = index;
            self.detail_scroll = 0;
            self.refresh_detail();
        }
    }

    pub(super) fn set_pane(&mut self, pane: Pane) {
        self.pane = pane;
        self.detail_scroll = 0;
        self.refresh_detail();
    }

    // ----- derived state -----

    /// After any change of the editor's text.
    pub(super) fn edited(&mut self) {
        self.text = self.editor.lines().join("\n");
        self.flash = None;
        self.recompute();
    }

    /// Compiles the pattern once and judges every event with it.
    pub(super) fn recompute(&mut self) {
        self.compiled = super::mode::compile(self.mode, &self.text);
        self.verdicts = self
            .events
            .iter()
            .map(|e| verdict(&self.compiled, e))
            .collect();
        if self.pane == Pane::Event && !self.detail.is_empty() && !self.events.is_empty() {
            // The event itself does not change with the pattern: only the
            // remote line above it may (it goes stale).
            let head = usize::from(self.remote_head);
            let line = self.remote_line();
            self.remote_head = line.is_some();
            self.detail.splice(..head.min(self.detail.len()), line);
        } else {
            self.refresh_detail();
        }
    }
}

/// A target's input shaping.
pub fn target_input(t: &Target) -> Result<Input, String> {
    if let Some(c) = &t.input {
        Ok(Input::Constant(c.clone()))
    } else if let Some(p) = &t.input_path {
        Input::path(p)
    } else if let Some(x) = &t.input_transformer {
        Input::transformer(
            x.input_paths_map
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
            &x.input_template,
        )
    } else {
        Ok(Input::Event)
    }
}
