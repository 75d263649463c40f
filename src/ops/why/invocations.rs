//! A function's recent invocations, read from its log lines: one per
//! request id, from its `START` to its `END`/`REPORT`, with the duration
//! the `REPORT` line gives (parsed by key: `Duration: 15.74 ms`), its
//! outcome (an error or a timeout line among its lines) and the error worth
//! quoting. For the function view of the TUI and `why`'s evidence. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::lines::{Line, LineKind};
use super::summary::error_text;

/// How an invocation ended, as far as its lines say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An `END` or `REPORT` line and no error line.
    Ok,
    Error,
    Timeout,
    /// Neither ended nor failed in the lines read (still running, or cut
    /// off by the window).
    Unknown,
}

/// One invocation of a function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invocation {
    pub request_id: String,
    pub stream: Option<String>,
    /// The `START` line's time (else the first line's), ms since the epoch.
    pub start_ms: i64,
    /// The `END`/`REPORT` line's time.
    pub end_ms: Option<i64>,
    /// `Duration` of the `REPORT` line, in ms.
    pub duration_ms: Option<f64>,
    pub outcome: Outcome,
    /// The first error or timeout line's text worth quoting.
    pub error: Option<String>,
    /// How many lines it has among those read.
    pub lines: usize,
}

/// The invocations among attributed `lines` (oldest first), newest first.
/// Lines without a request id are left out.
pub fn invocations(lines: &[Line]) -> Vec<Invocation> {
    let mut by_id: BTreeMap<&str, Invocation> = BTreeMap::new();
    for l in lines {
        let Some(rid) = l.request_id.as_deref() else {
            continue;
        };
        let inv = by_id.entry(rid).or_insert_with(|| Invocation {
            request_id: rid.to_string(),
            stream: l.event.stream.clone(),
            start_ms: l.event.timestamp_ms,
            end_ms: None,
            duration_ms: None,
            outcome: Outcome::Unknown,
            error: None,
            lines: 0,
        });
        inv.lines += 1;
        match l.kind {
            LineKind::Start => inv.start_ms = l.event.timestamp_ms,
            LineKind::End => inv.end_ms = inv.end_ms.or(Some(l.event.timestamp_ms)),
            LineKind::Report => {
                inv.end_ms = Some(l.event.timestamp_ms);
                inv.duration_ms = report_duration(&l.event.message);
                if l.event.message.contains("Status: timeout") {
                    inv.outcome = Outcome::Timeout;
                } else if l.event.message.contains("Status: error")
                    && inv.outcome != Outcome::Timeout
                {
                    inv.outcome = Outcome::Error;
                }
            }
            LineKind::Timeout => {
                inv.outcome = Outcome::Timeout;
                inv.error
                    .get_or_insert_with(|| error_text(&l.event.message));
            }
            LineKind::Error => {
                if inv.outcome != Outcome::Timeout {
                    inv.outcome = Outcome::Error;
                }
                inv.error
                    .get_or_insert_with(|| error_text(&l.event.message));
            }
            LineKind::Other => {}
        }
        if inv.outcome == Outcome::Unknown && inv.end_ms.is_some() {
            inv.outcome = Outcome::Ok;
        }
    }
    let mut out: Vec<Invocation> = by_id.into_values().collect();
    out.sort_by(|a, b| {
        b.start_ms
            .cmp(&a.start_ms)
            .then_with(|| a.request_id.cmp(&b.request_id))
    });
    out
}

/// `Duration: 15.74 ms` of a `REPORT` line (tab-separated `key: value`
/// fields, in any order).
pub fn report_duration(line: &str) -> Option<f64> {
    line.split('\t').find_map(|f| {
        let v = f.trim().strip_prefix("Duration:")?;
        v.trim().trim_end_matches("ms").trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LogEvent;
    use crate::ops::why::lines::attribute;

    fn ev(t: i64, m: &str) -> LogEvent {
        LogEvent {
            timestamp_ms: t,
            message: m.to_string(),
            stream: Some("s".into()),
            event_id: None,
        }
    }

    #[test]
    fn invocations_with_outcome_duration_and_error() {
        let a = "aaaaaaaa-0000-0000-0000-000000000001";
        let b = "bbbbbbbb-0000-0000-0000-000000000002";
        let c = "cccccccc-0000-0000-0000-000000000003";
        let lines = attribute(&[
            ev(1, &format!("START RequestId: {a} Version: $LATEST")),
            ev(2, &format!("END RequestId: {a}")),
            ev(
                3,
                &format!(
                    "REPORT RequestId: {a}\tInit Duration: 100.00 ms\tDuration: 15.74 ms\tBilled Duration: 16 ms\t"
                ),
            ),
            ev(10, &format!("START RequestId: {b} Version: $LATEST")),
            ev(11, "[ERROR] KeyError: 'GC-1'\rTraceback"),
            ev(12, &format!("END RequestId: {b}")),
            ev(20, &format!("START RequestId: {c} Version: $LATEST")),
            ev(
                23,
                &format!("2026-01-01T00:00:03.000Z {c} Task timed out after 3.00 seconds"),
            ),
            ev(
                24,
                &format!("REPORT RequestId: {c}\tDuration: 3000.00 ms\t"),
            ),
            ev(30, "a line of no invocation"),
        ]);
        let inv = invocations(&lines);
        assert_eq!(inv.len(), 3);
        assert_eq!(inv[0].request_id, c);
        assert_eq!(inv[0].outcome, Outcome::Timeout);
        assert_eq!(
            inv[0].error.as_deref(),
            Some(
                format!("2026-01-01T00:00:03.000Z {c} Task timed out after 3.00 seconds").as_str()
            )
        );
        assert_eq!(inv[1].outcome, Outcome::Error);
        assert_eq!(inv[1].error.as_deref(), Some("KeyError: 'GC-1'"));
        assert_eq!(inv[1].end_ms, Some(12));
        assert_eq!(inv[2].outcome, Outcome::Ok);
        assert_eq!(inv[2].duration_ms, Some(15.74));
        assert_eq!(inv[2].lines, 3);
    }

    #[test]
    fn report_durations_by_key() {
        assert_eq!(
            report_duration("REPORT RequestId: x\tDuration: 2.50 ms\t"),
            Some(2.5)
        );
        assert_eq!(
            report_duration("REPORT RequestId: x\tBilled Duration: 3 ms\t"),
            None
        );
    }
}
