//! The detail pane of the selected event: the remote verdict, the
//! field-by-field explanation, the rules of the bus it would hit, what each
//! target of the rule would receive. Rebuilt on change, never while drawing.

use crate::pattern::json;
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::inspect::{DocLine, reindent};

use super::model::*;

impl Workbench {
    /// Rebuilds the detail pane for the selected event.
    pub(super) fn refresh_detail(&mut self) {
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
            Pane::Event if matches!(self.mode, super::mode::Mode::Policy(_)) => {
                self.policy_event_doc(&mut doc, event)
            }
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
            Pane::Reach => self.reach_doc(&mut doc, event),
        }
        self.detail = doc;
        self.detail_scroll = self.detail_scroll.min(self.detail.len().saturating_sub(1));
    }

    pub(super) fn remote_line(&self) -> Option<DocLine> {
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

    pub(super) fn explain_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        if matches!(self.mode, super::mode::Mode::Policy(_)) {
            return self.policy_explain_doc(doc, event);
        }
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
            _ => {
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

    pub(super) fn rules_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        if let Some((_, bus)) = &self.rules_reading {
            push(
                doc,
                Meaning::Muted,
                &format!(
                    "reading the rules of bus {} as the backend holds them now…",
                    escape(bus)
                ),
            );
            return;
        }
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

    pub(super) fn transform_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent, i: usize) {
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

/// The explanation as `eddy pattern test --explain` prints it, one escaped
/// line each, `pass` lines ok, `FAIL` lines in danger.
pub(super) fn explanation_lines(
    doc: &mut Vec<DocLine>,
    x: &crate::pattern::Explanation,
    indent: &str,
) {
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

pub(super) fn section(doc: &mut Vec<DocLine>, title: &str) {
    doc.push(DocLine {
        meaning: Meaning::Title,
        text: format!("── {title} ──"),
    });
}

/// One line, escaped.
pub(super) fn push(doc: &mut Vec<DocLine>, meaning: Meaning, text: &str) {
    push_text(doc, meaning, text);
}

/// Text split into lines, escaped, each cut into pieces of
/// [`crate::tui::inspect::CHUNK`] characters (as the message inspector does).
pub(super) fn push_text(doc: &mut Vec<DocLine>, meaning: Meaning, text: &str) {
    crate::tui::inspect::push_text(doc, text, meaning);
}
