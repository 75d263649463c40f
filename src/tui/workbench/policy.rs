//! The workbench's filter-policy mode (issue 15): the editor holds an SNS
//! filter policy in a scope (`MessageAttributes` or `MessageBody`), each
//! event is a message (body and attributes), its verdict and the key-by-key
//! explanation come from [`FilterPolicy`], `h` shows which subscriptions of
//! the topic it was opened on a message would reach (each policy's
//! explanation), and ctrl-a sets the policy of the subscription it was
//! opened on, after a diff. `m` switches modes (each keeps its own text),
//! `c` toggles the scope.
//!
//! An event is read as a message in one of three ways ([`message_of`]): the
//! shape of the conformance cases and of `eddy filter-policy test`
//! (`{"body": "...", "attributes": {NAME: {"Type": ..., "Value": ...}}}`),
//! an SNS envelope as a subscriber queue without raw delivery receives it
//! (`Message` and `MessageAttributes`), or else the event's text as the
//! body with the peeked message's attributes.

use crate::domain::Subscription;
use crate::pattern::filter_policy::{FilterPolicy, PolicyExplanation, Scope};
use crate::pattern::json;
use crate::text::escape;
use crate::tui::config::Meaning;
use crate::tui::inspect::DocLine;

use super::detail::{push, push_text, section};
use super::mode::*;
use super::model::*;

/// Messages shipped for the filter-policy mode (the blog example: a
/// `topic` attribute, a JSON body with the post's fields), in the shape of
/// the conformance cases.
pub const SNS_SAMPLES: &[(&str, &str)] = &[
    (
        "news-post",
        r#"{"body": "{\"title\": \"Release notes\", \"words\": 250, \"detail\": {\"words\": 250}}", "attributes": {"topic": {"Type": "String", "Value": "news"}}}"#,
    ),
    (
        "sports-report",
        r#"{"body": "{\"title\": \"Match report\", \"words\": 80, \"detail\": {\"words\": 80}}", "attributes": {"topic": {"Type": "String", "Value": "sports"}}}"#,
    ),
    (
        "tech-post-tags",
        r#"{"body": "{\"title\": \"Rust in production\", \"detail\": {\"words\": 1800}}", "attributes": {"topic": {"Type": "String.Array", "Value": "[\"tech\", \"rust\"]"}, "words": {"Type": "Number", "Value": "1800"}}}"#,
    ),
    (
        "plain-text",
        r#"{"body": "hello subscribers", "attributes": {}}"#,
    ),
];

/// The shipped SNS sample messages, as workbench events.
pub fn sns_samples() -> Vec<WbEvent> {
    SNS_SAMPLES
        .iter()
        .map(|(name, json)| WbEvent::new(*name, Origin::Sample, *json))
        .collect()
}

/// The explanation's lines: `pass` keys ok, `FAIL` keys in danger.
fn explanation_lines(doc: &mut Vec<DocLine>, x: &PolicyExplanation, indent: &str) {
    for k in &x.keys {
        let (m, word) = if k.matched {
            (Meaning::Ok, "pass")
        } else {
            (Meaning::Danger, "FAIL")
        };
        push(doc, m, &format!("{indent}{word}  {}: {}", k.key, k.reason));
    }
}

impl Workbench {
    /// A workbench in filter-policy mode on `sub`'s policy (pretty-printed)
    /// and scope, with the topic's `subscriptions` for `h`; ctrl-a sets
    /// the subscription's policy.
    pub fn for_subscription(
        sub: &Subscription,
        subscriptions: Vec<Subscription>,
        events: Vec<WbEvent>,
    ) -> Workbench {
        let stored = sub.filter_policy.clone().unwrap_or_default();
        let shown = if stored.trim().is_empty() {
            POLICY_START.to_string()
        } else {
            pretty_pattern(&stored).unwrap_or_else(|| stored.clone())
        };
        let mut wb = Workbench::new(&shown, events);
        wb.mode = Mode::Policy(sub.filter_policy_scope);
        wb.stash = PATTERN_START.to_string();
        wb.sub = Some(SubCtx {
            arn: sub.arn.clone(),
            topic_arn: sub.topic_arn.clone(),
            label: format!(
                "{} {}",
                sub.protocol,
                crate::domain::short_arn(&sub.endpoint)
            ),
            stored,
            stored_scope: sub.filter_policy_scope,
            subscription: sub.clone(),
        });
        wb.topic = Some(TopicSubs {
            topic_arn: sub.topic_arn.clone(),
            subscriptions,
        });
        wb.recompute();
        wb
    }

    /// Pattern or filter-policy mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The subscription the workbench was opened on.
    pub fn subscription(&self) -> Option<&SubCtx> {
        self.sub.as_ref()
    }

    /// The filter policy differs from the subscription's (text or scope).
    pub fn policy_modified(&self) -> bool {
        match (&self.sub, self.mode) {
            (Some(s), Mode::Policy(scope)) => {
                json::minify(&self.text) != json::minify(&s.stored) || scope != s.stored_scope
            }
            _ => false,
        }
    }

    /// `m`: pattern ↔ filter policy; each mode keeps its own text.
    pub fn toggle_mode(&mut self) {
        let scope = self
            .sub
            .as_ref()
            .map_or(Scope::MessageAttributes, |s| s.stored_scope);
        self.mode = match self.mode {
            Mode::Pattern => Mode::Policy(scope),
            Mode::Policy(_) => Mode::Pattern,
        };
        let other = std::mem::replace(&mut self.stash, self.text.clone());
        if matches!(self.pane, Pane::RulesHit | Pane::Transform(_) | Pane::Reach) {
            self.pane = Pane::Event;
        }
        self.set_pattern(&other);
        let what = match self.mode {
            Mode::Pattern => "event pattern mode".to_string(),
            Mode::Policy(s) => format!("filter policy mode, scope {s} (c toggles)"),
        };
        self.flash(Meaning::Accent, what);
    }

    /// `c`: the filter policy's scope, `MessageAttributes` ↔ `MessageBody`.
    pub fn toggle_scope(&mut self) {
        let Mode::Policy(scope) = self.mode else {
            self.flash(
                Meaning::Warn,
                "c toggles a filter policy's scope: m switches to filter-policy mode".to_string(),
            );
            return;
        };
        let next = match scope {
            Scope::MessageAttributes => Scope::MessageBody,
            Scope::MessageBody => Scope::MessageAttributes,
        };
        self.mode = Mode::Policy(next);
        self.recompute();
        self.flash(Meaning::Accent, format!("scope {next}"));
    }

    /// ctrl-a in filter-policy mode: the subscription's policy, after a diff.
    pub(super) fn apply_policy(&mut self) -> WbOutcome {
        let Some(s) = self.sub.clone() else {
            self.flash(
                Meaning::Warn,
                "setting a policy needs a subscription: open the workbench with w on one (:topics, enter)"
                    .to_string(),
            );
            return WbOutcome::None;
        };
        let Mode::Policy(scope) = self.mode else {
            return WbOutcome::None;
        };
        match &self.compiled {
            Compiled::Policy(_) | Compiled::Empty => {}
            Compiled::PolicyInvalid(e) => {
                let text = format!("fix the policy first: {}", e.message);
                self.flash(Meaning::Danger, text);
                return WbOutcome::None;
            }
            _ => return WbOutcome::None,
        }
        let new = json::minify(&self.text);
        if !self.policy_modified() {
            self.flash(
                Meaning::Warn,
                "nothing to set: the policy and scope are the subscription's own".to_string(),
            );
            return WbOutcome::None;
        }
        // What ops states, as the CLI asks it: the scope, the policy's
        // diff, the delay on AWS.
        let mut current = s.subscription.clone();
        current.filter_policy = (!s.stored.is_empty()).then(|| s.stored.clone());
        current.filter_policy_scope = s.stored_scope;
        let given = (!new.is_empty()).then_some(new.as_str());
        let c = crate::ops::sns::set_filter_policy_confirmation(&current, given, scope);
        let mut lines: Vec<String> = c
            .facts
            .iter()
            .flat_map(|f| f.lines().map(str::to_string).collect::<Vec<_>>())
            .collect();
        if scope != s.stored_scope && given.is_none() {
            lines.push(format!("scope {} → {scope}", s.stored_scope));
        }
        WbOutcome::ApplyPolicy {
            subscription: s.arn.clone(),
            title: c.title,
            new,
            scope,
            lines,
        }
    }

    /// The subscription now has `policy` in `scope`: the new baseline.
    pub fn policy_applied(&mut self, policy: &str, scope: Scope) {
        if let Some(s) = &mut self.sub {
            s.stored = policy.to_string();
            s.stored_scope = scope;
        }
        if let Some(t) = &mut self.topic
            && let Some(sub) = self.sub.as_ref()
            && let Some(x) = t.subscriptions.iter_mut().find(|x| x.arn == sub.arn)
        {
            x.filter_policy = (!policy.is_empty()).then(|| policy.to_string());
            x.filter_policy_scope = scope;
        }
        self.flash(
            Meaning::Ok,
            "filter policy set on the subscription".to_string(),
        );
        self.refresh_detail();
    }

    /// The event pane in filter-policy mode: the message as the policy sees it.
    pub(super) fn policy_event_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        let m = message_of(&event.json, &event.attributes);
        section(
            doc,
            &format!(
                "message {} ({}): as the filter policy sees it",
                escape(&event.label),
                event.origin.label()
            ),
        );
        if m.attributes.is_empty() {
            push(doc, Meaning::Muted, "attributes: none");
        }
        for (k, a) in &m.attributes {
            push(
                doc,
                Meaning::Accent,
                &format!("attribute {k} ({}) = {}", a.data_type, a.value),
            );
        }
        push(doc, Meaning::Title, "body:");
        push_text(doc, Meaning::Normal, &pretty(&m.body));
    }

    /// The key-by-key explanation in filter-policy mode.
    pub(super) fn policy_explain_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        let p = match &self.compiled {
            Compiled::Policy(p) => p,
            Compiled::PolicyInvalid(e) => {
                push(
                    doc,
                    Meaning::Warn,
                    &format!("SNS would refuse this policy: {}", e.message),
                );
                return;
            }
            _ => {
                push(
                    doc,
                    Meaning::Muted,
                    "type a filter policy to see why messages are delivered",
                );
                return;
            }
        };
        let x = p.explain(&message_of(&event.json, &event.attributes));
        section(
            doc,
            &format!(
                "{} in scope {}: {} ({})",
                if x.matched {
                    "DELIVERED"
                } else {
                    "NOT DELIVERED"
                },
                p.scope(),
                escape(&event.label),
                event.origin.label()
            ),
        );
        explanation_lines(doc, &x, "");
    }

    /// `h` in filter-policy mode: which subscriptions of the topic the
    /// message would reach, each policy explained.
    pub(super) fn reach_doc(&self, doc: &mut Vec<DocLine>, event: &WbEvent) {
        let Some(t) = &self.topic else {
            push(
                doc,
                Meaning::Muted,
                "no topic: open the workbench with w on a subscription (:topics, enter) to see which subscriptions a message reaches",
            );
            return;
        };
        let m = message_of(&event.json, &event.attributes);
        section(
            doc,
            &format!(
                "subscriptions of {} that {} would reach",
                escape(crate::domain::topic_name_of(&t.topic_arn)),
                escape(&event.label)
            ),
        );
        for s in &t.subscriptions {
            let who = escape(&format!(
                "{} {}",
                s.protocol,
                crate::domain::short_arn(&s.endpoint)
            ))
            .into_owned();
            let edited = self.sub.as_ref().is_some_and(|c| c.arn == s.arn);
            let (policy, scope) = match (edited, self.mode) {
                (true, Mode::Policy(scope)) => (Some(self.text.clone()), scope),
                _ => (s.filter_policy.clone(), s.filter_policy_scope),
            };
            let note = if edited { " (the editor's policy)" } else { "" };
            if !s.confirmed {
                push(
                    doc,
                    Meaning::Muted,
                    &format!("—     {who}: pending confirmation, receives nothing yet"),
                );
                continue;
            }
            let Some(policy) = policy.filter(|p: &String| !p.trim().is_empty()) else {
                push(
                    doc,
                    Meaning::Ok,
                    &format!("REACH {who}: no filter policy, every message{note}"),
                );
                continue;
            };
            match FilterPolicy::parse(&policy, scope) {
                Err(e) => push(
                    doc,
                    Meaning::Warn,
                    &format!("bad   {who}: {}{note}", e.message),
                ),
                Ok(p) => {
                    let x = p.explain(&m);
                    if x.matched {
                        push(doc, Meaning::Ok, &format!("REACH {who}{note}"));
                    } else {
                        push(doc, Meaning::Muted, &format!("miss  {who}{note}"));
                    }
                    let mut lines = Vec::new();
                    explanation_lines(&mut lines, &x, "      ");
                    doc.extend(
                        lines
                            .into_iter()
                            .filter(|l| x.matched || l.meaning != Meaning::Ok),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::pattern::filter_policy::Attribute;

    #[test]
    fn messages_from_the_corpus_shape_an_envelope_or_a_body() {
        let none = BTreeMap::new();
        let m = message_of(
            r#"{"body": "hi", "attributes": {"topic": {"Type": "String", "Value": "news"}}}"#,
            &none,
        );
        assert_eq!(m.body, "hi");
        assert_eq!(m.attributes["topic"].value, "news");
        let envelope = r#"{"Type":"Notification","MessageId":"1","TopicArn":"arn:aws:sns:us-east-1:1:t","Message":"{\"a\":1}","MessageAttributes":{"topic":{"Type":"String","Value":"sports"}}}"#;
        let m = message_of(envelope, &none);
        assert_eq!(m.body, r#"{"a":1}"#);
        assert_eq!(m.attributes["topic"].value, "sports");
        // Another object is a body; the peeked message's attributes go with it.
        let mut attrs = BTreeMap::new();
        attrs.insert(
            "x".to_string(),
            Attribute {
                data_type: "Number".into(),
                value: "1".into(),
            },
        );
        let m = message_of(r#"{"body": "b", "other": 1}"#, &attrs);
        assert_eq!(m.body, r#"{"body": "b", "other": 1}"#);
        assert_eq!(m.attributes, attrs);
    }

    #[test]
    fn the_sns_samples_are_messages_with_json_bodies() {
        for e in sns_samples() {
            let m = message_of(&e.json, &BTreeMap::new());
            assert_ne!(m.body, e.json, "{}: not the message shape", e.label);
        }
        let tags = message_of(SNS_SAMPLES[2].1, &BTreeMap::new());
        let p = FilterPolicy::parse(r#"{"topic": ["rust"]}"#, Scope::MessageAttributes).unwrap();
        assert!(p.matches(&tags), "String.Array elements match one by one");
        let body = FilterPolicy::parse(
            r#"{"detail": {"words": [{"numeric": [">", 1000]}]}}"#,
            Scope::MessageBody,
        )
        .unwrap();
        assert!(body.matches(&tags));
        assert!(!body.matches(&message_of(SNS_SAMPLES[0].1, &BTreeMap::new())));
    }

    #[test]
    fn the_mode_switch_keeps_each_text_and_the_scope_toggles() {
        let mut wb = Workbench::new("{\"source\": [\"a\"]}", Vec::new());
        assert_eq!(wb.mode(), Mode::Pattern);
        wb.toggle_mode();
        assert_eq!(wb.mode(), Mode::Policy(Scope::MessageAttributes));
        assert_eq!(wb.pattern_text(), POLICY_START);
        wb.toggle_scope();
        assert_eq!(wb.mode(), Mode::Policy(Scope::MessageBody));
        wb.toggle_mode();
        assert_eq!(wb.mode(), Mode::Pattern);
        assert_eq!(wb.pattern_text(), "{\"source\": [\"a\"]}");
        assert!(matches!(wb.compiled(), Compiled::Valid(_)));
    }
}
