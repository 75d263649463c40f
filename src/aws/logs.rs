//! CloudWatch Logs: groups, streams, filtered events and live tail.

use super::clients::Clients;
use super::error::Error;
use crate::domain::{LogEvent, LogGroup, LogStream};
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;
use aws_sdk_cloudwatchlogs::types as sdk;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often the polling tail asks for new events.
const POLL_EVERY: Duration = Duration::from_millis(1500);
/// The longest pause between polls while the backend keeps failing.
const POLL_BACKOFF_MAX: Duration = Duration::from_secs(15);
/// Each poll reads again this far behind the newest event seen, for events
/// that are ingested late; what was already delivered is not sent again.
const LOOKBACK_MS: i64 = 5_000;
/// A live-tail session that ends sooner than this (without the service's
/// timeout) means the backend cannot stream: poll instead.
const QUICK_SESSION: Duration = Duration::from_secs(10);
/// Events buffered between the tail task and its reader.
const TAIL_CHANNEL: usize = 1024;
/// PutLogEvents limits: events per call, bytes per call (message + 26 each),
/// and time span of one call.
const PUT_MAX_EVENTS: usize = 10_000;
const PUT_MAX_BYTES: usize = 1_048_576;
const PUT_EVENT_OVERHEAD: usize = 26;
const PUT_MAX_SPAN_MS: i64 = 24 * 3600 * 1000 - 1;

impl Clients {
    pub async fn list_log_groups(&self, prefix: Option<&str>) -> Result<Vec<LogGroup>, Error> {
        let mut pages = self
            .logs
            .describe_log_groups()
            .set_log_group_name_prefix(prefix.filter(|p| !p.is_empty()).map(str::to_string))
            .into_paginator()
            .send();
        let mut groups = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                Error::from_sdk(
                    e,
                    "logs:DescribeLogGroups",
                    prefix.unwrap_or(""),
                    &self.ctx(),
                )
            })?;
            groups.extend(page.log_groups().iter().map(|g| LogGroup {
                name: g.log_group_name().unwrap_or_default().to_string(),
                arn: group_arn_of(g),
                stored_bytes: g.stored_bytes().and_then(|b| u64::try_from(b).ok()),
                retention_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
                created_ms: g.creation_time(),
            }));
        }
        Ok(groups)
    }

    /// Streams of a group (name or ARN), the most recently written first.
    pub async fn list_log_streams(&self, group: &str) -> Result<Vec<LogStream>, Error> {
        let (name, identifier) = group_param(group);
        let mut pages = self
            .logs
            .describe_log_streams()
            .set_log_group_name(name)
            .set_log_group_identifier(identifier)
            .order_by(sdk::OrderBy::LastEventTime)
            .descending(true)
            .into_paginator()
            .send();
        let mut streams = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(|e| Error::from_sdk(e, "logs:DescribeLogStreams", group, &self.ctx()))?;
            streams.extend(page.log_streams().iter().map(|s| LogStream {
                name: s.log_stream_name().unwrap_or_default().to_string(),
                last_event_ms: s.last_event_timestamp(),
                created_ms: s.creation_time(),
            }));
        }
        Ok(streams)
    }

    /// Events of a group between two times (ms since the epoch), with an
    /// optional CloudWatch `filterPattern`, oldest first, at most `limit`.
    pub async fn filter_log_events(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<LogEvent>, Error> {
        self.filter_log_events_paged(group, filter, start_ms, end_ms, limit, None)
            .await
    }

    /// Like [`Clients::filter_log_events`], but reads at most `max_pages`
    /// pages (FilterLogEvents may answer many empty pages over a long time
    /// range): what those pages held, oldest first, at most `limit`.
    pub async fn filter_log_events_bounded(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: i64,
        end_ms: i64,
        limit: usize,
        max_pages: usize,
    ) -> Result<Vec<LogEvent>, Error> {
        self.filter_log_events_paged(
            group,
            filter,
            Some(start_ms),
            Some(end_ms),
            Some(limit),
            Some(max_pages.max(1)),
        )
        .await
    }

    async fn filter_log_events_paged(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: Option<i64>,
        end_ms: Option<i64>,
        limit: Option<usize>,
        max_pages: Option<usize>,
    ) -> Result<Vec<LogEvent>, Error> {
        if let (Some(s), Some(e)) = (start_ms, end_ms)
            && s > e
        {
            return Err(Error::Invalid(format!(
                "the start time ({s}) is after the end time ({e})"
            )));
        }
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        let (name, identifier) = group_param(group);
        // FilterLogEvents takes at most 10,000 per page.
        let page_limit = limit.map(|l| i32::try_from(l.min(10_000)).unwrap_or(10_000));
        let mut pages = self
            .logs
            .filter_log_events()
            .set_log_group_name(name)
            .set_log_group_identifier(identifier)
            .set_filter_pattern(filter.filter(|f| !f.trim().is_empty()).map(str::to_string))
            .set_start_time(start_ms)
            .set_end_time(end_ms)
            .set_limit(page_limit)
            .into_paginator()
            .send();
        let mut events = Vec::new();
        let mut read = 0;
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| Error::from_sdk(e, "logs:FilterLogEvents", group, &self.ctx()))?;
            read += 1;
            events.extend(page.events().iter().map(|e| LogEvent {
                timestamp_ms: e.timestamp().unwrap_or_default(),
                message: e.message().unwrap_or_default().to_string(),
                stream: e.log_stream_name().map(str::to_string),
                event_id: e.event_id().map(str::to_string),
            }));
            if limit.is_some_and(|l| events.len() >= l) || max_pages.is_some_and(|m| read >= m) {
                break;
            }
        }
        events.sort_by_key(|e| e.timestamp_ms);
        if let Some(l) = limit {
            events.truncate(l);
        }
        Ok(events)
    }

    /// Follows a group: StartLiveTail where the backend has it, else polling
    /// FilterLogEvents. Events arrive on the channel until it is dropped.
    ///
    /// Events from `start_ms` on are delivered, each once. With live tail, the
    /// events between `start_ms` and the start of the session are read with
    /// FilterLogEvents first; a session that ends (the service's 3-hour limit)
    /// is started again. A backend whose StartLiveTail fails or ends at once
    /// (moto answers with a one-off snapshot) is polled every 1.5 s instead.
    /// Errors are sent on the channel: transient ones (throttling, timeouts)
    /// once per streak while the tail retries with backoff, others end it.
    ///
    /// Must be called within a Tokio runtime (it spawns the tail task).
    pub fn tail_logs(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: i64,
    ) -> mpsc::Receiver<Result<LogEvent, Error>> {
        let (tx, rx) = mpsc::channel(TAIL_CHANNEL);
        let tail = Tail::new(self, group, filter, start_ms, tx);
        tokio::spawn(tail.run(true));
        rx
    }

    /// Like [`Clients::tail_logs`], but only ever polls FilterLogEvents (for
    /// backends or credentials where StartLiveTail misbehaves or is denied).
    pub fn tail_logs_polling(
        &self,
        group: &str,
        filter: Option<&str>,
        start_ms: i64,
    ) -> mpsc::Receiver<Result<LogEvent, Error>> {
        let (tx, rx) = mpsc::channel(TAIL_CHANNEL);
        let tail = Tail::new(self, group, filter, start_ms, tx);
        tokio::spawn(tail.run(false));
        rx
    }

    pub async fn create_log_group(&self, group: &str) -> Result<(), Error> {
        self.logs
            .create_log_group()
            .log_group_name(group)
            .send()
            .await
            .map_err(|e| Error::from_sdk(e, "logs:CreateLogGroup", group, &self.ctx()))?;
        Ok(())
    }

    /// Writes events (ms timestamps) to a stream, creating the stream if needed.
    ///
    /// Events are sorted by timestamp (as the service requires) and sent in as
    /// many calls as its limits need. Events the service rejects (too old, too
    /// new, past retention) make the call fail once everything else is written.
    pub async fn put_log_events(
        &self,
        group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) -> Result<(), Error> {
        if events.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<&(i64, String)> = events.iter().collect();
        sorted.sort_by_key(|(ts, _)| *ts);
        let resource = format!("{group}/{stream}");
        let mut rejected = Vec::new();
        let mut stream_checked = false;
        for batch in put_batches(&sorted) {
            let log_events = batch
                .iter()
                .map(|(ts, msg)| {
                    sdk::InputLogEvent::builder()
                        .timestamp(*ts)
                        .message(msg.as_str())
                        .build()
                        .map_err(|e| Error::Invalid(format!("log event: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let send = || {
                self.logs
                    .put_log_events()
                    .log_group_name(group)
                    .log_stream_name(stream)
                    .set_log_events(Some(log_events.clone()))
                    .send()
            };
            let out = match send().await {
                Ok(out) => out,
                Err(e) if !stream_checked && e.code() == Some("ResourceNotFoundException") => {
                    // The stream (or the group) is missing: create the stream and retry.
                    self.create_log_stream(group, stream).await?;
                    send().await.map_err(|e| {
                        Error::from_sdk(e, "logs:PutLogEvents", &resource, &self.ctx())
                    })?
                }
                Err(e) => {
                    return Err(Error::from_sdk(
                        e,
                        "logs:PutLogEvents",
                        &resource,
                        &self.ctx(),
                    ));
                }
            };
            stream_checked = true;
            if let Some(info) = out.rejected_log_events_info() {
                let idx = |i: Option<i32>| i.and_then(|i| usize::try_from(i).ok());
                if let Some(i) = idx(info.too_new_log_event_start_index()) {
                    rejected.push(format!(
                        "{} too far in the future",
                        batch.len().saturating_sub(i)
                    ));
                }
                if let Some(i) = idx(info.too_old_log_event_end_index()) {
                    rejected.push(format!("{} too old", i.min(batch.len())));
                }
                if let Some(i) = idx(info.expired_log_event_end_index()) {
                    rejected.push(format!("{} past the group's retention", i.min(batch.len())));
                }
            }
        }
        if rejected.is_empty() {
            Ok(())
        } else {
            Err(Error::Service {
                action: "logs:PutLogEvents".to_string(),
                resource,
                code: "RejectedLogEvents".to_string(),
                message: format!("events rejected: {}", rejected.join(", ")),
            })
        }
    }

    /// Creates a stream; one that already exists is fine.
    async fn create_log_stream(&self, group: &str, stream: &str) -> Result<(), Error> {
        match self
            .logs
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code() == Some("ResourceAlreadyExistsException") => Ok(()),
            Err(e) => Err(Error::from_sdk(
                e,
                "logs:CreateLogStream",
                group,
                &self.ctx(),
            )),
        }
    }

    /// A group's ARN (without the `:*` suffix), as StartLiveTail wants it.
    async fn log_group_arn(&self, group: &str) -> Result<Option<String>, Error> {
        if group.starts_with("arn:") {
            return Ok(Some(group.trim_end_matches(":*").to_string()));
        }
        let groups = self.list_log_groups(Some(group)).await?;
        Ok(groups
            .into_iter()
            .find(|g| g.name == group)
            .and_then(|g| g.arn))
    }
}

/// `logGroupName` or, for an ARN, `logGroupIdentifier`.
fn group_param(group: &str) -> (Option<String>, Option<String>) {
    if group.starts_with("arn:") {
        (None, Some(group.trim_end_matches(":*").to_string()))
    } else {
        (Some(group.to_string()), None)
    }
}

fn group_arn_of(g: &sdk::LogGroup) -> Option<String> {
    g.log_group_arn()
        .or(g.arn())
        .filter(|a| !a.is_empty())
        .map(|a| a.trim_end_matches(":*").to_string())
}

/// Splits sorted events into PutLogEvents calls within the service's limits.
fn put_batches<'a>(sorted: &[&'a (i64, String)]) -> Vec<Vec<&'a (i64, String)>> {
    let mut batches: Vec<Vec<&(i64, String)>> = Vec::new();
    let mut current: Vec<&(i64, String)> = Vec::new();
    let mut bytes = 0usize;
    for &ev in sorted {
        let size = ev.1.len() + PUT_EVENT_OVERHEAD;
        let first_ts = current.first().map(|e| e.0);
        if !current.is_empty()
            && (current.len() >= PUT_MAX_EVENTS
                || bytes + size > PUT_MAX_BYTES
                || first_ts.is_some_and(|f| ev.0 - f > PUT_MAX_SPAN_MS))
        {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(ev);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// Whether the tail should go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// What has been delivered, to deliver each event once. Events are keyed by
/// (timestamp, stream, message) and counted, so identical lines written in
/// the same millisecond are each delivered once and a backend that answers
/// with overlapping windows (polling, moto's live tail) repeats nothing.
#[derive(Debug, Default)]
struct Seen {
    counts: HashMap<(i64, Option<String>, String), u32>,
    newest: Option<i64>,
}

impl Seen {
    /// The events of `batch` not delivered yet, oldest first.
    fn admit(&mut self, mut batch: Vec<LogEvent>, start_ms: i64) -> Vec<LogEvent> {
        batch.retain(|e| e.timestamp_ms >= start_ms);
        batch.sort_by_key(|e| e.timestamp_ms);
        let mut in_batch: HashMap<(i64, Option<String>, String), u32> = HashMap::new();
        let mut fresh = Vec::new();
        for ev in batch {
            let key = (ev.timestamp_ms, ev.stream.clone(), ev.message.clone());
            let n = in_batch.entry(key.clone()).or_default();
            *n += 1;
            let delivered = self.counts.entry(key).or_default();
            if *n > *delivered {
                *delivered = *n;
                self.newest = Some(
                    self.newest
                        .map_or(ev.timestamp_ms, |t| t.max(ev.timestamp_ms)),
                );
                fresh.push(ev);
            }
        }
        // Forget what no later read can return again.
        let floor = self.since(start_ms);
        self.counts.retain(|(ts, _, _), _| *ts >= floor);
        fresh
    }

    /// Where the next read starts.
    fn since(&self, start_ms: i64) -> i64 {
        self.newest
            .map_or(start_ms, |n| n.saturating_sub(LOOKBACK_MS).max(start_ms))
    }
}

/// The task behind [`Clients::tail_logs`].
struct Tail {
    clients: Clients,
    group: String,
    filter: Option<String>,
    start_ms: i64,
    tx: mpsc::Sender<Result<LogEvent, Error>>,
    seen: Seen,
}

impl Tail {
    fn new(
        clients: &Clients,
        group: &str,
        filter: Option<&str>,
        start_ms: i64,
        tx: mpsc::Sender<Result<LogEvent, Error>>,
    ) -> Tail {
        Tail {
            clients: clients.clone(),
            group: group.to_string(),
            filter: filter.filter(|f| !f.trim().is_empty()).map(str::to_string),
            start_ms,
            tx,
            seen: Seen::default(),
        }
    }

    async fn run(mut self, live: bool) {
        if live && self.live().await == Flow::Stop {
            return;
        }
        self.poll().await;
    }

    /// Sends what is new; Stop once the receiver is gone.
    async fn deliver(&mut self, events: Vec<LogEvent>) -> Flow {
        for ev in self.seen.admit(events, self.start_ms) {
            if self.tx.send(Ok(ev)).await.is_err() {
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    async fn send_error(&self, err: Error) -> Flow {
        if self.tx.send(Err(err)).await.is_err() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Reads from `since` on with FilterLogEvents (stops if the receiver goes).
    async fn read_since(&self) -> Option<Result<Vec<LogEvent>, Error>> {
        let since = self.seen.since(self.start_ms);
        tokio::select! {
            r = self.clients.filter_log_events(&self.group, self.filter.as_deref(), Some(since), None, None) => Some(r),
            _ = self.tx.closed() => None,
        }
    }

    /// Live tail sessions, one after another. Continue means: poll instead.
    async fn live(&mut self) -> Flow {
        let arn = tokio::select! {
            r = self.clients.log_group_arn(&self.group) => r,
            _ = self.tx.closed() => return Flow::Stop,
        };
        let Ok(Some(arn)) = arn else {
            return Flow::Continue;
        };
        loop {
            let started = Instant::now();
            let request = self
                .clients
                .logs
                .start_live_tail()
                .log_group_identifiers(arn.clone())
                .set_log_event_filter_pattern(self.filter.clone())
                .send();
            let mut out = tokio::select! {
                r = request => match r {
                    Ok(out) => out,
                    // Not supported, not allowed, or not reachable: polling
                    // works where FilterLogEvents does, and reports what does not.
                    Err(_) => return Flow::Continue,
                },
                _ = self.tx.closed() => return Flow::Stop,
            };
            // Catch up from `start_ms` (or the last event seen) to now.
            match self.read_since().await {
                None => return Flow::Stop,
                Some(Ok(events)) => {
                    if self.deliver(events).await == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                Some(Err(e)) => {
                    if self.send_error(e).await == Flow::Stop {
                        return Flow::Stop;
                    }
                }
            }
            let timed_out = loop {
                let msg = tokio::select! {
                    m = out.response_stream.recv() => m,
                    _ = self.tx.closed() => return Flow::Stop,
                };
                match msg {
                    Ok(Some(sdk::StartLiveTailResponseStream::SessionUpdate(update))) => {
                        let events = update
                            .session_results()
                            .iter()
                            .map(|e| LogEvent {
                                timestamp_ms: e.timestamp().unwrap_or_default(),
                                message: e.message().unwrap_or_default().to_string(),
                                stream: e.log_stream_name().map(str::to_string),
                                event_id: None,
                            })
                            .collect();
                        if self.deliver(events).await == Flow::Stop {
                            return Flow::Stop;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break false,
                    Err(e) => {
                        break e
                            .as_service_error()
                            .is_some_and(|s| s.is_session_timeout_exception());
                    }
                }
            };
            if !timed_out && started.elapsed() < QUICK_SESSION {
                // A session that ends at once: this backend cannot stream.
                return Flow::Continue;
            }
            // The session reached its limit or the stream broke: start a new one.
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                _ = self.tx.closed() => return Flow::Stop,
            }
        }
    }

    /// Polls FilterLogEvents until the receiver is dropped or a lasting error.
    async fn poll(&mut self) {
        let mut delay = POLL_EVERY;
        let mut failing = false;
        loop {
            match self.read_since().await {
                None => return,
                Some(Ok(events)) => {
                    failing = false;
                    delay = POLL_EVERY;
                    if self.deliver(events).await == Flow::Stop {
                        return;
                    }
                }
                Some(Err(e)) if is_transient(&e) => {
                    if !failing && self.send_error(e).await == Flow::Stop {
                        return;
                    }
                    failing = true;
                    delay = (delay * 2).min(POLL_BACKOFF_MAX);
                }
                Some(Err(e)) => {
                    let _ = self.send_error(e).await;
                    return;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = self.tx.closed() => return,
            }
        }
    }
}

/// Errors a follow keeps polling through: the transient ones
/// ([`Error::is_transient`]) and a backend that is away for a moment.
fn is_transient(err: &Error) -> bool {
    err.is_transient() || matches!(err, Error::Unreachable { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64, stream: &str, msg: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: ts,
            message: msg.to_string(),
            stream: Some(stream.to_string()),
            event_id: None,
        }
    }

    fn msgs(evs: &[LogEvent]) -> Vec<&str> {
        evs.iter().map(|e| e.message.as_str()).collect()
    }

    #[test]
    fn seen_delivers_each_event_once_across_overlapping_reads() {
        let mut seen = Seen::default();
        let first = seen.admit(
            vec![ev(20, "a", "b"), ev(10, "a", "a"), ev(5, "a", "old")],
            10,
        );
        assert_eq!(msgs(&first), vec!["a", "b"]);
        assert_eq!(seen.since(10), 10);
        // The same window again plus a repeated line: only the new ones.
        let second = seen.admit(
            vec![
                ev(10, "a", "a"),
                ev(20, "a", "b"),
                ev(20, "a", "b"),
                ev(30, "s", "c"),
            ],
            10,
        );
        assert_eq!(msgs(&second), vec!["b", "c"]);
        assert!(
            seen.admit(vec![ev(20, "a", "b"), ev(30, "s", "c")], 10)
                .is_empty()
        );
        // The same line in another stream is another event.
        assert_eq!(msgs(&seen.admit(vec![ev(30, "t", "c")], 10)), vec!["c"]);
    }

    #[test]
    fn seen_reads_from_a_lookback_behind_the_newest_event() {
        let mut seen = Seen::default();
        assert_eq!(seen.since(1_000), 1_000);
        seen.admit(vec![ev(100_000, "a", "x")], 1_000);
        assert_eq!(seen.since(1_000), 100_000 - LOOKBACK_MS);
        // Keys older than the next read are forgotten.
        seen.admit(vec![ev(200_000, "a", "y")], 1_000);
        assert_eq!(seen.counts.len(), 1);
    }

    #[test]
    fn put_batches_respect_count_size_and_span() {
        let many: Vec<(i64, String)> = (0..10_001).map(|i| (i, "m".to_string())).collect();
        let refs: Vec<&(i64, String)> = many.iter().collect();
        let b = put_batches(&refs);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![10_000, 1]);

        let big: Vec<(i64, String)> = (0..3).map(|i| (i, "x".repeat(400_000))).collect();
        let refs: Vec<&(i64, String)> = big.iter().collect();
        assert_eq!(put_batches(&refs).len(), 2);

        let spread = [(0, "a".to_string()), (PUT_MAX_SPAN_MS + 1, "b".to_string())];
        let refs: Vec<&(i64, String)> = spread.iter().collect();
        assert_eq!(put_batches(&refs).len(), 2);
    }

    #[test]
    fn group_arns_and_names() {
        assert_eq!(group_param("/app"), (Some("/app".to_string()), None));
        assert_eq!(
            group_param("arn:aws:logs:us-east-1:1:log-group:/app:*"),
            (
                None,
                Some("arn:aws:logs:us-east-1:1:log-group:/app".to_string())
            )
        );
    }
}
