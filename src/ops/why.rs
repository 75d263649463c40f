//! "Why it failed": for a message of a queue (a DLQ's, or any peeked one),
//! the log lines that explain it, following lambda.md §5:
//!
//! 1. what the message records itself ([`records`]): an EventBridge target
//!    DLQ's attributes, a Lambda DLQ's `RequestID`/`ErrorMessage`, an
//!    on-failure destination's invocation record — then that request id's
//!    lines in the function's log group;
//! 2. else its source queue (`DeadLetterQueueSourceArn`, else the queues
//!    whose redrive policy names this one, else the queue itself) → its
//!    consumers ([`super::consumers`]: event source mappings → function log
//!    groups; declared consumers' log groups) → a time window from the
//!    message's timestamps, the visibility timeout, `maxReceiveCount` and
//!    the consumer's timeout ([`window`]) → `FilterLogEvents` for the
//!    message id, and the error lines of the invocations that logged it;
//! 3. failing that, the failed invocations in the window (START … END with
//!    error or timeout lines, [`lines`]).
//!
//! The result is one sentence ([`summary`]) and the evidence lines. Every
//! call is bounded: a window, an event limit and a page limit per search,
//! and a timeout per call ([`WhyOptions`]); what could not be searched is
//! said in [`Searched::notes`], never an error, except a credential or
//! set-up problem.
//!
//! Use: [`plan`] once per queue (sources and consumers), then [`explain`]
//! per message; [`why`] does both for a list of messages.
//! [`recent_invocations`] reads a function's (or any consumer's) recent
//! invocations from its log group ([`invocations`]).

pub mod invocations;
pub mod lines;
pub mod records;
pub mod summary;
pub mod window;

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use super::Error;
use super::consumers::{self, Declared, LambdaStatus};
use crate::aws::{self, Clients};
use crate::domain::{Function, LogEvent, Message, Queue, function_name_of};
use lines::{Line, LineKind, attribute};
use records::Recorded;
use summary::{Finding, error_text};
use window::{Timing, Window};

/// Bounds of the searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhyOptions {
    /// Events one search returns at most.
    pub events_per_search: usize,
    /// Pages one search reads at most.
    pub max_pages: usize,
    /// How long one call may take.
    pub call_timeout: Duration,
    /// Invocations (request ids) whose lines are read, per message.
    pub max_invocations: usize,
    /// Evidence lines kept per message.
    pub max_evidence: usize,
}

impl Default for WhyOptions {
    fn default() -> WhyOptions {
        WhyOptions {
            events_per_search: 200,
            max_pages: 5,
            call_timeout: Duration::from_secs(10),
            max_invocations: 3,
            max_evidence: 20,
        }
    }
}

/// One log line that explains (part of) a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub log_group: String,
    pub stream: Option<String>,
    /// ms since the epoch.
    pub timestamp_ms: i64,
    /// The same time, RFC 3339 in UTC (`2024-05-01T12:00:00.120Z`).
    pub timestamp: String,
    pub request_id: Option<String>,
    /// The line as logged (untrusted: escape it to show it).
    pub message: String,
    pub kind: LineKind,
    /// The line names the message id.
    pub names_message: bool,
}

/// What was looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Searched {
    /// The source queues whose consumers were searched (names).
    pub source_queues: Vec<String>,
    /// The consumers (function names, declared consumers' names).
    pub consumers: Vec<String>,
    pub log_groups: Vec<String>,
    pub window: Option<Window>,
    /// The filter patterns used.
    pub patterns: Vec<String>,
    /// What could not be searched, and why (no Lambda API, a log group
    /// that does not exist, a search that timed out).
    pub notes: Vec<String>,
}

/// Why one message failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Why {
    pub message_id: String,
    /// One sentence (untrusted parts inside: escape it to show it).
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub searched: Searched,
}

/// A consumer whose logs can be searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumerLogs {
    /// The function's name or the declared consumer's.
    pub name: String,
    pub log_groups: Vec<String>,
    /// The function's timeout (+ batching window), or the declared one.
    pub timeout_s: u32,
}

/// A source queue and its consumers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourcePlan {
    pub queue: Queue,
    pub consumers: Vec<ConsumerLogs>,
}

/// What [`explain`] needs of a queue, read once: its source queues (or the
/// queue itself) with their consumers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WhyPlan {
    pub queue: Queue,
    pub sources: Vec<SourcePlan>,
    pub lambda: LambdaStatus,
    pub notes: Vec<String>,
}

/// The timeout of a declared consumer that declares none (only the window
/// depends on it).
const DECLARED_DEFAULT_TIMEOUT_S: u32 = 30;
/// Visibility timeout assumed when the queue reports none (SQS's default).
const DEFAULT_VISIBILITY_S: u32 = 30;
/// Messages [`why`] explains at the same time.
pub const CONCURRENT_MESSAGES: usize = 4;
/// Lambda keeps an asynchronous event for up to this long (its maximum event age).
const ASYNC_MAX_AGE_MS: i64 = 6 * 3600 * 1000;

/// Reads the sources of `queue` (the queues whose redrive policy names it;
/// none: the queue itself) and their consumers. Fails only on a credential
/// or set-up problem; the rest goes to [`WhyPlan::notes`].
pub async fn plan(
    c: &Clients,
    queue: &Queue,
    declared: &Declared,
    opts: WhyOptions,
) -> Result<WhyPlan, Error> {
    let mut notes = Vec::new();
    let mut sources: Vec<Queue> = Vec::new();
    match bounded(
        opts,
        "sqs:ListDeadLetterSourceQueues",
        c.dead_letter_sources(&queue.url),
    )
    .await
    {
        Ok(urls) => {
            for url in urls {
                match bounded(opts, "sqs:GetQueueAttributes", c.get_queue(&url)).await {
                    Ok(q) => sources.push(q),
                    Err(e) => notes.push(fatal(e)?),
                }
            }
        }
        Err(_) => {
            // No ListDeadLetterSourceQueues: read every queue's redrive policy.
            match bounded(opts, "sqs:ListQueues", c.list_queues(None)).await {
                Ok(all) => sources.extend(all.into_iter().filter(|q| {
                    q.redrive_policy
                        .as_ref()
                        .is_some_and(|rp| rp.dead_letter_target_arn == queue.arn)
                })),
                Err(e) => notes.push(fatal(e)?),
            }
        }
    }
    if sources.is_empty() {
        sources.push(queue.clone());
    }
    let mut lambda = LambdaStatus::Available;
    let mut plans = Vec::new();
    for source in sources {
        let found = match bounded(opts, "lambda:ListEventSourceMappings", async {
            Ok(consumers::consumers(c, &source.url, declared).await)
        })
        .await
        {
            Ok(Ok(found)) => found,
            Ok(Err(e)) => {
                if let Error::Aws(a) = e {
                    notes.push(fatal(a)?);
                } else {
                    notes.push(e.to_string());
                }
                plans.push(SourcePlan {
                    queue: source,
                    consumers: Vec::new(),
                });
                continue;
            }
            Err(e) => {
                notes.push(fatal(e)?);
                plans.push(SourcePlan {
                    queue: source,
                    consumers: Vec::new(),
                });
                continue;
            }
        };
        if !found.lambda.is_available() && lambda.is_available() {
            lambda = found.lambda.clone();
        }
        let mut logs = Vec::new();
        for m in &found.mappings {
            match &m.function {
                Some(f) => logs.push(function_logs(f, m.mapping.batching_window_s.unwrap_or(0))),
                None => notes.push(format!(
                    "function {} of queue {}: {}",
                    m.mapping.function_name(),
                    source.name,
                    m.function_error.as_deref().unwrap_or("not readable")
                )),
            }
        }
        logs.extend(found.declared.iter().map(|d| ConsumerLogs {
            name: d.name.clone(),
            log_groups: d.log_groups.clone(),
            timeout_s: d.timeout_s.unwrap_or(DECLARED_DEFAULT_TIMEOUT_S),
        }));
        plans.push(SourcePlan {
            queue: found.queue,
            consumers: logs,
        });
    }
    if let Some(n) = lambda.note() {
        notes.push(n.to_string());
    }
    Ok(WhyPlan {
        queue: queue.clone(),
        sources: plans,
        lambda,
        notes,
    })
}

/// Why `message` (a message of `plan.queue`) failed. Fails only on a
/// credential or set-up problem.
pub async fn explain(
    c: &Clients,
    plan: &WhyPlan,
    message: &Message,
    opts: WhyOptions,
) -> Result<Why, Error> {
    let mut searched = Searched {
        notes: plan.notes.clone(),
        ..Searched::default()
    };
    if let Some(rec) = records::recorded(message) {
        return explain_recorded(c, plan, message, rec, searched, opts).await;
    }
    let named_source = message
        .attributes
        .get("DeadLetterQueueSourceArn")
        .filter(|a| plan.sources.iter().any(|s| &s.queue.arn == *a));
    let sources: Vec<&SourcePlan> = plan
        .sources
        .iter()
        .filter(|s| named_source.is_none_or(|a| &s.queue.arn == a))
        .collect();
    searched.source_queues = sources.iter().map(|s| s.queue.name.clone()).collect();
    let consumers: Vec<(&SourcePlan, &ConsumerLogs)> = sources
        .iter()
        .flat_map(|s| s.consumers.iter().map(move |c| (*s, c)))
        .collect();
    if consumers.is_empty() {
        let queue = searched
            .source_queues
            .first()
            .cloned()
            .unwrap_or_else(|| plan.queue.name.clone());
        return Ok(Why {
            message_id: message.message_id.clone(),
            summary: summary::summary(&Finding::NoConsumer {
                queue,
                lambda_unreadable: !plan.lambda.is_available(),
            }),
            evidence: Vec::new(),
            searched,
        });
    }
    let pattern = format!("\"{}\"", message.message_id);
    searched.patterns.push(pattern.clone());
    // Pass 1: the lines that name the message, and their invocations.
    let mut best: Option<(Finding, Vec<Evidence>)> = None;
    let mut failed_in_window: Option<(Finding, Vec<Evidence>)> = None;
    let mut windows: Vec<(Window, &ConsumerLogs, &str)> = Vec::new();
    for (source, consumer) in &consumers {
        searched.consumers.push(consumer.name.clone());
        let mut timing = Timing::of(message);
        timing.max_receive = source
            .queue
            .redrive_policy
            .as_ref()
            .map(|r| r.max_receive_count);
        timing.visibility_s = source
            .queue
            .visibility_timeout_s
            .unwrap_or(DEFAULT_VISIBILITY_S);
        timing.consumer_timeout_s = consumer.timeout_s;
        let Some(w) = window::window(&timing) else {
            searched.notes.push(format!(
                "message {} has no SentTimestamp: no time window to search",
                message.message_id
            ));
            continue;
        };
        searched.window = Some(match searched.window {
            Some(o) => Window {
                start_ms: o.start_ms.min(w.start_ms),
                end_ms: o.end_ms.max(w.end_ms),
            },
            None => w,
        });
        for group in &consumer.log_groups {
            if !searched.log_groups.contains(group) {
                searched.log_groups.push(group.clone());
            }
            windows.push((w, consumer, group));
            let Some(hits) = search(c, group, Some(&pattern), w, opts, &mut searched.notes).await?
            else {
                continue;
            };
            if hits.is_empty() || best.is_some() {
                continue;
            }
            let mut evidence: Vec<Evidence> =
                hits.iter().map(|l| evidence_line(group, l, true)).collect();
            let rids: BTreeSet<String> = hits.iter().filter_map(|l| l.request_id.clone()).collect();
            // A line naming the message may be the error itself.
            let mut errors: Vec<Line> = hits
                .iter()
                .filter(|l| l.kind.is_failure())
                .cloned()
                .collect();
            for rid in rids.iter().take(opts.max_invocations) {
                let rid_pattern = format!("\"{rid}\"");
                searched.patterns.push(rid_pattern.clone());
                let Some(lines) =
                    search(c, group, Some(&rid_pattern), w, opts, &mut searched.notes).await?
                else {
                    continue;
                };
                errors.extend(lines.into_iter().filter(|l| {
                    l.kind.is_failure() && !l.event.message.contains(&message.message_id)
                }));
            }
            // Lines without a request id (Python's unhandled error): read the
            // invocations' neighbourhood of each hit's stream.
            if errors.is_empty() {
                for hit in hits.iter().take(opts.max_invocations) {
                    // From the invocation's START (at most its timeout before).
                    let near = Window {
                        start_ms: hit.event.timestamp_ms
                            - i64::from(consumer.timeout_s) * 1000
                            - 1_000,
                        end_ms: hit.event.timestamp_ms
                            + i64::from(consumer.timeout_s) * 1000
                            + 5_000,
                    };
                    let Some(lines) =
                        search(c, group, None, near, opts, &mut searched.notes).await?
                    else {
                        continue;
                    };
                    errors.extend(lines.into_iter().filter(|l| {
                        l.kind.is_failure()
                            && l.event.stream == hit.event.stream
                            && (l.request_id.is_none() || l.request_id == hit.request_id)
                    }));
                }
            }
            dedup(&mut errors);
            let error = errors.first().map(|l| error_text(&l.event.message));
            evidence.extend(
                errors
                    .iter()
                    .filter(|l| !l.event.message.contains(&message.message_id))
                    .map(|l| evidence_line(group, l, false)),
            );
            let invocations = rids.len().max(if hits.is_empty() { 0 } else { 1 });
            best = Some((
                Finding::Named {
                    consumer: consumer.name.clone(),
                    invocations,
                    error,
                    receive_count: message.receive_count,
                },
                evidence,
            ));
        }
    }
    // Pass 2: no line names the message: the failures in its window, the
    // likeliest first (its invocation names a word of the body, else it is
    // the nearest to the first receive).
    if best.is_none() {
        let first_receive = Timing::of(message).first_receive_ms;
        let tokens = lines::body_tokens(&message.body);
        for (w, consumer, group) in &windows {
            let Some(mut lines) = search(c, group, None, *w, opts, &mut searched.notes).await?
            else {
                continue;
            };
            let found = lines::likeliest(&lines, first_receive, &tokens);
            if !tokens.is_empty() && found.as_ref().is_none_or(|(_, word)| word.is_none()) {
                // A busy window is read only in part: look for the lines that
                // name a word of the body, and read their invocations.
                let more =
                    token_invocations(c, group, consumer, &tokens, *w, opts, &mut searched).await?;
                if !more.is_empty() {
                    let mut merged = more;
                    merged.append(&mut lines);
                    dedup(&mut merged);
                    lines = merged;
                }
            }
            let Some((pick, matched)) = lines::likeliest(&lines, first_receive, &tokens) else {
                continue;
            };
            let failures: Vec<&Line> = lines.iter().filter(|l| l.kind.is_failure()).collect();
            let invocations: BTreeSet<&String> = failures
                .iter()
                .filter_map(|l| l.request_id.as_ref())
                .collect();
            let failed = if invocations.is_empty() {
                failures.len()
            } else {
                invocations.len()
            };
            let chosen = &lines[pick];
            let error = error_text(&chosen.event.message);
            // The likeliest invocation's failure lines first, then the others.
            let same = |l: &Line| {
                std::ptr::eq(l, chosen)
                    || (chosen.request_id.is_some() && l.request_id == chosen.request_id)
            };
            let mut ev: Vec<Evidence> = failures
                .iter()
                .filter(|l| same(l))
                .map(|l| evidence_line(group, l, false))
                .collect();
            ev.extend(
                failures
                    .iter()
                    .filter(|l| !same(l))
                    .map(|l| evidence_line(group, l, false)),
            );
            failed_in_window = Some((
                Finding::FailedInWindow {
                    consumer: consumer.name.clone(),
                    failed,
                    error,
                    matched,
                },
                ev,
            ));
            break;
        }
    }
    let (finding, mut evidence) = best.or(failed_in_window).unwrap_or_else(|| {
        (
            Finding::Quiet {
                consumers: searched.consumers.clone(),
                receive_count: message.receive_count,
            },
            Vec::new(),
        )
    });
    evidence.truncate(opts.max_evidence);
    Ok(Why {
        message_id: message.message_id.clone(),
        summary: summary::summary(&finding),
        evidence,
        searched,
    })
}

/// The invocations in a log group between two times (ms), newest first,
/// with their outcome, duration and error (one bounded search: at most
/// `opts.events_per_search` lines, `opts.max_pages` pages, within
/// `opts.call_timeout`). For a function's view: its log group, the last
/// hour.
pub async fn recent_invocations(
    c: &Clients,
    log_group: &str,
    start_ms: i64,
    end_ms: i64,
    opts: WhyOptions,
) -> Result<Vec<invocations::Invocation>, Error> {
    let call = c.filter_log_events_bounded(
        log_group,
        None,
        start_ms,
        end_ms,
        opts.events_per_search,
        opts.max_pages,
    );
    let events = bounded(opts, "logs:FilterLogEvents", call).await?;
    Ok(invocations::invocations(&attribute(&events)))
}

/// [`plan`] for `queue`, then [`explain`] for each message (at most
/// [`CONCURRENT_MESSAGES`] at a time); the answers in the messages' order.
pub async fn why(
    c: &Clients,
    queue: &Queue,
    messages: &[Message],
    declared: &Declared,
    opts: WhyOptions,
) -> Result<Vec<Why>, Error> {
    let plan = std::sync::Arc::new(plan(c, queue, declared, opts).await?);
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENT_MESSAGES));
    let mut set = tokio::task::JoinSet::new();
    for (i, m) in messages.iter().enumerate() {
        let (c, plan, sem, m) = (c.clone(), plan.clone(), sem.clone(), m.clone());
        set.spawn(async move {
            // The semaphore is never closed: a failed acquire cannot happen.
            let _permit = sem.acquire_owned().await.ok();
            (i, explain(&c, &plan, &m, opts).await)
        });
    }
    let mut out: Vec<Option<Why>> = vec![None; messages.len()];
    while let Some(done) = set.join_next().await {
        let (i, why) =
            done.map_err(|e| Error::Invalid(format!("a why-it-failed task ended: {e}")))?;
        out[i] = Some(why?);
    }
    Ok(out.into_iter().flatten().collect())
}

/// A message that records its failure: the function it names (an
/// on-failure record's `functionArn`; for a Lambda DLQ message, the
/// function whose `DeadLetterConfig` is this queue) and the lines of the
/// failed request id in its log group.
async fn explain_recorded(
    c: &Clients,
    plan: &WhyPlan,
    message: &Message,
    rec: Recorded,
    mut searched: Searched,
    opts: WhyOptions,
) -> Result<Why, Error> {
    let mut function: Option<Function> = None;
    let sent = Timing::of(message).sent_ms;
    let at = match &rec {
        Recorded::LambdaOnFailure { timestamp_ms, .. } => timestamp_ms.or(sent),
        _ => sent,
    };
    match &rec {
        Recorded::EventBridgeTarget { target_arn, .. } => {
            searched.notes.push(
                "EventBridge's attributes on the message: the call to the target failed, so no invocation ran and there are no logs to search"
                    .to_string(),
            );
            if let Some(t) = target_arn {
                searched.consumers.push(t.clone());
            }
        }
        Recorded::LambdaOnFailure { function_arn, .. } => {
            if let Some(arn) = function_arn {
                let name = function_name_of(arn).to_string();
                match bounded(opts, "lambda:GetFunction", c.get_function(&name)).await {
                    Ok(f) => function = Some(f),
                    Err(e) => searched.notes.push(fatal(e)?),
                }
            }
        }
        Recorded::LambdaDlq { .. } => {
            match bounded(opts, "lambda:ListFunctions", c.list_functions()).await {
                Ok(all) => {
                    function = all
                        .into_iter()
                        .find(|f| f.dead_letter_arn.as_deref() == Some(plan.queue.arn.as_str()));
                    if function.is_none() {
                        searched.notes.push(format!(
                            "no function has queue {} as its DeadLetterConfig",
                            plan.queue.name
                        ));
                    }
                }
                Err(e) => searched.notes.push(fatal(e)?),
            }
        }
    }
    let mut evidence = Vec::new();
    let mut error = None;
    if let (Some(f), Some(rid), Some(at)) = (&function, rec.request_id(), at) {
        searched.consumers.push(f.name.clone());
        searched.log_groups.push(f.log_group.clone());
        let w = Window {
            start_ms: at - ASYNC_MAX_AGE_MS,
            end_ms: at + 60_000,
        };
        searched.window = Some(w);
        let pattern = format!("\"{rid}\"");
        searched.patterns.push(pattern.clone());
        if let Some(lines) = search(
            c,
            &f.log_group,
            Some(&pattern),
            w,
            opts,
            &mut searched.notes,
        )
        .await?
        {
            error = lines
                .iter()
                .find(|l| l.kind.is_failure())
                .map(|l| error_text(&l.event.message));
            evidence.extend(lines.iter().map(|l| evidence_line(&f.log_group, l, false)));
        }
    }
    evidence.truncate(opts.max_evidence);
    let finding = Finding::Recorded {
        recorded: rec,
        function: function.map(|f| f.name),
        error,
    };
    Ok(Why {
        message_id: message.message_id.clone(),
        summary: summary::summary(&finding),
        evidence,
        searched,
    })
}

/// Words of a body searched for when no line names the message id.
const TOKENS_SEARCHED: usize = 2;

/// The lines around each line of `group` in `w` that names one of the
/// first [`TOKENS_SEARCHED`] `tokens` (from its invocation's START, at most
/// the consumer's timeout before, to its end), in that line's stream.
async fn token_invocations(
    c: &Clients,
    group: &str,
    consumer: &ConsumerLogs,
    tokens: &[String],
    w: Window,
    opts: WhyOptions,
    searched: &mut Searched,
) -> Result<Vec<Line>, Error> {
    let mut out = Vec::new();
    for token in tokens.iter().take(TOKENS_SEARCHED) {
        let pattern = format!("\"{token}\"");
        searched.patterns.push(pattern.clone());
        let Some(hits) = search(c, group, Some(&pattern), w, opts, &mut searched.notes).await?
        else {
            continue;
        };
        for hit in hits.iter().take(opts.max_invocations) {
            let timeout_ms = i64::from(consumer.timeout_s) * 1000;
            let near = Window {
                start_ms: hit.event.timestamp_ms - timeout_ms - 1_000,
                end_ms: hit.event.timestamp_ms + timeout_ms + 5_000,
            };
            let Some(lines) = search(c, group, None, near, opts, &mut searched.notes).await? else {
                continue;
            };
            out.extend(
                lines
                    .into_iter()
                    .filter(|l| l.event.stream == hit.event.stream),
            );
        }
    }
    Ok(out)
}

fn function_logs(f: &Function, batching_window_s: u32) -> ConsumerLogs {
    ConsumerLogs {
        name: f.name.clone(),
        log_groups: vec![f.log_group.clone()],
        timeout_s: f.timeout_s.unwrap_or(consumers::DEFAULT_FUNCTION_TIMEOUT_S) + batching_window_s,
    }
}

/// One bounded search of a log group, its lines attributed. `None` (and a
/// note) when the group cannot be read; a credential problem is an error.
async fn search(
    c: &Clients,
    group: &str,
    pattern: Option<&str>,
    w: Window,
    opts: WhyOptions,
    notes: &mut Vec<String>,
) -> Result<Option<Vec<Line>>, Error> {
    let call = c.filter_log_events_bounded(
        group,
        pattern,
        w.start_ms,
        w.end_ms,
        opts.events_per_search,
        opts.max_pages,
    );
    match bounded(opts, "logs:FilterLogEvents", call).await {
        Ok(events) => Ok(Some(attribute(&events))),
        Err(e) if e.is_not_found() => {
            notes.push(format!("log group {group} does not exist"));
            Ok(None)
        }
        Err(e) => {
            notes.push(format!("log group {group}: {}", fatal(e)?));
            Ok(None)
        }
    }
}

/// A call with the options' timeout; a timeout is [`aws::Error::Timeout`].
async fn bounded<T>(
    opts: WhyOptions,
    action: &str,
    f: impl Future<Output = Result<T, aws::Error>>,
) -> Result<T, aws::Error> {
    match tokio::time::timeout(opts.call_timeout, f).await {
        Ok(r) => r,
        Err(_) => Err(aws::Error::Timeout {
            action: action.to_string(),
            endpoint: format!(
                "the backend (no answer within {} s)",
                opts.call_timeout.as_secs()
            ),
        }),
    }
}

/// A credential or set-up problem stays an error; anything else becomes a note.
fn fatal(e: aws::Error) -> Result<String, Error> {
    match e {
        e @ (aws::Error::Credentials { .. }
        | aws::Error::NoCredentials { .. }
        | aws::Error::Setup(_)) => Err(e.into()),
        e => Ok(e.to_string()),
    }
}

fn evidence_line(group: &str, l: &Line, names_message: bool) -> Evidence {
    let e: &LogEvent = &l.event;
    Evidence {
        log_group: group.to_string(),
        stream: e.stream.clone(),
        timestamp_ms: e.timestamp_ms,
        timestamp: super::time::rfc3339(e.timestamp_ms),
        request_id: l.request_id.clone(),
        message: e.message.clone(),
        kind: l.kind,
        names_message,
    }
}

/// Drops repeated lines (same stream, time and text), keeping time order.
fn dedup(lines: &mut Vec<Line>) {
    lines.sort_by_key(|l| l.event.timestamp_ms);
    let mut seen = BTreeSet::new();
    lines.retain(|l| {
        seen.insert((
            l.event.stream.clone(),
            l.event.timestamp_ms,
            l.event.message.clone(),
        ))
    });
}
