//! The pattern workbench: a self-contained TUI component (`:workbench`, or
//! `w` on a rule). A pattern editor beside a list of events (the shipped
//! samples, files, peeked messages, tailed events) with a verdict per event
//! that follows every keystroke; the selected event's field-by-field
//! explanation; which rules of a bus the event would hit; a remote
//! cross-check with TestEventPattern; what each target of the rule would
//! receive (its Input / InputPath / InputTransformer applied); save the
//! pattern, or apply it to the rule after a diff.
//!
//! It fits the app's shape: [`Workbench::handle_key`] and the setters only
//! change state and return a [`WbOutcome`] (a request the app carries out:
//! write a file, call TestEventPattern, PutRule after a confirmation), and
//! [`Workbench::render`] draws from `&self`. No I/O, no async, nothing parsed
//! while rendering: verdicts and the detail pane are rebuilt on change.

pub mod render;
mod samples;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

use super::inspect::{DocLine, reindent};
use crate::domain::{Message, Rule, Target};
use crate::pattern::transform::{Delivery, Input};
use crate::pattern::{Pattern, PatternError, RuleSet, RuleSetBuilder, json};
use crate::text::escape;
use crate::tui::config::{Meaning, Theme};

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
}

impl WbEvent {
    pub fn new(label: impl Into<String>, origin: Origin, json: impl Into<String>) -> WbEvent {
        WbEvent {
            label: label.into(),
            origin,
            json: json.into(),
        }
    }

    /// A message peeked from `queue`: its body is the event.
    pub fn from_message(queue: &str, message: &Message) -> WbEvent {
        WbEvent::new(
            message.message_id.clone(),
            Origin::Peeked {
                queue: queue.to_string(),
            },
            message.body.clone(),
        )
    }

    /// The events in a file's text: one JSON object, a JSON array of them,
    /// or JSON lines (one event per line; a line that is not JSON is kept and
    /// shows as an invalid event). Labelled with the file's name, `#n` for
    /// the n-th of several.
    pub fn parse_file(path: &str, text: &str) -> Result<Vec<WbEvent>, String> {
        let name = std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string());
        let origin = Origin::File {
            path: path.to_string(),
        };
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
    /// Where the focus goes back to.
    back: Focus,
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
}

/// The pattern in the editor, compiled once per edit.
#[derive(Debug, Clone)]
pub enum Compiled {
    Empty,
    Valid(Pattern),
    Invalid(PatternError),
}

/// The rule the workbench was opened for.
#[derive(Debug, Clone)]
struct RuleCtx {
    bus: String,
    name: String,
    arn: String,
    /// The pattern as the rule has it now (what Apply would replace).
    stored: String,
    targets: Vec<Target>,
}

/// The rules of a bus, compiled together.
#[derive(Debug, Clone)]
struct BusRules {
    bus: String,
    rules: Vec<WbRule>,
    /// Each rule's own pattern (for explanations): `None` for a schedule
    /// rule, the error for a pattern that is not valid.
    patterns: Vec<Option<Result<Pattern, String>>>,
    /// The valid patterns compiled together; `in_set[i]` is the rule of the
    /// set's i-th pattern.
    set: RuleSet,
    in_set: Vec<usize>,
}

/// A short message in the workbench's bottom line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub meaning: Meaning,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Workbench {
    editor: TextArea<'static>,
    /// The editor's text, kept in step with it.
    text: String,
    /// The text the workbench opened with (a rule's pattern: what Apply compares with).
    initial: String,
    compiled: Compiled,
    events: Vec<WbEvent>,
    verdicts: Vec<Verdict>,
    remote: Vec<Option<Remote>>,
    selected: usize,
    focus: Focus,
    prompt: Option<Prompt>,
    pane: Pane,
    detail: Vec<DocLine>,
    /// Whether `detail` starts with the remote line.
    remote_head: bool,
    detail_scroll: usize,
    rule: Option<RuleCtx>,
    bus_rules: Option<BusRules>,
    flash: Option<Flash>,
    last_save: Option<String>,
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
            flash: None,
            last_save: None,
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
            self.verdicts.push(verdict(&self.compiled, &e.json));
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

    /// Handles one key press; editing keys go to the editor when it has focus.
    pub fn handle_key(&mut self, key: KeyEvent) -> WbOutcome {
        if key.kind == KeyEventKind::Release {
            return WbOutcome::None;
        }
        match self.focus {
            Focus::Prompt => self.prompt_key(key),
            Focus::Editor => self.editor_key(key),
            Focus::List => self.list_key(key),
        }
    }

    /// Bracketed paste: into the editor or the prompt; in the list, pasted
    /// JSON becomes an event.
    pub fn handle_paste(&mut self, text: &str) {
        match self.focus {
            Focus::Editor => {
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                if self.editor.insert_str(text) {
                    self.edited();
                }
            }
            Focus::Prompt => {
                if let Some(p) = &mut self.prompt {
                    p.text.extend(text.chars().filter(|c| !c.is_control()));
                }
            }
            Focus::List => match WbEvent::parse_file("pasted", text) {
                Ok(mut events) => {
                    for e in &mut events {
                        e.origin = Origin::Pasted;
                    }
                    let first = self.events.len();
                    self.add_events(events);
                    if first < self.events.len() {
                        self.select(first);
                    }
                }
                Err(_) => self.flash(
                    Meaning::Warn,
                    "the pasted text is not a JSON event (tab to the editor to paste a pattern)"
                        .to_string(),
                ),
            },
        }
    }

    /// Draws the workbench in `area` (stacked when narrow, side by side from
    /// [`render::WIDE`] columns).
    pub fn render(&self, frame: &mut ratatui::Frame, area: ratatui::layout::Rect, theme: &Theme) {
        render::render(self, frame, area, theme);
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
                "apply the pattern to the rule (diff, then confirm)",
            ),
            (
                "ctrl-o  o",
                "load events from a file (JSON, array or lines)",
            ),
            ("ctrl-t", "tidy: pretty-print the pattern"),
            ("j k ↑ ↓", "list: select an event"),
            ("g G", "list: first / last event"),
            ("enter", "list: explain the verdict field by field"),
            ("h", "list: which rules of the bus this event would hit"),
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

    // ----- keys -----

    fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        let cursor = if focus == Focus::Editor {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        self.editor.set_cursor_style(cursor);
    }

    fn editor_key(&mut self, key: KeyEvent) -> WbOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc => {
                self.set_focus(Focus::List);
                return WbOutcome::None;
            }
            KeyCode::Char('s') if ctrl => return self.start_prompt(PromptKind::Save),
            KeyCode::Char('o') if ctrl => return self.start_prompt(PromptKind::Load),
            KeyCode::Char('a') if ctrl => return self.apply(),
            KeyCode::Char('t') if ctrl => {
                self.tidy();
                return WbOutcome::None;
            }
            _ => {}
        }
        if self.editor.input(key) {
            self.edited();
        }
        WbOutcome::None
    }

    fn list_key(&mut self, key: KeyEvent) -> WbOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if alt {
            return WbOutcome::Unhandled;
        }
        match key.code {
            KeyCode::Tab | KeyCode::BackTab => self.set_focus(Focus::Editor),
            KeyCode::Char('e') if !ctrl => self.set_focus(Focus::Editor),
            KeyCode::Esc => return WbOutcome::Close,
            KeyCode::Char('s') => return self.start_prompt(PromptKind::Save),
            KeyCode::Char('o') => return self.start_prompt(PromptKind::Load),
            KeyCode::Char('a') => return self.apply(),
            KeyCode::Char(_) if ctrl => return WbOutcome::Unhandled,
            KeyCode::Down | KeyCode::Char('j') => self.select(self.selected.saturating_add(1)),
            KeyCode::Up | KeyCode::Char('k') => self.select(self.selected.saturating_sub(1)),
            KeyCode::Home | KeyCode::Char('g') => self.select(0),
            KeyCode::End | KeyCode::Char('G') => self.select(usize::MAX),
            KeyCode::PageDown | KeyCode::Char('J') => {
                let max = self.detail.len().saturating_sub(1);
                self.detail_scroll = (self.detail_scroll + DETAIL_PAGE).min(max);
            }
            KeyCode::PageUp | KeyCode::Char('K') => {
                self.detail_scroll = self.detail_scroll.saturating_sub(DETAIL_PAGE);
            }
            KeyCode::Enter => {
                let pane = if self.pane == Pane::Explain {
                    Pane::Event
                } else {
                    Pane::Explain
                };
                self.set_pane(pane);
            }
            KeyCode::Char('h') => {
                if self.bus_rules.is_none() {
                    self.flash(
                        Meaning::Warn,
                        "no rules loaded: open the workbench on a bus or rule to see which rules an event hits"
                            .to_string(),
                    );
                } else {
                    let pane = if self.pane == Pane::RulesHit {
                        Pane::Event
                    } else {
                        Pane::RulesHit
                    };
                    self.set_pane(pane);
                }
            }
            KeyCode::Char('i') => {
                let n = self.rule.as_ref().map_or(0, |r| r.targets.len());
                if n == 0 {
                    self.flash(
                        Meaning::Warn,
                        "no targets: open the workbench on a rule with targets (w) to preview what they receive"
                            .to_string(),
                    );
                } else {
                    let pane = match self.pane {
                        Pane::Transform(i) if i + 1 < n => Pane::Transform(i + 1),
                        Pane::Transform(_) => Pane::Event,
                        _ => Pane::Transform(0),
                    };
                    self.set_pane(pane);
                }
            }
            KeyCode::Char('r') => return self.remote_check(),
            _ => return WbOutcome::Unhandled,
        }
        WbOutcome::None
    }

    fn prompt_key(&mut self, key: KeyEvent) -> WbOutcome {
        let Some(p) = &mut self.prompt else {
            self.set_focus(Focus::List);
            return WbOutcome::None;
        };
        match key.code {
            KeyCode::Esc => {
                let back = p.back;
                self.prompt = None;
                self.set_focus(back);
            }
            KeyCode::Enter => {
                let path = p.text.trim().to_string();
                let (kind, back) = (p.kind, p.back);
                if path.is_empty() {
                    self.flash(Meaning::Warn, "type a file path, or esc".to_string());
                    return WbOutcome::None;
                }
                self.prompt = None;
                self.set_focus(back);
                return match kind {
                    PromptKind::Save => {
                        self.last_save = Some(path.clone());
                        WbOutcome::Save {
                            path,
                            pattern: self.text.clone(),
                        }
                    }
                    PromptKind::Load => WbOutcome::LoadFile { path },
                };
            }
            KeyCode::Backspace => {
                p.text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => p.text.push(c),
            _ => {}
        }
        WbOutcome::None
    }

    fn start_prompt(&mut self, kind: PromptKind) -> WbOutcome {
        let text = match kind {
            PromptKind::Save => self.last_save.clone().unwrap_or_else(|| {
                let stem = self.rule.as_ref().map_or("pattern", |r| r.name.as_str());
                format!("{stem}.json")
            }),
            PromptKind::Load => String::new(),
        };
        self.prompt = Some(Prompt {
            kind,
            text,
            back: self.focus,
        });
        self.set_focus(Focus::Prompt);
        WbOutcome::None
    }

    fn apply(&mut self) -> WbOutcome {
        let Some(r) = &self.rule else {
            self.flash(
                Meaning::Warn,
                "apply needs a rule: open the workbench with w on a rule".to_string(),
            );
            return WbOutcome::None;
        };
        match &self.compiled {
            Compiled::Valid(_) => {}
            Compiled::Empty => {
                self.flash(
                    Meaning::Warn,
                    "nothing to apply: the pattern is empty".to_string(),
                );
                return WbOutcome::None;
            }
            Compiled::Invalid(e) => {
                let text = format!(
                    "fix the pattern first: line {}, column {}: {}",
                    e.line, e.column, e.reason
                );
                self.flash(Meaning::Danger, text);
                return WbOutcome::None;
            }
        }
        let new = json::minify(&self.text);
        if new == json::minify(&r.stored) {
            self.flash(
                Meaning::Warn,
                "nothing to apply: the pattern is the rule's own".to_string(),
            );
            return WbOutcome::None;
        }
        WbOutcome::Apply {
            bus: r.bus.clone(),
            rule: r.name.clone(),
            old: r.stored.clone(),
            diff: pattern_diff(&r.stored, &new),
            new,
        }
    }

    fn remote_check(&mut self) -> WbOutcome {
        if !matches!(self.compiled, Compiled::Valid(_)) {
            self.flash(
                Meaning::Warn,
                "the pattern is not valid: fix it before a remote check".to_string(),
            );
            return WbOutcome::None;
        }
        let Some(e) = self.events.get(self.selected) else {
            return WbOutcome::None;
        };
        let event = e.json.clone();
        let pattern = self.text.clone();
        self.remote[self.selected] = Some(Remote::Pending {
            pattern: pattern.clone(),
        });
        self.refresh_detail();
        WbOutcome::RemoteCheck {
            event_index: self.selected,
            pattern,
            event,
        }
    }

    fn tidy(&mut self) {
        if let Some(pretty) = pretty_pattern(&self.text) {
            if pretty != self.text {
                self.set_pattern(&pretty);
            }
        } else {
            self.flash(Meaning::Warn, "not JSON yet: nothing to tidy".to_string());
        }
    }

    fn select(&mut self, index: usize) {
        let last = self.events.len().saturating_sub(1);
        let index = index.min(last);
        if index != self.selected {
            self.selected = index;
            self.detail_scroll = 0;
            self.refresh_detail();
        }
    }

    fn set_pane(&mut self, pane: Pane) {
        self.pane = pane;
        self.detail_scroll = 0;
        self.refresh_detail();
    }

    // ----- derived state -----

    /// After any change of the editor's text.
    fn edited(&mut self) {
        self.text = self.editor.lines().join("\n");
        self.flash = None;
        self.recompute();
    }

    /// Compiles the pattern once and judges every event with it.
    fn recompute(&mut self) {
        self.compiled = if self.text.trim().is_empty() {
            Compiled::Empty
        } else {
            match Pattern::parse(&self.text) {
                Ok(p) => Compiled::Valid(p),
                Err(e) => Compiled::Invalid(e),
            }
        };
        self.verdicts = self
            .events
            .iter()
            .map(|e| verdict(&self.compiled, &e.json))
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

    /// Rebuilds the detail pane for the selected event.
    fn refresh_detail(&mut self) {
        let mut doc = Vec::new();
        if self.events.is_empty() {
            push(
                &mut doc,
                Meaning::Muted,
                "no events: o loads a file, or paste JSON in the list",
            );
            self.detail = doc;
            self.remote_head = false;
            return;
        }
        self.selected = self.selected.min(self.events.len() - 1);
        let remote = self.remote_line();
        self.remote_head = remote.is_some();
        doc.extend(remote);
        let event = &self.events[self.selected];
        match self.pane {
            Pane::Event => {
                section(
                    &mut doc,
                    &format!("event {} ({})", escape(&event.label), event.origin.label()),
                );
                push_text(&mut doc, Meaning::Normal, &pretty(&event.json));
            }
            Pane::Explain => self.explain_doc(&mut doc, event),
            Pane::RulesHit => self.rules_doc(&mut doc, event),
            Pane::Transform(i) => self.transform_doc(&mut doc, event, i),
        }
        self.detail = doc;
        self.detail_scroll = self.detail_scroll.min(self.detail.len().saturating_sub(1));
    }

    fn remote_line(&self) -> Option<DocLine> {
        let remote = self.remote.get(self.selected)?.as_ref()?;
        let state = self.remote_state(self.selected)?;
        let (meaning, text) = match (remote, state) {
            (Remote::Pending { .. }, _) => (
                Meaning::Muted,
                "remote: checking with TestEventPattern…".to_string(),
            ),
            (Remote::Done { result, .. }, RemoteState::Stale) => (
                Meaning::Muted,
                match result {
                    Ok(m) => format!(
                        "remote: {} for an earlier pattern (stale: r checks again)",
                        if *m { "MATCH" } else { "NO MATCH" }
                    ),
                    Err(e) => format!("remote: {} (stale)", escape(e)),
                },
            ),
            (Remote::Done { result: Err(e), .. }, _) => {
                (Meaning::Warn, format!("remote: {}", escape(e)))
            }
            (Remote::Done { result: Ok(m), .. }, RemoteState::Agrees) => (
                Meaning::Ok,
                format!(
                    "remote: {} ✓ agrees with eddy",
                    if *m { "MATCH" } else { "NO MATCH" }
                ),
            ),
            (Remote::Done { result: Ok(m), .. }, _) => (
                Meaning::Danger,
                format!(
                    "remote: {} ✗ DISAGREES with eddy ({})",
                    if *m { "MATCH" } else { "NO MATCH" },
                    match self.verdicts.get(self.selected) {
                        Some(Verdict::Match) => "eddy: MATCH".to_string(),
                        Some(Verdict::NoMatch) => "eddy: NO MATCH".to_string(),
                        Some(Verdict::InvalidEvent(e)) =>
                            format!("eddy: invalid event: {}", escape(e)),
                        _ => "eddy: no verdict".to_string(),
                    }
                ),
            ),
        };
        Some(DocLine { meaning, text })
    }

    fn explain_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        let pattern = match &self.compiled {
            Compiled::Valid(p) => p,
            Compiled::Empty => {
                push(
                    doc,
                    Meaning::Muted,
                    "type a pattern to see why events match",
                );
                return;
            }
            Compiled::Invalid(_) => {
                push(
                    doc,
                    Meaning::Warn,
                    "the pattern is not valid: fix it to see why events match",
                );
                return;
            }
        };
        match pattern.explain(event.json.as_bytes()) {
            Ok(x) => {
                section(
                    doc,
                    &format!(
                        "{}: {} ({})",
                        if x.matched { "MATCH" } else { "NO MATCH" },
                        escape(&event.label),
                        event.origin.label()
                    ),
                );
                explanation_lines(doc, &x, "");
            }
            Err(e) => push(doc, Meaning::Danger, &format!("not a valid event: {e}")),
        }
    }

    fn rules_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        let Some(br) = &self.bus_rules else {
            push(doc, Meaning::Muted, "no rules loaded");
            return;
        };
        section(
            doc,
            &format!(
                "rules of {} that {} would hit",
                escape(&br.bus),
                escape(&event.label)
            ),
        );
        let hits = match hit_indices(br, &event.json) {
            Ok(h) => h,
            Err(e) => {
                push(doc, Meaning::Danger, &format!("not a valid event: {e}"));
                return;
            }
        };
        let schedule = br.patterns.iter().filter(|p| p.is_none()).count();
        let invalid = br
            .patterns
            .iter()
            .filter(|p| matches!(p, Some(Err(_))))
            .count();
        let mut summary = format!(
            "{} of {} rule{} hit",
            hits.len(),
            br.rules.len(),
            if br.rules.len() == 1 { "" } else { "s" }
        );
        if schedule > 0 {
            summary.push_str(&format!(
                " · {schedule} schedule rule{} skipped",
                if schedule == 1 { "" } else { "s" }
            ));
        }
        if invalid > 0 {
            summary.push_str(&format!(" · {invalid} with a pattern not valid"));
        }
        push(doc, Meaning::Title, &summary);
        if let Some(r) = &self.rule {
            let v = match self.verdicts.get(self.selected) {
                Some(Verdict::Match) => "MATCH",
                Some(Verdict::NoMatch) => "no match",
                _ => "no verdict",
            };
            push(
                doc,
                Meaning::Accent,
                &format!(
                    "editor pattern (for {}{}): {v}",
                    escape(&r.name),
                    if self.is_modified() {
                        ", not applied"
                    } else {
                        ""
                    }
                ),
            );
        }
        // Hits first, then misses, then the rest, each in the bus's order.
        let order = hits
            .iter()
            .copied()
            .chain((0..br.rules.len()).filter(|i| !hits.contains(i)));
        for i in order {
            let rule = &br.rules[i];
            let name = escape(&rule.name);
            let targets = match rule.targets.len() {
                0 => String::new(),
                1 => " → 1 target".to_string(),
                n => format!(" → {n} targets"),
            };
            match &br.patterns[i] {
                None => push(
                    doc,
                    Meaning::Muted,
                    &format!("skip  {name} (schedule rule, no pattern)"),
                ),
                Some(Err(e)) => push(doc, Meaning::Warn, &format!("bad   {name}: {}", escape(e))),
                Some(Ok(p)) => {
                    let hit = hits.contains(&i);
                    if hit {
                        push(doc, Meaning::Ok, &format!("HIT   {name}{targets}"));
                    } else {
                        push(doc, Meaning::Muted, &format!("miss  {name}"));
                    }
                    if let Ok(x) = p.explain(event.json.as_bytes()) {
                        let mut lines = Vec::new();
                        explanation_lines(&mut lines, &x, "      ");
                        // A miss shows only why it failed.
                        doc.extend(
                            lines
                                .into_iter()
                                .filter(|l| hit || l.meaning != Meaning::Ok),
                        );
                    }
                }
            }
        }
    }

    fn transform_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent, i: usize) {
        let Some(r) = &self.rule else {
            push(doc, Meaning::Muted, "no rule loaded");
            return;
        };
        let Some(t) = r.targets.get(i) else {
            push(doc, Meaning::Muted, "no such target");
            return;
        };
        section(
            doc,
            &format!(
                "target {}/{} of {}: {}",
                i + 1,
                r.targets.len(),
                escape(&r.name),
                escape(&t.id)
            ),
        );
        push(doc, Meaning::Normal, &format!("arn  {}", escape(&t.arn)));
        match self.verdicts.get(self.selected) {
            Some(Verdict::Match) => {}
            Some(Verdict::NoMatch) => push(
                doc,
                Meaning::Warn,
                "⚠ this event does not match the pattern: the target would receive nothing",
            ),
            _ => push(
                doc,
                Meaning::Warn,
                "⚠ no verdict for this event: it reaches the target only if it matches",
            ),
        }
        match preview(r, t, &event.json) {
            Ok(out) => {
                let is_json = json::parse(out.as_bytes()).is_ok();
                section(
                    doc,
                    &format!(
                        "receives ({}, {} bytes)",
                        if is_json { "JSON" } else { "text" },
                        out.len()
                    ),
                );
                let shown = if is_json { reindent(&out) } else { out };
                push_text(doc, Meaning::Normal, &shown);
            }
            Err(e) => push(
                doc,
                Meaning::Danger,
                &format!("cannot preview: {}", escape(&e)),
            ),
        }
        if let Some(c) = &t.input {
            section(doc, "from Input (a constant)");
            push_text(doc, Meaning::Muted, c);
        } else if let Some(p) = &t.input_path {
            section(doc, &format!("from InputPath {}", escape(p)));
        } else if let Some(x) = &t.input_transformer {
            section(doc, "from InputTransformer");
            for (k, v) in &x.input_paths_map {
                push(doc, Meaning::Muted, &format!("<{k}> = {v}"));
            }
            push_text(
                doc,
                Meaning::Muted,
                &format!("template {}", x.input_template),
            );
            if x.input_template
                .contains("<aws.events.event.ingestion-time>")
            {
                push(
                    doc,
                    Meaning::Muted,
                    "(ingestion time shown as the event's own time)",
                );
            }
        } else {
            section(
                doc,
                "no Input, InputPath or InputTransformer: the whole event",
            );
        }
    }
}

/// One event's verdict under the compiled pattern.
fn verdict(compiled: &Compiled, event: &str) -> Verdict {
    match compiled {
        Compiled::Valid(p) => match p.matches(event.as_bytes()) {
            Ok(true) => Verdict::Match,
            Ok(false) => Verdict::NoMatch,
            Err(e) => Verdict::InvalidEvent(e.to_string()),
        },
        _ => Verdict::NoPattern,
    }
}

/// The rules (indices into `br.rules`) the event hits, per the engine.
fn hit_indices(br: &BusRules, event: &str) -> Result<Vec<usize>, String> {
    let mut m = br.set.matcher();
    let hits = m.matches(event.as_bytes()).map_err(|e| e.to_string())?;
    Ok(hits
        .iter()
        .filter_map(|&i| br.in_set.get(i).copied())
        .collect())
}

/// What target `t` of the rule receives for `event` (delivered minified, as
/// EventBridge does).
fn preview(r: &RuleCtx, t: &Target, event: &str) -> Result<String, String> {
    let input = target_input(t)?;
    let minified = json::minify(event);
    let d = Delivery::of_event(&minified, &r.name, &r.arn);
    Ok(input.render(&d))
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

/// The widest inline array or object in a pretty-printed pattern.
const INLINE_WIDTH: usize = 64;

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
fn key_text(src: &str, at: usize) -> &str {
    match json::scan_string(src.as_bytes(), at) {
        Ok((end, _)) => &src[at..end],
        Err(_) => "\"\"",
    }
}

fn inline(v: &json::Value, src: &str, out: &mut String) {
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
fn layout(v: &json::Value, src: &str, depth: usize, in_array: bool, out: &mut String) {
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
fn pretty(text: &str) -> String {
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

/// The explanation as `eddy pattern test --explain` prints it, one escaped
/// line each, `pass` lines ok, `FAIL` lines in danger.
fn explanation_lines(doc: &mut Vec<DocLine>, x: &crate::pattern::Explanation, indent: &str) {
    for line in x.to_string().lines() {
        let t = line.trim_start();
        let meaning = if t.starts_with("pass") {
            Meaning::Ok
        } else if t.starts_with("FAIL") {
            Meaning::Danger
        } else {
            Meaning::Title
        };
        push(doc, meaning, &format!("{indent}{line}"));
    }
}

fn section(doc: &mut Vec<DocLine>, title: &str) {
    doc.push(DocLine {
        meaning: Meaning::Title,
        text: format!("── {title} ──"),
    });
}

/// One line, escaped.
fn push(doc: &mut Vec<DocLine>, meaning: Meaning, text: &str) {
    push_text(doc, meaning, text);
}

/// Text split into lines, escaped, each cut into pieces of
/// [`super::inspect::CHUNK`] characters (as the message inspector does).
fn push_text(doc: &mut Vec<DocLine>, meaning: Meaning, text: &str) {
    super::inspect::push_text(doc, text, meaning);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn line_diff_keeps_common_lines() {
        let d = line_diff(&s(&["{", "a", "b", "}"]), &s(&["{", "a", "c", "}"]));
        assert_eq!(d, s(&["  {", "  a", "- b", "+ c", "  }"]));
        assert_eq!(line_diff(&[], &s(&["x"])), s(&["+ x"]));
        assert_eq!(line_diff(&s(&["x"]), &[]), s(&["- x"]));
    }

    #[test]
    fn pattern_diff_compares_pretty_patterns() {
        let d = pattern_diff(
            r#"{"source":["a"]}"#,
            r#"{"source":["a"],"detail-type":["x"]}"#,
        );
        assert_eq!(
            d,
            s(&[
                "  {",
                "-   \"source\": [\"a\"]",
                "+   \"source\": [\"a\"],",
                "+   \"detail-type\": [\"x\"]",
                "  }"
            ])
        );
    }

    #[test]
    fn patterns_print_with_value_lists_inline() {
        let p = r#"{"source":["demo.payments"],"detail":{"total_cost":[{"numeric":[">",200]}],"n":[1e2]}}"#;
        let pretty = pretty_pattern(p).unwrap();
        assert_eq!(
            pretty,
            "{\n  \"source\": [\"demo.payments\"],\n  \"detail\": {\n    \"total_cost\": [{\"numeric\": [\">\", 200]}],\n    \"n\": [1e2]\n  }\n}"
        );
        assert_eq!(json::minify(&pretty), p);
        let long: Vec<String> = (0..20).map(|i| format!("\"value-{i}\"")).collect();
        let p = format!("{{\"a\":[{}]}}", long.join(","));
        let pretty = pretty_pattern(&p).unwrap();
        assert!(pretty.lines().count() > 20, "{pretty}");
        assert_eq!(json::minify(&pretty), p);
        assert_eq!(pretty_pattern("{"), None);
    }

    #[test]
    fn files_hold_one_many_or_lines_of_events() {
        let one = WbEvent::parse_file("/x/e.json", r#"{"a":1}"#).unwrap();
        assert_eq!((one.len(), one[0].label.as_str()), (1, "e.json"));
        let arr = WbEvent::parse_file("a.json", r#"[{"a":1}, {"a":2}]"#).unwrap();
        assert_eq!(arr[1].json, r#"{"a":2}"#);
        assert_eq!(arr[1].label, "a.json#2");
        let lines = WbEvent::parse_file("l.jsonl", "{\"a\":1}\n\n{\"a\":2}\nbroken\n").unwrap();
        assert_eq!(lines.len(), 3);
        assert!(WbEvent::parse_file("t.txt", "hello\nworld").is_err());
        assert!(WbEvent::parse_file("e.json", "[]").is_err());
    }
}
