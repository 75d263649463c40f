//! The time window in which a message's consumer saw it: from its sent
//! time or first receive (the earlier) less a second, to as many receives
//! as it had (at least its queue's `maxReceiveCount`) each lasting the
//! visibility timeout plus the consumer's timeout, plus a slack. Bounded,
//! so that a log search never covers more than [`MAX_SPAN_MS`]. Pure.

use serde::Serialize;

use crate::domain::Message;

/// Before the first receive: clocks of the queue and the logs differ.
pub const BEFORE_MS: i64 = 1_000;
/// After the last receive's deadline: late log lines (REPORT, flushes).
pub const SLACK_MS: i64 = 60_000;
/// The longest window searched (a day).
pub const MAX_SPAN_MS: i64 = 24 * 3600 * 1000;

/// A time range, ms since the epoch, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// What the window is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    /// `SentTimestamp`.
    pub sent_ms: Option<i64>,
    /// `ApproximateFirstReceiveTimestamp`.
    pub first_receive_ms: Option<i64>,
    /// `ApproximateReceiveCount`.
    pub receive_count: u32,
    /// The source queue's `maxReceiveCount`.
    pub max_receive: Option<u32>,
    /// The source queue's visibility timeout.
    pub visibility_s: u32,
    /// The consumer's timeout (a function's; a declared one's) and batching window.
    pub consumer_timeout_s: u32,
}

impl Timing {
    /// The timestamps of a message's system attributes; the rest zero.
    pub fn of(message: &Message) -> Timing {
        let ms = |k: &str| {
            message
                .attributes
                .get(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
        };
        Timing {
            sent_ms: ms("SentTimestamp"),
            first_receive_ms: ms("ApproximateFirstReceiveTimestamp"),
            receive_count: message.receive_count,
            ..Timing::default()
        }
    }
}

/// The window, or `None` when the message carries no timestamp at all.
/// It starts a second before the earlier of the sent time and the first
/// receive (a FIFO DLQ move resets the sent time; a redrive the first
/// receive), and ends after every receive counted from the later of the
/// two, each taking the visibility timeout plus the consumer's timeout;
/// at most [`MAX_SPAN_MS`] long, kept at its end.
pub fn window(t: &Timing) -> Option<Window> {
    let times = [t.sent_ms, t.first_receive_ms];
    let earliest = times.iter().flatten().min().copied()?;
    let anchor = times.iter().flatten().max().copied()?;
    let receives = i64::from(t.receive_count.max(t.max_receive.unwrap_or(0)).max(1));
    let each_ms = i64::from(t.visibility_s + t.consumer_timeout_s) * 1000;
    let end = anchor + receives * each_ms + SLACK_MS;
    let start = (earliest - BEFORE_MS).max(end - MAX_SPAN_MS);
    Some(Window {
        start_ms: start,
        end_ms: end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_the_first_receive_for_every_receive() {
        let t = Timing {
            sent_ms: Some(1_000_000),
            first_receive_ms: Some(1_005_000),
            receive_count: 3,
            max_receive: Some(3),
            visibility_s: 30,
            consumer_timeout_s: 10,
        };
        let w = window(&t).unwrap();
        assert_eq!(w.start_ms, 1_000_000 - BEFORE_MS);
        assert_eq!(w.end_ms, 1_005_000 + 3 * 40_000 + SLACK_MS);
        // A FIFO DLQ move resets the sent time: the first receive starts it.
        let reset = Timing {
            sent_ms: Some(2_000_000),
            ..t
        };
        let w = window(&reset).unwrap();
        assert_eq!(w.start_ms, 1_005_000 - BEFORE_MS);
        assert_eq!(w.end_ms, 2_000_000 + 3 * 40_000 + SLACK_MS);
    }

    #[test]
    fn sent_time_when_never_received_and_bounded_at_its_end() {
        let t = Timing {
            sent_ms: Some(50_000),
            receive_count: 0,
            visibility_s: 43_200,
            consumer_timeout_s: 900,
            max_receive: Some(1000),
            ..Timing::default()
        };
        let w = window(&t).unwrap();
        assert_eq!(w.end_ms, 50_000 + 1000 * 44_100_000 + SLACK_MS);
        assert_eq!(w.end_ms - w.start_ms, MAX_SPAN_MS);
        assert_eq!(window(&Timing::default()), None);
        // A message that waited days before its first receive: the window
        // keeps the receives, not the sending.
        let late = Timing {
            sent_ms: Some(0),
            first_receive_ms: Some(3 * MAX_SPAN_MS),
            receive_count: 1,
            visibility_s: 30,
            ..Timing::default()
        };
        let w = window(&late).unwrap();
        assert_eq!(w.end_ms, 3 * MAX_SPAN_MS + 30_000 + SLACK_MS);
        assert_eq!(w.start_ms, w.end_ms - MAX_SPAN_MS);
    }
}
