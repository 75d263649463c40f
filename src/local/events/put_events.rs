//! PutEvents (entries checked like AWS, envelopes built, routed through the
//! bus's rules and delivered to targets with retries and DLQs) and
//! TestEventPattern.

use super::Events;
use super::journal::{Change, ChangeKind};
use super::limits::{
    ENVELOPE_FIELDS, IMMEDIATE_RETRIES, MAX_ENTRIES_BYTES, MAX_PUT_EVENTS_ENTRIES,
};
use super::state::{
    ArchivedRecord, Event, RouteEntry, Routing, RuleRoute, TargetKind, TargetSpec, archive_record,
    build_routing, read, too_old, write,
};
use super::targets::{dlq_error_code, is_transient, render_input};
use super::wire::{
    PutEventsEntryOut, PutEventsOut, PutEventsRequest, TestEventPatternOut,
    TestEventPatternRequest, bus_not_found, invalid_pattern, missing, need, parse_time, reply,
    resolve_put_bus, too_many_entries,
};
use crate::local::core::AwsError;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::events::EventsHost;
use crate::pattern::Pattern;
use crate::pattern::json as pjson;
use crate::pattern::transform::Input as InputSpec;
use crate::pattern::transform::iso_seconds;
use crate::pattern::transform::push_json_str;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

// ----- PutEvents entries -----

pub(super) struct Entry<'a> {
    pub(super) source: &'a str,
    pub(super) detail_type: &'a str,
    pub(super) detail: &'a str,
    pub(super) resources: &'a [Value],
    pub(super) time_ms: Option<i64>,
    pub(super) bus: Option<&'a str>,
}

/// Validates one PutEvents entry; the error is its (ErrorCode, ErrorMessage).
pub(super) fn check_entry(e: &Value) -> Result<Entry<'_>, (&'static str, String)> {
    let required = |key: &str| -> Result<&str, (&'static str, String)> {
        match e.get(key).and_then(Value::as_str) {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err((
                "InvalidArgument",
                format!("Parameter {key} is not valid. Reason: {key} is a required argument."),
            )),
        }
    };
    let source = required("Source")?;
    let detail_type = required("DetailType")?;
    let detail = required("Detail")?;
    if !matches!(pjson::validate(detail.as_bytes()), Ok(true)) {
        return Err(("MalformedDetail", "Detail is malformed.".to_string()));
    }
    let resources: &[Value] = match e.get("Resources") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) if a.iter().all(Value::is_string) => a,
        Some(_) => {
            return Err((
                "InvalidArgument",
                "Parameter Resources is not valid. Reason: Resources must be a list of strings."
                    .to_string(),
            ));
        }
    };
    let time_ms = match e.get("Time") {
        None | Some(Value::Null) => None,
        Some(t) => Some(parse_time(t).ok_or((
            "InvalidArgument",
            "Parameter Time is not valid. Reason: not a timestamp.".to_string(),
        ))?),
    };
    Ok(Entry {
        source,
        detail_type,
        detail,
        resources,
        time_ms,
        bus: e.get("EventBusName").and_then(Value::as_str),
    })
}

/// An entry's size as EventBridge counts it ("Calculating PutEvents event entry size").
pub(super) fn entry_size(e: &Value) -> usize {
    let len = |k: &str| e.get(k).and_then(Value::as_str).map_or(0, str::len);
    let time = if e.get("Time").is_some_and(|t| !t.is_null()) {
        14
    } else {
        0
    };
    let resources: usize = e.get("Resources").and_then(Value::as_array).map_or(0, |a| {
        a.iter().filter_map(Value::as_str).map(str::len).sum()
    });
    time + len("Source") + len("DetailType") + len("Detail") + resources
}

/// Writes the event envelope, keys in AWS's order, the detail minified; returns
/// where `,"detail":` starts.
#[allow(clippy::too_many_arguments)]
pub(super) fn build_envelope(
    out: &mut String,
    id: &str,
    detail_type: &str,
    source: &str,
    account: &str,
    time_ms: i64,
    region: &str,
    resources: &[Value],
    detail: &str,
) -> usize {
    out.push_str("{\"version\":\"0\",\"id\":");
    push_json_str(out, id);
    out.push_str(",\"detail-type\":");
    push_json_str(out, detail_type);
    out.push_str(",\"source\":");
    push_json_str(out, source);
    out.push_str(",\"account\":");
    push_json_str(out, account);
    out.push_str(",\"time\":\"");
    out.push_str(&iso_seconds(time_ms));
    out.push_str("\",\"region\":");
    push_json_str(out, region);
    out.push_str(",\"resources\":[");
    for (i, r) in resources.iter().filter_map(Value::as_str).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(out, r);
    }
    out.push(']');
    let detail_at = out.len();
    out.push_str(",\"detail\":");
    minify_into(out, detail);
    out.push('}');
    detail_at
}

/// JSON text without whitespace outside strings.
pub(super) fn minify_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
    {
        out.push_str(text);
        return;
    }
    let (mut in_str, mut escaped) = (false, false);
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
            out.push_str(&text[start..i]);
            start = i + 1;
        }
    }
    out.push_str(&text[start..]);
}

// ----- TestEventPattern -----

impl Events {
    pub(super) fn test_event_pattern(b: TestEventPatternRequest) -> OpResult {
        let pattern = need(&b.event_pattern, "EventPattern")?;
        let event = need(&b.event, "Event")?;
        let bad_event = || AwsError::validation("Parameter Event is not valid.");
        let p = Pattern::parse(pattern).map_err(|e| invalid_pattern(e, pattern))?;
        let parsed: Value = serde_json::from_str(event).map_err(|_| bad_event())?;
        let obj = parsed.as_object().ok_or_else(bad_event)?;
        if !ENVELOPE_FIELDS.iter().all(|f| obj.contains_key(*f)) {
            return Err(bad_event());
        }
        let result = p.matches(event.as_bytes()).map_err(|_| bad_event())?;
        reply(TestEventPatternOut { result })
    }

    // ----- PutEvents -----

    /// PutEvents at `now`: the ingestion time, the default event time and the
    /// time archives are pruned at.
    pub(super) fn put_events<H: EventsHost>(
        &self,
        local: &H,
        b: PutEventsRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let entries = b.entries.get().ok_or_else(|| missing("entries"))?;
        if entries.len() > MAX_PUT_EVENTS_ENTRIES {
            return Err(too_many_entries(entries, MAX_PUT_EVENTS_ENTRIES));
        }
        if entries.is_empty() {
            return Err(AwsError::validation(format!(
                "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy \
                 constraint: Member must have length between 1 and {MAX_PUT_EVENTS_ENTRIES}"
            )));
        }
        let total: usize = entries.iter().map(entry_size).sum();
        if total > MAX_ENTRIES_BYTES {
            return Err(AwsError::validation(
                "Total size of the entries in the request is over the limit.",
            ));
        }
        let ingest_ms = now;
        let mut results: Vec<PutEventsEntryOut> = Vec::with_capacity(entries.len());
        let mut failed = 0u32;
        // Archived events, by the (account, region) of the bus they were put to.
        let mut archived: Vec<(String, String, Vec<ArchivedRecord>)> = Vec::new();
        let mut routings: Vec<(String, String, String, Option<Arc<Routing>>)> = Vec::new();
        let mut text = String::with_capacity(512);
        for e in entries {
            let entry = match check_entry(e) {
                Ok(entry) => entry,
                Err((code, message)) => {
                    failed += 1;
                    results.push(PutEventsEntryOut::failed(code, message));
                    continue;
                }
            };
            let bus = match resolve_put_bus(entry.bus, ctx) {
                Ok(bus) => bus,
                Err(e) => {
                    failed += 1;
                    results.push(PutEventsEntryOut::failed("InvalidArgument", e.message));
                    continue;
                }
            };
            let id = uuid::Uuid::new_v4().to_string();
            let time_ms = entry.time_ms.unwrap_or(ingest_ms);
            text.clear();
            let detail_at = build_envelope(
                &mut text,
                &id,
                entry.detail_type,
                entry.source,
                &ctx.account,
                time_ms,
                &bus.region,
                entry.resources,
                entry.detail,
            );
            results.push(PutEventsEntryOut::ok(id.clone()));
            let routing = match routings
                .iter()
                .find(|(a, r, n, _)| *a == bus.account && *r == bus.region && *n == bus.name)
            {
                Some((_, _, _, routing)) => routing.clone(),
                None => {
                    let routing = self.routing(&bus.account, &bus.region, &bus.name);
                    routings.push((
                        bus.account.clone(),
                        bus.region.clone(),
                        bus.name.clone(),
                        routing.clone(),
                    ));
                    routing
                }
            };
            // An event for a bus that does not exist is accepted and dropped (as on AWS).
            let Some(routing) = routing else { continue };
            let event = Event {
                text: &text,
                detail_at,
                id: &id,
                time_ms,
                ingest_ms,
                now_ms: now,
                hop: 0,
            };
            let mut recorded = Vec::new();
            self.dispatch(local, &routing, &event, None, &mut recorded);
            if recorded.is_empty() {
                continue;
            }
            match archived
                .iter_mut()
                .find(|(a, r, _)| *a == bus.account && *r == bus.region)
            {
                Some((_, _, events)) => events.append(&mut recorded),
                None => archived.push((bus.account, bus.region, recorded)),
            }
        }
        for (account, region, events) in archived {
            let mut st = write(&self.state);
            let change = Change {
                region,
                account,
                kind: ChangeKind::Archived { events },
            };
            self.commit(local, &mut st, change, now)?;
        }
        reply(PutEventsOut {
            failed_entry_count: failed,
            entries: results,
        })
    }

    /// The bus's compiled routing (built now if a change made it stale); None when
    /// the bus does not exist.
    pub(super) fn routing(&self, account: &str, region: &str, bus: &str) -> Option<Arc<Routing>> {
        {
            let st = read(&self.state);
            match st.get(account, region) {
                None => return None,
                Some(r) => match r.buses.get(bus) {
                    None => return None,
                    Some(b) => {
                        if let Some(routing) = &b.routing {
                            return Some(routing.clone());
                        }
                    }
                },
            }
        }
        let mut st = write(&self.state);
        let r = st.get_mut(account, region)?;
        if let Some(routing) = &r.buses.get(bus)?.routing {
            return Some(routing.clone());
        }
        let routing = Arc::new(build_routing(r, bus));
        r.buses.get_mut(bus)?.routing = Some(routing.clone());
        Some(routing)
    }

    /// Matches one event against a bus's rules (and archives) and delivers it to
    /// the matched rules' targets. `only` limits the rules (a replay's FilterArns);
    /// archive entries are skipped then.
    pub(super) fn dispatch<H: EventsHost>(
        &self,
        local: &H,
        routing: &Routing,
        event: &Event,
        only: Option<&[String]>,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        let mut matcher = routing.rules.matcher();
        let Ok(matched) = matcher.matches(event.text.as_bytes()) else {
            return;
        };
        for &i in matched {
            match &routing.entries[i] {
                RouteEntry::Rule(rule) => {
                    if only.is_some_and(|arns| !arns.is_empty() && !arns.contains(&rule.arn)) {
                        continue;
                    }
                    for target in &rule.targets {
                        self.invoke(local, rule, target, event, archived);
                    }
                }
                RouteEntry::Archive(name) => {
                    if only.is_none() {
                        archived.push(archive_record(name, event));
                    }
                }
            }
        }
        if only.is_none() {
            for name in &routing.archive_all {
                archived.push(archive_record(name, event));
            }
        }
    }

    /// Delivers an event to one target, with retries and the target's DLQ.
    pub(super) fn invoke<H: EventsHost>(
        &self,
        local: &H,
        rule: &RuleRoute,
        target: &TargetSpec,
        event: &Event,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        if let TargetKind::Bus {
            account,
            region,
            name,
        } = &target.kind
        {
            // EventBridge does not route an event received from a bus on to a third one.
            if event.hop > 0 {
                return;
            }
            self.forward(
                local,
                rule,
                target,
                (account, region),
                name,
                event,
                archived,
            );
            return;
        }
        if matches!(target.kind, TargetKind::Other) {
            return;
        }
        let input = render_input(&target.input, event, rule);
        let mut attempts = 0u32;
        let error = loop {
            let result = match &target.kind {
                TargetKind::Sqs => local
                    .sqs()
                    .deliver(
                        local,
                        &target.arn,
                        input.clone(),
                        target.group_id.clone(),
                        target.group_id.as_ref().map(|_| event.id.to_string()),
                        BTreeMap::new(),
                    )
                    .map(|_| ()),
                TargetKind::Logs => {
                    let group = target.arn.strip_suffix(":*").unwrap_or(&target.arn);
                    local
                        .logs()
                        .deliver(local, group, input.clone(), event.time_ms)
                }
                TargetKind::Lambda => local.invoke_function_async(&target.arn, input.clone()),
                TargetKind::Sns => local.publish_to_topic(
                    &target.arn,
                    input.clone(),
                    target.group_id.clone(),
                    target.group_id.as_ref().map(|_| event.id.to_string()),
                ),
                TargetKind::Bus { .. } | TargetKind::Other => Ok(()),
            };
            let Err(e) = result else { return };
            let retryable = is_transient(&e);
            let too_old = too_old(event.ingest_ms, target.max_age_ms, event.now_ms);
            if !retryable || attempts >= target.max_retries.min(IMMEDIATE_RETRIES) || too_old {
                let exhausted = retryable.then_some(if too_old {
                    "MaximumEventAgeInSeconds"
                } else {
                    "MaximumRetryAttempts"
                });
                break (e, exhausted);
            }
            attempts += 1;
        };
        self.dead_letter(local, rule, target, event, &error.0, error.1, attempts);
    }

    /// Sends an undeliverable event to the target's DLQ, with AWS's attributes.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn dead_letter<H: EventsHost>(
        &self,
        local: &H,
        rule: &RuleRoute,
        target: &TargetSpec,
        event: &Event,
        error: &AwsError,
        exhausted: Option<&str>,
        attempts: u32,
    ) {
        let Some(dlq) = &target.dlq else { return };
        let mut attributes = BTreeMap::new();
        attributes.insert("ERROR_CODE".to_string(), dlq_error_code(error).to_string());
        attributes.insert("ERROR_MESSAGE".to_string(), error.message.clone());
        if let Some(condition) = exhausted {
            attributes.insert(
                "EXHAUSTED_RETRY_CONDITION".to_string(),
                condition.to_string(),
            );
        }
        attributes.insert("RETRY_ATTEMPTS".to_string(), attempts.to_string());
        attributes.insert("RULE_ARN".to_string(), rule.arn.clone());
        attributes.insert("TARGET_ARN".to_string(), target.arn.clone());
        // A DLQ that cannot take it either: the event is dropped, as on AWS.
        let _ = local
            .sqs()
            .deliver(local, dlq, event.text.to_string(), None, None, attributes);
    }

    /// A bus target: the event goes through the other bus's rules (and archives).
    /// Input shaping, if any, replaces the event's detail.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn forward<H: EventsHost>(
        &self,
        local: &H,
        rule: &RuleRoute,
        target: &TargetSpec,
        (account, region): (&str, &str),
        bus: &str,
        event: &Event,
        archived: &mut Vec<ArchivedRecord>,
    ) {
        let Some(routing) = self.routing(account, region, bus) else {
            let e = bus_not_found(bus);
            self.dead_letter(local, rule, target, event, &e, None, 0);
            return;
        };
        let reshaped;
        let text = match &target.input {
            InputSpec::Event => event.text,
            shaping => {
                let detail = render_input(shaping, event, rule);
                if !matches!(crate::pattern::json::validate(detail.as_bytes()), Ok(true)) {
                    let e = AwsError::validation(
                        "the shaped input is not a JSON object, so it cannot be an event's detail",
                    );
                    self.dead_letter(local, rule, target, event, &e, None, 0);
                    return;
                }
                let mut s = String::with_capacity(event.detail_at + detail.len() + 12);
                s.push_str(&event.text[..event.detail_at]);
                s.push_str(",\"detail\":");
                s.push_str(&detail);
                s.push('}');
                reshaped = s;
                &reshaped
            }
        };
        let forwarded = Event {
            text,
            detail_at: event.detail_at,
            id: event.id,
            time_ms: event.time_ms,
            ingest_ms: event.ingest_ms,
            now_ms: event.now_ms,
            hop: event.hop + 1,
        };
        self.dispatch(local, &routing, &forwarded, None, archived);
    }
}
