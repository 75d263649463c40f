//! PutLogEvents, GetLogEvents and FilterLogEvents.

use super::Logs;
use super::filter::FilterPattern;
use super::journal::Change;
use super::limits::{
    EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS, MAX_EVENTS_PAGE,
    MAX_PAGE_BYTES, TOO_NEW_MS, TOO_OLD_MS,
};
use super::state::{Event, Stream};
use super::wire::{
    FilterLogEventsOut, FilteredEvent, GetLogEventsOut, OutputEvent, PutLogEventsOut, RejectedOut,
    SearchedStream, reply,
};
use super::wire::{
    FilterLogEventsRequest, GetLogEventsRequest, LogEventMember, PutLogEventsRequest, filter_token,
    get, get_bool, get_i64, get_limit, get_str, group_key, group_not_found, invalid, missing,
    need_str, parse_filter_token, parse_get_token, stream_not_found, token_of, visible_from,
    wrong_type,
};
use crate::local::core::Core;
use crate::local::core::Ctx;
use crate::local::core::OpResult;
use crate::local::members::input;
use serde_json::Value;
use std::collections::BinaryHeap;

impl Logs {
    // ------------------------------------------------------------ events

    pub(super) fn put_log_events(
        &self,
        local: &Core,
        b: PutLogEventsRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let group = need_str(&b.log_group_name, "logGroupName")?;
        let stream = need_str(&b.log_stream_name, "logStreamName")?;
        get_str(&b.sequence_token, "sequenceToken")?;
        let raw = match b.log_events.get() {
            None => return Err(missing("logEvents")),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(wrong_type("logEvents", "a list of log events")),
        };
        if raw.is_empty() || raw.len() > MAX_BATCH_EVENTS {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and {MAX_BATCH_EVENTS}"
            )));
        }
        let mut events: Vec<(i64, String)> = Vec::with_capacity(raw.len());
        let mut bytes = 0usize;
        for (i, ev) in raw.iter().enumerate() {
            if !ev.is_object() {
                return Err(wrong_type("logEvents", "a list of log events"));
            }
            let ev: LogEventMember = input(ev.clone());
            let ts = get_i64(&ev.timestamp, "timestamp")?
                .ok_or_else(|| missing(&format!("logEvents.{}.member.timestamp", i + 1)))?;
            let msg = get_str(&ev.message, "message")?
                .ok_or_else(|| missing(&format!("logEvents.{}.member.message", i + 1)))?;
            if msg.is_empty() {
                return Err(invalid(format!(
                    "1 validation error detected: Value '' at 'logEvents.{}.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
                    i + 1
                )));
            }
            if ts < 0 {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{ts}' at 'logEvents.{}.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0",
                    i + 1
                )));
            }
            if let Some((prev, _)) = events.last()
                && *prev > ts
            {
                return Err(invalid(
                    "Log events in a single PutLogEvents request must be in chronological order.",
                ));
            }
            bytes += msg.len() + EVENT_OVERHEAD;
            events.push((ts, msg.to_string()));
        }
        if bytes > MAX_BATCH_BYTES {
            return Err(invalid(format!(
                "Upload too large: {bytes} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )));
        }
        if let (Some(first), Some(last)) = (events.first(), events.last())
            && last.0 - first.0 > MAX_BATCH_SPAN_MS
        {
            return Err(invalid(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
            ));
        }
        let mut st = self.lock(&ctx.account);
        let key = (ctx.region.clone(), group.to_string());
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let s = g.streams.get(stream).ok_or_else(stream_not_found)?;
        let puts = s.puts;
        // Sorted, so the rejected ones are a prefix (old) and a suffix (new).
        let too_old_end = events.partition_point(|(ts, _)| *ts < now - TOO_OLD_MS);
        let expired_end = g.retention_days.map_or(0, |d| {
            events.partition_point(|(ts, _)| *ts < now - i64::from(d) * 86_400_000)
        });
        let too_new_start = events.partition_point(|(ts, _)| *ts <= now + TOO_NEW_MS);
        let keep_from = too_old_end.max(expired_end).min(too_new_start);
        let rejected = RejectedOut {
            too_new_log_event_start_index: (too_new_start < events.len()).then_some(too_new_start),
            too_old_log_event_end_index: (too_old_end > 0).then_some(too_old_end),
            expired_log_event_end_index: (expired_end > 0).then_some(expired_end),
        };
        let any_rejected = rejected.too_new_log_event_start_index.is_some()
            || rejected.too_old_log_event_end_index.is_some()
            || rejected.expired_log_event_end_index.is_some();
        let accepted: Vec<(i64, String)> = events.drain(keep_from..too_new_start).collect();
        self.commit(
            &mut st,
            local,
            Change::PutEvents {
                region: key.0,
                group: key.1,
                stream: stream.to_string(),
                ingestion_ms: now,
                events: accepted,
            },
        )?;
        reply(PutLogEventsOut {
            next_sequence_token: token_of(puts + 1),
            rejected_log_events_info: any_rejected.then_some(rejected),
        })
    }

    /// GetLogEvents at `now` (events older than the group's retention are gone).
    pub(super) fn get_log_events(&self, b: GetLogEventsRequest, ctx: &Ctx, now: i64) -> OpResult {
        let key = group_key(&b.group, ctx)?;
        let stream = need_str(&b.log_stream_name, "logStreamName")?;
        let start = get_i64(&b.start_time, "startTime")?;
        let end = get_i64(&b.end_time, "endTime")?;
        let limit = get_limit(&b.limit, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE)?;
        let from_head = get_bool(&b.start_from_head, "startFromHead")?.unwrap_or(false);
        get_bool(&b.unmask, "unmask")?;
        let token = match get_str(&b.next_token, "nextToken")? {
            None => None,
            Some(t) => Some(parse_get_token(t)?),
        };
        let st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let s = g.streams.get(stream).ok_or_else(stream_not_found)?;
        let floor = visible_from(g, now);
        // GetLogEvents: startTime inclusive, endTime exclusive.
        let visible: Vec<&Event> = s
            .events
            .iter()
            .filter(|e| {
                e.ts >= floor && start.is_none_or(|t| e.ts >= t) && end.is_none_or(|t| e.ts < t)
            })
            .collect();
        let n = visible.len();
        let (lo, hi) = match token {
            None if from_head => (0, limit.min(n)),
            None => (n.saturating_sub(limit), n),
            Some((true, i)) => {
                let i = i.min(n);
                (i, (i + limit).min(n))
            }
            Some((false, i)) => {
                let i = i.min(n);
                (i.saturating_sub(limit), i)
            }
        };
        // At most 1 MB: forward pages are cut at the end, backward pages at the start.
        let forward = !matches!(token, Some((false, _))) && (from_head || token.is_some());
        let (mut lo, mut hi) = (lo, hi);
        let mut bytes = 0usize;
        if forward {
            let mut j = lo;
            while j < hi {
                bytes += visible[j].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_PAGE_BYTES && j > lo {
                    break;
                }
                j += 1;
            }
            hi = j;
        } else {
            let mut j = hi;
            while j > lo {
                bytes += visible[j - 1].message.len() + EVENT_OVERHEAD;
                if bytes > MAX_PAGE_BYTES && j < hi {
                    break;
                }
                j -= 1;
            }
            lo = j;
        }
        reply(GetLogEventsOut {
            events: visible[lo..hi]
                .iter()
                .map(|e| OutputEvent::new(e))
                .collect(),
            next_forward_token: format!("f/{}", token_of(hi as u64)),
            next_backward_token: format!("b/{}", token_of(lo as u64)),
        })
    }

    /// FilterLogEvents at `now` (events older than the group's retention are gone).
    pub(super) fn filter_log_events(
        &self,
        b: FilterLogEventsRequest,
        ctx: &Ctx,
        now: i64,
    ) -> OpResult {
        let key = group_key(&b.group, ctx)?;
        let names = get(&b.log_stream_names, "logStreamNames")?;
        let prefix = get_str(&b.log_stream_name_prefix, "logStreamNamePrefix")?;
        if names.is_some() && prefix.is_some() {
            return Err(invalid(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
            ));
        }
        if names
            .as_ref()
            .is_some_and(|n| n.is_empty() || n.len() > 100)
        {
            return Err(invalid(
                "1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length between 1 and 100",
            ));
        }
        let start = get_i64(&b.start_time, "startTime")?;
        let end = get_i64(&b.end_time, "endTime")?;
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(invalid("startTime must be less than or equal to endTime"));
        }
        let limit = get_limit(&b.limit, MAX_EVENTS_PAGE, MAX_EVENTS_PAGE)?;
        get_bool(&b.interleaved, "interleaved")?;
        get_bool(&b.unmask, "unmask")?;
        let pattern =
            FilterPattern::parse(get_str(&b.filter_pattern, "filterPattern")?.unwrap_or(""))
                .map_err(|e| invalid(format!("Invalid filter pattern: {e}")))?;
        let after = match get_str(&b.next_token, "nextToken")? {
            None => None,
            Some(t) => Some(parse_filter_token(t)?),
        };
        let st = self.lock(&ctx.account);
        let g = st.groups.get(&key).ok_or_else(group_not_found)?;
        let lo = start.unwrap_or(i64::MIN).max(visible_from(g, now));
        let hi = end.unwrap_or(i64::MAX);
        let streams: Vec<(&String, &Stream)> = g
            .streams
            .iter()
            .filter(|(n, _)| {
                names.as_ref().is_none_or(|ns| ns.iter().any(|x| x == *n))
                    && prefix.is_none_or(|p| n.starts_with(p))
            })
            .collect();
        if names
            .as_ref()
            .is_some_and(|ns| ns.iter().any(|n| !g.streams.contains_key(n)))
        {
            return Err(stream_not_found());
        }
        // A k-way merge of the streams, by (timestamp, seq), from the token on.
        let mut heap = BinaryHeap::new();
        let mut cursors: Vec<usize> = Vec::with_capacity(streams.len());
        for (i, (_, s)) in streams.iter().enumerate() {
            let from = match after {
                Some(k) => s.events.partition_point(|e| e.key() <= k),
                None => s.events.partition_point(|e| e.ts < lo),
            };
            cursors.push(from);
            if let Some(e) = s.events.get(from) {
                heap.push(std::cmp::Reverse((e.key(), i)));
            }
        }
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let mut last: Option<(i64, u64)> = None;
        let mut more = false;
        while let Some(std::cmp::Reverse((k, i))) = heap.pop() {
            if k.0 > hi {
                break;
            }
            let s = streams[i].1;
            let e = &s.events[cursors[i]];
            cursors[i] += 1;
            if let Some(n) = s.events.get(cursors[i]) {
                heap.push(std::cmp::Reverse((n.key(), i)));
            }
            if e.ts < lo || !pattern.matches(&e.message) {
                continue;
            }
            let size = e.message.len() + EVENT_OVERHEAD;
            if out.len() == limit || (bytes + size > MAX_PAGE_BYTES && !out.is_empty()) {
                more = true;
                break;
            }
            bytes += size;
            last = Some(k);
            out.push(FilteredEvent::new(streams[i].0, e));
        }
        let searched_log_streams = streams
            .iter()
            .map(|(n, _)| SearchedStream {
                log_stream_name: n,
                searched_completely: !more,
            })
            .collect();
        reply(FilterLogEventsOut {
            events: out,
            searched_log_streams,
            next_token: last.filter(|_| more).map(filter_token),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The events operations driven with a fake clock (`now` as a parameter), no HTTP.

    use super::*;
    use crate::local::Config;
    use crate::local::Local;
    use crate::local::members::input;
    use serde_json::json;
    use std::sync::Arc;

    const DAY: i64 = 86_400_000;
    const T0: i64 = 1_800_000_000_000;

    fn ctx() -> Ctx {
        Ctx {
            region: "us-east-1".to_string(),
            account: "000000000000".to_string(),
        }
    }

    /// A backend with group `/g` and streams `a`, `b`, created at `T0`.
    fn backend() -> Arc<Local> {
        let l = Local::new(&Config::default()).expect("backend");
        let g = json!({"logGroupName": "/g"});
        l.logs
            .create_log_group(&l, input(g), &ctx(), T0)
            .expect("group");
        for s in ["a", "b"] {
            let body = json!({"logGroupName": "/g", "logStreamName": s});
            l.logs
                .create_log_stream(&l, input(body), &ctx(), T0)
                .expect("stream");
        }
        l
    }

    fn put(l: &Local, stream: &str, events: &[(i64, &str)], now: i64) -> Value {
        let events: Vec<Value> = events
            .iter()
            .map(|(ts, m)| json!({"timestamp": ts, "message": m}))
            .collect();
        let body = json!({"logGroupName": "/g", "logStreamName": stream, "logEvents": events});
        l.logs
            .put_log_events(l, input(body), &ctx(), now)
            .expect("put")
    }

    fn filter(l: &Local, mut body: Value, now: i64) -> Value {
        body["logGroupName"] = json!("/g");
        l.logs
            .filter_log_events(input(body), &ctx(), now)
            .expect("filter")
    }

    fn get(l: &Local, mut body: Value, now: i64) -> Value {
        body["logGroupName"] = json!("/g");
        body["logStreamName"] = json!("a");
        l.logs
            .get_log_events(input(body), &ctx(), now)
            .expect("get")
    }

    fn messages(v: &Value) -> Vec<String> {
        v["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["message"].as_str().expect("message").to_string())
            .collect()
    }

    fn retention(l: &Local, days: u32) {
        let body = json!({"logGroupName": "/g", "retentionInDays": days});
        l.logs
            .put_retention(l, input(body), &ctx(), true)
            .expect("retention");
    }

    #[test]
    fn put_rejects_too_old_too_new_and_expired_events_by_the_clock() {
        let l = backend();
        retention(&l, 3);
        let now = T0 + 20 * DAY;
        // One batch spans at most 24 hours: the old end, then the new end.
        let resp = put(
            &l,
            "a",
            &[
                (now - 3 * DAY - 1, "expired"),
                (now - 3 * DAY, "kept: exactly the retention"),
            ],
            now,
        );
        let info = &resp["rejectedLogEventsInfo"];
        assert_eq!(info["expiredLogEventEndIndex"], 1);
        assert!(info.get("tooOldLogEventEndIndex").is_none());
        let resp = put(
            &l,
            "a",
            &[
                (now, "now"),
                (now + 2 * 3_600_000, "kept: exactly 2 hours ahead"),
                (now + 2 * 3_600_000 + 1, "too new"),
            ],
            now,
        );
        let info = &resp["rejectedLogEventsInfo"];
        assert_eq!(info["tooNewLogEventStartIndex"], 2);
        assert!(info.get("expiredLogEventEndIndex").is_none());
        assert_eq!(
            messages(&filter(&l, json!({}), now)),
            [
                "kept: exactly the retention",
                "now",
                "kept: exactly 2 hours ahead"
            ]
        );
        // Without retention, the 14-day limit applies.
        let l = backend();
        let resp = put(
            &l,
            "a",
            &[(now - 14 * DAY - 1, "old"), (now - 14 * DAY, "ok")],
            now,
        );
        assert_eq!(resp["rejectedLogEventsInfo"]["tooOldLogEventEndIndex"], 1);
    }

    #[test]
    fn retention_hides_events_as_the_clock_moves_on() {
        let l = backend();
        // One batch spans at most 24 hours: one put a day.
        for (day, m) in [(0, "day 0"), (1, "day 1"), (2, "day 2")] {
            put(&l, "a", &[(T0 + day * DAY, m)], T0 + 2 * DAY);
        }
        retention(&l, 1);
        let at = |now: i64| messages(&filter(&l, json!({}), now));
        assert_eq!(at(T0 + 2 * DAY), ["day 1", "day 2"]);
        assert_eq!(at(T0 + 2 * DAY + 1), ["day 2"]);
        assert_eq!(at(T0 + 3 * DAY + 1), Vec::<String>::new());
        // GetLogEvents sees the same floor.
        assert_eq!(
            messages(&get(&l, json!({"startFromHead": true}), T0 + 2 * DAY)),
            ["day 1", "day 2"]
        );
        assert!(messages(&get(&l, json!({}), T0 + 3 * DAY + 1)).is_empty());
    }

    #[test]
    fn filter_takes_start_and_end_time_both_inclusive() {
        let l = backend();
        put(
            &l,
            "a",
            &[(T0, "0"), (T0 + 10, "10"), (T0 + 20, "20")],
            T0 + 20,
        );
        put(&l, "b", &[(T0 + 10, "b10"), (T0 + 30, "b30")], T0 + 30);
        let got = |start: i64, end: i64| {
            messages(&filter(
                &l,
                json!({"startTime": start, "endTime": end}),
                T0 + DAY,
            ))
        };
        assert_eq!(got(T0 + 10, T0 + 20), ["10", "b10", "20"]);
        assert_eq!(got(T0 + 11, T0 + 19), Vec::<String>::new());
        assert_eq!(got(T0, T0), ["0"]);
        assert_eq!(got(T0 + 20, T0 + 30), ["20", "b30"]);
    }

    #[test]
    fn get_takes_start_inclusive_and_end_exclusive() {
        let l = backend();
        put(
            &l,
            "a",
            &[(T0, "0"), (T0 + 10, "10"), (T0 + 20, "20")],
            T0 + 20,
        );
        let got = |start: i64, end: i64| {
            let body = json!({"startTime": start, "endTime": end, "startFromHead": true});
            messages(&get(&l, body, T0 + DAY))
        };
        assert_eq!(got(T0, T0 + 20), ["0", "10"]);
        assert_eq!(got(T0 + 10, T0 + 21), ["10", "20"]);
        assert!(got(T0 + 1, T0 + 10).is_empty());
    }

    #[test]
    fn a_tail_from_a_token_sees_only_what_arrived_after_it() {
        // A follower polls FilterLogEvents "since" a time, then with the token.
        let l = backend();
        let first_events = [
            (T0 - 5, "before"),
            (T0, "at since"),
            (T0 + 5, "after"),
            (T0 + 6, "last"),
        ];
        put(&l, "a", &first_events, T0 + 6);
        let first = filter(&l, json!({"startTime": T0, "limit": 2}), T0 + 6);
        assert_eq!(messages(&first), ["at since", "after"]);
        let Some(token) = first["nextToken"].as_str().map(str::to_string) else {
            panic!("no token after a page with more to come: {first}")
        };
        let rest = filter(&l, json!({"startTime": T0, "nextToken": token}), T0 + 6);
        assert_eq!(messages(&rest), ["last"]);
        assert!(rest.get("nextToken").is_none(), "{rest}");
        // New events, one in the same millisecond as the last one, one in
        // another stream: a poll from the token gets them after what it had not seen.
        put(&l, "a", &[(T0 + 6, "same ms, later")], T0 + 7);
        put(&l, "b", &[(T0 + 7, "other stream")], T0 + 7);
        let again = filter(&l, json!({"startTime": T0, "nextToken": token}), T0 + 8);
        assert_eq!(messages(&again), ["last", "same ms, later", "other stream"]);
    }

    #[test]
    fn ingestion_time_is_the_clock_of_the_put() {
        let l = backend();
        put(&l, "a", &[(T0, "x")], T0 + 1_234);
        let got = get(&l, json!({}), T0 + DAY);
        assert_eq!(got["events"][0]["ingestionTime"], T0 + 1_234);
        let streams = l
            .logs
            .describe_log_streams(input(json!({"logGroupName": "/g"})), &ctx())
            .expect("describe");
        let a = &streams["logStreams"][0];
        assert_eq!(a["lastIngestionTime"], T0 + 1_234);
        assert_eq!(a["creationTime"], T0);
    }
}
