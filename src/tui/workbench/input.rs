//! Keys and paste on the workbench: the editor, the event list, the prompts
//! (save, load, apply); each returns a [`WbOutcome`] for the app to carry out.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::style::{Modifier, Style};

use crate::pattern::json;
use crate::tui::config::Meaning;

use super::mode::Mode;
use super::model::*;

impl Workbench {
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

    // ----- keys -----

    pub(super) fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        let cursor = if focus == Focus::Editor {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        self.editor.set_cursor_style(cursor);
    }

    pub(super) fn editor_key(&mut self, key: KeyEvent) -> WbOutcome {
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

    pub(super) fn list_key(&mut self, key: KeyEvent) -> WbOutcome {
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
            KeyCode::Char('m') => self.toggle_mode(),
            KeyCode::Char('c') => self.toggle_scope(),
            KeyCode::Char('h') if matches!(self.mode, Mode::Policy(_)) => {
                let pane = if self.pane == Pane::Reach {
                    Pane::Event
                } else {
                    Pane::Reach
                };
                self.set_pane(pane);
            }
            KeyCode::Char('i' | 'r') if matches!(self.mode, Mode::Policy(_)) => {
                self.flash(
                    Meaning::Warn,
                    "in filter-policy mode: no targets or remote check (SNS has no API to test a policy); h shows the subscriptions reached"
                        .to_string(),
                );
            }
            KeyCode::Char('h') => {
                if self.pane == Pane::RulesHit {
                    self.set_pane(Pane::Event);
                } else if let Some(bus) = self.rules_bus() {
                    self.set_pane(Pane::RulesHit);
                    // Checked against the rules as they are now, not as
                    // they were when the workbench opened.
                    return WbOutcome::FetchRules { bus };
                } else {
                    self.flash(
                        Meaning::Warn,
                        "no rules loaded: open the workbench on a bus or rule to see which rules an event hits"
                            .to_string(),
                    );
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

    pub(super) fn prompt_key(&mut self, key: KeyEvent) -> WbOutcome {
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
            // ctrl-u clears the line, as in a shell.
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => p.text.clear(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                if p.selected {
                    p.text.clear();
                }
                p.text.push(c);
            }
            _ => {}
        }
        if let Some(p) = &mut self.prompt {
            p.selected = false;
        }
        WbOutcome::None
    }

    pub(super) fn start_prompt(&mut self, kind: PromptKind) -> WbOutcome {
        let text = match kind {
            PromptKind::Save => self.last_save.clone().unwrap_or_else(|| {
                let stem = self.rule.as_ref().map_or("pattern", |r| r.name.as_str());
                format!("{stem}.json")
            }),
            PromptKind::Load => String::new(),
        };
        self.prompt = Some(Prompt {
            kind,
            selected: !text.is_empty(),
            text,
            back: self.focus,
        });
        self.set_focus(Focus::Prompt);
        WbOutcome::None
    }

    pub(super) fn apply(&mut self) -> WbOutcome {
        if matches!(self.mode, Mode::Policy(_)) {
            return self.apply_policy();
        }
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
            Compiled::Policy(_) | Compiled::PolicyInvalid(_) => return WbOutcome::None,
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

    pub(super) fn remote_check(&mut self) -> WbOutcome {
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

    pub(super) fn tidy(&mut self) {
        if let Some(pretty) = pretty_pattern(&self.text) {
            if pretty != self.text {
                self.set_pattern(&pretty);
            }
        } else {
            self.flash(Meaning::Warn, "not JSON yet: nothing to tidy".to_string());
        }
    }
}
